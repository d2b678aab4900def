//! Settings (validation rules and thresholds, delegations), the organization switcher, the
//! language switch and the notifications page.

use std::collections::HashMap;
use std::str::FromStr;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::NaiveDate;
use encaisse_core::language::Language;
use encaisse_core::role::Permission;
use encaisse_core::rules::{RuleId, Severity};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::ui::format::{date, decimal, timestamp};
use crate::ui::i18n::LANG_COOKIE;
use crate::ui::{Layout, Ui, redirect_with, render, safe_next};

pub(crate) struct RuleRow {
    pub key: &'static str,
    pub title: &'static str,
    pub options: Vec<(&'static str, &'static str, bool)>,
    /// Form name, label and value of the rule's main parameter.
    pub param: Option<(String, &'static str, String)>,
}

pub(crate) struct DelegationRow {
    pub id: String,
    pub from: String,
    pub to: String,
    pub period: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct Page {
    l: Layout,
    can_edit: bool,
    can_delegate: bool,
    auto_approve_below: String,
    single_approver_up_to: String,
    rules: Vec<RuleRow>,
    delegations: Vec<DelegationRow>,
    members: Vec<String>,
    today: String,
}

fn param_label(rule: RuleId, lang: Language) -> Option<&'static str> {
    use Language::*;
    Some(match (rule, lang) {
        (RuleId::AmountAbove, Fr) => "Seuil",
        (RuleId::AmountAbove, En) => "Threshold",
        (RuleId::AmountAbove, De) => "Schwelle",
        (RuleId::UnusualAmount, Fr) => "× la médiane",
        (RuleId::UnusualAmount, En) => "× the median",
        (RuleId::UnusualAmount, De) => "× Median",
        (RuleId::DailyHours, Fr) => "Heures / jour",
        (RuleId::DailyHours, En) => "Hours / day",
        (RuleId::DailyHours, De) => "Stunden / Tag",
        (RuleId::DueDate, Fr) => "Jours max.",
        (RuleId::DueDate, En) => "Max days",
        (RuleId::DueDate, De) => "Max. Tage",
        (RuleId::StaleTimeEntries, Fr) => "Mois",
        (RuleId::StaleTimeEntries, En) => "Months",
        (RuleId::StaleTimeEntries, De) => "Monate",
        _ => return None,
    })
}

fn param_value(cfg: &encaisse_core::approval::ValidationConfig, rule: RuleId) -> String {
    let r = &cfg.rules;
    match rule {
        RuleId::AmountAbove => r.amount_above.threshold.normalize().to_string(),
        RuleId::UnusualAmount => r.unusual_amount.factor.normalize().to_string(),
        RuleId::DailyHours => r.daily_hours.max_hours_per_day.normalize().to_string(),
        RuleId::DueDate => r.due_date.max_days.to_string(),
        RuleId::StaleTimeEntries => r.stale_time_entries.max_age_months.to_string(),
        _ => String::new(),
    }
}

pub async fn page(ui: Ui) -> Response {
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (t, lang) = (ui.t(), ui.lang);
    let cfg = match ui.app.validation_config(actor).await {
        Ok(c) => c,
        Err(e) => return ui.fail(e),
    };
    let delegations = match ui.app.delegations(actor).await {
        Ok(d) => d,
        Err(e) => return ui.fail(e),
    };
    let members = match ui.app.members(actor).await {
        Ok(m) => m,
        Err(e) => return ui.fail(e),
    };
    let page = Page {
        can_edit: ui.can(Permission::ManageOrganization),
        can_delegate: ui.can(Permission::Approve),
        auto_approve_below: decimal(cfg.approval.auto_approve_below, Language::En).replace(',', ""),
        single_approver_up_to: decimal(cfg.approval.single_approver_up_to, Language::En)
            .replace(',', ""),
        rules: RuleId::ALL
            .iter()
            .map(|r| RuleRow {
                key: r.as_str(),
                title: r.title(lang),
                options: [Severity::Block, Severity::Warn, Severity::Off]
                    .iter()
                    .map(|s| {
                        (
                            s.as_str(),
                            t.of("severity", s.as_str()),
                            *s == cfg.rules.severity(*r),
                        )
                    })
                    .collect(),
                param: param_label(*r, lang)
                    .map(|label| (format!("par.{}", r.as_str()), label, param_value(&cfg, *r))),
            })
            .collect(),
        delegations: delegations
            .iter()
            .map(|d| DelegationRow {
                id: d.id.to_string(),
                from: d.from.clone(),
                to: d.to.clone(),
                period: format!("{} – {}", date(d.starts_on, lang), date(d.ends_on, lang)),
                active: d.active,
            })
            .collect(),
        members: members.into_iter().map(|(email, _)| email).collect(),
        today: ui.app.today().to_string(),
        l: ui.layout("settings").await,
    };
    render(&page)
}

fn dec(form: &HashMap<String, String>, key: &str) -> Result<Option<Decimal>, String> {
    match form.get(key).map(|v| {
        v.trim()
            .replace(['\u{202F}', ' ', '\''], "")
            .replace(',', ".")
    }) {
        Some(v) if !v.is_empty() => Decimal::from_str(&v)
            .map(Some)
            .map_err(|_| format!("{key}: `{v}` is not a number")),
        _ => Ok(None),
    }
}

fn whole(d: Option<Decimal>, key: &str) -> Result<Option<u32>, String> {
    d.map(|d| {
        u32::try_from(d.trunc().mantissa())
            .ok()
            .filter(|_| d.fract().is_zero())
            .ok_or(format!("{key}: a whole number"))
    })
    .transpose()
}

pub async fn save_validation(ui: Ui, body: Bytes) -> Response {
    let form: HashMap<String, String> = match ui.form(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut cfg = match ui.app.validation_config(actor).await {
        Ok(c) => c,
        Err(e) => return ui.fail(e),
    };
    let apply = |cfg: &mut encaisse_core::approval::ValidationConfig| -> Result<(), String> {
        for r in RuleId::ALL {
            if let Some(s) = form
                .get(&format!("sev.{}", r.as_str()))
                .and_then(|s| Severity::parse(s))
            {
                cfg.rules.set_severity(r, s);
            }
        }
        if let Some(v) = dec(&form, "auto_approve_below")? {
            cfg.approval.auto_approve_below = v;
        }
        if let Some(v) = dec(&form, "single_approver_up_to")? {
            cfg.approval.single_approver_up_to = v;
        }
        if let Some(v) = dec(&form, "par.amount_above")? {
            cfg.rules.amount_above.threshold = v;
        }
        if let Some(v) = dec(&form, "par.unusual_amount")? {
            cfg.rules.unusual_amount.factor = v;
        }
        if let Some(v) = dec(&form, "par.daily_hours")? {
            cfg.rules.daily_hours.max_hours_per_day = v;
        }
        if let Some(v) = whole(dec(&form, "par.due_date")?, "due_date")? {
            cfg.rules.due_date.max_days = v;
        }
        if let Some(v) = whole(dec(&form, "par.stale_time_entries")?, "stale_time_entries")? {
            cfg.rules.stale_time_entries.max_age_months = v;
        }
        Ok(())
    };
    if let Err(m) = apply(&mut cfg) {
        return redirect_with("/settings", &format!("err:{m}"));
    }
    match ui.app.set_validation_config(actor, &cfg).await {
        Ok(()) => redirect_with("/settings", "ok:flash.saved"),
        Err(e) => redirect_with("/settings", &format!("err:{e}")),
    }
}

#[derive(Deserialize)]
pub struct DelegationForm {
    from: Option<String>,
    to: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

pub async fn delegate(ui: Ui, body: Bytes) -> Response {
    let f: DelegationForm = match ui.form(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    match ui
        .app
        .delegate(actor, f.from.as_deref(), &f.to, f.starts_on, f.ends_on)
        .await
    {
        Ok(_) => redirect_with("/settings", "ok:flash.delegated"),
        Err(e) => redirect_with("/settings", &format!("err:{e}")),
    }
}

pub async fn revoke(ui: Ui, Path(id): Path<Uuid>, body: Bytes) -> Response {
    if let Err(r) = ui.form::<serde::de::IgnoredAny>(&body) {
        return r;
    }
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    match ui.app.revoke_delegation(actor, id).await {
        Ok(()) => redirect_with("/settings", "ok:flash.saved"),
        Err(e) => redirect_with("/settings", &format!("err:{e}")),
    }
}

#[derive(Deserialize)]
pub struct SwitchForm {
    organization_id: Uuid,
    next: Option<String>,
}

pub async fn switch_organization(ui: Ui, body: Bytes) -> Response {
    let f: SwitchForm = match ui.form(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match ui
        .app
        .switch_organization(&ui.token, ui.user.id, f.organization_id)
        .await
    {
        // Objects of the previous organization are not found in the new one: go home.
        Ok(()) => redirect_with(
            &if f
                .next
                .as_deref()
                .is_some_and(|n| n.starts_with("/invoices/") || n.starts_with("/clients/"))
            {
                "/".to_owned()
            } else {
                safe_next(f.next.as_deref(), "/")
            },
            "ok:flash.saved",
        ),
        Err(e) => ui.fail(e),
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    next: Option<String>,
}

pub async fn language(ui: Ui, body: Bytes) -> Response {
    let f: LanguageForm = match ui.form(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let lang = Language::parse(&f.lang);
    if let Err(e) = ui.app.set_ui_language(ui.user.id, lang).await {
        return ui.fail(e);
    }
    let mut res = redirect_with(&safe_next(f.next.as_deref(), "/"), "ok:flash.saved");
    if let Some(l) = lang
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            l.code()
        ))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub(crate) struct NoteRow {
    pub at: String,
    pub text: String,
    pub invoice_id: Option<String>,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotesPage {
    l: Layout,
    items: Vec<NoteRow>,
}

pub async fn notifications(ui: Ui) -> Response {
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let t = ui.t();
    let (list, _) = match ui.app.notifications(actor, 100).await {
        Ok(n) => n,
        Err(e) => return ui.fail(e),
    };
    let items = list
        .iter()
        .map(|n| {
            let p: serde_json::Value = serde_json::from_str(&n.payload).unwrap_or_default();
            let s = |k: &str| p[k].as_str().unwrap_or("").to_owned();
            let mut text = format!("{} {}", t.of("note", &n.kind), s("client"));
            if !s("gross").is_empty() {
                text.push_str(&format!(" ({})", s("gross")));
            }
            if !s("comment").is_empty() {
                text.push_str(&format!(" — « {} » ({})", s("comment"), s("by")));
            }
            NoteRow {
                at: timestamp(&n.created_at.to_rfc3339(), ui.lang),
                text,
                invoice_id: n.invoice_id.map(|i| i.to_string()),
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    let page = NotesPage {
        items,
        l: ui.layout("notifications").await,
    };
    render(&page)
}

pub async fn read_notifications(ui: Ui, body: Bytes) -> Response {
    if let Err(r) = ui.form::<serde::de::IgnoredAny>(&body) {
        return r;
    }
    let actor = match ui.actor() {
        Ok(a) => a,
        Err(r) => return r,
    };
    match ui.app.mark_notifications_read(actor).await {
        Ok(()) => redirect_with("/notifications", "ok:flash.saved"),
        Err(e) => ui.fail(e),
    }
}
