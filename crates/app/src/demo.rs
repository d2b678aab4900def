//! `encaisse demo`: a realistic demo workspace, created through the real use cases.
//!
//! A French IT services company and its Swiss subsidiary, 40 clients in France, Switzerland,
//! Germany and Belgium with valid identifiers, 20 projects, six months of issued invoices in
//! EUR and CHF (paid, partially paid, overdue, cancelled by credit notes), drafts waiting for
//! approval, unbilled hours, and the four demo users. Every object carries an external
//! reference, so running the demo again creates nothing twice and completes what a crash
//! interrupted.

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use encaisse_core::identifiers::{Iban, Siren, Siret, SwissUid, VatId};
use encaisse_core::invoice::{InvoiceStatus, Period};
use encaisse_core::language::Language;
use encaisse_core::numbering::{NumberingPattern, Reset};
use encaisse_core::party::{Address, Client, Country, LegalIds, Organization, PaymentTerms};
use encaisse_core::role::Role;
use encaisse_core::time_entry::{Project, TimeEntry, TimeSource};
use encaisse_core::{Currency, Money};
use encaisse_store::auth::User;
use encaisse_store::documents::{ClientAccounting, DocumentSettings};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::auth::{Actor, hash_password};
use crate::clock::FixedClock;
use crate::invoices::{DraftLine, DraftRequest};
use crate::setup::{add_member, create_organization};
use crate::{App, AppError, Result};

/// The index of the project whose waiting draft bills an unusual number of hours.
const UNUSUAL_DRAFT: usize = 7;

/// The password of every demo user (demo data only).
pub const DEMO_PASSWORD: &str = "demo-encaisse";

/// The demo logins and their roles.
pub const DEMO_USERS: [(&str, Role); 4] = [
    ("owner@demo.test", Role::Owner),
    ("approver@demo.test", Role::Approver),
    ("accountant@demo.test", Role::Accountant),
    ("viewer@demo.test", Role::Viewer),
];

/// What the demo holds, for the summary printed at the end.
#[derive(Clone, Debug, Default)]
pub struct DemoSummary {
    pub organizations: Vec<String>,
    pub clients: usize,
    pub projects: usize,
    pub invoices_issued: usize,
    pub credit_notes: usize,
    pub drafts_waiting: usize,
    pub created_now: usize,
    /// The Clockify part: simulator, sync, last month's drafts from hours.
    pub clockify: Option<crate::demo_clockify::DemoClockify>,
    /// The bank part: a quarter's camt.053 imported and reconciled.
    pub bank: Option<crate::demo_bank::DemoBank>,
}

/// A small deterministic generator (SplitMix64): the same demo on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn luhn_complete(base: &str) -> String {
    (0..10)
        .map(|d| format!("{base}{d}"))
        .find(|s| Siren::parse(s).is_ok() || (s.len() == 14 && Siret::parse(s).is_ok()))
        .unwrap_or_else(|| format!("{base}0"))
}

fn siren(n: u64) -> Siren {
    let s = luhn_complete(&format!("{:08}", 30_000_000 + n * 7_919 % 60_000_000));
    // Luhn completion always finds a digit; fall back to a known-valid SIREN otherwise.
    Siren::parse(&s)
        .unwrap_or_else(|_| Siren::parse("732829320").unwrap_or_else(|_| unreachable!()))
}

fn siret(s: &Siren, establishment: u64) -> Option<Siret> {
    Siret::parse(&luhn_complete(&format!(
        "{}{:04}",
        s.as_str(),
        establishment
    )))
    .ok()
}

fn swiss_uid(n: u64) -> Option<SwissUid> {
    // One base in eleven has check value 10 and no valid UID: take the next base then.
    (0..4).find_map(|step| {
        let base = 10_000_000 + (n * 104_729 + step) % 89_999_999;
        (0..10).find_map(|d| SwissUid::parse(&format!("CHE{base:08}{d}")).ok())
    })
}

fn belgian_vat(n: u64) -> Option<VatId> {
    let base = 200_000_000 + n * 15_485_863 % 700_000_000;
    let first8 = base / 100;
    let check = 97 - first8 % 97;
    VatId::parse(&format!("BE0{first8:08}{check:02}")).ok()
}

struct ClientSeed {
    name: &'static str,
    country: Country,
    street: &'static str,
    number: &'static str,
    postal: &'static str,
    city: &'static str,
    lang: Language,
}

