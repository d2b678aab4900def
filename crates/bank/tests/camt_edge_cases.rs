//! camt behaviours the public samples do not show: reference suffixes in batches, statuses,
//! error locations, and dedup keys shared by a camt.053 and a camt.054.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{d, date, money, parse_text};
use encaisse_bank::{Format, FormatHint, ImportError, Location, TransactionStatus, parse};
use encaisse_core::reference::PaymentReference;

const ACCOUNT: &str = "CH9300762011623852957";

/// A minimal camt document of `kind` (`053`, `054`, `052`) and `version` (`02`, `04`, `08`)
/// around `entries`.
fn camt(kind: &str, version: &str, entries: &str) -> String {
    let (message, item) = match kind {
        "054" => ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
        "052" => ("BkToCstmrAcctRpt", "Rpt"),
        _ => ("BkToCstmrStmt", "Stmt"),
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{kind}.001.{version}">
  <{message}>
    <GrpHdr><MsgId>MSG-{kind}</MsgId><CreDtTm>2026-02-02T06:00:00</CreDtTm></GrpHdr>
    <{item}>
      <Id>{kind}-1</Id>
      <Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>CHF</Ccy></Acct>
{entries}
    </{item}>
  </{message}>
</Document>"#
    )
}

/// An entry; `head` goes before `BookgDt` (refs), `details` inside `NtryDtls`.
fn entry(amount: &str, cd: &str, status: &str, refs: &str, details: &str, extra: &str) -> String {
    let dtls = if details.is_empty() {
        String::new()
    } else {
        format!("<NtryDtls>{details}</NtryDtls>")
    };
    format!(
        r#"      <Ntry>
        {refs}
        <Amt Ccy="CHF">{amount}</Amt><CdtDbtInd>{cd}</CdtDbtInd>{status}
        <BookgDt><Dt>2026-02-02</Dt></BookgDt><ValDt><Dt>2026-02-03</Dt></ValDt>
        {dtls}{extra}
      </Ntry>
"#
    )
}

/// A QR-bill credit detail.
fn qr_detail(own_ref: &str, amount: &str, qrr: &str, payer: &str) -> String {
    let refs = if own_ref.is_empty() {
        String::new()
    } else {
        format!("<Refs><AcctSvcrRef>{own_ref}</AcctSvcrRef></Refs>")
    };
    format!(
        r#"<TxDtls>{refs}<Amt Ccy="CHF">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr><UltmtDbtr><Nm>{payer} Holding</Nm></UltmtDbtr>
            <DbtrAcct><Id><IBAN>CH5604835012345678009</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Prtry>QRR</Prtry></CdOrPrtry></Tp>
            <Ref>{qrr}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>"#
    )
}

const BOOK: &str = "<Sts>BOOK</Sts>";
const QRR_1: &str = "210000000003139471430009017";
const QRR_2: &str = "000000000000000000000012347";

