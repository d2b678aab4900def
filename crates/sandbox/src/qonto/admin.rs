//! The test/admin API under `/_sandbox/` (no authentication: the simulator only listens on
//! loopback): read and move the clock, add transactions, read webhook deliveries.
//!
//! - `GET /_sandbox/clock` → `{"now"}`
//! - `POST /_sandbox/clock/advance` `{"seconds": 3600}` → `{"now", "changed": [transaction_id…]}`
//! - `POST /_sandbox/transactions` a [`NewTransaction`] → 201 the transaction as the API shows it
//! - `GET /_sandbox/deliveries` → the webhook deliveries made so far

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::Duration;
use serde_json::{Value, json};

use super::api::{error, json_response, time};
use super::transactions::{NewTransaction, add, tx_json};
use super::{Shared, webhooks};

pub(crate) fn handle(
    shared: &Arc<Shared>,
    method: &Method,
    segs: &[&str],
    body: &[u8],
) -> Response {
    match (method, segs) {
        (&Method::GET, ["clock"]) => {
            json_response(StatusCode::OK, &json!({ "now": time(shared.lock().now) }))
        }
        (&Method::POST, ["clock", "advance"]) => {
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let Some(secs) = v["seconds"].as_i64().filter(|s| *s >= 0) else {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "seconds must be a non-negative integer",
                    Some("seconds"),
                );
            };
            let (changed, now) = advance(shared, Duration::seconds(secs));
            json_response(
                StatusCode::OK,
                &json!({ "now": time(now), "changed": changed }),
            )
        }
        (&Method::POST, ["transactions"]) => {
            let n: NewTransaction = match serde_json::from_slice(body) {
                Ok(n) => n,
                Err(e) => {
                    return error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid",
                        &format!("the transaction could not be read: {e}"),
                        None,
                    );
                }
            };
            match add_transaction(shared, &n) {
                Ok(v) => json_response(StatusCode::CREATED, &v),
                Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &e, None),
            }
        }
        (&Method::GET, ["deliveries"]) => {
            let d = shared.lock().deliveries.clone();
            json_response(StatusCode::OK, &json!({ "deliveries": d }))
        }
        _ => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "Unknown sandbox endpoint",
            None,
        ),
    }
}

/// Moves the clock; announces every status change. Returns the changed `transaction_id`s.
pub(crate) fn advance(
    shared: &Arc<Shared>,
    by: Duration,
) -> (Vec<String>, chrono::DateTime<chrono::Utc>) {
    let mut pending = Vec::new();
    let (ids, now) = {
        let mut s = shared.lock();
        let changed = s.advance(by);
        for i in &changed {
            webhooks::queue(&mut s, *i, "updated", &mut pending);
        }
        let ids = changed
            .iter()
            .map(|i| s.transactions[*i].transaction_id.clone())
            .collect();
        (ids, s.now)
    };
    webhooks::deliver(shared, pending);
    (ids, now)
}

/// Adds a transaction and announces it; returns it as the API shows it.
pub(crate) fn add_transaction(shared: &Arc<Shared>, n: &NewTransaction) -> Result<Value, String> {
    let mut pending = Vec::new();
    let v = {
        let mut s = shared.lock();
        let (i, changed) = add(&mut s, n)?;
        webhooks::queue(&mut s, i, "created", &mut pending);
        for c in changed.into_iter().filter(|c| *c != i) {
            webhooks::queue(&mut s, c, "updated", &mut pending);
        }
        tx_json(&s, &s.transactions[i])
    };
    webhooks::deliver(shared, pending);
    Ok(v)
}
