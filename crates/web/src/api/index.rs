//! The JSON API for index assessment frameworks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiJson, caller};
use crate::error::AppResult;
use crate::service::assessment::{
    self as rounds, ActInput, AnswerInput, AssessmentView, CorrectionInput, CriterionRef,
    ResponseInput, RoundInput, VerifyInput,
};
use crate::service::index::{self as svc, CopyInput, FrameworkInput, FrameworkView};
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/index-frameworks", get(list).post(create))
        .route("/index-frameworks/import", post(import))
        .route("/index-frameworks/{id}", get(get_one).put(replace))
        .route("/index-frameworks/{id}/export.json", get(export))
        .route("/index-frameworks/{id}/export.xlsx", get(export_xlsx))
        .route("/index-frameworks/{id}/copy", post(copy))
        .route("/index-rounds", get(list_rounds).post(open_round))
        .route("/index-rounds/{id}", get(get_round))
        .route("/index-rounds/{id}/publish", post(publish))
        .route("/index-rounds/{id}/results", get(results))
        .route("/assessments/{id}", get(get_assessment))
        .route("/assessments/{id}/scores", axum::routing::put(save_scores))
        .route("/assessments/{id}/evidence", post(add_link))
        .route("/assessments/{id}/actions", post(act))
        .route("/assessments/{id}/verifications", post(verify))
        .route("/assessments/{id}/responses", post(respond))
        .route("/assessments/{id}/corrections", post(correct))
        .route(
            "/tasks/{id}/criteria",
            get(task_criteria).put(set_task_criteria),
        )
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

/// `POST /api/v1/index-frameworks/import?code=&name=&year=&unit_kinds=`: a framework from
/// its JSON export or annex workbook sent as the body (`Content-Type` says which).
async fn import(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    axum::extract::Query(names): axum::extract::Query<svc::ImportMeta>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let filename = if content_type.contains("json") {
        "framework.json"
    } else {
        "framework.xlsx"
    };
    let view =
        svc::import_framework(&state, &caller(&user, &meta), filename, &body, &names).await?;
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

#[derive(serde::Deserialize, Default)]
struct VersionQuery {
    #[serde(default)]
    version: Option<i64>,
}

/// `PUT /api/v1/index-frameworks/{id}?version=`: the whole framework again, in the `POST`
/// shape; refused once a round uses it.
async fn replace(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<VersionQuery>,
    ApiJson(input): ApiJson<FrameworkInput>,
) -> AppResult<Json<FrameworkView>> {
    Ok(Json(
        svc::replace_framework(&state, &caller(&user, &meta), id, &input, q.version).await?,
    ))
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

/// `GET /api/v1/index-rounds`: every round, the newest year first.
async fn list_rounds(State(state): State<AppState>, Auth(user): Auth) -> AppResult<Json<Value>> {
    Ok(Json(
        json!({ "items": rounds::round_list(&state, &user).await? }),
    ))
}

/// `POST /api/v1/index-rounds` `{"framework_id", "name", "year", "deadline", "run_by"?,
/// "units"?}`: opens a round with a draft assessment per unit.
async fn open_round(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<RoundInput>,
) -> AppResult<Response> {
    let round = rounds::open_round(&state, &caller(&user, &meta), &input).await?;
    Ok((StatusCode::CREATED, Json(round)).into_response())
}

/// `GET /api/v1/index-rounds/{id}`: the round and the assessments the caller may see.
async fn get_round(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<rounds::RoundView>> {
    Ok(Json(rounds::round_view(&state, &user, id).await?))
}

/// `POST /api/v1/index-rounds/{id}/publish`: publishes every verified assessment.
async fn publish(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let round = rounds::publish(&state, &caller(&user, &meta), id).await?;
    Ok(Json(json!(round)))
}

/// `GET /api/v1/index-rounds/{id}/results`: ranking, pillars, index values, change since
/// last year and lost points (provisional before publication, for the round's staff).
async fn results(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<rounds::ResultsView>> {
    Ok(Json(rounds::round_results(&state, Some(&user), id).await?))
}

/// `GET /api/v1/assessments/{id}`: criterion by criterion, with live points and rights.
async fn get_assessment(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<AssessmentView>> {
    Ok(Json(rounds::assessment_view(&state, &user, id).await?))
}

#[derive(serde::Deserialize)]
struct ScoresBody {
    #[serde(default)]
    answers: Vec<AnswerInput>,
}

/// `PUT /api/v1/assessments/{id}/scores` `{"answers": [{"criterion", "points" | "yes" |
/// "value" | "numerator"+"denominator" | "choice" | "target", "explanation"}]}`.
async fn save_scores(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ScoresBody>,
) -> AppResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::save_answers(&state, &caller(&user, &meta), id, &body.answers).await?,
    ))
}

#[derive(serde::Deserialize)]
struct LinkBody {
    #[serde(default)]
    criterion: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    title: String,
}

/// `POST /api/v1/assessments/{id}/evidence` `{"criterion", "url", "title"}`: a link to a
/// published document as evidence (files are uploaded through the page).
async fn add_link(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LinkBody>,
) -> AppResult<Response> {
    let evidence = rounds::add_link(
        &state,
        &caller(&user, &meta),
        id,
        &body.criterion,
        &body.url,
        &body.title,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(evidence)).into_response())
}

/// `POST /api/v1/assessments/{id}/actions` `{"action": "submit" | "reopen" | "finalize",
/// "comment"?, "until"?, "version"?}`.
async fn act(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ActInput>,
) -> AppResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::act(&state, &caller(&user, &meta), id, &input).await?,
    ))
}

/// `POST /api/v1/assessments/{id}/verifications` `{"criterion", "decision": "accepted" |
/// "adjusted", "points"?, "comment"?}`.
async fn verify(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<VerifyInput>,
) -> AppResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::verify(&state, &caller(&user, &meta), id, &input).await?,
    ))
}

#[derive(serde::Deserialize)]
struct ResponsesBody {
    #[serde(default)]
    responses: Vec<ResponseInput>,
}

/// `POST /api/v1/assessments/{id}/responses` `{"responses": [{"criterion", "response"}]}`:
/// the unit's one response to the adjustments.
async fn respond(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ResponsesBody>,
) -> AppResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::respond(&state, &caller(&user, &meta), id, &body.responses).await?,
    ))
}

/// `POST /api/v1/assessments/{id}/corrections` `{"criterion", "points", "comment"}`: a
/// published result corrected as a new revision.
async fn correct(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CorrectionInput>,
) -> AppResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::correct(&state, &caller(&user, &meta), id, &input).await?,
    ))
}

/// `GET /api/v1/tasks/{id}/criteria`: the index criteria a task aims to improve.
async fn task_criteria(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    crate::service::tasks::readable_task(&state, &user, id).await?;
    Ok(Json(
        json!({ "items": rounds::task_criteria(&state, id).await? }),
    ))
}

#[derive(serde::Deserialize)]
struct TaskCriteriaBody {
    #[serde(default)]
    criteria: Vec<CriterionRef>,
}

/// `PUT /api/v1/tasks/{id}/criteria` `{"criteria": [{"framework_id", "code"}]}`.
async fn set_task_criteria(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TaskCriteriaBody>,
) -> AppResult<Json<Value>> {
    let items = rounds::link_task(&state, &caller(&user, &meta), id, &body.criteria).await?;
    Ok(Json(json!({ "items": items })))
}
