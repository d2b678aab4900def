//! Response bodies the REST API adds to the shared views of `encaisse_app::views`
//! (`InvoiceListItem`, `ClientView`), with the same habits: ids as UUIDs, codes as strings,
//! money as decimal strings with the currency's decimals.

use chrono::{DateTime, NaiveDate, Utc};
use encaisse_app::invoices::InvoiceDetail;
use encaisse_app::views::{ClientView, InvoiceListItem};
use encaisse_core::Money;
use encaisse_core::party::Organization;
use encaisse_core::role::Role;
use encaisse_core::time_entry::TimeEntry;
use encaisse_store::audit::AuditEvent;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::openapi::mirrors;

fn money(m: &Money) -> String {
    m.to_decimal_string()
}

fn decimal(d: Decimal) -> String {
    d.normalize().to_string()
}

/// One page of invoices, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoicePage {
    #[schema(value_type = Vec<mirrors::InvoiceListItem>)]
    pub items: Vec<InvoiceListItem>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// One page of clients, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientPage {
    #[schema(value_type = Vec<mirrors::ClientView>)]
    pub items: Vec<ClientView>,
    /// Pass as `offset` to get the next page; `null` on the last page.
    pub next_offset: Option<i64>,
}

/// One page of time entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntryPage {
    pub items: Vec<TimeEntryView>,
    pub next_cursor: Option<String>,
}

/// An organization the caller belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: Uuid,
    pub slug: String,
    pub legal_name: String,
    pub country: String,
    pub currency: String,
    /// owner, approver, accountant or viewer.
    pub role: String,
    /// Whether requests act in this organization now.
    pub current: bool,
}

impl OrganizationView {
    pub fn new(org: &Organization, role: Role, current: Option<Uuid>) -> Self {
        OrganizationView {
            id: org.id,
            slug: org.slug.clone(),
            legal_name: org.legal_name.clone(),
            country: org.address.country.as_str().to_owned(),
            currency: org.currency.code().to_owned(),
            role: role.as_str().to_owned(),
            current: current == Some(org.id),
        }
    }
}

/// The logged-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    /// `null` when calling with an API token (only the e-mail travels with the token).
    pub display_name: Option<String>,
    pub language: Option<String>,
}

/// Who is logged in, where they act, and the token to send as `X-CSRF-Token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub user: UserView,
    pub organizations: Vec<OrganizationView>,
    pub current_organization_id: Option<Uuid>,
    /// Send it as `X-CSRF-Token` on every POST/PUT/PATCH/DELETE made with the session
    /// cookie. `null` for API tokens, which need none.
    pub csrf_token: Option<String>,
}

/// A time entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntryView {
    pub id: Uuid,
    pub project_id: Uuid,
    /// clockify, csv or manual.
    pub source: String,
    pub external_id: String,
    pub user_name: String,
    pub description: String,
    pub started_at: DateTime<Utc>,
    pub duration_seconds: i64,
    /// Exact hours as a decimal string.
    pub hours: String,
    pub billable: bool,
    pub hourly_rate: Option<String>,
    pub rate_currency: Option<String>,
    /// The invoice that bills it; `null` while unbilled.
    pub invoice_id: Option<Uuid>,
}

impl From<&TimeEntry> for TimeEntryView {
    fn from(e: &TimeEntry) -> Self {
        TimeEntryView {
            id: e.id,
            project_id: e.project_id,
            source: e.source.as_str().to_owned(),
            external_id: e.external_id.clone(),
            user_name: e.user_name.clone(),
            description: e.description.clone(),
            started_at: e.started_at,
            duration_seconds: e.duration_seconds,
            hours: decimal(e.hours().round_dp(4)),
            billable: e.billable,
            hourly_rate: e.hourly_rate.as_ref().map(money),
            rate_currency: e.hourly_rate.map(|m| m.currency().code().to_owned()),
            invoice_id: e.invoice_id,
        }
    }
}

/// One event of an invoice's audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    /// Position in the organization's hash chain.
    pub seq: i64,
    pub occurred_at: String,
    pub actor: String,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// SHA-256 of this event, chained to the previous one.
    pub hash: String,
    pub prev_hash: String,
}

impl From<&AuditEvent> for AuditEventView {
    fn from(e: &AuditEvent) -> Self {
        let json = |s: &Option<String>| {
            s.as_deref().map(|s| {
                serde_json::from_str(s).unwrap_or_else(|_| serde_json::Value::String(s.to_owned()))
            })
        };
        AuditEventView {
            seq: e.seq,
            occurred_at: e.occurred_at.clone(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            before: json(&e.before_json),
            after: json(&e.after_json),
            hash: e.hash.clone(),
            prev_hash: e.prev_hash.clone(),
        }
    }
}

/// An invoice or credit note with its lines, totals and VAT breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceDetailView {
    pub id: Uuid,
    /// invoice or credit_note.
    pub kind: String,
    /// Assigned at issue; `null` for drafts.
    pub number: Option<String>,
    pub status: String,
    pub disputed: bool,
    pub client_id: Uuid,
    pub client: String,
    pub currency: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub service_period: Option<PeriodView>,
    pub buyer_reference: Option<String>,
    pub purchase_order: Option<String>,
    pub notes: Option<String>,
    pub lines: Vec<LineView>,
    pub vat_breakdown: Vec<VatBreakdownView>,
    pub totals: TotalsView,
    pub paid: String,
    pub outstanding: String,
    pub payment_reference: Option<PaymentReferenceView>,
    /// For a credit note: the invoice it corrects.
    pub corrects: Option<CorrectedInvoiceView>,
    /// SHA-256 of the frozen document, once issued.
    pub document_sha256: Option<String>,
    /// The legal documents stored at issue, served byte-identical by `/pdf`, `/xml`.
    pub documents: Vec<DocumentView>,
}

