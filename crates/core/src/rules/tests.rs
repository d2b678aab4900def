use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

use super::*;
use crate::identifiers::{Siren, Siret, VatId};
use crate::invoice::{DocumentKind, InvoiceLine, InvoiceStatus, UnitCode};
use crate::money::Currency;
use crate::party::{Address, LegalIds, PaymentTerms};
use crate::vat::{VatCategory, VatRate};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn client() -> Client {
    let siren = Siren::parse("732829320").unwrap();
    Client {
        id: Uuid::nil(),
        organization_id: Uuid::nil(),
        name: "Atelier".into(),
        ids: LegalIds {
            siret: Some(Siret::parse("73282932000074").unwrap()),
            vat_id: Some(VatId::french_from_siren(&siren)),
            siren: Some(siren),
            uid: None,
        },
        address: Address {
            street: None,
            building_number: None,
            postal_code: "69001".into(),
            city: "Lyon".into(),
            country: Country::FR,
        },
        email: None,
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms { days: 30 },
        requires_purchase_order: false,
    }
}

fn line(qty: Decimal, price: Decimal, cat: VatCategory) -> InvoiceLine {
    let pct = if cat == VatCategory::Standard {
        dec!(20)
    } else {
        Decimal::ZERO
    };
    InvoiceLine {
        description: "Développement".into(),
        quantity: qty,
        unit: UnitCode::hour(),
        unit_price: price,
        discount_percent: Decimal::ZERO,
        vat: VatRate::new(cat, pct).unwrap(),
        time_entry_ids: vec![],
    }
}

/// A draft of one standard-rated line of `qty` × 100 EUR.
struct Draft(Invoice);

impl Draft {
    fn hours(qty: i64) -> Draft {
        Draft(Invoice {
            id: Uuid::now_v7(),
            organization_id: Uuid::nil(),
            client_id: Uuid::nil(),
            kind: DocumentKind::Invoice,
            status: InvoiceStatus::Draft,
            disputed: false,
            number: None,
            currency: Currency::EUR,
            issue_date: None,
            due_date: None,
            service_period: None,
            buyer_reference: None,
            purchase_order: None,
            notes: None,
            lines: vec![line(Decimal::from(qty), dec!(100), VatCategory::Standard)],
            corrects: None,
            payment_reference: None,
            paid: Money::zero(Currency::EUR),
        })
    }
    fn line(mut self, l: InvoiceLine) -> Draft {
        self.0.lines.push(l);
        self
    }
}

struct Facts {
    client: Client,
    history: Vec<Money>,
    days: Vec<PersonDay>,
    dates: Vec<NaiveDate>,
    others: Vec<OtherInvoice>,
}

impl Facts {
    fn new() -> Facts {
        Facts {
            client: client(),
            history: vec![],
            days: vec![],
            dates: vec![],
            others: vec![],
        }
    }
    fn run(&self, rules: &RuleSet, d: &Draft) -> Vec<RuleResult> {
        let totals = d.0.totals().unwrap();
        let ctx = RuleContext {
            today: day(3, 15),
            client: &self.client,
            seller_country: Country::FR,
            client_history: &self.history,
            daily_hours: &self.days,
            time_entry_dates: &self.dates,
            others: &self.others,
        };
        evaluate(rules, &d.0, &totals, &ctx)
    }
    fn fired(&self, d: &Draft) -> Vec<RuleId> {
        self.run(&RuleSet::default(), d)
            .into_iter()
            .map(|r| r.rule)
            .collect()
    }
}

fn eur(a: i64) -> Money {
    Money::new(Decimal::from(a), Currency::EUR)
}

#[test]
fn a_clean_draft_fires_nothing() {
    assert_eq!(Facts::new().fired(&Draft::hours(10)), vec![]);
}

#[test]
fn french_clients_need_a_siret_and_consistent_ids() {
    let mut f = Facts::new();
    f.client.ids.siret = None;
    assert_eq!(f.fired(&Draft::hours(1)), vec![RuleId::BuyerIdentifiers]);
    let mut f = Facts::new();
    f.client.ids.siret = Some(Siret::parse("44306184100047").unwrap());
    let r = f.run(&RuleSet::default(), &Draft::hours(1));
    assert!(
        matches!(r[0].finding, Finding::InconsistentIdentifier { .. }),
        "{r:?}"
    );
}

#[test]
fn reverse_charge_without_vat_id_blocks() {
    let mut f = Facts::new();
    f.client.ids.vat_id = None;
    let d = Draft::hours(1).line(line(dec!(1), dec!(10), VatCategory::ReverseCharge));
    let r = f.run(&RuleSet::default(), &d);
    let rc: Vec<_> = r
        .iter()
        .filter(|r| r.rule == RuleId::ReverseChargeVatId)
        .collect();
    assert_eq!(rc.len(), 1);
    assert_eq!(rc[0].severity, Severity::Block);
    assert_eq!(worst(&r), Some(Severity::Block));
    assert!(rc[0].why(Language::En).contains("Line 2"));
}

#[test]
fn amounts_above_the_threshold_or_far_from_the_median_warn() {
    let f = Facts::new();
    // 500 h × 100 € + 20 % = 60 000 € > 50 000 €.
    assert_eq!(f.fired(&Draft::hours(500)), vec![RuleId::AmountAbove]);
    let mut f = Facts::new();
    f.history = vec![
        eur(1000),
        eur(1200),
        eur(1100),
        Money::new(dec!(99999), Currency::CHF),
    ];
    // Median 1100; 3 × 1100 = 3300 < 36 × 120 = 4320.
    assert_eq!(f.fired(&Draft::hours(36)), vec![RuleId::UnusualAmount]);
    assert_eq!(f.fired(&Draft::hours(27)), vec![]);
    f.history.truncate(2);
    assert_eq!(f.fired(&Draft::hours(36)), vec![], "too little history");
}

