//! The approval circuit's records: who contributed to a draft, each submission (round) with
//! its rule results and route, the decisions taken in it, and delegations while someone is
//! away. The rules themselves live in `encaisse_core::approval`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::parse_uuid;
use crate::{Result, StoreError, Tx};

/// How a round ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pending,
    Approved,
    Rejected,
    /// Taken back for edits before a decision.
    Withdrawn,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Approved => "approved",
            Outcome::Rejected => "rejected",
            Outcome::Withdrawn => "withdrawn",
        }
    }

    fn parse(s: &str) -> Result<Outcome> {
        Ok(match s {
            "pending" => Outcome::Pending,
            "approved" => Outcome::Approved,
            "rejected" => Outcome::Rejected,
            "withdrawn" => Outcome::Withdrawn,
            other => return Err(StoreError::corrupt(format!("bad round outcome `{other}`"))),
        })
    }
}

/// One submission of a draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Round {
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub round: i32,
    pub submitted_by: Option<Uuid>,
    pub submitted_by_label: String,
    pub submitted_at: DateTime<Utc>,
    /// JSON of `encaisse_core::approval::Route`.
    pub route_json: String,
    /// JSON of `Vec<encaisse_core::rules::RuleResult>`.
    pub results_json: String,
    pub outcome: Outcome,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct RoundRow {
    id: String,
    invoice_id: String,
    round: i32,
    submitted_by: Option<String>,
    submitted_by_label: String,
    submitted_at: DateTime<Utc>,
    route_json: String,
    results_json: String,
    outcome: String,
    closed_at: Option<DateTime<Utc>>,
}

impl TryFrom<RoundRow> for Round {
    type Error = StoreError;
    fn try_from(r: RoundRow) -> Result<Round> {
        Ok(Round {
            id: parse_uuid(&r.id)?,
            invoice_id: parse_uuid(&r.invoice_id)?,
            round: r.round,
            submitted_by: r.submitted_by.as_deref().map(parse_uuid).transpose()?,
            submitted_by_label: r.submitted_by_label,
            submitted_at: r.submitted_at,
            route_json: r.route_json,
            results_json: r.results_json,
            outcome: Outcome::parse(&r.outcome)?,
            closed_at: r.closed_at,
        })
    }
}

/// A decision taken in a round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub round_id: Uuid,
    pub level: i32,
    pub decided_by: Option<Uuid>,
    pub decided_by_label: String,
    pub on_behalf_of: Option<Uuid>,
    /// `approved` or `rejected`.
    pub decision: String,
    pub comment: Option<String>,
    pub decided_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    round_id: String,
    level: i32,
    decided_by: Option<String>,
    decided_by_label: String,
    on_behalf_of: Option<String>,
    decision: String,
    comment: Option<String>,
    decided_at: DateTime<Utc>,
}

impl TryFrom<DecisionRow> for Decision {
    type Error = StoreError;
    fn try_from(r: DecisionRow) -> Result<Decision> {
        Ok(Decision {
            round_id: parse_uuid(&r.round_id)?,
            level: r.level,
            decided_by: r.decided_by.as_deref().map(parse_uuid).transpose()?,
            decided_by_label: r.decided_by_label,
            on_behalf_of: r.on_behalf_of.as_deref().map(parse_uuid).transpose()?,
            decision: r.decision,
            comment: r.comment,
            decided_at: r.decided_at,
        })
    }
}

