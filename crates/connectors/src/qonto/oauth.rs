//! OAuth 2.0 authorization-code flow with PKCE (S256) against Qonto's OAuth server, refresh
//! before expiry, and refresh-token rotation.
//!
//! Flow: [`authorization_request`] gives the URL to redirect the user's browser to (never
//! fetch it server-side), plus the `state` and PKCE verifier to keep in the user's session;
//! the callback brings `code` and `state` ([`state_matches`]); [`OAuthSession::exchange_code`]
//! turns the code (valid 10 minutes) into tokens. Access tokens live one hour; refresh tokens
//! 90 days and only with `offline_access`.
//!
//! Rotation: every refresh returns a new refresh token and Qonto invalidates the old one after
//! a 60-second grace period. The session therefore **saves the new token set through the
//! [`TokenStore`] before it forgets the old one**: if saving fails, the old set stays in use
//! (it is still valid during the grace period) and the error is returned. Refreshes are
//! single-flight: one refresh at a time per session, and a caller that waited re-reads the
//! fresh token instead of spending the rotated refresh token again.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use reqwest::Url;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::error::{AuthMode, QontoError};
use crate::transport::Transport;

/// Scopes encaisse asks for: read the organization, accounts and transactions, manage webhook
/// subscriptions, and keep access (`offline_access` gives the refresh token).
pub const DEFAULT_SCOPES: [&str; 3] = ["offline_access", "organization.read", "webhook"];

/// An OAuth client registered in Qonto's developer portal.
#[derive(Clone)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// What to keep in the user's session between the redirect and the callback.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// Where to send the browser (302).
    pub url: String,
    /// Compare with the callback's `state` ([`state_matches`]).
    pub state: String,
    /// Give to [`OAuthSession::exchange_code`].
    pub code_verifier: String,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn random_token(len: usize) -> String {
    const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(UNRESERVED[rng.random_range(0..UNRESERVED.len())]))
        .collect()
}

/// The PKCE S256 challenge of a verifier: base64url (no padding) of its SHA-256.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Builds the authorization URL (`response_type=code`, scopes space-separated, a random
/// `state`, PKCE S256). `organization_id` preselects the organization.
pub fn authorization_request(
    authorize_url: &str,
    client: &OAuthClient,
    organization_id: Option<&str>,
) -> Result<AuthorizationRequest, QontoError> {
    let state = random_token(32);
    let code_verifier = random_token(64);
    let mut url = Url::parse(authorize_url).map_err(|e| {
        QontoError::local(
            "GET /oauth2/auth",
            authorize_url,
            format!("the authorization URL is not a URL ({e})"),
            "check the OAuth base URL (https://oauth.qonto.com, staging https://oauth-sandbox.staging.qonto.co)",
        )
    })?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", &client.client_id)
            .append_pair("redirect_uri", &client.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &client.scopes.join(" "))
            .append_pair("state", &state)
            .append_pair("code_challenge", &pkce_challenge(&code_verifier))
            .append_pair("code_challenge_method", "S256");
        if let Some(o) = organization_id {
            q.append_pair("organization_id", o);
        }
    }
    Ok(AuthorizationRequest {
        url: url.into(),
        state,
        code_verifier,
    })
}

/// Whether the callback's `state` is the one sent, compared in constant time.
pub fn state_matches(expected: &str, received: &str) -> bool {
    crate::clockify::webhook::constant_time_eq(expected.as_bytes(), received.as_bytes())
}

/// The tokens of one connection. `Debug` never shows them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: String,
    /// Present when `offline_access` was granted.
    pub refresh_token: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub scope: Vec<String>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

/// Saving or loading tokens failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Qonto tokens could not be {action}: {reason}")]
pub struct TokenStoreError {
    /// `loaded` or `saved`.
    pub action: String,
    pub reason: String,
}

/// A boxed future of a [`TokenStore`] call.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, TokenStoreError>> + Send + 'a>>;

/// Where a connection's tokens live. The application implements it with encrypted storage;
/// [`MemoryTokenStore`] serves tests. `save` must be durable when it returns `Ok`: the
/// refresh token it replaces stops working 60 seconds later.
pub trait TokenStore: Send + Sync {
    fn load(&self) -> StoreFuture<'_, Option<TokenSet>>;
    fn save<'a>(&'a self, tokens: &'a TokenSet) -> StoreFuture<'a, ()>;
}

