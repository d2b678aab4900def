//! Incoming Clockify webhooks. Clockify's "signature" is a static token (a JWT that never
//! expires) equal to the webhook's `authToken`, sent as `Clockify-Signature` — not an HMAC of
//! the body, so there is no replay protection: deduplicate by event and content. encaisse
//! keeps only the token's SHA-256 and compares digests in constant time.

use sha2::{Digest, Sha256};

/// Header carrying the webhook's token.
pub const SIGNATURE_HEADER: &str = "clockify-signature";
/// Header carrying the event type (`NEW_TIME_ENTRY`, …).
pub const EVENT_TYPE_HEADER: &str = "clockify-webhook-event-type";

/// Time-entry events encaisse listens to.
pub const TIME_ENTRY_EVENTS: [&str; 5] = [
    "NEW_TIME_ENTRY",
    "TIME_ENTRY_UPDATED",
    "TIME_ENTRY_DELETED",
    "TIME_ENTRY_RESTORED",
    "TIMER_STOPPED",
];

/// What is stored of a webhook token.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Whether `presented` is the token whose digest is `stored_digest`, in time independent of
/// where they differ.
pub fn token_matches(stored_digest: &str, presented: &str) -> bool {
    constant_time_eq(
        token_digest(presented).as_bytes(),
        stored_digest.trim().to_ascii_lowercase().as_bytes(),
    )
}

/// Equality whose duration does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_matches() {
        let d = token_digest("eyJhbGciOiJSUzI1NiJ9.abc.def");
        assert!(token_matches(&d, "eyJhbGciOiJSUzI1NiJ9.abc.def"));
        assert!(!token_matches(&d, "eyJhbGciOiJSUzI1NiJ9.abc.deg"));
        assert!(!token_matches(&d, ""));
        assert!(!token_matches("", "x"));
    }
}
