//! The job runner: claims due rows of the job queue and the outbox, runs each by kind, and
//! completes it or records the failure (retried with backoff, or dead when retrying cannot
//! help). `encaisse serve` runs it embedded on SQLite; later issues add kinds here.

use std::fmt::Display;
use std::time::Duration;

use chrono::{DateTime, Utc};
use encaisse_store::queue::{Failure, Queue, Queued};
use rand::Rng;
use serde::Serialize;
use uuid::Uuid;

use crate::clockify_sync::{JOB_SYNC, JOB_WEBHOOK, OUTBOX_MARK_INVOICED};
use crate::{App, Result};

/// Why a job failed, and whether trying again can help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobFailure {
    pub message: String,
    pub permanent: bool,
}

impl JobFailure {
    pub fn retry(e: impl Display) -> JobFailure {
        JobFailure {
            message: e.to_string(),
            permanent: false,
        }
    }
    pub fn permanent(e: impl Display) -> JobFailure {
        JobFailure {
            message: e.to_string(),
            permanent: true,
        }
    }
}

/// What one pass of the runner did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct JobRunReport {
    pub completed: usize,
    pub failed: usize,
    /// `kind: outcome` of each job run, in order.
    pub outcomes: Vec<String>,
}

/// Rows claimed at most per pass, so that one pass ends.
const MAX_PER_PASS: usize = 500;

fn field<'a>(
    row: &'a Queued,
    v: &'a serde_json::Value,
    name: &str,
) -> std::result::Result<&'a str, JobFailure> {
    v.get(name).and_then(|x| x.as_str()).ok_or_else(|| {
        JobFailure::permanent(format!(
            "job {} ({}) has no `{name}` in its payload",
            row.id, row.kind
        ))
    })
}

impl App {
    /// Runs every job and outbox row due at `now`.
    pub async fn run_due_jobs(&self, worker: &str, now: DateTime<Utc>) -> Result<JobRunReport> {
        let mut report = JobRunReport::default();
        for q in [Queue::Jobs, Queue::Outbox] {
            for _ in 0..MAX_PER_PASS {
                let Some(row) = self
                    .store
                    .claim(q, worker, now, chrono::Duration::minutes(10))
                    .await?
                else {
                    break;
                };
                match self.run_job(&row).await {
                    Ok(outcome) => {
                        self.store.complete(q, &row.id, worker, self.now()).await?;
                        report.completed += 1;
                        report.outcomes.push(format!("{}: {outcome}", row.kind));
                    }
                    Err(f) => {
                        tracing::warn!(job = %row.id, kind = %row.kind, permanent = f.permanent, error = %f.message, "job failed");
                        let jitter = chrono::Duration::seconds(rand::rng().random_range(0..30));
                        self.store
                            .fail(
                                q,
                                &row.id,
                                worker,
                                Failure {
                                    message: &f.message,
                                    permanent: f.permanent,
                                    jitter,
                                },
                                self.now(),
                            )
                            .await?;
                        report.failed += 1;
                        report
                            .outcomes
                            .push(format!("{}: failed: {}", row.kind, f.message));
                    }
                }
            }
        }
        Ok(report)
    }

    async fn run_job(&self, row: &Queued) -> std::result::Result<String, JobFailure> {
        let payload: serde_json::Value =
            serde_json::from_str(&row.payload).map_err(JobFailure::permanent)?;
        let org = || {
            row.organization_id
                .as_deref()
                .and_then(|o| Uuid::parse_str(o).ok())
                .ok_or_else(|| JobFailure::permanent(format!("job {} has no organization", row.id)))
        };
        match row.kind.as_str() {
            JOB_WEBHOOK => {
                self.run_clockify_webhook(field(row, &payload, "event_id")?)
                    .await
            }
            OUTBOX_MARK_INVOICED => {
                let invoice = Uuid::parse_str(field(row, &payload, "invoice_id")?)
                    .map_err(JobFailure::permanent)?;
                self.run_mark_invoiced(org()?, invoice).await
            }
            JOB_SYNC => {
                let actor = crate::auth::Actor::system(org()?, "clockify-sync");
                let r = self
                    .sync_clockify(&actor, None, &|_| {})
                    .await
                    .map_err(JobFailure::retry)?;
                Ok(format!(
                    "{} entries read, {} new, {} updated, {} deleted",
                    r.entries_read, r.inserted, r.updated, r.deleted
                ))
            }
            crate::alerts::JOB_ALERTS => {
                let as_of = field(row, &payload, "as_of")?
                    .parse::<chrono::NaiveDate>()
                    .map_err(JobFailure::permanent)?;
                self.run_alerts_job(org()?, as_of)
                    .await
                    .map_err(JobFailure::retry)
            }
            other => Err(JobFailure::permanent(format!(
                "no handler for job kind `{other}`"
            ))),
        }
    }

    /// Runs due jobs every `poll` until `stop` completes.
    pub async fn run_worker(&self, worker: &str, poll: Duration, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            // The daily jobs (alerts) are enqueued once a day: their unique key carries the date.
            if let Err(e) = self.schedule_daily_alerts(self.now()).await {
                tracing::error!(error = %e, "the daily alert job could not be scheduled");
            }
            if let Err(e) = self.run_due_jobs(worker, self.now()).await {
                tracing::error!(error = %e, "the job runner could not reach the queue");
            }
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(poll) => {}
            }
        }
    }
}
