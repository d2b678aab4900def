//! A client of Clockify's REST API, written against the documented API.
//!
//! - Two base URLs: the core API (`https://api.clockify.me/api`, regional
//!   `https://euc1.clockify.me/api`) and the Reports API (`https://reports.api.clockify.me`,
//!   regional `https://euc1.clockify.me/report`); paths are appended as `/v1/…`.
//! - `X-Api-Key` authentication, exactly one auth header.
//! - Lists are bare JSON arrays paged with `page` (1-based) and `page-size`; the end is the
//!   `Last-Page: true` header, or a short page.
//! - Durations: ISO 8601 on the core host, integer seconds on the Reports host. Rates are
//!   minor units.
//! - Time filters of the per-user listing are read by Clockify as wall-clock time in the
//!   workspace's time zone: this client converts instants before sending them. The detailed
//!   report takes its own `timeZone`; this client sends `UTC`.

mod error;
pub mod model;
pub mod webhook;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use reqwest::{Method, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::ClockifyError;
use model::{
    Client, CreateWebhook, DetailedFilter, DetailedReport, DetailedReportRequest, ErrorBody,
    MarkInvoiced, Project, ReportEntry, Tag, Task, TimeEntry, User, Webhook, Workspace,
};

use crate::transport::{RequestRate, RetryPolicy, Transport};

/// Where Clockify answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Endpoints {
    /// Core API base, without `/v1`: `https://api.clockify.me/api`.
    pub api: String,
    /// Reports API base, without `/v1`: `https://reports.api.clockify.me`.
    pub reports: String,
}

impl Endpoints {
    /// The global servers.
    pub fn global() -> Endpoints {
        Endpoints {
            api: "https://api.clockify.me/api".into(),
            reports: "https://reports.api.clockify.me".into(),
        }
    }

    /// A regional server: `euc1` (EU), `use2` (USA), `euw2` (UK), `apse2` (AU).
    pub fn regional(region: &str) -> Endpoints {
        let r = region.trim().to_ascii_lowercase();
        Endpoints {
            api: format!("https://{r}.clockify.me/api"),
            reports: format!("https://{r}.clockify.me/report"),
        }
    }

    /// Both bases below one root (a sandbox, or a proxy): `{root}/api` and `{root}/report`.
    pub fn under(root: &str) -> Endpoints {
        let root = root.trim_end_matches('/');
        Endpoints {
            api: format!("{root}/api"),
            reports: format!("{root}/report"),
        }
    }
}

/// How to reach Clockify.
#[derive(Clone, Debug)]
pub struct Config {
    pub endpoints: Endpoints,
    pub api_key: String,
    /// Rows per page (Clockify's default is 50; the report is kept at 200 or less).
    pub page_size: u32,
    pub retry: RetryPolicy,
    /// Requests per second this client allows itself.
    pub rate: Option<RequestRate>,
}

impl Config {
    pub fn new(endpoints: Endpoints, api_key: impl Into<String>) -> Config {
        Config {
            endpoints,
            api_key: api_key.into(),
            page_size: 200,
            retry: RetryPolicy::default(),
            rate: Some(RequestRate {
                per_second: 10.0,
                burst: 10,
            }),
        }
    }
}

/// What to ask of the detailed report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportQuery {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub billable: Option<bool>,
    /// `INVOICED`, `UNINVOICED` or `ALL` (default).
    pub invoicing_state: Option<String>,
}

/// The Clockify client.
#[derive(Clone, Debug)]
pub struct ClockifyClient {
    config: Config,
    transport: Transport,
}

type Result<T> = std::result::Result<T, ClockifyError>;

struct Call<'a> {
    method: Method,
    base: &'a str,
    path: String,
    /// Named in errors.
    workspace: Option<&'a str>,
    query: Vec<(&'static str, String)>,
    body: Option<serde_json::Value>,
}

impl ClockifyClient {
    pub fn new(config: Config) -> Result<ClockifyClient> {
        let transport =
            Transport::new(config.retry, config.rate, "encaisse-clockify/1").map_err(|e| {
                ClockifyError::transport("client setup", None, &config.endpoints.api, e)
            })?;
        Ok(ClockifyClient { config, transport })
    }

