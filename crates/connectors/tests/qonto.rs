//! The Qonto client against the Qonto simulator, over real HTTP on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use encaisse_connectors::qonto::model::{NewWebhookSubscription, Side, TransactionStatus};
use encaisse_connectors::qonto::oauth::{
    DEFAULT_SCOPES, MemoryTokenStore, OAuthClient, OAuthSession, TokenSet, state_matches,
};
use encaisse_connectors::qonto::query::{AccountSelector, SortBy, SortField, TransactionQuery};
use encaisse_connectors::qonto::sync::{LedgerChange, TransactionLedger};
use encaisse_connectors::qonto::webhook::{
    SIGNATURE_HEADER, TransactionEventKind, WebhookError, parse_transaction_event,
    verify_webhook_signature,
};
use encaisse_connectors::qonto::{Config, Credentials, Endpoints, QontoClient};
use encaisse_connectors::transport::RetryPolicy;
use encaisse_sandbox::qonto::{NewTransaction, QontoSandbox, QontoSandboxConfig, QontoSeed};

const REDIRECT: &str = "http://127.0.0.1/callback";

async fn sandbox(seed: QontoSeed, config: QontoSandboxConfig) -> QontoSandbox {
    QontoSandbox::start(config, seed).await.unwrap()
}

fn seed(transactions: usize) -> QontoSeed {
    let mut s = QontoSeed::small(11);
    s.transactions_per_account = transactions;
    s
}

