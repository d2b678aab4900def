//! Connections to third-party accounts: the account settings, which local client or project
//! an external one is, how far a sync got, and inbound webhook events.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::parse_uuid;
use crate::{Result, Tx};

/// A connected account (one per organization and connector).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConnectorAccount {
    pub organization_id: String,
    pub connector: String,
    pub workspace_id: String,
    pub api_base: String,
    pub reports_base: String,
    /// Sealed by the application's secret box (`enc:v1:…`); never in clear.
    pub api_key: String,
    /// SHA-256 (hex) of the token the service signs webhooks with.
    pub webhook_token_sha256: Option<String>,
    /// IANA time zone of the remote workspace.
    pub time_zone: String,
}

/// How far a connector's sync got.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct SyncState {
    pub synced_until: Option<DateTime<Utc>>,
    pub last_started_at: Option<DateTime<Utc>>,
    pub last_finished_at: Option<DateTime<Utc>>,
    pub last_report: Option<String>,
}

/// An inbound webhook as received.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookEvent {
    pub id: String,
    pub organization_id: String,
    pub connector: String,
    pub event_type: String,
    pub dedupe_key: String,
    pub payload: String,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
}

impl Tx {
    pub async fn upsert_connector_account(
        &mut self,
        a: &ConnectorAccount,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO connector_accounts (organization_id, connector, workspace_id, api_base, reports_base, api_key, \
                 webhook_token_sha256, time_zone, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) \
                 ON CONFLICT (organization_id, connector) DO UPDATE SET workspace_id = $3, api_base = $4, reports_base = $5, \
                 api_key = $6, webhook_token_sha256 = COALESCE($7, connector_accounts.webhook_token_sha256), time_zone = $8, updated_at = $9",
            )
            .bind(&a.organization_id).bind(&a.connector).bind(&a.workspace_id).bind(&a.api_base).bind(&a.reports_base)
            .bind(&a.api_key).bind(&a.webhook_token_sha256).bind(&a.time_zone).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn connector_account(
        &mut self,
        organization_id: Uuid,
        connector: &str,
    ) -> Result<Option<ConnectorAccount>> {
        let o = organization_id.to_string();
        Ok(on_conn!(self, c => {
            sqlx::query_as("SELECT organization_id, connector, workspace_id, api_base, reports_base, api_key, webhook_token_sha256, time_zone \
                            FROM connector_accounts WHERE organization_id = $1 AND connector = $2")
                .bind(&o).bind(connector).fetch_optional(&mut *c).await?
        }))
    }

    /// Sets the digest of the webhook token.
    pub async fn set_webhook_token(
        &mut self,
        organization_id: Uuid,
        connector: &str,
        sha256: &str,
    ) -> Result<()> {
        let o = organization_id.to_string();
        on_conn!(self, c => {
            sqlx::query("UPDATE connector_accounts SET webhook_token_sha256 = $3 WHERE organization_id = $1 AND connector = $2")
                .bind(&o).bind(connector).bind(sha256).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Links an external client or project to a local one (first link wins).
    pub async fn link_external(
        &mut self,
        organization_id: Uuid,
        source: &str,
        kind: &str,
        external_id: &str,
        local_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let o = organization_id.to_string();
        on_conn!(self, c => {
            sqlx::query("INSERT INTO external_links (organization_id, source, kind, external_id, local_id, created_at) \
                         VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (organization_id, source, kind, external_id) DO NOTHING")
                .bind(&o).bind(source).bind(kind).bind(external_id).bind(local_id.to_string()).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// External id → local id, for one source and kind.
    pub async fn external_links(
        &mut self,
        organization_id: Uuid,
        source: &str,
        kind: &str,
    ) -> Result<HashMap<String, Uuid>> {
        let o = organization_id.to_string();
        let rows: Vec<(String, String)> = on_conn!(self, c => {
            sqlx::query_as("SELECT external_id, local_id FROM external_links WHERE organization_id = $1 AND source = $2 AND kind = $3")
                .bind(&o).bind(source).bind(kind).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(e, l)| Ok((e, parse_uuid(&l)?)))
            .collect()
    }

    pub async fn sync_state(
        &mut self,
        organization_id: Uuid,
        connector: &str,
    ) -> Result<Option<SyncState>> {
        let o = organization_id.to_string();
        Ok(on_conn!(self, c => {
            sqlx::query_as("SELECT synced_until, last_started_at, last_finished_at, last_report FROM sync_states \
                            WHERE organization_id = $1 AND connector = $2")
                .bind(&o).bind(connector).fetch_optional(&mut *c).await?
        }))
    }

    pub async fn save_sync_state(
        &mut self,
        organization_id: Uuid,
        connector: &str,
        s: &SyncState,
    ) -> Result<()> {
        let o = organization_id.to_string();
        on_conn!(self, c => {
            sqlx::query("INSERT INTO sync_states (organization_id, connector, synced_until, last_started_at, last_finished_at, last_report) \
                         VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (organization_id, connector) DO UPDATE SET \
                         synced_until = $3, last_started_at = $4, last_finished_at = $5, last_report = $6")
                .bind(&o).bind(connector).bind(s.synced_until).bind(s.last_started_at).bind(s.last_finished_at).bind(&s.last_report)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Stores an inbound event; the same `dedupe_key` twice stores nothing and returns `false`.
    pub async fn insert_webhook_event(&mut self, e: &WebhookEvent) -> Result<bool> {
        let n = on_conn!(self, c => {
            sqlx::query("INSERT INTO webhook_events (id, organization_id, connector, event_type, dedupe_key, payload, received_at) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (dedupe_key) DO NOTHING")
                .bind(&e.id).bind(&e.organization_id).bind(&e.connector).bind(&e.event_type).bind(&e.dedupe_key)
                .bind(&e.payload).bind(e.received_at)
                .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn webhook_event(&mut self, id: &str) -> Result<Option<WebhookEvent>> {
        Ok(on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM webhook_events WHERE id = $1").bind(id).fetch_optional(&mut *c).await?
        }))
    }

    pub async fn finish_webhook_event(
        &mut self,
        id: &str,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("UPDATE webhook_events SET processed_at = $2, outcome = $3 WHERE id = $1")
                .bind(id).bind(now).bind(outcome).execute(&mut *c).await?;
        });
        Ok(())
    }
}
