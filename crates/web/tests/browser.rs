//! The web UI in a real headless Chromium (Debian's `chromium` and `chromium-driver`): log
//! in, the dashboard, the validation inbox driven by keyboard, approving a draft, rejecting
//! another with a comment, switching language, phone-width pages, and a viewer who cannot
//! approve even with a forged form. Screenshots of the main pages go to
//! `target/ui-screenshots/` for people to look at.
//!
//! Fails when Chromium is missing, unless `ENCAISSE_SKIP_BROWSER=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
mod webdriver;

use std::path::PathBuf;

use encaisse_app::auth::Actor;
use encaisse_app::invoices::{DraftLine, DraftRequest};
use encaisse_core::invoice::InvoiceStatus;
use encaisse_core::role::Role;
use encaisse_core::{Currency, Money};
use encaisse_store::testing::TestDb;
use rust_decimal::Decimal;
use serde_json::json;
use support::{PASSWORD, Server, add_client, add_user, init};
use uuid::Uuid;
use webdriver::Browser;

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/ui-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn request(client: Uuid, hours: i64, what: &str) -> DraftRequest {
    DraftRequest {
        client_id: client,
        currency: None,
        lines: vec![DraftLine {
            description: what.into(),
            quantity: Decimal::from(hours),
            unit: Some("HUR".into()),
            unit_price: Decimal::from(95),
            discount_percent: None,
            vat_category: "E".into(),
            vat_percent: Decimal::ZERO,
            time_entry_ids: vec![],
        }],
        service_period: None,
        buyer_reference: None,
        purchase_order: None,
        notes: None,
        external_ref: None,
    }
}

struct Seeded {
    drafts: Vec<Uuid>,
}

/// An organization with an approver, an accountant, a viewer, paid and open invoices, and
/// four drafts waiting (one far above the usual amount).
async fn seed(s: &Server) -> Seeded {
    let (org, _) = init(&s.app).await;
    let approver = add_user(&s.app, &org, "approver@octet.test", Role::Approver).await;
    let accountant = add_user(&s.app, &org, "accountant@octet.test", Role::Accountant).await;
    add_user(&s.app, &org, "viewer@octet.test", Role::Viewer).await;
    let acc = Actor {
        user_id: Some(accountant.id),
        label: accountant.email.clone(),
        organization_id: org.id,
        role: Role::Accountant,
    };
    let app_ = Actor {
        user_id: Some(approver.id),
        label: approver.email.clone(),
        organization_id: org.id,
        role: Role::Approver,
    };
    let clients = [
        add_client(&s.app, &org, "Atelier Lumière").await,
        add_client(&s.app, &org, "Boulangerie Lefèvre").await,
        add_client(&s.app, &org, "Cabinet Girard").await,
    ];
    // French buyers need a SIRET (a rule warns otherwise): give them one.
    s.db.store
        .execute_raw("UPDATE clients SET siren = '732829320', siret = '73282932000074'")
        .await
        .unwrap();
    // History: issued invoices, some paid.
    for (i, c) in clients.iter().cycle().take(7).enumerate() {
        let d = s
            .app
            .create_draft(&acc, request(*c, 12 + i as i64 * 3, "Développement"))
            .await
            .unwrap();
        s.app.submit_invoice(&acc, d.id).await.unwrap();
        s.app.approve_invoice(&app_, d.id).await.unwrap();
        let day = s.app.today() - chrono::Days::new(20 + 12 * i as u64);
        let inv = s.app.issue_invoice(&acc, d.id, day).await.unwrap();
        if i % 2 == 0 {
            let gross = s
                .app
                .invoice_detail(&acc, inv.id)
                .await
                .unwrap()
                .totals
                .tax_inclusive;
            s.app
                .record_payment(
                    &acc,
                    inv.id,
                    gross,
                    s.app.today() - chrono::Days::new(3 * i as u64),
                    "bank",
                    None,
                )
                .await
                .unwrap();
        } else if i == 3 {
            s.app
                .record_payment(
                    &acc,
                    inv.id,
                    Money::new(Decimal::from(300), Currency::EUR),
                    s.app.today(),
                    "bank",
                    None,
                )
                .await
                .unwrap();
        }
    }
    let mut drafts = Vec::new();
    for (i, (c, h)) in [
        (clients[0], 20),
        (clients[1], 16),
        (clients[2], 40),
        (clients[0], 600),
    ]
    .into_iter()
    .enumerate()
    {
        let d = s
            .app
            .create_draft(
                &acc,
                request(c, h, &format!("Prestations mars — lot {}", i + 1)),
            )
            .await
            .unwrap();
        s.app.submit_invoice(&acc, d.id).await.unwrap();
        drafts.push(d.id);
    }
    Seeded { drafts }
}

