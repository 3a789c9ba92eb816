//! Index assessment frameworks through the API: the tree, computed maxima, refusals.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, error_code};

pub fn department_framework() -> Value {
    json!({
        "code": "CDS-SO-2025",
        "name": "Bộ chỉ số chuyển đổi số cấp sở năm 2025",
        "year": 2025,
        "unit_kinds": ["department"],
        "criteria": [
            {"code": "1", "name": "Nhận thức số", "max_points": 100},
            {"code": "1.1", "parent": "1", "name": "Người đứng đầu làm Trưởng Ban chỉ đạo", "max_points": 20,
             "rule": {"rule": "choice", "options": [
                 {"key": "head", "label": "Người đứng đầu", "share": 1.0},
                 {"key": "deputy", "label": "Cấp phó", "share": 0.5},
                 {"key": "none", "label": "Chưa thành lập", "share": 0.0}]}},
            {"code": "1.2", "parent": "1", "name": "Số cuộc họp Ban chỉ đạo trong năm", "max_points": 20,
             "rule": {"rule": "steps", "steps": [
                 {"at_least": 4, "points": 20}, {"at_least": 3, "points": 15},
                 {"at_least": 2, "points": 10}, {"at_least": 1, "points": 5}]}},
            {"code": "1.3", "parent": "1", "name": "Tỷ lệ cuộc họp do người đứng đầu chủ trì", "max_points": 20,
             "rule": {"rule": "ratio"}, "verifier": "52-SNV2"},
            {"code": "2", "name": "Hoạt động chuyển đổi số", "max_points": 400},
            {"code": "2.1", "parent": "2", "name": "Tỷ lệ hồ sơ xử lý trực tuyến", "max_points": 200,
             "rule": {"rule": "target_share", "lower_is_better": false}, "indicator": "CQ-02",
             "evidence": "Báo cáo trích xuất từ hệ thống thông tin giải quyết thủ tục hành chính"},
            {"code": "2.2", "parent": "2", "name": "Tỷ lệ hồ sơ giải quyết quá hạn", "max_points": 200,
             "rule": {"rule": "linear", "zero_at": 10, "full_at": 0}}
        ]
    })
}

