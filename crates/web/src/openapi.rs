//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and
//! the `ToSchema` derives of the request and response types. All utoipa code stays in this
//! crate: the app's shared types (`InvoiceListItem`, `ClientView`, `DraftRequest`, …) are
//! described by mirrors in [`mirrors`], and tests check each mirror against the real type.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::problem::{FieldError, ProblemBody};
use crate::routes::{
    approvals, bank, clients, documents, health, invoice_actions, invoices, organizations, session,
    time_billing, time_entries, webhooks,
};
use crate::views;

/// Name of the bearer-token security scheme.
pub const BEARER: &str = "bearer";
/// Name of the session-cookie security scheme.
pub const SESSION_COOKIE: &str = "session_cookie";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "encaisse API",
        description = "Invoice-to-cash: clients, invoices and their approval circuit, payments, time entries.\n\n\
            Authenticate with an API token (`Authorization: Bearer enc_…`, acting in the token's organization) \
            or a session cookie from `POST /api/v1/auth/login` (acting in the session's current organization; \
            send `X-CSRF-Token` on unsafe methods). Objects of other organizations answer 404. \
            Errors are `application/problem+json` with a stable `type` (`urn:encaisse:problem:<slug>`). \
            Money amounts are decimal strings."
    ),
    paths(
        health::healthz,
        health::readyz,
        session::login,
        session::logout,
        session::current,
        session::switch_organization,
        organizations::list,
        clients::list,
        clients::get,
        invoices::list,
        invoices::create,
        invoices::detail,
        invoices::history,
        documents::pdf,
        documents::xml,
        documents::preview,
        documents::qrbill,
        invoice_actions::submit,
        invoice_actions::approve,
        invoice_actions::reject,
        approvals::waiting,
        approvals::withdraw,
        invoice_actions::issue,
        invoice_actions::credit_note,
        invoice_actions::record_payment,
        time_entries::list,
        time_billing::unbilled,
        time_billing::from_time,
        time_billing::edit_lines,
        time_billing::delete_draft,
        webhooks::clockify,
        bank::transactions,
        bank::suggestions,
        bank::confirm,
        bank::reject,
        bank::undo,
        bank::alerts,
    ),
    components(schemas(
        ProblemBody,
        FieldError,
        mirrors::InvoiceListItem,
        mirrors::ClientView,
        mirrors::DraftRequest,
        mirrors::DraftLine,
        mirrors::Period,
        mirrors::InvoiceStatus,
        mirrors::DocumentKind,
        views::InvoicePage,
        views::ClientPage,
        views::TimeEntryPage,
        views::InvoiceDetailView,
        views::DocumentView,
        documents::XmlFormat,
        documents::SlipFormat,
        views::SessionView,
        time_mirrors::DraftRunReport,
        time_mirrors::DraftSummaryRow,
        time_mirrors::BlockedClient,
        time_mirrors::LineEdit,
        time_billing::FromTimeRequest,
        time_billing::EditLinesRequest,
        time_billing::DeletedDraft,
        webhooks::WebhookAccepted,
        bank::BankTransactionView,
        bank::BankTransactionPage,
        bank::AllocationView,
        bank::MatchViewBody,
        bank::MatchList,
        bank::AlertView,
        bank::AlertList,
    )),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session_cookie" = [])),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "session", description = "Logging in and out, switching organization"),
        (name = "organizations"),
        (name = "clients"),
        (name = "invoices"),
        (name = "invoice lifecycle", description = "Approval circuit, issuing, credit notes, payments"),
        (name = "invoice documents", description = "Factur-X PDF, CII and UBL XML stored at issue; draft previews"),
        (name = "time entries"),
        (name = "bank", description = "Bank transactions, reconciliation suggestions and alerts"),
        (name = "webhooks", description = "Inbound events from connected services, authenticated by their own tokens"),
    )
)]
pub struct ApiDoc;

/// The document served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("enc_…")
                    .description(Some(
                        "An API token (`encaisse token create`); acts in the token's organization",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "clockify_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Clockify-Signature",
                "The static token of the Clockify webhook, compared in constant time",
            ))),
        );
        components.add_security_scheme(
            SESSION_COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Set by POST /api/v1/auth/login; unsafe methods also need the X-CSRF-Token header",
            ))),
        );
    }
}

mod time_mirrors;

