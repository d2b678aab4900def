//! Bank accounts, transactions (one row, several keys), allocations, facts and alerts, on
//! every backend.

// Amounts in minor units are written euros_cents (`1_200_00` is 1200.00), as accountants read them.
#![allow(clippy::inconsistent_digit_grouping)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Client, Country, LegalIds, Organization, PaymentTerms};
use encaisse_core::{Currency, Money};
use encaisse_store::alerts::NewAlert;
use encaisse_store::bank::{BankBalance, BankTransactionFilter, NewBankTransaction};
use encaisse_store::reconciliation::FactRecord;
use encaisse_store::testing::TestDb;
use encaisse_store::{Store, Tx};
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

async fn seeded(store: &Store) -> (Uuid, Uuid) {
    let (i, c) = Organization::default_numbering();
    let org = Organization {
        id: Uuid::now_v7(),
        slug: "octet".into(),
        legal_name: "Octet SAS".into(),
        ids: LegalIds::default(),
        address: Address {
            street: None,
            building_number: None,
            postal_code: "75002".into(),
            city: "Paris".into(),
            country: Country::FR,
        },
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
        name: "Dupont".into(),
        ids: LegalIds::default(),
        address: org.address.clone(),
        email: None,
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms { days: 30 },
        requires_purchase_order: false,
    };
    let mut tx = store.write().await.unwrap();
    tx.insert_organization(&org, t0()).await.unwrap();
    tx.insert_client(&client, None, t0()).await.unwrap();
    tx.commit().await.unwrap();
    (org.id, client.id)
}

fn txn(org: Uuid, account: Uuid, key: &str, amount: i64, d: u32) -> NewBankTransaction {
    NewBankTransaction {
        organization_id: org,
        account_id: account,
        dedup_key: key.into(),
        source: "file:camt.053".into(),
        bank_reference: format!("REF-{key}"),
        booking_date: day(d),
        value_date: Some(day(d)),
        amount: eur(amount),
        status: "booked".into(),
        is_reversal: false,
        counterparty_name: Some("DUPONT".into()),
        counterparty_iban: Some("FR1420041010050500013M02606".into()),
        counterparty_account: None,
        ultimate_counterparty_name: None,
        remittance: Some("Facture F-1".into()),
        structured_reference: None,
        end_to_end_id: None,
        additional_info: None,
        bank_transaction_code: Some("PMNT/RCDT/ESCT".into()),
        raw_json: "{}".into(),
        reconciliation: if amount > 0 { "unmatched" } else { "ignored" }.into(),
    }
}

async fn write(store: &Store) -> Tx {
    store.write().await.unwrap()
}

