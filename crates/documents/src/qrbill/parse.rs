//! Reading a scanned QR-bill payload back into a [`QrBill`], through the builder's checks.

use encaisse_core::Currency;
use encaisse_core::identifiers::Iban;
use encaisse_core::party::Country;
use encaisse_core::reference::{CreditorReference, QrReference};
use rust_decimal::Decimal;

use super::{QrAddress, QrBill, QrBillError, QrBillReference};

impl QrBill {
    /// Reads a payload (as scanned), with the same checks as the builder. Lines may be
    /// separated by LF or CR LF; a single trailing line break is tolerated.
    pub fn parse(payload: &str) -> Result<QrBill, QrBillError> {
        let sep = if payload.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let body = payload.strip_suffix(sep).unwrap_or(payload);
        let lines: Vec<&str> = body.split(sep).collect();
        if lines.first() != Some(&"SPC") {
            return Err(QrBillError::NotAQrBill);
        }
        if !(31..=34).contains(&lines.len()) {
            return Err(QrBillError::LineCount(lines.len()));
        }
        if lines[1] != "0200" {
            return Err(QrBillError::UnsupportedVersion(lines[1].to_owned()));
        }
        if lines[2] != "1" {
            return Err(QrBillError::UnsupportedCoding(lines[2].to_owned()));
        }
        let account = Iban::parse(lines[3])?;
        let creditor =
            parse_address("creditor", &lines[4..11])?.ok_or(QrBillError::FieldMissing {
                field: "creditor name",
            })?;
        if lines[11..18].iter().any(|l| !l.is_empty()) {
            return Err(QrBillError::UltimateCreditorNotEmpty);
        }
        let amount = match lines[18] {
            "" => None,
            a => Some(parse_amount(a)?),
        };
        let currency =
            Currency::parse(lines[19]).map_err(|_| QrBillError::AmountFormat(lines[19].into()))?;
        let debtor = parse_address("debtor", &lines[20..27])?;
        let reference = match (lines[27], lines[28]) {
            ("QRR", r) => QrBillReference::Qr(QrReference::parse(r)?),
            ("SCOR", r) => QrBillReference::Creditor(CreditorReference::parse(r)?),
            ("NON", "") => QrBillReference::None,
            ("NON", r) => return Err(QrBillError::ReferenceWithNon(r.to_owned())),
            (t, _) => return Err(QrBillError::UnknownReferenceType(t.to_owned())),
        };
        if lines[30] != "EPD" {
            return Err(QrBillError::MissingTrailer(lines[30].to_owned()));
        }
        let mut builder = QrBill::builder(account, creditor, currency)
            .reference(reference)
            .message(lines[29]);
        if let Some(a) = amount {
            builder = builder.amount(a);
        }
        if let Some(d) = debtor {
            builder = builder.debtor(d);
        }
        if let Some(info) = lines.get(31) {
            builder = builder.billing_information(info);
        }
        for alt in lines.iter().skip(32) {
            builder = builder.alternative_procedure(alt);
        }
        builder.build()
    }
}

fn parse_address(party: &'static str, l: &[&str]) -> Result<Option<QrAddress>, QrBillError> {
    if l.iter().all(|v| v.is_empty()) {
        return Ok(None);
    }
    match l[0] {
        "S" => {}
        "K" => return Err(QrBillError::CombinedAddress { party }),
        other => {
            return Err(QrBillError::UnknownAddressType {
                party,
                value: other.to_owned(),
            });
        }
    }
    let opt = |s: &str| Some(s.to_owned()).filter(|v| !v.is_empty());
    Ok(Some(QrAddress {
        name: l[1].to_owned(),
        street: opt(l[2]),
        building_number: opt(l[3]),
        postal_code: l[4].to_owned(),
        town: l[5].to_owned(),
        country: Country::parse(l[6]).map_err(|_| QrBillError::InvalidCountry(l[6].to_owned()))?,
    }))
}

fn parse_amount(s: &str) -> Result<Decimal, QrBillError> {
    let well_formed = s.split_once('.').is_some_and(|(int, dec)| {
        (1..=9).contains(&int.len())
            && dec.len() == 2
            && int.chars().chain(dec.chars()).all(|c| c.is_ascii_digit())
    });
    if !well_formed {
        return Err(QrBillError::AmountFormat(s.to_owned()));
    }
    s.parse::<Decimal>()
        .map_err(|_| QrBillError::AmountFormat(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_need_a_dot_and_two_decimals() {
        assert_eq!(parse_amount("1949.75").unwrap(), dec!(1949.75));
        for bad in [
            "1949,75",
            "1949.7",
            ".50",
            "1'949.75",
            "1234567890.00",
            "-1.00",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }
}
