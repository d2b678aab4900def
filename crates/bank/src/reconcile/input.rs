//! What the engine is given: the open invoices and the bank transactions, as plain values.

use chrono::NaiveDate;
use encaisse_core::reference::PaymentReference;
use encaisse_core::{Currency, Money};
use uuid::Uuid;

use crate::model::{BankTransaction, TransactionStatus};

/// An issued invoice that still expects money (status issued, sent or partially paid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenInvoice {
    pub id: Uuid,
    pub client_id: Uuid,
    /// The client's legal name, as on the invoice.
    pub client_name: String,
    /// The invoice number as printed (`F-2026-00042`).
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub currency: Currency,
    /// Total including VAT.
    pub gross: Money,
    /// What is still owed: gross less payments, write-offs and credit notes allocated so far.
    pub outstanding: Money,
    /// The RF or QR reference printed on the invoice, when it has one.
    pub payment_reference: Option<PaymentReference>,
}

/// What kind of movement a transaction is, as far as its bank says. Only
/// [`TxnKind::Payment`] credits can pay a sales invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TxnKind {
    /// A received transfer or direct-debit collection, or a credit the bank does not qualify.
    Payment,
    /// The bank undoes an earlier movement (camt `RvslInd`, MT940 `RC`/`RD`).
    Reversal,
    /// Money returned to us: a returned transfer, a supplier's refund, a chargeback.
    Refund,
    /// Interest or dividends credited by the bank.
    Interest,
    /// Bank charges.
    BankFee,
    /// Announced but not booked: nothing to allocate yet.
    Pending,
}

/// One bank movement as the engine sees it: a view of a [`BankTransaction`], of a Qonto
/// transaction or of any other source the application reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Txn {
    /// The application's stable identifier of the movement (the dedup key for imported
    /// statements); decisions are returned under this id.
    pub id: String,
    /// The bank's reference, for reports (may be empty).
    pub bank_reference: String,
    pub booking_date: NaiveDate,
    /// Signed: credit (money in) positive.
    pub amount: Money,
    pub counterparty_name: Option<String>,
    /// The counterparty's IBAN, electronic form (no spaces).
    pub counterparty_iban: Option<String>,
    /// camt `UltmtDbtr`: who the payment was made for, when the payer is a third party.
    pub ultimate_payer_name: Option<String>,
    /// Free text: remittance information and whatever else the bank wrote about the movement.
    pub remittance: Option<String>,
    /// The structured creditor reference, as written.
    pub structured_reference: Option<String>,
    pub kind: TxnKind,
}

impl Txn {
    /// A minimal credit transfer; fill the other fields with the `with_*` methods.
    pub fn payment(id: impl Into<String>, booking_date: NaiveDate, amount: Money) -> Txn {
        let id = id.into();
        Txn {
            bank_reference: id.clone(),
            id,
            booking_date,
            amount,
            counterparty_name: None,
            counterparty_iban: None,
            ultimate_payer_name: None,
            remittance: None,
            structured_reference: None,
            kind: TxnKind::Payment,
        }
    }

    pub fn with_payer(mut self, name: &str) -> Txn {
        self.counterparty_name = Some(name.to_owned());
        self
    }

    pub fn with_iban(mut self, iban: &str) -> Txn {
        self.counterparty_iban = Some(compact_iban(iban));
        self
    }

    pub fn with_remittance(mut self, text: &str) -> Txn {
        self.remittance = Some(text.to_owned());
        self
    }

    pub fn with_structured_reference(mut self, reference: &str) -> Txn {
        self.structured_reference = Some(reference.to_owned());
        self
    }

    pub fn with_kind(mut self, kind: TxnKind) -> Txn {
        self.kind = kind;
        self
    }

    /// The engine's view of a parsed statement line. Its id is the
    /// [`dedup_key`](BankTransaction::dedup_key); the remittance joins the free text and the
    /// bank's additional information (French banks often put the payer's text there).
    pub fn from_bank(tx: &BankTransaction) -> Txn {
        let remittance = match (&tx.remittance_unstructured, &tx.additional_info) {
            (Some(r), Some(a)) => Some(format!("{r} | {a}")),
            (Some(r), None) => Some(r.clone()),
            (None, Some(a)) => Some(a.clone()),
            (None, None) => None,
        };
        Txn {
            id: tx.dedup_key.clone(),
            bank_reference: tx.bank_reference.clone(),
            booking_date: tx.booking_date,
            amount: tx.amount,
            counterparty_name: tx.counterparty_name.clone(),
            counterparty_iban: tx.counterparty_iban.as_ref().map(|i| i.as_str().to_owned()),
            ultimate_payer_name: tx.ultimate_counterparty_name.clone(),
            remittance,
            structured_reference: tx.structured_reference.clone(),
            kind: kind_of(tx),
        }
    }
}

fn compact_iban(iban: &str) -> String {
    iban.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The kind from what the bank says: reversal flag, status, ISO 20022 family codes
/// (`PMNT/RCDT/…` received transfers, `PMNT/IDDT/…` collected direct debits, `…/RRTN` and
/// `…/RPCR` returns, `…/INTR` interest, `…/CHRG` charges) and OFX types (`INT`, `DIV`, `FEE`,
/// `SRVCHG`).
fn kind_of(tx: &BankTransaction) -> TxnKind {
    if tx.is_reversal {
        return TxnKind::Reversal;
    }
    if tx.status != TransactionStatus::Booked {
        return TxnKind::Pending;
    }
    let Some(code) = tx.bank_transaction_code.as_deref() else {
        return TxnKind::Payment;
    };
    let code = code.to_ascii_uppercase();
    let parts: Vec<&str> = code.split(['/', '-', ' ']).collect();
    let has = |c: &str| parts.contains(&c);
    if has("INTR") || has("INT") || has("DIV") {
        TxnKind::Interest
    } else if has("CHRG") || has("FEE") || has("SRVCHG") || has("COMM") {
        TxnKind::BankFee
    } else if has("RRTN") || has("RPCR") || has("CHRGBCK") || has("ARET") {
        TxnKind::Refund
    } else {
        TxnKind::Payment
    }
}
