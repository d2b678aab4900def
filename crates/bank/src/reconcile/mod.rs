//! Reconciliation: which open invoices each bank credit pays.
//!
//! A cascade, each step with its own confidence ([`confidence`](self#confidences)):
//! 1. a QR or RF reference — from the structured field, or found in the free text (French
//!    payers only have a free-text "libellé");
//! 2. invoice numbers in the remittance text — any separators, case or padding, missing
//!    prefix or year, look-alike letters, one wrong digit, several numbers in one text;
//! 3. amount and payer — the payer tied to a client by an IBAN or name confirmed before, by
//!    a parent company known to pay for it, or by the client's own name (legal forms,
//!    accents, case and the bank's 35-character cut ignored);
//! 4. a combination of the payer's client's open invoices adding up to the amount (grouped
//!    payments, bounded search);
//! 5. part of the only invoice the payer's client owes (an instalment);
//! 6. the amount alone (only ever a suggestion).
//!
//! An amount short by at most the [`FeeTolerance`] is a bank fee, written off; an amount
//! beyond what is owed leaves the surplus as [`ClientCredit`].
//!
//! A match is applied ([`Decision::Auto`]) only at or above [`Policy::auto_threshold`] and
//! when no other candidate comes within [`Policy::ambiguity_margin`]; everything else is a
//! [`Decision::Suggest`] whose candidates explain themselves ([`Match::explanation`]).
//! Debits, reversals, refunds, interest and bank fees are [`Decision::Ignored`], never
//! matched. A batch is resolved as a whole: no invoice is ever allocated more than it owes,
//! even when several transactions name it.
//!
//! Confirmations and rejections teach [`Knowledge`] (payer IBAN → client, payer name →
//! client, payer pays for client); the application stores it as [`Fact`]s.
//!
//! Pure: plain values in, plain values out; no I/O, no clock (`today` is a parameter).
//! [`bench_data`] generates labelled data and [`metrics`] scores decisions against it.
//!
//! ```
//! use chrono::NaiveDate;
//! use encaisse_bank::reconcile::{reconcile, Decision, Knowledge, OpenInvoice, Policy, Txn};
//! use encaisse_core::reference::{CreditorReference, PaymentReference};
//! use encaisse_core::{Currency, Money};
//! use uuid::Uuid;
//!
//! let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
//! let eur = |minor| Money::from_minor(minor, Currency::EUR);
//! let invoice = OpenInvoice {
//!     id: Uuid::from_u128(1),
//!     client_id: Uuid::from_u128(2),
//!     client_name: "Dupont Conseil SARL".into(),
//!     number: "F-2026-00042".into(),
//!     issue_date: day(1),
//!     due_date: day(31),
//!     currency: Currency::EUR,
//!     gross: eur(1_200_00),
//!     outstanding: eur(1_200_00),
//!     payment_reference: Some(PaymentReference::Creditor(
//!         CreditorReference::generate("F202600042").unwrap(),
//!     )),
//! };
//! let txn = Txn::payment("T1", day(20), eur(1_200_00))
//!     .with_payer("DUPONT CONSEIL")
//!     .with_remittance("Facture F-2026-00042");
//! let decisions = reconcile(&[txn], &[invoice], &Knowledge::new(), &Policy::default(), day(22));
//! let Decision::Auto(m) = &decisions[0].1 else { panic!("expected an automatic match") };
//! assert_eq!(m.allocations[0].invoice_number, "F-2026-00042");
//! assert!(m.explanation().contains("names invoice F-2026-00042"));
//! ```

// Amounts in minor units are written euros_cents (`480_00` is 480.00), as accountants read them.
#![allow(clippy::inconsistent_digit_grouping)]

mod amount;
pub mod bench_data;
mod cascade;
mod clue;
mod confidence;
mod decision;
mod engine;
mod group;
mod index;
mod input;
mod knowledge;
pub mod metrics;
mod normalize;
mod numbers;
mod payer;
mod policy;
mod reference;
mod report;
mod settle;
mod tokens;
mod typos;

pub use decision::{
    Allocation, AmountFit, ClientCredit, Closeness, Decision, Evidence, IgnoreReason, Match,
    Method, PayerLink, ReferencePlace, ReviewReason, UnmatchedReason,
};
pub use engine::{Reconciler, reconcile};
pub use input::{OpenInvoice, Txn, TxnKind};
pub use knowledge::{Fact, Knowledge, PayerKey};
pub use normalize::normalize_name;
pub use policy::{FeeTolerance, Overpayment, Policy};
pub use report::{REPORT_HEADER, ReportRow, report_csv, report_rows};
