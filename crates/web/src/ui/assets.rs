//! The stylesheet, the script, the icon, the PWA manifest and the service worker, compiled
//! into the binary: nothing is downloaded, at build time or at run time.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");
const ICON: &str = include_str!("../../static/icon.svg");
const MANIFEST: &str = include_str!("../../static/manifest.webmanifest");
const SW: &str = include_str!("../../static/sw.js");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async { asset(CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset(JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/static/icon.svg",
            get(|| async { asset(ICON, "image/svg+xml") }),
        )
        .route(
            "/manifest.webmanifest",
            get(|| async { asset(MANIFEST, "application/manifest+json") }),
        )
        .route(
            "/sw.js",
            get(|| async { asset(SW, "text/javascript; charset=utf-8") }),
        )
}
