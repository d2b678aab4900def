//! # encaisse-sandbox — the outside world, simulated on loopback
//!
//! Owns faithful local simulators of the services encaisse talks to, so that the real
//! clients of `encaisse-connectors` are tested over real HTTP and `encaisse demo` runs the
//! whole flow without the Internet. Today: [`clockify`] (core and Reports APIs, global and
//! regional prefixes, pagination, auth failures with Clockify's error bodies, 429 with
//! `Retry-After` beyond a request rate, the invoiced PATCH, webhook delivery with the token
//! header), seeded deterministically and able to hold a million entries; [`qonto`]
//! (Business API v2 accounts and transactions with `meta` pagination, API-key and OAuth
//! authentication with PKCE and refresh-token rotation, JSON:API errors, 429 with
//! `Retry-After`, the staging token, webhook subscriptions with HMAC-signed delivery, and a
//! clock moved by tests to settle, decline or reverse pending transactions); [`graph`] (Microsoft
//! Graph mail: client-credentials tokens, create/send, MIME creation, upload sessions, the
//! 4-concurrent-requests-per-mailbox limit, 429/503 with `Retry-After`); [`gmail`] (refresh
//! tokens, `messages.send` with threads, per-user quota answered 429/403).
//!
//! Invariants:
//! - same paths, field names, units and error shapes as the documented service (see
//!   `shared/reference/apis.md`); where the documentation is silent, the choice is written
//!   beside the code as "[inferred]";
//! - deterministic: the same seed gives the same ids and data on every machine;
//! - binds to loopback only, on an ephemeral port unless told otherwise.
//!
//! Used by the tests of `encaisse-connectors` and `encaisse-app`, and by `encaisse demo`.
//! Depends on `encaisse-core` and external crates only.

pub mod clockify;
pub mod gmail;
pub mod graph;
mod http;
pub mod qonto;
