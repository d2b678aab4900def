//! What every payload of an issued invoice is made from: the organization, the client, the
//! invoice and its totals, plus the options core does not model yet. [`DocumentInput::new`]
//! checks everything once (status, number, dates, totals, VAT identifiers, accounts), so the
//! writers in [`crate::cii`] and [`crate::ubl`] never meet an inconsistent invoice.

use chrono::NaiveDate;
use encaisse_core::identifiers::Iban;
use encaisse_core::invoice::{DocumentKind, Invoice, InvoiceStatus};
use encaisse_core::language::Language;
use encaisse_core::party::{Client, Country, LegalIds, Organization};
use encaisse_core::reference::PaymentReference;
use encaisse_core::totals::{Totals, TotalsError};
use encaisse_core::vat::VatCategory;
use encaisse_core::{Currency, Money};

use crate::en16931;
use crate::options::{
    DocumentOptions, ElectronicAddress, Note, PaymentMeansCode, ProcessingType, Profile,
};
use crate::texts;

mod mentions;
use mentions::{complete_french_mentions, is_professional};

/// How the buyer pays an invoice (BG-16 and BT-83).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentInstruction {
    pub means: PaymentMeansCode,
    /// BT-84: the QR-IBAN when the reference is a QR reference, the IBAN otherwise.
    pub account: Iban,
    pub bic: Option<String>,
    /// BT-83: the structured reference (RF or QRR), or the invoice number.
    pub reference: String,
}

/// Why a document cannot be produced from an invoice. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error(
        "invoice is {0}: only issued documents (numbered and frozen) get e-invoice and payment payloads; issue it first"
    )]
    NotIssued(InvoiceStatus),
    #[error("the invoice has no number (BT-1): numbers are assigned at issue")]
    MissingNumber,
    #[error("the invoice has no issue date (BT-2): it is set at issue")]
    MissingIssueDate,
    #[error("the invoice has no due date (BT-9): set it from the payment terms at issue")]
    MissingDueDate,
    #[error("the due date {due} is before the issue date {issued}: fix the payment terms")]
    DueBeforeIssue { due: NaiveDate, issued: NaiveDate },
    #[error("the invoice has no line: an e-invoice needs at least one (BG-25)")]
    NoLines,
    #[error("the invoice belongs to another {0} than the one given")]
    WrongParty(&'static str),
    #[error(
        "the totals given do not belong to this invoice (they differ from a recomputation): pass invoice.totals()"
    )]
    TotalsMismatch,
    #[error(transparent)]
    Totals(#[from] TotalsError),
    #[error(
        "{currency} amounts have more than 2 decimals, which EN 16931 forbids (BR-DEC): these payloads support 0- and 2-decimal currencies only"
    )]
    AmountTooPrecise { currency: Currency },
    #[error("line {line}: the description (BT-153 item name) is empty: describe what is invoiced")]
    EmptyDescription { line: usize },
    #[error(
        "line {line}: unit `{unit}` is not a UN/ECE Recommendation 20 code (e.g. HUR hour, DAY day, C62 one)"
    )]
    InvalidUnit { line: usize, unit: String },
    #[error(
        "line {line}: quantity {quantity} has more than 4 decimals (BR-FR-DEC-02): round the quantity"
    )]
    QuantityTooPrecise {
        line: usize,
        quantity: rust_decimal::Decimal,
    },
    #[error(
        "line {line}: unit price {price} has more than 6 decimals (BR-FR-DEC-03): round the price"
    )]
    PriceTooPrecise {
        line: usize,
        price: rust_decimal::Decimal,
    },
    #[error("a credit note must name the invoice it corrects (BT-25/BT-26)")]
    CreditNoteWithoutInvoice,
    #[error(
        "VAT category {category} requires the seller's VAT number (BT-31): add it to the organization's legal ids"
    )]
    SellerVatIdRequired { category: VatCategory },
    #[error(
        "VAT category {category} requires the buyer's VAT number (BT-48): add it to the client's legal ids, or use another category"
    )]
    BuyerVatIdRequired { category: VatCategory },
    #[error(
        "an invoice with a line outside the scope of VAT (O) may have no other VAT category (BR-O-11): split it into two invoices"
    )]
    OutsideScopeMixed,
    #[error(
        "the seller is not identified: give the organization a SIREN/SIRET, a Swiss UID or a VAT number (BR-CO-26)"
    )]
    SellerUnidentified,
    #[error(
        "an intra-community supply (K) needs the service period (BG-14) or the delivery date (BT-72) (BR-IC-11): set invoice.service_period or options.delivery_date"
    )]
    IntraCommunityWithoutDate,
    #[error(
        "the EXTENDED-CTC-FR profile requires the cadre de facturation (BT-23, BR-FR-08): set options.billing_framework (S1 services, B1 goods, M1 both)"
    )]
    MissingBillingFramework,
    #[error(
        "the EXTENDED-CTC-FR profile requires the seller's SIREN (BT-30, BR-FR-10): add it to the organization"
    )]
    MissingSellerSiren,
    #[error(
        "the EXTENDED-CTC-FR profile needs the VAT in EUR (BT-6, BT-111, BR-FR-CO-12) for a {0} invoice, which encaisse cannot state yet (no exchange rate): use the EN 16931 profile"
    )]
    CtcFrForeignCurrency(Currency),
    #[error(
        "processing type B2B requires the buyer's SIREN (BT-47, BR-FR-11): add it to the client, or use B2BINT for a foreign buyer"
    )]
    MissingBuyerSiren,
    #[error(
        "the invoice carries a QR reference but the organization has no QR-IBAN: add the QR-IBAN, or use an RF creditor reference"
    )]
    QrReferenceWithoutQrIban,
    #[error(
        "the organization's IBAN {0} is a QR-IBAN, which only accepts QR references: set it as qr_iban and give a normal IBAN, or use a QR reference"
    )]
    QrIbanAsNormalIban(String),
    #[error(
        "the organization has no IBAN, so the invoice cannot say where to pay (BT-84, BR-61): add the IBAN"
    )]
    NoAccount,
    #[error("BIC `{0}` is invalid: a BIC has 8 or 11 letters and digits (e.g. BNPAFRPPXXX)")]
    InvalidBic(String),
    #[error(
        "electronic address `{value}` (scheme `{scheme}`) is invalid: the scheme is an EAS code such as 0225 or EM, the value has no spaces and at most 125 characters"
    )]
    InvalidElectronicAddress { scheme: String, value: String },
}

