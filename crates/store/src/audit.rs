//! The tamper-evident audit trail.
//!
//! Events are appended per organization with a sequence number `seq` (1, 2, …) and the
//! SHA-256 of the previous event (`prev_hash`, 64 zeros for the first). `hash` covers every
//! field of the event, as stored, plus `prev_hash`. `audit_heads` remembers the last sequence
//! and hash, so deleting the newest events is detected too. [`Store::verify_audit_chain`]
//! recomputes everything and names the first event that does not fit.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Backend, Result, Store, StoreError, Tx};

/// The hash before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What to record.
#[derive(Clone, Debug)]
pub struct NewAuditEvent<'a> {
    pub organization_id: Uuid,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

/// A stored event.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct AuditEvent {
    pub organization_id: String,
    pub seq: i64,
    pub occurred_at: String,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    /// The hash this event must carry, from its own fields.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        // Length-prefixed fields: no two different events serialise to the same bytes.
        for field in [
            self.organization_id.as_str(),
            &self.seq.to_string(),
            &self.occurred_at,
            &self.actor,
            &self.action,
            &self.entity_type,
            &self.entity_id,
            self.before_json.as_deref().unwrap_or("\u{0}null"),
            self.after_json.as_deref().unwrap_or("\u{0}null"),
            &self.prev_hash,
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Outcome of a verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub organization_id: String,
    pub events: u64,
    /// `None` when the chain is intact.
    pub broken: Option<ChainBreak>,
}

/// The first place where the chain does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    pub seq: i64,
    pub kind: BreakKind,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The event's content no longer matches its hash.
    Altered,
    /// An event is missing (a gap in the sequence, or the newest ones deleted).
    Deleted,
    /// An event was inserted (its predecessor hash does not match the chain).
    Inserted,
}

