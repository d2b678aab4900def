//! The booked [`Ledger`] as a generic accounting-journal CSV, for software that imports
//! entries but not the FEC: one row per entry line, UTF-8, quoted where needed, ISO dates,
//! plain decimal amounts; delimiter and decimal separator chosen by the caller (`;` and `,`
//! for French spreadsheets).

use crate::ledger::Ledger;

/// The columns, in order.
pub const COLUMNS: [&str; 16] = [
    "journal",
    "entry",
    "date",
    "account",
    "account_label",
    "auxiliary",
    "auxiliary_label",
    "piece",
    "piece_date",
    "label",
    "debit",
    "credit",
    "lettering",
    "lettering_date",
    "foreign_amount",
    "currency",
];

/// Delimiter and decimal separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvFormat {
    pub delimiter: u8,
    pub decimal_comma: bool,
}

impl Default for CsvFormat {
    fn default() -> Self {
        CsvFormat {
            delimiter: b',',
            decimal_comma: false,
        }
    }
}

/// Why the CSV could not be written.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the journal CSV could not be written: {0}")]
    Csv(#[from] csv::Error),
    #[error("the journal CSV could not be finished: {0}")]
    Finish(String),
}

/// Writes `ledger` as CSV with a header row.
pub fn to_csv(ledger: &Ledger, format: CsvFormat) -> Result<Vec<u8>, JournalError> {
    let amount = |a: rust_decimal::Decimal, digits: u32| {
        let mut v = a.round_dp(digits);
        v.rescale(digits);
        let s = v.to_string();
        if format.decimal_comma {
            s.replace('.', ",")
        } else {
            s
        }
    };
    let digits = ledger.book_currency.minor_digits();
    let mut w = csv::WriterBuilder::new()
        .delimiter(format.delimiter)
        .from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for e in &ledger.entries {
        for l in &e.lines {
            let (aux, aux_label) = l
                .auxiliary
                .as_ref()
                .map_or((String::new(), String::new()), |c| {
                    (c.account.clone(), c.name.clone())
                });
            let (letter, letter_date) = l
                .lettering
                .as_ref()
                .map_or((String::new(), String::new()), |(c, d)| {
                    (c.clone(), d.to_string())
                });
            let (foreign, currency) = match &l.foreign {
                Some(m) => (
                    amount(m.amount(), m.currency().minor_digits()),
                    m.currency().code().to_owned(),
                ),
                None => (String::new(), ledger.book_currency.code().to_owned()),
            };
            w.write_record([
                e.journal.0.clone(),
                e.number.clone(),
                e.date.to_string(),
                l.account.clone(),
                l.account_label.clone(),
                aux,
                aux_label,
                e.piece.clone(),
                e.piece_date.to_string(),
                e.label.clone(),
                amount(l.debit, digits),
                amount(l.credit, digits),
                letter,
                letter_date,
                foreign,
                currency,
            ])?;
        }
    }
    w.into_inner()
        .map_err(|e| JournalError::Finish(e.to_string()))
}
