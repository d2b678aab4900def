//! Issuing through the use case, on every backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use encaisse_app::auth::Actor;
use encaisse_app::clock::FixedClock;
use encaisse_app::config::Config;
use encaisse_app::invoices::{DraftLine, DraftRequest};
use encaisse_app::setup::InitRequest;
use encaisse_app::{App, AppError};
use encaisse_core::identifiers::{Siren, VatId};
use encaisse_core::invoice::InvoiceStatus;
use encaisse_core::language::Language;
use encaisse_core::party::{Client, Country, LegalIds, PaymentTerms};
use encaisse_core::role::Role;
use encaisse_core::{Currency, Money};
use encaisse_store::invoices::InvoiceFilter;
use encaisse_store::testing::TestDb;
use rust_decimal_macros::dec;
use uuid::Uuid;

async fn app(db: &TestDb) -> (App, Actor) {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap(),
    ));
    let app = App::new(db.store.clone(), Config::default(), clock);
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
    // The seller needs a VAT number for standard-rated invoices.
    db.store
        .execute_raw(&format!("UPDATE organizations SET vat_id = 'FR40303265045', siren = '303265045' WHERE id = '{}'", init.organization.id))
        .await
        .unwrap();
    let actor = Actor {
        user_id: Some(init.owner.id),
        label: "owner@demo.test".into(),
        organization_id: init.organization.id,
        role: Role::Owner,
    };
    (app, actor)
}

async fn client(app: &App, actor: &Actor, vat: Option<&str>, country: Country) -> Uuid {
    let c = Client {
        id: Uuid::now_v7(),
        organization_id: actor.organization_id,
        name: format!("Client {}", Uuid::new_v4().simple()),
        ids: LegalIds {
            siren: Some(Siren::parse("732829320").unwrap()),
            vat_id: vat.map(|v| VatId::parse(v).unwrap()),
            ..Default::default()
        },
        address: encaisse_core::party::Address {
            street: Some("Rue Neuve".into()),
            building_number: Some("3".into()),
            postal_code: "69001".into(),
            city: "Lyon".into(),
            country,
        },
        email: Some("compta@client.test".into()),
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms { days: 45 },
        requires_purchase_order: false,
    };
    let mut tx = app.store.write().await.unwrap();
    tx.insert_client(&c, None, app.now()).await.unwrap();
    tx.commit().await.unwrap();
    c.id
}

fn line(cat: &str, pct: rust_decimal::Decimal) -> DraftLine {
    DraftLine {
        description: "Développement — octobre 2026".into(),
        quantity: dec!(12.5),
        unit: Some("HUR".into()),
        unit_price: dec!(95),
        discount_percent: None,
        vat_category: cat.into(),
        vat_percent: pct,
        time_entry_ids: vec![],
    }
}

async fn approved(app: &App, actor: &Actor, client_id: Uuid, l: DraftLine) -> Uuid {
    let d = app
        .create_draft(
            actor,
            DraftRequest {
                client_id,
                currency: None,
                lines: vec![l],
                service_period: None,
                buyer_reference: None,
                purchase_order: None,
                notes: None,
                external_ref: None,
            },
        )
        .await
        .unwrap();
    app.submit_invoice(actor, d.id).await.unwrap();
    // The circuit forbids approving one's own draft: a second person approves.
    app.approve_invoice(&approver(actor), d.id).await.unwrap();
    d.id
}

