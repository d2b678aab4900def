//! The Clockify client against the Clockify simulator, over real HTTP on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use encaisse_connectors::clockify::{ClockifyClient, Config, Endpoints, ReportQuery, webhook};
use encaisse_connectors::iso_duration;
use encaisse_connectors::transport::RetryPolicy;
use encaisse_sandbox::clockify::{ClockifySandbox, SandboxConfig, SeededWorkspace, WorkspaceSeed};

const KEY: &str = "sandbox-key-1";

async fn sandbox(seed: WorkspaceSeed, config: SandboxConfig) -> ClockifySandbox {
    ClockifySandbox::start(
        config,
        vec![SeededWorkspace {
            seed,
            api_key: KEY.into(),
        }],
    )
    .await
    .unwrap()
}

fn client(root: &str, key: &str, page_size: u32) -> ClockifyClient {
    let mut c = Config::new(Endpoints::under(root), key);
    c.page_size = page_size;
    c.rate = None;
    c.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
    };
    ClockifyClient::new(c).unwrap()
}

fn october() -> ReportQuery {
    ReportQuery {
        start: Utc.with_ymd_and_hms(2026, 9, 30, 0, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap(),
        billable: None,
        invoicing_state: None,
    }
}

#[tokio::test]
async fn the_report_is_read_across_five_pages_through_a_429_honouring_retry_after() {
    let sb = sandbox(WorkspaceSeed::small(1), SandboxConfig::default()).await;
    let ws = sb.workspace_id(0).unwrap();
    let c = client(&sb.url(), KEY, 25);
    // Two pages go through, the third is answered 429 with Retry-After: 1.
    sb.throttle_after(2, 1, 1);
    let started = Instant::now();
    let mut pages = Vec::new();
    let rows = c
        .detailed_report(&ws, &october(), &mut |n| pages.push(n))
        .await
        .unwrap();
    assert_eq!(rows.len(), 120);
    assert_eq!(pages, vec![25, 50, 75, 100, 120], "five pages");
    assert_eq!(sb.throttled(), 1);
    assert_eq!(c.transport().stats.throttled.load(Ordering::Relaxed), 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );
    // Durations are seconds in reports, and every id once.
    let mut ids: Vec<_> = rows.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 120);
    assert!(rows.iter().all(|r| r.time_interval.duration.unwrap() > 0));
}

#[tokio::test]
async fn core_lists_are_paged_until_the_last_page_header() {
    let mut seed = WorkspaceSeed::small(2);
    seed.client_names = (0..23).map(|i| format!("Client {i:02}")).collect();
    seed.users = 9;
    let sb = sandbox(seed, SandboxConfig::default()).await;
    let ws = sb.workspace_id(0).unwrap();
    let c = client(&sb.url(), KEY, 5);
    assert_eq!(c.clients(&ws).await.unwrap().len(), 23);
    assert_eq!(c.users(&ws).await.unwrap().len(), 9);
    let projects = c.projects(&ws).await.unwrap();
    assert_eq!(projects.len(), 46);
    assert!(
        projects
            .iter()
            .all(|p| p.client_id.is_some() && !p.memberships.is_empty())
    );
    let tasks = c.tasks(&ws, &projects[0].id).await.unwrap();
    assert_eq!(tasks.len(), 2);
    let workspace = c.workspace(&ws).await.unwrap();
    assert_eq!(workspace.hourly_rate.unwrap().amount, 9000);
    // Requests: 5 pages of clients, 2 of users, 10 of projects, 1 of tasks, 1 of workspaces.
    assert_eq!(sb.requests(), 19);
}

