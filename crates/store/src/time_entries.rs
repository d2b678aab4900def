//! Time entries: imported idempotently by `(source, external_id)`, billed at most once.

use chrono::{DateTime, Utc};
use encaisse_core::Money;
use encaisse_core::time_entry::{TimeEntry, TimeSource};
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Result, StoreError, Tx};

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    organization_id: String,
    project_id: String,
    source: String,
    external_id: String,
    user_name: String,
    description: String,
    started_at: DateTime<Utc>,
    duration_seconds: i64,
    billable: bool,
    hourly_rate_minor: Option<i64>,
    rate_currency: Option<String>,
    invoice_id: Option<String>,
}

impl TryFrom<EntryRow> for TimeEntry {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> Result<Self> {
        let rate = match (r.hourly_rate_minor, r.rate_currency) {
            (Some(m), Some(cur)) => Some(Money::from_minor(m, currency(&cur)?)),
            _ => None,
        };
        Ok(TimeEntry {
            id: parse_uuid(&r.id)?,
            organization_id: parse_uuid(&r.organization_id)?,
            project_id: parse_uuid(&r.project_id)?,
            source: TimeSource::parse(&r.source)
                .ok_or_else(|| StoreError::corrupt(format!("bad time source `{}`", r.source)))?,
            external_id: r.external_id,
            user_name: r.user_name,
            description: r.description,
            started_at: r.started_at,
            duration_seconds: r.duration_seconds,
            billable: r.billable,
            hourly_rate: rate,
            invoice_id: r.invoice_id.as_deref().map(parse_uuid).transpose()?,
        })
    }
}

/// Filters for listing time entries.
#[derive(Clone, Debug, Default)]
pub struct TimeEntryFilter {
    pub project_id: Option<Uuid>,
    pub unbilled_only: bool,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
    /// Keyset cursor: entries with an id below this one.
    pub before_id: Option<Uuid>,
}

impl Tx {
    /// Inserts an entry; the same `(source, external_id)` a second time changes nothing and
    /// returns `false`.
    pub async fn insert_time_entry(&mut self, e: &TimeEntry, now: DateTime<Utc>) -> Result<bool> {
        let (id, o, p) = (
            e.id.to_string(),
            e.organization_id.to_string(),
            e.project_id.to_string(),
        );
        let rate = e
            .hourly_rate
            .map(|m| m.rounded().to_minor())
            .transpose()
            .map_err(StoreError::corrupt)?;
        let cur = e.hourly_rate.map(|m| m.currency().code());
        let inv = e.invoice_id.map(|i| i.to_string());
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO time_entries (id, organization_id, project_id, source, external_id, user_name, description, \
                 started_at, duration_seconds, billable, hourly_rate_minor, rate_currency, invoice_id, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) \
                 ON CONFLICT (organization_id, source, external_id) DO NOTHING",
            )
            .bind(&id).bind(&o).bind(&p).bind(e.source.as_str()).bind(&e.external_id).bind(&e.user_name)
            .bind(&e.description).bind(e.started_at).bind(e.duration_seconds).bind(e.billable)
            .bind(rate).bind(cur).bind(&inv).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn time_entries(
        &mut self,
        organization_id: Uuid,
        f: &TimeEntryFilter,
    ) -> Result<Vec<TimeEntry>> {
        let o = organization_id.to_string();
        let p = f.project_id.map(|p| p.to_string());
        let before = crate::db::keyset_before(f.before_id);
        let rows: Vec<EntryRow> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT * FROM time_entries WHERE organization_id = $1 AND ($2 IS NULL OR project_id = $2) \
                 AND ($3 = FALSE OR invoice_id IS NULL) AND ($4 IS NULL OR started_at >= $4) \
                 AND ($5 IS NULL OR started_at < $5) AND id < $6 ORDER BY id DESC LIMIT $7",
            )
            .bind(&o).bind(&p).bind(f.unbilled_only).bind(f.from).bind(f.to).bind(&before).bind(f.limit)
            .fetch_all(&mut *c).await?
        });
        rows.into_iter().map(TimeEntry::try_from).collect()
    }
}
