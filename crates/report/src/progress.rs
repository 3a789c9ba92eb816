//! The progress report of a plan as a document model: the Vietnamese administrative
//! layout of Decree 30/2020/NĐ-CP (issuing body, national title and motto, number and
//! symbol, place and date, title, numbered sections, recipients, signature). The Word
//! and PDF writers render this one model, so both carry the same words and numbers.

use dxplan_domain::Lang;
use dxplan_domain::dashboard::{Dashboard, Row, Tally};
use dxplan_domain::issuer::IssuerBlock;
use dxplan_domain::period::Period;
use dxplan_domain::text::{format_int, format_number};
use time::{Date, OffsetDateTime};

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

/// The parts of a Decree 30 document around its body: who issues it, its number and
/// date, and who receives and signs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Letterhead {
    /// The governing body above the issuer (`UBND TỈNH GIA LAI`), if any.
    pub governing_body: Option<String>,
    /// The issuing agency, a line each (`ỦY BAN NHÂN DÂN` / `PHƯỜNG QUY NHƠN`).
    pub agency: Vec<String>,
    /// `Số:        /BC-SKHCN` with a blank for the number the clerk writes in.
    pub number: String,
    /// An official letter's summary under its number (`V/v đôn đốc …`).
    pub excerpt: Option<String>,
    /// `Gia Lai, ngày 28 tháng 11 năm 2026`.
    pub place_date: String,
    /// `Nơi nhận:` lines.
    pub recipients: Vec<String>,
    /// `KT. GIÁM ĐỐC` / `PHÓ GIÁM ĐỐC`.
    pub signer_title: Vec<String>,
    /// Printed under the space for the signature.
    pub signer_name: Option<String>,
    /// The document's author in its properties: the issuing agency's name.
    pub author: String,
    /// When the document was made, for its properties.
    pub created: OffsetDateTime,
}

impl Letterhead {
    /// A bare letterhead of an agency (its lines) and a number, for a document's tests.
    #[cfg(test)]
    pub(crate) fn bare(agency: &[&str], number: &str) -> Letterhead {
        Letterhead {
            governing_body: None,
            agency: agency.iter().map(|line| line.to_string()).collect(),
            number: number.into(),
            excerpt: None,
            place_date: String::new(),
            recipients: Vec::new(),
            signer_title: Vec::new(),
            signer_name: None,
            author: String::new(),
            created: OffsetDateTime::UNIX_EPOCH,
        }
    }

