//! What the rules need to know about a draft, gathered in the caller's transaction, and the
//! organization's validation configuration.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use encaisse_core::approval::ValidationConfig;
use encaisse_core::invoice::Invoice;
use encaisse_core::invoice::Period;
use encaisse_core::party::Client;
use encaisse_core::rules::{self, OtherInvoice, PersonDay, RuleContext, RuleResult};
use encaisse_store::Tx;
use encaisse_store::reporting::SourceEntry;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::{App, AppError, Result};

/// The facts around one draft.
pub(crate) struct Facts {
    pub client: Client,
    pub history: Vec<encaisse_core::Money>,
    pub days: Vec<PersonDay>,
    pub dates: Vec<NaiveDate>,
    pub others: Vec<OtherInvoice>,
    pub entries: Vec<SourceEntry>,
}

impl App {
    /// The configuration in force for an organization: what an owner saved in the UI, else
    /// the installation's `[validation]` section, else the defaults.
    pub(crate) async fn config_in(&self, tx: &mut Tx, org: Uuid) -> Result<ValidationConfig> {
        match tx.validation_settings(org).await? {
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                AppError::Conflict(format!(
                    "the stored validation settings cannot be read ({e}); save them again in Settings → Validation"
                ))
            }),
            None => Ok(self.config.validation.clone()),
        }
    }
}

/// Reads the facts of `inv` (a draft of `org`).
pub(crate) async fn gather(tx: &mut Tx, inv: &Invoice, cfg: &ValidationConfig) -> Result<Facts> {
    let org = inv.organization_id;
    let client = tx.client(org, inv.client_id).await?;
    let history = tx
        .client_issued_gross(
            org,
            client.id,
            i64::from(cfg.rules.unusual_amount.history.max(1)) * 2,
        )
        .await?;
    let others = tx
        .client_invoice_facts(org, client.id, 200)
        .await?
        .into_iter()
        .filter(|o| o.id != inv.id)
        .map(|o| OtherInvoice {
            id: o.id,
            number: o.number,
            service_period: match (o.period_start, o.period_end) {
                (Some(start), Some(end)) => Some(Period { start, end }),
                _ => None,
            },
            date: o.issue_date.unwrap_or_else(|| o.created_at.date_naive()),
            gross: o.gross,
        })
        .collect();
    let ids: Vec<Uuid> = inv
        .lines
        .iter()
        .flat_map(|l| l.time_entry_ids.iter().copied())
        .collect();
    let entries = tx.source_entries(org, &ids).await?;
    // Hours per person and day count every entry of that person that day (UTC days), not
    // only those of this draft: eleven hours split over two clients are still eleven.
    let mut pairs: BTreeMap<(String, NaiveDate), ()> = BTreeMap::new();
    for e in &entries {
        pairs.insert((e.user_name.clone(), e.started_at.date_naive()), ());
    }
    let mut days = Vec::with_capacity(pairs.len());
    for (person, day) in pairs.into_keys() {
        let from = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default());
        let to = day
            .checked_add_days(Days::new(1))
            .map(|d| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()))
            .unwrap_or(from);
        let secs = tx.person_seconds(org, &person, from, to).await?;
        days.push(PersonDay {
            person,
            day,
            hours: Decimal::from(secs) / Decimal::from(3600),
        });
    }
    let dates = entries.iter().map(|e| e.started_at.date_naive()).collect();
    Ok(Facts {
        client,
        history,
        days,
        dates,
        others,
        entries,
    })
}

/// Runs the rules over a draft with its facts.
pub(crate) async fn evaluate(
    tx: &mut Tx,
    inv: &Invoice,
    cfg: &ValidationConfig,
    today: NaiveDate,
) -> Result<(Vec<RuleResult>, Facts)> {
    let facts = gather(tx, inv, cfg).await?;
    let org = tx.organization(inv.organization_id).await?;
    let totals = inv.totals().map_err(|e| AppError::invalid("lines", e))?;
    let ctx = RuleContext {
        today,
        client: &facts.client,
        seller_country: org.address.country,
        client_history: &facts.history,
        daily_hours: &facts.days,
        time_entry_dates: &facts.dates,
        others: &facts.others,
    };
    let results = rules::evaluate(&cfg.rules, inv, &totals, &ctx);
    Ok((results, facts))
}
