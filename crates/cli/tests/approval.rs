//! `encaisse invoice waiting | approve | reject | submit --as EMAIL` on the demo, with the real
//! binary, on every backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use encaisse_store::testing::TestDb;

fn run(db: &TestDb, dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("encaisse")
        .unwrap()
        .arg("--data-dir")
        .arg(dir)
        .arg("--database-url")
        .arg(&db.url)
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

#[tokio::test]
async fn an_approver_decides_the_demo_drafts_from_the_command_line() {
    for db in TestDb::all().await.unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let r = |args: &[&str]| run(&db, dir.path(), args);
        let (code, out, err) = r(&["demo", "--no-serve"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("approver@demo.test") && out.contains("validation inbox"),
            "{out}"
        );

        let org = ["--org", "octet-associes"];
        let waiting = |who: &str| {
            let (code, out, err) = r(&[
                org[0], org[1], "invoice", "waiting", "--as", who, "--format", "json",
            ]);
            assert_eq!(code, 0, "{err}");
            serde_json::from_str::<serde_json::Value>(&out)
                .unwrap()
                .as_array()
                .unwrap()
                .clone()
        };
        let items = waiting("approver@demo.test");
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(
            items
                .iter()
                .any(|i| i["rules"].as_str().unwrap().contains("unusual_amount")),
            "one demo draft trips a rule: {items:?}"
        );
        assert!(
            waiting("accountant@demo.test").is_empty(),
            "the accountant prepared them"
        );

        let clean: Vec<String> = items
            .iter()
            .filter(|i| i["rules"].as_str().unwrap().is_empty())
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        // The accountant who drafted them cannot approve; the approver can.
        let (code, _, err) = r(&[
            org[0],
            org[1],
            "invoice",
            "approve",
            &clean[0],
            "--as",
            "accountant@demo.test",
        ]);
        assert_eq!(code, 1);
        assert!(err.contains("not allowed"), "{err}");
        let (code, out, err) = r(&[
            org[0],
            org[1],
            "invoice",
            "approve",
            &clean[0],
            "--as",
            "approver@demo.test",
            "--comment",
            "OK",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("approved"), "{out}");
        let (code, out, err) = r(&[
            org[0],
            org[1],
            "invoice",
            "reject",
            &clean[1],
            "--as",
            "approver@demo.test",
            "--comment",
            "Wrong month",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("rejected"), "{out}");
        let (code, out, _) = r(&[org[0], org[1], "invoice", "history", &clean[1]]);
        assert_eq!(code, 0);
        assert!(
            out.contains("invoice.rejected") && out.contains("Wrong month"),
            "{out}"
        );
        // Resubmitted by the accountant, it waits again.
        let (code, out, err) = r(&[
            org[0],
            org[1],
            "invoice",
            "submit",
            &clean[1],
            "--as",
            "accountant@demo.test",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("pending_approval"), "{out}");
        assert_eq!(waiting("approver@demo.test").len(), 2);
        let (code, _, err) = r(&[
            org[0],
            org[1],
            "invoice",
            "waiting",
            "--as",
            "nobody@demo.test",
        ]);
        assert_eq!(code, 1);
        assert!(err.contains("nobody@demo.test"), "{err}");
    }
}
