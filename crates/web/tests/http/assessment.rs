//! An index assessment round through the API, from opening to publication: the unit's
//! self-assessment and its head's approval, the deadline, verification by the coordinator
//! and by the sector department assigned to a criterion, the one response, publication,
//! rankings against hand-computed scores, and corrections after publication.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::index::department_framework;
use crate::support::{Session, TestApp, TestClock, error_code};

/// The id of a unit's assessment in a round as `GET /api/v1/index-rounds/{id}` shows it.
pub(crate) fn assessment_id(round: &Value, unit_code: &str) -> i64 {
    round["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["assessment"]["unit_code"] == unit_code)
        .unwrap_or_else(|| panic!("{unit_code} in {round}"))["assessment"]["id"]
        .as_i64()
        .unwrap()
}

fn day(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn framework(coordinator: &Session) -> i64 {
    let (status, view) = coordinator
        .post_json("/api/v1/index-frameworks", &department_framework())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    view["framework"]["id"].as_i64().unwrap()
}

/// Opens a round for two departments with a deadline `days` from today.
async fn open_round(app: &TestApp, coordinator: &Session, days: i64) -> (i64, i64, i64) {
    let framework_id = framework(coordinator).await;
    let deadline = app.state.today() + time::Duration::days(days);
    let (status, round) = coordinator
        .post_json(
            "/api/v1/index-rounds",
            &json!({"framework_id": framework_id, "name": "Đánh giá chuyển đổi số cấp sở năm 2026",
                    "year": 2026, "deadline": day(deadline), "units": ["52-STP", "52-STC2"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let round_id = round["id"].as_i64().unwrap();
    let (_, view) = coordinator
        .get_json(&format!("/api/v1/index-rounds/{round_id}"))
        .await;
    (
        round_id,
        assessment_id(&view, "52-STP"),
        assessment_id(&view, "52-STC2"),
    )
}

/// Sở Tư pháp's answers: 20 + 15 + 15 + 160 + 160 = 370 of 460.
fn stp_answers() -> Value {
    json!({"answers": [
        {"criterion": "1.1", "choice": "head", "explanation": "Quyết định số 12/QĐ-STP ngày 10/01/2026"},
        {"criterion": "1.2", "value": 3},
        {"criterion": "1.3", "numerator": 3, "denominator": 4},
        {"criterion": "2.1", "value": 80, "target": 100},
        {"criterion": "2.2", "value": 2}
    ]})
}

fn row<'a>(view: &'a Value, code: &str) -> &'a Value {
    view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["criterion"]["code"] == code)
        .unwrap()
}

#[tokio::test]
async fn a_full_round_runs_from_opening_to_publication() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (round_id, stp, stc) = open_round(&app, &coordinator, 10).await;

    // The specialist fills in; points are computed by each rule.
    let editor = app.login("editor-stp").await;
    let (status, view) = editor
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/assessments/{stp}/scores"),
            &stp_answers(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["self_total"], 370.0);
    assert_eq!(row(&view, "1.2")["score"]["self_points"], 15.0);
    assert_eq!(row(&view, "2.2")["score"]["self_points"], 160.0);
    assert_eq!(
        row(&view, "1")["self_total"],
        50.0,
        "a group adds its leaves up"
    );
    // Evidence: a link to a published document.
    let (status, evidence) = editor
        .post_json(
            &format!("/api/v1/assessments/{stp}/evidence"),
            &json!({"criterion": "1.1", "url": "https://stp.binhdinh.gov.vn/qd-12.pdf",
                    "title": "Quyết định 12/QĐ-STP"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{evidence}");

    // Only the unit's head submits.
    let submit = json!({"action": "submit"});
    let (status, _) = editor
        .post_json(&format!("/api/v1/assessments/{stp}/actions"), &submit)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let approver = app.login("approver-stp").await;
    let (status, view) = approver
        .post_json(&format!("/api/v1/assessments/{stp}/actions"), &submit)
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["assessment"]["status"], "self_assessed");
    // Submitted answers are locked.
    let (status, body) = editor
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/assessments/{stp}/scores"),
            &stp_answers(),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "assessment_locked");

    // Sở Tài chính: 20 + 10 + 20 + 100 + 200 = 350.
    let stc_editor = app.login("editor-stc2").await;
    let (status, view) = stc_editor
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/assessments/{stc}/scores"),
            &json!({"answers": [
                {"criterion": "1.1", "choice": "head"},
                {"criterion": "1.2", "value": 2},
                {"criterion": "1.3", "numerator": 4, "denominator": 4},
                {"criterion": "2.1", "value": 50, "target": 100},
                {"criterion": "2.2", "value": 0}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["self_total"], 350.0);
    let (status, _) = app
        .login("approver-stc2")
        .await
        .post_json(&format!("/api/v1/assessments/{stc}/actions"), &submit)
        .await;
    assert_eq!(status, StatusCode::OK);

    // Sở Nội vụ verifies criterion 1.3 for every unit, and nothing else.
    let snv = app.login("editor-snv2").await;
    let verify = |criterion: &str, decision: &str, points: Option<f64>, comment: Option<&str>| json!({"criterion": criterion, "decision": decision, "points": points, "comment": comment});
    let (status, view) = snv
        .post_json(
            &format!("/api/v1/assessments/{stp}/verifications"),
            &verify("1.3", "accepted", None, None),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["assessment"]["status"], "verifying");
    let (status, _) = snv
        .post_json(
            &format!("/api/v1/assessments/{stp}/verifications"),
            &verify("1.1", "accepted", None, None),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a verifier outside its criteria is refused"
    );
    let (status, _) = app
        .login("approver-540")
        .await
        .post_json(
            &format!("/api/v1/assessments/{stp}/verifications"),
            &verify("1.3", "accepted", None, None),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An adjustment needs a reason and points within the maximum.
    let path = format!("/api/v1/assessments/{stp}/verifications");
    let (status, body) = coordinator
        .post_json(&path, &verify("2.2", "adjusted", Some(100.0), None))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "comment");
    let (status, body) = coordinator
        .post_json(
            &path,
            &verify("1.1", "adjusted", Some(25.0), Some("Quá điểm")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "points");
    let (status, view) = coordinator
        .post_json(
            &path,
            &verify(
                "2.2",
                "adjusted",
                Some(100.0),
                Some("Số liệu quá hạn theo hệ thống là 5%."),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["verified_total"], 115.0, "15 accepted + 100 adjusted");
    // Verification cannot close while criteria are undecided.
    let finalize = json!({"action": "finalize"});
    let (status, body) = coordinator
        .post_json(&format!("/api/v1/assessments/{stp}/actions"), &finalize)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "not_all_verified");

    // The unit responds once, on adjusted criteria only.
    let respond_path = format!("/api/v1/assessments/{stp}/responses");
    let (status, body) = approver
        .post_json(
            &respond_path,
            &json!({"responses": [{"criterion": "1.1", "response": "?"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, view) = approver
        .post_json(
            &respond_path,
            &json!({"responses": [{"criterion": "2.2",
                "response": "Tỷ lệ quá hạn 2% theo báo cáo quý IV, gửi kèm trích xuất."}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert!(
        row(&view, "2.2")["score"]["response"]
            .as_str()
            .unwrap()
            .contains("2%")
    );
    let (status, body) = approver
        .post_json(
            &respond_path,
            &json!({"responses": [{"criterion": "2.2", "response": "Lần nữa"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "already_responded");

    // After the response the coordinator settles 2.2 at 140 and accepts the rest.
    coordinator
        .post_json(
            &path,
            &verify(
                "2.2",
                "adjusted",
                Some(140.0),
                Some("Chấp nhận một phần giải trình."),
            ),
        )
        .await;
    for code in ["1.1", "1.2", "2.1"] {
        let (status, _) = coordinator
            .post_json(&path, &verify(code, "accepted", None, None))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, view) = coordinator
        .post_json(&format!("/api/v1/assessments/{stp}/actions"), &finalize)
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["assessment"]["status"], "verified");
    assert_eq!(view["final_total"], 350.0, "20 + 15 + 15 + 160 + 140");

    // Publication waits for every unit.
    let publish = format!("/api/v1/index-rounds/{round_id}/publish");
    let (status, body) = coordinator.post_json(&publish, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Before publication the public sees nothing.
    let anonymous = app.client();
    let r = anonymous
        .get(app.url(&format!("/public/index/{round_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Sở Tài chính: 1.2 adjusted from 10 to 5; the rest accepted → 345.
    let stc_path = format!("/api/v1/assessments/{stc}/verifications");
    snv.post_json(&stc_path, &verify("1.3", "accepted", None, None))
        .await;
    coordinator
        .post_json(
            &stc_path,
            &verify(
                "1.2",
                "adjusted",
                Some(5.0),
                Some("Chỉ có 1 biên bản họp hợp lệ."),
            ),
        )
        .await;
    for code in ["1.1", "2.1", "2.2"] {
        coordinator
            .post_json(&stc_path, &verify(code, "accepted", None, None))
            .await;
    }
    let (status, _) = app
        .login("viewer")
        .await
        .post_json(&publish, &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a viewer cannot publish");
    let (status, body) = coordinator
        .post_json(&format!("/api/v1/assessments/{stc}/actions"), &finalize)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = coordinator.post_json(&publish, &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "published");

    // The ranking, against hand-computed scores: STP 350 (index 350/460 = 0.7609) before
    // STC 345 (0.75); STP lost most on 2.2 (60), then 2.1 (40).
    let (status, results) = app
        .login("viewer")
        .await
        .get_json(&format!("/api/v1/index-rounds/{round_id}/results"))
        .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    let ranking: Vec<(String, i64, f64, f64)> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit_name"].as_str().unwrap().to_string(),
                r["rank"].as_i64().unwrap(),
                r["points"].as_f64().unwrap(),
                r["index"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ranking,
        vec![
            ("Sở Tư pháp".to_string(), 1, 350.0, 0.7609),
            ("Sở Tài chính".to_string(), 2, 345.0, 0.75),
        ]
    );
    let first = &results["results"][0];
    assert_eq!(first["pillars"][0]["points"], 50.0);
    assert_eq!(first["pillars"][0]["index"], 0.8333);
    assert_eq!(first["lost"][0]["code"], "2.2");
    assert_eq!(first["lost"][0]["lost"], 60.0);
    assert_eq!(first["lost"][1]["code"], "2.1");

    // The public page now shows the published ranking.
    let r = anonymous
        .get(app.url(&format!("/public/index/{round_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Sở Tư pháp") && html.contains("350"),
        "{html}"
    );

    // A published record is locked: a correction is a new, audited revision.
    let (status, body) = coordinator
        .post_json(&path, &verify("1.1", "accepted", None, None))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let correct = format!("/api/v1/assessments/{stp}/corrections");
    let (status, _) = approver
        .post_json(
            &correct,
            &json!({"criterion": "2.2", "points": 200, "comment": "Tự sửa điểm"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a unit does not correct its own result"
    );
    let (status, body) = coordinator
        .post_json(&correct, &json!({"criterion": "2.2", "points": 150}))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a correction needs its reason: {body}"
    );
    let (status, view) = coordinator
        .post_json(
            &correct,
            &json!({"criterion": "2.2", "points": 150,
                    "comment": "Đính chính theo Văn bản 45/STTTT ngày 20/12/2026."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["assessment"]["revision"], 1);
    assert_eq!(view["final_total"], 360.0);
    assert_eq!(app.audit_count("assessment.correct").await, 1);
    let events: Vec<&str> = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        events.starts_with(&["submit", "accepted", "adjusted"]) && events.ends_with(&["correct"]),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_late_submission_is_refused_until_the_coordinator_reopens_it() {
    let clock = TestClock::new();
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let coordinator = app.login("coordinator").await;
    let (_, stp, _) = open_round(&app, &coordinator, 2).await;
    let editor = app.login("editor-stp").await;
    editor
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/assessments/{stp}/scores"),
            &stp_answers(),
        )
        .await;
    clock.advance(time::Duration::days(3));
    // Sessions lapse over three idle days: everyone logs in again.
    let coordinator = app.login("coordinator").await;
    let approver = app.login("approver-stp").await;
    let actions = format!("/api/v1/assessments/{stp}/actions");
    let (status, body) = approver
        .post_json(&actions, &json!({"action": "submit"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "deadline_passed");
    let (_, view) = approver
        .get_json(&format!("/api/v1/assessments/{stp}"))
        .await;
    assert_eq!(view["assessment"]["status"], "draft", "nothing changed");
    // Only the coordinator reopens, with a date and a reason.
    let until = day(app.state.today() + time::Duration::days(5));
    let (status, _) = approver
        .post_json(
            &actions,
            &json!({"action": "reopen", "until": until, "comment": "Xin thêm hạn"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = coordinator
        .post_json(&actions, &json!({"action": "reopen", "until": until}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = coordinator
        .post_json(
            &actions,
            &json!({"action": "reopen", "until": until, "comment": "Đơn vị có văn bản xin gia hạn."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, view) = approver
        .post_json(&actions, &json!({"action": "submit"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["assessment"]["status"], "self_assessed");
}

#[tokio::test]
async fn impossible_answers_and_wrong_units_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (round_id, stp, _) = open_round(&app, &coordinator, 10).await;
    let editor = app.login("editor-stp").await;
    let scores = format!("/api/v1/assessments/{stp}/scores");
    let (status, body) = editor
        .send_json(
            reqwest::Method::PUT,
            &scores,
            &json!({"answers": [
                {"criterion": "1.1", "choice": "chairman-of-the-world"},
                {"criterion": "1.3", "numerator": 5, "denominator": 4},
                {"criterion": "9.9", "value": 1},
                {"criterion": "1.2", "value": 4}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["1.1.choice", "1.3.numerator", "9.9.criterion"],
        "{body}"
    );
    let (_, view) = editor.get_json(&format!("/api/v1/assessments/{stp}")).await;
    assert_eq!(
        view["self_total"], 0.0,
        "the valid answer was not saved either"
    );
    // Another unit's staff cannot fill in, nor see, this assessment.
    let other = app.login("editor-540").await;
    let (status, _) = other
        .send_json(reqwest::Method::PUT, &scores, &stp_answers())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = other.get_json(&format!("/api/v1/assessments/{stp}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Links must be web addresses.
    let (status, body) = editor
        .post_json(
            &format!("/api/v1/assessments/{stp}/evidence"),
            &json!({"criterion": "1.1", "url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Rounds are opened by coordinators, for units of the framework's kinds.
    let (status, _) = editor
        .post_json(
            "/api/v1/index-rounds",
            &json!({"framework_id": 1, "name": "x", "year": 2026, "deadline": "2026-12-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = coordinator
        .post_json(
            "/api/v1/index-rounds",
            &json!({"framework_id": view["round"]["framework_id"], "name": "Sai đơn vị", "year": 2026,
                    "deadline": "31/12/2026", "units": ["540", "KHONG-CO"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["units.540", "units.KHONG-CO"]);
    let (_, list) = coordinator.get_json("/api/v1/index-rounds").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], round_id);
}

#[tokio::test]
async fn the_demo_has_a_published_2024_round_and_2025_rounds_in_progress() {
    let app = TestApp::spawn().await;
    let seeded = dxplan_app::demo::index::seed(&app.state).await.unwrap();
    assert_eq!(seeded.published_rounds.len(), 2);
    assert_eq!(seeded.open_rounds.len(), 3);
    let viewer = app.login("viewer").await;
    let (_, frameworks) = viewer.get_json("/api/v1/index-frameworks").await;
    let max_of = async |code: &str| {
        let id = frameworks["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let (_, f) = viewer
            .get_json(&format!("/api/v1/index-frameworks/{id}"))
            .await;
        f["max_points"].as_f64().unwrap()
    };
    assert_eq!(max_of("DTI-SO-2024").await, 500.0);
    assert_eq!(max_of("DTI-HUYEN-2024").await, 1000.0);
    assert_eq!(max_of("DTI-HUYEN-2025").await, 1000.0);
    // The commune framework speaks of the commune and its villages, of 2025.
    let xa = frameworks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "DTI-XA-2025")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let xa = viewer
        .get(&format!("/api/v1/index-frameworks/{xa}"))
        .await
        .text()
        .await
        .unwrap();
    for stale in ["huyện", "thị trấn", "2024"] {
        assert!(
            !xa.contains(stale),
            "{stale} in the commune framework: {xa}"
        );
    }
    assert!(xa.contains("Tổ công nghệ số cộng đồng"));

    // 2024: every unit published; the index is points ÷ maximum, ranks follow points.
    let districts_2024 = seeded.published_rounds[1];
    let (_, results) = viewer
        .get_json(&format!("/api/v1/index-rounds/{districts_2024}/results"))
        .await;
    let list = results["results"].as_array().unwrap();
    assert_eq!(list.len(), 11, "the 11 districts of Bình Định");
    for pair in list.windows(2) {
        assert!(pair[0]["points"].as_f64() >= pair[1]["points"].as_f64());
    }
    for r in list {
        let points = r["points"].as_f64().unwrap();
        let index = r["index"].as_f64().unwrap();
        assert!((index - points / 1000.0).abs() < 1e-4, "{r}");
        let pillar_sum: f64 = r["pillars"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["points"].as_f64().unwrap())
            .sum();
        assert!((pillar_sum - points).abs() < 0.01);
    }

    // 2025: every step of the workflow is on show, and districts compare with 2024.
    let districts_2025 = seeded.open_rounds[1];
    let (_, round) = viewer
        .get_json(&format!("/api/v1/index-rounds/{districts_2025}"))
        .await;
    let statuses: std::collections::HashSet<&str> = round["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["assessment"]["status"].as_str().unwrap())
        .collect();
    for s in ["draft", "self_assessed", "verifying", "verified"] {
        assert!(statuses.contains(s), "{s} in {statuses:?}");
    }
    let (_, results) = viewer
        .get_json(&format!("/api/v1/index-rounds/{districts_2025}/results"))
        .await;
    assert_eq!(results["published"], false);
    let r = &results["results"][0];
    let change = r["change"].as_f64().unwrap();
    let expected = r["index"].as_f64().unwrap() - r["previous_index"].as_f64().unwrap();
    assert!((change - expected).abs() < 1e-3, "{r}");

    // Departments merged on 1 March 2025 compare with their predecessors' 2024 average.
    let (_, so_2024) = viewer
        .get_json(&format!(
            "/api/v1/index-rounds/{}/results",
            seeded.published_rounds[0]
        ))
        .await;
    let (_, so_2025) = viewer
        .get_json(&format!(
            "/api/v1/index-rounds/{}/results",
            seeded.open_rounds[0]
        ))
        .await;
    let result = |view: &Value, name: &str| {
        view["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_name"] == name)
            .unwrap_or_else(|| panic!("{name} in {view}"))
            .clone()
    };
    let average = (result(&so_2024, "Sở Khoa học và Công nghệ")["index"]
        .as_f64()
        .unwrap()
        + result(&so_2024, "Sở Thông tin và Truyền thông")["index"]
            .as_f64()
            .unwrap())
        / 2.0;
    let merged = result(&so_2025, "Sở Khoa học và Công nghệ");
    assert!(
        (merged["previous_index"].as_f64().unwrap() - average).abs() < 1e-4,
        "{merged}"
    );
    assert_eq!(
        merged["previous_basis"]["kind"], "average_of_predecessors",
        "{merged}"
    );
    assert_eq!(
        result(&so_2025, "Sở Tư pháp")["previous_basis"]["kind"],
        "own"
    );

    // The public sees the two published rounds, not this year's.
    let anonymous = app.client();
    let html = anonymous
        .get(app.url("/public/index"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("cấp huyện năm 2024"), "{html}");
    assert!(!html.contains("năm 2025"), "{html}");
    let r = anonymous
        .get(app.url(&format!("/public/index/{districts_2025}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Quy Nhơn runs its communes' round; a commune's officer cannot manage it.
    let commune_round = seeded.open_rounds[2];
    let (status, round) = app
        .login("coordinator-540")
        .await
        .get_json(&format!("/api/v1/index-rounds/{commune_round}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{round}");
    assert_eq!(round["may_manage"], true);
    assert_eq!(round["round"]["run_by_name"], "Thành phố Quy Nhơn");
    let (_, other) = app
        .login("coordinator-540")
        .await
        .get_json(&format!("/api/v1/index-rounds/{districts_2025}"))
        .await;
    assert_eq!(
        other["may_manage"], false,
        "a district does not manage the province's round"
    );
    // A district opens rounds for its own communes only.
    let qn = app.login("coordinator-540").await;
    let (_, round) = qn
        .get_json(&format!("/api/v1/index-rounds/{commune_round}"))
        .await;
    let framework_id = round["round"]["framework_id"].clone();
    let (status, _) = qn
        .post_json(
            "/api/v1/index-rounds",
            &json!({"framework_id": framework_id, "name": "Tỉnh", "year": 2025, "deadline": "31/12/2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not the province's round");
    let (status, body) = qn
        .post_json(
            "/api/v1/index-rounds",
            &json!({"framework_id": framework_id, "name": "Xã ngoài huyện", "year": 2025,
                    "deadline": "31/12/2026", "run_by": "540", "units": ["21994"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "units.21994");
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location} under {prefix}"))
}

async fn upload(
    s: &Session,
    path: &str,
    name: &'static str,
    bytes: Vec<u8>,
    fields: &[(&'static str, &'static str)],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(*k, *v);
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name),
    );
    s.client
        .post(s.url(&format!("{path}?_csrf={}", s.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn a_round_runs_in_the_browser_from_import_to_published_documents() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let original = framework(&coordinator).await;

    // The annex workbook carries every criterion and imports back as a new framework.
    let r = coordinator
        .get(&format!("/assessments/frameworks/{original}/export.xlsx"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let annex = r.bytes().await.unwrap().to_vec();
    let rows = sheet_rows(&annex);
    assert!(rows[2].iter().any(|h| h == "Điểm tối đa"), "{:?}", rows[2]);
    assert!(
        rows.iter().any(|r| r[0] == "1.2" && r[2] == "20"),
        "{rows:?}"
    );
    let r = upload(
        &coordinator,
        "/assessments/frameworks/import",
        "bo-chi-so.xlsx",
        annex,
        &[
            ("code", "CDS-SO-2026"),
            ("name", "Bộ chỉ số cấp sở năm 2026"),
            ("year", "2026"),
            ("unit_kinds", "department"),
        ],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let imported = id_after(&location(&r), "/assessments/frameworks/");
    let (_, a) = coordinator
        .get_json(&format!("/api/v1/index-frameworks/{original}"))
        .await;
    let (_, b) = coordinator
        .get_json(&format!("/api/v1/index-frameworks/{imported}"))
        .await;
    assert_eq!(
        a["criteria"], b["criteria"],
        "rules, maxima, verifiers and indicators survive"
    );
    // A file that is not a framework is refused and creates nothing.
    let r = upload(
        &coordinator,
        "/assessments/frameworks/import",
        "ghi-chu.xlsx",
        b"PK\x03\x04 not really".to_vec(),
        &[("code", "HONG")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (_, list) = coordinator.get_json("/api/v1/index-frameworks").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    // Open a round from the form.
    let deadline = app.state.today() + time::Duration::days(7);
    let deadline = format!(
        "{:02}/{:02}/{}",
        deadline.day(),
        u8::from(deadline.month()),
        deadline.year()
    );
    let r = coordinator
        .post_form(
            "/assessments/rounds",
            &[
                ("framework_id", imported.to_string().as_str()),
                ("name", "Đánh giá cấp sở năm 2026"),
                ("year", "2026"),
                ("deadline", deadline.as_str()),
                // Units by name, one a line, as the form asks.
                ("units", "Sở Tư pháp\nso tai chinh"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let round_id = id_after(&location(&r), "/assessments/rounds/");
    let (_, round) = coordinator
        .get_json(&format!("/api/v1/index-rounds/{round_id}"))
        .await;
    let (stp, stc) = (
        assessment_id(&round, "52-STP"),
        assessment_id(&round, "52-STC2"),
    );

    // The specialist fills in the form; a typo is shown at its criterion and saves nothing.
    let editor = app.login("editor-stp").await;
    let page = editor
        .get(&format!("/assessments/{stp}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Người đứng đầu làm Trưởng Ban chỉ đạo") && page.contains("form=\"answers\"")
    );
    let scores = format!("/assessments/{stp}/scores");
    let r = editor
        .post_form(&scores, &[("c:1.2", "1"), ("value:1.2", "ba")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Không phải là số"));
    let r = editor
        .post_form(
            &scores,
            &[
                ("c:1.1", "1"),
                ("choice:1.1", "head"),
                ("explanation:1.1", "Quyết định 12/QĐ-STP"),
                ("c:1.2", "1"),
                ("value:1.2", "3"),
                ("c:1.3", "1"),
                ("numerator:1.3", "3"),
                ("denominator:1.3", "4"),
                ("c:2.1", "1"),
                ("value:2.1", "80,5"),
                ("target:2.1", "100"),
                ("c:2.2", "1"),
                ("value:2.2", "2"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, view) = editor.get_json(&format!("/api/v1/assessments/{stp}")).await;
    assert_eq!(view["self_total"], 371.0, "20 + 15 + 15 + 161 + 160");

    // Evidence files: a program is refused, a PDF is kept and downloads again.
    let files = format!("/assessments/{stp}/files?criterion=1.1");
    let form = |name: &'static str, bytes: Vec<u8>| {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        )
    };
    let r = editor
        .client
        .post(editor.url(&format!("{files}&_csrf={}", editor.csrf)))
        .multipart(form("chuong-trinh.exe", b"MZ\x90\x00".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    let r = editor
        .client
        .post(editor.url(&format!("{files}&_csrf={}", editor.csrf)))
        .multipart(form("Quyết định 12.pdf", pdf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, view) = editor.get_json(&format!("/api/v1/assessments/{stp}")).await;
    let evidence = row(&view, "1.1")["evidence"].as_array().unwrap().clone();
    assert_eq!(evidence.len(), 1, "only the PDF was kept");
    let file = editor
        .get(&format!("/assessments/evidence/{}", evidence[0]["id"]))
        .await;
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
    let outsider = app.login("editor-540").await;
    let r = outsider
        .get(&format!("/assessments/evidence/{}", evidence[0]["id"]))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The head approves and submits; Sở Tài chính never answers and gets 0.
    let approver = app.login("approver-stp").await;
    let r = approver
        .post_form(
            &format!("/assessments/{stp}/actions"),
            &[("action", "submit")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .login("approver-stc2")
        .await
        .post_form(
            &format!("/assessments/{stc}/actions"),
            &[("action", "submit")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Verification criterion by criterion from the page; an adjustment needs its reason.
    let snv = app.login("editor-snv2").await;
    let page = snv
        .get(&format!("/assessments/{stp}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("Ghi kết quả thẩm định").count(),
        1,
        "one criterion is Sở Nội vụ's"
    );
    for (assessment, who) in [(stp, &snv), (stc, &snv)] {
        let r = who
            .post_form(
                &format!("/assessments/{assessment}/verify"),
                &[("criterion", "1.3"), ("decision", "accepted")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let r = coordinator
        .post_form(
            &format!("/assessments/{stp}/verify"),
            &[
                ("criterion", "2.1"),
                ("decision", "adjusted"),
                ("points", "150"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = coordinator
        .post_form(
            &format!("/assessments/{stp}/verify"),
            &[
                ("criterion", "2.1"),
                ("decision", "adjusted"),
                ("points", "150"),
                ("comment", "Tỷ lệ theo hệ thống là 75%."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for assessment in [stp, stc] {
        for code in ["1.1", "1.2", "2.1", "2.2"] {
            if assessment == stp && code == "2.1" {
                continue;
            }
            coordinator
                .post_form(
                    &format!("/assessments/{assessment}/verify"),
                    &[("criterion", code), ("decision", "accepted")],
                )
                .await;
        }
        let r = coordinator
            .post_form(
                &format!("/assessments/{assessment}/actions"),
                &[("action", "finalize")],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap()
        );
    }
    let page = coordinator
        .get(&format!("/assessments/rounds/{round_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Công bố kết quả"), "the next step is offered");
    let r = coordinator
        .post_form(&format!("/assessments/rounds/{round_id}/publish"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Results: the page, the workbook and the PDF all say STP 360 (index 0.7826), STC 0.
    let page = coordinator
        .get(&format!("/assessments/rounds/{round_id}/results"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Sở Tư pháp") && page.contains("<svg"),
        "ranking and radar drawn"
    );
    let xlsx = coordinator
        .get(&format!("/assessments/rounds/{round_id}/results.xlsx"))
        .await
        .bytes()
        .await
        .unwrap();
    let rows = sheet_rows(&xlsx);
    let stp_row = rows.iter().find(|r| r[1] == "Sở Tư pháp").unwrap();
    assert_eq!(
        (
            stp_row[0].as_str(),
            stp_row[2].as_str(),
            stp_row[4].as_str()
        ),
        ("1", "360", "0.7826")
    );
    let stc_row = rows.iter().find(|r| r[1] == "Sở Tài chính").unwrap();
    assert_eq!((stc_row[0].as_str(), stc_row[2].as_str()), ("2", "0"));
    let anonymous = app.client();
    let pdf = anonymous
        .get(app.url(&format!("/public/index/{round_id}/results.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    let text = pdf_extract::extract_text_from_mem(&pdf.bytes().await.unwrap()).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Sở Tư pháp") && text.contains("0,7826"),
        "{text}"
    );
}

#[tokio::test]
async fn a_task_names_the_criteria_it_improves_and_the_unit_and_indicator_pages_show_links() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let framework_id = framework(&coordinator).await;
    // A 2025 task led by a department with demo accounts.
    let candidates = {
        let mut c = app.state.db.read().await.unwrap();
        dxplan_app::store::index_rounds::tasks_of_year(&mut c, 2025)
            .await
            .unwrap()
    };
    let mut chosen = None;
    for (task_id, kind) in candidates {
        if kind != "department" {
            continue;
        }
        let (_, task) = coordinator
            .get_json(&format!("/api/v1/tasks/{task_id}"))
            .await;
        let code = task["lead_unit_code"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if [
            "52-STP", "52-SCT", "52-SYT", "52-SGDDT", "52-STC2", "52-SNV2",
        ]
        .contains(&code.as_str())
        {
            chosen = Some((task_id, code, task["lead_unit_id"].as_i64().unwrap()));
            break;
        }
    }
    let (task_id, unit_code, unit_id) = chosen.expect("a department's task in the 2025 plan");
    let editor = app
        .login(&format!(
            "editor-{}",
            unit_code.trim_start_matches("52-").to_lowercase()
        ))
        .await;
    let page = editor
        .get(&format!("/tasks/{task_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("CDS-SO-2025 · 1.2"),
        "the department framework's criteria are offered"
    );
    let path = format!("/tasks/{task_id}/criteria");
    let value = format!("{framework_id}:1.2");
    let r = editor
        .post_form(&path, &[("criterion", value.as_str())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, linked) = editor
        .get_json(&format!("/api/v1/tasks/{task_id}/criteria"))
        .await;
    assert_eq!(linked["items"][0]["criterion_code"], "1.2");
    // Garbage and the wrong people change nothing.
    let r = editor.post_form(&path, &[("criterion", "99999:1.2")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (status, _) = app
        .login("viewer")
        .await
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/tasks/{task_id}/criteria"),
            &json!({"criteria": []}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, linked) = editor
        .get_json(&format!("/api/v1/tasks/{task_id}/criteria"))
        .await;
    assert_eq!(linked["items"].as_array().unwrap().len(), 1);
    // The unit page shows the link; the indicator page names the criterion it feeds.
    let page = coordinator
        .get(&format!("/units/{unit_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Số cuộc họp Ban chỉ đạo trong năm"),
        "task → criterion on the unit page"
    );
    let page = coordinator
        .get("/indicators/CQ-02")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("CDS-SO-2025") && page.contains("Tỷ lệ hồ sơ xử lý trực tuyến"));
}

#[tokio::test]
async fn a_framework_changes_until_a_round_uses_it_and_keeps_its_task_links() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let id = framework(&coordinator).await;
    let task_id = {
        let mut c = app.state.db.read().await.unwrap();
        dxplan_app::store::index_rounds::tasks_of_year(&mut c, 2025)
            .await
            .unwrap()[0]
            .0
    };
    let (status, _) = coordinator
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/tasks/{task_id}/criteria"),
            &json!({"criteria": [{"framework_id": id, "code": "1.2"}, {"framework_id": id, "code": "2.2"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Rename 1.2, raise its maximum, drop 2.2, add 2.3.
    let mut changed = department_framework();
    changed["criteria"][2]["name"] = json!("Số cuộc họp Ban chỉ đạo chuyển đổi số trong năm");
    changed["criteria"][2]["max_points"] = json!(25);
    let criteria = changed["criteria"].as_array_mut().unwrap();
    criteria.retain(|k| k["code"] != "2.2");
    criteria.push(json!({"code": "2.3", "parent": "2", "name": "Có Cổng dữ liệu mở", "max_points": 50, "rule": {"rule": "yes_no"}}));
    let path = format!("/api/v1/index-frameworks/{id}");
    let (status, _) = app
        .login("editor-stp")
        .await
        .send_json(reqwest::Method::PUT, &path, &changed)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut negative = changed.clone();
    negative["criteria"][1]["max_points"] = json!(-1);
    let (status, body) = coordinator
        .send_json(reqwest::Method::PUT, &path, &negative)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, unchanged) = coordinator.get_json(&path).await;
    assert_eq!(unchanged["max_points"], 460.0, "nothing changed");
    let (status, view) = coordinator
        .send_json(reqwest::Method::PUT, &path, &changed)
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["max_points"], 315.0, "60 + 5 + (200 + 50)");
    assert_eq!(app.audit_count("index_framework.update").await, 1);
    let (_, linked) = coordinator
        .get_json(&format!("/api/v1/tasks/{task_id}/criteria"))
        .await;
    let names: Vec<&str> = linked["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["criterion_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["Số cuộc họp Ban chỉ đạo chuyển đổi số trong năm"]
    );
    // Once a round uses it, it no longer changes.
    let (status, _) = coordinator
        .post_json(
            "/api/v1/index-rounds",
            &json!({"framework_id": id, "name": "Vòng 2025", "year": 2025,
                    "deadline": "31/12/2026", "units": ["52-STP"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = coordinator
        .send_json(reqwest::Method::PUT, &path, &department_framework())
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "framework_in_use");
}

#[tokio::test]
async fn a_machine_client_uploads_evidence_and_downloads_results_with_a_token() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (round_id, stp, _) = open_round(&app, &coordinator, 10).await;
    let editor = app.login("editor-stp").await;
    let (status, made) = editor
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "Phần mềm quản lý văn bản", "access": "read_write"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let secret = made["secret"].as_str().unwrap().to_string();
    let upload = |name: &'static str, bytes: Vec<u8>| {
        app.client()
            .post(app.url(&format!(
                "/api/v1/assessments/{stp}/evidence/files?criterion=1.1"
            )))
            .bearer_auth(&secret)
            .multipart(reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            ))
            .send()
    };
    let r = upload("virus.exe", b"MZ\x90\x00".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    let r = upload("Quyết định.pdf", pdf.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let evidence: Value = r.json().await.unwrap();
    let file = app
        .client()
        .get(app.url(&format!("/api/v1/assessment-evidence/{}", evidence["id"])))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
    // Another district's officer cannot fetch it.
    let outsider = app.login("editor-540").await;
    let r = outsider
        .get(&format!("/api/v1/assessment-evidence/{}", evidence["id"]))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The round's results as documents through the API.
    let xlsx = coordinator
        .get(&format!("/api/v1/index-rounds/{round_id}/results.xlsx"))
        .await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let pdf = coordinator
        .get(&format!("/api/v1/index-rounds/{round_id}/results.pdf"))
        .await;
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
}

/// Runs a round of `year` for the departments `units` (code and answers) from opening to
/// publication: the coordinator enters and verifies, an administrator approves for units
/// that no longer have staff of their own (merged away).
async fn published_round(
    app: &TestApp,
    framework_id: i64,
    year: i64,
    units: &[(&str, Value)],
) -> i64 {
    let coordinator = app.login("coordinator").await;
    let admin = app.login("admin").await;
    let deadline = app.state.today() + time::Duration::days(10);
    let codes: Vec<&str> = units.iter().map(|(code, _)| *code).collect();
    let (status, round) = coordinator
        .post_json(
            "/api/v1/index-rounds",
            &json!({"framework_id": framework_id, "year": year, "deadline": day(deadline),
                    "name": format!("Đánh giá chuyển đổi số cấp sở năm {year}"), "units": codes}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let round_id = round["id"].as_i64().unwrap();
    let (_, view) = coordinator
        .get_json(&format!("/api/v1/index-rounds/{round_id}"))
        .await;
    for (code, answers) in units {
        let id = view["assessments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["assessment"]["unit_code"] == *code)
            .unwrap_or_else(|| panic!("{code} in {view}"))["assessment"]["id"]
            .as_i64()
            .unwrap();
        let (status, body) = coordinator
            .send_json(
                reqwest::Method::PUT,
                &format!("/api/v1/assessments/{id}/scores"),
                answers,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{code}: {body}");
        let (status, body) = admin
            .post_json(
                &format!("/api/v1/assessments/{id}/actions"),
                &json!({"action": "submit"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{code}: {body}");
        for criterion in ["1.1", "1.2", "1.3", "2.1", "2.2"] {
            let (status, body) = coordinator
                .post_json(
                    &format!("/api/v1/assessments/{id}/verifications"),
                    &json!({"criterion": criterion, "decision": "accepted"}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{code} {criterion}: {body}");
        }
        let (status, body) = coordinator
            .post_json(
                &format!("/api/v1/assessments/{id}/actions"),
                &json!({"action": "finalize"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{code}: {body}");
    }
    let (status, body) = coordinator
        .post_json(
            &format!("/api/v1/index-rounds/{round_id}/publish"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    round_id
}

/// Answers worth `1.1`–`1.3` in full (60 of 60) or half (30), and the given values for
/// the online share (of a target of 100) and the overdue share (`2.2`: 10% → 0, 0% → 200).
fn answers(full_first: bool, online: f64, overdue: f64) -> Value {
    let (choice, meetings, chaired) = if full_first {
        ("head", 4, 4)
    } else {
        ("deputy", 2, 2)
    };
    json!({"answers": [
        {"criterion": "1.1", "choice": choice},
        {"criterion": "1.2", "value": meetings},
        {"criterion": "1.3", "numerator": chaired, "denominator": 4},
        {"criterion": "2.1", "value": online, "target": 100},
        {"criterion": "2.2", "value": overdue}
    ]})
}

#[tokio::test]
async fn a_merged_department_compares_with_the_average_of_its_predecessors() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    // The usual set, indicator link included: a fed indicator is read in the units of the
    // assessed year, so a department merged away in 2025 still answers for 2024.
    let mut set = department_framework();
    set["code"] = json!("CDS-SO-SAP-NHAP");
    let (status, view) = coordinator
        .post_json("/api/v1/index-frameworks", &set)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    let framework_id = view["framework"]["id"].as_i64().unwrap();

    // 2024, before the merger of 1 March 2025. Sở KH&CN: 60 + 162 + 100 = 322 of 460 →
    // index 0.7 (main indices 1.0 and 0.655); Sở TT&TT: 30 + 100 + 100 = 230 → 0.5
    // (0.5 and 0.5). Sở Tư pháp, scored alone, is not part of the merger.
    let round_2024 = published_round(
        &app,
        framework_id,
        2024,
        &[
            ("52-SKHCN", answers(true, 81.0, 5.0)),
            ("52-STTTT", answers(false, 50.0, 5.0)),
            ("52-STP", answers(true, 100.0, 0.0)),
        ],
    )
    .await;
    let (_, before) = coordinator
        .get_json(&format!("/api/v1/index-rounds/{round_2024}/results"))
        .await;
    let index_of = |view: &Value, name: &str| {
        view["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_name"] == name)
            .unwrap_or_else(|| panic!("{name} in {view}"))
            .clone()
    };
    assert_eq!(index_of(&before, "Sở Khoa học và Công nghệ")["index"], 0.7);
    assert_eq!(
        index_of(&before, "Sở Thông tin và Truyền thông")["index"],
        0.5
    );

    // 2025: the merged Sở KH&CN: 60 + 188 + 120 = 368 → 0.8. Sở Tài chính merged Sở KH&ĐT
    // and the old Sở Tài chính, neither scored in 2024: nothing to compare with.
    let round_2025 = published_round(
        &app,
        framework_id,
        2025,
        &[
            ("52-SKHCN2", answers(true, 94.0, 4.0)),
            ("52-STC2", answers(false, 50.0, 5.0)),
            ("52-STP", answers(false, 50.0, 5.0)),
        ],
    )
    .await;
    let (status, after) = app
        .login("viewer")
        .await
        .get_json(&format!("/api/v1/index-rounds/{round_2025}/results"))
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let merged = index_of(&after, "Sở Khoa học và Công nghệ");
    // (0.7 + 0.5) / 2 = 0.6, and 0.8 − 0.6 = 0.2; main indices (1.0 + 0.5) / 2 and
    // (0.655 + 0.5) / 2.
    assert_eq!(merged["index"], 0.8);
    assert_eq!(merged["previous_index"], 0.6, "{merged}");
    assert_eq!(merged["change"], 0.2);
    assert_eq!(merged["pillars"][0]["previous_index"], 0.75);
    assert_eq!(merged["pillars"][1]["previous_index"], 0.5775);
    let basis = &merged["previous_basis"];
    assert_eq!(basis["kind"], "average_of_predecessors", "{basis}");
    assert_eq!(basis["year"], 2024);
    let predecessors: Vec<(&str, &str, f64)> = basis["predecessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["unit_name"].as_str().unwrap(),
                p["short_name"].as_str().unwrap(),
                p["index"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        predecessors,
        vec![
            ("Sở Khoa học và Công nghệ", "Sở KH&CN", 0.7),
            ("Sở Thông tin và Truyền thông", "Sở TT&TT", 0.5)
        ]
    );
    let unscored = index_of(&after, "Sở Tài chính");
    assert!(
        unscored["previous_index"].is_null()
            && unscored["change"].is_null()
            && unscored["previous_basis"].is_null(),
        "{unscored}"
    );
    // A unit that was in last year's round compares with its own result: 1.0 then 0.5.
    let own = index_of(&after, "Sở Tư pháp");
    assert_eq!(own["previous_basis"]["kind"], "own", "{own}");
    assert_eq!(
        (&own["previous_index"], &own["change"]),
        (&json!(1.0), &json!(-0.5))
    );

    // The page says where last year's value comes from, in Vietnamese, then in English.
    // Askama writes & as &#38;.
    let label = "2024: trung bình của Sở KH&#38;CN và Sở TT&#38;TT (trước sáp nhập)";
    for path in [
        format!("/assessments/rounds/{round_2025}/results"),
        format!("/public/index/{round_2025}"),
    ] {
        let html = coordinator.get(&path).await.text().await.unwrap();
        assert!(
            html.contains(&format!("+0,2<br><span class=\"muted\">{label}</span>")),
            "{path}: {html}"
        );
        assert!(
            html.contains(&format!("Năm trước: 0,6 — {label}.")),
            "{path}: {html}"
        );
        assert_eq!(
            html.matches("trước sáp nhập").count(),
            2,
            "only the merged unit"
        );
    }
    coordinator.get("/lang/en").await;
    let html = coordinator
        .get(&format!("/assessments/rounds/{round_2025}/results"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("2024: average of its predecessors before the merger"),
        "{html}"
    );
    coordinator.get("/lang/vi").await;

    // The workbook: last year, the change and the basis beside them.
    let xlsx = coordinator
        .get(&format!("/api/v1/index-rounds/{round_2025}/results.xlsx"))
        .await
        .bytes()
        .await
        .unwrap();
    let rows = sheet_rows(&xlsx);
    assert_eq!(rows[2][7], "Ghi chú về sắp xếp đơn vị", "{:?}", rows[2]);
    let row = rows
        .iter()
        .find(|r| r[1] == "Sở Khoa học và Công nghệ")
        .unwrap();
    assert_eq!(
        (row[4].as_str(), row[5].as_str(), row[6].as_str()),
        ("0.8", "0.6", "0.2")
    );
    assert_eq!(
        row[7],
        "2024: trung bình của Sở KH&CN và Sở TT&TT (trước sáp nhập)"
    );
    let row = rows.iter().find(|r| r[1] == "Sở Tài chính").unwrap();
    assert_eq!(
        (row[5].as_str(), row[6].as_str(), row[7].as_str()),
        ("", "", "")
    );

    // The report marks the change and explains it under the ranking.
    let text = coordinator
        .pdf_text(&format!("/api/v1/index-rounds/{round_2025}/results.pdf"))
        .await;
    assert!(
        text.contains("+0,2 (*)") && text.contains("trung bình của Sở KH&CN và Sở TT&TT"),
        "{text}"
    );

    // The 2024 ranking in today's departments: the merged Sở KH&CN takes the average of
    // its two predecessors, (322 + 230) / 2 = 276 points and (0.7 + 0.5) / 2 = 0.6, and
    // the pair is one row; Sở Tư pháp, unchanged, keeps its own 1.0 and first place.
    let (status, now) = coordinator
        .get_json(&format!(
            "/api/v1/index-rounds/{round_2024}/results?structure=now"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{now}");
    assert_eq!(now["as_it_is_now"], true);
    let rows: Vec<(&str, i64, f64, f64)> = now["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit_name"].as_str().unwrap(),
                r["rank"].as_i64().unwrap(),
                r["points"].as_f64().unwrap(),
                r["index"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Sở Tư pháp", 1, 460.0, 1.0),
            ("Sở Khoa học và Công nghệ", 2, 276.0, 0.6)
        ]
    );
    let merged = index_of(&now, "Sở Khoa học và Công nghệ");
    assert_eq!(merged["carried_from"]["kind"], "average_of_predecessors");
    assert_eq!(merged["pillars"][0]["index"], 0.75, "{merged}");
    assert!(index_of(&now, "Sở Tư pháp")["carried_from"].is_null());
    // As it was (the default) the round's three units stand as assessed.
    assert_eq!(before["as_it_is_now"], false);
    assert_eq!(before["results"].as_array().unwrap().len(), 3);

    // The page switches with a plain choice and labels the averaged row; the documents
    // follow the choice.
    let html = coordinator
        .get(&format!(
            "/assessments/rounds/{round_2024}/results?structure=now"
        ))
        .await
        .text()
        .await
        .unwrap();
    let label = "2024: trung bình của Sở KH&#38;CN và Sở TT&#38;TT (trước sáp nhập)";
    assert!(
        html.contains(&format!(
            "Sở Khoa học và Công nghệ<br><span class=\"muted\">{label}</span>"
        )),
        "{html}"
    );
    assert!(html.contains("value=\"now\" checked"), "{html}");
    assert!(html.contains("results.xlsx?structure=now"), "{html}");
    let xlsx = coordinator
        .get(&format!(
            "/api/v1/index-rounds/{round_2024}/results.xlsx?structure=now"
        ))
        .await
        .bytes()
        .await
        .unwrap();
    let rows = sheet_rows(&xlsx);
    assert!(
        rows[0][0].ends_with("— theo đơn vị hiện nay"),
        "{:?}",
        rows[0]
    );
    let row = rows
        .iter()
        .find(|r| r[1] == "Sở Khoa học và Công nghệ")
        .unwrap();
    assert_eq!((row[0].as_str(), row[2].as_str()), ("2", "276"));
    assert_eq!(
        row[7],
        "2024: trung bình của Sở KH&CN và Sở TT&TT (trước sáp nhập)"
    );
    let text = coordinator
        .pdf_text(&format!(
            "/public/index/{round_2024}/results.pdf?structure=now"
        ))
        .await;
    assert!(
        text.contains("Sở Khoa học và Công nghệ (**)") && text.contains("theo đơn vị hiện nay"),
        "{text}"
    );

    // A structure the product does not know is refused, on the page and the API.
    let (status, body) = coordinator
        .get_json(&format!(
            "/api/v1/index-rounds/{round_2024}/results?structure=soon"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("structure"), "{body}");
    let status = coordinator
        .get(&format!("/public/index/{round_2024}?structure=soon"))
        .await
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
