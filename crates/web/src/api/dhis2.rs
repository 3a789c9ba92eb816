//! DHIS2 exchange: `dataValueSets` in and out, and the identifier mappings.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use dxplan_domain::dhis2::DataValueSet;

use super::{ApiJson, ApiQuery, caller};
use crate::error::WebResult;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::dhis2::{self as svc, ExportQuery, MappingInput};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dhis2/dataValueSets", get(export).post(import))
        .route("/dhis2/mappings", get(mappings).put(set_mappings))
}

#[utoipa::path(get, path = "/api/v1/dhis2/dataValueSets", tag = "dhis2",
    params(dxplan_app::dhis2::ExportQuery),
    responses((status = 200, description = "Approved figures as a dataValueSet", body = DataValueSet), crate::openapi::Refusals), security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/dhis2/dataValueSets?period=&orgUnit=&dataElement=`: approved figures.
pub(crate) async fn export(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> WebResult<Json<DataValueSet>> {
    Ok(Json(svc::export(&state, &user, &q).await?))
}

#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportQuery {
    #[serde(default)]
    submit: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/dhis2/dataValueSets", tag = "dhis2",
    params(ImportQuery),
    request_body(content = DataValueSet, description = "A DHIS2 dataValueSet"),
    responses((status = 200, description = "An import summary and the row results", body = ImportSummary), crate::openapi::Refusals), security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/dhis2/dataValueSets?submit=true`: figures in, all or none, answered with
/// DHIS2's import summary and dxplan's row results.
pub(crate) async fn import(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiJson(set): ApiJson<DataValueSet>,
) -> WebResult<Json<ImportSummary>> {
    let submit = matches!(q.submit.as_deref(), Some("1" | "true"));
    let items = svc::import(&state, &caller(&user, &meta), &set, submit).await?;
    Ok(Json(ImportSummary {
        status: "SUCCESS",
        import_count: ImportCount {
            imported: items.len(),
            updated: 0,
            ignored: 0,
            deleted: 0,
        },
        items,
    }))
}

/// DHIS2's import summary (all or none, so a refusal is a 400 instead), with dxplan's
/// row results.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ImportSummary {
    status: &'static str,
    import_count: ImportCount,
    items: Vec<dxplan_app::indicators::RowResult>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ImportCount {
    imported: usize,
    updated: usize,
    ignored: usize,
    deleted: usize,
}

#[utoipa::path(get, path = "/api/v1/dhis2/mappings", tag = "dhis2",
    responses((status = 200, description = "Every identifier mapping", body = crate::openapi::Page<dxplan_app::dhis2::Mapping>), crate::openapi::Refusals), security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/dhis2/mappings`.
pub(crate) async fn mappings(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<dxplan_app::dhis2::Mapping>>> {
    Ok(Json(super::paged(
        svc::mappings(&state, &user).await?,
        &page,
    )?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct MappingsBody {
    #[serde(default)]
    items: Vec<MappingInput>,
}

#[utoipa::path(put, path = "/api/v1/dhis2/mappings", tag = "dhis2",
    request_body(content = MappingsBody, description = "Replaces every mapping"),
    responses((status = 200, description = "The mappings now", body = crate::openapi::MappingList), crate::openapi::Refusals), security(("bearer" = []), ("session" = [])))]
/// `PUT /api/v1/dhis2/mappings` `{"items": [{"kind": "data_element" | "org_unit", "code",
/// "dhis2_id"}]}`: replaces every mapping.
pub(crate) async fn set_mappings(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(body): ApiJson<MappingsBody>,
) -> WebResult<Json<crate::openapi::MappingList>> {
    let items = svc::set_mappings(&state, &caller(&user, &meta), &body.items).await?;
    Ok(Json(crate::openapi::MappingList { items }))
}
