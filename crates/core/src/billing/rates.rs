//! Which hourly rate bills an entry.
//!
//! Clockify documents its precedence, lowest to highest: workspace → project → team member
//! (workspace member) → task → project member; the most specific rate that is set wins. Each
//! Clockify entry also records the rate in force when it was booked (`hourlyRate`), which wins
//! over recomputing: rates change, an entry keeps the one it was booked at. Entries from
//! files carry no such structure: they fall back to the client's rate, then the
//! organization's.

use serde::{Deserialize, Serialize};

use crate::money::Money;

/// Where a rate came from, most specific first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLevel {
    /// Recorded on the entry at the source.
    Entry,
    ProjectMember,
    Task,
    TeamMember,
    Project,
    Workspace,
    /// encaisse's per-client default.
    Client,
    /// encaisse's organization default.
    Organization,
}

impl RateLevel {
    /// Highest priority first.
    pub const PRECEDENCE: [RateLevel; 8] = [
        RateLevel::Entry,
        RateLevel::ProjectMember,
        RateLevel::Task,
        RateLevel::TeamMember,
        RateLevel::Project,
        RateLevel::Workspace,
        RateLevel::Client,
        RateLevel::Organization,
    ];
}

/// The rates that could bill one entry; `None` where a level sets none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateCandidates {
    pub entry: Option<Money>,
    pub project_member: Option<Money>,
    pub task: Option<Money>,
    pub team_member: Option<Money>,
    pub project: Option<Money>,
    pub workspace: Option<Money>,
    pub client: Option<Money>,
    pub organization: Option<Money>,
}

impl RateCandidates {
    fn at(&self, level: RateLevel) -> Option<Money> {
        match level {
            // Clockify writes a zero snapshot when no rate was configured anywhere [inferred]:
            // a zero recorded rate means "none", so the defaults below still apply.
            RateLevel::Entry => self.entry.filter(|m| !m.is_zero()),
            RateLevel::ProjectMember => self.project_member,
            RateLevel::Task => self.task,
            RateLevel::TeamMember => self.team_member,
            RateLevel::Project => self.project,
            RateLevel::Workspace => self.workspace,
            RateLevel::Client => self.client,
            RateLevel::Organization => self.organization,
        }
    }

    /// The rate that applies and its level; `None` when no level sets one.
    pub fn resolve(&self) -> Option<(Money, RateLevel)> {
        RateLevel::PRECEDENCE
            .into_iter()
            .find_map(|l| self.at(l).map(|m| (m, l)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal::Decimal;

    fn eur(n: i64) -> Option<Money> {
        Some(Money::new(Decimal::from(n), Currency::EUR))
    }

    #[test]
    fn project_member_beats_task_beats_team_member_beats_project_beats_workspace() {
        let mut c = RateCandidates {
            project_member: eur(5),
            task: eur(4),
            team_member: eur(3),
            project: eur(2),
            workspace: eur(1),
            ..Default::default()
        };
        let mut seen = Vec::new();
        while let Some((m, level)) = c.resolve() {
            seen.push((m.amount(), level));
            match level {
                RateLevel::ProjectMember => c.project_member = None,
                RateLevel::Task => c.task = None,
                RateLevel::TeamMember => c.team_member = None,
                RateLevel::Project => c.project = None,
                RateLevel::Workspace => c.workspace = None,
                _ => break,
            }
        }
        let levels: Vec<_> = seen.iter().map(|s| s.1).collect();
        assert_eq!(
            levels,
            [
                RateLevel::ProjectMember,
                RateLevel::Task,
                RateLevel::TeamMember,
                RateLevel::Project,
                RateLevel::Workspace
            ]
        );
    }

    #[test]
    fn the_recorded_rate_wins_unless_it_is_zero() {
        let c = RateCandidates {
            entry: eur(120),
            project_member: eur(200),
            client: eur(90),
            ..Default::default()
        };
        assert_eq!(c.resolve().map(|r| r.1), Some(RateLevel::Entry));
        let c = RateCandidates {
            entry: eur(0),
            client: eur(90),
            ..Default::default()
        };
        assert_eq!(c.resolve().map(|r| r.1), Some(RateLevel::Client));
    }

    #[test]
    fn files_fall_back_to_client_then_organization() {
        let c = RateCandidates {
            organization: eur(80),
            ..Default::default()
        };
        assert_eq!(c.resolve().map(|r| r.1), Some(RateLevel::Organization));
        assert_eq!(RateCandidates::default().resolve(), None);
    }
}
