//! Bank statements, reconciliation, review, undo, receivables import and alerts through the
//! use cases, on every backend. Statements are written with `camt_writer`, not copied.

// Amounts in minor units are written euros_cents (`1_200_00` is 1200.00), as accountants read them.
#![allow(clippy::inconsistent_digit_grouping)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_app::App;
use encaisse_app::AppError;
use encaisse_app::auth::Actor;
use encaisse_app::bank_import::{BankAccountRef, BankSource, BankStatus, IncomingTransaction};
use encaisse_bank::camt_writer::{CamtEntry, camt053};
use encaisse_core::invoice::InvoiceStatus;
use encaisse_core::reference::CreditorReference;
use encaisse_core::{Currency, Money};
use encaisse_store::testing::TestDb;
use support::*;
use uuid::Uuid;

const ACCOUNT: &str = "FR7630006000011234567890189";
const DUPONT_IBAN: &str = "FR1420041010050500013M02606";
const HOLDING_IBAN: &str = "DE89370400440532013000";

fn eurc(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

fn rf(number: &str) -> String {
    CreditorReference::generate(&number.replace('-', ""))
        .unwrap()
        .as_str()
        .to_owned()
}

/// Three open invoices of two clients, imported as receivables.
fn receivables_csv() -> String {
    format!(
        "number,client_name,client_iban,currency,gross_amount,paid_amount,issue_date,due_date,payment_reference,notes\n\
         EXT-2026-001,Dupont Conseil SARL,,EUR,1200.00,,2026-09-01,2026-10-01,{},first\n\
         EXT-2026-002,Dupont Conseil SARL,,EUR,480.00,0,2026-09-15,2026-10-15,,\n\
         EXT-2026-003,Martin Industrie SA,,EUR,2500.00,500.00,2026-10-01,2026-10-31,,\n",
        rf("EXT-2026-001")
    )
}

async fn setup(db: &TestDb) -> (App, Actor) {
    let (app, actor, _) = french_app(db).await;
    let r = app
        .import_receivables(&actor, "open.csv", receivables_csv().as_bytes())
        .await
        .unwrap();
    assert_eq!((r.created, r.clients_created), (3, 2));
    (app, actor)
}

async fn invoice(app: &App, actor: &Actor, number: &str) -> (InvoiceStatus, Money) {
    let id = app.resolve_invoice(actor, number).await.unwrap();
    let d = app.invoice_detail(actor, id).await.unwrap();
    (d.invoice.status, d.invoice.paid)
}

async fn import(app: &App, actor: &Actor, id: &str, entries: &[CamtEntry]) -> (usize, usize) {
    let xml = camt053(id, ACCOUNT, Currency::EUR, eurc(10_000_00), entries);
    let r = app
        .import_bank_file(actor, &format!("{id}.xml"), xml.as_bytes(), None, &|_| {})
        .await
        .unwrap();
    (r.ingest.new, r.ingest.known)
}

async fn count(db: &TestDb, table: &str) -> i64 {
    let mut tx = db.store.read().await.unwrap();
    let n = match table {
        "bank_transactions" => {
            let org = tx.all_organizations().await.unwrap()[0].id;
            tx.count_bank_transactions(org).await.unwrap()
        }
        _ => unreachable!(),
    };
    tx.commit().await.unwrap();
    n
}

fn nov(d: u32) -> chrono::NaiveDate {
    day(2026, 11, d)
}

#[tokio::test]
async fn the_same_file_twice_and_overlapping_statements_store_each_movement_once() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        let a = CamtEntry::credit("B1", nov(2), eurc(100_00))
            .from("Alpha", None)
            .text("one");
        let b = CamtEntry::credit("B2", nov(3), eurc(200_00))
            .from("Beta", None)
            .text("two");
        let c = CamtEntry::debit("B3", nov(4), eurc(50_00)).from("Loyer", None);
        let d = CamtEntry::credit("B4", nov(5), eurc(75_00)).from("Delta", None);
        assert_eq!(
            import(&app, &actor, "S1", &[a.clone(), b.clone(), c.clone()]).await,
            (3, 0)
        );
        assert_eq!(
            import(&app, &actor, "S1", &[a, b.clone(), c.clone()]).await,
            (0, 3)
        );
        assert_eq!(import(&app, &actor, "S2", &[b, c, d]).await, (1, 2));
        assert_eq!(count(&db, "bank_transactions").await, 4);
    }
}

