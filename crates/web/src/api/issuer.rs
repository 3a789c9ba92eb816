//! The JSON API for a unit's letterhead: what its documents print as issuer, number
//! symbol, place, signer and recipients (Decree 30/2020/NĐ-CP).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use dxplan_domain::issuer::IssuerInput;

use super::{ApiJson, caller};
use crate::error::WebResult;
use crate::session::{Auth, CurrentUser, RequestMeta};
use crate::state::AppState;
use dxplan_app::issuer::{self as svc, IssuerView};

pub fn routes() -> Router<AppState> {
    Router::new().route("/units/{code}/issuer", get(get_issuer).put(put_issuer))
}

/// The unit holding `code` today.
async fn unit_id(state: &AppState, user: &CurrentUser, code: &str) -> WebResult<i64> {
    let unit = dxplan_app::units::unit_by_code(state, user, code, state.today()).await?;
    Ok(unit.unit.id)
}

#[utoipa::path(get, path = "/api/v1/units/{code}/issuer", tag = "accounts",
    params(("code" = String, Path, description = "The unit's code (the unit holding it today)")),
    responses((status = 200, description = "What the unit set of its letterhead, what a report dated today prints, and the defaults", body = IssuerView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn get_issuer(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(code): Path<String>,
) -> WebResult<Json<IssuerView>> {
    let id = unit_id(&state, &user, &code).await?;
    Ok(Json(svc::view(&state, &user, id).await?))
}

#[utoipa::path(put, path = "/api/v1/units/{code}/issuer", tag = "accounts",
    params(("code" = String, Path, description = "The unit's code (the unit holding it today)")),
    request_body(content = IssuerInput, content_type = "application/json",
        description = "Every field: absent, null or blank keeps the default. `governing_body: \"\"` prints no governing body line. Lines are separated by line breaks."),
    responses((status = 200, description = "The letterhead now", body = IssuerView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn put_issuer(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<IssuerInput>,
) -> WebResult<Json<IssuerView>> {
    svc::require_editor_somewhere(&user)?;
    let id = unit_id(&state, &user, &code).await?;
    Ok(Json(
        svc::update(&state, &caller(&user, &meta), id, &input).await?,
    ))
}
