//! Reviewing reconciliation: the suggestions waiting for a person, confirming one (applied
//! like an automatic match, and the payer learned), rejecting one (the payer unlearned for
//! that client, the same invoices never proposed again for that transaction), and undoing an
//! applied match exactly.

use std::collections::{BTreeSet, HashMap};

use encaisse_bank::reconcile::{Fact, Knowledge, PayerKey};
use encaisse_core::Money;
use encaisse_core::invoice::{InvoiceEvent, InvoiceStatus, transition};
use encaisse_core::role::Permission;
use encaisse_store::Tx;
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::bank::{BankTransactionFilter, BankTransactionRecord};
use encaisse_store::reconciliation::{AllocationRecord, FactRecord};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::reconciliation::{PAYMENT_SOURCE, Planned, engine_txn, partial_key};
use crate::{App, AppError, Result};

/// One candidate match of a transaction, as a reviewer sees it.
#[derive(Clone, Debug, Serialize)]
pub struct MatchView {
    /// Confirm, reject or undo by this id.
    pub id: Uuid,
    pub status: String,
    pub transaction_id: Uuid,
    pub bank_reference: String,
    pub booking_date: chrono::NaiveDate,
    pub transaction_amount: Money,
    pub payer: Option<String>,
    pub rank: i32,
    pub method: String,
    pub confidence: String,
    pub explanation: String,
    pub allocations: Vec<AllocationLine>,
    pub decided_by: Option<String>,
}

/// Money of a match going to one invoice.
#[derive(Clone, Debug, Serialize)]
pub struct AllocationLine {
    pub allocation_id: Uuid,
    pub invoice_id: Uuid,
    pub invoice_number: Option<String>,
    pub client_name: String,
    pub amount: Money,
    pub fee_write_off: Money,
}

fn group(rows: Vec<AllocationRecord>) -> Vec<MatchView> {
    let mut out: Vec<MatchView> = Vec::new();
    for r in rows {
        let line = AllocationLine {
            allocation_id: r.id,
            invoice_id: r.invoice_id,
            invoice_number: r.invoice_number.clone(),
            client_name: r.client_name.clone(),
            amount: r.amount,
            fee_write_off: r.fee,
        };
        if let Some(m) = out.iter_mut().find(|m| m.id == r.match_id) {
            m.allocations.push(line);
            continue;
        }
        out.push(MatchView {
            id: r.match_id,
            status: r.status,
            transaction_id: r.transaction_id,
            bank_reference: r.bank_reference,
            booking_date: r.booking_date,
            transaction_amount: r.transaction_amount,
            payer: r.counterparty_name,
            rank: r.candidate_rank,
            method: r.method,
            confidence: r.confidence,
            explanation: r.explanation,
            allocations: vec![line],
            decided_by: r.decided_by,
        });
    }
    out
}

/// A stored fact as the engine's [`Fact`]; `None` for a kind this version does not know.
pub(crate) fn fact_of(r: &FactRecord) -> Option<Fact> {
    Some(match r.kind.as_str() {
        "iban_of" => Fact::IbanOf {
            iban: r.subject.clone(),
            client_id: r.client_id,
        },
        "name_of" => Fact::NameOf {
            name: r.subject.clone(),
            client_id: r.client_id,
        },
        "pays_for" => Fact::PaysFor {
            payer: Uuid::parse_str(&r.subject).ok()?,
            client_id: r.client_id,
        },
        "not_client_iban" => Fact::NotClient {
            payer: PayerKey::Iban(r.subject.clone()),
            client_id: r.client_id,
        },
        "not_client_name" => Fact::NotClient {
            payer: PayerKey::Name(r.subject.clone()),
            client_id: r.client_id,
        },
        _ => return None,
    })
}

pub(crate) fn record_of(f: &Fact) -> FactRecord {
    let (kind, subject, client_id) = match f {
        Fact::IbanOf { iban, client_id } => ("iban_of", iban.clone(), *client_id),
        Fact::NameOf { name, client_id } => ("name_of", name.clone(), *client_id),
        Fact::PaysFor { payer, client_id } => ("pays_for", payer.to_string(), *client_id),
        Fact::NotClient {
            payer: PayerKey::Iban(i),
            client_id,
        } => ("not_client_iban", i.clone(), *client_id),
        Fact::NotClient {
            payer: PayerKey::Name(n),
            client_id,
        } => ("not_client_name", n.clone(), *client_id),
    };
    FactRecord {
        kind: kind.to_owned(),
        subject,
        client_id,
    }
}

