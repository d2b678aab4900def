//! Clients and projects met in time sheets and connectors: created when no existing one
//! matches, each creation audited. Shared by file imports and the Clockify sync.

use chrono::{DateTime, Utc};
use encaisse_core::party::{Address, Client, LegalIds, Organization};
use encaisse_core::time_entry::Project;
use encaisse_core::{Currency, Money};
use encaisse_store::Tx;
use encaisse_store::audit::NewAuditEvent;
use uuid::Uuid;

use crate::Result;

/// Creates a client known only by name (address and identifiers to be completed by hand);
/// with an `external_ref` already used, returns the existing client.
pub(crate) async fn create_client_named(
    tx: &mut Tx,
    org: &Organization,
    name: &str,
    currency: Currency,
    external_ref: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let c = Client {
        id: Uuid::now_v7(),
        organization_id: org.id,
        name: name.trim().to_owned(),
        ids: LegalIds::default(),
        address: Address {
            street: None,
            building_number: None,
            postal_code: String::new(),
            city: String::new(),
            country: org.address.country,
        },
        email: None,
        language: org.language,
        currency,
        terms: org.terms,
        requires_purchase_order: false,
    };
    let id = tx.insert_client(&c, Some(external_ref), now).await?;
    if id == c.id {
        tx.append_audit(NewAuditEvent {
            organization_id: org.id,
            actor,
            action: "client.created",
            entity_type: "client",
            entity_id: &id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "name": c.name, "from": external_ref, "country": org.address.country.as_str() })),
            at: now,
        })
        .await?;
    }
    Ok(id)
}

/// Creates a project of a client; with an `external_id` already used, returns the existing
/// project.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn create_project_named(
    tx: &mut Tx,
    organization_id: Uuid,
    client_id: Uuid,
    name: &str,
    external_id: &str,
    rate: Option<Money>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let p = Project {
        id: Uuid::now_v7(),
        organization_id,
        client_id,
        name: name.trim().to_owned(),
        hourly_rate: rate,
        external_id: Some(external_id.to_owned()),
    };
    let id = tx.insert_project(&p, now).await?;
    if id == p.id {
        tx.append_audit(NewAuditEvent {
            organization_id,
            actor,
            action: "project.created",
            entity_type: "project",
            entity_id: &id.to_string(),
            before: None,
            after: Some(
                serde_json::json!({ "name": p.name, "client_id": client_id, "from": external_id }),
            ),
            at: now,
        })
        .await?;
    }
    Ok(id)
}
