//! Legal invoice numbering: patterns such as `F-{YYYY}-{SEQ:5}` or `{YY}{MM}-{SEQ:4}`.
//!
//! A pattern turns a sequence value and an issue date into a number. The store allocates the
//! sequence value gaplessly (in the transaction that issues the invoice); this module decides
//! which counter a number draws from ([`NumberingPattern::period_key`]) and what it looks like.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The independent sequences of an organization: invoices and credit notes never share one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SequenceKind {
    Invoice,
    CreditNote,
}

impl SequenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SequenceKind::Invoice => "invoice",
            SequenceKind::CreditNote => "credit_note",
        }
    }
}

/// When a counter starts again at 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Reset {
    /// One counter for ever.
    #[default]
    Never,
    /// A new counter each calendar year of the issue date; the pattern must show the year.
    Yearly,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(String),
    Year4,
    Year2,
    Month,
    Seq { width: usize },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberingError {
    #[error(
        "numbering pattern `{0}` has no {{SEQ}} placeholder: add {{SEQ}} or {{SEQ:5}} (5 = zero-padded width)"
    )]
    MissingSequence(String),
    #[error("numbering pattern `{0}` has {{SEQ}} more than once")]
    DuplicateSequence(String),
    #[error(
        "numbering pattern `{pattern}` has an unknown placeholder `{{{placeholder}}}`: use YYYY, YY, MM, SEQ or SEQ:n"
    )]
    UnknownPlaceholder {
        pattern: String,
        placeholder: String,
    },
    #[error("numbering pattern `{0}` has an unclosed `{{`")]
    Unclosed(String),
    #[error(
        "numbering pattern `{0}` resets yearly but does not show the year, so numbers would repeat: add {{YYYY}} or {{YY}}"
    )]
    ResetWithoutYear(String),
    #[error(
        "numbering pattern `{0}` may only contain letters, digits and - / _ . outside placeholders (EN 16931 BT-1)"
    )]
    BadLiteral(String),
    #[error("sequence value must start at 1, got {0}")]
    BadSequence(u64),
}

/// A validated numbering pattern with its reset policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberingPattern {
    source: String,
    tokens: Vec<Token>,
    reset: Reset,
}

impl NumberingPattern {
    pub fn parse(pattern: &str, reset: Reset) -> Result<Self, NumberingError> {
        let mut tokens = Vec::new();
        let mut rest = pattern;
        let mut seqs = 0;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let end = after
                    .find('}')
                    .ok_or_else(|| NumberingError::Unclosed(pattern.to_owned()))?;
                let name = &after[..end];
                let token = match name {
                    "YYYY" => Token::Year4,
                    "YY" => Token::Year2,
                    "MM" => Token::Month,
                    "SEQ" => Token::Seq { width: 1 },
                    other => match other.strip_prefix("SEQ:").and_then(|w| w.parse().ok()) {
                        Some(width) if (1..=12).contains(&width) => Token::Seq { width },
                        _ => {
                            return Err(NumberingError::UnknownPlaceholder {
                                pattern: pattern.to_owned(),
                                placeholder: other.to_owned(),
                            });
                        }
                    },
                };
                if matches!(token, Token::Seq { .. }) {
                    seqs += 1;
                }
                tokens.push(token);
                rest = &after[end + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let lit = &rest[..end];
                if !lit
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-/_.".contains(c))
                {
                    return Err(NumberingError::BadLiteral(pattern.to_owned()));
                }
                tokens.push(Token::Literal(lit.to_owned()));
                rest = &rest[end..];
            }
        }
        match seqs {
            0 => return Err(NumberingError::MissingSequence(pattern.to_owned())),
            1 => {}
            _ => return Err(NumberingError::DuplicateSequence(pattern.to_owned())),
        }
        let shows_year = tokens
            .iter()
            .any(|t| matches!(t, Token::Year4 | Token::Year2));
        if reset == Reset::Yearly && !shows_year {
            return Err(NumberingError::ResetWithoutYear(pattern.to_owned()));
        }
        Ok(NumberingPattern {
            source: pattern.to_owned(),
            tokens,
            reset,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn reset(&self) -> Reset {
        self.reset
    }

    /// The counter a number issued on `issue_date` draws from: `""` for a never-reset
    /// sequence, the year (`"2026"`) for a yearly one.
    pub fn period_key(&self, issue_date: NaiveDate) -> String {
        match self.reset {
            Reset::Never => String::new(),
            Reset::Yearly => issue_date.year().to_string(),
        }
    }

    /// Formats the number for sequence value `seq` (≥ 1) issued on `issue_date`.
    pub fn format(&self, seq: u64, issue_date: NaiveDate) -> Result<String, NumberingError> {
        if seq == 0 {
            return Err(NumberingError::BadSequence(seq));
        }
        let mut out = String::new();
        for t in &self.tokens {
            match t {
                Token::Literal(s) => out.push_str(s),
                Token::Year4 => out.push_str(&format!("{:04}", issue_date.year())),
                Token::Year2 => out.push_str(&format!("{:02}", issue_date.year().rem_euclid(100))),
                Token::Month => out.push_str(&format!("{:02}", issue_date.month())),
                Token::Seq { width } => out.push_str(&format!("{seq:0width$}")),
            }
        }
        Ok(out)
    }
}

impl fmt::Display for NumberingPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn formats_the_usual_patterns() {
        let p = NumberingPattern::parse("F-{YYYY}-{SEQ:5}", Reset::Yearly).unwrap();
        assert_eq!(p.format(42, d(2026, 11, 22)).unwrap(), "F-2026-00042");
        assert_eq!(p.period_key(d(2026, 11, 22)), "2026");
        let p = NumberingPattern::parse("{YY}{MM}-{SEQ:4}", Reset::Never).unwrap();
        assert_eq!(p.format(7, d(2026, 3, 1)).unwrap(), "2603-0007");
        assert_eq!(p.period_key(d(2026, 3, 1)), "");
        // Wider than the padding: never truncated.
        let p = NumberingPattern::parse("A{SEQ:2}", Reset::Never).unwrap();
        assert_eq!(p.format(1234, d(2026, 1, 1)).unwrap(), "A1234");
    }

    #[test]
    fn bad_patterns_say_what_to_do() {
        assert!(matches!(
            NumberingPattern::parse("F-{YYYY}", Reset::Never),
            Err(NumberingError::MissingSequence(_))
        ));
        assert!(matches!(
            NumberingPattern::parse("F-{SEQ}", Reset::Yearly),
            Err(NumberingError::ResetWithoutYear(_))
        ));
        assert!(matches!(
            NumberingPattern::parse("F-{DD}-{SEQ}", Reset::Never),
            Err(NumberingError::UnknownPlaceholder { .. })
        ));
        assert!(matches!(
            NumberingPattern::parse("F {SEQ}", Reset::Never),
            Err(NumberingError::BadLiteral(_))
        ));
    }

    #[test]
    fn numbers_are_strictly_increasing_within_a_period() {
        let p = NumberingPattern::parse("F-{YYYY}-{SEQ:5}", Reset::Yearly).unwrap();
        let nums: Vec<_> = (1..=200)
            .map(|s| p.format(s, d(2026, 5, 5)).unwrap())
            .collect();
        assert!(nums.windows(2).all(|w| w[0] < w[1]));
    }
}