/// Tokens in memory (tests, demos). Can be told to fail saves.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: std::sync::Mutex<Option<TokenSet>>,
    saves: AtomicU64,
    fail_saves: std::sync::atomic::AtomicBool,
}

impl MemoryTokenStore {
    pub fn new(initial: Option<TokenSet>) -> MemoryTokenStore {
        MemoryTokenStore {
            tokens: std::sync::Mutex::new(initial),
            ..MemoryTokenStore::default()
        }
    }

    /// What is stored now.
    pub fn current(&self) -> Option<TokenSet> {
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Successful saves so far.
    pub fn saves(&self) -> u64 {
        self.saves.load(Ordering::SeqCst)
    }

    /// Makes the next saves fail (to test that nothing is lost).
    pub fn fail_saves(&self, fail: bool) {
        self.fail_saves.store(fail, Ordering::SeqCst);
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> StoreFuture<'_, Option<TokenSet>> {
        let v = self.current();
        Box::pin(async move { Ok(v) })
    }

    fn save<'a>(&'a self, tokens: &'a TokenSet) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            if self.fail_saves.load(Ordering::SeqCst) {
                return Err(TokenStoreError {
                    action: "saved".into(),
                    reason: "the store refused the write (test)".into(),
                });
            }
            *self.tokens.lock().unwrap_or_else(|p| p.into_inner()) = Some(tokens.clone());
            self.saves.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
}

/// One OAuth connection: the client, the token endpoint and the token store.
pub struct OAuthSession {
    client: OAuthClient,
    token_url: String,
    store: Arc<dyn TokenStore>,
    cache: Mutex<Option<TokenSet>>,
    /// Refresh when the access token expires within this margin.
    pub refresh_margin: Duration,
    refreshes: AtomicU64,
}

impl fmt::Debug for OAuthSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSession")
            .field("client", &self.client)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Env<'a> {
    pub transport: &'a Transport,
    pub environment: &'a str,
    pub staging_token: Option<&'a str>,
}

impl OAuthSession {
    /// `token_url` is the OAuth server's `/oauth2/token`.
    pub fn new(client: OAuthClient, token_url: &str, store: Arc<dyn TokenStore>) -> OAuthSession {
        OAuthSession {
            client,
            token_url: token_url.to_owned(),
            store,
            cache: Mutex::new(None),
            refresh_margin: Duration::minutes(5),
            refreshes: AtomicU64::new(0),
        }
    }

    pub fn client(&self) -> &OAuthClient {
        &self.client
    }

    /// Refresh grants sent so far.
    pub fn refreshes(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// Exchanges the callback's code for tokens and saves them.
    pub(crate) async fn exchange_code(
        &self,
        env: &Env<'_>,
        code: &str,
        code_verifier: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, QontoError> {
        let mut cache = self.cache.lock().await;
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("client_id", self.client.client_id.clone()),
            ("client_secret", self.client.client_secret.clone()),
            ("redirect_uri", self.client.redirect_uri.clone()),
            ("code_verifier", code_verifier.to_owned()),
        ];
        let tokens = self.token_call(env, form, None, now).await?;
        self.persist(env, &tokens).await?;
        *cache = Some(tokens.clone());
        Ok(tokens)
    }

    /// A valid access token, refreshed first when it expires within the margin.
    pub(crate) async fn access_token(
        &self,
        env: &Env<'_>,
        now: DateTime<Utc>,
    ) -> Result<String, QontoError> {
        // The lock is held across the refresh: concurrent callers wait, then see the new
        // token instead of spending the rotated refresh token a second time.
        let mut cache = self.cache.lock().await;
        let current = self.current(&mut cache, env).await?;
        if current.expires_at - self.refresh_margin > now {
            return Ok(current.access_token);
        }
        let fresh = self.refresh_locked(&mut cache, env, current, now).await?;
        Ok(fresh.access_token)
    }

    /// Qonto refused `rejected` (401): refresh, unless another caller already did.
    pub(crate) async fn after_rejection(
        &self,
        env: &Env<'_>,
        rejected: &str,
        now: DateTime<Utc>,
    ) -> Result<String, QontoError> {
        let mut cache = self.cache.lock().await;
        let current = self.current(&mut cache, env).await?;
        if current.access_token != rejected {
            return Ok(current.access_token);
        }
        let fresh = self.refresh_locked(&mut cache, env, current, now).await?;
        Ok(fresh.access_token)
    }

    /// Refreshes now, whatever the expiry (a user's "reconnect test", or tests).
    pub(crate) async fn force_refresh(
        &self,
        env: &Env<'_>,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, QontoError> {
        let mut cache = self.cache.lock().await;
        let current = self.current(&mut cache, env).await?;
        self.refresh_locked(&mut cache, env, current, now).await
    }

    async fn current(
        &self,
        cache: &mut Option<TokenSet>,
        env: &Env<'_>,
    ) -> Result<TokenSet, QontoError> {
        if let Some(t) = cache.as_ref() {
            return Ok(t.clone());
        }
        let loaded = self.store.load().await.map_err(|e| {
            QontoError::local(
                "token store",
                env.environment,
                e.to_string(),
                "check the database; the connection to Qonto is unusable until the tokens can be read",
            )
        })?;
        let Some(t) = loaded else {
            return Err(QontoError::local(
                "token store",
                env.environment,
                "no OAuth tokens are stored for this connection".into(),
                "connect Qonto (OAuth) first",
            ));
        };
        *cache = Some(t.clone());
        Ok(t)
    }

    async fn refresh_locked(
        &self,
        cache: &mut Option<TokenSet>,
        env: &Env<'_>,
        current: TokenSet,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, QontoError> {
        let Some(refresh) = current.refresh_token.clone() else {
            return Err(QontoError::local(
                "POST /oauth2/token",
                env.environment,
                "the access token expired and there is no refresh token".into(),
                "connect Qonto again, asking for the `offline_access` scope",
            ));
        };
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh.clone()),
            ("client_id", self.client.client_id.clone()),
            ("client_secret", self.client.client_secret.clone()),
        ];
        let fresh = self.token_call(env, form, Some(refresh), now).await?;
        // Persist the rotated refresh token before forgetting the old one: on failure the
        // old set stays cached (valid for Qonto's grace period) and the next call retries.
        self.persist(env, &fresh).await?;
        *cache = Some(fresh.clone());
        Ok(fresh)
    }

