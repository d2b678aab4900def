//! Helpers shared by the Qonto tests: a simulator, clients in both auth modes, the browser
//! side of the OAuth dance, and a webhook receiver.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use encaisse_connectors::qonto::oauth::{
    MemoryTokenStore, OAuthClient, OAuthSession, state_matches,
};
use encaisse_connectors::qonto::webhook::SIGNATURE_HEADER;
use encaisse_connectors::qonto::{Config, Credentials, Endpoints, QontoClient};
use encaisse_connectors::transport::RetryPolicy;
use encaisse_sandbox::qonto::{QontoSandbox, QontoSandboxConfig, QontoSeed};

pub const REDIRECT: &str = "http://127.0.0.1/callback";

pub async fn sandbox(seed: QontoSeed, config: QontoSandboxConfig) -> QontoSandbox {
    QontoSandbox::start(config, seed).await.unwrap()
}

pub fn seed(transactions: usize) -> QontoSeed {
    let mut s = QontoSeed::small(11);
    s.transactions_per_account = transactions;
    s
}

pub fn config(endpoints: Endpoints, credentials: Credentials, page_size: u32) -> Config {
    let mut c = Config::new(endpoints, credentials);
    c.page_size = page_size;
    c.rate = None;
    c.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
    };
    c
}

pub fn key_client(sb: &QontoSandbox, page_size: u32) -> QontoClient {
    let (login, secret_key) = sb.api_key();
    QontoClient::new(config(
        Endpoints::under(&sb.url()),
        Credentials::ApiKey { login, secret_key },
        page_size,
    ))
    .unwrap()
}

pub fn oauth_client(scopes: &[&str]) -> OAuthClient {
    OAuthClient {
        client_id: "encaisse-test".into(),
        client_secret: "encaisse-test-secret".into(),
        redirect_uri: REDIRECT.into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }
}

pub fn bearer_client(sb: &QontoSandbox, session: Arc<OAuthSession>, page_size: u32) -> QontoClient {
    QontoClient::new(config(
        Endpoints::under(&sb.url()),
        Credentials::OAuth(session),
        page_size,
    ))
    .unwrap()
}

/// What the user's browser does: follow the authorization URL, read the redirect.
pub async fn authorize(url: &str) -> (Option<String>, Option<String>, Option<String>) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 302, "{url}");
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    let q: std::collections::HashMap<String, String> = reqwest::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    (
        q.get("code").cloned(),
        q.get("state").cloned(),
        q.get("error").cloned(),
    )
}

/// The whole dance: authorization URL, browser redirect, state check, code exchange.
pub async fn connect(
    sb: &QontoSandbox,
    scopes: &[&str],
) -> (QontoClient, Arc<OAuthSession>, Arc<MemoryTokenStore>) {
    let store = Arc::new(MemoryTokenStore::new(None));
    let session = Arc::new(OAuthSession::new(
        oauth_client(scopes),
        &Endpoints::under(&sb.url()).token_url(),
        store.clone(),
    ));
    let client = bearer_client(sb, session.clone(), 100);
    let request = client.authorization_request(None).unwrap();
    let (code, state, error) = authorize(&request.url).await;
    assert_eq!(error, None);
    assert!(state_matches(&request.state, &state.unwrap()));
    client
        .exchange_code(&code.unwrap(), &request.code_verifier)
        .await
        .unwrap();
    (client, session, store)
}

pub async fn raw_refresh(sb: &QontoSandbox, refresh_token: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/oauth2/token", sb.url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", "encaisse-test"),
            ("client_secret", "encaisse-test-secret"),
        ])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

pub type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

pub async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hooks/qonto",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let sink = sink.clone();
                async move {
                    let sig = headers
                        .get(SIGNATURE_HEADER)
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default();
                    sink.lock().unwrap().push((sig, body.to_vec()));
                    axum::http::StatusCode::OK
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/qonto", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

pub async fn wait_for(got: &Received, n: usize) -> Vec<(String, Vec<u8>)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = got.lock().unwrap().clone();
        if v.len() >= n {
            return v;
        }
        assert!(Instant::now() < deadline, "only {} deliveries", v.len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
