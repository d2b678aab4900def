//! The choices a document needs that the core model does not hold (yet): the CII profile,
//! French e-invoicing markers (BT-23, processing type), electronic addresses, payment means,
//! BIC, notes and delivery date. All optional; [`DocumentOptions::default`] gives an
//! EN 16931 document with everything derived from the organization and the client.

use chrono::NaiveDate;
use encaisse_core::language::Language;
use rust_decimal::Decimal;

use crate::input::InputError;
use crate::texts;

/// The CII guideline (BT-24) the document declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Factur-X/ZUGFeRD EN 16931 ("COMFORT"): the full European core, accepted everywhere.
    #[default]
    En16931,
    /// The French extension required by some Plateformes Agréées (adds BT-23 cadre de
    /// facturation as mandatory, and the BR-FR rules).
    ExtendedCtcFr,
}

impl Profile {
    /// BT-24 guideline identifier.
    pub fn guideline_id(self) -> &'static str {
        match self {
            Profile::En16931 => "urn:cen.eu:en16931:2017",
            Profile::ExtendedCtcFr => {
                "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr"
            }
        }
    }
}

/// BT-23 "cadre de facturation" of the French reform: B goods, S services, M mixed;
/// 1 ordinary, 2 already paid, 4 final after deposit, 3/5/6/7 the other frameworks.
/// The multi-seller frameworks 8 and 9 need sub-lines, which encaisse does not write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BillingFramework {
    B1,
    S1,
    M1,
    B2,
    S2,
    M2,
    S3,
    B4,
    S4,
    M4,
    S5,
    S6,
    B7,
    S7,
}

impl BillingFramework {
    pub fn code(self) -> &'static str {
        use BillingFramework::*;
        match self {
            B1 => "B1",
            S1 => "S1",
            M1 => "M1",
            B2 => "B2",
            S2 => "S2",
            M2 => "M2",
            S3 => "S3",
            B4 => "B4",
            S4 => "S4",
            M4 => "M4",
            S5 => "S5",
            S6 => "S6",
            B7 => "B7",
            S7 => "S7",
        }
    }
}

/// The French processing type, written as a note with subject code `BAR` (BR-FR-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProcessingType {
    /// Domestic B2B: e-invoicing through a PA (buyer SIREN mandatory).
    B2b,
    /// International B2B: e-reporting.
    B2bInternational,
    B2c,
    B2cInternational,
    OutOfScope,
    ArchiveOnly,
}

impl ProcessingType {
    pub fn code(self) -> &'static str {
        match self {
            ProcessingType::B2b => "B2B",
            ProcessingType::B2bInternational => "B2BINT",
            ProcessingType::B2c => "B2C",
            ProcessingType::B2cInternational => "B2CINT",
            ProcessingType::OutOfScope => "OUTOFSCOPE",
            ProcessingType::ArchiveOnly => "ARCHIVEONLY",
        }
    }
}

/// An electronic address (BT-34 seller, BT-49 buyer) with its EAS scheme (`0225` French
/// directory, `0002` SIREN, `0183` Swiss UID, `9930` German VAT number, `EM` e-mail …).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ElectronicAddress {
    scheme: String,
    value: String,
}

impl ElectronicAddress {
    /// Checks the scheme looks like an EAS code and the value is a plausible address.
    pub fn new(scheme: &str, value: &str) -> Result<Self, InputError> {
        let scheme = scheme.trim();
        let value = value.trim();
        let scheme_ok = (2..=4).contains(&scheme.len())
            && scheme
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let value_ok = !value.is_empty()
            && value.chars().count() <= 125
            && !value.chars().any(char::is_whitespace);
        if scheme_ok && value_ok {
            Ok(ElectronicAddress {
                scheme: scheme.to_owned(),
                value: value.to_owned(),
            })
        } else {
            Err(InputError::InvalidElectronicAddress {
                scheme: scheme.to_owned(),
                value: value.to_owned(),
            })
        }
    }

    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

/// BT-81 payment means (UNCL 4461).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentMeansCode {
    /// 30: credit transfer (non-SEPA, e.g. CHF to a Swiss account).
    CreditTransfer,
    /// 58: SEPA credit transfer.
    SepaCreditTransfer,
}

impl PaymentMeansCode {
    pub fn code(self) -> &'static str {
        match self {
            PaymentMeansCode::CreditTransfer => "30",
            PaymentMeansCode::SepaCreditTransfer => "58",
        }
    }
}

