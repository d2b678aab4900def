//! The dashboard: KPIs, two SVG charts, the latest payments.

use askama::Template;
use axum::response::Response;
use encaisse_core::receivables::AGE_BUCKETS;

use crate::ui::charts::{self, Bar, PairBar};
use crate::ui::format::{date, money};
use crate::ui::{Layout, Ui, render};

pub(crate) struct PaymentRow {
    pub date: String,
    pub client: String,
    pub number: String,
    pub invoice_id: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Page {
    l: Layout,
    collected_30: String,
    collected_90: String,
    outstanding: String,
    overdue: String,
    dso: String,
    waiting: i64,
    waiting_for_me: usize,
    other_outstanding: String,
    months_svg: String,
    aging_svg: String,
    aging_rows: Vec<(String, String)>,
    payments: Vec<PaymentRow>,
}

pub async fn page(ui: Ui) -> Response {
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let d = match ui.app.dashboard(actor).await {
        Ok(d) => d,
        Err(e) => return ui.fail(e),
    };
    let (t, lang) = (ui.t(), ui.lang);
    let groups: Vec<PairBar> = d
        .months
        .iter()
        .map(|m| PairBar {
            label: format!("{:02}/{:02}", m.month, m.year % 100),
            a: m.invoiced.amount(),
            a_text: money(&m.invoiced, lang),
            b: m.collected.amount(),
            b_text: money(&m.collected, lang),
        })
        .collect();
    let months_svg = charts::pair_bars(
        t.s("dash.months"),
        (t.s("dash.invoiced"), t.s("dash.collected")),
        &groups,
    );
    let mut rows = vec![Bar {
        label: t.s("dash.not_due").to_owned(),
        value: d.aging.not_due.amount(),
        text: money(&d.aging.not_due, lang),
        class: "ok",
    }];
    for (i, (label, amount)) in AGE_BUCKETS.iter().zip(&d.aging.overdue).enumerate() {
        rows.push(Bar {
            label: (*label).to_owned(),
            value: amount.amount(),
            text: money(amount, lang),
            class: ["late1", "late2", "late3", "late4"][i],
        });
    }
    let aging_svg = charts::bars(t.s("dash.aging"), &rows);
    let aging_rows = rows
        .iter()
        .map(|r| (r.label.clone(), r.text.clone()))
        .collect();
    let overdue = d
        .aging
        .total_overdue()
        .map(|m| money(&m, lang))
        .unwrap_or_default();
    let page = Page {
        collected_30: money(&d.collected_30, lang),
        collected_90: money(&d.collected_90, lang),
        outstanding: money(&d.outstanding, lang),
        overdue,
        dso: d
            .dso
            .map(|v| crate::ui::format::decimal(v, lang))
            .unwrap_or_else(|| "—".into()),
        waiting: d.waiting,
        waiting_for_me: d.waiting_for_me,
        other_outstanding: d
            .other_outstanding
            .iter()
            .map(|m| money(m, lang))
            .collect::<Vec<_>>()
            .join(" · "),
        months_svg,
        aging_svg,
        aging_rows,
        payments: d
            .latest_payments
            .iter()
            .map(|p| PaymentRow {
                date: date(p.received_on, lang),
                client: p.client.clone(),
                number: p.number.clone().unwrap_or_else(|| "—".into()),
                invoice_id: p.invoice_id.to_string(),
                amount: money(&p.amount, lang),
            })
            .collect(),
        l: ui.layout("dashboard").await,
    };
    render(&page)
}
