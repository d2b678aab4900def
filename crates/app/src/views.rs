//! The shapes in which invoices and clients leave encaisse (CLI JSON/CSV and the REST API
//! share them, so scripts can rely on one set of field names). Amounts are decimal strings.

use chrono::NaiveDate;
use encaisse_core::party::Client;
use encaisse_store::invoices::InvoiceSummary;
use serde::Serialize;
use uuid::Uuid;

/// One invoice in a list.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct InvoiceListItem {
    pub id: Uuid,
    pub kind: String,
    /// `null` for drafts.
    pub number: Option<String>,
    pub status: String,
    pub disputed: bool,
    pub client_id: Uuid,
    pub client: String,
    pub currency: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub net: String,
    pub vat: String,
    pub gross: String,
    pub paid: String,
    pub outstanding: String,
}

impl From<&InvoiceSummary> for InvoiceListItem {
    fn from(s: &InvoiceSummary) -> Self {
        InvoiceListItem {
            id: s.id,
            kind: s.kind.as_str().to_owned(),
            number: s.number.clone(),
            status: s.status.as_str().to_owned(),
            disputed: s.disputed,
            client_id: s.client_id,
            client: s.client_name.clone(),
            currency: s.currency.code().to_owned(),
            issue_date: s.issue_date,
            due_date: s.due_date,
            net: s.net.to_decimal_string(),
            vat: s.vat.to_decimal_string(),
            gross: s.gross.to_decimal_string(),
            paid: s.paid.to_decimal_string(),
            outstanding: s.outstanding.to_decimal_string(),
        }
    }
}

/// One client in a list or on its own.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClientView {
    pub id: Uuid,
    pub name: String,
    pub country: String,
    pub postal_code: String,
    pub city: String,
    pub street: Option<String>,
    pub building_number: Option<String>,
    pub email: Option<String>,
    pub language: String,
    pub currency: String,
    pub payment_terms_days: u32,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub uid: Option<String>,
    pub vat_id: Option<String>,
    pub requires_purchase_order: bool,
}

impl From<&Client> for ClientView {
    fn from(c: &Client) -> Self {
        ClientView {
            id: c.id,
            name: c.name.clone(),
            country: c.address.country.as_str().to_owned(),
            postal_code: c.address.postal_code.clone(),
            city: c.address.city.clone(),
            street: c.address.street.clone(),
            building_number: c.address.building_number.clone(),
            email: c.email.clone(),
            language: c.language.code().to_owned(),
            currency: c.currency.code().to_owned(),
            payment_terms_days: c.terms.days,
            siren: c.ids.siren.as_ref().map(|s| s.as_str().to_owned()),
            siret: c.ids.siret.as_ref().map(|s| s.as_str().to_owned()),
            uid: c.ids.uid.as_ref().map(|u| u.formatted()),
            vat_id: c.ids.vat_id.as_ref().map(|v| v.as_str().to_owned()),
            requires_purchase_order: c.requires_purchase_order,
        }
    }
}
