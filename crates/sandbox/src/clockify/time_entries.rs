//! Time entries: the core host's entry shape, per-user listing (filters read as wall-clock
//! time in the workspace's zone), create/replace/delete, the invoiced PATCH, and the
//! edits and deletions tests make directly.

#![allow(clippy::result_large_err)]

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::api::{Ctx, error, json_response, paged, project_json};
use super::state::{EntryRec, WorkspaceRec};
use super::{SandboxState, Shared, webhooks};

pub(super) fn entry_json(w: &WorkspaceRec, e: &EntryRec, hydrated: bool) -> Value {
    let start = Utc.timestamp_opt(e.start, 0).single().unwrap_or_default();
    let end = e.end.and_then(|t| Utc.timestamp_opt(t, 0).single());
    let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let p = &w.projects[e.project as usize];
    let task = e.task.and_then(|t| w.tasks.get(t as usize));
    let mut v = json!({
        "id": e.hex_id(), "workspaceId": w.id, "userId": w.users[e.user as usize].id,
        "projectId": p.id, "taskId": task.map(|t| t.id.clone()), "tagIds": [],
        "description": e.description, "billable": e.billable, "type": "REGULAR",
        "isLocked": false, "kioskId": null, "customFieldValues": [],
        "timeInterval": {
            "start": fmt(start), "end": end.map(fmt),
            "duration": end.map(|x| iso_duration((x - start).num_seconds())),
        },
        "hourlyRate": { "amount": e.rate, "currency": w.currency },
        "costRate": { "amount": 0, "currency": w.currency },
    });
    if hydrated && let Value::Object(m) = &mut v {
        m.insert("project".into(), project_json(w, e.project as usize));
        m.insert(
            "task".into(),
            task.map(|t| json!({ "id": t.id, "name": t.name, "projectId": p.id }))
                .unwrap_or(Value::Null),
        );
        let u = &w.users[e.user as usize];
        m.insert(
            "user".into(),
            json!({ "id": u.id, "name": u.name, "email": u.email }),
        );
        m.insert("tags".into(), json!([]));
    }
    v
}

pub(super) fn iso_duration(secs: i64) -> String {
    let s = secs.max(0);
    let (h, m, x) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = "PT".to_owned();
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if x > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{x}S"));
    }
    out
}

pub(super) fn user_entries(
    c: &mut Ctx<'_>,
    wsi: usize,
    uid: &str,
    page: usize,
    size: usize,
) -> Response {
    let w = &c.s.workspaces[wsi];
    let Some(ui) = w.users.iter().position(|u| u.id == uid) else {
        return error(
            StatusCode::BAD_REQUEST,
            501,
            "User doesn't belong to Workspace",
        );
    };
    let bound = |name: &str| -> Result<Option<i64>, Response> {
        match c.param(name) {
            None => Ok(None),
            Some(v) => wall_clock(&v, w.time_zone).map(Some).ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    3000,
                    &format!("{name} must be yyyy-MM-ddTHH:mm:ssZ"),
                )
            }),
        }
    };
    let (from, to) = match (bound("start"), bound("end")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let key = format!("user:{}:{ui}:{from:?}:{to:?}", w.id);
    let idx = cached(
        c.s,
        &key,
        |w| {
            let mut v: Vec<u32> = (0..w.entries.len() as u32)
                .filter(|i| {
                    let e = &w.entries[*i as usize];
                    !e.deleted
                        && e.user as usize == ui
                        && from.is_none_or(|f| e.start >= f)
                        && to.is_none_or(|t| e.start <= t)
                })
                .collect();
            // Newest first.
            v.sort_by_key(|i| std::cmp::Reverse((w.entries[*i as usize].start, *i)));
            v
        },
        wsi,
    );
    let w = &c.s.workspaces[wsi];
    paged(&idx, page, size, |i| {
        entry_json(w, &w.entries[*i as usize], false)
    })
}

pub(super) fn wall_clock(v: &str, tz: Tz) -> Option<i64> {
    let t = v.trim().trim_end_matches('Z');
    let naive = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.timestamp())
}

pub(super) fn cached(
    s: &mut SandboxState,
    key: &str,
    build: impl FnOnce(&WorkspaceRec) -> Vec<u32>,
    wsi: usize,
) -> Arc<Vec<u32>> {
    if let Some(v) = s.cache.get(key) {
        return v.clone();
    }
    let v = Arc::new(build(&s.workspaces[wsi]));
    if s.cache.len() > 16 {
        s.cache.clear();
    }
    s.cache.insert(key.to_owned(), v.clone());
    v
}