/// Everything a payload of an issued invoice is made from, checked once.
#[derive(Clone, Debug)]
pub struct DocumentInput<'a> {
    organization: &'a Organization,
    client: &'a Client,
    invoice: &'a Invoice,
    totals: &'a Totals,
    options: DocumentOptions,
    number: &'a str,
    issue_date: NaiveDate,
    due_date: Option<NaiveDate>,
    language: Language,
    payment: Option<PaymentInstruction>,
    seller_address: Option<ElectronicAddress>,
    buyer_address: Option<ElectronicAddress>,
    vat_ids_written: bool,
    notes: Vec<Note>,
    payment_terms: Option<String>,
}

impl<'a> DocumentInput<'a> {
    /// Checks that `invoice` is an issued document of `organization` to `client` whose
    /// `totals` are its own, and that every business rule the payloads depend on holds.
    pub fn new(
        organization: &'a Organization,
        client: &'a Client,
        invoice: &'a Invoice,
        totals: &'a Totals,
        options: DocumentOptions,
    ) -> Result<Self, InputError> {
        if !invoice.status.is_issued() {
            return Err(InputError::NotIssued(invoice.status));
        }
        let number = invoice
            .number
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .ok_or(InputError::MissingNumber)?;
        let issue_date = invoice.issue_date.ok_or(InputError::MissingIssueDate)?;
        let due_date = match invoice.kind {
            DocumentKind::Invoice => Some(invoice.due_date.ok_or(InputError::MissingDueDate)?),
            // What a credit note refunds is settled outside it; no due date is written.
            DocumentKind::CreditNote => None,
        };
        if let Some(due) = due_date
            && due < issue_date
        {
            return Err(InputError::DueBeforeIssue {
                due,
                issued: issue_date,
            });
        }
        if invoice.organization_id != organization.id {
            return Err(InputError::WrongParty("organization"));
        }
        if invoice.client_id != client.id {
            return Err(InputError::WrongParty("client"));
        }
        if invoice.kind == DocumentKind::CreditNote && invoice.corrects.is_none() {
            return Err(InputError::CreditNoteWithoutInvoice);
        }
        check_lines(invoice)?;
        check_totals(invoice, totals)?;

        let categories: Vec<VatCategory> = totals.categories().collect();
        let outside_scope = categories.contains(&VatCategory::OutsideScope);
        if outside_scope && categories.iter().any(|c| *c != VatCategory::OutsideScope) {
            return Err(InputError::OutsideScopeMixed);
        }
        // BR-O-02: an invoice outside the scope of VAT carries no VAT number at all.
        let vat_ids_written = !outside_scope;
        check_vat_ids(organization, client, &categories)?;
        let seller = &organization.ids;
        if seller.siren.is_none()
            && seller.siret.is_none()
            && seller.uid.is_none()
            && (seller.vat_id.is_none() || !vat_ids_written)
        {
            return Err(InputError::SellerUnidentified);
        }
        if categories.contains(&VatCategory::IntraCommunity)
            && invoice.service_period.is_none()
            && options.delivery_date.is_none()
        {
            return Err(InputError::IntraCommunityWithoutDate);
        }
        if options.profile == Profile::ExtendedCtcFr {
            if options.billing_framework.is_none() {
                return Err(InputError::MissingBillingFramework);
            }
            if seller.siren.is_none() && seller.siret.is_none() {
                return Err(InputError::MissingSellerSiren);
            }
            if invoice.currency != Currency::EUR {
                return Err(InputError::CtcFrForeignCurrency(invoice.currency));
            }
        }
        if options.processing_type == Some(ProcessingType::B2b)
            && client.ids.siren.is_none()
            && client.ids.siret.is_none()
        {
            return Err(InputError::MissingBuyerSiren);
        }

        let language = options.language.unwrap_or(client.language);
        let payment = match invoice.kind {
            DocumentKind::Invoice => {
                let no_account = organization.iban.is_none() && organization.qr_iban.is_none();
                if no_account && options.payment_account_optional {
                    None
                } else {
                    Some(payment_instruction(
                        organization,
                        invoice,
                        number,
                        &options,
                    )?)
                }
            }
            DocumentKind::CreditNote => None,
        };
        let seller_address = match &options.seller_electronic_address {
            Some(a) => Some(a.clone()),
            None => derived_address(&organization.ids, None)?,
        };
        let buyer_address = match &options.buyer_electronic_address {
            Some(a) => Some(a.clone()),
            None => derived_address(&client.ids, client.email.as_deref())?,
        };
        let mut notes = Vec::new();
        if let Some(p) = options.processing_type {
            notes.push(Note::new(Some("BAR"), p.code()));
        }
        notes.extend(options.notes.iter().cloned());
        if invoice.kind == DocumentKind::Invoice
            && organization.address.country == Country::FR
            && is_professional(client, options.processing_type, options.buyer_is_business)
        {
            complete_french_mentions(&mut notes, language, &options);
        }
        if let Some(text) = invoice.notes.as_deref().filter(|t| !t.trim().is_empty()) {
            notes.push(Note::new(None, text));
        }
        let payment_terms = match (&options.payment_terms, due_date, &invoice.corrects) {
            (Some(t), _, _) if !t.trim().is_empty() => Some(t.clone()),
            (_, Some(due), _) => Some(texts::payment_terms(language, issue_date, due)),
            // BR-CO-25 (still enforced by the French rules): an amount due needs terms.
            (_, None, Some(corrected)) => Some(texts::credit_terms(language, &corrected.number)),
            _ => None,
        };
        Ok(DocumentInput {
            organization,
            client,
            invoice,
            totals,
            options,
            number,
            issue_date,
            due_date,
            language,
            payment,
            seller_address,
            buyer_address,
            vat_ids_written,
            notes,
            payment_terms,
        })
    }

