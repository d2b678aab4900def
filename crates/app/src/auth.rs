//! Who is acting: passwords (Argon2id), browser sessions, API tokens, roles.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use chrono::Duration;
use encaisse_core::role::{Permission, Role};
use encaisse_store::auth::{ApiToken, Session, User};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{App, AppError, Result};

/// Someone acting in one organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    /// What the audit trail records: the user's e-mail, or `system:<what>`.
    pub label: String,
    pub organization_id: Uuid,
    pub role: Role,
}

impl Actor {
    /// The system itself (demo seeding, scheduled jobs), with full rights.
    pub fn system(organization_id: Uuid, what: &str) -> Actor {
        Actor {
            user_id: None,
            label: format!("system:{what}"),
            organization_id,
            role: Role::Owner,
        }
    }

    /// Refuses unless the role allows `p`.
    pub fn require(&self, p: Permission, action: &'static str) -> Result<()> {
        if self.role.allows(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                action,
                role: self.role.as_str().to_owned(),
            })
        }
    }
}

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 10 {
        return Err(AppError::invalid(
            "password",
            "it must have at least 10 characters",
        ));
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::invalid("password", e))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::invalid("password", e))
}

/// Checks a password against a stored PHC hash, in constant time.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random URL-safe secret of 256 bits.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// The stored form of a session or API token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A session created at login.
#[derive(Clone, Debug)]
pub struct NewSession {
    /// Goes into the cookie; never stored.
    pub token: String,
    pub csrf_token: String,
    pub user: User,
    pub organization_id: Option<Uuid>,
}

/// An API token as shown once, at creation.
#[derive(Clone, Debug)]
pub struct CreatedToken {
    pub token: String,
    pub record: ApiToken,
}

