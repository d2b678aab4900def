//! Invoice use cases: drafts, the approval steps, issuing (gapless number, payment reference,
//! frozen document), payments, credit notes, lists.

use chrono::NaiveDate;
use encaisse_core::invoice::{
    CorrectedInvoice, DocumentKind, Invoice, InvoiceEvent, InvoiceLine, InvoiceStatus, Period,
    UnitCode,
};
use encaisse_core::numbering::SequenceKind;
use encaisse_core::party::{Client, Organization};
use encaisse_core::reference::{CreditorReference, PaymentReference, QrReference};
use encaisse_core::role::Permission;
use encaisse_core::totals::Totals;
use encaisse_core::vat::VatRate;
use encaisse_core::{Currency, Money};
use encaisse_store::Tx;
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::invoices::{InvoiceFilter, InvoiceSummary, IssuedFields};
use encaisse_store::payments::NewPayment;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Actor;
use crate::documents::{Parties, render_for_issue, store_rendered};
use crate::{App, AppError, Result};

/// A line as a user or an import describes it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DraftLine {
    pub description: String,
    pub quantity: Decimal,
    /// UN/ECE rec 20 unit code; `C62` (one) when absent.
    #[serde(default)]
    pub unit: Option<String>,
    pub unit_price: Decimal,
    #[serde(default)]
    pub discount_percent: Option<Decimal>,
    /// VAT category code: S, Z, E, AE, K, G or O.
    pub vat_category: String,
    pub vat_percent: Decimal,
    #[serde(default)]
    pub time_entry_ids: Vec<Uuid>,
}

/// A new draft.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    pub client_id: Uuid,
    /// The client's currency when absent.
    #[serde(default)]
    pub currency: Option<Currency>,
    pub lines: Vec<DraftLine>,
    #[serde(default)]
    pub service_period: Option<Period>,
    #[serde(default)]
    pub buyer_reference: Option<String>,
    #[serde(default)]
    pub purchase_order: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Idempotency key: a second request with the same key returns the first draft.
    #[serde(default)]
    pub external_ref: Option<String>,
}

/// An invoice with what a reader needs beside it.
#[derive(Clone, Debug, Serialize)]
pub struct InvoiceDetail {
    pub invoice: Invoice,
    pub totals: Totals,
    pub client_name: String,
    pub outstanding: Money,
    /// SHA-256 of the frozen document, once issued.
    pub document_sha256: Option<String>,
    /// The legal documents stored at issue (Factur-X PDF, CII, UBL, QR-bill), without bytes.
    pub documents: Vec<encaisse_store::documents::InvoiceDocumentInfo>,
}

pub(crate) fn to_line(i: usize, l: &DraftLine) -> Result<InvoiceLine> {
    let field = |f: &str| format!("lines[{i}].{f}");
    if l.description.trim().is_empty() {
        return Err(AppError::invalid(
            field("description"),
            "describe what is invoiced",
        ));
    }
    if l.quantity.is_sign_negative() && !l.quantity.is_zero() {
        return Err(AppError::invalid(
            field("quantity"),
            "must not be negative; issue a credit note to reduce an invoice",
        ));
    }
    if l.unit_price.is_sign_negative() && !l.unit_price.is_zero() {
        return Err(AppError::invalid(
            field("unit_price"),
            "must not be negative (EN 16931 BR-27)",
        ));
    }
    if l.unit_price.scale() > 4 {
        return Err(AppError::invalid(field("unit_price"), "at most 4 decimals"));
    }
    let discount = l.discount_percent.unwrap_or(Decimal::ZERO);
    if discount < Decimal::ZERO || discount > Decimal::ONE_HUNDRED {
        return Err(AppError::invalid(
            field("discount_percent"),
            "must be between 0 and 100",
        ));
    }
    let vat = VatRate::parse(&l.vat_category, l.vat_percent)
        .map_err(|e| AppError::invalid(field("vat_category"), e))?;
    let unit = l.unit.clone().unwrap_or_else(|| "C62".into());
    if unit.is_empty() || unit.len() > 3 || !unit.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::invalid(
            field("unit"),
            "use a UN/ECE rec 20 code such as HUR (hour), DAY or C62 (one)",
        ));
    }
    Ok(InvoiceLine {
        description: l.description.trim().to_owned(),
        quantity: l.quantity,
        unit: UnitCode(unit.to_ascii_uppercase()),
        unit_price: l.unit_price,
        discount_percent: discount,
        vat,
        time_entry_ids: l.time_entry_ids.clone(),
    })
}

