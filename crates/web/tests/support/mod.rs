//! A real server on an ephemeral port over a fresh database, seeded through the app's use
//! cases (and the store for what the app cannot create yet: a second organization, members,
//! clients, time entries), driven over HTTP with reqwest.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use encaisse_app::App;
use encaisse_app::auth::{Actor, hash_password};
use encaisse_app::clock::FixedClock;
use encaisse_app::config::Config;
use encaisse_app::invoices::{DraftLine, DraftRequest};
use encaisse_app::setup::InitRequest;
use encaisse_core::invoice::Invoice;
use encaisse_core::language::Language;
use encaisse_core::party::{Address, Client, Country, LegalIds, Organization, PaymentTerms};
use encaisse_core::role::Role;
use encaisse_core::time_entry::{Project, TimeEntry, TimeSource};
use encaisse_core::{Currency, Money};
use encaisse_store::audit::NewAuditEvent;
use encaisse_store::auth::User;
use encaisse_store::testing::TestDb;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";
pub const OWNER: &str = "owner@octet.test";

/// 2026-03-15 10:00 UTC: invoices issued "today" are numbered in 2026.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 15, 10, 0, 0).unwrap()
}

/// Runs `scenario` once per backend (SQLite, and PostgreSQL when configured), each on a
/// fresh database and server.
pub async fn on_every_backend<F, Fut>(scenario: F)
where
    F: Fn(Server) -> Fut,
    Fut: Future<Output = ()>,
{
    on_every_backend_with(Config::default, scenario).await;
}

/// [`on_every_backend`] with a configuration.
pub async fn on_every_backend_with<C, F, Fut>(config: C, scenario: F)
where
    C: Fn() -> Config,
    F: Fn(Server) -> Fut,
    Fut: Future<Output = ()>,
{
    let dbs = TestDb::all().await.expect("test database");
    if std::env::var(encaisse_store::testing::PG_ENV).is_ok() {
        assert_eq!(dbs.len(), 2, "PostgreSQL is configured but was not used");
    }
    for db in dbs {
        eprintln!("-- on {:?}", db.store.backend());
        scenario(Server::start(db, config()).await).await;
    }
}

/// The running server, its app and database.
pub struct Server {
    pub base: String,
    pub app: App,
    pub http: reqwest::Client,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(String),
    /// Cookie value and CSRF token (`None`: send no CSRF header).
    Session {
        cookie: String,
        csrf: Option<String>,
    },
}

impl Auth {
    pub fn without_csrf(&self) -> Auth {
        match self {
            Auth::Session { cookie, .. } => Auth::Session {
                cookie: cookie.clone(),
                csrf: None,
            },
            other => other.clone(),
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer of this status and slug; returns the body.
    #[track_caller]
    pub fn problem(&self, status: u16, slug: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "expected {status} {slug}, got: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        let body = self.json();
        assert_eq!(
            body["type"],
            format!("urn:encaisse:problem:{slug}"),
            "{body}"
        );
        assert_eq!(body["status"], status);
        assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
        body
    }

    /// Asserts a 422 naming `field` in `errors`.
    #[track_caller]
    pub fn invalid_field(&self, field: &str) -> Value {
        let body = self.problem(422, "invalid-input");
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, vec![field], "{body}");
        body
    }

    #[track_caller]
    pub fn ok(&self) -> Value {
        assert!(
            self.status.is_success(),
            "expected success, got {}: {}",
            self.status,
            self.text
        );
        if self.text.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }
}

impl Server {
    /// `encaisse_web::serve` on an ephemeral loopback port.
    pub async fn start(db: TestDb, config: Config) -> Server {
        let app = App::new(db.store.clone(), config, Arc::new(FixedClock::new(now())));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(encaisse_web::serve(app.clone(), listener, async move {
            let _ = stopped.await;
        }));
        // reqwest is built without a TLS provider of its own; loopback http needs none, but
        // building a client requires one to be installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        Server {
            base,
            app,
            http,
            db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Sends a request; `body` as JSON when given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        req = authorize(req, auth);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        read(req).await
    }

    /// Sends a raw body with a content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        read(authorize(req, auth)).await
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> Reply {
        self.call(Method::GET, path, auth, None).await
    }

    pub async fn post(&self, path: &str, auth: &Auth, body: Value) -> Reply {
        self.call(Method::POST, path, auth, Some(body)).await
    }

