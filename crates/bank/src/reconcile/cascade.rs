//! The cascade for one transaction, against the invoices as they stood before the batch:
//! structured reference → invoice numbers in the text → amount and payer → a combination of
//! the payer's client's invoices → part of its only invoice → the amount alone. A step runs
//! only when the steps before it found nothing explicit; every candidate carries its rule,
//! its confidence and its evidence.

use std::collections::HashMap;

use encaisse_core::Currency;
use uuid::Uuid;

use super::amount::GROUP_BUDGET;
use super::clue::Clue;
use super::confidence::{self, Basis};
use super::decision::{
    Closeness, IgnoreReason, Method, PayerLink, ReferencePlace, UnmatchedReason,
};
use super::group::{Bounds, find_groups};
use super::index::{InvoiceIndex, minor};
use super::input::{Txn, TxnKind};
use super::knowledge::Knowledge;
use super::normalize::fold;
use super::numbers::NumberHit;
use super::payer::{Payer, PayerCache};
use super::policy::Policy;
use super::reference::find_references;
use super::settle::{Fit, settle};

/// Words saying a credit gives money back rather than pays a sale.
const REFUND_WORDS: &[&str] = &[
    "REMBOURSEMENT",
    "REMB",
    "RUCKERSTATTUNG",
    "RUECKERSTATTUNG",
    "ERSTATTUNG",
    "RUCKZAHLUNG",
    "RUECKZAHLUNG",
    "REFUND",
    "RETROCESSION",
    "CHARGEBACK",
];
/// Words saying a credit is interest.
const INTEREST_WORDS: &[&str] = &[
    "INTERETS",
    "INTERET",
    "ZINS",
    "ZINSEN",
    "HABENZINS",
    "INTEREST",
];

/// How many candidates are kept; a transaction with more is `crowded` and never settled by
/// elimination.
const MAX_CANDIDATES: usize = 12;
/// Typos are looked for among the invoices owing the amount only when they are few (a
/// round amount many invoices owe says nothing about which one a typo meant).
const MAX_OWING_FOR_NEIGHBOURS: usize = 64;
/// At most this many invoices named in one text are combined.
const MAX_NAMED_INVOICES: usize = 8;

/// What the engine reads for one batch.
pub(crate) struct Context<'a> {
    pub index: &'a InvoiceIndex<'a>,
    pub knowledge: &'a Knowledge,
    pub policy: &'a Policy,
    /// IBANs (not in the knowledge) that paid one client's invoices by reference or number
    /// in this batch.
    pub batch_ibans: Option<&'a HashMap<String, Uuid>>,
}

/// A possible settlement, before the batch is resolved.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Candidate {
    /// Invoices in the order money is applied (due date, then number).
    pub targets: Vec<u32>,
    pub method: Method,
    pub confidence: f64,
    /// The confidence it would have were the other candidates ruled out (by other
    /// transactions of the batch taking their invoices).
    pub confidence_alone: f64,
    pub evidence: Vec<Clue>,
    pub fit: Fit,
}

/// The cascade's verdict on one transaction.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Assessment {
    Ignored(IgnoreReason),
    /// Best first, never empty; `crowded` when more were found than kept.
    Found {
        candidates: Vec<Candidate>,
        crowded: bool,
    },
    Nothing(UnmatchedReason),
}

