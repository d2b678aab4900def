//! Payments recorded against invoices.

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::Money;
use uuid::Uuid;

use crate::{Result, StoreError, Tx};

/// A payment to record.
#[derive(Clone, Debug)]
pub struct NewPayment<'a> {
    pub organization_id: Uuid,
    pub invoice_id: Uuid,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub source: &'a str,
    pub reference: Option<&'a str>,
}

impl Tx {
    pub async fn insert_payment(&mut self, p: &NewPayment<'_>, now: DateTime<Utc>) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let (key, o, inv) = (
            id.to_string(),
            p.organization_id.to_string(),
            p.invoice_id.to_string(),
        );
        let amount = p.amount.to_minor().map_err(StoreError::corrupt)?;
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO payments (id, organization_id, invoice_id, amount_minor, currency, received_on, source, reference, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            )
            .bind(&key).bind(&o).bind(&inv).bind(amount).bind(p.amount.currency().code())
            .bind(p.received_on).bind(p.source).bind(p.reference).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(id)
    }
}

impl Tx {
    /// Deletes the payment a source recorded under `reference` (an undone bank allocation).
    pub async fn delete_payment_by_reference(
        &mut self,
        organization_id: Uuid,
        source: &str,
        reference: &str,
    ) -> Result<u64> {
        let o = organization_id.to_string();
        Ok(on_conn!(self, c => {
            sqlx::query("DELETE FROM payments WHERE organization_id = $1 AND source = $2 AND reference = $3")
                .bind(&o).bind(source).bind(reference).execute(&mut *c).await?.rows_affected()
        }))
    }
}
