//! Time entries as their sources see them, and as billing uses them.
//!
//! - Sync and imports upsert by `(source, external_id)`: an unbilled entry follows its
//!   source; a billed one is never altered — a change or a deletion at the source flags it
//!   for review (`review_reason`, with what the source now says in `review_detail`).
//! - Billing reads unbilled, live, unflagged entries of a period with their project and
//!   client, and attaches them to an invoice only where `invoice_id IS NULL`, so that an
//!   entry can never be on two invoices; releasing a draft clears the attachment.

use chrono::{DateTime, Utc};
use encaisse_core::Money;
use encaisse_core::time_entry::TimeSource;
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Backend, Result, StoreError, Tx};

/// An entry as a source (a connector or a file) describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceEntry {
    pub organization_id: Uuid,
    pub project_id: Uuid,
    pub source: TimeSource,
    pub external_id: String,
    pub user_name: String,
    /// The source's id of the person (Clockify user id, an e-mail…).
    pub user_ref: Option<String>,
    pub task_name: Option<String>,
    pub task_ref: Option<String>,
    pub description: String,
    pub started_at: DateTime<Utc>,
    pub duration_seconds: i64,
    pub billable: bool,
    /// The rate recorded at the source.
    pub hourly_rate: Option<Money>,
    /// Already marked invoiced at the source (billed elsewhere): never billed here.
    pub invoiced_at_source: bool,
}

impl SourceEntry {
    /// Digest of everything billing depends on.
    pub fn content_hash(&self) -> String {
        let rate = self
            .hourly_rate
            .map(|m| format!("{} {}", m.amount().normalize(), m.currency()))
            .unwrap_or_default();
        let text = format!(
            "{}\u{1f}{}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.project_id,
            self.user_name,
            self.user_ref,
            self.task_name,
            self.task_ref,
            self.description,
            self.started_at.timestamp(),
            self.duration_seconds,
            self.billable,
            rate
        );
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    fn review_detail(&self) -> serde_json::Value {
        serde_json::json!({
            "project_id": self.project_id, "user": self.user_name, "task": self.task_name,
            "description": self.description, "started_at": self.started_at,
            "duration_seconds": self.duration_seconds, "billable": self.billable,
            "hourly_rate": self.hourly_rate.map(|m| m.to_string()),
        })
    }
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted,
    Unchanged,
    /// An unbilled entry followed its source.
    Updated,
    /// A billed entry changed at the source: flagged, not altered.
    FlaggedForReview,
}

/// Why an entry needs a human look.
pub const REVIEW_CHANGED: &str = "changed_at_source";
pub const REVIEW_DELETED: &str = "deleted_at_source";

/// A known entry of a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownEntry {
    pub id: Uuid,
    pub external_id: String,
    pub invoice_id: Option<Uuid>,
    pub deleted: bool,
}

/// An entry as billing needs it (its project comes from [`Tx::billing_projects`]).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct BillingRow {
    pub id: String,
    pub project_id: String,
    pub source: String,
    pub user_name: String,
    pub user_ref: Option<String>,
    pub task_name: Option<String>,
    pub task_ref: Option<String>,
    pub description: String,
    pub started_at: DateTime<Utc>,
    pub duration_seconds: i64,
    pub billable: bool,
    pub hourly_rate_minor: Option<i64>,
    pub rate_currency: Option<String>,
    pub source_invoiced: bool,
}

impl BillingRow {
    pub fn entry_rate(&self) -> Result<Option<Money>> {
        rate(self.hourly_rate_minor, self.rate_currency.as_deref())
    }
}

/// A project as billing needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillingProject {
    pub id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    /// `hourly` or `fixed_fee`.
    pub billing_mode: String,
    pub rate: Option<Money>,
}

fn rate(minor: Option<i64>, cur: Option<&str>) -> Result<Option<Money>> {
    match (minor, cur) {
        (Some(m), Some(c)) => Ok(Some(Money::from_minor(m, currency(c)?))),
        _ => Ok(None),
    }
}

