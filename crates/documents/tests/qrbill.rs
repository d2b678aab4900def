//! The Swiss QR-bill payload: line layout per IG QR-bill v2.3 (standards.md §2.2), the
//! QR-IBAN ⇔ QRR pairing, refusals with the field named, and the parser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_core::Currency;
use encaisse_core::identifiers::Iban;
use encaisse_core::party::Country;
use encaisse_core::reference::{CreditorReference, QrReference};
use encaisse_documents::qrbill::{QrAddress, QrBill, QrBillError, QrBillReference};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const QR_IBAN: &str = "CH4431999123000889012";
const IBAN: &str = "CH9300762011623852957";

fn iban(s: &str) -> Iban {
    Iban::parse(s).unwrap()
}

fn creditor() -> QrAddress {
    QrAddress {
        name: "Robert Schneider AG".into(),
        street: Some("Rue du Lac".into()),
        building_number: Some("1268".into()),
        postal_code: "2501".into(),
        town: "Biel".into(),
        country: Country::CH,
    }
}

fn debtor() -> QrAddress {
    QrAddress {
        name: "Pia-Maria Rutschmann-Schnyder".into(),
        street: Some("Grosse Marktgasse".into()),
        building_number: Some("28".into()),
        postal_code: "9400".into(),
        town: "Rorschach".into(),
        country: Country::CH,
    }
}

fn qrr() -> QrBillReference {
    // standards.md §2.3: 21000000000313947143000901 → check digit 7.
    QrBillReference::Qr(QrReference::generate("21000000000313947143000901").unwrap())
}

/// The IG's example bill with a QR-IBAN, in structured addresses (standards.md §2.2).
const IG_EXAMPLE: &str = "SPC
0200
1
CH4431999123000889012
S
Robert Schneider AG
Rue du Lac
1268
2501
Biel
CH







1949.75
CHF
S
Pia-Maria Rutschmann-Schnyder
Grosse Marktgasse
28
9400
Rorschach
CH
QRR
210000000003139471430009017
Auftrag vom 15.06.2020
EPD
//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:10/40/0:30
Name AV1: UV;UltraPay005;12345
Name AV2: XY;XYService;54321";

fn ig_example() -> QrBill {
    QrBill::builder(iban(QR_IBAN), creditor(), Currency::CHF)
        .amount(dec!(1949.75))
        .debtor(debtor())
        .reference(qrr())
        .message("Auftrag vom 15.06.2020")
        .billing_information(
            "//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:10/40/0:30",
        )
        .alternative_procedure("Name AV1: UV;UltraPay005;12345")
        .alternative_procedure("Name AV2: XY;XYService;54321")
        .build()
        .unwrap()
}

#[test]
fn qr_iban_with_qr_reference_gives_the_ig_example_line_by_line() {
    let bill = ig_example();
    assert_eq!(bill.payload(), IG_EXAMPLE);
    assert_eq!(bill.payload().lines().count(), 34);
    assert!(
        !bill.payload().ends_with('\n'),
        "no separator after the last element"
    );
    assert_eq!(QrBill::parse(IG_EXAMPLE).unwrap(), bill);
}

#[test]
fn scanned_payloads_with_crlf_or_a_trailing_break_parse_the_same() {
    let crlf = IG_EXAMPLE.replace('\n', "\r\n");
    assert_eq!(QrBill::parse(&crlf).unwrap(), ig_example());
    assert_eq!(
        QrBill::parse(&format!("{IG_EXAMPLE}\n")).unwrap(),
        ig_example()
    );
}

#[test]
fn normal_iban_with_creditor_reference_and_no_amount_nor_debtor() {
    let rf = CreditorReference::parse("RF18 5390 0754 7034").unwrap();
    let bill = QrBill::builder(iban(IBAN), creditor(), Currency::EUR)
        .reference(QrBillReference::Creditor(rf))
        .build()
        .unwrap();
    let payload = bill.payload();
    let lines: Vec<&str> = payload.split('\n').collect();
    assert_eq!(
        lines.len(),
        31,
        "ends with the EPD trailer when nothing follows"
    );
    assert_eq!(lines[3], IBAN);
    assert_eq!(&lines[18..20], ["", "EUR"], "amount left for the payer");
    assert!(lines[20..27].iter().all(|l| l.is_empty()), "no debtor");
    assert_eq!(&lines[27..31], ["SCOR", "RF18539007547034", "", "EPD"]);
    assert_eq!(QrBill::parse(&payload).unwrap(), bill);
}

