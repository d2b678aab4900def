//! Exact money amounts tied to their ISO 4217 currency.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency (e.g. `EUR`, `CHF`) with its minor-unit precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub const EUR: Currency = Currency(iso_currency::Currency::EUR);
    pub const CHF: Currency = Currency(iso_currency::Currency::CHF);

    /// Parses an ISO 4217 alphabetic code, case-insensitively.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        iso_currency::Currency::from_code(&upper)
            .map(Currency)
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    /// The three-letter ISO 4217 code.
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Number of decimals of the minor unit (2 for EUR and CHF, 0 for JPY, 3 for KWD).
    pub fn minor_digits(self) -> u32 {
        // Funds and metals (XAU, XDR…) have no minor unit in ISO 4217; treat them as 2 like
        // accounting software does.
        self.0.exponent().map(u32::from).unwrap_or(2)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// What can go wrong with money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency `{0}`: use an ISO 4217 code such as EUR or CHF")]
    UnknownCurrency(String),
    #[error(
        "cannot combine {left} and {right}: amounts in different currencies never mix; convert one first"
    )]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("amount {amount} has more decimals than {currency} allows ({digits})")]
    TooPrecise {
        amount: Decimal,
        currency: Currency,
        digits: u32,
    },
    #[error("amount `{0}` is not a decimal number (use a dot as decimal separator, e.g. 1234.50)")]
    NotANumber(String),
    #[error("amount overflow: the result does not fit in the supported range")]
    Overflow,
}

/// An exact amount in a currency. Arithmetic refuses to mix currencies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount as given (it may carry more decimals than the currency, e.g. a unit price).
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Money::new(Decimal::ZERO, currency)
    }

    /// Parses a decimal string such as `1234.50`.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        let amount = Decimal::from_str(amount.trim())
            .map_err(|_| MoneyError::NotANumber(amount.to_owned()))?;
        Ok(Money::new(amount, currency))
    }

    /// Builds from an integer number of minor units (cents, Rappen).
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money::new(Decimal::new(minor, currency.minor_digits()), currency)
    }

    /// The amount in minor units; refuses amounts finer than the currency's minor unit
    /// rather than silently rounding them.
    pub fn to_minor(&self) -> Result<i64, MoneyError> {
        let digits = self.currency.minor_digits();
        let rounded = self.amount.round_dp(digits);
        if rounded != self.amount {
            return Err(MoneyError::TooPrecise {
                amount: self.amount,
                currency: self.currency,
                digits,
            });
        }
        let scaled = rounded
            .checked_mul(Decimal::from(10i64.pow(digits)))
            .ok_or(MoneyError::Overflow)?;
        i64::try_from(scaled).map_err(|_| MoneyError::Overflow)
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Rounded to the currency's minor unit, half away from zero (commercial rounding, as
    /// EN 16931 and French/Swiss practice expect).
    pub fn rounded(&self) -> Money {
        Money::new(
            self.amount.round_dp_with_strategy(
                self.currency.minor_digits(),
                RoundingStrategy::MidpointAwayFromZero,
            ),
            self.currency,
        )
    }

    /// Rounded to the nearest 0.05 (Swiss cash rounding, "Rappenrundung").
    pub fn rounded_to_5_cents(&self) -> Money {
        let twenty = Decimal::from(20);
        let r = (self.amount * twenty)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            / twenty;
        Money::new(r.round_dp(2), self.currency)
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Multiplies by a plain factor (a quantity, a rate); not rounded.
    pub fn checked_mul(&self, factor: Decimal) -> Result<Money, MoneyError> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    pub fn negated(&self) -> Money {
        Money::new(-self.amount, self.currency)
    }

    /// Sums amounts of one currency; an empty iterator sums to zero in `currency`.
    pub fn sum<'a, I: IntoIterator<Item = &'a Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// The amount as a plain decimal string with exactly the currency's decimals
    /// (`1234.50`), as APIs and exports expect.
    pub fn to_decimal_string(&self) -> String {
        let digits = self.currency.minor_digits();
        let mut a = self.amount.round_dp(digits);
        a.rescale(digits);
        a.to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn adding_different_currencies_is_refused() {
        let a = Money::new(dec!(10), Currency::EUR);
        let b = Money::new(dec!(10), Currency::CHF);
        assert!(matches!(
            a.checked_add(&b),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn minor_units_follow_the_currency() {
        let jpy = Currency::parse("jpy").unwrap();
        assert_eq!(jpy.minor_digits(), 0);
        assert_eq!(Money::from_minor(1234, jpy).amount(), dec!(1234));
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::from_minor(1234, kwd).amount(), dec!(1.234));
        assert_eq!(
            Money::from_minor(123456, Currency::EUR).to_decimal_string(),
            "1234.56"
        );
    }

    #[test]
    fn too_precise_amounts_are_not_silently_rounded_to_minor() {
        let m = Money::new(dec!(1.005), Currency::EUR);
        assert!(matches!(m.to_minor(), Err(MoneyError::TooPrecise { .. })));
        assert_eq!(m.rounded().to_minor().unwrap(), 101);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(
            Money::new(dec!(2.345), Currency::EUR).rounded().amount(),
            dec!(2.35)
        );
        assert_eq!(
            Money::new(dec!(-2.345), Currency::EUR).rounded().amount(),
            dec!(-2.35)
        );
    }

    #[test]
    fn swiss_cash_rounding_goes_to_five_rappen() {
        let r = |d| Money::new(d, Currency::CHF).rounded_to_5_cents().amount();
        assert_eq!(r(dec!(10.02)), dec!(10.00));
        assert_eq!(r(dec!(10.025)), dec!(10.05));
        assert_eq!(r(dec!(10.074)), dec!(10.05));
        assert_eq!(r(dec!(10.075)), dec!(10.10));
    }

    #[test]
    fn unknown_currency_is_named() {
        let e = Currency::parse("EURO").unwrap_err();
        assert!(e.to_string().contains("EURO"));
    }

    proptest! {
        #[test]
        fn minor_round_trip(minor in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let m = Money::from_minor(minor, Currency::CHF);
            prop_assert_eq!(m.to_minor().unwrap(), minor);
        }

        #[test]
        fn addition_is_exact_and_commutative(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            let x = Money::from_minor(a, Currency::EUR);
            let y = Money::from_minor(b, Currency::EUR);
            let s = x.checked_add(&y).unwrap();
            prop_assert_eq!(s, y.checked_add(&x).unwrap());
            prop_assert_eq!(s.to_minor().unwrap(), a + b);
            prop_assert_eq!(s.checked_sub(&y).unwrap(), x);
        }
    }
}
