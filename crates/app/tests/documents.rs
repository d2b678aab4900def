//! Issued invoices as legal documents: rendered and stored in the issuing transaction,
//! served byte-identical, hashes in the audit chain; refusals that consume no number; draft
//! previews; credit notes; the accounting exports. On every backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use encaisse_app::App;
use encaisse_app::AppError;
use encaisse_app::auth::Actor;
use encaisse_app::clock::FixedClock;
use encaisse_app::config::Config;
use encaisse_app::documents::IssuedDocument;
use encaisse_app::exports::CsvFormat;
use encaisse_app::invoices::{DraftLine, DraftRequest};
use encaisse_app::setup::InitRequest;
use encaisse_core::identifiers::{Siren, VatId};
use encaisse_core::invoice::InvoiceStatus;
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Client, Country, LegalIds, PaymentTerms};
use encaisse_core::role::Role;
use encaisse_core::{Currency, Money};
use encaisse_store::testing::TestDb;
use rust_decimal_macros::dec;
use sha2::{Digest, Sha256};
use uuid::Uuid;

const IBAN: &str = "FR7630006000011234567890189";

/// A French organization with SIREN, VAT number and IBAN, and its owner.
async fn french(db: &TestDb) -> (App, Actor) {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap(),
    ));
    let app = App::new(db.store.clone(), Config::default(), clock);
    let init = app
        .init(InitRequest {
            org_name: "Octet Conseil SAS".into(),
            country: Country::FR,
            currency: Currency::EUR,
            owner_email: "owner@demo.test".into(),
            owner_password: "correct horse battery".into(),
        })
        .await
        .unwrap();
    db.store
        .execute_raw(&format!(
            "UPDATE organizations SET vat_id = 'FR40303265045', siren = '303265045', iban = '{IBAN}' WHERE id = '{}'",
            init.organization.id
        ))
        .await
        .unwrap();
    let actor = Actor {
        user_id: Some(init.owner.id),
        label: "owner@demo.test".into(),
        organization_id: init.organization.id,
        role: Role::Owner,
    };
    (app, actor)
}

async fn client(app: &App, actor: &Actor, country: Country, address: Address) -> Uuid {
    let c = Client {
        id: Uuid::now_v7(),
        organization_id: actor.organization_id,
        name: format!("Client {}", &Uuid::new_v4().simple().to_string()[..8]),
        ids: LegalIds {
            siren: (country == Country::FR).then(|| Siren::parse("732829320").unwrap()),
            vat_id: Some(
                VatId::parse(if country == Country::CH {
                    "CHE-116.281.710 MWST"
                } else {
                    "FR44732829320"
                })
                .unwrap(),
            ),
            ..Default::default()
        },
        address,
        email: Some("compta@client.test".into()),
        language: Language::Fr,
        currency: if country == Country::CH {
            Currency::CHF
        } else {
            Currency::EUR
        },
        terms: PaymentTerms { days: 30 },
        requires_purchase_order: false,
    };
    let mut tx = app.store.write().await.unwrap();
    tx.insert_client(&c, None, app.now()).await.unwrap();
    tx.commit().await.unwrap();
    c.id
}

fn lyon() -> Address {
    Address {
        street: Some("Rue Neuve".into()),
        building_number: Some("3".into()),
        postal_code: "69001".into(),
        city: "Lyon".into(),
        country: Country::FR,
    }
}

fn line(pct: rust_decimal::Decimal) -> DraftLine {
    DraftLine {
        description: "Développement — octobre 2026".into(),
        quantity: dec!(12.5),
        unit: Some("HUR".into()),
        unit_price: dec!(95),
        discount_percent: None,
        vat_category: "S".into(),
        vat_percent: pct,
        time_entry_ids: vec![],
    }
}

async fn draft(app: &App, actor: &Actor, client_id: Uuid, pct: rust_decimal::Decimal) -> Uuid {
    app.create_draft(
        actor,
        DraftRequest {
            client_id,
            currency: None,
            lines: vec![line(pct)],
            service_period: None,
            buyer_reference: None,
            purchase_order: Some("PO-4711".into()),
            notes: None,
            external_ref: None,
        },
    )
    .await
    .unwrap()
    .id
}

async fn approve(app: &App, actor: &Actor, id: Uuid) {
    app.submit_invoice(actor, id).await.unwrap();
    let approver = Actor::system(actor.organization_id, "test-approver");
    app.approve_invoice(&approver, id).await.unwrap();
}