/// A stored delegation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredDelegation {
    pub id: Uuid,
    pub from_user_id: Uuid,
    pub to_user_id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Tx {
    /// Records that `user_id` created, edited or submitted the invoice (idempotent).
    pub async fn add_contributor(&mut self, org: Uuid, invoice: Uuid, user_id: Uuid) -> Result<()> {
        let (o, i, u) = (org.to_string(), invoice.to_string(), user_id.to_string());
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO invoice_contributors (organization_id, invoice_id, user_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (invoice_id, user_id) DO NOTHING",
            )
            .bind(&o).bind(&i).bind(&u).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn contributors(&mut self, org: Uuid, invoice: Uuid) -> Result<Vec<Uuid>> {
        let (o, i) = (org.to_string(), invoice.to_string());
        let rows: Vec<String> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT user_id FROM invoice_contributors WHERE organization_id = $1 AND invoice_id = $2 ORDER BY user_id")
                .bind(&o).bind(&i).fetch_all(&mut *c).await?
        });
        rows.iter().map(|s| parse_uuid(s)).collect()
    }

    /// Sets who created a draft (once, right after inserting it).
    pub async fn set_invoice_created_by(
        &mut self,
        org: Uuid,
        invoice: Uuid,
        user_id: Uuid,
    ) -> Result<()> {
        let (o, i, u) = (org.to_string(), invoice.to_string(), user_id.to_string());
        on_conn!(self, c => {
            sqlx::query("UPDATE invoices SET created_by = $3 WHERE organization_id = $1 AND id = $2 AND created_by IS NULL")
                .bind(&o).bind(&i).bind(&u).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Who created a draft (`None` for drafts of the system or from before this was kept).
    pub async fn invoice_created_by(&mut self, org: Uuid, invoice: Uuid) -> Result<Option<Uuid>> {
        let (o, i) = (org.to_string(), invoice.to_string());
        let by: Option<Option<String>> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT created_by FROM invoices WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&i).fetch_optional(&mut *c).await?
        });
        by.flatten().as_deref().map(parse_uuid).transpose()
    }

    /// Opens the next round of an invoice and returns it.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_round(
        &mut self,
        org: Uuid,
        invoice: Uuid,
        submitted_by: Option<Uuid>,
        submitted_by_label: &str,
        route_json: &str,
        results_json: &str,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<Round> {
        let (o, i) = (org.to_string(), invoice.to_string());
        let last: Option<i32> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT MAX(round) FROM approval_rounds WHERE organization_id = $1 AND invoice_id = $2")
                .bind(&o).bind(&i).fetch_one(&mut *c).await?
        });
        let round = Round {
            id: Uuid::now_v7(),
            invoice_id: invoice,
            round: last.unwrap_or(0) + 1,
            submitted_by,
            submitted_by_label: submitted_by_label.to_owned(),
            submitted_at: now,
            route_json: route_json.to_owned(),
            results_json: results_json.to_owned(),
            outcome,
            closed_at: (outcome != Outcome::Pending).then_some(now),
        };
        let (id, by) = (round.id.to_string(), submitted_by.map(|u| u.to_string()));
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO approval_rounds (id, organization_id, invoice_id, round, submitted_by, submitted_by_label, \
                 submitted_at, route_json, results_json, outcome, closed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
            )
            .bind(&id).bind(&o).bind(&i).bind(round.round).bind(&by).bind(submitted_by_label)
            .bind(now).bind(route_json).bind(results_json).bind(outcome.as_str()).bind(round.closed_at)
            .execute(&mut *c).await?;
        });
        Ok(round)
    }

    /// The invoice's pending round, if any.
    pub async fn pending_round(&mut self, org: Uuid, invoice: Uuid) -> Result<Option<Round>> {
        let (o, i) = (org.to_string(), invoice.to_string());
        let row: Option<RoundRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM approval_rounds WHERE organization_id = $1 AND invoice_id = $2 AND outcome = 'pending'")
                .bind(&o).bind(&i).fetch_optional(&mut *c).await?
        });
        row.map(Round::try_from).transpose()
    }

    /// Every round of an invoice, oldest first.
    pub async fn rounds(&mut self, org: Uuid, invoice: Uuid) -> Result<Vec<Round>> {
        let (o, i) = (org.to_string(), invoice.to_string());
        let rows: Vec<RoundRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM approval_rounds WHERE organization_id = $1 AND invoice_id = $2 ORDER BY round")
                .bind(&o).bind(&i).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(Round::try_from).collect()
    }

    /// Every pending round of the organization, oldest submission first.
    pub async fn pending_rounds(&mut self, org: Uuid) -> Result<Vec<Round>> {
        let o = org.to_string();
        let rows: Vec<RoundRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM approval_rounds WHERE organization_id = $1 AND outcome = 'pending' ORDER BY submitted_at, id")
                .bind(&o).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(Round::try_from).collect()
    }

    /// Closes a pending round; a round closed meanwhile is a conflict.
    pub async fn close_round(
        &mut self,
        org: Uuid,
        round: Uuid,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (o, r) = (org.to_string(), round.to_string());
        let n = on_conn!(self, c => {
            sqlx::query("UPDATE approval_rounds SET outcome = $3, closed_at = $4 WHERE organization_id = $1 AND id = $2 AND outcome = 'pending'")
                .bind(&o).bind(&r).bind(outcome.as_str()).bind(now).execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::Conflict(
                "this approval round was closed meanwhile: reload the invoice".into(),
            ));
        }
        Ok(())
    }

    /// Records a decision; two decisions on the same level are a conflict.
    pub async fn insert_decision(&mut self, org: Uuid, d: &Decision) -> Result<()> {
        let (id, o, r) = (
            Uuid::now_v7().to_string(),
            org.to_string(),
            d.round_id.to_string(),
        );
        let by = d.decided_by.map(|u| u.to_string());
        let behalf = d.on_behalf_of.map(|u| u.to_string());
        let res = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO approval_decisions (id, organization_id, round_id, level, decided_by, decided_by_label, \
                 on_behalf_of, decision, comment, decided_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
            )
            .bind(&id).bind(&o).bind(&r).bind(d.level).bind(&by).bind(&d.decided_by_label)
            .bind(&behalf).bind(&d.decision).bind(&d.comment).bind(d.decided_at)
            .execute(&mut *c).await.map(|r| r.rows_affected())
        });
        match res.map_err(StoreError::from) {
            Ok(_) => Ok(()),
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(
                "someone decided this level meanwhile: reload the invoice".into(),
            )),
            Err(e) => Err(e),
        }
    }

    /// Decisions of rounds, in level order.
    pub async fn decisions(&mut self, org: Uuid, round: Uuid) -> Result<Vec<Decision>> {
        let (o, r) = (org.to_string(), round.to_string());
        let rows: Vec<DecisionRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT round_id, level, decided_by, decided_by_label, on_behalf_of, decision, comment, decided_at \
                            FROM approval_decisions WHERE organization_id = $1 AND round_id = $2 ORDER BY level")
                .bind(&o).bind(&r).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(Decision::try_from).collect()
    }

    pub async fn insert_delegation(
        &mut self,
        org: Uuid,
        d: &StoredDelegation,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (id, o, f, t) = (
            d.id.to_string(),
            org.to_string(),
            d.from_user_id.to_string(),
            d.to_user_id.to_string(),
        );
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO approval_delegations (id, organization_id, from_user_id, to_user_id, starts_on, ends_on, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7)",
            )
            .bind(&id).bind(&o).bind(&f).bind(&t).bind(d.starts_on).bind(d.ends_on).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Delegations not revoked that end on or after `from` (current and future ones).
    pub async fn delegations(
        &mut self,
        org: Uuid,
        from: NaiveDate,
    ) -> Result<Vec<StoredDelegation>> {
        let o = org.to_string();
        let rows: Vec<(String, String, String, NaiveDate, NaiveDate)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, from_user_id, to_user_id, starts_on, ends_on FROM approval_delegations \
                 WHERE organization_id = $1 AND revoked_at IS NULL AND ends_on >= $2 ORDER BY starts_on, id",
            )
            .bind(&o).bind(from).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(id, f, t, s, e)| {
                Ok(StoredDelegation {
                    id: parse_uuid(&id)?,
                    from_user_id: parse_uuid(&f)?,
                    to_user_id: parse_uuid(&t)?,
                    starts_on: s,
                    ends_on: e,
                })
            })
            .collect()
    }

    /// Revokes a delegation given by or to `user_id` (owners may revoke any: pass `None`).
    pub async fn revoke_delegation(
        &mut self,
        org: Uuid,
        id: Uuid,
        user_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (o, key, u) = (
            org.to_string(),
            id.to_string(),
            user_id.map(|u| u.to_string()),
        );
        let n = on_conn!(self, c => {
            sqlx::query(
                "UPDATE approval_delegations SET revoked_at = $4 WHERE organization_id = $1 AND id = $2 \
                 AND revoked_at IS NULL AND ($3 IS NULL OR from_user_id = $3 OR to_user_id = $3)",
            )
            .bind(&o).bind(&key).bind(&u).bind(now).execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::NotFound {
                entity: "delegation",
                id: key,
            });
        }
        Ok(())
    }

    /// The stored validation configuration (JSON) of an organization.
    pub async fn validation_settings(&mut self, org: Uuid) -> Result<Option<String>> {
        let o = org.to_string();
        let s: Option<String> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT config_json FROM validation_settings WHERE organization_id = $1")
                .bind(&o).fetch_optional(&mut *c).await?
        });
        Ok(s)
    }

    pub async fn put_validation_settings(
        &mut self,
        org: Uuid,
        json: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let o = org.to_string();
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO validation_settings (organization_id, config_json, updated_by, updated_at) VALUES ($1,$2,$3,$4) \
                 ON CONFLICT (organization_id) DO UPDATE SET config_json = excluded.config_json, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(&o).bind(json).bind(by).bind(now).execute(&mut *c).await?;
        });
        Ok(())
    }
}
