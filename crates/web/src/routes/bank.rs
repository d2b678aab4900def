//! Bank transactions, reconciliation suggestions (confirm, reject), undoing applied matches,
//! and alerts. Thin: each handler calls one use case; roles are checked there.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use encaisse_app::reconciliation_review::MatchView;
use encaisse_store::alerts::AlertRecord;
use encaisse_store::bank::{BankTransactionFilter, BankTransactionRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::page;
use crate::problem::{Problem, ProblemBody};

/// A bank movement as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankTransactionView {
    pub id: Uuid,
    pub account_id: Uuid,
    /// `file:<format>` or `api:<provider>`.
    pub source: String,
    /// The bank's own reference (camt `AcctSvcrRef`, MT940 `:61:` reference, Qonto `transaction_id`).
    pub bank_reference: String,
    pub booking_date: NaiveDate,
    pub value_date: Option<NaiveDate>,
    /// Signed decimal string: credits positive.
    pub amount: String,
    pub currency: String,
    /// booked, pending, informational, declined or reversed.
    pub status: String,
    pub counterparty_name: Option<String>,
    pub counterparty_iban: Option<String>,
    pub remittance: Option<String>,
    pub structured_reference: Option<String>,
    /// unmatched, suggested, matched or ignored.
    pub reconciliation: String,
}

