//! Incoming Qonto webhooks: the signature check and the typed `v1/transactions` event.
//!
//! Qonto signs every delivery with `X-Qonto-Signature: t=<unix seconds>,v1=<hex>` where
//! `v1 = lowercase hex(HMAC-SHA256(key = the subscription's secret, msg = "<t>.<raw body>"))`.
//! The check works on the raw bytes (never re-serialize the body), compares in constant time,
//! tolerates several `v1` values (secret rotation) and refuses timestamps older than five
//! minutes or further in the future than a small clock skew, so a captured delivery cannot be
//! replayed later. Deliveries may arrive twice: handle them idempotently by event `id`.
//!
//! The older Onboarding API signs differently (`Qonto-SHA256-Signature`, body only); it is not
//! accepted here.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2_011::Sha256;

use super::model::{Side, TransactionStatus};

/// The header carrying the signature (lower-case, as HTTP libraries normalise it).
pub const SIGNATURE_HEADER: &str = "x-qonto-signature";
/// Oldest accepted signature.
pub const MAX_AGE: chrono::Duration = chrono::Duration::minutes(5);
/// How far in the future a timestamp may be (clocks differ a little).
pub const MAX_SKEW: chrono::Duration = chrono::Duration::seconds(30);
/// The webhook type of transaction events.
pub const TRANSACTIONS_TYPE: &str = "v1/transactions";

/// Why a delivery was refused. None of the variants carries the secret or the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error(
        "the X-Qonto-Signature header is malformed ({0}); expected `t=<unix seconds>,v1=<hex>`"
    )]
    Malformed(String),
    #[error(
        "the signature does not match the body: the delivery was altered, or the subscription secret stored in encaisse is not this subscription's"
    )]
    Mismatch,
    #[error(
        "the signature is {age_seconds} s old (more than 5 minutes): a replayed or long-delayed delivery; Qonto will retry with a fresh one"
    )]
    Stale { age_seconds: i64 },
    #[error(
        "the signature is dated {ahead_seconds} s in the future: check this server's clock (NTP)"
    )]
    FromFuture { ahead_seconds: i64 },
    #[error("the webhook body could not be read: {0}")]
    Body(String),
}

type HmacSha256 = Hmac<Sha256>;

/// `v1` of a body signed at `timestamp` (what Qonto computes; used by tests and simulators).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

/// The full header value Qonto would send.
pub fn signature_header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; this cannot fail.
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// Checks a delivery: `header_value` is `X-Qonto-Signature`, `body` the raw bytes received,
/// `secret` the subscription's secret, `now` the receiver's clock.
pub fn verify_webhook_signature(
    header_value: &str,
    body: &[u8],
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let mut timestamp: Option<i64> = None;
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    let mut saw_v1 = false;
    for part in header_value.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((k, v)) = part.split_once('=') else {
            return Err(WebhookError::Malformed(format!(
                "`{}` has no `=`",
                part.chars().take(20).collect::<String>()
            )));
        };
        match k.trim() {
            "t" => {
                if timestamp.is_some() {
                    return Err(WebhookError::Malformed("two `t` values".into()));
                }
                let t = v.trim().parse::<i64>().map_err(|_| {
                    WebhookError::Malformed("`t` is not a number of seconds".into())
                })?;
                timestamp = Some(t);
            }
            "v1" => {
                saw_v1 = true;
                // A value that is not hex cannot match; others may still.
                if let Ok(bytes) = hex::decode(v.trim()) {
                    candidates.push(bytes);
                }
            }
            // Other schemes (a future `v2`) are ignored, as Stripe-style headers intend.
            _ => {}
        }
    }
    let t = timestamp.ok_or_else(|| WebhookError::Malformed("no `t`".into()))?;
    if !saw_v1 {
        return Err(WebhookError::Malformed("no `v1`".into()));
    }
    let expected = mac(secret, t, body);
    // verify_slice compares in constant time.
    let matched = candidates
        .iter()
        .any(|c| expected.clone().verify_slice(c).is_ok());
    if !matched {
        return Err(WebhookError::Mismatch);
    }
    let age = now.timestamp().saturating_sub(t);
    if age > MAX_AGE.num_seconds() {
        return Err(WebhookError::Stale { age_seconds: age });
    }
    if -age > MAX_SKEW.num_seconds() {
        return Err(WebhookError::FromFuture {
            ahead_seconds: -age,
        });
    }
    Ok(())
}

/// `data.event` of a transaction event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionEventKind {
    Created,
    Updated,
    #[serde(other)]
    Other,
}

/// The transaction fields a `v1/transactions` event carries. The subset may differ from the
/// REST object, and amounts come as floats: treat the event as a trigger and take amounts
/// from `GET /v2/transactions/{id}` or the next incremental sync, never from here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionEventData {
    pub event: TransactionEventKind,
    /// Qonto's UUID of the transaction.
    pub id: String,
    #[serde(default)]
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub amount_cents: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub side: Option<Side>,
    #[serde(default)]
    pub status: Option<TransactionStatus>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub clean_counterparty_name: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub settled_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub emitted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// A `v1/transactions` delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionEvent {
    /// The event id: the idempotency key of the handler (deliveries are retried).
    pub id: String,
    #[serde(default)]
    pub subscription_id: Option<String>,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub membership_id: Option<String>,
    #[serde(rename = "type")]
    pub event_type: String,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    pub data: TransactionEventData,
}