const fn cs(
    name: &'static str,
    country: Country,
    street: &'static str,
    number: &'static str,
    postal: &'static str,
    city: &'static str,
    lang: Language,
) -> ClientSeed {
    ClientSeed {
        name,
        country,
        street,
        number,
        postal,
        city,
        lang,
    }
}

use Language::{De, En, Fr};

const FR_CLIENTS: [ClientSeed; 20] = [
    cs(
        "Boulangeries Lefèvre SAS",
        Country::FR,
        "Rue du Faubourg Saint-Antoine",
        "48",
        "75011",
        "Paris",
        Fr,
    ),
    cs(
        "Transports Mercier & Fils",
        Country::FR,
        "Avenue Jean Jaurès",
        "112",
        "69007",
        "Lyon",
        Fr,
    ),
    cs(
        "Clinique Vétérinaire des Alpes",
        Country::FR,
        "Rue de la République",
        "5",
        "38000",
        "Grenoble",
        Fr,
    ),
    cs(
        "Atelier Roux Menuiserie SARL",
        Country::FR,
        "Chemin des Vignes",
        "17",
        "33000",
        "Bordeaux",
        Fr,
    ),
    cs(
        "Cabinet Girard Avocats",
        Country::FR,
        "Boulevard Haussmann",
        "76",
        "75008",
        "Paris",
        Fr,
    ),
    cs(
        "Hôtel Le Méridien Nantais",
        Country::FR,
        "Quai de la Fosse",
        "9",
        "44000",
        "Nantes",
        Fr,
    ),
    cs(
        "Agence Immobilière Fontaine",
        Country::FR,
        "Rue Nationale",
        "23",
        "59000",
        "Lille",
        Fr,
    ),
    cs(
        "Laboratoires Dubois Cosmétiques",
        Country::FR,
        "Rue de l'Industrie",
        "3",
        "67000",
        "Strasbourg",
        Fr,
    ),
    cs(
        "Mutuelle Solidaire du Sud",
        Country::FR,
        "Allée Jean Jaurès",
        "30",
        "31000",
        "Toulouse",
        Fr,
    ),
    cs(
        "Garage Moreau Automobiles",
        Country::FR,
        "Route de Paris",
        "150",
        "14000",
        "Caen",
        Fr,
    ),
    cs(
        "Éditions Lambert",
        Country::FR,
        "Rue Jacob",
        "14",
        "75006",
        "Paris",
        Fr,
    ),
    cs(
        "Coopérative Agricole de Beauce",
        Country::FR,
        "Rue des Moissons",
        "2",
        "28000",
        "Chartres",
        Fr,
    ),
    cs(
        "Fromagerie Bonnet",
        Country::FR,
        "Place du Marché",
        "6",
        "74000",
        "Annecy",
        Fr,
    ),
    cs(
        "Start-up Nébula Analytics SAS",
        Country::FR,
        "Rue de Rivoli",
        "201",
        "75001",
        "Paris",
        Fr,
    ),
    cs(
        "Pharmacie Centrale Marseille",
        Country::FR,
        "La Canebière",
        "54",
        "13001",
        "Marseille",
        Fr,
    ),
    cs(
        "Groupe Scolaire Saint-Exupéry",
        Country::FR,
        "Rue des Écoles",
        "11",
        "35000",
        "Rennes",
        Fr,
    ),
    cs(
        "Brasserie Artisanale du Nord",
        Country::FR,
        "Rue de Gand",
        "27",
        "59800",
        "Lille",
        Fr,
    ),
    cs(
        "Architectes Perrin & Associés",
        Country::FR,
        "Cours Mirabeau",
        "40",
        "13100",
        "Aix-en-Provence",
        Fr,
    ),
    cs(
        "Imprimerie Garnier",
        Country::FR,
        "Zone Artisanale des Pins",
        "8",
        "34000",
        "Montpellier",
        Fr,
    ),
    cs(
        "Société Nouvelle des Eaux de Vichy",
        Country::FR,
        "Boulevard des États-Unis",
        "19",
        "03200",
        "Vichy",
        Fr,
    ),
];

