//! Clockify's JSON shapes, as documented (OpenAPI `…DtoV1`) and as observed. Every field a
//! real answer may omit is optional or defaulted, so a new field or a missing one never
//! breaks a sync. Names follow Clockify (camelCase on the wire).

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// `RateDto`: `amount` in minor units (cents): 4500 is 45.00.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rate {
    pub amount: i64,
    #[serde(default)]
    pub currency: Option<String>,
}

/// A membership of a user in a workspace or a project, with its own rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub user_id: String,
    #[serde(default)]
    pub target_id: Option<String>,
    #[serde(default)]
    pub membership_type: Option<String>,
    #[serde(default)]
    pub membership_status: Option<String>,
    #[serde(default)]
    pub hourly_rate: Option<Rate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct UserSettings {
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// `UserDtoV1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub active_workspace: Option<String>,
    #[serde(default)]
    pub default_workspace: Option<String>,
    #[serde(default)]
    pub settings: Option<UserSettings>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub memberships: Vec<Membership>,
}

/// `WorkspaceDtoV1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub hourly_rate: Option<Rate>,
    #[serde(default)]
    pub memberships: Vec<Membership>,
    #[serde(default)]
    pub subdomain: Option<serde_json::Value>,
    #[serde(default)]
    pub workspace_settings: Option<serde_json::Value>,
}

/// `ClientWithCurrencyDtoV1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub currency_code: Option<String>,
    #[serde(default)]
    pub workspace_id: Option<String>,
}

/// A project (`ProjectDtoImplV1`: with `clientId`/`clientName`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub billable: bool,
    #[serde(default)]
    pub hourly_rate: Option<Rate>,
    #[serde(default)]
    pub memberships: Vec<Membership>,
    #[serde(default)]
    pub archived: bool,
}

/// `TaskDtoV1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub billable: Option<bool>,
    #[serde(default)]
    pub hourly_rate: Option<Rate>,
    #[serde(default)]
    pub status: Option<String>,
}

/// A tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub archived: bool,
}

/// Core-host interval: `duration` is ISO 8601 (`PT1H30M`); both `end` and `duration` are null
/// while a timer runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeInterval {
    pub start: DateTime<Utc>,
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub duration: Option<String>,
}

/// `TimeEntryWithRatesDtoV1` (core host; also the body of time-entry webhooks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeEntry {
    pub id: String,
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub tag_ids: Option<Vec<String>>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub billable: bool,
    /// `REGULAR`, `BREAK`, `HOLIDAY`, `TIME_OFF`: only `REGULAR` is work to bill.
    #[serde(default, rename = "type")]
    pub entry_type: Option<String>,
    #[serde(default)]
    pub is_locked: bool,
    pub time_interval: TimeInterval,
    #[serde(default)]
    pub hourly_rate: Option<Rate>,
    #[serde(default)]
    pub cost_rate: Option<Rate>,
}

/// Reports-host interval: `duration` is an integer number of seconds and times carry the
/// offset of the request's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportInterval {
    pub start: DateTime<FixedOffset>,
    #[serde(default)]
    pub end: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub duration: Option<i64>,
}

/// One row of the detailed report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportEntry {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub user_email: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub project_name: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub task_name: Option<String>,
    #[serde(default)]
    pub tag_ids: Option<Vec<String>>,
    #[serde(default)]
    pub billable: bool,
    #[serde(default, rename = "type")]
    pub entry_type: Option<String>,
    pub time_interval: ReportInterval,
    /// Hourly rate in minor units.
    #[serde(default)]
    pub rate: Option<serde_json::Number>,
    /// Amount in minor units (may be fractional).
    #[serde(default)]
    pub amount: Option<serde_json::Number>,
    /// Present and non-empty once the entry is marked invoiced.
    #[serde(default)]
    pub invoicing_info: Option<serde_json::Value>,
}

impl ReportEntry {
    /// Marked invoiced in Clockify.
    pub fn is_invoiced(&self) -> bool {
        self.invoicing_info
            .as_ref()
            .and_then(|v| v.as_object())
            .is_some_and(|o| !o.is_empty())
    }
}

/// Body of the detailed report request (`DetailedReportFilterV1`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailedReportRequest {
    /// `yyyy-MM-ddTHH:mm:ss.SSS`, in `time_zone`.
    pub date_range_start: String,
    pub date_range_end: String,
    pub time_zone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable: Option<bool>,
    /// `INVOICED`, `UNINVOICED` or `ALL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoicing_state: Option<String>,
    pub detailed_filter: DetailedFilter,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_shown: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<String>,
}

/// Paging of the detailed report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailedFilter {
    pub page: u32,
    pub page_size: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<serde_json::Value>,
}

/// Answer of the detailed report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetailedReport {
    #[serde(default)]
    pub totals: Vec<serde_json::Value>,
    #[serde(default)]
    pub timeentries: Vec<ReportEntry>,
}

/// `PATCH …/time-entries/invoiced` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkInvoiced {
    pub time_entry_ids: Vec<String>,
    pub invoiced: bool,
}

/// `CreateWebhookRequestV1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebhook {
    pub name: String,
    pub url: String,
    pub webhook_event: String,
    pub trigger_source_type: String,
    pub trigger_source: Vec<String>,
}

/// `WebhookDtoV1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub workspace_id: Option<String>,
    pub webhook_event: String,
    #[serde(default)]
    pub trigger_source: Vec<String>,
    #[serde(default)]
    pub trigger_source_type: Option<String>,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub delivery_enabled: bool,
    #[serde(default)]
    pub plan_enabled: bool,
    /// The static token Clockify sends back as `Clockify-Signature`.
    #[serde(default)]
    pub auth_token: String,
}

/// Clockify's error body: `{"message": "...", "code": 501}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub code: Option<i64>,
}
