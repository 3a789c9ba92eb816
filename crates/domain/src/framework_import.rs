//! Reading an index framework back from its annex workbook (the layout
//! `report::framework_xlsx` writes and provinces publish): STT, criterion, maximum points,
//! how points are determined, evidence, verifying unit, feeding indicator, and the rule
//! in machine-readable form. Columns are found by their headers, so a province's own
//! annex with the same headings reads too.

use crate::FieldError;
use crate::plan_import::Cell;
use crate::scoring::Rule;
use crate::text::{fold, parse_number_vi};
use crate::validation::Invalid;

/// One criterion as read from a row.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCriterion {
    pub code: String,
    pub parent: Option<String>,
    pub name: String,
    pub max_points: f64,
    pub rule: Option<Rule>,
    pub evidence: Option<String>,
    pub verifier: Option<String>,
    pub indicator: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Code,
    Name,
    Max,
    Evidence,
    Verifier,
    Indicator,
    Rule,
}

fn column_of(header: &str) -> Option<Col> {
    let h = fold(header);
    if h == "stt" || h == "ma" || h == "ma tieu chi" {
        Some(Col::Code)
    } else if h.starts_with("chi so") || h.starts_with("tieu chi") || h.starts_with("noi dung") {
        Some(Col::Name)
    } else if h.starts_with("diem toi da") || h == "diem" {
        Some(Col::Max)
    } else if h.starts_with("tai lieu kiem chung") {
        Some(Col::Evidence)
    } else if h.starts_with("don vi phoi hop") || h.starts_with("don vi xac minh") {
        Some(Col::Verifier)
    } else if h.starts_with("chi tieu dxplan") {
        Some(Col::Indicator)
    } else if h.starts_with("quy tac") {
        Some(Col::Rule)
    } else {
        None
    }
}

/// The parent of a hierarchical code: `1.2.3` → `1.2`; a top-level code has none.
pub fn parent_code(code: &str) -> Option<String> {
    code.rsplit_once('.').map(|(p, _)| p.to_string())
}

/// The framework's criteria from the first sheet's rows, or every row's problem (named
/// `row N.field`). A leaf row without a machine-readable rule is scored by hand.
pub fn read_framework(grid: &[Vec<Cell>]) -> Result<Vec<ImportedCriterion>, Vec<FieldError>> {
    let Some((header_row, columns)) = grid.iter().enumerate().find_map(|(i, row)| {
        let cols: Vec<Option<Col>> = row.iter().map(|c| column_of(&c.text())).collect();
        (cols.contains(&Some(Col::Code)) && cols.contains(&Some(Col::Max))).then_some((i, cols))
    }) else {
        return Err(vec![FieldError::new("file", Invalid::BadFormat)]);
    };
    let at = |row: &[Cell], col: Col| -> String {
        columns
            .iter()
            .position(|c| *c == Some(col))
            .and_then(|i| row.get(i))
            .map(Cell::text)
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in grid.iter().enumerate().skip(header_row + 1) {
        let line = i + 1;
        let code = at(row, Col::Code).trim_end_matches('.').to_string();
        if code.is_empty() {
            continue;
        }
        let name = at(row, Col::Name).trim().to_string();
        let max_points = match parse_number_vi(&at(row, Col::Max)) {
            Some(v) => v,
            None => {
                errors.push(FieldError::new(
                    format!("row {line}.max_points"),
                    Invalid::BadNumber,
                ));
                continue;
            }
        };
        let rule_text = at(row, Col::Rule);
        let rule = if rule_text.is_empty() {
            None
        } else {
            match serde_json::from_str::<Rule>(&rule_text) {
                Ok(rule) => Some(rule),
                Err(_) => {
                    errors.push(FieldError::new(
                        format!("row {line}.rule"),
                        Invalid::BadFormat,
                    ));
                    continue;
                }
            }
        };
        let text = |col| Some(at(row, col)).filter(|s| !s.is_empty());
        out.push(ImportedCriterion {
            parent: parent_code(&code),
            code,
            name,
            max_points,
            rule,
            evidence: text(Col::Evidence),
            verifier: text(Col::Verifier),
            indicator: text(Col::Indicator),
        });
    }
    // A leaf (nothing below it) without a rule is scored by hand.
    let parents: std::collections::HashSet<String> =
        out.iter().filter_map(|c| c.parent.clone()).collect();
    for c in &mut out {
        if c.rule.is_none() && !parents.contains(&c.code) {
            c.rule = Some(Rule::Manual);
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("file", Invalid::Required));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn reads_an_annex_by_its_headings_with_parents_from_codes() {
        let grid = vec![
            vec![t("Bộ chỉ số cấp sở")],
            vec![],
            vec![
                t("STT"),
                t("Chỉ số / chỉ số thành phần"),
                t("Điểm tối đa"),
                t("Cách xác định và tính điểm"),
                t("Tài liệu kiểm chứng"),
                t("Đơn vị phối hợp xác minh"),
            ],
            vec![t("1"), t("Nhận thức số"), Cell::Number(60.0)],
            vec![
                t("1.1"),
                t("Số cuộc họp"),
                t("20"),
                t("…"),
                t("Biên bản họp"),
                t("52-SNV2"),
            ],
            vec![t("1.2"), t("Ban hành kế hoạch"), t("40,5")],
        ];
        let read = read_framework(&grid).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!(read[1].parent.as_deref(), Some("1"));
        assert_eq!(read[1].verifier.as_deref(), Some("52-SNV2"));
        assert_eq!(
            read[1].rule,
            Some(Rule::Manual),
            "a leaf without a rule is manual"
        );
        assert_eq!(read[0].rule, None, "a group has no rule");
        assert_eq!(read[2].max_points, 40.5);
    }

    #[test]
    fn bad_rows_are_named() {
        let grid = vec![
            vec![t("STT"), t("Chỉ số"), t("Điểm tối đa"), t("Quy tắc (JSON)")],
            vec![t("1"), t("A"), t("mười")],
            vec![t("2"), t("B"), t("5"), t("{\"rule\":\"nope\"}")],
        ];
        let errors = read_framework(&grid).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["row 2.max_points", "row 3.rule"]);
        assert!(read_framework(&[vec![t("nothing here")]]).is_err());
    }
}
