//! The Decree 335/2025/NĐ-CP figures (issue #19): products due in a period, delivered on
//! time or late, refused on quality, delays exempted, per unit and per officer, through
//! the API, the page and the workbook read back.

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::{Session, TestApp, TestClock};
use crate::tasks::{group_id, task_body};

async fn act(s: &Session, task: i64, action: &str, comment: Option<&str>) -> Value {
    let (status, body) = s
        .post_json(
            &format!("/api/v1/tasks/{task}/transitions"),
            &json!({"action": action, "comment": comment}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{action}: {body}");
    body
}

async fn exempt(who: &Session, id: i64, reason: &str) -> (StatusCode, Value) {
    who.post_json(
        &format!("/api/v1/tasks/{id}/delay-exemption"),
        &json!({"reason": reason}),
    )
    .await
}

#[tokio::test]
async fn units_and_officers_are_scored_on_their_products_of_the_quarter() {
    let clock = TestClock::at(datetime!(2026-04-01 09:00 +7));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let login = async |name: &str| app.login(name).await;
    let coordinator = login("coordinator").await;
    let (_, plan) = coordinator
        .post_json(
            "/api/v1/plans",
            &json!({"year": 2026, "title": "Kế hoạch 2026"}),
        )
        .await;
    let plan = plan["id"].as_i64().unwrap();
    let group = group_id(&coordinator, plan, "9").await;
    let approver = login("approver-540").await;
    let editor = login("editor-540").await;
    let mut ids = Vec::new();
    for (code, due) in [
        ("9.1", "2026-05-15"),
        ("9.2", "2026-05-20"),
        ("9.3", "2026-06-10"),
        ("9.4", "2026-06-20"),
        ("9.5", "Thường xuyên"),
        ("9.6", "2026-06-25"),
    ] {
        let mut body = task_body(code, "540", group);
        body["start_date"] = json!("2026-04-01");
        body["due_date"] = json!(due);
        let (status, task) = coordinator
            .post_json(&format!("/api/v1/plans/{plan}/tasks"), &body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{task}");
        let id = task["id"].as_i64().unwrap();
        act(&approver, id, "submit", None).await;
        act(&coordinator, id, "approve", None).await;
        act(&editor, id, "start", None).await;
        ids.push(id);
    }
    let [on_time, late, overdue, refused, regular, cancelled] = ids[..] else {
        unreachable!()
    };
    act(&coordinator, cancelled, "cancel", Some("Không còn phù hợp")).await;
    act(&editor, regular, "complete", Some("Duy trì")).await;

    // The unit's head names the officer, as people write the name; the officer cannot, nor
    // a name not on the staff.
    let (_, me) = editor.get_json("/api/v1/me").await;
    let officer_name = me["display_name"].as_str().unwrap().to_string();
    let unit_name = officer_name.trim_start_matches("Cán bộ ").to_string();
    let (status, _) = editor
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/tasks/{on_time}/officer"),
            &json!({"officer": officer_name}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = approver
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/tasks/{on_time}/officer"),
            &json!({"officer": "Nguyễn Văn Không Có"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "officer");
    for id in [on_time, late] {
        let (status, task) = approver
            .send_json(
                reqwest::Method::PUT,
                &format!("/api/v1/tasks/{id}/officer"),
                &json!({"officer": dxplan_domain::text::fold(&officer_name)}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{task}");
        assert_eq!(task["officer_name"], officer_name.as_str());
    }

    // 10 May: the first delivered on time. 25 May: the second, late.
    clock.advance(time::Duration::days(39));
    let (coordinator, editor) = (login("coordinator").await, login("editor-540").await);
    act(&editor, on_time, "complete", Some("Xong")).await;
    act(&coordinator, on_time, "confirm_completion", None).await;
    clock.advance(time::Duration::days(15));
    let (coordinator, editor) = (login("coordinator").await, login("editor-540").await);
    act(&editor, late, "complete", Some("Xong")).await;
    act(&coordinator, late, "confirm_completion", None).await;
    // 9 June: the fourth reported, refused on quality, reported again and accepted.
    clock.advance(time::Duration::days(15));
    let (coordinator, editor) = (login("coordinator").await, login("editor-540").await);
    act(&editor, refused, "complete", Some("Bản đầu")).await;
    act(
        &coordinator,
        refused,
        "refuse_completion",
        Some("Thiếu biên bản"),
    )
    .await;
    act(&editor, refused, "complete", Some("Đủ biên bản")).await;
    act(&coordinator, refused, "confirm_completion", None).await;

    // 1 July: the third never came; the coordinator confirms an objective cause.
    clock.advance(time::Duration::days(22));
    let coordinator = login("coordinator").await;
    let approver = login("approver-540").await;
    let (status, _) = exempt(&approver, overdue, "Thiên tai").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the unit does not exempt itself"
    );
    let (status, body) = exempt(&coordinator, overdue, "  ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = exempt(&coordinator, on_time, "Thiên tai").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "nothing to exempt on time: {body}"
    );
    let (status, task) = exempt(&coordinator, overdue, "Bão số 3 làm gián đoạn thi công").await;
    assert_eq!(status, StatusCode::OK, "{task}");
    assert_eq!(
        task["delay_exempt_reason"],
        "Bão số 3 làm gián đoạn thi công"
    );

    let (status, e) = coordinator
        .get_json(&format!(
            "/api/v1/evaluation/figures?period=2026Q2&unit=540&plan={plan}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["as_of"], "2026-06-30");
    let unit = &e["units"][0];
    assert_eq!(unit["unit_code"], "540");
    let counts: Vec<u64> = [
        "assigned",
        "delivered_on_time",
        "delivered_late",
        "overdue",
        "refused_on_quality",
        "exempted",
    ]
    .iter()
    .map(|k| unit[*k].as_u64().unwrap())
    .collect();
    assert_eq!(counts, [4, 2, 1, 1, 1, 1], "{unit}");
    assert_eq!(unit["quantity"], 75.0);
    assert!((unit["quality"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9);
    // 100 (on time) + 75 (late) + 100 (overdue, exempted) + 100 (refused, then on time).
    assert_eq!(unit["progress"], 93.75);
    let officer = &e["officers"][0];
    assert_eq!(officer["officer_name"], officer_name.as_str());
    assert_eq!(
        (officer["assigned"].as_u64(), officer["progress"].as_f64()),
        (Some(2), Some(87.5))
    );

    // Another unit's officer sees none of it; bad periods are refused in words.
    let other = login("editor-542").await;
    let (_, theirs) = other
        .get_json(&format!(
            "/api/v1/evaluation/figures?period=2026Q2&plan={plan}"
        ))
        .await;
    assert_eq!(theirs["units"], json!([]), "{theirs}");
    for bad in ["2026", "2026Q5", "quý", "2026-13"] {
        let (status, body) = coordinator
            .get_json(&format!("/api/v1/evaluation/figures?period={bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], "period");
    }

    // The page and the workbook say the same.
    let html = coordinator
        .get(&format!("/evaluation?period=2026Q2&unit=540&plan={plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&unit_name) && html.contains("93,8 %"),
        "{html}"
    );
    let bytes = coordinator
        .get(&format!(
            "/evaluation.xlsx?period=2026Q2&unit=540&plan={plan}"
        ))
        .await
        .bytes()
        .await
        .unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let units = book.worksheet_range("Đơn vị").unwrap();
    assert_eq!(
        units.get_value((3, 0)),
        Some(&Data::String(unit_name.clone()))
    );
    assert_eq!(units.get_value((3, 1)), Some(&Data::Float(4.0)));
    assert_eq!(units.get_value((3, 9)), Some(&Data::Float(93.75)));
    let officers = book.worksheet_range("Cán bộ").unwrap();
    assert_eq!(
        officers.get_value((3, 0)),
        Some(&Data::String(officer_name.clone()))
    );
}
