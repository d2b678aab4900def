//! Whatever bytes arrive, the parsers answer with statements or an error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use encaisse_bank::{Format, FormatHint, detect_format, parse, presets};
use proptest::prelude::*;

fn parse_every_way(bytes: &[u8]) {
    let _ = detect_format(bytes);
    let _ = parse(bytes, FormatHint::Detect);
    for format in [Format::Camt053, Format::Mt940, Format::Ofx, Format::Csv] {
        let _ = parse(bytes, FormatHint::Format(format));
    }
    let _ = parse(bytes, FormatHint::Csv(&presets::postfinance()));
}

/// Fragments of every format, so that random inputs reach deep into the parsers.
const FRAGMENTS: &[&str] = &[
    "<Document>",
    "</Document>",
    "<BkToCstmrStmt>",
    "</BkToCstmrStmt>",
    "<Stmt>",
    "</Stmt>",
    "<Ntry>",
    "</Ntry>",
    "<Amt Ccy=\"EUR\">",
    "<Amt Ccy=\"XXX\">",
    "</Amt>",
    "1.50",
    "12,5",
    "<CdtDbtInd>CRDT</CdtDbtInd>",
    "<CdtDbtInd>DBIT</CdtDbtInd>",
    "<NtryDtls>",
    "</NtryDtls>",
    "<TxDtls>",
    "</TxDtls>",
    "<BookgDt><Dt>2026-02-30</Dt></BookgDt>",
    "<Sts><Cd>BOOK</Cd></Sts>",
    "<Acct><Id><IBAN>CH9300762011623852957</IBAN></Id></Acct>",
    "&amp;",
    "&#xFFFFFF;",
    "&bad;",
    ":20:",
    ":25:",
    ":60F:",
    ":61:",
    ":86:",
    ":62F:",
    "C260131EUR1,00",
    "2601310131RD",
    "NTRF",
    "//",
    "?20",
    "?2",
    "/REMI/",
    "/CNTP/",
    "/EREF/",
    "-",
    "-}",
    "{4:",
    "\n",
    "\r\n",
    " ",
    "OFXHEADER:100",
    "<OFX>",
    "<STMTRS>",
    "<CURDEF>EUR",
    "<STMTTRN>",
    "<TRNAMT>-1.5",
    "<DTPOSTED>2026",
    "<FITID>",
    "</STMTTRN>",
    "<BANKID>30001<BRANCHID>00794<ACCTID>12345678901",
    "<",
    ">",
    ";",
    ",",
    "\t",
    "\"",
    "Buchungsdatum;Lastschrift in CHF;Gutschrift in CHF",
    "31.01.2026",
    "1'234.50",
    "(1.0)",
    "é",
    "\u{feff}",
    "\u{0}",
    "ÿ",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        parse_every_way(&bytes);
    }

    #[test]
    fn arbitrary_fragment_soup_never_panics(
        picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..80)
    ) {
        let text: String = picks.iter().map(|i| FRAGMENTS[*i]).collect();
        parse_every_way(text.as_bytes());
    }
}

/// Every sample cut at every 97th byte and with a byte flipped there still answers.
#[test]
fn truncated_and_corrupted_samples_never_panic() {
    let dir = common::samples_dir();
    for sub in ["camt", "mt940", "ofx"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            for cut in (0..bytes.len()).step_by(97) {
                parse_every_way(&bytes[..cut]);
                let mut corrupted = bytes.clone();
                corrupted[cut] ^= 0x5a;
                parse_every_way(&corrupted);
            }
        }
    }
}
