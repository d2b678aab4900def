//! Alerts: unpaid invoices past their due date, partial payments, cash positions. Each has a
//! `unique_key` per organization, so computing them twice writes them once.

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::Money;
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Result, StoreError, Tx};

/// An alert to raise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAlert<'a> {
    pub organization_id: Uuid,
    /// `overdue_30`, `overdue_60`, `overdue_90`, `partial_payment` or `cash_position`.
    pub kind: &'a str,
    pub unique_key: &'a str,
    pub invoice_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub amount: Option<Money>,
    pub message: &'a str,
    pub as_of: NaiveDate,
}

/// A raised alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertRecord {
    pub id: Uuid,
    pub kind: String,
    pub invoice_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub amount: Option<Money>,
    pub message: String,
    pub as_of: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: String,
    kind: String,
    invoice_id: Option<String>,
    account_id: Option<String>,
    amount_minor: Option<i64>,
    currency: Option<String>,
    message: String,
    as_of: NaiveDate,
    created_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
}

impl TryFrom<AlertRow> for AlertRecord {
    type Error = StoreError;
    fn try_from(r: AlertRow) -> Result<Self> {
        let amount = match (r.amount_minor, r.currency.as_deref()) {
            (Some(m), Some(c)) => Some(Money::from_minor(m, currency(c)?)),
            _ => None,
        };
        Ok(AlertRecord {
            id: parse_uuid(&r.id)?,
            kind: r.kind,
            invoice_id: r.invoice_id.as_deref().map(parse_uuid).transpose()?,
            account_id: r.account_id.as_deref().map(parse_uuid).transpose()?,
            amount,
            message: r.message,
            as_of: r.as_of,
            created_at: r.created_at,
            resolved_at: r.resolved_at,
        })
    }
}

impl Tx {
    /// Raises an alert; `false` when one with the same key exists already.
    pub async fn insert_alert(&mut self, a: &NewAlert<'_>, now: DateTime<Utc>) -> Result<bool> {
        let (id, o) = (Uuid::now_v7().to_string(), a.organization_id.to_string());
        let inv = a.invoice_id.map(|i| i.to_string());
        let acc = a.account_id.map(|i| i.to_string());
        let amount = a
            .amount
            .map(|m| m.to_minor().map_err(StoreError::corrupt))
            .transpose()?;
        let cur = a.amount.map(|m| m.currency().code());
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO alerts (id, organization_id, kind, unique_key, invoice_id, account_id, amount_minor, currency, \
                 message, as_of, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) \
                 ON CONFLICT (organization_id, unique_key) DO NOTHING",
            )
            .bind(&id).bind(&o).bind(a.kind).bind(a.unique_key).bind(&inv).bind(&acc).bind(amount).bind(cur)
            .bind(a.message).bind(a.as_of).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// Resolves the open alerts of an invoice (it was paid); returns how many.
    pub async fn resolve_invoice_alerts(
        &mut self,
        organization_id: Uuid,
        invoice_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let (o, i) = (organization_id.to_string(), invoice_id.to_string());
        Ok(on_conn!(self, c => {
            sqlx::query("UPDATE alerts SET resolved_at = $3 WHERE organization_id = $1 AND invoice_id = $2 AND resolved_at IS NULL")
                .bind(&o).bind(&i).bind(now).execute(&mut *c).await?.rows_affected()
        }))
    }

    /// Deletes the alert with this key (an undone payment takes its partial-payment alert back).
    pub async fn delete_alert(&mut self, organization_id: Uuid, unique_key: &str) -> Result<u64> {
        let o = organization_id.to_string();
        Ok(on_conn!(self, c => {
            sqlx::query("DELETE FROM alerts WHERE organization_id = $1 AND unique_key = $2")
                .bind(&o).bind(unique_key).execute(&mut *c).await?.rows_affected()
        }))
    }

    /// Alerts, newest first; only unresolved ones unless `include_resolved`.
    pub async fn alerts(
        &mut self,
        organization_id: Uuid,
        include_resolved: bool,
        limit: i64,
    ) -> Result<Vec<AlertRecord>> {
        let o = organization_id.to_string();
        let rows: Vec<AlertRow> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, kind, invoice_id, account_id, amount_minor, currency, message, as_of, created_at, resolved_at \
                 FROM alerts WHERE organization_id = $1 AND ($2 OR resolved_at IS NULL) ORDER BY id DESC LIMIT $3",
            )
            .bind(&o).bind(include_resolved).bind(limit).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(AlertRecord::try_from).collect()
    }
}
