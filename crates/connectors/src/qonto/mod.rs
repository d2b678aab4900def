//! A client of Qonto's Business API v2, written against the documented API
//! (`shared/reference/apis.md` §2).
//!
//! - Hosts: production `https://thirdparty.qonto.com` and `https://oauth.qonto.com`; staging
//!   `https://thirdparty-sandbox.staging.qonto.co` and `https://oauth-sandbox.staging.qonto.co`,
//!   where every call (token endpoint included) also carries `X-Qonto-Staging-Token`; or any
//!   base URL (the simulator of `encaisse-sandbox`).
//! - Two ways in: an API key sent as `Authorization: {organization-login}:{secret-key}`
//!   (literally, not Basic), read-only; or OAuth 2.0 ([`oauth`]) with `Bearer` tokens,
//!   refreshed before expiry and once more after a 401, with rotating refresh tokens.
//! - Lists are paged with `page`/`per_page` and a `meta` object; this client follows
//!   `meta.next_page` to the end.
//! - Requests go through the shared [`Transport`](crate::transport::Transport): request rate,
//!   retries with backoff on 429/5xx honouring `Retry-After`.
//! - Money is read from the `_cents` fields, never from the floats.
//!
//! See [`sync`] for incremental synchronisation and the rule that avoids double counting,
//! [`statement`] for the mapping to `encaisse-bank`'s model, [`webhook`] for deliveries.

// `QontoError` carries the endpoint, status, code, trace id and advice as plain fields the
// application reads; it travels only on the cold path of network calls, where its size is
// irrelevant beside the I/O, so it is not boxed.
#![allow(clippy::result_large_err)]

mod error;
pub mod model;
pub mod oauth;
pub mod query;
pub mod statement;
pub mod sync;
pub mod webhook;

use std::fmt;
use std::sync::Arc;

use chrono::Utc;
use reqwest::{Method, Response, StatusCode};
use serde::de::DeserializeOwned;

pub use error::{AuthMode, QontoError};
use model::{
    BankAccount, BankAccountEnvelope, BankAccountPage, Meta, NewWebhookSubscription, Organization,
    OrganizationEnvelope, SubscriptionList, Transaction, TransactionEnvelope, TransactionPage,
    WebhookSubscription,
};
use oauth::{AuthorizationRequest, Env, OAuthSession, TokenSet};
use query::TransactionQuery;

use crate::transport::{RequestRate, RetryPolicy, Transport};

/// Where Qonto answers.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Business API base, without `/v2`.
    pub api: String,
    /// OAuth server base, without `/oauth2`.
    pub oauth: String,
    /// `X-Qonto-Staging-Token`, sent on every call when set.
    pub staging_token: Option<String>,
    /// `production`, `staging` or `custom`: named in errors.
    pub name: String,
}

impl fmt::Debug for Endpoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoints")
            .field("api", &self.api)
            .field("oauth", &self.oauth)
            .field(
                "staging_token",
                &self.staging_token.as_ref().map(|_| "<set>"),
            )
            .field("name", &self.name)
            .finish()
    }
}

impl Endpoints {
    pub fn production() -> Endpoints {
        Endpoints {
            api: "https://thirdparty.qonto.com".into(),
            oauth: "https://oauth.qonto.com".into(),
            staging_token: None,
            name: "production".into(),
        }
    }

    /// Qonto's staging sandbox; `staging_token` comes from the developer portal.
    pub fn staging(staging_token: impl Into<String>) -> Endpoints {
        Endpoints {
            api: "https://thirdparty-sandbox.staging.qonto.co".into(),
            oauth: "https://oauth-sandbox.staging.qonto.co".into(),
            staging_token: Some(staging_token.into()),
            name: "staging".into(),
        }
    }

    /// One root serving both the API and `/oauth2/…` (the simulator, a proxy).
    pub fn under(root: &str) -> Endpoints {
        let root = root.trim_end_matches('/').to_owned();
        Endpoints {
            api: root.clone(),
            oauth: root,
            staging_token: None,
            name: "custom".into(),
        }
    }

