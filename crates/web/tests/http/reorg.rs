//! Reorganisations: a change set from the real 1 July 2025 lineage of Vân Canh district
//! (seven communes into three, two of them split), previewed, applied, read "as it was"
//! and "as it is now", undone before it takes effect; bad change sets refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::indicators::{approve_all, save};
use crate::support::{Session, TestApp, error_code};

pub(crate) const NEW_UNITS: &str = "code,name,level,parent_code\n\
    21994,Xã Vân Canh,commune,52\n\
    21997,Xã Canh Liên,commune,52\n\
    22006,Xã Canh Vinh,commune,52\n";

/// The real edges of `binh-dinh-2025-lineage.csv` for Vân Canh, with the demo weights of
/// the two split communes.
pub(crate) const LINEAGE: &str = "old_code,old_name,new_code,new_name,weight\n\
    21994,Thị trấn Vân Canh,21994,Xã Vân Canh,\n\
    21997,Xã Canh Liên,21997,Xã Canh Liên,0.5\n\
    21997,Xã Canh Liên,22006,Xã Canh Vinh,0.5\n\
    22000,Xã Canh Hiệp,21994,Xã Vân Canh,0.5\n\
    22000,Xã Canh Hiệp,22006,Xã Canh Vinh,0.5\n\
    22003,Xã Canh Vinh,22006,Xã Canh Vinh,\n\
    22006,Xã Canh Hiển,22006,Xã Canh Vinh,\n\
    22009,Xã Canh Thuận,21994,Xã Vân Canh,\n\
    22012,Xã Canh Hòa,21994,Xã Vân Canh,\n";

async fn propose(admin: &Session, effective: &str, lineage: &str) -> (StatusCode, Value) {
    admin
        .post_json(
            "/api/v1/reorganisations",
            &json!({"name": "Sắp xếp ĐVHC cấp xã huyện Vân Canh", "effective_on": effective,
                "new_units_csv": NEW_UNITS, "lineage_csv": lineage}),
        )
        .await
}

/// Figures of 2025Q1 for the old communes: a count and a ratio.
async fn history(app: &TestApp) {
    let coordinator = app.login("coordinator").await;
    let admin = app.login("admin").await;
    let (status, body) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "truong-van-canh", "display_name": "Lãnh đạo huyện Vân Canh",
                "unit_code": "551", "password": "Mật khẩu Vân Canh 2026", "role": "unit_approver",
                "role_unit_code": "551"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let head = app
        .login_with("truong-van-canh", "Mật khẩu Vân Canh 2026")
        .await;
    crate::indicators::indicator(&coordinator, "R-SUM", "number", "sum", "higher").await;
    crate::indicators::indicator(&coordinator, "R-RAT", "ratio", "ratio_of_sums", "higher").await;
    for (unit, count, ratio) in [
        ("21994", 50, None),
        ("21997", 100, Some((30, 40))),
        ("22000", 60, Some((10, 20))),
        ("22003", 30, Some((5, 10))),
        ("22006", 10, None),
        ("22009", 20, None),
        ("22012", 5, None),
    ] {
        let mut rows = vec![json!({"indicator": "R-SUM", "value": count.to_string()})];
        if let Some((n, d)) = ratio {
            rows.push(json!({"indicator": "R-RAT", "numerator": n.to_string(), "denominator": d.to_string()}));
        }
        let (status, body) = save(&head, unit, "2025Q1", json!(rows), true).await;
        assert_eq!(status, StatusCode::OK, "{unit}: {body}");
        approve_all(&coordinator, &coordinator, unit, "2025Q1").await;
    }
}

/// A child row of a roll-up, by unit name.
pub(crate) fn child<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["unit"] == name)
        .unwrap_or_else(|| panic!("{name} among {view}"))
}

