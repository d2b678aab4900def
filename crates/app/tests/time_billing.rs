//! Hours to drafts through the use cases, on every backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{HashMap, HashSet};

use encaisse_app::AppError;
use encaisse_app::billing::{BillingPeriod, DraftRun};
use encaisse_app::draft_edits::LineEdit;
use encaisse_app::invoices::{DraftLine, DraftRequest};
use encaisse_core::Currency;
use encaisse_core::party::Country;
use encaisse_core::vat::VatCategory;
use encaisse_store::billing_terms::StoredTerms;
use encaisse_store::invoices::InvoiceFilter;
use encaisse_store::testing::TestDb;
use rust_decimal_macros::dec;
use support::*;
use uuid::Uuid;

fn october(dry_run: bool) -> DraftRun {
    DraftRun {
        period: BillingPeriod::parse("2026-10").unwrap(),
        client_id: None,
        dry_run,
    }
}

#[tokio::test]
async fn drafting_twice_creates_nothing_new_and_no_entry_is_on_two_invoices() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor, _) = french_app(&db).await;
        let a = client(
            &app,
            &actor,
            "Boulangerie Lefèvre",
            Country::FR,
            None,
            Currency::EUR,
        )
        .await;
        let b = client(
            &app,
            &actor,
            "Transports Mercier",
            Country::FR,
            None,
            Currency::EUR,
        )
        .await;
        let pa = project(&app, &actor, a, "Refonte", Some(eur(95))).await;
        let pb = project(&app, &actor, b, "Support", Some(eur(80))).await;
        let mut ids = Vec::new();
        for d in 1..=10 {
            ids.push(entry(&app, &actor, pa, oct(d, 8), 90, true).await);
            ids.push(entry(&app, &actor, pb, oct(d + 10, 8), 60, true).await);
        }
        let off = entry(&app, &actor, pa, oct(20, 8), 30, false).await;
        let november = entry(&app, &actor, pa, support::now(), 30, true).await;

        let preview = app.draft_invoices(&actor, &october(true)).await.unwrap();
        assert_eq!(
            app.list_invoices(
                &actor,
                &InvoiceFilter {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .len(),
            0,
            "a dry run writes nothing"
        );
        let first = app.draft_invoices(&actor, &october(false)).await.unwrap();
        assert_eq!(first.drafts.len(), 2);
        assert_eq!(
            preview
                .drafts
                .iter()
                .map(|d| (&d.client, &d.gross, d.hours))
                .collect::<Vec<_>>(),
            first
                .drafts
                .iter()
                .map(|d| (&d.client, &d.gross, d.hours))
                .collect::<Vec<_>>(),
            "the dry run shows what the real run does"
        );
        let lef = first.drafts.iter().find(|d| d.client_id == a).unwrap();
        assert_eq!(
            (
                lef.hours,
                lef.net.as_str(),
                lef.vat.as_str(),
                lef.gross.as_str()
            ),
            (dec!(15), "1425.00", "285.00", "1710.00")
        );
        assert_eq!(first.skipped.get("not_billable"), Some(&1));

        let second = app.draft_invoices(&actor, &october(false)).await.unwrap();
        assert!(second.drafts.is_empty(), "{:?}", second.drafts);
        assert_eq!(
            app.list_invoices(
                &actor,
                &InvoiceFilter {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .len(),
            2
        );

        let states = billed(&app, &actor).await;
        assert!(ids.iter().all(|i| states[i].is_some()));
        assert_eq!(states[&off], None, "non-billable entries stay off invoices");
        assert_eq!(states[&november], None, "other periods are not touched");
        // Each entry on exactly one line of exactly one invoice.
        let mut seen = HashSet::new();
        for d in &first.drafts {
            let inv = app
                .invoice_detail(&actor, d.invoice_id.unwrap())
                .await
                .unwrap()
                .invoice;
            assert_eq!(inv.notes, None);
            for l in &inv.lines {
                assert_eq!(l.unit.0, "HUR");
                for id in &l.time_entry_ids {
                    assert!(seen.insert(*id));
                    assert_eq!(states[id], Some(inv.id));
                }
            }
        }
        assert_eq!(seen.len(), ids.len());
        // A billed entry cannot be put on another invoice by hand.
        let e = app
            .create_draft(
                &actor,
                DraftRequest {
                    client_id: a,
                    currency: None,
                    lines: vec![DraftLine {
                        description: "again".into(),
                        quantity: dec!(1),
                        unit: Some("HUR".into()),
                        unit_price: dec!(95),
                        discount_percent: None,
                        vat_category: "S".into(),
                        vat_percent: dec!(20),
                        time_entry_ids: vec![ids[0]],
                    }],
                    service_period: None,
                    buyer_reference: None,
                    purchase_order: None,
                    notes: None,
                    external_ref: None,
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Conflict(ref m) if m.contains("already on an invoice")),
            "{e}"
        );
        // A late entry of the period joins the period's draft, still editable.
        let late = entry(&app, &actor, pa, oct(28, 8), 60, true).await;
        let third = app.draft_invoices(&actor, &october(false)).await.unwrap();
        assert_eq!(third.drafts.len(), 1);
        assert_eq!(
            (third.drafts[0].outcome.as_str(), third.drafts[0].invoice_id),
            ("merged", lef.invoice_id)
        );
        assert_eq!(billed(&app, &actor).await[&late], lef.invoice_id);
        for r in app.verify_audit().await.unwrap() {
            assert_eq!(r.broken, None);
        }
    }
}

#[tokio::test]
async fn deleting_a_draft_releases_its_entries_and_editing_keeps_them_consistent() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor, _) = french_app(&db).await;
        let a = client(
            &app,
            &actor,
            "Cabinet Girard",
            Country::FR,
            None,
            Currency::EUR,
        )
        .await;
        let p1 = project(&app, &actor, a, "Audit", Some(eur(140))).await;
        let p2 = project(&app, &actor, a, "Maintenance", Some(eur(85))).await;
        let e1 = entry(&app, &actor, p1, oct(5, 9), 120, true).await;
        let e2 = entry(&app, &actor, p2, oct(6, 9), 60, true).await;
        let r = app.draft_invoices(&actor, &october(false)).await.unwrap();
        let id = r.drafts[0].invoice_id.unwrap();
        let inv = app.invoice_detail(&actor, id).await.unwrap().invoice;
        assert_eq!(inv.lines.len(), 2);

        // Remove the Maintenance line: its entry is released, the other stays.
        let maintenance = inv
            .lines
            .iter()
            .position(|l| l.description.starts_with("Maintenance"))
            .unwrap();
        let edited = app
            .edit_draft(
                &actor,
                id,
                &[
                    LineEdit::Remove { index: maintenance },
                    LineEdit::Update {
                        index: 0,
                        description: None,
                        quantity: None,
                        unit_price: Some(dec!(150)),
                        discount_percent: None,
                    },
                    LineEdit::Discount { percent: dec!(10) },
                ],
            )
            .await
            .unwrap();
        assert_eq!(edited.lines.len(), 1);
        assert_eq!(
            (edited.lines[0].unit_price, edited.lines[0].discount_percent),
            (dec!(150), dec!(10))
        );
        let states = billed(&app, &actor).await;
        assert_eq!((states[&e1], states[&e2]), (Some(id), None));
        let detail = app.invoice_detail(&actor, id).await.unwrap();
        assert_eq!(detail.totals.tax_exclusive.amount(), dec!(270.00));
        // Bad edits change nothing.
        let e = app
            .edit_draft(&actor, id, &[LineEdit::Remove { index: 7 }])
            .await
            .unwrap_err();
        assert!(e.to_string().contains("indices start at 0"), "{e}");
        let e = app
            .edit_draft(
                &actor,
                id,
                &[LineEdit::Update {
                    index: 0,
                    description: None,
                    quantity: Some(dec!(-1)),
                    unit_price: None,
                    discount_percent: None,
                }],
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid { ref field, .. } if field == "edits[0].quantity"),
            "{e:?}"
        );
        // Adding the released entry back on a new line bills it again.
        app.edit_draft(
            &actor,
            id,
            &[LineEdit::Add {
                line: DraftLine {
                    description: "Maintenance".into(),
                    quantity: dec!(1),
                    unit: Some("HUR".into()),
                    unit_price: dec!(85),
                    discount_percent: None,
                    vat_category: "S".into(),
                    vat_percent: dec!(20),
                    time_entry_ids: vec![e2],
                },
            }],
        )
        .await
        .unwrap();
        assert_eq!(billed(&app, &actor).await[&e2], Some(id));

        let released = app.delete_draft(&actor, id).await.unwrap();
        assert_eq!(released, 2);
        let states = billed(&app, &actor).await;
        assert_eq!((states[&e1], states[&e2]), (None, None));
        assert!(matches!(
            app.invoice_detail(&actor, id).await,
            Err(AppError::NotFound { .. })
        ));
        // Released entries are billed by the next run.
        let again = app.draft_invoices(&actor, &october(false)).await.unwrap();
        assert_eq!(again.drafts[0].entries, 2);
        assert_ne!(again.drafts[0].invoice_id, Some(id));
        let history = app
            .invoice_history(&actor, again.drafts[0].invoice_id.unwrap())
            .await
            .unwrap();
        assert_eq!(history[0].action, "invoice.drafted_from_time");
    }
}

