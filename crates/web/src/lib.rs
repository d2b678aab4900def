//! # encaisse-web — the REST API
//!
//! Owns the HTTP face of encaisse: the `/api/v1` endpoints, authentication (session cookies
//! with CSRF tokens, bearer API tokens, a failed-login limiter), organization scoping of every
//! request, errors as `application/problem+json`, the OpenAPI 3.1 document at
//! `/api/openapi.json` with Swagger UI at `/docs`, and `/healthz` / `/readyz`.
//!
//! Invariants:
//! - thin: a handler parses the request, calls one use case of [`encaisse_app::App`], renders
//!   the answer; decisions (permissions, validation of the business, state changes) are the
//!   app's. No SQL here, ever: web does not depend on a database driver.
//! - every endpoint is authenticated except `/healthz`, `/readyz`, `POST /api/v1/auth/login`,
//!   `/api/openapi.json` and `/docs`: the authenticated routes sit behind one layer
//!   (`auth::authenticate`) that resolves the caller or answers 401. Inbound webhooks
//!   (`/webhooks/…`) are authenticated by their service's token, checked by the app.
//! - a request acts in exactly one organization (the token's, or the session's current one)
//!   and objects of any other organization answer 404, never 403, never their data.
//! - bad input never answers 500: malformed JSON is 400, a wrong shape or value is 422 naming
//!   the field; 500 is for real failures, logged with their whole error chain.
//! - money leaves as decimal strings with the currency's decimals.
//!
//! Called by the `encaisse` binary (`encaisse serve`) through [`serve`]; [`router`] is the
//! same application for embedding. The tests drive [`serve`] on an ephemeral port.

mod auth;
mod extract;
pub mod openapi;
mod page;
pub mod problem;
mod rate_limit;
mod routes;
mod ui;
mod views;

use std::any::Any;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use encaisse_app::App;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa_swagger_ui::SwaggerUi;

use crate::problem::{Problem, ProblemKind};
use crate::rate_limit::{LoginLimiter, LoginLimits};

/// Largest request body accepted.
pub const BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;

/// Header carrying the request id (generated when the client sends none).
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

/// What every handler gets.
#[derive(Clone)]
pub(crate) struct AppState {
    pub app: App,
    pub login_limiter: Arc<LoginLimiter>,
}

/// The whole HTTP application: API, docs, health, with its middleware.
pub fn router(app: App) -> Router {
    let state = AppState {
        app,
        login_limiter: Arc::new(LoginLimiter::new(LoginLimits::default())),
    };
    let authenticated = routes::authenticated().route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::authenticate,
    ));
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route(
            "/webhooks/clockify/{org}",
            axum::routing::post(routes::webhooks::clockify),
        )
        .nest(
            "/api/v1",
            routes::public()
                .merge(authenticated)
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                )),
        )
        .merge(SwaggerUi::new("/docs").url("/api/openapi.json", openapi::openapi()))
        .merge(ui::router())
        .fallback(fallback)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(middleware::from_fn(problem::attach_request_id))
                .layer(CatchPanicLayer::custom(panic_problem)),
        )
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests in
/// flight finish.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "encaisse web listening");
    }
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Unknown paths: a problem for the API and for clients that do not want HTML, the 404 page
/// for browsers.
async fn fallback(req: Request) -> Response {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && !req.uri().path().starts_with("/api/") {
        ui::not_found_page(req.headers())
    } else {
        problem::route_not_found().await.into_response()
    }
}

fn request_span(req: &Request) -> tracing::Span {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    // The path only: query strings may carry search terms.
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
}

fn panic_problem(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "handler panicked");
    Problem::new(
        ProblemKind::Internal,
        "an internal error occurred and was logged",
    )
    .into_response()
}
