//! The Gmail API: `users.messages.send` with the whole RFC 5322 message in base64url and, for
//! a reminder, the `threadId` of the invoice's first message (returned in the receipt of that
//! first send). Access tokens come from the refresh token. Quota errors (429, and 403
//! `rateLimitExceeded`/`userRateLimitExceeded`) are retried with backoff by the shared HTTP
//! transport; any other 4xx is permanent.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use encaisse_connectors::transport::Transport as Http;
use reqwest::StatusCode;
use serde_json::json;

use crate::compose::OutgoingMessage;
use crate::http_api::{Answer, authorized, failure};
use crate::oauth::TokenSource;
use crate::transport::{SendError, SendReceipt, Transport, TransportKind};

/// Sends as one Google account.
#[derive(Debug)]
pub struct GmailTransport {
    http: Http,
    tokens: TokenSource,
    base_url: String,
    user: String,
}

/// Google's quota answers that are not 429: 403 with a rate-limit reason.
pub(crate) fn is_quota_error(status: StatusCode, body: &str) -> bool {
    if status != StatusCode::FORBIDDEN {
        return false;
    }
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    v["error"]["errors"].as_array().is_some_and(|errors| {
        errors.iter().any(|e| {
            matches!(
                e["reason"].as_str(),
                Some("rateLimitExceeded" | "userRateLimitExceeded" | "quotaExceeded")
            )
        })
    })
}

impl GmailTransport {
    /// `base_url` is `https://gmail.googleapis.com` (or a simulator's); `user` is `me` or the address.
    pub fn new(http: Http, tokens: TokenSource, base_url: &str, user: &str) -> GmailTransport {
        GmailTransport {
            http,
            tokens,
            base_url: base_url.trim_end_matches('/').to_owned(),
            user: user.to_owned(),
        }
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/gmail/v1/users/{}{rest}", self.base_url, self.user)
    }

    /// `GET users/{user}/profile`: used by the diagnosis.
    pub(crate) async fn profile(&self) -> Result<Answer, SendError> {
        let url = self.url("/profile");
        authorized(
            &self.http,
            &self.tokens,
            "Gmail",
            |c, t| c.get(&url).bearer_auth(t),
            is_quota_error,
        )
        .await
    }
}

impl Transport for GmailTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::Gmail
    }

    async fn send(&self, msg: &OutgoingMessage) -> Result<SendReceipt, SendError> {
        let mut body = json!({ "raw": URL_SAFE_NO_PAD.encode(msg.raw()) });
        if let Some(thread) = &msg.gmail_thread_id {
            body["threadId"] = json!(thread);
        }
        let url = self.url("/messages/send");
        let answer = authorized(
            &self.http,
            &self.tokens,
            "Gmail",
            |c, t| c.post(&url).bearer_auth(t).json(&body),
            is_quota_error,
        )
        .await?;
        if !answer.status.is_success() {
            return Err(failure(
                "Gmail",
                "sending the message",
                &answer,
                is_quota_error,
            ));
        }
        let sent = answer.json();
        let Some(id) = sent["id"].as_str() else {
            return Err(SendError::temporary(format!(
                "Gmail accepted the message but returned no id: {}",
                answer.body
            )));
        };
        Ok(SendReceipt {
            transport: TransportKind::Gmail,
            message_id: msg.message_id.header_value(),
            provider_id: Some(id.to_owned()),
            thread_id: sent["threadId"].as_str().map(str::to_owned),
            server_answer: format!("{} OK id={id}", answer.status.as_u16()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_errors_are_told_from_permission_errors() {
        let quota = r#"{"error":{"code":403,"message":"User-rate limit exceeded","errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded"}]}}"#;
        let perm = r#"{"error":{"code":403,"message":"Insufficient Permission","errors":[{"domain":"global","reason":"insufficientPermissions"}]}}"#;
        assert!(is_quota_error(StatusCode::FORBIDDEN, quota));
        assert!(!is_quota_error(StatusCode::FORBIDDEN, perm));
        assert!(!is_quota_error(StatusCode::BAD_REQUEST, quota));
    }
}
