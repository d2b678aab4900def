//! What an organization's documents need beyond the core organization (BIC, French company
//! mentions, late-payment rate, Factur-X profile, EPC QR, logo, chart of accounts) and how a
//! client is invoiced and booked (business flag, accounting code): read and changed here,
//! checked before saving, each change audited.

use encaisse_core::identifiers::Iban;
use encaisse_core::party::LegalIds;
use encaisse_core::role::Permission;
use encaisse_documents::pdf::Logo;
use encaisse_store::documents::{ClientAccounting, DocumentSettings};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Actor;
use crate::documents::{parse_framework, parse_profile};
use crate::{App, AppError, Result};

/// The settings as the audit trail shows them (the logo by its hash).
fn audit_view(s: &DocumentSettings) -> serde_json::Value {
    serde_json::json!({
        "bic": s.bic, "legal_form": s.legal_form, "share_capital": s.share_capital,
        "registration": s.registration, "contact_email": s.contact_email, "phone": s.phone,
        "website": s.website, "late_payment_rate": s.late_payment_rate.map(|r| r.to_string()),
        "early_payment_discount": s.early_payment_discount, "profile": s.profile,
        "billing_framework": s.billing_framework, "epc_qr": s.epc_qr,
        "logo_sha256": s.logo.as_ref().map(|l| hex::encode(Sha256::digest(l))),
        "accounts": {
            "customer": s.accounts.customer, "revenue": s.accounts.revenue, "vat": s.accounts.vat,
            "bank": s.accounts.bank, "sales_journal": s.accounts.sales_journal,
            "bank_journal": s.accounts.bank_journal,
        },
    })
}

/// Checks settings before they are saved; names the field and the fix.
pub fn check_settings(s: &DocumentSettings) -> Result<()> {
    let profile = parse_profile(&s.profile)?;
    if let Some(f) = &s.billing_framework {
        parse_framework(f)?;
    }
    if profile == encaisse_documents::Profile::ExtendedCtcFr && s.billing_framework.is_none() {
        return Err(AppError::invalid(
            "billing_framework",
            "the extended-ctc-fr profile needs the cadre de facturation (BT-23): S1 for services, B1 for goods, M1 for both",
        ));
    }
    if let Some(bic) = &s.bic {
        let ok =
            (bic.len() == 8 || bic.len() == 11) && bic.chars().all(|c| c.is_ascii_alphanumeric());
        if !ok {
            return Err(AppError::invalid(
                "bic",
                format!("`{bic}` is not a BIC: 8 or 11 letters and digits, e.g. BNPAFRPPXXX"),
            ));
        }
    }
    if let Some(rate) = s.late_payment_rate
        && (rate <= Decimal::ZERO || rate > Decimal::ONE_HUNDRED)
    {
        return Err(AppError::invalid(
            "late_payment_rate",
            "an annual rate in percent above 0 and at most 100 (French law: at least three times the legal interest rate)",
        ));
    }
    if let Some(logo) = &s.logo {
        Logo::new(logo.clone()).map_err(|e| AppError::invalid("logo", e))?;
    }
    let accounts = [
        ("accounts.customer", &s.accounts.customer),
        ("accounts.revenue", &s.accounts.revenue),
        ("accounts.vat", &s.accounts.vat),
        ("accounts.bank", &s.accounts.bank),
        ("accounts.sales_journal", &s.accounts.sales_journal),
        ("accounts.bank_journal", &s.accounts.bank_journal),
    ];
    for (field, value) in accounts {
        if value.trim().is_empty() || value.chars().any(char::is_whitespace) {
            return Err(AppError::invalid(
                field,
                "an account or journal code is one word without spaces, e.g. 411000 or VE",
            ));
        }
    }
    Ok(())
}

impl App {
    /// The organization's document settings.
    pub async fn document_settings(&self, actor: &Actor) -> Result<DocumentSettings> {
        actor.require(Permission::Read, "read the organization's settings")?;
        let mut tx = self.store.read().await?;
        let s = tx.document_settings(actor.organization_id).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Replaces the organization's document settings (checked, audited). Issued documents
    /// are not affected: they were stored at issue.
    pub async fn update_document_settings(
        &self,
        actor: &Actor,
        settings: &DocumentSettings,
    ) -> Result<()> {
        actor.require(
            Permission::ManageOrganization,
            "change the organization's settings",
        )?;
        check_settings(settings)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx.document_settings(actor.organization_id).await?;
        tx.set_document_settings(actor.organization_id, settings)
            .await?;
        tx.append_audit(encaisse_store::audit::NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "organization.document_settings_changed",
            entity_type: "organization",
            entity_id: &actor.organization_id.to_string(),
            before: Some(audit_view(&before)),
            after: Some(audit_view(settings)),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the organization's legal identifiers and bank accounts (checked, audited).
    /// A QR-IBAN is refused as the normal IBAN and a normal IBAN as the QR-IBAN.
    pub async fn update_organization_identity(
        &self,
        actor: &Actor,
        ids: &LegalIds,
        iban: Option<Iban>,
        qr_iban: Option<Iban>,
    ) -> Result<()> {
        actor.require(
            Permission::ManageOrganization,
            "change the organization's settings",
        )?;
        if iban.as_ref().is_some_and(Iban::is_qr_iban) {
            return Err(AppError::invalid(
                "iban",
                "this is a QR-IBAN, which only accepts QR references: give it as the QR-IBAN and the account's normal IBAN here",
            ));
        }
        if qr_iban.as_ref().is_some_and(|q| !q.is_qr_iban()) {
            return Err(AppError::invalid(
                "qr_iban",
                "this is a normal IBAN (a QR-IBAN has an institution id between 30000 and 31999): give it as the IBAN",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx.organization(actor.organization_id).await?;
        tx.set_organization_identity(actor.organization_id, ids, iban.as_ref(), qr_iban.as_ref())
            .await?;
        tx.append_audit(encaisse_store::audit::NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "organization.identity_changed",
            entity_type: "organization",
            entity_id: &actor.organization_id.to_string(),
            before: Some(serde_json::json!({ "ids": before.ids, "iban": before.iban, "qr_iban": before.qr_iban })),
            after: Some(serde_json::json!({ "ids": ids, "iban": iban, "qr_iban": qr_iban })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets how a client is invoiced and booked (audited).
    pub async fn update_client_accounting(
        &self,
        actor: &Actor,
        client_id: Uuid,
        accounting: &ClientAccounting,
    ) -> Result<()> {
        actor.require(Permission::ManageOrganization, "change clients")?;
        if let Some(code) = &accounting.accounting_code
            && (code.trim().is_empty() || code.chars().any(char::is_whitespace))
        {
            return Err(AppError::invalid(
                "accounting_code",
                "an accounting code is one word without spaces, e.g. CDUPONT or 411DUPONT",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .client_accounting(actor.organization_id, client_id)
            .await?;
        tx.set_client_accounting(actor.organization_id, client_id, accounting)
            .await?;
        tx.append_audit(encaisse_store::audit::NewAuditEvent {
            organization_id: actor.organization_id,
            actor: &actor.label,
            action: "client.accounting_changed",
            entity_type: "client",
            entity_id: &client_id.to_string(),
            before: Some(serde_json::json!({ "is_business": before.is_business, "accounting_code": before.accounting_code })),
            after: Some(serde_json::json!({ "is_business": accounting.is_business, "accounting_code": accounting.accounting_code })),
            at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
