//! Invoices of the current organization: list, detail, history, new drafts.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use encaisse_app::auth::Actor;
use encaisse_app::invoices::DraftRequest;
use encaisse_app::views::InvoiceListItem;
use encaisse_core::Currency;
use encaisse_core::invoice::{DocumentKind, InvoiceStatus};
use encaisse_store::invoices::InvoiceFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::mirrors;
use crate::page;
use crate::problem::{Problem, ProblemBody};
use crate::views::{AuditEventView, InvoiceDetailView, InvoicePage};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvoiceQuery {
    #[param(value_type = Option<mirrors::InvoiceStatus>)]
    pub status: Option<InvoiceStatus>,
    #[param(value_type = Option<mirrors::DocumentKind>)]
    pub kind: Option<DocumentKind>,
    pub client_id: Option<Uuid>,
    /// ISO 4217 code.
    #[param(value_type = Option<String>, example = "EUR")]
    pub currency: Option<Currency>,
    /// Issued on or after this day.
    pub issued_from: Option<NaiveDate>,
    /// Issued on or before this day.
    pub issued_to: Option<NaiveDate>,
    /// Only open invoices due before this day.
    pub overdue_on: Option<NaiveDate>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Invoices and credit notes, newest first, one page at a time.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "invoices", params(InvoiceQuery),
    responses(
        (status = 200, description = "A page of invoices", body = InvoicePage),
        (status = 422, description = "Invalid parameter", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<InvoiceQuery>,
) -> Result<Json<InvoicePage>, Problem> {
    let limit = page::limit(q.limit)?;
    let filter = InvoiceFilter {
        status: q.status,
        kind: q.kind,
        client_id: q.client_id,
        currency: q.currency,
        issued_from: q.issued_from,
        issued_to: q.issued_to,
        overdue_on: q.overdue_on,
        limit: i64::from(limit) + 1,
        before_id: page::cursor(q.cursor.as_deref())?,
    };
    let mut rows = state.app.list_invoices(caller.actor()?, &filter).await?;
    let next_cursor = page::split(&mut rows, limit, |r| r.id);
    Ok(Json(InvoicePage {
        items: rows.iter().map(InvoiceListItem::from).collect(),
        next_cursor,
    }))
}

/// One invoice with its lines, totals, VAT breakdown, outstanding amount and document hash.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id or number (F-2026-00001)")),
    responses(
        (status = 200, description = "The invoice", body = InvoiceDetailView),
        (status = 404, description = "No such invoice in this organization", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InvoiceDetailView>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    Ok(Json(render(&state, actor, id).await?))
}

/// The invoice's audit trail, oldest first.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/history", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id or number")),
    responses(
        (status = 200, description = "Audit events", body = Vec<AuditEventView>),
        (status = 404, description = "No such invoice in this organization", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<AuditEventView>>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    // The history of an unknown id is empty, not an error: ask for the invoice first so
    // another organization's id answers 404 like everywhere else.
    state.app.invoice_detail(actor, id).await?;
    let events = state.app.invoice_history(actor, id).await?;
    Ok(Json(events.iter().map(AuditEventView::from).collect()))
}

/// Creates a draft invoice.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "invoices",
    request_body = mirrors::DraftRequest,
    responses(
        (status = 201, description = "The draft", body = InvoiceDetailView,
            headers(("location" = String, description = "URL of the new invoice"))),
        (status = 400, description = "Malformed JSON", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The role may not create drafts", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Unknown client", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field (named in `errors`)", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<DraftRequest>,
) -> Result<Response, Problem> {
    let actor = caller.actor()?;
    let invoice = state.app.create_draft(actor, req).await?;
    created(&state, actor, invoice.id).await
}

/// An id or a number, resolved within the actor's organization.
pub async fn resolve(state: &AppState, actor: &Actor, id_or_number: &str) -> Result<Uuid, Problem> {
    Ok(state.app.resolve_invoice(actor, id_or_number).await?)
}

/// The detail view of an invoice, after whatever just happened to it.
pub async fn render(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<InvoiceDetailView, Problem> {
    let detail = state.app.invoice_detail(actor, id).await?;
    Ok(InvoiceDetailView::from(&detail))
}

/// 201 with `Location` and the detail of a new document.
pub async fn created(state: &AppState, actor: &Actor, id: Uuid) -> Result<Response, Problem> {
    let view = render(state, actor, id).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/invoices/{id}"))
        .map_err(|e| Problem::internal(&e))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}
