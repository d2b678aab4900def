//! Bank CSV exports, read through a column mapping ([`CsvMapping`]): either one of the
//! [`presets`] for common French and Swiss banks, or one the user describes.
//!
//! What the reader copes with on its own: UTF-8 (with or without BOM) and Windows-1252
//! text; `;`, tab or `,` separators (detected when the mapping does not fix one); preamble
//! lines before the header row (Swiss exports start with "Konto:;CH…" lines — the header is
//! the first row where the mapped columns are found); a footer after the first blank line
//! that follows the data; quoted fields; dates `dd.mm.yyyy`, `dd/mm/yyyy`, `dd-mm-yyyy`,
//! `dd.mm.yy` and `yyyy-mm-dd`, with or without a time; amounts with a decimal comma or dot,
//! thousands separators `'`, `’`, space or non-breaking space, a sign before or after, or
//! parentheses for negatives.

pub mod presets;
mod values;

use values::{parse_amount, parse_date};

use encaisse_core::identifiers::Iban;
use encaisse_core::{Currency, Money};
use rust_decimal::Decimal;

use crate::error::ImportError;
use crate::model::{BankTransaction, Format, Statement, TransactionStatus};

/// Which column a field comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// By header text: the first of these names present in the header row. Matching ignores
    /// case, accents and repeated spaces.
    Named(Vec<String>),
    /// By 0-based position.
    Index(usize),
}

impl Column {
    /// A column by one header name.
    pub fn named(name: &str) -> Column {
        Column::Named(vec![name.to_owned()])
    }

    /// A column by any of several header names (export languages, versions).
    pub fn any_of(names: &[&str]) -> Column {
        Column::Named(names.iter().map(|n| (*n).to_owned()).collect())
    }
}

/// Where the amount is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountColumns {
    /// One signed column (negative = debit).
    Signed(Column),
    /// A debit column and a credit column; whichever is filled gives the amount, its sign
    /// set by the column (a debit written as `-50.00` or `50.00` is a debit either way).
    DebitCredit { debit: Column, credit: Column },
}

/// How dates are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// `yyyy-mm-dd` when the first part has four digits, else day first (`dd.mm.yyyy`,
    /// `dd/mm/yyyy`, `dd-mm-yyyy`, two-digit years as 20yy). Month-first US dates are not
    /// guessed: give a pattern.
    Auto,
    /// A chrono `strftime` pattern, e.g. `%m/%d/%Y`.
    Pattern(String),
}

/// How amounts separate decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecimalSeparator {
    /// `1234.50`; `,` and `'` are thousands separators.
    Dot,
    /// `1234,50`; `.` and `'` are thousands separators.
    Comma,
    /// Per value: with both `.` and `,` the last one is the decimal separator; a single
    /// separator followed by exactly three digits is a thousands separator (`1,234`), any
    /// other single separator is the decimal one.
    Auto,
}

/// How to read one bank's CSV export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvMapping {
    /// A name for messages (`Qonto`, `PostFinance`, `my bank`).
    pub name: String,
    /// `b';'`, `b','`, `b'\t'`; `None` detects it.
    pub delimiter: Option<u8>,
    /// False when the file has no header row (then use [`Column::Index`]).
    pub has_header: bool,
    pub booking_date: Column,
    pub value_date: Option<Column>,
    pub amount: AmountColumns,
    /// Currency per row; when absent or empty, `default_currency`.
    pub currency: Option<Column>,
    pub default_currency: Option<Currency>,
    pub counterparty_name: Option<Column>,
    pub counterparty_iban: Option<Column>,
    /// The bank's reference of the movement (becomes `bank_reference`).
    pub reference: Option<Column>,
    /// Free-text columns, joined with a space into `remittance_unstructured`.
    pub remittance: Vec<Column>,
    /// A column with the booking status; rows declined or cancelled are skipped.
    pub status: Option<Column>,
    /// The account's own IBAN, when the export repeats it on each row.
    pub account_iban: Option<Column>,
    /// The bank's transaction type, kept as `bank_transaction_code`.
    pub transaction_code: Option<Column>,
    pub date_format: DateFormat,
    pub decimal_separator: DecimalSeparator,
}

