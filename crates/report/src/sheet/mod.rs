//! Reading the first sheet of an uploaded workbook (.xlsx) into a grid of cells for the
//! importers, within limits a hostile file cannot get past.
//!
//! Every importer takes files from users, and one province's server has 1 GB of memory:
//! a 2 KB file must not be able to stop it. So the reader streams each zip part through
//! a counter that fails past a cap (the zip's declared sizes are not trusted), parses it
//! with quick-xml event by event, bounds the bytes any one XML event may buffer, caps the
//! nesting depth, refuses any DTD, and checks every limit in [`SheetLimits`] *before*
//! allocating for what the file claims: a declared count or dimension is never used to
//! reserve memory. A [`Cancel`] token is checked inside the loops, so a dropped request or
//! a passed deadline stops the parse.
//!
//! What the importers rely on is read as calamine read it: the first worksheet in
//! workbook order, shared and inline strings (rich-text runs joined, phonetic runs
//! skipped), `t="str"` formula results, booleans as `TRUE`/`FALSE`, errors as empty,
//! numbers, and numbers in a date format as [`Cell::Date`].

mod book;
mod cells;
mod error;
#[cfg(any(test, feature = "hostile-files"))]
pub mod hostile;
mod package;
#[cfg(test)]
mod tests;
mod xml;

use std::time::Duration;

use dxplan_domain::cancel::Cancel;
use dxplan_domain::plan_import::Cell;

pub use error::{Limit, SheetError};

/// How long an importer lets one workbook be read (and imported) before giving up: a
/// 5,000-row plan appendix reads in well under a second, so this only ever stops a
/// hostile file — and answers it within the 2 s any refusal must take at most.
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(1500);

/// The bounds a workbook is read within. Past any of them the file is refused with
/// [`SheetError::TooLarge`] naming the limit, never half-read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLimits {
    /// Rows: a filled cell below this row (1-based) is refused.
    pub max_rows: u32,
    /// Columns: a filled cell right of this column (1-based) is refused.
    pub max_columns: u32,
    /// Cells held in the grid, counting the empty cells left of a filled one in its row
    /// (a row's cells are stored up to its last filled one): this bounds the grid's memory.
    pub max_cells: usize,
    /// Characters in one cell; Excel's own limit is 32,767.
    pub max_cell_chars: usize,
    /// Bytes of text in all: the shared-string table, and separately the text placed in
    /// the grid (a shared string used by many cells counts once per cell).
    pub max_text_bytes: usize,
    /// Entries in the shared-string table.
    pub max_shared_strings: usize,
    /// Number formats and cell formats in the style sheet.
    pub max_styles: usize,
    /// Decompressed bytes of the worksheet part.
    pub max_sheet_bytes: u64,
    /// Decompressed bytes of every other part read (shared strings, styles, workbook,
    /// relationships).
    pub max_part_bytes: u64,
    /// Entries in the zip archive.
    pub max_zip_entries: usize,
    /// Depth of nested XML elements.
    pub max_depth: usize,
    /// Bytes one XML event (a tag, a run of text, a comment) may occupy: the parser
    /// buffers a whole event, so this bounds its buffer.
    pub max_markup_bytes: usize,
}

impl Default for SheetLimits {
    /// Room for the largest real uploads (a plan appendix of 5,000 rows by 20 columns is a
    /// tenth of the cell budget) while a hostile file costs at most a few tens of MB.
    fn default() -> Self {
        SheetLimits {
            max_rows: 20_000,
            max_columns: 100,
            max_cells: 500_000,
            max_cell_chars: 32_767,
            max_text_bytes: 16 << 20,
            max_shared_strings: 200_000,
            max_styles: 65_536,
            max_sheet_bytes: 64 << 20,
            max_part_bytes: 16 << 20,
            max_zip_entries: 2_000,
            max_depth: 64,
            max_markup_bytes: 1 << 20,
        }
    }
}

/// Reads the first worksheet of an .xlsx file. Row `i` of the grid is sheet row `i + 1`
/// and cell `j` of a row is column `j + 1`; a row's cells stop at its last filled cell,
/// and the grid stops at the last row with one.
pub fn read_first_sheet(
    bytes: &[u8],
    limits: &SheetLimits,
    cancel: &Cancel,
) -> Result<Vec<Vec<Cell>>, SheetError> {
    cancel.check()?;
    // Password-protected workbooks and old .xls files are OLE containers, not zip files:
    // say so plainly.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(SheetError::NotAWorkbook(
            "encrypted or old .xls format".into(),
        ));
    }
    let mut package = package::Package::open(bytes, limits, cancel)?;
    let book = book::Book::locate(&mut package)?;
    let strings = match &book.shared_strings {
        Some(path) => book::read_shared_strings(&mut package, path)?,
        None => book::SharedStrings::default(),
    };
    let styles = match &book.styles {
        Some(path) => book::read_styles(&mut package, path)?,
        None => book::Styles::default(),
    };
    cells::read_sheet(&mut package, &book, &strings, &styles)
}
