//! Editing a draft's lines (drafts and rejected ones): each row may be changed or removed,
//! one line added. The edits go through the app's `edit_draft`, which records them line by
//! line in the history.

use std::collections::HashMap;
use std::str::FromStr;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use encaisse_app::draft_edits::LineEdit;
use encaisse_app::invoices::DraftLine;
use rust_decimal::Decimal;

use super::invoice::resolve;
use crate::ui::{Layout, Ui, redirect_with, render};

pub(crate) struct EditLine {
    pub index: usize,
    pub position: usize,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct Page {
    l: Layout,
    id: String,
    client: String,
    lines: Vec<EditLine>,
    vat_options: Vec<String>,
    default_vat: String,
}

pub async fn page(ui: Ui, Path(id): Path<String>) -> Response {
    let id = match resolve(&ui, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let d = match ui.app.invoice_detail(actor, id).await {
        Ok(d) => d,
        Err(e) => return ui.fail(e),
    };
    let code = |l: &encaisse_core::invoice::InvoiceLine| {
        format!(
            "{} {}",
            l.vat.category().code(),
            l.vat.percent().normalize()
        )
    };
    let default_vat = d
        .invoice
        .lines
        .first()
        .map(code)
        .unwrap_or_else(|| "S 20".into());
    let mut vat_options: Vec<String> = d.invoice.lines.iter().map(code).collect();
    for v in [
        "S 20", "S 10", "S 5.5", "S 8.1", "AE 0", "E 0", "G 0", "O 0",
    ] {
        vat_options.push(v.to_owned());
    }
    vat_options.dedup();
    let mut seen = std::collections::HashSet::new();
    vat_options.retain(|v| seen.insert(v.clone()));
    let page = Page {
        id: id.to_string(),
        client: d.client_name.clone(),
        lines: d
            .invoice
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| EditLine {
                index: i,
                position: i + 1,
                description: l.description.clone(),
                quantity: l.quantity.normalize().to_string(),
                unit_price: l.unit_price.normalize().to_string(),
                discount: l.discount_percent.normalize().to_string(),
            })
            .collect(),
        vat_options,
        default_vat,
        l: ui.layout("invoices").await,
    };
    render(&page)
}

fn dec(form: &HashMap<String, String>, key: &str) -> Result<Option<Decimal>, String> {
    match form.get(key).map(|v| v.trim().replace(',', ".")) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => Decimal::from_str(&v)
            .map(Some)
            .map_err(|_| format!("`{v}` is not a number")),
    }
}

/// The edits a submitted form asks for, removals last and from the end so indices hold.
fn edits(
    form: &HashMap<String, String>,
    before: &[encaisse_core::invoice::InvoiceLine],
) -> Result<Vec<LineEdit>, String> {
    let mut out = Vec::new();
    let mut removed = Vec::new();
    for (i, l) in before.iter().enumerate() {
        if form.contains_key(&format!("rm{i}")) {
            removed.push(i);
            continue;
        }
        let description = form
            .get(&format!("d{i}"))
            .map(|s| s.trim().to_owned())
            .filter(|d| *d != l.description);
        let quantity = dec(form, &format!("q{i}"))?.filter(|q| *q != l.quantity);
        let unit_price = dec(form, &format!("p{i}"))?.filter(|p| *p != l.unit_price);
        let discount_percent = dec(form, &format!("k{i}"))?.filter(|k| *k != l.discount_percent);
        if description.is_some()
            || quantity.is_some()
            || unit_price.is_some()
            || discount_percent.is_some()
        {
            out.push(LineEdit::Update {
                index: i,
                description,
                quantity,
                unit_price,
                discount_percent,
            });
        }
    }
    let new_desc = form.get("nd").map(|s| s.trim()).unwrap_or("");
    if !new_desc.is_empty() {
        let vat = form.get("nv").cloned().unwrap_or_default();
        let (cat, pct) = vat.split_once(' ').unwrap_or(("S", "20"));
        out.push(LineEdit::Add {
            line: DraftLine {
                description: new_desc.to_owned(),
                quantity: dec(form, "nq")?.unwrap_or(Decimal::ONE),
                unit: form.get("nu").cloned(),
                unit_price: dec(form, "np")?.ok_or("give the new line a unit price")?,
                discount_percent: None,
                vat_category: cat.to_owned(),
                vat_percent: Decimal::from_str(pct)
                    .map_err(|_| "choose a VAT rate from the list".to_owned())?,
                time_entry_ids: vec![],
            },
        });
    }
    for i in removed.into_iter().rev() {
        out.push(LineEdit::Remove { index: i });
    }
    Ok(out)
}

pub async fn save(ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form: HashMap<String, String> = match ui.form(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let id = match resolve(&ui, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let back = format!("/invoices/{id}/edit");
    let before = match ui.app.invoice_detail(actor, id).await {
        Ok(d) => d.invoice.lines,
        Err(e) => return ui.fail(e),
    };
    let edits = match edits(&form, &before) {
        Ok(e) => e,
        Err(m) => return redirect_with(&back, &format!("err:{m}")),
    };
    if edits.is_empty() {
        return redirect_with(&format!("/invoices/{id}"), "ok:flash.saved");
    }
    match ui.app.edit_draft(actor, id, &edits).await {
        Ok(_) => redirect_with(&format!("/invoices/{id}"), "ok:flash.saved"),
        Err(e) => redirect_with(&back, &format!("err:{e}")),
    }
}
