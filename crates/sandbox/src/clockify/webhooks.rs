//! Webhook delivery: an HTTP POST of the entity with `Clockify-Signature: <token>` and
//! `Clockify-Webhook-Event-Type`, retried with a short backoff, after which the webhook's
//! `deliveryEnabled` turns false (as Clockify documents for repeated failures).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::api::{Ctx, error, json_response};
use super::state::{KIND_WEBHOOK, WebhookRec, WorkspaceRec, object_id, parse_object_id};
use super::time_entries::entry_json;
use super::{SandboxState, Shared};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

/// A delivery to make.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    workspace: String,
    webhook: String,
    url: String,
    token: String,
    event: String,
    body: Value,
}

/// What happened to one delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub webhook_id: String,
    pub event: String,
    pub url: String,
    /// The receiver's last status; `None` when it could not be reached.
    pub status: Option<u16>,
    pub attempts: u32,
}

/// Queues deliveries of `event` about entry `index` to the workspace's webhooks.
pub(crate) fn queue(
    s: &mut SandboxState,
    wsi: usize,
    index: usize,
    event: &str,
    out: &mut Vec<Pending>,
) {
    let w = &s.workspaces[wsi];
    let hooks: Vec<_> = w
        .webhooks
        .iter()
        .filter(|h| h.enabled && h.delivery_enabled && h.event == event)
        .collect();
    if hooks.is_empty() {
        return;
    }
    let body = entry_json(w, &w.entries[index], true);
    for h in hooks {
        out.push(Pending {
            workspace: w.id.clone(),
            webhook: h.id.clone(),
            url: h.url.clone(),
            token: h.token.clone(),
            event: event.to_owned(),
            body: body.clone(),
        });
    }
}

/// Sends the deliveries in the background, in order per call.
pub(crate) fn deliver(shared: &Arc<Shared>, pending: Vec<Pending>) {
    if pending.is_empty() {
        return;
    }
    let shared = shared.clone();
    tokio::spawn(async move {
        for p in pending {
            let mut status = None;
            let mut attempts = 0;
            for attempt in 1..=shared.config.webhook_attempts.max(1) {
                attempts = attempt;
                let r = shared
                    .http
                    .post(&p.url)
                    .header("Clockify-Signature", &p.token)
                    .header("Clockify-Webhook-Event-Type", &p.event)
                    .json(&p.body)
                    .send()
                    .await;
                status = r.ok().map(|r| r.status().as_u16());
                if status.is_some_and(|s| (200..300).contains(&s)) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt * attempt))).await;
            }
            let ok = status.is_some_and(|s| (200..300).contains(&s));
            let mut s = shared.lock();
            if !ok
                && let Some(w) = s.workspaces.iter_mut().find(|w| w.id == p.workspace)
                && let Some(h) = w.webhooks.iter_mut().find(|h| h.id == p.webhook)
            {
                h.delivery_enabled = false;
            }
            s.deliveries.push(Delivery {
                webhook_id: p.webhook,
                event: p.event,
                url: p.url,
                status,
                attempts,
            });
        }
    });
}

pub(super) fn webhook_json(w: &WorkspaceRec, h: &WebhookRec) -> Value {
    json!({
        "id": h.id, "name": h.name, "url": h.url, "userId": w.users[h.owner].id, "workspaceId": w.id,
        "webhookEvent": h.event, "triggerSource": [w.id], "triggerSourceType": "WORKSPACE_ID",
        "enabled": h.enabled, "deliveryEnabled": h.delivery_enabled, "planEnabled": true,
        "authToken": h.token,
    })
}

pub(super) const EVENTS: [&str; 8] = [
    "NEW_TIME_ENTRY",
    "TIME_ENTRY_UPDATED",
    "TIME_ENTRY_DELETED",
    "TIME_ENTRY_RESTORED",
    "NEW_TIMER_STARTED",
    "TIMER_STOPPED",
    "NEW_PROJECT",
    "NEW_CLIENT",
];

pub(super) fn create_webhook(c: &mut Ctx<'_>, wsi: usize) -> Response {
    let body: Value = serde_json::from_slice(c.body).unwrap_or(Value::Null);
    let name = body["name"].as_str().unwrap_or("");
    if !(2..=30).contains(&name.chars().count()) {
        // Clockify's (misleading) answer when the name is missing with an API key.
        return error(StatusCode::BAD_REQUEST, 501, "Webhook already exists");
    }
    let (Some(url), Some(event)) = (body["url"].as_str(), body["webhookEvent"].as_str()) else {
        return error(
            StatusCode::BAD_REQUEST,
            3000,
            "url and webhookEvent are required",
        );
    };
    if !EVENTS.contains(&event) {
        return error(StatusCode::BAD_REQUEST, 3000, "Unknown webhookEvent");
    }
    let w = &mut c.s.workspaces[wsi];
    let n = w.webhooks.len() as u64 + ((w.next_entry >> 32) << 16);
    let id = object_id(KIND_WEBHOOK, n);
    let claims = format!(
        "{{\"iss\":\"clockify\",\"type\":\"webhook\",\"workspaceId\":\"{}\",\"webhookId\":\"{id}\"}}",
        w.id
    );
    let token = format!(
        "eyJhbGciOiJSUzI1NiJ9.{}.sig{:016x}",
        hex(claims.as_bytes()),
        parse_object_id(&id, KIND_WEBHOOK)
            .unwrap_or(0)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
    );
    let h = WebhookRec {
        id,
        name: name.to_owned(),
        url: url.to_owned(),
        event: event.to_owned(),
        token,
        owner: c.user,
        enabled: true,
        delivery_enabled: true,
    };
    let v = webhook_json(w, &h);
    w.webhooks.push(h);
    json_response(StatusCode::CREATED, &v)
}

pub(super) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
