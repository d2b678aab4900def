//! Organizations (tenants).

use chrono::{DateTime, Utc};
use encaisse_core::Currency;
use encaisse_core::identifiers::{Iban, Siren, Siret, SwissUid, VatId};
use encaisse_core::language::Language;
use encaisse_core::numbering::{NumberingPattern, Reset};
use encaisse_core::party::{Address, Country, LegalIds, Organization, PaymentTerms};
use encaisse_core::role::Role;
use uuid::Uuid;

use crate::{Result, StoreError, Tx};

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: String,
    slug: String,
    legal_name: String,
    siren: Option<String>,
    siret: Option<String>,
    uid: Option<String>,
    vat_id: Option<String>,
    street: Option<String>,
    building_number: Option<String>,
    postal_code: String,
    city: String,
    country: String,
    iban: Option<String>,
    qr_iban: Option<String>,
    language: String,
    currency: String,
    payment_terms_days: i32,
    invoice_pattern: String,
    invoice_reset: String,
    credit_note_pattern: String,
    credit_note_reset: String,
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::corrupt(format!("bad id `{s}`: {e}")))
}

fn reset_str(r: Reset) -> &'static str {
    match r {
        Reset::Never => "never",
        Reset::Yearly => "yearly",
    }
}

fn parse_reset(s: &str) -> Result<Reset> {
    match s {
        "never" => Ok(Reset::Never),
        "yearly" => Ok(Reset::Yearly),
        other => Err(StoreError::corrupt(format!(
            "bad numbering reset `{other}`"
        ))),
    }
}

pub(crate) fn legal_ids(
    siren: Option<String>,
    siret: Option<String>,
    uid: Option<String>,
    vat_id: Option<String>,
) -> Result<LegalIds> {
    let c = |e: encaisse_core::identifiers::IdentifierError| StoreError::corrupt(e);
    Ok(LegalIds {
        siren: siren.map(|s| Siren::parse(&s)).transpose().map_err(c)?,
        siret: siret.map(|s| Siret::parse(&s)).transpose().map_err(c)?,
        uid: uid.map(|s| SwissUid::parse(&s)).transpose().map_err(c)?,
        vat_id: vat_id.map(|s| VatId::parse(&s)).transpose().map_err(c)?,
    })
}

pub(crate) fn address(
    street: Option<String>,
    building_number: Option<String>,
    postal_code: String,
    city: String,
    country: &str,
) -> Result<Address> {
    Ok(Address {
        street,
        building_number,
        postal_code,
        city,
        country: Country::parse(country).map_err(StoreError::corrupt)?,
    })
}

pub(crate) fn language(s: &str) -> Result<Language> {
    Language::parse(s).ok_or_else(|| StoreError::corrupt(format!("bad language `{s}`")))
}

pub(crate) fn currency(s: &str) -> Result<Currency> {
    Currency::parse(s).map_err(StoreError::corrupt)
}

impl TryFrom<OrgRow> for Organization {
    type Error = StoreError;
    fn try_from(r: OrgRow) -> Result<Self> {
        Ok(Organization {
            id: parse_uuid(&r.id)?,
            slug: r.slug,
            legal_name: r.legal_name,
            ids: legal_ids(r.siren, r.siret, r.uid, r.vat_id)?,
            address: address(
                r.street,
                r.building_number,
                r.postal_code,
                r.city,
                &r.country,
            )?,
            iban: r
                .iban
                .map(|s| Iban::parse(&s))
                .transpose()
                .map_err(StoreError::corrupt)?,
            qr_iban: r
                .qr_iban
                .map(|s| Iban::parse(&s))
                .transpose()
                .map_err(StoreError::corrupt)?,
            language: language(&r.language)?,
            currency: currency(&r.currency)?,
            terms: PaymentTerms {
                days: u32::try_from(r.payment_terms_days).map_err(StoreError::corrupt)?,
            },
            invoice_numbering: NumberingPattern::parse(
                &r.invoice_pattern,
                parse_reset(&r.invoice_reset)?,
            )
            .map_err(StoreError::corrupt)?,
            credit_note_numbering: NumberingPattern::parse(
                &r.credit_note_pattern,
                parse_reset(&r.credit_note_reset)?,
            )
            .map_err(StoreError::corrupt)?,
        })
    }
}

