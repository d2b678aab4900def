//! The OAuth server: `GET /oauth2/auth` (auto-approves when configured, redirecting with
//! `code` and `state`), `POST /oauth2/token` (authorization code with PKCE S256 check;
//! refresh token with rotation: the used token keeps working for the grace period, 60 s by
//! default on the simulated clock, then is refused), `POST /oauth2/revoke`. Errors are
//! Hydra-style `{"error", "error_description"}`. Codes live 10 minutes, access tokens one
//! hour, refresh tokens 90 days (all configurable through the simulated clock).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Duration;
use serde_json::json;
use sha2_011::{Digest, Sha256};

use super::Shared;
use super::api::json_response;
use super::state::{AccessRec, CodeRec, QontoState, RefreshRec};

const SCOPES: [&str; 12] = [
    "offline_access",
    "openid",
    "organization.read",
    "attachment.read",
    "client.read",
    "client_invoices.read",
    "client_invoice.write",
    "supplier_invoice.read",
    "membership.read",
    "payment.write",
    "internal_transfer.write",
    "webhook",
];

fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({ "error": code, "error_description": description, "status_code": status.as_u16() }),
    )
}

fn redirect(to: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{q}")
}

pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    segs: &[&str],
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    match (method, segs) {
        (&Method::GET, ["auth"]) => authorize(shared, query),
        (&Method::POST, ["token"]) => {
            let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
            token(shared, &form, headers)
        }
        (&Method::POST, ["revoke"]) => {
            let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
            let mut s = shared.lock();
            if let Some((_, t)) = form.iter().find(|(k, _)| k == "token") {
                s.access_tokens.remove(t);
                s.refresh_tokens.remove(t);
            }
            json_response(StatusCode::OK, &json!({}))
        }
        _ => oauth_error(StatusCode::NOT_FOUND, "not_found", "Unknown OAuth endpoint"),
    }
}

fn get<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn authorize(shared: &Shared, q: &[(String, String)]) -> Response {
    let mut s = shared.lock();
    let Some(client) = get(q, "client_id")
        .and_then(|id| s.clients.iter().find(|c| c.client_id == id))
        .cloned()
    else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed (unknown client_id)",
        );
    };
    let Some(redirect_uri) =
        get(q, "redirect_uri").filter(|r| client.redirect_uris.iter().any(|u| u == r))
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The redirect_uri does not match any redirect URI registered for this client",
        );
    };
    let state = get(q, "state").unwrap_or("");
    let fail = |code: &str, d: &str| {
        redirect(&with_params(
            redirect_uri,
            &[("error", code), ("error_description", d), ("state", state)],
        ))
    };
    if get(q, "response_type") != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    if state.len() < 8 {
        return fail(
            "invalid_state",
            "The state is missing or has less than 8 characters",
        );
    }
    let scopes: Vec<String> = get(q, "scope")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if let Some(bad) = scopes.iter().find(|sc| !SCOPES.contains(&sc.as_str())) {
        return fail(
            "invalid_scope",
            &format!("The requested scope {bad} is not allowed"),
        );
    }
    let challenge = get(q, "code_challenge").map(str::to_owned);
    if challenge.is_some() && get(q, "code_challenge_method") != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    if !shared.config.auto_approve {
        return fail("access_denied", "The resource owner denied the request");
    }
    let code = s.token("qoc");
    let expires_at = s.now + Duration::minutes(10);
    s.codes.insert(
        code.clone(),
        CodeRec {
            client_id: client.client_id,
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            challenge,
            expires_at,
            used: false,
        },
    );
    redirect(&with_params(
        redirect_uri,
        &[("code", &code), ("state", state)],
    ))
}

/// Client id and secret from the body, or from HTTP Basic.
fn client_credentials(form: &[(String, String)], headers: &HeaderMap) -> Option<(String, String)> {
    if let (Some(id), Some(secret)) = (get(form, "client_id"), get(form, "client_secret")) {
        return Some((id.to_owned(), secret.to_owned()));
    }
    let basic = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(basic.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn issue(s: &mut QontoState, shared: &Shared, client_id: &str, scopes: &[String]) -> Response {
    let access = s.token("qoa");
    s.access_tokens.insert(
        access.clone(),
        AccessRec {
            client_id: client_id.to_owned(),
            scopes: scopes.to_vec(),
            expires_at: s.now + Duration::seconds(shared.config.access_token_seconds),
        },
    );
    let mut v = json!({
        "access_token": access,
        "expires_in": shared.config.access_token_seconds,
        "token_type": "bearer",
        "scope": scopes.join(" "),
    });
    if scopes.iter().any(|sc| sc == "offline_access") {
        let refresh = s.token("qor");
        s.refresh_tokens.insert(
            refresh.clone(),
            RefreshRec {
                client_id: client_id.to_owned(),
                scopes: scopes.to_vec(),
                expires_at: s.now + Duration::days(90),
                rotated_at: None,
            },
        );
        v["refresh_token"] = json!(refresh);
    }
    json_response(StatusCode::OK, &v)
}

fn token(shared: &Shared, form: &[(String, String)], headers: &HeaderMap) -> Response {
    let mut s = shared.lock();
    let Some((id, secret)) = client_credentials(form, headers) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed (no client credentials)",
        );
    };
    if !s
        .clients
        .iter()
        .any(|c| c.client_id == id && c.client_secret == secret)
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed (unknown client or wrong secret)",
        );
    }
    match get(form, "grant_type") {
        Some("authorization_code") => {
            let code = get(form, "code").unwrap_or("");
            let now = s.now;
            let Some(rec) = s.codes.get_mut(code) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The authorization code is invalid",
                );
            };
            if rec.used || rec.expires_at <= now || rec.client_id != id {
                rec.used = true;
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The authorization code has expired, was already used, or was issued to another client",
                );
            }
            if get(form, "redirect_uri") != Some(rec.redirect_uri.as_str()) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The redirect_uri does not match the one of the authorization request",
                );
            }
            if let Some(challenge) = &rec.challenge {
                let verifier = get(form, "code_verifier").unwrap_or("");
                let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                if verifier.len() < 43 || computed != *challenge {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "The PKCE code_verifier does not match the code_challenge",
                    );
                }
            }
            rec.used = true;
            let scopes = rec.scopes.clone();
            issue(&mut s, shared, &id, &scopes)
        }
        Some("refresh_token") => {
            let token = get(form, "refresh_token").unwrap_or("");
            let now = s.now;
            let grace = Duration::seconds(shared.config.refresh_grace_seconds);
            let Some(rec) = s.refresh_tokens.get_mut(token) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token is invalid",
                );
            };
            if rec.client_id != id || rec.expires_at <= now {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token has expired or was issued to another client",
                );
            }
            if rec.rotated_at.is_some_and(|at| now > at + grace) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token has already been used",
                );
            }
            rec.rotated_at.get_or_insert(now);
            let scopes = rec.scopes.clone();
            s.refresh_grants += 1;
            issue(&mut s, shared, &id, &scopes)
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        ),
    }
}