#[tokio::test]
async fn a_file_with_an_error_imports_nothing_and_says_where() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        let xml = camt053(
            "S1",
            ACCOUNT,
            Currency::EUR,
            eurc(500_00),
            &[CamtEntry::credit("B1", nov(2), eurc(1_00))],
        )
        .replace("<Amt Ccy=\"EUR\">1.00</Amt>", "<Amt Ccy=\"EUR\">1,00</Amt>");
        let e = app
            .import_bank_file(&actor, "broken.xml", xml.as_bytes(), None, &|_| {})
            .await
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("broken.xml") && text.contains("Ntry[1]"),
            "{text}"
        );
        assert_eq!(count(&db, "bank_transactions").await, 0);
    }
}

#[tokio::test]
async fn a_movement_seen_in_a_file_and_through_the_api_is_stored_once() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        let e = CamtEntry::credit("B1", nov(2), eurc(100_00)).from("Alpha", Some(DUPONT_IBAN));
        import(&app, &actor, "S1", &[e]).await;
        let api = |status| IncomingTransaction {
            dedup_key: "qonto:tx-1".into(),
            bank_reference: "tx-1".into(),
            booking_date: nov(2),
            value_date: None,
            amount: eurc(100_00),
            status,
            is_reversal: false,
            counterparty_name: Some("ALPHA".into()),
            counterparty_iban: Some(DUPONT_IBAN.into()),
            counterparty_account: None,
            ultimate_counterparty_name: None,
            remittance: None,
            structured_reference: None,
            end_to_end_id: None,
            additional_info: None,
            bank_transaction_code: None,
            raw: serde_json::json!({}),
        };
        let account = BankAccountRef {
            iban: Some(ACCOUNT.into()),
            account_id: ACCOUNT.into(),
            currency: Currency::EUR,
            label: Some("Qonto".into()),
        };
        let source = BankSource::Api {
            provider: "qonto".into(),
        };
        let r = app
            .ingest_bank_transactions(
                &actor,
                &account,
                &source,
                &[api(BankStatus::Booked)],
                &[],
                &|_| {},
            )
            .await
            .unwrap();
        assert_eq!((r.new, r.known, r.linked), (0, 1, 1));
        // A new pending API movement, then its completion: one row, status moved once.
        let mut pending = api(BankStatus::Pending);
        pending.dedup_key = "qonto:tx-2".into();
        pending.booking_date = nov(6);
        let r = app
            .ingest_bank_transactions(
                &actor,
                &account,
                &source,
                std::slice::from_ref(&pending),
                &[],
                &|_| {},
            )
            .await
            .unwrap();
        assert_eq!(r.new, 1);
        pending.status = BankStatus::Booked;
        let r = app
            .ingest_bank_transactions(&actor, &account, &source, &[pending], &[], &|_| {})
            .await
            .unwrap();
        assert_eq!((r.new, r.known, r.status_changed), (0, 1, 1));
        assert_eq!(count(&db, "bank_transactions").await, 2);
    }
}

#[tokio::test]
async fn a_payment_by_reference_is_applied_and_undo_restores_the_invoice_exactly() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        let before = invoice(&app, &actor, "EXT-2026-001").await;
        assert_eq!(before, (InvoiceStatus::Issued, eurc(0)));
        import(
            &app,
            &actor,
            "S1",
            &[CamtEntry::credit("B1", nov(2), eurc(1_200_00))
                .from("DUPONT CONSEIL", Some(DUPONT_IBAN))
                .reference(&rf("EXT-2026-001"))],
        )
        .await;
        let run = app.reconcile(&actor, false).await.unwrap();
        assert_eq!(run.applied, 1, "{:?}", run.rows);
        assert_eq!(run.rows[0].invoice_number, "EXT-2026-001");
        assert_eq!(run.rows[0].status, "applied");
        assert_eq!(run.rows[0].bank_reference, "B1");
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-001").await,
            (InvoiceStatus::Paid, eurc(1_200_00))
        );
        let applied = app.applied_matches(&actor, 10).await.unwrap();
        assert_eq!(applied.len(), 1);
        // Undo by an allocation id.
        app.undo_allocation(&actor, applied[0].allocations[0].allocation_id)
            .await
            .unwrap();
        assert_eq!(invoice(&app, &actor, "EXT-2026-001").await, before);
        assert!(app.applied_matches(&actor, 10).await.unwrap().is_empty());
        // Undoing twice is refused, and says why.
        let e = app
            .undo_allocation(&actor, applied[0].id)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e}");
        // The chain still verifies.
        assert!(
            app.verify_audit()
                .await
                .unwrap()
                .iter()
                .all(|r| r.broken.is_none())
        );
    }
}

