//! `encaisse reconcile`: unmatched credits against open invoices, through the pure engine of
//! `encaisse-bank`. Automatic matches are applied (each in one transaction: allocations,
//! invoice paid amount and status through the core lifecycle, payment rows, client credit,
//! partial-payment alert, audit); suggestions are stored with their explanation for review.

use std::collections::{BTreeSet, HashMap};

use encaisse_bank::reconcile::{
    Decision, Knowledge, Match, OpenInvoice, Policy, REPORT_HEADER, ReportRow, ReviewReason, Txn,
    report_csv,
};
use encaisse_bank::{BankTransaction, TransactionStatus};
use encaisse_core::Money;
use encaisse_core::identifiers::Iban;
use encaisse_core::invoice::{InvoiceEvent, InvoiceStatus, transition};
use encaisse_core::reference::{CreditorReference, PaymentReference, QrReference};
use encaisse_core::role::Permission;
use encaisse_store::Tx;
use encaisse_store::alerts::NewAlert;
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::bank::BankTransactionRecord;
use encaisse_store::payments::NewPayment;
use encaisse_store::reconciliation::{NewAllocation, OpenReceivable};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::{App, AppError, Result};

/// The `source` of payment rows written by reconciliation; their `reference` is the
/// allocation id.
pub const PAYMENT_SOURCE: &str = "bank";

/// What one reconciliation run did (or, dry, would do).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReconcileRun {
    pub dry_run: bool,
    pub transactions: usize,
    pub open_invoices: usize,
    /// Transactions matched automatically.
    pub applied: usize,
    /// Transactions left for review with candidates.
    pub suggested: usize,
    /// Credits nothing points to (including refunds and interest, never matched).
    pub unmatched: usize,
    /// One row per allocation (`applied`/`suggested`) and per transaction left unmatched.
    #[serde(skip)]
    pub rows: Vec<ReportRow>,
}

impl ReconcileRun {
    /// The report as CSV (`bank_reference,invoice_number,amount,method,confidence,status`).
    pub fn csv(&self) -> String {
        report_csv(&self.rows)
    }

    pub fn header() -> [&'static str; 6] {
        REPORT_HEADER
    }
}

/// One allocation to apply: cash and fee write-off to one invoice.
#[derive(Clone, Debug)]
pub(crate) struct Planned {
    pub invoice_id: Uuid,
    pub amount: Money,
    pub fee: Money,
    /// The suggested row being confirmed, when there is one.
    pub row: Option<Uuid>,
}

/// The engine's view of a stored movement: its id is the movement's id.
pub(crate) fn engine_txn(r: &BankTransactionRecord) -> Txn {
    let status = match r.status.as_str() {
        "booked" => TransactionStatus::Booked,
        "informational" => TransactionStatus::Informational,
        _ => TransactionStatus::Pending,
    };
    let bt = BankTransaction {
        bank_reference: r.bank_reference.clone(),
        booking_date: r.booking_date,
        value_date: r.value_date,
        amount: r.amount,
        status,
        is_reversal: r.is_reversal,
        counterparty_name: r.counterparty_name.clone(),
        counterparty_iban: r
            .counterparty_iban
            .as_deref()
            .and_then(|i| Iban::parse(i).ok()),
        counterparty_account: r.counterparty_account.clone(),
        ultimate_counterparty_name: r.ultimate_counterparty_name.clone(),
        remittance_unstructured: r.remittance.clone(),
        structured_reference: r.structured_reference.clone(),
        end_to_end_id: r.end_to_end_id.clone(),
        additional_info: r.additional_info.clone(),
        bank_transaction_code: r.bank_transaction_code.clone(),
        dedup_key: r.id.to_string(),
    };
    Txn::from_bank(&bt)
}

fn open_invoice(r: &OpenReceivable) -> Result<OpenInvoice> {
    let payment_reference = match (
        r.payment_reference_kind.as_deref(),
        r.payment_reference.as_deref(),
    ) {
        (Some("qr"), Some(v)) => QrReference::parse(v).ok().map(PaymentReference::Qr),
        (Some("creditor"), Some(v)) => CreditorReference::parse(v)
            .ok()
            .map(PaymentReference::Creditor),
        _ => None,
    };
    Ok(OpenInvoice {
        id: r.id,
        client_id: r.client_id,
        client_name: r.client_name.clone(),
        number: r.number.clone(),
        issue_date: r.issue_date,
        due_date: r.due_date,
        currency: r.gross.currency(),
        gross: r.gross,
        outstanding: r
            .gross
            .checked_sub(&r.paid)
            .map_err(|e| AppError::Conflict(e.to_string()))?,
        payment_reference,
    })
}

