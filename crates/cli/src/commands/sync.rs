//! `encaisse sync …`: connecting and syncing time-tracking services.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use encaisse_app::clockify_sync::{ClockifyConnection, SyncProgress};
use encaisse_connectors::clockify::Endpoints;
use indicatif::{ProgressBar, ProgressStyle};

use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum SyncCommand {
    /// Sync clients, projects, rates and hours from the connected Clockify workspace.
    Clockify {
        /// Read entries from this day on (default: since the last sync, minus a margin for
        /// late edits; six months the first time).
        #[arg(long)]
        since: Option<NaiveDate>,
    },
    /// Create Clockify webhooks (new, updated, deleted entries) towards this installation,
    /// so changes arrive without waiting for the next sync.
    ClockifyWebhooks {
        /// The public URL Clockify can reach, e.g. https://encaisse.example.com
        #[arg(long)]
        public_url: String,
    },
    /// Connect a Clockify workspace. The API key comes from ENCAISSE_CLOCKIFY_API_KEY (never a
    /// flag: it would stay in the shell history).
    ConnectClockify {
        /// The workspace id (Clockify → Workspace settings, or the URL).
        #[arg(long)]
        workspace: String,
        /// Regional server: euc1 (EU), use2 (USA), euw2 (UK), apse2 (AU). Default: global.
        #[arg(long, conflicts_with = "api_url")]
        region: Option<String>,
        /// Core API base URL (e.g. https://api.clockify.me/api), for other servers.
        #[arg(long, requires = "reports_url")]
        api_url: Option<String>,
        /// Reports API base URL (e.g. https://reports.api.clockify.me).
        #[arg(long, requires = "api_url")]
        reports_url: Option<String>,
    },
}

pub async fn run(cli: &Cli, c: &SyncCommand) -> Result<()> {
    let app = super::open(cli).await?;
    let actor = super::operator(&app, cli).await?;
    match c {
        SyncCommand::ConnectClockify {
            workspace,
            region,
            api_url,
            reports_url,
        } => {
            let key = match std::env::var("ENCAISSE_CLOCKIFY_API_KEY") {
                Ok(k) if !k.trim().is_empty() => k.trim().to_owned(),
                _ => bail!(
                    "set ENCAISSE_CLOCKIFY_API_KEY to the API key (Clockify → Profile settings → API)"
                ),
            };
            let endpoints = match (region, api_url, reports_url) {
                (Some(r), _, _) => Endpoints::regional(r),
                (None, Some(a), Some(r)) => Endpoints {
                    api: a.clone(),
                    reports: r.clone(),
                },
                _ => Endpoints::global(),
            };
            let name = app
                .connect_clockify(
                    &actor,
                    &ClockifyConnection {
                        workspace_id: workspace.clone(),
                        endpoints,
                        api_key: key,
                    },
                )
                .await?;
            println!("Connected Clockify workspace {name}. Next: `encaisse sync clockify`.");
            Ok(())
        }
        SyncCommand::ClockifyWebhooks { public_url } => {
            let n = app.register_clockify_webhooks(&actor, public_url).await?;
            println!(
                "{n} Clockify webhooks now deliver to {}/webhooks/clockify/{}",
                public_url.trim_end_matches('/'),
                actor.organization_id
            );
            Ok(())
        }
        SyncCommand::Clockify { since } => {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .context("progress template")?,
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            let b = bar.clone();
            let progress = move |p: SyncProgress| match p {
                SyncProgress::Mapping => b.set_message("reading clients, projects and rates…"),
                SyncProgress::Reading(n) => b.set_message(format!("reading entries: {n}")),
                SyncProgress::Writing { done, total } => {
                    if b.length() != Some(total as u64) {
                        b.set_length(total as u64);
                        if let Ok(s) = ProgressStyle::with_template(
                            "{bar:40} {pos}/{len} entries written [{elapsed}, eta {eta}]",
                        ) {
                            b.set_style(s);
                        }
                    }
                    b.set_position(done as u64);
                }
            };
            let r = app.sync_clockify(&actor, *since, &progress).await;
            bar.finish_and_clear();
            let r = r?;
            println!(
                "Clockify workspace {}: {} entries read, {} new, {} updated, {} unchanged, {} deleted, {} flagged for review",
                r.workspace,
                r.entries_read,
                r.inserted,
                r.updated,
                r.unchanged,
                r.deleted,
                r.flagged_for_review
            );
            for (label, list) in [
                ("clients created", &r.clients_created),
                ("clients linked by name", &r.clients_linked),
                ("projects created", &r.projects_created),
                ("projects linked by name", &r.projects_linked),
            ] {
                if !list.is_empty() {
                    println!("  {label}: {}", list.join(", "));
                }
            }
            if r.unmapped + r.not_work > 0 {
                println!(
                    "  not imported: {} without a client project, {} running timers or breaks",
                    r.unmapped, r.not_work
                );
            }
            if r.flagged_for_review > 0 {
                println!("  see `encaisse time review` for the entries changed after billing");
            }
            Ok(())
        }
    }
}
