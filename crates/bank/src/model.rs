//! The normalized statement model every parser produces, whatever the file format.

use std::fmt;

use chrono::NaiveDate;
use encaisse_core::identifiers::Iban;
use encaisse_core::reference::{CreditorReference, PaymentReference, QrReference};
use encaisse_core::{Currency, Money};

/// The file formats this crate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// ISO 20022 camt.052, intraday account report (`BkToCstmrAcctRpt`).
    Camt052,
    /// ISO 20022 camt.053, end-of-day statement (`BkToCstmrStmt`).
    Camt053,
    /// ISO 20022 camt.054, debit/credit notification (`BkToCstmrDbtCdtNtfctn`).
    Camt054,
    /// SWIFT MT940 customer statement.
    Mt940,
    /// Open Financial Exchange, 1.x (SGML) or 2.x (XML).
    Ofx,
    /// A bank's CSV export, read through a [`crate::CsvMapping`].
    Csv,
}

impl Format {
    /// A short human name (`camt.053`, `MT940`…), as used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Camt052 => "camt.052",
            Format::Camt053 => "camt.053",
            Format::Camt054 => "camt.054",
            Format::Mt940 => "MT940",
            Format::Ofx => "OFX",
            Format::Csv => "CSV",
        }
    }

    /// True for the ISO 20022 camt family.
    pub fn is_camt(self) -> bool {
        matches!(self, Format::Camt052 | Format::Camt053 | Format::Camt054)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One account's statement (or notification, or report) as read from a file. A file may hold
/// several (camt `Stmt`*, MT940 messages, OFX statement responses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The format it was read from.
    pub format: Format,
    /// The bank's identifier of the statement (camt `Stmt/Id`, MT940 `:20:`), when given.
    pub statement_id: Option<String>,
    /// The account, when the file identifies it by a valid IBAN.
    pub account_iban: Option<Iban>,
    /// The account identifier exactly as the file gives it (IBAN, `Othr/Id`, `BLZ/Konto`,
    /// OFX `ACCTID`…); empty when the file names no account (some CSV exports).
    pub account_id: String,
    /// The account currency.
    pub currency: Currency,
    /// Booked balance at the start of the statement (camt `OPBD`/`PRCD`, MT940 `:60F:`/`:60M:`).
    pub opening_balance: Option<Balance>,
    /// Booked balance at the end (camt `CLBD`, MT940 `:62F:`/`:62M:`, OFX `LEDGERBAL`).
    pub closing_balance: Option<Balance>,
    /// The movements, in file order.
    pub transactions: Vec<BankTransaction>,
}

/// A signed balance at a date (negative = overdrawn).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balance {
    pub amount: Money,
    pub date: NaiveDate,
}

/// Whether the bank has booked the movement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransactionStatus {
    /// Booked on the account (camt `BOOK`; every MT940 line, every OFX `STMTTRN`).
    Booked,
    /// Announced but not booked yet (camt `PDNG` and `FUTR`).
    Pending,
    /// For information only, never booked on this account (camt `INFO`).
    Informational,
}

/// One movement on the account, normalized. In camt a batch entry (`Ntry` with several
/// `TxDtls`) yields one `BankTransaction` per `TxDtls`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankTransaction {
    /// The bank's own reference of the movement (public contract, see the crate docs):
    /// camt `TxDtls/Refs/AcctSvcrRef`, else the entry's `AcctSvcrRef`, else `NtryRef`
    /// (suffixed `-k` for the k-th detail of a batch without own references); MT940 the bank
    /// reference of `:61:`, else the customer reference; OFX `FITID`; CSV the mapped column.
    /// Empty when the file gives none.
    pub bank_reference: String,
    /// Booking date (camt `BookgDt`, MT940 entry date, OFX `DTPOSTED`); the value date when
    /// the bank gives no booking date (pending camt entries).
    pub booking_date: NaiveDate,
    /// Value date, when given.
    pub value_date: Option<NaiveDate>,
    /// Signed amount: credit (money in) positive, debit negative.
    pub amount: Money,
    pub status: TransactionStatus,
    /// camt `RvslInd` / MT940 `RC`/`RD`: this movement reverses an earlier one. The sign of
    /// `amount` already is the sign of this movement on the account.
    pub is_reversal: bool,
    /// The other party: the debtor of a credit, the creditor of a debit.
    pub counterparty_name: Option<String>,
    /// The other party's account, when it is a valid IBAN.
    pub counterparty_iban: Option<Iban>,
    /// The other party's account exactly as given (IBAN or not, valid or not).
    pub counterparty_account: Option<String>,
    /// camt `UltmtDbtr` of a credit (`UltmtCdtr` of a debit): who the payment was made for.
    pub ultimate_counterparty_name: Option<String>,
    /// Free-text remittance (camt `RmtInf/Ustrd`, several joined by a space; MT940 `:86:`
    /// purpose; OFX `MEMO`; CSV mapped columns).
    pub remittance_unstructured: Option<String>,
    /// The first structured creditor reference (camt `RmtInf/Strd/CdtrRefInf/Ref`: QRR, SCOR
    /// RF or another scheme; MT940 `/REMI/STRD/CUR/`), as written.
    pub structured_reference: Option<String>,
    /// The payer's end-to-end id (`NOTPROVIDED` is dropped).
    pub end_to_end_id: Option<String>,
    /// What else the bank says (camt `AddtlNtryInf` and `AddtlTxInf`, joined by ` | `; MT940 supplementary
    /// details and the raw structured `:86:`).
    pub additional_info: Option<String>,
    /// The bank transaction code: camt `Domn/Fmly/SubFmly` as `PMNT/RCDT/ESCT`, else the
    /// proprietary code; MT940 type (`NTRF`); OFX `TRNTYPE`.
    pub bank_transaction_code: Option<String>,
    /// Stable key recognising the same movement seen twice, see [`crate::dedup`].
    pub dedup_key: String,
}

impl BankTransaction {
    /// The structured reference typed as a Swiss QR reference or an ISO 11649 RF reference
    /// when it is a valid one of them (other schemes, e.g. ISR or bank-specific, give `None`).
    pub fn payment_reference(&self) -> Option<PaymentReference> {
        let raw = self.structured_reference.as_deref()?;
        if let Ok(qr) = QrReference::parse(raw) {
            return Some(PaymentReference::Qr(qr));
        }
        CreditorReference::parse(raw)
            .ok()
            .map(PaymentReference::Creditor)
    }

    /// True when money came in.
    pub fn is_credit(&self) -> bool {
        !self.amount.is_negative() && !self.amount.is_zero()
    }
}