/// Schemas of types owned by `encaisse-app` and `encaisse-core`, which do not depend on
/// utoipa. Field names and types must follow the real types; the tests below compare them.
pub mod mirrors {
    pub use super::time_mirrors::{BlockedClient, DraftRunReport, DraftSummaryRow, LineEdit};
    use chrono::NaiveDate;
    use serde::Serialize;
    use utoipa::ToSchema;
    use uuid::Uuid;

    /// One invoice in a list (shared with the CLI's JSON output).
    #[derive(Serialize, ToSchema)]
    #[allow(dead_code)]
    pub struct InvoiceListItem {
        pub id: Uuid,
        /// invoice or credit_note.
        pub kind: String,
        /// `null` for drafts.
        pub number: Option<String>,
        pub status: String,
        pub disputed: bool,
        pub client_id: Uuid,
        /// The client's name.
        pub client: String,
        pub currency: String,
        pub issue_date: Option<NaiveDate>,
        pub due_date: Option<NaiveDate>,
        #[schema(example = "1000.00")]
        pub net: String,
        pub vat: String,
        pub gross: String,
        pub paid: String,
        pub outstanding: String,
    }

    /// A client (shared with the CLI's JSON output).
    #[derive(Serialize, ToSchema)]
    #[allow(dead_code)]
    pub struct ClientView {
        pub id: Uuid,
        pub name: String,
        /// ISO 3166-1 alpha-2.
        pub country: String,
        pub postal_code: String,
        pub city: String,
        pub street: Option<String>,
        pub building_number: Option<String>,
        pub email: Option<String>,
        pub language: String,
        pub currency: String,
        pub payment_terms_days: u32,
        pub siren: Option<String>,
        pub siret: Option<String>,
        pub uid: Option<String>,
        pub vat_id: Option<String>,
        pub requires_purchase_order: bool,
    }

    /// A new draft invoice. Unknown fields are refused.
    #[derive(Serialize, ToSchema)]
    #[allow(dead_code)]
    pub struct DraftRequest {
        pub client_id: Uuid,
        /// ISO 4217 code; the client's currency when absent.
        #[schema(example = "EUR")]
        pub currency: Option<String>,
        pub lines: Vec<DraftLine>,
        pub service_period: Option<Period>,
        /// BT-10 buyer reference.
        pub buyer_reference: Option<String>,
        /// BT-13 purchase order.
        pub purchase_order: Option<String>,
        pub notes: Option<String>,
        /// Idempotency key: sending the same key again returns the first draft.
        pub external_ref: Option<String>,
    }

    /// One line of a draft. Decimals may be strings (`"2.5"`) or JSON numbers.
    #[derive(Serialize, ToSchema)]
    #[allow(dead_code)]
    pub struct DraftLine {
        pub description: String,
        /// Not negative.
        #[schema(example = "2.5")]
        pub quantity: String,
        /// UN/ECE rec 20 unit code (HUR hour, DAY, C62 one); C62 when absent.
        pub unit: Option<String>,
        /// Net unit price, at most 4 decimals, not negative.
        #[schema(example = "120.00")]
        pub unit_price: String,
        /// 0 to 100.
        pub discount_percent: Option<String>,
        /// VAT category: S, Z, E, AE, K, G or O.
        #[schema(example = "S")]
        pub vat_category: String,
        #[schema(example = "20")]
        pub vat_percent: String,
        /// Time entries billed by this line.
        #[serde(default)]
        pub time_entry_ids: Vec<Uuid>,
    }

    /// A service period (BG-14).
    #[derive(Serialize, ToSchema)]
    #[allow(dead_code)]
    pub struct Period {
        pub start: NaiveDate,
        pub end: NaiveDate,
    }

    /// Where an invoice is in its life.
    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum InvoiceStatus {
        Draft,
        PendingApproval,
        Rejected,
        Approved,
        Issued,
        Sent,
        PartiallyPaid,
        Paid,
        WrittenOff,
        Cancelled,
    }

