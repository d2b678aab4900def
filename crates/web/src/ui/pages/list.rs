//! The invoice list: filters (status, client, dates, amount, overdue) and sorting by column.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use chrono::NaiveDate;
use encaisse_core::invoice::InvoiceStatus;
use encaisse_store::clients::ClientFilter;
use encaisse_store::invoices::{InvoiceFilter, InvoiceSummary};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::ui::format::{money, opt_date};
use crate::ui::{Layout, Ui, render};

/// At most this many invoices are read, then filtered and sorted in memory.
const WINDOW: i64 = 500;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    client: Option<String>,
    from: Option<String>,
    to: Option<String>,
    min: Option<String>,
    max: Option<String>,
    overdue: Option<String>,
    sort: Option<String>,
}

pub(crate) struct HeaderCell {
    /// The sort a click asks for; empty when the column does not sort.
    pub key: String,
    pub label: &'static str,
    /// `aria-sort` of the column, empty when not sorted by it.
    pub aria: &'static str,
    pub num: bool,
}

pub(crate) struct Row {
    pub id: String,
    pub number: String,
    pub client: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub issue_date: String,
    pub due_date: String,
    pub gross: String,
    pub outstanding: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "invoices.html")]
struct Page {
    l: Layout,
    statuses: Vec<(String, &'static str, bool)>,
    clients: Vec<(String, String, bool)>,
    sorts: Vec<(String, &'static str, bool)>,
    from: String,
    to: String,
    min: String,
    max: String,
    overdue: bool,
    rows: Vec<Row>,
    truncated: bool,
    headers: Vec<HeaderCell>,
    sort_base: String,
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
}

fn amount(s: &Option<String>) -> Option<Decimal> {
    s.as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.replace(',', ".").parse().ok())
}

fn sort(rows: &mut [InvoiceSummary], key: &str) {
    let (desc, key) = match key.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, key),
    };
    match key {
        "number" => rows.sort_by(|a, b| a.number.cmp(&b.number)),
        "client" => rows.sort_by(|a, b| {
            a.client_name
                .to_lowercase()
                .cmp(&b.client_name.to_lowercase())
        }),
        "issued" => rows.sort_by_key(|r| r.issue_date),
        "due" => rows.sort_by_key(|r| r.due_date),
        "gross" => rows.sort_by_key(|r| r.gross.amount()),
        "outstanding" => rows.sort_by_key(|r| r.outstanding.amount()),
        _ => return, // newest first, as read
    }
    if desc {
        rows.reverse();
    }
}

pub async fn page(ui: Ui, Query(q): Query<ListQuery>) -> Response {
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (t, lang) = (ui.t(), ui.lang);
    let today = ui.app.today();
    let status = q.status.as_deref().and_then(InvoiceStatus::parse);
    let client = q.client.as_deref().and_then(|c| Uuid::parse_str(c).ok());
    let overdue = q.overdue.as_deref() == Some("1");
    let filter = InvoiceFilter {
        status,
        client_id: client,
        issued_from: date(&q.from),
        issued_to: date(&q.to),
        overdue_on: overdue.then_some(today),
        limit: WINDOW + 1,
        ..InvoiceFilter::default()
    };
    let mut rows = match ui.app.list_invoices(actor, &filter).await {
        Ok(r) => r,
        Err(e) => return ui.fail(e),
    };
    let truncated = rows.len() as i64 > WINDOW;
    rows.truncate(WINDOW as usize);
    let (min, max) = (amount(&q.min), amount(&q.max));
    rows.retain(|r| {
        min.is_none_or(|m| r.gross.amount() >= m) && max.is_none_or(|m| r.gross.amount() <= m)
    });
    let sort_key = q.sort.clone().unwrap_or_default();
    sort(&mut rows, &sort_key);
    let clients = match ui
        .app
        .list_clients(
            actor,
            &ClientFilter {
                search: None,
                limit: 1000,
                offset: 0,
            },
        )
        .await
    {
        Ok(c) => c,
        Err(e) => return ui.fail(e),
    };
    let mut base = String::from("/invoices?");
    for (k, v) in [
        ("status", &q.status),
        ("client", &q.client),
        ("from", &q.from),
        ("to", &q.to),
        ("min", &q.min),
        ("max", &q.max),
        ("overdue", &q.overdue),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            let v: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
            base.push_str(&format!("{k}={v}&"));
        }
    }
    base.push_str("x=");
    let header = |key: &'static str, label: &'static str| {
        let (current, desc) = match sort_key.strip_prefix('-') {
            Some(k) => (k, true),
            None => (sort_key.as_str(), false),
        };
        let aria = if current == key {
            if desc { "descending" } else { "ascending" }
        } else {
            ""
        };
        // Clicking the sorted column reverses it.
        let next = if current == key && !desc {
            format!("-{key}")
        } else {
            key.to_owned()
        };
        HeaderCell {
            key: next,
            label,
            aria,
            num: matches!(key, "gross" | "outstanding"),
        }
    };
    let page = Page {
        statuses: InvoiceStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str().to_owned(),
                    t.of("status", s.as_str()),
                    Some(*s) == status,
                )
            })
            .collect(),
        clients: clients
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone(), Some(c.id) == client))
            .collect(),
        sorts: [
            "",
            "issued",
            "-issued",
            "due",
            "client",
            "-gross",
            "-outstanding",
        ]
        .iter()
        .map(|k| {
            let label = match k.trim_start_matches('-') {
                "" => t.s("sort.newest"),
                other => t.of("sort", other),
            };
            ((*k).to_owned(), label, *k == sort_key)
        })
        .collect(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        min: q.min.clone().unwrap_or_default(),
        max: q.max.clone().unwrap_or_default(),
        overdue,
        truncated,
        headers: vec![
            header("number", t.s("col.number")),
            header("client", t.s("col.client")),
            HeaderCell {
                key: String::new(),
                label: t.s("col.status"),
                aria: "",
                num: false,
            },
            header("issued", t.s("col.issued")),
            header("due", t.s("col.due")),
            header("gross", t.s("col.gross")),
            header("outstanding", t.s("col.outstanding")),
        ],
        sort_base: base,
        rows: rows
            .iter()
            .map(|r| Row {
                id: r.id.to_string(),
                number: r
                    .number
                    .clone()
                    .unwrap_or_else(|| t.s("inv.draft").to_owned()),
                client: r.client_name.clone(),
                status: r.status.as_str(),
                status_label: t.of("status", r.status.as_str()),
                issue_date: opt_date(r.issue_date, lang),
                due_date: opt_date(r.due_date, lang),
                gross: money(&r.gross, lang),
                outstanding: money(&r.outstanding, lang),
                overdue: r.status.is_open() && r.due_date.is_some_and(|d| d < today),
            })
            .collect(),
        l: ui.layout("invoices").await,
    };
    render(&page)
}