#[test]
fn normal_iban_without_reference_is_non_with_an_empty_reference() {
    let bill = QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
        .amount(dec!(50))
        .build()
        .unwrap();
    let payload = bill.payload();
    let lines: Vec<&str> = payload.split('\n').collect();
    assert_eq!(lines[18], "50.00");
    assert_eq!(&lines[27..29], ["NON", ""]);
    assert_eq!(QrBill::parse(&payload).unwrap(), bill);
}

#[test]
fn qr_iban_with_creditor_reference_is_refused() {
    let rf = CreditorReference::parse("RF18539007547034").unwrap();
    let e = QrBill::builder(iban(QR_IBAN), creditor(), Currency::CHF)
        .reference(QrBillReference::Creditor(rf))
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        QrBillError::QrIbanNeedsQrReference {
            iban: QR_IBAN.into(),
            reference_type: "SCOR"
        }
    );
    assert!(e.to_string().contains("only accepts a QR reference"), "{e}");
    let e = QrBill::builder(iban(QR_IBAN), creditor(), Currency::CHF)
        .build()
        .unwrap_err();
    assert!(matches!(
        e,
        QrBillError::QrIbanNeedsQrReference {
            reference_type: "NON",
            ..
        }
    ));
}

#[test]
fn normal_iban_with_qr_reference_is_refused() {
    let e = QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
        .reference(qrr())
        .build()
        .unwrap_err();
    assert_eq!(e, QrBillError::QrReferenceNeedsQrIban(IBAN.into()));
    assert!(e.to_string().contains("use the QR-IBAN"), "{e}");
}

#[test]
fn combined_address_in_a_payload_is_refused() {
    // Type K puts "street number" and "postcode town" on two free lines.
    let k = IG_EXAMPLE.replacen(
        "S\nRobert Schneider AG\nRue du Lac\n1268\n2501\nBiel\nCH",
        "K\nRobert Schneider AG\nRue du Lac 1268\n2501 Biel\n\n\nCH",
        1,
    );
    let e = QrBill::parse(&k).unwrap_err();
    assert_eq!(e, QrBillError::CombinedAddress { party: "creditor" });
    assert!(e.to_string().contains("use type S"), "{e}");
}

#[test]
fn incomplete_structured_address_is_refused() {
    let mut c = creditor();
    c.town = String::new();
    let e = QrBill::builder(iban(IBAN), c, Currency::CHF)
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        QrBillError::FieldMissing {
            field: "creditor town"
        }
    );
    let mut d = debtor();
    d.postal_code = " ".into();
    let e = QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
        .debtor(d)
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        QrBillError::FieldMissing {
            field: "debtor postal code"
        }
    );
}

#[test]
fn too_long_fields_are_refused_with_their_limit() {
    let mut c = creditor();
    c.name = "A".repeat(71);
    let e = QrBill::builder(iban(IBAN), c, Currency::CHF)
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        QrBillError::FieldTooLong {
            field: "creditor name",
            max: 70,
            len: 71
        }
    );
    assert!(e.to_string().contains("at most 70"), "{e}");
    let mut d = debtor();
    d.building_number = Some("1".repeat(17));
    assert!(matches!(
        QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
            .debtor(d)
            .build(),
        Err(QrBillError::FieldTooLong {
            field: "debtor building number",
            max: 16,
            ..
        })
    ));
    let mut c = creditor();
    c.town = "T".repeat(36);
    assert!(matches!(
        QrBill::builder(iban(IBAN), c, Currency::CHF).build(),
        Err(QrBillError::FieldTooLong {
            field: "creditor town",
            max: 35,
            ..
        })
    ));
    // Exactly 70 is fine.
    let mut c = creditor();
    c.name = "A".repeat(70);
    assert!(
        QrBill::builder(iban(IBAN), c, Currency::CHF)
            .build()
            .is_ok()
    );
}

