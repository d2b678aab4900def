use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use rust_decimal_macros::dec;

use super::*;
use crate::billing::rounding::RoundingScope;
use crate::totals;
use crate::vat::VatCategory;

fn terms(grouping: LineGrouping, rule: DurationRule) -> ClientTerms {
    ClientTerms {
        grouping,
        rule,
        discount_percent: Decimal::ZERO,
        taxation: Taxation {
            rate: VatRate::new(VatCategory::Standard, dec!(20)).unwrap(),
            mention: None,
        },
        language: Language::Fr,
    }
}

fn entry(client: Uuid, project: u8, user: &str, day: u32, seconds: i64) -> BillableEntry {
    BillableEntry {
        id: Uuid::now_v7(),
        client_id: client,
        project_id: Uuid::from_u128(u128::from(project)),
        project_name: format!("Projet {project}").into(),
        task: Some(format!("Tâche {}", day % 2).into()),
        user: user.into(),
        description: format!("travail {day}").into(),
        date: NaiveDate::from_ymd_opt(2026, 10, day).unwrap(),
        seconds,
        billable: true,
        rate: Some(Money::new(dec!(100), Currency::EUR)),
        fixed_fee: false,
    }
}

fn one_client(t: ClientTerms) -> (Uuid, HashMap<Uuid, Result<ClientTerms, String>>) {
    let c = Uuid::now_v7();
    (c, HashMap::from([(c, Ok(t))]))
}

#[test]
fn hours_are_quantities_in_hur_with_dates_and_descriptions_summarised() {
    let (c, t) = one_client(terms(LineGrouping::Project, DurationRule::exact()));
    let es = vec![entry(c, 1, "Ana", 1, 5400), entry(c, 1, "Ben", 3, 1800)];
    let p = plan(&es, &t, &[]);
    assert_eq!(p.drafts.len(), 1);
    let l = &p.drafts[0].lines[0];
    assert_eq!((l.quantity, l.unit.0.as_str()), (dec!(2), "HUR"));
    assert!(
        l.description
            .contains("Projet 1: travail 1; travail 3 (01/10/2026 – 03/10/2026)"),
        "{}",
        l.description
    );
}

#[test]
fn lines_follow_the_grouping() {
    for (g, expected) in [
        (LineGrouping::Project, 2),
        (LineGrouping::Task, 3),
        (LineGrouping::User, 3),
        (LineGrouping::Entry, 5),
    ] {
        let (c, t) = one_client(terms(g, DurationRule::exact()));
        let es = vec![
            entry(c, 1, "Ana", 1, 3600),
            entry(c, 1, "Ana", 2, 3600),
            entry(c, 1, "Ben", 3, 3600),
            entry(c, 2, "Ana", 4, 3600),
            entry(c, 2, "Ana", 6, 3600),
        ];
        assert_eq!(plan(&es, &t, &[]).drafts[0].lines.len(), expected, "{g:?}");
    }
}

#[test]
fn different_rates_never_share_a_line_and_currencies_never_share_a_draft() {
    let (c, t) = one_client(terms(LineGrouping::Project, DurationRule::exact()));
    let mut a = entry(c, 1, "Ana", 1, 3600);
    a.rate = Some(Money::new(dec!(150), Currency::EUR));
    let b = entry(c, 1, "Ben", 1, 3600);
    let mut chf = entry(c, 1, "Ben", 1, 3600);
    chf.rate = Some(Money::new(dec!(100), Currency::CHF));
    let p = plan(&[a, b, chf], &t, &[]);
    assert_eq!(p.drafts.len(), 2);
    let eur = p
        .drafts
        .iter()
        .find(|d| d.currency == Currency::EUR)
        .unwrap();
    assert_eq!(eur.lines.len(), 2);
}

