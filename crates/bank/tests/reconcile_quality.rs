//! The engine against labelled generated data (`reconcile::bench_data`): precision, recall
//! and F1 of automatic allocations and the rate of wrong automatic matches, per category and
//! overall, on three seeds so that no figure rests on one lucky draw. Run with
//! `--nocapture` to see the tables.

use encaisse_bank::reconcile::bench_data::{Shape, generate};
use encaisse_bank::reconcile::metrics::{Evaluation, evaluate};
use encaisse_bank::reconcile::{Policy, reconcile};

fn evaluation(seed: u64, policy: &Policy) -> Evaluation {
    let scenario = generate(Shape {
        seed,
        invoices: 7_000,
        transactions: 5_000,
    });
    let decisions = reconcile(
        &scenario.transactions,
        &scenario.invoices,
        &scenario.knowledge,
        policy,
        scenario.today,
    );
    evaluate(scenario.truth(), &decisions)
}

#[test]
fn automatic_allocations_reach_f1_097_with_at_most_half_a_percent_wrong() {
    for seed in [2026, 7, 42] {
        let e = evaluation(seed, &Policy::default());
        println!("seed {seed}, 5,000 transactions, 7,000 open invoices\n{e}");
        let overall = e.overall;
        assert!(
            overall.f1() >= 0.97,
            "seed {seed}: F1 {:.4} < 0.97",
            overall.f1()
        );
        assert!(
            overall.wrong_auto_rate() <= 0.005,
            "seed {seed}: wrong automatic matches {:.2} % > 0.5 %",
            100.0 * overall.wrong_auto_rate()
        );
    }
}

#[test]
fn what_the_engine_does_not_claim_it_does_not_apply() {
    let e = evaluation(2026, &Policy::default());
    let by = |c: &str| e.by_category[c];
    // Not customer payments: never applied.
    for category in ["debit", "refund", "interest", "unrelated credit"] {
        assert_eq!(by(category).auto_decisions, 0, "{category}");
    }
    // A duplicated line is applied once, never twice.
    let duplicates = by("duplicated line");
    assert_eq!(duplicates.auto_decisions * 2, duplicates.transactions);
}

#[test]
fn without_learning_within_the_batch_a_name_alone_is_never_applied() {
    let policy = Policy {
        learn_within_batch: false,
        ..Policy::default()
    };
    let e = evaluation(2026, &policy);
    println!("seed 2026 without learning within the batch\n{e}");
    assert_eq!(e.by_category["name only"].auto_decisions, 0);
    assert!(e.overall.wrong_auto_rate() <= 0.005);
}
