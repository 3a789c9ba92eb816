//! Renders the progress report and the briefing, re-opens the PDFs with a text
//! extractor and checks the words, the numbers and the page counts.

use std::time::Instant;

use dxplan_domain::dashboard::{
    Dashboard, KeyIndicator, Obstacle, OverdueTask, PlanRef, Row, TaskFact, UnitRef, UnitRow,
    YearFigure, tally,
};
use dxplan_domain::indicator::{Attainment, AttainmentStatus};
use dxplan_domain::issuer::IssuerBlock;
use dxplan_domain::task::TaskStatus;
use dxplan_domain::unit::UnitKind;
use dxplan_pdf::{briefing_pdf, progress_pdf};
use dxplan_report::progress::{
    Block, ChartBlock, Letterhead, ProgressReport, Section, Table, progress_report,
};
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2026 - 11 - 28);
const HOSTILE: &str = r#"#set page(width: 1cm) *bold* $x$ [a] <b> @c \ "q""#;

/// The text of each page, whitespace runs made single spaces (a line may wrap anywhere).
fn pages(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf)
        .expect("the PDF re-opens")
        .into_iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn text(pdf: &[u8]) -> String {
    pages(pdf).join(" ")
}

fn assert_has(text: &str, needle: &str) {
    let needle = needle.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(&needle),
        "{needle:?} not found in the extracted text:\n{text}"
    );
}

fn fact(status: TaskStatus, due: Date, progress: i64, budget: i64) -> TaskFact {
    TaskFact {
        group_id: Some(1),
        lead_unit_id: 1,
        status,
        due,
        completed_on: (status == TaskStatus::Completed).then_some(due),
        progress,
        budget_planned: budget,
        budget_disbursed: budget / 2,
        acquisition_mode: None,
        key_task: false,
    }
}

fn unit(id: i64, name: &str) -> UnitRef {
    UnitRef {
        id,
        code: format!("U{id:02}"),
        name: name.into(),
        kind: UnitKind::Department,
    }
}

fn indicator(i: usize, name: &str, value: f64, target: f64) -> KeyIndicator {
    let percent = value * 100.0 / target;
    KeyIndicator {
        code: format!("CT{i:02}"),
        name: name.into(),
        unit_of_measure: Some("%".into()),
        period_type: dxplan_domain::indicator::PeriodType::Quarter,
        forecast: dxplan_domain::forecast::Forecast::unknown(),
        value: Some(value),
        target: Some(target),
        attainment: Some(Attainment {
            percent: Some(percent),
            status: if percent >= 100.0 {
                AttainmentStatus::Achieved
            } else {
                AttainmentStatus::NotAchieved
            },
        }),
        reported_units: 3,
        missing_units: 1,
        trend: (2022..=2026)
            .map(|year| YearFigure {
                year,
                value: Some(value * f64::from(year - 2020) / 6.0),
                target: Some(target),
            })
            .collect(),
    }
}

fn empty_dashboard() -> Dashboard {
    Dashboard {
        unit: unit(1, "Ủy ban nhân dân tỉnh Bình Định"),
        plan: None,
        plans: vec![],
        year: 2026,
        period: None,
        today: TODAY,
        as_it_was: false,
        overall: tally(&[], TODAY),
        statuses: vec![],
        pillars: vec![],
        groups: vec![],
        units: vec![],
        department_ranking: vec![],
        locality_ranking: vec![],
        overdue: vec![],
        overdue_total: 0,
        due_soon: vec![],
        due_soon_total: 0,
        silent_units: vec![],
        indicators: vec![],
        modes: vec![],
        obstacles: vec![],
        peers: vec![],
    }
}

