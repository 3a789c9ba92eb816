//! Reading a plan appendix as provinces publish it: a sheet of cells with title rows,
//! a (possibly two-row, merged) header, group header rows such as `I. HẠ TẦNG SỐ`, and
//! task rows whose units, dates and budgets are written loosely. Pure: the sheet comes
//! in as a grid; tasks and row-by-row problems come out.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use time::Date;

use crate::Lang;
use crate::task::{AcquisitionMode, TaskFields};
use crate::text::fold;
use crate::unit_match::{Kinds, KnownUnit, Named, UnitIndex, claims_province_unit};

mod cells;
mod groups;
mod values;

pub use cells::*;
use groups::{Groups, unit_label};
use values::{Edge, MAX_PARTIES, numbered, parse_budget, parse_when, parties};

/// A group of the plan the importer can put tasks in.
#[derive(Debug, Clone)]
pub struct KnownGroup {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A task read from the sheet, with its units resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedTask {
    /// 1-based row in the sheet.
    pub row: usize,
    pub fields: TaskFields,
    pub lead_unit_id: i64,
    pub coordinating: Vec<i64>,
    /// The lead as the sheet names it when that is no unit of the province (`Cục Thuế
    /// tỉnh`): it is kept as the first outside partner, and `lead_unit_id` is the
    /// province's unit that follows the task (see [`read_plan`]).
    pub outside_lead: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportProblem {
    pub row: usize,
    pub column: Option<Column>,
    pub message_vi: String,
    pub message_en: String,
}

impl ImportProblem {
    fn new(
        row: usize,
        column: Option<Column>,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ImportProblem {
            row,
            column,
            message_vi: vi.into(),
            message_en: en.into(),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let column = self
            .column
            .map(|c| format!(", {} “{}”", lang.pick("cột", "column"), c.header()))
            .unwrap_or_default();
        format!(
            "{} {}{column}: {}",
            lang.pick("Dòng", "Row"),
            self.row,
            lang.pick(&self.message_vi, &self.message_en)
        )
    }
}

/// What the importer needs to know besides the sheet.
pub struct ImportContext<'a> {
    pub units: &'a [KnownUnit],
    pub groups: &'a [KnownGroup],
    /// Units are matched as they stood on this day.
    pub day: Date,
    /// The plan's year: `Thường xuyên` (ongoing) starts on its first day.
    pub year: i32,
    /// The tasks the plan already has.
    pub existing: &'a [ExistingTask],
    /// Stops the reading when the request that asked for it is gone or out of time.
    pub cancel: &'a crate::cancel::Cancel,
    /// The importing coordinator's own unit: it follows a task whose lead is outside the
    /// province when the row names no coordinating unit of the province.
    pub own_unit: Option<i64>,
}

/// A task already in the plan: importing it again is refused, not duplicated.
#[derive(Debug, Clone)]
pub struct ExistingTask {
    pub code: String,
    pub title: String,
    pub lead_unit_id: i64,
}

/// Reads a whole sheet. Either every task row is good and the tasks come back, or the
/// problems do — all of them, with their rows and columns.
pub fn read_plan(
    grid: &[Vec<Cell>],
    cx: &ImportContext<'_>,
) -> Result<Vec<ImportedTask>, Vec<ImportProblem>> {
    let Some((header_row, columns, data_start)) = find_header(grid) else {
        return Err(vec![ImportProblem::new(
            1,
            None,
            "Không tìm thấy dòng tiêu đề cột (cần ít nhất các cột “Nhiệm vụ”, “Đơn vị chủ trì”, “Thời hạn hoàn thành”). Hãy dùng tệp mẫu.",
            "No header row found (it needs at least “Nhiệm vụ”, “Đơn vị chủ trì” and “Thời hạn hoàn thành”). Use the template.",
        )]);
    };
    let col = |c: Column| columns.iter().position(|x| *x == Some(c));
    let budget_multiplier = col(Column::Budget)
        .and_then(|i| grid[header_row].get(i))
        .map(|h| fold(&h.text()))
        .map_or(1_000_000.0, |h| {
            if h.contains("trieu") || !h.contains("dong") {
                1_000_000.0
            } else {
                1.0
            }
        });
    let cell_of = |row: &[Cell], c: Column| {
        col(c)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or(Cell::Empty)
    };
    // A group header: no unit and no deadline; its number (`XII`, `12`, in the number
    // column or before the words) and its words.
    let group_row = |row: &[Cell]| -> Option<(Option<u32>, String)> {
        if !cell_of(row, Column::Lead).is_empty() || !cell_of(row, Column::Due).is_empty() {
            return None;
        }
        let (number, title) = (
            cell_of(row, Column::Number).text(),
            cell_of(row, Column::Title).text(),
        );
        let (n_number, rest_number) = numbered(&number);
        let (n_title, rest_title) = numbered(&title);
        let words = if rest_title.trim().is_empty() {
            rest_number
        } else {
            rest_title
        };
        Some((n_number.or(n_title), words.trim().to_string()))
    };
    let rows = || {
        grid.iter()
            .enumerate()
            .skip(data_start)
            .filter(|(_, row)| !row.iter().all(Cell::is_empty))
    };
    // Matching is a few hash probes per name (units folded once), so a sheet of
    // thousands of rows costs the same per row as a sheet of ten.
    let units = UnitIndex::new(cx.units);
    let mut groups = Groups::new(cx.groups);
    let numbering: Vec<(Option<u32>, String)> = rows()
        .take_while(|_| !cx.cancel.is_cancelled())
        .filter_map(|(_, row)| group_row(row))
        .collect();
    groups.learn_numbering(numbering.iter().map(|(n, w)| (*n, w.as_str())));
    let own_unit = cx.own_unit.and_then(|id| units.standing(id, cx.day));
    let mut members: HashMap<Kinds, Vec<i64>> = HashMap::new();
    let existing: HashMap<(i64, String), &str> = cx
        .existing
        .iter()
        .map(|t| ((t.lead_unit_id, fold(&t.title)), t.code.as_str()))
        .collect();
    let mut problems = Vec::new();
    let mut tasks: Vec<ImportedTask> = Vec::new();
    let mut current_group: Option<&KnownGroup> = None;
    let mut numbering: HashMap<String, u32> = HashMap::new();
    let mut seen_codes: HashSet<String> = cx.existing.iter().map(|t| t.code.clone()).collect();
    for (index, row) in rows() {
        let line = index + 1;
        if cx.cancel.is_cancelled() {
            return Err(vec![ImportProblem::new(
                line,
                None,
                "Tệp quá lớn để đọc trong thời gian cho phép; hãy chia nhỏ rồi nhập lại.",
                "The file is too large to read in the time allowed; split it and import again.",
            )]);
        }
        let get = |c: Column| cell_of(row, c);
        if let Some((n, words)) = group_row(row) {
            match groups.of_row(n, &words) {
                Some(g) => current_group = Some(g),
                None => {
                    let written = format!(
                        "{} {}",
                        get(Column::Number).text(),
                        get(Column::Title).text()
                    );
                    problems.push(ImportProblem::new(
                        line,
                        Some(Column::Title),
                        format!(
                            "Dòng nhóm “{}” không khớp nhóm nhiệm vụ nào của kế hoạch.",
                            written.trim()
                        ),
                        format!(
                            "Group row “{}” matches none of the plan's task groups.",
                            written.trim()
                        ),
                    ))
                }
            }
            continue;
        }
        let title = get(Column::Title).text();
        let number = get(Column::Number).text();
        let lead_text = get(Column::Lead).text();
        let due_cell = get(Column::Due);
        let mut row_problems = Vec::new();
        let mut problem = |c: Column, vi: String, en: String| {
            row_problems.push(ImportProblem::new(line, Some(c), vi, en))
        };
        if title.is_empty() {
            problem(
                Column::Title,
                "Thiếu tên nhiệm vụ.".into(),
                "The task has no title.".into(),
            );
        }
        if title.chars().count() > 500 {
            problem(
                Column::Title,
                "Tên nhiệm vụ dài quá 500 ký tự.".into(),
                "The title is longer than 500 characters.".into(),
            );
        }
        let group = match get(Column::Group).text() {
            g if g.is_empty() => current_group,
            g => match groups.of_cell(&g) {
                Some(found) => Some(found),
                None => {
                    problem(
                        Column::Group,
                        format!("Không có nhóm nhiệm vụ “{g}”."),
                        format!("No task group “{g}”."),
                    );
                    None
                }
            },
        };
        let mut code = get(Column::Code).text();
        if code.is_empty() && number.contains('.') {
            code = number.clone();
        }
        if code.is_empty() {
            let prefix = group.map_or_else(|| "0".to_string(), |g| g.code.clone());
            let n = numbering.entry(prefix.clone()).or_default();
            loop {
                *n += 1;
                let candidate = format!("{prefix}.{n}");
                if !seen_codes.contains(&candidate) {
                    code = candidate;
                    break;
                }
            }
        }
        if code.chars().count() > 20 {
            problem(
                Column::Code,
                "Mã nhiệm vụ dài quá 20 ký tự.".into(),
                "The code is longer than 20 characters.".into(),
            );
        } else if !seen_codes.insert(code.clone()) {
            problem(
                Column::Code,
                format!("Mã nhiệm vụ “{code}” bị trùng."),
                format!("Task code “{code}” is used twice."),
            );
        }
        // The parties first: an outside lead is followed by the first unit they name.
        let mut named_units: Vec<i64> = Vec::new();
        let mut coordinating: Vec<i64> = Vec::new();
        let mut partners: Vec<String> = Vec::new();
        let coordinating_text = get(Column::Coordinating).text();
        match parties(&coordinating_text, &units, cx.day) {
            Err(()) => problem(
                Column::Coordinating,
                format!(
                    "Ô ghi quá {MAX_PARTIES} đơn vị; hãy ghi theo nhóm (ví dụ “UBND các xã, phường”)."
                ),
                format!(
                    "The cell names more than {MAX_PARTIES} parties; write a group instead (e.g. “UBND các xã, phường”)."
                ),
            ),
            Ok(found) => {
                for (party, named) in found {
                    match named {
                        Named::Unit(id) => {
                            if !named_units.contains(&id) {
                                named_units.push(id);
                            }
                            coordinating.push(id);
                        }
                        Named::AllOf(kinds) => {
                            let all = members
                                .entry(kinds)
                                .or_insert_with(|| units.members(kinds, cx.day));
                            if all.is_empty() {
                                problem(
                                    Column::Coordinating,
                                    format!(
                                        "“{party}”: không có đơn vị nào như vậy vào ngày {}.",
                                        crate::text::format_date(cx.day)
                                    ),
                                    format!(
                                        "“{party}”: no such unit stands on {}.",
                                        crate::text::format_date(cx.day)
                                    ),
                                );
                            }
                            coordinating.extend(all.iter().copied());
                        }
                        Named::Ambiguous(ids) => {
                            let names: Vec<String> =
                                ids.iter().map(|id| unit_label(&units, *id)).collect();
                            problem(
                                Column::Coordinating,
                                format!(
                                    "“{party}” khớp nhiều đơn vị: {}; hãy ghi rõ hơn hoặc dùng mã đơn vị.",
                                    names.join("; ")
                                ),
                                format!(
                                    "“{party}” matches several units: {}; be more precise or use the unit code.",
                                    names.join("; ")
                                ),
                            );
                        }
                        // Outside bodies (enterprises, associations) are partners, not errors.
                        Named::Unknown => {
                            let p: String = party.chars().take(200).collect();
                            if !partners.contains(&p) {
                                partners.push(p);
                            }
                        }
                    }
                }
            }
        }
        let mut outside_lead = None;
        let lead = match units.find(&lead_text, cx.day) {
            Named::Unit(id) => Some(id),
            Named::Ambiguous(ids) => {
                let names: Vec<String> = ids.iter().map(|id| unit_label(&units, *id)).collect();
                problem(
                    Column::Lead,
                    format!(
                        "“{lead_text}” khớp nhiều đơn vị: {}; hãy ghi rõ hơn hoặc dùng mã đơn vị.",
                        names.join("; ")
                    ),
                    format!(
                        "“{lead_text}” matches several units: {}; be more precise or use the unit code.",
                        names.join("; ")
                    ),
                );
                None
            }
            Named::AllOf(_) => {
                problem(
                    Column::Lead,
                    "Đơn vị chủ trì phải là một đơn vị cụ thể.".into(),
                    "The lead must be one unit.".into(),
                );
                None
            }
            Named::Unknown if lead_text.is_empty() => {
                problem(
                    Column::Lead,
                    "Thiếu đơn vị chủ trì.".into(),
                    "The lead unit is missing.".into(),
                );
                None
            }
            // A name the province's own units carry (Sở…, UBND…, xã, phường) that
            // matches none is a typo or a unit missing from the tree: to be fixed.
            Named::Unknown if claims_province_unit(&lead_text) => {
                problem(
                    Column::Lead,
                    format!("Không tìm thấy đơn vị “{lead_text}”."),
                    format!("No unit called “{lead_text}”."),
                );
                None
            }
            // Any other lead is a body outside the province's tree — a central agency's
            // local office (Cục Thuế, Kho bạc), an enterprise. The appendix is a signed
            // plan: an officer expects all of it in dxplan, and a row left out (or an
            // import stopped) would make the plan here differ from the one signed. The
            // province still follows such a task, through the unit that works with that
            // body — the first unit the row names as coordinating, else the importing
            // coordinator's own unit — so that unit leads it here, the body is kept as
            // the first outside partner, and the preview and the task's history say so.
            Named::Unknown => match named_units.first().copied().or(own_unit) {
                Some(id) => {
                    outside_lead = Some(lead_text.chars().take(200).collect::<String>());
                    Some(id)
                }
                None => {
                    problem(
                        Column::Lead,
                        format!(
                            "“{lead_text}” không phải đơn vị của tỉnh; hãy ghi ở cột “Đơn vị phối hợp” đơn vị của tỉnh theo dõi nhiệm vụ này."
                        ),
                        format!(
                            "“{lead_text}” is not a unit of the province; name the province's unit that follows this task in “Đơn vị phối hợp”."
                        ),
                    );
                    None
                }
            },
        };
        if let Some(body) = &outside_lead {
            partners.retain(|p| p != body);
            partners.insert(0, body.clone());
        }
        let mut listed = HashSet::with_capacity(coordinating.len());
        coordinating.retain(|id| Some(*id) != lead && listed.insert(*id));
        let start = match parse_when(&get(Column::Start), cx.year, Edge::First) {
            Ok(d) => d,
            Err(()) => {
                problem(
                    Column::Start,
                    format!("Không đọc được ngày “{}”.", get(Column::Start).text()),
                    format!("Cannot read the date “{}”.", get(Column::Start).text()),
                );
                None
            }
        };
        let due = match parse_when(&due_cell, cx.year, Edge::Last) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                problem(
                    Column::Due,
                    "Thiếu thời hạn hoàn thành.".into(),
                    "The due date is missing.".into(),
                );
                None
            }
            Err(()) => {
                problem(
                    Column::Due,
                    format!(
                        "Không đọc được thời hạn “{}” (ví dụ 30/06/2025, Quý II/2025, Tháng 6/2025, Năm 2025, Thường xuyên).",
                        due_cell.text()
                    ),
                    format!(
                        "Cannot read the deadline “{}” (e.g. 30/06/2025, Quý II/2025, Tháng 6/2025, Năm 2025, Thường xuyên).",
                        due_cell.text()
                    ),
                );
                None
            }
        };
        if let (Some(s), Some(d)) = (start, due)
            && d < s
        {
            problem(
                Column::Due,
                "Thời hạn hoàn thành trước thời gian bắt đầu.".into(),
                "The due date is before the start.".into(),
            );
        }
        let budget = match parse_budget(&get(Column::Budget), budget_multiplier) {
            Ok(b) => b,
            Err(()) => {
                problem(
                    Column::Budget,
                    format!(
                        "Kinh phí “{}” không hợp lệ (số không âm, ví dụ 1.250,5).",
                        get(Column::Budget).text()
                    ),
                    format!(
                        "Budget “{}” is not valid (a non-negative number, e.g. 1,250.5).",
                        get(Column::Budget).text()
                    ),
                );
                0
            }
        };
        let mode_text = get(Column::Mode).text();
        let mode = if mode_text.is_empty() {
            None
        } else {
            let m = AcquisitionMode::parse(&mode_text);
            if m.is_none() {
                problem(
                    Column::Mode,
                    format!("Hình thức “{mode_text}” không hợp lệ (thuê, mua hoặc tự thực hiện)."),
                    format!(
                        "Acquisition mode “{mode_text}” is not valid (thuê, mua or tự thực hiện)."
                    ),
                );
            }
            m
        };
        let text_of = |c: Column, max: usize| {
            Some(get(c).text())
                .filter(|t| !t.is_empty())
                .map(|t| t.chars().take(max).collect::<String>())
        };
        if !row_problems.is_empty() {
            problems.extend(row_problems);
            continue;
        }
        let (Some(lead), Some(due)) = (lead, due) else {
            continue;
        };
        if let Some(same) = existing.get(&(lead, fold(&title))) {
            problems.push(ImportProblem::new(
                line,
                Some(Column::Title),
                format!("Nhiệm vụ này đã có trong kế hoạch (mã {same})."),
                format!("This task is already in the plan (code {same})."),
            ));
            continue;
        }
        let lead_code = units.unit(lead).map(|u| u.code.clone()).unwrap_or_default();
        tasks.push(ImportedTask {
            row: line,
            fields: TaskFields {
                code,
                title,
                description: text_of(Column::Note, 5000),
                deliverable: text_of(Column::Deliverable, 1000),
                group_id: group.map(|g| g.id),
                lead_unit_code: lead_code,
                coordinating_unit_codes: Vec::new(),
                partners,
                start_date: start,
                due_date: due,
                budget_planned: budget,
                funding_source: text_of(Column::Funding, 200),
                acquisition_mode: mode,
                key_task: false,
                assigned_doc_number: None,
                assigned_doc_date: None,
                assigned_doc_signer: None,
                assigned_doc_type: None,
                assigned_doc_item: None,
            },
            lead_unit_id: lead,
            coordinating,
            outside_lead,
        });
    }
    if problems.is_empty() && tasks.is_empty() {
        problems.push(ImportProblem::new(
            header_row + 2,
            None,
            "Không có dòng nhiệm vụ nào dưới dòng tiêu đề.",
            "There are no task rows below the header.",
        ));
    }
    if problems.is_empty() {
        Ok(tasks)
    } else {
        Err(problems)
    }
}

