//! Incremental synchronisation of an account's transactions by `updated_at`, and the rule
//! that keeps a transaction from being counted twice.
//!
//! # Sync
//!
//! [`QontoClient::sync_transactions`] asks for every status (`pending`, `completed`,
//! `declined`, `reversed`) with `updated_at_from = watermark − overlap` and
//! `sort_by=updated_at:asc`, and returns the transactions changed since, in their latest
//! state, with the new watermark (the greatest `updated_at` seen) for the caller to store.
//! Paging restarts from the last `updated_at` seen (page 1 again) instead of walking page
//! numbers, so that a transaction that changes during the sync (and so moves to the end of
//! the order) cannot shift another one out of the page it was about to be read from. Rows
//! seen twice are merged by id. The small overlap re-reads the last moments of the previous
//! sync, in case Qonto made a row visible after a later one [inferred].
//!
//! # Not counting twice
//!
//! A Qonto transaction is one movement through all its states: `pending` → `completed`, or
//! `pending` → `declined`, and `completed` → `reversed`. It keeps its `transaction_id` (and
//! `id`) throughout. So the caller:
//! 1. stores transactions **keyed by `transaction_id`**, replacing the stored state with the
//!    newer one (re-reading one is harmless);
//! 2. counts as cash, and hands to reconciliation, **only `completed`** ones;
//! 3. when a stored `completed` one turns `reversed`, takes its effect back (unbooks it);
//!    `declined` ones never had any.
//!
//! [`TransactionLedger`] is that rule as a pure value, used by tests and as the reference
//! for the application's storage.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::QontoClient;
use super::model::{Transaction, TransactionPage, TransactionStatus};
use super::query::{AccountSelector, SortBy, SortField, TransactionQuery};
use super::{QontoError, Result};

/// How far back each sync re-reads before the watermark.
pub const SYNC_OVERLAP: Duration = Duration::seconds(60);

/// What one sync brought.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncBatch {
    /// Changed transactions, latest state, in `updated_at` order, each once.
    pub transactions: Vec<Transaction>,
    /// Store it and pass it to the next sync (unchanged when nothing changed).
    pub watermark: Option<DateTime<Utc>>,
    /// Requests made.
    pub pages: u32,
}

impl QontoClient {
    /// The transactions of `account` changed since `watermark` (all of them when `None`).
    pub async fn sync_transactions(
        &self,
        account: &AccountSelector,
        watermark: Option<DateTime<Utc>>,
    ) -> Result<SyncBatch> {
        let mut query = TransactionQuery::for_account(account.clone());
        query.statuses = TransactionStatus::ALL.to_vec();
        query.sort_by = Some(SortBy {
            field: SortField::UpdatedAt,
            descending: false,
        });
        let size = self.config.page_size.clamp(1, 100) as usize;
        let mut from = watermark.map(|w| w - SYNC_OVERLAP);
        let mut page = 1u32;
        let mut pages = 0u32;
        // id → latest state; order by (updated_at, id) at the end.
        let mut seen: BTreeMap<String, Transaction> = BTreeMap::new();
        loop {
            query.updated_at_from = from;
            let (rows, _meta) = self
                .page::<TransactionPage>("/v2/transactions", &query.to_params(), page)
                .await?;
            pages += 1;
            if pages > 100_000 {
                return Err(QontoError::local(
                    "GET /v2/transactions",
                    self.env(),
                    "the sync did not converge after 100,000 pages".into(),
                    "please report it; run the sync again later",
                ));
            }
            let n = rows.len();
            let last = rows.last().map(|t| t.updated_at);
            for t in rows {
                let newer = seen
                    .get(&t.id)
                    .is_none_or(|old| old.updated_at <= t.updated_at);
                if newer {
                    seen.insert(t.id.clone(), t);
                }
            }
            if n < size {
                break;
            }
            match last {
                // Restart after the last row seen (inclusive: ties are re-read, merged by id).
                Some(l) if from.is_none_or(|f| l > f) => {
                    from = Some(l);
                    page = 1;
                }
                // A whole page shares one `updated_at`: walk pages at that instant.
                _ => page += 1,
            }
        }
        let mut transactions: Vec<Transaction> = seen.into_values().collect();
        transactions.sort_by(|a, b| (a.updated_at, &a.id).cmp(&(b.updated_at, &b.id)));
        let newest = transactions.iter().map(|t| t.updated_at).max();
        Ok(SyncBatch {
            watermark: match (watermark, newest) {
                (Some(w), Some(n)) => Some(w.max(n)),
                (w, n) => w.or(n),
            },
            transactions,
            pages,
        })
    }
}

