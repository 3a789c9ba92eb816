//! An assessment round's results: the ranking chart, a radar per unit, and the workbook
//! with the ranking, the pillar breakdown and the change since last year.

use dxplan_charts::{self as charts, Bar, Chart, Series};
use dxplan_domain::Lang;
use dxplan_domain::assessment::{PreviousBasis, UnitResult};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

use crate::dashboard_charts::Figure;

pub struct ResultsCharts {
    pub ranking: Figure,
    /// One per result, in the same order.
    pub radars: Vec<Figure>,
}

fn chart(id: &str, title: &str, description: String, lang: Lang) -> Chart {
    Chart {
        id: id.into(),
        title: title.into(),
        description,
        lang,
    }
}

/// The ranking as bars of the total index, and each unit's pillars as a radar of their
/// 0–1 values against the average of all units.
pub fn charts(results: &[UnitResult], lang: Lang) -> ResultsCharts {
    let t = |vi: &str, en: &str| lang.pick(vi, en).to_string();
    let title = t("Xếp hạng theo chỉ số tổng hợp", "Ranking by total index");
    let bars: Vec<Bar> = results
        .iter()
        .map(|r| Bar {
            label: format!("{}. {}", r.rank, r.unit_name),
            value: r.index.unwrap_or(f64::NAN),
            href: None,
        })
        .collect();
    let ranking = Figure {
        svg: charts::bar(
            &chart(
                "c-ranking",
                &title,
                t(
                    "Chỉ số tổng hợp (thang 0–1) của từng đơn vị, từ cao xuống thấp.",
                    "Each unit's total index (0–1 scale), best first.",
                ),
                lang,
            ),
            &bars,
            "",
            Some(1.0),
            None,
        ),
        table: charts::table(
            &title,
            &[t("Đơn vị", "Unit"), t("Chỉ số", "Index")],
            &results
                .iter()
                .map(|r| (format!("{}. {}", r.rank, r.unit_name), vec![r.index]))
                .collect::<Vec<_>>(),
            "",
        ),
        title,
    };
    let axes: Vec<String> = results
        .first()
        .map(|r| r.pillars.iter().map(|p| p.name.clone()).collect())
        .unwrap_or_default();
    let count = results.len().max(1) as f64;
    let average: Vec<Option<f64>> = (0..axes.len())
        .map(|i| {
            Some(
                results
                    .iter()
                    .filter_map(|r| r.pillars.get(i).and_then(|p| p.index))
                    .sum::<f64>()
                    / count,
            )
        })
        .collect();
    let radars = results
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let title = format!(
                "{} — {}",
                r.unit_name,
                t("chỉ số thành phần", "main indices")
            );
            let own: Vec<Option<f64>> = r.pillars.iter().map(|p| p.index).collect();
            let series = [
                Series {
                    name: r.unit_name.clone(),
                    values: own.clone(),
                },
                Series {
                    name: t("Bình quân các đơn vị", "Average of all units"),
                    values: average.clone(),
                },
            ];
            Figure {
                svg: charts::radar(
                    &chart(
                        &format!("c-radar-{n}"),
                        &title,
                        t(
                            "Giá trị từng chỉ số chính (thang 0–1) của đơn vị so với bình quân.",
                            "The unit's value of each main index (0–1) against the average.",
                        ),
                        lang,
                    ),
                    &axes,
                    &series,
                    1.0,
                ),
                table: charts::table(
                    &title,
                    &[
                        t("Chỉ số chính", "Main index"),
                        r.unit_name.clone(),
                        t("Bình quân", "Average"),
                    ],
                    &axes
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (a.clone(), vec![own.get(i).copied().flatten(), average[i]]))
                        .collect::<Vec<_>>(),
                    "",
                ),
                title,
            }
        })
        .collect();
    ResultsCharts { ranking, radars }
}