#[tokio::test]
async fn vat_is_decided_by_client_fr_ae_g_and_swiss() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor, _) = french_app(&db).await;
        let fr = client(&app, &actor, "Client FR", Country::FR, None, Currency::EUR).await;
        let de = client(
            &app,
            &actor,
            "Client DE",
            Country::DE,
            Some("DE123456789"),
            Currency::EUR,
        )
        .await;
        let be = client(
            &app,
            &actor,
            "Client BE sans TVA",
            Country::BE,
            None,
            Currency::EUR,
        )
        .await;
        let us = client(
            &app,
            &actor,
            "Client US",
            encaisse_core::party::Country::parse("US").unwrap(),
            None,
            Currency::EUR,
        )
        .await;
        for (c, n) in [(fr, "fr"), (de, "de"), (be, "be"), (us, "us")] {
            let p = project(&app, &actor, c, &format!("P {n}"), Some(eur(100))).await;
            entry(&app, &actor, p, oct(7, 9), 60, true).await;
        }
        let r = app.draft_invoices(&actor, &october(false)).await.unwrap();
        let cat = |c: Uuid| {
            r.drafts
                .iter()
                .find(|d| d.client_id == c)
                .map(|d| d.invoice_id.unwrap())
        };
        let detail = |id| app.invoice_detail(&actor, id);
        let fr_inv = detail(cat(fr).unwrap()).await.unwrap();
        assert_eq!(
            fr_inv.invoice.lines[0].vat.category(),
            VatCategory::Standard
        );
        assert_eq!(fr_inv.invoice.lines[0].vat.percent(), dec!(20));
        let de_inv = detail(cat(de).unwrap()).await.unwrap();
        assert_eq!(
            de_inv.invoice.lines[0].vat.category(),
            VatCategory::ReverseCharge
        );
        assert!(
            de_inv
                .invoice
                .notes
                .as_deref()
                .unwrap()
                .contains("Autoliquidation")
        );
        assert_eq!(de_inv.totals.vat_total.amount(), dec!(0));
        let us_inv = detail(cat(us).unwrap()).await.unwrap();
        assert_eq!(us_inv.invoice.lines[0].vat.category(), VatCategory::Export);
        assert!(us_inv.invoice.notes.as_deref().unwrap().contains("262 I"));
        assert_eq!(
            cat(be),
            None,
            "reverse charge without the buyer's VAT id is refused"
        );
        assert_eq!(r.blocked.len(), 1);
        assert!(
            r.blocked[0].reason.contains("VAT number")
                && r.blocked[0].client == "Client BE sans TVA",
            "{:?}",
            r.blocked
        );

        let ch = swiss_org(&app).await;
        let zurich = client(
            &app,
            &ch,
            "Zürcher Kunde AG",
            Country::CH,
            None,
            Currency::CHF,
        )
        .await;
        let p = project(
            &app,
            &ch,
            zurich,
            "ERP",
            Some(encaisse_core::Money::new(dec!(160), Currency::CHF)),
        )
        .await;
        entry(&app, &ch, p, oct(9, 9), 120, true).await;
        let r = app.draft_invoices(&ch, &october(false)).await.unwrap();
        let d = app
            .invoice_detail(&ch, r.drafts[0].invoice_id.unwrap())
            .await
            .unwrap();
        assert_eq!(
            (d.invoice.currency, d.invoice.lines[0].vat.percent()),
            (Currency::CHF, dec!(8.1))
        );
        assert_eq!(
            (d.totals.tax_exclusive.amount(), d.totals.vat_total.amount()),
            (dec!(320.00), dec!(25.92))
        );
    }
}

