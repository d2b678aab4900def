//! Invoices through the API: pages, roles, the issue flow, payments, credit notes, clients
//! and time entries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use encaisse_core::role::Role;
use reqwest::Method;
use serde_json::{Value, json};
use support::{
    Server, add_client, add_draft, add_time_entries, add_user, draft_json, init, on_every_backend,
    token,
};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn cursors_walk_every_invoice_exactly_once_newest_first() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let mut created = Vec::new();
        for _ in 0..7 {
            created.push(add_draft(&s.app, &org, client).await.id.to_string());
        }
        let auth = token(&s.app, support::OWNER, &org).await;

        let mut seen = Vec::new();
        let mut path = "/api/v1/invoices?limit=3".to_owned();
        let mut pages = 0;
        loop {
            let page = s.get(&path, &auth).await.ok();
            pages += 1;
            let items = ids(&page);
            assert!(items.len() <= 3);
            seen.extend(items);
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/invoices?limit=3&cursor={c}"),
                None => break,
            }
            assert!(pages < 10, "cursors do not end");
        }
        assert_eq!(pages, 3);
        let newest_first: Vec<String> = created.iter().rev().cloned().collect();
        assert_eq!(seen, newest_first);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7);

        // Exactly a page's worth: no empty extra page.
        let six = s.get("/api/v1/invoices?limit=7", &auth).await.ok();
        assert_eq!(ids(&six).len(), 7);
        assert!(six["next_cursor"].is_null());
        let all = s.get("/api/v1/invoices", &auth).await.ok();
        assert_eq!(ids(&all).len(), 7);
        assert!(all["next_cursor"].is_null());

        s.get("/api/v1/invoices?limit=0", &auth)
            .await
            .invalid_field("limit");
        s.get("/api/v1/invoices?limit=501", &auth)
            .await
            .invalid_field("limit");
        s.get("/api/v1/invoices?limit=many", &auth)
            .await
            .invalid_field("limit");
        s.get("/api/v1/invoices?cursor=not-a-cursor", &auth)
            .await
            .invalid_field("cursor");
        assert_eq!(
            ids(&s.get("/api/v1/invoices?limit=500", &auth).await.ok()).len(),
            7
        );
    })
    .await;
}

#[tokio::test]
async fn list_filters_are_applied_and_checked() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let c1 = add_client(&s.app, &org, "Un").await;
        let c2 = add_client(&s.app, &org, "Deux").await;
        let a = add_draft(&s.app, &org, c1).await.id.to_string();
        let b = add_draft(&s.app, &org, c2).await.id.to_string();
        let auth = token(&s.app, support::OWNER, &org).await;
        s.post(&format!("/api/v1/invoices/{b}/submit"), &auth, json!({}))
            .await
            .ok();

        assert_eq!(
            ids(&s
                .get(&format!("/api/v1/invoices?client_id={c1}"), &auth)
                .await
                .ok()),
            vec![a.clone()]
        );
        assert_eq!(
            ids(&s
                .get("/api/v1/invoices?status=pending_approval", &auth)
                .await
                .ok()),
            vec![b.clone()]
        );
        assert_eq!(
            ids(&s
                .get(
                    "/api/v1/invoices?status=draft&currency=EUR&kind=invoice",
                    &auth
                )
                .await
                .ok()),
            vec![a]
        );
        assert!(ids(&s.get("/api/v1/invoices?currency=CHF", &auth).await.ok()).is_empty());
        assert!(
            ids(&s
                .get("/api/v1/invoices?issued_from=2026-01-01", &auth)
                .await
                .ok())
            .is_empty()
        );

        s.get("/api/v1/invoices?status=lost", &auth)
            .await
            .invalid_field("status");
        s.get("/api/v1/invoices?currency=EURO", &auth)
            .await
            .invalid_field("currency");
        s.get("/api/v1/invoices?issued_from=15/03/2026", &auth)
            .await
            .invalid_field("issued_from");
        s.get("/api/v1/invoices?client_id=42", &auth)
            .await
            .invalid_field("client_id");
        s.get("/api/v1/invoices?stauts=draft", &auth)
            .await
            .invalid_field("stauts");
    })
    .await;
}

