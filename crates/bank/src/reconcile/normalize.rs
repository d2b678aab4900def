//! Text as banks deliver it, made comparable: upper-case ASCII without accents, and company
//! names without legal forms, so `Müller Treuhand AG`, `MUELLER TREUHAND` and
//! `Muller Treuhand A.G.` meet.
//!
//! MT940 allows no accents, French banks drop them, Swiss banks keep them, German banks write
//! `ue` for `ü`: every form is folded to one key.

/// Upper-case ASCII; accented Latin letters lose their accent (`é` → `E`, `ß` → `SS`,
/// `æ` → `AE`); any other character becomes a space. Runs of spaces are kept as they are.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if c.is_ascii() {
            out.push(c);
        } else {
            match fold_letter(c) {
                Some(s) => out.push_str(s),
                None => out.push(' '),
            }
        }
    }
    out
}

/// The base letters of the accented Latin letters met in French, German, Swiss, Italian,
/// Spanish and Portuguese company names.
fn fold_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'ā' | 'Ā' | 'ą'
        | 'Ą' => "A",
        'æ' | 'Æ' => "AE",
        'ç' | 'Ç' | 'ć' | 'Ć' | 'č' | 'Č' => "C",
        'ď' | 'Ď' | 'đ' | 'Đ' => "D",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' | 'ē' | 'Ē' | 'ę' | 'Ę' | 'ě' | 'Ě' => {
            "E"
        }
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'ī' | 'Ī' => "I",
        'ł' | 'Ł' | 'ľ' | 'Ľ' => "L",
        'ñ' | 'Ñ' | 'ń' | 'Ń' | 'ň' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'ō' | 'Ō' => {
            "O"
        }
        'œ' | 'Œ' => "OE",
        'ř' | 'Ř' => "R",
        'ś' | 'Ś' | 'š' | 'Š' | 'ș' | 'Ș' | 'ş' | 'Ş' => "S",
        'ß' => "SS",
        'ť' | 'Ť' | 'ț' | 'Ț' => "T",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'ū' | 'Ū' | 'ů' | 'Ů' => "U",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "Y",
        'ź' | 'Ź' | 'ż' | 'Ż' | 'ž' | 'Ž' => "Z",
        _ => return None,
    })
}

/// Legal forms and the words that only say "a company" (`Société`, `Ets`), dropped from
/// names before comparing them. Multi-letter abbreviations written with dots (`S.A.R.L.`)
/// are joined back before this list is consulted.
const LEGAL_WORDS: &[&str] = &[
    "SA",
    "SAS",
    "SASU",
    "SARL",
    "EURL",
    "SCI",
    "SNC",
    "SCS",
    "SCA",
    "SCOP",
    "SCM",
    "SELARL",
    "SELAS",
    "SEL",
    "EI",
    "EIRL",
    "EARL",
    "GAEC",
    "SE",
    "GIE",
    "GMBH",
    "MBH",
    "AG",
    "KG",
    "OHG",
    "UG",
    "GBR",
    "EG",
    "EV",
    "KGAA",
    "SAGL",
    "SRL",
    "SPA",
    "SNC",
    "BV",
    "NV",
    "LTD",
    "LIMITED",
    "LLC",
    "LLP",
    "PLC",
    "INC",
    "CORP",
    "CO",
    "CIE",
    "ET",
    "UND",
    "AND",
    "SOCIETE",
    "STE",
    "ETS",
    "ETABLISSEMENTS",
    "FIRMA",
    "HOLDING",
];

/// Courtesy titles before a person's name.
const TITLES: &[&str] = &[
    "M", "MR", "MME", "MLLE", "MM", "MONSIEUR", "MADAME", "HERR", "FRAU", "DR", "ME", "OU",
];

/// The comparable form of a company or person name: folded, `ä`/`ae` and `ö`/`oe` and
/// `ü`/`ue` made equal, dotted abbreviations joined (`S.A.` → `SA`), legal forms and titles
/// dropped, words separated by one space. Empty when nothing distinctive is left.
pub fn normalize_name(name: &str) -> String {
    let folded = fold(name);
    let mut words: Vec<String> = Vec::new();
    let mut letters = String::new();
    for raw in folded.split(|c: char| !c.is_ascii_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        // `S.A.R.L.` arrives as single letters: gather them into one word.
        if raw.len() == 1 && raw.chars().all(|c| c.is_ascii_alphabetic()) {
            letters.push_str(raw);
            continue;
        }
        if !letters.is_empty() {
            words.push(std::mem::take(&mut letters));
        }
        words.push(german_umlauts(raw));
    }
    if !letters.is_empty() {
        words.push(letters);
    }
    let kept: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !LEGAL_WORDS.contains(w))
        .collect();
    let start = kept.iter().take_while(|w| TITLES.contains(w)).count();
    kept[start..].join(" ")
}

/// `MUELLER` and `MULLER` (from `Müller`) meet: the German transliteration `UE/OE/AE` is
/// reduced to the bare vowel. Harmless for French (`QUEUE` → `QUEUE`: only a vowel followed
/// by `E` after a consonant is touched, and both sides go through the same reduction).
fn german_umlauts(word: &str) -> String {
    let bytes = word.as_bytes();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        out.push(char::from(c));
        let after_consonant = i > 0 && !b"AEIOUY".contains(&bytes[i - 1]);
        if matches!(c, b'A' | b'O' | b'U') && after_consonant && bytes.get(i + 1) == Some(&b'E') {
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// The name's words in alphabetical order, so `SARL DUPONT CONSEIL` and `Conseil Dupont`
/// compare equal once legal forms are gone.
pub(crate) fn sorted_words(normalized: &str) -> String {
    let mut words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.join(" ")
}

/// The folded name with single spaces and nothing else changed, used to recognise a name the
/// bank cut at 35 (camt, SEPA) or 32 (OFX) characters.
pub(crate) fn folded_words(name: &str) -> String {
    fold(name)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(german_umlauts)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_disappear() {
        assert_eq!(
            fold("Électricité Gérard-Lefèvre"),
            "ELECTRICITE GERARD-LEFEVRE"
        );
        assert_eq!(fold("Straße"), "STRASSE");
    }

    #[test]
    fn legal_forms_and_dots_are_dropped() {
        assert_eq!(normalize_name("Dupont Conseil S.A.R.L."), "DUPONT CONSEIL");
        assert_eq!(normalize_name("SARL DUPONT CONSEIL"), "DUPONT CONSEIL");
        assert_eq!(normalize_name("Ets Martin & Cie"), "MARTIN");
        assert_eq!(normalize_name("Müller Treuhand AG"), "MULLER TREUHAND");
        assert_eq!(normalize_name("MUELLER TREUHAND"), "MULLER TREUHAND");
        assert_eq!(normalize_name("M. ou Mme Durand"), "DURAND");
        assert_eq!(normalize_name("Mme Durand"), "DURAND");
    }

    #[test]
    fn word_order_does_not_matter_for_sorted_words() {
        assert_eq!(
            sorted_words(&normalize_name("Conseil Dupont SAS")),
            sorted_words(&normalize_name("SAS Dupont Conseil"))
        );
    }
}
