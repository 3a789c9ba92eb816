//! A sheet's cells as a reader gives them, and the columns a header can name.

use serde::Serialize;
use time::{Date, Duration, Month};

use crate::text::nfc;

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
    pub(super) fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            Cell::Number(_) => false,
            Cell::Date(serial) => serial_to_date(*serial).is_none(),
        }
    }
}

pub(super) fn serial_to_date(serial: f64) -> Option<Date> {
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
    pub(super) fn recognise(folded: &str) -> Option<Column> {
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
