//! The Decree 335/2025/NĐ-CP figures for the province's evaluation software, and the two
//! facts that feed them: the officer who answers for a task, and an exempted delay.

use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use super::{ApiJson, ApiQuery, caller};
use crate::api::tasks::{TaskJson, task_json};
use crate::error::WebResult;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::evaluation::{self as svc, Evaluation, EvaluationQuery};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/evaluation/figures", get(figures))
        .route("/tasks/{id}/delay-exemption", post(exempt_delay))
        .route("/tasks/{id}/officer", put(set_officer))
}

#[utoipa::path(get, path = "/api/v1/evaluation/figures", tag = "evaluation",
    params(EvaluationQuery),
    responses((status = 200, description = "For a month (`2026-11`) or a quarter (`2026Q4`, the current one by default), each unit's and each named officer's products due in the period: assigned, delivered on time, delivered late, overdue, refused on quality, delays exempted; with the rates Decree 335/2025/NĐ-CP scores — quantity, quality, and progress (75 points for each unexempted late product). Within what the caller may read.", body = Evaluation), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn figures(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<EvaluationQuery>,
) -> WebResult<Json<Evaluation>> {
    Ok(Json(svc::evaluation(&state, &user, &q).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExemptionBody {
    /// The objective cause the coordinator confirmed (a natural disaster, a delay of a
    /// central agency…).
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/delay-exemption", tag = "evaluation",
    params(("id" = i64, Path)),
    request_body(content = ExemptionBody, content_type = "application/json"),
    responses((status = 200, description = "The task, its delay exempted: it no longer costs the unit progress points", body = TaskJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn exempt_delay(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ExemptionBody>,
) -> WebResult<Json<TaskJson>> {
    let task = svc::exempt_delay(&state, &caller(&user, &meta), id, &body.reason).await?;
    Ok(Json(task_json(
        &task,
        state.today(),
        state.app.settings.due_soon_days,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OfficerBody {
    /// The officer's name or username, one of the lead unit's staff; null for none.
    officer: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/tasks/{id}/officer", tag = "evaluation",
    params(("id" = i64, Path)),
    request_body(content = OfficerBody, content_type = "application/json"),
    responses((status = 200, description = "The task with the officer who answers for it", body = TaskJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn set_officer(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OfficerBody>,
) -> WebResult<Json<TaskJson>> {
    let task = svc::set_officer(&state, &caller(&user, &meta), id, body.officer.as_deref()).await?;
    Ok(Json(task_json(
        &task,
        state.today(),
        state.app.settings.due_soon_days,
    )))
}
