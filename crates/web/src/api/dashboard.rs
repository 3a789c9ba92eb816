//! The operations centre's view data as JSON: the same struct the dashboard page and the
//! reports render.

use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};

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
        .route("/exports", post(start_export))
        .route("/exports/{id}", get(export_status))
        .route("/exports/{id}/file", get(export_file))
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

#[derive(serde::Deserialize)]
struct ExportRequest {
    #[serde(default)]
    kind: String,
    /// Numbers or strings: `2025` and `"2025"` both do.
    #[serde(default)]
    plan: Option<serde_json::Value>,
    #[serde(default)]
    year: Option<serde_json::Value>,
    #[serde(default)]
    unit: Option<String>,
}

impl ExportRequest {
    fn filters(&self) -> DashboardQuery {
        let text = |v: &Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        DashboardQuery {
            plan: text(&self.plan),
            year: text(&self.year),
            unit: self.unit.clone(),
        }
    }
}

/// `POST /api/v1/exports` `{"kind": "xlsx"|"docx"|"pdf"|"briefing", "plan", "year", "unit"}`:
/// starts making a document; `202` with the job to poll.
async fn start_export(
    State(state): State<AppState>,
    Auth(user): Auth,
    super::ApiJson(req): super::ApiJson<ExportRequest>,
) -> AppResult<Response> {
    let kind = exports::ExportKind::parse(&req.kind)
        .ok_or_else(|| crate::error::AppError::field("kind", dxplan_domain::Invalid::BadFormat))?;
    let id = exports::start_job(&state, &user, kind, req.filters()).await?;
    let job = exports::job_for(&state, &user, id).await?;
    Ok((StatusCode::ACCEPTED, Json(job_json(&job))).into_response())
}

fn job_json(job: &dxplan_store::exports::ExportJob) -> serde_json::Value {
    let mut v = serde_json::json!(job);
    v["status_url"] = format!("/api/v1/exports/{}", job.id).into();
    if job.status == "done" {
        v["download_url"] = format!("/api/v1/exports/{}/file", job.id).into();
    }
    v
}

/// `GET /api/v1/exports/{id}`: a job's status (`running`, `done`, `failed`).
async fn export_status(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(job_json(&exports::job_for(&state, &user, id).await?)))
}

/// `GET /api/v1/exports/{id}/file`: the finished document.
async fn export_file(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let job = exports::job_for(&state, &user, id).await?;
    let kind = exports::ExportKind::parse(&job.kind).ok_or(crate::error::AppError::NotFound)?;
    let doc = exports::job_file(&state, &user, id).await?;
    Ok(crate::pages::download(
        kind.content_type(),
        &doc.filename,
        doc.bytes,
    ))
}
