//! Issue #18's plan-import bar: a workbook of 5,000 task rows, its units named as officers
//! write them (full names, in a province of today's communes and departments), checked
//! (a dry run) in under 1 s and imported in under 3 s, all or nothing.
//!
//! Run: `cargo bench -p dxplan-web --bench plan_import` (SQLite; set
//! `DXPLAN_TEST_DATABASE_URL` for PostgreSQL; `DXPLAN_BENCH_ROWS` for another size).

use std::time::Instant;

use dxplan_app::store::{plans, units};
use dxplan_app::{Caller, Upload};
use rust_xlsxwriter::Workbook;

mod common;
use common::bench_state;

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
