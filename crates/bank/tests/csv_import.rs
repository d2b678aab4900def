//! CSV exports: encodings, separators, local number and date forms, the bank presets and
//! the errors a user sees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{date, money, parse_text};
use encaisse_bank::{
    AmountColumns, Column, CsvMapping, Format, FormatHint, ImportError, Location,
    TransactionStatus, detect_format, parse, presets,
};
use encaisse_core::Currency;

/// A French bank's export: `;`, decimal comma, debit/credit columns, accented headers.
fn french_mapping() -> CsvMapping {
    let mut m = CsvMapping::new(
        "Banque",
        Column::any_of(&["Date opération", "Date"]),
        AmountColumns::DebitCredit {
            debit: Column::named("Débit"),
            credit: Column::named("Crédit"),
        },
    );
    m.value_date = Some(Column::named("Date valeur"));
    m.default_currency = Some(Currency::EUR);
    m.remittance = vec![Column::named("Libellé")];
    m
}

#[test]
fn windows_1252_with_decimal_comma_and_thousands_space() {
    let text = "Date opération;Date valeur;Libellé;Débit;Crédit\r\n\
                02/02/2026;03/02/2026;VIR SEPA Société Dupont Facture F-2026-0042;;1 234,50\r\n\
                05/02/2026;05/02/2026;PRLV URSSAF;-987,65;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture is Windows-1252"
    );
    let s = parse(&bytes, FormatHint::Csv(&french_mapping())).unwrap();
    let txs = &s[0].transactions;
    assert_eq!(txs.len(), 2);
    assert_eq!(money(&txs[0]), "1234.50 EUR");
    assert_eq!(txs[0].booking_date, date("2026-02-02"));
    assert_eq!(txs[0].value_date, Some(date("2026-02-03")));
    assert_eq!(
        txs[0].remittance_unstructured.as_deref(),
        Some("VIR SEPA Société Dupont Facture F-2026-0042")
    );
    // A debit written with or without its minus sign is a debit.
    assert_eq!(money(&txs[1]), "-987.65 EUR");
    assert_eq!(s[0].format, Format::Csv);
    assert_eq!(s[0].currency, Currency::EUR);
}

#[test]
fn qonto_english_export_is_recognised_with_statuses() {
    let text = "\u{feff}Status,Settlement date (UTC),Operation date (UTC),Total amount (incl. VAT),Currency,Counterparty name,Payment method,Transaction ID,IBAN,Reference,Category\n\
settled,2026-02-02 10:11:12,2026-02-02 10:00:00,1250.00,EUR,Dupont SA,transfer,tx-0001,FR7616958000011234567890123,\"Facture F-2026-0042, merci\",sales\n\
pending,2026-02-03 08:00:00,2026-02-03 08:00:00,-35.20,EUR,Adobe,card,tx-0002,FR7616958000011234567890123,,software\n\
declined,2026-02-03 09:00:00,2026-02-03 09:00:00,-12.00,EUR,Uber,card,tx-0003,FR7616958000011234567890123,,travel\n";
    assert_eq!(detect_format(text.as_bytes()), Some(Format::Csv));
    let s = parse_text(text);
    let txs = &s[0].transactions;
    assert_eq!(txs.len(), 2, "the declined card payment is not a movement");
    assert_eq!(money(&txs[0]), "1250.00 EUR");
    assert_eq!(txs[0].status, TransactionStatus::Booked);
    assert_eq!(txs[0].bank_reference, "tx-0001");
    assert_eq!(txs[0].counterparty_name.as_deref(), Some("Dupont SA"));
    assert_eq!(
        txs[0].remittance_unstructured.as_deref(),
        Some("Facture F-2026-0042, merci")
    );
    assert_eq!(txs[0].bank_transaction_code.as_deref(), Some("transfer"));
    assert_eq!(txs[0].booking_date, date("2026-02-02"));
    assert_eq!(money(&txs[1]), "-35.20 EUR");
    assert_eq!(txs[1].status, TransactionStatus::Pending);
}

