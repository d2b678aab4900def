//! The approval circuit over the API: what waits for the caller's decision, and taking a
//! draft back for edits. Approve and reject are in `invoice_actions` and go through the same
//! circuit.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use encaisse_app::validation::QueueItem;
use encaisse_app::views::InvoiceListItem;
use encaisse_core::language::Language;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::extract::ApiPath;
use crate::openapi::mirrors;
use crate::problem::{Problem, ProblemBody};
use crate::routes::invoices::{render, resolve};
use crate::views::InvoiceDetailView;

/// One finding of the validation rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleResultView {
    /// The rule's key in `[validation.rules]`, e.g. `purchase_order`.
    pub rule: String,
    /// `block` or `warn`.
    pub severity: String,
    /// Why it fired (English).
    pub why: String,
    /// How to fix it (English).
    pub fix: String,
}

/// A draft waiting for the caller's decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingView {
    #[schema(value_type = mirrors::InvoiceListItem)]
    pub invoice: InvoiceListItem,
    /// The level the caller would decide, and how many levels the circuit has.
    pub level: usize,
    pub levels: usize,
    /// Set when the caller decides for someone who delegated to them.
    pub on_behalf_of: Option<Uuid>,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    /// Rule findings at submission; empty for a clean draft.
    pub rules: Vec<RuleResultView>,
}

impl From<&QueueItem> for WaitingView {
    fn from(q: &QueueItem) -> Self {
        let en = Language::En;
        WaitingView {
            invoice: InvoiceListItem::from(&q.invoice),
            level: q.level,
            levels: q.levels,
            on_behalf_of: q.decision.as_ref().ok().and_then(|a| a.on_behalf_of),
            submitted_by: q.submitted_by.clone(),
            submitted_at: q.submitted_at,
            rules: q
                .results
                .iter()
                .map(|r| RuleResultView {
                    rule: r.rule.as_str().to_owned(),
                    severity: r.severity.as_str().to_owned(),
                    why: r.why(en),
                    fix: r.fix(en),
                })
                .collect(),
        }
    }
}

/// Drafts waiting for the caller's decision, oldest submission first.
#[utoipa::path(get, path = "/api/v1/approvals/waiting", tag = "invoice lifecycle",
    responses(
        (status = 200, description = "What waits for me", body = Vec<WaitingView>),
        (status = 401, description = "Not authenticated", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn waiting(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<WaitingView>>, Problem> {
    let items = state.app.waiting_for_me(caller.actor()?).await?;
    Ok(Json(items.iter().map(WaitingView::from).collect()))
}

/// Takes a pending (or approved, unissued) invoice back to draft for edits; it must be
/// submitted again.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/withdraw", tag = "invoice lifecycle",
    params(("id" = String, Path, description = "Invoice id or number")),
    responses(
        (status = 200, description = "Back to draft", body = InvoiceDetailView),
        (status = 403, description = "The role may not edit drafts", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not pending or approved", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InvoiceDetailView>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    state.app.withdraw_invoice(actor, id).await?;
    Ok(Json(render(&state, actor, id).await?))
}
