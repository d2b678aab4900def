//! Reading the values of time-sheet cells: durations (`1:30`, `1:30:00`, `1,5`, `1.5`,
//! `PT1H30M`), decimals with a comma or a dot, dates in the usual orders, times on 12 or 24
//! hours, yes/no.

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Seconds of a duration cell in hours: `1:30`, `01:30:15`, `1,5`, `1.5`, `PT1H30M`.
pub fn duration_seconds(cell: &str) -> Option<i64> {
    let s = cell.trim();
    if s.is_empty() {
        return None;
    }
    if s.starts_with(['P', 'p']) {
        return crate::iso_duration::parse_seconds(s);
    }
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.trim().is_empty()) {
            return None;
        }
        let num = |p: &str| -> Option<i64> {
            let p = p.trim();
            p.chars()
                .all(|c| c.is_ascii_digit())
                .then(|| p.parse().ok())?
        };
        let h = num(parts[0])?;
        let m = num(parts[1])?;
        let sec = if parts.len() == 3 { num(parts[2])? } else { 0 };
        if m >= 60 || sec >= 60 {
            return None;
        }
        return h.checked_mul(3600)?.checked_add(m * 60 + sec);
    }
    let hours = decimal(s)?;
    if hours.is_sign_negative() {
        return None;
    }
    let secs = (hours * Decimal::from(3600)).round();
    i64::try_from(secs).ok()
}

/// A decimal written with a comma or a dot, thousands separators (space, apostrophe, and the
/// other of comma/dot) tolerated: `1 234,50`, `1'234.50`, `1.234,5`, `0,25`.
pub fn decimal(cell: &str) -> Option<Decimal> {
    let s: String = cell
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if s.is_empty() {
        return None;
    }
    let last_comma = s.rfind(',');
    let last_dot = s.rfind('.');
    let normalized = match (last_comma, last_dot) {
        (Some(c), Some(d)) if c > d => s.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => s.replace(',', ""),
        (Some(_), None) => {
            if s.matches(',').count() > 1 {
                return None;
            }
            s.replace(',', ".")
        }
        _ => s,
    };
    if !normalized
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    Decimal::from_str(&normalized).ok()
}

/// In which order a file writes day and month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    /// `2026-10-31`, `31/10/2026`, `31.10.2026` (the day comes first when not ISO).
    DayFirst,
    /// `10/31/2026`.
    MonthFirst,
}

/// A date: ISO `YYYY-MM-DD`, or day, month and year separated by `/`, `.` or `-` in `order`.
pub fn date(cell: &str, order: DateOrder) -> Option<NaiveDate> {
    let s = cell.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '.', '-']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let n = |p: &str| p.parse::<u32>().ok();
    let (a, b, y) = (n(parts[0])?, n(parts[1])?, parts[2]);
    let year: i32 = match y.len() {
        4 => y.parse().ok()?,
        2 => 2000 + y.parse::<i32>().ok()?,
        _ => return None,
    };
    let (day, month) = match order {
        DateOrder::DayFirst => (a, b),
        DateOrder::MonthFirst => (b, a),
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Guesses the order of a column of dates: month-first as soon as one date can only be read
/// that way (its second number above 12), day-first otherwise.
pub fn guess_date_order<'a>(cells: impl Iterator<Item = &'a str>) -> DateOrder {
    for c in cells {
        let parts: Vec<&str> = c.trim().split(['/', '.', '-']).collect();
        if parts.len() == 3 && parts[0].len() <= 2 {
            let a: u32 = parts[0].parse().unwrap_or(0);
            let b: u32 = parts[1].parse().unwrap_or(0);
            if b > 12 && a <= 12 {
                return DateOrder::MonthFirst;
            }
            if a > 12 {
                return DateOrder::DayFirst;
            }
        }
    }
    DateOrder::DayFirst
}

/// A time of day: `9:05`, `09:05:30`, `9:05 AM`, `09:05:30 pm`.
pub fn time(cell: &str) -> Option<NaiveTime> {
    let s = cell.trim().to_ascii_uppercase();
    for f in [
        "%H:%M:%S",
        "%H:%M",
        "%I:%M:%S %p",
        "%I:%M %p",
        "%I:%M:%S%p",
        "%I:%M%p",
    ] {
        if let Ok(t) = NaiveTime::parse_from_str(&s, f) {
            return Some(t);
        }
    }
    None
}

/// `Yes`/`No`, `true`/`false`, `1`/`0`, `oui`/`non`, `ja`/`nein`.
pub fn yes_no(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "oui" | "ja" | "x" => Some(true),
        "no" | "n" | "false" | "0" | "non" | "nein" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn every_duration_form() {
        assert_eq!(duration_seconds("1:30"), Some(5400));
        assert_eq!(duration_seconds("01:30:15"), Some(5415));
        assert_eq!(duration_seconds("1,5"), Some(5400));
        assert_eq!(duration_seconds("1.5"), Some(5400));
        assert_eq!(duration_seconds("0,25"), Some(900));
        assert_eq!(duration_seconds("PT1H30M"), Some(5400));
        assert_eq!(duration_seconds("12"), Some(43200));
        for bad in ["", "1:75", "abc", "1:", "-1", "1,2,3", "PT"] {
            assert_eq!(duration_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn decimal_commas_and_thousands() {
        assert_eq!(decimal("1 234,50"), Some(dec!(1234.50)));
        assert_eq!(decimal("1'234.50"), Some(dec!(1234.50)));
        assert_eq!(decimal("1.234,5"), Some(dec!(1234.5)));
        assert_eq!(decimal("1,234.5"), Some(dec!(1234.5)));
        assert_eq!(decimal("95"), Some(dec!(95)));
        assert_eq!(decimal("9x"), None);
    }

    #[test]
    fn dates_in_each_order() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 3).unwrap();
        assert_eq!(date("2026-10-03", DateOrder::MonthFirst), Some(d));
        assert_eq!(date("03/10/2026", DateOrder::DayFirst), Some(d));
        assert_eq!(date("03.10.2026", DateOrder::DayFirst), Some(d));
        assert_eq!(date("10/03/2026", DateOrder::MonthFirst), Some(d));
        assert_eq!(date("31/02/2026", DateOrder::DayFirst), None);
        assert_eq!(
            guess_date_order(["01/02/2026", "10/25/2026"].into_iter()),
            DateOrder::MonthFirst
        );
        assert_eq!(
            guess_date_order(["25/10/2026"].into_iter()),
            DateOrder::DayFirst
        );
    }

    #[test]
    fn times_on_12_and_24_hours() {
        assert_eq!(time("09:05"), NaiveTime::from_hms_opt(9, 5, 0));
        assert_eq!(time("9:05:30 PM"), NaiveTime::from_hms_opt(21, 5, 30));
        assert_eq!(time("12:00:00 am"), NaiveTime::from_hms_opt(0, 0, 0));
        assert_eq!(time("25:00"), None);
    }

    proptest! {
        #[test]
        fn cells_never_panic(s in ".{0,24}") {
            let _ = (duration_seconds(&s), decimal(&s), date(&s, DateOrder::DayFirst), time(&s), yes_no(&s));
        }
    }
}
