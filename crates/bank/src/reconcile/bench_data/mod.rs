//! Labelled, seeded data to measure reconciliation: French, Swiss and German clients, open
//! invoices with RF or QR references, knowledge learned from past matches, and transactions
//! of every kind the engine meets — exact references, numbers written every way or with a
//! typo, payers known only by name or by a learned IBAN, instalments, grouped payments, bank
//! fees, over-payments, third-party payers, prepayments, duplicated lines, unrelated
//! credits, debits, refunds and interest — each with the settlement it should get.
//!
//! The mix ([`WEIGHTS`]) is that of a services SME's account (most French and Swiss B2B
//! payers quote the invoice number or the QR reference). Each open invoice is paid by at most
//! one generated transaction (a duplicated line excepted); once every open invoice has its
//! payment (more transactions than open invoices, as in the 1M × 100k benchmark), payments
//! name invoices of a past year, paid long ago and no longer open ([`Category::PaidEarlier`]).

mod material;

use chrono::{Days, NaiveDate};
use encaisse_core::reference::{CreditorReference, PaymentReference, QrReference};
use encaisse_core::{Currency, Money};
use uuid::Uuid;

use self::material::{Country, Rng};
use super::input::{OpenInvoice, Txn};
use super::knowledge::{Fact, Knowledge};
use super::metrics::Expected;

/// What kind of case a transaction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    StructuredReference,
    ReferenceInText,
    InvoiceNumber,
    NumberWithTypo,
    LearnedPayer,
    NameOnly,
    Instalment,
    Grouped,
    FeeDeducted,
    Overpayment,
    ThirdPartyPayer,
    Prepayment,
    Duplicate,
    UnrelatedCredit,
    Debit,
    Refund,
    Interest,
    /// A payment of an invoice paid long ago (not open): only once every open invoice has
    /// its payment, in batches with more transactions than open invoices.
    PaidEarlier,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::StructuredReference => "structured reference",
            Category::ReferenceInText => "reference in text",
            Category::InvoiceNumber => "invoice number",
            Category::NumberWithTypo => "number with typo",
            Category::LearnedPayer => "learned payer",
            Category::NameOnly => "name only",
            Category::Instalment => "instalment",
            Category::Grouped => "grouped",
            Category::FeeDeducted => "fee deducted",
            Category::Overpayment => "overpayment",
            Category::ThirdPartyPayer => "third-party payer",
            Category::Prepayment => "prepayment",
            Category::Duplicate => "duplicated line",
            Category::UnrelatedCredit => "unrelated credit",
            Category::Debit => "debit",
            Category::Refund => "refund",
            Category::Interest => "interest",
            Category::PaidEarlier => "paid earlier",
        }
    }
}

/// Per mille of transactions in each category.
pub const WEIGHTS: [(Category, u32); 17] = [
    (Category::StructuredReference, 140),
    (Category::ReferenceInText, 80),
    (Category::InvoiceNumber, 245),
    (Category::NumberWithTypo, 50),
    (Category::LearnedPayer, 80),
    (Category::NameOnly, 30),
    (Category::Instalment, 40),
    (Category::Grouped, 50),
    (Category::FeeDeducted, 40),
    (Category::Overpayment, 20),
    (Category::ThirdPartyPayer, 30),
    (Category::Prepayment, 20),
    (Category::Duplicate, 20),
    (Category::UnrelatedCredit, 50),
    (Category::Debit, 80),
    (Category::Refund, 15),
    (Category::Interest, 10),
];

/// How much to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub seed: u64,
    pub invoices: usize,
    pub transactions: usize,
}

/// A transaction's label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub category: Category,
    pub expected: Expected,
}

/// Generated data, `labels[i]` describing `transactions[i]`.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub today: NaiveDate,
    pub invoices: Vec<OpenInvoice>,
    pub knowledge: Knowledge,
    pub transactions: Vec<Txn>,
    pub labels: Vec<Label>,
}

