use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, error_code};

fn codes(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn listing_children_pages_through_every_unit_once_in_vietnamese_order() {
    let app = TestApp::spawn().await;
    let s = app.login("viewer").await;
    let mut seen: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/units?parent=540&limit=8&cursor={c}"),
            None => "/api/v1/units?parent=540&limit=8".to_string(),
        };
        let (status, body) = s.get_json(&path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        seen.extend(codes(&body));
        names.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["name"].as_str().unwrap().to_string()),
        );
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 21, "Quy Nhơn has 21 wards and communes");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 21);
    let mut sorted = names.clone();
    dxplan_domain::text::sort_vi_by(&mut sorted, |n| n);
    assert_eq!(names, sorted);
    let (status, body) = s.get_json("/api/v1/units?cursor=garbage").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["field"], "cursor");
}

#[tokio::test]
async fn search_ignores_diacritics_and_filters_combine() {
    let app = TestApp::spawn().await;
    let s = app.login("viewer").await;
    let (_, body) = s.get_json("/api/v1/units?q=nhon%20binh").await;
    assert!(codes(&body).contains(&"21550".to_string()), "{body}");
    let (_, body) = s.get_json("/api/v1/units?q=dong%20da&kind=commune").await;
    assert_eq!(codes(&body), ["21556"]);
    let (_, body) = s
        .get_json("/api/v1/units?q=%C4%90%E1%BB%91ng%20%C4%90a")
        .await;
    assert_eq!(codes(&body), ["21556"], "Đống Đa typed with its marks");
    let (_, body) = s.get_json("/api/v1/units?kind=district&limit=100").await;
    assert_eq!(codes(&body).len(), 11);
    let (status, body) = s.get_json("/api/v1/units?kind=village").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["field"], "kind");
    let (status, _) = s.get_json("/api/v1/units?limit=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_code_names_a_unit_only_at_a_date() {
    let app = TestApp::spawn().await;
    let s = app.login("viewer").await;
    // Sở TT&TT was merged into Sở KH&CN on 1 March 2025.
    let (status, _) = s.get_json("/api/v1/units/52-STTTT").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, old) = s.get_json("/api/v1/units/52-STTTT?at=2024-06-01").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(old["name"], "Sở Thông tin và Truyền thông");
    assert_eq!(old["valid_to"], "2025-02-28");
    assert_eq!(old["successors"], json!(["52-SKHCN2"]));
    let (_, new) = s.get_json("/api/v1/units/52-SKHCN2").await;
    let mut preds: Vec<String> = new["predecessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    preds.sort();
    assert_eq!(preds, ["52-SKHCN", "52-STTTT"]);
    let (status, body) = s.get_json("/api/v1/units/540?at=31/02/2024").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["field"], "at");

    // GSO reuses codes: two units may hold one code in periods that do not overlap.
    let admin = app.login("admin").await;
    let (status, _) = admin
        .post_json(
            "/api/v1/units",
            &json!({"code": "77777", "name": "Xã Cũ", "kind": "commune", "parent_code": "540",
                                            "valid_to": "2020-12-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = admin
        .post_json(
            "/api/v1/units",
            &json!({"code": "77777", "name": "Phường Mới", "kind": "commune", "parent_code": "540",
                                            "valid_from": "01/01/2021"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = admin
        .post_json("/api/v1/units", &json!({"code": "77777", "name": "Trùng", "kind": "commune", "valid_from": "2022-01-01"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["code"], "duplicate_code");
    let (_, then) = s.get_json("/api/v1/units/77777?at=2019-05-05").await;
    assert_eq!(then["name"], "Xã Cũ");
    let (_, now) = s.get_json("/api/v1/units/77777").await;
    assert_eq!(now["name"], "Phường Mới");
}

#[tokio::test]
async fn admins_create_move_and_retire_units_and_cycles_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let (status, unit) = admin
        .post_json(
            "/api/v1/units",
            &json!({"code": "99001", "name": "  Phường Thử Nghiệm ", "kind": "commune",
                                            "parent_code": "540"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{unit}");
    assert_eq!(unit["name"], "Phường Thử Nghiệm");
    assert_eq!(unit["parent_code"], "540");
    let (status, child) = admin
        .post_json("/api/v1/units", &json!({"code": "99002", "name": "Tổ dân phố 1", "kind": "other", "parent_code": "99001"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{child}");

    let (status, moved) = admin
        .patch_json("/api/v1/units/99001", &json!({"parent_code": "542"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["parent_code"], "542");
    assert_eq!(moved["version"], 2);

    let (status, body) = admin
        .patch_json("/api/v1/units/99001", &json!({"parent_code": "99002"}))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a unit under its own child"
    );
    assert_eq!(body["error"]["details"][0]["code"], "cycle");

    let (status, body) = admin
        .patch_json("/api/v1/units/99001", &json!({"name": "X", "version": 1}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "stale version: {body}");
    assert_eq!(error_code(&body), "version_conflict");

    let (status, retired) = admin
        .patch_json("/api/v1/units/99001", &json!({"valid_to": "2026-01-31"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{retired}");
    assert_eq!(app.audit_count("unit.create").await, 2);
    assert_eq!(app.audit_count("unit.move").await, 1);
    assert_eq!(app.audit_count("unit.retire").await, 1);
    let (_, log) = admin.get_json("/api/v1/audit?action=unit.move").await;
    let event = &log["items"][0];
    assert!(
        event["before_json"]
            .as_str()
            .unwrap()
            .contains("\"parent_id\"")
    );
    assert_eq!(event["entity_type"], "unit");
}

#[tokio::test]
async fn bad_unit_input_gets_a_clear_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let before = app.unit_count().await;
    let (status, body) = admin
        .post_json(
            "/api/v1/units",
            &json!({"code": "a b", "name": "", "kind": "village", "parent_code": "nowhere"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["code", "name", "kind"]);
    let (status, body) = admin
        .post_json(
            "/api/v1/units",
            &json!({"code": "99100", "name": "Xã", "kind": "commune", "parent_code": "nowhere"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["code"], "unknown_parent");
    let (status, _) = admin
        .post_json(
            "/api/v1/units",
            &json!({"name": "N".repeat(300), "code": "1", "kind": "commune"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = admin.post_json("/api/v1/units", &json!([1, 2, 3])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let r = admin
        .client
        .post(admin.url("/api/v1/units"))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "text/plain")
        .body("code=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "unsupported_media_type");

    let huge = format!(
        "{{\"code\":\"1\",\"name\":\"{}\",\"kind\":\"commune\"}}",
        "x".repeat(6 * 1024 * 1024)
    );
    let r = admin
        .client
        .post(admin.url("/api/v1/units"))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "payload_too_large");
    assert_eq!(app.unit_count().await, before);
}

#[tokio::test]
async fn csv_import_is_all_or_nothing_with_every_bad_line_reported() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let before = app.unit_count().await;
    let post = |body: &'static str| {
        admin
            .client
            .post(admin.url("/api/v1/units/import"))
            .header("x-csrf-token", &admin.csrf)
            .header("content-type", "text/csv")
            .header("accept-language", "vi")
            .body(body)
            .send()
    };
    let r = post("code,name,level,parent_code\n99201,Xã Một,commune,540\n99202,,commune,540\n99203,Xã Ba,hamlet,540\n99204,Xã Bốn,commune,000\n")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "import_rejected");
    let lines: Vec<i64> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Dòng 3")
    );
    assert_eq!(app.unit_count().await, before, "nothing written");

    let r = post("\u{feff}code,name,level,parent_code\n99201,Xã Một,commune,540\n99202,Thôn Hai,other,99201\n").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["created"], 2);
    assert_eq!(app.unit_count().await, before + 2);
    assert_eq!(
        app.audit_count("unit.import").await,
        3,
        "two demo files and this one"
    );
}

#[tokio::test]
async fn the_csv_export_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let r = admin.get("/units.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.bytes().await.unwrap();
    let text = String::from_utf8(csv.to_vec()).unwrap();
    assert!(text.contains("21550,Phường Nhơn Bình,,commune,540,,"));
    let before = app.unit_count().await;
    let r = admin
        .client
        .post(admin.url("/api/v1/units/import"))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 0);
    // 171 units of the province and 18 departments and bodies valid today.
    assert_eq!(body["updated"].as_i64().unwrap(), 171 + 18);
    assert_eq!(app.unit_count().await, before);
}
