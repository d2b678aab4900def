//! VAT categories and rates as EN 16931 knows them (UNCL 5305 codes), the French and Swiss
//! rates, and the exemption wording each non-standard category must carry.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::language::Language;

/// EN 16931 VAT category (BT-118 / BT-151), UNCL 5305 subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum VatCategory {
    /// Standard rate.
    #[serde(rename = "S")]
    Standard,
    /// Zero rated goods.
    #[serde(rename = "Z")]
    ZeroRated,
    /// Exempt from VAT.
    #[serde(rename = "E")]
    Exempt,
    /// VAT reverse charge (the buyer accounts for the VAT).
    #[serde(rename = "AE")]
    ReverseCharge,
    /// Intra-community supply of goods.
    #[serde(rename = "K")]
    IntraCommunity,
    /// Export outside the EU.
    #[serde(rename = "G")]
    Export,
    /// Services outside the scope of VAT.
    #[serde(rename = "O")]
    OutsideScope,
}

impl VatCategory {
    pub const ALL: [VatCategory; 7] = [
        VatCategory::Standard,
        VatCategory::ZeroRated,
        VatCategory::Exempt,
        VatCategory::ReverseCharge,
        VatCategory::IntraCommunity,
        VatCategory::Export,
        VatCategory::OutsideScope,
    ];

    /// The UNCL 5305 code written in CII/UBL.
    pub fn code(self) -> &'static str {
        match self {
            VatCategory::Standard => "S",
            VatCategory::ZeroRated => "Z",
            VatCategory::Exempt => "E",
            VatCategory::ReverseCharge => "AE",
            VatCategory::IntraCommunity => "K",
            VatCategory::Export => "G",
            VatCategory::OutsideScope => "O",
        }
    }

    pub fn from_code(code: &str) -> Option<VatCategory> {
        VatCategory::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
    }

    /// Only the standard category carries a rate above zero.
    pub fn requires_positive_rate(self) -> bool {
        self == VatCategory::Standard
    }

    /// The buyer's VAT identifier is mandatory (BR-AE-02, BR-IC-02).
    pub fn requires_buyer_vat_id(self) -> bool {
        matches!(
            self,
            VatCategory::ReverseCharge | VatCategory::IntraCommunity
        )
    }

    /// The VATEX exemption reason code (BT-121), where EN 16931 expects one.
    pub fn exemption_code(self) -> Option<&'static str> {
        match self {
            VatCategory::Standard | VatCategory::ZeroRated => None,
            VatCategory::Exempt => None,
            VatCategory::ReverseCharge => Some("VATEX-EU-AE"),
            VatCategory::IntraCommunity => Some("VATEX-EU-IC"),
            VatCategory::Export => Some("VATEX-EU-G"),
            VatCategory::OutsideScope => Some("VATEX-EU-O"),
        }
    }

    /// The exemption wording (BT-120) the invoice must print for this category, in the
    /// client's language. `None` for categories that are taxed.
    pub fn exemption_text(self, language: Language) -> Option<&'static str> {
        use Language::*;
        use VatCategory::*;
        Some(match (self, language) {
            (Standard | ZeroRated, _) => return None,
            (Exempt, Fr) => "Exonération de TVA",
            (Exempt, En) => "Exempt from VAT",
            (Exempt, De) => "Von der Mehrwertsteuer befreit",
            (ReverseCharge, Fr) => {
                "Autoliquidation : TVA due par le preneur (art. 283-2 du CGI, art. 196 de la directive 2006/112/CE)"
            }
            (ReverseCharge, En) => {
                "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)"
            }
            (ReverseCharge, De) => {
                "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, Art. 196 MwStSystRL)"
            }
            (IntraCommunity, Fr) => {
                "Exonération de TVA, article 262 ter I du CGI (livraison intracommunautaire)"
            }
            (IntraCommunity, En) => {
                "VAT exempt intra-community supply (Art. 138 Directive 2006/112/EC)"
            }
            (IntraCommunity, De) => {
                "Steuerfreie innergemeinschaftliche Lieferung (Art. 138 MwStSystRL)"
            }
            (Export, Fr) => "Exonération de TVA, article 262 I du CGI (exportation)",
            (Export, En) => "VAT exempt export outside the EU (Art. 146 Directive 2006/112/EC)",
            (Export, De) => "Steuerfreie Ausfuhr (Art. 146 MwStSystRL)",
            (OutsideScope, Fr) => "Non soumis à la TVA",
            (OutsideScope, En) => "Not subject to VAT",
            (OutsideScope, De) => "Nicht steuerbar",
        })
    }
}

