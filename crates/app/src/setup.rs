//! First start: the first organization and its owner.

use encaisse_core::Currency;
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Country, LegalIds, Organization, PaymentTerms};
use encaisse_core::role::Role;
use encaisse_store::Tx;
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::auth::User;
use uuid::Uuid;

use crate::auth::hash_password;
use crate::{App, AppError, Result};

/// What `encaisse init` asks for.
#[derive(Clone, Debug)]
pub struct InitRequest {
    pub org_name: String,
    pub country: Country,
    pub currency: Currency,
    pub owner_email: String,
    pub owner_password: String,
}

/// What `init` created.
#[derive(Clone, Debug)]
pub struct Initialized {
    pub organization: Organization,
    pub owner: User,
}

/// A URL-friendly identifier from a name (`Octet & Associés SAS` → `octet-associes-sas`).
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let s = out.trim_end_matches('-').to_owned();
    if s.is_empty() { "org".into() } else { s }
}

fn fold_accent(c: char) -> impl Iterator<Item = char> {
    let s: &str = match c {
        'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' => "a",
        'ç' | 'Ç' => "c",
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => "e",
        'î' | 'ï' | 'Î' => "i",
        'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' => "o",
        'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => "u",
        'ß' => "ss",
        _ => "",
    };
    let owned: Vec<char> = if s.is_empty() {
        vec![c]
    } else {
        s.chars().collect()
    };
    owned.into_iter()
}

/// The usual language of a country's invoices.
pub fn language_of(country: Country) -> Language {
    match country.as_str() {
        "FR" | "BE" | "LU" | "MC" => Language::Fr,
        "DE" | "AT" | "CH" | "LI" => Language::De,
        _ => Language::En,
    }
}

/// Basic shape check of an e-mail address (the server will tell more when mail is sent).
pub fn check_email(email: &str) -> Result<String> {
    let e = email.trim().to_lowercase();
    let ok = e
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
    if ok && !e.contains(char::is_whitespace) {
        Ok(e)
    } else {
        Err(AppError::invalid(
            "email",
            format!("`{email}` is not an e-mail address such as name@example.com"),
        ))
    }
}

impl App {
    /// Creates the first organization and its owner, unless the database already has one.
    pub async fn init(&self, req: InitRequest) -> Result<Initialized> {
        if req.org_name.trim().is_empty() {
            return Err(AppError::invalid(
                "org-name",
                "give the legal name of the organization",
            ));
        }
        let email = check_email(&req.owner_email)?;
        let password_hash = hash_password(&req.owner_password)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        if tx.count_organizations().await? > 0 {
            return Err(AppError::AlreadyInitialized(
                "this data directory is already initialised; nothing was changed (use `encaisse serve`, or another --data-dir for a new installation)".into(),
            ));
        }
        let (invoice_numbering, credit_note_numbering) = Organization::default_numbering();
        let org = Organization {
            id: Uuid::now_v7(),
            slug: slugify(&req.org_name),
            legal_name: req.org_name.trim().to_owned(),
            ids: LegalIds::default(),
            address: Address {
                street: None,
                building_number: None,
                postal_code: String::new(),
                city: String::new(),
                country: req.country,
            },
            iban: None,
            qr_iban: None,
            language: language_of(req.country),
            currency: req.currency,
            terms: PaymentTerms::default(),
            invoice_numbering,
            credit_note_numbering,
        };
        let owner = User {
            id: Uuid::now_v7(),
            email,
            display_name: req.owner_email.trim().to_owned(),
            password_hash,
            language: org.language.code().to_owned(),
        };
        create_organization(&mut tx, &org, "system:init", now).await?;
        add_member(&mut tx, &org, &owner, Role::Owner, true, "system:init", now).await?;
        tx.commit().await?;
        Ok(Initialized {
            organization: org,
            owner,
        })
    }
}

/// Inserts an organization and opens its audit chain.
pub(crate) async fn create_organization(
    tx: &mut Tx,
    org: &Organization,
    actor: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    tx.insert_organization(org, now).await?;
    tx.append_audit(NewAuditEvent {
        organization_id: org.id,
        actor,
        action: "organization.created",
        entity_type: "organization",
        entity_id: &org.id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "legal_name": org.legal_name, "slug": org.slug, "country": org.address.country.as_str(),
            "currency": org.currency.code(),
        })),
        at: now,
    })
    .await?;
    Ok(())
}

/// Adds a user (inserted when `new_user`) to an organization with a role, audited.
pub(crate) async fn add_member(
    tx: &mut Tx,
    org: &Organization,
    user: &User,
    role: Role,
    new_user: bool,
    actor: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    if new_user {
        tx.insert_user(user, now).await?;
    }
    tx.upsert_membership(user.id, org.id, role, now).await?;
    tx.append_audit(NewAuditEvent {
        organization_id: org.id,
        actor,
        action: "membership.granted",
        entity_type: "user",
        entity_id: &user.id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "email": user.email, "role": role.as_str() })),
        at: now,
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Octet & Associés SAS"), "octet-associes-sas");
        assert_eq!(slugify("  Müller GmbH "), "muller-gmbh");
        assert_eq!(slugify("!!!"), "org");
    }

    #[test]
    fn emails() {
        assert_eq!(check_email(" Owner@Demo.Test ").unwrap(), "owner@demo.test");
        assert!(check_email("owner").is_err());
        assert!(check_email("a@b").is_err());
    }
}
