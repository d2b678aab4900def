//! A Qonto Business API v2 simulator: `/v2/organization`, `/v2/bank_accounts`,
//! `/v2/transactions` (every documented filter, `page`/`per_page` with `meta`),
//! `/v2/webhook_subscriptions` (OAuth only), the OAuth server (`/oauth2/auth`,
//! `/oauth2/token`, `/oauth2/revoke`), and a test/admin API under `/_sandbox/`.
//!
//! Behaviour follows `shared/reference/apis.md` §2: API keys as
//! `Authorization: {login}:{secret-key}`; OAuth bearer tokens with scopes (403 when one is
//! missing, 403 for API keys on webhook subscriptions); authorization code + PKCE S256;
//! refresh-token rotation with a grace period after which the used token is refused;
//! JSON:API error bodies (401/403/404/422/429); 429 with `Retry-After` beyond a request
//! window; the staging profile requiring `X-Qonto-Staging-Token`; signed webhook delivery
//! (`X-Qonto-Signature: t=…,v1=…`). Time inside the simulator (token expiry, settlement,
//! `updated_at`) runs on a clock that only moves when told to, so tests never sleep.

mod admin;
mod api;
mod oauth;
mod state;
mod transactions;
mod webhooks;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use state::{OAuthClientRec, QontoSeed, QontoState, TxStatus, uuid_like};
pub use transactions::NewTransaction;
pub use webhooks::{Delivery, sign};

/// A request window: at most `requests` per `window`, then 429.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub window: Duration,
}

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct QontoSandboxConfig {
    /// The staging profile: every `/v2` and token call must carry this
    /// `X-Qonto-Staging-Token`. `None`: the production profile.
    pub staging_token: Option<String>,
    /// `None`: no limit (Qonto's is 1,000 requests per 10 s per IP).
    pub rate_limit: Option<RateLimit>,
    /// Access-token lifetime, simulated seconds (Qonto: one hour).
    pub access_token_seconds: i64,
    /// How long a used refresh token keeps working, simulated seconds (Qonto: 60).
    pub refresh_grace_seconds: i64,
    /// `/oauth2/auth` approves at once; otherwise it redirects with `access_denied`.
    pub auto_approve: bool,
    /// Webhook delivery attempts.
    pub webhook_attempts: u32,
}

impl Default for QontoSandboxConfig {
    fn default() -> Self {
        QontoSandboxConfig {
            staging_token: None,
            rate_limit: None,
            access_token_seconds: 3600,
            refresh_grace_seconds: 60,
            auto_approve: true,
            webhook_attempts: 3,
        }
    }
}

#[derive(Debug, Default)]
struct Throttle {
    after: u64,
    remaining: u32,
    retry_after_secs: u64,
}

#[derive(Debug)]
struct Limits {
    throttle: Option<Throttle>,
    /// After this many more `/v2` requests, move the clock by this much before serving the
    /// next one (to change data in the middle of a client's paging).
    scheduled_advance: Option<(u64, chrono::Duration)>,
    window_start: Instant,
    window_count: u32,
}

pub(crate) struct Shared {
    state: Mutex<QontoState>,
    limits: Mutex<Limits>,
    config: QontoSandboxConfig,
    http: reqwest::Client,
    requests: AtomicU64,
    throttled: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, QontoState> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn limits(&self) -> MutexGuard<'_, Limits> {
        self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running simulator. Dropping it stops the server.
pub struct QontoSandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl QontoSandbox {
    /// Seeds the organization and serves it on `127.0.0.1` on an ephemeral port.
    pub async fn start(
        config: QontoSandboxConfig,
        seed: QontoSeed,
    ) -> std::io::Result<QontoSandbox> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(QontoState::new(&seed)),
            limits: Mutex::new(Limits {
                throttle: None,
                scheduled_advance: None,
                window_start: Instant::now(),
                window_count: 0,
            }),
            config,
            http,
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = axum::Router::new()
            .fallback(api::handle)
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "qonto sandbox stopped");
            }
        });
        Ok(QontoSandbox {
            addr,
            shared,
            server,
        })
    }

    /// `http://127.0.0.1:PORT`: the root of `/v2`, `/oauth2` and `/_sandbox`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API key as `(organization login, secret key)`.
    pub fn api_key(&self) -> (String, String) {
        let s = self.shared.lock();
        (s.slug.clone(), s.secret_key.clone())
    }

    /// The ids of the bank accounts, main first.
    pub fn bank_account_ids(&self) -> Vec<String> {
        self.shared
            .lock()
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .collect()
    }

    /// The simulated now.
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.lock().now
    }

    /// Moves the simulated clock: due pending transactions settle, decline or reverse (and
    /// are announced to webhook subscriptions). Returns the changed `transaction_id`s.
    pub fn advance_clock(&self, by: chrono::Duration) -> Vec<String> {
        admin::advance(&self.shared, by).0
    }

    /// Adds a transaction (announced as `created`); returns it as the API shows it.
    pub fn add_transaction(&self, n: &NewTransaction) -> Result<serde_json::Value, String> {
        admin::add_transaction(&self.shared, n)
    }

    /// Reads the state.
    pub fn inspect<R>(&self, f: impl FnOnce(&QontoState) -> R) -> R {
        f(&self.shared.lock())
    }

    /// After `after` more `/v2` requests, answer the next `count` with 429 and `Retry-After`.
    pub fn throttle_after(&self, after: u64, count: u32, retry_after_secs: u64) {
        self.shared.limits().throttle = Some(Throttle {
            after,
            remaining: count,
            retry_after_secs,
        });
    }

    /// After `after` more `/v2` requests, moves the clock by `by` before serving the next one,
    /// as if time passed in the middle of a client's paging.
    pub fn advance_clock_after_requests(&self, after: u64, by: chrono::Duration) {
        self.shared.limits().scheduled_advance = Some((after, by));
    }

    /// Requests served so far (all paths).
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// 429 answers sent so far.
    pub fn throttled(&self) -> u64 {
        self.shared.throttled.load(Ordering::Relaxed)
    }

    /// Refresh grants answered with new tokens so far.
    pub fn refresh_grants(&self) -> u64 {
        self.shared.lock().refresh_grants
    }

    /// Webhook deliveries finished so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.lock().deliveries.clone()
    }
}

impl std::fmt::Debug for QontoSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QontoSandbox")
            .field("url", &self.url())
            .finish()
    }
}

impl Drop for QontoSandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}
