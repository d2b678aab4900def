//! The reconciliation cascade, rule by rule, on small books that read like the cases.

mod reconcile_book;

use encaisse_bank::reconcile::{
    AmountFit, Decision, Evidence, IgnoreReason, Method, Overpayment, PayerLink, ReviewReason, Txn,
    TxnKind, UnmatchedReason,
};
use encaisse_core::Money;
use encaisse_core::reference::CreditorReference;
use reconcile_book::{Book, auto, chf, client, day, eur, paid, pairs, pay, suggested};

#[test]
fn a_structured_qr_reference_pays_its_invoice_automatically() {
    let mut book = Book::new();
    let id = book.qr_invoice(
        "Müller Treuhand AG",
        "F-2026-00042",
        "1250.00",
        "2100000000031394714300090",
    );
    let qrr = book.reference_of(id);
    let txn = Txn::payment("T1", day(3, 20), chf("1250.00")).with_structured_reference(&qrr);
    let m = book.decide_one(txn);
    let m = auto(&m);
    assert_eq!(m.method, Method::Reference);
    assert!(m.confidence >= 0.98);
    assert_eq!(paid(m), pairs(&[("F-2026-00042", "1250.00")]));
}

#[test]
fn a_qr_reference_written_with_spaces_in_free_text_is_found() {
    let mut book = Book::new();
    book.qr_invoice(
        "Müller Treuhand AG",
        "F-2026-00042",
        "1250.00",
        "21000000000313947143000901",
    );
    let txn = Txn::payment("T1", day(3, 20), chf("1250.00"))
        .with_remittance("Zahlung 21 00000 00003 13947 14300 09017 danke");
    let d = book.decide_one(txn);
    let m = auto(&d);
    assert_eq!(m.method, Method::Reference);
    assert!(m.evidence.iter().any(|e| matches!(
        e,
        Evidence::Reference {
            place: encaisse_bank::reconcile::ReferencePlace::FreeText,
            ..
        }
    )));
}

#[test]
fn an_rf_reference_in_lowercase_free_text_is_found() {
    let mut book = Book::new();
    let id = book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    let rf = CreditorReference::parse(&book.reference_of(id)).unwrap();
    let text = format!("virement {} merci", rf.grouped().to_lowercase());
    let d = book.decide_one(pay("480.00").with_remittance(&text));
    assert_eq!(auto(&d).method, Method::Reference);
}

#[test]
fn two_invoices_named_in_one_text_are_paid_together() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-0042", "300.00");
    book.invoice("Dupont Conseil SARL", "F-2026-0043", "200.00");
    book.invoice("Dupont Conseil SARL", "F-2026-0044", "300.00");
    let d = book.decide_one(pay("500.00").with_remittance("Fact. 2026/0042 et 43"));
    let m = auto(&d);
    assert_eq!(m.method, Method::InvoiceNumber);
    assert_eq!(
        paid(m),
        pairs(&[("F-2026-0042", "300.00"), ("F-2026-0043", "200.00")])
    );
}

#[test]
fn invoice_numbers_are_read_whatever_the_separators_case_and_padding() {
    for text in [
        "f2026/42",
        "FACTURE 2026-00042",
        "Rechnung Nr. 202600042",
        "F 2026 00042",
    ] {
        let mut book = Book::new();
        book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
        book.invoice("Dupont Conseil SARL", "F-2026-00043", "480.00");
        let d = book.decide_one(pay("480.00").with_remittance(text));
        assert_eq!(
            paid(auto(&d)),
            pairs(&[("F-2026-00042", "480.00")]),
            "text {text}"
        );
    }
}

#[test]
fn a_letter_o_for_a_zero_is_applied_only_because_the_amount_agrees() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-01234", "480.00");
    book.invoice("Martin Transports SAS", "F-2026-05678", "990.00");
    let exact = book.decide_one(pay("480.00").with_remittance("Facture F-2O26-O1234"));
    assert_eq!(paid(auto(&exact)), pairs(&[("F-2026-01234", "480.00")]));
    let partial = book.decide_one(pay("100.00").with_remittance("Facture F-2O26-O1234"));
    assert_eq!(
        suggested(&partial)[0].allocations[0].invoice_number,
        "F-2026-01234"
    );
}

