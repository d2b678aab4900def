//! End-to-end: the real `encaisse` binary against real databases (SQLite, and PostgreSQL when
//! ENCAISSE_TEST_DATABASE_URL is set), including the server on an ephemeral port.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use encaisse_store::testing::TestDb;

struct Env {
    db: TestDb,
    dir: tempfile::TempDir,
}

impl Env {
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("encaisse").unwrap();
        c.arg("--data-dir")
            .arg(self.dir.path())
            .arg("--database-url")
            .arg(&self.db.url);
        c.env_remove("ENCAISSE_OWNER_PASSWORD")
            .env("RUST_LOG", "warn");
        c
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

async fn envs() -> Vec<Env> {
    TestDb::all()
        .await
        .unwrap()
        .into_iter()
        .map(|db| Env {
            db,
            dir: tempfile::tempdir().unwrap(),
        })
        .collect()
}

#[tokio::test]
async fn init_is_scriptable_and_refuses_to_run_twice() {
    for env in envs().await {
        let (code, _, err) = env.run(&[
            "init",
            "--org-name",
            "Octet SAS",
            "--country",
            "FR",
            "--owner-email",
            "me@octet.test",
        ]);
        assert_eq!(code, 1, "no password given: {err}");
        assert!(err.contains("ENCAISSE_OWNER_PASSWORD"), "{err}");

        let out = env
            .cmd()
            .args([
                "init",
                "--org-name",
                "Octet SAS",
                "--country",
                "FR",
                "--owner-email",
                "me@octet.test",
            ])
            .env("ENCAISSE_OWNER_PASSWORD", "a long secret phrase")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("octet-sas"));

        let out = env
            .cmd()
            .args([
                "init",
                "--org-name",
                "Other",
                "--country",
                "CH",
                "--owner-email",
                "x@y.test",
            ])
            .env("ENCAISSE_OWNER_PASSWORD", "a long secret phrase")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("already initialised"));
        let (code, out, _) = env.run(&["client", "list", "--format", "json"]);
        assert_eq!(code, 0);
        assert_eq!(
            out.trim(),
            "[]",
            "the second init must not have created anything"
        );
    }
}

