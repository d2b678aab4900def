//! MT940 and OFX behaviours beyond the public samples: German `?NN` subfields, SWIFT block
//! envelopes, OFX 1.x SGML in Windows-1252, and errors naming the line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{date, money, parse_text};
use encaisse_bank::{Format, FormatHint, ImportError, Location, detect_format, parse};

const GERMAN: &str = "\
{1:F01COBADEFFXXXX0000000000}{2:I940COBADEFFXXXXN}{4:
:20:STARTUMS
:25:10020030/1234567
:28C:00042/001
:60F:C260130EUR1500,00
:61:2601300131CR250,00NTRFNONREF//0131-0042
:86:166?00SEPA-GUTSCHRIFT?109310?20EREF+RE-2026-0042?21SVWZ+Rechnung RE-2026-0042 v
?22om 12.01.2026?30COBADEFFXXX?31DE02120300000000202051?32Muster GmbH
:61:260131D19,90NMSCNONREF
:86:805?00ENTGELT?20Kontofuehrung Januar
:62F:C260131EUR1730,10
-}
{1:F01COBADEFFXXXX0000000000}{2:I940COBADEFFXXXXN}{4:
:20:STARTUMS
:25:10020030/1234567
:60F:C260131EUR1730,10
:62F:C260201EUR1730,10
-}";

#[test]
fn german_mt940_with_question_mark_subfields_and_blocks() {
    assert_eq!(detect_format(GERMAN.as_bytes()), Some(Format::Mt940));
    let s = parse_text(GERMAN);
    assert_eq!(s.len(), 2);
    let st = &s[0];
    assert_eq!(st.account_id, "10020030/1234567");
    assert!(st.account_iban.is_none());
    assert_eq!(st.transactions.len(), 2);

    let credit = &st.transactions[0];
    assert_eq!(money(credit), "250.00 EUR");
    // CR: the funds code "R" after the mark (third letter of EUR).
    assert_eq!(credit.value_date, Some(date("2026-01-30")));
    assert_eq!(credit.booking_date, date("2026-01-31"));
    assert_eq!(credit.bank_reference, "0131-0042");
    assert_eq!(credit.end_to_end_id.as_deref(), Some("RE-2026-0042"));
    assert_eq!(
        credit.remittance_unstructured.as_deref(),
        Some("Rechnung RE-2026-0042 vom 12.01.2026")
    );
    assert_eq!(credit.counterparty_name.as_deref(), Some("Muster GmbH"));
    assert_eq!(
        credit.counterparty_iban.as_ref().unwrap().as_str(),
        "DE02120300000000202051"
    );

    let fee = &st.transactions[1];
    assert_eq!(money(fee), "-19.90 EUR");
    assert_eq!(fee.bank_reference, "");
    assert_eq!(
        fee.remittance_unstructured.as_deref(),
        Some("Kontofuehrung Januar")
    );
    assert_eq!(fee.bank_transaction_code.as_deref(), Some("NMSC"));
    assert_ne!(credit.dedup_key, fee.dedup_key);

    assert_eq!(s[1].transactions.len(), 0);
    assert_eq!(s[1].closing_balance.unwrap().date, date("2026-02-01"));
}

#[test]
fn french_free_text_86_and_reversal_marks() {
    let text = "\
:20:RELEVE
:25:FR7630006000011234567890189
:60F:D260130EUR100,00
:61:260131RD42,00NCHKNONREF//CHQ123
:86:ANNULATION PRELEVEMENT
DUPONT SA
:61:260131RC10,NTRF123456
:62F:C260131EUR-
";
    // The closing balance is broken on purpose: line 8.
    let e = parse(text.as_bytes(), FormatHint::Detect).unwrap_err();
    assert_eq!(e.location(), Some(&Location::Line(8)));
    assert!(
        e.to_string()
            .starts_with("MT940 line 8: expected a balance like C260131EUR1234,56"),
        "{e}"
    );

    let fixed = text.replace(":62F:C260131EUR-", ":62F:D260131EUR68,00");
    let s = parse_text(&fixed);
    let st = &s[0];
    assert_eq!(
        st.account_iban.as_ref().unwrap().as_str(),
        "FR7630006000011234567890189"
    );
    assert_eq!(
        st.opening_balance.unwrap().amount.to_string(),
        "-100.00 EUR"
    );
    let txs = &st.transactions;
    // RD = reversal of a debit = a credit; RC = reversal of a credit = a debit.
    assert_eq!(money(&txs[0]), "42.00 EUR");
    assert!(txs[0].is_reversal);
    assert_eq!(txs[0].bank_reference, "CHQ123");
    assert_eq!(
        txs[0].remittance_unstructured.as_deref(),
        Some("ANNULATION PRELEVEMENT DUPONT SA")
    );
    assert_eq!(money(&txs[1]), "-10.00 EUR");
    // No `//` bank reference: the customer reference.
    assert_eq!(txs[1].bank_reference, "123456");
}