fn review_text(reason: &ReviewReason) -> String {
    match reason {
        ReviewReason::LowConfidence => "below the automatic threshold".to_owned(),
        ReviewReason::Ambiguous { runner_up } => {
            format!("another candidate is nearly as likely ({runner_up:.2})")
        }
        ReviewReason::Overpayment => "over-payments are reviewed".to_owned(),
        ReviewReason::AlreadySettledInBatch { .. } => {
            "another transaction of the batch already settles the invoice".to_owned()
        }
    }
}

fn row(
    txn: &Txn,
    invoice: &str,
    amount: String,
    method: &str,
    confidence: String,
    status: &str,
) -> ReportRow {
    ReportRow {
        bank_reference: txn.bank_reference.clone(),
        invoice_number: invoice.to_owned(),
        amount,
        method: method.to_owned(),
        confidence,
        status: status.to_owned(),
    }
}

fn match_rows(txn: &Txn, m: &Match, status: &str) -> Vec<ReportRow> {
    let confidence = format!("{:.2}", m.confidence);
    m.allocations
        .iter()
        .map(|a| {
            row(
                txn,
                &a.invoice_number,
                a.amount.to_decimal_string(),
                m.method.as_str(),
                confidence.clone(),
                status,
            )
        })
        .collect()
}

/// The key of the alert a partial payment raises: one per invoice and paid amount, so the
/// daily computation and the allocation raise it once.
pub(crate) fn partial_key(invoice_id: Uuid, paid: &Money) -> String {
    format!("partial_payment:{invoice_id}:{}", paid.to_decimal_string())
}

fn invoice_set(m: &Match) -> BTreeSet<Uuid> {
    m.invoice_ids().collect()
}

impl App {
    /// The engine's policy for an organization (the defaults today).
    pub fn reconciliation_policy(&self) -> Policy {
        Policy::default()
    }

