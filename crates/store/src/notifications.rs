//! In-app notifications (a draft waits for you, yours was rejected…), the members of an
//! organization, and the interface language a user chose.

use chrono::{DateTime, Utc};
use encaisse_core::role::Role;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::User;
use crate::organizations::parse_uuid;
use crate::{Result, StoreError, Tx};

/// Something to tell a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Uuid,
    /// `approval_requested`, `invoice_rejected`, `invoice_approved`.
    pub kind: String,
    pub invoice_id: Option<Uuid>,
    /// JSON with what the text needs (number, client, amount, comment, by).
    pub payload: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    user_id: String,
    kind: String,
    invoice_id: Option<String>,
    payload: String,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl TryFrom<Row> for Notification {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Notification> {
        Ok(Notification {
            id: parse_uuid(&r.id)?,
            user_id: parse_uuid(&r.user_id)?,
            kind: r.kind,
            invoice_id: r.invoice_id.as_deref().map(parse_uuid).transpose()?,
            payload: r.payload,
            created_at: r.created_at,
            read_at: r.read_at,
        })
    }
}

impl Tx {
    /// Adds a notification; the same `unique_key` twice adds nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn notify(
        &mut self,
        org: Uuid,
        user_id: Uuid,
        kind: &str,
        invoice_id: Option<Uuid>,
        payload: &serde_json::Value,
        unique_key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (id, o, u) = (
            Uuid::now_v7().to_string(),
            org.to_string(),
            user_id.to_string(),
        );
        let inv = invoice_id.map(|i| i.to_string());
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO notifications (id, organization_id, user_id, kind, invoice_id, payload, unique_key, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (unique_key) DO NOTHING",
            )
            .bind(&id).bind(&o).bind(&u).bind(kind).bind(&inv).bind(payload.to_string()).bind(unique_key).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// A user's notifications in an organization, newest first.
    pub async fn notifications(
        &mut self,
        org: Uuid,
        user_id: Uuid,
        limit: i64,
    ) -> Result<Vec<Notification>> {
        let (o, u) = (org.to_string(), user_id.to_string());
        let rows: Vec<Row> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, user_id, kind, invoice_id, payload, created_at, read_at FROM notifications \
                 WHERE organization_id = $1 AND user_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3",
            )
            .bind(&o).bind(&u).bind(limit).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(Notification::try_from).collect()
    }

    pub async fn unread_notifications(&mut self, org: Uuid, user_id: Uuid) -> Result<i64> {
        let (o, u) = (org.to_string(), user_id.to_string());
        let n: i64 = on_conn!(self, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE organization_id = $1 AND user_id = $2 AND read_at IS NULL")
                .bind(&o).bind(&u).fetch_one(&mut *c).await?
        });
        Ok(n)
    }

    pub async fn mark_notifications_read(
        &mut self,
        org: Uuid,
        user_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let (o, u) = (org.to_string(), user_id.to_string());
        let n = on_conn!(self, c => {
            sqlx::query("UPDATE notifications SET read_at = $3 WHERE organization_id = $1 AND user_id = $2 AND read_at IS NULL")
                .bind(&o).bind(&u).bind(now).execute(&mut *c).await?.rows_affected()
        });
        Ok(n)
    }

    /// The members of an organization with their role, by e-mail.
    pub async fn members(&mut self, org: Uuid) -> Result<Vec<(User, Role)>> {
        let o = org.to_string();
        let rows: Vec<(String, String, String, String, String, String)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT u.id, u.email, u.display_name, u.password_hash, u.language, m.role FROM users u \
                 JOIN memberships m ON m.user_id = u.id WHERE m.organization_id = $1 ORDER BY u.email",
            )
            .bind(&o).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(id, email, display_name, password_hash, language, role)| {
                let role = Role::parse(&role)
                    .ok_or_else(|| StoreError::corrupt(format!("bad role `{role}`")))?;
                Ok((
                    User {
                        id: parse_uuid(&id)?,
                        email,
                        display_name,
                        password_hash,
                        language,
                    },
                    role,
                ))
            })
            .collect()
    }

    /// The interface language the user chose (`None`: follow the browser).
    pub async fn ui_language(&mut self, user_id: Uuid) -> Result<Option<String>> {
        let u = user_id.to_string();
        let l: Option<Option<String>> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT ui_language FROM users WHERE id = $1").bind(&u).fetch_optional(&mut *c).await?
        });
        Ok(l.flatten())
    }

    pub async fn set_ui_language(&mut self, user_id: Uuid, language: Option<&str>) -> Result<()> {
        let u = user_id.to_string();
        on_conn!(self, c => {
            sqlx::query("UPDATE users SET ui_language = $2 WHERE id = $1").bind(&u).bind(language).execute(&mut *c).await?;
        });
        Ok(())
    }
}