    /// Logs in with JSON; returns the reply and the session auth.
    pub async fn login(&self, email: &str, password: &str) -> (Reply, Option<Auth>) {
        let r = self
            .post(
                "/api/v1/auth/login",
                &Auth::None,
                json!({ "email": email, "password": password }),
            )
            .await;
        let auth = session_of(&r);
        (r, auth)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

fn authorize(req: reqwest::RequestBuilder, auth: &Auth) -> reqwest::RequestBuilder {
    match auth {
        Auth::None => req,
        Auth::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
        Auth::Session { cookie, csrf } => {
            let req = req.header("cookie", format!("encaisse_session={cookie}"));
            match csrf {
                Some(c) => req.header("x-csrf-token", c),
                None => req,
            }
        }
    }
}

async fn read(req: reqwest::RequestBuilder) -> Reply {
    let res = req.send().await.expect("request sent");
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    Reply {
        status,
        headers,
        text,
    }
}

/// The session cookie and CSRF token of a successful login reply.
pub fn session_of(r: &Reply) -> Option<Auth> {
    let set = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v: &HeaderValue| v.to_str().ok())
        .find(|c| c.starts_with("encaisse_session="))?;
    let cookie = set
        .split(';')
        .next()?
        .trim_start_matches("encaisse_session=")
        .to_owned();
    let csrf = r.json()["csrf_token"].as_str().map(str::to_owned);
    (!cookie.is_empty()).then_some(Auth::Session { cookie, csrf })
}

/// The first organization and its owner, through the app's `init`.
pub async fn init(app: &App) -> (Organization, User) {
    let i = app
        .init(InitRequest {
            org_name: "Octet Conseil SAS".into(),
            country: Country::FR,
            currency: Currency::EUR,
            owner_email: OWNER.into(),
            owner_password: PASSWORD.into(),
        })
        .await
        .unwrap();
    legal_identity(app, &i.organization).await;
    (i.organization, i.owner)
}

/// What issuing a French invoice needs (SIREN, VAT number; IBAN for the payment
/// instructions), which `init` does not ask for.
pub async fn legal_identity(app: &App, org: &Organization) {
    app.store
        .execute_raw(&format!(
            "UPDATE organizations SET siren = '303265045', vat_id = 'FR40303265045', \
             iban = 'FR7630006000011234567890189' WHERE id = '{}'",
            org.id
        ))
        .await
        .unwrap();
}

/// Another organization with its owner (the app has no use case for a second one yet).
pub async fn add_organization(app: &App, name: &str, owner_email: &str) -> (Organization, User) {
    let (invoice_numbering, credit_note_numbering) = Organization::default_numbering();
    let org = Organization {
        id: Uuid::now_v7(),
        slug: encaisse_app::setup::slugify(name),
        legal_name: name.into(),
        ids: LegalIds::default(),
        address: Address {
            street: None,
            building_number: None,
            postal_code: "75001".into(),
            city: "Paris".into(),
            country: Country::FR,
        },
        iban: None,
        qr_iban: None,
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms::default(),
        invoice_numbering,
        credit_note_numbering,
    };
    let mut tx = app.store.write().await.unwrap();
    tx.insert_organization(&org, app.now()).await.unwrap();
    audit(
        &mut tx,
        org.id,
        "organization.created",
        "organization",
        org.id,
        app.now(),
    )
    .await;
    tx.commit().await.unwrap();
    let owner = add_user(app, &org, owner_email, Role::Owner).await;
    legal_identity(app, &org).await;
    (org, owner)
}

/// A new user with a role in `org`.
pub async fn add_user(app: &App, org: &Organization, email: &str, role: Role) -> User {
    let user = User {
        id: Uuid::now_v7(),
        email: email.into(),
        display_name: email.into(),
        password_hash: hash_password(PASSWORD).unwrap(),
        language: "fr".into(),
    };
    let mut tx = app.store.write().await.unwrap();
    tx.insert_user(&user, app.now()).await.unwrap();
    tx.upsert_membership(user.id, org.id, role, app.now())
        .await
        .unwrap();
    audit(
        &mut tx,
        org.id,
        "membership.granted",
        "user",
        user.id,
        app.now(),
    )
    .await;
    tx.commit().await.unwrap();
    user
}

/// Gives an existing user a role in another organization.
pub async fn add_membership(app: &App, org: &Organization, user: &User, role: Role) {
    let mut tx = app.store.write().await.unwrap();
    tx.upsert_membership(user.id, org.id, role, app.now())
        .await
        .unwrap();
    audit(
        &mut tx,
        org.id,
        "membership.granted",
        "user",
        user.id,
        app.now(),
    )
    .await;
    tx.commit().await.unwrap();
}

async fn audit(
    tx: &mut encaisse_store::Tx,
    org: Uuid,
    action: &str,
    entity_type: &str,
    id: Uuid,
    at: DateTime<Utc>,
) {
    tx.append_audit(NewAuditEvent {
        organization_id: org,
        actor: "system:test",
        action,
        entity_type,
        entity_id: &id.to_string(),
        before: None,
        after: None,
        at,
    })
    .await
    .unwrap();
}

/// A client of `org` in EUR.
pub async fn add_client(app: &App, org: &Organization, name: &str) -> Uuid {
    let c = Client {
        id: Uuid::now_v7(),
        organization_id: org.id,
        name: name.into(),
        ids: LegalIds::default(),
        address: Address {
            street: Some("Rue Neuve".into()),
            building_number: Some("3".into()),
            postal_code: "69001".into(),
            city: "Lyon".into(),
            country: Country::FR,
        },
        email: Some("compta@client.test".into()),
        language: Language::Fr,
        currency: Currency::EUR,
        terms: PaymentTerms { days: 30 },
        requires_purchase_order: false,
    };
    let mut tx = app.store.write().await.unwrap();
    tx.insert_client(&c, None, app.now()).await.unwrap();
    audit(&mut tx, org.id, "client.created", "client", c.id, app.now()).await;
    tx.commit().await.unwrap();
    c.id
}

/// `n` time entries of one project of `client`, the first `billed` of them on `invoice`.
pub async fn add_time_entries(app: &App, org: &Organization, client: Uuid, n: usize) -> Vec<Uuid> {
    let project = Project {
        id: Uuid::now_v7(),
        organization_id: org.id,
        client_id: client,
        name: "Refonte".into(),
        hourly_rate: Some(Money::new(dec!(95), Currency::EUR)),
        external_id: None,
    };
    let mut tx = app.store.write().await.unwrap();
    tx.insert_project(&project, app.now()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let e = TimeEntry {
            id: Uuid::now_v7(),
            organization_id: org.id,
            project_id: project.id,
            source: TimeSource::Manual,
            external_id: format!("e{i}"),
            user_name: "Alice".into(),
            description: format!("Atelier {i}"),
            started_at: now(),
            duration_seconds: 5400,
            billable: true,
            hourly_rate: None,
            invoice_id: None,
        };
        tx.insert_time_entry(&e, app.now()).await.unwrap();
        ids.push(e.id);
    }
    tx.commit().await.unwrap();
    ids
}

/// A draft of one line, created through the use case as the organization's system actor.
pub async fn add_draft(app: &App, org: &Organization, client: Uuid) -> Invoice {
    let actor = Actor::system(org.id, "test");
    app.create_draft(&actor, draft_request(client))
        .await
        .unwrap()
}

pub fn draft_request(client: Uuid) -> DraftRequest {
    DraftRequest {
        client_id: client,
        currency: None,
        lines: vec![DraftLine {
            description: "Conseil".into(),
            quantity: dec!(2),
            unit: Some("DAY".into()),
            unit_price: dec!(800),
            discount_percent: None,
            vat_category: "E".into(),
            vat_percent: dec!(0),
            time_entry_ids: vec![],
        }],
        service_period: None,
        buyer_reference: None,
        purchase_order: None,
        notes: None,
        external_ref: None,
    }
}

/// The JSON of a valid draft for `client` (exempt, so the seller needs no VAT number).
pub fn draft_json(client: Uuid) -> Value {
    json!({
        "client_id": client,
        "lines": [{
            "description": "Développement",
            "quantity": "12.5",
            "unit": "HUR",
            "unit_price": "95",
            "vat_category": "E",
            "vat_percent": "0"
        }]
    })
}

/// An API token of `email` in its (only) organization.
pub async fn token(app: &App, email: &str, org: &Organization) -> Auth {
    Auth::Bearer(
        app.create_api_token(email, Some(&org.slug), "tests")
            .await
            .unwrap()
            .token,
    )
}