#[tokio::test]
async fn a_partial_payment_leaves_the_invoice_partially_paid_with_an_alert_and_undo_takes_both_back()
 {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        import(
            &app,
            &actor,
            "S1",
            &[CamtEntry::credit("B1", nov(2), eurc(500_00))
                .from("DUPONT CONSEIL", None)
                .reference(&rf("EXT-2026-001"))],
        )
        .await;
        let run = app.reconcile(&actor, false).await.unwrap();
        assert_eq!(run.applied, 1, "{:?}", run.rows);
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-001").await,
            (InvoiceStatus::PartiallyPaid, eurc(500_00))
        );
        let alerts = app.alerts(&actor, false, 100).await.unwrap();
        assert!(
            alerts
                .iter()
                .any(|a| a.kind == "partial_payment" && a.amount == Some(eurc(700_00))),
            "{alerts:?}"
        );
        let m = &app.applied_matches(&actor, 10).await.unwrap()[0];
        app.undo_allocation(&actor, m.id).await.unwrap();
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-001").await,
            (InvoiceStatus::Issued, eurc(0))
        );
        assert!(
            app.alerts(&actor, false, 100)
                .await
                .unwrap()
                .iter()
                .all(|a| a.kind != "partial_payment")
        );
    }
}

#[tokio::test]
async fn an_over_payment_pays_the_invoice_and_keeps_the_surplus_as_client_credit() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        import(
            &app,
            &actor,
            "S1",
            &[CamtEntry::credit("B1", nov(2), eurc(1_250_00))
                .from("DUPONT CONSEIL", None)
                .reference(&rf("EXT-2026-001"))],
        )
        .await;
        let run = app.reconcile(&actor, false).await.unwrap();
        assert_eq!(run.applied, 1, "{:?}", run.rows);
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-001").await,
            (InvoiceStatus::Paid, eurc(1_200_00))
        );
        let credits = {
            let mut tx = db.store.read().await.unwrap();
            let c = tx
                .client_credits(actor.organization_id, None)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            c
        };
        assert_eq!(credits.len(), 1);
        assert_eq!(
            (credits[0].amount, credits[0].status.as_str()),
            (eurc(50_00), "open")
        );
        let m = &app.applied_matches(&actor, 10).await.unwrap()[0];
        app.undo_allocation(&actor, m.id).await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let c = tx
            .client_credits(actor.organization_id, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(c[0].status, "undone");
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-001").await,
            (InvoiceStatus::Issued, eurc(0))
        );
    }
}

#[tokio::test]
async fn two_instalments_undone_in_reverse_restore_each_previous_state() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        let mut states = vec![invoice(&app, &actor, "EXT-2026-001").await];
        let mut matches = Vec::new();
        for (i, amount) in [300_00, 400_00].into_iter().enumerate() {
            import(
                &app,
                &actor,
                &format!("S{i}"),
                &[
                    CamtEntry::credit(&format!("B{i}"), nov(2 + i as u32), eurc(amount))
                        .from("DUPONT CONSEIL", None)
                        .reference(&rf("EXT-2026-001")),
                ],
            )
            .await;
            assert_eq!(app.reconcile(&actor, false).await.unwrap().applied, 1);
            states.push(invoice(&app, &actor, "EXT-2026-001").await);
            matches.push(app.applied_matches(&actor, 1).await.unwrap()[0].id);
        }
        assert_eq!(states[2], (InvoiceStatus::PartiallyPaid, eurc(700_00)));
        for (k, m) in matches.iter().enumerate().rev() {
            app.undo_allocation(&actor, *m).await.unwrap();
            assert_eq!(invoice(&app, &actor, "EXT-2026-001").await, states[k]);
        }
    }
}

