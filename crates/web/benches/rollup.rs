//! Roll-up quality bars of DESIGN.md §6 at province scale: 200 monthly indicators for
//! every commune over five years (≈1.9 M figures). Measures the roll-up of one
//! indicator over the whole province for a year, and of every indicator for one
//! district's subtree.
//!
//! Run: `cargo bench -p dxplan-web --bench rollup` (SQLite; set
//! `DXPLAN_TEST_DATABASE_URL` for PostgreSQL).

use std::time::{Duration, Instant};

use dxplan_store::TestDb;
use dxplan_web::password::PasswordCost;
use dxplan_web::{AppState, WebConfig};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "  {name:<52} p50 {:>8.2} ms  p95 {:>8.2} ms",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let test_db = TestDb::new().await.expect("database");
    let config = WebConfig {
        password_cost: PasswordCost::CHEAP_FOR_TESTS,
        ..WebConfig::default()
    };
    let state = AppState::new(test_db.db.clone(), config);
    dxplan_web::demo::seed_with(&state, dxplan_web::demo_indicators::DemoData::CatalogueOnly)
        .await
        .expect("demo");
    let start = Instant::now();
    let scale = dxplan_web::demo_scale::seed(&state, 200, 5)
        .await
        .expect("scale");
    println!(
        "roll-ups at province scale on {:?}: {} indicators × {} communes × 60 months = {} figures (generated in {:.0} s)",
        state.db.backend(),
        scale.indicators,
        scale.units,
        scale.values,
        start.elapsed().as_secs_f64()
    );
    let today = state.today();
    let year = (today.year() - 1).to_string();
    for code in ["SC-001", "SC-002", "SC-003", "SC-004"] {
        let mut times = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            let view = dxplan_web::service::indicators::rollup(
                &state, code, "52", &year, today, true, false,
            )
            .await
            .expect("rollup");
            std::hint::black_box(view.value);
            times.push(t.elapsed());
        }
        report(
            &format!("one indicator ({code}), whole province, a year"),
            times,
        );
    }
    for unit in ["540", "52"] {
        let mut times = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let views = dxplan_web::service::indicators::rollup_all(&state, unit, &year, today)
                .await
                .expect("rollup_all");
            std::hint::black_box(views.len());
            times.push(t.elapsed());
        }
        report(
            &format!("all indicators (231), subtree of {unit}, a year"),
            times,
        );
    }
}
