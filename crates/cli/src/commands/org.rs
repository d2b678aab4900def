//! The organization's identity, bank accounts and document settings: `org show`, `org set`.
//! What is set here is printed on invoices issued afterwards; issued ones never change.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use encaisse_core::identifiers::{Iban, Siren, Siret, SwissUid, VatId};
use rust_decimal::Decimal;

use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// What the organization's invoices print and declare.
    Show,
    /// Change what the organization's invoices print (only the options given; `""` clears).
    Set(Box<SetArgs>),
}

#[derive(Args, Debug)]
pub struct SetArgs {
    #[arg(long)]
    siren: Option<String>,
    #[arg(long)]
    siret: Option<String>,
    /// Swiss UID, e.g. CHE-116.281.710.
    #[arg(long)]
    uid: Option<String>,
    #[arg(long)]
    vat_id: Option<String>,
    #[arg(long)]
    iban: Option<String>,
    /// Swiss QR-IBAN (QR references).
    #[arg(long)]
    qr_iban: Option<String>,
    #[arg(long)]
    bic: Option<String>,
    /// e.g. SAS, SARL, GmbH.
    #[arg(long)]
    legal_form: Option<String>,
    /// As printed, e.g. "50 000 €".
    #[arg(long)]
    share_capital: Option<String>,
    /// Trade register entry, e.g. "RCS Paris 303 265 045".
    #[arg(long)]
    registration: Option<String>,
    #[arg(long)]
    contact_email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    website: Option<String>,
    /// Annual late-payment penalty rate in percent, e.g. 12.15.
    #[arg(long)]
    late_payment_rate: Option<String>,
    #[arg(long)]
    early_payment_discount: Option<String>,
    /// en16931 (default) or extended-ctc-fr.
    #[arg(long)]
    profile: Option<String>,
    /// BT-23 cadre de facturation: S1, B1, M1…
    #[arg(long)]
    billing_framework: Option<String>,
    /// Print the EPC QR code on EUR invoices.
    #[arg(long)]
    epc_qr: Option<bool>,
    /// PNG or JPEG file printed on the first page (`""` removes the logo).
    #[arg(long, value_name = "FILE")]
    logo: Option<PathBuf>,
}

/// `Some("")` clears, `Some(v)` sets, `None` keeps.
fn apply(slot: &mut Option<String>, value: &Option<String>) {
    if let Some(v) = value {
        *slot = Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    }
}

fn parsed<T, E: std::fmt::Display>(
    current: Option<T>,
    value: &Option<String>,
    parse: impl Fn(&str) -> std::result::Result<T, E>,
    flag: &str,
) -> Result<Option<T>> {
    match value.as_deref().map(str::trim) {
        None => Ok(current),
        Some("") => Ok(None),
        Some(v) => parse(v)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("--{flag} {v}: {e}")),
    }
}