impl Tx {
    /// Appends an event to the organization's chain. Call it in the transaction of the change
    /// it records.
    pub async fn append_audit(&mut self, e: NewAuditEvent<'_>) -> Result<AuditEvent> {
        let org = e.organization_id.to_string();
        let head: Option<(i64, String)> = match self.backend() {
            Backend::Postgres => on_conn!(self, c => {
                sqlx::query_as("SELECT last_seq, last_hash FROM audit_heads WHERE organization_id = $1 FOR UPDATE")
                    .bind(&org)
                    .fetch_optional(&mut *c)
                    .await?
            }),
            Backend::Sqlite => on_conn!(self, c => {
                sqlx::query_as("SELECT last_seq, last_hash FROM audit_heads WHERE organization_id = $1")
                    .bind(&org)
                    .fetch_optional(&mut *c)
                    .await?
            }),
        };
        let (seq, prev_hash) = match head {
            Some((s, h)) => (s + 1, h),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let mut event = AuditEvent {
            organization_id: org.clone(),
            seq,
            occurred_at: e.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            actor: e.actor.to_owned(),
            action: e.action.to_owned(),
            entity_type: e.entity_type.to_owned(),
            entity_id: e.entity_id.to_owned(),
            before_json: e.before.map(|v| v.to_string()),
            after_json: e.after.map(|v| v.to_string()),
            prev_hash,
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        on_conn!(self, c => {
            if seq == 1 {
                // Two first events racing on PostgreSQL: the primary key refuses the second.
                sqlx::query("INSERT INTO audit_heads (organization_id, last_seq, last_hash) VALUES ($1, $2, $3)")
                    .bind(&org).bind(seq).bind(&event.hash)
                    .execute(&mut *c).await?;
            } else {
                sqlx::query("UPDATE audit_heads SET last_seq = $2, last_hash = $3 WHERE organization_id = $1")
                    .bind(&org).bind(seq).bind(&event.hash)
                    .execute(&mut *c).await?;
            }
            sqlx::query(
                "INSERT INTO audit_events (organization_id, seq, occurred_at, actor, action, entity_type, \
                 entity_id, before_json, after_json, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&event.organization_id)
            .bind(event.seq)
            .bind(&event.occurred_at)
            .bind(&event.actor)
            .bind(&event.action)
            .bind(&event.entity_type)
            .bind(&event.entity_id)
            .bind(&event.before_json)
            .bind(&event.after_json)
            .bind(&event.prev_hash)
            .bind(&event.hash)
            .execute(&mut *c)
            .await?;
        });
        Ok(event)
    }

    /// Events of one entity, oldest first (an invoice's history).
    pub async fn audit_events_for(
        &mut self,
        organization_id: Uuid,
        entity_type: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditEvent>> {
        let org = organization_id.to_string();
        let rows = on_conn!(self, c => {
            sqlx::query_as::<_, AuditEvent>(
                "SELECT * FROM audit_events WHERE organization_id = $1 AND entity_type = $2 \
                 AND entity_id = $3 ORDER BY seq",
            )
            .bind(&org).bind(entity_type).bind(entity_id)
            .fetch_all(&mut *c).await?
        });
        Ok(rows)
    }
}

impl Store {
    /// Organizations that have an audit chain.
    pub async fn audited_organizations(&self) -> Result<Vec<String>> {
        let mut tx = self.read().await?;
        let orgs: Vec<String> = on_conn!(tx, c => {
            sqlx::query_scalar(
                "SELECT organization_id FROM audit_heads UNION SELECT DISTINCT organization_id FROM audit_events ORDER BY 1",
            )
            .fetch_all(&mut *c).await?
        });
        Ok(orgs)
    }

    /// Recomputes the chain of one organization, streaming in pages.
    pub async fn verify_audit_chain(&self, organization_id: &str) -> Result<ChainReport> {
        const PAGE: i64 = 5_000;
        let mut expected_seq = 1i64;
        let mut expected_prev = GENESIS_HASH.to_owned();
        let mut count = 0u64;
        let report = |broken: Option<ChainBreak>, count| ChainReport {
            organization_id: organization_id.to_owned(),
            events: count,
            broken,
        };
        loop {
            let mut tx = self.read().await?;
            let page: Vec<AuditEvent> = on_conn!(tx, c => {
                sqlx::query_as::<_, AuditEvent>(
                    "SELECT * FROM audit_events WHERE organization_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3",
                )
                .bind(organization_id).bind(expected_seq).bind(PAGE)
                .fetch_all(&mut *c).await?
            });
            tx.commit().await?;
            let done = (page.len() as i64) < PAGE;
            for ev in page {
                if ev.hash != ev.compute_hash() {
                    return Ok(report(
                        Some(ChainBreak {
                            seq: ev.seq,
                            kind: BreakKind::Altered,
                            detail: format!(
                                "event #{} ({} {} {}) does not match its hash: its content was changed after it was written",
                                ev.seq, ev.action, ev.entity_type, ev.entity_id
                            ),
                        }),
                        count,
                    ));
                }
                if ev.seq != expected_seq {
                    return Ok(report(
                        Some(ChainBreak {
                            seq: expected_seq,
                            kind: BreakKind::Deleted,
                            detail: format!(
                                "events #{expected_seq} to #{} are missing: they were deleted",
                                ev.seq - 1
                            ),
                        }),
                        count,
                    ));
                }
                if ev.prev_hash != expected_prev {
                    return Ok(report(
                        Some(ChainBreak {
                            seq: ev.seq,
                            kind: BreakKind::Inserted,
                            detail: format!(
                                "event #{} does not follow event #{}: it was inserted or replaced",
                                ev.seq,
                                ev.seq - 1
                            ),
                        }),
                        count,
                    ));
                }
                expected_prev = ev.hash;
                expected_seq += 1;
                count += 1;
            }
            if done {
                break;
            }
        }
        let mut tx = self.read().await?;
        let head: Option<(i64, String)> = on_conn!(tx, c => {
            sqlx::query_as("SELECT last_seq, last_hash FROM audit_heads WHERE organization_id = $1")
                .bind(organization_id)
                .fetch_optional(&mut *c).await?
        });
        tx.commit().await?;
        let last = expected_seq - 1;
        match head {
            Some((head_seq, _)) if head_seq > last => Ok(report(
                Some(ChainBreak {
                    seq: last + 1,
                    kind: BreakKind::Deleted,
                    detail: format!(
                        "the newest events #{} to #{head_seq} are missing: they were deleted",
                        last + 1
                    ),
                }),
                count,
            )),
            Some((head_seq, head_hash)) if head_seq == last && head_hash != expected_prev => {
                Ok(report(
                    Some(ChainBreak {
                        seq: last,
                        kind: BreakKind::Inserted,
                        detail: format!(
                            "event #{last} is not the event the chain recorded last: it was replaced"
                        ),
                    }),
                    count,
                ))
            }
            Some((head_seq, _)) if head_seq < last => Ok(report(
                Some(ChainBreak {
                    seq: head_seq + 1,
                    kind: BreakKind::Inserted,
                    detail: format!("events after #{head_seq} were added outside encaisse"),
                }),
                count,
            )),
            None if last > 0 => Err(StoreError::corrupt(format!(
                "organization {organization_id} has audit events but no chain head"
            ))),
            _ => Ok(report(None, count)),
        }
    }
}
