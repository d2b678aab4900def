//! How clients and projects are billed: terms (rate, rounding, minimum, grouping, discount,
//! VAT override) per client or for the organization, fixed-fee projects and their
//! milestones, and the entries waiting for a human look.

use chrono::NaiveDate;
use encaisse_core::Money;
use encaisse_core::billing::{DurationRule, LineGrouping, RoundingScope};
use encaisse_core::role::Permission;
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::billing_terms::{MilestoneRecord, StoredTerms};
use encaisse_store::time_sync::ReviewRow;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::auth::Actor;
use crate::{App, AppError, Result};

fn check(t: &StoredTerms) -> Result<()> {
    let scope = match &t.rounding_scope {
        Some(s) => RoundingScope::parse(s)
            .ok_or_else(|| AppError::invalid("rounding_scope", "use entry or line"))?,
        None => RoundingScope::Entry,
    };
    DurationRule::new(
        t.rounding_minutes.unwrap_or(0),
        scope,
        t.minimum_minutes.unwrap_or(0),
    )
    .map_err(|e| AppError::invalid("rounding_minutes", e))?;
    if let Some(g) = &t.line_grouping
        && LineGrouping::parse(g).is_none()
    {
        return Err(AppError::invalid(
            "line_grouping",
            "use project, task, user or entry",
        ));
    }
    if let Some(d) = t.discount_percent
        && (d < Decimal::ZERO || d > Decimal::ONE_HUNDRED)
    {
        return Err(AppError::invalid(
            "discount_percent",
            "must be between 0 and 100",
        ));
    }
    if t.hourly_rate.is_some_and(|r| r.is_negative()) {
        return Err(AppError::invalid("hourly_rate", "must not be negative"));
    }
    Ok(())
}

impl App {
    /// Sets a client's billing terms, or the organization's defaults when `client_id` is
    /// `None`.
    pub async fn set_billing_terms(
        &self,
        actor: &Actor,
        client_id: Option<Uuid>,
        terms: &StoredTerms,
    ) -> Result<()> {
        actor.require(Permission::ManageOrganization, "change billing terms")?;
        check(terms)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        if let Some(c) = client_id {
            tx.client(actor.organization_id, c).await?;
        }
        tx.set_billing_terms(actor.organization_id, client_id, terms, now)
            .await?;
        tx.append_audit(NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "billing_terms.set",
            entity_type: if client_id.is_some() { "client" } else { "organization" },
            entity_id: &client_id.unwrap_or(actor.organization_id).to_string(),
            before: None,
            after: Some(serde_json::json!({
                "hourly_rate": terms.hourly_rate.map(|m| m.to_string()), "rounding_minutes": terms.rounding_minutes,
                "rounding_scope": terms.rounding_scope, "minimum_minutes": terms.minimum_minutes,
                "line_grouping": terms.line_grouping, "discount_percent": terms.discount_percent,
                "vat": terms.vat_override.map(|v| v.to_string()),
            })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a project's rate and billing mode (`hourly` or `fixed_fee`).
    pub async fn set_project_billing(
        &self,
        actor: &Actor,
        project_id: Uuid,
        rate: Option<Money>,
        mode: &str,
    ) -> Result<()> {
        actor.require(Permission::ManageOrganization, "change project billing")?;
        if !matches!(mode, "hourly" | "fixed_fee") {
            return Err(AppError::invalid("billing_mode", "use hourly or fixed_fee"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.set_project_billing(actor.organization_id, project_id, rate, Some(mode))
            .await?;
        tx.append_audit(NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "project.billing_set",
            entity_type: "project",
            entity_id: &project_id.to_string(),
            before: None,
            after: Some(
                serde_json::json!({ "rate": rate.map(|m| m.to_string()), "billing_mode": mode }),
            ),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a milestone to a fixed-fee project; `reached_on` makes it billable from then.
    pub async fn add_milestone(
        &self,
        actor: &Actor,
        project_id: Uuid,
        name: &str,
        amount: Money,
        reached_on: Option<NaiveDate>,
    ) -> Result<Uuid> {
        actor.require(Permission::EditDrafts, "add milestones")?;
        if name.trim().is_empty() {
            return Err(AppError::invalid("name", "name the milestone"));
        }
        if amount.is_negative() || amount.to_minor().is_err() {
            return Err(AppError::invalid(
                "amount",
                "a positive amount with the currency's decimals",
            ));
        }
        let now = self.now();
        let m = MilestoneRecord {
            id: Uuid::now_v7(),
            organization_id: actor.organization_id,
            project_id,
            name: name.trim().to_owned(),
            amount,
            reached_on,
            invoice_id: None,
        };
        let mut tx = self.store.write().await?;
        tx.insert_milestone(&m, now).await?;
        tx.append_audit(NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "milestone.added",
            entity_type: "project",
            entity_id: &project_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "milestone": m.name, "amount": amount.to_string(), "reached_on": reached_on })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(m.id)
    }

    /// Time entries changed or deleted at their source after they were billed.
    pub async fn entries_to_review(&self, actor: &Actor) -> Result<Vec<ReviewRow>> {
        actor.require(Permission::Read, "read time entries")?;
        let mut tx = self.store.read().await?;
        let rows = tx.entries_to_review(actor.organization_id).await?;
        tx.commit().await?;
        Ok(rows)
    }
}
