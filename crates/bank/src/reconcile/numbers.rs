//! Invoice numbers in remittance text, the way people write them: `F-2026-00042`,
//! `f2026/42`, `Fact. 2026/0042 et 43`, `Rechnung 202600042`, `facture 42`, `2O26-OOO42`,
//! `F-2026-0042` for `F-2026-00412`.
//!
//! An invoice number is kept as its compact form (letters and digits), its digits, and its
//! numeric parts without padding (`F-2026-00042` → `F202600042`, `202600042`, `2026.42`). The
//! text is cut into words and numbers and every short run of numbers is looked up under each
//! form; runs that find nothing are looked up once more allowing one edit (SymSpell-style
//! deletion index, so the lookup stays a hash probe whatever the number of invoices).

use std::collections::{HashMap, HashSet};

use super::decision::Closeness;
use super::index::Postings;
use super::tokens::{Sep, Token, looks_like_date, tokenize};
use super::typos::{BuildIdentity, FxMap, for_each_deletion, within_one_edit};

/// Words after which a lone number is read as an invoice's sequence (`Fact. 42`, `N° 42`).
const MARKERS: &[&str] = &[
    "F",
    "FA",
    "FAC",
    "FACT",
    "FACTURE",
    "FACTURES",
    "FCT",
    "FT",
    "INV",
    "INVOICE",
    "INVOICES",
    "RE",
    "RG",
    "RECH",
    "RECHNUNG",
    "RECHNUNGEN",
    "RGNR",
    "RENR",
    "NR",
    "NO",
    "N",
    "NUM",
    "NUMERO",
    "REF",
    "FATTURA",
    "FACTURA",
];

/// Words joining numbers in a list (`42 et 43`).
const CONNECTORS: &[&str] = &["ET", "UND", "AND", "PLUS", "U"];

/// Only runs of at least this many digits are searched with one edit: shorter ones are
/// days, amounts and quantities far too often.
const MIN_TYPO_DIGITS: usize = 5;

/// A number lookup that returns more invoices than this is no evidence.
const MAX_HITS_PER_LOOKUP: usize = 4;

/// The forms of one invoice number.
#[derive(Clone, Debug, PartialEq, Eq)]
struct NumberForms {
    compact: String,
    digits: String,
    parts: String,
    last_part: Option<u64>,
}

fn forms(number: &str) -> NumberForms {
    let compact: String = number
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let runs: Vec<&str> = number
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    let digits = runs.concat();
    let parts = runs
        .iter()
        .map(|r| strip_zeros(r))
        .collect::<Vec<_>>()
        .join(".");
    let last_part = if runs.len() >= 2 {
        runs.last().and_then(|r| r.parse().ok())
    } else {
        None
    };
    NumberForms {
        compact,
        digits,
        parts,
        last_part,
    }
}

fn strip_zeros(run: &str) -> &str {
    let t = run.trim_start_matches('0');
    if t.is_empty() { "0" } else { t }
}

/// Invoice numbers of the open invoices, under every form the text may take.
#[derive(Debug, Default)]
pub(crate) struct NumberIndex {
    by_compact: FxMap<String, Postings>,
    by_digits: FxMap<String, Postings>,
    by_parts: FxMap<String, Postings>,
    by_sequence: FxMap<u64, Postings>,
    /// Invoices by the hash of a form with at most one digit deleted: `deletion_runs` maps a
    /// hash to a run of `deletion_postings`.
    deletion_runs: HashMap<u64, (u32, u32), BuildIdentity>,
    deletion_postings: Vec<u32>,
    /// The digit and part forms, to verify a deletion-index hit.
    digits_of: Vec<String>,
    parts_of: Vec<String>,
    /// The letters invoice numbers start with (`F`), besides the usual markers.
    prefixes: HashSet<String>,
}

const DIGITS_KIND: u8 = 1;
const PARTS_KIND: u8 = 2;

