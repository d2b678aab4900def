//! Test data for the documents crate: small builders and the realistic fixtures every
//! integration test reuses (domestic French, multi-rate, reverse charge, export, Swiss QR-IBAN
//! and normal IBAN, credit note, 120 lines, outside the scope of VAT).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use encaisse_core::identifiers::{Iban, Siren, Siret, SwissUid, VatId};
use encaisse_core::invoice::{
    CorrectedInvoice, DocumentKind, Invoice, InvoiceLine, InvoiceStatus, Period, UnitCode,
};
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Client, Country, LegalIds, Organization, PaymentTerms};
use encaisse_core::reference::{CreditorReference, PaymentReference, QrReference};
use encaisse_core::totals::Totals;
use encaisse_core::vat::{VatCategory, VatRate};
use encaisse_core::{Currency, Money};
use encaisse_documents::ledger::{ChartOfAccounts, Customer, Ledger, Payment, SalesDocument};
use encaisse_documents::{
    BillingFramework, DocumentInput, DocumentOptions, Note, ProcessingType, Profile,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn address(street: &str, number: &str, postal: &str, city: &str, country: Country) -> Address {
    Address {
        street: Some(street.into()),
        building_number: Some(number.into()),
        postal_code: postal.into(),
        city: city.into(),
        country,
    }
}

pub fn s(percent: Decimal) -> VatRate {
    VatRate::new(VatCategory::Standard, percent).unwrap()
}

pub fn zero(category: VatCategory) -> VatRate {
    VatRate::zero(category).unwrap()
}

/// Builds an organization (the seller).
pub struct OrgBuilder(Organization);

impl OrgBuilder {
    /// A Paris software consultancy with SIREN, SIRET, VAT number and a French IBAN.
    pub fn french() -> Self {
        let (inv, cn) = Organization::default_numbering();
        let siren = Siren::parse("732829320").unwrap();
        OrgBuilder(Organization {
            id: Uuid::from_u128(1),
            slug: "atelier-numerique".into(),
            legal_name: "Atelier Numérique SAS".into(),
            ids: LegalIds {
                vat_id: Some(VatId::french_from_siren(&siren)),
                siren: Some(siren),
                siret: Some(Siret::parse("73282932000074").unwrap()),
                uid: None,
            },
            address: address("rue de Rivoli", "12", "75004", "Paris", Country::FR),
            iban: Some(Iban::parse("FR76 3000 6000 0112 3456 7890 189").unwrap()),
            qr_iban: None,
            language: Language::Fr,
            currency: Currency::EUR,
            terms: PaymentTerms { days: 30 },
            invoice_numbering: inv,
            credit_note_numbering: cn,
        })
    }

    /// A Zurich studio with UID, VAT number (MWST), a QR-IBAN and a normal IBAN.
    pub fn swiss() -> Self {
        let (inv, cn) = Organization::default_numbering();
        OrgBuilder(Organization {
            id: Uuid::from_u128(2),
            slug: "bergblick".into(),
            legal_name: "Bergblick Informatik GmbH".into(),
            ids: LegalIds {
                siren: None,
                siret: None,
                uid: Some(SwissUid::parse("CHE-116.281.710").unwrap()),
                vat_id: Some(VatId::parse("CHE-116.281.710 MWST").unwrap()),
            },
            address: address("Bahnhofstrasse", "10", "8001", "Zürich", Country::CH),
            iban: Some(Iban::parse("CH93 0076 2011 6238 5295 7").unwrap()),
            qr_iban: Some(Iban::parse("CH44 3199 9123 0008 8901 2").unwrap()),
            language: Language::De,
            currency: Currency::CHF,
            terms: PaymentTerms { days: 30 },
            invoice_numbering: inv,
            credit_note_numbering: cn,
        })
    }

    pub fn without_vat_id(mut self) -> Self {
        self.0.ids.vat_id = None;
        self
    }

    pub fn build(self) -> Organization {
        self.0
    }
}

/// Builds a client (the buyer).
pub struct ClientBuilder(Client);

impl ClientBuilder {
    fn base(
        id: u128,
        org: &Organization,
        name: &str,
        address: Address,
        language: Language,
    ) -> Self {
        ClientBuilder(Client {
            id: Uuid::from_u128(id),
            organization_id: org.id,
            name: name.into(),
            ids: LegalIds::default(),
            address,
            email: None,
            language,
            currency: org.currency,
            terms: PaymentTerms { days: 30 },
            requires_purchase_order: false,
        })
    }

    pub fn french(org: &Organization) -> Self {
        let siren = Siren::parse("303265045").unwrap();
        let mut b = Self::base(
            101,
            org,
            "Librairie du Marais SARL",
            address("rue des Archives", "45", "75003", "Paris", Country::FR),
            Language::Fr,
        );
        b.0.ids = LegalIds {
            vat_id: Some(VatId::french_from_siren(&siren)),
            siren: Some(siren),
            siret: Some(Siret::parse("30326504500011").unwrap()),
            uid: None,
        };
        b.0.email = Some("compta@librairie-marais.example".into());
        b
    }

    pub fn german(org: &Organization) -> Self {
        let mut b = Self::base(
            102,
            org,
            "Rheinwerk Maschinenbau GmbH",
            address("Rheinallee", "7", "55118", "Mainz", Country::DE),
            Language::En,
        );
        b.0.ids.vat_id = Some(VatId::parse("DE123456789").unwrap());
        b.0.email = Some("invoices@rheinwerk.example".into());
        b
    }

    pub fn american(org: &Organization) -> Self {
        let mut b = Self::base(
            103,
            org,
            "Hudson Analytics Inc.",
            address(
                "Broadway",
                "1250",
                "10001",
                "New York",
                Country::parse("US").unwrap(),
            ),
            Language::En,
        );
        b.0.email = Some("ap@hudson-analytics.example".into());
        b
    }

    pub fn swiss(org: &Organization) -> Self {
        let mut b = Self::base(
            104,
            org,
            "Seeblick Hotel AG",
            address("Seestrasse", "44", "6004", "Luzern", Country::CH),
            Language::De,
        );
        b.0.ids.uid = Some(SwissUid::parse("CHE-123.456.788").unwrap());
        b.0.ids.vat_id = Some(VatId::parse("CHE-123.456.788 MWST").unwrap());
        b.0.email = Some("buchhaltung@seeblick.example".into());
        b
    }

    pub fn build(self) -> Client {
        self.0
    }
}

/// Builds an issued invoice line by line.
pub struct InvoiceBuilder(Invoice);

impl InvoiceBuilder {
    pub fn new(org: &Organization, client: &Client, number: &str) -> Self {
        InvoiceBuilder(Invoice {
            id: Uuid::from_u128(1000 + u128::from(number.len() as u32)),
            organization_id: org.id,
            client_id: client.id,
            kind: DocumentKind::Invoice,
            status: InvoiceStatus::Issued,
            disputed: false,
            number: Some(number.into()),
            currency: client.currency,
            issue_date: Some(date(2026, 1, 31)),
            due_date: Some(date(2026, 3, 2)),
            service_period: None,
            buyer_reference: None,
            purchase_order: None,
            notes: None,
            lines: vec![],
            corrects: None,
            payment_reference: None,
            paid: Money::zero(client.currency),
        })
    }

    pub fn currency(mut self, c: Currency) -> Self {
        self.0.currency = c;
        self.0.paid = Money::zero(c);
        self
    }

    pub fn line(
        self,
        description: &str,
        quantity: Decimal,
        unit: UnitCode,
        price: Decimal,
        vat: VatRate,
    ) -> Self {
        self.discounted_line(description, quantity, unit, price, Decimal::ZERO, vat)
    }

    pub fn discounted_line(
        mut self,
        description: &str,
        quantity: Decimal,
        unit: UnitCode,
        price: Decimal,
        discount_percent: Decimal,
        vat: VatRate,
    ) -> Self {
        self.0.lines.push(InvoiceLine {
            description: description.into(),
            quantity,
            unit,
            unit_price: price,
            discount_percent,
            vat,
            time_entry_ids: vec![],
        });
        self
    }

    pub fn dates(mut self, issued: NaiveDate, due: NaiveDate) -> Self {
        self.0.issue_date = Some(issued);
        self.0.due_date = Some(due);
        self
    }

    pub fn period(mut self, start: NaiveDate, end: NaiveDate) -> Self {
        self.0.service_period = Some(Period { start, end });
        self
    }

    pub fn buyer_reference(mut self, r: &str) -> Self {
        self.0.buyer_reference = Some(r.into());
        self
    }

    pub fn purchase_order(mut self, po: &str) -> Self {
        self.0.purchase_order = Some(po.into());
        self
    }

    pub fn notes(mut self, n: &str) -> Self {
        self.0.notes = Some(n.into());
        self
    }

    pub fn rf_reference(mut self) -> Self {
        let number = self.0.number.clone().unwrap();
        self.0.payment_reference = Some(PaymentReference::Creditor(
            CreditorReference::generate(&number).unwrap(),
        ));
        self
    }

    pub fn qr_reference(mut self, digits: &str) -> Self {
        self.0.payment_reference =
            Some(PaymentReference::Qr(QrReference::generate(digits).unwrap()));
        self
    }

    pub fn credit_note_for(mut self, number: &str, issued: NaiveDate) -> Self {
        self.0.kind = DocumentKind::CreditNote;
        self.0.corrects = Some(CorrectedInvoice {
            invoice_id: Uuid::from_u128(4242),
            number: number.into(),
            issue_date: issued,
        });
        self
    }

    pub fn status(mut self, status: InvoiceStatus) -> Self {
        self.0.status = status;
        self
    }

    pub fn build(self) -> Invoice {
        self.0
    }
}

/// One realistic document with everything needed to produce its payloads.
pub struct Fixture {
    pub name: &'static str,
    pub org: Organization,
    pub client: Client,
    pub invoice: Invoice,
    pub totals: Totals,
    pub options: DocumentOptions,
    /// French domestic documents are also checked against the BR-FR rules.
    pub french_ctc: bool,
}

impl Fixture {
    fn new(
        name: &'static str,
        org: Organization,
        client: Client,
        invoice: Invoice,
        options: DocumentOptions,
        french_ctc: bool,
    ) -> Self {
        let totals = invoice.totals().unwrap();
        Fixture {
            name,
            org,
            client,
            invoice,
            totals,
            options,
            french_ctc,
        }
    }

    pub fn input(&self) -> DocumentInput<'_> {
        self.input_with(self.options.clone())
    }

    pub fn input_with(&self, options: DocumentOptions) -> DocumentInput<'_> {
        DocumentInput::new(
            &self.org,
            &self.client,
            &self.invoice,
            &self.totals,
            options,
        )
        .unwrap_or_else(|e| panic!("fixture {}: {e}", self.name))
    }

    /// The same document in the EXTENDED-CTC-FR profile.
    pub fn extended_ctc_fr_options(&self) -> DocumentOptions {
        DocumentOptions {
            profile: Profile::ExtendedCtcFr,
            ..self.options.clone()
        }
    }
}

