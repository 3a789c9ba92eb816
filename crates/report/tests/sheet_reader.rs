//! The upload reader against calamine, which it replaces: every workbook dxplan writes,
//! and workbooks holding each kind of cell, read back to the same grid. And a long read
//! stops promptly when cancelled, by its owner, its deadline or a dropped guard.

use std::thread;
use std::time::{Duration, Instant};

use calamine::{Data, Reader, Xlsx};
use dxplan_domain::cancel::Cancel;
use dxplan_domain::plan_import::Cell;
use dxplan_report::sheet::{SheetError, SheetLimits, hostile, read_first_sheet};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

/// The grid calamine gave, as the importers' reader built it before this one.
fn calamine_grid(bytes: &[u8]) -> Vec<Vec<Cell>> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("calamine opens it");
    let range = book
        .worksheet_range_at(0)
        .expect("a first sheet")
        .expect("calamine reads it");
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
    grid
}

/// calamine padded every row to the sheet's width; the new reader stops a row at its
/// last filled cell. The same grid either way once trailing empties are dropped.
fn without_trailing_empties(mut grid: Vec<Vec<Cell>>) -> Vec<Vec<Cell>> {
    for row in &mut grid {
        while row.last() == Some(&Cell::Empty) {
            row.pop();
        }
    }
    while grid.last().is_some_and(Vec::is_empty) {
        grid.pop();
    }
    grid
}

fn assert_reads_as_calamine(name: &str, bytes: &[u8]) {
    let ours = read_first_sheet(bytes, &SheetLimits::default(), &Cancel::new())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    // The new reader never pads: its rows already end at their last filled cell.
    assert!(
        ours.iter().all(|row| row.last() != Some(&Cell::Empty))
            && ours.last().is_none_or(|r| !r.is_empty()),
        "{name}: trailing empty cells or rows"
    );
    let theirs = without_trailing_empties(calamine_grid(bytes));
    assert!(!theirs.is_empty(), "{name}: calamine read nothing");
    assert_eq!(ours, theirs, "{name}");
}

fn task_row(i: usize) -> dxplan_report::tasks::TaskExportRow {
    dxplan_report::tasks::TaskExportRow {
        code: format!("6.{i}"),
        title: format!("Xây dựng kho dữ liệu dùng chung số {i} & <tích hợp>"),
        group: "Dữ liệu số".into(),
        lead_unit: "Sở Khoa học và Công nghệ".into(),
        coordinating: "Văn phòng Ủy ban nhân dân tỉnh; VNPT Bình Định".into(),
        deliverable: "Kho dữ liệu dùng chung\nvà tài liệu hướng dẫn".into(),
        start: "15/01/2026".into(),
        due: "30/09/2026".into(),
        budget: 1_250_500_000 + i as i64,
        funding: "Ngân sách tỉnh".into(),
        mode: if i.is_multiple_of(2) {
            "Thuê".into()
        } else {
            String::new()
        },
        note: if i.is_multiple_of(3) {
            "  ghi chú có khoảng trắng  ".into()
        } else {
            String::new()
        },
        status: "Đang thực hiện".into(),
        progress: (i * 7 % 100) as i64,
        outcome: String::new(),
        disbursed: if i.is_multiple_of(2) { 300_000_000 } else { 0 },
        key_task: false,
        source: String::new(),
    }
}

#[test]
fn the_plan_appendix_export_reads_as_calamine_read_it() {
    let rows: Vec<_> = (0..40).map(task_row).collect();
    let bytes = dxplan_report::tasks::tasks_xlsx("Kế hoạch chuyển đổi số năm 2026", &rows).unwrap();
    assert_reads_as_calamine("tasks_xlsx", &bytes);
    let empty = dxplan_report::tasks::tasks_xlsx("Kế hoạch", &[]).unwrap();
    assert_reads_as_calamine("tasks_xlsx without rows", &empty);
}

#[test]
fn a_plan_appendix_of_5000_tasks_reads_whole_within_the_default_limits() {
    let rows: Vec<_> = (0..5_000).map(task_row).collect();
    let bytes = dxplan_report::tasks::tasks_xlsx("Kế hoạch chuyển đổi số năm 2026", &rows).unwrap();
    let started = Instant::now();
    let grid = read_first_sheet(&bytes, &SheetLimits::default(), &Cancel::new()).unwrap();
    let took = started.elapsed();
    println!(
        "5,000-task appendix: {} KB, read in {:.0} ms",
        bytes.len() / 1024,
        took.as_secs_f64() * 1000.0
    );
    // The title and header rows, then one row per task, every column read.
    assert_eq!(grid.len(), 5_003);
    assert_eq!(grid[5_002][0], Cell::Number(5_000.0));
    assert_eq!(grid[5_002][1], Cell::Text("6.4999".into()));
    assert!(grid[3..].iter().all(|row| row.len() >= 13));
}

