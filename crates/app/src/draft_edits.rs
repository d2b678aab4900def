//! Editing and deleting drafts: lines added, removed, re-priced, a discount; deleting a
//! draft. Every change releases or attaches time entries in the same transaction, so an
//! entry is billed exactly while a line of a live invoice names it.

use encaisse_core::invoice::{Invoice, InvoiceLine};
use encaisse_core::role::Permission;
use encaisse_store::audit::NewAuditEvent;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Actor;
use crate::invoices::{DraftLine, to_line};
use crate::{App, AppError, Result};

/// One change to a draft's lines; indices are 0-based and apply in order.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum LineEdit {
    /// Appends a line (its time entries become billed by this draft).
    Add { line: DraftLine },
    /// Removes a line (its time entries are released).
    Remove { index: usize },
    /// Changes a line's wording, quantity, price or discount.
    Update {
        index: usize,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        quantity: Option<Decimal>,
        #[serde(default)]
        unit_price: Option<Decimal>,
        #[serde(default)]
        discount_percent: Option<Decimal>,
    },
    /// Sets the discount of every line.
    Discount { percent: Decimal },
}

fn as_draft_line(l: &InvoiceLine) -> DraftLine {
    DraftLine {
        description: l.description.clone(),
        quantity: l.quantity,
        unit: Some(l.unit.0.clone()),
        unit_price: l.unit_price,
        discount_percent: Some(l.discount_percent),
        vat_category: l.vat.category().code().to_owned(),
        vat_percent: l.vat.percent(),
        time_entry_ids: l.time_entry_ids.clone(),
    }
}

fn line_at(lines: &[InvoiceLine], index: usize) -> Result<usize> {
    if index < lines.len() {
        Ok(index)
    } else {
        Err(AppError::invalid(
            "index",
            format!("the draft has {} line(s); indices start at 0", lines.len()),
        ))
    }
}

impl App {
    /// Applies edits to a draft's lines, all or none.
    pub async fn edit_draft(&self, actor: &Actor, id: Uuid, edits: &[LineEdit]) -> Result<Invoice> {
        actor.require(Permission::EditDrafts, "edit drafts")?;
        if edits.is_empty() {
            return Err(AppError::invalid("edits", "give at least one edit"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut inv = tx.invoice_for_update(actor.organization_id, id).await?;
        inv.ensure_editable()?;
        let before = inv
            .totals()
            .map(|t| t.tax_inclusive.to_decimal_string())
            .ok();
        let lines_before = inv.lines.clone();
        let mut released: Vec<Uuid> = Vec::new();
        let mut attached: Vec<Uuid> = Vec::new();
        let mut removed: Vec<InvoiceLine> = Vec::new();
        for (n, edit) in edits.iter().enumerate() {
            match edit {
                LineEdit::Add { line } => {
                    let l = to_line(inv.lines.len(), line)?;
                    attached.extend(&l.time_entry_ids);
                    inv.lines.push(l);
                }
                LineEdit::Remove { index } => {
                    let i = line_at(&inv.lines, *index)?;
                    let l = inv.lines.remove(i);
                    for id in &l.time_entry_ids {
                        // An entry added then removed in the same request was never attached.
                        if let Some(p) = attached.iter().position(|a| a == id) {
                            attached.remove(p);
                        } else {
                            released.push(*id);
                        }
                    }
                    removed.push(l);
                }
                LineEdit::Update {
                    index,
                    description,
                    quantity,
                    unit_price,
                    discount_percent,
                } => {
                    let i = line_at(&inv.lines, *index)?;
                    let mut d = as_draft_line(&inv.lines[i]);
                    if let Some(v) = description {
                        d.description = v.clone();
                    }
                    if let Some(v) = quantity {
                        d.quantity = *v;
                    }
                    if let Some(v) = unit_price {
                        d.unit_price = *v;
                    }
                    if let Some(v) = discount_percent {
                        d.discount_percent = Some(*v);
                    }
                    inv.lines[i] = to_line(i, &d).map_err(|e| prefix(n, e))?;
                }
                LineEdit::Discount { percent } => {
                    for i in 0..inv.lines.len() {
                        let mut d = as_draft_line(&inv.lines[i]);
                        d.discount_percent = Some(*percent);
                        inv.lines[i] = to_line(i, &d).map_err(|e| prefix(n, e))?;
                    }
                }
            }
        }
        if inv.lines.is_empty() {
            return Err(AppError::invalid(
                "edits",
                "a draft needs at least one line; delete the draft instead",
            ));
        }
        let totals = inv.totals().map_err(|e| AppError::invalid("lines", e))?;
        tx.replace_invoice_lines(&inv, &totals, now).await?;
        if !released.is_empty() {
            tx.release_entries(actor.organization_id, id, Some(&released))
                .await?;
        }
        if !attached.is_empty() {
            tx.attach_entries(actor.organization_id, id, &attached)
                .await?;
        }
        for (m, project, name) in tx.invoice_milestones(actor.organization_id, id).await? {
            let prefix = format!("{project} — {name}");
            let still = inv.lines.iter().any(|l| l.description.starts_with(&prefix));
            if !still && removed.iter().any(|l| l.description.starts_with(&prefix)) {
                tx.release_milestone(actor.organization_id, m).await?;
            }
        }
        if let Some(user) = actor.user_id {
            // Whoever edits a draft may not approve it.
            tx.add_contributor(actor.organization_id, id, user).await?;
        }
        tx.append_audit(NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "invoice.lines_edited",
            entity_type: "invoice",
            entity_id: &id.to_string(),
            before: Some(serde_json::json!({ "gross": before })),
            after: Some(serde_json::json!({
                "edits": edits, "gross": totals.tax_inclusive.to_decimal_string(),
                "changes": encaisse_core::line_diff::diff(&lines_before, &inv.lines),
                "entries_released": released.len(), "entries_attached": attached.len(),
            })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(inv)
    }

    /// Deletes a draft and releases its time entries and milestones; returns how many
    /// entries were released.
    pub async fn delete_draft(&self, actor: &Actor, id: Uuid) -> Result<u64> {
        actor.require(Permission::EditDrafts, "delete drafts")?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let inv = tx.invoice_for_update(actor.organization_id, id).await?;
        if !inv.status.is_editable() || inv.number.is_some() {
            return Err(AppError::Conflict(format!(
                "this invoice is {}: only drafts can be deleted (reopen a pending one first; cancel an issued one with a credit note)",
                inv.status
            )));
        }
        let released = tx.release_entries(actor.organization_id, id, None).await?;
        tx.set_milestone_invoice(actor.organization_id, None, id)
            .await?;
        tx.delete_draft_invoice(actor.organization_id, id).await?;
        tx.append_audit(NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "invoice.deleted",
            entity_type: "invoice",
            entity_id: &id.to_string(),
            before: Some(serde_json::json!({ "status": inv.status, "lines": inv.lines.len() })),
            after: Some(serde_json::json!({ "entries_released": released })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(released)
    }
}

fn prefix(n: usize, e: AppError) -> AppError {
    match e {
        AppError::Invalid { field, message } => AppError::Invalid {
            field: format!("edits[{n}].{}", field.rsplit('.').next().unwrap_or(&field)),
            message,
        },
        other => other,
    }
}
