//! A unit's reporting form as a workbook to fill in offline, and its labels for reading
//! it back.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

pub const UNIT_LABEL: &str = "Mã đơn vị:";
pub const PERIOD_LABEL: &str = "Kỳ báo cáo:";
pub const HEADERS: [&str; 7] = [
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Giá trị",
    "Tử số",
    "Mẫu số",
    "Chỉ tiêu giao năm",
];
/// The first data row (0-based); rows above hold the form's identity and headers.
pub const FIRST_ROW: u32 = 6;

pub struct FormMeta<'a> {
    pub unit_code: &'a str,
    pub unit_name: &'a str,
    pub form_name: &'a str,
    pub period: &'a str,
    pub period_label: &'a str,
}

pub struct FormRow {
    pub code: String,
    pub name: String,
    pub unit_of_measure: String,
    /// Ratios are entered as numerator and denominator; the value cell stays empty.
    pub is_ratio: bool,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub target: Option<f64>,
}

/// The prefilled form: identity cells (checked on upload), headers, one row per indicator.
pub fn form_xlsx(meta: &FormMeta<'_>, rows: &[FormRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Biểu số liệu")?;
    let font = "Times New Roman";
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_font_name(font);
    let label = Format::new().set_bold().set_font_name(font);
    let header = Format::new()
        .set_bold()
        .set_font_name(font)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color("#D9E1F2");
    let cell = Format::new()
        .set_font_name(font)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let input = cell.clone().set_background_color("#FFF9DB").set_unlocked();
    let grey = cell.clone().set_background_color("#EEEEEE");
    sheet.write_with_format(
        0,
        0,
        format!("{} — {}", meta.form_name, meta.period_label),
        &title,
    )?;
    sheet.write_with_format(1, 0, UNIT_LABEL, &label)?;
    sheet.write(1, 1, meta.unit_code)?;
    sheet.write(1, 2, meta.unit_name)?;
    sheet.write_with_format(2, 0, PERIOD_LABEL, &label)?;
    sheet.write(2, 1, meta.period)?;
    sheet.write(3, 0, "Nhập số vào các ô màu vàng; số thập phân dùng dấu phẩy. Không sửa mã đơn vị, kỳ báo cáo và mã chỉ tiêu.")?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_with_format(FIRST_ROW - 1, c as u16, *h, &header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = FIRST_ROW + i as u32;
        sheet.write_with_format(row, 0, r.code.as_str(), &cell)?;
        sheet.write_with_format(row, 1, r.name.as_str(), &cell)?;
        sheet.write_with_format(row, 2, r.unit_of_measure.as_str(), &cell)?;
        let put = |sheet: &mut rust_xlsxwriter::Worksheet,
                   col: u16,
                   v: Option<f64>,
                   enabled: bool|
         -> Result<(), XlsxError> {
            let fmt = if enabled { &input } else { &grey };
            match v {
                Some(v) => sheet.write_with_format(row, col, v, fmt).map(|_| ()),
                None => sheet.write_with_format(row, col, "", fmt).map(|_| ()),
            }
        };
        put(
            sheet,
            3,
            if r.is_ratio { None } else { r.value },
            !r.is_ratio,
        )?;
        put(sheet, 4, r.numerator, r.is_ratio)?;
        put(sheet, 5, r.denominator, r.is_ratio)?;
        put(sheet, 6, r.target, false)?;
    }
    for (c, w) in [12.0, 60.0, 12.0, 14.0, 14.0, 14.0, 16.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *w)?;
    }
    book.save_to_buffer()
}
