//! Explanation requests (yêu cầu giải trình, issue #19): a leader asks a unit, the unit
//! answers with evidence, the leader asks again and accepts; the wrong unit, the wrong
//! role and a read-only token are refused; bad input changes nothing; a request left
//! unanswered is raised to the unit's head once and urged in the letter.

use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::{Session, TestApp, TestClock, docx_text, error_code};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

async fn upload(s: &Session, path: &str, name: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let r = s
        .client
        .post(s.url(path))
        .header("x-csrf-token", &s.csrf)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        ))
        .send()
        .await
        .expect("upload");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The titles of a user's notifications, newest first.
async fn notices(s: &Session) -> Vec<String> {
    let (_, list) = s.get_json("/api/v1/notifications").await;
    list["items"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| n["title_vi"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn count_requests(app: &TestApp) -> usize {
    let admin = app.login("admin").await;
    let (_, list) = admin.get_json("/api/v1/explanations?limit=200").await;
    list["total"].as_i64().expect("a total") as usize
}

#[tokio::test]
async fn a_leader_asks_a_unit_which_answers_with_evidence_until_the_answer_is_accepted() {
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-12-07 09:00 +7))).await;
    let leader = app.login("viewer").await;
    let editor = app.login("editor-540").await;
    let other = app.login("editor-542").await;

    let (status, asked) = leader
        .post_json(
            "/api/v1/explanations",
            &json!({"subject": "unit", "unit": "540", "question": "Vì sao còn nhiều nhiệm vụ quá hạn?", "deadline": "14/12/2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    let id = asked["id"].as_i64().unwrap();
    assert_eq!(asked["status"], "awaiting");
    assert_eq!(asked["deadline"], "2026-12-14");
    assert_eq!(asked["asked_by_name"], "Thành viên Ban Chỉ đạo");
    assert_eq!(asked["can_decide"], true);
    assert_eq!(asked["can_answer"], false, "the leader does not answer");
    let unit_name = asked["unit_name"].as_str().unwrap().to_string();

    // The unit's staff are told, with a link that opens the request.
    let told = notices(&editor).await;
    assert!(
        told[0].starts_with("Yêu cầu giải trình, hạn 14/12/2026:") && told[0].contains(&unit_name),
        "{told:?}"
    );
    assert!(
        notices(&other)
            .await
            .iter()
            .all(|t| !t.contains("giải trình"))
    );
    let (_, list) = editor.get_json("/api/v1/notifications").await;
    let notice = list["items"][0]["id"].as_i64().unwrap();
    let r = editor
        .client
        .post(editor.url(&format!("/notifications/{notice}/open")))
        .form(&[("_csrf", editor.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/explanations/{id}")
    );
    let page = editor
        .get(&format!("/explanations/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Gửi giải trình") && page.contains("Vì sao còn nhiều nhiệm vụ quá hạn?"));

    // What waits on each side, and the lists behind the counts.
    let (_, tally) = editor.get_json("/api/v1/explanations/tally").await;
    assert_eq!(tally["to_answer"], 1, "{tally}");
    let (_, mine) = editor
        .get_json("/api/v1/explanations?inbox=to_answer&status=awaiting")
        .await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["id"], id);
    let (_, theirs) = other.get_json("/api/v1/explanations?inbox=to_answer").await;
    assert_eq!(theirs["total"], 0, "another unit's staff see nothing");
    let home = editor.get("/").await.text().await.unwrap();
    assert!(home.contains("Yêu cầu giải trình đơn vị cần trả lời"));

    // The wrong unit, the wrong role and a read-only token are refused, and change nothing.
    let answer = format!("/api/v1/explanations/{id}/answer");
    let (status, _) = other.get_json(&format!("/api/v1/explanations/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = other.post_json(&answer, &json!({"text": "x"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = leader.post_json(&answer, &json!({"text": "x"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a viewer does not answer");
    let (status, refused) = other
        .post_json(
            "/api/v1/explanations",
            &json!({"subject": "unit", "unit": "540", "question": "?", "deadline": "14/12/2026"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an editor does not ask: {refused}"
    );
    let (_, token) = leader
        .post_json("/api/v1/tokens", &json!({"name": "đọc", "access": "read"}))
        .await;
    let secret = token["secret"].as_str().unwrap();
    let r = app
        .client()
        .post(app.url("/api/v1/explanations"))
        .bearer_auth(secret)
        .json(&json!({"subject": "unit", "unit": "540", "question": "?", "deadline": "14/12/2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a read-only token asks nothing"
    );
    assert_eq!(count_requests(&app).await, 1);

    // Evidence first: a real file is kept, a disguised one refused in words.
    let files = format!("/api/v1/explanations/{id}/files");
    let (status, file) = upload(&editor, &files, "bien-ban.pdf", PDF).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let (status, refused) = upload(&editor, &files, "bao-cao.pdf", b"MZ\x90\x00 not a pdf").await;
    assert!(status.is_client_error(), "{status} {refused}");
    assert!(
        !refused["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
    let r = leader
        .get(&format!("/api/v1/explanation-files/{}", file["id"]))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    let r = other
        .get(&format!("/api/v1/explanation-files/{}", file["id"]))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // An empty answer is refused in Vietnamese; the answer goes to the leader.
    let (status, refused) = editor.post_json(&answer, &json!({"text": "   "})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["details"][0]["message"], "Bắt buộc nhập.");
    // Read (and kept) before the answer: the count still moves at once when it comes.
    let (_, tally) = leader.get_json("/api/v1/explanations/tally").await;
    assert_eq!(tally["to_read"], 0, "{tally}");
    let (status, answered) = editor
        .post_json(
            &answer,
            &json!({"text": "Do thiếu kinh phí; sẽ hoàn thành trong quý I/2027."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["status"], "answered");
    let (status, again) = editor.post_json(&answer, &json!({"text": "Lần hai"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        again["error"]["message"],
        "Đơn vị đã giải trình; chờ người yêu cầu xem xét."
    );
    assert!(notices(&leader).await[0].starts_with("Đơn vị đã giải trình, chờ xem xét:"));
    let (_, tally) = leader.get_json("/api/v1/explanations/tally").await;
    assert_eq!(tally["to_read"], 1, "{tally}");
    let dashboard = leader.get("/dashboard").await.text().await.unwrap();
    assert!(
        dashboard.contains("Giải trình chờ bạn xem xét"),
        "the leader's home says an answer waits"
    );

    // Not enough: asked again with a new deadline (a past one is refused), answered again,
    // accepted.
    let again = format!("/api/v1/explanations/{id}/ask-again");
    let (status, refused) = leader
        .post_json(
            &again,
            &json!({"question": "Nêu rõ thời hạn.", "deadline": "01/12/2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(error_code(&refused), "validation_failed");
    assert_eq!(
        refused["error"]["details"][0]["message"],
        "Không được là ngày đã qua."
    );
    let (status, reopened) = leader
        .post_json(
            &again,
            &json!({"question": "Nêu rõ thời hạn từng việc.", "deadline": "21/12/2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reopened}");
    assert_eq!(reopened["status"], "awaiting");
    assert_eq!(reopened["deadline"], "2026-12-21");
    assert!(notices(&editor).await[0].starts_with("Đề nghị giải trình thêm, hạn 21/12/2026:"));
    editor
        .post_json(
            &answer,
            &json!({"text": "Việc 2.1 xong 15/01/2027; việc 2.2 xong 28/02/2027."}),
        )
        .await;
    let (status, accepted) = leader
        .post_json(
            &format!("/api/v1/explanations/{id}/accept"),
            &json!({"comment": "Đồng ý."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["status"], "accepted");
    let (_, tally) = leader.get_json("/api/v1/explanations/tally").await;
    assert_eq!(
        tally["to_read"], 0,
        "accepted: nothing waits on the leader; {tally}"
    );
    assert_eq!(accepted["can_decide"], false);
    let kinds: Vec<&str> = accepted["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["question", "answer", "ask_again", "answer", "accept"]
    );
    assert_eq!(accepted["files"].as_array().unwrap().len(), 1);
    assert!(notices(&editor).await[0].starts_with("Giải trình đã được chấp nhận:"));
    let (status, _) = upload(&editor, &files, "muon.pdf", PDF).await;
    assert_eq!(status, StatusCode::CONFLICT, "no more files once closed");
    let page = leader
        .get(&format!("/explanations/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Đã chấp nhận giải trình") && page.contains("bien-ban.pdf"));
    assert!(!page.contains("Gửi đề nghị giải trình thêm"));
    assert_eq!(app.audit_count("explanation.answer").await, 2);
}

#[tokio::test]
async fn a_figure_is_asked_about_for_a_period_of_its_own_kind_and_bad_input_changes_nothing() {
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-12-07 09:00 +7))).await;
    let coordinator = app.login("coordinator").await;
    let (_, indicators) = coordinator.get_json("/api/v1/indicators").await;
    let quarterly = indicators
        .as_array()
        .or_else(|| indicators["items"].as_array())
        .unwrap()
        .iter()
        .find(|i| i["period_type"] == "quarter")
        .expect("a quarterly indicator");
    let code = quarterly["code"].as_str().unwrap();
    let base = json!({"subject": "figure", "unit": "540", "indicator": code,
        "question": "Vì sao số liệu thấp?", "deadline": "15/12/2026"});
    let with = |changes: Value| {
        let mut body = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (changes, field) in [
        (json!({}), "period"),
        (json!({"period": "2026"}), "period"),
        (json!({"period": "2027Q2"}), "period"),
        (
            json!({"period": "2026Q3", "indicator": "KHONG-CO"}),
            "indicator",
        ),
        (json!({"period": "2026Q3", "unit": "99999"}), "unit"),
        (
            json!({"period": "2026Q3", "subject": "everything"}),
            "subject",
        ),
        (
            json!({"period": "2026Q3", "deadline": "08/03/2027"}),
            "deadline",
        ),
        (
            json!({"period": "2026Q3", "deadline": "30/02/2027"}),
            "deadline",
        ),
        (
            json!({"period": "2026Q3", "question": "x".repeat(2001)}),
            "question",
        ),
    ] {
        let (status, refused) = coordinator
            .post_json("/api/v1/explanations", &with(changes.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{changes}: {refused}");
        let fields: Vec<&str> = refused["error"]["details"]
            .as_array()
            .unwrap_or_else(|| panic!("{refused}"))
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{changes}: {refused}");
        let message = refused["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(!message.is_empty(), "said in words: {refused}");
    }
    for hostile in [
        json!({"surprise": 1}),
        json!({"period": "2026Q3", "question": "\u{0}"}),
    ] {
        let (status, refused) = coordinator
            .post_json("/api/v1/explanations", &with(hostile))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    }
    // The coordinator answers for no unit: refused before anything is read.
    let (status, _) = coordinator
        .post_json("/api/v1/explanations/999999/answer", &json!({"text": "x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let editor = app.login("editor-540").await;
    let (status, _) = editor
        .post_json("/api/v1/explanations/999999/answer", &json!({"text": "x"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(count_requests(&app).await, 0, "nothing was recorded");

    let (status, asked) = coordinator
        .post_json(
            "/api/v1/explanations",
            &with(json!({"period": "Quý III/2026"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    assert_eq!(asked["period"], "2026Q3");
    let title = asked["subject_title"].as_str().unwrap();
    assert!(
        title.starts_with(&format!("Chỉ tiêu {code} ")) && title.ends_with("— Quý III/2026"),
        "{title}"
    );
    // The indicator's page offers the request for the unit shown; the form names the
    // figure and offers the indicator's quarters.
    let page = coordinator
        .get(&format!("/indicators/{code}?unit=540&period=2026Q3"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Yêu cầu đơn vị giải trình số liệu"));
    let form = coordinator
        .get(&format!(
            "/explanations/new?subject=figure&indicator={code}&unit=540&period=2026Q3"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("Quý III/2026") && form.contains("Gửi yêu cầu giải trình"));
    // A link naming a unit that is not there says so in words, the field named.
    let r = coordinator
        .get("/explanations/new?subject=unit&unit=99999")
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Đơn vị: ") && !page.contains("unit: "),
        "{page}"
    );
    // The form posted with a missing question keeps what was typed and says what is wrong.
    let r = coordinator
        .post_form(
            "/explanations",
            &[
                ("subject", "figure"),
                ("unit", "540"),
                ("indicator", code),
                ("period", "2026Q3"),
                ("question", ""),
                ("deadline", "15/12/2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("aria-invalid=\"true\"") && page.contains("15/12/2026"));
    assert_eq!(count_requests(&app).await, 1);
    // A withdrawn request is closed, with its reason, and tells the unit.
    let id = asked["id"].as_i64().unwrap();
    let (status, withdrawn) = coordinator
        .post_json(
            &format!("/api/v1/explanations/{id}/withdraw"),
            &json!({"reason": "Gửi nhầm kỳ."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(withdrawn["status"], "withdrawn");
    let (status, _) = coordinator
        .post_json(&format!("/api/v1/explanations/{id}/accept"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_unanswered_request_is_raised_to_the_unit_head_once_and_urged_in_the_letter() {
    let clock = TestClock::at(datetime!(2026-12-07 09:00 +7));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let coordinator = app.login("coordinator").await;
    let (status, task) = coordinator
        .post_json(
            "/api/v1/explanations",
            &json!({"subject": "unit", "unit": "540", "question": "Báo cáo nguyên nhân chậm.", "deadline": "10/12/2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    let id = task["id"].as_i64().unwrap();
    let run = |at| dxplan_app::explanations::escalate_overdue(&app.state, at);
    // Not before the deadline has passed.
    assert_eq!(run(datetime!(2026-12-10 20:00 +7)).await.unwrap(), 0);
    clock.advance(time::Duration::days(5));
    let coordinator = app.login("coordinator").await;
    let made = run(datetime!(2026-12-12 08:00 +7)).await.unwrap();
    assert!(made >= 1, "the unit's head is told");
    assert_eq!(
        run(datetime!(2026-12-13 08:00 +7)).await.unwrap(),
        0,
        "once"
    );
    let head = app.login("approver-540").await;
    assert!(notices(&head).await[0].starts_with(
        "Quá hạn giải trình từ ngày 11/12/2026, đề nghị lãnh đạo đơn vị chỉ đạo trả lời:"
    ));
    let editor = app.login("editor-540").await;
    assert!(
        notices(&editor)
            .await
            .iter()
            .all(|t| !t.starts_with("Quá hạn giải trình"))
    );
    let (_, view) = coordinator
        .get_json(&format!("/api/v1/explanations/{id}"))
        .await;
    assert!(
        view["escalated_at"].is_string() && view["overdue"] == true,
        "{view}"
    );
    let (_, overdue) = coordinator
        .get_json("/api/v1/explanations?overdue=true")
        .await;
    assert_eq!(overdue["total"], 1);

    // The urging page counts it and the letter lists it.
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let plan = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["year"] == 2026)
        .and_then(|p| p["id"].as_i64())
        .unwrap();
    let (_, urging) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/urging"))
        .await;
    let unit = urging["late_units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unanswered_explanations"] == 1)
        .unwrap_or_else(|| panic!("the unit is late on its explanation: {urging}"));
    assert_eq!(unit["unit_name"], task["unit_name"]);
    let (status, letter) = coordinator
        .post_json(&format!("/api/v1/plans/{plan}/urging-letters"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{letter}");
    let r = coordinator
        .get(&format!(
            "/api/v1/urging-letters/{}/document.docx",
            letter["id"]
        ))
        .await;
    let text = docx_text(&r.bytes().await.unwrap());
    assert!(
        text.contains(&format!(
            "Yêu cầu giải trình: Kết quả thực hiện của {}",
            task["unit_name"].as_str().unwrap()
        )),
        "{text}"
    );
    assert!(
        text.contains("yêu cầu giải trình quá hạn chưa trả lời"),
        "{text}"
    );

    // Answered late and asked again: the new deadline can be raised again.
    let answer = format!("/api/v1/explanations/{id}/answer");
    let (status, _) = editor
        .post_json(&answer, &json!({"text": "Đã khắc phục."}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = coordinator
        .post_json(
            &format!("/api/v1/explanations/{id}/ask-again"),
            &json!({"question": "Gửi kèm biên bản.", "deadline": "20/12/2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(
        again["escalated_at"].is_null() && again["deadline"] == "2026-12-20",
        "{again}"
    );
    assert_eq!(again["question"], "Gửi kèm biên bản.");
}
