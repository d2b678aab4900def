//! Structured payment references printed on invoices and searched for in bank statements:
//! the ISO 11649 creditor reference (`RF…`) and the Swiss 27-digit QR reference.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error(
        "creditor reference `{0}` is invalid: expected RF + 2 check digits + 1 to 21 letters or digits, with mod 97 = 1"
    )]
    Creditor(String),
    #[error(
        "QR reference `{0}` is invalid: expected 27 digits whose last one is the mod-10 recursive check digit"
    )]
    Qr(String),
    #[error(
        "cannot build a reference from `{0}`: it needs 1 to 21 letters or digits (RF) or up to 26 digits (QR)"
    )]
    Source(String),
}

fn mod97(alnum: &str) -> Option<u32> {
    let mut rem: u32 = 0;
    for c in alnum.chars() {
        let v = c.to_digit(36)?;
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    Some(rem)
}

/// ISO 11649 structured creditor reference (`RF18539007547034`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditorReference(String);

impl CreditorReference {
    /// Validates a reference as printed (spaces and case tolerated).
    pub fn parse(value: &str) -> Result<Self, ReferenceError> {
        let compact: String = value
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let err = || ReferenceError::Creditor(value.to_owned());
        if !(5..=25).contains(&compact.len())
            || !compact.starts_with("RF")
            || !compact[2..4].chars().all(|c| c.is_ascii_digit())
            || !compact[4..].chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(err());
        }
        let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
        if mod97(&rearranged) != Some(1) {
            return Err(err());
        }
        Ok(CreditorReference(compact))
    }

    /// Creates the reference for a payload such as an invoice number (non-alphanumerics
    /// dropped, e.g. `F-2026-00042` → `F202600042`).
    pub fn generate(payload: &str) -> Result<Self, ReferenceError> {
        let body: String = payload
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        if body.is_empty() || body.len() > 21 {
            return Err(ReferenceError::Source(payload.to_owned()));
        }
        let rem = mod97(&format!("{body}RF00"))
            .ok_or_else(|| ReferenceError::Source(payload.to_owned()))?;
        Ok(CreditorReference(format!("RF{:02}{body}", 98 - rem)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Print form in groups of four.
    pub fn grouped(&self) -> String {
        group(&self.0, 4, false)
    }
}

impl TryFrom<String> for CreditorReference {
    type Error = ReferenceError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        Self::parse(&v)
    }
}
impl From<CreditorReference> for String {
    fn from(v: CreditorReference) -> String {
        v.0
    }
}
impl fmt::Display for CreditorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn mod10_recursive(digits: &str) -> Option<u32> {
    const TABLE: [u32; 10] = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5];
    let mut carry = 0u32;
    for c in digits.chars() {
        carry = TABLE[((carry + c.to_digit(10)?) % 10) as usize];
    }
    Some((10 - carry) % 10)
}

/// Swiss QR reference (QRR): 26 digits + a mod-10 recursive check digit. Only valid with a
/// QR-IBAN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QrReference(String);

impl QrReference {
    pub fn parse(value: &str) -> Result<Self, ReferenceError> {
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        let err = || ReferenceError::Qr(value.to_owned());
        if compact.len() != 27 || !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        let check = mod10_recursive(&compact[..26]).ok_or_else(err)?;
        if Some(check) != compact[26..].chars().next().and_then(|c| c.to_digit(10)) {
            return Err(err());
        }
        // An all-zero reference is refused by the Swiss validators.
        if compact.chars().all(|c| c == '0') {
            return Err(err());
        }
        Ok(QrReference(compact))
    }

    /// Builds from up to 26 digits (left-padded with zeros), e.g. client number followed by
    /// invoice sequence.
    pub fn generate(digits: &str) -> Result<Self, ReferenceError> {
        if digits.is_empty() || digits.len() > 26 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ReferenceError::Source(digits.to_owned()));
        }
        let body = format!("{digits:0>26}");
        let check =
            mod10_recursive(&body).ok_or_else(|| ReferenceError::Source(digits.to_owned()))?;
        QrReference::parse(&format!("{body}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Print form: groups of five from the right (`21 00000 00003 13947 14300 09017`).
    pub fn grouped(&self) -> String {
        group(&self.0, 5, true)
    }
}

impl TryFrom<String> for QrReference {
    type Error = ReferenceError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        Self::parse(&v)
    }
}
impl From<QrReference> for String {
    fn from(v: QrReference) -> String {
        v.0
    }
}
impl fmt::Display for QrReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn group(s: &str, size: usize, from_right: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let first = if from_right && !chars.len().is_multiple_of(size) {
        chars.len() % size
    } else {
        size
    };
    let mut out = String::new();
    let mut i = 0;
    let mut take = first.min(chars.len());
    while i < chars.len() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(&chars[i..i + take]);
        i += take;
        take = size.min(chars.len() - i);
    }
    out
}

/// A structured reference of either kind, as stored on an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum PaymentReference {
    Qr(QrReference),
    Creditor(CreditorReference),
}

impl PaymentReference {
    pub fn as_str(&self) -> &str {
        match self {
            PaymentReference::Qr(r) => r.as_str(),
            PaymentReference::Creditor(r) => r.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn creditor_reference_examples() {
        assert!(CreditorReference::parse("RF18 5390 0754 7034").is_ok());
        assert!(CreditorReference::parse("RF18539007547035").is_err());
        let r = CreditorReference::generate("539007547034").unwrap();
        assert_eq!(r.as_str(), "RF18539007547034");
        assert_eq!(r.grouped(), "RF18 5390 0754 7034");
        assert!(
            CreditorReference::generate("F-2026-00042")
                .unwrap()
                .as_str()
                .ends_with("F202600042")
        );
    }

    #[test]
    fn qr_reference_examples() {
        let r = QrReference::generate("21000000000313947143000901").unwrap();
        assert_eq!(r.as_str(), "210000000003139471430009017");
        assert_eq!(r.grouped(), "21 00000 00003 13947 14300 09017");
        assert_eq!(
            QrReference::generate("1234").unwrap().as_str(),
            "000000000000000000000012347"
        );
        assert!(QrReference::parse("210000000003139471430009018").is_err());
        assert!(QrReference::parse("21000000000313947143000901").is_err());
    }

    proptest! {
        #[test]
        fn generated_references_validate(body in "[A-Z0-9]{1,21}", digits in "[0-9]{1,26}") {
            let rf = CreditorReference::generate(&body).unwrap();
            prop_assert_eq!(CreditorReference::parse(rf.as_str()).unwrap(), rf);
            if digits.chars().any(|c| c != '0') {
                let qr = QrReference::generate(&digits).unwrap();
                prop_assert_eq!(QrReference::parse(qr.as_str()).unwrap(), qr);
            }
        }

        #[test]
        fn a_single_changed_digit_is_detected(digits in "[0-9]{26}", pos in 0usize..27, delta in 1u32..10) {
            prop_assume!(digits.chars().any(|c| c != '0'));
            let qr = QrReference::generate(&digits).unwrap();
            let mut chars: Vec<char> = qr.as_str().chars().collect();
            let d = chars[pos].to_digit(10).unwrap();
            chars[pos] = char::from_digit((d + delta) % 10, 10).unwrap();
            let altered: String = chars.into_iter().collect();
            prop_assert!(QrReference::parse(&altered).is_err());
        }
    }
}