fn french_options(language: Language, processing: ProcessingType) -> DocumentOptions {
    DocumentOptions {
        billing_framework: Some(BillingFramework::S1),
        processing_type: Some(processing),
        bic: Some("BNPAFRPPXXX".into()),
        notes: Note::french_b2b_mentions(language),
        ..DocumentOptions::default()
    }
}

pub fn domestic_fr() -> Fixture {
    let org = OrgBuilder::french().build();
    let client = ClientBuilder::french(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "F-2026-00042")
        .line(
            "Développement de l'application de caisse",
            dec!(37.5),
            UnitCode::hour(),
            dec!(95),
            s(dec!(20)),
        )
        .discounted_line(
            "Atelier de cadrage",
            dec!(2),
            UnitCode::day(),
            dec!(760),
            dec!(10),
            s(dec!(20)),
        )
        .line(
            "Hébergement mensuel",
            dec!(1),
            UnitCode::one(),
            dec!(49.90),
            s(dec!(20)),
        )
        .period(date(2026, 1, 1), date(2026, 1, 31))
        .buyer_reference("SERVICE-ACHATS")
        .purchase_order("PO-2026-117")
        .rf_reference()
        .build();
    Fixture::new(
        "domestic_fr",
        org,
        client,
        invoice,
        french_options(Language::Fr, ProcessingType::B2b),
        true,
    )
}