#[test]
fn additional_information_shares_140_characters() {
    let e = QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
        .message(&"m".repeat(100))
        .billing_information(&format!("//S1/{}", "b".repeat(40)))
        .build()
        .unwrap_err();
    assert_eq!(e, QrBillError::AdditionalInformationTooLong(145));
    let e = QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
        .billing_information("S1/10/123")
        .build()
        .unwrap_err();
    assert_eq!(e, QrBillError::BillingInformationSyntax);
    let e = QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
        .alternative_procedure("a")
        .alternative_procedure("b")
        .alternative_procedure("c")
        .build()
        .unwrap_err();
    assert_eq!(e, QrBillError::TooManyAlternativeProcedures(3));
}

#[test]
fn characters_outside_the_latin_set_are_refused() {
    let e = QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
        .message("Projekt – Phase 2")
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        QrBillError::CharacterNotAllowed {
            field: "message (Ustrd)",
            character: '–',
            code: 0x2013
        }
    );
    // Accents, ß, Ł, ș and € are part of the v2.3 set.
    assert!(
        QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
            .message("Zürich, Łódź, București: 100 € für Müßiggang")
            .build()
            .is_ok()
    );
}

#[test]
fn currency_amount_and_account_country_are_checked() {
    let usd = Currency::parse("USD").unwrap();
    assert_eq!(
        QrBill::builder(iban(IBAN), creditor(), usd)
            .build()
            .unwrap_err(),
        QrBillError::UnsupportedCurrency(usd)
    );
    let fr = iban("FR7630006000011234567890189");
    assert!(matches!(
        QrBill::builder(fr, creditor(), Currency::EUR).build(),
        Err(QrBillError::AccountNotSwiss(_))
    ));
    for (amount, expect_range) in [
        (dec!(0), true),
        (dec!(-5), true),
        (dec!(1000000000), true),
        (dec!(10.005), false),
    ] {
        let e = QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
            .amount(amount)
            .build()
            .unwrap_err();
        if expect_range {
            assert_eq!(e, QrBillError::AmountOutOfRange(amount));
        } else {
            assert_eq!(e, QrBillError::AmountTooPrecise(amount));
        }
    }
    let max = QrBill::builder(iban(IBAN), creditor(), Currency::CHF)
        .amount(dec!(999999999.99))
        .build()
        .unwrap();
    assert!(max.payload().contains("\n999999999.99\nCHF\n"));
}

#[test]
fn malformed_payloads_are_refused_with_the_reason() {
    let cases: Vec<(String, QrBillError)> = vec![
        (
            IG_EXAMPLE.replacen("0200", "0100", 1),
            QrBillError::UnsupportedVersion("0100".into()),
        ),
        (
            IG_EXAMPLE.replacen("1949.75", "1949,75", 1),
            QrBillError::AmountFormat("1949,75".into()),
        ),
        (
            IG_EXAMPLE.replacen("\nEPD\n", "\nEND\n", 1),
            QrBillError::MissingTrailer("END".into()),
        ),
        (
            IG_EXAMPLE.replacen("CH\n\n\n", "CH\nS\n\n", 1),
            QrBillError::UltimateCreditorNotEmpty,
        ),
        (
            IG_EXAMPLE.replacen("SPC", "BCD", 1),
            QrBillError::NotAQrBill,
        ),
        (
            IG_EXAMPLE.lines().take(20).collect::<Vec<_>>().join("\n"),
            QrBillError::LineCount(20),
        ),
    ];
    for (payload, expected) in cases {
        assert_eq!(QrBill::parse(&payload).unwrap_err(), expected);
    }
    // A wrong QRR check digit is caught by the reference check.
    let bad = IG_EXAMPLE.replacen(
        "210000000003139471430009017",
        "210000000003139471430009018",
        1,
    );
    assert!(matches!(
        QrBill::parse(&bad),
        Err(QrBillError::Reference(_))
    ));
    // Swapping the QR-IBAN for a normal one breaks the pairing.
    let swapped = IG_EXAMPLE.replacen(QR_IBAN, IBAN, 1);
    assert_eq!(
        QrBill::parse(&swapped).unwrap_err(),
        QrBillError::QrReferenceNeedsQrIban(IBAN.into())
    );
}