/// Reads a verified body as a `v1/transactions` event.
pub fn parse_transaction_event(body: &[u8]) -> Result<TransactionEvent, WebhookError> {
    let event: TransactionEvent =
        serde_json::from_slice(body).map_err(|e| WebhookError::Body(e.to_string()))?;
    if event.event_type != TRANSACTIONS_TYPE {
        return Err(WebhookError::Body(format!(
            "type is `{}`, expected `{TRANSACTIONS_TYPE}`",
            event.event_type.chars().take(40).collect::<String>()
        )));
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(t: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(t, 0).unwrap()
    }

    #[test]
    fn the_documented_test_vector_verifies() {
        let h = "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";
        assert_eq!(
            sign("test-secret", 1_704_110_400, br#"{"test":"data"}"#),
            "56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
        );
        assert_eq!(
            verify_webhook_signature(h, br#"{"test":"data"}"#, "test-secret", at(1_704_110_460)),
            Ok(())
        );
    }

    #[test]
    fn stale_future_tampered_and_malformed_deliveries_are_refused() {
        let body = br#"{"test":"data"}"#;
        let h = signature_header("s3cret", 1000, body);
        assert_eq!(
            verify_webhook_signature(&h, body, "s3cret", at(1000 + 301)),
            Err(WebhookError::Stale { age_seconds: 301 })
        );
        assert_eq!(
            verify_webhook_signature(&h, body, "s3cret", at(1300)),
            Ok(())
        );
        assert_eq!(
            verify_webhook_signature(&h, body, "s3cret", at(1000 - 31)),
            Err(WebhookError::FromFuture { ahead_seconds: 31 })
        );
        assert_eq!(
            verify_webhook_signature(&h, br#"{"test":"datb"}"#, "s3cret", at(1000)),
            Err(WebhookError::Mismatch)
        );
        assert_eq!(
            verify_webhook_signature(&h, body, "other", at(1000)),
            Err(WebhookError::Mismatch)
        );
        for bad in [
            "",
            "v1=00",
            "t=1000",
            "t=abc,v1=00",
            "t=1,t=2,v1=00",
            "garbage",
        ] {
            assert!(
                matches!(
                    verify_webhook_signature(bad, body, "s3cret", at(1000)),
                    Err(WebhookError::Malformed(_))
                ),
                "{bad}"
            );
        }
        // The timestamp is part of what is signed: moving it breaks the signature.
        let moved = h.replace("t=1000", "t=1200");
        assert_eq!(
            verify_webhook_signature(&moved, body, "s3cret", at(1200)),
            Err(WebhookError::Mismatch)
        );
    }

    #[test]
    fn several_v1_values_and_spaces_are_tolerated() {
        let body = b"{}";
        let good = sign("k", 50, body);
        let h = format!(
            "t=50, v1=zz-not-hex, v1={}, v1={good}, v0=abc",
            "00".repeat(32)
        );
        assert_eq!(verify_webhook_signature(&h, body, "k", at(60)), Ok(()));
    }

    #[test]
    fn a_transaction_event_is_typed() {
        let body = br#"{"id":"evt-1","subscription_id":"sub-1","organization_id":"org-1","membership_id":"m",
          "type":"v1/transactions","created_at":"2025-03-04T09:12:06Z",
          "data":{"event":"created","id":"tx-uuid","transaction_id":"acme-t-42","amount":1500.0,"currency":"EUR",
          "side":"credit","status":"pending","reference":"INV-2025-0042","updated_at":"2025-03-04T09:12:05Z","attachment_ids":[]}}"#;
        let e = parse_transaction_event(body).unwrap();
        assert_eq!(e.id, "evt-1");
        assert_eq!(e.data.event, TransactionEventKind::Created);
        assert_eq!(e.data.status, Some(TransactionStatus::Pending));
        assert_eq!(e.data.transaction_id.as_deref(), Some("acme-t-42"));
        let other = br#"{"id":"e","type":"v1/cards","data":{"event":"created","id":"c"}}"#;
        assert!(matches!(
            parse_transaction_event(other),
            Err(WebhookError::Body(_))
        ));
    }

    proptest! {
        #[test]
        fn any_signed_body_verifies_and_any_change_is_refused(
            body in proptest::collection::vec(any::<u8>(), 0..200),
            secret in "[ -~]{1,40}",
            t in 1_600_000_000i64..2_000_000_000,
            age in 0i64..=300,
            flip in any::<prop::sample::Index>(),
        ) {
            let h = signature_header(&secret, t, &body);
            prop_assert_eq!(verify_webhook_signature(&h, &body, &secret, at(t + age)), Ok(()));
            if !body.is_empty() {
                let mut tampered = body.clone();
                let i = flip.index(tampered.len());
                tampered[i] ^= 0x01;
                prop_assert_eq!(
                    verify_webhook_signature(&h, &tampered, &secret, at(t + age)),
                    Err(WebhookError::Mismatch)
                );
            }
            prop_assert!(verify_webhook_signature(&h, &body, &secret, at(t + 301 + age)).is_err());
        }

        #[test]
        fn arbitrary_headers_never_panic(h in ".{0,120}", body in proptest::collection::vec(any::<u8>(), 0..50)) {
            let _ = verify_webhook_signature(&h, &body, "k", at(0));
        }
    }
}
