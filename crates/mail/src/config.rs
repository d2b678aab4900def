//! The `mail.*` configuration keys (in `encaisse.toml` or `ENCAISSE_MAIL__…`), and building
//! the transport they describe.

use std::path::{Path, PathBuf};
use std::time::Duration;

use encaisse_connectors::transport::{RetryPolicy, Transport as Http};
use lettre::message::Mailbox;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::compose::{OutgoingMessage, Sender};
use crate::file::FileTransport;
use crate::gmail::GmailTransport;
use crate::graph::GraphTransport;
use crate::oauth::{TokenGrant, TokenSource};
use crate::smtp::{SmtpAuth, SmtpSettings, SmtpTls, SmtpTransport};
use crate::transport::{SendError, SendReceipt, Transport, TransportKind};

/// `mail.transport`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportChoice {
    Smtp,
    Graph,
    Gmail,
    File,
}

/// The `[mail]` section.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub transport: TransportChoice,
    /// `Name <address>` or a bare address.
    pub from: String,
    /// The monitored mailbox replies should reach.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// The right-hand side of `Message-ID`s; the `from` domain when unset.
    #[serde(default)]
    pub message_id_domain: Option<String>,
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    #[serde(default)]
    pub graph: Option<GraphConfig>,
    #[serde(default)]
    pub gmail: Option<GmailConfig>,
    #[serde(default)]
    pub file: Option<FileConfig>,
}

/// `[mail.smtp]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// 25, 587 or 465 by `tls` when unset.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_tls")]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<SecretString>,
    /// A file holding the password (Docker/systemd secrets); wins over `password`.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// `password` (PLAIN or LOGIN), `plain`, `login` or `xoauth2` (the password is a token).
    #[serde(default)]
    pub auth: Option<SmtpAuth>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    #[serde(default)]
    pub pool_size: Option<u32>,
    /// A PEM root certificate to trust besides the public ones.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub hello_name: Option<String>,
}

fn default_tls() -> SmtpTls {
    SmtpTls::Starttls
}

/// `[mail.graph]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphConfig {
    pub tenant_id: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    /// The mailbox to send as (user id or principal name).
    pub mailbox: String,
    /// A delegated access token obtained elsewhere; replaces the client-credentials grant.
    #[serde(default)]
    pub access_token: Option<SecretString>,
    #[serde(default = "graph_base")]
    pub base_url: String,
    #[serde(default = "graph_login")]
    pub login_url: String,
}

fn graph_base() -> String {
    "https://graph.microsoft.com/v1.0".into()
}
fn graph_login() -> String {
    "https://login.microsoftonline.com".into()
}

/// `[mail.gmail]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GmailConfig {
    pub client_id: String,
    pub client_secret: SecretString,
    pub refresh_token: SecretString,
    /// `me` or the account's address.
    #[serde(default = "gmail_user")]
    pub user: String,
    #[serde(default = "gmail_base")]
    pub base_url: String,
    #[serde(default = "gmail_token")]
    pub token_url: String,
}

fn gmail_user() -> String {
    "me".into()
}
fn gmail_base() -> String {
    "https://gmail.googleapis.com".into()
}
fn gmail_token() -> String {
    "https://oauth2.googleapis.com/token".into()
}

/// `[mail.file]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Where the `.eml` files go; `{data_dir}/mail` when unset.
    #[serde(default)]
    pub dir: Option<PathBuf>,
}