#[test]
fn non_billable_unrated_and_blocked_entries_are_skipped_with_a_reason() {
    let (c, mut t) = one_client(terms(LineGrouping::Project, DurationRule::exact()));
    let blocked = Uuid::now_v7();
    t.insert(blocked, Err("needs a VAT number".into()));
    let mut nb = entry(c, 1, "Ana", 1, 3600);
    nb.billable = false;
    let mut nr = entry(c, 1, "Ana", 1, 3600);
    nr.rate = None;
    let bl = entry(blocked, 1, "Ana", 1, 3600);
    let zero = entry(c, 1, "Ana", 1, 0);
    let p = plan(&[nb.clone(), nr.clone(), bl.clone(), zero.clone()], &t, &[]);
    assert!(p.drafts.is_empty());
    let reasons: HashMap<Uuid, SkipReason> = p.skipped.into_iter().collect();
    assert_eq!(reasons[&nb.id], SkipReason::NotBillable);
    assert_eq!(reasons[&nr.id], SkipReason::NoRate);
    assert_eq!(reasons[&zero.id], SkipReason::ZeroDuration);
    assert!(matches!(&reasons[&bl.id], SkipReason::ClientNotBillable(m) if m.contains("VAT")));
}

#[test]
fn fixed_fee_projects_are_billed_by_milestone_and_otherwise_wait() {
    let (c, t) = one_client(terms(LineGrouping::Project, DurationRule::exact()));
    let mut e1 = entry(c, 7, "Ana", 1, 7200);
    e1.fixed_fee = true;
    let mut e2 = entry(c, 8, "Ana", 1, 3600);
    e2.fixed_fee = true;
    let m = Milestone {
        id: Uuid::now_v7(),
        client_id: c,
        project_id: e1.project_id,
        project_name: "Projet 7".into(),
        name: "Lot 1 livré".into(),
        amount: Money::new(dec!(5000), Currency::EUR),
    };
    let p = plan(&[e1.clone(), e2.clone()], &t, std::slice::from_ref(&m));
    let l = &p.drafts[0].lines[0];
    assert_eq!(
        (l.quantity, l.unit.0.as_str(), l.unit_price),
        (dec!(1), "C62", dec!(5000))
    );
    assert_eq!(l.time_entry_ids, vec![e1.id]);
    assert_eq!(l.milestone_id, Some(m.id));
    assert_eq!(p.waiting, vec![e2.id]);
}

#[test]
fn the_client_discount_and_vat_are_on_every_line() {
    let mut tt = terms(LineGrouping::Project, DurationRule::exact());
    tt.discount_percent = dec!(10);
    tt.taxation = Taxation {
        rate: VatRate::zero(VatCategory::ReverseCharge).unwrap(),
        mention: Some("Autoliquidation".into()),
    };
    let (c, t) = one_client(tt);
    let p = plan(
        &[entry(c, 1, "Ana", 1, 3600), entry(c, 2, "Ana", 1, 3600)],
        &t,
        &[],
    );
    assert!(
        p.drafts[0]
            .lines
            .iter()
            .all(|l| l.discount_percent == dec!(10)
                && l.vat.category() == VatCategory::ReverseCharge)
    );
    assert_eq!(p.drafts[0].mention.as_deref(), Some("Autoliquidation"));
}

#[test]
fn ten_minute_steps_round_per_line_not_per_entry_when_asked() {
    let rule = DurationRule::new(10, RoundingScope::Line, 0).unwrap();
    let (c, t) = one_client(terms(LineGrouping::Project, rule));
    let p = plan(
        &[entry(c, 1, "Ana", 1, 60), entry(c, 1, "Ana", 2, 60)],
        &t,
        &[],
    );
    assert_eq!(p.drafts[0].lines[0].billed_seconds, 600);
    assert_eq!(p.drafts[0].lines[0].quantity, dec!(0.1667));
}

/// Per entry: (client, project, user, day, seconds, billable, fixed fee, rate variant).
type EntrySeed = (u8, u8, u8, u32, i64, bool, bool, u8);

fn arb_entries() -> impl Strategy<Value = Vec<EntrySeed>> {
    proptest::collection::vec(
        (
            0u8..4,
            0u8..3,
            0u8..3,
            1u32..29,
            -10i64..20_000,
            any::<bool>(),
            any::<bool>(),
            0u8..6,
        ),
        0..80,
    )
}

