//! From billable entries to draft invoices: one draft per client and currency, lines per
//! project, task, user or entry, fixed-fee projects billed by milestone, the client's
//! discount and VAT on every line.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::billing::rounding::DurationRule;
use crate::billing::taxation::Taxation;
use crate::invoice::{InvoiceLine, UnitCode};
use crate::language::Language;
use crate::money::{Currency, Money};
use crate::vat::VatRate;

/// What one line gathers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LineGrouping {
    /// One line per project (and rate).
    #[default]
    Project,
    /// One line per project and task.
    Task,
    /// One line per project and person.
    User,
    /// One line per entry.
    Entry,
}

impl LineGrouping {
    pub fn as_str(self) -> &'static str {
        match self {
            LineGrouping::Project => "project",
            LineGrouping::Task => "task",
            LineGrouping::User => "user",
            LineGrouping::Entry => "entry",
        }
    }

    pub fn parse(s: &str) -> Option<LineGrouping> {
        match s.trim().to_ascii_lowercase().as_str() {
            "project" => Some(LineGrouping::Project),
            "task" => Some(LineGrouping::Task),
            "user" => Some(LineGrouping::User),
            "entry" => Some(LineGrouping::Entry),
            _ => None,
        }
    }
}

/// A time entry as billing sees it: its rate already resolved (see [`super::rates`]). Texts
/// are shared (`Arc<str>`): a million entries repeat a few thousand names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillableEntry {
    pub id: Uuid,
    pub client_id: Uuid,
    pub project_id: Uuid,
    pub project_name: Arc<str>,
    pub task: Option<Arc<str>>,
    pub user: Arc<str>,
    pub description: Arc<str>,
    /// The day it was worked, in the organization's time zone.
    pub date: NaiveDate,
    pub seconds: i64,
    pub billable: bool,
    pub rate: Option<Money>,
    /// The project is billed by milestone, not by the hour.
    pub fixed_fee: bool,
}

/// How a client is billed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientTerms {
    pub grouping: LineGrouping,
    pub rule: DurationRule,
    /// Discount on every line, 0–100.
    pub discount_percent: Decimal,
    pub taxation: Taxation,
    pub language: Language,
}

/// A fixed-fee milestone reached and not billed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Milestone {
    pub id: Uuid,
    pub client_id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub name: String,
    pub amount: Money,
}

/// Why an entry is not on any line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "detail")]
pub enum SkipReason {
    NotBillable,
    /// No rate at any level: set one on the project or the client.
    NoRate,
    /// Nothing to bill (zero duration and no minimum).
    ZeroDuration,
    /// The client cannot be billed now (missing VAT number, unknown client…).
    ClientNotBillable(String),
}

/// One line to be written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedLine {
    pub description: String,
    pub quantity: Decimal,
    pub unit: UnitCode,
    pub unit_price: Decimal,
    pub discount_percent: Decimal,
    pub vat: VatRate,
    pub time_entry_ids: Vec<Uuid>,
    /// Recorded time of its entries.
    pub raw_seconds: i64,
    /// Time billed after the minimum and rounding (0 for milestone lines).
    pub billed_seconds: i64,
    pub milestone_id: Option<Uuid>,
}

impl PlannedLine {
    pub fn to_invoice_line(&self) -> InvoiceLine {
        InvoiceLine {
            description: self.description.clone(),
            quantity: self.quantity,
            unit: self.unit.clone(),
            unit_price: self.unit_price,
            discount_percent: self.discount_percent,
            vat: self.vat,
            time_entry_ids: self.time_entry_ids.clone(),
        }
    }
}

/// One draft to be written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedDraft {
    pub client_id: Uuid,
    pub currency: Currency,
    pub lines: Vec<PlannedLine>,
    /// The VAT mention the invoice must print.
    pub mention: Option<String>,
}

impl PlannedDraft {
    /// Billed hours of the draft (hour lines only).
    pub fn billed_seconds(&self) -> i64 {
        self.lines.iter().map(|l| l.billed_seconds).sum()
    }