#[test]
fn batch_details_without_references_get_the_entry_reference_with_a_position_suffix() {
    let details = [
        qr_detail("", "100.00", QRR_1, "Alpha SA"),
        qr_detail("", "100.00", QRR_2, "Beta Sàrl"),
        qr_detail("", "50.00", QRR_1, "Gamma AG"),
    ]
    .concat();
    let mixed = [
        qr_detail("OWN-REF", "10.00", QRR_1, "Delta"),
        qr_detail("", "20.00", QRR_2, "Epsilon"),
    ]
    .concat();
    let single = qr_detail("", "7.00", QRR_1, "Zeta");
    let entries = [
        entry(
            "250.00",
            "CRDT",
            BOOK,
            "<NtryRef>NREF42</NtryRef>",
            &details,
            "",
        ),
        entry(
            "30.00",
            "CRDT",
            BOOK,
            "<AcctSvcrRef>ASR9</AcctSvcrRef>",
            &mixed,
            "",
        ),
        entry("7.00", "CRDT", BOOK, "<NtryRef>SOLO</NtryRef>", &single, ""),
    ]
    .concat();
    let s = parse_text(&camt("053", "04", &entries));
    let refs: Vec<&str> = s[0]
        .transactions
        .iter()
        .map(|t| t.bank_reference.as_str())
        .collect();
    assert_eq!(
        refs,
        [
            "NREF42-1", "NREF42-2", "NREF42-3", "OWN-REF", "ASR9-2", "SOLO"
        ]
    );
    let first = &s[0].transactions[0];
    assert_eq!(money(first), "100.00 CHF");
    assert_eq!(first.counterparty_name.as_deref(), Some("Alpha SA"));
    assert_eq!(
        first.ultimate_counterparty_name.as_deref(),
        Some("Alpha SA Holding")
    );
    assert_eq!(
        first.counterparty_iban.as_ref().unwrap().as_str(),
        "CH5604835012345678009"
    );
    assert!(matches!(
        first.payment_reference(),
        Some(PaymentReference::Qr(_))
    ));
}

#[test]
fn pending_booked_and_informational_statuses_in_every_version() {
    let pending_v02 = r#"      <Ntry><Amt Ccy="CHF">12.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts>
        <ValDt><Dt>2026-02-05</Dt></ValDt></Ntry>
"#;
    let s = parse_text(&camt("052", "02", pending_v02));
    let tx = &s[0].transactions[0];
    assert_eq!(tx.status, TransactionStatus::Pending);
    // No booking date yet: the value date stands in.
    assert_eq!(tx.booking_date, date("2026-02-05"));

    let v08 = [
        entry("1.00", "CRDT", "<Sts><Cd>BOOK</Cd></Sts>", "", "", ""),
        entry("2.00", "DBIT", "<Sts><Cd>PDNG</Cd></Sts>", "", "", ""),
        entry("3.00", "CRDT", "<Sts><Cd>INFO</Cd></Sts>", "", "", ""),
        entry("4.00", "CRDT", "", "", "", ""),
    ]
    .concat();
    let s = parse_text(&camt("053", "08", &v08));
    let statuses: Vec<_> = s[0].transactions.iter().map(|t| t.status).collect();
    assert_eq!(
        statuses,
        [
            TransactionStatus::Booked,
            TransactionStatus::Pending,
            TransactionStatus::Informational,
            TransactionStatus::Booked, // camt.053 entries are booked unless told otherwise
        ]
    );
    assert_eq!(money(&s[0].transactions[1]), "-2.00 CHF");
}

#[test]
fn unknown_status_is_an_error_at_its_path() {
    let doc = camt(
        "053",
        "08",
        &entry("1.00", "CRDT", "<Sts><Cd>WHAT</Cd></Sts>", "", "", ""),
    );
    let e = parse(doc.as_bytes(), FormatHint::Detect).unwrap_err();
    assert_eq!(
        e.location(),
        Some(&Location::Path(
            "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Sts".into()
        ))
    );
    assert!(e.to_string().contains("found `WHAT`"), "{e}");
}

#[test]
fn a_bad_amount_is_reported_with_its_element_path() {
    let entries = [
        entry("1.00", "CRDT", BOOK, "", "", ""),
        entry("2.00", "CRDT", BOOK, "", "", ""),
        entry("12,50", "CRDT", BOOK, "", "", ""),
    ]
    .concat();
    let e = parse(camt("053", "02", &entries).as_bytes(), FormatHint::Detect).unwrap_err();
    assert_eq!(
        e.to_string(),
        "camt.053 /Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt: expected a non-negative decimal \
         amount such as 1234.50, found `12,50`"
    );
}