impl Scenario {
    /// `(category, expected)` per transaction, for [`super::metrics::evaluate`].
    pub fn truth(&self) -> impl Iterator<Item = (&str, &Expected)> {
        self.labels
            .iter()
            .map(|l| (l.category.as_str(), &l.expected))
    }
}

#[derive(Clone, Debug)]
struct Client {
    id: Uuid,
    name: String,
    country: Country,
    iban: String,
    learned: bool,
    /// Index in `Generator::payers` of the company that pays for it.
    parent: Option<usize>,
    invoices: Vec<usize>,
}

#[derive(Clone, Debug)]
struct PayingCompany {
    id: Uuid,
    name: String,
    iban: String,
    learned: bool,
}

/// Generates a scenario; the same shape gives the same scenario.
pub fn generate(shape: Shape) -> Scenario {
    let mut g = Generator::new(shape);
    for n in 0..shape.transactions {
        if g.transactions.len() >= shape.transactions {
            break;
        }
        let category = g.pick_category();
        g.emit(n, category);
    }
    g.transactions.truncate(shape.transactions);
    g.labels.truncate(shape.transactions);
    g.shuffle();
    Scenario {
        today: g.today,
        invoices: g.invoices,
        knowledge: Knowledge::from_facts(g.facts),
        transactions: g.transactions,
        labels: g.labels,
    }
}

struct Generator {
    rng: Rng,
    today: NaiveDate,
    clients: Vec<Client>,
    payers: Vec<PayingCompany>,
    invoices: Vec<OpenInvoice>,
    /// The client (index in `clients`) of each invoice.
    invoice_client: Vec<usize>,
    used: Vec<bool>,
    pool: Vec<usize>,
    cursor: usize,
    facts: Vec<Fact>,
    transactions: Vec<Txn>,
    labels: Vec<Label>,
}

