//! Request handling: prefix and auth, rate limit, then routing by hand on the path segments
//! (so that unknown routes answer the way Clockify does, with a JSON error body).

// Handlers short-circuit with the finished error response itself; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::reports::reports;
use super::state::WorkspaceRec;
use super::time_entries::{entry_json, mark_invoiced, remove_entry, user_entries, write_entry};
use super::webhooks::{create_webhook, webhook_json};
use super::{Bucket, SandboxState, Shared, webhooks};

pub(super) const MAX_BODY: usize = 8 * 1024 * 1024;

pub(super) fn error(status: StatusCode, code: i64, message: &str) -> Response {
    json_response(status, &json!({ "message": message, "code": code }))
}

pub(super) fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = Response::new(Body::from(v.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

pub(super) fn page_response(rows: Vec<Value>, last: bool) -> Response {
    let mut r = json_response(StatusCode::OK, &Value::Array(rows));
    r.headers_mut().insert(
        "Last-Page",
        HeaderValue::from_static(if last { "true" } else { "false" }),
    );
    r
}

pub(super) fn not_found_ws() -> Response {
    error(StatusCode::BAD_REQUEST, 501, "Workspace doesn't exist")
}

enum Host {
    Core,
    Reports,
}

/// Entry point for every request.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let mut segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let region = match segs.first() {
        Some(s) if !matches!(*s, "api" | "report" | "reports") => {
            let r = (*s).to_owned();
            segs.remove(0);
            Some(r)
        }
        _ => None,
    };
    let host = match segs.first() {
        Some(&"api") => Host::Core,
        Some(&"report") | Some(&"reports") => Host::Reports,
        _ => return error(StatusCode::NOT_FOUND, 3000, "No static resource"),
    };
    segs.remove(0);
    if segs.first() != Some(&"v1") {
        return error(StatusCode::NOT_FOUND, 3000, "No static resource");
    }
    segs.remove(0);

    // Exactly one auth header, and it must be X-Api-Key here.
    let h = &parts.headers;
    let auth_headers = [
        "x-api-key",
        "x-addon-token",
        "x-marketplace-token",
        "authorization",
    ]
    .iter()
    .map(|n| h.get_all(*n).iter().count())
    .sum::<usize>();
    let key = h
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(key) = key.filter(|_| auth_headers == 1) else {
        return error(
            StatusCode::UNAUTHORIZED,
            1000,
            "Multiple or none auth tokens present",
        );
    };
    let query = parts.uri.query().unwrap_or("").to_owned();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                3000,
                "Request body could not be read",
            );
        }
    };
    let (resp, deliveries) = {
        let mut s = shared.lock();
        let Some(&(wsi, user)) = s.keys.get(&key) else {
            return error(
                StatusCode::UNAUTHORIZED,
                4003,
                "Full authentication is required to access this resource",
            );
        };
        if let Some(r) = limit(&shared, &mut s, &key) {
            return r;
        }
        let mut ctx = Ctx {
            s: &mut s,
            wsi,
            user,
            region: region.as_deref(),
            query: &query,
            body: &bytes,
            deliveries: Vec::new(),
        };
        let resp = match host {
            Host::Core => core(&mut ctx, &parts.method, &segs),
            Host::Reports => reports(&mut ctx, &parts.method, &segs),
        };
        (resp, ctx.deliveries)
    };
    webhooks::deliver(&shared, deliveries);
    resp
}

/// The injected throttle, then the per-key token bucket.
pub(super) fn limit(shared: &Shared, s: &mut SandboxState, key: &str) -> Option<Response> {
    let mut retry = None;
    if let Some(t) = s.throttle.as_mut() {
        if t.after > 0 {
            t.after -= 1;
        } else if t.remaining > 0 {
            t.remaining -= 1;
            retry = Some(t.retry_after_secs);
        }
    }
    if retry.is_none()
        && let Some(rate) = shared.config.requests_per_second
    {
        let burst = f64::from(shared.config.burst.max(1));
        let now = Instant::now();
        let b = s.buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
        } else {
            retry = Some(((1.0 - b.tokens) / rate).ceil().max(1.0) as u64);
        }
    }
    let secs = retry?;
    shared.throttled.fetch_add(1, Ordering::Relaxed);
    let mut r = error(StatusCode::TOO_MANY_REQUESTS, 429, "Too many requests");
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    Some(r)
}