impl NumberIndex {
    /// Indexes `numbers[i]` as invoice `i` (`None`: not open, not indexed).
    pub(crate) fn new<'a>(numbers: impl Iterator<Item = Option<&'a str>>) -> NumberIndex {
        let mut index = NumberIndex::default();
        let mut deletions: Vec<(u64, u32)> = Vec::new();
        for (i, number) in numbers.enumerate() {
            let i = i as u32;
            let Some(number) = number else {
                index.digits_of.push(String::new());
                index.parts_of.push(String::new());
                continue;
            };
            let f = forms(number);
            let prefix: String = f
                .compact
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            if !prefix.is_empty() && !index.prefixes.contains(&prefix) {
                index.prefixes.insert(prefix);
            }
            if !f.compact.is_empty() {
                index.by_compact.entry(f.compact).or_default().push(i);
            }
            if f.digits.len() >= 3 {
                index.by_digits.entry(f.digits.clone()).or_default().push(i);
                index.by_parts.entry(f.parts.clone()).or_default().push(i);
                if f.digits.len() >= MIN_TYPO_DIGITS {
                    for (kind, form) in [(DIGITS_KIND, &f.digits), (PARTS_KIND, &f.parts)] {
                        for_each_deletion(kind, form, |h| deletions.push((h, i)));
                    }
                }
            }
            if let Some(seq) = f.last_part {
                index.by_sequence.entry(seq).or_default().push(i);
            }
            index.digits_of.push(f.digits);
            index.parts_of.push(f.parts);
        }
        deletions.sort_unstable();
        deletions.dedup();
        let mut start = 0;
        while start < deletions.len() {
            let key = deletions[start].0;
            let len = deletions[start..]
                .iter()
                .take_while(|(k, _)| *k == key)
                .count();
            index
                .deletion_runs
                .insert(key, (index.deletion_postings.len() as u32, len as u32));
            index
                .deletion_postings
                .extend(deletions[start..start + len].iter().map(|(_, i)| *i));
            start += len;
        }
        index
    }

    /// The invoices indexed under a deletion hash.
    fn by_deletion(&self, hash: u64) -> &[u32] {
        match self.deletion_runs.get(&hash) {
            Some(&(from, len)) => &self.deletion_postings[from as usize..(from + len) as usize],
            None => &[],
        }
    }
}

/// An invoice named by the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NumberHit {
    pub invoice: u32,
    pub closeness: Closeness,
    /// The words of the text that named it, as folded.
    pub found: String,
}

impl NumberIndex {
    /// Every open invoice the folded text names, with how closely; when the text names some
    /// invoice exactly or by formatting, one-edit guesses are dropped.
    pub(crate) fn find(&self, folded: &str) -> Vec<NumberHit> {
        let tokens = tokenize(folded);
        let mut hits: Vec<NumberHit> = Vec::new();
        let mut s = 0;
        while s < tokens.len() {
            if !tokens[s].is_number {
                s += 1;
                continue;
            }
            // The run of numbers joined without spaces decides whether it is a date.
            let run_len = 1 + tokens[s + 1..]
                .iter()
                .take_while(|t| t.is_number && matches!(t.sep, Sep::Joiner | Sep::Glued))
                .count();
            let run: Vec<&Token<'_>> = tokens[s..s + run_len].iter().collect();
            if looks_like_date(&run) {
                s += run_len;
                continue;
            }
            match self.match_span(&tokens, s, folded) {
                Some((len, found, parts)) => {
                    hits.extend(found);
                    s = self.continue_list(&tokens, s + len, &parts, folded, &mut hits);
                }
                None => s += 1,
            }
        }
        let strong = hits.iter().any(|h| h.closeness <= Closeness::Formatting);
        if strong {
            hits.retain(|h| h.closeness != Closeness::OneEdit);
        }
        // One hit per invoice, the closest.
        hits.sort_by(|a, b| {
            a.invoice
                .cmp(&b.invoice)
                .then(a.closeness.cmp(&b.closeness))
        });
        hits.dedup_by_key(|h| h.invoice);
        hits
    }

