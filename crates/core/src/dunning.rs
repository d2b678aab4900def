//! Dunning: which reminder, if any, is due for an open invoice today — pure, run daily by the
//! application.
//!
//! Rules (the contract the property tests hold):
//! - a reminder goes only to an invoice that is issued or sent or partially paid, with a
//!   balance at least the policy's minimum, not disputed, not before a promised payment date,
//!   and not fully covered by payments waiting for review;
//! - at most one reminder per level, levels in increasing order;
//! - after downtime, only the level now due is sent (never a burst of stale levels);
//! - a client may opt out, or prefer one grouped reminder for all its overdue invoices.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::invoice::InvoiceStatus;
use crate::money::Money;

/// How firm a reminder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Before the due date, when the organization wants it.
    Courtesy,
    /// Level 1: a friendly reminder (Zahlungserinnerung).
    Friendly,
    /// Level 2: firm (1. Mahnung).
    Firm,
    /// Level 3: final notice, with the late-payment penalties (letzte Mahnung).
    Final,
}

/// One level of the schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// 1, 2, 3 … in the order they are sent.
    pub level: u8,
    /// Days after the due date from which it is due.
    pub days_after_due: i64,
    pub tone: Tone,
}

/// An organization's schedule (a client may have its own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DunningPolicy {
    pub levels: Vec<Level>,
    /// A courtesy reminder this many days before the due date (none by default).
    pub courtesy_days_before_due: Option<i64>,
    /// Balances below this (in the invoice's currency) are not chased.
    pub minimum_amount: Decimal,
    /// Reminders wait for a person's approval before they leave.
    pub requires_approval: bool,
}

impl Default for DunningPolicy {
    fn default() -> Self {
        DunningPolicy {
            levels: vec![
                Level {
                    level: 1,
                    days_after_due: 15,
                    tone: Tone::Friendly,
                },
                Level {
                    level: 2,
                    days_after_due: 30,
                    tone: Tone::Firm,
                },
                Level {
                    level: 3,
                    days_after_due: 45,
                    tone: Tone::Final,
                },
            ],
            courtesy_days_before_due: None,
            minimum_amount: Decimal::ZERO,
            requires_approval: false,
        }
    }
}

/// Why a policy is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error(
        "dunning levels must be numbered 1, 2, 3 … with increasing days after the due date; fix level {0}"
    )]
    Order(u8),
    #[error("the minimum amount of a dunning policy cannot be negative")]
    NegativeMinimum,
    #[error("the courtesy reminder must come before the due date (a positive number of days)")]
    Courtesy,
}

impl DunningPolicy {
    pub fn validate(&self) -> Result<(), PolicyError> {
        let mut last_days = i64::MIN;
        for (i, l) in self.levels.iter().enumerate() {
            if usize::from(l.level) != i + 1
                || l.days_after_due <= last_days
                || l.days_after_due < 0
            {
                return Err(PolicyError::Order(l.level));
            }
            last_days = l.days_after_due;
        }
        if self.minimum_amount.is_sign_negative() {
            return Err(PolicyError::NegativeMinimum);
        }
        if self.courtesy_days_before_due.is_some_and(|d| d <= 0) {
            return Err(PolicyError::Courtesy);
        }
        Ok(())
    }

    /// The highest level due `overdue_days` after the due date.
    pub fn level_due(&self, overdue_days: i64) -> Option<&Level> {
        self.levels
            .iter()
            .rev()
            .find(|l| overdue_days >= l.days_after_due)
    }
}

/// A client's dunning preferences.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientDunning {
    pub opt_out: bool,
    /// One reminder for all the client's overdue invoices.
    pub grouped: bool,
    /// The client's own schedule, instead of the organization's.
    pub policy: Option<DunningPolicy>,
}

/// What dunning knows of one open invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub invoice_id: Uuid,
    pub client_id: Uuid,
    pub status: InvoiceStatus,
    pub due_date: NaiveDate,
    /// What is left to pay.
    pub balance: Money,
    pub disputed: bool,
    /// The client promised to pay by this date.
    pub promised_by: Option<NaiveDate>,
    /// Payments matched to this invoice and waiting for a person's review.
    pub awaiting_review: Money,
    /// The highest level already sent (0: none).
    pub last_level: u8,
    pub courtesy_sent: bool,
}