    /// Runs the matcher over the organization's unmatched credits. `dry_run` writes nothing.
    pub async fn reconcile(&self, actor: &Actor, dry_run: bool) -> Result<ReconcileRun> {
        actor.require(Permission::RecordPayments, "reconcile bank transactions")?;
        let org = actor.organization_id;
        let today = self.today();
        let mut tx = self.store.read().await?;
        let records = tx.bank_transactions_to_reconcile(org).await?;
        let receivables = tx.open_receivables(org).await?;
        let facts = tx.reconciliation_facts(org).await?;
        let mut rejected: HashMap<Uuid, Vec<BTreeSet<Uuid>>> = HashMap::new();
        for r in &records {
            let rows = tx.allocations_of_transaction(org, r.id, "rejected").await?;
            let mut by_match: HashMap<Uuid, BTreeSet<Uuid>> = HashMap::new();
            for a in rows {
                by_match.entry(a.match_id).or_default().insert(a.invoice_id);
            }
            if !by_match.is_empty() {
                rejected.insert(r.id, by_match.into_values().collect());
            }
        }
        tx.commit().await?;
        let knowledge = Knowledge::from_facts(
            facts
                .iter()
                .filter_map(crate::reconciliation_review::fact_of),
        );
        let invoices = receivables
            .iter()
            .map(open_invoice)
            .collect::<Result<Vec<_>>>()?;
        let batch: Vec<Txn> = records.iter().map(engine_txn).collect();
        let policy = self.reconciliation_policy();
        let decisions =
            encaisse_bank::reconcile::reconcile(&batch, &invoices, &knowledge, &policy, today);
        let mut run = ReconcileRun {
            dry_run,
            transactions: records.len(),
            open_invoices: invoices.len(),
            ..ReconcileRun::default()
        };
        for ((record, txn), (_, decision)) in records.iter().zip(&batch).zip(decisions) {
            let refused = rejected.get(&record.id);
            let was_refused =
                |m: &Match| refused.is_some_and(|sets| sets.contains(&invoice_set(m)));
            let decision = match decision {
                Decision::Auto(m) if was_refused(&m) => Decision::Suggest {
                    candidates: Vec::new(),
                    reason: ReviewReason::LowConfidence,
                },
                Decision::Suggest { candidates, reason } => Decision::Suggest {
                    candidates: candidates.into_iter().filter(|m| !was_refused(m)).collect(),
                    reason,
                },
                other => other,
            };
            match decision {
                Decision::Auto(m) => {
                    let applied = if dry_run {
                        true
                    } else {
                        self.apply_auto(actor, record, &m).await?
                    };
                    if applied {
                        run.applied += 1;
                        run.rows.extend(match_rows(txn, &m, "applied"));
                    } else {
                        // The invoices moved since they were read: leave it for review.
                        if !dry_run {
                            self.store_suggestions(
                                actor,
                                record,
                                std::slice::from_ref(&m),
                                "the invoice changed while reconciling",
                            )
                            .await?;
                        }
                        run.suggested += 1;
                        run.rows.extend(match_rows(txn, &m, "suggested"));
                    }
                }
                Decision::Suggest { candidates, reason } if !candidates.is_empty() => {
                    if !dry_run {
                        self.store_suggestions(actor, record, &candidates, &review_text(&reason))
                            .await?;
                    }
                    run.suggested += 1;
                    for m in &candidates {
                        run.rows.extend(match_rows(txn, m, "suggested"));
                    }
                }
                Decision::Ignored(encaisse_bank::reconcile::IgnoreReason::NotBooked) => {
                    // Pending: looked at again once booked; not reported as unmatched.
                }
                Decision::Ignored(_) => {
                    if !dry_run {
                        self.set_reconciliation(actor, record, "ignored").await?;
                    }
                    run.unmatched += 1;
                    run.rows.push(row(
                        txn,
                        "",
                        txn.amount.to_decimal_string(),
                        "",
                        String::new(),
                        "unmatched",
                    ));
                }
                Decision::Suggest { .. } | Decision::Unmatched(_) => {
                    if !dry_run && record.reconciliation != "unmatched" {
                        self.set_reconciliation(actor, record, "unmatched").await?;
                    }
                    run.unmatched += 1;
                    run.rows.push(row(
                        txn,
                        "",
                        txn.amount.to_decimal_string(),
                        "",
                        String::new(),
                        "unmatched",
                    ));
                }
            }
        }
        Ok(run)
    }

