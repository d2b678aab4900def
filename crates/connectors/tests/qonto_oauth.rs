//! The Qonto client against the Qonto simulator over real HTTP on loopback: the OAuth dance,
//! refresh and rotation, single-flight refreshes, webhook subscriptions and signed deliveries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod qonto_support;

use std::sync::Arc;

use chrono::Utc;
use encaisse_connectors::qonto::Endpoints;
use encaisse_connectors::qonto::model::{NewWebhookSubscription, TransactionStatus};
use encaisse_connectors::qonto::oauth::{DEFAULT_SCOPES, MemoryTokenStore, OAuthSession, TokenSet};
use encaisse_connectors::qonto::webhook::{
    TransactionEventKind, WebhookError, parse_transaction_event, verify_webhook_signature,
};
use encaisse_sandbox::qonto::{NewTransaction, QontoSandboxConfig};
use qonto_support::{
    authorize, bearer_client, connect, key_client, oauth_client, raw_refresh, receiver, sandbox,
    seed, wait_for,
};

#[tokio::test]
async fn the_oauth_dance_refreshes_and_rotates_and_the_used_refresh_token_is_refused() {
    let sb = sandbox(seed(5), QontoSandboxConfig::default()).await;
    let (client, session, store) = connect(&sb, &DEFAULT_SCOPES).await;
    let first = store.current().unwrap();
    assert_eq!(store.saves(), 1);
    assert!(
        first.refresh_token.is_some(),
        "offline_access gives a refresh token"
    );
    assert_eq!(first.scope, DEFAULT_SCOPES.to_vec());
    assert_eq!(
        client.organization().await.unwrap().slug,
        "atelier-durand-4821"
    );

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
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

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
    assert_eq!(
        sb.refresh_grants() - grants,
        1,
        "the rotating token was spent once"
    );
    assert_eq!(session.refreshes(), 1);
    assert_eq!(store.saves(), 1);
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
    assert_eq!(
        client
            .webhook_subscription(&sub.id)
            .await
            .unwrap()
            .callback_url,
        url
    );

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
    assert_eq!(
        event.data.transaction_id.as_deref(),
        added["transaction_id"].as_str()
    );
    // A tampered body, a stale timestamp, the wrong secret: refused.
    let tampered = String::from_utf8(body.clone())
        .unwrap()
        .replace("2400", "9400");
    assert_eq!(
        verify_webhook_signature(header, tampered.as_bytes(), &secret, Utc::now()),
        Err(WebhookError::Mismatch)
    );
    assert!(matches!(
        verify_webhook_signature(
            header,
            body,
            &secret,
            Utc::now() + chrono::Duration::minutes(6)
        ),
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
