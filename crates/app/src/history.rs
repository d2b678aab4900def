//! An invoice's history as people read it: each audit event with its status, comment,
//! approval level and line-level changes, and the lifecycle milestones (drafted, approved,
//! issued, sent, viewed, reminded, paid) with their dates. The CLI and the web UI share it.

use encaisse_core::line_diff::LineChange;
use encaisse_store::audit::AuditEvent;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Actor;
use crate::{App, Result};

/// One event of an invoice's history.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryEntry {
    pub seq: i64,
    /// RFC 3339, as chained.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub status: Option<String>,
    pub comment: Option<String>,
    /// `(level, of)` of an approval decision.
    pub level: Option<(u64, u64)>,
    /// How many rules fired at a submission.
    pub rules: Option<usize>,
    /// Line-level changes of an edit.
    pub changes: Vec<LineChange>,
    /// Anything else worth a line: number, amount, payment.
    pub detail: Option<String>,
}

/// The lifecycle steps shown on an invoice's timeline, in order.
pub const MILESTONES: [&str; 7] = [
    "drafted", "approved", "issued", "sent", "viewed", "reminded", "paid",
];

fn parse(s: &Option<String>) -> Value {
    s.as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

fn text(v: &Value, key: &str) -> Option<String> {
    match &v[key] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl From<&AuditEvent> for HistoryEntry {
    fn from(e: &AuditEvent) -> Self {
        let after = parse(&e.after_json);
        let changes: Vec<LineChange> = after
            .get("changes")
            .cloned()
            .and_then(|c| serde_json::from_value(c).ok())
            .unwrap_or_default();
        let level = match (after["level"].as_u64(), after["of"].as_u64()) {
            (Some(l), Some(o)) => Some((l, o)),
            _ => None,
        };
        let detail = match e.action.as_str() {
            "invoice.issued" => text(&after, "number")
                .map(|n| format!("{n} · {}", text(&after, "gross").unwrap_or_default())),
            "invoice.payment_recorded" => text(&after, "amount")
                .map(|a| format!("{a} · {}", text(&after, "received_on").unwrap_or_default())),
            "invoice.drafted" | "invoice.submitted" => text(&after, "gross"),
            "invoice.lines_edited" if changes.is_empty() => {
                after.get("edits").map(|e| e.to_string())
            }
            _ => None,
        };
        HistoryEntry {
            seq: e.seq,
            at: e.occurred_at.clone(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            status: text(&after, "status"),
            comment: text(&after, "comment"),
            level,
            rules: after["rules"].as_array().map(Vec::len),
            changes,
            detail,
        }
    }
}

impl HistoryEntry {
    /// The milestone this event reaches, if any.
    pub fn milestone(&self) -> Option<&'static str> {
        match (self.action.as_str(), self.status.as_deref()) {
            ("invoice.drafted" | "credit_note.drafted", _) => Some("drafted"),
            ("invoice.approved", _) | ("invoice.submitted", Some("approved")) => Some("approved"),
            ("invoice.issued", _) => Some("issued"),
            ("invoice.sent", _) => Some("sent"),
            ("invoice.viewed", _) => Some("viewed"),
            ("invoice.reminded", _) => Some("reminded"),
            ("invoice.payment_recorded", Some("paid")) => Some("paid"),
            _ => None,
        }
    }

    /// A one-line English rendering (the CLI).
    pub fn line(&self) -> String {
        let mut parts = vec![self.action.clone()];
        if let Some(s) = &self.status {
            parts.push(format!("→ {s}"));
        }
        if let Some((l, o)) = self.level {
            parts.push(format!("level {l}/{o}"));
        }
        if let Some(n) = self.rules {
            parts.push(format!("{n} rule finding(s)"));
        }
        if let Some(d) = &self.detail {
            parts.push(d.clone());
        }
        if let Some(c) = &self.comment {
            parts.push(format!("“{c}”"));
        }
        parts.join("  ")
    }
}

/// The date each milestone was reached (the last time, for those that repeat), by
/// [`MILESTONES`] order.
pub fn milestones(entries: &[HistoryEntry]) -> Vec<(&'static str, Option<String>)> {
    MILESTONES
        .iter()
        .map(|m| {
            let at = entries
                .iter()
                .rev()
                .find(|e| e.milestone() == Some(*m))
                .map(|e| e.at.chars().take(10).collect());
            (*m, at)
        })
        .collect()
}

impl App {
    /// The frozen JSON of an issued invoice and its number (`None` before issue).
    pub async fn issued_document(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Option<(String, String)>> {
        actor.require(encaisse_core::role::Permission::Read, "read invoices")?;
        let mut tx = self.store.read().await?;
        let inv = tx.invoice(actor.organization_id, id).await?;
        let frozen = tx.frozen_invoice(actor.organization_id, id).await?;
        tx.commit().await?;
        Ok(match (frozen, inv.number) {
            (Some((json, _)), Some(number)) => Some((json, number)),
            _ => None,
        })
    }

    /// [`App::invoice_history`] as readable entries.
    pub async fn invoice_history_entries(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<HistoryEntry>> {
        Ok(self
            .invoice_history(actor, id)
            .await?
            .iter()
            .map(HistoryEntry::from)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str, after: Value) -> AuditEvent {
        AuditEvent {
            organization_id: "o".into(),
            seq: 1,
            occurred_at: "2026-03-15T10:00:00.000000Z".into(),
            actor: "a@b.test".into(),
            action: action.into(),
            entity_type: "invoice".into(),
            entity_id: "i".into(),
            before_json: None,
            after_json: Some(after.to_string()),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn edits_carry_their_line_changes_and_decisions_their_level() {
        let e = HistoryEntry::from(&event(
            "invoice.lines_edited",
            serde_json::json!({ "changes": [{ "change": "removed", "position": 2, "description": "Audit" }] }),
        ));
        assert_eq!(e.changes.len(), 1);
        let a = HistoryEntry::from(&event(
            "invoice.rejected",
            serde_json::json!({ "status": "rejected", "comment": "PO missing", "level": 1, "of": 2 }),
        ));
        assert_eq!(a.level, Some((1, 2)));
        assert!(a.line().contains("PO missing"));
        let auto = HistoryEntry::from(&event(
            "invoice.submitted",
            serde_json::json!({ "status": "approved" }),
        ));
        let m = milestones(&[auto]);
        assert_eq!(m[1], ("approved", Some("2026-03-15".into())));
        assert_eq!(m[2].1, None);
    }
}
