//! Request handling for the Graph simulator.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{GraphMessage, GraphRequest, Shared, UploadSession};
use crate::http::{
    bearer, body_bytes, empty, json_response, mime_header, opaque_token, with_retry_after,
};

/// Graph's error body.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        status,
        &json!({ "error": { "code": code, "message": message, "innerError": {
            "request-id": uuid::Uuid::new_v4().to_string(),
            "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
        }}}),
    )
}

/// The identity platform's error body.
fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({ "error": code, "error_description": description, "error_codes": [7000215] }),
    )
}

/// Releases the mailbox's concurrency slot when the request ends.
struct Slot {
    shared: Arc<Shared>,
    mailbox: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut s = self.shared.lock();
        if let Some(n) = s.in_flight.get_mut(&self.mailbox) {
            *n = n.saturating_sub(1);
        }
    }
}

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let method = parts.method.clone();
    let authorized_header = parts.headers.contains_key(header::AUTHORIZATION);
    let Some(bytes) = body_bytes(body).await else {
        return error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The body could not be read.",
        );
    };
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let seg: Vec<&str> = segs.iter().map(String::as_str).collect();
    let resp = match seg.as_slice() {
        [_tenant, "oauth2", "v2.0", "token"] if method == Method::POST => {
            token(&shared, seg[0], &bytes)
        }
        ["upload", session] if method == Method::PUT => {
            upload(&shared, session, &parts.headers, authorized_header, bytes)
        }
        ["v1.0", "users", mailbox, rest @ ..] => {
            mailbox_request(&shared, &method, mailbox, rest, &parts.headers, &bytes).await
        }
        _ => error(
            StatusCode::NOT_FOUND,
            "UnknownError",
            "Resource not found for the segment.",
        ),
    };
    shared.lock().requests.push(GraphRequest {
        method: method.to_string(),
        path,
        authorized: authorized_header,
        status: resp.status().as_u16(),
    });
    resp
}

fn token(shared: &Shared, tenant: &str, body: &[u8]) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "AADSTS70003: The app requested an unsupported grant type.",
        );
    }
    if get("scope") != Some("https://graph.microsoft.com/.default") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
        );
    }
    let Some(app) = shared.config.apps.iter().find(|a| a.tenant_id == tenant) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "AADSTS90002: Tenant not found.",
        );
    };
    if get("client_id") != Some(app.client_id.as_str()) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "AADSTS700016: Application was not found in the directory.",
        );
    }
    if get("client_secret") != Some(app.client_secret.as_str()) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.",
        );
    }
    let t = opaque_token("eyJ0eXAiOiJKV1Qi.");
    let lifetime = shared.config.token_lifetime_secs;
    let mut s = shared.lock();
    s.tokens.insert(
        t.clone(),
        (
            tenant.to_owned(),
            Instant::now() + Duration::from_secs(lifetime),
        ),
    );
    s.tokens_issued += 1;
    json_response(
        StatusCode::OK,
        &json!({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": t}),
    )
}

async fn mailbox_request(
    shared: &Arc<Shared>,
    method: &Method,
    mailbox: &str,
    rest: &[&str],
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Response {
    // Authentication.
    let Some(token) = bearer(headers) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty.",
        );
    };
    {
        let s = shared.lock();
        let app_ok = s
            .tokens
            .get(&token)
            .is_some_and(|(_, until)| Instant::now() < *until);
        let delegated_ok = s
            .delegated
            .get(&token)
            .is_some_and(|m| m.eq_ignore_ascii_case(mailbox));
        if !app_ok && !delegated_ok {
            return error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            );
        }
    }
    if !shared
        .config
        .mailboxes
        .iter()
        .any(|m| m.eq_ignore_ascii_case(mailbox))
    {
        return error(
            StatusCode::NOT_FOUND,
            "ErrorInvalidUser",
            &format!("The requested user '{mailbox}' is invalid."),
        );
    }
    // Throttling: the per-mailbox concurrency limit, then any failure the test asked for.
    let _slot = Slot {
        shared: shared.clone(),
        mailbox: mailbox.to_owned(),
    };
    let refusal = {
        let mut s = shared.lock();
        let n = s.in_flight.entry(mailbox.to_owned()).or_insert(0);
        *n += 1;
        let now = *n;
        let peak = s.peak_concurrency.entry(mailbox.to_owned()).or_insert(0);
        *peak = (*peak).max(now);
        if now > shared.config.mailbox_concurrency {
            s.throttled += 1;
            Some((429, shared.config.retry_after_secs, true))
        } else if !s.fail_next.is_empty() {
            let (status, secs) = s.fail_next.remove(0);
            s.throttled += 1;
            Some((status, secs, false))
        } else {
            None
        }
    };
    // (The slot is released by its Drop, after this guard is gone: never while holding the lock.)
    if let Some((status, secs, concurrency)) = refusal {
        let (code, msg) = match (concurrency, status) {
            (true, _) => (
                "ApplicationThrottled",
                "Application is over its MailboxConcurrency limit.",
            ),
            (false, 503) => (
                "ServiceUnavailable",
                "The service is temporarily unavailable.",
            ),
            _ => (
                "TooManyRequests",
                "Too many requests; retry after the indicated delay.",
            ),
        };
        return with_retry_after(
            error(
                StatusCode::from_u16(status).unwrap_or(StatusCode::TOO_MANY_REQUESTS),
                code,
                msg,
            ),
            secs,
        );
    }
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    match (method.clone(), rest) {
        (Method::GET, []) => json_response(
            StatusCode::OK,
            &json!({"id": format!("{:016x}", mailbox.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))),
                    "mail": mailbox, "userPrincipalName": mailbox, "displayName": mailbox}),
        ),
        (Method::POST, ["messages"]) => create_message(shared, mailbox, headers, body),
        (Method::POST, ["messages", id, "attachments"]) => add_attachment(shared, id, body),
        (Method::POST, ["messages", id, "attachments", "createUploadSession"]) => {
            create_upload_session(shared, id, body)
        }
        (Method::POST, ["messages", id, "send"]) => {
            let mut s = shared.lock();
            match s
                .messages
                .iter_mut()
                .find(|m| m.id == *id && m.mailbox.eq_ignore_ascii_case(mailbox))
            {
                Some(m) if m.sent => error(
                    StatusCode::BAD_REQUEST,
                    "ErrorInvalidOperation",
                    "The message has already been sent.",
                ),
                Some(m) => {
                    m.sent = true;
                    empty(StatusCode::ACCEPTED)
                }
                None => error(
                    StatusCode::NOT_FOUND,
                    "ErrorItemNotFound",
                    "The specified object was not found in the store.",
                ),
            }
        }
        _ => error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unsupported segment or method.",
        ),
    }
}

