//! Clockify through the use cases, against the simulator over loopback HTTP, on every
//! backend: mapping, incremental sync, deletions, review flags, webhooks, the outbox.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;

use encaisse_app::AppError;
use encaisse_app::billing::{BillingPeriod, DraftRun};
use encaisse_app::clockify_sync::ClockifyConnection;
use encaisse_connectors::clockify::Endpoints;
use encaisse_core::Currency;
use encaisse_core::invoice::InvoiceStatus;
use encaisse_core::party::Country;
use encaisse_sandbox::clockify::{ClockifySandbox, SandboxConfig, SeededWorkspace, WorkspaceSeed};
use encaisse_store::queue::Queue;
use encaisse_store::testing::TestDb;
use encaisse_store::time_entries::TimeEntryFilter;
use support::*;

const KEY: &str = "clockify-test-key";

async fn sandbox() -> (ClockifySandbox, String) {
    let mut seed = WorkspaceSeed::small(11);
    seed.client_names = vec!["Boulangerie Lefèvre".into(), "Nouveau Client SA".into()];
    let sb = ClockifySandbox::start(
        SandboxConfig::default(),
        vec![SeededWorkspace {
            seed,
            api_key: KEY.into(),
        }],
    )
    .await
    .unwrap();
    let ws = sb.workspace_id(0).unwrap();
    (sb, ws)
}

fn connection(sb: &ClockifySandbox, ws: &str) -> ClockifyConnection {
    ClockifyConnection {
        workspace_id: ws.into(),
        endpoints: Endpoints::under(&sb.url()),
        api_key: KEY.into(),
    }
}

