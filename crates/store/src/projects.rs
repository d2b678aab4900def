//! Projects of a client.

use chrono::{DateTime, Utc};
use encaisse_core::Money;
use encaisse_core::time_entry::Project;
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Result, StoreError, Tx};

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: String,
    organization_id: String,
    client_id: String,
    name: String,
    hourly_rate_minor: Option<i64>,
    currency: Option<String>,
    external_id: Option<String>,
}

impl TryFrom<ProjectRow> for Project {
    type Error = StoreError;
    fn try_from(r: ProjectRow) -> Result<Self> {
        let rate = match (r.hourly_rate_minor, r.currency) {
            (Some(m), Some(cur)) => Some(Money::from_minor(m, currency(&cur)?)),
            _ => None,
        };
        Ok(Project {
            id: parse_uuid(&r.id)?,
            organization_id: parse_uuid(&r.organization_id)?,
            client_id: parse_uuid(&r.client_id)?,
            name: r.name,
            hourly_rate: rate,
            external_id: r.external_id,
        })
    }
}

impl Tx {
    /// Inserts a project; with an external id, a second insert returns the existing id.
    pub async fn insert_project(&mut self, p: &Project, now: DateTime<Utc>) -> Result<Uuid> {
        let (id, o, cl) = (
            p.id.to_string(),
            p.organization_id.to_string(),
            p.client_id.to_string(),
        );
        let rate = p
            .hourly_rate
            .map(|m| m.rounded().to_minor())
            .transpose()
            .map_err(StoreError::corrupt)?;
        let cur = p.hourly_rate.map(|m| m.currency().code());
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO projects (id, organization_id, client_id, name, hourly_rate_minor, currency, external_id, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (organization_id, external_id) DO NOTHING",
            )
            .bind(&id).bind(&o).bind(&cl).bind(&p.name).bind(rate).bind(cur).bind(&p.external_id).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        if n == 1 {
            return Ok(p.id);
        }
        let existing: Option<String> = on_conn!(self, c => {
            sqlx::query_scalar("SELECT id FROM projects WHERE organization_id = $1 AND external_id = $2")
                .bind(&o).bind(&p.external_id).fetch_optional(&mut *c).await?
        });
        existing
            .as_deref()
            .map(parse_uuid)
            .transpose()?
            .ok_or_else(|| {
                StoreError::Conflict(format!("project {} could not be inserted", p.name))
            })
    }

    pub async fn projects(
        &mut self,
        organization_id: Uuid,
        client_id: Option<Uuid>,
    ) -> Result<Vec<Project>> {
        let o = organization_id.to_string();
        let cl = client_id.map(|c| c.to_string());
        let rows: Vec<ProjectRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM projects WHERE organization_id = $1 AND ($2 IS NULL OR client_id = $2) ORDER BY name, id")
                .bind(&o).bind(&cl).fetch_all(&mut *c).await?
        });
        rows.into_iter().map(Project::try_from).collect()
    }
}