#[test]
fn a_missing_digit_is_applied_when_unique_and_the_amount_is_equal_and_suggested_otherwise() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-01234", "480.00");
    book.invoice("Martin Transports SAS", "F-2026-05678", "990.00");
    let equal = book.decide_one(pay("480.00").with_remittance("Facture 2026-0124"));
    let m = auto(&equal);
    assert!(m.evidence.iter().any(|e| matches!(
        e,
        Evidence::InvoiceNumber {
            closeness: encaisse_bank::reconcile::Closeness::OneEdit,
            ..
        }
    )));
    let other_amount = book.decide_one(pay("300.00").with_remittance("Facture 2026-0124"));
    assert_eq!(
        suggested(&other_amount)[0].allocations[0].invoice_number,
        "F-2026-01234"
    );
}

#[test]
fn a_typo_that_is_another_open_invoice_s_number_is_corrected_by_payer_and_amount() {
    let mut book = Book::new();
    let iban = "FR7630006000011234567890189";
    book.invoice("Dupont Conseil SARL", "F-2026-01243", "480.00");
    book.invoice("Martin Transports SAS", "F-2026-01234", "75.00");
    book.knowledge
        .learn_confirmed(&pay("1").with_iban(iban), client("Dupont Conseil SARL"));
    // Dupont typed Martin's number (two digits swapped) but paid its own amount.
    let d = book.decide_one(
        pay("480.00")
            .with_iban(iban)
            .with_remittance("Facture F-2026-01234"),
    );
    assert_eq!(paid(auto(&d)), pairs(&[("F-2026-01243", "480.00")]));
}

#[test]
fn a_name_only_payment_of_a_unique_amount_is_suggested_not_applied() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    book.invoice("Martin Transports SAS", "F-2026-00043", "990.00");
    let d = book.decide_one(
        pay("480.00")
            .with_payer("SARL DUPONT CONSEIL")
            .with_remittance("Virement"),
    );
    let best = &suggested(&d)[0];
    assert_eq!(best.method, Method::AmountAndPayer);
    assert_eq!(paid(best), pairs(&[("F-2026-00042", "480.00")]));
    assert!(matches!(
        d,
        Decision::Suggest {
            reason: ReviewReason::LowConfidence,
            ..
        }
    ));
}

#[test]
fn a_payer_name_cut_by_the_bank_is_still_recognised() {
    let mut book = Book::new();
    book.invoice(
        "Boulangerie Pâtisserie du Vieux Moulin et Fils SARL",
        "F-2026-00042",
        "80.00",
    );
    let cut: String = "BOULANGERIE PATISSERIE DU VIEUX MOULIN ET FILS"
        .chars()
        .take(35)
        .collect();
    let d = book.decide_one(pay("80.00").with_payer(&cut));
    let best = &suggested(&d)[0];
    assert!(best.evidence.iter().any(|e| matches!(
        e,
        Evidence::Payer {
            link: PayerLink::TruncatedName,
            ..
        }
    )));
}

#[test]
fn a_learned_iban_applies_the_payment_automatically() {
    let mut book = Book::new();
    let iban = "FR7630006000011234567890189";
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    book.invoice("Dupont Conseil SARL", "F-2026-00043", "125.00");
    book.knowledge
        .learn_confirmed(&pay("1").with_iban(iban), client("Dupont Conseil SARL"));
    let d = book.decide_one(pay("480.00").with_iban(iban).with_payer("D. CONSEIL"));
    let m = auto(&d);
    assert_eq!(m.method, Method::AmountAndPayer);
    assert_eq!(paid(m), pairs(&[("F-2026-00042", "480.00")]));
}

#[test]
fn a_grouped_payment_of_three_invoices_is_found_from_the_amount() {
    let mut book = Book::new();
    let iban = "CH9300762011623852957";
    for (n, amount) in [
        ("F-2026-00040", "1000.00"),
        ("F-2026-00041", "250.00"),
        ("F-2026-00042", "80.00"),
        ("F-2026-00043", "95.50"),
    ] {
        book.invoice("Müller Treuhand AG", n, amount);
    }
    book.knowledge
        .learn_confirmed(&pay("1").with_iban(iban), client("Müller Treuhand AG"));
    let d = book.decide_one(pay("425.50").with_iban(iban));
    let m = auto(&d);
    assert_eq!(m.method, Method::Group);
    assert_eq!(
        paid(m),
        pairs(&[
            ("F-2026-00041", "250.00"),
            ("F-2026-00042", "80.00"),
            ("F-2026-00043", "95.50")
        ])
    );
}

#[test]
fn an_instalment_leaves_the_remaining_balance_open() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "1500.00");
    let d = book.decide_one(pay("500.00").with_remittance("Acompte 1/3 facture F-2026-00042"));
    let m = auto(&d);
    assert_eq!(m.allocations[0].amount, eur("500.00"));
    assert_eq!(m.allocations[0].remaining, eur("1000.00"));
    assert!(m.evidence.contains(&Evidence::Amount(AmountFit::Partial {
        remaining: eur("1000.00")
    })));
}

