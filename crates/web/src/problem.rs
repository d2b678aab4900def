//! Errors as `application/problem+json` (RFC 9457).
//!
//! Every error leaving the API is a [`Problem`] with a stable `type`
//! (`urn:encaisse:problem:<slug>`), so clients branch on the type and show the `detail`,
//! which says what to do. Internal failures are logged with their whole error chain; the
//! client sees a generic message and the request id to quote.

use std::error::Error as StdError;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use encaisse_app::AppError;
use encaisse_core::invoice::InvoiceError;
use encaisse_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What kind of problem: the stable part clients branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    NotFound,
    Forbidden,
    Unauthenticated,
    InvalidInput,
    MalformedJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    MethodNotAllowed,
    Conflict,
    RateLimited,
    Internal,
    Unavailable,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 12] = [
        ProblemKind::NotFound,
        ProblemKind::Forbidden,
        ProblemKind::Unauthenticated,
        ProblemKind::InvalidInput,
        ProblemKind::MalformedJson,
        ProblemKind::UnsupportedMediaType,
        ProblemKind::PayloadTooLarge,
        ProblemKind::MethodNotAllowed,
        ProblemKind::Conflict,
        ProblemKind::RateLimited,
        ProblemKind::Internal,
        ProblemKind::Unavailable,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::NotFound => "not-found",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::Unauthenticated => "unauthenticated",
            ProblemKind::InvalidInput => "invalid-input",
            ProblemKind::MalformedJson => "malformed-json",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::PayloadTooLarge => "payload-too-large",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::Conflict => "conflict",
            ProblemKind::RateLimited => "rate-limited",
            ProblemKind::Internal => "internal",
            ProblemKind::Unavailable => "unavailable",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemKind::NotFound => StatusCode::NOT_FOUND,
            ProblemKind::Forbidden => StatusCode::FORBIDDEN,
            ProblemKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ProblemKind::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::MalformedJson => StatusCode::BAD_REQUEST,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::Conflict => StatusCode::CONFLICT,
            ProblemKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ProblemKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::NotFound => "Not found",
            ProblemKind::Forbidden => "Forbidden",
            ProblemKind::Unauthenticated => "Authentication required",
            ProblemKind::InvalidInput => "Invalid input",
            ProblemKind::MalformedJson => "Malformed JSON",
            ProblemKind::UnsupportedMediaType => "Unsupported media type",
            ProblemKind::PayloadTooLarge => "Payload too large",
            ProblemKind::MethodNotAllowed => "Method not allowed",
            ProblemKind::Conflict => "Conflict",
            ProblemKind::RateLimited => "Too many requests",
            ProblemKind::Internal => "Internal error",
            ProblemKind::Unavailable => "Service unavailable",
        }
    }

    /// The `type` URI.
    pub fn uri(self) -> String {
        format!("urn:encaisse:problem:{}", self.slug())
    }
}

/// One invalid field of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Where in the request, JSON-pointer-ish: `lines[0].quantity`, `currency`, `limit`.
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem: what every error of the API answers. Boxed, so that `Result`s
/// carrying it stay small.
#[derive(Clone, Debug)]
pub struct Problem(Box<ProblemBody>);

/// An RFC 9457 problem, served as `application/problem+json`.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = Problem, example = json!({
    "type": "urn:encaisse:problem:invalid-input",
    "title": "Invalid input",
    "status": 422,
    "detail": "invalid lines[0].quantity: must not be negative; issue a credit note to reduce an invoice",
    "errors": [{"field": "lines[0].quantity", "message": "must not be negative; issue a credit note to reduce an invoice"}],
    "request_id": "0b8f2c1e-5d1a-4a57-9d43-1f0c8f7e2a10"
}))]
pub struct ProblemBody {
    /// `urn:encaisse:problem:<slug>`; slugs: not-found, forbidden, unauthenticated,
    /// invalid-input, malformed-json, unsupported-media-type, payload-too-large,
    /// method-not-allowed, conflict, rate-limited, internal, unavailable.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    /// What went wrong and what to do about it.
    pub detail: String,
    /// For invalid input: the fields at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The `x-request-id` of the request, to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip)]
    #[schema(ignore)]
    kind: Option<ProblemKind>,
    #[serde(skip)]
    #[schema(ignore)]
    retry_after_secs: Option<u64>,
}

