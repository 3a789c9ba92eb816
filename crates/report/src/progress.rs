//! The progress report of a plan as a document model: the Vietnamese administrative
//! layout of Decree 30/2020/NĐ-CP (issuing body, national title and motto, number and
//! symbol, place and date, title, numbered sections, recipients, signature). The Word
//! and PDF writers render this one model, so both carry the same words and numbers.

use dxplan_domain::Lang;
use dxplan_domain::dashboard::{Dashboard, Row, Tally};
use dxplan_domain::period::Period;
use dxplan_domain::text::{format_int, format_number};
use time::Date;

use crate::dashboard_charts::{dashboard_charts, indicator_chart};

/// A table: header cells, then rows of cells already formatted for reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Relative column widths (same length as `headers`).
    pub widths: Vec<u32>,
    /// Columns holding numbers (right-aligned).
    pub numeric: Vec<bool>,
}

/// A chart: its caption and SVG.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartBlock {
    pub caption: String,
    pub svg: String,
}

/// One piece of a section, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    /// A bold run then normal text in one paragraph (`Vướng mắc: …`).
    Labelled(String, String),
    Table(Table),
    Chart(ChartBlock),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// `I. KẾT QUẢ CHUNG`.
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgressReport {
    /// The body above the issuer (`ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH`), upper case.
    pub parent_body: String,
    /// The issuing body (`SỞ KHOA HỌC VÀ CÔNG NGHỆ`), upper case.
    pub issuer: String,
    /// `Số:      /BC-SKHCN` with a blank for the number the clerk writes in.
    pub number: String,
    /// `Bình Định, ngày 28 tháng 11 năm 2026`.
    pub place_date: String,
    /// `BÁO CÁO`.
    pub kind: String,
    /// `Kết quả thực hiện Kế hoạch chuyển đổi số năm 2026 (Quý IV/2026)`.
    pub subject: String,
    pub sections: Vec<Section>,
    /// `Nơi nhận:` lines.
    pub recipients: Vec<String>,
    /// `KT. GIÁM ĐỐC` / `PHÓ GIÁM ĐỐC`.
    pub signer_title: Vec<String>,
}

/// Who issues the report and where: the DX office's own details.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub parent_body: String,
    pub body: String,
    /// The body's short symbol for the number (`SKHCN`).
    pub symbol: String,
    pub place: String,
}

/// The symbol of a body for document numbers: the initials of its name without
/// diacritics and without "và" (`Sở Thông tin và Truyền thông` → `STTTT`).
pub fn symbol_of(name: &str) -> String {
    dxplan_domain::text::fold(name)
        .split_whitespace()
        .filter(|w| *w != "va")
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_uppercase()
}

/// A province's short name for the place line (`Tỉnh Bình Định` → `Bình Định`).
pub fn place_of(province_name: &str) -> String {
    ["Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "]
        .iter()
        .find_map(|p| province_name.strip_prefix(p))
        .unwrap_or(province_name)
        .to_string()
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{} %", format_number(v, 1)))
        .unwrap_or_else(|| "–".into())
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format_number(v, 2)).unwrap_or_else(|| "–".into())
}

fn count(n: u32) -> String {
    format_int(i64::from(n))
}

fn millions(vnd: i64) -> String {
    format_number(vnd as f64 / 1_000_000.0, 1)
}

fn row_label(r: &Row) -> String {
    if r.code.is_empty() || r.code == r.key {
        r.name.clone()
    } else {
        format!("{}. {}", r.code, r.name)
    }
}

/// `Bình Định, ngày 28 tháng 11 năm 2026` (day and month below 10 with a leading zero,
/// as Decree 30 asks for days 1–9 and months 1–2 only: "ngày 05 tháng 02").
pub fn place_date(place: &str, day: Date) -> String {
    let month = u8::from(day.month());
    let month = if month <= 2 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        day.day(),
        day.year()
    )
}

/// The period a report of the plan covers: the quarter containing `today` for this
/// year's plan, the whole year for a past plan.
pub fn report_period(year: i32, today: Date) -> Period {
    if year < today.year() {
        Period::Year(year)
    } else {
        Period::containing(today, true)
    }
}

const TALLY_HEADERS: [&str; 7] = [
    "Số nhiệm vụ",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Đang thực hiện, trong hạn",
    "Quá hạn",
    "Tiến độ bình quân",
    "Kinh phí (triệu đồng)",
];

fn tally_table(first: &str, rows: &[(String, &Tally)]) -> Table {
    Table {
        headers: std::iter::once(first.to_string())
            .chain(TALLY_HEADERS.iter().map(|h| h.to_string()))
            .collect(),
        rows: rows
            .iter()
            .map(|(label, t)| {
                vec![
                    label.clone(),
                    count(t.total),
                    count(t.completed_on_time),
                    count(t.completed_late),
                    count(t.within_deadline),
                    count(t.overdue),
                    pct(t.average_progress()),
                    millions(t.budget_planned),
                ]
            })
            .collect(),
        widths: vec![30, 9, 10, 10, 11, 9, 10, 11],
        numeric: vec![false, true, true, true, true, true, true, true],
    }
}

