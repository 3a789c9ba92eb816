//! The operations centre's view data as JSON: the same struct the dashboard page and the
//! reports render.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use dxplan_domain::dashboard::Dashboard;

use super::ApiQuery;
use crate::error::WebResult;
use crate::session::{Auth, CurrentUser};
use crate::state::AppState;
use dxplan_app::dashboard::{self as svc, DashboardQuery};
use dxplan_app::exports::{self, ExportKind};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/exports/dashboard.xlsx", direct(ExportKind::Workbook))
        .route("/exports/dashboard.docx", direct(ExportKind::Word))
        .route("/exports/dashboard.pdf", direct(ExportKind::Pdf))
        .route("/exports/briefing.pdf", direct(ExportKind::Briefing))
        .route("/exports", post(start_export))
        .route("/exports/{id}", get(export_status))
        .route("/exports/{id}/file", get(export_file))
}

#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard",
    params(dxplan_app::dashboard::DashboardQuery),
    responses((status = 200, description = "Plan progress, units behind, key indicators against targets, budget by mode, obstacles", body = Dashboard), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/dashboard?plan=&year=&unit=`: plan progress, units behind, key
/// indicators against targets, budget by mode and the latest obstacles.
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> WebResult<Json<Dashboard>> {
    Ok(Json(svc::dashboard(&state, &user, &q).await?))
}

/// The route of one direct download.
fn direct(kind: ExportKind) -> MethodRouter<AppState> {
    get(
        move |State(s): State<AppState>, Auth(u): Auth, ApiQuery(q): ApiQuery<DashboardQuery>| {
            download(s, u, q, kind)
        },
    )
}

/// `GET /api/v1/exports/dashboard.{xlsx,docx,pdf}` and `/exports/briefing.pdf` with the
/// dashboard's filters: a document made while the client waits (they take well under a
/// second at province scale; `POST /exports` makes one in the background).
async fn download(
    state: AppState,
    user: CurrentUser,
    q: DashboardQuery,
    kind: ExportKind,
) -> WebResult<Response> {
    let doc = exports::generate(&state, &user, kind, &q).await?;
    Ok(crate::http::download(
        kind.content_type(),
        &doc.filename,
        doc.bytes,
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ExportRequest {
    #[serde(default)]
    kind: String,
    /// Numbers or strings: `2025` and `"2025"` both do.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    plan: Option<serde_json::Value>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    year: Option<serde_json::Value>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    period: Option<String>,
    /// `then` or `now`, as on the dashboard.
    #[serde(default)]
    structure: Option<String>,
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
            period: self.period.clone(),
            structure: self.structure.clone(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/exports", tag = "dashboard",
    request_body(content = ExportRequest, content_type = "application/json"),
    responses((status = 202, description = "The job to poll", body = ExportJobJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/exports` `{"kind": "xlsx"|"docx"|"pdf"|"briefing", "plan", "year", "unit"}`:
/// starts making a document; `202` with the job to poll.
pub(crate) async fn start_export(
    State(state): State<AppState>,
    Auth(user): Auth,
    super::ApiJson(req): super::ApiJson<ExportRequest>,
) -> WebResult<Response> {
    let kind = exports::ExportKind::parse(&req.kind)
        .ok_or_else(|| crate::error::AppError::field("kind", dxplan_domain::Invalid::BadFormat))?;
    let id = exports::start_job(&state, &user, kind, req.filters()).await?;
    let job = exports::job_for(&state, &user, id).await?;
    Ok((StatusCode::ACCEPTED, Json(job_json(job))).into_response())
}

/// A background export and where to follow it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ExportJobJson {
    #[serde(flatten)]
    job: dxplan_app::exports::ExportJob,
    status_url: String,
    /// Once the document is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    download_url: Option<String>,
}

fn job_json(job: dxplan_app::exports::ExportJob) -> ExportJobJson {
    ExportJobJson {
        status_url: format!("/api/v1/exports/{}", job.id),
        download_url: (job.status == "done").then(|| format!("/api/v1/exports/{}/file", job.id)),
        job,
    }
}

#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "dashboard",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The job: running, done (with its download) or failed", body = ExportJobJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/exports/{id}`: a job's status (`running`, `done`, `failed`).
pub(crate) async fn export_status(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<ExportJobJson>> {
    Ok(Json(job_json(exports::job_for(&state, &user, id).await?)))
}

#[utoipa::path(get, path = "/api/v1/exports/{id}/file", tag = "dashboard",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The finished document"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/exports/{id}/file`: the finished document.
pub(crate) async fn export_file(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let job = exports::job_for(&state, &user, id).await?;
    let kind = exports::ExportKind::parse(&job.kind).ok_or(crate::error::AppError::NotFound)?;
    let doc = exports::job_file(&state, &user, id).await?;
    Ok(crate::http::download(
        kind.content_type(),
        &doc.filename,
        doc.bytes,
    ))
}

// The direct downloads share one handler per kind (`direct`); their descriptions live
// here, one per route.
macro_rules! download_doc {
    ($name:ident, $path:literal, $what:literal, $content_type:literal) => {
        #[utoipa::path(get, path = $path, tag = "dashboard",
            params(("plan" = Option<i64>, Query), ("year" = Option<i32>, Query),
                ("unit" = Option<String>, Query), ("period" = Option<String>, Query)),
            responses((status = 200, description = $what, content_type = $content_type), crate::openapi::Refusals),
            security(("bearer" = []), ("session" = [])))]
        #[allow(dead_code)]
        pub(crate) fn $name() {}
    };
}

download_doc!(
    doc_dashboard_xlsx,
    "/api/v1/exports/dashboard.xlsx",
    "The dashboard as a workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
);
download_doc!(
    doc_dashboard_docx,
    "/api/v1/exports/dashboard.docx",
    "The progress report in Word (Decree 30 layout)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
);
download_doc!(
    doc_dashboard_pdf,
    "/api/v1/exports/dashboard.pdf",
    "The progress report as PDF",
    "application/pdf"
);
download_doc!(
    doc_briefing_pdf,
    "/api/v1/exports/briefing.pdf",
    "The one-page briefing as PDF",
    "application/pdf"
);
