//! OFX bank and credit-card statements, 1.x (SGML: `OFXHEADER:100`, leaf elements without
//! closing tags) and 2.x (XML). Both are read by one tolerant tag reader: an element that
//! holds text and is followed by another tag is closed implicitly, as SGML OFX expects.
//!
//! Read: `STMTRS` and `CCSTMTRS` (one statement each) → `CURDEF`, `BANKACCTFROM` /
//! `CCACCTFROM` (`ACCTID`; a French `BANKID`/`BRANCHID`/`ACCTID` triple — the RIB — is turned
//! into its IBAN), every `STMTTRN` (`TRNTYPE`, `DTPOSTED`, `DTAVAIL`, `TRNAMT`, `FITID`,
//! `NAME` or `PAYEE/NAME`, `MEMO`, `CURRENCY/CURSYM`) and `LEDGERBAL` as closing balance.
//! OFX has no structured remittance: references stay in `NAME`/`MEMO` for the matcher.

use chrono::NaiveDate;
use encaisse_core::identifiers::Iban;
use encaisse_core::{Currency, Money};
use rust_decimal::Decimal;

use crate::error::ImportError;
use crate::model::{Balance, BankTransaction, Format, Statement, TransactionStatus};

const MAX_DEPTH: usize = 64;

/// An OFX element: upper-case name, own text, children, and the line of its opening tag.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
    line: usize,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// Every descendant with this name (not looking inside a match), in document order.
    fn descendants<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            } else {
                c.descendants(name, out);
            }
        }
    }
}

fn err(line: usize, expected: &str, found: Option<&str>) -> ImportError {
    ImportError::at_line(Format::Ofx, line, expected, found)
}

/// Parses every statement of an OFX file. Dedup keys are left empty.
pub(crate) fn parse(text: &str) -> Result<Vec<Statement>, ImportError> {
    let root = tree(text)?;
    let mut responses = Vec::new();
    root.descendants("STMTRS", &mut responses);
    root.descendants("CCSTMTRS", &mut responses);
    responses.sort_by_key(|n| n.line);
    if responses.is_empty() {
        return Err(ImportError::in_file(
            Format::Ofx,
            "a bank or credit-card statement (STMTRS or CCSTMTRS)",
        ));
    }
    responses.into_iter().map(statement).collect()
}

fn statement(rs: &Node) -> Result<Statement, ImportError> {
    let currency_text = rs
        .text_of("CURDEF")
        .ok_or_else(|| err(rs.line, "CURDEF, the statement currency", None))?;
    let currency = Currency::parse(currency_text).map_err(|_| {
        let line = rs.child("CURDEF").map_or(rs.line, |n| n.line);
        err(
            line,
            "an ISO 4217 currency code in CURDEF",
            Some(currency_text),
        )
    })?;
    let account = rs.child("BANKACCTFROM").or_else(|| rs.child("CCACCTFROM"));
    let account_id = account
        .and_then(|a| a.text_of("ACCTID"))
        .unwrap_or_default()
        .to_owned();
    let account_iban = account.and_then(account_iban);

    let mut trns = Vec::new();
    rs.descendants("STMTTRN", &mut trns);
    let transactions = trns
        .into_iter()
        .map(|t| transaction(t, currency))
        .collect::<Result<Vec<_>, _>>()?;

    let closing_balance = match rs.child("LEDGERBAL") {
        Some(bal) => Some(Balance {
            amount: Money::new(amount(bal, "BALAMT")?, currency),
            date: date(bal, "DTASOF")?,
        }),
        None => None,
    };

    Ok(Statement {
        format: Format::Ofx,
        statement_id: None,
        account_iban,
        account_id,
        currency,
        opening_balance: None,
        closing_balance,
        transactions,
    })
}

fn transaction(t: &Node, statement_currency: Currency) -> Result<BankTransaction, ImportError> {
    let currency = match t.child("CURRENCY").and_then(|c| c.text_of("CURSYM")) {
        Some(code) => Currency::parse(code)
            .map_err(|_| err(t.line, "an ISO 4217 code in CURRENCY/CURSYM", Some(code)))?,
        None => statement_currency,
    };
    let name = t
        .text_of("NAME")
        .or_else(|| t.child("PAYEE").and_then(|p| p.text_of("NAME")));
    Ok(BankTransaction {
        bank_reference: t.text_of("FITID").unwrap_or_default().to_owned(),
        booking_date: date(t, "DTPOSTED")?,
        value_date: match t.child("DTAVAIL") {
            Some(_) => Some(date(t, "DTAVAIL")?),
            None => None,
        },
        amount: Money::new(amount(t, "TRNAMT")?, currency),
        status: TransactionStatus::Booked,
        is_reversal: false,
        counterparty_name: name.map(str::to_owned),
        counterparty_iban: None,
        counterparty_account: None,
        ultimate_counterparty_name: None,
        remittance_unstructured: t.text_of("MEMO").map(str::to_owned),
        structured_reference: None,
        end_to_end_id: None,
        additional_info: None,
        bank_transaction_code: t.text_of("TRNTYPE").map(str::to_owned),
        dedup_key: String::new(),
    })
}