#[tokio::test]
async fn usage_errors_exit_with_2_and_help_exists_everywhere() {
    let env = Env {
        db: TestDb::sqlite().await.unwrap(),
        dir: tempfile::tempdir().unwrap(),
    };
    assert_eq!(env.run(&["invoice", "list", "--format", "yaml"]).0, 2);
    assert_eq!(env.run(&["no-such-command"]).0, 2);
    for args in [
        &["--help"][..],
        &["invoice", "--help"],
        &["invoice", "list", "--help"],
        &["audit", "verify", "--help"],
        &["token", "create", "--help"],
        &["demo", "--help"],
    ] {
        let (code, out, _) = env.run(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage"), "{args:?}: {out}");
    }
    let (code, out, _) = env.run(&["config", "example"]);
    assert_eq!(code, 0);
    assert!(out.contains("[server]") && out.contains("ENCAISSE_"));
}

#[tokio::test]
async fn demo_seeds_once_and_lists_invoices_with_the_contracted_fields() {
    for env in envs().await {
        let (code, first, err) = env.run(&["demo", "--no-serve"]);
        assert_eq!(code, 0, "{err}");
        let (code, second, _) = env.run(&["demo", "--no-serve"]);
        assert_eq!(code, 0);
        let counts = |s: &str| {
            s.lines()
                .find(|l| l.contains("invoices issued"))
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(
            counts(&first),
            counts(&second),
            "a second demo run must not add anything"
        );

        let (code, out, err) = env.run(&[
            "--org",
            "octet-associes",
            "invoice",
            "list",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let list: serde_json::Value = serde_json::from_str(&out).unwrap();
        let items = list.as_array().unwrap();
        assert!(items.len() > 50, "{}", items.len());
        for key in [
            "id",
            "number",
            "status",
            "client",
            "currency",
            "issue_date",
            "due_date",
            "net",
            "vat",
            "gross",
            "paid",
            "outstanding",
        ] {
            assert!(items.iter().all(|i| i.get(key).is_some()), "missing {key}");
        }
        let statuses: std::collections::HashSet<_> = items
            .iter()
            .map(|i| i["status"].as_str().unwrap())
            .collect();
        for s in [
            "paid",
            "partially_paid",
            "sent",
            "pending_approval",
            "cancelled",
        ] {
            assert!(
                statuses.contains(s),
                "no {s} invoice in the demo: {statuses:?}"
            );
        }
        // Drafts have no number; amounts are decimal strings.
        assert!(items.iter().any(|i| i["number"].is_null()));
        assert!(
            items
                .iter()
                .all(|i| i["gross"].as_str().unwrap().contains('.'))
        );
        let (code, csv, _) = env.run(&[
            "--org",
            "octet-suisse",
            "invoice",
            "list",
            "--format",
            "csv",
        ]);
        assert_eq!(code, 0);
        assert!(csv.lines().next().unwrap().contains("outstanding"));
        assert!(csv.contains("CHF"));

        let number = items
            .iter()
            .find_map(|i| i["number"].as_str())
            .unwrap()
            .to_owned();
        let (code, out, _) = env.run(&["--org", "octet-associes", "invoice", "show", &number]);
        assert_eq!(code, 0);
        assert!(out.contains(&number) && out.contains("document SHA-256"));
        let (code, out, _) = env.run(&["invoice", "list"]);
        assert_eq!(code, 1, "two organizations: --org is required");
        let _ = out;

        let (code, out, _) = env.run(&["audit", "verify"]);
        assert_eq!(code, 0, "{out}");
        assert_eq!(out.lines().filter(|l| l.starts_with("ok")).count(), 2);
    }
}

#[tokio::test]
async fn audit_verify_names_the_tampered_event() {
    for env in envs().await {
        assert_eq!(env.run(&["demo", "--no-serve"]).0, 0);
        env.db
            .store
            .execute_raw("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 7")
            .await
            .unwrap();
        let (code, out, err) = env.run(&["audit", "verify"]);
        assert_eq!(code, 1);
        assert!(out.contains("BROKEN") && out.contains("event #7"), "{out}");
        assert!(err.contains("tampered"), "{err}");
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(env: &Env) -> (Server, String) {
    let mut child = env
        .cmd()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("http://").nth(1) {
                let _ = tx.send(
                    rest.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
                return;
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("server did not print its address");
    (server, format!("http://{addr}"))
}

#[tokio::test]
async fn served_demo_answers_the_api_with_a_token() {
    for env in envs().await {
        assert_eq!(env.run(&["demo", "--no-serve"]).0, 0);
        let (code, token, err) = env.run(&[
            "--org",
            "octet-associes",
            "token",
            "create",
            "--email",
            "accountant@demo.test",
            "--name",
            "e2e",
        ]);
        assert_eq!(code, 0, "{err}");
        let token = token.trim().to_owned();
        assert!(token.starts_with("enc_"));
        let (_server, base) = start_server(&env);
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match http.get(format!("{base}/readyz")).send().await {
                Ok(r) if r.status().is_success() => break,
                _ if Instant::now() < deadline => tokio::task::yield_now().await,
                other => panic!("server not ready: {other:?}"),
            }
        }
        let r = http
            .get(format!("{base}/api/v1/invoices?limit=5"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 5);
        assert!(body["next_cursor"].is_string());
        let r = http
            .get(format!("{base}/api/v1/invoices"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let docs = http.get(format!("{base}/docs/")).send().await.unwrap();
        assert!(
            docs.status().is_success() || docs.status().is_redirection(),
            "{}",
            docs.status()
        );
        let spec: serde_json::Value = http
            .get(format!("{base}/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
        // Demo login works with the printed password.
        let r = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({ "email": "viewer@demo.test", "password": "demo-encaisse" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
}