const BILLABLE_SQL: &str = "SELECT id, project_id, source, user_name, user_ref, task_name, task_ref, description, started_at, \
     duration_seconds, billable, hourly_rate_minor, rate_currency, (source_invoiced_at IS NOT NULL) AS source_invoiced \
     FROM time_entries WHERE organization_id = $1 AND invoice_id IS NULL AND source_deleted_at IS NULL \
     AND review_reason IS NULL AND started_at >= $2 AND started_at < $3 \
     AND ($4 IS NULL OR project_id IN (SELECT id FROM projects WHERE organization_id = $1 AND client_id = $4))";

/// An entry flagged for review.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ReviewRow {
    pub id: String,
    pub source: String,
    pub external_id: String,
    pub invoice_id: Option<String>,
    pub description: String,
    pub review_reason: String,
    pub review_detail: Option<String>,
}

/// A billed entry and where it came from (to mark it invoiced at its source).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoicedEntry {
    pub id: Uuid,
    pub source: TimeSource,
    pub external_id: String,
    pub marked_at_source: bool,
}

/// `(id, external_id, invoice_id, source_deleted_at)`.
type KnownRow = (String, String, Option<String>, Option<DateTime<Utc>>);

fn ids_json(ids: &[Uuid]) -> String {
    let v: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    serde_json::Value::from(v).to_string()
}

impl Tx {
    /// Inserts or follows an entry from its source; see the module doc for billed entries.
    pub async fn upsert_source_entry(
        &mut self,
        e: &SourceEntry,
        now: DateTime<Utc>,
    ) -> Result<UpsertOutcome> {
        let o = e.organization_id.to_string();
        let existing: Option<(String, Option<String>, Option<String>)> = on_conn!(self, c => {
            sqlx::query_as("SELECT id, source_hash, invoice_id FROM time_entries WHERE organization_id = $1 AND source = $2 AND external_id = $3")
                .bind(&o).bind(e.source.as_str()).bind(&e.external_id).fetch_optional(&mut *c).await?
        });
        let hash = e.content_hash();
        let rate = e
            .hourly_rate
            .map(|m| m.rounded().to_minor())
            .transpose()
            .map_err(StoreError::corrupt)?;
        let cur = e.hourly_rate.map(|m| m.currency().code());
        let invoiced_at = e.invoiced_at_source.then_some(now);
        let p = e.project_id.to_string();
        let Some((id, old_hash, invoice)) = existing else {
            let id = Uuid::now_v7().to_string();
            on_conn!(self, c => {
                sqlx::query(
                    "INSERT INTO time_entries (id, organization_id, project_id, source, external_id, user_name, description, \
                     started_at, duration_seconds, billable, hourly_rate_minor, rate_currency, invoice_id, created_at, \
                     task_name, task_ref, user_ref, source_hash, source_updated_at, source_invoiced_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,NULL,$13,$14,$15,$16,$17,$13,$18)",
                )
                .bind(&id).bind(&o).bind(&p).bind(e.source.as_str()).bind(&e.external_id).bind(&e.user_name)
                .bind(&e.description).bind(e.started_at).bind(e.duration_seconds).bind(e.billable).bind(rate).bind(cur)
                .bind(now).bind(&e.task_name).bind(&e.task_ref).bind(&e.user_ref).bind(&hash).bind(invoiced_at)
                .execute(&mut *c).await?;
            });
            return Ok(UpsertOutcome::Inserted);
        };
        if old_hash.as_deref() == Some(hash.as_str()) {
            // Same content; a restored entry comes back to life, an invoiced mark sticks.
            on_conn!(self, c => {
                sqlx::query("UPDATE time_entries SET source_deleted_at = NULL, \
                             source_invoiced_at = COALESCE(source_invoiced_at, $3) \
                             WHERE id = $1 AND organization_id = $2 AND (source_deleted_at IS NOT NULL OR ($3 IS NOT NULL AND source_invoiced_at IS NULL))")
                    .bind(&id).bind(&o).bind(invoiced_at).execute(&mut *c).await?;
            });
            return Ok(UpsertOutcome::Unchanged);
        }
        if invoice.is_some() {
            let detail = e.review_detail().to_string();
            on_conn!(self, c => {
                sqlx::query("UPDATE time_entries SET review_reason = $3, review_detail = $4, source_updated_at = $5 \
                             WHERE id = $1 AND organization_id = $2")
                    .bind(&id).bind(&o).bind(REVIEW_CHANGED).bind(&detail).bind(now).execute(&mut *c).await?;
            });
            return Ok(UpsertOutcome::FlaggedForReview);
        }
        on_conn!(self, c => {
            sqlx::query(
                "UPDATE time_entries SET project_id = $3, user_name = $4, description = $5, started_at = $6, \
                 duration_seconds = $7, billable = $8, hourly_rate_minor = $9, rate_currency = $10, task_name = $11, \
                 task_ref = $12, user_ref = $13, source_hash = $14, source_updated_at = $15, source_deleted_at = NULL, \
                 source_invoiced_at = COALESCE(source_invoiced_at, $16) \
                 WHERE id = $1 AND organization_id = $2 AND invoice_id IS NULL",
            )
            .bind(&id).bind(&o).bind(&p).bind(&e.user_name).bind(&e.description).bind(e.started_at)
            .bind(e.duration_seconds).bind(e.billable).bind(rate).bind(cur).bind(&e.task_name).bind(&e.task_ref)
            .bind(&e.user_ref).bind(&hash).bind(now).bind(invoiced_at)
            .execute(&mut *c).await?;
        });
        Ok(UpsertOutcome::Updated)
    }

