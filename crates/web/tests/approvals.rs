//! The approval circuit over the API and the UI's form protections, on every backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_app::auth::Actor;
use encaisse_core::role::Role;
use reqwest::Method;
use serde_json::json;
use support::{
    Auth, PASSWORD, Server, add_client, add_user, draft_json, init, on_every_backend, token,
};

#[tokio::test]
async fn approvers_see_what_waits_for_them_and_the_circuit_refuses_self_approval() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        add_user(&s.app, &org, "approver@octet.test", Role::Approver).await;
        add_user(&s.app, &org, "accountant@octet.test", Role::Accountant).await;
        let owner = token(&s.app, support::OWNER, &org).await;
        let approver = token(&s.app, "approver@octet.test", &org).await;
        let accountant = token(&s.app, "accountant@octet.test", &org).await;

        // The owner drafts and submits: the owner may not approve it, the approver may.
        let id = s
            .post("/api/v1/invoices", &owner, draft_json(client))
            .await
            .ok()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            s.post(&format!("/api/v1/invoices/{id}/submit"), &owner, json!({}))
                .await
                .ok()["status"],
            "pending_approval"
        );
        let waiting = s.get("/api/v1/approvals/waiting", &approver).await.ok();
        assert_eq!(waiting.as_array().unwrap().len(), 1);
        assert_eq!(waiting[0]["invoice"]["id"], id.as_str());
        assert_eq!(
            (waiting[0]["level"].as_u64(), waiting[0]["levels"].as_u64()),
            (Some(1), Some(1))
        );
        assert!(
            s.get("/api/v1/approvals/waiting", &owner)
                .await
                .ok()
                .as_array()
                .unwrap()
                .is_empty()
        );
        let p = s
            .post(&format!("/api/v1/invoices/{id}/approve"), &owner, json!({}))
            .await
            .problem(403, "forbidden");
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("you created, edited or submitted"),
            "{p}"
        );
        s.post(
            &format!("/api/v1/invoices/{id}/approve"),
            &accountant,
            json!({}),
        )
        .await
        .problem(403, "forbidden");
        let done = s
            .post(
                &format!("/api/v1/invoices/{id}/approve"),
                &approver,
                json!({ "comment": "ok for me" }),
            )
            .await
            .ok();
        assert_eq!(done["status"], "approved");
        let h = s
            .get(&format!("/api/v1/invoices/{id}/history"), &owner)
            .await
            .ok();
        assert_eq!(
            h.as_array().unwrap().last().unwrap()["after"]["comment"],
            "ok for me"
        );

        // Withdraw, and a blocking rule answers 422 naming the rule.
        s.post(
            &format!("/api/v1/invoices/{id}/withdraw"),
            &owner,
            json!({}),
        )
        .await
        .ok();
        s.db.store
            .execute_raw("UPDATE clients SET requires_purchase_order = TRUE")
            .await
            .unwrap();
        let p = s
            .post(&format!("/api/v1/invoices/{id}/submit"), &owner, json!({}))
            .await
            .problem(422, "invalid-input");
        assert_eq!(p["errors"][0]["field"], "rules.purchase_order", "{p}");
        let after = s.get(&format!("/api/v1/invoices/{id}"), &owner).await.ok();
        assert_eq!(after["status"], "draft");
    })
    .await;
}

#[tokio::test]
async fn every_ui_form_needs_the_session_token_and_pages_need_a_session() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let draft = s
            .app
            .create_draft(
                &Actor::system(org.id, "test"),
                support::draft_request(client),
            )
            .await
            .unwrap();
        s.app
            .submit_invoice(&Actor::system(org.id, "test"), draft.id)
            .await
            .unwrap();
        let nr = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap();
        // No session: redirected to the login page, which carries its own CSRF cookie.
        let r = nr.get(format!("{}/inbox", s.base)).send().await.unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
        assert_eq!(r.headers()["location"], "/login?next=%2Finbox");
        let login = s.get("/login", &Auth::None).await;
        assert!(login.text.contains("name=\"_csrf\""));
        assert!(
            login
                .headers
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap().starts_with("encaisse_login_csrf="))
        );
        // A login form without the matching cookie is refused.
        let r = s
            .raw(
                Method::POST,
                "/login",
                &Auth::None,
                "application/x-www-form-urlencoded",
                format!("email=owner%40octet.test&password={PASSWORD}&_csrf=forged"),
            )
            .await;
        assert_eq!(r.status, 403);

        let (_, session) = s.login(support::OWNER, PASSWORD).await;
        let session = session.unwrap();
        let Auth::Session {
            csrf: Some(csrf), ..
        } = &session
        else {
            panic!()
        };
        let page = s
            .get(&format!("/invoices/{}", draft.id), &session.without_csrf())
            .await;
        assert_eq!(page.status, 200);
        assert!(
            page.text.contains(csrf.as_str()),
            "forms carry the session's token"
        );
        // The same form without the token, or with another one, changes nothing.
        for body in [String::new(), "_csrf=nope".to_owned()] {
            let r = s
                .raw(
                    Method::POST,
                    &format!("/invoices/{}/approve", draft.id),
                    &session.without_csrf(),
                    "application/x-www-form-urlencoded",
                    body,
                )
                .await;
            assert_eq!(r.status, 403);
        }
        let Auth::Session { cookie, .. } = &session else {
            panic!()
        };
        let r = nr
            .post(format!("{}/invoices/{}/approve", s.base, draft.id))
            .header("cookie", format!("encaisse_session={cookie}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_csrf={csrf}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let inv = s
            .app
            .invoice_detail(&Actor::system(org.id, "test"), draft.id)
            .await
            .unwrap()
            .invoice;
        assert_eq!(inv.status, encaisse_core::invoice::InvoiceStatus::Approved);
        // Unknown pages: HTML for browsers, problem+json for the API.
        let html = s
            .http
            .get(format!("{}/nowhere", s.base))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(html.status(), 404);
        assert!(
            html.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        s.get("/api/v1/nowhere", &Auth::None)
            .await
            .problem(404, "not-found");
    })
    .await;
}
