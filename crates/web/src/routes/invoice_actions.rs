//! What happens to an invoice: the approval steps, issuing, credit notes, payments. Each
//! answers with the invoice as it is afterwards; roles are checked by the use cases.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use encaisse_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{Problem, ProblemBody};
use crate::routes::invoices::{created, render, resolve};
use crate::views::InvoiceDetailView;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why the draft is rejected, so it can be fixed.
    pub comment: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// Kept in the invoice's history.
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// Today (in the installation's time zone) when absent.
    pub issue_date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditNoteRequest {
    /// Why the invoice is cancelled; printed on the credit note.
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// Decimal string (or number), e.g. `"1200.00"`.
    #[schema(value_type = String, example = "1200.00")]
    pub amount: Decimal,
    /// ISO 4217 code; must be the invoice's currency.
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    pub received_on: NaiveDate,
    /// Bank reference or note.
    pub reference: Option<String>,
}

const ID: &str = "Invoice id or number";

/// The optional `Idempotency-Key` header.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, Problem> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str().map(str::trim) {
            Ok(k) if !k.is_empty() && k.len() <= 200 => Ok(Some(k)),
            _ => Err(Problem::invalid(
                "Idempotency-Key",
                "use a printable key of at most 200 characters",
            )),
        },
    }
}

/// Submits a draft (or a fixed rejected one): the validation rules run, then it is approved
/// at once (small and clean), or waits for its approvers, or is refused with the blocking
/// findings.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/submit", tag = "invoice lifecycle",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 200, description = "Pending approval, or approved automatically", body = InvoiceDetailView),
        (status = 422, description = "A blocking validation rule fires (named in `errors`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The role may not submit drafts", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InvoiceDetailView>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    state.app.submit_invoice(actor, id).await?;
    Ok(Json(render(&state, actor, id).await?))
}

/// Decides the next level of a pending invoice's approval circuit (approvers and owners):
/// the last level approves it. Nobody decides on a draft they created, edited or submitted,
/// nor two levels of one circuit.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/approve", tag = "invoice lifecycle",
    params(("id" = String, Path, description = ID)),
    request_body(content = Option<ApproveRequest>, description = "May be omitted"),
    responses(
        (status = 200, description = "Approved, or its level passed (status stays pending_approval)", body = InvoiceDetailView),
        (status = 403, description = "The role may not approve, or the circuit refuses this person (own draft, level already decided, owner needed)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A blocking validation rule fires (named in `errors`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not pending approval", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ApproveRequest>,
) -> Result<Json<InvoiceDetailView>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    state
        .app
        .approve_invoice_with(actor, id, req.comment.as_deref())
        .await?;
    Ok(Json(render(&state, actor, id).await?))
}

/// Rejects a draft pending approval, saying why.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/reject", tag = "invoice lifecycle",
    params(("id" = String, Path, description = ID)),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "Rejected", body = InvoiceDetailView),
        (status = 403, description = "The role may not reject", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not pending approval", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Empty comment", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> Result<Json<InvoiceDetailView>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    state.app.reject_invoice(actor, id, &req.comment).await?;
    Ok(Json(render(&state, actor, id).await?))
}

/// Issues an approved invoice: assigns its number, payment reference and due date and
/// freezes the document.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/issue", tag = "invoice lifecycle",
    params(("id" = String, Path, description = ID)),
    request_body(content = Option<IssueRequest>, description = "May be omitted"),
    responses(
        (status = 200, description = "Issued", body = InvoiceDetailView),
        (status = 403, description = "The role may not issue", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not approved", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A legal mention is missing (named in `errors`)", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<IssueRequest>,
) -> Result<Json<InvoiceDetailView>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    let issue_date = req.issue_date.unwrap_or_else(|| state.app.today());
    state.app.issue_invoice(actor, id, issue_date).await?;
    Ok(Json(render(&state, actor, id).await?))
}

/// Drafts a credit note cancelling an issued invoice in full; it is approved and issued like
/// an invoice.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/credit-note", tag = "invoice lifecycle",
    params(
        ("id" = String, Path, description = ID),
        ("idempotency-key" = Option<String>, Header, description = "Sending the same key again returns the first credit note"),
    ),
    request_body = CreditNoteRequest,
    responses(
        (status = 201, description = "The credit note draft", body = InvoiceDetailView,
            headers(("location" = String, description = "URL of the credit note"))),
        (status = 403, description = "The role may not draft credit notes", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not an open issued invoice", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn credit_note(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreditNoteRequest>,
) -> Result<Response, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    let key = idempotency_key(&headers)?;
    let note = state
        .app
        .draft_credit_note(actor, id, &req.reason, key)
        .await?;
    created(&state, actor, note.id).await
}

/// Records a payment received for an open invoice.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/payments", tag = "invoice lifecycle",
    params(("id" = String, Path, description = ID)),
    request_body = PaymentRequest,
    responses(
        (status = 200, description = "The invoice with the payment", body = InvoiceDetailView),
        (status = 403, description = "The role may not record payments", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not open", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Bad amount or currency", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn record_payment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<PaymentRequest>,
) -> Result<Json<InvoiceDetailView>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    let amount = Money::new(req.amount, req.currency);
    // Checked here because a finer amount would only fail when stored, as an internal error.
    amount
        .to_minor()
        .map_err(|e| Problem::invalid("amount", e.to_string()))?;
    let reference = req.reference.as_deref().filter(|r| !r.trim().is_empty());
    state
        .app
        .record_payment(actor, id, amount, req.received_on, "api", reference)
        .await?;
    Ok(Json(render(&state, actor, id).await?))
}
