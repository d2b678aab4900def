//! The approval circuit: which drafts need a person, how many levels, who may decide.
//!
//! - [`ApprovalPolicy::route`] decides from the gross amount, the client and the worst rule
//!   finding: blocked (a `block` finding), approved automatically (below the threshold and
//!   nothing warns), or a circuit of one level (an approver) or two (an approver, then an
//!   owner).
//! - [`authorize`] decides whether a person may take the next decision of a circuit: never on a
//!   draft they contributed to (created, edited or submitted), never twice in one circuit, and
//!   only with the role the level needs — their own, or that of someone who delegated to them
//!   for the day ([`Delegation`]).
//!
//! Pure; property-tested below (no self-approval, thresholds, distinct deciders).

mod circuit;
#[cfg(test)]
mod tests;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Money;
use crate::role::{Permission, Role};
use crate::rules::Severity;

pub use circuit::{
    ApprovalError, Authorization, Decided, Delegation, DelegationError, Person, authorize, eligible,
};

/// One step of a circuit: who may decide it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Anyone whose role may approve (approvers and owners).
    Approver,
    /// An owner of the organization.
    Owner,
}

impl Level {
    /// Whether `role` may decide this level.
    pub fn admits(self, role: Role) -> bool {
        match self {
            Level::Approver => role.allows(Permission::Approve),
            Level::Owner => role == Role::Owner,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Approver => "approver",
            Level::Owner => "owner",
        }
    }
}

/// What happens to a submitted draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "route", content = "levels", rename_all = "snake_case")]
pub enum Route {
    /// A rule blocks: it cannot be submitted or approved until fixed.
    Blocked,
    /// Below the threshold and nothing warns: approved at once.
    Automatic,
    /// Decided by people, level by level.
    Circuit(Vec<Level>),
}

/// Thresholds for one client, overriding the organization's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientPolicy {
    pub client_id: Uuid,
    #[serde(default)]
    pub auto_approve_below: Option<Decimal>,
    #[serde(default)]
    pub single_approver_up_to: Option<Decimal>,
}

/// The organization's approval policy. Amounts are gross, in the invoice's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApprovalPolicy {
    /// Drafts strictly below this amount are approved automatically when no rule warns;
    /// `0` sends every draft to a person.
    pub auto_approve_below: Decimal,
    /// Up to this amount one approver decides; above it, an approver then an owner.
    pub single_approver_up_to: Decimal,
    /// Per-client thresholds.
    pub clients: Vec<ClientPolicy>,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        ApprovalPolicy {
            auto_approve_below: Decimal::from(1_000),
            single_approver_up_to: Decimal::from(10_000),
            clients: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("approval thresholds must not be negative")]
    Negative,
    #[error(
        "auto_approve_below ({auto}) must not exceed single_approver_up_to ({single}): lower the first or raise the second"
    )]
    Inverted { auto: Decimal, single: Decimal },
    #[error("client {0} has two policies: keep one")]
    DuplicateClient(Uuid),
}

impl ApprovalPolicy {
    fn thresholds(&self, client_id: Uuid) -> (Decimal, Decimal) {
        let c = self.clients.iter().find(|c| c.client_id == client_id);
        (
            c.and_then(|c| c.auto_approve_below)
                .unwrap_or(self.auto_approve_below),
            c.and_then(|c| c.single_approver_up_to)
                .unwrap_or(self.single_approver_up_to),
        )
    }

    /// Checks the thresholds make sense (for the organization and every client).
    pub fn validate(&self) -> Result<(), PolicyError> {
        let mut seen = std::collections::HashSet::new();
        for c in &self.clients {
            if !seen.insert(c.client_id) {
                return Err(PolicyError::DuplicateClient(c.client_id));
            }
        }
        for id in std::iter::once(Uuid::nil()).chain(self.clients.iter().map(|c| c.client_id)) {
            let (auto, single) = self.thresholds(id);
            if auto.is_sign_negative() || single.is_sign_negative() {
                return Err(PolicyError::Negative);
            }
            if auto > single {
                return Err(PolicyError::Inverted { auto, single });
            }
        }
        Ok(())
    }

    /// Where a draft of `gross` for `client_id` goes, given the worst rule finding.
    pub fn route(&self, client_id: Uuid, gross: &Money, worst: Option<Severity>) -> Route {
        if worst == Some(Severity::Block) {
            return Route::Blocked;
        }
        let (auto, single) = self.thresholds(client_id);
        let amount = gross.amount();
        if amount < auto && worst.is_none_or(|s| s == Severity::Off) {
            Route::Automatic
        } else if amount <= single {
            Route::Circuit(vec![Level::Approver])
        } else {
            Route::Circuit(vec![Level::Approver, Level::Owner])
        }
    }
}

/// The whole validation setup of an organization, as written in `encaisse.toml` under
/// `[validation]` and edited in the UI: a version, the rules, the approval policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidationConfig {
    /// Format version; only 1 exists.
    pub version: u32,
    pub rules: crate::rules::RuleSet,
    pub approval: ApprovalPolicy,
}

impl Default for ValidationConfig {
    fn default() -> Self {
        ValidationConfig {
            version: ValidationConfig::VERSION,
            rules: crate::rules::RuleSet::default(),
            approval: ApprovalPolicy::default(),
        }
    }
}

impl ValidationConfig {
    pub const VERSION: u32 = 1;

    /// Refuses versions this build does not know and inconsistent thresholds.
    pub fn validate(&self) -> Result<(), String> {
        if self.version != Self::VERSION {
            return Err(format!(
                "validation.version = {} is not supported: this encaisse reads version {}",
                self.version,
                Self::VERSION
            ));
        }
        self.approval.validate().map_err(|e| e.to_string())?;
        let r = &self.rules;
        if r.unusual_amount.factor <= Decimal::ONE {
            return Err("validation.rules.unusual_amount.factor must be above 1".into());
        }
        if r.daily_hours.max_hours_per_day <= Decimal::ZERO
            || r.daily_hours.max_hours_per_day > Decimal::from(24)
        {
            return Err(
                "validation.rules.daily_hours.max_hours_per_day must be between 0 and 24".into(),
            );
        }
        if r.amount_above.threshold.is_sign_negative() {
            return Err("validation.rules.amount_above.threshold must not be negative".into());
        }
        Ok(())
    }
}
