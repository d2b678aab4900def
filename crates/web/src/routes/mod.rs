//! The endpoints, one file per resource. Handlers are thin: parse the request, call one use
//! case of `encaisse_app::App`, render the result.

pub mod approvals;
pub mod bank;
pub mod clients;
pub mod documents;
pub mod health;
pub mod invoice_actions;
pub mod invoices;
pub mod organizations;
pub mod session;
pub mod time_billing;
pub mod time_entries;
pub mod webhooks;

use axum::Router;
use axum::routing::{get, patch, post};

use crate::AppState;

/// Endpoints anyone may call (besides health and docs, mounted at the root).
pub fn public() -> Router<AppState> {
    Router::new().route("/auth/login", post(session::login))
}

/// Endpoints that need a caller; the caller is required by a layer on this whole router, so
/// no handler can forget it.
pub fn authenticated() -> Router<AppState> {
    Router::new()
        .route("/auth/logout", post(session::logout))
        .route("/session", get(session::current))
        .route("/session/organization", post(session::switch_organization))
        .route("/organizations", get(organizations::list))
        .route("/clients", get(clients::list))
        .route("/clients/{id}", get(clients::get))
        .route("/invoices", get(invoices::list).post(invoices::create))
        .route(
            "/invoices/{id}",
            get(invoices::detail).delete(time_billing::delete_draft),
        )
        .route("/invoices/from-time", post(time_billing::from_time))
        .route("/invoices/{id}/lines", patch(time_billing::edit_lines))
        .route("/invoices/{id}/history", get(invoices::history))
        .route("/invoices/{id}/pdf", get(documents::pdf))
        .route("/invoices/{id}/xml", get(documents::xml))
        .route("/invoices/{id}/preview.pdf", get(documents::preview))
        .route("/invoices/{id}/qrbill", get(documents::qrbill))
        .route("/invoices/{id}/submit", post(invoice_actions::submit))
        .route("/invoices/{id}/approve", post(invoice_actions::approve))
        .route("/invoices/{id}/reject", post(invoice_actions::reject))
        .route("/invoices/{id}/withdraw", post(approvals::withdraw))
        .route("/approvals/waiting", get(approvals::waiting))
        .route("/invoices/{id}/issue", post(invoice_actions::issue))
        .route(
            "/invoices/{id}/credit-note",
            post(invoice_actions::credit_note),
        )
        .route(
            "/invoices/{id}/payments",
            post(invoice_actions::record_payment),
        )
        .route("/time-entries", get(time_entries::list))
        .route("/unbilled-time", get(time_billing::unbilled))
        .route("/bank/transactions", get(bank::transactions))
        .route("/reconciliation/suggestions", get(bank::suggestions))
        .route(
            "/reconciliation/suggestions/{id}/confirm",
            post(bank::confirm),
        )
        .route(
            "/reconciliation/suggestions/{id}/reject",
            post(bank::reject),
        )
        .route("/reconciliation/allocations/{id}/undo", post(bank::undo))
        .route("/alerts", get(bank::alerts))
}
