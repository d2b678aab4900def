//! The legal documents of issued invoices: what they are made of (the stored organization,
//! client, invoice and document settings), rendering them at issue, serving the stored bytes,
//! and previews of drafts.
//!
//! Issued documents are rendered once, inside the issuing transaction
//! ([`render_for_issue`]), stored with their SHA-256 and never rendered again: what the
//! client received is what `encaisse invoice pdf` and the API serve, byte for byte, whatever
//! changes later in the organization's settings or the client's address.

use encaisse_core::invoice::{DocumentKind, Invoice, InvoiceStatus};
use encaisse_core::language::Language;
use encaisse_core::party::{Client, Country, Organization};
use encaisse_core::role::Permission;
use encaisse_core::totals::Totals;
use encaisse_documents::pdf::{self, Logo, PdfError, RenderOptions};
use encaisse_documents::qrbill::{self, QrBillError};
use encaisse_documents::{
    BillingFramework, DocumentInput, DocumentOptions, InputError, ProcessingType, Profile,
    SellerDetails, UblError, cii, ubl,
};
use encaisse_store::Tx;
use encaisse_store::documents::{
    ClientAccounting, DocumentSettings, InvoiceDocument, InvoiceDocumentInfo, NewInvoiceDocument,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Actor;
use crate::{App, AppError, Result};

/// The documents an issued invoice has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuedDocument {
    /// The PDF/A-3b a person reads, carrying the CII XML (Factur-X).
    FacturxPdf,
    /// The Factur-X / ZUGFeRD CII XML alone.
    CiiXml,
    /// UBL 2.1 (Peppol BIS Billing 3.0).
    UblXml,
    /// The Swiss QR-bill payment part alone (CHF invoices, Swiss organizations).
    QrBillPdf,
    QrBillSvg,
}

impl IssuedDocument {
    pub const ALL: [IssuedDocument; 5] = [
        IssuedDocument::FacturxPdf,
        IssuedDocument::CiiXml,
        IssuedDocument::UblXml,
        IssuedDocument::QrBillPdf,
        IssuedDocument::QrBillSvg,
    ];

    /// The stored kind.
    pub fn code(self) -> &'static str {
        match self {
            IssuedDocument::FacturxPdf => "facturx_pdf",
            IssuedDocument::CiiXml => "cii_xml",
            IssuedDocument::UblXml => "ubl_xml",
            IssuedDocument::QrBillPdf => "qrbill_pdf",
            IssuedDocument::QrBillSvg => "qrbill_svg",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            IssuedDocument::FacturxPdf | IssuedDocument::QrBillPdf => "application/pdf",
            IssuedDocument::CiiXml | IssuedDocument::UblXml => "application/xml",
            IssuedDocument::QrBillSvg => "image/svg+xml",
        }
    }

    /// The file name a download gets, from the document number.
    pub fn file_name(self, number: &str) -> String {
        let safe: String = number
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        match self {
            IssuedDocument::FacturxPdf => format!("{safe}.pdf"),
            IssuedDocument::CiiXml => format!("{safe}.cii.xml"),
            IssuedDocument::UblXml => format!("{safe}.ubl.xml"),
            IssuedDocument::QrBillPdf => format!("{safe}.qrbill.pdf"),
            IssuedDocument::QrBillSvg => format!("{safe}.qrbill.svg"),
        }
    }
}

/// A document rendered at issue, ready to store.
#[derive(Clone, Debug)]
pub(crate) struct RenderedDocument {
    pub kind: IssuedDocument,
    pub file_name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// Everything a document of an invoice is made from, as stored.
pub(crate) struct Parties {
    pub organization: Organization,
    pub client: Client,
    pub settings: DocumentSettings,
    pub accounting: ClientAccounting,
}

impl Parties {
    pub(crate) async fn load(tx: &mut Tx, organization_id: Uuid, client_id: Uuid) -> Result<Self> {
        Ok(Parties {
            organization: tx.organization(organization_id).await?,
            client: tx.client(organization_id, client_id).await?,
            settings: tx.document_settings(organization_id).await?,
            accounting: tx.client_accounting(organization_id, client_id).await?,
        })
    }

