//! Documents rendered from ready-made view data. Renderers never query: callers hand
//! them rows. Word, PDF and SVG charts join the CSV and Excel writers here.

pub mod csv_out;
pub mod dashboard_charts;
pub mod dashboard_xlsx;
pub mod data_form;
pub mod evaluation_xlsx;
pub mod fonts;
pub mod framework_xlsx;
pub mod index_results;
pub mod progress;
pub mod progress_docx;
pub mod raster;
pub mod sheet;
pub mod steering;
pub mod tasks;
pub mod urging;

/// The header cells of every workbook dxplan writes: bold, wrapped, centred, framed, on
/// the same pale blue.
pub(crate) fn header_format() -> rust_xlsxwriter::Format {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder};
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("#D9E1F2")
}

/// One unit as exported; the columns are those the unit import reads, so an export
/// can be edited in a spreadsheet and imported back.
pub struct UnitRow<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub short_name: Option<&'a str>,
    pub level: &'a str,
    pub parent_code: Option<&'a str>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

/// Writes units as UTF-8 CSV with a byte-order mark, so Excel opens Vietnamese text correctly.
pub fn units_csv<'a>(rows: impl IntoIterator<Item = UnitRow<'a>>) -> Result<Vec<u8>, csv::Error> {
    let header = [
        "code",
        "name",
        "short_name",
        "level",
        "parent_code",
        "valid_from",
        "valid_to",
    ]
    .map(String::from);
    let rows = rows.into_iter().map(|row| {
        [
            row.code.to_string(),
            row.name.to_string(),
            row.short_name.unwrap_or_default().to_string(),
            row.level.to_string(),
            row.parent_code.unwrap_or_default().to_string(),
            row.valid_from.unwrap_or_default(),
            row.valid_to.unwrap_or_default(),
        ]
    });
    csv_out::write(true, std::iter::once(header).chain(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_keeps_vietnamese() {
        let bytes = units_csv([UnitRow {
            code: "52-SVHTTDL",
            name: "Sở Văn hóa, Thể thao và Du lịch",
            short_name: Some("Sở VH-TT&DL"),
            level: "department",
            parent_code: Some("52"),
            valid_from: Some("2025-03-01".into()),
            valid_to: None,
        }])
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains(
            "52-SVHTTDL,\"Sở Văn hóa, Thể thao và Du lịch\",Sở VH-TT&DL,department,52,2025-03-01,\n"
        ));
    }
}
