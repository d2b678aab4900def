//! The EPC QR code ("GiroCode", EPC069-12 SEPA Credit Transfer): payload version 002,
//! UTF-8 (character set 1), identification SCT; its parser; and its QR code (level M) as SVG.
//!
//! Lines in order: service tag `BCD`, version, character set, `SCT`, BIC (optional in 002),
//! beneficiary name (≤ 70), IBAN, amount (`EUR123.45`, optional), purpose (≤ 4), structured
//! RF reference **or** unstructured remittance (≤ 140), beneficiary-to-originator information
//! (≤ 70). LF-separated; trailing empty lines are left out; at most 331 bytes.

use encaisse_core::Currency;
use encaisse_core::identifiers::Iban;
use encaisse_core::invoice::DocumentKind;
use encaisse_core::reference::{CreditorReference, PaymentReference};
use rust_decimal::Decimal;

use crate::input::DocumentInput;
use crate::qr_symbol::{QrSymbol, QrSymbolError, SvgLayout};
use crate::texts;

/// Most bytes an EPC payload may have.
pub const MAX_PAYLOAD_BYTES: usize = 331;

/// The remittance information: structured (RF) and unstructured are mutually exclusive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EpcRemittance {
    /// Structured ISO 11649 creditor reference (line 10).
    Reference(CreditorReference),
    /// Unstructured text, at most 140 characters (line 11).
    Text(String),
    None,
}

