//! The task-list quality bar of DESIGN.md §6: a 25-row task list with filters at 3,000
//! tasks, server time (p50/p95) and throughput over real HTTP on loopback.
//!
//! Run: `cargo bench -p dxplan-web --bench task_list` (SQLite; set
//! `DXPLAN_TEST_DATABASE_URL` for PostgreSQL).

use std::time::{Duration, Instant};

use dxplan_app::store::tasks::{self, TaskFilter, TaskSort, TaskWrite};
use dxplan_app::store::{plans, units};
use dxplan_domain::task::{AcquisitionMode, TaskFields, TaskStatus};
use dxplan_web::AppState;
use time::{Date, Duration as Days};

mod common;
use common::{bench_state, percentile, serve_logged_in};

const TASKS: usize = 3_000;

#[tokio::main]
async fn main() {
    let (_db, state) = bench_state().await;
    dxplan_app::demo::seed(&state).await.expect("demo");
    let plan_id = fill_plan(&state).await;
    state.db.refresh_statistics().await.expect("statistics");

    // Server time: the store query behind one page of the list, with filters.
    let filters: Vec<(&str, TaskFilter)> = vec![
        (
            "plan, page 1",
            TaskFilter {
                plan_id: Some(plan_id),
                limit: 25,
                ..Default::default()
            },
        ),
        (
            "search 'chuyen doi so'",
            TaskFilter {
                plan_id: Some(plan_id),
                search: Some("chuyen doi so".into()),
                limit: 25,
                ..Default::default()
            },
        ),
        (
            "overdue, by due date",
            TaskFilter {
                plan_id: Some(plan_id),
                overdue: true,
                today: Some(state.today()),
                sort: TaskSort::Due,
                limit: 25,
                ..Default::default()
            },
        ),
        (
            "unit subtree + status",
            TaskFilter {
                plan_id: Some(plan_id),
                unit_subtree: Some(2),
                statuses: vec![TaskStatus::InProgress],
                limit: 25,
                ..Default::default()
            },
        ),
        (
            "district reader's scope, page 10",
            TaskFilter {
                plan_id: Some(plan_id),
                scope: Some(vec![2]),
                offset: 225,
                limit: 25,
                ..Default::default()
            },
        ),
    ];
    println!("task list at {TASKS} tasks, {:?}", state.db.backend());
    for (name, filter) in &filters {
        let mut times = Vec::new();
        for _ in 0..200 {
            let start = Instant::now();
            let mut c = state.db.read().await.expect("conn");
            let page = tasks::list(&mut c, filter).await.expect("list");
            std::hint::black_box(page.tasks.len());
            times.push(start.elapsed());
        }
        times.sort();
        println!(
            "  store  {name:<34} p50 {:>7.2} ms  p95 {:>7.2} ms",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3
        );
    }

    // Over HTTP: the whole request (session, authorisation, query, JSON) on loopback.
    let (base, client) = serve_logged_in(&state).await;
    for (name, path) in [
        (
            "GET /api/v1/tasks (filters)",
            format!(
                "/api/v1/tasks?plan={plan_id}&q=chuyen%20doi%20so&status=in_progress&sort=due&per_page=25"
            ),
        ),
        (
            "GET /tasks (HTML page)",
            format!("/tasks?plan={plan_id}&overdue=1&sort=due"),
        ),
    ] {
        let url = format!("{base}{path}");
        // Warm up, then 8 concurrent clients for 5 seconds.
        for _ in 0..20 {
            client
                .get(&url)
                .send()
                .await
                .expect("warm")
                .bytes()
                .await
                .expect("body");
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut workers = Vec::new();
        for _ in 0..8 {
            let (client, url) = (client.clone(), url.clone());
            workers.push(tokio::spawn(async move {
                let mut times = Vec::new();
                while Instant::now() < deadline {
                    let start = Instant::now();
                    let r = client.get(&url).send().await.expect("request");
                    assert!(r.status().is_success());
                    r.bytes().await.expect("body");
                    times.push(start.elapsed());
                }
                times
            }));
        }
        let mut times = Vec::new();
        for w in workers {
            times.extend(w.await.expect("worker"));
        }
        times.sort();
        println!(
            "  http   {name:<34} {:>6.0} req/s  p50 {:>6.2} ms  p95 {:>6.2} ms  (client on the same 2 cores)",
            times.len() as f64 / 5.0,
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3
        );
    }
}

/// A plan of 3,000 tasks spread over the province's units, statuses and dates.
async fn fill_plan(state: &AppState) -> i64 {
    let now = state.now();
    let today = state.today();
    let mut c = state.db.begin().await.expect("tx");
    let plan_id = plans::insert(
        &mut c,
        &plans::PlanFields {
            year: i64::from(today.year()),
            title: "Kế hoạch đo hiệu năng".into(),
            legal_basis: None,
            decision_number: None,
            decision_date: None,
            status: dxplan_domain::task::PlanStatus::Active,
        },
        now,
    )
    .await
    .expect("plan");
    let all_units = units::valid_on(&mut c, today).await.expect("units");
    let words = [
        "chuyển đổi số",
        "dữ liệu",
        "hạ tầng",
        "chữ ký số",
        "dịch vụ công",
        "an toàn thông tin",
    ];
    let statuses = TaskStatus::ALL;
    for i in 0..TASKS {
        let unit = &all_units[i % all_units.len()];
        let fields = TaskFields {
            code: format!("{}.{}", i % 12 + 1, i / 12 + 1),
            title: format!(
                "Nhiệm vụ {} số {i} của {}",
                words[i % words.len()],
                unit.name
            ),
            description: None,
            deliverable: Some("Sản phẩm".into()),
            group_id: None,
            lead_unit_code: unit.code.clone(),
            coordinating_unit_codes: Vec::new(),
            partners: Vec::new(),
            start_date: None,
            due_date: today + Days::days((i as i64 * 13) % 400 - 200),
            budget_planned: (i as i64 % 50) * 10_000_000,
            funding_source: None,
            acquisition_mode: Some(AcquisitionMode::ALL[i % 3]),
            assigned_doc_number: None,
            assigned_doc_date: None::<Date>,
            assigned_doc_signer: None,
        };
        let coordinating = [all_units[(i * 7) % all_units.len()].id];
        let id = tasks::insert(
            &mut c,
            &TaskWrite {
                fields: &fields,
                plan_id,
                lead_unit_id: unit.id,
                coordinating: &coordinating,
            },
            TaskStatus::Draft,
            None,
            now,
        )
        .await
        .expect("task");
        tasks::set_status(&mut c, id, statuses[i % statuses.len()], None, None, now)
            .await
            .expect("status");
    }
    c.commit().await.expect("commit");
    plan_id
}
