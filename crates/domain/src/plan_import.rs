//! Reading a plan appendix as provinces publish it: a sheet of cells with title rows,
//! a (possibly two-row, merged) header, group header rows such as `I. HẠ TẦNG SỐ`, and
//! task rows whose units, dates and budgets are written loosely. Pure: the sheet comes
//! in as a grid; tasks and row-by-row problems come out.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use time::{Date, Duration, Month};

use crate::Lang;
use crate::task::{AcquisitionMode, TaskFields};
use crate::text::{fold, nfc, parse_date, parse_number_vi};
use crate::unit_match::{Kinds, KnownUnit, Named, UnitIndex, claims_province_unit};

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

    /// Whether [`Cell::text`] would be empty, without building it (every cell of
    /// every row is asked).
    fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            Cell::Number(_) => false,
            Cell::Date(serial) => serial_to_date(*serial).is_none(),
        }
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
    /// The plan's year: `Thường xuyên` (ongoing) means its last day.
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

/// Which end of a named period a date column wants: a task starts on the period's
/// first day (`Quý II/2025` → 01/04/2025) and is due on its last (→ 30/06/2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    First,
    Last,
}

/// Reads a period or date: dates, `Quý II/2025`, `Tháng 6/2025`, `Năm 2025`, `2025`,
/// `Thường xuyên` (the plan's year), as the `edge` of that period.
fn parse_when(cell: &Cell, year: i32, edge: Edge) -> Result<Option<Date>, ()> {
    use crate::period::Period;
    let of = |p: Period| {
        Some(match edge {
            Edge::First => p.start(),
            Edge::Last => p.end(),
        })
    };
    // Years a plan can name; anything else is a typo, not a date in the year 99999.
    let plausible = |y: i32| (1900..=2200).contains(&y);
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(serial) => serial_to_date(*serial).map(Some).ok_or(()),
        Cell::Number(n) => {
            // A bare year, or an Excel serial that lost its date format.
            if n.fract() == 0.0 && (1990.0..=2100.0).contains(n) {
                Ok(of(Period::Year(*n as i32)))
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
                return Ok(of(Period::Year(year)));
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
                let y = y.parse().ok().filter(|y| plausible(*y))?;
                Some((a.to_string(), y))
            };
            if let Some(rest) = f.strip_prefix("quy") {
                let (q, y) = split_year(rest).ok_or(())?;
                let q = roman(&q).ok_or(())?;
                return Ok(of(Period::Quarter(y, q)));
            }
            if let Some(rest) = f.strip_prefix("thang") {
                let (m, y) = split_year(rest).ok_or(())?;
                let m: u8 = m.parse().map_err(|_| ())?;
                if !(1..=12).contains(&m) {
                    return Err(());
                }
                return Ok(of(Period::Month(y, m)));
            }
            let year_text = f.strip_prefix("nam").unwrap_or(&f);
            if year_text.len() == 4
                && let Ok(y) = year_text.parse::<i32>()
                && plausible(y)
            {
                return Ok(of(Period::Year(y)));
            }
            Err(())
        }
    }
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

/// More parties than this in one cell is no plan's row (a whole tree is written as a
/// group phrase); refusing it keeps the matching of a hostile cell bounded.
const MAX_PARTIES: usize = 300;

/// The longest run of comma-separated parts read as one name: `Sở Văn hóa, Thể thao và
/// Du lịch` has two, `UBND các xã, phường, thị trấn` three.
const LONGEST_NAME_PARTS: usize = 5;

