//! Hours to drafts over HTTP: unbilled time per client (a dry run of the drafting), drafts
//! created from time, draft lines edited, drafts deleted (their entries released).

use axum::Json;
use axum::extract::State;
use encaisse_app::billing::{BillingPeriod, DraftRun, DraftRunReport};
use encaisse_app::draft_edits::LineEdit;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::mirrors;
use crate::problem::{Problem, ProblemBody};
use crate::routes::invoices::{render, resolve};
use crate::views::InvoiceDetailView;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnbilledQuery {
    /// A month (`2026-10`) or a range (`2026-10-01..2026-10-15`).
    pub period: String,
    pub client_id: Option<Uuid>,
}

/// Drafts to create from the hours of a period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromTimeRequest {
    /// A month (`2026-10`) or a range (`2026-10-01..2026-10-15`).
    #[schema(example = "2026-10")]
    pub period: String,
    /// Only this client.
    pub client_id: Option<Uuid>,
    /// Report what would be drafted, write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Edits applied to a draft's lines, in order, all or none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditLinesRequest {
    #[schema(value_type = Vec<mirrors::LineEdit>)]
    pub edits: Vec<LineEdit>,
}

/// A deleted draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedDraft {
    pub id: Uuid,
    /// Time entries released (billable again).
    pub entries_released: u64,
}

/// Unbilled hours of a period, per client, as the drafts would bill them (nothing written).
#[utoipa::path(get, path = "/api/v1/unbilled-time", tag = "time entries", params(UnbilledQuery),
    responses(
        (status = 200, description = "Per client and currency: hours, net, VAT, gross; skipped entries by reason", body = mirrors::DraftRunReport),
        (status = 422, description = "Invalid period", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn unbilled(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<UnbilledQuery>,
) -> Result<Json<DraftRunReport>, Problem> {
    let run = DraftRun {
        period: BillingPeriod::parse(&q.period)?,
        client_id: q.client_id,
        dry_run: true,
    };
    Ok(Json(state.app.draft_invoices(caller.actor()?, &run).await?))
}

/// Creates the period's drafts from unbilled hours: one per client and currency; entries
/// are marked billed with their draft. Again for the same period creates nothing new.
#[utoipa::path(post, path = "/api/v1/invoices/from-time", tag = "invoices",
    request_body = FromTimeRequest,
    responses(
        (status = 200, description = "The drafts created (or, in a dry run, planned)", body = mirrors::DraftRunReport),
        (status = 403, description = "The role may not create drafts", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid period", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn from_time(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<FromTimeRequest>,
) -> Result<Json<DraftRunReport>, Problem> {
    let run = DraftRun {
        period: BillingPeriod::parse(&req.period)?,
        client_id: req.client_id,
        dry_run: req.dry_run,
    };
    Ok(Json(state.app.draft_invoices(caller.actor()?, &run).await?))
}

/// Edits a draft's lines: add, remove (entries released), update (wording, quantity,
/// price, discount), discount on every line.
#[utoipa::path(patch, path = "/api/v1/invoices/{id}/lines", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id")),
    request_body = EditLinesRequest,
    responses(
        (status = 200, description = "The draft after the edits", body = InvoiceDetailView),
        (status = 404, description = "No such invoice", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not an editable draft, or an entry already billed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid edit (named in `errors`)", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn edit_lines(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<EditLinesRequest>,
) -> Result<Json<InvoiceDetailView>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    state.app.edit_draft(actor, id, &req.edits).await?;
    Ok(Json(render(&state, actor, id).await?))
}

/// Deletes a draft and releases its time entries.
#[utoipa::path(delete, path = "/api/v1/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "Deleted", body = DeletedDraft),
        (status = 404, description = "No such invoice", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete_draft(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DeletedDraft>, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    let entries_released = state.app.delete_draft(actor, id).await?;
    Ok(Json(DeletedDraft {
        id,
        entries_released,
    }))
}
