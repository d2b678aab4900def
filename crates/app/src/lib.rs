//! # encaisse-app — the use cases
//!
//! The one place that composes `encaisse-store` with the pure rules of `encaisse-core` (and,
//! as they arrive, the adapters: documents, bank, mail, connectors). `encaisse-web` and the
//! `encaisse` binary are thin: they parse input, call a use case here, render the result.
//!
//! Invariants:
//! - each state change runs in one store transaction together with its audit event;
//! - every use case is scoped to one organization and checks the actor's permission;
//! - "now" comes from the [`clock::Clock`] given to [`App`], never from the system directly,
//!   so tests and the demo can run at any date.

pub mod alerts;
pub mod auth;
pub mod bank_import;
pub mod billing;
pub mod billing_settings;
pub mod clock;
pub mod clockify_sync;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod demo_bank;
pub mod demo_clockify;
mod directory;
pub mod document_settings;
pub mod documents;
pub mod draft_edits;
mod error;
pub mod exports;
pub mod history;
pub mod invoices;
pub mod jobs;
pub mod receivables_import;
pub mod reconciliation;
pub mod reconciliation_review;
pub mod secrets;
pub mod setup;
pub mod time_import;
mod time_mapping;
pub mod validation;
pub mod views;

use std::sync::Arc;

pub use encaisse_store::Store;
pub use error::AppError;

use clock::Clock;

/// Result of a use case.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The application: a store, a clock and the configuration.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<config::Config>,
    clock: Arc<dyn Clock>,
    secrets: Arc<std::sync::OnceLock<secrets::SecretBox>>,
}

impl App {
    pub fn new(store: Store, config: config::Config, clock: Arc<dyn Clock>) -> App {
        App {
            store,
            config: Arc::new(config),
            clock,
            secrets: Arc::default(),
        }
    }

    /// The box sealing stored secrets, loaded on first use (see [`secrets`]).
    pub fn secrets(&self) -> Result<&secrets::SecretBox> {
        if let Some(b) = self.secrets.get() {
            return Ok(b);
        }
        let loaded = secrets::SecretBox::load(&self.config)?;
        Ok(self.secrets.get_or_init(|| loaded))
    }

    /// Opens the configured database, applies migrations and returns the app.
    pub async fn open(config: config::Config) -> Result<App> {
        let url = config.database_url()?;
        let store = Store::connect(&url).await?;
        store.migrate().await?;
        Ok(App::new(store, config, Arc::new(clock::SystemClock)))
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today in the installation's time zone (where invoices are dated).
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock
            .now()
            .with_timezone(&self.config.timezone())
            .date_naive()
    }
}
