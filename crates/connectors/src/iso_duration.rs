//! ISO 8601 durations (`PT1H30M`, `P1DT2H`, `PT45.5S`), as Clockify's core host writes them.

/// Seconds in an ISO 8601 duration; `None` when it is not one (or uses years/months, whose
/// length is not fixed). Fractions of a second are rounded to the nearest second.
pub fn parse_seconds(text: &str) -> Option<i64> {
    let s = text.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let s = s.strip_prefix(['P', 'p'])?;
    if s.is_empty() {
        return None;
    }
    let (date_part, time_part) = match s.find(['T', 't']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut total_millis: i64 = 0;
    let mut any = false;
    for (part, units) in [(Some(date_part), "WD"), (time_part, "HMS")] {
        let Some(part) = part else { continue };
        if units == "HMS" && part.is_empty() {
            return None;
        }
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(if c == ',' { '.' } else { c });
                continue;
            }
            let unit = c.to_ascii_uppercase();
            if !units.contains(unit) || number.is_empty() {
                return None;
            }
            let millis_per: i64 = match unit {
                'W' => 604_800_000,
                'D' => 86_400_000,
                'H' => 3_600_000,
                'M' => 60_000,
                'S' => 1_000,
                _ => return None,
            };
            let value = parse_fixed_millis(&number)?;
            total_millis = total_millis.checked_add(value.checked_mul(millis_per)? / 1000)?;
            number.clear();
            any = true;
        }
        if !number.is_empty() {
            return None;
        }
    }
    if !any {
        return None;
    }
    let secs = (total_millis + 500).div_euclid(1000);
    Some(if negative { -secs } else { secs })
}

/// `12.5` → 12500 (thousandths).
fn parse_fixed_millis(n: &str) -> Option<i64> {
    let (int, frac) = match n.split_once('.') {
        Some((i, f)) => (i, f),
        None => (n, ""),
    };
    if frac.contains('.') || (int.is_empty() && frac.is_empty()) {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut frac3: String = frac.chars().take(3).collect();
    while frac3.len() < 3 {
        frac3.push('0');
    }
    let frac: i64 = frac3.parse().ok()?;
    int.checked_mul(1000)?.checked_add(frac)
}

/// Formats seconds as `PT#H#M#S` (what the sandbox writes).
pub fn format_seconds(seconds: i64) -> String {
    let s = seconds.max(0);
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if sec > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{sec}S"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn clockify_durations() {
        assert_eq!(parse_seconds("PT1H30M"), Some(5400));
        assert_eq!(parse_seconds("PT2H54M"), Some(10440));
        assert_eq!(parse_seconds("PT45S"), Some(45));
        assert_eq!(parse_seconds("PT0S"), Some(0));
        assert_eq!(parse_seconds("P1DT2H"), Some(93600));
        assert_eq!(parse_seconds("PT1.5H"), Some(5400));
        assert_eq!(parse_seconds("PT0.4S"), Some(0));
        for bad in ["", "P", "PT", "1H", "PT1X", "PTH", "P1M", "PT1H30", "8000"] {
            assert_eq!(parse_seconds(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn format_and_parse_round_trip(s in 0i64..10_000_000) {
            prop_assert_eq!(parse_seconds(&format_seconds(s)), Some(s));
        }

        #[test]
        fn never_panics(s in ".{0,20}") {
            let _ = parse_seconds(&s);
        }
    }
}