#[test]
fn invoices_become_payment_parts() {
    let f = support::swiss_qr_iban();
    let bill = QrBill::from_document(&f.input()).unwrap();
    assert_eq!(bill.account().as_str(), QR_IBAN);
    assert!(
        matches!(bill.reference(), QrBillReference::Qr(r) if r.as_str() == "000104000000000000000000075")
    );
    assert_eq!(bill.amount(), Some(f.totals.due.amount()));
    assert_eq!(bill.currency(), Currency::CHF);
    assert_eq!(bill.creditor().name, "Bergblick Informatik GmbH");
    assert_eq!(bill.debtor().unwrap().town, "Luzern");
    assert_eq!(bill.message(), Some("Rechnung F-2026-00007"));
    assert_eq!(
        bill.billing_information(),
        Some("//S1/10/F-2026-00007/11/260131/30/116281710/32/8.1/40/0:30")
    );
    let g = support::swiss_scor();
    let bill = QrBill::from_document(&g.input()).unwrap();
    assert_eq!(bill.account().as_str(), IBAN);
    assert_eq!(bill.reference().type_code(), "SCOR");
    assert!(
        bill.billing_information()
            .unwrap()
            .contains("/32/3.8:290.00;8.1:1080.00/")
    );
    let c = support::credit_note_fr();
    assert_eq!(
        QrBill::from_document(&c.input()).unwrap_err(),
        QrBillError::NotAnInvoice
    );
}

#[test]
fn the_svg_is_46_mm_with_the_swiss_cross() {
    let svg = ig_example().to_svg().unwrap();
    assert!(svg.contains("width=\"46mm\" height=\"46mm\""));
    assert!(svg.contains("<rect x=\"-3.5\" y=\"-3.5\" width=\"7\" height=\"7\" fill=\"#fff\"/>"));
    let symbol = ig_example().qr_symbol().unwrap();
    // 7 mm on 46 mm, in modules.
    let scale = format!("scale({})", format_scale(symbol.width() as f64 / 46.0));
    assert!(svg.contains(&scale), "{scale} not in svg");
}

fn format_scale(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn arb_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9äöüéàçÄÖÜ .,'-]{{1,{max}}}"))
        .unwrap()
        .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn arb_address() -> impl Strategy<Value = QrAddress> {
    (
        arb_text(70),
        proptest::option::of(arb_text(70)),
        proptest::option::of("[0-9]{1,4}[a-c]?"),
        "[0-9]{4}",
        arb_text(35),
        prop_oneof![Just(Country::CH), Just(Country::FR), Just(Country::DE)],
    )
        .prop_map(
            |(name, street, building_number, postal_code, town, country)| QrAddress {
                name,
                street,
                building_number,
                postal_code,
                town,
                country,
            },
        )
}

proptest! {
    #[test]
    fn every_valid_bill_survives_its_payload(
        creditor in arb_address(),
        debtor in proptest::option::of(arb_address()),
        cents in proptest::option::of(1i64..99_999_999_999),
        qr in any::<bool>(),
        digits in "[0-9]{1,26}",
        message in proptest::option::of(arb_text(60)),
    ) {
        prop_assume!(digits.chars().any(|c| c != '0'));
        let (account, reference) = if qr {
            (QR_IBAN, QrBillReference::Qr(QrReference::generate(&digits).unwrap()))
        } else {
            let body = &digits[..digits.len().min(21)];
            (IBAN, QrBillReference::Creditor(CreditorReference::generate(body).unwrap()))
        };
        let mut b = QrBill::builder(iban(account), creditor, Currency::CHF).reference(reference);
        if let Some(c) = cents { b = b.amount(Decimal::new(c, 2)); }
        if let Some(d) = debtor { b = b.debtor(d); }
        if let Some(m) = &message { b = b.message(m); }
        let bill = b.build().unwrap();
        let payload = bill.payload();
        prop_assert!(payload.chars().count() <= 997);
        prop_assert_eq!(QrBill::parse(&payload).unwrap(), bill);
    }
}
