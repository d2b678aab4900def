//! Accounting exports: `export fec`, `export journal`, `export oxygene`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use encaisse_app::exports::{CsvFormat, year_bounds};
use encaisse_core::Currency;

use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The French FEC of a year: sales journal (invoices, credit notes) and bank journal
    /// (payments), 18 columns, tab-separated, ISO 8859-15.
    Fec {
        #[arg(long)]
        year: i32,
        /// A file, or a folder to write `SIRENFECyyyymmdd.txt` into.
        #[arg(short, long, value_name = "FILE|DIR")]
        output: PathBuf,
    },
    /// A generic accounting journal as CSV (one row per entry line).
    Journal {
        #[command(flatten)]
        period: PeriodArgs,
        /// Book currency (default: the organization's); documents in other currencies are
        /// left out and counted.
        #[arg(long)]
        currency: Option<String>,
        /// Column delimiter: `,` (default) or `;`.
        #[arg(long, default_value = ",")]
        delimiter: String,
        /// Write decimals with a comma (French spreadsheets).
        #[arg(long)]
        decimal_comma: bool,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Issued documents as Memsoft Oxygène sales-document XML, shaped by a mapping file.
    Oxygene {
        #[command(flatten)]
        period: PeriodArgs,
        /// Mapping file (TOML); the built-in `oxygene-mapping.toml` when absent.
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

/// A period: `--year`, or `--from` and `--to`.
#[derive(Args, Debug)]
pub struct PeriodArgs {
    #[arg(long, conflicts_with_all = ["from", "to"])]
    year: Option<i32>,
    /// First day (YYYY-MM-DD).
    #[arg(long, requires = "to")]
    from: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD).
    #[arg(long, requires = "from")]
    to: Option<NaiveDate>,
}

impl PeriodArgs {
    fn bounds(&self) -> Result<(NaiveDate, NaiveDate)> {
        match (self.year, self.from, self.to) {
            (Some(y), _, _) => Ok(year_bounds(y)?),
            (None, Some(f), Some(t)) => Ok((f, t)),
            _ => bail!("give the period: --year 2026, or --from 2026-01-01 --to 2026-03-31"),
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| {
        format!(
            "cannot write {}: check that its folder exists and is writable",
            path.display()
        )
    })
}

pub async fn run(cli: &Cli, c: &ExportCommand) -> Result<()> {
    let app = super::open(cli).await?;
    let actor = super::operator(&app, cli).await?;
    match c {
        ExportCommand::Fec { year, output } => {
            let file = app.export_fec(&actor, *year).await?;
            let path = if output.is_dir() {
                output.join(&file.file_name)
            } else {
                output.clone()
            };
            write(&path, &file.content)?;
            println!(
                "Wrote {} ({} lines)",
                path.display(),
                file.content.iter().filter(|b| **b == b'\n').count()
            );
            Ok(())
        }
        ExportCommand::Journal {
            period,
            currency,
            delimiter,
            decimal_comma,
            output,
        } => {
            let (from, to) = period.bounds()?;
            let currency = currency.as_deref().map(Currency::parse).transpose()?;
            let delimiter = match delimiter.as_bytes() {
                [d] if d.is_ascii_punctuation() || *d == b'\t' => *d,
                _ => bail!("--delimiter is one character such as `,` or `;`"),
            };
            let export = app
                .export_journal(
                    &actor,
                    from,
                    to,
                    currency,
                    CsvFormat {
                        delimiter,
                        decimal_comma: *decimal_comma,
                    },
                )
                .await?;
            write(output, &export.csv)?;
            println!(
                "Wrote {} (journal in {})",
                output.display(),
                export.currency
            );
            if export.left_out > 0 {
                eprintln!(
                    "note: {} documents or payments in other currencies were left out; export them with --currency",
                    export.left_out
                );
            }
            Ok(())
        }
        ExportCommand::Oxygene {
            period,
            mapping,
            output,
        } => {
            let (from, to) = period.bounds()?;
            let mapping = match mapping {
                Some(p) => Some(
                    std::fs::read_to_string(p)
                        .with_context(|| format!("cannot read the mapping file {}", p.display()))?,
                ),
                None => None,
            };
            let xml = app
                .export_oxygene(&actor, from, to, mapping.as_deref())
                .await?;
            write(output, &xml)?;
            println!("Wrote {}", output.display());
            Ok(())
        }
    }
}