#[tokio::test]
async fn a_dry_run_reports_but_writes_nothing() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        import(
            &app,
            &actor,
            "S1",
            &[
                CamtEntry::credit("B1", nov(2), eurc(1_200_00)).reference(&rf("EXT-2026-001")),
                CamtEntry::credit("B2", nov(3), eurc(33_33))
                    .from("Inconnu", None)
                    .text("don"),
                CamtEntry::debit("B3", nov(3), eurc(10_00)).from("Banque", None),
            ],
        )
        .await;
        let audit_before = app.verify_audit().await.unwrap()[0].events;
        let dry = app.reconcile(&actor, true).await.unwrap();
        assert_eq!(app.verify_audit().await.unwrap()[0].events, audit_before);
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-001").await,
            (InvoiceStatus::Issued, eurc(0))
        );
        let csv = dry.csv();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("bank_reference,invoice_number,amount,method,confidence,status")
        );
        let rows: Vec<&str> = lines.collect();
        assert!(
            rows.contains(&"B1,EXT-2026-001,1200.00,reference,1.00,applied")
                || rows
                    .iter()
                    .any(|r| r.starts_with("B1,EXT-2026-001,1200.00,reference,")
                        && r.ends_with(",applied")),
            "{csv}"
        );
        assert!(rows.contains(&"B2,,33.33,,,unmatched"), "{csv}");
        assert!(
            !csv.contains("B3"),
            "debits are never matched nor reported: {csv}"
        );
        // The real run does what the dry run said.
        let real = app.reconcile(&actor, false).await.unwrap();
        assert_eq!(real.rows, dry.rows);
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-001").await.0,
            InvoiceStatus::Paid
        );
        // Nothing left to do: a second run finds only the unmatched credit.
        let again = app.reconcile(&actor, false).await.unwrap();
        assert_eq!((again.applied, again.unmatched), (0, 1));
    }
}

#[tokio::test]
async fn confirming_a_suggestion_applies_it_and_learns_the_payer_rejecting_is_remembered() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        // A holding pays Martin's invoice: the amount alone points to it.
        import(
            &app,
            &actor,
            "S1",
            &[
                CamtEntry::credit("B1", nov(2), eurc(2_000_00))
                    .from("Groupe Holding GmbH", Some(HOLDING_IBAN))
                    .text("Zahlung"),
                CamtEntry::credit("B2", nov(3), eurc(480_00))
                    .from("Someone Else", Some("CH9300762011623852957"))
                    .text("payment"),
            ],
        )
        .await;
        let run = app.reconcile(&actor, false).await.unwrap();
        assert_eq!(run.applied, 0, "{:?}", run.rows);
        let suggestions = app.reconciliation_suggestions(&actor, 100).await.unwrap();
        // Running again keeps the same suggestions (same ids) and writes nothing.
        let events = app.verify_audit().await.unwrap()[0].events;
        app.reconcile(&actor, false).await.unwrap();
        assert_eq!(app.verify_audit().await.unwrap()[0].events, events);
        let again: Vec<uuid::Uuid> = app
            .reconciliation_suggestions(&actor, 100)
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(again, suggestions.iter().map(|m| m.id).collect::<Vec<_>>());
        let holding = suggestions
            .iter()
            .find(|s| s.bank_reference == "B1")
            .expect("a suggestion for B1");
        assert!(!holding.explanation.is_empty());
        assert_eq!(
            holding.allocations[0].invoice_number.as_deref(),
            Some("EXT-2026-003")
        );
        app.confirm_suggestion(&actor, holding.id).await.unwrap();
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-003").await,
            (InvoiceStatus::Paid, eurc(2_500_00))
        );
        let facts = {
            let mut tx = db.store.read().await.unwrap();
            let f = tx
                .reconciliation_facts(actor.organization_id)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            f
        };
        assert!(
            facts
                .iter()
                .any(|f| f.kind == "iban_of" && f.subject == HOLDING_IBAN),
            "{facts:?}"
        );
        // Rejection: never proposed again for that transaction.
        let other = suggestions
            .iter()
            .find(|s| s.bank_reference == "B2")
            .expect("a suggestion for B2");
        app.reject_suggestion(&actor, other.id).await.unwrap();
        let again = app.reconcile(&actor, false).await.unwrap();
        assert!(
            again
                .rows
                .iter()
                .all(|r| !(r.bank_reference == "B2" && r.invoice_number == "EXT-2026-002")),
            "{:?}",
            again.rows
        );
        // Confirming a decided suggestion is refused.
        let e = app.confirm_suggestion(&actor, other.id).await.unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e}");
        // Unknown ids are "not found".
        let e = app
            .undo_allocation(&actor, Uuid::now_v7())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound { .. }), "{e}");
    }
}

