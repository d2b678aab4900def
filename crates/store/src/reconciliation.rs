//! Reconciliation records: allocations of bank transactions to invoices (applied, suggested,
//! rejected, undone), client credit from over-payments, the facts confirmations taught, and
//! the open receivables the matcher is given.

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::Money;
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Result, StoreError, Tx};

/// One allocation row to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAllocation<'a> {
    pub organization_id: Uuid,
    pub match_id: Uuid,
    pub transaction_id: Uuid,
    pub invoice_id: Uuid,
    pub candidate_rank: i32,
    pub amount: Money,
    /// Shortfall written off as the payer's bank fee (zero when none).
    pub fee: Money,
    pub method: &'a str,
    pub confidence: &'a str,
    /// `applied` or `suggested`.
    pub status: &'a str,
    pub explanation: &'a str,
    /// For applied rows: the invoice before (exact undo).
    pub invoice_paid_before: Option<Money>,
    pub invoice_status_before: Option<&'a str>,
    pub created_by: &'a str,
}

/// A stored allocation, with the invoice and transaction a reader needs beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllocationRecord {
    pub id: Uuid,
    pub match_id: Uuid,
    pub transaction_id: Uuid,
    pub invoice_id: Uuid,
    pub invoice_number: Option<String>,
    pub client_id: Uuid,
    pub client_name: String,
    pub candidate_rank: i32,
    pub amount: Money,
    pub fee: Money,
    pub method: String,
    pub confidence: String,
    pub status: String,
    pub explanation: String,
    pub invoice_paid_before: Option<Money>,
    pub invoice_status_before: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub bank_reference: String,
    pub booking_date: NaiveDate,
    pub transaction_amount: Money,
    pub counterparty_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AllocationRow {
    id: String,
    match_id: String,
    transaction_id: String,
    invoice_id: String,
    invoice_number: Option<String>,
    client_id: String,
    client_name: String,
    candidate_rank: i32,
    amount_minor: i64,
    fee_minor: i64,
    currency: String,
    method: String,
    confidence: String,
    status: String,
    explanation: String,
    invoice_paid_before_minor: Option<i64>,
    invoice_status_before: Option<String>,
    created_by: String,
    created_at: DateTime<Utc>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    bank_reference: String,
    booking_date: NaiveDate,
    txn_amount_minor: i64,
    txn_currency: String,
    counterparty_name: Option<String>,
}

impl TryFrom<AllocationRow> for AllocationRecord {
    type Error = StoreError;
    fn try_from(r: AllocationRow) -> Result<Self> {
        let cur = currency(&r.currency)?;
        Ok(AllocationRecord {
            id: parse_uuid(&r.id)?,
            match_id: parse_uuid(&r.match_id)?,
            transaction_id: parse_uuid(&r.transaction_id)?,
            invoice_id: parse_uuid(&r.invoice_id)?,
            invoice_number: r.invoice_number,
            client_id: parse_uuid(&r.client_id)?,
            client_name: r.client_name,
            candidate_rank: r.candidate_rank,
            amount: Money::from_minor(r.amount_minor, cur),
            fee: Money::from_minor(r.fee_minor, cur),
            method: r.method,
            confidence: r.confidence,
            status: r.status,
            explanation: r.explanation,
            invoice_paid_before: r
                .invoice_paid_before_minor
                .map(|m| Money::from_minor(m, cur)),
            invoice_status_before: r.invoice_status_before,
            created_by: r.created_by,
            created_at: r.created_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            bank_reference: r.bank_reference,
            booking_date: r.booking_date,
            transaction_amount: Money::from_minor(r.txn_amount_minor, currency(&r.txn_currency)?),
            counterparty_name: r.counterparty_name,
        })
    }
}

const ALLOCATION_SELECT: &str = "SELECT a.id, a.match_id, a.transaction_id, a.invoice_id, i.number AS invoice_number, \
     i.client_id, c.name AS client_name, a.candidate_rank, a.amount_minor, a.fee_minor, a.currency, a.method, \
     a.confidence, a.status, a.explanation, a.invoice_paid_before_minor, a.invoice_status_before, a.created_by, \
     a.created_at, a.decided_by, a.decided_at, t.bank_reference, t.booking_date, t.amount_minor AS txn_amount_minor, \
     t.currency AS txn_currency, t.counterparty_name \
     FROM bank_allocations a \
     JOIN invoices i ON i.organization_id = a.organization_id AND i.id = a.invoice_id \
     JOIN clients c ON c.organization_id = i.organization_id AND c.id = i.client_id \
     JOIN bank_transactions t ON t.organization_id = a.organization_id AND t.id = a.transaction_id ";