#[tokio::test]
async fn a_viewer_cannot_approve_nor_write_while_an_approver_can_approve() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        add_user(&s.app, &org, "viewer@octet.test", Role::Viewer).await;
        add_user(&s.app, &org, "approver@octet.test", Role::Approver).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let owner = token(&s.app, support::OWNER, &org).await;
        let viewer = token(&s.app, "viewer@octet.test", &org).await;
        let approver = token(&s.app, "approver@octet.test", &org).await;

        let draft = s
            .post("/api/v1/invoices", &owner, draft_json(client))
            .await
            .ok();
        let id = draft["id"].as_str().unwrap().to_owned();
        s.post(&format!("/api/v1/invoices/{id}/submit"), &owner, json!({}))
            .await
            .ok();

        let body = s
            .post(
                &format!("/api/v1/invoices/{id}/approve"),
                &viewer,
                json!({}),
            )
            .await
            .problem(403, "forbidden");
        assert!(
            body["detail"].as_str().unwrap().contains("viewer"),
            "{body}"
        );
        s.post("/api/v1/invoices", &viewer, draft_json(client))
            .await
            .problem(403, "forbidden");
        s.post(
            &format!("/api/v1/invoices/{id}/reject"),
            &viewer,
            json!({ "comment": "no" }),
        )
        .await
        .problem(403, "forbidden");
        // The viewer still reads.
        assert_eq!(
            s.get(&format!("/api/v1/invoices/{id}"), &viewer).await.ok()["status"],
            "pending_approval"
        );

        let approved = s
            .post(
                &format!("/api/v1/invoices/{id}/approve"),
                &approver,
                json!({}),
            )
            .await
            .ok();
        assert_eq!(approved["status"], "approved");
        // Approving twice is a conflict, not a success.
        s.post(
            &format!("/api/v1/invoices/{id}/approve"),
            &approver,
            json!({}),
        )
        .await
        .problem(409, "conflict");
        // An approver does not issue.
        s.post(
            &format!("/api/v1/invoices/{id}/issue"),
            &approver,
            json!({}),
        )
        .await
        .problem(403, "forbidden");
    })
    .await;
}

