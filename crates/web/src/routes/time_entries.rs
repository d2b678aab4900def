//! Time entries of the current organization.

use axum::Json;
use axum::extract::State;
use encaisse_store::time_entries::TimeEntryFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::page;
use crate::problem::{Problem, ProblemBody};
use crate::views::{TimeEntryPage, TimeEntryView};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimeEntryQuery {
    pub project_id: Option<Uuid>,
    /// Only entries not billed yet.
    pub unbilled: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Time entries, newest first.
#[utoipa::path(get, path = "/api/v1/time-entries", tag = "time entries", params(TimeEntryQuery),
    responses(
        (status = 200, description = "A page of time entries", body = TimeEntryPage),
        (status = 422, description = "Invalid parameter", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TimeEntryQuery>,
) -> Result<Json<TimeEntryPage>, Problem> {
    let limit = page::limit(q.limit)?;
    let filter = TimeEntryFilter {
        project_id: q.project_id,
        unbilled_only: q.unbilled.unwrap_or(false),
        from: None,
        to: None,
        limit: i64::from(limit) + 1,
        before_id: page::cursor(q.cursor.as_deref())?,
    };
    let mut entries = state
        .app
        .list_time_entries(caller.actor()?, &filter)
        .await?;
    let next_cursor = page::split(&mut entries, limit, |e| e.id);
    Ok(Json(TimeEntryPage {
        items: entries.iter().map(TimeEntryView::from).collect(),
        next_cursor,
    }))
}