impl CsvMapping {
    /// A mapping with a header row, automatic delimiter, date and decimal detection, and
    /// nothing but a booking date and an amount; set the other fields as needed.
    pub fn new(name: &str, booking_date: Column, amount: AmountColumns) -> CsvMapping {
        CsvMapping {
            name: name.to_owned(),
            delimiter: None,
            has_header: true,
            booking_date,
            value_date: None,
            amount,
            currency: None,
            default_currency: None,
            counterparty_name: None,
            counterparty_iban: None,
            reference: None,
            remittance: Vec::new(),
            status: None,
            account_iban: None,
            transaction_code: None,
            date_format: DateFormat::Auto,
            decimal_separator: DecimalSeparator::Auto,
        }
    }

    fn required_columns(&self) -> Vec<&Column> {
        match &self.amount {
            AmountColumns::Signed(a) => vec![&self.booking_date, a],
            AmountColumns::DebitCredit { debit, credit } => {
                vec![&self.booking_date, debit, credit]
            }
        }
    }
}

/// A row of the file with its 1-based line number.
struct Row {
    line: usize,
    cells: Vec<String>,
}

impl Row {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

fn err(line: usize, expected: &str, found: Option<&str>) -> ImportError {
    ImportError::at_line(Format::Csv, line, expected, found)
}

/// Reads the rows of decoded CSV text.
fn rows(text: &str, delimiter: Option<u8>) -> Result<Vec<Row>, ImportError> {
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(text));
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    // Line numbers come from byte offsets: the csv crate does not count the blank lines it
    // skips, and blank lines matter here (one ends the data, and users count them).
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_at = |position: Option<&::csv::Position>| -> usize {
        let mut byte = position.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        // A record's position is where the previous one ended, before any blank lines.
        while matches!(text.as_bytes().get(byte), Some(b'\n' | b'\r')) {
            byte += 1;
        }
        line_starts.partition_point(|start| *start <= byte).max(1)
    };
    let mut out: Vec<Row> = Vec::new();
    let mut next_line = 1usize;
    for record in reader.records() {
        let record = record.map_err(|e| {
            err(
                line_at(e.position()),
                "a well-formed CSV record",
                Some(&e.to_string()),
            )
        })?;
        let line = line_at(record.position());
        // The csv crate skips blank lines; they matter here (a blank line ends the data).
        if line > next_line {
            out.push(Row {
                line: next_line,
                cells: Vec::new(),
            });
        }
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        let embedded = cells.iter().map(|c| c.matches('\n').count()).sum::<usize>();
        next_line = line + embedded + 1;
        out.push(Row { line, cells });
    }
    Ok(out)
}

/// The separator that appears on the most of the first lines; ties prefer `;`, then tab,
/// then `,` (a `;` file with decimal commas has commas on its data lines too).
pub(crate) fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b';', 0usize);
    for candidate in [b';', b'\t', b','] {
        let count = lines
            .iter()
            .filter(|l| count_outside_quotes(l, candidate) > 0)
            .count();
        if count > best.1 {
            best = (candidate, count);
        }
    }
    best.0
}

pub(crate) fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

