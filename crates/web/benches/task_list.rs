//! The task-list quality bar of DESIGN.md §6 and issue #18: a 25-row task list at 3,000
//! tasks in the newest plan, server time (p50/p95) of its store query, and throughput over
//! real HTTP on loopback for the shapes people hit — the default page (no filter), a
//! broad search matching a third of the plan, a unit subtree, overdue, sorted by due date
//! — as the province coordinator, a viewer and a commune editor, HTML and JSON. The same
//! shapes are then measured on a second, older plan of 30,000 tasks, named in the query
//! (`plan=`), as a province that keeps several years of work in one database has.
//!
//! Run: `cargo bench -p dxplan-web --bench task_list` (SQLite; set
//! `DXPLAN_TEST_DATABASE_URL` for PostgreSQL; `DXPLAN_BENCH_SECONDS` per shape, 3 by default;
//! `DXPLAN_BENCH_ONLY=viewer` for one reader; `DXPLAN_BENCH_LARGE=0` leaves out the large plan).

use std::time::{Duration, Instant};

use dxplan_app::demo::scale::seed_tasks;
use dxplan_app::store::tasks::{self, TaskFilter, TaskSort};
use dxplan_app::store::units;
use dxplan_domain::task::TaskStatus;
use dxplan_web::AppState;

mod common;
use common::{bench_state, login, percentile, serve_logged_in};

const TASKS: usize = 3_000;
const LARGE_PLAN_TASKS: usize = 30_000;

#[tokio::main]
async fn main() {
    let (_db, state) = bench_state().await;
    dxplan_app::demo::seed(&state).await.expect("demo");
    let large = std::env::var("DXPLAN_BENCH_LARGE").map_or(true, |v| v != "0");
    // The large plan first, so the 3,000-task plan stays the newest: the default page.
    let large_plan_id = if large {
        let start = Instant::now();
        let id = seed_tasks(&state, "Kế hoạch lớn đo hiệu năng", LARGE_PLAN_TASKS)
            .await
            .expect("large plan");
        println!(
            "filled a plan of {LARGE_PLAN_TASKS} tasks in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        Some(id)
    } else {
        None
    };
    let plan_id = seed_tasks(&state, "Kế hoạch đo hiệu năng", TASKS)
        .await
        .expect("plan");
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

    // Over HTTP: the whole request (session, authorisation, query, rendering) on loopback,
    // for the shapes people hit, as the three kinds of reader the list serves.
    let commune = commune_editor(&state).await;
    let (base, _) = serve_logged_in(&state).await;
    let subtree = "52";
    let shapes: [(&str, String); 5] = [
        ("default page", String::new()),
        ("search 'chuyen' (a third)", "q=chuyen".into()),
        ("the province's subtree", format!("unit={subtree}")),
        ("overdue", "overdue=1".into()),
        ("sorted by due date", "sort=due".into()),
    ];
    let seconds = std::env::var("DXPLAN_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3u64);
    println!("  http: 8 connections, {seconds} s each, the client on the same 2 cores");
    let plans = [(TASKS, None)]
        .into_iter()
        .chain(large_plan_id.map(|id| (LARGE_PLAN_TASKS, Some(id))));
    for (size, plan) in plans {
        println!("  http: the plan of {size} tasks");
        for (who, password) in [
            ("coordinator", "demo"),
            ("viewer", "demo"),
            (commune.as_str(), BENCH_PASSWORD),
        ] {
            // `DXPLAN_BENCH_ONLY=viewer` measures one reader (to profile one shape, say).
            if std::env::var("DXPLAN_BENCH_ONLY").is_ok_and(|only| !who.starts_with(&only)) {
                continue;
            }
            let client = login(&base, who, password).await;
            for (shape, query) in &shapes {
                // The newest plan is the default; an older one is named as its link names it.
                let query = match plan {
                    Some(id) => format!("plan={id}&{query}"),
                    None => query.clone(),
                };
                for (door, path) in [("html", "/tasks"), ("json", "/api/v1/tasks")] {
                    let url = format!("{base}{path}?{query}");
                    let (rate, p50, p99, bytes) = load(&client, &url, seconds).await;
                    println!(
                        "  http   {who:<18} {shape:<26} {door:<4} {rate:>6.0} req/s  p50 {p50:>6.2} ms  p99 {p99:>6.2} ms  {:>5.1} kB",
                        bytes as f64 / 1024.0
                    );
                }
            }
        }
    }
}

/// 8 concurrent clients on `url` for `seconds`: requests per second, p50 and p99 in
/// milliseconds, and the size of one answer as sent (compressed when the client asks).
async fn load(client: &reqwest::Client, url: &str, seconds: u64) -> (f64, f64, f64, usize) {
    let mut bytes = 0;
    for _ in 0..20 {
        let r = client.get(url).send().await.expect("warm");
        assert!(r.status().is_success(), "{url}: {}", r.status());
        bytes = r.bytes().await.expect("body").len();
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (client, url) = (client.clone(), url.to_string());
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
    (
        times.len() as f64 / seconds as f64,
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        bytes,
    )
}

/// An editor of one commune standing today, with tasks of its own in the plan.
async fn commune_editor(state: &AppState) -> String {
    let today = state.today();
    let commune = {
        let mut c = state.db.read().await.expect("conn");
        units::valid_on(&mut c, today)
            .await
            .expect("units")
            .into_iter()
            .find(|u| u.kind == dxplan_domain::unit::UnitKind::Commune)
            .expect("a commune")
    };
    let username = format!("editor-xa-{}", commune.code);
    let input = dxplan_app::NewUserInput {
        username: username.clone(),
        display_name: format!("Cán bộ {}", commune.name),
        unit_code: Some(commune.code.clone()),
        password: BENCH_PASSWORD.into(),
        role: Some("unit_editor".into()),
        role_unit_code: Some(commune.code.clone()),
        ..Default::default()
    };
    dxplan_app::create_user(state, &dxplan_app::Caller::cli(), &input)
        .await
        .expect("commune editor");
    username
}

/// The password of the bench's own account (the demo's `demo` is too short for a new one).
const BENCH_PASSWORD: &str = "do-hieu-nang-2026";
