//! Health, readiness, internal errors, the OpenAPI document and the docs page, and the
//! guarantee that every documented endpoint but the public ones needs a caller.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use serde_json::Value;
use support::{Auth, Server, init, on_every_backend, token};

#[tokio::test]
async fn health_is_always_ok_and_readiness_follows_the_database() {
    on_every_backend(|s: Server| async move {
        let r = s.get("/healthz", &Auth::None).await;
        assert_eq!(r.ok()["status"], "ok");
        let r = s.get("/readyz", &Auth::None).await;
        assert_eq!(r.ok()["status"], "ready");
        assert!(r.header("x-request-id").is_some_and(|id| !id.is_empty()));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));

        s.db.store.close().await;
        let r = s.get("/readyz", &Auth::None).await;
        r.problem(503, "unavailable");
        assert_eq!(s.get("/healthz", &Auth::None).await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn internal_failures_answer_a_generic_500_with_the_request_id() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let auth = token(&s.app, support::OWNER, &org).await;
        s.db.store.close().await;
        let r = s.get("/api/v1/invoices", &auth).await;
        let body = r.problem(500, "internal");
        let id = r.header("x-request-id").unwrap().to_owned();
        assert_eq!(body["request_id"], id.as_str());
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(&id), "{detail}");
        assert!(
            !detail.to_lowercase().contains("pool") && !detail.contains("sql"),
            "leaks the cause: {detail}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_request_id_sent_by_the_client_is_kept() {
    on_every_backend(|s: Server| async move {
        let r = s
            .http
            .get(format!("{}/api/v1/invoices", s.base))
            .header("x-request-id", "trace-42")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["x-request-id"], "trace-42");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["request_id"], "trace-42");
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_describes_the_invoice_endpoints() {
    on_every_backend(|s: Server| async move {
        let r = s.get("/api/openapi.json", &Auth::None).await;
        let doc = r.ok();
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1"),
            "{}",
            doc["openapi"]
        );
        let paths = doc["paths"].as_object().unwrap();
        for p in [
            "/api/v1/invoices",
            "/api/v1/invoices/{id}",
            "/api/v1/invoices/{id}/history",
            "/api/v1/invoices/{id}/approve",
            "/api/v1/invoices/{id}/issue",
            "/api/v1/invoices/{id}/payments",
            "/api/v1/auth/login",
            "/api/v1/clients/{id}",
            "/api/v1/time-entries",
        ] {
            assert!(paths.contains_key(p), "{p} is not documented");
        }
        assert!(paths["/api/v1/invoices"]["post"]["requestBody"].is_object());
        let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
        assert!(schemes.contains_key("bearer") && schemes.contains_key("session_cookie"));
    })
    .await;
}

#[tokio::test]
async fn the_docs_page_is_served_without_any_download() {
    on_every_backend(|s: Server| async move {
        let r = s.get("/docs", &Auth::None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.text.contains("swagger-ui"), "{}", r.text);
        assert!(
            !r.text.contains("cdn.") && !r.text.contains("unpkg"),
            "the page loads assets from the internet"
        );
        let init = s.get("/docs/swagger-initializer.js", &Auth::None).await;
        assert_eq!(init.status, 200);
        assert!(init.text.contains("/api/openapi.json"), "{}", init.text);
        let bundle = s.get("/docs/swagger-ui-bundle.js", &Auth::None).await;
        assert_eq!(bundle.status, 200);
        assert!(
            bundle.text.len() > 100_000,
            "the vendored bundle is missing"
        );
    })
    .await;
}

/// Every operation of the OpenAPI document exists, and all but the public ones answer 401
/// without credentials (so no handler was wired outside the authentication layer).
#[tokio::test]
async fn every_documented_endpoint_needs_a_caller_except_the_public_ones() {
    on_every_backend(|s: Server| async move {
        let doc = s.get("/api/openapi.json", &Auth::None).await.ok();
        let mut public = Vec::new();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let url = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
                let open = op["security"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
                });
                let r = s
                    .call(
                        method.clone(),
                        &url,
                        &Auth::None,
                        Some(serde_json::json!({})),
                    )
                    .await;
                if open {
                    public.push(format!("{method} {path}"));
                    assert_ne!(r.status, 401, "{method} {path} is documented as public");
                    assert_ne!(r.status, 404, "{method} {path} does not exist");
                } else {
                    r.problem(401, "unauthenticated");
                    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
                }
                checked += 1;
            }
        }
        public.sort();
        assert_eq!(
            public,
            ["GET /healthz", "GET /readyz", "POST /api/v1/auth/login"]
        );
        assert!(checked >= 20, "only {checked} operations documented");
    })
    .await;
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    on_every_backend(|s: Server| async move {
        s.get("/api/v1/nothing-here", &Auth::None)
            .await
            .problem(404, "not-found");
        s.get("/nothing", &Auth::None)
            .await
            .problem(404, "not-found");
        s.call(Method::DELETE, "/healthz", &Auth::None, None)
            .await
            .problem(405, "method-not-allowed");
        s.call(Method::DELETE, "/api/v1/invoices", &Auth::None, None)
            .await
            .problem(405, "method-not-allowed");
    })
    .await;
}