#[test]
fn other_camt_errors_say_what_was_expected() {
    let no_sign = entry("1.00", "", BOOK, "", "", "").replace("<CdtDbtInd></CdtDbtInd>", "");
    let e = parse(camt("054", "04", &no_sign).as_bytes(), FormatHint::Detect).unwrap_err();
    assert_eq!(
        e.to_string(),
        "camt.054 /Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]/CdtDbtInd: expected CRDT or DBIT"
    );

    let no_ccy = entry("1.00", "CRDT", BOOK, "", "", "").replace(r#" Ccy="CHF""#, "");
    let e = parse(camt("053", "04", &no_ccy).as_bytes(), FormatHint::Detect).unwrap_err();
    assert!(
        e.to_string()
            .contains("Ntry[1]/Amt/@Ccy: expected a Ccy attribute"),
        "{e}"
    );

    let detail_without_amount = "<TxDtls><Refs><EndToEndId>A</EndToEndId></Refs></TxDtls>";
    let batch = [
        qr_detail("", "1.00", QRR_1, "A"),
        detail_without_amount.to_owned(),
    ]
    .concat();
    let doc = camt("053", "04", &entry("2.00", "CRDT", BOOK, "", &batch, ""));
    let e = parse(doc.as_bytes(), FormatHint::Detect).unwrap_err();
    assert_eq!(
        e.location(),
        Some(&Location::Path(
            "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[2]/Amt".into()
        ))
    );

    let bad_date = entry("1.00", "CRDT", BOOK, "", "", "").replace("2026-02-02", "02.02.2026");
    let e = parse(camt("053", "04", &bad_date).as_bytes(), FormatHint::Detect).unwrap_err();
    assert!(
        e.to_string()
            .contains("Ntry[1]/BookgDt/Dt: expected an ISO date"),
        "{e}"
    );
}

#[test]
fn malformed_xml_names_the_line() {
    let doc = camt("053", "02", &entry("1.00", "CRDT", BOOK, "", "", ""))
        .replace("</CdtDbtInd>", "</CdtDbt>");
    let e = parse(doc.as_bytes(), FormatHint::Format(Format::Camt053)).unwrap_err();
    match e.location() {
        Some(Location::Line(n)) => assert_eq!(*n, 10, "{e}"),
        other => panic!("expected a line, got {other:?}: {e}"),
    }
    assert!(
        e.to_string()
            .starts_with("camt.053 line 10: expected well-formed XML"),
        "{e}"
    );
}

#[test]
fn prefixed_namespaces_and_datetimes_are_read_the_same() {
    let doc = r#"<?xml version="1.0"?>
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <c:BkToCstmrStmt><c:Stmt><c:Id>X</c:Id>
  <c:Acct><c:Id><c:IBAN>CH93 0076 2011 6238 5295 7</c:IBAN></c:Id></c:Acct>
  <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>PRCD</c:Cd></c:CdOrPrtry></c:Tp><c:Amt Ccy="CHF">10.00</c:Amt>
   <c:CdtDbtInd>DBIT</c:CdtDbtInd><c:Dt><c:DtTm>2026-01-31T23:59:59</c:DtTm></c:Dt></c:Bal>
  <c:Ntry><c:Amt Ccy="CHF">1.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd><c:RvslInd>true</c:RvslInd>
   <c:Sts><c:Cd>BOOK</c:Cd></c:Sts><c:BookgDt><c:DtTm>2026-02-01T10:15:00+01:00</c:DtTm></c:BookgDt>
   <c:AddtlNtryInf>Dupont &amp; Fils</c:AddtlNtryInf></c:Ntry>
 </c:Stmt></c:BkToCstmrStmt></c:Document>"#;
    let s = parse_text(doc);
    let st = &s[0];
    assert_eq!(st.account_iban.as_ref().unwrap().as_str(), ACCOUNT);
    // PRCD (previous closing) serves as opening balance when there is no OPBD.
    assert_eq!(st.opening_balance.unwrap().amount.amount(), d("-10.00"));
    assert_eq!(st.opening_balance.unwrap().date, date("2026-01-31"));
    let tx = &st.transactions[0];
    assert_eq!(tx.booking_date, date("2026-02-01"));
    assert!(tx.is_reversal);
    assert_eq!(money(tx), "-1.00 CHF");
    assert_eq!(tx.additional_info.as_deref(), Some("Dupont & Fils"));
}

#[test]
fn a_camt053_and_the_camt054_of_the_same_booking_share_dedup_keys() {
    // Two customers pay 100.00 the same day; the bank books a QR batch (camt.053) and
    // details it in a camt.054 with different entry references and texts.
    let details = [
        qr_detail("PKG-1", "100.00", QRR_1, "Alpha SA"),
        qr_detail("PKG-1", "100.00", QRR_2, "Beta Sàrl"),
    ]
    .concat();
    let statement = camt(
        "053",
        "04",
        &entry(
            "200.00",
            "CRDT",
            BOOK,
            "<NtryRef>S-0001</NtryRef>",
            &details,
            "<AddtlNtryInf>CREDIT GROUPE QR</AddtlNtryInf>",
        ),
    );
    let notification = camt(
        "054",
        "08",
        &entry(
            "200.00",
            "CRDT",
            "<Sts><Cd>BOOK</Cd></Sts>",
            "<NtryRef>N-7781</NtryRef>",
            &details,
            "<AddtlNtryInf>Gutschrift QR-Rechnung</AddtlNtryInf>",
        ),
    );
    let from_053 = parse_text(&statement);
    let from_054 = parse_text(&notification);
    let k053: Vec<&str> = from_053[0]
        .transactions
        .iter()
        .map(|t| t.dedup_key.as_str())
        .collect();
    let k054: Vec<&str> = from_054[0]
        .transactions
        .iter()
        .map(|t| t.dedup_key.as_str())
        .collect();
    assert_eq!(k053.len(), 2);
    assert_eq!(k053, k054, "same booking seen in both messages");
    assert_ne!(
        k053[0], k053[1],
        "two payments of the same amount and bank reference"
    );

    // Re-importing gives the same keys; a different amount gives another key.
    assert_eq!(parse_text(&statement)[0].transactions[0].dedup_key, k053[0]);
    let other = statement.replace("100.00", "100.05");
    assert_ne!(parse_text(&other)[0].transactions[0].dedup_key, k053[0]);
}

#[test]
fn identical_lines_of_one_file_stay_two_transactions() {
    let fee = entry(
        "5.00",
        "DBIT",
        BOOK,
        "",
        "",
        "<AddtlNtryInf>FRAIS</AddtlNtryInf>",
    );
    let doc = camt("053", "02", &[fee.clone(), fee].concat());
    let s = parse_text(&doc);
    let txs = &s[0].transactions;
    assert_eq!(txs.len(), 2);
    assert_ne!(txs[0].dedup_key, txs[1].dedup_key);
    let again = parse_text(&doc);
    assert_eq!(again[0].transactions[1].dedup_key, txs[1].dedup_key);
}

#[test]
fn rf_creditor_reference_is_typed() {
    let detail = r#"<TxDtls><RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>
        <Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>"#;
    let s = parse_text(&camt(
        "053",
        "02",
        &entry("9.00", "CRDT", BOOK, "", detail, ""),
    ));
    let tx = &s[0].transactions[0];
    assert_eq!(tx.structured_reference.as_deref(), Some("RF18539007547034"));
    assert!(matches!(
        tx.payment_reference(),
        Some(PaymentReference::Creditor(_))
    ));
}

#[test]
fn a_document_without_a_camt_message_is_refused() {
    let e = parse(
        b"<Document><Foo/></Document>",
        FormatHint::Format(Format::Camt053),
    )
    .unwrap_err();
    assert!(matches!(e, ImportError::Invalid { .. }));
    assert!(
        e.to_string()
            .contains("/Document: expected a BkToCstmrStmt"),
        "{e}"
    );
}
