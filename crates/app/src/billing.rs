//! Hours to draft invoices: `App::draft_invoices` reads the unbilled entries of a period,
//! lets `encaisse_core::billing` decide rates, rounding, grouping and VAT, and writes one
//! draft per client and currency, marking the entries billed in the same transaction as the
//! draft. Running it again finds nothing new to bill; new entries of a period whose draft is
//! still editable join that draft.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use encaisse_core::Money;
use encaisse_core::billing::{
    self, BillableEntry, BuyerTax, ClientTerms, DurationRule, LineGrouping, Milestone,
    PlannedDraft, RateCandidates, RoundingScope, SkipReason,
};
use encaisse_core::invoice::{DocumentKind, Invoice, InvoiceStatus, Period};
use encaisse_core::party::{Client, Organization};
use encaisse_core::role::Permission;
use encaisse_core::time_entry::TimeSource;
use encaisse_store::Tx;
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::billing_terms::StoredTerms;
use encaisse_store::clients::ClientFilter;
use encaisse_store::time_sync::BillingProject;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::{App, AppError, Result};

/// The days billed: a month by default, or an explicit range (both ends included).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BillingPeriod {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl BillingPeriod {
    pub fn month(year: i32, month: u32) -> Option<BillingPeriod> {
        let start = NaiveDate::from_ymd_opt(year, month, 1)?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        Some(BillingPeriod {
            start,
            end: next.pred_opt()?,
        })
    }

    /// `2026-10` or `2026-10-01..2026-10-15`.
    pub fn parse(s: &str) -> Result<BillingPeriod> {
        let bad = || {
            AppError::invalid(
                "period",
                format!(
                    "`{s}` is not a period: use a month (2026-10) or a range (2026-10-01..2026-10-15)"
                ),
            )
        };
        let s = s.trim();
        if let Some((a, b)) = s.split_once("..") {
            let p = |x: &str| NaiveDate::parse_from_str(x.trim(), "%Y-%m-%d").map_err(|_| bad());
            let (start, end) = (p(a)?, p(b)?);
            if end < start {
                return Err(AppError::invalid(
                    "period",
                    "the range ends before it starts",
                ));
            }
            return Ok(BillingPeriod { start, end });
        }
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        let (y, m) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        BillingPeriod::month(y, m).ok_or_else(bad)
    }

    /// The previous calendar month of `today`.
    pub fn month_before(today: NaiveDate) -> Option<BillingPeriod> {
        let first = today.with_day(1)?;
        let prev = first.pred_opt()?;
        BillingPeriod::month(prev.year(), prev.month())
    }

    /// `2026-10` for a whole month, else `2026-10-01..2026-10-15`.
    pub fn key(&self) -> String {
        match BillingPeriod::month(self.start.year(), self.start.month()) {
            Some(m) if m == *self => format!("{:04}-{:02}", self.start.year(), self.start.month()),
            _ => format!("{}..{}", self.start, self.end),
        }
    }

    /// `[first day 00:00, day after the last 00:00)` in `tz`, as instants.
    pub fn bounds(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let at = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| {
                    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                })
        };
        (at(self.start), at(self.end.succ_opt().unwrap_or(self.end)))
    }
}

/// What to draft.
#[derive(Clone, Debug)]
pub struct DraftRun {
    pub period: BillingPeriod,
    pub client_id: Option<Uuid>,
    /// Compute and report, write nothing.
    pub dry_run: bool,
}

/// One draft of a run.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DraftSummaryRow {
    pub client_id: Uuid,
    pub client: String,
    pub currency: String,
    /// Billed hours (after rounding).
    pub hours: Decimal,
    pub entries: usize,
    pub lines: usize,
    pub net: String,
    pub vat: String,
    pub gross: String,
    /// `null` in a dry run.
    pub invoice_id: Option<Uuid>,
    /// planned (dry run), created, or merged (added to the period's existing draft).
    pub outcome: String,
}

/// A client whose hours could not be billed, and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct BlockedClient {
    pub client: String,
    pub reason: String,
    pub entries: usize,
}

/// What a run did (or would do).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DraftRunReport {
    pub period: String,
    pub dry_run: bool,
    pub drafts: Vec<DraftSummaryRow>,
    /// Entries not billed, counted by reason.
    pub skipped: BTreeMap<String, usize>,
    pub blocked: Vec<BlockedClient>,
    /// Entries of fixed-fee projects waiting for a milestone.
    pub waiting_for_milestone: usize,
}