    /// What the transport counted (requests, retries, 429s).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    fn endpoint_name(call: &Call<'_>) -> String {
        format!("{} {}", call.method, call.path)
    }

    async fn send(&self, call: &Call<'_>) -> Result<Response> {
        let url = format!("{}{}", call.base.trim_end_matches('/'), call.path);
        let key = self.config.api_key.clone();
        let resp = self
            .transport
            .send(|http| {
                let mut rb = http
                    .request(call.method.clone(), &url)
                    .header("X-Api-Key", &key)
                    .header("Accept", "application/json");
                if !call.query.is_empty() {
                    rb = rb.query(&call.query);
                }
                if let Some(b) = &call.body {
                    rb = rb.json(b);
                }
                rb
            })
            .await
            .map_err(|e| {
                ClockifyError::transport(&Self::endpoint_name(call), call.workspace, call.base, e)
            })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let text = resp.text().await.unwrap_or_default();
        let body: Option<ErrorBody> = serde_json::from_str(&text).ok();
        Err(ClockifyError::from_answer(
            &Self::endpoint_name(call),
            call.workspace,
            status.as_u16(),
            body.as_ref().and_then(|b| b.code),
            body.as_ref().map(|b| b.message.as_str()).unwrap_or(&text),
            self.config.retry.max_attempts,
        ))
    }

    async fn json<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T> {
        let resp = self.send(call).await?;
        let bytes = resp.bytes().await.map_err(|e| {
            ClockifyError::decode(&Self::endpoint_name(call), call.workspace, e.to_string())
        })?;
        serde_json::from_slice(&bytes).map_err(|e| {
            ClockifyError::decode(&Self::endpoint_name(call), call.workspace, e.to_string())
        })
    }

    /// Every page of a core-host list.
    async fn all_pages<T: DeserializeOwned>(
        &self,
        workspace: &str,
        path: String,
        mut query: Vec<(&'static str, String)>,
    ) -> Result<Vec<T>> {
        let size = self.config.page_size.max(1);
        query.push(("page-size", size.to_string()));
        let mut out = Vec::new();
        for page in 1u32.. {
            let mut q = query.clone();
            q.push(("page", page.to_string()));
            let call = Call {
                method: Method::GET,
                base: &self.config.endpoints.api,
                path: path.clone(),
                workspace: Some(workspace),
                query: q,
                body: None,
            };
            let resp = self.send(&call).await?;
            let last = resp
                .headers()
                .get("Last-Page")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.eq_ignore_ascii_case("true"));
            let bytes = resp.bytes().await.map_err(|e| {
                ClockifyError::decode(&Self::endpoint_name(&call), Some(workspace), e.to_string())
            })?;
            let rows: Vec<T> = serde_json::from_slice(&bytes).map_err(|e| {
                ClockifyError::decode(&Self::endpoint_name(&call), Some(workspace), e.to_string())
            })?;
            let short = rows.len() < size as usize;
            out.extend(rows);
            if last.unwrap_or(short) || short {
                break;
            }
        }
        Ok(out)
    }

    /// The key's user.
    pub async fn current_user(&self) -> Result<User> {
        self.json(&Call {
            method: Method::GET,
            base: &self.config.endpoints.api,
            path: "/v1/user".into(),
            workspace: None,
            query: vec![],
            body: None,
        })
        .await
    }

    /// The workspaces the key's user belongs to.
    pub async fn workspaces(&self) -> Result<Vec<Workspace>> {
        self.json(&Call {
            method: Method::GET,
            base: &self.config.endpoints.api,
            path: "/v1/workspaces".into(),
            workspace: None,
            query: vec![],
            body: None,
        })
        .await
    }

    /// One workspace, from the key's list (Clockify has no single-workspace GET for keys).
    pub async fn workspace(&self, id: &str) -> Result<Workspace> {
        let all = self.workspaces().await?;
        all.into_iter().find(|w| w.id == id).ok_or_else(|| {
            ClockifyError::from_answer(
                "GET /v1/workspaces",
                Some(id),
                404,
                None,
                "the key's user does not belong to this workspace",
                1,
            )
        })
    }

    pub async fn users(&self, workspace: &str) -> Result<Vec<User>> {
        self.all_pages(
            workspace,
            format!("/v1/workspaces/{workspace}/users"),
            vec![("memberships", "WORKSPACE".into())],
        )
        .await
    }

    /// Clients, archived ones included (`archived` omitted returns both).
    pub async fn clients(&self, workspace: &str) -> Result<Vec<Client>> {
        self.all_pages(
            workspace,
            format!("/v1/workspaces/{workspace}/clients"),
            vec![],
        )
        .await
    }

    /// Projects with their memberships and rates, archived ones included.
    pub async fn projects(&self, workspace: &str) -> Result<Vec<Project>> {
        self.all_pages(
            workspace,
            format!("/v1/workspaces/{workspace}/projects"),
            vec![("hydrated", "true".into())],
        )
        .await
    }

    pub async fn tasks(&self, workspace: &str, project: &str) -> Result<Vec<Task>> {
        self.all_pages(
            workspace,
            format!("/v1/workspaces/{workspace}/projects/{project}/tasks"),
            vec![],
        )
        .await
    }

    pub async fn tags(&self, workspace: &str) -> Result<Vec<Tag>> {
        self.all_pages(
            workspace,
            format!("/v1/workspaces/{workspace}/tags"),
            vec![],
        )
        .await
    }

    /// A user's entries started in `[start, end)`. Clockify reads the filter as wall-clock time
    /// in `zone` (the workspace's): the instants are converted before sending.
    pub async fn user_time_entries(
        &self,
        workspace: &str,
        user: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        zone: Tz,
    ) -> Result<Vec<TimeEntry>> {
        let wall = |t: DateTime<Utc>| {
            t.with_timezone(&zone)
                .naive_local()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        };
        self.all_pages(
            workspace,
            format!("/v1/workspaces/{workspace}/user/{user}/time-entries"),
            vec![("start", wall(start)), ("end", wall(end))],
        )
        .await
    }

    /// One entry (a deleted one answers an error).
    pub async fn time_entry(&self, workspace: &str, id: &str) -> Result<TimeEntry> {
        self.json(&Call {
            method: Method::GET,
            base: &self.config.endpoints.api,
            path: format!("/v1/workspaces/{workspace}/time-entries/{id}"),
            workspace: Some(workspace),
            query: vec![],
            body: None,
        })
        .await
    }

    /// Every row of the detailed report over `[start, end)`, all users, page after page;
    /// `progress` is told the rows read so far.
    pub async fn detailed_report(
        &self,
        workspace: &str,
        q: &ReportQuery,
        progress: &mut (dyn FnMut(usize) + Send),
    ) -> Result<Vec<ReportEntry>> {
        let size = self.config.page_size.clamp(1, 200);
        let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
        // The range end is inclusive in Clockify: stop one millisecond before `end`.
        let last = q.end - chrono::Duration::milliseconds(1);
        let mut out = Vec::new();
        for page in 1u32.. {
            let body = DetailedReportRequest {
                date_range_start: fmt(q.start),
                date_range_end: fmt(last),
                time_zone: "UTC".into(),
                billable: q.billable,
                invoicing_state: q.invoicing_state.clone(),
                detailed_filter: DetailedFilter {
                    page,
                    page_size: size,
                    sort_column: Some("ID".into()),
                    options: Some(serde_json::json!({ "totals": "EXCLUDE" })),
                },
                amount_shown: Some("EARNED".into()),
                export_type: Some("JSON".into()),
                sort_order: Some("ASCENDING".into()),
            };
            let call = Call {
                method: Method::POST,
                base: &self.config.endpoints.reports,
                path: format!("/v1/workspaces/{workspace}/reports/detailed"),
                workspace: Some(workspace),
                query: vec![],
                body: Some(serde_json::to_value(&body).map_err(|e| {
                    ClockifyError::decode("POST detailed report", Some(workspace), e.to_string())
                })?),
            };
            let report: DetailedReport = self.json(&call).await?;
            let n = report.timeentries.len();
            out.extend(report.timeentries);
            progress(out.len());
            if n < size as usize {
                break;
            }
        }
        Ok(out)
    }

    /// Marks entries invoiced (or not) in Clockify, in batches.
    pub async fn mark_invoiced(
        &self,
        workspace: &str,
        ids: &[String],
        invoiced: bool,
    ) -> Result<()> {
        let mut unique: Vec<String> = ids.to_vec();
        unique.sort();
        unique.dedup();
        for chunk in unique.chunks(500) {
            let body = MarkInvoiced {
                time_entry_ids: chunk.to_vec(),
                invoiced,
            };
            let call = Call {
                method: Method::PATCH,
                base: &self.config.endpoints.api,
                path: format!("/v1/workspaces/{workspace}/time-entries/invoiced"),
                workspace: Some(workspace),
                query: vec![],
                body: Some(serde_json::to_value(&body).map_err(|e| {
                    ClockifyError::decode("PATCH invoiced", Some(workspace), e.to_string())
                })?),
            };
            self.send(&call).await?;
        }
        Ok(())
    }

    /// Creates a webhook (its `auth_token` is the token Clockify will send back).
    pub async fn create_webhook(
        &self,
        workspace: &str,
        name: &str,
        url: &str,
        event: &str,
    ) -> Result<Webhook> {
        let body = CreateWebhook {
            name: name.into(),
            url: url.into(),
            webhook_event: event.into(),
            trigger_source_type: "WORKSPACE_ID".into(),
            trigger_source: vec![workspace.into()],
        };
        self.json(&Call {
            method: Method::POST,
            base: &self.config.endpoints.api,
            path: format!("/v1/workspaces/{workspace}/webhooks"),
            workspace: Some(workspace),
            query: vec![],
            body: Some(serde_json::to_value(&body).map_err(|e| {
                ClockifyError::decode("POST webhooks", Some(workspace), e.to_string())
            })?),
        })
        .await
    }
}

/// Seconds of a report row or a core entry interval.
pub fn entry_seconds(
    duration_iso: Option<&str>,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
) -> Option<i64> {
    duration_iso
        .and_then(crate::iso_duration::parse_seconds)
        .or_else(|| end.map(|e| (e - start).num_seconds()))
}
