//! How sure each rule is. The numbers are a calibrated ordering, not probabilities: with the
//! default threshold (0.90) an explicit reference or number applies automatically whatever
//! the amount (a short or partial payment is still that invoice's), a look-alike or
//! one-edit number only when the amount agrees exactly or within a fee, a payer only when it
//! was confirmed before, a name alone never. `tests/reconcile_quality.rs` measures the result.

use super::decision::{Closeness, PayerLink};
use super::settle::Fit;

/// What tied the transaction to the invoices, for the reference and number rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Basis {
    StructuredReference,
    ReferenceInText,
    Number(Closeness),
}

/// The confidence of a reference or number match with this fit of the amount.
///
/// | basis                  | exact | fee  | partial | over |
/// |------------------------|-------|------|---------|------|
/// | structured reference   | 0.99  | 0.98 | 0.96    | 0.95 |
/// | reference in text      | 0.98  | 0.97 | 0.95    | 0.94 |
/// | number, exact          | 0.97  | 0.96 | 0.92    | 0.92 |
/// | number, formatting     | 0.96  | 0.95 | 0.88    | 0.88 |
/// | number, look-alike     | 0.93  | 0.91 | 0.75    | 0.72 |
/// | number, sequence only  | 0.92  | 0.90 | 0.70    | 0.70 |
/// | number, one edit       | 0.91  | 0.88 | 0.60    | 0.60 |
pub(crate) fn explicit(basis: Basis, fit: Fit) -> f64 {
    let row: [f64; 4] = match basis {
        Basis::StructuredReference => [0.99, 0.98, 0.96, 0.95],
        Basis::ReferenceInText => [0.98, 0.97, 0.95, 0.94],
        Basis::Number(Closeness::Exact) => [0.97, 0.96, 0.92, 0.92],
        Basis::Number(Closeness::Formatting) => [0.96, 0.95, 0.88, 0.88],
        Basis::Number(Closeness::LookAlike) => [0.93, 0.91, 0.75, 0.72],
        Basis::Number(Closeness::SequenceOnly) => [0.92, 0.90, 0.70, 0.70],
        Basis::Number(Closeness::OneEdit) => [0.91, 0.88, 0.60, 0.60],
    };
    row[fit_column(fit)]
}

fn fit_column(fit: Fit) -> usize {
    match fit {
        Fit::Exact => 0,
        Fit::Fee(_) => 1,
        Fit::Partial(_) => 2,
        Fit::Over(_) => 3,
    }
}

/// The payer is tied to the invoice's client as well: a second, independent piece of
/// evidence (lifts a reformatted number paid in part over the threshold).
pub(crate) const PAYER_AGREES: f64 = 0.03;

/// The payer is learned as another client that is not known to pay for this one.
pub(crate) fn payer_disagrees(basis: Basis) -> f64 {
    match basis {
        Basis::StructuredReference | Basis::ReferenceInText => 0.05,
        Basis::Number(_) => 0.15,
    }
}

/// An invoice one edit away from a number of the text that names another invoice.
pub(crate) const NEIGHBOUR: f64 = 0.10;

/// A partial or excess payment of the invoice named, while an invoice one edit away owes
/// exactly the amount (the number may be a typo).
pub(crate) const NEIGHBOUR_FITS: f64 = 0.05;

/// A payer rule proposes invoices while the text names another one.
pub(crate) const TEXT_NAMES_ANOTHER: f64 = 0.15;

/// Paid more than [`crate::reconcile::Policy::max_prepayment_days`] before the invoice.
pub(crate) const TOO_EARLY: f64 = 0.20;

/// One invoice of the payer's client owes the amount (exactly, or within a fee: with no
/// reference a shortfall is as likely another invoice's amount, so never automatic).
///
/// | link             | exact | fee  |
/// |------------------|-------|------|
/// | learned IBAN     | 0.95  | 0.88 |
/// | learned name     | 0.93  | 0.86 |
/// | pays for client  | 0.92  | 0.85 |
/// | IBAN in batch    | 0.92  | 0.85 |
/// | ultimate debtor  | 0.88  | 0.82 |
/// | client's name    | 0.85  | 0.80 |
/// | truncated name   | 0.83  | 0.78 |
pub(crate) fn amount_and_payer(link: PayerLink, fee: bool) -> f64 {
    let (exact, with_fee) = match link {
        PayerLink::LearnedIban => (0.95, 0.88),
        PayerLink::LearnedName => (0.93, 0.86),
        PayerLink::PaysForClient | PayerLink::IbanInBatch => (0.92, 0.85),
        PayerLink::UltimateDebtor => (0.88, 0.82),
        PayerLink::ClientName => (0.85, 0.80),
        PayerLink::TruncatedName => (0.83, 0.78),
    };
    if fee { with_fee } else { exact }
}

/// The only combination of the client's open invoices that adds up to the amount: a little
/// less sure than one invoice of that amount.
pub(crate) fn group(link: PayerLink, fee: bool) -> f64 {
    amount_and_payer(link, fee) - 0.02
}

/// Several combinations add up: each is listed, none applied.
pub(crate) const GROUP_AMBIGUOUS: f64 = 0.60;

/// Part of the only invoice the payer's client owes.
pub(crate) fn partial(link: PayerLink) -> f64 {
    match link {
        PayerLink::LearnedIban
        | PayerLink::LearnedName
        | PayerLink::PaysForClient
        | PayerLink::IbanInBatch => 0.75,
        _ => 0.65,
    }
}

/// More than the only invoice the payer's client owes, with nothing naming it.
pub(crate) const PAYER_OVER: f64 = 0.60;

/// The amount alone names one open invoice.
pub(crate) const AMOUNT_ONLY_UNIQUE: f64 = 0.55;
/// The amount alone names a few open invoices.
pub(crate) const AMOUNT_ONLY_SHARED: f64 = 0.40;
/// Beyond this many invoices of the same amount, none is proposed.
pub(crate) const AMOUNT_ONLY_MAX: usize = 5;