proptest! {
    #[test]
    fn billing_is_a_partition_and_totals_are_sums_of_rounded_parts(
        raw in arb_entries(),
        grouping in prop_oneof![Just(LineGrouping::Project), Just(LineGrouping::Task), Just(LineGrouping::User), Just(LineGrouping::Entry)],
        inc in prop_oneof![Just(0u32), Just(6), Just(10), Just(15), Just(30)],
        min in 0u32..20,
        per_line in any::<bool>(),
        discount in 0i64..=100,
    ) {
        let scope = if per_line { RoundingScope::Line } else { RoundingScope::Entry };
        let rule = DurationRule::new(inc, scope, min).unwrap();
        let clients: Vec<Uuid> = (0..4).map(|i| Uuid::from_u128(1000 + i)).collect();
        let mut t: HashMap<Uuid, Result<ClientTerms, String>> = HashMap::new();
        for (i, c) in clients.iter().enumerate() {
            let mut ct = terms(grouping, rule);
            ct.discount_percent = Decimal::from(discount);
            t.insert(*c, if i == 3 { Err("blocked".into()) } else { Ok(ct) });
        }
        let entries: Vec<BillableEntry> = raw.iter().map(|(c, p, u, d, s, billable, fixed, r)| {
            let mut e = entry(clients[usize::from(*c)], *p, ["Ana", "Ben", "Chloé"][usize::from(*u)], *d, *s);
            e.billable = *billable || *r == 0;
            e.fixed_fee = *fixed && *p == 2;
            e.rate = match r { 1 => None, 2 => Some(Money::new(dec!(85.5), Currency::EUR)), 3 => Some(Money::new(dec!(120), Currency::CHF)), _ => e.rate };
            e
        }).collect();
        let ms = vec![Milestone { id: Uuid::from_u128(9), client_id: clients[0], project_id: Uuid::from_u128(2), project_name: "P2".into(), name: "M".into(), amount: Money::new(dec!(1000), Currency::EUR) }];
        let p = plan(&entries, &t, &ms);

        // Partition: every entry exactly once among lines, skipped and waiting.
        let mut seen = HashSet::new();
        for id in p.drafts.iter().flat_map(|d| d.entry_ids()).chain(p.skipped.iter().map(|s| s.0)).chain(p.waiting.iter().copied()) {
            prop_assert!(seen.insert(id), "entry {} placed twice", id);
        }
        prop_assert_eq!(seen.len(), entries.len());
        let by_id: HashMap<Uuid, &BillableEntry> = entries.iter().map(|e| (e.id, e)).collect();
        let mut keys = HashSet::new();
        for d in &p.drafts {
            // One draft per (client, currency); its entries are that client's.
            prop_assert!(keys.insert((d.client_id, d.currency)));
            for l in &d.lines {
                for id in &l.time_entry_ids {
                    let e = by_id[id];
                    prop_assert_eq!(e.client_id, d.client_id);
                    prop_assert!(e.billable);
                    if l.milestone_id.is_none() {
                        prop_assert_eq!(e.rate.map(|r| r.currency()), Some(d.currency));
                        prop_assert_eq!(e.rate.map(|r| r.amount()), Some(l.unit_price));
                    }
                }
                if l.milestone_id.is_none() {
                    // Rounding never bills less than the rule.
                    let with_min: i64 = l.time_entry_ids.iter().map(|id| by_id[id].seconds.max(i64::from(min) * 60)).sum();
                    prop_assert!(l.billed_seconds >= l.raw_seconds);
                    prop_assert!(l.billed_seconds >= with_min);
                    prop_assert_eq!(l.quantity, hours(l.billed_seconds));
                }
            }
            // Totals are sums of rounded parts.
            let inputs: Vec<_> = d.lines.iter().map(|l| l.to_invoice_line().input()).collect();
            let tot = totals::compute(d.currency, &inputs, Decimal::ZERO).unwrap();
            let sum: Decimal = tot.lines.iter().map(|a| a.net.amount()).sum();
            prop_assert_eq!(tot.tax_exclusive.amount(), sum);
            prop_assert_eq!(d.billed_seconds(), d.lines.iter().map(|l| l.billed_seconds).sum::<i64>());
        }
    }
}
