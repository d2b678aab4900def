//! Invariants over random books and batches: allocations never exceed the payment, no
//! invoice is ever allocated more than it owes, debits are always ignored.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// test helpers, like tests/common
// Amounts in minor units are written euros_cents (`480_00` is 480.00).
#![allow(clippy::inconsistent_digit_grouping)]

use std::collections::HashMap;

use chrono::NaiveDate;
use encaisse_bank::reconcile::{Decision, Knowledge, Match, OpenInvoice, Policy, Txn, reconcile};
use encaisse_core::reference::{CreditorReference, PaymentReference};
use encaisse_core::{Currency, Money};
use proptest::prelude::*;
use uuid::Uuid;

const CLIENTS: [&str; 4] = [
    "Dupont Conseil SARL",
    "Martin Transports SAS",
    "Müller Treuhand AG",
    "Weber Bau GmbH",
];
const IBANS: [&str; 4] = [
    "FR7630006000011234567890189",
    "FR7610107001011234567890129",
    "CH9300762011623852957",
    "DE89370400440532013000",
];
/// Few distinct amounts, so that collisions, groups and fees happen.
const AMOUNTS: [i64; 6] = [100_00, 250_00, 350_00, 480_00, 480_00, 1_000_00];

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn book(specs: &[(usize, usize, bool)]) -> Vec<OpenInvoice> {
    specs
        .iter()
        .enumerate()
        .map(|(i, &(c, a, partly_paid))| {
            let number = format!("F-2026-{:05}", i + 40);
            let gross = Money::from_minor(AMOUNTS[a], Currency::EUR);
            let outstanding = if partly_paid {
                Money::from_minor(AMOUNTS[a] / 2, Currency::EUR)
            } else {
                gross
            };
            let compact: String = number.chars().filter(char::is_ascii_alphanumeric).collect();
            OpenInvoice {
                id: Uuid::from_u128(i as u128 + 1),
                client_id: Uuid::from_u128(1000 + c as u128),
                client_name: CLIENTS[c].to_owned(),
                number,
                issue_date: day(1),
                due_date: day(31),
                currency: Currency::EUR,
                gross,
                outstanding,
                payment_reference: CreditorReference::generate(&compact)
                    .ok()
                    .map(PaymentReference::Creditor),
            }
        })
        .collect()
}

/// (sign, amount choice, cents offset, payer, how the text names an invoice, which invoice)
type TxnSpec = (bool, usize, i64, usize, usize, usize);

fn txn(i: usize, spec: TxnSpec, invoices: &[OpenInvoice]) -> Txn {
    let (debit, a, offset, payer, text, which) = spec;
    let minor = (AMOUNTS[a] + offset).max(1) * if debit { -1 } else { 1 };
    let named = &invoices[which % invoices.len()];
    let remittance = match text {
        0 => String::new(),
        1 => format!("Facture {}", named.number),
        2 => format!("Fact. {} et {}", named.number, (which + 41) % 100),
        3 => named
            .payment_reference
            .as_ref()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        _ => format!("facture {}", named.number.replace('0', "O")),
    };
    Txn::payment(
        format!("T{i}"),
        day(20),
        Money::from_minor(minor, Currency::EUR),
    )
    .with_payer(CLIENTS[payer])
    .with_iban(IBANS[payer])
    .with_remittance(&remittance)
}

fn cash(m: &Match) -> i64 {
    m.allocations
        .iter()
        .map(|a| a.amount.to_minor().unwrap())
        .sum::<i64>()
        + m.credit
            .as_ref()
            .map_or(0, |c| c.amount.to_minor().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn allocations_respect_payments_and_balances(
        specs in prop::collection::vec((0usize..4, 0usize..6, any::<bool>()), 1..12),
        txns in prop::collection::vec((prop::bool::weighted(0.2), 0usize..6, -600i64..600, 0usize..4, 0usize..5, 0usize..12), 1..16),
        learned in prop::collection::vec(any::<bool>(), 4),
    ) {
        let invoices = book(&specs);
        let batch: Vec<Txn> = txns.iter().enumerate().map(|(i, s)| txn(i, *s, &invoices)).collect();
        let mut knowledge = Knowledge::new();
        for (c, learn) in learned.iter().enumerate() {
            if *learn {
                knowledge.learn_confirmed(&batch[0].clone().with_iban(IBANS[c]).with_payer(CLIENTS[c]), Uuid::from_u128(1000 + c as u128));
            }
        }
        let decisions = reconcile(&batch, &invoices, &knowledge, &Policy::default(), day(25));
        prop_assert_eq!(decisions.len(), batch.len());
        let mut applied: HashMap<Uuid, i64> = HashMap::new();
        for (t, (id, decision)) in batch.iter().zip(&decisions) {
            prop_assert_eq!(&t.id, id);
            let amount = t.amount.to_minor().unwrap();
            if amount < 0 {
                prop_assert!(matches!(decision, Decision::Ignored(_)), "debit {} decided {:?}", t.id, decision);
            }
            let matches: Vec<&Match> = match decision {
                Decision::Auto(m) => vec![m],
                Decision::Suggest { candidates, .. } => candidates.iter().collect(),
                _ => Vec::new(),
            };
            for m in matches {
                // Cash applied plus credit is exactly the payment: never more.
                prop_assert_eq!(cash(m), amount, "{}", m.explanation());
                for a in &m.allocations {
                    prop_assert!(!a.amount.is_negative() && !a.remaining.is_negative());
                }
            }
            if let Decision::Auto(m) = decision {
                for a in &m.allocations {
                    *applied.entry(a.invoice_id).or_default() +=
                        a.amount.to_minor().unwrap() + a.fee_write_off.to_minor().unwrap();
                }
            }
        }
        for inv in &invoices {
            let total = applied.get(&inv.id).copied().unwrap_or(0);
            prop_assert!(total <= inv.outstanding.to_minor().unwrap(), "{} over-allocated: {} > {}", inv.number, total, inv.outstanding);
        }
    }
}
