//! `cargo bench -p encaisse-store`: insert and list 100k invoices on SQLite and PostgreSQL.
//!
//! A one-shot measurement (not a statistical micro-benchmark): inserting 100k rows is the
//! workload. PostgreSQL runs when ENCAISSE_TEST_DATABASE_URL is set. ENCAISSE_BENCH_N changes
//! the count.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use encaisse_core::invoice::{DocumentKind, Invoice, InvoiceLine, InvoiceStatus, UnitCode};
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Client, Country, LegalIds, Organization, PaymentTerms};
use encaisse_core::vat::{VatCategory, VatRate};
use encaisse_core::{Currency, Money};
use encaisse_store::invoices::InvoiceFilter;
use encaisse_store::testing::TestDb;
use rust_decimal::Decimal;
use uuid::Uuid;

fn main() {
    // `cargo test --benches` runs this with --bench absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("ENCAISSE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for db in TestDb::all().await.unwrap() {
            run(&db, n).await;
        }
    });
}

async fn run(db: &TestDb, n: usize) {
    let store = &db.store;
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap();
    let (inv_pat, cn_pat) = Organization::default_numbering();
    let addr = Address {
        street: None,
        building_number: None,
        postal_code: "75001".into(),
        city: "Paris".into(),
        country: Country::FR,
    };
    let org = Organization {
        id: Uuid::now_v7(),
        slug: "bench".into(),
        legal_name: "Bench SAS".into(),
        ids: LegalIds::default(),
        address: addr.clone(),
        iban: None,
        qr_iban: None,
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms::default(),
        invoice_numbering: inv_pat,
        credit_note_numbering: cn_pat,
    };
    let mut tx = store.write().await.unwrap();
    tx.insert_organization(&org, now).await.unwrap();
    let mut clients = Vec::new();
    for i in 0..200 {
        let c = Client {
            id: Uuid::now_v7(),
            organization_id: org.id,
            name: format!("Client {i:03}"),
            ids: LegalIds::default(),
            address: addr.clone(),
            email: None,
            language: Language::Fr,
            currency: Currency::EUR,
            terms: PaymentTerms::default(),
            requires_purchase_order: false,
        };
        tx.insert_client(&c, None, now).await.unwrap();
        clients.push(c.id);
    }
    tx.commit().await.unwrap();
    let vat = VatRate::new(VatCategory::Standard, Decimal::from(20)).unwrap();
    let start = Instant::now();
    for chunk in 0..n.div_ceil(1000) {
        let mut tx = store.write().await.unwrap();
        for i in chunk * 1000..((chunk + 1) * 1000).min(n) {
            let inv = Invoice {
                id: Uuid::now_v7(),
                organization_id: org.id,
                client_id: clients[i % clients.len()],
                kind: DocumentKind::Invoice,
                status: InvoiceStatus::Sent,
                disputed: false,
                number: Some(format!("F-2026-{i:06}")),
                currency: Currency::EUR,
                issue_date: NaiveDate::from_ymd_opt(2026, 1 + (i % 11) as u32, 1 + (i % 28) as u32),
                due_date: NaiveDate::from_ymd_opt(2026, 2 + (i % 11) as u32, 1 + (i % 28) as u32),
                service_period: None,
                buyer_reference: None,
                purchase_order: None,
                notes: None,
                lines: vec![InvoiceLine {
                    description: "Développement".into(),
                    quantity: Decimal::new(75 + (i % 100) as i64, 1),
                    unit: UnitCode::hour(),
                    unit_price: Decimal::from(95),
                    discount_percent: Decimal::ZERO,
                    vat,
                    time_entry_ids: vec![],
                }],
                corrects: None,
                payment_reference: None,
                paid: Money::zero(Currency::EUR),
            };
            let totals = inv.totals().unwrap();
            tx.insert_invoice(&inv, &totals, None, now).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let insert = start.elapsed();
    if store.backend() == encaisse_store::Backend::Postgres {
        // What autovacuum does after a bulk load; without statistics the planner sorts.
        store.execute_raw("ANALYZE").await.unwrap();
    }
    let start = Instant::now();
    let mut seen = 0;
    let mut cursor = None;
    loop {
        let mut tx = store.read().await.unwrap();
        let page = tx
            .invoices(
                org.id,
                &InvoiceFilter {
                    limit: 500,
                    before_id: cursor,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        seen += page.len();
        match page.last() {
            Some(last) => cursor = Some(last.id),
            None => break,
        }
    }
    let list = start.elapsed();
    assert_eq!(seen, n);
    let start = Instant::now();
    let mut tx = store.read().await.unwrap();
    let filtered = tx
        .invoices(
            org.id,
            &InvoiceFilter {
                client_id: Some(clients[7]),
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let one_client = start.elapsed();
    println!(
        "{:?}: insert {n} invoices (1 line each, 1000 per transaction) {:.2} s = {:.0}/s; list all in pages of 500 {:.2} s = {:.0}/s; one client's {} invoices {:.1} ms",
        store.backend(),
        insert.as_secs_f64(),
        n as f64 / insert.as_secs_f64(),
        list.as_secs_f64(),
        n as f64 / list.as_secs_f64(),
        filtered.len(),
        one_client.as_secs_f64() * 1000.0
    );
}