    /// The same hosts with a staging token (a simulator in its staging profile).
    pub fn with_staging_token(mut self, token: impl Into<String>) -> Endpoints {
        self.staging_token = Some(token.into());
        self
    }

    pub fn authorize_url(&self) -> String {
        format!("{}/oauth2/auth", self.oauth.trim_end_matches('/'))
    }

    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.oauth.trim_end_matches('/'))
    }
}

/// How the client proves who it acts for.
#[derive(Clone)]
pub enum Credentials {
    /// `Authorization: {login}:{secret_key}`: read-only; no webhook subscriptions.
    ApiKey { login: String, secret_key: String },
    /// Bearer tokens of an OAuth connection.
    OAuth(Arc<OAuthSession>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiKey { login, .. } => f
                .debug_struct("ApiKey")
                .field("login", login)
                .finish_non_exhaustive(),
            Credentials::OAuth(s) => f.debug_tuple("OAuth").field(s).finish(),
        }
    }
}

/// How to reach Qonto.
#[derive(Clone, Debug)]
pub struct Config {
    pub endpoints: Endpoints,
    pub credentials: Credentials,
    /// Rows per page (Qonto's maximum for transactions is 100).
    pub page_size: u32,
    pub retry: RetryPolicy,
    /// Requests per second this client allows itself (Qonto: 1,000 per 10 s per IP).
    pub rate: Option<RequestRate>,
}

impl Config {
    pub fn new(endpoints: Endpoints, credentials: Credentials) -> Config {
        Config {
            endpoints,
            credentials,
            page_size: 100,
            retry: RetryPolicy::default(),
            rate: Some(RequestRate {
                per_second: 50.0,
                burst: 50,
            }),
        }
    }
}

/// The Qonto client.
#[derive(Clone, Debug)]
pub struct QontoClient {
    config: Config,
    transport: Transport,
}

type Result<T> = std::result::Result<T, QontoError>;

struct Call {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<serde_json::Value>,
}

impl Call {
    fn get(path: impl Into<String>, query: Vec<(String, String)>) -> Call {
        Call {
            method: Method::GET,
            path: path.into(),
            query,
            body: None,
        }
    }

    /// `GET /v2/transactions`: the method and path, named in errors (never the query).
    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A page type of a list endpoint.
trait Page: DeserializeOwned {
    type Item;
    fn into_parts(self) -> (Vec<Self::Item>, Option<Meta>);
}

impl Page for TransactionPage {
    type Item = Transaction;
    fn into_parts(self) -> (Vec<Transaction>, Option<Meta>) {
        (self.transactions, self.meta)
    }
}

impl Page for BankAccountPage {
    type Item = BankAccount;
    fn into_parts(self) -> (Vec<BankAccount>, Option<Meta>) {
        (self.bank_accounts, self.meta)
    }
}

impl Page for SubscriptionList {
    type Item = WebhookSubscription;
    fn into_parts(self) -> (Vec<WebhookSubscription>, Option<Meta>) {
        (self.subscriptions, self.meta)
    }
}

impl QontoClient {
    pub fn new(config: Config) -> Result<QontoClient> {
        let transport = Transport::new(config.retry, config.rate, "encaisse-qonto/1")
            .map_err(|e| QontoError::transport("client setup", &config.endpoints.name, e))?;
        Ok(QontoClient { config, transport })
    }

    /// What the transport counted (requests, retries, 429s).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.config.endpoints
    }

    fn env(&self) -> &str {
        &self.config.endpoints.name
    }

