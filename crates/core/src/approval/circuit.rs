//! Who may take the next decision of a circuit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Level;
use crate::role::Role;

/// Someone in the organization, with their role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user_id: Uuid,
    pub role: Role,
}

/// `from` is away: between `starts_on` and `ends_on` (inclusive) `to` decides in their name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    pub from: Person,
    pub to: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DelegationError {
    #[error("one cannot delegate to oneself: choose a colleague")]
    ToSelf,
    #[error("the delegation ends before it starts: swap the dates")]
    EndsBeforeStart,
    #[error("a delegation lasts at most {0} days: make several if the absence is longer")]
    TooLong(i64),
    #[error("only people who approve can delegate approvals")]
    NothingToDelegate,
}

impl Delegation {
    /// The longest delegation accepted, in days.
    pub const MAX_DAYS: i64 = 92;

    pub fn new(
        from: Person,
        to: Uuid,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    ) -> Result<Delegation, DelegationError> {
        if from.user_id == to {
            return Err(DelegationError::ToSelf);
        }
        if !Level::Approver.admits(from.role) {
            return Err(DelegationError::NothingToDelegate);
        }
        if ends_on < starts_on {
            return Err(DelegationError::EndsBeforeStart);
        }
        if (ends_on - starts_on).num_days() >= Self::MAX_DAYS {
            return Err(DelegationError::TooLong(Self::MAX_DAYS));
        }
        Ok(Delegation {
            from,
            to,
            starts_on,
            ends_on,
        })
    }

    pub fn is_active(&self, today: NaiveDate) -> bool {
        self.starts_on <= today && today <= self.ends_on
    }
}

/// A decision already taken in the current circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decided {
    /// 1-based.
    pub level: usize,
    pub by: Uuid,
    pub on_behalf_of: Option<Uuid>,
}

/// Leave to decide the next level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    /// 1-based level being decided.
    pub level: usize,
    /// Levels in the circuit.
    pub of: usize,
    /// Acting for someone who delegated to the decider.
    pub on_behalf_of: Option<Uuid>,
    /// An approval at this level approves the invoice.
    pub completes: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("this invoice waits for no decision: it is not pending approval")]
    NothingToDecide,
    #[error(
        "you cannot approve or reject a draft you created, edited or submitted: another approver must decide"
    )]
    OwnDraft,
    #[error("you already decided level {0} of this invoice: the next level needs another person")]
    AlreadyDecided(usize),
    #[error(
        "level {level} of this invoice needs {}: ask one, or one who delegated to you while away",
        needs_text(*.needs)
    )]
    NotEntitled { level: usize, needs: Level },
}

fn needs_text(l: Level) -> &'static str {
    match l {
        Level::Approver => "an approver",
        Level::Owner => "an owner",
    }
}

/// Whether `actor` may take the next decision of `levels`, given the decisions taken, the
/// people who contributed to the draft and the delegations in force `today`.
pub fn authorize(
    levels: &[Level],
    decided: &[Decided],
    contributors: &[Uuid],
    actor: &Person,
    delegations: &[Delegation],
    today: NaiveDate,
) -> Result<Authorization, ApprovalError> {
    let level = decided.len() + 1;
    let Some(needs) = levels.get(level - 1).copied() else {
        return Err(ApprovalError::NothingToDecide);
    };
    if contributors.contains(&actor.user_id) {
        return Err(ApprovalError::OwnDraft);
    }
    let took_part = |u: Uuid| {
        decided
            .iter()
            .find(|d| d.by == u || d.on_behalf_of == Some(u))
            .map(|d| d.level)
    };
    if let Some(l) = took_part(actor.user_id) {
        return Err(ApprovalError::AlreadyDecided(l));
    }
    let ok = |on_behalf_of| Authorization {
        level,
        of: levels.len(),
        on_behalf_of,
        completes: level == levels.len(),
    };
    if needs.admits(actor.role) {
        return Ok(ok(None));
    }
    delegations
        .iter()
        .filter(|d| d.to == actor.user_id && d.is_active(today) && needs.admits(d.from.role))
        .find(|d| !contributors.contains(&d.from.user_id) && took_part(d.from.user_id).is_none())
        .map(|d| ok(Some(d.from.user_id)))
        .ok_or(ApprovalError::NotEntitled { level, needs })
}

/// Everyone among `people` who may take the next decision (to notify them).
pub fn eligible(
    levels: &[Level],
    decided: &[Decided],
    contributors: &[Uuid],
    people: &[Person],
    delegations: &[Delegation],
    today: NaiveDate,
) -> Vec<Uuid> {
    people
        .iter()
        .filter(|p| authorize(levels, decided, contributors, p, delegations, today).is_ok())
        .map(|p| p.user_id)
        .collect()
}
