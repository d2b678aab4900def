//! Projects and the time entries that become invoice lines.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Money;

/// A client's project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub client_id: Uuid,
    pub name: String,
    /// Default hourly rate of the project.
    pub hourly_rate: Option<Money>,
    pub external_id: Option<String>,
}

/// Where a time entry came from; with the external id it identifies the entry for
/// idempotent imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    Clockify,
    Csv,
    Manual,
}

impl TimeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Clockify => "clockify",
            TimeSource::Csv => "csv",
            TimeSource::Manual => "manual",
        }
    }
    pub fn parse(s: &str) -> Option<TimeSource> {
        match s {
            "clockify" => Some(TimeSource::Clockify),
            "csv" => Some(TimeSource::Csv),
            "manual" => Some(TimeSource::Manual),
            _ => None,
        }
    }
}

/// Hours worked by someone on a project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub project_id: Uuid,
    pub source: TimeSource,
    pub external_id: String,
    pub user_name: String,
    pub description: String,
    pub started_at: DateTime<Utc>,
    pub duration_seconds: i64,
    pub billable: bool,
    /// The rate recorded on the entry at the source, if any (wins over project rates).
    pub hourly_rate: Option<Money>,
    /// The invoice that bills it; `None` while unbilled.
    pub invoice_id: Option<Uuid>,
}

impl TimeEntry {
    /// Duration in hours, exact (seconds / 3600).
    pub fn hours(&self) -> Decimal {
        Decimal::from(self.duration_seconds) / Decimal::from(3600)
    }
}
