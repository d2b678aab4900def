//! Qonto's JSON shapes (Business API v2), as documented and as reconstructed in
//! `shared/reference/apis.md` §2.4. Money is read from the `_cents` integer twins, never from
//! the float fields. Every field a real answer may omit is optional or defaulted, so a new
//! field or a missing one never breaks a sync; unknown enum spellings are kept as `Other`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `meta` of every paged list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Meta {
    #[serde(default)]
    pub current_page: u32,
    #[serde(default)]
    pub next_page: Option<u32>,
    #[serde(default)]
    pub prev_page: Option<u32>,
    #[serde(default)]
    pub total_pages: u32,
    #[serde(default)]
    pub total_count: u64,
    #[serde(default)]
    pub per_page: u32,
}

/// `GET /v2/organization` → `{"organization": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub(crate) struct OrganizationEnvelope {
    pub organization: Organization,
}

/// The organization the credentials act for, with its bank accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub legal_name: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub bank_accounts: Vec<BankAccount>,
}

/// One Qonto bank account. `balance_cents` is booked money, `authorized_balance_cents` what
/// is available after in-flight operations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    pub id: String,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub main: bool,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub iban: Option<String>,
    #[serde(default)]
    pub bic: Option<String>,
    pub currency: String,
    #[serde(default)]
    pub balance_cents: i64,
    #[serde(default)]
    pub authorized_balance_cents: i64,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub is_external_account: bool,
}

/// `GET /v2/bank_accounts/{id}` → `{"bank_account": …}`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct BankAccountEnvelope {
    pub bank_account: BankAccount,
}

/// `status` of a transaction.
///
/// A transaction is first `pending` (money announced), then `completed` (booked), or
/// `declined` (never booked); a completed one may later become `reversed` (the money went
/// back). Only `completed` counts as cash: see [`super::sync`] for the rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TransactionStatus {
    Pending,
    Completed,
    Declined,
    Reversed,
    /// A spelling this client does not know; never counted as booked.
    Other(String),
}

impl TransactionStatus {
    /// Every status the API documents, for explicit `status[]` filters (whether pending rows
    /// come back by default is undocumented, so a sync always names them all).
    pub const ALL: [TransactionStatus; 4] = [
        TransactionStatus::Pending,
        TransactionStatus::Completed,
        TransactionStatus::Declined,
        TransactionStatus::Reversed,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            TransactionStatus::Pending => "pending",
            TransactionStatus::Completed => "completed",
            TransactionStatus::Declined => "declined",
            TransactionStatus::Reversed => "reversed",
            TransactionStatus::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> TransactionStatus {
        match s {
            "pending" => TransactionStatus::Pending,
            "completed" => TransactionStatus::Completed,
            "declined" => TransactionStatus::Declined,
            "reversed" => TransactionStatus::Reversed,
            other => TransactionStatus::Other(other.to_owned()),
        }
    }

    /// Money that is on the account: only `completed`.
    pub fn is_booked(&self) -> bool {
        *self == TransactionStatus::Completed
    }

    /// The status can still change (`pending`).
    pub fn is_final(&self) -> bool {
        !matches!(self, TransactionStatus::Pending)
    }
}

impl<'de> Deserialize<'de> for TransactionStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(TransactionStatus::parse(&String::deserialize(d)?))
    }
}

/// `side`: money in (`credit`) or out (`debit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Credit,
    Debit,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Credit => "credit",
            Side::Debit => "debit",
        }
    }
}

/// One transaction of `GET /v2/transactions`.
///
/// `id` is Qonto's UUID (used in `GET /v2/transactions/{id}`); `transaction_id` is the
/// bank's reference of the movement (`acme-sarl-1234-t-42`). Both are stable across status
/// changes; encaisse keys a movement by `transaction_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub id: String,
    pub transaction_id: String,
    #[serde(default)]
    pub bank_account_id: Option<String>,
    /// Always positive; the direction is [`Transaction::side`].
    pub amount_cents: i64,
    pub currency: String,
    #[serde(default)]
    pub local_amount_cents: Option<i64>,
    #[serde(default)]
    pub local_currency: Option<String>,
    pub side: Side,
    #[serde(default)]
    pub operation_type: Option<String>,
    pub status: TransactionStatus,
    /// What the bank shows (often the counterparty as the bank wrote it).
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub clean_counterparty_name: Option<String>,
    /// Free-text remittance information (structured RF/QRR references arrive here too).
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Null while pending.
    #[serde(default)]
    pub settled_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub emitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub settled_balance_cents: Option<i64>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub subject_type: Option<String>,
    #[serde(default)]
    pub attachment_ids: Vec<String>,
    /// The `subject_type`-specific sub-objects that carry the counterparty's account.
    #[serde(default)]
    pub income: Option<Value>,
    #[serde(default)]
    pub transfer: Option<Value>,
    #[serde(default)]
    pub direct_debit: Option<Value>,
    #[serde(default)]
    pub swift_income: Option<Value>,
    #[serde(default)]
    pub check: Option<Value>,
}

