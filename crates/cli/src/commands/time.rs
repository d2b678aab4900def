//! `encaisse time …`: importing time-sheet files, and the entries that need a look.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use encaisse_app::time_import::ImportRequest;
use encaisse_connectors::timesheet::Format as FileFormat;

use crate::Cli;
use crate::output::{Format, print_rows};

#[derive(Subcommand, Debug)]
pub enum TimeCommand {
    /// Import a time-sheet file: Clockify detailed-report CSV, Toggl Track CSV, Kimai CSV, or
    /// any CSV with --map. Nothing is imported when a row is wrong, unless --skip-invalid.
    Import {
        file: PathBuf,
        /// clockify, toggl, kimai or generic (detected from the header when absent).
        #[arg(long)]
        format: Option<String>,
        /// Column mapping for other files: date=Jour,start=Début,end=Fin,duration=Heures,
        /// project=Projet,client=Client,task=Tâche,user=Nom,description=Remarque,billable=…,rate=…
        #[arg(long, value_name = "FIELD=COLUMN,…")]
        map: Option<String>,
        /// Import the valid rows and list the others, instead of importing nothing.
        #[arg(long)]
        skip_invalid: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Entries changed or deleted at their source after they were billed.
    Review {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
}

pub async fn run(cli: &Cli, c: &TimeCommand) -> Result<()> {
    let app = super::open(cli).await?;
    let actor = super::operator(&app, cli).await?;
    match c {
        TimeCommand::Import {
            file,
            format,
            map,
            skip_invalid,
            output,
        } => {
            let format = format
                .as_deref()
                .map(|f| {
                    FileFormat::parse(f).with_context(|| {
                        format!("unknown format `{f}`: use clockify, toggl, kimai or generic")
                    })
                })
                .transpose()?;
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let r = app
                .import_timesheet(
                    &actor,
                    &ImportRequest {
                        file_name: file.display().to_string(),
                        bytes,
                        format,
                        mapping: map.clone(),
                        skip_invalid: *skip_invalid,
                    },
                )
                .await?;
            if *output == Format::Json {
                println!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(());
            }
            println!(
                "{}: {} format, {}, separator {}",
                r.file, r.format, r.encoding, r.separator
            );
            println!(
                "{} row(s): {} imported, {} already there, {} updated, {} flagged for review, {} skipped",
                r.rows,
                r.imported,
                r.unchanged,
                r.updated,
                r.flagged_for_review,
                r.skipped.len()
            );
            for c in &r.clients_created {
                println!("  client created: {c} (complete its address and identifiers)");
            }
            for p in &r.projects_created {
                println!("  project created: {p}");
            }
            for s in &r.skipped {
                eprintln!("  skipped: {s}");
            }
            Ok(())
        }
        TimeCommand::Review { output } => {
            let rows = app.entries_to_review(&actor).await?;
            print_rows(
                &rows,
                *output,
                &[
                    ("external_id", "Source id"),
                    ("review_reason", "Why"),
                    ("invoice_id", "Invoice"),
                    ("description", "Description"),
                ],
            )
        }
    }
}