/// Why nothing goes out for an invoice today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Hold {
    NotOpen,
    Disputed,
    Promised { until: NaiveDate },
    CoveredByPaymentsInReview,
    BelowMinimum,
    OptedOut,
    NotDue,
    AlreadySent { level: u8 },
}

/// The decision for one invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    Send {
        level: u8,
        tone: Tone,
        overdue_days: i64,
    },
    Hold(Hold),
}

/// Decides for one invoice.
pub fn decide(
    policy: &DunningPolicy,
    client: &ClientDunning,
    c: &Candidate,
    today: NaiveDate,
) -> Decision {
    let policy = client.policy.as_ref().unwrap_or(policy);
    let open = matches!(
        c.status,
        InvoiceStatus::Issued | InvoiceStatus::Sent | InvoiceStatus::PartiallyPaid
    );
    if !open || c.balance.amount() <= Decimal::ZERO {
        return Decision::Hold(Hold::NotOpen);
    }
    if client.opt_out {
        return Decision::Hold(Hold::OptedOut);
    }
    if c.disputed {
        return Decision::Hold(Hold::Disputed);
    }
    if let Some(until) = c.promised_by.filter(|d| *d >= today) {
        return Decision::Hold(Hold::Promised { until });
    }
    if c.awaiting_review.currency() == c.balance.currency()
        && c.awaiting_review.amount() >= c.balance.amount()
    {
        return Decision::Hold(Hold::CoveredByPaymentsInReview);
    }
    if c.balance.amount() < policy.minimum_amount {
        return Decision::Hold(Hold::BelowMinimum);
    }
    let overdue_days = (today - c.due_date).num_days();
    match policy.level_due(overdue_days) {
        Some(l) if l.level > c.last_level => Decision::Send {
            level: l.level,
            tone: l.tone,
            overdue_days,
        },
        Some(_) => Decision::Hold(Hold::AlreadySent {
            level: c.last_level,
        }),
        None => match policy.courtesy_days_before_due {
            Some(before)
                if !c.courtesy_sent
                    && c.last_level == 0
                    && -overdue_days <= before
                    && overdue_days <= 0 =>
            {
                Decision::Send {
                    level: 0,
                    tone: Tone::Courtesy,
                    overdue_days,
                }
            }
            _ => Decision::Hold(Hold::NotDue),
        },
    }
}

/// One reminder to send: one invoice, or several of one client when it prefers them grouped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedReminder {
    pub client_id: Uuid,
    /// The level and tone of the message (the highest among a group's invoices).
    pub level: u8,
    pub tone: Tone,
    /// Each invoice with the level it reaches by this reminder.
    pub invoices: Vec<(Uuid, u8)>,
}

/// The day's run: what goes out and why the rest waits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub reminders: Vec<PlannedReminder>,
    pub held: Vec<(Uuid, Hold)>,
}