const EU_CLIENTS: [ClientSeed; 10] = [
    cs(
        "Müller Maschinenbau GmbH",
        Country::DE,
        "Industriestraße",
        "12",
        "70565",
        "Stuttgart",
        De,
    ),
    cs(
        "Schneider Logistik AG",
        Country::DE,
        "Hafenstraße",
        "3",
        "20457",
        "Hamburg",
        De,
    ),
    cs(
        "Becker Softwarehaus GmbH",
        Country::DE,
        "Leopoldstraße",
        "88",
        "80802",
        "München",
        De,
    ),
    cs(
        "Hoffmann Medizintechnik KG",
        Country::DE,
        "Königsallee",
        "27",
        "40212",
        "Düsseldorf",
        De,
    ),
    cs(
        "Wagner Energie GmbH",
        Country::DE,
        "Friedrichstraße",
        "140",
        "10117",
        "Berlin",
        De,
    ),
    cs(
        "Brasserie Dupont SPRL",
        Country::BE,
        "Rue de la Loi",
        "16",
        "1000",
        "Bruxelles",
        Fr,
    ),
    cs(
        "Janssens Diamonds NV",
        Country::BE,
        "Hoveniersstraat",
        "2",
        "2018",
        "Antwerpen",
        En,
    ),
    cs(
        "Clinique Saint-Luc Namur ASBL",
        Country::BE,
        "Rue Saint-Luc",
        "8",
        "5004",
        "Namur",
        Fr,
    ),
    cs(
        "Peeters Bouw BV",
        Country::BE,
        "Meir",
        "50",
        "2000",
        "Antwerpen",
        En,
    ),
    cs(
        "Liège Data Services SA",
        Country::BE,
        "Boulevard d'Avroy",
        "38",
        "4000",
        "Liège",
        Fr,
    ),
];

const CH_CLIENTS: [ClientSeed; 10] = [
    cs(
        "Bäckerei Brunner AG",
        Country::CH,
        "Marktgasse",
        "22",
        "3011",
        "Bern",
        De,
    ),
    cs(
        "Uhrenmanufaktur Keller SA",
        Country::CH,
        "Rue de la Gare",
        "4",
        "2300",
        "La Chaux-de-Fonds",
        Fr,
    ),
    cs(
        "Gasser Treuhand GmbH",
        Country::CH,
        "Bahnhofplatz",
        "1",
        "6003",
        "Luzern",
        De,
    ),
    cs(
        "Clinique du Léman SA",
        Country::CH,
        "Avenue de la Gare",
        "45",
        "1003",
        "Lausanne",
        Fr,
    ),
    cs(
        "Zürcher Stiftung für Bildung",
        Country::CH,
        "Limmatquai",
        "70",
        "8001",
        "Zürich",
        De,
    ),
    cs(
        "Meier Elektro AG",
        Country::CH,
        "Industriestrasse",
        "9",
        "8400",
        "Winterthur",
        De,
    ),
    cs(
        "Fiduciaire Rochat Sàrl",
        Country::CH,
        "Rue du Rhône",
        "65",
        "1204",
        "Genève",
        Fr,
    ),
    cs(
        "Alpenhof Hotels AG",
        Country::CH,
        "Dorfstrasse",
        "33",
        "3920",
        "Zermatt",
        De,
    ),
    cs(
        "Basler Chemie Consulting AG",
        Country::CH,
        "Aeschenvorstadt",
        "55",
        "4051",
        "Basel",
        De,
    ),
    cs(
        "Ticino Software SA",
        Country::CH,
        "Via Nassa",
        "7",
        "6900",
        "Lugano",
        En,
    ),
];

const PROJECTS: [(&str, u64); 20] = [
    ("Refonte du site e-commerce", 95),
    ("Migration vers le cloud", 120),
    ("Application mobile de réservation", 105),
    ("Maintenance applicative", 85),
    ("Audit de sécurité", 140),
    ("Tableau de bord Power BI", 110),
    ("Intégration ERP", 115),
    ("Support infogérance", 80),
    ("Portail client", 100),
    ("Automatisation des tests", 95),
    ("Cloud migration (DE)", 125),
    ("Data platform (DE)", 130),
    ("Website redesign (BE)", 100),
    ("ERP rollout (BE)", 115),
    ("Security review (BE)", 140),
    ("Webshop Relaunch", 150),
    ("ERP-Einführung", 160),
    ("Cyber-Security Audit", 180),
    ("App de réservation", 155),
    ("IT-Support", 120),
];

