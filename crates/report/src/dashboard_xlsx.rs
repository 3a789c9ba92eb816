//! The dashboard as a workbook: a summary, the tasks, the key indicators and the units,
//! each sheet with frozen headers, filters and the widths a person would choose.
//! Numbers are stored as numbers with formats, so LibreOffice and Excel show them in the
//! reader's locale (`1.234,5` in Vietnamese).

use dxplan_domain::dashboard::{Dashboard, Row, Tally};
use dxplan_domain::text::format_date;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::tasks::{TaskExportRow, write_tasks_sheet};

const FONT: &str = "Times New Roman";

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    count: Format,
    money: Format,
    percent: Format,
    decimal: Format,
}

impl Formats {
    fn new() -> Formats {
        let text = Format::new()
            .set_font_name(FONT)
            .set_text_wrap()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_font_name(FONT),
            subtitle: Format::new().set_italic().set_font_name(FONT),
            header: crate::header_format().set_font_name(FONT),
            count: text.clone().set_num_format("#,##0"),
            money: text.clone().set_num_format("#,##0.0"),
            percent: text.clone().set_num_format("0.0%"),
            decimal: text.clone().set_num_format("#,##0.0#"),
            text,
        }
    }
}

/// A cell value: text, a count, millions of đồng, a percentage (0–100) or a decimal.
enum Cell<'a> {
    Text(&'a str),
    Count(f64),
    Money(i64),
    Percent(Option<f64>),
    Decimal(Option<f64>),
}

fn write_row(
    sheet: &mut Worksheet,
    f: &Formats,
    row: u32,
    cells: &[Cell<'_>],
) -> Result<(), XlsxError> {
    for (col, cell) in cells.iter().enumerate() {
        let col = col as u16;
        match cell {
            Cell::Text(t) => sheet.write_with_format(row, col, *t, &f.text)?,
            Cell::Count(n) => sheet.write_with_format(row, col, *n, &f.count)?,
            Cell::Money(vnd) => {
                sheet.write_with_format(row, col, *vnd as f64 / 1_000_000.0, &f.money)?
            }
            Cell::Percent(Some(p)) => sheet.write_with_format(row, col, p / 100.0, &f.percent)?,
            Cell::Decimal(Some(v)) => sheet.write_with_format(row, col, *v, &f.decimal)?,
            Cell::Percent(None) | Cell::Decimal(None) => {
                sheet.write_with_format(row, col, "", &f.text)?
            }
        };
    }
    Ok(())
}

/// A table with headers at `top` and filters on them; returns the next free row.
fn table(
    sheet: &mut Worksheet,
    f: &Formats,
    top: u32,
    headers: &[&str],
    rows: &[Vec<Cell<'_>>],
) -> Result<u32, XlsxError> {
    for (col, h) in headers.iter().enumerate() {
        sheet.write_with_format(top, col as u16, *h, &f.header)?;
    }
    for (i, cells) in rows.iter().enumerate() {
        write_row(sheet, f, top + 1 + i as u32, cells)?;
    }
    Ok(top + 2 + rows.len() as u32)
}

fn tally_cells<'a>(label: &'a str, t: &Tally) -> Vec<Cell<'a>> {
    vec![
        Cell::Text(label),
        Cell::Count(f64::from(t.total)),
        Cell::Count(f64::from(t.completed_on_time)),
        Cell::Count(f64::from(t.completed_late)),
        Cell::Count(f64::from(t.within_deadline)),
        Cell::Count(f64::from(t.overdue)),
        Cell::Percent(t.average_progress()),
        Cell::Money(t.budget_planned),
        Cell::Money(t.budget_disbursed),
    ]
}

const TALLY_HEADERS: [&str; 8] = [
    "Số nhiệm vụ",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Chưa hoàn thành, trong hạn",
    "Chưa hoàn thành, quá hạn",
    "Tiến độ bình quân",
    "Kinh phí kế hoạch (triệu đồng)",
    "Đã giải ngân (triệu đồng)",
];

fn row_label(r: &Row) -> String {
    if r.code.is_empty() || r.code == r.key {
        r.name.clone()
    } else {
        format!("{}. {}", r.code, r.name)
    }
}

