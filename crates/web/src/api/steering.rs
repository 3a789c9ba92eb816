//! Steering committee sessions, their conclusions and the tasks assigned from them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::tasks::{TaskJson, task_json};
use super::{ApiJson, caller};
use crate::error::WebResult;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::steering::{self as svc, Conclusion, PlanSteering, SessionView, SteeringSession};
use dxplan_domain::steering::SessionInput;
use dxplan_domain::task::TaskInput;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/plans/{id}/steering-sessions",
            get(plan_sessions).post(create_session),
        )
        .route("/plans/{id}/steering-briefing.docx", get(briefing_document))
        .route("/steering-sessions/{id}", get(session).patch(edit_session))
        .route("/steering-sessions/{id}/conclusions", post(add_conclusion))
        .route("/steering-sessions/{id}/notice", post(issue_notice))
        .route("/steering-sessions/{id}/notice.docx", get(notice_document))
        .route("/steering-conclusions/{id}", patch(edit_conclusion))
        .route("/steering-conclusions/{id}/tasks", post(assign_task))
        .route("/steering-conclusions/{id}/close", post(close_conclusion))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/steering-sessions", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The plan's steering committee sessions in the order held, with how their conclusions stand, and the briefing for the next session: the last session's conclusions and the earlier ones still open", body = PlanSteering), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn plan_sessions(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<PlanSteering>> {
    Ok(Json(svc::plan_sessions(&state, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/steering-sessions", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = SessionInput, content_type = "application/json"),
    responses((status = 201, description = "The session recorded, its conclusions numbered 1, 2, … in the order given", body = SessionView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create_session(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SessionInput>,
) -> WebResult<Response> {
    let view = svc::create_session(&state, &caller(&user, &meta), id, &input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(get, path = "/api/v1/steering-sessions/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The session, its conclusions with where each stands and its tasks, and what it was briefed on", body = SessionView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn session(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<SessionView>> {
    Ok(Json(svc::session(&state, &user, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/steering-sessions/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = SessionInput, content_type = "application/json", description = "The session's day, title, chair and attendees (its conclusions are edited one by one, and ignored here)"),
    responses((status = 200, description = "The session corrected; its number, conclusions and tasks stay", body = SteeringSession), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn edit_session(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SessionInput>,
) -> WebResult<Json<SteeringSession>> {
    Ok(Json(
        svc::edit_session(&state, &caller(&user, &meta), id, &input).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConclusionBody {
    text: String,
}

#[utoipa::path(post, path = "/api/v1/steering-sessions/{id}/conclusions", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = ConclusionBody, content_type = "application/json"),
    responses((status = 201, description = "The conclusion, numbered after the session's last", body = Conclusion), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn add_conclusion(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ConclusionBody>,
) -> WebResult<Response> {
    let k = svc::add_conclusion(&state, &caller(&user, &meta), id, &body.text).await?;
    Ok((StatusCode::CREATED, Json(k)).into_response())
}

#[utoipa::path(patch, path = "/api/v1/steering-conclusions/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = ConclusionBody, content_type = "application/json"),
    responses((status = 200, description = "The conclusion with its text corrected; its number, tasks and status stay", body = Conclusion), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn edit_conclusion(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ConclusionBody>,
) -> WebResult<Json<Conclusion>> {
    Ok(Json(
        svc::edit_conclusion(&state, &caller(&user, &meta), id, &body.text).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/steering-conclusions/{id}/tasks", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = TaskInput, content_type = "application/json"),
    responses((status = 201, description = "A task of the session's plan assigned from the conclusion (a draft, as any assigned task): its source is the conclusion notice at the conclusion's number; a blank code becomes `KL{session}.{conclusion}`, a blank title the conclusion's text", body = TaskJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn assign_task(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TaskInput>,
) -> WebResult<Response> {
    let task = svc::assign_task(&state, &caller(&user, &meta), id, &input).await?;
    let json = task_json(&task, state.today(), state.app.settings.due_soon_days);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloseBody {
    /// Why it needs no (further) task.
    note: String,
}

#[utoipa::path(post, path = "/api/v1/steering-conclusions/{id}/close", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = CloseBody, content_type = "application/json"),
    responses((status = 200, description = "The conclusion, closed with the note: no longer carried to the next session", body = Conclusion), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn close_conclusion(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CloseBody>,
) -> WebResult<Json<Conclusion>> {
    Ok(Json(
        svc::close_conclusion(&state, &caller(&user, &meta), id, &body.note).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoticeBody {
    /// The notice's number (`125/TB-UBND`).
    number: String,
    /// The day it was issued (today when absent).
    #[serde(default)]
    issued_on: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/steering-sessions/{id}/notice", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = NoticeBody, content_type = "application/json"),
    responses((status = 200, description = "The session with its conclusion notice's number and date, which its tasks without a source number take", body = SteeringSession), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn issue_notice(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NoticeBody>,
) -> WebResult<Json<SteeringSession>> {
    Ok(Json(
        svc::issue_notice(
            &state,
            &caller(&user, &meta),
            id,
            &body.number,
            body.issued_on.as_deref(),
        )
        .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/steering-sessions/{id}/notice.docx", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The conclusion notice (thông báo kết luận) in Word, Decree 30 layout, issued by the province's People's Committee: the session, its numbered conclusions and who leads each one's tasks", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn notice_document(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (session, bytes) = svc::notice_document(&state, &user, id).await?;
    Ok(crate::http::download(
        DOCX,
        &format!("thong-bao-ket-luan-phien-{}.docx", session.number),
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/steering-briefing.docx", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The briefing for the next session in Word, Decree 30 layout: what became of the last session's conclusions and the earlier ones still open", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn briefing_document(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let bytes = svc::briefing_document(&state, &user, id).await?;
    Ok(crate::http::download(
        DOCX,
        &format!("bao-cao-ket-luan-ban-chi-dao-{id}.docx"),
        bytes,
    ))
}