fn demo_org(
    id_seed: u64,
    slug: &str,
    legal_name: &str,
    country: Country,
    currency: Currency,
    prefixes: (&str, &str),
) -> Result<Organization> {
    let num = |p: &str| {
        NumberingPattern::parse(&format!("{p}-{{YYYY}}-{{SEQ:5}}"), Reset::Yearly)
            .map_err(|e| AppError::invalid("numbering", e))
    };
    let iban = |s: &str| Iban::parse(s).map_err(|e| AppError::invalid("iban", e));
    let fr = country == Country::FR;
    let s = siren(id_seed);
    Ok(Organization {
        id: Uuid::now_v7(),
        slug: slug.into(),
        legal_name: legal_name.into(),
        ids: if fr {
            LegalIds {
                siret: siret(&s, 17),
                vat_id: Some(VatId::french_from_siren(&s)),
                siren: Some(s),
                uid: None,
            }
        } else {
            let uid = swiss_uid(id_seed);
            LegalIds {
                vat_id: uid.as_ref().and_then(|u| VatId::parse(&u.formatted()).ok()),
                uid,
                siren: None,
                siret: None,
            }
        },
        address: if fr {
            Address {
                street: Some("Rue des Petites Écuries".into()),
                building_number: Some("12".into()),
                postal_code: "75010".into(),
                city: "Paris".into(),
                country,
            }
        } else {
            Address {
                street: Some("Bahnhofstrasse".into()),
                building_number: Some("10".into()),
                postal_code: "8001".into(),
                city: "Zürich".into(),
                country,
            }
        },
        iban: Some(if fr {
            iban("FR7630006000011234567890189")?
        } else {
            iban("CH9300762011623852957")?
        }),
        qr_iban: if fr {
            None
        } else {
            Some(iban("CH4431999123000889012")?)
        },
        language: if fr { Language::Fr } else { Language::De },
        currency,
        terms: PaymentTerms { days: 30 },
        invoice_numbering: num(prefixes.0)?,
        credit_note_numbering: num(prefixes.1)?,
    })
}

fn client_from(seed: &ClientSeed, org: &Organization, n: u64, currency: Currency) -> Client {
    let ids = match seed.country.as_str() {
        "FR" => {
            let s = siren(1_000 + n);
            LegalIds {
                siret: siret(&s, 1 + n % 50),
                vat_id: Some(VatId::french_from_siren(&s)),
                siren: Some(s),
                uid: None,
            }
        }
        "CH" => {
            let uid = swiss_uid(1_000 + n);
            LegalIds {
                vat_id: uid.as_ref().and_then(|u| VatId::parse(&u.formatted()).ok()),
                uid,
                ..Default::default()
            }
        }
        "DE" => LegalIds {
            vat_id: VatId::parse(&format!("DE{}", 811_000_000 + n * 7_727 % 188_000_000)).ok(),
            ..Default::default()
        },
        _ => LegalIds {
            vat_id: belgian_vat(n),
            ..Default::default()
        },
    };
    let domain: String = seed
        .name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(14)
        .collect::<String>()
        .to_lowercase();
    Client {
        id: Uuid::now_v7(),
        organization_id: org.id,
        name: seed.name.into(),
        ids,
        address: Address {
            street: Some(seed.street.into()),
            building_number: Some(seed.number.into()),
            postal_code: seed.postal.into(),
            city: seed.city.into(),
            country: seed.country,
        },
        email: Some(format!("comptabilite@{domain}.test")),
        language: seed.lang,
        currency,
        terms: PaymentTerms {
            days: [30, 30, 45, 60][(n % 4) as usize],
        },
        requires_purchase_order: n % 7 == 3,
    }
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or_default()
}

fn months_before(today: NaiveDate, k: u32) -> (i32, u32) {
    let total = today.year() * 12 + today.month0() as i32 - k as i32;
    (total.div_euclid(12), total.rem_euclid(12) as u32 + 1)
}

