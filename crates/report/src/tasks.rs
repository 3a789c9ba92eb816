//! The task list as a spreadsheet, in the layout provinces publish their plan appendix:
//! the columns the plan importer reads come first, follow-up columns after them.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// The appendix columns, in order (the importer matches them by these headers).
pub const APPENDIX_HEADERS: [&str; 13] = [
    "STT",
    "Mã nhiệm vụ",
    "Nhiệm vụ",
    "Nhóm nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Sản phẩm đầu ra",
    "Thời gian bắt đầu",
    "Thời hạn hoàn thành",
    "Kinh phí (triệu đồng)",
    "Nguồn kinh phí",
    "Hình thức (thuê/mua/tự thực hiện)",
    "Ghi chú",
];

/// Follow-up columns after the appendix.
pub const FOLLOW_UP_HEADERS: [&str; 6] = [
    "Trạng thái",
    "Tiến độ (%)",
    "Kết quả theo dõi",
    "Đã giải ngân (triệu đồng)",
    "Nhiệm vụ trọng tâm",
    "Văn bản giao nhiệm vụ",
];

/// One task, ready to write.
pub struct TaskExportRow {
    pub code: String,
    pub title: String,
    pub group: String,
    /// The lead's name (with who carries on an ended unit's work, in brackets).
    pub lead_unit: String,
    /// Coordinating units and outside partners, already joined for a cell.
    pub coordinating: String,
    pub deliverable: String,
    /// `dd/mm/yyyy`.
    pub start: String,
    pub due: String,
    /// Đồng.
    pub budget: i64,
    pub funding: String,
    /// `Thuê`, `Mua`, `Tự thực hiện` or empty.
    pub mode: String,
    /// The task's description: the appendix's “Ghi chú”, which the importer reads back
    /// as the description.
    pub note: String,
    pub status: String,
    pub progress: i64,
    pub outcome: String,
    pub disbursed: i64,
    pub key_task: bool,
    /// The source document as read (`Kế hoạch số 25/KH-UBND, 15/01/2026 — Mục 2`).
    pub source: String,
}

fn millions(vnd: i64) -> f64 {
    vnd as f64 / 1_000_000.0
}

/// UTF-8 CSV with a byte-order mark, so Excel shows Vietnamese correctly.
pub fn tasks_csv(rows: &[TaskExportRow]) -> Result<Vec<u8>, csv::Error> {
    let header: Vec<String> = APPENDIX_HEADERS
        .iter()
        .chain(FOLLOW_UP_HEADERS.iter())
        .map(|h| h.to_string())
        .collect();
    let money = |vnd: i64| {
        if vnd > 0 {
            format_millions(vnd)
        } else {
            String::new()
        }
    };
    let body = rows.iter().enumerate().map(|(i, r)| {
        vec![
            (i + 1).to_string(),
            r.code.clone(),
            r.title.clone(),
            r.group.clone(),
            r.lead_unit.clone(),
            r.coordinating.clone(),
            r.deliverable.clone(),
            r.start.clone(),
            r.due.clone(),
            money(r.budget),
            r.funding.clone(),
            r.mode.clone(),
            r.note.clone(),
            r.status.clone(),
            r.progress.to_string(),
            r.outcome.clone(),
            money(r.disbursed),
            if r.key_task {
                "x".into()
            } else {
                String::new()
            },
            r.source.clone(),
        ]
    });
    crate::csv_out::write(true, std::iter::once(header).chain(body))
}

/// Millions of đồng written plainly (`1250.5`), which spreadsheets read as numbers.
fn format_millions(vnd: i64) -> String {
    let m = millions(vnd);
    if m.fract() == 0.0 {
        format!("{m:.0}")
    } else {
        format!("{m}")
    }
}

/// A workbook with a title row, the header row and one row per task.
pub fn tasks_xlsx(title: &str, rows: &[TaskExportRow]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    write_tasks_sheet(workbook.add_worksheet(), title, rows)?;
    workbook.save_to_buffer()
}

