//! Time entries from their sources, on every backend: upserts follow unbilled entries,
//! flag billed ones, and an entry is attached to at most one invoice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use encaisse_core::invoice::{DocumentKind, Invoice, InvoiceStatus};
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Client, Country, LegalIds, Organization, PaymentTerms};
use encaisse_core::time_entry::{Project, TimeSource};
use encaisse_core::{Currency, Money};
use encaisse_store::testing::TestDb;
use encaisse_store::time_sync::{SourceEntry, UpsertOutcome};
use encaisse_store::{Store, StoreError};
use uuid::Uuid;

async fn seeded(store: &Store) -> (Uuid, Uuid, Vec<Uuid>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let (i, c) = Organization::default_numbering();
    let address = Address {
        street: None,
        building_number: None,
        postal_code: "75001".into(),
        city: "Paris".into(),
        country: Country::FR,
    };
    let org = Organization {
        id: Uuid::now_v7(),
        slug: format!("o{}", Uuid::new_v4().simple()),
        legal_name: "O".into(),
        ids: LegalIds::default(),
        address: address.clone(),
        iban: None,
        qr_iban: None,
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms::default(),
        invoice_numbering: i,
        credit_note_numbering: c,
    };
    let client = Client {
        id: Uuid::now_v7(),
        organization_id: org.id,
        name: "C".into(),
        ids: LegalIds::default(),
        address,
        email: None,
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms::default(),
        requires_purchase_order: false,
    };
    let project = Project {
        id: Uuid::now_v7(),
        organization_id: org.id,
        client_id: client.id,
        name: "P".into(),
        hourly_rate: None,
        external_id: None,
    };
    let mut invoices = Vec::new();
    let mut tx = store.write().await.unwrap();
    tx.insert_organization(&org, now).await.unwrap();
    tx.insert_client(&client, None, now).await.unwrap();
    tx.insert_project(&project, now).await.unwrap();
    for _ in 0..2 {
        let inv = Invoice {
            id: Uuid::now_v7(),
            organization_id: org.id,
            client_id: client.id,
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
            lines: vec![],
            corrects: None,
            payment_reference: None,
            paid: Money::zero(Currency::EUR),
        };
        let totals = inv.totals().unwrap();
        tx.insert_invoice(&inv, &totals, None, now).await.unwrap();
        invoices.push(inv.id);
    }
    tx.commit().await.unwrap();
    (org.id, project.id, invoices)
}

fn entry(org: Uuid, project: Uuid, ext: &str, description: &str) -> SourceEntry {
    SourceEntry {
        organization_id: org,
        project_id: project,
        source: TimeSource::Clockify,
        external_id: ext.into(),
        user_name: "Ana".into(),
        user_ref: Some("u1".into()),
        task_name: None,
        task_ref: None,
        description: description.into(),
        started_at: Utc.with_ymd_and_hms(2026, 10, 5, 8, 0, 0).unwrap(),
        duration_seconds: 3600,
        billable: true,
        hourly_rate: Some(Money::from_minor(9500, Currency::EUR)),
        invoiced_at_source: false,
    }
}

#[tokio::test]
async fn upserts_follow_unbilled_entries_and_flag_billed_ones() {
    for db in TestDb::all().await.unwrap() {
        let (org, project, invoices) = seeded(&db.store).await;
        let now = Utc::now();
        let mut tx = db.store.write().await.unwrap();
        assert_eq!(
            tx.upsert_source_entry(&entry(org, project, "a", "x"), now)
                .await
                .unwrap(),
            UpsertOutcome::Inserted
        );
        assert_eq!(
            tx.upsert_source_entry(&entry(org, project, "a", "x"), now)
                .await
                .unwrap(),
            UpsertOutcome::Unchanged
        );
        assert_eq!(
            tx.upsert_source_entry(&entry(org, project, "a", "y"), now)
                .await
                .unwrap(),
            UpsertOutcome::Updated
        );
        tx.upsert_source_entry(&entry(org, project, "b", "x"), now)
            .await
            .unwrap();
        let a = tx
            .source_entry(org, TimeSource::Clockify, "a")
            .await
            .unwrap()
            .unwrap()
            .id;
        let b = tx
            .source_entry(org, TimeSource::Clockify, "b")
            .await
            .unwrap()
            .unwrap()
            .id;
        tx.attach_entries(org, invoices[0], &[a]).await.unwrap();
        // Billed: a change at the source flags, never alters.
        assert_eq!(
            tx.upsert_source_entry(&entry(org, project, "a", "z"), now)
                .await
                .unwrap(),
            UpsertOutcome::FlaggedForReview
        );
        let review = tx.entries_to_review(org).await.unwrap();
        assert_eq!((review.len(), review[0].description.as_str()), (1, "y"));
        tx.commit().await.unwrap();

        // An entry on one invoice is refused on another, and the refusal attaches nothing.
        let mut tx = db.store.write().await.unwrap();
        let e = tx
            .attach_entries_to_invoices(org, vec![(b, invoices[1]), (a, invoices[1])])
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Conflict(ref m) if m.contains("1 of 2")),
            "{e}"
        );
        tx.rollback().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let billed = tx.invoiced_entries(org, invoices[1]).await.unwrap();
        assert!(billed.is_empty());
        tx.commit().await.unwrap();
        // Deleted at the source: the unbilled one is gone from billing, the billed one flagged.
        let mut tx = db.store.write().await.unwrap();
        assert!(!tx.mark_deleted_at_source(org, b, now).await.unwrap());
        assert!(tx.mark_deleted_at_source(org, a, now).await.unwrap());
        let from = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let mut seen = 0;
        tx.each_billable_entry(org, from, to, None, |_| {
            seen += 1;
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(seen, 0);
        assert_eq!(tx.release_entries(org, invoices[0], None).await.unwrap(), 1);
        tx.commit().await.unwrap();
    }
}