/// Someone other than the drafting owner, who may approve.
fn approver(owner: &Actor) -> Actor {
    Actor::system(owner.organization_id, "test-approver")
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[tokio::test]
async fn issuing_assigns_number_reference_due_date_and_audits() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = app(&db).await;
        let c = client(&app, &actor, None, Country::FR).await;
        let id = approved(&app, &actor, c, line("S", dec!(20))).await;
        let inv = app.issue_invoice(&actor, id, day(20)).await.unwrap();
        assert_eq!(inv.number.as_deref(), Some("F-2026-00001"));
        assert_eq!(inv.status, InvoiceStatus::Issued);
        assert_eq!(
            inv.due_date,
            Some(NaiveDate::from_ymd_opt(2027, 1, 4).unwrap())
        );
        let rf = inv.payment_reference.unwrap();
        assert!(
            rf.as_str().starts_with("RF") && rf.as_str().ends_with("F202600001"),
            "{}",
            rf.as_str()
        );
        let detail = app.invoice_detail(&actor, id).await.unwrap();
        assert_eq!(detail.totals.tax_inclusive.amount(), dec!(1425.00));
        assert_eq!(detail.document_sha256.as_ref().map(String::len), Some(64));
        let history = app.invoice_history(&actor, id).await.unwrap();
        let actions: Vec<_> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "invoice.drafted",
                "invoice.submitted",
                "invoice.approved",
                "invoice.issued"
            ]
        );
        assert!(
            history[3]
                .after_json
                .as_deref()
                .unwrap()
                .contains(detail.document_sha256.as_deref().unwrap())
        );
        // Issued twice: refused.
        assert!(matches!(
            app.issue_invoice(&actor, id, day(20)).await,
            Err(AppError::Transition(_))
        ));
        for r in app.verify_audit().await.unwrap() {
            assert_eq!(r.broken, None);
        }
    }
}

#[tokio::test]
async fn refused_issue_consumes_no_number_and_writes_nothing() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = app(&db).await;
        // The rule that blocks this at submission is off: issuing must still refuse it.
        let mut cfg = app.validation_config(&actor).await.unwrap();
        cfg.rules.reverse_charge_vat_id.severity = encaisse_core::rules::Severity::Off;
        app.set_validation_config(&actor, &cfg).await.unwrap();
        let no_vat = client(&app, &actor, None, Country::DE).await;
        let bad = approved(&app, &actor, no_vat, line("AE", dec!(0))).await;
        let e = app.issue_invoice(&actor, bad, day(20)).await.unwrap_err();
        assert!(e.to_string().contains("VAT number"), "{e}");
        let still = app.invoice_detail(&actor, bad).await.unwrap().invoice;
        assert_eq!(
            (still.status, still.number),
            (InvoiceStatus::Approved, None)
        );
        // The next good invoice gets number 1: the refused one consumed nothing.
        let good_client = client(&app, &actor, Some("DE123456789"), Country::DE).await;
        let good = approved(&app, &actor, good_client, line("AE", dec!(0))).await;
        let inv = app.issue_invoice(&actor, good, day(20)).await.unwrap();
        assert_eq!(inv.number.as_deref(), Some("F-2026-00001"));
    }
}

#[tokio::test]
async fn eight_concurrent_issuers_get_numbers_one_to_n() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = app(&db).await;
        let c = client(&app, &actor, None, Country::FR).await;
        let mut ids = Vec::new();
        for _ in 0..40 {
            ids.push(approved(&app, &actor, c, line("S", dec!(20))).await);
        }
        let chunks: Vec<Vec<Uuid>> = ids.chunks(5).map(<[Uuid]>::to_vec).collect();
        assert_eq!(chunks.len(), 8);
        let mut handles = Vec::new();
        for chunk in chunks {
            let (app, actor) = (app.clone(), actor.clone());
            handles.push(tokio::spawn(async move {
                let mut out = Vec::new();
                for id in chunk {
                    out.push(
                        app.issue_invoice(&actor, id, day(20))
                            .await
                            .unwrap()
                            .number
                            .unwrap(),
                    );
                }
                out
            }));
        }
        let mut numbers = Vec::new();
        for h in handles {
            numbers.extend(h.await.unwrap());
        }
        numbers.sort();
        let expected: Vec<String> = (1..=40).map(|n| format!("F-2026-{n:05}")).collect();
        assert_eq!(numbers, expected, "{:?}", app.store.backend());
        let mut tx = app.store.read().await.unwrap();
        let seqs = tx
            .issued_sequence_values(
                actor.organization_id,
                encaisse_core::invoice::DocumentKind::Invoice,
            )
            .await
            .unwrap();
        assert_eq!(
            seqs.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
            (1..=40).collect::<Vec<i64>>()
        );
    }
}