/// The results workbook: ranking with points, index and change; the pillar breakdown
/// (points and 0–1 value of each main index); the criteria where each unit lost most.
pub fn results_xlsx(title: &str, results: &[UnitResult], lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let t = |vi: &'static str, en: &'static str| lang.pick(vi, en);
    let mut book = Workbook::new();
    let header = crate::header_format();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let points = cell.clone().set_num_format("#,##0.00");
    let index = cell.clone().set_num_format("0.0000");
    let bold = Format::new().set_bold().set_font_size(14);

    let sheet = book.add_worksheet();
    sheet.set_name(t("Xếp hạng", "Ranking"))?;
    sheet.write_with_format(0, 0, title, &bold)?;
    let mut headers = vec![
        t("Hạng", "Rank").to_string(),
        t("Đơn vị", "Unit").to_string(),
        t("Điểm", "Points").to_string(),
        t("Điểm tối đa", "Maximum").to_string(),
        t("Chỉ số (0–1)", "Index (0–1)").to_string(),
        t("Năm trước", "Last year").to_string(),
        t("Thay đổi", "Change").to_string(),
        t("Ghi chú về sắp xếp đơn vị", "Reorganisation note").to_string(),
    ];
    if let Some(first) = results.first() {
        for p in &first.pillars {
            headers.push(format!("{} {} ({})", p.code, p.name, t("điểm", "points")));
            headers.push(format!("{} {} (0–1)", p.code, p.name));
        }
    }
    for (col, h) in headers.iter().enumerate() {
        sheet.write_with_format(2, col as u16, h.as_str(), &header)?;
    }
    for (i, r) in results.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_with_format(row, 0, r.rank as u32, &cell)?;
        sheet.write_with_format(row, 1, r.unit_name.as_str(), &cell)?;
        sheet.write_with_format(row, 2, r.points, &points)?;
        sheet.write_with_format(row, 3, r.max, &points)?;
        for (col, v) in [(4, r.index), (5, r.previous_index), (6, r.change)] {
            match v {
                Some(v) => sheet.write_with_format(row, col, v, &index)?,
                None => sheet.write_with_format(row, col, "", &cell)?,
            };
        }
        // A merged unit's "last year" is its predecessors' average, and in today's units
        // a row may average the round's units it continues: say so beside it.
        sheet.write_with_format(row, 7, reorganisation_note(r, lang), &cell)?;
        for (k, p) in r.pillars.iter().enumerate() {
            let col = 8 + 2 * k as u16;
            sheet.write_with_format(row, col, p.points, &points)?;
            match p.index {
                Some(v) => sheet.write_with_format(row, col + 1, v, &index)?,
                None => sheet.write_with_format(row, col + 1, "", &cell)?,
            };
        }
    }
    sheet.set_column_width(1, 40)?;
    for col in 2..headers.len() as u16 {
        sheet.set_column_width(col, 14)?;
    }
    sheet.set_column_width(7, 40)?;
    sheet.set_freeze_panes(3, 2)?;
    if !results.is_empty() {
        sheet.autofilter(2, 0, 2 + results.len() as u32, headers.len() as u16 - 1)?;
    }

    let lost = book.add_worksheet();
    lost.set_name(t("Điểm bị mất", "Points lost"))?;
    let lost_headers = [
        t("Đơn vị", "Unit"),
        t("Tiêu chí", "Criterion"),
        t("Điểm tối đa", "Maximum"),
        t("Điểm đạt", "Points"),
        t("Điểm bị mất", "Lost"),
    ];
    for (col, h) in lost_headers.iter().enumerate() {
        lost.write_with_format(0, col as u16, *h, &header)?;
    }
    let mut row = 1;
    for r in results {
        for l in &r.lost {
            lost.write_with_format(row, 0, r.unit_name.as_str(), &cell)?;
            lost.write_with_format(row, 1, format!("{} {}", l.code, l.name), &cell)?;
            lost.write_with_format(row, 2, l.max, &points)?;
            lost.write_with_format(row, 3, l.points, &points)?;
            lost.write_with_format(row, 4, l.lost, &points)?;
            row += 1;
        }
    }
    lost.set_column_width(0, 36)?;
    lost.set_column_width(1, 60)?;
    lost.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// The results as a Decree 30 report (the same model the progress report uses), for the