    /// The e-invoice choices, from the organization's settings and the client.
    pub(crate) fn options(&self) -> Result<DocumentOptions> {
        let s = &self.settings;
        let profile = parse_profile(&s.profile)?;
        let billing_framework = s
            .billing_framework
            .as_deref()
            .map(parse_framework)
            .transpose()?;
        let business = self.accounting.is_business.unwrap_or_else(|| {
            let ids = &self.client.ids;
            ids.siren.is_some() || ids.siret.is_some() || ids.uid.is_some() || ids.vat_id.is_some()
        });
        // The French processing type (BR-FR-20) is a CTC-FR marker only.
        let processing_type = (profile == Profile::ExtendedCtcFr).then(|| {
            match (business, self.client.address.country == Country::FR) {
                (true, true) => ProcessingType::B2b,
                (true, false) => ProcessingType::B2bInternational,
                (false, true) => ProcessingType::B2c,
                (false, false) => ProcessingType::B2cInternational,
            }
        });
        Ok(DocumentOptions {
            profile,
            billing_framework,
            processing_type,
            bic: s.bic.clone(),
            seller: SellerDetails {
                legal_form: s.legal_form.clone(),
                share_capital: s.share_capital.clone(),
                registration: s.registration.clone(),
                email: s.contact_email.clone(),
                phone: s.phone.clone(),
                website: s.website.clone(),
            },
            late_payment_rate: s.late_payment_rate,
            early_payment_discount: s.early_payment_discount.clone(),
            payment_account_optional: true,
            buyer_is_business: self.accounting.is_business,
            ..DocumentOptions::default()
        })
    }

    /// The printing choices: logo, EPC QR code, QR-bill.
    pub(crate) fn render_options(&self) -> Result<RenderOptions> {
        let logo = match &self.settings.logo {
            Some(bytes) => Some(Logo::new(bytes.clone()).map_err(|e| {
                AppError::invalid("organization.logo", format!("{e}; or remove the logo"))
            })?),
            None => None,
        };
        Ok(RenderOptions {
            logo,
            epc_qr: self.settings.epc_qr,
            qr_bill: true,
        })
    }

    /// The checked input of the documents of `invoice` (issued, or made to look issued for a
    /// preview).
    pub(crate) fn input<'a>(
        &'a self,
        invoice: &'a Invoice,
        totals: &'a Totals,
    ) -> Result<DocumentInput<'a>> {
        DocumentInput::new(
            &self.organization,
            &self.client,
            invoice,
            totals,
            self.options()?,
        )
        .map_err(|e| input_error(&e))
    }
}

pub(crate) fn parse_profile(s: &str) -> Result<Profile> {
    match s {
        "en16931" => Ok(Profile::En16931),
        "extended-ctc-fr" => Ok(Profile::ExtendedCtcFr),
        other => Err(AppError::invalid(
            "organization.document_profile",
            format!("`{other}` is not a profile: use en16931 (default) or extended-ctc-fr"),
        )),
    }
}

pub(crate) fn parse_framework(s: &str) -> Result<BillingFramework> {
    use BillingFramework::*;
    let all = [B1, S1, M1, B2, S2, M2, S3, B4, S4, M4, S5, S6, B7, S7];
    all.into_iter()
        .find(|f| f.code().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| {
            AppError::invalid(
                "organization.billing_framework",
                format!(
                    "`{s}` is not a cadre de facturation (BT-23): use S1 (services), B1 (goods) or M1 (both)"
                ),
            )
        })
}

/// Names the field an [`InputError`] is about, keeping its explanation.
pub(crate) fn input_error(e: &InputError) -> AppError {
    let field = match e {
        InputError::EmptyDescription { line } => format!("lines[{}].description", line - 1),
        InputError::InvalidUnit { line, .. } => format!("lines[{}].unit", line - 1),
        InputError::QuantityTooPrecise { line, .. } => format!("lines[{}].quantity", line - 1),
        InputError::PriceTooPrecise { line, .. } => format!("lines[{}].unit_price", line - 1),
        InputError::NoLines
        | InputError::OutsideScopeMixed
        | InputError::AmountTooPrecise { .. } => "lines".into(),
        InputError::CreditNoteWithoutInvoice => "corrects".into(),
        InputError::SellerVatIdRequired { .. } => "organization.vat_id".into(),
        InputError::BuyerVatIdRequired { .. } => "client.vat_id".into(),
        InputError::SellerUnidentified | InputError::MissingSellerSiren => {
            "organization.siren".into()
        }
        InputError::IntraCommunityWithoutDate => "service_period".into(),
        InputError::MissingBillingFramework => "organization.billing_framework".into(),
        InputError::CtcFrForeignCurrency(_) => "currency".into(),
        InputError::MissingBuyerSiren => "client.siren".into(),
        InputError::QrReferenceWithoutQrIban => "organization.qr_iban".into(),
        InputError::QrIbanAsNormalIban(_) | InputError::NoAccount => "organization.iban".into(),
        InputError::InvalidBic(_) => "organization.bic".into(),
        InputError::InvalidElectronicAddress { .. } => "electronic_address".into(),
        _ => "invoice".into(),
    };
    AppError::invalid(field, e)
}