#[test]
fn two_instalments_in_one_batch_settle_the_invoice_without_overallocating_it() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "1000.00");
    let mut second = pay("500.00").with_remittance("Solde facture F-2026-00042");
    second.id = "T2".into();
    let d = book.decide(&[
        pay("500.00").with_remittance("Acompte facture F-2026-00042"),
        second,
    ]);
    let remaining: Vec<Money> = d.iter().map(|d| auto(d).allocations[0].remaining).collect();
    assert_eq!(remaining, [eur("500.00"), eur("0.00")]);
}

#[test]
fn a_bank_fee_within_the_tolerance_is_written_off() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    let d = book.decide_one(pay("479.65").with_remittance("F-2026-00042"));
    let a = &auto(&d).allocations[0];
    assert_eq!(
        (a.amount, a.fee_write_off, a.remaining),
        (eur("479.65"), eur("0.35"), eur("0.00"))
    );
}

#[test]
fn a_shortfall_beyond_the_tolerance_is_a_partial_payment() {
    let mut book = Book::new();
    book.policy.fee_tolerance = encaisse_bank::reconcile::FeeTolerance::none();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    let d = book.decide_one(pay("479.65").with_remittance("F-2026-00042"));
    let a = &auto(&d).allocations[0];
    assert_eq!((a.fee_write_off, a.remaining), (eur("0.00"), eur("0.35")));
}

#[test]
fn an_over_payment_keeps_the_surplus_as_client_credit() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    let d = book.decide_one(pay("500.00").with_remittance("Facture F-2026-00042"));
    let m = auto(&d);
    assert_eq!(m.allocations[0].amount, eur("480.00"));
    let credit = m.credit.as_ref().unwrap();
    assert_eq!(
        (credit.client_id, credit.amount),
        (client("Dupont Conseil SARL"), eur("20.00"))
    );
}

#[test]
fn an_over_payment_is_reviewed_when_the_policy_says_so() {
    let mut book = Book::new();
    book.policy.overpayment = Overpayment::Review;
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    let d = book.decide_one(pay("500.00").with_remittance("Facture F-2026-00042"));
    assert!(matches!(
        d,
        Decision::Suggest {
            reason: ReviewReason::Overpayment,
            ..
        }
    ));
}

#[test]
fn debits_refunds_reversals_and_interest_are_never_matched() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    let naming = |amount: &str| {
        pay(amount)
            .with_payer("Dupont Conseil SARL")
            .with_remittance("Facture F-2026-00042")
    };
    let cases = [
        (naming("-480.00"), IgnoreReason::Debit),
        (
            naming("480.00").with_kind(TxnKind::Refund),
            IgnoreReason::Refund { from_text: false },
        ),
        (
            naming("480.00").with_kind(TxnKind::Reversal),
            IgnoreReason::Reversal,
        ),
        (
            pay("480.00").with_kind(TxnKind::Interest),
            IgnoreReason::Interest { from_text: false },
        ),
        (
            pay("480.00").with_remittance("INTERETS CREDITEURS T1"),
            IgnoreReason::Interest { from_text: true },
        ),
        (
            pay("480.00")
                .with_payer("Dupont Conseil SARL")
                .with_remittance("Remboursement trop perçu"),
            IgnoreReason::Refund { from_text: true },
        ),
    ];
    for (txn, reason) in cases {
        assert_eq!(book.decide_one(txn), Decision::Ignored(reason));
    }
}

#[test]
fn the_same_amount_owed_by_two_clients_is_never_applied_on_amount_alone() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    book.invoice("Martin Transports SAS", "F-2026-00043", "480.00");
    let d = book.decide_one(pay("480.00").with_payer("ACME"));
    let candidates = suggested(&d);
    assert_eq!(candidates.len(), 2);
    assert!(candidates.iter().all(|c| c.method == Method::AmountOnly));
}

#[test]
fn a_payment_before_the_invoice_date_pays_an_invoice_that_exists() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    let txn =
        Txn::payment("T1", day(2, 20), eur("480.00")).with_remittance("Proforma F-2026-00042");
    let d = book.decide_one(txn);
    assert!(
        auto(&d)
            .evidence
            .contains(&Evidence::PaidBeforeIssue { days: 9 })
    );
}

