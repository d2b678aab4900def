//! The organizations of the caller.

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::auth::{Caller, Credential};
use crate::problem::{Problem, ProblemBody};
use crate::views::OrganizationView;

/// The organizations the caller may act in, with their role. An API token sees only its own.
#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations",
    responses(
        (status = 200, description = "The caller's organizations", body = Vec<OrganizationView>),
        (status = 401, description = "Not authenticated", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<OrganizationView>>, Problem> {
    Ok(Json(visible(&state, &caller).await?))
}

/// What the caller may see: all their organizations with a session, the token's one with a
/// token (a token must not reveal where else its user works).
pub async fn visible(state: &AppState, caller: &Caller) -> Result<Vec<OrganizationView>, Problem> {
    let current = caller.current_organization();
    let token_bound = matches!(caller.credential, Credential::Token);
    Ok(state
        .app
        .organizations_of(caller.user_id)
        .await?
        .iter()
        .filter(|(o, _)| !token_bound || Some(o.id) == current)
        .map(|(o, r)| OrganizationView::new(o, *r, current))
        .collect())
}
