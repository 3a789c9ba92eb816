//! Scheduled briefings: a plan's briefing or progress report over a subtree, e-mailed on
//! a schedule to named accounts that may read it, with a log of each send.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::{ApiJson, caller};
use crate::error::WebResult;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::briefings::{
    self as svc, BriefingRecipient, BriefingSchedule, BriefingSend, ScheduleDetail,
    ScheduleRequest, ScheduleView,
};
use dxplan_domain::briefing::ScheduleInput;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/briefing-schedules", get(list).post(create))
        .route("/briefing-schedules/{id}", get(one).patch(update))
        .route("/briefing-schedules/{id}/recipients", post(add_recipient))
        .route(
            "/briefing-schedules/{id}/recipients/{user_id}",
            delete(remove_recipient),
        )
        .route("/briefing-schedules/{id}/send", post(send_now))
        .route("/briefing-sends/{id}/file", get(file))
}

/// A schedule as the API takes it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleBody {
    /// The plan whose briefing or report is sent.
    plan_id: i64,
    /// The unit whose subtree it covers, by code or name (the province's root for all).
    unit: String,
    /// The e-mail's subject (`Tóm tắt tuần cho Ban Chỉ đạo`), up to 200 characters.
    title: String,
    /// `briefing` (one-page PDF), `report_pdf` or `report_word`.
    document: String,
    /// `weekly` or `before_session`.
    cadence: String,
    /// For `weekly`: Monday 1 … Sunday 7.
    #[serde(default)]
    weekday: Option<i64>,
    /// For `before_session`: days before each steering session of the plan, 0 … 14.
    #[serde(default)]
    days_before: Option<i64>,
    /// `false` pauses it; a new schedule is active unless told otherwise.
    #[serde(default)]
    active: Option<bool>,
}

impl From<ScheduleBody> for ScheduleRequest {
    fn from(b: ScheduleBody) -> ScheduleRequest {
        ScheduleRequest {
            plan: b.plan_id.to_string(),
            unit: b.unit,
            fields: ScheduleInput {
                title: b.title,
                document: b.document,
                cadence: b.cadence,
                weekday: b.weekday.map(|n| n.to_string()),
                days_before: b.days_before.map(|n| n.to_string()),
            },
            active: b.active.unwrap_or(true),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/briefing-schedules", tag = "dashboard",
    responses((status = 200, description = "The schedules, newest first, each with its recipients' count, its next send and its last", body = [ScheduleView]), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
) -> WebResult<Json<Vec<ScheduleView>>> {
    Ok(Json(
        svc::list(&state, &user, dxplan_domain::Lang::Vi).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/briefing-schedules", tag = "dashboard",
    request_body(content = ScheduleBody, content_type = "application/json"),
    responses((status = 201, description = "The schedule, with no recipients yet", body = BriefingSchedule), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> WebResult<Response> {
    let schedule = svc::create(&state, &caller(&user, &meta), &body.into()).await?;
    Ok((StatusCode::CREATED, Json(schedule)).into_response())
}

#[utoipa::path(get, path = "/api/v1/briefing-schedules/{id}", tag = "dashboard",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The schedule, its recipients, the accounts that may be added (active, with an e-mail address, may read the subtree), and its sends with a line per recipient: queued with the e-mail's status on the outbox, or skipped and why", body = ScheduleDetail), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn one(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<ScheduleDetail>> {
    Ok(Json(
        svc::detail(&state, &user, id, dxplan_domain::Lang::Vi).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/briefing-schedules/{id}", tag = "dashboard",
    params(("id" = i64, Path)),
    request_body(content = ScheduleBody, content_type = "application/json"),
    responses((status = 200, description = "The schedule as changed (every field given again; `active: false` pauses it)", body = BriefingSchedule), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn update(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> WebResult<Json<BriefingSchedule>> {
    Ok(Json(
        svc::update(&state, &caller(&user, &meta), id, &body.into()).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecipientBody {
    /// An active account with an e-mail address that may read the schedule's subtree.
    user_id: i64,
}

#[utoipa::path(post, path = "/api/v1/briefing-schedules/{id}/recipients", tag = "dashboard",
    params(("id" = i64, Path)),
    request_body(content = RecipientBody, content_type = "application/json"),
    responses((status = 201, description = "The recipient added (adding one twice changes nothing)", body = BriefingRecipient), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn add_recipient(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RecipientBody>,
) -> WebResult<Response> {
    let r = svc::add_recipient(&state, &caller(&user, &meta), id, body.user_id).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/briefing-schedules/{id}/recipients/{user_id}", tag = "dashboard",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 204, description = "The recipient taken off; what they were sent stays in the log"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn remove_recipient(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path((id, user_id)): Path<(i64, i64)>,
) -> WebResult<StatusCode> {
    svc::remove_recipient(&state, &caller(&user, &meta), id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/briefing-schedules/{id}/send", tag = "dashboard",
    params(("id" = i64, Path)),
    responses((status = 201, description = "The document made now and queued to each recipient who may still read the subtree", body = BriefingSend), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn send_now(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let send = svc::send_now(&state, &caller(&user, &meta), id).await?;
    Ok((StatusCode::CREATED, Json(send)).into_response())
}

#[utoipa::path(get, path = "/api/v1/briefing-sends/{id}/file", tag = "dashboard",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The document of a send, for a person it was sent to who may still read its subtree (or a coordinator); kept 30 days", content_type = "application/pdf"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn file(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let doc = svc::sent_file(&state, &user, id).await?;
    Ok(crate::http::download(
        svc::content_type(&doc.filename),
        &doc.filename,
        doc.bytes,
    ))
}
