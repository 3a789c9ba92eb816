//! The one place that turns the use cases' errors into HTTP responses: the status each
//! kind of error becomes, and (with [`crate::middleware::render_errors`]) JSON under
//! `/api`, a friendly page elsewhere, in the user's language.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dxplan_domain::Lang;
use serde_json::json;

pub use dxplan_app::error::AppError;

/// An error on its way out as a response. A thin wrapper: the use cases' [`AppError`]
/// knows nothing of HTTP, so the web layer carries it in a type of its own to answer with.
#[derive(Debug, Clone)]
pub struct WebError(pub AppError);

pub type WebResult<T> = Result<T, WebError>;

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError(e)
    }
}

/// The HTTP status each kind of error answers with.
pub fn status(e: &AppError) -> StatusCode {
    match e {
        AppError::Validation(_) | AppError::BadRequest(_) | AppError::ValueRows(_) => {
            StatusCode::BAD_REQUEST
        }
        AppError::File(dxplan_domain::attachment::FileProblem::TooLarge { .. }) => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        AppError::File(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::ImportRejected(_) | AppError::PlanImport(_) | AppError::ChangeRefused(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Unauthorized | AppError::BadCredentials | AppError::InvalidToken(_) => {
            StatusCode::UNAUTHORIZED
        }
        AppError::Forbidden | AppError::CsrfFailed => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::VersionConflict | AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AppError::TimedOut => StatusCode::REQUEST_TIMEOUT,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn details(e: &AppError, lang: Lang) -> serde_json::Value {
    match e {
        AppError::Validation(errors) => json!(errors
            .iter()
            .map(|e| {
                // {"field", "code", any parameters such as "max"} plus the message.
                let mut v = json!(e);
                v["message"] = json!(e.invalid.message(lang));
                v
            })
            .collect::<Vec<_>>()),
        AppError::ImportRejected(rows) => json!(rows
            .iter()
            .map(|r| json!({"line": r.line, "field": r.field, "reason": r.reason, "message": r.message(lang)}))
            .collect::<Vec<_>>()),
        AppError::ValueRows(rows) => json!(rows),
        AppError::PlanImport(problems) => json!(problems
            .iter()
            .map(|p| json!({"row": p.row, "column": p.column, "message": p.message(lang)}))
            .collect::<Vec<_>>()),
        AppError::ChangeRefused(problems) => json!(problems
            .iter()
            .map(|p| json!({"problem": p, "message": p.message(lang)}))
            .collect::<Vec<_>>()),
        _ => json!([]),
    }
}

/// The API error body of DESIGN.md §5.
pub fn to_json(e: &AppError, lang: Lang) -> serde_json::Value {
    json!({"error": {"code": e.code(), "message": e.message(lang), "details": details(e, lang)}})
}

/// Marks a response as an unrendered error; [`crate::middleware::render_errors`]
/// gives it a body in the right format and language.
#[derive(Clone)]
pub struct ErrorMarker(pub Arc<AppError>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let WebError(e) = self;
        if let AppError::Internal(detail) = &e {
            tracing::error!(%detail, "internal error");
        }
        let mut response = status(&e).into_response();
        if let AppError::TooManyRequests { retry_after_secs } = &e
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response.extensions_mut().insert(ErrorMarker(Arc::new(e)));
        response
    }
}