#[test]
fn qonto_french_export_with_decimal_comma() {
    let text = "Statut;Date de la valeur (UTC);Date de l'opération (UTC);Montant total (TTC);Débit;Crédit;Solde;Devise;Nom de la contrepartie;IBAN de la contrepartie;Méthode de paiement;Identifiant de transaction;Référence\n\
Exécuté;02-02-2026 10:11:12;02-02-2026 10:00:00;1 250,00;;1 250,00;5 000,00;EUR;Dupont SA;FR7630006000011234567890189;virement;tx-0001;F-2026-0042\n";
    let s = parse_text(text);
    let tx = &s[0].transactions[0];
    assert_eq!(money(tx), "1250.00 EUR");
    assert_eq!(tx.booking_date, date("2026-02-02"));
    assert_eq!(
        tx.counterparty_iban.as_ref().unwrap().as_str(),
        "FR7630006000011234567890189"
    );
    assert_eq!(tx.remittance_unstructured.as_deref(), Some("F-2026-0042"));
}

#[test]
fn postfinance_export_with_preamble_and_disclaimer() {
    let text = "Datum von:;01.02.2026\n\
Datum bis:;28.02.2026\n\
Konto:;CH9300762011623852957\n\
Währung:;CHF\n\
\n\
Buchungsdatum;Avisierungstext;Gutschrift in CHF;Lastschrift in CHF;Valuta;Saldo in CHF\n\
03.02.2026;\"GUTSCHRIFT AUF KONTO ABSENDER: MUSTER AG, ZÜRICH MITTEILUNGEN: RE 2026-0042\";1'234.55;;03.02.2026;10'234.55\n\
04.02.2026;KAUF/DIENSTLEISTUNG VOM 03.02.2026;;-89.90;04.02.2026;10'144.65\n\
\n\
Disclaimer:\n\
Dies ist kein durch PostFinance AG erstelltes Dokument.\n";
    let s = parse_text(text);
    let txs = &s[0].transactions;
    assert_eq!(txs.len(), 2);
    assert_eq!(money(&txs[0]), "1234.55 CHF");
    assert_eq!(txs[0].value_date, Some(date("2026-02-03")));
    assert!(
        txs[0]
            .remittance_unstructured
            .as_deref()
            .unwrap()
            .ends_with("RE 2026-0042")
    );
    assert_eq!(money(&txs[1]), "-89.90 CHF");
    assert_eq!(s[0].currency, Currency::CHF);
}

#[test]
fn ubs_export_gives_the_account_iban_and_apostrophe_thousands() {
    let text = "Valuation date;Banking relationship;Portfolio;Product;IBAN;Ccy.;Date from;Date to;Description;Trade date;Booking date;Value date;Description 1;Description 2;Description 3;Transaction no.;Exchange rate in the original amount in settlement currency;Individual amount;Debit;Credit;Balance\n\
28.02.2026;0123 00456789;;CHF account;CH93 0076 2011 6238 5295 7;CHF;01.02.2026;28.02.2026;Account;02.02.2026;02.02.2026;02.02.2026;Muster AG;Rechnung RE-2026-0042;QRR 210000000003139471430009017;9930033ZC1234567;;;;12'500.00;\n\
28.02.2026;0123 00456789;;CHF account;CH93 0076 2011 6238 5295 7;CHF;01.02.2026;28.02.2026;Account;05.02.2026;05.02.2026;05.02.2026;Swisscom;Rechnung 02/2026;;9930036ZC1234999;;;-79.90;;\n";
    let s = parse_text(text);
    let st = &s[0];
    assert_eq!(
        st.account_iban.as_ref().unwrap().as_str(),
        "CH9300762011623852957"
    );
    assert_eq!(st.transactions.len(), 2);
    let credit = &st.transactions[0];
    assert_eq!(money(credit), "12500.00 CHF");
    assert_eq!(credit.bank_reference, "9930033ZC1234567");
    assert_eq!(credit.counterparty_name.as_deref(), Some("Muster AG"));
    assert_eq!(
        credit.remittance_unstructured.as_deref(),
        Some("Rechnung RE-2026-0042 QRR 210000000003139471430009017")
    );
    assert_eq!(money(&st.transactions[1]), "-79.90 CHF");
}

