//! The web UI: server-rendered pages (askama templates in `templates/`), one stylesheet and
//! one small progressive-enhancement script served from the binary, in French, English and
//! German.
//!
//! - A page needs a browser session ([`Ui`] redirects to `/login` otherwise) and acts in the
//!   session's organization; roles are the app's to enforce, the pages only hide what a role
//!   cannot do.
//! - Every form carries the session's CSRF token in `_csrf`, compared in constant time
//!   ([`Ui::form`]); the login form uses a double-submit cookie, there being no session yet.
//! - After a POST the browser is redirected (303) to a page; the outcome travels in a
//!   short-lived `encaisse_flash` cookie, never in the URL.

// Page helpers answer `Result<_, Response>`: the error is the page to show, built once and
// returned at once; boxing it would only add noise to every handler.
#![allow(clippy::result_large_err)]

mod assets;
mod charts;
pub(crate) mod format;
pub(crate) mod i18n;
mod pages;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use encaisse_app::auth::Actor;
use encaisse_app::{App, AppError};
use encaisse_core::language::Language;
use encaisse_core::party::Organization;
use encaisse_core::role::{Permission, Role};
use encaisse_store::auth::User;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie};
use i18n::Tr;

/// Cookie carrying the outcome of the last POST to the next page.
const FLASH_COOKIE: &str = "encaisse_flash";

/// The pages and their assets.
pub fn router() -> Router<AppState> {
    use pages::*;
    Router::new()
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/", get(dashboard::page))
        .route("/inbox", get(inbox::page))
        .route("/inbox/approve-clean", post(inbox::approve_clean))
        .route("/invoices", get(list::page))
        .route("/invoices/{id}", get(invoice::page))
        .route("/invoices/{id}/approve", post(invoice::approve))
        .route("/invoices/{id}/reject", post(invoice::reject))
        .route("/invoices/{id}/submit", post(invoice::submit))
        .route("/invoices/{id}/withdraw", post(invoice::withdraw))
        .route("/invoices/{id}/issue", post(invoice::issue))
        .route("/invoices/{id}/edit", get(edit::page).post(edit::save))
        .route("/invoices/{id}/preview", get(preview::page))
        .route("/invoices/{id}/document.json", get(preview::document))
        .route("/clients", get(clients::list))
        .route("/bank", get(bank::page))
        .route("/bank/suggestions/{id}/confirm", post(bank::confirm))
        .route("/bank/suggestions/{id}/reject", post(bank::reject))
        .route("/clients/{id}", get(clients::detail))
        .route("/settings", get(settings::page))
        .route("/settings/validation", post(settings::save_validation))
        .route("/settings/delegations", post(settings::delegate))
        .route("/settings/delegations/{id}/revoke", post(settings::revoke))
        .route("/organization", post(settings::switch_organization))
        .route("/language", post(settings::language))
        .route("/notifications", get(settings::notifications))
        .route("/notifications/read", post(settings::read_notifications))
        .merge(assets::router())
}

/// An organization in the switcher.
pub(crate) struct OrgOption {
    pub id: String,
    pub name: String,
    pub current: bool,
}

/// What the layout of every page shows.
pub(crate) struct Layout {
    pub t: Tr,
    pub lang: &'static str,
    pub user: String,
    pub role: &'static str,
    pub csrf: String,
    pub orgs: Vec<OrgOption>,
    pub active: &'static str,
    pub path: String,
    pub waiting: usize,
    pub unread: i64,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// A logged-in browser request.
pub(crate) struct Ui {
    pub app: App,
    pub user: User,
    pub token: String,
    pub csrf: String,
    pub actor: Option<Actor>,
    pub lang: Language,
    pub orgs: Vec<(Organization, Role)>,
    pub path: String,
    pub headers: HeaderMap,
}

fn login_redirect(path: &str) -> Response {
    let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

impl FromRequestParts<AppState> for Ui {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.to_string())
            .unwrap_or_else(|| parts.uri.to_string());
        let app = state.app.clone();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(login_redirect(&path));
        };
        let (user, session) = match app.session(&token).await {
            Ok(s) => s,
            Err(AppError::Unauthenticated(_)) => return Err(login_redirect(&path)),
            Err(e) => return Err(error_page(Tr(Language::default()), e)),
        };
        let lang = i18n::negotiate(
            app.ui_language(user.id).await.ok().flatten(),
            &parts.headers,
        );
        let actor = match session.organization_id {
            Some(org) => match app.actor_for(&user, org).await {
                Ok(a) => Some(a),
                Err(AppError::NotFound { .. }) => None,
                Err(e) => return Err(error_page(Tr(lang), e)),
            },
            None => None,
        };
        let orgs = app
            .organizations_of(user.id)
            .await
            .map_err(|e| error_page(Tr(lang), e))?;
        Ok(Ui {
            app,
            user,
            token,
            csrf: session.csrf_token,
            actor,
            lang,
            orgs,
            path,
            headers: parts.headers.clone(),
        })
    }
}

impl Ui {
    pub fn t(&self) -> Tr {
        Tr(self.lang)
    }

    /// The actor in the current organization, or a 403 page.
    pub fn actor(&self) -> Result<&Actor, Response> {
        self.actor.as_ref().ok_or_else(|| {
            page_status(
                StatusCode::FORBIDDEN,
                self.t(),
                self.t().s("error.forbidden"),
                "You act in no organization: ask an owner to add you.",
            )
        })
    }

