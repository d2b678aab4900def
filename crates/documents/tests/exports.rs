//! Exports to accounting: the booked ledger (balanced entries, lettering, chronological
//! numbering), the FEC, the journal CSV, and the Oxygène XML driven by its mapping file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use encaisse_core::Currency;
use encaisse_documents::fec::{self, FecEncoding, FecOptions};
use encaisse_documents::journal::{self, CsvFormat};
use encaisse_documents::ledger::{ChartOfAccounts, Ledger, LedgerError};
use encaisse_documents::oxygene::{self, Mapping, OxygeneDocument, OxygeneError};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use support::{books, date, payment, sales};

#[test]
fn every_entry_balances_and_numbers_run_per_journal_in_date_order() {
    let ledger = books();
    assert_eq!(ledger.entries.len(), 5);
    for e in &ledger.entries {
        let d: Decimal = e.lines.iter().map(|l| l.debit).sum();
        let c: Decimal = e.lines.iter().map(|l| l.credit).sum();
        assert_eq!(d, c, "{} unbalanced", e.number);
        assert!(d > Decimal::ZERO);
    }
    let dates: Vec<_> = ledger.entries.iter().map(|e| e.date).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    let numbers: Vec<&str> = ledger.entries.iter().map(|e| e.number.as_str()).collect();
    assert_eq!(
        numbers,
        ["VE000001", "VE000002", "VE000003", "BQ000001", "BQ000002"]
    );
}

#[test]
fn a_sale_debits_the_client_and_credits_revenue_and_vat_per_rate() {
    let ledger = books();
    let multi = ledger
        .entries
        .iter()
        .find(|e| e.piece == "F-2026-00043")
        .unwrap();
    let client = &multi.lines[0];
    assert_eq!(client.account, "411000");
    assert_eq!(client.auxiliary.as_ref().unwrap().account, "CLIBMARAIS");
    let f = support::multi_rate_fr();
    assert_eq!(client.debit, f.totals.tax_inclusive.amount());
    // Three rates: three revenue lines and three VAT lines.
    assert_eq!(
        multi.lines.iter().filter(|l| l.account == "706000").count(),
        3
    );
    assert_eq!(
        multi.lines.iter().filter(|l| l.account == "445710").count(),
        3
    );
    // The credit note is booked the other way round.
    let credit = ledger
        .entries
        .iter()
        .find(|e| e.piece == "AV-2026-00003")
        .unwrap();
    assert!(credit.lines[0].credit > Decimal::ZERO && credit.lines[0].debit.is_zero());
    assert!(credit.label.starts_with("Avoir AV-2026-00003"));
}

#[test]
fn documents_settled_exactly_share_a_lettering_code_partial_ones_none() {
    let ledger = books();
    let letter = |piece: &str| {
        ledger
            .entries
            .iter()
            .find(|e| e.piece == piece)
            .unwrap()
            .lines
            .iter()
            .find(|l| l.auxiliary.is_some())
            .unwrap()
            .lettering
            .clone()
    };
    // Invoice 42, its credit note and the payment of the rest cancel out.
    let a = letter("F-2026-00042").expect("lettered");
    assert_eq!(a.0, "A");
    assert_eq!(a.1, date(2026, 2, 15));
    assert_eq!(letter("AV-2026-00003"), Some(a.clone()));
    assert_eq!(letter("VIR-0215"), Some(a));
    // Invoice 43 is only partly paid.
    assert_eq!(letter("F-2026-00043"), None);
    assert_eq!(letter("VIR-0220"), None);
    // Only client lines are lettered.
    assert!(
        ledger
            .entries
            .iter()
            .flat_map(|e| &e.lines)
            .all(|l| l.lettering.is_none() || l.auxiliary.is_some())
    );
}

#[test]
fn foreign_currency_needs_a_rate_and_keeps_the_original_amount() {
    let f = support::swiss_scor();
    let mut doc = sales(&f, "CSEEBLICK");
    let e = Ledger::post(
        &[doc.clone()],
        &[],
        &ChartOfAccounts::default(),
        Currency::EUR,
    )
    .unwrap_err();
    assert!(matches!(e, LedgerError::MissingExchangeRate { .. }), "{e}");
    assert!(e.to_string().contains("exchange rate"));
    doc.exchange_rate = Some(dec!(1.0637));
    let ledger = Ledger::post(&[doc], &[], &ChartOfAccounts::default(), Currency::EUR).unwrap();
    let entry = &ledger.entries[0];
    let d: Decimal = entry.lines.iter().map(|l| l.debit).sum();
    let c: Decimal = entry.lines.iter().map(|l| l.credit).sum();
    assert_eq!(d, c);
    let client = &entry.lines[0];
    assert_eq!(client.foreign, Some(f.totals.tax_inclusive));
    assert_eq!(
        client.debit,
        (f.totals.tax_inclusive.amount() * dec!(1.0637)).round_dp(2)
    );
}

#[test]
fn a_payment_of_an_unknown_document_is_refused() {
    let f = support::domestic_fr();
    let p = payment(&f, "VIR-1", 1, dec!(10), &["F-1999-00001"]);
    let e = Ledger::post(
        &[sales(&f, "C1")],
        &[p],
        &ChartOfAccounts::default(),
        Currency::EUR,
    )
    .unwrap_err();
    assert!(matches!(e, LedgerError::UnknownDocument { .. }), "{e}");
}