/// Loads the knowledge, lets `teach` change it, stores the difference; returns what was
/// learned and forgotten.
pub(crate) async fn teach(
    tx: &mut Tx,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    teach: impl FnOnce(&mut Knowledge),
) -> Result<(Vec<FactRecord>, Vec<FactRecord>)> {
    let org = actor.organization_id;
    let stored: BTreeSet<FactRecord> = tx.reconciliation_facts(org).await?.into_iter().collect();
    let mut knowledge = Knowledge::from_facts(stored.iter().filter_map(fact_of));
    teach(&mut knowledge);
    let after: BTreeSet<FactRecord> = knowledge.facts().iter().map(record_of).collect();
    let known_kinds = |r: &&FactRecord| fact_of(r).is_some();
    let forgotten: Vec<FactRecord> = stored
        .difference(&after)
        .filter(known_kinds)
        .cloned()
        .collect();
    let learned: Vec<FactRecord> = after.difference(&stored).cloned().collect();
    for f in &forgotten {
        tx.delete_reconciliation_fact(org, f).await?;
    }
    for f in &learned {
        tx.insert_reconciliation_fact(org, f, &actor.label, now)
            .await?;
    }
    Ok((learned, forgotten))
}

impl App {
    /// Suggestions waiting for review, best candidate of each transaction first.
    pub async fn reconciliation_suggestions(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<Vec<MatchView>> {
        actor.require(Permission::Read, "read reconciliation suggestions")?;
        let mut tx = self.store.read().await?;
        let rows = tx
            .allocations_with_status(actor.organization_id, "suggested", limit.clamp(1, 10_000))
            .await?;
        tx.commit().await?;
        Ok(group(rows))
    }

    /// Applied matches, newest transaction first.
    pub async fn applied_matches(&self, actor: &Actor, limit: i64) -> Result<Vec<MatchView>> {
        actor.require(Permission::Read, "read reconciliation matches")?;
        let mut tx = self.store.read().await?;
        let rows = tx
            .allocations_with_status(actor.organization_id, "applied", limit.clamp(1, 10_000))
            .await?;
        tx.commit().await?;
        Ok(group(rows))
    }

    /// Bank transactions, newest first.
    pub async fn list_bank_transactions(
        &self,
        actor: &Actor,
        filter: &BankTransactionFilter,
    ) -> Result<Vec<BankTransactionRecord>> {
        actor.require(Permission::Read, "read bank transactions")?;
        let mut tx = self.store.read().await?;
        let rows = tx.bank_transactions(actor.organization_id, filter).await?;
        tx.commit().await?;
        Ok(rows)
    }

    async fn match_rows(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(Uuid, Vec<AllocationRecord>)> {
        let org = actor.organization_id;
        let match_id = tx
            .match_id_of(org, id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "allocation",
                id: id.to_string(),
            })?;
        let rows = tx.allocations_of_match(org, match_id).await?;
        Ok((match_id, rows))
    }

    /// Confirms a suggestion (by its match id or one of its allocation ids): applies it like
    /// an automatic match and learns the payer for the invoices' client(s).
    pub async fn confirm_suggestion(&self, actor: &Actor, id: Uuid) -> Result<MatchView> {
        actor.require(
            Permission::RecordPayments,
            "confirm reconciliation suggestions",
        )?;
        let org = actor.organization_id;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (match_id, rows) = self.match_rows(&mut tx, actor, id).await?;
        let Some(first) = rows.first() else {
            return Err(AppError::NotFound {
                entity: "allocation",
                id: id.to_string(),
            });
        };
        if let Some(other) = rows.iter().find(|r| r.status != "suggested") {
            return Err(AppError::Conflict(format!(
                "suggestion {match_id} is {}: only a suggestion waiting for review can be confirmed",
                other.status
            )));
        }
        let record = tx.bank_transaction(org, first.transaction_id).await?;
        if record.reconciliation == "matched" {
            return Err(AppError::Conflict(format!(
                "transaction {} is matched already: undo that match first",
                record.bank_reference
            )));
        }
        let planned: Vec<Planned> = rows
            .iter()
            .map(|r| Planned {
                invoice_id: r.invoice_id,
                amount: r.amount,
                fee: r.fee,
                row: Some(r.id),
            })
            .collect();
        let (method, confidence, explanation) = (
            first.method.clone(),
            first.confidence.clone(),
            first.explanation.clone(),
        );
        self.apply_match_in(
            &mut tx,
            actor,
            &record,
            match_id,
            &planned,
            &method,
            &confidence,
            &explanation,
        )
        .await?;
        let txn = engine_txn(&record);
        let clients: BTreeSet<Uuid> = rows.iter().map(|r| r.client_id).collect();
        let (learned, _) = teach(&mut tx, actor, now, |k| {
            for c in &clients {
                k.learn_confirmed(&txn, *c);
            }
        })
        .await?;
        tx.append_audit(NewAuditEvent {
            organization_id: org,
            actor: &actor.label,
            action: "reconciliation.confirmed",
            entity_type: "bank_transaction",
            entity_id: &record.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "match": match_id, "learned": learned })),
            at: now,
        })
        .await?;
        let view = group(tx.allocations_of_match(org, match_id).await?);
        tx.commit().await?;
        view.into_iter()
            .next()
            .ok_or_else(|| AppError::Conflict("the match vanished".into()))
    }

    /// Rejects a suggestion: it is never proposed again for this transaction, and the payer
    /// is no longer tied to the client from its name or IBAN alone.
    pub async fn reject_suggestion(&self, actor: &Actor, id: Uuid) -> Result<MatchView> {
        actor.require(
            Permission::RecordPayments,
            "reject reconciliation suggestions",
        )?;
        let org = actor.organization_id;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (match_id, rows) = self.match_rows(&mut tx, actor, id).await?;
        let Some(first) = rows.first() else {
            return Err(AppError::NotFound {
                entity: "allocation",
                id: id.to_string(),
            });
        };
        if let Some(other) = rows.iter().find(|r| r.status != "suggested") {
            return Err(AppError::Conflict(format!(
                "suggestion {match_id} is {}: only a suggestion waiting for review can be rejected",
                other.status
            )));
        }
        let record = tx.bank_transaction(org, first.transaction_id).await?;
        tx.set_match_status(org, match_id, "suggested", "rejected", &actor.label, now)
            .await?;
        let txn = engine_txn(&record);
        let clients: BTreeSet<Uuid> = rows.iter().map(|r| r.client_id).collect();
        let (_, forgotten) = teach(&mut tx, actor, now, |k| {
            for c in &clients {
                k.learn_rejected(&txn, *c);
            }
        })
        .await?;
        let left = tx
            .allocations_of_transaction(org, record.id, "suggested")
            .await?;
        if left.is_empty() {
            tx.set_bank_transaction_reconciliation(org, record.id, "unmatched", now)
                .await?;
        }
        tx.append_audit(NewAuditEvent {
            organization_id: org,
            actor: &actor.label,
            action: "reconciliation.rejected",
            entity_type: "bank_transaction",
            entity_id: &record.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "match": match_id, "forgotten": forgotten })),
            at: now,
        })
        .await?;
        let view = group(tx.allocations_of_match(org, match_id).await?);
        tx.commit().await?;
        view.into_iter()
            .next()
            .ok_or_else(|| AppError::Conflict("the match vanished".into()))
    }

    /// Undoes an applied match (by its match id or one of its allocation ids): every invoice
    /// gets back its paid amount and status, the payment rows, the partial-payment alerts and
    /// the client credit it created go, and the transaction is unmatched again.
    pub async fn undo_allocation(&self, actor: &Actor, id: Uuid) -> Result<MatchView> {
        actor.require(Permission::RecordPayments, "undo reconciliation matches")?;
        let org = actor.organization_id;
        let mut tx = self.store.write().await?;
        let (match_id, rows) = self.match_rows(&mut tx, actor, id).await?;
        if let Some(other) = rows.iter().find(|r| r.status != "applied") {
            return Err(AppError::Conflict(format!(
                "match {match_id} is {}: only an applied match can be undone",
                other.status
            )));
        }
        self.undo_match_in(&mut tx, actor, match_id, &rows).await?;
        let view = group(tx.allocations_of_match(org, match_id).await?);
        tx.commit().await?;
        view.into_iter().next().ok_or_else(|| AppError::NotFound {
            entity: "allocation",
            id: id.to_string(),
        })
    }

    /// Undoes every applied match of a transaction (the bank reversed or declined it).
    pub(crate) async fn undo_all_of_transaction(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        transaction_id: Uuid,
    ) -> Result<usize> {
        let rows = tx
            .allocations_of_transaction(actor.organization_id, transaction_id, "applied")
            .await?;
        let mut by_match: HashMap<Uuid, Vec<AllocationRecord>> = HashMap::new();
        for r in rows {
            by_match.entry(r.match_id).or_default().push(r);
        }
        let mut n = 0;
        for (match_id, rows) in by_match {
            n += rows.len();
            self.undo_match_in(tx, actor, match_id, &rows).await?;
        }
        Ok(n)
    }

    async fn undo_match_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        match_id: Uuid,
        rows: &[AllocationRecord],
    ) -> Result<()> {
        let org = actor.organization_id;
        let now = self.now();
        let mut restored = Vec::new();
        let mut transaction_id = None;
        for r in rows.iter().rev() {
            transaction_id = Some(r.transaction_id);
            let mut inv = tx.invoice_for_update(org, r.invoice_id).await?;
            let number = inv.number.clone().unwrap_or_default();
            let total = r
                .amount
                .checked_add(&r.fee)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            let paid = inv
                .paid
                .checked_sub(&total)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            if paid.is_negative() {
                return Err(AppError::Conflict(format!(
                    "invoice {number} has {} paid, less than the {total} this match allocated: it was changed by hand",
                    inv.paid
                )));
            }
            let event = if paid.is_zero() {
                InvoiceEvent::PaymentUndoneAll
            } else {
                InvoiceEvent::PaymentUndonePartial
            };
            let (status_from, paid_from) = (inv.status, inv.paid);
            let mut status = transition(inv.status, event)?;
            // Undone in the order applied, the invoice is exactly as before: the lifecycle
            // only knows "open again", the allocation remembers whether it was issued or sent.
            if let (Some(before), Some(before_paid)) = (
                r.invoice_status_before
                    .as_deref()
                    .and_then(InvoiceStatus::parse),
                r.invoice_paid_before,
            ) && before_paid == paid
                && before.is_open()
            {
                status = before;
            }
            inv.status = status;
            inv.paid = paid;
            tx.set_invoice_paid(org, inv.id, &inv.paid, inv.status, now)
                .await?;
            tx.delete_payment_by_reference(org, PAYMENT_SOURCE, &r.id.to_string())
                .await?;
            tx.delete_alert(org, &partial_key(inv.id, &paid_from))
                .await?;
            tx.append_audit(NewAuditEvent {
                organization_id: org,
                actor: &actor.label,
                action: "invoice.payment_undone",
                entity_type: "invoice",
                entity_id: &inv.id.to_string(),
                before: Some(serde_json::json!({ "status": status_from, "paid": paid_from.to_decimal_string() })),
                after: Some(serde_json::json!({ "status": inv.status, "paid": inv.paid.to_decimal_string(), "allocation": r.id })),
                at: now,
            })
            .await?;
            restored.push(number);
        }
        tx.set_match_status(org, match_id, "applied", "undone", &actor.label, now)
            .await?;
        let credits = tx.undo_credits_of_match(org, match_id).await?;
        if let Some(t) = transaction_id {
            tx.set_bank_transaction_reconciliation(org, t, "unmatched", now)
                .await?;
            tx.append_audit(NewAuditEvent {
                organization_id: org,
                actor: &actor.label,
                action: "reconciliation.undone",
                entity_type: "bank_transaction",
                entity_id: &t.to_string(),
                before: Some(serde_json::json!({ "reconciliation": "matched", "match": match_id })),
                after: Some(serde_json::json!({ "reconciliation": "unmatched", "invoices": restored, "credits_undone": credits })),
                at: now,
            })
            .await?;
        }
        Ok(())
    }
}