    pub fn can(&self, p: Permission) -> bool {
        self.actor.as_ref().is_some_and(|a| a.role.allows(p))
    }

    /// The layout of a page, with the inbox count and unread notifications.
    pub async fn layout(&self, active: &'static str) -> Layout {
        let (waiting, unread) = match &self.actor {
            Some(a) => (
                self.app
                    .waiting_for_me(a)
                    .await
                    .map(|w| w.len())
                    .unwrap_or(0),
                self.app.notifications(a, 1).await.map(|n| n.1).unwrap_or(0),
            ),
            None => (0, 0),
        };
        let (flash, error) = match cookie(&self.headers, FLASH_COOKIE) {
            Some(v) => {
                let v: String = form_urlencoded::parse(format!("f={v}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                match v.split_once(':') {
                    Some(("ok", key)) => (Some(self.t().s(key).to_owned()), None),
                    Some(("okn", rest)) => (Some(rest.to_owned()), None),
                    Some(("err", msg)) => (None, Some(msg.to_owned())),
                    _ => (None, None),
                }
            }
            None => (None, None),
        };
        let current = self.actor.as_ref().map(|a| a.organization_id);
        Layout {
            t: self.t(),
            lang: self.lang.code(),
            user: self.user.email.clone(),
            role: self.actor.as_ref().map(|a| a.role.as_str()).unwrap_or("—"),
            csrf: self.csrf.clone(),
            orgs: self
                .orgs
                .iter()
                .map(|(o, _)| OrgOption {
                    id: o.id.to_string(),
                    name: o.legal_name.clone(),
                    current: Some(o.id) == current,
                })
                .collect(),
            active,
            path: self.path.clone(),
            waiting,
            unread,
            flash,
            error,
        }
    }

    /// Parses a form body after checking its CSRF token (403 page otherwise).
    pub fn form<T: DeserializeOwned>(&self, body: &Bytes) -> Result<T, Response> {
        let token = form_urlencoded::parse(body)
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let cross_site = self
            .headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            == Some("cross-site");
        if cross_site || !constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            return Err(page_status(
                StatusCode::FORBIDDEN,
                self.t(),
                self.t().s("error.forbidden"),
                "The form's security token is missing or stale: reload the page and try again.",
            ));
        }
        serde_urlencoded::from_bytes(body).map_err(|e| {
            page_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                self.t(),
                self.t().s("error.other"),
                &e.to_string(),
            )
        })
    }

    /// A page for an app error met while showing a page.
    pub fn fail(&self, e: AppError) -> Response {
        error_page(self.t(), e)
    }
}

/// Equality whose duration does not depend on where the inputs differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Renders a template, or a 500 page naming nothing internal.
pub(crate) fn render<T: askama::Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => {
            let mut res = Html(html).into_response();
            // The flash was shown: clear it.
            res.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_static(
                    "encaisse_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
                ),
            );
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "an internal error occurred and was logged",
            )
                .into_response()
        }
    }
}

/// A 303 to `to` carrying a flash: `ok:<catalog key>`, `okn:<text>` or `err:<message>`.
pub(crate) fn redirect_with(to: &str, flash: &str) -> Response {
    let value: String = form_urlencoded::byte_serialize(flash.as_bytes()).collect();
    let mut res = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={value}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Only local paths are followed after a form (no open redirect).
pub(crate) fn safe_next(next: Option<&str>, default: &str) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => default.to_owned(),
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    heading: String,
    message: String,
}

/// A layout without a session (error pages).
pub(crate) fn bare(t: Tr) -> Layout {
    Layout {
        t,
        lang: t.0.code(),
        user: String::new(),
        role: "",
        csrf: String::new(),
        orgs: Vec::new(),
        active: "",
        path: "/".into(),
        waiting: 0,
        unread: 0,
        flash: None,
        error: None,
    }
}

pub(crate) fn page_status(status: StatusCode, t: Tr, heading: &str, message: &str) -> Response {
    let mut res = render(&ErrorPage {
        l: bare(t),
        heading: heading.to_owned(),
        message: message.to_owned(),
    });
    *res.status_mut() = status;
    res
}

/// The page of an app error: 404, 403, or what to do.
pub(crate) fn error_page(t: Tr, e: AppError) -> Response {
    match &e {
        AppError::NotFound { .. } => page_status(
            StatusCode::NOT_FOUND,
            t,
            t.s("error.not_found"),
            t.s("error.not_found_text"),
        ),
        AppError::Forbidden { .. } => page_status(
            StatusCode::FORBIDDEN,
            t,
            t.s("error.forbidden"),
            &e.to_string(),
        ),
        AppError::Store(_) | AppError::Config(_) => {
            tracing::error!(error = %crate::problem::error_chain(&e), "page failed");
            page_status(
                StatusCode::INTERNAL_SERVER_ERROR,
                t,
                t.s("error.other"),
                "an internal error occurred and was logged",
            )
        }
        _ => page_status(StatusCode::CONFLICT, t, t.s("error.other"), &e.to_string()),
    }
}

/// The HTML 404 for browsers outside the API.
pub(crate) fn not_found_page(headers: &HeaderMap) -> Response {
    let t = Tr(i18n::negotiate(None, headers));
    page_status(
        StatusCode::NOT_FOUND,
        t,
        t.s("error.not_found"),
        t.s("error.not_found_text"),
    )
}
