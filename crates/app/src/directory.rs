//! Read use cases for organizations, clients, projects and time entries.

use encaisse_core::party::{Client, Organization};
use encaisse_core::role::{Permission, Role};
use encaisse_core::time_entry::TimeEntry;
use encaisse_store::clients::ClientFilter;
use encaisse_store::time_entries::TimeEntryFilter;
use uuid::Uuid;

use crate::auth::Actor;
use crate::{App, AppError, Result};

impl App {
    /// The organizations a user belongs to, with their role.
    pub async fn organizations_of(&self, user_id: Uuid) -> Result<Vec<(Organization, Role)>> {
        let mut tx = self.store.read().await?;
        let orgs = tx.organizations_of_user(user_id).await?;
        tx.commit().await?;
        Ok(orgs)
    }

    pub async fn organization(&self, actor: &Actor) -> Result<Organization> {
        actor.require(Permission::Read, "read the organization")?;
        let mut tx = self.store.read().await?;
        let org = tx.organization(actor.organization_id).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// The organization a CLI command acts on: the only one, or the one named by slug.
    pub async fn organization_by_slug_or_only(&self, slug: Option<&str>) -> Result<Organization> {
        let mut tx = self.store.read().await?;
        let org = match slug {
            Some(s) => tx
                .organization_by_slug(s)
                .await?
                .ok_or_else(|| AppError::NotFound {
                    entity: "organization",
                    id: s.to_owned(),
                })?,
            None => {
                let all = tx.all_organizations().await?;
                match all.len() {
                    0 => {
                        return Err(AppError::Conflict(
                            "no organization yet: run `encaisse init` (or `encaisse demo`) first"
                                .into(),
                        ));
                    }
                    1 => all
                        .into_iter()
                        .next()
                        .ok_or_else(|| AppError::Conflict("no organization".into()))?,
                    _ => {
                        return Err(AppError::invalid(
                            "org",
                            format!(
                                "this installation has several organizations ({}); choose one with --org",
                                all.iter()
                                    .map(|o| o.slug.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                }
            }
        };
        tx.commit().await?;
        Ok(org)
    }

    pub async fn list_clients(&self, actor: &Actor, filter: &ClientFilter) -> Result<Vec<Client>> {
        actor.require(Permission::Read, "read clients")?;
        let mut tx = self.store.read().await?;
        let rows = tx.clients(actor.organization_id, filter).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn client(&self, actor: &Actor, id: Uuid) -> Result<Client> {
        actor.require(Permission::Read, "read clients")?;
        let mut tx = self.store.read().await?;
        let c = tx.client(actor.organization_id, id).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Finds a client by id or exact name (case-insensitive).
    pub async fn resolve_client(&self, actor: &Actor, id_or_name: &str) -> Result<Client> {
        if let Ok(id) = Uuid::parse_str(id_or_name) {
            return self.client(actor, id).await;
        }
        let mut tx = self.store.read().await?;
        let c = tx.client_by_name(actor.organization_id, id_or_name).await?;
        tx.commit().await?;
        c.ok_or_else(|| AppError::NotFound {
            entity: "client",
            id: id_or_name.to_owned(),
        })
    }

    pub async fn list_time_entries(
        &self,
        actor: &Actor,
        filter: &TimeEntryFilter,
    ) -> Result<Vec<TimeEntry>> {
        actor.require(Permission::Read, "read time entries")?;
        let mut tx = self.store.read().await?;
        let rows = tx.time_entries(actor.organization_id, filter).await?;
        tx.commit().await?;
        Ok(rows)
    }
}
