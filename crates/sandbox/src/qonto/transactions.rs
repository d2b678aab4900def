//! `GET /v2/transactions` with every documented filter, `GET /v2/transactions/{id}`, and the
//! admin-side creation of transactions (with their planned settlement).

// Handlers short-circuit with the finished error response itself; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::api::{Ctx, error, json_response, major, not_found, paged, time};
use super::state::{QontoState, TxRec, TxStatus};

/// The REST shape of a transaction.
pub(crate) fn tx_json(s: &QontoState, t: &TxRec) -> Value {
    let account = &s.accounts[t.account];
    let side = if t.credit { "credit" } else { "debit" };
    let subject = if t.credit { "income" } else { "transfer" };
    let mut v = json!({
        "id": t.id, "transaction_id": t.transaction_id, "bank_account_id": account.id,
        "amount": major(t.amount_cents), "amount_cents": t.amount_cents,
        "local_amount": major(t.amount_cents), "local_amount_cents": t.amount_cents,
        "currency": t.currency, "local_currency": t.currency,
        "side": side, "operation_type": t.operation_type, "status": t.status.as_str(),
        "label": t.label, "clean_counterparty_name": t.counterparty_name,
        "reference": t.reference, "note": t.note,
        "settled_at": t.settled_at.map(time), "emitted_at": time(t.emitted_at),
        "updated_at": time(t.updated_at), "created_at": time(t.created_at),
        "settled_balance": null, "settled_balance_cents": null,
        "vat_amount": null, "vat_amount_cents": null, "vat_rate": null,
        "label_ids": [], "attachment_ids": [], "attachment_lost": false, "attachment_required": false,
        "card_last_digits": null, "category": if t.credit { "other_income" } else { "other_expense" },
        "subject_type": subject, "initiator_id": null, "is_external_transaction": false,
    });
    if let Some(iban) = &t.counterparty_iban {
        v[subject] = json!({
            "counterparty_account_number": iban,
            "counterparty_account_number_format": "IBAN",
        });
    }
    v
}

fn parse_time(c: &Ctx<'_>, name: &str) -> Result<Option<DateTime<Utc>>, Response> {
    match c.param(name) {
        None | Some("") => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_parameter",
                    &format!("{name} must be an ISO 8601 date-time"),
                    Some(name),
                )
            }),
    }
}

fn within(
    t: Option<DateTime<Utc>>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> bool {
    if from.is_none() && to.is_none() {
        return true;
    }
    let Some(t) = t else { return false };
    from.is_none_or(|f| t >= f) && to.is_none_or(|e| t <= e)
}

pub(crate) fn list(c: &mut Ctx<'_>) -> Response {
    let (page, per) = match c.paging(100) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let account = match (c.param("bank_account_id"), c.param("iban")) {
        (Some(id), _) => c.s.account_index(id),
        (None, Some(iban)) => c.s.account_index(iban),
        (None, None) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "missing_parameter",
                "bank_account_id or iban is required",
                Some("bank_account_id"),
            );
        }
    };
    let Some(account) = account else {
        return not_found();
    };
    let mut statuses = Vec::new();
    for v in c.params("status[]") {
        match TxStatus::parse(v) {
            Some(s) => statuses.push(s),
            None => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "not_in_list",
                    "status must be one of pending, completed, declined, reversed",
                    Some("status[]"),
                );
            }
        }
    }
    if statuses.is_empty() {
        // [inferred] Without `status[]`, only completed transactions come back.
        statuses.push(TxStatus::Completed);
    }
    let side = match c.param("side") {
        None => None,
        Some("credit") => Some(true),
        Some("debit") => Some(false),
        Some(_) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_in_list",
                "side must be credit or debit",
                Some("side"),
            );
        }
    };
    let ops: Vec<String> = c
        .params("operation_type[]")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut bounds = Vec::new();
    for name in [
        "updated_at_from",
        "updated_at_to",
        "settled_at_from",
        "settled_at_to",
        "emitted_at_from",
        "emitted_at_to",
        "created_at_from",
        "created_at_to",
    ] {
        match parse_time(c, name) {
            Ok(t) => bounds.push(t),
            Err(r) => return r,
        }
    }
    let with_attachments = c.param("with_attachments").map(|v| v == "true");
    let sort = c.param("sort_by").unwrap_or("settled_at:desc").to_owned();
    let Some((field, dir)) = sort.split_once(':').filter(|(f, d)| {
        matches!(
            *f,
            "settled_at" | "updated_at" | "emitted_at" | "created_at"
        ) && matches!(*d, "asc" | "desc")
    }) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_in_list",
            "sort_by must be one of settled_at, updated_at, emitted_at, created_at followed by :asc or :desc",
            Some("sort_by"),
        );
    };
    let s = &*c.s;
    let mut rows: Vec<&TxRec> = s
        .transactions
        .iter()
        .filter(|t| t.account == account && statuses.contains(&t.status))
        .filter(|t| side.is_none_or(|credit| t.credit == credit))
        .filter(|t| ops.is_empty() || ops.contains(&t.operation_type))
        .filter(|t| within(Some(t.updated_at), bounds[0], bounds[1]))
        .filter(|t| within(t.settled_at, bounds[2], bounds[3]))
        .filter(|t| within(Some(t.emitted_at), bounds[4], bounds[5]))
        .filter(|t| within(Some(t.created_at), bounds[6], bounds[7]))
        // The simulator holds no attachments.
        .filter(|_| with_attachments != Some(true))
        .collect();
    let key = |t: &TxRec| match field {
        "updated_at" => Some(t.updated_at),
        "emitted_at" => Some(t.emitted_at),
        "created_at" => Some(t.created_at),
        _ => t.settled_at,
    };
    // Nulls (pending settlements) last; ties by id so that pages are stable.
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        let ord = match (ka, kb) {
            (Some(x), Some(y)) if dir == "desc" => y.cmp(&x),
            (x, y) => x.is_none().cmp(&y.is_none()).then(x.cmp(&y)),
        };
        ord.then_with(|| a.id.cmp(&b.id))
    });
    let rows = rows.into_iter().map(|t| tx_json(s, t)).collect();
    paged("transactions", rows, page, per)
}

