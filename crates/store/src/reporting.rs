//! Read-only facts for the validation rules and the dashboard: a client's earlier invoices,
//! the time entries behind a draft, open balances, issued amounts and payments over a period.

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::Money;
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Result, Tx};

/// Another invoice of a client, as the duplicate rule sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientInvoiceFact {
    pub id: Uuid,
    pub number: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub issue_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub gross: Money,
}

/// A time entry billed on a draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceEntry {
    pub id: Uuid,
    pub project: String,
    pub user_name: String,
    pub description: String,
    pub started_at: DateTime<Utc>,
    pub duration_seconds: i64,
}

/// A payment with the invoice it settles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentFact {
    pub received_on: NaiveDate,
    pub amount: Money,
    pub invoice_id: Uuid,
    pub number: Option<String>,
    pub client: String,
}

/// An open invoice's balance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenBalance {
    pub due_date: Option<NaiveDate>,
    pub outstanding: Money,
}

/// Gross amount of an issued invoice on its issue date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedAmount {
    pub issue_date: NaiveDate,
    pub gross: Money,
}

impl Tx {
    /// Gross amounts of the client's latest issued invoices (not cancelled), newest first.
    pub async fn client_issued_gross(
        &mut self,
        org: Uuid,
        client: Uuid,
        limit: i64,
    ) -> Result<Vec<Money>> {
        let (o, cl) = (org.to_string(), client.to_string());
        let rows: Vec<(String, i64)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT currency, gross_minor FROM invoices WHERE organization_id = $1 AND client_id = $2 \
                 AND kind = 'invoice' AND number IS NOT NULL AND status <> 'cancelled' \
                 ORDER BY issue_date DESC, id DESC LIMIT $3",
            )
            .bind(&o).bind(&cl).bind(limit).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(cur, g)| Ok(Money::from_minor(g, currency(&cur)?)))
            .collect()
    }

    /// The client's invoices that are not cancelled (drafts included), newest first.
    pub async fn client_invoice_facts(
        &mut self,
        org: Uuid,
        client: Uuid,
        limit: i64,
    ) -> Result<Vec<ClientInvoiceFact>> {
        type Row = (
            String,
            Option<String>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            DateTime<Utc>,
            String,
            i64,
        );
        let (o, cl) = (org.to_string(), client.to_string());
        let rows: Vec<Row> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, number, period_start, period_end, issue_date, created_at, currency, gross_minor FROM invoices \
                 WHERE organization_id = $1 AND client_id = $2 AND kind = 'invoice' AND status <> 'cancelled' \
                 ORDER BY id DESC LIMIT $3",
            )
            .bind(&o).bind(&cl).bind(limit).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(id, number, ps, pe, issue, created, cur, g)| {
                Ok(ClientInvoiceFact {
                    id: parse_uuid(&id)?,
                    number,
                    period_start: ps,
                    period_end: pe,
                    issue_date: issue,
                    created_at: created,
                    gross: Money::from_minor(g, currency(&cur)?),
                })
            })
            .collect()
    }

    /// The time entries of `ids` (in this organization), oldest first.
    pub async fn source_entries(&mut self, org: Uuid, ids: &[Uuid]) -> Result<Vec<SourceEntry>> {
        let o = org.to_string();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let key = id.to_string();
            let row: Option<(String, String, String, String, DateTime<Utc>, i64)> = on_conn!(self, c => {
                sqlx::query_as(
                    "SELECT t.id, p.name, t.user_name, t.description, t.started_at, t.duration_seconds \
                     FROM time_entries t JOIN projects p ON p.id = t.project_id AND p.organization_id = t.organization_id \
                     WHERE t.organization_id = $1 AND t.id = $2",
                )
                .bind(&o).bind(&key).fetch_optional(&mut *c).await?
            });
            if let Some((id, project, user_name, description, started_at, duration_seconds)) = row {
                out.push(SourceEntry {
                    id: parse_uuid(&id)?,
                    project,
                    user_name,
                    description,
                    started_at,
                    duration_seconds,
                });
            }
        }
        out.sort_by_key(|e| e.started_at);
        Ok(out)
    }

    /// Seconds `person` recorded between `from` (inclusive) and `to` (exclusive), over every
    /// project of the organization.
    pub async fn person_seconds(
        &mut self,
        org: Uuid,
        person: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64> {
        let o = org.to_string();
        let n: i64 = on_conn!(self, c => {
            sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(duration_seconds), 0) AS BIGINT) FROM time_entries \
                 WHERE organization_id = $1 AND user_name = $2 AND started_at >= $3 AND started_at < $4",
            )
            .bind(&o).bind(person).bind(from).bind(to).fetch_one(&mut *c).await?
        });
        Ok(n)
    }

    /// Balances of open invoices (issued, sent, partially paid).
    pub async fn open_balances(&mut self, org: Uuid) -> Result<Vec<OpenBalance>> {
        let o = org.to_string();
        let rows: Vec<(String, Option<NaiveDate>, i64, i64)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT currency, due_date, gross_minor, paid_minor FROM invoices WHERE organization_id = $1 \
                 AND kind = 'invoice' AND status IN ('issued', 'sent', 'partially_paid')",
            )
            .bind(&o).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(cur, due, g, p)| {
                Ok(OpenBalance {
                    due_date: due,
                    outstanding: Money::from_minor(g - p, currency(&cur)?),
                })
            })
            .collect()
    }

    /// Invoices issued on or after `from` (not cancelled by a credit note).
    pub async fn issued_since(&mut self, org: Uuid, from: NaiveDate) -> Result<Vec<IssuedAmount>> {
        let o = org.to_string();
        let rows: Vec<(String, NaiveDate, i64)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT currency, issue_date, gross_minor FROM invoices WHERE organization_id = $1 \
                 AND kind = 'invoice' AND number IS NOT NULL AND status <> 'cancelled' AND issue_date >= $2",
            )
            .bind(&o).bind(from).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(cur, d, g)| {
                Ok(IssuedAmount {
                    issue_date: d,
                    gross: Money::from_minor(g, currency(&cur)?),
                })
            })
            .collect()
    }

    /// Payments received on or after `from`, newest first (optionally of one client).
    pub async fn payments_since(
        &mut self,
        org: Uuid,
        from: NaiveDate,
        client: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<PaymentFact>> {
        let (o, cl) = (org.to_string(), client.map(|c| c.to_string()));
        let rows: Vec<(NaiveDate, i64, String, String, Option<String>, String)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT p.received_on, p.amount_minor, p.currency, i.id, i.number, c.name FROM payments p \
                 JOIN invoices i ON i.id = p.invoice_id AND i.organization_id = p.organization_id \
                 JOIN clients c ON c.id = i.client_id AND c.organization_id = i.organization_id \
                 WHERE p.organization_id = $1 AND p.received_on >= $2 AND ($3 IS NULL OR i.client_id = $3) \
                 ORDER BY p.received_on DESC, p.id DESC LIMIT $4",
            )
            .bind(&o).bind(from).bind(&cl).bind(limit).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(d, a, cur, id, number, client)| {
                Ok(PaymentFact {
                    received_on: d,
                    amount: Money::from_minor(a, currency(&cur)?),
                    invoice_id: parse_uuid(&id)?,
                    number,
                    client,
                })
            })
            .collect()
    }

    /// How many invoices wait for approval.
    pub async fn count_pending_approval(&mut self, org: Uuid) -> Result<i64> {
        let o = org.to_string();
        let n: i64 = on_conn!(self, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM invoices WHERE organization_id = $1 AND status = 'pending_approval'")
                .bind(&o).fetch_one(&mut *c).await?
        });
        Ok(n)
    }
}
