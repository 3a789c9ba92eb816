//! Urging letters (công văn đôn đốc) to the units late on a plan's tasks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::{ApiJson, caller};
use crate::error::WebResult;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::urging::{self as svc, LetterView, Urging, UrgingLetter};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans/{id}/urging", get(plan_urging))
        .route("/plans/{id}/urging-letters", post(draft_letter))
        .route("/urging-letters/{id}/document.docx", get(letter_document))
        .route("/urging-letters/{id}/sent", post(mark_sent))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/urging", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The units late on the plan's tasks now, each with its overdue tasks and the urging letters it was sent, and the letters so far", body = Urging), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn plan_urging(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<Urging>> {
    Ok(Json(svc::urging(&state, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/urging-letters", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 201, description = "A letter drafted to every unit late now, each at its next reminder", body = LetterView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn draft_letter(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let letter = svc::draft_letter(&state, &caller(&user, &meta), id).await?;
    Ok((StatusCode::CREATED, Json(letter)).into_response())
}

#[utoipa::path(get, path = "/api/v1/urging-letters/{id}/document.docx", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The letter in Word, Decree 30 layout: summary under the number, the late units addressed, a table of what each owes and by when, in a tone that hardens with each reminder", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn letter_document(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (letter, bytes) = svc::letter_document(&state, &user, id).await?;
    Ok(crate::http::download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("cong-van-don-doc-{}.docx", letter.id),
        bytes,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SentBody {
    /// The number the clerk gave it (`125/SKHCN-CĐS`).
    number: String,
    /// The day it was sent (today when absent).
    #[serde(default)]
    sent_on: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/urging-letters/{id}/sent", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = SentBody, content_type = "application/json"),
    responses((status = 200, description = "The letter, recorded as sent: each of its units' next letter is one reminder further", body = UrgingLetter), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn mark_sent(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SentBody>,
) -> WebResult<Json<UrgingLetter>> {
    Ok(Json(
        svc::mark_sent(
            &state,
            &caller(&user, &meta),
            id,
            &body.number,
            body.sent_on.as_deref(),
        )
        .await?,
    ))
}
