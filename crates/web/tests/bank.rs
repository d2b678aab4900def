//! Bank transactions, reconciliation suggestions and alerts over HTTP: authenticated,
//! scoped to the caller's organization, problem+json errors, in the OpenAPI document; and the
//! bank page with its CSRF-protected confirm and reject forms.

// Amounts in minor units are written euros_cents (`1_200_00` is 1200.00), as accountants read them.
#![allow(clippy::inconsistent_digit_grouping)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::NaiveDate;
use encaisse_app::auth::Actor;
use encaisse_bank::camt_writer::{CamtEntry, camt053};
use encaisse_core::{Currency, Money};
use reqwest::Method;
use serde_json::json;
use support::{Auth, PASSWORD, Server, add_organization, init, on_every_backend, token};

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

/// Two open receivables and a statement: one payment naming invoice A-1 (applied), one of
/// B-2's amount from an unknown payer (a suggestion), one debit.
async fn seed(s: &Server, org: uuid::Uuid) {
    let actor = Actor::system(org, "test");
    let csv = "number,client_name,client_iban,currency,gross_amount,paid_amount,issue_date,due_date,payment_reference\n\
               A-1,Alpha SARL,,EUR,1000.00,,2026-01-10,2026-02-09,\n\
               B-2,Beta SAS,,EUR,640.00,,2026-01-20,2026-02-19,\n";
    s.app
        .import_receivables(&actor, "open.csv", csv.as_bytes())
        .await
        .unwrap();
    let d = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let xml = camt053(
        "S1",
        "FR7630006000011234567890189",
        Currency::EUR,
        eur(100_00),
        &[
            CamtEntry::credit("R1", d, eur(1_000_00))
                .from("ALPHA SARL", None)
                .text("Facture A-1"),
            CamtEntry::credit("R2", d, eur(640_00))
                .from("Jean Inconnu", None)
                .text("virement"),
            CamtEntry::debit("R3", d, eur(20_00)).from("Banque", None),
        ],
    );
    s.app
        .import_bank_file(&actor, "s1.xml", xml.as_bytes(), None, &|_| {})
        .await
        .unwrap();
    let run = s.app.reconcile(&actor, false).await.unwrap();
    assert_eq!((run.applied, run.suggested), (1, 1), "{:?}", run.rows);
}

