//! Reading a plan appendix as provinces publish it: a sheet of cells with title rows,
//! a (possibly two-row, merged) header, group header rows such as `I. HẠ TẦNG SỐ`, and
//! task rows whose units, dates and budgets are written loosely. Pure: the sheet comes
//! in as a grid; tasks and row-by-row problems come out.

use serde::Serialize;
use time::{Date, Duration, Month};

use crate::Lang;
use crate::task::{AcquisitionMode, TaskFields};
use crate::text::{fold, nfc, parse_date, parse_number_vi};
use crate::unit_match::{KnownUnit, Named, find_unit};

/// One cell as a spreadsheet reader gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// An Excel date serial (days since 1899-12-30).
    Date(f64),
}

impl Cell {
    /// The cell as text: trimmed, NFC, whole numbers without a decimal point.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => nfc(t.trim()),
            Cell::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    n.to_string()
                }
            }
            Cell::Date(serial) => serial_to_date(*serial)
                .map(crate::text::format_date)
                .unwrap_or_default(),
        }
    }

    fn is_empty(&self) -> bool {
        self.text().is_empty()
    }
}

fn serial_to_date(serial: f64) -> Option<Date> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let base = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    base.checked_add(Duration::days(serial.floor() as i64))
}

/// The appendix's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Number,
    Code,
    Title,
    Group,
    Lead,
    Coordinating,
    Deliverable,
    Start,
    Due,
    Budget,
    Funding,
    Mode,
    Note,
}

impl Column {
    /// The header of the template's column.
    pub fn header(self) -> &'static str {
        match self {
            Column::Number => "STT",
            Column::Code => "Mã nhiệm vụ",
            Column::Title => "Nhiệm vụ",
            Column::Group => "Nhóm nhiệm vụ",
            Column::Lead => "Đơn vị chủ trì",
            Column::Coordinating => "Đơn vị phối hợp",
            Column::Deliverable => "Sản phẩm đầu ra",
            Column::Start => "Thời gian bắt đầu",
            Column::Due => "Thời hạn hoàn thành",
            Column::Budget => "Kinh phí (triệu đồng)",
            Column::Funding => "Nguồn kinh phí",
            Column::Mode => "Hình thức (thuê/mua/tự thực hiện)",
            Column::Note => "Ghi chú",
        }
    }

    /// Recognises a header by its words, whatever the order of columns.
    fn recognise(folded: &str) -> Option<Column> {
        let f = folded.replace(['\n', '\r'], " ");
        let f = f.split_whitespace().collect::<Vec<_>>().join(" ");
        let has = |w: &str| f.contains(w);
        Some(if f == "stt" || f == "tt" || f == "so tt" {
            Column::Number
        } else if has("ma nhiem vu") || f == "ma" || f == "ma so" {
            Column::Code
        } else if has("nhom nhiem vu") || f == "nhom" || has("linh vuc") {
            Column::Group
        } else if has("chu tri") {
            Column::Lead
        } else if has("phoi hop") {
            Column::Coordinating
        } else if has("san pham") {
            Column::Deliverable
        } else if has("bat dau") {
            Column::Start
        } else if has("hoan thanh") || has("thoi han") {
            Column::Due
        } else if has("kinh phi") && !has("nguon") {
            Column::Budget
        } else if has("nguon") {
            Column::Funding
        } else if has("hinh thuc") {
            Column::Mode
        } else if has("ghi chu") {
            Column::Note
        } else if has("nhiem vu") || has("noi dung") {
            Column::Title
        } else {
            return None;
        })
    }
}

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
    /// The plan's year: `Thường xuyên` (ongoing) means its last day.
    pub year: i32,
    /// The tasks the plan already has.
    pub existing: &'a [ExistingTask],
    /// Stops the reading when the request that asked for it is gone or out of time.
    pub cancel: &'a crate::cancel::Cancel,
}

/// A task already in the plan: importing it again is refused, not duplicated.
#[derive(Debug, Clone)]
pub struct ExistingTask {
    pub code: String,
    pub title: String,
    pub lead_unit_id: i64,
}

