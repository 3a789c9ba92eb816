//! The JSON API for webhooks (system administrators only).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiJson, caller};
use crate::error::AppResult;
use crate::service::webhooks::{self as svc, WebhookInput};
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(register))
        .route("/webhooks/{id}", delete(remove))
        .route("/webhooks/{id}/deliveries", get(deliveries))
}

/// `GET /api/v1/webhooks`.
async fn list(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
) -> AppResult<Json<Value>> {
    let items = svc::list(&state, &caller(&user, &meta)).await?;
    Ok(Json(json!({ "items": items })))
}

/// `POST /api/v1/webhooks` `{"url", "events": [...], "allow_private"?}`: the answer carries
/// the signing secret, shown this once.
async fn register(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<WebhookInput>,
) -> AppResult<Response> {
    let made = svc::register(&state, &caller(&user, &meta), &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "webhook": made.webhook, "secret": made.secret })),
    )
        .into_response())
}

/// `GET /api/v1/webhooks/{id}/deliveries`: the latest deliveries, newest first.
async fn deliveries(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let (webhook, items) = svc::deliveries(&state, &caller(&user, &meta), id).await?;
    Ok(Json(json!({ "webhook": webhook, "items": items })))
}

/// `DELETE /api/v1/webhooks/{id}`: nothing more is sent to the endpoint.
async fn remove(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let webhook = svc::remove(&state, &caller(&user, &meta), id).await?;
    Ok(Json(json!(webhook)))
}