/// The task sheet: a title row, the header row with filters, one row per task.
pub fn write_tasks_sheet(
    sheet: &mut Worksheet,
    title: &str,
    rows: &[TaskExportRow],
) -> Result<(), XlsxError> {
    sheet.set_name("Nhiệm vụ")?;
    let font = "Times New Roman";
    let title_format = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_font_name(font);
    let header = crate::header_format().set_font_name(font);
    let cell = Format::new()
        .set_font_name(font)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let number = cell.clone().set_num_format("#,##0.0##");
    sheet.write_with_format(0, 0, title, &title_format)?;
    let headers: Vec<&str> = APPENDIX_HEADERS
        .iter()
        .chain(FOLLOW_UP_HEADERS.iter())
        .copied()
        .collect();
    for (col, h) in headers.iter().enumerate() {
        sheet.write_with_format(2, col as u16, *h, &header)?;
    }
    let widths = [
        5.0, 9.0, 45.0, 20.0, 24.0, 28.0, 30.0, 12.0, 12.0, 12.0, 18.0, 14.0, 16.0, 16.0, 9.0,
        22.0, 14.0, 10.0, 30.0,
    ];
    for (col, w) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *w)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_with_format(row, 0, (i + 1) as f64, &cell)?;
        let texts = [
            &r.code,
            &r.title,
            &r.group,
            &r.lead_unit,
            &r.coordinating,
            &r.deliverable,
            &r.start,
            &r.due,
        ];
        for (col, text) in texts.iter().enumerate() {
            sheet.write_with_format(row, 1 + col as u16, text.as_str(), &cell)?;
        }
        if r.budget > 0 {
            sheet.write_with_format(row, 9, millions(r.budget), &number)?;
        } else {
            sheet.write_with_format(row, 9, "", &cell)?;
        }
        sheet.write_with_format(row, 10, r.funding.as_str(), &cell)?;
        sheet.write_with_format(row, 11, r.mode.as_str(), &cell)?;
        sheet.write_with_format(row, 12, r.note.as_str(), &cell)?;
        sheet.write_with_format(row, 13, r.status.as_str(), &cell)?;
        sheet.write_with_format(row, 14, r.progress as f64, &cell)?;
        sheet.write_with_format(row, 15, r.outcome.as_str(), &cell)?;
        if r.disbursed > 0 {
            sheet.write_with_format(row, 16, millions(r.disbursed), &number)?;
        } else {
            sheet.write_with_format(row, 16, "", &cell)?;
        }
        sheet.write_with_format(row, 17, if r.key_task { "x" } else { "" }, &cell)?;
        sheet.write_with_format(row, 18, r.source.as_str(), &cell)?;
    }
    sheet.set_freeze_panes(3, 3)?;
    sheet.autofilter(2, 0, 2 + rows.len() as u32, headers.len() as u16 - 1)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    fn row() -> TaskExportRow {
        TaskExportRow {
            code: "6.3".into(),
            title: "Xây dựng kho dữ liệu dùng chung của tỉnh".into(),
            group: "Dữ liệu số".into(),
            lead_unit: "Sở Khoa học và Công nghệ".into(),
            coordinating: "Văn phòng Ủy ban nhân dân tỉnh; VNPT Bình Định".into(),
            deliverable: "Kho dữ liệu dùng chung".into(),
            start: "15/01/2026".into(),
            due: "30/09/2026".into(),
            budget: 1_250_500_000,
            funding: "Ngân sách tỉnh".into(),
            mode: "Thuê".into(),
            note: String::new(),
            status: "Đang thực hiện".into(),
            progress: 40,
            outcome: "Chưa hoàn thành, trong hạn".into(),
            disbursed: 300_000_000,
            key_task: true,
            source: "Kế hoạch số 25/KH-UBND".into(),
        }
    }

    #[test]
    fn the_workbook_opens_back_with_the_same_cells() {
        let bytes = tasks_xlsx("Kế hoạch chuyển đổi số năm 2026", &[row()]).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Nhiệm vụ").unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("Kế hoạch chuyển đổi số năm 2026".into()))
        );
        assert_eq!(
            range.get_value((2, 9)),
            Some(&Data::String("Kinh phí (triệu đồng)".into()))
        );
        assert_eq!(range.get_value((3, 1)), Some(&Data::String("6.3".into())));
        assert_eq!(range.get_value((3, 9)), Some(&Data::Float(1250.5)));
        assert_eq!(range.get_value((3, 17)), Some(&Data::String("x".into())));
        assert_eq!(
            range.get_value((3, 18)),
            Some(&Data::String("Kế hoạch số 25/KH-UBND".into()))
        );
        assert_eq!(
            range.get_value((3, 5)),
            Some(&Data::String(
                "Văn phòng Ủy ban nhân dân tỉnh; VNPT Bình Định".into()
            ))
        );
    }

    #[test]
    fn csv_has_the_appendix_columns_first() {
        let text = String::from_utf8(tasks_csv(&[row()]).unwrap()).unwrap();
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("\u{feff}STT,Mã nhiệm vụ,Nhiệm vụ,Nhóm nhiệm vụ,Đơn vị chủ trì")
        );
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("1,6.3,Xây dựng kho dữ liệu dùng chung của tỉnh,Dữ liệu số")
        );
        assert!(text.contains(",1250.5,Ngân sách tỉnh,Thuê,"));
    }
}
