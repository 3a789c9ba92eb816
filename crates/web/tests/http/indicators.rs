//! Indicators, figures, review and roll-ups through the API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Session, TestApp, error_code};

pub(crate) async fn indicator(
    s: &Session,
    code: &str,
    measure: &str,
    aggregation: &str,
    direction: &str,
) {
    let (status, body) = s
        .post_json("/api/v1/indicators", &json!({"code": code, "name": format!("Chỉ tiêu {code}"), "measure": measure,
            "aggregation": aggregation, "direction": direction, "period_type": "quarter", "pillar_code": "digital_government"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

pub(crate) async fn save(
    s: &Session,
    unit: &str,
    period: &str,
    rows: Value,
    submit: bool,
) -> (StatusCode, Value) {
    s.post_json(
        "/api/v1/data-values",
        &json!({"unit": unit, "period": period, "submit": submit, "rows": rows}),
    )
    .await
}

pub(crate) async fn approve_all(
    coordinator: &Session,
    approver: &Session,
    unit: &str,
    period: &str,
) {
    let (_, values) = approver
        .get_json(&format!("/api/v1/data-values?unit={unit}&period={period}"))
        .await;
    for v in values["items"].as_array().unwrap() {
        if v["status"] == "submitted" {
            let (status, _) = coordinator
                .post_json(
                    &format!("/api/v1/data-values/{}/review", v["id"]),
                    &json!({"approve": true}),
                )
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT);
        }
    }
}

#[tokio::test]
async fn figures_are_entered_reviewed_and_rolled_up_by_each_rule() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    indicator(&coordinator, "T-ONLINE", "ratio", "ratio_of_sums", "higher").await;
    indicator(&coordinator, "T-TEAMS", "number", "sum", "higher").await;
    indicator(&coordinator, "T-SHARE", "percent", "average", "higher").await;
    let (status, _) = coordinator
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/targets",
            &json!([{"indicator": "T-ONLINE", "unit": "52", "period": "2025Q2", "value": 50.0}]),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // An indicator the catalogue lacks is said to be that, not "the unit does not exist".
    let (status, body) = coordinator
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/targets",
            &json!([{"indicator": "NO-SUCH", "unit": "52", "period": "2025Q2", "value": 1.0}]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "indicator", "{body}");
    assert_eq!(
        body["error"]["details"][0]["code"], "unknown_indicator",
        "{body}"
    );
    // So does a new form naming it, and an export asking for it.
    let (status, body) = coordinator
        .send_json(
            reqwest::Method::POST,
            "/api/v1/forms",
            &json!({"code": "F-X", "name": "Biểu thử", "period_type": "quarter",
                    "indicators": ["NO-SUCH"], "unit_kinds": ["commune"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "indicators", "{body}");
    assert_eq!(
        body["error"]["details"][0]["code"], "unknown_indicator",
        "{body}"
    );
    let (status, body) = coordinator
        .get_json("/api/v1/data-values/export?period=2025Q2&indicator=NO-SUCH&format=json")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["error"]["details"][0]["code"], "unknown_indicator",
        "{body}"
    );
    let (status, body) = save(
        &app.login("approver-540").await,
        "540",
        "2025Q2",
        json!([{"indicator": "NO-SUCH", "value": "1"}]),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["error"]["details"][0]["errors"][0]["message"],
        "Không có chỉ tiêu mang mã này trong danh mục.",
        "{body}"
    );

    // Quy Nhơn reports for itself; An Lão for one of its communes only.
    let qn = app.login("approver-540").await;
    let al = app.login("approver-542").await;
    let (status, body) = save(
        &qn,
        "540",
        "2025Q2",
        json!([
            {"indicator": "T-ONLINE", "numerator": "45", "denominator": "60"},
            {"indicator": "T-TEAMS", "value": "21"},
            {"indicator": "T-SHARE", "value": "12,5"},
        ]),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, communes) = al.get_json("/api/v1/units?parent=542&limit=1").await;
    let commune = communes["items"][0]["code"].as_str().unwrap().to_string();
    let (status, body) = save(
        &al,
        &commune,
        "2025Q2",
        json!([
            {"indicator": "T-ONLINE", "numerator": 5, "denominator": 40},
            {"indicator": "T-TEAMS", "value": 9},
            {"indicator": "T-SHARE", "value": "30"},
        ]),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Nothing counts until it is approved…
    let (_, r) = coordinator
        .get_json("/api/v1/indicators/T-TEAMS/values?unit=52&period=2025Q2")
        .await;
    assert_eq!(r["value"], Value::Null);
    let (_, r) = coordinator
        .get_json("/api/v1/indicators/T-TEAMS/values?unit=52&period=2025Q2&include_pending=true")
        .await;
    assert_eq!(r["value"], 30.0, "unless pending figures are asked for");
    approve_all(&coordinator, &qn, "540", "2025Q2").await;
    approve_all(&coordinator, &al, &commune, "2025Q2").await;

    let (_, r) = coordinator
        .get_json("/api/v1/indicators/T-ONLINE/values?unit=52&period=2025Q2&level=children")
        .await;
    // (45 + 5) / (60 + 40) = 50%: a ratio of sums, not the average of 75% and 12.5%.
    assert_eq!(
        (
            r["numerator"].as_f64(),
            r["denominator"].as_f64(),
            r["value"].as_f64()
        ),
        (Some(50.0), Some(100.0), Some(50.0))
    );
    assert_eq!(r["target"], 50.0);
    assert_eq!(r["attainment"]["status"], "achieved");
    let missing = r["missing"].as_array().unwrap();
    assert!(
        missing.iter().any(|m| m == "Huyện Vân Canh"),
        "districts that did not report are named: {missing:?}"
    );
    assert!(
        !missing.iter().any(|m| m == "Huyện An Lão"),
        "An Lão reported through its commune"
    );
    let child = |name: &str| {
        r["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["unit"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(child("Thành phố Quy Nhơn")["value"], 75.0);
    assert_eq!(
        child("Huyện Vân Canh")["value"],
        Value::Null,
        "missing, not zero"
    );
    let (_, r) = coordinator
        .get_json("/api/v1/indicators/T-TEAMS/values?unit=52&period=2025")
        .await;
    assert_eq!(r["value"], 30.0, "the year rolls up its quarters");
    let (_, r) = coordinator
        .get_json("/api/v1/indicators/T-SHARE/values?unit=52&period=2025Q2")
        .await;
    assert_eq!(r["value"], 21.25, "the average of the districts' figures");

    // A unit's dashboard (every indicator at once) agrees with the single roll-ups.
    let (_, all) = coordinator
        .get_json("/api/v1/units/52/indicators?period=2025")
        .await;
    for code in ["T-ONLINE", "T-TEAMS", "T-SHARE"] {
        let (_, one) = coordinator
            .get_json(&format!(
                "/api/v1/indicators/{code}/values?unit=52&period=2025"
            ))
            .await;
        let many = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["indicator"] == code)
            .unwrap();
        assert_eq!(many["value"], one["value"], "{code}");
        assert_eq!(many["missing"], one["missing"], "{code}");
    }
    // A correction waits for review; the approved figure counts meanwhile, and history keeps both.
    let (status, _) = save(
        &qn,
        "540",
        "2025Q2",
        json!([{"indicator": "T-TEAMS", "value": "25"}]),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, r) = coordinator
        .get_json("/api/v1/indicators/T-TEAMS/values?unit=540&period=2025Q2")
        .await;
    assert_eq!(r["value"], 21.0);
    let (_, values) = qn
        .get_json("/api/v1/data-values?unit=540&period=2025Q2")
        .await;
    let teams = values["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["status"] == "submitted")
        .unwrap()
        .clone();
    let (status, body) = coordinator
        .post_json(
            &format!("/api/v1/data-values/{}/review", teams["id"]),
            &json!({"approve": false}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a rejection needs its reason: {body}"
    );
    coordinator
        .post_json(
            &format!("/api/v1/data-values/{}/review", teams["id"]),
            &json!({"approve": false, "comment": "Thiếu minh chứng"}),
        )
        .await;
    let (_, h) = qn
        .get_json(&format!("/api/v1/data-values/{}/history", teams["id"]))
        .await;
    let actions: Vec<&str> = h["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["submit", "approve", "submit", "reject"]);
    assert_eq!(h["history"][3]["comment"], "Thiếu minh chứng");
    assert_eq!(h["history"][1]["value"], 21.0);
}

#[tokio::test]
async fn bad_figures_are_refused_row_by_row_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    indicator(&coordinator, "B-SHARE", "percent", "average", "higher").await;
    indicator(&coordinator, "B-RATIO", "ratio", "ratio_of_sums", "higher").await;
    let qn = app.login("editor-540").await;
    let (status, body) = save(
        &qn,
        "540",
        "2025Q2",
        json!([
            {"indicator": "B-SHARE", "value": "140"},
            {"indicator": "B-RATIO", "numerator": "70", "denominator": "60"},
            {"indicator": "KHONG-CO", "value": "1"},
            {"indicator": "B-SHARE", "value": "10"},
        ]),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "validation_failed");
    let rows = body["error"]["details"].as_array().unwrap();
    let bad: Vec<i64> = rows
        .iter()
        .filter(|r| r["ok"] == false)
        .map(|r| r["row"].as_i64().unwrap())
        .collect();
    assert_eq!(
        bad,
        [1, 2, 3, 4],
        "percent above 100, numerator above denominator, unknown code, duplicate row"
    );
    assert!(
        rows[0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("0–100")
    );
    let (_, values) = qn
        .get_json("/api/v1/data-values?unit=540&period=2025Q2")
        .await;
    assert!(
        values["items"].as_array().unwrap().is_empty(),
        "nothing written"
    );
    let (status, _) = save(
        &qn,
        "540",
        "2025-05",
        json!([{"indicator": "B-SHARE", "value": "10"}]),
        false,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a month for a quarterly indicator"
    );
    let (status, _) = save(
        &qn,
        "542",
        "2025Q2",
        json!([{"indicator": "B-SHARE", "value": "10"}]),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another district");
    let (status, _) = save(
        &qn,
        "540",
        "2025Q2",
        json!([{"indicator": "B-SHARE", "value": "10"}]),
        true,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "editors save drafts; heads of unit submit"
    );
    let viewer = app.login("viewer").await;
    let (status, _) = viewer
        .post_json("/api/v1/indicators", &json!({"code": "X", "name": "X", "measure": "number", "aggregation": "sum", "direction": "higher", "period_type": "year"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = coordinator
        .post_json("/api/v1/indicators", &json!({"code": "Y", "name": "Y", "measure": "ratio", "aggregation": "average", "direction": "higher", "period_type": "year"}))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a ratio never averages: {body}"
    );
    let (status, _) = coordinator
        .get_json("/api/v1/indicators/B-SHARE/values?unit=52&period=2025Q5")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .login("editor-549")
        .await
        .get_json("/api/v1/indicators/B-SHARE/values?unit=540&period=2025Q2")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another district's figures");
}

#[tokio::test]
async fn units_enter_figures_on_the_grid_and_the_coordinator_reviews_and_reminds() {
    let app = TestApp::spawn().await;
    let editor = app.login("editor-540").await;
    let catalogue = editor.get("/indicators").await.text().await.unwrap();
    assert!(
        catalogue.contains("Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình"),
        "the demo catalogue"
    );
    assert!(
        catalogue.contains("href=\"/data/540\""),
        "the way to enter the unit's figures"
    );
    let grid = editor
        .get("/data/540?period=2025Q3")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        grid.contains("name=\"n_CQ-01\"") && grid.contains("name=\"v_NL-03\""),
        "ratios ask for numerator and denominator"
    );
    assert!(
        !grid.contains("Gửi duyệt"),
        "an editor saves drafts; the head submits"
    );
    assert!(
        grid.contains("lãnh đạo đơn vị kiểm tra và gửi duyệt"),
        "who submits is said"
    );
    // The period is chosen from a list; one typed as officers write it opens too, and one
    // that is no period is said on the page, which opens on the period owed now.
    let typed = editor
        .get("/data/540?period=qu%C3%BD%203%20n%C4%83m%202025")
        .await
        .text()
        .await
        .unwrap();
    assert!(typed.contains(r#"<option value="2025Q3" selected>Quý III/2025</option>"#));
    let unreadable = editor.get("/data/540?period=sáng%20nay").await;
    assert_eq!(unreadable.status(), StatusCode::OK);
    let unreadable = unreadable.text().await.unwrap();
    assert!(
        unreadable.contains("Không hiểu kỳ “sáng nay”"),
        "{unreadable}"
    );
    assert!(unreadable.contains(" selected>"));
    let (_, forms) = editor.get_json("/api/v1/forms").await;
    let form = forms["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BC-HUYEN-QUY")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let r = editor
        .post_form(
            "/data/540",
            &[
                ("form", &form),
                ("period", "2025Q3"),
                ("submit", "0"),
                ("n_CQ-01", "45"),
                ("d_CQ-01", "40"),
                ("v_NL-03", "12,5"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Tử số không được lớn hơn mẫu số") && page.contains("value=\"45\""),
        "the error by its row, the typing kept"
    );
    let r = editor
        .post_form(
            "/data/540",
            &[
                ("form", &form),
                ("period", "2025Q3"),
                ("submit", "0"),
                ("n_CQ-01", "30"),
                ("d_CQ-01", "40"),
                ("v_NL-03", "120"),
                ("c_NL-03", "Gồm 20 cán bộ xã học trực tuyến"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let grid = editor
        .get("/data/540?period=2025Q3")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        grid.contains("value=\"Gồm 20 cán bộ xã học trực tuyến\""),
        "the officer's note on a figure is kept and shown"
    );
    let approver = app.login("approver-540").await;
    let r = approver
        .post_form(
            "/data/540",
            &[
                ("form", &form),
                ("period", "2025Q3"),
                ("submit", "1"),
                ("n_CQ-01", "30"),
                ("d_CQ-01", "40"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let coordinator = app.login("coordinator").await;
    let queue = coordinator.get("/data/review").await.text().await.unwrap();
    assert!(queue.contains("30 / 40 = 75%"));
    let id: String = queue
        .split("/data/values/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let r = coordinator
        .post_form(
            &format!("/data/values/{id}/review"),
            &[("decision", "approve"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, rolled) = coordinator
        .get_json("/api/v1/indicators/CQ-01/values?unit=540&period=2025Q3")
        .await;
    assert_eq!(rolled["value"], 75.0);
    // The approved ratio shows the share it makes and warns that a change goes back to review.
    let approved = editor
        .get("/data/540?period=2025Q3")
        .await
        .text()
        .await
        .unwrap();
    assert!(approved.contains("= 75%"), "{approved}");
    assert!(approved.contains("Đã duyệt: nếu sửa, số liệu phải gửi duyệt lại."));
    let indicator_page = coordinator
        .get("/indicators/CQ-01?unit=52&period=2025Q3")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        indicator_page.contains("Thành phố Quy Nhơn") && indicator_page.contains("chưa báo cáo")
    );
    // Units are named and periods written as officers write them; what cannot be read is
    // said on the page, which shows the default instead of failing.
    let typed = coordinator
        .get("/indicators/CQ-01?unit=thanh%20pho%20quy%20nhon&period=Qu%C3%BD%20III%2F2025")
        .await;
    assert_eq!(typed.status(), StatusCode::OK);
    let typed = typed.text().await.unwrap();
    assert!(
        typed.contains("Thành phố Quy Nhơn — Quý III/2025"),
        "{typed}"
    );
    assert!(typed.contains(r#"<option value="2025Q3" selected>Quý III/2025</option>"#));
    assert!(typed.contains(r#"<datalist id="unit-options">"#));
    let unreadable = coordinator
        .get("/indicators/CQ-01?unit=Nowhere&period=h%C3%B4m%20qua")
        .await;
    assert_eq!(unreadable.status(), StatusCode::OK);
    let unreadable = unreadable.text().await.unwrap();
    assert!(unreadable.contains("Không tìm thấy đơn vị “Nowhere”"));
    assert!(unreadable.contains("Không hiểu kỳ “hôm qua”"));
    assert!(unreadable.contains("error-summary"));

    let done = coordinator
        .get(&format!("/forms/{form}/completeness?period=2025Q3"))
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("11 đơn vị chưa gửi đủ") || done.contains("đơn vị chưa gửi đủ"));
    let r = coordinator
        .post_form(&format!("/forms/{form}/remind"), &[("period", "2025Q3")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let al = app.login("editor-542").await;
    let (_, notices) = al.get_json("/api/v1/notifications").await;
    assert!(
        notices["items"][0]["title_vi"]
            .as_str()
            .unwrap()
            .starts_with("Đề nghị gửi số liệu Quý III/2025")
    );
    coordinator
        .post_form(&format!("/forms/{form}/remind"), &[("period", "2025Q3")])
        .await;
    let (_, again) = al.get_json("/api/v1/notifications").await;
    assert_eq!(
        again["unread"], notices["unread"],
        "a second click the same day reminds nobody twice"
    );
    let viewer = app.login("viewer").await;
    assert_eq!(
        viewer
            .post_form(&format!("/forms/{form}/remind"), &[("period", "2025Q3")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        editor.get("/data/542").await.status(),
        StatusCode::FORBIDDEN,
        "another district's grid"
    );
}

#[tokio::test]
async fn figures_travel_in_the_long_exchange_format_both_ways() {
    let app = TestApp::spawn().await;
    let qn = app.login("approver-540").await;
    let post_csv = |body: &'static str, submit: bool| {
        qn.client
            .post(qn.url(&format!("/api/v1/data-values/import?submit={submit}")))
            .header("x-csrf-token", &qn.csrf)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let bad = "indicator_code,unit_code,period,value,numerator,denominator,status\nNL-03,540,2025Q1,12,,,\nCQ-01,540,2025Q1,,50,40,\nNL-03,540,2025,5,,,\n";
    let r = post_csv(bad, false).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    let bad_rows: Vec<i64> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ok"] == false)
        .map(|r| r["row"].as_i64().unwrap())
        .collect();
    assert_eq!(
        bad_rows,
        [2, 3],
        "numerator above denominator; a year for a quarterly indicator"
    );
    let good = "\u{feff}indicator_code,unit_code,period,value,numerator,denominator,status\nNL-03,540,2025Q1,\"1.234\",,,\nCQ-01,540,2025Q1,,30,40,\nNL-03,540,2025Q2,\"12,5\",,,\n";
    let r = post_csv(good, true).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let r = post_csv(
        "indicator_code,unit_code,period,value\nNL-03,542,2025Q1,3\n",
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "another district, even inside a batch"
    );

    let csv = qn
        .get("/api/v1/data-values/export?period=2025&unit=540")
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "indicator_code,unit_code,period,value,numerator,denominator,status"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines.contains(&"CQ-01,540,2025Q1,75,30,40,submitted"));
    assert!(lines.contains(&"NL-03,540,2025Q1,1234,,,submitted"));
    let (_, json) = qn
        .get_json("/api/v1/data-values/export?period=2025Q2&format=json")
        .await;
    assert_eq!(json["items"][0]["value"], 12.5);
    let other = app.login("editor-549").await;
    assert_eq!(
        other
            .get("/api/v1/data-values/export?period=2025&unit=540")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (_, mine) = other
        .get_json("/api/v1/data-values/export?period=2025&format=json")
        .await;
    assert!(
        mine["items"].as_array().unwrap().is_empty(),
        "a district sees only its own figures"
    );
}

#[tokio::test]
async fn the_prefilled_form_goes_to_excel_and_comes_back_with_cell_level_errors() {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::spawn().await;
    let qn = app.login("editor-540").await;
    let (_, forms) = qn.get_json("/api/v1/forms").await;
    let form = forms["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BC-HUYEN-QUY")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = qn
        .get(&format!("/data/540/form.xlsx?form={form}&period=2025Q3"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.get_value((1, 1)), Some(&Data::String("540".into())));
    assert_eq!(
        range.get_value((2, 1)),
        Some(&Data::String("2025Q3".into()))
    );
    let codes: Vec<String> = (6..range.height() as u32)
        .map(|r| range.get_value((r, 0)).unwrap().to_string())
        .collect();
    assert!(codes.contains(&"CQ-01".to_string()) && codes.contains(&"NL-03".to_string()));

    // Filled in "Excel": a workbook with the same identity cells.
    let filled = |unit: &str, period: &str, numerator: &str| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(1, 0, "Mã đơn vị:").unwrap();
        sheet.write(1, 1, unit).unwrap();
        sheet.write(2, 0, "Kỳ báo cáo:").unwrap();
        sheet.write(2, 1, period).unwrap();
        for (c, h) in [
            "Mã chỉ tiêu",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Giá trị",
            "Tử số",
            "Mẫu số",
        ]
        .iter()
        .enumerate()
        {
            sheet.write(5, c as u16, *h).unwrap();
        }
        sheet.write(6, 0, "CQ-01").unwrap();
        sheet.write(6, 4, numerator).unwrap();
        sheet.write(6, 5, 40.0).unwrap();
        sheet.write(7, 0, "NL-03").unwrap();
        sheet.write(7, 3, "12,5").unwrap();
        book.save_to_buffer().unwrap()
    };
    let upload = |bytes: Vec<u8>| {
        let form_part = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("biểu.xlsx"),
        );
        qn.client
            .post(qn.url(&format!(
                "/data/540/upload?form={form}&period=2025Q3&_csrf={}",
                qn.csrf
            )))
            .multipart(form_part)
            .send()
    };
    let r = upload(filled("540", "2025Q3", "55")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("ô E7: Tử số không được lớn hơn mẫu số")
    );
    let r = upload(filled("542", "2025Q3", "30")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text().await.unwrap().contains("biểu của đơn vị 542"),
        "a workbook for another unit"
    );
    let (_, values) = qn
        .get_json("/api/v1/data-values?unit=540&period=2025Q3")
        .await;
    assert!(
        values["items"].as_array().unwrap().is_empty(),
        "nothing written"
    );
    let r = upload(filled("540", "2025Q3", "30")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, values) = qn
        .get_json("/api/v1/data-values?unit=540&period=2025Q3")
        .await;
    let items = values["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .any(|v| v["value"] == 12.5 && v["status"] == "draft")
    );
}

#[tokio::test]
async fn merged_departments_roll_their_history_into_their_successor() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (status, _) = coordinator
        .post_json(
            "/api/v1/indicators",
            &json!({"code": "L-SYS", "name": "Số hệ thống", "measure": "number",
            "aggregation": "sum", "direction": "higher", "period_type": "year"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Figures of 2024, before Sở TT&TT and Sở KH&CN merged on 1 March 2025.
    let state = &app.state;
    let mut c = state.db.begin().await.unwrap();
    let ind = dxplan_app::store::indicators::by_code(&mut c, "L-SYS")
        .await
        .unwrap()
        .unwrap()
        .id;
    for (code, value) in [("52-STTTT", 7.0), ("52-SKHCN", 3.0)] {
        let unit = dxplan_app::store::units::all_with_code(&mut c, code)
            .await
            .unwrap()[0]
            .id;
        dxplan_app::store::indicators::seed_values(
            &mut c,
            &[dxplan_app::store::indicators::SeedValue {
                indicator_id: ind,
                unit_id: unit,
                period: dxplan_domain::period::Period::Year(2024),
                figure: (value, None, None),
                status: dxplan_domain::indicator::ValueStatus::Approved,
                review_comment: None,
            }],
            "test",
            state.now(),
        )
        .await
        .unwrap();
    }
    c.commit().await.unwrap();
    // As the structure is now, the successor holds both histories…
    let (_, now) = coordinator
        .get_json("/api/v1/indicators/L-SYS/values?unit=52-SKHCN2&period=2024")
        .await;
    assert_eq!(now["value"], 10.0, "{now}");
    // …and as it was, each department keeps its own.
    let (_, then) = coordinator
        .get_json("/api/v1/indicators/L-SYS/values?unit=52-STTTT&period=2024&at=2024-06-01")
        .await;
    assert_eq!(then["value"], 7.0);
    let (_, province) = coordinator
        .get_json("/api/v1/indicators/L-SYS/values?unit=52&period=2024")
        .await;
    assert_eq!(
        province["value"], 10.0,
        "the province total is the same either way"
    );
    // A unit's dashboard gives the same figure as the single roll-up.
    let (_, all) = coordinator
        .get_json("/api/v1/units/52-SKHCN2/indicators?period=2024")
        .await;
    let sys = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["indicator"] == "L-SYS")
        .unwrap()
        .clone();
    assert_eq!(sys["value"], 10.0);
}

#[tokio::test]
async fn targets_are_copied_from_last_year_and_split_across_units() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    // NL-03 (people trained, a count) is reported by districts in the demo's quarterly form.
    let (status, _) = coordinator
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/targets",
            &json!([
                {"indicator": "NL-03", "unit": "540", "period": "2025", "value": 300.0},
                {"indicator": "CQ-01", "unit": "540", "period": "2025", "value": 80.0},
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, copied) = coordinator
        .post_json(
            "/api/v1/targets/copy",
            &json!({"from_year": 2025, "to_year": 2026}),
        )
        .await;
    assert_eq!(copied["copied"], 2);
    let (_, t) = coordinator
        .get_json("/api/v1/targets?period=2026&unit=540")
        .await;
    assert_eq!(t["items"].as_array().unwrap().len(), 2);

    // A province count split equally over the 11 districts; a share applies to each.
    let (status, split) = coordinator
        .post_json("/api/v1/targets/split", &json!({"indicator": "NL-03", "unit": "52", "year": 2027, "value": 1100.0, "method": "equal"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{split}");
    let shares = split["items"].as_array().unwrap();
    assert_eq!(shares.len(), 11, "only the districts report this indicator");
    assert!(shares.iter().all(|s| s["target"] == 100.0));
    let (_, split) = coordinator
        .post_json("/api/v1/targets/split", &json!({"indicator": "CQ-01", "unit": "52", "year": 2027, "value": 85.0, "method": "equal"}))
        .await;
    assert!(
        split["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["target"] == 85.0)
    );
    let (_, province) = coordinator
        .get_json("/api/v1/indicators/NL-03/values?unit=52&period=2027")
        .await;
    assert_eq!(province["target"], 1100.0);

    // By last year's figures: Quy Nhơn trained 300 people in 2026, An Lão 100, the rest none.
    for (unit, trained) in [("540", "300"), ("542", "100")] {
        let approver = app.login(&format!("approver-{unit}")).await;
        let (status, body) = save(
            &approver,
            unit,
            "2026Q1",
            json!([{"indicator": "NL-03", "value": trained}]),
            true,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        approve_all(&coordinator, &approver, unit, "2026Q1").await;
    }
    let (status, split) = coordinator
        .post_json("/api/v1/targets/split", &json!({"indicator": "NL-03", "unit": "52", "year": 2027, "value": 800.0, "method": "by_last_year"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{split}");
    let shares: Vec<f64> = split["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["target"].as_f64())
        .collect();
    assert_eq!(shares.iter().sum::<f64>(), 800.0);
    assert!(shares.contains(&600.0) && shares.contains(&200.0));
    assert_eq!(shares.iter().filter(|v| **v == 0.0).count(), 9);
    let (status, _) = coordinator
        .post_json("/api/v1/targets/split", &json!({"indicator": "NL-03", "unit": "52", "year": 2027, "value": -5.0, "method": "equal"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = coordinator
        .post_json("/api/v1/targets/split", &json!({"indicator": "NL-03", "unit": "52", "year": 2027, "value": 5.0, "method": "guess"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let approver = app.login("approver-540").await;
    let (status, _) = approver
        .post_json(
            "/api/v1/targets/copy",
            &json!({"from_year": 2025, "to_year": 2026}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "targets are set by the coordinator"
    );
}

#[tokio::test]
async fn the_coordinator_fills_the_targets_grid_in_the_browser() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let page = coordinator
        .get("/targets?year=2026")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("name=\"t|540|CQ-01\""),
        "a cell per district and indicator"
    );
    let r = coordinator
        .post_form(
            "/targets",
            &[
                ("year", "2026"),
                ("t|540|CQ-01", "85,5"),
                ("t|542|NL-03", "nhiều"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("542 / NL-03"));
    let (_, none) = coordinator
        .get_json("/api/v1/targets?period=2026&unit=540")
        .await;
    assert!(
        none["items"].as_array().unwrap().is_empty(),
        "nothing saved"
    );
    let r = coordinator
        .post_form(
            "/targets",
            &[
                ("year", "2026"),
                ("t|540|CQ-01", "85,5"),
                ("t|542|NL-03", "120"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, saved) = coordinator
        .get_json("/api/v1/targets?period=2026&unit=540")
        .await;
    assert_eq!(saved["items"][0]["value"], 85.5);
    let r = coordinator
        .post_form("/targets/copy", &[("year", "2027")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, copied) = coordinator
        .get_json("/api/v1/targets?period=2027&unit=52")
        .await;
    assert_eq!(copied["items"].as_array().unwrap().len(), 2);

    // Share the province's count among the districts from the same page.
    let page = coordinator
        .get("/targets?year=2027")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("action=\"/targets/split\"") && page.contains("<option value=\"52\">"));
    let r = coordinator
        .post_form(
            "/targets/split",
            &[
                ("year", "2027"),
                ("indicator", "NL-03"),
                ("unit", "52"),
                ("value", "nhiều"),
                ("method", "equal"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Chỉ tiêu cần chia"));
    let r = coordinator
        .post_form(
            "/targets/split",
            &[
                ("year", "2027"),
                ("indicator", "NL-03"),
                ("unit", "52"),
                ("value", "1.100"),
                ("method", "equal"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, district) = coordinator
        .get_json("/api/v1/indicators/NL-03/values?unit=540&period=2027")
        .await;
    assert_eq!(district["target"], 100.0, "1.100 over 11 districts");
    let editor = app.login("editor-540").await;
    assert_eq!(editor.get("/targets").await.status(), StatusCode::FORBIDDEN);
    let r = editor
        .post_form(
            "/targets/split",
            &[
                ("year", "2027"),
                ("indicator", "NL-03"),
                ("unit", "52"),
                ("value", "5"),
                ("method", "equal"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn figures_that_need_evidence_are_submitted_only_with_a_file() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (status, body) = coordinator
        .post_json("/api/v1/indicators", &json!({"code": "T-EVID", "name": "Hệ thống đã nghiệm thu", "measure": "number",
            "aggregation": "sum", "direction": "higher", "period_type": "quarter", "evidence_required": true}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let qn = app.login("approver-540").await;
    let row = json!([{"indicator": "T-EVID", "value": "3"}]);

    // Submitting without a file is refused and writes nothing.
    let (status, body) = save(&qn, "540", "2025Q2", row.clone(), true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["error"]["details"][0]["errors"][0]["field"],
        "evidence"
    );
    let (_, values) = qn
        .get_json("/api/v1/data-values?unit=540&period=2025Q2")
        .await;
    assert!(values["items"].as_array().unwrap().is_empty());

    // Save a draft, attach the file, then submit.
    let (status, body) = save(&qn, "540", "2025Q2", row.clone(), false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["items"][0]["id"].as_i64().unwrap();
    let upload = |s: &Session, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        s.client
            .post(s.url(&format!("/api/v1/data-values/{id}/files")))
            .header("x-csrf-token", &s.csrf)
            .multipart(form)
            .send()
    };
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    let other = app.login("approver-542").await;
    assert_eq!(
        upload(&other, "Biên bản.pdf", pdf.clone())
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN,
        "another district cannot add evidence to Quy Nhơn's figure"
    );
    let r = upload(&qn, "chương trình.exe", b"MZ\x90\x00".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = upload(&qn, "Biên bản nghiệm thu.pdf", pdf.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let file: Value = r.json().await.unwrap();
    let (_, files) = qn
        .get_json(&format!("/api/v1/data-values/{id}/files"))
        .await;
    assert_eq!(
        files["items"].as_array().unwrap().len(),
        1,
        "the refused file left nothing"
    );
    let (status, body) = save(&qn, "540", "2025Q2", row.clone(), true).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The reviewer reads the file; another district may not.
    let r = coordinator
        .get(&format!("/api/v1/data-value-files/{}", file["id"]))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let r = other
        .get(&format!("/api/v1/data-value-files/{}", file["id"]))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _) = other
        .get_json(&format!("/api/v1/data-values/{id}/files"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Once approved, the evidence is frozen with the figure.
    approve_all(&coordinator, &qn, "540", "2025Q2").await;
    let r = upload(&qn, "Bổ sung.pdf", pdf).await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_department_attaches_evidence_on_the_entry_page_before_submitting() {
    let app = TestApp::spawn().await;
    // AT-01 (information systems with an approved security level) needs the decision.
    let dept = app.login("approver-skhcn2").await;
    let fields = [("period", "2025"), ("v_AT-01", "4")];
    let r = dept
        .post_form("/data/52-SKHCN2", &[fields[0], fields[1], ("submit", "1")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("cần tệp minh chứng"));
    let r = dept
        .post_form("/data/52-SKHCN2", &[fields[0], fields[1], ("submit", "0")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let page = dept
        .get("/data/52-SKHCN2?period=2025")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Cần tệp minh chứng khi gửi duyệt."));
    let start = page
        .find("action=\"/data/52-SKHCN2/values/")
        .expect("an upload form for AT-01");
    let action = page[start + 8..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec())
            .file_name("Quyết định phê duyệt cấp độ.pdf"),
    );
    let r = dept
        .client
        .post(dept.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = dept
        .get("/data/52-SKHCN2?period=2025")
        .await
        .text()
        .await
        .unwrap();
    let start = page
        .find("href=\"/data/52-SKHCN2/files/")
        .expect("the file is listed");
    let link = page[start + 6..].split('"').next().unwrap().to_string();
    assert!(page[start..].contains("Quyết định phê duyệt cấp độ.pdf"));
    assert_eq!(dept.get(&link).await.status(), StatusCode::OK);
    let district = app.login("approver-540").await;
    assert_eq!(district.get(&link).await.status(), StatusCode::FORBIDDEN);
    let r = dept
        .post_form("/data/52-SKHCN2", &[fields[0], fields[1], ("submit", "1")])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "submitted with its evidence"
    );
    let coordinator = app.login("coordinator").await;
    let queue = coordinator.get("/data/review").await.text().await.unwrap();
    assert!(
        queue.contains(&format!("href=\"{link}\"")),
        "the reviewer opens the evidence"
    );
    assert_eq!(coordinator.get(&link).await.status(), StatusCode::OK);
}

/// The value of one indicator on a unit's dashboard (read from the pre-combined rows).
async fn dashboard_value(s: &Session, unit: &str, period: &str, code: &str) -> Value {
    let (status, all) = s
        .get_json(&format!("/api/v1/units/{unit}/indicators?period={period}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["indicator"] == code)
        .map(|i| i["value"].clone())
        .unwrap_or(Value::Null)
}

/// The figure an indicator's page shows in its tile for `unit` and `period`.
async fn page_value(s: &Session, code: &str, unit: &str, period: &str) -> String {
    let page = s
        .get(&format!("/indicators/{code}?unit={unit}&period={period}"))
        .await
        .text()
        .await
        .unwrap();
    let tile = r#"<span class="tile-number">"#;
    let start = page.find(tile).map(|i| i + tile.len()).expect("a tile");
    let len = page[start..].find("</span>").expect("the tile's end");
    page[start..start + len].to_string()
}

#[tokio::test]
async fn a_subtree_rollup_is_never_stale_after_an_approval() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    indicator(&coordinator, "T-SUM", "number", "sum", "higher").await;
    indicator(&coordinator, "T-LAST", "number", "latest", "higher").await;
    let qn = app.login("approver-540").await;
    let al = app.login("approver-542").await;
    for (s, unit, q1, q2) in [(&qn, "540", "10", "12"), (&al, "542", "5", "7")] {
        for (period, v) in [("2025Q1", q1), ("2025Q2", q2)] {
            let (status, body) = save(
                s,
                unit,
                period,
                json!([{"indicator": "T-SUM", "value": v}, {"indicator": "T-LAST", "value": v}]),
                true,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }
    // Submitted but not approved: nothing counts yet.
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025", "T-SUM").await,
        Value::Null
    );
    // The indicator's page read now is kept a few seconds, but not past a change.
    let before = page_value(&coordinator, "T-SUM", "52", "2025").await;
    assert_eq!(
        before,
        page_value(&coordinator, "T-SUM", "52", "2025").await
    );
    for (s, unit) in [(&qn, "540"), (&al, "542")] {
        approve_all(&coordinator, s, unit, "2025Q1").await;
    }
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025", "T-SUM").await,
        15.0
    );
    assert_eq!(page_value(&coordinator, "T-SUM", "52", "2025").await, "15");
    for (s, unit) in [(&qn, "540"), (&al, "542")] {
        approve_all(&coordinator, s, unit, "2025Q2").await;
    }
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025", "T-SUM").await,
        34.0
    );
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025", "T-LAST").await,
        19.0,
        "each district's last quarter, summed"
    );
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025Q1", "T-SUM").await,
        15.0
    );

    // A correction counts only once approved, and then at once.
    let (status, _) = save(
        &qn,
        "540",
        "2025Q1",
        json!([{"indicator": "T-SUM", "value": "20"}]),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025", "T-SUM").await,
        34.0
    );
    approve_all(&coordinator, &qn, "540", "2025Q1").await;
    for period in ["2025", "2025Q1"] {
        let many = dashboard_value(&coordinator, "52", period, "T-SUM").await;
        let (_, one) = coordinator
            .get_json(&format!(
                "/api/v1/indicators/T-SUM/values?unit=52&period={period}"
            ))
            .await;
        assert_eq!(
            many, one["value"],
            "{period}: the dashboard agrees with the figures"
        );
    }
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025", "T-SUM").await,
        44.0
    );
    assert_eq!(page_value(&coordinator, "T-SUM", "52", "2025").await, "44");
    assert_eq!(page_value(&qn, "T-SUM", "540", "2025Q1").await, "20");
    // What one reader had kept is not shown to a reader of another unit.
    assert_eq!(
        page_value(&coordinator, "T-SUM", "542", "2025Q1").await,
        "5"
    );
    let refused = qn.get("/indicators/T-SUM?unit=542&period=2025Q1").await;
    let status = refused.status();
    let refused = refused.text().await.unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        !refused.contains(r#"<span class="tile-number">"#),
        "{refused}"
    );
    let api = "/api/v1/indicators/T-SUM/values?unit=542&period=2025Q1";
    let (status, kept) = coordinator.get_json(api).await;
    assert_eq!(
        (status, kept["value"].as_f64()),
        (StatusCode::OK, Some(5.0))
    );
    let (status, refused) = qn.get_json(api).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(refused.get("value").is_none(), "{refused}");
    assert_eq!(
        dashboard_value(&coordinator, "540", "2025Q1", "T-SUM").await,
        20.0
    );

    // Two approvals for the same unit and year at the same moment both count.
    let mut ids = Vec::new();
    for period in ["2025Q3", "2025Q4"] {
        let (status, body) = save(
            &al,
            "542",
            period,
            json!([{"indicator": "T-SUM", "value": "100"}]),
            true,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.push(body["items"][0]["id"].as_i64().unwrap());
    }
    let approve = |id: i64| {
        let coordinator = &coordinator;
        async move {
            coordinator
                .post_json(
                    &format!("/api/v1/data-values/{id}/review"),
                    &json!({"approve": true}),
                )
                .await
                .0
        }
    };
    let (a, b) = tokio::join!(approve(ids[0]), approve(ids[1]));
    assert_eq!((a, b), (StatusCode::NO_CONTENT, StatusCode::NO_CONTENT));
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025", "T-SUM").await,
        244.0
    );

    // A monthly indicator: a month is combined on the fly, its year pre-combined.
    let (status, _) = coordinator
        .post_json(
            "/api/v1/indicators",
            &json!({"code": "T-MONTH", "name": "Chỉ tiêu tháng", "measure": "number",
            "aggregation": "latest", "direction": "higher", "period_type": "month"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for (period, v) in [("2025-01", "3"), ("2025-02", "4")] {
        let (status, body) = save(
            &qn,
            "540",
            period,
            json!([{"indicator": "T-MONTH", "value": v}]),
            true,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        approve_all(&coordinator, &qn, "540", period).await;
    }
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025-01", "T-MONTH").await,
        3.0
    );
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025", "T-MONTH").await,
        4.0,
        "the latest month of the year"
    );
    assert_eq!(
        dashboard_value(&coordinator, "52", "2025Q1", "T-MONTH").await,
        4.0
    );
}

/// The figures of every SC- indicator for `year` under `unit`, from the exchange export.
async fn scale_figures(s: &Session, unit: &str, year: &str) -> Vec<Value> {
    let (status, export) = s
        .get_json(&format!(
            "/api/v1/data-values/export?format=json&period={year}&unit={unit}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{export}");
    export["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["indicator_code"].as_str().unwrap().starts_with("SC-"))
        .cloned()
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[tokio::test]
async fn generated_scale_figures_are_valid_and_roll_up_to_their_sum() {
    let app = TestApp::spawn().await;
    let report = dxplan_app::demo::scale::seed(&app.state, 3, 1)
        .await
        .unwrap();
    assert_eq!(report.values, report.units as u64 * 12 * 3);
    let year = (app.state.today().year() - 1).to_string();
    let coordinator = app.login("coordinator").await;
    let figures = scale_figures(&coordinator, "52", &year).await;
    assert_eq!(figures.len() as u64, report.values);
    let (mut sum, mut num, mut den) = (0.0, 0.0, 0.0);
    for f in &figures {
        assert_eq!(f["status"], "approved");
        let value = f["value"].as_f64().unwrap();
        match f["indicator_code"].as_str().unwrap() {
            "SC-001" => sum += value,
            "SC-002" => {
                let (n, d) = (
                    f["numerator"].as_f64().unwrap(),
                    f["denominator"].as_f64().unwrap(),
                );
                assert!(n <= d && d > 0.0, "{f}");
                assert!(close(value, n / d * 100.0), "{f}");
                num += n;
                den += d;
            }
            _ => assert!((0.0..=100.0).contains(&value), "a percentage: {f}"),
        }
    }
    let rolled = dashboard_value(&coordinator, "52", &year, "SC-001").await;
    assert!(close(rolled.as_f64().unwrap(), sum), "{rolled} vs {sum}");
    let ratio = dashboard_value(&coordinator, "52", &year, "SC-002").await;
    assert!(
        close(ratio.as_f64().unwrap(), num / den * 100.0),
        "Σnumerator / Σdenominator: {ratio} vs {}",
        num / den * 100.0
    );
}

/// Every indicator rolled up at once combines the communes in the database per parent
/// when they sit two levels below (over the nation, per province); one indicator's
/// roll-up walks them one by one. Both must say the same, by every rule.
#[tokio::test]
async fn every_indicator_at_once_agrees_with_each_alone_two_levels_down() {
    use dxplan_app::store::units;
    use dxplan_domain::unit::{UnitFields, UnitKind};
    let app = TestApp::spawn().await;
    // Six indicators: every aggregation rule once.
    dxplan_app::demo::scale::seed(&app.state, 6, 1)
        .await
        .unwrap();
    let (today, now) = (app.state.today(), app.state.now());
    {
        // The communes split between two clusters under the province, and a new commune
        // with no figures yet: a cluster counts only the communes that reported.
        let mut c = app.state.housekeeping().await.unwrap();
        let province = units::by_code(&mut c, "52", today).await.unwrap().unwrap();
        let mut clusters = Vec::new();
        for code in ["52-CUM1", "52-CUM2"] {
            let fields = UnitFields {
                code: code.into(),
                name: format!("Cụm {code}"),
                short_name: None,
                kind: UnitKind::District,
                parent_code: None,
                valid_from: None,
                valid_to: None,
            };
            clusters.push(
                units::insert(&mut c, &fields, Some(province.id), now)
                    .await
                    .unwrap(),
            );
        }
        let silent = UnitFields {
            code: "52-XMOI".into(),
            name: "Xã mới".into(),
            short_name: None,
            kind: UnitKind::Commune,
            parent_code: None,
            valid_from: None,
            valid_to: None,
        };
        units::insert(&mut c, &silent, Some(clusters[1]), now)
            .await
            .unwrap();
        let communes: Vec<_> = units::valid_on(&mut c, today)
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.kind == UnitKind::Commune && u.code != "52-XMOI")
            .collect();
        assert!(
            communes.len() > 10,
            "the demo's communes: {}",
            communes.len()
        );
        for (i, u) in communes.iter().enumerate() {
            let fields = UnitFields {
                code: u.code.clone(),
                name: u.name.clone(),
                short_name: u.short_name.clone(),
                kind: u.kind,
                parent_code: None,
                valid_from: u.valid_from,
                valid_to: u.valid_to,
            };
            let cluster = clusters[i % 2];
            units::update(&mut c, u.id, &fields, Some(cluster), None, now)
                .await
                .unwrap();
        }
        c.commit_shown().await.unwrap();
    }
    let year = (today.year() - 1).to_string();
    let admin = app.login("admin").await;
    let (status, all) = admin
        .get_json(&format!(
            "/api/v1/units/52/indicators?period={year}&limit=100"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let all = all["items"].as_array().unwrap().clone();
    let mut compared = 0;
    for view in all
        .iter()
        .filter(|v| v["indicator"].as_str().unwrap().starts_with("SC-"))
    {
        let code = view["indicator"].as_str().unwrap();
        let (status, alone) = admin
            .get_json(&format!(
                "/api/v1/indicators/{code}/values?unit=52&period={year}"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{alone}");
        let (a, b) = (
            view["value"].as_f64().unwrap(),
            alone["value"].as_f64().unwrap(),
        );
        assert!(close(a, b), "{code}: {a} at once, {b} alone");
        assert_eq!(view["reported_units"], alone["reported_units"], "{code}");
        assert_eq!(view["missing"], alone["missing"], "{code}");
        assert_eq!(
            view["numerator"].is_null(),
            alone["numerator"].is_null(),
            "{code}"
        );
        compared += 1;
    }
    assert_eq!(compared, 6, "{all:?}");
}

#[tokio::test]
async fn national_scale_puts_34_provinces_under_the_ministry_on_postgresql_only() {
    let app = TestApp::spawn().await;
    let result = dxplan_app::demo::scale::seed_national(&app.state, 1, 1, 2).await;
    if app.state.db.backend() == dxplan_app::store::Backend::Sqlite {
        assert!(
            matches!(result, Err(dxplan_app::AppError::BadRequest(_))),
            "refused on the embedded database"
        );
        return;
    }
    let report = result.unwrap();
    let year = (app.state.today().year() - 1).to_string();
    let admin = app.login("admin").await;
    let home = scale_figures(&admin, "52", &year).await;
    let nation = scale_figures(&admin, dxplan_app::demo::scale::NATIONAL_ROOT, &year).await;
    assert_eq!(nation.len() as u64, report.values);
    assert_eq!(
        nation.len(),
        home.len() + 33 * 2 * 12,
        "two communes in each of 33 more provinces"
    );
    let sum: f64 = nation.iter().map(|f| f["value"].as_f64().unwrap()).sum();
    let rolled = dashboard_value(
        &admin,
        dxplan_app::demo::scale::NATIONAL_ROOT,
        &year,
        "SC-001",
    )
    .await;
    assert!(close(rolled.as_f64().unwrap(), sum), "{rolled} vs {sum}");
    // The demo province still answers as before, now one province among 34.
    let (status, unit) = admin.get_json("/api/v1/units/52").await;
    assert_eq!(status, StatusCode::OK, "{unit}");
}

#[tokio::test]
async fn a_coordinator_edits_the_catalogue_and_stale_or_bad_edits_are_refused() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    indicator(&coordinator, "T-EDIT", "percent", "average", "higher").await;
    let (_, before) = coordinator.get_json("/api/v1/indicators/T-EDIT").await;
    let version = before["version"].as_i64().unwrap();
    let edit = |name: &str, version: i64| {
        json!({"code": "T-EDIT", "name": name, "measure": "percent", "aggregation": "average",
               "direction": "lower", "period_type": "quarter", "pillar_code": "digital_government",
               "version": version})
    };
    let (status, after) = coordinator
        .send_json(
            reqwest::Method::PATCH,
            "/api/v1/indicators/T-EDIT",
            &edit("Tỷ lệ đã sửa", version),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["name"], "Tỷ lệ đã sửa");
    assert_eq!(after["direction"], "lower_is_better");
    assert_eq!(after["version"].as_i64(), Some(version + 1));
    // Someone else's older copy is refused and changes nothing.
    let (status, body) = coordinator
        .send_json(
            reqwest::Method::PATCH,
            "/api/v1/indicators/T-EDIT",
            &edit("Cũ", version),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let mut bad = edit("", version + 1);
    bad["measure"] = json!("kilograms");
    let (status, body) = coordinator
        .send_json(reqwest::Method::PATCH, "/api/v1/indicators/T-EDIT", &bad)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, now) = coordinator.get_json("/api/v1/indicators/T-EDIT").await;
    assert_eq!(now["name"], "Tỷ lệ đã sửa", "nothing changed");
    // Units and viewers do not keep the catalogue; an unknown code does not exist.
    for login in ["approver-540", "viewer"] {
        let s = app.login(login).await;
        let (status, _) = s
            .send_json(
                reqwest::Method::PATCH,
                "/api/v1/indicators/T-EDIT",
                &edit("X", version + 1),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
    }
    let (status, _) = coordinator
        .send_json(
            reqwest::Method::PATCH,
            "/api/v1/indicators/KHONG-CO",
            &edit("X", 1),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