    /// Which of `among` (the invoices that owe the amount paid) are one edit away from a
    /// run of numbers of the text, whether or not the run names an invoice exactly: for when
    /// the invoice named does not fit the payment (the payer typed a number that exists, but
    /// is another invoice's). Looking from the few invoices owing the amount costs a few
    /// comparisons, where looking from the text would visit every neighbour of a dense
    /// numbering.
    pub(crate) fn near_among(&self, folded: &str, among: &[u32]) -> Vec<NumberHit> {
        let tokens = tokenize(folded);
        let mut hits: Vec<NumberHit> = Vec::new();
        for s in 0..tokens.len() {
            if !tokens[s].is_number {
                continue;
            }
            let max = 1 + tokens[s + 1..]
                .iter()
                .take(2)
                .take_while(|t| {
                    t.is_number && matches!(t.sep, Sep::Joiner | Sep::Glued | Sep::Space)
                })
                .count();
            for len in 1..=max {
                let span = &tokens[s..s + len];
                let digits: String = span.iter().map(|t| t.text.as_ref()).collect();
                if digits.len() < MIN_TYPO_DIGITS {
                    continue;
                }
                let parts = span
                    .iter()
                    .map(|t| strip_zeros(&t.text))
                    .collect::<Vec<_>>()
                    .join(".");
                for &inv in among {
                    let (d, p) = (&self.digits_of[inv as usize], &self.parts_of[inv as usize]);
                    let near = if len == 1 {
                        digits != *d && within_one_edit(digits.as_bytes(), d.as_bytes())
                    } else {
                        parts != *p && within_one_edit(parts.as_bytes(), p.as_bytes())
                    };
                    if near && !hits.iter().any(|h| h.invoice == inv) {
                        hits.push(NumberHit {
                            invoice: inv,
                            closeness: Closeness::OneEdit,
                            found: folded[span[0].start..span[len - 1].end].to_owned(),
                        });
                    }
                }
            }
        }
        hits
    }

