//! Importing units from CSV: all or nothing, every bad row reported with its line.
//!
//! Columns: `code,name,level,parent_code` (required; `kind` is accepted for `level`),
//! and optionally `short_name,valid_from,valid_to,successors` (successor codes separated
//! by `;` or spaces). UTF-8 with or without a byte-order mark. A row whose code matches
//! an existing unit with an overlapping validity period updates that unit, so the same
//! file can be imported twice.

use std::collections::HashMap;

use serde::Serialize;
use time::Date;

use crate::Lang;
use crate::unit::{UnitFields, UnitInput, periods_overlap, validate_unit};
use crate::validation::Invalid;

/// The most rows one import takes; larger files are refused rather than half-read.
pub const MAX_ROWS: usize = 50_000;

/// One refused line of the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    pub line: usize,
    pub field: String,
    #[serde(flatten)]
    pub reason: RowProblem,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RowProblem {
    Field(Invalid),
    NotCsv { detail: String },
    MissingColumn,
    NoRows,
    TooManyRows,
    UnknownSuccessor,
}

impl RowError {
    fn new(line: usize, field: &str, reason: RowProblem) -> Self {
        RowError {
            line,
            field: field.to_string(),
            reason,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let reason = match &self.reason {
            RowProblem::Field(invalid) => invalid.message(lang),
            RowProblem::NotCsv { detail } => lang.pick(
                format!("Không đọc được tệp CSV (UTF-8): {detail}"),
                format!("Cannot read the file as UTF-8 CSV: {detail}"),
            ),
            RowProblem::MissingColumn => lang
                .pick("Thiếu cột bắt buộc.", "A required column is missing.")
                .into(),
            RowProblem::NoRows => lang
                .pick(
                    "Tệp không có dòng dữ liệu nào.",
                    "The file has no data rows.",
                )
                .into(),
            RowProblem::TooManyRows => lang.pick(
                format!("Tệp có quá {MAX_ROWS} dòng."),
                format!("The file has more than {MAX_ROWS} rows."),
            ),
            RowProblem::UnknownSuccessor => lang
                .pick(
                    "Không tìm thấy đơn vị kế thừa.",
                    "The successor unit does not exist.",
                )
                .into(),
        };
        lang.pick(
            format!("Dòng {}, cột {}: {reason}", self.line, self.field),
            format!("Line {}, column {}: {reason}", self.line, self.field),
        )
    }
}

/// A unit already in the database, as far as an import needs to know it.
#[derive(Debug, Clone)]
pub struct ExistingUnit {
    pub id: i64,
    pub code: String,
    pub parent_id: Option<i64>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

/// Where a planned row's parent (or successor) is: another row of the file, or a unit
/// already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitRef {
    Row(usize),
    Stored(i64),
}

/// One row, checked and resolved, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRow {
    pub line: usize,
    pub fields: UnitFields,
    /// The stored unit this row updates, if any.
    pub updates: Option<i64>,
    pub parent: Option<UnitRef>,
    pub successors: Vec<UnitRef>,
}

/// Reads and checks a whole file against the stored units. Rows come back with parents
/// before children, so they can be written in order.
pub fn prepare_import(
    bytes: &[u8],
    existing: &[ExistingUnit],
) -> Result<Vec<PlannedRow>, Vec<RowError>> {
    let parsed = parse(bytes)?;
    // Rows that parsed are still checked against each other, so one upload reports
    // every problem; codes of refused rows count as known, to avoid follow-on errors.
    let planned = plan(parsed.rows, existing, &parsed.refused_codes);
    match (planned, parsed.errors.is_empty()) {
        (Ok(rows), true) => Ok(rows),
        (Ok(_), false) => Err(parsed.errors),
        (Err(mut more), _) => {
            let mut errors = parsed.errors;
            errors.append(&mut more);
            errors.sort_by_key(|e| e.line);
            Err(errors)
        }
    }
}

struct Parsed {
    rows: Vec<ParsedRow>,
    errors: Vec<RowError>,
    refused_codes: Vec<String>,
}

struct ParsedRow {
    line: usize,
    fields: UnitFields,
    successors: Vec<String>,
}

