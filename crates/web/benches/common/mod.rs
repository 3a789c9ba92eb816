//! What the benchmarks share: the application state they measure, a server on loopback
//! with a logged-in client, and percentiles.

#![allow(dead_code)] // each bench uses its own part

use std::time::Duration;

use dxplan_app::password::PasswordCost;
use dxplan_app::store::TestDb;
use dxplan_app::throttle::ThrottleConfig;
use dxplan_web::{AppState, WebConfig};

/// The state over a fresh database (SQLite, or PostgreSQL with `DXPLAN_TEST_DATABASE_URL`),
/// with cheap password hashing and no login throttling in the way.
pub async fn bench_state() -> (TestDb, AppState) {
    let test_db = TestDb::new().await.expect("database");
    let state = AppState::new(test_db.db.clone(), bench_config());
    (test_db, state)
}

/// The state over the database `DXPLAN_BENCH_DATABASE_URL` names, which outlives the
/// bench (data that takes half an hour to generate is made once), or else a fresh one.
pub async fn kept_or_fresh_state() -> (Option<TestDb>, AppState) {
    match std::env::var("DXPLAN_BENCH_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(url) => {
            let db = dxplan_app::store::Db::connect(&dxplan_app::store::DbOptions::new(url))
                .await
                .expect("DXPLAN_BENCH_DATABASE_URL");
            (None, AppState::new(db, bench_config()))
        }
        None => {
            let (db, state) = bench_state().await;
            (Some(db), state)
        }
    }
}

fn bench_config() -> WebConfig {
    WebConfig {
        app: dxplan_app::Settings {
            password_cost: PasswordCost::CHEAP_FOR_TESTS,
            throttle: ThrottleConfig {
                per_pair_burst: 1000,
                per_account_burst: 1000,
                per_addr_burst: 1000,
                ..ThrottleConfig::default()
            },
            ..dxplan_app::Settings::default()
        },
        ..WebConfig::default()
    }
}

/// Serves the application on a loopback port; returns its base URL and a client logged
/// in as the demo coordinator.
pub async fn serve_logged_in(state: &AppState) -> (String, reqwest::Client) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server_state = state.clone();
    tokio::spawn(async move {
        let _ = dxplan_web::serve(listener, server_state, std::future::pending()).await;
    });
    let client = login(&base, "coordinator", "demo").await;
    (base, client)
}

/// A client logged in as `username`, asking for compressed answers as browsers do.
pub async fn login(base: &str, username: &str, password: &str) -> reqwest::Client {
    login_session(base, username, password).await.0
}

/// [`login`], with the session's CSRF token that every change sends as `x-csrf-token`.
pub async fn login_session(
    base: &str,
    username: &str,
    password: &str,
) -> (reqwest::Client, String) {
    dxplan_jobs::webhooks::install_crypto();
    let mut headers = reqwest::header::HeaderMap::new();
    // The client keeps the bytes as sent: the sizes printed are what crosses the wire.
    headers.insert(
        reqwest::header::ACCEPT_ENCODING,
        reqwest::header::HeaderValue::from_static("gzip, deflate, br"),
    );
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .expect("client");
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .header(reqwest::header::ACCEPT_ENCODING, "identity")
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login");
    assert!(
        login.status().is_success(),
        "{username}: {}",
        login.status()
    );
    let body: serde_json::Value = login.json().await.expect("login's answer");
    let csrf = body["csrf_token"].as_str().unwrap_or_default().to_string();
    (client, csrf)
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A reader of the whole system, for benchmarks that call the use cases directly.
pub fn system_reader() -> dxplan_app::CurrentUser {
    dxplan_app::CurrentUser {
        id: 0,
        username: "bench".into(),
        display_name: "bench".into(),
        unit_id: None,
        grants: vec![dxplan_domain::auth::Grant {
            role: dxplan_domain::auth::Role::Viewer,
            unit: None,
            read_only: true,
        }],
        csrf: String::new(),
        session_hash: String::new(),
        token: None,
    }
}

/// How many times each part of [`measure_page`] runs.
#[derive(Clone, Copy)]
pub struct Runs {
    /// Requests after every kept answer is forgotten (the first reader after a change).
    pub afresh: usize,
    /// Requests of one client in turn.
    pub one_client: usize,
    /// Seconds of eight clients at once.
    pub eight_seconds: u64,
}

/// One page measured as [`Runs`] says, printed on one line: afresh p50, one client's p50
/// and p95, eight clients' requests/s, p95 and p99, and the compressed size.
pub async fn measure_page(
    state: &AppState,
    name: &str,
    who: &reqwest::Client,
    url: &str,
    runs: Runs,
) {
    use std::time::Instant;
    for _ in 0..3 {
        let r = who.get(url).send().await.expect("warm");
        assert!(r.status().is_success(), "{url}: {}", r.status());
        r.bytes().await.expect("body");
    }
    let mut afresh = Vec::new();
    for _ in 0..runs.afresh {
        state.app.memo.forget_all();
        let start = Instant::now();
        let r = who.get(url).send().await.expect("request");
        r.bytes().await.expect("body");
        afresh.push(start.elapsed());
    }
    afresh.sort();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..runs.one_client {
        let start = Instant::now();
        let r = who.get(url).send().await.expect("request");
        size = r.bytes().await.expect("body").len();
        times.push(start.elapsed());
    }
    times.sort();
    // Eight at once: what the server sustains, and how long each waits then (the answers
    // kept expire and are computed again meanwhile).
    let deadline = Instant::now() + Duration::from_secs(runs.eight_seconds);
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (client, url) = (who.clone(), url.to_owned());
        workers.push(tokio::spawn(async move {
            let mut waits = Vec::new();
            while Instant::now() < deadline {
                let start = Instant::now();
                let r = client.get(&url).send().await.expect("request");
                r.bytes().await.expect("body");
                waits.push(start.elapsed());
            }
            waits
        }));
    }
    let mut loaded = Vec::new();
    for w in workers {
        loaded.extend(w.await.expect("worker"));
    }
    loaded.sort();
    println!(
        "  {name:<40} {:>6.1} ms {:>6.2} ms {:>6.2} ms | {:>5.0} r/s {:>6.1} ms {:>6.1} ms | {:>5}",
        ms(percentile(&afresh, 0.5)),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        loaded.len() as f64 / runs.eight_seconds as f64,
        ms(percentile(&loaded, 0.95)),
        ms(percentile(&loaded, 0.99)),
        size / 1024
    );
}

/// The header line of [`measure_page`]'s table.
pub fn measure_page_header() {
    println!(
        "  {:<40} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9} | {:>5}",
        "(one client; eight at once)", "afresh", "p50", "p95", "req/s", "p95", "p99", "kB"
    );
}