/// Splits a cell of several parties: semicolons and new lines always separate; a comma
/// separates only where the parts around it are not together a unit's name or a group
/// phrase (`Sở Văn hóa, Thể thao và Du lịch`, `UBND cấp huyện, cấp xã`), the longest
/// such run first. What a piece says of units "liên quan" (concerned) names no units
/// for sure, so it stays one outside party as written. `Err` past [`MAX_PARTIES`].
fn parties(text: &str, units: &UnitIndex<'_>, day: Date) -> Result<Vec<(String, Named)>, ()> {
    let mut out = Vec::new();
    for piece in text
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match units.find(piece, day) {
            Named::Unknown => {}
            named => {
                out.push((piece.to_string(), named));
                continue;
            }
        }
        let parts: Vec<&str> = piece
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if out.len() + parts.len() > MAX_PARTIES {
            return Err(());
        }
        let vague = fold(piece).contains("lien quan");
        let mut vague_parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            let longest = (i + LONGEST_NAME_PARTS).min(parts.len());
            let (end, name, named) = (i + 1..=longest)
                .rev()
                .find_map(|end| {
                    let name = parts[i..end].join(", ");
                    match units.find(&name, day) {
                        Named::Unknown => None,
                        named => Some((end, name, named)),
                    }
                })
                .unwrap_or_else(|| (i + 1, parts[i].to_string(), Named::Unknown));
            i = end;
            match named {
                Named::Unknown | Named::AllOf(_) if vague => vague_parts.push(name),
                named => out.push((name, named)),
            }
        }
        if !vague_parts.is_empty() {
            out.push((vague_parts.join(", "), Named::Unknown));
        }
    }
    Ok(out)
}

/// A numeral standing alone at the start of a group row: `XII.`, `XII -`, `12)`, `9`,
/// not the `X` of `Xây dựng` nor the `2` of a task code `2.1`. Returns it and the words
/// after it.
fn numbered(text: &str) -> (Option<u32>, &str) {
    let t = text.trim();
    let end = t
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(t.len());
    let (head, rest) = t.split_at(end);
    let stands_alone = match rest.chars().next() {
        None => true,
        Some('.') => !rest[1..].starts_with(|c: char| c.is_ascii_digit()),
        Some(c) => c.is_whitespace() || matches!(c, ')' | ':' | '-' | '–'),
    };
    let n = if !stands_alone {
        None
    } else if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) {
        head.parse().ok()
    } else {
        roman(head)
    };
    match n {
        Some(n) => (
            Some(n),
            rest.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, '.' | ')' | ':' | '-' | '–')
            }),
        ),
        None => (None, t),
    }
}

/// A roman numeral up to 50 (`I` … `XII` … `L`), written the one correct way.
fn roman(s: &str) -> Option<u32> {
    let upper = s.to_ascii_uppercase();
    if upper.is_empty()
        || !upper
            .bytes()
            .all(|b| matches!(b, b'I' | b'V' | b'X' | b'L'))
    {
        return None;
    }
    (1..=50).find(|n| to_roman(*n) == upper)
}

fn to_roman(mut n: u32) -> String {
    let mut out = String::new();
    for (value, digits) in [
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ] {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// The plan's groups, their names folded once.
struct Groups<'a> {
    groups: &'a [KnownGroup],
    names: Vec<String>,
    numbers: Vec<Option<u32>>,
    /// Whether the sheet numbers its group rows with the plan's own group numbers (see
    /// [`Groups::learn_numbering`]).
    numbers_are_codes: bool,
}

impl<'a> Groups<'a> {
    fn new(groups: &'a [KnownGroup]) -> Groups<'a> {
        Groups {
            groups,
            names: groups.iter().map(|g| fold(&g.name)).collect(),
            numbers: groups.iter().map(|g| g.code.trim().parse().ok()).collect(),
            numbers_are_codes: true,
        }
    }

    /// The group whose name the words are.
    fn exact(&self, words: &str) -> Option<usize> {
        let f = fold(words);
        self.names.iter().position(|n| *n == f)
    }

    /// The one group whose name the words contain or are part of (`Phát triển hạ tầng
    /// số`, `Hạ tầng`); none when that fits several.
    fn containing(&self, words: &str) -> Option<usize> {
        let f = fold(words);
        if f.is_empty() {
            return None;
        }
        let mut found = (0..self.names.len())
            .filter(|i| f.contains(self.names[*i].as_str()) || self.names[*i].contains(&f));
        match (found.next(), found.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    }

    fn numbered(&self, n: u32) -> Option<usize> {
        self.numbers.iter().position(|x| *x == Some(n))
    }

    /// Appendices number their group rows two ways: with the plan's own numbers (`XII`
    /// is group 12 whatever its wording), or in the order of the groups they list (`I`,
    /// `II`… for groups 2 and 9). The rows whose words name a group tell which: when
    /// most of them carry that group's number, a row's number decides before its words;
    /// otherwise numbers say nothing and the words decide.
    fn learn_numbering<'r>(&mut self, rows: impl Iterator<Item = (Option<u32>, &'r str)>) {
        let (mut agree, mut disagree) = (0, 0);
        for (n, words) in rows {
            let (Some(n), Some(g)) = (n, self.exact(words).or_else(|| self.containing(words)))
            else {
                continue;
            };
            if self.numbers[g] == Some(n) {
                agree += 1;
            } else {
                disagree += 1;
            }
        }
        self.numbers_are_codes = agree >= disagree;
    }

    /// The group of a group row: its words when they are a group's name, then its
    /// number (when the sheet uses the plan's numbers), then its words loosely.
    fn of_row(&self, n: Option<u32>, words: &str) -> Option<&'a KnownGroup> {
        self.exact(words)
            .or_else(|| {
                n.filter(|_| self.numbers_are_codes)
                    .and_then(|n| self.numbered(n))
            })
            .or_else(|| self.containing(words))
            .map(|i| &self.groups[i])
    }

    /// The group a task row's group column names: a code, a name, a numbered name.
    fn of_cell(&self, text: &str) -> Option<&'a KnownGroup> {
        let t = text.trim();
        if let Some(g) = self.groups.iter().find(|g| g.code == t) {
            return Some(g);
        }
        let words =
            t.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | ' ' | ')'));
        self.exact(words)
            .or_else(|| self.containing(words))
            .map(|i| &self.groups[i])
    }
}

