//! Clients: the list, and one client with its terms, identifiers, invoices and payments.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use encaisse_core::Money;
use encaisse_store::clients::ClientFilter;
use encaisse_store::invoices::InvoiceFilter;
use serde::Deserialize;
use uuid::Uuid;

use super::dashboard::PaymentRow;
use super::list::Row;
use crate::ui::format::{date, money, opt_date};
use crate::ui::{Layout, Ui, render};

pub(crate) struct ClientRow {
    pub id: String,
    pub name: String,
    pub city: String,
    pub currency: String,
    pub terms: String,
    pub ids: String,
}

#[derive(Template)]
#[template(path = "clients.html")]
struct ListPage {
    l: Layout,
    q: String,
    rows: Vec<ClientRow>,
}

#[derive(Template)]
#[template(path = "client.html")]
struct DetailPage {
    l: Layout,
    name: String,
    address: String,
    email: Option<String>,
    terms: String,
    currency: String,
    language: String,
    ids: String,
    po: String,
    outstanding: String,
    overdue: String,
    invoices: Vec<Row>,
    payments: Vec<PaymentRow>,
}

#[derive(Deserialize)]
pub struct Search {
    q: Option<String>,
}

fn ids(c: &encaisse_core::party::Client) -> String {
    [
        c.ids
            .siret
            .as_ref()
            .map(|s| format!("SIRET {}", s.as_str())),
        c.ids.uid.as_ref().map(|u| u.formatted()),
        c.ids.vat_id.as_ref().map(|v| v.as_str().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ")
}

fn terms(days: u32, t: crate::ui::i18n::Tr) -> String {
    match t.0 {
        encaisse_core::language::Language::Fr => format!("{days} jours"),
        encaisse_core::language::Language::De => format!("{days} Tage"),
        encaisse_core::language::Language::En => format!("{days} days"),
    }
}

pub async fn list(ui: Ui, Query(s): Query<Search>) -> Response {
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let q = s.q.unwrap_or_default();
    let filter = ClientFilter {
        search: Some(q.trim().to_owned()).filter(|s| !s.is_empty()),
        limit: 500,
        offset: 0,
    };
    let clients = match ui.app.list_clients(actor, &filter).await {
        Ok(c) => c,
        Err(e) => return ui.fail(e),
    };
    let t = ui.t();
    let page = ListPage {
        q,
        rows: clients
            .iter()
            .map(|c| ClientRow {
                id: c.id.to_string(),
                name: c.name.clone(),
                city: format!("{} ({})", c.address.city, c.address.country),
                currency: c.currency.code().to_owned(),
                terms: terms(c.terms.days, t),
                ids: ids(c),
            })
            .collect(),
        l: ui.layout("clients").await,
    };
    render(&page)
}

pub async fn detail(ui: Ui, Path(id): Path<String>) -> Response {
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return ui.fail(encaisse_app::AppError::NotFound {
            entity: "client",
            id,
        });
    };
    let (t, lang) = (ui.t(), ui.lang);
    let c = match ui.app.client(actor, id).await {
        Ok(c) => c,
        Err(e) => return ui.fail(e),
    };
    let invoices = match ui
        .app
        .list_invoices(
            actor,
            &InvoiceFilter {
                client_id: Some(id),
                limit: 200,
                ..InvoiceFilter::default()
            },
        )
        .await
    {
        Ok(i) => i,
        Err(e) => return ui.fail(e),
    };
    let payments = match ui.app.client_payments(actor, id).await {
        Ok(p) => p,
        Err(e) => return ui.fail(e),
    };
    let today = ui.app.today();
    let open = invoices
        .iter()
        .filter(|i| i.status.is_open() && i.currency == c.currency);
    let sum = |it: &mut dyn Iterator<Item = Money>| {
        it.fold(Money::zero(c.currency), |a, m| {
            a.checked_add(&m).unwrap_or(a)
        })
    };
    let outstanding = sum(&mut open.clone().map(|i| i.outstanding));
    let overdue = sum(&mut open
        .filter(|i| i.due_date.is_some_and(|d| d < today))
        .map(|i| i.outstanding));
    let street = [
        c.address.street.as_deref(),
        c.address.building_number.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let page = DetailPage {
        name: c.name.clone(),
        address: format!(
            "{street}, {} {} ({})",
            c.address.postal_code, c.address.city, c.address.country
        ),
        email: c.email.clone(),
        terms: terms(c.terms.days, t),
        currency: c.currency.code().to_owned(),
        language: c.language.code().to_uppercase(),
        ids: ids(&c),
        po: if c.requires_purchase_order {
            "✓".into()
        } else {
            "—".into()
        },
        outstanding: money(&outstanding, lang),
        overdue: money(&overdue, lang),
        invoices: invoices
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
        payments: payments
            .iter()
            .map(|p| PaymentRow {
                date: date(p.received_on, lang),
                client: p.client.clone(),
                number: p.number.clone().unwrap_or_default(),
                invoice_id: p.invoice_id.to_string(),
                amount: money(&p.amount, lang),
            })
            .collect(),
        l: ui.layout("clients").await,
    };
    render(&page)
}
