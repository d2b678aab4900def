//! The printed invoice: an A4 PDF/A-3b that a person reads and a machine parses — a
//! Factur-X hybrid carrying the CII XML of [`crate::cii`] as `factur-x.xml`.
//!
//! [`render`] composes the pages ([`layout`], [`table`], [`summary`]), with the Swiss
//! QR-bill payment part on the last page of Swiss invoices ([`crate::qrbill::slip`]) or the
//! EPC QR code on EUR invoices when asked, paints them with krilla ([`paint`]), embeds the
//! XML and declares it in the XMP metadata ([`facturx`]). The output depends on its input
//! only: the PDF dates are the issue date and the document ID derives from the organization
//! and the number, so the same invoice always gives the same bytes (issued documents are
//! hashed).

mod facturx;
mod labels;
mod layout;
mod legal;
pub mod locale;
mod paint;
mod summary;
mod table;

use std::sync::Arc;

use encaisse_core::Currency;
use encaisse_core::invoice::DocumentKind;
use encaisse_core::party::Country;

pub use facturx::{FILE_NAME as FACTURX_FILE_NAME, conformance_level};
pub(crate) use labels::{Labels, labels};
pub(crate) use paint::{DocumentMeta, to_pdf};

use crate::epc::{EpcError, EpcQr};
use crate::input::DocumentInput;
use crate::qrbill::{QrBill, QrBillError};
use crate::xml::XmlError;
use crate::{cii, texts};

/// Why a PDF could not be produced. Each message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the Factur-X XML could not be written: {0}")]
    Xml(#[from] XmlError),
    #[error("the Swiss QR-bill payment part could not be made: {0}")]
    QrBill(#[from] QrBillError),
    #[error("the EPC QR code could not be made: {0}")]
    Epc(#[from] EpcError),
    #[error(
        "the logo is not a PNG or JPEG image{}: give the logo file's bytes as they are",
        if .0.is_empty() { String::new() } else { format!(" ({})", .0) }
    )]
    Logo(String),
    #[error(
        "SVG logos are not supported (rendering SVG would pull a whole SVG engine into the build): convert the logo to PNG"
    )]
    SvgLogo,
    #[error("the compiled-in DejaVu fonts could not be read; the build is damaged")]
    Fonts,
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the Factur-X metadata could not be added to the PDF: {0}")]
    Patch(String),
}

/// The image formats a logo may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoFormat {
    Png,
    Jpeg,
}

/// The organization's logo, printed at the top left of the first page (at most 50 × 20 mm,
/// aspect ratio kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logo {
    bytes: Arc<Vec<u8>>,
    format: LogoFormat,
}

impl Logo {
    /// Recognizes a PNG or JPEG by its signature; SVG is refused with an explanation.
    pub fn new(bytes: Vec<u8>) -> Result<Logo, PdfError> {
        let format = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            LogoFormat::Png
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            LogoFormat::Jpeg
        } else if looks_like_svg(&bytes) {
            return Err(PdfError::SvgLogo);
        } else {
            return Err(PdfError::Logo(String::new()));
        };
        Ok(Logo {
            bytes: Arc::new(bytes),
            format,
        })
    }

    pub fn format(&self) -> LogoFormat {
        self.format
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    String::from_utf8_lossy(head).contains("<svg")
}

/// Rendering choices that are not part of the document's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    pub logo: Option<Logo>,
    /// Print the EPC QR code ("GiroCode") in the payment block of EUR invoices that have no
    /// Swiss QR-bill.
    pub epc_qr: bool,
    /// Print the Swiss QR-bill payment part on CHF invoices and on invoices of a Swiss
    /// organization. On by default: Swiss payers expect it.
    pub qr_bill: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            logo: None,
            epc_qr: false,
            qr_bill: true,
        }
    }
}

/// Everything the composition reads, decided once.
pub(crate) struct Context<'a> {
    pub input: &'a DocumentInput<'a>,
    pub locale: locale::Locale,
    pub labels: &'static Labels,
    pub logo: bool,
    pub qr_bill: Option<QrBill>,
    pub epc: Option<EpcQr>,
}

/// The composed pages of the document, before painting: for previews
/// ([`Drawing::to_svg`](crate::drawing::Drawing::to_svg)) and layout checks.
pub fn pages(
    input: &DocumentInput<'_>,
    options: &RenderOptions,
) -> Result<Vec<crate::drawing::Drawing>, PdfError> {
    Ok(layout::compose(&context(input, options)?))
}

