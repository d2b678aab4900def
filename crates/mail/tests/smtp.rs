//! The SMTP transport against a real SMTP server (aiosmtpd, started per test): what the
//! server received — envelope, headers, attachment bytes, encodings — in each TLS and AUTH
//! mode, connection reuse, 4xx/5xx answers, and the diagnosis of broken configurations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/facts.rs"]
mod facts;
#[path = "support/smtp_server.rs"]
mod smtp_server;

use std::path::Path;
use std::time::Duration;

use encaisse_mail::smtp::{SmtpAuth, SmtpSettings, SmtpTls, SmtpTransport};
use encaisse_mail::{MailConfig, MailKind, Problem, ReminderLevel, SendError, Transport, diagnose};
use facts::{FactsBuilder, composer, pdf_bytes};
use secrecy::SecretString;
use smtp_server::{ServerOptions, SmtpServer, Tls, attachment, available, header};

fn settings(server: &SmtpServer, tls: SmtpTls) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port: server.port,
        tls,
        credentials: None,
        auth: SmtpAuth::Password,
        timeout: Duration::from_secs(10),
        pool_size: 2,
        ca_pem: Some(server.ca_pem.clone()),
        hello_name: Some("encaisse.test".into()),
    }
}

fn with_user(mut s: SmtpSettings, user: &str, password: &str, auth: SmtpAuth) -> SmtpSettings {
    s.credentials = Some((user.into(), SecretString::from(password.to_owned())));
    s.auth = auth;
    s
}

fn user_opts(tls: Tls) -> ServerOptions {
    ServerOptions {
        tls,
        user: Some(("billing".into(), "pässword".into())),
        ..ServerOptions::default()
    }
}

#[tokio::test]
async fn an_invoice_arrives_with_its_headers_and_the_exact_pdf_bytes() {
    if !available() {
        return;
    }
    let server = SmtpServer::start(user_opts(Tls::None)).await;
    let smtp = SmtpTransport::new(with_user(
        settings(&server, SmtpTls::None),
        "billing",
        "pässword",
        SmtpAuth::Plain,
    ))
    .unwrap();
    let pdf = pdf_bytes(30_000);
    let msg = composer()
        .compose(
            &FactsBuilder::invoice()
                .attachments(vec![encaisse_mail::Attachment::pdf(
                    "FA-2026-0042.pdf",
                    pdf.clone(),
                )])
                .to(&[
                    "Hélène Müller <helene@brasserie.example>",
                    "ap@brasserie.example",
                ])
                .build(),
        )
        .unwrap();
    let receipt = smtp.send(&msg).await.unwrap();
    assert!(
        receipt.server_answer.starts_with("250"),
        "{}",
        receipt.server_answer
    );
    assert!(
        receipt.server_answer.contains("queued as TEST00001"),
        "{}",
        receipt.server_answer
    );

    let got = server.wait_for(1).await;
    let m = &got[0];
    assert_eq!(m.meta["mail_from"], "factures@etudes.example");
    assert_eq!(
        m.meta["rcpt_tos"],
        serde_json::json!(["helene@brasserie.example", "ap@brasserie.example"])
    );
    assert_eq!(m.meta["login"], "billing");
    let text = m.text();
    assert_eq!(
        header(&text, "Message-ID").unwrap(),
        msg.message_id.to_string()
    );
    assert_eq!(header(&text, "Message-ID").unwrap(), receipt.message_id);
    assert!(
        header(&text, "Subject").unwrap().contains("=?utf-8?b?"),
        "{text}"
    );
    assert!(
        header(&text, "Reply-To")
            .unwrap()
            .ends_with("<compta@etudes.example>")
    );
    assert_eq!(attachment(&text, "FA-2026-0042.pdf").unwrap(), pdf);
    // The server received exactly what was composed.
    // (aiosmtpd keeps the CRLF that precedes the final dot.)
    assert!(
        m.data.trim_ascii_end() == msg.raw().trim_ascii_end(),
        "received {} bytes, sent {}",
        m.data.len(),
        msg.raw().len()
    );
}

