//! The stylesheet and script, written for dxplan and embedded in the binary.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "static/"]
struct Assets;

pub async fn serve(Path(path): Path<String>) -> Response {
    let Some(file) = Assets::get(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            // Assets change only with a new binary, whose pages ask for them with a version.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        file.data,
    )
        .into_response()
}

/// Browsers ask for `/favicon.ico` whatever the page says: the same picture.
pub async fn favicon() -> Response {
    serve(Path("favicon.svg".to_string())).await
}

/// `GET /sw.js`: the service worker, from the site's root so that it may keep its pages.
/// Browsers check it for a new version at each visit when it is not cached.
pub async fn service_worker() -> Response {
    let Some(file) = Assets::get("sw.js") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        file.data,
    )
        .into_response()
}
