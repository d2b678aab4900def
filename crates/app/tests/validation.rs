//! The validation workflow through the use cases, on every backend: rules at submission,
//! routing by amount, the circuit's levels, no self-approval, delegation, rejection with a
//! comment, notifications, and an audit event for every step.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use encaisse_app::auth::{Actor, hash_password};
use encaisse_app::clock::FixedClock;
use encaisse_app::config::Config;
use encaisse_app::draft_edits::LineEdit;
use encaisse_app::invoices::{DraftLine, DraftRequest};
use encaisse_app::setup::InitRequest;
use encaisse_app::{App, AppError};
use encaisse_core::Currency;
use encaisse_core::approval::ApprovalError;
use encaisse_core::identifiers::{Siren, Siret, VatId};
use encaisse_core::invoice::InvoiceStatus;
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Client, Country, LegalIds, PaymentTerms};
use encaisse_core::role::Role;
use encaisse_core::rules::RuleId;
use encaisse_store::auth::User;
use encaisse_store::queue::Queue;
use encaisse_store::testing::TestDb;
use rust_decimal::Decimal;
use uuid::Uuid;

struct World {
    app: App,
    owner: Actor,
    approver: Actor,
    approver2: Actor,
    accountant: Actor,
    viewer: Actor,
    client: Uuid,
    po_client: Uuid,
}

async fn member(app: &App, org: Uuid, email: &str, role: Role) -> Actor {
    let user = User {
        id: Uuid::now_v7(),
        email: email.into(),
        display_name: email.into(),
        password_hash: hash_password("correct horse battery").unwrap(),
        language: "en".into(),
    };
    let mut tx = app.store.write().await.unwrap();
    tx.insert_user(&user, app.now()).await.unwrap();
    tx.upsert_membership(user.id, org, role, app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Actor {
        user_id: Some(user.id),
        label: email.into(),
        organization_id: org,
        role,
    }
}

async fn client(app: &App, org: Uuid, requires_po: bool) -> Uuid {
    let siren = Siren::parse("732829320").unwrap();
    let c = Client {
        id: Uuid::now_v7(),
        organization_id: org,
        name: format!("Client {}", Uuid::new_v4().simple()),
        ids: LegalIds {
            siret: Some(Siret::parse("73282932000074").unwrap()),
            vat_id: Some(VatId::french_from_siren(&siren)),
            siren: Some(siren),
            uid: None,
        },
        address: Address {
            street: Some("Rue Neuve".into()),
            building_number: Some("3".into()),
            postal_code: "69001".into(),
            city: "Lyon".into(),
            country: Country::FR,
        },
        email: None,
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms { days: 30 },
        requires_purchase_order: requires_po,
    };
    let mut tx = app.store.write().await.unwrap();
    tx.insert_client(&c, None, app.now()).await.unwrap();
    tx.commit().await.unwrap();
    c.id
}

async fn world(db: &TestDb) -> World {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 3, 16, 9, 0, 0).unwrap(),
    ));
    let app = App::new(db.store.clone(), Config::default(), clock);
    let init = app
        .init(InitRequest {
            org_name: "Octet".into(),
            country: Country::FR,
            currency: Currency::EUR,
            owner_email: "owner@octet.test".into(),
            owner_password: "correct horse battery".into(),
        })
        .await
        .unwrap();
    let org = init.organization.id;
    let owner = Actor {
        user_id: Some(init.owner.id),
        label: init.owner.email,
        organization_id: org,
        role: Role::Owner,
    };
    World {
        approver: member(&app, org, "approver@octet.test", Role::Approver).await,
        approver2: member(&app, org, "approver2@octet.test", Role::Approver).await,
        accountant: member(&app, org, "accountant@octet.test", Role::Accountant).await,
        viewer: member(&app, org, "viewer@octet.test", Role::Viewer).await,
        client: client(&app, org, false).await,
        po_client: client(&app, org, true).await,
        app,
        owner,
    }
}

