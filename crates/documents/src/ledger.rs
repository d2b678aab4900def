//! Issued documents and payments as double-entry bookkeeping, the way a French accountant
//! books them (PCG): a sale debits the client's auxiliary account under 411 and credits
//! revenue (706) and collected VAT (44571) per rate; a credit note reverses that; a payment
//! debits the bank (512) and credits the client. Entries are balanced, numbered per journal
//! in chronological order, and the client lines of documents and payments that settle each
//! other exactly share a lettering code. [`crate::fec`] and [`crate::journal`] write them.
//!
//! The input model ([`SalesDocument`], [`Payment`]) is independent of the store: the caller
//! loads issued documents with their totals and payments with what they settle.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use encaisse_core::invoice::{DocumentKind, Invoice};
use encaisse_core::party::Client;
use encaisse_core::totals::{Totals, VatBreakdown};
use encaisse_core::{Currency, Money};
use rust_decimal::Decimal;

/// Why entries cannot be booked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error(
        "{what} {reference} is in {currency} but the books are kept in {book}: give its exchange rate (book currency per unit)"
    )]
    MissingExchangeRate {
        what: &'static str,
        reference: String,
        currency: Currency,
        book: Currency,
    },
    #[error("{what} {reference} mixes currencies: {detail}")]
    CurrencyMismatch {
        what: &'static str,
        reference: String,
        detail: String,
    },
    #[error(
        "document {0} is not issued (no number or issue date): only issued documents are booked"
    )]
    NotIssued(String),
    #[error("two documents carry the number {0}: numbers must be unique to be lettered")]
    DuplicateNumber(String),
    #[error("payment {reference} settles {number}, which is not among the documents given")]
    UnknownDocument { reference: String, number: String },
    #[error("{field} is empty: every booked line needs it")]
    Empty { field: &'static str },
}

/// A client as accounting knows it: the auxiliary account and its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    /// Auxiliary account code (e.g. `CDUPONT` or `411DUPONT`).
    pub account: String,
    pub name: String,
}

/// An issued invoice or credit note, as booked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesDocument {
    pub kind: DocumentKind,
    pub number: String,
    pub date: NaiveDate,
    pub customer: Customer,
    /// VAT breakdown (BG-23) of the document, in its currency.
    pub breakdown: Vec<VatBreakdown>,
    /// Total with VAT (BT-112), in the document currency.
    pub total: Money,
    /// Book-currency units per document-currency unit; `None` in the book currency.
    pub exchange_rate: Option<Decimal>,
    /// The invoice a credit note corrects: they are lettered together when they cancel out.
    pub corrects: Option<String>,
}

impl SalesDocument {
    /// The booking view of an issued document, with the client's auxiliary account.
    pub fn from_issued(
        invoice: &Invoice,
        client: &Client,
        totals: &Totals,
        customer_account: &str,
    ) -> Result<SalesDocument, LedgerError> {
        let number = invoice
            .number
            .clone()
            .ok_or_else(|| LedgerError::NotIssued(invoice.id.to_string()))?;
        let date = invoice
            .issue_date
            .ok_or_else(|| LedgerError::NotIssued(number.clone()))?;
        Ok(SalesDocument {
            kind: invoice.kind,
            number,
            date,
            customer: Customer {
                account: customer_account.to_owned(),
                name: client.name.clone(),
            },
            breakdown: totals.breakdown.clone(),
            total: totals.tax_inclusive,
            exchange_rate: None,
            corrects: invoice.corrects.as_ref().map(|c| c.number.clone()),
        })
    }
}

/// Money received from a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub date: NaiveDate,
    /// The bank's reference of the transaction (the piece reference).
    pub reference: String,
    /// Entry label, e.g. `Vir Dupont SARL`.
    pub label: String,
    pub customer: Customer,
    pub amount: Money,
    pub exchange_rate: Option<Decimal>,
    /// Numbers of the documents this payment settles (wholly or partly).
    pub settles: Vec<String>,
}

/// The accounts and journals entries are booked to (French PCG defaults).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartOfAccounts {
    pub customers: (String, String),
    pub revenue: (String, String),
    pub vat_collected: (String, String),
    /// VAT account per rate (percent) when rates are booked to separate sub-accounts.
    pub vat_by_rate: BTreeMap<Decimal, String>,
    pub bank: (String, String),
    pub sales_journal: (String, String),
    pub bank_journal: (String, String),
    /// Word before the number in sales entry labels, per kind.
    pub invoice_label: String,
    pub credit_note_label: String,
}

impl Default for ChartOfAccounts {
    fn default() -> Self {
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        ChartOfAccounts {
            customers: pair("411000", "Clients"),
            revenue: pair("706000", "Prestations de services"),
            vat_collected: pair("445710", "TVA collectée"),
            vat_by_rate: BTreeMap::new(),
            bank: pair("512000", "Banque"),
            sales_journal: pair("VE", "Ventes"),
            bank_journal: pair("BQ", "Banque"),
            invoice_label: "Facture".to_owned(),
            credit_note_label: "Avoir".to_owned(),
        }
    }
}

