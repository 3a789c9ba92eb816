//! The whole demo of `dxplan demo`: Bình Định until 30 June 2025, the new Gia Lai from
//! 1 July 2025 (the real change, applied as a reorganisation), and history that reads the
//! same in either structure. One test: the full demo takes a while to seed.

use reqwest::StatusCode;

use crate::reorg::child;
use crate::support::{Session, TestApp};

/// The units of a kind valid on `at` (`None`: today), by name.
async fn names(s: &Session, kind: &str, at: Option<&str>) -> Vec<String> {
    let at = at.map(|a| format!("&at={a}")).unwrap_or_default();
    let (status, body) = s
        .get_json(&format!("/api/v1/units?kind={kind}&limit=500{at}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["next_cursor"].is_null(), "one page");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect()
}

/// The top of the unit tree page on a date: the root's name and its number of children.
async fn tree_root(s: &Session, at: &str) -> String {
    let page = s
        .get(&format!("/units?at={at}"))
        .await
        .text()
        .await
        .unwrap();
    let tree = &page[page.find("<ul class=\"tree\">").expect("a tree")..];
    let summary = &tree[tree.find("<summary>").unwrap()..tree.find("</summary>").unwrap()];
    // `<a …>Name</a> <span class="code">52</span> … <span class="muted">(n)</span>`
    let name = summary
        .split('>')
        .nth(2)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let n = summary
        .rsplit('(')
        .next()
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    format!("{name} ({n})")
}

#[tokio::test]
async fn the_demo_shows_binh_dinh_before_the_2025_reform_and_gia_lai_after() {
    let started = std::time::Instant::now();
    let app = TestApp::spawn_demo().await;
    eprintln!("full demo seeded in {:?}", started.elapsed());
    let s = app.login("coordinator").await;

    // Both changes went through the reorganisation feature and are on record.
    let admin = app.login("admin").await;
    let (_, log) = admin.get_json("/api/v1/audit?action=reorg.apply").await;
    let applied: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    eprintln!("{applied:#?}");
    assert_eq!(applied.len(), 2, "{log}");
    assert!(
        applied
            .iter()
            // 167 communes, districts and the old province, and the 18 provincial bodies of
            // 30 June carried on under Gia Lai (the two news bodies merged into one).
            .any(|a| a.contains("185 retired, 76 created, 188 edges")),
        "{applied:?}"
    );

    // 2024: Tỉnh Bình Định, its 11 districts, 159 communes and 20 departments (with the
    // 4 other bodies plans name, 35 units directly under the province).
    assert_eq!(tree_root(&s, "01/06/2024").await, "Tỉnh Bình Định (35)");
    let districts = names(&s, "district", Some("2024-06-01")).await;
    assert_eq!(districts.len(), 11);
    assert!(districts.contains(&"Thành phố Quy Nhơn".to_string()));
    assert_eq!(names(&s, "commune", Some("2024-06-01")).await.len(), 159);
    assert_eq!(names(&s, "department", Some("2024-06-01")).await.len(), 20);
    // Today: Tỉnh Gia Lai (the part made from Bình Định), its 58 communes and the 14
    // departments of March 2025 with the 3 other bodies under it (the two news bodies
    // merged on 1 July 2025); no district.
    assert_eq!(tree_root(&s, "").await, "Tỉnh Gia Lai (75)");
    assert_eq!(names(&s, "commune", None).await.len(), 58);
    assert_eq!(names(&s, "department", None).await.len(), 14);
    assert!(names(&s, "district", None).await.is_empty());
    assert_eq!(names(&s, "province", None).await, ["Tỉnh Gia Lai"]);
    // The departments carried on under the new province are its children.
    let (_, under) = s
        .get_json("/api/v1/units?parent=52&kind=department&limit=500")
        .await;
    assert_eq!(under["items"].as_array().unwrap().len(), 14, "{under}");

    // A reused code names the unit of the day asked about.
    let (_, then) = s.get_json("/api/v1/units/21553?at=2024-06-01").await;
    assert_eq!(then["name"], "Phường Nhơn Phú");
    let (_, now) = s.get_json("/api/v1/units/21553").await;
    assert_eq!(now["name"], "Phường Quy Nhơn Bắc");
    // The districts' work and accounts went on to the unit named after them.
    let (_, quy_nhon) = s.get_json("/api/v1/units/540?at=2024-06-01").await;
    assert_eq!(quy_nhon["valid_to"], "2025-06-30");
    assert_eq!(quy_nhon["successors"], serde_json::json!(["21583"]));
    let editor = app.login("editor-540").await;
    let (_, me) = editor.get_json("/api/v1/me").await;
    let (_, ward) = s.get_json("/api/v1/units/21583").await;
    assert_eq!(ward["name"], "Phường Quy Nhơn");
    assert_eq!(me["unit_id"], ward["id"], "{me}");
    assert_eq!(
        me["display_name"], "Cán bộ Phường Quy Nhơn",
        "the title follows the unit"
    );
    // A new commune's page shows its predecessors' index rounds as its history, with the
    // way to that round's ranking in today's units, where it carries the district's index.
    let (_, van_canh) = s.get_json("/api/v1/units/21994").await;
    let page = s
        .get(&format!("/units/{}", van_canh["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Đánh giá chuyển đổi số cấp huyện năm 2024")
            && page.contains("Của Huyện Vân Canh (trước sắp xếp)"),
        "{page}"
    );
    let start = page.find("/assessments/rounds/").unwrap();
    let link = &page[start..start + page[start..].find('"').unwrap()];
    assert!(link.ends_with("/results?structure=now"), "{link}");
    let ranking = s.get(link).await.text().await.unwrap();
    assert!(
        ranking.contains("Xã Vân Canh<br><span class=\"muted\">2024: chỉ số của Huyện Vân Canh (trước sắp xếp)</span>"),
        "{ranking}"
    );
    assert!(!ranking.contains("<th scope=\"row\">Huyện Vân Canh"));

    // A 2024 plan's appendix naming Phường Lê Lợi (21583, Phường Thị Nại from 2025 and
    // the new Phường Quy Nhơn's code since July) puts the task on the ward of 2024.
    let (status, plan) = s
        .post_json(
            "/api/v1/plans",
            &serde_json::json!({"year": 2024, "title": "Kế hoạch chuyển đổi số năm 2024 (nhập lại)",
                "decision_date": "15/01/2024"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, text) in ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Hoàn thành"]
        .iter()
        .enumerate()
    {
        sheet.write(0, col as u16, *text).unwrap();
    }
    for (col, text) in [
        "1",
        "Số hoá hồ sơ một cửa",
        "UBND phường Lê Lợi",
        "Quý IV/2024",
    ]
    .iter()
    .enumerate()
    {
        sheet.write(1, col as u16, *text).unwrap();
    }
    let (status, imported) = crate::plan_import::post_workbook(
        &s,
        plan["id"].as_i64().unwrap(),
        book.save_to_buffer().unwrap(),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let (_, le_loi) = s.get_json("/api/v1/units/21583?at=2024-06-01").await;
    assert_eq!(le_loi["name"], "Phường Lê Lợi");
    let (_, tasks) = s
        .get_json(&format!("/api/v1/tasks?plan={}", plan["id"]))
        .await;
    assert_eq!(tasks["items"][0]["lead_unit_id"], le_loi["id"], "{tasks}");
    assert_eq!(
        tasks["items"][0]["lead_unit_now"][0]["name"], "Phường Quy Nhơn",
        "{tasks}"
    );

    // A town's work went to the ward of its People's Committee, not the one named after it.
    let (_, hoai_nhon) = s.get_json("/api/v1/units/543?at=2024-06-01").await;
    assert_eq!(hoai_nhon["successors"], serde_json::json!(["21640"]));
    // Carried work goes on: the 2025 plan's open tasks at Xã Vân Canh report for the
    // quarters after the change, in the name of the commune's (formerly the district's)
    // editor.
    let (_, plans) = s.get_json("/api/v1/plans").await;
    let plan_2025 = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["year"] == 2025)
        .unwrap()["id"]
        .clone();
    let (_, carried) = s
        .get_json(&format!(
            "/api/v1/tasks?plan={plan_2025}&unit=21994&status=in_progress&limit=100"
        ))
        .await;
    let carried = carried["items"].as_array().unwrap();
    assert!(
        !carried.is_empty(),
        "open district work carried to Xã Vân Canh"
    );
    for task in carried {
        let (_, reports) = s
            .get_json(&format!("/api/v1/tasks/{}/reports", task["id"]))
            .await;
        let q3 = reports["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["period"] == "2025Q3")
            .unwrap_or_else(|| panic!("a 2025Q3 report: {reports}"));
        assert_eq!(q3["author_name"], "editor-551", "{q3}");
    }

    // A 2024 quarter of the district form, for the province: as it was (the districts)
    // and as it is now (carried to the communes) add up to the same total.
    for code in ["NL-03", "HT-01"] {
        let url = |at: &str| {
            format!("/api/v1/indicators/{code}/values?unit=52&period=2024Q2&level=children{at}")
        };
        let (status, was) = s.get_json(&url("&at=2024-06-30")).await;
        assert_eq!(status, StatusCode::OK, "{was}");
        let (status, is) = s.get_json(&url("")).await;
        assert_eq!(status, StatusCode::OK, "{is}");
        assert!(was["value"].as_f64().unwrap() > 0.0, "{was}");
        for field in ["value", "numerator", "denominator"] {
            assert_eq!(was[field], is[field], "{code} {field}");
        }
        assert_eq!(
            child(&was, "Thành phố Quy Nhơn")["value"],
            child(&is, "Phường Quy Nhơn")["value"],
            "{code}"
        );
        assert_eq!(is["estimated"], false);
    }
    // After the reform the communes report, and their figures add up to the province's.
    let (_, q3) = s
        .get_json("/api/v1/indicators/NL-03/values?unit=52&period=2025Q3&level=children")
        .await;
    let children = q3["children"].as_array().unwrap();
    let sum: f64 = children.iter().filter_map(|c| c["value"].as_f64()).sum();
    assert!(
        children.iter().filter(|c| c["value"].is_number()).count() > 50,
        "{q3}"
    );
    assert_eq!(q3["value"].as_f64(), Some(sum));
    // The quarter under way has not ended: nothing in it is approved yet.
    let today = time::OffsetDateTime::now_utc().date();
    let this_quarter = format!("{}Q{}", today.year(), (u8::from(today.month()) - 1) / 3 + 1);
    let (_, now) = s
        .get_json(&format!(
            "/api/v1/indicators/NL-03/values?unit=52&period={this_quarter}&level=children"
        ))
        .await;
    assert!(
        now["children"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["value"].is_null()),
        "{now}"
    );

    // Today's accounts speak today's structure: the coordinator works at the Department of
    // Science and Technology, under the new province, and this year's commune work is
    // paid from the commune's budget.
    let (_, me) = s.get_json("/api/v1/me").await;
    let (_, skhcn) = s.get_json("/api/v1/units/52-SKHCN2").await;
    assert_eq!(me["unit_id"], skhcn["id"], "{me}");
    assert_eq!(skhcn["valid_from"], "2025-07-01", "{skhcn}");
    let (_, gia_lai) = s.get_json("/api/v1/units/52").await;
    assert_eq!(skhcn["parent_id"], gia_lai["id"], "{skhcn}");
    let (_, tasks) = s
        .get_json(&format!(
            "/api/v1/tasks?q=&limit=200&plan={}",
            this_year_plan(&s).await
        ))
        .await;
    let funding: Vec<&str> = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["funding_source"].as_str())
        .collect();
    assert!(
        funding.contains(&"Ngân sách xã") && !funding.contains(&"Ngân sách huyện"),
        "{funding:?}"
    );

    // This year's plan speaks the national taxonomy: regular and key tasks, completions
    // awaiting the assigner's confirmation, a task a unit asks to hand back.
    let items = tasks["items"].as_array().unwrap();
    let count =
        |what: &dyn Fn(&serde_json::Value) -> bool| items.iter().filter(|t| what(t)).count();
    assert!(count(&|t| t["regular"] == true) >= 2, "regular tasks");
    assert!(count(&|t| t["key_task"] == true) >= 5, "key tasks");
    assert!(
        count(&|t| t["completion_reported_on"].is_string()) >= 2,
        "completions to confirm"
    );
    assert!(
        count(&|t| t["decline_requested_on"].is_string()) >= 1,
        "a hand-back to decide"
    );
    // Every task comes from the plan, or from a steering session's conclusion notice.
    let from_conclusions = count(&|t| t["assigned_doc_type"] == "conclusion_notice");
    assert_eq!(
        count(&|t| t["assigned_doc_type"] == "plan") + from_conclusions,
        items.len(),
        "every task's source"
    );
    // The committee first sits in late February (a demo made earlier has no session yet).
    let today = time::OffsetDateTime::now_utc().date();
    if today.month() >= time::Month::March {
        assert!(
            from_conclusions >= 2,
            "tasks from the steering committee's conclusions"
        );
    }
    assert!(
        count(&|t| t["officer_name"].is_string()) >= 10,
        "officers named"
    );
    assert!(
        count(&|t| t["delay_exempt_reason"].is_string()) >= 1,
        "a delay exempted"
    );
    let (status, e) = s.get_json("/api/v1/evaluation/figures").await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert!(!e["units"].as_array().unwrap().is_empty(), "{e}");
    assert!(!e["officers"].as_array().unwrap().is_empty(), "{e}");

    // One urging letter was sent to the units late on this year's plan, each of which
    // the urging page counts once; the next letter would be their second reminder.
    let plan = this_year_plan(&s).await;
    let (status, urging) = s.get_json(&format!("/api/v1/plans/{plan}/urging")).await;
    assert_eq!(status, StatusCode::OK, "{urging}");
    let letters = urging["letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1, "{urging}");
    assert!(letters[0]["number"].is_string(), "sent, with its number");
    let late = urging["late_units"].as_array().unwrap();
    assert!(
        late.iter()
            .any(|u| u["missing_reports"].as_i64().unwrap() > 0)
            && late.iter().any(|u| u["overdue"].as_i64().unwrap() > 0),
        "late on figures and on tasks: {urging}"
    );
    assert!(late.iter().all(|u| u["letters_sent"] == 1), "{urging}");
    assert!(
        late.iter().any(|u| u["unanswered_explanations"] == 1),
        "an explanation left unanswered is urged: {urging}"
    );

    // Explanation requests: one answered awaiting the leader, one accepted, one overdue
    // and raised to the unit's head; each count equals its list.
    let leader = app.login("viewer").await;
    let (_, tally) = leader.get_json("/api/v1/explanations/tally").await;
    assert_eq!(tally["to_read"], 1, "{tally}");
    assert_eq!(tally["overdue"], 1, "{tally}");
    for (query, n) in [
        ("status=answered", 1),
        ("status=accepted", 1),
        ("overdue=true", 1),
        ("", 3),
    ] {
        let (_, list) = leader
            .get_json(&format!("/api/v1/explanations?inbox=following&{query}"))
            .await;
        assert_eq!(list["total"], n, "{query}: {list}");
        assert_eq!(list["items"].as_array().unwrap().len(), n, "{query}");
    }
    let (_, late) = leader
        .get_json("/api/v1/explanations?inbox=following&overdue=true")
        .await;
    assert!(late["items"][0]["escalated_at"].is_string(), "{late}");
    let editor = app.login("editor-540").await;
    let (_, asked) = editor
        .get_json("/api/v1/explanations?inbox=to_answer")
        .await;
    assert_eq!(asked["items"][0]["status"], "answered", "{asked}");

    // A weekly briefing to the steering committee's member, sent once when set up and
    // waiting for the mail server; its link opens the province's briefing for them.
    let (status, schedules) = s.get_json("/api/v1/briefing-schedules").await;
    assert_eq!(status, StatusCode::OK, "{schedules}");
    assert_eq!(schedules[0]["recipients"], 1, "{schedules}");
    let (_, briefing) = s
        .get_json(&format!(
            "/api/v1/briefing-schedules/{}",
            schedules[0]["id"]
        ))
        .await;
    let line = &briefing["sends"][0]["deliveries"][0];
    assert_eq!(line["status"], "pending", "{briefing}");
    let send = briefing["sends"][0]["id"].as_i64().unwrap();
    let text = leader.pdf_text(&format!("/briefing-sends/{send}")).await;
    assert!(text.contains("GIA LAI"), "{text}");

    // The documents of today's units (seeding the full demo once serves both).
    crate::documents::todays_documents_speak_for_the_unit_of_today(&app).await;
    crate::displays::a_wall_link_follows_its_unit_through_a_merger(&app).await;
}

async fn this_year_plan(s: &crate::support::Session) -> i64 {
    let (_, plans) = s.get_json("/api/v1/plans").await;
    let year = time::OffsetDateTime::now_utc().year();
    plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["year"] == year)
        .and_then(|p| p["id"].as_i64())
        .unwrap()
}