/// Why an EPC QR code is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpcError {
    #[error(
        "an EPC QR code is for SEPA credit transfers in EUR, not {0}: use the Swiss QR-bill for CHF"
    )]
    UnsupportedCurrency(Currency),
    #[error(
        "the invoice carries a Swiss QR reference, which SEPA transfers cannot carry: print the Swiss QR-bill instead"
    )]
    QrReference,
    #[error("{field} is mandatory in an EPC QR code")]
    FieldMissing { field: &'static str },
    #[error("{field} has {len} characters, the EPC QR code allows at most {max}: shorten it")]
    FieldTooLong {
        field: &'static str,
        max: usize,
        len: usize,
    },
    #[error(
        "{field} contains a line break, which would shift every following line: use a single line"
    )]
    LineBreak { field: &'static str },
    #[error("BIC `{0}` is invalid: 8 or 11 characters, e.g. BNPAFRPP or BNPAFRPPXXX")]
    InvalidBic(String),
    #[error(
        "purpose `{0}` is invalid: an ISO 20022 purpose code of up to 4 capital letters or digits, e.g. GDDS"
    )]
    InvalidPurpose(String),
    #[error(
        "amount {0} is out of range: between 0.01 and 999999999.99 EUR, or none to let the payer fill it in"
    )]
    AmountOutOfRange(Decimal),
    #[error("amount {0} has more than 2 decimals: round it to the cent")]
    AmountTooPrecise(Decimal),
    #[error(
        "the payload has {0} bytes, more than the 331 an EPC QR code allows: shorten the texts"
    )]
    PayloadTooLong(usize),
    #[error("a credit note is not paid with an EPC QR code: only invoices are")]
    NotAnInvoice,
    #[error("nothing is due on this invoice, so it needs no payment code")]
    NothingDue,
    #[error("not an EPC QR payload: the first line must be `BCD`")]
    NotAnEpcQr,
    #[error("unsupported EPC version `{0}`: 001 or 002")]
    UnsupportedVersion(String),
    #[error("unsupported character set `{0}`: this reader handles 1 (UTF-8)")]
    UnsupportedCharacterSet(String),
    #[error("unsupported identification `{0}`: only SCT")]
    UnsupportedIdentification(String),
    #[error("the payload has {0} lines; an EPC QR code has 7 to 12")]
    LineCount(usize),
    #[error("amount `{0}` is malformed: `EUR` then the amount with a dot, e.g. EUR123.45")]
    AmountFormat(String),
    #[error("version 001 requires the BIC")]
    BicRequired,
    #[error("structured and unstructured remittance are mutually exclusive: keep one")]
    BothRemittances,
    #[error(transparent)]
    Iban(#[from] encaisse_core::identifiers::IdentifierError),
    #[error(transparent)]
    Reference(#[from] encaisse_core::reference::ReferenceError),
    #[error(transparent)]
    QrCode(#[from] QrSymbolError),
}

/// A valid EPC QR code (version 002, UTF-8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpcQr {
    bic: Option<String>,
    name: String,
    iban: Iban,
    amount: Option<Decimal>,
    purpose: Option<String>,
    remittance: EpcRemittance,
    information: Option<String>,
}

/// Collects the fields of an EPC QR code; [`EpcQrBuilder::build`] checks them.
#[derive(Clone, Debug)]
pub struct EpcQrBuilder {
    qr: EpcQr,
}

impl EpcQrBuilder {
    pub fn bic(mut self, bic: &str) -> Self {
        self.qr.bic = Some(bic.trim().to_ascii_uppercase()).filter(|b| !b.is_empty());
        self
    }

    /// Amount in EUR.
    pub fn amount(mut self, amount: Decimal) -> Self {
        self.qr.amount = Some(amount);
        self
    }

    /// ISO 20022 purpose code (e.g. `GDDS`, `SCVE`).
    pub fn purpose(mut self, purpose: &str) -> Self {
        self.qr.purpose = Some(purpose.to_owned()).filter(|p| !p.is_empty());
        self
    }

    pub fn remittance(mut self, remittance: EpcRemittance) -> Self {
        self.qr.remittance = remittance;
        self
    }

    /// Beneficiary-to-originator information, shown to the payer only.
    pub fn information(mut self, info: &str) -> Self {
        self.qr.information = Some(info.to_owned()).filter(|i| !i.is_empty());
        self
    }

    pub fn build(self) -> Result<EpcQr, EpcError> {
        let q = self.qr;
        if let Some(bic) = &q.bic {
            let ok = bic.is_ascii()
                && (bic.len() == 8 || bic.len() == 11)
                && bic[..6].chars().all(|c| c.is_ascii_uppercase())
                && bic[6..]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !ok {
                return Err(EpcError::InvalidBic(bic.clone()));
            }
        }
        if q.name.trim().is_empty() {
            return Err(EpcError::FieldMissing {
                field: "beneficiary name",
            });
        }
        check_text("beneficiary name", &q.name, 70)?;
        if let Some(a) = q.amount {
            if a.round_dp(2) != a {
                return Err(EpcError::AmountTooPrecise(a));
            }
            if a < Decimal::new(1, 2) || a > Decimal::new(99_999_999_999, 2) {
                return Err(EpcError::AmountOutOfRange(a));
            }
        }
        if let Some(p) = &q.purpose {
            let ok = p.len() <= 4
                && p.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !ok {
                return Err(EpcError::InvalidPurpose(p.clone()));
            }
        }
        if let EpcRemittance::Text(t) = &q.remittance {
            check_text("unstructured remittance", t, 140)?;
        }
        if let Some(i) = &q.information {
            check_text("beneficiary-to-originator information", i, 70)?;
        }
        let bytes = q.payload().len();
        if bytes > MAX_PAYLOAD_BYTES {
            return Err(EpcError::PayloadTooLong(bytes));
        }
        Ok(q)
    }
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), EpcError> {
    if value.contains(['\n', '\r']) {
        return Err(EpcError::LineBreak { field });
    }
    let len = value.chars().count();
    if len > max {
        return Err(EpcError::FieldTooLong { field, max, len });
    }
    Ok(())
}

impl EpcQr {
    /// Starts an EPC QR code paying `iban` of `name`.
    pub fn builder(name: &str, iban: Iban) -> EpcQrBuilder {
        EpcQrBuilder {
            qr: EpcQr {
                bic: None,
                name: name.trim().to_owned(),
                iban,
                amount: None,
                purpose: None,
                remittance: EpcRemittance::None,
                information: None,
            },
        }
    }

    /// The payment code of an issued EUR invoice: the amount due to the organization's
    /// IBAN, with its RF reference as structured remittance, or the invoice number as text.
    pub fn from_document(input: &DocumentInput<'_>) -> Result<EpcQr, EpcError> {
        let invoice = input.invoice();
        if invoice.kind != DocumentKind::Invoice {
            return Err(EpcError::NotAnInvoice);
        }
        if input.currency() != Currency::EUR {
            return Err(EpcError::UnsupportedCurrency(input.currency()));
        }
        let due = input.totals().due.amount();
        if due <= Decimal::ZERO {
            return Err(EpcError::NothingDue);
        }
        let remittance = match &invoice.payment_reference {
            Some(PaymentReference::Creditor(r)) => EpcRemittance::Reference(r.clone()),
            Some(PaymentReference::Qr(_)) => return Err(EpcError::QrReference),
            None => {
                let label = texts::invoice_label(input.language());
                EpcRemittance::Text(format!("{label} {}", input.number()))
            }
        };
        let payment = input.payment().ok_or(EpcError::NotAnInvoice)?;
        let mut builder = EpcQr::builder(&input.organization().legal_name, payment.account.clone())
            .amount(due)
            .remittance(remittance);
        if let Some(bic) = &payment.bic {
            builder = builder.bic(bic);
        }
        builder.build()
    }

    /// The payload: LF-separated lines, trailing empty lines left out.
    pub fn payload(&self) -> String {
        let (structured, unstructured) = match &self.remittance {
            EpcRemittance::Reference(r) => (r.as_str().to_owned(), String::new()),
            EpcRemittance::Text(t) => (String::new(), t.clone()),
            EpcRemittance::None => (String::new(), String::new()),
        };
        let mut lines = vec![
            "BCD".to_owned(),
            "002".to_owned(),
            "1".to_owned(),
            "SCT".to_owned(),
            self.bic.clone().unwrap_or_default(),
            self.name.clone(),
            self.iban.as_str().to_owned(),
            self.amount
                .map(|a| {
                    let mut v = a.round_dp(2);
                    v.rescale(2);
                    format!("EUR{v}")
                })
                .unwrap_or_default(),
            self.purpose.clone().unwrap_or_default(),
            structured,
            unstructured,
            self.information.clone().unwrap_or_default(),
        ];
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        lines.join("\n")
    }

    /// Reads a payload (LF or CR LF), with the builder's checks.
    pub fn parse(payload: &str) -> Result<EpcQr, EpcError> {
        let normalized = payload.replace("\r\n", "\n");
        let body = normalized.strip_suffix('\n').unwrap_or(&normalized);
        let lines: Vec<&str> = body.split('\n').collect();
        if lines.first() != Some(&"BCD") {
            return Err(EpcError::NotAnEpcQr);
        }
        if !(7..=12).contains(&lines.len()) {
            return Err(EpcError::LineCount(lines.len()));
        }
        let field = |i: usize| lines.get(i).copied().unwrap_or("");
        let version = field(1);
        if version != "001" && version != "002" {
            return Err(EpcError::UnsupportedVersion(version.to_owned()));
        }
        if field(2) != "1" {
            return Err(EpcError::UnsupportedCharacterSet(field(2).to_owned()));
        }
        if field(3) != "SCT" {
            return Err(EpcError::UnsupportedIdentification(field(3).to_owned()));
        }
        if version == "001" && field(4).is_empty() {
            return Err(EpcError::BicRequired);
        }
        let remittance = match (field(9), field(10)) {
            ("", "") => EpcRemittance::None,
            (r, "") => EpcRemittance::Reference(CreditorReference::parse(r)?),
            ("", t) => EpcRemittance::Text(t.to_owned()),
            _ => return Err(EpcError::BothRemittances),
        };
        let mut builder = EpcQr::builder(field(5), Iban::parse(field(6))?)
            .bic(field(4))
            .purpose(field(8))
            .remittance(remittance)
            .information(field(11));
        let amount = field(7);
        if !amount.is_empty() {
            builder = builder.amount(parse_amount(amount)?);
        }
        builder.build()
    }

    /// The QR symbol (error correction level M).
    pub fn qr_symbol(&self) -> Result<QrSymbol, EpcError> {
        Ok(QrSymbol::new(&self.payload())?)
    }

    /// The code as SVG: 35 × 35 mm plus the quiet zone of 4 modules the QR standard asks for.
    pub fn to_svg(&self) -> Result<String, EpcError> {
        let symbol = self.qr_symbol()?;
        let code_mm = 35.0;
        let quiet_zone_mm = 4.0 * code_mm / symbol.width() as f64;
        Ok(symbol.to_svg(SvgLayout {
            code_mm,
            quiet_zone_mm,
            swiss_cross: false,
        }))
    }

    pub fn bic(&self) -> Option<&str> {
        self.bic.as_deref()
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn iban(&self) -> &Iban {
        &self.iban
    }
    pub fn amount(&self) -> Option<Decimal> {
        self.amount
    }
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }
    pub fn remittance(&self) -> &EpcRemittance {
        &self.remittance
    }
    pub fn information(&self) -> Option<&str> {
        self.information.as_deref()
    }
}

fn parse_amount(s: &str) -> Result<Decimal, EpcError> {
    let digits = s
        .strip_prefix("EUR")
        .ok_or_else(|| EpcError::AmountFormat(s.to_owned()))?;
    let (int, dec) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = (1..=9).contains(&int.len())
        && dec.len() <= 2
        && !(digits.contains('.') && dec.is_empty())
        && int.chars().chain(dec.chars()).all(|c| c.is_ascii_digit());
    if !ok {
        return Err(EpcError::AmountFormat(s.to_owned()));
    }
    digits
        .parse::<Decimal>()
        .map_err(|_| EpcError::AmountFormat(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_are_prefixed_with_eur() {
        assert_eq!(parse_amount("EUR123.45").unwrap(), dec!(123.45));
        assert_eq!(parse_amount("EUR12").unwrap(), dec!(12));
        for bad in ["123.45", "EUR12,30", "EUR1.234", "EUR12.", "EUR"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }
}
