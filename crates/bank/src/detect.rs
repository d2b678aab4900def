//! Recognising a statement file's format from its first bytes.

use crate::camt;
use crate::csv::{count_outside_quotes, detect_delimiter};
use crate::encoding::decode;
use crate::model::Format;

/// How many bytes are looked at: enough for any header, cheap for any file.
const SNIFF_LEN: usize = 64 * 1024;

/// The format of a statement file, or `None` when it is none of those this crate reads.
///
/// camt documents are told apart by their message element (`BkToCstmrStmt`…), OFX by its
/// header or `<OFX>` root, MT940 by its `:20:` and `:61:`/`:60F:` fields, and CSV by a
/// separator that repeats over several lines.
pub fn detect_format(bytes: &[u8]) -> Option<Format> {
    let head = bytes.get(..SNIFF_LEN).unwrap_or(bytes);
    let text = decode(head);
    let t = text.trim_start();
    let upper_start: String = t.chars().take(512).collect::<String>().to_ascii_uppercase();
    if t.starts_with('<') {
        if let Some(format) = camt::format_in_text(t) {
            return Some(format);
        }
        return upper_start.contains("<OFX").then_some(Format::Ofx);
    }
    if upper_start.starts_with("OFXHEADER") || upper_start.contains("<OFX>") {
        return Some(Format::Ofx);
    }
    if looks_like_mt940(t) {
        return Some(Format::Mt940);
    }
    looks_like_csv(t).then_some(Format::Csv)
}

fn looks_like_mt940(text: &str) -> bool {
    let mut has_20 = false;
    let mut has_body = false;
    for line in text.lines() {
        let l = line.trim_end_matches('\r');
        let l = l
            .rfind("{4:")
            .map_or(l, |p| l.get(p + 3..).unwrap_or_default());
        if l.starts_with(":20:") {
            has_20 = true;
        }
        if l.starts_with(":61:") || l.starts_with(":60F:") || l.starts_with(":60M:") {
            has_body = true;
        }
        if has_20 && has_body {
            return true;
        }
    }
    false
}

fn looks_like_csv(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    if lines.len() < 2 {
        return false;
    }
    let delimiter = detect_delimiter(text);
    lines
        .iter()
        .filter(|l| count_outside_quotes(l, delimiter) > 0)
        .count()
        >= 2
}
