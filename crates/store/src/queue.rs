//! The job queue and the outbox: two tables with the same claim semantics.
//!
//! `jobs` holds background work (syncs, reminders, imports); `outbox` holds messages to the
//! outside world (e-mails, webhooks, marks in third-party systems), written in the same
//! transaction as the state change they announce. Both are claimed with a lease: a worker
//! that dies leaves the row to be claimed again once `locked_until` passes. On PostgreSQL
//! claims use `FOR UPDATE SKIP LOCKED` so any number of workers share the queue; on SQLite the
//! single writer makes the claim atomic. Each row has a `unique_key`: enqueueing the same work
//! twice is a no-op.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{Backend, Result, Store, Tx};

/// Which of the two queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    Jobs,
    Outbox,
}

/// Something to enqueue.
#[derive(Clone, Debug)]
pub struct NewQueued<'a> {
    pub organization_id: Option<Uuid>,
    pub kind: &'a str,
    pub unique_key: &'a str,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i32,
}

/// A queued row.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Queued {
    pub id: String,
    pub organization_id: Option<String>,
    pub kind: String,
    pub unique_key: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why a claimed row failed.
#[derive(Clone, Copy, Debug)]
pub struct Failure<'a> {
    /// Stored as `last_error` (the server's answer, the exception…).
    pub message: &'a str,
    /// Retrying cannot help (a 5xx SMTP answer, a 4xx API error): no more attempts.
    pub permanent: bool,
    /// Added to the backoff so that many failures do not retry in lockstep.
    pub jitter: Duration,
}

/// Delay before retry `attempt` (1-based): 30 s, 1 min, 2 min, … capped at 6 h, plus the
/// caller's jitter.
pub fn backoff(attempt: i32, jitter: Duration) -> Duration {
    let exp = attempt.clamp(1, 20) - 1;
    let base = Duration::seconds(30) * 2i32.saturating_pow(exp as u32).min(720);
    base.min(Duration::hours(6)) + jitter
}

macro_rules! queue_sql {
    ($q:expr, $sql:literal) => {
        match $q {
            Queue::Jobs => sqlx::AssertSqlSafe(format!($sql, t = "jobs")),
            Queue::Outbox => sqlx::AssertSqlSafe(format!($sql, t = "outbox")),
        }
    };
}

impl Tx {
    /// Enqueues; returns `false` when a row with the same unique key already exists.
    pub async fn enqueue(
        &mut self,
        q: Queue,
        item: NewQueued<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let id = Uuid::now_v7().to_string();
        let org = item.organization_id.map(|o| o.to_string());
        let payload = item.payload.to_string();
        let sql = queue_sql!(
            q,
            "INSERT INTO {t} (id, organization_id, kind, unique_key, payload, status, attempts, \
             max_attempts, run_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $7, $8, $8) \
             ON CONFLICT (unique_key) DO NOTHING"
        );
        let n = on_conn!(self, c => {
            sqlx::query(sql)
                .bind(&id).bind(&org).bind(item.kind).bind(item.unique_key).bind(&payload)
                .bind(item.max_attempts).bind(item.run_at).bind(now)
                .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }
}

impl Store {
    /// Claims the next due row for `lease`, or `None`. Increments its attempt counter.
    pub async fn claim(
        &self,
        q: Queue,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<Queued>> {
        let until = now + lease;
        let mut tx = self.write().await?;
        let row = match tx.backend() {
            Backend::Postgres => {
                let sql = queue_sql!(
                    q,
                    "UPDATE {t} SET status = 'running', locked_by = $1, locked_until = $2, \
                     attempts = attempts + 1, updated_at = $3 WHERE id = (SELECT id FROM {t} \
                     WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) \
                     ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *"
                );
                on_conn!(tx, c => {
                    sqlx::query_as::<_, Queued>(sql).bind(worker).bind(until).bind(now)
                        .fetch_optional(&mut *c).await?
                })
            }
            Backend::Sqlite => {
                let sql = queue_sql!(
                    q,
                    "UPDATE {t} SET status = 'running', locked_by = $1, locked_until = $2, \
                     attempts = attempts + 1, updated_at = $3 WHERE id = (SELECT id FROM {t} \
                     WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) \
                     ORDER BY run_at, id LIMIT 1) RETURNING *"
                );
                on_conn!(tx, c => {
                    sqlx::query_as::<_, Queued>(sql).bind(worker).bind(until).bind(now)
                        .fetch_optional(&mut *c).await?
                })
            }
        };
        tx.commit().await?;
        Ok(row)
    }

    /// Marks a claimed row done. Only the worker holding the lease may do so; returns whether
    /// it did (a worker whose lease expired and was re-claimed gets `false`).
    pub async fn complete(
        &self,
        q: Queue,
        id: &str,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let sql = queue_sql!(
            q,
            "UPDATE {t} SET status = 'done', locked_by = NULL, locked_until = NULL, \
             last_error = NULL, updated_at = $3 WHERE id = $1 AND locked_by = $2 AND status = 'running'"
        );
        let n = on_conn!(tx, c => {
            sqlx::query(sql).bind(id).bind(worker).bind(now).execute(&mut *c).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Records a failure: retried after a backoff while attempts remain, else `dead`
    /// (`permanent` failures go to `dead` at once).
    pub async fn fail(
        &self,
        q: Queue,
        id: &str,
        worker: &str,
        f: Failure<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Failure {
            message: error,
            permanent,
            jitter,
        } = f;
        let mut tx = self.write().await?;
        let sel = queue_sql!(q, "SELECT * FROM {t} WHERE id = $1 AND locked_by = $2");
        let row = on_conn!(tx, c => {
            sqlx::query_as::<_, Queued>(sel).bind(id).bind(worker).fetch_optional(&mut *c).await?
        });
        if let Some(row) = row {
            let dead = permanent || row.attempts >= row.max_attempts;
            let status = if dead { "dead" } else { "queued" };
            let run_at = now + backoff(row.attempts, jitter);
            let upd = queue_sql!(
                q,
                "UPDATE {t} SET status = $2, run_at = $3, locked_by = NULL, locked_until = NULL, \
                 last_error = $4, updated_at = $5 WHERE id = $1"
            );
            on_conn!(tx, c => {
                sqlx::query(upd).bind(id).bind(status).bind(run_at).bind(error).bind(now)
                    .execute(&mut *c).await?;
            });
        }
        tx.commit().await?;
        Ok(())
    }

    /// Rows of a queue by status (for operators and tests).
    pub async fn queued(&self, q: Queue, status: Option<&str>) -> Result<Vec<Queued>> {
        let mut tx = self.read().await?;
        let sql = queue_sql!(
            q,
            "SELECT * FROM {t} WHERE ($1 IS NULL OR status = $1) ORDER BY created_at, id"
        );
        let rows = on_conn!(tx, c => {
            sqlx::query_as::<_, Queued>(sql).bind(status).fetch_all(&mut *c).await?
        });
        tx.commit().await?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let z = Duration::zero();
        assert_eq!(backoff(1, z), Duration::seconds(30));
        assert_eq!(backoff(2, z), Duration::seconds(60));
        assert_eq!(backoff(5, z), Duration::seconds(480));
        assert_eq!(backoff(30, z), Duration::hours(6));
    }
}
