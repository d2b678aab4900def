//! The simulator holds a million entries and pages through them without rescanning.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use encaisse_sandbox::clockify::{ClockifySandbox, SandboxConfig, SeededWorkspace, WorkspaceSeed};

#[tokio::test]
async fn a_million_entries_are_seeded_and_served_page_by_page() {
    let mut seed = WorkspaceSeed::small(1);
    seed.client_names = (0..2000).map(|i| format!("Client {i:04}")).collect();
    seed.projects_per_client = 1;
    seed.tasks_per_project = 1;
    seed.entries = 1_000_000;
    let started = Instant::now();
    let sb = ClockifySandbox::start(
        SandboxConfig::default(),
        vec![SeededWorkspace {
            seed,
            api_key: "k".into(),
        }],
    )
    .await
    .unwrap();
    let seeded = started.elapsed();
    let ws = sb.workspace_id(0).unwrap();
    assert_eq!(sb.inspect(|s| s.workspaces[0].entries.len()), 1_000_000);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let body = |page: u32| {
        serde_json::json!({
            "dateRangeStart": "2026-10-01T00:00:00.000", "dateRangeEnd": "2026-10-31T23:59:59.999",
            "timeZone": "UTC", "detailedFilter": { "page": page, "pageSize": 200 }
        })
    };
    let url = format!("{}/report/v1/workspaces/{ws}/reports/detailed", sb.url());
    let mut ids = std::collections::HashSet::new();
    let paging = Instant::now();
    for page in 1..=5 {
        let r: serde_json::Value = http
            .post(&url)
            .header("X-Api-Key", "k")
            .json(&body(page))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rows = r["timeentries"].as_array().unwrap();
        assert_eq!(rows.len(), 200);
        for row in rows {
            assert!(ids.insert(row["_id"].as_str().unwrap().to_owned()));
        }
    }
    eprintln!(
        "seeded 1M entries in {seeded:?}; 5 report pages in {:?}",
        paging.elapsed()
    );
}
