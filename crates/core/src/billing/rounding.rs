//! How much time is billed: rounding up to an increment, per entry or per line, and a minimum
//! billable duration per entry. Rounding only ever goes up: a client is never billed less
//! than the time recorded, and never more than one increment above it (plus the minimum).

use serde::{Deserialize, Serialize};

/// Rounding increment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Increment {
    /// Bill the exact duration.
    #[default]
    None,
    /// Round up to a multiple of this many minutes (6, 10, 15 or 30).
    Minutes(u32),
}

/// The increments encaisse offers.
pub const INCREMENTS: [u32; 4] = [6, 10, 15, 30];

/// Where rounding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RoundingScope {
    /// Each entry is rounded, then the line sums them.
    #[default]
    Entry,
    /// The line's sum is rounded once.
    Line,
}

impl RoundingScope {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundingScope::Entry => "entry",
            RoundingScope::Line => "line",
        }
    }

    pub fn parse(s: &str) -> Option<RoundingScope> {
        match s.trim().to_ascii_lowercase().as_str() {
            "entry" | "per-entry" | "per_entry" => Some(RoundingScope::Entry),
            "line" | "per-line" | "per_line" => Some(RoundingScope::Line),
            _ => None,
        }
    }
}

/// A rule that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundingError {
    #[error("rounding to {0} minutes is not offered: use 0 (none), 6, 10, 15 or 30")]
    UnsupportedIncrement(u32),
    #[error("a minimum billable duration of {0} minutes is out of range: use 0 to 480")]
    MinimumOutOfRange(u32),
}

/// How durations become billed durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct DurationRule {
    increment: Increment,
    scope: RoundingScope,
    minimum_seconds: i64,
}

fn round_up(seconds: i64, step: i64) -> i64 {
    if step <= 1 || seconds <= 0 {
        return seconds.max(0);
    }
    seconds.div_euclid(step) * step + if seconds % step == 0 { 0 } else { step }
}

impl DurationRule {
    /// `increment_minutes` 0 means no rounding; `minimum_minutes` 0 means no minimum.
    pub fn new(
        increment_minutes: u32,
        scope: RoundingScope,
        minimum_minutes: u32,
    ) -> Result<DurationRule, RoundingError> {
        let increment = match increment_minutes {
            0 => Increment::None,
            m if INCREMENTS.contains(&m) => Increment::Minutes(m),
            m => return Err(RoundingError::UnsupportedIncrement(m)),
        };
        if minimum_minutes > 480 {
            return Err(RoundingError::MinimumOutOfRange(minimum_minutes));
        }
        Ok(DurationRule {
            increment,
            scope,
            minimum_seconds: i64::from(minimum_minutes) * 60,
        })
    }

    /// Exact durations, no minimum.
    pub fn exact() -> DurationRule {
        DurationRule::default()
    }

    pub fn increment(&self) -> Increment {
        self.increment
    }

    pub fn scope(&self) -> RoundingScope {
        self.scope
    }

    pub fn minimum_seconds(&self) -> i64 {
        self.minimum_seconds
    }

    fn step(&self) -> i64 {
        match self.increment {
            Increment::None => 1,
            Increment::Minutes(m) => i64::from(m) * 60,
        }
    }

    /// What one entry contributes to its line: at least the minimum, rounded up when the
    /// scope is per entry. Negative durations (corrupt input) count as zero.
    pub fn entry_seconds(&self, raw: i64) -> i64 {
        let at_least = raw.max(0).max(self.minimum_seconds);
        match self.scope {
            RoundingScope::Entry => round_up(at_least, self.step()),
            RoundingScope::Line => at_least,
        }
    }

    /// What a line bills from the sum of its entries' contributions.
    pub fn line_seconds(&self, sum_of_entries: i64) -> i64 {
        match self.scope {
            RoundingScope::Entry => sum_of_entries.max(0),
            RoundingScope::Line => round_up(sum_of_entries, self.step()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_the_offered_increments_exist() {
        assert!(DurationRule::new(7, RoundingScope::Entry, 0).is_err());
        assert!(DurationRule::new(481, RoundingScope::Entry, 481).is_err());
        for m in INCREMENTS {
            assert!(DurationRule::new(m, RoundingScope::Line, 15).is_ok());
        }
    }

    #[test]
    fn per_entry_rounds_each_entry_and_per_line_rounds_the_sum() {
        let per_entry = DurationRule::new(15, RoundingScope::Entry, 0).unwrap();
        // 3 × 5 minutes: each becomes 15 minutes.
        let sum: i64 = [300, 300, 300]
            .map(|s| per_entry.entry_seconds(s))
            .iter()
            .sum();
        assert_eq!(per_entry.line_seconds(sum), 2700);
        let per_line = DurationRule::new(15, RoundingScope::Line, 0).unwrap();
        let sum: i64 = [300, 300, 300]
            .map(|s| per_line.entry_seconds(s))
            .iter()
            .sum();
        assert_eq!(per_line.line_seconds(sum), 900);
    }

    #[test]
    fn minimum_applies_per_entry() {
        let r = DurationRule::new(0, RoundingScope::Entry, 30).unwrap();
        assert_eq!(r.entry_seconds(60), 1800);
        assert_eq!(r.entry_seconds(3601), 3601);
        assert_eq!(r.entry_seconds(-5), 1800);
    }

    proptest! {
        #[test]
        fn rounding_never_bills_less_than_the_rule(
            raws in proptest::collection::vec(0i64..40_000, 1..30),
            inc in prop_oneof![Just(0u32), Just(6), Just(10), Just(15), Just(30)],
            min in 0u32..60,
            per_line in any::<bool>(),
        ) {
            let scope = if per_line { RoundingScope::Line } else { RoundingScope::Entry };
            let rule = DurationRule::new(inc, scope, min).unwrap();
            let parts: Vec<i64> = raws.iter().map(|r| rule.entry_seconds(*r)).collect();
            let billed = rule.line_seconds(parts.iter().sum());
            let raw_sum: i64 = raws.iter().sum();
            let with_min: i64 = raws.iter().map(|r| (*r).max(i64::from(min) * 60)).sum();
            prop_assert!(billed >= raw_sum);
            prop_assert!(billed >= with_min);
            let step = i64::from(inc.max(1)) * if inc == 0 { 1 } else { 60 };
            if per_line {
                prop_assert_eq!(billed % step, 0);
                prop_assert!(billed - with_min < step);
            } else {
                for (p, r) in parts.iter().zip(&raws) {
                    prop_assert_eq!(p % step, 0);
                    prop_assert!(*p - (*r).max(i64::from(min) * 60) < step);
                }
            }
        }
    }
}
