//! `encaisse mail test`: checks a transport step by step and says which step failed, why,
//! and what to do — DNS, TCP, TLS, authentication, the sender address for SMTP; the token and
//! the mailbox for Graph and Gmail; the directory for files. Nothing is sent.

use std::path::Path;
use std::time::Duration;

use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::{Mail, Rset};
use reqwest::StatusCode;

use crate::config::{ConfigError, MailConfig, TransportChoice};
use crate::http_api::error_text;
use crate::smtp::{SmtpSettings, SmtpTls, smtp_answer};
use crate::transport::{SendError, TransportKind};

/// What went wrong, as a category the user can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    Configuration,
    Dns,
    ConnectionRefused,
    Timeout,
    Tls,
    AuthRejected,
    SenderRefused,
    Credentials,
    MailboxNotFound,
    Permission,
    Storage,
    Other,
}

impl Problem {
    /// What to do about it.
    pub fn advice(self) -> &'static str {
        match self {
            Problem::Configuration => "fix the key named above in encaisse.toml or the environment",
            Problem::Dns => {
                "the host name does not resolve: check mail.smtp.host for typos, and the machine's DNS"
            }
            Problem::ConnectionRefused => {
                "nothing listens there: check mail.smtp.port (587 STARTTLS, 465 implicit TLS, 25 plain) and any firewall"
            }
            Problem::Timeout => {
                "the server did not answer: a firewall may drop the port, or mail.smtp.tls does not match the port (465 needs implicit)"
            }
            Problem::Tls => {
                "the TLS handshake failed: check mail.smtp.tls against the port, and that the certificate matches the host name (or set mail.smtp.ca_file for a private CA)"
            }
            Problem::AuthRejected => {
                "the server refused the user name or password: check mail.smtp.username/password (many providers need an app password), or mail.smtp.auth"
            }
            Problem::SenderRefused => {
                "the server will not send as mail.from: use an address this account may send as"
            }
            Problem::Credentials => {
                "the OAuth credentials were refused: check the client id, secret, tenant or refresh token, and that admin consent was granted"
            }
            Problem::MailboxNotFound => {
                "the mailbox does not exist for these credentials: check mail.graph.mailbox or mail.gmail.user"
            }
            Problem::Permission => {
                "the application may not use this mailbox: grant Mail.Send (Graph) or the gmail.send scope, and check access policies"
            }
            Problem::Storage => {
                "the directory cannot be written: create it or fix its permissions (mail.file.dir)"
            }
            Problem::Other => "see the detail above",
        }
    }
}

/// One step of the check.
#[derive(Clone, Debug)]
pub struct Step {
    pub what: String,
    /// What was found (success), or what went wrong.
    pub outcome: Result<String, String>,
}

/// The result of [`diagnose`].
#[derive(Clone, Debug)]
pub struct Diagnosis {
    pub transport: TransportKind,
    pub steps: Vec<Step>,
    pub problem: Option<Problem>,
}

impl Diagnosis {
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }

    fn new(transport: TransportKind) -> Diagnosis {
        Diagnosis {
            transport,
            steps: Vec::new(),
            problem: None,
        }
    }

    fn ok(&mut self, what: impl Into<String>, found: impl Into<String>) {
        self.steps.push(Step {
            what: what.into(),
            outcome: Ok(found.into()),
        });
    }

    fn fail(
        mut self,
        what: impl Into<String>,
        why: impl Into<String>,
        problem: Problem,
    ) -> Diagnosis {
        self.steps.push(Step {
            what: what.into(),
            outcome: Err(why.into()),
        });
        self.problem = Some(problem);
        self
    }
}

impl std::fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "mail transport: {}", self.transport.as_str())?;
        for s in &self.steps {
            match &s.outcome {
                Ok(found) => writeln!(f, "  ok    {}: {found}", s.what)?,
                Err(why) => writeln!(f, "  FAIL  {}: {why}", s.what)?,
            }
        }
        match self.problem {
            None => write!(f, "everything needed to send works"),
            Some(p) => write!(f, "what to do: {}", p.advice()),
        }
    }
}

