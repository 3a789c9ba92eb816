//! Scheduled briefings (issue #19, part 6): a plan's briefing e-mailed on a schedule to
//! accounts that may read its scope, checked again at each send, with a log of each
//! recipient's e-mail; the e-mail's link opens the document for them and nobody else.

use reqwest::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::support::{Session, TestApp, TestClock};
use crate::tasks::plan_of_year;

fn weekly(plan: i64, unit: &str) -> Value {
    json!({"plan_id": plan, "unit": unit, "title": "Tóm tắt tuần cho Ban Chỉ đạo",
        "document": "briefing", "cadence": "weekly", "weekday": 1})
}

/// Gives an account an e-mail address and returns its id.
async fn with_email(app: &TestApp, username: &str) -> i64 {
    let (_, me) = app.login(username).await.get_json("/api/v1/me").await;
    let id = me["id"].as_i64().unwrap();
    let admin = app.login("admin").await;
    let (status, user) = admin
        .patch_json(
            &format!("/api/v1/users/{id}"),
            &json!({"email": format!("{username}@gialai.gov.vn")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    id
}

fn field_messages(body: &Value) -> Vec<(String, String)> {
    body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_string(),
                        e["message"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn sends_of(s: &Session, id: i64) -> Value {
    let (status, view) = s
        .get_json(&format!("/api/v1/briefing-schedules/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["sends"].clone()
}

fn lines(send: &Value) -> Vec<(String, String)> {
    send["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["user_name"].as_str().unwrap().to_string(),
                d["skipped"]
                    .as_str()
                    .or(d["status"].as_str())
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_weekly_briefing_goes_out_on_its_day_to_those_who_may_read_it_and_only_they_open_it() {
    // Saturday 5 December 2026.
    let clock = TestClock::at(datetime!(2026-12-05 09:00 +7));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let viewer = with_email(&app, "viewer").await;
    let editor = with_email(&app, "editor-540").await;
    let stranger = with_email(&app, "editor-542").await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_year(&coordinator, 2026).await;
    let (status, schedule) = coordinator
        .post_json("/api/v1/briefing-schedules", &weekly(plan, "540"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{schedule}");
    let id = schedule["id"].as_i64().unwrap();
    let recipients = format!("/api/v1/briefing-schedules/{id}/recipients");
    for user in [viewer, editor] {
        let (status, added) = coordinator
            .post_json(&recipients, &json!({"user_id": user}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
    }
    // A unit outside the scope's lineage may not read it; an account without an e-mail
    // address cannot be reached: each refused in words, nothing added.
    let (_, me) = coordinator.get_json("/api/v1/me").await;
    for (user, message) in [
        (
            stranger,
            "Tài khoản này không có quyền xem số liệu của phạm vi được gửi.",
        ),
        (
            me["id"].as_i64().unwrap(),
            "Tài khoản này chưa có địa chỉ thư điện tử: bổ sung ở trang tài khoản trước.",
        ),
        (999_999, "Không có trong danh sách để chọn."),
    ] {
        let (status, refused) = coordinator
            .post_json(&recipients, &json!({"user_id": user}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(
            field_messages(&refused),
            [("user_id".to_string(), message.to_string())]
        );
    }
    let (_, view) = coordinator
        .get_json(&format!("/api/v1/briefing-schedules/{id}"))
        .await;
    assert_eq!(view["recipients"], 2, "{view}");
    assert_eq!(
        view["recipient_list"].as_array().unwrap().len(),
        2,
        "the count is the list's"
    );
    let (_, list) = coordinator.get_json("/api/v1/briefing-schedules").await;
    assert_eq!(
        list[0]["recipients"], 2,
        "and the list of schedules says the same"
    );
    assert_eq!(view["next_send"], "2026-12-07");
    assert_eq!(view["cadence_text"], "Thứ Hai hằng tuần");
    assert!(
        view["may_add"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["user_id"] != stranger && r["user_id"] != viewer),
        "offered only who may read it and is not listed yet: {view}"
    );

    let send_due = |at: OffsetDateTime| dxplan_app::briefings::send_due(&app.state, at);
    assert_eq!(send_due(datetime!(2026-12-05 10:00 +7)).await.unwrap(), 0);
    clock.advance(time::Duration::days(2));
    assert_eq!(
        send_due(datetime!(2026-12-07 06:30 +7)).await.unwrap(),
        0,
        "not before 7 a.m."
    );
    assert_eq!(send_due(datetime!(2026-12-07 08:00 +7)).await.unwrap(), 1);
    assert_eq!(
        send_due(datetime!(2026-12-07 15:00 +7)).await.unwrap(),
        0,
        "once a day"
    );

    let mail = dxplan_app::jobs::claim_mail(&app.state, datetime!(2026-12-07 10:00 +7))
        .await
        .unwrap();
    let mut to: Vec<&str> = mail.iter().map(|m| m.recipient.as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["editor-540@gialai.gov.vn", "viewer@gialai.gov.vn"]);
    let coordinator = app.login("coordinator").await;
    let sends = sends_of(&coordinator, id).await;
    let send = sends[0]["id"].as_i64().unwrap();
    assert!(
        mail[0]
            .subject
            .starts_with("[dxplan] Tóm tắt tuần cho Ban Chỉ đạo – 07/12/2026")
    );
    assert!(
        mail[0].body.contains(&format!("/briefing-sends/{send}")),
        "{}",
        mail[0].body
    );
    dxplan_app::jobs::mail_sent(&app.state, &mail[0], datetime!(2026-12-07 10:01 +7))
        .await
        .unwrap();
    let sends = sends_of(&coordinator, id).await;
    let mut statuses: Vec<String> = lines(&sends[0]).into_iter().map(|(_, s)| s).collect();
    statuses.sort();
    assert_eq!(statuses, ["sending", "sent"], "the outbox's word: {sends}");

    // The link opens the document for a recipient; anyone else is told it is not there.
    let viewer_session = app.login("viewer").await;
    let text = viewer_session
        .pdf_text(&format!("/briefing-sends/{send}"))
        .await;
    assert!(
        text.contains("THÀNH PHỐ QUY NHƠN") && text.contains("Số liệu đến ngày 07/12/2026"),
        "the scope's briefing as of the day it went: {text}"
    );
    let outsider = app.login("editor-542").await;
    for path in [
        format!("/briefing-sends/{send}"),
        format!("/api/v1/briefing-sends/{send}/file"),
    ] {
        assert_eq!(outsider.get(&path).await.status(), StatusCode::NOT_FOUND);
    }

    // The editor loses the right to read the unit: next Monday they are skipped, and
    // their old link no longer opens.
    let admin = app.login("admin").await;
    let (_, grants) = admin
        .get_json(&format!("/api/v1/users/{editor}/grants"))
        .await;
    for g in grants["items"].as_array().unwrap() {
        let r = admin
            .client
            .delete(admin.url(&format!("/api/v1/users/{editor}/grants/{}", g["id"])))
            .header("x-csrf-token", &admin.csrf)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    clock.advance(time::Duration::days(7));
    assert_eq!(send_due(datetime!(2026-12-14 07:05 +7)).await.unwrap(), 1);
    let coordinator = app.login("coordinator").await;
    let sends = sends_of(&coordinator, id).await;
    let mut now: Vec<(String, String)> = lines(&sends[0]);
    now.sort();
    assert_eq!(
        now.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(),
        ["no_rights", "pending"],
        "{sends}"
    );
    let editor_session = app.login("editor-540").await;
    assert_eq!(
        editor_session
            .get(&format!("/briefing-sends/{send}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // The log reads in words on the page.
    let page = coordinator
        .get(&format!("/briefings/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Không gửi: tài khoản không còn quyền xem phạm vi này"));
    assert!(page.contains("Đã gửi"));
}

#[tokio::test]
async fn only_the_programmes_coordinators_set_briefings_and_bad_input_changes_nothing() {
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-12-07 09:00 +7))).await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_year(&coordinator, 2026).await;
    let body = weekly(plan, "52");
    for who in ["viewer", "editor-540", "approver-540", "editor-stc2"] {
        let s = app.login(who).await;
        let (status, _) = s.post_json("/api/v1/briefing-schedules", &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(
            s.get("/api/v1/briefing-schedules").await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            s.get("/briefings").await.status(),
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    // The coordinator's read-only token changes nothing.
    let (_, token) = coordinator
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "Đọc", "expires_in_days": 30, "access": "read"}),
        )
        .await;
    let secret = token["secret"].as_str().unwrap();
    let r = app
        .client()
        .post(app.url("/api/v1/briefing-schedules"))
        .bearer_auth(secret)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let bad = |f: &dyn Fn(&mut Value)| {
        let mut b = body.clone();
        f(&mut b);
        b
    };
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            bad(&|b| {
                b["title"] = json!(" ");
                b["document"] = json!("xlsx");
                b["cadence"] = json!("daily");
            }),
            vec!["title", "document", "cadence"],
        ),
        (bad(&|b| b["weekday"] = json!(9)), vec!["weekday"]),
        (
            bad(&|b| {
                b["cadence"] = json!("before_session");
                b["days_before"] = json!(30);
            }),
            vec!["days_before"],
        ),
        (bad(&|b| b["unit"] = json!("Xã Không Có")), vec!["unit"]),
        (bad(&|b| b["plan_id"] = json!(999_999)), vec!["plan"]),
        (bad(&|b| b["title"] = json!("T".repeat(201))), vec!["title"]),
    ];
    for (b, fields) in cases {
        let (status, refused) = coordinator
            .post_json("/api/v1/briefing-schedules", &b)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{b} {refused}");
        let got: Vec<String> = field_messages(&refused)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(got, fields, "{refused}");
    }
    let (status, _) = coordinator
        .post_json(
            "/api/v1/briefing-schedules",
            &bad(&|b| b["every"] = json!("day")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    let (_, list) = coordinator.get_json("/api/v1/briefing-schedules").await;
    assert_eq!(list, json!([]), "nothing was made");
    let (status, _) = coordinator
        .patch_json("/api/v1/briefing-schedules/999999", &body)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        coordinator
            .get("/api/v1/briefing-sends/999999/file")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_briefing_before_each_session_is_set_on_the_page_and_sent_that_many_days_ahead() {
    let clock = TestClock::at(datetime!(2026-12-07 09:00 +7));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let viewer = with_email(&app, "viewer").await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_year(&coordinator, 2026).await;
    let plan_text = plan.to_string();
    let form = |cadence: &'static str, days: &'static str| {
        vec![
            ("title", "Tóm tắt trước phiên họp"),
            ("plan", plan_text.as_str()),
            ("unit", "Tỉnh Bình Định"),
            ("document", "report_pdf"),
            ("cadence", cadence),
            ("weekday", "1"),
            ("days_before", days),
        ]
    };
    // The form says what is wrong beside the field.
    let r = coordinator
        .post_form("/briefings", &form("before_session", "15"))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"days_before-error\""), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));

    let r = coordinator
        .post_form("/briefings", &form("before_session", "2"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.trim_start_matches("/briefings/").parse().unwrap();
    let page = coordinator.get(&location).await.text().await.unwrap();
    assert!(page.contains("2 ngày trước mỗi phiên họp Ban Chỉ đạo"));
    assert!(
        page.contains("Chưa có phiên họp nào được ghi ngày sắp tới"),
        "no session planned yet"
    );
    let r = coordinator
        .post_form(
            &format!("/briefings/{id}/recipients"),
            &[("user_id", &viewer.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The next session is planned for the 15th: the briefing goes on the 13th.
    let (status, session) = coordinator
        .post_json(
            &format!("/api/v1/plans/{plan}/steering-sessions"),
            &json!({"held_on": "2026-12-15", "title": "Phiên họp cuối năm",
                "chair": "đồng chí Chủ tịch UBND tỉnh", "attendees": "các thành viên",
                "conclusions": []}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let page = coordinator.get(&location).await.text().await.unwrap();
    assert!(page.contains("13/12/2026"), "the next send is shown");
    let send_due = |at: OffsetDateTime| dxplan_app::briefings::send_due(&app.state, at);
    assert_eq!(send_due(datetime!(2026-12-12 08:00 +7)).await.unwrap(), 0);
    assert_eq!(send_due(datetime!(2026-12-13 08:00 +7)).await.unwrap(), 1);

    // Sent by hand too, and paused: a paused schedule sends nothing on its day.
    let coordinator = app.login("coordinator").await;
    let r = coordinator
        .post_form(&format!("/briefings/{id}/send"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = coordinator
        .post_form(&format!("/briefings/{id}/active"), &[("active", "0")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sends = sends_of(&coordinator, id).await;
    assert_eq!(sends.as_array().unwrap().len(), 2);
    assert_eq!(sends[0]["manual"], true);
    assert_eq!(
        sends[0]["sent_by_name"],
        "Chuyên viên Sở Khoa học và Công nghệ"
    );
    assert!(sends[0]["filename"].as_str().unwrap().ends_with(".pdf"));
    let (_, view) = coordinator
        .get_json(&format!("/api/v1/briefing-schedules/{id}"))
        .await;
    assert_eq!(view["active"], false);
    assert_eq!(view["next_send"], Value::Null);
    assert_eq!(app.audit_count("briefing.send").await, 1);
    assert_eq!(app.audit_count("briefing.recipient.add").await, 1);
}