impl App {
    /// Seeds the demo workspace as of `today` (idempotent).
    pub async fn seed_demo(&self, today: NaiveDate) -> Result<DemoSummary> {
        let clock = Arc::new(FixedClock::new(Utc::now()));
        let app = App {
            store: self.store.clone(),
            config: self.config.clone(),
            clock: clock.clone(),
            secrets: self.secrets.clone(),
        };
        let mut summary = DemoSummary::default();
        let mut rng = Rng(0x00C7_E7A5_50C1_E7E5);
        let set_day = |d: NaiveDate, hour: u32| {
            clock.set(Utc.from_utc_datetime(&d.and_hms_opt(hour, 0, 0).unwrap_or_default()));
        };
        let start = months_before(today, 6);
        set_day(
            NaiveDate::from_ymd_opt(start.0, start.1, 1).unwrap_or(today),
            8,
        );

        let fr = app
            .demo_organization(demo_org(
                11,
                "octet-associes",
                "Octet & Associés SAS",
                Country::FR,
                Currency::EUR,
                ("F", "AV"),
            )?)
            .await?;
        let ch = app
            .demo_organization(demo_org(
                12,
                "octet-suisse",
                "Octet Suisse SA",
                Country::CH,
                Currency::CHF,
                ("RE", "GS"),
            )?)
            .await?;
        summary.organizations = vec![fr.legal_name.clone(), ch.legal_name.clone()];
        app.demo_users(&[&fr, &ch]).await?;

        // Clients and projects.
        let mut fr_clients = Vec::new();
        for (i, seed) in FR_CLIENTS.iter().chain(EU_CLIENTS.iter()).enumerate() {
            fr_clients.push(
                app.demo_client(
                    &fr,
                    client_from(seed, &fr, i as u64, Currency::EUR),
                    &format!("demo-client-{i}"),
                )
                .await?,
            );
        }
        let mut ch_clients = Vec::new();
        for (i, seed) in CH_CLIENTS.iter().enumerate() {
            let cur = if i == 9 { Currency::EUR } else { Currency::CHF };
            ch_clients.push(
                app.demo_client(
                    &ch,
                    client_from(seed, &ch, 100 + i as u64, cur),
                    &format!("demo-client-ch-{i}"),
                )
                .await?,
            );
        }
        summary.clients = fr_clients.len() + ch_clients.len();
        let mut projects: Vec<(Organization, Client, Project)> = Vec::new();
        for (i, (name, rate)) in PROJECTS.iter().enumerate() {
            let (org, client) = if i < 10 {
                (&fr, &fr_clients[i * 2])
            } else if i < 15 {
                (&fr, &fr_clients[20 + (i - 10) * 2])
            } else if i == 19 {
                // Ticino Software SA pays in EUR: a Swiss QR-bill in EUR.
                (&ch, &ch_clients[9])
            } else {
                (&ch, &ch_clients[(i - 15) * 2])
            };
            let p = Project {
                id: Uuid::now_v7(),
                organization_id: org.id,
                client_id: client.id,
                name: (*name).into(),
                hourly_rate: Some(Money::new(Decimal::from(*rate), client.currency)),
                external_id: Some(format!("demo-project-{i}")),
            };
            let mut tx = app.store.write().await?;
            let id = tx.insert_project(&p, app.now()).await?;
            tx.commit().await?;
            projects.push((org.clone(), client.clone(), Project { id, ..p }));
        }
        summary.projects = projects.len();

        // Six months of invoices, issued at each month's end, in date order.
        for k in (1..=6).rev() {
            let (y, m) = months_before(today, k);
            let issue = month_end(y, m);
            set_day(issue, 17);
            for (pi, (org, client, project)) in projects.iter().enumerate() {
                if rng.chance(12) {
                    continue; // no work that month
                }
                let actor = Actor::system(org.id, "demo");
                let hours = Decimal::new(8 + rng.below(90) as i64, 0)
                    + Decimal::new(5 * rng.below(2) as i64, 1);
                let rate = project
                    .hourly_rate
                    .map(|r| r.amount())
                    .unwrap_or(Decimal::ONE_HUNDRED);
                let (cat, pct) = vat_for(org, client);
                let mut lines = vec![DraftLine {
                    description: format!(
                        "{} — {} {:02}/{y}",
                        project.name,
                        label_hours(client.language),
                        m
                    ),
                    quantity: hours,
                    unit: Some("HUR".into()),
                    unit_price: rate,
                    discount_percent: None,
                    vat_category: cat.into(),
                    vat_percent: pct,
                    time_entry_ids: vec![],
                }];
                if rng.chance(30) {
                    lines.push(DraftLine {
                        description: label_licence(client.language).into(),
                        quantity: Decimal::ONE,
                        unit: Some("C62".into()),
                        unit_price: Decimal::new(240 + 10 * rng.below(30) as i64, 0),
                        discount_percent: Some(Decimal::new(
                            if rng.chance(30) { 10 } else { 0 },
                            0,
                        )),
                        vat_category: cat.into(),
                        vat_percent: pct,
                        time_entry_ids: vec![],
                    });
                }
                let external = format!("demo-inv-{pi}-{y}-{m:02}");
                let id = app
                    .demo_issued(
                        &actor,
                        client,
                        lines,
                        Period {
                            start: NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(issue),
                            end: issue,
                        },
                        &external,
                        issue,
                        &mut summary,
                    )
                    .await?;
                let inv = app.invoice_detail(&actor, id).await?;
                summary.invoices_issued += 1;
                // Payment behaviour: older invoices mostly paid, recent ones mostly open.
                let due = inv.invoice.due_date.unwrap_or(issue);
                let gross = inv.totals.tax_inclusive;
                let behaviour = rng.below(100);
                if inv.invoice.status == InvoiceStatus::Issued {
                    let s = app.mark_invoice_sent(&actor, id).await?;
                    debug_assert_eq!(s.status, InvoiceStatus::Sent);
                }
                let pay_day = due + Duration::days(rng.below(25) as i64 - 10);
                let settled_by_now = pay_day < today;
                if (k == 4 && pi % 9 == 4) || (k == 2 && pi % 7 == 2) {
                    // A disputed rate, cancelled by a credit note two weeks later.
                    set_day(issue + Duration::days(14), 11);
                    let cn = app
                        .draft_credit_note(
                            &actor,
                            id,
                            "Taux horaire erroné — annule et remplace",
                            Some(&format!("{external}-cn")),
                        )
                        .await?;
                    app.demo_issued_existing(&actor, cn.id, issue + Duration::days(14))
                        .await?;
                    summary.credit_notes += 1;
                    set_day(issue, 17);
                    continue;
                }
                if !settled_by_now || inv.invoice.paid.amount() >= gross.amount() {
                    continue;
                }
                let remaining = gross
                    .checked_sub(&inv.invoice.paid)
                    .map_err(|e| AppError::Conflict(e.to_string()))?;
                set_day(pay_day.min(today), 10);
                let amount = if behaviour < 72 {
                    Some(remaining)
                } else if behaviour < 84 {
                    // Pays part of it (instalment or disputed line).
                    Some(Money::new(
                        (remaining.amount() * Decimal::new(4, 1)).round_dp(2),
                        remaining.currency(),
                    ))
                } else {
                    None // overdue
                };
                if let Some(a) = amount.filter(|a| !a.is_zero()) {
                    app.record_payment(
                        &actor,
                        id,
                        a,
                        pay_day.min(today),
                        "demo",
                        inv.invoice.payment_reference.as_ref().map(|r| r.as_str()),
                    )
                    .await?;
                }
            }
        }

        // This month's drafts wait for approval; unbilled hours wait for the next run.
        set_day(today, 9);
        // They are prepared by the accountant (who therefore cannot approve them); one of
        // them bills far more hours than the client's usual invoice, so a rule warns.
        for (pi, (org, client, project)) in projects.iter().enumerate().filter(|(i, _)| i % 6 == 1)
        {
            let actor = app.member_actor(org.id, "accountant@demo.test").await?;
            let (cat, pct) = vat_for(org, client);
            let hours = if pi == UNUSUAL_DRAFT {
                320
            } else {
                20 + pi as i64
            };
            let d = app
                .create_draft(
                    &actor,
                    DraftRequest {
                        client_id: client.id,
                        currency: None,
                        lines: vec![DraftLine {
                            description: format!(
                                "{} — {}",
                                project.name,
                                label_hours(client.language)
                            ),
                            quantity: Decimal::new(hours, 0),
                            unit: Some("HUR".into()),
                            unit_price: project
                                .hourly_rate
                                .map(|r| r.amount())
                                .unwrap_or(Decimal::ONE_HUNDRED),
                            discount_percent: None,
                            vat_category: cat.into(),
                            vat_percent: pct,
                            time_entry_ids: vec![],
                        }],
                        service_period: None,
                        buyer_reference: None,
                        purchase_order: client
                            .requires_purchase_order
                            .then(|| format!("PO-{}", 4500 + pi)),
                        notes: None,
                        external_ref: Some(format!("demo-draft-{pi}")),
                    },
                )
                .await?;
            if d.status == InvoiceStatus::Draft {
                app.submit_invoice(&actor, d.id).await?;
            }
            summary.drafts_waiting += 1;
        }
        for (pi, (org, _, project)) in projects.iter().enumerate() {
            let mut tx = app.store.write().await?;
            for e in 0..4u32 {
                let day = today.with_day(1 + e * 4).unwrap_or(today);
                let started = Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap_or_default());
                let entry = TimeEntry {
                    id: Uuid::now_v7(),
                    organization_id: org.id,
                    project_id: project.id,
                    source: TimeSource::Manual,
                    external_id: format!("demo-te-{pi}-{e}"),
                    user_name: [
                        "Camille Durand",
                        "Lucas Martin",
                        "Léa Bernard",
                        "Jonas Weber",
                    ][(pi + e as usize) % 4]
                        .into(),
                    description: format!(
                        "{} — {}",
                        project.name,
                        [
                            "analyse",
                            "développement",
                            "revue de code",
                            "réunion client"
                        ][e as usize]
                    ),
                    started_at: started,
                    duration_seconds: 3600 * i64::from(2 + e),
                    billable: e != 3,
                    hourly_rate: project.hourly_rate,
                    invoice_id: None,
                };
                if tx.insert_time_entry(&entry, app.now()).await? {
                    summary.created_now += 1;
                }
            }
            tx.commit().await?;
        }
        summary.bank = Some(app.demo_bank(today, &fr).await?);
        summary.clockify = Some(app.demo_clockify(today, &fr).await?);
        Ok(summary)
    }

    async fn demo_organization(&self, org: Organization) -> Result<Organization> {
        let mut tx = self.store.write().await?;
        let org = if let Some(existing) = tx.organization_by_slug(&org.slug).await? {
            tx.commit().await?;
            existing
        } else {
            create_organization(&mut tx, &org, "system:demo", self.now()).await?;
            tx.commit().await?;
            org
        };
        // What the legal documents print: set once, and again only if a run before this
        // version left the defaults.
        let wanted = demo_document_settings(&org);
        let actor = Actor::system(org.id, "demo");
        if self.document_settings(&actor).await? != wanted {
            self.update_document_settings(&actor, &wanted).await?;
        }
        Ok(org)
    }

    async fn demo_users(&self, orgs: &[&Organization]) -> Result<()> {
        let hash = hash_password(DEMO_PASSWORD)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        for (email, role) in DEMO_USERS {
            let existing = tx.user_by_email(email).await?;
            let user = existing.clone().unwrap_or_else(|| User {
                id: Uuid::now_v7(),
                email: email.into(),
                display_name: email.split('@').next().unwrap_or(email).to_owned(),
                password_hash: hash.clone(),
                language: "fr".into(),
            });
            let mut new_user = existing.is_none();
            for org in orgs {
                if tx.role_of(user.id, org.id).await? != Some(role) {
                    add_member(&mut tx, org, &user, role, new_user, "system:demo", now).await?;
                    new_user = false;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn demo_client(
        &self,
        org: &Organization,
        client: Client,
        external: &str,
    ) -> Result<Client> {
        let mut tx = self.store.write().await?;
        let id = tx
            .insert_client(&client, Some(external), self.now())
            .await?;
        if id == client.id {
            tx.append_audit(encaisse_store::audit::NewAuditEvent {
                organization_id: org.id,
                actor: "system:demo",
                action: "client.created",
                entity_type: "client",
                entity_id: &id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "name": client.name, "country": client.address.country.as_str() })),
                at: self.now(),
            })
            .await?;
        }
        let stored = tx.client(org.id, id).await?;
        let accounting = tx.client_accounting(org.id, id).await?;
        tx.commit().await?;
        let wanted = ClientAccounting {
            is_business: Some(true),
            accounting_code: Some(crate::exports::customer_code(
                &stored.name,
                &ClientAccounting::default(),
            )),
        };
        if accounting != wanted {
            let actor = Actor::system(org.id, "demo");
            self.update_client_accounting(&actor, id, &wanted).await?;
        }
        Ok(stored)
    }

    #[allow(clippy::too_many_arguments)]
    async fn demo_issued(
        &self,
        actor: &Actor,
        client: &Client,
        lines: Vec<DraftLine>,
        period: Period,
        external: &str,
        issue: NaiveDate,
        summary: &mut DemoSummary,
    ) -> Result<Uuid> {
        let d = self
            .create_draft(
                actor,
                DraftRequest {
                    client_id: client.id,
                    currency: None,
                    lines,
                    service_period: Some(period),
                    buyer_reference: None,
                    purchase_order: client
                        .requires_purchase_order
                        .then(|| format!("PO-{}", 4000 + period.end.month())),
                    notes: None,
                    external_ref: Some(external.to_owned()),
                },
            )
            .await?;
        if d.status == InvoiceStatus::Draft {
            summary.created_now += 1;
        }
        self.demo_issued_existing(actor, d.id, issue).await?;
        Ok(d.id)
    }

    /// Moves a draft of the demo through submission, approval and issue, from wherever a
    /// previous run left it. The approval circuit is the real one: the demo approver decides
    /// the first level, the demo owner the second (invoices above the two-level threshold).
    async fn demo_issued_existing(&self, actor: &Actor, id: Uuid, issue: NaiveDate) -> Result<()> {
        let mut status = self.invoice_detail(actor, id).await?.invoice.status;
        if status == InvoiceStatus::Draft {
            status = self.submit_invoice(actor, id).await?.status;
        }
        for email in ["approver@demo.test", "owner@demo.test"] {
            if status == InvoiceStatus::PendingApproval {
                let who = self.member_actor(actor.organization_id, email).await?;
                status = self.approve_invoice(&who, id).await?.status;
            }
        }
        if status == InvoiceStatus::Approved {
            self.issue_invoice(actor, id, issue).await?;
        }
        Ok(())
    }
}

