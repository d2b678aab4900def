//! The legal identity lines of both parties and the mentions the law wants printed: SIREN,
//! SIRET, VAT number, share capital and trade register for a French seller (Code de
//! commerce R123-237, CGI art. 242 nonies A), UID with MWST/TVA for a Swiss one, and the
//! payment mentions (late-payment penalties, 40 € recovery indemnity, discount terms) that
//! [`DocumentInput`](crate::DocumentInput) carries as PMD/PMT/AAB notes.

use encaisse_core::language::Language;
use encaisse_core::party::{Country, LegalIds};

use super::Context;

/// Note subjects that are printed as legal mentions, in printing order.
const LEGAL_SUBJECTS: [&str; 3] = ["PMD", "PMT", "AAB"];
/// Note subjects meant for machines only (the French processing type).
const MACHINE_SUBJECTS: [&str; 1] = ["BAR"];

/// `732829320` → `732 829 320`.
fn siren(s: &str) -> String {
    format!("{} {} {}", &s[..3], &s[3..6], &s[6..])
}

/// `73282932000074` → `732 829 320 00074`.
fn siret(s: &str) -> String {
    format!("{} {}", siren(&s[..9]), &s[9..])
}

/// The identifiers of a party as printed lines (`SIRET …`, `N° TVA …`, `CHE-… MWST`).
pub fn identity_lines(ids: &LegalIds, vat_printed: bool, language: Language) -> Vec<String> {
    let vat_label = super::labels(language).vat_number;
    let mut lines = Vec::new();
    match (&ids.siret, &ids.siren) {
        (Some(s), _) if s.as_str().len() == 14 => {
            lines.push(format!("SIRET {}", siret(s.as_str())))
        }
        (_, Some(s)) if s.as_str().len() == 9 => lines.push(format!("SIREN {}", siren(s.as_str()))),
        _ => {}
    }
    match (&ids.uid, &ids.vat_id) {
        // The Swiss UID is the VAT number with the MWST/TVA suffix.
        (Some(uid), Some(vat)) if vat.as_str().starts_with("CHE") && vat_printed => {
            lines.push(uid.vat_form(language));
        }
        (Some(uid), _) => lines.push(format!("UID {}", uid.formatted())),
        _ => {}
    }
    if let Some(vat) = &ids.vat_id
        && vat_printed
        && !vat.as_str().starts_with("CHE")
    {
        lines.push(format!("{vat_label} {}", vat.as_str()));
    }
    lines
}

/// The seller's legal identity in one line for the foot of every page: name, legal form and
/// share capital, trade register, SIREN/SIRET or UID, VAT number.
pub fn footer_line(ctx: &Context<'_>) -> String {
    let org = ctx.input.organization();
    let details = &ctx.input.options().seller;
    let mut parts = vec![org.legal_name.clone()];
    match (&details.legal_form, &details.share_capital) {
        (Some(form), Some(capital)) => {
            parts.push(format!("{form} {} {capital}", ctx.labels.share_capital));
        }
        (None, Some(capital)) => parts.push(format!("{} {capital}", ctx.labels.share_capital)),
        (Some(form), None) => parts.push(form.clone()),
        (None, None) => {}
    }
    if let Some(r) = &details.registration {
        parts.push(r.clone());
    }
    parts.extend(identity_lines(
        &org.ids,
        ctx.input.seller_vat_id().is_some(),
        ctx.input.language(),
    ));
    parts.join(" · ")
}

/// The payment mentions to print (late-payment penalties, recovery indemnity, discount).
pub fn mentions<'a>(ctx: &Context<'a>) -> Vec<&'a str> {
    let notes = ctx.input.notes();
    LEGAL_SUBJECTS
        .iter()
        .flat_map(|code| {
            notes
                .iter()
                .filter(move |n| n.subject.as_deref() == Some(*code))
                .map(|n| n.text.as_str())
        })
        .collect()
}

/// The free notes of the document (neither legal mentions nor machine codes).
pub fn free_notes<'a>(ctx: &Context<'a>) -> Vec<&'a str> {
    ctx.input
        .notes()
        .iter()
        .filter(|n| {
            n.subject
                .as_deref()
                .is_none_or(|s| !LEGAL_SUBJECTS.contains(&s) && !MACHINE_SUBJECTS.contains(&s))
        })
        .map(|n| n.text.as_str())
        .filter(|t| !t.trim().is_empty())
        .collect()
}

/// The name of a country in a postal address, when it is not the sender's own.
pub fn country_name(country: Country, language: Language) -> String {
    use Language::*;
    let name = match (country.as_str(), language) {
        ("FR", Fr) => "France",
        ("FR", En) => "France",
        ("FR", De) => "Frankreich",
        ("CH", Fr) => "Suisse",
        ("CH", En) => "Switzerland",
        ("CH", De) => "Schweiz",
        ("DE", Fr) => "Allemagne",
        ("DE", En) => "Germany",
        ("DE", De) => "Deutschland",
        ("BE", Fr) => "Belgique",
        ("BE", En) => "Belgium",
        ("BE", De) => "Belgien",
        ("IT", Fr) => "Italie",
        ("IT", En) => "Italy",
        ("IT", De) => "Italien",
        ("LU", _) => "Luxembourg",
        ("AT", Fr) => "Autriche",
        ("AT", En) => "Austria",
        ("AT", De) => "Österreich",
        ("ES", Fr) => "Espagne",
        ("ES", En) => "Spain",
        ("ES", De) => "Spanien",
        ("GB", Fr) => "Royaume-Uni",
        ("GB", En) => "United Kingdom",
        ("GB", De) => "Vereinigtes Königreich",
        ("US", Fr) => "États-Unis",
        ("US", En) => "United States",
        ("US", De) => "Vereinigte Staaten",
        (code, _) => return code.to_owned(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use encaisse_core::identifiers::{Siren, Siret, SwissUid, VatId};

    #[test]
    fn french_identifiers_are_grouped() {
        let siren_id = Siren::parse("732829320").unwrap();
        let ids = LegalIds {
            vat_id: Some(VatId::french_from_siren(&siren_id)),
            siren: Some(siren_id),
            siret: Some(Siret::parse("73282932000074").unwrap()),
            uid: None,
        };
        assert_eq!(
            identity_lines(&ids, true, Language::Fr),
            vec!["SIRET 732 829 320 00074", "N° TVA FR44732829320"]
        );
        assert_eq!(
            identity_lines(&ids, false, Language::Fr),
            vec!["SIRET 732 829 320 00074"]
        );
    }

    #[test]
    fn a_swiss_vat_number_is_the_uid_with_its_suffix() {
        let ids = LegalIds {
            uid: Some(SwissUid::parse("CHE-116.281.710").unwrap()),
            vat_id: Some(VatId::parse("CHE-116.281.710 MWST").unwrap()),
            ..LegalIds::default()
        };
        assert_eq!(
            identity_lines(&ids, true, Language::De),
            vec!["CHE-116.281.710 MWST"]
        );
        assert_eq!(
            identity_lines(&ids, true, Language::Fr),
            vec!["CHE-116.281.710 TVA"]
        );
        let no_vat = LegalIds {
            vat_id: None,
            ..ids
        };
        assert_eq!(
            identity_lines(&no_vat, true, Language::De),
            vec!["UID CHE-116.281.710"]
        );
    }
}
