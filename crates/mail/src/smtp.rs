//! SMTP through lettre (tokio, rustls with ring): plain, STARTTLS or implicit TLS; AUTH
//! PLAIN/LOGIN or XOAUTH2; a pool of reused connections; timeouts; 4xx answers are temporary
//! failures and 5xx permanent ones, with the server's words kept.

use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{AsyncSmtpTransport, PoolConfig};
use lettre::{AsyncTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use crate::compose::OutgoingMessage;
use crate::transport::{SendError, SendReceipt, Transport, TransportKind};

/// How the connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a local relay only).
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Implicit,
}

impl SmtpTls {
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Implicit => 465,
        }
    }
}

/// The SASL mechanism.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpAuth {
    /// PLAIN, or LOGIN when the server offers only that.
    Password,
    Plain,
    Login,
    /// XOAUTH2: the password is an OAuth access token.
    Xoauth2,
}

impl SmtpAuth {
    fn mechanisms(self) -> Vec<Mechanism> {
        match self {
            SmtpAuth::Password => vec![Mechanism::Plain, Mechanism::Login],
            SmtpAuth::Plain => vec![Mechanism::Plain],
            SmtpAuth::Login => vec![Mechanism::Login],
            SmtpAuth::Xoauth2 => vec![Mechanism::Xoauth2],
        }
    }
}

/// Everything needed to reach an SMTP server.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// User name and password (or access token for XOAUTH2).
    pub credentials: Option<(String, SecretString)>,
    pub auth: SmtpAuth,
    /// Per command (connect, each SMTP reply).
    pub timeout: Duration,
    /// Connections kept open and reused.
    pub pool_size: u32,
    /// Extra trusted root certificate (PEM), for a server with a private CA.
    pub ca_pem: Option<Vec<u8>>,
    /// The EHLO name; the machine's host name when unset.
    pub hello_name: Option<String>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|c| &c.0))
            .field("password", &self.credentials.as_ref().map(|_| "[redacted]"))
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

impl SmtpSettings {
    pub(crate) fn tls_parameters(&self) -> Result<TlsParameters, lettre::transport::smtp::Error> {
        let mut b = TlsParameters::builder(self.host.clone());
        if let Some(pem) = &self.ca_pem {
            b = b.add_root_certificate(Certificate::from_pem(pem)?);
        }
        b.build_rustls()
    }

    pub(crate) fn hello(&self) -> ClientId {
        match &self.hello_name {
            Some(n) => ClientId::Domain(n.clone()),
            None => ClientId::default(),
        }
    }

    pub(crate) fn lettre_credentials(&self) -> Option<Credentials> {
        self.credentials
            .as_ref()
            .map(|(u, p)| Credentials::new(u.clone(), p.expose_secret().to_owned()))
    }

    pub(crate) fn mechanisms(&self) -> Vec<Mechanism> {
        self.auth.mechanisms()
    }
}

/// An SMTP relay; clone-free sharing: keep one per server and send concurrently through it.
pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    settings: SmtpSettings,
}

impl std::fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("settings", &self.settings)
            .finish()
    }
}

impl SmtpTransport {
    pub fn new(settings: SmtpSettings) -> Result<SmtpTransport, SendError> {
        crate::install_tls_provider();
        let tls = match settings.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls => Tls::Required(settings.tls_parameters().map_err(tls_setup)?),
            SmtpTls::Implicit => Tls::Wrapper(settings.tls_parameters().map_err(tls_setup)?),
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
            .port(settings.port)
            .tls(tls)
            .hello_name(settings.hello())
            .timeout(Some(settings.timeout))
            .pool_config(PoolConfig::new().max_size(settings.pool_size.max(1)));
        if let Some(c) = settings.lettre_credentials() {
            b = b.credentials(c).authentication(settings.mechanisms());
        }
        Ok(SmtpTransport {
            inner: b.build(),
            settings,
        })
    }

    pub fn settings(&self) -> &SmtpSettings {
        &self.settings
    }

    /// Closes the pooled connections (QUIT).
    pub async fn shutdown(&self) {
        self.inner.shutdown().await;
    }
}

fn tls_setup(e: lettre::transport::smtp::Error) -> SendError {
    SendError::permanent(format!(
        "the TLS settings are invalid ({e}); check mail.smtp.ca_file"
    ))
}

/// The server's reply as it wrote it: `550 5.1.1 <x@y>: Recipient address rejected`.
pub(crate) fn smtp_answer(e: &lettre::transport::smtp::Error) -> String {
    use std::error::Error as _;
    let detail = e.source().map(|s| s.to_string()).unwrap_or_default();
    match e.status() {
        Some(code) => format!("{code} {detail}").trim().to_owned(),
        None if e.is_timeout() => format!("the SMTP server did not answer in time ({e})"),
        None if e.is_tls() => format!("TLS failed: {e}"),
        None => format!("{e}"),
    }
}

/// 5xx → permanent; 4xx and every failure before an answer (network, TLS, timeout) → temporary.
/// Authentication refusals (530, 534, 535, 538) are temporary although 5xx: the message is
/// fine, the credentials are not, and it will go once they are fixed.
pub(crate) fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let answer = smtp_answer(e);
    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
    if matches!(code.as_str(), "530" | "534" | "535" | "538") {
        SendError::temporary(format!(
            "{answer} (the SMTP server refused to authenticate us; check mail.smtp.username and password)"
        ))
    } else if e.is_permanent() {
        SendError::permanent(answer)
    } else {
        SendError::temporary(answer)
    }
}

impl Transport for SmtpTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::Smtp
    }

    async fn send(&self, msg: &OutgoingMessage) -> Result<SendReceipt, SendError> {
        let resp = self
            .inner
            .send_raw(msg.envelope(), msg.raw())
            .await
            .map_err(|e| classify(&e))?;
        let words = resp.message().collect::<Vec<_>>().join(" ");
        Ok(SendReceipt {
            transport: TransportKind::Smtp,
            message_id: msg.message_id.header_value(),
            provider_id: None,
            thread_id: None,
            server_answer: format!("{} {words}", resp.code()).trim().to_owned(),
        })
    }
}