/// `-80`, `1234.56`, `+12,50` (some French banks write a decimal comma).
fn amount(parent: &Node, name: &str) -> Result<Decimal, ImportError> {
    let node = parent
        .child(name)
        .ok_or_else(|| err(parent.line, &format!("{name} in <{}>", parent.name), None))?;
    let text = node.text.trim();
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let shaped = !unsigned.is_empty()
        && unsigned
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        && unsigned
            .bytes()
            .filter(|b| *b == b'.' || *b == b',')
            .count()
            <= 1
        && unsigned.bytes().any(|b| b.is_ascii_digit());
    let parsed = shaped
        .then(|| {
            text.replace(',', ".")
                .trim_start_matches('+')
                .parse::<Decimal>()
                .ok()
        })
        .flatten();
    parsed.ok_or_else(|| {
        err(
            node.line,
            &format!("a decimal amount in {name}, such as -1234.56"),
            Some(text),
        )
    })
}

/// `YYYYMMDD[HHMMSS[.XXX]][[-5:EST]]`, read as the calendar date written.
fn date(parent: &Node, name: &str) -> Result<NaiveDate, ImportError> {
    let node = parent
        .child(name)
        .ok_or_else(|| err(parent.line, &format!("{name} in <{}>", parent.name), None))?;
    let text = node.text.trim();
    text.get(..8)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
        .ok_or_else(|| err(node.line, &format!("a date YYYYMMDD in {name}"), Some(text)))
}

/// The account's IBAN: `ACCTID` itself, or the French RIB `BANKID` (5 digits) + `BRANCHID`
/// (5) + `ACCTID` (11, optionally followed by the 2-digit key, or `ACCTKEY`).
fn account_iban(account: &Node) -> Option<Iban> {
    let id = account.text_of("ACCTID")?;
    if let Ok(iban) = Iban::parse(id) {
        return Some(iban);
    }
    let bank = account.text_of("BANKID")?;
    let branch = account.text_of("BRANCHID")?;
    let digits5 = |s: &str| s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits5(bank) || !digits5(branch) {
        return None;
    }
    let compact: String = id.chars().filter(|c| !c.is_whitespace()).collect();
    let (number, given_key) = match compact.len() {
        11 => (compact.as_str(), account.text_of("ACCTKEY")),
        13 => (compact.get(..11)?, compact.get(11..)),
        _ => return None,
    };
    if !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let key = rib_key(bank, branch, number)?;
    if given_key.is_some_and(|k| k.parse::<u64>().ok() != Some(key)) {
        return None;
    }
    let bban = format!("{bank}{branch}{}{key:02}", number.to_ascii_uppercase());
    let check = 98 - mod97(&format!("{bban}FR00"))?;
    Iban::parse(&format!("FR{check:02}{bban}")).ok()
}

/// The French RIB key: 97 − ((89·bank + 15·branch + 3·account) mod 97), letters of the
/// account number replaced by their digit (A/J=1, B/K/S=2 … I/R/Z=9).
fn rib_key(bank: &str, branch: &str, account: &str) -> Option<u64> {
    let numeric: String = account
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            d @ '0'..='9' => Some(d),
            'A' | 'J' => Some('1'),
            'B' | 'K' | 'S' => Some('2'),
            'C' | 'L' | 'T' => Some('3'),
            'D' | 'M' | 'U' => Some('4'),
            'E' | 'N' | 'V' => Some('5'),
            'F' | 'O' | 'W' => Some('6'),
            'G' | 'P' | 'X' => Some('7'),
            'H' | 'Q' | 'Y' => Some('8'),
            'I' | 'R' | 'Z' => Some('9'),
            _ => None,
        })
        .collect::<Option<String>>()?;
    let b: u64 = bank.parse().ok()?;
    let g: u64 = branch.parse().ok()?;
    let a: u64 = numeric.parse().ok()?;
    Some(97 - (89 * b + 15 * g + 3 * a) % 97)
}

