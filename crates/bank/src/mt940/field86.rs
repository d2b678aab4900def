//! The `:86:` "information to account owner" field: free text whose structure depends on the
//! bank. Three shapes are recognised:
//!
//! - **German "Strukturiertes Feld 86"** (`166?00GUTSCHRIFT?20EREF+…?21SVWZ+…?32NAME`):
//!   `?00` posting text, `?20`–`?29` and `?60`–`?63` purpose (with the SEPA keys `EREF+`,
//!   `SVWZ+`, `MREF+`…), `?31` account, `?32`/`?33` name;
//! - **Dutch slash keywords** (ING, Rabobank, ABN AMRO: `/EREF/…//CNTP/iban/bic/name/city//REMI/
//!   USTD//text/`, `/ORDP//NAME/…/REMI/…/IBAN/…`);
//! - anything else is **free text** (most French and Swiss banks).
//!
//! MT940 wraps fields at 65 characters, often inside a word or a keyword, so structured
//! content is read with its lines glued back together; free text joins lines with a space
//! unless a line is a full 65-character line (a hard wrap).

/// What `:86:` tells about a movement.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Details {
    pub name: Option<String>,
    pub account: Option<String>,
    pub remittance: Option<String>,
    pub structured_reference: Option<String>,
    pub end_to_end_id: Option<String>,
    /// The whole structured field (or the German posting text), kept for searching.
    pub raw: Option<String>,
}

pub(super) fn interpret(lines: &[String]) -> Details {
    let glued: String = lines.concat();
    if is_german_structured(&glued) {
        german(&glued)
    } else if let Some(details) = slash_keywords(&glued) {
        details
    } else {
        Details {
            remittance: non_empty(free_text(lines)),
            ..Details::default()
        }
    }
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn free_text(lines: &[String]) -> String {
    let mut out = String::new();
    let mut previous_len: Option<usize> = None;
    for line in lines {
        if previous_len.is_some_and(|len| len < 65) {
            out.push(' ');
        }
        out.push_str(line.trim_end());
        previous_len = Some(line.chars().count());
    }
    out
}

/// `NNN?00…` or `?00…`: a `?` followed by two digits within the first four characters.
fn is_german_structured(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(q) = bytes.iter().position(|b| *b == b'?') else {
        return false;
    };
    q <= 3
        && bytes
            .get(..q)
            .is_some_and(|p| p.iter().all(u8::is_ascii_digit))
        && bytes.get(q + 1).is_some_and(u8::is_ascii_digit)
        && bytes.get(q + 2).is_some_and(u8::is_ascii_digit)
}

/// Splits `?NNvalue?NNvalue…` into (code, value) pairs.
fn german_subfields(text: &str) -> Vec<(&str, &str)> {
    let bytes = text.as_bytes();
    let mut starts = Vec::new();
    for (i, _) in text.match_indices('?') {
        if bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_digit)
        {
            starts.push(i);
        }
    }
    let mut out = Vec::new();
    for (n, start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        if let (Some(code), Some(value)) =
            (text.get(start + 1..start + 3), text.get(start + 3..end))
        {
            out.push((code, value));
        }
    }
    out
}

const SEPA_KEYS: [&str; 12] = [
    "EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+", "IBAN+", "BIC+",
    "COAM+", "OAMT+",
];

fn german(text: &str) -> Details {
    let mut purpose = String::new();
    let mut name = String::new();
    let mut account = None;
    let mut posting_text = None;
    for (code, value) in german_subfields(text) {
        match code {
            "00" => posting_text = non_empty(value.to_owned()),
            "20" | "21" | "22" | "23" | "24" | "25" | "26" | "27" | "28" | "29" | "60" | "61"
            | "62" | "63" => purpose.push_str(value),
            "31" => account = non_empty(value.to_owned()),
            "32" | "33" => name.push_str(value),
            _ => {}
        }
    }
    let sepa = sepa_keys(&purpose);
    let find = |key: &str| {
        sepa.iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| non_empty((*v).to_owned()))
    };
    let remittance = if sepa.is_empty() {
        non_empty(purpose.clone())
    } else {
        find("SVWZ+")
    };
    Details {
        name: non_empty(name),
        account: account.or_else(|| find("IBAN+")),
        remittance,
        structured_reference: None,
        end_to_end_id: find("EREF+").filter(|e| !e.eq_ignore_ascii_case("NOTPROVIDED")),
        raw: posting_text,
    }
}

