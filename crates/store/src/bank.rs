//! Bank accounts, their stated balances, and bank transactions stored once whatever the source.
//!
//! A movement is one row of `bank_transactions`; every key it was seen under (a statement
//! file's dedup key, a bank API's transaction id) is a row of `bank_transaction_keys`, so
//! inserting a movement seen before finds it by any of its keys.

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::{Currency, Money};
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Result, StoreError, Tx};

/// A bank account of the organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BankAccount {
    pub id: Uuid,
    /// The IBAN when known, else the bank's own identifier of the account.
    pub account_ref: String,
    pub iban: Option<String>,
    pub currency: Currency,
    pub label: String,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: String,
    account_ref: String,
    iban: Option<String>,
    currency: String,
    label: String,
}

impl TryFrom<AccountRow> for BankAccount {
    type Error = StoreError;
    fn try_from(r: AccountRow) -> Result<Self> {
        Ok(BankAccount {
            id: parse_uuid(&r.id)?,
            account_ref: r.account_ref,
            iban: r.iban,
            currency: currency(&r.currency)?,
            label: r.label,
        })
    }
}

/// A balance the bank stated for an account at a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BankBalance {
    pub account_id: Uuid,
    /// `opening`, `closing` or `available`.
    pub kind: String,
    pub date: NaiveDate,
    pub amount: Money,
    pub source: String,
}

/// A movement to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBankTransaction {
    pub organization_id: Uuid,
    pub account_id: Uuid,
    pub dedup_key: String,
    pub source: String,
    pub bank_reference: String,
    pub booking_date: NaiveDate,
    pub value_date: Option<NaiveDate>,
    pub amount: Money,
    /// `booked`, `pending`, `informational`, `declined` or `reversed`.
    pub status: String,
    pub is_reversal: bool,
    pub counterparty_name: Option<String>,
    pub counterparty_iban: Option<String>,
    pub counterparty_account: Option<String>,
    pub ultimate_counterparty_name: Option<String>,
    pub remittance: Option<String>,
    pub structured_reference: Option<String>,
    pub end_to_end_id: Option<String>,
    pub additional_info: Option<String>,
    pub bank_transaction_code: Option<String>,
    /// The source's own record, as JSON text.
    pub raw_json: String,
    /// `unmatched` (a credit waiting for reconciliation) or `ignored` (nothing to match).
    pub reconciliation: String,
}

/// A stored movement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BankTransactionRecord {
    pub id: Uuid,
    pub account_id: Uuid,
    pub dedup_key: String,
    pub source: String,
    pub bank_reference: String,
    pub booking_date: NaiveDate,
    pub value_date: Option<NaiveDate>,
    pub amount: Money,
    pub status: String,
    pub is_reversal: bool,
    pub counterparty_name: Option<String>,
    pub counterparty_iban: Option<String>,
    pub counterparty_account: Option<String>,
    pub ultimate_counterparty_name: Option<String>,
    pub remittance: Option<String>,
    pub structured_reference: Option<String>,
    pub end_to_end_id: Option<String>,
    pub additional_info: Option<String>,
    pub bank_transaction_code: Option<String>,
    /// `unmatched`, `suggested`, `matched` or `ignored`.
    pub reconciliation: String,
}

#[derive(sqlx::FromRow)]
struct TxnRow {
    id: String,
    account_id: String,
    dedup_key: String,
    source: String,
    bank_reference: String,
    booking_date: NaiveDate,
    value_date: Option<NaiveDate>,
    amount_minor: i64,
    currency: String,
    status: String,
    is_reversal: bool,
    counterparty_name: Option<String>,
    counterparty_iban: Option<String>,
    counterparty_account: Option<String>,
    ultimate_counterparty_name: Option<String>,
    remittance: Option<String>,
    structured_reference: Option<String>,
    end_to_end_id: Option<String>,
    additional_info: Option<String>,
    bank_transaction_code: Option<String>,
    reconciliation: String,
}