pub fn multi_rate_fr() -> Fixture {
    let org = OrgBuilder::french().build();
    let client = ClientBuilder::french(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "F-2026-00043")
        .line(
            "Formation bureautique",
            dec!(7),
            UnitCode::hour(),
            dec!(80),
            s(dec!(20)),
        )
        .line(
            "Repas des participants",
            dec!(12),
            UnitCode::one(),
            dec!(18.50),
            s(dec!(10)),
        )
        .discounted_line(
            "Manuels imprimés",
            dec!(12),
            UnitCode::one(),
            dec!(24.99),
            dec!(5),
            s(dec!(5.5)),
        )
        .line(
            "Location de salle",
            dec!(1),
            UnitCode::day(),
            dec!(333.33),
            s(dec!(20)),
        )
        .buyer_reference("FORMATION-2026")
        .rf_reference()
        .build();
    Fixture::new(
        "multi_rate_fr",
        org,
        client,
        invoice,
        french_options(Language::Fr, ProcessingType::B2b),
        true,
    )
}

pub fn reverse_charge_de() -> Fixture {
    let org = OrgBuilder::french().build();
    let client = ClientBuilder::german(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "F-2026-00044")
        .line(
            "Software architecture review",
            dec!(24),
            UnitCode::hour(),
            dec!(120),
            zero(VatCategory::ReverseCharge),
        )
        .line(
            "Travel day",
            dec!(1),
            UnitCode::day(),
            dec!(450),
            zero(VatCategory::ReverseCharge),
        )
        .purchase_order("4500012345")
        .period(date(2026, 1, 5), date(2026, 1, 23))
        .rf_reference()
        .build();
    let mut options = french_options(Language::En, ProcessingType::B2bInternational);
    options.billing_framework = Some(BillingFramework::S1);
    Fixture::new("reverse_charge_de", org, client, invoice, options, false)
}

