//! `encaisse invoice submit | approve | reject | waiting`: the approval circuit from the
//! command line. Approval is personal: the operator names the person with `--as EMAIL`, and
//! the circuit's rules apply to that person (role, own drafts, levels, delegations).

use anyhow::Result;
use clap::Args;
use encaisse_app::App;
use encaisse_app::auth::Actor;
use encaisse_app::validation::QueueItem;
use encaisse_app::views::InvoiceListItem;
use encaisse_core::language::Language;
use serde::Serialize;

use crate::Cli;
use crate::output::{Format, print_rows};

#[derive(Args, Debug)]
pub struct SubmitArgs {
    /// Invoice id (drafts have no number yet).
    pub invoice: String,
    /// The person submitting (e-mail of a member).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_user: String,
}

#[derive(Args, Debug)]
pub struct ApproveArgs {
    pub invoice: String,
    /// The approver (e-mail of a member).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_user: String,
    /// A comment kept in the invoice's history.
    #[arg(long)]
    pub comment: Option<String>,
}

#[derive(Args, Debug)]
pub struct RejectArgs {
    pub invoice: String,
    /// The approver (e-mail of a member).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_user: String,
    /// Why the draft is rejected: sent back to its authors.
    #[arg(long)]
    pub comment: String,
}

#[derive(Args, Debug)]
pub struct WaitingArgs {
    /// Whose inbox (e-mail of a member).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_user: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

async fn person(app: &App, cli: &Cli, email: &str) -> Result<Actor> {
    let org = app.organization_by_slug_or_only(cli.org.as_deref()).await?;
    Ok(app.member_actor(org.id, email).await?)
}

pub async fn submit(app: &App, cli: &Cli, a: &SubmitArgs) -> Result<()> {
    let who = person(app, cli, &a.as_user).await?;
    let id = app.resolve_invoice(&who, &a.invoice).await?;
    let inv = app.submit_invoice(&who, id).await?;
    println!("{id}: {}", inv.status);
    Ok(())
}

pub async fn approve(app: &App, cli: &Cli, a: &ApproveArgs) -> Result<()> {
    let who = person(app, cli, &a.as_user).await?;
    let id = app.resolve_invoice(&who, &a.invoice).await?;
    let inv = app
        .approve_invoice_with(&who, id, a.comment.as_deref())
        .await?;
    println!("{id}: {}", inv.status);
    Ok(())
}

pub async fn reject(app: &App, cli: &Cli, a: &RejectArgs) -> Result<()> {
    let who = person(app, cli, &a.as_user).await?;
    let id = app.resolve_invoice(&who, &a.invoice).await?;
    let inv = app.reject_invoice(&who, id, &a.comment).await?;
    println!("{id}: {}", inv.status);
    Ok(())
}

/// One line of `invoice waiting`.
#[derive(Serialize)]
struct WaitingRow {
    #[serde(flatten)]
    invoice: InvoiceListItem,
    level: String,
    submitted_by: String,
    rules: String,
}

pub async fn waiting(app: &App, cli: &Cli, a: &WaitingArgs) -> Result<()> {
    let who = person(app, cli, &a.as_user).await?;
    let items: Vec<QueueItem> = app.waiting_for_me(&who).await?;
    let rows: Vec<WaitingRow> = items
        .iter()
        .map(|q| WaitingRow {
            invoice: InvoiceListItem::from(&q.invoice),
            level: format!("{}/{}", q.level, q.levels),
            submitted_by: q.submitted_by.clone(),
            rules: q
                .results
                .iter()
                .map(|r| {
                    format!(
                        "{} {}: {}",
                        r.severity.as_str(),
                        r.rule.as_str(),
                        r.why(Language::En)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    print_rows(
        &rows,
        a.format,
        &[
            ("id", "Id"),
            ("client", "Client"),
            ("gross", "Gross"),
            ("currency", "Cur"),
            ("level", "Level"),
            ("submitted_by", "Submitted by"),
            ("rules", "Rules"),
        ],
    )
}