impl std::ops::Deref for Problem {
    type Target = ProblemBody;
    fn deref(&self) -> &ProblemBody {
        &self.0
    }
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Problem {
        Problem(Box::new(ProblemBody {
            type_uri: kind.uri(),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            request_id: None,
            kind: Some(kind),
            retry_after_secs: None,
        }))
    }

    pub fn kind(&self) -> Option<ProblemKind> {
        self.0.kind
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(ProblemKind::NotFound, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(ProblemKind::Forbidden, detail)
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Problem {
        Problem::new(ProblemKind::Unauthenticated, detail)
    }

    /// 422 naming one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Problem {
        let (field, message) = (field.into(), message.into());
        let mut p = Problem::new(
            ProblemKind::InvalidInput,
            format!("invalid {field}: {message}"),
        );
        p.0.errors.push(FieldError { field, message });
        p
    }

    pub fn rate_limited(retry_after_secs: u64) -> Problem {
        let mut p = Problem::new(
            ProblemKind::RateLimited,
            format!(
                "too many failed logins from this address for this e-mail; try again in {retry_after_secs} seconds"
            ),
        );
        p.0.retry_after_secs = Some(retry_after_secs);
        p
    }

    /// A real internal failure: logged with its whole chain, answered with a generic message.
    pub fn internal(error: &(dyn StdError + 'static)) -> Problem {
        tracing::error!(error = %error_chain(error), "internal error");
        Problem::new(ProblemKind::Internal, INTERNAL_DETAIL)
    }

    /// The database cannot be reached (retrying later may work).
    pub fn unavailable(error: &(dyn StdError + 'static)) -> Problem {
        tracing::warn!(error = %error_chain(error), "database unavailable");
        Problem::new(
            ProblemKind::Unavailable,
            "the database is unavailable; try again in a moment",
        )
    }

    fn to_body(&self) -> Vec<u8> {
        // Serializing plain strings and numbers cannot fail; fall back to a fixed body anyway.
        serde_json::to_vec(&*self.0).unwrap_or_else(|_| {
            br#"{"type":"urn:encaisse:problem:internal","status":500}"#.to_vec()
        })
    }
}

const INTERNAL_DETAIL: &str = "an internal error occurred and was logged";

/// `outer: inner: innermost`, for the logs.
pub fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = Response::new(Body::from(self.to_body()));
        *res.status_mut() = status;
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.0.retry_after_secs {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.0.kind == Some(ProblemKind::Unauthenticated) {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Bearer realm="encaisse""#),
            );
        }
        // Kept so `attach_request_id` can render the body again with the request id.
        res.extensions_mut().insert(self);
        res
    }
}

/// Middleware: puts the request id into every problem body (and into the detail of internal
/// errors, so the user can quote it).
pub(crate) async fn attach_request_id(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get(crate::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut res = next.run(req).await;
    let Some(mut problem) = res.extensions_mut().remove::<Problem>() else {
        return res;
    };
    if let Some(id) = request_id {
        if problem.0.kind == Some(ProblemKind::Internal) {
            problem.0.detail =
                format!("{INTERNAL_DETAIL}; quote request id {id} when reporting it");
        }
        problem.0.request_id = Some(id);
        res.headers_mut().remove(header::CONTENT_LENGTH);
        *res.body_mut() = Body::from(problem.to_body());
    }
    res
}

/// Any unmatched path.
pub(crate) async fn route_not_found() -> Problem {
    Problem::not_found("no such endpoint; see /api/openapi.json for the API")
}

/// A known path with a method it does not have.
pub(crate) async fn method_not_allowed() -> Problem {
    Problem::new(
        ProblemKind::MethodNotAllowed,
        "this endpoint does not accept this method; see /api/openapi.json",
    )
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        let detail = e.to_string();
        match e {
            AppError::NotFound { .. } => Problem::not_found(detail),
            AppError::Forbidden { .. } => Problem::forbidden(detail),
            AppError::Unauthenticated(_) => Problem::unauthenticated(detail),
            AppError::Invalid { field, message } => {
                let mut p = Problem::new(ProblemKind::InvalidInput, detail);
                p.0.errors.push(FieldError { field, message });
                p
            }
            AppError::Conflict(_) | AppError::AlreadyInitialized(_) | AppError::Transition(_) => {
                Problem::new(ProblemKind::Conflict, detail)
            }
            AppError::Invoice(inner) => from_invoice_error(inner, detail),
            AppError::Blocked(results) => {
                let mut p = Problem::new(ProblemKind::InvalidInput, detail);
                let en = encaisse_core::language::Language::En;
                p.0.errors.extend(results.iter().map(|r| FieldError {
                    field: format!("rules.{}", r.rule.as_str()),
                    message: format!("{} {}", r.why(en), r.fix(en)),
                }));
                p
            }
            AppError::Approval(encaisse_core::approval::ApprovalError::NothingToDecide) => {
                Problem::new(ProblemKind::Conflict, detail)
            }
            AppError::Approval(_) => Problem::forbidden(detail),
            AppError::Config(_) => Problem::internal(&e),
            AppError::Store(ref s) => from_store_error(s, &e),
        }
    }
}

fn from_invoice_error(e: InvoiceError, detail: String) -> Problem {
    match e {
        InvoiceError::OverPayment { .. } => Problem::invalid("amount", detail),
        InvoiceError::Totals(_) | InvoiceError::NoLines => Problem::invalid("lines", detail),
        InvoiceError::Money(_) => Problem::invalid("amount", detail),
        InvoiceError::Transition(_)
        | InvoiceError::Frozen(_)
        | InvoiceError::CreditNoteWithoutInvoice => Problem::new(ProblemKind::Conflict, detail),
    }
}

fn from_store_error(s: &StoreError, whole: &AppError) -> Problem {
    match s {
        StoreError::NotFound { .. } => Problem::not_found(whole.to_string()),
        StoreError::Conflict(_) => Problem::new(ProblemKind::Conflict, whole.to_string()),
        // A pool timeout would deserve 503, but telling it apart needs sqlx's error type, which
        // web does not depend on; the store could classify it (`StoreError::is_transient`).
        _ => Problem::internal(whole),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_slug_and_an_error_status() {
        let mut slugs: Vec<_> = ProblemKind::ALL.iter().map(|k| k.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemKind::ALL.len());
        assert!(
            ProblemKind::ALL
                .iter()
                .all(|k| k.status().is_client_error() || k.status().is_server_error())
        );
    }

    #[test]
    fn app_errors_map_to_their_problem() {
        let p = Problem::from(AppError::invalid(
            "lines[0].quantity",
            "must not be negative",
        ));
        assert_eq!(p.status, 422);
        assert_eq!(p.type_uri, "urn:encaisse:problem:invalid-input");
        assert_eq!(
            p.errors,
            vec![FieldError {
                field: "lines[0].quantity".into(),
                message: "must not be negative".into()
            }]
        );
        let p = Problem::from(AppError::NotFound {
            entity: "invoice",
            id: "x".into(),
        });
        assert_eq!(
            (p.status, p.type_uri.as_str()),
            (404, "urn:encaisse:problem:not-found")
        );
        let p = Problem::from(AppError::Forbidden {
            action: "approve invoices",
            role: "viewer".into(),
        });
        assert_eq!(p.status, 403);
        let p = Problem::from(AppError::Conflict("taken".into()));
        assert_eq!(p.status, 409);
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let p = Problem::from(AppError::Store(StoreError::Corrupt(
            "secret table xyz".into(),
        )));
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("xyz"));
    }

    #[test]
    fn error_chains_are_joined() {
        let e = AppError::Store(StoreError::Corrupt("bad row".into()));
        assert!(error_chain(&e).contains("bad row"));
    }
}
