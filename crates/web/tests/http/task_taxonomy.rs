//! The national task taxonomy (issue #19): regular tasks without a deadline, key tasks
//! flagged by the coordinator, the source document, deadlines coloured as they near, and
//! the assigner's decisions (completion confirmed or refused, a task handed back).
//! Every count is checked against the list behind it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::{Session, TestApp, TestClock};
use crate::tasks::{group_id, task_body};

/// A plan of 2026, today being 1 June 2026.
async fn plan_of_2026(coordinator: &Session) -> i64 {
    let (status, plan) = coordinator
        .post_json(
            "/api/v1/plans",
            &json!({"year": 2026, "title": "Kế hoạch chuyển đổi số năm 2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    plan["id"].as_i64().unwrap()
}

async fn create(s: &Session, plan: i64, body: &Value) -> Value {
    let (status, task) = s
        .post_json(&format!("/api/v1/plans/{plan}/tasks"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    task
}

async fn total(s: &Session, query: &str) -> u64 {
    let (status, page) = s.get_json(&format!("/api/v1/tasks?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {page}");
    page["total"].as_u64().unwrap()
}

#[tokio::test]
async fn regular_and_key_tasks_are_counted_as_the_national_reports_count_them() {
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-06-01 09:00 +7))).await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_2026(&coordinator).await;
    let group = group_id(&coordinator, plan, "9").await;
    let body = |code: &str, due: &str| {
        let mut b = task_body(code, "540", group);
        b["start_date"] = json!("2026-01-15");
        b["due_date"] = json!(due);
        b
    };

    // A regular key task from a conclusion notice: no deadline.
    let mut regular = body("9.1", "");
    regular["regular"] = json!(true);
    regular["key_task"] = json!(true);
    regular["assigned_doc_type"] = json!("Thông báo kết luận");
    regular["assigned_doc_number"] = json!("12/TB-UBND");
    regular["assigned_doc_date"] = json!("10/01/2026");
    regular["assigned_doc_item"] = json!("Mục 3");
    let task = create(&coordinator, plan, &regular).await;
    assert_eq!(task["regular"], true);
    assert_eq!(task["due_date"], Value::Null, "no deadline: {task}");
    assert_eq!(task["key_task"], true);
    assert_eq!(task["assigned_doc_type"], "conclusion_notice");
    assert_eq!(task["assigned_doc_item"], "Mục 3");
    assert_eq!(task["deadline_state"], "regular");
    assert_eq!(task["national_bucket"], "regular");
    // Written as plans write it, the deadline column makes a regular task too.
    let written = create(&coordinator, plan, &body("9.2", "Thường xuyên")).await;
    assert_eq!(written["regular"], true);

    // Overdue, due in two days (orange), due later, and a key task overdue.
    let overdue = create(&coordinator, plan, &body("9.3", "2026-05-20")).await;
    assert_eq!(overdue["deadline_state"], "overdue");
    assert_eq!(overdue["national_bucket"], "overdue");
    let soon = create(&coordinator, plan, &body("9.4", "03/06/2026")).await;
    assert_eq!(soon["deadline_state"], "due_soon");
    assert_eq!(soon["national_bucket"], "within_deadline");
    let later = create(&coordinator, plan, &body("9.5", "30/09/2026")).await;
    assert_eq!(later["deadline_state"], "on_track");
    let mut key_late = body("9.6", "2026-04-30");
    key_late["key_task"] = json!(true);
    create(&coordinator, plan, &key_late).await;

    // The lists behind each count.
    let p = format!("plan={plan}");
    assert_eq!(total(&coordinator, &format!("{p}&regular=1")).await, 2);
    assert_eq!(total(&coordinator, &format!("{p}&regular=0")).await, 4);
    assert_eq!(total(&coordinator, &format!("{p}&key=1")).await, 2);
    assert_eq!(
        total(&coordinator, &format!("{p}&overdue=1")).await,
        2,
        "a regular task is never overdue"
    );
    assert_eq!(total(&coordinator, &format!("{p}&within=1")).await, 2);
    assert_eq!(total(&coordinator, &format!("{p}&due_within=3")).await, 1);
    assert_eq!(
        total(&coordinator, &format!("{p}&doc=12%2FTB-UBND")).await,
        1
    );
    // The plan's source documents, each with its tasks counted as the list shows them.
    let (status, docs) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/source-documents"))
        .await;
    assert_eq!(status, StatusCode::OK, "{docs}");
    let doc = &docs["items"][0];
    assert_eq!(doc["number"], "12/TB-UBND");
    assert_eq!(doc["doc_type"], "conclusion_notice");
    assert_eq!(
        (doc["tasks"].as_u64(), doc["regular"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        docs["items"].as_array().unwrap().len(),
        1,
        "tasks without a number are in none"
    );
    let (status, _) = coordinator
        .get_json("/api/v1/plans/999999/source-documents")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let other = app.login("editor-542").await;
    let (_, theirs) = other
        .get_json(&format!("/api/v1/plans/{plan}/source-documents"))
        .await;
    assert_eq!(
        theirs["items"],
        json!([]),
        "another unit counts none of Quy Nhơn's tasks"
    );
    let plan_page = coordinator
        .get(&format!("/plans/{plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(plan_page.contains("Thông báo kết luận số"));
    assert!(plan_page.contains("doc=12%2FTB-UBND"));
    assert_eq!(
        total(&coordinator, &format!("{p}&due_after=2026-01-01")).await,
        4,
        "a task without a deadline falls after no day"
    );
    // Regular tasks sort after every deadline.
    let (_, by_due) = coordinator
        .get_json(&format!("/api/v1/tasks?{p}&sort=due"))
        .await;
    let codes: Vec<&str> = by_due["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["9.6", "9.3", "9.4", "9.5", "9.1", "9.2"]);

    // The dashboard counts the same, bucket by bucket.
    let (status, d) = coordinator
        .get_json(&format!("/api/v1/dashboard?plan={plan}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let national = &d["overall"]["national"];
    assert_eq!(national["completed"], 0);
    assert_eq!(national["within_deadline"], 2);
    assert_eq!(national["overdue"], 2);
    assert_eq!(national["regular"], 2);
    assert_eq!(
        d["overall"]["within_deadline"], 4,
        "Decision 42 counts regular tasks within the deadline"
    );
    assert_eq!(d["overall"]["key_tasks"], 2);
    assert_eq!(d["overall"]["key_overdue"], 1);
    assert_eq!(d["due_soon_total"], 1);
    assert_eq!(d["due_soon"][0]["code"], "9.4");
    assert_eq!(d["due_soon"][0]["days_left"], 2);

    // A regular task has no deadline to extend, even asked through the API.
    let (status, body) = coordinator
        .post_json(
            &format!("/api/v1/tasks/{}/extensions", task["id"]),
            &json!({"new_due_date": "31/12/2026", "reason": "Cần thêm thời gian"}),
        )
        .await;
    assert!(
        matches!(status, StatusCode::CONFLICT | StatusCode::FORBIDDEN),
        "{status}: {body}"
    );
    let editor = app.login("editor-540").await;
    let (status, body) = editor
        .post_json(
            &format!("/api/v1/tasks/{}/extensions", task["id"]),
            &json!({"new_due_date": "31/12/2026", "reason": "Cần thêm thời gian"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_deadline");

    // A task read from the API goes back as it came: its null deadline included.
    let id = task["id"].as_i64().unwrap();
    let mut back = task.clone();
    back["title"] = json!("Duy trì họp giao ban chuyển đổi số hằng tháng");
    for derived in [
        "id",
        "plan_id",
        "group_code",
        "group_name",
        "pillar_code",
        "lead_unit_id",
        "lead_unit_name",
        "original_due_date",
        "budget_disbursed",
        "progress",
        "status",
        "completed_on",
        "version",
        "updated_at",
        "outcome",
        "overdue",
        "deadline_state",
        "national_bucket",
        "completion_reported_on",
        "decline_requested_on",
        "officer_id",
        "officer_name",
        "delay_exempt_reason",
        "delay_exempted_by",
    ] {
        back.as_object_mut().unwrap().remove(derived);
    }
    let (status, saved) = coordinator
        .patch_json(&format!("/api/v1/tasks/{id}"), &back)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["regular"], true);
    assert_eq!(saved["key_task"], true);

    // Exports write a regular task's deadline as plans do, which the importer reads back.
    let csv = coordinator
        .get(&format!("/tasks.csv?plan={plan}&regular=1"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.matches("Thường xuyên").count(), 2, "{csv}");
    assert!(!csv.contains("9999"), "{csv}");
    assert!(
        csv.contains(",x,\"Thông báo kết luận số 12/TB-UBND, 10/01/2026 — Mục 3\""),
        "the key flag and the source document are exported too: {csv}"
    );

    // The pages say it in words: the deadline column, the key tag, the orange tag.
    let html = coordinator
        .get(&format!("/tasks?plan={plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Thường xuyên"), "regular tasks say so");
    assert!(html.contains("tag-key"), "key tasks are tagged");
    assert!(
        html.contains("tag tag-due_soon\">Sắp đến hạn"),
        "due soon in orange, in words"
    );
    assert!(html.contains("tag tag-overdue\">Quá hạn"));
    // A dashboard tile's list says what it holds, and keeps it through the filter form.
    let within = coordinator
        .get(&format!("/tasks?plan={plan}&within=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(within.contains("còn trong hạn (không tính nhiệm vụ thường xuyên)"));
    assert!(within.contains("<input type=\"hidden\" name=\"within\" value=\"1\">"));
    assert!(
        within.contains(&format!("href=\"/tasks?plan={plan}\"")),
        "a way back"
    );
    let dashboard = coordinator
        .get(&format!("/dashboard?plan={plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(dashboard.contains("Theo cách đếm của báo cáo quốc gia"));
    // The progress report leaders sign counts the same way.
    let word = crate::support::docx_text(
        &coordinator
            .get(&format!("/dashboard.docx?plan={plan}"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert!(
        word.contains(
            "hệ thống theo dõi nhiệm vụ quốc gia: 0 nhiệm vụ đã hoàn thành, 2 nhiệm vụ đang thực hiện trong hạn, 2 nhiệm vụ quá hạn, 2 nhiệm vụ thường xuyên. Trong 2 nhiệm vụ trọng tâm, đã hoàn thành 0, quá hạn 1. Có 1 nhiệm vụ sắp đến hạn"
        ),
        "{word}"
    );
    assert!(dashboard.contains("id=\"due-soon\""));
}

#[tokio::test]
async fn only_the_coordinator_marks_key_tasks_and_bad_choices_are_refused() {
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-06-01 09:00 +7))).await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_2026(&coordinator).await;
    let group = group_id(&coordinator, plan, "9").await;
    let editor = app.login("editor-540").await;

    // The unit registers its own work, but not as a key task.
    let mut body = task_body("9.1", "540", group);
    body["due_date"] = json!("2026-09-30");
    body["key_task"] = json!(true);
    let (status, refused) = editor
        .post_json(&format!("/api/v1/plans/{plan}/tasks"), &body)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["details"][0]["field"], "key_task");
    assert!(
        refused["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("đơn vị điều phối")
    );
    assert_eq!(
        total(&coordinator, &format!("plan={plan}")).await,
        0,
        "nothing made"
    );

    // The coordinator flags it; the unit edits its draft and keeps the flag, but cannot
    // take it off.
    let task = create(&coordinator, plan, &body).await;
    let id = task["id"].as_i64().unwrap();
    let mut edit = body.clone();
    edit["title"] = json!("Triển khai chữ ký số cho toàn bộ cán bộ");
    let (status, saved) = editor
        .patch_json(&format!("/api/v1/tasks/{id}"), &edit)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    edit["key_task"] = json!(false);
    let (status, refused) = editor
        .patch_json(&format!("/api/v1/tasks/{id}"), &edit)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["details"][0]["field"], "key_task");
    let (_, now) = coordinator.get_json(&format!("/api/v1/tasks/{id}")).await;
    assert_eq!(now["key_task"], true, "the flag stays");
    assert_eq!(now["title"], saved["title"], "nothing else changed");

    // A read-only viewer changes nothing at all.
    let viewer = app.login("viewer").await;
    let (status, _) = viewer
        .patch_json(&format!("/api/v1/tasks/{id}"), &edit)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Bad choices, each in the user's language, and nothing is made.
    for (field, value) in [
        ("assigned_doc_type", json!("sắc lệnh")),
        ("due_date", json!("9999-12-31")),
        ("assigned_doc_item", json!("x".repeat(51))),
    ] {
        let mut bad = task_body("9.9", "540", group);
        bad[field] = value;
        let (status, body) = coordinator
            .post_json(&format!("/api/v1/plans/{plan}/tasks"), &bad)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field);
    }
    for query in [
        "key=maybe",
        "regular=2",
        "due_within=400",
        "due_within=-1",
        "within=x",
    ] {
        let (status, body) = coordinator
            .get_json(&format!("/api/v1/tasks?plan={plan}&{query}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
    }
    let long_doc = "9".repeat(101);
    let (status, _) = coordinator
        .get_json(&format!("/api/v1/tasks?doc={long_doc}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(total(&coordinator, &format!("plan={plan}")).await, 1);
}

#[tokio::test]
async fn the_form_registers_a_regular_task_and_a_unit_sees_the_key_flag_it_cannot_change() {
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-06-01 09:00 +7))).await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_2026(&coordinator).await;
    let editor = app.login("editor-540").await;

    let form = editor.get(&format!("/tasks/new?plan={plan}")).await;
    let html = form.text().await.unwrap();
    assert!(
        html.contains("name=\"regular\""),
        "the regular box is offered"
    );
    assert!(
        !html.contains("name=\"key_task\""),
        "a unit does not mark key tasks"
    );
    assert!(
        html.contains("Thông báo kết luận"),
        "document kinds are a choice"
    );
    let response = editor
        .post_form(
            &format!("/plans/{plan}/tasks"),
            &[
                ("code", "9.1"),
                ("title", "Duy trì vận hành trang thông tin điện tử phường"),
                ("lead_unit_code", "Phường Quy Nhơn"),
                ("regular", "on"),
                ("due_date", ""),
                ("assigned_doc_type", "plan"),
                ("assigned_doc_number", "25/KH-UBND"),
            ],
        )
        .await;
    assert!(response.status().is_redirection() || response.status().is_success());
    let (_, page) = editor
        .get_json(&format!("/api/v1/tasks?plan={plan}&regular=1"))
        .await;
    assert_eq!(page["total"], 1, "{page}");
    let task = &page["items"][0];
    assert_eq!(task["assigned_doc_type"], "plan");
    let id = task["id"].as_i64().unwrap();

    // Flagged by the coordinator, the unit's edit form shows the flag as words and
    // carries it through.
    let (status, body) = coordinator
        .patch_json(
            &format!("/api/v1/tasks/{id}"),
            &json!({"code": "9.1", "title": task["title"], "lead_unit_code": "540",
                "regular": true, "key_task": true, "assigned_doc_type": "plan",
                "assigned_doc_number": "25/KH-UBND"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let edit = editor
        .get(&format!("/tasks/{id}/edit"))
        .await
        .text()
        .await
        .unwrap();
    assert!(edit.contains("<input type=\"hidden\" name=\"key_task\" value=\"on\">"));
    assert!(edit.contains("do đơn vị giao nhiệm vụ xác định"));
    let show = editor
        .get(&format!("/tasks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        show.contains("Kế hoạch số"),
        "the kind of document in words"
    );
    assert!(
        show.contains("doc=25%2FKH-UBND"),
        "a link to the document's tasks"
    );
}

async fn act(s: &Session, task: i64, body: Value) -> (StatusCode, Value) {
    s.post_json(&format!("/api/v1/tasks/{task}/transitions"), &body)
        .await
}

/// A task of Quy Nhơn agreed and at work, due on 30 June 2026.
async fn at_work(app: &TestApp, coordinator: &Session, plan: i64, code: &str) -> i64 {
    let group = group_id(coordinator, plan, "9").await;
    let mut body = task_body(code, "540", group);
    body["start_date"] = json!("2026-01-15");
    body["due_date"] = json!("2026-06-30");
    let id = create(coordinator, plan, &body).await["id"]
        .as_i64()
        .unwrap();
    let approver = app.login("approver-540").await;
    let editor = app.login("editor-540").await;
    for (who, action) in [
        (&approver, "submit"),
        (coordinator, "approve"),
        (&editor, "start"),
    ] {
        let (status, body) = act(who, id, json!({"action": action})).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    id
}

#[tokio::test]
async fn a_completion_counts_on_the_day_the_unit_reported_it_once_the_assigner_confirms() {
    let clock = TestClock::at(datetime!(2026-06-29 09:00 +7));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_2026(&coordinator).await;
    let id = at_work(&app, &coordinator, plan, "9.1").await;
    let editor = app.login("editor-540").await;
    let (status, task) = act(
        &editor,
        id,
        json!({"action": "complete", "comment": "Đã cấp 1.200 chứng thư số"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{task}");
    assert_eq!(task["completion_reported_on"], "2026-06-29");
    // The coordinator sees it waiting on them, in words.
    let (_, work) = coordinator
        .get_json(&format!("/api/v1/me/work?plan={plan}"))
        .await;
    let waiting: Vec<i64> = work["to_review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(waiting, [id], "{work}");
    let page = coordinator
        .get(&format!("/tasks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("chờ đơn vị giao nhiệm vụ xác nhận"));
    assert!(
        page.contains("Sản phẩm:</strong> Đã cấp 1.200 chứng thư số"),
        "the product reported, where the decision is made"
    );
    assert!(page.contains("value=\"confirm_completion\""));
    let list = coordinator
        .get(&format!("/tasks?plan={plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("Chờ xác nhận hoàn thành"));
    let (_, notices) = coordinator.get_json("/api/v1/notifications").await;
    assert!(
        notices["items"][0]["title_vi"]
            .as_str()
            .unwrap()
            .contains("chờ xác nhận"),
        "{notices}"
    );

    // Read after the deadline, the product still came on time.
    clock.advance(time::Duration::days(3));
    let coordinator = app.login("coordinator").await;
    let (status, task) = act(&coordinator, id, json!({"action": "confirm_completion"})).await;
    assert_eq!(status, StatusCode::OK, "{task}");
    assert_eq!(task["status"], "completed");
    assert_eq!(task["completed_on"], "2026-06-29");
    assert_eq!(task["outcome"], "completed_on_time");
    assert_eq!(task["completion_reported_on"], Value::Null);
}

#[tokio::test]
async fn a_unit_hands_a_task_back_and_the_assigner_rejects_or_gives_it_to_another_unit() {
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-06-01 09:00 +7))).await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_2026(&coordinator).await;
    let id = at_work(&app, &coordinator, plan, "9.1").await;
    let editor = app.login("editor-540").await;
    let approver = app.login("approver-540").await;
    let other = app.login("approver-542").await;
    let reason =
        json!({"action": "decline", "comment": "Nhiệm vụ thuộc thẩm quyền của Sở Tài chính"});

    // Only the unit's head hands its work back, and only with a reason.
    let (status, _) = act(&editor, id, reason.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an officer cannot");
    let (status, _) = act(&other, id, reason.clone()).await;
    assert!(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "another unit's head cannot: {status}"
    );
    let (status, body) = act(&approver, id, json!({"action": "decline"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "comment");
    let (status, task) = act(&approver, id, reason.clone()).await;
    assert_eq!(status, StatusCode::OK, "{task}");
    assert_eq!(task["status"], "in_progress", "the task stays as it was");
    assert_eq!(task["decline_requested_on"], "2026-06-01");
    // Meanwhile the unit makes no other move.
    let (status, body) = act(&editor, id, json!({"action": "complete", "comment": "x"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // The assigner says no, with a word, and the unit carries on.
    let (status, _) = act(&coordinator, id, json!({"action": "reject_decline"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, task) = act(
        &coordinator,
        id,
        json!({"action": "reject_decline", "comment": "Sở KH&CN đã thống nhất giao đơn vị"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{task}");
    assert_eq!(task["decline_requested_on"], Value::Null);
    let (_, notices) = approver.get_json("/api/v1/notifications").await;
    assert!(
        notices["items"][0]["title_vi"]
            .as_str()
            .unwrap()
            .contains("Không đồng ý trả lại")
    );

    // Asked again, the assigner gives it to another unit: named, standing, not the same.
    act(&approver, id, reason).await;
    for (lead, field_problem) in [
        (json!(null), "new_lead"),
        (json!("540"), "new_lead"),
        (json!("Phường Không Có"), "new_lead"),
        (json!("Phường ".repeat(5_000)), "new_lead"),
    ] {
        let (status, body) = act(
            &coordinator,
            id,
            json!({"action": "accept_decline", "new_lead": lead}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{lead}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field_problem);
    }
    let (status, body) = act(
        &approver,
        id,
        json!({"action": "accept_decline", "new_lead": "542"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the unit does not choose: {body}"
    );
    let (status, task) = act(
        &coordinator,
        id,
        json!({"action": "accept_decline", "new_lead": "542", "comment": "Phù hợp chức năng"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{task}");
    assert_eq!(task["lead_unit_code"], "542");
    assert_eq!(task["decline_requested_on"], Value::Null);
    let (_, notices) = other.get_json("/api/v1/notifications").await;
    assert!(
        notices["items"][0]["title_vi"]
            .as_str()
            .unwrap()
            .contains("Nhiệm vụ mới được giao"),
        "the unit that takes it over is told: {notices}"
    );
    let (_, events) = coordinator
        .get_json(&format!("/api/v1/tasks/{id}/events"))
        .await;
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "accept_decline");
    assert!(
        last["comment"].as_str().unwrap().contains("Giao cho"),
        "{last}"
    );
    // The unit that handed it back no longer leads it.
    let (status, _) = editor
        .post_json(
            &format!("/api/v1/tasks/{id}/reports"),
            &json!({"period": "2026-06", "progress": 50}),
        )
        .await;
    assert!(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{status}"
    );
}
