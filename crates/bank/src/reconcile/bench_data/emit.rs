//! One generated transaction (or two, for a duplicated line) per category, with its truth.

use chrono::{Datelike, NaiveDate};
use encaisse_core::Money;
use encaisse_core::reference::PaymentReference;

use super::material::{self, DEBITS, UNRELATED_CREDITS};
use super::{Category, Generator, Label, plus};
use crate::reconcile::input::{Txn, TxnKind};
use crate::reconcile::metrics::Expected;

const GENERIC_TEXTS: &[&str] = &[
    "",
    "VIREMENT",
    "Paiement",
    "Zahlung",
    "Règlement",
    "Payment",
];

impl Generator {
    pub(super) fn emit(&mut self, n: usize, category: Category) {
        let done = match category {
            Category::StructuredReference => self.structured_reference(n),
            Category::ReferenceInText => self.reference_in_text(n),
            Category::InvoiceNumber => self.invoice_number(n, category, false),
            Category::NumberWithTypo => self.invoice_number(n, category, true),
            Category::LearnedPayer => self.payer_only(n, true),
            Category::NameOnly => self.payer_only(n, false),
            Category::Instalment => self.instalment(n),
            Category::Grouped => self.grouped(n),
            Category::FeeDeducted => self.fee_deducted(n),
            Category::Overpayment => self.overpayment(n),
            Category::ThirdPartyPayer => self.third_party(n),
            Category::Prepayment => self.prepayment(n),
            Category::Duplicate => self.duplicate(n),
            Category::UnrelatedCredit => self.unrelated(n),
            Category::Debit => self.debit(n),
            Category::Refund => self.refund(n),
            Category::Interest => self.interest(n),
            Category::PaidEarlier => {
                self.paid_earlier(n);
                true
            }
        };
        if !done && !self.invoice_number(n, Category::InvoiceNumber, false) {
            self.paid_earlier(n);
        }
    }

    /// A client pays an invoice of 2023, long settled: by number or RF reference.
    fn paid_earlier(&mut self, n: usize) {
        let c = self.rng.below(self.clients.len());
        let client = self.clients[c].clone();
        let seq = self.rng.between(1, 60_000) as u32;
        let number = format!("F-2023-{seq:05}");
        let currency = match client.country {
            material::Country::Switzerland => encaisse_core::Currency::CHF,
            _ => encaisse_core::Currency::EUR,
        };
        let amount = Money::from_minor(self.rng.between(80_00, 9_000_00), currency);
        let on = plus(self.today, -self.rng.between(0, 60));
        let shown = material::as_bank_shows(&mut self.rng, &client.name);
        let mut txn = Txn::payment(format!("T{n:07}"), on, amount)
            .with_payer(&shown)
            .with_iban(&client.iban);
        let compact: String = number.chars().filter(char::is_ascii_alphanumeric).collect();
        match encaisse_core::reference::CreditorReference::generate(&compact) {
            Ok(rf) if self.rng.chance(0.3) => {
                txn.structured_reference = Some(rf.as_str().to_owned())
            }
            _ => {
                let (written, seq_only) = material::written_number(&mut self.rng, 2023, seq);
                txn.remittance = Some(material::number_phrase(&mut self.rng, &written, seq_only));
            }
        }
        self.push(txn, Category::PaidEarlier, Expected::default());
    }

    /// Shuffles transactions and labels together (statements mix every kind).
    pub(super) fn shuffle(&mut self) {
        for i in (1..self.transactions.len()).rev() {
            let j = self.rng.below(i + 1);
            self.transactions.swap(i, j);
            self.labels.swap(i, j);
        }
    }

    fn owed(&self, i: usize) -> i64 {
        crate::reconcile::index::minor(&self.invoices[i].outstanding)
    }

    fn money(&self, i: usize, minor: i64) -> Money {
        Money::from_minor(minor, self.invoices[i].currency)
    }

    fn paid_on(&mut self, i: usize) -> NaiveDate {
        let issued = self.invoices[i].issue_date;
        let on = plus(issued, self.rng.between(0, 60));
        on.min(self.today)
    }

    /// A credit for invoice `i` from its client, as its bank shows it.
    fn credit(&mut self, n: usize, i: usize, amount: i64) -> Txn {
        let client = self.client_of(i).clone();
        let shown = material::as_bank_shows(&mut self.rng, &client.name);
        let on = self.paid_on(i);
        let mut txn = Txn::payment(format!("T{n:07}"), on, self.money(i, amount))
            .with_payer(&shown)
            .with_iban(&client.iban);
        txn.bank_reference = format!("B{n:07}");
        txn
    }