#[tokio::test]
async fn a_bad_key_is_refused_with_what_to_do() {
    let sb = sandbox(WorkspaceSeed::small(3), SandboxConfig::default()).await;
    let ws = sb.workspace_id(0).unwrap();
    let e = client(&sb.url(), "wrong-key", 50)
        .projects(&ws)
        .await
        .unwrap_err();
    assert!(e.is_unauthorized() && e.is_permanent());
    assert_eq!((e.status, e.code), (Some(401), Some(4003)));
    let text = e.to_string();
    for part in [
        &format!("GET /v1/workspaces/{ws}/projects") as &str,
        &ws,
        "401",
        "API key",
        "euc1",
    ] {
        assert!(text.contains(part), "`{part}` missing from: {text}");
    }
    assert!(!text.contains("wrong-key"), "the key leaked: {text}");
}

#[tokio::test]
async fn a_regional_workspace_answers_only_under_its_region() {
    let mut seed = WorkspaceSeed::small(4);
    seed.region = Some("euc1".into());
    let sb = sandbox(seed, SandboxConfig::default()).await;
    let ws = sb.workspace_id(0).unwrap();
    let global = client(&sb.url(), KEY, 50);
    assert!(global.workspaces().await.unwrap().is_empty());
    let e = global
        .detailed_report(&ws, &october(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code), (Some(400), Some(501)));
    assert!(e.to_string().contains("regional"), "{e}");
    let eu = client(&sb.regional_url("euc1"), KEY, 200);
    assert_eq!(eu.workspaces().await.unwrap().len(), 1);
    assert_eq!(
        eu.detailed_report(&ws, &october(), &mut |_| {})
            .await
            .unwrap()
            .len(),
        120
    );
}

#[tokio::test]
async fn an_archived_workspace_says_so() {
    let sb = sandbox(WorkspaceSeed::small(5), SandboxConfig::default()).await;
    let ws = sb.workspace_id(0).unwrap();
    sb.configure(&ws, |w| w.archived = true);
    let e = client(&sb.url(), KEY, 50).clients(&ws).await.unwrap_err();
    assert_eq!(e.status, Some(403));
    assert!(e.to_string().contains("archived"), "{e}");
}

