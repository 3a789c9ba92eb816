//! Why a workbook was not read, as the importers tell their users.

use dxplan_domain::Lang;
use dxplan_domain::cancel::Cancelled;
use dxplan_domain::text::format_int;

/// Which bound of [`super::SheetLimits`] a file went past, with that bound's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Rows(u32),
    Columns(u32),
    Cells(usize),
    /// Characters in one cell.
    CellText(usize),
    /// Bytes of text in all.
    Text(usize),
    SharedStrings(usize),
    Styles(usize),
    /// Decompressed bytes of one zip part.
    PartSize(u64),
    ZipEntries(usize),
    /// Depth of nested XML elements.
    Nesting(usize),
    /// Bytes of one XML event.
    Markup(usize),
}

/// Why a file could not be read as a workbook.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    /// Not an .xlsx file (or a damaged one, or one protected with a password); the text
    /// says what was wrong, for the log.
    #[error("not a readable .xlsx workbook: {0}")]
    NotAWorkbook(String),
    #[error("the workbook has no worksheet")]
    NoSheet,
    #[error("the workbook is past a limit: {0:?}")]
    TooLarge(Limit),
    /// The deadline passed or the request that wanted the sheet went away.
    #[error("reading the workbook was stopped (deadline passed or request gone)")]
    Cancelled,
}

impl From<Cancelled> for SheetError {
    fn from(_: Cancelled) -> Self {
        SheetError::Cancelled
    }
}

impl SheetError {
    /// A sentence for the user: what is wrong with the file and, for a limit, the limit
    /// with its number written the reader's way.
    pub fn message(&self, lang: Lang) -> String {
        let n = |value: u64| match lang {
            Lang::Vi => format_int(i64::try_from(value).unwrap_or(i64::MAX)),
            Lang::En => format_int(i64::try_from(value).unwrap_or(i64::MAX)).replace('.', ","),
        };
        let count = |value: usize| n(u64::try_from(value).unwrap_or(u64::MAX));
        let mb = |bytes: u64| {
            if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
                format!("{} MB", n(bytes >> 20))
            } else {
                format!("{} byte{}", n(bytes), lang.pick("", "s"))
            }
        };
        match self {
            SheetError::NotAWorkbook(_) => lang
                .pick(
                    "Không đọc được tệp: cần tệp Excel .xlsx không đặt mật khẩu.",
                    "Cannot read the file: an .xlsx workbook without a password is needed.",
                )
                .into(),
            SheetError::NoSheet => lang
                .pick(
                    "Tệp Excel không có trang tính nào để đọc.",
                    "The workbook has no worksheet to read.",
                )
                .into(),
            SheetError::Cancelled => lang
                .pick(
                    "Đọc tệp mất quá nhiều thời gian nên đã dừng; hãy chia tệp thành các tệp nhỏ hơn rồi tải lên lại.",
                    "Reading the file took too long and was stopped; split it into smaller files and upload them again.",
                )
                .into(),
            SheetError::TooLarge(limit) => match *limit {
                Limit::Rows(max) => match lang {
                    Lang::Vi => format!("Bảng tính có quá nhiều dòng: tối đa {} dòng.", n(max.into())),
                    Lang::En => format!("The sheet has too many rows: at most {}.", n(max.into())),
                },
                Limit::Columns(max) => match lang {
                    Lang::Vi => format!("Bảng tính có quá nhiều cột: tối đa {} cột.", n(max.into())),
                    Lang::En => format!("The sheet has too many columns: at most {}.", n(max.into())),
                },
                Limit::Cells(max) => match lang {
                    Lang::Vi => format!(
                        "Bảng tính có quá nhiều ô: tối đa {} ô (tính cả các ô trống đứng trước một ô có dữ liệu trong cùng dòng).",
                        count(max)
                    ),
                    Lang::En => format!(
                        "The sheet has too many cells: at most {} (counting the empty cells before a filled one in its row).",
                        count(max)
                    ),
                },
                Limit::CellText(max) => match lang {
                    Lang::Vi => format!("Có ô chứa quá nhiều chữ: tối đa {} ký tự một ô.", count(max)),
                    Lang::En => format!("A cell holds too much text: at most {} characters.", count(max)),
                },
                Limit::Text(max) => match lang {
                    Lang::Vi => format!("Tệp chứa quá nhiều chữ: tối đa {} văn bản.", mb(max as u64)),
                    Lang::En => format!("The file holds too much text: at most {}.", mb(max as u64)),
                },
                Limit::SharedStrings(max) => match lang {
                    Lang::Vi => format!(
                        "Tệp có quá nhiều chuỗi văn bản dùng chung: tối đa {}.",
                        count(max)
                    ),
                    Lang::En => format!("The workbook has too many shared strings: at most {}.", count(max)),
                },
                Limit::Styles(max) => match lang {
                    Lang::Vi => format!("Tệp có quá nhiều định dạng ô: tối đa {}.", count(max)),
                    Lang::En => format!("The workbook has too many cell formats: at most {}.", count(max)),
                },
                Limit::PartSize(max) => match lang {
                    Lang::Vi => format!(
                        "Tệp quá lớn khi giải nén: mỗi phần của tệp tối đa {}.",
                        mb(max)
                    ),
                    Lang::En => format!(
                        "The file is too large once decompressed: at most {} per part.",
                        mb(max)
                    ),
                },
                Limit::ZipEntries(max) => match lang {
                    Lang::Vi => format!("Tệp chứa quá nhiều thành phần: tối đa {}.", count(max)),
                    Lang::En => format!("The file holds too many parts: at most {}.", count(max)),
                },
                Limit::Nesting(max) => match lang {
                    Lang::Vi => format!(
                        "Cấu trúc XML trong tệp lồng nhau quá sâu: tối đa {} cấp.",
                        count(max)
                    ),
                    Lang::En => format!("The file's XML is nested too deeply: at most {} levels.", count(max)),
                },
                Limit::Markup(max) => match lang {
                    Lang::Vi => format!(
                        "Tệp có một đoạn XML quá dài: tối đa {} một đoạn.",
                        mb(max as u64)
                    ),
                    Lang::En => format!("The file holds an XML item that is too long: at most {}.", mb(max as u64)),
                },
            },
        }
    }
}