#[tokio::test]
async fn payments_and_credit_notes_move_statuses() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = app(&db).await;
        let c = client(&app, &actor, None, Country::FR).await;
        let a = approved(&app, &actor, c, line("S", dec!(20))).await;
        app.issue_invoice(&actor, a, day(1)).await.unwrap();
        let eur = |d| Money::new(d, Currency::EUR);
        let inv = app
            .record_payment(&actor, a, eur(dec!(425)), day(10), "manual", None)
            .await
            .unwrap();
        assert_eq!(inv.status, InvoiceStatus::PartiallyPaid);
        assert!(
            app.record_payment(&actor, a, eur(dec!(1000.01)), day(10), "manual", None)
                .await
                .is_err()
        );
        let inv = app
            .record_payment(&actor, a, eur(dec!(1000)), day(11), "manual", None)
            .await
            .unwrap();
        assert_eq!(inv.status, InvoiceStatus::Paid);

        let b = approved(&app, &actor, c, line("S", dec!(20))).await;
        app.issue_invoice(&actor, b, day(2)).await.unwrap();
        let cn = app
            .draft_credit_note(&actor, b, "Erreur de taux horaire", None)
            .await
            .unwrap();
        app.submit_invoice(&actor, cn.id).await.unwrap();
        app.approve_invoice(&approver(&actor), cn.id).await.unwrap();
        let cn = app.issue_invoice(&actor, cn.id, day(3)).await.unwrap();
        assert_eq!(cn.number.as_deref(), Some("AV-2026-00001"));
        assert_eq!(
            app.invoice_detail(&actor, b).await.unwrap().invoice.status,
            InvoiceStatus::Cancelled
        );
        let open = app
            .list_invoices(
                &actor,
                &InvoiceFilter {
                    status: Some(InvoiceStatus::Cancelled),
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(open.len(), 1);
    }
}

#[tokio::test]
async fn viewer_cannot_create_or_approve() {
    for db in TestDb::all().await.unwrap() {
        let (app, owner) = app(&db).await;
        let c = client(&app, &owner, None, Country::FR).await;
        let viewer = Actor {
            role: Role::Viewer,
            label: "viewer@demo.test".into(),
            ..owner.clone()
        };
        let req = DraftRequest {
            client_id: c,
            currency: None,
            lines: vec![line("S", dec!(20))],
            service_period: None,
            buyer_reference: None,
            purchase_order: None,
            notes: None,
            external_ref: None,
        };
        assert!(matches!(
            app.create_draft(&viewer, req.clone()).await,
            Err(AppError::Forbidden { .. })
        ));
        let d = app.create_draft(&owner, req).await.unwrap();
        app.submit_invoice(&owner, d.id).await.unwrap();
        assert!(matches!(
            app.approve_invoice(&viewer, d.id).await,
            Err(AppError::Forbidden { .. })
        ));
        let accountant = Actor {
            role: Role::Accountant,
            ..owner.clone()
        };
        assert!(matches!(
            app.approve_invoice(&accountant, d.id).await,
            Err(AppError::Forbidden { .. })
        ));
    }
}

#[tokio::test]
async fn init_twice_changes_nothing() {
    for db in TestDb::all().await.unwrap() {
        let (app, _) = app(&db).await;
        let e = app
            .init(InitRequest {
                org_name: "Other".into(),
                country: Country::CH,
                currency: Currency::CHF,
                owner_email: "x@y.test".into(),
                owner_password: "long enough pw".into(),
            })
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::AlreadyInitialized(_)));
        let mut tx = app.store.read().await.unwrap();
        assert_eq!(tx.count_organizations().await.unwrap(), 1);
        assert!(tx.user_by_email("x@y.test").await.unwrap().is_none());
    }
}