/// Header text as compared: lower case, no accents, single spaces.
fn fold(s: &str) -> String {
    let lowered: String = s
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Column positions resolved against a header row.
struct Resolved {
    header_index: Option<usize>,
    names: Vec<String>,
}

impl Resolved {
    fn position(&self, column: &Column) -> Option<usize> {
        match column {
            Column::Index(i) => Some(*i),
            Column::Named(candidates) => candidates.iter().find_map(|c| {
                let wanted = fold(c);
                self.names.iter().position(|n| *n == wanted)
            }),
        }
    }
}

/// Finds the header row: the first of the first 50 rows where every required column exists.
fn resolve(rows: &[Row], mapping: &CsvMapping) -> Option<Resolved> {
    if !mapping.has_header {
        return Some(Resolved {
            header_index: None,
            names: Vec::new(),
        });
    }
    rows.iter().take(50).enumerate().find_map(|(i, row)| {
        let resolved = Resolved {
            header_index: Some(i),
            names: row.cells.iter().map(|c| fold(c)).collect(),
        };
        mapping
            .required_columns()
            .iter()
            .all(|c| resolved.position(c).is_some())
            .then_some(resolved)
    })
}

/// True when `text` looks like the export `mapping` describes (its header row is found).
pub(crate) fn matches(text: &str, mapping: &CsvMapping) -> bool {
    mapping.has_header
        && rows(text, mapping.delimiter)
            .ok()
            .is_some_and(|rows| resolve(&rows, mapping).is_some())
}

/// Parses a CSV export into one statement. Dedup keys are left empty.
pub(crate) fn parse(text: &str, mapping: &CsvMapping) -> Result<Statement, ImportError> {
    let rows = rows(text, mapping.delimiter)?;
    let resolved = resolve(&rows, mapping).ok_or_else(|| {
        let wanted: Vec<String> = mapping
            .required_columns()
            .iter()
            .map(|c| describe(c))
            .collect();
        ImportError::in_file(
            Format::Csv,
            format!(
                "a header row with the {} columns {}",
                mapping.name,
                wanted.join(", ")
            ),
        )
    })?;
    let start = resolved.header_index.map_or(0, |i| i + 1);
    let reader = RowReader {
        mapping,
        resolved: &resolved,
    };
    let mut transactions = Vec::new();
    let mut account_iban_text: Option<String> = None;
    let mut started = false;
    for row in rows.iter().skip(start) {
        if row.is_blank() {
            if started {
                break; // what follows is a footer (disclaimers, totals)
            }
            continue;
        }
        started = true;
        if account_iban_text.is_none() {
            account_iban_text = reader
                .cell(row, mapping.account_iban.as_ref())
                .map(str::to_owned);
        }
        if let Some(tx) = reader.transaction(row)? {
            transactions.push(tx);
        }
    }
    let currency = match (transactions.first(), mapping.default_currency) {
        (Some(tx), _) => tx.amount.currency(),
        (None, Some(c)) => c,
        (None, None) => {
            return Err(ImportError::in_file(
                Format::Csv,
                "a currency: the file has no movement and the mapping no default currency",
            ));
        }
    };
    let account_iban = account_iban_text
        .as_deref()
        .and_then(|a| Iban::parse(a).ok());
    Ok(Statement {
        format: Format::Csv,
        statement_id: None,
        account_id: account_iban
            .as_ref()
            .map(|i| i.as_str().to_owned())
            .or(account_iban_text)
            .unwrap_or_default(),
        account_iban,
        currency,
        opening_balance: None,
        closing_balance: None,
        transactions,
    })
}

fn describe(column: &Column) -> String {
    match column {
        Column::Index(i) => format!("#{}", i + 1),
        Column::Named(names) => format!("`{}`", names.join("` or `")),
    }
}

struct RowReader<'a> {
    mapping: &'a CsvMapping,
    resolved: &'a Resolved,
}

