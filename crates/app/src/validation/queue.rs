//! What waits for a decision, what waits for *me*, one draft under review, bulk approval of
//! clean drafts.

use encaisse_core::approval::{self, ApprovalError, Authorization};
use encaisse_core::invoice::{InvoiceStatus, Period};
use encaisse_core::role::Permission;
use encaisse_core::rules::RuleResult;
use encaisse_store::approvals::{Decision, Round};
use encaisse_store::invoices::{InvoiceFilter, InvoiceSummary};
use encaisse_store::reporting::SourceEntry;
use serde::Serialize;
use uuid::Uuid;

use super::{circuit_of, decided, delegations_in_force, facts, person_of};
use crate::auth::Actor;
use crate::invoices::InvoiceDetail;
use crate::{App, AppError, Result};

/// A pending invoice in the approval queue.
#[derive(Clone, Debug, Serialize)]
pub struct QueueItem {
    pub invoice: InvoiceSummary,
    pub round: i32,
    pub submitted_by: String,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
    /// Rule results at submission.
    pub results: Vec<RuleResult>,
    /// The level waiting and the number of levels.
    pub level: usize,
    pub levels: usize,
    /// Whether the caller may decide it now, or why not.
    #[serde(skip)]
    pub decision: std::result::Result<Authorization, ApprovalError>,
}

impl QueueItem {
    /// No rule fired: a candidate for bulk approval.
    pub fn is_clean(&self) -> bool {
        self.results.is_empty()
    }

    pub fn can_decide(&self) -> bool {
        self.decision.is_ok()
    }
}

/// One draft as the approver sees it.
#[derive(Clone, Debug, Serialize)]
pub struct Review {
    pub detail: InvoiceDetail,
    /// The rules as they judge the draft now.
    pub results: Vec<RuleResult>,
    pub rounds: Vec<Round>,
    /// Decisions of the latest round.
    pub decisions: Vec<Decision>,
    #[serde(skip)]
    pub decision: std::result::Result<Authorization, ApprovalError>,
    pub entries: Vec<SourceEntry>,
    /// The client's latest invoices (this one excluded).
    pub client_history: Vec<InvoiceSummary>,
    pub service_period: Option<Period>,
    pub created_by: Option<String>,
    /// The e-mail of whoever the viewer would decide for (a delegation).
    pub on_behalf_of: Option<String>,
}

/// The outcome of a bulk approval, per invoice.
#[derive(Clone, Debug, Serialize)]
pub struct BulkOutcome {
    pub id: Uuid,
    /// `None` when approved (or passed to its next level).
    pub error: Option<String>,
}

impl App {
    /// Every invoice pending approval, oldest submission first, with whether the actor may
    /// decide each.
    pub async fn approval_queue(&self, actor: &Actor) -> Result<Vec<QueueItem>> {
        actor.require(Permission::Read, "read invoices")?;
        let org = actor.organization_id;
        let today = self.today();
        let mut tx = self.store.read().await?;
        let summaries = tx
            .invoices(
                org,
                &InvoiceFilter {
                    status: Some(InvoiceStatus::PendingApproval),
                    limit: 1_000,
                    ..InvoiceFilter::default()
                },
            )
            .await?;
        let rounds = tx.pending_rounds(org).await?;
        let delegations = delegations_in_force(&mut tx, org, today).await?;
        let mut out = Vec::with_capacity(summaries.len());
        for s in summaries {
            let round = rounds.iter().find(|r| r.invoice_id == s.id);
            let (levels, decisions, results, who, at, n) = match round {
                Some(r) => {
                    let (levels, decisions) = circuit_of(&mut tx, org, r).await?;
                    let results: Vec<RuleResult> =
                        serde_json::from_str(&r.results_json).unwrap_or_default();
                    (
                        levels,
                        decisions,
                        results,
                        r.submitted_by_label.clone(),
                        r.submitted_at,
                        r.round,
                    )
                }
                None => (
                    vec![approval::Level::Approver],
                    vec![],
                    vec![],
                    String::new(),
                    self.now(),
                    0,
                ),
            };
            let contributors = tx.contributors(org, s.id).await?;
            let done = decided(&decisions);
            let decision = if actor.role.allows(Permission::Approve) {
                approval::authorize(
                    &levels,
                    &done,
                    &contributors,
                    &person_of(actor),
                    &delegations,
                    today,
                )
            } else {
                Err(ApprovalError::NotEntitled {
                    level: done.len() + 1,
                    needs: approval::Level::Approver,
                })
            };
            out.push(QueueItem {
                invoice: s,
                round: n,
                submitted_by: who,
                submitted_at: at,
                results,
                level: done.len() + 1,
                levels: levels.len(),
                decision,
            });
        }
        tx.commit().await?;
        out.sort_by_key(|i| (i.submitted_at, i.invoice.id));
        Ok(out)
    }