    pub fn organization(&self) -> &'a Organization {
        self.organization
    }

    pub fn client(&self) -> &'a Client {
        self.client
    }

    pub fn invoice(&self) -> &'a Invoice {
        self.invoice
    }

    pub fn totals(&self) -> &'a Totals {
        self.totals
    }

    pub fn options(&self) -> &DocumentOptions {
        &self.options
    }

    pub fn profile(&self) -> Profile {
        self.options.profile
    }

    /// BT-1.
    pub fn number(&self) -> &'a str {
        self.number
    }

    /// BT-2.
    pub fn issue_date(&self) -> NaiveDate {
        self.issue_date
    }

    /// BT-9; `None` for credit notes.
    pub fn due_date(&self) -> Option<NaiveDate> {
        self.due_date
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn currency(&self) -> Currency {
        self.invoice.currency
    }

    /// BG-16 and BT-83; `None` for credit notes.
    pub fn payment(&self) -> Option<&PaymentInstruction> {
        self.payment.as_ref()
    }

    /// BT-34.
    pub fn seller_electronic_address(&self) -> Option<&ElectronicAddress> {
        self.seller_address.as_ref()
    }

    /// BT-49.
    pub fn buyer_electronic_address(&self) -> Option<&ElectronicAddress> {
        self.buyer_address.as_ref()
    }

    /// BT-31, unless the invoice is outside the scope of VAT (BR-O-02).
    pub fn seller_vat_id(&self) -> Option<&'a str> {
        let id = self.organization.ids.vat_id.as_ref()?;
        self.vat_ids_written.then_some(id.as_str())
    }

    /// BT-48, unless the invoice is outside the scope of VAT (BR-O-02).
    pub fn buyer_vat_id(&self) -> Option<&'a str> {
        let id = self.client.ids.vat_id.as_ref()?;
        self.vat_ids_written.then_some(id.as_str())
    }

    /// BG-1, in writing order.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// BT-20.
    pub fn payment_terms(&self) -> Option<&str> {
        self.payment_terms.as_deref()
    }

    /// Whether the deliver-to country (BT-80) must be written (BR-IC-12).
    pub fn needs_delivery_country(&self) -> bool {
        self.totals
            .categories()
            .any(|c| c == VatCategory::IntraCommunity)
    }

    /// BT-120 and BT-121 for a VAT category, in the document language.
    pub fn exemption(&self, category: VatCategory) -> (Option<&'static str>, Option<&'static str>) {
        (
            category.exemption_text(self.language),
            category.exemption_code(),
        )
    }
}

