//! The bank page: recent transactions, and the reconciliation suggestions waiting for review
//! with their explanation, each with confirm and reject buttons (CSRF-protected forms).

use askama::Template;
use axum::body::Bytes;
use axum::response::Response;
use encaisse_core::role::Permission;
use encaisse_store::bank::BankTransactionFilter;
use serde::Deserialize;
use uuid::Uuid;

use crate::ui::format::{date, money};
use crate::ui::{Layout, Ui, redirect_with, render};
use axum::extract::Path;

pub(crate) struct Suggestion {
    pub id: String,
    pub booked: String,
    pub amount: String,
    pub payer: String,
    pub invoices: String,
    pub method: String,
    pub confidence: String,
    pub explanation: String,
}

pub(crate) struct Transaction {
    pub booked: String,
    pub reference: String,
    pub amount: String,
    pub credit: bool,
    pub counterparty: String,
    pub remittance: String,
    pub state: &'static str,
    pub state_class: &'static str,
}

#[derive(Template)]
#[template(path = "bank.html")]
struct Page {
    l: Layout,
    can_decide: bool,
    suggestions: Vec<Suggestion>,
    transactions: Vec<Transaction>,
}

pub async fn page(ui: Ui) -> Response {
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (t, lang) = (ui.t(), ui.lang);
    let suggestions = match ui.app.reconciliation_suggestions(actor, 200).await {
        Ok(s) => s,
        Err(e) => return ui.fail(e),
    };
    let filter = BankTransactionFilter {
        reconciliation: None,
        limit: 100,
        before_id: None,
    };
    let transactions = match ui.app.list_bank_transactions(actor, &filter).await {
        Ok(s) => s,
        Err(e) => return ui.fail(e),
    };
    let page = Page {
        can_decide: ui.can(Permission::RecordPayments),
        suggestions: suggestions
            .iter()
            .map(|m| Suggestion {
                id: m.id.to_string(),
                booked: date(m.booking_date, lang),
                amount: money(&m.transaction_amount, lang),
                payer: m.payer.clone().unwrap_or_default(),
                invoices: m
                    .allocations
                    .iter()
                    .map(|a| {
                        format!(
                            "{} ({}) {}",
                            a.invoice_number.as_deref().unwrap_or("?"),
                            a.client_name,
                            money(&a.amount, lang)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                method: m.method.clone(),
                confidence: m.confidence.clone(),
                explanation: m.explanation.clone(),
            })
            .collect(),
        transactions: transactions
            .iter()
            .map(|x| {
                let (state, state_class) = match x.reconciliation.as_str() {
                    "matched" => ("bank.state.matched", "ok"),
                    "suggested" => ("bank.state.suggested", "warn"),
                    "unmatched" => ("bank.state.unmatched", "block"),
                    _ => ("bank.state.ignored", "muted"),
                };
                Transaction {
                    booked: date(x.booking_date, lang),
                    reference: x.bank_reference.clone(),
                    amount: money(&x.amount, lang),
                    credit: !x.amount.is_negative(),
                    counterparty: x.counterparty_name.clone().unwrap_or_default(),
                    remittance: x.remittance.clone().unwrap_or_default(),
                    state: t.s(state),
                    state_class,
                }
            })
            .collect(),
        l: ui.layout("bank").await,
    };
    render(&page)
}

#[derive(Deserialize)]
struct DecisionForm {
    #[allow(dead_code)]
    _csrf: String,
}

pub async fn confirm(ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    decide(ui, id, body, true).await
}

pub async fn reject(ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    decide(ui, id, body, false).await
}

async fn decide(ui: Ui, id: String, body: Bytes, confirm: bool) -> Response {
    if let Err(r) = ui.form::<DecisionForm>(&body) {
        return r;
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return ui.fail(encaisse_app::AppError::NotFound {
            entity: "suggestion",
            id,
        });
    };
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let outcome = if confirm {
        ui.app.confirm_suggestion(actor, id).await
    } else {
        ui.app.reject_suggestion(actor, id).await
    };
    match outcome {
        Ok(_) if confirm => redirect_with("/bank", "ok:bank.flash.confirmed"),
        Ok(_) => redirect_with("/bank", "ok:bank.flash.rejected"),
        Err(e) => redirect_with("/bank", &format!("err:{e}")),
    }
}
