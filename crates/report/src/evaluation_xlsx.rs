//! The Decree 335/2025/NĐ-CP figures of a period as a workbook: one sheet of units, one of
//! officers, the counts as numbers and the rates as percentages, ready to attach to the
//! evaluation of each agency and civil servant.

use dxplan_domain::evaluation::Figures;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

/// One line of the workbook: a unit, or an officer with their unit.
pub struct EvaluationRow<'a> {
    pub name: &'a str,
    /// The officer's unit (empty on the units' sheet).
    pub unit: &'a str,
    pub figures: &'a Figures,
}

const HEADERS: [&str; 10] = [
    "Sản phẩm đến hạn",
    "Hoàn thành đúng hạn",
    "Hoàn thành chậm",
    "Quá hạn chưa hoàn thành",
    "Bị trả lại về chất lượng",
    "Chậm được miễn trừ",
    "Số lượng (%)",
    "Chất lượng (%)",
    "Tiến độ (%)",
    "Số sản phẩm được đánh giá tiến độ",
];

pub fn evaluation_xlsx(
    title: &str,
    units: &[EvaluationRow<'_>],
    officers: &[EvaluationRow<'_>],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = crate::header_format();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let rate = cell.clone().set_num_format("0.0");
    let bold = Format::new().set_bold().set_font_size(14);
    for (sheet_name, first, rows, with_unit) in [
        ("Đơn vị", "Đơn vị", units, false),
        ("Cán bộ", "Cán bộ, công chức", officers, true),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name)?;
        sheet.write_with_format(0, 0, title, &bold)?;
        let mut col = 0u16;
        sheet.write_with_format(2, col, first, &header)?;
        if with_unit {
            col += 1;
            sheet.write_with_format(2, col, "Đơn vị", &header)?;
        }
        let offset = col + 1;
        for (k, h) in HEADERS.iter().enumerate() {
            sheet.write_with_format(2, offset + k as u16, *h, &header)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = 3 + i as u32;
            sheet.write_with_format(row, 0, r.name, &cell)?;
            if with_unit {
                sheet.write_with_format(row, 1, r.unit, &cell)?;
            }
            let f = r.figures;
            for (k, n) in [
                f.assigned,
                f.delivered_on_time,
                f.delivered_late,
                f.overdue,
                f.refused_on_quality,
                f.exempted,
            ]
            .into_iter()
            .enumerate()
            {
                sheet.write_with_format(row, offset + k as u16, n, &cell)?;
            }
            for (k, v) in [f.quantity(), f.quality(), f.progress()]
                .into_iter()
                .enumerate()
            {
                let c = offset + 6 + k as u16;
                match v {
                    Some(v) => sheet.write_with_format(row, c, v, &rate)?,
                    None => sheet.write_with_format(row, c, "", &cell)?,
                };
            }
            sheet.write_with_format(row, offset + 9, f.judged, &cell)?;
        }
        sheet.set_column_width(0, 36)?;
        if with_unit {
            sheet.set_column_width(1, 30)?;
        }
        sheet.set_column_range_width(offset, offset + HEADERS.len() as u16 - 1, 12)?;
        sheet.set_row_height(2, 64)?;
        // Printed as the leaders read it: one page wide, landscape, the header on each page.
        sheet.set_landscape();
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_repeat_rows(2, 2)?;
    }
    book.save_to_buffer()
}
