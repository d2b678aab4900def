//! Invoices and credit notes with their lines.
//!
//! Amounts computed by `core` are stored beside the lines (net, VAT, gross in minor units) so
//! lists and reports never recompute; an issued invoice also keeps its frozen JSON and the
//! SHA-256 of it. Nothing here lets an issued invoice's content change: only status, the
//! dispute flag and the paid amount move after issue.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::invoice::{
    CorrectedInvoice, DocumentKind, Invoice, InvoiceLine, InvoiceStatus, Period, UnitCode,
};
use encaisse_core::reference::{CreditorReference, PaymentReference, QrReference};
use encaisse_core::totals::Totals;
use encaisse_core::vat::VatRate;
use encaisse_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Backend, Result, StoreError, Tx};

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    id: String,
    organization_id: String,
    client_id: String,
    kind: String,
    status: String,
    disputed: bool,
    number: Option<String>,
    currency: String,
    issue_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    buyer_reference: Option<String>,
    purchase_order: Option<String>,
    notes: Option<String>,
    corrects_invoice_id: Option<String>,
    payment_reference_kind: Option<String>,
    payment_reference: Option<String>,
    paid_minor: i64,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    description: String,
    quantity: String,
    unit: String,
    unit_price: String,
    discount_percent: String,
    vat_category: String,
    vat_percent: String,
    time_entry_ids: String,
}

fn dec(s: &str, what: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| StoreError::corrupt(format!("bad {what} `{s}`: {e}")))
}

fn minor(m: &Money) -> Result<i64> {
    m.to_minor().map_err(StoreError::corrupt)
}

fn status(s: &str) -> Result<InvoiceStatus> {
    InvoiceStatus::parse(s).ok_or_else(|| StoreError::corrupt(format!("bad invoice status `{s}`")))
}

impl LineRow {
    fn into_line(self) -> Result<InvoiceLine> {
        let vat = VatRate::parse(&self.vat_category, dec(&self.vat_percent, "VAT rate")?)
            .map_err(StoreError::corrupt)?;
        let ids: Vec<Uuid> =
            serde_json::from_str(&self.time_entry_ids).map_err(StoreError::corrupt)?;
        Ok(InvoiceLine {
            description: self.description,
            quantity: dec(&self.quantity, "quantity")?,
            unit: UnitCode(self.unit),
            unit_price: dec(&self.unit_price, "unit price")?,
            discount_percent: dec(&self.discount_percent, "discount")?,
            vat,
            time_entry_ids: ids,
        })
    }
}

/// An invoice as it appears in lists, with its amounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceSummary {
    pub id: Uuid,
    pub kind: DocumentKind,
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub disputed: bool,
    pub client_id: Uuid,
    pub client_name: String,
    pub currency: Currency,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub net: Money,
    pub vat: Money,
    pub gross: Money,
    pub paid: Money,
    pub outstanding: Money,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    kind: String,
    number: Option<String>,
    status: String,
    disputed: bool,
    client_id: String,
    client_name: String,
    currency: String,
    issue_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    net_minor: i64,
    vat_minor: i64,
    gross_minor: i64,
    paid_minor: i64,
}

impl TryFrom<SummaryRow> for InvoiceSummary {
    type Error = StoreError;
    fn try_from(r: SummaryRow) -> Result<Self> {
        let cur = currency(&r.currency)?;
        Ok(InvoiceSummary {
            id: parse_uuid(&r.id)?,
            kind: DocumentKind::parse(&r.kind).ok_or_else(|| StoreError::corrupt("bad kind"))?,
            number: r.number,
            status: status(&r.status)?,
            disputed: r.disputed,
            client_id: parse_uuid(&r.client_id)?,
            client_name: r.client_name,
            currency: cur,
            issue_date: r.issue_date,
            due_date: r.due_date,
            net: Money::from_minor(r.net_minor, cur),
            vat: Money::from_minor(r.vat_minor, cur),
            gross: Money::from_minor(r.gross_minor, cur),
            paid: Money::from_minor(r.paid_minor, cur),
            outstanding: Money::from_minor(r.gross_minor - r.paid_minor, cur),
        })
    }
}

