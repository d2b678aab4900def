//! The documents of an invoice: the Factur-X PDF and the CII/UBL XML stored at issue (served
//! byte-identical), and the on-the-fly preview PDF of a draft.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use encaisse_app::documents::IssuedDocument;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::{Problem, ProblemBody};
use crate::routes::invoices::resolve;

const ID: &str = "Invoice id or number";

/// The XML syntax asked for.
#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum XmlFormat {
    /// UN/CEFACT CII, the Factur-X XML (default).
    #[default]
    Cii,
    /// UBL 2.1, Peppol BIS Billing 3.0.
    Ubl,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct XmlQuery {
    /// `cii` (default) or `ubl`.
    #[param(value_type = Option<XmlFormat>)]
    pub format: Option<XmlFormat>,
}

fn file_response(
    media_type: &str,
    disposition: &str,
    file_name: &str,
    sha256: Option<&str>,
    bytes: Vec<u8>,
) -> Result<Response, Problem> {
    let header = |v: String| HeaderValue::from_str(&v).map_err(|e| Problem::internal(&e));
    let mut response = (
        [
            (header::CONTENT_TYPE, header(media_type.to_owned())?),
            (
                header::CONTENT_DISPOSITION,
                header(format!("{disposition}; filename=\"{file_name}\""))?,
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response();
    if let Some(sha) = sha256 {
        // The digest of what was issued, so a client can check it has the archived bytes.
        response
            .headers_mut()
            .insert("x-content-sha256", header(sha.to_owned())?);
    }
    Ok(response)
}

async fn issued(
    state: &AppState,
    caller: &Caller,
    id: &str,
    kind: IssuedDocument,
    disposition: &str,
) -> Result<Response, Problem> {
    let actor = caller.actor()?;
    let id = resolve(state, actor, id).await?;
    let doc = state.app.stored_document(actor, id, kind).await?;
    file_response(
        &doc.info.media_type,
        disposition,
        &doc.info.file_name,
        Some(&doc.info.sha256),
        doc.bytes,
    )
}

/// The Factur-X PDF/A-3b of an issued invoice or credit note, byte-identical to what was
/// issued (its SHA-256 is in the audit trail and in `X-Content-SHA256`).
#[utoipa::path(get, path = "/api/v1/invoices/{id}/pdf", tag = "invoice documents",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = Vec<u8>,
            headers(("content-disposition" = String, description = "inline; filename=\"F-2026-00001.pdf\""),
                    ("x-content-sha256" = String, description = "SHA-256 of the body, as recorded at issue"))),
        (status = 404, description = "No such invoice in this organization", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not issued (a draft: use preview.pdf), or issued before documents were stored", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn pdf(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Problem> {
    issued(&state, &caller, &id, IssuedDocument::FacturxPdf, "inline").await
}

/// The CII (Factur-X) or UBL XML of an issued invoice or credit note, as issued.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/xml", tag = "invoice documents",
    params(("id" = String, Path, description = ID), XmlQuery),
    responses(
        (status = 200, description = "The XML", content_type = "application/xml", body = String,
            headers(("content-disposition" = String, description = "attachment; filename=\"F-2026-00001.cii.xml\""))),
        (status = 404, description = "No such invoice in this organization", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not issued", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Unknown format", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn xml(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<XmlQuery>,
) -> Result<Response, Problem> {
    let kind = match q.format.unwrap_or_default() {
        XmlFormat::Cii => IssuedDocument::CiiXml,
        XmlFormat::Ubl => IssuedDocument::UblXml,
    };
    issued(&state, &caller, &id, kind, "attachment").await
}

/// A preview PDF of a draft (or an invoice waiting for approval), rendered now, marked on
/// every page as a draft that is not valid, with a provisional number, no Factur-X XML and no
/// payment code. Consumes no number.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/preview.pdf", tag = "invoice documents",
    params(("id" = String, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "The preview", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such invoice in this organization", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Already issued: use /pdf", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The draft could not be issued as it is (the field is named)", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Problem> {
    let actor = caller.actor()?;
    let id = resolve(&state, actor, &id).await?;
    let bytes = state.app.preview_pdf(actor, id).await?;
    file_response(
        "application/pdf",
        "inline",
        &format!("preview-{id}.pdf"),
        None,
        bytes,
    )
}

/// The stand-alone Swiss QR-bill payment part of an issued invoice.
#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SlipFormat {
    #[default]
    Pdf,
    Svg,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SlipQuery {
    /// `pdf` (default) or `svg`.
    #[param(value_type = Option<SlipFormat>)]
    pub format: Option<SlipFormat>,
}

/// The Swiss QR-bill payment part with receipt of an issued invoice, as stored at issue.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/qrbill", tag = "invoice documents",
    params(("id" = String, Path, description = ID), SlipQuery),
    responses(
        (status = 200, description = "The payment part (application/pdf or image/svg+xml)", body = Vec<u8>),
        (status = 404, description = "No such invoice in this organization", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Not issued, or the invoice has no QR-bill", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn qrbill(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<SlipQuery>,
) -> Result<Response, Problem> {
    let kind = match q.format.unwrap_or_default() {
        SlipFormat::Pdf => IssuedDocument::QrBillPdf,
        SlipFormat::Svg => IssuedDocument::QrBillSvg,
    };
    issued(&state, &caller, &id, kind, "inline").await
}
