//! The audit log, newest first.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::ApiQuery;
use crate::error::WebResult;
use crate::http::audit_query::AuditQuery;
use crate::http::paging::position_cursor_of_id;
use crate::session::Auth;
use crate::state::AppState;
use dxplan_app::audit::AuditEvent;

#[utoipa::path(get, path = "/api/v1/audit", tag = "accounts",
    params(AuditQuery),
    responses((status = 200, description = "Audit events, newest first", body = AuditPageJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> WebResult<Json<AuditPageJson>> {
    let page = dxplan_app::audit::search(&state, &user, &query.search()?).await?;
    // `next_cursor` as on every list; `next_before` kept for the clients that use it.
    Ok(Json(AuditPageJson {
        items: page.events,
        next_before: page.next_before_id,
        next_cursor: page.next_before_id.map(position_cursor_of_id),
    }))
}

/// A page of the audit log; `next_before` is the older clients' form of `next_cursor`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AuditPageJson {
    items: Vec<AuditEvent>,
    next_before: Option<i64>,
    next_cursor: Option<String>,
}