#[tokio::test]
async fn starttls_with_auth_login_encrypts_before_authenticating() {
    if !available() {
        return;
    }
    let server = SmtpServer::start(user_opts(Tls::Starttls)).await;
    let smtp = SmtpTransport::new(with_user(
        settings(&server, SmtpTls::Starttls),
        "billing",
        "pässword",
        SmtpAuth::Login,
    ))
    .unwrap();
    let msg = composer()
        .compose(
            &FactsBuilder::invoice()
                .kind(MailKind::Reminder(ReminderLevel::Firm))
                .build(),
        )
        .unwrap();
    smtp.send(&msg).await.unwrap();
    let got = server.wait_for(1).await;
    assert_eq!(got[0].meta["tls"], true);
    assert_eq!(got[0].meta["login"], "billing");
    let text = got[0].text();
    assert!(header(&text, "In-Reply-To").unwrap().starts_with("<rem."));
    assert!(header(&text, "References").unwrap().starts_with("<inv."));
}

#[tokio::test]
async fn implicit_tls_with_xoauth2() {
    if !available() {
        return;
    }
    let server = SmtpServer::start(ServerOptions {
        token: Some("ya29.token".into()),
        ..user_opts(Tls::Implicit)
    })
    .await;
    let smtp = SmtpTransport::new(with_user(
        settings(&server, SmtpTls::Implicit),
        "billing",
        "ya29.token",
        SmtpAuth::Xoauth2,
    ))
    .unwrap();
    let msg = composer()
        .compose(&FactsBuilder::invoice().build())
        .unwrap();
    smtp.send(&msg).await.unwrap();
    let got = server.wait_for(1).await;
    assert_eq!(got[0].meta["tls"], true);
    assert_eq!(got[0].meta["login"], "billing");
}

#[tokio::test]
async fn a_certificate_that_is_not_trusted_is_refused() {
    if !available() {
        return;
    }
    let server = SmtpServer::start(ServerOptions {
        tls: Tls::Starttls,
        ..ServerOptions::default()
    })
    .await;
    let mut s = settings(&server, SmtpTls::Starttls);
    s.ca_pem = None;
    let smtp = SmtpTransport::new(s).unwrap();
    let msg = composer()
        .compose(&FactsBuilder::invoice().build())
        .unwrap();
    let err = smtp.send(&msg).await.unwrap_err();
    assert!(err.is_temporary(), "{err}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn four_hundred_answers_are_temporary_and_five_hundred_permanent_with_the_servers_words() {
    if !available() {
        return;
    }
    let server = SmtpServer::start(ServerOptions {
        reject: vec![
            ("busy@client.example".into(), 451),
            ("gone@client.example".into(), 550),
        ],
        ..ServerOptions::default()
    })
    .await;
    let smtp = SmtpTransport::new(settings(&server, SmtpTls::None)).unwrap();
    let c = composer();
    let busy = c
        .compose(&FactsBuilder::invoice().to(&["busy@client.example"]).build())
        .unwrap();
    match smtp.send(&busy).await.unwrap_err() {
        SendError::Temporary { answer, .. } => {
            assert!(answer.starts_with("451"), "{answer}");
            assert!(answer.contains("Mailbox busy"), "{answer}");
        }
        e => panic!("expected temporary, got {e:?}"),
    }
    let gone = c
        .compose(&FactsBuilder::invoice().to(&["gone@client.example"]).build())
        .unwrap();
    match smtp.send(&gone).await.unwrap_err() {
        SendError::Permanent { answer } => {
            assert!(answer.starts_with("550"), "{answer}");
            assert!(answer.contains("User unknown"), "{answer}");
        }
        e => panic!("expected permanent, got {e:?}"),
    }
    // The pool recovers: the next message goes through.
    let ok = c.compose(&FactsBuilder::invoice().build()).unwrap();
    smtp.send(&ok).await.unwrap();
    assert_eq!(server.wait_for(1).await.len(), 1);
}

#[tokio::test]
async fn a_wrong_password_is_a_temporary_failure_that_names_the_credentials() {
    if !available() {
        return;
    }
    let server = SmtpServer::start(user_opts(Tls::None)).await;
    let smtp = SmtpTransport::new(with_user(
        settings(&server, SmtpTls::None),
        "billing",
        "wrong",
        SmtpAuth::Password,
    ))
    .unwrap();
    let msg = composer()
        .compose(&FactsBuilder::invoice().build())
        .unwrap();
    let err = smtp.send(&msg).await.unwrap_err();
    assert!(err.is_temporary(), "{err}");
    assert!(err.answer().contains("535"), "{err}");
    assert!(err.answer().contains("mail.smtp.username"), "{err}");
}

#[tokio::test]
async fn connections_are_reused_across_many_messages() {
    if !available() {
        return;
    }
    let server = SmtpServer::start(ServerOptions::default()).await;
    let smtp = SmtpTransport::new(settings(&server, SmtpTls::None)).unwrap();
    let c = composer();
    let msgs: Vec<_> = (0..30u128)
        .map(|i| {
            c.compose(
                &FactsBuilder::invoice()
                    .document(uuid::Uuid::from_u128(1000 + i), &format!("FA-{i}"))
                    .build(),
            )
            .unwrap()
        })
        .collect();
    // One after the other, as the outbox worker sends: the pooled connection is reused.
    for m in &msgs {
        smtp.send(m).await.unwrap();
    }
    let got = server.wait_for(30).await;
    let mut ports: Vec<_> = got
        .iter()
        .map(|m| m.meta["peer_port"].as_u64().unwrap())
        .collect();
    ports.sort_unstable();
    ports.dedup();
    assert!(
        ports.len() <= 2,
        "30 messages used {} connections (pool of 2)",
        ports.len()
    );
}

fn config(server_port: u16, tls: &str, extra: &str, ca: &Path) -> MailConfig {
    serde_json::from_str(&format!(
        r#"{{"transport":"smtp","from":"Billing <billing@etudes.example>",
            "smtp":{{"host":"127.0.0.1","port":{server_port},"tls":"{tls}","timeout_secs":5,
                     "ca_file":{ca:?}{extra}}}}}"#,
        ca = ca.display().to_string()
    ))
    .unwrap()
}

