//! How fast an invoice becomes its archived bytes: render the one-page Factur-X PDF
//! (layout, fonts, QR code, XML attachment, XMP patch) and hash it with SHA-256, as issuing
//! does. Run with `cargo bench -p encaisse-documents`; without `--bench` in the arguments
//! (as `cargo test --benches` calls it) it does nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use encaisse_documents::pdf::{self, RenderOptions};
use sha2::{Digest, Sha256};

/// CPU time this thread has run, from Linux's schedstat (nanoseconds); `None` elsewhere.
/// Other builds share this machine's cores, so wall time overstates the cost per document;
/// on-CPU time is what one core spends.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn measure(name: &str, mut run: impl FnMut() -> usize) {
    // Warm up (fonts are parsed once per process).
    for _ in 0..20 {
        black_box(run());
    }
    let mut n = 0u32;
    let mut bytes = 0usize;
    let cpu_start = thread_cpu();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        bytes = black_box(run());
        n += 1;
    }
    let wall = start.elapsed() / n;
    let cpu = match (cpu_start, thread_cpu()) {
        (Some(a), Some(b)) => format!(
            "{:>7.3} ms CPU/doc = {:>5.0} docs/s per core",
            (b - a).as_secs_f64() * 1e3 / f64::from(n),
            f64::from(n) / (b - a).as_secs_f64()
        ),
        _ => "CPU time unavailable".to_owned(),
    };
    println!(
        "{name:<42} {n:>5} runs {:>7.3} ms wall/doc ({:>4.0}/s) | {cpu} | {} KiB",
        wall.as_secs_f64() * 1e3,
        1.0 / wall.as_secs_f64(),
        bytes / 1024
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let one_page = support::domestic_fr();
    let input = one_page.input();
    let epc = RenderOptions {
        epc_qr: true,
        ..RenderOptions::default()
    };
    measure("one-page invoice: render + embed + SHA-256", || {
        let pdf = pdf::render(&input, &RenderOptions::default()).unwrap();
        black_box(Sha256::digest(&pdf));
        pdf.len()
    });
    measure("one-page invoice with EPC QR + SHA-256", || {
        let pdf = pdf::render(&input, &epc).unwrap();
        black_box(Sha256::digest(&pdf));
        pdf.len()
    });
    let swiss = support::swiss_qr_iban();
    let input = swiss.input();
    measure("Swiss invoice with QR-bill + SHA-256", || {
        let pdf = pdf::render(&input, &RenderOptions::default()).unwrap();
        black_box(Sha256::digest(&pdf));
        pdf.len()
    });
    let bill = encaisse_documents::qrbill::QrBill::from_document(&input).unwrap();
    measure("QR-bill symbol alone", || {
        black_box(bill.qr_symbol().unwrap());
        1
    });
    measure("Swiss invoice composed, not painted", || {
        black_box(pdf::pages(&input, &RenderOptions::default()).unwrap()).len()
    });
    let large = support::large_fr();
    let input = large.input();
    measure("120-line invoice (5 pages) + SHA-256", || {
        let pdf = pdf::render(&input, &RenderOptions::default()).unwrap();
        black_box(Sha256::digest(&pdf));
        pdf.len()
    });
}
