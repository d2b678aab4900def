use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Subcommand;
use encaisse_app::views::InvoiceListItem;
use encaisse_core::Currency;
use encaisse_core::invoice::{DocumentKind, InvoiceStatus};
use encaisse_store::invoices::InvoiceFilter;

use crate::Cli;
use crate::output::{Format, print_rows};

#[derive(Subcommand, Debug)]
pub enum InvoiceCommand {
    /// List invoices and credit notes, newest first.
    List {
        /// draft, pending_approval, rejected, approved, issued, sent, partially_paid, paid,
        /// written_off, cancelled.
        #[arg(long)]
        status: Option<String>,
        /// Client id or exact name.
        #[arg(long)]
        client: Option<String>,
        /// Issued on or after (YYYY-MM-DD).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Issued on or before (YYYY-MM-DD).
        #[arg(long)]
        to: Option<NaiveDate>,
        #[arg(long)]
        currency: Option<String>,
        /// Only credit notes.
        #[arg(long)]
        credit_notes: bool,
        /// Only open invoices past their due date today.
        #[arg(long)]
        overdue: bool,
        #[arg(long, default_value_t = 1000)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show an invoice with its lines and totals (by number or id).
    Show {
        invoice: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The invoice's history from the audit trail.
    History { invoice: String },
    /// Turn a period's unbilled hours into draft invoices (one per client and currency).
    Draft(super::invoice_draft::DraftArgs),
    /// Submit a draft for approval (the validation rules run; small clean drafts are approved
    /// at once).
    Submit(super::approval::SubmitArgs),
    /// Approve the next level of a pending invoice, as a person (`--as EMAIL`).
    Approve(super::approval::ApproveArgs),
    /// Reject a pending invoice with a comment, as a person (`--as EMAIL`).
    Reject(super::approval::RejectArgs),
    /// What waits for a person's decision.
    Waiting(super::approval::WaitingArgs),
    /// Import open invoices issued by another tool from a CSV file with the header
    /// number,client_name,client_iban,currency,gross_amount,paid_amount,issue_date,due_date,payment_reference
    /// (any order; client_iban, paid_amount and payment_reference may be empty; ISO dates; dot
    /// decimals). A file with an error imports nothing; importing it again changes nothing.
    Import {
        file: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Write the Factur-X PDF of an issued invoice, as it was issued.
    Pdf(super::documents::PdfArgs),
    /// Write the CII or UBL XML of an issued invoice.
    Xml(super::documents::XmlArgs),
    /// Write the Swiss QR-bill payment part of an issued invoice (SVG or PDF).
    Qrbill(super::documents::QrBillArgs),
    /// Write a preview PDF of a draft, marked as not valid (consumes no number).
    Preview(super::documents::PreviewArgs),
    /// Issue an approved invoice: gapless number, payment reference, frozen document, and
    /// its Factur-X PDF, CII and UBL XML (and QR-bill) stored with their SHA-256.
    Issue {
        invoice: String,
        /// Issue date (default: today in the configured time zone).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
}

const COLUMNS: [(&str, &str); 10] = [
    ("number", "Number"),
    ("status", "Status"),
    ("client", "Client"),
    ("issue_date", "Issued"),
    ("due_date", "Due"),
    ("currency", "Cur"),
    ("net", "Net"),
    ("vat", "VAT"),
    ("gross", "Gross"),
    ("outstanding", "Outstanding"),
];

pub async fn run(cli: &Cli, c: &InvoiceCommand) -> Result<()> {
    let app = super::open(cli).await?;
    let actor = super::operator(&app, cli).await?;
    match c {
        InvoiceCommand::List {
            status,
            client,
            from,
            to,
            currency,
            credit_notes,
            overdue,
            limit,
            format,
        } => {
            let status = status
                .as_deref()
                .map(|s| {
                    InvoiceStatus::parse(s).with_context(|| {
                        format!(
                            "unknown status `{s}`; use one of: {}",
                            InvoiceStatus::ALL
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                })
                .transpose()?;
            let client_id = match client {
                Some(c) => Some(app.resolve_client(&actor, c).await?.id),
                None => None,
            };
            let filter = InvoiceFilter {
                status,
                kind: credit_notes.then_some(DocumentKind::CreditNote),
                client_id,
                currency: currency.as_deref().map(Currency::parse).transpose()?,
                issued_from: *from,
                issued_to: *to,
                overdue_on: overdue.then(|| app.today()),
                limit: *limit,
                before_id: None,
            };
            let rows = app.list_invoices(&actor, &filter).await?;
            let items: Vec<InvoiceListItem> = rows.iter().map(InvoiceListItem::from).collect();
            print_rows(&items, *format, &COLUMNS)
        }
        InvoiceCommand::Import { file, format } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let r = app
                .import_receivables(&actor, &file.display().to_string(), &bytes)
                .await?;
            if *format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{}: {} row(s): {} invoice(s) imported, {} already imported, {} client(s) created",
                    file.display(),
                    r.rows,
                    r.created,
                    r.unchanged,
                    r.clients_created
                );
            }
            Ok(())
        }
        InvoiceCommand::Show { invoice, format } => {
            let id = app.resolve_invoice(&actor, invoice).await?;
            let d = app.invoice_detail(&actor, id).await?;
            if *format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&d)?);
                return Ok(());
            }
            let inv = &d.invoice;
            println!(
                "{} {}  —  {}",
                inv.kind.as_str(),
                inv.number.as_deref().unwrap_or("(draft)"),
                inv.status
            );
            println!("client     {}", d.client_name);
            if let (Some(i), Some(due)) = (inv.issue_date, inv.due_date) {
                println!("issued     {i}   due {due}");
            }
            if let Some(r) = &inv.payment_reference {
                println!("reference  {}", r.as_str());
            }
            if let Some(c) = &inv.corrects {
                println!("corrects   {} of {}", c.number, c.issue_date);
            }
            let mut t = comfy_table::Table::new();
            t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
            t.set_header([
                "#",
                "Description",
                "Qty",
                "Unit",
                "Price",
                "Disc. %",
                "VAT",
                "Net",
            ]);
            for (i, (l, a)) in inv.lines.iter().zip(&d.totals.lines).enumerate() {
                t.add_row([
                    (i + 1).to_string(),
                    l.description.clone(),
                    l.quantity.to_string(),
                    l.unit.0.clone(),
                    l.unit_price.to_string(),
                    l.discount_percent.to_string(),
                    l.vat.to_string(),
                    a.net.to_decimal_string(),
                ]);
            }
            println!("{t}");
            for b in &d.totals.breakdown {
                println!(
                    "VAT {:<10} on {:>12}  = {:>10}",
                    b.rate.to_string(),
                    b.taxable.to_decimal_string(),
                    b.tax.to_decimal_string()
                );
            }
            println!(
                "net {}   VAT {}   gross {}",
                d.totals.tax_exclusive, d.totals.vat_total, d.totals.tax_inclusive
            );
            println!("paid {}   outstanding {}", inv.paid, d.outstanding);
            if let Some(h) = &d.document_sha256 {
                println!("document SHA-256 {h}");
            }
            for doc in &d.documents {
                println!(
                    "{:<16} {:<28} {:>8} bytes  SHA-256 {}",
                    doc.kind, doc.file_name, doc.size_bytes, doc.sha256
                );
            }
            Ok(())
        }
        InvoiceCommand::History { invoice } => {
            let id = app.resolve_invoice(&actor, invoice).await?;
            for e in app.invoice_history_entries(&actor, id).await? {
                println!("#{:<6} {}  {:<24} {}", e.seq, e.at, e.actor, e.line());
                for c in &e.changes {
                    println!("         {}", serde_json::to_string(c)?);
                }
            }
            Ok(())
        }
        InvoiceCommand::Submit(a) => super::approval::submit(&app, cli, a).await,
        InvoiceCommand::Approve(a) => super::approval::approve(&app, cli, a).await,
        InvoiceCommand::Reject(a) => super::approval::reject(&app, cli, a).await,
        InvoiceCommand::Waiting(a) => super::approval::waiting(&app, cli, a).await,
        InvoiceCommand::Draft(a) => super::invoice_draft::run(&app, &actor, a).await,
        InvoiceCommand::Pdf(a) => super::documents::pdf(&app, &actor, a).await,
        InvoiceCommand::Xml(a) => super::documents::xml(&app, &actor, a).await,
        InvoiceCommand::Qrbill(a) => super::documents::qrbill(&app, &actor, a).await,
        InvoiceCommand::Preview(a) => super::documents::preview(&app, &actor, a).await,
        InvoiceCommand::Issue { invoice, date } => {
            let id = app.resolve_invoice(&actor, invoice).await?;
            let inv = app
                .issue_invoice(&actor, id, date.unwrap_or_else(|| app.today()))
                .await?;
            println!(
                "Issued {} (due {}, reference {}); documents stored: encaisse invoice pdf|xml",
                inv.number.as_deref().unwrap_or("?"),
                inv.due_date.map(|d| d.to_string()).unwrap_or_default(),
                inv.payment_reference
                    .as_ref()
                    .map(|r| r.as_str())
                    .unwrap_or("none")
            );
            Ok(())
        }
    }
}
