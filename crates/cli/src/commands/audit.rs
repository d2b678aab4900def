use anyhow::{Result, bail};
use clap::Subcommand;

use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check every organization's hash chain; names the first altered, deleted or inserted event.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cli: &Cli, c: &AuditCommand) -> Result<()> {
    let AuditCommand::Verify { json } = c;
    let app = super::open(cli).await?;
    let reports = app.verify_audit().await?;
    if *json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    let mut broken = 0;
    for r in &reports {
        match &r.broken {
            None if !json => println!(
                "ok      {}: {} events, chain intact",
                r.organization_id, r.events
            ),
            None => {}
            Some(b) => {
                broken += 1;
                if !json {
                    println!(
                        "BROKEN  {}: after {} valid events — {}",
                        r.organization_id, r.events, b.detail
                    );
                }
            }
        }
    }
    if broken > 0 {
        bail!(
            "the audit trail of {broken} organization(s) was tampered with; keep this database as evidence and restore the last backup"
        );
    }
    Ok(())
}