fn kind_of(c: TransportChoice) -> TransportKind {
    match c {
        TransportChoice::Smtp => TransportKind::Smtp,
        TransportChoice::Graph => TransportKind::Graph,
        TransportChoice::Gmail => TransportKind::Gmail,
        TransportChoice::File => TransportKind::File,
    }
}

/// Connects with the configuration and explains the first failure.
pub async fn diagnose(cfg: &MailConfig, data_dir: &Path) -> Diagnosis {
    let mut d = Diagnosis::new(kind_of(cfg.transport));
    let config = |d: Diagnosis, e: ConfigError| {
        d.fail("configuration", e.to_string(), Problem::Configuration)
    };
    let sender = match cfg.sender() {
        Ok(s) => s,
        Err(e) => return config(d, e),
    };
    d.ok("configuration", format!("sending as {}", sender.from));
    match cfg.transport {
        TransportChoice::Smtp => match cfg.smtp_settings() {
            Ok(s) => smtp(d, &s, &sender.from.email).await,
            Err(e) => config(d, e),
        },
        TransportChoice::Graph => match cfg.graph_transport() {
            Ok(t) => graph(d, &t).await,
            Err(e) => config(d, e),
        },
        TransportChoice::Gmail => match cfg.gmail_transport() {
            Ok(t) => gmail(d, &t).await,
            Err(e) => config(d, e),
        },
        TransportChoice::File => file(d, &cfg.file_dir(data_dir)).await,
    }
}

async fn smtp(mut d: Diagnosis, s: &SmtpSettings, from: &lettre::Address) -> Diagnosis {
    crate::install_tls_provider();
    let step = format!("resolve {}", s.host);
    let addrs = match tokio::time::timeout(
        s.timeout,
        tokio::net::lookup_host((s.host.as_str(), s.port)),
    )
    .await
    {
        Ok(Ok(a)) => a.collect::<Vec<_>>(),
        Ok(Err(e)) => return d.fail(step, e.to_string(), Problem::Dns),
        Err(_) => return d.fail(step, "no answer from DNS", Problem::Dns),
    };
    let Some(addr) = addrs.first().copied() else {
        return d.fail(step, "no address", Problem::Dns);
    };
    d.ok(
        step,
        addrs
            .iter()
            .map(|a| a.ip().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );

    let step = format!("connect to {addr}");
    match tokio::time::timeout(s.timeout, tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(_)) => d.ok(step, "TCP connection open"),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return d.fail(step, "connection refused", Problem::ConnectionRefused);
        }
        Ok(Err(e)) => return d.fail(step, e.to_string(), Problem::ConnectionRefused),
        Err(_) => {
            return d.fail(
                step,
                format!("no answer within {:?}", s.timeout),
                Problem::Timeout,
            );
        }
    }

    let params = match s.tls {
        SmtpTls::None => None,
        _ => match s.tls_parameters() {
            Ok(p) => Some(p),
            Err(e) => return d.fail("TLS settings", e.to_string(), Problem::Configuration),
        },
    };
    let wrapper = if s.tls == SmtpTls::Implicit {
        params.clone()
    } else {
        None
    };
    let step = if wrapper.is_some() {
        "TLS handshake and SMTP greeting"
    } else {
        "SMTP greeting"
    };
    let hello = s.hello();
    let connect = AsyncSmtpConnection::connect_tokio1(addr, Some(s.timeout), &hello, wrapper, None);
    let mut conn = match tokio::time::timeout(s.timeout + Duration::from_secs(1), connect).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            let p = if looks_like_tls(&e) {
                Problem::Tls
            } else if e.is_timeout() {
                Problem::Timeout
            } else {
                Problem::Other
            };
            return d.fail(step, smtp_answer(&e), p);
        }
        Err(_) => {
            return d.fail(
                step,
                "no greeting in time (is this port TLS-only?)",
                Problem::Timeout,
            );
        }
    };
    d.ok(step, conn.server_info().to_string());

    if s.tls == SmtpTls::Starttls
        && let Some(p) = params
    {
        if !conn.can_starttls() {
            return d.fail(
                "STARTTLS",
                "the server does not offer STARTTLS",
                Problem::Tls,
            );
        }
        if let Err(e) = conn.starttls(p, &s.hello()).await {
            return d.fail("STARTTLS", smtp_answer(&e), Problem::Tls);
        }
        d.ok("STARTTLS", "connection encrypted");
    }

    if let Some(creds) = s.lettre_credentials() {
        let user = s
            .credentials
            .as_ref()
            .map(|c| c.0.clone())
            .unwrap_or_default();
        let step = format!("authenticate as {user}");
        match conn.auth(&s.mechanisms(), &creds).await {
            Ok(r) => d.ok(step, r.code().to_string()),
            Err(e) => return d.fail(step, smtp_answer(&e), Problem::AuthRejected),
        }
    }

    let step = format!("MAIL FROM:<{from}>");
    match conn.command(Mail::new(Some(from.clone()), vec![])).await {
        Ok(r) => d.ok(
            step,
            format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" ")),
        ),
        Err(e) => {
            conn.abort().await;
            return d.fail(step, smtp_answer(&e), Problem::SenderRefused);
        }
    }
    let _ = conn.command(Rset).await;
    let _ = conn.quit().await;
    d
}

