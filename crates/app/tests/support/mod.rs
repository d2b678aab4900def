//! Builders shared by the app's time-billing tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use encaisse_app::App;
use encaisse_app::auth::Actor;
use encaisse_app::clock::FixedClock;
use encaisse_app::config::Config;
use encaisse_app::setup::InitRequest;
use encaisse_core::identifiers::VatId;
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Client, Country, LegalIds, Organization, PaymentTerms};
use encaisse_core::time_entry::{Project, TimeSource};
use encaisse_core::{Currency, Money};
use encaisse_store::testing::TestDb;
use encaisse_store::time_sync::SourceEntry;
use rust_decimal::Decimal;
use uuid::Uuid;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()
}

pub fn oct(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, day, hour, 0, 0).unwrap()
}

/// An app at 2026-11-20 with a French organization (VAT id set) and its owner.
/// The default configuration with a fixed secret key (tests must not write into $HOME).
pub fn test_config() -> Config {
    let mut c = Config::default();
    c.secrets.key = Some("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=".into());
    c
}

pub async fn french_app(db: &TestDb) -> (App, Actor, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(now()));
    let app = App::new(db.store.clone(), test_config(), clock.clone());
    let init = app
        .init(InitRequest {
            org_name: "Octet Conseil SAS".into(),
            country: Country::FR,
            currency: Currency::EUR,
            owner_email: "owner@demo.test".into(),
            owner_password: "correct horse battery".into(),
        })
        .await
        .unwrap();
    db.store
        .execute_raw(&format!(
            "UPDATE organizations SET vat_id = 'FR40303265045', siren = '303265045' WHERE id = '{}'",
            init.organization.id
        ))
        .await
        .unwrap();
    let actor = Actor::system(init.organization.id, "test");
    (app, actor, clock)
}

/// A second, Swiss organization in the same installation.
pub async fn swiss_org(app: &App) -> Actor {
    let (i, c) = Organization::default_numbering();
    let org = Organization {
        id: Uuid::now_v7(),
        slug: "octet-suisse".into(),
        legal_name: "Octet Suisse SA".into(),
        ids: LegalIds::default(),
        address: Address {
            street: Some("Bahnhofstrasse".into()),
            building_number: Some("1".into()),
            postal_code: "8001".into(),
            city: "Zürich".into(),
            country: Country::CH,
        },
        iban: None,
        qr_iban: None,
        language: Language::De,
        currency: Currency::CHF,
        terms: PaymentTerms::default(),
        invoice_numbering: i,
        credit_note_numbering: c,
    };
    let mut tx = app.store.write().await.unwrap();
    tx.insert_organization(&org, app.now()).await.unwrap();
    tx.commit().await.unwrap();
    Actor::system(org.id, "test")
}

pub async fn client(
    app: &App,
    actor: &Actor,
    name: &str,
    country: Country,
    vat: Option<&str>,
    currency: Currency,
) -> Uuid {
    let c = Client {
        id: Uuid::now_v7(),
        organization_id: actor.organization_id,
        name: name.into(),
        ids: LegalIds {
            vat_id: vat.map(|v| VatId::parse(v).unwrap()),
            ..Default::default()
        },
        address: Address {
            street: Some("Rue Neuve".into()),
            building_number: Some("3".into()),
            postal_code: "1000".into(),
            city: "Ville".into(),
            country,
        },
        email: None,
        language: Language::Fr,
        currency,
        terms: PaymentTerms { days: 30 },
        requires_purchase_order: false,
    };
    let mut tx = app.store.write().await.unwrap();
    let id = tx.insert_client(&c, None, app.now()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

pub async fn project(
    app: &App,
    actor: &Actor,
    client: Uuid,
    name: &str,
    rate: Option<Money>,
) -> Uuid {
    let p = Project {
        id: Uuid::now_v7(),
        organization_id: actor.organization_id,
        client_id: client,
        name: name.into(),
        hourly_rate: rate,
        external_id: Some(format!("test:{}", Uuid::new_v4())),
    };
    let mut tx = app.store.write().await.unwrap();
    let id = tx.insert_project(&p, app.now()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// Inserts a file-sourced entry; returns its id.
pub async fn entry(
    app: &App,
    actor: &Actor,
    project: Uuid,
    start: DateTime<Utc>,
    minutes: i64,
    billable: bool,
) -> Uuid {
    let ext = format!("t:{}", Uuid::new_v4());
    let e = SourceEntry {
        organization_id: actor.organization_id,
        project_id: project,
        source: TimeSource::Csv,
        external_id: ext.clone(),
        user_name: "Camille".into(),
        user_ref: None,
        task_name: Some("Développement".into()),
        task_ref: None,
        description: format!("travail du {}", start.format("%d")),
        started_at: start,
        duration_seconds: minutes * 60,
        billable,
        hourly_rate: None,
        invoiced_at_source: false,
    };
    let mut tx = app.store.write().await.unwrap();
    tx.upsert_source_entry(&e, app.now()).await.unwrap();
    let k = tx
        .source_entry(actor.organization_id, TimeSource::Csv, &ext)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    k.id
}

pub fn eur(n: i64) -> Money {
    Money::new(Decimal::from(n), Currency::EUR)
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `invoice_id` of every entry of an organization, by entry id.
pub async fn billed(app: &App, actor: &Actor) -> std::collections::HashMap<Uuid, Option<Uuid>> {
    let mut tx = app.store.read().await.unwrap();
    let rows = tx
        .time_entries(
            actor.organization_id,
            &encaisse_store::time_entries::TimeEntryFilter {
                limit: 100_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows.into_iter().map(|e| (e.id, e.invoice_id)).collect()
}
