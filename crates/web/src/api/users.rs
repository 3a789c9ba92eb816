//! Accounts and their roles.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::PasswordDone;
use super::{ApiJson, ApiQuery, PageQuery, caller, paged};
use crate::error::WebResult;
use crate::http::paging::{decode_cursor, encode_cursor};
use crate::openapi;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::users::{GrantRow, User, UserWithGrants};
use dxplan_app::{self as service, NewUserInput, UserPatch};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UserListQuery {
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    params(UserListQuery),
    responses((status = 200, description = "The accounts the caller may see", body = openapi::Page<UserWithGrants>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<UserListQuery>,
) -> WebResult<Json<openapi::Page<UserWithGrants>>> {
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let page = service::users::list_users(&state, &user, query.q, after, limit).await?;
    Ok(Json(openapi::Page {
        items: page.users,
        next_cursor: page.next.map(|(k, id)| encode_cursor(&k, id)),
    }))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The account with its roles", body = UserWithGrants), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn get_one(
    State(state): State<AppState>,
    Auth(viewer): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<UserWithGrants>> {
    let account = service::users::visible_user(&state, &viewer, id).await?;
    Ok(Json(account.with_grants()))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "accounts",
    request_body(content = NewUserInput, content_type = "application/json"),
    responses((status = 201, description = "The account with its roles", body = UserWithGrants), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<NewUserInput>,
) -> WebResult<Response> {
    let created = service::create_user(&state, &caller(&user, &meta), &input).await?;
    let account = service::users::visible_user(&state, &user, created.id).await?;
    Ok((StatusCode::CREATED, Json(account.with_grants())).into_response())
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    request_body(content = UserPatch, content_type = "application/json"),
    responses((status = 200, description = "The account now", body = User), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn patch(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> WebResult<Json<User>> {
    let updated = service::update_user(&state, &caller(&user, &meta), id, &patch).await?;
    Ok(Json(updated))
}

#[utoipa::path(get, path = "/api/v1/users/{id}/grants", tag = "accounts",
    params(PageQuery, ("id" = i64, Path)),
    responses((status = 200, description = "The roles the account holds", body = openapi::Page<GrantRow>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_grants(
    State(state): State<AppState>,
    Auth(viewer): Auth,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> WebResult<Json<openapi::Page<GrantRow>>> {
    let account = service::users::visible_user(&state, &viewer, id).await?;
    Ok(Json(paged(account.grants, &page)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct GrantBody {
    role: String,
    #[serde(default)]
    unit_code: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "accounts",
    params(("id" = i64, Path)),
    request_body(content = GrantBody, content_type = "application/json"),
    responses((status = 201, description = "The role granted", body = GrantRow), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn add_grant(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<GrantBody>,
) -> WebResult<Response> {
    let grant = service::grant_role(
        &state,
        &caller(&user, &meta),
        id,
        &body.role,
        body.unit_code.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(grant)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/grants/{grant_id}", tag = "accounts",
    params(("id" = i64, Path), ("grant_id" = i64, Path)),
    responses((status = 204, description = "The role is withdrawn"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn remove_grant(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path((id, grant_id)): Path<(i64, i64)>,
) -> WebResult<StatusCode> {
    service::revoke_role(&state, &caller(&user, &meta), id, grant_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PasswordBody {
    password: String,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "accounts",
    params(("id" = i64, Path)),
    request_body(content = PasswordBody, content_type = "application/json"),
    responses((status = 200, description = "The new password is set; the account's API tokens are revoked and its sessions ended", body = PasswordDone), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/users/{id}/password` `{"password"}`: an administrator sets a new password.
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> WebResult<Json<PasswordDone>> {
    let changed =
        service::reset_password(&state, &caller(&user, &meta), id, &body.password).await?;
    Ok(Json(PasswordDone::new(changed, meta.lang)))
}
