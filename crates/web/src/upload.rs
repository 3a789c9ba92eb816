//! Reading the files requests carry, each route with its own cap, enforced while the bytes
//! arrive (never after buffering them). Handlers hand the reading to a use case as a
//! future (`service::Upload`), which awaits it only once the caller may send the file.

use axum::body::Body;
use axum::extract::Multipart;
use axum::http::StatusCode;
use dxplan_domain::Invalid;
use futures_util::StreamExt;

use dxplan_app::Upload;
use dxplan_app::{AppError, AppResult};

/// The largest workbook accepted (a plan appendix, a framework annex, a figures form):
/// a 5,000-task appendix is well under 1 MB; what it unpacks to is capped by the reader.
pub const WORKBOOK_BYTES: usize = 10 * 1024 * 1024;

/// The largest CSV of units or of a reorganisation's change set.
pub const CSV_BYTES: usize = 4 * 1024 * 1024;

/// Room for the multipart framing around a file of `limit` bytes.
pub fn with_framing(limit: usize) -> usize {
    limit.saturating_add(64 * 1024)
}

/// The first file of a multipart form (the part named `file`, or any part with a file
/// name), refused with 413 as soon as it passes `limit` bytes.
pub async fn first_file(mut multipart: Multipart, limit: usize) -> AppResult<Upload> {
    let failed = |e| multipart_error(e, limit);
    while let Some(mut field) = multipart.next_field().await.map_err(failed)? {
        if field.file_name().is_some() || field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(failed)? {
                if bytes.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            return Ok(Upload { name, bytes });
        }
    }
    Err(AppError::field("file", Invalid::Required))
}

/// A whole request body, refused with 413 as soon as it passes `limit` bytes.
pub async fn body_bytes(body: Body, limit: usize) -> AppResult<Vec<u8>> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn too_large(limit: usize) -> AppError {
    AppError::PayloadTooLarge(Some(limit as u64))
}

/// A broken multipart body, or one past the route's cap (`limit`, the file's bytes).
pub fn multipart_error(e: axum::extract::multipart::MultipartError, limit: usize) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        AppError::BadRequest(e.body_text())
    }
}
