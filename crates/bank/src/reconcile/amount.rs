//! The rules that go by the amount when nothing in the text names an invoice: one invoice of
//! the payer's client owing it, a combination of that client's invoices adding up to it (a
//! grouped payment), part of its only invoice (an instalment), and — last — the amount alone.

use super::cascade::{Candidate, Run};
use super::clue::Clue;
use super::confidence;
use super::decision::{Method, UnmatchedReason};
use super::group::{Bounds, find_groups};
use super::settle::Fit;

/// Steps of a grouped-payment search (per client, or over the invoices one text names).
pub(crate) const GROUP_BUDGET: usize = 20_000;

impl Run<'_> {
    /// Amount and payer, grouped payments and instalments, for each client the payer is
    /// tied to.
    pub(crate) fn by_payer(&self) -> Vec<Candidate> {
        let mut out = Vec::new();
        let index = self.cx.index;
        for &(c, link) in &self.payer.clients {
            let client = index.client(c);
            let open: Vec<u32> = client
                .invoices
                .iter()
                .copied()
                .filter(|&i| self.usable(i))
                .collect();
            let tolerance = self.tolerance(self.amount);
            let payer_evidence = Clue::Payer { client: c, link };
            // An invoice owing exactly the amount leaves no room for one short by a fee.
            let mut owing: Vec<u32> = open
                .iter()
                .copied()
                .filter(|&i| self.owed(i) == self.amount)
                .collect();
            if owing.is_empty() {
                owing = open
                    .iter()
                    .copied()
                    .filter(|&i| (self.amount..=self.amount + tolerance).contains(&self.owed(i)))
                    .collect();
            }
            if !owing.is_empty() {
                for &i in &owing {
                    let fee = self.owed(i) != self.amount;
                    let fit = if fee {
                        Fit::Fee(self.owed(i) - self.amount)
                    } else {
                        Fit::Exact
                    };
                    let mut evidence = vec![payer_evidence.clone()];
                    if owing.len() > 1 {
                        evidence.push(Clue::SameAmountElsewhere {
                            invoices: owing.len() - 1,
                        });
                    }
                    let confidence = confidence::amount_and_payer(link, fee);
                    out.push(self.candidate(
                        vec![i],
                        Method::AmountAndPayer,
                        confidence,
                        evidence,
                        fit,
                    ));
                }
                continue;
            }
            // A grouped payment settles invoices that exist when it is made.
            let items: Vec<(u32, i64)> = open
                .iter()
                .filter(|&&i| index.invoice(i).issue_date <= self.txn.booking_date)
                .map(|&i| (i, self.owed(i)))
                .collect();
            let bounds = Bounds {
                max_size: self.cx.policy.max_group_size,
                max_found: 3,
                budget: GROUP_BUDGET,
            };
            // Exact sums first: a combination short by a fee is only looked for when none is.
            let mut groups = find_groups(&items, self.amount, self.amount, bounds);
            if groups.found.is_empty() && groups.complete && tolerance > 0 {
                groups = find_groups(&items, self.amount, self.amount + tolerance, bounds);
            }
            let sure = groups.found.len() == 1 && groups.complete;
            let grouped = !groups.found.is_empty();
            for mut group in groups.found {
                self.sort_targets(&mut group);
                let total: i64 = group.iter().map(|&i| self.owed(i)).sum();
                let fee = total != self.amount;
                let fit = if fee {
                    Fit::Fee(total - self.amount)
                } else {
                    Fit::Exact
                };
                let alone = confidence::group(link, fee);
                let confidence = if sure {
                    alone
                } else {
                    confidence::GROUP_AMBIGUOUS
                };
                let mut c = self.candidate(
                    group,
                    Method::Group,
                    confidence,
                    vec![payer_evidence.clone()],
                    fit,
                );
                c.confidence_alone = if groups.complete {
                    (c.confidence + alone - confidence).clamp(0.0, 0.99)
                } else {
                    c.confidence
                };
                out.push(c);
            }
            if grouped {
                continue;
            }
            if let [only] = open.as_slice() {
                let owed = self.owed(*only);
                let (method, confidence, fit) = if owed > self.amount {
                    (
                        Method::Partial,
                        confidence::partial(link),
                        Fit::Partial(owed - self.amount),
                    )
                } else {
                    (
                        Method::AmountAndPayer,
                        confidence::PAYER_OVER,
                        Fit::Over(self.amount - owed),
                    )
                };
                out.push(self.candidate(
                    vec![*only],
                    method,
                    confidence,
                    vec![payer_evidence],
                    fit,
                ));
            }
        }
        out
    }

    /// The last resort: open invoices owing exactly the amount, whoever paid.
    pub(crate) fn by_amount_only(&self) -> Result<Vec<Candidate>, UnmatchedReason> {
        let Some(postings) = self.cx.index.by_amount.get(&(self.currency, self.amount)) else {
            return Ok(Vec::new());
        };
        let n = postings.len();
        if n > confidence::AMOUNT_ONLY_MAX {
            return Err(UnmatchedReason::AmountTooCommon(n));
        }
        let confidence = if n == 1 {
            confidence::AMOUNT_ONLY_UNIQUE
        } else {
            confidence::AMOUNT_ONLY_SHARED
        };
        Ok(postings
            .iter()
            .filter(|&i| self.usable(i))
            .map(|i| {
                let evidence = if n > 1 {
                    vec![Clue::SameAmountElsewhere { invoices: n - 1 }]
                } else {
                    Vec::new()
                };
                self.candidate(
                    vec![i],
                    Method::AmountOnly,
                    confidence,
                    evidence,
                    Fit::Exact,
                )
            })
            .collect())
    }
}
