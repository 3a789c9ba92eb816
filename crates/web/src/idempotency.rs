//! The `Idempotency-Key` header on the API's writes: the first answer to a key is kept and
//! given again to a retry (with `Idempotent-Replayed: true`), so a phone that lost the
//! answer in a coverage gap can send the same change again safely. The rules are the use
//! case's (`dxplan_app::idempotency`); this layer only reads the header and the answer.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dxplan_app::error::AppError;
use dxplan_app::idempotency::{self, Begun};
use dxplan_app::principal::CurrentUser;

use crate::error::{ErrorMarker, WebError};
use crate::session::RequestMeta;
use crate::state::AppState;

const KEY_HEADER: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Largest answer kept for a retry (a save of 5,000 figures answers about 500 kB).
const KEEP_MAX_BYTES: usize = 8 * 1024 * 1024;

/// Wraps the API: writes with a key run once per caller and key.
pub async fn keep_answers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let writes = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let Some(raw) = request.headers().get(KEY_HEADER).filter(|_| writes) else {
        return next.run(request).await;
    };
    let Ok(key) = raw.to_str().map(str::to_string) else {
        return WebError(AppError::BadRequest(
            "Idempotency-Key không hợp lệ / Idempotency-Key is not valid".into(),
        ))
        .into_response();
    };
    // Without an account the request is refused (or is a login, which changes nothing
    // a retry could repeat): the key has nobody to belong to.
    let Some(user) = request
        .extensions()
        .get::<Option<CurrentUser>>()
        .cloned()
        .flatten()
    else {
        return next.run(request).await;
    };
    let what = format!(
        "{} {}",
        request.method(),
        request.uri().path_and_query().map_or("", |p| p.as_str())
    );
    match idempotency::begin(&state, &user, &key, &what).await {
        Err(e) => WebError(e).into_response(),
        Ok(Begun::Replay {
            status,
            content_type,
            body,
        }) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            if let Some(ct) = content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
                response.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            response
                .headers_mut()
                .insert(REPLAYED, HeaderValue::from_static("true"));
            response
        }
        // Run to the end even if the phone drops the connection meanwhile: its retry must
        // find the answer kept, not a change made twice or a key left running.
        Ok(Begun::Run) => match tokio::spawn(run_and_keep(state, user, key, request, next)).await {
            Ok(response) => response,
            Err(e) => {
                WebError(AppError::internal(format!("request with a key: {e}"))).into_response()
            }
        },
    }
}

/// Runs a request whose key is new and keeps its answer.
async fn run_and_keep(
    state: AppState,
    user: CurrentUser,
    key: String,
    request: Request,
    next: Next,
) -> Response {
    let lang = request
        .extensions()
        .get::<RequestMeta>()
        .map(|m| m.lang)
        .unwrap_or_default();
    let (mut parts, body) = next.run(request).await.into_parts();
    // A refusal is given its words here (as `render_errors` would), so the retry reads the
    // same message.
    if let Some(ErrorMarker(error)) = parts.extensions.remove::<ErrorMarker>() {
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let bytes = crate::error::to_json(&error, lang).to_string().into_bytes();
        let status = parts.status.as_u16();
        keep(
            &state,
            &user,
            &key,
            status,
            Some("application/json"),
            &bytes,
        )
        .await;
        return Response::from_parts(parts, Body::from(bytes));
    }
    let Ok(bytes) = axum::body::to_bytes(body, KEEP_MAX_BYTES).await else {
        if let Err(e) = idempotency::release(&state, &user, &key).await {
            tracing::error!(error = %e, "idempotency key not released");
        }
        return WebError(AppError::internal("answer too large to keep")).into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    keep(
        &state,
        &user,
        &key,
        parts.status.as_u16(),
        content_type,
        &bytes,
    )
    .await;
    Response::from_parts(parts, Body::from(bytes))
}

async fn keep(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) {
    if let Err(e) = idempotency::finish(state, user, key, status, content_type, body).await {
        // The change is made; only its replay is lost. Say so in the log, and answer.
        tracing::error!(error = %e, "answer for an idempotency key not kept");
    }
}
