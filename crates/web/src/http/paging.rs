//! Cursor paging, as every list reads and answers it: an opaque `cursor` (base64 of a JSON
//! pair) that a forged or foreign value cannot pass for.

use base64::Engine;
use dxplan_domain::Invalid;
use serde_json::json;

use dxplan_app::{AppError, AppResult};

pub fn encode_cursor(key: &str, id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!([key, id]).to_string())
}

pub fn decode_cursor(cursor: Option<&str>) -> AppResult<Option<(String, i64)>> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<(String, i64)>(&bytes).ok())
        .map(Some)
        .ok_or_else(|| AppError::field("cursor", Invalid::BadFormat))
}

/// The audit log pages by event id (newest first): its cursor carries the id to go below.
pub fn position_cursor_of_id(id: i64) -> String {
    encode_cursor("before", id)
}

/// An opaque cursor for a position in a list.
pub fn position_cursor(position: usize) -> String {
    encode_cursor("@", position as i64)
}

/// The position a cursor from [`position_cursor`] points at.
pub fn cursor_position(cursor: Option<&str>) -> AppResult<usize> {
    match decode_cursor(cursor)? {
        None => Ok(0),
        Some((key, n)) if key == "@" && n >= 0 => Ok(n as usize),
        Some(_) => Err(AppError::field("cursor", Invalid::BadFormat)),
    }
}