#[tokio::test]
async fn issuing_through_the_api_numbers_freezes_and_collects() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let auth = token(&s.app, support::OWNER, &org).await;

        let r = s.post("/api/v1/invoices", &auth, draft_json(client)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let draft = r.json();
        let id = draft["id"].as_str().unwrap().to_owned();
        assert_eq!(r.header("location"), Some(format!("/api/v1/invoices/{id}").as_str()));
        assert!(draft["number"].is_null());
        assert_eq!(draft["status"], "draft");
        assert_eq!(draft["client"], "Atelier Lumière");
        assert_eq!(draft["lines"][0]["quantity"], "12.5");
        assert_eq!(draft["lines"][0]["net"], "1187.50");
        assert_eq!(draft["totals"]["tax_inclusive"], "1187.50");
        assert_eq!(draft["vat_breakdown"][0]["vat_category"], "E");
        assert_eq!(draft["outstanding"], "1187.50");

        s.post(&format!("/api/v1/invoices/{id}/issue"), &auth, json!({})).await.problem(409, "conflict");
        s.call(Method::POST, &format!("/api/v1/invoices/{id}/submit"), &auth, None).await.ok();
        // Whoever drafted it may not approve it: an approver does.
        add_user(&s.app, &org, "approver@octet.test", Role::Approver).await;
        let approver = token(&s.app, "approver@octet.test", &org).await;
        s.call(Method::POST, &format!("/api/v1/invoices/{id}/approve"), &approver, None).await.ok();
        // No body: issued today (the app's clock says 2026-03-15).
        let issued = s.call(Method::POST, &format!("/api/v1/invoices/{id}/issue"), &auth, None).await.ok();
        assert_eq!(issued["number"], "F-2026-00001");
        assert_eq!(issued["status"], "issued");
        assert_eq!(issued["issue_date"], "2026-03-15");
        assert_eq!(issued["due_date"], "2026-04-14");
        assert_eq!(issued["payment_reference"]["kind"], "creditor");
        assert!(issued["payment_reference"]["value"].as_str().unwrap().starts_with("RF"));
        assert_eq!(issued["document_sha256"].as_str().unwrap().len(), 64);

        let second = s.post("/api/v1/invoices", &auth, draft_json(client)).await.ok();
        let id2 = second["id"].as_str().unwrap().to_owned();
        s.post(&format!("/api/v1/invoices/{id2}/submit"), &auth, json!({})).await.ok();
        s.post(&format!("/api/v1/invoices/{id2}/approve"), &approver, json!({})).await.ok();
        let issued2 = s.post(&format!("/api/v1/invoices/{id2}/issue"), &auth, json!({ "issue_date": "2026-03-16" })).await.ok();
        assert_eq!(issued2["number"], "F-2026-00002");
        assert_eq!(issued2["issue_date"], "2026-03-16");

        // Payments: partial, then the wrong currency, then too much.
        let paid = s
            .post(&format!("/api/v1/invoices/{id}/payments"), &auth, json!({ "amount": "187.50", "currency": "EUR", "received_on": "2026-03-20", "reference": "VIR 1" }))
            .await
            .ok();
        assert_eq!(paid["status"], "partially_paid");
        assert_eq!(paid["paid"], "187.50");
        assert_eq!(paid["outstanding"], "1000.00");
        s.post(&format!("/api/v1/invoices/{id}/payments"), &auth, json!({ "amount": "10", "currency": "CHF", "received_on": "2026-03-20" }))
            .await
            .invalid_field("amount");
        s.post(&format!("/api/v1/invoices/{id}/payments"), &auth, json!({ "amount": "5000.00", "currency": "EUR", "received_on": "2026-03-20" }))
            .await
            .invalid_field("amount");
        s.post(&format!("/api/v1/invoices/{id}/payments"), &auth, json!({ "amount": "1.001", "currency": "EUR", "received_on": "2026-03-20" }))
            .await
            .invalid_field("amount");
        s.post(&format!("/api/v1/invoices/{id}/payments"), &auth, json!({ "amount": "-1", "currency": "EUR", "received_on": "2026-03-20" }))
            .await
            .invalid_field("amount");

        // A credit note for the second invoice; the same Idempotency-Key gives the same one.
        let cn = s
            .http
            .post(format!("{}/api/v1/invoices/F-2026-00002/credit-note", s.base))
            .bearer_auth(match &auth { support::Auth::Bearer(t) => t.clone(), _ => unreachable!() })
            .header("idempotency-key", "cn-1")
            .json(&json!({ "reason": "Commande annulée" }))
            .send()
            .await
            .unwrap();
        assert_eq!(cn.status(), 201);
        let cn: Value = cn.json().await.unwrap();
        assert_eq!(cn["kind"], "credit_note");
        assert_eq!(cn["corrects"]["number"], "F-2026-00002");
        let again = s
            .http
            .post(format!("{}/api/v1/invoices/F-2026-00002/credit-note", s.base))
            .bearer_auth(match &auth { support::Auth::Bearer(t) => t.clone(), _ => unreachable!() })
            .header("idempotency-key", "cn-1")
            .json(&json!({ "reason": "Commande annulée" }))
            .send()
            .await
            .unwrap();
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["id"], cn["id"]);

        // The history tells the story, oldest first.
        let history = s.get(&format!("/api/v1/invoices/{id}/history"), &auth).await.ok();
        let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["invoice.drafted", "invoice.submitted", "invoice.approved", "invoice.issued", "invoice.payment_recorded"]);
        assert_eq!(history[3]["after"]["number"], "F-2026-00001");
        assert_eq!(history[0]["actor"], support::OWNER);

        let issued_list = s.get("/api/v1/invoices?issued_from=2026-03-16&issued_to=2026-03-16", &auth).await.ok();
        assert_eq!(ids(&issued_list), vec![id2]);
        let overdue = s.get("/api/v1/invoices?overdue_on=2026-05-01", &auth).await.ok();
        assert_eq!(overdue["items"].as_array().unwrap().len(), 2);
        assert!(overdue["items"].as_array().unwrap().iter().all(|i| i["kind"] == "invoice"));
    })
    .await;
}

#[tokio::test]
async fn issuing_without_a_legal_mention_names_what_is_missing() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        // The organization has no VAT number (test support gives it one).
        s.app
            .store
            .execute_raw(&format!(
                "UPDATE organizations SET vat_id = NULL WHERE id = '{}'",
                org.id
            ))
            .await
            .unwrap();
        let auth = token(&s.app, support::OWNER, &org).await;
        let mut body = draft_json(client);
        body["lines"][0]["vat_category"] = json!("S");
        body["lines"][0]["vat_percent"] = json!("20");
        let id = s.post("/api/v1/invoices", &auth, body).await.ok()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        s.post(&format!("/api/v1/invoices/{id}/submit"), &auth, json!({}))
            .await
            .ok();
        add_user(&s.app, &org, "approver@octet.test", Role::Approver).await;
        let approver = token(&s.app, "approver@octet.test", &org).await;
        s.post(
            &format!("/api/v1/invoices/{id}/approve"),
            &approver,
            json!({}),
        )
        .await
        .ok();
        s.post(&format!("/api/v1/invoices/{id}/issue"), &auth, json!({}))
            .await
            .invalid_field("organization.vat_id");
        // Nothing was consumed: the invoice is still approved, without a number.
        let after = s.get(&format!("/api/v1/invoices/{id}"), &auth).await.ok();
        assert_eq!(
            (after["status"].as_str(), after["number"].is_null()),
            (Some("approved"), true)
        );
    })
    .await;
}

