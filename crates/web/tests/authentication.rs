//! Logging in, sessions and their cookie, CSRF, the failed-login limiter, API tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_app::config::Config;
use encaisse_core::role::Role;
use reqwest::Method;
use serde_json::json;
use support::{
    Auth, OWNER, PASSWORD, Server, add_client, add_user, draft_json, init, on_every_backend,
    on_every_backend_with, token,
};

#[tokio::test]
async fn login_sets_a_protective_cookie_and_the_session_reads_invoices() {
    on_every_backend(|s: Server| async move {
        let (org, owner) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let draft = support::add_draft(&s.app, &org, client).await;

        let (r, session) = s.login(OWNER, PASSWORD).await;
        let body = r.ok();
        let cookie = r.header("set-cookie").unwrap().to_owned();
        for attr in ["encaisse_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attr), "{cookie} lacks {attr}");
        }
        assert!(
            !cookie.contains("Secure"),
            "no https public URL, yet {cookie}"
        );
        assert_eq!(body["user"]["email"], OWNER);
        assert_eq!(body["user"]["id"], owner.id.to_string());
        assert_eq!(body["organizations"][0]["id"], org.id.to_string());
        assert_eq!(body["organizations"][0]["role"], "owner");
        assert_eq!(body["organizations"][0]["current"], true);
        assert_eq!(body["current_organization_id"], org.id.to_string());
        assert!(body["csrf_token"].as_str().unwrap().len() >= 32);

        let session = session.unwrap();
        let r = s.get("/api/v1/invoices", &session).await;
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let list = r.ok();
        assert_eq!(list["items"][0]["id"], draft.id.to_string());
        assert_eq!(list["items"][0]["gross"], "1600.00");
        assert_eq!(
            s.get("/api/v1/session", &session).await.ok()["csrf_token"],
            body["csrf_token"]
        );

        // Logging out ends the session for good.
        let out = s
            .call(Method::POST, "/api/v1/auth/logout", &session, None)
            .await;
        assert_eq!(out.status, 204, "{}", out.text);
        assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
        s.get("/api/v1/invoices", &session)
            .await
            .problem(401, "unauthenticated");
    })
    .await;
}

#[tokio::test]
async fn the_cookie_is_secure_behind_an_https_public_url() {
    let config = || {
        let mut c = Config::default();
        c.server.public_url = Some("https://encaisse.example.com".into());
        c
    };
    on_every_backend_with(config, |s: Server| async move {
        init(&s.app).await;
        let (r, _) = s.login(OWNER, PASSWORD).await;
        r.ok();
        assert!(r.header("set-cookie").unwrap().contains("; Secure"));
    })
    .await;
}

