use anyhow::Result;
use clap::Subcommand;

use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user (printed once; store it in your secret manager).
    Create {
        /// The user the token acts as.
        #[arg(long)]
        email: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "api")]
        name: String,
    },
}

pub async fn run(cli: &Cli, c: &TokenCommand) -> Result<()> {
    let TokenCommand::Create { email, name } = c;
    let app = super::open(cli).await?;
    let t = app
        .create_api_token(email, cli.org.as_deref(), name)
        .await?;
    eprintln!(
        "Token `{}` for {email} created. It is shown once; use it as `Authorization: Bearer <token>`:",
        t.record.name
    );
    println!("{}", t.token);
    Ok(())
}