/// The progress report of the dashboard's plan and unit, as of its day.
pub fn progress_report(d: &Dashboard, issuer: &Issuer) -> ProgressReport {
    let lang = Lang::Vi;
    let charts = dashboard_charts(d, lang);
    let period = d.period.unwrap_or_else(|| report_period(d.year, d.today));
    let plan_title = d
        .plan
        .as_ref()
        .map(|p| p.title.clone())
        .unwrap_or_else(|| format!("Kế hoạch chuyển đổi số năm {}", d.year));
    let o = &d.overall;
    let mut sections = Vec::new();

    sections.push(Section {
        heading: "I. KẾT QUẢ CHUNG".into(),
        blocks: vec![
            Block::Paragraph(format!(
                "{} có {} nhiệm vụ do {} và các đơn vị trực thuộc chủ trì. Đến ngày {}, đã hoàn thành {} nhiệm vụ ({}), trong đó {} nhiệm vụ hoàn thành đúng hạn ({} tổng số nhiệm vụ); {} nhiệm vụ đang thực hiện trong hạn; {} nhiệm vụ quá hạn chưa hoàn thành; {} nhiệm vụ chưa được thống nhất để triển khai; {} nhiệm vụ đã huỷ.",
                plan_title,
                count(o.total),
                d.unit.name,
                dxplan_domain::text::format_date(d.today),
                count(o.completed),
                pct(o.completion_rate()),
                count(o.completed_on_time),
                pct(o.on_time_rate()),
                count(o.within_deadline),
                count(o.overdue),
                count(o.not_started),
                count(o.cancelled),
            )),
            Block::Paragraph(format!(
                "Tiến độ bình quân các nhiệm vụ đạt {}. Tổng kinh phí kế hoạch {} triệu đồng, đã giải ngân {} triệu đồng ({}).",
                pct(o.average_progress()),
                millions(o.budget_planned),
                millions(o.budget_disbursed),
                pct(o.disbursement_rate()),
            )),
        ],
    });

    let group_rows: Vec<(String, &Tally)> =
        d.groups.iter().map(|g| (row_label(g), &g.tally)).collect();
    let mode_rows: Vec<(String, &Tally)> =
        d.modes.iter().map(|m| (row_label(m), &m.tally)).collect();
    sections.push(Section {
        heading: "II. KẾT QUẢ THEO NHÓM NHIỆM VỤ".into(),
        blocks: vec![
            Block::Table(tally_table("Nhóm nhiệm vụ", &group_rows)),
            Block::Chart(ChartBlock {
                caption: charts.groups.title.clone(),
                svg: charts.groups.svg.clone(),
            }),
            Block::Paragraph("Kinh phí theo hình thức đầu tư (tỉnh ưu tiên thuê dịch vụ):".into()),
            Block::Table(tally_table("Hình thức", &mode_rows)),
        ],
    });

    let unit_rows: Vec<(String, &Tally)> = d
        .units
        .iter()
        .filter(|u| u.tally.total > 0)
        .map(|u| (u.unit.name.clone(), &u.tally))
        .collect();
    let mut unit_blocks = vec![Block::Table(tally_table("Đơn vị", &unit_rows))];
    if !d.silent_units.is_empty() {
        unit_blocks.push(Block::Labelled(
            "Đơn vị chưa đăng ký nhiệm vụ: ".into(),
            d.silent_units
                .iter()
                .map(|u| u.name.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    sections.push(Section {
        heading: "III. KẾT QUẢ THEO ĐƠN VỊ".into(),
        blocks: unit_blocks,
    });

    let overdue = if d.overdue.is_empty() {
        vec![Block::Paragraph("Không có nhiệm vụ quá hạn.".into())]
    } else {
        let mut blocks = vec![Block::Table(Table {
            headers: vec![
                "Mã".into(),
                "Nhiệm vụ".into(),
                "Đơn vị chủ trì".into(),
                "Hạn".into(),
                "Trễ (ngày)".into(),
                "Tiến độ".into(),
            ],
            rows: d
                .overdue
                .iter()
                .map(|t| {
                    vec![
                        t.code.clone(),
                        t.title.clone(),
                        t.unit.clone(),
                        dxplan_domain::text::format_date(t.due),
                        format_int(t.days_late),
                        format!("{} %", t.progress),
                    ]
                })
                .collect(),
            widths: vec![7, 40, 22, 11, 8, 8],
            numeric: vec![false, false, false, false, true, true],
        })];
        if d.overdue_total as usize > d.overdue.len() {
            blocks.push(Block::Paragraph(format!(
                "(Trên đây là {} trong tổng số {} nhiệm vụ quá hạn, xếp theo thời hạn.)",
                d.overdue.len(),
                count(d.overdue_total)
            )));
        }
        blocks
    };
    sections.push(Section {
        heading: "IV. NHIỆM VỤ QUÁ HẠN".into(),
        blocks: overdue,
    });

    let mut obstacles = Vec::new();
    let mut last_group: Option<String> = None;
    for r in &d.obstacles {
        let group = match (&r.group_code, &r.group_name) {
            (Some(c), Some(n)) => format!("{c}. {n}"),
            _ => "Chưa phân nhóm".into(),
        };
        if last_group.as_ref() != Some(&group) {
            obstacles.push(Block::Labelled(group.clone(), String::new()));
            last_group = Some(group);
        }
        let mut text = format!(
            "{} {} ({}, {})",
            r.task_code, r.task_title, r.unit_name, r.period
        );
        if let Some(o) = &r.obstacles {
            text.push_str(&format!(". Vướng mắc: {o}"));
        }
        if let Some(p) = &r.proposals {
            text.push_str(&format!(". Đề xuất: {p}"));
        }
        obstacles.push(Block::Paragraph(format!("- {text}")));
    }
    if obstacles.is_empty() {
        obstacles.push(Block::Paragraph(
            "Các đơn vị chưa báo cáo khó khăn, vướng mắc.".into(),
        ));
    }
    sections.push(Section {
        heading: "V. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT".into(),
        blocks: obstacles,
    });

    let mut indicator_blocks = Vec::new();
    if d.indicators.is_empty() {
        indicator_blocks.push(Block::Paragraph(format!(
            "Chưa giao chỉ tiêu năm {} cho {}.",
            d.year, d.unit.name
        )));
    } else {
        indicator_blocks.push(Block::Table(Table {
            headers: vec![
                "Mã".into(),
                "Chỉ tiêu".into(),
                "Đơn vị tính".into(),
                "Thực hiện".into(),
                "Mục tiêu".into(),
                "Mức đạt".into(),
                "Đánh giá".into(),
            ],
            rows: d
                .indicators
                .iter()
                .map(|i| {
                    vec![
                        i.code.clone(),
                        i.name.clone(),
                        i.unit_of_measure.clone().unwrap_or_default(),
                        num(i.value),
                        num(i.target),
                        pct(i.attainment.and_then(|a| a.percent)),
                        i.attainment
                            .map(|a| a.status.label(lang).to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
            widths: vec![8, 40, 10, 10, 10, 10, 12],
            numeric: vec![false, false, false, true, true, true, false],
        }));
        for i in &d.indicators {
            let figure = indicator_chart(i, lang);
            indicator_blocks.push(Block::Chart(ChartBlock {
                caption: figure.title,
                svg: figure.svg,
            }));
        }
    }
    sections.push(Section {
        heading: format!("VI. CHỈ TIÊU NĂM {}", d.year),
        blocks: indicator_blocks,
    });

    ProgressReport {
        parent_body: issuer.parent_body.to_uppercase(),
        issuer: issuer.body.to_uppercase(),
        number: format!("Số:        /BC-{}", issuer.symbol),
        place_date: place_date(&issuer.place, d.today),
        kind: "BÁO CÁO".into(),
        subject: format!("Kết quả thực hiện {} ({})", plan_title, period.label(lang)),
        sections,
        recipients: vec![
            "- Ban Chỉ đạo chuyển đổi số tỉnh (b/c);".into(),
            "- UBND tỉnh (b/c);".into(),
            "- Các sở, ban, ngành; UBND các địa phương;".into(),
            "- Lưu: VT.".into(),
        ],
        signer_title: vec!["KT. GIÁM ĐỐC".into(), "PHÓ GIÁM ĐỐC".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_header_lines_follow_decree_30() {
        assert_eq!(symbol_of("Sở Thông tin và Truyền thông"), "STTTT");
        assert_eq!(symbol_of("Sở Khoa học và Công nghệ"), "SKHCN");
        assert_eq!(place_of("Tỉnh Bình Định"), "Bình Định");
        assert_eq!(place_of("Thành phố Hồ Chí Minh"), "Hồ Chí Minh");
        assert_eq!(
            place_date("Bình Định", date!(2026 - 11 - 28)),
            "Bình Định, ngày 28 tháng 11 năm 2026"
        );
        assert_eq!(
            place_date("Gia Lai", date!(2026 - 02 - 05)),
            "Gia Lai, ngày 05 tháng 02 năm 2026",
            "days below 10 and months 1–2 take a leading zero"
        );
        assert_eq!(
            place_date("Gia Lai", date!(2026 - 03 - 05)),
            "Gia Lai, ngày 05 tháng 3 năm 2026"
        );
        assert_eq!(
            report_period(2025, date!(2026 - 11 - 28)),
            Period::Year(2025)
        );
        assert_eq!(
            report_period(2026, date!(2026 - 11 - 28)),
            Period::Quarter(2026, 4)
        );
    }
}
