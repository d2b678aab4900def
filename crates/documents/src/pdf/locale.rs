//! How numbers, amounts, quantities, rates and dates print for a reader: French
//! `1 234,56 €`, German `1.234,56 €`, English `€1,234.56`, and the Swiss convention
//! `CHF 1'234.56` for CHF amounts and for any amount of a Swiss organization.

use chrono::NaiveDate;
use encaisse_core::language::Language;
use encaisse_core::{Currency, Money};
use rust_decimal::Decimal;

/// The number and date conventions of one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locale {
    pub language: Language,
    /// Swiss conventions: apostrophe thousands, decimal point, code before the amount.
    pub swiss: bool,
}

/// No-break space: keeps `1 234,56 €` on one line.
const NBSP: char = '\u{a0}';

impl Locale {
    fn separators(self) -> (char, char) {
        match (self.swiss, self.language) {
            (true, _) => ('\'', '.'),
            (false, Language::Fr) => (NBSP, ','),
            (false, Language::De) => ('.', ','),
            (false, Language::En) => (',', '.'),
        }
    }

    /// `value` with exactly `decimals` decimals, grouped by thousands.
    pub fn number(self, value: Decimal, decimals: u32) -> String {
        let (thousands, point) = self.separators();
        let mut v = value.round_dp(decimals);
        v.rescale(decimals);
        let text = v.abs().to_string();
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut grouped = String::with_capacity(text.len() + 4);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(thousands);
            }
            grouped.push(c);
        }
        let sign = if v.is_sign_negative() && !v.is_zero() {
            "-"
        } else {
            ""
        };
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{point}{frac}")
        }
    }

    /// An amount without currency, with the currency's decimals (table cells).
    pub fn amount(self, m: &Money) -> String {
        self.number(m.amount(), m.currency().minor_digits())
    }

    /// An amount with its currency (totals): `1 234,56 €`, `CHF 1'234.56`, `€1,234.56`.
    pub fn money(self, m: &Money) -> String {
        let n = self.amount(m);
        let currency = m.currency();
        if self.swiss || currency != Currency::EUR {
            return match (self.swiss, self.language) {
                (false, Language::Fr | Language::De) => format!("{n}{NBSP}{currency}"),
                _ => format!("{currency}{NBSP}{n}"),
            };
        }
        match self.language {
            Language::Fr | Language::De => format!("{n}{NBSP}€"),
            Language::En => match n.strip_prefix('-') {
                Some(abs) => format!("-€{abs}"),
                None => format!("€{n}"),
            },
        }
    }

    /// A quantity with the decimals it has (at most 4), no trailing zeros: `37,5`, `2`.
    pub fn quantity(self, q: Decimal) -> String {
        let q = q.normalize();
        self.number(q, q.scale().min(4))
    }

    /// A price with at least the currency's decimals and at most 6: `95,00`, `12,345`.
    pub fn price(self, p: Decimal, currency: Currency) -> String {
        let p = p.normalize();
        self.number(p, p.scale().clamp(currency.minor_digits(), 6))
    }

    /// A percentage: `20 %`, `5,5 %` (French and German put a space before `%`).
    pub fn percent(self, p: Decimal) -> String {
        let n = self.quantity(p);
        match self.language {
            Language::En => format!("{n}%"),
            _ => format!("{n}{NBSP}%"),
        }
    }

    /// A date: `31/01/2026`, `31.01.2026`, `2026-01-31`.
    pub fn date(self, d: NaiveDate) -> String {
        match (self.swiss, self.language) {
            (true, _) | (false, Language::De) => d.format("%d.%m.%Y").to_string(),
            (false, Language::Fr) => d.format("%d/%m/%Y").to_string(),
            (false, Language::En) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const FR: Locale = Locale {
        language: Language::Fr,
        swiss: false,
    };
    const DE: Locale = Locale {
        language: Language::De,
        swiss: false,
    };
    const EN: Locale = Locale {
        language: Language::En,
        swiss: false,
    };
    const CH: Locale = Locale {
        language: Language::De,
        swiss: true,
    };

    fn eur(d: Decimal) -> Money {
        Money::new(d, Currency::EUR)
    }

    #[test]
    fn amounts_follow_the_reader() {
        assert_eq!(FR.money(&eur(dec!(1234.56))), "1\u{a0}234,56\u{a0}€");
        assert_eq!(DE.money(&eur(dec!(1234.56))), "1.234,56\u{a0}€");
        assert_eq!(EN.money(&eur(dec!(1234.56))), "€1,234.56");
        assert_eq!(EN.money(&eur(dec!(-5))), "-€5.00");
        assert_eq!(
            CH.money(&Money::new(dec!(1234.56), Currency::CHF)),
            "CHF\u{a0}1'234.56"
        );
        assert_eq!(CH.money(&eur(dec!(1234567.8))), "EUR\u{a0}1'234'567.80");
        let usd = Money::new(dec!(12), Currency::parse("USD").unwrap());
        assert_eq!(FR.money(&usd), "12,00\u{a0}USD");
        assert_eq!(EN.money(&usd), "USD\u{a0}12.00");
    }

    #[test]
    fn numbers_group_thousands_and_keep_signs() {
        assert_eq!(EN.number(dec!(0), 2), "0.00");
        assert_eq!(EN.number(dec!(999), 2), "999.00");
        assert_eq!(EN.number(dec!(1000), 0), "1,000");
        assert_eq!(EN.number(dec!(-1234567.891), 2), "-1,234,567.89");
        assert_eq!(FR.quantity(dec!(37.50)), "37,5");
        assert_eq!(FR.quantity(dec!(2)), "2");
        assert_eq!(FR.price(dec!(12.345), Currency::EUR), "12,345");
        assert_eq!(FR.price(dec!(95), Currency::EUR), "95,00");
        assert_eq!(FR.percent(dec!(5.5)), "5,5\u{a0}%");
        assert_eq!(EN.percent(dec!(20)), "20%");
    }

    #[test]
    fn dates_follow_the_reader() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(FR.date(d), "31/01/2026");
        assert_eq!(DE.date(d), "31.01.2026");
        assert_eq!(EN.date(d), "2026-01-31");
        assert_eq!(CH.date(d), "31.01.2026");
    }
}