/// PDF: the ranking, the ranking chart, the pillar breakdown and the points lost.
pub fn results_report(
    title: &str,
    year: i64,
    published: bool,
    results: &[UnitResult],
    letterhead: crate::progress::Letterhead,
) -> crate::progress::ProgressReport {
    use crate::progress::{Block, ChartBlock, ProgressReport, Section, Table};
    use dxplan_domain::text::format_number;
    let lang = Lang::Vi;
    let n = |v: f64| format_number(v, 2);
    let idx = |v: Option<f64>| v.map_or("–".to_string(), |v| format_number(v, 4));
    let charts = charts(results, lang);
    let ranking = Table {
        headers: vec![
            "Hạng".into(),
            "Đơn vị".into(),
            "Điểm".into(),
            "Chỉ số (0–1)".into(),
            "Thay đổi so với năm trước".into(),
        ],
        rows: results
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    // Marks a row averaging the round's units it continues (today's
                    // units), explained under the table.
                    if r.carried_from.is_some() {
                        format!("{} (**)", r.unit_name)
                    } else {
                        r.unit_name.clone()
                    },
                    format!("{}/{}", n(r.points), n(r.max)),
                    idx(r.index),
                    r.change.map_or("–".into(), |c| {
                        format!(
                            "{}{}{}",
                            if c > 0.0 { "+" } else { "" },
                            format_number(c, 4),
                            // Marks a change against a merged unit's predecessors,
                            // explained under the table.
                            if derived(r) { " (*)" } else { "" }
                        )
                    }),
                ]
            })
            .collect(),
        widths: vec![1, 5, 2, 2, 2],
        numeric: vec![true, false, true, true, true],
    };
    let carried = results.iter().filter_map(|r| {
        let label = r.carried_from.as_ref()?.label(lang)?;
        Some(Block::Paragraph(format!(
            "(**) {}: chỉ số {} — {label}.",
            r.unit_name,
            idx(r.index)
        )))
    });
    let notes: Vec<Block> = results
        .iter()
        .filter_map(|r| {
            // Only a derived basis has a label: a unit's own result needs no note.
            let label = r.previous_basis.as_ref()?.label(lang)?;
            Some(Block::Paragraph(format!(
                "(*) {}: chỉ số năm trước {} — {label}.",
                r.unit_name,
                idx(r.previous_index)
            )))
        })
        .chain(carried)
        .collect();
    let mut pillar_headers = vec!["Đơn vị".to_string()];
    if let Some(first) = results.first() {
        pillar_headers.extend(
            first
                .pillars
                .iter()
                .map(|p| format!("{} (tối đa {})", p.name, n(p.max))),
        );
    }
    let columns = pillar_headers.len();
    let pillars = Table {
        headers: pillar_headers,
        rows: results
            .iter()
            .map(|r| {
                std::iter::once(r.unit_name.clone())
                    .chain(
                        r.pillars
                            .iter()
                            .map(|p| format!("{} ({})", n(p.points), idx(p.index))),
                    )
                    .collect()
            })
            .collect(),
        widths: std::iter::once(4)
            .chain(std::iter::repeat_n(2, columns - 1))
            .collect(),
        numeric: std::iter::once(false)
            .chain(std::iter::repeat_n(true, columns - 1))
            .collect(),
    };
    let lost: Vec<Block> = results
        .iter()
        .filter(|r| !r.lost.is_empty())
        .map(|r| {
            Block::Labelled(
                format!("{}: ", r.unit_name),
                r.lost
                    .iter()
                    .map(|l| format!("{} {} (−{})", l.code, l.name, n(l.lost)))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
        .collect();
    ProgressReport {
        addressees: Vec::new(),
        letterhead,
        kind: "BÁO CÁO".into(),
        subject: format!(
            "Kết quả đánh giá {title}{}",
            if published {
                ""
            } else {
                " (tạm tính, chưa công bố)"
            }
        ),
        sections: vec![
            Section {
                heading: "I. XẾP HẠNG".into(),
                blocks: [
                    Block::Paragraph(format!(
                        "Kết quả đánh giá năm {year} của {} đơn vị. Chỉ số tổng hợp tính theo thang 0–1 \
                         như Chỉ số chuyển đổi số quốc gia: giá trị mỗi chỉ số chính = điểm đạt ÷ điểm tối đa; \
                         chỉ số tổng hợp = Σ(giá trị × điểm tối đa) ÷ tổng điểm tối đa.",
                        results.len()
                    )),
                    Block::Table(ranking),
                ]
                .into_iter()
                .chain(notes)
                .chain([Block::Chart(ChartBlock {
                    caption: charts.ranking.title.clone(),
                    svg: charts.ranking.svg.clone(),
                })])
                .collect(),
            },
            Section {
                heading: "II. ĐIỂM THEO CHỈ SỐ CHÍNH".into(),
                blocks: vec![Block::Table(pillars)],
            },
            Section {
                heading: "III. NHỮNG TIÊU CHÍ BỊ MẤT NHIỀU ĐIỂM NHẤT".into(),
                blocks: lost,
            },
        ],
    }
}

/// What a row owes to a reorganisation: whose results it averages (a past round in
/// today's units) and where its last-year value comes from (a merged unit's average).
fn reorganisation_note(r: &UnitResult, lang: Lang) -> String {
    [&r.carried_from, &r.previous_basis]
        .into_iter()
        .filter_map(|b| b.as_ref()?.label(lang))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether a result's last-year value is not the unit's own (a merged unit's average).
fn derived(r: &UnitResult) -> bool {
    matches!(
        r.previous_basis,
        Some(PreviousBasis::AverageOfPredecessors { .. })
    )
}