/// The workbook of a dashboard and its task list.
pub fn dashboard_xlsx(d: &Dashboard, tasks: &[TaskExportRow]) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let plan_title = d
        .plan
        .as_ref()
        .map(|p| p.title.clone())
        .unwrap_or_else(|| "Chưa có kế hoạch".into());

    // Summary: the headline figures, then by pillar, group and acquisition mode.
    let sheet = book.add_worksheet();
    sheet.set_name("Tổng hợp")?;
    sheet.write_with_format(0, 0, format!("{plan_title} — {}", d.unit.name), &f.title)?;
    sheet.write_with_format(
        1,
        0,
        format!("Số liệu đến ngày {}", format_date(d.today)),
        &f.subtitle,
    )?;
    let o = &d.overall;
    let headline = [
        ("Tổng số nhiệm vụ", Cell::Count(f64::from(o.total))),
        ("Đã hoàn thành", Cell::Count(f64::from(o.completed))),
        ("Tỷ lệ hoàn thành", Cell::Percent(o.completion_rate())),
        ("Tỷ lệ hoàn thành đúng hạn", Cell::Percent(o.on_time_rate())),
        (
            "Quá hạn, chưa hoàn thành",
            Cell::Count(f64::from(o.overdue)),
        ),
        ("Tiến độ bình quân", Cell::Percent(o.average_progress())),
        (
            "Kinh phí kế hoạch (triệu đồng)",
            Cell::Money(o.budget_planned),
        ),
        ("Đã giải ngân (triệu đồng)", Cell::Money(o.budget_disbursed)),
        ("Tỷ lệ giải ngân", Cell::Percent(o.disbursement_rate())),
    ];
    let rows: Vec<Vec<Cell<'_>>> = headline
        .into_iter()
        .map(|(label, value)| vec![Cell::Text(label), value])
        .collect();
    let mut next = table(sheet, &f, 3, &["Chỉ số", "Giá trị"], &rows)?;
    for (title, list) in [
        ("Theo trụ cột", &d.pillars),
        ("Theo nhóm nhiệm vụ", &d.groups),
        ("Theo hình thức đầu tư", &d.modes),
    ] {
        sheet.write_with_format(next, 0, title, &f.title)?;
        let labels: Vec<String> = list.iter().map(row_label).collect();
        let rows: Vec<Vec<Cell<'_>>> = list
            .iter()
            .zip(&labels)
            .map(|(r, label)| tally_cells(label, &r.tally))
            .collect();
        let headers: Vec<&str> = std::iter::once("").chain(TALLY_HEADERS).collect();
        next = table(sheet, &f, next + 1, &headers, &rows)? + 1;
    }
    sheet.set_column_width(0, 44)?;
    for col in 1..=8 {
        sheet.set_column_width(col, 15)?;
    }

    // Tasks, as the task list exports them.
    write_tasks_sheet(book.add_worksheet(), &plan_title, tasks)?;

    // Key indicators against targets, with the five-year trend.
    let sheet = book.add_worksheet();
    sheet.set_name("Chỉ tiêu")?;
    sheet.write_with_format(
        0,
        0,
        format!("Chỉ tiêu năm {} — {}", d.year, d.unit.name),
        &f.title,
    )?;
    let years: Vec<String> = d
        .indicators
        .first()
        .map(|i| i.trend.iter().map(|y| y.year.to_string()).collect())
        .unwrap_or_default();
    let mut headers = vec![
        "Mã",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Thực hiện",
        "Mục tiêu",
        "Mức đạt",
        "Đánh giá",
        "Đơn vị chưa báo cáo",
    ];
    headers.extend(years.iter().map(String::as_str));
    let statuses: Vec<&str> = d
        .indicators
        .iter()
        .map(|i| match i.attainment.map(|a| a.status) {
            Some(s) => s.label(dxplan_domain::Lang::Vi),
            None => "",
        })
        .collect();
    let rows: Vec<Vec<Cell<'_>>> = d
        .indicators
        .iter()
        .zip(&statuses)
        .map(|(i, status)| {
            let mut cells = vec![
                Cell::Text(&i.code),
                Cell::Text(&i.name),
                Cell::Text(i.unit_of_measure.as_deref().unwrap_or_default()),
                Cell::Decimal(i.value),
                Cell::Decimal(i.target),
                Cell::Percent(i.attainment.and_then(|a| a.percent)),
                Cell::Text(status),
                Cell::Count(i.missing_units as f64),
            ];
            cells.extend(i.trend.iter().map(|y| Cell::Decimal(y.value)));
            cells
        })
        .collect();
    table(sheet, &f, 2, &headers, &rows)?;
    sheet.set_freeze_panes(3, 2)?;
    sheet.autofilter(2, 0, 2 + rows.len() as u32, headers.len() as u16 - 1)?;
    for (col, w) in [9.0, 48.0, 12.0, 12.0, 12.0, 11.0, 14.0, 12.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(col as u16, *w)?;
    }
    for col in 8..8 + years.len() as u16 {
        sheet.set_column_width(col, 11)?;
    }

    // Units: the tally of each unit directly below the one shown.
    let sheet = book.add_worksheet();
    sheet.set_name("Đơn vị")?;
    sheet.write_with_format(
        0,
        0,
        format!("Kết quả theo đơn vị — {plan_title}"),
        &f.title,
    )?;
    let kinds: Vec<&str> = d
        .units
        .iter()
        .map(|u| match u.unit.kind {
            dxplan_domain::unit::UnitKind::Department => "Sở, ngành",
            dxplan_domain::unit::UnitKind::District => "Cấp huyện",
            dxplan_domain::unit::UnitKind::Commune => "Cấp xã",
            dxplan_domain::unit::UnitKind::Province => "Cấp tỉnh",
            _ => "Khác",
        })
        .collect();
    let rows: Vec<Vec<Cell<'_>>> = d
        .units
        .iter()
        .zip(&kinds)
        .map(|(u, kind)| {
            let mut cells = tally_cells(&u.unit.name, &u.tally);
            cells.insert(1, Cell::Text(kind));
            cells.push(Cell::Percent(u.tally.on_time_rate()));
            cells
        })
        .collect();
    let mut headers = vec!["Đơn vị", "Loại"];
    headers.extend(TALLY_HEADERS);
    headers.push("Tỷ lệ đúng hạn");
    table(sheet, &f, 2, &headers, &rows)?;
    sheet.set_freeze_panes(3, 1)?;
    sheet.autofilter(2, 0, 2 + rows.len() as u32, headers.len() as u16 - 1)?;
    sheet.set_column_width(0, 40)?;
    sheet.set_column_width(1, 12)?;
    for col in 2..headers.len() as u16 {
        sheet.set_column_width(col, 14)?;
    }
    book.save_to_buffer()
}