/// What applying a transaction's new state changes for the books.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerChange {
    /// Newly `completed`: count it, reconcile it.
    Booked(Transaction),
    /// Was `completed`, is now `reversed` (or otherwise not booked): take its effect back.
    Unbooked(Transaction),
    /// Known and shown, not counted (`pending`, `declined`, a never-booked `reversed`).
    NotBooked(Transaction),
    /// Nothing new (the same or an older state seen again).
    Unchanged,
}

/// The stored state of an account's Qonto transactions, keyed by `transaction_id`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransactionLedger {
    by_reference: BTreeMap<String, Transaction>,
}

impl TransactionLedger {
    /// Applies one state; idempotent, and an older state never replaces a newer one.
    pub fn apply(&mut self, t: &Transaction) -> LedgerChange {
        let previous = self.by_reference.get(&t.transaction_id);
        if previous.is_some_and(|p| p.updated_at > t.updated_at || p == t) {
            return LedgerChange::Unchanged;
        }
        let was_booked = previous.is_some_and(|p| p.status.is_booked());
        let is_booked = t.status.is_booked();
        self.by_reference
            .insert(t.transaction_id.clone(), t.clone());
        match (was_booked, is_booked) {
            (false, true) => LedgerChange::Booked(t.clone()),
            (true, false) => LedgerChange::Unbooked(t.clone()),
            (true, true) => LedgerChange::Unchanged,
            (false, false) => LedgerChange::NotBooked(t.clone()),
        }
    }

    /// Applies a batch in order.
    pub fn apply_all(&mut self, batch: &[Transaction]) -> Vec<LedgerChange> {
        batch.iter().map(|t| self.apply(t)).collect()
    }

    pub fn get(&self, transaction_id: &str) -> Option<&Transaction> {
        self.by_reference.get(transaction_id)
    }

    pub fn len(&self) -> usize {
        self.by_reference.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_reference.is_empty()
    }

    /// Booked credits minus booked debits, in cents (one currency per account).
    pub fn booked_cents(&self) -> i64 {
        self.by_reference
            .values()
            .filter(|t| t.status.is_booked())
            .map(|t| match t.side {
                super::model::Side::Credit => t.amount_cents,
                super::model::Side::Debit => -t.amount_cents,
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qonto::model::Side;
    use chrono::TimeZone;

    fn tx(status: TransactionStatus, minute: u32) -> Transaction {
        Transaction {
            id: "uuid-1".into(),
            transaction_id: "org-t-1".into(),
            bank_account_id: None,
            amount_cents: 12_000,
            currency: "EUR".into(),
            local_amount_cents: None,
            local_currency: None,
            side: Side::Credit,
            operation_type: Some("income".into()),
            status,
            label: None,
            clean_counterparty_name: None,
            reference: None,
            note: None,
            settled_at: None,
            emitted_at: None,
            updated_at: Utc.with_ymd_and_hms(2026, 1, 5, 9, minute, 0).unwrap(),
            created_at: None,
            settled_balance_cents: None,
            category: None,
            subject_type: None,
            attachment_ids: vec![],
            income: None,
            transfer: None,
            direct_debit: None,
            swift_income: None,
            check: None,
        }
    }

    #[test]
    fn a_pending_transaction_is_counted_once_when_it_settles_and_taken_back_when_reversed() {
        let mut l = TransactionLedger::default();
        assert!(matches!(
            l.apply(&tx(TransactionStatus::Pending, 0)),
            LedgerChange::NotBooked(_)
        ));
        assert_eq!(l.booked_cents(), 0);
        assert!(matches!(
            l.apply(&tx(TransactionStatus::Completed, 5)),
            LedgerChange::Booked(_)
        ));
        // Seen again by an overlapping sync, or an older state arriving late.
        assert_eq!(
            l.apply(&tx(TransactionStatus::Completed, 5)),
            LedgerChange::Unchanged
        );
        assert_eq!(
            l.apply(&tx(TransactionStatus::Pending, 0)),
            LedgerChange::Unchanged
        );
        assert_eq!(l.booked_cents(), 12_000);
        assert!(matches!(
            l.apply(&tx(TransactionStatus::Reversed, 9)),
            LedgerChange::Unbooked(_)
        ));
        assert_eq!((l.booked_cents(), l.len()), (0, 1));
    }

    #[test]
    fn a_declined_transaction_is_never_counted() {
        let mut l = TransactionLedger::default();
        l.apply_all(&[
            tx(TransactionStatus::Pending, 0),
            tx(TransactionStatus::Declined, 3),
        ]);
        assert_eq!(l.booked_cents(), 0);
        assert_eq!(
            l.get("org-t-1").unwrap().status,
            TransactionStatus::Declined
        );
    }
}
