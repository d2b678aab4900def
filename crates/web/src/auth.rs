//! Who is calling: a bearer API token or a session cookie, resolved once per request by the
//! [`authenticate`] middleware that guards every non-public route.
//!
//! - `Authorization: Bearer enc_…` → the token's user acting in the token's organization.
//!   Wins over a cookie; needs no CSRF token (a browser never sends it on its own).
//! - Cookie `encaisse_session` → the session's user in the session's current organization.
//!   Unsafe methods must carry `X-CSRF-Token` equal to the session's token.
//!
//! Permissions are not decided here: the app's use cases call `Actor::require`.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use encaisse_app::AppError;
use encaisse_app::auth::Actor;
use encaisse_store::auth::{Session, User};
use uuid::Uuid;

use crate::AppState;
use crate::problem::Problem;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "encaisse_session";
/// Header carrying the CSRF token on cookie-authenticated unsafe requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Clone, Debug)]
pub enum Credential {
    /// A browser session: the cookie's token, the stored session and its user.
    Session {
        token: String,
        session: Session,
        user: Box<User>,
    },
    /// An API token (bound to one organization).
    Token,
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: Uuid,
    pub email: String,
    pub credential: Credential,
    /// Acting in the current organization; `None` for a session of a user who belongs to
    /// no organization (any more).
    actor: Option<Actor>,
}

impl Caller {
    /// The actor in the current organization, or 403 when there is none.
    pub fn actor(&self) -> Result<&Actor, Problem> {
        self.actor.as_ref().ok_or_else(|| {
            Problem::forbidden("you act in no organization: ask an owner to add you, or choose one with POST /api/v1/session/organization")
        })
    }

    pub fn current_organization(&self) -> Option<Uuid> {
        self.actor.as_ref().map(|a| a.organization_id)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        // Present on every route behind `authenticate`; absent means the route was wired
        // without it, which must fail closed.
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            Problem::unauthenticated(
                "log in, or send an API token as `Authorization: Bearer enc_…`",
            )
        })
    }
}

/// Middleware guarding every authenticated route: resolves the caller, enforces CSRF for
/// cookie sessions, and stores the [`Caller`] in the request.
pub async fn authenticate(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, Problem> {
    let caller = resolve(&state, req.method(), req.headers()).await?;
    req.extensions_mut().insert(caller);
    Ok(next.run(req).await)
}

async fn resolve(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Caller, Problem> {
    let app = &state.app;
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = bearer_token(value).ok_or_else(|| {
            Problem::unauthenticated("the Authorization header must be `Bearer enc_…`")
        })?;
        let actor = app.authenticate_token(token).await?;
        let user_id = actor
            .user_id
            .ok_or_else(|| Problem::unauthenticated("this token has no user"))?;
        return Ok(Caller {
            user_id,
            email: actor.label.clone(),
            credential: Credential::Token,
            actor: Some(actor),
        });
    }
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Err(Problem::unauthenticated(
            "log in (POST /api/v1/auth/login), or send an API token as `Authorization: Bearer enc_…`",
        ));
    };
    let (user, session) = app.session(token).await?;
    if is_unsafe(method) && !csrf_matches(headers, &session.csrf_token) {
        return Err(Problem::forbidden(
            "missing or wrong X-CSRF-Token header: send the csrf_token returned at login with every POST, PUT, PATCH or DELETE",
        ));
    }
    let actor = match session.organization_id {
        Some(org) => actor_or_none(app.actor_for(&user, org).await)?,
        None => None,
    };
    Ok(session_caller(&user, token, session, actor))
}

fn session_caller(user: &User, token: &str, session: Session, actor: Option<Actor>) -> Caller {
    Caller {
        user_id: user.id,
        email: user.email.clone(),
        credential: Credential::Session {
            token: token.to_owned(),
            session,
            user: Box::new(user.clone()),
        },
        actor,
    }
}

/// A user removed from the session's organization keeps a session that acts nowhere, so they
/// can still list their organizations and switch.
fn actor_or_none(r: Result<Actor, AppError>) -> Result<Option<Actor>, Problem> {
    match r {
        Ok(a) => Ok(Some(a)),
        Err(AppError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn bearer_token(value: &HeaderValue) -> Option<&str> {
    let v = value.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn csrf_matches(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|given| constant_time_eq(given.trim().as_bytes(), expected.as_bytes()))
}

/// Equality whose duration does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of a cookie from the `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// A session token that cannot travel in a header (the app makes URL-safe ones).
#[derive(Debug, thiserror::Error)]
#[error("the session token is not a valid cookie value")]
pub struct InvalidSessionToken;

/// `Set-Cookie` for a new session.
pub fn session_cookie(
    token: &str,
    max_age_secs: u64,
    secure: bool,
) -> Result<HeaderValue, InvalidSessionToken> {
    let secure = if secure { "; Secure" } else { "" };
    if !token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(InvalidSessionToken);
    }
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}"
    ))
    .map_err(|_| InvalidSessionToken)
}

/// `Set-Cookie` that removes the session cookie.
pub fn cleared_session_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static(
            "encaisse_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure",
        )
    } else {
        HeaderValue::from_static("encaisse_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_parsed() {
        assert_eq!(
            bearer_token(&HeaderValue::from_static("Bearer enc_abc")),
            Some("enc_abc")
        );
        assert_eq!(
            bearer_token(&HeaderValue::from_static("bearer  enc_abc ")),
            Some("enc_abc")
        );
        assert_eq!(
            bearer_token(&HeaderValue::from_static("Basic dXNlcg==")),
            None
        );
        assert_eq!(bearer_token(&HeaderValue::from_static("Bearer ")), None);
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; encaisse_session=tok; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("x_encaisse_session=no"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), None);
    }

    #[test]
    fn csrf_needs_the_exact_token_on_unsafe_methods() {
        let mut h = HeaderMap::new();
        assert!(!csrf_matches(&h, "secret"));
        h.insert(CSRF_HEADER, HeaderValue::from_static("secreT"));
        assert!(!csrf_matches(&h, "secret"));
        h.insert(CSRF_HEADER, HeaderValue::from_static("secret"));
        assert!(csrf_matches(&h, "secret"));
        assert!(is_unsafe(&Method::POST) && is_unsafe(&Method::DELETE) && !is_unsafe(&Method::GET));
    }

    #[test]
    fn session_cookie_has_the_protective_attributes() {
        let c = session_cookie("t", 3600, true).unwrap();
        let c = c.to_str().unwrap();
        for part in [
            "encaisse_session=t",
            "HttpOnly",
            "SameSite=Lax",
            "Path=/",
            "Max-Age=3600",
            "Secure",
        ] {
            assert!(c.contains(part), "{c} lacks {part}");
        }
        assert!(
            !session_cookie("t", 1, false)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("Secure")
        );
        assert!(session_cookie("t; Domain=evil", 1, false).is_err());
    }
}
