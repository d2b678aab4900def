//! Request extractors that answer with a [`Problem`] naming the field at fault, instead of
//! axum's plain-text rejections.
//!
//! - [`ApiJson`]: a JSON body. Not JSON at all → 400 `malformed-json`; valid JSON of the wrong
//!   shape (unknown field, wrong type, missing field, bad value) → 422 `invalid-input` with the
//!   field's path (`lines[0].quantity`), taken from `serde_path_to_error`.
//! - [`ApiQuery`]: the query string, same rules, unknown parameters refused.
//! - [`ApiPath`]: path parameters.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::{HeaderMap, header, request::Parts};
use serde::de::DeserializeOwned;

use crate::problem::{Problem, ProblemKind};

/// A JSON request body. An empty body reads as `{}` (so optional-only bodies may be omitted).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let is_json = content_type_is(req.headers(), is_json_media_type);
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return parse_json(b"{}").map(ApiJson);
        }
        if !is_json {
            return Err(Problem::new(
                ProblemKind::UnsupportedMediaType,
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        parse_json(&bytes).map(ApiJson)
    }
}

/// A body that may be JSON or an HTML form (`application/x-www-form-urlencoded`).
#[derive(Debug)]
pub struct JsonOrForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonOrForm<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let is_form = content_type_is(req.headers(), |m| m == "application/x-www-form-urlencoded");
        if is_form {
            let bytes = read_body(req, state).await?;
            return parse_urlencoded(&bytes).map(JsonOrForm);
        }
        ApiJson::from_request(req, state)
            .await
            .map(|ApiJson(v)| JsonOrForm(v))
    }
}

/// The query string, with unknown parameters refused when `T` says `deny_unknown_fields`.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        parse_urlencoded(parts.uri.query().unwrap_or("").as_bytes()).map(ApiQuery)
    }
}

/// Path parameters.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| Problem::not_found(format!("no such resource: {}", e.body_text())))
    }
}

fn is_json_media_type(m: &str) -> bool {
    m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
}

fn content_type_is(headers: &HeaderMap, accept: impl Fn(&str) -> bool) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| accept(&m))
}

async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, Problem> {
    Bytes::from_request(req, state).await.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(inner)
            if inner.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            Problem::new(
                ProblemKind::PayloadTooLarge,
                format!(
                    "the request body is larger than {} bytes",
                    crate::BODY_LIMIT_BYTES
                ),
            )
        }
        other => Problem::new(
            ProblemKind::MalformedJson,
            format!("the request body could not be read: {}", other.body_text()),
        ),
    })
}

/// Parses JSON, naming the field of any shape error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let message = without_position(&inner.to_string());
            Problem::invalid(field_of(&path, &message), message)
        } else {
            Problem::new(
                ProblemKind::MalformedJson,
                format!("the body is not valid JSON ({inner}); check quotes, commas and brackets"),
            )
        }
    })?;
    de.end().map_err(|e| {
        Problem::new(
            ProblemKind::MalformedJson,
            format!("the body is not valid JSON ({e}): remove what follows the value"),
        )
    })?;
    Ok(value)
}

/// Parses `a=1&b=2` (a query string or a form body), naming the field of any error.
pub fn parse_urlencoded<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        Problem::invalid(field_of(&path, &message), message)
    })
}

/// serde_json appends ` at line 1 column 42`; the field path says more to an API client.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The field an error is about: the path where it happened, plus the field named in the
/// message for missing and unknown fields (serde reports those at the enclosing object).
fn field_of(path: &str, message: &str) -> String {
    let path = if path == "." { "" } else { path };
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match named {
        Some(name) if !path.ends_with(name) => {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        }
        _ if path.is_empty() => "body".to_owned(),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        quantity: u32,
        unit: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        lines: Vec<Line>,
    }

    fn field(p: &Problem) -> &str {
        &p.errors[0].field
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        let p = parse_json::<Body>(br#"{"name": "x", "#).unwrap_err();
        assert_eq!(p.kind(), Some(ProblemKind::MalformedJson));
        assert_eq!(p.status, 400);
        let p = parse_json::<Body>(br#"{"name": "x", "lines": []} trailing"#).unwrap_err();
        assert_eq!(p.status, 400);
    }

    #[test]
    fn shape_errors_name_the_field() {
        let p =
            parse_json::<Body>(br#"{"name": "x", "lines": [{"quantity": "two"}]}"#).unwrap_err();
        assert_eq!((p.status, field(&p)), (422, "lines[0].quantity"));
        let p = parse_json::<Body>(br#"{"name": "x", "lines": [{"quantity": 1, "colour": 1}]}"#)
            .unwrap_err();
        assert_eq!(field(&p), "lines[0].colour");
        let p = parse_json::<Body>(br#"{"lines": []}"#).unwrap_err();
        assert_eq!(field(&p), "name");
        let p = parse_json::<Body>(br#"{"name": "x", "lines": [{}]}"#).unwrap_err();
        assert_eq!(field(&p), "lines[0].quantity");
        let p = parse_json::<Body>(br#"{"name": "x", "lines": [], "extra": true}"#).unwrap_err();
        assert_eq!(field(&p), "extra");
        assert!(!p.detail.contains("line 1 column"), "{}", p.detail);
        let p = parse_json::<Body>(br#""text""#).unwrap_err();
        assert_eq!((p.status, field(&p)), (422, "body"));
    }

    #[test]
    fn query_strings_name_the_parameter() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Q {
            limit: Option<u32>,
        }
        assert_eq!(parse_urlencoded::<Q>(b"limit=5").unwrap().limit, Some(5));
        let p = parse_urlencoded::<Q>(b"limit=many").unwrap_err();
        assert_eq!((p.status, field(&p)), (422, "limit"));
        let p = parse_urlencoded::<Q>(b"limt=5").unwrap_err();
        assert_eq!(field(&p), "limt");
    }
}
