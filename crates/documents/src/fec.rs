//! The French FEC ("fichier des écritures comptables", LPF art. A47 A-1): the booked
//! [`Ledger`] as the 18 standard columns, TAB-separated, first line the column names, one
//! line per entry line in chronological order, dates `AAAAMMJJ`, amounts with a decimal
//! comma and no thousands separator, CR LF line ends, encoded in ISO 8859-15 (the encoding
//! the administration's text names; UTF-8 on request), named `<SIREN>FEC<closing date>.txt`.

use chrono::NaiveDate;
use encaisse_core::identifiers::Siren;
use rust_decimal::Decimal;

use crate::ledger::Ledger;

/// The 18 mandatory columns, in order.
pub const COLUMNS: [&str; 18] = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
];

/// How the file is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FecEncoding {
    /// ISO 8859-15 (Latin-9): characters outside it are written `?`.
    #[default]
    Latin9,
    Utf8,
}

/// A FEC file: its legal name and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FecFile {
    pub file_name: String,
    pub content: Vec<u8>,
}

/// What identifies the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FecOptions {
    pub siren: Siren,
    /// Closing date of the fiscal year, in the file name.
    pub closing_date: NaiveDate,
    pub encoding: FecEncoding,
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn amount(a: Decimal) -> String {
    let mut v = a.round_dp(2);
    v.rescale(2);
    v.to_string().replace('.', ",")
}

/// A field cannot hold the separator or a line break.
fn field(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// ISO 8859-15: Latin-1 but for eight code points (€ Š š Ž ž Œ œ Ÿ replace ¤ ¦ ¨ ´ ¸ ¼ ½ ¾).
pub(crate) fn latin9(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0xA4,
            'Š' => 0xA6,
            'š' => 0xA8,
            'Ž' => 0xB4,
            'ž' => 0xB8,
            'Œ' => 0xBC,
            'œ' => 0xBD,
            'Ÿ' => 0xBE,
            '\u{A4}' | '\u{A6}' | '\u{A8}' | '\u{B4}' | '\u{B8}' | '\u{BC}' | '\u{BD}'
            | '\u{BE}' => b'?',
            c if u32::from(c) <= 0xFF => u32::from(c) as u8,
            _ => b'?',
        })
        .collect()
}

/// Writes the FEC of `ledger`.
pub fn export(ledger: &Ledger, options: &FecOptions) -> FecFile {
    let mut text = COLUMNS.join("\t");
    text.push_str("\r\n");
    for e in &ledger.entries {
        for l in &e.lines {
            let (aux, aux_label) = l
                .auxiliary
                .as_ref()
                .map_or((String::new(), String::new()), |c| {
                    (field(&c.account), field(&c.name))
                });
            let (letter, letter_date) = l
                .lettering
                .as_ref()
                .map_or((String::new(), String::new()), |(code, d)| {
                    (code.clone(), date(*d))
                });
            let (foreign, currency) = l
                .foreign
                .as_ref()
                .map_or((String::new(), String::new()), |m| {
                    (amount(m.amount()), m.currency().code().to_owned())
                });
            let row = [
                field(&e.journal.0),
                field(&e.journal.1),
                e.number.clone(),
                date(e.date),
                field(&l.account),
                field(&l.account_label),
                aux,
                aux_label,
                field(&e.piece),
                date(e.piece_date),
                field(&e.label),
                amount(l.debit),
                amount(l.credit),
                letter,
                letter_date,
                date(e.date),
                foreign,
                currency,
            ];
            text.push_str(&row.join("\t"));
            text.push_str("\r\n");
        }
    }
    let content = match options.encoding {
        FecEncoding::Latin9 => latin9(&text),
        FecEncoding::Utf8 => text.into_bytes(),
    };
    FecFile {
        file_name: format!(
            "{}FEC{}.txt",
            options.siren.as_str(),
            date(options.closing_date)
        ),
        content,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_use_a_decimal_comma() {
        assert_eq!(amount(dec!(1200)), "1200,00");
        assert_eq!(amount(dec!(0.5)), "0,50");
        assert_eq!(amount(dec!(1234567.891)), "1234567,89");
    }

    #[test]
    fn latin9_has_the_euro_and_french_ligatures() {
        assert_eq!(latin9("é€œ"), vec![0xE9, 0xA4, 0xBD]);
        assert_eq!(latin9("✓"), vec![b'?']);
    }

    #[test]
    fn fields_cannot_break_the_line() {
        assert_eq!(field(" a\tb\r\nc "), "a b  c");
    }
}
