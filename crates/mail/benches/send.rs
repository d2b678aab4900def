//! `cargo bench -p encaisse-mail`: composes and sends 10,000 invoice messages, each with a
//! ~30 KB PDF, to a local SMTP server (aiosmtpd, as in the tests) — or, when it cannot be
//! started, through the file transport — and reports messages per second and the process's
//! peak memory (VmHWM).
//!
//! ENCAISSE_BENCH_MESSAGES changes the count; ENCAISSE_BENCH_CONCURRENCY the number of
//! messages in flight (default 8, over a pool of as many SMTP connections).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/facts.rs"]
mod facts;
#[path = "../tests/support/smtp_server.rs"]
mod smtp_server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use encaisse_mail::file::FileTransport;
use encaisse_mail::smtp::{SmtpAuth, SmtpSettings, SmtpTls, SmtpTransport};
use encaisse_mail::{Attachment, MailTransport, Transport};
use facts::{FactsBuilder, composer, pdf_bytes};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let count = env_usize("ENCAISSE_BENCH_MESSAGES", 10_000);
    let concurrency = env_usize("ENCAISSE_BENCH_CONCURRENCY", 8).max(1);
    let pdf: Arc<[u8]> = pdf_bytes(30 * 1024).into();

    let tmp = tempfile::tempdir().unwrap();
    let mut server = None;
    let has_aiosmtpd = |py: &str| {
        std::process::Command::new(py)
            .args(["-c", "import aiosmtpd"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let have_smtp = std::env::var("ENCAISSE_SKIP_SMTP").as_deref() != Ok("1")
        && (has_aiosmtpd("python3") || has_aiosmtpd("/usr/bin/python3"));
    let transport = if have_smtp {
        let s = smtp_server::SmtpServer::start(smtp_server::ServerOptions::default()).await;
        let t = SmtpTransport::new(SmtpSettings {
            host: "127.0.0.1".into(),
            port: s.port,
            tls: SmtpTls::None,
            credentials: None,
            auth: SmtpAuth::Password,
            timeout: Duration::from_secs(30),
            pool_size: u32::try_from(concurrency).unwrap_or(8),
            ca_pem: None,
            hello_name: Some("bench.local".into()),
        })
        .unwrap();
        server = Some(s);
        MailTransport::Smtp(t)
    } else {
        eprintln!("aiosmtpd unavailable: benchmarking the file transport instead");
        MailTransport::File(FileTransport::new(tmp.path().join("mail")))
    };
    let transport = Arc::new(transport);
    let composer = Arc::new(composer());

    // Composing alone.
    let started = Instant::now();
    for i in 0..1000u128 {
        let f = FactsBuilder::invoice()
            .document(uuid::Uuid::from_u128(i), "FA-BENCH")
            .attachments(vec![Attachment::pdf("FA-BENCH.pdf", pdf.clone())])
            .build();
        std::hint::black_box(composer.compose(&f).unwrap());
    }
    let compose_rate = 1000.0 / started.elapsed().as_secs_f64();

    // Composing and sending.
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (transport, composer, pdf, next) = (
            transport.clone(),
            composer.clone(),
            pdf.clone(),
            next.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let f = FactsBuilder::invoice()
                    .document(
                        uuid::Uuid::from_u128(10_000_000 + i as u128),
                        &format!("FA-{i:05}"),
                    )
                    .attachments(vec![Attachment::pdf(format!("FA-{i:05}.pdf"), pdf.clone())])
                    .build();
                let msg = composer.compose(&f).unwrap();
                transport.send(&msg).await.unwrap();
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed();
    // Read before checking the server's files, which would otherwise count in the peak.
    let peak = peak_rss_kib();
    if let Some(s) = &server {
        let got = s.count_received();
        assert_eq!(got, count, "the server received {got} of {count}");
    }
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "encaisse-mail bench: {count} invoice messages (30 KB PDF each) via {} with {concurrency} in flight",
        if server.is_some() {
            "SMTP (aiosmtpd on loopback)"
        } else {
            "the file transport"
        }
    );
    println!("  compose only:     {compose_rate:.0} messages/s");
    println!(
        "  compose + send:   {rate:.0} messages/s ({:.1} s)",
        elapsed.as_secs_f64()
    );
    match peak {
        Some(k) => println!(
            "  peak memory:      {:.1} MiB (VmHWM of the bench process)",
            k as f64 / 1024.0
        ),
        None => println!("  peak memory:      unavailable (/proc/self/status not readable)"),
    }
}
