//! The Graph transport against the Graph simulator over loopback HTTP: create-then-send,
//! MIME creation keeping our headers, upload sessions for large attachments, the
//! four-requests-per-mailbox limit, 429/503 with Retry-After, token refresh, and diagnosis.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/facts.rs"]
mod facts;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use encaisse_connectors::transport::{RetryPolicy, Transport as Http};
use encaisse_mail::graph::GraphTransport;
use encaisse_mail::oauth::{TokenGrant, TokenSource};
use encaisse_mail::{
    Attachment, MailConfig, Problem, SendError, Transport, build_transport, diagnose,
};
use encaisse_sandbox::graph::{GraphConfig, GraphSandbox};
use facts::{FactsBuilder, composer, pdf_bytes};
use secrecy::SecretString;

const MAILBOX: &str = "billing@contoso.example";

fn http() -> Http {
    Http::new(
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_secs(2),
            timeout: Duration::from_secs(10),
        },
        None,
        "encaisse-test",
    )
    .unwrap()
}

fn grant(sb: &GraphSandbox, secret: &str) -> TokenSource {
    TokenSource::new(TokenGrant::ClientCredentials {
        token_url: format!("{}/contoso-tenant/oauth2/v2.0/token", sb.login_url()),
        client_id: "app-id".into(),
        client_secret: SecretString::from(secret.to_owned()),
        scope: "https://graph.microsoft.com/.default".into(),
    })
}

fn transport(sb: &GraphSandbox) -> GraphTransport {
    GraphTransport::new(http(), grant(sb, "app-secret"), &sb.graph_url(), MAILBOX)
}

fn config(sb: &GraphSandbox, secret: &str, mailbox: &str) -> MailConfig {
    serde_json::from_value(serde_json::json!({
        "transport": "graph", "from": format!("Billing <{MAILBOX}>"),
        "graph": {"tenant_id": "contoso-tenant", "client_id": "app-id", "client_secret": secret,
                  "mailbox": mailbox, "base_url": sb.graph_url(), "login_url": sb.login_url()}
    }))
    .unwrap()
}

#[tokio::test]
async fn a_message_is_created_from_its_mime_then_sent_so_its_id_is_known() {
    let sb = GraphSandbox::start(GraphConfig::default()).await.unwrap();
    let t = build_transport(&config(&sb, "app-secret", MAILBOX), Path::new("/tmp")).unwrap();
    let msg = composer()
        .compose(&FactsBuilder::invoice().build())
        .unwrap();
    let receipt = t.send(&msg).await.unwrap();
    assert_eq!(receipt.server_answer, "202 Accepted");
    assert_eq!(receipt.message_id, msg.message_id.to_string());
    let id = receipt.provider_id.clone().unwrap();
    sb.inspect(|s| {
        let m = s.message(&id).expect("created");
        assert!(m.sent);
        // Created from MIME: our bytes, headers and threading included, reached Graph as is.
        assert_eq!(m.mime.as_deref(), Some(msg.raw()));
        assert_eq!(m.internet_message_id, msg.message_id.to_string());
        assert_eq!(
            receipt.thread_id.as_deref(),
            Some(m.conversation_id.as_str())
        );
        let paths: Vec<_> = s
            .requests
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert_eq!(
            paths,
            [
                "POST /contoso-tenant/oauth2/v2.0/token".to_owned(),
                format!("POST /v1.0/users/{MAILBOX}/messages"),
                format!("POST /v1.0/users/{MAILBOX}/messages/{id}/send"),
            ]
        );
    });
}

#[tokio::test]
async fn large_attachments_go_through_an_upload_session_in_ranged_puts() {
    let sb = GraphSandbox::start(GraphConfig::default()).await.unwrap();
    let t = transport(&sb).with_limits(10_000, 4096);
    let big = pdf_bytes(30_000);
    let small = pdf_bytes(2_000);
    let msg = composer()
        .compose(
            &FactsBuilder::invoice()
                .attachments(vec![
                    Attachment::pdf("FA-2026-0042.pdf", big.clone()),
                    Attachment::pdf("conditions.pdf", small.clone()),
                ])
                .build(),
        )
        .unwrap();
    let receipt = t.send(&msg).await.unwrap();
    let id = receipt.provider_id.unwrap();
    sb.inspect(|s| {
        let m = s.message(&id).unwrap();
        assert!(m.sent && m.mime.is_none());
        let json = m.json.as_ref().unwrap();
        assert_eq!(json["internetMessageId"], msg.message_id.to_string());
        assert_eq!(
            json["toRecipients"][0]["emailAddress"]["address"],
            "helene@brasserie.example"
        );
        assert_eq!(
            json["replyTo"][0]["emailAddress"]["address"],
            "compta@etudes.example"
        );
        assert_eq!(m.attachments.len(), 2);
        let uploaded = m
            .attachments
            .iter()
            .find(|a| a.0 == "FA-2026-0042.pdf")
            .unwrap();
        assert_eq!(uploaded.2, big);
        assert_eq!(
            m.attachments
                .iter()
                .find(|a| a.0 == "conditions.pdf")
                .unwrap()
                .2,
            small
        );
        let puts: Vec<_> = s.requests.iter().filter(|r| r.method == "PUT").collect();
        assert_eq!(puts.len(), 30_000usize.div_ceil(4096));
        assert!(puts.iter().all(|r| !r.authorized && r.status < 300));
    });
}

