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
    let config = WebConfig {
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
    };
    let state = AppState::new(test_db.db.clone(), config);
    (test_db, state)
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
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login");
    assert!(
        login.status().is_success(),
        "{username}: {}",
        login.status()
    );
    client
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