    async fn set_reconciliation(
        &self,
        actor: &Actor,
        record: &BankTransactionRecord,
        state: &str,
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        tx.delete_suggestions_of_transaction(actor.organization_id, record.id)
            .await?;
        tx.set_bank_transaction_reconciliation(actor.organization_id, record.id, state, self.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies an automatic match in one transaction; `false` when an invoice no longer owes
    /// what the match settles (nothing is written then).
    async fn apply_auto(
        &self,
        actor: &Actor,
        record: &BankTransactionRecord,
        m: &Match,
    ) -> Result<bool> {
        let planned: Vec<Planned> = m
            .allocations
            .iter()
            .map(|a| Planned {
                invoice_id: a.invoice_id,
                amount: a.amount,
                fee: a.fee_write_off,
                row: None,
            })
            .collect();
        let mut tx = self.store.write().await?;
        let current = tx
            .bank_transaction(actor.organization_id, record.id)
            .await?;
        if current.reconciliation == "matched" {
            return Ok(false);
        }
        let explanation = m.explanation();
        let confidence = format!("{:.2}", m.confidence);
        match self
            .apply_match_in(
                &mut tx,
                actor,
                &current,
                Uuid::now_v7(),
                &planned,
                m.method.as_str(),
                &confidence,
                &explanation,
            )
            .await
        {
            Ok(()) => {
                tx.commit().await?;
                Ok(true)
            }
            Err(AppError::Conflict(_)) => {
                tx.rollback().await?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Stores candidates as suggestions (replacing the transaction's earlier ones).
    async fn store_suggestions(
        &self,
        actor: &Actor,
        record: &BankTransactionRecord,
        candidates: &[Match],
        why: &str,
    ) -> Result<()> {
        let org = actor.organization_id;
        let now = self.now();
        let mut tx = self.store.write().await?;
        // The same candidates as stored already: keep them (their ids stay valid for review,
        // and a second run writes nothing).
        let stored = tx
            .allocations_of_transaction(org, record.id, "suggested")
            .await?;
        let mut stored_sets: Vec<(i32, String, BTreeSet<Uuid>)> = Vec::new();
        for a in &stored {
            match stored_sets
                .iter_mut()
                .find(|(r, m, _)| *r == a.candidate_rank && *m == a.method)
            {
                Some((_, _, set)) => {
                    set.insert(a.invoice_id);
                }
                None => stored_sets.push((
                    a.candidate_rank,
                    a.method.clone(),
                    BTreeSet::from([a.invoice_id]),
                )),
            }
        }
        let fresh: Vec<(i32, String, BTreeSet<Uuid>)> = candidates
            .iter()
            .enumerate()
            .map(|(rank, m)| {
                (
                    i32::try_from(rank + 1).unwrap_or(i32::MAX),
                    m.method.as_str().to_owned(),
                    invoice_set(m),
                )
            })
            .collect();
        if record.reconciliation == "suggested" && stored_sets == fresh {
            tx.rollback().await?;
            return Ok(());
        }
        tx.delete_suggestions_of_transaction(org, record.id).await?;
        let mut listed = Vec::new();
        for (rank, m) in candidates.iter().enumerate() {
            let match_id = Uuid::now_v7();
            let explanation = format!("{}; left for review: {why}", m.explanation());
            let confidence = format!("{:.2}", m.confidence);
            for a in &m.allocations {
                tx.insert_allocation(
                    &NewAllocation {
                        organization_id: org,
                        match_id,
                        transaction_id: record.id,
                        invoice_id: a.invoice_id,
                        candidate_rank: i32::try_from(rank + 1).unwrap_or(i32::MAX),
                        amount: a.amount,
                        fee: a.fee_write_off,
                        method: m.method.as_str(),
                        confidence: &confidence,
                        status: "suggested",
                        explanation: &explanation,
                        invoice_paid_before: None,
                        invoice_status_before: None,
                        created_by: &actor.label,
                    },
                    now,
                )
                .await?;
            }
            listed.push(serde_json::json!({
                "match_id": match_id, "method": m.method.as_str(), "confidence": confidence,
                "invoices": m.allocations.iter().map(|a| a.invoice_number.clone()).collect::<Vec<_>>(),
            }));
        }
        tx.set_bank_transaction_reconciliation(org, record.id, "suggested", now)
            .await?;
        tx.append_audit(NewAuditEvent {
            organization_id: org,
            actor: &actor.label,
            action: "reconciliation.suggested",
            entity_type: "bank_transaction",
            entity_id: &record.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "candidates": listed, "why": why })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies allocations of one transaction inside `tx`: each invoice's paid amount and
    /// status (core lifecycle), the allocation rows (inserted, or the suggested ones marked
    /// applied), a payment row each, client credit for what the transaction paid beyond,
    /// an alert per partial payment, and the audit events. A `Conflict` when an invoice is
    /// no longer open or owes less than allocated.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn apply_match_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        record: &BankTransactionRecord,
        match_id: Uuid,
        planned: &[Planned],
        method: &str,
        confidence: &str,
        explanation: &str,
    ) -> Result<()> {
        let org = actor.organization_id;
        let now = self.now();
        let today = self.today();
        let mut cash = Money::zero(record.amount.currency());
        let mut first_client = None;
        let mut applied = Vec::new();
        for p in planned {
            let mut inv = tx.invoice_for_update(org, p.invoice_id).await?;
            let number = inv.number.clone().unwrap_or_default();
            if !inv.status.is_open() {
                return Err(AppError::Conflict(format!(
                    "invoice {number} is {}: it no longer expects money; reject this suggestion",
                    inv.status
                )));
            }
            let total = p
                .amount
                .checked_add(&p.fee)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            let outstanding = inv.outstanding()?;
            if total.amount() > outstanding.amount() {
                return Err(AppError::Conflict(format!(
                    "invoice {number} now owes {outstanding}, less than the {total} to allocate: reject this suggestion and run `encaisse reconcile` again"
                )));
            }
            let (paid_before, status_before) = (inv.paid, inv.status);
            let paid = inv
                .paid
                .checked_add(&total)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            let gross = inv
                .totals()
                .map_err(|e| AppError::Conflict(e.to_string()))?
                .tax_inclusive;
            let event = if paid.amount() == gross.amount() {
                InvoiceEvent::FullPayment
            } else {
                InvoiceEvent::PartialPayment
            };
            inv.status = transition(inv.status, event)?;
            inv.paid = paid;
            tx.set_invoice_paid(org, inv.id, &inv.paid, inv.status, now)
                .await?;
            let allocation_id = match p.row {
                Some(row) => {
                    tx.mark_allocation_applied(
                        org,
                        row,
                        &paid_before,
                        status_before.as_str(),
                        &actor.label,
                        now,
                    )
                    .await?;
                    row
                }
                None => {
                    tx.insert_allocation(
                        &NewAllocation {
                            organization_id: org,
                            match_id,
                            transaction_id: record.id,
                            invoice_id: inv.id,
                            candidate_rank: 1,
                            amount: p.amount,
                            fee: p.fee,
                            method,
                            confidence,
                            status: "applied",
                            explanation,
                            invoice_paid_before: Some(paid_before),
                            invoice_status_before: Some(status_before.as_str()),
                            created_by: &actor.label,
                        },
                        now,
                    )
                    .await?
                }
            };
            let reference = allocation_id.to_string();
            if !p.amount.is_zero() {
                tx.insert_payment(
                    &NewPayment {
                        organization_id: org,
                        invoice_id: inv.id,
                        amount: p.amount,
                        received_on: record.booking_date,
                        source: PAYMENT_SOURCE,
                        reference: Some(&reference),
                    },
                    now,
                )
                .await?;
            }
            if inv.status == InvoiceStatus::PartiallyPaid {
                let remaining = inv.outstanding()?;
                let message = format!(
                    "invoice {number} partly paid: {} received on {}, {remaining} still owed",
                    p.amount, record.booking_date
                );
                tx.insert_alert(
                    &NewAlert {
                        organization_id: org,
                        kind: "partial_payment",
                        unique_key: &partial_key(inv.id, &inv.paid),
                        invoice_id: Some(inv.id),
                        account_id: Some(record.account_id),
                        amount: Some(remaining),
                        message: &message,
                        as_of: today,
                    },
                    now,
                )
                .await?;
            } else if inv.status == InvoiceStatus::Paid {
                tx.resolve_invoice_alerts(org, inv.id, now).await?;
            }
            tx.append_audit(NewAuditEvent {
                organization_id: org,
                actor: &actor.label,
                action: "invoice.payment_allocated",
                entity_type: "invoice",
                entity_id: &inv.id.to_string(),
                before: Some(serde_json::json!({ "status": status_before, "paid": paid_before.to_decimal_string() })),
                after: Some(serde_json::json!({
                    "status": inv.status, "paid": inv.paid.to_decimal_string(), "amount": p.amount.to_decimal_string(),
                    "fee_write_off": p.fee.to_decimal_string(), "allocation": allocation_id, "bank_transaction": record.id,
                })),
                at: now,
            })
            .await?;
            cash = cash
                .checked_add(&p.amount)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            first_client.get_or_insert(inv.client_id);
            applied.push(serde_json::json!({ "invoice": number, "amount": p.amount.to_decimal_string(), "fee": p.fee.to_decimal_string() }));
        }
        let surplus = record
            .amount
            .checked_sub(&cash)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
        let mut credit = None;
        if !surplus.is_zero() && !surplus.is_negative() {
            if let Some(client) = first_client {
                tx.insert_client_credit(org, client, record.id, match_id, &surplus, now)
                    .await?;
                credit = Some(surplus.to_decimal_string());
            }
        } else if surplus.is_negative() {
            return Err(AppError::Conflict(format!(
                "the allocations ({cash}) exceed the transaction ({})",
                record.amount
            )));
        }
        tx.set_bank_transaction_reconciliation(org, record.id, "matched", now)
            .await?;
        tx.close_other_suggestions(
            org,
            record.id,
            Some(match_id),
            "superseded",
            &actor.label,
            now,
        )
        .await?;
        tx.append_audit(NewAuditEvent {
            organization_id: org,
            actor: &actor.label,
            action: "reconciliation.applied",
            entity_type: "bank_transaction",
            entity_id: &record.id.to_string(),
            before: Some(serde_json::json!({ "reconciliation": record.reconciliation })),
            after: Some(serde_json::json!({
                "match": match_id, "method": method, "confidence": confidence, "allocations": applied,
                "client_credit": credit, "explanation": explanation,
            })),
            at: now,
        })
        .await?;
        Ok(())
    }
}