impl Tx {
    pub async fn insert_organization(
        &mut self,
        o: &Organization,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let id = o.id.to_string();
        let terms = i32::try_from(o.terms.days).map_err(StoreError::corrupt)?;
        on_conn!(self, c => {
            sqlx::query(
                "INSERT INTO organizations (id, slug, legal_name, siren, siret, uid, vat_id, street, \
                 building_number, postal_code, city, country, iban, qr_iban, language, currency, \
                 payment_terms_days, invoice_pattern, invoice_reset, credit_note_pattern, credit_note_reset, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)",
            )
            .bind(&id)
            .bind(&o.slug)
            .bind(&o.legal_name)
            .bind(o.ids.siren.as_ref().map(|s| s.as_str()))
            .bind(o.ids.siret.as_ref().map(|s| s.as_str()))
            .bind(o.ids.uid.as_ref().map(|s| s.formatted()))
            .bind(o.ids.vat_id.as_ref().map(|s| s.as_str()))
            .bind(&o.address.street)
            .bind(&o.address.building_number)
            .bind(&o.address.postal_code)
            .bind(&o.address.city)
            .bind(o.address.country.as_str())
            .bind(o.iban.as_ref().map(|s| s.as_str()))
            .bind(o.qr_iban.as_ref().map(|s| s.as_str()))
            .bind(o.language.code())
            .bind(o.currency.code())
            .bind(terms)
            .bind(o.invoice_numbering.source())
            .bind(reset_str(o.invoice_numbering.reset()))
            .bind(o.credit_note_numbering.source())
            .bind(reset_str(o.credit_note_numbering.reset()))
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    pub async fn organization(&mut self, id: Uuid) -> Result<Organization> {
        let key = id.to_string();
        let row: Option<OrgRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM organizations WHERE id = $1").bind(&key).fetch_optional(&mut *c).await?
        });
        row.ok_or(StoreError::NotFound {
            entity: "organization",
            id: key,
        })?
        .try_into()
    }

    pub async fn organization_by_slug(&mut self, slug: &str) -> Result<Option<Organization>> {
        let row: Option<OrgRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM organizations WHERE slug = $1").bind(slug).fetch_optional(&mut *c).await?
        });
        row.map(Organization::try_from).transpose()
    }

    pub async fn count_organizations(&mut self) -> Result<i64> {
        let n: i64 = on_conn!(self, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(&mut *c).await?
        });
        Ok(n)
    }

    /// The organizations a user belongs to, with the user's role in each.
    pub async fn organizations_of_user(
        &mut self,
        user_id: Uuid,
    ) -> Result<Vec<(Organization, Role)>> {
        let key = user_id.to_string();
        let rows: Vec<(String, String)> = on_conn!(self, c => {
            sqlx::query_as("SELECT organization_id, role FROM memberships WHERE user_id = $1 ORDER BY created_at")
                .bind(&key).fetch_all(&mut *c).await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for (org, role) in rows {
            let role = Role::parse(&role)
                .ok_or_else(|| StoreError::corrupt(format!("bad role `{role}`")))?;
            out.push((self.organization(parse_uuid(&org)?).await?, role));
        }
        Ok(out)
    }
}

impl Tx {
    /// Every organization of the installation (operators' commands only).
    pub async fn all_organizations(&mut self) -> Result<Vec<Organization>> {
        let rows: Vec<OrgRow> = on_conn!(self, c => {
            sqlx::query_as("SELECT * FROM organizations ORDER BY created_at, id").fetch_all(&mut *c).await?
        });
        rows.into_iter().map(Organization::try_from).collect()
    }
}