fn uuid(rng: &mut Rng) -> Uuid {
    Uuid::from_u64_pair(rng.next_u64(), rng.next_u64())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn plus(d: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        d.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .unwrap_or(d)
}

impl Generator {
    fn new(shape: Shape) -> Generator {
        let mut rng = Rng::new(shape.seed);
        let today = date(2026, 4, 15);
        let n_clients = (shape.invoices / 6).max(12);
        let mut facts = Vec::new();
        let payers: Vec<PayingCompany> = (0..(n_clients / 25).max(2))
            .map(|_| PayingCompany {
                id: uuid(&mut rng),
                name: material::payer_company_name(&mut rng),
                iban: material::iban(&mut rng, Country::France),
                learned: rng.chance(0.7),
            })
            .collect();
        let mut names = std::collections::HashSet::new();
        let mut clients = Vec::with_capacity(n_clients);
        for _ in 0..n_clients {
            let country = match rng.below(10) {
                0..=5 => Country::France,
                6..=8 => Country::Switzerland,
                _ => Country::Germany,
            };
            let mut name = material::company_name(&mut rng, country);
            while !names.insert(name.clone()) {
                name = material::company_name(&mut rng, country);
            }
            let parent = rng.chance(0.06).then(|| rng.below(payers.len()));
            let client = Client {
                id: uuid(&mut rng),
                name,
                country,
                iban: material::iban(&mut rng, country),
                learned: rng.chance(0.75),
                parent,
                invoices: Vec::new(),
            };
            if client.learned {
                facts.push(Fact::IbanOf {
                    iban: client.iban.clone(),
                    client_id: client.id,
                });
            }
            if let Some(p) = parent.filter(|&p| payers[p].learned) {
                facts.push(Fact::IbanOf {
                    iban: payers[p].iban.clone(),
                    client_id: payers[p].id,
                });
                facts.push(Fact::PaysFor {
                    payer: payers[p].id,
                    client_id: client.id,
                });
            }
            clients.push(client);
        }
        let mut g = Generator {
            rng,
            today,
            clients,
            payers,
            invoices: Vec::with_capacity(shape.invoices),
            invoice_client: Vec::with_capacity(shape.invoices),
            used: vec![false; shape.invoices],
            pool: Vec::new(),
            cursor: 0,
            facts,
            transactions: Vec::with_capacity(shape.transactions + 8),
            labels: Vec::with_capacity(shape.transactions + 8),
        };
        g.make_invoices(shape.invoices);
        g
    }

    fn make_invoices(&mut self, n: usize) {
        let first = plus(self.today, -540);
        let retainers: Vec<Option<i64>> = (0..self.clients.len())
            .map(|_| {
                self.rng
                    .chance(0.2)
                    .then(|| self.rng.between(5, 60) * 100_00)
            })
            .collect();
        let mut seq_of_year = std::collections::HashMap::new();
        for i in 0..n {
            let issue = plus(first, (i as i64 * 535) / n.max(1) as i64);
            let year = chrono::Datelike::year(&issue);
            let seq: &mut u32 = seq_of_year.entry(year).or_insert(0);
            *seq += 1;
            let seq = *seq;
            let c = if self.rng.chance(0.3) {
                self.rng.below(self.clients.len().div_ceil(10))
            } else {
                self.rng.below(self.clients.len())
            };
            let currency = match self.clients[c].country {
                Country::Switzerland => Currency::CHF,
                _ => Currency::EUR,
            };
            let gross_minor = match retainers[c] {
                Some(r) if self.rng.chance(0.5) => r,
                _ if self.rng.chance(0.15) => self.rng.between(1, 80) * 100_00,
                _ => {
                    let magnitude = [100, 1_000, 10_000][self.rng.below(3)];
                    self.rng.between(80_00, magnitude * 100 + 80_00)
                }
            };
            let outstanding = if self.rng.chance(0.12) {
                gross_minor - gross_minor * self.rng.between(30, 70) / 100
            } else {
                gross_minor
            };
            let number = format!("F-{year}-{seq:05}");
            let compact: String = number.chars().filter(char::is_ascii_alphanumeric).collect();
            let reference = if currency == Currency::CHF {
                QrReference::generate(&format!("{:06}{year}{seq:06}", c % 1_000_000))
                    .ok()
                    .map(PaymentReference::Qr)
            } else {
                CreditorReference::generate(&compact)
                    .ok()
                    .map(PaymentReference::Creditor)
            };
            self.clients[c].invoices.push(i);
            self.invoice_client.push(c);
            self.invoices.push(OpenInvoice {
                id: uuid(&mut self.rng),
                client_id: self.clients[c].id,
                client_name: self.clients[c].name.clone(),
                number,
                issue_date: issue,
                due_date: plus(issue, 30),
                currency,
                gross: Money::from_minor(gross_minor, currency),
                outstanding: Money::from_minor(outstanding, currency),
                payment_reference: reference,
            });
        }
        self.pool = (0..n).collect();
        for i in (1..self.pool.len()).rev() {
            let j = self.rng.below(i + 1);
            self.pool.swap(i, j);
        }
    }

    fn pick_category(&mut self) -> Category {
        let mut roll = self.rng.below(1000) as u32;
        for (category, weight) in WEIGHTS {
            if roll < weight {
                return category;
            }
            roll -= weight;
        }
        Category::InvoiceNumber
    }

    /// An unused invoice satisfying `want` (looked for among the next few hundred of the
    /// shuffled pool), marked used; none once every invoice is used.
    fn take(&mut self, want: impl Fn(&Generator, usize) -> bool) -> Option<usize> {
        while self.cursor < self.pool.len() && self.used[self.pool[self.cursor]] {
            self.cursor += 1;
        }
        if self.cursor >= self.pool.len() {
            return None;
        }
        let end = (self.cursor + 512).min(self.pool.len());
        for k in self.cursor..end {
            let j = self.pool[k];
            if !self.used[j] && want(self, j) {
                self.used[j] = true;
                return Some(j);
            }
        }
        None
    }

    fn client_of(&self, i: usize) -> &Client {
        &self.clients[self.invoice_client[i]]
    }
}

mod emit;
