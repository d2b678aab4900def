//! The documents of issued invoices, and what the organization and its clients hold for them.
//!
//! An issued invoice's documents (Factur-X PDF, CII and UBL XML, QR-bill slip) are rendered
//! once, in the transaction that issues it, and stored here with their SHA-256: they are
//! only ever inserted, never updated, so what was issued is served byte-identical forever.
//! Bytes live in the database (BLOB/BYTEA) rather than in files so that issuing stays one
//! transaction on both backends: a rollback leaves neither a number nor an orphan file, and
//! a database backup is the whole archive.

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_core::Money;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::organizations::{currency, parse_uuid};
use crate::{Result, StoreError, Tx};

/// The chart of accounts an organization books its sales and payments to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountCodes {
    pub customer: String,
    pub revenue: String,
    pub vat: String,
    pub bank: String,
    pub sales_journal: String,
    pub bank_journal: String,
}

impl Default for AccountCodes {
    fn default() -> Self {
        // The French PCG defaults, the migration's column defaults.
        AccountCodes {
            customer: "411000".into(),
            revenue: "706000".into(),
            vat: "445710".into(),
            bank: "512000".into(),
            sales_journal: "VE".into(),
            bank_journal: "BQ".into(),
        }
    }
}

/// What an organization's documents print and declare beyond the core organization. Stored
/// as given; `encaisse-app` checks values before saving them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSettings {
    /// BT-86, the BIC of the organization's bank.
    pub bic: Option<String>,
    pub legal_form: Option<String>,
    pub share_capital: Option<String>,
    /// Trade register entry, e.g. `RCS Paris 732 829 320`.
    pub registration: Option<String>,
    pub contact_email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// Annual late-payment penalty rate in percent.
    pub late_payment_rate: Option<Decimal>,
    pub early_payment_discount: Option<String>,
    /// `en16931` or `extended-ctc-fr`.
    pub profile: String,
    /// BT-23 code (`S1`, `B1`, `M1`…).
    pub billing_framework: Option<String>,
    /// Print the EPC QR code on EUR invoices.
    pub epc_qr: bool,
    /// PNG or JPEG bytes.
    pub logo: Option<Vec<u8>>,
    pub accounts: AccountCodes,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        DocumentSettings {
            bic: None,
            legal_form: None,
            share_capital: None,
            registration: None,
            contact_email: None,
            phone: None,
            website: None,
            late_payment_rate: None,
            early_payment_discount: None,
            profile: "en16931".into(),
            billing_framework: None,
            epc_qr: false,
            logo: None,
            accounts: AccountCodes::default(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    bic: Option<String>,
    legal_form: Option<String>,
    share_capital: Option<String>,
    registration: Option<String>,
    contact_email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    late_payment_rate: Option<String>,
    early_payment_discount: Option<String>,
    document_profile: String,
    billing_framework: Option<String>,
    epc_qr: bool,
    logo: Option<Vec<u8>>,
    customer_account: String,
    revenue_account: String,
    vat_account: String,
    bank_account: String,
    sales_journal: String,
    bank_journal: String,
}

/// How a client is invoiced and booked beyond the core client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientAccounting {
    /// `None`: a business when the client has a company or VAT identifier.
    pub is_business: Option<bool>,
    /// Auxiliary account and Oxygène client code; `None`: derived from the name.
    pub accounting_code: Option<String>,
}

/// A document to store at issue.
#[derive(Clone, Debug)]
pub struct NewInvoiceDocument<'a> {
    pub organization_id: Uuid,
    pub invoice_id: Uuid,
    pub kind: &'a str,
    pub media_type: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
}

/// A stored document, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InvoiceDocumentInfo {
    pub kind: String,
    pub media_type: String,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
}

/// A stored document with its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceDocument {
    pub info: InvoiceDocumentInfo,
    pub bytes: Vec<u8>,
}

/// A payment as the books need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentRecord {
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub source: String,
    pub reference: Option<String>,
}

fn opt_decimal(s: Option<String>) -> Result<Option<Decimal>> {
    s.map(|v| {
        v.parse::<Decimal>()
            .map_err(|e| StoreError::corrupt(format!("bad decimal `{v}`: {e}")))
    })
    .transpose()
}