#[tokio::test]
async fn a_change_set_maps_history_forward_and_keeps_it_readable_as_it_was() {
    let app = TestApp::spawn().await;
    history(&app).await;
    let admin = app.login("admin").await;

    // The district ends with its communes; its duties go to the commune at its seat.
    let lineage = format!("{LINEAGE}551,Huyện Vân Canh,21994,Xã Vân Canh,\n");
    let (status, review) = propose(&admin, "01/07/2025", &lineage).await;
    assert_eq!(status, StatusCode::CREATED, "{review}");
    let preview = &review["preview"];
    assert_eq!(preview["retired"].as_array().unwrap().len(), 8);
    assert_eq!(preview["created"].as_array().unwrap().len(), 3);
    let reused: Vec<&str> = preview["codes_reused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(reused, ["21994", "21997", "22006"]);
    // The district form loses one of its eleven reporters.
    let district_form = preview["forms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BC-HUYEN-QUY")
        .unwrap_or_else(|| panic!("{preview}"));
    assert_eq!(
        (
            &district_form["reporting_before"],
            &district_form["ending"],
            &district_form["reporting_after"]
        ),
        (&json!(11), &json!(1), &json!(10))
    );
    let canh_lien = preview["retired"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"]["code"] == "21997")
        .unwrap();
    assert_eq!(canh_lien["successors"].as_array().unwrap().len(), 2);
    let id = review["change"]["id"].as_i64().unwrap();
    let version = review["change"]["version"].as_i64().unwrap();

    let (status, applied) = admin
        .post_json(
            &format!("/api/v1/reorganisations/{id}/apply"),
            &json!({"version": version}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["status"], "applied");

    // A reused code names the unit valid on the date asked about.
    let (_, old) = admin.get_json("/api/v1/units/22006?at=2025-03-01").await;
    let (_, new) = admin.get_json("/api/v1/units/22006?at=2026-01-01").await;
    assert_eq!(old["name"], "Xã Canh Hiển");
    assert_eq!(old["valid_to"], "2025-06-30");
    assert_eq!(old["successors"], json!(["22006"]));
    assert_eq!(new["name"], "Xã Canh Vinh");
    let mut before: Vec<&str> = new["predecessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    before.sort_unstable();
    assert_eq!(before, ["21997", "22000", "22003", "22006"]);
    assert_ne!(old["id"], new["id"]);

    // As it was: the district and its seven communes.
    let coordinator = app.login("coordinator").await;
    let (_, was) = coordinator
        .get_json(
            "/api/v1/indicators/R-SUM/values?unit=551&period=2025Q1&level=children&at=2025-03-31",
        )
        .await;
    assert_eq!(was["value"], 275.0, "{was}");
    assert_eq!(child(&was, "Xã Canh Liên")["value"], 100.0);
    assert_eq!(was["estimated"], false);
    // As it is now: the three new communes, the split ones by their weight, and so said.
    let (_, now) = coordinator
        .get_json(
            "/api/v1/indicators/R-SUM/values?unit=52&period=2025Q1&level=children&at=2026-01-01",
        )
        .await;
    assert_eq!(child(&now, "Xã Canh Liên")["value"], 50.0);
    assert_eq!(
        child(&now, "Xã Canh Vinh")["value"],
        120.0,
        "50 + 30 + 30 + 10"
    );
    assert_eq!(
        child(&now, "Xã Vân Canh")["value"],
        105.0,
        "50 + 30 + 20 + 5"
    );
    assert_eq!(child(&now, "Xã Vân Canh")["estimated"], true);
    assert!(
        now["children"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["unit"] != "Huyện Vân Canh"),
        "no district now"
    );
    // Ratios are recomputed from the shared numerators and denominators, never averaged.
    let (_, ratio) = coordinator
        .get_json(
            "/api/v1/indicators/R-RAT/values?unit=52&period=2025Q1&level=children&at=2026-01-01",
        )
        .await;
    let vinh = child(&ratio, "Xã Canh Vinh");
    assert_eq!(
        (vinh["numerator"].as_f64(), vinh["denominator"].as_f64()),
        (Some(25.0), Some(40.0))
    );
    assert_eq!(vinh["value"], 62.5);
    assert_eq!(child(&ratio, "Xã Canh Liên")["value"], 75.0);

    // Task lists: a retired district's code names it on a day it stood, or, with no day,
    // as the last unit that held the code; the commune at its seat lists the district's
    // work with its own, its open tasks carried to it.
    let (status, then) = coordinator
        .get_json("/api/v1/tasks?unit=551&at=2025-03-01&limit=200")
        .await;
    assert_eq!(status, StatusCode::OK, "{then}");
    let (status, last) = coordinator
        .get_json("/api/v1/tasks?unit=551&limit=200")
        .await;
    assert_eq!(status, StatusCode::OK, "{last}");
    assert_eq!(last["total"], then["total"]);
    let (status, _) = coordinator
        .get_json("/api/v1/tasks?unit=551&at=2026-01-01")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no unit 551 on that day");
    let (_, seat) = coordinator
        .get_json("/api/v1/tasks?unit=21994&limit=200")
        .await;
    assert!(seat["total"].as_i64().unwrap() > then["total"].as_i64().unwrap());
    assert!(
        seat["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["lead_unit_code"] == "21994" && t["status"] != "completed"),
        "open work carried to the seat"
    );
    // Work that stayed with the district (finished before the change) says who carries
    // the district on today; the seat's own work says nothing.
    let items = seat["items"].as_array().unwrap();
    let old_work: Vec<&Value> = items
        .iter()
        .filter(|t| t["lead_unit_code"] == "551")
        .collect();
    assert!(!old_work.is_empty(), "{seat}");
    for t in &old_work {
        assert_eq!(
            t["lead_unit_now"],
            json!([{"code": "21994", "name": "Xã Vân Canh"}]),
            "{t}"
        );
    }
    assert!(
        items
            .iter()
            .filter(|t| t["lead_unit_code"] == "21994")
            .all(|t| t.get("lead_unit_now").is_none())
    );
    let list_page = coordinator
        .get("/tasks?unit=21994&per_page=100")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list_page.contains("Huyện Vân Canh<br><span class=\"muted\">Nay là: Xã Vân Canh</span>"),
        "{list_page}"
    );
    let csv = coordinator
        .get("/api/v1/tasks.csv?unit=21994")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Nay là: Xã Vân Canh"), "{csv}");

    let page = coordinator.get("/tasks?unit=551&at=30/06/2025").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("value=\"30/06/2025\""));
    // The page of an ended unit's tasks says so and where the work went.
    let page = coordinator.get("/tasks?unit=551").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(
            "Huyện Vân Canh đã kết thúc hoạt động sau ngày 30/06/2025.\n\
             Công việc đang mở được tiếp tục tại Xã Vân Canh."
        ),
        "{page}"
    );
    // The unit is chosen by name, as today's structure names it.
    let by_name = coordinator
        .get("/tasks?unit=xa%20van%20canh&per_page=100")
        .await
        .text()
        .await
        .unwrap();
    assert!(by_name.contains(r#"value="Xã Vân Canh""#), "{by_name}");
    assert!(by_name.contains("Huyện Vân Canh<br>"), "its old work too");
    let unknown = coordinator.get("/tasks?unit=Xa%20Khong%20Co").await;
    assert_eq!(unknown.status(), StatusCode::OK);
    let unknown = unknown.text().await.unwrap();
    assert!(
        unknown.contains("Không tìm thấy đơn vị “Xa Khong Co”. Hãy chọn trong danh sách."),
        "{unknown}"
    );
    assert!(
        unknown.contains(r#"value="Xa Khong Co""#),
        "what was typed stays to be corrected"
    );
    assert!(
        !coordinator
            .get("/tasks?unit=21994")
            .await
            .text()
            .await
            .unwrap()
            .contains("đã kết thúc hoạt động"),
        "a standing unit's list has no such notice"
    );

    // A retired unit's page says what continues it; a new unit's, what it took over.
    let old_page = admin
        .get(&format!("/units/{}", old["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(old_page.contains("Đơn vị đã kết thúc hoạt động sau ngày 30/06/2025"));
    assert!(old_page.contains("được tiếp tục tại") && old_page.contains("Xã Canh Vinh"));
    // …and leads to how it did in its last whole year, in the units of that time: the
    // reused code names the old commune there.
    let link = "/dashboard?unit=22006&amp;year=2024&amp;structure=then";
    assert!(old_page.contains(link), "{old_page}");
    let dashboard = admin
        .get(&link.replace("&amp;", "&"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        dashboard.contains("Bảng điều hành — Xã Canh Hiển</h1>"),
        "{dashboard}"
    );
    let new_page = admin
        .get(&format!("/units/{}", new["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(new_page.contains("Tiếp nhận từ") && new_page.contains("Xã Canh Hiển"));
    // Its history link lists the tasks of every plan, and the filter says so.
    assert!(
        new_page.contains("/tasks?plan=&amp;unit=22006"),
        "{new_page}"
    );
    let history = admin
        .get("/tasks?plan=&unit=22006")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("<option value=\"\" selected>Tất cả các kế hoạch</option>"),
        "{history}"
    );

    // The district's head, carried to the commune at its seat, keeps the history of the
    // communes that commune continues, but not of those that went to another new commune:
    // the old Xã Canh Vinh is the new Xã Canh Vinh's history now.
    let district_head = app
        .login_with("truong-van-canh", "Mật khẩu Vân Canh 2026")
        .await;
    let late = |value: &str| json!([{"indicator": "R-SUM", "value": value}]);
    let (status, body) = save(&district_head, "22012", "2025Q2", late("6"), false).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "Xã Canh Hòa went to Xã Vân Canh: {body}"
    );
    let (status, body) = save(&district_head, "22003", "2025Q2", late("4"), false).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, figures) = coordinator
        .get_json("/api/v1/data-values?unit=22003&period=2025Q2")
        .await;
    assert_eq!(figures["items"], json!([]), "nothing saved: {figures}");
    // What the head may read follows the same rule: the 2025Q1 figures of the communes
    // Xã Vân Canh continues (Canh Hiệp in part), not of Canh Liên, Canh Vinh or Canh Hiển.
    let (status, export) = district_head
        .get_json("/api/v1/data-values/export?period=2025Q1&format=json")
        .await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let mut codes: Vec<&str> = export["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["indicator_code"] == "R-SUM")
        .map(|r| r["unit_code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["21994", "22000", "22009", "22012"], "{export}");

    // A reused code names, for a period before the change, the unit that held it then.
    let (status, body) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "truong-tinh", "display_name": "Lãnh đạo tỉnh",
                "unit_code": "52", "password": "Mật khẩu tỉnh 2026", "role": "unit_approver",
                "role_unit_code": "52"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let head = app.login_with("truong-tinh", "Mật khẩu tỉnh 2026").await;
    for (period, count) in [("2025Q2", "7"), ("2025Q3", "9")] {
        let (status, body) = save(
            &head,
            "22006",
            period,
            json!([{"indicator": "R-SUM", "value": count}]),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, q2) = head
        .get_json("/api/v1/data-values?unit=22006&period=2025Q2")
        .await;
    let (_, q3) = head
        .get_json("/api/v1/data-values?unit=22006&period=2025Q3")
        .await;
    assert_eq!(
        q2["items"][0]["unit_id"], old["id"],
        "Xã Canh Hiển's figure"
    );
    assert_eq!(
        q3["items"][0]["unit_id"], new["id"],
        "Xã Canh Vinh's figure"
    );
    // The exchange export reads a code the same way: 22006 in 2025Q1 is Xã Canh Hiển alone,
    // not today's Xã Canh Vinh with the four communes it continues.
    let (status, export) = head
        .get_json("/api/v1/data-values/export?unit=22006&period=2025Q1&format=json")
        .await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let rows = export["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{export}");
    assert_eq!(rows[0]["value"], 10.0);

    // The indicator page switches between the two structures and says what is estimated.
    let now_page = coordinator
        .get("/indicators/R-SUM?unit=52&period=2025Q1")
        .await
        .text()
        .await
        .unwrap();
    assert!(now_page.contains("Xã Canh Vinh") && !now_page.contains("Huyện Vân Canh"));
    assert!(
        now_page.contains("đơn vị đã chia tách"),
        "the estimate is said"
    );
    let then_page = coordinator
        .get("/indicators/R-SUM?unit=52&period=2025Q1&structure=then")
        .await
        .text()
        .await
        .unwrap();
    // (The unit field offers every unit of the period, Xã Canh Vinh among them.)
    let then_rows = then_page
        .split(r#"<datalist id="unit-options">"#)
        .next()
        .unwrap()
        .to_string()
        + then_page.split("</datalist>").nth(1).unwrap();
    assert!(then_rows.contains("Huyện Vân Canh") && !then_rows.contains("Xã Canh Vinh"));
    assert!(then_page.contains("value=\"then\" checked"));

    // The dashboard too: today's units, or those at the end of the year shown.
    let names = |d: &Value| -> Vec<String> {
        d["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["unit"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, now) = coordinator.get_json("/api/v1/dashboard?year=2025").await;
    assert_eq!(status, StatusCode::OK, "{now}");
    assert!(names(&now).contains(&"Xã Vân Canh".to_string()));
    assert!(!names(&now).contains(&"Huyện Vân Canh".to_string()));
    let (_, then) = coordinator
        .get_json("/api/v1/dashboard?year=2024&structure=then")
        .await;
    assert_eq!(then["as_it_was"], true);
    assert!(names(&then).contains(&"Huyện Vân Canh".to_string()));
    assert!(!names(&then).contains(&"Xã Vân Canh".to_string()));
    let (status, _) = coordinator
        .get_json("/api/v1/dashboard?structure=yesterday")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The change is audited; it cannot be undone once in effect.
    assert_eq!(app.audit_count("reorg.apply").await, 1);
    let (status, body) = admin
        .post_json(
            &format!("/api/v1/reorganisations/{id}/undo"),
            &json!({"version": applied["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "already_in_effect");
}

#[tokio::test]
async fn live_work_is_carried_or_closed_and_an_undo_before_the_date_puts_it_all_back() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let coordinator = app.login("coordinator").await;
    // Someone working in the district, and two tasks it leads.
    let (status, user) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "can-bo-van-canh", "display_name": "Cán bộ Vân Canh",
                "unit_code": "551", "password": "Mật khẩu Vân Canh 2026", "role": "unit_editor",
                "role_unit_code": "551"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let plan = plans["items"][0]["id"].as_i64().unwrap();
    let mut tasks = Vec::new();
    for code in ["99.1", "99.2"] {
        let (status, task) = coordinator
            .post_json(
                &format!("/api/v1/plans/{plan}/tasks"),
                &json!({"code": code, "title": format!("Số hoá hồ sơ {code}"), "lead_unit_code": "551",
                    "due_date": "2027-06-30", "budget_planned": "0"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{task}");
        tasks.push(task["id"].as_i64().unwrap());
    }
    // And one of a commune that the change splits in two.
    let (status, split_task) = coordinator
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &json!({"code": "99.3", "title": "Chuyển đổi số thôn Canh Liên", "lead_unit_code": "21997",
                "due_date": "2027-06-30", "budget_planned": "0"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{split_task}");
    let split_task = split_task["id"].as_i64().unwrap();
    // Both are assessed in an index round still open.
    let mut framework = crate::index::department_framework();
    framework["code"] = json!("DTI-DP-2026");
    framework["unit_kinds"] = json!(["district", "commune"]);
    let (status, framework) = coordinator
        .post_json("/api/v1/index-frameworks", &framework)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{framework}");
    let (status, round) = coordinator
        .post_json(
            "/api/v1/index-rounds",
            &json!({"framework_id": framework["framework"]["id"], "name": "Đánh giá địa phương 2026",
                "year": 2026, "deadline": "2026-12-31", "units": ["551", "21997"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let (_, round) = coordinator
        .get_json(&format!("/api/v1/index-rounds/{}", round["id"]))
        .await;
    let (district_assessment, commune_assessment) = (
        crate::assessment::assessment_id(&round, "551"),
        crate::assessment::assessment_id(&round, "21997"),
    );
    let unit_of = async |assessment: i64| {
        let (_, a) = coordinator
            .get_json(&format!("/api/v1/assessments/{assessment}"))
            .await;
        a["assessment"]["unit_id"].clone()
    };
    let (district_id, commune_id) = (
        unit_of(district_assessment).await,
        unit_of(commune_assessment).await,
    );

    // Without a successor the district's work would be stranded: refused.
    let (status, refused) = propose(
        &admin,
        "2027-01-01",
        &format!("{LINEAGE}551,Huyện Vân Canh,,,\n"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(error_code(&refused), "change_refused");
    let detail = refused["error"]["details"].to_string();
    assert!(detail.contains("551"), "{detail}");

    let (status, review) = propose(
        &admin,
        "2027-01-01",
        &format!("{LINEAGE}551,Huyện Vân Canh,21994,Xã Vân Canh,\n"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{review}");
    let district = review["preview"]["retired"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit"]["code"] == "551")
        .unwrap()
        .clone();
    assert!(
        district["work"]["open_tasks"].as_u64().unwrap() >= 2,
        "{district}"
    );
    assert!(district["work"]["grants"].as_u64().unwrap() >= 1);
    assert_eq!(district["work"]["open_assessments"], 1, "{district}");
    assert!(review["dispositions"].to_string().contains("Xã Vân Canh"));
    let id = review["change"]["id"].as_i64().unwrap();
    // A closing decision needs a note, and only names units the change retires.
    for decisions in [
        json!([{"unit": "551", "work": "close"}]),
        json!([{"unit": "540", "work": "carry"}]),
        json!([{"unit": "551", "work": "carry", "to": "22006"}]),
        json!([{"unit": "551", "work": "split"}]),
    ] {
        let (status, body) = admin
            .post_json(
                &format!("/api/v1/reorganisations/{id}/apply"),
                &json!({"version": 1, "decisions": decisions}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{decisions}: {body}");
    }
    let (_, still) = admin.get_json("/api/v1/units/551").await;
    assert_eq!(still["valid_to"], Value::Null, "nothing applied");
    // Neither a unit's staff nor a unit's head apply a reorganisation (the administrator
    // and the coordinator do).
    let staff = app
        .login_with("can-bo-van-canh", "Mật khẩu Vân Canh 2026")
        .await;
    let head = app.login("approver-540").await;
    for s in [&staff, &head] {
        let (status, _) = s
            .post_json(
                &format!("/api/v1/reorganisations/{id}/apply"),
                &json!({"version": 1}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    let (status, applied) = admin
        .post_json(
            &format!("/api/v1/reorganisations/{id}/apply"),
            &json!({"version": 1, "decisions": [{"unit": "551", "work": "close",
                "note": "Huyện không còn tổ chức từ 01/01/2027."},
                {"unit": "21997", "work": "split", "to": "22006"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    let (_, task) = coordinator
        .get_json(&format!("/api/v1/tasks/{}", tasks[0]))
        .await;
    assert_eq!(task["status"], "cancelled");
    let (_, events) = coordinator
        .get_json(&format!("/api/v1/tasks/{}/events", tasks[0]))
        .await;
    assert!(events.to_string().contains("Huyện không còn tổ chức"));
    let user_id = user["id"].as_i64().unwrap();
    let (_, moved) = admin.get_json(&format!("/api/v1/users/{user_id}")).await;
    let (_, new_seat) = admin.get_json("/api/v1/units/21994?at=2027-01-01").await;
    assert_eq!(
        moved["unit_id"], new_seat["id"],
        "the account moves to the successor"
    );
    assert_eq!(moved["grants"][0]["unit_id"], new_seat["id"]);
    // The split commune's task: led by the successor chosen, the other one coordinating.
    let (_, task) = coordinator
        .get_json(&format!("/api/v1/tasks/{split_task}"))
        .await;
    assert_eq!(task["lead_unit_code"], "22006");
    assert_eq!(task["coordinating_units"][0]["code"], "21997", "{task}");
    // The split commune's open assessment goes with its work; the district's, whose work
    // was closed, stays for the round's coordinator to settle.
    let (_, canh_vinh) = admin.get_json("/api/v1/units/22006?at=2027-01-01").await;
    assert_eq!(unit_of(commune_assessment).await, canh_vinh["id"]);
    assert_eq!(unit_of(district_assessment).await, district_id);
    let (_, record) = admin
        .get_json(&format!("/api/v1/reorganisations/{id}"))
        .await;
    assert_eq!(record["done"]["assessments_carried"], 1, "{record}");
    // Before the date, the old structure still stands.
    let (_, today) = admin.get_json("/api/v1/units/21994").await;
    assert_eq!(today["name"], "Thị trấn Vân Canh");

    // Undoing is refused to another district's coordinator and to the district's own
    // staff, and leaves the change applied.
    let quy_nhon = app.login("coordinator-540").await;
    for s in [&quy_nhon, &staff] {
        let (status, body) = s
            .post_json(
                &format!("/api/v1/reorganisations/{id}/undo"),
                &json!({"version": applied["version"]}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (_, still) = admin
        .get_json(&format!("/api/v1/reorganisations/{id}"))
        .await;
    assert_eq!(still["change"]["status"], "applied", "{still}");

    let (status, undone) = admin
        .post_json(
            &format!("/api/v1/reorganisations/{id}/undo"),
            &json!({"version": applied["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{undone}");
    assert_eq!(undone["status"], "undone");
    let (_, task) = coordinator
        .get_json(&format!("/api/v1/tasks/{}", tasks[0]))
        .await;
    assert_eq!(task["status"], "draft", "the task is as it was");
    let (_, task) = coordinator
        .get_json(&format!("/api/v1/tasks/{split_task}"))
        .await;
    assert_eq!(task["lead_unit_code"], "21997");
    assert_eq!(task["coordinating_units"], json!([]));
    assert_eq!(unit_of(commune_assessment).await, commune_id);
    let (_, back) = admin.get_json(&format!("/api/v1/users/{user_id}")).await;
    let (_, district_now) = admin.get_json("/api/v1/units/551").await;
    assert_eq!(back["unit_id"], district_now["id"]);
    assert_eq!(district_now["valid_to"], Value::Null);
    let (_, later) = admin.get_json("/api/v1/units/22006?at=2027-06-01").await;
    assert_eq!(
        later["name"], "Xã Canh Hiển",
        "the new units are gone: {later}"
    );
    assert_eq!(app.audit_count("reorg.undo").await, 1);
}

#[tokio::test]
async fn bad_change_sets_are_refused_precisely_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let cases = [
        (
            "code,name,level,parent_code\n21994,Xã Vân Canh,commune,52\n",
            "old_code,old_name,new_code,new_name,weight\n21997,Xã Canh Liên,21994,Xã Vân Canh,0.5\n21997,Xã Canh Liên,22003,Xã Canh Vinh,0.3\n21994,Thị trấn Vân Canh,21994,Xã Vân Canh,\n",
            "0,8",
        ),
        (
            "code,name,level,parent_code\n540,Phường mới,commune,52\n",
            "old_code,old_name,new_code,new_name\n21553,Phường Nhơn Phú,540,Phường mới\n",
            "540",
        ),
        (
            "code,name,level,parent_code\n",
            "old_code,old_name,new_code,new_name\n99999,Xã không có,21994,Thị trấn Vân Canh\n",
            "99999",
        ),
        (
            "code,name,level,parent_code\n",
            "old_code,old_name,new_code,new_name\n22003,Xã Canh Vinh,22006,Xã Canh Hiển\n22006,Xã Canh Hiển,22003,Xã Canh Vinh\n",
            "22003",
        ),
    ];
    for (units, lineage, named) in cases {
        let (status, body) = admin
            .post_json(
                "/api/v1/reorganisations",
                &json!({"name": "x", "effective_on": "2027-01-01", "new_units_csv": units, "lineage_csv": lineage}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{lineage}: {body}"
        );
        let details = body["error"]["details"].to_string();
        assert!(details.contains(named), "{named} in {details}");
    }
    let (status, body) = admin
        .post_json(
            "/api/v1/reorganisations",
            &json!({"name": "", "effective_on": "31/02/2027", "lineage_csv": LINEAGE}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Backdated over recorded figures: Vân Canh's communes reported 2025Q1 (to 31 March),
    // so a change dated 1 March 2025 would leave figures after their units ended.
    history(&app).await;
    let (status, body) = propose(&admin, "01/03/2025", LINEAGE).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let details = body["error"]["details"].to_string();
    assert!(
        details.contains("records_on_or_after_effective") && details.contains("21997"),
        "{details}"
    );
    let (_, list) = admin.get_json("/api/v1/reorganisations").await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing stored"
    );
    let viewer = app.login("viewer").await;
    let (status, _) = viewer.get_json("/api/v1/reorganisations").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A district's coordinator reorganises only its own district.
    let quy_nhon = app.login("coordinator-540").await;
    let (status, body) = quy_nhon
        .post_json(
            "/api/v1/reorganisations",
            &json!({"name": "Sắp xếp Vân Canh", "effective_on": "2027-01-01",
                "new_units_csv": NEW_UNITS, "lineage_csv": LINEAGE}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // The programme's coordinator prepares one too.
    let coordinator = app.login("coordinator").await;
    let (status, body) = coordinator
        .post_json(
            "/api/v1/reorganisations",
            &json!({"name": "Sắp xếp Vân Canh", "effective_on": "2027-01-01",
                "new_units_csv": NEW_UNITS, "lineage_csv": LINEAGE}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn upload_change(s: &Session, effective: &str, lineage: &str) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("name", "Sắp xếp ĐVHC cấp xã huyện Vân Canh")
        .text("effective_on", effective.to_string())
        .part(
            "new_units",
            reqwest::multipart::Part::bytes(NEW_UNITS.as_bytes().to_vec())
                .file_name("don-vi-moi.csv"),
        )
        .part(
            "lineage",
            reqwest::multipart::Part::bytes(lineage.as_bytes().to_vec()).file_name("ke-thua.csv"),
        );
    s.client
        .post(s.url(&format!("/admin/reorganisations?_csrf={}", s.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_administrator_reviews_and_applies_a_change_set_on_the_pages() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let home = admin.get("/admin/reorganisations").await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("Lập phương án mới"));

    // A refused upload lists every problem in plain words and keeps what was typed.
    let bad = upload_change(&admin, "01/01/2027", "old_code,old_name,new_code,new_name\n21997,Xã Canh Liên,21997,Xã Canh Liên\n21997,Xã Canh Liên,22006,Xã Canh Vinh\n").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let page = bad.text().await.unwrap();
    assert!(
        page.contains("21997") && page.contains("value=\"01/01/2027\""),
        "{page}"
    );

    let r = upload_change(
        &admin,
        "01/01/2027",
        &format!("{LINEAGE}551,Huyện Vân Canh,21994,Xã Vân Canh,\n"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let review = admin.get(&location).await.text().await.unwrap();
    for expected in [
        "Mã được dùng lại",
        "22006: Xã Canh Hiển → Xã Canh Vinh",
        "21997 Xã Canh Liên (50%)",
        "Chuyển sang 21994 Xã Vân Canh",
        "Biểu mẫu báo cáo bị ảnh hưởng",
        "Đơn vị báo cáo trước\">11</td><td data-label=\"Kết thúc\">1</td>",
        "Áp dụng phương án",
    ] {
        assert!(review.contains(expected), "{expected}");
    }
    let id = location.rsplit('/').next().unwrap();
    let r = admin
        .post_form(
            &format!("/admin/reorganisations/{id}/apply"),
            &[("version", "1"), ("work_551", "carry:21994")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = admin.get(&location).await.text().await.unwrap();
    assert!(after.contains("Đã áp dụng") && after.contains("Huỷ phương án"));
    assert!(after.contains("Đã thực hiện") && after.contains("Lập mới 3 đơn vị"));
    assert!(!after.contains("không còn áp dụng được"), "{after}");
    let (_, done) = admin
        .get_json(&format!("/api/v1/reorganisations/{id}"))
        .await;
    assert!(
        done["done"]["tasks_carried"].as_u64().unwrap() > 0,
        "{done}"
    );
    assert_eq!(done["done"]["retired"].as_array().unwrap().len(), 8);
    let (_, unit) = admin.get_json("/api/v1/units/551").await;
    assert_eq!(unit["valid_to"], "2026-12-31");

    let viewer = app.login("viewer").await;
    assert_eq!(
        viewer.get("/admin/reorganisations").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(viewer.get(&location).await.status(), StatusCode::FORBIDDEN);
}