#[test]
fn the_figures_form_reads_as_calamine_read_it() {
    use dxplan_report::data_form::{FormMeta, FormRow, form_xlsx};
    let meta = FormMeta {
        unit_code: "SKHCN",
        unit_name: "Sở Khoa học và Công nghệ",
        form_name: "Biểu chỉ tiêu chuyển đổi số",
        period: "2026-Q1",
        period_label: "Quý I năm 2026",
    };
    let rows: Vec<FormRow> = (0..12u32)
        .map(|i| FormRow {
            code: format!("CT{i:02}"),
            name: format!("Tỷ lệ hồ sơ trực tuyến toàn trình {i}"),
            unit_of_measure: if i.is_multiple_of(2) {
                "%".into()
            } else {
                "hồ sơ".into()
            },
            is_ratio: i.is_multiple_of(2),
            value: (i % 2 == 1).then_some(i as f64 * 12.5),
            numerator: i.is_multiple_of(4).then_some(30.0),
            denominator: i.is_multiple_of(4).then_some(120.0),
            target: i.is_multiple_of(3).then_some(95.5),
        })
        .collect();
    assert_reads_as_calamine("form_xlsx", &form_xlsx(&meta, &rows).unwrap());
}

#[test]
fn the_framework_annex_reads_as_calamine_read_it() {
    use dxplan_report::framework_xlsx::{FrameworkRow, framework_xlsx};
    let rows: Vec<FrameworkRow> = (0..15usize)
        .map(|i| FrameworkRow {
            depth: i % 3,
            code: format!("{}.{}", i / 3 + 1, i % 3),
            name: format!("Chỉ số thành phần {i}"),
            max_points: 10.0 + i as f64 * 0.25,
            scoring: "Đạt 100%: tối đa; dưới 50%: 0 điểm".into(),
            evidence: "Báo cáo của đơn vị".into(),
            verifier: "Sở Nội vụ".into(),
            indicator: if i.is_multiple_of(2) {
                format!("CT{i:02}")
            } else {
                String::new()
            },
            rule_json: if i.is_multiple_of(3) {
                String::new()
            } else {
                r#"{"kind":"linear","from":0,"to":100}"#.into()
            },
        })
        .collect();
    assert_reads_as_calamine(
        "framework_xlsx",
        &framework_xlsx("Bộ chỉ số DTI", &rows).unwrap(),
    );
}

#[test]
fn every_kind_of_cell_reads_as_calamine_read_it() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let date_time = Format::new().set_num_format("d mmm yyyy h:mm AM/PM");
    let time = Format::new().set_num_format("[h]:mm");
    let money = Format::new().set_num_format("#,##0 \"đ\"");
    let percent = Format::new().set_num_format("0.0%");
    let quoted = Format::new().set_num_format("\"ngày\" 0");
    let text = Format::new().set_num_format("@");
    sheet.write_string(0, 0, "Tiêu đề  có hai khoảng").unwrap();
    sheet.write_string(0, 1, "  đầu và cuối  ").unwrap();
    sheet
        .write_string(0, 2, "dòng một\ndòng hai\r\nba")
        .unwrap();
    sheet
        .write_string(0, 3, "a & b < c > d \"e\" 'f' _x000D_")
        .unwrap();
    sheet
        .write_rich_string(1, 0, &[(&bold, "Đậm "), (&Format::default(), "và thường")])
        .unwrap();
    sheet.write_number(1, 1, 1_250_000.0).unwrap();
    sheet
        .write_number_with_format(1, 2, 0.125, &percent)
        .unwrap();
    sheet.write_number_with_format(1, 3, 42.0, &quoted).unwrap();
    sheet
        .write_number_with_format(1, 4, 1_500_000.0, &money)
        .unwrap();
    let day = ExcelDateTime::from_ymd(2026, 9, 30).unwrap();
    sheet.write_datetime_with_format(2, 0, &day, &date).unwrap();
    let moment = ExcelDateTime::from_ymd(2026, 1, 15)
        .unwrap()
        .and_hms(14, 30, 0)
        .unwrap();
    sheet
        .write_datetime_with_format(2, 1, &moment, &date_time)
        .unwrap();
    sheet.write_number_with_format(2, 2, 1.75, &time).unwrap();
    sheet
        .write_string_with_format(2, 3, "00123", &text)
        .unwrap();
    sheet.write_boolean(3, 0, true).unwrap();
    sheet.write_boolean(3, 1, false).unwrap();
    sheet
        .write_formula(3, 2, Formula::new("=B2*2").set_result("2500000"))
        .unwrap();
    sheet
        .write_formula(
            3,
            3,
            Formula::new("=A1&\"!\"").set_result("Tiêu đề  có hai khoảng!"),
        )
        .unwrap();
    sheet
        .write_formula(3, 4, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    // Empty rows, then a sparse row far right, then one far down.
    sheet.write_number(7, 12, -3.5).unwrap();
    sheet.write_string(7, 40, "xa bên phải").unwrap();
    sheet.write_blank(8, 3, &bold).unwrap();
    sheet.write_number(150, 1, 1e-9).unwrap();
    sheet.write_string(150, 0, "").unwrap();
    assert_reads_as_calamine("every kind of cell", &book.save_to_buffer().unwrap());
}

