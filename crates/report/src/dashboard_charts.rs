//! The dashboard's charts, drawn from its view data in the reader's language: the same
//! SVG goes into the page, the Word and PDF reports.

use dxplan_charts::{self as charts, Bar, Chart, HeatCell, Segment, Series, StackedRow};
use dxplan_domain::Lang;
use dxplan_domain::dashboard::{Dashboard, KeyIndicator, Row, UnitRow};
use dxplan_domain::text::format_number;

/// One chart with its table view.
pub struct Figure {
    pub title: String,
    pub svg: String,
    pub table: String,
}

/// A key indicator's card: its figures and its trend chart.
pub struct IndicatorCard<'a> {
    pub indicator: &'a KeyIndicator,
    pub chart: Figure,
}

pub struct DashboardCharts {
    pub progress: String,
    pub groups: Figure,
    pub statuses: Figure,
    pub heat: Figure,
    pub departments: Figure,
    pub localities: Figure,
    pub peers: Figure,
    pub budget: Figure,
    pub modes: Figure,
}

fn make_chart(id: &str, title: &str, description: String, lang: Lang) -> Chart {
    Chart {
        id: id.into(),
        title: title.into(),
        description,
        lang,
    }
}

pub fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{} %", format_number(v, 1)))
        .unwrap_or_else(|| "–".into())
}

/// The query string that keeps the dashboard's filters when following a link.
pub fn task_link(d: &Dashboard, extra: &str) -> String {
    let plan = d.plan.as_ref().map(|p| p.id).unwrap_or_default();
    format!("/tasks?plan={plan}&unit={}{extra}", d.unit.code)
}

fn row_name(r: &Row, lang: Lang) -> String {
    match (&r.name_en, lang) {
        (Some(en), Lang::En) => en.clone(),
        _ if r.code.is_empty() || r.code == r.key => r.name.clone(),
        _ => format!("{}. {}", r.code, r.name),
    }
}

