//! One function per built-in rule: plain values in, findings out.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

use super::config::{
    AmountAboveRule, BuyerIdentifiersRule, DailyHoursRule, DueDateRule, StaleTimeRule,
    UnusualAmountRule,
};
use super::{Finding, RuleContext};
use crate::invoice::{DocumentKind, Invoice};
use crate::money::Money;
use crate::party::{Client, Country};

pub(super) fn buyer_identifiers(
    rule: &BuyerIdentifiersRule,
    ctx: &RuleContext<'_>,
) -> Vec<Finding> {
    let c = ctx.client;
    let country = c.address.country;
    let mut out = Vec::new();
    let missing = |identifier: &str| Finding::MissingIdentifier {
        identifier: identifier.to_owned(),
        country: country.as_str().to_owned(),
    };
    if country == Country::FR && rule.require_siret_in_france && c.ids.siret.is_none() {
        out.push(missing("SIRET"));
    }
    if country == Country::CH && rule.require_uid_in_switzerland && c.ids.uid.is_none() {
        out.push(missing("UID"));
    }
    if country.is_eu()
        && country != ctx.seller_country
        && rule.require_vat_id_in_eu
        && c.ids.vat_id.is_none()
    {
        out.push(missing("VAT"));
    }
    if let (Some(siren), Some(siret)) = (&c.ids.siren, &c.ids.siret)
        && siret.siren() != siren.as_str()
    {
        out.push(Finding::InconsistentIdentifier {
            identifier: "SIRET".into(),
            detail: format!("{} ≠ SIREN {}", siret.as_str(), siren.as_str()),
        });
    }
    if let (Some(siren), Some(vat)) = (&c.ids.siren, &c.ids.vat_id)
        && vat.country_prefix() == "FR"
        && vat.as_str().get(4..) != Some(siren.as_str())
    {
        out.push(Finding::InconsistentIdentifier {
            identifier: "VAT".into(),
            detail: format!("{} ≠ SIREN {}", vat.as_str(), siren.as_str()),
        });
    }
    if let Some(vat) = &c.ids.vat_id {
        let expected = match country.as_str() {
            "GR" => "EL",
            other => other,
        };
        if vat.country_prefix() != expected {
            out.push(Finding::InconsistentIdentifier {
                identifier: "VAT".into(),
                detail: format!("{} / {}", vat.as_str(), country.as_str()),
            });
        }
    }
    out
}

pub(super) fn reverse_charge(invoice: &Invoice, client: &Client) -> Vec<Finding> {
    if client.ids.vat_id.is_some() {
        return Vec::new();
    }
    invoice
        .lines
        .iter()
        .position(|l| l.vat.category().requires_buyer_vat_id())
        .map(|i| Finding::ReverseChargeWithoutVatId { line: i + 1 })
        .into_iter()
        .collect()
}

pub(super) fn amount_above(rule: &AmountAboveRule, gross: Money) -> Vec<Finding> {
    if gross.amount() > rule.threshold {
        vec![Finding::AmountAbove {
            gross,
            threshold: Money::new(rule.threshold, gross.currency()),
        }]
    } else {
        Vec::new()
    }
}

/// The median of amounts (the mean of the two middle ones for an even count).
pub fn median(amounts: &[Decimal]) -> Option<Decimal> {
    if amounts.is_empty() {
        return None;
    }
    let mut v = amounts.to_vec();
    v.sort();
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / Decimal::TWO
    })
}

pub(super) fn unusual_amount(
    rule: &UnusualAmountRule,
    gross: Money,
    history: &[Money],
) -> Vec<Finding> {
    let same: Vec<Decimal> = history
        .iter()
        .filter(|m| m.currency() == gross.currency())
        .take(rule.history as usize)
        .map(Money::amount)
        .collect();
    if same.len() < rule.min_history.max(1) as usize {
        return Vec::new();
    }
    let Some(median) = median(&same) else {
        return Vec::new();
    };
    if median > Decimal::ZERO && gross.amount() > median * rule.factor {
        vec![Finding::UnusualAmount {
            gross,
            median: Money::new(median, gross.currency()).rounded(),
            factor: rule.factor,
            count: same.len(),
        }]
    } else {
        Vec::new()
    }
}

