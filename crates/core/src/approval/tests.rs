use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;
use crate::money::{Currency, Money};
use crate::role::Role;
use crate::rules::Severity;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn eur(a: i64) -> Money {
    Money::new(Decimal::from(a), Currency::EUR)
}

fn person(n: u128, role: Role) -> Person {
    Person {
        user_id: Uuid::from_u128(n),
        role,
    }
}

const TWO: [Level; 2] = [Level::Approver, Level::Owner];

#[test]
fn the_default_policy_routes_by_amount_and_warnings() {
    let p = ApprovalPolicy::default();
    let c = Uuid::nil();
    assert_eq!(p.route(c, &eur(999), None), Route::Automatic);
    assert_eq!(
        p.route(c, &eur(999), Some(Severity::Warn)),
        Route::Circuit(vec![Level::Approver])
    );
    assert_eq!(
        p.route(c, &eur(1000), None),
        Route::Circuit(vec![Level::Approver])
    );
    assert_eq!(
        p.route(c, &eur(10_000), None),
        Route::Circuit(vec![Level::Approver])
    );
    assert_eq!(p.route(c, &eur(10_001), None), Route::Circuit(TWO.to_vec()));
    assert_eq!(p.route(c, &eur(5), Some(Severity::Block)), Route::Blocked);
}

#[test]
fn a_client_can_have_its_own_thresholds() {
    let special = Uuid::from_u128(7);
    let p = ApprovalPolicy {
        clients: vec![ClientPolicy {
            client_id: special,
            auto_approve_below: Some(Decimal::ZERO),
            single_approver_up_to: Some(Decimal::from(2_000)),
        }],
        ..ApprovalPolicy::default()
    };
    assert!(p.validate().is_ok());
    assert_eq!(
        p.route(special, &eur(10), None),
        Route::Circuit(vec![Level::Approver])
    );
    assert_eq!(
        p.route(special, &eur(3_000), None),
        Route::Circuit(TWO.to_vec())
    );
    assert_eq!(p.route(Uuid::nil(), &eur(10), None), Route::Automatic);
    let bad = ApprovalPolicy {
        auto_approve_below: Decimal::from(20_000),
        ..ApprovalPolicy::default()
    };
    assert!(
        bad.validate()
            .unwrap_err()
            .to_string()
            .contains("must not exceed")
    );
}

#[test]
fn an_approver_then_an_owner_decide_a_large_invoice() {
    let author = person(1, Role::Accountant);
    let approver = person(2, Role::Approver);
    let owner = person(3, Role::Owner);
    let contributors = [author.user_id];
    let a = authorize(&TWO, &[], &contributors, &approver, &[], day(1)).unwrap();
    assert_eq!((a.level, a.of, a.completes), (1, 2, false));
    let decided = [Decided {
        level: 1,
        by: approver.user_id,
        on_behalf_of: None,
    }];
    assert_eq!(
        authorize(&TWO, &decided, &contributors, &approver, &[], day(1)),
        Err(ApprovalError::AlreadyDecided(1))
    );
    let b = authorize(&TWO, &decided, &contributors, &owner, &[], day(1)).unwrap();
    assert!(b.completes);
    let second_approver = person(4, Role::Approver);
    assert!(matches!(
        authorize(&TWO, &decided, &contributors, &second_approver, &[], day(1)),
        Err(ApprovalError::NotEntitled {
            level: 2,
            needs: Level::Owner
        })
    ));
}

#[test]
fn nobody_approves_their_own_draft_not_even_an_owner() {
    let owner = person(3, Role::Owner);
    assert_eq!(
        authorize(
            &[Level::Approver],
            &[],
            &[owner.user_id],
            &owner,
            &[],
            day(1)
        ),
        Err(ApprovalError::OwnDraft)
    );
}

#[test]
fn a_delegate_decides_for_an_absent_owner_only_during_the_absence() {
    let owner = person(3, Role::Owner);
    let approver = person(2, Role::Approver);
    let other = person(5, Role::Approver);
    let d = Delegation::new(owner, approver.user_id, day(10), day(20)).unwrap();
    let decided = [Decided {
        level: 1,
        by: other.user_id,
        on_behalf_of: None,
    }];
    let a = authorize(&TWO, &decided, &[], &approver, &[d], day(12)).unwrap();
    assert_eq!(a.on_behalf_of, Some(owner.user_id));
    assert!(authorize(&TWO, &decided, &[], &approver, &[d], day(21)).is_err());
    // The delegate cannot decide both levels, and not for an owner who wrote the draft.
    let mine = [Decided {
        level: 1,
        by: approver.user_id,
        on_behalf_of: None,
    }];
    assert!(authorize(&TWO, &mine, &[], &approver, &[d], day(12)).is_err());
    assert!(authorize(&TWO, &decided, &[owner.user_id], &approver, &[d], day(12)).is_err());
    assert_eq!(
        eligible(
            &TWO,
            &decided,
            &[],
            &[owner, approver, other],
            &[d],
            day(12)
        ),
        vec![owner.user_id, approver.user_id]
    );
}

