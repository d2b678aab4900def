//! One module per command group; each turns arguments into a use-case call.

pub mod approval;
pub mod audit;
pub mod bank;
pub mod client;
pub mod config;
pub mod documents;
pub mod export;
pub mod invoice;
pub mod invoice_draft;
pub mod org;
pub mod setup;
pub mod sync;
pub mod time;
pub mod token;

use anyhow::Result;
use encaisse_app::App;
use encaisse_app::auth::Actor;
use encaisse_app::config::{Config, Overrides};

use crate::{Cli, Command};

/// Loads the configuration from the global flags.
pub fn load_config(cli: &Cli) -> Result<Config> {
    let overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
    };
    Ok(Config::load(cli.config.as_deref(), &overrides)?)
}

fn init_tracing(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&cfg.log))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Opens the app (migrating the database).
pub async fn open(cli: &Cli) -> Result<App> {
    let cfg = load_config(cli)?;
    init_tracing(&cfg);
    Ok(App::open(cfg).await?)
}

/// The operator acting from the command line, with full rights on the chosen organization.
pub async fn operator(app: &App, cli: &Cli) -> Result<Actor> {
    let org = app.organization_by_slug_or_only(cli.org.as_deref()).await?;
    let who = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    Ok(Actor::system(org.id, &format!("cli:{who}")))
}

pub async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Init(a) => setup::init(&cli, a).await,
        Command::Demo(a) => setup::demo(&cli, a).await,
        Command::Serve(a) => setup::serve(&cli, a).await,
        Command::Invoice(c) => invoice::run(&cli, c).await,
        Command::Client(c) => client::run(&cli, c).await,
        Command::Export(c) => export::run(&cli, c).await,
        Command::Org(c) => org::run(&cli, c).await,
        Command::Audit(c) => audit::run(&cli, c).await,
        Command::Token(c) => token::run(&cli, c).await,
        Command::Config(c) => config::run(&cli, c),
        Command::Time(c) => time::run(&cli, c).await,
        Command::Sync(c) => sync::run(&cli, c).await,
        Command::Worker(a) => setup::worker(&cli, a).await,
        Command::Bank(c) => bank::run_bank(&cli, c).await,
        Command::Reconcile(a) => bank::run_reconcile(&cli, a).await,
        Command::Alerts(a) => bank::run_alerts(&cli, a).await,
    }
}
