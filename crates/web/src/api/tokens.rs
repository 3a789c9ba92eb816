//! The JSON API for API tokens (made and revoked with a session, never with a token).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiJson, caller};
use crate::error::AppResult;
use crate::service::tokens::{self as svc, TokenInput};
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tokens", get(list).post(create))
        .route("/tokens/{id}", delete(revoke))
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    all: Option<bool>,
}

/// `GET /api/v1/tokens` (`?all=true` for an administrator: everyone's).
async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    let items = svc::list(&state, &user, q.all.unwrap_or(false)).await?;
    Ok(Json(json!({ "items": items })))
}

/// `POST /api/v1/tokens` `{"name", "expires_in_days", "access": "read" | "read_write",
/// "unit"?}`: the answer carries the secret, shown this once.
async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<TokenInput>,
) -> AppResult<Response> {
    let created = svc::create(&state, &caller(&user, &meta), &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": created.token, "secret": created.secret })),
    )
        .into_response())
}

/// `DELETE /api/v1/tokens/{id}`: revokes the token.
async fn revoke(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let token = svc::revoke(&state, &caller(&user, &meta), id).await?;
    Ok(Json(json!(token)))
}
