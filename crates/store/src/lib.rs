//! # encaisse-store — persistence on SQLite and PostgreSQL
//!
//! Owns the database: the schema and its forward-only migrations (one folder per backend,
//! `migrations/sqlite` and `migrations/postgres`), the repositories of every domain object,
//! gapless number allocation, the hash-chained audit trail, the job queue and the outbox, and
//! the documents of issued invoices (stored once at issue, never replaced).
//!
//! Shape: one adapter with portable SQL. [`Store`] holds either a SQLite pool pair (one writer
//! connection, several readers, WAL) or a PostgreSQL pool; a [`Tx`] wraps a transaction of
//! either. Each repository function is written once; the `on_conn!` macro type-checks its body
//! against both drivers. Where the dialects differ (row locks, `SKIP LOCKED`) the function
//! matches on the backend explicitly.
//!
//! Invariants:
//! - every query on tenant data filters by `organization_id`;
//! - money is stored as BIGINT minor units, exact decimals as TEXT, hashed JSON as TEXT;
//! - a number is allocated in the transaction that issues the document, so a rollback never
//!   leaves a gap;
//! - audit events are only appended, each carrying the SHA-256 of the previous one.
//!
//! Called by `encaisse-app` only (and by tests). It decides nothing about the business: it
//! stores what `core` decided.

#[macro_use]
mod db;

pub mod alerts;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod bank;
pub mod billing_terms;
pub mod clients;
pub mod connectors;
pub mod documents;
mod error;
pub mod invoices;
pub mod notifications;
pub mod organizations;
pub mod payments;
pub mod projects;
pub mod queue;
pub mod reconciliation;
pub mod reporting;
pub mod sequences;
pub mod testing;
pub mod time_entries;
pub mod time_sync;

pub use db::{Backend, Store, Tx};
pub use error::StoreError;

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