/// Legal registration identifier (BT-30 / BT-47) with its ICD scheme.
pub fn legal_registration(ids: &LegalIds) -> Option<(String, &'static str)> {
    if let Some(siren) = &ids.siren {
        return Some((siren.as_str().to_owned(), en16931::ICD_SIREN));
    }
    if let Some(siret) = &ids.siret {
        return Some((siret.siren().to_owned(), en16931::ICD_SIREN));
    }
    ids.uid
        .as_ref()
        .map(|uid| (compact_uid(&uid.formatted()), en16931::ICD_SWISS_UID))
}

/// `CHE-116.281.710` → `CHE116281710`, the form identifier schemes use.
fn compact_uid(formatted: &str) -> String {
    formatted
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn derived_address(
    ids: &LegalIds,
    email: Option<&str>,
) -> Result<Option<ElectronicAddress>, InputError> {
    let siren = ids
        .siren
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .or_else(|| ids.siret.as_ref().map(|s| s.siren().to_owned()));
    if let Some(siren) = siren {
        return ElectronicAddress::new(en16931::EAS_FRENCH_DIRECTORY, &siren).map(Some);
    }
    if let Some(uid) = &ids.uid {
        return ElectronicAddress::new(en16931::ICD_SWISS_UID, &compact_uid(&uid.formatted()))
            .map(Some);
    }
    if let Some(vat) = &ids.vat_id
        && let Some(scheme) = en16931::eas_for_vat_id(vat.country_prefix())
    {
        return ElectronicAddress::new(scheme, vat.as_str()).map(Some);
    }
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => ElectronicAddress::new(en16931::EAS_EMAIL, e).map(Some),
        None => Ok(None),
    }
}

