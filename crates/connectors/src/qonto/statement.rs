//! A Qonto transaction as an `encaisse-bank` [`BankTransaction`], so that reconciliation
//! treats API transactions and statement files alike.
//!
//! - `bank_reference` is Qonto's `transaction_id` (the public contract of bank references);
//! - the amount is exact (`amount_cents` in the transaction's currency), signed: credits
//!   positive, debits negative;
//! - `booking_date` is the settlement date, else (pending) the emission date, in Paris time
//!   (Qonto is a French bank; its statements are dated in French time) [inferred];
//! - `completed` → `Booked`, `pending` → `Pending`; `declined` and `reversed` never moved
//!   money for good: `Informational` (never matched to an invoice);
//! - Qonto has no structured-reference field: the free text (`reference`) goes to
//!   `remittance_unstructured`, where reconciliation finds RF/QRR references and invoice
//!   numbers; `label` and `note` go to `additional_info`;
//! - `dedup_key` is built from the account and `transaction_id` only (see [`dedup_key`]), so
//!   it does not change when a pending transaction settles on a later date.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use encaisse_bank::{BankTransaction, TransactionStatus as BankStatus};
use encaisse_core::identifiers::Iban;
use encaisse_core::{Currency, Money};
use sha2::{Digest, Sha256};

use super::model::{Side, Transaction, TransactionStatus};

/// Why a transaction could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error(
        "Qonto transaction {transaction_id}: unknown currency `{currency}`; it cannot be imported until encaisse knows this ISO 4217 code"
    )]
    Currency {
        transaction_id: String,
        currency: String,
    },
    #[error(
        "Qonto transaction {transaction_id}: no settlement nor emission date; it cannot be dated (retry the sync later)"
    )]
    NoDate { transaction_id: String },
}

/// The stable key of a Qonto movement: SHA-256 over a version tag, the account and the
/// `transaction_id`.
pub fn dedup_key(account: &str, transaction_id: &str) -> String {
    let material = format!(
        "encaisse-connectors/qonto/v1\u{1F}{}\u{1F}{}",
        account.replace(' ', "").to_ascii_uppercase(),
        transaction_id.trim()
    );
    hex::encode(Sha256::digest(material.as_bytes()))
}

fn paris_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Paris).date_naive()
}

/// Maps one transaction of the account `account_iban` (or the account id when unknown).
pub fn to_bank_transaction(
    t: &Transaction,
    account: &str,
) -> Result<BankTransaction, MappingError> {
    let currency = Currency::parse(&t.currency).map_err(|_| MappingError::Currency {
        transaction_id: t.transaction_id.clone(),
        currency: t.currency.chars().take(10).collect(),
    })?;
    let magnitude = Money::from_minor(t.amount_cents.abs(), currency);
    let amount = match t.side {
        Side::Credit => magnitude,
        Side::Debit => magnitude.negated(),
    };
    let when = t
        .settled_at
        .or(t.emitted_at)
        .ok_or_else(|| MappingError::NoDate {
            transaction_id: t.transaction_id.clone(),
        })?;
    let status = match t.status {
        TransactionStatus::Completed => BankStatus::Booked,
        TransactionStatus::Pending => BankStatus::Pending,
        TransactionStatus::Declined | TransactionStatus::Reversed | TransactionStatus::Other(_) => {
            BankStatus::Informational
        }
    };
    let account_number = t.counterparty_account();
    let counterparty_iban = account_number
        .as_ref()
        .filter(|(_, f)| f.as_deref().is_none_or(|f| f.eq_ignore_ascii_case("IBAN")))
        .and_then(|(n, _)| Iban::parse(n).ok());
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let mut info: Vec<String> = Vec::new();
    if let Some(l) = nonempty(&t.label) {
        info.push(l);
    }
    if let Some(n) = nonempty(&t.note) {
        info.push(n);
    }
    Ok(BankTransaction {
        bank_reference: t.transaction_id.clone(),
        booking_date: paris_date(when),
        value_date: t.settled_at.map(paris_date),
        amount,
        status,
        is_reversal: false,
        counterparty_name: t.counterparty_name().map(str::to_owned),
        counterparty_iban,
        counterparty_account: account_number.map(|(n, _)| n),
        ultimate_counterparty_name: None,
        remittance_unstructured: nonempty(&t.reference),
        structured_reference: None,
        end_to_end_id: None,
        additional_info: (!info.is_empty()).then(|| info.join(" | ")),
        bank_transaction_code: t.operation_type.clone(),
        dedup_key: dedup_key(account, &t.transaction_id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rust_decimal_macros::dec;

    fn sample() -> Transaction {
        serde_json::from_value(serde_json::json!({
          "id": "u-1", "transaction_id": "acme-t-42", "amount_cents": 150000, "currency": "EUR",
          "side": "credit", "operation_type": "income", "status": "pending",
          "label": "ACME CUSTOMER GMBH", "clean_counterparty_name": "Acme Customer GmbH",
          "reference": "Rechnung F-2026-0042 RF18539007547034", "note": null,
          "emitted_at": "2026-03-31T22:30:00Z", "updated_at": "2026-03-31T22:30:00Z",
          "income": {"counterparty_account_number": "DE89370400440532013000", "counterparty_account_number_format": "IBAN"}
        }))
        .unwrap()
    }

    #[test]
    fn a_pending_credit_maps_with_its_free_text_and_keeps_its_key_when_it_settles() {
        let mut t = sample();
        let b = to_bank_transaction(&t, "FR7616958000017283940556031").unwrap();
        assert_eq!(b.bank_reference, "acme-t-42");
        assert_eq!(b.amount.amount(), dec!(1500.00));
        assert_eq!(b.amount.currency().code(), "EUR");
        assert_eq!(b.status, BankStatus::Pending);
        // 22:30 UTC on 31 March is 1 April in Paris.
        assert_eq!(b.booking_date, NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(b.counterparty_name.as_deref(), Some("Acme Customer GmbH"));
        assert_eq!(
            b.counterparty_iban.as_ref().map(|i| i.as_str()),
            Some("DE89370400440532013000")
        );
        assert_eq!(
            b.remittance_unstructured.as_deref(),
            Some("Rechnung F-2026-0042 RF18539007547034")
        );
        assert_eq!(b.structured_reference, None);
        assert!(b.is_credit());
        t.status = TransactionStatus::Completed;
        t.settled_at = Some(Utc.with_ymd_and_hms(2026, 4, 2, 8, 0, 0).unwrap());
        let settled = to_bank_transaction(&t, "FR76 1695 8000 0172 8394 0556 031").unwrap();
        assert_eq!(settled.status, BankStatus::Booked);
        assert_eq!(settled.dedup_key, b.dedup_key);
        assert_eq!(settled.value_date, NaiveDate::from_ymd_opt(2026, 4, 2));
    }

    #[test]
    fn debits_are_negative_declined_ones_informational_and_bad_currencies_refused() {
        let mut t = sample();
        t.side = Side::Debit;
        t.status = TransactionStatus::Declined;
        let b = to_bank_transaction(&t, "acc").unwrap();
        assert_eq!(b.amount.amount(), dec!(-1500.00));
        assert_eq!(b.status, BankStatus::Informational);
        t.currency = "XYZ".into();
        assert!(matches!(
            to_bank_transaction(&t, "acc"),
            Err(MappingError::Currency { .. })
        ));
    }
}
