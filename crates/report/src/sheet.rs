//! Reading the first sheet of a workbook into a grid of cells for the importers.

use calamine::{Data, Reader, Xlsx};
use dxplan_domain::plan_import::Cell;

/// Why a file could not be read as a workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    /// Not an .xlsx file (or a damaged one, or one protected with a password).
    NotAWorkbook(String),
    NoSheet,
    TooLarge,
}

/// The largest sheet read: beyond it a file is refused rather than half-read.
pub const MAX_CELLS: usize = 2_000_000;

pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, SheetError> {
    // Password-protected workbooks are OLE containers, not zip files: say so plainly.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(SheetError::NotAWorkbook(
            "encrypted or old .xls format".into(),
        ));
    }
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| SheetError::NotAWorkbook(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(SheetError::NoSheet)?
        .map_err(|e| SheetError::NotAWorkbook(e.to_string()))?;
    let (height, width) = range.get_size();
    if height.saturating_mul(width) > MAX_CELLS {
        return Err(SheetError::TooLarge);
    }
    // Cells are addressed from the sheet's first used cell; keep real row numbers.
    let (start_row, start_col) = range
        .start()
        .map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let mut grid: Vec<Vec<Cell>> = vec![Vec::new(); start_row];
    for row in range.rows() {
        let mut cells: Vec<Cell> = vec![Cell::Empty; start_col];
        cells.extend(row.iter().map(|d| match d {
            Data::Empty | Data::Error(_) => Cell::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
            Data::Float(f) => Cell::Number(*f),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Bool(b) => Cell::Text(if *b { "TRUE".into() } else { "FALSE".into() }),
            Data::DateTime(dt) => Cell::Date(dt.as_f64()),
        }));
        grid.push(cells);
    }
    Ok(grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_workbook_reads_back_and_garbage_is_refused() {
        let bytes = crate::tasks::tasks_xlsx("Kế hoạch", &[]).unwrap();
        let grid = read_first_sheet(&bytes).unwrap();
        assert_eq!(grid[0][0], Cell::Text("Kế hoạch".into()));
        assert_eq!(grid[2][2], Cell::Text("Nhiệm vụ".into()));
        assert!(matches!(
            read_first_sheet(b"not a workbook"),
            Err(SheetError::NotAWorkbook(_))
        ));
        assert!(matches!(
            read_first_sheet(b"PK\x03\x04broken zip"),
            Err(SheetError::NotAWorkbook(_))
        ));
        assert!(matches!(
            read_first_sheet(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]),
            Err(SheetError::NotAWorkbook(_))
        ));
    }
}