async fn approved(app: &App, actor: &Actor, client_id: Uuid) -> Uuid {
    let id = draft(app, actor, client_id, dec!(20)).await;
    approve(app, actor, id).await;
    id
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn field_of(e: &AppError) -> String {
    match e {
        AppError::Invalid { field, .. } => field.clone(),
        other => panic!("expected a refusal naming a field, got {other}"),
    }
}

#[tokio::test]
async fn issuing_stores_the_documents_and_serves_them_byte_identical() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = french(&db).await;
        let c = client(&app, &actor, Country::FR, lyon()).await;
        let id = approved(&app, &actor, c).await;
        let inv = app.issue_invoice(&actor, id, day(20)).await.unwrap();
        let number = inv.number.clone().unwrap();

        let detail = app.invoice_detail(&actor, id).await.unwrap();
        let kinds: Vec<&str> = detail.documents.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(kinds, ["cii_xml", "facturx_pdf", "ubl_xml"], "{kinds:?}");

        let pdf = app
            .stored_document(&actor, id, IssuedDocument::FacturxPdf)
            .await
            .unwrap();
        assert!(pdf.bytes.starts_with(b"%PDF-"));
        assert_eq!(pdf.info.sha256, hex::encode(Sha256::digest(&pdf.bytes)));
        assert_eq!(pdf.info.file_name, format!("{number}.pdf"));
        let cii = app
            .stored_document(&actor, id, IssuedDocument::CiiXml)
            .await
            .unwrap();
        let cii_text = String::from_utf8(cii.bytes.clone()).unwrap();
        assert!(cii_text.contains(&number) && cii_text.contains("urn:cen.eu:en16931:2017"));
        let ubl = app
            .stored_document(&actor, id, IssuedDocument::UblXml)
            .await
            .unwrap();
        assert!(String::from_utf8(ubl.bytes).unwrap().contains("<cbc:ID>"));

        // The issue event carries each document's SHA-256.
        let events = app.invoice_history(&actor, id).await.unwrap();
        let issued = events
            .iter()
            .find(|e| e.action == "invoice.issued")
            .unwrap();
        let after: serde_json::Value =
            serde_json::from_str(issued.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["documents"]["facturx_pdf"], pdf.info.sha256.as_str());
        assert_eq!(after["documents"]["cii_xml"], cii.info.sha256.as_str());

        // Changing what the documents are made of later changes nothing that was issued.
        db.store
            .execute_raw(&format!(
                "UPDATE organizations SET legal_name = 'Renamed SAS', city = 'Lille' WHERE id = '{}'",
                actor.organization_id
            ))
            .await
            .unwrap();
        let mut settings = app.document_settings(&actor).await.unwrap();
        settings.legal_form = Some("SARL".into());
        app.update_document_settings(&actor, &settings)
            .await
            .unwrap();
        let again = app
            .stored_document(&actor, id, IssuedDocument::FacturxPdf)
            .await
            .unwrap();
        assert_eq!(
            again.bytes, pdf.bytes,
            "issued documents are never re-rendered"
        );

        // A French EUR invoice has no QR-bill; a draft has no documents yet.
        let e = app
            .stored_document(&actor, id, IssuedDocument::QrBillPdf)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("no Swiss QR-bill"), "{e}");
        let d = draft(&app, &actor, c, dec!(20)).await;
        let e = app
            .stored_document(&actor, d, IssuedDocument::FacturxPdf)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e}");
        assert!(
            app.verify_audit()
                .await
                .unwrap()
                .iter()
                .all(|r| r.broken.is_none())
        );
    }
}