#[test]
fn what_excel_writes_and_rust_xlsxwriter_does_not_reads_as_calamine_read_it() {
    let shared = [
        // Rich text with a phonetic guide; runs trimmed unless they preserve spaces.
        r#"<r><rPr><b/></rPr><t>Kế </t></r><r><t xml:space="preserve"> hoạch </t></r><r><t>năm</t></r><rPh sb="0" eb="1"><t>ケ</t></rPh>"#,
        r#"<t>  trimmed  </t>"#,
        r#"<t xml:space="preserve">  kept  </t>"#,
        r#"<t>a &amp; b &lt;c&gt; &#272;&#x1EA1; "q"</t>"#,
        r#"<t>line_x000D_break _x005F_x000D_ _xD83D__xDCCA_</t>"#,
        r#"<t/>"#,
        r#"<t>một
hai</t>"#,
    ];
    let sheet = concat!(
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>"#,
        r#"<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c><c r="C2" t="s"><v>6</v></c><c r="D2" t="inlineStr"><is><t xml:space="preserve"> nội tuyến </t></is></c></row>"#,
        // Cells and rows without `r` follow the ones before.
        r#"<row><c t="inlineStr"><is><r><t>giàu</t></r><r><t xml:space="preserve"> chữ</t></r></is></c><c><v>2</v></c><c t="b"><v>0</v></c><c t="e"><v>#N/A</v></c><c t="n"><v>-0.5</v></c></row>"#,
        r#"<row r="6"><c r="B6" t="str"><f>1+1</f><v>two
lines _x0009_tab</v></c><c r="C6" t="d"><v>2026-01-15T00:00:00</v></c><c r="D6" s="1"><v>46022</v></c><c r="E6" s="2"><v>46022.25</v></c><c r="F6" s="3"><v>7</v></c></row>"#,
        r#"<row r="9"><c r="K9"><v>1E-3</v></c><c r="L9" s="1"/><c r="M9" t="s"><v></v></c></row>"#,
    );
    assert_reads_as_calamine("handwritten", &hostile::workbook(sheet, &shared));
}

#[test]
fn the_generated_valid_workbooks_read_as_calamine_read_them() {
    assert_reads_as_calamine("valid small", &hostile::valid_small());
    assert_reads_as_calamine("declared wide columns", &hostile::wide_columns_declared());
}

/// Limits far above the defaults, so a 200,000-row sheet is read in full: seconds of work.
fn generous() -> SheetLimits {
    SheetLimits {
        max_rows: 1_000_000,
        max_cells: 10_000_000,
        max_text_bytes: 1 << 30,
        ..SheetLimits::default()
    }
}

/// Starts reading the long sheet on a thread, once it is generated; the thread returns
/// when its read started and ended, and its result.
fn read_in_background(
    cancel: Cancel,
) -> thread::JoinHandle<(Instant, Instant, Result<usize, SheetError>)> {
    let bytes = hostile::many_rows();
    thread::spawn(move || {
        let started = Instant::now();
        let result = read_first_sheet(&bytes, &generous(), &cancel).map(|grid| grid.len());
        (started, Instant::now(), result)
    })
}

#[test]
fn a_long_read_completes_when_left_alone() {
    // The baseline for the tests below: the read takes long enough to be cancelled.
    let (started, finished, result) = read_in_background(Cancel::new()).join().unwrap();
    assert_eq!(result, Ok(200_000));
    assert!(
        finished - started > Duration::from_millis(300),
        "{:?}",
        finished - started
    );
}

#[test]
fn cancelling_stops_a_long_read_promptly() {
    let cancel = Cancel::new();
    let reading = read_in_background(cancel.clone());
    thread::sleep(Duration::from_millis(100));
    let cancelled = Instant::now();
    cancel.cancel();
    let (_, finished, result) = reading.join().unwrap();
    assert_eq!(result, Err(SheetError::Cancelled));
    assert!(
        finished - cancelled < Duration::from_millis(100),
        "{:?}",
        finished - cancelled
    );
}

#[test]
fn a_deadline_stops_a_long_read() {
    let (started, finished, result) =
        read_in_background(Cancel::with_deadline(Duration::from_millis(400)))
            .join()
            .unwrap();
    assert_eq!(result, Err(SheetError::Cancelled));
    // The deadline counts from the token's making, before the file was generated.
    assert!(
        finished - started < Duration::from_millis(400),
        "{:?}",
        finished - started
    );
}

#[test]
fn dropping_the_guard_stops_a_long_read() {
    // As a request future holds it: the request goes away, the read stops.
    let cancel = Cancel::new();
    let guard = cancel.drop_guard();
    let reading = read_in_background(cancel);
    thread::sleep(Duration::from_millis(100));
    let dropped = Instant::now();
    drop(guard);
    let (_, finished, result) = reading.join().unwrap();
    assert_eq!(result, Err(SheetError::Cancelled));
    assert!(
        finished - dropped < Duration::from_millis(100),
        "{:?}",
        finished - dropped
    );
}
