//! One invoice: the decision panel when it waits for the viewer, the rules' findings, the
//! lifecycle timeline, lines, source time entries, the client's latest invoices, the
//! preview, the history with line-level changes; and the actions on it.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::response::Response;
use encaisse_app::history::{HistoryEntry, milestones};
use encaisse_app::validation::Review;
use encaisse_core::invoice::InvoiceStatus;
use encaisse_core::line_diff::LineChange;
use encaisse_core::role::Permission;
use serde::Deserialize;
use uuid::Uuid;

use super::inbox::localized_refusal;
use crate::ui::format::{date, decimal, money, opt_date, timestamp};
use crate::ui::i18n::Tr;
use crate::ui::{Layout, Ui, redirect_with, render, safe_next};

pub(crate) struct Action {
    pub label: &'static str,
    pub href: String,
    pub method: &'static str,
}

pub(crate) struct FindingView {
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub title: &'static str,
    pub why: String,
    pub fix: String,
}

pub(crate) struct Milestone {
    pub label: &'static str,
    pub date: String,
    pub done: bool,
}

pub(crate) struct LineRow {
    pub position: usize,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: String,
    pub discount: String,
    pub vat: String,
    pub net: String,
}

pub(crate) struct EntryRow {
    pub date: String,
    pub person: String,
    pub description: String,
    pub hours: String,
}

pub(crate) struct HistoryRow {
    pub id: String,
    pub number: String,
    pub issue_date: String,
    pub status: &'static str,
    pub gross: String,
}

