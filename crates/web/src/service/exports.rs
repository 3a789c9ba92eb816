//! Reports leaders take into meetings, generated from the dashboard's own view data so
//! the numbers on paper are the numbers on screen.

use dxplan_domain::Lang;
use dxplan_domain::dashboard::Dashboard;

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
