//! Plans and tasks through the API: registration, review, work, extensions, reports.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Session, TestApp, error_code};

pub(crate) async fn new_plan(coordinator: &Session) -> i64 {
    let (status, plan) = coordinator
        .post_json("/api/v1/plans", &json!({"year": 2025, "title": "Kế hoạch chuyển đổi số năm 2025",
            "legal_basis": "Nghị quyết số 05-NQ/TU", "decision_number": "123/QĐ-UBND", "decision_date": "15/01/2025"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    plan["id"].as_i64().unwrap()
}

/// A plan for a year with nothing but its title, as a coordinator makes it.
pub(crate) async fn plan_of_year(coordinator: &Session, year: i32) -> i64 {
    let (status, plan) = coordinator
        .post_json(
            "/api/v1/plans",
            &json!({"year": year, "title": format!("Kế hoạch chuyển đổi số năm {year}")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    plan["id"].as_i64().unwrap()
}

pub(crate) async fn group_id(s: &Session, plan: i64, code: &str) -> i64 {
    let (_, groups) = s.get_json(&format!("/api/v1/plans/{plan}/groups")).await;
    groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

pub(crate) fn task_body(code: &str, lead: &str, group: i64) -> Value {
    json!({
        "code": code, "title": "Triển khai chữ ký số cho cán bộ, công chức", "group_id": group,
        "lead_unit_code": lead, "coordinating_unit_codes": ["52-STC2"], "partners": ["VNPT Bình Định"],
        "start_date": "2025-02-01", "due_date": "2025-09-30", "budget_planned": "1.250.000.000",
        "funding_source": "Ngân sách tỉnh", "acquisition_mode": "rent", "deliverable": "Chứng thư số được cấp"
    })
}

async fn act(s: &Session, task: i64, action: &str, comment: Option<&str>) -> (StatusCode, Value) {
    s.post_json(
        &format!("/api/v1/tasks/{task}/transitions"),
        &json!({"action": action, "comment": comment}),
    )
    .await
}

#[tokio::test]
async fn a_task_is_registered_reviewed_worked_on_and_completed() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let (_, groups) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/groups"))
        .await;
    assert_eq!(
        groups["items"].as_array().unwrap().len(),
        12,
        "the twelve default groups"
    );
    assert_eq!(groups["items"][8]["name"], "Chính quyền số");
    assert_eq!(groups["items"][8]["pillar_code"], "digital_government");
    let group = group_id(&coordinator, plan, "9").await;

    // The unit's officer registers a draft; the head submits it.
    let editor = app.login("editor-540").await;
    let (status, task) = editor
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("9.1", "540", group),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    assert_eq!(task["status"], "draft");
    assert_eq!(task["budget_planned"], 1_250_000_000i64);
    assert_eq!(task["partners"], json!(["VNPT Bình Định"]));
    let id = task["id"].as_i64().unwrap();
    let (status, body) = act(&editor, id, "submit", None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the head submits: {body}"
    );
    let approver = app.login("approver-540").await;
    let (status, task) = act(&approver, id, "submit", None).await;
    assert_eq!(
        (status, task["status"].as_str()),
        (StatusCode::OK, Some("submitted"))
    );

    // The coordinator returns it with a required comment, the unit resubmits, it is agreed.
    let (status, body) = act(&coordinator, id, "request_changes", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["field"], "comment");
    let (status, _) = act(
        &coordinator,
        id,
        "request_changes",
        Some("Bổ sung chỉ tiêu cụ thể"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = act(&coordinator, id, "approve", None).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "approving a returned task is illegal"
    );
    assert_eq!(error_code(&body), "illegal_transition");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Yêu cầu chỉnh sửa")
    );
    let mut edited = task_body("9.1", "540", group);
    edited["title"] = json!("Triển khai chữ ký số cho 100% cán bộ, công chức");
    let (status, _) = editor
        .patch_json(&format!("/api/v1/tasks/{id}"), &edited)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a returned task is editable by the unit"
    );
    act(&approver, id, "submit", None).await;
    let (status, task) = act(&coordinator, id, "approve", Some("Thống nhất")).await;
    assert_eq!(
        (status, task["status"].as_str()),
        (StatusCode::OK, Some("approved"))
    );

    // Agreed: the unit can no longer edit it, and the deadline is locked.
    let (status, body) = editor
        .patch_json(&format!("/api/v1/tasks/{id}"), &edited)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let mut moved = edited.clone();
    moved["due_date"] = json!("2025-12-31");
    let (status, body) = coordinator
        .patch_json(&format!("/api/v1/tasks/{id}"), &moved)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["code"], "deadline_locked");

    // Work starts; progress is reported; a report before work started was refused.
    let (status, body) = editor
        .post_json(
            &format!("/api/v1/tasks/{id}/reports"),
            &json!({"period": "2025Q1", "progress": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = act(&editor, id, "start", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, report) = editor
        .post_json(&format!("/api/v1/tasks/{id}/reports"), &json!({"period": "2025Q2", "progress": "40%",
            "done": "Cấp 500 chứng thư số", "obstacles": "Thiếu thiết bị đọc thẻ", "proposals": "Bổ sung kinh phí",
            "disbursed": "300.000.000"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let (_, task) = editor.get_json(&format!("/api/v1/tasks/{id}")).await;
    assert_eq!(
        (task["progress"].as_i64(), task["budget_disbursed"].as_i64()),
        (Some(40), Some(300_000_000))
    );
    let (status, _) = editor
        .post_json(
            &format!("/api/v1/tasks/{id}/reports"),
            &json!({"period": "2025Q2", "progress": 55}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the same period again replaces the report"
    );
    let (_, reports) = editor
        .get_json(&format!("/api/v1/tasks/{id}/reports"))
        .await;
    assert_eq!(reports["items"].as_array().unwrap().len(), 1);
    assert_eq!(reports["items"][0]["progress"], 55);

    // Completion needs a word on the deliverable, and the assigner's confirmation: a
    // refused product is redone and reported again.
    let (status, _) = act(&editor, id, "complete", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, task) = act(&editor, id, "complete", Some("Đã cấp 900 chứng thư số")).await;
    assert_eq!(
        (status, task["status"].as_str()),
        (StatusCode::OK, Some("in_progress")),
        "not completed until the assigner confirms: {task}"
    );
    assert!(task["completion_reported_on"].is_string());
    let (status, body) = act(&editor, id, "confirm_completion", None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a unit confirms nothing: {body}"
    );
    let (status, body) = act(&editor, id, "complete", Some("again")).await;
    assert_eq!(status, StatusCode::CONFLICT, "reported once: {body}");
    let (status, body) = act(&coordinator, id, "refuse_completion", None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a refusal says why: {body}"
    );
    let (status, task) = act(
        &coordinator,
        id,
        "refuse_completion",
        Some("Chưa đủ 1.200 chứng thư theo kế hoạch"),
    )
    .await;
    assert_eq!(
        (status, task["status"].as_str()),
        (StatusCode::OK, Some("in_progress"))
    );
    assert_eq!(task["completion_reported_on"], Value::Null);
    let (status, _) = act(&editor, id, "complete", Some("Đã cấp 1.200 chứng thư số")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, task) = act(&coordinator, id, "confirm_completion", None).await;
    assert_eq!(
        (status, task["status"].as_str()),
        (StatusCode::OK, Some("completed"))
    );
    assert_eq!(task["progress"], 100);
    // The day in Vietnam (a run at 17:00 UTC is already tomorrow there).
    let updated = time::OffsetDateTime::parse(
        task["updated_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .to_offset(time::macros::offset!(+7))
    .date();
    assert_eq!(
        task["completed_on"],
        updated.to_string(),
        "delivered the day the unit reported it"
    );

    // The timeline holds every step, with actor and comment.
    let (_, events) = editor.get_json(&format!("/api/v1/tasks/{id}/events")).await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "submit",
            "request_changes",
            "edit",
            "submit",
            "approve",
            "start",
            "report",
            "report",
            "complete",
            "refuse_completion",
            "complete",
            "confirm_completion"
        ]
    );
    assert_eq!(events["items"][2]["comment"], "Bổ sung chỉ tiêu cụ thể");
    assert_eq!(events["items"][2]["actor_name"], "coordinator");
    assert_eq!(app.audit_count("task.approve").await, 1);
}

#[tokio::test]
async fn deadlines_move_only_through_approved_extensions() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "2").await;
    let approver = app.login("approver-542").await;
    let (_, task) = approver
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("2.1", "542", group),
        )
        .await;
    let id = task["id"].as_i64().unwrap();
    let (status, body) = approver
        .post_json(
            &format!("/api/v1/tasks/{id}/extensions"),
            &json!({"new_due_date": "2025-12-31", "reason": "Chậm"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a draft's deadline is simply edited: {body}"
    );
    act(&approver, id, "submit", None).await;
    act(&coordinator, id, "approve", None).await;

    let (status, body) = approver
        .post_json(
            &format!("/api/v1/tasks/{id}/extensions"),
            &json!({"new_due_date": "2025-06-30", "reason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["code"], "not_after_due");
    let (status, ext) = approver
        .post_json(
            &format!("/api/v1/tasks/{id}/extensions"),
            &json!({"new_due_date": "31/12/2025", "reason": "Nhà mạng chậm lắp đặt trạm BTS"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ext}");
    let (status, _) = approver
        .post_json(
            &format!("/api/v1/tasks/{id}/extensions"),
            &json!({"new_due_date": "2026-01-31", "reason": "Lần hai"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "one pending request at a time"
    );
    let ext_id = ext["id"].as_i64().unwrap();
    let (status, _) = approver
        .post_json(
            &format!("/api/v1/extensions/{ext_id}/decision"),
            &json!({"approve": true}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "units do not approve their own extensions"
    );
    let (status, decided) = coordinator
        .post_json(
            &format!("/api/v1/extensions/{ext_id}/decision"),
            &json!({"approve": true, "comment": "Đồng ý"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    let (_, task) = approver.get_json(&format!("/api/v1/tasks/{id}")).await;
    assert_eq!(task["due_date"], "2025-12-31");
    assert_eq!(
        task["original_due_date"], "2025-09-30",
        "the original deadline is kept"
    );
    let (status, _) = coordinator
        .post_json(
            &format!("/api/v1/extensions/{ext_id}/decision"),
            &json!({"approve": false, "comment": "Đổi ý"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once");
    let (_, exts) = approver
        .get_json(&format!("/api/v1/tasks/{id}/extensions"))
        .await;
    assert_eq!(exts["items"][0]["status"], "approved");
}

#[tokio::test]
async fn units_work_only_on_their_own_subtree_and_see_what_they_coordinate() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "1").await;
    let sibling = app.login("editor-542").await;
    let (status, _) = sibling
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("1.1", "540", group),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a district cannot register another district's task"
    );
    let viewer = app.login("viewer").await;
    let (status, _) = viewer
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("1.1", "540", group),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The coordinator assigns a task to Quy Nhơn, with An Lão coordinating, on a commune's behalf.
    let mut body = task_body("1.1", "21550", group);
    body["coordinating_unit_codes"] = json!(["542"]);
    let (status, task) = coordinator
        .post_json(&format!("/api/v1/plans/{plan}/tasks"), &body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    let id = task["id"].as_i64().unwrap();
    let own = app.login("editor-540").await;
    assert_eq!(
        own.get(&format!("/api/v1/tasks/{id}")).await.status(),
        StatusCode::OK,
        "a commune below the district"
    );
    assert_eq!(
        sibling.get(&format!("/api/v1/tasks/{id}")).await.status(),
        StatusCode::OK,
        "a coordinating unit reads it"
    );
    let (status, _) = act(&sibling, id, "start", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "but does not act on it");
    let other = app.login("editor-549").await;
    assert_eq!(
        other.get(&format!("/api/v1/tasks/{id}")).await.status(),
        StatusCode::FORBIDDEN
    );
    let (_, list) = other.get_json(&format!("/api/v1/plans/{plan}/tasks")).await;
    assert_eq!(list["total"], 0, "lists show only what the reader may see");
    let (_, list) = viewer
        .get_json(&format!("/api/v1/plans/{plan}/tasks"))
        .await;
    assert_eq!(list["total"], 1);
    // Coordinators cancel, with a reason.
    let (status, _) = act(&own, id, "cancel", Some("Không cần nữa")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = act(&coordinator, id, "cancel", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, task) = act(&coordinator, id, "cancel", Some("Trùng với nhiệm vụ 1.2")).await;
    assert_eq!(
        (status, task["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let (status, _) = act(&coordinator, id, "cancel", Some("lần nữa")).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn stale_versions_and_bad_tasks_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "5").await;
    let editor = app.login("editor-syt").await;
    let (_, task) = editor
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("5.1", "52-SYT", group),
        )
        .await;
    let id = task["id"].as_i64().unwrap();
    let mut stale = task_body("5.1", "52-SYT", group);
    stale["version"] = json!(task["version"]);
    stale["title"] = json!("Bản thứ nhất");
    assert_eq!(
        editor
            .patch_json(&format!("/api/v1/tasks/{id}"), &stale)
            .await
            .0,
        StatusCode::OK
    );
    stale["title"] = json!("Bản ghi đè");
    let (status, body) = editor
        .patch_json(&format!("/api/v1/tasks/{id}"), &stale)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "version_conflict");
    let (status, _) = coordinator
        .post_json(
            &format!("/api/v1/tasks/{id}/transitions"),
            &json!({"action": "cancel", "comment": "x", "version": 1}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a stale version on a transition"
    );

    let mut bad = task_body("5.2", "khong-co", group);
    bad["due_date"] = json!("2025-01-01");
    bad["budget_planned"] = json!(-5);
    bad["coordinating_unit_codes"] = json!(["52-STC2", "nowhere"]);
    let (status, body) = editor
        .post_json(&format!("/api/v1/plans/{plan}/tasks"), &bad)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["due_date", "budget_planned"]);
    let (status, body) = editor
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("5.2", "nowhere", group),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["code"], "unknown_unit");
    let (status, body) = editor
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("5.1", "52-SYT", group),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a code is used once per plan: {body}"
    );
    let (status, body) = editor
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("5.3", "52-SYT", 999_999),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["code"], "unknown_group");
    let (status, _) = act(&coordinator, id, "fly", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, list) = editor
        .get_json(&format!("/api/v1/plans/{plan}/tasks"))
        .await;
    assert_eq!(list["total"], 1, "nothing was written");
    let (status, _) = coordinator
        .post_json("/api/v1/plans", &json!({"year": 1999, "title": ""}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_task_list_filters_searches_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let infra = group_id(&coordinator, plan, "2").await;
    let gov = group_id(&coordinator, plan, "9").await;
    for i in 1..=12 {
        let (lead, group, mode) = if i % 2 == 0 {
            ("540", infra, "rent")
        } else {
            ("21550", gov, "buy")
        };
        let mut body = task_body(
            &format!("{}.{i}", if group == infra { 2 } else { 9 }),
            lead,
            group,
        );
        body["title"] = json!(if i == 7 {
            "Xây dựng kho dữ liệu dùng chung".to_string()
        } else {
            format!("Nhiệm vụ chuyển đổi số {i}")
        });
        body["acquisition_mode"] = json!(mode);
        body["due_date"] = json!(format!("2025-{:02}-15", i));
        body["start_date"] = json!(null);
        let (status, _) = coordinator
            .post_json(&format!("/api/v1/plans/{plan}/tasks"), &body)
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let get = |q: String| {
        let s = &coordinator;
        async move {
            s.get_json(&format!("/api/v1/plans/{plan}/tasks?{q}"))
                .await
                .1
        }
    };
    assert_eq!(
        get("q=chuyen%20doi%20so".into()).await["total"],
        11,
        "search ignores diacritics"
    );
    assert_eq!(get("q=kho%20du%20lieu".into()).await["total"], 1);
    assert_eq!(get(format!("group={infra}")).await["total"], 6);
    assert_eq!(get("pillar=digital_government".into()).await["total"], 6);
    assert_eq!(
        get("unit=540".into()).await["total"],
        12,
        "the district and the commune below it"
    );
    assert_eq!(get("unit=21550".into()).await["total"], 6);
    // A unit's pages, read twice (the second time its count is known), are its tasks in
    // order, each once.
    let codes_of = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["code"].as_str().unwrap().to_string())
            .collect()
    };
    let whole = codes_of(&get("unit=540&per_page=100".into()).await);
    assert_eq!(whole.len(), 12);
    for _ in 0..2 {
        let mut paged = Vec::new();
        for page in 1..=3 {
            let got = get(format!("unit=540&per_page=5&page={page}")).await;
            assert_eq!(got["total"], 12, "page {page}: {got}");
            paged.extend(codes_of(&got));
        }
        assert_eq!(paged, whole);
    }
    assert_eq!(
        get("mode=thu%C3%AA".into()).await["total"],
        6,
        "the mode by its Vietnamese name"
    );
    assert_eq!(
        get("due_before=2025-03-31&due_after=2025-02-01".into()).await["total"],
        2
    );
    assert_eq!(
        get("overdue=1".into()).await["total"],
        12,
        "all of 2025 is past"
    );
    assert_eq!(get("status=draft".into()).await["total"], 12);
    assert_eq!(get("status=completed,cancelled".into()).await["total"], 0);
    let page2 = get("sort=due&per_page=5&page=2".into()).await;
    let codes: Vec<&str> = page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["2.6", "9.7", "2.8", "9.9", "2.10"]);
    assert_eq!(page2["total"], 12);
    assert!(page2["items"][0]["overdue"].as_bool().unwrap());
    assert_eq!(page2["items"][0]["outcome"], "not_completed_overdue");
    let sorted = get("sort=code&per_page=3".into()).await;
    let codes: Vec<&str> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["2.2", "2.4", "2.6"]);
    // A search pages like any filter, and a page past the end still says how many match.
    let searched = get("q=chuyen%20doi%20so&sort=due&per_page=5&page=3".into()).await;
    let codes: Vec<&str> = searched["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["2.12"], "11 matches (not 9.7): 5, 5, then the last");
    assert_eq!(searched["total"], 11);
    for past_the_end in ["q=chuyen%20doi%20so&per_page=5&page=9", "unit=540&page=9"] {
        let past = get(past_the_end.into()).await;
        assert_eq!(past["items"], json!([]), "{past_the_end}");
        assert!(
            past["total"].as_i64().unwrap() > 0,
            "{past_the_end}: {past}"
        );
    }
    for bad in [
        "status=flying",
        "sort=random",
        "due_before=yesterday",
        "unit=nowhere",
        "mode=steal",
        "page=x",
    ] {
        let (status, body) = coordinator
            .get_json(&format!("/api/v1/plans/{plan}/tasks?{bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (_, plan_body) = coordinator.get_json(&format!("/api/v1/plans/{plan}")).await;
    assert_eq!(plan_body["outcomes"]["not_completed_overdue"], 12);

    // A page is kept a few seconds, but a change shows on the very next read of it, in the
    // API and on the page.
    let kept = get("unit=540&per_page=5".into()).await;
    let first = &kept["items"][0];
    let html = format!("/tasks?plan={plan}&unit=540&per_page=5");
    let page = coordinator.get(&html).await.text().await.unwrap();
    assert!(!page.contains("Nhiệm vụ đổi tên ngay"));
    let mut renamed = task_body(first["code"].as_str().unwrap(), "540", infra);
    renamed["title"] = json!("Nhiệm vụ đổi tên ngay");
    let (status, body) = coordinator
        .patch_json(&format!("/api/v1/tasks/{}", first["id"]), &renamed)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let again = get("unit=540&per_page=5".into()).await;
    assert_eq!(again["items"][0]["title"], "Nhiệm vụ đổi tên ngay");
    let page = coordinator.get(&html).await.text().await.unwrap();
    assert!(page.contains("Nhiệm vụ đổi tên ngay"));
}

#[tokio::test]
async fn my_work_shows_what_waits_on_each_role() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "3").await;
    let approver = app.login("approver-540").await;
    let (_, a) = approver
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("3.1", "540", group),
        )
        .await;
    let (_, b) = approver
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("3.2", "540", group),
        )
        .await;
    let (a, b) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    act(&approver, b, "submit", None).await;
    let (_, work) = approver.get_json("/api/v1/me/work").await;
    let ids = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert!(ids(&work["to_submit"]).contains(&a) && !ids(&work["to_submit"]).contains(&b));
    assert!(
        ids(&work["to_review"]).is_empty(),
        "heads of units do not review"
    );
    let (_, work) = coordinator.get_json("/api/v1/me/work").await;
    assert!(ids(&work["to_review"]).contains(&b));
    assert!(ids(&work["overdue"]).contains(&a));
    let editor = app.login("editor-540").await;
    act(&coordinator, b, "approve", None).await;
    act(&editor, b, "start", None).await;
    let (_, work) = editor.get_json("/api/v1/me/work").await;
    assert!(ids(&work["to_report"]).contains(&b), "{work}");
    assert!(ids(&work["to_submit"]).is_empty(), "editors do not submit");
}

#[tokio::test]
async fn the_filtered_list_exports_to_a_real_workbook_and_csv() {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "6").await;
    for (code, lead) in [("6.1", "540"), ("6.2", "542"), ("6.3", "52-SYT")] {
        let mut body = task_body(code, lead, group);
        body["title"] = json!(format!("Số hoá dữ liệu {code}"));
        coordinator
            .post_json(&format!("/api/v1/plans/{plan}/tasks"), &body)
            .await;
    }
    let r = coordinator
        .get(&format!("/tasks.xlsx?plan={plan}&q=so%20hoa"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("filename*=UTF-8''K%E1%BA%BF"),
        "{disposition}"
    );
    let bytes = r.bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range("Nhiệm vụ").unwrap();
    assert_eq!(
        range.get_value((0, 0)),
        Some(&Data::String("Kế hoạch chuyển đổi số năm 2025".into()))
    );
    assert_eq!(
        range.get_value((2, 1)),
        Some(&Data::String("Mã nhiệm vụ".into()))
    );
    let codes: Vec<String> = (3..range.height() as u32)
        .map(|r| range.get_value((r, 1)).unwrap().to_string())
        .collect();
    assert_eq!(codes, ["6.1", "6.2", "6.3"]);
    assert_eq!(
        range.get_value((3, 9)),
        Some(&Data::Float(1250.0)),
        "budget in millions"
    );
    assert_eq!(
        range.get_value((3, 5)),
        Some(&Data::String("Sở Tài chính; VNPT Bình Định".into()))
    );

    // A district's head exports only what it may see.
    let approver = app.login("approver-540").await;
    let csv = approver
        .get(&format!("/tasks.csv?plan={plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv.lines().count(),
        2,
        "header and the one task of Quy Nhơn: {csv}"
    );
    assert!(csv.contains("6.1,Số hoá dữ liệu 6.1"));
    assert_eq!(
        approver.get("/tasks.csv?status=flying").await.status(),
        StatusCode::BAD_REQUEST
    );

    // The API gives machine clients the same documents, within the same scope.
    let r = approver
        .get(&format!("/api/v1/tasks.xlsx?plan={plan}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range("Nhiệm vụ").unwrap();
    assert_eq!(
        range.height(),
        4,
        "title, blank, header and Quy Nhơn's one task"
    );
    let csv = coordinator
        .get(&format!("/api/v1/tasks.csv?plan={plan}&q=so%20hoa"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    let (status, body) = approver.get_json("/api/v1/tasks.csv?status=flying").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(crate::support::error_code(&body), "validation_failed");
}

#[tokio::test]
async fn the_task_form_takes_units_by_name_and_shows_names() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "9").await;
    let approver = app.login("approver-540").await;
    // The form opens on the officer's own unit, by name, and offers only the units they
    // may register work for.
    let form = approver
        .get(&format!("/tasks/new?plan={plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains(r#"value="Thành phố Quy Nhơn""#), "{form}");
    let offered = form
        .split(r#"<datalist id="lead-units">"#)
        .nth(1)
        .and_then(|s| s.split("</datalist>").next())
        .unwrap();
    assert!(offered.contains("Thành phố Quy Nhơn") && !offered.contains("Sở Nội vụ"));
    let group = group.to_string();
    let fields = |coordinating| {
        [
            ("code", "9.8"),
            ("title", "Đào tạo kỹ năng số cho cán bộ"),
            ("group_id", group.as_str()),
            ("lead_unit_code", "thanh pho quy nhon"),
            ("coordinating", coordinating),
            ("due_date", "31/12/2025"),
        ]
    };
    let create = format!("/plans/{plan}/tasks");
    // An unknown name is refused on its field, with what was typed kept.
    let r = approver
        .post_form(
            &create,
            &fields("Văn phòng Ủy ban nhân dân tỉnh\nBan Không Có"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("Không tìm thấy đơn vị") && page.contains("Ban Không Có"));
    assert!(page.contains(r#"id="coordinating_unit_codes" name="coordinating" rows="3" aria-describedby="coordinating-hint" aria-invalid="true""#));
    let r = approver
        .post_form(&create, &fields("van phong uy ban nhan dan tinh"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.trim_start_matches("/tasks/").parse().unwrap();
    let (_, task) = approver.get_json(&format!("/api/v1/tasks/{id}")).await;
    assert_eq!(task["lead_unit_code"], "540");
    // The edit form speaks names, not codes.
    let edit = approver
        .get(&format!("/tasks/{id}/edit"))
        .await
        .text()
        .await
        .unwrap();
    assert!(edit.contains(r#"value="Thành phố Quy Nhơn""#));
    assert!(
        edit.contains(">Văn phòng Ủy ban nhân dân tỉnh</textarea>"),
        "{edit}"
    );
}

#[tokio::test]
async fn the_pages_walk_a_task_through_its_workflow() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "9").await;
    let approver = app.login("approver-540").await;
    let r = approver
        .post_form(
            &format!("/plans/{plan}/tasks"),
            &[
                ("code", "9.9"),
                ("title", ""),
                ("lead_unit_code", "540"),
                ("due_date", "31/12/2025"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Bắt buộc nhập"));
    let r = approver
        .post_form(
            &format!("/plans/{plan}/tasks"),
            &[
                ("code", "9.9"),
                ("title", "Họp trực tuyến đến cấp xã"),
                ("group_id", &group.to_string()),
                ("lead_unit_code", "540"),
                ("coordinating", "52-VPUB, 52-SNV2"),
                ("partners", "Viettel Bình Định\nVNPT Bình Định"),
                ("due_date", "31/12/2025"),
                ("budget_planned", "300.000.000"),
                ("acquisition_mode", "rent"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let page = approver.get(&location).await.text().await.unwrap();
    assert!(
        page.contains("Đã đăng ký nhiệm vụ 9.9")
            && page.contains("Gửi thẩm định")
            && page.contains("300.000.000 đ")
    );
    assert!(page.contains("Viettel Bình Định") && page.contains("Văn phòng Ủy ban nhân dân tỉnh"));
    let id: i64 = location.trim_start_matches("/tasks/").parse().unwrap();
    let (_, task) = approver.get_json(&format!("/api/v1/tasks/{id}")).await;
    let version = task["version"].as_i64().unwrap().to_string();
    let r = approver
        .post_form(
            &format!("{location}/transitions"),
            &[("action", "submit"), ("comment", ""), ("version", &version)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A second click with the old version is refused with a clear message.
    let r = approver
        .post_form(
            &format!("{location}/transitions"),
            &[("action", "submit"), ("comment", ""), ("version", &version)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("tải lại"));
    // The history names people, not their accounts.
    let history = approver.get(&location).await.text().await.unwrap();
    assert!(
        history.contains("· Lãnh đạo Thành phố Quy Nhơn") && !history.contains("· approver-540"),
        "{history}"
    );
    let review = coordinator
        .get("/my-work?plan=all")
        .await
        .text()
        .await
        .unwrap();
    assert!(review.contains("Chờ bạn thẩm định") && review.contains("Họp trực tuyến đến cấp xã"));
    let r = coordinator
        .post_form(
            &format!("{location}/transitions"),
            &[("action", "request_changes"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = coordinator
        .post_form(
            &format!("{location}/transitions"),
            &[("action", "approve"), ("comment", "Thống nhất")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let list = coordinator
        .get(&format!("/tasks?plan={plan}&q=hop%20truc%20tuyen"))
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("Họp trực tuyến đến cấp xã") && list.contains("Đã thống nhất"));
    let plan_page = coordinator
        .get(&format!("/plans/{plan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        plan_page.contains("Đơn vị chưa đăng ký nhiệm vụ nào") && plan_page.contains("Sở Y tế")
    );
    assert!(
        !plan_page.contains("<li><a href=\"/units/2\">Thành phố Quy Nhơn</a></li>"),
        "Quy Nhơn has registered"
    );
}

#[tokio::test]
async fn evidence_files_are_checked_stored_once_and_served_only_to_readers() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "6").await;
    let editor = app.login("editor-540").await;
    let (_, task) = editor
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("6.9", "540", group),
        )
        .await;
    let id = task["id"].as_i64().unwrap();
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        editor
            .client
            .post(editor.url(&format!("/api/v1/tasks/{id}/attachments")))
            .header("x-csrf-token", &editor.csrf)
            .multipart(form)
            .send()
    };
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    let r = upload("Biên bản nghiệm thu.pdf", pdf.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["original_name"], "Biên bản nghiệm thu.pdf");
    // A real workbook, written by a spreadsheet library, is accepted as .xlsx.
    let xlsx = dxplan_report::tasks::tasks_xlsx("Minh chứng", &[]).unwrap();
    assert_eq!(
        upload("Số liệu.xlsx", xlsx).await.unwrap().status(),
        StatusCode::CREATED
    );
    let again = upload("Bản sao.pdf", pdf.clone())
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        again["sha256"], first["sha256"],
        "the same content is stored once"
    );

    for (name, bytes, status) in [
        (
            "bao-cao.xlsx",
            b"MZ\x90\x00 this is a program".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "../../etc/passwd.pdf",
            pdf.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "virus.exe",
            b"MZ".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("trống.pdf", Vec::new(), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = upload(name, bytes).await.unwrap();
        assert_eq!(r.status(), status, "{name}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(error_code(&body), "file_rejected", "{name}");
    }
    let mut huge = b"%PDF-".to_vec();
    huge.resize(25 * 1024 * 1024, b'x');
    let r = upload("lớn.pdf", huge).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (_, list) = editor
        .get_json(&format!("/api/v1/tasks/{id}/attachments"))
        .await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        3,
        "refused files left nothing behind"
    );

    let file_id = first["id"].as_i64().unwrap();
    let r = editor.get(&format!("/api/v1/attachments/{file_id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment;")
            && disposition.contains("UTF-8''Bi%C3%AAn%20b%E1%BA%A3n"),
        "{disposition}"
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let outsider = app.login("editor-549").await;
    assert_eq!(
        outsider
            .get(&format!("/api/v1/attachments/{file_id}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        outsider
            .get(&format!("/attachments/{file_id}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let viewer = app.login("viewer").await;
    assert_eq!(
        viewer
            .get(&format!("/attachments/{file_id}"))
            .await
            .status(),
        StatusCode::OK
    );
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(pdf).file_name("x.pdf"),
    );
    let r = viewer
        .client
        .post(viewer.url(&format!("/api/v1/tasks/{id}/attachments")))
        .header("x-csrf-token", &viewer.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "readers do not upload");
    let page = editor
        .get(&format!("/tasks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Biên bản nghiệm thu.pdf") && page.contains("Tải lên tệp minh chứng"));
}

#[tokio::test]
async fn people_are_notified_of_each_step_and_mark_notices_read() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "9").await;
    let approver = app.login("approver-542").await;
    let editor = app.login("editor-542").await;
    async fn unread(s: &Session) -> Value {
        s.get_json("/api/v1/notifications").await.1
    }
    let before = unread(&coordinator).await["unread"].as_i64().unwrap();
    let (_, task) = coordinator
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &task_body("9.5", "542", group),
        )
        .await;
    let id = task["id"].as_i64().unwrap();
    let notices = unread(&editor).await;
    assert_eq!(
        notices["unread"], 1,
        "the unit hears of a task assigned to it"
    );
    assert!(
        notices["items"][0]["title_vi"]
            .as_str()
            .unwrap()
            .starts_with("Nhiệm vụ mới được giao: 9.5")
    );
    act(&approver, id, "submit", None).await;
    let c = unread(&coordinator).await;
    assert_eq!(
        c["unread"].as_i64().unwrap(),
        before + 1,
        "the coordinator hears of a submission"
    );
    act(&coordinator, id, "request_changes", Some("Thiếu chỉ tiêu")).await;
    let e = unread(&editor).await;
    assert_eq!(e["unread"], 2);
    assert!(
        e["items"][0]["title_vi"]
            .as_str()
            .unwrap()
            .contains("Ý kiến: Thiếu chỉ tiêu")
    );
    let page = editor.get("/").await.text().await.unwrap();
    assert!(
        page.contains("class=\"badge\"") && page.contains(">2</span>"),
        "the count shows in the header"
    );

    let first = e["items"][0]["id"].as_i64().unwrap();
    let r = editor
        .client
        .post(editor.url(&format!("/api/v1/notifications/{first}/read")))
        .header("x-csrf-token", &editor.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(unread(&editor).await["unread"], 1);
    // The header's count was kept from the page before; a notice read shows at once.
    let page = editor.get("/").await.text().await.unwrap();
    assert!(
        page.contains("aria-label=\"1 chưa đọc\"") && !page.contains("aria-label=\"2 chưa đọc\""),
        "the header counts the notice read"
    );
    let r = approver
        .client
        .post(approver.url(&format!("/api/v1/notifications/{first}/read")))
        .header("x-csrf-token", &approver.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "not someone else's notice"
    );
    let r = editor
        .post_form(&format!("/notifications/{}/open", e["items"][1]["id"]), &[])
        .await;
    assert_eq!(r.headers()["location"], format!("/tasks/{id}"));
    assert_eq!(unread(&editor).await["unread"], 0);
    let page = editor.get("/").await.text().await.unwrap();
    assert!(
        !page.contains("class=\"badge\""),
        "no count once all are read"
    );

    let (status, _) = editor
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/email-preference",
            &json!({"email_pref": "digest"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = editor
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/email-preference",
            &json!({"email_pref": "hourly"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let page = editor.get("/notifications").await.text().await.unwrap();
    assert!(page.contains("value=\"digest\" checked"));
}

#[tokio::test]
async fn an_account_left_on_an_ended_unit_is_told_so_on_its_home_page() {
    let app = TestApp::spawn().await;
    let editor = app.login("editor-sct").await;
    let home = editor.get("/").await.text().await.unwrap();
    assert!(!home.contains("đã kết thúc hoạt động"));
    let admin = app.login("admin").await;
    let (status, body) = admin
        .patch_json("/api/v1/units/52-SCT", &json!({"valid_to": "2026-01-31"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let home = editor.get("/").await.text().await.unwrap();
    assert!(
        home.contains(
            "Sở Công Thương đã kết thúc hoạt động sau ngày 31/01/2026. Đề nghị quản trị hệ thống chuyển tài khoản"
        ),
        "{home}"
    );
}

#[tokio::test]
async fn home_and_my_work_lead_each_role_to_what_waits_on_them() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let approver = app.login("approver-540").await;
    let editor = app.login("editor-540").await;
    // The district's quarterly form is owed for the last quarter that ended (2026Q3 on
    // the tests' clock, due ten days after it): the editor is sent to its entry page.
    let today = app.state.today();
    let owed = {
        let q = dxplan_domain::period::Period::containing(today, true);
        dxplan_domain::period::Period::containing(q.start().previous_day().unwrap(), true)
    };
    let home = editor.get("/").await.text().await.unwrap();
    assert!(home.contains("Số liệu cần nhập"), "{home}");
    assert!(home.contains("/data/540?form=") && home.contains(&format!("period={owed}")));
    // A draft figure waits on the unit's head; once submitted, on the coordinator.
    let (_, forms) = coordinator.get_json("/api/v1/forms").await;
    let codes: Vec<String> = forms["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BC-HUYEN-QUY")
        .unwrap()["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let mut indicator = String::new();
    for code in codes {
        let (_, i) = coordinator
            .get_json(&format!("/api/v1/indicators/{code}"))
            .await;
        if i["measure"] == "number" {
            indicator = code;
            break;
        }
    }
    let (status, saved) = editor
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": "540", "period": owed.to_string(), "rows": [{"indicator": indicator, "value": "3"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let home = approver.get("/").await.text().await.unwrap();
    assert!(
        home.contains("Số liệu nháp chờ gửi</strong>: Thành phố Quy Nhơn"),
        "{home}"
    );
    let (_, work) = approver.get_json("/api/v1/me/work").await;
    assert!(
        work["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "figures_to_submit"
                && i["href"] == format!("/data/540?period={owed}")),
        "{work}"
    );
    let (status, _) = approver
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": "540", "period": owed.to_string(), "submit": true, "rows": [{"indicator": indicator, "value": "3"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let home = coordinator.get("/").await.text().await.unwrap();
    assert!(home.contains("Số liệu chờ bạn duyệt"), "{home}");
    assert!(home.contains("href=\"/data/review\""));

    // A task the head must submit that is also overdue is listed once, to submit.
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let this_year = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["year"] == today.year())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let group = group_id(&coordinator, this_year, "3").await;
    let mut body = task_body("3.9", "540", group);
    body["start_date"] = json!(format!("{}-01-01", today.year()));
    body["due_date"] = json!(format!("{}-01-31", today.year()));
    body["title"] = json!("Nhiệm vụ trễ hạn của Quy Nhơn");
    let (status, late) = approver
        .post_json(&format!("/api/v1/plans/{this_year}/tasks"), &body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{late}");
    let page = approver.get("/my-work").await.text().await.unwrap();
    assert_eq!(
        page.matches("Nhiệm vụ trễ hạn của Quy Nhơn").count(),
        1,
        "one task, one line"
    );
    assert!(page.contains("id=\"to-submit\""));
    // The page opens on this year's plan and offers the others.
    assert!(
        page.contains("<select id=\"plan\" name=\"plan\">"),
        "{page}"
    );

    // A month covered by the quarter's report is not asked for again.
    let late = late["id"].as_i64().unwrap();
    act(&approver, late, "submit", None).await;
    act(&coordinator, late, "approve", None).await;
    act(&editor, late, "start", None).await;
    let (_, work) = editor.get_json("/api/v1/me/work").await;
    let listed = |work: &Value| {
        work["to_report"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == late)
    };
    assert!(listed(&work), "no report yet: {work}");
    let quarter = dxplan_domain::period::Period::containing(today, true).to_string();
    let (status, report) = editor
        .post_json(
            &format!("/api/v1/tasks/{late}/reports"),
            &json!({"period": quarter, "progress": 30, "done": "Đang triển khai"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let (_, work) = editor.get_json("/api/v1/me/work").await;
    assert!(
        !listed(&work),
        "the quarter's report covers the month: {work}"
    );

    // A self-assessment waits on its department; once submitted, the round's coordinator
    // is asked to verify it.
    let (status, framework) = coordinator
        .post_json(
            "/api/v1/index-frameworks",
            &crate::index::department_framework(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{framework}");
    let (status, round) = coordinator
        .post_json(
            "/api/v1/index-rounds",
            &json!({"framework_id": framework["framework"]["id"], "name": "Đánh giá sở năm 2026",
                "year": 2026, "deadline": "31/12/2026", "units": ["52-STP"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let home = app
        .login("editor-stp")
        .await
        .get("/")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("Tự đánh giá chỉ số</strong>: Đánh giá sở năm 2026 — Sở Tư pháp"),
        "{home}"
    );
    let (_, view) = coordinator
        .get_json(&format!("/api/v1/index-rounds/{}", round["id"]))
        .await;
    let assessment = view["assessments"][0]["assessment"]["id"].as_i64().unwrap();
    let (status, body) = app
        .login("approver-stp")
        .await
        .post_json(
            &format!("/api/v1/assessments/{assessment}/actions"),
            &json!({"action": "submit"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let home = coordinator.get("/").await.text().await.unwrap();
    assert!(
        home.contains("Thẩm định kết quả tự đánh giá</strong>: Đánh giá sở năm 2026"),
        "{home}"
    );
}

/// The number of tasks a list query selects is kept a few seconds (issue #18), but a new
/// task is counted on the very next read, on every page of the query and as HTML too.
#[tokio::test]
async fn a_new_task_is_counted_at_once_though_list_counts_are_kept() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let viewer = app.login("viewer").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "1").await;
    let total = |page: Value| page["total"].as_i64().unwrap();
    let query = format!("/api/v1/tasks?plan={plan}&q=chuyen");
    let (_, before) = viewer.get_json(&query).await;
    // Read again (from what the server keeps) and with another page of the same query.
    let (_, again) = viewer.get_json(&query).await;
    let (_, second_page) = viewer.get_json(&format!("{query}&page=2")).await;
    assert_eq!(total(again), total(before.clone()));
    assert_eq!(total(second_page), total(before.clone()));
    let (status, task) = coordinator
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &json!({"code": "DEM.1", "title": "Chuyển đổi số bến xe", "group_id": group,
                    "lead_unit_code": "540", "due_date": "31/12/2025"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    let (_, after) = viewer.get_json(&query).await;
    assert_eq!(total(after), total(before) + 1, "the new task is counted");
    let page = viewer
        .get(&format!("/tasks?plan={plan}&q=chuyen"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Chuyển đổi số bến xe"),
        "and listed on the page"
    );
}

/// Kept counts are per reader's scope: a commune's officer never sees the count of the
/// province's list nor of another commune's, whichever asked first (issue #18).
#[tokio::test]
async fn kept_list_counts_never_cross_from_one_scope_to_another() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator).await;
    let group = group_id(&coordinator, plan, "1").await;
    for (i, lead) in ["540", "540", "540", "542"].iter().enumerate() {
        let (status, task) = coordinator
            .post_json(
                &format!("/api/v1/plans/{plan}/tasks"),
                &json!({"code": format!("K.{i}"), "title": "Số hoá hồ sơ", "group_id": group,
                        "lead_unit_code": lead, "due_date": "31/12/2025"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{task}");
    }
    let readers = [
        (app.login("viewer").await, 4),
        (app.login("editor-540").await, 3),
        (app.login("editor-542").await, 1),
    ];
    let query = format!("/api/v1/tasks?plan={plan}&q=so%20hoa&per_page=50");
    // Twice round, each reader after another has the count kept for the same query.
    for round in 0..2 {
        for (reader, expected) in &readers {
            let (status, page) = reader.get_json(&query).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert_eq!(
                (
                    page["total"].as_i64(),
                    page["items"].as_array().unwrap().len()
                ),
                (Some(*expected), *expected as usize),
                "round {round}: the count is of what this reader may see"
            );
            let html = reader
                .get(&format!("/tasks?plan={plan}&q=so%20hoa"))
                .await
                .text()
                .await
                .unwrap();
            assert!(
                html.contains(&format!("<span class=\"muted\">({expected})</span>")),
                "round {round}: the page's count too"
            );
        }
    }
}
