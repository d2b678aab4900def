//! Request handling for the Gmail simulator.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::{GmailMessage, Shared};
use crate::http::{bearer, body_bytes, json_response, mime_header, opaque_token};

/// Cost of `messages.send` in quota units.
const SEND_COST: u32 = 100;
const PROFILE_COST: u32 = 1;

/// Google's error body.
fn error(
    status: StatusCode,
    message: &str,
    domain: &str,
    reason: &str,
    google_status: &str,
) -> Response {
    json_response(
        status,
        &json!({"error": {"code": status.as_u16(), "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
            "status": google_status}}),
    )
}

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let Some(bytes) = body_bytes(body).await else {
        return error(
            StatusCode::BAD_REQUEST,
            "Body unreadable",
            "global",
            "badRequest",
            "INVALID_ARGUMENT",
        );
    };
    let seg: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (parts.method.clone(), seg.as_slice()) {
        (Method::POST, ["token"]) => token(&shared, &bytes),
        (m, ["gmail", "v1", "users", user, rest @ ..]) => {
            shared.lock().requests += 1;
            api(&shared, &m, user, rest, &parts.headers, &bytes)
        }
        _ => error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "global",
            "notFound",
            "NOT_FOUND",
        ),
    }
}

fn token(shared: &Shared, body: &[u8]) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let oauth = |status: StatusCode, e: &str, d: &str| {
        json_response(status, &json!({"error": e, "error_description": d}))
    };
    if get("grant_type") != Some("refresh_token") {
        return oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Invalid grant_type: ",
        );
    }
    let Some(client) = shared
        .config
        .clients
        .iter()
        .find(|c| Some(c.client_id.as_str()) == get("client_id"))
    else {
        return oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        );
    };
    if get("client_secret") != Some(client.client_secret.as_str()) {
        return oauth(StatusCode::UNAUTHORIZED, "invalid_client", "Unauthorized");
    }
    let Some((_, user)) = client
        .refresh_tokens
        .iter()
        .find(|(t, _)| Some(t.as_str()) == get("refresh_token"))
    else {
        return oauth(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Token has been expired or revoked.",
        );
    };
    let t = opaque_token("ya29.");
    let lifetime = shared.config.token_lifetime_secs;
    let mut s = shared.lock();
    s.tokens.insert(
        t.clone(),
        (user.clone(), Instant::now() + Duration::from_secs(lifetime)),
    );
    s.tokens_issued += 1;
    json_response(
        StatusCode::OK,
        &json!({"access_token": t, "expires_in": lifetime, "scope": "https://www.googleapis.com/auth/gmail.send", "token_type": "Bearer"}),
    )
}

fn api(
    shared: &Shared,
    method: &Method,
    user: &str,
    rest: &[&str],
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Response {
    let unauthenticated = || {
        json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"error": {"code": 401,
                "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError", "location": "Authorization", "locationType": "header"}],
                "status": "UNAUTHENTICATED"}}),
        )
    };
    let Some(token) = bearer(headers) else {
        return unauthenticated();
    };
    let owner = {
        let s = shared.lock();
        match s.tokens.get(&token) {
            Some((owner, until)) if Instant::now() < *until => owner.clone(),
            _ => return unauthenticated(),
        }
    };
    if user != "me" && !user.eq_ignore_ascii_case(&owner) {
        return error(
            StatusCode::FORBIDDEN,
            "Delegation denied for this user",
            "global",
            "forbidden",
            "PERMISSION_DENIED",
        );
    }
    let cost = match (method, rest) {
        (&Method::GET, ["profile"]) => PROFILE_COST,
        (&Method::POST, ["messages", "send"]) => SEND_COST,
        _ => {
            return error(
                StatusCode::NOT_FOUND,
                "Not Found",
                "global",
                "notFound",
                "NOT_FOUND",
            );
        }
    };
    // Quota: failures the test asked for, then units per user per minute.
    {
        let mut s = shared.lock();
        if !s.fail_next.is_empty() {
            let (status, reason) = s.fail_next.remove(0);
            s.throttled += 1;
            return quota_error(status, reason);
        }
        let now = Instant::now();
        let limit = shared.config.units_per_user_minute;
        let entry = s.units.entry(owner.clone()).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        if entry.1 + cost > limit {
            s.throttled += 1;
            return quota_error(shared.config.quota_status, "userRateLimitExceeded");
        }
        entry.1 += cost;
    }
    if cost == PROFILE_COST {
        let s = shared.lock();
        let total = s.sent.iter().filter(|m| m.user == owner).count();
        return json_response(
            StatusCode::OK,
            &json!({"emailAddress": owner, "messagesTotal": total, "threadsTotal": total, "historyId": "1000"}),
        );
    }
    send(shared, &owner, body)
}

fn quota_error(status: u16, reason: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
    let message = if reason == "rateLimitExceeded" {
        "Rate Limit Exceeded"
    } else {
        "User-rate limit exceeded"
    };
    error(status, message, "usageLimits", reason, "RESOURCE_EXHAUSTED")
}

fn send(shared: &Shared, owner: &str, body: &[u8]) -> Response {
    let invalid = |m: &str| {
        error(
            StatusCode::BAD_REQUEST,
            m,
            "global",
            "invalidArgument",
            "INVALID_ARGUMENT",
        )
    };
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return invalid("Invalid JSON payload received.");
    };
    let Some(raw) = v["raw"].as_str() else {
        return invalid(
            "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        );
    };
    let Some(bytes) = URL_SAFE_NO_PAD
        .decode(raw.trim_end_matches('='))
        .ok()
        .or_else(|| URL_SAFE.decode(raw).ok())
    else {
        return invalid("Invalid value for ByteString");
    };
    if mime_header(&bytes, "To").is_none()
        && mime_header(&bytes, "Cc").is_none()
        && mime_header(&bytes, "Bcc").is_none()
    {
        return invalid("Recipient address required");
    }
    let mut s = shared.lock();
    s.next_id += 1;
    let id = format!("18c{:013x}", s.next_id);
    let requested = v["threadId"].as_str().map(str::to_owned);
    let thread_id = match &requested {
        Some(t) => {
            if !s.sent.iter().any(|m| &m.thread_id == t && m.user == owner) {
                return error(
                    StatusCode::NOT_FOUND,
                    "Requested entity was not found.",
                    "global",
                    "notFound",
                    "NOT_FOUND",
                );
            }
            let threaded = mime_header(&bytes, "References").is_some()
                || mime_header(&bytes, "In-Reply-To").is_some();
            if threaded { t.clone() } else { id.clone() }
        }
        None => id.clone(),
    };
    s.sent.push(GmailMessage {
        id: id.clone(),
        thread_id: thread_id.clone(),
        user: owner.to_owned(),
        raw: bytes,
        requested_thread: requested,
    });
    json_response(
        StatusCode::OK,
        &json!({"id": id, "threadId": thread_id, "labelIds": ["SENT"]}),
    )
}