    fn push(&mut self, txn: Txn, category: Category, expected: Expected) {
        self.transactions.push(txn);
        self.labels.push(Label { category, expected });
    }

    fn full(&self, i: usize) -> Expected {
        Expected {
            allocations: vec![(self.invoices[i].id, self.money(i, self.owed(i)))],
            credit: None,
        }
    }

    fn number_text(&mut self, i: usize, allow_sequence_only: bool) -> String {
        let (year, seq) = year_and_seq(&self.invoices[i].number);
        let (mut written, mut seq_only) = material::written_number(&mut self.rng, year, seq);
        while seq_only && !allow_sequence_only {
            (written, seq_only) = material::written_number(&mut self.rng, year, seq);
        }
        material::number_phrase(&mut self.rng, &written, seq_only)
    }

    fn generic_text(&mut self) -> String {
        (*self.rng.pick(GENERIC_TEXTS)).to_owned()
    }

    fn structured_reference(&mut self, n: usize) -> bool {
        let Some(i) = self.take(|g, i| g.invoices[i].payment_reference.is_some()) else {
            return false;
        };
        let reference = match &self.invoices[i].payment_reference {
            Some(PaymentReference::Creditor(rf)) if self.rng.chance(0.4) => rf.grouped(),
            Some(r) => r.as_str().to_owned(),
            None => return false,
        };
        let text = self.generic_text();
        let txn = self
            .credit(n, i, self.owed(i))
            .with_structured_reference(&reference)
            .with_remittance(&text);
        let expected = self.full(i);
        self.push(txn, Category::StructuredReference, expected);
        true
    }

    fn reference_in_text(&mut self, n: usize) -> bool {
        let Some(i) = self.take(|g, i| g.invoices[i].payment_reference.is_some()) else {
            return false;
        };
        let reference = match &self.invoices[i].payment_reference {
            Some(PaymentReference::Creditor(rf)) => match self.rng.below(3) {
                0 => rf.grouped().to_lowercase(),
                1 => rf.as_str().to_owned(),
                _ => rf.grouped(),
            },
            Some(PaymentReference::Qr(qr)) => qr.grouped(),
            None => return false,
        };
        let text = format!(
            "{} {reference}",
            self.rng.pick(&["Paiement", "Ref", "Zahlung", ""])
        );
        let txn = self.credit(n, i, self.owed(i)).with_remittance(text.trim());
        let expected = self.full(i);
        self.push(txn, Category::ReferenceInText, expected);
        true
    }

    fn invoice_number(&mut self, n: usize, category: Category, typo: bool) -> bool {
        let Some(i) = self.take(|_, _| true) else {
            return false;
        };
        let mut text = self.number_text(i, !typo);
        if typo {
            text = material::with_typo(&mut self.rng, &text).0;
        }
        let txn = self.credit(n, i, self.owed(i)).with_remittance(&text);
        let expected = self.full(i);
        self.push(txn, category, expected);
        true
    }

    fn payer_only(&mut self, n: usize, learned: bool) -> bool {
        let Some(i) = self.take(|g, i| {
            let c = g.client_of(i);
            c.learned == learned && c.parent.is_none()
        }) else {
            return false;
        };
        let text = self.generic_text();
        let txn = self.credit(n, i, self.owed(i)).with_remittance(&text);
        let expected = self.full(i);
        let category = if learned {
            Category::LearnedPayer
        } else {
            Category::NameOnly
        };
        self.push(txn, category, expected);
        true
    }

    fn instalment(&mut self, n: usize) -> bool {
        let Some(i) = self.take(|g, i| g.owed(i) >= 100_00) else {
            return false;
        };
        let owed = self.owed(i);
        let part = match self.rng.below(3) {
            0 => owed / 2,
            1 => owed / 3,
            _ => owed * self.rng.between(20, 75) / 100,
        };
        let text = if self.rng.chance(0.85) {
            let number = &self.invoices[i].number;
            match self.rng.below(3) {
                0 => format!("Acompte facture {number}"),
                1 => format!("Teilzahlung Rechnung {number}"),
                _ => format!("Paiement partiel {number}"),
            }
        } else {
            self.generic_text()
        };
        let txn = self.credit(n, i, part).with_remittance(&text);
        let expected = Expected {
            allocations: vec![(self.invoices[i].id, self.money(i, part))],
            credit: None,
        };
        self.push(txn, Category::Instalment, expected);
        true
    }

