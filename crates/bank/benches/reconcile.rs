//! `cargo bench -p encaisse-bank --bench reconcile`: one batch of 1M bank transactions
//! against 100k open invoices, the shape of a large accountant's year. Prints the time to
//! generate the data, the time to reconcile (index building included), the decisions by
//! status and the process's peak resident memory (VmHWM). Targets: under 10 s, under 2 GiB.
//!
//! A one-shot measurement, not a statistical micro-benchmark. `cargo test --benches` runs it
//! without `--bench`: it does nothing then. ENCAISSE_BENCH_TXNS and ENCAISSE_BENCH_INVOICES
//! change the shape.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use encaisse_bank::reconcile::bench_data::{Shape, generate};
use encaisse_bank::reconcile::{Policy, Reconciler};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let shape = Shape {
        seed: 7,
        invoices: env("ENCAISSE_BENCH_INVOICES", 100_000),
        transactions: env("ENCAISSE_BENCH_TXNS", 1_000_000),
    };
    let started = Instant::now();
    let scenario = generate(shape);
    println!(
        "generated {} transactions and {} open invoices in {:.2} s (peak RSS so far {})",
        scenario.transactions.len(),
        scenario.invoices.len(),
        started.elapsed().as_secs_f64(),
        peak_rss()
    );
    let policy = Policy::default();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let reconciler = Reconciler::new(
        &scenario.invoices,
        &scenario.knowledge,
        &policy,
        scenario.today,
    );
    let indexed = started.elapsed();
    let decisions = reconciler.reconcile(&scenario.transactions);
    let elapsed = started.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, d) in &decisions {
        *by_status.entry(d.status()).or_default() += 1;
    }
    println!(
        "reconciled {} transactions against {} invoices in {:.2} s (index {:.2} s), {:.1} µs per transaction",
        decisions.len(),
        scenario.invoices.len(),
        elapsed.as_secs_f64(),
        indexed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / decisions.len().max(1) as f64
    );
    println!(
        "CPU time (all threads) {cpu:.2} s over {:.2} s wall; machine load average now {}",
        elapsed.as_secs_f64(),
        load_average()
    );
    println!("decisions: {by_status:?}");
    println!("peak RSS (VmHWM): {}", peak_rss());
}

/// The process's peak resident set, from /proc/self/status (Linux).
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc/self/status)".to_owned())
}

/// User + system CPU seconds of this process so far, from /proc/self/stat (Linux; clock
/// ticks of 1/100 s). Unlike wall time it does not grow when other builds share the CPUs.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may contain spaces).
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
