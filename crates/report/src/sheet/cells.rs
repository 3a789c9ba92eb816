//! The worksheet's cells into a sparse-safe grid: every filled cell is checked against
//! the row, column, cell and text limits before anything is allocated for it.

use dxplan_domain::plan_import::Cell;
use quick_xml::events::Event;

use super::book::{Book, SharedStrings, Styles, string_item};
use super::package::Package;
use super::xml::{Xml, attributes, unescape_excel};
use super::{Limit, SheetError, SheetLimits};

/// Days from 1899-12-30 (the day `Cell::Date` counts from) to 1904-01-01.
const DAYS_1900_TO_1904: f64 = 1462.0;

pub(super) fn read_sheet(
    package: &mut Package<'_>,
    book: &Book,
    strings: &SharedStrings,
    styles: &Styles,
) -> Result<Vec<Vec<Cell>>, SheetError> {
    let limits = package.limits;
    let Some(mut xml) = package.xml(&book.sheet, limits.max_sheet_bytes)? else {
        return Err(SheetError::NotAWorkbook(format!("no {}", book.sheet)));
    };
    // Everything before the cells (the declared dimension, column widths) is skipped:
    // declared sizes are never trusted.
    loop {
        match xml.next()? {
            Event::Start(e) if e.local_name().as_ref() == "sheetData" => break,
            // A sheet without cells.
            Event::Eof => return Ok(Vec::new()),
            _ => {}
        }
    }
    let data_depth = xml.depth();
    let mut grid = Grid::new(limits);
    // Where a cell without an `r` attribute stands, as Excel and calamine count it.
    let mut row: u32 = 0;
    let mut column: u32 = 0;
    while xml.depth() >= data_depth {
        let (position, style, kind) = match xml.next()? {
            Event::Start(e) if e.local_name().as_ref() == "row" => {
                let [r] = attributes(&e, ["r"])?;
                if let Some(r) = r {
                    row = parse_row(&r)?;
                }
                continue;
            }
            Event::End(e) if e.local_name().as_ref() == "row" => {
                row = row.saturating_add(1);
                column = 0;
                continue;
            }
            Event::Start(e) if e.local_name().as_ref() == "c" => {
                let [r, s, t] = attributes(&e, ["r", "s", "t"])?;
                let position = match r {
                    Some(r) => parse_reference(&r)?,
                    None => (row, column),
                };
                (
                    position,
                    s.map(|s| s.into_owned()),
                    t.map(|t| t.into_owned()),
                )
            }
            Event::Eof => return Err(xml.truncated()),
            _ => continue,
        };
        column = position.1.saturating_add(1);
        let cell = read_cell(
            &mut xml,
            style.as_deref(),
            kind.as_deref(),
            strings,
            styles,
            book,
        )?;
        grid.place(position, cell)?;
    }
    Ok(grid.rows)
}

/// The value of the cell just opened: its `<v>`, `<is>` and `<f>` children read by the
/// cell's type `t` and, for numbers, its format `s`.
fn read_cell(
    xml: &mut Xml<'_>,
    style: Option<&str>,
    kind: Option<&str>,
    strings: &SharedStrings,
    styles: &Styles,
    book: &Book,
) -> Result<Cell, SheetError> {
    let depth = xml.depth();
    let mut cell = Cell::Empty;
    while xml.depth() >= depth {
        let child = match xml.next()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "v" => Child::Value,
                "is" => Child::Inline,
                _ => Child::Other,
            },
            Event::Eof => return Err(xml.truncated()),
            _ => continue,
        };
        let inner = xml.depth();
        match child {
            // An inline string's value is its `<is>`; a `<v>` beside it repeats it.
            Child::Value if matches!(kind, Some("inlineStr" | "is")) => xml.skip_to_end(inner)?,
            Child::Value => {
                let v = xml.text(inner)?;
                cell = value(&v, style, kind, strings, styles, book, xml.limits)?;
            }
            Child::Inline => cell = Cell::Text(string_item(xml, inner)?),
            // Formulas (`<f>`) are not values; their results stand in `<v>`.
            Child::Other => xml.skip_to_end(inner)?,
        }
    }
    Ok(cell)
}