pub(crate) fn assess(txn: &Txn, cx: &Context<'_>, payers: &mut PayerCache) -> Assessment {
    if let Some(reason) = ignored_by_kind(txn) {
        return Assessment::Ignored(reason);
    }
    let run = Run::new(txn, cx, payers);
    let folded_text = fold(txn.remittance.as_deref().unwrap_or(""));
    let mut candidates = Vec::new();
    let mut unknown_reference = None;
    for found in find_references(txn.structured_reference.as_deref(), &folded_text) {
        let basis = match found.place {
            ReferencePlace::StructuredField => Basis::StructuredReference,
            ReferencePlace::FreeText => Basis::ReferenceInText,
        };
        match cx.index.by_reference.get(&found.compact) {
            Some(&i) if run.usable(i) => {
                let evidence = Clue::Reference {
                    invoice: i,
                    place: found.place,
                };
                candidates.push(run.explicit(vec![i], basis, Method::Reference, vec![evidence]));
            }
            _ => unknown_reference = Some(found.compact),
        }
    }
    let searched = match txn.structured_reference.as_deref() {
        Some(s) => format!("{} {folded_text}", fold(s)),
        None => folded_text,
    };
    let hits: Vec<NumberHit> = cx
        .index
        .numbers
        .find(&searched)
        .into_iter()
        .filter(|h| run.usable(h.invoice))
        .collect();
    candidates.extend(run.named_invoices(&hits));
    let explicit = candidates.iter().any(|c| is_strong(&c.evidence));
    if !explicit && let Some(reason) = ignored_by_text(&searched) {
        return Assessment::Ignored(reason);
    }
    let settled = candidates.iter().any(|c| {
        c.confidence >= cx.policy.auto_threshold && matches!(c.fit, Fit::Exact | Fit::Fee(_))
    });
    if !settled {
        // What the text names does not settle the payment: perhaps a typo that happens to be
        // another invoice's number. Invoices one edit away that owe the amount become
        // candidates (too weak alone: with dense numbering some neighbour often owes a round
        // amount), and the payer and the amount speak.
        let mut named: Vec<u32> = hits.iter().map(|h| h.invoice).collect();
        let mut fitting_neighbours: Vec<u32> = Vec::new();
        let owing: Vec<u32> = cx
            .index
            .owing_between(
                run.currency,
                run.amount,
                run.amount + run.tolerance(run.amount),
            )
            .iter()
            .map(|e| e.1)
            .collect();
        let near = if owing.len() <= MAX_OWING_FOR_NEIGHBOURS {
            cx.index.numbers.near_among(&searched, &owing)
        } else {
            Vec::new()
        };
        for near in near {
            if run.usable(near.invoice) && !named.contains(&near.invoice) {
                named.push(near.invoice);
                let evidence = vec![number_evidence(&near)];
                let basis = Basis::Number(near.closeness);
                let mut c =
                    run.explicit(vec![near.invoice], basis, Method::InvoiceNumber, evidence);
                if matches!(c.fit, Fit::Exact | Fit::Fee(_)) {
                    c.confidence -= confidence::NEIGHBOUR;
                    c.confidence_alone -= confidence::NEIGHBOUR;
                    fitting_neighbours.push(near.invoice);
                    candidates.push(c);
                }
            }
        }
        if let Some(&neighbour) = fitting_neighbours.first() {
            for c in candidates
                .iter_mut()
                .filter(|c| matches!(c.fit, Fit::Partial(_) | Fit::Over(_)))
            {
                c.confidence -= confidence::NEIGHBOUR_FITS;
                c.confidence_alone -= confidence::NEIGHBOUR_FITS;
                c.evidence
                    .push(Clue::AmountFitsOtherInvoice { invoice: neighbour });
            }
        }
        candidates.extend(run.by_payer().into_iter().map(|mut c| {
            let other = named.iter().find(|i| !c.targets.contains(i));
            if let Some(&other) = other
                && c.targets.iter().any(|t| !named.contains(t))
            {
                c.confidence -= confidence::TEXT_NAMES_ANOTHER;
                c.confidence_alone -= confidence::TEXT_NAMES_ANOTHER;
                c.evidence.push(Clue::OtherInvoiceNamed { invoice: other });
            }
            c
        }));
    }
    if candidates.is_empty() {
        match run.by_amount_only() {
            Ok(found) => candidates = found,
            Err(reason) => return Assessment::Nothing(reason),
        }
    }
    if candidates.is_empty() {
        return Assessment::Nothing(match unknown_reference {
            Some(r) => UnmatchedReason::ReferenceOfNoOpenInvoice(r),
            None => UnmatchedReason::NoEvidence,
        });
    }
    let candidates = merge(candidates);
    let crowded = candidates.len() > MAX_CANDIDATES;
    Assessment::Found {
        candidates: candidates.into_iter().take(MAX_CANDIDATES).collect(),
        crowded,
    }
}

/// A reference, or an invoice number read exactly or with other formatting.
fn is_strong(evidence: &[Clue]) -> bool {
    evidence.iter().any(Clue::is_strong)
}