async fn by_external(
    app: &encaisse_app::App,
    actor: &encaisse_app::auth::Actor,
) -> HashMap<String, encaisse_core::time_entry::TimeEntry> {
    let mut tx = app.store.read().await.unwrap();
    let rows = tx
        .time_entries(
            actor.organization_id,
            &TimeEntryFilter {
                limit: 10_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows.into_iter()
        .map(|e| (e.external_id.clone(), e))
        .collect()
}

fn since() -> Option<chrono::NaiveDate> {
    Some(day(2026, 9, 1))
}

#[tokio::test]
async fn sync_links_or_creates_clients_imports_hours_and_follows_the_source() {
    for db in TestDb::all().await.unwrap() {
        let (sb, ws) = sandbox().await;
        let (app, actor, _) = french_app(&db).await;
        client(
            &app,
            &actor,
            "Boulangerie Lefèvre",
            Country::FR,
            None,
            Currency::EUR,
        )
        .await;
        let bad = ClockifyConnection {
            api_key: "nope".into(),
            ..connection(&sb, &ws)
        };
        let e = app.connect_clockify(&actor, &bad).await.unwrap_err();
        assert!(e.to_string().contains("API key was refused"), "{e}");
        assert_eq!(
            app.connect_clockify(&actor, &connection(&sb, &ws))
                .await
                .unwrap(),
            "Workspace 11"
        );
        // The key is stored sealed, never in clear.
        let mut tx = app.store.read().await.unwrap();
        let stored = tx
            .connector_account(actor.organization_id, "clockify")
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert!(stored.api_key.starts_with("enc:v1:"), "{}", stored.api_key);
        assert!(!stored.api_key.contains(KEY));

        let first = app.sync_clockify(&actor, since(), &|_| {}).await.unwrap();
        assert_eq!(first.clients_linked, vec!["Boulangerie Lefèvre".to_owned()]);
        assert_eq!(first.clients_created, vec!["Nouveau Client SA".to_owned()]);
        assert_eq!(first.projects_created.len(), 4);
        assert_eq!((first.entries_read, first.inserted), (120, 120));
        let again = app.sync_clockify(&actor, since(), &|_| {}).await.unwrap();
        assert_eq!(
            (
                again.inserted,
                again.unchanged,
                again.updated,
                again.deleted
            ),
            (0, 120, 0, 0)
        );
        assert!(again.clients_created.is_empty() && again.clients_linked.is_empty());

        // Rates are the ones Clockify snapshotted on each entry.
        let local = by_external(&app, &actor).await;
        let (rate_cents, first_id) = sb.inspect(|s| {
            (
                s.workspaces[0].entries[0].rate,
                s.workspaces[0].entries[0].hex_id(),
            )
        });
        assert_eq!(
            local[&first_id].hourly_rate.unwrap().to_minor().unwrap(),
            rate_cents
        );

        // Deleted in Clockify before billing: gone here too (never billed).
        let gone = sb.inspect(|s| s.workspaces[0].entries[1].hex_id());
        sb.delete_entry(&ws, &gone);
        let r = app.sync_clockify(&actor, since(), &|_| {}).await.unwrap();
        assert_eq!((r.deleted, r.flagged_for_review), (1, 0));

        // Billed, then edited and deleted in Clockify: flagged, never altered.
        let run = app
            .draft_invoices(
                &actor,
                &DraftRun {
                    period: BillingPeriod::parse("2026-10").unwrap(),
                    client_id: None,
                    dry_run: false,
                },
            )
            .await
            .unwrap();
        assert_eq!(run.drafts.len(), 2);
        let before = by_external(&app, &actor).await;
        assert!(
            before[&gone].invoice_id.is_none(),
            "a deleted entry is never billed"
        );
        let mut billed: Vec<&String> = before
            .iter()
            .filter(|(_, e)| e.invoice_id.is_some())
            .map(|(k, _)| k)
            .collect();
        billed.sort();
        let (edited, removed) = (billed[0].clone(), billed[1].clone());
        sb.edit_entry(&ws, &edited, |e| {
            e.description = "Changed after billing".into();
            e.end = e.end.map(|t| t + 1800);
        });
        sb.delete_entry(&ws, &removed);
        let r = app.sync_clockify(&actor, since(), &|_| {}).await.unwrap();
        assert_eq!((r.flagged_for_review, r.updated, r.deleted), (2, 0, 0));
        let after = by_external(&app, &actor).await;
        assert_eq!(
            after[&edited].description, before[&edited].description,
            "a billed entry is never altered"
        );
        assert_eq!(
            after[&edited].duration_seconds,
            before[&edited].duration_seconds
        );
        assert_eq!(after[&removed].invoice_id, before[&removed].invoice_id);
        let review = app.entries_to_review(&actor).await.unwrap();
        assert_eq!(review.len(), 2);
        let edited_review = review.iter().find(|x| x.external_id == edited).unwrap();
        assert_eq!(edited_review.review_reason, "changed_at_source");
        assert!(
            edited_review
                .review_detail
                .as_deref()
                .unwrap()
                .contains("Changed after billing")
        );
        assert!(
            review
                .iter()
                .any(|x| x.review_reason == "deleted_at_source" && x.external_id == removed)
        );
        // Flagged entries stay on their invoice and are put on no other.
        let next = app
            .draft_invoices(
                &actor,
                &DraftRun {
                    period: BillingPeriod::parse("2026-10").unwrap(),
                    client_id: None,
                    dry_run: false,
                },
            )
            .await
            .unwrap();
        assert!(next.drafts.is_empty());
        for r in app.verify_audit().await.unwrap() {
            assert_eq!(r.broken, None);
        }
    }
}

#[tokio::test]
async fn issuing_writes_the_mark_invoiced_outbox_row_and_the_worker_sends_it_once() {
    for db in TestDb::all().await.unwrap() {
        let (sb, ws) = sandbox().await;
        let (app, actor, _) = french_app(&db).await;
        app.connect_clockify(&actor, &connection(&sb, &ws))
            .await
            .unwrap();
        app.sync_clockify(&actor, since(), &|_| {}).await.unwrap();
        let run = app
            .draft_invoices(
                &actor,
                &DraftRun {
                    period: BillingPeriod::parse("2026-10-01..2026-10-07").unwrap(),
                    client_id: None,
                    dry_run: false,
                },
            )
            .await
            .unwrap();
        let id = run.drafts[0].invoice_id.unwrap();
        // The approval circuit is not under test here: move the draft to approved directly.
        let mut tx = app.store.write().await.unwrap();
        tx.set_invoice_status(
            actor.organization_id,
            id,
            InvoiceStatus::Draft,
            InvoiceStatus::Approved,
            app.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(
            app.store
                .queued(Queue::Outbox, None)
                .await
                .unwrap()
                .is_empty()
        );
        app.issue_invoice(&actor, id, day(2026, 11, 20))
            .await
            .unwrap();
        let rows = app
            .store
            .queued(Queue::Outbox, Some("queued"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "written in the issuing transaction");
        assert_eq!(rows[0].kind, "clockify.mark_invoiced");

        let billed: Vec<String> = by_external(&app, &actor)
            .await
            .into_values()
            .filter(|e| e.invoice_id == Some(id))
            .map(|e| e.external_id)
            .collect();
        assert!(!billed.is_empty());
        assert!(billed.iter().all(|e| sb.is_invoiced(&ws, e) == Some(false)));
        let report = app.run_due_jobs("test-worker", app.now()).await.unwrap();
        assert_eq!(
            (report.completed, report.failed),
            (1, 0),
            "{:?}",
            report.outcomes
        );
        assert!(billed.iter().all(|e| sb.is_invoiced(&ws, e) == Some(true)));
        assert_eq!(
            app.store
                .queued(Queue::Outbox, Some("done"))
                .await
                .unwrap()
                .len(),
            1
        );
        // Nothing is sent again.
        let requests = sb.requests();
        let report = app.run_due_jobs("test-worker", app.now()).await.unwrap();
        assert_eq!((report.completed, sb.requests()), (0, requests));
        // The next sync sees them invoiced and changes nothing.
        let r = app.sync_clockify(&actor, since(), &|_| {}).await.unwrap();
        assert_eq!((r.flagged_for_review, r.updated), (0, 0));
    }
}

#[tokio::test]
async fn webhooks_are_checked_stored_and_applied_by_a_job() {
    for db in TestDb::all().await.unwrap() {
        let (sb, ws) = sandbox().await;
        let (app, actor, _) = french_app(&db).await;
        app.connect_clockify(&actor, &connection(&sb, &ws))
            .await
            .unwrap();
        app.sync_clockify(&actor, since(), &|_| {}).await.unwrap();
        let org = actor.organization_id.to_string();
        let e = app
            .receive_clockify_webhook(&org, Some("x"), Some("TIME_ENTRY_UPDATED"), b"{}")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Unauthenticated(_)),
            "no token registered yet: {e}"
        );
        assert_eq!(
            app.register_clockify_webhooks(&actor, "http://127.0.0.1:9")
                .await
                .unwrap(),
            3
        );
        let token = sb.inspect(|s| {
            s.workspaces[0]
                .webhooks
                .iter()
                .find(|h| h.event == "TIME_ENTRY_UPDATED")
                .unwrap()
                .token
                .clone()
        });
        let target = sb.inspect(|s| s.workspaces[0].entries[5].hex_id());
        let mut body = client_entry_json(&sb, 5);
        body["description"] = "Edited in Clockify".into();
        let bytes = serde_json::to_vec(&body).unwrap();

        let e = app
            .receive_clockify_webhook(&org, Some("forged"), Some("TIME_ENTRY_UPDATED"), &bytes)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Unauthenticated(_)));
        let e = app
            .receive_clockify_webhook("nope", Some(&token), Some("TIME_ENTRY_UPDATED"), &bytes)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound { .. }));
        let got = app
            .receive_clockify_webhook(&org, Some(&token), Some("TIME_ENTRY_UPDATED"), &bytes)
            .await
            .unwrap();
        assert!(!got.duplicate);
        let again = app
            .receive_clockify_webhook(
                "octet-conseil-sas",
                Some(&token),
                Some("TIME_ENTRY_UPDATED"),
                &bytes,
            )
            .await
            .unwrap();
        assert!(again.duplicate, "a redelivery is stored once");
        // Stored, not applied yet: the job does the work.
        assert_ne!(
            by_external(&app, &actor).await[&target].description,
            "Edited in Clockify"
        );
        let report = app.run_due_jobs("w", app.now()).await.unwrap();
        assert_eq!(report.completed, 1, "{:?}", report.outcomes);
        assert_eq!(
            by_external(&app, &actor).await[&target].description,
            "Edited in Clockify"
        );
        // A deletion through a webhook.
        let del = serde_json::to_vec(&client_entry_json(&sb, 6)).unwrap();
        app.receive_clockify_webhook(&org, Some(&token), Some("TIME_ENTRY_DELETED"), &del)
            .await
            .unwrap();
        let report = app.run_due_jobs("w", app.now()).await.unwrap();
        assert!(
            report.outcomes[0].contains("deleted"),
            "{:?}",
            report.outcomes
        );
    }
}

/// An entry as Clockify's webhooks deliver it (the core-host shape).
fn client_entry_json(sb: &ClockifySandbox, i: usize) -> serde_json::Value {
    sb.inspect(|s| {
        let w = &s.workspaces[0];
        let e = &w.entries[i];
        let start = chrono::DateTime::from_timestamp(e.start, 0).unwrap();
        let end = chrono::DateTime::from_timestamp(e.end.unwrap(), 0).unwrap();
        serde_json::json!({
            "id": e.hex_id(), "workspaceId": w.id, "userId": w.users[e.user as usize].id,
            "projectId": w.projects[e.project as usize].id, "taskId": e.task.map(|t| w.tasks[t as usize].id.clone()),
            "description": e.description, "billable": e.billable, "type": "REGULAR",
            "timeInterval": { "start": start.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "end": end.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "duration": encaisse_connectors::iso_duration::format_seconds((end - start).num_seconds()) },
            "hourlyRate": { "amount": e.rate, "currency": "EUR" },
            "user": { "id": w.users[e.user as usize].id, "name": w.users[e.user as usize].name },
            "task": e.task.map(|t| serde_json::json!({ "id": w.tasks[t as usize].id, "name": w.tasks[t as usize].name })),
        })
    })
}
