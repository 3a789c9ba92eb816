//! What every API handler shares: JSON and query extractors whose refusals use dxplan's
//! error format, the caller of a use case, and paging of lists held in memory.

use axum::extract::{FromRequest, Query, Request};
use axum::http::header;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{AppError, WebError, WebResult};
use crate::http::paging::{cursor_position, position_cursor};
use crate::openapi;
use crate::session::{CurrentUser, RequestMeta};
use dxplan_app::Caller;

/// JSON body extractor whose rejections use dxplan's error format. A field the input does
/// not know is refused (400) rather than silently dropped: a client's misspelt field
/// would otherwise change nothing while the answer says all went well. (The same input
/// types also read HTML forms, which carry `_csrf`; that is why this is checked here and
/// not with `deny_unknown_fields` on the types.)
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &S) -> WebResult<Self> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|m| m == "application/json" || m.ends_with("+json"));
        if !is_json {
            return Err(WebError(AppError::UnsupportedMediaType));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::PayloadTooLarge(None))?;
        read_json(&bytes).map(ApiJson)
    }
}

/// Reads a JSON body as `T`, refusing bad JSON, wrong types and fields `T` does not know.
fn read_json<T: DeserializeOwned>(bytes: &[u8]) -> WebResult<T> {
    // JSON writes a NUL only escaped; no text of ours holds one (see `nul_refused`).
    if bytes.windows(6).any(|w| w == b"\\u0000") {
        return Err(crate::middleware::nul_refused());
    }
    let mut unknown = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_ignored::deserialize(&mut de, |path| unknown.push(path.to_string()))
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    de.end().map_err(|e| AppError::BadRequest(e.to_string()))?;
    match unknown.first() {
        None => Ok(value),
        Some(field) => Err(WebError(AppError::BadRequest(format!(
            "unknown field `{field}`"
        )))),
    }
}

/// Query-string extractor whose rejections use dxplan's error format.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> WebResult<Self> {
        (Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| AppError::BadRequest(e.body_text())))
        .map_err(WebError::from)
    }
}

pub(crate) fn caller<'a>(user: &'a CurrentUser, meta: &RequestMeta) -> Caller<'a> {
    Caller {
        user: Some(user),
        actor: user.actor(&meta.origin(), "api"),
    }
}

/// The page asked for on a list: at most `limit` items after the opaque `cursor` a
/// previous page answered with.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub cursor: Option<String>,
}

/// One page of a list already in memory, as every list answers:
/// `{"items": [...], "next_cursor": "..." | null}`.
pub(crate) fn paged<T>(items: Vec<T>, q: &PageQuery) -> WebResult<openapi::Page<T>> {
    let start = cursor_position(q.cursor.as_deref())?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500) as usize;
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next_cursor = (start + limit < total).then(|| position_cursor(start + limit));
    Ok(openapi::Page {
        items: page,
        next_cursor,
    })
}

pub(crate) use crate::http::parse_at;
