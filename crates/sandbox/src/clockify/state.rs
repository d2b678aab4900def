//! The simulator's data: workspaces with their users, clients, projects, tasks, tags, time
//! entries and webhooks. Entries are kept compactly (indices instead of copies) so that a
//! million fit in a few hundred megabytes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// A Clockify-like 24-hex id from a kind and a number.
pub fn object_id(kind: u32, n: u64) -> String {
    format!("{kind:08x}{n:016x}")
}

pub(crate) const KIND_WORKSPACE: u32 = 0x65f0_0001;
pub(crate) const KIND_USER: u32 = 0x65f0_0002;
pub(crate) const KIND_CLIENT: u32 = 0x65f0_0003;
pub(crate) const KIND_PROJECT: u32 = 0x65f0_0004;
pub(crate) const KIND_TASK: u32 = 0x65f0_0005;
pub(crate) const KIND_ENTRY: u32 = 0x65f0_0006;
pub(crate) const KIND_WEBHOOK: u32 = 0x65f0_0007;
pub(crate) const KIND_TAG: u32 = 0x65f0_0008;

#[derive(Clone, Debug)]
pub struct UserRec {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Team-member (workspace membership) rate, cents.
    pub rate: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct ClientRec {
    pub id: String,
    pub name: String,
    pub archived: bool,
}

#[derive(Clone, Debug)]
pub struct ProjectRec {
    pub id: String,
    pub name: String,
    pub client: Option<usize>,
    pub billable: bool,
    pub rate: Option<i64>,
    /// Project members (user index) with their project-member rate.
    pub members: Vec<(usize, Option<i64>)>,
    pub archived: bool,
}

#[derive(Clone, Debug)]
pub struct TaskRec {
    pub id: String,
    pub project: usize,
    pub name: String,
    pub rate: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct TagRec {
    pub id: String,
    pub name: String,
}

/// A time entry; `id` is the number of its 24-hex id.
#[derive(Clone, Debug)]
pub struct EntryRec {
    pub id: u64,
    pub user: u32,
    pub project: u32,
    pub task: Option<u32>,
    pub description: String,
    pub start: i64,
    /// `None` while the timer runs.
    pub end: Option<i64>,
    pub billable: bool,
    /// The rate snapshot taken when the entry was created or last changed, cents.
    pub rate: i64,
    pub invoiced: bool,
    pub deleted: bool,
}

impl EntryRec {
    pub fn hex_id(&self) -> String {
        object_id(KIND_ENTRY, self.id)
    }
}

#[derive(Clone, Debug)]
pub struct WebhookRec {
    pub id: String,
    pub name: String,
    pub url: String,
    pub event: String,
    pub token: String,
    pub owner: usize,
    pub enabled: bool,
    pub delivery_enabled: bool,
}

/// One workspace.
#[derive(Clone, Debug)]
pub struct WorkspaceRec {
    pub id: String,
    pub name: String,
    /// `None`: on the global servers; `Some("euc1")`: only under that regional prefix.
    pub region: Option<String>,
    pub currency: String,
    pub time_zone: Tz,
    pub rate: Option<i64>,
    pub archived: bool,
    pub users: Vec<UserRec>,
    pub clients: Vec<ClientRec>,
    pub projects: Vec<ProjectRec>,
    pub tasks: Vec<TaskRec>,
    pub tags: Vec<TagRec>,
    /// Sorted by id (ids only grow), deleted ones kept as tombstones.
    pub entries: Vec<EntryRec>,
    pub webhooks: Vec<WebhookRec>,
    pub next_entry: u64,
}

impl WorkspaceRec {
    pub fn entry_index(&self, hex: &str) -> Option<usize> {
        let n = parse_object_id(hex, KIND_ENTRY)?;
        self.entries
            .binary_search_by_key(&n, |e| e.id)
            .ok()
            .filter(|i| !self.entries[*i].deleted)
    }