    fn grouped(&mut self, n: usize) -> bool {
        let Some(first) = self.take(|g, i| {
            let c = g.client_of(i);
            c.invoices.iter().filter(|&&j| !g.used[j] && j != i).count() >= 1
        }) else {
            return false;
        };
        let c = self.invoice_client[first];
        let want = self.rng.between(1, 3) as usize;
        let currency = self.invoices[first].currency;
        let others: Vec<usize> = self.clients[c]
            .invoices
            .iter()
            .copied()
            .filter(|&j| !self.used[j] && j != first && self.invoices[j].currency == currency)
            .take(want)
            .collect();
        if others.is_empty() {
            self.used[first] = false;
            return false;
        }
        let mut members = vec![first];
        members.extend(others);
        for &j in &members {
            self.used[j] = true;
        }
        let total: i64 = members.iter().map(|&j| self.owed(j)).sum();
        let text = if self.rng.chance(0.6) {
            let numbers: Vec<String> = members
                .iter()
                .map(|&j| self.invoices[j].number.clone())
                .collect();
            format!("Factures {}", numbers.join(", "))
        } else {
            self.generic_text()
        };
        let mut txn = self.credit(n, first, total).with_remittance(&text);
        txn.booking_date = members
            .iter()
            .map(|&j| self.invoices[j].issue_date)
            .max()
            .unwrap_or(txn.booking_date)
            .max(txn.booking_date);
        let expected = Expected {
            allocations: members
                .iter()
                .map(|&j| (self.invoices[j].id, self.money(j, self.owed(j))))
                .collect(),
            credit: None,
        };
        self.push(txn, Category::Grouped, expected);
        true
    }

    fn fee_deducted(&mut self, n: usize) -> bool {
        let Some(i) = self.take(|g, i| g.owed(i) > 50_00) else {
            return false;
        };
        let fee = *self.rng.pick(&[35, 50, 120, 250, 450]);
        let amount = self.owed(i) - fee;
        let mut txn = self.credit(n, i, amount);
        match &self.invoices[i].payment_reference {
            Some(r) if self.rng.chance(0.5) => {
                txn.structured_reference = Some(r.as_str().to_owned());
            }
            _ => txn.remittance = Some(self.number_text(i, false)),
        }
        let expected = Expected {
            allocations: vec![(self.invoices[i].id, self.money(i, amount))],
            credit: None,
        };
        self.push(txn, Category::FeeDeducted, expected);
        true
    }

    fn overpayment(&mut self, n: usize) -> bool {
        let Some(i) = self.take(|_, _| true) else {
            return false;
        };
        let surplus = self.rng.between(10_00, 200_00);
        let text = self.number_text(i, false);
        let txn = self
            .credit(n, i, self.owed(i) + surplus)
            .with_remittance(&text);
        let mut expected = self.full(i);
        expected.credit = Some(self.money(i, surplus));
        self.push(txn, Category::Overpayment, expected);
        true
    }

    fn third_party(&mut self, n: usize) -> bool {
        let Some(i) = self.take(|g, i| g.client_of(i).parent.is_some()) else {
            return false;
        };
        let Some(p) = self.client_of(i).parent else {
            return false;
        };
        let payer = self.payers[p].clone();
        let client_name = self.client_of(i).name.clone();
        let with_text = !payer.learned || self.rng.chance(0.5);
        let text = if with_text {
            self.number_text(i, false)
        } else {
            self.generic_text()
        };
        let on = self.paid_on(i);
        let mut txn = Txn::payment(format!("T{n:07}"), on, self.money(i, self.owed(i)))
            .with_payer(&payer.name)
            .with_iban(&payer.iban)
            .with_remittance(&text);
        if self.rng.chance(0.3) {
            txn.ultimate_payer_name = Some(client_name);
        }
        let expected = self.full(i);
        self.push(txn, Category::ThirdPartyPayer, expected);
        true
    }

    fn prepayment(&mut self, n: usize) -> bool {
        let Some(i) = self.take(|_, _| true) else {
            return false;
        };
        let learned = self.client_of(i).learned && self.client_of(i).parent.is_none();
        let text = if !learned || self.rng.chance(0.6) {
            format!("Proforma {}", self.invoices[i].number)
        } else {
            self.generic_text()
        };
        let mut txn = self.credit(n, i, self.owed(i)).with_remittance(&text);
        txn.booking_date = plus(self.invoices[i].issue_date, -self.rng.between(3, 45));
        let expected = self.full(i);
        self.push(txn, Category::Prepayment, expected);
        true
    }

