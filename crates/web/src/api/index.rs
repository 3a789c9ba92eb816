//! The JSON API for index assessment frameworks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiJson, caller};
use crate::error::AppResult;
use crate::service::index::{self as svc, CopyInput, FrameworkInput, FrameworkView};
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/index-frameworks", get(list).post(create))
        .route("/index-frameworks/{id}", get(get_one))
        .route("/index-frameworks/{id}/export.json", get(export))
        .route("/index-frameworks/{id}/export.xlsx", get(export_xlsx))
        .route("/index-frameworks/{id}/copy", post(copy))
}

/// `GET /api/v1/index-frameworks`: every framework, the newest year first.
async fn list(State(state): State<AppState>, Auth(user): Auth) -> AppResult<Json<Value>> {
    Ok(Json(
        json!({ "items": svc::frameworks(&state, &user).await? }),
    ))
}

/// `POST /api/v1/index-frameworks`: a framework and its criteria tree, all or nothing.
async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<FrameworkInput>,
) -> AppResult<Response> {
    let view = svc::create_framework(&state, &caller(&user, &meta), &input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// `GET /api/v1/index-frameworks/{id}`: the tree with computed maxima.
async fn get_one(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<FrameworkView>> {
    Ok(Json(svc::framework(&state, &user, id).await?))
}

/// `GET /api/v1/index-frameworks/{id}/export.json`: the framework as `POST` reads it.
async fn export(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    Ok(Json(svc::export_framework(&state, &user, id).await?))
}

/// `POST /api/v1/index-frameworks/{id}/copy` `{"code", "name", "year"}`: last year's tree
/// as the start of a new framework.
async fn copy(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CopyInput>,
) -> AppResult<Response> {
    let view = svc::copy_framework(&state, &caller(&user, &meta), id, &input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// `GET /api/v1/index-frameworks/{id}/export.xlsx`: the framework as a published annex.
async fn export_xlsx(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (filename, bytes) = svc::framework_xlsx(&state, &user, id).await?;
    Ok(crate::pages::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &filename,
        bytes,
    ))
}
