//! Identifiers with a checksum: IBAN (and Swiss QR-IBAN), French SIREN/SIRET and VAT number,
//! Swiss UID (IDE) and VAT number. Each newtype can only hold a valid value.

use std::fmt;

use iban::IbanLike;
use serde::{Deserialize, Serialize};

/// Why an identifier was refused. Messages say what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("IBAN `{value}` is invalid: {reason}")]
    Iban { value: String, reason: String },
    #[error("SIREN `{0}` is invalid: a SIREN has 9 digits and a valid Luhn check digit")]
    Siren(String),
    #[error(
        "SIRET `{0}` is invalid: a SIRET has 14 digits (SIREN + 5-digit establishment number) and a valid Luhn check digit"
    )]
    Siret(String),
    #[error(
        "French VAT number `{0}` is invalid: expected FR + 2-character key + 9-digit SIREN, e.g. FR40303265045"
    )]
    FrenchVat(String),
    #[error("Swiss UID `{0}` is invalid: expected CHE-123.456.789 with a valid mod-11 check digit")]
    SwissUid(String),
    #[error(
        "VAT identifier `{0}` is invalid: it must start with a 2-letter country prefix (EL for Greece) followed by 2 to 13 letters or digits"
    )]
    VatId(String),
}

fn digits_only(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
        .collect()
}

