//! SWIFT MT940 customer statements, as banks deliver them in files: several messages per
//! file (`{1:…}{2:…}{4:` … `-}` blocks, or bare `:20:` sections), fields wrapped over several
//! lines, and bank dialects in `:86:` (see [`field86`]).
//!
//! Why not the `mt940` crate (1.1): it is strict where real files are not (it refuses a
//! `:61:` whose supplementary details span several lines and a `:28C:` wrapped over two
//! lines, both in ING's sample), reads `:86:` only in the German `?NN` form (the Dutch
//! `/EREF/…/REMI/` dialects stay plain text), reports no line numbers, and pulls `clap`
//! and a grammar generator into the build. The format is small; this parser is ~400 lines.
//!
//! Read fields: `:20:` statement id, `:25:` account (IBAN, IBAN + currency, or any other
//! id), `:60F:`/`:60M:` opening and `:62F:`/`:62M:` closing balance, `:61:` with value date,
//! optional entry date, `C`/`D`/`RC`/`RD` mark, optional funds code, amount, type, customer
//! reference, `//` bank reference and supplementary details, and the `:86:` that follows.

mod field86;

use chrono::{Datelike, NaiveDate};
use encaisse_core::identifiers::Iban;
use encaisse_core::{Currency, Money};
use rust_decimal::Decimal;

use crate::error::ImportError;
use crate::model::{Balance, BankTransaction, Format, Statement, TransactionStatus};

/// A field (`:61:…` and its continuation lines) with the line it starts on.
struct Field {
    tag: String,
    line: usize,
    lines: Vec<String>,
}

impl Field {
    fn first(&self) -> &str {
        self.lines.first().map(String::as_str).unwrap_or_default()
    }
}

/// Parses every statement of an MT940 file. Dedup keys are left empty.
pub(crate) fn parse(text: &str) -> Result<Vec<Statement>, ImportError> {
    let fields = split_fields(text);
    let mut statements = Vec::new();
    let mut current: Option<Draft> = None;
    for field in &fields {
        if field.tag == "20" {
            if let Some(draft) = current.take() {
                statements.push(draft.finish()?);
            }
            current = Some(Draft::new(field));
            continue;
        }
        let Some(draft) = current.as_mut() else {
            return Err(err(
                field.line,
                "a statement starting with :20:",
                Some(&format!(":{}:", field.tag)),
            ));
        };
        draft.add(field)?;
    }
    if let Some(draft) = current.take() {
        statements.push(draft.finish()?);
    }
    if statements.is_empty() {
        return Err(ImportError::in_file(
            Format::Mt940,
            "at least one statement (a :20: field)",
        ));
    }
    Ok(statements)
}

fn err(line: usize, expected: &str, found: Option<&str>) -> ImportError {
    ImportError::at_line(Format::Mt940, line, expected, found)
}

/// A line that starts a field: `:NN:` or `:NNa:`.
fn field_tag(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = rest.get(..end)?;
    let b = tag.as_bytes();
    let shaped = (b.len() == 2 || b.len() == 3)
        && b.iter().take(2).all(u8::is_ascii_digit)
        && b.get(2).is_none_or(u8::is_ascii_uppercase);
    shaped.then(|| (tag, rest.get(end + 1..).unwrap_or_default()))
}

fn split_fields(text: &str) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    let mut open = false;
    let all: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    for (i, raw) in all.iter().enumerate() {
        let number = i + 1;
        let mut line = *raw;
        // Block headers `{1:…}{2:…}{4:` carry no statement data; what follows `{4:` may.
        if line.starts_with('{') {
            match line.find("{4:") {
                Some(pos) => line = line.get(pos + 3..).unwrap_or_default(),
                None => continue,
            }
            if line.trim().is_empty() {
                open = false;
                continue;
            }
        }
        if line.trim() == "-}" || (line.trim() == "-" && ends_message(&all, i + 1)) {
            open = false;
            continue;
        }
        if let Some((tag, value)) = field_tag(line) {
            fields.push(Field {
                tag: tag.to_owned(),
                line: number,
                lines: vec![value.to_owned()],
            });
            open = true;
        } else if open && let Some(last) = fields.last_mut() {
            last.lines.push(line.to_owned());
        }
    }
    fields
}

