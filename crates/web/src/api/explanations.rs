//! Explanation requests (yêu cầu giải trình): asked of a unit on a figure, a task or its
//! work; answered by the unit with text and evidence; accepted, asked again or withdrawn.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiQuery, caller};
use crate::error::WebResult;
use crate::http::paging::{cursor_position, position_cursor};
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::error::AppError;
use dxplan_app::explanations::{
    self as svc, ExplanationFile, ExplanationSummary, ExplanationTally, ExplanationView, Inbox,
    ListAsk,
};
use dxplan_domain::explanation::{RequestInput, Status};

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/explanations", get(list).post(create))
        .route("/explanations/tally", get(tally))
        .route("/explanations/{id}", get(one))
        .route("/explanations/{id}/answer", post(answer))
        .route("/explanations/{id}/accept", post(accept))
        .route("/explanations/{id}/ask-again", post(ask_again))
        .route("/explanations/{id}/withdraw", post(withdraw))
        .route(
            "/explanations/{id}/files",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/explanation-files/{id}", get(download))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `to_answer` (requests to the caller's units), `following` (requests the caller may
    /// decide on; the default) or `asked` (asked by the caller).
    #[serde(default)]
    inbox: Option<String>,
    /// `awaiting`, `answered`, `accepted` or `withdrawn`.
    #[serde(default)]
    status: Option<String>,
    /// `true`: only requests awaited past their deadline.
    #[serde(default)]
    overdue: Option<bool>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    cursor: Option<String>,
}

/// One page of requests, the awaited first by deadline.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ExplanationPage {
    items: Vec<ExplanationSummary>,
    total: i64,
    next_cursor: Option<String>,
}

fn unknown(field: &str) -> AppError {
    AppError::field(field, dxplan_domain::Invalid::NotOffered)
}

#[utoipa::path(get, path = "/api/v1/explanations", tag = "tasks",
    params(ListQuery),
    responses((status = 200, description = "One page of the explanation requests of an inbox, the awaited first by deadline, then the rest newest first", body = ExplanationPage), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> WebResult<Json<ExplanationPage>> {
    let inbox = match q.inbox.as_deref() {
        None | Some("") => Inbox::default(),
        Some(given) => Inbox::parse(given).ok_or_else(|| unknown("inbox"))?,
    };
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(given) => Some(Status::parse(given).ok_or_else(|| unknown("status"))?),
    };
    let offset = cursor_position(q.cursor.as_deref())? as i64;
    let limit = i64::from(q.limit.unwrap_or(50).clamp(1, 200));
    let found = svc::list(
        &state,
        &user,
        &ListAsk {
            inbox,
            status,
            overdue: q.overdue.unwrap_or(false),
            limit,
            offset,
        },
    )
    .await?;
    Ok(Json(ExplanationPage {
        next_cursor: (offset + limit < found.total)
            .then(|| position_cursor((offset + limit) as usize)),
        items: found.items,
        total: found.total,
    }))
}

#[utoipa::path(get, path = "/api/v1/explanations/tally", tag = "tasks",
    responses((status = 200, description = "What waits on the caller: requests to answer (and how many are overdue), answers to read, requests overdue among those followed", body = ExplanationTally), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn tally(
    State(state): State<AppState>,
    Auth(user): Auth,
) -> WebResult<Json<ExplanationTally>> {
    Ok(Json(svc::tally(&state, &user).await?))
}

#[utoipa::path(post, path = "/api/v1/explanations", tag = "tasks",
    request_body(content = RequestInput, content_type = "application/json"),
    responses((status = 201, description = "The request sent: the unit's editors and approvers are told in the app and by e-mail", body = ExplanationView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<RequestInput>,
) -> WebResult<Response> {
    let view = svc::ask(&state, &caller(&user, &meta), &input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(get, path = "/api/v1/explanations/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The request, its thread of questions, answers and decisions, its evidence files, and what the caller may do", body = ExplanationView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn one(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<ExplanationView>> {
    Ok(Json(svc::view(&state, &user, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnswerBody {
    text: String,
}

#[utoipa::path(post, path = "/api/v1/explanations/{id}/answer", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = AnswerBody, content_type = "application/json"),
    responses((status = 200, description = "The unit's answer recorded; the asker is told", body = ExplanationView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn answer(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> WebResult<Json<ExplanationView>> {
    Ok(Json(
        svc::answer(&state, &caller(&user, &meta), id, &body.text).await?,
    ))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AcceptBody {
    #[serde(default)]
    comment: String,
}

#[utoipa::path(post, path = "/api/v1/explanations/{id}/accept", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = AcceptBody, content_type = "application/json"),
    responses((status = 200, description = "The answer accepted: the request is closed and the unit told", body = ExplanationView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn accept(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AcceptBody>,
) -> WebResult<Json<ExplanationView>> {
    Ok(Json(
        svc::accept(&state, &caller(&user, &meta), id, &body.comment).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AskAgainBody {
    question: String,
    /// `2026-12-15` or `15/12/2026`.
    deadline: String,
}

#[utoipa::path(post, path = "/api/v1/explanations/{id}/ask-again", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = AskAgainBody, content_type = "application/json"),
    responses((status = 200, description = "A further question with a new deadline: the request awaits the unit again", body = ExplanationView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn ask_again(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AskAgainBody>,
) -> WebResult<Json<ExplanationView>> {
    Ok(Json(
        svc::ask_again(
            &state,
            &caller(&user, &meta),
            id,
            &body.question,
            &body.deadline,
        )
        .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WithdrawBody {
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/explanations/{id}/withdraw", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = WithdrawBody, content_type = "application/json"),
    responses((status = 200, description = "A request not yet answered taken back, with the reason; the unit is told", body = ExplanationView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WithdrawBody>,
) -> WebResult<Json<ExplanationView>> {
    Ok(Json(
        svc::withdraw(&state, &caller(&user, &meta), id, &body.reason).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/explanations/{id}/files", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = crate::openapi::FileUpload, content_type = "multipart/form-data", description = "The file in the part named `file`"),
    responses((status = 201, description = "An evidence file for the unit's answer, while the request awaits it (type checked by its content)", body = ExplanationFile), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let file = crate::upload::first_file(multipart, state.upload_limit());
    let saved = svc::attach(&state, &caller(&user, &meta), id, file).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[utoipa::path(get, path = "/api/v1/explanation-files/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The file, as its checked type"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn download(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (file, bytes) = svc::file_for(&state, &user, id).await?;
    Ok(crate::http::stored_file_response(
        &file.kind,
        &file.original_name,
        bytes,
    ))
}
