//! Errors of the Clockify client: each names the workspace, the endpoint and the status, and
//! says what to do.

use crate::transport::TransportError;

/// A failed Clockify call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Clockify {endpoint}{}: {what}. {hint}", workspace.as_ref().map(|w| format!(" (workspace {w})")).unwrap_or_default())]
pub struct ClockifyError {
    /// `GET /v1/workspaces/{ws}/projects`, with ids in place of the placeholders.
    pub endpoint: String,
    pub workspace: Option<String>,
    /// HTTP status, when Clockify answered.
    pub status: Option<u16>,
    /// Clockify's numeric error code, when its body had one.
    pub code: Option<i64>,
    /// What happened.
    pub what: String,
    /// What to do about it.
    pub hint: String,
}

impl ClockifyError {
    /// Retrying the same request cannot help (a refused key, a bad request…).
    pub fn is_permanent(&self) -> bool {
        matches!(self.status, Some(s) if (400..500).contains(&s) && s != 429)
    }

    /// The API key was refused.
    pub fn is_unauthorized(&self) -> bool {
        self.status == Some(401)
    }

    pub(crate) fn transport(
        endpoint: &str,
        workspace: Option<&str>,
        base: &str,
        e: TransportError,
    ) -> Self {
        ClockifyError {
            endpoint: endpoint.to_owned(),
            workspace: workspace.map(str::to_owned),
            status: None,
            code: None,
            what: format!("{e} at {base}"),
            hint: "check the network and the base URLs (global https://api.clockify.me/api, EU https://euc1.clockify.me/api…)".into(),
        }
    }

    pub(crate) fn decode(endpoint: &str, workspace: Option<&str>, detail: String) -> Self {
        ClockifyError {
            endpoint: endpoint.to_owned(),
            workspace: workspace.map(str::to_owned),
            status: Some(200),
            code: None,
            what: format!("the answer could not be read ({detail})"),
            hint: "the base URL may point at something that is not Clockify's API; check it".into(),
        }
    }

    /// An error answer, interpreted.
    pub(crate) fn from_answer(
        endpoint: &str,
        workspace: Option<&str>,
        status: u16,
        code: Option<i64>,
        message: &str,
        attempts: u32,
    ) -> Self {
        let hint = match (status, code) {
            (401, Some(1000)) => "exactly one authentication header must be sent; this is a bug in encaisse, please report it".to_owned(),
            (401, _) => "the API key was refused: check it in Clockify under Profile settings → API. A key works only on its own region (EU euc1, USA use2, UK euw2, AU apse2): set the regional base URL if the workspace lives there; a workspace on a subdomain needs a key made for it".to_owned(),
            (403, _) => "access denied: the workspace may be archived (restore it in Clockify) or the key's user lacks the rights (the detailed report needs a workspace admin)".to_owned(),
            (404, _) | (400, Some(501)) => "not found: check the workspace id (encaisse sync clockify lists the key's workspaces); a workspace on a regional server is only visible through the regional base URL".to_owned(),
            (429, _) => format!("Clockify still answered 429 Too Many Requests after {attempts} attempts: lower the request rate or run the sync later"),
            (s, _) if s >= 500 => format!("Clockify is failing ({s}) after {attempts} attempts; try again later"),
            _ => "the request was refused; the message above says why".to_owned(),
        };
        let msg = if message.trim().is_empty() {
            "no message".to_owned()
        } else {
            message.trim().chars().take(300).collect()
        };
        ClockifyError {
            endpoint: endpoint.to_owned(),
            workspace: workspace.map(str::to_owned),
            status: Some(status),
            code,
            what: match code {
                Some(c) => format!("answered {status} (code {c}: {msg})"),
                None => format!("answered {status} ({msg})"),
            },
            hint,
        }
    }
}
