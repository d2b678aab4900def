//! The EPC QR code (EPC069-12, standards.md §3): line order, trailing lines, remittance
//! exclusivity, limits, and the parser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_core::identifiers::Iban;
use encaisse_core::reference::CreditorReference;
use encaisse_documents::epc::{EpcError, EpcQr, EpcRemittance};
use rust_decimal_macros::dec;

fn red_cross() -> Iban {
    Iban::parse("BE72000000001616").unwrap()
}

#[test]
fn unstructured_payment_follows_the_line_order_and_drops_trailing_lines() {
    let qr = EpcQr::builder("Red Cross of Belgium", red_cross())
        .bic("BPOTBEB1")
        .amount(dec!(1))
        .purpose("CHAR")
        .remittance(EpcRemittance::Text("Urgency fund".into()))
        .build()
        .unwrap();
    let expected = "BCD\n002\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1.00\nCHAR\n\nUrgency fund";
    assert_eq!(qr.payload(), expected);
    assert_eq!(EpcQr::parse(expected).unwrap(), qr);
}

#[test]
fn structured_reference_without_bic_or_amount() {
    let rf = CreditorReference::parse("RF18539007547034").unwrap();
    let qr = EpcQr::builder(
        "Atelier Numérique SAS",
        Iban::parse("FR7630006000011234567890189").unwrap(),
    )
    .remittance(EpcRemittance::Reference(rf))
    .build()
    .unwrap();
    assert_eq!(
        qr.payload(),
        "BCD\n002\n1\nSCT\n\nAtelier Numérique SAS\nFR7630006000011234567890189\n\n\nRF18539007547034"
    );
    assert_eq!(EpcQr::parse(&qr.payload()).unwrap(), qr);
    // Minimal code: nothing after the IBAN.
    let bare = EpcQr::builder("X", red_cross()).build().unwrap();
    assert_eq!(bare.payload().lines().count(), 7);
}

#[test]
fn both_remittances_in_a_payload_are_refused() {
    let both = "BCD\n002\n1\nSCT\n\nX\nBE72000000001616\nEUR1.00\n\nRF18539007547034\nInvoice 12";
    assert_eq!(EpcQr::parse(both).unwrap_err(), EpcError::BothRemittances);
}

#[test]
fn limits_and_formats_are_enforced() {
    let e = EpcQr::builder(&"N".repeat(71), red_cross())
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        EpcError::FieldTooLong {
            field: "beneficiary name",
            max: 70,
            len: 71
        }
    );
    let e = EpcQr::builder("X", red_cross())
        .remittance(EpcRemittance::Text("t".repeat(141)))
        .build()
        .unwrap_err();
    assert!(matches!(
        e,
        EpcError::FieldTooLong {
            field: "unstructured remittance",
            max: 140,
            ..
        }
    ));
    let e = EpcQr::builder("X", red_cross())
        .information(&"i".repeat(71))
        .build()
        .unwrap_err();
    assert!(matches!(e, EpcError::FieldTooLong { max: 70, .. }));
    assert_eq!(
        EpcQr::builder("X", red_cross())
            .bic("BPOT")
            .build()
            .unwrap_err(),
        EpcError::InvalidBic("BPOT".into())
    );
    // Non-ASCII input is refused, never sliced mid-character.
    assert_eq!(
        EpcQr::builder("X", red_cross())
            .bic("AÄÄÄA")
            .build()
            .unwrap_err(),
        EpcError::InvalidBic("AÄÄÄA".into())
    );
    assert_eq!(
        EpcQr::builder("X", red_cross())
            .purpose("charity")
            .build()
            .unwrap_err(),
        EpcError::InvalidPurpose("charity".into())
    );
    assert_eq!(
        EpcQr::builder("X", red_cross())
            .amount(dec!(0))
            .build()
            .unwrap_err(),
        EpcError::AmountOutOfRange(dec!(0))
    );
    assert_eq!(
        EpcQr::builder("X", red_cross())
            .amount(dec!(1.001))
            .build()
            .unwrap_err(),
        EpcError::AmountTooPrecise(dec!(1.001))
    );
    assert!(matches!(
        EpcQr::builder("Line\nbreak", red_cross()).build(),
        Err(EpcError::LineBreak {
            field: "beneficiary name"
        })
    ));
    assert_eq!(
        EpcQr::builder("  ", red_cross()).build().unwrap_err(),
        EpcError::FieldMissing {
            field: "beneficiary name"
        }
    );
}

#[test]
fn malformed_payloads_are_refused() {
    let ok = "BCD\n002\n1\nSCT\n\nX\nBE72000000001616\nEUR12.30";
    assert!(EpcQr::parse(ok).is_ok());
    assert_eq!(
        EpcQr::parse(&ok.replace("EUR12.30", "EUR12,30")).unwrap_err(),
        EpcError::AmountFormat("EUR12,30".into())
    );
    assert_eq!(
        EpcQr::parse(&ok.replace("\n002\n", "\n003\n")).unwrap_err(),
        EpcError::UnsupportedVersion("003".into())
    );
    assert_eq!(
        EpcQr::parse(&ok.replace("\n002\n", "\n001\n")).unwrap_err(),
        EpcError::BicRequired
    );
    assert_eq!(EpcQr::parse("SPC\n0200").unwrap_err(), EpcError::NotAnEpcQr);
    assert!(matches!(
        EpcQr::parse(&ok.replace("BE72000000001616", "BE72000000001617")),
        Err(EpcError::Iban(_))
    ));
}

#[test]
fn eur_invoices_become_epc_codes_and_others_are_refused() {
    let f = support::domestic_fr();
    let qr = EpcQr::from_document(&f.input()).unwrap();
    assert_eq!(qr.amount(), Some(f.totals.due.amount()));
    assert_eq!(qr.bic(), Some("BNPAFRPPXXX"));
    assert_eq!(qr.iban().as_str(), "FR7630006000011234567890189");
    assert!(
        matches!(qr.remittance(), EpcRemittance::Reference(r) if r.as_str() == f.invoice.payment_reference.as_ref().unwrap().as_str())
    );
    let mut g = support::domestic_fr();
    g.invoice.payment_reference = None;
    let qr = EpcQr::from_document(&g.input()).unwrap();
    assert_eq!(
        qr.remittance(),
        &EpcRemittance::Text("Facture F-2026-00042".into())
    );
    let chf = support::swiss_scor();
    assert_eq!(
        EpcQr::from_document(&chf.input()).unwrap_err(),
        EpcError::UnsupportedCurrency(encaisse_core::Currency::CHF)
    );
    let cn = support::credit_note_fr();
    assert_eq!(
        EpcQr::from_document(&cn.input()).unwrap_err(),
        EpcError::NotAnInvoice
    );
    let svg = EpcQr::from_document(&f.input()).unwrap().to_svg().unwrap();
    assert!(
        svg.starts_with("<svg") && !svg.contains("<g "),
        "no Swiss cross on an EPC code"
    );
}
