//! # encaisse-bank — bank statement files into one normalized model
//!
//! Owns the reading of the files banks give their customers — ISO 20022 camt.053 / camt.054
//! / camt.052 (.001.02, .04 and .08 tested, Swiss SPS included), SWIFT MT940 with
//! the Dutch and German `:86:` dialects, OFX 1.x and 2.x, and CSV exports through a column
//! mapping or a bank [`presets`] entry — into [`Statement`]s of [`BankTransaction`]s whose
//! amounts are exact [`encaisse_core::Money`], signed (credit positive, debit negative).
//!
//! Entry points: [`detect_format`] and [`parse`].
//!
//! Invariants:
//! - pure: takes bytes, returns values; no file system, network, clock, database or async;
//! - never panics on any input (a property test feeds it arbitrary bytes); a file it cannot
//!   read yields an [`ImportError`] naming the line (MT940, OFX, CSV) or the element path
//!   (camt, `/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt`) and what was expected;
//! - money is never `f64`;
//! - [`BankTransaction::bank_reference`] follows a public contract: camt
//!   `TxDtls/Refs/AcctSvcrRef`, else the entry's `AcctSvcrRef`, else `NtryRef` — suffixed
//!   `-k` for the k-th `TxDtls` (from 1) of a batch entry whose details carry no reference of
//!   their own; MT940 the bank reference of `:61:` (after `//`), else the customer reference
//!   (`NONREF` meaning none); OFX `FITID`; CSV the mapped reference column; empty when the
//!   file has none;
//! - [`BankTransaction::dedup_key`] is stable across re-imports and overlapping files, see
//!   [`dedup`].
//!
//! [`reconcile`] matches credits to open invoices (reference, invoice number, payer and
//! amount, grouped and partial payments, bank fees, client credit), applying a match only when
//! it is confident and unambiguous and explaining every suggestion; it is pure as well.
//!
//! Who calls it: `encaisse-app` (the import use case, which stores transactions by dedup key
//! and hands them to reconciliation, and the reconcile use case).

mod camt;
pub mod camt_writer;
mod csv;
pub mod dedup;
mod detect;
mod encoding;
mod error;
mod model;
mod mt940;
mod ofx;
pub mod reconcile;
mod xml_tree;

pub use crate::csv::presets;
pub use crate::csv::{AmountColumns, Column, CsvMapping, DateFormat, DecimalSeparator};
pub use dedup::compute_dedup_key;
pub use detect::detect_format;
pub use error::{ImportError, Location};
pub use model::{Balance, BankTransaction, Format, Statement, TransactionStatus};

/// How [`parse`] chooses the format.
#[derive(Clone, Copy, Debug)]
pub enum FormatHint<'a> {
    /// Recognise the format ([`detect_format`]); a CSV file must match one of the
    /// [`presets`].
    Detect,
    /// Read as this format (a CSV file must match one of the [`presets`]).
    Format(Format),
    /// Read as CSV with this column mapping.
    Csv(&'a CsvMapping),
}

/// Reads every statement of a file. Each transaction gets its
/// [`dedup_key`](BankTransaction::dedup_key).
///
/// ```
/// use encaisse_bank::{parse, FormatHint};
///
/// let mt940 = b":20:STMT1\n:25:CH9300762011623852957\n:60F:C260130CHF100,00\n\
/// :61:2601310131C250,00NTRFNONREF//B26013100042\n:86:Facture F-2026-0042\n\
/// :62F:C260131CHF350,00\n";
/// let statements = parse(mt940, FormatHint::Detect).unwrap();
/// let tx = &statements[0].transactions[0];
/// assert_eq!(tx.amount.to_string(), "250.00 CHF");
/// assert_eq!(tx.bank_reference, "B26013100042");
/// assert_eq!(tx.remittance_unstructured.as_deref(), Some("Facture F-2026-0042"));
/// ```
pub fn parse(bytes: &[u8], hint: FormatHint<'_>) -> Result<Vec<Statement>, ImportError> {
    let text = encoding::decode(bytes);
    let format = match hint {
        FormatHint::Detect => detect_format(bytes).ok_or(ImportError::UnrecognisedFormat)?,
        FormatHint::Format(format) => format,
        FormatHint::Csv(_) => Format::Csv,
    };
    let mut statements = match (format, hint) {
        (Format::Csv, FormatHint::Csv(mapping)) => vec![csv::parse(&text, mapping)?],
        (Format::Csv, _) => {
            let preset = presets::all()
                .into_iter()
                .find(|m| csv::matches(&text, m))
                .ok_or(ImportError::CsvMappingNeeded)?;
            vec![csv::parse(&text, &preset)?]
        }
        (Format::Mt940, _) => mt940::parse(&text)?,
        (Format::Ofx, _) => ofx::parse(&text)?,
        (Format::Camt052 | Format::Camt053 | Format::Camt054, _) => camt::parse(&text)?,
    };
    dedup::assign_dedup_keys(&mut statements);
    Ok(statements)
}
