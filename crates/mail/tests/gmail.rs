//! The Gmail transport against the Gmail simulator over loopback HTTP: raw base64url sends,
//! threads for reminders, refresh-token exchange, quota errors retried, other 4xx permanent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/facts.rs"]
mod facts;

use std::path::Path;
use std::time::Duration;

use encaisse_connectors::transport::{RetryPolicy, Transport as Http};
use encaisse_mail::gmail::GmailTransport;
use encaisse_mail::oauth::{TokenGrant, TokenSource};
use encaisse_mail::{MailConfig, MailKind, Problem, ReminderLevel, SendError, Transport, diagnose};
use encaisse_sandbox::gmail::{GmailConfig, GmailSandbox};
use facts::{FactsBuilder, composer};
use secrecy::SecretString;

fn transport(sb: &GmailSandbox, refresh: &str, user: &str) -> GmailTransport {
    let http = Http::new(
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_secs(2),
            timeout: Duration::from_secs(10),
        },
        None,
        "encaisse-test",
    )
    .unwrap();
    let tokens = TokenSource::new(TokenGrant::RefreshToken {
        token_url: sb.token_url(),
        client_id: "client-id.apps.googleusercontent.com".into(),
        client_secret: SecretString::from("client-secret".to_owned()),
        refresh_token: SecretString::from(refresh.to_owned()),
    });
    GmailTransport::new(http, tokens, &sb.url(), user)
}

fn config(sb: &GmailSandbox, refresh: &str) -> MailConfig {
    serde_json::from_value(serde_json::json!({
        "transport": "gmail", "from": "billing@gmail.example",
        "gmail": {"client_id": "client-id.apps.googleusercontent.com", "client_secret": "client-secret",
                  "refresh_token": refresh, "base_url": sb.url(), "token_url": sb.token_url()}
    }))
    .unwrap()
}

#[tokio::test]
async fn the_raw_message_is_sent_and_reminders_join_its_thread() {
    let sb = GmailSandbox::start(GmailConfig::default()).await.unwrap();
    let t = transport(&sb, "1//refresh-token", "me");
    let c = composer();
    let invoice = c.compose(&FactsBuilder::invoice().build()).unwrap();
    let first = t.send(&invoice).await.unwrap();
    let thread = first.thread_id.clone().unwrap();
    assert_eq!(first.provider_id.as_deref(), Some(thread.as_str()));
    assert!(
        first.server_answer.starts_with("200"),
        "{}",
        first.server_answer
    );

    let reminder = c
        .compose(
            &FactsBuilder::invoice()
                .kind(MailKind::Reminder(ReminderLevel::Friendly))
                .gmail_thread(&thread)
                .build(),
        )
        .unwrap();
    let second = t.send(&reminder).await.unwrap();
    assert_eq!(second.thread_id.as_deref(), Some(thread.as_str()));
    assert_ne!(second.provider_id, first.provider_id);
    sb.inspect(|s| {
        assert_eq!(s.sent.len(), 2);
        assert_eq!(s.sent[0].raw, invoice.raw());
        assert_eq!(s.sent[1].raw, reminder.raw());
        assert_eq!(s.sent[1].requested_thread.as_deref(), Some(thread.as_str()));
        assert_eq!(s.tokens_issued, 1, "the access token is cached");
    });
}

#[tokio::test]
async fn quota_errors_are_retried_with_backoff() {
    let sb = GmailSandbox::start(GmailConfig::default()).await.unwrap();
    let t = transport(&sb, "1//refresh-token", "me");
    sb.fail_next(1, 403, "userRateLimitExceeded");
    sb.fail_next(1, 429, "rateLimitExceeded");
    t.send(
        &composer()
            .compose(&FactsBuilder::invoice().build())
            .unwrap(),
    )
    .await
    .unwrap();
    sb.inspect(|s| {
        assert_eq!(s.throttled, 2);
        assert_eq!(s.sent.len(), 1);
    });
}

#[tokio::test]
async fn the_per_user_quota_ends_in_a_temporary_failure() {
    // 2 sends a minute; the third is refused until the minute ends, beyond our retries.
    let sb = GmailSandbox::start(GmailConfig {
        units_per_user_minute: 200,
        quota_status: 403,
        ..GmailConfig::default()
    })
    .await
    .unwrap();
    let t = transport(&sb, "1//refresh-token", "me");
    let c = composer();
    for i in 0..2u128 {
        let f = FactsBuilder::invoice()
            .document(uuid::Uuid::from_u128(90 + i), "FA-9")
            .build();
        t.send(&c.compose(&f).unwrap()).await.unwrap();
    }
    let err = t
        .send(&c.compose(&FactsBuilder::invoice().build()).unwrap())
        .await
        .unwrap_err();
    assert!(err.is_temporary(), "{err}");
    assert!(err.answer().contains("userRateLimitExceeded"), "{err}");
}

#[tokio::test]
async fn other_client_errors_are_permanent_and_not_retried() {
    let sb = GmailSandbox::start(GmailConfig::default()).await.unwrap();
    let t = transport(&sb, "1//refresh-token", "someone-else@gmail.example");
    let err = t
        .send(
            &composer()
                .compose(&FactsBuilder::invoice().build())
                .unwrap(),
        )
        .await
        .unwrap_err();
    match err {
        SendError::Permanent { answer } => assert!(answer.contains("403"), "{answer}"),
        e => panic!("{e:?}"),
    }
    sb.inspect(|s| assert_eq!(s.requests, 1));
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed() {
    let sb = GmailSandbox::start(GmailConfig::default()).await.unwrap();
    let t = transport(&sb, "1//refresh-token", "me");
    let c = composer();
    t.send(&c.compose(&FactsBuilder::invoice().build()).unwrap())
        .await
        .unwrap();
    sb.revoke_access_tokens();
    let f = FactsBuilder::invoice()
        .document(uuid::Uuid::from_u128(5), "FA-5")
        .build();
    t.send(&c.compose(&f).unwrap()).await.unwrap();
    sb.inspect(|s| assert_eq!((s.tokens_issued, s.sent.len()), (2, 2)));
}

#[tokio::test]
async fn a_revoked_refresh_token_is_explained() {
    let sb = GmailSandbox::start(GmailConfig::default()).await.unwrap();
    let t = transport(&sb, "1//revoked", "me");
    let err = t
        .send(
            &composer()
                .compose(&FactsBuilder::invoice().build())
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(err.is_temporary(), "{err}");
    assert!(err.answer().contains("invalid_grant"), "{err}");
    let d = diagnose(&config(&sb, "1//revoked"), Path::new("/tmp")).await;
    assert_eq!(d.problem, Some(Problem::Credentials), "{d}");
    let d = diagnose(&config(&sb, "1//refresh-token"), Path::new("/tmp")).await;
    assert!(d.is_ok(), "{d}");
    assert!(d.to_string().contains("billing@gmail.example"), "{d}");
}