#[test]
fn mt940_errors_name_the_line() {
    let bad_amount =
        ":20:X\n:25:CH9300762011623852957\n:60F:C260130CHF1,00\n:61:260131C1.50NTRFNONREF\n";
    let e = parse(bad_amount.as_bytes(), FormatHint::Detect).unwrap_err();
    assert_eq!(
        e.to_string(),
        "MT940 line 4: expected an amount with a decimal comma, such as 1234,56, found \
         `260131C1.50NTRFNONREF`"
    );

    let no_account = ":20:X\n:60F:C260130CHF1,00\n:61:260131C1,50NTRFNONREF\n";
    let e = parse(no_account.as_bytes(), FormatHint::Detect).unwrap_err();
    assert_eq!(e.location(), Some(&Location::Line(1)));
    assert!(e.to_string().contains(":25: account"), "{e}");

    let e = parse(b"hello", FormatHint::Format(Format::Mt940)).unwrap_err();
    assert_eq!(e.location(), Some(&Location::File));
}

/// OFX 1.02 SGML as French banks export it: header lines, unclosed leaves, Windows-1252.
fn ofx_sgml() -> Vec<u8> {
    let text = "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\n\
CHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n\
<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260201120000\
<LANGUAGE>FRA</SONRS></SIGNONMSGSRSV1>\r\n<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0\
<SEVERITY>INFO</STATUS>\r\n<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>30006<BRANCHID>00001\
<ACCTID>12345678901<ACCTKEY>89<ACCTTYPE>CHECKING</BANKACCTFROM>\r\n<BANKTRANLIST><DTSTART>20260101\
<DTEND>20260131\r\n<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260115<DTAVAIL>20260116<TRNAMT>1250,50\
<FITID>FIT-0001<NAME>VIR SEPA DUPONT & FILS<MEMO>Facture F-2026-0042 réglée</STMTTRN>\r\n\
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260120093000.000[+1:CET]<TRNAMT>-49.9<FITID>FIT-0002\
<NAME>PRLV Société Générale</STMTTRN>\r\n</BANKTRANLIST><LEDGERBAL><BALAMT>4200.60<DTASOF>20260131\
</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\r\n";
    // Encode as Windows-1252, as the header declares.
    let (bytes, _, had_errors) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!had_errors);
    bytes.into_owned()
}

#[test]
fn ofx1_sgml_in_windows_1252() {
    let bytes = ofx_sgml();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture is not UTF-8"
    );
    assert_eq!(detect_format(&bytes), Some(Format::Ofx));
    let s = parse(&bytes, FormatHint::Detect).unwrap();
    assert_eq!(s.len(), 1);
    let st = &s[0];
    assert_eq!(st.currency.code(), "EUR");
    // RIB 30006 00001 12345678901 key 89.
    assert_eq!(
        st.account_iban.as_ref().unwrap().as_str(),
        "FR7630006000011234567890189"
    );
    assert_eq!(
        st.closing_balance.unwrap().amount.to_string(),
        "4200.60 EUR"
    );
    let txs = &st.transactions;
    assert_eq!(txs.len(), 2);
    assert_eq!(money(&txs[0]), "1250.50 EUR");
    assert_eq!(txs[0].bank_reference, "FIT-0001");
    assert_eq!(txs[0].value_date, Some(date("2026-01-16")));
    assert_eq!(
        txs[0].counterparty_name.as_deref(),
        Some("VIR SEPA DUPONT & FILS")
    );
    assert_eq!(
        txs[0].remittance_unstructured.as_deref(),
        Some("Facture F-2026-0042 réglée")
    );
    assert_eq!(money(&txs[1]), "-49.90 EUR");
    assert_eq!(txs[1].booking_date, date("2026-01-20"));
    assert_eq!(
        txs[1].counterparty_name.as_deref(),
        Some("PRLV Société Générale")
    );
}

#[test]
fn ofx_errors_name_the_line() {
    let text = String::from_utf8(
        ofx_sgml()
            .iter()
            .map(|b| if *b < 128 { *b } else { b'e' })
            .collect(),
    )
    .unwrap()
    .replace("<TRNAMT>-49.9", "<TRNAMT>-49.9.9");
    let e = parse(text.as_bytes(), FormatHint::Detect).unwrap_err();
    assert_eq!(
        e.to_string(),
        "OFX line 16: expected a decimal amount in TRNAMT, such as -1234.56, found `-49.9.9`"
    );
    let e = parse(
        b"OFXHEADER:100\n<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>",
        FormatHint::Detect,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            ImportError::Invalid {
                location: Location::File,
                ..
            }
        ),
        "{e}"
    );
}
