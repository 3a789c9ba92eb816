//! The JSON API under `/api/v1`: thin handlers over the service layer.

use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use dxplan_domain::Invalid;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::unit::{UnitInput, UnitKind};
use dxplan_store::audit;
use dxplan_store::units::{self, Unit, UnitFilter};
use dxplan_store::users::{self, GrantRow, User, UserFilter};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::Date;

pub mod dashboard;
pub mod dhis2;
pub mod index;
pub mod indicators;
pub mod issuer;
pub mod notifications;
pub mod reorg;
pub mod tasks;
pub mod tokens;
pub mod webhooks;

use crate::error::{AppError, WebError, WebResult};
use crate::http::audit_query::{AuditQuery, audit_filter};
use crate::http::paging::{
    cursor_position, decode_cursor, encode_cursor, position_cursor, position_cursor_of_id,
};
use crate::openapi;
use crate::session::{Auth, CurrentUser, MaybeAuth, RequestMeta, clear_session_cookie};
use crate::state::AppState;
use dxplan_app::{self as service, Caller, NewUserInput, UserPatch};

/// The API; `upload_limit` bounds the body of evidence uploads.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/me/password", post(change_password))
        .route("/units", get(list_units).post(create_unit))
        .route("/units/import", post(import_units))
        .route("/units/{code}", get(get_unit).patch(patch_unit))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).patch(patch_user))
        .route("/users/{id}/password", post(reset_password))
        .route("/users/{id}/grants", get(list_grants).post(add_grant))
        .route("/users/{id}/grants/{grant_id}", delete(remove_grant))
        .route("/audit", get(list_audit))
        .merge(tasks::routes(upload_limit))
        .merge(notifications::routes())
        .merge(indicators::routes(upload_limit))
        .merge(dashboard::routes())
        .merge(index::routes(upload_limit))
        .merge(tokens::routes())
        .merge(issuer::routes())
        .merge(dhis2::routes())
        .merge(webhooks::routes())
        .merge(reorg::routes())
        .layer(axum::middleware::from_fn(crate::middleware::etag))
        .layer(axum::middleware::from_fn(crate::metrics::expose_route))
}

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