/// The invoice or credit note as a Factur-X PDF/A-3b (see the module documentation).
pub fn render(input: &DocumentInput<'_>, options: &RenderOptions) -> Result<Vec<u8>, PdfError> {
    let xml = cii::to_xml(input)?;
    let context = context(input, options)?;
    let pages = layout::compose(&context);
    let label = texts::invoice_label(input.language());
    let title = match input.invoice().kind {
        DocumentKind::Invoice => format!("{label} {}", input.number()),
        DocumentKind::CreditNote => format!("{} {}", context.labels.credit_note, input.number()),
    };
    let meta = DocumentMeta {
        title,
        language: input.language().code(),
        date: Some(input.issue_date()),
        id: format!("{}/{}", input.organization().id, input.number()),
    };
    let pdf = to_pdf(
        &pages,
        options.logo.as_ref(),
        &meta,
        vec![facturx::attachment(xml)],
    )?;
    facturx::declare_in_xmp(&pdf, input.profile())
}

/// A preview of a document that is not issued yet: the same pages, with a banner on each
/// saying it is a draft and not valid, and no Factur-X XML, QR-bill or EPC QR code, so that
/// neither a machine nor a payer can take it for the real invoice. `input` is built from the
/// draft with a provisional number (`banner` should say so too).
pub fn render_preview(
    input: &DocumentInput<'_>,
    options: &RenderOptions,
    banner: &str,
) -> Result<Vec<u8>, PdfError> {
    let options = RenderOptions {
        epc_qr: false,
        qr_bill: false,
        ..options.clone()
    };
    let context = context(input, &options)?;
    let mut pages = layout::compose(&context);
    for page in &mut pages {
        draft_banner(page, banner);
    }
    let meta = DocumentMeta {
        title: banner.to_owned(),
        language: input.language().code(),
        date: None,
        id: format!("{}/preview/{}", input.organization().id, input.invoice().id),
    };
    to_pdf(&pages, options.logo.as_ref(), &meta, Vec::new())
}

/// A red band across the top margin of the page (above the letterhead).
fn draft_banner(page: &mut crate::drawing::Drawing, text: &str) {
    use crate::drawing::{Align, Color};
    use crate::fonts::Weight;
    page.rect(0.0, 0.0, page.width, 9.0, Some(Color(253, 228, 230)));
    page.text(
        page.width / 2.0,
        6.2,
        10.0,
        Weight::Bold,
        Color(190, 30, 45),
        Align::Center,
        text,
    );
}

/// The Swiss QR-bill printed on the document's last page, when it has one: CHF invoices and
/// invoices of a Swiss organization, paid to a Swiss account (see [`RenderOptions::qr_bill`]).
pub fn qr_bill_of(
    input: &DocumentInput<'_>,
    options: &RenderOptions,
) -> Result<Option<QrBill>, PdfError> {
    Ok(context(input, options)?.qr_bill)
}

fn context<'a>(
    input: &'a DocumentInput<'a>,
    options: &RenderOptions,
) -> Result<Context<'a>, PdfError> {
    let swiss_org = input.organization().address.country == Country::CH;
    let is_invoice = input.invoice().kind == DocumentKind::Invoice;
    let qr_bill =
        if options.qr_bill && is_invoice && (swiss_org || input.currency() == Currency::CHF) {
            match QrBill::from_document(input) {
                Ok(bill) => Some(bill),
                // A foreign seller's CHF invoice to a non-Swiss account simply has no QR-bill.
                Err(
                    QrBillError::NothingDue
                    | QrBillError::NotAnInvoice
                    | QrBillError::AccountNotSwiss(_)
                    | QrBillError::UnsupportedCurrency(_),
                ) => None,
                Err(e) => return Err(e.into()),
            }
        } else {
            None
        };
    let epc = if options.epc_qr && qr_bill.is_none() && is_invoice {
        match EpcQr::from_document(input) {
            Ok(epc) => Some(epc),
            Err(EpcError::NothingDue | EpcError::NotAnInvoice) => None,
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    Ok(Context {
        input,
        locale: locale::Locale {
            language: input.language(),
            swiss: swiss_org || input.currency() == Currency::CHF,
        },
        labels: labels(input.language()),
        logo: options.logo.is_some(),
        qr_bill,
        epc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logos_are_recognized_by_their_signature() {
        let png = Logo::new(b"\x89PNG\r\n\x1a\nrest".to_vec()).unwrap();
        assert_eq!(png.format(), LogoFormat::Png);
        let jpeg = Logo::new(vec![0xFF, 0xD8, 0xFF, 0xE0]).unwrap();
        assert_eq!(jpeg.format(), LogoFormat::Jpeg);
        assert!(matches!(
            Logo::new(b"<?xml version=\"1.0\"?><svg/>".to_vec()),
            Err(PdfError::SvgLogo)
        ));
        assert!(matches!(
            Logo::new(b"GIF89a".to_vec()),
            Err(PdfError::Logo(_))
        ));
    }
}