impl Tx {
    /// The document settings of an organization (defaults for a new one).
    pub async fn document_settings(&mut self, organization_id: Uuid) -> Result<DocumentSettings> {
        let key = organization_id.to_string();
        let row: Option<SettingsRow> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT bic, legal_form, share_capital, registration, contact_email, phone, website, \
                 late_payment_rate, early_payment_discount, document_profile, billing_framework, epc_qr, \
                 logo, customer_account, revenue_account, vat_account, bank_account, sales_journal, bank_journal \
                 FROM organizations WHERE id = $1",
            )
            .bind(&key).fetch_optional(&mut *c).await?
        });
        let r = row.ok_or(StoreError::NotFound {
            entity: "organization",
            id: key,
        })?;
        Ok(DocumentSettings {
            bic: r.bic,
            legal_form: r.legal_form,
            share_capital: r.share_capital,
            registration: r.registration,
            contact_email: r.contact_email,
            phone: r.phone,
            website: r.website,
            late_payment_rate: opt_decimal(r.late_payment_rate)?,
            early_payment_discount: r.early_payment_discount,
            profile: r.document_profile,
            billing_framework: r.billing_framework,
            epc_qr: r.epc_qr,
            logo: r.logo,
            accounts: AccountCodes {
                customer: r.customer_account,
                revenue: r.revenue_account,
                vat: r.vat_account,
                bank: r.bank_account,
                sales_journal: r.sales_journal,
                bank_journal: r.bank_journal,
            },
        })
    }

    /// Replaces the document settings of an organization.
    pub async fn set_document_settings(
        &mut self,
        organization_id: Uuid,
        s: &DocumentSettings,
    ) -> Result<()> {
        let key = organization_id.to_string();
        let rate = s.late_payment_rate.map(|r| r.normalize().to_string());
        let a = &s.accounts;
        let n = on_conn!(self, c => {
            sqlx::query(
                "UPDATE organizations SET bic = $2, legal_form = $3, share_capital = $4, registration = $5, \
                 contact_email = $6, phone = $7, website = $8, late_payment_rate = $9, early_payment_discount = $10, \
                 document_profile = $11, billing_framework = $12, epc_qr = $13, logo = $14, customer_account = $15, \
                 revenue_account = $16, vat_account = $17, bank_account = $18, sales_journal = $19, bank_journal = $20 \
                 WHERE id = $1",
            )
            .bind(&key).bind(&s.bic).bind(&s.legal_form).bind(&s.share_capital).bind(&s.registration)
            .bind(&s.contact_email).bind(&s.phone).bind(&s.website).bind(&rate).bind(&s.early_payment_discount)
            .bind(&s.profile).bind(&s.billing_framework).bind(s.epc_qr).bind(&s.logo).bind(&a.customer)
            .bind(&a.revenue).bind(&a.vat).bind(&a.bank).bind(&a.sales_journal).bind(&a.bank_journal)
            .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::NotFound {
                entity: "organization",
                id: key,
            });
        }
        Ok(())
    }

    /// Replaces the organization's legal identifiers and bank accounts (as given; the app
    /// parses them first).
    pub async fn set_organization_identity(
        &mut self,
        organization_id: Uuid,
        ids: &encaisse_core::party::LegalIds,
        iban: Option<&encaisse_core::identifiers::Iban>,
        qr_iban: Option<&encaisse_core::identifiers::Iban>,
    ) -> Result<()> {
        let key = organization_id.to_string();
        let n = on_conn!(self, c => {
            sqlx::query(
                "UPDATE organizations SET siren = $2, siret = $3, uid = $4, vat_id = $5, iban = $6, qr_iban = $7 \
                 WHERE id = $1",
            )
            .bind(&key)
            .bind(ids.siren.as_ref().map(|s| s.as_str()))
            .bind(ids.siret.as_ref().map(|s| s.as_str()))
            .bind(ids.uid.as_ref().map(|s| s.formatted()))
            .bind(ids.vat_id.as_ref().map(|s| s.as_str()))
            .bind(iban.map(|s| s.as_str()))
            .bind(qr_iban.map(|s| s.as_str()))
            .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::NotFound {
                entity: "organization",
                id: key,
            });
        }
        Ok(())
    }

    /// How a client is invoiced and booked.
    pub async fn client_accounting(
        &mut self,
        organization_id: Uuid,
        client_id: Uuid,
    ) -> Result<ClientAccounting> {
        let (o, key) = (organization_id.to_string(), client_id.to_string());
        let row: Option<(Option<bool>, Option<String>)> = on_conn!(self, c => {
            sqlx::query_as("SELECT is_business, accounting_code FROM clients WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).fetch_optional(&mut *c).await?
        });
        let (is_business, accounting_code) = row.ok_or(StoreError::NotFound {
            entity: "client",
            id: key,
        })?;
        Ok(ClientAccounting {
            is_business,
            accounting_code,
        })
    }

    pub async fn set_client_accounting(
        &mut self,
        organization_id: Uuid,
        client_id: Uuid,
        a: &ClientAccounting,
    ) -> Result<()> {
        let (o, key) = (organization_id.to_string(), client_id.to_string());
        let n = on_conn!(self, c => {
            sqlx::query("UPDATE clients SET is_business = $3, accounting_code = $4 WHERE organization_id = $1 AND id = $2")
                .bind(&o).bind(&key).bind(a.is_business).bind(&a.accounting_code)
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::NotFound {
                entity: "client",
                id: key,
            });
        }
        Ok(())
    }

    /// Stores a document of an issued invoice. A document is written once: a second one of
    /// the same kind for the same invoice is a conflict, never an overwrite.
    pub async fn insert_invoice_document(
        &mut self,
        d: &NewInvoiceDocument<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (o, inv) = (d.organization_id.to_string(), d.invoice_id.to_string());
        let size = i64::try_from(d.bytes.len()).map_err(StoreError::corrupt)?;
        let n = on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO invoice_documents (organization_id, invoice_id, kind, media_type, file_name, sha256, \
                 size_bytes, bytes, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) \
                 ON CONFLICT (invoice_id, kind) DO NOTHING",
            )
            .bind(&o).bind(&inv).bind(d.kind).bind(d.media_type).bind(d.file_name).bind(d.sha256)
            .bind(size).bind(d.bytes).bind(now)
            .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "invoice {inv} already has a stored {} document: issued documents are never replaced",
                d.kind
            )));
        }
        Ok(())
    }

    /// One stored document of an invoice, with its bytes.
    pub async fn invoice_document(
        &mut self,
        organization_id: Uuid,
        invoice_id: Uuid,
        kind: &str,
    ) -> Result<Option<InvoiceDocument>> {
        let (o, inv) = (organization_id.to_string(), invoice_id.to_string());
        let row: Option<(String, String, String, String, i64, Vec<u8>)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT kind, media_type, file_name, sha256, size_bytes, bytes FROM invoice_documents \
                 WHERE organization_id = $1 AND invoice_id = $2 AND kind = $3",
            )
            .bind(&o).bind(&inv).bind(kind).fetch_optional(&mut *c).await?
        });
        Ok(row.map(
            |(kind, media_type, file_name, sha256, size_bytes, bytes)| InvoiceDocument {
                info: InvoiceDocumentInfo {
                    kind,
                    media_type,
                    file_name,
                    sha256,
                    size_bytes,
                },
                bytes,
            },
        ))
    }

    /// The stored documents of an invoice, without their bytes.
    pub async fn invoice_documents(
        &mut self,
        organization_id: Uuid,
        invoice_id: Uuid,
    ) -> Result<Vec<InvoiceDocumentInfo>> {
        let (o, inv) = (organization_id.to_string(), invoice_id.to_string());
        let rows: Vec<(String, String, String, String, i64)> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT kind, media_type, file_name, sha256, size_bytes FROM invoice_documents \
                 WHERE organization_id = $1 AND invoice_id = $2 ORDER BY kind",
            )
            .bind(&o).bind(&inv).fetch_all(&mut *c).await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(kind, media_type, file_name, sha256, size_bytes)| InvoiceDocumentInfo {
                    kind,
                    media_type,
                    file_name,
                    sha256,
                    size_bytes,
                },
            )
            .collect())
    }

    /// Issued invoices and credit notes with an issue date in `[from, to]`, in issue order.
    pub async fn issued_invoice_ids(
        &mut self,
        organization_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Uuid>> {
        let o = organization_id.to_string();
        let rows: Vec<String> = on_conn!(self, c => {
            sqlx::query_scalar(
                "SELECT id FROM invoices WHERE organization_id = $1 AND number IS NOT NULL \
                 AND issue_date >= $2 AND issue_date <= $3 ORDER BY issue_date, kind, sequence_value, id",
            )
            .bind(&o).bind(from).bind(to).fetch_all(&mut *c).await?
        });
        rows.iter().map(|s| parse_uuid(s)).collect()
    }

    /// Payments received in `[from, to]`, in date order.
    pub async fn payments_received(
        &mut self,
        organization_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PaymentRecord>> {
        let o = organization_id.to_string();
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            String,
            String,
            i64,
            String,
            NaiveDate,
            String,
            Option<String>,
        )> = on_conn!(self, c => {
            sqlx::query_as(
                "SELECT id, invoice_id, amount_minor, currency, received_on, source, reference FROM payments \
                 WHERE organization_id = $1 AND received_on >= $2 AND received_on <= $3 ORDER BY received_on, id",
            )
            .bind(&o).bind(from).bind(to).fetch_all(&mut *c).await?
        });
        rows.into_iter()
            .map(
                |(id, invoice_id, amount, cur, received_on, source, reference)| {
                    Ok(PaymentRecord {
                        id: parse_uuid(&id)?,
                        invoice_id: parse_uuid(&invoice_id)?,
                        amount: Money::from_minor(amount, currency(&cur)?),
                        received_on,
                        source,
                        reference,
                    })
                },
            )
            .collect()
    }
}