#[tokio::test]
async fn reconciliation_endpoints_are_authenticated_scoped_and_documented() {
    on_every_backend(|s: Server| async move {
        let (a, _) = init(&s.app).await;
        let (b, _) = add_organization(&s.app, "Brume SARL", "owner@brume.test").await;
        seed(&s, a.id).await;
        let token_a = token(&s.app, support::OWNER, &a).await;
        let token_b = token(&s.app, "owner@brume.test", &b).await;

        s.get("/api/v1/bank/transactions", &Auth::None)
            .await
            .problem(401, "unauthenticated");
        let page = s.get("/api/v1/bank/transactions", &token_a).await.ok();
        assert_eq!(page["items"].as_array().unwrap().len(), 3, "{page}");
        let page = s
            .get("/api/v1/bank/transactions?reconciliation=matched", &token_a)
            .await
            .ok();
        assert_eq!(page["items"][0]["bank_reference"], "R1", "{page}");
        s.get("/api/v1/bank/transactions?reconciliation=maybe", &token_a)
            .await
            .invalid_field("reconciliation");
        let none = s.get("/api/v1/bank/transactions", &token_b).await.ok();
        assert!(none["items"].as_array().unwrap().is_empty(), "{none}");

        let list = s
            .get("/api/v1/reconciliation/suggestions", &token_a)
            .await
            .ok();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{list}");
        assert_eq!(items[0]["allocations"][0]["invoice_number"], "B-2");
        assert!(
            items[0]["explanation"].as_str().unwrap().contains("amount"),
            "{list}"
        );
        let id = items[0]["id"].as_str().unwrap().to_owned();
        assert!(
            s.get("/api/v1/reconciliation/suggestions", &token_b)
                .await
                .ok()["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        // Another organization's suggestion is not found; a bad id is not found either.
        let confirm = format!("/api/v1/reconciliation/suggestions/{id}/confirm");
        s.call(Method::POST, &confirm, &token_b, None)
            .await
            .problem(404, "not-found");
        s.call(
            Method::POST,
            "/api/v1/reconciliation/suggestions/nope/confirm",
            &token_a,
            None,
        )
        .await
        .problem(404, "not-found");
        let done = s.call(Method::POST, &confirm, &token_a, None).await.ok();
        assert_eq!(done["status"], "applied", "{done}");
        s.call(Method::POST, &confirm, &token_a, None)
            .await
            .problem(409, "conflict");
        let reject = format!("/api/v1/reconciliation/suggestions/{id}/reject");
        s.call(Method::POST, &reject, &token_a, None)
            .await
            .problem(409, "conflict");

        // Undo restores the invoice.
        let undo = format!("/api/v1/reconciliation/allocations/{id}/undo");
        s.call(Method::POST, &undo, &token_b, None)
            .await
            .problem(404, "not-found");
        let undone = s.call(Method::POST, &undo, &token_a, None).await.ok();
        assert_eq!(undone["status"], "undone", "{undone}");
        let inv = s.get("/api/v1/invoices/B-2", &token_a).await.ok();
        assert_eq!(inv["status"], "issued", "{inv}");

        // Alerts.
        s.app
            .compute_alerts(
                &Actor::system(a.id, "test"),
                NaiveDate::from_ymd_opt(2026, 3, 25).unwrap(),
            )
            .await
            .unwrap();
        let alerts = s.get("/api/v1/alerts", &token_a).await.ok();
        let kinds: Vec<&str> = alerts["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"overdue_30") && kinds.contains(&"cash_position"),
            "{alerts}"
        );
        assert!(
            s.get("/api/v1/alerts", &token_b).await.ok()["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        s.get("/api/v1/alerts", &Auth::None)
            .await
            .problem(401, "unauthenticated");

        let doc = s.get("/api/openapi.json", &Auth::None).await.ok();
        for path in [
            "/api/v1/bank/transactions",
            "/api/v1/reconciliation/suggestions",
            "/api/v1/reconciliation/suggestions/{id}/confirm",
            "/api/v1/reconciliation/suggestions/{id}/reject",
            "/api/v1/reconciliation/allocations/{id}/undo",
            "/api/v1/alerts",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} is documented");
        }
        let _ = json!({});
    })
    .await;
}

#[tokio::test]
async fn the_bank_page_lists_suggestions_and_its_forms_need_the_csrf_token() {
    on_every_backend(|s: Server| async move {
        let (a, _) = init(&s.app).await;
        seed(&s, a.id).await;
        let (_, session) = s.login(support::OWNER, PASSWORD).await;
        let session = session.unwrap();
        let Auth::Session {
            cookie,
            csrf: Some(csrf),
        } = &session
        else {
            panic!()
        };
        let page = s.get("/bank", &session.without_csrf()).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(
            page.text.contains("Jean Inconnu") && page.text.contains("B-2"),
            "{}",
            page.text
        );
        assert!(page.text.contains(csrf.as_str()), "forms carry the token");
        let suggestion = s
            .app
            .reconciliation_suggestions(&Actor::system(a.id, "t"), 10)
            .await
            .unwrap();
        let path = format!("/bank/suggestions/{}/reject", suggestion[0].id);
        let r = s
            .raw(
                Method::POST,
                &path,
                &session.without_csrf(),
                "application/x-www-form-urlencoded",
                "_csrf=nope",
            )
            .await;
        assert_eq!(r.status, 403);
        let nr = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap();
        let r = nr
            .post(format!("{}{path}", s.base))
            .header("cookie", format!("encaisse_session={cookie}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_csrf={csrf}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert!(
            s.app
                .reconciliation_suggestions(&Actor::system(a.id, "t"), 10)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}
