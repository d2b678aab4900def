//! # encaisse-documents — what an issued invoice says to machines
//!
//! Owns the machine-readable payloads of an issued invoice or credit note:
//! the Factur-X / ZUGFeRD **CII** XML ([`cii`], EN 16931 or EXTENDED-CTC-FR profile), the
//! **UBL 2.1** Invoice/CreditNote with the Peppol BIS Billing 3.0 customization ([`ubl`]), the
//! **Swiss QR-bill** payload with its parser and QR code ([`qrbill`]) and the **EPC QR**
//! ("GiroCode") payload and QR code ([`epc`]). The PDF/A-3 that will carry them comes later.
//!
//! Invariants:
//! - pure functions: no I/O, no clock, no randomness; the same input gives the same bytes;
//! - nothing is written from an unchecked invoice: [`input::DocumentInput::new`] refuses a
//!   draft, a missing number or date, totals that are not the invoice's own, a VAT category
//!   without the identifiers EN 16931 demands, a QR reference without a QR-IBAN…, and the
//!   QR-bill and EPC builders refuse what their specifications forbid, each error saying
//!   which field is wrong and how to fix it;
//! - amounts are copied from [`encaisse_core::totals::Totals`], never recomputed here, and
//!   written with exactly two decimals; no element is written empty (but the CII delivery
//!   container the XSD makes mandatory even when there is nothing to deliver);
//! - XML is written with quick-xml's event writer, in the element order the XSDs require;
//! - never panics on bad data.
//!
//! Callers: the issuing use case in `encaisse-app` (to attach the XML and print the QR codes),
//! and tests. It depends on `encaisse-core` only.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cii;
pub mod en16931;
pub mod epc;
pub mod input;
pub mod options;
pub mod qr_symbol;
pub mod qrbill;
pub mod texts;
pub mod ubl;
mod xml;

pub use epc::{EpcError, EpcQr, EpcRemittance};
pub use input::{DocumentInput, InputError, PaymentInstruction};
pub use options::{
    BillingFramework, DocumentOptions, ElectronicAddress, Note, PaymentMeansCode, ProcessingType,
    Profile,
};
pub use qr_symbol::{QrSymbol, QrSymbolError, SvgLayout};
pub use qrbill::{QrAddress, QrBill, QrBillError, QrBillReference};
pub use ubl::UblError;
pub use xml::XmlError;
