//! The exact CII and UBL of two representative documents. A change here is a change of what
//! encaisse sends to tax platforms and buyers: review the diff, then accept it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_documents::fec::{self, FecEncoding, FecOptions};
use encaisse_documents::{cii, ubl};

#[test]
fn domestic_french_invoice_cii() {
    insta::assert_snapshot!(cii::to_xml(&support::domestic_fr().input()).unwrap());
}

#[test]
fn domestic_french_invoice_ubl() {
    insta::assert_snapshot!(ubl::to_xml(&support::domestic_fr().input()).unwrap());
}

#[test]
fn swiss_qr_iban_invoice_cii() {
    insta::assert_snapshot!(cii::to_xml(&support::swiss_qr_iban().input()).unwrap());
}

#[test]
fn swiss_qr_iban_invoice_ubl() {
    insta::assert_snapshot!(ubl::to_xml(&support::swiss_qr_iban().input()).unwrap());
}

#[test]
fn fec_of_two_invoices_a_credit_note_and_two_payments() {
    let file = fec::export(
        &support::books(),
        &FecOptions {
            siren: support::OrgBuilder::french().build().ids.siren.unwrap(),
            closing_date: support::date(2026, 12, 31),
            encoding: FecEncoding::Utf8,
        },
    );
    assert_eq!(file.file_name, "732829320FEC20261231.txt");
    // Tabs shown as `|` and CR LF as LF so the snapshot reads in a review.
    let text = String::from_utf8(file.content).unwrap();
    insta::assert_snapshot!(text.replace('\t', "|").replace("\r\n", "\n"));
}