    /// The longest run of numbers from `s` that names invoices: (tokens used, hits, the run's
    /// numeric parts for a list continuation).
    fn match_span(
        &self,
        tokens: &[Token<'_>],
        s: usize,
        folded: &str,
    ) -> Option<(usize, Vec<NumberHit>, Vec<String>)> {
        let max = 1 + tokens[s + 1..]
            .iter()
            .take(2)
            .take_while(|t| t.is_number && matches!(t.sep, Sep::Joiner | Sep::Glued | Sep::Space))
            .count();
        let prefix = (s > 0
            && !tokens[s - 1].is_number
            && matches!(tokens[s].sep, Sep::Glued | Sep::Joiner))
        .then(|| tokens[s - 1].text.as_ref());
        let marker_before =
            s > 0 && !tokens[s - 1].is_number && MARKERS.contains(&tokens[s - 1].text.as_ref());
        // `PO-2026-0315`, `DEVIS-2026-12`: another document's number, not an invoice's.
        let foreign_prefix =
            prefix.is_some_and(|p| !MARKERS.contains(&p) && !self.prefixes.contains(p));
        for len in (1..=max).rev() {
            let span = &tokens[s..s + len];
            let digits: String = span.iter().map(|t| t.text.as_ref()).collect();
            let parts: Vec<String> = span
                .iter()
                .map(|t| strip_zeros(&t.text).to_owned())
                .collect();
            let parts_key = parts.join(".");
            let look_alike = span.iter().any(|t| t.look_alike);
            let from = prefix.map_or(span[0].start, |_| tokens[s - 1].start);
            let found = &folded[from..span[len - 1].end];
            let grade = |c: Closeness| {
                if look_alike {
                    c.max(Closeness::LookAlike)
                } else {
                    c
                }
            };
            let mut lookups: Vec<(Option<&Postings>, Closeness)> = Vec::new();
            if let Some(p) = prefix {
                lookups.push((
                    self.by_compact.get(&format!("{p}{digits}")),
                    Closeness::Exact,
                ));
            }
            lookups.push((self.by_compact.get(&digits), Closeness::Exact));
            lookups.push((self.by_parts.get(&parts_key), Closeness::Formatting));
            if len == 1 {
                lookups.push((self.by_digits.get(&digits), Closeness::Formatting));
            }
            if foreign_prefix {
                lookups.truncate(1);
            }
            for (postings, closeness) in lookups {
                if let Some(p) = postings.filter(|p| p.len() <= MAX_HITS_PER_LOOKUP) {
                    let hits = p
                        .iter()
                        .map(|invoice| NumberHit {
                            invoice,
                            closeness: grade(closeness),
                            found: found.to_owned(),
                        })
                        .collect();
                    return Some((len, hits, parts));
                }
            }
        }
        // Nothing exact: a lone sequence after a marker, then one edit on the longest run.
        let alone = tokens
            .get(s + 1)
            .is_none_or(|t| !(t.is_number && matches!(t.sep, Sep::Joiner | Sep::Glued)));
        if marker_before
            && alone
            && let Some(p) = tokens[s]
                .text
                .parse::<u64>()
                .ok()
                .and_then(|v| self.by_sequence.get(&v))
            && p.len() <= MAX_HITS_PER_LOOKUP
        {
            let found = &folded[tokens[s - 1].start..tokens[s].end];
            let hits = p
                .iter()
                .map(|invoice| NumberHit {
                    invoice,
                    closeness: Closeness::SequenceOnly,
                    found: found.to_owned(),
                })
                .collect();
            return Some((1, hits, vec![strip_zeros(&tokens[s].text).to_owned()]));
        }
        if foreign_prefix {
            return None;
        }
        for len in (1..=max).rev() {
            let span = &tokens[s..s + len];
            let hits = self.one_edit(span, folded, MAX_HITS_PER_LOOKUP);
            if !hits.is_empty() {
                let parts = span
                    .iter()
                    .map(|t| strip_zeros(&t.text).to_owned())
                    .collect();
                return Some((len, hits, parts));
            }
        }
        None
    }

    fn one_edit(&self, span: &[Token<'_>], folded: &str, max_hits: usize) -> Vec<NumberHit> {
        let digits: String = span.iter().map(|t| t.text.as_ref()).collect();
        if digits.len() < MIN_TYPO_DIGITS {
            return Vec::new();
        }
        let (kind, form) = if span.len() == 1 {
            (DIGITS_KIND, digits)
        } else {
            let parts: Vec<&str> = span.iter().map(|t| strip_zeros(&t.text)).collect();
            (PARTS_KIND, parts.join("."))
        };
        let mut invoices: Vec<u32> = Vec::new();
        for_each_deletion(kind, &form, |h| {
            if invoices.len() > max_hits {
                return;
            }
            for inv in self.by_deletion(h) {
                let target = if kind == DIGITS_KIND {
                    &self.digits_of[*inv as usize]
                } else {
                    &self.parts_of[*inv as usize]
                };
                if form != *target
                    && within_one_edit(form.as_bytes(), target.as_bytes())
                    && !invoices.contains(inv)
                {
                    invoices.push(*inv);
                }
            }
        });
        if invoices.len() > max_hits {
            return Vec::new();
        }
        let found = &folded[span[0].start..span[span.len() - 1].end];
        invoices
            .into_iter()
            .map(|invoice| NumberHit {
                invoice,
                closeness: Closeness::OneEdit,
                found: found.to_owned(),
            })
            .collect()
    }

    /// `2026/0042 et 43`, `42, 43 + 44`: numbers after a match, joined by a list word or
    /// sign and no longer than its last part, replace that last part. Returns the index of the
    /// first token not consumed.
    fn continue_list(
        &self,
        tokens: &[Token<'_>],
        mut next: usize,
        parts: &[String],
        folded: &str,
        hits: &mut Vec<NumberHit>,
    ) -> usize {
        let Some(last) = parts.last() else {
            return next;
        };
        let max_len = last.len().max(2) + 2;
        loop {
            let mut k = next;
            let mut joined =
                k < tokens.len() && matches!(tokens[k].sep, Sep::Connector | Sep::Joiner);
            if k < tokens.len()
                && !tokens[k].is_number
                && CONNECTORS.contains(&tokens[k].text.as_ref())
            {
                joined = true;
                k += 1;
            }
            let Some(tok) = tokens
                .get(k)
                .filter(|t| joined && t.is_number && t.text.len() <= max_len)
            else {
                return next;
            };
            let mut key: Vec<&str> = parts[..parts.len() - 1]
                .iter()
                .map(String::as_str)
                .collect();
            key.push(strip_zeros(&tok.text));
            let postings = if parts.len() == 1 {
                tok.text
                    .parse::<u64>()
                    .ok()
                    .and_then(|v| self.by_sequence.get(&v))
                    .or_else(|| self.by_parts.get(strip_zeros(&tok.text)))
            } else {
                self.by_parts.get(&key.join("."))
            };
            let Some(p) = postings.filter(|p| p.len() <= MAX_HITS_PER_LOOKUP) else {
                return next;
            };
            let found = &folded[tok.start..tok.end];
            hits.extend(p.iter().map(|invoice| NumberHit {
                invoice,
                closeness: Closeness::SequenceOnly,
                found: found.to_owned(),
            }));
            next = k + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(numbers: &[&str]) -> NumberIndex {
        NumberIndex::new(numbers.iter().map(|n| Some(*n)))
    }

    fn found(numbers: &[&str], text: &str) -> Vec<(String, Closeness)> {
        let idx = index(numbers);
        idx.find(&super::super::normalize::fold(text))
            .into_iter()
            .map(|h| (numbers[h.invoice as usize].to_owned(), h.closeness))
            .collect()
    }

    const BOOK: &[&str] = &[
        "F-2026-00042",
        "F-2026-00043",
        "F-2026-00412",
        "F-2025-00042",
    ];

    #[test]
    fn the_number_as_printed_is_exact() {
        assert_eq!(
            found(BOOK, "Facture F-2026-00042 merci"),
            [("F-2026-00042".into(), Closeness::Exact)]
        );
        assert_eq!(
            found(BOOK, "f2026 00042"),
            [("F-2026-00042".into(), Closeness::Exact)]
        );
    }

    #[test]
    fn separators_padding_and_prefix_may_differ() {
        assert_eq!(
            found(BOOK, "Fact. 2026/0042"),
            [("F-2026-00042".into(), Closeness::Formatting)]
        );
        assert_eq!(
            found(BOOK, "RECHNUNG 202600042"),
            [("F-2026-00042".into(), Closeness::Formatting)]
        );
    }

    #[test]
    fn a_list_names_each_invoice() {
        let hits = found(BOOK, "Fact. 2026/0042 et 43");
        assert_eq!(hits.len(), 2);
        assert!(hits.contains(&("F-2026-00043".into(), Closeness::SequenceOnly)));
    }

    #[test]
    fn a_lone_sequence_needs_a_marker_word() {
        assert_eq!(
            found(BOOK, "facture 412"),
            [("F-2026-00412".into(), Closeness::SequenceOnly)]
        );
        assert!(found(BOOK, "commande 412").is_empty());
        assert_eq!(
            found(BOOK, "facture 42").len(),
            2,
            "42 exists in 2025 and 2026"
        );
    }

    #[test]
    fn look_alike_letters_are_read_as_digits() {
        assert_eq!(
            found(BOOK, "F-2O26-OOO42"),
            [("F-2026-00042".into(), Closeness::LookAlike)]
        );
    }

    #[test]
    fn one_wrong_digit_is_found_but_marked() {
        let book = &["F-2026-01234", "F-2026-05678"];
        let one_edit = |text| found(book, text);
        let expected = [("F-2026-01234".to_owned(), Closeness::OneEdit)];
        assert_eq!(one_edit("F-2026-01243"), expected, "two digits swapped");
        assert_eq!(one_edit("Fact 2026-0124"), expected, "a digit missing");
        assert_eq!(one_edit("202601284"), expected, "a digit changed");
    }

    #[test]
    fn one_edit_may_name_several_invoices_when_sequences_are_short() {
        let hits = found(BOOK, "F-2026-00421");
        assert!(hits.contains(&("F-2026-00412".into(), Closeness::OneEdit)));
        assert!(hits.contains(&("F-2026-00042".into(), Closeness::OneEdit)));
    }

    #[test]
    fn another_document_s_number_is_not_an_invoice_number() {
        assert!(found(BOOK, "STRIPE PAYOUT PO-2026-00042").is_empty());
        assert_eq!(
            found(BOOK, "FA-2026-00042").len(),
            1,
            "FA is a usual invoice prefix"
        );
    }

    #[test]
    fn neighbours_are_found_even_when_the_number_exists() {
        let idx = index(&["F-2026-01234", "F-2026-01243", "F-2026-09999"]);
        let near = idx.near_among("F-2026-01243", &[0, 2]);
        assert_eq!(near.len(), 1);
        assert_eq!(
            (near[0].invoice, near[0].closeness),
            (0, Closeness::OneEdit)
        );
    }

    #[test]
    fn dates_are_not_invoice_numbers() {
        assert!(found(&["F-2026-00001"], "VIR DU 2026-01-15").is_empty());
        assert!(found(&["F-2026-00001"], "VIR DU 15.01.2026").is_empty());
    }
}