enum Child {
    Value,
    Inline,
    Other,
}

/// A `<v>` read as its cell's type says, as calamine read it.
fn value(
    v: &str,
    style: Option<&str>,
    kind: Option<&str>,
    strings: &SharedStrings,
    styles: &Styles,
    book: &Book,
    limits: &SheetLimits,
) -> Result<Cell, SheetError> {
    Ok(match kind {
        Some("s") => {
            if v.is_empty() {
                return Ok(Cell::Empty);
            }
            let text = v
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|i| strings.get(i))
                .ok_or_else(|| {
                    SheetError::NotAWorkbook(
                        "a cell names a shared string that does not exist".into(),
                    )
                })?;
            Cell::Text(text.to_string())
        }
        Some("b") => match v.trim() {
            "" => Cell::Empty,
            "0" => Cell::Text("FALSE".into()),
            "1" => Cell::Text("TRUE".into()),
            b if b.eq_ignore_ascii_case("false") => Cell::Text("FALSE".into()),
            b if b.eq_ignore_ascii_case("true") => Cell::Text("TRUE".into()),
            _ => {
                return Err(SheetError::NotAWorkbook(
                    "a boolean cell holds neither 0 nor 1".into(),
                ));
            }
        },
        // Errors (#N/A, #DIV/0!…) mean nothing to an importer.
        Some("e") => Cell::Empty,
        // An ISO 8601 date written as text; calamine passed it on as text too.
        Some("d") => Cell::Text(v.to_string()),
        // A formula's text result.
        Some("str") => {
            let text = unescape_excel(v).into_owned();
            if text.len() > limits.max_cell_chars && text.chars().count() > limits.max_cell_chars {
                return Err(SheetError::TooLarge(Limit::CellText(limits.max_cell_chars)));
            }
            Cell::Text(text)
        }
        Some("n") | None => {
            if v.is_empty() {
                return Ok(Cell::Empty);
            }
            match v.parse::<f64>() {
                Ok(n) if n.is_finite() => {
                    let is_date = style
                        .map(|s| s.trim().parse::<usize>().unwrap_or(0))
                        .is_some_and(|s| styles.is_date(s));
                    match (is_date, book.date1904) {
                        (true, false) => Cell::Date(n),
                        (true, true) => Cell::Date(n + DAYS_1900_TO_1904),
                        (false, _) => Cell::Number(n),
                    }
                }
                // Not a number after all: keep what the cell says.
                _ => Cell::Text(v.to_string()),
            }
        }
        Some(other) => {
            let other: String = other.chars().take(20).collect();
            return Err(SheetError::NotAWorkbook(format!(
                "unknown cell type {other:?}"
            )));
        }
    })
}

/// The grid under construction, with the budgets its limits leave.
struct Grid<'l> {
    rows: Vec<Vec<Cell>>,
    cells: usize,
    text: usize,
    limits: &'l SheetLimits,
}

impl<'l> Grid<'l> {
    fn new(limits: &'l SheetLimits) -> Self {
        Grid {
            rows: Vec::new(),
            cells: 0,
            text: 0,
            limits,
        }
    }