/// One line of an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryLine {
    pub account: String,
    pub account_label: String,
    /// Auxiliary account and label (client lines).
    pub auxiliary: Option<Customer>,
    pub debit: Decimal,
    pub credit: Decimal,
    /// Lettering code and date.
    pub lettering: Option<(String, NaiveDate)>,
    /// The amount in the document currency when it is not the book currency.
    pub foreign: Option<Money>,
}

/// A balanced entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub journal: (String, String),
    /// Sequential per journal, chronological: `VE000001`.
    pub number: String,
    pub date: NaiveDate,
    pub piece: String,
    pub piece_date: NaiveDate,
    pub label: String,
    pub lines: Vec<EntryLine>,
}

/// The books of a period, ready to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ledger {
    pub book_currency: Currency,
    pub entries: Vec<Entry>,
}

/// Converts an amount of the document currency into the book currency.
fn convert(
    m: &Money,
    rate: Option<Decimal>,
    book: Currency,
    what: &'static str,
    reference: &str,
) -> Result<Decimal, LedgerError> {
    if m.currency() == book {
        return Ok(m.amount());
    }
    let rate = rate.ok_or_else(|| LedgerError::MissingExchangeRate {
        what,
        reference: reference.to_owned(),
        currency: m.currency(),
        book,
    })?;
    Ok((m.amount() * rate).round_dp_with_strategy(
        book.minor_digits(),
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    ))
}

fn line(account: &(String, String), debit: Decimal, credit: Decimal) -> EntryLine {
    EntryLine {
        account: account.0.clone(),
        account_label: account.1.clone(),
        auxiliary: None,
        debit,
        credit,
        lettering: None,
        foreign: None,
    }
}

/// Debit/credit of an amount on the side it belongs to; negative amounts swap sides.
fn sides(amount: Decimal, debit_side: bool) -> (Decimal, Decimal) {
    let (d, c) = if debit_side {
        (amount, Decimal::ZERO)
    } else {
        (Decimal::ZERO, amount)
    };
    if amount.is_sign_negative() {
        (-c, -d)
    } else {
        (d, c)
    }
}

fn sale_entry(
    doc: &SalesDocument,
    chart: &ChartOfAccounts,
    book: Currency,
) -> Result<Entry, LedgerError> {
    let what = "document";
    if doc.number.trim().is_empty() {
        return Err(LedgerError::Empty {
            field: "document number",
        });
    }
    if doc.customer.account.trim().is_empty() {
        return Err(LedgerError::Empty {
            field: "customer account",
        });
    }
    let currency = doc.total.currency();
    for b in &doc.breakdown {
        if b.taxable.currency() != currency || b.tax.currency() != currency {
            return Err(LedgerError::CurrencyMismatch {
                what,
                reference: doc.number.clone(),
                detail: format!(
                    "total in {currency}, VAT breakdown in {}",
                    b.taxable.currency()
                ),
            });
        }
    }
    // A sale credits revenue and VAT and debits the client; a credit note the reverse.
    let sale = doc.kind == DocumentKind::Invoice;
    let foreign = |m: &Money| (m.currency() != book).then_some(*m);
    let mut lines = Vec::new();
    let mut booked = Decimal::ZERO;
    for b in &doc.breakdown {
        let base = convert(&b.taxable, doc.exchange_rate, book, what, &doc.number)?;
        let (d, c) = sides(base, !sale);
        lines.push(EntryLine {
            foreign: foreign(&b.taxable),
            ..line(&chart.revenue, d, c)
        });
        booked += base;
        if !b.tax.is_zero() {
            let tax = convert(&b.tax, doc.exchange_rate, book, what, &doc.number)?;
            let account = match chart.vat_by_rate.get(&b.rate.percent()) {
                Some(a) => (a.clone(), chart.vat_collected.1.clone()),
                None => chart.vat_collected.clone(),
            };
            let (d, c) = sides(tax, !sale);
            lines.push(EntryLine {
                foreign: foreign(&b.tax),
                ..line(&account, d, c)
            });
            booked += tax;
        }
    }
    // The client line takes the sum of the others, so conversion rounding cannot unbalance.
    let (d, c) = sides(booked, sale);
    lines.insert(
        0,
        EntryLine {
            auxiliary: Some(doc.customer.clone()),
            foreign: foreign(&doc.total),
            ..line(&chart.customers, d, c)
        },
    );
    let word = if sale {
        &chart.invoice_label
    } else {
        &chart.credit_note_label
    };
    Ok(Entry {
        journal: chart.sales_journal.clone(),
        number: String::new(),
        date: doc.date,
        piece: doc.number.clone(),
        piece_date: doc.date,
        label: format!("{word} {} {}", doc.number, doc.customer.name),
        lines,
    })
}