fn config(endpoints: Endpoints, credentials: Credentials, page_size: u32) -> Config {
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

fn key_client(sb: &QontoSandbox, page_size: u32) -> QontoClient {
    let (login, secret_key) = sb.api_key();
    QontoClient::new(config(
        Endpoints::under(&sb.url()),
        Credentials::ApiKey { login, secret_key },
        page_size,
    ))
    .unwrap()
}

fn oauth_client(scopes: &[&str]) -> OAuthClient {
    OAuthClient {
        client_id: "encaisse-test".into(),
        client_secret: "encaisse-test-secret".into(),
        redirect_uri: REDIRECT.into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn bearer_client(sb: &QontoSandbox, session: Arc<OAuthSession>, page_size: u32) -> QontoClient {
    QontoClient::new(config(
        Endpoints::under(&sb.url()),
        Credentials::OAuth(session),
        page_size,
    ))
    .unwrap()
}

/// What the user's browser does: follow the authorization URL, read the redirect.
async fn authorize(url: &str) -> (Option<String>, Option<String>, Option<String>) {
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
async fn connect(
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

async fn raw_refresh(sb: &QontoSandbox, refresh_token: &str) -> (u16, serde_json::Value) {
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

#[tokio::test]
async fn an_api_key_lists_accounts_and_transactions_across_five_pages() {
    let sb = sandbox(seed(230), QontoSandboxConfig::default()).await;
    let c = key_client(&sb, 50);
    let org = c.organization().await.unwrap();
    assert_eq!(org.slug, "atelier-durand-4821");
    let account = &org.bank_accounts[0];
    assert_eq!(account.iban.as_deref(), Some("FR7616958000017283940556031"));
    assert_eq!(account.bic.as_deref(), Some("QNTOFRP1XXX"));
    assert_eq!(account.currency, "EUR");
    assert_eq!(c.bank_accounts().await.unwrap(), org.bank_accounts);
    assert_eq!(c.bank_account(&account.id).await.unwrap(), *account);
    let before = sb.requests();
    let all = c
        .transactions(&TransactionQuery::for_account(AccountSelector::Iban(
            "FR76 1695 8000 0172 8394 0556 031".into(),
        )))
        .await
        .unwrap();
    assert_eq!(all.len(), 230);
    assert_eq!(sb.requests() - before, 5, "five pages of 50");
    let ids: HashSet<_> = all.iter().map(|t| t.transaction_id.clone()).collect();
    assert_eq!(ids.len(), 230, "every transaction once");
    // The booked balance is the opening one plus every completed movement.
    let signed: i64 = all
        .iter()
        .map(|t| match t.side {
            Side::Credit => t.amount_cents,
            Side::Debit => -t.amount_cents,
        })
        .sum();
    assert_eq!(account.balance_cents, 2_500_000 + signed);
    let one = c.transaction(&all[7].id).await.unwrap();
    assert_eq!(one, all[7]);
}

#[tokio::test]
async fn the_documented_filters_are_sent_and_honoured() {
    let sb = sandbox(seed(120), QontoSandboxConfig::default()).await;
    let c = key_client(&sb, 100);
    let id = sb.bank_account_ids()[0].clone();
    let all = c
        .transactions(&TransactionQuery::for_account(
            AccountSelector::BankAccountId(id.clone()),
        ))
        .await
        .unwrap();
    let mut q = TransactionQuery::for_account(AccountSelector::BankAccountId(id));
    q.side = Some(Side::Debit);
    q.operation_types = vec!["card".into()];
    q.statuses = vec![TransactionStatus::Completed];
    let mid = all[all.len() / 2].settled_at.unwrap();
    q.settled_at_from = Some(mid - chrono::Duration::days(30));
    q.settled_at_to = Some(mid);
    q.sort_by = Some(SortBy {
        field: SortField::SettledAt,
        descending: true,
    });
    let got = c.transactions(&q).await.unwrap();
    let expected: Vec<_> = all
        .iter()
        .filter(|t| t.side == Side::Debit && t.operation_type.as_deref() == Some("card"))
        .filter(|t| {
            let s = t.settled_at.unwrap();
            s >= mid - chrono::Duration::days(30) && s <= mid
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got.len(), expected.len());
    assert!(got.windows(2).all(|w| w[0].settled_at >= w[1].settled_at));
    // A 404 names the endpoint and what to do.
    let e = c.transaction("no-such-id").await.unwrap_err();
    assert_eq!(e.status, Some(404));
    assert!(e.to_string().contains("GET /v2/transactions/no-such-id"), "{e}");
}

#[tokio::test]
async fn a_bad_key_or_a_missing_staging_token_is_refused_with_what_to_do() {
    let sb = sandbox(seed(3), QontoSandboxConfig::default()).await;
    let (login, _) = sb.api_key();
    let c = QontoClient::new(config(
        Endpoints::under(&sb.url()),
        Credentials::ApiKey {
            login,
            secret_key: "wrong-secret".into(),
        },
        100,
    ))
    .unwrap();
    let e = c.organization().await.unwrap_err();
    assert!(e.needs_reconnection() && e.is_permanent());
    assert_eq!(e.status, Some(401));
    let text = e.to_string();
    for part in ["GET /v2/organization", "401", "API key", "login:secret-key", "Integrations"] {
        assert!(text.contains(part), "{part} missing in: {text}");
    }
    assert!(!text.contains("wrong-secret"), "the secret leaked: {text}");

    let staging = sandbox(
        seed(3),
        QontoSandboxConfig {
            staging_token: Some("stg-token".into()),
            ..QontoSandboxConfig::default()
        },
    )
    .await;
    let (login, secret_key) = staging.api_key();
    let creds = Credentials::ApiKey { login, secret_key };
    let mut endpoints = Endpoints::under(&staging.url());
    endpoints.name = "staging".into();
    let without = QontoClient::new(config(endpoints.clone(), creds.clone(), 100)).unwrap();
    let e = without.organization().await.unwrap_err();
    assert_eq!(e.status, Some(401));
    assert!(e.to_string().contains("X-Qonto-Staging-Token"), "{e}");
    let with = QontoClient::new(config(
        endpoints.with_staging_token("stg-token"),
        creds,
        100,
    ))
    .unwrap();
    assert_eq!(with.organization().await.unwrap().bank_accounts.len(), 1);
}

#[tokio::test]
async fn the_oauth_dance_refreshes_and_rotates_and_the_used_refresh_token_is_refused() {
    let sb = sandbox(seed(5), QontoSandboxConfig::default()).await;
    let (client, session, store) = connect(&sb, &DEFAULT_SCOPES).await;
    let first = store.current().unwrap();
    assert_eq!(store.saves(), 1);
    assert!(first.refresh_token.is_some(), "offline_access gives a refresh token");
    assert_eq!(first.scope, DEFAULT_SCOPES.to_vec());
    assert_eq!(client.organization().await.unwrap().slug, "atelier-durand-4821");

    // Rotation: a new refresh token replaces the old one, saved before use.
    let second = client.refresh_tokens().await.unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(store.current().unwrap(), second);
    let old = first.refresh_token.unwrap();
    // Inside Qonto's 60-second grace period the old one still works…
    let (status, _) = raw_refresh(&sb, &old).await;
    assert_eq!(status, 200);
    // …after it, it is refused.
    sb.advance_clock(chrono::Duration::seconds(61));
    let (status, body) = raw_refresh(&sb, &old).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));

    // An access token that expired at Qonto is refreshed after the 401, once.
    sb.advance_clock(chrono::Duration::hours(2));
    let grants = sb.refresh_grants();
    assert_eq!(client.bank_accounts().await.unwrap().len(), 1);
    assert_eq!(sb.refresh_grants(), grants + 1);
    assert_eq!(session.refreshes(), 2);
    let third = store.current().unwrap();
    assert_ne!(third.refresh_token, second.refresh_token);

    // A refresh whose result cannot be saved keeps the previous tokens, and a retry works.
    store.fail_saves(true);
    let e = client.refresh_tokens().await.unwrap_err();
    assert!(e.to_string().contains("retry now"), "{e}");
    assert_eq!(store.current().unwrap(), third);
    store.fail_saves(false);
    let fourth = client.refresh_tokens().await.unwrap();
    assert_eq!(store.current().unwrap(), fourth);
}

#[tokio::test]
async fn a_wrong_pkce_verifier_or_a_reused_code_is_refused() {
    let sb = sandbox(seed(2), QontoSandboxConfig::default()).await;
    let store = Arc::new(MemoryTokenStore::new(None));
    let session = Arc::new(OAuthSession::new(
        oauth_client(&DEFAULT_SCOPES),
        &Endpoints::under(&sb.url()).token_url(),
        store.clone(),
    ));
    let client = bearer_client(&sb, session, 100);
    let request = client.authorization_request(None).unwrap();
    let (code, _, _) = authorize(&request.url).await;
    let code = code.unwrap();
    let e = client
        .exchange_code(&code, &"x".repeat(64))
        .await
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("invalid_grant"));
    assert!(e.needs_reconnection());
    assert!(e.to_string().contains("connect Qonto again"), "{e}");
    assert_eq!(store.saves(), 0);
    let request = client.authorization_request(None).unwrap();
    let (code, _, _) = authorize(&request.url).await;
    let code = code.unwrap();
    client
        .exchange_code(&code, &request.code_verifier)
        .await
        .unwrap();
    let again = client
        .exchange_code(&code, &request.code_verifier)
        .await
        .unwrap_err();
    assert_eq!(again.code.as_deref(), Some("invalid_grant"));
}

#[tokio::test]
async fn concurrent_calls_with_an_expired_token_refresh_it_once() {
    let sb = sandbox(seed(5), QontoSandboxConfig::default()).await;
    let (_, _, connected) = connect(&sb, &DEFAULT_SCOPES).await;
    // Tokens loaded from storage, already expired by this process's clock.
    let mut stale: TokenSet = connected.current().unwrap();
    stale.expires_at = Utc::now() - chrono::Duration::minutes(1);
    let store = Arc::new(MemoryTokenStore::new(Some(stale)));
    let session = Arc::new(OAuthSession::new(
        oauth_client(&DEFAULT_SCOPES),
        &Endpoints::under(&sb.url()).token_url(),
        store.clone(),
    ));
    let client = bearer_client(&sb, session.clone(), 100);
    let grants = sb.refresh_grants();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.organization().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(sb.refresh_grants() - grants, 1, "the rotating token was spent once");
    assert_eq!(session.refreshes(), 1);
    assert_eq!(store.saves(), 1);
}

#[tokio::test]
async fn a_429_in_the_middle_of_a_sync_is_retried() {
    let sb = sandbox(seed(100), QontoSandboxConfig::default()).await;
    let c = key_client(&sb, 20);
    let account = AccountSelector::BankAccountId(sb.bank_account_ids()[0].clone());
    // Two pages go through, the third is answered 429 with Retry-After: 1.
    sb.throttle_after(2, 1, 1);
    let batch = c.sync_transactions(&account, None).await.unwrap();
    assert_eq!(batch.transactions.len(), 100);
    assert_eq!(sb.throttled(), 1);
    let stats = &c.transport().stats;
    assert_eq!(stats.throttled.load(Ordering::Relaxed), 1);
    assert_eq!(stats.retries.load(Ordering::Relaxed), 1);
    let newest = batch.transactions.iter().map(|t| t.updated_at).max();
    assert_eq!(batch.watermark, newest);
}

#[tokio::test]
async fn an_incremental_sync_sees_a_pending_payment_settle_and_counts_it_once() {
    let sb = sandbox(seed(30), QontoSandboxConfig::default()).await;
    let c = key_client(&sb, 25);
    let account = AccountSelector::BankAccountId(sb.bank_account_ids()[0].clone());
    let mut ledger = TransactionLedger::default();
    let first = c.sync_transactions(&account, None).await.unwrap();
    assert_eq!(first.transactions.len(), 30);
    ledger.apply_all(&first.transactions);
    let booked_before = ledger.booked_cents();

    // Through the admin HTTP API, as the demo does: a payment announced, settling in an hour;
    // a card refund that will be declined; a payment that settles and is reversed later.
    let admin = reqwest::Client::new();
    let add = |body: serde_json::Value| {
        let admin = admin.clone();
        let url = format!("{}/_sandbox/transactions", sb.url());
        async move {
            let r = admin.post(url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 201);
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let paid = add(serde_json::json!({
        "amount": "1500.00", "counterparty_name": "Boulangerie Martin SAS",
        "reference": "Virement facture F-2026-0142 merci", "status": "pending",
        "settle_after_seconds": 3600,
    }))
    .await;
    let declined = add(serde_json::json!({
        "amount_cents": 4200, "counterparty_name": "SNCF Connect", "operation_type": "card",
        "status": "pending", "settle_after_seconds": 1800, "settle_as": "declined",
    }))
    .await;
    let reversed = add(serde_json::json!({
        "amount": "99.90", "counterparty_name": "Garage Lefèvre", "reference": "F-2026-0150",
        "reverse_after_seconds": 5400,
    }))
    .await;

    let second = c
        .sync_transactions(&account, first.watermark)
        .await
        .unwrap();
    let changes = ledger.apply_all(&second.transactions);
    let ids: Vec<_> = second.transactions.iter().map(|t| t.transaction_id.as_str()).collect();
    for t in [&paid, &declined, &reversed] {
        assert!(ids.contains(&t["transaction_id"].as_str().unwrap()), "{ids:?}");
    }
    assert_eq!(
        changes.iter().filter(|c| matches!(c, LedgerChange::Booked(_))).count(),
        1,
        "only the completed one is booked"
    );
    assert_eq!(ledger.booked_cents(), booked_before + 9_990);
    assert!(second.watermark > first.watermark);

    // The clock moves two hours: the payment settles, the refund is declined, the other reversed.
    let r: serde_json::Value = admin
        .post(format!("{}/_sandbox/clock/advance", sb.url()))
        .json(&serde_json::json!({ "seconds": 7200 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["changed"].as_array().unwrap().len(), 3);
    let third = c
        .sync_transactions(&account, second.watermark)
        .await
        .unwrap();
    let changes = ledger.apply_all(&third.transactions);
    let settled = ledger.get(paid["transaction_id"].as_str().unwrap()).unwrap();
    assert_eq!(settled.status, TransactionStatus::Completed);
    assert!(settled.settled_at.is_some());
    assert!(changes.iter().any(|c| matches!(c, LedgerChange::Booked(t) if t.id == settled.id)));
    assert!(changes.iter().any(|c| matches!(c, LedgerChange::Unbooked(_))));
    assert_eq!(ledger.booked_cents(), booked_before + 150_000);

    // Nothing changed: the overlap re-reads rows, and nothing is counted twice.
    let fourth = c
        .sync_transactions(&account, third.watermark)
        .await
        .unwrap();
    assert!(ledger.apply_all(&fourth.transactions).iter().all(|c| *c == LedgerChange::Unchanged));
    assert_eq!(fourth.watermark, third.watermark);
    assert_eq!(ledger.booked_cents(), booked_before + 150_000);
    let balance = c.organization().await.unwrap().bank_accounts[0].balance_cents;
    assert_eq!(balance, 2_500_000 + ledger.booked_cents());
}

type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hooks/qonto",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                let sig = headers
                    .get(SIGNATURE_HEADER)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                sink.lock().unwrap().push((sig, body.to_vec()));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/qonto", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

async fn wait_for(got: &Received, n: usize) -> Vec<(String, Vec<u8>)> {
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

#[tokio::test]
async fn webhooks_are_subscribed_with_oauth_delivered_signed_and_verified() {
    let sb = sandbox(seed(3), QontoSandboxConfig::default()).await;
    let (url, got) = receiver().await;
    let new = NewWebhookSubscription {
        callback_url: url.clone(),
        types: vec!["v1/transactions".into()],
        description: Some("encaisse".into()),
    };
    // API keys cannot manage subscriptions: refused before any request, and by the server.
    let e = key_client(&sb, 100)
        .create_webhook_subscription(&new)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("OAuth"), "{e}");
    let (login, secret) = sb.api_key();
    let raw = reqwest::Client::new()
        .get(format!("{}/v2/webhook_subscriptions", sb.url()))
        .header("Authorization", format!("{login}:{secret}"))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 403);
    // A token without the `webhook` scope gets a 403 that names it.
    let (narrow, _, _) = connect(&sb, &["offline_access", "organization.read"]).await;
    let e = narrow.create_webhook_subscription(&new).await.unwrap_err();
    assert_eq!(e.status, Some(403));
    assert!(e.to_string().contains("webhook"), "{e}");

    let (client, _, _) = connect(&sb, &DEFAULT_SCOPES).await;
    let sub = client.create_webhook_subscription(&new).await.unwrap();
    let secret = sub.secret.clone().unwrap();
    assert_eq!(client.webhook_subscriptions().await.unwrap().len(), 1);
    assert_eq!(client.webhook_subscription(&sub.id).await.unwrap().callback_url, url);

    let added = sb
        .add_transaction(&NewTransaction {
            amount: Some("2400.00".into()),
            counterparty_name: "Hôtel des Alpes SA".into(),
            reference: Some("RF18539007547034 facture F-2026-0031".into()),
            status: Some("pending".into()),
            settle_after_seconds: Some(600),
            ..NewTransaction::default()
        })
        .unwrap();
    let delivered = wait_for(&got, 1).await;
    let (header, body) = &delivered[0];
    assert_eq!(
        verify_webhook_signature(header, body, &secret, Utc::now()),
        Ok(())
    );
    let event = parse_transaction_event(body).unwrap();
    assert_eq!(event.data.event, TransactionEventKind::Created);
    assert_eq!(event.data.status, Some(TransactionStatus::Pending));
    assert_eq!(event.subscription_id.as_deref(), Some(sub.id.as_str()));
    assert_eq!(event.data.transaction_id.as_deref(), added["transaction_id"].as_str());
    // A tampered body, a stale timestamp, the wrong secret: refused.
    let tampered = String::from_utf8(body.clone()).unwrap().replace("2400", "9400");
    assert_eq!(
        verify_webhook_signature(header, tampered.as_bytes(), &secret, Utc::now()),
        Err(WebhookError::Mismatch)
    );
    assert!(matches!(
        verify_webhook_signature(header, body, &secret, Utc::now() + chrono::Duration::minutes(6)),
        Err(WebhookError::Stale { .. })
    ));
    assert_eq!(
        verify_webhook_signature(header, body, "whsec_other", Utc::now()),
        Err(WebhookError::Mismatch)
    );

    // Settlement is announced as an update.
    sb.advance_clock(chrono::Duration::minutes(11));
    let delivered = wait_for(&got, 2).await;
    let (header, body) = &delivered[1];
    verify_webhook_signature(header, body, &secret, Utc::now()).unwrap();
    let event = parse_transaction_event(body).unwrap();
    assert_eq!(event.data.event, TransactionEventKind::Updated);
    assert_eq!(event.data.status, Some(TransactionStatus::Completed));

    let moved = client
        .update_webhook_subscription(
            &sub.id,
            &NewWebhookSubscription {
                callback_url: format!("{url}?v=2"),
                ..new.clone()
            },
        )
        .await
        .unwrap();
    assert!(moved.callback_url.ends_with("?v=2"));
    client.delete_webhook_subscription(&sub.id).await.unwrap();
    let e = client.webhook_subscription(&sub.id).await.unwrap_err();
    assert_eq!(e.status, Some(404));
}
