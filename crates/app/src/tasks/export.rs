//! A task list as a CSV file or a workbook.

use dxplan_domain::Lang;
use dxplan_domain::auth::Action;
use dxplan_domain::task::{AcquisitionMode, Outcome, deadline_text};
use dxplan_domain::text::format_date;
use dxplan_report::tasks::TaskExportRow;
use dxplan_store::plans::{self};
use dxplan_store::tasks::{self, TaskFilter};
use dxplan_store::units;

use super::{TaskQuery, filter_for};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// A task list as a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Csv,
    Xlsx,
}

impl ListFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ListFormat::Csv => "text/csv; charset=utf-8",
            ListFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Every task a query selects that the user may read (not just one page), as a CSV file
/// or a workbook named after its plan: (file name, bytes).
pub async fn export_list(
    app: &App,
    user: &CurrentUser,
    lang: Lang,
    query: TaskQuery,
    format: ListFormat,
) -> AppResult<(String, Vec<u8>)> {
    user.require_somewhere(Action::ViewWork)?;
    let filter = filter_for(app, user, query).await?;
    let title = match filter.plan_id {
        Some(p) => {
            let mut c = app.db.read().await?;
            plans::get(&mut c, p).await?.title
        }
        None => lang.pick("Danh sách nhiệm vụ", "Tasks").to_string(),
    };
    let rows = export_rows(app, lang, filter).await?;
    match format {
        ListFormat::Csv => {
            let bytes = dxplan_report::tasks::tasks_csv(&rows)
                .map_err(|e| AppError::internal(format!("csv: {e}")))?;
            Ok((format!("{title}.csv"), bytes))
        }
        ListFormat::Xlsx => {
            // Writing a workbook is CPU work: keep it off the async threads.
            let bytes = tokio::task::spawn_blocking(move || {
                dxplan_report::tasks::tasks_xlsx(&title, &rows)
                    .map(|b| (format!("{title}.xlsx"), b))
            })
            .await
            .map_err(|e| AppError::internal(format!("xlsx task: {e}")))?
            .map_err(|e| AppError::internal(format!("xlsx: {e}")))?;
            Ok(bytes)
        }
    }
}

/// Every task a filter selects (not just one page, at most 50,000), as export rows.
pub async fn export_rows(
    app: &App,
    lang: Lang,
    mut filter: TaskFilter,
) -> AppResult<Vec<TaskExportRow>> {
    let today = app.today();
    filter.offset = 0;
    filter.limit = 1000;
    let mut c = app.db.read().await?;
    let mut all = Vec::new();
    loop {
        let page = tasks::list(&mut c, &filter).await?;
        let done = page.tasks.len() < filter.limit as usize;
        all.extend(page.tasks);
        if done || all.len() >= 50_000 {
            break;
        }
        filter.offset += filter.limit;
    }
    let ids: Vec<i64> = all.iter().map(|t| t.id).collect();
    let names = tasks::coordinating_names_of(&mut c, &ids).await?;
    let mut leads: Vec<i64> = all.iter().map(|t| t.lead_unit_id).collect();
    leads.sort_unstable();
    leads.dedup();
    let continued = units::continued_in(&mut c, &leads, today).await?;
    let rows = all
        .iter()
        .map(|t| {
            let mut parties: Vec<String> = names
                .iter()
                .filter(|(id, _)| *id == t.id)
                .map(|(_, n)| n.clone())
                .collect();
            parties.extend(t.partner_list().iter().map(|p| p.to_string()));
            TaskExportRow {
                code: t.code.clone(),
                title: t.title.clone(),
                group: t.group_name.clone().unwrap_or_default(),
                // Who carries on an ended unit's work, in brackets as documents write
                // it; the importer reads the name before them (or the one inside).
                lead_unit: match continued.get(&t.lead_unit_id) {
                    Some(us) => {
                        let names: Vec<&str> = us.iter().map(|u| u.name.as_str()).collect();
                        format!(
                            "{} ({}: {})",
                            t.lead_unit_name,
                            lang.pick("Nay là", "Now"),
                            names.join("; ")
                        )
                    }
                    None => t.lead_unit_name.clone(),
                },
                coordinating: parties.join("; "),
                deliverable: t.deliverable.clone().unwrap_or_default(),
                start: t.start_date.map(format_date).unwrap_or_default(),
                // Vietnamese whatever the reader's language: the importer reads it back.
                due: deadline_text(t.due_date, dxplan_domain::Lang::Vi),
                budget: t.budget_planned,
                funding: t.funding_source.clone().unwrap_or_default(),
                mode: match t
                    .acquisition_mode
                    .as_deref()
                    .and_then(AcquisitionMode::parse)
                {
                    Some(AcquisitionMode::Rent) => "Thuê".into(),
                    Some(AcquisitionMode::Buy) => "Mua".into(),
                    Some(AcquisitionMode::InHouse) => "Tự thực hiện".into(),
                    None => String::new(),
                },
                // The appendix's note column is the task's description: the importer
                // reads it back as such, so an exported plan imports unchanged.
                note: t.description.clone().unwrap_or_default(),
                status: t.status.label(lang).to_string(),
                progress: t.progress,
                outcome: Outcome::of(t.status, t.due_date, t.completed_on, today)
                    .label(lang)
                    .to_string(),
                disbursed: t.budget_disbursed,
                key_task: t.key_task,
                source: source_text(t),
            }
        })
        .collect();
    Ok(rows)
}

/// A task's source document as a cell reads it (Vietnamese, as the appendix is):
/// `Kế hoạch số 25/KH-UBND, 15/01/2026 — Mục 2`.
fn source_text(t: &tasks::Task) -> String {
    let Some(number) = t.assigned_doc_number.as_deref() else {
        return String::new();
    };
    let mut text = match t.source_doc_type() {
        Some(kind) => format!("{} số {number}", kind.label(Lang::Vi)),
        None => number.to_string(),
    };
    if let Some(day) = t.assigned_doc_date {
        text.push_str(&format!(", {}", format_date(day)));
    }
    if let Some(item) = t.assigned_doc_item.as_deref() {
        text.push_str(&format!(" — {item}"));
    }
    text
}