pub(crate) struct Ctx<'a> {
    pub s: &'a mut SandboxState,
    pub wsi: usize,
    pub user: usize,
    pub region: Option<&'a str>,
    pub query: &'a str,
    pub body: &'a [u8],
    pub deliveries: Vec<webhooks::Pending>,
}

impl Ctx<'_> {
    pub(super) fn param(&self, name: &str) -> Option<String> {
        form_pairs(self.query)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The workspace named in the path, if the key's user may see it through this host.
    pub(super) fn workspace(&self, id: &str) -> Result<usize, Response> {
        let w = self.s.workspaces.get(self.wsi).filter(|w| w.id == id);
        match w {
            Some(w) if w.region.as_deref() == self.region => {
                if w.archived {
                    // [inferred] Clockify's answer for an archived workspace is undocumented.
                    Err(error(StatusCode::FORBIDDEN, 4030, "Workspace is archived"))
                } else {
                    Ok(self.wsi)
                }
            }
            _ => Err(not_found_ws()),
        }
    }

    pub(super) fn page(&self) -> Result<(usize, usize), Response> {
        let page = match self.param("page") {
            Some(p) => p.parse::<usize>().ok().filter(|p| *p >= 1),
            None => Some(1),
        };
        let size = match self.param("page-size") {
            Some(p) => p.parse::<usize>().ok().filter(|p| *p >= 1),
            None => Some(50),
        };
        match (page, size) {
            (Some(p), Some(s)) => Ok((p, s.min(5000))),
            _ => Err(error(
                StatusCode::BAD_REQUEST,
                3000,
                "page and page-size must be positive integers",
            )),
        }
    }
}

pub(super) fn form_pairs(q: &str) -> impl Iterator<Item = (String, String)> + '_ {
    q.split('&').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (decode(k), decode(v))
    })
}

pub(super) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn paged<T>(rows: &[T], page: usize, size: usize, f: impl Fn(&T) -> Value) -> Response {
    let start = (page - 1).saturating_mul(size);
    let slice: Vec<Value> = rows.iter().skip(start).take(size).map(f).collect();
    let last = start.saturating_add(size) >= rows.len();
    page_response(slice, last)
}

pub(super) fn rate_json(cents: Option<i64>, currency: &str) -> Value {
    match cents {
        Some(a) => json!({ "amount": a, "currency": currency }),
        None => Value::Null,
    }
}

fn core(c: &mut Ctx<'_>, method: &Method, segs: &[&str]) -> Response {
    match (method, segs) {
        (&Method::GET, ["user"]) => {
            let Some(w) = c.s.workspaces.get(c.wsi) else {
                return not_found_ws();
            };
            let u = &w.users[c.user];
            json_response(
                StatusCode::OK,
                &json!({
                    "id": u.id, "name": u.name, "email": u.email, "activeWorkspace": w.id,
                    "defaultWorkspace": w.id, "status": "ACTIVE",
                    "settings": { "timeZone": w.time_zone.name() }, "memberships": [],
                }),
            )
        }
        (&Method::GET, ["workspaces"]) => {
            let Some(w) = c.s.workspaces.get(c.wsi) else {
                return not_found_ws();
            };
            if w.region.as_deref() != c.region {
                return json_response(StatusCode::OK, &json!([]));
            }
            json_response(StatusCode::OK, &json!([workspace_json(w)]))
        }
        (_, ["workspaces", ws, rest @ ..]) => {
            let wsi = match c.workspace(ws) {
                Ok(i) => i,
                Err(r) => return r,
            };
            workspace_routes(c, wsi, method, rest)
        }
        _ => error(StatusCode::NOT_FOUND, 3000, "No static resource"),
    }
}