/// The demo organizations' bank, company mentions and accounting codes.
fn demo_document_settings(org: &Organization) -> DocumentSettings {
    let siren = org.ids.siren.as_ref().map(|s| {
        let s = s.as_str();
        format!("{} {} {}", &s[..3], &s[3..6], &s[6..])
    });
    let uid = org.ids.uid.as_ref().map(|u| u.formatted());
    if org.address.country == Country::FR {
        DocumentSettings {
            bic: Some("AGRIFRPPXXX".into()),
            legal_form: Some("SAS".into()),
            share_capital: Some("50 000 €".into()),
            registration: siren.map(|s| format!("RCS Paris {s}")),
            contact_email: Some("facturation@octet-associes.test".into()),
            phone: Some("+33 1 84 80 12 34".into()),
            website: Some("octet-associes.test".into()),
            // The ECB refinancing rate plus ten points, the default of Code de commerce L441-10.
            late_payment_rate: Some(Decimal::new(1215, 2)),
            early_payment_discount: None,
            epc_qr: true,
            ..DocumentSettings::default()
        }
    } else {
        DocumentSettings {
            bic: Some("UBSWCHZH80A".into()),
            legal_form: None,
            share_capital: Some("CHF 100 000".into()),
            registration: uid.map(|u| format!("Handelsregister des Kantons Zürich, {u}")),
            contact_email: Some("rechnungen@octet-suisse.test".into()),
            phone: Some("+41 44 500 12 34".into()),
            website: Some("octet-suisse.test".into()),
            ..DocumentSettings::default()
        }
    }
}

