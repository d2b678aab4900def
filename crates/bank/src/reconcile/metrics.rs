//! How good the automatic allocations are, against labelled truth: precision, recall and F1
//! of automatic allocations (an allocation is right when the invoice and the amount are), and
//! the rate of wrong automatic matches (automatic decisions whose allocations or credit
//! differ in any way from the truth). Suggestions count as not allocated; how often the
//! best suggestion is the truth is reported beside.

use std::collections::BTreeMap;
use std::fmt;

use encaisse_core::Money;
use uuid::Uuid;

use super::decision::Decision;

/// What a transaction should have been settled as.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Cash to each invoice; empty when nothing should be allocated.
    pub allocations: Vec<(Uuid, Money)>,
    /// Money that should become client credit.
    pub credit: Option<Money>,
}

/// Counts for a set of transactions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    pub transactions: usize,
    /// Automatic allocations that are in the truth.
    pub true_positives: usize,
    /// Automatic allocations that are not.
    pub false_positives: usize,
    /// Allocations of the truth not made automatically.
    pub false_negatives: usize,
    pub auto_decisions: usize,
    /// Automatic decisions that differ from the truth in any allocation or in the credit.
    pub wrong_auto_decisions: usize,
    /// Transactions with allocations in the truth left for review…
    pub reviewed: usize,
    /// … whose best suggestion is exactly the truth.
    pub reviewed_best_is_right: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Wrong automatic decisions over automatic decisions (0 when there are none).
    pub fn wrong_auto_rate(&self) -> f64 {
        1.0 - ratio(
            self.auto_decisions - self.wrong_auto_decisions,
            self.auto_decisions,
        )
    }

    fn add(&mut self, o: &Score) {
        self.transactions += o.transactions;
        self.true_positives += o.true_positives;
        self.false_positives += o.false_positives;
        self.false_negatives += o.false_negatives;
        self.auto_decisions += o.auto_decisions;
        self.wrong_auto_decisions += o.wrong_auto_decisions;
        self.reviewed += o.reviewed;
        self.reviewed_best_is_right += o.reviewed_best_is_right;
    }
}

/// 1 when there is nothing to count: no allocation means none was wrong.
fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

/// Scores overall and per category.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evaluation {
    pub overall: Score,
    pub by_category: BTreeMap<String, Score>,
}

/// Scores `decisions[i]` against `(category, expected)` number `i`.
pub fn evaluate<'a>(
    labels: impl IntoIterator<Item = (&'a str, &'a Expected)>,
    decisions: &[(String, Decision)],
) -> Evaluation {
    let mut eval = Evaluation::default();
    for ((category, expected), (_, decision)) in labels.into_iter().zip(decisions) {
        let s = score_one(expected, decision);
        eval.overall.add(&s);
        eval.by_category
            .entry(category.to_owned())
            .or_default()
            .add(&s);
    }
    eval
}

fn score_one(expected: &Expected, decision: &Decision) -> Score {
    let mut s = Score {
        transactions: 1,
        ..Score::default()
    };
    let mut truth: Vec<(Uuid, Money)> = expected.allocations.clone();
    truth.sort_by_key(|(id, _)| *id);
    match decision {
        Decision::Auto(m) => {
            s.auto_decisions = 1;
            let mut made: Vec<(Uuid, Money)> = m
                .allocations
                .iter()
                .map(|a| (a.invoice_id, a.amount))
                .collect();
            made.sort_by_key(|(id, _)| *id);
            let right = made.iter().filter(|a| truth.contains(a)).count();
            s.true_positives = right;
            s.false_positives = made.len() - right;
            s.false_negatives = truth.len() - right;
            let credit = m.credit.as_ref().map(|c| c.amount);
            if made != truth || credit != expected.credit {
                s.wrong_auto_decisions = 1;
            }
        }
        Decision::Suggest { candidates, .. } => {
            s.false_negatives = truth.len();
            if !truth.is_empty() {
                s.reviewed = 1;
                if let Some(best) = candidates.first() {
                    let mut made: Vec<(Uuid, Money)> = best
                        .allocations
                        .iter()
                        .map(|a| (a.invoice_id, a.amount))
                        .collect();
                    made.sort_by_key(|(id, _)| *id);
                    s.reviewed_best_is_right = usize::from(made == truth);
                }
            }
        }
        Decision::Unmatched(_) | Decision::Ignored(_) => {
            s.false_negatives = truth.len();
            s.reviewed = usize::from(!truth.is_empty());
        }
    }
    s
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<22} {:>6} {:>6} {:>9} {:>7} {:>6} {:>10} {:>11}",
            "category", "txns", "auto", "precision", "recall", "F1", "wrong auto", "review ok"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, s: &Score| {
            writeln!(
                f,
                "{:<22} {:>6} {:>6} {:>9.4} {:>7.4} {:>6.4} {:>9.2}% {:>6}/{:<4}",
                name,
                s.transactions,
                s.auto_decisions,
                s.precision(),
                s.recall(),
                s.f1(),
                100.0 * s.wrong_auto_rate(),
                s.reviewed_best_is_right,
                s.reviewed
            )
        };
        for (name, s) in &self.by_category {
            row(f, name, s)?;
        }
        row(f, "OVERALL", &self.overall)
    }
}