pub async fn run(cli: &Cli, c: &OrgCommand) -> Result<()> {
    let app = super::open(cli).await?;
    let actor = super::operator(&app, cli).await?;
    let org = app.organization_by_slug_or_only(cli.org.as_deref()).await?;
    match c {
        OrgCommand::Show => {
            let s = app.document_settings(&actor).await?;
            let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            println!("{} ({})", org.legal_name, org.slug);
            println!(
                "SIREN      {}",
                org.ids
                    .siren
                    .as_ref()
                    .map_or("—".into(), |v| v.as_str().to_owned())
            );
            println!(
                "SIRET      {}",
                org.ids
                    .siret
                    .as_ref()
                    .map_or("—".into(), |v| v.as_str().to_owned())
            );
            println!(
                "UID        {}",
                org.ids.uid.as_ref().map_or("—".into(), |v| v.formatted())
            );
            println!(
                "VAT id     {}",
                org.ids
                    .vat_id
                    .as_ref()
                    .map_or("—".into(), |v| v.as_str().to_owned())
            );
            println!(
                "IBAN       {}",
                org.iban
                    .as_ref()
                    .map_or("—".into(), |v| v.as_str().to_owned())
            );
            println!(
                "QR-IBAN    {}",
                org.qr_iban
                    .as_ref()
                    .map_or("—".into(), |v| v.as_str().to_owned())
            );
            println!("BIC        {}", opt(&s.bic));
            println!(
                "legal form {}   share capital {}   {}",
                opt(&s.legal_form),
                opt(&s.share_capital),
                opt(&s.registration)
            );
            println!(
                "contact    {}   {}   {}",
                opt(&s.contact_email),
                opt(&s.phone),
                opt(&s.website)
            );
            println!(
                "penalties  {}   discount {}",
                s.late_payment_rate
                    .map_or("legal minimum".into(), |r| format!("{r} %")),
                opt(&s.early_payment_discount)
            );
            println!(
                "profile    {}   cadre {}   EPC QR {}   logo {}",
                s.profile,
                opt(&s.billing_framework),
                if s.epc_qr { "yes" } else { "no" },
                s.logo
                    .as_ref()
                    .map_or("none".into(), |l| format!("{} bytes", l.len()))
            );
            let a = &s.accounts;
            println!(
                "accounts   customers {}  revenue {}  VAT {}  bank {}  journals {}/{}",
                a.customer, a.revenue, a.vat, a.bank, a.sales_journal, a.bank_journal
            );
            Ok(())
        }
        OrgCommand::Set(a) => {
            let identity_given = [&a.siren, &a.siret, &a.uid, &a.vat_id, &a.iban, &a.qr_iban]
                .iter()
                .any(|v| v.is_some());
            if identity_given {
                let mut ids = org.ids.clone();
                ids.siren = parsed(ids.siren, &a.siren, Siren::parse, "siren")?;
                ids.siret = parsed(ids.siret, &a.siret, Siret::parse, "siret")?;
                ids.uid = parsed(ids.uid, &a.uid, SwissUid::parse, "uid")?;
                ids.vat_id = parsed(ids.vat_id, &a.vat_id, VatId::parse, "vat-id")?;
                let iban = parsed(org.iban.clone(), &a.iban, Iban::parse, "iban")?;
                let qr_iban = parsed(org.qr_iban.clone(), &a.qr_iban, Iban::parse, "qr-iban")?;
                app.update_organization_identity(&actor, &ids, iban, qr_iban)
                    .await?;
            }
            let mut s = app.document_settings(&actor).await?;
            let before = s.clone();
            apply(&mut s.bic, &a.bic.as_ref().map(|b| b.to_ascii_uppercase()));
            apply(&mut s.legal_form, &a.legal_form);
            apply(&mut s.share_capital, &a.share_capital);
            apply(&mut s.registration, &a.registration);
            apply(&mut s.contact_email, &a.contact_email);
            apply(&mut s.phone, &a.phone);
            apply(&mut s.website, &a.website);
            apply(&mut s.early_payment_discount, &a.early_payment_discount);
            apply(&mut s.billing_framework, &a.billing_framework);
            s.late_payment_rate = parsed(
                s.late_payment_rate,
                &a.late_payment_rate,
                |v| v.replace(',', ".").parse::<Decimal>(),
                "late-payment-rate",
            )?;
            if let Some(p) = &a.profile {
                s.profile = p.trim().to_owned();
            }
            if let Some(e) = a.epc_qr {
                s.epc_qr = e;
            }
            if let Some(path) = &a.logo {
                s.logo = if path.as_os_str().is_empty() {
                    None
                } else {
                    Some(
                        std::fs::read(path)
                            .with_context(|| format!("cannot read the logo {}", path.display()))?,
                    )
                };
            }
            if s != before {
                app.update_document_settings(&actor, &s).await?;
            }
            println!("Saved. Invoices issued from now on print it; issued ones never change.");
            Ok(())
        }
    }
}