fn ignored_by_kind(txn: &Txn) -> Option<IgnoreReason> {
    if txn.amount.is_negative() {
        return Some(IgnoreReason::Debit);
    }
    if txn.amount.is_zero() {
        return Some(IgnoreReason::ZeroAmount);
    }
    match txn.kind {
        TxnKind::Payment => None,
        TxnKind::Reversal => Some(IgnoreReason::Reversal),
        TxnKind::Refund => Some(IgnoreReason::Refund { from_text: false }),
        TxnKind::Interest => Some(IgnoreReason::Interest { from_text: false }),
        TxnKind::BankFee => Some(IgnoreReason::BankFee),
        TxnKind::Pending => Some(IgnoreReason::NotBooked),
    }
}

fn ignored_by_text(folded: &str) -> Option<IgnoreReason> {
    let words = || folded.split(|c: char| !c.is_ascii_alphanumeric());
    if words().any(|w| REFUND_WORDS.contains(&w)) {
        Some(IgnoreReason::Refund { from_text: true })
    } else if words().any(|w| INTEREST_WORDS.contains(&w)) {
        Some(IgnoreReason::Interest { from_text: true })
    } else {
        None
    }
}

/// One transaction going through the cascade.
pub(crate) struct Run<'a> {
    pub(crate) txn: &'a Txn,
    pub(crate) cx: &'a Context<'a>,
    pub(crate) amount: i64,
    pub(crate) currency: Currency,
    pub(crate) payer: Payer,
}

