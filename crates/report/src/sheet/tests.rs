use super::book::is_date_format;
use super::xml::unescape_excel;
use super::*;
use dxplan_domain::Lang;

fn read(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, SheetError> {
    read_first_sheet(bytes, &SheetLimits::default(), &Cancel::new())
}

fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

#[test]
fn a_written_workbook_reads_back_and_garbage_is_refused() {
    let bytes = crate::tasks::tasks_xlsx("Kế hoạch", &[]).unwrap();
    let grid = read(&bytes).unwrap();
    assert_eq!(grid[0][0], Cell::Text("Kế hoạch".into()));
    assert_eq!(grid[2][2], Cell::Text("Nhiệm vụ".into()));
    assert!(matches!(
        read(b"not a workbook"),
        Err(SheetError::NotAWorkbook(_))
    ));
    assert!(matches!(
        read(b"PK\x03\x04broken zip"),
        Err(SheetError::NotAWorkbook(_))
    ));
    assert!(matches!(
        read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]),
        Err(SheetError::NotAWorkbook(_))
    ));
}

#[test]
fn every_kind_of_cell_reads_at_its_real_place_and_rows_stop_at_their_last_filled_cell() {
    let grid = read(&hostile::valid_small()).unwrap();
    assert_eq!(
        grid,
        vec![
            vec![text("Mã"), text("Nhiệm vụ"), text("Hạn"), text("Kinh phí")],
            vec![
                text("1.1"),
                text("Xây dựng kho dữ liệu"),
                Cell::Date(46022.0),
                Cell::Number(1250.5),
            ],
            // A boolean, a formula's text result, a date in a custom format; the error
            // cell is empty, so the row stops before it.
            vec![text("TRUE"), text("1.1x"), Cell::Date(46022.5)],
            vec![],
            vec![
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Number(7.0)
            ],
        ]
    );
}

#[test]
fn declared_column_widths_and_far_empty_cells_cost_nothing() {
    let grid = read(&hostile::wide_columns_declared()).unwrap();
    assert_eq!(grid, vec![vec![Cell::Number(1.0), text("ok")]]);
    assert!(grid[0].capacity() < 16);
    let grid = read(&hostile::far_empty_cell()).unwrap();
    assert_eq!(grid, vec![vec![Cell::Number(1.0)]]);
}

