//! Value formats and code lists of the EN 16931 semantic model, shared by its two syntaxes
//! (CII and UBL): amounts, prices, quantities, percentages, dates, identifier schemes.

use chrono::NaiveDate;
use encaisse_core::Money;
use encaisse_core::party::Country;
use rust_decimal::Decimal;

/// Most decimals EN 16931 accepts on an amount (BR-DEC-*).
pub const AMOUNT_DECIMALS: u32 = 2;
/// Most decimals the French CTC rules accept on a quantity (BR-FR-DEC-02).
pub const QUANTITY_DECIMALS: u32 = 4;
/// Most decimals the French CTC rules accept on a unit price (BR-FR-DEC-03).
pub const PRICE_DECIMALS: u32 = 6;

/// ISO/IEC 6523 ICD: French SIREN (BT-30 scheme).
pub const ICD_SIREN: &str = "0002";
/// ISO/IEC 6523 ICD: French SIRET (BT-29 scheme).
pub const ICD_SIRET: &str = "0009";
/// ISO/IEC 6523 ICD: Swiss UID/IDE.
pub const ICD_SWISS_UID: &str = "0183";
/// EAS: French e-invoicing directory address (starts with the SIREN).
pub const EAS_FRENCH_DIRECTORY: &str = "0225";
/// EAS: e-mail address.
pub const EAS_EMAIL: &str = "EM";

/// True when `value` needs no rounding to be written as an EN 16931 amount.
pub fn fits_amount(value: Decimal) -> bool {
    value.round_dp(AMOUNT_DECIMALS) == value
}

/// An amount with exactly two decimals (`1234.50`). Callers have checked [`fits_amount`];
/// rounding here only adds trailing zeros.
pub fn amount(m: &Money) -> String {
    decimal_with_exact_scale(m.amount(), AMOUNT_DECIMALS)
}

/// A unit price: at least two decimals, more when the price has them (`12.345`).
pub fn price(value: Decimal) -> String {
    decimal_with_min_scale(value, 2)
}

/// A quantity without superfluous zeros (`7.5`, `10`).
pub fn quantity(value: Decimal) -> String {
    let n = value.normalize();
    if n.is_zero() {
        "0".to_owned()
    } else {
        n.to_string()
    }
}

/// A percentage with two decimals (`20.00`, `5.50`), as the samples and the French rules
/// (BR-FR-DEC-04: at most 2 decimals) expect.
pub fn percent(value: Decimal) -> String {
    decimal_with_min_scale(value, 2)
}

/// Number of decimals a value really has (trailing zeros ignored).
pub fn significant_decimals(value: Decimal) -> u32 {
    value.normalize().scale()
}

fn decimal_with_exact_scale(value: Decimal, scale: u32) -> String {
    let mut v = value.round_dp(scale);
    v.rescale(scale);
    v.to_string()
}

fn decimal_with_min_scale(value: Decimal, min_scale: u32) -> String {
    let mut v = value.normalize();
    if v.scale() < min_scale {
        v.rescale(min_scale);
    }
    v.to_string()
}

/// CII date (`udt:DateTimeString format="102"`): `YYYYMMDD`.
pub fn date_102(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// UBL date: `YYYY-MM-DD`.
pub fn date_iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The EAS scheme of a VAT number, by country, for the electronic address (BT-34/BT-49)
/// when nothing better is known. Only the schemes of countries encaisse meets are listed.
pub fn eas_for_vat_id(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "AT" => "9914",
        "BE" => "9925",
        "DE" => "9930",
        "ES" => "9920",
        "FR" => "9957",
        "IT" => "9906",
        "LU" => "9938",
        "NL" => "9944",
        "PT" => "9946",
        "GB" => "9932",
        _ => return None,
    })
}

/// Countries whose addresses put the building number before the street name.
fn number_first(country: Country) -> bool {
    matches!(
        country.as_str(),
        "FR" | "BE" | "LU" | "MC" | "US" | "GB" | "IE" | "CA" | "AU" | "NZ"
    )
}

/// Address line 1 (BT-35/BT-50) from a street and a building number, in the country's order.
pub fn street_line(
    street: Option<&str>,
    building_number: Option<&str>,
    country: Country,
) -> Option<String> {
    let street = street.map(str::trim).filter(|s| !s.is_empty());
    let number = building_number.map(str::trim).filter(|s| !s.is_empty());
    match (street, number) {
        (Some(s), Some(n)) if number_first(country) => Some(format!("{n} {s}")),
        (Some(s), Some(n)) => Some(format!("{s} {n}")),
        (Some(s), None) => Some(s.to_owned()),
        (None, Some(n)) => Some(n.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encaisse_core::Currency;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_have_exactly_two_decimals() {
        assert_eq!(amount(&Money::new(dec!(1234.5), Currency::EUR)), "1234.50");
        assert_eq!(amount(&Money::new(dec!(0), Currency::EUR)), "0.00");
        assert_eq!(amount(&Money::new(dec!(-3), Currency::CHF)), "-3.00");
        assert_eq!(amount(&Money::new(dec!(7.100), Currency::EUR)), "7.10");
    }

    #[test]
    fn prices_keep_their_precision_and_quantities_drop_zeros() {
        assert_eq!(price(dec!(95)), "95.00");
        assert_eq!(price(dec!(12.3450)), "12.345");
        assert_eq!(quantity(dec!(7.50)), "7.5");
        assert_eq!(quantity(dec!(10.000)), "10");
        assert_eq!(quantity(dec!(0.00)), "0");
        assert_eq!(percent(dec!(5.5)), "5.50");
        assert_eq!(percent(dec!(20)), "20.00");
    }

    #[test]
    fn fitting_amounts() {
        assert!(fits_amount(dec!(1.10)));
        assert!(!fits_amount(dec!(1.105)));
    }

    #[test]
    fn street_order_follows_the_country() {
        assert_eq!(
            street_line(Some("rue de Rivoli"), Some("12"), Country::FR).as_deref(),
            Some("12 rue de Rivoli")
        );
        assert_eq!(
            street_line(Some("Bahnhofstrasse"), Some("1"), Country::CH).as_deref(),
            Some("Bahnhofstrasse 1")
        );
        assert_eq!(street_line(None, Some(" "), Country::CH), None);
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(date_102(d), "20260302");
        assert_eq!(date_iso(d), "2026-03-02");
    }
}