/// A line `-` ends a message only when a new field, block or the end of the file follows;
/// elsewhere it is content (ING wraps `:86:` right before a hyphen).
fn ends_message(lines: &[&str], next: usize) -> bool {
    match lines.iter().skip(next).find(|l| !l.trim().is_empty()) {
        None => true,
        Some(l) => l.starts_with('{') || field_tag(l).is_some(),
    }
}

/// A statement being assembled.
struct Draft {
    line: usize,
    statement_id: String,
    account: Option<(String, Option<Iban>)>,
    opening: Option<(Balance, Currency)>,
    closing: Option<Balance>,
    closing_currency: Option<Currency>,
    lines: Vec<(StatementLine, Option<field86::Details>)>,
    /// An `:86:` belongs to the movement only right after its `:61:`.
    after_61: bool,
}

/// A parsed `:61:` field.
struct StatementLine {
    value_date: NaiveDate,
    entry_date: Option<NaiveDate>,
    credit: bool,
    reversal: bool,
    amount: Decimal,
    type_code: String,
    customer_reference: String,
    bank_reference: String,
    supplementary: String,
}

impl Draft {
    fn new(field: &Field) -> Self {
        Draft {
            line: field.line,
            statement_id: field.first().trim().to_owned(),
            account: None,
            opening: None,
            closing: None,
            closing_currency: None,
            lines: Vec::new(),
            after_61: false,
        }
    }