impl TryFrom<TxnRow> for BankTransactionRecord {
    type Error = StoreError;
    fn try_from(r: TxnRow) -> Result<Self> {
        Ok(BankTransactionRecord {
            id: parse_uuid(&r.id)?,
            account_id: parse_uuid(&r.account_id)?,
            dedup_key: r.dedup_key,
            source: r.source,
            bank_reference: r.bank_reference,
            booking_date: r.booking_date,
            value_date: r.value_date,
            amount: Money::from_minor(r.amount_minor, currency(&r.currency)?),
            status: r.status,
            is_reversal: r.is_reversal,
            counterparty_name: r.counterparty_name,
            counterparty_iban: r.counterparty_iban,
            counterparty_account: r.counterparty_account,
            ultimate_counterparty_name: r.ultimate_counterparty_name,
            remittance: r.remittance,
            structured_reference: r.structured_reference,
            end_to_end_id: r.end_to_end_id,
            additional_info: r.additional_info,
            bank_transaction_code: r.bank_transaction_code,
            reconciliation: r.reconciliation,
        })
    }
}

const TXN_COLUMNS: &str = "id, account_id, dedup_key, source, bank_reference, booking_date, value_date, \
     amount_minor, currency, status, is_reversal, counterparty_name, counterparty_iban, counterparty_account, \
     ultimate_counterparty_name, remittance, structured_reference, end_to_end_id, additional_info, \
     bank_transaction_code, reconciliation";

/// A movement already stored that may be the same as a new one seen through another source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FingerprintMatch {
    pub id: Uuid,
    pub source: String,
    pub counterparty_iban: Option<String>,
    /// The sources whose keys already point at this movement.
    pub key_sources: Vec<String>,
}

/// Filters for listing transactions, newest booking first.
#[derive(Clone, Debug, Default)]
pub struct BankTransactionFilter {
    /// `unmatched`, `suggested`, `matched` or `ignored`.
    pub reconciliation: Option<String>,
    pub limit: i64,
    /// Keyset: only transactions whose id is below this one.
    pub before_id: Option<Uuid>,
}

fn minor(m: &Money) -> Result<i64> {
    m.to_minor().map_err(StoreError::corrupt)
}

impl Tx {
    /// The account with this reference, created when unknown. Returns it and whether it was
    /// created.
    pub async fn upsert_bank_account(
        &mut self,
        organization_id: Uuid,
        account_ref: &str,
        iban: Option<&str>,
        currency: Currency,
        label: &str,
        now: DateTime<Utc>,
    ) -> Result<(BankAccount, bool)> {
        let (id, o) = (Uuid::now_v7().to_string(), organization_id.to_string());
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO bank_accounts (id, organization_id, account_ref, iban, currency, label, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (organization_id, account_ref) DO NOTHING",
            )
            .bind(&id).bind(&o).bind(account_ref).bind(iban).bind(currency.code()).bind(label).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        let account = self
            .bank_account_by_ref(organization_id, account_ref)
            .await?
            .ok_or_else(|| StoreError::Conflict(format!("bank account {account_ref} vanished")))?;
        Ok((account, n == 1))
    }