    /// Puts a cell at its (0-based) place. Empty cells take no room and may stand
    /// anywhere; a filled one is checked against every limit before its row grows.
    fn place(&mut self, (row, column): (u32, u32), cell: Cell) -> Result<(), SheetError> {
        if cell == Cell::Empty {
            return Ok(());
        }
        let limits = self.limits;
        if row >= limits.max_rows {
            return Err(SheetError::TooLarge(Limit::Rows(limits.max_rows)));
        }
        if column >= limits.max_columns {
            return Err(SheetError::TooLarge(Limit::Columns(limits.max_columns)));
        }
        if let Cell::Text(text) = &cell {
            self.text = self.text.saturating_add(text.len());
            if self.text > limits.max_text_bytes {
                return Err(SheetError::TooLarge(Limit::Text(limits.max_text_bytes)));
            }
        }
        // Both below their limits, which are small numbers: the casts cannot truncate.
        let (row, column) = (row as usize, column as usize);
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= column {
            self.cells += column + 1 - cells.len();
            if self.cells > limits.max_cells {
                return Err(SheetError::TooLarge(Limit::Cells(limits.max_cells)));
            }
            cells.resize(column + 1, Cell::Empty);
        }
        cells[column] = cell;
        Ok(())
    }
}

/// A row number (`r` of `<row>`, 1-based) as a 0-based index. Past `u32` it saturates,
/// to be refused by the row limit if a filled cell stands there.
fn parse_row(r: &str) -> Result<u32, SheetError> {
    let digits = r.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_reference(r));
    }
    let n = digits.bytes().fold(0u32, |n, d| {
        n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    });
    n.checked_sub(1).ok_or_else(|| bad_reference(r))
}

/// A cell reference such as `B12` as 0-based (row, column); either part past `u32`
/// saturates, to be refused by the limits.
fn parse_reference(r: &str) -> Result<(u32, u32), SheetError> {
    let bytes = r.as_bytes();
    let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (column, row) = bytes.split_at(letters);
    if column.is_empty() || row.is_empty() || !row.iter().all(u8::is_ascii_digit) {
        return Err(bad_reference(r));
    }
    let column = column.iter().fold(0u32, |n, c| {
        n.saturating_mul(26)
            .saturating_add(u32::from(c.to_ascii_uppercase() - b'A') + 1)
    });
    let row = row.iter().fold(0u32, |n, d| {
        n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    });
    match (row.checked_sub(1), column.checked_sub(1)) {
        (Some(row), Some(column)) => Ok((row, column)),
        _ => Err(bad_reference(r)),
    }
}

fn bad_reference(r: &str) -> SheetError {
    let r: String = r.chars().take(20).collect();
    SheetError::NotAWorkbook(format!("bad cell reference {r:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_as_excel_counts_and_saturate_far_out() {
        assert_eq!(parse_reference("A1").ok(), Some((0, 0)));
        assert_eq!(parse_reference("b12").ok(), Some((11, 1)));
        assert_eq!(
            parse_reference("XFD1048576").ok(),
            Some((1_048_575, 16_383))
        );
        assert_eq!(
            parse_reference("ZZZZZZZZZZZZZZ99999999999999").ok(),
            Some((u32::MAX - 1, u32::MAX - 1))
        );
        for bad in ["", "A", "12", "A0", "1A", "A1B", "Ä1"] {
            assert!(parse_reference(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_row("7").ok(), Some(6));
        assert!(parse_row("0").is_err());
        assert!(parse_row("x").is_err());
    }

    #[test]
    fn a_far_filled_cell_is_refused_before_its_row_grows() {
        let limits = SheetLimits::default();
        let mut grid = Grid::new(&limits);
        grid.place((0, 0), Cell::Number(1.0)).unwrap();
        // An empty cell anywhere costs nothing.
        grid.place((1_048_575, 16_383), Cell::Empty).unwrap();
        assert_eq!(
            grid.place((1_048_575, 0), Cell::Number(1.0)),
            Err(SheetError::TooLarge(Limit::Rows(20_000)))
        );
        assert_eq!(
            grid.place((0, 16_383), Cell::Number(1.0)),
            Err(SheetError::TooLarge(Limit::Columns(100)))
        );
        assert_eq!(grid.rows, vec![vec![Cell::Number(1.0)]]);
        // Nothing was reserved for the far column.
        assert!(grid.rows[0].capacity() < 16);
    }
}
