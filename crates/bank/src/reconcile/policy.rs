//! The organization's choices: when a match is applied without asking, what a bank fee may
//! cost, how large a grouped payment may be, what happens to money paid in excess.

use std::collections::HashMap;

use encaisse_core::Currency;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// How the engine decides; [`Policy::default`] is what a new organization gets.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// A match is applied automatically only at or above this confidence (0–1).
    pub auto_threshold: f64,
    /// … and only when the next-best different match is at least this much less confident.
    pub ambiguity_margin: f64,
    /// The shortfall a payer's bank may take without the invoice staying open.
    pub fee_tolerance: FeeTolerance,
    /// The largest number of invoices one payment is searched to settle together.
    pub max_group_size: usize,
    /// What to do with money paid beyond what is owed.
    pub overpayment: Overpayment,
    /// A payment booked more than this many days before an invoice's issue date is not
    /// taken as its prepayment without review.
    pub max_prepayment_days: i64,
    /// An IBAN unknown to the knowledge that pays a client's invoices by reference or number
    /// in a batch is taken as that client's for the rest of the batch (not learned for later:
    /// only confirmations teach [`crate::reconcile::Knowledge`]).
    pub learn_within_batch: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            auto_threshold: 0.90,
            ambiguity_margin: 0.10,
            fee_tolerance: FeeTolerance::default(),
            max_group_size: 5,
            overpayment: Overpayment::KeepAsCredit,
            max_prepayment_days: 90,
            learn_within_batch: true,
        }
    }
}

/// The bank fee a payer's bank may deduct: `absolute` per currency (in that currency's
/// units), or `percent` of what was owed, whichever is larger.
#[derive(Clone, Debug, PartialEq)]
pub struct FeeTolerance {
    pub absolute: HashMap<Currency, Decimal>,
    /// Percent of the amount owed (`0.5` = 0.5 %).
    pub percent: Decimal,
}

impl Default for FeeTolerance {
    /// 5.00 EUR or CHF: covers SEPA and Swiss domestic fees and the usual SHA charges of a
    /// foreign bank, well under any instalment.
    fn default() -> Self {
        FeeTolerance {
            absolute: HashMap::from([
                (Currency::EUR, Decimal::new(500, 2)),
                (Currency::CHF, Decimal::new(500, 2)),
            ]),
            percent: Decimal::ZERO,
        }
    }
}

impl FeeTolerance {
    /// No shortfall tolerated.
    pub fn none() -> FeeTolerance {
        FeeTolerance {
            absolute: HashMap::new(),
            percent: Decimal::ZERO,
        }
    }

    /// The tolerance in minor units, ready for the engine.
    pub(crate) fn rule(&self) -> FeeRule {
        let mut absolute: Vec<(Currency, i64)> = self
            .absolute
            .iter()
            .map(|(currency, a)| {
                let scale = Decimal::from(10i64.pow(currency.minor_digits()));
                (*currency, (a * scale).trunc().to_i64().unwrap_or(0).max(0))
            })
            .collect();
        absolute.sort();
        FeeRule {
            absolute,
            percent: self.percent,
        }
    }
}

/// [`FeeTolerance`] in minor units, computed once per batch.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct FeeRule {
    absolute: Vec<(Currency, i64)>,
    percent: Decimal,
}

impl FeeRule {
    /// The tolerated shortfall, in minor units, on `owed_minor` minor units of `currency`.
    pub(crate) fn minor(&self, currency: Currency, owed_minor: i64) -> i64 {
        let absolute = self
            .absolute
            .iter()
            .find(|(c, _)| *c == currency)
            .map_or(0, |(_, a)| *a);
        if self.percent.is_zero() {
            return absolute;
        }
        let relative = (Decimal::from(owed_minor) * self.percent / Decimal::ONE_HUNDRED)
            .trunc()
            .to_i64()
            .unwrap_or(0);
        absolute.max(relative).max(0)
    }
}

/// Money paid beyond what the matched invoices owe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overpayment {
    /// The surplus becomes the client's credit, applied automatically with the match.
    KeepAsCredit,
    /// Every over-payment is left for review.
    Review,
}