/// The charts of the dashboard, in the user's language.
pub fn dashboard_charts(d: &Dashboard, lang: Lang) -> DashboardCharts {
    let chart =
        |id: &str, title: &str, description: String| make_chart(id, title, description, lang);
    let t = |vi: &str, en: &str| lang.pick(vi, en).to_string();
    let progress = charts::gauge(
        &chart(
            "c-progress",
            &t("Tiến độ bình quân", "Mean progress"),
            format!(
                "{} {}",
                t(
                    "Tiến độ bình quân của các nhiệm vụ:",
                    "Mean progress of the tasks:"
                ),
                pct(d.overall.average_progress())
            ),
        ),
        d.overall.average_progress().unwrap_or(0.0),
        100.0,
        None,
        " %",
    );

    // Each group: how its tasks stand against their deadlines (Decision 42).
    let segments = [
        t("Hoàn thành đúng hạn", "Completed on time"),
        t("Hoàn thành quá hạn", "Completed late"),
        t("Đang thực hiện, trong hạn", "Under way, within deadline"),
        t("Quá hạn", "Overdue"),
    ];
    let group_rows: Vec<StackedRow> = d
        .groups
        .iter()
        .map(|g| StackedRow {
            label: row_name(g, lang),
            values: vec![
                f64::from(g.tally.completed_on_time),
                f64::from(g.tally.completed_late),
                f64::from(g.tally.within_deadline),
                f64::from(g.tally.overdue),
            ],
            href: (!g.key.is_empty()).then(|| task_link(d, &format!("&group={}", g.key))),
        })
        .collect();
    let groups = Figure {
        title: t("Nhiệm vụ theo nhóm", "Tasks by group"),
        svg: charts::stacked_bar(
            &chart(
                "c-groups",
                &t("Nhiệm vụ theo nhóm", "Tasks by group"),
                t(
                    "Số nhiệm vụ của mỗi nhóm theo kết quả so với thời hạn.",
                    "Tasks of each group by outcome against the deadline.",
                ),
            ),
            &segments
                .iter()
                .map(|s| Segment { name: s.clone() })
                .collect::<Vec<_>>(),
            &group_rows,
            false,
            "",
        ),
        table: charts::table(
            &t("Nhiệm vụ theo nhóm", "Tasks by group"),
            &std::iter::once(t("Nhóm", "Group"))
                .chain(segments.iter().cloned())
                .chain([t("Tiến độ bình quân (%)", "Mean progress (%)")])
                .collect::<Vec<_>>(),
            &d.groups
                .iter()
                .map(|g| {
                    (
                        row_name(g, lang),
                        vec![
                            Some(f64::from(g.tally.completed_on_time)),
                            Some(f64::from(g.tally.completed_late)),
                            Some(f64::from(g.tally.within_deadline)),
                            Some(f64::from(g.tally.overdue)),
                            g.tally.average_progress(),
                        ],
                    )
                })
                .collect::<Vec<_>>(),
            "",
        ),
    };

    let status_bars: Vec<Bar> = d
        .statuses
        .iter()
        .map(|s| Bar {
            label: s.status.label(lang).into(),
            value: f64::from(s.count),
            href: Some(task_link(d, &format!("&status={}", s.status.as_str()))),
        })
        .collect();
    let statuses = Figure {
        title: t("Nhiệm vụ theo trạng thái", "Tasks by status"),
        svg: charts::bar(
            &chart(
                "c-statuses",
                &t("Nhiệm vụ theo trạng thái", "Tasks by status"),
                t(
                    "Số nhiệm vụ ở mỗi bước của quy trình.",
                    "Tasks at each step of the workflow.",
                ),
            ),
            &status_bars,
            "",
            None,
            None,
        ),
        table: charts::table(
            &t("Nhiệm vụ theo trạng thái", "Tasks by status"),
            &[t("Trạng thái", "Status"), t("Số nhiệm vụ", "Tasks")],
            &status_bars
                .iter()
                .map(|b| (b.label.clone(), vec![Some(b.value)]))
                .collect::<Vec<_>>(),
            "",
        ),
    };

    let unit_link = |code: &str| {
        let plan = d.plan.as_ref().map(|p| p.id).unwrap_or_default();
        format!("/dashboard?plan={plan}&unit={code}")
    };
    let heat_units: Vec<_> = d.units.iter().filter(|u| u.tally.total > 0).collect();
    let heat = heat_figure(d, lang, "c-heat", &heat_units);

    let ranking = |id: &str, title: String, rows: Vec<&UnitRow>| {
        let bars: Vec<Bar> = rows
            .iter()
            .map(|r| Bar {
                // The unit shown stands out among its peers.
                label: if r.unit.id == d.unit.id {
                    format!("► {}", r.unit.name)
                } else {
                    r.unit.name.clone()
                },
                value: r.tally.average_progress().unwrap_or(0.0),
                href: Some(unit_link(&r.unit.code)),
            })
            .collect();
        Figure {
            title: title.clone(),
            svg: charts::bar(
                &chart(
                    id,
                    &title,
                    t(
                        "Xếp theo tiến độ bình quân, rồi số nhiệm vụ quá hạn ít hơn.",
                        "Ranked by mean progress, then by fewer overdue tasks.",
                    ),
                ),
                &bars,
                " %",
                Some(100.0),
                None,
            ),
            table: charts::table(
                &title,
                &[
                    t("Đơn vị", "Unit"),
                    t("Tiến độ bình quân (%)", "Mean progress (%)"),
                    t("Nhiệm vụ", "Tasks"),
                    t("Quá hạn", "Overdue"),
                    t("Đúng hạn (%)", "On time (%)"),
                ],
                &rows
                    .iter()
                    .map(|r| {
                        (
                            r.unit.name.clone(),
                            vec![
                                r.tally.average_progress(),
                                Some(f64::from(r.tally.total)),
                                Some(f64::from(r.tally.overdue)),
                                r.tally.on_time_rate(),
                            ],
                        )
                    })
                    .collect::<Vec<_>>(),
                "",
            ),
        }
    };
    let departments = ranking(
        "c-departments",
        t("Xếp hạng các sở, ngành", "Departments ranked"),
        d.department_rows(),
    );
    let localities = ranking(
        "c-localities",
        t("Xếp hạng các địa phương", "Localities ranked"),
        d.locality_rows(),
    );
    let peers = ranking(
        "c-peers",
        t("So với các đơn vị cùng cấp", "Compared with its peers"),
        d.peers.iter().collect(),
    );

    // Money in millions of đồng: readable figures on a wall screen.
    let million = |vnd: i64| vnd as f64 / 1_000_000.0;
    let money_segments = [
        t("Đã giải ngân", "Disbursed"),
        t("Chưa giải ngân", "Not yet disbursed"),
    ];
    let money_rows = |rows: &[Row], link: &dyn Fn(&Row) -> Option<String>| -> Vec<StackedRow> {
        rows.iter()
            .map(|r| StackedRow {
                label: row_name(r, lang),
                values: vec![
                    million(r.tally.budget_disbursed),
                    million((r.tally.budget_planned - r.tally.budget_disbursed).max(0)),
                ],
                href: link(r),
            })
            .collect()
    };
    let money_table = |title: &str, first: String, rows: &[Row]| {
        charts::table(
            title,
            &[
                first,
                t("Kế hoạch (triệu đồng)", "Planned (million VND)"),
                t("Đã giải ngân (triệu đồng)", "Disbursed (million VND)"),
                t("Tỷ lệ giải ngân (%)", "Disbursed (%)"),
            ],
            &rows
                .iter()
                .map(|r| {
                    (
                        row_name(r, lang),
                        vec![
                            Some(million(r.tally.budget_planned)),
                            Some(million(r.tally.budget_disbursed)),
                            r.tally.disbursement_rate(),
                        ],
                    )
                })
                .collect::<Vec<_>>(),
            "",
        )
    };
    let segs: Vec<Segment> = money_segments
        .iter()
        .map(|s| Segment { name: s.clone() })
        .collect();
    let budget_title = t(
        "Kinh phí theo nhóm (triệu đồng)",
        "Budget by group (million VND)",
    );
    let budget = Figure {
        title: budget_title.clone(),
        svg: charts::stacked_bar(
            &chart(
                "c-budget",
                &budget_title,
                t(
                    "Kinh phí kế hoạch của mỗi nhóm, phần đã giải ngân và phần còn lại.",
                    "Each group's planned budget: disbursed and remaining.",
                ),
            ),
            &segs,
            &money_rows(&d.groups, &|r| {
                (!r.key.is_empty()).then(|| task_link(d, &format!("&group={}", r.key)))
            }),
            false,
            "",
        ),
        table: money_table(&budget_title, t("Nhóm", "Group"), &d.groups),
    };
    let modes_title = t(
        "Kinh phí theo hình thức đầu tư (triệu đồng)",
        "Budget by acquisition mode (million VND)",
    );
    let modes = Figure {
        title: modes_title.clone(),
        svg: charts::stacked_bar(
            &chart(
                "c-modes",
                &modes_title,
                t(
                    "Thuê dịch vụ, mua sắm, tự xây dựng: tỉnh ưu tiên thuê dịch vụ.",
                    "Rented, bought, built in house: the province rents first.",
                ),
            ),
            &segs,
            &money_rows(&d.modes, &|r| {
                (!r.key.is_empty()).then(|| task_link(d, &format!("&mode={}", r.key)))
            }),
            false,
            "",
        ),
        table: money_table(&modes_title, t("Hình thức", "Mode"), &d.modes),
    };
    DashboardCharts {
        progress,
        groups,
        statuses,
        heat,
        departments,
        localities,
        peers,
        budget,
        modes,
    }
}