impl RowReader<'_> {
    /// The trimmed, non-empty cell of `column` in `row`.
    fn cell<'r>(&self, row: &'r Row, column: Option<&Column>) -> Option<&'r str> {
        let position = self.resolved.position(column?)?;
        row.cells
            .get(position)
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
    }

    fn transaction(&self, row: &Row) -> Result<Option<BankTransaction>, ImportError> {
        let m = self.mapping;
        let status = match self.cell(row, m.status.as_ref()) {
            None => TransactionStatus::Booked,
            Some(text) => match status(text) {
                Some(Some(s)) => s,
                Some(None) => return Ok(None),
                None => {
                    return Err(err(
                        row.line,
                        "a status such as settled, pending, declined (or exécuté, en attente, annulé)",
                        Some(text),
                    ));
                }
            },
        };
        let date_text = self.cell(row, Some(&m.booking_date)).ok_or_else(|| {
            err(
                row.line,
                &format!("a booking date in {}", describe(&m.booking_date)),
                None,
            )
        })?;
        let booking_date = parse_date(date_text, &m.date_format).ok_or_else(|| {
            err(
                row.line,
                "a date such as 31.01.2026, 31/01/2026 or 2026-01-31",
                Some(date_text),
            )
        })?;
        let value_date = match self.cell(row, m.value_date.as_ref()) {
            None => None,
            Some(text) => Some(
                parse_date(text, &m.date_format)
                    .ok_or_else(|| err(row.line, "a value date such as 31.01.2026", Some(text)))?,
            ),
        };
        let amount = self.amount(row)?;
        let currency = match self.cell(row, m.currency.as_ref()) {
            Some(code) => Currency::parse(code)
                .map_err(|_| err(row.line, "an ISO 4217 currency code", Some(code)))?,
            None => m.default_currency.ok_or_else(|| {
                err(
                    row.line,
                    "a currency (map a currency column or set a default currency)",
                    None,
                )
            })?,
        };
        let remittance: Vec<&str> = m
            .remittance
            .iter()
            .filter_map(|c| self.cell(row, Some(c)))
            .collect();
        let counterparty_account = self.cell(row, m.counterparty_iban.as_ref());
        Ok(Some(BankTransaction {
            bank_reference: self
                .cell(row, m.reference.as_ref())
                .unwrap_or_default()
                .to_owned(),
            booking_date,
            value_date,
            amount: Money::new(amount, currency),
            status,
            is_reversal: false,
            counterparty_name: self
                .cell(row, m.counterparty_name.as_ref())
                .map(str::to_owned),
            counterparty_iban: counterparty_account.and_then(|a| Iban::parse(a).ok()),
            counterparty_account: counterparty_account.map(str::to_owned),
            ultimate_counterparty_name: None,
            remittance_unstructured: (!remittance.is_empty()).then(|| remittance.join(" ")),
            structured_reference: None,
            end_to_end_id: None,
            additional_info: None,
            bank_transaction_code: self
                .cell(row, m.transaction_code.as_ref())
                .map(str::to_owned),
            dedup_key: String::new(),
        }))
    }

    fn amount(&self, row: &Row) -> Result<Decimal, ImportError> {
        let sep = self.mapping.decimal_separator;
        let parse = |text: &str| {
            parse_amount(text, sep).ok_or_else(|| {
                err(
                    row.line,
                    "an amount such as -1234.50, 1'234.50 or 1 234,50",
                    Some(text),
                )
            })
        };
        match &self.mapping.amount {
            AmountColumns::Signed(column) => {
                let text = self.cell(row, Some(column)).ok_or_else(|| {
                    err(
                        row.line,
                        &format!("an amount in {}", describe(column)),
                        None,
                    )
                })?;
                parse(text)
            }
            AmountColumns::DebitCredit { debit, credit } => {
                let d = self.cell(row, Some(debit)).map(parse).transpose()?;
                let c = self.cell(row, Some(credit)).map(parse).transpose()?;
                match (d, c) {
                    (Some(d), None) => Ok(-d.abs()),
                    (None, Some(c)) => Ok(c.abs()),
                    (Some(d), Some(c)) if c.is_zero() => Ok(-d.abs()),
                    (Some(d), Some(c)) if d.is_zero() => Ok(c.abs()),
                    (None, None) => Err(err(
                        row.line,
                        &format!("an amount in {} or {}", describe(debit), describe(credit)),
                        None,
                    )),
                    (Some(_), Some(_)) => Err(err(
                        row.line,
                        "either a debit or a credit amount, not both",
                        None,
                    )),
                }
            }
        }
    }
}

/// `Some(Some(status))` to import, `Some(None)` to skip (declined, cancelled), `None` unknown.
fn status(text: &str) -> Option<Option<TransactionStatus>> {
    match fold(text).as_str() {
        "settled" | "executed" | "completed" | "booked" | "done" | "execute" | "effectue"
        | "comptabilise" | "regle" | "gebucht" | "ausgefuhrt" | "abgeschlossen" => {
            Some(Some(TransactionStatus::Booked))
        }
        "pending" | "processing" | "in progress" | "en attente" | "en cours" | "vorgemerkt"
        | "ausstehend" | "in bearbeitung" => Some(Some(TransactionStatus::Pending)),
        "declined" | "rejected" | "canceled" | "cancelled" | "reversed" | "failed" | "refuse"
        | "rejete" | "annule" | "abgelehnt" | "storniert" => Some(None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn delimiter_is_detected_despite_decimal_commas() {
        assert_eq!(detect_delimiter("Date;Montant\n01/02/2026;12,50\n"), b';');
        assert_eq!(detect_delimiter("Date,Amount\n2026-02-01,12.50\n"), b',');
        assert_eq!(detect_delimiter("Date\tAmount\n2026-02-01\t12,50\n"), b'\t');
    }

    #[test]
    fn header_names_ignore_case_accents_and_spaces() {
        assert_eq!(
            fold(" Date de l'Opération  (UTC) "),
            "date de l'operation (utc)"
        );
        assert_eq!(fold("\u{feff}Débit"), "debit");
    }
}
