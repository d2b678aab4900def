//! A Gmail API simulator (`shared/reference/apis.md` §5): Google's token endpoint for the
//! refresh-token grant (`POST /token`), `GET /gmail/v1/users/{user}/profile` and
//! `POST /gmail/v1/users/{user}/messages/send` with `{"raw": base64url, "threadId"?}`,
//! answering `{id, threadId, labelIds:["SENT"]}`.
//!
//! Quotas as documented: `messages.send` costs 100 units against 6,000 units per user per
//! minute; beyond, 429 `userRateLimitExceeded` (or 403, as Gmail also does — configurable).
//! Tests can ask for the next answers to be quota errors. Error bodies follow Google's
//! `{"error":{"code","message","errors":[{"domain","reason"}],"status"}}`. A `threadId` is
//! honoured when it exists and the message carries `References` or `In-Reply-To` (Gmail also
//! wants a matching subject; [inferred] the simulator does not check subjects).

mod api;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// An OAuth client and the refresh tokens it holds, by user address.
#[derive(Clone, Debug)]
pub struct GmailClient {
    pub client_id: String,
    pub client_secret: String,
    /// refresh token → the user's address.
    pub refresh_tokens: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct GmailConfig {
    pub clients: Vec<GmailClient>,
    /// Units per user per minute (Gmail: 6,000; `messages.send` costs 100).
    pub units_per_user_minute: u32,
    /// Status of quota errors: 429 or 403.
    pub quota_status: u16,
    pub token_lifetime_secs: u64,
}

impl Default for GmailConfig {
    fn default() -> Self {
        GmailConfig {
            clients: vec![GmailClient {
                client_id: "client-id.apps.googleusercontent.com".into(),
                client_secret: "client-secret".into(),
                refresh_tokens: vec![("1//refresh-token".into(), "billing@gmail.example".into())],
            }],
            units_per_user_minute: 6_000,
            quota_status: 429,
            token_lifetime_secs: 3599,
        }
    }
}

/// A message Gmail sent.
#[derive(Clone, Debug)]
pub struct GmailMessage {
    pub id: String,
    pub thread_id: String,
    pub user: String,
    /// The decoded RFC 5322 bytes.
    pub raw: Vec<u8>,
    /// The `threadId` the request asked for.
    pub requested_thread: Option<String>,
}

#[derive(Debug, Default)]
pub struct GmailState {
    pub sent: Vec<GmailMessage>,
    pub tokens_issued: u64,
    /// Requests answered with a quota error.
    pub throttled: u64,
    pub requests: u64,
    pub(crate) tokens: HashMap<String, (String, std::time::Instant)>,
    pub(crate) units: HashMap<String, (std::time::Instant, u32)>,
    pub(crate) fail_next: Vec<(u16, &'static str)>,
    pub(crate) next_id: u64,
}

pub(crate) struct Shared {
    state: Mutex<GmailState>,
    config: GmailConfig,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, GmailState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running Gmail simulator. Dropping it stops the server.
pub struct GmailSandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl GmailSandbox {
    pub async fn start(config: GmailConfig) -> std::io::Result<GmailSandbox> {
        let shared = Arc::new(Shared {
            state: Mutex::new(GmailState::default()),
            config,
        });
        let app = axum::Router::new()
            .fallback(api::handle)
            .with_state(shared.clone());
        let (addr, server) = crate::http::serve(app, "gmail").await?;
        Ok(GmailSandbox {
            addr,
            shared,
            server,
        })
    }

    /// The API root (`{url}/gmail/v1/users/…`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// Answers the next `count` API requests with a quota error: `reason` is
    /// `rateLimitExceeded` or `userRateLimitExceeded`, `status` 429 or 403.
    pub fn fail_next(&self, count: usize, status: u16, reason: &'static str) {
        let mut s = self.shared.lock();
        for _ in 0..count {
            s.fail_next.push((status, reason));
        }
    }

    /// Forgets every access token (they now answer 401).
    pub fn revoke_access_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    pub fn inspect<R>(&self, f: impl FnOnce(&GmailState) -> R) -> R {
        f(&self.shared.lock())
    }
}

impl std::fmt::Debug for GmailSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmailSandbox")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Drop for GmailSandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}