/// A dashboard with `units` units (the first is "Sở Khoa học và Công nghệ", one is named
/// with the hostile string), `indicators` indicators and `obstacles` obstacles whose
/// texts are `obstacle_len` characters long.
fn dashboard(units: usize, indicators: usize, obstacles: usize, obstacle_len: usize) -> Dashboard {
    let mut d = empty_dashboard();
    d.plan = Some(PlanRef {
        id: 1,
        year: 2026,
        title: "Kế hoạch chuyển đổi số năm 2026".into(),
    });
    let mut all = Vec::new();
    for i in 0..units {
        let name = match i {
            0 => "Sở Khoa học và Công nghệ".to_string(),
            1 => HOSTILE.to_string(),
            _ => format!("Ủy ban nhân dân huyện Hoài Ân số {i} với tên rất dài để thử cắt ngắn"),
        };
        let facts: Vec<TaskFact> = (0..4)
            .map(|k| {
                let status = if k == 0 {
                    TaskStatus::Completed
                } else {
                    TaskStatus::InProgress
                };
                let due = if k == 3 {
                    date!(2026 - 06 - 30)
                } else {
                    date!(2026 - 12 - 31)
                };
                // 1.234,5 million đồng over the plan: 1 234 500 000 on the first unit.
                let budget = if i == 0 && k == 0 { 1_234_500_000 } else { 0 };
                fact(status, due, (i as i64 * 7 + k * 13) % 100, budget)
            })
            .collect();
        all.extend(facts.iter().cloned());
        d.units.push(UnitRow {
            unit: unit(i as i64 + 1, &name),
            tally: tally(&facts, TODAY),
            by_group: vec![Some(50.0)],
        });
    }
    d.overall = tally(&all, TODAY);
    d.department_ranking = (0..units).collect();
    d.groups = vec![Row {
        key: "1".into(),
        code: "1".into(),
        name: "Phát triển chính quyền số".into(),
        name_en: None,
        tally: d.overall.clone(),
    }];
    d.modes = vec![Row {
        key: "rent".into(),
        code: "rent".into(),
        name: "Thuê dịch vụ".into(),
        name_en: None,
        tally: d.overall.clone(),
    }];
    d.overdue = vec![OverdueTask {
        id: 9,
        code: "NV-09".into(),
        title: "Xây dựng kho dữ liệu dùng chung của tỉnh".into(),
        unit: "Sở Khoa học và Công nghệ".into(),
        due: date!(2026 - 06 - 30),
        days_late: 151,
        progress: 40,
    }];
    d.overdue_total = 1;
    d.indicators = (0..indicators)
        .map(|i| {
            let name = if i == 0 {
                "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình".to_string()
            } else {
                format!("Chỉ tiêu số {i} về kinh tế số, xã hội số và chính quyền số của tỉnh, đo theo hướng dẫn của Bộ")
            };
            // The first: 1.234,5 of 2.000 (61,7 %), the most off target of the first few.
            let value = if i == 0 { 1234.5 } else { 1500.0 + i as f64 * 37.0 };
            indicator(i, &name, value, 2000.0)
        })
        .collect();
    let long = "Chưa có hướng dẫn định mức kinh tế - kỹ thuật cho thuê dịch vụ; "
        .repeat(obstacle_len / 60 + 1);
    d.obstacles = (0..obstacles)
        .map(|i| Obstacle {
            period: "Quý IV/2026".into(),
            task_id: i as i64,
            task_code: format!("NV-{i:02}"),
            task_title: "Triển khai nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh (LGSP)".into(),
            group_code: Some("1".into()),
            group_name: Some("Phát triển chính quyền số".into()),
            unit_name: "Sở Khoa học và Công nghệ".into(),
            progress: 30,
            obstacles: Some(if i == 0 {
                HOSTILE.to_string()
            } else {
                long.chars().take(obstacle_len).collect()
            }),
            proposals: Some(long.chars().take(obstacle_len).collect()),
        })
        .collect();
    d
}

fn issuer() -> Letterhead {
    let block = IssuerBlock {
        governing_body: Some("UBND TỈNH GIA LAI".into()),
        agency: vec!["SỞ KHOA HỌC VÀ CÔNG NGHỆ".into()],
        symbol: "SKHCN".into(),
        place: "Gia Lai".into(),
        signer_title: vec!["KT. GIÁM ĐỐC".into(), "PHÓ GIÁM ĐỐC".into()],
        signer_name: Some("Nguyễn Văn An".into()),
        recipients: vec!["- UBND tỉnh (b/c);".into(), "- Lưu: VT.".into()],
    };
    Letterhead::new(&block, "BC", TODAY, TODAY.midnight().assume_utc())
}

fn write_artifact(name: &str, pdf: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(dir.join(name), pdf).expect("write the PDF for a look");
}