pub(super) fn daily_hours(rule: &DailyHoursRule, days: &[super::PersonDay]) -> Vec<Finding> {
    days.iter()
        .filter(|d| d.hours > rule.max_hours_per_day)
        .map(|d| Finding::DailyHours {
            person: d.person.clone(),
            day: d.day,
            hours: d.hours.round_dp(2),
            cap: rule.max_hours_per_day,
        })
        .collect()
}

pub(super) fn non_positive_price(invoice: &Invoice) -> Vec<Finding> {
    invoice
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.unit_price <= Decimal::ZERO || l.quantity <= Decimal::ZERO)
        .map(|(i, l)| Finding::NonPositivePrice {
            line: i + 1,
            description: l.description.clone(),
        })
        .collect()
}

fn same_month(a: NaiveDate, b: NaiveDate) -> bool {
    a.year() == b.year() && a.month() == b.month()
}

pub(super) fn duplicate(invoice: &Invoice, gross: Money, ctx: &RuleContext<'_>) -> Vec<Finding> {
    // A credit note repeats the invoice it cancels by design.
    if invoice.kind == DocumentKind::CreditNote {
        return Vec::new();
    }
    ctx.others
        .iter()
        .filter(|o| o.id != invoice.id && o.gross == gross)
        .filter(|o| match (invoice.service_period, o.service_period) {
            (Some(a), Some(b)) => a == b,
            // Without periods, the same amount in the same month is suspicious enough.
            (None, None) => same_month(o.date, invoice.issue_date.unwrap_or(ctx.today)),
            _ => false,
        })
        .map(|o| Finding::Duplicate {
            other: o.number.clone().unwrap_or_else(|| o.id.to_string()),
            gross,
        })
        .take(1)
        .collect()
}

pub(super) fn due_date(
    rule: &DueDateRule,
    invoice: &Invoice,
    ctx: &RuleContext<'_>,
) -> Vec<Finding> {
    let terms = ctx.client.terms;
    let mut out = Vec::new();
    let issue = invoice.issue_date.unwrap_or(ctx.today);
    if let Some(due) = invoice.due_date {
        let expected = terms.due_date(issue);
        if due != expected {
            out.push(Finding::DueDateNotTerms {
                due,
                expected,
                terms_days: terms.days,
            });
        }
        let days = (due - issue).num_days();
        if days > i64::from(rule.max_days) {
            out.push(Finding::DueDateTooLate {
                days,
                max_days: rule.max_days,
            });
        }
    } else if terms.days > rule.max_days {
        out.push(Finding::DueDateTooLate {
            days: i64::from(terms.days),
            max_days: rule.max_days,
        });
    }
    out
}

pub(super) fn currency(invoice: &Invoice, client: &Client) -> Vec<Finding> {
    if invoice.currency == client.currency {
        Vec::new()
    } else {
        vec![Finding::CurrencyMismatch {
            invoice: invoice.currency.code().to_owned(),
            client: client.currency.code().to_owned(),
        }]
    }
}

pub(super) fn purchase_order(invoice: &Invoice, client: &Client) -> Vec<Finding> {
    let missing = invoice
        .purchase_order
        .as_deref()
        .is_none_or(|p| p.trim().is_empty());
    if client.requires_purchase_order && missing {
        vec![Finding::MissingPurchaseOrder]
    } else {
        Vec::new()
    }
}

pub(super) fn stale_time(rule: &StaleTimeRule, ctx: &RuleContext<'_>) -> Vec<Finding> {
    let Some(limit) = ctx
        .today
        .checked_sub_months(Months::new(rule.max_age_months))
    else {
        return Vec::new();
    };
    ctx.time_entry_dates
        .iter()
        .filter(|d| **d < limit)
        .min()
        .map(|started| Finding::StaleTimeEntry {
            started: *started,
            months: rule.max_age_months,
        })
        .into_iter()
        .collect()
}