#[tokio::test]
async fn terms_round_group_discount_and_fixed_fees_bill_by_milestone() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor, _) = french_app(&db).await;
        let c = client(
            &app,
            &actor,
            "Éditions Lambert",
            Country::FR,
            None,
            Currency::EUR,
        )
        .await;
        let hourly = project(&app, &actor, c, "Site", None).await;
        let fixed = project(&app, &actor, c, "Forfait", None).await;
        // No rate anywhere: skipped, named.
        entry(&app, &actor, hourly, oct(1, 9), 7, true).await;
        let r = app.draft_invoices(&actor, &october(true)).await.unwrap();
        assert_eq!(r.skipped.get("no_rate"), Some(&1));
        // Organization default rate, client rounding per entry to 15 min, minimum 15, 5 % off.
        app.set_billing_terms(
            &actor,
            None,
            &StoredTerms {
                hourly_rate: Some(eur(100)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        app.set_billing_terms(
            &actor,
            Some(c),
            &StoredTerms {
                rounding_minutes: Some(15),
                rounding_scope: Some("entry".into()),
                minimum_minutes: Some(15),
                discount_percent: Some(dec!(5)),
                line_grouping: Some("user".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(
            app.set_billing_terms(
                &actor,
                Some(c),
                &StoredTerms {
                    rounding_minutes: Some(7),
                    ..Default::default()
                }
            )
            .await
            .is_err()
        );
        entry(&app, &actor, hourly, oct(2, 9), 16, true).await;
        app.set_project_billing(&actor, fixed, None, "fixed_fee")
            .await
            .unwrap();
        let carried = entry(&app, &actor, fixed, oct(3, 9), 240, true).await;
        let r = app.draft_invoices(&actor, &october(true)).await.unwrap();
        assert_eq!(
            r.waiting_for_milestone, 1,
            "no milestone yet: the fixed-fee hours wait"
        );
        assert_eq!(r.drafts[0].hours, dec!(0.75), "7 min → 15, 16 min → 30");
        app.add_milestone(&actor, fixed, "Lot 1", eur(3000), Some(day(2026, 10, 31)))
            .await
            .unwrap();
        let r = app.draft_invoices(&actor, &october(false)).await.unwrap();
        assert_eq!(r.waiting_for_milestone, 0);
        let d = app
            .invoice_detail(&actor, r.drafts[0].invoice_id.unwrap())
            .await
            .unwrap();
        let ms = d.invoice.lines.iter().find(|l| l.unit.0 == "C62").unwrap();
        assert_eq!(
            (ms.unit_price, ms.time_entry_ids.clone()),
            (dec!(3000), vec![carried])
        );
        assert!(
            d.invoice
                .lines
                .iter()
                .all(|l| l.discount_percent == dec!(5))
        );
        assert!(
            d.invoice
                .lines
                .iter()
                .any(|l| l.description.contains("Camille")),
            "grouped by user"
        );
        // (0.75 h × 100 + 3000) × 0.95 = 2921.25
        assert_eq!(d.totals.tax_exclusive.amount(), dec!(2921.25));
        // Deleting the draft releases the milestone too: the next run bills it again.
        app.delete_draft(&actor, d.invoice.id).await.unwrap();
        let r = app.draft_invoices(&actor, &october(true)).await.unwrap();
        assert_eq!(r.drafts[0].gross, "3505.50");
    }
}

#[tokio::test]
async fn periods_parse_and_name_themselves() {
    let p = BillingPeriod::parse("2026-02").unwrap();
    assert_eq!(
        (p.start, p.end, p.key()),
        (day(2026, 2, 1), day(2026, 2, 28), "2026-02".to_owned())
    );
    let r = BillingPeriod::parse("2026-10-01..2026-10-15").unwrap();
    assert_eq!(r.key(), "2026-10-01..2026-10-15");
    for bad in ["2026", "2026-13", "oct", "2026-10-15..2026-10-01"] {
        assert!(BillingPeriod::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        BillingPeriod::month_before(day(2026, 1, 15)).unwrap().key(),
        "2025-12"
    );
    let _: HashMap<u8, u8> = HashMap::new();
}