pub fn export_us() -> Fixture {
    let org = OrgBuilder::french().build();
    let client = ClientBuilder::american(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "F-2026-00045")
        .line(
            "Point-of-sale terminals (hardware)",
            dec!(4),
            UnitCode::one(),
            dec!(1250),
            zero(VatCategory::Export),
        )
        .discounted_line(
            "Installation kit",
            dec!(4),
            UnitCode::one(),
            dec!(89.99),
            dec!(15),
            zero(VatCategory::Export),
        )
        .purchase_order("HA-PO-88123")
        .rf_reference()
        .build();
    let mut options = french_options(Language::En, ProcessingType::B2bInternational);
    options.billing_framework = Some(BillingFramework::B1);
    Fixture::new("export_us", org, client, invoice, options, false)
}

pub fn swiss_qr_iban() -> Fixture {
    let org = OrgBuilder::swiss().build();
    let client = ClientBuilder::swiss(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "F-2026-00007")
        .currency(Currency::CHF)
        .line(
            "Wartung Buchungssystem",
            dec!(12.5),
            UnitCode::hour(),
            dec!(165),
            s(dec!(8.1)),
        )
        .discounted_line(
            "Lizenz Zimmerplan",
            dec!(1),
            UnitCode::one(),
            dec!(1200),
            dec!(20),
            s(dec!(8.1)),
        )
        .period(date(2026, 1, 1), date(2026, 1, 31))
        .buyer_reference("Empfang / Herr Meier")
        .qr_reference("10400000000000000000007")
        .build();
    let options = DocumentOptions::default();
    Fixture::new("swiss_qr_iban", org, client, invoice, options, false)
}

