//! Gapless number allocation.
//!
//! The counter row is incremented with an upsert inside the caller's transaction: the row stays
//! locked until commit (PostgreSQL row lock; SQLite's single writer), concurrent issuers wait
//! their turn, and a rollback takes the increment back, so numbers are 1..N with no gap.

use encaisse_core::numbering::SequenceKind;
use uuid::Uuid;

use crate::{Result, Tx};

impl Tx {
    /// Allocates the next value of `(organization, kind, period)` (1 for a new period).
    pub async fn next_sequence_value(
        &mut self,
        organization_id: Uuid,
        kind: SequenceKind,
        period_key: &str,
    ) -> Result<i64> {
        const SQL: &str = "INSERT INTO number_sequences (organization_id, kind, period_key, last_value) \
             VALUES ($1, $2, $3, 1) \
             ON CONFLICT (organization_id, kind, period_key) \
             DO UPDATE SET last_value = number_sequences.last_value + 1 \
             RETURNING last_value";
        let org = organization_id.to_string();
        let value: i64 = on_conn!(self, c => {
            sqlx::query_scalar(SQL)
                .bind(&org)
                .bind(kind.as_str())
                .bind(period_key)
                .fetch_one(&mut *c)
                .await?
        });
        Ok(value)
    }
}
