//! Issue #18's plan-import bar: a workbook of 5,000 task rows, its units named as officers
//! write them (full names, in a province of today's communes and departments), checked
//! (a dry run) in under 1 s and imported in under 3 s, all or nothing. Then figures
//! likewise: 5,000 rows of the exchange format (every commune, the demo's indicators of
//! one period type) saved as drafts in one request, all or nothing. Then index frameworks
//! over HTTP, at a tenth of that size and at the full size to show the cost is linear: made
//! from JSON, exported as the annex workbook, and that workbook imported back as a new one.
//!
//! Run: `cargo bench -p dxplan-web --bench plan_import` (SQLite; set
//! `DXPLAN_TEST_DATABASE_URL` for PostgreSQL; `DXPLAN_BENCH_ROWS` for another size).

use std::time::Instant;

use dxplan_app::indicators::{ExchangeRow, ValueRow, save_many};
use dxplan_app::store::{indicators, plans, units};
use dxplan_app::{Caller, Upload};
use dxplan_domain::indicator::{Measure, PeriodType, ValueInput};
use dxplan_domain::period::Period;
use dxplan_domain::unit::UnitKind;
use rust_xlsxwriter::Workbook;

mod common;
use common::{bench_state, login_session, serve_logged_in};

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("DXPLAN_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000);
    let (_db, state) = bench_state().await;
    dxplan_app::demo::seed(&state).await.expect("demo");
    let today = state.today();
    let (plan_id, names) = {
        let mut c = state.db.begin().await.expect("tx");
        let plan_id = plans::insert(
            &mut c,
            &plans::PlanFields {
                year: i64::from(today.year()),
                title: "Kế hoạch nhập thử".into(),
                legal_basis: None,
                decision_number: None,
                decision_date: None,
                status: dxplan_domain::task::PlanStatus::Active,
            },
            state.now(),
        )
        .await
        .expect("plan");
        let standing = units::valid_on(&mut c, today).await.expect("units");
        c.commit().await.expect("commit");
        let names: Vec<String> = standing
            .into_iter()
            .filter(|u| u.parent_id.is_some())
            .map(|u| u.name)
            .collect();
        (plan_id, names)
    };
    let book = workbook(rows, &names, today.year());
    println!(
        "plan import: {rows} rows, {} kB, {} unit names, {:?}",
        book.len() / 1024,
        names.len(),
        state.db.backend()
    );
    for dry_run in [true, false] {
        let started = Instant::now();
        let outcome = dxplan_app::tasks::import_plan(
            &state,
            &Caller::cli(),
            plan_id,
            Upload::ready("ke-hoach.xlsx", book.clone()),
            dry_run,
        )
        .await
        .expect("import");
        assert_eq!(outcome.tasks.len(), rows);
        println!(
            "  {:<28} {:>7.0} ms",
            if dry_run {
                "checked (dry run)"
            } else {
                "imported (one transaction)"
            },
            started.elapsed().as_secs_f64() * 1e3
        );
    }

    let figures = exchange_rows(&state, rows).await;
    let started = Instant::now();
    let saved = save_many(&state, &Caller::cli(), &figures, false)
        .await
        .expect("figures");
    assert!(saved.iter().all(|r| r.ok) && saved.len() == rows);
    println!(
        "  {:<28} {:>7.0} ms",
        format!("{rows} figures saved"),
        started.elapsed().as_secs_f64() * 1e3
    );

    let (base, _) = serve_logged_in(&state).await;
    let (client, csrf) = login_session(&base, "coordinator", "demo").await;
    for size in [rows / 10, rows] {
        frameworks(&base, &client, &csrf, size, today.year()).await;
    }
}

/// A framework of `size` criteria made, exported and imported back over HTTP, each step
/// timed as the coordinator meets it.
async fn frameworks(base: &str, client: &reqwest::Client, csrf: &str, size: usize, year: i32) {
    let api = format!("{base}/api/v1/index-frameworks");
    let code = format!("BENCH-{size}");
    let started = Instant::now();
    let made = client
        .post(&api)
        .header(reqwest::header::ACCEPT_ENCODING, "identity")
        .header("x-csrf-token", csrf)
        .json(&framework_json(&code, size, year))
        .send()
        .await
        .expect("create");
    let made_ms = started.elapsed().as_secs_f64() * 1e3;
    let status = made.status();
    let view: serde_json::Value = made.json().await.expect("json");
    assert_eq!(status, reqwest::StatusCode::CREATED, "{view}");
    let id = view["framework"]["id"].as_i64().expect("id");
    let started = Instant::now();
    let book = client
        .get(format!("{api}/{id}/export.xlsx"))
        .header(reqwest::header::ACCEPT_ENCODING, "identity")
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("bytes");
    let exported_ms = started.elapsed().as_secs_f64() * 1e3;
    let names = serde_urlencoded::to_string([
        ("code", format!("{code}-X")),
        ("name", format!("Bộ chỉ số nhập lại {code}")),
        ("year", year.to_string()),
        ("unit_kinds", "commune".to_string()),
    ])
    .expect("query");
    let started = Instant::now();
    let imported = client
        .post(format!("{api}/import?{names}"))
        .header(reqwest::header::ACCEPT_ENCODING, "identity")
        .header("x-csrf-token", csrf)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(book.clone())
        .send()
        .await
        .expect("import");
    let imported_ms = started.elapsed().as_secs_f64() * 1e3;
    let status = imported.status();
    let back: serde_json::Value = imported.json().await.expect("json");
    assert_eq!(status, reqwest::StatusCode::CREATED, "{back}");
    assert_eq!(back["criteria"].as_array().map(Vec::len), Some(size));
    println!(
        "  framework of {size:>5} criteria: made from JSON {made_ms:>6.0} ms, annex exported \
         {exported_ms:>6.0} ms ({} kB), imported back {imported_ms:>6.0} ms",
        book.len() / 1024
    );
}