pub(crate) struct EventRow {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub comment: Option<String>,
    pub detail: Option<String>,
    pub changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct Page {
    l: Layout,
    id: String,
    heading: String,
    status: &'static str,
    status_label: &'static str,
    client: String,
    client_id: String,
    gross: String,
    created_by: Option<String>,
    from_inbox: bool,
    can_decide: bool,
    level_text: String,
    on_behalf_of: Option<String>,
    cannot_decide: Option<String>,
    next_after: String,
    actions: Vec<Action>,
    findings: Vec<FindingView>,
    milestones: Vec<Milestone>,
    lines: Vec<LineRow>,
    totals: Vec<(String, String)>,
    purchase_order: Option<String>,
    period: Option<String>,
    entries: Vec<EntryRow>,
    history_rows: Vec<HistoryRow>,
    document_sha256: Option<String>,
    /// The legal documents stored at issue, for download: (label, href, SHA-256).
    issued_documents: Vec<(&'static str, String, String)>,
    /// What the embedded viewer shows: the issued PDF, else the draft's preview PDF.
    pdf_src: String,
    issued: bool,
    history: Vec<EventRow>,
}

#[derive(Deserialize)]
pub struct From {
    from: Option<String>,
}

/// An id, or a number resolved in the organization.
pub(crate) async fn resolve(ui: &Ui, id: &str) -> Result<Uuid, Response> {
    let actor = ui.actor()?;
    ui.app
        .resolve_invoice(actor, id)
        .await
        .map_err(|e| ui.fail(e))
}

fn action_label(action: &str, t: Tr) -> &'static str {
    match action {
        "invoice.drafted" | "credit_note.drafted" => t.s("action.drafted"),
        "invoice.submitted" => t.s("action.submitted"),
        "invoice.approval_level_passed" => t.s("action.approved_level"),
        "invoice.approved" => t.s("action.approved"),
        "invoice.rejected" => t.s("action.rejected"),
        "invoice.withdrawn" => t.s("action.withdrawn"),
        "invoice.lines_edited" => t.s("action.lines_edited"),
        "invoice.issued" => t.s("action.issued"),
        "invoice.sent" => t.s("action.sent"),
        "invoice.payment_recorded" => t.s("action.paid"),
        _ => t.s("action.other"),
    }
}

pub(crate) fn change_text(c: &LineChange, t: Tr) -> String {
    let line = t.s("inv.lines");
    match c {
        LineChange::Added {
            position,
            description,
        } => format!("+ {line} {position} : {description}"),
        LineChange::Removed {
            position,
            description,
        } => format!("− {line} {position} : {description}"),
        LineChange::Changed {
            position,
            description,
            fields,
        } => format!(
            "~ {line} {position} ({description}) : {}",
            fields
                .iter()
                .map(|f| format!("{} {} → {}", f.field, f.before, f.after))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn event_row(h: &HistoryEntry, ui: &Ui) -> EventRow {
    let t = ui.t();
    let mut detail = h.detail.clone();
    if let Some((l, o)) = h.level {
        detail = Some(format!("{} {l}/{o}", t.s("inbox.level")));
    }
    if let Some(n) = h.rules.filter(|n| *n > 0) {
        detail = Some(format!("{} · {n} ⚠", detail.unwrap_or_default()));
    }
    EventRow {
        at: timestamp(&h.at, ui.lang),
        actor: h.actor.clone(),
        action: action_label(&h.action, t),
        comment: h.comment.clone(),
        detail,
        changes: h.changes.iter().map(|c| change_text(c, t)).collect(),
    }
}

fn build(ui: &Ui, r: &Review, history: &[HistoryEntry], from_inbox: bool) -> (Vec<Action>, Page) {
    let (t, lang) = (ui.t(), ui.lang);
    let inv = &r.detail.invoice;
    let id = inv.id.to_string();
    let status = inv.status;
    let mut actions = Vec::new();
    let post = |label, path: &str| Action {
        label,
        href: format!("/invoices/{id}/{path}"),
        method: "post",
    };
    if ui.can(Permission::EditDrafts) {
        if status.is_editable() {
            actions.push(Action {
                label: t.s("btn.edit"),
                href: format!("/invoices/{id}/edit"),
                method: "get",
            });
            actions.push(post(t.s("btn.submit"), "submit"));
        }
        if matches!(
            status,
            InvoiceStatus::PendingApproval | InvoiceStatus::Approved
        ) {
            actions.push(post(t.s("btn.withdraw"), "withdraw"));
        }
    }
    if status == InvoiceStatus::Approved && ui.can(Permission::Issue) {
        actions.push(post(t.s("btn.issue"), "issue"));
    }
    let reached = milestones(history);
    let totals_src = &r.detail.totals;
    let mut totals = vec![(
        t.s("col.net").to_owned(),
        money(&totals_src.tax_exclusive, lang),
    )];
    for b in &totals_src.breakdown {
        totals.push((
            format!("{} {} %", t.s("col.vat"), decimal(b.rate.percent(), lang)),
            money(&b.tax, lang),
        ));
    }
    totals.push((
        t.s("col.gross").to_owned(),
        money(&totals_src.tax_inclusive, lang),
    ));
    if status.is_issued() {
        totals.push((
            t.s("col.outstanding").to_owned(),
            money(&r.detail.outstanding, lang),
        ));
    }
    let (can_decide, level_text, on_behalf_of) = match &r.decision {
        Ok(a) => (true, format!("{}/{}", a.level, a.of), None),
        Err(_) => (false, String::new(), None),
    };
    let cannot_decide = match (&r.decision, status) {
        (Err(e), InvoiceStatus::PendingApproval) => Some(localized_refusal(t, e)),
        _ => None,
    };
    let page = Page {
        l: crate::ui::bare(t),
        id: id.clone(),
        heading: inv
            .number
            .clone()
            .unwrap_or_else(|| t.s("inv.draft").to_owned()),
        status: status.as_str(),
        status_label: t.of("status", status.as_str()),
        client: r.detail.client_name.clone(),
        client_id: inv.client_id.to_string(),
        gross: money(&totals_src.tax_inclusive, lang),
        created_by: r.created_by.clone(),
        from_inbox,
        can_decide,
        level_text,
        on_behalf_of,
        cannot_decide,
        next_after: if from_inbox {
            "/inbox".into()
        } else {
            format!("/invoices/{id}")
        },
        actions: Vec::new(),
        findings: r
            .results
            .iter()
            .map(|f| FindingView {
                severity: f.severity.as_str(),
                severity_label: t.of("severity", f.severity.as_str()),
                title: f.rule.title(lang),
                why: f.why(lang),
                fix: f.fix(lang),
            })
            .collect(),
        milestones: reached
            .iter()
            .map(|(m, d)| Milestone {
                label: t.of("milestone", m),
                date: d
                    .as_deref()
                    .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
                    .map(|d| date(d, lang))
                    .unwrap_or_else(|| "—".into()),
                done: d.is_some(),
            })
            .collect(),
        lines: inv
            .lines
            .iter()
            .zip(&totals_src.lines)
            .enumerate()
            .map(|(i, (l, a))| LineRow {
                position: i + 1,
                description: l.description.clone(),
                quantity: decimal(l.quantity, lang),
                unit: l.unit.0.clone(),
                unit_price: decimal(l.unit_price, lang),
                discount: decimal(l.discount_percent, lang),
                vat: l.vat.to_string(),
                net: money(&a.net, lang),
            })
            .collect(),
        totals,
        purchase_order: inv.purchase_order.clone(),
        period: r
            .service_period
            .map(|p| format!("{} – {}", date(p.start, lang), date(p.end, lang))),
        entries: r
            .entries
            .iter()
            .map(|e| EntryRow {
                date: date(e.started_at.date_naive(), lang),
                person: e.user_name.clone(),
                description: e.description.clone(),
                hours: decimal(
                    (rust_decimal::Decimal::from(e.duration_seconds)
                        / rust_decimal::Decimal::from(3600))
                    .round_dp(2),
                    lang,
                ),
            })
            .collect(),
        history_rows: r
            .client_history
            .iter()
            .map(|s| HistoryRow {
                id: s.id.to_string(),
                number: s
                    .number
                    .clone()
                    .unwrap_or_else(|| t.s("inv.draft").to_owned()),
                issue_date: opt_date(s.issue_date, lang),
                status: t.of("status", s.status.as_str()),
                gross: money(&s.gross, lang),
            })
            .collect(),
        document_sha256: r.detail.document_sha256.clone(),
        issued_documents: r
            .detail
            .documents
            .iter()
            .filter_map(|d| {
                let (key, href) = match d.kind.as_str() {
                    "facturx_pdf" => (
                        "inv.download_pdf",
                        format!("/api/v1/invoices/{}/pdf", inv.id),
                    ),
                    "cii_xml" => (
                        "inv.download_cii",
                        format!("/api/v1/invoices/{}/xml?format=cii", inv.id),
                    ),
                    "ubl_xml" => (
                        "inv.download_ubl",
                        format!("/api/v1/invoices/{}/xml?format=ubl", inv.id),
                    ),
                    "qrbill_pdf" => (
                        "inv.download_qrbill",
                        format!("/api/v1/invoices/{}/qrbill?format=pdf", inv.id),
                    ),
                    _ => return None,
                };
                Some((t.s(key), href, d.sha256.clone()))
            })
            .collect(),
        pdf_src: if r.detail.documents.iter().any(|d| d.kind == "facturx_pdf") {
            format!("/api/v1/invoices/{}/pdf", inv.id)
        } else {
            format!("/api/v1/invoices/{}/preview.pdf", inv.id)
        },
        issued: inv.number.is_some(),
        history: history.iter().map(|h| event_row(h, ui)).collect(),
    };
    (actions, page)
}

pub async fn page(ui: Ui, Path(id): Path<String>, Query(q): Query<From>) -> Response {
    let id = match resolve(&ui, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let Ok(actor) = ui.actor() else {
        return crate::ui::error_page(
            ui.t(),
            encaisse_app::AppError::NotFound {
                entity: "invoice",
                id: id.to_string(),
            },
        );
    };
    let review = match ui.app.review(actor, id).await {
        Ok(r) => r,
        Err(e) => return ui.fail(e),
    };
    let history = match ui.app.invoice_history_entries(actor, id).await {
        Ok(h) => h,
        Err(e) => return ui.fail(e),
    };
    let (actions, mut page) = build(&ui, &review, &history, q.from.as_deref() == Some("inbox"));
    page.on_behalf_of = review.on_behalf_of.clone();
    page.actions = actions;
    page.l = ui
        .layout(if page.from_inbox { "inbox" } else { "invoices" })
        .await;
    render(&page)
}

#[derive(Deserialize)]
pub struct DecisionForm {
    comment: Option<String>,
    next: Option<String>,
}

/// Runs one action and redirects with its outcome.
async fn act<F, Fut>(ui: Ui, id: String, body: Bytes, ok: &'static str, f: F) -> Response
where
    F: FnOnce(Ui, Uuid, DecisionForm) -> Fut,
    Fut: Future<Output = (Ui, encaisse_app::Result<&'static str>)>,
{
    let form: DecisionForm = match ui.form(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let id = match resolve(&ui, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let back = format!("/invoices/{id}");
    let next = safe_next(form.next.as_deref(), &back);
    let (ui, result) = f(ui, id, form).await;
    match result {
        Ok(key) => redirect_with(
            &next,
            &format!("ok:{}", if key.is_empty() { ok } else { key }),
        ),
        Err(e) => {
            let msg = match &e {
                encaisse_app::AppError::Approval(a) => localized_refusal(ui.t(), a),
                other => other.to_string(),
            };
            redirect_with(&back, &format!("err:{msg}"))
        }
    }
}

pub async fn approve(ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    act(ui, id, body, "flash.approved", |ui, id, form| async move {
        let r = match ui.actor() {
            Ok(a) => ui
                .app
                .approve_invoice_with(a, id, form.comment.as_deref())
                .await
                .map(|inv| {
                    if inv.status == InvoiceStatus::Approved {
                        "flash.approved"
                    } else {
                        "flash.level"
                    }
                }),
            Err(_) => Err(encaisse_app::AppError::NotFound {
                entity: "invoice",
                id: id.to_string(),
            }),
        };
        (ui, r)
    })
    .await
}

pub async fn reject(ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    act(ui, id, body, "flash.rejected", |ui, id, form| async move {
        let r = match ui.actor() {
            Ok(a) => ui
                .app
                .reject_invoice(a, id, form.comment.as_deref().unwrap_or(""))
                .await
                .map(|_| ""),
            Err(_) => Err(encaisse_app::AppError::NotFound {
                entity: "invoice",
                id: id.to_string(),
            }),
        };
        (ui, r)
    })
    .await
}

pub async fn submit(ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    act(ui, id, body, "flash.submitted", |ui, id, _| async move {
        let r = match ui.actor() {
            Ok(a) => ui.app.submit_invoice(a, id).await.map(|inv| {
                if inv.status == InvoiceStatus::Approved {
                    "flash.approved"
                } else {
                    ""
                }
            }),
            Err(_) => Err(encaisse_app::AppError::NotFound {
                entity: "invoice",
                id: id.to_string(),
            }),
        };
        (ui, r)
    })
    .await
}

pub async fn withdraw(ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    act(ui, id, body, "flash.withdrawn", |ui, id, _| async move {
        let r = match ui.actor() {
            Ok(a) => ui.app.withdraw_invoice(a, id).await.map(|_| ""),
            Err(_) => Err(encaisse_app::AppError::NotFound {
                entity: "invoice",
                id: id.to_string(),
            }),
        };
        (ui, r)
    })
    .await
}

pub async fn issue(ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    act(ui, id, body, "flash.issued", |ui, id, _| async move {
        let today = ui.app.today();
        let r = match ui.actor() {
            Ok(a) => ui.app.issue_invoice(a, id, today).await.map(|_| ""),
            Err(_) => Err(encaisse_app::AppError::NotFound {
                entity: "invoice",
                id: id.to_string(),
            }),
        };
        (ui, r)
    })
    .await
}
