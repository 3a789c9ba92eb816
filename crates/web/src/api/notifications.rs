//! The JSON API for a user's own notifications and their e-mail preference.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiQuery, caller};
use crate::error::WebResult;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::notifications::{self as svc, Notification};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list_notifications))
        .route("/notifications/read-all", post(read_all_notifications))
        .route("/notifications/{id}/read", post(read_notification))
        .route("/me/email-preference", put(set_email_pref))
}

// The operations stay under the "tasks" tag: the document describes them as before.

#[utoipa::path(get, path = "/api/v1/notifications", tag = "tasks",
    params(super::PageQuery),
    responses((status = 200, description = "The caller's latest notifications and how many are unread", body = NotificationList), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_notifications(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<NotificationList>> {
    let inbox = svc::list(&state, &user, 1_000).await?;
    let page = super::paged(inbox.items, &page)?;
    Ok(Json(NotificationList {
        items: page.items,
        next_cursor: page.next_cursor,
        unread: inbox.unread,
    }))
}

/// The caller's notifications (the latest thousand), newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct NotificationList {
    items: Vec<Notification>,
    next_cursor: Option<String>,
    unread: i64,
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 204, description = "Marked read"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn read_notification(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<StatusCode> {
    svc::mark_read(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "tasks",
    responses((status = 204, description = "All marked read"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn read_all_notifications(
    State(state): State<AppState>,
    Auth(user): Auth,
) -> WebResult<StatusCode> {
    svc::mark_all_read(&state, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PrefBody {
    email_pref: String,
}

#[utoipa::path(put, path = "/api/v1/me/email-preference", tag = "tasks",
    request_body(content = PrefBody, content_type = "application/json"),
    responses((status = 204, description = "Saved"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn set_email_pref(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(body): ApiJson<PrefBody>,
) -> WebResult<StatusCode> {
    svc::set_email_pref(&state, &caller(&user, &meta), &body.email_pref).await?;
    Ok(StatusCode::NO_CONTENT)
}
