//! Reports leaders take into meetings, generated from the dashboard's own view data so
//! the numbers on paper are the numbers on screen.

use dxplan_domain::Lang;
use dxplan_report::progress::progress_report;

use crate::App;

use crate::dashboard::{DashboardQuery, dashboard_and_filter};
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
pub use dxplan_store::exports::ExportJob;

/// A generated file: its name and bytes.
pub struct Document {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Runs CPU-bound rendering off the async threads.
async fn render(
    f: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("rendering: {e}")))?
        .map_err(|e| AppError::internal(format!("rendering: {e}")))
}

// ---------------------------------------------------------------- background jobs

/// The documents the operations centre generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Workbook,
    Word,
    Pdf,
    Briefing,
}

impl ExportKind {
    pub fn parse(s: &str) -> Option<ExportKind> {
        match s {
            "xlsx" => Some(ExportKind::Workbook),
            "docx" => Some(ExportKind::Word),
            "pdf" => Some(ExportKind::Pdf),
            "briefing" => Some(ExportKind::Briefing),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Workbook => "xlsx",
            ExportKind::Word => "docx",
            ExportKind::Pdf => "pdf",
            ExportKind::Briefing => "briefing",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportKind::Workbook => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportKind::Word => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            ExportKind::Pdf | ExportKind::Briefing => "application/pdf",
        }
    }
}

/// Generates one document now, from the dashboard of the query: the workbook, the
/// progress report (Word or PDF, one model) or the one-page briefing.
pub async fn generate(
    app: &App,
    user: &CurrentUser,
    kind: ExportKind,
    q: &DashboardQuery,
) -> AppResult<Document> {
    let (d, filter) = dashboard_and_filter(app, user, q).await?;
    let base = format!("Báo cáo chuyển đổi số {} {}", d.unit.name, d.year);
    let (filename, bytes) = match kind {
        ExportKind::Workbook => {
            let tasks = crate::tasks::export_rows(app, Lang::Vi, filter).await?;
            let bytes = render(move || {
                dxplan_report::dashboard_xlsx::dashboard_xlsx(&d, &tasks).map_err(|e| e.to_string())
            });
            (format!("{base}.xlsx"), bytes.await?)
        }
        ExportKind::Word | ExportKind::Pdf => {
            // Issued by the unit the report is about, as it stands on the report's day.
            let head = crate::issuer::report_letterhead(app, d.unit.id, d.today).await?;
            let report = progress_report(&d, head);
            let bytes = render(move || match kind {
                ExportKind::Word => dxplan_report::progress_docx::progress_docx(&report),
                _ => dxplan_pdf::progress_pdf(&report).map_err(|e| e.to_string()),
            });
            let extension = if kind == ExportKind::Word {
                "docx"
            } else {
                "pdf"
            };
            (format!("{base}.{extension}"), bytes.await?)
        }
        ExportKind::Briefing => {
            let filename = format!("Tóm tắt cho Ban Chỉ đạo {} {}.pdf", d.unit.name, d.year);
            let head = crate::issuer::report_letterhead(app, d.unit.id, d.today).await?;
            let bytes =
                render(move || dxplan_pdf::briefing_pdf(&d, &head).map_err(|e| e.to_string()));
            (filename, bytes.await?)
        }
    };
    Ok(Document { filename, bytes })
}

/// Starts generating a document in the background and returns the job's id at once;
/// the reader follows it on its progress page. Authorisation and bad filters are
/// checked before the job starts, so a refusal is an answer, not a failed job.
pub async fn start_job(
    app: &App,
    user: &CurrentUser,
    kind: ExportKind,
    q: DashboardQuery,
) -> AppResult<i64> {
    let q = crate::dashboard::check_query(app, user, &q).await?;
    let query = serde_urlencoded::to_string(&q).map_err(|e| AppError::internal(e.to_string()))?;
    let id = {
        let mut c = app.housekeeping().await?;
        let id =
            dxplan_store::exports::start(&mut c, user.id, kind.as_str(), &query, app.now()).await?;
        c.commit().await?;
        id
    };
    let (app, user) = (app.clone(), user.clone());
    tokio::spawn(async move {
        let outcome = generate(&app, &user, kind, &q).await;
        let now = app.now();
        let written = async {
            let mut c = app.housekeeping().await?;
            match &outcome {
                Ok(doc) => {
                    dxplan_store::exports::finish(&mut c, id, &doc.filename, &doc.bytes, now)
                        .await?
                }
                Err(e) => dxplan_store::exports::fail(&mut c, id, &e.to_string(), now).await?,
            }
            c.commit().await?;
            Ok::<(), AppError>(())
        };
        if let Err(e) = written.await {
            tracing::error!(job = id, error = %e, "export job could not be recorded");
        }
    });
    Ok(id)
}

/// Marks the documents a previous process was making as failed: they will never be
/// finished, and their owners should be told rather than left waiting.
pub async fn fail_interrupted(app: &App) -> AppResult<()> {
    let mut c = app.housekeeping().await?;
    dxplan_store::exports::fail_interrupted(&mut c, app.now()).await?;
    c.commit().await?;
    Ok(())
}

/// A job its owner (or an administrator) may see; anyone else is told it does not exist.
pub async fn job_for(app: &App, user: &CurrentUser, id: i64) -> AppResult<ExportJob> {
    let mut c = app.db.read().await?;
    let job = dxplan_store::exports::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let admin = user.may(
        dxplan_domain::auth::Action::ManageUsers,
        dxplan_domain::auth::Target::System,
    );
    if job.user_id != user.id && !admin {
        return Err(AppError::NotFound);
    }
    drop(c);
    // What the document shows must still be readable with the rights of this request: a
    // token narrowed to a commune does not fetch its owner's province-wide report.
    let q: DashboardQuery = serde_urlencoded::from_str(&job.query)
        .map_err(|e| AppError::internal(format!("export job query: {e}")))?;
    crate::dashboard::check_query(app, user, &q).await?;
    Ok(job)
}

/// The finished document of a job.
pub async fn job_file(app: &App, user: &CurrentUser, id: i64) -> AppResult<Document> {
    let job = job_for(app, user, id).await?;
    let mut c = app.db.read().await?;
    let bytes = dxplan_store::exports::content(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Document {
        filename: job.filename.unwrap_or_else(|| format!("dxplan-{id}")),
        bytes,
    })
}
