//! Payment alerts, computed daily by a job: invoices unpaid 30, 60 and 90 days after their
//! due date, partial payments, and the cash position of each bank account. Every alert has a
//! key (`overdue_30:<invoice>`, `partial_payment:<invoice>:<paid>`,
//! `cash_position:<account>:<day>`), so computing twice a day raises nothing new.

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::Money;
use encaisse_core::role::Permission;
use encaisse_store::alerts::{AlertRecord, NewAlert};
use encaisse_store::queue::{NewQueued, Queue};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::reconciliation::partial_key;
use crate::{App, AppError, Result};

/// The daily alert job's kind.
pub const JOB_ALERTS: &str = "alerts.daily";

/// Days after the due date at which an unpaid invoice raises an alert.
pub const OVERDUE_STEPS: [i64; 3] = [30, 60, 90];

/// What one computation raised.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AlertRun {
    pub as_of: Option<NaiveDate>,
    /// Alerts raised now (already raised ones are not counted).
    pub raised: usize,
    pub overdue: usize,
    pub partial_payments: usize,
    pub cash_positions: usize,
}

impl App {
    /// Computes the alerts of an organization as of `today`; idempotent.
    pub async fn compute_alerts(&self, actor: &Actor, today: NaiveDate) -> Result<AlertRun> {
        actor.require(Permission::Read, "compute alerts")?;
        let org = actor.organization_id;
        let now = self.now();
        let mut run = AlertRun {
            as_of: Some(today),
            ..AlertRun::default()
        };
        let mut tx = self.store.write().await?;
        for inv in tx.open_receivables(org).await? {
            let owed = inv
                .gross
                .checked_sub(&inv.paid)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            let late = (today - inv.due_date).num_days();
            for step in OVERDUE_STEPS.into_iter().filter(|s| late >= *s) {
                let message = format!(
                    "invoice {} of {} is unpaid {late} days after its due date {} (D+{step}): {owed} owed",
                    inv.number, inv.client_name, inv.due_date
                );
                let kind = format!("overdue_{step}");
                let raised = tx
                    .insert_alert(
                        &NewAlert {
                            organization_id: org,
                            kind: &kind,
                            unique_key: &format!("{kind}:{}", inv.id),
                            invoice_id: Some(inv.id),
                            account_id: None,
                            amount: Some(owed),
                            message: &message,
                            as_of: today,
                        },
                        now,
                    )
                    .await?;
                run.raised += usize::from(raised);
                run.overdue += usize::from(raised);
            }
            if inv.status == "partially_paid" {
                let message = format!(
                    "invoice {} of {} is partly paid: {} received, {owed} still owed",
                    inv.number, inv.client_name, inv.paid
                );
                let raised = tx
                    .insert_alert(
                        &NewAlert {
                            organization_id: org,
                            kind: "partial_payment",
                            unique_key: &partial_key(inv.id, &inv.paid),
                            invoice_id: Some(inv.id),
                            account_id: None,
                            amount: Some(owed),
                            message: &message,
                            as_of: today,
                        },
                        now,
                    )
                    .await?;
                run.raised += usize::from(raised);
                run.partial_payments += usize::from(raised);
            }
        }
        let accounts = tx.bank_accounts(org).await?;
        for b in tx.latest_bank_balances(org).await? {
            let Some(account) = accounts.iter().find(|a| a.id == b.account_id) else {
                continue;
            };
            let (since, count) = tx.bank_movements_after(org, b.account_id, b.date).await?;
            let position = b
                .amount
                .checked_add(&Money::from_minor(since, b.amount.currency()))
                .map_err(|e| AppError::Conflict(e.to_string()))?;
            let message = format!(
                "account {} ({}): {position} — {} balance of {} on {}, plus {count} movements booked since",
                account.label, account.account_ref, b.kind, b.amount, b.date
            );
            let raised = tx
                .insert_alert(
                    &NewAlert {
                        organization_id: org,
                        kind: "cash_position",
                        unique_key: &format!("cash_position:{}:{today}", b.account_id),
                        invoice_id: None,
                        account_id: Some(b.account_id),
                        amount: Some(position),
                        message: &message,
                        as_of: today,
                    },
                    now,
                )
                .await?;
            run.raised += usize::from(raised);
            run.cash_positions += usize::from(raised);
        }
        tx.commit().await?;
        Ok(run)
    }

    /// Alerts, newest first; unresolved only unless `include_resolved`.
    pub async fn alerts(
        &self,
        actor: &Actor,
        include_resolved: bool,
        limit: i64,
    ) -> Result<Vec<AlertRecord>> {
        actor.require(Permission::Read, "read alerts")?;
        let mut tx = self.store.read().await?;
        let rows = tx
            .alerts(
                actor.organization_id,
                include_resolved,
                limit.clamp(1, 10_000),
            )
            .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Enqueues today's alert computation for every organization (once per day each: the
    /// job's unique key carries the date). The job runner calls it on every pass.
    pub async fn schedule_daily_alerts(&self, now: DateTime<Utc>) -> Result<usize> {
        let today = now.with_timezone(&self.config.timezone()).date_naive();
        let mut tx = self.store.write().await?;
        let mut queued = 0;
        for org in tx.all_organizations().await? {
            let key = format!("{JOB_ALERTS}:{}:{today}", org.id);
            let fresh = tx
                .enqueue(
                    Queue::Jobs,
                    NewQueued {
                        organization_id: Some(org.id),
                        kind: JOB_ALERTS,
                        unique_key: &key,
                        payload: serde_json::json!({ "as_of": today }),
                        run_at: now,
                        max_attempts: 5,
                    },
                    now,
                )
                .await?;
            queued += usize::from(fresh);
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// The job's body.
    pub(crate) async fn run_alerts_job(
        &self,
        organization_id: Uuid,
        as_of: NaiveDate,
    ) -> Result<String> {
        let actor = Actor::system(organization_id, "alerts");
        let run = self.compute_alerts(&actor, as_of).await?;
        Ok(format!(
            "{} alerts raised ({} overdue, {} partial payments, {} cash positions)",
            run.raised, run.overdue, run.partial_payments, run.cash_positions
        ))
    }
}