#[tokio::test]
async fn a_refused_document_rolls_the_number_back() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = french(&db).await;
        let c = client(&app, &actor, Country::FR, lyon()).await;
        // A QR-IBAN given as the normal IBAN is only found while rendering, after the
        // number was drawn: the transaction must give the number back.
        db.store
            .execute_raw(&format!(
                "UPDATE organizations SET iban = 'CH4431999123000889012' WHERE id = '{}'",
                actor.organization_id
            ))
            .await
            .unwrap();
        let bad = approved(&app, &actor, c).await;
        let e = app.issue_invoice(&actor, bad, day(20)).await.unwrap_err();
        assert_eq!(field_of(&e), "organization.iban", "{e}");
        assert!(e.to_string().contains("QR-IBAN"), "{e}");
        let still = app.invoice_detail(&actor, bad).await.unwrap();
        assert_eq!(
            (still.invoice.status, still.invoice.number.clone()),
            (InvoiceStatus::Approved, None)
        );
        assert!(still.documents.is_empty());

        db.store
            .execute_raw(&format!(
                "UPDATE organizations SET iban = '{IBAN}' WHERE id = '{}'",
                actor.organization_id
            ))
            .await
            .unwrap();
        let good = approved(&app, &actor, c).await;
        let inv = app.issue_invoice(&actor, good, day(20)).await.unwrap();
        assert_eq!(inv.number.as_deref(), Some("F-2026-00001"));
        // And the refused one, fixed, takes the next number.
        let inv = app.issue_invoice(&actor, bad, day(20)).await.unwrap();
        assert_eq!(inv.number.as_deref(), Some("F-2026-00002"));
    }
}

#[tokio::test]
async fn a_french_seller_without_siren_is_refused_before_numbering() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = french(&db).await;
        let c = client(&app, &actor, Country::FR, lyon()).await;
        db.store
            .execute_raw(&format!(
                "UPDATE organizations SET siren = NULL WHERE id = '{}'",
                actor.organization_id
            ))
            .await
            .unwrap();
        let id = approved(&app, &actor, c).await;
        let e = app.issue_invoice(&actor, id, day(20)).await.unwrap_err();
        assert_eq!(field_of(&e), "organization.siren", "{e}");
        assert!(e.to_string().contains("SIREN"), "{e}");
    }
}

#[tokio::test]
async fn a_swiss_address_that_cannot_be_structured_is_refused() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = french(&db).await;
        // The organization becomes Swiss, with a QR-IBAN: its CHF invoices carry a QR-bill.
        db.store
            .execute_raw(&format!(
                "UPDATE organizations SET country = 'CH', postal_code = '8001', city = 'Zürich', \
                 currency = 'CHF', siren = NULL, uid = 'CHE-116.281.710', vat_id = 'CHE-116.281.710 MWST', \
                 iban = 'CH9300762011623852957', qr_iban = 'CH4431999123000889012' WHERE id = '{}'",
                actor.organization_id
            ))
            .await
            .unwrap();
        let no_town = Address {
            street: Some("Marktgasse".into()),
            building_number: Some("22".into()),
            postal_code: "3011".into(),
            city: "  ".into(),
            country: Country::CH,
        };
        let c = client(&app, &actor, Country::CH, no_town).await;
        let id = draft(&app, &actor, c, dec!(8.1)).await;
        approve(&app, &actor, id).await;
        let e = app.issue_invoice(&actor, id, day(20)).await.unwrap_err();
        assert_eq!(field_of(&e), "client.address", "{e}");
        assert!(e.to_string().contains("QR-bill"), "{e}");

        // With a town, the QR-bill and its slip are stored too.
        let c = client(
            &app,
            &actor,
            Country::CH,
            Address {
                city: "Bern".into(),
                street: Some("Marktgasse".into()),
                building_number: Some("22".into()),
                postal_code: "3011".into(),
                country: Country::CH,
            },
        )
        .await;
        let id = draft(&app, &actor, c, dec!(8.1)).await;
        approve(&app, &actor, id).await;
        let inv = app.issue_invoice(&actor, id, day(20)).await.unwrap();
        // The refused invoice consumed no number.
        assert_eq!(inv.number.as_deref(), Some("F-2026-00001"));
        let svg = app
            .stored_document(&actor, id, IssuedDocument::QrBillSvg)
            .await
            .unwrap();
        assert!(String::from_utf8(svg.bytes).unwrap().contains("<svg"));
        let slip = app
            .stored_document(&actor, id, IssuedDocument::QrBillPdf)
            .await
            .unwrap();
        assert!(slip.bytes.starts_with(b"%PDF-"));
    }
}