impl From<&BankTransactionRecord> for BankTransactionView {
    fn from(t: &BankTransactionRecord) -> Self {
        BankTransactionView {
            id: t.id,
            account_id: t.account_id,
            source: t.source.clone(),
            bank_reference: t.bank_reference.clone(),
            booking_date: t.booking_date,
            value_date: t.value_date,
            amount: t.amount.to_decimal_string(),
            currency: t.amount.currency().code().to_owned(),
            status: t.status.clone(),
            counterparty_name: t.counterparty_name.clone(),
            counterparty_iban: t.counterparty_iban.clone(),
            remittance: t.remittance.clone(),
            structured_reference: t.structured_reference.clone(),
            reconciliation: t.reconciliation.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BankTransactionPage {
    pub items: Vec<BankTransactionView>,
    pub next_cursor: Option<String>,
}

/// Money of a match going to one invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationView {
    pub allocation_id: Uuid,
    pub invoice_id: Uuid,
    pub invoice_number: Option<String>,
    pub client_name: String,
    pub amount: String,
    /// Shortfall written off as the payer's bank fee.
    pub fee_write_off: String,
}

/// A candidate match of a transaction (suggested, applied, rejected, undone…).
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchViewBody {
    /// Confirm, reject or undo by this id.
    pub id: Uuid,
    /// suggested, applied, rejected, undone or superseded.
    pub status: String,
    pub transaction_id: Uuid,
    pub bank_reference: String,
    pub booking_date: NaiveDate,
    pub transaction_amount: String,
    pub currency: String,
    pub payer: Option<String>,
    /// 1 for the engine's best candidate.
    pub rank: i32,
    /// reference, invoice_number, amount_and_payer, group, partial or amount_only.
    pub method: String,
    /// 0.00 to 1.00.
    pub confidence: String,
    /// Which rule, which evidence, and why it waits for a person.
    pub explanation: String,
    pub allocations: Vec<AllocationView>,
}

impl From<&MatchView> for MatchViewBody {
    fn from(m: &MatchView) -> Self {
        MatchViewBody {
            id: m.id,
            status: m.status.clone(),
            transaction_id: m.transaction_id,
            bank_reference: m.bank_reference.clone(),
            booking_date: m.booking_date,
            transaction_amount: m.transaction_amount.to_decimal_string(),
            currency: m.transaction_amount.currency().code().to_owned(),
            payer: m.payer.clone(),
            rank: m.rank,
            method: m.method.clone(),
            confidence: m.confidence.clone(),
            explanation: m.explanation.clone(),
            allocations: m
                .allocations
                .iter()
                .map(|a| AllocationView {
                    allocation_id: a.allocation_id,
                    invoice_id: a.invoice_id,
                    invoice_number: a.invoice_number.clone(),
                    client_name: a.client_name.clone(),
                    amount: a.amount.to_decimal_string(),
                    fee_write_off: a.fee_write_off.to_decimal_string(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchList {
    pub items: Vec<MatchViewBody>,
}

/// An alert.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    pub id: Uuid,
    /// overdue_30, overdue_60, overdue_90, partial_payment or cash_position.
    pub kind: String,
    pub invoice_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub message: String,
    pub as_of: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<&AlertRecord> for AlertView {
    fn from(a: &AlertRecord) -> Self {
        AlertView {
            id: a.id,
            kind: a.kind.clone(),
            invoice_id: a.invoice_id,
            account_id: a.account_id,
            amount: a.amount.map(|m| m.to_decimal_string()),
            currency: a.amount.map(|m| m.currency().code().to_owned()),
            message: a.message.clone(),
            as_of: a.as_of,
            created_at: a.created_at,
            resolved_at: a.resolved_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertList {
    pub items: Vec<AlertView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TransactionQuery {
    /// unmatched, suggested, matched or ignored.
    pub reconciliation: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Include resolved alerts.
    pub all: Option<bool>,
    /// 1 to 500 (default 50).
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1 to 500 (default 50).
    pub limit: Option<u32>,
}

const STATES: [&str; 4] = ["unmatched", "suggested", "matched", "ignored"];

/// Bank transactions of the organization, newest first.
#[utoipa::path(get, path = "/api/v1/bank/transactions", tag = "bank", params(TransactionQuery),
    responses(
        (status = 200, description = "A page of transactions", body = BankTransactionPage),
        (status = 422, description = "Invalid parameter", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn transactions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TransactionQuery>,
) -> Result<Json<BankTransactionPage>, Problem> {
    let limit = page::limit(q.limit)?;
    if let Some(r) = q.reconciliation.as_deref()
        && !STATES.contains(&r)
    {
        return Err(Problem::invalid(
            "reconciliation",
            format!("use one of {}", STATES.join(", ")),
        ));
    }
    let filter = BankTransactionFilter {
        reconciliation: q.reconciliation,
        limit: i64::from(limit) + 1,
        before_id: page::cursor(q.cursor.as_deref())?,
    };
    let mut rows = state
        .app
        .list_bank_transactions(caller.actor()?, &filter)
        .await?;
    let next_cursor = page::split(&mut rows, limit, |t| t.id);
    Ok(Json(BankTransactionPage {
        items: rows.iter().map(BankTransactionView::from).collect(),
        next_cursor,
    }))
}

/// Suggestions waiting for review, with their explanation.
#[utoipa::path(get, path = "/api/v1/reconciliation/suggestions", tag = "bank", params(ListQuery),
    responses(
        (status = 200, description = "Suggestions, best candidate of each transaction first", body = MatchList),
        (status = 422, description = "Invalid parameter", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn suggestions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<MatchList>, Problem> {
    let limit = page::limit(q.limit)?;
    let rows = state
        .app
        .reconciliation_suggestions(caller.actor()?, i64::from(limit))
        .await?;
    Ok(Json(MatchList {
        items: rows.iter().map(MatchViewBody::from).collect(),
    }))
}

/// Confirms a suggestion: applied like an automatic match (invoice paid amount and status,
/// client credit, alerts, audit), and the payer is learned for the client.
#[utoipa::path(post, path = "/api/v1/reconciliation/suggestions/{id}/confirm", tag = "bank",
    params(("id" = Uuid, Path, description = "Suggestion (match) id or one of its allocation ids")),
    responses(
        (status = 200, description = "Applied", body = MatchViewBody),
        (status = 403, description = "The role may not record payments", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such suggestion", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Decided already, or the invoice changed since", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<MatchViewBody>, Problem> {
    let m = state.app.confirm_suggestion(caller.actor()?, id).await?;
    Ok(Json(MatchViewBody::from(&m)))
}

/// Rejects a suggestion: never proposed again for this transaction; the payer is no longer
/// tied to that client by its name or IBAN alone.
#[utoipa::path(post, path = "/api/v1/reconciliation/suggestions/{id}/reject", tag = "bank",
    params(("id" = Uuid, Path, description = "Suggestion (match) id or one of its allocation ids")),
    responses(
        (status = 200, description = "Rejected", body = MatchViewBody),
        (status = 403, description = "The role may not record payments", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such suggestion", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Decided already", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<MatchViewBody>, Problem> {
    let m = state.app.reject_suggestion(caller.actor()?, id).await?;
    Ok(Json(MatchViewBody::from(&m)))
}

/// Undoes an applied match: the invoices, client credit and alerts get back exactly their
/// previous state; the transaction is unmatched again.
#[utoipa::path(post, path = "/api/v1/reconciliation/allocations/{id}/undo", tag = "bank",
    params(("id" = Uuid, Path, description = "Allocation id or match id")),
    responses(
        (status = 200, description = "Undone", body = MatchViewBody),
        (status = 403, description = "The role may not record payments", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such allocation", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not applied (suggested, rejected or undone already)", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn undo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<MatchViewBody>, Problem> {
    let m = state.app.undo_allocation(caller.actor()?, id).await?;
    Ok(Json(MatchViewBody::from(&m)))
}

/// Alerts: invoices unpaid at D+30/D+60/D+90, partial payments, cash positions.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "bank", params(AlertQuery),
    responses(
        (status = 200, description = "Alerts, newest first", body = AlertList),
        (status = 422, description = "Invalid parameter", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn alerts(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AlertQuery>,
) -> Result<Json<AlertList>, Problem> {
    let limit = page::limit(q.limit)?;
    let rows = state
        .app
        .alerts(caller.actor()?, q.all.unwrap_or(false), i64::from(limit))
        .await?;
    Ok(Json(AlertList {
        items: rows.iter().map(AlertView::from).collect(),
    }))
}
