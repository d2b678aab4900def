//! The documents of an issued invoice, written to files: `invoice pdf`, `invoice xml`,
//! `invoice qrbill`, and the preview of a draft (`invoice preview`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use encaisse_app::App;
use encaisse_app::auth::Actor;
use encaisse_app::documents::IssuedDocument;

/// `invoice pdf NUMBER -o FILE`.
#[derive(Args, Debug)]
pub struct PdfArgs {
    /// Invoice number (or id).
    pub invoice: String,
    /// Where to write the PDF.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

/// The XML syntaxes of an issued invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum XmlFormat {
    /// UN/CEFACT CII (Factur-X / ZUGFeRD), the XML embedded in the PDF.
    Cii,
    /// UBL 2.1 (Peppol BIS Billing 3.0).
    Ubl,
}

/// `invoice xml NUMBER --format cii|ubl -o FILE`.
#[derive(Args, Debug)]
pub struct XmlArgs {
    pub invoice: String,
    #[arg(long, value_enum, default_value_t = XmlFormat::Cii)]
    pub format: XmlFormat,
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

/// `invoice qrbill NUMBER -o FILE.svg|FILE.pdf`.
#[derive(Args, Debug)]
pub struct QrBillArgs {
    pub invoice: String,
    /// `.svg` or `.pdf`: the format follows the extension.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

/// `invoice preview ID -o FILE`.
#[derive(Args, Debug)]
pub struct PreviewArgs {
    /// Draft id (drafts have no number yet).
    pub invoice: String,
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| {
        format!(
            "cannot write {}: check that its folder exists and is writable",
            path.display()
        )
    })
}

async fn save(
    app: &App,
    actor: &Actor,
    invoice: &str,
    kind: IssuedDocument,
    output: &Path,
) -> Result<()> {
    let id = app.resolve_invoice(actor, invoice).await?;
    let doc = app.stored_document(actor, id, kind).await?;
    write(output, &doc.bytes)?;
    println!(
        "Wrote {} ({} bytes, SHA-256 {}, as issued)",
        output.display(),
        doc.bytes.len(),
        doc.info.sha256
    );
    Ok(())
}

pub async fn pdf(app: &App, actor: &Actor, a: &PdfArgs) -> Result<()> {
    save(
        app,
        actor,
        &a.invoice,
        IssuedDocument::FacturxPdf,
        &a.output,
    )
    .await
}

pub async fn xml(app: &App, actor: &Actor, a: &XmlArgs) -> Result<()> {
    let kind = match a.format {
        XmlFormat::Cii => IssuedDocument::CiiXml,
        XmlFormat::Ubl => IssuedDocument::UblXml,
    };
    save(app, actor, &a.invoice, kind, &a.output).await
}

pub async fn qrbill(app: &App, actor: &Actor, a: &QrBillArgs) -> Result<()> {
    let ext = a
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let kind = match ext.as_deref() {
        Some("svg") => IssuedDocument::QrBillSvg,
        Some("pdf") => IssuedDocument::QrBillPdf,
        _ => bail!(
            "{}: name the output FILE.svg or FILE.pdf, the extension chooses the format",
            a.output.display()
        ),
    };
    save(app, actor, &a.invoice, kind, &a.output).await
}

pub async fn preview(app: &App, actor: &Actor, a: &PreviewArgs) -> Result<()> {
    let id = app.resolve_invoice(actor, &a.invoice).await?;
    let bytes = app.preview_pdf(actor, id).await?;
    write(&a.output, &bytes)?;
    println!(
        "Wrote {} (draft preview, not a valid invoice)",
        a.output.display()
    );
    Ok(())
}
