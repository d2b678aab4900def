//! Hours to drafts and the Clockify webhook over HTTP, on every backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_store::connectors::ConnectorAccount;
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};
use support::{Server, add_client, add_time_entries, init, on_every_backend, token};

#[tokio::test]
async fn unbilled_time_drafts_from_time_line_edits_and_deletion() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let entries = add_time_entries(&s.app, &org, client, 5).await;
        let auth = token(&s.app, support::OWNER, &org).await;

        let bad = s.get("/api/v1/unbilled-time?period=2026-13", &auth).await;
        bad.invalid_field("period");
        let unbilled = s.get("/api/v1/unbilled-time?period=2026-03", &auth).await.ok();
        assert_eq!(unbilled["dry_run"], true);
        let row = &unbilled["drafts"][0];
        assert_eq!((row["client"].as_str(), row["hours"].as_str()), (Some("Atelier Lumière"), Some("7.5")));
        assert_eq!((row["net"].as_str(), row["vat"].as_str(), row["gross"].as_str()), (Some("712.50"), Some("142.50"), Some("855.00")));
        assert!(row["invoice_id"].is_null());

        let made = s.post("/api/v1/invoices/from-time", &auth, json!({ "period": "2026-03" })).await.ok();
        let id = made["drafts"][0]["invoice_id"].as_str().unwrap().to_owned();
        assert_eq!(made["drafts"][0]["outcome"], "created");
        let again = s.post("/api/v1/invoices/from-time", &auth, json!({ "period": "2026-03" })).await.ok();
        assert_eq!(again["drafts"].as_array().unwrap().len(), 0, "twice creates nothing new");
        let page = s.get("/api/v1/time-entries?unbilled=true", &auth).await.ok();
        assert_eq!(page["items"].as_array().unwrap().len(), 0);

        let detail = s.get(&format!("/api/v1/invoices/{id}"), &auth).await.ok();
        assert_eq!(detail["lines"][0]["unit"], "HUR");
        assert_eq!(detail["lines"][0]["time_entry_ids"].as_array().unwrap().len(), entries.len());
        let edited = s
            .call(Method::PATCH, &format!("/api/v1/invoices/{id}/lines"), &auth, Some(json!({ "edits": [
                { "op": "update", "index": 0, "unit_price": "100" },
                { "op": "discount", "percent": "10" },
                { "op": "add", "line": { "description": "Frais de déplacement", "quantity": "1", "unit": "C62",
                  "unit_price": "80", "vat_category": "S", "vat_percent": "20" } },
            ] })))
            .await
            .ok();
        assert_eq!(edited["lines"].as_array().unwrap().len(), 2);
        // 7.5 h × 100 less 10 % = 675.00, plus the added 80.00 (added after the discount).
        assert_eq!(edited["totals"]["tax_exclusive"], "755.00");
        let bad = s
            .call(Method::PATCH, &format!("/api/v1/invoices/{id}/lines"), &auth, Some(json!({ "edits": [{ "op": "remove", "index": 9 }] })))
            .await;
        bad.invalid_field("index");
        let bad = s
            .call(Method::PATCH, &format!("/api/v1/invoices/{id}/lines"), &auth, Some(json!({ "edits": [{ "op": "explode" }] })))
            .await;
        assert_eq!(bad.status, 422);

        let deleted = s.call(Method::DELETE, &format!("/api/v1/invoices/{id}"), &auth, None).await.ok();
        assert_eq!(deleted["entries_released"], 5);
        s.get(&format!("/api/v1/invoices/{id}"), &auth).await.problem(404, "not-found");
        let page = s.get("/api/v1/time-entries?unbilled=true", &auth).await.ok();
        assert_eq!(page["items"].as_array().unwrap().len(), 5, "deleting the draft released its entries");
        let spec = s.get("/api/openapi.json", &support::Auth::None).await.ok();
        for path in ["/api/v1/unbilled-time", "/api/v1/invoices/from-time", "/api/v1/invoices/{id}/lines", "/webhooks/clockify/{org}"] {
            assert!(spec["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
        }
    })
    .await;
}

#[tokio::test]
async fn the_clockify_webhook_checks_its_token_stores_and_answers_at_once() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let path = format!("/webhooks/clockify/{}", org.slug);
        let body = json!({ "id": "65f00006000000000000abcd", "description": "x", "timeInterval": { "start": "2026-03-02T08:00:00Z" } });
        let send = |sig: Option<&'static str>| {
            let mut r = s.http.post(format!("{}{path}", s.base)).header("content-type", "application/json")
                .header("Clockify-Webhook-Event-Type", "TIME_ENTRY_UPDATED").body(body.to_string());
            if let Some(sig) = sig {
                r = r.header("Clockify-Signature", sig);
            }
            r.send()
        };
        // No Clockify connection: nothing to deliver to.
        assert_eq!(send(Some("t")).await.unwrap().status(), 404);
        let mut tx = s.app.store.write().await.unwrap();
        tx.upsert_connector_account(&ConnectorAccount {
            organization_id: org.id.to_string(), connector: "clockify".into(), workspace_id: "ws".into(),
            api_base: "http://127.0.0.1:9/api".into(), reports_base: "http://127.0.0.1:9/report".into(),
            api_key: "k".into(), webhook_token_sha256: Some(hex::encode(Sha256::digest(b"the-token"))), time_zone: "Europe/Paris".into(),
        }, s.app.now()).await.unwrap();
        tx.commit().await.unwrap();
        let r = send(None).await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(send(Some("the-tokeN")).await.unwrap().status(), 401);
        let r = send(Some("the-token")).await.unwrap();
        assert_eq!(r.status(), 200);
        let first: serde_json::Value = r.json().await.unwrap();
        assert_eq!(first["duplicate"], false);
        let again: serde_json::Value = send(Some("the-token")).await.unwrap().json().await.unwrap();
        assert_eq!(again["duplicate"], true);
        let jobs = s.app.store.queued(encaisse_store::queue::Queue::Jobs, Some("queued")).await.unwrap();
        assert_eq!(jobs.len(), 1, "one job for one event, however often delivered");
        assert_eq!(jobs[0].kind, "clockify.webhook");
    })
    .await;
}