/// Plans a day for many invoices. `client_of` gives each client's preferences (default when
/// absent).
pub fn plan<'a>(
    policy: &DunningPolicy,
    client_of: impl Fn(Uuid) -> Option<&'a ClientDunning>,
    candidates: &[Candidate],
    today: NaiveDate,
) -> Plan {
    let default = ClientDunning::default();
    let mut out = Plan::default();
    let mut grouped: std::collections::BTreeMap<Uuid, PlannedReminder> = Default::default();
    for c in candidates {
        let prefs = client_of(c.client_id).unwrap_or(&default);
        match decide(policy, prefs, c, today) {
            Decision::Hold(h) => out.held.push((c.invoice_id, h)),
            Decision::Send { level, tone, .. } if prefs.grouped && level > 0 => {
                let r = grouped
                    .entry(c.client_id)
                    .or_insert_with(|| PlannedReminder {
                        client_id: c.client_id,
                        level,
                        tone,
                        invoices: Vec::new(),
                    });
                if level > r.level {
                    r.level = level;
                    r.tone = tone;
                }
                r.invoices.push((c.invoice_id, level));
            }
            Decision::Send { level, tone, .. } => out.reminders.push(PlannedReminder {
                client_id: c.client_id,
                level,
                tone,
                invoices: vec![(c.invoice_id, level)],
            }),
        }
    }
    out.reminders.extend(grouped.into_values());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn eur(v: i64) -> Money {
        Money::new(Decimal::from(v), Currency::EUR)
    }

    fn candidate(due: NaiveDate) -> Candidate {
        Candidate {
            invoice_id: Uuid::from_u128(1),
            client_id: Uuid::from_u128(2),
            status: InvoiceStatus::Sent,
            due_date: due,
            balance: eur(1000),
            disputed: false,
            promised_by: None,
            awaiting_review: eur(0),
            last_level: 0,
            courtesy_sent: false,
        }
    }

    #[test]
    fn the_default_schedule_is_d15_d30_d45() {
        let p = DunningPolicy::default();
        p.validate().unwrap();
        let c = candidate(d(2026, 10, 1));
        let at = |day| decide(&p, &ClientDunning::default(), &c, day);
        assert_eq!(at(d(2026, 10, 15)), Decision::Hold(Hold::NotDue));
        assert!(matches!(
            at(d(2026, 10, 16)),
            Decision::Send {
                level: 1,
                tone: Tone::Friendly,
                overdue_days: 15
            }
        ));
        assert!(matches!(
            at(d(2026, 10, 31)),
            Decision::Send { level: 2, .. }
        ));
        assert!(matches!(
            at(d(2026, 11, 15)),
            Decision::Send {
                level: 3,
                tone: Tone::Final,
                ..
            }
        ));
    }

    #[test]
    fn after_downtime_only_the_level_now_due_is_sent() {
        let p = DunningPolicy::default();
        let c = candidate(d(2026, 8, 1));
        // 60 days late, nothing sent yet: the final notice only, not 1, 2 and 3.
        let plan = plan(&p, |_| None, std::slice::from_ref(&c), d(2026, 9, 30));
        assert_eq!(plan.reminders.len(), 1);
        assert_eq!(plan.reminders[0].level, 3);
    }

    #[test]
    fn holds_are_explained() {
        let p = DunningPolicy::default();
        let today = d(2026, 11, 1);
        let base = candidate(d(2026, 9, 1));
        let none = ClientDunning::default();
        let with = |f: &dyn Fn(&mut Candidate)| {
            let mut c = base.clone();
            f(&mut c);
            decide(&p, &none, &c, today)
        };
        assert_eq!(
            with(&|c| c.status = InvoiceStatus::Paid),
            Decision::Hold(Hold::NotOpen)
        );
        assert_eq!(with(&|c| c.disputed = true), Decision::Hold(Hold::Disputed));
        assert_eq!(
            with(&|c| c.promised_by = Some(d(2026, 11, 5))),
            Decision::Hold(Hold::Promised {
                until: d(2026, 11, 5)
            })
        );
        // A promise in the past no longer holds.
        assert!(matches!(
            with(&|c| c.promised_by = Some(d(2026, 10, 5))),
            Decision::Send { .. }
        ));
        assert_eq!(
            with(&|c| c.awaiting_review = eur(1000)),
            Decision::Hold(Hold::CoveredByPaymentsInReview)
        );
        assert!(matches!(
            with(&|c| c.awaiting_review = eur(999)),
            Decision::Send { .. }
        ));
        assert_eq!(
            with(&|c| c.last_level = 3),
            Decision::Hold(Hold::AlreadySent { level: 3 })
        );
        let out = ClientDunning {
            opt_out: true,
            ..Default::default()
        };
        assert_eq!(
            decide(&p, &out, &base, today),
            Decision::Hold(Hold::OptedOut)
        );
        let min = DunningPolicy {
            minimum_amount: Decimal::from(5000),
            ..Default::default()
        };
        assert_eq!(
            decide(&min, &none, &base, today),
            Decision::Hold(Hold::BelowMinimum)
        );
    }

    #[test]
    fn a_courtesy_reminder_comes_once_before_the_due_date() {
        let p = DunningPolicy {
            courtesy_days_before_due: Some(3),
            ..Default::default()
        };
        p.validate().unwrap();
        let mut c = candidate(d(2026, 11, 10));
        let none = ClientDunning::default();
        assert_eq!(
            decide(&p, &none, &c, d(2026, 11, 6)),
            Decision::Hold(Hold::NotDue)
        );
        assert!(matches!(
            decide(&p, &none, &c, d(2026, 11, 7)),
            Decision::Send {
                level: 0,
                tone: Tone::Courtesy,
                ..
            }
        ));
        c.courtesy_sent = true;
        assert_eq!(
            decide(&p, &none, &c, d(2026, 11, 8)),
            Decision::Hold(Hold::NotDue)
        );
    }

    #[test]
    fn grouped_clients_get_one_reminder_at_the_highest_level() {
        let p = DunningPolicy::default();
        let mut a = candidate(d(2026, 9, 1));
        let mut b = candidate(d(2026, 10, 10));
        b.invoice_id = Uuid::from_u128(3);
        let mut other = candidate(d(2026, 10, 10));
        other.invoice_id = Uuid::from_u128(4);
        other.client_id = Uuid::from_u128(9);
        a.last_level = 1;
        let prefs = ClientDunning {
            grouped: true,
            ..Default::default()
        };
        let plan = plan(
            &p,
            |c| (c == Uuid::from_u128(2)).then_some(&prefs),
            &[a, b, other],
            d(2026, 11, 1),
        );
        assert_eq!(plan.reminders.len(), 2);
        let g = plan
            .reminders
            .iter()
            .find(|r| r.client_id == Uuid::from_u128(2))
            .unwrap();
        assert_eq!(g.level, 3);
        assert_eq!(
            g.invoices,
            vec![(Uuid::from_u128(1), 3), (Uuid::from_u128(3), 1)]
        );
    }

    #[test]
    fn bad_policies_are_refused() {
        let mut p = DunningPolicy::default();
        p.levels[1].days_after_due = 10;
        assert_eq!(p.validate(), Err(PolicyError::Order(2)));
        let p = DunningPolicy {
            minimum_amount: Decimal::from(-1),
            ..Default::default()
        };
        assert_eq!(p.validate(), Err(PolicyError::NegativeMinimum));
    }

    proptest! {
        /// A daily run over four months with payments, disputes and promises arriving at random:
        /// nothing after payment or while disputed, at most one reminder per level, levels in
        /// increasing order.
        #[test]
        fn daily_runs_respect_the_schedule(
            due_offset in 0i64..40,
            paid_on in proptest::option::of(0i64..120),
            dispute in proptest::option::of((0i64..120, 1i64..30)),
            promise in proptest::option::of((0i64..120, 1i64..20)),
            downtime in proptest::option::of((0i64..120, 1i64..40)),
        ) {
            let p = DunningPolicy::default();
            let start = d(2026, 6, 1);
            let mut c = candidate(start + chrono::Duration::days(due_offset));
            let mut sent: Vec<u8> = Vec::new();
            for day in 0..120 {
                let today = start + chrono::Duration::days(day);
                if paid_on.is_some_and(|p| day >= p) {
                    c.status = InvoiceStatus::Paid;
                    c.balance = eur(0);
                }
                c.disputed = dispute.is_some_and(|(s, len)| day >= s && day < s + len);
                c.promised_by = promise
                    .filter(|(at, _)| day >= *at)
                    .map(|(at, len)| start + chrono::Duration::days(at + len));
                if downtime.is_some_and(|(s, len)| day >= s && day < s + len) {
                    continue;
                }
                if let Decision::Send { level, .. } = decide(&p, &ClientDunning::default(), &c, today) {
                    prop_assert!(c.status != InvoiceStatus::Paid, "reminder after payment");
                    prop_assert!(!c.disputed, "reminder while disputed");
                    prop_assert!(c.promised_by.is_none_or(|u| u < today), "reminder before the promised date");
                    prop_assert!(!sent.contains(&level), "level {} sent twice", level);
                    prop_assert!(sent.last().is_none_or(|l| *l < level), "levels out of order");
                    sent.push(level);
                    c.last_level = level;
                }
            }
        }
    }
}