pub fn swiss_scor() -> Fixture {
    let org = OrgBuilder::swiss().build();
    let client = ClientBuilder::swiss(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "F-2026-00008")
        .currency(Currency::CHF)
        .line(
            "Beratung Digitalisierung",
            dec!(6),
            UnitCode::hour(),
            dec!(180),
            s(dec!(8.1)),
        )
        .line(
            "Übernachtung Projektteam",
            dec!(2),
            UnitCode::one(),
            dec!(145),
            s(dec!(3.8)),
        )
        .buyer_reference("Projekt Seeblick 2026")
        .rf_reference()
        .build();
    Fixture::new(
        "swiss_scor",
        org,
        client,
        invoice,
        DocumentOptions::default(),
        false,
    )
}

pub fn credit_note_fr() -> Fixture {
    let org = OrgBuilder::french().build();
    let client = ClientBuilder::french(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "AV-2026-00003")
        .line(
            "Avoir : hébergement facturé en double",
            dec!(1),
            UnitCode::one(),
            dec!(49.90),
            s(dec!(20)),
        )
        .buyer_reference("SERVICE-ACHATS")
        .credit_note_for("F-2026-00042", date(2026, 1, 31))
        .dates(date(2026, 2, 10), date(2026, 2, 10))
        .build();
    Fixture::new(
        "credit_note_fr",
        org,
        client,
        invoice,
        french_options(Language::Fr, ProcessingType::B2b),
        true,
    )
}

pub fn large_fr() -> Fixture {
    let org = OrgBuilder::french().build();
    let client = ClientBuilder::french(&org).build();
    let rates = [dec!(20), dec!(10), dec!(5.5), dec!(2.1)];
    let mut b = InvoiceBuilder::new(&org, &client, "F-2026-00120")
        .buyer_reference("INVENTAIRE")
        .period(date(2026, 1, 1), date(2026, 1, 31))
        .rf_reference();
    for i in 0..120u32 {
        let quantity = Decimal::new(i64::from(i % 7 + 1) * 25, 2); // 0.25 … 1.75
        let price = Decimal::new(i64::from(1999 + i * 137), 2); // 19.99 …
        let discount = Decimal::from(i % 4 * 5); // 0, 5, 10, 15 %
        let unit = if i % 2 == 0 {
            UnitCode::hour()
        } else {
            UnitCode::one()
        };
        b = b.discounted_line(
            &format!("Article {:03}", i + 1),
            quantity,
            unit,
            price,
            discount,
            s(rates[i as usize % 4]),
        );
    }
    Fixture::new(
        "large_fr",
        org,
        client,
        b.build(),
        french_options(Language::Fr, ProcessingType::B2b),
        true,
    )
}

pub fn outside_scope() -> Fixture {
    let org = OrgBuilder::french().build();
    let client = ClientBuilder::swiss(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "F-2026-00046")
        .currency(Currency::EUR)
        .line(
            "Formation à Lucerne",
            dec!(2),
            UnitCode::day(),
            dec!(900),
            zero(VatCategory::OutsideScope),
        )
        .purchase_order("SB-2026-004")
        .rf_reference()
        .build();
    let options = french_options(Language::Fr, ProcessingType::B2bInternational);
    Fixture::new("outside_scope", org, client, invoice, options, false)
}