impl Transaction {
    /// The counterparty's account number and its format (`IBAN`, …), from whichever
    /// sub-object the transaction carries.
    pub fn counterparty_account(&self) -> Option<(String, Option<String>)> {
        [
            &self.income,
            &self.transfer,
            &self.direct_debit,
            &self.swift_income,
            &self.check,
        ]
        .into_iter()
        .flatten()
        .find_map(|v| {
            let number = v
                .get("counterparty_account_number")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())?;
            let format = v
                .get("counterparty_account_number_format")
                .and_then(Value::as_str)
                .map(str::to_owned);
            Some((number.to_owned(), format))
        })
    }

    /// The name of the other party: the cleaned one, else the label.
    pub fn counterparty_name(&self) -> Option<&str> {
        self.clean_counterparty_name
            .as_deref()
            .or(self.label.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// `{"transactions": […], "meta": …}` and the like.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct TransactionPage {
    #[serde(default)]
    pub transactions: Vec<Transaction>,
    #[serde(default)]
    pub meta: Option<Meta>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct BankAccountPage {
    #[serde(default)]
    pub bank_accounts: Vec<BankAccount>,
    #[serde(default)]
    pub meta: Option<Meta>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct TransactionEnvelope {
    pub transaction: Transaction,
}

/// A webhook subscription (`secret` is returned on creation; keep it to verify deliveries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSubscription {
    pub id: String,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub membership_id: Option<String>,
    pub callback_url: String,
    #[serde(default)]
    pub types: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// What to subscribe to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewWebhookSubscription {
    pub callback_url: String,
    pub types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct SubscriptionList {
    #[serde(default)]
    pub subscriptions: Vec<WebhookSubscription>,
    #[serde(default)]
    pub meta: Option<Meta>,
}

/// A JSON:API error object.
#[derive(Clone, Debug, Deserialize, Default)]
pub(crate) struct ErrorObject {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub source: Option<Value>,
    #[serde(default)]
    pub trace_id: Option<String>,
}

/// `{"errors": [...], "trace_id"?}`; also the OAuth server's `{"error", "error_description"}`.
#[derive(Clone, Debug, Deserialize, Default)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub errors: Vec<ErrorObject>,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_transaction_reads_with_cents_and_counterparty() {
        let t: Transaction = serde_json::from_value(serde_json::json!({
          "id": "df346899-0000-4000-8000-00000000a001", "transaction_id": "acme-sarl-1234-t-42",
          "bank_account_id": "0191-x", "amount": 1500.0, "amount_cents": 150000,
          "local_amount": 1500.0, "local_amount_cents": 150000, "currency": "EUR", "local_currency": "EUR",
          "side": "credit", "operation_type": "income", "status": "completed",
          "label": "ACME CUSTOMER GMBH", "clean_counterparty_name": "Acme Customer GmbH",
          "reference": "INV-2025-0042", "note": null,
          "settled_at": "2025-03-04T09:12:00.000Z", "emitted_at": "2025-03-04T08:00:00.000Z",
          "updated_at": "2025-03-04T09:12:05.000Z", "created_at": "2025-03-04T08:00:01.000Z",
          "settled_balance": 10234.56, "settled_balance_cents": 1023456, "label_ids": [],
          "attachment_ids": [], "cashflow_category": {"name": "Sales"},
          "income": {"counterparty_account_number": "DE89370400440532013000", "counterparty_account_number_format": "IBAN"}
        }))
        .unwrap();
        assert_eq!(t.amount_cents, 150000);
        assert_eq!(t.status, TransactionStatus::Completed);
        assert_eq!(t.side, Side::Credit);
        assert_eq!(t.counterparty_name(), Some("Acme Customer GmbH"));
        assert_eq!(
            t.counterparty_account(),
            Some(("DE89370400440532013000".into(), Some("IBAN".into())))
        );
    }

    #[test]
    fn an_unknown_status_is_kept_and_never_booked() {
        let s: TransactionStatus = serde_json::from_str("\"on_hold\"").unwrap();
        assert_eq!(s, TransactionStatus::Other("on_hold".into()));
        assert!(!s.is_booked());
        assert!(TransactionStatus::Completed.is_booked());
        assert!(!TransactionStatus::Pending.is_final());
    }
}
