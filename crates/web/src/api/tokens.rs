//! The JSON API for API tokens (made and revoked with a session, never with a token).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiJson, caller};
use crate::error::WebResult;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::tokens::{self as svc, TokenInput};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tokens", get(list).post(create))
        .route("/tokens/{id}", delete(revoke))
}

#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    #[serde(default)]
    all: Option<bool>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    params(ListQuery),
    responses((status = 200, description = "The tokens, newest first; never their secrets", body = crate::openapi::Page<dxplan_app::tokens::Token>), crate::openapi::Refusals), security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/tokens` (`?all=true` for an administrator: everyone's).
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    Query(q): Query<ListQuery>,
) -> WebResult<Json<crate::openapi::Page<dxplan_app::tokens::Token>>> {
    let items = svc::list(&state, &user, q.all.unwrap_or(false)).await?;
    let page = super::PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(super::paged(items, &page)?))
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    request_body = dxplan_app::tokens::TokenInput,
    responses((status = 201, description = "The token and its secret, shown this once", body = crate::openapi::TokenCreated), crate::openapi::Refusals), security(("session" = [])))]
/// `POST /api/v1/tokens` `{"name", "expires_in_days", "access": "read" | "read_write",
/// "unit"?}`: the answer carries the secret, shown this once.
pub(crate) async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<TokenInput>,
) -> WebResult<Response> {
    let created = svc::create(&state, &caller(&user, &meta), &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": created.token, "secret": created.secret })),
    )
        .into_response())
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "The token")),
    responses((status = 200, description = "The revoked token", body = dxplan_app::tokens::Token), crate::openapi::Refusals),
    security(("session" = [])))]
/// `DELETE /api/v1/tokens/{id}`: revokes the token.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<Value>> {
    let token = svc::revoke(&state, &caller(&user, &meta), id).await?;
    Ok(Json(json!(token)))
}