#[test]
fn tab_separated_generic_mapping_with_iso_dates_and_signed_amounts() {
    let mut m = CsvMapping::new(
        "generic",
        Column::named("date"),
        AmountColumns::Signed(Column::named("amount")),
    );
    m.currency = Some(Column::named("ccy"));
    m.counterparty_name = Some(Column::named("payer"));
    m.counterparty_iban = Some(Column::named("iban"));
    m.reference = Some(Column::named("ref"));
    let text = "date\tamount\tccy\tpayer\tiban\tref\n\
2026-02-02\t-1 234,50\tCHF\tMuster AG\tCH93 0076 2011 6238 5295 7\tR1\n\
2026-02-03\t99.95\teur\tDupont\t\tR2\n";
    let s = parse(text.as_bytes(), FormatHint::Csv(&m)).unwrap();
    let txs = &s[0].transactions;
    assert_eq!(money(&txs[0]), "-1234.50 CHF");
    assert_eq!(
        txs[0].counterparty_iban.as_ref().unwrap().as_str(),
        "CH9300762011623852957"
    );
    assert_eq!(money(&txs[1]), "99.95 EUR");
    assert_eq!(txs[1].counterparty_iban, None);
    assert_eq!(
        s[0].currency,
        Currency::CHF,
        "the first movement's currency"
    );
}

#[test]
fn csv_errors_name_the_line_and_what_was_expected() {
    let text = "Date;Libellé;Débit;Crédit\n02/02/2026;A;;1,00\n31/13/2026;B;;2,00\n";
    let e = parse(text.as_bytes(), FormatHint::Csv(&french_mapping())).unwrap_err();
    assert_eq!(
        e.to_string(),
        "CSV line 3: expected a date such as 31.01.2026, 31/01/2026 or 2026-01-31, found `31/13/2026`"
    );

    let text = "Date;Libellé;Débit;Crédit\n02/02/2026;A;;douze\n";
    let e = parse(text.as_bytes(), FormatHint::Csv(&french_mapping())).unwrap_err();
    assert_eq!(e.location(), Some(&Location::Line(2)));
    assert!(e.to_string().contains("found `douze`"), "{e}");

    let text = "Date;Libellé;Débit;Crédit\n02/02/2026;A;1,00;2,00\n";
    let e = parse(text.as_bytes(), FormatHint::Csv(&french_mapping())).unwrap_err();
    assert!(e.to_string().contains("either a debit or a credit"), "{e}");

    let e = parse(b"Foo;Bar\n1;2\n", FormatHint::Csv(&french_mapping())).unwrap_err();
    assert_eq!(e.location(), Some(&Location::File));
    assert!(e.to_string().contains("`Date opération` or `Date`"), "{e}");

    // A CSV no preset recognises needs a mapping.
    let e = parse(b"Foo;Bar\n1;2\n", FormatHint::Detect).unwrap_err();
    assert_eq!(e, ImportError::CsvMappingNeeded);

    let mut qonto = presets::qonto();
    qonto.status = Some(Column::named("Status"));
    let text = "Status,Settlement date (UTC),Total amount (incl. VAT)\nweird,2026-02-02,1.00\n";
    let e = parse(text.as_bytes(), FormatHint::Csv(&qonto)).unwrap_err();
    assert!(
        e.to_string().starts_with("CSV line 2: expected a status"),
        "{e}"
    );
}

#[test]
fn csv_rows_without_reference_still_get_distinct_stable_keys() {
    let text = "Date;Libellé;Débit;Crédit\n\
02/02/2026;FRAIS TENUE DE COMPTE;5,00;\n\
02/02/2026;FRAIS TENUE DE COMPTE;5,00;\n\
02/02/2026;COTISATION CARTE;5,00;\n";
    let first = parse(text.as_bytes(), FormatHint::Csv(&french_mapping())).unwrap();
    let keys: Vec<_> = first[0]
        .transactions
        .iter()
        .map(|t| t.dedup_key.clone())
        .collect();
    assert_eq!(keys.len(), 3);
    assert_ne!(keys[0], keys[1], "two identical fees are two movements");
    assert_ne!(keys[0], keys[2], "different text, different movement");
    let again = parse(text.as_bytes(), FormatHint::Csv(&french_mapping())).unwrap();
    let again: Vec<_> = again[0]
        .transactions
        .iter()
        .map(|t| t.dedup_key.clone())
        .collect();
    assert_eq!(keys, again);
}
