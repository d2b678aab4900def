//! What clients owe: ageing of overdue amounts and days sales outstanding.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::money::{Currency, Money, MoneyError};

/// An open invoice's balance and due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenItem {
    pub due_date: Option<NaiveDate>,
    pub outstanding: Money,
}

/// Outstanding amounts by lateness, in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Aging {
    pub currency: Currency,
    /// Not yet due (or without a due date).
    pub not_due: Money,
    /// Overdue by 1–30, 31–60, 61–90 and more than 90 days.
    pub overdue: [Money; 4],
}

/// The labels of [`Aging::overdue`], in order.
pub const AGE_BUCKETS: [&str; 4] = ["0–30", "31–60", "61–90", "90+"];

impl Aging {
    pub fn total_overdue(&self) -> Result<Money, MoneyError> {
        Money::sum(self.currency, &self.overdue)
    }

    pub fn total(&self) -> Result<Money, MoneyError> {
        self.total_overdue()?.checked_add(&self.not_due)
    }
}

/// Ages the items of `currency` (others are ignored) as of `today`.
pub fn aging(
    items: &[OpenItem],
    currency: Currency,
    today: NaiveDate,
) -> Result<Aging, MoneyError> {
    let zero = Money::zero(currency);
    let mut a = Aging {
        currency,
        not_due: zero,
        overdue: [zero; 4],
    };
    for it in items
        .iter()
        .filter(|i| i.outstanding.currency() == currency)
    {
        let late = it.due_date.map(|d| (today - d).num_days()).unwrap_or(0);
        let slot = match late {
            i64::MIN..=0 => &mut a.not_due,
            1..=30 => &mut a.overdue[0],
            31..=60 => &mut a.overdue[1],
            61..=90 => &mut a.overdue[2],
            _ => &mut a.overdue[3],
        };
        *slot = slot.checked_add(&it.outstanding)?;
    }
    Ok(a)
}

/// Days sales outstanding over a period of `days`: what clients owe today divided by what
/// was invoiced (gross) during the period, times the days of the period. `None` when nothing
/// was invoiced in the period. Rounded to one decimal.
pub fn dso(outstanding: &Money, invoiced: &Money, days: u32) -> Option<Decimal> {
    if invoiced.currency() != outstanding.currency() || invoiced.amount() <= Decimal::ZERO {
        return None;
    }
    Some((outstanding.amount() / invoiced.amount() * Decimal::from(days)).round_dp(1))
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn overdue_amounts_fall_in_their_bucket() {
        let eur = |a| Money::new(a, Currency::EUR);
        let items = [
            OpenItem {
                due_date: Some(d(6, 30)),
                outstanding: eur(dec!(100)),
            },
            OpenItem {
                due_date: Some(d(6, 1)),
                outstanding: eur(dec!(10)),
            },
            OpenItem {
                due_date: Some(d(5, 1)),
                outstanding: eur(dec!(20)),
            },
            OpenItem {
                due_date: Some(d(4, 1)),
                outstanding: eur(dec!(30)),
            },
            OpenItem {
                due_date: Some(d(1, 1)),
                outstanding: eur(dec!(40)),
            },
            OpenItem {
                due_date: None,
                outstanding: eur(dec!(5)),
            },
            OpenItem {
                due_date: Some(d(1, 1)),
                outstanding: Money::new(dec!(999), Currency::CHF),
            },
        ];
        let a = aging(&items, Currency::EUR, d(6, 30)).unwrap();
        assert_eq!(a.not_due.amount(), dec!(105));
        let o: Vec<_> = a.overdue.iter().map(Money::amount).collect();
        assert_eq!(o, vec![dec!(10), dec!(20), dec!(30), dec!(40)]);
        assert_eq!(a.total().unwrap().amount(), dec!(205));
    }

    #[test]
    fn dso_is_outstanding_over_sales_times_days() {
        let eur = |a| Money::new(a, Currency::EUR);
        assert_eq!(
            dso(&eur(dec!(30000)), &eur(dec!(90000)), 90),
            Some(dec!(30.0))
        );
        assert_eq!(dso(&eur(dec!(1)), &eur(dec!(0)), 90), None);
    }
}
