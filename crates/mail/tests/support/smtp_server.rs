//! Starts the real SMTP server (`smtp_server.py`, on aiosmtpd) for a test, and reads back what
//! it received. The server is a child process killed when the handle drops.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How the server is started.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    pub tls: Tls,
    pub user: Option<(String, String)>,
    pub token: Option<String>,
    pub reject: Vec<(String, u16)>,
    pub reject_sender: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tls {
    #[default]
    None,
    Starttls,
    Implicit,
}

/// A message the server accepted.
#[derive(Debug)]
pub struct Received {
    pub meta: serde_json::Value,
    pub data: Vec<u8>,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8(self.data.clone()).unwrap()
    }
}

pub struct SmtpServer {
    pub port: u16,
    pub dir: PathBuf,
    /// The self-signed certificate (PEM) the TLS modes use, for `mail.smtp.ca_file`.
    pub ca_pem: Vec<u8>,
    pub ca_file: PathBuf,
    _child: Child,
    _tmp: tempfile::TempDir,
}

/// A Python interpreter that can import aiosmtpd.
fn python() -> Option<String> {
    let mut candidates = vec!["python3".to_owned(), "/usr/bin/python3".to_owned()];
    if let Ok(p) = std::env::var("ENCAISSE_SMTP_PYTHON") {
        candidates.insert(0, p);
    }
    candidates.into_iter().find(|p| {
        std::process::Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Whether the SMTP tests run here. `ENCAISSE_SKIP_SMTP=1` skips them loudly (scripts/test sets
/// it when it cannot install aiosmtpd outside CI); otherwise a missing aiosmtpd is a failure.
pub fn available() -> bool {
    if std::env::var("ENCAISSE_SKIP_SMTP").as_deref() == Ok("1") {
        eprintln!("SKIPPED: ENCAISSE_SKIP_SMTP=1, the tests against a real SMTP server do not run");
        return false;
    }
    assert!(
        python().is_some(),
        "no Python with aiosmtpd: install python3-aiosmtpd (scripts/test does), point \
         ENCAISSE_SMTP_PYTHON at an interpreter that has it, or set ENCAISSE_SKIP_SMTP=1"
    );
    true
}

impl SmtpServer {
    pub async fn start(opts: ServerOptions) -> SmtpServer {
        let py = python().expect("aiosmtpd");
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("received");
        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
            .unwrap();
        let cert_pem = cert.cert.pem();
        let cert_file = tmp.path().join("cert.pem");
        let key_file = tmp.path().join("key.pem");
        std::fs::write(&cert_file, &cert_pem).unwrap();
        std::fs::write(&key_file, cert.signing_key.serialize_pem()).unwrap();

        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
        let mut cmd = Command::new(py);
        cmd.arg(script).arg("--dir").arg(&dir);
        match opts.tls {
            Tls::None => {}
            Tls::Starttls => {
                cmd.arg("--starttls").arg(&cert_file).arg(&key_file);
            }
            Tls::Implicit => {
                cmd.arg("--implicit-tls").arg(&cert_file).arg(&key_file);
            }
        }
        if let Some((u, p)) = &opts.user {
            cmd.args(["--user", u, "--password", p]);
        }
        if let Some(t) = &opts.token {
            cmd.args(["--token", t]);
        }
        for (addr, code) in &opts.reject {
            cmd.arg("--reject").arg(format!("{addr}={code}"));
        }
        for addr in &opts.reject_sender {
            cmd.arg("--reject-sender").arg(addr);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the SMTP server did not start within 30 s")
            .unwrap()
            .expect("the SMTP server exited before it was ready");
        let port = line
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from the SMTP server: {line}"));
        SmtpServer {
            port,
            dir,
            ca_pem: cert_pem.into_bytes(),
            ca_file: cert_file,
            _child: child,
            _tmp: tmp,
        }
    }

    /// The messages received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut out = Vec::new();
        for n in 1.. {
            let meta = self.dir.join(format!("{n}.json"));
            let Ok(meta) = std::fs::read(&meta) else {
                break;
            };
            out.push(Received {
                meta: serde_json::from_slice(&meta).unwrap(),
                data: std::fs::read(self.dir.join(format!("{n}.eml"))).unwrap(),
            });
        }
        out
    }

    /// How many messages arrived (without reading them).
    pub fn count_received(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Polls until `n` messages arrived (deadline 30 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let r = self.received();
            if r.len() >= n {
                return r;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} of {n} messages arrived",
                r.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The decoded bytes of the attachment named `filename` in a received message.
pub fn attachment(message: &str, filename: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let marker = format!("filename=\"{filename}\"");
    let start = message.find(&marker)?;
    let rest = &message[start..];
    let body_start = rest.find("\r\n\r\n")? + 4;
    let body = &rest[body_start..];
    let end = body.find("\r\n--").unwrap_or(body.len());
    let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

/// A header's raw value (first occurrence, unfolded).
pub fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\r\n\r\n").next()?;
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push_str(line);
                continue;
            }
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_owned());
        }
    }
    value
}
