//! The batch: every transaction assessed against the invoices as they stood (in parallel, it
//! is read-only), then the automatic matches applied one by one — most confident first, then
//! oldest booking — against running balances, so no invoice is ever allocated more than it
//! owes. A match that no longer fits (another transaction took the invoice) becomes a
//! suggestion that says so.

use std::collections::HashMap;

use chrono::NaiveDate;
use encaisse_core::Money;
use uuid::Uuid;

use super::cascade::{Assessment, Candidate, Context, assess};
use super::clue::Clue;
use super::decision::{
    Allocation, AmountFit, ClientCredit, Closeness, Decision, Evidence, Match, Method, ReviewReason,
};
use super::index::{InvoiceIndex, minor};
use super::input::{OpenInvoice, Txn};
use super::knowledge::Knowledge;
use super::payer::PayerCache;
use super::policy::{Overpayment, Policy};
use super::settle::{Fit, Plan, settle};

/// Below this many transactions the batch is assessed on one thread.
const PARALLEL_FROM: usize = 4_096;
/// How many candidates a suggestion lists.
const MAX_SUGGESTIONS: usize = 3;
/// Rounds of batch resolution (each may free a transaction the previous ones made
/// unambiguous).
const MAX_ROUNDS: usize = 4;

/// The running state of a batch's resolution.
struct Resolution {
    owed: Vec<i64>,
    claimed_by: HashMap<u32, usize>,
    decisions: Vec<Option<Decision>>,
}

/// Reconciles one batch: a decision for each transaction, in batch order, under its id.
///
/// `today` decides which invoices exist: one issued after `today` cannot be matched, so a
/// payment may precede its invoice only once the invoice is there.
pub fn reconcile(
    batch: &[Txn],
    invoices: &[OpenInvoice],
    knowledge: &Knowledge,
    policy: &Policy,
    today: NaiveDate,
) -> Vec<(String, Decision)> {
    Reconciler::new(invoices, knowledge, policy, today).reconcile(batch)
}

/// The open invoices indexed once, for one or several batches.
pub struct Reconciler<'a> {
    index: InvoiceIndex<'a>,
    knowledge: &'a Knowledge,
    policy: &'a Policy,
}

