//! Clockify: connecting a workspace, syncing its clients, projects, rates and hours,
//! receiving its webhooks, and marking billed entries invoiced there.
//!
//! - The sync reads the workspace's rates, clients and projects (linking them to encaisse's
//!   by external id, or by name on first sight, creating what is missing), then the
//!   detailed report over a window: entries created or changed are upserted, entries of the
//!   window that Clockify no longer has are deleted here — or, when already billed, flagged
//!   for review and never altered.
//! - A webhook is checked (static token, constant-time digest comparison), stored, and a job
//!   applies it; the HTTP answer does not wait for the work.
//! - Issuing an invoice writes an outbox row in the issuing transaction; a worker PATCHes
//!   Clockify's `time-entries/invoiced` and records each batch, so a retry resends only what
//!   was not acknowledged.

mod entries;
mod mapping;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use encaisse_connectors::clockify::{ClockifyClient, ClockifyError, Config, Endpoints, webhook};
use encaisse_core::role::Permission;
use encaisse_store::Tx;
use encaisse_store::connectors::ConnectorAccount;
use encaisse_store::queue::{NewQueued, Queue};
use serde::Serialize;
use uuid::Uuid;

pub use encaisse_connectors::clockify::webhook::{EVENT_TYPE_HEADER, SIGNATURE_HEADER};

use crate::auth::Actor;
use crate::jobs::JobFailure;
use crate::secrets::{Purpose, is_sealed};
use crate::{App, AppError, Result};

/// Connector name in the store.
pub const CLOCKIFY: &str = "clockify";
/// Job kinds.
pub const JOB_WEBHOOK: &str = "clockify.webhook";
pub const JOB_SYNC: &str = "clockify.sync";
pub const OUTBOX_MARK_INVOICED: &str = "clockify.mark_invoiced";

/// How far back a sync looks when it has synced before: entries can be edited in the past.
pub const LOOKBACK_DAYS: i64 = 62;
/// How far back the first sync looks.
pub const FIRST_SYNC_DAYS: i64 = 190;

/// A workspace to connect.
#[derive(Clone, Debug)]
pub struct ClockifyConnection {
    pub workspace_id: String,
    pub endpoints: Endpoints,
    pub api_key: String,
}

/// What a sync did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SyncReport {
    pub workspace: String,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub clients_created: Vec<String>,
    pub clients_linked: Vec<String>,
    pub projects_created: Vec<String>,
    pub projects_linked: Vec<String>,
    pub entries_read: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deleted: usize,
    /// Billed entries changed or deleted in Clockify: flagged, not altered.
    pub flagged_for_review: usize,
    /// Running timers, breaks and time off: not work to bill.
    pub not_work: usize,
    /// Entries without a project (or of a project without a client).
    pub unmapped: usize,
    pub requests: u64,
    pub throttled: u64,
}

/// Where a sync is, for progress bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncProgress {
    /// Reference data (clients, projects, rates) being read.
    Mapping,
    /// Report rows read so far.
    Reading(usize),
    /// Entries written out of the total.
    Writing { done: usize, total: usize },
}

/// A webhook as accepted.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReceivedWebhook {
    pub event_id: String,
    /// The same event was already received (redelivery).
    pub duplicate: bool,
}

pub(crate) fn client_for(a: &ConnectorAccount) -> Result<ClockifyClient> {
    let cfg = Config::new(
        Endpoints {
            api: a.api_base.clone(),
            reports: a.reports_base.clone(),
        },
        a.api_key.clone(),
    );
    ClockifyClient::new(cfg).map_err(|e| AppError::Conflict(e.to_string()))
}

fn remote(e: ClockifyError) -> AppError {
    AppError::Conflict(e.to_string())
}

impl App {
    pub(crate) async fn clockify_account(&self, organization_id: Uuid) -> Result<ConnectorAccount> {
        let mut tx = self.store.read().await?;
        let a = tx.connector_account(organization_id, CLOCKIFY).await?;
        tx.commit().await?;
        let mut a = a.ok_or_else(|| {
            AppError::Conflict(
                "no Clockify workspace is connected to this organization: run `encaisse sync connect-clockify` first".into(),
            )
        })?;
        let secrets = self.secrets()?;
        let stored = std::mem::take(&mut a.api_key);
        a.api_key = secrets.open(organization_id, Purpose::ClockifyApiKey, &stored)?;
        if !is_sealed(&stored) {
            // Stored in clear by an earlier version: seal it now.
            let mut sealed = a.clone();
            sealed.api_key = secrets.seal(organization_id, Purpose::ClockifyApiKey, &a.api_key)?;
            let mut tx = self.store.write().await?;
            tx.upsert_connector_account(&sealed, self.now()).await?;
            tx.commit().await?;
        }
        Ok(a)
    }

