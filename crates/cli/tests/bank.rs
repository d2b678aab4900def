//! End-to-end: `encaisse invoice import`, `encaisse bank import`, `encaisse reconcile` with its
//! CSV report, review and undo, `encaisse alerts` — the real binary on every backend, with
//! statement files written by the test.

// Amounts in minor units are written euros_cents (`1_200_00` is 1200.00), as accountants read them.
#![allow(clippy::inconsistent_digit_grouping)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use chrono::NaiveDate;
use encaisse_bank::camt_writer::{CamtEntry, camt053};
use encaisse_core::reference::CreditorReference;
use encaisse_core::{Currency, Money};
use encaisse_store::testing::TestDb;

struct Env {
    db: TestDb,
    dir: tempfile::TempDir,
}

impl Env {
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::cargo_bin("encaisse")
            .unwrap()
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("--database-url")
            .arg(&self.db.url)
            .env("RUST_LOG", "warn")
            .env("ENCAISSE_OWNER_PASSWORD", "a long secret phrase")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn file(&self, name: &str, content: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.display().to_string()
    }
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn rf(number: &str) -> String {
    CreditorReference::generate(&number.replace('-', ""))
        .unwrap()
        .as_str()
        .to_owned()
}

const RECEIVABLES: &str = "client_name,number,currency,gross_amount,paid_amount,issue_date,due_date,payment_reference,client_iban,comment\n\
    Dupont Conseil SARL,OLD-001,EUR,1200.00,,2026-01-10,2026-02-09,RF_OLD_001,,x\n\
    Dupont Conseil SARL,OLD-002,EUR,300.00,,2026-01-20,2026-02-19,,,\n\
    Martin Industrie SA,OLD-003,EUR,2000.00,500.00,2026-02-01,2026-03-03,,FR1420041010050500013M02606,\n";

#[tokio::test]
async fn receivables_and_a_statement_reconcile_with_a_report_and_undo() {
    for db in TestDb::all().await.unwrap() {
        let env = Env {
            db,
            dir: tempfile::tempdir().unwrap(),
        };
        let (code, _, err) = env.run(&[
            "init",
            "--org-name",
            "Octet SAS",
            "--country",
            "FR",
            "--owner-email",
            "me@octet.test",
        ]);
        assert_eq!(code, 0, "{err}");

        // Receivables from another tool: twice, the second changes nothing.
        let csv = env.file(
            "open.csv",
            &RECEIVABLES.replace("RF_OLD_001", &rf("OLD-001")),
        );
        let (code, out, err) = env.run(&["invoice", "import", &csv]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("3 invoice(s) imported, 0 already imported, 2 client(s) created"),
            "{out}"
        );
        let (code, out, _) = env.run(&["invoice", "import", &csv]);
        assert_eq!(code, 0);
        assert!(
            out.contains("0 invoice(s) imported, 3 already imported"),
            "{out}"
        );
        let bad = env.file("bad.csv", "number,client_name,client_iban,currency,gross_amount,paid_amount,issue_date,due_date,payment_reference\nZ-1,Zed,,EUR,10.00,,2026-13-01,2026-02-01,\n");
        let (code, _, err) = env.run(&["invoice", "import", &bad]);
        assert_eq!(code, 1);
        assert!(err.contains("line 2, column issue_date"), "{err}");

        // A statement: one payment by reference, one by the learned IBAN (partial), one
        // unknown credit, one debit.
        let xml = camt053(
            "STMT-1",
            "FR7630006000011234567890189",
            Currency::EUR,
            eur(5_000_00),
            &[
                CamtEntry::credit("BANKREF-1", day(10), eur(1_200_00))
                    .from("DUPONT CONSEIL", None)
                    .reference(&rf("OLD-001")),
                CamtEntry::credit("BANKREF-2", day(11), eur(777_00))
                    .from("Inconnu SA", None)
                    .text("cotisation"),
                CamtEntry::debit("BANKREF-3", day(12), eur(99_00)).from("Loyer", None),
            ],
        );
        let statement = env.file("march.xml", &xml);
        let (code, out, err) = env.run(&["bank", "import", &statement]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("3 new, 0 already known"), "{out}");
        let (code, out, _) = env.run(&["bank", "import", &statement]);
        assert_eq!(code, 0);
        assert!(out.contains("0 new, 3 already known"), "{out}");
        let broken = env.file(
            "broken.xml",
            &xml.replace(
                "<Amt Ccy=\"EUR\">777.00</Amt>",
                "<Amt Ccy=\"EUR\">7x7</Amt>",
            ),
        );
        let (code, _, err) = env.run(&["bank", "import", &broken]);
        assert_eq!(code, 1);
        assert!(
            err.contains("broken.xml") && err.contains("Ntry[2]/Amt"),
            "{err}"
        );

        // Dry run: the report, nothing written.
        let report = env.dir.path().join("dry.csv");
        let (code, out, err) = env.run(&[
            "reconcile",
            "--dry-run",
            "--report",
            &report.display().to_string(),
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("dry run"), "{out}");
        let dry = std::fs::read_to_string(&report).unwrap();
        let (code, out, _) = env.run(&["invoice", "list", "--status", "paid", "--format", "json"]);
        assert_eq!(code, 0);
        assert_eq!(out.trim(), "[]", "the dry run paid nothing");

        // The real run.
        let real = env.dir.path().join("real.csv");
        let (code, out, err) = env.run(&["reconcile", "--report", &real.display().to_string()]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("applied 1"), "{out}");
        let text = std::fs::read_to_string(&real).unwrap();
        assert_eq!(text, dry, "the dry run reports what the run does");
        let rows = read_csv(&real);
        assert_eq!(
            rows[0],
            [
                "bank_reference",
                "invoice_number",
                "amount",
                "method",
                "confidence",
                "status"
            ]
        );
        assert!(
            rows.iter().any(|r| r[0] == "BANKREF-1"
                && r[1] == "OLD-001"
                && r[2] == "1200.00"
                && r[3] == "reference"
                && r[5] == "applied"),
            "{rows:?}"
        );
        assert!(
            rows.iter().any(|r| r[0] == "BANKREF-2"
                && r[1].is_empty()
                && r[2] == "777.00"
                && r[5] == "unmatched"),
            "{rows:?}"
        );
        assert!(
            rows.iter().all(|r| r[0] != "BANKREF-3"),
            "a debit is never matched: {rows:?}"
        );
        let (_, out, _) = env.run(&["invoice", "list", "--status", "paid", "--format", "json"]);
        assert!(out.contains("OLD-001"), "{out}");

        // Undo the applied match: the invoice is issued again.
        let (code, out, _) = env.run(&["reconcile", "applied", "--format", "json"]);
        assert_eq!(code, 0);
        let applied: serde_json::Value = serde_json::from_str(&out).unwrap();
        let id = applied[0]["id"].as_str().unwrap().to_owned();
        let (code, out, err) = env.run(&["reconcile", "undo", &id]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("OLD-001"), "{out}");
        let (_, out, _) = env.run(&["invoice", "list", "--status", "issued", "--format", "json"]);
        assert!(out.contains("OLD-001"), "{out}");
        let (code, _, err) = env.run(&["reconcile", "undo", &id]);
        assert_eq!(code, 1, "undoing twice is refused");
        assert!(err.contains("only an applied match can be undone"), "{err}");

        // Review lists (non-interactive: stdin is not a terminal here) and alerts.
        let (code, _, err) = env.run(&["reconcile", "review", "list"]);
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = env.run(&["alerts", "--compute", "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let alerts: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(
            alerts
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["kind"] == "cash_position"),
            "{out}"
        );
    }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_owned).collect())
        .collect()
}