/// Units with tasks on a wall page of the heat map: as many rows as are readable across a
/// room at 1080p.
pub const HEAT_ROWS_PER_PAGE: usize = 9;

/// The heat map in pages of [`HEAT_ROWS_PER_PAGE`] units, for the wall screen (the page
/// shows it whole).
pub fn heat_pages(d: &Dashboard, lang: Lang) -> Vec<Figure> {
    let heat_units: Vec<_> = d.units.iter().filter(|u| u.tally.total > 0).collect();
    heat_units
        .chunks(HEAT_ROWS_PER_PAGE)
        .enumerate()
        .map(|(i, rows)| heat_figure(d, lang, &format!("c-heat-{}", i + 1), rows))
        .collect()
}

/// Mean progress by unit (rows) and task group (columns).
fn heat_figure(d: &Dashboard, lang: Lang, id: &str, heat_units: &[&UnitRow]) -> Figure {
    let chart =
        |id: &str, title: &str, description: String| make_chart(id, title, description, lang);
    let t = |vi: &str, en: &str| lang.pick(vi, en).to_string();
    let columns: Vec<String> = d.groups.iter().map(|g| g.code.clone()).collect();
    Figure {
        title: t(
            "Tiến độ bình quân (%) theo đơn vị và nhóm nhiệm vụ",
            "Mean progress (%) by unit and task group",
        ),
        svg: charts::heat_map(
            &chart(
                id,
                &t(
                    "Tiến độ bình quân theo đơn vị và nhóm nhiệm vụ",
                    "Mean progress by unit and task group",
                ),
                t(
                    "Mỗi ô là tiến độ bình quân (%) các nhiệm vụ của đơn vị trong nhóm; ô trống: không có nhiệm vụ.",
                    "Each cell is the mean progress (%) of the unit's tasks in the group; blank: no task.",
                ),
            ),
            &heat_units
                .iter()
                .map(|u| u.unit.name.clone())
                .collect::<Vec<_>>(),
            &columns,
            &heat_units
                .iter()
                .map(|u| {
                    u.by_group
                        .iter()
                        .zip(&d.groups)
                        .map(|(v, g)| HeatCell {
                            value: *v,
                            href: v.and((!g.key.is_empty()).then(|| {
                                format!(
                                    "/tasks?plan={}&unit={}&group={}",
                                    d.plan.as_ref().map(|p| p.id).unwrap_or_default(),
                                    u.unit.code,
                                    g.key
                                )
                            })),
                        })
                        .collect()
                })
                .collect::<Vec<_>>(),
        ),
        table: charts::table(
            &t("Tiến độ bình quân (%)", "Mean progress (%)"),
            &std::iter::once(t("Đơn vị", "Unit"))
                .chain(d.groups.iter().map(|g| row_name(g, lang)))
                .collect::<Vec<_>>(),
            &heat_units
                .iter()
                .map(|u| (u.unit.name.clone(), u.by_group.clone()))
                .collect::<Vec<_>>(),
            "",
        ),
    }
}

