use anyhow::Result;
use clap::Subcommand;
use encaisse_app::views::ClientView;
use encaisse_store::clients::ClientFilter;

use crate::Cli;
use crate::output::{Format, print_rows};

#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// List clients.
    List {
        /// Only clients whose name contains this text.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 500)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show one client (by id or exact name).
    Show {
        client: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

const COLUMNS: [(&str, &str); 7] = [
    ("name", "Client"),
    ("country", "Country"),
    ("city", "City"),
    ("currency", "Currency"),
    ("payment_terms_days", "Terms (days)"),
    ("vat_id", "VAT id"),
    ("email", "E-mail"),
];

pub async fn run(cli: &Cli, c: &ClientCommand) -> Result<()> {
    let app = super::open(cli).await?;
    let actor = super::operator(&app, cli).await?;
    match c {
        ClientCommand::List {
            search,
            limit,
            format,
        } => {
            let rows = app
                .list_clients(
                    &actor,
                    &ClientFilter {
                        search: search.clone(),
                        limit: *limit,
                        offset: 0,
                    },
                )
                .await?;
            let views: Vec<ClientView> = rows.iter().map(ClientView::from).collect();
            print_rows(&views, *format, &COLUMNS)
        }
        ClientCommand::Show { client, format } => {
            let c = app.resolve_client(&actor, client).await?;
            let view = ClientView::from(&c);
            match format {
                Format::Table => {
                    let v = serde_json::to_value(&view)?;
                    if let serde_json::Value::Object(m) = v {
                        for (k, v) in m {
                            println!(
                                "{k:<24} {}",
                                v.as_str()
                                    .map(str::to_owned)
                                    .unwrap_or_else(|| v.to_string())
                            );
                        }
                    }
                    Ok(())
                }
                Format::Json => {
                    println!("{}", serde_json::to_string_pretty(&view)?);
                    Ok(())
                }
                Format::Csv => print_rows(&[view], Format::Csv, &COLUMNS),
            }
        }
    }
}