#[test]
fn long_days_zero_prices_missing_po_and_currency_are_found() {
    let mut f = Facts::new();
    f.days = vec![
        PersonDay {
            person: "Léa".into(),
            day: day(3, 2),
            hours: dec!(9.5),
        },
        PersonDay {
            person: "Jonas".into(),
            day: day(3, 3),
            hours: dec!(11.25),
        },
    ];
    f.client.requires_purchase_order = true;
    f.client.currency = Currency::CHF;
    let d = Draft::hours(2).line(line(dec!(1), Decimal::ZERO, VatCategory::Standard));
    let r = f.run(&RuleSet::default(), &d);
    let ids: Vec<RuleId> = r.iter().map(|r| r.rule).collect();
    assert_eq!(
        ids,
        vec![
            RuleId::DailyHours,
            RuleId::NonPositivePrice,
            RuleId::Currency,
            RuleId::PurchaseOrder
        ]
    );
    assert!(r[0].why(Language::De).contains("Jonas"));
    assert_eq!(worst(&r), Some(Severity::Block));
}

#[test]
fn duplicates_need_same_amount_and_period() {
    let mut f = Facts::new();
    let d = Draft::hours(10);
    let gross = d.0.totals().unwrap().tax_inclusive;
    f.others = vec![OtherInvoice {
        id: Uuid::now_v7(),
        number: Some("F-2026-00007".into()),
        service_period: None,
        date: day(3, 2),
        gross,
    }];
    let r = f.run(&RuleSet::default(), &d);
    assert_eq!(r.len(), 1);
    assert!(r[0].why(Language::Fr).contains("F-2026-00007"));
    f.others[0].date = day(2, 27);
    assert_eq!(f.fired(&d), vec![], "another month");
}

#[test]
fn due_dates_follow_terms_and_stale_entries_warn() {
    let mut f = Facts::new();
    let mut d = Draft::hours(1);
    d.0.issue_date = Some(day(3, 1));
    d.0.due_date = Some(day(5, 30));
    let r = f.run(&RuleSet::default(), &d);
    assert_eq!(r.len(), 2, "{r:?}");
    f.dates = vec![
        day(3, 1),
        day(8, 1)
            .checked_sub_months(chrono::Months::new(12))
            .unwrap(),
    ];
    let d = Draft::hours(1);
    assert_eq!(f.fired(&d), vec![RuleId::StaleTimeEntries]);
}

#[test]
fn rules_can_be_turned_off_or_made_blocking() {
    let mut f = Facts::new();
    f.client.ids.siret = None;
    let mut rules = RuleSet::default();
    rules.buyer_identifiers.severity = Severity::Off;
    assert!(f.run(&rules, &Draft::hours(1)).is_empty());
    rules.buyer_identifiers.severity = Severity::Block;
    assert_eq!(
        worst(&f.run(&rules, &Draft::hours(1))),
        Some(Severity::Block)
    );
}

#[test]
fn every_finding_explains_itself_in_three_languages() {
    let mut f = Facts::new();
    f.client.ids = LegalIds::default();
    f.client.requires_purchase_order = true;
    let r = f.run(&RuleSet::default(), &Draft::hours(600));
    assert!(r.len() >= 3);
    for res in &r {
        let texts: Vec<String> = [Language::Fr, Language::En, Language::De]
            .into_iter()
            .flat_map(|l| [res.why(l), res.fix(l), res.rule.title(l).to_owned()])
            .collect();
        assert!(texts.iter().all(|t| !t.is_empty()));
        assert_ne!(texts[0], texts[3], "French and English differ");
    }
}

#[test]
fn the_rule_set_reads_from_toml_and_refuses_unknown_keys() {
    let r: RuleSet = toml_like(
        r#"{"amount_above": {"severity": "block", "threshold": "20000"}, "duplicate": {"severity": "off"}}"#,
    )
    .unwrap();
    assert_eq!(r.amount_above.threshold, dec!(20000));
    assert_eq!(r.amount_above.severity, Severity::Block);
    assert_eq!(r.duplicate.severity, Severity::Off);
    assert_eq!(r.unusual_amount, RuleSet::default().unusual_amount);
    let e = toml_like(r#"{"amount_abov": {}}"#).unwrap_err();
    assert!(e.to_string().contains("amount_abov"), "{e}");
}

fn toml_like(json: &str) -> Result<RuleSet, serde_json::Error> {
    serde_json::from_str(json)
}

proptest! {
    #[test]
    fn the_median_lies_between_min_and_max(v in proptest::collection::vec(0i64..1_000_000, 1..30)) {
        let d: Vec<Decimal> = v.iter().map(|x| Decimal::from(*x)).collect();
        let m = checks::median(&d).unwrap();
        prop_assert!(m >= *d.iter().min().unwrap() && m <= *d.iter().max().unwrap());
    }

    #[test]
    fn a_rule_that_is_off_never_fires(qty in 1i64..2000, hist in proptest::collection::vec(1i64..100_000, 0..15)) {
        let mut f = Facts::new();
        f.history = hist.into_iter().map(eur).collect();
        let mut rules = RuleSet::default();
        rules.amount_above.severity = Severity::Off;
        rules.unusual_amount.severity = Severity::Off;
        prop_assert!(f.run(&rules, &Draft::hours(qty)).is_empty());
    }
}
