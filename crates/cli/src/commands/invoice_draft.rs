//! `encaisse invoice draft`: the period's hours into draft invoices, with a summary table.

use anyhow::Result;
use clap::Args;
use encaisse_app::App;
use encaisse_app::auth::Actor;
use encaisse_app::billing::{BillingPeriod, DraftRun};

use crate::output::{Format, print_rows};

#[derive(Args, Debug)]
pub struct DraftArgs {
    /// A month (2026-10) or a range (2026-10-01..2026-10-15); default: last month.
    #[arg(long)]
    pub period: Option<String>,
    /// Only this client (id or exact name).
    #[arg(long)]
    pub client: Option<String>,
    /// Show what would be drafted, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

const COLUMNS: [(&str, &str); 8] = [
    ("client", "Client"),
    ("currency", "Cur"),
    ("hours", "Hours"),
    ("net", "Net"),
    ("vat", "VAT"),
    ("gross", "Gross"),
    ("lines", "Lines"),
    ("outcome", "Outcome"),
];

pub async fn run(app: &App, actor: &Actor, a: &DraftArgs) -> Result<()> {
    let period = match &a.period {
        Some(p) => BillingPeriod::parse(p)?,
        None => BillingPeriod::month_before(app.today())
            .ok_or_else(|| anyhow::anyhow!("cannot tell last month from today's date"))?,
    };
    let client_id = match &a.client {
        Some(c) => Some(app.resolve_client(actor, c).await?.id),
        None => None,
    };
    let r = app
        .draft_invoices(
            actor,
            &DraftRun {
                period,
                client_id,
                dry_run: a.dry_run,
            },
        )
        .await?;
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    print_rows(&r.drafts, a.format, &COLUMNS)?;
    if a.format == Format::Table {
        let what = if r.dry_run {
            "would be drafted (dry run: nothing written)"
        } else {
            "drafted"
        };
        println!("period {}: {} draft(s) {what}", r.period, r.drafts.len());
        for (reason, n) in &r.skipped {
            println!(
                "  {n} entr{} not billed: {reason}",
                if *n == 1 { "y" } else { "ies" }
            );
        }
        if r.waiting_for_milestone > 0 {
            println!(
                "  {} entries of fixed-fee projects wait for a milestone",
                r.waiting_for_milestone
            );
        }
        for b in &r.blocked {
            eprintln!(
                "  {} ({} entries) not billed: {}",
                b.client, b.entries, b.reason
            );
        }
    }
    Ok(())
}