/// A draft of `hours` × 100 € (exempt), by `by`.
async fn draft(w: &World, by: &Actor, client: Uuid, hours: i64) -> Uuid {
    w.app
        .create_draft(
            by,
            DraftRequest {
                client_id: client,
                currency: None,
                lines: vec![DraftLine {
                    description: "Développement".into(),
                    quantity: Decimal::from(hours),
                    unit: Some("HUR".into()),
                    unit_price: Decimal::ONE_HUNDRED,
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
            },
        )
        .await
        .unwrap()
        .id
}

async fn actions(w: &World, id: Uuid) -> Vec<String> {
    w.app
        .invoice_history(&w.owner, id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn small_clean_drafts_are_approved_at_submission_and_others_wait() {
    for db in TestDb::all().await.unwrap() {
        let w = world(&db).await;
        let small = draft(&w, &w.accountant, w.client, 9).await;
        let inv = w.app.submit_invoice(&w.accountant, small).await.unwrap();
        assert_eq!(
            inv.status,
            InvoiceStatus::Approved,
            "900 € and no rule warns"
        );
        assert_eq!(
            actions(&w, small).await,
            ["invoice.drafted", "invoice.submitted"]
        );

        let mid = draft(&w, &w.accountant, w.client, 20).await;
        let inv = w.app.submit_invoice(&w.accountant, mid).await.unwrap();
        assert_eq!(inv.status, InvoiceStatus::PendingApproval);
        // Everyone who may decide was told, in the app and through the outbox.
        for who in [&w.approver, &w.approver2, &w.owner] {
            let (list, unread) = w.app.notifications(who, 10).await.unwrap();
            assert_eq!((list.len(), unread), (1, 1), "{}", who.label);
            assert_eq!(list[0].kind, "approval_requested");
        }
        assert_eq!(w.app.notifications(&w.accountant, 10).await.unwrap().1, 0);
        let mails = db.store.queued(Queue::Outbox, None).await.unwrap();
        assert_eq!(
            mails
                .iter()
                .filter(|m| m.kind == "email.notification")
                .count(),
            3
        );

        let waiting = w.app.waiting_for_me(&w.approver).await.unwrap();
        assert_eq!(
            waiting.iter().map(|q| q.invoice.id).collect::<Vec<_>>(),
            vec![mid]
        );
        assert!(
            w.app
                .waiting_for_me(&w.accountant)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            w.app.approve_invoice(&w.viewer, mid).await,
            Err(AppError::Forbidden { .. })
        ));
        let inv = w.app.approve_invoice(&w.approver, mid).await.unwrap();
        assert_eq!(inv.status, InvoiceStatus::Approved);
        assert!(w.app.waiting_for_me(&w.approver2).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn nobody_approves_their_own_draft_and_large_ones_need_an_approver_then_an_owner() {
    for db in TestDb::all().await.unwrap() {
        let w = world(&db).await;
        let own = draft(&w, &w.owner, w.client, 20).await;
        w.app.submit_invoice(&w.owner, own).await.unwrap();
        assert!(matches!(
            w.app.approve_invoice(&w.owner, own).await,
            Err(AppError::Approval(ApprovalError::OwnDraft))
        ));

        let big = draft(&w, &w.accountant, w.client, 150).await;
        w.app.submit_invoice(&w.accountant, big).await.unwrap();
        let inv = w
            .app
            .approve_invoice_with(&w.approver, big, Some("checked the hours"))
            .await
            .unwrap();
        assert_eq!(
            inv.status,
            InvoiceStatus::PendingApproval,
            "one level of two"
        );
        assert!(matches!(
            w.app.approve_invoice(&w.approver, big).await,
            Err(AppError::Approval(ApprovalError::AlreadyDecided(1)))
        ));
        assert!(matches!(
            w.app.approve_invoice(&w.approver2, big).await,
            Err(AppError::Approval(ApprovalError::NotEntitled {
                level: 2,
                ..
            }))
        ));
        let inv = w.app.approve_invoice(&w.owner, big).await.unwrap();
        assert_eq!(inv.status, InvoiceStatus::Approved);
        assert_eq!(
            actions(&w, big).await,
            [
                "invoice.drafted",
                "invoice.submitted",
                "invoice.approval_level_passed",
                "invoice.approved"
            ]
        );
        let h = w.app.invoice_history_entries(&w.owner, big).await.unwrap();
        assert_eq!(h[2].level, Some((1, 2)));
        assert_eq!(h[2].comment.as_deref(), Some("checked the hours"));
    }
}

#[tokio::test]
async fn an_absent_owner_delegates_the_second_level() {
    for db in TestDb::all().await.unwrap() {
        let w = world(&db).await;
        let big = draft(&w, &w.accountant, w.client, 150).await;
        w.app.submit_invoice(&w.accountant, big).await.unwrap();
        w.app.approve_invoice(&w.approver, big).await.unwrap();
        let today = w.app.today();
        let d = w
            .app
            .delegate(
                &w.owner,
                None,
                "approver2@octet.test",
                today,
                today + chrono::Days::new(7),
            )
            .await
            .unwrap();
        assert!(d.active);
        let inv = w.app.approve_invoice(&w.approver2, big).await.unwrap();
        assert_eq!(inv.status, InvoiceStatus::Approved);
        let h = w.app.invoice_history(&w.owner, big).await.unwrap();
        let last = h.last().unwrap().after_json.clone().unwrap();
        assert!(
            last.contains(&w.owner.user_id.unwrap().to_string()),
            "{last}"
        );
        // A viewer cannot delegate; nobody delegates to themselves.
        assert!(
            w.app
                .delegate(&w.viewer, None, "owner@octet.test", today, today)
                .await
                .is_err()
        );
        assert!(
            w.app
                .delegate(&w.approver, None, "approver@octet.test", today, today)
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn a_rejected_draft_goes_back_with_its_comment_and_can_be_fixed_and_resubmitted() {
    for db in TestDb::all().await.unwrap() {
        let w = world(&db).await;
        let id = draft(&w, &w.accountant, w.client, 20).await;
        w.app.submit_invoice(&w.accountant, id).await.unwrap();
        assert!(w.app.reject_invoice(&w.approver, id, "  ").await.is_err());
        let inv = w
            .app
            .reject_invoice(&w.approver, id, "Wrong rate for March")
            .await
            .unwrap();
        assert_eq!(inv.status, InvoiceStatus::Rejected);
        let (notes, _) = w.app.notifications(&w.accountant, 10).await.unwrap();
        assert_eq!(notes[0].kind, "invoice_rejected");
        assert!(notes[0].payload.contains("Wrong rate for March"));

        w.app
            .edit_draft(
                &w.accountant,
                id,
                &[LineEdit::Update {
                    index: 0,
                    description: None,
                    quantity: Some(Decimal::from(18)),
                    unit_price: None,
                    discount_percent: None,
                }],
            )
            .await
            .unwrap();
        let inv = w.app.submit_invoice(&w.accountant, id).await.unwrap();
        assert_eq!(inv.status, InvoiceStatus::PendingApproval);
        let h = w.app.invoice_history_entries(&w.owner, id).await.unwrap();
        let edit = h
            .iter()
            .find(|e| e.action == "invoice.lines_edited")
            .unwrap();
        assert_eq!(edit.changes.len(), 1, "{edit:?}");
        let rejected = h.iter().find(|e| e.action == "invoice.rejected").unwrap();
        assert_eq!(rejected.comment.as_deref(), Some("Wrong rate for March"));
        // The approver who did not edit may approve; the accountant who edited may not.
        w.app.approve_invoice(&w.approver, id).await.unwrap();
    }
}

#[tokio::test]
async fn blocking_rules_refuse_submission_and_change_nothing() {
    for db in TestDb::all().await.unwrap() {
        let w = world(&db).await;
        let id = draft(&w, &w.accountant, w.po_client, 5).await;
        let before = actions(&w, id).await;
        match w.app.submit_invoice(&w.accountant, id).await {
            Err(AppError::Blocked(r)) => assert_eq!(r[0].rule, RuleId::PurchaseOrder),
            other => panic!("expected a block, got {other:?}"),
        }
        assert_eq!(actions(&w, id).await, before);
        let review = w.app.review(&w.owner, id).await.unwrap();
        assert_eq!(review.results[0].rule, RuleId::PurchaseOrder);
        assert_eq!(review.detail.invoice.status, InvoiceStatus::Draft);
    }
}

#[tokio::test]
async fn bulk_approval_takes_only_clean_drafts() {
    for db in TestDb::all().await.unwrap() {
        let w = world(&db).await;
        let clean = draft(&w, &w.accountant, w.client, 20).await;
        let big = draft(&w, &w.accountant, w.client, 600).await; // above 50 000 €: a rule warns
        for id in [clean, big] {
            w.app.submit_invoice(&w.accountant, id).await.unwrap();
        }
        let out = w
            .app
            .approve_clean(&w.approver, &[clean, big])
            .await
            .unwrap();
        assert!(out[0].error.is_none(), "{out:?}");
        assert!(out[1].error.is_some());
        let q = w.app.approval_queue(&w.owner).await.unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].results[0].rule, RuleId::AmountAbove);
    }
}

/// Every state change writes exactly one audit event; a refused step writes none; the chain
/// stays valid. Walks many seeded sequences of steps by several people.
#[tokio::test]
async fn every_step_is_audited_and_refusals_leave_no_trace() {
    for db in TestDb::all().await.unwrap() {
        let w = world(&db).await;
        let people = [
            &w.owner,
            &w.approver,
            &w.approver2,
            &w.accountant,
            &w.viewer,
        ];
        let mut seed: u64 = 0x5EED;
        let mut successes = 0;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for round in 0..6 {
            let hours = [5, 20, 150][round % 3];
            let author = [&w.owner, &w.accountant][round % 2];
            let id = draft(&w, author, w.client, hours).await;
            for _ in 0..10 {
                let who = people[next(people.len() as u64) as usize];
                let before = actions(&w, id).await.len();
                let status_before = w
                    .app
                    .invoice_detail(&w.owner, id)
                    .await
                    .unwrap()
                    .invoice
                    .status;
                let r = match next(4) {
                    0 => w.app.submit_invoice(who, id).await,
                    1 => w.app.approve_invoice(who, id).await,
                    2 => w.app.reject_invoice(who, id, "not like this").await,
                    _ => w.app.withdraw_invoice(who, id).await,
                };
                let after = actions(&w, id).await.len();
                let status = w
                    .app
                    .invoice_detail(&w.owner, id)
                    .await
                    .unwrap()
                    .invoice
                    .status;
                match r {
                    Ok(_) => {
                        successes += 1;
                        assert_eq!(after, before + 1, "a step writes one event");
                    }
                    Err(_) => {
                        assert_eq!(after, before, "a refused step writes nothing");
                        assert_eq!(status, status_before);
                    }
                }
            }
        }
        assert!(
            successes >= 10,
            "the walk must take real steps: {successes}"
        );
        for report in w.app.verify_audit().await.unwrap() {
            assert!(report.broken.is_none(), "{report:?}");
        }
    }
}

#[tokio::test]
async fn settings_are_validated_audited_and_used() {
    for db in TestDb::all().await.unwrap() {
        let w = world(&db).await;
        let mut cfg = w.app.validation_config(&w.owner).await.unwrap();
        cfg.approval.auto_approve_below = Decimal::from(5_000);
        assert!(matches!(
            w.app.set_validation_config(&w.approver, &cfg).await,
            Err(AppError::Forbidden { .. })
        ));
        w.app.set_validation_config(&w.owner, &cfg).await.unwrap();
        let id = draft(&w, &w.accountant, w.client, 20).await;
        assert_eq!(
            w.app
                .submit_invoice(&w.accountant, id)
                .await
                .unwrap()
                .status,
            InvoiceStatus::Approved
        );
        cfg.approval.auto_approve_below = Decimal::from(50_000);
        assert!(matches!(
            w.app.set_validation_config(&w.owner, &cfg).await,
            Err(AppError::Invalid { .. })
        ));
        let _ = NaiveDate::from_ymd_opt(2026, 1, 1);
    }
}