    pub fn entry_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.lines
            .iter()
            .flat_map(|l| l.time_entry_ids.iter().copied())
    }
}

/// The outcome: drafts, and for every other entry why it is not billed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub drafts: Vec<PlannedDraft>,
    pub skipped: Vec<(Uuid, SkipReason)>,
    /// Entries of fixed-fee projects with no milestone reached: they wait for the next one.
    pub waiting: Vec<Uuid>,
}

/// Hours as an invoice quantity: 4 decimals, so 10-minute steps stay close.
pub fn hours(seconds: i64) -> Decimal {
    (Decimal::from(seconds) / Decimal::from(3600))
        .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

type LineKey = (Arc<str>, Uuid, Arc<str>, Decimal);

#[derive(Default)]
struct DraftAcc<'a> {
    lines: BTreeMap<LineKey, Vec<(&'a BillableEntry, i64)>>,
    milestones: Vec<PlannedLine>,
}

/// Plans the drafts. `terms` holds every client's terms, or why the client cannot be billed.
pub fn plan(
    entries: &[BillableEntry],
    terms: &HashMap<Uuid, Result<ClientTerms, String>>,
    milestones: &[Milestone],
) -> Plan {
    let mut out = Plan::default();
    let mut drafts: BTreeMap<(Uuid, Currency), DraftAcc<'_>> = BTreeMap::new();
    let mut fixed: BTreeMap<(Uuid, Uuid), Vec<&BillableEntry>> = BTreeMap::new();
    let none: Arc<str> = Arc::from("");
    for e in entries {
        if !e.billable {
            out.skipped.push((e.id, SkipReason::NotBillable));
            continue;
        }
        let t = match terms.get(&e.client_id) {
            Some(Ok(t)) => t,
            Some(Err(why)) => {
                out.skipped
                    .push((e.id, SkipReason::ClientNotBillable(why.clone())));
                continue;
            }
            None => {
                out.skipped.push((
                    e.id,
                    SkipReason::ClientNotBillable("the client is unknown".into()),
                ));
                continue;
            }
        };
        if e.fixed_fee {
            fixed
                .entry((e.client_id, e.project_id))
                .or_default()
                .push(e);
            continue;
        }
        let Some(rate) = e.rate else {
            out.skipped.push((e.id, SkipReason::NoRate));
            continue;
        };
        let secs = t.rule.entry_seconds(e.seconds);
        if secs == 0 {
            out.skipped.push((e.id, SkipReason::ZeroDuration));
            continue;
        }
        let sub = match t.grouping {
            LineGrouping::Project => none.clone(),
            LineGrouping::Task => e.task.clone().unwrap_or_else(|| none.clone()),
            LineGrouping::User => e.user.clone(),
            LineGrouping::Entry => Arc::from(format!("{}/{}", e.date, e.id)),
        };
        let key = (
            e.project_name.clone(),
            e.project_id,
            sub,
            rate.amount().round_dp(4),
        );
        drafts
            .entry((e.client_id, rate.currency()))
            .or_default()
            .lines
            .entry(key)
            .or_default()
            .push((e, secs));
    }
    for m in milestones {
        let Some(Ok(t)) = terms.get(&m.client_id) else {
            continue;
        };
        let carried = fixed
            .remove(&(m.client_id, m.project_id))
            .unwrap_or_default();
        let raw: i64 = carried.iter().map(|e| e.seconds.max(0)).sum();
        let mut description = format!("{} — {}", m.project_name, m.name);
        if !carried.is_empty() {
            description.push_str(&format!(
                " ({} h {})",
                hours(raw),
                label(t.language, Label::Recorded)
            ));
        }
        drafts
            .entry((m.client_id, m.amount.currency()))
            .or_default()
            .milestones
            .push(PlannedLine {
                description,
                quantity: Decimal::ONE,
                unit: UnitCode::one(),
                unit_price: m.amount.amount(),
                discount_percent: t.discount_percent,
                vat: t.taxation.rate,
                time_entry_ids: carried.iter().map(|e| e.id).collect(),
                raw_seconds: raw,
                billed_seconds: 0,
                milestone_id: Some(m.id),
            });
    }
    out.waiting = fixed.into_values().flatten().map(|e| e.id).collect();
    for ((client_id, currency), acc) in drafts {
        let Some(Ok(t)) = terms.get(&client_id) else {
            continue; // unreachable: only clients with terms got here
        };
        let mut lines: Vec<PlannedLine> = acc
            .lines
            .into_iter()
            .map(|((_, _, _, price), group)| build_line(t, price, &group))
            .collect();
        lines.extend(acc.milestones);
        out.drafts.push(PlannedDraft {
            client_id,
            currency,
            lines,
            mention: t.taxation.mention.clone(),
        });
    }
    out
}

fn build_line(t: &ClientTerms, price: Decimal, group: &[(&BillableEntry, i64)]) -> PlannedLine {
    let raw: i64 = group.iter().map(|(e, _)| e.seconds.max(0)).sum();
    let contributed: i64 = group.iter().map(|(_, s)| s).sum();
    let billed = t.rule.line_seconds(contributed);
    PlannedLine {
        description: describe(t, group),
        quantity: hours(billed),
        unit: UnitCode::hour(),
        unit_price: price,
        discount_percent: t.discount_percent,
        vat: t.taxation.rate,
        time_entry_ids: group.iter().map(|(e, _)| e.id).collect(),
        raw_seconds: raw,
        billed_seconds: billed,
        milestone_id: None,
    }
}

enum Label {
    Recorded,
    More,
}

fn label(l: Language, which: Label) -> &'static str {
    match (which, l) {
        (Label::Recorded, Language::Fr) => "réalisées",
        (Label::Recorded, Language::En) => "recorded",
        (Label::Recorded, Language::De) => "erfasst",
        (Label::More, Language::Fr) => "autres",
        (Label::More, Language::En) => "more",
        (Label::More, Language::De) => "weitere",
    }
}

