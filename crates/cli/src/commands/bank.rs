//! `encaisse bank …`, `encaisse reconcile …` and `encaisse alerts`: bank statements in,
//! payments matched to invoices, suggestions reviewed, alerts listed.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use encaisse_app::App;
use encaisse_app::auth::Actor;
use encaisse_app::reconciliation_review::MatchView;
use encaisse_store::bank::BankTransactionFilter;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use uuid::Uuid;

use crate::Cli;
use crate::output::{Format, print_rows};

#[derive(Subcommand, Debug)]
pub enum BankCommand {
    /// Import a bank statement file (camt.052/053/054, MT940, OFX, or a bank's CSV export);
    /// the format is detected. A file with an error imports nothing; importing the same
    /// movements again (same file, overlapping statements) stores them once.
    Import {
        file: PathBuf,
        /// The account's IBAN, when the file does not name it (some CSV exports).
        #[arg(long, value_name = "IBAN")]
        account: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Stored bank transactions, newest first.
    List {
        /// unmatched, suggested, matched or ignored.
        #[arg(long)]
        reconciliation: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Args, Debug)]
pub struct ReconcileArgs {
    #[command(subcommand)]
    pub command: Option<ReconcileCommand>,
    /// Show what would be applied and suggested; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the report (bank_reference,invoice_number,amount,method,confidence,status) here.
    #[arg(long, value_name = "FILE.csv")]
    pub report: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum ReconcileCommand {
    /// Suggestions waiting for review (interactive when run in a terminal without a
    /// subcommand: confirm, reject or skip each).
    Review {
        #[command(subcommand)]
        action: Option<ReviewAction>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Undo an applied match (by allocation or match id): the invoices, the client credit and
    /// the transaction get back exactly their previous state.
    Undo { allocation: Uuid },
    /// Applied matches, newest first.
    Applied {
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReviewAction {
    /// List the suggestions (the default).
    List,
    /// Confirm a suggestion: apply it and learn the payer.
    Confirm { suggestion: Uuid },
    /// Reject a suggestion: never proposed again for this transaction.
    Reject { suggestion: Uuid },
}

#[derive(Args, Debug)]
pub struct AlertsArgs {
    /// Compute today's alerts first (the daily job does it on its own).
    #[arg(long)]
    pub compute: bool,
    /// Include resolved alerts.
    #[arg(long)]
    pub all: bool,
    #[arg(long, default_value_t = 200)]
    pub limit: i64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// A suggestion flattened for tables.
#[derive(Serialize)]
struct MatchRow {
    id: Uuid,
    status: String,
    bank_reference: String,
    booking_date: chrono::NaiveDate,
    amount: String,
    payer: String,
    invoices: String,
    method: String,
    confidence: String,
    explanation: String,
}

impl From<&MatchView> for MatchRow {
    fn from(m: &MatchView) -> Self {
        MatchRow {
            id: m.id,
            status: m.status.clone(),
            bank_reference: m.bank_reference.clone(),
            booking_date: m.booking_date,
            amount: m.transaction_amount.to_string(),
            payer: m.payer.clone().unwrap_or_default(),
            invoices: m
                .allocations
                .iter()
                .map(|a| {
                    format!(
                        "{} {}",
                        a.invoice_number.as_deref().unwrap_or("?"),
                        a.amount.to_decimal_string()
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            method: m.method.clone(),
            confidence: m.confidence.clone(),
            explanation: m.explanation.clone(),
        }
    }
}

const MATCH_COLUMNS: [(&str, &str); 8] = [
    ("id", "Id"),
    ("booking_date", "Booked"),
    ("amount", "Amount"),
    ("payer", "Payer"),
    ("invoices", "Invoices"),
    ("method", "Method"),
    ("confidence", "Conf."),
    ("explanation", "Why"),
];

pub async fn run_bank(cli: &Cli, c: &BankCommand) -> Result<()> {
    let app = super::open(cli).await?;
    let actor = super::operator(&app, cli).await?;
    match c {
        BankCommand::Import {
            file,
            account,
            format,
        } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {pos} transaction(s) stored")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            if !std::io::stderr().is_terminal() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            let progress = |n: usize| bar.set_position(n as u64);
            let r = app
                .import_bank_file(
                    &actor,
                    &file.display().to_string(),
                    &bytes,
                    account.as_deref(),
                    &progress,
                )
                .await;
            bar.finish_and_clear();
            let r = r?;
            if *format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(());
            }
            println!(
                "{}: {}, {} statement(s), {} transaction(s): {} new, {} already known",
                file.display(),
                r.format,
                r.statements,
                r.transactions,
                r.ingest.new,
                r.ingest.known
            );
            if r.ingest.linked > 0 {
                println!(
                    "  {} already known through another source (API), linked",
                    r.ingest.linked
                );
            }
            if r.ingest.status_changed > 0 {
                println!("  {} status change(s)", r.ingest.status_changed);
            }
            Ok(())
        }
        BankCommand::List {
            reconciliation,
            limit,
            format,
        } => {
            let rows = app
                .list_bank_transactions(
                    &actor,
                    &BankTransactionFilter {
                        reconciliation: reconciliation.clone(),
                        limit: *limit,
                        before_id: None,
                    },
                )
                .await?;
            print_rows(
                &rows,
                *format,
                &[
                    ("booking_date", "Booked"),
                    ("bank_reference", "Bank ref."),
                    ("amount", "Amount"),
                    ("counterparty_name", "Counterparty"),
                    ("remittance", "Remittance"),
                    ("status", "Status"),
                    ("reconciliation", "Reconciliation"),
                ],
            )
        }
    }
}

pub async fn run_reconcile(cli: &Cli, a: &ReconcileArgs) -> Result<()> {
    let app = super::open(cli).await?;
    let actor = super::operator(&app, cli).await?;
    match &a.command {
        None => {
            let run = app.reconcile(&actor, a.dry_run).await?;
            if let Some(path) = &a.report {
                std::fs::write(path, run.csv())
                    .with_context(|| format!("cannot write the report to {}", path.display()))?;
            }
            let verb = if a.dry_run { "would apply" } else { "applied" };
            println!(
                "{} transaction(s) against {} open invoice(s): {verb} {}, {} left for review, {} unmatched{}",
                run.transactions,
                run.open_invoices,
                run.applied,
                run.suggested,
                run.unmatched,
                if a.dry_run {
                    " (dry run: nothing written)"
                } else {
                    ""
                }
            );
            if let Some(path) = &a.report {
                println!("report: {}", path.display());
            }
            Ok(())
        }
        Some(ReconcileCommand::Review { action, format }) => match action {
            Some(ReviewAction::Confirm { suggestion }) => {
                let m = app.confirm_suggestion(&actor, *suggestion).await?;
                println!("confirmed {}: {}", m.id, MatchRow::from(&m).invoices);
                Ok(())
            }
            Some(ReviewAction::Reject { suggestion }) => {
                let m = app.reject_suggestion(&actor, *suggestion).await?;
                println!("rejected {}", m.id);
                Ok(())
            }
            None if std::io::stdin().is_terminal() && *format == Format::Table => {
                interactive_review(&app, &actor).await
            }
            Some(ReviewAction::List) | None => {
                let rows: Vec<MatchRow> = app
                    .reconciliation_suggestions(&actor, 1000)
                    .await?
                    .iter()
                    .map(MatchRow::from)
                    .collect();
                print_rows(&rows, *format, &MATCH_COLUMNS)
            }
        },
        Some(ReconcileCommand::Undo { allocation }) => {
            let m = app.undo_allocation(&actor, *allocation).await?;
            println!("undone {}: {} restored", m.id, MatchRow::from(&m).invoices);
            Ok(())
        }
        Some(ReconcileCommand::Applied { limit, format }) => {
            let rows: Vec<MatchRow> = app
                .applied_matches(&actor, *limit)
                .await?
                .iter()
                .map(MatchRow::from)
                .collect();
            print_rows(&rows, *format, &MATCH_COLUMNS)
        }
    }
}

/// Asks about each suggestion: [c]onfirm, [r]eject, [s]kip, [q]uit.
async fn interactive_review(app: &App, actor: &Actor) -> Result<()> {
    let suggestions = app.reconciliation_suggestions(actor, 1000).await?;
    if suggestions.is_empty() {
        println!("nothing waits for review");
        return Ok(());
    }
    let stdin = std::io::stdin();
    let mut decided: Vec<Uuid> = Vec::new();
    for m in &suggestions {
        if decided.contains(&m.transaction_id) {
            continue;
        }
        let r = MatchRow::from(m);
        println!(
            "\n{} {} from {}: {}\n  {} ({}) — {}",
            r.booking_date, r.amount, r.payer, r.invoices, r.method, r.confidence, r.explanation
        );
        loop {
            print!("[c]onfirm, [r]eject, [s]kip, [q]uit? ");
            std::io::stdout().flush()?;
            let mut line = String::new();
            if stdin.lock().read_line(&mut line)? == 0 {
                return Ok(());
            }
            match line.trim() {
                "c" => {
                    app.confirm_suggestion(actor, m.id).await?;
                    decided.push(m.transaction_id);
                    println!("  confirmed");
                    break;
                }
                "r" => {
                    app.reject_suggestion(actor, m.id).await?;
                    println!("  rejected");
                    break;
                }
                "s" | "" => break,
                "q" => return Ok(()),
                other => println!("  `{other}`: answer c, r, s or q"),
            }
        }
    }
    Ok(())
}

pub async fn run_alerts(cli: &Cli, a: &AlertsArgs) -> Result<()> {
    let app = super::open(cli).await?;
    let actor = super::operator(&app, cli).await?;
    if a.limit < 1 {
        bail!("--limit must be at least 1");
    }
    if a.compute {
        let r = app.compute_alerts(&actor, app.today()).await?;
        eprintln!("{} new alert(s)", r.raised);
    }
    let rows = app.alerts(&actor, a.all, a.limit).await?;
    print_rows(
        &rows,
        a.format,
        &[
            ("as_of", "As of"),
            ("kind", "Kind"),
            ("amount", "Amount"),
            ("message", "Message"),
        ],
    )
}
