//! The org-unit tree: list, read, create, change and import units.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dxplan_domain::Invalid;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::unit::{UnitInput, UnitKind};
use serde::Deserialize;
use time::Date;

use super::{ApiJson, ApiQuery, caller, parse_at};
use crate::error::{AppError, WebError, WebResult};
use crate::http::paging::{decode_cursor, encode_cursor};
use crate::openapi;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::units::{ImportOutcome, UnitDetail, UnitSearch, UnitWithParent};
use dxplan_app::{self as service};

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
    responses((status = 200, description = "Units valid on the date, by code", body = openapi::Page<UnitWithParent>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<UnitListQuery>,
) -> WebResult<Json<openapi::Page<UnitWithParent>>> {
    let at = parse_at(query.at.as_deref(), &state)?;
    let kind = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => {
            Some(UnitKind::parse(k).ok_or_else(|| AppError::field("kind", Invalid::UnknownKind))?)
        }
    };
    let search = UnitSearch {
        parent_code: query.parent,
        kind,
        search: query.q,
        at,
        after: decode_cursor(query.cursor.as_deref())?,
        limit: query.limit.unwrap_or(50).clamp(1, 500),
    };
    let page = service::units::list_units(&state, &user, search).await?;
    Ok(Json(openapi::Page {
        items: page.units,
        next_cursor: page.next.map(|(k, id)| encode_cursor(&k, id)),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AtQuery {
    at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "accounts",
    params(AtQuery, ("code" = String, Path)),
    responses((status = 200, description = "The unit holding the code on the date", body = UnitDetail), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn get_one(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<AtQuery>,
) -> WebResult<Json<UnitDetail>> {
    let at = parse_at(query.at.as_deref(), &state)?;
    Ok(Json(
        service::units::unit_detail(&state, &user, &code, at).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/units", tag = "accounts",
    request_body(content = UnitInput, content_type = "application/json"),
    responses((status = 201, description = "The unit", body = UnitWithParent), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<UnitInput>,
) -> WebResult<Response> {
    let unit = service::create_unit(&state, &caller(&user, &meta), &input).await?;
    let unit = service::units::with_parent(&state, unit).await?;
    Ok((StatusCode::CREATED, Json(unit)).into_response())
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
    responses((status = 200, description = "The unit now", body = UnitWithParent), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn patch(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<AtQuery>,
    ApiJson(patch): ApiJson<UnitPatch>,
) -> WebResult<Json<UnitWithParent>> {
    user.require_somewhere(Action::ManageUnits)?;
    let at = parse_at(query.at.as_deref(), &state)?;
    let UnitWithParent {
        unit: current,
        parent_code,
    } = service::units::unit_by_code(&state, &user, &code, at).await?;
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
    Ok(Json(service::units::with_parent(&state, unit).await?))
}

#[utoipa::path(post, path = "/api/v1/units/import", tag = "accounts",
    request_body(content = String, content_type = "text/csv", description = "The units as CSV: code, name, short_name, kind, parent_code, valid_from, valid_to, successors"),
    responses((status = 200, description = "What the file created and changed", body = ImportOutcome), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn import(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    headers: HeaderMap,
    body: axum::body::Body,
) -> WebResult<Json<ImportOutcome>> {
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
