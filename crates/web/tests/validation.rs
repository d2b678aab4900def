//! Bad input is answered 400 or 422 naming the field, never 500.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use serde_json::json;
use support::{Server, add_client, draft_json, init, on_every_backend, token};

#[tokio::test]
async fn a_draft_with_bad_input_is_refused_naming_the_field() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let auth = token(&s.app, support::OWNER, &org).await;
        let post = |body: String| {
            s.raw(
                Method::POST,
                "/api/v1/invoices",
                &auth,
                "application/json",
                body,
            )
        };

        let r = post(r#"{"client_id": "#.into()).await;
        let body = r.problem(400, "malformed-json");
        assert_eq!(body["request_id"].as_str(), r.header("x-request-id"));
        post(format!("{} trailing", draft_json(client)))
            .await
            .problem(400, "malformed-json");

        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut b = draft_json(client);
            edit(&mut b);
            b.to_string()
        };
        post(with(&|b| b["colour"] = json!("blue")))
            .await
            .invalid_field("colour");
        post(with(&|b| b["lines"][0]["colour"] = json!("blue")))
            .await
            .invalid_field("lines[0].colour");
        let neg = post(with(&|b| b["lines"][0]["quantity"] = json!("-2")))
            .await
            .invalid_field("lines[0].quantity");
        assert!(
            neg["detail"].as_str().unwrap().contains("credit note"),
            "the detail says what to do: {neg}"
        );
        post(with(&|b| b["currency"] = json!("EURO")))
            .await
            .invalid_field("currency");
        post(with(&|b| b["lines"][0]["vat_category"] = json!("X")))
            .await
            .invalid_field("lines[0].vat_category");
        post(with(&|b| b["lines"][0]["vat_percent"] = json!("20")))
            .await
            .invalid_field("lines[0].vat_category");
        post(with(&|b| b["lines"][0]["quantity"] = json!(true)))
            .await
            .invalid_field("lines[0].quantity");
        post(with(&|b| b["client_id"] = json!(42)))
            .await
            .invalid_field("client_id");
        post(with(&|b| b["lines"] = json!("one line")))
            .await
            .invalid_field("lines");
        post(with(&|b| b["lines"] = json!([])))
            .await
            .invalid_field("lines");
        post(with(&|b| {
            b.as_object_mut().unwrap().remove("client_id");
        }))
        .await
        .invalid_field("client_id");
        post(with(&|b| {
            b["lines"][0].as_object_mut().unwrap().remove("unit_price");
        }))
        .await
        .invalid_field("lines[0].unit_price");
        post(with(&|b| {
            b["service_period"] = json!({ "start": "2026-02-30", "end": "2026-03-01" })
        }))
        .await
        .invalid_field("service_period.start");
        post("[]".into()).await.invalid_field("body");
        post(with(&|b| b["client_id"] = json!(uuid::Uuid::now_v7())))
            .await
            .problem(404, "not-found");

        s.raw(
            Method::POST,
            "/api/v1/invoices",
            &auth,
            "text/plain",
            draft_json(client).to_string(),
        )
        .await
        .problem(415, "unsupported-media-type");
        let huge = format!(r#"{{"notes": "{}"}}"#, "x".repeat(3 * 1024 * 1024));
        s.raw(
            Method::POST,
            "/api/v1/invoices",
            &auth,
            "application/json",
            huge,
        )
        .await
        .problem(413, "payload-too-large");

        // None of it created anything.
        let list = s.get("/api/v1/invoices", &auth).await.ok();
        assert_eq!(list["items"], json!([]));
        // And the valid body passes, numbers accepted as well as strings.
        let ok = post(with(&|b| b["lines"][0]["quantity"] = json!(2.5))).await;
        assert_eq!(ok.status, 201, "{}", ok.text);
        assert_eq!(ok.json()["lines"][0]["quantity"], "2.5");
    })
    .await;
}

#[tokio::test]
async fn actions_and_login_check_their_bodies_too() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let auth = token(&s.app, support::OWNER, &org).await;
        let id = uuid::Uuid::now_v7();
        s.post(
            "/api/v1/auth/login",
            &support::Auth::None,
            json!({ "email": support::OWNER }),
        )
        .await
        .invalid_field("password");
        s.post(
            "/api/v1/auth/login",
            &support::Auth::None,
            json!({ "email": 1, "password": "x" }),
        )
        .await
        .invalid_field("email");
        s.post(
            &format!("/api/v1/invoices/{id}/issue"),
            &auth,
            json!({ "issue_date": "tomorrow" }),
        )
        .await
        .invalid_field("issue_date");
        s.post(
            &format!("/api/v1/invoices/{id}/payments"),
            &auth,
            json!({ "amount": "ten", "currency": "EUR", "received_on": "2026-03-20" }),
        )
        .await
        .invalid_field("amount");
        s.post(
            &format!("/api/v1/invoices/{id}/payments"),
            &auth,
            json!({ "amount": "10", "currency": "EURO", "received_on": "2026-03-20" }),
        )
        .await
        .invalid_field("currency");
        s.post(
            "/api/v1/session/organization",
            &auth,
            json!({ "organization_id": "nope" }),
        )
        .await
        .invalid_field("organization_id");
        s.get("/api/v1/clients?limit=-1", &auth)
            .await
            .invalid_field("limit");
    })
    .await;
}
