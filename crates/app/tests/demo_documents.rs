//! Every document `encaisse demo` issues passes the official validators
//! (`../shared/validators`): each Factur-X PDF (PDF/A-3 attachment, XMP, fonts, then the
//! Factur-X XSD + schematron with the EN 16931 rules on the embedded XML), each Swiss QR-bill
//! slip (payload decoded back from the printed QR code, IG v2.3), and the UBL of a sample.
//!
//! Needs `ENCAISSE_VALIDATORS` pointing at `shared/validators` (installed once with its
//! `setup.sh`); without it the test says so loudly and checks nothing. The validators run in
//! one Python process (their `evaltool` module) so a hundred documents take a minute, not ten.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use encaisse_app::App;
use encaisse_app::auth::Actor;
use encaisse_app::clock::FixedClock;
use encaisse_app::config::Config;
use encaisse_app::documents::IssuedDocument;
use encaisse_store::invoices::InvoiceFilter;
use encaisse_store::testing::TestDb;

/// Runs `evaltool` subcommands over many files in one interpreter; prints each RESULT line.
const DRIVER: &str = r#"
import sys, argparse, io, contextlib
sys.path.insert(0, sys.argv[1])
import evaltool
for spec in sys.argv[2:]:
    cmd, path = spec.split(":", 1)
    ns = argparse.Namespace(file=path, json_out=None, fr_ctc=False, extra_xslt=[], cen="auto",
                            extract_xml=None, payload=False, dpi=300, expect="spc",
                            print_payload=False, profile=None)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            rc = {"facturx": evaltool.cmd_facturx, "ubl": evaltool.cmd_ubl,
                  "qr": evaltool.cmd_qr}[cmd](ns)
    except SystemExit as e:
        rc = e.code
    text = out.getvalue()
    last = [l for l in text.splitlines() if l.startswith("RESULT:")][-1:] or ["RESULT: ERROR no result"]
    print(f"{cmd}\t{rc}\t{path}\t{last[0]}")
    if rc != 0:
        print(text, file=sys.stderr)
"#;

fn validators() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("ENCAISSE_VALIDATORS").map(PathBuf::from) else {
        eprintln!(
            "\n!! ENCAISSE_VALIDATORS is not set: the demo's issued documents were NOT validated.\n\
             !! Set ENCAISSE_VALIDATORS=../shared/validators (after its setup.sh) to run this test.\n"
        );
        return None;
    };
    assert!(
        dir.join("evaltool.py").is_file(),
        "ENCAISSE_VALIDATORS={} has no evaltool.py",
        dir.display()
    );
    Some(dir)
}

fn python() -> PathBuf {
    if let Some(v) = std::env::var_os("EVAL_VENV") {
        return PathBuf::from(v).join("bin/python");
    }
    let home = std::env::var_os("VALIDATORS_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("encaisse-validators"))
        })
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/encaisse-validators")
        });
    home.join("venv/bin/python")
}

fn run_driver(dir: &Path, specs: &[String]) -> Vec<(String, String, String)> {
    let py = python();
    assert!(
        py.is_file(),
        "{} missing: run {}/setup.sh once",
        py.display(),
        dir.display()
    );
    let home = py
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .unwrap();
    let out = Command::new(&py)
        .arg("-c")
        .arg(DRIVER)
        .arg(dir)
        .args(specs)
        .env(
            "EVAL_ARTEFACTS",
            std::env::var_os("EVAL_ARTEFACTS").unwrap_or_else(|| home.join("artefacts").into()),
        )
        .output()
        .expect("cannot run the validators' python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rows: Vec<(String, String, String)> = stdout
        .lines()
        .filter_map(|l| {
            let mut p = l.splitn(4, '\t');
            let (cmd, rc, path, result) = (p.next()?, p.next()?, p.next()?, p.next()?);
            Some((format!("{cmd} {path}"), rc.to_owned(), result.to_owned()))
        })
        .collect();
    assert_eq!(
        rows.len(),
        specs.len(),
        "the validator driver stopped early:\n{stdout}\n{stderr}"
    );
    let failed: Vec<_> = rows.iter().filter(|(_, rc, _)| rc != "0").collect();
    assert!(
        failed.is_empty(),
        "{} of {} documents fail the validators:\n{failed:#?}\n{stderr}",
        failed.len(),
        rows.len()
    );
    rows
}

#[tokio::test]
async fn every_document_the_demo_issues_passes_the_validators() {
    let Some(dir) = validators() else {
        return;
    };
    let db = TestDb::sqlite().await.unwrap();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap(),
    ));
    let app = App::new(db.store.clone(), Config::default(), clock);
    let summary = app
        .seed_demo(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
        .await
        .unwrap();
    assert!(summary.invoices_issued > 50 && summary.credit_notes > 0);

    let out = tempfile::tempdir().unwrap();
    let mut specs = Vec::new();
    let (mut pdfs, mut slips, mut ubls) = (0, 0, 0);
    for slug in ["octet-associes", "octet-suisse"] {
        let org = app.organization_by_slug_or_only(Some(slug)).await.unwrap();
        let actor = Actor::system(org.id, "test");
        let rows = app
            .list_invoices(
                &actor,
                &InvoiceFilter {
                    limit: 10_000,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        for row in rows.iter().filter(|r| r.number.is_some()) {
            let number = row.number.clone().unwrap();
            let docs = app.stored_documents(&actor, row.id).await.unwrap();
            let has = |k: IssuedDocument| docs.iter().any(|d| d.kind == k.code());
            assert!(
                has(IssuedDocument::FacturxPdf),
                "{number} has no stored PDF"
            );
            let mut wanted = vec![(IssuedDocument::FacturxPdf, "facturx")];
            pdfs += 1;
            if has(IssuedDocument::QrBillPdf) {
                wanted.push((IssuedDocument::QrBillPdf, "qr"));
                slips += 1;
            }
            // UBL exists where Peppol's prerequisites were met (a purchase order here).
            if has(IssuedDocument::UblXml) && ubls < 8 {
                wanted.push((IssuedDocument::UblXml, "ubl"));
                ubls += 1;
            }
            for (kind, cmd) in wanted {
                let doc = app.stored_document(&actor, row.id, kind).await.unwrap();
                let path = out.path().join(kind.file_name(&format!("{slug}-{number}")));
                std::fs::write(&path, doc.bytes).unwrap();
                specs.push(format!("{cmd}:{}", path.display()));
            }
        }
    }
    assert!(
        slips > 10,
        "the Swiss organization's invoices carry QR-bills: {slips}"
    );
    assert!(
        ubls > 2,
        "some demo invoices have a purchase order, hence a UBL: {ubls}"
    );
    let rows = run_driver(&dir, &specs);
    println!(
        "validated {} documents: {pdfs} Factur-X PDFs, {slips} QR-bills, {ubls} UBL",
        rows.len()
    );
}
