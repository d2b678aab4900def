//! Clients of an organization.

use chrono::{DateTime, Utc};
use encaisse_core::party::{Client, PaymentTerms};
use uuid::Uuid;

use crate::organizations::{address, currency, language, legal_ids, parse_uuid};
use crate::{Result, StoreError, Tx};

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: String,
    organization_id: String,
    name: String,
    siren: Option<String>,
    siret: Option<String>,
    uid: Option<String>,
    vat_id: Option<String>,
    street: Option<String>,
    building_number: Option<String>,
    postal_code: String,
    city: String,
    country: String,
    email: Option<String>,
    language: String,
    currency: String,
    payment_terms_days: i32,
    requires_purchase_order: bool,
}

impl TryFrom<ClientRow> for Client {
    type Error = StoreError;
    fn try_from(r: ClientRow) -> Result<Self> {
        Ok(Client {
            id: parse_uuid(&r.id)?,
            organization_id: parse_uuid(&r.organization_id)?,
            name: r.name,
            ids: legal_ids(r.siren, r.siret, r.uid, r.vat_id)?,
            address: address(
                r.street,
                r.building_number,
                r.postal_code,
                r.city,
                &r.country,
            )?,
            email: r.email,
            language: language(&r.language)?,
            currency: currency(&r.currency)?,
            terms: PaymentTerms {
                days: u32::try_from(r.payment_terms_days).map_err(StoreError::corrupt)?,
            },
            requires_purchase_order: r.requires_purchase_order,
        })
    }
}

/// Filters for listing clients.
#[derive(Clone, Debug, Default)]
pub struct ClientFilter {
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl Tx {
    /// Inserts a client. With an `external_ref`, inserting the same reference again does
    /// nothing and returns the existing client's id (idempotent imports).
    pub async fn insert_client(
        &mut self,
        cl: &Client,
        external_ref: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Uuid> {
        let (id, org) = (cl.id.to_string(), cl.organization_id.to_string());
        let terms = i32::try_from(cl.terms.days).map_err(StoreError::corrupt)?;
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO clients (id, organization_id, external_ref, name, siren, siret, uid, vat_id, street, \
                 building_number, postal_code, city, country, email, language, currency, payment_terms_days, \
                 requires_purchase_order, created_at, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$19) \
                 ON CONFLICT (organization_id, external_ref) DO NOTHING",
            )
            .bind(&id).bind(&org).bind(external_ref).bind(&cl.name)
            .bind(cl.ids.siren.as_ref().map(|s| s.as_str()))
            .bind(cl.ids.siret.as_ref().map(|s| s.as_str()))
            .bind(cl.ids.uid.as_ref().map(|s| s.formatted()))
            .bind(cl.ids.vat_id.as_ref().map(|s| s.as_str()))
            .bind(&cl.address.street).bind(&cl.address.building_number)
            .bind(&cl.address.postal_code).bind(&cl.address.city).bind(cl.address.country.as_str())
            .bind(&cl.email).bind(cl.language.code()).bind(cl.currency.code()).bind(terms)
            .bind(cl.requires_purchase_order).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        if n == 1 {
            return Ok(cl.id);
        }
        let existing: Option<String> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT id FROM clients WHERE organization_id = $1 AND external_ref = $2")
                .bind(&org).bind(external_ref).fetch_optional(&mut *c).await?
        });
        existing
            .as_deref()
            .map(parse_uuid)
            .transpose()?
            .ok_or_else(|| {
                StoreError::Conflict(format!("client {} could not be inserted", cl.name))
            })
    }

    pub async fn client(&mut self, organization_id: Uuid, id: Uuid) -> Result<Client> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let row: Option<ClientRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM clients WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).fetch_optional(&mut *c).await?
        });
        row.ok_or(StoreError::NotFound {
            entity: "client",
            id: key,
        })?
        .try_into()
    }

    pub async fn clients(
        &mut self,
        organization_id: Uuid,
        f: &ClientFilter,
    ) -> Result<Vec<Client>> {
        let o = organization_id.to_string();
        let pattern = f.search.as_ref().map(|s| format!("%{}%", s.to_lowercase()));
        let rows: Vec<ClientRow> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT * FROM clients WHERE organization_id = $1 AND ($2 IS NULL OR LOWER(name) LIKE $2) \
                 ORDER BY name, id LIMIT $3 OFFSET $4",
            )
            .bind(&o).bind(&pattern).bind(f.limit).bind(f.offset)
            .fetch_all(&mut *c).await?
        });
        rows.into_iter().map(Client::try_from).collect()
    }

    pub async fn client_by_name(
        &mut self,
        organization_id: Uuid,
        name: &str,
    ) -> Result<Option<Client>> {
        let o = organization_id.to_string();
        let row: Option<ClientRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM clients WHERE organization_id = $1 AND LOWER(name) = LOWER($2) ORDER BY id LIMIT 1")
                .bind(&o).bind(name).fetch_optional(&mut *c).await?
        });
        row.map(Client::try_from).transpose()
    }
}
