//! Structured references wherever the payer put them: the structured field, or — since French
//! banking apps only offer a free-text "libellé" — inside the remittance text, in any case,
//! grouped with spaces or not.

use encaisse_core::reference::{CreditorReference, QrReference};

use super::decision::ReferencePlace;

/// A valid QR or RF reference read from a transaction, in electronic form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FoundReference {
    pub compact: String,
    pub place: ReferencePlace,
}

/// Every valid reference of the structured field and of the folded free text (upper-case
/// ASCII, see [`super::normalize::fold`]). Validity (mod 10 recursive, mod 97) is what tells
/// a reference from other digits.
pub(crate) fn find_references(structured: Option<&str>, folded_text: &str) -> Vec<FoundReference> {
    let mut found = Vec::new();
    if let Some(raw) = structured {
        if let Ok(qr) = QrReference::parse(raw) {
            push(&mut found, qr.as_str(), ReferencePlace::StructuredField);
        } else if let Ok(rf) = CreditorReference::parse(raw) {
            push(&mut found, rf.as_str(), ReferencePlace::StructuredField);
        } else {
            // Another scheme, or a reference mangled with other text: read it as text.
            scan_text(&raw.to_ascii_uppercase(), &mut found);
        }
    }
    scan_text(folded_text, &mut found);
    found
}

fn push(found: &mut Vec<FoundReference>, compact: &str, place: ReferencePlace) {
    if !found.iter().any(|f| f.compact == compact) {
        found.push(FoundReference {
            compact: compact.to_owned(),
            place,
        });
    }
}

fn scan_text(text: &str, found: &mut Vec<FoundReference>) {
    let bytes = text.as_bytes();
    scan_qr(bytes, found);
    scan_rf(bytes, found);
}

/// QR references: runs of digits in which single spaces may separate groups; every 27-digit
/// window of a run is checked, so a number written just before the reference does not hide it.
fn scan_qr(bytes: &[u8], found: &mut Vec<FoundReference>) {
    let mut run = String::new();
    let mut i = 0;
    while i <= bytes.len() {
        let b = bytes.get(i).copied();
        match b {
            Some(d) if d.is_ascii_digit() => run.push(char::from(d)),
            Some(b' ')
                if !run.is_empty() && bytes.get(i + 1).is_some_and(|n| n.is_ascii_digit()) => {}
            _ => {
                if run.len() >= 27 {
                    for start in 0..=run.len() - 27 {
                        if let Ok(qr) = QrReference::parse(&run[start..start + 27]) {
                            push(found, qr.as_str(), ReferencePlace::FreeText);
                        }
                    }
                }
                run.clear();
            }
        }
        i += 1;
    }
}

/// RF references: `RF` at a word start, two check digits, then letters and digits possibly
/// grouped by single spaces; since the text may go on right after the reference, every length
/// from the longest down is checked.
fn scan_rf(bytes: &[u8], found: &mut Vec<FoundReference>) {
    let mut i = 0;
    while i + 1 < bytes.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start && bytes[i] == b'R' && bytes[i + 1] == b'F' {
            let mut compact = String::from("RF");
            let mut j = i + 2;
            while j < bytes.len() && compact.len() < 25 {
                let b = bytes[j];
                if b.is_ascii_alphanumeric() {
                    compact.push(char::from(b));
                } else if !(b == b' ' && bytes.get(j + 1).is_some_and(u8::is_ascii_alphanumeric)) {
                    break;
                }
                j += 1;
            }
            for len in (5..=compact.len()).rev() {
                if let Ok(rf) = CreditorReference::parse(&compact[..len]) {
                    push(found, rf.as_str(), ReferencePlace::FreeText);
                    break;
                }
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(structured: Option<&str>, text: &str) -> Vec<String> {
        find_references(structured, text)
            .into_iter()
            .map(|f| f.compact)
            .collect()
    }

    #[test]
    fn qr_reference_grouped_by_spaces_inside_text() {
        assert_eq!(
            refs(None, "PAIEMENT 21 00000 00003 13947 14300 09017 MERCI"),
            ["210000000003139471430009017"]
        );
    }

    #[test]
    fn qr_reference_glued_to_a_preceding_number() {
        assert_eq!(
            refs(None, "FACT 42 210000000003139471430009017"),
            ["210000000003139471430009017"]
        );
    }

    #[test]
    fn rf_reference_followed_by_words() {
        assert_eq!(
            refs(None, "VIR RF18 5390 0754 7034 FACTURE DUPONT"),
            ["RF18539007547034"]
        );
    }

    #[test]
    fn structured_field_is_typed() {
        let found = find_references(Some("rf18539007547034"), "");
        assert_eq!(found[0].compact, "RF18539007547034");
        assert_eq!(found[0].place, ReferencePlace::StructuredField);
    }

    #[test]
    fn a_wrong_check_digit_is_no_reference() {
        assert!(refs(None, "RF18 5390 0754 7035").is_empty());
        assert!(refs(None, "210000000003139471430009018").is_empty());
    }
}