#[test]
fn delegations_are_checked() {
    let owner = person(3, Role::Owner);
    assert_eq!(
        Delegation::new(owner, owner.user_id, day(1), day(2)),
        Err(DelegationError::ToSelf)
    );
    assert_eq!(
        Delegation::new(owner, Uuid::from_u128(9), day(2), day(1)),
        Err(DelegationError::EndsBeforeStart)
    );
    assert_eq!(
        Delegation::new(person(4, Role::Viewer), Uuid::from_u128(9), day(1), day(2)),
        Err(DelegationError::NothingToDelegate)
    );
}

#[test]
fn the_versioned_config_refuses_other_versions() {
    let mut c = ValidationConfig::default();
    assert!(c.validate().is_ok());
    c.version = 2;
    assert!(c.validate().unwrap_err().contains("version"));
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Owner),
        Just(Role::Approver),
        Just(Role::Accountant),
        Just(Role::Viewer)
    ]
}

prop_compose! {
    fn people()(roles in proptest::collection::vec(role(), 1..6)) -> Vec<Person> {
        roles.into_iter().enumerate().map(|(i, r)| person(i as u128 + 1, r)).collect()
    }
}

proptest! {
    #[test]
    fn no_one_ever_decides_on_a_draft_they_contributed_to(
        people in people(),
        contributor_mask in 0u8..64,
        delegation_pairs in proptest::collection::vec((0usize..6, 0usize..6), 0..4),
        two_levels in any::<bool>(),
        today in 1u32..28,
    ) {
        let levels: Vec<Level> = if two_levels { TWO.to_vec() } else { vec![Level::Approver] };
        let contributors: Vec<Uuid> = people.iter().enumerate()
            .filter(|(i, _)| contributor_mask & (1 << i) != 0).map(|(_, p)| p.user_id).collect();
        let delegations: Vec<Delegation> = delegation_pairs.iter()
            .filter_map(|(a, b)| Some((people.get(*a)?, people.get(*b)?)))
            .filter_map(|(a, b)| Delegation::new(*a, b.user_id, day(1), day(27)).ok())
            .collect();
        // Walk the circuit with whoever may decide next; check each decision.
        let mut decided: Vec<Decided> = Vec::new();
        loop {
            let next = people.iter().find_map(|p| {
                authorize(&levels, &decided, &contributors, p, &delegations, day(today)).ok().map(|a| (p, a))
            });
            let Some((p, a)) = next else { break };
            prop_assert!(!contributors.contains(&p.user_id));
            prop_assert!(a.on_behalf_of.is_none_or(|u| !contributors.contains(&u)));
            let who = a.on_behalf_of.unwrap_or(p.user_id);
            let role = people.iter().find(|x| x.user_id == who).map(|x| x.role);
            prop_assert!(role.is_some_and(|r| levels[a.level - 1].admits(r)));
            decided.push(Decided { level: a.level, by: p.user_id, on_behalf_of: a.on_behalf_of });
            if a.completes { break; }
        }
        // Every decider and every principal is distinct: four eyes at least.
        let mut all: Vec<Uuid> = decided.iter().flat_map(|d| [Some(d.by), d.on_behalf_of]).flatten().collect();
        let n = all.len();
        all.sort();
        all.dedup();
        prop_assert_eq!(all.len(), n);
        prop_assert!(decided.len() <= levels.len());
    }

    #[test]
    fn more_money_never_needs_fewer_levels(a in 0i64..50_000, b in 0i64..50_000, warn in any::<bool>()) {
        let p = ApprovalPolicy::default();
        let worst = warn.then_some(Severity::Warn);
        let levels = |x: i64| match p.route(Uuid::nil(), &eur(x), worst) {
            Route::Automatic => 0,
            Route::Circuit(l) => l.len(),
            Route::Blocked => usize::MAX,
        };
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(levels(lo) <= levels(hi));
        prop_assert_eq!(levels(hi) == 2, hi > 10_000);
        prop_assert_eq!(levels(lo) == 0, lo < 1_000 && !warn);
    }

    #[test]
    fn a_blocking_finding_always_blocks(a in 0i64..1_000_000) {
        prop_assert_eq!(ApprovalPolicy::default().route(Uuid::nil(), &eur(a), Some(Severity::Block)), Route::Blocked);
    }
}
