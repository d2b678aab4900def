//! Telling people: the approvers of the next level (in the app and by e-mail through the
//! outbox, in the transaction of the step that makes them needed), and the authors when
//! their draft is approved or rejected.

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::approval::{self, Decided, Level, Person};
use encaisse_core::invoice::Invoice;
use encaisse_core::language::Language;
use encaisse_store::Tx;
use encaisse_store::approvals::Round;
use encaisse_store::auth::User;
use encaisse_store::queue::{NewQueued, Queue};
use serde_json::json;
use uuid::Uuid;

use crate::Result;
use crate::auth::Actor;

/// Outbox kind of the e-mails queued here: `{to, language, subject, text, invoice_id}`.
pub const OUTBOX_EMAIL: &str = "email.notification";

async fn language_of(tx: &mut Tx, user: &User) -> Result<Language> {
    let chosen = tx.ui_language(user.id).await?;
    Ok(chosen
        .as_deref()
        .and_then(Language::parse)
        .or_else(|| Language::parse(&user.language))
        .unwrap_or_default())
}

fn request_text(
    lang: Language,
    client: &str,
    gross: &str,
    level: usize,
    of: usize,
) -> (String, String) {
    match lang {
        Language::Fr => (
            format!("À valider : facture {client} ({gross})"),
            format!(
                "Un brouillon pour {client} de {gross} attend votre validation (niveau {level}/{of}). Ouvrez la boîte de validation d'encaisse pour l'approuver ou le rejeter."
            ),
        ),
        Language::En => (
            format!("To approve: invoice for {client} ({gross})"),
            format!(
                "A draft for {client} of {gross} waits for your approval (level {level} of {of}). Open encaisse's validation inbox to approve or reject it."
            ),
        ),
        Language::De => (
            format!("Zur Freigabe: Rechnung an {client} ({gross})"),
            format!(
                "Ein Entwurf für {client} über {gross} wartet auf Ihre Freigabe (Stufe {level} von {of}). Öffnen Sie den Freigabe-Eingang von encaisse."
            ),
        ),
    }
}

fn rejected_text(lang: Language, client: &str, by: &str, comment: &str) -> (String, String) {
    match lang {
        Language::Fr => (
            format!("Brouillon rejeté : {client}"),
            format!(
                "{by} a rejeté le brouillon pour {client} : « {comment} ». Corrigez-le puis soumettez-le à nouveau."
            ),
        ),
        Language::En => (
            format!("Draft rejected: {client}"),
            format!(
                "{by} rejected the draft for {client}: “{comment}”. Fix it, then submit it again."
            ),
        ),
        Language::De => (
            format!("Entwurf abgelehnt: {client}"),
            format!(
                "{by} hat den Entwurf für {client} abgelehnt: „{comment}“. Korrigieren und erneut einreichen."
            ),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
async fn deliver(
    tx: &mut Tx,
    inv: &Invoice,
    user: &User,
    kind: &str,
    key: &str,
    payload: serde_json::Value,
    mail: Option<(String, String)>,
    lang: Language,
    now: DateTime<Utc>,
) -> Result<()> {
    let org = inv.organization_id;
    tx.notify(org, user.id, kind, Some(inv.id), &payload, key, now)
        .await?;
    if let Some((subject, text)) = mail {
        tx.enqueue(
            Queue::Outbox,
            NewQueued {
                organization_id: Some(org),
                kind: OUTBOX_EMAIL,
                unique_key: &format!("email:{key}"),
                payload: json!({
                    "to": user.email, "language": lang.code(), "subject": subject, "text": text,
                    "invoice_id": inv.id,
                }),
                run_at: now,
                max_attempts: 10,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Notifies everyone who may take the next decision of the round.
#[allow(clippy::too_many_arguments)]
pub(super) async fn next_deciders(
    tx: &mut Tx,
    inv: &Invoice,
    round: &Round,
    levels: &[Level],
    decided: &[Decided],
    contributors: &[Uuid],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    let org = inv.organization_id;
    let members = tx.members(org).await?;
    let people: Vec<Person> = members
        .iter()
        .map(|(u, r)| Person {
            user_id: u.id,
            role: *r,
        })
        .collect();
    let delegations = super::delegations_in_force(tx, org, today).await?;
    let ids = approval::eligible(levels, decided, contributors, &people, &delegations, today);
    let level = decided.len() + 1;
    let client = tx.client(org, inv.client_id).await?.name;
    let gross = inv
        .totals()
        .map(|t| t.tax_inclusive.to_string())
        .unwrap_or_default();
    for (user, _) in members.iter().filter(|(u, _)| ids.contains(&u.id)) {
        let lang = language_of(tx, user).await?;
        let key = format!("approval:{}:{level}:{}", round.id, user.id);
        let payload = json!({
            "client": client, "gross": gross, "level": level, "of": levels.len(),
            "submitted_by": round.submitted_by_label,
        });
        let mail = request_text(lang, &client, &gross, level, levels.len());
        deliver(
            tx,
            inv,
            user,
            "approval_requested",
            &key,
            payload,
            Some(mail),
            lang,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Tells the draft's authors (except whoever decided) that it was approved or rejected.
pub(super) async fn authors(
    tx: &mut Tx,
    inv: &Invoice,
    round: &Round,
    kind: &str,
    by: &Actor,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let org = inv.organization_id;
    let mut ids = tx.contributors(org, inv.id).await?;
    ids.extend(round.submitted_by);
    ids.sort();
    ids.dedup();
    let client = tx.client(org, inv.client_id).await?.name;
    for id in ids.into_iter().filter(|id| Some(*id) != by.user_id) {
        let user = tx.user(id).await?;
        let lang = language_of(tx, &user).await?;
        let key = format!("{kind}:{}:{id}", round.id);
        let payload = json!({ "client": client, "by": by.label, "comment": comment });
        let mail = comment.map(|c| rejected_text(lang, &client, &by.label, c));
        deliver(tx, inv, &user, kind, &key, payload, mail, lang, now).await?;
    }
    Ok(())
}