#[tokio::test]
async fn credit_notes_are_issued_with_documents_naming_the_invoice() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = french(&db).await;
        let c = client(&app, &actor, Country::FR, lyon()).await;
        let id = approved(&app, &actor, c).await;
        let inv = app.issue_invoice(&actor, id, day(2)).await.unwrap();
        let cn = app
            .draft_credit_note(&actor, id, "Taux erroné", None)
            .await
            .unwrap();
        approve(&app, &actor, cn.id).await;
        let cn = app.issue_invoice(&actor, cn.id, day(3)).await.unwrap();
        assert_eq!(cn.number.as_deref(), Some("AV-2026-00001"));
        let xml = app
            .stored_document(&actor, cn.id, IssuedDocument::CiiXml)
            .await
            .unwrap();
        let xml = String::from_utf8(xml.bytes).unwrap();
        assert!(xml.contains("<ram:TypeCode>381</ram:TypeCode>"), "{xml}");
        // BT-25: the invoice it corrects.
        assert!(
            xml.contains(&format!(
                "<ram:IssuerAssignedID>{}</ram:IssuerAssignedID>",
                inv.number.unwrap()
            )),
            "{xml}"
        );
        let ubl = app
            .stored_document(&actor, cn.id, IssuedDocument::UblXml)
            .await
            .unwrap();
        assert!(
            String::from_utf8(ubl.bytes)
                .unwrap()
                .contains("<CreditNote")
        );
    }
}

#[tokio::test]
async fn a_draft_preview_is_marked_and_consumes_nothing() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = french(&db).await;
        let c = client(&app, &actor, Country::FR, lyon()).await;
        let id = draft(&app, &actor, c, dec!(20)).await;
        let pdf = app.preview_pdf(&actor, id).await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // No Factur-X XML rides along: a preview must never pass for an e-invoice.
        assert!(!pdf.windows(12).any(|w| w == b"factur-x.xml"));
        let status = app.invoice_detail(&actor, id).await.unwrap().invoice;
        assert_eq!((status.status, status.number), (InvoiceStatus::Draft, None));
        approve(&app, &actor, id).await;
        let inv = app.issue_invoice(&actor, id, day(20)).await.unwrap();
        assert_eq!(inv.number.as_deref(), Some("F-2026-00001"));
        let e = app.preview_pdf(&actor, id).await.unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e}");
    }
}

#[tokio::test]
async fn the_books_export_as_fec_journal_and_oxygene() {
    for db in TestDb::all().await.unwrap() {
        let (app, actor) = french(&db).await;
        let c = client(&app, &actor, Country::FR, lyon()).await;
        let a = approved(&app, &actor, c).await;
        let a = app.issue_invoice(&actor, a, day(2)).await.unwrap();
        let b = approved(&app, &actor, c).await;
        let b = app.issue_invoice(&actor, b, day(5)).await.unwrap();
        let gross = app
            .invoice_detail(&actor, a.id)
            .await
            .unwrap()
            .totals
            .tax_inclusive;
        app.record_payment(&actor, a.id, gross, day(10), "bank", Some("VIR-1"))
            .await
            .unwrap();
        let cn = app
            .draft_credit_note(&actor, b.id, "Erreur", None)
            .await
            .unwrap();
        approve(&app, &actor, cn.id).await;
        app.issue_invoice(&actor, cn.id, day(12)).await.unwrap();

        let fec = app.export_fec(&actor, 2026).await.unwrap();
        assert_eq!(fec.file_name, "303265045FEC20261231.txt");
        let text: String = fec.content.iter().map(|&b| b as char).collect();
        let rows: Vec<&str> = text.lines().collect();
        assert!(rows[0].starts_with("JournalCode\tJournalLib"));
        // Two invoices and a credit note (3 lines each), one payment (2 lines).
        assert_eq!(rows.len(), 1 + 3 * 3 + 2, "{text}");
        assert!(rows.iter().any(|r| r.starts_with("BQ\t")));
        assert!(text.contains("AV-2026-00001"));

        let journal = app
            .export_journal(&actor, day(1), day(30), None, CsvFormat::default())
            .await
            .unwrap();
        assert_eq!(journal.left_out, 0);
        let csv = String::from_utf8(journal.csv).unwrap();
        assert_eq!(csv.lines().count(), 1 + 11);

        let xml = app
            .export_oxygene(&actor, day(1), day(30), None)
            .await
            .unwrap();
        let xml = String::from_utf8_lossy(&xml);
        assert!(xml.contains("F-2026-00002") && xml.contains("AV-2026-00001"));

        // Nothing to book before the first issue; a bad period is refused.
        let e = app
            .export_journal(&actor, day(30), day(1), None, CsvFormat::default())
            .await
            .unwrap_err();
        assert_eq!(field_of(&e), "to");
        let _ = Money::zero(Currency::EUR);
    }
}