    /// Entries of a source started in `[from, to)`, deleted ones included.
    pub async fn source_entries_in_window(
        &mut self,
        organization_id: Uuid,
        source: TimeSource,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<KnownEntry>> {
        let o = organization_id.to_string();
        let rows: Vec<KnownRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT id, external_id, invoice_id, source_deleted_at FROM time_entries \
                            WHERE organization_id = $1 AND source = $2 AND started_at >= $3 AND started_at < $4")
                .bind(&o).bind(source.as_str()).bind(from).bind(to).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(id, ext, inv, del)| {
                Ok(KnownEntry {
                    id: parse_uuid(&id)?,
                    external_id: ext,
                    invoice_id: inv.as_deref().map(parse_uuid).transpose()?,
                    deleted: del.is_some(),
                })
            })
            .collect()
    }

    /// One entry of a source by its external id.
    pub async fn source_entry(
        &mut self,
        organization_id: Uuid,
        source: TimeSource,
        external_id: &str,
    ) -> Result<Option<KnownEntry>> {
        let o = organization_id.to_string();
        let row: Option<KnownRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT id, external_id, invoice_id, source_deleted_at FROM time_entries \
                            WHERE organization_id = $1 AND source = $2 AND external_id = $3")
                .bind(&o).bind(source.as_str()).bind(external_id).fetch_optional(&mut *c).await?
        });
        row.map(|(id, ext, inv, del)| {
            Ok(KnownEntry {
                id: parse_uuid(&id)?,
                external_id: ext,
                invoice_id: inv.as_deref().map(parse_uuid).transpose()?,
                deleted: del.is_some(),
            })
        })
        .transpose()
    }

    /// The source deleted an entry: an unbilled one is marked deleted (never billed), a billed
    /// one is flagged for review. Returns whether it was billed.
    pub async fn mark_deleted_at_source(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let billed: Option<Option<String>> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT invoice_id FROM time_entries WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).fetch_optional(&mut *c).await?
        });
        let billed = billed.flatten().is_some();
        on_conn!(self, c => {
            if billed {
                sqlx::query("UPDATE time_entries SET review_reason = $3, review_detail = NULL, source_updated_at = $4 WHERE organization_id = $1 AND id = $2")
                    .bind(&o).bind(&key).bind(REVIEW_DELETED).bind(now).execute(&mut *c).await?;
            } else {
                sqlx::query("UPDATE time_entries SET source_deleted_at = $3 WHERE organization_id = $1 AND id = $2")
                    .bind(&o).bind(&key).bind(now).execute(&mut *c).await?;
            }
        });
        Ok(billed)
    }

    /// Unbilled, live, unflagged entries started in `[from, to)`, handed to `each` one at a
    /// time as they are read (a million rows never sit in memory twice).
    pub async fn each_billable_entry(
        &mut self,
        organization_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        client_id: Option<Uuid>,
        mut each: impl FnMut(BillingRow) -> Result<()>,
    ) -> Result<()> {
        let o = organization_id.to_string();
        let cl = client_id.map(|c| c.to_string());
        on_conn!(self, c => {
            let mut rows = sqlx::query_as::<_, BillingRow>(BILLABLE_SQL)
                .bind(&o).bind(from).bind(to).bind(&cl).fetch(&mut *c);
            while let Some(row) = rows.try_next().await? {
                each(row)?;
            }
        });
        Ok(())
    }

    /// Every project of the organization with what billing needs of it.
    pub async fn billing_projects(&mut self, organization_id: Uuid) -> Result<Vec<BillingProject>> {
        let o = organization_id.to_string();
        type Row = (String, String, String, String, Option<i64>, Option<String>);
        let rows: Vec<Row> = on_conn!(self, c => {
            sqlx::query_as("SELECT id, client_id, name, billing_mode, hourly_rate_minor, currency FROM projects WHERE organization_id = $1")
                .bind(&o).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(id, client, name, mode, minor, cur)| {
                Ok(BillingProject {
                    id: parse_uuid(&id)?,
                    client_id: parse_uuid(&client)?,
                    name,
                    billing_mode: mode,
                    rate: rate(minor, cur.as_deref())?,
                })
            })
            .collect()
    }

    /// Puts unbilled entries on an invoice; refuses (changing nothing) unless every one of
    /// them was still unbilled.
    pub async fn attach_entries(
        &mut self,
        organization_id: Uuid,
        invoice_id: Uuid,
        ids: &[Uuid],
    ) -> Result<()> {
        let pairs: Vec<(Uuid, Uuid)> = ids.iter().map(|e| (*e, invoice_id)).collect();
        self.attach_entries_to_invoices(organization_id, pairs)
            .await
    }

    /// Puts each entry on its invoice, `(entry, invoice)`; refuses (the caller rolls back)
    /// unless every entry was still unbilled. Entries are updated in id order, which is
    /// roughly storage order, so a million marks stay a sequential pass.
    pub async fn attach_entries_to_invoices(
        &mut self,
        organization_id: Uuid,
        mut pairs: Vec<(Uuid, Uuid)>,
    ) -> Result<()> {
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        let o = organization_id.to_string();
        let mut done: u64 = 0;
        for chunk in pairs.chunks(50_000) {
            let list: Vec<[String; 2]> = chunk
                .iter()
                .map(|(e, i)| [e.to_string(), i.to_string()])
                .collect();
            let list = serde_json::to_string(&list).map_err(StoreError::corrupt)?;
            done += match self.backend() {
                // `+column` keeps SQLite on the primary key: the (organization, invoice) index
                // would scan every unbilled entry of the organization.
                Backend::Sqlite => on_conn!(self, c => {
                    sqlx::query("UPDATE time_entries SET invoice_id = m.inv FROM \
                                 (SELECT value ->> 0 AS id, value ->> 1 AS inv FROM json_each($2)) AS m \
                                 WHERE time_entries.id = m.id AND +time_entries.organization_id = $1 AND +time_entries.invoice_id IS NULL")
                        .bind(&o).bind(&list).execute(&mut *c).await?.rows_affected()
                }),
                Backend::Postgres => on_conn!(self, c => {
                    sqlx::query("UPDATE time_entries t SET invoice_id = m.inv FROM \
                                 (SELECT e ->> 0 AS id, e ->> 1 AS inv FROM json_array_elements($2::json) e) m \
                                 WHERE t.id = m.id AND t.organization_id = $1 AND t.invoice_id IS NULL")
                        .bind(&o).bind(&list).execute(&mut *c).await?.rows_affected()
                }),
            };
        }
        if done != pairs.len() as u64 {
            return Err(StoreError::Conflict(format!(
                "{} of {} time entries are already on an invoice (or unknown): nothing was attached; reload and try again",
                pairs.len() as u64 - done,
                pairs.len()
            )));
        }
        Ok(())
    }

    /// Takes entries off an (editable) invoice: the given ones, or all of them.
    pub async fn release_entries(
        &mut self,
        organization_id: Uuid,
        invoice_id: Uuid,
        ids: Option<&[Uuid]>,
    ) -> Result<u64> {
        let (o, inv) = (organization_id.to_string(), invoice_id.to_string());
        let Some(ids) = ids else {
            return Ok(on_conn!(self, c => {
                sqlx::query("UPDATE time_entries SET invoice_id = NULL WHERE organization_id = $1 AND invoice_id = $2")
                    .bind(&o).bind(&inv).execute(&mut *c).await?.rows_affected()
            }));
        };
        let list = ids_json(ids);
        let n = match self.backend() {
            Backend::Sqlite => on_conn!(self, c => {
                sqlx::query("UPDATE time_entries SET invoice_id = NULL WHERE organization_id = $1 AND invoice_id = $2 \
                             AND id IN (SELECT value FROM json_each($3))")
                    .bind(&o).bind(&inv).bind(&list).execute(&mut *c).await?.rows_affected()
            }),
            Backend::Postgres => on_conn!(self, c => {
                sqlx::query("UPDATE time_entries SET invoice_id = NULL WHERE organization_id = $1 AND invoice_id = $2 \
                             AND id IN (SELECT json_array_elements_text($3::json))")
                    .bind(&o).bind(&inv).bind(&list).execute(&mut *c).await?.rows_affected()
            }),
        };
        Ok(n)
    }

    /// The entries an invoice bills, with their source identity.
    pub async fn invoiced_entries(
        &mut self,
        organization_id: Uuid,
        invoice_id: Uuid,
    ) -> Result<Vec<InvoicedEntry>> {
        let (o, inv) = (organization_id.to_string(), invoice_id.to_string());
        let rows: Vec<(String, String, String, Option<DateTime<Utc>>)> = on_conn!(self, c => {
            sqlx::query_as("SELECT id, source, external_id, source_invoiced_at FROM time_entries \
                            WHERE organization_id = $1 AND invoice_id = $2 ORDER BY id")
                .bind(&o).bind(&inv).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(id, src, ext, at)| {
                Ok(InvoicedEntry {
                    id: parse_uuid(&id)?,
                    source: TimeSource::parse(&src)
                        .ok_or_else(|| StoreError::corrupt(format!("bad time source `{src}`")))?,
                    external_id: ext,
                    marked_at_source: at.is_some(),
                })
            })
            .collect()
    }

    /// Records that entries are marked invoiced at their source.
    pub async fn mark_invoiced_at_source(
        &mut self,
        organization_id: Uuid,
        ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let o = organization_id.to_string();
        let list = ids_json(ids);
        match self.backend() {
            Backend::Sqlite => on_conn!(self, c => {
                sqlx::query("UPDATE time_entries SET source_invoiced_at = $2 WHERE id IN (SELECT value FROM json_each($3)) \
                             AND +organization_id = $1 AND source_invoiced_at IS NULL")
                    .bind(&o).bind(now).bind(&list).execute(&mut *c).await?;
            }),
            Backend::Postgres => on_conn!(self, c => {
                sqlx::query("UPDATE time_entries SET source_invoiced_at = $2 WHERE organization_id = $1 AND source_invoiced_at IS NULL \
                             AND id IN (SELECT json_array_elements_text($3::json))")
                    .bind(&o).bind(now).bind(&list).execute(&mut *c).await?;
            }),
        }
        Ok(())
    }

    /// Entries flagged for review, oldest first.
    pub async fn entries_to_review(&mut self, organization_id: Uuid) -> Result<Vec<ReviewRow>> {
        let o = organization_id.to_string();
        Ok(on_conn!(self, c => {
            sqlx::query_as("SELECT id, source, external_id, invoice_id, description, review_reason, review_detail \
                            FROM time_entries WHERE organization_id = $1 AND review_reason IS NOT NULL ORDER BY id")
                .bind(&o).fetch_all(&mut *c).await?
        }))
    }
}
