//! Reading the two uploads into checked rows. Every bad line of a file is reported at
//! once, so the person fixing it sees all the faults in one go.

use serde::Serialize;

use super::ChangeProblem;
use crate::Lang;
use crate::text::nfc;
use crate::unit::{UnitInput, UnitKind, check_code, validate_unit};
use crate::unit_import::{MAX_ROWS, RowError, RowProblem};
use crate::validation::{FieldError, Invalid};

/// Which of the two uploads a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Upload {
    NewUnits,
    Lineage,
}

impl Upload {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Upload::NewUnits => lang.pick("Tệp đơn vị mới", "New units file"),
            Upload::Lineage => lang.pick("Tệp kế thừa", "Lineage file"),
        }
    }
}

/// One row of the new-units upload, checked field by field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewUnitRow {
    pub line: usize,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_code: Option<String>,
}

/// One edge of the lineage upload, checked field by field. No `new_code`: the old unit is
/// retired without a successor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineageRow {
    pub line: usize,
    pub old_code: String,
    pub old_name: Option<String>,
    pub new_code: Option<String>,
    pub new_name: Option<String>,
    pub weight: Option<f64>,
}

/// The refusal of one line of an upload (line 1 for its header), as [`RowError`] words it.
pub(super) fn row_problem(
    upload: Upload,
    line: usize,
    field: &str,
    reason: RowProblem,
) -> ChangeProblem {
    ChangeProblem::Row {
        upload,
        error: RowError {
            line,
            field: field.to_string(),
            reason,
        },
    }
}

/// An upload's header and non-blank records with their line numbers, plus the lines that
/// could not be read (reported together with the rest, so one upload shows every fault).
struct Sheet {
    headers: csv::StringRecord,
    records: Vec<(usize, csv::StringRecord)>,
    errors: Vec<ChangeProblem>,
}

impl Sheet {
    fn column(&self, names: &[&str]) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    }
}

fn read_sheet(bytes: &[u8], upload: Upload) -> Result<Sheet, Vec<ChangeProblem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            vec![row_problem(
                upload,
                1,
                "-",
                RowProblem::NotCsv {
                    detail: e.to_string(),
                },
            )]
        })?
        .clone();
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(row_problem(
                    upload,
                    line,
                    "-",
                    RowProblem::NotCsv {
                        detail: e.to_string(),
                    },
                ));
            }
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                if records.len() + errors.len() >= MAX_ROWS {
                    return Err(vec![row_problem(
                        upload,
                        line,
                        "-",
                        RowProblem::TooManyRows,
                    )]);
                }
                if !record.iter().all(str::is_empty) {
                    records.push((line, record));
                }
            }
        }
    }
    Ok(Sheet {
        headers,
        records,
        errors,
    })
}

fn field_problems(
    upload: Upload,
    line: usize,
    errors: Vec<FieldError>,
) -> impl Iterator<Item = ChangeProblem> {
    errors.into_iter().map(move |e| {
        // The upload calls the kind `level`, as the reference files do.
        let field = if e.field == "kind" { "level" } else { &e.field };
        row_problem(upload, line, field, RowProblem::Field(e.invalid))
    })
}

fn sort_by_line(problems: &mut [ChangeProblem]) {
    problems.sort_by_key(|p| match p {
        ChangeProblem::Row { error, .. } => error.line,
        _ => 0,
    });
}

/// Reads the new-units upload. Every bad line is reported; nothing is returned unless all
/// are good.
pub fn parse_new_units(bytes: &[u8]) -> Result<Vec<NewUnitRow>, Vec<ChangeProblem>> {
    let upload = Upload::NewUnits;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // A change set may only merge units into ones that carry on: no new unit at all.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let sheet = read_sheet(bytes, upload)?;
    let (Some(code), Some(name), Some(level)) = (
        sheet.column(&["code"]),
        sheet.column(&["name"]),
        sheet.column(&["level", "kind"]),
    ) else {
        let missing = if sheet.column(&["code"]).is_none() {
            "code"
        } else if sheet.column(&["name"]).is_none() {
            "name"
        } else {
            "level"
        };
        return Err(vec![row_problem(
            upload,
            1,
            missing,
            RowProblem::MissingColumn,
        )]);
    };
    let parent = sheet.column(&["parent_code"]);
    let mut rows = Vec::new();
    let mut errors = sheet.errors.clone();
    for (line, record) in &sheet.records {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::to_string);
        let input = UnitInput {
            code: get(Some(code)).unwrap_or_default(),
            name: get(Some(name)).unwrap_or_default(),
            kind: get(Some(level)).unwrap_or_default(),
            parent_code: get(parent),
            // The change set dates the units: valid from its effective date.
            ..Default::default()
        };
        match validate_unit(&input) {
            Ok(fields) => rows.push(NewUnitRow {
                line: *line,
                code: fields.code,
                name: fields.name,
                kind: fields.kind,
                parent_code: fields.parent_code,
            }),
            Err(field_errors) => errors.extend(field_problems(upload, *line, field_errors)),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        sort_by_line(&mut errors);
        Err(errors)
    }
}

/// Reads a weight: a decimal with `.` or `,` (a share is below 1, so there are no
/// thousands to confuse with the decimal comma).
fn parse_weight(s: &str) -> Option<f64> {
    s.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|w| w.is_finite())
}

/// Reads the lineage upload. Every bad line is reported; nothing is returned unless all
/// are good.
pub fn parse_lineage(bytes: &[u8]) -> Result<Vec<LineageRow>, Vec<ChangeProblem>> {
    let upload = Upload::Lineage;
    let sheet = read_sheet(bytes, upload)?;
    let (Some(old), Some(new)) = (sheet.column(&["old_code"]), sheet.column(&["new_code"])) else {
        let missing = if sheet.column(&["old_code"]).is_none() {
            "old_code"
        } else {
            "new_code"
        };
        return Err(vec![row_problem(
            upload,
            1,
            missing,
            RowProblem::MissingColumn,
        )]);
    };
    let old_name = sheet.column(&["old_name"]);
    let new_name = sheet.column(&["new_name"]);
    let weight = sheet.column(&["weight"]);
    let mut rows = Vec::new();
    let mut errors = sheet.errors.clone();
    for (line, record) in &sheet.records {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default();
        let text = |i: Option<usize>| Some(nfc(get(i))).filter(|s| !s.is_empty());
        let mut field_errors = Vec::new();
        let old_code = check_code("old_code", get(Some(old)), &mut field_errors);
        let new_code = match get(Some(new)) {
            "" => None,
            code => Some(check_code("new_code", code, &mut field_errors)),
        };
        let weight = match get(weight) {
            "" => None,
            w => {
                let parsed = parse_weight(w);
                if parsed.is_none() {
                    field_errors.push(FieldError::new("weight", Invalid::BadNumber));
                }
                parsed
            }
        };
        if field_errors.is_empty() {
            rows.push(LineageRow {
                line: *line,
                old_code,
                old_name: text(old_name),
                new_code,
                new_name: text(new_name),
                weight,
            });
        } else {
            errors.extend(field_problems(upload, *line, field_errors));
        }
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(vec![row_problem(upload, 2, "-", RowProblem::NoRows)]);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        sort_by_line(&mut errors);
        Err(errors)
    }
}