fn workspace_json(w: &WorkspaceRec) -> Value {
    json!({
        "id": w.id, "name": w.name, "hourlyRate": rate_json(w.rate, &w.currency),
        "costRate": null, "currencies": [{ "code": w.currency, "isDefault": true }],
        "memberships": w.users.iter().map(|u| json!({
            "userId": u.id, "targetId": w.id, "membershipType": "WORKSPACE",
            "membershipStatus": "ACTIVE", "hourlyRate": rate_json(u.rate, &w.currency), "costRate": null,
        })).collect::<Vec<_>>(),
        "workspaceSettings": { "timeZone": w.time_zone.name() },
        "subdomain": { "name": null, "enabled": false },
    })
}

pub(super) fn project_json(w: &WorkspaceRec, i: usize) -> Value {
    let p = &w.projects[i];
    let client = p.client.and_then(|c| w.clients.get(c));
    json!({
        "id": p.id, "name": p.name, "clientId": client.map(|c| c.id.clone()).unwrap_or_default(),
        "clientName": client.map(|c| c.name.clone()).unwrap_or_default(),
        "workspaceId": w.id, "billable": p.billable, "hourlyRate": rate_json(p.rate, &w.currency),
        "costRate": null, "archived": p.archived, "public": true, "template": false,
        "color": "#9C27B0", "duration": "PT0S", "estimate": { "estimate": "PT0S", "type": "AUTO" },
        "memberships": p.members.iter().map(|(u, r)| json!({
            "userId": w.users[*u].id, "targetId": p.id, "membershipType": "PROJECT",
            "membershipStatus": "ACTIVE", "hourlyRate": rate_json(*r, &w.currency), "costRate": null,
        })).collect::<Vec<_>>(),
    })
}

