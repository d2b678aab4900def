//! Small books for the reconciliation tests: open invoices, knowledge and policy, and
//! helpers that read like the cases.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use encaisse_bank::reconcile::{Decision, Knowledge, Match, OpenInvoice, Policy, Txn, reconcile};
use encaisse_core::reference::{CreditorReference, PaymentReference, QrReference};
use encaisse_core::{Currency, Money};
use uuid::Uuid;

pub fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

pub const TODAY: (u32, u32) = (4, 15);

pub fn eur(amount: &str) -> Money {
    Money::parse(amount, Currency::EUR).unwrap()
}

pub fn chf(amount: &str) -> Money {
    Money::parse(amount, Currency::CHF).unwrap()
}

/// A client's id, stable from its name.
pub fn client(name: &str) -> Uuid {
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    Uuid::from_u64_pair(h, 1)
}

/// Open invoices, knowledge and policy of one test.
pub struct Book {
    pub invoices: Vec<OpenInvoice>,
    pub knowledge: Knowledge,
    pub policy: Policy,
}

impl Book {
    pub fn new() -> Book {
        Book {
            invoices: Vec::new(),
            knowledge: Knowledge::new(),
            policy: Policy::default(),
        }
    }

    /// An EUR invoice issued on 1 March with its RF reference.
    pub fn invoice(&mut self, client_name: &str, number: &str, amount: &str) -> Uuid {
        let compact: String = number.chars().filter(char::is_ascii_alphanumeric).collect();
        let reference = CreditorReference::generate(&compact).unwrap();
        self.add(
            client_name,
            number,
            eur(amount),
            Some(PaymentReference::Creditor(reference)),
            day(3, 1),
        )
    }

    /// A CHF invoice with a QR reference built from `digits`.
    pub fn qr_invoice(
        &mut self,
        client_name: &str,
        number: &str,
        amount: &str,
        digits: &str,
    ) -> Uuid {
        let reference = QrReference::generate(digits).unwrap();
        self.add(
            client_name,
            number,
            chf(amount),
            Some(PaymentReference::Qr(reference)),
            day(3, 1),
        )
    }

    pub fn add(
        &mut self,
        client_name: &str,
        number: &str,
        amount: Money,
        reference: Option<PaymentReference>,
        issued: NaiveDate,
    ) -> Uuid {
        let id = Uuid::from_u64_pair(self.invoices.len() as u64 + 1, 2);
        self.invoices.push(OpenInvoice {
            id,
            client_id: client(client_name),
            client_name: client_name.to_owned(),
            number: number.to_owned(),
            issue_date: issued,
            due_date: issued + chrono::Days::new(30),
            currency: amount.currency(),
            gross: amount,
            outstanding: amount,
            payment_reference: reference,
        });
        id
    }

    pub fn decide(&self, txns: &[Txn]) -> Vec<Decision> {
        reconcile(
            txns,
            &self.invoices,
            &self.knowledge,
            &self.policy,
            day(TODAY.0, TODAY.1),
        )
        .into_iter()
        .map(|(_, d)| d)
        .collect()
    }

    pub fn decide_one(&self, txn: Txn) -> Decision {
        self.decide(&[txn]).remove(0)
    }

    pub fn reference_of(&self, id: Uuid) -> String {
        let inv = self.invoices.iter().find(|i| i.id == id).unwrap();
        inv.payment_reference.as_ref().unwrap().as_str().to_owned()
    }
}

pub fn pay(amount: &str) -> Txn {
    Txn::payment("T1", day(3, 20), eur(amount))
}

#[track_caller]
pub fn auto(decision: &Decision) -> &Match {
    match decision {
        Decision::Auto(m) => m,
        other => panic!("expected an automatic match, got {other:#?}"),
    }
}

#[track_caller]
pub fn suggested(decision: &Decision) -> &[Match] {
    match decision {
        Decision::Suggest { candidates, .. } => candidates,
        other => panic!("expected a suggestion, got {other:#?}"),
    }
}

pub fn paid(m: &Match) -> Vec<(String, String)> {
    m.allocations
        .iter()
        .map(|a| (a.invoice_number.clone(), a.amount.to_decimal_string()))
        .collect()
}

pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}