#[test]
fn the_progress_report_carries_vietnamese_text_numbers_and_hostile_text_exactly() {
    let d = dashboard(8, 3, 3, 300);
    let mut report = progress_report(&d, issuer());
    report.sections.push(Section {
        heading: "VII. NỘI DUNG KHÁC".into(),
        blocks: vec![
            Block::Paragraph(HOSTILE.into()),
            Block::Labelled(format!("{HOSTILE}: "), HOSTILE.into()),
        ],
    });

    let started = Instant::now();
    let pdf = progress_pdf(&report).expect("the report renders");
    let first = started.elapsed();
    let started = Instant::now();
    let again = progress_pdf(&report).expect("the report renders again");
    let second = started.elapsed();
    println!(
        "progress report: {} bytes, first render {first:?}, second {second:?}",
        pdf.len()
    );
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pdf.len(), again.len(), "rendering is deterministic in size");
    write_artifact("progress.pdf", &pdf);

    let pages = pages(&pdf);
    let all = pages.join(" ");
    for needle in [
        "UBND TỈNH GIA LAI",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "Số: /BC-SKHCN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Gia Lai, ngày 28 tháng 11 năm 2026",
        "BÁO CÁO",
        "Quý IV/2026",
        "Sở Khoa học và Công nghệ",
        "I. KẾT QUẢ CHUNG",
        "V. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT",
        "1.234,5",
        "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình",
        "Nơi nhận:",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn An",
        HOSTILE,
    ] {
        assert_has(&all, needle);
    }
    assert!(
        pages.len() >= 3,
        "a report of this size spans pages: {}",
        pages.len()
    );
    // Hostile text broke nothing: the page is still A4 (a 1 cm page would hold a few
    // letters per page and run to hundreds of pages).
    assert!(pages.len() < 30, "{} pages", pages.len());
    // Page numbers at the top from page 2: the first page has none, the last page
    // begins with its number.
    let n = pages.len();
    assert!(
        pages[n - 1].trim_start().starts_with(&format!("{n} ")),
        "page {n} begins: {}",
        pages[n - 1].chars().take(80).collect::<String>()
    );
    assert!(
        pages[0].starts_with("UBND TỈNH GIA LAI"),
        "{}",
        pages[0].chars().take(80).collect::<String>()
    );
}

#[test]
fn a_hand_built_report_with_odd_tables_and_a_chart_renders() {
    let report = ProgressReport {
        letterhead: Letterhead {
            governing_body: Some(HOSTILE.into()),
            agency: vec!["SỞ KHOA HỌC VÀ CÔNG NGHỆ".into(), HOSTILE.into()],
            number: "Số:        /BC-SKHCN".into(),
            excerpt: None,
            place_date: "Bình Định, ngày 05 tháng 02 năm 2027".into(),
            recipients: vec![HOSTILE.into()],
            signer_title: vec!["GIÁM ĐỐC".into()],
            signer_name: Some(HOSTILE.into()),
            author: HOSTILE.into(),
            created: TODAY.midnight().assume_utc(),
        },
        kind: "BÁO CÁO".into(),
        subject: HOSTILE.into(),
        addressees: Vec::new(),
        sections: vec![Section {
            heading: HOSTILE.into(),
            blocks: vec![
                Block::Table(Table {
                    headers: vec!["Đơn vị".into(), "Giá trị".into()],
                    // A short row, a long row, a hostile cell.
                    rows: (0..60)
                        .map(|i| match i {
                            0 => vec![HOSTILE.into()],
                            1 => vec!["a".into(), "1.234,5".into(), "extra".into()],
                            _ => vec![format!("Huyện {i}"), format!("{i}")],
                        })
                        .collect(),
                    widths: vec![3],
                    numeric: vec![false, true],
                }),
                Block::Table(Table {
                    headers: vec![],
                    rows: vec![],
                    widths: vec![],
                    numeric: vec![],
                }),
                Block::Chart(ChartBlock {
                    caption: HOSTILE.into(),
                    svg: r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200"><rect x="10" y="10" width="300" height="40" fill="#1f77b4"/><text x="10" y="120" font-family="Liberation Sans, DejaVu Sans" font-size="20">Tiến độ</text></svg>"##.into(),
                }),
            ],
        }],
    };
    let pdf = progress_pdf(&report).expect("renders");
    write_artifact("hand-built.pdf", &pdf);
    let pages = pages(&pdf);
    let all = pages.join(" ");
    assert_has(&all, "Bình Định, ngày 05 tháng 02 năm 2027");
    assert_has(&all, "1.234,5");
    assert_has(&all, "Huyện 59");
    assert!(
        all.matches(&HOSTILE.split_whitespace().collect::<Vec<_>>().join(" "))
            .count()
            >= 4
    );
    assert!(
        pages.len() >= 2 && pages.len() < 10,
        "{} pages",
        pages.len()
    );
    // The header row repeats on the second page.
    assert_has(&pages[1], "Đơn vị Giá trị");
}