fn date(l: Language, d: NaiveDate) -> String {
    match l {
        Language::Fr => d.format("%d/%m/%Y").to_string(),
        Language::De => d.format("%d.%m.%Y").to_string(),
        Language::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// `Project — task/user: what was done (dates)`, at most ~300 characters.
fn describe(t: &ClientTerms, group: &[(&BillableEntry, i64)]) -> String {
    let Some((first, _)) = group.first() else {
        return String::new();
    };
    let mut head = first.project_name.to_string();
    match t.grouping {
        LineGrouping::Project => {}
        LineGrouping::Task => {
            if let Some(task) = first.task.as_deref().filter(|s| !s.is_empty()) {
                head.push_str(" — ");
                head.push_str(task);
            }
        }
        LineGrouping::User | LineGrouping::Entry => {
            head.push_str(" — ");
            head.push_str(&first.user);
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut distinct: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (e, _) in group {
        let d = e.description.trim();
        if !d.is_empty() && distinct.insert(d) {
            seen.push(d);
        }
    }
    let (from, to) = group
        .iter()
        .fold((first.date, first.date), |(a, b), (e, _)| {
            (a.min(e.date), b.max(e.date))
        });
    let dates = if from == to {
        date(t.language, from)
    } else {
        format!("{} – {}", date(t.language, from), date(t.language, to))
    };
    let mut what: String = seen.iter().take(3).copied().collect::<Vec<_>>().join("; ");
    if seen.len() > 3 {
        what.push_str(&format!(
            " (+{} {})",
            seen.len() - 3,
            label(t.language, Label::More)
        ));
    }
    let text = if what.is_empty() {
        format!("{head} ({dates})")
    } else {
        format!("{head}: {what} ({dates})")
    };
    if text.chars().count() <= 300 {
        text
    } else {
        let mut cut: String = text.chars().take(297).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
