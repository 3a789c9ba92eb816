//! Scoped rights mean scoped: a coordinator of one district, or any token narrowed to a
//! subtree (even an administrator's), manages nothing that belongs to the whole province;
//! review queues, completeness and reminders stay within the reviewer's units; change sets
//! are read only by those who may apply them; an export is fetched only with rights over
//! what it shows; a read-only token changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::index::department_framework;
use crate::support::{Session, TestApp, error_code};

/// Someone calling the API: a logged-in browser session or a machine with a token.
enum Who<'a> {
    Session(&'a Session),
    Token(&'a TestApp, String),
}

enum Body {
    None,
    Json(Value),
    /// Raw bytes with their content type (an uploaded file).
    Raw(&'static str, Vec<u8>),
}

async fn call(who: &Who<'_>, method: Method, path: &str, body: Body) -> (StatusCode, Value) {
    let mut r = match who {
        Who::Session(s) => s
            .client
            .request(method, s.url(path))
            .header("x-csrf-token", &s.csrf),
        Who::Token(app, secret) => app
            .client()
            .request(method, app.url(path))
            .bearer_auth(secret),
    };
    r = match body {
        Body::None => r,
        Body::Json(v) => r.json(&v),
        Body::Raw(content_type, bytes) => r.header("content-type", content_type).body(bytes),
    };
    let response = r.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn token(s: &Session, access: &str, unit: Option<&str>) -> String {
    let (status, created) = s
        .post_json(
            "/api/v1/tokens",
            &json!({"name": format!("thử {access} {unit:?}"), "access": access, "unit": unit}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["secret"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_district_coordinator_and_narrowed_tokens_change_nothing_of_the_province() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let admin = app.login("admin").await;
    // The province's objects, made by its own coordinator.
    let (status, plan) = coordinator
        .post_json(
            "/api/v1/plans",
            &json!({"year": 2027, "title": "Kế hoạch chuyển đổi số năm 2027"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let plan_id = plan["id"].as_i64().unwrap();
    let (_, groups) = coordinator
        .get_json(&format!("/api/v1/plans/{plan_id}/groups"))
        .await;
    let group_id = groups["items"][0]["id"].as_i64().unwrap();
    let indicator = json!({"code": "T-SCOPE", "name": "Chỉ tiêu của tỉnh", "measure": "number",
        "aggregation": "sum", "direction": "higher", "period_type": "quarter", "pillar_code": "digital_government"});
    let (status, _) = coordinator
        .post_json("/api/v1/indicators", &indicator)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, framework) = coordinator
        .post_json("/api/v1/index-frameworks", &department_framework())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{framework}");
    let framework_id = framework["framework"]["id"].as_i64().unwrap();
    let audit_before = app.audit_count("plan.update").await;
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let plans_before = plans["items"].as_array().unwrap().len();

    let district = app.login("coordinator-540").await;
    let narrowed = token(&coordinator, "read_write", Some("540")).await;
    let admin_narrowed = token(&admin, "read_write", Some("540")).await;
    let actors = [
        ("coordinator-540", Who::Session(&district)),
        (
            "the coordinator's token narrowed to 540",
            Who::Token(&app, narrowed),
        ),
        (
            "the administrator's token narrowed to 540",
            Who::Token(&app, admin_narrowed),
        ),
    ];
    let other_framework = {
        let mut f = department_framework();
        f["code"] = json!("CDS-SO-KHAC");
        f
    };
    let cases: Vec<(Method, String, Body)> = vec![
        (
            Method::POST,
            "/api/v1/plans".into(),
            Body::Json(json!({"year": 2028, "title": "Kế hoạch của huyện"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/plans/{plan_id}"),
            Body::Json(json!({"year": 2027, "title": "Đã bị sửa"})),
        ),
        (
            Method::POST,
            format!("/api/v1/plans/{plan_id}/groups"),
            Body::Json(json!({"code": "13", "name": "Nhóm mới", "pillar_code": "foundations"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/groups/{group_id}"),
            Body::Json(json!({"code": "1", "name": "Đã bị sửa", "pillar_code": "foundations"})),
        ),
        // Refused before the workbook is read: garbage gets 403, not a parse error.
        (
            Method::POST,
            format!("/api/v1/plans/{plan_id}/import?dry_run=true"),
            Body::Raw(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                b"PK\x03\x04 not a workbook".to_vec(),
            ),
        ),
        (
            Method::POST,
            "/api/v1/indicators".into(),
            Body::Json(json!({"code": "T-HUYEN", "name": "x", "measure": "number",
            "aggregation": "sum", "direction": "higher", "period_type": "quarter"})),
        ),
        (
            Method::PATCH,
            "/api/v1/indicators/T-SCOPE".into(),
            Body::Json({
                let mut i = indicator.clone();
                i["name"] = json!("Đã bị sửa");
                i
            }),
        ),
        (
            Method::POST,
            "/api/v1/forms".into(),
            Body::Json(
                json!({"code": "BM-HUYEN", "name": "Biểu của huyện", "period_type": "quarter",
            "indicators": ["T-SCOPE"], "unit_kinds": ["district"]}),
            ),
        ),
        (
            Method::PUT,
            "/api/v1/dhis2/mappings".into(),
            Body::Json(json!({"items": []})),
        ),
        (
            Method::PUT,
            "/api/v1/targets".into(),
            Body::Json(
                json!([{"indicator": "T-SCOPE", "unit": "542", "period": "2027", "value": 5.0}]),
            ),
        ),
        (
            Method::PUT,
            "/api/v1/targets".into(),
            Body::Json(
                json!([{"indicator": "T-SCOPE", "unit": "52", "period": "2027", "value": 5.0}]),
            ),
        ),
        (
            Method::POST,
            "/api/v1/targets/copy".into(),
            Body::Json(json!({"from_year": 2026, "to_year": 2027})),
        ),
        (
            Method::POST,
            "/api/v1/targets/split".into(),
            Body::Json(
                json!({"indicator": "T-SCOPE", "unit": "52", "year": 2027, "value": 1100.0, "method": "equal"}),
            ),
        ),
        (
            Method::POST,
            "/api/v1/index-frameworks".into(),
            Body::Json(other_framework.clone()),
        ),
        (
            Method::POST,
            "/api/v1/index-frameworks/import?code=CDS-X".into(),
            Body::Raw(
                "application/octet-stream",
                b"PK\x03\x04 not a workbook".to_vec(),
            ),
        ),
        (
            Method::POST,
            format!("/api/v1/index-frameworks/{framework_id}/copy"),
            Body::Json(json!({"code": "CDS-SAO", "name": "Bản sao", "year": 2026})),
        ),
        (
            Method::PUT,
            format!("/api/v1/index-frameworks/{framework_id}"),
            Body::Json(other_framework),
        ),
    ];
    for (name, who) in &actors {
        for (method, path, body) in &cases {
            let body = match body {
                Body::None => Body::None,
                Body::Json(v) => Body::Json(v.clone()),
                Body::Raw(t, b) => Body::Raw(t, b.clone()),
            };
            let (status, answer) = call(who, method.clone(), path, body).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{name}: {method} {path}: {answer}"
            );
            assert_eq!(error_code(&answer), "forbidden", "{name}: {path}");
        }
    }
    // Nothing of the province changed.
    let (_, plan) = coordinator
        .get_json(&format!("/api/v1/plans/{plan_id}"))
        .await;
    assert_eq!(plan["title"], "Kế hoạch chuyển đổi số năm 2027");
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    assert_eq!(plans["items"].as_array().unwrap().len(), plans_before);
    let (_, ind) = coordinator.get_json("/api/v1/indicators/T-SCOPE").await;
    assert_eq!(ind["name"], "Chỉ tiêu của tỉnh");
    let (_, frameworks) = coordinator.get_json("/api/v1/index-frameworks").await;
    assert_eq!(frameworks["items"].as_array().unwrap().len(), 1);
    let (_, targets) = coordinator
        .get_json("/api/v1/targets?period=2027&unit=52")
        .await;
    assert_eq!(targets["items"], json!([]));
    assert_eq!(app.audit_count("plan.update").await, audit_before);

    // Within its own district the coordinator does set targets, for itself and below.
    for (name, who) in &actors {
        let (status, body) = call(
            who,
            Method::PUT,
            "/api/v1/targets",
            Body::Json(json!([
                {"indicator": "T-SCOPE", "unit": "540", "period": "2027", "value": 40.0},
                {"indicator": "T-SCOPE", "unit": "21550", "period": "2027", "value": 4.0},
            ])),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{name}: {body}");
    }
    // And the province's coordinator still manages the province.
    let (status, body) = coordinator
        .patch_json(
            &format!("/api/v1/plans/{plan_id}"),
            &json!({"year": 2027, "title": "Kế hoạch năm 2027 (sửa đổi)"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The pages offer nothing they would refuse.
    let html = district.get("/plans").await.text().await.unwrap();
    assert!(!html.contains("action=\"/plans\""), "no new-plan form");
    let html = district.get("/assessments").await.text().await.unwrap();
    assert!(!html.contains("/assessments/frameworks/import"));
    assert!(
        html.contains("action=\"/assessments/rounds\""),
        "rounds for its communes"
    );
    let html = district.get("/targets").await.text().await.unwrap();
    assert!(
        !html.contains("action=\"/targets/copy\""),
        "no province-wide copy"
    );
    assert!(
        html.contains("data-label=\""),
        "each target cell names its indicator"
    );
    let html = coordinator.get("/targets").await.text().await.unwrap();
    assert!(html.contains("action=\"/targets/copy\""));
    let r = district
        .post_form("/plans", &[("year", "2029"), ("title", "Kế hoạch lạ")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// A district's approver submits a figure for the district itself.
async fn submit_figure(app: &TestApp, unit: &str) -> i64 {
    let approver = app.login(&format!("approver-{unit}")).await;
    let (status, body) = approver
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": unit, "period": "2025Q2", "submit": true,
                "rows": [{"indicator": "T-QUEUE", "value": "7"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{body}"))
}

#[tokio::test]
async fn review_queues_completeness_and_reminders_stay_within_the_reviewers_units() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (status, _) = coordinator
        .post_json("/api/v1/indicators", &json!({"code": "T-QUEUE", "name": "Số tổ công nghệ số cộng đồng",
            "measure": "number", "aggregation": "sum", "direction": "higher", "period_type": "quarter",
            "pillar_code": "digital_society"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, form) = coordinator
        .post_json(
            "/api/v1/forms",
            &json!({"code": "BM-QUEUE", "name": "Biểu tổ công nghệ số",
            "period_type": "quarter", "indicators": ["T-QUEUE"], "unit_kinds": ["district"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    let form_id = form["id"].as_i64().unwrap();
    let own = submit_figure(&app, "540").await;
    let sibling = submit_figure(&app, "542").await;

    let ids = |queue: &Value| -> Vec<i64> {
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_i64().unwrap())
            .collect()
    };
    let district = app.login("coordinator-540").await;
    let (status, queue) = district.get_json("/api/v1/data-values/pending").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&queue), vec![own], "only its own district's figure");
    let (_, queue) = coordinator.get_json("/api/v1/data-values/pending").await;
    assert!(ids(&queue).contains(&own) && ids(&queue).contains(&sibling));
    let narrowed = token(&coordinator, "read_write", Some("540")).await;
    let (_, queue) = call(
        &Who::Token(&app, narrowed),
        Method::GET,
        "/api/v1/data-values/pending",
        Body::None,
    )
    .await;
    assert_eq!(ids(&queue), vec![own], "a narrowed token's queue");
    // The page lists the same: An Lão's figure is not Quy Nhơn's to see.
    let html = district.get("/data/review").await.text().await.unwrap();
    assert!(html.contains("Thành phố Quy Nhơn"), "{html}");
    assert!(!html.contains("Huyện An Lão"));
    // Nor to review.
    let (status, _) = district
        .post_json(
            &format!("/api/v1/data-values/{sibling}/review"),
            &json!({"approve": true}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Completeness and reminders: the district's own units only.
    let (status, done) = district
        .get_json(&format!(
            "/api/v1/forms/{form_id}/completeness?period=2025Q3"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let codes: Vec<&str> = done["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["540"]);
    let (status, reminded) = district
        .post_json(
            &format!("/api/v1/forms/{form_id}/reminders"),
            &json!({"period": "2025Q3"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reminded}");
    assert_eq!(reminded["reminded"], 1, "Quy Nhơn alone");
    let (_, notices) = app
        .login("editor-542")
        .await
        .get_json("/api/v1/notifications")
        .await;
    assert_eq!(
        notices["items"],
        json!([]),
        "An Lão was not chased by Quy Nhơn"
    );
    let (_, notices) = app
        .login("editor-540")
        .await
        .get_json("/api/v1/notifications")
        .await;
    assert_eq!(notices["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_change_set_is_read_only_by_those_who_may_apply_it() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let (status, change) = admin
        .post_json(
            "/api/v1/reorganisations",
            &json!({"name": "Sắp xếp ĐVHC cấp xã huyện Vân Canh", "effective_on": "2027-07-01",
                "new_units_csv": crate::reorg::NEW_UNITS, "lineage_csv": crate::reorg::LINEAGE}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{change}");
    let id = change["change"]["id"].as_i64().unwrap();
    // Quy Nhơn's coordinator reorganises Quy Nhơn, not Vân Canh: neither listed nor read.
    let district = app.login("coordinator-540").await;
    let (status, list) = district.get_json("/api/v1/reorganisations").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"], json!([]), "{list}");
    let (status, _) = district
        .get_json(&format!("/api/v1/reorganisations/{id}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = district.get(&format!("/admin/reorganisations/{id}")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = district.get("/admin/reorganisations").await;
    assert!(!r.text().await.unwrap().contains("huyện Vân Canh"));
    // The province's coordinator, who may apply it, reads it.
    let coordinator = app.login("coordinator").await;
    let (status, review) = coordinator
        .get_json(&format!("/api/v1/reorganisations/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{review}");
    let (_, list) = coordinator.get_json("/api/v1/reorganisations").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn finished(s: &Session, id: i64) {
    for _ in 0..200 {
        let (_, job) = s.get_json(&format!("/api/v1/exports/{id}")).await;
        if job["status"] != "running" {
            assert_eq!(job["status"], "done", "{job}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("export {id} still running");
}

#[tokio::test]
async fn a_narrowed_token_does_not_fetch_its_owners_province_wide_export() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let narrowed = token(&coordinator, "read", Some("540")).await;
    let narrowed = Who::Token(&app, narrowed);
    // Named for the province, and made with no unit (which lands on the province).
    for body in [
        json!({"kind": "xlsx", "unit": "52", "year": 2026}),
        json!({"kind": "xlsx", "year": 2026}),
    ] {
        let (status, job) = coordinator.post_json("/api/v1/exports", &body).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{job}");
        let id = job["id"].as_i64().unwrap();
        finished(&coordinator, id).await;
        for path in [
            format!("/api/v1/exports/{id}"),
            format!("/api/v1/exports/{id}/file"),
        ] {
            let (status, _) = call(&narrowed, Method::GET, &path, Body::None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(coordinator.get(&path).await.status(), StatusCode::OK);
        }
    }
    // Its own district's export it does fetch.
    let (status, job) = coordinator
        .post_json(
            "/api/v1/exports",
            &json!({"kind": "xlsx", "unit": "540", "year": 2026}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = job["id"].as_i64().unwrap();
    finished(&coordinator, id).await;
    let (status, _) = call(
        &narrowed,
        Method::GET,
        &format!("/api/v1/exports/{id}/file"),
        Body::None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_read_only_token_changes_nothing_not_even_its_owners_settings() {
    let app = TestApp::spawn().await;
    let editor = app.login("editor-540").await;
    let read = Who::Token(&app, token(&editor, "read", None).await);
    let write = Who::Token(&app, token(&editor, "read_write", None).await);
    for (method, path, body) in [
        (
            Method::PUT,
            "/api/v1/me/email-preference",
            json!({"email_pref": "digest"}),
        ),
        (Method::POST, "/api/v1/notifications/read-all", Value::Null),
        (Method::POST, "/api/v1/notifications/1/read", Value::Null),
        (
            Method::POST,
            "/api/v1/tokens",
            json!({"name": "con", "access": "read"}),
        ),
    ] {
        let (status, answer) = call(&read, method.clone(), path, Body::Json(body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
    }
    let (status, _) = call(&read, Method::GET, "/api/v1/notifications", Body::None).await;
    assert_eq!(status, StatusCode::OK, "reading stays open");
    let (status, answer) = call(
        &write,
        Method::PUT,
        "/api/v1/me/email-preference",
        Body::Json(json!({"email_pref": "digest"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
}