#[tokio::test]
async fn an_html_form_can_log_in() {
    on_every_backend(|s: Server| async move {
        init(&s.app).await;
        let body = format!(
            "email={}&password={}",
            "owner%40octet.test", "correct+horse+battery"
        );
        let r = s
            .raw(
                Method::POST,
                "/api/v1/auth/login",
                &Auth::None,
                "application/x-www-form-urlencoded",
                body,
            )
            .await;
        assert_eq!(r.ok()["user"]["email"], OWNER);
        let cross = s
            .http
            .post(format!("{}/api/v1/auth/login", s.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body("email=owner%40octet.test&password=correct+horse+battery")
            .send()
            .await
            .unwrap();
        assert_eq!(
            cross.status(),
            403,
            "a cross-site form must not log the browser in"
        );
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_is_401_and_repeated_failures_are_rate_limited() {
    on_every_backend(|s: Server| async move {
        init(&s.app).await;
        let (r, auth) = s.login(OWNER, "wrong password!").await;
        let body = r.problem(401, "unauthenticated");
        assert!(auth.is_none() && r.header("set-cookie").is_none());
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("wrong e-mail or password")
        );
        let (unknown, _) = s.login("nobody@octet.test", "wrong password!").await;
        assert_eq!(
            unknown.json()["detail"],
            body["detail"],
            "unknown users must look like wrong passwords"
        );

        for _ in 1..10 {
            s.login(OWNER, "wrong password!")
                .await
                .0
                .problem(401, "unauthenticated");
        }
        let (r, _) = s.login(OWNER, "wrong password!").await;
        r.problem(429, "rate-limited");
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry), "Retry-After {retry}");
        // Even the right password waits, and the limit is per e-mail: another account still
        // gets an answer on its merits.
        s.login(OWNER, PASSWORD)
            .await
            .0
            .problem(429, "rate-limited");
        s.login("other@octet.test", "wrong password!")
            .await
            .0
            .problem(401, "unauthenticated");
    })
    .await;
}

#[tokio::test]
async fn a_successful_login_forgives_earlier_failures() {
    on_every_backend(|s: Server| async move {
        init(&s.app).await;
        for _ in 0..9 {
            s.login(OWNER, "wrong password!")
                .await
                .0
                .problem(401, "unauthenticated");
        }
        s.login(OWNER, PASSWORD).await.0.ok();
        for _ in 0..9 {
            s.login(OWNER, "wrong password!")
                .await
                .0
                .problem(401, "unauthenticated");
        }
        s.login(OWNER, PASSWORD).await.0.ok();
    })
    .await;
}

#[tokio::test]
async fn cookie_writes_need_the_csrf_token_and_bearer_writes_do_not() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let (_, session) = s.login(OWNER, PASSWORD).await;
        let session = session.unwrap();

        let r = s
            .post(
                "/api/v1/invoices",
                &session.without_csrf(),
                draft_json(client),
            )
            .await;
        let body = r.problem(403, "forbidden");
        assert!(body["detail"].as_str().unwrap().contains("X-CSRF-Token"));
        let Auth::Session { cookie, .. } = &session else {
            unreachable!()
        };
        let forged = Auth::Session {
            cookie: cookie.clone(),
            csrf: Some("not-the-token".into()),
        };
        s.post("/api/v1/invoices", &forged, draft_json(client))
            .await
            .problem(403, "forbidden");
        s.call(
            Method::POST,
            "/api/v1/auth/logout",
            &session.without_csrf(),
            None,
        )
        .await
        .problem(403, "forbidden");
        // Nothing was created by the refused requests.
        assert_eq!(
            s.get("/api/v1/invoices", &session.without_csrf())
                .await
                .ok()["items"],
            json!([])
        );

        assert_eq!(
            s.post("/api/v1/invoices", &session, draft_json(client))
                .await
                .status,
            201
        );
        let bearer = token(&s.app, OWNER, &org).await;
        assert_eq!(
            s.post("/api/v1/invoices", &bearer, draft_json(client))
                .await
                .status,
            201
        );
        assert_eq!(
            s.get("/api/v1/invoices", &bearer).await.ok()["items"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn an_api_token_acts_in_its_organization_and_a_bad_one_is_refused() {
    on_every_backend(|s: Server| async move {
        let (org, owner) = init(&s.app).await;
        let bearer = token(&s.app, OWNER, &org).await;
        let orgs = s.get("/api/v1/organizations", &bearer).await.ok();
        assert_eq!(orgs.as_array().unwrap().len(), 1);
        assert_eq!(orgs[0]["slug"], org.slug.as_str());
        assert_eq!(orgs[0]["role"], "owner");
        let me = s.get("/api/v1/session", &bearer).await.ok();
        assert_eq!(me["user"]["id"], owner.id.to_string());
        assert!(me["csrf_token"].is_null());
        s.post(
            "/api/v1/session/organization",
            &bearer,
            json!({ "organization_id": org.id }),
        )
        .await
        .problem(403, "forbidden");

        s.get("/api/v1/invoices", &Auth::Bearer("enc_forged".into()))
            .await
            .problem(401, "unauthenticated");
        s.get("/api/v1/invoices", &Auth::None)
            .await
            .problem(401, "unauthenticated");
        let basic = s
            .http
            .get(format!("{}/api/v1/invoices", s.base))
            .header("authorization", "Basic b3duZXI6cHc=")
            .send()
            .await
            .unwrap();
        assert_eq!(basic.status(), 401);
        s.get(
            "/api/v1/invoices",
            &Auth::Session {
                cookie: "forged".into(),
                csrf: None,
            },
        )
        .await
        .problem(401, "unauthenticated");
    })
    .await;
}

#[tokio::test]
async fn a_session_switches_only_to_organizations_of_its_user() {
    on_every_backend(|s: Server| async move {
        let (a, _) = init(&s.app).await;
        let (b, _) = support::add_organization(&s.app, "Brume SARL", "owner@brume.test").await;
        let (c, _) = support::add_organization(&s.app, "Cime SA", "owner@cime.test").await;
        let accountant = add_user(&s.app, &a, "compta@octet.test", Role::Accountant).await;
        support::add_membership(&s.app, &b, &accountant, Role::Viewer).await;
        let client_b = add_client(&s.app, &b, "Client de Brume").await;

        let (r, session) = s.login("compta@octet.test", PASSWORD).await;
        let session = session.unwrap();
        let orgs = r.ok()["organizations"].as_array().unwrap().clone();
        assert_eq!(orgs.len(), 2);
        assert_eq!(
            s.get("/api/v1/clients", &session).await.ok()["items"],
            json!([])
        );

        let switched = s
            .post(
                "/api/v1/session/organization",
                &session,
                json!({ "organization_id": b.id }),
            )
            .await
            .ok();
        assert_eq!(switched["current_organization_id"], b.id.to_string());
        let clients = s.get("/api/v1/clients", &session).await.ok();
        assert_eq!(clients["items"][0]["id"], client_b.to_string());
        // A viewer there: reads, but may not write.
        s.post("/api/v1/invoices", &session, draft_json(client_b))
            .await
            .problem(403, "forbidden");

        s.post(
            "/api/v1/session/organization",
            &session,
            json!({ "organization_id": c.id }),
        )
        .await
        .problem(404, "not-found");
        let still = s.get("/api/v1/session", &session).await.ok();
        assert_eq!(still["current_organization_id"], b.id.to_string());

        // A token of the same user, made in A, reveals neither B nor B's data.
        let token_a = token(&s.app, "compta@octet.test", &a).await;
        let orgs = s.get("/api/v1/organizations", &token_a).await.ok();
        let slugs: Vec<&str> = orgs
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["slug"].as_str().unwrap())
            .collect();
        assert_eq!(slugs, [a.slug.as_str()]);
        assert_eq!(
            s.get("/api/v1/session", &token_a).await.ok()["organizations"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        s.get(&format!("/api/v1/clients/{client_b}"), &token_a)
            .await
            .problem(404, "not-found");
    })
    .await;
}
