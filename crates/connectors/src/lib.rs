//! # encaisse-connectors — the outside world's time sheets, brought in
//!
//! Owns the adapters that read hours from elsewhere:
//! - [`clockify`]: a client of Clockify's documented REST API (core and Reports hosts, global
//!   and regional base URLs), with pagination, the detailed report, marking entries invoiced,
//!   webhook creation and the static-token check of incoming webhooks;
//! - [`qonto`]: a client of Qonto's Business API v2 (production, staging with its token, or any
//!   base URL): API-key and OAuth 2.0 (PKCE, refresh before expiry, rotating refresh tokens
//!   saved through a caller's [`qonto::oauth::TokenStore`]), organization and bank accounts,
//!   transactions with every documented filter, incremental sync by `updated_at`, webhook
//!   subscriptions, the `X-Qonto-Signature` check, and the mapping to `encaisse-bank`'s
//!   [`encaisse_bank::BankTransaction`];
//! - [`timesheet`]: file adapters for time-sheet exports (Clockify detailed CSV, Toggl Track,
//!   Kimai, any CSV with a column mapping), decoding encodings and separators;
//! - [`transport`]: the HTTP transport every API client here shares (and Qonto and Bexio will):
//!   timeouts, a request rate, retries with exponential backoff and jitter on 429/5xx,
//!   honouring `Retry-After`.
//!
//! Invariants:
//! - no database, no business decision: this crate turns remote data into plain values
//!   (`core` types or this crate's DTOs) and back; `encaisse-app` decides what to do with them;
//! - no panic on bad input: a malformed file or answer is an error naming where and what;
//! - secrets (API keys, webhook tokens) never appear in errors or logs.
//!
//! Called by `encaisse-app` only. Depends on `encaisse-core`, `encaisse-bank` (for its I/O-free
//! statement model) and external crates.

pub mod clockify;
pub mod iso_duration;
pub mod qonto;
pub mod timesheet;
pub mod transport;