    async fn persist(&self, env: &Env<'_>, tokens: &TokenSet) -> Result<(), QontoError> {
        self.store.save(tokens).await.map_err(|e| {
            QontoError::local(
                "token store",
                env.environment,
                e.to_string(),
                "the new tokens were not saved; the previous refresh token stays usable for 60 seconds, retry now (after that, connect Qonto again)",
            )
        })
    }

    async fn token_call(
        &self,
        env: &Env<'_>,
        form: Vec<(&'static str, String)>,
        previous_refresh: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, QontoError> {
        let endpoint = "POST /oauth2/token";
        let resp = env
            .transport
            .send(|http| {
                let mut rb = http
                    .post(&self.token_url)
                    .header("Accept", "application/json")
                    .form(&form);
                if let Some(t) = env.staging_token {
                    rb = rb.header("X-Qonto-Staging-Token", t);
                }
                rb
            })
            .await
            .map_err(|e| QontoError::transport(endpoint, env.environment, e))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(QontoError::from_answer(
                endpoint,
                env.environment,
                AuthMode::OAuthServer,
                status.as_u16(),
                &text,
                1,
            ));
        }
        let a: TokenAnswer = serde_json::from_str(&text)
            .map_err(|e| QontoError::decode(endpoint, env.environment, e.to_string()))?;
        Ok(TokenSet {
            access_token: a.access_token,
            // No new refresh token in the answer: the old one stays (no rotation happened).
            refresh_token: a.refresh_token.or(previous_refresh),
            expires_at: now + Duration::seconds(a.expires_in.unwrap_or(3600).max(0)),
            scope: a
                .scope
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_the_rfc_7636_example() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_authorization_url_carries_scopes_state_and_pkce() {
        let client = OAuthClient {
            client_id: "cid".into(),
            client_secret: "secret".into(),
            redirect_uri: "https://encaisse.example/qonto/callback?x=1".into(),
            scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        };
        let r =
            authorization_request("https://oauth.qonto.com/oauth2/auth", &client, None).unwrap();
        let url = Url::parse(&r.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["scope"], "offline_access organization.read webhook");
        assert_eq!(
            q["redirect_uri"],
            "https://encaisse.example/qonto/callback?x=1"
        );
        assert_eq!(q["state"], r.state);
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], pkce_challenge(&r.code_verifier));
        assert!(r.code_verifier.len() >= 43 && !r.url.contains("secret"));
        assert!(state_matches(&r.state, &q["state"]) && !state_matches(&r.state, "x"));
        assert!(!format!("{client:?}").contains("secret\""));
    }
}