#[tokio::test]
async fn no_more_than_four_requests_run_at_once_on_a_mailbox() {
    let sb = GraphSandbox::start(GraphConfig {
        latency: Duration::from_millis(40),
        ..GraphConfig::default()
    })
    .await
    .unwrap();
    let t = Arc::new(transport(&sb));
    let c = composer();
    let mut tasks = Vec::new();
    for i in 0..12u128 {
        let msg = c
            .compose(
                &FactsBuilder::invoice()
                    .document(uuid::Uuid::from_u128(500 + i), &format!("FA-{i}"))
                    .build(),
            )
            .unwrap();
        let t = t.clone();
        tasks.push(tokio::spawn(async move { t.send(&msg).await }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    sb.inspect(|s| {
        assert_eq!(s.sent().len(), 12);
        assert_eq!(s.throttled, 0, "the client went over the limit");
        assert!(s.peak_concurrency[MAILBOX] <= 4, "{:?}", s.peak_concurrency);
    });
}

#[tokio::test]
async fn the_simulator_throttles_a_fifth_concurrent_request() {
    // The control for the test above: without the client's semaphore, Graph answers 429.
    let sb = GraphSandbox::start(GraphConfig {
        latency: Duration::from_millis(200),
        ..GraphConfig::default()
    })
    .await
    .unwrap();
    sb.add_delegated_token("delegated", MAILBOX);
    let http = reqwest::Client::new();
    let url = format!("{}/users/{MAILBOX}", sb.graph_url());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (http, url) = (http.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let r = http.get(url).bearer_auth("delegated").send().await.unwrap();
            let retry = r.headers().get("retry-after").is_some();
            (r.status().as_u16(), retry, r.text().await.unwrap())
        }));
    }
    let mut throttled = 0;
    for t in tasks {
        let (status, retry, body) = t.await.unwrap();
        if status == 429 {
            throttled += 1;
            assert!(retry && body.contains("ApplicationThrottled"), "{body}");
        }
    }
    assert!(throttled >= 1);
}

#[tokio::test]
async fn throttling_and_unavailability_are_waited_out() {
    let sb = GraphSandbox::start(GraphConfig::default()).await.unwrap();
    let t = transport(&sb);
    sb.fail_next(1, 429, 1);
    sb.fail_next(1, 503, 0);
    let msg = composer()
        .compose(&FactsBuilder::invoice().build())
        .unwrap();
    t.send(&msg).await.unwrap();
    sb.inspect(|s| {
        assert_eq!(s.throttled, 2);
        assert_eq!(s.sent().len(), 1);
    });
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once() {
    let sb = GraphSandbox::start(GraphConfig::default()).await.unwrap();
    let t = transport(&sb);
    let c = composer();
    t.send(&c.compose(&FactsBuilder::invoice().build()).unwrap())
        .await
        .unwrap();
    sb.revoke_tokens();
    let again = FactsBuilder::invoice()
        .document(uuid::Uuid::from_u128(7), "FA-7")
        .build();
    t.send(&c.compose(&again).unwrap()).await.unwrap();
    sb.inspect(|s| assert_eq!(s.tokens_issued, 2));
}

#[tokio::test]
async fn a_delegated_token_is_used_as_given() {
    let sb = GraphSandbox::start(GraphConfig::default()).await.unwrap();
    sb.add_delegated_token("user-signed-in", MAILBOX);
    let t = GraphTransport::new(
        http(),
        TokenSource::new(TokenGrant::Given(SecretString::from(
            "user-signed-in".to_owned(),
        ))),
        &sb.graph_url(),
        MAILBOX,
    );
    t.send(
        &composer()
            .compose(&FactsBuilder::invoice().build())
            .unwrap(),
    )
    .await
    .unwrap();
    sb.inspect(|s| assert_eq!((s.tokens_issued, s.sent().len()), (0, 1)));
}

#[tokio::test]
async fn bad_credentials_and_unknown_mailboxes_are_explained() {
    let sb = GraphSandbox::start(GraphConfig::default()).await.unwrap();
    let msg = composer()
        .compose(&FactsBuilder::invoice().build())
        .unwrap();

    let wrong = GraphTransport::new(http(), grant(&sb, "wrong"), &sb.graph_url(), MAILBOX);
    let err = wrong.send(&msg).await.unwrap_err();
    assert!(err.is_temporary(), "{err}");
    assert!(err.answer().contains("AADSTS7000215"), "{err}");

    let d = diagnose(&config(&sb, "wrong", MAILBOX), Path::new("/tmp")).await;
    assert_eq!(d.problem, Some(Problem::Credentials), "{d}");

    let nobody = GraphTransport::new(
        http(),
        grant(&sb, "app-secret"),
        &sb.graph_url(),
        "nobody@contoso.example",
    );
    match nobody.send(&msg).await.unwrap_err() {
        SendError::Permanent { answer } => assert!(answer.contains("ErrorInvalidUser"), "{answer}"),
        e => panic!("{e:?}"),
    }
    let d = diagnose(
        &config(&sb, "app-secret", "nobody@contoso.example"),
        Path::new("/tmp"),
    )
    .await;
    assert_eq!(d.problem, Some(Problem::MailboxNotFound), "{d}");

    let d = diagnose(&config(&sb, "app-secret", MAILBOX), Path::new("/tmp")).await;
    assert!(d.is_ok(), "{d}");
    // Secrets never show.
    assert!(!format!("{d} {:?}", config(&sb, "app-secret", MAILBOX)).contains("app-secret"));
}
