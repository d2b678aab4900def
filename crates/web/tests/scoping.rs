//! A caller acts in one organization: the objects of any other answer 404 and never appear.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{
    Auth, Server, add_client, add_draft, add_organization, add_time_entries, init,
    on_every_backend, token,
};

/// Submits and issues an invoice through the API, approved in between by someone else than
/// the submitter (the circuit forbids approving one's own draft); returns its detail.
async fn issue(s: &Server, auth: &Auth, id: &str, org: uuid::Uuid) -> Value {
    for step in ["submit", "approve", "issue"] {
        if step == "approve" {
            let approver = encaisse_app::auth::Actor::system(org, "test-approver");
            s.app
                .approve_invoice(&approver, uuid::Uuid::parse_str(id).unwrap())
                .await
                .unwrap();
            continue;
        }
        s.call(
            Method::POST,
            &format!("/api/v1/invoices/{id}/{step}"),
            auth,
            None,
        )
        .await
        .ok();
    }
    s.get(&format!("/api/v1/invoices/{id}"), auth).await.ok()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_token_of_one_organization_never_sees_another_organizations_objects() {
    on_every_backend(|s: Server| async move {
        let (a, _) = init(&s.app).await;
        let (b, _) = add_organization(&s.app, "Brume SARL", "owner@brume.test").await;
        let client_a = add_client(&s.app, &a, "Client A").await;
        let client_b = add_client(&s.app, &b, "Client B").await;
        let inv_a = add_draft(&s.app, &a, client_a).await.id.to_string();
        let inv_b = add_draft(&s.app, &b, client_b).await.id.to_string();
        add_time_entries(&s.app, &b, client_b, 2).await;
        let token_a = token(&s.app, support::OWNER, &a).await;
        let token_b = token(&s.app, "owner@brume.test", &b).await;

        // Both organizations number from F-2026-00001: the number resolves in the caller's.
        let issued_a = issue(&s, &token_a, &inv_a, a.id).await;
        let issued_b = issue(&s, &token_b, &inv_b, b.id).await;
        assert_eq!(issued_a["number"], "F-2026-00001");
        assert_eq!(issued_b["number"], "F-2026-00001");
        let by_number = s.get("/api/v1/invoices/F-2026-00001", &token_a).await.ok();
        assert_eq!(by_number["id"], inv_a.as_str());

        // B's objects do not exist for A: reads, history, every action.
        for path in [
            format!("/api/v1/invoices/{inv_b}"),
            format!("/api/v1/invoices/{inv_b}/history"),
            format!("/api/v1/clients/{client_b}"),
            "/api/v1/clients/Client%20B".to_owned(),
        ] {
            let body = s
                .get(&path, &token_a)
                .await
                .problem(404, "not-found")
                .to_string();
            // Nothing of B beyond what the request itself said.
            let secrets = [
                "Lyon".to_owned(),
                "Brume".to_owned(),
                b.id.to_string(),
                client_b.to_string(),
            ];
            let leaked = secrets
                .iter()
                .find(|x| body.contains(x.as_str()) && !path.contains(x.as_str()));
            assert!(leaked.is_none(), "{path} leaks {leaked:?}: {body}");
        }
        for (step, body) in [
            ("submit", json!({})),
            ("approve", json!({})),
            ("reject", json!({ "comment": "no" })),
            ("issue", json!({})),
            ("credit-note", json!({ "reason": "void" })),
            (
                "payments",
                json!({ "amount": "10.00", "currency": "EUR", "received_on": "2026-03-20" }),
            ),
        ] {
            s.post(&format!("/api/v1/invoices/{inv_b}/{step}"), &token_a, body)
                .await
                .problem(404, "not-found");
        }
        s.post("/api/v1/invoices", &token_a, support::draft_json(client_b))
            .await
            .problem(404, "not-found");

        // Lists hold A's objects only, whatever the filter.
        assert_eq!(
            ids(&s.get("/api/v1/invoices", &token_a).await.ok()),
            vec![inv_a.clone()]
        );
        assert_eq!(
            ids(&s
                .get(&format!("/api/v1/invoices?client_id={client_b}"), &token_a)
                .await
                .ok()),
            Vec::<String>::new()
        );
        assert_eq!(
            ids(&s.get("/api/v1/clients", &token_a).await.ok()),
            vec![client_a.to_string()]
        );
        assert_eq!(
            ids(&s.get("/api/v1/time-entries", &token_a).await.ok()),
            Vec::<String>::new()
        );
        assert_eq!(
            ids(&s.get("/api/v1/time-entries", &token_b).await.ok()).len(),
            2
        );
        let orgs = s.get("/api/v1/organizations", &token_a).await.ok();
        assert_eq!(orgs.as_array().unwrap().len(), 1);

        // B's invoice did not move.
        let b_after = s
            .get(&format!("/api/v1/invoices/{inv_b}"), &token_b)
            .await
            .ok();
        assert_eq!(b_after["status"], "issued");
        assert_eq!(b_after["paid"], "0.00");
        let history_b = s
            .get(&format!("/api/v1/invoices/{inv_b}/history"), &token_b)
            .await
            .ok();
        assert!(
            history_b
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["actor"] != support::OWNER),
            "{history_b}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_session_acts_in_its_current_organization_only() {
    on_every_backend(|s: Server| async move {
        let (a, _) = init(&s.app).await;
        let (b, _) = add_organization(&s.app, "Brume SARL", "owner@brume.test").await;
        let client_b = add_client(&s.app, &b, "Client B").await;
        let inv_b = add_draft(&s.app, &b, client_b).await.id;
        let (_, session) = s.login(support::OWNER, support::PASSWORD).await;
        let session = session.unwrap();
        s.get(&format!("/api/v1/invoices/{inv_b}"), &session)
            .await
            .problem(404, "not-found");
        s.post(
            &format!("/api/v1/invoices/{inv_b}/submit"),
            &session,
            json!({}),
        )
        .await
        .problem(404, "not-found");
        s.post(
            "/api/v1/session/organization",
            &session,
            json!({ "organization_id": b.id }),
        )
        .await
        .problem(404, "not-found");
        assert_eq!(
            s.get("/api/v1/session", &session).await.ok()["current_organization_id"],
            a.id.to_string()
        );
    })
    .await;
}