fn next_id(shared: &Shared, prefix: &str) -> String {
    let mut s = shared.lock();
    s.next_id += 1;
    format!("{prefix}{:06}", s.next_id)
}

fn create_message(
    shared: &Shared,
    mailbox: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Response {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let id = next_id(shared, "AAMkAGI2TG93AAA=");
    let mut msg = GraphMessage {
        id: id.clone(),
        mailbox: mailbox.to_owned(),
        conversation_id: format!("AAQkAGI2{}", uuid::Uuid::new_v4().simple()),
        ..GraphMessage::default()
    };
    if ct.starts_with("text/plain") {
        let text: String = String::from_utf8_lossy(body)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let Ok(mime) = STANDARD.decode(text) else {
            return error(
                StatusCode::BAD_REQUEST,
                "ErrorMimeContentInvalidBase64String",
                "Invalid base64 string for MIME content.",
            );
        };
        if mime_header(&mime, "From").is_none() && mime_header(&mime, "To").is_none() {
            return error(
                StatusCode::BAD_REQUEST,
                "ErrorMimeContentInvalid",
                "The MIME content is not valid.",
            );
        }
        msg.internet_message_id = mime_header(&mime, "Message-ID")
            .unwrap_or_else(|| format!("<{}@contoso.example>", uuid::Uuid::new_v4().simple()));
        msg.subject = mime_header(&mime, "Subject").unwrap_or_default();
        msg.mime = Some(mime);
    } else {
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return error(
                StatusCode::BAD_REQUEST,
                "RequestBodyRead",
                "Cannot read the request body as JSON.",
            );
        };
        if let Some(h) = v["internetMessageHeaders"].as_array()
            && let Some(bad) = h
                .iter()
                .filter_map(|h| h["name"].as_str())
                .find(|n| !n.to_ascii_lowercase().starts_with("x-"))
        {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidInternetMessageHeader",
                &format!(
                    "The internet message header name '{bad}' should start with 'x-' or 'X-'."
                ),
            );
        }
        msg.internet_message_id = v["internetMessageId"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("<{}@contoso.example>", uuid::Uuid::new_v4().simple()));
        msg.subject = v["subject"].as_str().unwrap_or_default().to_owned();
        msg.json = Some(v);
    }
    let answer = json!({
        "id": msg.id, "internetMessageId": msg.internet_message_id,
        "conversationId": msg.conversation_id, "subject": msg.subject, "isDraft": true,
    });
    shared.lock().messages.push(msg);
    json_response(StatusCode::CREATED, &answer)
}

