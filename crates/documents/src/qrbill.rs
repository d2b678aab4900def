//! The Swiss QR-bill payload ("Swiss QR Code", SPC version 0200, coding 1) per the Swiss
//! Implementation Guidelines QR-bill v2.3: structured (`S`) addresses only, QR-IBAN ⇔ QR
//! reference pairing, field lengths, 997-character limit; its parser; and its QR code (level
//! M) as SVG with the Swiss cross.
//!
//! A [`QrBill`] can only be obtained through [`QrBillBuilder::build`] (or [`QrBill::parse`],
//! which goes through the same checks), so a `QrBill` always yields a valid payload.

use encaisse_core::Currency;
use encaisse_core::identifiers::Iban;
use encaisse_core::invoice::DocumentKind;
use encaisse_core::party::{Address, Country};
use encaisse_core::reference::{CreditorReference, PaymentReference, QrReference};
use rust_decimal::Decimal;

use crate::input::DocumentInput;
use crate::qr_symbol::{QrSymbol, QrSymbolError, SvgLayout};
use crate::texts;

mod parse;
pub mod slip;
mod swico;

pub use slip::{render_pdf, render_svg};

/// Most characters a payload may have.
pub const MAX_PAYLOAD_CHARS: usize = 997;

/// The reference of a QR-bill (RmtInf).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum QrBillReference {
    /// `QRR`: 27-digit QR reference, only with a QR-IBAN.
    Qr(QrReference),
    /// `SCOR`: ISO 11649 creditor reference, only with a normal IBAN.
    Creditor(CreditorReference),
    /// `NON`: no reference, only with a normal IBAN.
    None,
}

impl QrBillReference {
    /// The RmtInf type written in the payload.
    pub fn type_code(&self) -> &'static str {
        match self {
            QrBillReference::Qr(_) => "QRR",
            QrBillReference::Creditor(_) => "SCOR",
            QrBillReference::None => "NON",
        }
    }

    fn value(&self) -> &str {
        match self {
            QrBillReference::Qr(r) => r.as_str(),
            QrBillReference::Creditor(r) => r.as_str(),
            QrBillReference::None => "",
        }
    }
}

/// A structured address (type `S`, the only type allowed since IG v2.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QrAddress {
    pub name: String,
    pub street: Option<String>,
    pub building_number: Option<String>,
    pub postal_code: String,
    pub town: String,
    pub country: Country,
}

impl QrAddress {
    /// A party's name and postal address.
    pub fn from_party(name: &str, address: &Address) -> QrAddress {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        QrAddress {
            name: name.trim().to_owned(),
            street: clean(&address.street),
            building_number: clean(&address.building_number),
            postal_code: address.postal_code.trim().to_owned(),
            town: address.city.trim().to_owned(),
            country: address.country,
        }
    }
}

