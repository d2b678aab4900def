//! A remittance text cut into words and numbers, the way invoice numbers are read from it:
//! separators kept as the kind of link between two pieces (`2026/0042`, `42 et 43`), and
//! look-alike letters read as digits inside numbers (`2O26` → `2026`).

use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sep {
    /// Nothing between (`F2026`).
    Glued,
    /// `-`, `/`, `.`, `_` only.
    Joiner,
    /// Spaces only.
    Space,
    /// A list separator: `,`, `+`, `&`, `;`.
    Connector,
    Other,
}

#[derive(Clone, Debug)]
pub(crate) struct Token<'a> {
    /// Borrowed from the text unless look-alike letters were read as digits.
    pub(crate) text: Cow<'a, str>,
    pub(crate) is_number: bool,
    pub(crate) look_alike: bool,
    pub(crate) sep: Sep,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

fn separator(between: &str) -> Sep {
    if between.is_empty() {
        Sep::Glued
    } else if between
        .bytes()
        .any(|b| matches!(b, b',' | b'+' | b'&' | b';'))
    {
        Sep::Connector
    } else if between.bytes().all(|b| b == b' ') {
        Sep::Space
    } else if between.trim().len() == 1 && between.trim().bytes().all(|b| b"-/._".contains(&b)) {
        Sep::Joiner
    } else {
        Sep::Other
    }
}

/// Words and numbers of the folded text. Within a word that has digits, `O` between or
/// before digits and `I`/`L` between digits are read as `0` and `1` (the usual OCR and
/// typing confusions); such numbers are marked `look_alike`.
pub(crate) fn tokenize(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut prev_end = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let sep = separator(&text[prev_end..start]);
        split_word(&text[start..i], start, sep, &mut tokens);
        prev_end = i;
    }
    tokens
}

fn split_word<'a>(word: &'a str, offset: usize, sep: Sep, tokens: &mut Vec<Token<'a>>) {
    let b = word.as_bytes();
    let digits = read_look_alikes(b);
    let mut k = 0;
    let mut first = true;
    while k < b.len() {
        let is_number = digits[k].is_some();
        let start = k;
        let mut look_alike = false;
        while k < b.len() && digits[k].is_some() == is_number {
            look_alike |= digits[k].is_some_and(|c| c != b[k]);
            k += 1;
        }
        let text: Cow<'a, str> = if look_alike {
            Cow::Owned(
                digits[start..k]
                    .iter()
                    .map(|d| char::from(d.unwrap_or(b'0')))
                    .collect(),
            )
        } else {
            Cow::Borrowed(&word[start..k])
        };
        tokens.push(Token {
            text,
            is_number,
            look_alike,
            sep: if first { sep } else { Sep::Glued },
            start: offset + start,
            end: offset + k,
        });
        first = false;
    }
}

/// The digit each byte of a word stands for: digits themselves, and within a stretch of
/// digits and look-alikes holding at least two real digits, `O` as `0` and inner `I`/`L` as
/// `1` — when the look-alikes are no more than the digits, or the stretch is the whole word
/// (`OOO42`). `F2O26` reads `F` + `2026`; `ROLL42` stays a word and a number.
fn read_look_alikes(b: &[u8]) -> Vec<Option<u8>> {
    let mut out: Vec<Option<u8>> = b.iter().map(|c| c.is_ascii_digit().then_some(*c)).collect();
    let confusable = |c: u8| matches!(c, b'O' | b'I' | b'L');
    let mut a = 0;
    while a < b.len() {
        if !(b[a].is_ascii_digit() || confusable(b[a])) {
            a += 1;
            continue;
        }
        let mut e = a;
        while e < b.len() && (b[e].is_ascii_digit() || confusable(b[e])) {
            e += 1;
        }
        let real = b[a..e].iter().filter(|c| c.is_ascii_digit()).count();
        let whole = a == 0 && e == b.len();
        if real >= 2 && (whole || e - a - real <= real) {
            // I and L at the edges are letters of the word, not digits.
            let mut from = a;
            while from < e && matches!(b[from], b'I' | b'L') {
                from += 1;
            }
            let mut to = e;
            while to > from && matches!(b[to - 1], b'I' | b'L') {
                to -= 1;
            }
            for k in from..to {
                out[k] = Some(match b[k] {
                    b'O' => b'0',
                    b'I' | b'L' => b'1',
                    d => d,
                });
            }
        }
        a = e;
    }
    out
}

/// Numbers joined like `2026-01-15`, `15.01.2026` or `15/01/26` are dates, not invoices.
pub(crate) fn looks_like_date(nums: &[&Token<'_>]) -> bool {
    let [a, b, c] = nums else {
        return false;
    };
    let v = |t: &Token| t.text.parse::<u32>().unwrap_or(0);
    let day_month = |d: u32, m: u32| (1..=31).contains(&d) && (1..=12).contains(&m);
    let short = |t: &Token| t.text.len() <= 2;
    (a.text.len() == 4 && short(b) && short(c) && day_month(v(c), v(b)))
        || (short(a) && short(b) && matches!(c.text.len(), 2 | 4) && day_month(v(a), v(b)))
}