/// Money kept for a client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClientCreditRecord {
    pub id: Uuid,
    pub client_id: Uuid,
    pub transaction_id: Uuid,
    pub match_id: Uuid,
    pub amount: Money,
    /// `open` or `undone`.
    pub status: String,
}

/// A stored reconciliation fact: `kind` is `iban_of`, `name_of`, `pays_for`,
/// `not_client_iban` or `not_client_name`; `subject` the IBAN, normalized name or payer
/// client id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FactRecord {
    pub kind: String,
    pub subject: String,
    pub client_id: Uuid,
}

/// An issued invoice that still expects money, as the matcher needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenReceivable {
    pub id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub gross: Money,
    pub paid: Money,
    /// `qr` or `creditor`, with the reference.
    pub payment_reference_kind: Option<String>,
    pub payment_reference: Option<String>,
    pub status: String,
}

type ReceivableRow = (
    String,
    String,
    String,
    String,
    NaiveDate,
    NaiveDate,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    String,
);

impl Tx {
    pub async fn insert_allocation(
        &mut self,
        a: &NewAllocation<'_>,
        now: DateTime<Utc>,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let amount = a.amount.to_minor().map_err(StoreError::corrupt)?;
        let fee = a.fee.to_minor().map_err(StoreError::corrupt)?;
        let before = a
            .invoice_paid_before
            .map(|m| m.to_minor().map_err(StoreError::corrupt))
            .transpose()?;
        let (key, o, m, t, i) = (
            id.to_string(),
            a.organization_id.to_string(),
            a.match_id.to_string(),
            a.transaction_id.to_string(),
            a.invoice_id.to_string(),
        );
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO bank_allocations (id, organization_id, match_id, transaction_id, invoice_id, candidate_rank, \
                 amount_minor, fee_minor, currency, method, confidence, status, explanation, invoice_paid_before_minor, \
                 invoice_status_before, created_by, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)",
            )
            .bind(&key).bind(&o).bind(&m).bind(&t).bind(&i).bind(a.candidate_rank).bind(amount).bind(fee)
            .bind(a.amount.currency().code()).bind(a.method).bind(a.confidence).bind(a.status)
            .bind(a.explanation).bind(before).bind(a.invoice_status_before).bind(a.created_by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(id)
    }

