//! The organization's validation settings, delegations while someone is away, a user's
//! notifications and interface language.

use chrono::NaiveDate;
use encaisse_core::approval::{Delegation, Person, ValidationConfig};
use encaisse_core::language::Language;
use encaisse_core::role::Permission;
use encaisse_store::approvals::StoredDelegation;
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::notifications::Notification;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::{App, AppError, Result};

/// A delegation with the people's e-mails.
#[derive(Clone, Debug, Serialize)]
pub struct DelegationView {
    pub id: Uuid,
    pub from: String,
    pub to: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub active: bool,
}

impl App {
    /// The validation configuration in force for the actor's organization.
    pub async fn validation_config(&self, actor: &Actor) -> Result<ValidationConfig> {
        actor.require(Permission::Read, "read the validation settings")?;
        let mut tx = self.store.read().await?;
        let cfg = self.config_in(&mut tx, actor.organization_id).await?;
        tx.commit().await?;
        Ok(cfg)
    }

    /// Saves the organization's validation configuration (owners), audited with before and
    /// after.
    pub async fn set_validation_config(&self, actor: &Actor, cfg: &ValidationConfig) -> Result<()> {
        actor.require(
            Permission::ManageOrganization,
            "change the validation settings",
        )?;
        cfg.validate()
            .map_err(|m| AppError::invalid("validation", m))?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = self.config_in(&mut tx, actor.organization_id).await?;
        let json = serde_json::to_string(cfg).map_err(|e| AppError::invalid("validation", e))?;
        tx.put_validation_settings(actor.organization_id, &json, &actor.label, now)
            .await?;
        tx.append_audit(NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "validation.settings_changed",
            entity_type: "organization",
            entity_id: &actor.organization_id.to_string(),
            before: Some(serde_json::json!(before)),
            after: Some(serde_json::json!(cfg)),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Delegates the actor's approvals (or, for an owner, someone else's) to a colleague
    /// between two days.
    pub async fn delegate(
        &self,
        actor: &Actor,
        from_email: Option<&str>,
        to_email: &str,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    ) -> Result<DelegationView> {
        actor.require(Permission::Approve, "delegate approvals")?;
        let org = actor.organization_id;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let member = |email: &str| AppError::NotFound {
            entity: "member",
            id: email.to_owned(),
        };
        let from_user = match from_email {
            Some(e) if !e.trim().is_empty() => {
                let u = tx.user_by_email(e).await?.ok_or_else(|| member(e))?;
                if Some(u.id) != actor.user_id {
                    actor.require(
                        Permission::ManageOrganization,
                        "delegate someone else's approvals",
                    )?;
                }
                u
            }
            _ => match actor.user_id {
                Some(id) => tx.user(id).await?,
                None => return Err(AppError::invalid("from", "name the person who is away")),
            },
        };
        let to_user = tx
            .user_by_email(to_email)
            .await?
            .ok_or_else(|| member(to_email))?;
        let from_role = tx
            .role_of(from_user.id, org)
            .await?
            .ok_or_else(|| member(&from_user.email))?;
        if tx.role_of(to_user.id, org).await?.is_none() {
            return Err(member(to_email));
        }
        let d = Delegation::new(
            Person {
                user_id: from_user.id,
                role: from_role,
            },
            to_user.id,
            starts_on,
            ends_on,
        )
        .map_err(|e| AppError::invalid("delegation", e))?;
        let stored = StoredDelegation {
            id: Uuid::now_v7(),
            from_user_id: d.from.user_id,
            to_user_id: d.to,
            starts_on,
            ends_on,
        };
        tx.insert_delegation(org, &stored, now).await?;
        tx.append_audit(NewAuditEvent {
            organization_id: org,
            actor: &actor.label,
            action: "approval.delegated",
            entity_type: "delegation",
            entity_id: &stored.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "from": from_user.email, "to": to_user.email, "starts_on": starts_on, "ends_on": ends_on,
            })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(DelegationView {
            id: stored.id,
            from: from_user.email,
            to: to_user.email,
            starts_on,
            ends_on,
            active: d.is_active(self.today()),
        })
    }

    /// Current and future delegations of the organization.
    pub async fn delegations(&self, actor: &Actor) -> Result<Vec<DelegationView>> {
        actor.require(Permission::Read, "read delegations")?;
        let today = self.today();
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for d in tx.delegations(actor.organization_id, today).await? {
            out.push(DelegationView {
                id: d.id,
                from: tx.user(d.from_user_id).await?.email,
                to: tx.user(d.to_user_id).await?.email,
                starts_on: d.starts_on,
                ends_on: d.ends_on,
                active: d.starts_on <= today && today <= d.ends_on,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Ends a delegation early (its two people, or an owner).
    pub async fn revoke_delegation(&self, actor: &Actor, id: Uuid) -> Result<()> {
        actor.require(Permission::Approve, "revoke delegations")?;
        let now = self.now();
        let only = if actor.role.allows(Permission::ManageOrganization) {
            None
        } else {
            actor.user_id
        };
        let mut tx = self.store.write().await?;
        tx.revoke_delegation(actor.organization_id, id, only, now)
            .await?;
        tx.append_audit(NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "approval.delegation_revoked",
            entity_type: "delegation",
            entity_id: &id.to_string(),
            before: None,
            after: None,
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A member acting in an organization, found by e-mail (for operators who act for a
    /// person, e.g. `encaisse invoice approve --as EMAIL`): 404 when not a member.
    pub async fn member_actor(&self, organization_id: Uuid, email: &str) -> Result<Actor> {
        let mut tx = self.store.read().await?;
        let user = tx.user_by_email(email).await?;
        let role = match &user {
            Some(u) => tx.role_of(u.id, organization_id).await?,
            None => None,
        };
        tx.commit().await?;
        match (user, role) {
            (Some(u), Some(role)) => Ok(Actor {
                user_id: Some(u.id),
                label: u.email,
                organization_id,
                role,
            }),
            _ => Err(AppError::NotFound {
                entity: "member",
                id: email.to_owned(),
            }),
        }
    }

    /// The members of the actor's organization: e-mail and role.
    pub async fn members(&self, actor: &Actor) -> Result<Vec<(String, encaisse_core::role::Role)>> {
        actor.require(Permission::Read, "read the members")?;
        let mut tx = self.store.read().await?;
        let m = tx.members(actor.organization_id).await?;
        tx.commit().await?;
        Ok(m.into_iter().map(|(u, r)| (u.email, r)).collect())
    }

    /// The actor's latest notifications and how many are unread.
    pub async fn notifications(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<(Vec<Notification>, i64)> {
        let Some(user) = actor.user_id else {
            return Ok((Vec::new(), 0));
        };
        let mut tx = self.store.read().await?;
        let list = tx.notifications(actor.organization_id, user, limit).await?;
        let unread = tx.unread_notifications(actor.organization_id, user).await?;
        tx.commit().await?;
        Ok((list, unread))
    }

    pub async fn mark_notifications_read(&self, actor: &Actor) -> Result<()> {
        if let Some(user) = actor.user_id {
            let now = self.now();
            let mut tx = self.store.write().await?;
            tx.mark_notifications_read(actor.organization_id, user, now)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The interface language a user chose, if any.
    pub async fn ui_language(&self, user_id: Uuid) -> Result<Option<Language>> {
        let mut tx = self.store.read().await?;
        let l = tx.ui_language(user_id).await?;
        tx.commit().await?;
        Ok(l.as_deref().and_then(Language::parse))
    }

    /// Remembers the user's interface language (`None`: follow the browser again).
    pub async fn set_ui_language(&self, user_id: Uuid, language: Option<Language>) -> Result<()> {
        let mut tx = self.store.write().await?;
        tx.set_ui_language(user_id, language.map(Language::code))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