#[test]
fn fec_has_the_18_columns_tab_separated_with_comma_decimals_and_its_legal_name() {
    let ledger = books();
    let file = fec::export(
        &ledger,
        &FecOptions {
            siren: support::OrgBuilder::french().build().ids.siren.unwrap(),
            closing_date: date(2026, 12, 31),
            encoding: FecEncoding::Utf8,
        },
    );
    assert_eq!(file.file_name, "732829320FEC20261231.txt");
    let text = String::from_utf8(file.content).unwrap();
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(
        lines.next().unwrap().split('\t').collect::<Vec<_>>(),
        fec::COLUMNS
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows.len(),
        ledger.entries.iter().map(|e| e.lines.len()).sum::<usize>()
    );
    for r in &rows {
        assert_eq!(r.len(), 18);
        assert!(r[3].len() == 8 && r[3].chars().all(|c| c.is_ascii_digit()));
        assert!(r[11].contains(',') && r[12].contains(','), "{r:?}");
        assert!(!r[11].contains('.'));
    }
    // Latin-9 by default: é is one byte.
    let latin = fec::export(
        &ledger,
        &FecOptions {
            siren: support::OrgBuilder::french().build().ids.siren.unwrap(),
            closing_date: date(2026, 12, 31),
            encoding: FecEncoding::default(),
        },
    );
    assert!(latin.content.windows(2).any(|w| w == b"\xe9e")); // "collectée"
    assert!(std::str::from_utf8(&latin.content).is_err());
}

#[test]
fn journal_csv_reads_back_balanced() {
    let ledger = books();
    let bytes = journal::to_csv(
        &ledger,
        CsvFormat {
            delimiter: b';',
            decimal_comma: true,
        },
    )
    .unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[..]);
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        journal::COLUMNS
    );
    let mut debit = Decimal::ZERO;
    let mut credit = Decimal::ZERO;
    let mut rows = 0;
    for r in reader.records() {
        let r = r.unwrap();
        debit += r[10].replace(',', ".").parse::<Decimal>().unwrap();
        credit += r[11].replace(',', ".").parse::<Decimal>().unwrap();
        assert_eq!(&r[15], "EUR");
        rows += 1;
    }
    assert_eq!(
        rows,
        ledger.entries.iter().map(|e| e.lines.len()).sum::<usize>()
    );
    assert_eq!(debit, credit);
}

#[test]
fn oxygene_xml_follows_the_mapping_and_its_encoding() {
    let inv = support::domestic_fr();
    let credit = support::credit_note_fr();
    let (a, b) = (inv.input(), credit.input());
    let docs = [
        OxygeneDocument {
            input: &a,
            client_code: "LIBMARAIS",
        },
        OxygeneDocument {
            input: &b,
            client_code: "LIBMARAIS",
        },
    ];
    let bytes = oxygene::export(&docs, &Mapping::builtin().unwrap()).unwrap();
    let (text, _, bad) = encoding_rs::ISO_8859_15.decode(&bytes);
    assert!(!bad);
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>"));
    assert_eq!(text.matches("<PIECE>").count(), 2);
    assert_eq!(
        text.matches("<LIGNE>").count(),
        inv.invoice.lines.len() + credit.invoice.lines.len()
    );
    assert!(text.contains("<TYPE_PIECE>FACTURE</TYPE_PIECE>"));
    assert!(text.contains("<TYPE_PIECE>AVOIR</TYPE_PIECE>"));
    assert!(text.contains("<DATE_PIECE>31/01/2026</DATE_PIECE>"));
    assert!(text.contains("<TOTAL_TTC>5976,48</TOTAL_TTC>"));
    assert!(text.contains("<CODE_ARTICLE>HEURE</CODE_ARTICLE>"));
    assert!(text.contains("<QUANTITE>37,5</QUANTITE>"));
    assert!(text.contains("<PIECE_ORIGINE>F-2026-00042</PIECE_ORIGINE>"));
    assert!(text.contains("<DESIGNATION>Développement de l'application de caisse</DESIGNATION>"));
    // The credit note has no due date: the element is left out, never empty.
    let credit_part = &text[text.find("<TYPE_PIECE>AVOIR").unwrap()..];
    assert!(!credit_part[..credit_part.find("</PIECE>").unwrap()].contains("DATE_ECHEANCE"));

    // A user's own mapping: other names, UTF-8, decimal point, lines directly in the document.
    let custom = oxygene::DEFAULT_MAPPING
        .replace("encoding = \"ISO-8859-15\"", "encoding = \"UTF-8\"")
        .replace("decimal_separator = \",\"", "decimal_separator = \".\"")
        .replace("lines = \"LIGNES\"", "lines = \"\"")
        .replace("element = \"NUMERO\"", "element = \"NO_PIECE\"")
        .replace("field = \"client_name\"", "field = \"const:VENTE\"");
    let bytes = oxygene::export(&docs[..1], &Mapping::from_toml(&custom).unwrap()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("<NO_PIECE>F-2026-00042</NO_PIECE>"));
    assert!(text.contains("<TOTAL_TTC>5976.48</TOTAL_TTC>"));
    assert!(text.contains("<NOM_CLIENT>VENTE</NOM_CLIENT>"));
    assert!(!text.contains("<LIGNES>"));
    let e = oxygene::export(
        &[OxygeneDocument {
            input: &a,
            client_code: " ",
        }],
        &Mapping::builtin().unwrap(),
    )
    .unwrap_err();
    assert!(matches!(e, OxygeneError::MissingClientCode(_)));
}
