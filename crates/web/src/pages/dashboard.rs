//! The operations centre: the dashboard home and its wall-screen mode. Every chart is
//! SVG drawn on the server from the dashboard's view data, with a table beside it.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};

use dxplan_domain::dashboard::Dashboard;
use dxplan_domain::indicator::AttainmentStatus;
use dxplan_domain::text::format_number;
use dxplan_report::dashboard_charts::{
    DashboardCharts, IndicatorCard, dashboard_charts, indicator_chart, pct, task_link,
};

use super::{Ctx, Page};
use crate::error::{AppError, AppResult};
use crate::service::dashboard::{self as svc, DashboardQuery};
use crate::service::exports;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    page: Page,
    d: &'a Dashboard,
    charts: DashboardCharts,
    cards: Vec<IndicatorCard<'a>>,
    wall: bool,
    query: String,
}

impl DashboardPage<'_> {
    // Templates pass fields by reference and method results by value: take both.
    fn pct(&self, v: impl std::borrow::Borrow<Option<f64>>) -> String {
        pct(*v.borrow())
    }

    fn num(&self, v: impl std::borrow::Borrow<Option<f64>>) -> String {
        v.borrow()
            .map(|v| format_number(v, 2))
            .unwrap_or_else(|| "–".into())
    }

    /// What the indicators are read for: the chosen quarter or month, else the year.
    fn indicator_period(&self) -> String {
        self.d
            .period
            .unwrap_or(dxplan_domain::period::Period::Year(self.d.year))
            .label(self.page.lang)
    }

    fn attainment_label(&self, status: &AttainmentStatus) -> &'static str {
        status.label(self.page.lang)
    }

    fn tasks_link(&self, extra: &str) -> String {
        task_link(self.d, extra)
    }
}

#[derive(serde::Deserialize, Default)]
pub struct WallQuery {
    #[serde(flatten)]
    pub filters: DashboardQuery,
    #[serde(default)]
    pub wall: Option<String>,
}

/// `GET /dashboard`: the operations centre (`?wall=1` for the wall screen).
pub async fn home(ctx: Ctx, Query(q): Query<WallQuery>) -> AppResult<Response> {
    let user = ctx.user()?;
    let d = svc::dashboard(&ctx.state, user, &q.filters).await?;
    let lang = ctx.lang();
    let charts = dashboard_charts(&d, lang);
    let cards = d
        .indicators
        .iter()
        .map(|i| IndicatorCard {
            indicator: i,
            chart: indicator_chart(i, lang),
        })
        .collect();
    let query = format!(
        "plan={}&year={}&unit={}{}",
        d.plan.as_ref().map(|p| p.id).unwrap_or_default(),
        d.year,
        d.unit.code,
        d.period.map(|p| format!("&period={p}")).unwrap_or_default()
    );
    ctx.render(&DashboardPage {
        page: ctx.page("Bảng điều hành", "Operations dashboard"),
        d: &d,
        charts,
        cards,
        wall: matches!(q.wall.as_deref(), Some("1" | "true" | "on")),
        query,
    })
}

/// `GET /dashboard.xlsx`, `.docx`, `.pdf` and `/dashboard/briefing.pdf`: a document made
/// while the reader waits.
pub async fn download(
    ctx: Ctx,
    q: DashboardQuery,
    kind: exports::ExportKind,
) -> AppResult<Response> {
    let doc = exports::generate(&ctx.state, ctx.user()?, kind, &q).await?;
    Ok(super::download(
        kind.content_type(),
        &doc.filename,
        doc.bytes,
    ))
}

#[derive(serde::Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    kind: String,
    #[serde(flatten)]
    filters: DashboardQuery,
}

/// `POST /exports`: starts generating a document and shows its progress page.
pub async fn start_export(
    ctx: Ctx,
    axum::Form(form): axum::Form<ExportForm>,
) -> AppResult<Response> {
    let kind = exports::ExportKind::parse(&form.kind)
        .ok_or_else(|| AppError::field("kind", dxplan_domain::Invalid::BadFormat))?;
    let id = exports::start_job(&ctx.state, ctx.user()?, kind, form.filters).await?;
    Ok(axum::response::Redirect::to(&format!("/exports/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    page: Page,
    job: dxplan_store::exports::ExportJob,
    back: String,
}

/// `GET /exports/{id}`: a document being made, then its download link.
pub async fn export_status(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let job = exports::job_for(&ctx.state, ctx.user()?, id).await?;
    ctx.render(&ExportPage {
        page: ctx.page("Tạo báo cáo", "Making a report"),
        back: format!("/dashboard?{}", job.query),
        job,
    })
}

/// `GET /exports/{id}/file`: the finished document.
pub async fn export_file(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let job = exports::job_for(&ctx.state, ctx.user()?, id).await?;
    let kind = exports::ExportKind::parse(&job.kind).ok_or(AppError::NotFound)?;
    let doc = exports::job_file(&ctx.state, ctx.user()?, id).await?;
    Ok(super::download(
        kind.content_type(),
        &doc.filename,
        doc.bytes,
    ))
}