#[tokio::test]
async fn a_movement_is_one_row_found_by_any_of_its_keys() {
    for db in TestDb::all().await.unwrap() {
        let (org, _) = seeded(&db.store).await;
        let mut tx = write(&db.store).await;
        let (acc, created) = tx
            .upsert_bank_account(
                org,
                "FR7630006000011234567890189",
                Some("FR7630006000011234567890189"),
                Currency::EUR,
                "Main",
                t0(),
            )
            .await
            .unwrap();
        assert!(created);
        let (again, created) = tx
            .upsert_bank_account(
                org,
                "FR7630006000011234567890189",
                None,
                Currency::EUR,
                "Other",
                t0(),
            )
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(again.id, acc.id);
        let id = tx
            .insert_bank_transaction(&txn(org, acc.id, "k1", 100_00, 3), t0())
            .await
            .unwrap();
        tx.insert_bank_transaction(&txn(org, acc.id, "k2", -30_00, 3), t0())
            .await
            .unwrap();
        assert!(
            tx.insert_bank_transaction_key(org, "qonto:abc", id, "api:qonto", t0())
                .await
                .unwrap()
        );
        assert!(
            !tx.insert_bank_transaction_key(org, "qonto:abc", id, "api:qonto", t0())
                .await
                .unwrap()
        );
        assert_eq!(
            tx.bank_transaction_id_by_key(org, "k1").await.unwrap(),
            Some(id)
        );
        assert_eq!(
            tx.bank_transaction_id_by_key(org, "qonto:abc")
                .await
                .unwrap(),
            Some(id)
        );
        assert_eq!(
            tx.bank_transaction_id_by_key(Uuid::now_v7(), "k1")
                .await
                .unwrap(),
            None,
            "scoped"
        );
        let fp = tx
            .bank_transactions_with_fingerprint(org, acc.id, day(3), &eur(100_00))
            .await
            .unwrap();
        assert_eq!(fp.len(), 1);
        assert_eq!(
            fp[0].key_sources,
            vec!["api:qonto".to_owned(), "file:camt.053".to_owned()]
        );
        // A duplicate key is refused by the database itself.
        assert!(
            tx.insert_bank_transaction(&txn(org, acc.id, "k1", 5_00, 4), t0())
                .await
                .is_err()
        );
        tx.rollback().await.unwrap();

        let mut tx = write(&db.store).await;
        let (acc, _) = tx
            .upsert_bank_account(org, "FR76", None, Currency::EUR, "Main", t0())
            .await
            .unwrap();
        let id = tx
            .insert_bank_transaction(&txn(org, acc.id, "k1", 100_00, 3), t0())
            .await
            .unwrap();
        tx.insert_bank_transaction(&txn(org, acc.id, "k2", -30_00, 5), t0())
            .await
            .unwrap();
        tx.set_bank_transaction_status(org, id, "reversed", t0())
            .await
            .unwrap();
        tx.insert_bank_balance(
            org,
            &BankBalance {
                account_id: acc.id,
                kind: "closing".into(),
                date: day(2),
                amount: eur(1_000_00),
                source: "file".into(),
            },
            t0(),
        )
        .await
        .unwrap();
        assert!(
            !tx.insert_bank_balance(
                org,
                &BankBalance {
                    account_id: acc.id,
                    kind: "closing".into(),
                    date: day(2),
                    amount: eur(9_00),
                    source: "file".into()
                },
                t0()
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let stored = tx.bank_transaction(org, id).await.unwrap();
        assert_eq!(
            (stored.status.as_str(), stored.amount),
            ("reversed", eur(100_00))
        );
        assert_eq!(
            tx.bank_transactions_to_reconcile(org).await.unwrap().len(),
            1,
            "credits only"
        );
        let listed = tx
            .bank_transactions(
                org,
                &BankTransactionFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);
        let balances = tx.latest_bank_balances(org).await.unwrap();
        assert_eq!(balances[0].amount, eur(1_000_00));
        // Only booked movements after the balance date count (the reversed credit does not).
        assert_eq!(
            tx.bank_movements_after(org, acc.id, day(2)).await.unwrap(),
            (-30_00, 1)
        );
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn facts_and_alerts_are_stored_once() {
    for db in TestDb::all().await.unwrap() {
        let (org, client) = seeded(&db.store).await;
        let mut tx = write(&db.store).await;
        let fact = FactRecord {
            kind: "iban_of".into(),
            subject: "FR1420041010050500013M02606".into(),
            client_id: client,
        };
        assert!(
            tx.insert_reconciliation_fact(org, &fact, "t", t0())
                .await
                .unwrap()
        );
        assert!(
            !tx.insert_reconciliation_fact(org, &fact, "t", t0())
                .await
                .unwrap()
        );
        assert_eq!(
            tx.reconciliation_facts(org).await.unwrap(),
            vec![fact.clone()]
        );
        tx.delete_reconciliation_fact(org, &fact).await.unwrap();
        assert!(tx.reconciliation_facts(org).await.unwrap().is_empty());
        let alert = NewAlert {
            organization_id: org,
            kind: "overdue_30",
            unique_key: "overdue_30:x",
            invoice_id: None,
            account_id: None,
            amount: Some(eur(12_34)),
            message: "late",
            as_of: day(2),
        };
        assert!(tx.insert_alert(&alert, t0()).await.unwrap());
        assert!(!tx.insert_alert(&alert, t0()).await.unwrap());
        let alerts = tx.alerts(org, false, 10).await.unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].amount, Some(eur(12_34)));
        assert_eq!(tx.delete_alert(org, "overdue_30:x").await.unwrap(), 1);
        tx.commit().await.unwrap();
    }
}
