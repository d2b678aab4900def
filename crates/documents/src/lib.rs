//! # encaisse-documents — the legal documents of an issued invoice
//!
//! Owns what an issued invoice or credit note becomes, for machines and for people:
//! - the Factur-X / ZUGFeRD **CII** XML ([`cii`], EN 16931 or EXTENDED-CTC-FR profile) and
//!   the **UBL 2.1** Invoice/CreditNote with the Peppol BIS Billing 3.0 customization ([`ubl`]);
//! - the printed document: an A4 **PDF/A-3b Factur-X hybrid** carrying that CII XML
//!   ([`pdf::render`]), set in embedded DejaVu Sans Condensed ([`fonts`]), multi-page with
//!   repeated table headers and page footers, with the French and Swiss legal mentions;
//! - the **Swiss QR-bill** payload, parser, QR code and printed payment part with receipt
//!   ([`qrbill`], [`qrbill::render_pdf`], [`qrbill::render_svg`]) and the **EPC QR**
//!   ("GiroCode", [`epc`]);
//! - the accounting exports of issued documents and payments: balanced, lettered entries
//!   ([`ledger`]) written as the French **FEC** ([`fec`]) or a journal CSV ([`journal`]),
//!   and sales documents for **Memsoft Oxygène** shaped by an editable mapping file
//!   ([`oxygene`]; its element names are assumptions, Memsoft publishes no schema).
//!
//! Invariants:
//! - pure functions: no I/O, no clock, no randomness; the same input gives the same bytes
//!   (PDF dates are the issue date, the PDF document ID derives from organization and
//!   number), which issuing relies on to hash and archive documents;
//! - nothing is written from an unchecked invoice: [`input::DocumentInput::new`] refuses a
//!   draft, a missing number or date, totals that are not the invoice's own, a VAT category
//!   without the identifiers EN 16931 demands, a QR reference without a QR-IBAN…, and the
//!   QR-bill and EPC builders refuse what their specifications forbid, each error saying
//!   which field is wrong and how to fix it;
//! - amounts are copied from [`encaisse_core::totals::Totals`], never recomputed here; the
//!   printed totals are the XML's; no XML element is written empty (but the CII delivery
//!   container the XSD makes mandatory even when there is nothing to deliver);
//! - XML is written with quick-xml's event writer, in the element order the XSDs require;
//! - never panics on bad data.
//!
//! Callers: the issuing use case in `encaisse-app` (to render and archive the PDF, attach
//! the XML and print the payment codes), the accounting exports, and tests. It depends on
//! `encaisse-core` only.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cii;
pub mod drawing;
pub mod en16931;
pub mod epc;
pub mod fec;
pub mod fonts;
pub mod input;
pub mod journal;
pub mod ledger;
pub mod options;
pub mod oxygene;
pub mod pdf;
pub mod qr_symbol;
pub mod qrbill;
pub mod texts;
pub mod ubl;
mod xml;

pub use epc::{EpcError, EpcQr, EpcRemittance};
pub use input::{DocumentInput, InputError, PaymentInstruction};
pub use options::{
    BillingFramework, DocumentOptions, ElectronicAddress, Note, PaymentMeansCode, ProcessingType,
    Profile, SellerDetails,
};
pub use pdf::{Logo, PdfError, RenderOptions};
pub use qr_symbol::{QrSymbol, QrSymbolError, SvgLayout};
pub use qrbill::{QrAddress, QrBill, QrBillError, QrBillReference};
pub use ubl::UblError;
pub use xml::XmlError;