/// Fills the login form of the current page (`goto`: open `/login` first).
async fn log_in(b: &Browser, base: &str, email: &str, goto: bool) {
    if goto {
        b.goto(&format!("{base}/login")).await;
    }
    let e = b.find("#email").await;
    b.type_into(&e, email).await;
    let p = b.find("#password").await;
    b.type_into(&p, PASSWORD).await;
    b.click(&b.find("form button[type=submit]").await).await;
    b.find("main h1").await;
}

async fn status(s: &Server, id: Uuid) -> InvoiceStatus {
    let org = s.app.organization_by_slug_or_only(None).await.unwrap();
    s.app
        .invoice_detail(&Actor::system(org.id, "test"), id)
        .await
        .unwrap()
        .invoice
        .status
}

#[tokio::test]
async fn people_validate_invoices_in_a_real_browser() {
    if !webdriver::available() {
        if std::env::var("ENCAISSE_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!(
                "\n!!! ENCAISSE_SKIP_BROWSER=1: the browser tests did NOT run (chromium/chromedriver missing) !!!\n"
            );
            return;
        }
        panic!(
            "{} or {} is missing: install Debian's `chromium` and `chromium-driver` (apt-get install -y chromium chromium-driver), or set ENCAISSE_SKIP_BROWSER=1 to skip",
            webdriver::CHROMIUM,
            webdriver::CHROMEDRIVER
        );
    }
    let s = Server::start(
        TestDb::sqlite().await.unwrap(),
        encaisse_app::config::Config::default(),
    )
    .await;
    let seeded = seed(&s).await;
    let base = s.base.clone();
    let dir = shots();
    let b = Browser::start().await;
    b.set_size(1280, 900).await;

    // Log in: the browser asks for English, so the interface answers in English.
    b.goto(&format!("{base}/inbox")).await;
    b.wait_url("/login?next=").await;
    b.screenshot(&dir.join("login-desktop.png")).await;
    // The login form leads back to the page asked for.
    log_in(&b, &base, "approver@octet.test", false).await;
    b.wait_url("/inbox").await;

    b.goto(&format!("{base}/")).await;
    b.wait_text("Dashboard").await;
    b.wait_text("Outstanding").await;
    assert_eq!(b.all("svg.chart").await.len(), 2, "two server-side charts");
    b.full_screenshot(&dir.join("dashboard-desktop.png"), 1280)
        .await;
    b.set_size(1280, 900).await;

    // The inbox: four drafts wait; the unusual one is flagged and cannot be bulk-approved.
    b.goto(&format!("{base}/inbox")).await;
    b.wait_text("Waiting for you").await;
    assert_eq!(b.all("#bulk tbody tr").await.len(), 4);
    assert_eq!(
        b.all("#bulk input[name=ids]").await.len(),
        3,
        "the flagged draft is not selectable"
    );
    b.wait_text("Amount above threshold").await;
    b.full_screenshot(&dir.join("inbox-desktop.png"), 1280)
        .await;
    b.set_size(1280, 900).await;

    // Keyboard: j selects the first row, Enter opens it.
    b.find("body").await;
    b.keys("j").await;
    b.keys("\u{E007}").await;
    b.wait_url("/invoices/").await;
    b.wait_text("Your decision").await;
    let first = b.url().await;
    let first_id = seeded
        .drafts
        .iter()
        .find(|d| first.contains(&d.to_string()))
        .copied()
        .expect("the first row opens a waiting draft");
    b.full_screenshot(&dir.join("invoice-review-desktop.png"), 1280)
        .await;
    b.set_size(1280, 900).await;

    // Approve it.
    b.type_into(
        &b.find("#approve-comment").await,
        "Hours checked against the timesheet",
    )
    .await;
    b.click(&b.find("#approve-form button[type=submit]").await)
        .await;
    b.wait_url("/inbox").await;
    b.wait_text("Invoice approved.").await;
    assert_eq!(status(&s, first_id).await, InvoiceStatus::Approved);

    // Reject another with a comment: an empty comment is refused by the browser first.
    let second = seeded
        .drafts
        .iter()
        .copied()
        .find(|d| *d != first_id && *d != seeded.drafts[3])
        .unwrap();
    b.goto(&format!("{base}/invoices/{second}?from=inbox"))
        .await;
    b.click(&b.find("#reject-form button[type=submit]").await)
        .await;
    assert_eq!(
        status(&s, second).await,
        InvoiceStatus::PendingApproval,
        "required comment"
    );
    b.type_into(
        &b.find("#reject-comment").await,
        "Le taux de mars est 100 €, pas 95 €",
    )
    .await;
    b.click(&b.find("#reject-form button[type=submit]").await)
        .await;
    b.wait_url("/inbox").await;
    b.wait_text("Draft rejected").await;
    assert_eq!(status(&s, second).await, InvoiceStatus::Rejected);
    b.goto(&format!("{base}/invoices/{second}")).await;
    b.wait_text("Le taux de mars est 100 €, pas 95 €").await;

    // Other pages render.
    b.goto(&format!("{base}/invoices?sort=-gross")).await;
    b.wait_text("Invoices").await;
    b.full_screenshot(&dir.join("invoices-desktop.png"), 1280)
        .await;
    b.set_size(1280, 900).await;
    b.goto(&format!("{base}/clients")).await;
    b.click(&b.find("table.rows tbody a").await).await;
    b.wait_text("Payments").await;
    b.full_screenshot(&dir.join("client-desktop.png"), 1280)
        .await;
    b.set_size(1280, 900).await;
    b.goto(&format!("{base}/settings")).await;
    b.wait_text("Invoice validation").await;
    b.full_screenshot(&dir.join("settings-desktop.png"), 1280)
        .await;
    b.set_size(1280, 900).await;

    // Switch to German: kept as the user's preference.
    b.goto(&format!("{base}/inbox")).await;
    b.script(
        "var s = document.getElementById('lang-switch'); s.value = 'de'; s.form.submit();",
        json!([]),
    )
    .await;
    b.wait_text("Freigabe-Eingang").await;
    b.goto(&format!("{base}/")).await;
    b.wait_text("Offene Forderungen").await;
    b.screenshot(&dir.join("dashboard-de-desktop.png")).await;

    // Phone width.
    b.set_size(390, 844).await;
    b.goto(&format!("{base}/")).await;
    b.wait_text("Übersicht").await;
    b.screenshot(&dir.join("dashboard-phone.png")).await;
    b.script(
        "document.querySelector('.grid2').scrollIntoView();",
        json!([]),
    )
    .await;
    b.screenshot(&dir.join("dashboard-charts-phone.png")).await;
    b.goto(&format!("{base}/inbox")).await;
    b.screenshot(&dir.join("inbox-phone.png")).await;
    b.goto(&format!("{base}/invoices/{}", seeded.drafts[3]))
        .await;
    b.wait_text("Betrag über dem Schwellenwert").await;
    b.screenshot(&dir.join("invoice-review-phone.png")).await;
    b.script(
        "document.getElementById('rules-h').scrollIntoView();",
        json!([]),
    )
    .await;
    b.screenshot(&dir.join("invoice-checks-phone.png")).await;
    b.script(
        "document.getElementById('lines-h').scrollIntoView();",
        json!([]),
    )
    .await;
    b.screenshot(&dir.join("invoice-lines-phone.png")).await;
    b.set_size(1280, 900).await;

    // A viewer sees the pending draft but has no decision panel, and a forged form fails.
    b.click(&b.find("form[action='/logout'] button").await)
        .await;
    b.wait_url("/login").await;
    log_in(&b, &base, "viewer@octet.test", true).await;
    let pending = seeded.drafts[2];
    b.goto(&format!("{base}/invoices/{pending}")).await;
    b.find("main h1").await;
    assert!(
        b.all("#approve-form").await.is_empty(),
        "no approve form for a viewer"
    );
    b.script(
        "var f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];\
         var c = document.createElement('input'); c.type = 'hidden'; c.name = '_csrf';\
         c.value = document.querySelector('input[name=_csrf]').value; f.appendChild(c);\
         document.body.appendChild(f); f.submit();",
        json!([format!("/invoices/{pending}/approve")]),
    )
    .await;
    b.wait_text("not allowed").await;
    assert_eq!(status(&s, pending).await, InvoiceStatus::PendingApproval);
    b.screenshot(&dir.join("viewer-refused-desktop.png")).await;
    b.quit().await;
}