// ---------------------------------------------------------------- auth

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct LoginBody {
    username: String,
    password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts",
    request_body(content = LoginBody, content_type = "application/json"),
    responses((status = 200, description = "The account and the CSRF token its session's changes send", body = LoginDone), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn login(
    State(state): State<AppState>,
    meta: RequestMeta,
    MaybeAuth(signed_in): MaybeAuth,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> WebResult<Response> {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let done = service::login(
        &state,
        &meta.origin(),
        &body.username,
        &body.password,
        ua,
        signed_in.as_ref(),
    )
    .await?;
    let body = LoginDone {
        user: done.user,
        csrf_token: done.csrf,
    };
    let cookie = crate::session::session_cookie(&state, &done.session_secret);
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// A session begun: the account, and the token its changes send as `X-CSRF-Token`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LoginDone {
    user: User,
    csrf_token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    responses((status = 204, description = "The session is over"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn logout(
    State(state): State<AppState>,
    meta: RequestMeta,
    MaybeAuth(user): MaybeAuth,
) -> WebResult<Response> {
    if let Some(user) = &user {
        service::logout(&state, &caller(user, &meta)).await?;
    }
    Ok((
        [(header::SET_COOKIE, clear_session_cookie(&state))],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, description = "The caller: account, roles (a token's narrowed ones), CSRF token", body = Me), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn me(Auth(user): Auth) -> Json<Me> {
    Json(Me {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        unit_id: user.unit_id,
        grants: user.grants.clone(),
        csrf_token: user.csrf.clone(),
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct OwnPasswordBody {
    current: String,
    new_password: String,
}

#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts",
    request_body(content = OwnPasswordBody, content_type = "application/json"),
    responses((status = 200, description = "The password is changed; the account's API tokens are revoked and its other sessions ended", body = PasswordDone), crate::openapi::Refusals),
    security(("session" = [])))]
/// `POST /api/v1/me/password` `{"current", "new_password"}`: the caller changes their own
/// password (with a session: a token cannot stand in for the person).
pub(crate) async fn change_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(body): ApiJson<OwnPasswordBody>,
) -> WebResult<Json<PasswordDone>> {
    if user.token.is_some() {
        return Err(WebError(AppError::Forbidden));
    }
    let changed = service::change_own_password(
        &state,
        &caller(&user, &meta),
        &body.current,
        &body.new_password,
        &body.new_password,
    )
    .await?;
    Ok(Json(PasswordDone::new(changed, meta.lang)))
}

/// A password changed, and what ended with the old one.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PasswordDone {
    #[serde(flatten)]
    changed: service::PasswordChanged,
    /// What happened, in the caller's language.
    message: String,
}

impl PasswordDone {
    fn new(changed: service::PasswordChanged, lang: dxplan_domain::Lang) -> PasswordDone {
        PasswordDone {
            message: changed.message(lang),
            changed,
        }
    }
}

/// Who is calling.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Me {
    id: i64,
    username: String,
    display_name: String,
    unit_id: Option<i64>,
    grants: Vec<dxplan_domain::auth::Grant>,
    csrf_token: String,
}

// ---------------------------------------------------------------- units

/// A unit as the API shows it: with its parent's code.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct UnitJson {
    #[serde(flatten)]
    unit: Unit,
    parent_code: Option<String>,
}

/// A unit with the units it continues in and the units it continues.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct UnitDetail {
    #[serde(flatten)]
    unit: UnitJson,
    successors: Vec<String>,
    predecessors: Vec<String>,
}

async fn unit_json(state: &AppState, unit: Unit) -> WebResult<UnitJson> {
    let mut list = units_json(state, std::slice::from_ref(&unit)).await?;
    (list
        .pop()
        .ok_or_else(|| AppError::internal("a unit vanished while read")))
    .map_err(WebError::from)
}

async fn units_json(state: &AppState, list: &[Unit]) -> WebResult<Vec<UnitJson>> {
    let mut parent_ids: Vec<i64> = list.iter().filter_map(|u| u.parent_id).collect();
    parent_ids.sort_unstable();
    parent_ids.dedup();
    let parents = {
        let mut c = state.db.read().await?;
        units::by_ids(&mut c, &parent_ids).await?
    };
    Ok(list
        .iter()
        .map(|unit| {
            let parent_code = unit
                .parent_id
                .and_then(|p| parents.iter().find(|u| u.id == p))
                .map(|p| p.code.clone());
            UnitJson {
                unit: unit.clone(),
                parent_code,
            }
        })
        .collect())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UnitListQuery {
    parent: Option<String>,
    kind: Option<String>,
    q: Option<String>,
    at: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/units", tag = "accounts",
    params(UnitListQuery),
    responses((status = 200, description = "Units valid on the date, by code", body = openapi::Page<UnitJson>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_units(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<UnitListQuery>,
) -> WebResult<Json<openapi::Page<UnitJson>>> {
    user.require_somewhere(Action::ViewUnits)?;
    let at = parse_at(query.at.as_deref(), &state)?;
    let kind = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => {
            Some(UnitKind::parse(k).ok_or_else(|| AppError::field("kind", Invalid::UnknownKind))?)
        }
    };
    let mut c = state.db.read().await?;
    let parent_id = match query.parent.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(code) => Some(
            units::by_code(&mut c, code, at)
                .await?
                .ok_or_else(|| AppError::field("parent", Invalid::UnknownUnit))?
                .id,
        ),
    };
    let filter = UnitFilter {
        parent_id,
        kind,
        search: query.q,
        at: Some(at),
        after: decode_cursor(query.cursor.as_deref())?,
        limit: query.limit.unwrap_or(50).clamp(1, 500),
    };
    let page = units::list(&mut c, &filter).await?;
    drop(c);
    Ok(Json(openapi::Page {
        items: units_json(&state, &page.units).await?,
        next_cursor: page.next.map(|(k, id)| encode_cursor(&k, id)),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AtQuery {
    at: Option<String>,
}

async fn unit_at(state: &AppState, code: &str, at: Option<&str>) -> WebResult<Unit> {
    let at = parse_at(at, state)?;
    let mut c = state.db.read().await?;
    units::by_code(&mut c, code, at)
        .await?
        .ok_or(WebError(AppError::NotFound))
}

#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "accounts",
    params(AtQuery, ("code" = String, Path)),
    responses((status = 200, description = "The unit holding the code on the date", body = UnitDetail), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn get_unit(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<AtQuery>,
) -> WebResult<Json<UnitDetail>> {
    user.require_somewhere(Action::ViewUnits)?;
    let unit = unit_at(&state, &code, query.at.as_deref()).await?;
    let mut c = state.db.read().await?;
    let successors = units::successors(&mut c, unit.id).await?;
    let predecessors = units::predecessors(&mut c, unit.id).await?;
    drop(c);
    Ok(Json(UnitDetail {
        unit: unit_json(&state, unit).await?,
        successors: successors.into_iter().map(|u| u.code).collect(),
        predecessors: predecessors.into_iter().map(|u| u.code).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/units", tag = "accounts",
    request_body(content = UnitInput, content_type = "application/json"),
    responses((status = 201, description = "The unit", body = UnitJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create_unit(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<UnitInput>,
) -> WebResult<Response> {
    let unit = service::create_unit(&state, &caller(&user, &meta), &input).await?;
    Ok((StatusCode::CREATED, Json(unit_json(&state, unit).await?)).into_response())
}

/// Partial changes to a unit; absent fields keep their value, `null` clears optional ones.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct UnitPatch {
    code: Option<String>,
    name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    short_name: Option<Option<String>>,
    kind: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    parent_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    valid_from: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    valid_to: Option<Option<String>>,
    version: Option<i64>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[utoipa::path(patch, path = "/api/v1/units/{code}", tag = "accounts",
    params(AtQuery, ("code" = String, Path)),
    request_body(content = UnitPatch, content_type = "application/json"),
    responses((status = 200, description = "The unit now", body = UnitJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn patch_unit(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<AtQuery>,
    ApiJson(patch): ApiJson<UnitPatch>,
) -> WebResult<Json<UnitJson>> {
    user.require_somewhere(Action::ManageUnits)?;
    let current = unit_at(&state, &code, query.at.as_deref()).await?;
    let parent_code = match current.parent_id {
        Some(p) => {
            let mut c = state.db.read().await?;
            Some(units::get(&mut c, p).await?.code)
        }
        None => None,
    };
    let date = |d: Option<Date>| d.map(|d| d.to_string());
    let input = UnitInput {
        code: patch.code.unwrap_or(current.code),
        name: patch.name.unwrap_or(current.name),
        short_name: patch.short_name.unwrap_or(current.short_name),
        kind: patch
            .kind
            .unwrap_or_else(|| current.kind.as_str().to_string()),
        parent_code: patch.parent_code.unwrap_or(parent_code),
        valid_from: patch.valid_from.unwrap_or(date(current.valid_from)),
        valid_to: patch.valid_to.unwrap_or(date(current.valid_to)),
    };
    let unit = service::update_unit(
        &state,
        &caller(&user, &meta),
        current.id,
        &input,
        patch.version,
    )
    .await?;
    Ok(Json(unit_json(&state, unit).await?))
}

#[utoipa::path(post, path = "/api/v1/units/import", tag = "accounts",
    request_body(content = String, content_type = "text/csv", description = "The units as CSV: code, name, short_name, kind, parent_code, valid_from, valid_to, successors"),
    responses((status = 200, description = "What the file created and changed", body = units::ImportOutcome), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn import_units(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    headers: HeaderMap,
    body: axum::body::Body,
) -> WebResult<Json<units::ImportOutcome>> {
    user.require(Action::ManageUnits, Target::System)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("text/csv") && !content_type.starts_with("text/plain") {
        return Err(WebError(AppError::UnsupportedMediaType));
    }
    let body = crate::upload::body_bytes(body, crate::upload::CSV_BYTES).await?;
    let outcome = service::import_units(&state, &caller(&user, &meta), &body, "api").await?;
    Ok(Json(outcome))
}

// ---------------------------------------------------------------- users

/// An account with the roles it holds.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct UserJson {
    #[serde(flatten)]
    user: User,
    grants: Vec<GrantRow>,
}

fn user_with_grants(user: &User, grants: &[GrantRow]) -> UserJson {
    UserJson {
        user: user.clone(),
        grants: grants
            .iter()
            .filter(|g| g.user_id == user.id)
            .cloned()
            .collect(),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UserListQuery {
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    params(UserListQuery),
    responses((status = 200, description = "The accounts the caller may see", body = openapi::Page<UserJson>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_users(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<UserListQuery>,
) -> WebResult<Json<openapi::Page<UserJson>>> {
    let scope = service::visible_user_units(&state, &user).await?;
    let filter = UserFilter {
        search: query.q,
        units: scope,
        after: decode_cursor(query.cursor.as_deref())?,
        limit: query.limit.unwrap_or(50).clamp(1, 500),
    };
    let mut c = state.db.read().await?;
    let page = users::list(&mut c, &filter).await?;
    let ids: Vec<i64> = page.users.iter().map(|u| u.id).collect();
    let grants = users::grants_of(&mut c, &ids).await?;
    Ok(Json(openapi::Page {
        items: page
            .users
            .iter()
            .map(|u| user_with_grants(u, &grants))
            .collect(),
        next_cursor: page.next.map(|(k, id)| encode_cursor(&k, id)),
    }))
}

/// Loads an account the caller may see, with its grants.
async fn visible_user(
    state: &AppState,
    viewer: &CurrentUser,
    id: i64,
) -> WebResult<(User, Vec<GrantRow>)> {
    let scope = service::visible_user_units(state, viewer).await?;
    let mut c = state.db.read().await?;
    let user = users::get(&mut c, id).await?;
    let grants = users::grants(&mut c, id).await?;
    if let Some(scope) = scope {
        let in_scope = user.unit_id.is_some_and(|u| scope.contains(&u))
            || grants
                .iter()
                .any(|g| g.unit_id.is_some_and(|u| scope.contains(&u)));
        if !in_scope {
            return Err(WebError(AppError::Forbidden));
        }
    }
    Ok((user, grants))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The account with its roles", body = UserJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn get_user(
    State(state): State<AppState>,
    Auth(viewer): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<UserJson>> {
    let (user, grants) = visible_user(&state, &viewer, id).await?;
    Ok(Json(user_with_grants(&user, &grants)))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "accounts",
    request_body(content = NewUserInput, content_type = "application/json"),
    responses((status = 201, description = "The account with its roles", body = UserJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<NewUserInput>,
) -> WebResult<Response> {
    let created = service::create_user(&state, &caller(&user, &meta), &input).await?;
    let mut c = state.db.read().await?;
    let grants = users::grants(&mut c, created.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(user_with_grants(&created, &grants)),
    )
        .into_response())
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    request_body(content = UserPatch, content_type = "application/json"),
    responses((status = 200, description = "The account now", body = User), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn patch_user(
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
    let (_, grants) = visible_user(&state, &viewer, id).await?;
    Ok(Json(paged(grants, &page)?))
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

// ---------------------------------------------------------------- audit

#[utoipa::path(get, path = "/api/v1/audit", tag = "accounts",
    params(AuditQuery),
    responses((status = 200, description = "Audit events, newest first", body = AuditPageJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_audit(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> WebResult<Json<AuditPageJson>> {
    user.require(Action::ViewAudit, Target::System)?;
    let filter = audit_filter(&state, &query).await?;
    let mut c = state.db.read().await?;
    let page = audit::list(&mut c, &filter).await?;
    // `next_cursor` as on every list; `next_before` kept for the clients that use it.
    Ok(Json(AuditPageJson {
        items: page.events,
        next_before: page.next_before_id,
        next_cursor: page.next_before_id.map(position_cursor_of_id),
    }))
}

/// A page of the audit log; `next_before` is the older clients' form of `next_cursor`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AuditPageJson {
    items: Vec<audit::AuditEvent>,
    next_before: Option<i64>,
    next_cursor: Option<String>,
}