    /// Connects (or reconnects) a workspace: checks the key, the region and the workspace,
    /// then stores the connection.
    pub async fn connect_clockify(&self, actor: &Actor, c: &ClockifyConnection) -> Result<String> {
        actor.require(Permission::ManageOrganization, "connect Clockify")?;
        let client = ClockifyClient::new(Config::new(c.endpoints.clone(), c.api_key.clone()))
            .map_err(remote)?;
        let ws = client.workspace(&c.workspace_id).await.map_err(remote)?;
        let zone = ws
            .workspace_settings
            .as_ref()
            .and_then(|s| s.get("timeZone"))
            .and_then(|v| v.as_str())
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
            .unwrap_or(self.config.timezone());
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.upsert_connector_account(
            &ConnectorAccount {
                organization_id: actor.organization_id.to_string(),
                connector: CLOCKIFY.into(),
                workspace_id: c.workspace_id.clone(),
                api_base: c.endpoints.api.clone(),
                reports_base: c.endpoints.reports.clone(),
                api_key: self.secrets()?.seal(
                    actor.organization_id,
                    Purpose::ClockifyApiKey,
                    &c.api_key,
                )?,
                webhook_token_sha256: None,
                time_zone: zone.name().to_owned(),
            },
            now,
        )
        .await?;
        tx.append_audit(encaisse_store::audit::NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "clockify.connected",
            entity_type: "organization",
            entity_id: &actor.organization_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "workspace": ws.name, "workspace_id": ws.id, "api": c.endpoints.api })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(ws.name)
    }

    /// Creates Clockify webhooks for time-entry events towards
    /// `{public_base}/webhooks/clockify/{organization id}` and keeps their tokens' digests.
    pub async fn register_clockify_webhooks(
        &self,
        actor: &Actor,
        public_base: &str,
    ) -> Result<usize> {
        actor.require(Permission::ManageOrganization, "register webhooks")?;
        let account = self.clockify_account(actor.organization_id).await?;
        let client = client_for(&account)?;
        let url = format!(
            "{}/webhooks/clockify/{}",
            public_base.trim_end_matches('/'),
            actor.organization_id
        );
        let mut digests = Vec::new();
        for (i, event) in ["NEW_TIME_ENTRY", "TIME_ENTRY_UPDATED", "TIME_ENTRY_DELETED"]
            .iter()
            .enumerate()
        {
            let hook = client
                .create_webhook(&account.workspace_id, &format!("encaisse-{i}"), &url, event)
                .await
                .map_err(remote)?;
            digests.push(webhook::token_digest(&hook.auth_token));
        }
        let mut tx = self.store.write().await?;
        tx.set_webhook_token(actor.organization_id, CLOCKIFY, &digests.join(","))
            .await?;
        tx.commit().await?;
        Ok(digests.len())
    }

    /// Syncs the connected workspace; see the module doc. `since` overrides the window start.
    pub async fn sync_clockify(
        &self,
        actor: &Actor,
        since: Option<NaiveDate>,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> Result<SyncReport> {
        actor.require(Permission::EditDrafts, "sync Clockify")?;
        let account = self.clockify_account(actor.organization_id).await?;
        let client = client_for(&account)?;
        let now = self.now();
        let state = {
            let mut tx = self.store.read().await?;
            let s = tx.sync_state(actor.organization_id, CLOCKIFY).await?;
            tx.commit().await?;
            s
        };
        let tz: chrono_tz::Tz = account.time_zone.parse().unwrap_or(self.config.timezone());
        let from = match (since, state.as_ref().and_then(|s| s.synced_until)) {
            (Some(d), _) => tz
                .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(now),
            (None, Some(until)) => until - Duration::days(LOOKBACK_DAYS),
            (None, None) => now - Duration::days(FIRST_SYNC_DAYS),
        };
        progress(SyncProgress::Mapping);
        let mut report = SyncReport {
            from: Some(from),
            to: Some(now),
            ..SyncReport::default()
        };
        let maps = self
            .sync_clockify_mapping(actor, &account, &client, &mut report)
            .await?;
        let rows = client
            .detailed_report(
                &account.workspace_id,
                &encaisse_connectors::clockify::ReportQuery {
                    start: from,
                    end: now,
                    billable: None,
                    invoicing_state: None,
                },
                &mut |n| progress(SyncProgress::Reading(n)),
            )
            .await
            .map_err(remote)?;
        self.sync_clockify_entries(actor, &maps, rows, (from, now), &mut report, progress)
            .await?;
        let stats = &client.transport().stats;
        report.requests = stats.requests.load(std::sync::atomic::Ordering::Relaxed);
        report.throttled = stats.throttled.load(std::sync::atomic::Ordering::Relaxed);
        let mut tx = self.store.write().await?;
        tx.save_sync_state(
            actor.organization_id,
            CLOCKIFY,
            &encaisse_store::connectors::SyncState {
                synced_until: Some(now),
                last_started_at: Some(now),
                last_finished_at: Some(self.now()),
                last_report: serde_json::to_string(&report).ok(),
            },
        )
        .await?;
        tx.append_audit(encaisse_store::audit::NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "clockify.synced",
            entity_type: "organization",
            entity_id: &actor.organization_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "workspace": report.workspace, "from": from, "to": now, "read": report.entries_read,
                "inserted": report.inserted, "updated": report.updated, "deleted": report.deleted,
                "flagged_for_review": report.flagged_for_review, "clients_created": report.clients_created.len(),
                "clients_linked": report.clients_linked.len(), "projects_created": report.projects_created.len(),
                "projects_linked": report.projects_linked.len(),
            })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(report)
    }
}