    /// The rate Clockify snapshots on an entry: the most specific that is set, lowest to
    /// highest workspace → project → team member → task → project member.
    pub fn rate_for(&self, user: usize, project: usize, task: Option<usize>) -> i64 {
        let p = self.projects.get(project);
        let member = p.and_then(|p| p.members.iter().find(|(u, _)| *u == user).and_then(|m| m.1));
        member
            .or_else(|| task.and_then(|t| self.tasks.get(t)).and_then(|t| t.rate))
            .or_else(|| self.users.get(user).and_then(|u| u.rate))
            .or_else(|| p.and_then(|p| p.rate))
            .or(self.rate)
            .unwrap_or(0)
    }
}

pub fn parse_object_id(hex: &str, kind: u32) -> Option<u64> {
    if hex.len() != 24 || !hex.is_char_boundary(8) {
        return None;
    }
    let k = u32::from_str_radix(&hex[..8], 16).ok()?;
    (k == kind).then(|| u64::from_str_radix(&hex[8..], 16).ok())?
}

/// A small deterministic generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// What to seed one workspace with.
#[derive(Clone, Debug)]
pub struct WorkspaceSeed {
    /// Distinguishes workspaces (and their ids).
    pub number: u64,
    pub name: String,
    pub region: Option<String>,
    pub currency: String,
    pub time_zone: Tz,
    /// Workspace rate, cents.
    pub rate: Option<i64>,
    pub client_names: Vec<String>,
    pub users: usize,
    pub projects_per_client: usize,
    pub tasks_per_project: usize,
    /// Entries are spread over working days in `[from, to)`.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub entries: usize,
    /// Entries that started before this are already marked invoiced.
    pub invoiced_before: Option<DateTime<Utc>>,
    pub seed: u64,
}

impl WorkspaceSeed {
    /// A small workspace: 3 clients, 4 users, 120 entries in October 2026, in Paris time.
    pub fn small(number: u64) -> WorkspaceSeed {
        WorkspaceSeed {
            number,
            name: format!("Workspace {number}"),
            region: None,
            currency: "EUR".into(),
            time_zone: chrono_tz::Europe::Paris,
            rate: Some(9000),
            client_names: vec!["Acme SAS".into(), "Globex GmbH".into(), "Initech SA".into()],
            users: 4,
            projects_per_client: 2,
            tasks_per_project: 2,
            from: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default(),
            entries: 120,
            invoiced_before: None,
            seed: 42,
        }
    }
}

const FIRST: [&str; 10] = [
    "Camille", "Lucas", "Léa", "Jonas", "Inès", "Hugo", "Chloé", "Nora", "Marc", "Sofia",
];
const LAST: [&str; 8] = [
    "Durand", "Martin", "Bernard", "Weber", "Moreau", "Keller", "Rochat", "Lambert",
];
const WORK: [&str; 12] = [
    "Analyse des besoins",
    "Développement",
    "Revue de code",
    "Réunion client",
    "Tests",
    "Déploiement",
    "Support utilisateurs",
    "Documentation",
    "Correction d'anomalies",
    "Atelier",
    "Migration de données",
    "Paramétrage",
];
const PROJECTS: [&str; 6] = [
    "Refonte",
    "Maintenance",
    "Migration cloud",
    "Audit",
    "Intégration",
    "Support",
];
const TASKS: [&str; 4] = ["Conception", "Réalisation", "Recette", "Pilotage"];

/// Builds a workspace from a seed.
pub fn seed_workspace(s: &WorkspaceSeed) -> WorkspaceRec {
    let mut rng = Rng(s.seed ^ s.number.wrapping_mul(0x1000_0001));
    let base = s.number << 32;
    let users: Vec<UserRec> = (0..s.users.max(1))
        .map(|i| {
            let name = format!(
                "{} {}",
                FIRST[i % FIRST.len()],
                LAST[(i / FIRST.len() + i) % LAST.len()]
            );
            UserRec {
                id: object_id(KIND_USER, base + i as u64),
                email: format!("user{i}@ws{}.example", s.number),
                name,
                // One user in three has a team-member rate.
                rate: (i % 3 == 1).then(|| 10_000 + 500 * (i as i64 % 5)),
            }
        })
        .collect();
    let clients: Vec<ClientRec> = s
        .client_names
        .iter()
        .enumerate()
        .map(|(i, n)| ClientRec {
            id: object_id(KIND_CLIENT, base + i as u64),
            name: n.clone(),
            archived: false,
        })
        .collect();
    let mut projects = Vec::new();
    let mut tasks = Vec::new();
    for (c, client) in clients.iter().enumerate() {
        for k in 0..s.projects_per_client.max(1) {
            let pi = projects.len();
            let members: Vec<(usize, Option<i64>)> = (0..users.len())
                .filter(|u| (u + pi) % 2 == 0 || users.len() < 3)
                .map(|u| (u, ((u + pi) % 5 == 0).then_some(15_000)))
                .collect();
            projects.push(ProjectRec {
                id: object_id(KIND_PROJECT, base + pi as u64),
                name: format!("{} {}", PROJECTS[(pi + k) % PROJECTS.len()], client.name),
                client: Some(c),
                billable: true,
                rate: (pi % 4 != 3).then(|| 8_000 + 1_000 * (pi as i64 % 6)),
                members,
                archived: false,
            });
            for t in 0..s.tasks_per_project {
                let ti = tasks.len();
                tasks.push(TaskRec {
                    id: object_id(KIND_TASK, base + ti as u64),
                    project: pi,
                    name: TASKS[t % TASKS.len()].into(),
                    rate: (ti % 3 == 2).then_some(12_000),
                });
            }
        }
    }
    let mut ws = WorkspaceRec {
        id: object_id(KIND_WORKSPACE, s.number),
        name: s.name.clone(),
        region: s.region.clone(),
        currency: s.currency.clone(),
        time_zone: s.time_zone,
        rate: s.rate,
        archived: false,
        users,
        clients,
        projects,
        tasks,
        tags: vec![TagRec {
            id: object_id(KIND_TAG, base),
            name: "urgent".into(),
        }],
        entries: Vec::with_capacity(s.entries),
        webhooks: Vec::new(),
        next_entry: base,
    };
    let days: Vec<NaiveDate> = s
        .from
        .iter_days()
        .take_while(|d| *d < s.to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    if days.is_empty() {
        return ws;
    }
    let mut tasks_of: Vec<Vec<usize>> = vec![Vec::new(); ws.projects.len()];
    for (i, t) in ws.tasks.iter().enumerate() {
        if let Some(v) = tasks_of.get_mut(t.project) {
            v.push(i);
        }
    }
    for n in 0..s.entries {
        let project = rng.below(ws.projects.len() as u64) as usize;
        let p = &ws.projects[project];
        let user = p.members[rng.below(p.members.len() as u64) as usize].0;
        let own = &tasks_of[project];
        let task = (!own.is_empty() && rng.below(3) > 0)
            .then(|| own[rng.below(own.len() as u64) as usize]);
        let day = days[(n * days.len()) / s.entries.max(1)];
        let local = day.and_hms_opt(
            8 + rng.below(9) as u32,
            [0, 15, 30, 45][rng.below(4) as usize],
            0,
        );
        let start = local
            .and_then(|l| s.time_zone.from_local_datetime(&l).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| {
                Utc.from_utc_datetime(&day.and_hms_opt(8, 0, 0).unwrap_or_default())
            });
        let minutes = 15 * (1 + rng.below(16) as i64) + rng.below(3) as i64 * 7;
        let end = start + Duration::minutes(minutes);
        let rate = ws.rate_for(user, project, task);
        let id = ws.next_entry;
        ws.next_entry += 1;
        ws.entries.push(EntryRec {
            id,
            user: user as u32,
            project: project as u32,
            task: task.map(|t| t as u32),
            description: WORK[rng.below(WORK.len() as u64) as usize].into(),
            start: start.timestamp(),
            end: Some(end.timestamp()),
            billable: rng.below(10) > 0,
            rate,
            invoiced: s.invoiced_before.is_some_and(|b| start < b),
            deleted: false,
        });
    }
    ws
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_is_deterministic_and_ids_look_like_clockify_ids() {
        let a = seed_workspace(&WorkspaceSeed::small(1));
        let b = seed_workspace(&WorkspaceSeed::small(1));
        assert_eq!(a.entries.len(), 120);
        assert_eq!(
            a.entries
                .iter()
                .map(|e| (e.id, e.start, e.rate))
                .collect::<Vec<_>>(),
            b.entries
                .iter()
                .map(|e| (e.id, e.start, e.rate))
                .collect::<Vec<_>>()
        );
        let hex = a.entries[0].hex_id();
        assert_eq!(hex.len(), 24);
        assert_eq!(a.entry_index(&hex), Some(0));
        assert_eq!(a.entry_index("nonsense"), None);
    }

    #[test]
    fn rate_snapshot_follows_clockify_precedence() {
        let mut ws = seed_workspace(&WorkspaceSeed::small(2));
        ws.rate = Some(1);
        ws.projects[0].rate = Some(2);
        ws.users[0].rate = Some(3);
        ws.tasks[0].rate = Some(4);
        ws.tasks[0].project = 0;
        ws.projects[0].members = vec![(0, Some(5))];
        assert_eq!(ws.rate_for(0, 0, Some(0)), 5);
        ws.projects[0].members = vec![(0, None)];
        assert_eq!(ws.rate_for(0, 0, Some(0)), 4);
        assert_eq!(ws.rate_for(0, 0, None), 3);
        ws.users[0].rate = None;
        assert_eq!(ws.rate_for(0, 0, None), 2);
        ws.projects[0].rate = None;
        assert_eq!(ws.rate_for(0, 0, None), 1);
    }
}
