//! The invoice as a printable HTML page (the PDF renderer is not part of this build yet), and
//! the frozen document of an issued invoice as JSON.

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use encaisse_core::party::{Address, LegalIds};

use super::invoice::resolve;
use crate::ui::format::{decimal, money, opt_date};
use crate::ui::i18n::Tr;
use crate::ui::{Ui, render};

pub(crate) struct PreviewLine {
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: String,
    pub vat: String,
    pub net: String,
}

#[derive(Template)]
#[template(path = "preview.html")]
struct Page {
    t: Tr,
    lang: &'static str,
    title: String,
    draft: bool,
    seller: String,
    seller_address: String,
    seller_ids: String,
    buyer: String,
    buyer_address: String,
    buyer_ids: String,
    po: Option<String>,
    issue_date: String,
    due_date: String,
    lines: Vec<PreviewLine>,
    totals: Vec<(String, String)>,
    mentions: Vec<String>,
    reference: Option<String>,
    iban: Option<String>,
}

fn address(a: &Address) -> String {
    let street = [a.street.as_deref(), a.building_number.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let town = format!("{} {}", a.postal_code, a.city);
    [street.as_str(), town.trim()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .chain([a.country.as_str()])
        .collect::<Vec<_>>()
        .join(", ")
}

fn ids(i: &LegalIds) -> String {
    let mut v = Vec::new();
    if let Some(s) = &i.siret {
        v.push(format!("SIRET {}", s.as_str()));
    } else if let Some(s) = &i.siren {
        v.push(format!("SIREN {}", s.as_str()));
    }
    if let Some(u) = &i.uid {
        v.push(u.formatted());
    }
    if let Some(vat) = &i.vat_id {
        v.push(format!("VAT {}", vat.as_str()));
    }
    v.join(" · ")
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
    let (t, lang) = (ui.t(), ui.lang);
    let d = match ui.app.invoice_detail(actor, id).await {
        Ok(d) => d,
        Err(e) => return ui.fail(e),
    };
    let (client, org) = match (
        ui.app.client(actor, d.invoice.client_id).await,
        ui.app.organization(actor).await,
    ) {
        (Ok(c), Ok(o)) => (c, o),
        (Err(e), _) | (_, Err(e)) => return ui.fail(e),
    };
    let inv = &d.invoice;
    let mut totals = vec![(
        t.s("col.net").to_owned(),
        money(&d.totals.tax_exclusive, lang),
    )];
    for b in &d.totals.breakdown {
        totals.push((
            format!("{} {} %", t.s("col.vat"), decimal(b.rate.percent(), lang)),
            money(&b.tax, lang),
        ));
    }
    totals.push((
        t.s("col.gross").to_owned(),
        money(&d.totals.tax_inclusive, lang),
    ));
    let doc_lang = client.language;
    let mentions = d
        .totals
        .categories()
        .filter_map(|c| c.exemption_text(doc_lang))
        .map(str::to_owned)
        .collect();
    let page = Page {
        t,
        lang: lang.code(),
        title: inv
            .number
            .clone()
            .unwrap_or_else(|| t.s("inv.draft").to_owned()),
        draft: !inv.status.is_issued(),
        seller: org.legal_name.clone(),
        seller_address: address(&org.address),
        seller_ids: ids(&org.ids),
        buyer: client.name.clone(),
        buyer_address: address(&client.address),
        buyer_ids: ids(&client.ids),
        po: inv.purchase_order.clone(),
        issue_date: opt_date(inv.issue_date, lang),
        due_date: opt_date(inv.due_date, lang),
        lines: inv
            .lines
            .iter()
            .zip(&d.totals.lines)
            .map(|(l, a)| PreviewLine {
                description: l.description.clone(),
                quantity: decimal(l.quantity, lang),
                unit: l.unit.0.clone(),
                unit_price: decimal(l.unit_price, lang),
                vat: l.vat.to_string(),
                net: money(&a.net, lang),
            })
            .collect(),
        totals,
        mentions,
        reference: inv
            .payment_reference
            .as_ref()
            .map(|r| r.as_str().to_owned()),
        iban: org.iban.as_ref().map(|i| i.grouped()),
    };
    let mut res = render(&page);
    // The preview is framed by the invoice page of the same origin only.
    res.headers_mut().insert(
        "content-security-policy",
        HeaderValue::from_static("frame-ancestors 'self'"),
    );
    res
}

/// The frozen JSON of an issued invoice, as hashed into the audit trail.
pub async fn document(ui: Ui, Path(id): Path<String>) -> Response {
    let id = match resolve(&ui, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    match ui.app.issued_document(actor, id).await {
        Ok(Some((json, number))) => {
            let mut res = json.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{number}.json\""))
            {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Ok(None) => ui.fail(encaisse_app::AppError::NotFound {
            entity: "issued document",
            id: id.to_string(),
        }),
        Err(e) => ui.fail(e),
    }
}