/// A framework as the DTI's are laid out: ten main indices of ten criteria each, and the
/// rest as sub-criteria spread over those hundred, scored by rules of every kind in turn.
fn framework_json(code: &str, size: usize, year: i32) -> serde_json::Value {
    let rules = [
        serde_json::json!({"rule": "manual"}),
        serde_json::json!({"rule": "yes_no"}),
        serde_json::json!({"rule": "ratio"}),
        serde_json::json!({"rule": "steps", "steps": [{"at_least": 4, "points": 1.5}, {"at_least": 2, "points": 0.75}]}),
    ];
    let groups = (size / 11).clamp(1, 100);
    let tops = groups.div_ceil(10);
    let mut criteria = Vec::with_capacity(size);
    for t in 1..=tops {
        criteria.push(serde_json::json!({"code": format!("{t}"), "name": format!("Chỉ số chính {t}"), "max_points": 0}));
    }
    for g in 0..groups {
        let parent = g / 10 + 1;
        criteria.push(serde_json::json!({"code": format!("{parent}.{}", g % 10 + 1),
            "parent": format!("{parent}"), "name": format!("Chỉ số thành phần {g}"), "max_points": 0}));
    }
    for i in 0..size.saturating_sub(tops + groups) {
        let g = i % groups;
        let parent = format!("{}.{}", g / 10 + 1, g % 10 + 1);
        criteria.push(serde_json::json!({"code": format!("{parent}.{}", i / groups + 1),
            "parent": parent, "name": format!("Tiêu chí {i}: tỷ lệ hồ sơ xử lý trực tuyến toàn trình"),
            "max_points": 1.5, "rule": rules[i % rules.len()],
            "evidence": "Báo cáo của đơn vị, trích xuất từ Hệ thống thông tin giải quyết thủ tục hành chính"}));
    }
    serde_json::json!({"code": code, "name": format!("Bộ chỉ số thử {code}"), "year": year,
        "unit_kinds": ["commune"], "criteria": criteria})
}

/// `rows` figures as a province's statistics office sends them: every commune standing
/// today, the demo's quarterly indicators in turn, five quarters (of a year to come, which
/// the demo has no figures for), each value within its indicator's bounds.
async fn exchange_rows(state: &dxplan_web::AppState, rows: usize) -> Vec<ExchangeRow> {
    let today = state.today();
    let mut c = state.db.read().await.expect("conn");
    let communes: Vec<String> = units::valid_on(&mut c, today)
        .await
        .expect("units")
        .into_iter()
        .filter(|u| u.kind == UnitKind::Commune)
        .map(|u| u.code)
        .collect();
    let quarterly: Vec<indicators::Indicator> = indicators::list(&mut c, None, None)
        .await
        .expect("indicators")
        .into_iter()
        .filter(|i| i.period_type == PeriodType::Quarter && !i.evidence_required)
        .collect();
    let quarters = Period::recent(PeriodType::Quarter, today + time::Duration::days(900), 4);
    let pairs = communes.len() * quarterly.len();
    assert!(
        pairs * quarters.len() >= rows,
        "{} communes × {} quarterly indicators × 5 quarters is fewer than {rows} figures",
        communes.len(),
        quarterly.len()
    );
    (0..rows)
        .map(|i| {
            let indicator = &quarterly[i % quarterly.len()];
            let unit = &communes[(i / quarterly.len()) % communes.len()];
            let period = quarters[i / pairs].to_string();
            let within = |v: f64| {
                let v = indicator.min_value.map_or(v, |min| v.max(min));
                indicator.max_value.map_or(v, |max| v.min(max))
            };
            let input = match indicator.measure {
                Measure::Ratio => ValueInput {
                    numerator: Some("3".into()),
                    denominator: Some("4".into()),
                    ..Default::default()
                },
                Measure::YesNo => ValueInput {
                    value: Some("1".into()),
                    ..Default::default()
                },
                _ => ValueInput {
                    value: Some(within((i % 90 + 1) as f64).to_string()),
                    ..Default::default()
                },
            };
            ExchangeRow {
                unit: unit.clone(),
                period,
                row: ValueRow {
                    indicator: indicator.code.clone(),
                    input,
                    comment: None,
                    version: None,
                    entered_offline_at: None,
                    _others: Default::default(),
                },
            }
        })
        .collect()
}

/// A plan workbook as a department writes one: a title, the header row, and each task
/// led by a unit named in full, with a partner and a quarter as its deadline.
fn workbook(rows: usize, names: &[String], year: i32) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let put = |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, text: &str| {
        sheet.write(r, c, text).expect("cell");
    };
    put(
        sheet,
        0,
        0,
        &format!("PHỤ LỤC KẾ HOẠCH CHUYỂN ĐỔI SỐ NĂM {year}"),
    );
    for (c, h) in [
        "STT",
        "Nội dung nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời hạn hoàn thành",
    ]
    .iter()
    .enumerate()
    {
        put(sheet, 2, c as u16, h);
    }
    // Tasks from the fourth row on, under the title and the header.
    for (r, i) in (3..).zip(0..rows) {
        put(sheet, r, 0, &(i + 1).to_string());
        put(
            sheet,
            r,
            1,
            &format!(
                "Triển khai chuyển đổi số hạng mục {i} tại {}",
                names[i % names.len()]
            ),
        );
        put(sheet, r, 2, &names[i % names.len()]);
        put(sheet, r, 3, &names[(i * 7 + 3) % names.len()]);
        put(sheet, r, 4, &format!("Quý {}/{year}", i % 4 + 1));
    }
    book.save_to_buffer().expect("workbook")
}