fn luhn_ok(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// An International Bank Account Number, validated (country, length, mod 97).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Iban(String);

impl Iban {
    pub fn parse(value: &str) -> Result<Iban, IdentifierError> {
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        let iban: iban::Iban = compact.to_ascii_uppercase().parse().map_err(|e| {
            IdentifierError::Iban {
                value: value.to_owned(),
                reason: format!(
                    "{e}; check the country code, the length for that country and the two check digits"
                ),
            }
        })?;
        Ok(Iban(iban.electronic_str().to_owned()))
    }

    /// Electronic form, no spaces (`CH4431999123000889012`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// Print form in groups of four.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A Swiss/Liechtenstein QR-IBAN: its institution id (positions 5–9) is 30000–31999.
    /// Only QR references may be used with it, and it accepts nothing else.
    pub fn is_qr_iban(&self) -> bool {
        matches!(self.country(), "CH" | "LI")
            && self.0[4..9]
                .parse::<u32>()
                .is_ok_and(|iid| (30000..=31999).contains(&iid))
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// French company identifier (9 digits, Luhn).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    pub fn parse(value: &str) -> Result<Siren, IdentifierError> {
        let d = digits_only(value);
        if d.len() == 9 && d.chars().all(|c| c.is_ascii_digit()) && luhn_ok(&d) {
            Ok(Siren(d))
        } else {
            Err(IdentifierError::Siren(value.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Siren {
    type Error = IdentifierError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        Siren::parse(&v)
    }
}
impl From<Siren> for String {
    fn from(v: Siren) -> String {
        v.0
    }
}

/// French establishment identifier (SIREN + NIC, 14 digits, Luhn; La Poste's establishments
/// use a digit-sum rule instead).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    const LA_POSTE: &'static str = "356000000";

    pub fn parse(value: &str) -> Result<Siret, IdentifierError> {
        let d = digits_only(value);
        let well_formed = d.len() == 14 && d.chars().all(|c| c.is_ascii_digit());
        let valid = well_formed
            && if d.starts_with(Self::LA_POSTE) && d != "35600000000048" {
                d.chars().filter_map(|c| c.to_digit(10)).sum::<u32>() % 5 == 0
            } else {
                luhn_ok(&d)
            };
        if valid {
            Ok(Siret(d))
        } else {
            Err(IdentifierError::Siret(value.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
}

impl TryFrom<String> for Siret {
    type Error = IdentifierError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        Siret::parse(&v)
    }
}
impl From<Siret> for String {
    fn from(v: Siret) -> String {
        v.0
    }
}

/// Swiss enterprise identification number (UID/IDE), `CHE-123.456.789`, mod 11.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SwissUid(String);

impl SwissUid {
    pub fn parse(value: &str) -> Result<SwissUid, IdentifierError> {
        let err = || IdentifierError::SwissUid(value.to_owned());
        let upper = value.trim().to_ascii_uppercase();
        // Accept a trailing "MWST"/"TVA"/"IVA" (the VAT form of the UID).
        let core = ["MWST", "TVA", "IVA"]
            .iter()
            .find_map(|s| upper.strip_suffix(s))
            .unwrap_or(&upper);
        let rest = core.strip_prefix("CHE").ok_or_else(err)?;
        let d = digits_only(rest);
        if d.len() != 9 || !d.chars().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        let weights = [5u32, 4, 3, 2, 7, 6, 5, 4];
        let sum: u32 = d
            .chars()
            .take(8)
            .zip(weights)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => return Err(err()),
            c => c,
        };
        if Some(check) != d.chars().nth(8).and_then(|c| c.to_digit(10)) {
            return Err(err());
        }
        Ok(SwissUid(d))
    }

    /// `CHE-123.456.789`.
    pub fn formatted(&self) -> String {
        format!("CHE-{}.{}.{}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }

    /// The VAT number form: `CHE-123.456.789 MWST` (TVA in French, IVA in Italian).
    pub fn vat_form(&self, language: crate::language::Language) -> String {
        let suffix = match language {
            crate::language::Language::Fr => "TVA",
            _ => "MWST",
        };
        format!("{} {suffix}", self.formatted())
    }
}

impl TryFrom<String> for SwissUid {
    type Error = IdentifierError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        SwissUid::parse(&v)
    }
}
impl From<SwissUid> for String {
    fn from(v: SwissUid) -> String {
        v.formatted()
    }
}

/// A VAT identifier with its country prefix (BT-31/BT-48). French and Swiss numbers are
/// checked with their checksum; others are checked for shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VatId(String);

impl VatId {
    pub fn parse(value: &str) -> Result<VatId, IdentifierError> {
        let compact: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.starts_with("CHE") {
            let uid = SwissUid::parse(value)?;
            return Ok(VatId(format!("CHE{}", uid.0)));
        }
        if let Some(rest) = compact.strip_prefix("FR") {
            return Self::parse_french(value, rest);
        }
        let prefix_ok = compact.len() >= 4
            && compact[..2].chars().all(|c| c.is_ascii_uppercase())
            && compact.len() <= 15
            && compact[2..].chars().all(|c| c.is_ascii_alphanumeric());
        if !prefix_ok || compact.starts_with("GR") {
            return Err(IdentifierError::VatId(value.to_owned()));
        }
        Ok(VatId(compact))
    }

    fn parse_french(original: &str, rest: &str) -> Result<VatId, IdentifierError> {
        let err = || IdentifierError::FrenchVat(original.to_owned());
        if rest.len() != 11 {
            return Err(err());
        }
        let (key, siren) = rest.split_at(2);
        let siren = Siren::parse(siren).map_err(|_| err())?;
        if key.chars().all(|c| c.is_ascii_digit()) {
            let n: u64 = siren.0.parse().map_err(|_| err())?;
            let expected = (12 + 3 * (n % 97)) % 97;
            if key.parse::<u64>().ok() != Some(expected) {
                return Err(err());
            }
        } else if !key.chars().all(|c| c.is_ascii_alphanumeric()) || key.contains(['O', 'I']) {
            // New-style alphanumeric keys exist (no O or I); their checksum is not published.
            return Err(err());
        }
        Ok(VatId(format!("FR{key}{}", siren.0)))
    }

    /// The French VAT number of a SIREN (numeric key).
    pub fn french_from_siren(siren: &Siren) -> VatId {
        // A SIREN is 9 ASCII digits by construction; parsing cannot fail.
        let n: u64 = siren.0.parse().unwrap_or(0);
        VatId(format!("FR{:02}{}", (12 + 3 * (n % 97)) % 97, siren.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ISO country prefix (`FR`, `DE`, `EL`…); `CH` for a Swiss UID.
    pub fn country_prefix(&self) -> &str {
        &self.0[..2]
    }
}

impl fmt::Display for VatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for VatId {
    type Error = IdentifierError;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        VatId::parse(&v)
    }
}
impl From<VatId> for String {
    fn from(v: VatId) -> String {
        v.0
    }
}

impl Serialize for Iban {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}
impl<'de> Deserialize<'de> for Iban {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = String::deserialize(d)?;
        Iban::parse(&v).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_validation_and_qr_iban_detection() {
        let fr = Iban::parse("FR76 3000 6000 0112 3456 7890 189").unwrap();
        assert_eq!(fr.as_str(), "FR7630006000011234567890189");
        assert_eq!(fr.grouped(), "FR76 3000 6000 0112 3456 7890 189");
        assert!(!fr.is_qr_iban());
        let qr = Iban::parse("CH44 3199 9123 0008 8901 2").unwrap();
        assert!(qr.is_qr_iban());
        let normal_ch = Iban::parse("CH93 0076 2011 6238 5295 7").unwrap();
        assert!(!normal_ch.is_qr_iban());
        let e = Iban::parse("FR76 3000 6000 0112 3456 7890 188").unwrap_err();
        assert!(e.to_string().contains("check digits"));
    }

    #[test]
    fn siren_and_siret_use_luhn() {
        assert!(Siren::parse("732 829 320").is_ok());
        assert!(Siren::parse("732829321").is_err());
        assert!(Siren::parse("12345678").is_err());
        let s = Siret::parse("732 829 320 00074").unwrap();
        assert_eq!(s.siren(), "732829320");
        assert!(Siret::parse("73282932000075").is_err());
        // La Poste establishments follow the digit-sum rule.
        assert!(Siret::parse("35600000049837").is_ok());
    }

    #[test]
    fn french_vat_key_is_checked() {
        let siren = Siren::parse("303265045").unwrap();
        assert_eq!(VatId::french_from_siren(&siren).as_str(), "FR40303265045");
        assert!(VatId::parse("FR 40 303 265 045").is_ok());
        assert!(matches!(
            VatId::parse("FR41303265045"),
            Err(IdentifierError::FrenchVat(_))
        ));
    }

    #[test]
    fn swiss_uid_uses_mod_11() {
        let uid = SwissUid::parse("CHE-116.281.710").unwrap();
        assert_eq!(uid.formatted(), "CHE-116.281.710");
        assert_eq!(
            uid.vat_form(crate::language::Language::De),
            "CHE-116.281.710 MWST"
        );
        assert!(SwissUid::parse("CHE-116.281.710 MWST").is_ok());
        assert!(SwissUid::parse("CHE-116.281.711").is_err());
        assert!(VatId::parse("CHE-116.281.710 TVA").is_ok());
    }

    #[test]
    fn other_vat_ids_need_a_country_prefix() {
        assert_eq!(
            VatId::parse("de 123456789").unwrap().as_str(),
            "DE123456789"
        );
        assert!(VatId::parse("123456789").is_err());
        // Greece is EL in VAT ids (BR-CO-09).
        assert!(VatId::parse("GR123456789").is_err());
        assert!(VatId::parse("EL123456789").is_ok());
    }
}
