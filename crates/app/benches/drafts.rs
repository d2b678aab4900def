//! `cargo bench -p encaisse-app --bench drafts`: one million time entries of 2,000 clients
//! turned into drafts (SQLite, the default backend), with the time taken and the peak
//! resident memory (VmHWM). Target: under 10 s and 1 GiB on the project's 2-core machine.
//! Does nothing unless run with `--bench` (so `cargo test` skips it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use encaisse_app::App;
use encaisse_app::auth::Actor;
use encaisse_app::billing::{BillingPeriod, DraftRun};
use encaisse_app::clock::FixedClock;
use encaisse_app::config::Config;
use encaisse_app::setup::InitRequest;
use encaisse_core::Currency;
use encaisse_core::party::Country;
use encaisse_store::Store;

const CLIENTS: u64 = 2_000;
const ENTRIES: u64 = 1_000_000;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("bench.db"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
    ));
    let app = App::new(store.clone(), Config::default(), clock);
    let init = app
        .init(InitRequest {
            org_name: "Bench SAS".into(),
            country: Country::FR,
            currency: Currency::EUR,
            owner_email: "bench@example.test".into(),
            owner_password: "bench bench bench".into(),
        })
        .await
        .unwrap();
    let org = init.organization.id;
    let seeding = Instant::now();
    store
        .execute_raw(&format!(
            "UPDATE organizations SET vat_id = 'FR40303265045' WHERE id = '{org}'"
        ))
        .await
        .unwrap();
    store
        .execute_raw(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
             INSERT INTO clients (id, organization_id, external_ref, name, postal_code, city, country, language, currency, \
             payment_terms_days, requires_purchase_order, created_at, updated_at) \
             SELECT printf('00000001-0000-7000-8000-%012x', i), '{org}', NULL, printf('Client %04d', i), '75001', 'Paris', 'FR', \
             'fr', 'EUR', 30, 0, '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00' FROM n",
            last = CLIENTS - 1
        ))
        .await
        .unwrap();
    store
        .execute_raw(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
             INSERT INTO projects (id, organization_id, client_id, name, hourly_rate_minor, currency, external_id, created_at) \
             SELECT printf('00000002-0000-7000-8000-%012x', i), '{org}', printf('00000001-0000-7000-8000-%012x', i), \
             printf('Projet %04d', i), 9500 + (i % 7) * 500, 'EUR', printf('bench-%d', i), '2026-11-01T00:00:00+00:00' FROM n",
            last = CLIENTS - 1
        ))
        .await
        .unwrap();
    store
        .execute_raw(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
             INSERT INTO time_entries (id, organization_id, project_id, source, external_id, user_name, description, started_at, \
             duration_seconds, billable, hourly_rate_minor, rate_currency, invoice_id, created_at) \
             SELECT printf('00000003-0000-7000-8000-%012x', i), '{org}', printf('00000002-0000-7000-8000-%012x', i % {clients}), \
             'csv', printf('bench-%d', i), printf('Consultant %d', i % 8), printf('Tâche %d', i % 50), \
             printf('2026-10-%02dT%02d:%02d:00+00:00', 1 + (i / {clients}) % 30, 7 + (i / 60000) % 10, (i / 1000) % 60), \
             900 + (i % 16) * 600, ((i / {clients}) % 10) <> 0, NULL, NULL, NULL, '2026-11-01T00:00:00+00:00' FROM n",
            last = ENTRIES - 1,
            clients = CLIENTS
        ))
        .await
        .unwrap();
    store.execute_raw("ANALYZE").await.unwrap();
    println!(
        "seeded {ENTRIES} entries for {CLIENTS} clients in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let actor = Actor::system(org, "bench");
    let period = BillingPeriod::parse("2026-10").unwrap();
    let read = Instant::now();
    let (from, to) = period.bounds(app.config.timezone());
    let mut rows = 0usize;
    let mut tx = store.read().await.unwrap();
    tx.each_billable_entry(org, from, to, None, |_| {
        rows += 1;
        Ok(())
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    println!(
        "reading the {rows} unbilled entries alone: {:.2} s",
        read.elapsed().as_secs_f64()
    );
    let dry = Instant::now();
    let preview = app
        .draft_invoices(
            &actor,
            &DraftRun {
                period,
                client_id: None,
                dry_run: true,
            },
        )
        .await
        .unwrap();
    println!(
        "dry run (read + plan, nothing written): {} drafts in {:.2} s",
        preview.drafts.len(),
        dry.elapsed().as_secs_f64()
    );
    let run = DraftRun {
        period,
        client_id: None,
        dry_run: false,
    };
    let started = Instant::now();
    let report = app.draft_invoices(&actor, &run).await.unwrap();
    let took = started.elapsed();
    let entries: usize = report.drafts.iter().map(|d| d.entries).sum();
    let lines: usize = report.drafts.iter().map(|d| d.lines).sum();
    println!(
        "drafts: {} drafts, {lines} lines, {entries} entries billed, {} skipped, in {:.2} s",
        report.drafts.len(),
        report.skipped.values().sum::<usize>(),
        took.as_secs_f64()
    );
    let again = Instant::now();
    let second = app.draft_invoices(&actor, &run).await.unwrap();
    println!(
        "second run: {} drafts in {:.2} s",
        second.drafts.len(),
        again.elapsed().as_secs_f64()
    );
    match peak_rss_mib() {
        Some(m) => println!("peak RSS (VmHWM): {m:.0} MiB"),
        None => println!("peak RSS: unavailable (no /proc/self/status)"),
    }
    assert_eq!(
        entries as u64,
        ENTRIES - ENTRIES / 10,
        "every billable entry billed once"
    );
    assert!(second.drafts.is_empty());
}
