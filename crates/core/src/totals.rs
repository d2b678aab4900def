//! Invoice totals the EN 16931 way.
//!
//! Each line net (BT-131) is rounded to the currency's minor unit; VAT is computed once per
//! (category, rate) on the sum of the rounded line nets of that group (BT-116 × BT-119);
//! document totals are sums of rounded parts. BR-CO-10, BR-CO-13 … BR-CO-17 and BR-S-08 hold
//! by construction, which the property tests below check.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money, MoneyError};
use crate::vat::{VatCategory, VatRate};

/// What a line contributes to the totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineInput {
    /// Invoiced quantity (BT-129), never negative.
    pub quantity: Decimal,
    /// Net unit price (BT-146), never negative; may carry more decimals than the currency.
    pub unit_price: Decimal,
    /// Line discount in percent (0–100), applied to `quantity × unit_price`.
    pub discount_percent: Decimal,
    pub vat: VatRate,
}

/// Why totals could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotalsError {
    #[error("line {line}: quantity {quantity} is negative; use a credit note to reduce an amount")]
    NegativeQuantity { line: usize, quantity: Decimal },
    #[error(
        "line {line}: unit price {price} is negative (EN 16931 BR-27); use a credit note or a discount"
    )]
    NegativePrice { line: usize, price: Decimal },
    #[error("line {line}: discount {discount} % must be between 0 and 100")]
    DiscountOutOfRange { line: usize, discount: Decimal },
    #[error("the amount already paid ({paid}) exceeds the invoice total ({total})")]
    OverPrepaid { paid: Money, total: Money },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The amounts of one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAmounts {
    /// `quantity × unit_price`, rounded.
    pub gross: Money,
    /// Line allowance (BT-136), rounded.
    pub allowance: Money,
    /// Line net (BT-131) = gross − allowance.
    pub net: Money,
}

/// One row of the VAT breakdown (BG-23).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatBreakdown {
    pub rate: VatRate,
    /// BT-116: sum of the line nets of this category and rate.
    pub taxable: Money,
    /// BT-117: VAT of this group, rounded once.
    pub tax: Money,
}

/// All document-level amounts (BG-22) with the per-line and per-rate parts they come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub currency: Currency,
    pub lines: Vec<LineAmounts>,
    pub breakdown: Vec<VatBreakdown>,
    /// BT-106: sum of line nets.
    pub line_total: Money,
    /// BT-109: total without VAT (no document-level allowances or charges yet: = BT-106).
    pub tax_exclusive: Money,
    /// BT-110: total VAT.
    pub vat_total: Money,
    /// BT-112: total with VAT.
    pub tax_inclusive: Money,
    /// BT-113: paid in advance.
    pub prepaid: Money,
    /// BT-115: amount due.
    pub due: Money,
}

impl Totals {
    /// True when every VAT group is of a category that requires the buyer's VAT id.
    pub fn categories(&self) -> impl Iterator<Item = VatCategory> + '_ {
        self.breakdown.iter().map(|b| b.rate.category())
    }
}