impl App {
    /// Checks e-mail and password; on success opens a session in the user's first
    /// organization. The same error for an unknown user and a wrong password.
    pub async fn login(&self, email: &str, password: &str) -> Result<NewSession> {
        let mut tx = self.store.read().await?;
        let user = tx.user_by_email(email).await?;
        tx.commit().await?;
        let Some(user) = user else {
            // Spend the same time as a real check, so timing does not reveal which e-mails exist.
            let _ = verify_password(password, DUMMY_HASH);
            return Err(AppError::Unauthenticated("wrong e-mail or password"));
        };
        if !verify_password(password, &user.password_hash) {
            return Err(AppError::Unauthenticated("wrong e-mail or password"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let orgs = tx.organizations_of_user(user.id).await?;
        let token = random_token();
        let session = Session {
            user_id: user.id,
            organization_id: orgs.first().map(|(o, _)| o.id),
            csrf_token: random_token(),
            expires_at: now + Duration::hours(i64::from(self.config.security.session_hours)),
        };
        tx.insert_session(&token_hash(&token), &session, now)
            .await?;
        tx.commit().await?;
        Ok(NewSession {
            token,
            csrf_token: session.csrf_token,
            user,
            organization_id: session.organization_id,
        })
    }

    /// Resolves a session cookie to the user and the session.
    pub async fn session(&self, token: &str) -> Result<(User, Session)> {
        let mut tx = self.store.read().await?;
        let s =
            tx.session(&token_hash(token), self.now())
                .await?
                .ok_or(AppError::Unauthenticated(
                    "your session has expired; log in again",
                ))?;
        let user = tx.user(s.user_id).await?;
        tx.commit().await?;
        Ok((user, s))
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        tx.delete_session(&token_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Switches the session's organization, if the user belongs to it.
    pub async fn switch_organization(
        &self,
        token: &str,
        user_id: Uuid,
        organization_id: Uuid,
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        if tx.role_of(user_id, organization_id).await?.is_none() {
            return Err(AppError::NotFound {
                entity: "organization",
                id: organization_id.to_string(),
            });
        }
        tx.set_session_organization(&token_hash(token), organization_id)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor for a user in an organization: 404 when not a member (an organization one
    /// cannot see does not exist for them).
    pub async fn actor_for(&self, user: &User, organization_id: Uuid) -> Result<Actor> {
        let mut tx = self.store.read().await?;
        let role = tx.role_of(user.id, organization_id).await?;
        tx.commit().await?;
        let role = role.ok_or(AppError::NotFound {
            entity: "organization",
            id: organization_id.to_string(),
        })?;
        Ok(Actor {
            user_id: Some(user.id),
            label: user.email.clone(),
            organization_id,
            role,
        })
    }

    /// Resolves a bearer token to its actor (the token's organization and the user's role
    /// there, which may have changed since the token was made).
    pub async fn authenticate_token(&self, token: &str) -> Result<Actor> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let t = tx
            .api_token(&token_hash(token))
            .await?
            .ok_or(AppError::Unauthenticated(
                "unknown or revoked API token; create one with `encaisse token create`",
            ))?;
        let user = tx.user(t.user_id).await?;
        let role =
            tx.role_of(t.user_id, t.organization_id)
                .await?
                .ok_or(AppError::Unauthenticated(
                    "the token's user no longer belongs to its organization",
                ))?;
        tx.commit().await?;
        // Reads stay reads: the last use is written at most every five minutes, so API
        // traffic does not queue behind SQLite's single writer.
        if t.last_used_at
            .is_none_or(|at| now - at > Duration::minutes(5))
        {
            let mut tx = self.store.write().await?;
            tx.touch_api_token(t.id, now).await?;
            tx.commit().await?;
        }
        Ok(Actor {
            user_id: Some(user.id),
            label: user.email,
            organization_id: t.organization_id,
            role,
        })
    }

    /// Creates an API token for a user in an organization (shown once).
    pub async fn create_api_token(
        &self,
        email: &str,
        organization_slug: Option<&str>,
        name: &str,
    ) -> Result<CreatedToken> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let user = tx
            .user_by_email(email)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "user",
                id: email.to_owned(),
            })?;
        let orgs = tx.organizations_of_user(user.id).await?;
        let org = match organization_slug {
            Some(slug) => orgs
                .iter()
                .find(|(o, _)| o.slug == slug)
                .map(|(o, _)| o.id)
                .ok_or_else(|| AppError::NotFound {
                    entity: "organization",
                    id: slug.to_owned(),
                })?,
            None => match orgs.as_slice() {
                [(o, _)] => o.id,
                [] => {
                    return Err(AppError::Conflict(format!(
                        "{email} belongs to no organization"
                    )));
                }
                _ => {
                    return Err(AppError::invalid(
                        "organization",
                        format!(
                            "{email} belongs to several organizations ({}); name one with --org",
                            orgs.iter()
                                .map(|(o, _)| o.slug.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            },
        };
        let secret = random_token();
        let prefix: String = secret.chars().take(8).collect();
        let token = format!("enc_{secret}");
        let record = ApiToken {
            id: Uuid::now_v7(),
            organization_id: org,
            user_id: user.id,
            name: name.to_owned(),
            prefix,
            last_used_at: None,
        };
        tx.insert_api_token(&record, &token_hash(&token), now)
            .await?;
        tx.append_audit(encaisse_store::audit::NewAuditEvent {
            organization_id: org,
            actor: &user.email,
            action: "api_token.created",
            entity_type: "api_token",
            entity_id: &record.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "name": name, "prefix": record.prefix })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(CreatedToken { token, record })
    }
}

/// A valid Argon2id hash of a random string, for constant-time failures.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Tf3N6BXKxHnrbEB4uAhKRkOfVSe0QoKSa1VZdYz0ZwY";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn viewer_cannot_approve() {
        let a = Actor {
            user_id: None,
            label: "v".into(),
            organization_id: Uuid::nil(),
            role: Role::Viewer,
        };
        assert!(matches!(
            a.require(Permission::Approve, "approve"),
            Err(AppError::Forbidden { .. })
        ));
    }
}
