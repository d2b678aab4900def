//! Webhook subscriptions (`/v2/webhook_subscriptions`, OAuth with scope `webhook` only) and
//! signed delivery of `v1/transactions` events: a POST of the raw JSON envelope with
//! `X-Qonto-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, retried
//! with a short backoff. `t` is the real time of sending (the simulated clock dates the data,
//! not the delivery) [inferred].

// Handlers short-circuit with the finished error response itself; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2_011::Sha256;

use super::Shared;
use super::api::{Ctx, error, json_response, not_found, paged, time};
use super::state::{KIND_EVENT, KIND_SUB, QontoState, SubscriptionRec, uuid_like};
use super::transactions::tx_json;

/// A delivery to make.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    subscription_id: String,
    event_id: String,
    event: String,
    transaction_id: String,
    url: String,
    secret: String,
    body: Vec<u8>,
}

/// What happened to one delivery (the body and header as sent, for tests to check).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub subscription_id: String,
    pub event_id: String,
    /// `created` or `updated`.
    pub event: String,
    /// The transaction's `transaction_id`.
    pub transaction_id: String,
    pub url: String,
    /// The raw body sent.
    pub body: String,
    /// `X-Qonto-Signature` of the last attempt.
    pub signature: String,
    /// The receiver's last status; `None` when it could not be reached.
    pub status: Option<u16>,
    pub attempts: u32,
}

/// `v1` of a body signed at `t`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
        // HMAC accepts keys of any length.
        return String::new();
    };
    m.update(format!("{t}.").as_bytes());
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

/// Queues `transactions.<event>` about transaction `index` for every subscription to
/// `v1/transactions`.
pub(crate) fn queue(s: &mut QontoState, index: usize, event: &str, out: &mut Vec<Pending>) {
    let subs: Vec<SubscriptionRec> = s
        .subscriptions
        .iter()
        .filter(|h| h.types.iter().any(|t| t == "v1/transactions"))
        .cloned()
        .collect();
    for sub in subs {
        let n = s.fresh();
        let event_id = uuid_like(KIND_EVENT, n);
        let t = &s.transactions[index];
        let mut data = tx_json(s, t);
        data["event"] = json!(event);
        let envelope = json!({
            "id": event_id, "subscription_id": sub.id, "organization_id": s.org_id,
            "membership_id": s.membership_id, "type": "v1/transactions",
            "created_at": time(s.now), "data": data,
        });
        out.push(Pending {
            subscription_id: sub.id.clone(),
            event_id,
            event: event.to_owned(),
            transaction_id: t.transaction_id.clone(),
            url: sub.callback_url.clone(),
            secret: sub.secret.clone(),
            body: envelope.to_string().into_bytes(),
        });
    }
}

/// Sends the deliveries in the background, in order.
pub(crate) fn deliver(shared: &Arc<Shared>, pending: Vec<Pending>) {
    if pending.is_empty() {
        return;
    }
    let shared = shared.clone();
    tokio::spawn(async move {
        for p in pending {
            let mut status = None;
            let mut attempts = 0;
            let mut signature = String::new();
            for attempt in 1..=shared.config.webhook_attempts.max(1) {
                attempts = attempt;
                let t = chrono::Utc::now().timestamp();
                signature = format!("t={t},v1={}", sign(&p.secret, t, &p.body));
                let r = shared
                    .http
                    .post(&p.url)
                    .header("Content-Type", "application/json")
                    .header("X-Qonto-Signature", &signature)
                    .body(p.body.clone())
                    .send()
                    .await;
                status = r.ok().map(|r| r.status().as_u16());
                if status.is_some_and(|s| (200..300).contains(&s)) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt * attempt))).await;
            }
            shared.lock().deliveries.push(Delivery {
                subscription_id: p.subscription_id,
                event_id: p.event_id,
                event: p.event,
                transaction_id: p.transaction_id,
                url: p.url,
                body: String::from_utf8_lossy(&p.body).into_owned(),
                signature,
                status,
                attempts,
            });
        }
    });
}