async fn audit_invoice(
    tx: &mut Tx,
    actor: &Actor,
    inv: &Invoice,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    tx.append_audit(NewAuditEvent {
        organization_id: inv.organization_id,
        actor: &actor.label,
        action,
        entity_type: "invoice",
        entity_id: &inv.id.to_string(),
        before,
        after,
        at,
    })
    .await?;
    Ok(())
}

/// The seller as frozen into an issued document.
fn seller_snapshot(org: &Organization) -> serde_json::Value {
    serde_json::json!({
        "legal_name": org.legal_name,
        "ids": org.ids,
        "address": org.address,
        "iban": org.iban,
        "qr_iban": org.qr_iban,
    })
}

/// Checks that the law and the payment networks will accept the document; names the field
/// and the fix.
fn check_legal(org: &Organization, client: &Client, inv: &Invoice, totals: &Totals) -> Result<()> {
    if org.address.country == encaisse_core::party::Country::FR
        && org.ids.siren.is_none()
        && org.ids.siret.is_none()
    {
        return Err(AppError::invalid(
            "organization.siren",
            "a French invoice must show the seller's SIREN (Code de commerce R123-237, BT-30): set it in the organization settings",
        ));
    }
    for (i, l) in inv.lines.iter().enumerate() {
        if l.vat.category().requires_buyer_vat_id() && client.ids.vat_id.is_none() {
            return Err(AppError::invalid(
                format!("lines[{i}].vat_category"),
                format!(
                    "category {} (reverse charge / intra-community) needs the buyer's VAT number: add it to client {}",
                    l.vat.category(),
                    client.name
                ),
            ));
        }
    }
    if totals
        .categories()
        .any(|c| c == encaisse_core::vat::VatCategory::Standard)
        && org.ids.vat_id.is_none()
        && org.ids.uid.is_none()
    {
        return Err(AppError::invalid(
            "organization.vat_id",
            "a standard-rated invoice needs the seller's VAT number (BR-S-02): set it in the organization settings",
        ));
    }
    if inv.currency != org.currency && inv.currency != client.currency {
        return Err(AppError::invalid(
            "currency",
            format!(
                "{} is neither the organization's nor the client's currency",
                inv.currency
            ),
        ));
    }
    Ok(())
}

/// The structured reference printed on the document: a QR reference with a QR-IBAN (CHF or
/// EUR), otherwise an ISO 11649 RF reference built from the number.
fn payment_reference(
    org: &Organization,
    inv: &Invoice,
    number: &str,
    period: &str,
    seq: i64,
) -> Result<Option<PaymentReference>> {
    if inv.kind == DocumentKind::CreditNote {
        return Ok(None);
    }
    let qr_ok =
        org.qr_iban.is_some() && (inv.currency == Currency::CHF || inv.currency == Currency::EUR);
    if qr_ok {
        let year: String = period.chars().filter(char::is_ascii_digit).collect();
        let digits = format!("{year:0>4}1{seq:010}");
        return QrReference::generate(&digits)
            .map(|r| Some(PaymentReference::Qr(r)))
            .map_err(|e| AppError::invalid("payment_reference", e));
    }
    CreditorReference::generate(number)
        .map(|r| Some(PaymentReference::Creditor(r)))
        .map_err(|e| AppError::invalid("number", format!("{e}; shorten the numbering pattern")))
}