#[tokio::test]
async fn a_rejected_draft_says_why() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let auth = token(&s.app, support::OWNER, &org).await;
        let id = add_draft(&s.app, &org, client).await.id;
        s.post(&format!("/api/v1/invoices/{id}/submit"), &auth, json!({}))
            .await
            .ok();
        // The submitter may not decide: an approver rejects.
        add_user(&s.app, &org, "approver@octet.test", Role::Approver).await;
        let auth = token(&s.app, "approver@octet.test", &org).await;
        s.post(
            &format!("/api/v1/invoices/{id}/reject"),
            &auth,
            json!({ "comment": " " }),
        )
        .await
        .invalid_field("comment");
        s.post(&format!("/api/v1/invoices/{id}/reject"), &auth, json!({}))
            .await
            .invalid_field("comment");
        let r = s
            .post(
                &format!("/api/v1/invoices/{id}/reject"),
                &auth,
                json!({ "comment": "Mauvais taux horaire" }),
            )
            .await
            .ok();
        assert_eq!(r["status"], "rejected");
        let history = s
            .get(&format!("/api/v1/invoices/{id}/history"), &auth)
            .await
            .ok();
        assert_eq!(
            history.as_array().unwrap().last().unwrap()["after"]["comment"],
            "Mauvais taux horaire"
        );
    })
    .await;
}

#[tokio::test]
async fn clients_are_searched_and_paged() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        for name in ["Alpha", "Bravo", "Charlie", "Delta"] {
            add_client(&s.app, &org, name).await;
        }
        let auth = token(&s.app, support::OWNER, &org).await;
        let names = |v: &Value| {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let p1 = s.get("/api/v1/clients?limit=3", &auth).await.ok();
        assert_eq!(names(&p1), ["Alpha", "Bravo", "Charlie"]);
        assert_eq!(p1["next_offset"], 3);
        let p2 = s.get("/api/v1/clients?limit=3&offset=3", &auth).await.ok();
        assert_eq!(names(&p2), ["Delta"]);
        assert!(p2["next_offset"].is_null());
        assert_eq!(
            names(&s.get("/api/v1/clients?search=ELT", &auth).await.ok()),
            ["Delta"]
        );
        let one = &p1["items"][1];
        let fetched = s
            .get(
                &format!("/api/v1/clients/{}", one["id"].as_str().unwrap()),
                &auth,
            )
            .await
            .ok();
        assert_eq!(&fetched, one);
        assert_eq!(fetched["currency"], "EUR");
        s.get(&format!("/api/v1/clients/{}", uuid::Uuid::now_v7()), &auth)
            .await
            .problem(404, "not-found");
    })
    .await;
}

#[tokio::test]
async fn time_entries_are_paged_and_filtered() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let entries = add_time_entries(&s.app, &org, client, 5).await;
        let auth = token(&s.app, support::OWNER, &org).await;
        let p1 = s
            .get("/api/v1/time-entries?limit=2&unbilled=true", &auth)
            .await
            .ok();
        assert_eq!(p1["items"][0]["hours"], "1.5");
        assert_eq!(p1["items"][0]["source"], "manual");
        let mut seen = ids(&p1);
        let mut cursor = p1["next_cursor"].as_str().map(str::to_owned);
        while let Some(c) = cursor {
            let p = s
                .get(&format!("/api/v1/time-entries?limit=2&cursor={c}"), &auth)
                .await
                .ok();
            seen.extend(ids(&p));
            cursor = p["next_cursor"].as_str().map(str::to_owned);
        }
        let expected: Vec<String> = entries.iter().rev().map(|e| e.to_string()).collect();
        assert_eq!(seen, expected);
        let project = p1["items"][0]["project_id"].as_str().unwrap();
        assert_eq!(
            ids(&s
                .get(&format!("/api/v1/time-entries?project_id={project}"), &auth)
                .await
                .ok())
            .len(),
            5
        );
        assert!(
            ids(&s
                .get(
                    &format!("/api/v1/time-entries?project_id={}", uuid::Uuid::now_v7()),
                    &auth
                )
                .await
                .ok())
            .is_empty()
        );
        s.get("/api/v1/time-entries?unbilled=maybe", &auth)
            .await
            .invalid_field("unbilled");
    })
    .await;
}
