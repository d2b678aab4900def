//! Inbound webhooks. Each is checked, stored and answered at once; a job does the work.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use encaisse_app::clockify_sync::{EVENT_TYPE_HEADER, ReceivedWebhook, SIGNATURE_HEADER};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::extract::ApiPath;
use crate::problem::{Problem, ProblemBody};

/// A webhook accepted for processing.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAccepted {
    pub event_id: String,
    /// The same event had already been received (a redelivery); it is processed once.
    pub duplicate: bool,
}

fn header<'h>(h: &'h HeaderMap, name: &str) -> Option<&'h str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Clockify time-entry events for an organization (its id or slug). Authenticated by the
/// webhook's static token in `Clockify-Signature`, compared in constant time.
#[utoipa::path(post, path = "/webhooks/clockify/{org}", tag = "webhooks",
    params(
        ("org" = String, Path, description = "Organization id or slug"),
        ("Clockify-Webhook-Event-Type" = String, Header, description = "NEW_TIME_ENTRY, TIME_ENTRY_UPDATED, TIME_ENTRY_DELETED, …"),
    ),
    request_body(content = Object, description = "The time entry, as Clockify sends it"),
    responses(
        (status = 200, description = "Stored; applied by a job", body = WebhookAccepted),
        (status = 401, description = "Missing or wrong token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No Clockify connection for this organization", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Not a Clockify entity", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("clockify_signature" = [])))]
pub async fn clockify(
    State(state): State<AppState>,
    ApiPath(org): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookAccepted>, Problem> {
    let ReceivedWebhook {
        event_id,
        duplicate,
    } = state
        .app
        .receive_clockify_webhook(
            &org,
            header(&headers, SIGNATURE_HEADER),
            header(&headers, EVENT_TYPE_HEADER),
            &body,
        )
        .await?;
    Ok(Json(WebhookAccepted {
        event_id,
        duplicate,
    }))
}
