//! The JSON API for index assessment frameworks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dxplan_app::assessment::LinkedCriterion;
use serde_json::Value;

use super::{ApiJson, ApiQuery, caller};
use crate::error::WebResult;
use crate::openapi::Items;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::assessment::{
    self as rounds, ActInput, AnswerInput, AssessmentView, CorrectionInput, CriterionRef,
    ResponseInput, RoundInput, VerifyInput,
};
use dxplan_app::index::{self as svc, CopyInput, FrameworkInput, FrameworkView};

pub fn routes(upload_limit: usize) -> Router<AppState> {
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
        .route(
            "/assessments/{id}/evidence/files",
            post(upload_evidence).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/assessment-evidence/{id}", get(download_evidence))
        .route("/index-rounds/{id}/results.xlsx", get(results_xlsx))
        .route("/index-rounds/{id}/results.pdf", get(results_pdf))
        .route("/assessments/{id}/actions", post(act))
        .route("/assessments/{id}/verifications", post(verify))
        .route("/assessments/{id}/responses", post(respond))
        .route("/assessments/{id}/corrections", post(correct))
        .route(
            "/tasks/{id}/criteria",
            get(task_criteria).put(set_task_criteria),
        )
}

#[utoipa::path(get, path = "/api/v1/index-frameworks", tag = "index",
    responses((status = 200, description = "Every framework, the newest year first", body = crate::openapi::Page<dxplan_app::index::Framework>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/index-frameworks`: every framework, the newest year first.
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    super::ApiQuery(page): super::ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<dxplan_app::index::Framework>>> {
    Ok(Json(super::paged(
        svc::frameworks(&state, &user).await?,
        &page,
    )?))
}

#[utoipa::path(post, path = "/api/v1/index-frameworks", tag = "index",
    request_body = dxplan_app::index::FrameworkInput,
    responses((status = 201, description = "The framework with computed maxima and any warnings", body = FrameworkView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/index-frameworks`: a framework and its criteria tree, all or nothing.
pub(crate) async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<FrameworkInput>,
) -> WebResult<Response> {
    let view = svc::create_framework(&state, &caller(&user, &meta), &input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(post, path = "/api/v1/index-frameworks/import", tag = "index",
    params(("code" = Option<String>, Query), ("name" = Option<String>, Query), ("year" = Option<i64>, Query), ("unit_kinds" = Option<String>, Query, description = "Comma-separated: department, district, commune")),
    request_body(content = Vec<u8>, description = "The JSON export or the annex workbook (.xlsx)", content_type = "application/octet-stream"),
    responses((status = 201, description = "The framework", body = FrameworkView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/index-frameworks/import?code=&name=&year=&unit_kinds=`: a framework from
/// its JSON export or annex workbook sent as the body (`Content-Type` says which).
pub(crate) async fn import(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    axum::extract::Query(names): axum::extract::Query<svc::ImportMeta>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> WebResult<Response> {
    let caller = caller(&user, &meta);
    // Rights first: a refused caller's file is not read at all.
    svc::require_frameworks(&state, &caller).await?;
    let body = crate::upload::body_bytes(body, crate::upload::WORKBOOK_BYTES).await?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let filename = if content_type.contains("json") {
        "framework.json"
    } else {
        "framework.xlsx"
    };
    let view = svc::import_framework(&state, &caller, filename, &body, &names).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(get, path = "/api/v1/index-frameworks/{id}", tag = "index",
    params(("id" = i64, Path, description = "The record's id")),
    responses((status = 200, description = "The tree with computed maxima", body = FrameworkView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/index-frameworks/{id}`: the tree with computed maxima.
pub(crate) async fn get_one(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<FrameworkView>> {
    Ok(Json(svc::framework(&state, &user, id).await?))
}

#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct VersionQuery {
    #[serde(default)]
    version: Option<i64>,
}

#[utoipa::path(put, path = "/api/v1/index-frameworks/{id}", tag = "index",
    params(VersionQuery, ("id" = i64, Path, description = "The record's id")),
    request_body = dxplan_app::index::FrameworkInput,
    responses((status = 200, description = "The framework now", body = FrameworkView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `PUT /api/v1/index-frameworks/{id}?version=`: the whole framework again, in the `POST`
/// shape; refused once a round uses it.
pub(crate) async fn replace(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<VersionQuery>,
    ApiJson(input): ApiJson<FrameworkInput>,
) -> WebResult<Json<FrameworkView>> {
    Ok(Json(
        svc::replace_framework(&state, &caller(&user, &meta), id, &input, q.version).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/index-frameworks/{id}/export.json", tag = "index",
    params(("id" = i64, Path, description = "The record's id")),
    responses((status = 200, description = "The framework in the shape POST reads", body = FrameworkInput), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/index-frameworks/{id}/export.json`: the framework as `POST` reads it.
pub(crate) async fn export(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<Value>> {
    Ok(Json(svc::export_framework(&state, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/index-frameworks/{id}/copy", tag = "index",
    params(("id" = i64, Path, description = "The record's id")),
    request_body = dxplan_app::index::CopyInput,
    responses((status = 201, description = "The copy", body = FrameworkView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/index-frameworks/{id}/copy` `{"code", "name", "year"}`: last year's tree
/// as the start of a new framework.
pub(crate) async fn copy(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CopyInput>,
) -> WebResult<Response> {
    let view = svc::copy_framework(&state, &caller(&user, &meta), id, &input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(get, path = "/api/v1/index-frameworks/{id}/export.xlsx", tag = "index",
    params(("id" = i64, Path, description = "The record's id")),
    responses((status = 200, description = "The annex workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/index-frameworks/{id}/export.xlsx`: the framework as a published annex.
pub(crate) async fn export_xlsx(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (filename, bytes) = svc::framework_xlsx(&state, &user, id).await?;
    Ok(crate::http::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &filename,
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/index-rounds", tag = "index",
    responses((status = 200, description = "Every round, the newest year first", body = crate::openapi::Page<dxplan_app::assessment::Round>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/index-rounds`: every round, the newest year first.
pub(crate) async fn list_rounds(
    State(state): State<AppState>,
    Auth(user): Auth,
    super::ApiQuery(page): super::ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<dxplan_app::assessment::Round>>> {
    Ok(Json(super::paged(
        rounds::round_list(&state, &user).await?,
        &page,
    )?))
}

#[utoipa::path(post, path = "/api/v1/index-rounds", tag = "index",
    request_body = dxplan_app::assessment::RoundInput,
    responses((status = 201, description = "The round, with a draft assessment per unit", body = dxplan_app::assessment::Round), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/index-rounds` `{"framework_id", "name", "year", "deadline", "run_by"?,
/// "units"?}`: opens a round with a draft assessment per unit.
pub(crate) async fn open_round(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<RoundInput>,
) -> WebResult<Response> {
    let round = rounds::open_round(&state, &caller(&user, &meta), &input).await?;
    Ok((StatusCode::CREATED, Json(round)).into_response())
}

#[utoipa::path(get, path = "/api/v1/index-rounds/{id}", tag = "index",
    params(("id" = i64, Path, description = "The record's id")),
    responses((status = 200, description = "The round and the assessments the caller may see", body = rounds::RoundView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/index-rounds/{id}`: the round and the assessments the caller may see.
pub(crate) async fn get_round(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<rounds::RoundView>> {
    Ok(Json(rounds::round_view(&state, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/index-rounds/{id}/publish", tag = "index",
    params(("id" = i64, Path, description = "The record's id")),
    responses((status = 200, description = "The published round", body = dxplan_app::assessment::Round), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/index-rounds/{id}/publish`: publishes every verified assessment.
pub(crate) async fn publish(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<dxplan_app::assessment::Round>> {
    Ok(Json(
        rounds::publish(&state, &caller(&user, &meta), id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/index-rounds/{id}/results", tag = "index",
    params(("id" = i64, Path, description = "The record's id"), rounds::ResultsQuery),
    responses((status = 200, description = "Ranking, pillars, 0–1 index values, change since last year, points lost", body = rounds::ResultsView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/index-rounds/{id}/results`: ranking, pillars, index values, change since
/// last year and lost points (provisional before publication, for the round's staff).
pub(crate) async fn results(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<rounds::ResultsQuery>,
) -> WebResult<Json<rounds::ResultsView>> {
    Ok(Json(
        rounds::round_results(&state, Some(&user), id, &q).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = i64, Path, description = "The record's id")),
    responses((status = 200, description = "Criterion by criterion, with live points and the caller's rights", body = AssessmentView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/assessments/{id}`: criterion by criterion, with live points and rights.
pub(crate) async fn get_assessment(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<AssessmentView>> {
    Ok(Json(rounds::assessment_view(&state, &user, id).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ScoresBody {
    #[serde(default)]
    answers: Vec<AnswerInput>,
}

#[utoipa::path(put, path = "/api/v1/assessments/{id}/scores", tag = "assessments",
    params(("id" = i64, Path, description = "The record's id")),
    request_body(content = ScoresBody, description = "`{\"answers\": [AnswerInput]}`"),
    responses((status = 200, description = "The assessment now", body = AssessmentView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `PUT /api/v1/assessments/{id}/scores` `{"answers": [{"criterion", "points" | "yes" |
/// "value" | "numerator"+"denominator" | "choice" | "target", "explanation"}]}`.
pub(crate) async fn save_scores(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ScoresBody>,
) -> WebResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::save_answers(&state, &caller(&user, &meta), id, &body.answers).await?,
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct LinkBody {
    #[serde(default)]
    criterion: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    title: String,
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/evidence", tag = "assessments",
    params(("id" = i64, Path, description = "The record's id")),
    request_body(content = LinkBody, description = "`{\"criterion\", \"url\", \"title\"}`"),
    responses((status = 201, description = "The evidence link", body = dxplan_app::assessment::Evidence), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/assessments/{id}/evidence` `{"criterion", "url", "title"}`: a link to a
/// published document as evidence (files go to `…/evidence/files`).
pub(crate) async fn add_link(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LinkBody>,
) -> WebResult<Response> {
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

#[utoipa::path(post, path = "/api/v1/assessments/{id}/actions", tag = "assessments",
    params(("id" = i64, Path, description = "The record's id")),
    request_body = dxplan_app::assessment::ActInput,
    responses((status = 200, description = "The assessment now", body = AssessmentView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/assessments/{id}/actions` `{"action": "submit" | "reopen" | "finalize",
/// "comment"?, "until"?, "version"?}`.
pub(crate) async fn act(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ActInput>,
) -> WebResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::act(&state, &caller(&user, &meta), id, &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/verifications", tag = "assessments",
    params(("id" = i64, Path, description = "The record's id")),
    request_body = dxplan_app::assessment::VerifyInput,
    responses((status = 200, description = "The assessment now", body = AssessmentView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/assessments/{id}/verifications` `{"criterion", "decision": "accepted" |
/// "adjusted", "points"?, "comment"?}`.
pub(crate) async fn verify(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<VerifyInput>,
) -> WebResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::verify(&state, &caller(&user, &meta), id, &input).await?,
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ResponsesBody {
    #[serde(default)]
    responses: Vec<ResponseInput>,
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/responses", tag = "assessments",
    params(("id" = i64, Path, description = "The record's id")),
    request_body(content = ResponsesBody, description = "`{\"responses\": [ResponseInput]}`"),
    responses((status = 200, description = "The assessment now", body = AssessmentView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/assessments/{id}/responses` `{"responses": [{"criterion", "response"}]}`:
/// the unit's one response to the adjustments.
pub(crate) async fn respond(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ResponsesBody>,
) -> WebResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::respond(&state, &caller(&user, &meta), id, &body.responses).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/corrections", tag = "assessments",
    params(("id" = i64, Path, description = "The record's id")),
    request_body = dxplan_app::assessment::CorrectionInput,
    responses((status = 200, description = "The assessment with its new revision", body = AssessmentView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/assessments/{id}/corrections` `{"criterion", "points", "comment"}`: a
/// published result corrected as a new revision.
pub(crate) async fn correct(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CorrectionInput>,
) -> WebResult<Json<AssessmentView>> {
    Ok(Json(
        rounds::correct(&state, &caller(&user, &meta), id, &input).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/criteria", tag = "assessments",
    params(super::PageQuery, ("id" = i64, Path, description = "The record's id")),
    responses((status = 200, description = "The criteria the task aims to improve", body = crate::openapi::Page<dxplan_app::assessment::LinkedCriterion>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/tasks/{id}/criteria`: the index criteria a task aims to improve.
pub(crate) async fn task_criteria(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<LinkedCriterion>>> {
    dxplan_app::tasks::readable_task(&state, &user, id).await?;
    Ok(Json(super::paged(
        rounds::task_criteria(&state, id).await?,
        &page,
    )?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct TaskCriteriaBody {
    #[serde(default)]
    criteria: Vec<CriterionRef>,
}

#[utoipa::path(put, path = "/api/v1/tasks/{id}/criteria", tag = "assessments",
    params(("id" = i64, Path, description = "The record's id")),
    request_body(content = TaskCriteriaBody, description = "`{\"criteria\": [CriterionRef]}`"),
    responses((status = 200, description = "The criteria now", body = crate::openapi::Items<dxplan_app::assessment::LinkedCriterion>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `PUT /api/v1/tasks/{id}/criteria` `{"criteria": [{"framework_id", "code"}]}`.
pub(crate) async fn set_task_criteria(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TaskCriteriaBody>,
) -> WebResult<Json<Items<LinkedCriterion>>> {
    let items = rounds::link_task(&state, &caller(&user, &meta), id, &body.criteria).await?;
    Ok(Json(Items { items }))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CriterionQuery {
    /// The criterion's code.
    #[serde(default)]
    criterion: String,
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/evidence/files", tag = "assessments",
    params(("id" = i64, Path), CriterionQuery),
    request_body(content = crate::openapi::FileUpload, content_type = "multipart/form-data", description = "The file in the part named `file`"),
    responses((status = 201, description = "The evidence file (type checked by its content)", body = dxplan_app::assessment::Evidence),
        (status = 422, description = "A file of a type not accepted", body = crate::openapi::ErrorBody), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/assessments/{id}/evidence/files?criterion=…`: an evidence file.
pub(crate) async fn upload_evidence(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<CriterionQuery>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let file = crate::upload::first_file(multipart, state.upload_limit());
    let evidence =
        rounds::attach_file(&state, &caller(&user, &meta), id, &q.criterion, file).await?;
    Ok((StatusCode::CREATED, Json(evidence)).into_response())
}

#[utoipa::path(get, path = "/api/v1/assessment-evidence/{id}", tag = "assessments",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The evidence file", content_type = "application/octet-stream"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/assessment-evidence/{id}`: an evidence file, for whoever may see its assessment.
pub(crate) async fn download_evidence(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (evidence, bytes) = rounds::evidence_file(&state, &user, id).await?;
    Ok(crate::http::stored_file_response(
        evidence.kind.as_deref().unwrap_or_default(),
        &evidence.original_name,
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/index-rounds/{id}/results.xlsx", tag = "index",
    params(("id" = i64, Path), rounds::ResultsQuery),
    responses((status = 200, description = "Ranking, main indices, change and points lost as a workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/index-rounds/{id}/results.xlsx`.
pub(crate) async fn results_xlsx(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<rounds::ResultsQuery>,
) -> WebResult<Response> {
    results_file(&state, &meta, &user, id, &q, "xlsx").await
}

#[utoipa::path(get, path = "/api/v1/index-rounds/{id}/results.pdf", tag = "index",
    params(("id" = i64, Path), rounds::ResultsQuery),
    responses((status = 200, description = "The results report (Decree 30 layout)", content_type = "application/pdf"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/index-rounds/{id}/results.pdf`.
pub(crate) async fn results_pdf(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<rounds::ResultsQuery>,
) -> WebResult<Response> {
    results_file(&state, &meta, &user, id, &q, "pdf").await
}

async fn results_file(
    state: &AppState,
    meta: &RequestMeta,
    user: &crate::session::CurrentUser,
    id: i64,
    q: &rounds::ResultsQuery,
    ext: &str,
) -> WebResult<Response> {
    let view = rounds::round_results(state, Some(user), id, q).await?;
    let (content_type, filename, bytes) =
        rounds::results_document(state, view, ext, meta.lang).await?;
    Ok(crate::http::download(content_type, &filename, bytes))
}
