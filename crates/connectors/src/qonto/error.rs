//! Errors of the Qonto client: each names the endpoint and the status, and says what to do
//! (bad key, expired or revoked token, missing scope, wrong environment…). Secrets never
//! appear in them.

use crate::transport::TransportError;

use super::model::ErrorBody;

/// How the client was authenticating when the call failed (chooses the advice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    ApiKey,
    OAuth,
    /// Calls to the OAuth server itself (token endpoint).
    OAuthServer,
}

/// A failed Qonto call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Qonto {endpoint} ({environment}): {what}. {hint}")]
pub struct QontoError {
    /// `GET /v2/transactions`, with ids in place of placeholders.
    pub endpoint: String,
    /// `production`, `staging` or the custom base URL.
    pub environment: String,
    /// HTTP status, when Qonto answered.
    pub status: Option<u16>,
    /// Qonto's error code (`not_found`, `invalid_grant`…), when its body had one.
    pub code: Option<String>,
    /// Qonto's `trace_id`, to quote to their support.
    pub trace_id: Option<String>,
    /// What happened.
    pub what: String,
    /// What to do about it.
    pub hint: String,
}

impl QontoError {
    /// Retrying the same request cannot help (refused credentials, a bad request…).
    pub fn is_permanent(&self) -> bool {
        matches!(self.status, Some(s) if (400..500).contains(&s) && s != 429)
    }

    /// The credentials were refused (401), or the OAuth grant is no longer valid: the user
    /// must reconnect.
    pub fn needs_reconnection(&self) -> bool {
        self.status == Some(401)
            || matches!(
                self.code.as_deref(),
                Some("invalid_grant" | "invalid_client")
            )
    }

    pub(crate) fn transport(endpoint: &str, environment: &str, e: TransportError) -> Self {
        QontoError {
            endpoint: endpoint.to_owned(),
            environment: environment.to_owned(),
            status: None,
            code: None,
            trace_id: None,
            what: e.to_string(),
            hint: "check the network and the base URL (production https://thirdparty.qonto.com, staging https://thirdparty-sandbox.staging.qonto.co)".into(),
        }
    }

    pub(crate) fn decode(endpoint: &str, environment: &str, detail: String) -> Self {
        QontoError {
            endpoint: endpoint.to_owned(),
            environment: environment.to_owned(),
            status: Some(200),
            code: None,
            trace_id: None,
            what: format!("the answer could not be read ({detail})"),
            hint: "the base URL may point at something that is not Qonto's Business API; check it"
                .into(),
        }
    }

    pub(crate) fn local(endpoint: &str, environment: &str, what: String, hint: &str) -> Self {
        QontoError {
            endpoint: endpoint.to_owned(),
            environment: environment.to_owned(),
            status: None,
            code: None,
            trace_id: None,
            what,
            hint: hint.to_owned(),
        }
    }

    /// An error answer, interpreted.
    pub(crate) fn from_answer(
        endpoint: &str,
        environment: &str,
        mode: AuthMode,
        status: u16,
        text: &str,
        attempts: u32,
    ) -> Self {
        let body: ErrorBody = serde_json::from_str(text).unwrap_or_default();
        let first = body.errors.first().cloned().unwrap_or_default();
        let code = first.code.clone().or(body.error.clone());
        let detail = first
            .detail
            .clone()
            .or(body.error_description.clone())
            .unwrap_or_else(|| text.trim().chars().take(300).collect());
        let source = first.source.as_ref().and_then(|s| {
            s.get("parameter")
                .or_else(|| s.get("pointer"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        let trace_id = body.trace_id.clone().or(first.trace_id.clone());
        let staging = environment == "staging";
        let hint = match (status, mode, code.as_deref()) {
            (400 | 401, AuthMode::OAuthServer, Some("invalid_grant")) => "the authorization code or refresh token was refused (expired, already used, or issued to another client or environment): connect Qonto again".to_owned(),
            (400 | 401, AuthMode::OAuthServer, Some("invalid_client")) => "the OAuth client id or secret was refused: check them in the Qonto developer portal (staging and production clients differ)".to_owned(),
            (_, AuthMode::OAuthServer, _) => "the OAuth server refused the request; the message above says why".to_owned(),
            (401, _, _) if staging && detail.to_ascii_lowercase().contains("staging") => "the staging environment needs the X-Qonto-Staging-Token from the Qonto developer portal: set it, or use the production environment for production credentials".to_owned(),
            (401, AuthMode::ApiKey, _) => format!(
                "the API key was refused: check the organization login and secret key (Qonto → Settings → Integrations & Partnerships → API key); the header is `login:secret-key`. Keys of {} do not work on {}",
                if staging { "production" } else { "the staging sandbox" },
                if staging { "staging" } else { "production" }
            ),
            (401, AuthMode::OAuth, _) => "the access token was refused even after a refresh (revoked, or issued for the other environment): connect Qonto again".to_owned(),
            (403, AuthMode::ApiKey, _) => "this endpoint needs OAuth: API keys are read-only and cannot manage webhook subscriptions; connect Qonto with OAuth".to_owned(),
            (403, _, _) => "a scope is missing (the message names it): connect Qonto again asking for it (transactions need `organization.read`, webhook subscriptions need `webhook`)".to_owned(),
            (404, _, _) => "not found: check the id (a bank account, transaction or subscription of another organization or environment is not visible)".to_owned(),
            (422, _, _) => format!(
                "a parameter was refused{}: this is most likely a bug in encaisse, please report it",
                source.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
            ),
            (428, _, _) => "Qonto asks for Strong Customer Authentication; encaisse only reads and should not see this, please report it".to_owned(),
            (429, _, _) => format!("Qonto still answered 429 Too Many Requests after {attempts} attempts (limits: 1,000 requests per 10 s and 10,000 per 10 min per IP; 200 answers 401 per hour throttle too): run the sync later"),
            (s, _, _) if s >= 500 => format!("Qonto is failing ({s}) after {attempts} attempts; try again later{}", trace_id.as_deref().map(|t| format!(" (trace id {t} for Qonto support)")).unwrap_or_default()),
            _ => "the request was refused; the message above says why".to_owned(),
        };
        QontoError {
            endpoint: endpoint.to_owned(),
            environment: environment.to_owned(),
            status: Some(status),
            what: match &code {
                Some(c) => format!("answered {status} ({c}: {detail})"),
                None => format!("answered {status} ({detail})"),
            },
            code,
            trace_id,
            hint,
        }
    }
}