    fn add(&mut self, field: &Field) -> Result<(), ImportError> {
        let after_61 = std::mem::replace(&mut self.after_61, field.tag == "61");
        match field.tag.as_str() {
            "25" => self.account = Some(account(field.first())),
            "60F" | "60M" if self.opening.is_none() => self.opening = Some(balance(field)?),
            "62F" | "62M" => {
                let (balance, currency) = balance(field)?;
                self.closing = Some(balance);
                self.closing_currency = Some(currency);
            }
            "61" => self.lines.push((statement_line(field)?, None)),
            "86" => {
                if after_61 && let Some((_, details)) = self.lines.last_mut() {
                    *details = Some(field86::interpret(&field.lines));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Statement, ImportError> {
        let (account_id, account_iban) = self.account.ok_or_else(|| {
            err(
                self.line,
                "a :25: account identification in this statement",
                None,
            )
        })?;
        let currency = match (&self.opening, self.closing_currency) {
            (Some((_, c)), _) => *c,
            (None, Some(c)) => c,
            (None, None) => {
                return Err(err(
                    self.line,
                    "an opening balance :60F: (it gives the statement currency)",
                    None,
                ));
            }
        };
        let transactions = self
            .lines
            .into_iter()
            .map(|(line, details)| transaction(line, details.unwrap_or_default(), currency))
            .collect();
        Ok(Statement {
            format: Format::Mt940,
            statement_id: (!self.statement_id.is_empty()).then_some(self.statement_id),
            account_iban,
            account_id,
            currency,
            opening_balance: self.opening.map(|(b, _)| b),
            closing_balance: self.closing,
            transactions,
        })
    }
}

fn transaction(
    line: StatementLine,
    details: field86::Details,
    currency: Currency,
) -> BankTransaction {
    let bank_reference = if !line.bank_reference.is_empty() {
        line.bank_reference.clone()
    } else if !line.customer_reference.eq_ignore_ascii_case("NONREF") {
        line.customer_reference.clone()
    } else {
        String::new()
    };
    // Rabobank (and a few others) put the counterparty account alone on the second line.
    let supplementary = line.supplementary.trim();
    let account = details.account.clone().or_else(|| {
        Iban::parse(supplementary)
            .ok()
            .map(|_| supplementary.to_owned())
    });
    let additional: Vec<&str> = [Some(line.supplementary.trim()), details.raw.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    let signed = if line.credit {
        line.amount
    } else {
        -line.amount
    };
    BankTransaction {
        bank_reference,
        booking_date: line.entry_date.unwrap_or(line.value_date),
        value_date: Some(line.value_date),
        amount: Money::new(signed, currency),
        status: TransactionStatus::Booked,
        is_reversal: line.reversal,
        counterparty_name: details.name,
        counterparty_iban: account.as_deref().and_then(|a| Iban::parse(a).ok()),
        counterparty_account: account,
        ultimate_counterparty_name: None,
        remittance_unstructured: details.remittance,
        structured_reference: details.structured_reference,
        end_to_end_id: details.end_to_end_id,
        additional_info: (!additional.is_empty()).then(|| additional.join(" | ")),
        bank_transaction_code: (!line.type_code.is_empty()).then_some(line.type_code),
        dedup_key: String::new(),
    }
}

/// `:25:` is an IBAN, an IBAN followed by the currency (`NL77INGB0574908765EUR`,
/// `NL34RABO0142623393 EUR`), or a national id (`10020030/1234567`).
fn account(value: &str) -> (String, Option<Iban>) {
    let value = value.trim();
    if let Ok(iban) = Iban::parse(value) {
        return (iban.as_str().to_owned(), Some(iban));
    }
    let without_currency = value
        .get(value.len().saturating_sub(3)..)
        .filter(|tail| {
            tail.bytes().all(|b| b.is_ascii_uppercase()) && Currency::parse(tail).is_ok()
        })
        .and_then(|_| value.get(..value.len() - 3))
        .map(str::trim)
        .filter(|head| head.bytes().last().is_some_and(|b| b.is_ascii_digit()));
    let id = without_currency.unwrap_or(value);
    (id.to_owned(), Iban::parse(id).ok())
}

/// `C260131EUR1234,56`.
fn balance(field: &Field) -> Result<(Balance, Currency), ImportError> {
    let value = field.first().trim();
    let expected = "a balance like C260131EUR1234,56 (C/D, YYMMDD, currency, amount)";
    let bad = || err(field.line, expected, Some(value));
    let credit = match value.get(..1) {
        Some("C") => true,
        Some("D") => false,
        _ => return Err(bad()),
    };
    let date = value.get(1..7).and_then(yymmdd).ok_or_else(bad)?;
    let currency = value
        .get(7..10)
        .and_then(|c| Currency::parse(c).ok())
        .ok_or_else(bad)?;
    let amount = value.get(10..).and_then(swift_amount).ok_or_else(bad)?;
    let balance = Balance {
        amount: Money::new(if credit { amount } else { -amount }, currency),
        date,
    };
    Ok((balance, currency))
}

/// `1234,56` (comma decimal, `1234,` allowed).
fn swift_amount(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let ok = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b',')
        && text.bytes().filter(|b| *b == b',').count() <= 1
        && text.bytes().next().is_some_and(|b| b.is_ascii_digit());
    if !ok {
        return None;
    }
    let mut normalized = text.replace(',', ".");
    if normalized.ends_with('.') {
        normalized.push('0');
    }
    normalized.parse().ok()
}

fn yymmdd(text: &str) -> Option<NaiveDate> {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = text.get(..2)?.parse().ok()?;
    let month: u32 = text.get(2..4)?.parse().ok()?;
    let day: u32 = text.get(4..6)?.parse().ok()?;
    // SWIFT years are two digits; statements of the 1970s are not in anyone's import queue.
    let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
    NaiveDate::from_ymd_opt(year, month, day)
}

fn statement_line(field: &Field) -> Result<StatementLine, ImportError> {
    let first = field.first().trim_end();
    let bad = |what: &str| err(field.line, what, Some(first));
    let value_date = first
        .get(..6)
        .and_then(yymmdd)
        .ok_or_else(|| bad("a :61: starting with the value date YYMMDD"))?;
    let mut rest = first.get(6..).unwrap_or_default();

    let mut entry_date = None;
    if let Some(mmdd) = rest
        .get(..4)
        .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
    {
        entry_date = Some(
            entry_date_near(value_date, mmdd)
                .ok_or_else(|| bad("an entry date MMDD after the value date"))?,
        );
        rest = rest.get(4..).unwrap_or_default();
    }

    let (credit, reversal, after_mark) = if let Some(r) = rest.strip_prefix("RC") {
        (false, true, r)
    } else if let Some(r) = rest.strip_prefix("RD") {
        (true, true, r)
    } else if let Some(r) = rest.strip_prefix('C') {
        (true, false, r)
    } else if let Some(r) = rest.strip_prefix('D') {
        (false, false, r)
    } else {
        return Err(bad("a debit/credit mark C, D, RC or RD after the dates"));
    };
    rest = after_mark;
    // Optional funds code: the third letter of the currency code.
    if rest.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
        rest = rest.get(1..).unwrap_or_default();
    }
    let amount_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b',' || *b == b'.')
        .count();
    let amount = rest
        .get(..amount_len)
        .and_then(swift_amount)
        .ok_or_else(|| bad("an amount with a decimal comma, such as 1234,56"))?;
    rest = rest.get(amount_len..).unwrap_or_default();

    let type_code = rest.get(..4).unwrap_or_default();
    if !matches!(type_code.get(..1), Some("N") | Some("F") | Some("S")) {
        return Err(bad("a transaction type such as NTRF after the amount"));
    }
    rest = rest.get(4..).unwrap_or_default();
    let (customer_reference, bank_reference) = match rest.find("//") {
        Some(pos) => (
            rest.get(..pos).unwrap_or_default(),
            rest.get(pos + 2..).unwrap_or_default(),
        ),
        None => (rest, ""),
    };
    let supplementary: String = field.lines.iter().skip(1).map(|l| l.trim_end()).collect();
    Ok(StatementLine {
        value_date,
        entry_date,
        credit,
        reversal,
        amount,
        type_code: type_code.to_owned(),
        customer_reference: customer_reference.trim().to_owned(),
        bank_reference: bank_reference.trim().to_owned(),
        supplementary,
    })
}

/// The entry date `MMDD` carries no year: take the value date's, moved by one year when the
/// two straddle New Year (booked 31 Dec, value 2 Jan).
fn entry_date_near(value_date: NaiveDate, mmdd: &str) -> Option<NaiveDate> {
    let month: u32 = mmdd.get(..2)?.parse().ok()?;
    let day: u32 = mmdd.get(2..4)?.parse().ok()?;
    let year = match (month, value_date.month()) {
        (12, 1) => value_date.year() - 1,
        (1, 12) => value_date.year() + 1,
        _ => value_date.year(),
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn field(value: &str) -> Field {
        Field {
            tag: "61".to_owned(),
            line: 7,
            lines: value.lines().map(str::to_owned).collect(),
        }
    }

    #[test]
    fn statement_line_with_every_subfield() {
        let l =
            statement_line(&field("2601020101RDR1234,56NTRFKUNDENREF//BANKREF1\nSUPPL")).unwrap();
        assert_eq!(l.value_date, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
        // Booked on 1 January, value 2 January.
        assert_eq!(l.entry_date, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert!(l.credit && l.reversal);
        assert_eq!(l.amount.to_string(), "1234.56");
        assert_eq!(l.type_code, "NTRF");
        assert_eq!(l.customer_reference, "KUNDENREF");
        assert_eq!(l.bank_reference, "BANKREF1");
        assert_eq!(l.supplementary, "SUPPL");
    }

    #[test]
    fn entry_date_across_new_year() {
        let l = statement_line(&field("2601021231D5,NMSCNONREF")).unwrap();
        assert_eq!(l.entry_date, NaiveDate::from_ymd_opt(2025, 12, 31));
        assert_eq!(l.amount.to_string(), "5.0");
        assert!(!l.credit);
    }

    #[test]
    fn bad_mark_names_the_line() {
        let e = statement_line(&field("260102X5,00NTRFNONREF"))
            .err()
            .unwrap();
        assert!(
            e.to_string()
                .starts_with("MT940 line 7: expected a debit/credit mark"),
            "{e}"
        );
    }

    #[test]
    fn account_with_currency_suffix() {
        let (id, iban) = account("NL34RABO0142623393 EUR");
        assert_eq!(id, "NL34RABO0142623393");
        assert!(iban.is_some());
        let (id, iban) = account("NL77INGB0574908765EUR");
        assert_eq!(id, "NL77INGB0574908765");
        assert!(
            iban.is_none(),
            "the check digits of this sample IBAN are wrong"
        );
        let (id, iban) = account("10020030/1234567");
        assert_eq!((id.as_str(), iban), ("10020030/1234567", None));
    }
}
