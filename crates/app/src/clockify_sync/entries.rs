//! Clockify time entries into encaisse: the sync's upserts and deletions, and the webhooks.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use encaisse_connectors::clockify::model::{ReportEntry, TimeEntry};
use encaisse_connectors::clockify::{entry_seconds, webhook};
use encaisse_core::time_entry::TimeSource;
use encaisse_store::Tx;
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::connectors::WebhookEvent;
use encaisse_store::queue::{NewQueued, Queue};
use encaisse_store::time_sync::{SourceEntry, UpsertOutcome};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::mapping::{Maps, money};
use super::{CLOCKIFY, JOB_SYNC, JOB_WEBHOOK, ReceivedWebhook, SyncProgress, SyncReport};
use crate::auth::Actor;
use crate::jobs::JobFailure;
use crate::{App, AppError, Result};

fn report_entry(
    org: Uuid,
    maps: &Maps,
    r: ReportEntry,
    report: &mut SyncReport,
) -> Option<SourceEntry> {
    let regular = r.entry_type.as_deref().is_none_or(|t| t == "REGULAR");
    let Some(seconds) = r
        .time_interval
        .duration
        .filter(|_| r.time_interval.end.is_some())
    else {
        report.not_work += 1;
        return None;
    };
    if !regular {
        report.not_work += 1;
        return None;
    }
    let Some(project_id) = r
        .project_id
        .as_ref()
        .and_then(|p| maps.projects.get(p))
        .copied()
    else {
        report.unmapped += 1;
        return None;
    };
    let rate = r
        .rate
        .as_ref()
        .and_then(|n| n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)))
        .filter(|c| *c > 0)
        .map(|cents| encaisse_core::Money::from_minor(cents, maps.currency));
    Some(SourceEntry {
        organization_id: org,
        project_id,
        source: TimeSource::Clockify,
        user_name: r
            .user_name
            .clone()
            .or_else(|| r.user_email.clone())
            .or_else(|| r.user_id.clone())
            .unwrap_or_default(),
        user_ref: r.user_id,
        task_name: r.task_name,
        task_ref: r.task_id,
        description: r.description,
        started_at: r.time_interval.start.with_timezone(&Utc),
        duration_seconds: seconds,
        billable: r.billable,
        hourly_rate: rate,
        invoiced_at_source: r
            .invoicing_info
            .as_ref()
            .and_then(|v| v.as_object())
            .is_some_and(|o| !o.is_empty()),
        external_id: r.id,
    })
}

async fn audit_flag(
    tx: &mut Tx,
    actor: &str,
    org: Uuid,
    entry: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    tx.append_audit(NewAuditEvent {
        organization_id: org,
        actor,
        action: "time_entry.flagged_for_review",
        entity_type: "time_entry",
        entity_id: entry,
        before: None,
        after: Some(serde_json::json!({ "reason": reason, "source": CLOCKIFY })),
        at,
    })
    .await?;
    Ok(())
}