/// Filters for listing invoices. Results are newest first; page with `before_id`.
#[derive(Clone, Debug, Default)]
pub struct InvoiceFilter {
    pub status: Option<InvoiceStatus>,
    pub kind: Option<DocumentKind>,
    pub client_id: Option<Uuid>,
    pub currency: Option<Currency>,
    pub issued_from: Option<NaiveDate>,
    pub issued_to: Option<NaiveDate>,
    /// Only open invoices whose due date is before this day.
    pub overdue_on: Option<NaiveDate>,
    pub limit: i64,
    pub before_id: Option<Uuid>,
}

/// What issuing writes, all at once.
#[derive(Clone, Debug)]
pub struct IssuedFields {
    pub number: String,
    pub sequence_period: String,
    pub sequence_value: i64,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub payment_reference: Option<PaymentReference>,
    pub frozen_json: String,
    pub frozen_sha256: String,
}

const SUMMARY_SQL: &str = "SELECT i.id, i.kind, i.number, i.status, i.disputed, i.client_id, c.name AS client_name, \
     i.currency, i.issue_date, i.due_date, i.net_minor, i.vat_minor, i.gross_minor, i.paid_minor \
     FROM invoices i JOIN clients c ON c.id = i.client_id AND c.organization_id = i.organization_id \
     WHERE i.organization_id = $1 AND ($2 IS NULL OR i.status = $2) AND ($3 IS NULL OR i.kind = $3) \
     AND ($4 IS NULL OR i.client_id = $4) AND ($5 IS NULL OR i.currency = $5) \
     AND ($6 IS NULL OR i.issue_date >= $6) AND ($7 IS NULL OR i.issue_date <= $7) \
     AND ($8 IS NULL OR (i.due_date < $8 AND i.status IN ('issued', 'sent', 'partially_paid'))) \
     AND i.id < $9 ORDER BY i.id DESC LIMIT $10";

