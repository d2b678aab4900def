//! The payment mentions French law requires on B2B invoices (Code de commerce L441-9 and
//! L441-10), completed when the caller's notes lack them.

use encaisse_core::language::Language;
use encaisse_core::party::Client;

use crate::options::{DocumentOptions, Note, ProcessingType};
use crate::texts;

/// Whether the buyer is a business, to whom French law owes the B2B mentions: said by the
/// processing type, else by the caller, else by the buyer having a company or VAT identifier.
pub(super) fn is_professional(
    client: &Client,
    processing: Option<ProcessingType>,
    declared: Option<bool>,
) -> bool {
    match (processing, declared) {
        (Some(ProcessingType::B2c | ProcessingType::B2cInternational), _) => false,
        (Some(_), _) => true,
        (None, Some(business)) => business,
        (None, None) => {
            let ids = &client.ids;
            ids.siren.is_some() || ids.siret.is_some() || ids.uid.is_some() || ids.vat_id.is_some()
        }
    }
}

/// Adds the PMT, PMD and AAB mentions French B2B invoices must carry (Code de commerce
/// L441-9 and L441-10) when the notes given do not already have them, so the printed
/// document and the XML say the same.
pub(super) fn complete_french_mentions(
    notes: &mut Vec<Note>,
    language: Language,
    options: &DocumentOptions,
) {
    let (pmt, pmd, aab) = texts::french_b2b_mentions(language);
    let has = |notes: &[Note], code: &str| notes.iter().any(|n| n.subject.as_deref() == Some(code));
    if !has(notes, "PMT") {
        notes.push(Note::new(Some("PMT"), pmt));
    }
    if !has(notes, "PMD") {
        let text = match options.late_payment_rate {
            Some(rate) => {
                let rate = rate.normalize().to_string();
                let rate = match language {
                    Language::En => rate,
                    _ => rate.replace('.', ","),
                };
                texts::late_payment_penalty(language, &rate)
            }
            None => pmd.to_owned(),
        };
        notes.push(Note::new(Some("PMD"), &text));
    }
    if !has(notes, "AAB") {
        let text = options
            .early_payment_discount
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(aab);
        notes.push(Note::new(Some("AAB"), text));
    }
}