/// Why a QR-bill is refused. Each message names the field and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrBillError {
    #[error(
        "the account {0} is not Swiss: a QR-bill is paid to a CH or LI IBAN; use the organization's Swiss account, or an EPC QR code for SEPA"
    )]
    AccountNotSwiss(String),
    #[error(
        "the account {iban} is a QR-IBAN, which only accepts a QR reference (QRR), not {reference_type}: give a 27-digit QR reference, or pay to the normal IBAN"
    )]
    QrIbanNeedsQrReference {
        iban: String,
        reference_type: &'static str,
    },
    #[error(
        "a QR reference (QRR) is only valid with a QR-IBAN (institution id 30000–31999), and {0} is a normal IBAN: use the QR-IBAN, or an RF creditor reference (SCOR)"
    )]
    QrReferenceNeedsQrIban(String),
    #[error("QR-bills are in CHF or EUR only, not {0}: use an EPC QR code or a bank transfer slip")]
    UnsupportedCurrency(Currency),
    #[error(
        "amount {0} is out of range: a QR-bill amount is between 0.01 and 999999999.99; leave it out to let the payer fill it in"
    )]
    AmountOutOfRange(Decimal),
    #[error("amount {0} has more than 2 decimals: round it to the centime")]
    AmountTooPrecise(Decimal),
    #[error("{field} is mandatory on a QR-bill")]
    FieldMissing { field: &'static str },
    #[error("{field} has {len} characters, the QR-bill allows at most {max}: shorten it")]
    FieldTooLong {
        field: &'static str,
        max: usize,
        len: usize,
    },
    #[error(
        "{field} contains `{character}` (U+{code:04X}), outside the QR-bill character set (Latin letters, digits, punctuation, IG v2.3): replace it"
    )]
    CharacterNotAllowed {
        field: &'static str,
        character: char,
        code: u32,
    },
    #[error(
        "{field} contains a line break, which would shift every following field: use a single line"
    )]
    LineBreak { field: &'static str },
    #[error(
        "the message and the billing information have {0} characters together, at most 140 are allowed: shorten the message"
    )]
    AdditionalInformationTooLong(usize),
    #[error("billing information must start with `//` and its scheme (e.g. `//S1/10/…`)")]
    BillingInformationSyntax,
    #[error("at most 2 alternative procedures are allowed, got {0}")]
    TooManyAlternativeProcedures(usize),
    #[error(
        "the payload has {0} characters, more than the 997 a QR-bill allows: shorten the texts"
    )]
    PayloadTooLong(usize),
    #[error("a credit note is not paid with a QR-bill: only invoices carry a payment part")]
    NotAnInvoice,
    #[error("nothing is due on this invoice, so it needs no payment part")]
    NothingDue,
    #[error("not a Swiss QR-bill payload: the first line must be `SPC`")]
    NotAQrBill,
    #[error("unsupported QR-bill version `{0}`: only 0200 is valid")]
    UnsupportedVersion(String),
    #[error("unsupported coding type `{0}`: only 1 (UTF-8) is valid")]
    UnsupportedCoding(String),
    #[error("the payload has {0} lines; a QR-bill has 31 to 34 (up to the EPD trailer and beyond)")]
    LineCount(usize),
    #[error(
        "{party} address is of type K (combined), no longer permitted since IG QR-bill v2.3: use type S with separate street, building number, postcode and town"
    )]
    CombinedAddress { party: &'static str },
    #[error("{party} address type `{value}` is unknown: only S (structured) is allowed")]
    UnknownAddressType { party: &'static str, value: String },
    #[error("the ultimate creditor lines (12–18) are reserved and must be empty")]
    UltimateCreditorNotEmpty,
    #[error("amount `{0}` is malformed: digits, a dot and exactly 2 decimals, e.g. 1949.75")]
    AmountFormat(String),
    #[error("country `{0}` is not an ISO 3166-1 alpha-2 code")]
    InvalidCountry(String),
    #[error("unknown reference type `{0}`: use QRR, SCOR or NON")]
    UnknownReferenceType(String),
    #[error("reference type NON must come with an empty reference, got `{0}`")]
    ReferenceWithNon(String),
    #[error(transparent)]
    Reference(#[from] encaisse_core::reference::ReferenceError),
    #[error(transparent)]
    Iban(#[from] encaisse_core::identifiers::IdentifierError),
    #[error("the trailer (line 31) must be `EPD`, got `{0}`")]
    MissingTrailer(String),
    #[error(transparent)]
    QrCode(#[from] QrSymbolError),
}

/// A valid Swiss QR-bill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrBill {
    account: Iban,
    creditor: QrAddress,
    amount: Option<Decimal>,
    currency: Currency,
    debtor: Option<QrAddress>,
    reference: QrBillReference,
    message: Option<String>,
    billing_information: Option<String>,
    alternative_procedures: Vec<String>,
}

/// Collects the fields of a QR-bill; [`QrBillBuilder::build`] checks them all.
#[derive(Clone, Debug)]
pub struct QrBillBuilder {
    bill: QrBill,
}

impl QrBillBuilder {
    /// The amount to pay; without it the payer fills it in.
    pub fn amount(mut self, amount: Decimal) -> Self {
        self.bill.amount = Some(amount);
        self
    }

    /// The payer ("ultimate debtor").
    pub fn debtor(mut self, debtor: QrAddress) -> Self {
        self.bill.debtor = Some(debtor);
        self
    }

    pub fn reference(mut self, reference: QrBillReference) -> Self {
        self.bill.reference = reference;
        self
    }

    /// Unstructured message (Ustrd), shown to the payer.
    pub fn message(mut self, message: &str) -> Self {
        self.bill.message = Some(message.to_owned()).filter(|m| !m.is_empty());
        self
    }

    /// Structured billing information (StrdBkgInf), e.g. Swico `//S1/10/…`.
    pub fn billing_information(mut self, info: &str) -> Self {
        self.bill.billing_information = Some(info.to_owned()).filter(|m| !m.is_empty());
        self
    }

    /// An alternative procedure line (AltPmt), at most two.
    pub fn alternative_procedure(mut self, line: &str) -> Self {
        self.bill.alternative_procedures.push(line.to_owned());
        self
    }

    /// Checks every rule of IG QR-bill v2.3 that a payload can break.
    pub fn build(self) -> Result<QrBill, QrBillError> {
        let mut b = self.bill;
        // An empty optional line and an absent one are the same payload: keep one form.
        for a in std::iter::once(&mut b.creditor).chain(b.debtor.as_mut()) {
            a.street = a.street.take().filter(|s| !s.is_empty());
            a.building_number = a.building_number.take().filter(|s| !s.is_empty());
        }
        let iban = b.account.as_str();
        if !matches!(b.account.country(), "CH" | "LI") || iban.len() != 21 {
            return Err(QrBillError::AccountNotSwiss(iban.to_owned()));
        }
        match (&b.reference, b.account.is_qr_iban()) {
            (QrBillReference::Qr(_), false) => {
                return Err(QrBillError::QrReferenceNeedsQrIban(iban.to_owned()));
            }
            (QrBillReference::Creditor(_) | QrBillReference::None, true) => {
                return Err(QrBillError::QrIbanNeedsQrReference {
                    iban: iban.to_owned(),
                    reference_type: b.reference.type_code(),
                });
            }
            _ => {}
        }
        if b.currency != Currency::CHF && b.currency != Currency::EUR {
            return Err(QrBillError::UnsupportedCurrency(b.currency));
        }
        if let Some(a) = b.amount {
            if a.round_dp(2) != a {
                return Err(QrBillError::AmountTooPrecise(a));
            }
            if a <= Decimal::ZERO || a > Decimal::new(99_999_999_999, 2) {
                return Err(QrBillError::AmountOutOfRange(a));
            }
        }
        check_address(&CREDITOR, &b.creditor)?;
        if let Some(d) = &b.debtor {
            check_address(&DEBTOR, d)?;
        }
        if let Some(m) = &b.message {
            check_text("message (Ustrd)", m, 140)?;
        }
        if let Some(info) = &b.billing_information {
            check_text("billing information (StrdBkgInf)", info, 140)?;
            if !info.starts_with("//") {
                return Err(QrBillError::BillingInformationSyntax);
            }
        }
        let combined = b.message.as_deref().map_or(0, |m| m.chars().count())
            + b.billing_information
                .as_deref()
                .map_or(0, |m| m.chars().count());
        if combined > 140 {
            return Err(QrBillError::AdditionalInformationTooLong(combined));
        }
        if b.alternative_procedures.len() > 2 {
            return Err(QrBillError::TooManyAlternativeProcedures(
                b.alternative_procedures.len(),
            ));
        }
        for alt in &b.alternative_procedures {
            check_text("alternative procedure (AltPmt)", alt, 100)?;
            if alt.is_empty() {
                return Err(QrBillError::FieldMissing {
                    field: "alternative procedure (AltPmt)",
                });
            }
        }
        let len = b.payload().chars().count();
        if len > MAX_PAYLOAD_CHARS {
            return Err(QrBillError::PayloadTooLong(len));
        }
        Ok(b)
    }
}

/// How the fields of an address are named in errors.
struct AddressFields {
    name: &'static str,
    street: &'static str,
    building_number: &'static str,
    postal_code: &'static str,
    town: &'static str,
}

const CREDITOR: AddressFields = AddressFields {
    name: "creditor name",
    street: "creditor street",
    building_number: "creditor building number",
    postal_code: "creditor postal code",
    town: "creditor town",
};

const DEBTOR: AddressFields = AddressFields {
    name: "debtor name",
    street: "debtor street",
    building_number: "debtor building number",
    postal_code: "debtor postal code",
    town: "debtor town",
};

/// Type S limits: name 70, street 70, building number 16, postcode 16, town 35.
fn check_address(fields: &AddressFields, a: &QrAddress) -> Result<(), QrBillError> {
    required(fields.name, &a.name, 70)?;
    if let Some(s) = &a.street {
        check_text(fields.street, s, 70)?;
    }
    if let Some(n) = &a.building_number {
        check_text(fields.building_number, n, 16)?;
    }
    required(fields.postal_code, &a.postal_code, 16)?;
    required(fields.town, &a.town, 35)
}

fn required(field: &'static str, value: &str, max: usize) -> Result<(), QrBillError> {
    if value.trim().is_empty() {
        return Err(QrBillError::FieldMissing { field });
    }
    check_text(field, value, max)
}

/// The character set of IG v2.3: Basic Latin, Latin-1 Supplement, Latin Extended-A,
/// Ș ș Ț ț and €.
pub fn is_permitted_char(c: char) -> bool {
    matches!(u32::from(c), 0x20..=0x7E | 0xA0..=0x17F | 0x218..=0x21B | 0x20AC)
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), QrBillError> {
    if value.contains(['\n', '\r']) {
        return Err(QrBillError::LineBreak { field });
    }
    if let Some(c) = value.chars().find(|c| !is_permitted_char(*c)) {
        return Err(QrBillError::CharacterNotAllowed {
            field,
            character: c,
            code: u32::from(c),
        });
    }
    let len = value.chars().count();
    if len > max {
        return Err(QrBillError::FieldTooLong { field, max, len });
    }
    Ok(())
}

impl QrBill {
    /// Starts a QR-bill to `account` for `creditor` in `currency`; reference `NON` until set.
    pub fn builder(account: Iban, creditor: QrAddress, currency: Currency) -> QrBillBuilder {
        QrBillBuilder {
            bill: QrBill {
                account,
                creditor,
                amount: None,
                currency,
                debtor: None,
                reference: QrBillReference::None,
                message: None,
                billing_information: None,
                alternative_procedures: Vec::new(),
            },
        }
    }

    /// The payment part of an issued invoice: the amount due, the organization as creditor,
    /// the client as debtor, the invoice's QR or RF reference (QR-IBAN with a QR reference,
    /// the normal IBAN otherwise), the invoice number as message and Swico S1 billing
    /// information.
    pub fn from_document(input: &DocumentInput<'_>) -> Result<QrBill, QrBillError> {
        let invoice = input.invoice();
        if invoice.kind != DocumentKind::Invoice {
            return Err(QrBillError::NotAnInvoice);
        }
        let due = input.totals().due.amount();
        if due <= Decimal::ZERO {
            return Err(QrBillError::NothingDue);
        }
        let org = input.organization();
        let reference = match &invoice.payment_reference {
            Some(PaymentReference::Qr(r)) => QrBillReference::Qr(r.clone()),
            Some(PaymentReference::Creditor(r)) => QrBillReference::Creditor(r.clone()),
            None => QrBillReference::None,
        };
        // DocumentInput chose the account matching the reference (QR-IBAN for a QRR).
        let account = input
            .payment()
            .map(|p| p.account.clone())
            .ok_or(QrBillError::NotAnInvoice)?;
        let label = texts::invoice_label(input.language());
        let mut builder = QrBill::builder(
            account,
            QrAddress::from_party(&org.legal_name, &org.address),
            input.currency(),
        )
        .amount(due)
        .debtor(QrAddress::from_party(
            &input.client().name,
            &input.client().address,
        ))
        .reference(reference);
        let message = format!("{label} {}", input.number());
        let swico = swico::billing_information(input);
        // Ustrd and StrdBkgInf share 140 characters; the billing information is the optional one.
        if message.chars().count() + swico.chars().count() <= 140 {
            builder = builder.billing_information(&swico);
        }
        builder.message(&message).build()
    }

    /// The payload text: one element per line, LF-separated, no separator after the last.
    pub fn payload(&self) -> String {
        let mut lines: Vec<String> = vec![
            "SPC".into(),
            "0200".into(),
            "1".into(),
            self.account.as_str().to_owned(),
        ];
        push_address(&mut lines, Some(&self.creditor));
        lines.extend(std::iter::repeat_n(String::new(), 7));
        lines.push(self.amount.map(format_amount).unwrap_or_default());
        lines.push(self.currency.code().to_owned());
        push_address(&mut lines, self.debtor.as_ref());
        lines.push(self.reference.type_code().to_owned());
        lines.push(self.reference.value().to_owned());
        lines.push(self.message.clone().unwrap_or_default());
        lines.push("EPD".into());
        if self.billing_information.is_some() || !self.alternative_procedures.is_empty() {
            lines.push(self.billing_information.clone().unwrap_or_default());
        }
        lines.extend(self.alternative_procedures.iter().cloned());
        lines.join("\n")
    }

    /// The QR symbol (error correction level M).
    pub fn qr_symbol(&self) -> Result<QrSymbol, QrBillError> {
        Ok(QrSymbol::new(&self.payload())?)
    }

    /// The Swiss QR code as SVG: 46 × 46 mm with the 7 mm Swiss cross in the centre, without
    /// quiet zone (the payment part's 5 mm margin provides it).
    pub fn to_svg(&self) -> Result<String, QrBillError> {
        Ok(self.qr_symbol()?.to_svg(SvgLayout {
            code_mm: 46.0,
            quiet_zone_mm: 0.0,
            swiss_cross: true,
        }))
    }

    pub fn account(&self) -> &Iban {
        &self.account
    }
    pub fn creditor(&self) -> &QrAddress {
        &self.creditor
    }
    pub fn amount(&self) -> Option<Decimal> {
        self.amount
    }
    pub fn currency(&self) -> Currency {
        self.currency
    }
    pub fn debtor(&self) -> Option<&QrAddress> {
        self.debtor.as_ref()
    }
    pub fn reference(&self) -> &QrBillReference {
        &self.reference
    }
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    pub fn billing_information(&self) -> Option<&str> {
        self.billing_information.as_deref()
    }
    pub fn alternative_procedures(&self) -> &[String] {
        &self.alternative_procedures
    }
}

fn push_address(lines: &mut Vec<String>, a: Option<&QrAddress>) {
    match a {
        Some(a) => lines.extend([
            "S".to_owned(),
            a.name.clone(),
            a.street.clone().unwrap_or_default(),
            a.building_number.clone().unwrap_or_default(),
            a.postal_code.clone(),
            a.town.clone(),
            a.country.as_str().to_owned(),
        ]),
        None => lines.extend(std::iter::repeat_n(String::new(), 7)),
    }
}

pub(crate) fn format_amount(a: Decimal) -> String {
    let mut v = a.round_dp(2);
    v.rescale(2);
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn creditor() -> QrAddress {
        QrAddress {
            name: "Robert Schneider AG".into(),
            street: Some("Rue du Lac".into()),
            building_number: Some("1268".into()),
            postal_code: "2501".into(),
            town: "Biel".into(),
            country: Country::CH,
        }
    }

    #[test]
    fn amounts_have_two_decimals() {
        assert_eq!(format_amount(dec!(1949.7)), "1949.70");
        assert_eq!(format_amount(dec!(5)), "5.00");
    }

    #[test]
    fn character_set_is_the_extended_latin_of_ig_2_3() {
        for ok in ['a', 'é', 'ß', 'Ł', 'ș', '€', '\u{A0}'] {
            assert!(is_permitted_char(ok), "{ok}");
        }
        for bad in ['\u{2013}', '😀', '中', '\t'] {
            assert!(!is_permitted_char(bad), "{bad}");
        }
    }

    #[test]
    fn line_breaks_in_fields_are_refused() {
        let mut c = creditor();
        c.name = "Robert\nSchneider".into();
        let iban = Iban::parse("CH9300762011623852957").unwrap();
        let e = QrBill::builder(iban, c, Currency::CHF).build().unwrap_err();
        assert_eq!(
            e,
            QrBillError::LineBreak {
                field: "creditor name"
            }
        );
    }
}