fn add_attachment(shared: &Shared, id: &str, body: &[u8]) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "RequestBodyRead",
            "Cannot read the request body as JSON.",
        );
    };
    let Some(bytes) = v["contentBytes"]
        .as_str()
        .and_then(|b| STANDARD.decode(b).ok())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            "contentBytes is missing or not base64.",
        );
    };
    if bytes.len() > 3 * 1024 * 1024 {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "ErrorRequestEntityTooLarge",
            "The attachment is larger than 3 MB; use an upload session.",
        );
    }
    let mut s = shared.lock();
    let Some(m) = s.messages.iter_mut().find(|m| m.id == id) else {
        return error(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    };
    let name = v["name"].as_str().unwrap_or("attachment").to_owned();
    let ct = v["contentType"]
        .as_str()
        .unwrap_or("application/octet-stream")
        .to_owned();
    m.attachments.push((name.clone(), ct, bytes));
    json_response(
        StatusCode::CREATED,
        &json!({"id": format!("att-{}", m.attachments.len()), "name": name}),
    )
}

fn create_upload_session(shared: &Shared, id: &str, body: &[u8]) -> Response {
    let v: Value = serde_json::from_slice(body).unwrap_or_default();
    let item = &v["AttachmentItem"];
    let (Some(name), Some(size)) = (item["name"].as_str(), item["size"].as_u64()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            "AttachmentItem needs attachmentType, name and size.",
        );
    };
    if item["attachmentType"].as_str() != Some("file") {
        return error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            "attachmentType must be 'file'.",
        );
    }
    if size > 150 * 1024 * 1024 {
        return error(
            StatusCode::BAD_REQUEST,
            "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
            "The attachment exceeds 150 MB.",
        );
    }
    if shared.lock().message(id).is_none() {
        return error(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    }
    let session = uuid::Uuid::new_v4().simple().to_string();
    let base = shared
        .base
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    shared.lock().uploads.insert(
        session.clone(),
        UploadSession {
            message_id: id.to_owned(),
            name: name.to_owned(),
            content_type: item["contentType"]
                .as_str()
                .unwrap_or("application/octet-stream")
                .to_owned(),
            size: usize::try_from(size).unwrap_or(usize::MAX),
            received: Vec::new(),
        },
    );
    json_response(
        StatusCode::CREATED,
        &json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession",
            "uploadUrl": format!("{base}/upload/{session}"),
            "expirationDateTime": (chrono::Utc::now() + chrono::Duration::hours(6)).to_rfc3339(),
            "nextExpectedRanges": ["0-"],
        }),
    )
}

/// `Content-Range: bytes a-b/total`.
fn content_range(headers: &axum::http::HeaderMap) -> Option<(usize, usize, usize)> {
    let v = headers.get(header::CONTENT_RANGE)?.to_str().ok()?;
    let v = v.strip_prefix("bytes ")?;
    let (range, total) = v.split_once('/')?;
    let (a, b) = range.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?, total.parse().ok()?))
}

fn upload(
    shared: &Shared,
    session: &str,
    headers: &axum::http::HeaderMap,
    authorized: bool,
    chunk: Vec<u8>,
) -> Response {
    if authorized {
        // The upload URL is pre-authenticated; Graph refuses a bearer token here.
        return error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Do not send an Authorization header to the upload URL.",
        );
    }
    let Some((start, end, total)) = content_range(headers) else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidContentRange",
            "Content-Range is missing or malformed.",
        );
    };
    if chunk.len() > 4 * 1024 * 1024 {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "ErrorRequestEntityTooLarge",
            "Chunks are at most 4 MB.",
        );
    }
    let mut s = shared.lock();
    let Some(up) = s.uploads.get_mut(session) else {
        return error(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The upload session does not exist or has expired.",
        );
    };
    if total != up.size || start != up.received.len() || end + 1 != start + chunk.len() {
        return error(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "InvalidRange",
            &format!("Expected the range starting at {}.", up.received.len()),
        );
    }
    up.received.extend_from_slice(&chunk);
    if up.received.len() < up.size {
        let next = up.received.len();
        return json_response(
            StatusCode::OK,
            &json!({"expirationDateTime": (chrono::Utc::now() + chrono::Duration::hours(6)).to_rfc3339(),
                    "nextExpectedRanges": [format!("{next}-")]}),
        );
    }
    let Some(up) = s.uploads.remove(session) else {
        return error(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The upload session does not exist.",
        );
    };
    if let Some(m) = s.messages.iter_mut().find(|m| m.id == up.message_id) {
        m.attachments.push((up.name, up.content_type, up.received));
    }
    empty(StatusCode::CREATED)
}
