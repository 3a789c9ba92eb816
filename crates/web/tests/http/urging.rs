//! Urging letters (công văn đôn đốc, issue #19): drafted for the units late on a plan's
//! tasks or on their figures, read back from Word, marked sent, and firmer at the next
//! reminder.

use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::{TestApp, TestClock, docx_text};
use crate::tasks::{group_id, plan_of_year, task_body};

#[tokio::test]
async fn late_units_get_a_letter_in_word_then_a_firmer_one_once_it_was_sent() {
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-07-10 09:00 +7))).await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_year(&coordinator, 2026).await;
    let group = group_id(&coordinator, plan, "2").await;
    let urging = format!("/api/v1/plans/{plan}/urging");

    for (code, lead, due) in [
        ("2.1", "540", "2026-06-30"),
        ("2.2", "540", "2026-05-31"),
        ("2.3", "542", "2026-06-15"),
        ("2.4", "542", "2026-12-31"),
    ] {
        let mut body = task_body(code, lead, group);
        body["start_date"] = json!("2026-01-15");
        body["due_date"] = json!(due);
        let (status, task) = coordinator
            .post_json(&format!("/api/v1/plans/{plan}/tasks"), &body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{task}");
    }
    let (status, view) = coordinator.get_json(&urging).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let late: Vec<(i64, i64)> = view["late_units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["overdue"].as_i64().unwrap() > 0)
        .map(|u| {
            (
                u["overdue"].as_i64().unwrap(),
                u["letters_sent"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        late.len(),
        2,
        "the two units late, not the one on time: {view}"
    );
    assert_eq!(late.iter().map(|(n, _)| n).sum::<i64>(), 3);
    // In July the departments owe last year's figures (due 15 January) and the districts
    // the first quarter's (the second's deadline has not passed): each unit that has not
    // sent them all is late, as the forms' completeness lists them.
    let (_, forms) = coordinator.get_json("/api/v1/forms").await;
    let forms = forms
        .as_array()
        .or_else(|| forms["items"].as_array())
        .unwrap()
        .clone();
    let mut incomplete: Vec<String> = Vec::new();
    for form in &forms {
        let period = match form["period_type"].as_str().unwrap() {
            "year" => "2025",
            "quarter" => "2026Q1",
            other => panic!("a {other} form in the demo"),
        };
        let (_, completeness) = coordinator
            .get_json(&format!(
                "/api/v1/forms/{}/completeness?period={period}",
                form["id"]
            ))
            .await;
        incomplete.extend(
            completeness["units"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|u| u["complete"] == false)
                .map(|u| u["name"].as_str().unwrap().to_string()),
        );
    }
    incomplete.sort();
    incomplete.dedup();
    let mut owing: Vec<String> = view["late_units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["missing_reports"].as_i64().unwrap() > 0)
        .map(|u| u["unit_name"].as_str().unwrap().to_string())
        .collect();
    owing.sort();
    assert!(
        incomplete.iter().any(|n| n.starts_with("Sở ")),
        "{incomplete:?}"
    );
    assert!(
        incomplete.iter().any(|n| n.starts_with("Huyện ")),
        "a district owes the first quarter: {incomplete:?}"
    );
    assert_eq!(
        owing, incomplete,
        "the units owing figures are those the forms list"
    );

    // Units and viewers neither see nor draft it.
    for who in ["viewer", "approver-540", "editor-542"] {
        let s = app.login(who).await;
        assert_eq!(s.get_json(&urging).await.0, StatusCode::FORBIDDEN, "{who}");
        let (status, _) = s
            .post_json(&format!("/api/v1/plans/{plan}/urging-letters"), &json!({}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }

    let (status, letter) = coordinator
        .post_json(&format!("/api/v1/plans/{plan}/urging-letters"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{letter}");
    assert!(
        letter["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["reminder"] == 1)
    );
    let id = letter["id"].as_i64().unwrap();
    let (_, me) = coordinator.get_json("/api/v1/me").await;
    assert_eq!(
        letter["created_by_name"], me["display_name"],
        "drafted by the person, not the login"
    );
    let word = |id: i64| {
        let coordinator = &coordinator;
        async move {
            let r = coordinator
                .get(&format!("/api/v1/urging-letters/{id}/document.docx"))
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            docx_text(&r.bytes().await.unwrap())
        }
    };
    let first = word(id).await;
    assert!(
        first.contains("V/v đôn đốc thực hiện nhiệm vụ và báo cáo số liệu quá hạn"),
        "{first}"
    );
    assert!(
        first.contains(&format!(
            "và {} báo cáo số liệu quá hạn chưa gửi của {} đơn vị",
            view["late_units"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["missing_reports"].as_i64().unwrap())
                .sum::<i64>(),
            view["late_units"].as_array().unwrap().len()
        )),
        "{first}"
    );
    assert!(
        first.contains(
            "Báo cáo số liệu: Báo cáo chỉ tiêu chuyển đổi số của sở, ngành (hằng năm) — Năm 2025"
        ),
        "{first}"
    );
    assert!(first.contains("Kính gửi:"), "{first}");
    assert!(
        first.contains("còn 3 nhiệm vụ quá hạn chưa hoàn thành và"),
        "{first}"
    );
    assert!(first.contains("đề nghị Thủ trưởng các đơn vị"), "{first}");
    assert!(first.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));

    // Marked sent, with its number; not twice; a bad date is refused in words.
    let sent = format!("/api/v1/urging-letters/{id}/sent");
    let (status, body) = coordinator.post_json(&sent, &json!({"number": " "})).await;
    assert_eq!(
        (status, body["error"]["details"][0]["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("number"))
    );
    let (status, body) = coordinator
        .post_json(
            &sent,
            &json!({"number": "125/SKHCN-CĐS", "sent_on": "31/02/2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, done) = coordinator
        .post_json(
            &sent,
            &json!({"number": "125/SKHCN-CĐS", "sent_on": "10/07/2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["sent_on"], "2026-07-10");
    let (status, _) = coordinator
        .post_json(&sent, &json!({"number": "126/SKHCN-CĐS"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "sent once");

    // The next letter is each unit's second reminder, and says so firmly.
    let (_, view) = coordinator.get_json(&urging).await;
    assert!(
        view["late_units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["letters_sent"] == 1),
        "{view}"
    );
    let (_, second) = coordinator
        .post_json(&format!("/api/v1/plans/{plan}/urging-letters"), &json!({}))
        .await;
    assert!(
        second["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u: &Value| u["reminder"] == 2),
        "{second}"
    );
    let text = word(second["id"].as_i64().unwrap()).await;
    assert!(
        text.contains("(lần\u{a0}2)") && text.contains("khẩn trương"),
        "{text}"
    );

    // The page lists the late units and the letters, with their Word files.
    let html = coordinator
        .get(&format!("/plans/{plan}/urging"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Số 125/SKHCN-CĐS"), "{html}");
    assert!(html.contains(&format!("/urging-letters/{id}/document.docx")));
    assert!(html.contains("Soạn công văn đôn đốc"));
}

#[tokio::test]
async fn nobody_late_on_tasks_figures_or_explanations_gets_no_letter() {
    // Early January: last year's figures are not yet due, and no task of the year is late.
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-01-05 09:00 +7))).await;
    let coordinator = app.login("coordinator").await;
    let plan = plan_of_year(&coordinator, 2026).await;
    let (status, view) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/urging"))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["late_units"], json!([]), "{view}");
    let (status, body) = coordinator
        .post_json(&format!("/api/v1/plans/{plan}/urging-letters"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("báo cáo số liệu hay yêu cầu giải trình quá hạn"),
        "{body}"
    );
    let page = coordinator
        .get(&format!("/plans/{plan}/urging"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(
        "Không có đơn vị nào có nhiệm vụ, báo cáo số liệu hay yêu cầu giải trình quá hạn."
    ));
}