/// lettre reports a failed handshake as a connection error wrapping rustls's.
fn looks_like_tls(e: &lettre::transport::smtp::Error) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    e.is_tls()
        || [
            "tls",
            "certificate",
            "corrupt message",
            "handshake",
            "invalidcontenttype",
        ]
        .iter()
        .any(|w| text.contains(w))
}

fn http_problem(status: StatusCode) -> Problem {
    match status {
        StatusCode::UNAUTHORIZED => Problem::Credentials,
        StatusCode::FORBIDDEN => Problem::Permission,
        StatusCode::NOT_FOUND => Problem::MailboxNotFound,
        _ => Problem::Other,
    }
}

fn send_error_problem(e: &SendError) -> Problem {
    let a = e.answer();
    if a.contains("token endpoint refused") {
        Problem::Credentials
    } else if a.contains("could not be reached") {
        Problem::ConnectionRefused
    } else {
        Problem::Other
    }
}

async fn graph(mut d: Diagnosis, t: &crate::graph::GraphTransport) -> Diagnosis {
    let step = format!("token and mailbox {}", t.mailbox());
    match t.mailbox_profile().await {
        Ok(a) if a.status.is_success() => {
            let v = a.json();
            d.ok(
                step,
                v["mail"]
                    .as_str()
                    .or(v["userPrincipalName"].as_str())
                    .unwrap_or("found")
                    .to_owned(),
            );
            d
        }
        Ok(a) => d.fail(
            step,
            format!("{} {}", a.status.as_u16(), error_text(&a.body)),
            http_problem(a.status),
        ),
        Err(e) => {
            let p = send_error_problem(&e);
            d.fail(step, e.answer().to_owned(), p)
        }
    }
}

async fn gmail(mut d: Diagnosis, t: &crate::gmail::GmailTransport) -> Diagnosis {
    let step = "refresh token and Gmail profile";
    match t.profile().await {
        Ok(a) if a.status.is_success() => {
            d.ok(
                step,
                a.json()["emailAddress"]
                    .as_str()
                    .unwrap_or("found")
                    .to_owned(),
            );
            d
        }
        Ok(a) => d.fail(
            step,
            format!("{} {}", a.status.as_u16(), error_text(&a.body)),
            http_problem(a.status),
        ),
        Err(e) => {
            let p = send_error_problem(&e);
            d.fail(step, e.answer().to_owned(), p)
        }
    }
}

async fn file(mut d: Diagnosis, dir: &Path) -> Diagnosis {
    let step = format!("write into {}", dir.display());
    let probe = dir.join(format!(".encaisse-probe-{}", uuid::Uuid::new_v4().simple()));
    let r = async {
        tokio::fs::create_dir_all(dir).await?;
        tokio::fs::write(&probe, b"probe").await?;
        tokio::fs::remove_file(&probe).await
    }
    .await;
    match r {
        Ok(()) => {
            d.ok(step, "writable");
            d
        }
        Err(e) => d.fail(step, e.to_string(), Problem::Storage),
    }
}