    /// Fills in what an applied allocation needs for an exact undo and marks it applied.
    pub async fn mark_allocation_applied(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
        paid_before: &Money,
        status_before: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let before = paid_before.to_minor().map_err(StoreError::corrupt)?;
        on_conn!(self, c => {
            sqlx::query(
                "UPDATE bank_allocations SET status = 'applied', invoice_paid_before_minor = $3, invoice_status_before = $4, \
                 decided_by = $5, decided_at = $6 WHERE organization_id = $1 AND id = $2",
            )
            .bind(&o).bind(&key).bind(before).bind(status_before).bind(by).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// The allocations of one match (one decision), in the order the money was applied.
    pub async fn allocations_of_match(
        &mut self,
        organization_id: Uuid,
        match_id: Uuid,
    ) -> Result<Vec<AllocationRecord>> {
        let (o, m) = (organization_id.to_string(), match_id.to_string());
        let sql = format!(
            "{ALLOCATION_SELECT} WHERE a.organization_id = $1 AND a.match_id = $2 ORDER BY a.id"
        );
        let rows: Vec<AllocationRow> = on_conn!(self, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&o).bind(&m).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(AllocationRecord::try_from).collect()
    }

    /// The match an allocation id or a match id names.
    pub async fn match_id_of(&mut self, organization_id: Uuid, id: Uuid) -> Result<Option<Uuid>> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let m: Option<String> = on_conn!(self, c => {
            sqlx::query_scalar(
                "SELECT match_id FROM bank_allocations WHERE organization_id = $1 AND (id = $2 OR match_id = $2) LIMIT 1",
            )
            .bind(&o).bind(&key).fetch_optional(&mut *c).await?
        });
        m.as_deref().map(parse_uuid).transpose()
    }

    /// Allocations of a transaction in one status, by match then id.
    pub async fn allocations_of_transaction(
        &mut self,
        organization_id: Uuid,
        transaction_id: Uuid,
        status: &str,
    ) -> Result<Vec<AllocationRecord>> {
        let (o, t) = (organization_id.to_string(), transaction_id.to_string());
        let sql = format!(
            "{ALLOCATION_SELECT} WHERE a.organization_id = $1 AND a.transaction_id = $2 AND a.status = $3 \
             ORDER BY a.candidate_rank, a.match_id, a.id"
        );
        let rows: Vec<AllocationRow> = on_conn!(self, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&o).bind(&t).bind(status).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(AllocationRecord::try_from).collect()
    }

    /// Allocations in one status (`suggested`, `applied`…), newest transaction first.
    pub async fn allocations_with_status(
        &mut self,
        organization_id: Uuid,
        status: &str,
        limit: i64,
    ) -> Result<Vec<AllocationRecord>> {
        let o = organization_id.to_string();
        let sql = format!(
            "{ALLOCATION_SELECT} WHERE a.organization_id = $1 AND a.status = $2 \
             ORDER BY t.booking_date DESC, a.transaction_id, a.candidate_rank, a.id LIMIT $3"
        );
        let rows: Vec<AllocationRow> = on_conn!(self, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&o).bind(status).bind(limit).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(AllocationRecord::try_from).collect()
    }

    /// Moves every allocation of a match from `from` to `to`; returns how many moved.
    pub async fn set_match_status(
        &mut self,
        organization_id: Uuid,
        match_id: Uuid,
        from: &str,
        to: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let (o, m) = (organization_id.to_string(), match_id.to_string());
        Ok(on_conn!(self, c => {
            sqlx::query(
                "UPDATE bank_allocations SET status = $4, decided_by = $5, decided_at = $6 \
                 WHERE organization_id = $1 AND match_id = $2 AND status = $3",
            )
            .bind(&o).bind(&m).bind(from).bind(to).bind(by).bind(now)
            .execute(&mut *c).await?.rows_affected()
        }))
    }

    /// Marks the other suggestions of a transaction (all but `keep`) as `status`.
    pub async fn close_other_suggestions(
        &mut self,
        organization_id: Uuid,
        transaction_id: Uuid,
        keep: Option<Uuid>,
        status: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let (o, t) = (organization_id.to_string(), transaction_id.to_string());
        let keep = keep.map(|k| k.to_string()).unwrap_or_default();
        Ok(on_conn!(self, c => {
            sqlx::query(
                "UPDATE bank_allocations SET status = $4, decided_by = $5, decided_at = $6 \
                 WHERE organization_id = $1 AND transaction_id = $2 AND status = 'suggested' AND match_id <> $3",
            )
            .bind(&o).bind(&t).bind(&keep).bind(status).bind(by).bind(now)
            .execute(&mut *c).await?.rows_affected()
        }))
    }

    /// Deletes the undecided suggestions of a transaction (before it is matched again).
    pub async fn delete_suggestions_of_transaction(
        &mut self,
        organization_id: Uuid,
        transaction_id: Uuid,
    ) -> Result<u64> {
        let (o, t) = (organization_id.to_string(), transaction_id.to_string());
        Ok(on_conn!(self, c => {
            sqlx::query("DELETE FROM bank_allocations WHERE organization_id = $1 AND transaction_id = $2 AND status = 'suggested'")
                .bind(&o).bind(&t).execute(&mut *c).await?.rows_affected()
        }))
    }

    pub async fn insert_client_credit(
        &mut self,
        organization_id: Uuid,
        client_id: Uuid,
        transaction_id: Uuid,
        match_id: Uuid,
        amount: &Money,
        now: DateTime<Utc>,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let minor = amount.to_minor().map_err(StoreError::corrupt)?;
        let (key, o, cl, t, m) = (
            id.to_string(),
            organization_id.to_string(),
            client_id.to_string(),
            transaction_id.to_string(),
            match_id.to_string(),
        );
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO client_credits (id, organization_id, client_id, transaction_id, match_id, amount_minor, currency, status, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,'open',$8)",
            )
            .bind(&key).bind(&o).bind(&cl).bind(&t).bind(&m).bind(minor).bind(amount.currency().code()).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(id)
    }

    /// Credits of the organization (`client_id` to restrict), in creation order.
    pub async fn client_credits(
        &mut self,
        organization_id: Uuid,
        client_id: Option<Uuid>,
    ) -> Result<Vec<ClientCreditRecord>> {
        let o = organization_id.to_string();
        let cl = client_id.map(|c| c.to_string());
        let rows: Vec<(String, String, String, String, i64, String, String)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, client_id, transaction_id, match_id, amount_minor, currency, status FROM client_credits \
                 WHERE organization_id = $1 AND ($2 IS NULL OR client_id = $2) ORDER BY id",
            )
            .bind(&o).bind(&cl).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(id, client, txn, m, amount, cur, status)| {
                Ok(ClientCreditRecord {
                    id: parse_uuid(&id)?,
                    client_id: parse_uuid(&client)?,
                    transaction_id: parse_uuid(&txn)?,
                    match_id: parse_uuid(&m)?,
                    amount: Money::from_minor(amount, currency(&cur)?),
                    status,
                })
            })
            .collect()
    }

    /// Undoes the open credits a match created; returns them.
    pub async fn undo_credits_of_match(
        &mut self,
        organization_id: Uuid,
        match_id: Uuid,
    ) -> Result<u64> {
        let (o, m) = (organization_id.to_string(), match_id.to_string());
        Ok(on_conn!(self, c => {
            sqlx::query("UPDATE client_credits SET status = 'undone' WHERE organization_id = $1 AND match_id = $2 AND status = 'open'")
                .bind(&o).bind(&m).execute(&mut *c).await?.rows_affected()
        }))
    }

    pub async fn reconciliation_facts(&mut self, organization_id: Uuid) -> Result<Vec<FactRecord>> {
        let o = organization_id.to_string();
        let rows: Vec<(String, String, String)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT kind, subject, client_id FROM reconciliation_facts WHERE organization_id = $1 ORDER BY created_at, kind, subject",
            )
            .bind(&o).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(kind, subject, client)| {
                Ok(FactRecord {
                    kind,
                    subject,
                    client_id: parse_uuid(&client)?,
                })
            })
            .collect()
    }

    pub async fn insert_reconciliation_fact(
        &mut self,
        organization_id: Uuid,
        f: &FactRecord,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (o, cl) = (organization_id.to_string(), f.client_id.to_string());
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO reconciliation_facts (organization_id, kind, subject, client_id, created_by, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (organization_id, kind, subject, client_id) DO NOTHING",
            )
            .bind(&o).bind(&f.kind).bind(&f.subject).bind(&cl).bind(by).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn delete_reconciliation_fact(
        &mut self,
        organization_id: Uuid,
        f: &FactRecord,
    ) -> Result<()> {
        let (o, cl) = (organization_id.to_string(), f.client_id.to_string());
        on_conn!(self, c => {
            sqlx::query(
                "DELETE FROM reconciliation_facts WHERE organization_id = $1 AND kind = $2 AND subject = $3 AND client_id = $4",
            )
            .bind(&o).bind(&f.kind).bind(&f.subject).bind(&cl).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Issued invoices (ours and imported) still owed: status issued, sent or partially paid
    /// and a balance above zero.
    pub async fn open_receivables(&mut self, organization_id: Uuid) -> Result<Vec<OpenReceivable>> {
        let o = organization_id.to_string();
        let rows: Vec<ReceivableRow> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT i.id, i.client_id, c.name, i.number, i.issue_date, i.due_date, i.currency, i.gross_minor, \
                 i.paid_minor, i.payment_reference_kind, i.payment_reference, i.status \
                 FROM invoices i JOIN clients c ON c.organization_id = i.organization_id AND c.id = i.client_id \
                 WHERE i.organization_id = $1 AND i.kind = 'invoice' AND i.status IN ('issued', 'sent', 'partially_paid') \
                 AND i.gross_minor > i.paid_minor AND i.number IS NOT NULL AND i.issue_date IS NOT NULL \
                 AND i.due_date IS NOT NULL ORDER BY i.due_date, i.id",
            )
            .bind(&o).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(
                |(id, client, name, number, issue, due, cur, gross, paid, rk, rv, status)| {
                    let cur = currency(&cur)?;
                    Ok(OpenReceivable {
                        id: parse_uuid(&id)?,
                        client_id: parse_uuid(&client)?,
                        client_name: name,
                        number,
                        issue_date: issue,
                        due_date: due,
                        gross: Money::from_minor(gross, cur),
                        paid: Money::from_minor(paid, cur),
                        payment_reference_kind: rk,
                        payment_reference: rv,
                        status,
                    })
                },
            )
            .collect()
    }

    /// Marks an invoice as imported from another tool.
    pub async fn set_invoice_origin(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
        origin: &str,
    ) -> Result<()> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        on_conn!(self, c => {
            sqlx::query("UPDATE invoices SET origin = $3 WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).bind(origin).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// `encaisse` for invoices issued here, `external` for imported ones.
    pub async fn invoice_origin(&mut self, organization_id: Uuid, id: Uuid) -> Result<String> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let origin: Option<String> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT origin FROM invoices WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).fetch_optional(&mut *c).await?
        });
        origin.ok_or(StoreError::NotFound {
            entity: "invoice",
            id: key,
        })
    }
}
