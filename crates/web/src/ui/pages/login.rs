//! Logging in and out from the browser.

use std::time::Instant;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use encaisse_app::AppError;
use encaisse_app::auth::random_token;
use encaisse_core::language::Language;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cleared_session_cookie, cookie, session_cookie};
use crate::routes::session::ClientAddress;
use crate::ui::i18n::{self, LANG_COOKIE, Tr};
use crate::ui::{Ui, constant_time_eq, render, safe_next};

/// The double-submit cookie of the login form (there is no session yet to hold a token).
const LOGIN_CSRF: &str = "encaisse_login_csrf";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    lang: &'static str,
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
    next: Option<String>,
}

fn set_cookie(res: &mut Response, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn login_page(
    lang: Language,
    next: String,
    email: String,
    error: Option<String>,
    secure: bool,
) -> Response {
    let csrf = random_token();
    let mut res = render(&LoginPage {
        t: Tr(lang),
        lang: lang.code(),
        csrf: csrf.clone(),
        next,
        email,
        error,
    });
    let secure = if secure { "; Secure" } else { "" };
    set_cookie(
        &mut res,
        format!(
            "{LOGIN_CSRF}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
        ),
    );
    res
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref(), "/");
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && state.app.session(token).await.is_ok()
    {
        return Redirect::to(&next).into_response();
    }
    let chosen = q.lang.as_deref().and_then(Language::parse);
    let lang = chosen.unwrap_or_else(|| i18n::negotiate(None, &headers));
    let secure = state.app.config.secure_cookies();
    let mut res = login_page(lang, next, String::new(), None, secure);
    if let Some(l) = chosen {
        set_cookie(
            &mut res,
            format!(
                "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                l.code()
            ),
        );
    }
    res
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = i18n::negotiate(None, &headers);
    let secure = state.app.config.secure_cookies();
    let Ok(form) = serde_urlencoded::from_bytes::<LoginForm>(&body) else {
        return login_page(
            lang,
            "/".into(),
            String::new(),
            Some("Fill in the e-mail and the password.".into()),
            secure,
        );
    };
    let next = safe_next(form.next.as_deref(), "/");
    let expected = cookie(&headers, LOGIN_CSRF).unwrap_or("");
    let cross_site =
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site");
    if cross_site
        || expected.is_empty()
        || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes())
    {
        let mut res = login_page(
            lang,
            next,
            form.email,
            Some("The form expired: log in again.".into()),
            secure,
        );
        *res.status_mut() = StatusCode::FORBIDDEN;
        return res;
    }
    let limiter = &state.login_limiter;
    if let Err(wait) = limiter.check(&address, &form.email, Instant::now()) {
        let msg = format!(
            "Too many failed attempts: try again in {} seconds.",
            wait.as_secs().max(1)
        );
        let mut res = login_page(lang, next, form.email, Some(msg), secure);
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return res;
    }
    match state.app.login(&form.email, &form.password).await {
        Ok(s) => {
            limiter.record_success(&address, &form.email);
            let max_age = u64::from(state.app.config.security.session_hours) * 3600;
            let mut res = Redirect::to(&next).into_response();
            match session_cookie(&s.token, max_age, secure) {
                Ok(c) => {
                    res.headers_mut().append(header::SET_COOKIE, c);
                }
                Err(e) => {
                    tracing::error!(error = %e, "session cookie");
                    return (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "an internal error occurred and was logged",
                    )
                        .into_response();
                }
            }
            set_cookie(&mut res, format!("{LOGIN_CSRF}=; Path=/login; Max-Age=0"));
            res
        }
        Err(e @ AppError::Unauthenticated(_)) => {
            limiter.record_failure(&address, &form.email, Instant::now());
            tracing::info!(%address, "failed login");
            let msg = match lang {
                Language::Fr => "E-mail ou mot de passe incorrect.".to_owned(),
                Language::De => "E-Mail oder Passwort falsch.".to_owned(),
                Language::En => e.to_string(),
            };
            let mut res = login_page(lang, next, form.email, Some(msg), secure);
            *res.status_mut() = StatusCode::UNAUTHORIZED;
            res
        }
        Err(e) => crate::ui::error_page(Tr(lang), e),
    }
}

pub async fn logout(ui: Ui, body: Bytes) -> Response {
    if let Err(r) = ui.form::<serde::de::IgnoredAny>(&body) {
        return r;
    }
    if let Err(e) = ui.app.logout(&ui.token).await {
        return ui.fail(e);
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cleared_session_cookie(ui.app.config.secure_cookies()),
    );
    res
}