    fn duplicate(&mut self, n: usize) -> bool {
        let Some(i) = self.take(|_, _| true) else {
            return false;
        };
        let text = self.number_text(i, false);
        let txn = self.credit(n, i, self.owed(i)).with_remittance(&text);
        let mut again = txn.clone();
        again.id = format!("{}-D", txn.id);
        again.bank_reference = format!("{}-D", txn.bank_reference);
        again.booking_date = plus(txn.booking_date, 1);
        let expected = self.full(i);
        self.push(txn, Category::Duplicate, expected);
        self.push(again, Category::Duplicate, Expected::default());
        true
    }

    /// An amount some open invoice owes, to tempt the matcher, or a random one.
    fn tempting_amount(&mut self) -> (i64, encaisse_core::Currency) {
        let i = self.rng.below(self.invoices.len());
        if self.rng.chance(0.3) {
            (self.owed(i), self.invoices[i].currency)
        } else {
            (self.rng.between(5_00, 5_000_00), self.invoices[i].currency)
        }
    }

    fn unrelated(&mut self, n: usize) -> bool {
        let (payer, text) = *self.rng.pick(UNRELATED_CREDITS);
        let (amount, currency) = self.tempting_amount();
        let on = plus(self.today, -self.rng.between(0, 60));
        let mut txn = Txn::payment(format!("T{n:07}"), on, Money::from_minor(amount, currency))
            .with_remittance(text);
        if !payer.is_empty() {
            txn = txn.with_payer(payer);
        }
        self.push(txn, Category::UnrelatedCredit, Expected::default());
        true
    }

    fn debit(&mut self, n: usize) -> bool {
        let i = self.rng.below(self.invoices.len().max(1));
        let on = plus(self.today, -self.rng.between(0, 60));
        let txn = if self.rng.chance(0.4) && !self.invoices.is_empty() {
            // Money sent back to a client, naming its invoice: still never a payment of it.
            let client = self.client_of(i).clone();
            let number = self.invoices[i].number.clone();
            Txn::payment(format!("T{n:07}"), on, self.money(i, -self.owed(i)))
                .with_payer(&client.name)
                .with_iban(&client.iban)
                .with_remittance(&format!("Remboursement facture {number}"))
        } else {
            let (payee, text) = *self.rng.pick(DEBITS);
            let (amount, currency) = self.tempting_amount();
            Txn::payment(format!("T{n:07}"), on, Money::from_minor(-amount, currency))
                .with_payer(payee)
                .with_remittance(text)
        };
        self.push(txn, Category::Debit, Expected::default());
        true
    }

    fn refund(&mut self, n: usize) -> bool {
        let i = self.rng.below(self.invoices.len().max(1));
        let mut txn = self.credit(n, i, self.owed(i));
        match self.rng.below(3) {
            0 => txn.kind = TxnKind::Refund,
            1 => txn.kind = TxnKind::Reversal,
            _ => {
                txn.counterparty_name = Some("FOURNITURES PRO SAS".into());
                txn.counterparty_iban = None;
                txn.remittance = Some("REMBOURSEMENT TROP PERCU".into());
            }
        }
        self.push(txn, Category::Refund, Expected::default());
        true
    }

    fn interest(&mut self, n: usize) -> bool {
        let (amount, currency) = (self.rng.between(1_00, 300_00), encaisse_core::Currency::EUR);
        let on = plus(self.today, -self.rng.between(0, 60));
        let mut txn = Txn::payment(format!("T{n:07}"), on, Money::from_minor(amount, currency));
        if self.rng.chance(0.5) {
            txn.kind = TxnKind::Interest;
            txn.remittance = Some("INTERETS".into());
        } else {
            txn.remittance = Some(format!("INTERETS CREDITEURS T1 {}", self.today.year()));
        }
        self.push(txn, Category::Interest, Expected::default());
        true
    }
}

/// `F-2026-00042` → (2026, 42).
fn year_and_seq(number: &str) -> (i32, u32) {
    let mut parts = number.split('-').skip(1);
    let year = parts.next().and_then(|y| y.parse().ok()).unwrap_or(2026);
    let seq = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    (year, seq)
}