#[test]
fn an_invoice_issued_after_today_cannot_be_paid() {
    let mut book = Book::new();
    book.add(
        "Dupont Conseil SARL",
        "F-2026-00099",
        eur("480.00"),
        None,
        day(5, 1),
    );
    let d = book.decide_one(pay("480.00").with_remittance("Facture F-2026-00099"));
    assert_eq!(d, Decision::Unmatched(UnmatchedReason::NoEvidence));
}

#[test]
fn a_duplicated_line_never_pays_the_invoice_twice() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    let first = pay("480.00").with_remittance("F-2026-00042");
    let mut again = first.clone();
    again.id = "T1-again".into();
    let d = book.decide(&[first, again]);
    auto(&d[0]);
    assert!(matches!(
        &d[1],
        Decision::Suggest { reason: ReviewReason::AlreadySettledInBatch { by }, .. } if by == "T1"
    ));
}

#[test]
fn a_parent_company_pays_for_its_subsidiary_once_learned() {
    let mut book = Book::new();
    let holding_iban = "FR7610107001011234567890129";
    book.invoice("Dupont Logistique SAS", "F-2026-00042", "480.00");
    let holding = client("Groupe Dupont Holding SA");
    // The holding paid before for itself, then once confirmed for its subsidiary.
    let from_holding = pay("1")
        .with_iban(holding_iban)
        .with_payer("GROUPE DUPONT HOLDING");
    book.knowledge.learn_confirmed(&from_holding, holding);
    book.knowledge
        .learn_confirmed(&from_holding, client("Dupont Logistique SAS"));
    let d = book.decide_one(
        pay("480.00")
            .with_iban(holding_iban)
            .with_payer("GROUPE DUPONT HOLDING"),
    );
    let m = auto(&d);
    assert!(m.evidence.iter().any(|e| matches!(
        e,
        Evidence::Payer {
            link: PayerLink::PaysForClient,
            ..
        }
    )));
}

#[test]
fn another_document_s_number_is_not_taken_for_an_invoice_number() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00315", "509.49");
    let d = book.decide_one(
        pay("509.49")
            .with_payer("STRIPE PAYMENTS")
            .with_remittance("STRIPE PAYOUT PO-2026-0315"),
    );
    assert!(!matches!(d, Decision::Auto(_)));
}

#[test]
fn a_valid_reference_of_no_open_invoice_is_reported() {
    let book = Book::new();
    let rf = CreditorReference::generate("F202500001").unwrap();
    let d = book.decide_one(pay("480.00").with_structured_reference(rf.as_str()));
    assert_eq!(
        d,
        Decision::Unmatched(UnmatchedReason::ReferenceOfNoOpenInvoice(
            rf.as_str().to_owned()
        ))
    );
}

#[test]
fn an_iban_that_paid_by_reference_in_the_batch_identifies_its_other_payments() {
    let mut book = Book::new();
    let iban = "DE89370400440532013000";
    book.invoice("Schneider Bau GmbH", "F-2026-00042", "480.00");
    book.invoice("Schneider Bau GmbH", "F-2026-00043", "725.00");
    let by_number = pay("480.00")
        .with_iban(iban)
        .with_remittance("Rechnung F-2026-00042");
    let mut plain = pay("725.00").with_iban(iban).with_payer("SCHNEIDER BAU");
    plain.id = "T2".into();
    let d = book.decide(&[by_number, plain]);
    let m = auto(&d[1]);
    assert!(m.evidence.iter().any(|e| matches!(
        e,
        Evidence::Payer {
            link: PayerLink::IbanInBatch,
            ..
        }
    )));
    book.policy.learn_within_batch = false;
    let d = book.decide(&[
        pay("480.00")
            .with_iban(iban)
            .with_remittance("F-2026-00042"),
        {
            let mut t = pay("725.00").with_iban(iban).with_payer("SCHNEIDER BAU");
            t.id = "T2".into();
            t
        },
    ]);
    suggested(&d[1]);
}

#[test]
fn every_suggestion_explains_its_rule_and_evidence() {
    let mut book = Book::new();
    book.invoice("Dupont Conseil SARL", "F-2026-00042", "480.00");
    let d = book.decide_one(
        pay("480.00")
            .with_payer("Dupont Conseil")
            .with_remittance("Merci"),
    );
    let text = suggested(&d)[0].explanation();
    assert!(text.starts_with("amount_and_payer (0.85)"), "{text}");
    assert!(
        text.contains("bears the name of Dupont Conseil SARL"),
        "{text}"
    );
    assert!(text.contains("amount equals what is owed"), "{text}");
}