impl Tx {
    /// Inserts an invoice with its lines and amounts. With an `external_ref`, a second insert
    /// of the same reference does nothing and returns `false`.
    pub async fn insert_invoice(
        &mut self,
        inv: &Invoice,
        totals: &Totals,
        external_ref: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (id, o, cl) = (
            inv.id.to_string(),
            inv.organization_id.to_string(),
            inv.client_id.to_string(),
        );
        let (ref_kind, ref_value) = reference_columns(inv.payment_reference.as_ref());
        let corrects = inv.corrects.as_ref().map(|c| c.invoice_id.to_string());
        let (net, vat, gross, paid) = (
            minor(&totals.tax_exclusive)?,
            minor(&totals.vat_total)?,
            minor(&totals.tax_inclusive)?,
            minor(&inv.paid)?,
        );
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO invoices (id, organization_id, client_id, kind, status, disputed, number, currency, \
                 issue_date, due_date, period_start, period_end, buyer_reference, purchase_order, notes, \
                 corrects_invoice_id, payment_reference_kind, payment_reference, net_minor, vat_minor, gross_minor, \
                 paid_minor, external_ref, created_at, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$24) \
                 ON CONFLICT (organization_id, external_ref) DO NOTHING",
            )
            .bind(&id).bind(&o).bind(&cl).bind(inv.kind.as_str()).bind(inv.status.as_str()).bind(inv.disputed)
            .bind(&inv.number).bind(inv.currency.code()).bind(inv.issue_date).bind(inv.due_date)
            .bind(inv.service_period.map(|p| p.start)).bind(inv.service_period.map(|p| p.end))
            .bind(&inv.buyer_reference).bind(&inv.purchase_order).bind(&inv.notes).bind(&corrects)
            .bind(ref_kind).bind(ref_value).bind(net).bind(vat).bind(gross).bind(paid)
            .bind(external_ref).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        if n == 0 {
            return Ok(false);
        }
        self.insert_lines(inv, totals).await?;
        Ok(true)
    }

    async fn insert_lines(&mut self, inv: &Invoice, totals: &Totals) -> Result<()> {
        let (id, o) = (inv.id.to_string(), inv.organization_id.to_string());
        for (pos, (line, amounts)) in inv.lines.iter().zip(&totals.lines).enumerate() {
            let line_id = Uuid::now_v7().to_string();
            let ids = serde_json::to_string(&line.time_entry_ids).map_err(StoreError::corrupt)?;
            let pos = i32::try_from(pos + 1).map_err(StoreError::corrupt)?;
            let net = minor(&amounts.net)?;
            on_conn!(self, c => {
                sqlx::query(
                    "INSERT INTO invoice_lines (id, invoice_id, organization_id, position, description, quantity, unit, \
                     unit_price, discount_percent, vat_category, vat_percent, net_minor, time_entry_ids) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
                )
                .bind(&line_id).bind(&id).bind(&o).bind(pos).bind(&line.description)
                .bind(line.quantity.to_string()).bind(&line.unit.0).bind(line.unit_price.to_string())
                .bind(line.discount_percent.to_string()).bind(line.vat.category().code())
                .bind(line.vat.percent().to_string()).bind(net).bind(&ids)
                .execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Replaces the lines and amounts of an editable invoice.
    pub async fn replace_invoice_lines(
        &mut self,
        inv: &Invoice,
        totals: &Totals,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (id, o) = (inv.id.to_string(), inv.organization_id.to_string());
        let (net, vat, gross) = (
            minor(&totals.tax_exclusive)?,
            minor(&totals.vat_total)?,
            minor(&totals.tax_inclusive)?,
        );
        let n = on_conn!(self, c => {
            sqlx::query("DELETE FROM invoice_lines WHERE organization_id = $1 AND invoice_id = $2")
                .bind(&o).bind(&id).execute(&mut *c).await?;
            sqlx::query(
                "UPDATE invoices SET net_minor = $3, vat_minor = $4, gross_minor = $5, updated_at = $6 \
                 WHERE organization_id = $1 AND id = $2 AND status IN ('draft', 'rejected')",
            )
            .bind(&o).bind(&id).bind(net).bind(vat).bind(gross).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "invoice {id} is not an editable draft"
            )));
        }
        self.insert_lines(inv, totals).await
    }

    async fn load_invoice(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
        lock: bool,
    ) -> Result<Invoice> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let row: Option<InvoiceRow> = match (self.backend(), lock) {
            (Backend::Postgres, true) => on_conn!(self, c => {
                sqlx::query_as("SELECT * FROM invoices WHERE organization_id = $1 AND id = $2 FOR UPDATE")
                    .bind(&o).bind(&key).fetch_optional(&mut *c).await?
            }),
            _ => on_conn!(self, c => {
                sqlx::query_as("SELECT * FROM invoices WHERE organization_id = $1 AND id = $2")
                    .bind(&o).bind(&key).fetch_optional(&mut *c).await?
            }),
        };
        let r = row.ok_or(StoreError::NotFound {
            entity: "invoice",
            id: key.clone(),
        })?;
        let lines: Vec<LineRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM invoice_lines WHERE organization_id = $1 AND invoice_id = $2 ORDER BY position")
                .bind(&o).bind(&key).fetch_all(&mut *c).await?
        });
        let corrects = match &r.corrects_invoice_id {
            Some(cid) => {
                let (num, date): (Option<String>, Option<NaiveDate>) = on_conn!(self, c => {
                    sqlx::query_as("SELECT number, issue_date FROM invoices WHERE organization_id = $1 AND id = $2")
                        .bind(&o).bind(cid).fetch_one(&mut *c).await?
                });
                match (num, date) {
                    (Some(number), Some(issue_date)) => Some(CorrectedInvoice {
                        invoice_id: parse_uuid(cid)?,
                        number,
                        issue_date,
                    }),
                    _ => {
                        return Err(StoreError::corrupt(format!(
                            "credit note {key} corrects an unissued invoice"
                        )));
                    }
                }
            }
            None => None,
        };
        let cur = currency(&r.currency)?;
        Ok(Invoice {
            id: parse_uuid(&r.id)?,
            organization_id: parse_uuid(&r.organization_id)?,
            client_id: parse_uuid(&r.client_id)?,
            kind: DocumentKind::parse(&r.kind).ok_or_else(|| StoreError::corrupt("bad kind"))?,
            status: status(&r.status)?,
            disputed: r.disputed,
            number: r.number,
            currency: cur,
            issue_date: r.issue_date,
            due_date: r.due_date,
            service_period: match (r.period_start, r.period_end) {
                (Some(start), Some(end)) => Some(Period { start, end }),
                _ => None,
            },
            buyer_reference: r.buyer_reference,
            purchase_order: r.purchase_order,
            notes: r.notes,
            lines: lines
                .into_iter()
                .map(LineRow::into_line)
                .collect::<Result<_>>()?,
            corrects,
            payment_reference: parse_reference(
                r.payment_reference_kind.as_deref(),
                r.payment_reference.as_deref(),
            )?,
            paid: Money::from_minor(r.paid_minor, cur),
        })
    }

    pub async fn invoice(&mut self, organization_id: Uuid, id: Uuid) -> Result<Invoice> {
        self.load_invoice(organization_id, id, false).await
    }

    /// Loads and locks the invoice row until the transaction ends (PostgreSQL); SQLite's write
    /// transaction already excludes other writers.
    pub async fn invoice_for_update(&mut self, organization_id: Uuid, id: Uuid) -> Result<Invoice> {
        self.load_invoice(organization_id, id, true).await
    }

    pub async fn invoice_id_by_number(
        &mut self,
        organization_id: Uuid,
        number: &str,
    ) -> Result<Option<Uuid>> {
        let o = organization_id.to_string();
        let id: Option<String> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT id FROM invoices WHERE organization_id = $1 AND number = $2 ORDER BY kind LIMIT 1")
                .bind(&o).bind(number).fetch_optional(&mut *c).await?
        });
        id.as_deref().map(parse_uuid).transpose()
    }

    pub async fn invoice_id_by_external_ref(
        &mut self,
        organization_id: Uuid,
        external_ref: &str,
    ) -> Result<Option<Uuid>> {
        let o = organization_id.to_string();
        let id: Option<String> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT id FROM invoices WHERE organization_id = $1 AND external_ref = $2")
                .bind(&o).bind(external_ref).fetch_optional(&mut *c).await?
        });
        id.as_deref().map(parse_uuid).transpose()
    }

    /// Moves the status; `expected` guards against a concurrent change.
    pub async fn set_invoice_status(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
        expected: InvoiceStatus,
        to: InvoiceStatus,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let n = on_conn!(self, c => {
            sqlx::query("UPDATE invoices SET status = $4, updated_at = $5 WHERE organization_id = $1 AND id = $2 AND status = $3")
                .bind(&o).bind(&key).bind(expected.as_str()).bind(to.as_str()).bind(now)
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "invoice {key} is no longer {expected}: someone changed it meanwhile; reload and try again"
            )));
        }
        Ok(())
    }

    /// Freezes an approved invoice as issued.
    pub async fn mark_invoice_issued(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
        f: &IssuedFields,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let (ref_kind, ref_value) = reference_columns(f.payment_reference.as_ref());
        let n = on_conn!(self, c => {
            sqlx::query(
                "UPDATE invoices SET status = 'issued', number = $3, sequence_period = $4, sequence_value = $5, \
                 issue_date = $6, due_date = $7, payment_reference_kind = $8, payment_reference = $9, \
                 frozen_json = $10, frozen_sha256 = $11, issued_at = $12, updated_at = $12 \
                 WHERE organization_id = $1 AND id = $2 AND status = 'approved' AND number IS NULL",
            )
            .bind(&o).bind(&key).bind(&f.number).bind(&f.sequence_period).bind(f.sequence_value)
            .bind(f.issue_date).bind(f.due_date).bind(ref_kind).bind(ref_value)
            .bind(&f.frozen_json).bind(&f.frozen_sha256).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "invoice {key} is not an approved, unnumbered invoice"
            )));
        }
        Ok(())
    }

    /// The frozen document of an issued invoice and its SHA-256.
    pub async fn frozen_invoice(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
    ) -> Result<Option<(String, String)>> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let row: Option<(Option<String>, Option<String>)> = on_conn!(self, c => {
            sqlx::query_as("SELECT frozen_json, frozen_sha256 FROM invoices WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).fetch_optional(&mut *c).await?
        });
        Ok(match row {
            Some((Some(j), Some(h))) => Some((j, h)),
            _ => None,
        })
    }

    /// Sets the paid amount and status after a payment is recorded or undone.
    pub async fn set_invoice_paid(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
        paid: &Money,
        status: InvoiceStatus,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let paid = minor(paid)?;
        on_conn!(self, c => {
            sqlx::query("UPDATE invoices SET paid_minor = $3, status = $4, updated_at = $5 WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).bind(paid).bind(status.as_str()).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn invoices(
        &mut self,
        organization_id: Uuid,
        f: &InvoiceFilter,
    ) -> Result<Vec<InvoiceSummary>> {
        let o = organization_id.to_string();
        let st = f.status.map(|s| s.as_str());
        let kind = f.kind.map(|k| k.as_str());
        let cl = f.client_id.map(|c| c.to_string());
        let cur = f.currency.map(|c| c.code());
        let before = crate::db::keyset_before(f.before_id);
        let rows: Vec<SummaryRow> = on_conn!(self, c => {
            sqlx::query_as(SUMMARY_SQL)
                .bind(&o).bind(st).bind(kind).bind(&cl).bind(cur).bind(f.issued_from).bind(f.issued_to)
                .bind(f.overdue_on).bind(&before).bind(f.limit)
                .fetch_all(&mut *c).await?
        });
        rows.into_iter().map(InvoiceSummary::try_from).collect()
    }

    /// Numbers of issued documents of one kind in a period, sorted by sequence (for gap checks).
    pub async fn issued_sequence_values(
        &mut self,
        organization_id: Uuid,
        kind: DocumentKind,
    ) -> Result<Vec<(String, i64)>> {
        let o = organization_id.to_string();
        let rows: Vec<(String, i64)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT sequence_period, sequence_value FROM invoices WHERE organization_id = $1 AND kind = $2 \
                 AND sequence_value IS NOT NULL ORDER BY sequence_period, sequence_value",
            )
            .bind(&o).bind(kind.as_str()).fetch_all(&mut *c).await?
        });
        Ok(rows)
    }
}

fn reference_columns(r: Option<&PaymentReference>) -> (Option<&'static str>, Option<String>) {
    match r {
        Some(PaymentReference::Qr(q)) => (Some("qr"), Some(q.as_str().to_owned())),
        Some(PaymentReference::Creditor(c)) => (Some("creditor"), Some(c.as_str().to_owned())),
        None => (None, None),
    }
}

fn parse_reference(kind: Option<&str>, value: Option<&str>) -> Result<Option<PaymentReference>> {
    Ok(match (kind, value) {
        (Some("qr"), Some(v)) => Some(PaymentReference::Qr(
            QrReference::parse(v).map_err(StoreError::corrupt)?,
        )),
        (Some("creditor"), Some(v)) => Some(PaymentReference::Creditor(
            CreditorReference::parse(v).map_err(StoreError::corrupt)?,
        )),
        (None, None) => None,
        _ => {
            return Err(StoreError::corrupt(
                "inconsistent payment reference columns",
            ));
        }
    })
}