impl App {
    /// Creates a draft invoice.
    pub async fn create_draft(&self, actor: &Actor, req: DraftRequest) -> Result<Invoice> {
        actor.require(Permission::EditDrafts, "create invoices")?;
        if req.lines.is_empty() {
            return Err(AppError::invalid(
                "lines",
                "an invoice needs at least one line",
            ));
        }
        let lines = req
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| to_line(i, l))
            .collect::<Result<Vec<_>>>()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        if let Some(r) = req.external_ref.as_deref()
            && let Some(existing) = tx
                .invoice_id_by_external_ref(actor.organization_id, r)
                .await?
        {
            let inv = tx.invoice(actor.organization_id, existing).await?;
            tx.commit().await?;
            return Ok(inv);
        }
        let client = tx.client(actor.organization_id, req.client_id).await?;
        let currency = req.currency.unwrap_or(client.currency);
        let inv = Invoice {
            id: Uuid::now_v7(),
            organization_id: actor.organization_id,
            client_id: client.id,
            kind: DocumentKind::Invoice,
            status: InvoiceStatus::Draft,
            disputed: false,
            number: None,
            currency,
            issue_date: None,
            due_date: None,
            service_period: req.service_period,
            buyer_reference: req.buyer_reference.filter(|s| !s.trim().is_empty()),
            purchase_order: req.purchase_order.filter(|s| !s.trim().is_empty()),
            notes: req.notes.filter(|s| !s.trim().is_empty()),
            lines,
            corrects: None,
            payment_reference: None,
            paid: Money::zero(currency),
        };
        let totals = inv.totals().map_err(|e| AppError::invalid("lines", e))?;
        tx.insert_invoice(&inv, &totals, req.external_ref.as_deref(), now)
            .await?;
        // The entries the lines name are billed by this draft, or the draft is not made.
        let entries: Vec<Uuid> = inv
            .lines
            .iter()
            .flat_map(|l| l.time_entry_ids.iter().copied())
            .collect();
        if !entries.is_empty() {
            tx.attach_entries(inv.organization_id, inv.id, &entries)
                .await?;
        }
        if let Some(user) = actor.user_id {
            // Whoever drafts an invoice may not approve it.
            tx.set_invoice_created_by(inv.organization_id, inv.id, user)
                .await?;
            tx.add_contributor(inv.organization_id, inv.id, user)
                .await?;
        }
        audit_invoice(
            &mut tx,
            actor,
            &inv,
            "invoice.drafted",
            None,
            Some(serde_json::json!({ "client": client.name, "gross": totals.tax_inclusive.to_decimal_string(), "lines": inv.lines.len() })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(inv)
    }

    async fn step(
        &self,
        actor: &Actor,
        id: Uuid,
        event: InvoiceEvent,
        action: &str,
        comment: Option<&str>,
    ) -> Result<Invoice> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut inv = tx.invoice_for_update(actor.organization_id, id).await?;
        let from = inv.status;
        inv.apply(event)?;
        tx.set_invoice_status(actor.organization_id, id, from, inv.status, now)
            .await?;
        audit_invoice(
            &mut tx,
            actor,
            &inv,
            action,
            Some(serde_json::json!({ "status": from })),
            Some(serde_json::json!({ "status": inv.status, "comment": comment })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(inv)
    }

    // submit_invoice, approve_invoice and reject_invoice: the approval circuit, in
    // `crate::validation`.

    /// Issues an approved invoice in one transaction: number, payment reference, due date,
    /// frozen document and its SHA-256, the legal documents (Factur-X PDF, CII, UBL, QR-bill
    /// slip) rendered and stored with their SHA-256, audit event. On any error (a refusal
    /// names the field and the fix) nothing is written and no number is consumed.
    pub async fn issue_invoice(
        &self,
        actor: &Actor,
        id: Uuid,
        issue_date: NaiveDate,
    ) -> Result<Invoice> {
        actor.require(Permission::Issue, "issue invoices")?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut inv = tx.invoice_for_update(actor.organization_id, id).await?;
        let totals = inv.check_issuable()?;
        let parties = Parties::load(&mut tx, actor.organization_id, inv.client_id).await?;
        let (org, client) = (&parties.organization, &parties.client);
        check_legal(org, client, &inv, &totals)?;
        let pattern = match inv.kind {
            DocumentKind::Invoice => &org.invoice_numbering,
            DocumentKind::CreditNote => &org.credit_note_numbering,
        };
        let period = pattern.period_key(issue_date);
        let seq = tx
            .next_sequence_value(org.id, inv.kind.sequence(), &period)
            .await?;
        let seq_u = u64::try_from(seq)
            .map_err(|_| AppError::Conflict(format!("sequence value {seq} is invalid")))?;
        let number = pattern
            .format(seq_u, issue_date)
            .map_err(|e| AppError::invalid("numbering", e))?;
        let reference = payment_reference(org, &inv, &number, &period, seq)?;
        let due = client.terms.due_date(issue_date);
        inv.apply(InvoiceEvent::Issue)?;
        inv.number = Some(number.clone());
        inv.issue_date = Some(issue_date);
        inv.due_date = Some(due);
        inv.payment_reference = reference.clone();
        let frozen = serde_json::json!({
            "format": "encaisse.issued-invoice.v1",
            "invoice": inv,
            "totals": totals,
            "seller": seller_snapshot(org),
            "buyer": client,
        })
        .to_string();
        let sha = hex::encode(Sha256::digest(frozen.as_bytes()));
        // Rendered before anything is written: a refusal here rolls the number back.
        let documents = render_for_issue(&parties, &inv, &totals)?;
        tx.mark_invoice_issued(
            org.id,
            id,
            &IssuedFields {
                number: number.clone(),
                sequence_period: period,
                sequence_value: seq,
                issue_date,
                due_date: due,
                payment_reference: reference,
                frozen_json: frozen,
                frozen_sha256: sha.clone(),
            },
            now,
        )
        .await?;
        store_rendered(&mut tx, &inv, &documents.rendered, now).await?;
        let hashes: serde_json::Map<String, serde_json::Value> = documents
            .rendered
            .iter()
            .map(|d| (d.kind.code().to_owned(), d.sha256.clone().into()))
            .collect();
        if let Some(c) = &inv.corrects {
            // A full credit note cancels the invoice it corrects.
            let mut original = tx.invoice_for_update(org.id, c.invoice_id).await?;
            let from = original.status;
            original.apply(InvoiceEvent::CancelByCreditNote)?;
            tx.set_invoice_status(org.id, original.id, from, original.status, now)
                .await?;
            audit_invoice(
                &mut tx,
                actor,
                &original,
                "invoice.cancelled",
                Some(serde_json::json!({ "status": from })),
                Some(serde_json::json!({ "status": original.status, "credit_note": number })),
                now,
            )
            .await?;
        }
        audit_invoice(
            &mut tx,
            actor,
            &inv,
            "invoice.issued",
            Some(serde_json::json!({ "status": InvoiceStatus::Approved })),
            Some(serde_json::json!({
                "status": inv.status, "number": number, "issue_date": issue_date, "due_date": due,
                "gross": totals.tax_inclusive.to_decimal_string(), "document_sha256": sha,
                "documents": hashes,
                "documents_not_produced": documents.not_produced.iter()
                    .map(|(k, why)| (k.code().to_owned(), serde_json::Value::from(why.as_str())))
                    .collect::<serde_json::Map<_, _>>(),
            })),
            now,
        )
        .await?;
        // Billed Clockify entries get marked invoiced there by the outbox worker.
        crate::clockify_sync::enqueue_mark_invoiced(&mut tx, org.id, id, now).await?;
        tx.commit().await?;
        Ok(inv)
    }

    /// Marks an issued invoice as sent (until the mail issue sends them itself).
    pub async fn mark_invoice_sent(&self, actor: &Actor, id: Uuid) -> Result<Invoice> {
        actor.require(Permission::Issue, "mark invoices as sent")?;
        self.step(actor, id, InvoiceEvent::MarkSent, "invoice.sent", None)
            .await
    }

    /// Records a payment on an open invoice.
    pub async fn record_payment(
        &self,
        actor: &Actor,
        id: Uuid,
        amount: Money,
        received_on: NaiveDate,
        source: &str,
        reference: Option<&str>,
    ) -> Result<Invoice> {
        actor.require(Permission::RecordPayments, "record payments")?;
        if amount.is_negative() || amount.is_zero() {
            return Err(AppError::invalid("amount", "a payment must be above zero"));
        }
        if amount.to_minor().is_err() {
            return Err(AppError::invalid(
                "amount",
                format!(
                    "{} allows {} decimals",
                    amount.currency(),
                    amount.currency().minor_digits()
                ),
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut inv = tx.invoice_for_update(actor.organization_id, id).await?;
        if amount.currency() != inv.currency {
            return Err(AppError::invalid(
                "amount",
                format!(
                    "the invoice is in {}, the payment in {}",
                    inv.currency,
                    amount.currency()
                ),
            ));
        }
        let before =
            serde_json::json!({ "status": inv.status, "paid": inv.paid.to_decimal_string() });
        inv.record_payment(amount)?;
        tx.insert_payment(
            &NewPayment {
                organization_id: inv.organization_id,
                invoice_id: id,
                amount,
                received_on,
                source,
                reference,
            },
            now,
        )
        .await?;
        tx.set_invoice_paid(inv.organization_id, id, &inv.paid, inv.status, now)
            .await?;
        audit_invoice(
            &mut tx,
            actor,
            &inv,
            "invoice.payment_recorded",
            Some(before),
            Some(serde_json::json!({
                "status": inv.status, "paid": inv.paid.to_decimal_string(), "amount": amount.to_decimal_string(),
                "received_on": received_on, "source": source, "reference": reference,
            })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(inv)
    }

    /// Drafts a credit note that reverses an issued invoice in full. It goes through approval
    /// and issuing like an invoice; issuing it cancels the original.
    pub async fn draft_credit_note(
        &self,
        actor: &Actor,
        invoice_id: Uuid,
        reason: &str,
        external_ref: Option<&str>,
    ) -> Result<Invoice> {
        actor.require(Permission::EditDrafts, "draft credit notes")?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid(
                "reason",
                "say why the invoice is cancelled: the credit note prints it",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        if let Some(r) = external_ref
            && let Some(existing) = tx
                .invoice_id_by_external_ref(actor.organization_id, r)
                .await?
        {
            let cn = tx.invoice(actor.organization_id, existing).await?;
            tx.commit().await?;
            return Ok(cn);
        }
        let original = tx
            .invoice_for_update(actor.organization_id, invoice_id)
            .await?;
        let (Some(number), Some(issue_date)) = (original.number.clone(), original.issue_date)
        else {
            return Err(AppError::Conflict(
                "only an issued invoice can be credited; edit or delete the draft instead".into(),
            ));
        };
        if original.kind != DocumentKind::Invoice || !original.status.is_open() {
            return Err(AppError::Conflict(format!(
                "invoice {number} is {}: only an open invoice can be cancelled by a credit note",
                original.status
            )));
        }
        let cn = Invoice {
            id: Uuid::now_v7(),
            kind: DocumentKind::CreditNote,
            status: InvoiceStatus::Draft,
            disputed: false,
            number: None,
            issue_date: None,
            due_date: None,
            notes: Some(reason.trim().to_owned()).filter(|s| !s.is_empty()),
            corrects: Some(CorrectedInvoice {
                invoice_id,
                number: number.clone(),
                issue_date,
            }),
            payment_reference: None,
            paid: Money::zero(original.currency),
            ..original.clone()
        };
        let totals = cn.totals().map_err(|e| AppError::invalid("lines", e))?;
        tx.insert_invoice(&cn, &totals, external_ref, now).await?;
        audit_invoice(
            &mut tx,
            actor,
            &cn,
            "credit_note.drafted",
            None,
            Some(serde_json::json!({ "corrects": number, "reason": reason, "gross": totals.tax_inclusive.to_decimal_string() })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(cn)
    }

    pub async fn list_invoices(
        &self,
        actor: &Actor,
        filter: &InvoiceFilter,
    ) -> Result<Vec<InvoiceSummary>> {
        actor.require(Permission::Read, "read invoices")?;
        let mut tx = self.store.read().await?;
        let rows = tx.invoices(actor.organization_id, filter).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn invoice_detail(&self, actor: &Actor, id: Uuid) -> Result<InvoiceDetail> {
        actor.require(Permission::Read, "read invoices")?;
        let mut tx = self.store.read().await?;
        let invoice = tx.invoice(actor.organization_id, id).await?;
        let client = tx.client(actor.organization_id, invoice.client_id).await?;
        let frozen = tx.frozen_invoice(actor.organization_id, id).await?;
        let documents = tx.invoice_documents(actor.organization_id, id).await?;
        tx.commit().await?;
        let totals = invoice
            .totals()
            .map_err(|e| AppError::Conflict(e.to_string()))?;
        let outstanding = totals
            .tax_inclusive
            .checked_sub(&invoice.paid)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
        Ok(InvoiceDetail {
            invoice,
            totals,
            client_name: client.name,
            outstanding,
            document_sha256: frozen.map(|(_, h)| h),
            documents,
        })
    }

    /// Finds an invoice by its number (or id) within the actor's organization.
    pub async fn resolve_invoice(&self, actor: &Actor, number_or_id: &str) -> Result<Uuid> {
        if let Ok(id) = Uuid::parse_str(number_or_id) {
            return Ok(id);
        }
        let mut tx = self.store.read().await?;
        let id = tx
            .invoice_id_by_number(actor.organization_id, number_or_id)
            .await?;
        tx.commit().await?;
        id.ok_or_else(|| AppError::NotFound {
            entity: "invoice",
            id: number_or_id.to_owned(),
        })
    }

    /// The invoice's audit history, oldest first.
    pub async fn invoice_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<encaisse_store::audit::AuditEvent>> {
        actor.require(Permission::Read, "read invoice history")?;
        let mut tx = self.store.read().await?;
        // Not found (404) for another organization's or an unknown invoice, not an empty list.
        tx.invoice(actor.organization_id, id).await?;
        let events = tx
            .audit_events_for(actor.organization_id, "invoice", &id.to_string())
            .await?;
        tx.commit().await?;
        Ok(events)
    }

    /// Verifies the audit chain of every organization.
    pub async fn verify_audit(&self) -> Result<Vec<encaisse_store::audit::ChainReport>> {
        let mut out = Vec::new();
        for org in self.store.audited_organizations().await? {
            out.push(self.store.verify_audit_chain(&org).await?);
        }
        Ok(out)
    }

    /// Which sequence a kind of document draws from (exposed for reports).
    pub fn sequence_of(kind: DocumentKind) -> SequenceKind {
        kind.sequence()
    }
}