impl<'a> Reconciler<'a> {
    pub fn new(
        invoices: &'a [OpenInvoice],
        knowledge: &'a Knowledge,
        policy: &'a Policy,
        today: NaiveDate,
    ) -> Reconciler<'a> {
        Reconciler {
            index: InvoiceIndex::new(invoices, today, policy.fee_tolerance.rule()),
            knowledge,
            policy,
        }
    }

    /// See [`reconcile`]. The balances start from the invoices' outstanding each call.
    pub fn reconcile(&self, batch: &[Txn]) -> Vec<(String, Decision)> {
        let mut assessments = self.assess_all(batch, None);
        let mut state = Resolution {
            owed: self.index.outstanding.clone(),
            claimed_by: HashMap::new(),
            decisions: vec![None; batch.len()],
        };
        self.resolve(batch, &assessments, &mut state, None);
        if self.policy.learn_within_batch {
            let seen = self.ibans_paying_by_reference(batch, &state);
            let cx = Context {
                index: &self.index,
                knowledge: self.knowledge,
                policy: self.policy,
                batch_ibans: Some(&seen),
            };
            let again: Vec<usize> = (0..batch.len())
                .filter(|&t| {
                    state.decisions[t].is_none()
                        && match &assessments[t] {
                            Assessment::Ignored(_) => false,
                            Assessment::Nothing(_) => true,
                            Assessment::Found { candidates, .. } => !candidates
                                .iter()
                                .any(|c| c.evidence.iter().any(Clue::is_strong)),
                        }
                        && batch[t]
                            .counterparty_iban
                            .as_ref()
                            .is_some_and(|i| seen.contains_key(i))
                })
                .collect();
            if !again.is_empty() {
                let fresh = self.assess_many(&again, batch, &cx);
                for (&t, a) in again.iter().zip(fresh) {
                    assessments[t] = a;
                }
                self.resolve(batch, &assessments, &mut state, Some(again));
            }
        }
        let Resolution {
            claimed_by,
            decisions,
            ..
        } = state;
        let decide = |t: usize, assessment: Assessment, decided: Option<Decision>| {
            let decision = decided.unwrap_or_else(|| match assessment {
                Assessment::Ignored(r) => Decision::Ignored(r),
                Assessment::Nothing(r) => Decision::Unmatched(r),
                Assessment::Found { candidates, .. } => Decision::Suggest {
                    reason: self
                        .review_reason(
                            &candidates[0],
                            candidates[0].confidence,
                            candidates.get(1).map(|c| c.confidence),
                        )
                        .unwrap_or(ReviewReason::LowConfidence),
                    candidates: self.suggestions(batch, t, &candidates, &claimed_by),
                },
            });
            (batch[t].id.clone(), decision)
        };
        let work: Vec<(usize, Assessment, Option<Decision>)> = assessments
            .into_iter()
            .zip(decisions)
            .enumerate()
            .map(|(t, (a, d))| (t, a, d))
            .collect();
        in_parallel(work, |_: &mut (), (t, a, d)| decide(t, a, d))
    }

    /// Applies, round after round, what is unambiguous given the previous rounds: a
    /// candidate whose invoices another transaction took is dropped, which may leave one
    /// explanation. The first round looks at `first` (every transaction when `None`), the
    /// next ones only at transactions waiting on an invoice the previous round took.
    fn resolve(
        &self,
        batch: &[Txn],
        assessments: &[Assessment],
        state: &mut Resolution,
        first: Option<Vec<usize>>,
    ) {
        let mut waiting: Vec<Vec<usize>> = vec![Vec::new(); self.index.outstanding.len()];
        for (t, assessment) in assessments.iter().enumerate() {
            if let Assessment::Found { candidates, .. } = assessment
                && state.decisions[t].is_none()
            {
                for i in candidates.iter().flat_map(|c| &c.targets) {
                    let list = &mut waiting[*i as usize];
                    if list.last() != Some(&t) {
                        list.push(t);
                    }
                }
            }
        }
        let mut check: Vec<usize> = first.unwrap_or_else(|| (0..batch.len()).collect());
        for _ in 0..MAX_ROUNDS {
            let mut autos: Vec<(usize, usize, f64)> = Vec::new();
            for &t in &check {
                let Assessment::Found {
                    candidates,
                    crowded,
                } = &assessments[t]
                else {
                    continue;
                };
                if state.decisions[t].is_some() {
                    continue;
                }
                let live = self.still_possible(&batch[t], candidates, &state.owed);
                let Some(&best) = live.first() else { continue };
                let eliminated = live.len() == 1 && candidates.len() > 1 && !crowded;
                let best_conf = if eliminated {
                    candidates[best].confidence_alone
                } else {
                    candidates[best].confidence
                };
                let runner = live.get(1).map(|&r| candidates[r].confidence);
                if self
                    .review_reason(&candidates[best], best_conf, runner)
                    .is_none()
                {
                    autos.push((t, best, best_conf));
                }
            }
            if autos.is_empty() {
                break;
            }
            autos.sort_by(|(a, _, x), (b, _, y)| {
                y.total_cmp(x)
                    .then(batch[*a].booking_date.cmp(&batch[*b].booking_date))
                    .then(a.cmp(b))
            });
            let mut next: Vec<usize> = Vec::new();
            for (t, best, confidence) in autos {
                if let Assessment::Found { candidates, .. } = &assessments[t] {
                    let best = &candidates[best];
                    if self.apply(batch, t, (best, confidence), candidates, state) {
                        for i in &best.targets {
                            next.extend(&waiting[*i as usize]);
                        }
                    }
                }
            }
            next.sort_unstable();
            next.dedup();
            next.retain(|&t| state.decisions[t].is_none());
            check = next;
        }
    }

    /// IBANs unknown to the knowledge that paid invoices of exactly one client by reference
    /// or number in this batch.
    fn ibans_paying_by_reference(
        &self,
        batch: &[Txn],
        state: &Resolution,
    ) -> HashMap<String, Uuid> {
        let mut seen: HashMap<String, Option<Uuid>> = HashMap::new();
        for (txn, decision) in batch.iter().zip(&state.decisions) {
            let Some(Decision::Auto(m)) = decision else {
                continue;
            };
            let Some(iban) = txn.counterparty_iban.as_ref() else {
                continue;
            };
            let explicit = matches!(m.method, Method::Reference | Method::InvoiceNumber)
                && m.evidence.iter().any(|e| match e {
                    Evidence::Reference { .. } => true,
                    Evidence::InvoiceNumber { closeness, .. } => {
                        *closeness <= Closeness::Formatting
                    }
                    _ => false,
                });
            let Some(first) = m.allocations.first() else {
                continue;
            };
            if !explicit || self.knowledge.client_of_iban(iban).is_some() {
                continue;
            }
            let entry = seen.entry(iban.clone()).or_insert(Some(first.client_id));
            if *entry != Some(first.client_id) {
                // One IBAN paying for several clients: an accountant, not a client.
                *entry = None;
            }
        }
        seen.into_iter()
            .filter_map(|(iban, c)| Some((iban, c?)))
            .collect()
    }

    /// Applies `best` to transaction `t` when the invoices still owe what it settles; else
    /// the transaction is left for review, saying which transaction took them.
    fn apply(
        &self,
        batch: &[Txn],
        t: usize,
        (best, confidence): (&Candidate, f64),
        all: &[Candidate],
        state: &mut Resolution,
    ) -> bool {
        let txn = &batch[t];
        let now = self.plan(txn, best, |i| state.owed[i as usize]);
        let before = self.plan(txn, best, |i| self.index.outstanding[i as usize]);
        let taken = best.targets.iter().any(|&i| state.owed[i as usize] == 0);
        if !taken && now.credit <= before.credit {
            for part in &now.parts {
                state.owed[part.invoice as usize] -= part.cash + part.fee;
                state.claimed_by.entry(part.invoice).or_insert(t);
            }
            state.decisions[t] = Some(Decision::Auto(
                self.materialize(txn, best, &now, confidence),
            ));
            return true;
        }
        let by = best
            .targets
            .iter()
            .find_map(|i| state.claimed_by.get(i))
            .map(|&o| batch[o].id.clone())
            .unwrap_or_default();
        let candidates = self.suggestions(batch, t, all, &state.claimed_by);
        state.decisions[t] = Some(Decision::Suggest {
            candidates,
            reason: ReviewReason::AlreadySettledInBatch { by },
        });
        false
    }

    /// The positions of the candidates whose invoices still owe what they would settle.
    fn still_possible(&self, txn: &Txn, all: &[Candidate], owed: &[i64]) -> Vec<usize> {
        (0..all.len())
            .filter(|&k| {
                let c = &all[k];
                if c.targets
                    .iter()
                    .all(|&i| owed[i as usize] == self.index.outstanding[i as usize])
                {
                    return true;
                }
                let now = self.plan(txn, c, |i| owed[i as usize]);
                let before = self.plan(txn, c, |i| self.index.outstanding[i as usize]);
                c.targets.iter().all(|&i| owed[i as usize] > 0) && now == before
            })
            .collect()
    }

    fn assess_all(
        &self,
        batch: &[Txn],
        batch_ibans: Option<&HashMap<String, Uuid>>,
    ) -> Vec<Assessment> {
        let cx = Context {
            index: &self.index,
            knowledge: self.knowledge,
            policy: self.policy,
            batch_ibans,
        };
        let all: Vec<usize> = (0..batch.len()).collect();
        self.assess_many(&all, batch, &cx)
    }

    /// Assesses `batch[t]` for each `t` of `which`, on several threads when there are many.
    fn assess_many(&self, which: &[usize], batch: &[Txn], cx: &Context<'_>) -> Vec<Assessment> {
        in_parallel(which.to_vec(), |payers: &mut PayerCache, t| {
            assess(&batch[t], cx, payers)
        })
    }

    /// Why the best candidate (at confidence `best_conf`, the runner-up at `runner`) may
    /// not be applied without asking; `None` when it may.
    fn review_reason(
        &self,
        best: &Candidate,
        best_conf: f64,
        runner: Option<f64>,
    ) -> Option<ReviewReason> {
        // A runner-up exactly `ambiguity_margin` behind does not block (up to rounding).
        if let Some(runner_up) = runner
            && best_conf - runner_up < self.policy.ambiguity_margin - 1e-9
        {
            return Some(ReviewReason::Ambiguous { runner_up });
        }
        if best_conf < self.policy.auto_threshold || best.method == Method::AmountOnly {
            return Some(ReviewReason::LowConfidence);
        }
        if matches!(best.fit, Fit::Over(_)) && self.policy.overpayment == Overpayment::Review {
            return Some(ReviewReason::Overpayment);
        }
        None
    }

    fn plan(&self, txn: &Txn, candidate: &Candidate, owed: impl Fn(u32) -> i64) -> Plan {
        let total: i64 = candidate.targets.iter().map(|&i| owed(i)).sum();
        let currency = txn.amount.currency();
        let tolerance = self.index.fees.minor(currency, total);
        settle(minor(&txn.amount), &candidate.targets, owed, tolerance)
    }

    fn suggestions(
        &self,
        batch: &[Txn],
        t: usize,
        candidates: &[Candidate],
        claimed_by: &HashMap<u32, usize>,
    ) -> Vec<Match> {
        let txn = &batch[t];
        candidates
            .iter()
            .take(MAX_SUGGESTIONS)
            .map(|c| {
                let plan = self.plan(txn, c, |i| self.index.outstanding[i as usize]);
                let mut m = self.materialize(txn, c, &plan, c.confidence);
                for i in &c.targets {
                    if let Some(&other) = claimed_by.get(i)
                        && other != t
                    {
                        m.evidence.push(Evidence::ClaimedInBatch {
                            txn_id: batch[other].id.clone(),
                        });
                    }
                }
                m
            })
            .collect()
    }

    fn materialize(&self, txn: &Txn, candidate: &Candidate, plan: &Plan, confidence: f64) -> Match {
        let currency = txn.amount.currency();
        let money = |minor: i64| Money::from_minor(minor, currency);
        let allocations: Vec<Allocation> = plan
            .parts
            .iter()
            .map(|p| {
                let invoice = self.index.invoice(p.invoice);
                Allocation {
                    invoice_id: invoice.id,
                    invoice_number: invoice.number.clone(),
                    client_id: invoice.client_id,
                    amount: money(p.cash),
                    fee_write_off: money(p.fee),
                    remaining: money(p.remaining),
                }
            })
            .collect();
        let credit = (plan.credit > 0)
            .then(|| candidate.targets.first())
            .flatten()
            .map(|&i| ClientCredit {
                client_id: self.index.invoice(i).client_id,
                amount: money(plan.credit),
            });
        let mut evidence: Vec<Evidence> = candidate
            .evidence
            .iter()
            .map(|c| c.to_evidence(txn, &self.index))
            .collect();
        evidence.push(Evidence::Amount(match plan.fit {
            Fit::Exact => AmountFit::Exact,
            Fit::Fee(fee) => AmountFit::FeeDeducted { fee: money(fee) },
            Fit::Partial(remaining) => AmountFit::Partial {
                remaining: money(remaining),
            },
            Fit::Over(surplus) => AmountFit::Over {
                surplus: money(surplus),
            },
        }));
        Match {
            method: candidate.method,
            confidence: (confidence * 100.0).round() / 100.0,
            allocations,
            credit,
            evidence,
        }
    }
}

/// `items` mapped by `f`, in order, on as many threads as the machine has (up to 8) when
/// there are enough items to be worth it; each thread has its own `S` (a cache).
fn in_parallel<T: Send, R: Send, S: Default>(
    items: Vec<T>,
    f: impl Fn(&mut S, T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if items.len() < PARALLEL_FROM || threads == 1 {
        let mut state = S::default();
        return items.into_iter().map(|x| f(&mut state, x)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let mut parts: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut rest = items;
    while rest.len() > chunk {
        let tail = rest.split_off(chunk);
        parts.push(rest);
        rest = tail;
    }
    parts.push(rest);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    let mut state = S::default();
                    part.into_iter()
                        .map(|x| f(&mut state, x))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}
