//! Numbers, money and dates as each locale writes them: `1 234,56 €` in French (narrow
//! no-break spaces), `1.234,56 €` in German, `€1,234.56` in English, and Swiss francs the
//! Swiss way whatever the language, `CHF 1'234.56`.

use chrono::NaiveDate;
use encaisse_core::Money;
use encaisse_core::language::Language;
use rust_decimal::Decimal;

/// U+202F NARROW NO-BREAK SPACE: the French thousands separator and the space before `€`.
pub const NNBSP: char = '\u{202F}';

fn group(int: &str, sep: &str) -> String {
    let digits: Vec<char> = int.chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(*c);
    }
    out
}

/// `amount` with `decimals` digits, grouped with `thousands` and `point` as decimal mark.
fn number(amount: Decimal, decimals: u32, thousands: &str, point: &str) -> String {
    let mut a = amount.round_dp(decimals);
    a.rescale(decimals);
    let s = a.abs().to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let sign = if a.is_sign_negative() && !a.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{}", group(int, thousands))
    } else {
        format!("{sign}{}{point}{frac}", group(int, thousands))
    }
}

/// A plain number (quantities, hours) in the language's style, without trailing zeros.
pub fn decimal(d: Decimal, lang: Language) -> String {
    let d = d.normalize();
    let decimals = d.scale();
    match lang {
        Language::Fr => number(d, decimals, &NNBSP.to_string(), ","),
        Language::De => number(d, decimals, ".", ","),
        Language::En => number(d, decimals, ",", "."),
    }
}

/// An amount with its currency, as the locale writes it.
pub fn money(m: &Money, lang: Language) -> String {
    let cur = m.currency();
    let digits = cur.minor_digits();
    let a = m.amount();
    if cur.code() == "CHF" {
        return format!("CHF\u{00A0}{}", number(a, digits, "'", "."));
    }
    let euro = cur.code() == "EUR";
    match lang {
        Language::Fr => {
            let sym = if euro { "€" } else { cur.code() };
            format!("{}{NNBSP}{sym}", number(a, digits, &NNBSP.to_string(), ","))
        }
        Language::De => {
            let sym = if euro { "€" } else { cur.code() };
            format!("{}\u{00A0}{sym}", number(a, digits, ".", ","))
        }
        Language::En if euro => {
            let n = number(a, digits, ",", ".");
            match n.strip_prefix('-') {
                Some(pos) => format!("-€{pos}"),
                None => format!("€{n}"),
            }
        }
        Language::En => format!("{}\u{00A0}{}", cur.code(), number(a, digits, ",", ".")),
    }
}

/// A date as the locale writes it.
pub fn date(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::Fr => d.format("%d/%m/%Y").to_string(),
        Language::De => d.format("%d.%m.%Y").to_string(),
        Language::En => d.format("%-d %b %Y").to_string(),
    }
}

/// An optional date, or a dash.
pub fn opt_date(d: Option<NaiveDate>, lang: Language) -> String {
    d.map(|d| date(d, lang)).unwrap_or_else(|| "—".into())
}

/// An RFC 3339 timestamp from the audit trail, shortened to date and minutes (UTC).
pub fn timestamp(rfc3339: &str, lang: Language) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => format!("{} {}", date(t.date_naive(), lang), t.format("%H:%M")),
        Err(_) => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use encaisse_core::Currency;
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn money_follows_the_locale() {
        let eur = Money::new(dec!(1234.56), Currency::EUR);
        assert_eq!(money(&eur, Language::Fr), "1\u{202F}234,56\u{202F}€");
        assert_eq!(money(&eur, Language::De), "1.234,56\u{00A0}€");
        assert_eq!(money(&eur, Language::En), "€1,234.56");
        let chf = Money::new(dec!(1234.56), Currency::CHF);
        for l in [Language::Fr, Language::De, Language::En] {
            assert_eq!(money(&chf, l), "CHF\u{00A0}1'234.56");
        }
        let big = Money::new(dec!(-1234567.5), Currency::EUR);
        assert_eq!(money(&big, Language::En), "-€1,234,567.50");
        assert_eq!(
            money(&Money::new(dec!(7), Currency::EUR), Language::Fr),
            "7,00\u{202F}€"
        );
    }

    #[test]
    fn numbers_and_dates_follow_the_locale() {
        assert_eq!(decimal(dec!(12.50), Language::Fr), "12,5");
        assert_eq!(decimal(dec!(1500), Language::En), "1,500");
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(date(d, Language::Fr), "05/03/2026");
        assert_eq!(date(d, Language::De), "05.03.2026");
        assert_eq!(date(d, Language::En), "5 Mar 2026");
    }
}