#[tokio::test]
async fn receivables_import_twice_changes_nothing_and_errors_name_line_and_column() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        let r = app
            .import_receivables(&actor, "open.csv", receivables_csv().as_bytes())
            .await
            .unwrap();
        assert_eq!((r.created, r.unchanged, r.clients_created), (0, 3, 0));
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-003").await,
            (InvoiceStatus::PartiallyPaid, eurc(500_00))
        );
        let bad = "number,client_name,client_iban,currency,gross_amount,paid_amount,issue_date,due_date,payment_reference\n\
                   X-1,Nouveau Client,,EUR,100.00,,2026-01-01,2026-01-31,\n\
                   X-2,Nouveau Client,,EUR,\"1,5\",,2026-01-01,2026-01-31,\n";
        let e = app
            .import_receivables(&actor, "bad.csv", bad.as_bytes())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("bad.csv") && e.contains("line 3") && e.contains("gross_amount"),
            "{e}"
        );
        assert!(
            app.resolve_invoice(&actor, "X-1").await.is_err(),
            "nothing imported"
        );
        let missing = "number,client_name\nX,Y\n";
        let e = app
            .import_receivables(&actor, "h.csv", missing.as_bytes())
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("client_iban"), "{e}");
    }
}

#[tokio::test]
async fn alerts_are_raised_once_a_day() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        import(
            &app,
            &actor,
            "S1",
            &[CamtEntry::credit("B1", nov(2), eurc(1_00))],
        )
        .await;
        let first = app.compute_alerts(&actor, nov(20)).await.unwrap();
        // Due 2026-10-01 (50 days), 10-15 (36 days), 10-31 (20 days): two D+30 alerts; one
        // partial payment (EXT-2026-003); one cash position.
        assert_eq!(
            (first.overdue, first.partial_payments, first.cash_positions),
            (2, 1, 1),
            "{first:?}"
        );
        let second = app.compute_alerts(&actor, nov(20)).await.unwrap();
        assert_eq!(second.raised, 0);
        let cash = app.alerts(&actor, false, 100).await.unwrap();
        let cash = cash.iter().find(|a| a.kind == "cash_position").unwrap();
        assert_eq!(cash.amount, Some(eurc(10_001_00)));
        let later = app.compute_alerts(&actor, day(2026, 12, 1)).await.unwrap();
        // D+60 for the first, D+30 for the third; a new day's cash position.
        assert_eq!((later.overdue, later.cash_positions), (2, 1), "{later:?}");
        // The daily job does the same through the queue.
        app.schedule_daily_alerts(app.now()).await.unwrap();
        let report = app.run_due_jobs("w", app.now()).await.unwrap();
        assert_eq!(report.completed, 1, "{:?}", report.outcomes);
        app.schedule_daily_alerts(app.now()).await.unwrap();
        assert_eq!(app.run_due_jobs("w", app.now()).await.unwrap().completed, 0);
    }
}

#[tokio::test]
async fn a_movement_the_bank_reverses_after_it_was_matched_is_undone_once() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = setup(&db).await;
        let account = BankAccountRef {
            iban: Some(ACCOUNT.into()),
            account_id: ACCOUNT.into(),
            currency: Currency::EUR,
            label: None,
        };
        let source = BankSource::Api {
            provider: "qonto".into(),
        };
        let mut t = IncomingTransaction {
            dedup_key: "qonto:tx-9".into(),
            bank_reference: "tx-9".into(),
            booking_date: nov(4),
            value_date: None,
            amount: eurc(1_200_00),
            status: BankStatus::Booked,
            is_reversal: false,
            counterparty_name: Some("DUPONT CONSEIL".into()),
            counterparty_iban: None,
            counterparty_account: None,
            ultimate_counterparty_name: None,
            remittance: Some(format!("Facture EXT-2026-001 {}", rf("EXT-2026-001"))),
            structured_reference: None,
            end_to_end_id: None,
            additional_info: None,
            bank_transaction_code: None,
            raw: serde_json::json!({ "id": "tx-9" }),
        };
        app.ingest_bank_transactions(
            &actor,
            &account,
            &source,
            std::slice::from_ref(&t),
            &[],
            &|_| {},
        )
        .await
        .unwrap();
        assert_eq!(app.reconcile(&actor, false).await.unwrap().applied, 1);
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-001").await.0,
            InvoiceStatus::Paid
        );
        t.status = BankStatus::Reversed;
        for _ in 0..2 {
            let r = app
                .ingest_bank_transactions(
                    &actor,
                    &account,
                    &source,
                    std::slice::from_ref(&t),
                    &[],
                    &|_| {},
                )
                .await
                .unwrap();
            assert_eq!(r.new, 0);
        }
        assert_eq!(
            invoice(&app, &actor, "EXT-2026-001").await,
            (InvoiceStatus::Issued, eurc(0))
        );
        // Never matched again.
        assert_eq!(app.reconcile(&actor, false).await.unwrap().applied, 0);
    }
}
