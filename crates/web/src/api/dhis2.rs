//! DHIS2 exchange: `dataValueSets` in and out, and the identifier mappings.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use dxplan_domain::dhis2::DataValueSet;

use super::{ApiJson, ApiQuery, caller};
use crate::error::AppResult;
use crate::service::dhis2::{self as svc, ExportQuery, MappingInput};
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dhis2/dataValueSets", get(export).post(import))
        .route("/dhis2/mappings", get(mappings).put(set_mappings))
}

/// `GET /api/v1/dhis2/dataValueSets?period=&orgUnit=&dataElement=`: approved figures.
async fn export(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> AppResult<Json<DataValueSet>> {
    Ok(Json(svc::export(&state, &user, &q).await?))
}

#[derive(serde::Deserialize, Default)]
struct ImportQuery {
    #[serde(default)]
    submit: Option<String>,
}

/// `POST /api/v1/dhis2/dataValueSets?submit=true`: figures in, all or none, answered with
/// DHIS2's import summary and dxplan's row results.
async fn import(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiJson(set): ApiJson<DataValueSet>,
) -> AppResult<Json<Value>> {
    let submit = matches!(q.submit.as_deref(), Some("1" | "true"));
    let results = svc::import(&state, &caller(&user, &meta), &set, submit).await?;
    Ok(Json(json!({
        "status": "SUCCESS",
        "importCount": {"imported": results.len(), "updated": 0, "ignored": 0, "deleted": 0},
        "items": results,
    })))
}

/// `GET /api/v1/dhis2/mappings`.
async fn mappings(State(state): State<AppState>, Auth(user): Auth) -> AppResult<Json<Value>> {
    Ok(Json(
        json!({ "items": svc::mappings(&state, &user).await? }),
    ))
}

#[derive(serde::Deserialize)]
struct MappingsBody {
    #[serde(default)]
    items: Vec<MappingInput>,
}

/// `PUT /api/v1/dhis2/mappings` `{"items": [{"kind": "data_element" | "org_unit", "code",
/// "dhis2_id"}]}`: replaces every mapping.
async fn set_mappings(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(body): ApiJson<MappingsBody>,
) -> AppResult<Json<Value>> {
    let items = svc::set_mappings(&state, &caller(&user, &meta), &body.items).await?;
    Ok(Json(json!({ "items": items })))
}
