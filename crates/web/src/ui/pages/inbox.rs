//! The validation inbox: what waits for me (with the rules' findings), what waits for
//! others, bulk approval of clean drafts.

use askama::Template;
use axum::body::Bytes;
use axum::response::Response;
use encaisse_app::validation::QueueItem;
use encaisse_core::rules::Severity;
use uuid::Uuid;

use crate::ui::format::{money, timestamp};
use crate::ui::i18n::Tr;
use crate::ui::{Layout, Ui, redirect_with, render};

pub(crate) struct Finding {
    pub severity: &'static str,
    pub title: &'static str,
    pub why: String,
}

pub(crate) struct Row {
    pub id: String,
    pub client: String,
    pub gross: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub level: String,
    pub clean: bool,
    pub blocking: bool,
    pub warnings: usize,
    pub findings: Vec<Finding>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct Page {
    l: Layout,
    mine: Vec<Row>,
    others: Vec<Row>,
}

fn row(q: &QueueItem, ui: &Ui) -> Row {
    let (t, lang) = (ui.t(), ui.lang);
    Row {
        id: q.invoice.id.to_string(),
        client: q.invoice.client_name.clone(),
        gross: money(&q.invoice.gross, lang),
        submitted_by: q.submitted_by.clone(),
        submitted_at: timestamp(&q.submitted_at.to_rfc3339(), lang),
        level: format!("{}/{}", q.level, q.levels),
        clean: q.is_clean() && q.can_decide(),
        blocking: q.results.iter().any(|r| r.severity == Severity::Block),
        warnings: q.results.len(),
        findings: q
            .results
            .iter()
            .map(|r| Finding {
                severity: r.severity.as_str(),
                title: r.rule.title(lang),
                why: r.why(lang),
            })
            .collect(),
        reason: match &q.decision {
            Ok(_) => String::new(),
            Err(e) => localized_refusal(t, e),
        },
    }
}

/// Why someone may not decide, in the page's language where it matters most.
pub(crate) fn localized_refusal(t: Tr, e: &encaisse_core::approval::ApprovalError) -> String {
    use encaisse_core::approval::ApprovalError as E;
    use encaisse_core::language::Language as L;
    match (e, t.0) {
        (E::OwnDraft, L::Fr) => {
            "Vous avez contribué à ce brouillon : une autre personne doit décider.".into()
        }
        (E::OwnDraft, L::De) => {
            "Sie haben an diesem Entwurf mitgewirkt: eine andere Person muss entscheiden.".into()
        }
        (E::AlreadyDecided(l), L::Fr) => format!(
            "Vous avez déjà validé le niveau {l} : le suivant revient à une autre personne."
        ),
        (E::AlreadyDecided(l), L::De) => format!(
            "Sie haben Stufe {l} bereits genehmigt: die nächste braucht eine andere Person."
        ),
        (E::NotEntitled { needs, .. }, L::Fr) => format!(
            "Ce niveau revient à un {}.",
            if *needs == encaisse_core::approval::Level::Owner {
                "propriétaire"
            } else {
                "valideur"
            }
        ),
        (E::NotEntitled { needs, .. }, L::De) => format!(
            "Diese Stufe braucht {}.",
            if *needs == encaisse_core::approval::Level::Owner {
                "einen Inhaber"
            } else {
                "eine Freigabeberechtigung"
            }
        ),
        (other, _) => other.to_string(),
    }
}

pub async fn page(ui: Ui) -> Response {
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let queue = match ui.app.approval_queue(actor).await {
        Ok(q) => q,
        Err(e) => return ui.fail(e),
    };
    let (mine, others): (Vec<&QueueItem>, Vec<&QueueItem>) =
        queue.iter().partition(|q| q.can_decide());
    let page = Page {
        mine: mine.into_iter().map(|q| row(q, &ui)).collect(),
        others: others.into_iter().map(|q| row(q, &ui)).collect(),
        l: ui.layout("inbox").await,
    };
    render(&page)
}

pub async fn approve_clean(ui: Ui, body: Bytes) -> Response {
    if let Err(r) = ui.form::<serde::de::IgnoredAny>(&body) {
        return r;
    }
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let ids: Vec<Uuid> = form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| Uuid::parse_str(&v).ok())
        .collect();
    match ui.app.approve_clean(actor, &ids).await {
        Ok(out) => {
            let ok = out.iter().filter(|o| o.error.is_none()).count();
            let failed: Vec<String> = out.iter().filter_map(|o| o.error.clone()).collect();
            if failed.is_empty() {
                redirect_with("/inbox", &format!("okn:{} {ok}", ui.t().s("flash.bulk")))
            } else {
                redirect_with(
                    "/inbox",
                    &format!("err:{} {ok}. {}", ui.t().s("flash.bulk"), failed.join(" ")),
                )
            }
        }
        Err(e) => redirect_with("/inbox", &format!("err:{e}")),
    }
}