/// A client's terms with inheritance applied; an error says why the client cannot be billed.
pub(crate) fn resolve_terms(
    org: &Organization,
    org_terms: &StoredTerms,
    own: Option<&StoredTerms>,
    client: &Client,
) -> std::result::Result<ClientTerms, String> {
    let pick =
        |f: &dyn Fn(&StoredTerms) -> Option<String>| own.and_then(f).or_else(|| f(org_terms));
    let minutes = |f: &dyn Fn(&StoredTerms) -> Option<u32>| {
        own.and_then(f).or_else(|| f(org_terms)).unwrap_or(0)
    };
    let scope = match pick(&|t| t.rounding_scope.clone()) {
        None => RoundingScope::Entry,
        Some(s) => RoundingScope::parse(&s)
            .ok_or(format!("rounding scope `{s}` is unknown (entry or line)"))?,
    };
    let rule = DurationRule::new(
        minutes(&|t| t.rounding_minutes),
        scope,
        minutes(&|t| t.minimum_minutes),
    )
    .map_err(|e| e.to_string())?;
    let grouping = match pick(&|t| t.line_grouping.clone()) {
        None => LineGrouping::Project,
        Some(g) => LineGrouping::parse(&g).ok_or(format!("line grouping `{g}` is unknown"))?,
    };
    let discount = own
        .and_then(|t| t.discount_percent)
        .or(org_terms.discount_percent)
        .unwrap_or(Decimal::ZERO);
    let taxation = billing::decide_taxation(
        org.address.country,
        &BuyerTax {
            country: client.address.country,
            has_vat_id: client.ids.vat_id.is_some(),
            override_rate: own.and_then(|t| t.vat_override),
            language: client.language,
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(ClientTerms {
        grouping,
        rule,
        discount_percent: discount,
        taxation,
        language: client.language,
    })
}

fn skip_key(r: &SkipReason) -> &'static str {
    match r {
        SkipReason::NotBillable => "not_billable",
        SkipReason::NoRate => "no_rate",
        SkipReason::ZeroDuration => "zero_duration",
        SkipReason::ClientNotBillable(_) => "client_blocked",
    }
}

pub(crate) struct Prepared {
    pub clients: HashMap<Uuid, Client>,
    pub plan: billing::Plan,
    pub pre_skipped: BTreeMap<String, usize>,
    pub blocked: Vec<BlockedClient>,
}

impl App {
    /// Drafts the period's hours; see the module doc.
    pub async fn draft_invoices(&self, actor: &Actor, run: &DraftRun) -> Result<DraftRunReport> {
        if run.dry_run {
            actor.require(Permission::Read, "preview drafts")?;
        } else {
            actor.require(Permission::EditDrafts, "create invoices")?;
        }
        let tz = self.config.timezone();
        let reading = std::time::Instant::now();
        let mut tx = self.store.read().await?;
        let org = tx.organization(actor.organization_id).await?;
        let prepared = prepare(&mut tx, &org, run, tz).await?;
        let read_and_planned = reading.elapsed();
        tx.commit().await?;
        let Prepared {
            clients,
            plan,
            mut pre_skipped,
            blocked,
        } = prepared;
        for (_, r) in &plan.skipped {
            *pre_skipped.entry(skip_key(r).to_owned()).or_default() += 1;
        }
        let mut report = DraftRunReport {
            period: run.period.key(),
            dry_run: run.dry_run,
            drafts: Vec::with_capacity(plan.drafts.len()),
            skipped: pre_skipped,
            blocked,
            waiting_for_milestone: plan.waiting.len(),
        };
        let period = Period {
            start: run.period.start,
            end: run.period.end,
        };
        if run.dry_run {
            for d in &plan.drafts {
                let inv = draft_invoice(actor.organization_id, d, period, Uuid::nil());
                report
                    .drafts
                    .push(summary_row(&inv, d, &clients, None, "planned")?);
            }
            return Ok(report);
        }
        if plan.drafts.is_empty() {
            return Ok(report);
        }
        // One transaction: every draft with the marks of its entries, or nothing.
        let started = std::time::Instant::now();
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut pairs: Vec<(Uuid, Uuid)> =
            Vec::with_capacity(plan.drafts.iter().map(|d| d.entry_ids().count()).sum());
        for d in &plan.drafts {
            let (inv, outcome) = self
                .write_draft(&mut tx, actor, d, &run.period, period, now)
                .await?;
            pairs.extend(d.entry_ids().map(|e| (e, inv.id)));
            for m in d.lines.iter().filter_map(|l| l.milestone_id) {
                tx.set_milestone_invoice(actor.organization_id, Some(m), inv.id)
                    .await?;
            }
            report
                .drafts
                .push(summary_row(&inv, d, &clients, Some(inv.id), outcome)?);
        }
        let drafts_written = started.elapsed();
        tx.attach_entries_to_invoices(actor.organization_id, pairs)
            .await?;
        let attached = started.elapsed();
        tx.commit().await?;
        tracing::debug!(drafts = report.drafts.len(), ?read_and_planned, ?drafts_written, ?attached,
            took = ?started.elapsed(), period = %report.period, "drafts written");
        Ok(report)
    }

    async fn write_draft(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        d: &PlannedDraft,
        bp: &BillingPeriod,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<(Invoice, &'static str)> {
        let org_id = actor.organization_id;
        let base = format!("time:{}:{}:{}", d.client_id, bp.key(), d.currency);
        let mut external = base.clone();
        for n in 2.. {
            let Some(existing) = tx.invoice_id_by_external_ref(org_id, &external).await? else {
                break;
            };
            let mut inv = tx.invoice_for_update(org_id, existing).await?;
            if inv.status.is_editable() {
                inv.lines
                    .extend(d.lines.iter().map(|l| l.to_invoice_line()));
                let totals = inv.totals().map_err(|e| AppError::invalid("lines", e))?;
                tx.replace_invoice_lines(&inv, &totals, now).await?;
                audit(tx, actor, &inv, "invoice.time_added", serde_json::json!({
                    "period": bp.key(), "lines_added": d.lines.len(),
                    "entries": d.entry_ids().count(), "gross": totals.tax_inclusive.to_decimal_string(),
                }), now).await?;
                return Ok((inv, "merged"));
            }
            external = format!("{base}#{n}");
        }
        let inv = draft_invoice(org_id, d, period, Uuid::now_v7());
        let totals = inv.totals().map_err(|e| AppError::invalid("lines", e))?;
        tx.insert_invoice(&inv, &totals, Some(&external), now)
            .await?;
        audit(tx, actor, &inv, "invoice.drafted_from_time", serde_json::json!({
            "period": bp.key(), "lines": inv.lines.len(), "entries": d.entry_ids().count(),
            "hours": billing::plan::hours(d.billed_seconds()), "gross": totals.tax_inclusive.to_decimal_string(),
        }), now).await?;
        Ok((inv, "created"))
    }
}

async fn audit(
    tx: &mut Tx,
    actor: &Actor,
    inv: &Invoice,
    action: &str,
    after: serde_json::Value,
    at: DateTime<Utc>,
) -> Result<()> {
    tx.append_audit(NewAuditEvent {
        organization_id: inv.organization_id,
        actor: &actor.label,
        action,
        entity_type: "invoice",
        entity_id: &inv.id.to_string(),
        before: None,
        after: Some(after),
        at,
    })
    .await?;
    Ok(())
}

fn draft_invoice(org: Uuid, d: &PlannedDraft, period: Period, id: Uuid) -> Invoice {
    Invoice {
        id,
        organization_id: org,
        client_id: d.client_id,
        kind: DocumentKind::Invoice,
        status: InvoiceStatus::Draft,
        disputed: false,
        number: None,
        currency: d.currency,
        issue_date: None,
        due_date: None,
        service_period: Some(period),
        buyer_reference: None,
        purchase_order: None,
        notes: d.mention.clone(),
        lines: d.lines.iter().map(|l| l.to_invoice_line()).collect(),
        corrects: None,
        payment_reference: None,
        paid: Money::zero(d.currency),
    }
}

fn summary_row(
    inv: &Invoice,
    d: &PlannedDraft,
    clients: &HashMap<Uuid, Client>,
    id: Option<Uuid>,
    outcome: &str,
) -> Result<DraftSummaryRow> {
    // The new part only (a merged draft holds more).
    let part = Invoice {
        lines: d.lines.iter().map(|l| l.to_invoice_line()).collect(),
        ..inv.clone()
    };
    let t = part.totals().map_err(|e| AppError::invalid("lines", e))?;
    Ok(DraftSummaryRow {
        client_id: d.client_id,
        client: clients
            .get(&d.client_id)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        currency: d.currency.code().to_owned(),
        hours: billing::plan::hours(d.billed_seconds()),
        entries: d.entry_ids().count(),
        lines: d.lines.len(),
        net: t.tax_exclusive.to_decimal_string(),
        vat: t.vat_total.to_decimal_string(),
        gross: t.tax_inclusive.to_decimal_string(),
        invoice_id: id,
        outcome: outcome.to_owned(),
    })
}

/// Reads everything a run needs and plans it.
pub(crate) async fn prepare(
    tx: &mut Tx,
    org: &Organization,
    run: &DraftRun,
    tz: Tz,
) -> Result<Prepared> {
    let org_id = org.id;
    let (org_terms, client_terms) = tx.billing_terms(org_id).await?;
    let cards = tx.rate_cards(org_id, TimeSource::Clockify.as_str()).await?;
    let all_clients = tx
        .clients(
            org_id,
            &ClientFilter {
                search: None,
                limit: i64::MAX,
                offset: 0,
            },
        )
        .await?;
    let clients: HashMap<Uuid, Client> = all_clients.into_iter().map(|c| (c.id, c)).collect();
    let (from, to) = run.period.bounds(tz);
    let due = tx
        .due_milestones(org_id, run.period.end, run.client_id)
        .await?;
    let projects: HashMap<Uuid, BillingProject> = tx
        .billing_projects(org_id)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();

    let mut terms: HashMap<Uuid, std::result::Result<ClientTerms, String>> = HashMap::new();
    let mut client_rates: HashMap<Uuid, Option<Money>> = HashMap::new();
    for (id, c) in &clients {
        let own = client_terms.get(id);
        terms.insert(*id, resolve_terms(org, &org_terms, own, c));
        client_rates.insert(*id, own.and_then(|t| t.hourly_rate));
    }
    let mut pre_skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut entries = Vec::new();
    let workspace_rate = cards.get(&("workspace".to_owned(), String::new())).copied();
    // A million entries repeat a few thousand texts: share them.
    let mut texts: HashMap<String, Arc<str>> = HashMap::new();
    let mut share = |s: String| -> Arc<str> {
        if let Some(a) = texts.get(&s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s.as_str());
        texts.insert(s, a.clone());
        a
    };
    let clockify = TimeSource::Clockify.as_str();
    tx.each_billable_entry(org_id, from, to, run.client_id, |r| {
        if r.source_invoiced {
            *pre_skipped
                .entry("already_invoiced_at_source".into())
                .or_default() += 1;
            return Ok(());
        }
        let project_id = Uuid::parse_str(&r.project_id).map_err(|_| {
            encaisse_store::StoreError::Corrupt(format!("bad project id `{}`", r.project_id))
        })?;
        let Some(p) = projects.get(&project_id) else {
            return Err(encaisse_store::StoreError::Corrupt(format!(
                "entry {} names an unknown project",
                r.id
            )));
        };
        let from_clockify = r.source == clockify;
        let card = |scope: &str, key: Option<String>| {
            if !from_clockify {
                return None;
            }
            key.and_then(|k| cards.get(&(scope.to_owned(), k)).copied())
        };
        let candidates = RateCandidates {
            entry: r.entry_rate()?,
            project_member: card(
                "project_member",
                r.user_ref.as_ref().map(|u| format!("{project_id}/{u}")),
            ),
            task: card("task", r.task_ref.clone()),
            team_member: card("team_member", r.user_ref.clone()),
            project: p.rate,
            workspace: if from_clockify { workspace_rate } else { None },
            client: client_rates.get(&p.client_id).copied().flatten(),
            organization: org_terms.hourly_rate,
        };
        entries.push(BillableEntry {
            id: Uuid::parse_str(&r.id).map_err(|_| {
                encaisse_store::StoreError::Corrupt(format!("bad entry id `{}`", r.id))
            })?,
            client_id: p.client_id,
            project_id,
            project_name: share(p.name.clone()),
            task: r.task_name.map(&mut share),
            user: share(r.user_name),
            description: share(r.description),
            date: r.started_at.with_timezone(&tz).date_naive(),
            seconds: r.duration_seconds,
            billable: r.billable,
            rate: candidates.resolve().map(|(m, _)| m),
            fixed_fee: p.billing_mode == "fixed_fee",
        });
        Ok(())
    })
    .await?;
    let milestones: Vec<Milestone> = due
        .into_iter()
        .map(|m| Milestone {
            id: m.milestone.id,
            client_id: m.client_id,
            project_id: m.milestone.project_id,
            project_name: m.project_name,
            name: m.milestone.name,
            amount: m.milestone.amount,
        })
        .collect();
    let plan = billing::plan(&entries, &terms, &milestones);
    let mut blocked: BTreeMap<Uuid, BlockedClient> = BTreeMap::new();
    let client_of: HashMap<Uuid, Uuid> = if plan
        .skipped
        .iter()
        .any(|(_, r)| matches!(r, SkipReason::ClientNotBillable(_)))
    {
        entries.iter().map(|e| (e.id, e.client_id)).collect()
    } else {
        HashMap::new()
    };
    for (id, reason) in &plan.skipped {
        if let SkipReason::ClientNotBillable(why) = reason
            && let Some(client_id) = client_of.get(id)
        {
            blocked
                .entry(*client_id)
                .or_insert_with(|| BlockedClient {
                    client: clients
                        .get(client_id)
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                    reason: why.clone(),
                    entries: 0,
                })
                .entries += 1;
        }
    }
    Ok(Prepared {
        clients,
        plan,
        pre_skipped,
        blocked: blocked.into_values().collect(),
    })
}
