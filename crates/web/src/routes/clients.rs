//! Clients of the current organization.

use axum::Json;
use axum::extract::State;
use encaisse_app::views::ClientView;
use encaisse_store::clients::ClientFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::openapi::mirrors;
use crate::page;
use crate::problem::{Problem, ProblemBody};
use crate::views::ClientPage;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    /// Case-insensitive part of the name.
    pub search: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Clients to skip (the `next_offset` of the previous page).
    pub offset: Option<u32>,
}

/// Clients by name.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ClientQuery),
    responses(
        (status = 200, description = "A page of clients", body = ClientPage),
        (status = 422, description = "Invalid parameter", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ClientQuery>,
) -> Result<Json<ClientPage>, Problem> {
    let limit = page::limit(q.limit)?;
    let offset = i64::from(q.offset.unwrap_or(0));
    let filter = ClientFilter {
        search: q.search.filter(|s| !s.trim().is_empty()),
        limit: i64::from(limit) + 1,
        offset,
    };
    let mut clients = state.app.list_clients(caller.actor()?, &filter).await?;
    let more = clients.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    clients.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(Json(ClientPage {
        next_offset: more.then(|| offset + i64::from(limit)),
        items: clients.iter().map(ClientView::from).collect(),
    }))
}

/// One client, by id (or exact name).
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients",
    params(("id" = String, Path, description = "Client id (or exact name)")),
    responses(
        (status = 200, description = "The client", body = mirrors::ClientView),
        (status = 404, description = "No such client in this organization", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ClientView>, Problem> {
    let client = state.app.resolve_client(caller.actor()?, &id).await?;
    Ok(Json(ClientView::from(&client)))
}
