//! End-to-end: `encaisse time import` and `encaisse invoice draft` through the real binary,
//! on every backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
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
            .env("ENCAISSE_OWNER_PASSWORD", "a long secret phrase")
            .env("RUST_LOG", "warn")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn fixture(name: &str) -> String {
    format!(
        "{}/../connectors/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[tokio::test]
async fn import_then_draft_dry_run_then_for_real_then_nothing_new() {
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

        let (code, out, err) = env.run(&["time", "import", &fixture("clockify_detailed.csv")]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("clockify format") && out.contains("4 imported"),
            "{out}"
        );
        assert!(
            out.contains("client created: Boulangeries Lefèvre SAS"),
            "{out}"
        );
        let (code, out, _) = env.run(&["time", "import", &fixture("clockify_detailed.csv")]);
        assert_eq!(code, 0);
        assert!(out.contains("0 imported, 4 already there"), "{out}");

        let map = "date=Jour,project=Projet,client=Client,user=Consultant,duration=Heures,description=Remarque";
        let (code, _, err) = env.run(&[
            "time",
            "import",
            &fixture("generic_with_errors.csv"),
            "--map",
            map,
        ]);
        assert_eq!(code, 1);
        assert!(
            err.contains("nothing was imported")
                && err.contains("generic_with_errors.csv:3:5 (column `Heures`)"),
            "{err}"
        );
        let (code, out, err) = env.run(&[
            "time",
            "import",
            &fixture("generic_with_errors.csv"),
            "--map",
            map,
            "--skip-invalid",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("2 imported") && out.contains("2 skipped"),
            "{out}"
        );
        assert!(err.contains("skipped: ") && err.contains(":4:1"), "{err}");

        let (code, out, err) = env.run(&["invoice", "draft", "--period", "2026-10", "--dry-run"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("Boulangeries Lefèvre SAS") && out.contains("Transports Mercier & Fils"),
            "{out}"
        );
        assert!(
            out.contains("Hours")
                && out.contains("Gross")
                && out.contains("dry run: nothing written"),
            "{out}"
        );
        let (_, listed, _) = env.run(&["invoice", "list", "--format", "json"]);
        assert_eq!(listed.trim(), "[]", "a dry run writes nothing");

        let (code, out, err) = env.run(&[
            "invoice", "draft", "--period", "2026-10", "--format", "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let drafts = report["drafts"].as_array().unwrap();
        assert_eq!(drafts.len(), 2);
        let lef = drafts
            .iter()
            .find(|d| d["client"] == "Boulangeries Lefèvre SAS")
            .unwrap();
        // 1:30 + 2:20 at 95 €/h (the pause is not billable), quantity 3.8333 h; the generic
        // rows carry no rate.
        assert_eq!(
            (
                lef["hours"].as_str(),
                lef["net"].as_str(),
                lef["gross"].as_str()
            ),
            (Some("3.8333"), Some("364.16"), Some("436.99"))
        );
        assert_eq!(report["skipped"]["no_rate"], 2);
        let (_, listed, _) = env.run(&["invoice", "list", "--format", "json"]);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&listed)
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let (code, out, _) = env.run(&["invoice", "draft", "--period", "2026-10"]);
        assert_eq!(code, 0);
        assert!(
            out.contains("0 draft(s) drafted"),
            "running it twice creates nothing new: {out}"
        );
        let (code, out, _) = env.run(&["audit", "verify"]);
        assert_eq!(code, 0, "{out}");
    }
}