pub(super) fn mark_invoiced(c: &mut Ctx<'_>, wsi: usize) -> Response {
    let body: Value = match serde_json::from_slice(c.body) {
        Ok(v) => v,
        Err(_) => return error(StatusCode::BAD_REQUEST, 3000, "Malformed JSON body"),
    };
    let ids: Option<Vec<String>> = body["timeEntryIds"].as_array().map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    });
    let (Some(ids), Some(invoiced)) = (ids, body["invoiced"].as_bool()) else {
        return error(
            StatusCode::BAD_REQUEST,
            3000,
            "timeEntryIds and invoiced are required",
        );
    };
    if ids.is_empty() || ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return error(
            StatusCode::BAD_REQUEST,
            3000,
            "timeEntryIds must hold at least one id, each once",
        );
    }
    let w = &mut c.s.workspaces[wsi];
    let mut at = Vec::with_capacity(ids.len());
    for id in &ids {
        match w.entry_index(id) {
            Some(i) => at.push(i),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    501,
                    "TimeEntry doesn't belong to Workspace",
                );
            }
        }
    }
    for i in at {
        w.entries[i].invoiced = invoiced;
    }
    c.s.cache.clear();
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::OK;
    r
}

pub(super) fn parse_instant(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.timestamp())
}

/// POST (create) or PUT (replace) an entry for the key's user.
pub(super) fn write_entry(c: &mut Ctx<'_>, wsi: usize, id: Option<&str>) -> Response {
    let body: Value = match serde_json::from_slice(c.body) {
        Ok(v) => v,
        Err(_) => return error(StatusCode::BAD_REQUEST, 3000, "Malformed JSON body"),
    };
    let Some(start) = parse_instant(&body["start"]) else {
        return error(
            StatusCode::BAD_REQUEST,
            3000,
            "start is required (yyyy-MM-ddTHH:mm:ssZ)",
        );
    };
    let end = parse_instant(&body["end"]);
    let w = &mut c.s.workspaces[wsi];
    let project = match body["projectId"].as_str() {
        Some(p) => match w.projects.iter().position(|x| x.id == p) {
            Some(i) => i,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    501,
                    "Project doesn't belong to Workspace",
                );
            }
        },
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                3000,
                "projectId is required in this workspace",
            );
        }
    };
    let task = body["taskId"]
        .as_str()
        .and_then(|t| w.tasks.iter().position(|x| x.id == t));
    let user = c.user;
    let rate = w.rate_for(user, project, task);
    let (event, index) = match id {
        Some(id) => match w.entry_index(id) {
            Some(i) => ("TIME_ENTRY_UPDATED", i),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    501,
                    "TimeEntry doesn't belong to Workspace",
                );
            }
        },
        None => {
            let n = w.next_entry;
            w.next_entry += 1;
            w.entries.push(EntryRec {
                id: n,
                user: user as u32,
                project: project as u32,
                task: None,
                description: String::new(),
                start,
                end,
                billable: true,
                rate,
                invoiced: false,
                deleted: false,
            });
            ("NEW_TIME_ENTRY", w.entries.len() - 1)
        }
    };
    let e = &mut w.entries[index];
    e.project = project as u32;
    e.task = task.map(|t| t as u32);
    e.description = body["description"].as_str().unwrap_or("").to_owned();
    e.billable = body["billable"].as_bool().unwrap_or(true);
    e.start = start;
    e.end = end;
    e.rate = rate;
    let json = entry_json(w, &w.entries[index], false);
    c.s.cache.clear();
    webhooks::queue(c.s, wsi, index, event, &mut c.deliveries);
    json_response(
        if id.is_some() {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        },
        &json,
    )
}

pub(super) fn remove_entry(
    s: &mut SandboxState,
    wsi: usize,
    id: &str,
    out: &mut Vec<webhooks::Pending>,
) -> bool {
    let Some(i) = s.workspaces[wsi].entry_index(id) else {
        return false;
    };
    webhooks::queue(s, wsi, i, "TIME_ENTRY_DELETED", out);
    s.workspaces[wsi].entries[i].deleted = true;
    s.cache.clear();
    true
}

/// Test-side edit of an entry (as in Clockify's UI).
pub(super) fn edit_entry(
    shared: &Arc<Shared>,
    ws: &str,
    id: &str,
    f: impl FnOnce(&mut EntryRec),
) -> bool {
    let pending = {
        let mut s = shared.lock();
        let Some(wsi) = s.workspaces.iter().position(|w| w.id == ws) else {
            return false;
        };
        let Some(i) = s.workspaces[wsi].entry_index(id) else {
            return false;
        };
        let w = &mut s.workspaces[wsi];
        f(&mut w.entries[i]);
        let e = &w.entries[i];
        let rate = w.rate_for(
            e.user as usize,
            e.project as usize,
            e.task.map(|t| t as usize),
        );
        w.entries[i].rate = rate;
        s.cache.clear();
        let mut out = Vec::new();
        webhooks::queue(&mut s, wsi, i, "TIME_ENTRY_UPDATED", &mut out);
        out
    };
    webhooks::deliver(shared, pending);
    true
}

pub(super) fn delete_entry(shared: &Arc<Shared>, ws: &str, id: &str) -> bool {
    let (ok, pending) = {
        let mut s = shared.lock();
        let Some(wsi) = s.workspaces.iter().position(|w| w.id == ws) else {
            return false;
        };
        let mut out = Vec::new();
        let ok = remove_entry(&mut s, wsi, id, &mut out);
        (ok, out)
    };
    webhooks::deliver(shared, pending);
    ok
}