    /// What waits for the actor's decision.
    pub async fn waiting_for_me(&self, actor: &Actor) -> Result<Vec<QueueItem>> {
        Ok(self
            .approval_queue(actor)
            .await?
            .into_iter()
            .filter(QueueItem::can_decide)
            .collect())
    }

    /// One invoice with its rule results (evaluated now, for drafts and pending ones), its
    /// rounds and decisions, its source time entries and the client's latest invoices.
    pub async fn review(&self, actor: &Actor, id: Uuid) -> Result<Review> {
        let detail = self.invoice_detail(actor, id).await?;
        let org = actor.organization_id;
        let today = self.today();
        let mut tx = self.store.read().await?;
        let inv = &detail.invoice;
        let cfg = self.config_in(&mut tx, org).await?;
        let (results, f) = if inv.status.is_issued() {
            (Vec::new(), facts::gather(&mut tx, inv, &cfg).await?)
        } else {
            facts::evaluate(&mut tx, inv, &cfg, today).await?
        };
        let rounds = tx.rounds(org, id).await?;
        let (decisions, decision) = match rounds.last() {
            Some(r) => {
                let (levels, decisions) = circuit_of(&mut tx, org, r).await?;
                let decision = if inv.status == InvoiceStatus::PendingApproval {
                    let contributors = tx.contributors(org, id).await?;
                    let delegations = delegations_in_force(&mut tx, org, today).await?;
                    approval::authorize(
                        &levels,
                        &decided(&decisions),
                        &contributors,
                        &person_of(actor),
                        &delegations,
                        today,
                    )
                } else {
                    Err(ApprovalError::NothingToDecide)
                };
                (decisions, decision)
            }
            None => (Vec::new(), Err(ApprovalError::NothingToDecide)),
        };
        let decision = if actor.role.allows(Permission::Approve) {
            decision
        } else {
            decision.and(Err(ApprovalError::NotEntitled {
                level: 1,
                needs: approval::Level::Approver,
            }))
        };
        let client_history = tx
            .invoices(
                org,
                &InvoiceFilter {
                    client_id: Some(inv.client_id),
                    limit: 13,
                    ..InvoiceFilter::default()
                },
            )
            .await?
            .into_iter()
            .filter(|s| s.id != id)
            .take(12)
            .collect();
        let created_by = match tx.invoice_created_by(org, id).await? {
            Some(u) => Some(tx.user(u).await?.email),
            None => None,
        };
        let on_behalf_of = match decision.as_ref().ok().and_then(|a| a.on_behalf_of) {
            Some(u) => Some(tx.user(u).await?.email),
            None => None,
        };
        tx.commit().await?;
        Ok(Review {
            service_period: inv.service_period,
            detail,
            results,
            rounds,
            decisions,
            decision,
            entries: f.entries,
            client_history,
            created_by,
            on_behalf_of,
        })
    }

    /// Approves every given invoice on which no rule fired, one transaction each; invoices
    /// with findings are left for a one-by-one look.
    pub async fn approve_clean(&self, actor: &Actor, ids: &[Uuid]) -> Result<Vec<BulkOutcome>> {
        actor.require(Permission::Approve, "approve invoices")?;
        let queue = self.approval_queue(actor).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let error = match queue.iter().find(|q| q.invoice.id == *id) {
                None => Some(
                    AppError::NotFound {
                        entity: "pending invoice",
                        id: id.to_string(),
                    }
                    .to_string(),
                ),
                Some(q) if !q.is_clean() => {
                    Some("rules fired on this draft: open it and decide on its own".to_owned())
                }
                Some(_) => self
                    .approve_invoice(actor, *id)
                    .await
                    .err()
                    .map(|e| e.to_string()),
            };
            out.push(BulkOutcome { id: *id, error });
        }
        Ok(out)
    }
}
