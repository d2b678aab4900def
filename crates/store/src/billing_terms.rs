//! How clients are billed: terms per client (and the organization's defaults), rate cards a
//! source defines, projects' billing mode and rate, fixed-fee milestones.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::Money;
use encaisse_core::vat::VatRate;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Result, StoreError, Tx};

/// Stored billing terms; `None` fields inherit (client → organization → built-in default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredTerms {
    pub hourly_rate: Option<Money>,
    pub rounding_minutes: Option<u32>,
    /// `entry` or `line`.
    pub rounding_scope: Option<String>,
    pub minimum_minutes: Option<u32>,
    /// `project`, `task`, `user` or `entry`.
    pub line_grouping: Option<String>,
    pub discount_percent: Option<Decimal>,
    pub vat_override: Option<VatRate>,
}

#[derive(sqlx::FromRow)]
struct TermsRow {
    client_id: String,
    hourly_rate_minor: Option<i64>,
    rate_currency: Option<String>,
    rounding_minutes: Option<i32>,
    rounding_scope: Option<String>,
    minimum_minutes: Option<i32>,
    line_grouping: Option<String>,
    discount_percent: Option<String>,
    vat_category: Option<String>,
    vat_percent: Option<String>,
}

impl TermsRow {
    fn into_terms(self) -> Result<(String, StoredTerms)> {
        let dec = |s: &str| {
            Decimal::from_str(s).map_err(|e| StoreError::corrupt(format!("bad decimal `{s}`: {e}")))
        };
        let vat = match (&self.vat_category, &self.vat_percent) {
            (Some(c), Some(p)) => Some(VatRate::parse(c, dec(p)?).map_err(StoreError::corrupt)?),
            _ => None,
        };
        let u = |v: Option<i32>| {
            v.map(|x| u32::try_from(x).map_err(StoreError::corrupt))
                .transpose()
        };
        Ok((
            self.client_id,
            StoredTerms {
                hourly_rate: match (self.hourly_rate_minor, self.rate_currency.as_deref()) {
                    (Some(m), Some(c)) => Some(Money::from_minor(m, currency(c)?)),
                    _ => None,
                },
                rounding_minutes: u(self.rounding_minutes)?,
                rounding_scope: self.rounding_scope,
                minimum_minutes: u(self.minimum_minutes)?,
                line_grouping: self.line_grouping,
                discount_percent: self.discount_percent.as_deref().map(dec).transpose()?,
                vat_override: vat,
            },
        ))
    }
}

/// A fixed-fee milestone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MilestoneRecord {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub project_id: Uuid,
    pub name: String,
    pub amount: Money,
    pub reached_on: Option<NaiveDate>,
    pub invoice_id: Option<Uuid>,
}

/// A milestone due for billing, with its project and client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueMilestone {
    pub milestone: MilestoneRecord,
    pub client_id: Uuid,
    pub project_name: String,
}

