//! A form filled in as a workbook: the template and the upload that reads it back.

use dxplan_domain::Invalid;
use dxplan_domain::auth::Action;
use dxplan_domain::indicator::ValueInput;
use dxplan_domain::period::Period;

use super::values::{ValueRow, save_values, unit_for};
use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};

/// Reads a unit's filled-in form workbook and saves its figures as a draft, all or
/// none. The workbook must be the one for this unit and period.
pub async fn upload_form(
    app: &App,
    caller: &Caller<'_>,
    unit_code: &str,
    period: &str,
    file: impl Future<Output = AppResult<crate::Upload>>,
) -> AppResult<usize> {
    use dxplan_domain::plan_import::{Cell, ImportProblem};
    use dxplan_report::data_form::{FIRST_ROW, PERIOD_LABEL, UNIT_LABEL};
    let problem = |row: usize, vi: String, en: String| ImportProblem {
        row,
        column: None,
        message_vi: vi,
        message_en: en,
    };
    // Rights on the unit before a byte of the workbook is read: a viewer's upload is
    // refused unread.
    let parsed_period =
        Period::parse(period).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    unit_for(
        app,
        caller,
        unit_code,
        parsed_period.end(),
        Action::EditUnitWork,
    )
    .await?;
    let bytes = file.await?.bytes;
    let grid = crate::with_workbook(bytes, |grid, _| grid.to_vec())
        .await?
        .map_err(|e| {
            AppError::PlanImport(vec![problem(
                1,
                e.message(dxplan_domain::Lang::Vi),
                e.message(dxplan_domain::Lang::En),
            )])
        })?;
    let text = |r: usize, c: usize| -> String {
        match grid.get(r).and_then(|row| row.get(c)) {
            Some(Cell::Text(t)) => t.trim().to_string(),
            Some(Cell::Number(n)) => format_number_plain(*n),
            _ => String::new(),
        }
    };
    let label_value = |label: &str| (0..6).find(|r| text(*r, 0) == label).map(|r| text(r, 1));
    let (Some(file_unit), Some(file_period)) = (label_value(UNIT_LABEL), label_value(PERIOD_LABEL))
    else {
        return Err(AppError::PlanImport(vec![problem(
            2,
            "Không phải biểu số liệu của dxplan (thiếu ô “Mã đơn vị” và “Kỳ báo cáo”). Hãy tải biểu mẫu từ hệ thống.".into(),
            "Not a dxplan figures form (no “Mã đơn vị” and “Kỳ báo cáo” cells). Download the form from dxplan.".into(),
        )]));
    };
    if file_unit != unit_code || file_period != period {
        return Err(AppError::PlanImport(vec![problem(
            2,
            format!(
                "Tệp là biểu của đơn vị {file_unit}, kỳ {file_period}; trang này nhận biểu của đơn vị {unit_code}, kỳ {period}."
            ),
            format!(
                "The file is the form of unit {file_unit} for {file_period}; this page takes unit {unit_code}, {period}."
            ),
        )]));
    }
    let mut rows = Vec::new();
    let mut sheet_rows = Vec::new();
    for r in FIRST_ROW as usize..grid.len() {
        let code = text(r, 0);
        if code.is_empty() {
            continue;
        }
        let cell = |c: usize| Some(text(r, c)).filter(|t| !t.is_empty());
        if cell(3).is_none() && cell(4).is_none() && cell(5).is_none() {
            continue;
        }
        rows.push(ValueRow {
            indicator: code,
            input: ValueInput {
                value: cell(3),
                numerator: cell(4),
                denominator: cell(5),
            },
            comment: None,
            version: None,
            entered_offline_at: None,
            _others: Default::default(),
        });
        sheet_rows.push(r + 1);
    }
    if rows.is_empty() {
        return Err(AppError::PlanImport(vec![problem(
            FIRST_ROW as usize + 1,
            "Biểu chưa có số liệu nào.".into(),
            "The form has no figures.".into(),
        )]));
    }
    match save_values(app, caller, unit_code, period, &rows, false).await {
        Ok(results) => Ok(results.len()),
        Err(AppError::ValueRows(results)) => {
            let mut problems = Vec::new();
            for r in results.iter().filter(|r| !r.ok) {
                let line = sheet_rows.get(r.row - 1).copied().unwrap_or(0);
                for e in &r.errors {
                    let column = match e["field"].as_str() {
                        Some("numerator") => "E",
                        Some("denominator") => "F",
                        Some("indicator") => "A",
                        _ => "D",
                    };
                    let message = e["message"].as_str().unwrap_or_default();
                    problems.push(problem(
                        line,
                        format!("ô {column}{line}: {message}"),
                        format!("cell {column}{line}: {message}"),
                    ));
                }
            }
            Err(AppError::PlanImport(problems))
        }
        Err(e) => Err(e),
    }
}

/// A number as a spreadsheet shows it, without Vietnamese grouping (read back as typed).
fn format_number_plain(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}
