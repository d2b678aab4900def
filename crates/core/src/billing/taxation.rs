//! Which VAT a client's hours carry, decided from where the seller and the buyer are.
//!
//! - French seller, French buyer: French standard rate (20 %).
//! - French seller, business buyer elsewhere in the EU: reverse charge (AE, 0 %) with the
//!   legal mention; the buyer's VAT number is mandatory (art. 283-2 CGI, BR-AE-02).
//! - French seller, buyer outside the EU: export (G, 0 %) with the mention.
//! - Swiss seller, Swiss (or Liechtenstein) buyer: Swiss standard rate (8.1 %).
//! - Swiss seller, buyer abroad: outside the scope of Swiss VAT (O, 0 %, place of supply at
//!   the recipient, art. 8 MWSTG) with the mention.
//! - A client may carry an explicit override (an exempt association, a reduced rate).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::language::Language;
use crate::party::Country;
use crate::vat::{VatCategory, VatError, VatRate, france, switzerland};

/// What the decision needs to know of the buyer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuyerTax {
    pub country: Country,
    pub has_vat_id: bool,
    /// A rate set on the client by hand, which wins.
    pub override_rate: Option<VatRate>,
    pub language: Language,
}

/// The VAT of a client's lines and what the invoice must say about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taxation {
    pub rate: VatRate,
    /// Exemption wording (BT-120) to print, in the client's language.
    pub mention: Option<String>,
}

/// Why no VAT could be decided; each says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxationError {
    #[error(
        "reverse charge for a client in {0} needs the client's VAT number (BR-AE-02): add it to the client"
    )]
    MissingBuyerVatId(Country),
    #[error(
        "encaisse knows no VAT rules for a seller in {0}: set a VAT rate on each client by hand"
    )]
    UnsupportedSeller(Country),
    #[error(transparent)]
    Rate(#[from] VatError),
}

fn liechtenstein() -> Country {
    // Two ASCII capitals: always a valid code.
    Country::parse("LI").unwrap_or(Country::CH)
}

/// Decides the VAT of a buyer's lines.
pub fn decide_taxation(seller: Country, buyer: &BuyerTax) -> Result<Taxation, TaxationError> {
    let with_mention = |rate: VatRate| Taxation {
        mention: rate
            .category()
            .exemption_text(buyer.language)
            .map(str::to_owned),
        rate,
    };
    if let Some(rate) = buyer.override_rate {
        if rate.category().requires_buyer_vat_id() && !buyer.has_vat_id {
            return Err(TaxationError::MissingBuyerVatId(buyer.country));
        }
        return Ok(with_mention(rate));
    }
    let domestic = buyer.country == seller;
    match seller {
        s if s == Country::FR => {
            if domestic {
                Ok(with_mention(VatRate::new(
                    VatCategory::Standard,
                    france::STANDARD,
                )?))
            } else if buyer.country.is_eu() {
                if !buyer.has_vat_id {
                    return Err(TaxationError::MissingBuyerVatId(buyer.country));
                }
                Ok(with_mention(VatRate::zero(VatCategory::ReverseCharge)?))
            } else {
                Ok(with_mention(VatRate::zero(VatCategory::Export)?))
            }
        }
        s if s == Country::CH => {
            if domestic || buyer.country == liechtenstein() {
                Ok(with_mention(VatRate::new(
                    VatCategory::Standard,
                    switzerland::STANDARD,
                )?))
            } else {
                Ok(with_mention(VatRate::new(
                    VatCategory::OutsideScope,
                    Decimal::ZERO,
                )?))
            }
        }
        other => Err(TaxationError::UnsupportedSeller(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn buyer(c: Country, vat: bool) -> BuyerTax {
        BuyerTax {
            country: c,
            has_vat_id: vat,
            override_rate: None,
            language: Language::Fr,
        }
    }

    #[test]
    fn french_domestic_is_standard_20() {
        let t = decide_taxation(Country::FR, &buyer(Country::FR, false)).unwrap();
        assert_eq!(
            t.rate,
            VatRate::new(VatCategory::Standard, dec!(20)).unwrap()
        );
        assert_eq!(t.mention, None);
    }

    #[test]
    fn intra_eu_b2b_is_reverse_charge_with_mention_and_needs_the_vat_id() {
        let t = decide_taxation(Country::FR, &buyer(Country::DE, true)).unwrap();
        assert_eq!(t.rate.category(), VatCategory::ReverseCharge);
        assert!(t.mention.unwrap().contains("Autoliquidation"));
        assert_eq!(
            decide_taxation(Country::FR, &buyer(Country::BE, false)),
            Err(TaxationError::MissingBuyerVatId(Country::BE))
        );
    }

    #[test]
    fn export_outside_the_eu_is_g_with_mention() {
        let t = decide_taxation(Country::FR, &buyer(Country::CH, false)).unwrap();
        assert_eq!(t.rate.category(), VatCategory::Export);
        assert!(t.mention.unwrap().contains("262 I"));
    }

    #[test]
    fn swiss_clients_of_the_swiss_organization_pay_swiss_vat() {
        let t = decide_taxation(Country::CH, &buyer(Country::CH, true)).unwrap();
        assert_eq!(
            t.rate,
            VatRate::new(VatCategory::Standard, dec!(8.1)).unwrap()
        );
        let abroad = decide_taxation(Country::CH, &buyer(Country::DE, true)).unwrap();
        assert_eq!(abroad.rate.category(), VatCategory::OutsideScope);
        assert!(abroad.mention.is_some());
    }

    #[test]
    fn an_override_wins_and_unknown_sellers_are_named() {
        let mut b = buyer(Country::FR, false);
        b.override_rate = Some(VatRate::new(VatCategory::Standard, dec!(10)).unwrap());
        assert_eq!(
            decide_taxation(Country::FR, &b).unwrap().rate.percent(),
            dec!(10)
        );
        let e = decide_taxation(Country::DE, &buyer(Country::DE, true)).unwrap_err();
        assert!(e.to_string().contains("DE"));
    }
}
