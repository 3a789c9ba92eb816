//! What both front doors (the pages and the API) answer with alike. Neither door imports
//! the other: what they share lives here (`.ci/run` checks).

pub mod audit_query;
pub mod paging;
pub mod task_query;

use axum::response::Response;
use dxplan_domain::Invalid;
use dxplan_domain::text::parse_date;
use time::Date;

use crate::state::AppState;
use dxplan_app::{AppError, AppResult};

/// The date a request asks about (`dd/mm/yyyy` or `yyyy-mm-dd`), today when absent.
pub fn parse_at(at: Option<&str>, state: &AppState) -> AppResult<Date> {
    match at.map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(state.today()),
        Some(a) => parse_date(a).ok_or_else(|| AppError::field("at", Invalid::BadDate)),
    }
}

/// A file download; the name is kept in UTF-8 (RFC 6266) with an ASCII fallback.
pub fn download(content_type: &'static str, filename: &str, bytes: Vec<u8>) -> Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                content_disposition(filename),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `attachment` with the name twice (RFC 6266): an ASCII fallback for old clients, then
/// the name itself as `filename*=UTF-8''…` (RFC 8187). The name may be anything a user
/// typed — quotes, line breaks, Vietnamese —, so the fallback keeps only letters, digits
/// and dots and the UTF-8 form percent-encodes every byte outside RFC 8187's `attr-char`:
/// the value is always plain ASCII, a valid header that cannot be split or cut short.
pub fn content_disposition(filename: &str) -> String {
    let ascii: String = dxplan_domain::text::fold(filename)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let ascii = if ascii.trim_matches(['-', '.']).is_empty() {
        "download".to_string()
    } else {
        ascii
    };
    let mut encoded = String::with_capacity(filename.len() * 3);
    for b in filename.bytes() {
        let attr_char = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        if attr_char {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A stored evidence file as a download with its type and its (Vietnamese) name.
pub fn file_response(attachment: &dxplan_app::files::Attachment, bytes: Vec<u8>) -> Response {
    stored_file_response(&attachment.kind, &attachment.original_name, bytes)
}

/// Any stored file (a task's or a figure's) as a download of its checked type.
pub fn stored_file_response(kind: &str, name: &str, bytes: Vec<u8>) -> Response {
    let kind = dxplan_domain::attachment::FileKind::parse(kind);
    let content_type = kind.map_or("application/octet-stream", |k| k.content_type());
    download(content_type, name, bytes)
}