/// Names the field a PDF or QR-bill error is about.
pub(crate) fn pdf_error(e: &PdfError) -> AppError {
    match e {
        PdfError::QrBill(q) => qr_bill_error(q),
        PdfError::Logo(_) | PdfError::SvgLogo => AppError::invalid("organization.logo", e),
        other => AppError::invalid("document", other),
    }
}

fn qr_bill_error(e: &QrBillError) -> AppError {
    let party = |field: &str| {
        if field.starts_with("debtor") {
            "client.address"
        } else if field.starts_with("creditor") {
            "organization.address"
        } else {
            "qr_bill"
        }
    };
    let field = match e {
        QrBillError::FieldMissing { field }
        | QrBillError::FieldTooLong { field, .. }
        | QrBillError::CharacterNotAllowed { field, .. }
        | QrBillError::LineBreak { field } => party(field),
        QrBillError::QrIbanNeedsQrReference { .. } | QrBillError::AccountNotSwiss(_) => {
            "organization.iban"
        }
        QrBillError::QrReferenceNeedsQrIban(_) => "organization.qr_iban",
        _ => "qr_bill",
    };
    AppError::invalid(field, format!("the Swiss QR-bill cannot be made: {e}"))
}

fn rendered(kind: IssuedDocument, number: &str, bytes: Vec<u8>) -> RenderedDocument {
    RenderedDocument {
        kind,
        file_name: kind.file_name(number),
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes,
    }
}

/// The documents of an invoice being issued, and the optional ones that could not be made.
pub(crate) struct IssueDocuments {
    pub rendered: Vec<RenderedDocument>,
    /// Optional documents left out, with why (UBL when Peppol's prerequisites are missing).
    pub not_produced: Vec<(IssuedDocument, String)>,
}

/// Renders the documents of an invoice being issued (numbered, dated, with its payment
/// reference): the Factur-X PDF and the CII XML (the legal e-invoice: any refusal stops the
/// issue, naming the field and the fix), the UBL XML when Peppol BIS 3's extra requirements
/// (BT-10 or BT-13, electronic addresses) are met, and the QR-bill slip when the invoice
/// carries one. Pure: nothing is stored here.
pub(crate) fn render_for_issue(
    parties: &Parties,
    invoice: &Invoice,
    totals: &Totals,
) -> Result<IssueDocuments> {
    let input = parties.input(invoice, totals)?;
    let options = parties.render_options()?;
    let number = input.number().to_owned();
    let pdf = pdf::render(&input, &options).map_err(|e| pdf_error(&e))?;
    let cii = cii::to_xml(&input).map_err(|e| AppError::invalid("document", e))?;
    let mut out = vec![
        rendered(IssuedDocument::FacturxPdf, &number, pdf),
        rendered(IssuedDocument::CiiXml, &number, cii.into_bytes()),
    ];
    let mut not_produced = Vec::new();
    match ubl::to_xml(&input) {
        Ok(xml) => out.push(rendered(IssuedDocument::UblXml, &number, xml.into_bytes())),
        Err(
            e
            @ (UblError::MissingBuyerOrOrderReference | UblError::MissingElectronicAddress { .. }),
        ) => {
            not_produced.push((IssuedDocument::UblXml, e.to_string()));
        }
        Err(UblError::Xml(e)) => return Err(AppError::invalid("document", e)),
    }
    if let Some(bill) = pdf::qr_bill_of(&input, &options).map_err(|e| pdf_error(&e))? {
        let slip = qrbill::render_pdf(&bill, input.language()).map_err(|e| pdf_error(&e))?;
        let svg = qrbill::render_svg(&bill, input.language()).map_err(|e| qr_bill_error(&e))?;
        out.push(rendered(IssuedDocument::QrBillPdf, &number, slip));
        out.push(rendered(
            IssuedDocument::QrBillSvg,
            &number,
            svg.into_bytes(),
        ));
    }
    Ok(IssueDocuments {
        rendered: out,
        not_produced,
    })
}