/// Writes the "mark invoiced in Clockify" outbox row when an issued invoice bills Clockify
/// entries (called inside the issuing transaction). Returns whether a row was written.
pub(crate) async fn enqueue_mark_invoiced(
    tx: &mut Tx,
    organization_id: Uuid,
    invoice_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool> {
    let entries = tx.invoiced_entries(organization_id, invoice_id).await?;
    let any = entries.iter().any(|e| {
        e.source == encaisse_core::time_entry::TimeSource::Clockify && !e.marked_at_source
    });
    if !any {
        return Ok(false);
    }
    let key = format!("{OUTBOX_MARK_INVOICED}:{invoice_id}");
    Ok(tx
        .enqueue(
            Queue::Outbox,
            NewQueued {
                organization_id: Some(organization_id),
                kind: OUTBOX_MARK_INVOICED,
                unique_key: &key,
                payload: serde_json::json!({ "invoice_id": invoice_id }),
                run_at: now,
                max_attempts: 12,
            },
            now,
        )
        .await?)
}

impl App {
    /// The outbox worker's half: marks an invoice's Clockify entries invoiced there, batch
    /// by batch, recording each acknowledged batch.
    pub(crate) async fn run_mark_invoiced(
        &self,
        organization_id: Uuid,
        invoice_id: Uuid,
    ) -> std::result::Result<String, JobFailure> {
        let account = self
            .clockify_account(organization_id)
            .await
            .map_err(JobFailure::permanent)?;
        let client = client_for(&account).map_err(JobFailure::permanent)?;
        let pending: Vec<_> = {
            let mut tx = self.store.read().await.map_err(JobFailure::retry)?;
            let e = tx
                .invoiced_entries(organization_id, invoice_id)
                .await
                .map_err(JobFailure::retry)?;
            tx.commit().await.map_err(JobFailure::retry)?;
            e.into_iter()
                .filter(|e| {
                    e.source == encaisse_core::time_entry::TimeSource::Clockify
                        && !e.marked_at_source
                })
                .collect()
        };
        let total = pending.len();
        for batch in pending.chunks(500) {
            let ids: Vec<String> = batch.iter().map(|e| e.external_id.clone()).collect();
            client
                .mark_invoiced(&account.workspace_id, &ids, true)
                .await
                .map_err(|e| {
                    if e.is_permanent() {
                        JobFailure::permanent(e)
                    } else {
                        JobFailure::retry(e)
                    }
                })?;
            let local: Vec<Uuid> = batch.iter().map(|e| e.id).collect();
            let mut tx = self.store.write().await.map_err(JobFailure::retry)?;
            tx.mark_invoiced_at_source(organization_id, &local, self.now())
                .await
                .map_err(JobFailure::retry)?;
            tx.commit().await.map_err(JobFailure::retry)?;
        }
        Ok(format!("{total} entries marked invoiced in Clockify"))
    }
}
