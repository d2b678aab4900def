//! The Reports API's detailed report: filters in the request's time zone, durations in
//! seconds, `invoicingInfo` on invoiced rows, `pageSize` up to 200 [inferred].

use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::api::{Ctx, error, json_response};
use super::state::{EntryRec, WorkspaceRec};
use super::time_entries::{cached, wall_clock};

pub(super) fn reports(c: &mut Ctx<'_>, method: &Method, segs: &[&str]) -> Response {
    let (&Method::POST, ["workspaces", ws, "reports", "detailed"]) = (method, segs) else {
        return error(StatusCode::NOT_FOUND, 3000, "No static resource");
    };
    let wsi = match c.workspace(ws) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let body: Value = match serde_json::from_slice(c.body) {
        Ok(v) => v,
        Err(_) => return error(StatusCode::BAD_REQUEST, 3000, "Malformed JSON body"),
    };
    let tz: Tz = body["timeZone"]
        .as_str()
        .unwrap_or("UTC")
        .parse()
        .unwrap_or(chrono_tz::UTC);
    let range = |k: &str| body[k].as_str().and_then(|s| wall_clock(s, tz));
    let (Some(from), Some(to)) = (range("dateRangeStart"), range("dateRangeEnd")) else {
        return error(
            StatusCode::BAD_REQUEST,
            3000,
            "dateRangeStart and dateRangeEnd are required",
        );
    };
    let f = &body["detailedFilter"];
    if !f.is_object() {
        return error(StatusCode::BAD_REQUEST, 3000, "detailedFilter is required");
    }
    let page = f["page"].as_u64().unwrap_or(1).max(1) as usize;
    let size = f["pageSize"].as_u64().unwrap_or(50) as usize;
    if size == 0 || size > 200 {
        // [inferred] the maximum is undocumented; the sandbox keeps 200.
        return error(
            StatusCode::BAD_REQUEST,
            3000,
            "pageSize must be between 1 and 200",
        );
    }
    let billable = body["billable"].as_bool();
    let invoicing = body["invoicingState"].as_str().unwrap_or("ALL").to_owned();
    let by_date = f["sortColumn"].as_str() == Some("DATE");
    let key = format!(
        "report:{}:{from}:{to}:{billable:?}:{invoicing}:{by_date}",
        c.s.workspaces[wsi].id
    );
    let idx = cached(
        c.s,
        &key,
        |w| {
            let mut v: Vec<u32> = (0..w.entries.len() as u32)
                .filter(|i| {
                    let e = &w.entries[*i as usize];
                    !e.deleted
                        && e.end.is_some()
                        && e.start >= from
                        && e.start <= to
                        && billable.is_none_or(|b| b == e.billable)
                        && match invoicing.as_str() {
                            "INVOICED" => e.invoiced,
                            "UNINVOICED" => !e.invoiced,
                            _ => true,
                        }
                })
                .collect();
            if by_date {
                v.sort_by_key(|i| (w.entries[*i as usize].start, *i));
            }
            v
        },
        wsi,
    );
    let w = &c.s.workspaces[wsi];
    let rows: Vec<Value> = idx
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|i| report_row(w, &w.entries[*i as usize], tz))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({ "totals": [], "timeentries": rows }),
    )
}

pub(super) fn report_row(w: &WorkspaceRec, e: &EntryRec, tz: Tz) -> Value {
    let start = Utc.timestamp_opt(e.start, 0).single().unwrap_or_default();
    let end = e.end.and_then(|t| Utc.timestamp_opt(t, 0).single());
    let secs = end.map(|x| (x - start).num_seconds()).unwrap_or(0);
    let p = &w.projects[e.project as usize];
    let client = p.client.and_then(|c| w.clients.get(c));
    let task = e.task.and_then(|t| w.tasks.get(t as usize));
    let u = &w.users[e.user as usize];
    let amount = if e.billable {
        e.rate as f64 * secs as f64 / 3600.0
    } else {
        0.0
    };
    let mut v = json!({
        "_id": e.hex_id(), "description": e.description, "userId": u.id, "userName": u.name,
        "userEmail": u.email, "projectId": p.id, "projectName": p.name, "projectColor": "#9C27B0",
        "clientId": client.map(|c| c.id.clone()), "clientName": client.map(|c| c.name.clone()),
        "taskId": task.map(|t| t.id.clone()), "taskName": task.map(|t| t.name.clone()),
        "tagIds": [], "billable": e.billable, "type": "REGULAR", "isLocked": false,
        "approvalRequestId": null,
        "timeInterval": {
            "start": start.with_timezone(&tz).to_rfc3339(),
            "end": end.map(|x| x.with_timezone(&tz).to_rfc3339()),
            "duration": secs,
        },
        "rate": e.rate, "amount": amount,
    });
    if e.invoiced
        && let Value::Object(m) = &mut v
    {
        m.insert("invoicingInfo".into(), json!({ "manuallyInvoiced": true }));
    }
    v
}