/// A workbook written by hand, for what Excel writes and rust_xlsxwriter does not.
fn handmade(sheet_data: &str, shared: &str, workbook_pr: &str) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut part = |name: &str, body: String| {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    part("_rels/.rels", r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/workbook.xml"/></Relationships>"#.into());
    // A chart sheet first: the importers want the first worksheet.
    part(
        "xl/workbook.xml",
        format!(
            r#"<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{workbook_pr}<x:sheets><x:sheet name="Chart" sheetId="2" r:id="rId9"/><x:sheet name="Data" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>"#
        ),
    );
    part("xl/_rels/workbook.xml.rels", r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="./worksheets/../worksheets/data.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.into());
    part("xl/chartsheets/sheet1.xml", "<chartsheet/>".into());
    part("xl/styles.xml", hostile::STYLES.into());
    part(
        "xl/strings.xml",
        format!(
            r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{shared}</sst>"#
        ),
    );
    part(
        "xl/worksheets/data.xml",
        format!(
            r#"<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>{sheet_data}</x:sheetData></x:worksheet>"#
        ),
    );
    zip.finish().unwrap().into_inner()
}

#[test]
fn strings_read_as_excel_means_them() {
    let shared = concat!(
        // Rich text: runs joined, each trimmed unless it preserves its spaces (Excel
        // marks every run with an edge space so); a phonetic guide left out.
        r#"<si><r><rPr><b/></rPr><t>Kế </t></r><r><t xml:space="preserve"> hoạch </t></r><r><t>năm</t></r><rPh sb="0" eb="1"><t>ケ</t></rPh></si>"#,
        // Spaces kept only with xml:space; entities, character references, _x escapes.
        r#"<si><t>  trimmed  </t></si>"#,
        r#"<si><t xml:space="preserve">  kept  </t></si>"#,
        r#"<si><t>a &amp; b &lt;c&gt; &#272;&#x1EA1;</t></si>"#,
        r#"<si><t>line_x000D_break _x005F_x000D_ _xD83D__xDCCA_</t></si>"#,
        r#"<si><t/></si>"#,
    );
    let sheet = concat!(
        r#"<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c></x:row>"#,
        r#"<x:row r="2"><x:c r="A2" t="s"><x:v>3</x:v></x:c><x:c r="B2" t="s"><x:v>4</x:v></x:c><x:c r="C2" t="s"><x:v>5</x:v></x:c></x:row>"#,
        // Cells without `r` follow the one before; a row without `r` the row before.
        r#"<x:row><x:c t="inlineStr"><x:is><x:t>one</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c></x:row>"#,
        r#"<x:row r="6"><x:c r="B6" t="str"><x:f>1+1</x:f><x:v>two
lines</x:v></x:c><x:c r="C6" t="d"><x:v>2026-01-15T00:00:00</x:v></x:c><x:c r="D6" t="n"><x:v></x:v></x:c></x:row>"#,
    );
    let grid = read(&handmade(sheet, shared, "")).unwrap();
    assert_eq!(
        grid,
        vec![
            vec![text("Kế hoạch năm"), text("trimmed"), text("  kept  ")],
            vec![
                text("a & b <c> Đạ"),
                text("line\rbreak _x000D_ 📊"),
                text("")
            ],
            vec![text("one"), Cell::Number(2.0), text("FALSE")],
            vec![],
            vec![],
            vec![Cell::Empty, text("two\nlines"), text("2026-01-15T00:00:00")],
        ]
    );
}

#[test]
fn dates_in_a_1904_workbook_count_from_1900_like_every_other() {
    let sheet = r#"<x:row r="1"><x:c r="A1" s="1"><x:v>44560</x:v></x:c></x:row>"#;
    let grid = read(&handmade(sheet, "", r#"<x:workbookPr date1904="1"/>"#)).unwrap();
    assert_eq!(grid, vec![vec![Cell::Date(46022.0)]]);
}

#[test]
fn a_workbook_without_a_worksheet_has_no_sheet() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut zip, b"<workbook><sheets/></workbook>").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert_eq!(read(&bytes), Err(SheetError::NoSheet));
}

#[test]
fn a_cancelled_token_stops_before_reading() {
    let cancel = Cancel::new();
    cancel.cancel();
    assert_eq!(
        read_first_sheet(&hostile::valid_small(), &SheetLimits::default(), &cancel),
        Err(SheetError::Cancelled)
    );
}

#[test]
fn date_formats_are_told_from_number_formats() {
    for date in [
        "dd/mm/yyyy",
        "d-mmm-yy",
        "h:mm AM/PM",
        "[h]:mm:ss",
        "yyyy\\-mm\\-dd",
        "[$-42A]dd/mm/yyyy",
        "mmm",
        "AM/PM h",
    ] {
        assert!(is_date_format(date), "{date}");
    }
    for number in [
        "0.00",
        "#,##0",
        "\"ngày\" 0",
        "0 \"days\"",
        "#,##0\\ [$\\u20bd-46D]",
        "[Red]0.0",
        "_(* #,##0_);_(* (#,##0);_(* \"-\"??_);_(@_)",
        "0;dd/mm/yyyy",
        "@",
        "General",
    ] {
        assert!(!is_date_format(number), "{number}");
    }
}

#[test]
fn excel_escapes_are_undone() {
    assert_eq!(unescape_excel("plain"), "plain");
    assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
    assert_eq!(unescape_excel("_x005F_x000D_"), "_x000D_");
    assert_eq!(unescape_excel("_xD83D__xDE00_ Việt"), "😀 Việt");
    assert_eq!(unescape_excel("_xD83D_ alone"), "\u{FFFD} alone");
    assert_eq!(unescape_excel("_x00zz_ _x12"), "_x00zz_ _x12");
}

#[test]
fn messages_name_the_limit_with_its_number_in_the_readers_way() {
    let rows = SheetError::TooLarge(Limit::Rows(20_000));
    assert_eq!(
        rows.message(Lang::Vi),
        "Bảng tính có quá nhiều dòng: tối đa 20.000 dòng."
    );
    assert_eq!(
        rows.message(Lang::En),
        "The sheet has too many rows: at most 20,000."
    );
    let part = SheetError::TooLarge(Limit::PartSize(64 << 20));
    assert!(part.message(Lang::Vi).contains("tối đa 64 MB"));
    let cells = SheetError::TooLarge(Limit::Cells(500_000));
    assert!(cells.message(Lang::Vi).contains("500.000 ô"));
    assert!(cells.message(Lang::En).contains("500,000"));
    assert!(
        SheetError::NotAWorkbook("zip: invalid".into())
            .message(Lang::Vi)
            .starts_with("Không đọc được tệp")
    );
    // Every message is a sentence in each language, never the log detail.
    let limits = [
        Limit::Rows(1),
        Limit::Columns(1),
        Limit::Cells(1),
        Limit::CellText(1),
        Limit::Text(1),
        Limit::SharedStrings(1),
        Limit::Styles(1),
        Limit::PartSize(1),
        Limit::ZipEntries(1),
        Limit::Nesting(1),
        Limit::Markup(1),
    ];
    for error in limits.into_iter().map(SheetError::TooLarge).chain([
        SheetError::NoSheet,
        SheetError::Cancelled,
        SheetError::NotAWorkbook("x".into()),
    ]) {
        let (vi, en) = (error.message(Lang::Vi), error.message(Lang::En));
        assert!(
            vi.ends_with('.') && en.ends_with('.') && vi != en,
            "{error:?}"
        );
    }
}
