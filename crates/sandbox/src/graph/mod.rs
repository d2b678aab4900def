//! A Microsoft Graph mail simulator (`shared/reference/apis.md` §4): the identity platform's
//! client-credentials token endpoint (`POST /{tenant}/oauth2/v2.0/token`) and, under `/v1.0`,
//! `GET /users/{id}`, message creation from JSON or from base64 MIME (`text/plain`),
//! file attachments, upload sessions with ranged PUTs on a pre-authenticated URL, and
//! `POST …/messages/{id}/send` (202, no body).
//!
//! Throttling as documented: more than four concurrent requests on one mailbox get 429 with
//! `Retry-After` and an `ApplicationThrottled` body; tests can also ask for the next answers
//! to be 429 or 503. Error bodies are Graph's `{"error":{"code","message","innerError"}}`.
//! Everything received is kept for the tests to inspect.

mod api;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// An application registration allowed to get tokens.
#[derive(Clone, Debug)]
pub struct GraphApp {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
}

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct GraphConfig {
    pub apps: Vec<GraphApp>,
    /// Mailboxes that exist (principal names); the first is the default sender.
    pub mailboxes: Vec<String>,
    /// Concurrent requests per mailbox before 429 `ApplicationThrottled` (Graph: 4).
    pub mailbox_concurrency: usize,
    /// Time each mailbox request takes, so that concurrency can be observed.
    pub latency: Duration,
    /// `Retry-After` of throttled answers, in seconds.
    pub retry_after_secs: u64,
    /// Seconds an access token lives.
    pub token_lifetime_secs: u64,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            apps: vec![GraphApp {
                tenant_id: "contoso-tenant".into(),
                client_id: "app-id".into(),
                client_secret: "app-secret".into(),
            }],
            mailboxes: vec!["billing@contoso.example".into()],
            mailbox_concurrency: 4,
            latency: Duration::ZERO,
            retry_after_secs: 1,
            token_lifetime_secs: 3599,
        }
    }
}

/// A message as Graph holds it.
#[derive(Clone, Debug, Default)]
pub struct GraphMessage {
    pub id: String,
    pub mailbox: String,
    pub internet_message_id: String,
    pub conversation_id: String,
    pub subject: String,
    /// The MIME bytes, when created from MIME.
    pub mime: Option<Vec<u8>>,
    /// The JSON body, when created from JSON.
    pub json: Option<serde_json::Value>,
    /// (name, content type, bytes), inline or uploaded.
    pub attachments: Vec<(String, String, Vec<u8>)>,
    pub sent: bool,
}

/// One request, as received.
#[derive(Clone, Debug)]
pub struct GraphRequest {
    pub method: String,
    pub path: String,
    pub authorized: bool,
    pub status: u16,
}

#[derive(Debug)]
pub(crate) struct UploadSession {
    pub message_id: String,
    pub name: String,
    pub content_type: String,
    pub size: usize,
    pub received: Vec<u8>,
}

/// Everything the server holds.
#[derive(Debug, Default)]
pub struct GraphState {
    pub messages: Vec<GraphMessage>,
    pub requests: Vec<GraphRequest>,
    /// Highest number of concurrent requests seen per mailbox (throttled ones included).
    pub peak_concurrency: HashMap<String, usize>,
    pub throttled: u64,
    pub tokens_issued: u64,
    pub(crate) tokens: HashMap<String, (String, std::time::Instant)>,
    pub(crate) delegated: HashMap<String, String>,
    pub(crate) in_flight: HashMap<String, usize>,
    pub(crate) uploads: HashMap<String, UploadSession>,
    pub(crate) fail_next: Vec<(u16, u64)>,
    pub(crate) next_id: u64,
}

impl GraphState {
    pub fn message(&self, id: &str) -> Option<&GraphMessage> {
        self.messages.iter().find(|m| m.id == id)
    }

    pub fn sent(&self) -> Vec<&GraphMessage> {
        self.messages.iter().filter(|m| m.sent).collect()
    }
}

pub(crate) struct Shared {
    state: Mutex<GraphState>,
    config: GraphConfig,
    base: Mutex<String>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, GraphState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running Graph simulator. Dropping it stops the server.
pub struct GraphSandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl GraphSandbox {
    pub async fn start(config: GraphConfig) -> std::io::Result<GraphSandbox> {
        let shared = Arc::new(Shared {
            state: Mutex::new(GraphState::default()),
            config,
            base: Mutex::new(String::new()),
        });
        let app = axum::Router::new()
            .fallback(api::handle)
            .with_state(shared.clone());
        let (addr, server) = crate::http::serve(app, "graph").await?;
        *shared.base.lock().unwrap_or_else(|p| p.into_inner()) = format!("http://{addr}");
        Ok(GraphSandbox {
            addr,
            shared,
            server,
        })
    }

    /// The login host root: tokens at `{login_url}/{tenant}/oauth2/v2.0/token`.
    pub fn login_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Graph root, `…/v1.0`.
    pub fn graph_url(&self) -> String {
        format!("http://{}/v1.0", self.addr)
    }

    /// Accepts `token` as a delegated token of `mailbox` (a user's sign-in done elsewhere).
    pub fn add_delegated_token(&self, token: &str, mailbox: &str) {
        self.shared
            .lock()
            .delegated
            .insert(token.to_owned(), mailbox.to_owned());
    }

    /// Answers the next `count` mailbox requests with `status` (429 or 503) and `Retry-After`.
    pub fn fail_next(&self, count: usize, status: u16, retry_after_secs: u64) {
        let mut s = self.shared.lock();
        for _ in 0..count {
            s.fail_next.push((status, retry_after_secs));
        }
    }

    /// Forgets every issued token (they now answer 401).
    pub fn revoke_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    pub fn inspect<R>(&self, f: impl FnOnce(&GraphState) -> R) -> R {
        f(&self.shared.lock())
    }
}

impl std::fmt::Debug for GraphSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphSandbox")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Drop for GraphSandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}