impl fmt::Display for VatCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Errors when building a VAT rate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VatError {
    #[error("VAT category {category} must have a rate of 0 %, got {rate} %")]
    RateMustBeZero {
        category: VatCategory,
        rate: Decimal,
    },
    #[error(
        "standard-rated VAT needs a rate above 0 % (got {0} %); use category Z, E, AE, K, G or O for 0 %"
    )]
    StandardNeedsRate(Decimal),
    #[error("VAT rate {0} % is out of range: it must be between 0 and 100")]
    OutOfRange(Decimal),
    #[error("unknown VAT category `{0}`: use S, Z, E, AE, K, G or O")]
    UnknownCategory(String),
}

/// A VAT category with its percentage rate (e.g. S 20 %, AE 0 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VatRate {
    category: VatCategory,
    percent: Decimal,
}

impl VatRate {
    pub fn new(category: VatCategory, percent: Decimal) -> Result<VatRate, VatError> {
        if percent < Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(VatError::OutOfRange(percent));
        }
        if category.requires_positive_rate() {
            if percent.is_zero() {
                return Err(VatError::StandardNeedsRate(percent));
            }
        } else if !percent.is_zero() {
            return Err(VatError::RateMustBeZero {
                category,
                rate: percent,
            });
        }
        Ok(VatRate {
            category,
            percent: percent.normalize(),
        })
    }

    /// Builds from a category code and a percentage, as found in files and the API.
    pub fn parse(category: &str, percent: Decimal) -> Result<VatRate, VatError> {
        let category = VatCategory::from_code(category)
            .ok_or_else(|| VatError::UnknownCategory(category.to_owned()))?;
        VatRate::new(category, percent)
    }

    /// A zero-rated category (not S).
    pub fn zero(category: VatCategory) -> Result<VatRate, VatError> {
        VatRate::new(category, Decimal::ZERO)
    }

    pub fn category(&self) -> VatCategory {
        self.category
    }

    pub fn percent(&self) -> Decimal {
        self.percent
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} %", self.category, self.percent)
    }
}

/// French VAT rates (CGI art. 278 ff.).
pub mod france {
    use rust_decimal::Decimal;

    /// 20 % — taux normal.
    pub const STANDARD: Decimal = Decimal::from_parts(20, 0, 0, false, 0);
    /// 10 % — taux intermédiaire.
    pub const INTERMEDIATE: Decimal = Decimal::from_parts(10, 0, 0, false, 0);
    /// 5.5 % — taux réduit.
    pub const REDUCED: Decimal = Decimal::from_parts(55, 0, 0, false, 1);
    /// 2.1 % — taux particulier.
    pub const SPECIAL: Decimal = Decimal::from_parts(21, 0, 0, false, 1);
    pub const ALL: [Decimal; 4] = [STANDARD, INTERMEDIATE, REDUCED, SPECIAL];
}

/// Swiss VAT rates in force since 1 January 2024 (MWSTG art. 25).
pub mod switzerland {
    use rust_decimal::Decimal;

    /// 8.1 % — Normalsatz.
    pub const STANDARD: Decimal = Decimal::from_parts(81, 0, 0, false, 1);
    /// 3.8 % — Sondersatz Beherbergung.
    pub const ACCOMMODATION: Decimal = Decimal::from_parts(38, 0, 0, false, 1);
    /// 2.6 % — reduzierter Satz.
    pub const REDUCED: Decimal = Decimal::from_parts(26, 0, 0, false, 1);
    pub const ALL: [Decimal; 3] = [STANDARD, ACCOMMODATION, REDUCED];
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rate_constants_are_the_legal_ones() {
        assert_eq!(france::ALL, [dec!(20), dec!(10), dec!(5.5), dec!(2.1)]);
        assert_eq!(switzerland::ALL, [dec!(8.1), dec!(3.8), dec!(2.6)]);
    }

    #[test]
    fn only_standard_rate_is_positive() {
        assert!(VatRate::new(VatCategory::Standard, dec!(20)).is_ok());
        assert!(matches!(
            VatRate::new(VatCategory::Standard, dec!(0)),
            Err(VatError::StandardNeedsRate(_))
        ));
        assert!(matches!(
            VatRate::new(VatCategory::ReverseCharge, dec!(20)),
            Err(VatError::RateMustBeZero { .. })
        ));
        assert!(VatRate::new(VatCategory::Standard, dec!(101)).is_err());
    }

    #[test]
    fn every_untaxed_category_has_wording_in_every_language() {
        for c in VatCategory::ALL {
            for l in [Language::Fr, Language::En, Language::De] {
                let taxed = matches!(c, VatCategory::Standard | VatCategory::ZeroRated);
                assert_eq!(c.exemption_text(l).is_none(), taxed, "{c:?} {l:?}");
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for c in VatCategory::ALL {
            assert_eq!(VatCategory::from_code(c.code()), Some(c));
        }
        assert_eq!(
            VatCategory::from_code("ae"),
            Some(VatCategory::ReverseCharge)
        );
    }
}
