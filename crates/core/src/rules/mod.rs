//! Automatic checks of a draft before a person approves it.
//!
//! [`evaluate`] runs the organization's [`RuleSet`] over an invoice and the facts around it
//! ([`RuleContext`]: the client's earlier invoices, the billed hours per person and day,
//! invoices that could be duplicates, today) and returns one [`RuleResult`] per finding. Each
//! result names its rule, its severity, why it fired and how to fix it, in French, English and
//! German ([`RuleResult::why`], [`RuleResult::fix`]). Pure: the caller gathers the facts.
//!
//! A `block` finding stops submission and approval; a `warn` finding is shown to the approver
//! and prevents auto-approval; `off` rules do not run.

mod checks;
pub mod config;
#[cfg(test)]
mod tests;
mod texts;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::invoice::{Invoice, Period};
use crate::language::Language;
use crate::money::Money;
use crate::party::{Client, Country};
use crate::totals::Totals;

pub use config::{RuleSet, Severity};

/// The built-in rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    BuyerIdentifiers,
    ReverseChargeVatId,
    AmountAbove,
    UnusualAmount,
    DailyHours,
    NonPositivePrice,
    Duplicate,
    DueDate,
    Currency,
    PurchaseOrder,
    StaleTimeEntries,
}

impl RuleId {
    pub const ALL: [RuleId; 11] = [
        RuleId::BuyerIdentifiers,
        RuleId::ReverseChargeVatId,
        RuleId::AmountAbove,
        RuleId::UnusualAmount,
        RuleId::DailyHours,
        RuleId::NonPositivePrice,
        RuleId::Duplicate,
        RuleId::DueDate,
        RuleId::Currency,
        RuleId::PurchaseOrder,
        RuleId::StaleTimeEntries,
    ];

    /// The key of the rule in `[validation.rules]`.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::BuyerIdentifiers => "buyer_identifiers",
            RuleId::ReverseChargeVatId => "reverse_charge_vat_id",
            RuleId::AmountAbove => "amount_above",
            RuleId::UnusualAmount => "unusual_amount",
            RuleId::DailyHours => "daily_hours",
            RuleId::NonPositivePrice => "non_positive_price",
            RuleId::Duplicate => "duplicate",
            RuleId::DueDate => "due_date",
            RuleId::Currency => "currency",
            RuleId::PurchaseOrder => "purchase_order",
            RuleId::StaleTimeEntries => "stale_time_entries",
        }
    }

    /// A short title for lists and settings.
    pub fn title(self, language: Language) -> &'static str {
        texts::title(self, language)
    }
}

/// Hours one person recorded on one day, over the time entries billed on the invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDay {
    pub person: String,
    pub day: NaiveDate,
    pub hours: Decimal,
}

/// Another invoice of the same client, for the duplicate check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherInvoice {
    pub id: Uuid,
    pub number: Option<String>,
    pub service_period: Option<Period>,
    /// Issue date, or creation date for drafts.
    pub date: NaiveDate,
    pub gross: Money,
}

/// The facts a rule set needs beside the invoice.
#[derive(Clone, Debug)]
pub struct RuleContext<'a> {
    pub today: NaiveDate,
    pub client: &'a Client,
    pub seller_country: Country,
    /// Gross amounts of the client's latest issued invoices, newest first (any currency: the
    /// rules keep the invoice's own).
    pub client_history: &'a [Money],
    /// Hours per person and day of the time entries billed on the invoice.
    pub daily_hours: &'a [PersonDay],
    /// Start dates of the time entries billed on the invoice.
    pub time_entry_dates: &'a [NaiveDate],
    /// The client's other invoices that are not cancelled (drafts included).
    pub others: &'a [OtherInvoice],
}

/// What a rule found, with the values its texts need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    MissingIdentifier {
        identifier: String,
        country: String,
    },
    InconsistentIdentifier {
        identifier: String,
        detail: String,
    },
    ReverseChargeWithoutVatId {
        line: usize,
    },
    AmountAbove {
        gross: Money,
        threshold: Money,
    },
    UnusualAmount {
        gross: Money,
        median: Money,
        factor: Decimal,
        count: usize,
    },
    DailyHours {
        person: String,
        day: NaiveDate,
        hours: Decimal,
        cap: Decimal,
    },
    NonPositivePrice {
        line: usize,
        description: String,
    },
    Duplicate {
        other: String,
        gross: Money,
    },
    DueDateNotTerms {
        due: NaiveDate,
        expected: NaiveDate,
        terms_days: u32,
    },
    DueDateTooLate {
        days: i64,
        max_days: u32,
    },
    CurrencyMismatch {
        invoice: String,
        client: String,
    },
    MissingPurchaseOrder,
    StaleTimeEntry {
        started: NaiveDate,
        months: u32,
    },
}

/// One finding of one rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    pub rule: RuleId,
    pub severity: Severity,
    pub finding: Finding,
}

impl RuleResult {
    /// Why the rule fired, in `language`.
    pub fn why(&self, language: Language) -> String {
        texts::why(&self.finding, language)
    }

    /// What to do about it, in `language`.
    pub fn fix(&self, language: Language) -> String {
        texts::fix(&self.finding, language)
    }
}

/// The worst severity among results (`None` when nothing fired).
pub fn worst(results: &[RuleResult]) -> Option<Severity> {
    results.iter().map(|r| r.severity).max()
}

/// Runs every rule that is not `off`; results come in rule order, then line order.
pub fn evaluate(
    rules: &RuleSet,
    invoice: &Invoice,
    totals: &Totals,
    ctx: &RuleContext<'_>,
) -> Vec<RuleResult> {
    let mut out = Vec::new();
    let mut push = |rule: RuleId, severity: Severity, findings: Vec<Finding>| {
        if severity != Severity::Off {
            out.extend(findings.into_iter().map(|finding| RuleResult {
                rule,
                severity,
                finding,
            }));
        }
    };
    let gross = totals.tax_inclusive;
    push(
        RuleId::BuyerIdentifiers,
        rules.buyer_identifiers.severity,
        checks::buyer_identifiers(&rules.buyer_identifiers, ctx),
    );
    push(
        RuleId::ReverseChargeVatId,
        rules.reverse_charge_vat_id.severity,
        checks::reverse_charge(invoice, ctx.client),
    );
    push(
        RuleId::AmountAbove,
        rules.amount_above.severity,
        checks::amount_above(&rules.amount_above, gross),
    );
    push(
        RuleId::UnusualAmount,
        rules.unusual_amount.severity,
        checks::unusual_amount(&rules.unusual_amount, gross, ctx.client_history),
    );
    push(
        RuleId::DailyHours,
        rules.daily_hours.severity,
        checks::daily_hours(&rules.daily_hours, ctx.daily_hours),
    );
    push(
        RuleId::NonPositivePrice,
        rules.non_positive_price.severity,
        checks::non_positive_price(invoice),
    );
    push(
        RuleId::Duplicate,
        rules.duplicate.severity,
        checks::duplicate(invoice, gross, ctx),
    );
    push(
        RuleId::DueDate,
        rules.due_date.severity,
        checks::due_date(&rules.due_date, invoice, ctx),
    );
    push(
        RuleId::Currency,
        rules.currency.severity,
        checks::currency(invoice, ctx.client),
    );
    push(
        RuleId::PurchaseOrder,
        rules.purchase_order.severity,
        checks::purchase_order(invoice, ctx.client),
    );
    push(
        RuleId::StaleTimeEntries,
        rules.stale_time_entries.severity,
        checks::stale_time(&rules.stale_time_entries, ctx),
    );
    out
}