/// A core-host entry (`TimeEntryWithRatesDtoV1`); hydrated adds project, task, user, tags.
pub(super) fn workspace_routes(
    c: &mut Ctx<'_>,
    wsi: usize,
    method: &Method,
    rest: &[&str],
) -> Response {
    let (page, size) = match (method, rest) {
        (
            &Method::GET,
            ["users" | "clients" | "projects" | "tags"]
            | ["projects", _, "tasks"]
            | ["user", _, "time-entries"],
        ) => match c.page() {
            Ok(p) => p,
            Err(r) => return r,
        },
        _ => (1, 50),
    };
    let archived = c.param("archived").map(|a| a == "true");
    let w = &c.s.workspaces[wsi];
    match (method, rest) {
        (&Method::GET, ["users"]) => paged(&w.users, page, size, |u| {
            json!({
                "id": u.id, "name": u.name, "email": u.email, "status": "ACTIVE",
                "activeWorkspace": w.id, "defaultWorkspace": w.id,
                "settings": { "timeZone": w.time_zone.name() },
                "memberships": [{ "userId": u.id, "targetId": w.id, "membershipType": "WORKSPACE",
                    "membershipStatus": "ACTIVE", "hourlyRate": rate_json(u.rate, &w.currency) }],
            })
        }),
        (&Method::GET, ["clients"]) => {
            let rows: Vec<_> = w
                .clients
                .iter()
                .filter(|c| archived.is_none_or(|a| a == c.archived))
                .collect();
            paged(&rows, page, size, |cl| {
                json!({
                    "id": cl.id, "name": cl.name, "email": null, "ccEmails": [], "address": null, "note": null,
                    "archived": cl.archived, "currencyId": null, "currencyCode": w.currency, "workspaceId": w.id,
                })
            })
        }
        (&Method::GET, ["projects"]) => {
            let rows: Vec<usize> = (0..w.projects.len())
                .filter(|i| archived.is_none_or(|a| a == w.projects[*i].archived))
                .collect();
            paged(&rows, page, size, |i| project_json(w, *i))
        }
        (&Method::GET, ["projects", pid, "tasks"]) => {
            let Some(pi) = w.projects.iter().position(|p| p.id == *pid) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    501,
                    "Project doesn't belong to Workspace",
                );
            };
            let rows: Vec<_> = w.tasks.iter().filter(|t| t.project == pi).collect();
            paged(&rows, page, size, |t| {
                json!({
                    "id": t.id, "name": t.name, "projectId": pid, "billable": true, "status": "ACTIVE",
                    "hourlyRate": rate_json(t.rate, &w.currency), "costRate": null, "assigneeIds": [],
                    "estimate": "PT0S", "duration": "PT0S",
                })
            })
        }
        (&Method::GET, ["tags"]) => paged(
            &w.tags,
            page,
            size,
            |t| json!({ "id": t.id, "name": t.name, "archived": false, "workspaceId": w.id }),
        ),
        (&Method::GET, ["user", uid, "time-entries"]) => user_entries(c, wsi, uid, page, size),
        (&Method::GET, ["time-entries", id]) => {
            let hydrated = c.param("hydrated").as_deref() == Some("true");
            match w.entry_index(id) {
                Some(i) => json_response(StatusCode::OK, &entry_json(w, &w.entries[i], hydrated)),
                None => error(
                    StatusCode::BAD_REQUEST,
                    501,
                    "TimeEntry doesn't belong to Workspace",
                ),
            }
        }
        (&Method::PATCH, ["time-entries", "invoiced"]) => mark_invoiced(c, wsi),
        (&Method::POST, ["time-entries"]) => write_entry(c, wsi, None),
        (&Method::PUT, ["time-entries", id]) => write_entry(c, wsi, Some(id)),
        (&Method::DELETE, ["time-entries", id]) => {
            let id = (*id).to_owned();
            if remove_entry(c.s, wsi, &id, &mut c.deliveries) {
                let mut r = Response::new(Body::empty());
                *r.status_mut() = StatusCode::NO_CONTENT;
                r
            } else {
                error(
                    StatusCode::BAD_REQUEST,
                    501,
                    "TimeEntry doesn't belong to Workspace",
                )
            }
        }
        (&Method::GET, ["webhooks"]) => {
            let hooks: Vec<Value> = w.webhooks.iter().map(|h| webhook_json(w, h)).collect();
            json_response(
                StatusCode::OK,
                &json!({ "workspaceWebhookCount": hooks.len(), "webhooks": hooks }),
            )
        }
        (&Method::POST, ["webhooks"]) => create_webhook(c, wsi),
        (&Method::DELETE, ["webhooks", id]) => {
            let w = &mut c.s.workspaces[wsi];
            let before = w.webhooks.len();
            w.webhooks.retain(|h| h.id != *id);
            if w.webhooks.len() < before {
                json_response(StatusCode::OK, &json!({}))
            } else {
                error(StatusCode::BAD_REQUEST, 501, "Webhook doesn't exist")
            }
        }
        (_, ["time-entries", "invoiced", "bulk"]) => {
            error(StatusCode::NOT_FOUND, 3000, "No static resource")
        }
        _ => error(StatusCode::NOT_FOUND, 3000, "No static resource"),
    }
}

/// Per-user listing: `start`/`end` are read as wall-clock time in the workspace's zone,
/// whatever offset they carry (as Clockify does).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::clockify::time_entries::{iso_duration, wall_clock};
    use chrono::{TimeZone, Utc};
    use chrono_tz::Tz;

    #[test]
    fn wall_clock_filters_ignore_the_offset_and_use_the_zone() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // 09:00 in Paris in October is 07:00 UTC, although the string says Z.
        let t = wall_clock("2026-10-05T09:00:00Z", paris).unwrap();
        assert_eq!(
            Utc.timestamp_opt(t, 0).unwrap().to_rfc3339(),
            "2026-10-05T07:00:00+00:00"
        );
    }

    #[test]
    fn query_strings_are_decoded() {
        let pairs: Vec<_> = form_pairs("a=1&page-size=5&s=2026-10-01T00%3A00%3A00Z&b").collect();
        assert_eq!(pairs[2].1, "2026-10-01T00:00:00Z");
        assert_eq!(pairs[3], ("b".to_owned(), String::new()));
        assert_eq!(decode("%zz%"), "%zz%");
        assert_eq!(iso_duration(5400), "PT1H30M");
    }
}
