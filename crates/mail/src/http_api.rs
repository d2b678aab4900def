//! What Graph and Gmail share: a bearer-authenticated request through the connectors' retry
//! transport (429/5xx and `Retry-After` handled there, once), one token refresh on 401, and
//! the mapping of an HTTP answer to a [`SendError`].

use std::time::Duration;

use encaisse_connectors::transport::{
    Classified, Transport as Http, TransportError, is_retryable_status, retry_after,
};
use reqwest::{RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};

use crate::oauth::{TokenError, TokenSource};
use crate::transport::SendError;

/// An answer, read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub retry_after: Option<Duration>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }
}

pub(crate) fn token_failure(e: TokenError) -> SendError {
    // The message is fine; the credentials are not: retrying after they are fixed will work.
    SendError::temporary(e.to_string())
}

pub(crate) fn unreachable(service: &str, e: TransportError) -> SendError {
    SendError::temporary(format!("{service} could not be reached: {e}"))
}

/// Sends with the bearer token; on 401 fetches a new token and tries once more.
/// `extra_retryable` marks answers beyond 429/5xx that mean "slow down" (Gmail's 403 quota).
pub(crate) async fn authorized(
    http: &Http,
    tokens: &TokenSource,
    service: &str,
    build: impl Fn(&reqwest::Client, &str) -> RequestBuilder,
    extra_retryable: fn(StatusCode, &str) -> bool,
) -> Result<Answer, SendError> {
    let mut refreshed = false;
    loop {
        let token: SecretString = tokens.bearer(http).await.map_err(token_failure)?;
        let answer = read(http, |c| build(c, token.expose_secret()), extra_retryable)
            .await
            .map_err(|e| unreachable(service, e))?;
        if answer.status == StatusCode::UNAUTHORIZED && tokens.renewable() && !refreshed {
            tokens.invalidate().await;
            refreshed = true;
            continue;
        }
        return Ok(answer);
    }
}

/// Sends without authentication (pre-authenticated upload URLs).
pub(crate) async fn read(
    http: &Http,
    build: impl Fn(&reqwest::Client) -> RequestBuilder,
    extra_retryable: fn(StatusCode, &str) -> bool,
) -> Result<Answer, TransportError> {
    http.send_classified(build, |resp| async move {
        let status = resp.status();
        let retry_after = retry_after(resp.headers(), chrono::Utc::now());
        let body = resp.text().await.unwrap_or_default();
        let retryable = is_retryable_status(status) || extra_retryable(status, &body);
        Ok(Classified {
            retryable,
            value: Answer {
                status,
                retry_after,
                body,
            },
        })
    })
    .await
}

pub(crate) fn never(_: StatusCode, _: &str) -> bool {
    false
}

/// A failed answer: still throttled or failing after the retries → temporary (with the
/// server's `Retry-After`); 401 → temporary (credentials to fix); any other 4xx → permanent.
pub(crate) fn failure(
    service: &str,
    step: &str,
    a: &Answer,
    extra: fn(StatusCode, &str) -> bool,
) -> SendError {
    let answer = format!(
        "{service} {step}: {} {}",
        a.status.as_u16(),
        error_text(&a.body)
    );
    if is_retryable_status(a.status) || extra(a.status, &a.body) {
        SendError::Temporary {
            answer,
            retry_after: a.retry_after,
        }
    } else if a.status == StatusCode::UNAUTHORIZED {
        SendError::temporary(format!(
            "{answer} (the access token was refused; check the credentials)"
        ))
    } else {
        SendError::permanent(answer)
    }
}

/// `code: message` of a Graph or Google error body, else the body itself (shortened).
pub(crate) fn error_text(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let e = &v["error"];
    let code = e["code"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| e["errors"][0]["reason"].as_str().map(str::to_owned))
        .or_else(|| e["status"].as_str().map(str::to_owned));
    match (code, e["message"].as_str()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (None, Some(m)) => m.to_owned(),
        _ => body.chars().take(300).collect(),
    }
}
