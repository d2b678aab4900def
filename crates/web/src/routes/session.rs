//! Logging in and out, the current session, switching organization.

use std::net::SocketAddr;
use std::time::Instant;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use encaisse_app::AppError;
use encaisse_store::auth::User;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Caller, Credential, cleared_session_cookie, session_cookie};
use crate::extract::{ApiJson, JsonOrForm};
use crate::problem::{Problem, ProblemBody};
use crate::routes::organizations;
use crate::views::{OrganizationView, SessionView, UserView};

/// E-mail and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    #[schema(format = Password)]
    pub password: String,
}

/// The organization to act in from now on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchOrganization {
    pub organization_id: Uuid,
}

/// The address the connection comes from (`unknown` when the server was not started with
/// connection info, e.g. in a custom embedding).
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip().to_string());
        Ok(ClientAddress(ip.unwrap_or_else(|| "unknown".into())))
    }
}

/// Opens a browser session: sets the `encaisse_session` cookie and returns the CSRF token.
///
/// Accepts JSON or an HTML form. Failed attempts are limited per client address and e-mail
/// (429 with `Retry-After` once exceeded).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session", security(()),
    request_body(content(
        (LoginRequest = "application/json"),
        (LoginRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = SessionView,
            headers(("set-cookie" = String, description = "encaisse_session=…; HttpOnly; SameSite=Lax; Path=/"))),
        (status = 401, description = "Wrong e-mail or password", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures", body = ProblemBody, content_type = "application/problem+json",
            headers(("retry-after" = u64, description = "Seconds to wait"))),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    JsonOrForm(req): JsonOrForm<LoginRequest>,
) -> Result<Response, Problem> {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        // Logging a victim's browser into the attacker's account (login CSRF).
        return Err(Problem::forbidden("log in from encaisse's own pages"));
    }
    let limiter = &state.login_limiter;
    limiter
        .check(&address, &req.email, Instant::now())
        .map_err(|wait| Problem::rate_limited(wait.as_secs().max(1)))?;
    let new = match state.app.login(&req.email, &req.password).await {
        Ok(s) => s,
        Err(e @ AppError::Unauthenticated(_)) => {
            limiter.record_failure(&address, &req.email, Instant::now());
            tracing::info!(%address, "failed login");
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    limiter.record_success(&address, &req.email);
    let config = &state.app.config;
    let max_age = u64::from(config.security.session_hours) * 3600;
    let cookie = session_cookie(&new.token, max_age, config.secure_cookies())
        .map_err(|e| Problem::internal(&e))?;
    let view = session_view(&state, &new.user, new.organization_id, Some(new.csrf_token)).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(view)).into_response())
}

/// Ends the browser session and clears its cookie (nothing to do for an API token).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "session",
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "Not logged in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Missing X-CSRF-Token", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    if let Credential::Session { token, .. } = &caller.credential {
        state.app.logout(token).await?;
    }
    let cleared = cleared_session_cookie(state.app.config.secure_cookies());
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response())
}

/// Who is calling, their organizations and, for a session, the CSRF token.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses(
        (status = 200, description = "The caller", body = SessionView),
        (status = 401, description = "Not logged in", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn current(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SessionView>, Problem> {
    Ok(Json(caller_view(&state, &caller).await?))
}

/// Makes the session act in another organization the user belongs to (404 otherwise).
#[utoipa::path(post, path = "/api/v1/session/organization", tag = "session",
    request_body = SwitchOrganization,
    responses(
        (status = 200, description = "Switched", body = SessionView),
        (status = 403, description = "Called with an API token, which is bound to its organization", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of that organization", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn switch_organization(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SwitchOrganization>,
) -> Result<Json<SessionView>, Problem> {
    let Credential::Session {
        token,
        session,
        user,
    } = &caller.credential
    else {
        return Err(Problem::forbidden(
            "an API token acts in the organization it was created for; create a token in the other organization",
        ));
    };
    state
        .app
        .switch_organization(token, caller.user_id, req.organization_id)
        .await?;
    let view = session_view(
        &state,
        user,
        Some(req.organization_id),
        Some(session.csrf_token.clone()),
    )
    .await?;
    Ok(Json(view))
}

/// The session view of any caller.
pub async fn caller_view(state: &AppState, caller: &Caller) -> Result<SessionView, Problem> {
    let (user, csrf_token) = match &caller.credential {
        Credential::Session { session, user, .. } => (
            UserView {
                id: user.id,
                email: user.email.clone(),
                display_name: Some(user.display_name.clone()),
                language: Some(user.language.clone()),
            },
            Some(session.csrf_token.clone()),
        ),
        Credential::Token => (
            UserView {
                id: caller.user_id,
                email: caller.email.clone(),
                display_name: None,
                language: None,
            },
            None,
        ),
    };
    Ok(SessionView {
        user,
        organizations: organizations::visible(state, caller).await?,
        current_organization_id: caller.current_organization(),
        csrf_token,
    })
}

async fn session_view(
    state: &AppState,
    user: &User,
    current: Option<Uuid>,
    csrf: Option<String>,
) -> Result<SessionView, Problem> {
    let organizations = state
        .app
        .organizations_of(user.id)
        .await?
        .iter()
        .map(|(o, r)| OrganizationView::new(o, *r, current))
        .collect();
    Ok(SessionView {
        user: UserView {
            id: user.id,
            email: user.email.clone(),
            display_name: Some(user.display_name.clone()),
            language: Some(user.language.clone()),
        },
        organizations,
        current_organization_id: current,
        csrf_token: csrf,
    })
}
