//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use encaisse_bank::{BankTransaction, FormatHint, Statement, parse};
use rust_decimal::Decimal;

/// `shared/samples` sits beside the repository (`<repo>/../shared/samples`), in CI as on a
/// developer machine. Its absence is a broken setup, not a reason to skip.
pub fn samples_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples");
    assert!(
        dir.is_dir(),
        "sample files not found at {}: the `shared` folder must be checked out beside the \
         repository (…/shared/samples next to …/main)",
        dir.display()
    );
    dir
}

/// The bytes of `shared/samples/<relative>`.
pub fn sample(relative: &str) -> Vec<u8> {
    let path = samples_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Parses a sample with format detection.
pub fn statements_of(relative: &str) -> Vec<Statement> {
    parse(&sample(relative), FormatHint::Detect)
        .unwrap_or_else(|e| panic!("{relative} should parse: {e}"))
}

/// Parses inline text with format detection.
pub fn parse_text(text: &str) -> Vec<Statement> {
    parse(text.as_bytes(), FormatHint::Detect).unwrap_or_else(|e| panic!("should parse: {e}"))
}

/// `"-754.25"` as a Decimal, for readable assertions.
pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Amount as `"-754.25 EUR"`.
pub fn money(tx: &BankTransaction) -> String {
    tx.amount.to_string()
}

pub fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