/// A legal document stored at issue.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    /// facturx_pdf, cii_xml, ubl_xml, qrbill_pdf or qrbill_svg.
    pub kind: String,
    pub media_type: String,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodView {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    pub description: String,
    pub quantity: String,
    /// UN/ECE rec 20 unit code.
    pub unit: String,
    pub unit_price: String,
    pub discount_percent: String,
    pub vat_category: String,
    pub vat_percent: String,
    /// quantity × unit price, rounded.
    pub gross: String,
    pub allowance: String,
    pub net: String,
    pub time_entry_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VatBreakdownView {
    pub vat_category: String,
    pub vat_percent: String,
    pub taxable: String,
    pub tax: String,
}

/// Document totals (EN 16931 BG-22).
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsView {
    pub line_total: String,
    pub tax_exclusive: String,
    pub vat_total: String,
    pub tax_inclusive: String,
    pub prepaid: String,
    pub due: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentReferenceView {
    /// qr (Swiss QR reference) or creditor (ISO 11649 RF).
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectedInvoiceView {
    pub invoice_id: Uuid,
    pub number: String,
    pub issue_date: NaiveDate,
}

impl From<&InvoiceDetail> for InvoiceDetailView {
    fn from(d: &InvoiceDetail) -> Self {
        let inv = &d.invoice;
        let lines = inv
            .lines
            .iter()
            .zip(
                d.totals
                    .lines
                    .iter()
                    .map(Some)
                    .chain(std::iter::repeat(None)),
            )
            .map(|(l, amounts)| LineView {
                description: l.description.clone(),
                quantity: decimal(l.quantity),
                unit: l.unit.0.clone(),
                unit_price: decimal(l.unit_price),
                discount_percent: decimal(l.discount_percent),
                vat_category: l.vat.category().code().to_owned(),
                vat_percent: decimal(l.vat.percent()),
                gross: amounts.map(|a| money(&a.gross)).unwrap_or_default(),
                allowance: amounts.map(|a| money(&a.allowance)).unwrap_or_default(),
                net: amounts.map(|a| money(&a.net)).unwrap_or_default(),
                time_entry_ids: l.time_entry_ids.clone(),
            })
            .collect();
        let t = &d.totals;
        InvoiceDetailView {
            id: inv.id,
            kind: inv.kind.as_str().to_owned(),
            number: inv.number.clone(),
            status: inv.status.as_str().to_owned(),
            disputed: inv.disputed,
            client_id: inv.client_id,
            client: d.client_name.clone(),
            currency: inv.currency.code().to_owned(),
            issue_date: inv.issue_date,
            due_date: inv.due_date,
            service_period: inv.service_period.map(|p| PeriodView {
                start: p.start,
                end: p.end,
            }),
            buyer_reference: inv.buyer_reference.clone(),
            purchase_order: inv.purchase_order.clone(),
            notes: inv.notes.clone(),
            lines,
            vat_breakdown: t
                .breakdown
                .iter()
                .map(|b| VatBreakdownView {
                    vat_category: b.rate.category().code().to_owned(),
                    vat_percent: decimal(b.rate.percent()),
                    taxable: money(&b.taxable),
                    tax: money(&b.tax),
                })
                .collect(),
            totals: TotalsView {
                line_total: money(&t.line_total),
                tax_exclusive: money(&t.tax_exclusive),
                vat_total: money(&t.vat_total),
                tax_inclusive: money(&t.tax_inclusive),
                prepaid: money(&t.prepaid),
                due: money(&t.due),
            },
            paid: money(&inv.paid),
            outstanding: money(&d.outstanding),
            payment_reference: inv
                .payment_reference
                .as_ref()
                .map(|r| PaymentReferenceView {
                    kind: match r {
                        encaisse_core::reference::PaymentReference::Qr(_) => "qr",
                        encaisse_core::reference::PaymentReference::Creditor(_) => "creditor",
                    }
                    .to_owned(),
                    value: r.as_str().to_owned(),
                }),
            corrects: inv.corrects.as_ref().map(|c| CorrectedInvoiceView {
                invoice_id: c.invoice_id,
                number: c.number.clone(),
                issue_date: c.issue_date,
            }),
            document_sha256: d.document_sha256.clone(),
            documents: d
                .documents
                .iter()
                .map(|x| DocumentView {
                    kind: x.kind.clone(),
                    media_type: x.media_type.clone(),
                    file_name: x.file_name.clone(),
                    sha256: x.sha256.clone(),
                    size_bytes: x.size_bytes,
                })
                .collect(),
        }
    }
}
