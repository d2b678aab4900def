//! The parties on an invoice: the issuing organization (a tenant of encaisse) and its clients.

use std::fmt;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::identifiers::{Iban, Siren, Siret, SwissUid, VatId};
use crate::language::Language;
use crate::money::Currency;
use crate::numbering::{NumberingPattern, Reset};

/// ISO 3166-1 alpha-2 country code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("country `{0}` is not an ISO 3166-1 alpha-2 code (e.g. FR, CH, DE, BE)")]
pub struct CountryError(pub String);

impl Country {
    pub const FR: Country = Country(*b"FR");
    pub const CH: Country = Country(*b"CH");
    pub const DE: Country = Country(*b"DE");
    pub const BE: Country = Country(*b"BE");

    const EU: [&'static str; 27] = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
        "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    ];

    pub fn parse(code: &str) -> Result<Country, CountryError> {
        let up = code.trim().to_ascii_uppercase();
        let b = up.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_uppercase) {
            Ok(Country([b[0], b[1]]))
        } else {
            Err(CountryError(code.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        // Built only from two ASCII uppercase letters.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Member of the European Union (for VAT: intra-community vs export).
    pub fn is_eu(&self) -> bool {
        Self::EU.contains(&self.as_str())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = String::deserialize(d)?;
        Country::parse(&v).map_err(serde::de::Error::custom)
    }
}

/// A postal address with separate street and building number, as the Swiss QR-bill (type S)
/// and EN 16931 want it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: Option<String>,
    pub building_number: Option<String>,
    pub postal_code: String,
    pub city: String,
    pub country: Country,
}

/// Payment terms: days after the issue date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTerms {
    pub days: u32,
}

impl PaymentTerms {
    pub fn due_date(&self, issue_date: NaiveDate) -> NaiveDate {
        issue_date
            .checked_add_days(Days::new(u64::from(self.days)))
            .unwrap_or(issue_date)
    }
}

impl Default for PaymentTerms {
    fn default() -> Self {
        // French law caps B2B terms at 60 days; 30 days is the common default.
        PaymentTerms { days: 30 }
    }
}

/// Legal identity of a company, whichever country issues it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LegalIds {
    pub siren: Option<Siren>,
    pub siret: Option<Siret>,
    pub uid: Option<SwissUid>,
    pub vat_id: Option<VatId>,
}

/// A tenant: a company that issues invoices through encaisse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: Uuid,
    pub slug: String,
    pub legal_name: String,
    pub ids: LegalIds,
    pub address: Address,
    pub iban: Option<Iban>,
    pub qr_iban: Option<Iban>,
    pub language: Language,
    pub currency: Currency,
    pub terms: PaymentTerms,
    pub invoice_numbering: NumberingPattern,
    pub credit_note_numbering: NumberingPattern,
}

impl Organization {
    /// The default numbering of a new organization.
    pub fn default_numbering() -> (NumberingPattern, NumberingPattern) {
        // Both patterns are constants known to parse.
        let inv = NumberingPattern::parse("F-{YYYY}-{SEQ:5}", Reset::Yearly);
        let cn = NumberingPattern::parse("AV-{YYYY}-{SEQ:5}", Reset::Yearly);
        match (inv, cn) {
            (Ok(i), Ok(c)) => (i, c),
            _ => unreachable!("default numbering patterns are valid"),
        }
    }
}

/// Someone an organization invoices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub ids: LegalIds,
    pub address: Address,
    pub email: Option<String>,
    pub language: Language,
    pub currency: Currency,
    pub terms: PaymentTerms,
    /// Whether invoices to this client need a PO number.
    pub requires_purchase_order: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries() {
        assert!(Country::parse("fr").unwrap().is_eu());
        assert!(!Country::CH.is_eu());
        assert!(Country::parse("FRA").is_err());
    }

    #[test]
    fn due_date_follows_terms() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(
            PaymentTerms { days: 30 }.due_date(d),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
    }
}