fn parse(bytes: &[u8]) -> Result<Parsed, Vec<RowError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            vec![RowError::new(
                1,
                "-",
                RowProblem::NotCsv {
                    detail: e.to_string(),
                },
            )]
        })?
        .clone();
    let column = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let (Some(code), Some(name), Some(level), parent) = (
        column(&["code"]),
        column(&["name"]),
        column(&["level", "kind"]),
        column(&["parent_code"]),
    ) else {
        let missing = ["code", "name", "level"]
            .into_iter()
            .find(|c| column(&[c, if *c == "level" { "kind" } else { c }]).is_none())
            .unwrap_or("code");
        return Err(vec![RowError::new(1, missing, RowProblem::MissingColumn)]);
    };
    let short_name = column(&["short_name"]);
    let valid_from = column(&["valid_from"]);
    let valid_to = column(&["valid_to"]);
    let successors = column(&["successors"]);

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut refused_codes = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(RowError::new(
                    line,
                    "-",
                    RowProblem::NotCsv {
                        detail: e.to_string(),
                    },
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if rows.len() + errors.len() >= MAX_ROWS {
            return Err(vec![RowError::new(line, "-", RowProblem::TooManyRows)]);
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        // A cell our own export made formula-safe reads back as it was.
        let get = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(|c| crate::text::formula_restored(c).to_string())
        };
        let input = UnitInput {
            code: get(Some(code)).unwrap_or_default(),
            name: get(Some(name)).unwrap_or_default(),
            short_name: get(short_name),
            kind: get(Some(level)).unwrap_or_default(),
            parent_code: get(parent),
            valid_from: get(valid_from),
            valid_to: get(valid_to),
        };
        match validate_unit(&input) {
            Ok(fields) => rows.push(ParsedRow {
                line,
                fields,
                successors: get(successors)
                    .unwrap_or_default()
                    .split([';', ' ', ','])
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            }),
            Err(field_errors) => {
                refused_codes.push(input.code.trim().to_string());
                errors.extend(field_errors.into_iter().map(|e| {
                    let field = if e.field == "kind" {
                        "level".to_string()
                    } else {
                        e.field
                    };
                    RowError {
                        line,
                        field,
                        reason: RowProblem::Field(e.invalid),
                    }
                }))
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(vec![RowError::new(2, "-", RowProblem::NoRows)]);
    }
    Ok(Parsed {
        rows,
        errors,
        refused_codes,
    })
}

fn plan(
    rows: Vec<ParsedRow>,
    existing: &[ExistingUnit],
    refused_codes: &[String],
) -> Result<Vec<PlannedRow>, Vec<RowError>> {
    let mut errors = Vec::new();
    let period = |f: &UnitFields| (f.valid_from, f.valid_to);

    // Codes are unique among units valid at the same time, inside the file too.
    let mut by_code: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let same = by_code.entry(row.fields.code.as_str()).or_default();
        if same
            .iter()
            .any(|&j| periods_overlap(period(&rows[j].fields), period(&row.fields)))
        {
            errors.push(RowError::new(
                row.line,
                "code",
                RowProblem::Field(Invalid::DuplicateCode),
            ));
        }
        same.push(i);
    }
    let stored_match = |code: &str, p: (Option<Date>, Option<Date>)| -> Vec<&ExistingUnit> {
        existing
            .iter()
            .filter(|u| u.code == code && periods_overlap((u.valid_from, u.valid_to), p))
            .collect()
    };
    // Resolves a code seen from a row: a row of the file first, then a stored unit.
    let resolve = |code: &str, p: (Option<Date>, Option<Date>)| -> Option<UnitRef> {
        if let Some(rows_with_code) = by_code.get(code) {
            let overlapping = rows_with_code
                .iter()
                .find(|&&j| periods_overlap(period(&rows[j].fields), p))
                .or(rows_with_code.first());
            return overlapping.map(|&j| UnitRef::Row(j));
        }
        let mut found = stored_match(code, p);
        found.sort_by_key(|u| u.valid_to.is_some());
        found.first().map(|u| UnitRef::Stored(u.id))
    };

    let mut planned = Vec::with_capacity(rows.len());
    for row in &rows {
        let p = period(&row.fields);
        let matches = stored_match(&row.fields.code, p);
        let updates = match matches.as_slice() {
            [] => None,
            [one] => Some(one.id),
            _ => {
                errors.push(RowError::new(
                    row.line,
                    "code",
                    RowProblem::Field(Invalid::DuplicateCode),
                ));
                None
            }
        };
        let parent = match row.fields.parent_code.as_deref() {
            None => None,
            Some(code) => {
                let found = resolve(code, p);
                if found.is_none() && !refused_codes.iter().any(|c| c == code) {
                    errors.push(RowError::new(
                        row.line,
                        "parent_code",
                        RowProblem::Field(Invalid::UnknownParent),
                    ));
                }
                found
            }
        };
        let mut successors = Vec::new();
        for code in &row.successors {
            match resolve(code, (None, None)) {
                Some(s) => successors.push(s),
                None => errors.push(RowError::new(
                    row.line,
                    "successors",
                    RowProblem::UnknownSuccessor,
                )),
            }
        }
        planned.push(PlannedRow {
            line: row.line,
            fields: row.fields.clone(),
            updates,
            parent,
            successors,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Cycles: follow parents through the file and the stored tree; a stored unit that a
    // row updates takes the row's new parent.
    let updated_by: HashMap<i64, usize> = planned
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.updates.map(|id| (id, i)))
        .collect();
    let stored_parent: HashMap<i64, Option<i64>> =
        existing.iter().map(|u| (u.id, u.parent_id)).collect();
    let canonical = |r: UnitRef| match r {
        UnitRef::Stored(id) => updated_by.get(&id).map_or(r, |&i| UnitRef::Row(i)),
        row => row,
    };
    let parent_of = |r: UnitRef| -> Option<UnitRef> {
        match r {
            UnitRef::Row(i) => planned[i].parent.map(canonical),
            UnitRef::Stored(id) => stored_parent
                .get(&id)
                .copied()
                .flatten()
                .map(|p| canonical(UnitRef::Stored(p))),
        }
    };
    let limit = planned.len() + existing.len() + 1;
    let mut depth = vec![0usize; planned.len()];
    for i in 0..planned.len() {
        let mut at = parent_of(UnitRef::Row(i));
        let mut steps = 0;
        while let Some(node) = at {
            if node == UnitRef::Row(i) || steps > limit {
                errors.push(RowError::new(
                    planned[i].line,
                    "parent_code",
                    RowProblem::Field(Invalid::Cycle),
                ));
                break;
            }
            if let UnitRef::Row(_) = node {
                depth[i] += 1;
            }
            steps += 1;
            at = parent_of(node);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Parents first. Row references are indexes into the original order, so sort a
    // permutation and keep the references pointing at lines instead of positions.
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_by_key(|&i| depth[i]);
    let position: HashMap<usize, usize> =
        order.iter().enumerate().map(|(pos, &i)| (i, pos)).collect();
    let remap = |r: UnitRef| match r {
        UnitRef::Row(i) => UnitRef::Row(position[&i]),
        stored => stored,
    };
    Ok(order
        .into_iter()
        .map(|i| {
            let mut row = planned[i].clone();
            row.parent = row.parent.map(remap);
            row.successors = row.successors.into_iter().map(remap).collect();
            row
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::UnitKind;

    fn stored(id: i64, code: &str, parent: Option<i64>) -> ExistingUnit {
        ExistingUnit {
            id,
            code: code.into(),
            parent_id: parent,
            valid_from: None,
            valid_to: None,
        }
    }

    #[test]
    fn a_good_file_comes_back_parents_first() {
        let csv = "\u{FEFF}code,name,level,parent_code\n\
                   21550,Phường Nhơn Bình,commune,540\n\
                   540,Thành phố Quy Nhơn,district,52\n\
                   52,Tỉnh Bình Định,province,\n";
        let rows = prepare_import(csv.as_bytes(), &[]).unwrap();
        let codes: Vec<_> = rows.iter().map(|r| r.fields.code.as_str()).collect();
        assert_eq!(codes, ["52", "540", "21550"]);
        assert_eq!(rows[1].parent, Some(UnitRef::Row(0)));
        assert_eq!(rows[2].parent, Some(UnitRef::Row(1)));
        assert_eq!(rows[2].fields.kind, UnitKind::Commune);
        assert_eq!(rows[2].line, 2);
    }

    #[test]
    fn rows_may_hang_under_stored_units_and_update_them() {
        let existing = [stored(7, "52", None), stored(8, "540", Some(7))];
        let csv = "code,name,level,parent_code\n540,TP Quy Nhơn,district,52\n21553,Phường Nhơn Phú,commune,540\n";
        let rows = prepare_import(csv.as_bytes(), &existing).unwrap();
        assert_eq!(rows[0].updates, Some(8));
        assert_eq!(rows[0].parent, Some(UnitRef::Stored(7)));
        assert_eq!(rows[1].parent, Some(UnitRef::Row(0)));
        assert_eq!(rows[1].updates, None);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_reason() {
        let csv = "code,name,level,parent_code\n\
                   52,Tỉnh Bình Định,province,\n\
                   540,,district,52\n\
                   541,Huyện X,huyen,52\n\
                   542,Huyện An Lão,district,99\n\
                   52,Trùng mã,province,\n";
        let errors = prepare_import(csv.as_bytes(), &[]).unwrap_err();
        let got: Vec<_> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(
            got,
            [(3, "name"), (4, "level"), (5, "parent_code"), (6, "code")]
        );
        assert!(
            errors[0]
                .message(Lang::Vi)
                .starts_with("Dòng 3, cột name: Bắt buộc")
        );
        assert!(
            errors[2]
                .message(Lang::En)
                .contains("parent unit does not exist")
        );
    }

    #[test]
    fn cycles_are_refused_inside_the_file_and_through_stored_units() {
        let csv = "code,name,level,parent_code\nA,A,district,B\nB,B,district,A\n";
        let errors = prepare_import(csv.as_bytes(), &[]).unwrap_err();
        assert!(
            errors
                .iter()
                .all(|e| e.reason == RowProblem::Field(Invalid::Cycle))
        );
        assert_eq!(errors.len(), 2);
        // Moving a stored province under its own child.
        let existing = [stored(1, "52", None), stored(2, "540", Some(1))];
        let csv = "code,name,level,parent_code\n52,Tỉnh,province,540\n";
        let errors = prepare_import(csv.as_bytes(), &existing).unwrap_err();
        assert_eq!(errors[0].reason, RowProblem::Field(Invalid::Cycle));
    }

    #[test]
    fn garbage_is_refused_clearly() {
        assert_eq!(
            prepare_import(b"a,b\n1,2\n", &[]).unwrap_err()[0].reason,
            RowProblem::MissingColumn
        );
        assert_eq!(
            prepare_import(b"code,name,level,parent_code\n", &[]).unwrap_err()[0].reason,
            RowProblem::NoRows
        );
        let not_utf8 = b"code,name,level,parent_code\n52,T\xffnh,province,\n";
        assert!(matches!(
            prepare_import(not_utf8, &[]).unwrap_err()[0].reason,
            RowProblem::NotCsv { .. }
        ));
        let ragged = "code,name,level,parent_code\n52,Tỉnh,province\n";
        assert!(matches!(
            prepare_import(ragged.as_bytes(), &[]).unwrap_err()[0].reason,
            RowProblem::NotCsv { .. }
        ));
    }

    #[test]
    fn departments_with_validity_and_successors() {
        let csv = "code,name,short_name,kind,parent_code,valid_from,valid_to,successors\n\
                   52,Tỉnh Bình Định,,province,,,,\n\
                   52-STTTT,Sở Thông tin và Truyền thông,Sở TT&TT,department,52,,2025-02-28,52-SKHCN2\n\
                   52-SKHCN2,Sở Khoa học và Công nghệ,Sở KH&CN,department,52,2025-03-01,,\n";
        let rows = prepare_import(csv.as_bytes(), &[]).unwrap();
        let stttt = rows.iter().find(|r| r.fields.code == "52-STTTT").unwrap();
        let UnitRef::Row(successor) = stttt.successors[0] else {
            panic!("successor not in file")
        };
        assert_eq!(rows[successor].fields.code, "52-SKHCN2");
        assert_eq!(stttt.fields.short_name.as_deref(), Some("Sở TT&TT"));
    }

    #[test]
    fn the_real_province_file_imports() {
        let units = include_str!("../../../data/binh-dinh-units.csv");
        let rows = prepare_import(units.as_bytes(), &[]).unwrap();
        assert_eq!(rows.len(), 171);
        assert_eq!(rows[0].fields.code, "52");
    }
}