#[test]
fn the_briefing_is_one_page_with_the_headline_and_the_laggards() {
    let d = dashboard(8, 6, 3, 150);
    let pdf = briefing_pdf(&d, &issuer()).expect("the briefing renders");
    write_artifact("briefing.pdf", &pdf);
    println!("briefing: {} bytes", pdf.len());
    let pages = pages(&pdf);
    assert_eq!(pages.len(), 1);
    let all = &pages[0];
    for needle in [
        // The issuing agency heads the page, as it heads the report.
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ TÌNH HÌNH CHUYỂN ĐỔI SỐ NĂM 2026",
        "TÌNH HÌNH CHUYỂN ĐỔI SỐ NĂM 2026",
        "Sở Khoa học và Công nghệ",
        "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình",
        "1.234,5",
        "61,7 %",
        "Số liệu đến ngày 28/11/2026",
        HOSTILE,
    ] {
        assert_has(all, needle);
    }
}

#[test]
fn the_briefing_stays_one_page_with_long_lists_and_texts() {
    let d = dashboard(40, 30, 12, 5_000);
    let pdf = briefing_pdf(&d, &issuer()).expect("renders");
    write_artifact("briefing-long.pdf", &pdf);
    let pages = pages(&pdf);
    assert_eq!(pages.len(), 1, "one page");
    // Only the first 4 obstacles, each cut.
    assert!(pages[0].contains("NV-03") && !pages[0].contains("NV-04"));
    assert!(pages[0].contains('…'));

    // Very long names everywhere still make one page.
    let mut d = dashboard(40, 30, 12, 5_000);
    for u in &mut d.units {
        u.unit.name = "Trung tâm Phục vụ hành chính công ".repeat(40);
    }
    for i in &mut d.indicators {
        i.name = "Tỷ lệ ".repeat(300);
        i.code = "X".repeat(200);
    }
    d.unit.name = "Ủy ban ".repeat(200);
    d.plan.as_mut().unwrap().title = "Kế hoạch ".repeat(100);
    let pdf = briefing_pdf(&d, &issuer()).expect("renders");
    write_artifact("briefing-longest.pdf", &pdf);
    assert_eq!(pages_of(&pdf), 1);
}

fn pages_of(pdf: &[u8]) -> usize {
    pages(pdf).len()
}

#[test]
fn an_empty_dashboard_renders_both_documents() {
    let d = empty_dashboard();
    let report = progress_report(&d, issuer());
    let pdf = progress_pdf(&report).expect("the report renders");
    let all = text(&pdf);
    assert_has(&all, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert_has(&all, "Không có nhiệm vụ quá hạn.");
    let pdf = briefing_pdf(&d, &issuer()).expect("the briefing renders");
    let pages = pages(&pdf);
    assert_eq!(pages.len(), 1);
    assert_has(&pages[0], "Chưa có đơn vị nào có nhiệm vụ đang theo dõi.");
}

#[test]
fn renders_after_the_first_are_fast() {
    let d = dashboard(12, 5, 4, 300);
    let report = progress_report(&d, issuer());
    let started = Instant::now();
    progress_pdf(&report).expect("renders");
    let cold = started.elapsed();
    let mut warm = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        progress_pdf(&report).expect("renders");
        warm.push(started.elapsed());
    }
    let started = Instant::now();
    briefing_pdf(&d, &issuer()).expect("renders");
    let briefing = started.elapsed();
    let started = Instant::now();
    briefing_pdf(&d, &issuer()).expect("renders");
    let briefing_warm = started.elapsed();
    // "cold" is the first render in this test process only when this test runs first.
    println!(
        "progress: first {cold:?}, then {warm:?}; briefing: first {briefing:?}, then {briefing_warm:?}"
    );
}
