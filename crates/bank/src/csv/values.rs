//! Dates and amounts as bank exports write them: `31.01.2026`, `31/01/26`, `2026-01-31
//! 10:00`, `-1 234,50`, `1'234.50`, `50.00-`, `(12.00)`.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{DateFormat, DecimalSeparator};

/// Parses a date cell; a time after a space or `T` is ignored.
pub(crate) fn parse_date(text: &str, format: &DateFormat) -> Option<NaiveDate> {
    let text = text.trim();
    if let DateFormat::Pattern(pattern) = format {
        return NaiveDate::parse_from_str(text, pattern).ok();
    }
    let date_part = text.split([' ', 'T']).next()?;
    let parts: Vec<&str> = date_part.split(['.', '/', '-']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(a) && all_digits(b) && all_digits(c)) {
        return None;
    }
    let (year, month, day) = if a.len() == 4 {
        (a.parse::<i32>().ok()?, b.parse().ok()?, c.parse().ok()?)
    } else {
        let year = match c.len() {
            4 => c.parse::<i32>().ok()?,
            2 => 2000 + c.parse::<i32>().ok()?,
            _ => return None,
        };
        (year, b.parse().ok()?, a.parse().ok()?)
    };
    if a.len() > 4 || b.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Parses an amount cell, see [`DecimalSeparator`] and the module docs for what is accepted.
pub(crate) fn parse_amount(text: &str, separator: DecimalSeparator) -> Option<Decimal> {
    let mut s: String = text
        .trim()
        .trim_matches(|c: char| c.is_ascii_alphabetic() || c == '€' || c.is_whitespace())
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’'))
        .collect();
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') && s.len() >= 2 {
        negative = true;
        s = s.get(1..s.len() - 1)?.to_owned();
    }
    if let Some(rest) = s.strip_suffix('-') {
        negative = !negative;
        s = rest.to_owned();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest.to_owned();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.to_owned();
    }
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        || !s
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        || !s.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    let decimal = match separator {
        DecimalSeparator::Dot => Some('.'),
        DecimalSeparator::Comma => Some(','),
        DecimalSeparator::Auto => auto_decimal(&s),
    };
    let normalized: String = s
        .chars()
        .filter_map(|c| match c {
            d if d.is_ascii_digit() => Some(d),
            c if Some(c) == decimal => Some('.'),
            _ => None, // thousands separator
        })
        .collect();
    if normalized.matches('.').count() > 1 {
        return None;
    }
    let value: Decimal = normalized.parse().ok()?;
    Some(if negative { -value } else { value })
}

fn auto_decimal(s: &str) -> Option<char> {
    let last_dot = s.rfind('.');
    let last_comma = s.rfind(',');
    match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(if d > c { '.' } else { ',' }),
        (None, None) => None,
        (Some(p), None) | (None, Some(p)) => {
            let sep = if last_dot.is_some() { '.' } else { ',' };
            let single = s.matches(sep).count() == 1;
            let digits_after = s.len() - p - 1;
            (single && digits_after != 3).then_some(sep)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_in_every_local_form() {
        let auto = DecimalSeparator::Auto;
        assert_eq!(parse_amount("1234.50", auto), Some(dec!(1234.50)));
        assert_eq!(parse_amount("-1 234,50", auto), Some(dec!(-1234.50)));
        assert_eq!(parse_amount("1'234.50", auto), Some(dec!(1234.50)));
        assert_eq!(parse_amount("1’234’567.05", auto), Some(dec!(1234567.05)));
        assert_eq!(parse_amount("1\u{a0}234,5", auto), Some(dec!(1234.5)));
        assert_eq!(parse_amount("1.234,56", auto), Some(dec!(1234.56)));
        assert_eq!(parse_amount("1,234.56", auto), Some(dec!(1234.56)));
        assert_eq!(parse_amount("1,234", auto), Some(dec!(1234)));
        assert_eq!(parse_amount("12,5", auto), Some(dec!(12.5)));
        assert_eq!(parse_amount("50.00-", auto), Some(dec!(-50.00)));
        assert_eq!(parse_amount("(12.00)", auto), Some(dec!(-12.00)));
        assert_eq!(parse_amount("+7", auto), Some(dec!(7)));
        assert_eq!(parse_amount("CHF 99.95", auto), Some(dec!(99.95)));
        assert_eq!(
            parse_amount("1,234", DecimalSeparator::Comma),
            Some(dec!(1.234))
        );
        assert_eq!(
            parse_amount("1.234", DecimalSeparator::Comma),
            Some(dec!(1234))
        );
        assert_eq!(parse_amount("abc", auto), None);
        assert_eq!(parse_amount("1.2.3,4,5", DecimalSeparator::Dot), None);
        assert_eq!(parse_amount("", auto), None);
    }

    #[test]
    fn dates_in_every_local_form() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 31);
        for text in [
            "31.01.2026",
            "31/01/2026",
            "31-01-2026",
            "2026-01-31",
            "31.01.26",
            "2026-01-31T10:00:00Z",
            "31-01-2026 14:30:12",
        ] {
            assert_eq!(parse_date(text, &DateFormat::Auto), d, "{text}");
        }
        assert_eq!(parse_date("01/31/2026", &DateFormat::Auto), None);
        assert_eq!(
            parse_date("01/31/2026", &DateFormat::Pattern("%m/%d/%Y".into())),
            d
        );
    }
}
