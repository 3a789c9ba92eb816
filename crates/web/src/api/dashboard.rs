//! The operations centre's view data as JSON: the same struct the dashboard page and the
//! reports render.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::ApiQuery;
use crate::error::AppResult;
use crate::service::dashboard::{self as svc, Dashboard, DashboardQuery};
use crate::session::Auth;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard))
}

/// `GET /api/v1/dashboard?plan=&year=&unit=`: plan progress, units behind, key
/// indicators against targets, budget by mode and the latest obstacles.
async fn dashboard(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> AppResult<Json<Dashboard>> {
    Ok(Json(svc::dashboard(&state, &user, &q).await?))
}