/// Finds the header row (title rows may stand above it) and, when the header spans two
/// rows with merged cells, combines them. Returns the header row, each column's meaning
/// and the first data row.
fn find_header(grid: &[Vec<Cell>]) -> Option<(usize, Vec<Option<Column>>, usize)> {
    for (r, row) in grid.iter().enumerate().take(30) {
        let texts: Vec<String> = row.iter().map(|c| fold(&c.text())).collect();
        let mut columns: Vec<Option<Column>> = texts.iter().map(|t| Column::recognise(t)).collect();
        // A second header row refines merged parents ("Thời gian" over "Bắt đầu" | "Hoàn thành").
        let mut data_start = r + 1;
        if let Some(next) = grid.get(r + 1) {
            let next_texts: Vec<String> = next.iter().map(|c| fold(&c.text())).collect();
            // Each cell must name a column by its own words ("Bắt đầu", "Hoàn thành").
            let sub: Vec<Option<Column>> =
                next_texts.iter().map(|t| Column::recognise(t)).collect();
            let sub_count = sub.iter().filter(|c| c.is_some()).count();
            let numeric = next
                .iter()
                .any(|c| matches!(c, Cell::Number(_) | Cell::Date(_)));
            if sub_count >= 2 && !numeric {
                for (i, s) in sub.into_iter().enumerate() {
                    if s.is_some() {
                        if i >= columns.len() {
                            columns.resize(i + 1, None);
                        }
                        columns[i] = s;
                    }
                }
                data_start = r + 2;
            }
        }
        let has = |c: Column| columns.contains(&Some(c));
        if has(Column::Title) && has(Column::Lead) && has(Column::Due) {
            // A row of column numbers (1, 2, 3…) under the header is common: skip it.
            if let Some(next) = grid.get(data_start)
                && next.iter().filter(|c| !c.is_empty()).count() >= 3
                && next.iter().all(|c| {
                    c.is_empty() || matches!(c, Cell::Number(_)) || c.text().starts_with('(')
                })
            {
                data_start += 1;
            }
            return Some((r, columns, data_start));
        }
    }
    None
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod never_panics;