#[tokio::test]
async fn diagnose_explains_what_is_wrong() {
    if !available() {
        return;
    }
    let server = SmtpServer::start(ServerOptions {
        reject_sender: vec!["billing@etudes.example".into()],
        ..user_opts(Tls::Starttls)
    })
    .await;
    let data = Path::new("/nonexistent");
    let good_user = r#","username":"billing","password":"pässword""#;

    // Everything right except the sender, which the server refuses.
    let d = diagnose(
        &config(server.port, "starttls", good_user, &server.ca_file),
        data,
    )
    .await;
    assert_eq!(d.problem, Some(Problem::SenderRefused), "{d}");
    assert!(d.to_string().contains("553"), "{d}");
    assert!(
        d.to_string().contains("STARTTLS: connection encrypted"),
        "{d}"
    );

    let d = diagnose(
        &config(
            server.port,
            "starttls",
            r#","username":"billing","password":"nope""#,
            &server.ca_file,
        ),
        data,
    )
    .await;
    assert_eq!(d.problem, Some(Problem::AuthRejected), "{d}");
    assert!(d.to_string().contains("535"), "{d}");

    let d = diagnose(
        &config(server.port, "implicit", good_user, &server.ca_file),
        data,
    )
    .await;
    assert!(
        matches!(d.problem, Some(Problem::Tls | Problem::Timeout)),
        "{d}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = diagnose(&config(closed, "none", "", &server.ca_file), data).await;
    assert_eq!(d.problem, Some(Problem::ConnectionRefused), "{d}");

    let mut dns = config(server.port, "none", "", &server.ca_file);
    dns.smtp.as_mut().unwrap().host = "no-such-host.invalid".into();
    let d = diagnose(&dns, data).await;
    assert_eq!(d.problem, Some(Problem::Dns), "{d}");
    assert!(d.to_string().contains("mail.smtp.host"), "{d}");
}

#[tokio::test]
async fn diagnose_passes_on_a_working_server() {
    if !available() {
        return;
    }
    let server = SmtpServer::start(user_opts(Tls::Starttls)).await;
    let d = diagnose(
        &config(
            server.port,
            "starttls",
            r#","username":"billing","password":"pässword""#,
            &server.ca_file,
        ),
        Path::new("/nonexistent"),
    )
    .await;
    assert!(d.is_ok(), "{d}");
    assert!(d.to_string().contains("MAIL FROM"), "{d}");
    assert!(server.received().is_empty(), "diagnosis must not send");
}