    fn oauth_env(&self) -> Env<'_> {
        Env {
            transport: &self.transport,
            environment: &self.config.endpoints.name,
            staging_token: self.config.endpoints.staging_token.as_deref(),
        }
    }

    fn mode(&self) -> AuthMode {
        match self.config.credentials {
            Credentials::ApiKey { .. } => AuthMode::ApiKey,
            Credentials::OAuth(_) => AuthMode::OAuth,
        }
    }

    fn session(&self, endpoint: &str) -> Result<&OAuthSession> {
        match &self.config.credentials {
            Credentials::OAuth(s) => Ok(s),
            Credentials::ApiKey { .. } => Err(QontoError::local(
                endpoint,
                self.env(),
                "this needs an OAuth connection; the client uses an API key".into(),
                "webhook subscriptions and token operations work only with OAuth: connect Qonto with OAuth (scope `webhook`)",
            )),
        }
    }

    /// The URL to send the user's browser to, with the `state` and PKCE verifier to keep.
    pub fn authorization_request(
        &self,
        organization_id: Option<&str>,
    ) -> Result<AuthorizationRequest> {
        let s = self.session("GET /oauth2/auth")?;
        oauth::authorization_request(
            &self.config.endpoints.authorize_url(),
            s.client(),
            organization_id,
        )
    }

    /// Exchanges the callback's code (with the PKCE verifier) and saves the tokens.
    pub async fn exchange_code(&self, code: &str, code_verifier: &str) -> Result<TokenSet> {
        let s = self.session("POST /oauth2/token")?;
        s.exchange_code(&self.oauth_env(), code, code_verifier, Utc::now())
            .await
    }

    /// Refreshes the tokens now (rotation included), whatever their expiry.
    pub async fn refresh_tokens(&self) -> Result<TokenSet> {
        let s = self.session("POST /oauth2/token")?;
        s.force_refresh(&self.oauth_env(), Utc::now()).await
    }

    async fn send_once(&self, call: &Call, url: &str, auth: &str) -> Result<Response> {
        let staging = self.config.endpoints.staging_token.as_deref();
        self.transport
            .send(|http| {
                let mut rb = http
                    .request(call.method.clone(), url)
                    .header("Authorization", auth)
                    .header("Accept", "application/json");
                if let Some(t) = staging {
                    rb = rb.header("X-Qonto-Staging-Token", t);
                }
                if !call.query.is_empty() {
                    rb = rb.query(&call.query);
                }
                if let Some(b) = &call.body {
                    rb = rb.json(b);
                }
                rb
            })
            .await
            .map_err(|e| QontoError::transport(&call.name(), self.env(), e))
    }

    async fn send(&self, call: &Call) -> Result<Response> {
        let url = format!(
            "{}{}",
            self.config.endpoints.api.trim_end_matches('/'),
            call.path
        );
        let resp = match &self.config.credentials {
            Credentials::ApiKey { login, secret_key } => {
                self.send_once(call, &url, &format!("{login}:{secret_key}"))
                    .await?
            }
            Credentials::OAuth(session) => {
                let env = self.oauth_env();
                let token = session.access_token(&env, Utc::now()).await?;
                let resp = self
                    .send_once(call, &url, &format!("Bearer {token}"))
                    .await?;
                if resp.status() == StatusCode::UNAUTHORIZED {
                    // Revoked or expired early: refresh once (single-flight) and try again.
                    drop(resp);
                    let fresh = session.after_rejection(&env, &token, Utc::now()).await?;
                    self.send_once(call, &url, &format!("Bearer {fresh}"))
                        .await?
                } else {
                    resp
                }
            }
        };
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let text = resp.text().await.unwrap_or_default();
        Err(QontoError::from_answer(
            &call.name(),
            self.env(),
            self.mode(),
            status.as_u16(),
            &text,
            self.config.retry.max_attempts,
        ))
    }

    async fn json<T: DeserializeOwned>(&self, call: &Call) -> Result<T> {
        let resp = self.send(call).await?;
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| QontoError::decode(&call.name(), self.env(), e.to_string()))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| QontoError::decode(&call.name(), self.env(), e.to_string()))
    }

    /// One page of a list.
    async fn page<P: Page>(
        &self,
        path: &str,
        query: &[(String, String)],
        page: u32,
    ) -> Result<(Vec<P::Item>, Option<Meta>)> {
        let mut q = query.to_vec();
        q.push(("page".into(), page.to_string()));
        q.push((
            "per_page".into(),
            self.config.page_size.clamp(1, 100).to_string(),
        ));
        let p: P = self.json(&Call::get(path, q)).await?;
        Ok(p.into_parts())
    }

    /// Every page of a list, following `meta.next_page` (a short page ends a list without
    /// `meta`).
    async fn all_pages<P: Page>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<Vec<P::Item>> {
        let size = self.config.page_size.clamp(1, 100) as usize;
        let mut out = Vec::new();
        let mut page = 1u32;
        loop {
            let (rows, meta) = self.page::<P>(path, query, page).await?;
            let n = rows.len();
            out.extend(rows);
            let next = match meta {
                Some(m) => m.next_page.filter(|n| *n > page),
                None if n >= size => Some(page + 1),
                None => None,
            };
            match next {
                Some(n) => page = n,
                None => break,
            }
        }
        Ok(out)
    }

    /// The organization the credentials act for, with its bank accounts.
    pub async fn organization(&self) -> Result<Organization> {
        let o: OrganizationEnvelope = self
            .json(&Call::get("/v2/organization", Vec::new()))
            .await?;
        Ok(o.organization)
    }

    /// Every bank account.
    pub async fn bank_accounts(&self) -> Result<Vec<BankAccount>> {
        self.all_pages::<BankAccountPage>("/v2/bank_accounts", &[])
            .await
    }

    pub async fn bank_account(&self, id: &str) -> Result<BankAccount> {
        let b: BankAccountEnvelope = self
            .json(&Call::get(format!("/v2/bank_accounts/{id}"), Vec::new()))
            .await?;
        Ok(b.bank_account)
    }

    /// Every transaction matching `query`, page after page.
    pub async fn transactions(&self, query: &TransactionQuery) -> Result<Vec<Transaction>> {
        self.all_pages::<TransactionPage>("/v2/transactions", &query.to_params())
            .await
    }

    /// One page of transactions and its `meta` (1-based `page`).
    pub async fn transactions_page(
        &self,
        query: &TransactionQuery,
        page: u32,
    ) -> Result<(Vec<Transaction>, Option<Meta>)> {
        self.page::<TransactionPage>("/v2/transactions", &query.to_params(), page.max(1))
            .await
    }

    /// One transaction by its UUID `id` (not `transaction_id`).
    pub async fn transaction(&self, id: &str) -> Result<Transaction> {
        let t: TransactionEnvelope = self
            .json(&Call::get(format!("/v2/transactions/{id}"), Vec::new()))
            .await?;
        Ok(t.transaction)
    }

    /// Subscribes a callback (OAuth with scope `webhook`). Keep the returned `secret`.
    pub async fn create_webhook_subscription(
        &self,
        new: &NewWebhookSubscription,
    ) -> Result<WebhookSubscription> {
        self.session("POST /v2/webhook_subscriptions")?;
        self.json(&Call {
            method: Method::POST,
            path: "/v2/webhook_subscriptions".into(),
            query: Vec::new(),
            body: serde_json::to_value(new).ok(),
        })
        .await
    }

    pub async fn webhook_subscriptions(&self) -> Result<Vec<WebhookSubscription>> {
        self.session("GET /v2/webhook_subscriptions")?;
        self.all_pages::<SubscriptionList>("/v2/webhook_subscriptions", &[])
            .await
    }

    pub async fn webhook_subscription(&self, id: &str) -> Result<WebhookSubscription> {
        self.session("GET /v2/webhook_subscriptions/{id}")?;
        self.json(&Call::get(
            format!("/v2/webhook_subscriptions/{id}"),
            Vec::new(),
        ))
        .await
    }

    pub async fn update_webhook_subscription(
        &self,
        id: &str,
        new: &NewWebhookSubscription,
    ) -> Result<WebhookSubscription> {
        self.session("PUT /v2/webhook_subscriptions/{id}")?;
        self.json(&Call {
            method: Method::PUT,
            path: format!("/v2/webhook_subscriptions/{id}"),
            query: Vec::new(),
            body: serde_json::to_value(new).ok(),
        })
        .await
    }

    pub async fn delete_webhook_subscription(&self, id: &str) -> Result<()> {
        self.session("DELETE /v2/webhook_subscriptions/{id}")?;
        self.send(&Call {
            method: Method::DELETE,
            path: format!("/v2/webhook_subscriptions/{id}"),
            query: Vec::new(),
            body: None,
        })
        .await?;
        Ok(())
    }
}