impl Tx {
    /// The organization's defaults and every client's own terms.
    pub async fn billing_terms(
        &mut self,
        organization_id: Uuid,
    ) -> Result<(StoredTerms, HashMap<Uuid, StoredTerms>)> {
        let o = organization_id.to_string();
        let rows: Vec<TermsRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT client_id, hourly_rate_minor, rate_currency, rounding_minutes, rounding_scope, minimum_minutes, \
                            line_grouping, discount_percent, vat_category, vat_percent FROM billing_terms WHERE organization_id = $1")
                .bind(&o).fetch_all(&mut *c).await?
        });
        let mut org = StoredTerms::default();
        let mut clients = HashMap::new();
        for r in rows {
            let (client, t) = r.into_terms()?;
            if client.is_empty() {
                org = t;
            } else {
                clients.insert(parse_uuid(&client)?, t);
            }
        }
        Ok((org, clients))
    }

    /// Sets the terms of a client, or the organization's defaults (`client_id` `None`).
    pub async fn set_billing_terms(
        &mut self,
        organization_id: Uuid,
        client_id: Option<Uuid>,
        t: &StoredTerms,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let o = organization_id.to_string();
        let cl = client_id.map(|c| c.to_string()).unwrap_or_default();
        let rate = t
            .hourly_rate
            .map(|m| m.rounded().to_minor())
            .transpose()
            .map_err(StoreError::corrupt)?;
        let cur = t.hourly_rate.map(|m| m.currency().code());
        let i = |v: Option<u32>| {
            v.map(|x| i32::try_from(x).map_err(StoreError::corrupt))
                .transpose()
        };
        let (rm, mm) = (i(t.rounding_minutes)?, i(t.minimum_minutes)?);
        let disc = t.discount_percent.map(|d| d.to_string());
        let vc = t.vat_override.map(|v| v.category().code());
        let vp = t.vat_override.map(|v| v.percent().to_string());
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO billing_terms (organization_id, client_id, hourly_rate_minor, rate_currency, rounding_minutes, \
                 rounding_scope, minimum_minutes, line_grouping, discount_percent, vat_category, vat_percent, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (organization_id, client_id) DO UPDATE SET \
                 hourly_rate_minor = $3, rate_currency = $4, rounding_minutes = $5, rounding_scope = $6, minimum_minutes = $7, \
                 line_grouping = $8, discount_percent = $9, vat_category = $10, vat_percent = $11, updated_at = $12",
            )
            .bind(&o).bind(&cl).bind(rate).bind(cur).bind(rm).bind(&t.rounding_scope).bind(mm).bind(&t.line_grouping)
            .bind(&disc).bind(vc).bind(&vp).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Replaces one rate of a source's rate card.
    pub async fn set_rate_card(
        &mut self,
        organization_id: Uuid,
        source: &str,
        scope: &str,
        scope_key: &str,
        rate: Option<Money>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let o = organization_id.to_string();
        match rate {
            None => on_conn!(self, c => {
                sqlx::query("DELETE FROM rate_cards WHERE organization_id = $1 AND source = $2 AND scope = $3 AND scope_key = $4")
                    .bind(&o).bind(source).bind(scope).bind(scope_key).execute(&mut *c).await?;
            }),
            Some(m) => {
                let minor = m.rounded().to_minor().map_err(StoreError::corrupt)?;
                on_conn!(self, c => {
                    sqlx::query("INSERT INTO rate_cards (organization_id, source, scope, scope_key, rate_minor, currency, updated_at) \
                                 VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (organization_id, source, scope, scope_key) \
                                 DO UPDATE SET rate_minor = $5, currency = $6, updated_at = $7")
                        .bind(&o).bind(source).bind(scope).bind(scope_key).bind(minor).bind(m.currency().code()).bind(now)
                        .execute(&mut *c).await?;
                });
            }
        }
        Ok(())
    }

    /// A source's rate card: `(scope, key) → rate`.
    pub async fn rate_cards(
        &mut self,
        organization_id: Uuid,
        source: &str,
    ) -> Result<HashMap<(String, String), Money>> {
        let o = organization_id.to_string();
        let rows: Vec<(String, String, i64, String)> = on_conn!(self, c => {
            sqlx::query_as("SELECT scope, scope_key, rate_minor, currency FROM rate_cards WHERE organization_id = $1 AND source = $2")
                .bind(&o).bind(source).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(s, k, m, cur)| Ok(((s, k), Money::from_minor(m, currency(&cur)?))))
            .collect()
    }

    /// Sets a project's own rate and, when given, its billing mode (`hourly` or `fixed_fee`).
    pub async fn set_project_billing(
        &mut self,
        organization_id: Uuid,
        project_id: Uuid,
        rate: Option<Money>,
        billing_mode: Option<&str>,
    ) -> Result<()> {
        let (o, p) = (organization_id.to_string(), project_id.to_string());
        let minor = rate
            .map(|m| m.rounded().to_minor())
            .transpose()
            .map_err(StoreError::corrupt)?;
        let cur = rate.map(|m| m.currency().code());
        let n = on_conn!(self, c => {
            sqlx::query("UPDATE projects SET hourly_rate_minor = $3, currency = $4, billing_mode = COALESCE($5, billing_mode) WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&p).bind(minor).bind(cur).bind(billing_mode).execute(&mut *c).await?.rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound {
                entity: "project",
                id: p,
            });
        }
        Ok(())
    }

    /// Adds a milestone; the same project and name twice is refused as a conflict.
    pub async fn insert_milestone(
        &mut self,
        m: &MilestoneRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let minor = m.amount.to_minor().map_err(StoreError::corrupt)?;
        let r = on_conn!(self, c => {
            sqlx::query("INSERT INTO milestones (id, organization_id, project_id, name, amount_minor, currency, reached_on, invoice_id, created_at) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7,NULL,$8)")
                .bind(m.id.to_string()).bind(m.organization_id.to_string()).bind(m.project_id.to_string()).bind(&m.name)
                .bind(minor).bind(m.amount.currency().code()).bind(m.reached_on).bind(now)
                .execute(&mut *c).await.map(|_| ())
        });
        match r {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = StoreError::from(e);
                if e.is_unique_violation() {
                    Err(StoreError::Conflict(format!(
                        "the project already has a milestone named `{}`",
                        m.name
                    )))
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Milestones reached on or before `until`, not billed yet.
    pub async fn due_milestones(
        &mut self,
        organization_id: Uuid,
        until: NaiveDate,
        client_id: Option<Uuid>,
    ) -> Result<Vec<DueMilestone>> {
        let o = organization_id.to_string();
        let cl = client_id.map(|c| c.to_string());
        type Row = (
            String,
            String,
            String,
            i64,
            String,
            Option<NaiveDate>,
            String,
            String,
        );
        let rows: Vec<Row> = on_conn!(self, c => {
            sqlx::query_as("SELECT m.id, m.project_id, m.name, m.amount_minor, m.currency, m.reached_on, p.client_id, p.name \
                            FROM milestones m JOIN projects p ON p.id = m.project_id AND p.organization_id = m.organization_id \
                            WHERE m.organization_id = $1 AND m.invoice_id IS NULL AND m.reached_on IS NOT NULL AND m.reached_on <= $2 \
                            AND ($3 IS NULL OR p.client_id = $3) ORDER BY m.reached_on, m.id")
                .bind(&o).bind(until).bind(&cl).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(id, p, name, minor, cur, reached, client, pname)| {
                Ok(DueMilestone {
                    milestone: MilestoneRecord {
                        id: parse_uuid(&id)?,
                        organization_id,
                        project_id: parse_uuid(&p)?,
                        name,
                        amount: Money::from_minor(minor, currency(&cur)?),
                        reached_on: reached,
                        invoice_id: None,
                    },
                    client_id: parse_uuid(&client)?,
                    project_name: pname,
                })
            })
            .collect()
    }

    /// Puts a milestone on an invoice (or takes every milestone off it with `None`).
    pub async fn set_milestone_invoice(
        &mut self,
        organization_id: Uuid,
        milestone: Option<Uuid>,
        invoice_id: Uuid,
    ) -> Result<()> {
        let (o, inv) = (organization_id.to_string(), invoice_id.to_string());
        match milestone {
            Some(m) => {
                let n = on_conn!(self, c => {
                    sqlx::query("UPDATE milestones SET invoice_id = $3 WHERE organization_id = $1 AND id = $2 AND invoice_id IS NULL")
                        .bind(&o).bind(m.to_string()).bind(&inv).execute(&mut *c).await?.rows_affected()
                });
                if n != 1 {
                    return Err(StoreError::Conflict(format!(
                        "milestone {m} is already billed"
                    )));
                }
            }
            None => on_conn!(self, c => {
                sqlx::query("UPDATE milestones SET invoice_id = NULL WHERE organization_id = $1 AND invoice_id = $2")
                    .bind(&o).bind(&inv).execute(&mut *c).await?;
            }),
        }
        Ok(())
    }

    /// Milestones billed by an invoice: `(id, project name, milestone name)`.
    pub async fn invoice_milestones(
        &mut self,
        organization_id: Uuid,
        invoice_id: Uuid,
    ) -> Result<Vec<(Uuid, String, String)>> {
        let (o, inv) = (organization_id.to_string(), invoice_id.to_string());
        let rows: Vec<(String, String, String)> = on_conn!(self, c => {
            sqlx::query_as("SELECT m.id, p.name, m.name FROM milestones m JOIN projects p ON p.id = m.project_id \
                            WHERE m.organization_id = $1 AND m.invoice_id = $2 ORDER BY m.id")
                .bind(&o).bind(&inv).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(|(id, p, n)| Ok((parse_uuid(&id)?, p, n)))
            .collect()
    }

    /// Takes one milestone off its invoice.
    pub async fn release_milestone(
        &mut self,
        organization_id: Uuid,
        milestone: Uuid,
    ) -> Result<()> {
        let o = organization_id.to_string();
        on_conn!(self, c => {
            sqlx::query("UPDATE milestones SET invoice_id = NULL WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(milestone.to_string()).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Deletes an editable draft with its lines (its entries and milestones must have been
    /// released first).
    pub async fn delete_draft_invoice(&mut self, organization_id: Uuid, id: Uuid) -> Result<()> {
        let (o, key) = (organization_id.to_string(), id.to_string());
        let n = on_conn!(self, c => {
            sqlx::query("DELETE FROM invoice_lines WHERE organization_id = $1 AND invoice_id = $2 \
                         AND EXISTS (SELECT 1 FROM invoices WHERE organization_id = $1 AND id = $2 AND status IN ('draft', 'rejected'))")
                .bind(&o).bind(&key).execute(&mut *c).await?;
            sqlx::query("DELETE FROM invoices WHERE organization_id = $1 AND id = $2 AND status IN ('draft', 'rejected') AND number IS NULL")
                .bind(&o).bind(&key).execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "invoice {key} is not a draft: only drafts can be deleted; issue a credit note to cancel an issued invoice"
            )));
        }
        Ok(())
    }
}
