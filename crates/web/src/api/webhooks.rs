//! The JSON API for webhooks (system administrators only).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiJson, caller};
use crate::error::WebResult;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::webhooks::{self as svc, WebhookInput};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(register))
        .route("/webhooks/{id}", delete(remove))
        .route("/webhooks/{id}/deliveries", get(deliveries))
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, description = "The endpoints", body = crate::openapi::Page<dxplan_app::webhooks::Webhook>), crate::openapi::Refusals), security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/webhooks`.
pub(crate) async fn list(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    super::ApiQuery(page): super::ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<dxplan_app::webhooks::Webhook>>> {
    let items = svc::list(&state, &caller(&user, &meta)).await?;
    Ok(Json(super::paged(items, &page)?))
}

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    request_body = dxplan_app::webhooks::WebhookInput,
    responses((status = 201, description = "The endpoint and its signing secret, shown this once", body = crate::openapi::WebhookCreated), crate::openapi::Refusals), security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/webhooks` `{"url", "events": [...], "allow_private"?}`: the answer carries
/// the signing secret, shown this once.
pub(crate) async fn register(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<WebhookInput>,
) -> WebResult<Response> {
    let made = svc::register(&state, &caller(&user, &meta), &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "webhook": made.webhook, "secret": made.secret })),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path, description = "The endpoint")),
    responses((status = 200, description = "The latest deliveries with status, attempts and response code", body = crate::openapi::DeliveryLog), crate::openapi::Refusals), security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/webhooks/{id}/deliveries`: the latest deliveries, newest first.
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    super::ApiQuery(page): super::ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::DeliveryLog>> {
    let (webhook, items) = svc::deliveries(&state, &caller(&user, &meta), id).await?;
    let page = super::paged(items, &page)?;
    Ok(Json(crate::openapi::DeliveryLog {
        webhook,
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "The endpoint")),
    responses((status = 200, description = "The endpoint, no longer active", body = dxplan_app::webhooks::Webhook), crate::openapi::Refusals), security(("bearer" = []), ("session" = [])))]
/// `DELETE /api/v1/webhooks/{id}`: nothing more is sent to the endpoint.
pub(crate) async fn remove(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<Value>> {
    let webhook = svc::remove(&state, &caller(&user, &meta), id).await?;
    Ok(Json(json!(webhook)))
}