#[tokio::test]
async fn deleted_and_edited_entries_show_in_the_next_read_and_invoiced_marks_stick() {
    let sb = sandbox(WorkspaceSeed::small(6), SandboxConfig::default()).await;
    let ws = sb.workspace_id(0).unwrap();
    let c = client(&sb.url(), KEY, 200);
    let rows = c
        .detailed_report(&ws, &october(), &mut |_| {})
        .await
        .unwrap();
    let (gone, edited) = (rows[0].id.clone(), rows[1].id.clone());
    c.mark_invoiced(&ws, &[edited.clone(), rows[2].id.clone()], true)
        .await
        .unwrap();
    assert_eq!(sb.is_invoiced(&ws, &edited), Some(true));
    assert!(sb.delete_entry(&ws, &gone));
    assert!(sb.edit_entry(&ws, &edited, |e| {
        e.description = "Edited after invoicing".into();
        e.end = e.end.map(|t| t + 3600);
    }));
    let after = c
        .detailed_report(&ws, &october(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(after.len(), 119);
    assert!(after.iter().all(|r| r.id != gone));
    let e = after.iter().find(|r| r.id == edited).unwrap();
    assert_eq!(e.description, "Edited after invoicing");
    assert!(e.is_invoiced());
    let mut invoiced = october();
    invoiced.invoicing_state = Some("INVOICED".into());
    assert_eq!(
        c.detailed_report(&ws, &invoiced, &mut |_| {})
            .await
            .unwrap()
            .len(),
        2
    );
    let e = c.time_entry(&ws, &gone).await.unwrap_err();
    assert_eq!((e.status, e.code), (Some(400), Some(501)));
    // Clockify's validation: at least one id.
    let e = c.mark_invoiced(&ws, &[], true).await;
    assert!(e.is_ok(), "an empty list sends nothing");
}

#[tokio::test]
async fn per_user_filters_are_sent_as_wall_clock_time_in_the_workspace_zone() {
    let sb = sandbox(WorkspaceSeed::small(7), SandboxConfig::default()).await;
    let ws = sb.workspace_id(0).unwrap();
    let c = client(&sb.url(), KEY, 10);
    let rows = c
        .detailed_report(&ws, &october(), &mut |_| {})
        .await
        .unwrap();
    let r = &rows[10];
    let user = r.user_id.clone().unwrap();
    let start = r.time_interval.start.with_timezone(&Utc);
    // A window of one minute around the entry's start, in UTC: found only if the client
    // converted it to Paris wall-clock time.
    let entries = c
        .user_time_entries(
            &ws,
            &user,
            start - chrono::Duration::seconds(30),
            start + chrono::Duration::seconds(30),
            chrono_tz::Europe::Paris,
        )
        .await
        .unwrap();
    let e = entries
        .iter()
        .find(|e| e.id == r.id)
        .expect("entry in its window");
    assert_eq!(
        iso_duration::parse_seconds(e.time_interval.duration.as_deref().unwrap()),
        r.time_interval.duration
    );
    assert_eq!(
        e.hourly_rate.as_ref().unwrap().amount.to_string(),
        r.rate.as_ref().unwrap().to_string()
    );
    let all = c
        .user_time_entries(
            &ws,
            &user,
            october().start,
            october().end,
            chrono_tz::Europe::Paris,
        )
        .await
        .unwrap();
    assert_eq!(
        all.len(),
        rows.iter()
            .filter(|x| x.user_id.as_deref() == Some(&user))
            .count()
    );
}

#[tokio::test]
async fn webhooks_are_delivered_with_the_static_token_header() {
    let received: Arc<Mutex<Vec<(String, String, serde_json::Value)>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::Json<serde_json::Value>| {
                let sink = sink.clone();
                async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned()
                    };
                    sink.lock().unwrap().push((
                        h(webhook::SIGNATURE_HEADER),
                        h(webhook::EVENT_TYPE_HEADER),
                        body.0,
                    ));
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let sb = sandbox(WorkspaceSeed::small(8), SandboxConfig::default()).await;
    let ws = sb.workspace_id(0).unwrap();
    let c = client(&sb.url(), KEY, 200);
    let e = c
        .create_webhook(&ws, "", "http://x", "TIME_ENTRY_UPDATED")
        .await
        .unwrap_err();
    assert_eq!(e.status, Some(400), "a nameless webhook is refused: {e}");
    let hook = c
        .create_webhook(
            &ws,
            "encaisse-time",
            &format!("http://{addr}/hook"),
            "TIME_ENTRY_UPDATED",
        )
        .await
        .unwrap();
    assert!(hook.auth_token.starts_with("eyJ"));
    let rows = c
        .detailed_report(&ws, &october(), &mut |_| {})
        .await
        .unwrap();
    sb.edit_entry(&ws, &rows[3].id, |e| e.description = "changed".into());
    let deadline = Instant::now() + Duration::from_secs(10);
    while received.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no delivery");
        tokio::task::yield_now().await;
    }
    let (sig, event, body) = received.lock().unwrap()[0].clone();
    assert!(webhook::token_matches(
        &webhook::token_digest(&hook.auth_token),
        &sig
    ));
    assert_eq!(event, "TIME_ENTRY_UPDATED");
    assert_eq!(body["id"], rows[3].id.as_str());
    assert_eq!(body["description"], "changed");
    assert_eq!(
        body["timeInterval"]["duration"]
            .as_str()
            .map(|d| d.starts_with("PT")),
        Some(true)
    );
}

#[tokio::test]
async fn the_simulator_throttles_beyond_its_rate_and_the_client_still_gets_everything() {
    let config = SandboxConfig {
        requests_per_second: Some(4.0),
        burst: 2,
        ..SandboxConfig::default()
    };
    let sb = sandbox(WorkspaceSeed::small(9), config).await;
    let ws = sb.workspace_id(0).unwrap();
    let c = client(&sb.url(), KEY, 30);
    let rows = c
        .detailed_report(&ws, &october(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(rows.len(), 120);
    assert!(
        sb.throttled() >= 1,
        "5 quick pages against a burst of 2 must meet a 429"
    );
}