/// Professional training, exempt from VAT in France (CGI art. 261-4-4°).
pub fn exempt_fr() -> Fixture {
    let org = OrgBuilder::french().build();
    let client = ClientBuilder::french(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "F-2026-00047")
        .line(
            "Formation professionnelle continue : Rust avancé",
            dec!(3),
            UnitCode::day(),
            dec!(1150),
            zero(VatCategory::Exempt),
        )
        .buyer_reference("RH-FORMATION")
        .period(date(2026, 1, 12), date(2026, 1, 14))
        .rf_reference()
        .build();
    Fixture::new(
        "exempt_fr",
        org,
        client,
        invoice,
        french_options(Language::Fr, ProcessingType::B2b),
        true,
    )
}

/// Goods shipped to a German company: intra-community supply, VAT-exempt in France.
pub fn intra_community_de() -> Fixture {
    let org = OrgBuilder::french().build();
    let client = ClientBuilder::german(&org).build();
    let invoice = InvoiceBuilder::new(&org, &client, "F-2026-00048")
        .line(
            "Receipt printers",
            dec!(10),
            UnitCode::one(),
            dec!(289),
            zero(VatCategory::IntraCommunity),
        )
        .discounted_line(
            "Thermal paper rolls (box of 50)",
            dec!(6),
            UnitCode::one(),
            dec!(42.50),
            dec!(12.5),
            zero(VatCategory::IntraCommunity),
        )
        .purchase_order("4500012399")
        .rf_reference()
        .build();
    let mut options = french_options(Language::En, ProcessingType::B2bInternational);
    options.billing_framework = Some(BillingFramework::B1);
    options.delivery_date = Some(date(2026, 1, 27));
    Fixture::new("intra_community_de", org, client, invoice, options, false)
}

/// Every fixture, in a stable order.
pub fn all() -> Vec<Fixture> {
    vec![
        domestic_fr(),
        multi_rate_fr(),
        reverse_charge_de(),
        export_us(),
        swiss_qr_iban(),
        swiss_scor(),
        credit_note_fr(),
        large_fr(),
        outside_scope(),
        exempt_fr(),
        intra_community_de(),
    ]
}

// ---- books of the Paris consultancy, for the accounting exports ----

pub fn sales(f: &Fixture, account: &str) -> SalesDocument {
    SalesDocument::from_issued(&f.invoice, &f.client, &f.totals, account).unwrap()
}

pub fn customer(f: &Fixture, account: &str) -> Customer {
    Customer {
        account: account.into(),
        name: f.client.name.clone(),
    }
}

pub fn payment(
    f: &Fixture,
    reference: &str,
    day: u32,
    amount: Decimal,
    settles: &[&str],
) -> Payment {
    Payment {
        date: date(2026, 2, day),
        reference: reference.into(),
        label: format!("Vir {}", f.client.name),
        customer: customer(f, "CLIBMARAIS"),
        amount: Money::new(amount, Currency::EUR),
        exchange_rate: None,
        settles: settles.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// January–February books of the Paris consultancy: two invoices, a credit note on the
/// first one, a payment settling the rest of the first, a partial payment of the second.
pub fn books() -> Ledger {
    let inv = domestic_fr();
    let multi = multi_rate_fr();
    let credit = credit_note_fr();
    let docs = vec![
        sales(&multi, "CLIBMARAIS"),
        sales(&inv, "CLIBMARAIS"),
        sales(&credit, "CLIBMARAIS"),
    ];
    let rest = inv.totals.tax_inclusive.amount() - credit.totals.tax_inclusive.amount();
    let payments = vec![
        payment(&inv, "VIR-0215", 15, rest, &["F-2026-00042"]),
        payment(&multi, "VIR-0220", 20, dec!(500), &["F-2026-00043"]),
    ];
    Ledger::post(&docs, &payments, &ChartOfAccounts::default(), Currency::EUR).unwrap()
}