/// ISO 7064 mod 97 over letters (A=10 … Z=35) and digits.
fn mod97(s: &str) -> Option<u64> {
    let mut rem = 0u64;
    for c in s.chars() {
        let v = u64::from(c.to_digit(36)?);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    Some(rem)
}

/// Reads the tags into a tree rooted at a nameless node.
fn tree(text: &str) -> Result<Node, ImportError> {
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut line = 1usize;
    let mut rest = text;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            add_text(&mut stack, rest);
            break;
        };
        let before = rest.get(..lt).unwrap_or_default();
        add_text(&mut stack, before);
        line += before.matches('\n').count();
        let after = rest.get(lt..).unwrap_or_default();
        // Declarations, processing instructions (`<?OFX …?>`) and comments carry no data.
        let skip_to = if after.starts_with("<!--") {
            Some("-->")
        } else if after.starts_with("<?") || after.starts_with("<!") {
            Some(">")
        } else {
            None
        };
        let end_marker = skip_to.unwrap_or(">");
        let Some(gt) = after.find(end_marker) else {
            return Err(err(line, "a tag closed by `>`", Some(after)));
        };
        let tag_end = gt + end_marker.len();
        let tag = after.get(..tag_end).unwrap_or_default();
        line += tag.matches('\n').count();
        rest = after.get(tag_end..).unwrap_or_default();
        if skip_to.is_some() {
            continue;
        }
        let inner = tag.get(1..tag.len() - 1).unwrap_or_default().trim();
        if let Some(name) = inner.strip_prefix('/') {
            close(&mut stack, &name.trim().to_ascii_uppercase());
        } else {
            let self_closing = inner.ends_with('/');
            let name = inner
                .trim_end_matches('/')
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            if name.is_empty() {
                return Err(err(line, "a tag name", Some(tag)));
            }
            // In SGML OFX a leaf's text ends where the next tag starts.
            if stack.len() > 1 && stack.last().is_some_and(|n| !n.text.is_empty()) {
                pop_into_parent(&mut stack);
            }
            if stack.len() > MAX_DEPTH {
                return Err(err(
                    line,
                    &format!("elements nested at most {MAX_DEPTH} deep"),
                    None,
                ));
            }
            stack.push(Node {
                name,
                line,
                ..Node::default()
            });
            if self_closing {
                pop_into_parent(&mut stack);
            }
        }
    }
    while stack.len() > 1 {
        pop_into_parent(&mut stack);
    }
    stack
        .pop()
        .ok_or_else(|| ImportError::in_file(Format::Ofx, "an <OFX> document"))
}

fn add_text(stack: &mut [Node], raw: &str) {
    let text = raw.trim();
    if text.is_empty() {
        return;
    }
    if let Some(top) = stack.last_mut() {
        if !top.text.is_empty() {
            top.text.push(' ');
        }
        top.text.push_str(&unescape(text));
    }
}

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

fn pop_into_parent(stack: &mut Vec<Node>) {
    if stack.len() > 1
        && let Some(node) = stack.pop()
        && let Some(parent) = stack.last_mut()
    {
        parent.children.push(node);
    }
}

/// Closes `name` and every element left open inside it; a stray closing tag is ignored.
fn close(stack: &mut Vec<Node>, name: &str) {
    if stack.iter().skip(1).any(|n| n.name == name) {
        while stack.len() > 1 {
            let done = stack.last().is_some_and(|n| n.name == name);
            pop_into_parent(stack);
            if done {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn french_rib_becomes_iban() {
        let root =
            tree("<BANKACCTFROM><BANKID>30001<BRANCHID>00794<ACCTID>12345678901</BANKACCTFROM>")
                .unwrap();
        let acct = root.child("BANKACCTFROM").unwrap();
        assert_eq!(
            account_iban(acct).unwrap().as_str(),
            "FR7630001007941234567890185"
        );
    }

    #[test]
    fn sgml_leaves_close_implicitly() {
        let root = tree("<A><B>1<C>two words\n<D><E>x</D></A>").unwrap();
        let a = root.child("A").unwrap();
        assert_eq!(a.text_of("B"), Some("1"));
        assert_eq!(a.text_of("C"), Some("two words"));
        assert_eq!(a.child("D").unwrap().text_of("E"), Some("x"));
        assert_eq!(a.child("D").unwrap().line, 2);
    }
}