/// A unit as a message names it: `Sở Tài chính (52-STC2)`.
fn unit_label(units: &UnitIndex<'_>, id: i64) -> String {
    units
        .unit(id)
        .map_or_else(|| id.to_string(), |u| format!("{} ({})", u.name, u.code))
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
                assigned_doc_number: None,
                assigned_doc_date: None,
                assigned_doc_signer: None,
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
            own_unit: None,
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

    fn parse_deadline(cell: &Cell, year: i32) -> Result<Option<Date>, ()> {
        parse_when(cell, year, Edge::Last)
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
        assert_eq!(parse_deadline(&t("Quý I/99999"), y), Err(()));
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

    /// The units of a province on both sides of the 2025 reorganisation: departments,
    /// a board, two districts that end on 30 June 2025, their communes, and a ward that
    /// starts on 1 July 2025.
    fn two_tier_units() -> Vec<KnownUnit> {
        let mut all = units();
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
        all.extend([
            u(5, "52", "Tỉnh Gia Lai", None, UnitKind::Province),
            u(
                6,
                "52-BQLKKT",
                "Ban Quản lý Khu kinh tế tỉnh",
                None,
                UnitKind::Other,
            ),
            u(7, "21550", "Phường Nhơn Bình", None, UnitKind::Commune),
            u(8, "21616", "Xã An Hòa", None, UnitKind::Commune),
            KnownUnit {
                valid_from: Some(date!(2025 - 07 - 01)),
                ..u(9, "21583", "Phường Quy Nhơn", None, UnitKind::Commune)
            },
        ]);
        for x in all.iter_mut().filter(|x| x.kind == UnitKind::District) {
            x.valid_to = Some(date!(2025 - 06 - 30));
        }
        all
    }

    fn header() -> Vec<Cell> {
        [
            "STT",
            "Nhiệm vụ",
            "Đơn vị chủ trì",
            "Đơn vị phối hợp",
            "Thời gian bắt đầu",
            "Thời hạn hoàn thành",
            "Ghi chú",
        ]
        .into_iter()
        .map(t)
        .collect()
    }

    /// A task row in the `header()` columns.
    fn task(title: &str, lead: &str, coordinating: &str, start: &str, due: &str) -> Vec<Cell> {
        vec![
            Cell::Number(1.0),
            t(title),
            t(lead),
            t(coordinating),
            t(start),
            t(due),
        ]
    }

    fn read_on(
        grid: &[Vec<Cell>],
        units: &[KnownUnit],
        day: Date,
        own_unit: Option<i64>,
    ) -> Result<Vec<ImportedTask>, Vec<ImportProblem>> {
        let g = groups();
        read_plan(
            grid,
            &ImportContext {
                day,
                own_unit,
                ..cx(units, &g)
            },
        )
    }

    #[test]
    fn start_dates_take_the_first_day_of_the_period_named() {
        let first = |c: &Cell| parse_when(c, 2025, Edge::First);
        assert_eq!(first(&t("Quý II/2025")), Ok(Some(date!(2025 - 04 - 01))));
        assert_eq!(first(&t("quý 4/2025")), Ok(Some(date!(2025 - 10 - 01))));
        assert_eq!(first(&t("Tháng 6/2025")), Ok(Some(date!(2025 - 06 - 01))));
        assert_eq!(first(&t("Năm 2026")), Ok(Some(date!(2026 - 01 - 01))));
        assert_eq!(
            first(&Cell::Number(2025.0)),
            Ok(Some(date!(2025 - 01 - 01)))
        );
        assert_eq!(first(&t("Thường xuyên")), Ok(Some(date!(2025 - 01 - 01))));
        assert_eq!(first(&t("15/03/2025")), Ok(Some(date!(2025 - 03 - 15))));
        let grid = vec![
            header(),
            task("Số hoá hồ sơ", "Sở KH&CN", "", "Quý II/2025", "Quý IV/2025"),
        ];
        let tasks = read_on(&grid, &units(), date!(2025 - 06 - 01), None).unwrap();
        assert_eq!(
            (tasks[0].fields.start_date, tasks[0].fields.due_date),
            (Some(date!(2025 - 04 - 01)), date!(2025 - 12 - 31))
        );
    }

    #[test]
    fn group_numerals_stand_alone() {
        assert_eq!(numbered("XII. Không gian số"), (Some(12), "Không gian số"));
        assert_eq!(numbered("XII - Không gian số"), (Some(12), "Không gian số"));
        assert_eq!(numbered("12) Không gian số"), (Some(12), "Không gian số"));
        assert_eq!(numbered("ix"), (Some(9), ""));
        assert_eq!(numbered("Xây dựng"), (None, "Xây dựng"));
        assert_eq!(numbered("2.1 Nhiệm vụ"), (None, "2.1 Nhiệm vụ"));
        assert_eq!(numbered("IIII. Sai"), (None, "IIII. Sai"));
        assert_eq!(numbered("HẠ TẦNG SỐ"), (None, "HẠ TẦNG SỐ"));
    }

    #[test]
    fn group_rows_numbered_as_the_plan_match_by_number_when_their_words_differ() {
        let names = [
            "Thể chế số",
            "Hạ tầng số",
            "Nhân lực số",
            "Nhận thức số",
            "Nền tảng số cơ bản",
            "Dữ liệu số",
            "An toàn thông tin mạng",
            "Doanh nghiệp công nghệ số",
            "Chính quyền số",
            "Kinh tế số",
            "Xã hội số",
            "Không gian trải nghiệm sản phẩm và dịch vụ số",
        ];
        let plan: Vec<KnownGroup> = names
            .iter()
            .enumerate()
            .map(|(i, n)| KnownGroup {
                id: 100 + i as i64 + 1,
                code: (i + 1).to_string(),
                name: (*n).into(),
            })
            .collect();
        let row = |n: &str, words: &str| vec![t(n), t(words)];
        let grid = vec![
            header(),
            row("II", "PHÁT TRIỂN HẠ TẦNG SỐ"),
            task("Phủ sóng 4G", "542", "", "", "Quý III/2025"),
            row(
                "",
                "XII. Phát triển không gian trải nghiệm sản phẩm, dịch vụ số",
            ),
            task("Trung tâm trải nghiệm", "542", "", "", "Năm 2025"),
            row("X", "Phát triển kinh tế số gắn với xã hội số"),
            task("Chợ số", "542", "", "", "Năm 2025"),
            row("9 -", "Chính quyền số và dữ liệu"),
            task("Dịch vụ công", "542", "", "", "Năm 2025"),
        ];
        let u = units();
        let tasks = read_plan(&grid, &cx(&u, &plan)).unwrap();
        let got: Vec<(&str, Option<i64>)> = tasks
            .iter()
            .map(|t| (t.fields.code.as_str(), t.fields.group_id))
            .collect();
        assert_eq!(
            got,
            [
                ("2.1", Some(102)),
                ("12.1", Some(112)),
                ("10.1", Some(110)),
                ("9.1", Some(109))
            ]
        );
    }

    #[test]
    fn the_provinces_own_names_written_loosely_are_its_units() {
        let u = two_tier_units();
        let grid = vec![
            header(),
            task(
                "Khu công nghiệp số",
                "Ban Quản lý Khu kinh tế",
                "Sở KHCN; Sở Tài chính tỉnh Gia Lai",
                "",
                "Năm 2025",
            ),
            task(
                "Chuyển đổi số khu kinh tế",
                "BQL Khu kinh tế tỉnh Gia Lai",
                "Ủy ban nhân dân tỉnh",
                "",
                "Năm 2025",
            ),
        ];
        let tasks = read_on(&grid, &u, date!(2025 - 08 - 01), None).unwrap();
        assert_eq!(
            (tasks[0].lead_unit_id, &tasks[0].coordinating),
            (6, &vec![1, 2])
        );
        assert!(tasks[0].fields.partners.is_empty());
        assert_eq!(
            (tasks[1].lead_unit_id, &tasks[1].coordinating),
            (6, &vec![5])
        );
    }

    #[test]
    fn an_ambiguous_name_stops_its_row_naming_both_units() {
        let mut u = two_tier_units();
        u.push(KnownUnit {
            id: 10,
            code: "52-BQLDA".into(),
            ..u[5].clone()
        });
        let grid = vec![
            header(),
            task("Việc A", "Ban Quản lý Khu kinh tế", "", "", "Năm 2025"),
        ];
        let problems = read_on(&grid, &u, date!(2025 - 08 - 01), None).unwrap_err();
        let message = problems[0].message(Lang::Vi);
        assert!(
            message.contains("Ban Quản lý Khu kinh tế tỉnh (52-BQLKKT)")
                && message.contains("Ban Quản lý Khu kinh tế tỉnh (52-BQLDA)"),
            "{message}"
        );
    }

    #[test]
    fn a_lead_outside_the_province_is_kept_as_partner_and_followed_by_a_unit() {
        let u = two_tier_units();
        let grid = vec![
            header(),
            task(
                "Hoá đơn điện tử",
                "Cục Thuế tỉnh",
                "Sở Tài chính; Viettel Gia Lai",
                "",
                "Quý IV/2025",
            ),
            task(
                "Thanh toán không dùng tiền mặt",
                "Kho bạc Nhà nước tỉnh",
                "",
                "",
                "Năm 2025",
            ),
        ];
        let day = date!(2025 - 08 - 01);
        // The coordinating unit follows the first; the importer's own unit the second.
        let tasks = read_on(&grid, &u, day, Some(1)).unwrap();
        let a = &tasks[0];
        assert_eq!(
            (a.lead_unit_id, a.fields.lead_unit_code.as_str()),
            (2, "52-STC2")
        );
        assert!(
            a.coordinating.is_empty(),
            "it leads, it does not also coordinate"
        );
        assert_eq!(a.outside_lead.as_deref(), Some("Cục Thuế tỉnh"));
        assert_eq!(a.fields.partners, ["Cục Thuế tỉnh", "Viettel Gia Lai"]);
        let b = &tasks[1];
        assert_eq!(
            (b.lead_unit_id, b.outside_lead.as_deref()),
            (1, Some("Kho bạc Nhà nước tỉnh"))
        );
        // Nobody to follow it: only that row is refused, and it says what to write.
        let problems = read_on(&grid, &u, day, None).unwrap_err();
        assert_eq!(
            problems
                .iter()
                .map(|p| (p.row, p.column))
                .collect::<Vec<_>>(),
            [(3, Some(Column::Lead))]
        );
        assert!(
            problems[0]
                .message_vi
                .contains("không phải đơn vị của tỉnh")
        );
        // A name that says it is one of the province's own units must be one.
        let typo = vec![
            header(),
            task("Việc B", "Sở Tài chánh", "Sở KH&CN", "", "Năm 2025"),
        ];
        let problems = read_on(&typo, &u, day, Some(1)).unwrap_err();
        assert!(problems[0].message_vi.starts_with("Không tìm thấy đơn vị"));
    }

    #[test]
    fn group_phrases_expand_to_the_units_standing_on_the_day() {
        let u = two_tier_units();
        let grid = vec![
            header(),
            task(
                "Việc 1",
                "Sở KH&CN",
                "UBND cấp huyện, cấp xã",
                "",
                "Năm 2025",
            ),
            task(
                "Việc 2",
                "Sở KH&CN",
                "UBND các xã, phường; VNPT",
                "",
                "Năm 2025",
            ),
            task("Việc 3", "Sở KH&CN", "Các sở, ban, ngành", "", "Năm 2025"),
            task(
                "Việc 4",
                "Sở KH&CN",
                "Sở Tài chính, các sở, ngành liên quan",
                "",
                "Năm 2025",
            ),
            task("Việc 5", "Sở KH&CN", "UBND các phường", "", "Năm 2025"),
        ];
        let coordinating = |day| {
            read_on(&grid, &u, day, None)
                .unwrap()
                .into_iter()
                .map(|t| (t.coordinating, t.fields.partners))
                .collect::<Vec<_>>()
        };
        let none = Vec::<String>::new;
        // Two tiers (since 1 July 2025): communes and wards; the districts have ended.
        assert_eq!(
            coordinating(date!(2025 - 08 - 01)),
            [
                (vec![7, 8, 9], none()),
                (vec![7, 8, 9], vec!["VNPT".to_string()]),
                (vec![2], none()),
                (vec![2], vec!["các sở, ngành liên quan".to_string()]),
                (vec![7, 9], none()),
            ]
        );
        // Before: the districts too, and the new ward is not there yet.
        assert_eq!(coordinating(date!(2025 - 03 - 01))[0].0, vec![3, 4, 7, 8]);
        // A phrase that names nobody on the day is an error, not an empty list.
        let districts = vec![
            header(),
            task("Việc", "Sở KH&CN", "UBND cấp huyện", "", "Năm 2025"),
        ];
        let problems = read_on(&districts, &u, date!(2025 - 08 - 01), None).unwrap_err();
        assert_eq!(problems[0].column, Some(Column::Coordinating));
    }

    #[test]
    fn five_thousand_rows_against_a_province_of_units() {
        // A national-size tree for one province: 40 departments, 11 districts, 600
        // communes; every row names its units loosely and half name a group phrase.
        let mut u = Vec::new();
        let unit = |id: i64, name: String, kind| KnownUnit {
            id,
            code: format!("C{id}"),
            name,
            short_name: None,
            kind,
            valid_from: None,
            valid_to: None,
            successors: vec![],
        };
        for i in 0..40 {
            u.push(unit(
                i,
                format!("Sở Chuyên ngành {i}"),
                UnitKind::Department,
            ));
        }
        for i in 0..11 {
            u.push(unit(100 + i, format!("Huyện Miền {i}"), UnitKind::District));
        }
        for i in 0..600 {
            u.push(unit(1000 + i, format!("Xã Làng {i}"), UnitKind::Commune));
        }
        let mut grid = vec![header()];
        for r in 0..5000 {
            grid.push(vec![
                Cell::Number(f64::from(r + 1)),
                t(&format!("Nhiệm vụ số {r}")),
                t(&format!("UBND xã Làng {}", r % 600)),
                t(if r % 2 == 0 {
                    "Sở Chuyên ngành 3; UBND cấp huyện, cấp xã; Viettel"
                } else {
                    "huyện Miền 4, Sở Chuyên ngành 7 tỉnh"
                }),
                t("Quý I/2025"),
                t("Quý IV/2025"),
                t("Ghi chú"),
            ]);
        }
        let started = std::time::Instant::now();
        let tasks = read_on(&grid, &u, date!(2025 - 06 - 01), None).unwrap();
        eprintln!("5,000 rows × {} units: {:?}", u.len(), started.elapsed());
        assert_eq!(tasks.len(), 5000);
        assert_eq!(
            tasks[0].coordinating.len(),
            1 + 11 + 600 - 1,
            "not the lead"
        );
        assert_eq!(tasks[1].coordinating, vec![104, 7]);
        assert_eq!(tasks[4999].lead_unit_id, 1000 + 4999 % 600);
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
                "UBND cấp huyện, cấp xã",
                "XII. Không gian số",
                "Cục Thuế tỉnh",
                "Sở KHCN (nay là Sở Tài chính)",
                "các sở, ngành liên quan",
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
            let cx = ImportContext { units: &units, groups: &groups, day: date!(2025 - 06 - 01), year: 2025, existing: &[], cancel: &crate::cancel::Cancel::new(), own_unit: Some(1) };
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
