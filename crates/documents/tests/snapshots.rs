//! The exact CII and UBL of two representative documents. A change here is a change of what
//! encaisse sends to tax platforms and buyers: review the diff, then accept it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

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
