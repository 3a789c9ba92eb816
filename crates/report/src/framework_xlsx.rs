//! An index framework as the annex provinces publish: STT, criterion, maximum points, how
//! points are determined, evidence, verifying unit, the indicator that feeds it.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// One criterion, ready to write; `depth` 0 is a pillar.
pub struct FrameworkRow {
    pub depth: usize,
    pub code: String,
    pub name: String,
    pub max_points: f64,
    pub scoring: String,
    pub evidence: String,
    pub verifier: String,
    pub indicator: String,
    /// The rule as JSON, so the workbook imports back exactly; empty on a group.
    pub rule_json: String,
}

const HEADERS: [&str; 8] = [
    "STT",
    "Chỉ số / chỉ số thành phần",
    "Điểm tối đa",
    "Cách xác định và tính điểm",
    "Tài liệu kiểm chứng",
    "Đơn vị phối hợp xác minh",
    "Chỉ tiêu dxplan",
    "Quy tắc (JSON)",
];

pub fn framework_xlsx(title: &str, rows: &[FrameworkRow]) -> Result<Vec<u8>, XlsxError> {
    let font = "Times New Roman";
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Bộ chỉ số")?;
    let cell = Format::new()
        .set_font_name(font)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let group = cell.clone().set_bold();
    let points = cell.clone().set_num_format("#,##0.##");
    let group_points = points.clone().set_bold();
    let header = crate::header_format().set_font_name(font);
    sheet.write_with_format(
        0,
        0,
        title,
        &Format::new()
            .set_bold()
            .set_font_size(14)
            .set_font_name(font),
    )?;
    for (col, h) in HEADERS.iter().enumerate() {
        sheet.write_with_format(2, col as u16, *h, &header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        let (text, number) = if r.depth == 0 {
            (&group, &group_points)
        } else {
            (&cell, &points)
        };
        sheet.write_with_format(row, 0, r.code.as_str(), text)?;
        // Sub-criteria indented under their criterion, as in the printed annex.
        let name = format!("{}{}", "   ".repeat(r.depth), r.name);
        sheet.write_with_format(row, 1, name, text)?;
        sheet.write_with_format(row, 2, r.max_points, number)?;
        for (col, value) in [
            &r.scoring,
            &r.evidence,
            &r.verifier,
            &r.indicator,
            &r.rule_json,
        ]
        .iter()
        .enumerate()
        {
            sheet.write_with_format(row, 3 + col as u16, value.as_str(), text)?;
        }
    }
    for (col, width) in [8.0, 48.0, 10.0, 40.0, 36.0, 22.0, 12.0, 30.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(3, 2)?;
    sheet.autofilter(2, 0, 2 + rows.len() as u32, HEADERS.len() as u16 - 1)?;
    book.save_to_buffer()
}
