//! The operations centre's view data as JSON: the same struct the dashboard page and the
//! reports render.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::ApiQuery;
use crate::error::AppResult;
use crate::service::dashboard::{self as svc, DashboardQuery};
use crate::service::exports;
use crate::session::Auth;
use crate::state::AppState;
use dxplan_domain::dashboard::Dashboard;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/exports/dashboard.xlsx", get(dashboard_xlsx))
        .route("/exports/dashboard.docx", get(dashboard_docx))
        .route("/exports/dashboard.pdf", get(dashboard_pdf))
        .route("/exports/briefing.pdf", get(briefing_pdf))
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

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `GET /api/v1/exports/dashboard.xlsx?plan=&year=&unit=`: the dashboard as a workbook.
async fn dashboard_xlsx(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> AppResult<Response> {
    let doc = exports::dashboard_xlsx(&state, &user, &q).await?;
    Ok(crate::pages::download(XLSX, &doc.filename, doc.bytes))
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// `GET /api/v1/exports/dashboard.docx?plan=&year=&unit=`: the progress report in Word.
async fn dashboard_docx(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> AppResult<Response> {
    let doc = exports::progress_docx(&state, &user, &q).await?;
    Ok(crate::pages::download(DOCX, &doc.filename, doc.bytes))
}

/// `GET /api/v1/exports/dashboard.pdf?plan=&year=&unit=`: the progress report as PDF.
async fn dashboard_pdf(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> AppResult<Response> {
    let doc = exports::progress_pdf(&state, &user, &q).await?;
    Ok(crate::pages::download(
        "application/pdf",
        &doc.filename,
        doc.bytes,
    ))
}

/// `GET /api/v1/exports/briefing.pdf?plan=&year=&unit=`: the one-page briefing.
async fn briefing_pdf(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> AppResult<Response> {
    let doc = exports::briefing_pdf(&state, &user, &q).await?;
    Ok(crate::pages::download(
        "application/pdf",
        &doc.filename,
        doc.bytes,
    ))
}