/// Computes the totals of a document in `currency`.
pub fn compute(
    currency: Currency,
    lines: &[LineInput],
    prepaid: Decimal,
) -> Result<Totals, TotalsError> {
    let mut amounts = Vec::with_capacity(lines.len());
    let mut groups: BTreeMap<VatRate, Money> = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        if line.quantity.is_sign_negative() && !line.quantity.is_zero() {
            return Err(TotalsError::NegativeQuantity {
                line: n,
                quantity: line.quantity,
            });
        }
        if line.unit_price.is_sign_negative() && !line.unit_price.is_zero() {
            return Err(TotalsError::NegativePrice {
                line: n,
                price: line.unit_price,
            });
        }
        if line.discount_percent < Decimal::ZERO || line.discount_percent > Decimal::ONE_HUNDRED {
            return Err(TotalsError::DiscountOutOfRange {
                line: n,
                discount: line.discount_percent,
            });
        }
        let gross = Money::new(line.unit_price, currency)
            .checked_mul(line.quantity)?
            .rounded();
        let allowance = gross
            .checked_mul(line.discount_percent / Decimal::ONE_HUNDRED)?
            .rounded();
        let net = gross.checked_sub(&allowance)?;
        let group = groups
            .entry(line.vat)
            .or_insert_with(|| Money::zero(currency));
        *group = group.checked_add(&net)?;
        amounts.push(LineAmounts {
            gross,
            allowance,
            net,
        });
    }
    let breakdown = groups
        .into_iter()
        .map(|(rate, taxable)| {
            let tax = taxable
                .checked_mul(rate.percent() / Decimal::ONE_HUNDRED)?
                .rounded();
            Ok(VatBreakdown { rate, taxable, tax })
        })
        .collect::<Result<Vec<_>, MoneyError>>()?;
    let line_total = Money::sum(currency, amounts.iter().map(|a| &a.net))?;
    let vat_total = Money::sum(currency, breakdown.iter().map(|b| &b.tax))?;
    let tax_exclusive = line_total;
    let tax_inclusive = tax_exclusive.checked_add(&vat_total)?;
    let prepaid = Money::new(prepaid, currency).rounded();
    if prepaid.amount() > tax_inclusive.amount() && !tax_inclusive.is_negative() {
        return Err(TotalsError::OverPrepaid {
            paid: prepaid,
            total: tax_inclusive,
        });
    }
    let due = tax_inclusive.checked_sub(&prepaid)?;
    Ok(Totals {
        currency,
        lines: amounts,
        breakdown,
        line_total,
        tax_exclusive,
        vat_total,
        tax_inclusive,
        prepaid,
        due,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vat::{france, switzerland};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn line(q: Decimal, p: Decimal, rate: VatRate) -> LineInput {
        LineInput {
            quantity: q,
            unit_price: p,
            discount_percent: Decimal::ZERO,
            vat: rate,
        }
    }

    fn s(p: Decimal) -> VatRate {
        VatRate::new(VatCategory::Standard, p).unwrap()
    }

    #[test]
    fn vat_is_computed_per_rate_on_the_sum_not_per_line() {
        // Three lines of 0.33 at 20 %: per line VAT would be 3 × 0.07 = 0.21; per rate it is
        // round(0.99 × 0.2) = 0.20.
        let lines = vec![line(dec!(1), dec!(0.33), s(france::STANDARD)); 3];
        let t = compute(Currency::EUR, &lines, Decimal::ZERO).unwrap();
        assert_eq!(t.line_total.amount(), dec!(0.99));
        assert_eq!(t.vat_total.amount(), dec!(0.20));
        assert_eq!(t.tax_inclusive.amount(), dec!(1.19));
    }

    #[test]
    fn multi_rate_invoice_has_one_breakdown_row_per_rate() {
        let lines = vec![
            line(dec!(7.5), dec!(95), s(france::STANDARD)),
            line(dec!(2), dec!(12.345), s(france::REDUCED)),
            line(
                dec!(1),
                dec!(100),
                VatRate::zero(VatCategory::ReverseCharge).unwrap(),
            ),
        ];
        let t = compute(Currency::EUR, &lines, Decimal::ZERO).unwrap();
        assert_eq!(t.lines[1].net.amount(), dec!(24.69));
        assert_eq!(t.breakdown.len(), 3);
        assert_eq!(t.line_total.amount(), dec!(837.19));
        // 712.50 × 20 % = 142.50 ; 24.69 × 5.5 % = 1.35795 → 1.36 ; AE 0
        assert_eq!(t.vat_total.amount(), dec!(143.86));
        assert_eq!(t.tax_inclusive.amount(), dec!(981.05));
    }

    #[test]
    fn discount_is_a_rounded_line_allowance() {
        let mut l = line(dec!(3), dec!(33.33), s(switzerland::STANDARD));
        l.discount_percent = dec!(10);
        let t = compute(Currency::CHF, &[l], Decimal::ZERO).unwrap();
        assert_eq!(t.lines[0].gross.amount(), dec!(99.99));
        assert_eq!(t.lines[0].allowance.amount(), dec!(10.00));
        assert_eq!(t.lines[0].net.amount(), dec!(89.99));
        assert_eq!(t.vat_total.amount(), dec!(7.29));
    }

    #[test]
    fn negative_quantity_names_the_line() {
        let lines = vec![
            line(dec!(1), dec!(1), s(france::STANDARD)),
            line(dec!(-1), dec!(1), s(france::STANDARD)),
        ];
        let e = compute(Currency::EUR, &lines, Decimal::ZERO).unwrap_err();
        assert!(matches!(e, TotalsError::NegativeQuantity { line: 2, .. }));
    }

    fn arb_rate() -> impl Strategy<Value = VatRate> {
        prop_oneof![
            Just(s(france::STANDARD)),
            Just(s(france::INTERMEDIATE)),
            Just(s(france::REDUCED)),
            Just(s(france::SPECIAL)),
            Just(s(switzerland::STANDARD)),
            Just(VatRate::zero(VatCategory::ReverseCharge).unwrap()),
            Just(VatRate::zero(VatCategory::Export).unwrap()),
        ]
    }

    fn arb_line() -> impl Strategy<Value = LineInput> {
        (0i64..100_000, 0i64..10_000_000, 0i64..=100, arb_rate()).prop_map(|(q, p, d, rate)| {
            LineInput {
                quantity: Decimal::new(q, 2),
                unit_price: Decimal::new(p, 4),
                discount_percent: Decimal::from(d),
                vat: rate,
            }
        })
    }

    proptest! {
        #[test]
        fn en16931_business_rules_hold(lines in proptest::collection::vec(arb_line(), 0..40)) {
            let t = compute(Currency::EUR, &lines, Decimal::ZERO).unwrap();
            let two_dp = |m: &Money| m.amount().round_dp(2) == m.amount();
            // BR-DEC: every amount has at most 2 decimals.
            for l in &t.lines { prop_assert!(two_dp(&l.net)); }
            for b in &t.breakdown { prop_assert!(two_dp(&b.taxable) && two_dp(&b.tax)); }
            // BR-CO-10: BT-106 = Σ BT-131.
            let sum_lines: Decimal = t.lines.iter().map(|l| l.net.amount()).sum();
            prop_assert_eq!(t.line_total.amount(), sum_lines);
            // BR-CO-13 without document allowances: BT-109 = BT-106.
            prop_assert_eq!(t.tax_exclusive, t.line_total);
            // BR-CO-14: BT-110 = Σ BT-117.
            let sum_tax: Decimal = t.breakdown.iter().map(|b| b.tax.amount()).sum();
            prop_assert_eq!(t.vat_total.amount(), sum_tax);
            // BR-CO-15: BT-112 = BT-109 + BT-110.
            prop_assert_eq!(t.tax_inclusive.amount(), t.tax_exclusive.amount() + t.vat_total.amount());
            // BR-CO-16: BT-115 = BT-112 − BT-113.
            prop_assert_eq!(t.due.amount(), t.tax_inclusive.amount() - t.prepaid.amount());
            // BR-CO-17: BT-117 = round(BT-116 × BT-119 / 100).
            for b in &t.breakdown {
                let expected = (b.taxable.amount() * b.rate.percent() / Decimal::ONE_HUNDRED)
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                prop_assert_eq!(b.tax.amount(), expected);
            }
            // BR-S-08: each group's taxable = Σ nets of lines of that rate; one row per rate.
            for b in &t.breakdown {
                let s: Decimal = lines.iter().zip(&t.lines)
                    .filter(|(i, _)| i.vat == b.rate).map(|(_, a)| a.net.amount()).sum();
                prop_assert_eq!(b.taxable.amount(), s);
            }
            let mut rates: Vec<_> = t.breakdown.iter().map(|b| b.rate).collect();
            rates.dedup();
            prop_assert_eq!(rates.len(), t.breakdown.len());
        }
    }
}