#[tokio::test]
async fn a_coordinator_defines_a_framework_whose_totals_are_computed() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (status, view) = coordinator
        .post_json("/api/v1/index-frameworks", &department_framework())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    // Group 1 says 100 but its criteria add up to 60: accepted, with the sum named.
    let warnings = view["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{view}");
    assert!(warnings[0].as_str().unwrap().contains("60"));
    let max = |code: &str| {
        view["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap()["max_points"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(max("1"), 60.0, "a group's maximum is computed, never typed");
    assert_eq!(max("2"), 400.0);
    assert_eq!(view["max_points"].as_f64().unwrap(), 460.0);
    assert!(
        !view["criteria"][3]["verifier_unit_id"].is_null(),
        "verifier resolved"
    );
    assert!(
        !view["criteria"][5]["indicator_id"].is_null(),
        "indicator resolved"
    );
    let id = view["framework"]["id"].as_i64().unwrap();
    let viewer = app.login("viewer").await;
    let (status, read) = viewer
        .get_json(&format!("/api/v1/index-frameworks/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        read["criteria"][2]["rule"]["rule"], "steps",
        "rules read back"
    );
    assert_eq!(read["max_points"], view["max_points"]);
    let (_, list) = viewer.get_json("/api/v1/index-frameworks").await;
    assert_eq!(list["items"][0]["code"], "CDS-SO-2025");
    // The same code twice is refused.
    let (status, body) = coordinator
        .post_json("/api/v1/index-frameworks", &department_framework())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "code");
}

#[tokio::test]
async fn a_broken_framework_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let mut bad = department_framework();
    bad["criteria"][1]["max_points"] = json!(-5);
    bad["criteria"][2]["parent"] = json!("9");
    bad["criteria"][3]["verifier"] = json!("KHONG-CO");
    bad["criteria"][5]["indicator"] = json!("KHONG-CO");
    bad["unit_kinds"] = json!(["province"]);
    let (status, body) = coordinator
        .post_json("/api/v1/index-frameworks", &bad)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    for field in [
        "unit_kinds",
        "criteria.1.1.max_points",
        "criteria.1.2.parent",
        "criteria.1.3.verifier",
        "criteria.2.1.indicator",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let (_, list) = coordinator.get_json("/api/v1/index-frameworks").await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing written"
    );
    // Garbage rules are refused by the JSON reader itself.
    let mut garbage = department_framework();
    garbage["criteria"][1]["rule"] = json!({"rule": "magic"});
    let (status, _) = coordinator
        .post_json("/api/v1/index-frameworks", &garbage)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn only_coordinators_define_frameworks() {
    let app = TestApp::spawn().await;
    for login in ["viewer", "editor-540", "approver-stp"] {
        let s = app.login(login).await;
        let (status, _) = s
            .post_json("/api/v1/index-frameworks", &department_framework())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
    }
    let r = app
        .client()
        .get(app.url("/api/v1/index-frameworks"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let coordinator = app.login("coordinator").await;
    let (status, _) = coordinator
        .get_json("/api/v1/index-frameworks/999999")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_framework_exports_as_json_that_imports_back_and_copies_to_next_year() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (_, created) = coordinator
        .post_json("/api/v1/index-frameworks", &department_framework())
        .await;
    let id = created["framework"]["id"].as_i64().unwrap();
    let (status, exported) = coordinator
        .get_json(&format!("/api/v1/index-frameworks/{id}/export.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        exported["criteria"][3]["verifier"], "52-SNV2",
        "units by code"
    );
    assert_eq!(
        exported["criteria"][5]["indicator"], "CQ-02",
        "indicators by code"
    );
    // The export imports back as a new framework with the same tree.
    let mut again = exported.clone();
    again["code"] = json!("CDS-SO-2025-B");
    let (status, imported) = coordinator
        .post_json("/api/v1/index-frameworks", &again)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    assert_eq!(imported["criteria"], created["criteria"]);
    assert_eq!(imported["max_points"], created["max_points"]);

    // Next year's starts from this year's.
    let (status, copy) = coordinator
        .post_json(
            &format!("/api/v1/index-frameworks/{id}/copy"),
            &json!({"code": "CDS-SO-2026", "name": "Bộ chỉ số chuyển đổi số cấp sở năm 2026", "year": 2026}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{copy}");
    assert_eq!(copy["framework"]["copied_from"].as_i64(), Some(id));
    assert_eq!(copy["framework"]["year"], 2026);
    assert_eq!(copy["criteria"], created["criteria"]);
    // A copy needs its own code and a real year; a viewer cannot copy.
    let (status, body) = coordinator
        .post_json(
            &format!("/api/v1/index-frameworks/{id}/copy"),
            &json!({"code": "CDS-SO-2026", "name": "x", "year": 1900}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"year"), "{fields:?}");
    let viewer = app.login("viewer").await;
    let (status, _) = viewer
        .post_json(
            &format!("/api/v1/index-frameworks/{id}/copy"),
            &json!({"code": "X", "name": "X", "year": 2026}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = coordinator
        .post_json(
            "/api/v1/index-frameworks/999999/copy",
            &json!({"code": "Y", "name": "Y", "year": 2026}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_framework_downloads_as_the_annex_workbook() {
    use calamine::Reader;
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (_, created) = coordinator
        .post_json("/api/v1/index-frameworks", &department_framework())
        .await;
    let id = created["framework"]["id"].as_i64().unwrap();
    let r = coordinator
        .get(&format!("/api/v1/index-frameworks/{id}/export.xlsx"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Bộ chỉ số").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(rows[0][0].contains("tổng 460 điểm"), "{:?}", rows[0]);
    assert_eq!(rows[2][1], "Chỉ số / chỉ số thành phần");
    let group = rows.iter().find(|r| r[0] == "1").unwrap();
    assert_eq!(group[2], "60", "the computed maximum");
    let steps = rows.iter().find(|r| r[0] == "1.2").unwrap();
    assert_eq!(
        steps[3],
        "từ 4: 20 điểm; từ 3: 15 điểm; từ 2: 10 điểm; từ 1: 5 điểm; còn lại: 0 điểm"
    );
    let verified = rows.iter().find(|r| r[0] == "1.3").unwrap();
    assert_eq!(verified[5], "52-SNV2");
    let fed = rows.iter().find(|r| r[0] == "2.1").unwrap();
    assert_eq!(fed[6], "CQ-02");
    let (status, _) = coordinator
        .get_json("/api/v1/index-frameworks/999999/export.xlsx")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