    pub async fn bank_account_by_ref(
        &mut self,
        organization_id: Uuid,
        account_ref: &str,
    ) -> Result<Option<BankAccount>> {
        let o = organization_id.to_string();
        let row: Option<AccountRow> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, account_ref, iban, currency, label FROM bank_accounts \
                 WHERE organization_id = $1 AND (account_ref = $2 OR iban = $2) ORDER BY id LIMIT 1",
            )
            .bind(&o).bind(account_ref).fetch_optional(&mut *c).await?
        });
        row.map(BankAccount::try_from).transpose()
    }

    pub async fn bank_accounts(&mut self, organization_id: Uuid) -> Result<Vec<BankAccount>> {
        let o = organization_id.to_string();
        let rows: Vec<AccountRow> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, account_ref, iban, currency, label FROM bank_accounts WHERE organization_id = $1 ORDER BY label, id",
            )
            .bind(&o).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(BankAccount::try_from).collect()
    }

    /// Records a stated balance; the same (account, kind, date) twice keeps the first.
    pub async fn insert_bank_balance(
        &mut self,
        organization_id: Uuid,
        b: &BankBalance,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (id, o, a) = (
            Uuid::now_v7().to_string(),
            organization_id.to_string(),
            b.account_id.to_string(),
        );
        let amount = minor(&b.amount)?;
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO bank_balances (id, organization_id, account_id, kind, balance_date, amount_minor, currency, source, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (organization_id, account_id, kind, balance_date) DO NOTHING",
            )
            .bind(&id).bind(&o).bind(&a).bind(&b.kind).bind(b.date).bind(amount)
            .bind(b.amount.currency().code()).bind(&b.source).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// The most recent stated balance of each account (closing before opening on one day).
    pub async fn latest_bank_balances(
        &mut self,
        organization_id: Uuid,
    ) -> Result<Vec<BankBalance>> {
        let o = organization_id.to_string();
        let rows: Vec<(String, String, NaiveDate, i64, String, String)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT account_id, kind, balance_date, amount_minor, currency, source FROM bank_balances \
                 WHERE organization_id = $1 ORDER BY account_id, balance_date DESC, \
                 CASE kind WHEN 'available' THEN 0 WHEN 'closing' THEN 1 ELSE 2 END",
            )
            .bind(&o).fetch_all(&mut *c).await?
        });
        let mut out: Vec<BankBalance> = Vec::new();
        for (account, kind, date, amount, cur, source) in rows {
            let account_id = parse_uuid(&account)?;
            if out.last().is_some_and(|b| b.account_id == account_id) {
                continue;
            }
            out.push(BankBalance {
                account_id,
                kind,
                date,
                amount: Money::from_minor(amount, currency(&cur)?),
                source,
            });
        }
        Ok(out)
    }

    /// The movement one of whose keys is `dedup_key`.
    pub async fn bank_transaction_id_by_key(
        &mut self,
        organization_id: Uuid,
        dedup_key: &str,
    ) -> Result<Option<Uuid>> {
        let o = organization_id.to_string();
        let id: Option<String> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT transaction_id FROM bank_transaction_keys WHERE organization_id = $1 AND dedup_key = $2")
                .bind(&o).bind(dedup_key).fetch_optional(&mut *c).await?
        });
        id.as_deref().map(parse_uuid).transpose()
    }

    /// Movements of the account booked on `date` for exactly `amount`, with the sources that
    /// already saw each.
    pub async fn bank_transactions_with_fingerprint(
        &mut self,
        organization_id: Uuid,
        account_id: Uuid,
        date: NaiveDate,
        amount: &Money,
    ) -> Result<Vec<FingerprintMatch>> {
        let (o, a) = (organization_id.to_string(), account_id.to_string());
        let amount = minor(amount)?;
        let rows: Vec<(String, String, Option<String>, String)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT t.id, t.source, t.counterparty_iban, k.source FROM bank_transactions t \
                 JOIN bank_transaction_keys k ON k.organization_id = t.organization_id AND k.transaction_id = t.id \
                 WHERE t.organization_id = $1 AND t.account_id = $2 AND t.booking_date = $3 AND t.amount_minor = $4 \
                 ORDER BY t.id, k.source",
            )
            .bind(&o).bind(&a).bind(date).bind(amount).fetch_all(&mut *c).await?
        });
        let mut out: Vec<FingerprintMatch> = Vec::new();
        for (id, source, iban, key_source) in rows {
            let id = parse_uuid(&id)?;
            match out.last_mut() {
                Some(m) if m.id == id => m.key_sources.push(key_source),
                _ => out.push(FingerprintMatch {
                    id,
                    source,
                    counterparty_iban: iban,
                    key_sources: vec![key_source],
                }),
            }
        }
        Ok(out)
    }

    /// Stores a new movement under its key.
    pub async fn insert_bank_transaction(
        &mut self,
        t: &NewBankTransaction,
        now: DateTime<Utc>,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let (key, o, a) = (
            id.to_string(),
            t.organization_id.to_string(),
            t.account_id.to_string(),
        );
        let amount = minor(&t.amount)?;
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO bank_transactions (id, organization_id, account_id, dedup_key, source, bank_reference, \
                 booking_date, value_date, amount_minor, currency, status, is_reversal, counterparty_name, \
                 counterparty_iban, counterparty_account, ultimate_counterparty_name, remittance, structured_reference, \
                 end_to_end_id, additional_info, bank_transaction_code, raw_json, reconciliation, created_at, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$24)",
            )
            .bind(&key).bind(&o).bind(&a).bind(&t.dedup_key).bind(&t.source).bind(&t.bank_reference)
            .bind(t.booking_date).bind(t.value_date).bind(amount).bind(t.amount.currency().code())
            .bind(&t.status).bind(t.is_reversal).bind(&t.counterparty_name).bind(&t.counterparty_iban)
            .bind(&t.counterparty_account).bind(&t.ultimate_counterparty_name).bind(&t.remittance)
            .bind(&t.structured_reference).bind(&t.end_to_end_id).bind(&t.additional_info)
            .bind(&t.bank_transaction_code).bind(&t.raw_json).bind(&t.reconciliation).bind(now)
            .execute(&mut *c).await?;
        });
        self.insert_bank_transaction_key(t.organization_id, &t.dedup_key, id, &t.source, now)
            .await?;
        Ok(id)
    }

    /// Records another key under which a stored movement was seen.
    pub async fn insert_bank_transaction_key(
        &mut self,
        organization_id: Uuid,
        dedup_key: &str,
        transaction_id: Uuid,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (o, t) = (organization_id.to_string(), transaction_id.to_string());
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO bank_transaction_keys (organization_id, dedup_key, transaction_id, source, created_at) \
                 VALUES ($1,$2,$3,$4,$5) ON CONFLICT (organization_id, dedup_key) DO NOTHING",
            )
            .bind(&o).bind(dedup_key).bind(&t).bind(source).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// Moves a movement's bank status (`pending` → `booked`, `declined`, `reversed`).
    pub async fn set_bank_transaction_status(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
        status: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        on_conn!(self, c => {
            sqlx::query("UPDATE bank_transactions SET status = $3, updated_at = $4 WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).bind(status).bind(now).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Sets where the movement stands in reconciliation.
    pub async fn set_bank_transaction_reconciliation(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        on_conn!(self, c => {
            sqlx::query("UPDATE bank_transactions SET reconciliation = $3, updated_at = $4 WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).bind(state).bind(now).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn bank_transaction(
        &mut self,
        organization_id: Uuid,
        id: Uuid,
    ) -> Result<BankTransactionRecord> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let sql = format!(
            "SELECT {TXN_COLUMNS} FROM bank_transactions WHERE organization_id = $1 AND id = $2"
        );
        let row: Option<TxnRow> = on_conn!(self, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&o).bind(&key).fetch_optional(&mut *c).await?
        });
        row.ok_or(StoreError::NotFound {
            entity: "bank transaction",
            id: key,
        })?
        .try_into()
    }

    /// Credits waiting for reconciliation (unmatched or only suggested), oldest first.
    pub async fn bank_transactions_to_reconcile(
        &mut self,
        organization_id: Uuid,
    ) -> Result<Vec<BankTransactionRecord>> {
        let o = organization_id.to_string();
        let sql = format!(
            "SELECT {TXN_COLUMNS} FROM bank_transactions WHERE organization_id = $1 \
             AND reconciliation IN ('unmatched', 'suggested') AND amount_minor > 0 \
             ORDER BY booking_date, id"
        );
        let rows: Vec<TxnRow> = on_conn!(self, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&o).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(BankTransactionRecord::try_from)
            .collect()
    }

    /// Movements, newest booking first (ties by id), paged by id.
    pub async fn bank_transactions(
        &mut self,
        organization_id: Uuid,
        f: &BankTransactionFilter,
    ) -> Result<Vec<BankTransactionRecord>> {
        let o = organization_id.to_string();
        let before = crate::db::keyset_before(f.before_id);
        let sql = format!(
            "SELECT {TXN_COLUMNS} FROM bank_transactions WHERE organization_id = $1 \
             AND ($2 IS NULL OR reconciliation = $2) AND id < $3 ORDER BY id DESC LIMIT $4"
        );
        let rows: Vec<TxnRow> = on_conn!(self, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(&o).bind(&f.reconciliation).bind(&before).bind(f.limit)
                .fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(BankTransactionRecord::try_from)
            .collect()
    }

    /// The sum and count of booked movements of an account after `after` (a balance date).
    pub async fn bank_movements_after(
        &mut self,
        organization_id: Uuid,
        account_id: Uuid,
        after: NaiveDate,
    ) -> Result<(i64, i64)> {
        let (o, a) = (organization_id.to_string(), account_id.to_string());
        let (sum, count): (Option<i64>, i64) = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT CAST(SUM(amount_minor) AS BIGINT), COUNT(*) FROM bank_transactions \
                 WHERE organization_id = $1 AND account_id = $2 AND booking_date > $3 AND status = 'booked'",
            )
            .bind(&o).bind(&a).bind(after).fetch_one(&mut *c).await?
        });
        Ok((sum.unwrap_or(0), count))
    }

    /// How many movements the organization has stored (for reports and tests).
    pub async fn count_bank_transactions(&mut self, organization_id: Uuid) -> Result<i64> {
        let o = organization_id.to_string();
        Ok(on_conn!(self, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM bank_transactions WHERE organization_id = $1")
                .bind(&o).fetch_one(&mut *c).await?
        }))
    }
}