/// A key indicator's trend against its targets over the years.
pub fn indicator_chart(i: &KeyIndicator, lang: Lang) -> Figure {
    let chart =
        |id: &str, title: &str, description: String| make_chart(id, title, description, lang);
    let t = |vi: &str, en: &str| lang.pick(vi, en).to_string();
    let years: Vec<String> = i.trend.iter().map(|y| y.year.to_string()).collect();
    let actual = Series {
        name: t("Thực hiện", "Actual"),
        values: i.trend.iter().map(|y| y.value).collect(),
    };
    let target = Series {
        name: t("Mục tiêu", "Target"),
        values: i.trend.iter().map(|y| y.target).collect(),
    };
    let has_target = target.values.iter().any(Option::is_some);
    let suffix = match i.unit_of_measure.as_deref() {
        Some("%") => " %".to_string(),
        _ => String::new(),
    };
    let title = format!("{} — {}", i.code, i.name);
    Figure {
        title: title.clone(),
        svg: charts::line(
            &chart(
                &format!("c-ind-{}", i.code),
                &title,
                t(
                    "Giá trị thực hiện từng năm so với mục tiêu.",
                    "Actual value each year against the target.",
                ),
            ),
            &years,
            std::slice::from_ref(&actual),
            has_target.then_some(&target),
            &suffix,
        ),
        table: charts::table(
            &title,
            &[t("Năm", "Year"), actual.name.clone(), target.name.clone()],
            &i.trend
                .iter()
                .map(|y| (y.year.to_string(), vec![y.value, y.target]))
                .collect::<Vec<_>>(),
            &suffix,
        ),
    }
}

/// Units ranked by their value of an indicator, best first (`higher_is_better` decides
/// which end is best); units without a figure are listed in the table, not drawn.
pub fn ranking_chart(
    id: &str,
    title: &str,
    rows: &[(String, Option<f64>)],
    higher_is_better: bool,
    suffix: &str,
    lang: Lang,
) -> Figure {
    let chart =
        |id: &str, title: &str, description: String| make_chart(id, title, description, lang);
    let mut ranked: Vec<(String, f64)> = rows
        .iter()
        .filter_map(|(name, v)| v.map(|v| (name.clone(), v)))
        .collect();
    ranked.sort_by(|a, b| {
        if higher_is_better {
            b.1.total_cmp(&a.1)
        } else {
            a.1.total_cmp(&b.1)
        }
    });
    let bars: Vec<Bar> = ranked
        .iter()
        .map(|(label, value)| Bar {
            label: label.clone(),
            value: *value,
            href: None,
        })
        .collect();
    let mut table_rows: Vec<(String, Vec<Option<f64>>)> = ranked
        .iter()
        .map(|(name, v)| (name.clone(), vec![Some(*v)]))
        .collect();
    table_rows.extend(
        rows.iter()
            .filter(|(_, v)| v.is_none())
            .map(|(name, _)| (name.clone(), vec![None])),
    );
    Figure {
        title: title.to_string(),
        svg: charts::bar(
            &chart(
                id,
                title,
                lang.pick(
                    "Các đơn vị xếp từ tốt nhất đến kém nhất theo giá trị đã duyệt.",
                    "Units from best to worst by approved value.",
                )
                .to_string(),
            ),
            &bars,
            suffix,
            None,
            None,
        ),
        table: charts::table(
            title,
            &[
                lang.pick("Đơn vị", "Unit").to_string(),
                lang.pick("Giá trị", "Value").to_string(),
            ],
            &table_rows,
            suffix,
        ),
    }
}