/// A configuration that cannot work, naming the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("`{key}` is missing: {hint}")]
    Missing {
        key: &'static str,
        hint: &'static str,
    },
    #[error("`{key}` is invalid: {detail}")]
    Invalid { key: &'static str, detail: String },
    #[error("`{key}`: cannot read {}: {error}", path.display())]
    ReadFile {
        key: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
}

fn mailbox(key: &'static str, v: &str) -> Result<Mailbox, ConfigError> {
    v.parse().map_err(|e| ConfigError::Invalid {
        key,
        detail: format!("`{v}` is not an address like `Name <billing@example.org>` ({e})"),
    })
}

fn read_secret(key: &'static str, path: &Path) -> Result<SecretString, ConfigError> {
    std::fs::read_to_string(path)
        .map(|s| SecretString::from(s.trim_end_matches(['\r', '\n']).to_owned()))
        .map_err(|error| ConfigError::ReadFile {
            key,
            path: path.to_owned(),
            error,
        })
}

fn http() -> Result<Http, ConfigError> {
    Http::new(RetryPolicy::default(), None, "encaisse-mail").map_err(|e| ConfigError::Invalid {
        key: "mail.transport",
        detail: e.to_string(),
    })
}

impl MailConfig {
    /// Who messages come from.
    pub fn sender(&self) -> Result<Sender, ConfigError> {
        let from = mailbox("mail.from", &self.from)?;
        let reply_to = self
            .reply_to
            .as_deref()
            .map(|r| mailbox("mail.reply_to", r))
            .transpose()?;
        let mut s = Sender::new(from, reply_to);
        if let Some(d) = &self.message_id_domain {
            s.message_id_domain = d.clone();
        }
        Ok(s)
    }

    pub(crate) fn smtp_settings(&self) -> Result<SmtpSettings, ConfigError> {
        let c = self.smtp.as_ref().ok_or(ConfigError::Missing {
            key: "mail.smtp.host",
            hint: "set the SMTP server (mail.smtp.host, port, tls, username, password)",
        })?;
        let password = match (&c.password_file, &c.password) {
            (Some(p), _) => Some(read_secret("mail.smtp.password_file", p)?),
            (None, p) => p.clone(),
        };
        let credentials = match (&c.username, password) {
            (Some(u), Some(p)) => Some((u.clone(), p)),
            (Some(_), None) => {
                return Err(ConfigError::Missing {
                    key: "mail.smtp.password",
                    hint: "a username needs a password (or password_file)",
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::Missing {
                    key: "mail.smtp.username",
                    hint: "a password needs a username",
                });
            }
            (None, None) => None,
        };
        let ca_pem = c
            .ca_file
            .as_ref()
            .map(|p| {
                std::fs::read(p).map_err(|error| ConfigError::ReadFile {
                    key: "mail.smtp.ca_file",
                    path: p.clone(),
                    error,
                })
            })
            .transpose()?;
        Ok(SmtpSettings {
            host: c.host.clone(),
            port: c.port.unwrap_or(c.tls.default_port()),
            tls: c.tls,
            credentials,
            auth: c.auth.unwrap_or(SmtpAuth::Password),
            timeout: Duration::from_secs(c.timeout_secs.unwrap_or(30).max(1)),
            pool_size: c.pool_size.unwrap_or(4),
            ca_pem,
            hello_name: c.hello_name.clone(),
        })
    }

    pub(crate) fn graph_transport(&self) -> Result<GraphTransport, ConfigError> {
        let c = self.graph.as_ref().ok_or(ConfigError::Missing {
            key: "mail.graph.tenant_id",
            hint: "set mail.graph.tenant_id, client_id, client_secret and mailbox",
        })?;
        let grant = if let Some(t) = &c.access_token {
            TokenGrant::Given(t.clone())
        } else {
            let secret = match (&c.client_secret_file, &c.client_secret) {
                (Some(p), _) => read_secret("mail.graph.client_secret_file", p)?,
                (None, Some(s)) => s.clone(),
                (None, None) => {
                    return Err(ConfigError::Missing {
                        key: "mail.graph.client_secret",
                        hint: "the app registration's client secret (or an access_token)",
                    });
                }
            };
            TokenGrant::ClientCredentials {
                token_url: format!(
                    "{}/{}/oauth2/v2.0/token",
                    c.login_url.trim_end_matches('/'),
                    c.tenant_id
                ),
                client_id: c.client_id.clone(),
                client_secret: secret,
                scope: "https://graph.microsoft.com/.default".into(),
            }
        };
        Ok(GraphTransport::new(
            http()?,
            TokenSource::new(grant),
            &c.base_url,
            &c.mailbox,
        ))
    }

    pub(crate) fn gmail_transport(&self) -> Result<GmailTransport, ConfigError> {
        let c = self.gmail.as_ref().ok_or(ConfigError::Missing {
            key: "mail.gmail.client_id",
            hint: "set mail.gmail.client_id, client_secret, refresh_token and user",
        })?;
        if c.refresh_token.expose_secret().is_empty() {
            return Err(ConfigError::Missing {
                key: "mail.gmail.refresh_token",
                hint: "authorize encaisse once with access_type=offline to get one (docs/mail.md)",
            });
        }
        let grant = TokenGrant::RefreshToken {
            token_url: c.token_url.clone(),
            client_id: c.client_id.clone(),
            client_secret: c.client_secret.clone(),
            refresh_token: c.refresh_token.clone(),
        };
        Ok(GmailTransport::new(
            http()?,
            TokenSource::new(grant),
            &c.base_url,
            &c.user,
        ))
    }

    pub(crate) fn file_dir(&self, data_dir: &Path) -> PathBuf {
        self.file
            .as_ref()
            .and_then(|f| f.dir.clone())
            .unwrap_or_else(|| data_dir.join("mail"))
    }
}

/// The configured transport, ready to send.
#[derive(Debug)]
pub enum MailTransport {
    Smtp(SmtpTransport),
    Graph(GraphTransport),
    Gmail(GmailTransport),
    File(FileTransport),
}

/// Builds the transport `mail.transport` names; `data_dir` is where the file transport writes
/// by default.
pub fn build_transport(cfg: &MailConfig, data_dir: &Path) -> Result<MailTransport, ConfigError> {
    cfg.sender()?;
    Ok(match cfg.transport {
        TransportChoice::Smtp => {
            MailTransport::Smtp(SmtpTransport::new(cfg.smtp_settings()?).map_err(|e| {
                ConfigError::Invalid {
                    key: "mail.smtp.ca_file",
                    detail: e.answer().to_owned(),
                }
            })?)
        }
        TransportChoice::Graph => MailTransport::Graph(cfg.graph_transport()?),
        TransportChoice::Gmail => MailTransport::Gmail(cfg.gmail_transport()?),
        TransportChoice::File => MailTransport::File(FileTransport::new(cfg.file_dir(data_dir))),
    })
}

impl Transport for MailTransport {
    fn kind(&self) -> TransportKind {
        match self {
            MailTransport::Smtp(t) => t.kind(),
            MailTransport::Graph(t) => t.kind(),
            MailTransport::Gmail(t) => t.kind(),
            MailTransport::File(t) => t.kind(),
        }
    }

    async fn send(&self, msg: &OutgoingMessage) -> Result<SendReceipt, SendError> {
        match self {
            MailTransport::Smtp(t) => t.send(msg).await,
            MailTransport::Graph(t) => t.send(msg).await,
            MailTransport::Gmail(t) => t.send(msg).await,
            MailTransport::File(t) => t.send(msg).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml: &str) -> MailConfig {
        let v: serde_json::Value = toml_to_json(toml);
        serde_json::from_value(v).unwrap()
    }

    // The crate does not depend on toml; the keys are the same in JSON.
    fn toml_to_json(s: &str) -> serde_json::Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn smtp_keys_are_read_and_ports_follow_tls() {
        let c = parse(
            r#"{"transport":"smtp","from":"Acme Billing <billing@acme.example>",
                "reply_to":"ar@acme.example",
                "smtp":{"host":"smtp.acme.example","tls":"implicit","username":"u","password":"p"}}"#,
        );
        let s = c.smtp_settings().unwrap();
        assert_eq!((s.port, s.tls), (465, SmtpTls::Implicit));
        assert_eq!(c.sender().unwrap().message_id_domain, "acme.example");
        let shown = format!("{s:?} {c:?}");
        assert!(!shown.contains("\"p\""), "password leaked: {shown}");
    }

    #[test]
    fn a_password_file_wins_and_missing_pieces_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "s3cret\n").unwrap();
        let c = parse(&format!(
            r#"{{"transport":"smtp","from":"b@x.example","smtp":{{"host":"h","username":"u","password_file":{:?}}}}}"#,
            f.display().to_string()
        ));
        let s = c.smtp_settings().unwrap();
        assert_eq!(s.credentials.unwrap().1.expose_secret(), "s3cret");
        let c = parse(
            r#"{"transport":"smtp","from":"b@x.example","smtp":{"host":"h","username":"u"}}"#,
        );
        let e = c.smtp_settings().unwrap_err();
        assert!(e.to_string().contains("mail.smtp.password"), "{e}");
        let c = parse(r#"{"transport":"graph","from":"b@x.example"}"#);
        let e = build_transport(&c, Path::new("/tmp")).unwrap_err();
        assert!(e.to_string().contains("mail.graph"), "{e}");
        let c = parse(r#"{"transport":"file","from":"not an address"}"#);
        let e = build_transport(&c, Path::new("/tmp")).unwrap_err();
        assert!(e.to_string().contains("mail.from"), "{e}");
    }

    #[test]
    fn unknown_keys_and_values_are_refused() {
        let r: Result<MailConfig, _> = serde_json::from_str(
            r#"{"transport":"smtp","from":"a@b.c","smtp":{"host":"h","tls":"ssl"}}"#,
        );
        assert!(r.unwrap_err().to_string().contains("ssl"));
        let r: Result<MailConfig, _> =
            serde_json::from_str(r#"{"transport":"pigeon","from":"a@b.c"}"#);
        assert!(r.is_err());
    }
}