/// Reads a period or date as a deadline: dates, `Quý II/2025`, `Tháng 6/2025`,
/// `Năm 2025`, `2025`, `Thường xuyên`.
fn parse_deadline(cell: &Cell, year: i32) -> Result<Option<Date>, ()> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(serial) => serial_to_date(*serial).map(Some).ok_or(()),
        Cell::Number(n) => {
            // A bare year, or an Excel serial that lost its date format.
            if n.fract() == 0.0 && (1990.0..=2100.0).contains(n) {
                Ok(end_of_year(*n as i32))
            } else {
                serial_to_date(*n).map(Some).ok_or(())
            }
        }
        Cell::Text(t) => {
            let t = nfc(t.trim());
            if t.is_empty() || t == "—" || t == "-" {
                return Ok(None);
            }
            if let Some(d) = parse_date(&t) {
                return Ok(Some(d));
            }
            let f = fold(&t).replace(' ', "");
            if f.starts_with("thuongxuyen") || f == "hangnam" {
                return Ok(end_of_year(year));
            }
            let roman = |s: &str| match s {
                "i" | "1" => Some(1u8),
                "ii" | "2" => Some(2),
                "iii" | "3" => Some(3),
                "iv" | "4" => Some(4),
                _ => None,
            };
            let split_year = |rest: &str| -> Option<(String, i32)> {
                let (a, y) = rest.split_once(['/', '-'])?;
                Some((a.to_string(), y.parse().ok()?))
            };
            if let Some(rest) = f.strip_prefix("quy") {
                let (q, y) = split_year(rest).ok_or(())?;
                let q = roman(&q).ok_or(())?;
                return Ok(Some(crate::period::Period::Quarter(y, q).end()));
            }
            if let Some(rest) = f.strip_prefix("thang") {
                let (m, y) = split_year(rest).ok_or(())?;
                let m: u8 = m.parse().map_err(|_| ())?;
                if !(1..=12).contains(&m) {
                    return Err(());
                }
                return Ok(Some(crate::period::Period::Month(y, m).end()));
            }
            let year_text = f.strip_prefix("nam").unwrap_or(&f);
            if year_text.len() == 4
                && let Ok(y) = year_text.parse::<i32>()
            {
                return Ok(end_of_year(y));
            }
            Err(())
        }
    }
}

fn end_of_year(year: i32) -> Option<Date> {
    Date::from_calendar_date(year, Month::December, 31).ok()
}

/// Reads a budget; `multiplier` turns the sheet's unit (millions) into đồng.
fn parse_budget(cell: &Cell, multiplier: f64) -> Result<i64, ()> {
    let value = match cell {
        Cell::Empty => return Ok(0),
        Cell::Number(n) => *n,
        Cell::Date(_) => return Err(()),
        Cell::Text(t) => {
            let t = t.trim();
            if t.is_empty() || t == "—" || t == "-" || t == "0" {
                return Ok(0);
            }
            parse_number_vi(t).ok_or(())?
        }
    };
    let vnd = value * multiplier;
    if !vnd.is_finite() || vnd < 0.0 || vnd > crate::task::BUDGET_MAX as f64 {
        return Err(());
    }
    Ok(vnd.round() as i64)
}

/// Splits a cell of several parties: semicolons and new lines always separate; a comma
/// separates only where the whole piece is not itself a unit's name or a group phrase
/// ("Sở Văn hóa, Thể thao và Du lịch", "các sở, ban, ngành").
fn parties(text: &str, units: &[KnownUnit], day: Date) -> Vec<(String, Named)> {
    let mut out = Vec::new();
    for piece in text
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match find_unit(units, piece, day) {
            Named::Unknown => {
                for part in piece.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    out.push((part.to_string(), find_unit(units, part, day)));
                }
            }
            named => out.push((piece.to_string(), named)),
        }
    }
    out
}