fn check_lines(invoice: &Invoice) -> Result<(), InputError> {
    if invoice.lines.is_empty() {
        return Err(InputError::NoLines);
    }
    for (i, line) in invoice.lines.iter().enumerate() {
        let n = i + 1;
        if line.description.trim().is_empty() {
            return Err(InputError::EmptyDescription { line: n });
        }
        let unit = &line.unit.0;
        if !(2..=3).contains(&unit.len())
            || !unit
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Err(InputError::InvalidUnit {
                line: n,
                unit: unit.clone(),
            });
        }
        if en16931::significant_decimals(line.quantity) > en16931::QUANTITY_DECIMALS {
            return Err(InputError::QuantityTooPrecise {
                line: n,
                quantity: line.quantity,
            });
        }
        if en16931::significant_decimals(line.unit_price) > en16931::PRICE_DECIMALS {
            return Err(InputError::PriceTooPrecise {
                line: n,
                price: line.unit_price,
            });
        }
    }
    Ok(())
}

fn check_totals(invoice: &Invoice, totals: &Totals) -> Result<(), InputError> {
    let own = invoice.totals()?;
    let same = own.currency == totals.currency
        && own.lines == totals.lines
        && own.breakdown == totals.breakdown
        && own.line_total == totals.line_total
        && own.tax_exclusive == totals.tax_exclusive
        && own.vat_total == totals.vat_total
        && own.tax_inclusive == totals.tax_inclusive
        && totals.tax_inclusive.checked_sub(&totals.prepaid).ok() == Some(totals.due);
    if !same {
        return Err(InputError::TotalsMismatch);
    }
    let mut all: Vec<&Money> = vec![
        &totals.line_total,
        &totals.tax_exclusive,
        &totals.vat_total,
        &totals.tax_inclusive,
        &totals.prepaid,
        &totals.due,
    ];
    for l in &totals.lines {
        all.extend([&l.gross, &l.allowance, &l.net]);
    }
    for b in &totals.breakdown {
        all.extend([&b.taxable, &b.tax]);
    }
    if all.iter().any(|m| !en16931::fits_amount(m.amount())) {
        return Err(InputError::AmountTooPrecise {
            currency: totals.currency,
        });
    }
    Ok(())
}

fn check_vat_ids(
    organization: &Organization,
    client: &Client,
    categories: &[VatCategory],
) -> Result<(), InputError> {
    for &category in categories {
        if category == VatCategory::OutsideScope {
            continue;
        }
        // BR-S-02, BR-Z-02, BR-E-02, BR-AE-02, BR-IC-02, BR-G-02.
        if organization.ids.vat_id.is_none() {
            return Err(InputError::SellerVatIdRequired { category });
        }
        if category.requires_buyer_vat_id() && client.ids.vat_id.is_none() {
            return Err(InputError::BuyerVatIdRequired { category });
        }
    }
    Ok(())
}

fn payment_instruction(
    organization: &Organization,
    invoice: &Invoice,
    number: &str,
    options: &DocumentOptions,
) -> Result<PaymentInstruction, InputError> {
    let account = match &invoice.payment_reference {
        Some(PaymentReference::Qr(_)) => organization
            .qr_iban
            .clone()
            .ok_or(InputError::QrReferenceWithoutQrIban)?,
        _ => {
            let iban = organization.iban.clone().ok_or(InputError::NoAccount)?;
            if iban.is_qr_iban() {
                return Err(InputError::QrIbanAsNormalIban(iban.to_string()));
            }
            iban
        }
    };
    let bic = match &options.bic {
        Some(b) => {
            let b = b.trim().to_ascii_uppercase();
            let ok =
                (b.len() == 8 || b.len() == 11) && b.chars().all(|c| c.is_ascii_alphanumeric());
            if !ok {
                return Err(InputError::InvalidBic(b));
            }
            Some(b)
        }
        None => None,
    };
    let means = options
        .payment_means
        .unwrap_or(if invoice.currency == Currency::EUR {
            PaymentMeansCode::SepaCreditTransfer
        } else {
            PaymentMeansCode::CreditTransfer
        });
    let reference = invoice
        .payment_reference
        .as_ref()
        .map(|r| r.as_str().to_owned())
        .unwrap_or_else(|| number.to_owned());
    Ok(PaymentInstruction {
        means,
        account,
        bic,
        reference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_compacted_for_identifier_schemes() {
        assert_eq!(compact_uid("CHE-116.281.710"), "CHE116281710");
    }
}