impl App {
    pub(crate) async fn sync_clockify_entries(
        &self,
        actor: &Actor,
        maps: &Maps,
        rows: Vec<ReportEntry>,
        window: (DateTime<Utc>, DateTime<Utc>),
        report: &mut SyncReport,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> Result<()> {
        let org = actor.organization_id;
        report.entries_read = rows.len();
        let seen: HashSet<String> = rows.iter().map(|r| r.id.clone()).collect();
        let entries: Vec<SourceEntry> = rows
            .into_iter()
            .filter_map(|r| report_entry(org, maps, r, report))
            .collect();
        let total = entries.len();
        for (n, chunk) in entries.chunks(500).enumerate() {
            let now = self.now();
            let mut tx = self.store.write().await?;
            for e in chunk {
                match tx.upsert_source_entry(e, now).await? {
                    UpsertOutcome::Inserted => report.inserted += 1,
                    UpsertOutcome::Updated => report.updated += 1,
                    UpsertOutcome::Unchanged => report.unchanged += 1,
                    UpsertOutcome::FlaggedForReview => {
                        report.flagged_for_review += 1;
                        audit_flag(
                            &mut tx,
                            &actor.label,
                            org,
                            &e.external_id,
                            "changed_at_source",
                            now,
                        )
                        .await?;
                    }
                }
            }
            tx.commit().await?;
            progress(SyncProgress::Writing {
                done: (n * 500 + chunk.len()).min(total),
                total,
            });
        }
        // What Clockify no longer has in the window was deleted there.
        let known = {
            let mut tx = self.store.read().await?;
            let k = tx
                .source_entries_in_window(org, TimeSource::Clockify, window.0, window.1)
                .await?;
            tx.commit().await?;
            k
        };
        let gone: Vec<_> = known
            .into_iter()
            .filter(|k| !k.deleted && !seen.contains(&k.external_id))
            .collect();
        for chunk in gone.chunks(500) {
            let now = self.now();
            let mut tx = self.store.write().await?;
            for k in chunk {
                if tx.mark_deleted_at_source(org, k.id, now).await? {
                    report.flagged_for_review += 1;
                    audit_flag(
                        &mut tx,
                        &actor.label,
                        org,
                        &k.external_id,
                        "deleted_at_source",
                        now,
                    )
                    .await?;
                } else {
                    report.deleted += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Accepts a Clockify webhook for an organization (its id or slug): checks the token in
    /// constant time, stores the event and queues the job that applies it.
    pub async fn receive_clockify_webhook(
        &self,
        organization: &str,
        signature: Option<&str>,
        event_type: Option<&str>,
        body: &[u8],
    ) -> Result<ReceivedWebhook> {
        let Some(sig) = signature.map(str::trim).filter(|s| !s.is_empty()) else {
            return Err(AppError::Unauthenticated(
                "send the webhook's token in the Clockify-Signature header",
            ));
        };
        let not_found = || AppError::NotFound {
            entity: "webhook receiver",
            id: organization.to_owned(),
        };
        let mut tx = self.store.read().await?;
        let org_id = match Uuid::parse_str(organization) {
            Ok(id) => id,
            Err(_) => {
                tx.organization_by_slug(organization)
                    .await?
                    .ok_or_else(not_found)?
                    .id
            }
        };
        let account = tx
            .connector_account(org_id, CLOCKIFY)
            .await?
            .ok_or_else(not_found)?;
        tx.commit().await?;
        let digests = account.webhook_token_sha256.unwrap_or_default();
        // Compare with every registered token, always all of them.
        let ok = digests
            .split(',')
            .filter(|d| !d.is_empty())
            .fold(false, |acc, d| webhook::token_matches(d, sig) | acc);
        if !ok {
            return Err(AppError::Unauthenticated(
                "the Clockify-Signature header does not carry this organization's webhook token",
            ));
        }
        let event_type = event_type.filter(|e| !e.trim().is_empty()).ok_or_else(|| {
            AppError::invalid("Clockify-Webhook-Event-Type", "the header is missing")
        })?;
        let json: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| AppError::invalid("body", format!("not JSON: {e}")))?;
        if json.get("id").and_then(|v| v.as_str()).is_none() {
            return Err(AppError::invalid(
                "body",
                "a Clockify entity with an `id` was expected",
            ));
        }
        let mut h = Sha256::new();
        h.update(event_type.as_bytes());
        h.update(b"\n");
        h.update(body);
        let event = WebhookEvent {
            id: Uuid::now_v7().to_string(),
            organization_id: org_id.to_string(),
            connector: CLOCKIFY.into(),
            event_type: event_type.to_owned(),
            dedupe_key: format!("{CLOCKIFY}:{}", hex::encode(h.finalize())),
            payload: String::from_utf8_lossy(body).into_owned(),
            received_at: self.now(),
            processed_at: None,
            outcome: None,
        };
        let now = self.now();
        let mut tx = self.store.write().await?;
        let fresh = tx.insert_webhook_event(&event).await?;
        if fresh {
            tx.enqueue(
                Queue::Jobs,
                NewQueued {
                    organization_id: Some(org_id),
                    kind: JOB_WEBHOOK,
                    unique_key: &format!("{JOB_WEBHOOK}:{}", event.id),
                    payload: serde_json::json!({ "event_id": event.id }),
                    run_at: now,
                    max_attempts: 8,
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ReceivedWebhook {
            event_id: event.id,
            duplicate: !fresh,
        })
    }

    /// The job's half of a webhook: applies the event to the entry it names.
    pub(crate) async fn run_clockify_webhook(
        &self,
        event_id: &str,
    ) -> std::result::Result<String, JobFailure> {
        let r = |e: AppError| JobFailure::retry(e);
        let mut tx = self.store.read().await.map_err(|e| r(e.into()))?;
        let event = tx.webhook_event(event_id).await.map_err(|e| r(e.into()))?;
        tx.commit().await.map_err(|e| r(e.into()))?;
        let Some(event) = event else {
            return Err(JobFailure::permanent(format!(
                "webhook event {event_id} is not stored"
            )));
        };
        if event.processed_at.is_some() {
            return Ok("already applied".into());
        }
        let org = Uuid::parse_str(&event.organization_id).map_err(JobFailure::permanent)?;
        let now = self.now();
        let actor = format!("system:{CLOCKIFY}-webhook");
        let mut tx = self.store.write().await.map_err(|e| r(e.into()))?;
        let outcome = self
            .apply_webhook(&mut tx, org, &event, &actor, now)
            .await
            .map_err(r)?;
        tx.finish_webhook_event(event_id, &outcome, now)
            .await
            .map_err(|e| r(e.into()))?;
        tx.append_audit(NewAuditEvent {
            organization_id: org,
            actor: &actor,
            action: "clockify.webhook_applied",
            entity_type: "webhook_event",
            entity_id: event_id,
            before: None,
            after: Some(serde_json::json!({ "event": event.event_type, "outcome": outcome })),
            at: now,
        })
        .await
        .map_err(|e| r(e.into()))?;
        tx.commit().await.map_err(|e| r(e.into()))?;
        Ok(outcome)
    }

    async fn apply_webhook(
        &self,
        tx: &mut Tx,
        org: Uuid,
        event: &WebhookEvent,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let json: serde_json::Value =
            serde_json::from_str(&event.payload).map_err(|e| AppError::invalid("payload", e))?;
        let id = json
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        if event.event_type == "TIME_ENTRY_DELETED" {
            return Ok(
                match tx.source_entry(org, TimeSource::Clockify, &id).await? {
                    Some(k) if !k.deleted => {
                        if tx.mark_deleted_at_source(org, k.id, now).await? {
                            audit_flag(tx, actor, org, &id, "deleted_at_source", now).await?;
                            format!(
                                "entry {id} deleted in Clockify after billing: flagged for review"
                            )
                        } else {
                            format!("entry {id} deleted")
                        }
                    }
                    _ => format!("entry {id} unknown or already deleted"),
                },
            );
        }
        if !webhook::TIME_ENTRY_EVENTS.contains(&event.event_type.as_str()) {
            return Ok(format!("event {} ignored", event.event_type));
        }
        let e: TimeEntry =
            serde_json::from_value(json.clone()).map_err(|e| AppError::invalid("payload", e))?;
        let seconds = entry_seconds(
            e.time_interval.duration.as_deref(),
            e.time_interval.start,
            e.time_interval.end,
        );
        let regular = e.entry_type.as_deref().is_none_or(|t| t == "REGULAR");
        let (Some(seconds), true) = (seconds.filter(|_| e.time_interval.end.is_some()), regular)
        else {
            return Ok(format!(
                "entry {id} is not finished work (timer running, break or time off)"
            ));
        };
        let links: HashMap<String, Uuid> = tx.external_links(org, CLOCKIFY, "project").await?;
        let Some(project_id) = e.project_id.as_ref().and_then(|p| links.get(p)).copied() else {
            let key = format!("{JOB_SYNC}:{org}:{}", now.format("%Y-%m-%dT%H"));
            tx.enqueue(
                Queue::Jobs,
                NewQueued {
                    organization_id: Some(org),
                    kind: JOB_SYNC,
                    unique_key: &key,
                    payload: serde_json::json!({ "organization_id": org }),
                    run_at: now,
                    max_attempts: 5,
                },
                now,
            )
            .await?;
            return Ok(format!(
                "entry {id} is on a project not synced yet: a full sync is queued"
            ));
        };
        let org_currency = tx.organization(org).await?.currency;
        let name = |k: &str| {
            json.get(k)
                .and_then(|v| v.get("name"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let entry = SourceEntry {
            organization_id: org,
            project_id,
            source: TimeSource::Clockify,
            external_id: id.clone(),
            user_name: name("user")
                .or_else(|| e.user_id.clone())
                .unwrap_or_default(),
            user_ref: e.user_id.clone(),
            task_name: name("task"),
            task_ref: e.task_id.clone(),
            description: e.description.clone(),
            started_at: e.time_interval.start,
            duration_seconds: seconds,
            billable: e.billable,
            hourly_rate: e
                .hourly_rate
                .as_ref()
                .filter(|r| r.amount > 0)
                .map(|r| money(r, org_currency)),
            invoiced_at_source: false,
        };
        Ok(match tx.upsert_source_entry(&entry, now).await? {
            UpsertOutcome::Inserted => format!("entry {id} added"),
            UpsertOutcome::Updated => format!("entry {id} updated"),
            UpsertOutcome::Unchanged => format!("entry {id} unchanged"),
            UpsertOutcome::FlaggedForReview => {
                audit_flag(tx, actor, org, &id, "changed_at_source", now).await?;
                format!("entry {id} changed in Clockify after billing: flagged for review")
            }
        })
    }
}