/// Stores the rendered documents in the issuing transaction.
pub(crate) async fn store_rendered(
    tx: &mut Tx,
    invoice: &Invoice,
    documents: &[RenderedDocument],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    for d in documents {
        tx.insert_invoice_document(
            &NewInvoiceDocument {
                organization_id: invoice.organization_id,
                invoice_id: invoice.id,
                kind: d.kind.code(),
                media_type: d.kind.media_type(),
                file_name: &d.file_name,
                sha256: &d.sha256,
                bytes: &d.bytes,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The provisional number and the banner of a draft's preview, in the client's language.
fn preview_texts(language: Language) -> (&'static str, &'static str) {
    match language {
        Language::Fr => (
            "BROUILLON",
            "BROUILLON — DOCUMENT NON VALABLE, NE PAS PAYER",
        ),
        Language::De => (
            "ENTWURF",
            "ENTWURF — KEIN GÜLTIGES DOKUMENT, NICHT BEZAHLEN",
        ),
        Language::En => ("DRAFT", "DRAFT — NOT A VALID DOCUMENT, DO NOT PAY"),
    }
}

impl App {
    /// One stored document of an issued invoice, byte-identical to what was issued.
    pub async fn stored_document(
        &self,
        actor: &Actor,
        id: Uuid,
        kind: IssuedDocument,
    ) -> Result<InvoiceDocument> {
        actor.require(Permission::Read, "read invoices")?;
        let mut tx = self.store.read().await?;
        let invoice = tx.invoice(actor.organization_id, id).await?;
        let doc = tx
            .invoice_document(actor.organization_id, id, kind.code())
            .await?;
        tx.commit().await?;
        let Some(number) = invoice.number.as_deref() else {
            return Err(AppError::Conflict(format!(
                "invoice {id} is {}, not issued: its legal documents exist once it is issued; ask for the draft preview (preview.pdf) meanwhile",
                invoice.status
            )));
        };
        doc.ok_or_else(|| match kind {
            IssuedDocument::QrBillPdf | IssuedDocument::QrBillSvg => AppError::Conflict(format!(
                "{number} has no Swiss QR-bill: only invoices in CHF or of a Swiss organization, paid to a Swiss account, carry one"
            )),
            IssuedDocument::UblXml => AppError::Conflict(format!(
                "{number} has no UBL: Peppol BIS 3 needs a buyer reference (BT-10) or a purchase order number (BT-13) and an electronic address for both parties, which it lacked at issue (the invoice's history says which); its Factur-X PDF and CII XML are its legal documents"
            )),
            _ => AppError::Conflict(format!(
                "{number} was issued before encaisse archived documents at issue: its {} was never stored, and an issued invoice is never rendered again",
                kind.code()
            )),
        })
    }

    /// What documents an invoice has, without their bytes.
    pub async fn stored_documents(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<InvoiceDocumentInfo>> {
        actor.require(Permission::Read, "read invoices")?;
        let mut tx = self.store.read().await?;
        tx.invoice(actor.organization_id, id).await?;
        let docs = tx.invoice_documents(actor.organization_id, id).await?;
        tx.commit().await?;
        Ok(docs)
    }

    /// A preview PDF of a document that is not issued yet, rendered on the fly, marked as a
    /// draft on every page, with a provisional number, no Factur-X XML and no payment code.
    /// Consumes nothing. Refuses (naming the field) what issuing would refuse.
    pub async fn preview_pdf(&self, actor: &Actor, id: Uuid) -> Result<Vec<u8>> {
        actor.require(Permission::Read, "read invoices")?;
        let mut tx = self.store.read().await?;
        let mut invoice = tx.invoice(actor.organization_id, id).await?;
        let parties = Parties::load(&mut tx, actor.organization_id, invoice.client_id).await?;
        tx.commit().await?;
        if invoice.number.is_some() {
            return Err(AppError::Conflict(format!(
                "{} is issued: download its PDF (GET /api/v1/invoices/{id}/pdf) instead of a preview",
                invoice.number.as_deref().unwrap_or_default()
            )));
        }
        if matches!(invoice.status, InvoiceStatus::Cancelled) {
            return Err(AppError::Conflict(
                "this draft was cancelled: there is nothing to preview".into(),
            ));
        }
        let (number, banner) = preview_texts(parties.client.language);
        let today = self.today();
        invoice.status = InvoiceStatus::Issued;
        invoice.number = Some(number.to_owned());
        invoice.issue_date = Some(today);
        invoice.due_date = match invoice.kind {
            DocumentKind::Invoice => Some(parties.client.terms.due_date(today)),
            DocumentKind::CreditNote => None,
        };
        invoice.payment_reference = None;
        let totals = invoice
            .totals()
            .map_err(|e| AppError::invalid("lines", e))?;
        let input = parties.input(&invoice, &totals)?;
        pdf::render_preview(&input, &parties.render_options()?, banner).map_err(|e| pdf_error(&e))
    }
}