fn vat_for(org: &Organization, client: &Client) -> (&'static str, Decimal) {
    match (
        org.address.country.as_str(),
        client.address.country.as_str(),
    ) {
        ("FR", "FR") => ("S", encaisse_core::vat::france::STANDARD),
        ("CH", "CH") => ("S", encaisse_core::vat::switzerland::STANDARD),
        (_, c) if Country::parse(c).is_ok_and(|c| c.is_eu()) => ("AE", Decimal::ZERO),
        _ => ("G", Decimal::ZERO),
    }
}

fn label_hours(l: Language) -> &'static str {
    match l {
        Fr => "prestations",
        De => "Dienstleistungen",
        En => "services",
    }
}

fn label_licence(l: Language) -> &'static str {
    match l {
        Fr => "Licence logicielle et hébergement (forfait mensuel)",
        De => "Softwarelizenz und Hosting (Monatspauschale)",
        En => "Software licence and hosting (monthly flat fee)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_identifiers_are_valid() {
        for n in 0..200 {
            let s = siren(n);
            assert!(siret(&s, 1 + n % 50).is_some(), "siret {n}");
            assert!(swiss_uid(n).is_some(), "uid {n}");
            assert!(belgian_vat(n).is_some(), "be {n}");
        }
    }

    #[test]
    fn months_are_counted_back_across_years() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap_or_default();
        assert_eq!(months_before(d, 1), (2026, 1));
        assert_eq!(months_before(d, 2), (2025, 12));
        assert_eq!(
            month_end(2026, 2),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap_or_default()
        );
    }
}