impl<'a> Run<'a> {
    fn new(txn: &'a Txn, cx: &'a Context<'a>, payers: &mut PayerCache) -> Run<'a> {
        Run {
            txn,
            cx,
            amount: minor(&txn.amount),
            currency: txn.amount.currency(),
            payer: payers.resolve(txn, cx.index, cx.knowledge, cx.batch_ibans),
        }
    }

    /// Open, in the transaction's currency.
    pub(crate) fn usable(&self, i: u32) -> bool {
        self.cx.index.outstanding[i as usize] > 0
            && self.cx.index.invoice(i).currency == self.currency
    }

    pub(crate) fn owed(&self, i: u32) -> i64 {
        self.cx.index.outstanding[i as usize]
    }

    pub(crate) fn tolerance(&self, owed: i64) -> i64 {
        self.cx.index.fees.minor(self.currency, owed)
    }

    pub(crate) fn sort_targets(&self, targets: &mut [u32]) {
        let index = self.cx.index;
        targets.sort_by(|a, b| {
            let (x, y) = (index.invoice(*a), index.invoice(*b));
            (x.due_date, &x.number, a).cmp(&(y.due_date, &y.number, b))
        });
    }

    /// A candidate from explicit evidence (reference or number), scored by the fit of the
    /// amount and checked against the payer and the dates.
    fn explicit(
        &self,
        mut targets: Vec<u32>,
        basis: Basis,
        method: Method,
        mut evidence: Vec<Clue>,
    ) -> Candidate {
        self.sort_targets(&mut targets);
        let total: i64 = targets.iter().map(|&t| self.owed(t)).sum();
        let plan = settle(
            self.amount,
            &targets,
            |t| self.owed(t),
            self.tolerance(total),
        );
        let mut confidence = confidence::explicit(basis, plan.fit);
        let index = self.cx.index;
        let clients: Vec<u32> = targets
            .iter()
            .map(|&t| index.client_of[t as usize])
            .collect();
        let links: Vec<Option<PayerLink>> =
            clients.iter().map(|&c| self.payer.link_to(c)).collect();
        if let Some(Some(link)) = links.first()
            && links.iter().all(Option::is_some)
        {
            confidence += confidence::PAYER_AGREES;
            evidence.push(Clue::Payer {
                client: clients[0],
                link: *link,
            });
        } else if clients
            .iter()
            .any(|&c| self.payer.is_another_client(index.client(c).id))
        {
            confidence -= confidence::payer_disagrees(basis);
            evidence.push(Clue::PayerIsAnotherClient);
        }
        self.candidate(targets, method, confidence, evidence, plan.fit)
    }

    /// Adds the date check and clamps the confidence.
    pub(crate) fn candidate(
        &self,
        targets: Vec<u32>,
        method: Method,
        mut confidence: f64,
        mut evidence: Vec<Clue>,
        fit: Fit,
    ) -> Candidate {
        let issued = targets
            .iter()
            .map(|&t| self.cx.index.invoice(t).issue_date)
            .max();
        if let Some(issued) = issued
            && self.txn.booking_date < issued
        {
            let days = (issued - self.txn.booking_date).num_days();
            if days > self.cx.policy.max_prepayment_days {
                confidence -= confidence::TOO_EARLY;
            }
            evidence.push(Clue::PaidBeforeIssue { days });
        }
        let confidence = confidence.clamp(0.0, 0.99);
        Candidate {
            targets,
            method,
            confidence,
            confidence_alone: confidence,
            evidence,
            fit,
        }
    }

    /// Invoices named in the text: each alone, and — when the text names several — the
    /// combinations of them the amount pays.
    fn named_invoices(&self, hits: &[NumberHit]) -> Vec<Candidate> {
        let single = |h: &NumberHit| {
            let evidence = vec![number_evidence(h)];
            self.explicit(
                vec![h.invoice],
                Basis::Number(h.closeness),
                Method::InvoiceNumber,
                evidence,
            )
        };
        if hits.len() < 2 || hits.len() > MAX_NAMED_INVOICES {
            return hits.iter().map(single).collect();
        }
        let combined = |members: &[&NumberHit]| {
            let closeness = members
                .iter()
                .map(|h| h.closeness)
                .max()
                .unwrap_or(Closeness::OneEdit);
            let evidence = members.iter().map(|h| number_evidence(h)).collect();
            let targets = members.iter().map(|h| h.invoice).collect();
            self.explicit(
                targets,
                Basis::Number(closeness),
                Method::InvoiceNumber,
                evidence,
            )
        };
        let settles = |c: &Candidate| matches!(c.fit, Fit::Exact | Fit::Fee(_));
        // The amount pays exactly what some of the named invoices owe: those are the answer.
        let mut fitting: Vec<Candidate> = hits.iter().map(single).filter(settles).collect();
        // Only distinct, certain names are combined: the alternatives one text may stand for
        // (`facture 42` in 2025 and 2026, one-edit guesses) are not a list of invoices.
        let all: Vec<&NumberHit> = hits
            .iter()
            .filter(|h| {
                h.closeness != Closeness::OneEdit
                    && hits.iter().filter(|o| o.found == h.found).count() == 1
            })
            .collect();
        if all.len() < 2 {
            if fitting.is_empty() {
                return hits.iter().map(single).collect();
            }
            return fitting;
        }
        let whole = combined(&all);
        if settles(&whole) {
            fitting.push(whole.clone());
        } else {
            let items: Vec<(u32, i64)> = all
                .iter()
                .map(|h| (h.invoice, self.owed(h.invoice)))
                .collect();
            let bounds = Bounds {
                max_size: MAX_NAMED_INVOICES,
                max_found: 3,
                budget: GROUP_BUDGET,
            };
            let groups = find_groups(
                &items,
                self.amount,
                self.amount + self.tolerance(self.amount),
                bounds,
            );
            for group in groups.found {
                let members: Vec<&NumberHit> = all
                    .iter()
                    .copied()
                    .filter(|h| group.contains(&h.invoice))
                    .collect();
                fitting.push(combined(&members));
            }
        }
        if !fitting.is_empty() {
            return fitting;
        }
        let mut out: Vec<Candidate> = hits.iter().map(single).collect();
        out.push(whole);
        out
    }
}

fn number_evidence(hit: &NumberHit) -> Clue {
    Clue::Number {
        invoice: hit.invoice,
        closeness: hit.closeness,
        found: hit.found.as_str().into(),
    }
}

/// One candidate per set of invoices (the most confident, with the evidence of all), best
/// first.
fn merge(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.method.cmp(&b.method))
            .then(a.targets.cmp(&b.targets))
    });
    let mut out: Vec<Candidate> = Vec::new();
    for c in candidates {
        match out.iter_mut().find(|o| o.targets == c.targets) {
            Some(kept) => {
                if kept.method != c.method {
                    // Two rules reached the same invoices on different evidence.
                    let both = |a: f64, b: f64| (1.0 - (1.0 - a) * (1.0 - b)).min(0.99);
                    kept.confidence = both(kept.confidence, c.confidence);
                    kept.confidence_alone = both(kept.confidence_alone, c.confidence_alone);
                }
                for e in c.evidence {
                    if !kept.evidence.contains(&e) {
                        kept.evidence.push(e);
                    }
                }
            }
            None => out.push(c),
        }
    }
    out
}
