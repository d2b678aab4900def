//! The validation workflow: submitting a draft runs the organization's rules and routes it
//! (blocked, approved automatically, or to one or two levels of people); approving decides
//! one level at a time under the circuit's rules (no self-approval, distinct people, roles or
//! delegations); rejecting sends the draft back with a comment; withdrawing takes it back for
//! edits. Each step is one transaction with its audit event and the notifications it causes.

mod facts;
mod notify;
mod queue;
mod settings;

use chrono::NaiveDate;
use encaisse_core::approval::{self, Authorization, Decided, Delegation, Person, Route};
use encaisse_core::invoice::{Invoice, InvoiceEvent, InvoiceStatus, transition};
use encaisse_core::role::Permission;
use encaisse_core::rules::{self, RuleResult, Severity};
use encaisse_store::Tx;
use encaisse_store::approvals::{Decision, Outcome, Round};
use encaisse_store::audit::NewAuditEvent;
use serde_json::json;
use uuid::Uuid;

pub use queue::{QueueItem, Review};

use crate::auth::Actor;
use crate::{App, AppError, Result};

/// The person an actor is in the circuit; system actors (demo, imports) are one person.
fn person_of(actor: &Actor) -> Person {
    Person {
        user_id: actor.user_id.unwrap_or(Uuid::nil()),
        role: actor.role,
    }
}

pub(crate) async fn audit(
    tx: &mut Tx,
    actor: &Actor,
    inv: &Invoice,
    action: &str,
    before: serde_json::Value,
    after: serde_json::Value,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    tx.append_audit(NewAuditEvent {
        organization_id: inv.organization_id,
        actor: &actor.label,
        action,
        entity_type: "invoice",
        entity_id: &inv.id.to_string(),
        before: Some(before),
        after: Some(after),
        at,
    })
    .await?;
    Ok(())
}

/// The delegations in force today in an organization, with the delegating person's role.
pub(crate) async fn delegations_in_force(
    tx: &mut Tx,
    org: Uuid,
    today: NaiveDate,
) -> Result<Vec<Delegation>> {
    let stored = tx.delegations(org, today).await?;
    let mut out = Vec::new();
    for d in stored {
        if let Some(role) = tx.role_of(d.from_user_id, org).await? {
            out.push(Delegation {
                from: Person {
                    user_id: d.from_user_id,
                    role,
                },
                to: d.to_user_id,
                starts_on: d.starts_on,
                ends_on: d.ends_on,
            });
        }
    }
    Ok(out)
}

/// The circuit's levels and decisions of a pending round.
pub(crate) async fn circuit_of(
    tx: &mut Tx,
    org: Uuid,
    round: &Round,
) -> Result<(Vec<approval::Level>, Vec<Decision>)> {
    let route: Route = serde_json::from_str(&round.route_json).map_err(|e| {
        AppError::Conflict(format!("approval round {} is unreadable: {e}", round.id))
    })?;
    let levels = match route {
        Route::Circuit(l) => l,
        Route::Automatic | Route::Blocked => Vec::new(),
    };
    let decisions = tx.decisions(org, round.id).await?;
    Ok((levels, decisions))
}

pub(crate) fn decided(decisions: &[Decision]) -> Vec<Decided> {
    decisions
        .iter()
        .filter(|d| d.decision == "approved")
        .map(|d| Decided {
            level: usize::try_from(d.level).unwrap_or(0),
            by: d.decided_by.unwrap_or(Uuid::nil()),
            on_behalf_of: d.on_behalf_of,
        })
        .collect()
}

fn blocking(results: &[RuleResult]) -> Vec<RuleResult> {
    results
        .iter()
        .filter(|r| r.severity == Severity::Block)
        .cloned()
        .collect()
}

