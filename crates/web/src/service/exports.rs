//! Reports leaders take into meetings, generated from the dashboard's own view data so
//! the numbers on paper are the numbers on screen.

use dxplan_domain::Lang;
use dxplan_domain::dashboard::Dashboard;
use dxplan_domain::unit::UnitKind;
use dxplan_report::progress::{Issuer, place_of, progress_report, symbol_of};
use dxplan_store::units;

use crate::error::{AppError, AppResult};
use crate::service::dashboard::{DashboardQuery, dashboard_and_filter};
use crate::session::CurrentUser;
use crate::state::AppState;

/// A generated file: its name and bytes.
pub struct Document {
    pub filename: String,
    pub bytes: Vec<u8>,
}

fn base_name(d: &Dashboard) -> String {
    format!("Báo cáo chuyển đổi số {} {}", d.unit.name, d.year)
}

/// Runs CPU-bound rendering off the async threads.
async fn render<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("{what}: {e}")))?
        .map_err(|e| AppError::internal(format!("{what}: {e}")))
}

/// The dashboard workbook: summary, tasks, indicators and units.
pub async fn dashboard_xlsx(
    state: &AppState,
    user: &CurrentUser,
    q: &DashboardQuery,
) -> AppResult<Document> {
    let (d, filter) = dashboard_and_filter(state, user, q).await?;
    let tasks = crate::service::tasks::export_rows(state, Lang::Vi, filter).await?;
    let filename = format!("{}.xlsx", base_name(&d));
    let bytes = render("xlsx", move || {
        dxplan_report::dashboard_xlsx::dashboard_xlsx(&d, &tasks).map_err(|e| e.to_string())
    })
    .await?;
    Ok(Document { filename, bytes })
}

/// Who signs a report: the reader's own unit under its province's people's committee.
async fn issuer(state: &AppState, user: &CurrentUser, d: &Dashboard) -> AppResult<Issuer> {
    let mut c = state.db.read().await?;
    let body = units::get(&mut c, user.unit_id.unwrap_or(d.unit.id)).await?;
    let province = if body.kind == UnitKind::Province {
        body.clone()
    } else {
        units::ancestors(&mut c, body.id)
            .await?
            .into_iter()
            .find(|u| u.kind == UnitKind::Province)
            .unwrap_or_else(|| body.clone())
    };
    let province_lower =
        province
            .name
            .replacen("Tỉnh", "tỉnh", 1)
            .replacen("Thành phố", "thành phố", 1);
    Ok(Issuer {
        parent_body: format!("Ủy ban nhân dân {province_lower}"),
        symbol: symbol_of(&body.name),
        body: body.name,
        place: place_of(&province.name),
    })
}

/// The progress report of the dashboard's plan as a Word document.
pub async fn progress_docx(
    state: &AppState,
    user: &CurrentUser,
    q: &DashboardQuery,
) -> AppResult<Document> {
    let d = crate::service::dashboard::dashboard(state, user, q).await?;
    let issuer = issuer(state, user, &d).await?;
    let filename = format!("{}.docx", base_name(&d));
    let bytes = render("docx", move || {
        dxplan_report::progress_docx::progress_docx(&progress_report(&d, &issuer))
    })
    .await?;
    Ok(Document { filename, bytes })
}

/// The progress report of the dashboard's plan as PDF (the same model as the Word one).
pub async fn progress_pdf(
    state: &AppState,
    user: &CurrentUser,
    q: &DashboardQuery,
) -> AppResult<Document> {
    let d = crate::service::dashboard::dashboard(state, user, q).await?;
    let issuer = issuer(state, user, &d).await?;
    let filename = format!("{}.pdf", base_name(&d));
    let bytes = render("pdf", move || {
        dxplan_pdf::progress_pdf(&progress_report(&d, &issuer)).map_err(|e| e.to_string())
    })
    .await?;
    Ok(Document { filename, bytes })
}

/// The one-page briefing for the steering committee.
pub async fn briefing_pdf(
    state: &AppState,
    user: &CurrentUser,
    q: &DashboardQuery,
) -> AppResult<Document> {
    let d = crate::service::dashboard::dashboard(state, user, q).await?;
    let filename = format!("Tóm tắt cho Ban Chỉ đạo {} {}.pdf", d.unit.name, d.year);
    let bytes = render("pdf", move || {
        dxplan_pdf::briefing_pdf(&d).map_err(|e| e.to_string())
    })
    .await?;
    Ok(Document { filename, bytes })
}
