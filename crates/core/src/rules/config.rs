//! The rule set of an organization: which built-in rules run, how severe each one is, and
//! their parameters. Serialized in `encaisse.toml` under `[validation.rules]` and stored per
//! organization; every field has a default, unknown keys are refused with their name.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How a rule's finding weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The rule does not run.
    Off,
    /// Shown to the approver; the draft cannot be auto-approved.
    Warn,
    /// The draft cannot be submitted or approved until it is fixed.
    Block,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Off => "off",
            Severity::Warn => "warn",
            Severity::Block => "block",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim() {
            "off" => Some(Severity::Off),
            "warn" => Some(Severity::Warn),
            "block" => Some(Severity::Block),
            _ => None,
        }
    }
}

/// Buyer identifiers required by the buyer's country: SIREN/SIRET in France (B2B e-invoicing),
/// the UID in Switzerland, the VAT number elsewhere in the EU; and identifiers that contradict
/// each other (a SIRET of another SIREN, a VAT number of another country).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BuyerIdentifiersRule {
    pub severity: Severity,
    pub require_siret_in_france: bool,
    pub require_uid_in_switzerland: bool,
    pub require_vat_id_in_eu: bool,
}

impl Default for BuyerIdentifiersRule {
    fn default() -> Self {
        BuyerIdentifiersRule {
            severity: Severity::Warn,
            require_siret_in_france: true,
            require_uid_in_switzerland: true,
            require_vat_id_in_eu: true,
        }
    }
}

/// A rule with a severity and no parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlainRule {
    pub severity: Severity,
}

impl PlainRule {
    pub const fn new(severity: Severity) -> PlainRule {
        PlainRule { severity }
    }
}

/// The gross amount is above a fixed threshold (in the invoice's currency).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmountAboveRule {
    pub severity: Severity,
    pub threshold: Decimal,
}

impl Default for AmountAboveRule {
    fn default() -> Self {
        AmountAboveRule {
            severity: Severity::Warn,
            threshold: Decimal::from(50_000),
        }
    }
}

/// The gross amount deviates from the client's usual invoice: more than `factor` × the
/// median of the last `history` invoices in the same currency (needs `min_history` of them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnusualAmountRule {
    pub severity: Severity,
    pub factor: Decimal,
    pub history: u32,
    pub min_history: u32,
}

impl Default for UnusualAmountRule {
    fn default() -> Self {
        UnusualAmountRule {
            severity: Severity::Warn,
            factor: Decimal::from(3),
            history: 12,
            min_history: 3,
        }
    }
}

/// One person's hours on one day, from the billed time entries, above a cap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DailyHoursRule {
    pub severity: Severity,
    pub max_hours_per_day: Decimal,
}

impl Default for DailyHoursRule {
    fn default() -> Self {
        DailyHoursRule {
            severity: Severity::Warn,
            max_hours_per_day: Decimal::from(10),
        }
    }
}

/// The due date does not follow from the client's terms, or exceeds a legal maximum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DueDateRule {
    pub severity: Severity,
    /// Longest payment term allowed (France: 60 days, art. L441-10 of the commercial code).
    pub max_days: u32,
}

impl Default for DueDateRule {
    fn default() -> Self {
        DueDateRule {
            severity: Severity::Warn,
            max_days: 60,
        }
    }
}

/// Billed time entries older than `max_age_months`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaleTimeRule {
    pub severity: Severity,
    pub max_age_months: u32,
}

impl Default for StaleTimeRule {
    fn default() -> Self {
        StaleTimeRule {
            severity: Severity::Warn,
            max_age_months: 6,
        }
    }
}

/// Every built-in rule with its severity and parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleSet {
    pub buyer_identifiers: BuyerIdentifiersRule,
    pub reverse_charge_vat_id: PlainRule,
    pub amount_above: AmountAboveRule,
    pub unusual_amount: UnusualAmountRule,
    pub daily_hours: DailyHoursRule,
    pub non_positive_price: PlainRule,
    pub duplicate: PlainRule,
    pub due_date: DueDateRule,
    pub currency: PlainRule,
    pub purchase_order: PlainRule,
    pub stale_time_entries: StaleTimeRule,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            buyer_identifiers: BuyerIdentifiersRule::default(),
            reverse_charge_vat_id: PlainRule::new(Severity::Block),
            amount_above: AmountAboveRule::default(),
            unusual_amount: UnusualAmountRule::default(),
            daily_hours: DailyHoursRule::default(),
            non_positive_price: PlainRule::new(Severity::Warn),
            duplicate: PlainRule::new(Severity::Warn),
            due_date: DueDateRule::default(),
            currency: PlainRule::new(Severity::Warn),
            purchase_order: PlainRule::new(Severity::Block),
            stale_time_entries: StaleTimeRule::default(),
        }
    }
}

impl Default for PlainRule {
    fn default() -> Self {
        PlainRule::new(Severity::Warn)
    }
}

impl RuleSet {
    /// The severity of one rule.
    pub fn severity(&self, rule: super::RuleId) -> Severity {
        *self.severity_slot(rule)
    }

    /// Changes the severity of one rule.
    pub fn set_severity(&mut self, rule: super::RuleId, severity: Severity) {
        *self.severity_mut(rule) = severity;
    }

    fn severity_slot(&self, rule: super::RuleId) -> &Severity {
        use super::RuleId::*;
        match rule {
            BuyerIdentifiers => &self.buyer_identifiers.severity,
            ReverseChargeVatId => &self.reverse_charge_vat_id.severity,
            AmountAbove => &self.amount_above.severity,
            UnusualAmount => &self.unusual_amount.severity,
            DailyHours => &self.daily_hours.severity,
            NonPositivePrice => &self.non_positive_price.severity,
            Duplicate => &self.duplicate.severity,
            DueDate => &self.due_date.severity,
            Currency => &self.currency.severity,
            PurchaseOrder => &self.purchase_order.severity,
            StaleTimeEntries => &self.stale_time_entries.severity,
        }
    }

    fn severity_mut(&mut self, rule: super::RuleId) -> &mut Severity {
        use super::RuleId::*;
        match rule {
            BuyerIdentifiers => &mut self.buyer_identifiers.severity,
            ReverseChargeVatId => &mut self.reverse_charge_vat_id.severity,
            AmountAbove => &mut self.amount_above.severity,
            UnusualAmount => &mut self.unusual_amount.severity,
            DailyHours => &mut self.daily_hours.severity,
            NonPositivePrice => &mut self.non_positive_price.severity,
            Duplicate => &mut self.duplicate.severity,
            DueDate => &mut self.due_date.severity,
            Currency => &mut self.currency.severity,
            PurchaseOrder => &mut self.purchase_order.severity,
            StaleTimeEntries => &mut self.stale_time_entries.severity,
        }
    }
}