impl App {
    /// Submits a draft (or a rejected one, fixed): runs the rules, then approves it at once,
    /// sends it to its approvers, or refuses with the blocking findings.
    pub async fn submit_invoice(&self, actor: &Actor, id: Uuid) -> Result<Invoice> {
        actor.require(Permission::EditDrafts, "submit drafts")?;
        let now = self.now();
        let today = self.today();
        let mut tx = self.store.write().await?;
        let mut inv = tx.invoice_for_update(actor.organization_id, id).await?;
        let from = inv.status;
        let reopened = if from == InvoiceStatus::Rejected {
            transition(from, InvoiceEvent::Reopen)?
        } else {
            from
        };
        transition(reopened, InvoiceEvent::SubmitForApproval)?;
        let cfg = self.config_in(&mut tx, actor.organization_id).await?;
        let (results, _) = facts::evaluate(&mut tx, &inv, &cfg, today).await?;
        let totals = inv.totals().map_err(|e| AppError::invalid("lines", e))?;
        let route =
            cfg.approval
                .route(inv.client_id, &totals.tax_inclusive, rules::worst(&results));
        let (to, outcome) = match &route {
            Route::Blocked => return Err(AppError::Blocked(blocking(&results))),
            Route::Automatic => (InvoiceStatus::Approved, Outcome::Approved),
            Route::Circuit(_) => (InvoiceStatus::PendingApproval, Outcome::Pending),
        };
        let round = tx
            .open_round(
                actor.organization_id,
                id,
                actor.user_id,
                &actor.label,
                &json!(route).to_string(),
                &json!(results).to_string(),
                outcome,
                now,
            )
            .await?;
        if let Some(u) = actor.user_id {
            tx.add_contributor(actor.organization_id, id, u).await?;
        }
        tx.set_invoice_status(actor.organization_id, id, from, to, now)
            .await?;
        inv.status = to;
        audit(
            &mut tx,
            actor,
            &inv,
            "invoice.submitted",
            json!({ "status": from }),
            json!({
                "status": to, "round": round.round, "route": route,
                "gross": totals.tax_inclusive.to_decimal_string(), "rules": results,
            }),
            now,
        )
        .await?;
        if let Route::Circuit(levels) = &route {
            let contributors = tx.contributors(actor.organization_id, id).await?;
            notify::next_deciders(
                &mut tx,
                &inv,
                &round,
                levels,
                &[],
                &contributors,
                today,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(inv)
    }

    /// Approves the next level of a pending invoice; the last level approves the invoice.
    pub async fn approve_invoice(&self, actor: &Actor, id: Uuid) -> Result<Invoice> {
        self.approve_invoice_with(actor, id, None).await
    }

    /// [`App::approve_invoice`] with an optional comment kept in the history.
    pub async fn approve_invoice_with(
        &self,
        actor: &Actor,
        id: Uuid,
        comment: Option<&str>,
    ) -> Result<Invoice> {
        actor.require(Permission::Approve, "approve invoices")?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        let now = self.now();
        let today = self.today();
        let mut tx = self.store.write().await?;
        let mut inv = tx.invoice_for_update(actor.organization_id, id).await?;
        transition(inv.status, InvoiceEvent::Approve)?;
        if inv.status != InvoiceStatus::PendingApproval {
            return Err(approval::ApprovalError::NothingToDecide.into());
        }
        let (round, auth, levels, decisions) =
            self.authorize_in(&mut tx, actor, &inv, today).await?;
        // The facts may have changed since submission (a client's PO requirement, …).
        let cfg = self.config_in(&mut tx, actor.organization_id).await?;
        let (results, _) = facts::evaluate(&mut tx, &inv, &cfg, today).await?;
        if rules::worst(&results) == Some(Severity::Block) {
            return Err(AppError::Blocked(blocking(&results)));
        }
        tx.insert_decision(
            actor.organization_id,
            &Decision {
                round_id: round.id,
                level: i32::try_from(auth.level).unwrap_or(i32::MAX),
                decided_by: actor.user_id,
                decided_by_label: actor.label.clone(),
                on_behalf_of: auth.on_behalf_of,
                decision: "approved".into(),
                comment: comment.map(str::to_owned),
                decided_at: now,
            },
        )
        .await?;
        let detail = json!({
            "level": auth.level, "of": auth.of, "on_behalf_of": auth.on_behalf_of, "comment": comment,
        });
        if auth.completes {
            tx.close_round(actor.organization_id, round.id, Outcome::Approved, now)
                .await?;
            let from = inv.status;
            inv.apply(InvoiceEvent::Approve)?;
            tx.set_invoice_status(actor.organization_id, id, from, inv.status, now)
                .await?;
            let mut after = detail;
            after["status"] = json!(inv.status);
            audit(
                &mut tx,
                actor,
                &inv,
                "invoice.approved",
                json!({ "status": from }),
                after,
                now,
            )
            .await?;
            notify::authors(&mut tx, &inv, &round, "invoice_approved", actor, None, now).await?;
        } else {
            audit(
                &mut tx,
                actor,
                &inv,
                "invoice.approval_level_passed",
                json!({ "status": inv.status }),
                detail,
                now,
            )
            .await?;
            let mut done = decided(&decisions);
            done.push(Decided {
                level: auth.level,
                by: person_of(actor).user_id,
                on_behalf_of: auth.on_behalf_of,
            });
            let contributors = tx.contributors(actor.organization_id, id).await?;
            notify::next_deciders(
                &mut tx,
                &inv,
                &round,
                &levels,
                &done,
                &contributors,
                today,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(inv)
    }

    /// Rejects a pending invoice with a comment saying what to fix; it goes back to its
    /// authors as a rejected draft.
    pub async fn reject_invoice(&self, actor: &Actor, id: Uuid, comment: &str) -> Result<Invoice> {
        actor.require(Permission::Approve, "reject invoices")?;
        let comment = comment.trim();
        if comment.is_empty() {
            return Err(AppError::invalid(
                "comment",
                "say why the draft is rejected, so it can be fixed",
            ));
        }
        let now = self.now();
        let today = self.today();
        let mut tx = self.store.write().await?;
        let mut inv = tx.invoice_for_update(actor.organization_id, id).await?;
        transition(inv.status, InvoiceEvent::Reject)?;
        let (round, auth, _, _) = self.authorize_in(&mut tx, actor, &inv, today).await?;
        tx.insert_decision(
            actor.organization_id,
            &Decision {
                round_id: round.id,
                level: i32::try_from(auth.level).unwrap_or(i32::MAX),
                decided_by: actor.user_id,
                decided_by_label: actor.label.clone(),
                on_behalf_of: auth.on_behalf_of,
                decision: "rejected".into(),
                comment: Some(comment.to_owned()),
                decided_at: now,
            },
        )
        .await?;
        tx.close_round(actor.organization_id, round.id, Outcome::Rejected, now)
            .await?;
        let from = inv.status;
        inv.apply(InvoiceEvent::Reject)?;
        tx.set_invoice_status(actor.organization_id, id, from, inv.status, now)
            .await?;
        audit(
            &mut tx,
            actor,
            &inv,
            "invoice.rejected",
            json!({ "status": from }),
            json!({ "status": inv.status, "comment": comment, "level": auth.level, "of": auth.of, "on_behalf_of": auth.on_behalf_of }),
            now,
        )
        .await?;
        notify::authors(
            &mut tx,
            &inv,
            &round,
            "invoice_rejected",
            actor,
            Some(comment),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(inv)
    }

    /// Takes a pending (or approved, not yet issued) invoice back to draft for edits; the
    /// open round ends as withdrawn. It must be submitted again.
    pub async fn withdraw_invoice(&self, actor: &Actor, id: Uuid) -> Result<Invoice> {
        actor.require(Permission::EditDrafts, "withdraw drafts")?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut inv = tx.invoice_for_update(actor.organization_id, id).await?;
        let from = inv.status;
        if from == InvoiceStatus::Rejected {
            return Err(AppError::Conflict(
                "a rejected draft can be edited as it is: edit it, then submit it again".into(),
            ));
        }
        inv.apply(InvoiceEvent::Reopen)?;
        if let Some(round) = tx.pending_round(actor.organization_id, id).await? {
            tx.close_round(actor.organization_id, round.id, Outcome::Withdrawn, now)
                .await?;
        }
        tx.set_invoice_status(actor.organization_id, id, from, inv.status, now)
            .await?;
        if let Some(u) = actor.user_id {
            tx.add_contributor(actor.organization_id, id, u).await?;
        }
        audit(
            &mut tx,
            actor,
            &inv,
            "invoice.withdrawn",
            json!({ "status": from }),
            json!({ "status": inv.status }),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(inv)
    }

    /// The pending round of `inv` and the actor's leave to decide its next level.
    async fn authorize_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        inv: &Invoice,
        today: NaiveDate,
    ) -> Result<(Round, Authorization, Vec<approval::Level>, Vec<Decision>)> {
        let org = actor.organization_id;
        let round = match tx.pending_round(org, inv.id).await? {
            Some(r) => r,
            // Submitted before the circuit existed: one approver, as then.
            None => {
                tx.open_round(
                    org,
                    inv.id,
                    None,
                    "system:migration",
                    &json!(Route::Circuit(vec![approval::Level::Approver])).to_string(),
                    "[]",
                    Outcome::Pending,
                    self.now(),
                )
                .await?
            }
        };
        let (levels, decisions) = circuit_of(tx, org, &round).await?;
        let contributors = tx.contributors(org, inv.id).await?;
        let delegations = delegations_in_force(tx, org, today).await?;
        let auth = approval::authorize(
            &levels,
            &decided(&decisions),
            &contributors,
            &person_of(actor),
            &delegations,
            today,
        )?;
        Ok((round, auth, levels, decisions))
    }
}