    /// Invoice or credit note.
    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum DocumentKind {
        Invoice,
        CreditNote,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::NaiveDate;
    use encaisse_app::invoices::{DraftLine, DraftRequest};
    use encaisse_app::views::{ClientView, InvoiceListItem};
    use encaisse_core::Currency;
    use encaisse_core::invoice::{DocumentKind, InvoiceStatus, Period};
    use rust_decimal::Decimal;
    use serde::Serialize;
    use serde_json::Value;
    use uuid::Uuid;

    use super::*;

    fn doc() -> Value {
        serde_json::to_value(openapi()).unwrap()
    }

    fn schema_properties(doc: &Value, name: &str) -> BTreeSet<String> {
        doc["components"]["schemas"][name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("schema {name} has no properties"))
            .keys()
            .cloned()
            .collect()
    }

    fn keys_of(v: impl Serialize) -> BTreeSet<String> {
        serde_json::to_value(v)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    fn enum_values(doc: &Value, name: &str) -> BTreeSet<String> {
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("schema {name} is not an enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn document_is_openapi_3_1_with_both_security_schemes() {
        let d = doc();
        assert!(d["openapi"].as_str().unwrap().starts_with("3.1"));
        let schemes = d["components"]["securitySchemes"].as_object().unwrap();
        assert_eq!(schemes[BEARER]["scheme"], "bearer");
        assert_eq!(schemes[SESSION_COOKIE]["in"], "cookie");
        assert_eq!(schemes[SESSION_COOKIE]["name"], "encaisse_session");
    }

    #[test]
    fn list_mirrors_follow_the_shared_views() {
        let item = InvoiceListItem {
            id: Uuid::nil(),
            kind: String::new(),
            number: None,
            status: String::new(),
            disputed: false,
            client_id: Uuid::nil(),
            client: String::new(),
            currency: String::new(),
            issue_date: None,
            due_date: None,
            net: String::new(),
            vat: String::new(),
            gross: String::new(),
            paid: String::new(),
            outstanding: String::new(),
        };
        assert_eq!(keys_of(&item), schema_properties(&doc(), "InvoiceListItem"));
        let client = ClientView {
            id: Uuid::nil(),
            name: String::new(),
            country: String::new(),
            postal_code: String::new(),
            city: String::new(),
            street: None,
            building_number: None,
            email: None,
            language: String::new(),
            currency: String::new(),
            payment_terms_days: 30,
            siren: None,
            siret: None,
            uid: None,
            vat_id: None,
            requires_purchase_order: false,
        };
        assert_eq!(keys_of(&client), schema_properties(&doc(), "ClientView"));
    }

    #[test]
    fn draft_mirrors_follow_the_draft_request() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let line = DraftLine {
            description: "x".into(),
            quantity: Decimal::ONE,
            unit: None,
            unit_price: Decimal::ONE,
            discount_percent: None,
            vat_category: "S".into(),
            vat_percent: Decimal::ONE,
            time_entry_ids: vec![],
        };
        let req = DraftRequest {
            client_id: Uuid::nil(),
            currency: Some(Currency::EUR),
            lines: vec![line.clone()],
            service_period: Some(Period {
                start: date,
                end: date,
            }),
            buyer_reference: None,
            purchase_order: None,
            notes: None,
            external_ref: None,
        };
        let d = doc();
        assert_eq!(keys_of(&req), schema_properties(&d, "DraftRequest"));
        assert_eq!(keys_of(&line), schema_properties(&d, "DraftLine"));
        assert_eq!(
            keys_of(Period {
                start: date,
                end: date
            }),
            schema_properties(&d, "Period")
        );
        same_required_fields::<DraftRequest>(
            &d,
            "DraftRequest",
            serde_json::to_value(&req).unwrap(),
        );
        same_required_fields::<DraftLine>(&d, "DraftLine", serde_json::to_value(&line).unwrap());
    }

    /// The real type accepts exactly the mirror's required fields, and refuses each one
    /// missing.
    fn same_required_fields<T: serde::de::DeserializeOwned + std::fmt::Debug>(
        doc: &Value,
        name: &str,
        full: Value,
    ) {
        let required: BTreeSet<String> = doc["components"]["schemas"][name]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let mut minimal = full.as_object().unwrap().clone();
        minimal.retain(|k, _| required.contains(k));
        if let Err(e) = serde_json::from_value::<T>(Value::Object(minimal.clone())) {
            panic!("{name}: the mirror marks optional a field the real type requires: {e}");
        }
        for field in &required {
            let mut without = minimal.clone();
            without.remove(field);
            assert!(
                serde_json::from_value::<T>(Value::Object(without)).is_err(),
                "{name}: the mirror requires `{field}`, the real type does not"
            );
        }
    }

    #[test]
    fn enum_mirrors_follow_the_core_enums() {
        let d = doc();
        let statuses: BTreeSet<String> = InvoiceStatus::ALL
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        assert_eq!(statuses, enum_values(&d, "InvoiceStatus"));
        let kinds: BTreeSet<String> = [DocumentKind::Invoice, DocumentKind::CreditNote]
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect();
        assert_eq!(kinds, enum_values(&d, "DocumentKind"));
    }
}
