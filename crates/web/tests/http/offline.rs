//! Working without a signal (issue #20): a change sent again with the same
//! `Idempotency-Key` after its answer was lost is answered as the first time and written
//! once; a key is its owner's, used for one request only.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::indicators::indicator;
use crate::support::{Session, TestApp, error_code};

async fn save_with_key(
    s: &Session,
    key: &str,
    body: &Value,
) -> (StatusCode, Option<String>, Value) {
    let r = s
        .client
        .post(s.url("/api/v1/data-values"))
        .header("x-csrf-token", &s.csrf)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = r.status();
    let replayed = r
        .headers()
        .get("idempotent-replayed")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, replayed, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_change_sent_again_with_its_key_is_answered_as_the_first_time_and_made_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    indicator(&coordinator, "T-OFF", "number", "sum", "higher").await;
    let officer = app.login("editor-540").await;
    let body = json!({"unit": "540", "period": "2025Q2", "submit": false,
        "rows": [{"indicator": "T-OFF", "value": "12", "comment": "Nhập khi mất sóng"}]});
    let key = "7f1c2f9e-3a51-4c3e-9a0b-5d1f4e2a6b70";

    let (status, replayed, first) = save_with_key(&officer, key, &body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(replayed, None);
    // The answer was lost on the way: the phone sends the same again.
    let (status, replayed, again) = save_with_key(&officer, key, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replayed.as_deref(), Some("true"));
    assert_eq!(again, first, "the first answer, word for word");
    let id = first["items"][0]["id"].as_i64().unwrap();
    let (_, history) = officer
        .get_json(&format!("/api/v1/data-values/{id}/history"))
        .await;
    let (_, values) = officer
        .get_json("/api/v1/data-values?unit=540&period=2025Q2")
        .await;
    let saved = values["items"].as_array().unwrap();
    assert_eq!(saved.len(), 1, "one figure: {values}");
    assert_eq!(saved[0]["version"], 1, "written once: {values} {history}");

    // The key belongs to its request: used for another, it is refused and nothing runs.
    let r = officer
        .client
        .post(officer.url("/api/v1/notifications/read-all"))
        .header("x-csrf-token", &officer.csrf)
        .header("idempotency-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let refused: Value = r.json().await.unwrap();
    assert_eq!(error_code(&refused), "idempotency_key_reused");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("đã được dùng cho một yêu cầu khác")
    );

    // Keys are their owner's: another officer's same key is a request of its own.
    let other = app.login("approver-540").await;
    let mut theirs = body.clone();
    theirs["rows"][0]["value"] = json!("13");
    theirs["rows"][0]["version"] = json!(1);
    let (status, replayed, answer) = save_with_key(&other, key, &theirs).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(replayed, None);
    assert_eq!(answer["items"][0]["ok"], true, "{answer}");

    // A refusal is kept too: the retry is told the same, and the officer corrects it.
    let bad = json!({"unit": "540", "period": "2025Q2", "rows": [{"indicator": "T-OFF", "value": "mười hai"}]});
    let (first_status, _, first) = save_with_key(&officer, "bad-1", &bad).await;
    let (status, replayed, again) = save_with_key(&officer, "bad-1", &bad).await;
    assert_eq!(first_status, StatusCode::BAD_REQUEST, "{first}");
    assert_eq!(
        (status, replayed.as_deref()),
        (StatusCode::BAD_REQUEST, Some("true"))
    );
    assert_eq!(again, first);
}

#[tokio::test]
async fn a_key_that_is_not_one_is_refused_in_words_and_reads_ignore_keys() {
    let app = TestApp::spawn().await;
    let officer = app.login("editor-540").await;
    let body = json!({"unit": "540", "period": "2025Q2", "rows": []});
    for key in ["", &"k".repeat(101), "khóa có dấu", "a b"] {
        let (status, _, refused) = save_with_key(&officer, key, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key:?}: {refused}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("Idempotency-Key không hợp lệ"),
            "{refused}"
        );
    }
    // While the first request with a key runs, a second with it waits its turn.
    let (_, me) = officer.get_json("/api/v1/me").await;
    let person = dxplan_app::principal::CurrentUser {
        id: me["id"].as_i64().unwrap(),
        username: "editor-540".into(),
        display_name: String::new(),
        unit_id: None,
        grants: Vec::new(),
        csrf: String::new(),
        session_hash: String::new(),
        token: None,
    };
    let begun = dxplan_app::idempotency::begin(&app.state, &person, "slow-1", "POST /data-values")
        .await
        .unwrap();
    assert_eq!(begun, dxplan_app::idempotency::Begun::Run);
    let (status, _, refused) = save_with_key(&officer, "slow-1", &body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(error_code(&refused), "idempotency_key_running");

    // A read carries no change to keep: it is answered afresh.
    let r = officer
        .client
        .get(officer.url("/api/v1/me"))
        .header("idempotency-key", "read-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("idempotent-replayed").is_none());
    // Without an account a key changes nothing: the caller is asked to log in.
    let r = app
        .client()
        .post(app.url("/api/v1/data-values"))
        .header("idempotency-key", "anon-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_figure_typed_without_a_signal_keeps_when_it_was_typed() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    indicator(&coordinator, "T-OFF", "number", "sum", "higher").await;
    let officer = app.login("editor-540").await;
    let typed = "2025-07-03T08:15:00+07:00";
    let (status, saved) = officer
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": "540", "period": "2025Q2",
                "rows": [{"indicator": "T-OFF", "value": "7", "entered_offline_at": typed}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let id = saved["items"][0]["id"].as_i64().unwrap();
    let at = |v: &Value| {
        time::OffsetDateTime::parse(
            v.as_str().unwrap_or_default(),
            &time::format_description::well_known::Rfc3339,
        )
        .ok()
    };
    let (_, values) = officer
        .get_json("/api/v1/data-values?unit=540&period=2025Q2")
        .await;
    assert_eq!(
        at(&values["items"][0]["entered_offline_at"]),
        Some(time::macros::datetime!(2025-07-03 01:15 UTC)),
        "{values}"
    );
    let (_, history) = officer
        .get_json(&format!("/api/v1/data-values/{id}/history"))
        .await;
    let rows = history["history"].as_array().unwrap();
    assert!(at(&rows[0]["entered_offline_at"]).is_some(), "{history}");
    // Saved again at the desk: no longer a figure from the field.
    let (_, saved) = officer
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": "540", "period": "2025Q2", "rows": [{"indicator": "T-OFF", "value": "8"}]}),
        )
        .await;
    assert_eq!(saved["items"][0]["ok"], true, "{saved}");
    let (_, values) = officer
        .get_json("/api/v1/data-values?unit=540&period=2025Q2")
        .await;
    assert_eq!(values["items"][0]["entered_offline_at"], Value::Null);

    // A time that is not one is refused at its field, and nothing is written.
    let (status, refused) = officer
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": "540", "period": "2025Q2",
                "rows": [{"indicator": "T-OFF", "value": "9", "entered_offline_at": "hôm qua"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused["error"]["details"][0]["errors"][0]["field"],
        "entered_offline_at"
    );
    let (_, values) = officer
        .get_json("/api/v1/data-values?unit=540&period=2025Q2")
        .await;
    assert_eq!(values["items"][0]["value"], 8.0);

    // Submitted from the field, the reviewer reads when it was typed.
    let head = app.login("approver-540").await;
    let (status, sent) = head
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": "540", "period": "2025Q2", "submit": true,
                "rows": [{"indicator": "T-OFF", "value": "9", "entered_offline_at": typed}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let review = coordinator.get("/data/review").await.text().await.unwrap();
    assert!(
        review.contains("Nhập khi mất sóng lúc 03/07/2025 08:15"),
        "{review}"
    );
}
