//! The file formats encaisse reads, as column profiles: which header names carry which field.
//! Detection looks at the header row only.

use std::collections::BTreeMap;
use std::fmt;

/// What a column can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The entry's own id at the source.
    Id,
    Date,
    StartTime,
    EndDate,
    EndTime,
    Duration,
    Project,
    Client,
    Task,
    User,
    Email,
    Description,
    Billable,
    /// Hourly rate.
    Rate,
    /// Amount of the entry (rate derived from it when no rate column exists).
    Amount,
    Tags,
}

impl Field {
    pub const ALL: [Field; 16] = [
        Field::Id,
        Field::Date,
        Field::StartTime,
        Field::EndDate,
        Field::EndTime,
        Field::Duration,
        Field::Project,
        Field::Client,
        Field::Task,
        Field::User,
        Field::Email,
        Field::Description,
        Field::Billable,
        Field::Rate,
        Field::Amount,
        Field::Tags,
    ];

    /// The name used in `--map name=Column`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Date => "date",
            Field::StartTime => "start",
            Field::EndDate => "end_date",
            Field::EndTime => "end",
            Field::Duration => "duration",
            Field::Project => "project",
            Field::Client => "client",
            Field::Task => "task",
            Field::User => "user",
            Field::Email => "email",
            Field::Description => "description",
            Field::Billable => "billable",
            Field::Rate => "rate",
            Field::Amount => "amount",
            Field::Tags => "tags",
        }
    }

    pub fn parse(key: &str) -> Option<Field> {
        let k = key.trim().to_ascii_lowercase().replace('-', "_");
        Field::ALL.into_iter().find(|f| f.key() == k)
    }
}

/// A time-sheet file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Clockify Reports → Detailed → Export → CSV.
    Clockify,
    /// Toggl Track detailed report CSV.
    Toggl,
    /// Kimai time-sheet CSV export.
    Kimai,
    /// Any CSV, with a column mapping.
    Generic,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Clockify => "clockify",
            Format::Toggl => "toggl",
            Format::Kimai => "kimai",
            Format::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "clockify" => Some(Format::Clockify),
            "toggl" | "toggl-track" => Some(Format::Toggl),
            "kimai" => Some(Format::Kimai),
            "generic" | "csv" => Some(Format::Generic),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Header names (lower case) per field for a known format; a `*` suffix matches a prefix
/// (`billable rate (*` matches `Billable Rate (EUR)`).
pub fn profile(format: Format) -> &'static [(Field, &'static [&'static str])] {
    match format {
        Format::Clockify => &[
            (Field::Project, &["project"]),
            (Field::Client, &["client"]),
            (Field::Description, &["description"]),
            (Field::Task, &["task"]),
            (Field::User, &["user"]),
            (Field::Email, &["email"]),
            (Field::Tags, &["tags"]),
            (Field::Billable, &["billable"]),
            (Field::Date, &["start date"]),
            (Field::StartTime, &["start time"]),
            (Field::EndDate, &["end date"]),
            (Field::EndTime, &["end time"]),
            (Field::Duration, &["duration (h)"]),
            (Field::Rate, &["billable rate (*"]),
            (Field::Amount, &["billable amount (*"]),
        ],
        Format::Toggl => &[
            (Field::User, &["user", "member"]),
            (Field::Email, &["email"]),
            (Field::Client, &["client"]),
            (Field::Project, &["project"]),
            (Field::Task, &["task"]),
            (Field::Description, &["description"]),
            (Field::Billable, &["billable"]),
            (Field::Date, &["start date"]),
            (Field::StartTime, &["start time"]),
            (Field::EndDate, &["end date"]),
            (Field::EndTime, &["end time"]),
            (Field::Duration, &["duration"]),
            (Field::Tags, &["tags"]),
            (Field::Amount, &["amount (*", "amount"]),
        ],
        Format::Kimai => &[
            (Field::Id, &["id"]),
            (Field::Date, &["date"]),
            (Field::StartTime, &["from", "begin"]),
            (Field::EndTime, &["to", "end"]),
            (Field::Duration, &["duration"]),
            (Field::Rate, &["hourly rate", "hourly_rate"]),
            (Field::Amount, &["rate"]),
            (Field::User, &["user", "username"]),
            (Field::Client, &["customer"]),
            (Field::Project, &["project"]),
            (Field::Task, &["activity"]),
            (Field::Description, &["description"]),
            (Field::Billable, &["billable"]),
            (Field::Tags, &["tags"]),
        ],
        Format::Generic => &[],
    }
}

fn matches(header: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => header.starts_with(prefix),
        None => header == pattern,
    }
}

/// The column index of each field in `headers` for a profile.
pub fn locate(headers: &[String], fields: &[(Field, &[&str])]) -> BTreeMap<Field, usize> {
    let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut out = BTreeMap::new();
    for (field, names) in fields {
        if let Some(i) = names
            .iter()
            .find_map(|n| lower.iter().position(|h| matches(h, n)))
        {
            out.insert(*field, i);
        }
    }
    out
}

/// Recognises a known format from its header row.
pub fn detect(headers: &[String]) -> Option<Format> {
    let has = |name: &str| headers.iter().any(|h| h.trim().eq_ignore_ascii_case(name));
    let has_prefix = |p: &str| {
        headers
            .iter()
            .any(|h| h.trim().to_lowercase().starts_with(p))
    };
    if has("Start Date") && has("Start Time") && has("Duration (h)") {
        return Some(Format::Clockify);
    }
    if has("Customer") && has("Activity") && has("Project") {
        return Some(Format::Kimai);
    }
    if has("Start date") && has("Start time") && has("Duration") && has("Project") {
        return Some(Format::Toggl);
    }
    if has_prefix("billable rate (") {
        return Some(Format::Clockify);
    }
    None
}

/// The currency named in a header such as `Billable Rate (EUR)` (`EURO` read as EUR).
pub fn header_currency(header: &str) -> Option<String> {
    let inner = header
        .rsplit_once('(')?
        .1
        .strip_suffix(')')?
        .trim()
        .to_ascii_uppercase();
    let code = if inner == "EURO" {
        "EUR".to_owned()
    } else {
        inner
    };
    (code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())).then_some(code)
}

/// The fields each format needs to make an entry.
pub fn required(format: Format) -> &'static [Field] {
    match format {
        Format::Clockify | Format::Toggl => &[Field::Project, Field::Date, Field::StartTime],
        Format::Kimai => &[Field::Project, Field::Date, Field::Duration],
        Format::Generic => &[Field::Project, Field::Date],
    }
}