/// A document note (BG-1): BT-22 text with an optional BT-21 subject code (UNTDID 4451,
/// e.g. `PMT`, `PMD`, `AAB`, `REG`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Note {
    pub subject: Option<String>,
    pub text: String,
}

impl Note {
    pub fn new(subject: Option<&str>, text: &str) -> Self {
        Note {
            subject: subject.map(str::to_owned),
            text: text.to_owned(),
        }
    }

    /// The three mentions French law requires on B2B invoices (Code de commerce L441-10),
    /// with the default late-payment rate (three times the legal interest rate): PMT
    /// recovery indemnity, PMD late-payment penalties, AAB no early-payment discount.
    pub fn french_b2b_mentions(language: Language) -> Vec<Note> {
        let (pmt, pmd, aab) = texts::french_b2b_mentions(language);
        vec![
            Note::new(Some("PMT"), pmt),
            Note::new(Some("PMD"), pmd),
            Note::new(Some("AAB"), aab),
        ]
    }
}

/// What the seller's letterhead and legal footer print beyond the core organization: the
/// French company mentions (Code de commerce R123-237: legal form, share capital, RCS
/// registration) and contact lines. Printed as given.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SellerDetails {
    /// `SAS`, `SARL`, `GmbH`… when the legal name does not already say it.
    pub legal_form: Option<String>,
    /// Share capital as printed, e.g. `10 000 €` (French companies must print it).
    pub share_capital: Option<String>,
    /// Trade register entry, e.g. `RCS Paris 732 829 320` or `Handelsregister Zürich`.
    pub registration: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
}

/// Choices that are not (yet) part of the core model.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DocumentOptions {
    pub profile: Profile,
    /// Language of generated texts (exemption reasons, payment terms); the client's when
    /// `None`.
    pub language: Option<Language>,
    /// BT-23; mandatory for [`Profile::ExtendedCtcFr`].
    pub billing_framework: Option<BillingFramework>,
    /// French processing type, written as a `BAR` note.
    pub processing_type: Option<ProcessingType>,
    /// BT-34; derived from the seller's SIREN / UID / VAT number when `None`.
    pub seller_electronic_address: Option<ElectronicAddress>,
    /// BT-49; derived from the buyer's SIREN / UID / VAT number / e-mail when `None`.
    pub buyer_electronic_address: Option<ElectronicAddress>,
    /// BT-81; 58 (SEPA) for EUR, 30 otherwise when `None`.
    pub payment_means: Option<PaymentMeansCode>,
    /// BT-86, the seller's bank BIC.
    pub bic: Option<String>,
    /// BT-20; generated from the due date in the document language when `None`.
    pub payment_terms: Option<String>,
    /// BG-1 notes written before the invoice's own note (legal mentions…).
    pub notes: Vec<Note>,
    /// BT-72 actual delivery date.
    pub delivery_date: Option<NaiveDate>,
    /// Letterhead and legal footer details of the seller.
    pub seller: SellerDetails,
    /// Annual late-payment penalty rate in percent for the French PMD mention; "three times
    /// the legal interest rate" (the legal minimum) when `None`.
    pub late_payment_rate: Option<Decimal>,
    /// Early-payment discount terms for the French AAB mention; "no discount for early
    /// payment" when `None`.
    pub early_payment_discount: Option<String>,
    /// When the organization has no bank account, write the invoice without payment
    /// instructions (BG-16, which EN 16931 makes optional) instead of refusing it
    /// ([`crate::InputError::NoAccount`]): the buyer then pays as the terms say.
    pub payment_account_optional: bool,
    /// Whether the buyer is a business (French B2B mentions); derived from the processing
    /// type, else from the buyer's company or VAT identifiers, when `None`.
    pub buyer_is_business: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guideline_ids_are_the_factur_x_ones() {
        assert_eq!(Profile::En16931.guideline_id(), "urn:cen.eu:en16931:2017");
        assert_eq!(
            Profile::ExtendedCtcFr.guideline_id(),
            "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr"
        );
    }

    #[test]
    fn electronic_addresses_are_checked() {
        assert!(ElectronicAddress::new("0225", "732829320").is_ok());
        assert!(ElectronicAddress::new("EM", "billing@example.org").is_ok());
        assert!(ElectronicAddress::new("0225", "732 829 320").is_err());
        assert!(ElectronicAddress::new("email", "a@b.c").is_err());
        assert!(ElectronicAddress::new("0225", "").is_err());
    }
}