fn payment_entry(
    p: &Payment,
    chart: &ChartOfAccounts,
    book: Currency,
) -> Result<Entry, LedgerError> {
    if p.reference.trim().is_empty() {
        return Err(LedgerError::Empty {
            field: "payment reference",
        });
    }
    let amount = convert(&p.amount, p.exchange_rate, book, "payment", &p.reference)?;
    let foreign = (p.amount.currency() != book).then_some(p.amount);
    let (bd, bc) = sides(amount, true);
    let (cd, cc) = sides(amount, false);
    Ok(Entry {
        journal: chart.bank_journal.clone(),
        number: String::new(),
        date: p.date,
        piece: p.reference.clone(),
        piece_date: p.date,
        label: if p.label.trim().is_empty() {
            p.customer.name.clone()
        } else {
            p.label.clone()
        },
        lines: vec![
            EntryLine {
                foreign,
                ..line(&chart.bank, bd, bc)
            },
            EntryLine {
                auxiliary: Some(p.customer.clone()),
                foreign,
                ..line(&chart.customers, cd, cc)
            },
        ],
    })
}

/// `A`…`Z`, `AA`…`ZZ`, `AAA`…: the n-th lettering code (0-based).
fn lettering_code(mut n: usize) -> String {
    let mut code = Vec::new();
    loop {
        code.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    code.reverse();
    String::from_utf8(code).unwrap_or_default()
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

impl Ledger {
    /// Books `documents` and `payments` in `book_currency` with `chart`.
    pub fn post(
        documents: &[SalesDocument],
        payments: &[Payment],
        chart: &ChartOfAccounts,
        book_currency: Currency,
    ) -> Result<Ledger, LedgerError> {
        let mut by_number: HashMap<&str, usize> = HashMap::new();
        for (i, d) in documents.iter().enumerate() {
            if by_number.insert(d.number.as_str(), i).is_some() {
                return Err(LedgerError::DuplicateNumber(d.number.clone()));
            }
        }
        let mut entries = documents
            .iter()
            .map(|d| sale_entry(d, chart, book_currency))
            .collect::<Result<Vec<_>, _>>()?;
        for p in payments {
            entries.push(payment_entry(p, chart, book_currency)?);
        }
        // Lettering: documents and payments linked by settlement or correction form groups;
        // a group whose client lines balance is lettered.
        let mut parent: Vec<usize> = (0..entries.len()).collect();
        let link = |parent: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (find(parent, a), find(parent, b));
            if ra != rb {
                parent[ra] = rb;
            }
        };
        for (i, d) in documents.iter().enumerate() {
            if let Some(&j) = d.corrects.as_deref().and_then(|n| by_number.get(n)) {
                link(&mut parent, i, j);
            }
        }
        for (k, p) in payments.iter().enumerate() {
            for n in &p.settles {
                let &j = by_number
                    .get(n.as_str())
                    .ok_or_else(|| LedgerError::UnknownDocument {
                        reference: p.reference.clone(),
                        number: n.clone(),
                    })?;
                link(&mut parent, documents.len() + k, j);
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..entries.len() {
            let root = find(&mut parent, i);
            groups.entry(root).or_default().push(i);
        }
        let mut lettered: Vec<(NaiveDate, Vec<usize>)> = groups
            .into_values()
            .filter(|g| g.len() > 1)
            .filter(|g| {
                let balance: Decimal = g
                    .iter()
                    .flat_map(|&i| &entries[i].lines)
                    .filter(|l| l.auxiliary.is_some())
                    .map(|l| l.debit - l.credit)
                    .sum();
                balance.is_zero()
            })
            .map(|g| {
                let first = g.iter().map(|&i| entries[i].date).min().unwrap_or_default();
                (first, g)
            })
            .collect();
        lettered.sort();
        for (n, (_, group)) in lettered.iter().enumerate() {
            let code = lettering_code(n);
            let last = group
                .iter()
                .map(|&i| entries[i].date)
                .max()
                .unwrap_or_default();
            for &i in group {
                for l in entries[i]
                    .lines
                    .iter_mut()
                    .filter(|l| l.auxiliary.is_some())
                {
                    l.lettering = Some((code.clone(), last));
                }
            }
        }
        // Chronological, sales before bank on the same day, then by piece.
        entries.sort_by(|a, b| {
            (a.date, a.journal.0 != chart.sales_journal.0, &a.piece).cmp(&(
                b.date,
                b.journal.0 != chart.sales_journal.0,
                &b.piece,
            ))
        });
        let mut counters: HashMap<String, usize> = HashMap::new();
        for e in &mut entries {
            let n = counters.entry(e.journal.0.clone()).or_default();
            *n += 1;
            e.number = format!("{}{:06}", e.journal.0, n);
        }
        Ok(Ledger {
            book_currency,
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lettering_codes_run_like_spreadsheet_columns() {
        assert_eq!(lettering_code(0), "A");
        assert_eq!(lettering_code(25), "Z");
        assert_eq!(lettering_code(26), "AA");
        assert_eq!(lettering_code(27), "AB");
        assert_eq!(lettering_code(26 + 26 * 26), "AAA");
    }

    #[test]
    fn negative_amounts_change_sides() {
        use rust_decimal_macros::dec;
        assert_eq!(sides(dec!(5), true), (dec!(5), dec!(0)));
        assert_eq!(sides(dec!(-5), true), (dec!(0), dec!(5)));
        assert_eq!(sides(dec!(5), false), (dec!(0), dec!(5)));
    }
}
