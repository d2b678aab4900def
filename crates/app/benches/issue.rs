//! `cargo bench -p encaisse-app --bench issue`: issuing one-page invoices end to end on
//! SQLite (the default backend): number, payment reference, Factur-X PDF/A-3b with its CII
//! XML embedded, CII and UBL XML, SHA-256 of each, the rows in `invoice_documents`, the audit
//! event, one commit per invoice. Prints wall time and process CPU per invoice. The issue's
//! target: at least 200 invoices per second per core for render + embed + hash (see also
//! `cargo bench -p encaisse-documents`, which measures that part alone).
//! Does nothing unless run with `--bench` (so `cargo test` skips it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use encaisse_app::App;
use encaisse_app::auth::Actor;
use encaisse_app::clock::FixedClock;
use encaisse_app::config::Config;
use encaisse_app::invoices::{DraftLine, DraftRequest};
use encaisse_app::setup::InitRequest;
use encaisse_core::Currency;
use encaisse_core::identifiers::{Siren, VatId};
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Client, Country, LegalIds, PaymentTerms};
use encaisse_store::Store;
use rust_decimal::Decimal;
use uuid::Uuid;

const INVOICES: usize = 300;

/// CPU time of the whole process (all threads, SQLite's included), from /proc/self/stat.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
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
    store
        .execute_raw(&format!(
            "UPDATE organizations SET vat_id = 'FR40303265045', siren = '303265045', \
             iban = 'FR7630006000011234567890189' WHERE id = '{org}'"
        ))
        .await
        .unwrap();
    let owner = Actor::system(org, "bench");
    let approver = Actor::system(org, "bench-approver");
    let client = Client {
        id: Uuid::now_v7(),
        organization_id: org,
        name: "Boulangeries Lefèvre SAS".into(),
        ids: LegalIds {
            siren: Some(Siren::parse("732829320").unwrap()),
            vat_id: Some(VatId::parse("FR44732829320").unwrap()),
            ..Default::default()
        },
        address: Address {
            street: Some("Rue du Faubourg Saint-Antoine".into()),
            building_number: Some("48".into()),
            postal_code: "75011".into(),
            city: "Paris".into(),
            country: Country::FR,
        },
        email: Some("compta@lefevre.test".into()),
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms { days: 30 },
        requires_purchase_order: false,
    };
    let mut tx = store.write().await.unwrap();
    tx.insert_client(&client, None, app.now()).await.unwrap();
    tx.commit().await.unwrap();

    let mut ids = Vec::with_capacity(INVOICES);
    for i in 0..INVOICES {
        let line = |d: &str, q: i64, p: i64| DraftLine {
            description: d.into(),
            quantity: Decimal::new(q, 1),
            unit: Some("HUR".into()),
            unit_price: Decimal::new(p, 0),
            discount_percent: None,
            vat_category: "S".into(),
            vat_percent: Decimal::new(20, 0),
            time_entry_ids: vec![],
        };
        let d = app
            .create_draft(
                &owner,
                DraftRequest {
                    client_id: client.id,
                    currency: None,
                    lines: vec![
                        line("Développement — octobre 2026", 125 + i as i64, 95),
                        line("Revue de code", 40, 110),
                        line("Réunion de pilotage", 20, 120),
                    ],
                    service_period: None,
                    buyer_reference: None,
                    purchase_order: Some(format!("PO-{i}")),
                    notes: None,
                    external_ref: None,
                },
            )
            .await
            .unwrap();
        app.submit_invoice(&owner, d.id).await.unwrap();
        if app
            .invoice_detail(&owner, d.id)
            .await
            .unwrap()
            .invoice
            .status
            != encaisse_core::invoice::InvoiceStatus::Approved
        {
            app.approve_invoice(&approver, d.id).await.unwrap();
        }
        ids.push(d.id);
    }

    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    // Warm up (fonts parsed once per process).
    for id in ids.drain(..20) {
        app.issue_invoice(&owner, id, day).await.unwrap();
    }
    let n = ids.len() as u32;
    let cpu_start = process_cpu();
    let start = Instant::now();
    for id in ids {
        app.issue_invoice(&owner, id, day).await.unwrap();
    }
    let wall = start.elapsed();
    let cpu = match (cpu_start, process_cpu()) {
        (Some(a), Some(b)) => format!(
            "{:>6.2} ms CPU/invoice = {:>4.0} invoices/s per core",
            (b - a).as_secs_f64() * 1e3 / f64::from(n),
            f64::from(n) / (b - a).as_secs_f64()
        ),
        _ => "CPU time unavailable".to_owned(),
    };
    println!(
        "issue (number + render + embed + hash + store + audit + commit), {n} one-page invoices: \
         {:>6.2} ms wall/invoice ({:>4.0}/s) | {cpu}",
        wall.as_secs_f64() * 1e3 / f64::from(n),
        f64::from(n) / wall.as_secs_f64(),
    );
}