fn roman_group(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    let end = t.find(|c: char| !matches!(c, 'I' | 'V' | 'X' | 'L' | 'i' | 'v' | 'x'))?;
    let (numeral, rest) = t.split_at(end);
    if numeral.is_empty() {
        return None;
    }
    let rest = rest.trim_start_matches(['.', ')', ' ', '-', ':']).trim();
    Some((numeral.to_uppercase(), rest.to_string()))
}

fn find_group<'a>(groups: &'a [KnownGroup], text: &str) -> Option<&'a KnownGroup> {
    let f = fold(text);
    let f = f
        .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | ' ' | ')'))
        .trim();
    groups
        .iter()
        .find(|g| fold(&g.name) == f || g.code == text.trim())
        .or_else(|| {
            groups.iter().find(|g| {
                !f.is_empty() && (fold(&g.name).contains(f) || f.contains(&fold(&g.name)))
            })
        })
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
    let mut problems = Vec::new();
    let mut tasks: Vec<ImportedTask> = Vec::new();
    let mut current_group: Option<&KnownGroup> = None;
    let mut numbering: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut seen_codes: Vec<String> = cx.existing.iter().map(|t| t.code.clone()).collect();
    for (index, row) in grid.iter().enumerate().skip(data_start) {
        let line = index + 1;
        if cx.cancel.is_cancelled() {
            return Err(vec![ImportProblem::new(
                line,
                None,
                "Tệp quá lớn để đọc trong thời gian cho phép; hãy chia nhỏ rồi nhập lại.",
                "The file is too large to read in the time allowed; split it and import again.",
            )]);
        }
        let get = |c: Column| {
            col(c)
                .and_then(|i| row.get(i))
                .cloned()
                .unwrap_or(Cell::Empty)
        };
        if row.iter().all(Cell::is_empty) {
            continue;
        }
        let title = get(Column::Title).text();
        let number = get(Column::Number).text();
        let lead_text = get(Column::Lead).text();
        let due_cell = get(Column::Due);
        // A group header: no unit and no deadline, a roman numeral or a group's name.
        if lead_text.is_empty() && due_cell.is_empty() {
            let candidates = [format!("{number} {title}"), title.clone(), number.clone()];
            let found = candidates.iter().find_map(|t| {
                let (_, name) = roman_group(t).unwrap_or_default();
                let name = if name.is_empty() { t.clone() } else { name };
                (!name.trim().is_empty())
                    .then(|| find_group(cx.groups, &name))
                    .flatten()
            });
            match found {
                Some(g) => current_group = Some(g),
                None => problems.push(ImportProblem::new(
                    line,
                    Some(Column::Title),
                    format!(
                        "Dòng nhóm “{}” không khớp nhóm nhiệm vụ nào của kế hoạch.",
                        candidates[0].trim()
                    ),
                    format!(
                        "Group row “{}” matches none of the plan's task groups.",
                        candidates[0].trim()
                    ),
                )),
            }
            continue;
        }
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
            g => match find_group(cx.groups, &g) {
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
        } else if seen_codes.contains(&code) {
            problem(
                Column::Code,
                format!("Mã nhiệm vụ “{code}” bị trùng."),
                format!("Task code “{code}” is used twice."),
            );
        }
        seen_codes.push(code.clone());
        let lead = match find_unit(cx.units, &lead_text, cx.day) {
            Named::Unit(id) => Some(id),
            Named::Ambiguous => {
                problem(
                    Column::Lead,
                    format!("“{lead_text}” khớp nhiều đơn vị; hãy ghi rõ hơn hoặc dùng mã đơn vị."),
                    format!(
                        "“{lead_text}” matches several units; be more precise or use the unit code."
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
            Named::Unknown => {
                let (vi, en) = if lead_text.is_empty() {
                    (
                        "Thiếu đơn vị chủ trì.".to_string(),
                        "The lead unit is missing.".to_string(),
                    )
                } else {
                    (
                        format!("Không tìm thấy đơn vị “{lead_text}”."),
                        format!("No unit called “{lead_text}”."),
                    )
                };
                problem(Column::Lead, vi, en);
                None
            }
        };
        let mut coordinating: Vec<i64> = Vec::new();
        let mut partners: Vec<String> = Vec::new();
        for (party, named) in parties(&get(Column::Coordinating).text(), cx.units, cx.day) {
            match named {
                Named::Unit(id) => {
                    if Some(id) != lead && !coordinating.contains(&id) {
                        coordinating.push(id);
                    }
                }
                Named::AllOf(kind) => {
                    for u in cx.units.iter().filter(|u| {
                        u.kind == kind && crate::unit::valid_on(u.valid_from, u.valid_to, cx.day)
                    }) {
                        if Some(u.id) != lead && !coordinating.contains(&u.id) {
                            coordinating.push(u.id);
                        }
                    }
                }
                // Outside bodies (enterprises, associations) are partners, not errors.
                Named::Unknown | Named::Ambiguous => {
                    let p: String = party.chars().take(200).collect();
                    if !partners.contains(&p) {
                        partners.push(p);
                    }
                }
            }
        }
        let start = match parse_deadline(&get(Column::Start), cx.year) {
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
        let due = match parse_deadline(&due_cell, cx.year) {
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
        if let Some(same) = cx
            .existing
            .iter()
            .find(|t| t.lead_unit_id == lead && fold(&t.title) == fold(&title))
        {
            problems.push(ImportProblem::new(
                line,
                Some(Column::Title),
                format!("Nhiệm vụ này đã có trong kế hoạch (mã {}).", same.code),
                format!("This task is already in the plan (code {}).", same.code),
            ));
            continue;
        }
        let lead_code = cx
            .units
            .iter()
            .find(|u| u.id == lead)
            .map(|u| u.code.clone())
            .unwrap_or_default();
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
                assigned_doc_number: None,
                assigned_doc_date: None,
                assigned_doc_signer: None,
            },
            lead_unit_id: lead,
            coordinating,
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
mod tests {
    static NO_CANCEL: std::sync::LazyLock<crate::cancel::Cancel> =
        std::sync::LazyLock::new(crate::cancel::Cancel::new);

    use super::*;
    use crate::unit::UnitKind;
    use time::macros::date;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn units() -> Vec<KnownUnit> {
        let u = |id, code: &str, name: &str, short: Option<&str>, kind| KnownUnit {
            id,
            code: code.into(),
            name: name.into(),
            short_name: short.map(Into::into),
            kind,
            valid_from: None,
            valid_to: None,
            successors: vec![],
        };
        vec![
            u(
                1,
                "52-SKHCN2",
                "Sở Khoa học và Công nghệ",
                Some("Sở KH&CN"),
                UnitKind::Department,
            ),
            u(
                2,
                "52-STC2",
                "Sở Tài chính",
                Some("STC"),
                UnitKind::Department,
            ),
            u(3, "542", "Huyện An Lão", None, UnitKind::District),
            u(4, "540", "Thành phố Quy Nhơn", None, UnitKind::District),
        ]
    }

    fn groups() -> Vec<KnownGroup> {
        vec![
            KnownGroup {
                id: 10,
                code: "2".into(),
                name: "Hạ tầng số".into(),
            },
            KnownGroup {
                id: 11,
                code: "9".into(),
                name: "Chính quyền số".into(),
            },
        ]
    }

    fn cx<'a>(units: &'a [KnownUnit], groups: &'a [KnownGroup]) -> ImportContext<'a> {
        ImportContext {
            units,
            groups,
            day: date!(2025 - 06 - 01),
            year: 2025,
            existing: &[],
            cancel: &NO_CANCEL,
        }
    }

    #[test]
    fn a_messy_real_world_sheet_is_read() {
        let grid = vec![
            vec![t("PHỤ LỤC"), Cell::Empty],
            vec![t("DANH MỤC NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2025")],
            vec![],
            vec![
                t("TT"),
                t("Nội dung nhiệm vụ"),
                t("Cơ quan chủ trì"),
                t("Cơ quan phối hợp"),
                t("Thời gian"),
                Cell::Empty,
                t("Kinh phí\n(triệu đồng)"),
                t("Hình thức"),
            ],
            vec![
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                t("Bắt đầu"),
                t("Hoàn thành"),
                Cell::Empty,
                Cell::Empty,
            ],
            vec![
                Cell::Number(1.0),
                Cell::Number(2.0),
                Cell::Number(3.0),
                Cell::Number(4.0),
                Cell::Number(5.0),
                Cell::Number(6.0),
                Cell::Number(7.0),
                Cell::Number(8.0),
            ],
            vec![t("I"), t("HẠ TẦNG SỐ")],
            vec![
                Cell::Number(1.0),
                t("Phủ sóng 4G thôn lõm sóng"),
                t("UBND huyện An Lão"),
                t("Sở KH&CN; Viettel Bình Định,\nVNPT"),
                t("01/02/2025"),
                t("Quý III/2025"),
                t("1.250,5"),
                t("Thuê"),
            ],
            vec![t("II. CHÍNH QUYỀN SỐ")],
            vec![
                Cell::Number(1.0),
                t("Dịch vụ công trực tuyến toàn trình"),
                t("Sở KH&CN"),
                t("UBND các huyện, thị xã, thành phố"),
                Cell::Date(45658.0),
                t("Thường xuyên"),
                t("—"),
                t("tự thực hiện"),
            ],
        ];
        let (u, g) = (units(), groups());
        let tasks = read_plan(&grid, &cx(&u, &g)).unwrap();
        assert_eq!(tasks.len(), 2);
        let a = &tasks[0];
        assert_eq!(
            (a.row, a.fields.code.as_str(), a.fields.group_id),
            (8, "2.1", Some(10))
        );
        assert_eq!(a.lead_unit_id, 3);
        assert_eq!(a.coordinating, vec![1]);
        assert_eq!(a.fields.partners, vec!["Viettel Bình Định", "VNPT"]);
        assert_eq!(a.fields.due_date, date!(2025 - 09 - 30));
        assert_eq!(a.fields.budget_planned, 1_250_500_000);
        assert_eq!(a.fields.acquisition_mode, Some(AcquisitionMode::Rent));
        let b = &tasks[1];
        assert_eq!(
            (b.fields.code.as_str(), b.fields.group_id),
            ("9.1", Some(11))
        );
        assert_eq!(b.coordinating, vec![3, 4], "every district");
        assert_eq!(b.fields.start_date, Some(date!(2025 - 01 - 01)));
        assert_eq!(
            b.fields.due_date,
            date!(2025 - 12 - 31),
            "ongoing: the plan's last day"
        );
        assert_eq!(b.fields.budget_planned, 0);
    }

    #[test]
    fn every_bad_row_is_reported_with_row_and_column() {
        let header = vec![
            t("Mã nhiệm vụ"),
            t("Nhiệm vụ"),
            t("Đơn vị chủ trì"),
            t("Thời hạn hoàn thành"),
            t("Kinh phí (triệu đồng)"),
            t("Hình thức"),
        ];
        let grid = vec![
            header,
            vec![
                t("2.1"),
                t("Việc A"),
                t("Huyện Không Có"),
                t("30/06/2025"),
                Cell::Empty,
                Cell::Empty,
            ],
            vec![
                t("2.2"),
                t("Việc B"),
                t("542"),
                t("hôm nào đó"),
                t("-5"),
                t("đi mượn"),
            ],
            vec![
                t("2.1"),
                t(""),
                t("542"),
                t("Tháng 13/2025"),
                Cell::Empty,
                Cell::Empty,
            ],
        ];
        let (u, g) = (units(), groups());
        let problems = read_plan(&grid, &cx(&u, &g)).unwrap_err();
        let got: Vec<(usize, Option<Column>)> =
            problems.iter().map(|p| (p.row, p.column)).collect();
        assert_eq!(
            got,
            [
                (2, Some(Column::Lead)),
                (3, Some(Column::Due)),
                (3, Some(Column::Budget)),
                (3, Some(Column::Mode)),
                (4, Some(Column::Title)),
                (4, Some(Column::Code)),
                (4, Some(Column::Due)),
            ]
        );
        assert!(
            problems[0]
                .message(Lang::Vi)
                .starts_with("Dòng 2, cột “Đơn vị chủ trì”: Không tìm thấy đơn vị")
        );
    }

    #[test]
    fn deadlines_in_every_form() {
        let y = 2025;
        assert_eq!(
            parse_deadline(&t("Quý II/2025"), y),
            Ok(Some(date!(2025 - 06 - 30)))
        );
        assert_eq!(
            parse_deadline(&t("quý 4/2025"), y),
            Ok(Some(date!(2025 - 12 - 31)))
        );
        assert_eq!(
            parse_deadline(&t("Tháng 6/2025"), y),
            Ok(Some(date!(2025 - 06 - 30)))
        );
        assert_eq!(
            parse_deadline(&t("Năm 2026"), y),
            Ok(Some(date!(2026 - 12 - 31)))
        );
        assert_eq!(
            parse_deadline(&Cell::Number(2025.0), y),
            Ok(Some(date!(2025 - 12 - 31)))
        );
        assert_eq!(
            parse_deadline(&t("Thường xuyên"), y),
            Ok(Some(date!(2025 - 12 - 31)))
        );
        assert_eq!(
            parse_deadline(&Cell::Date(45838.0), y),
            Ok(Some(date!(2025 - 06 - 30)))
        );
        assert_eq!(parse_deadline(&t("Quý V/2025"), y), Err(()));
        assert_eq!(parse_deadline(&Cell::Number(f64::NAN), y), Err(()));
    }

    #[test]
    fn no_header_no_import() {
        let (u, g) = (units(), groups());
        let problems = read_plan(
            &[vec![t("a"), t("b")], vec![Cell::Number(1.0)]],
            &cx(&u, &g),
        )
        .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(read_plan(&[], &cx(&u, &g)).is_err());
    }
}

#[cfg(test)]
mod never_panics {
    //! The importer reads files from anywhere: no input may make it panic.
    use super::*;
    use crate::unit::UnitKind;
    use proptest::prelude::*;
    use time::macros::date;

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            Just(Cell::Empty),
            any::<f64>().prop_map(Cell::Number),
            any::<f64>().prop_map(Cell::Date),
            "\\PC{0,40}".prop_map(Cell::Text),
            prop::sample::select(vec![
                "Nhiệm vụ",
                "Đơn vị chủ trì",
                "Thời hạn hoàn thành",
                "Quý II/2025",
                "Thường xuyên",
                "I. HẠ TẦNG SỐ",
                "Các sở, ban, ngành",
                "UBND cấp xã",
                "1.250,5",
                "—",
                "Tháng 13/2025",
                "Năm 99999",
                "thuê",
                "Bắt đầu",
            ])
            .prop_map(|s| Cell::Text(s.to_string())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn any_grid(grid in prop::collection::vec(prop::collection::vec(cell(), 0..14), 0..12)) {
            let units = vec![KnownUnit {
                id: 1, code: "542".into(), name: "Huyện An Lão".into(), short_name: None, kind: UnitKind::District,
                valid_from: None, valid_to: None, successors: vec![],
            }];
            let groups = vec![KnownGroup { id: 1, code: "2".into(), name: "Hạ tầng số".into() }];
            let cx = ImportContext { units: &units, groups: &groups, day: date!(2025 - 06 - 01), year: 2025, existing: &[], cancel: &crate::cancel::Cancel::new() };
            let mut with_header = vec![vec![
                Cell::Text("Nhiệm vụ".into()), Cell::Text("Đơn vị chủ trì".into()), Cell::Text("Thời hạn hoàn thành".into()),
                Cell::Text("Kinh phí (triệu đồng)".into()), Cell::Text("Đơn vị phối hợp".into()), Cell::Text("Thời gian bắt đầu".into()),
            ]];
            with_header.extend(grid.iter().cloned());
            let _ = read_plan(&grid, &cx);
            let _ = read_plan(&with_header, &cx);
        }
    }
}
