//! Conventions every list shares: `limit` and an opaque `cursor`, answered with
//! `next_cursor` until the list is done; a forged cursor is refused.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Session, TestApp, error_code};

/// Every item of a list, page by page; how many pages it took.
async fn walk(s: &Session, path: &str, limit: u32) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let (status, body) = s.get_json(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 1000, "a cursor that never ends");
    }
    (items, pages)
}

#[tokio::test]
async fn lists_page_by_cursor_to_the_end_without_repeats_and_refuse_forged_cursors() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (_, first) = coordinator.get_json("/api/v1/tasks?limit=200").await;
    let total = first["total"].as_u64().unwrap() as usize;
    let (tasks, pages) = walk(&coordinator, "/api/v1/tasks", 7).await;
    assert_eq!(tasks.len(), total);
    assert_eq!(pages, total.div_ceil(7));
    let ids: BTreeSet<i64> = tasks.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), total, "no task twice");

    for code in ["CDS-A", "CDS-B", "CDS-C"] {
        let mut framework = crate::index::department_framework();
        framework["code"] = code.into();
        let (status, _) = coordinator
            .post_json("/api/v1/index-frameworks", &framework)
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (frameworks, pages) = walk(&coordinator, "/api/v1/index-frameworks", 2).await;
    assert_eq!((frameworks.len(), pages), (3, 2));

    // The shorter lists page the same way: one item a page gives every item once.
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let plan = plans["items"][0]["id"].as_i64().unwrap();
    for path in [
        "/api/v1/plans".to_string(),
        "/api/v1/indicators".to_string(),
        "/api/v1/forms".to_string(),
        format!("/api/v1/plans/{plan}/groups"),
        "/api/v1/units/52/indicators?period=2025".to_string(),
    ] {
        let (_, whole) = coordinator
            .get_json(&format!(
                "{path}{}limit=500",
                if path.contains('?') { '&' } else { '?' }
            ))
            .await;
        let whole = whole["items"].as_array().unwrap().clone();
        assert!(whole.len() > 1, "{path} has something to page");
        let (paged, pages) = walk(&coordinator, &path, 1).await;
        assert_eq!((paged, pages), (whole.clone(), whole.len()), "{path}");
    }

    let admin = app.login("admin").await;
    let (events, _) = walk(&admin, "/api/v1/audit", 50).await;
    let ids: BTreeSet<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), events.len());
    assert!(events.len() > 50, "more than one page of audit events");

    for path in [
        "/api/v1/tasks?cursor=bm90LWEtY3Vyc29y",
        "/api/v1/index-frameworks?cursor=%5B%5D",
        "/api/v1/audit?cursor=WyJAIiwxXQ",
    ] {
        let (status, body) = admin.get_json(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(error_code(&body), "validation_failed");
    }
}

#[tokio::test]
async fn unknown_fields_are_refused_where_the_schema_forbids_them_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let (status, body) = admin
        .post_json(
            "/api/v1/webhooks",
            &serde_json::json!({"url": "http://127.0.0.1:9/hook", "events": ["task.submitted"],
                "allow_private": true, "allow_metadata": true}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"].as_str().is_some());
    let (_, list) = admin.get_json("/api/v1/webhooks").await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let coordinator = app.login("coordinator").await;
    let (status, _) = coordinator
        .post_json(
            "/api/v1/index-rounds",
            &serde_json::json!({"framework_id": 1, "name": "x", "year": 2026,
                "deadline": "31/12/2026", "skip_verification": true}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Older inputs (shared with the HTML forms) refuse unknown fields in the API too, at
    // the top level, through flattened parts and inside lists.
    let (_, before) = admin.get_json("/api/v1/units/540").await;
    let (status, body) = admin
        .patch_json(
            "/api/v1/units/540",
            &serde_json::json!({"name": "Quy Nhơn đổi tên", "short_nam": "QN"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("short_nam"),
        "the message names the field: {body}"
    );
    let (_, after) = admin.get_json("/api/v1/units/540").await;
    assert_eq!(before, after, "nothing changed");
    let (_, tasks) = coordinator.get_json("/api/v1/tasks?limit=1").await;
    let task = &tasks["items"][0];
    let (status, body) = coordinator
        .patch_json(
            &format!("/api/v1/tasks/{}", task["id"]),
            &serde_json::json!({"title": "Tên mới", "lead_unit_code": task["lead_unit_code"],
                "due_date": task["due_date"], "priority": "high"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("priority"),
        "{body}"
    );
    let (_, same) = coordinator
        .get_json(&format!("/api/v1/tasks/{}", task["id"]))
        .await;
    assert_eq!(same["title"], task["title"], "nothing changed");
    let (status, body) = coordinator
        .post_json(
            "/api/v1/data-values",
            &serde_json::json!({"unit": "540", "period": "2025",
                "rows": [{"indicator": "NL-03", "value": "12", "valu": "13"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("valu"),
        "{body}"
    );
    // Huge bodies are refused before they are read.
    let huge = "x".repeat(5 * 1024 * 1024);
    let (status, _) = coordinator
        .post_json("/api/v1/index-rounds", &serde_json::json!({"name": huge}))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_write_with_a_stale_if_match_is_refused_with_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let read = admin.get("/api/v1/units/540").await;
    let tag = read.headers()["etag"].to_str().unwrap().to_string();
    let patch = |name: &'static str, tag: String| {
        admin
            .client
            .patch(admin.url("/api/v1/units/540"))
            .header("x-csrf-token", &admin.csrf)
            .header("if-match", tag)
            .json(&serde_json::json!({"name": name}))
            .send()
    };
    let r = patch("Thành phố Quy Nhơn", tag.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the tag read is current");
    // The write changed the unit (its version at least): the old tag is stale now.
    let r = patch("Thành phố Quy Nhơn mới", tag).await.unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "precondition_failed");
    let (_, unit) = admin.get_json("/api/v1/units/540").await;
    assert_eq!(unit["name"], "Thành phố Quy Nhơn", "nothing changed");
    // Without If-Match, writes behave as before.
    let (status, _) = admin
        .patch_json(
            "/api/v1/units/540",
            &serde_json::json!({"name": "Thành phố Quy Nhơn"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn vietnamese_text_is_kept_in_nfc_and_times_carry_their_offset() {
    let app = TestApp::spawn().await;
    let editor = app.login("editor-540").await;
    // "Phần mềm một cửa" typed with combining marks (NFD), as some keyboards send it.
    let decomposed =
        "Pha\u{0302}\u{0300}n me\u{0302}\u{0300}m mo\u{0302}\u{0323}t cu\u{031b}\u{0309}a";
    let (status, made) = editor
        .post_json("/api/v1/tokens", &serde_json::json!({"name": decomposed}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(made["token"]["name"], "Phần mềm một cửa");
    let created = made["token"]["created_at"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{created}"
    );
    assert!(created.ends_with('Z') || created.contains('+'), "{created}");
}
