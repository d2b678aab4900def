//! # encaisse-core — the domain of invoice-to-cash, without I/O
//!
//! Owns the types and rules every other crate speaks in: [`money::Money`] (exact decimals with
//! their currency), VAT categories and rates as EN 16931 knows them ([`vat`]), invoice totals
//! computed the EN 16931 way ([`totals`]), the invoice lifecycle as explicit transitions
//! ([`invoice`]), gapless number patterns ([`numbering`]), payment references (ISO 11649 RF and
//! the Swiss QR reference, [`reference`]) and identifier checks (IBAN, SIREN/SIRET, VAT ids,
//! Swiss UID, [`identifiers`]).
//!
//! Invariants:
//! - no I/O, no clock, no async: whatever depends on "now" takes `today`/`now` as a parameter;
//! - money is never `f64`; amounts of different currencies never mix silently;
//! - a value of a validated newtype (`Iban`, `Siren`, `QrReference`, …) is always valid.
//!
//! Anyone may depend on this crate; it depends on nothing of encaisse.

pub mod approval;
pub mod billing;
pub mod dunning;
pub mod identifiers;
pub mod invoice;
pub mod language;
pub mod line_diff;
pub mod money;
pub mod numbering;
pub mod party;
pub mod receivables;
pub mod reference;
pub mod role;
pub mod rules;
pub mod time_entry;
pub mod totals;
pub mod vat;

pub use money::{Currency, Money, MoneyError};
