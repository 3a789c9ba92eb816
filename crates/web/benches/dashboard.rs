//! The operations centre's quality bar of DESIGN.md §6 at province scale: the demo
//! province (two plans of 80 tasks, 31 indicators with five years of figures) plus 200
//! monthly indicators for each of its 58 communes over five years (≈0.7 M figures). Measures the dashboard's JSON
//! and HTML over real HTTP on loopback as the steering committee's viewer and a district's
//! officer get them (their default plan and year): computed afresh (the first reader after
//! a change), one client in turn, then eight at once (throughput and their waits), with
//! compressed answers as a browser asks; then the size and generation time of each report.
//!
//! Run: `cargo bench -p dxplan-web --bench dashboard` (SQLite; set
//! `DXPLAN_TEST_DATABASE_URL` for PostgreSQL).

use std::time::Instant;

mod common;
use common::{
    Runs, bench_state, login, measure_page, measure_page_header, ms, percentile, serve_logged_in,
};

#[tokio::main]
async fn main() {
    let (_db, state) = bench_state().await;
    dxplan_app::demo::seed(&state).await.expect("demo");
    let scale = dxplan_app::demo::scale::seed(&state, 200, 5)
        .await
        .expect("scale");
    state.db.refresh_statistics().await.expect("statistics");
    println!(
        "dashboard at province scale on {:?}: demo plans + {} figures of {} scale indicators",
        state.db.backend(),
        scale.values,
        scale.indicators
    );

    let (base, client) = serve_logged_in(&state).await;
    // The index assessment's pages: the demo's rounds are made in order (1 and 2 are
    // 2024's departments and districts, 4 is 2025's communes).
    let commune_2025 = {
        let mut c = state.db.read().await.expect("conn");
        dxplan_app::store::index_rounds::assessments_of_round(&mut c, 4)
            .await
            .expect("round 4")
            .first()
            .expect("a commune's 2025 assessment")
            .id
    };
    let assessment_page = format!("/assessments/{commune_2025}");

    // What a member of the steering committee gets (the province, its default plan and
    // year), a ward's page (Phường Quy Nhơn, 21583) and what its officer lands on, and the
    // other pages of the centre.
    let viewer = login(&base, "viewer", "demo").await;
    let ward_editor = login(&base, "editor-540", "demo").await;
    measure_page_header();
    let runs = Runs {
        afresh: 30,
        one_client: 200,
        eight_seconds: 5,
    };
    for (name, who, path) in [
        ("viewer GET /dashboard", &viewer, "/dashboard"),
        ("viewer GET /api/v1/dashboard", &viewer, "/api/v1/dashboard"),
        ("viewer GET /dashboard?wall=1", &viewer, "/dashboard?wall=1"),
        (
            "viewer GET /dashboard?unit=21583",
            &viewer,
            "/dashboard?unit=21583",
        ),
        ("ward officer GET /dashboard", &ward_editor, "/dashboard"),
        (
            "GET /assessments/{id} (53 criteria)",
            &client,
            assessment_page.as_str(),
        ),
        (
            "GET /assessments/rounds/2/results",
            &client,
            "/assessments/rounds/2/results",
        ),
        (
            "GET /api/v1/index-rounds/1/results",
            &client,
            "/api/v1/index-rounds/1/results",
        ),
        ("GET /public/index/1", &client, "/public/index/1"),
    ] {
        measure_page(&state, name, who, &format!("{base}{path}"), runs).await;
    }

    for (name, path) in [
        ("workbook (.xlsx)", "/api/v1/exports/dashboard.xlsx"),
        ("progress report (.docx)", "/api/v1/exports/dashboard.docx"),
        ("progress report (.pdf)", "/api/v1/exports/dashboard.pdf"),
        ("one-page briefing (.pdf)", "/api/v1/exports/briefing.pdf"),
    ] {
        let url = format!("{base}{path}");
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let r = client.get(&url).send().await.expect("request");
            assert!(r.status().is_success(), "{path}: {}", r.status());
            size = r.bytes().await.expect("body").len();
            times.push(start.elapsed());
        }
        times.sort();
        println!(
            "  {name:<38} p50 {:>6.0} ms  max {:>6.0} ms  {:>5} kB",
            ms(percentile(&times, 0.5)),
            ms(times[times.len() - 1]),
            size / 1024
        );
    }
}