fn sub_json(s: &QontoState, h: &SubscriptionRec, with_secret: bool) -> Value {
    let mut v = json!({
        "id": h.id, "organization_id": s.org_id, "membership_id": s.membership_id,
        "callback_url": h.callback_url, "types": h.types,
        "created_at": time(h.created_at), "updated_at": time(h.updated_at),
    });
    if let Some(d) = &h.description {
        v["description"] = json!(d);
    }
    if with_secret {
        v["secret"] = json!(h.secret);
    }
    v
}

const TYPES: [&str; 6] = [
    "v1/transactions",
    "v1/accounts",
    "v1/organizations",
    "v1/consent-revocations",
    "v1/cards",
    "v1/terminal-payments",
];

/// Reads `{callback_url, types, description}`.
fn read_body(body: &[u8]) -> Result<(String, Vec<String>, Option<String>), Response> {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let url = v["callback_url"].as_str().unwrap_or("");
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "callback_url must be an http(s) URL",
            Some("callback_url"),
        ));
    }
    let types: Vec<String> = v["types"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if types.is_empty() || types.iter().any(|t| !TYPES.contains(&t.as_str())) {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_in_list",
            "types must be a non-empty list of supported webhook types (v1/transactions, ...)",
            Some("types"),
        ));
    }
    Ok((
        url.to_owned(),
        types,
        v["description"].as_str().map(str::to_owned),
    ))
}

pub(crate) fn route(c: &mut Ctx<'_>, method: &Method, rest: &[&str]) -> Response {
    match (method, rest) {
        (&Method::GET, []) => {
            let (page, per) = match c.paging(100) {
                Ok(p) => p,
                Err(r) => return r,
            };
            let s = &*c.s;
            let rows = s
                .subscriptions
                .iter()
                .map(|h| sub_json(s, h, false))
                .collect();
            paged("subscriptions", rows, page, per)
        }
        (&Method::POST, []) => {
            let (url, types, description) = match read_body(c.body) {
                Ok(b) => b,
                Err(r) => return r,
            };
            let n = c.s.fresh();
            let secret = c.s.token("whsec");
            let h = SubscriptionRec {
                id: uuid_like(KIND_SUB, n),
                callback_url: url,
                types,
                description,
                secret,
                created_at: c.s.now,
                updated_at: c.s.now,
            };
            let v = sub_json(c.s, &h, true);
            c.s.subscriptions.push(h);
            json_response(StatusCode::CREATED, &v)
        }
        (&Method::GET, [id]) => match c.s.subscriptions.iter().find(|h| h.id == *id) {
            Some(h) => json_response(StatusCode::OK, &sub_json(c.s, h, false)),
            None => not_found(),
        },
        (&Method::PUT, [id]) => {
            let (url, types, description) = match read_body(c.body) {
                Ok(b) => b,
                Err(r) => return r,
            };
            let now = c.s.now;
            let Some(i) = c.s.subscriptions.iter().position(|h| h.id == *id) else {
                return not_found();
            };
            let h = &mut c.s.subscriptions[i];
            h.callback_url = url;
            h.types = types;
            h.description = description;
            h.updated_at = now;
            let h = h.clone();
            json_response(StatusCode::OK, &sub_json(c.s, &h, false))
        }
        (&Method::DELETE, [id]) => {
            let before = c.s.subscriptions.len();
            c.s.subscriptions.retain(|h| h.id != *id);
            if c.s.subscriptions.len() < before {
                let mut r = Response::new(axum::body::Body::empty());
                *r.status_mut() = StatusCode::NO_CONTENT;
                r
            } else {
                not_found()
            }
        }
        _ => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_test_vector_is_reproduced() {
        assert_eq!(
            sign("test-secret", 1_704_110_400, br#"{"test":"data"}"#),
            "56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
        );
    }
}
