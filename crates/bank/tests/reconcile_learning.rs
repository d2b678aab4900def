//! What confirmations and rejections teach the engine, and how the application stores it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, like tests/common

use chrono::NaiveDate;
use encaisse_bank::reconcile::{
    Decision, Fact, Knowledge, Method, OpenInvoice, PayerKey, Policy, REPORT_HEADER, Txn,
    reconcile, report_csv, report_rows,
};
use encaisse_core::{Currency, Money};
use uuid::Uuid;

const IBAN: &str = "FR7630006000011234567890189";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn eur(amount: &str) -> Money {
    Money::parse(amount, Currency::EUR).unwrap()
}

fn dupont() -> Uuid {
    Uuid::from_u128(1)
}

fn martin() -> Uuid {
    Uuid::from_u128(2)
}

fn invoice(client_id: Uuid, client_name: &str, number: &str, amount: &str) -> OpenInvoice {
    OpenInvoice {
        id: Uuid::from_u128(100 + u128::from(number.bytes().last().unwrap())),
        client_id,
        client_name: client_name.to_owned(),
        number: number.to_owned(),
        issue_date: day(1),
        due_date: day(31),
        currency: Currency::EUR,
        gross: eur(amount),
        outstanding: eur(amount),
        payment_reference: None,
    }
}

fn payment(amount: &str) -> Txn {
    Txn::payment("T1", day(20), eur(amount))
        .with_iban(IBAN)
        .with_payer("DC SERVICES")
}

fn decide(invoices: &[OpenInvoice], knowledge: &Knowledge, txn: Txn) -> Decision {
    reconcile(&[txn], invoices, knowledge, &Policy::default(), day(25))
        .remove(0)
        .1
}

#[test]
fn a_confirmed_payer_is_applied_automatically_the_next_time() {
    let invoices = [invoice(
        dupont(),
        "Dupont Conseil SARL",
        "F-2026-00041",
        "480.00",
    )];
    let mut knowledge = Knowledge::new();
    assert!(matches!(
        decide(&invoices, &knowledge, payment("480.00")),
        Decision::Suggest { .. } | Decision::Unmatched(_)
    ));
    knowledge.learn_confirmed(&payment("100.00"), dupont());
    assert_eq!(knowledge.client_of_iban(IBAN), Some(dupont()));
    assert!(matches!(
        decide(&invoices, &knowledge, payment("480.00")),
        Decision::Auto(_)
    ));
}

#[test]
fn a_rejection_forgets_the_iban_and_keeps_the_payer_away_from_that_client() {
    let invoices = [invoice(
        dupont(),
        "Dupont Conseil SARL",
        "F-2026-00041",
        "480.00",
    )];
    let mut knowledge = Knowledge::new();
    knowledge.learn_confirmed(&payment("100.00"), dupont());
    knowledge.learn_rejected(&payment("100.00"), dupont());
    assert_eq!(knowledge.client_of_iban(IBAN), None);
    assert!(knowledge.is_rejected(&PayerKey::Iban(IBAN.into()), dupont()));
    // Not even its name brings the pair back: only the amount alone still points there.
    let named = payment("480.00").with_payer("Dupont Conseil");
    let Decision::Suggest { candidates, .. } = decide(&invoices, &knowledge, named) else {
        panic!("expected a suggestion");
    };
    assert!(candidates.iter().all(|c| c.method == Method::AmountOnly));
}

#[test]
fn confirming_a_known_payer_for_another_client_makes_it_pay_for_that_client() {
    let mut knowledge = Knowledge::new();
    knowledge.learn_confirmed(&payment("1"), dupont());
    knowledge.learn_confirmed(&payment("1"), martin());
    assert_eq!(knowledge.client_of_iban(IBAN), Some(dupont()));
    assert_eq!(knowledge.paid_for(dupont()).collect::<Vec<_>>(), [martin()]);
}

#[test]
fn knowledge_round_trips_through_its_facts() {
    let mut knowledge = Knowledge::new();
    knowledge.learn_confirmed(&payment("1"), dupont());
    knowledge.learn_confirmed(&payment("1"), martin());
    knowledge.learn_rejected(
        &Txn::payment("T9", day(2), eur("1")).with_payer("ACME SA"),
        martin(),
    );
    let facts = knowledge.facts();
    assert!(facts.contains(&Fact::IbanOf {
        iban: IBAN.into(),
        client_id: dupont()
    }));
    assert!(facts.contains(&Fact::NameOf {
        name: "DC SERVICES".into(),
        client_id: dupont()
    }));
    assert!(facts.contains(&Fact::PaysFor {
        payer: dupont(),
        client_id: martin()
    }));
    assert!(facts.contains(&Fact::NotClient {
        payer: PayerKey::Name("ACME".into()),
        client_id: martin()
    }));
    assert_eq!(Knowledge::from_facts(facts), knowledge);
}

#[test]
fn the_report_has_one_row_per_allocation_fee_and_credit() {
    let invoices = [
        invoice(dupont(), "Dupont Conseil SARL", "F-2026-00041", "480.00"),
        invoice(martin(), "Martin SAS", "F-2026-00042", "100.00"),
    ];
    let mut over = Txn::payment("T1", day(20), eur("500.00")).with_remittance("F-2026-00041");
    over.bank_reference = "B1".into();
    let mut fee = Txn::payment("T2", day(20), eur("99.65")).with_remittance("F-2026-00042");
    fee.bank_reference = "B2".into();
    let mut debit = Txn::payment("T3", day(20), eur("-12.00"));
    debit.bank_reference = "B3".into();
    let batch = [over, fee, debit];
    let decisions = reconcile(
        &batch,
        &invoices,
        &Knowledge::new(),
        &Policy::default(),
        day(25),
    );
    let csv = report_csv(&report_rows(&batch, &decisions));
    assert_eq!(
        REPORT_HEADER.join(","),
        "bank_reference,invoice_number,amount,method,confidence,status"
    );
    assert_eq!(
        csv,
        "bank_reference,invoice_number,amount,method,confidence,status\n\
         B1,F-2026-00041,480.00,invoice_number,0.92,auto\n\
         B1,,20.00,credit,0.92,credit\n\
         B2,F-2026-00042,99.65,invoice_number,0.96,auto\n\
         B2,F-2026-00042,0.35,fee,0.96,fee\n\
         B3,,-12.00,,,ignored\n"
    );
}
