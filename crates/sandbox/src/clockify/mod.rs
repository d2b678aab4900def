//! A Clockify simulator: the core API (`/api/v1/…`) and the Reports API (`/report/v1/…`, and
//! `/reports/v1/…` standing for the global reports host), both also under a regional prefix
//! (`/euc1/api/v1/…`, `/euc1/report/v1/…`) for workspaces that live on a regional server.
//!
//! Behaviour follows `shared/reference/apis.md` §1: `X-Api-Key` auth with Clockify's 401
//! bodies (code 1000 for none or several auth headers, 4003 for an unknown key), bare JSON
//! arrays paged by `page`/`page-size` with the `Last-Page` header, ISO 8601 durations on the
//! core host and integer seconds in reports, rates in cents snapshotted on each entry by
//! Clockify's precedence, per-user time filters read as wall-clock time in the workspace's
//! time zone, `PATCH …/time-entries/invoiced`, not-found as 400 code 501, 429 with
//! `Retry-After` beyond the configured request rate, and webhook delivery with the
//! `Clockify-Signature` token header (retried, then disabled).

mod api;
mod reports;
mod state;
mod time_entries;
mod webhooks;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

pub use state::{
    ClientRec, EntryRec, ProjectRec, Rng, TaskRec, UserRec, WebhookRec, WorkspaceRec,
    WorkspaceSeed, object_id, seed_workspace,
};
pub use webhooks::Delivery;

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Requests per second allowed per API key before answering 429; `None`: no limit.
    pub requests_per_second: Option<f64>,
    /// Requests allowed at once above the rate.
    pub burst: u32,
    /// Webhook delivery attempts before the webhook's delivery is disabled.
    pub webhook_attempts: u32,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            requests_per_second: None,
            burst: 50,
            webhook_attempts: 3,
        }
    }
}

/// A workspace to seed and the API key of its owner.
#[derive(Clone, Debug)]
pub struct SeededWorkspace {
    pub seed: WorkspaceSeed,
    pub api_key: String,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

#[derive(Debug, Default)]
struct Throttle {
    after: u64,
    remaining: u32,
    retry_after_secs: u64,
}

/// Everything the server holds.
#[derive(Debug, Default)]
pub struct SandboxState {
    pub workspaces: Vec<WorkspaceRec>,
    /// API key → (workspace index, user index).
    pub keys: HashMap<String, (usize, usize)>,
    buckets: HashMap<String, Bucket>,
    throttle: Option<Throttle>,
    /// Filtered entry indices of recent report/list queries, by query (pages reuse them).
    cache: HashMap<String, Arc<Vec<u32>>>,
    pub deliveries: Vec<Delivery>,
}

impl SandboxState {
    pub fn workspace(&self, id: &str) -> Option<&WorkspaceRec> {
        self.workspaces.iter().find(|w| w.id == id)
    }

    fn workspace_mut(&mut self, id: &str) -> Option<&mut WorkspaceRec> {
        self.workspaces.iter_mut().find(|w| w.id == id)
    }
}

pub(crate) struct Shared {
    state: Mutex<SandboxState>,
    config: SandboxConfig,
    http: reqwest::Client,
    requests: AtomicU64,
    throttled: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, SandboxState> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running simulator. Dropping it stops the server.
pub struct ClockifySandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl ClockifySandbox {
    /// Seeds the workspaces and serves them on `127.0.0.1` on an ephemeral port.
    pub async fn start(
        config: SandboxConfig,
        workspaces: Vec<SeededWorkspace>,
    ) -> std::io::Result<ClockifySandbox> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut state = SandboxState::default();
        for (i, w) in workspaces.iter().enumerate() {
            state.workspaces.push(seed_workspace(&w.seed));
            state.keys.insert(w.api_key.clone(), (i, 0));
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
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
                tracing::warn!(error = %e, "clockify sandbox stopped");
            }
        });
        Ok(ClockifySandbox {
            addr,
            shared,
            server,
        })
    }

    /// `http://127.0.0.1:PORT`: the root under which `/api` and `/report` answer.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The root of a regional server (`{url}/euc1`).
    pub fn regional_url(&self, region: &str) -> String {
        format!("http://{}/{region}", self.addr)
    }

    /// The id of the `n`-th seeded workspace.
    pub fn workspace_id(&self, n: usize) -> Option<String> {
        self.shared.lock().workspaces.get(n).map(|w| w.id.clone())
    }

    /// Reads the state.
    pub fn inspect<R>(&self, f: impl FnOnce(&SandboxState) -> R) -> R {
        f(&self.shared.lock())
    }

    /// Changes a workspace directly (test set-up), clearing cached queries.
    pub fn configure(&self, workspace: &str, f: impl FnOnce(&mut WorkspaceRec)) -> bool {
        let mut s = self.shared.lock();
        s.cache.clear();
        match s.workspace_mut(workspace) {
            Some(w) => {
                f(w);
                true
            }
            None => false,
        }
    }

    /// Edits an entry as a user would in Clockify (the rate is snapshotted again and
    /// `TIME_ENTRY_UPDATED` is delivered). `false` when no such entry.
    pub fn edit_entry(&self, workspace: &str, entry: &str, f: impl FnOnce(&mut EntryRec)) -> bool {
        time_entries::edit_entry(&self.shared, workspace, entry, f)
    }

    /// Deletes an entry as a user would (`TIME_ENTRY_DELETED` is delivered).
    pub fn delete_entry(&self, workspace: &str, entry: &str) -> bool {
        time_entries::delete_entry(&self.shared, workspace, entry)
    }

    /// Whether an entry is marked invoiced.
    pub fn is_invoiced(&self, workspace: &str, entry: &str) -> Option<bool> {
        let s = self.shared.lock();
        let w = s.workspace(workspace)?;
        w.entry_index(entry).map(|i| w.entries[i].invoiced)
    }

    /// After `after` more requests, answer the next `count` with 429 and `Retry-After`.
    pub fn throttle_after(&self, after: u64, count: u32, retry_after_secs: u64) {
        self.shared.lock().throttle = Some(Throttle {
            after,
            remaining: count,
            retry_after_secs,
        });
    }

    /// Requests served so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// 429 answers sent so far.
    pub fn throttled(&self) -> u64 {
        self.shared.throttled.load(Ordering::Relaxed)
    }

    /// Webhook deliveries attempted so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.lock().deliveries.clone()
    }

    /// Adds an API key for a workspace's user.
    pub fn add_key(&self, key: &str, workspace: usize, user: usize) {
        self.shared
            .lock()
            .keys
            .insert(key.to_owned(), (workspace, user));
    }
}

impl std::fmt::Debug for ClockifySandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClockifySandbox")
            .field("url", &self.url())
            .finish()
    }
}

impl Drop for ClockifySandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}
