//! Users, memberships, browser sessions and API tokens.
//!
//! Secrets never reach the database in clear: sessions and API tokens are stored as the
//! SHA-256 of the random token (the token has 256 bits of entropy, so a fast hash is enough);
//! passwords arrive already hashed with Argon2id by the caller.

use chrono::{DateTime, Utc};
use encaisse_core::role::Role;
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::parse_uuid;
use crate::{Result, StoreError, Tx};

/// A person who can log in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub language: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    display_name: String,
    password_hash: String,
    language: String,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self> {
        Ok(User {
            id: parse_uuid(&r.id)?,
            email: r.email,
            display_name: r.display_name,
            password_hash: r.password_hash,
            language: r.language,
        })
    }
}

/// A browser session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub user_id: Uuid,
    pub organization_id: Option<Uuid>,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Who an API token acts as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub prefix: String,
    /// When it was last used (recorded at most every few minutes).
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Tx {
    pub async fn insert_user(&mut self, u: &User, now: DateTime<Utc>) -> Result<()> {
        let id = u.id.to_string();
        let email = u.email.trim().to_lowercase();
        on_conn!(self, c => {
            sqlx::query("INSERT INTO users (id, email, display_name, password_hash, language, created_at) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(&id).bind(&email).bind(&u.display_name).bind(&u.password_hash).bind(&u.language).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn user_by_email(&mut self, email: &str) -> Result<Option<User>> {
        let email = email.trim().to_lowercase();
        let row: Option<UserRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM users WHERE email = $1").bind(&email).fetch_optional(&mut *c).await?
        });
        row.map(User::try_from).transpose()
    }

    pub async fn user(&mut self, id: Uuid) -> Result<User> {
        let key = id.to_string();
        let row: Option<UserRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM users WHERE id = $1").bind(&key).fetch_optional(&mut *c).await?
        });
        row.ok_or(StoreError::NotFound {
            entity: "user",
            id: key,
        })?
        .try_into()
    }

    /// Adds or changes a user's role in an organization.
    pub async fn upsert_membership(
        &mut self,
        user_id: Uuid,
        organization_id: Uuid,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (u, o) = (user_id.to_string(), organization_id.to_string());
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO memberships (user_id, organization_id, role, created_at) VALUES ($1,$2,$3,$4) \
                 ON CONFLICT (user_id, organization_id) DO UPDATE SET role = excluded.role",
            )
            .bind(&u).bind(&o).bind(role.as_str()).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// The user's role in the organization, `None` if not a member.
    pub async fn role_of(&mut self, user_id: Uuid, organization_id: Uuid) -> Result<Option<Role>> {
        let (u, o) = (user_id.to_string(), organization_id.to_string());
        let role: Option<String> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1 AND organization_id = $2")
                .bind(&u).bind(&o).fetch_optional(&mut *c).await?
        });
        role.map(|r| Role::parse(&r).ok_or_else(|| StoreError::corrupt(format!("bad role `{r}`"))))
            .transpose()
    }

    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        s: &Session,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (u, o) = (
            s.user_id.to_string(),
            s.organization_id.map(|o| o.to_string()),
        );
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, organization_id, csrf_token, created_at, expires_at) \
                 VALUES ($1,$2,$3,$4,$5,$6)",
            )
            .bind(token_hash).bind(&u).bind(&o).bind(&s.csrf_token).bind(now).bind(s.expires_at)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// A live session by token hash (expired ones are not returned).
    pub async fn session(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>> {
        let row: Option<(String, Option<String>, String, DateTime<Utc>)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT user_id, organization_id, csrf_token, expires_at FROM sessions \
                 WHERE token_hash = $1 AND expires_at > $2",
            )
            .bind(token_hash).bind(now).fetch_optional(&mut *c).await?
        });
        row.map(|(u, o, csrf, exp)| {
            Ok(Session {
                user_id: parse_uuid(&u)?,
                organization_id: o.as_deref().map(parse_uuid).transpose()?,
                csrf_token: csrf,
                expires_at: exp,
            })
        })
        .transpose()
    }

    pub async fn set_session_organization(
        &mut self,
        token_hash: &str,
        organization_id: Uuid,
    ) -> Result<()> {
        let o = organization_id.to_string();
        on_conn!(self, c => {
            sqlx::query("UPDATE sessions SET organization_id = $2 WHERE token_hash = $1")
                .bind(token_hash).bind(&o).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_api_token(
        &mut self,
        t: &ApiToken,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (id, o, u) = (
            t.id.to_string(),
            t.organization_id.to_string(),
            t.user_id.to_string(),
        );
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO api_tokens (id, organization_id, user_id, name, prefix, token_hash, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7)",
            )
            .bind(&id).bind(&o).bind(&u).bind(&t.name).bind(&t.prefix).bind(token_hash).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// A non-revoked token by hash.
    pub async fn api_token(&mut self, token_hash: &str) -> Result<Option<ApiToken>> {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            Option<DateTime<Utc>>,
        );
        let row: Option<Row> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, organization_id, user_id, name, prefix, last_used_at FROM api_tokens \
                 WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash).fetch_optional(&mut *c).await?
        });
        row.map(|(id, o, u, name, prefix, last_used_at)| {
            Ok(ApiToken {
                id: parse_uuid(&id)?,
                organization_id: parse_uuid(&o)?,
                user_id: parse_uuid(&u)?,
                name,
                prefix,
                last_used_at,
            })
        })
        .transpose()
    }

    pub async fn touch_api_token(&mut self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let id = id.to_string();
        on_conn!(self, c => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1").bind(&id).bind(now).execute(&mut *c).await?;
        });
        Ok(())
    }
}