    /// The letterhead of a document of `kind` (`BC` for a report) dated `day`, made at
    /// `created`, by the unit whose block this is.
    pub fn new(issuer: &IssuerBlock, kind: &str, day: Date, created: OffsetDateTime) -> Letterhead {
        Letterhead {
            governing_body: issuer.governing_body.clone(),
            agency: issuer.agency.clone(),
            number: format!(
                "Số:{NBSP}{NBSP}{NBSP}{NBSP}{NBSP}{NBSP}{NBSP}{NBSP}/{kind}-{}",
                issuer.symbol
            ),
            excerpt: None,
            place_date: place_date(&issuer.place, day),
            recipients: issuer.recipients.clone(),
            signer_title: issuer.signer_title.clone(),
            signer_name: issuer.signer_name.clone(),
            author: issuer.agency.join(" "),
            created,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgressReport {
    pub letterhead: Letterhead,
    /// `BÁO CÁO`.
    pub kind: String,
    /// `Kết quả thực hiện Kế hoạch chuyển đổi số năm 2026 (Quý IV/2026)`.
    pub subject: String,
    /// An official letter's `Kính gửi:` lines (empty for a report).
    pub addressees: Vec<String>,
    pub sections: Vec<Section>,
}

/// A no-break space: keeps `75 %`, `ngày 05` and `Quý IV/2026` whole across lines.
pub const NBSP: char = '\u{a0}';

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{}{NBSP}%", format_number(v, 1)))
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
/// as Decree 30 asks for days 1–9 and months 1–2 only: "ngày 05 tháng 02"), each number
/// held to its word so the line breaks only between the parts.
pub fn place_date(place: &str, day: Date) -> String {
    let month = u8::from(day.month());
    let month = if month <= 2 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!(
        "{place}, ngày{NBSP}{:02} tháng{NBSP}{month} năm{NBSP}{}",
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

/// A sentence part that ends a sentence: without its own final full stop, so that
/// joining parts never writes "..".
fn clause(text: &str) -> &str {
    text.trim().trim_end_matches(['.', ';', ' '])
}

/// The counts as the national follow-up systems report them: completed, within the
/// deadline (regular tasks apart), overdue, regular; then the key tasks and what is due soon.
fn national_counts(o: &Tally, due_soon: u32) -> String {
    use dxplan_domain::task::NationalBucket::*;
    let mut text = format!(
        "Theo cách phân loại của hệ thống theo dõi nhiệm vụ quốc gia: {} nhiệm vụ đã hoàn thành, {} nhiệm vụ đang thực hiện trong hạn, {} nhiệm vụ quá hạn, {} nhiệm vụ thường xuyên.",
        count(o.national(Completed)),
        count(o.national(WithinDeadline)),
        count(o.national(Overdue)),
        count(o.national(Regular)),
    );
    if o.key_tasks > 0 {
        text.push_str(&format!(
            " Trong {} nhiệm vụ trọng tâm, đã hoàn thành {}, quá hạn {}.",
            count(o.key_tasks),
            count(o.key_completed),
            count(o.key_overdue),
        ));
    }
    if due_soon > 0 {
        text.push_str(&format!(
            " Có {} nhiệm vụ sắp đến hạn, cần tập trung hoàn thành.",
            count(due_soon)
        ));
    }
    text
}

/// The progress report of the dashboard's plan and unit, as of its day.
pub fn progress_report(d: &Dashboard, letterhead: Letterhead) -> ProgressReport {
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
            Block::Paragraph(national_counts(o, d.due_soon_total)),
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
                        format!("{}{NBSP}%", t.progress),
                    ]
                })
                .collect(),
            widths: vec![8, 35, 22, 13, 11, 9],
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

    // Grouped in the plan's order of groups (the list comes newest first), ungrouped last.
    let group_rank = |code: &Option<String>| {
        code.as_ref()
            .and_then(|c| d.groups.iter().position(|g| &g.code == c))
            .unwrap_or(usize::MAX)
    };
    let mut listed: Vec<_> = d.obstacles.iter().collect();
    listed.sort_by_key(|r| group_rank(&r.group_code));
    let mut obstacles = Vec::new();
    let mut last_group: Option<String> = None;
    for r in listed {
        let group = match (&r.group_code, &r.group_name) {
            (Some(c), Some(n)) => format!("{c}. {n}"),
            _ => "Chưa phân nhóm".into(),
        };
        if last_group.as_ref() != Some(&group) {
            obstacles.push(Block::Labelled(group.clone(), String::new()));
            last_group = Some(group);
        }
        let period = Period::parse(&r.period)
            .map(|p| p.label(lang).replace(' ', &NBSP.to_string()))
            .unwrap_or_else(|| r.period.clone());
        let mut text = format!(
            "{} {} ({}, {period})",
            r.task_code,
            clause(&r.task_title),
            r.unit_name
        );
        if let Some(o) = r.obstacles.as_deref().map(clause).filter(|o| !o.is_empty()) {
            text.push_str(&format!(". Vướng mắc: {o}"));
        }
        if let Some(p) = r.proposals.as_deref().map(clause).filter(|p| !p.is_empty()) {
            text.push_str(&format!(". Đề xuất: {p}"));
        }
        obstacles.push(Block::Paragraph(format!("- {text}.")));
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
                "Dự báo cả năm".into(),
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
                        // The projected figure, then the outlook in words.
                        match i.forecast.is_projection() {
                            true => {
                                format!("{}: {}", num(i.forecast.value), i.forecast.label(lang))
                            }
                            false => i.forecast.label(lang).to_string(),
                        },
                    ]
                })
                .collect(),
            widths: vec![8, 29, 8, 9, 8, 9, 11, 18],
            numeric: vec![false, false, false, true, true, true, false, false],
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
        addressees: Vec::new(),
        letterhead,
        kind: "BÁO CÁO".into(),
        subject: format!(
            "Kết quả thực hiện {} ({})",
            clause(&plan_title),
            period.label(lang).replace(' ', &NBSP.to_string())
        ),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_header_lines_follow_decree_30() {
        assert_eq!(
            place_date("Bình Định", date!(2026 - 11 - 28)),
            "Bình Định, ngày\u{a0}28 tháng\u{a0}11 năm\u{a0}2026"
        );
        assert_eq!(
            place_date("Gia Lai", date!(2026 - 02 - 05)),
            "Gia Lai, ngày\u{a0}05 tháng\u{a0}02 năm\u{a0}2026",
            "days below 10 and months 1–2 take a leading zero"
        );
        assert_eq!(
            place_date("Gia Lai", date!(2026 - 03 - 05)),
            "Gia Lai, ngày\u{a0}05 tháng\u{a0}3 năm\u{a0}2026"
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
