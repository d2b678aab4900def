//! # encaisse — the command line
//!
//! Thin: parses arguments, opens the [`encaisse_app::App`], calls one use case and renders
//! its result as a table, JSON or CSV. Exit codes: 0 success, 1 error, 2 usage.

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Invoice-to-cash for small companies: hours become invoices, invoices become cash.
#[derive(Parser, Debug)]
#[command(name = "encaisse", version, about, long_about = None)]
pub struct Cli {
    /// Data directory (SQLite database, documents, backups). Env: ENCAISSE_DATA_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL, e.g. postgres://user@host/db (default: SQLite in the data directory).
    /// Env: ENCAISSE_DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Configuration file (default: encaisse.toml in the data directory, when present).
    #[arg(long, global = true, value_name = "FILE", env = "ENCAISSE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Organization to act on (its slug), when the installation has several.
    #[arg(long, global = true, value_name = "SLUG")]
    pub org: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the data directory, the database, the first organization and its owner.
    Init(commands::setup::InitArgs),
    /// Seed a realistic demo workspace and serve it.
    Demo(commands::setup::DemoArgs),
    /// Serve the web UI and the REST API.
    Serve(commands::setup::ServeArgs),
    /// Invoices: list, show, history, issue, and the documents of issued ones.
    #[command(subcommand)]
    Invoice(commands::invoice::InvoiceCommand),
    /// Clients: list, show.
    #[command(subcommand)]
    Client(commands::client::ClientCommand),
    /// The organization: identifiers, bank accounts, what its invoices print.
    #[command(subcommand)]
    Org(commands::org::OrgCommand),
    /// Accounting exports: FEC, journal CSV, Oxygène.
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// The tamper-evident audit trail.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(commands::config::ConfigCommand),
    /// Time entries: import time-sheet files, review entries changed at their source.
    #[command(subcommand)]
    Time(commands::time::TimeCommand),
    /// Connect and sync time-tracking services (Clockify).
    #[command(subcommand)]
    Sync(commands::sync::SyncCommand),
    /// Bank statements: import files, list transactions.
    #[command(subcommand)]
    Bank(commands::bank::BankCommand),
    /// Match unmatched bank credits to open invoices; review, confirm, reject, undo.
    Reconcile(commands::bank::ReconcileArgs),
    /// Payment alerts: overdue invoices (D+30/60/90), partial payments, cash positions.
    Alerts(commands::bank::AlertsArgs),
    /// Run background jobs and the outbox (for PostgreSQL installs; `serve` runs one on SQLite).
    Worker(commands::setup::WorkerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}