/// The `KEY+value` parts of a SEPA purpose text, when it starts with one.
fn sepa_keys(purpose: &str) -> Vec<(&'static str, &str)> {
    let mut found: Vec<(usize, &'static str)> = Vec::new();
    for key in SEPA_KEYS {
        let mut from = 0;
        while let Some(pos) = purpose.get(from..).and_then(|s| s.find(key)) {
            found.push((from + pos, key));
            from += pos + key.len();
        }
    }
    found.sort_unstable();
    if found.first().is_none_or(|(pos, _)| *pos != 0) {
        return Vec::new();
    }
    found
        .iter()
        .enumerate()
        .filter_map(|(n, (pos, key))| {
            let end = found.get(n + 1).map_or(purpose.len(), |(p, _)| *p);
            purpose.get(pos + key.len()..end).map(|v| (*key, v))
        })
        .collect()
}

/// Keywords of the Dutch `/KEY/value` dialects (ING, Rabobank, ABN AMRO, Triodos).
const SLASH_KEYS: [&str; 26] = [
    "EREF", "PREF", "MARF", "CSID", "CNTP", "REMI", "RTRN", "PURP", "ULTC", "ULTD", "ULTB", "BENM",
    "ORDP", "NAME", "ADDR", "IBAN", "BIC", "ISDT", "TRCD", "SUM", "RTYP", "CREF", "IREF", "EXCH",
    "CHGS", "OCMT",
];

fn slash_keywords(text: &str) -> Option<Details> {
    let mut markers: Vec<(usize, &'static str)> = Vec::new();
    for (i, _) in text.match_indices('/') {
        if let Some(key) = SLASH_KEYS.iter().find(|k| {
            text.get(i + 1..).is_some_and(|rest| {
                rest.starts_with(**k) && rest.get(k.len()..k.len() + 1) == Some("/")
            })
        }) {
            markers.push((i, key));
        }
    }
    if markers.first().is_none_or(|(pos, _)| *pos != 0) {
        return None;
    }
    let value_of = |n: usize| -> Option<&str> {
        let (pos, key) = markers.get(n)?;
        let end = markers.get(n + 1).map_or(text.len(), |(p, _)| *p);
        text.get(pos + key.len() + 2..end)
            .map(|v| v.trim_end_matches('/').trim())
    };
    let mut details = Details {
        raw: non_empty(text.to_owned()),
        ..Details::default()
    };
    for (n, (_, key)) in markers.iter().enumerate() {
        let Some(value) = value_of(n) else { continue };
        let value_owned = non_empty(value.to_owned());
        match *key {
            "EREF" => {
                details.end_to_end_id =
                    value_owned.filter(|e| !e.eq_ignore_ascii_case("NOTPROVIDED"))
            }
            "NAME" => details.name = details.name.take().or(value_owned),
            "IBAN" => details.account = value_owned.or(details.account.take()),
            "CNTP" => {
                // account / BIC / name / city
                let mut parts = value.split('/');
                let account = parts.next().and_then(|a| non_empty(a.to_owned()));
                let _bic = parts.next();
                let name = parts.next().and_then(|n| non_empty(n.to_owned()));
                details.account = details.account.take().or(account);
                details.name = details.name.take().or(name);
            }
            "REMI" => remittance(value, &mut details),
            _ => {}
        }
    }
    Some(details)
}

/// `USTD//free text`, `STRD/CUR/reference` or plain text (Rabobank).
fn remittance(value: &str, details: &mut Details) {
    if let Some(rest) = value.strip_prefix("USTD/") {
        details.remittance = non_empty(rest.trim_start_matches('/').to_owned());
    } else if let Some(rest) = value.strip_prefix("STRD/") {
        let reference = rest.rsplit('/').next().unwrap_or(rest);
        details.structured_reference = non_empty(reference.to_owned());
    } else {
        details.remittance = non_empty(value.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn german_subfields_give_name_account_and_sepa_purpose() {
        let d = interpret(&lines(&[
            "166?00SEPA-UEBERWEISUNG?109310?20EREF+RE-2026-0042?21SVWZ+Rechnung RE-2026",
            "-0042 danke?30GENODEF1XYZ?31DE02120300000000202051?32Muster GmbH?33 Berlin",
        ]));
        assert_eq!(d.end_to_end_id.as_deref(), Some("RE-2026-0042"));
        assert_eq!(d.remittance.as_deref(), Some("Rechnung RE-2026-0042 danke"));
        assert_eq!(d.account.as_deref(), Some("DE02120300000000202051"));
        assert_eq!(d.name.as_deref(), Some("Muster GmbH Berlin"));
        assert_eq!(d.raw.as_deref(), Some("SEPA-UEBERWEISUNG"));
    }

    #[test]
    fn german_purpose_without_sepa_keys_is_taken_whole() {
        let d = interpret(&lines(&["?00GUTSCHRIFT?20Rechnung 42?21vom Januar"]));
        assert_eq!(d.remittance.as_deref(), Some("Rechnung 42vom Januar"));
    }

    #[test]
    fn free_text_joins_short_lines_with_spaces() {
        let d = interpret(&lines(&["VIR SEPA DUPONT SA", "FACTURE F-2026-0042"]));
        assert_eq!(
            d.remittance.as_deref(),
            Some("VIR SEPA DUPONT SA FACTURE F-2026-0042")
        );
        assert_eq!(d.raw, None);
    }

    #[test]
    fn slash_keywords_with_structured_remittance() {
        let d = interpret(&lines(&[
            "/EREF/15814016000676480//CNTP/NL32INGB0000012345/INGBNL2A/J.J",
            "anssen///REMI/STRD/CUR/9001123412341234/",
        ]));
        assert_eq!(d.name.as_deref(), Some("J.Janssen"));
        assert_eq!(d.account.as_deref(), Some("NL32INGB0000012345"));
        assert_eq!(d.structured_reference.as_deref(), Some("9001123412341234"));
        assert_eq!(d.remittance, None);
    }
}
