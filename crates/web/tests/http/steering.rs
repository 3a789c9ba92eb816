//! Steering committee sessions (issue #19): a session's conclusions become tasks or are
//! closed, the notice gives its number to their tasks, and what is still open is carried
//! into the next session's briefing.

use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::{Session, TestApp, TestClock, docx_text};
use crate::tasks::plan_of_year;

fn session_body(held_on: &str, title: &str, conclusions: &[&str]) -> Value {
    json!({
        "held_on": held_on,
        "title": title,
        "chair": "đồng chí Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo",
        "attendees": "các thành viên Ban Chỉ đạo chuyển đổi số tỉnh",
        "conclusions": conclusions,
    })
}

async fn record(s: &Session, plan: i64, body: &Value) -> Value {
    let (status, view) = s
        .post_json(&format!("/api/v1/plans/{plan}/steering-sessions"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    view
}

fn statuses(list: &Value) -> Vec<(i64, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["number"].as_i64().unwrap(),
                k["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn assign(s: &Session, k: i64, lead: &str, due: &str) -> (StatusCode, Value) {
    let body = json!({"lead_unit_code": lead, "due_date": due, "key_task": true});
    s.post_json(&format!("/api/v1/steering-conclusions/{k}/tasks"), &body)
        .await
}

/// Where a form sent the browser after it was done, as the browser then sees it.
async fn follow(s: &Session, r: reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    s.get(&to).await.text().await.unwrap()
}

fn field_of(body: &Value) -> Value {
    body["error"]["details"][0]["field"].clone()
}

#[tokio::test]
async fn conclusions_become_tasks_and_what_stays_open_is_carried_to_the_next_session() {
    let clock = TestClock::at(datetime!(2026-03-16 09:00 +7));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    // The demo's own sessions, if its year has any, are not this test's.
    let sessions_before = app.audit_count("steering.session.create").await;
    let assigned_before = app.audit_count("steering.conclusion.assign").await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_year(&coordinator, 2026).await;
    let first = record(
        &coordinator,
        plan,
        &session_body(
            "15/03/2026",
            "Phiên họp thứ nhất năm 2026 của Ban Chỉ đạo",
            &[
                "Giao Sở Khoa học và Công nghệ triển khai nền tảng số dùng chung",
                "Các xã rà soát thủ tục hành chính trực tuyến",
                "Giao Sở Tài chính bố trí kinh phí",
            ],
        ),
    )
    .await;
    let session1 = first["session"]["id"].as_i64().unwrap();
    // Recorded under the person's name, as the page shows it, not their login.
    let (_, me) = coordinator.get_json("/api/v1/me").await;
    assert_eq!(first["session"]["created_by_name"], me["display_name"]);
    assert_ne!(first["session"]["created_by_name"], "coordinator");
    assert_eq!(first["session"]["number"], 1);
    let conclusions = first["conclusions"].as_array().unwrap();
    assert_eq!(
        statuses(&first["conclusions"]),
        [
            (1, "unassigned".into()),
            (2, "unassigned".into()),
            (3, "unassigned".into())
        ]
    );
    let k1 = conclusions[0]["id"].as_i64().unwrap();
    let k2 = conclusions[1]["id"].as_i64().unwrap();

    // Conclusion 1 becomes two tasks: the code and title follow it when left blank.
    let (status, task) = assign(&coordinator, k1, "540", "30/04/2026").await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    assert_eq!(task["code"], "KL1.1");
    assert_eq!(
        task["title"],
        "Giao Sở Khoa học và Công nghệ triển khai nền tảng số dùng chung"
    );
    assert_eq!(task["assigned_doc_type"], "conclusion_notice");
    assert_eq!(task["assigned_doc_item"], "1");
    assert_eq!(task["key_task"], true);
    let first_task = task["id"].as_i64().unwrap();
    let lead = task["lead_unit_name"].as_str().unwrap().to_string();
    let (status, task) = assign(&coordinator, k1, "542", "31/12/2026").await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    assert_eq!(task["code"], "KL1.1.2");
    // A unit that does not exist is refused in words, and nothing is assigned.
    let (status, body) = assign(&coordinator, k1, "Xã không có", "31/12/2026").await;
    assert_eq!(
        (status, field_of(&body)),
        (StatusCode::BAD_REQUEST, json!("lead_unit_code")),
        "{body}"
    );

    // Conclusion 2 needs no task: closed with a reason, once; a closed one takes no task.
    let close = format!("/api/v1/steering-conclusions/{k2}/close");
    let (status, body) = coordinator.post_json(&close, &json!({"note": "  "})).await;
    assert_eq!(
        (status, field_of(&body)),
        (StatusCode::BAD_REQUEST, json!("note"))
    );
    let note = "Đã có trong Kế hoạch số 12/KH-UBND";
    let (status, body) = coordinator.post_json(&close, &json!({"note": note})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["closed_note"], note);
    let (status, _) = coordinator.post_json(&close, &json!({"note": note})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = assign(&coordinator, k2, "540", "31/12/2026").await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The notice is numbered once, not before the meeting; its tasks take the number.
    let notice = format!("/api/v1/steering-sessions/{session1}/notice");
    let (status, body) = coordinator
        .post_json(
            &notice,
            &json!({"number": "45/TB-UBND", "issued_on": "14/03/2026"}),
        )
        .await;
    assert_eq!(
        (status, field_of(&body)),
        (StatusCode::BAD_REQUEST, json!("issued_on"))
    );
    let (status, body) = coordinator
        .post_json(
            &notice,
            &json!({"number": "45/TB-UBND", "issued_on": "18/03/2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = coordinator
        .post_json(&notice, &json!({"number": "46/TB-UBND"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, task) = coordinator
        .get_json(&format!("/api/v1/tasks/{first_task}"))
        .await;
    let task = if task["task"].is_object() {
        &task["task"]
    } else {
        &task
    };
    assert_eq!(task["assigned_doc_number"], "45/TB-UBND");
    assert_eq!(task["assigned_doc_date"], "2026-03-18");

    // The session's record is corrected, its number and conclusions kept; once the notice
    // is issued, the meeting cannot move after it.
    let edit = format!("/api/v1/steering-sessions/{session1}");
    let (_, before) = coordinator.get_json(&edit).await;
    let mut corrected = json!({"held_on": "2026-03-20", "title": "Phiên họp thứ nhất năm 2026",
        "chair": before["session"]["chair"], "attendees": "Thành viên Ban Chỉ đạo; Chủ tịch UBND các xã"});
    let (status, body) = coordinator.patch_json(&edit, &corrected).await;
    assert_eq!(
        (status, field_of(&body)),
        (StatusCode::BAD_REQUEST, json!("held_on")),
        "{body}"
    );
    assert_eq!(
        body["error"]["details"][0]["message"],
        "Không được sau ngày ban hành thông báo kết luận."
    );
    corrected["held_on"] = json!("15/03/2026");
    let (status, body) = coordinator.patch_json(&edit, &corrected).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["title"], "Phiên họp thứ nhất năm 2026");
    assert_eq!(body["number"], before["session"]["number"]);
    let (_, after) = coordinator.get_json(&edit).await;
    assert_eq!(
        after["conclusions"], before["conclusions"],
        "conclusions stay"
    );
    assert_eq!(app.audit_count("steering.session.edit").await, 1);

    // The notice in Word: the session, its numbered conclusions, who leads each task.
    let r = coordinator
        .get(&format!("/api/v1/steering-sessions/{session1}/notice.docx"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let word = docx_text(&r.bytes().await.unwrap());
    for words in [
        "THÔNG BÁO",
        "45/TB-UBND",
        "Kết luận của đồng chí Chủ tịch UBND tỉnh",
        "Ngày 15/03/2026",
        "2. Các xã rà soát thủ tục hành chính trực tuyến",
        lead.as_str(),
        "thông báo để các cơ quan, đơn vị biết, thực hiện",
    ] {
        assert!(word.contains(words), "{words} in {word}");
    }

    // May: the first task is late. The second session is briefed on the first's.
    clock.advance(time::Duration::days(60));
    let coordinator = app.login("coordinator").await;
    let second = record(
        &coordinator,
        plan,
        &session_body(
            "2026-05-15",
            "Phiên họp thứ hai năm 2026 của Ban Chỉ đạo",
            &["Đôn đốc các đơn vị chậm tiến độ"],
        ),
    )
    .await;
    assert_eq!(second["session"]["number"], 2);
    assert_eq!(second["briefing"]["previous"]["id"], session1);
    assert_eq!(
        statuses(&second["briefing"]["previous_conclusions"]),
        [
            (1, "overdue".into()),
            (2, "closed".into()),
            (3, "unassigned".into())
        ]
    );
    assert_eq!(second["briefing"]["earlier_open"], json!([]));
    let (_, task) = assign(
        &coordinator,
        second["conclusions"][0]["id"].as_i64().unwrap(),
        "540",
        "30/06/2026",
    )
    .await;
    assert_eq!(task["code"], "KL2.1", "{task}");
    // No notice number yet: the task waits for it.
    assert_eq!(task["assigned_doc_number"], Value::Null);

    // The third session: the second's conclusion is previous, the first's open ones
    // are carried forward; the closed one is not.
    let third = record(
        &coordinator,
        plan,
        &session_body("2026-06-15", "Phiên họp thứ ba", &[]),
    )
    .await;
    assert_eq!(
        statuses(&third["briefing"]["previous_conclusions"]),
        [(1, "in_progress".into())]
    );
    assert_eq!(
        statuses(&third["briefing"]["earlier_open"]),
        [(1, "overdue".into()), (3, "unassigned".into())]
    );

    // The plan's list counts what the sessions' pages show.
    let (status, list) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/steering-sessions"))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let counts: Vec<(i64, i64, i64)> = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["conclusions"].as_i64().unwrap(),
                s["open"].as_i64().unwrap(),
                s["overdue"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [(3, 2, 1), (1, 1, 0), (0, 0, 0)]);
    assert_eq!(list["briefing"]["previous"]["number"], 3);

    // The briefing for the next session, in Word.
    let r = coordinator
        .get(&format!("/api/v1/plans/{plan}/steering-briefing.docx"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let word = docx_text(&r.bytes().await.unwrap());
    for words in [
        "BÁO CÁO",
        "Tình hình thực hiện các kết luận của Ban Chỉ đạo",
        "Còn 3 kết luận của các phiên họp trước chưa hoàn thành",
        "Có nhiệm vụ quá hạn",
        "KL1.1",
        "thực hiện 3 kết luận còn mở",
    ] {
        assert!(word.contains(words), "{words} in {word}");
    }
    assert_eq!(
        app.audit_count("steering.session.create").await - sessions_before,
        3
    );
    assert_eq!(
        app.audit_count("steering.conclusion.assign").await - assigned_before,
        3
    );
}

#[tokio::test]
async fn only_the_coordinator_records_and_bad_sessions_change_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_year(&coordinator, 2026).await;
    let list = format!("/api/v1/plans/{plan}/steering-sessions");
    let good = session_body("2026-03-15", "Phiên họp thứ nhất", &["Giao Sở KH&CN"]);
    let view = record(&coordinator, plan, &good).await;
    let session = view["session"]["id"].as_i64().unwrap();
    let conclusion = view["conclusions"][0]["id"].as_i64().unwrap();

    // The province's viewer reads; units and the viewer write nothing.
    let viewer = app.login("viewer").await;
    assert_eq!(viewer.get_json(&list).await.0, StatusCode::OK);
    for who in ["viewer", "approver-540", "editor-542"] {
        let s = app.login(who).await;
        assert_eq!(
            s.post_json(&list, &good).await.0,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        let (status, _) = s
            .post_json(
                &format!("/api/v1/steering-conclusions/{conclusion}/tasks"),
                &json!({"lead_unit_code": "540", "due_date": "2026-12-31"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        let (status, _) = s
            .post_json(
                &format!("/api/v1/steering-conclusions/{conclusion}/close"),
                &json!({"note": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        let (status, _) = s
            .patch_json(&format!("/api/v1/steering-sessions/{session}"), &good)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    for who in ["approver-540", "editor-542"] {
        let s = app.login(who).await;
        assert_eq!(s.get_json(&list).await.0, StatusCode::FORBIDDEN, "{who}");
        let r = s
            .get(&format!("/api/v1/steering-sessions/{session}/notice.docx"))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
    }

    // Bad sessions are refused field by field, in Vietnamese, and record nothing.
    let too_many: Vec<String> = (0..61).map(|i| format!("Kết luận {i}")).collect();
    for (body, field) in [
        (session_body("31/02/2026", "Phiên", &["x"]), "held_on"),
        (session_body("2026-03-15", " ", &["x"]), "title"),
        (
            json!({"held_on": "2026-03-15", "title": "P", "chair": "C", "attendees": "A", "conclusions": too_many}),
            "conclusions",
        ),
        (
            session_body("2026-03-15", "Phiên", &["x".repeat(2001).as_str()]),
            "conclusions",
        ),
    ] {
        let (status, answer) = coordinator.post_json(&list, &body).await;
        assert_eq!(
            (status, field_of(&answer)),
            (StatusCode::BAD_REQUEST, json!(field)),
            "{answer}"
        );
        let message = answer["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or("");
        assert!(
            !message.is_empty() && !message.is_ascii(),
            "in Vietnamese: {answer}"
        );
    }
    let (status, _) = coordinator
        .post_json(&list, &json!({"held_on": "2026-03-15", "agenda": "?"}))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an unknown field is refused"
    );
    let (status, _) = coordinator
        .post_json(
            &format!("/api/v1/steering-sessions/{session}/conclusions"),
            &json!({"text": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, after) = coordinator.get_json(&list).await;
    assert_eq!(after["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(after["sessions"][0]["conclusions"], 1);
    assert_eq!(
        coordinator
            .get_json("/api/v1/steering-sessions/999999")
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // A conclusion's text is corrected in place; an empty one is refused.
    let edit = format!("/api/v1/steering-conclusions/{conclusion}");
    let (status, body) = coordinator.patch_json(&edit, &json!({"text": " "})).await;
    assert_eq!(
        (status, field_of(&body)),
        (StatusCode::BAD_REQUEST, json!("text"))
    );
    let (status, body) = coordinator
        .patch_json(&edit, &json!({"text": "Giao Sở Khoa học và Công nghệ"}))
        .await;
    assert_eq!(
        (status, body["number"].clone()),
        (StatusCode::OK, json!(1)),
        "{body}"
    );
    assert_eq!(body["text"], "Giao Sở Khoa học và Công nghệ");
    let viewer = app.login("viewer").await;
    let (status, _) = viewer.patch_json(&edit, &json!({"text": "x"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A conclusion added later is numbered after the last.
    let (status, added) = coordinator
        .post_json(
            &format!("/api/v1/steering-sessions/{session}/conclusions"),
            &json!({"text": "Giao các xã hoàn thành trước 30/6"}),
        )
        .await;
    assert_eq!(
        (status, added["number"].clone()),
        (StatusCode::CREATED, json!(2))
    );
}

#[tokio::test]
async fn the_coordinator_records_a_session_and_assigns_from_it_on_the_pages() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_year(&coordinator, 2026).await;
    let html = coordinator
        .get(&format!("/plans/{plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("/plans/{plan}/steering")),
        "linked from the plan"
    );

    // A bad day keeps what was typed and says what is wrong.
    let typed = "1. Giao Sở Khoa học triển khai nền tảng\n\n2) Các xã số hóa hồ sơ\n";
    let fields = |held_on: &'static str| {
        vec![
            ("held_on", held_on),
            ("title", "Phiên họp thứ nhất năm 2026"),
            ("chair", "đồng chí Chủ tịch UBND tỉnh"),
            ("attendees", "các thành viên Ban Chỉ đạo"),
            ("conclusions", typed),
        ]
    };
    let r = coordinator
        .post_form(&format!("/plans/{plan}/steering"), &fields("32/01/2026"))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("Có lỗi cần sửa") && html.contains("Ngày không hợp lệ"));
    assert!(html.contains("Các xã số hóa hồ sơ"), "what was typed stays");

    let r = coordinator
        .post_form(&format!("/plans/{plan}/steering"), &fields("15/01/2026"))
        .await;
    let html = follow(&coordinator, r).await;
    assert!(
        html.contains("Đã ghi nhận phiên họp với 2 kết luận"),
        "{html}"
    );
    assert!(html.contains("Kết luận 1.1") && html.contains("Kết luận 1.2"));
    // The session's details are corrected on its page; a bad day is said next to the field.
    let (_, sessions) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/steering-sessions"))
        .await;
    let id = sessions["sessions"][0]["id"].as_i64().unwrap();
    let mut edit = fields("31/02/2026");
    edit.pop();
    let r = coordinator
        .post_form(&format!("/steering/{id}/edit"), &edit)
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("aria-invalid=\"true\""));
    edit[0] = ("held_on", "16/01/2026");
    let r = coordinator
        .post_form(&format!("/steering/{id}/edit"), &edit)
        .await;
    let page = follow(&coordinator, r).await;
    assert!(page.contains("Đã sửa thông tin phiên họp.") && page.contains("16/01/2026"));
    assert!(
        html.contains("<p class=\"prewrap\">Giao Sở Khoa học triển khai nền tảng</p>"),
        "the typed number is dropped"
    );
    assert!(html.contains("Chưa giao nhiệm vụ"));
    let (_, list) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/steering-sessions"))
        .await;
    let session = list["sessions"][0]["id"].as_i64().unwrap();
    let (_, view) = coordinator
        .get_json(&format!("/api/v1/steering-sessions/{session}"))
        .await;
    let k1 = view["conclusions"][0]["id"].as_i64().unwrap();
    let k2 = view["conclusions"][1]["id"].as_i64().unwrap();

    // The assignment form starts from the conclusion; a unit nobody knows is refused.
    let html = coordinator
        .get(&format!("/steering-conclusions/{k1}/assign"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("KL1.1") && html.contains("<datalist id=\"lead-units\">"));
    let r = coordinator
        .post_form(
            &format!("/steering-conclusions/{k1}/tasks"),
            &[
                ("title", "Triển khai nền tảng số dùng chung"),
                ("lead_unit_code", "Sở không có"),
                ("due_date", "30/06/2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Triển khai nền tảng số dùng chung")
    );
    let r = coordinator
        .post_form(
            &format!("/steering-conclusions/{k1}/tasks"),
            &[
                ("title", "Triển khai nền tảng số dùng chung"),
                ("lead_unit_code", "540"),
                ("due_date", "30/06/2026"),
                ("key_task", "on"),
            ],
        )
        .await;
    let html = follow(&coordinator, r).await;
    assert!(html.contains("Đã giao nhiệm vụ KL1.1"), "{html}");

    // Closing needs a reason; with one, the conclusion reads closed.
    let r = coordinator
        .post_form(
            &format!("/steering-conclusions/{k2}/close"),
            &[("note", ""), ("session", &session.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = coordinator
        .post_form(
            &format!("/steering-conclusions/{k2}/close"),
            &[
                ("note", "Đã giao trong kế hoạch khác"),
                ("session", &session.to_string()),
            ],
        )
        .await;
    let html = follow(&coordinator, r).await;
    assert!(html.contains("Đã đóng") && html.contains("Đã giao trong kế hoạch khác"));
    assert!(html.contains("KL1.1 Triển khai nền tảng số dùng chung"));

    // A typo in a conclusion is corrected where it stands.
    let r = coordinator
        .post_form(
            &format!("/steering-conclusions/{k1}/text"),
            &[
                (
                    "text",
                    "Giao Sở Khoa học và Công nghệ triển khai nền tảng số",
                ),
                ("session", &session.to_string()),
            ],
        )
        .await;
    let html = follow(&coordinator, r).await;
    assert!(html.contains("Đã sửa nội dung kết luận"));
    assert!(html.contains("Giao Sở Khoa học và Công nghệ triển khai nền tảng số"));

    // The viewer reads the page but is offered no form; a unit is refused it.
    let viewer = app.login("viewer").await;
    let html = viewer
        .get(&format!("/steering/{session}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Kết luận 1.1") && !html.contains("Giao thêm nhiệm vụ"));
    assert!(!html.contains("/close\""));
    let editor = app.login("editor-542").await;
    assert_eq!(
        editor.get(&format!("/steering/{session}")).await.status(),
        StatusCode::FORBIDDEN
    );
}
