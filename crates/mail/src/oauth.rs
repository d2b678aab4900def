//! OAuth 2.0 bearer tokens for Graph and Gmail: a token given by the caller (delegated), the
//! client-credentials grant (Microsoft identity platform), or a refresh token exchanged for
//! access tokens (Google). Tokens are cached until shortly before they expire and dropped
//! when the API answers 401.
//!
//! Hand-rolled on the shared HTTP transport rather than the `oauth2` crate: both grants are
//! one form POST, and `oauth2`'s HTTP integration would bring a second reqwest.

use std::time::{Duration, Instant};

use encaisse_connectors::transport::Transport as Http;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

/// Where a bearer token comes from.
pub enum TokenGrant {
    /// A token obtained elsewhere (a delegated sign-in); used as is.
    Given(SecretString),
    /// `grant_type=client_credentials` with `scope`.
    ClientCredentials {
        token_url: String,
        client_id: String,
        client_secret: SecretString,
        scope: String,
    },
    /// `grant_type=refresh_token`.
    RefreshToken {
        token_url: String,
        client_id: String,
        client_secret: SecretString,
        refresh_token: SecretString,
    },
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenGrant::Given(_) => f.write_str("Given([redacted])"),
            TokenGrant::ClientCredentials {
                token_url,
                client_id,
                ..
            } => write!(f, "ClientCredentials({token_url}, {client_id}, [redacted])"),
            TokenGrant::RefreshToken {
                token_url,
                client_id,
                ..
            } => write!(f, "RefreshToken({token_url}, {client_id}, [redacted])"),
        }
    }
}

/// Why no token could be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    #[error(
        "the token endpoint refused the credentials ({status}: {detail}); check the client id, secret{refresh} and tenant"
    )]
    Refused {
        status: u16,
        detail: String,
        refresh: &'static str,
    },
    #[error("the token endpoint could not be reached: {0}")]
    Unreachable(String),
    #[error("the token endpoint answered something that is not a token: {0}")]
    Malformed(String),
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// A cached bearer token.
#[derive(Debug)]
pub struct TokenSource {
    grant: TokenGrant,
    cached: Mutex<Option<(SecretString, Instant)>>,
}

impl TokenSource {
    pub fn new(grant: TokenGrant) -> TokenSource {
        TokenSource {
            grant,
            cached: Mutex::new(None),
        }
    }

    /// A valid access token, fetched when none is cached or it expires within a minute.
    pub async fn bearer(&self, http: &Http) -> Result<SecretString, TokenError> {
        let (token_url, form, refresh) = match &self.grant {
            TokenGrant::Given(t) => return Ok(t.clone()),
            TokenGrant::ClientCredentials {
                token_url,
                client_id,
                client_secret,
                scope,
            } => (
                token_url,
                vec![
                    ("grant_type", "client_credentials".to_owned()),
                    ("client_id", client_id.clone()),
                    ("client_secret", client_secret.expose_secret().to_owned()),
                    ("scope", scope.clone()),
                ],
                "",
            ),
            TokenGrant::RefreshToken {
                token_url,
                client_id,
                client_secret,
                refresh_token,
            } => (
                token_url,
                vec![
                    ("grant_type", "refresh_token".to_owned()),
                    ("client_id", client_id.clone()),
                    ("client_secret", client_secret.expose_secret().to_owned()),
                    ("refresh_token", refresh_token.expose_secret().to_owned()),
                ],
                ", refresh token",
            ),
        };
        let mut cached = self.cached.lock().await;
        if let Some((t, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(t.clone());
        }
        let resp = http
            .send(|c| c.post(token_url.as_str()).form(&form))
            .await
            .map_err(|e| TokenError::Unreachable(e.to_string()))?;
        let status = resp.status();
        let body = resp
            .text()
            .await
            .map_err(|e| TokenError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            return Err(TokenError::Refused {
                status: status.as_u16(),
                detail: oauth_error(&body),
                refresh,
            });
        }
        let answer: TokenAnswer =
            serde_json::from_str(&body).map_err(|e| TokenError::Malformed(e.to_string()))?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600));
        let until = Instant::now() + lifetime.saturating_sub(Duration::from_secs(60));
        let token = SecretString::from(answer.access_token);
        *cached = Some((token.clone(), until));
        Ok(token)
    }

    /// Forgets the cached token (after a 401).
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    /// Whether a new token can be fetched (a given token cannot).
    pub fn renewable(&self) -> bool {
        !matches!(self.grant, TokenGrant::Given(_))
    }
}

/// `error` and `error_description` of an OAuth error body (never the request's secrets).
fn oauth_error(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let code = v.get("error").and_then(|e| e.as_str()).unwrap_or("error");
    match v.get("error_description").and_then(|e| e.as_str()) {
        Some(d) => format!("{code}: {d}"),
        None => code.to_owned(),
    }
}