pub(crate) fn one(c: &mut Ctx<'_>, id: &str) -> Response {
    match c.s.transactions.iter().find(|t| t.id == id) {
        Some(t) => json_response(StatusCode::OK, &json!({ "transaction": tx_json(c.s, t) })),
        None => not_found(),
    }
}

/// A transaction to add through the admin API (`POST /_sandbox/transactions`) or
/// [`super::QontoSandbox::add_transaction`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewTransaction {
    /// Account id or IBAN; the main account when absent.
    pub account: Option<String>,
    /// Amount as a decimal string (`"1234.50"`), or…
    pub amount: Option<String>,
    /// …in cents. Always positive; `side` says the direction.
    pub amount_cents: Option<i64>,
    /// `credit` (default) or `debit`.
    pub side: Option<String>,
    /// `transfer` (default), `income`, `card`, `direct_debit`…
    pub operation_type: Option<String>,
    pub counterparty_name: String,
    /// The bank's label; the upper-cased counterparty when absent.
    pub label: Option<String>,
    pub counterparty_iban: Option<String>,
    /// Free-text remittance information.
    pub reference: Option<String>,
    pub note: Option<String>,
    /// `completed` (default) or `pending`.
    pub status: Option<String>,
    /// Emission time; the simulated now when absent.
    pub emitted_at: Option<DateTime<Utc>>,
    /// A pending one turns `settle_as` (default `completed`) this long after emission.
    pub settle_after_seconds: Option<i64>,
    /// `completed` or `declined`.
    pub settle_as: Option<String>,
    /// A completed one is `reversed` this long after settlement.
    pub reverse_after_seconds: Option<i64>,
}

/// Adds a transaction; returns its index and those of transactions whose planned change
/// was already due (to announce as updated).
pub(crate) fn add(s: &mut QontoState, n: &NewTransaction) -> Result<(usize, Vec<usize>), String> {
    let account = match &n.account {
        Some(a) => s
            .account_index(a)
            .ok_or_else(|| format!("no bank account {a}"))?,
        None => 0,
    };
    let currency = s
        .accounts
        .get(account)
        .map(|a| a.currency.clone())
        .ok_or("the organization has no bank account")?;
    let cents = match (&n.amount, n.amount_cents) {
        (_, Some(c)) => c,
        (Some(a), None) => {
            let cur = encaisse_core::Currency::parse(&currency).map_err(|e| e.to_string())?;
            encaisse_core::Money::parse(a, cur)
                .and_then(|m| m.to_minor())
                .map_err(|e| format!("amount `{a}`: {e}"))?
        }
        (None, None) => return Err("amount or amount_cents is required".into()),
    };
    if cents <= 0 {
        return Err("the amount must be positive; say `side: debit` for money out".into());
    }
    let credit = match n.side.as_deref() {
        None | Some("credit") => true,
        Some("debit") => false,
        Some(o) => return Err(format!("side `{o}` is neither credit nor debit")),
    };
    let status = match n.status.as_deref().map(TxStatus::parse) {
        None => TxStatus::Completed,
        Some(Some(st @ (TxStatus::Completed | TxStatus::Pending))) => st,
        Some(_) => return Err("status must be completed or pending".into()),
    };
    let emitted = n.emitted_at.unwrap_or(s.now);
    let mut plan = Vec::new();
    let mut settled_at = None;
    let mut settled_status = None;
    match status {
        TxStatus::Pending => {
            if let Some(after) = n.settle_after_seconds {
                let outcome = match n.settle_as.as_deref() {
                    None | Some("completed") => TxStatus::Completed,
                    Some("declined") => TxStatus::Declined,
                    Some(o) => {
                        return Err(format!("settle_as `{o}` is neither completed nor declined"));
                    }
                };
                let at = emitted + Duration::seconds(after.max(0));
                plan.push((at, outcome));
                settled_status = Some((at, outcome));
            }
        }
        _ => {
            settled_at = Some(emitted);
            settled_status = Some((emitted, TxStatus::Completed));
        }
    }
    if let (Some(after), Some((at, TxStatus::Completed))) =
        (n.reverse_after_seconds, settled_status)
    {
        plan.push((at + Duration::seconds(after.max(0)), TxStatus::Reversed));
    }
    let op = n
        .operation_type
        .clone()
        .unwrap_or_else(|| "transfer".into());
    let i = s.push_tx(TxRec {
        id: String::new(),
        transaction_id: String::new(),
        account,
        amount_cents: cents,
        currency,
        credit,
        operation_type: op,
        status,
        label: n
            .label
            .clone()
            .unwrap_or_else(|| n.counterparty_name.to_uppercase()),
        counterparty_name: n.counterparty_name.clone(),
        counterparty_iban: n.counterparty_iban.as_ref().map(|i| i.replace(' ', "")),
        reference: n.reference.clone(),
        note: n.note.clone(),
        emitted_at: emitted,
        settled_at,
        updated_at: s.now.max(emitted),
        created_at: s.now,
        plan,
    });
    s.accounts[account].updated_at = s.now;
    // Changes already due (an emission in the past) apply at once.
    let changed = s.advance(Duration::zero());
    Ok((i, changed))
}
