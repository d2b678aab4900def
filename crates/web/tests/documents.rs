//! The documents of invoices through the API: the issued PDF and XML served byte-identical
//! with their content types and file names, 409 for drafts, the draft preview, scoping, and
//! the OpenAPI description.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_core::role::Role;
use reqwest::Method;
use serde_json::json;
use support::{
    Auth, Server, add_client, add_organization, add_user, draft_json, init, on_every_backend, token,
};

/// GET with raw bytes.
async fn bytes(s: &Server, path: &str, auth: &Auth) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let Auth::Bearer(t) = auth else {
        unreachable!("tokens only here")
    };
    let r = s
        .http
        .get(format!("{}{path}", s.base))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

fn header<'h>(h: &'h reqwest::header::HeaderMap, name: &str) -> &'h str {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn issued_documents_are_served_as_issued_and_drafts_get_a_preview() {
    on_every_backend(|s: Server| async move {
        let (org, _) = init(&s.app).await;
        let client = add_client(&s.app, &org, "Atelier Lumière").await;
        let auth = token(&s.app, support::OWNER, &org).await;
        // A purchase order, so that Peppol BIS 3 (UBL) can be written too.
        let mut body = draft_json(client);
        body["purchase_order"] = json!("PO-4711");
        let draft = s.post("/api/v1/invoices", &auth, body).await.ok();
        let id = draft["id"].as_str().unwrap().to_owned();

        // A draft: no legal document (409), but a preview that consumes nothing.
        s.get(&format!("/api/v1/invoices/{id}/pdf"), &auth)
            .await
            .problem(409, "conflict");
        s.get(&format!("/api/v1/invoices/{id}/xml"), &auth)
            .await
            .problem(409, "conflict");
        let (status, h, preview) = bytes(&s, &format!("/api/v1/invoices/{id}/preview.pdf"), &auth).await;
        assert_eq!(status, 200);
        assert_eq!(header(&h, "content-type"), "application/pdf");
        assert!(header(&h, "content-disposition").starts_with("inline"));
        assert!(preview.starts_with(b"%PDF-"));

        s.call(Method::POST, &format!("/api/v1/invoices/{id}/submit"), &auth, None).await.ok();
        add_user(&s.app, &org, "approver@octet.test", Role::Approver).await;
        let approver = token(&s.app, "approver@octet.test", &org).await;
        s.call(Method::POST, &format!("/api/v1/invoices/{id}/approve"), &approver, None).await.ok();
        let issued = s.post(&format!("/api/v1/invoices/{id}/issue"), &auth, json!({})).await.ok();
        assert_eq!(issued["number"], "F-2026-00001");
        let docs = issued["documents"].as_array().unwrap();
        let sha_of = |kind: &str| {
            docs.iter().find(|d| d["kind"] == kind).unwrap()["sha256"]
                .as_str()
                .unwrap()
                .to_owned()
        };

        let (status, h, pdf) = bytes(&s, &format!("/api/v1/invoices/{id}/pdf"), &auth).await;
        assert_eq!(status, 200);
        assert_eq!(header(&h, "content-type"), "application/pdf");
        assert_eq!(header(&h, "content-disposition"), "inline; filename=\"F-2026-00001.pdf\"");
        assert_eq!(header(&h, "x-content-sha256"), sha_of("facturx_pdf"));
        assert!(pdf.starts_with(b"%PDF-"));
        // By number too, and the same bytes every time.
        let (_, _, again) = bytes(&s, "/api/v1/invoices/F-2026-00001/pdf", &auth).await;
        assert_eq!(again, pdf);

        let (status, h, cii) = bytes(&s, &format!("/api/v1/invoices/{id}/xml"), &auth).await;
        assert_eq!(status, 200);
        assert_eq!(header(&h, "content-type"), "application/xml");
        assert_eq!(header(&h, "content-disposition"), "attachment; filename=\"F-2026-00001.cii.xml\"");
        assert!(String::from_utf8(cii).unwrap().contains("CrossIndustryInvoice"));
        let (status, h, ubl) = bytes(&s, &format!("/api/v1/invoices/{id}/xml?format=ubl"), &auth).await;
        assert_eq!(status, 200);
        assert_eq!(header(&h, "x-content-sha256"), sha_of("ubl_xml"));
        assert!(String::from_utf8(ubl).unwrap().contains("<Invoice"));
        s.get(&format!("/api/v1/invoices/{id}/xml?format=pdf"), &auth)
            .await
            .invalid_field("format");
        s.get(&format!("/api/v1/invoices/{id}/preview.pdf"), &auth)
            .await
            .problem(409, "conflict");
        // A French EUR invoice carries no QR-bill.
        s.get(&format!("/api/v1/invoices/{id}/qrbill"), &auth)
            .await
            .problem(409, "conflict");

        // Another organization sees nothing; nobody unauthenticated either.
        let (other, _) = add_organization(&s.app, "Autre SARL", "other@autre.test").await;
        let stranger = token(&s.app, "other@autre.test", &other).await;
        s.get(&format!("/api/v1/invoices/{id}/pdf"), &stranger)
            .await
            .problem(404, "not-found");
        s.get(&format!("/api/v1/invoices/{id}/preview.pdf"), &stranger)
            .await
            .problem(404, "not-found");
        s.get(&format!("/api/v1/invoices/{id}/pdf"), &Auth::None)
            .await
            .problem(401, "unauthenticated");

        let doc = s.get("/api/openapi.json", &Auth::None).await.ok();
        for path in [
            "/api/v1/invoices/{id}/pdf",
            "/api/v1/invoices/{id}/xml",
            "/api/v1/invoices/{id}/preview.pdf",
            "/api/v1/invoices/{id}/qrbill",
        ] {
            assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
        }
        assert!(
            doc["paths"]["/api/v1/invoices/{id}/pdf"]["get"]["responses"]["200"]["content"]["application/pdf"]
                .is_object()
        );
    })
    .await;
}
