//! The operations centre: its numbers agree with the lists behind them, it shows each
//! reader their own part of the province, and it refuses what it cannot read.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::indicators::{approve_all, indicator, save};
use crate::support::{Session, TestApp, docx_text, error_code};

async fn dashboard(s: &Session, query: &str) -> Value {
    let (status, d) = s.get_json(&format!("/api/v1/dashboard{query}")).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    d
}

async fn task_total(s: &Session, query: &str) -> u64 {
    let (status, list) = s.get_json(&format!("/api/v1/tasks?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["total"].as_u64().unwrap()
}

#[tokio::test]
async fn every_dashboard_number_matches_the_task_list_it_links_to() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let d = dashboard(&coordinator, "").await;
    assert_eq!(d["unit"]["code"], "52", "the province by default");
    let plan = d["plan"]["id"].as_i64().unwrap();
    assert_eq!(
        d["plan"]["year"].as_i64().unwrap(),
        i64::from(app.state.today().year()),
        "this year's plan by default"
    );
    let base = format!("plan={plan}&unit=52");
    let overall = &d["overall"];
    assert!(overall["total"].as_u64().unwrap() > 50);
    assert_eq!(
        overall["total"].as_u64().unwrap(),
        task_total(&coordinator, &base).await
    );
    assert_eq!(
        overall["overdue"].as_u64().unwrap(),
        task_total(&coordinator, &format!("{base}&overdue=1")).await
    );
    assert!(
        overall["overdue"].as_u64().unwrap() > 0,
        "the demo has late work"
    );
    for s in d["statuses"].as_array().unwrap() {
        assert_eq!(
            s["count"].as_u64().unwrap(),
            task_total(
                &coordinator,
                &format!("{base}&status={}", s["status"].as_str().unwrap())
            )
            .await,
            "{s}"
        );
    }
    let mut in_groups = 0;
    for g in d["groups"].as_array().unwrap() {
        let key = g["key"].as_str().unwrap();
        let total = g["tally"]["total"].as_u64().unwrap();
        in_groups += total;
        if !key.is_empty() {
            assert_eq!(
                total,
                task_total(&coordinator, &format!("{base}&group={key}")).await,
                "{g}"
            );
        }
    }
    assert_eq!(in_groups, overall["total"].as_u64().unwrap());
    let mut in_units = 0;
    for u in d["units"].as_array().unwrap() {
        let total = u["tally"]["total"].as_u64().unwrap();
        in_units += total;
        let code = u["unit"]["code"].as_str().unwrap();
        if code != "52" {
            assert_eq!(
                total,
                task_total(&coordinator, &format!("plan={plan}&unit={code}")).await,
                "{u}"
            );
        }
        assert_eq!(
            u["by_group"].as_array().unwrap().len(),
            d["groups"].as_array().unwrap().len(),
            "one heat-map cell per group"
        );
    }
    assert_eq!(
        in_units,
        overall["total"].as_u64().unwrap(),
        "every task counts for one unit"
    );
    // Rankings: best first, departments and localities apart.
    let units = d["units"].as_array().unwrap();
    let progress = |i: &Value| {
        units[i.as_u64().unwrap() as usize]["tally"]["average_progress"]
            .as_f64()
            .unwrap()
    };
    for ranking in ["department_ranking", "locality_ranking"] {
        let r = d[ranking].as_array().unwrap();
        assert!(!r.is_empty(), "{ranking}");
        assert!(
            r.windows(2).all(|w| progress(&w[0]) >= progress(&w[1])),
            "{ranking} best first"
        );
    }
    for i in d["department_ranking"].as_array().unwrap() {
        assert_eq!(
            units[i.as_u64().unwrap() as usize]["unit"]["kind"],
            "department"
        );
    }
    // Money by acquisition mode adds up to the whole.
    let planned: i64 = d["modes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["tally"]["budget_planned"].as_i64().unwrap())
        .sum();
    assert_eq!(planned, overall["budget_planned"].as_i64().unwrap());
    // The overdue list is the most overdue first.
    let overdue = d["overdue"].as_array().unwrap();
    assert!(!overdue.is_empty() && overdue.len() <= 10);
    assert!(
        overdue
            .windows(2)
            .all(|w| w[0]["due"].as_str() <= w[1]["due"].as_str())
    );
}

#[tokio::test]
async fn key_indicators_show_the_same_figures_as_the_roll_up() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    indicator(&coordinator, "T-KEY", "number", "sum", "higher").await;
    let year = app.state.today().year() - 1;
    let (status, body) = coordinator
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/targets",
            &json!([{"indicator": "T-KEY", "unit": "52", "period": year.to_string(), "value": 40.0},
                    {"indicator": "T-KEY", "unit": "52", "period": (year - 1).to_string(), "value": 20.0}]),
        )
        .await;
    assert!(status.is_success(), "{body}");
    for (login, unit, value) in [
        ("approver-540", "540", "12"),
        ("approver-542", "542", "9,5"),
    ] {
        let s = app.login(login).await;
        for q in [1, 3] {
            let period = format!("{year}Q{q}");
            let (status, body) = save(
                &s,
                unit,
                &period,
                json!([{"indicator": "T-KEY", "value": value}]),
                true,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            approve_all(&coordinator, &s, unit, &period).await;
        }
    }
    let d = dashboard(&coordinator, &format!("?year={year}")).await;
    let key = d["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "T-KEY")
        .expect("an indicator with a target for the year is a key indicator")
        .clone();
    let (_, rolled) = coordinator
        .get_json(&format!(
            "/api/v1/indicators/T-KEY/values?unit=52&period={year}"
        ))
        .await;
    assert_eq!(key["value"], rolled["value"]);
    assert_eq!(key["value"].as_f64().unwrap(), 43.0, "12 + 12 + 9,5 + 9,5");
    assert_eq!(key["target"].as_f64().unwrap(), 40.0);
    assert_eq!(key["attainment"]["status"], "exceeded");
    let trend = key["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 5, "five years");
    assert_eq!(trend[4]["year"].as_i64().unwrap(), i64::from(year));
    assert_eq!(
        trend[3]["target"].as_f64().unwrap(),
        20.0,
        "last year's target"
    );
    assert!(trend[3]["value"].is_null(), "no figure is not zero");

    // A quarter: its own figures against the year's target.
    let q3 = dashboard(&coordinator, &format!("?year={year}&period={year}Q3")).await;
    assert_eq!(q3["period"], format!("{year}Q3"));
    let key = q3["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "T-KEY")
        .unwrap()
        .clone();
    assert_eq!(
        key["value"].as_f64().unwrap(),
        21.5,
        "12 + 9,5 in the third quarter"
    );
    assert_eq!(key["target"].as_f64().unwrap(), 40.0, "the year's target");
    assert_eq!(key["attainment"]["status"], "not_achieved");
    let obstacles = q3["obstacles"].as_array().unwrap();
    assert!(
        !obstacles.is_empty(),
        "the demo plan reports obstacles each quarter"
    );
    assert!(
        obstacles.iter().all(|o| o["period"] == format!("{year}Q3")),
        "obstacles of that quarter only"
    );
    let word = docx_text(
        &coordinator
            .get(&format!("/dashboard.docx?year={year}&period={year}Q3"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert!(
        word.contains(&format!("(Quý\u{a0}III/{year})")),
        "the report names the quarter"
    );

    // The indicator's page: its trend and the units below it ranked, best first.
    let html = coordinator
        .get(&format!("/indicators/T-KEY?unit=52&period={year}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Diễn biến 5 năm"));
    assert!(
        html.matches("<svg").count() >= 2,
        "trend and ranking charts"
    );
    let ranking = &html[html.find("c-ranking").expect("a ranking chart")..];
    let (qn, al) = (
        ranking.find("Thành phố Quy Nhơn").unwrap(),
        ranking.find("Huyện An Lão").unwrap(),
    );
    assert!(qn < al, "24 ranks above 19 when higher is better");
}

#[tokio::test]
async fn a_district_sees_its_own_district_and_nothing_above_it() {
    let app = TestApp::spawn().await;
    let district = app.login("approver-540").await;
    let d = dashboard(&district, "").await;
    assert_eq!(
        d["unit"]["code"], "540",
        "a district leader lands on its district"
    );
    let own = d["overall"]["total"].as_u64().unwrap();
    let plan = d["plan"]["id"].as_i64().unwrap();
    assert_eq!(
        own,
        task_total(&district, &format!("plan={plan}&unit=540")).await
    );
    // Its peers: every district, itself among them, best first, counted like the lists.
    let peers = d["peers"].as_array().unwrap();
    assert!(peers.len() >= 10, "{} peers", peers.len());
    assert!(peers.iter().all(|p| p["unit"]["kind"] == "district"));
    assert!(peers.iter().any(|p| p["unit"]["code"] == "540"));
    let progress = |p: &Value| p["tally"]["average_progress"].as_f64().unwrap_or(-1.0);
    assert!(peers.windows(2).all(|w| progress(&w[0]) >= progress(&w[1])));
    let coordinator = app.login("coordinator").await;
    for p in peers.iter().take(3) {
        let code = p["unit"]["code"].as_str().unwrap();
        assert_eq!(
            p["tally"]["total"].as_u64().unwrap(),
            task_total(&coordinator, &format!("plan={plan}&unit={code}")).await,
            "{code}"
        );
    }
    // The unit's own page leads there.
    let (_, unit) = coordinator.get_json("/api/v1/units/540").await;
    let page = coordinator
        .get(&format!("/units/{}", unit["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("/dashboard?unit=540"),
        "unit page links its dashboard"
    );
    let html = district.get("/dashboard").await.text().await.unwrap();
    assert!(html.contains("So với các đơn vị cùng cấp"));
    assert!(
        html.contains("► Thành phố Quy Nhơn"),
        "its own bar stands out"
    );
    assert!(
        dashboard(&coordinator, "").await["peers"]
            .as_array()
            .unwrap()
            .is_empty(),
        "the province has no peers here"
    );
    for other in ["52", "542", "52-STP"] {
        let (status, body) = district
            .get_json(&format!("/api/v1/dashboard?unit={other}"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{other}: {body}");
    }
    let r = district.get("/dashboard?unit=542").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The steering committee reads the whole province.
    let viewer = app.login("viewer").await;
    assert_eq!(dashboard(&viewer, "").await["unit"]["code"], "52");
    // Nobody anonymous.
    let r = app
        .client()
        .get(app.url("/api/v1/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .client()
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "to the login page");
}

#[tokio::test]
async fn garbage_filters_get_a_clear_error() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    for (query, field) in [
        ("plan=abc", "plan"),
        ("plan=999999", "plan"),
        ("year=20x5", "year"),
        ("year=99999", "year"),
        ("unit=KHONG-CO", "unit"),
        ("period=2025Q9", "period"),
        ("year=2025&period=2024Q1", "period"),
    ] {
        let (status, body) = coordinator
            .get_json(&format!("/api/v1/dashboard?{query}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(error_code(&body), "validation_failed", "{query}");
        assert_eq!(
            body["error"]["details"][0]["field"], field,
            "{query}: {body}"
        );
    }
    let r = coordinator.get("/dashboard?year=abc").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("year"));
}

#[tokio::test]
async fn the_dashboard_page_draws_accessible_charts_and_a_wall_mode() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let r = coordinator.get("/dashboard").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    for question in [
        "Kế hoạch đến đâu?",
        "Đơn vị nào đang chậm?",
        "Nhiệm vụ quá hạn",
        "Có đạt chỉ tiêu không?",
        "Tiền đi đâu?",
        "Đang vướng ở đâu?",
    ] {
        assert!(html.contains(question), "{question}");
    }
    let charts = html.matches("<svg").count();
    assert!(charts >= 7, "{charts} charts");
    assert_eq!(
        html.matches("role=\"img\"").count() + html.matches("role=\"group\"").count(),
        charts,
        "every chart is named: an image, or a group when its marks are links"
    );
    assert!(
        html.matches("role=\"group\"").count() >= 3,
        "the heat map and the rankings link their cells: groups, so the links are heard"
    );
    assert!(
        html.matches("<details>").count() >= 7,
        "every chart has a table view"
    );
    assert!(
        html.contains("/tasks?plan="),
        "numbers link to the lists behind them"
    );
    assert!(!html.contains("data-rotate"));
    assert!(
        html.contains("<select id=\"period\"") && html.contains(">Quý III/"),
        "the period is chosen from a list, not typed as a code"
    );
    let chosen = coordinator
        .get(&format!("{}&period=2026Q3", "/dashboard?structure=now"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        chosen.contains("value=\"2026Q3\" selected"),
        "the chosen period stays chosen"
    );
    let wall = coordinator
        .get("/dashboard?wall=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(wall.contains("data-rotate"));
    assert!(wall.contains("http-equiv=\"refresh\""));
    assert!(wall.contains("class=\"wall\""));
    assert!(
        !wall.contains("/dashboard.pdf") && !wall.contains("name=\"period\""),
        "no documents or filters on the wall"
    );
    let english = coordinator.get("/lang/en").await;
    assert!(english.status().is_redirection());
    let html = coordinator.get("/dashboard").await.text().await.unwrap();
    assert!(html.contains("How far is the plan?"));
}

/// A sheet of a workbook as rows of cells.
fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn find_row<'a>(rows: &'a [Vec<calamine::Data>], label: &str) -> &'a [calamine::Data] {
    rows.iter()
        .find(|r| {
            r.first()
                .is_some_and(|c| matches!(c, calamine::Data::String(s) if s == label))
        })
        .unwrap_or_else(|| panic!("no row {label}"))
}

fn number(c: &calamine::Data) -> f64 {
    match c {
        calamine::Data::Float(f) => *f,
        calamine::Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[tokio::test]
async fn the_workbook_holds_the_dashboards_numbers() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let d = dashboard(&coordinator, "").await;
    let plan = d["plan"]["id"].as_i64().unwrap();
    let r = coordinator
        .get(&format!(
            "/api/v1/exports/dashboard.xlsx?plan={plan}&unit=52"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    let bytes = r.bytes().await.unwrap();
    let summary = sheet(&bytes, "Tổng hợp");
    assert!(summary[0][0].to_string().contains("Tỉnh Bình Định"));
    let overall = &d["overall"];
    assert_eq!(
        number(&find_row(&summary, "Tổng số nhiệm vụ")[1]),
        overall["total"].as_f64().unwrap()
    );
    assert_eq!(
        number(&find_row(&summary, "Quá hạn, chưa hoàn thành")[1]),
        overall["overdue"].as_f64().unwrap()
    );
    let progress = number(&find_row(&summary, "Tiến độ bình quân")[1]);
    assert!(
        (progress * 100.0 - overall["average_progress"].as_f64().unwrap()).abs() < 1e-9,
        "stored as a fraction, shown as %"
    );
    let planned = number(&find_row(&summary, "Kinh phí kế hoạch (triệu đồng)")[1]);
    assert!((planned * 1e6 - overall["budget_planned"].as_f64().unwrap()).abs() < 1.0);
    for g in d["groups"].as_array().unwrap() {
        let label = format!(
            "{}. {}",
            g["code"].as_str().unwrap(),
            g["name"].as_str().unwrap()
        );
        let row = find_row(&summary, &label);
        assert_eq!(
            number(&row[1]),
            g["tally"]["total"].as_f64().unwrap(),
            "{label}"
        );
        assert_eq!(
            number(&row[5]),
            g["tally"]["overdue"].as_f64().unwrap(),
            "{label}"
        );
    }
    let tasks = sheet(&bytes, "Nhiệm vụ");
    assert_eq!(
        tasks.len() - 3,
        overall["total"].as_u64().unwrap() as usize,
        "one row per task"
    );
    let units = sheet(&bytes, "Đơn vị");
    for u in d["units"].as_array().unwrap() {
        let row = find_row(&units, u["unit"]["name"].as_str().unwrap());
        assert_eq!(number(&row[2]), u["tally"]["total"].as_f64().unwrap());
    }
    let indicators = sheet(&bytes, "Chỉ tiêu");
    assert_eq!(indicators[2][0].to_string(), "Mã");
    // The page offers it, and a district cannot export the province.
    let html = coordinator.get("/dashboard").await.text().await.unwrap();
    assert!(
        html.contains("name=\"kind\" value=\"xlsx\""),
        "the page offers it"
    );
    let district = app.login("approver-540").await;
    assert_eq!(
        district.get("/dashboard.xlsx?unit=52").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        district
            .get("/api/v1/exports/dashboard.xlsx?unit=52")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        coordinator
            .get("/api/v1/exports/dashboard.xlsx?year=x")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_word_report_says_what_the_dashboard_says() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let d = dashboard(&coordinator, "").await;
    let r = coordinator.get("/dashboard.docx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let bytes = r.bytes().await.unwrap();
    let text = docx_text(&bytes);
    for line in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        // The province's own report: its People's Committee issues it.
        "ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH",
        "BÁO CÁO",
        "I. KẾT QUẢ CHUNG",
        "V. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT",
        "Nơi nhận:",
    ] {
        assert!(text.contains(line), "{line} missing");
    }
    assert!(text.contains("Bình Định, ngày"), "place and date line");
    assert!(text.contains("/BC-UBND"), "number and symbol");
    let o = &d["overall"];
    assert!(
        text.contains(&format!("có {} nhiệm vụ", o["total"].as_u64().unwrap())),
        "the total"
    );
    assert!(text.contains(&format!(
        "{} nhiệm vụ quá hạn chưa hoàn thành",
        o["overdue"].as_u64().unwrap()
    )));
    for g in d["groups"].as_array().unwrap() {
        let label = format!(
            "{}. {}",
            g["code"].as_str().unwrap(),
            g["name"].as_str().unwrap()
        );
        assert!(text.contains(&label), "{label}");
    }
    for t in d["overdue"].as_array().unwrap() {
        assert!(text.contains(t["title"].as_str().unwrap()));
    }
    // Charts are pictures in the document.
    assert!(
        bytes.windows(11).any(|w| w == b"word/media/"),
        "charts embedded as images"
    );
    let district = app.login("approver-540").await;
    assert_eq!(
        district
            .get("/api/v1/exports/dashboard.docx?unit=52")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let own = district.get("/api/v1/exports/dashboard.docx").await;
    assert_eq!(own.status(), StatusCode::OK);
    let text = docx_text(&own.bytes().await.unwrap());
    assert!(text.contains("Thành phố Quy Nhơn") || text.contains("THÀNH PHỐ QUY NHƠN"));
}

/// The text of each page of a PDF, read back with pdf-extract, whitespace collapsed.
fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(bytes)
        .expect("a readable PDF")
        .iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[tokio::test]
async fn the_pdf_report_and_briefing_say_what_the_dashboard_says() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let d = dashboard(&coordinator, "").await;
    let r = coordinator.get("/dashboard.pdf").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let text = pdf_pages(&r.bytes().await.unwrap()).join(" ");
    for line in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        "I. KẾT QUẢ CHUNG",
        "Nơi nhận:",
    ] {
        assert!(text.contains(line), "{line} missing from the PDF");
    }
    let o = &d["overall"];
    assert!(text.contains(&format!("có {} nhiệm vụ", o["total"].as_u64().unwrap())));
    assert!(text.contains(&format!(
        "{} nhiệm vụ quá hạn chưa hoàn thành",
        o["overdue"].as_u64().unwrap()
    )));
    // The Word and PDF reports carry the same words: both come from one model.
    let word = docx_text(
        &coordinator
            .get("/dashboard.docx")
            .await
            .bytes()
            .await
            .unwrap(),
    );
    let first_paragraph = word
        .lines()
        .find(|l| l.starts_with("Kế hoạch chuyển đổi số"))
        .expect("the overall paragraph");
    let collapsed = first_paragraph
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains(&collapsed),
        "same overall paragraph in Word and PDF"
    );

    let r = coordinator.get("/api/v1/exports/briefing.pdf").await;
    assert_eq!(r.status(), StatusCode::OK);
    let pages = pdf_pages(&r.bytes().await.unwrap());
    assert_eq!(pages.len(), 1, "the briefing is one page");
    assert!(pages[0].contains("TỈNH BÌNH ĐỊNH"));
    let behind = d["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["tally"]["total"].as_u64().unwrap() > 0)
        .min_by(|a, b| {
            a["tally"]["average_progress"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["tally"]["average_progress"].as_f64().unwrap())
        })
        .unwrap();
    assert!(
        pages[0].contains(behind["unit"]["name"].as_str().unwrap()),
        "the most-behind unit is named"
    );
    let district = app.login("approver-540").await;
    for path in ["/dashboard.pdf?unit=52", "/dashboard/briefing.pdf?unit=52"] {
        assert_eq!(
            district.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        app.client()
            .get(app.url("/api/v1/exports/briefing.pdf"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Polls a job until it is no longer running.
async fn finished_job(s: &Session, id: i64) -> Value {
    for _ in 0..100 {
        let (status, job) = s.get_json(&format!("/api/v1/exports/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if job["status"] != "running" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("job {id} still running");
}

#[tokio::test]
async fn reports_are_made_in_the_background_and_fetched_by_their_owner() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (status, job) = coordinator
        .post_json(
            "/api/v1/exports",
            &json!({"kind": "briefing", "year": 2026}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_i64().unwrap();
    let job = finished_job(&coordinator, id).await;
    assert_eq!(job["status"], "done", "{job}");
    let file = coordinator.get(job["download_url"].as_str().unwrap()).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(pdf_pages(&file.bytes().await.unwrap()).len(), 1);
    // Someone else's job does not exist for you.
    let viewer = app.login("viewer").await;
    let (status, _) = viewer.get_json(&format!("/api/v1/exports/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        viewer
            .get(&format!("/api/v1/exports/{id}/file"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Refusals are answers, not failed jobs.
    for (body, status, field) in [
        (
            json!({"kind": "pptx"}),
            StatusCode::BAD_REQUEST,
            Some("kind"),
        ),
        (
            json!({"kind": "pdf", "year": "x"}),
            StatusCode::BAD_REQUEST,
            Some("year"),
        ),
        (
            json!({"kind": "pdf", "unit": "KHONG"}),
            StatusCode::BAD_REQUEST,
            Some("unit"),
        ),
    ] {
        let (s, answer) = coordinator.post_json("/api/v1/exports", &body).await;
        assert_eq!(s, status, "{body}: {answer}");
        assert_eq!(
            answer["error"]["details"][0]["field"].as_str(),
            field,
            "{body}"
        );
    }
    let district = app.login("approver-540").await;
    let (s, _) = district
        .post_json("/api/v1/exports", &json!({"kind": "xlsx", "unit": "52"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Through the pages: the dashboard's button, the progress page, the download.
    let html = coordinator.get("/dashboard").await.text().await.unwrap();
    assert!(html.contains("action=\"/exports\""));
    let r = coordinator
        .post_form("/exports", &[("kind", "docx"), ("unit", "52")])
        .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.trim_start_matches("/exports/").parse().unwrap();
    finished_job(&coordinator, id).await;
    let page = coordinator.get(&location).await.text().await.unwrap();
    assert!(page.contains("Báo cáo đã sẵn sàng"), "{page}");
    assert!(page.contains(&format!("/exports/{id}/file")));
    let file = coordinator.get(&format!("/exports/{id}/file")).await;
    assert!(
        file.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    assert!(docx_text(&file.bytes().await.unwrap()).contains("BÁO CÁO"));
}

#[tokio::test]
async fn a_restart_marks_unfinished_reports_as_interrupted() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (_, me) = coordinator.get_json("/api/v1/me").await;
    let user_id = me["id"].as_i64().unwrap();
    let id = {
        let mut c = app.state.db.begin().await.unwrap();
        let id = dxplan_app::store::exports::start(&mut c, user_id, "pdf", "", app.state.now())
            .await
            .unwrap();
        c.commit().await.unwrap();
        id
    };
    // A second server process starts on the same database.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let state = app.state.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        dxplan_web::serve(listener, state, async {
            let _ = rx.await;
        })
        .await
    });
    let mut job = Value::Null;
    for _ in 0..100 {
        job = coordinator
            .get_json(&format!("/api/v1/exports/{id}"))
            .await
            .1;
        if job["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(job["status"], "failed");
    assert_eq!(job["error"], "interrupted");
    let page = coordinator
        .get(&format!("/exports/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Hãy tạo lại"), "the page says what to do");
    let _ = tx.send(());
    let _ = server.await;
}

#[tokio::test]
async fn a_change_shows_on_the_dashboard_at_once_though_dashboards_are_kept() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let viewer = app.login("viewer").await;
    let before = dashboard(&viewer, "").await;
    // Read again: the same answer, now from what the server keeps.
    assert_eq!(dashboard(&viewer, "").await, before);
    let plan = before["plan"]["id"].as_i64().unwrap();
    let group = before["groups"][0]["key"].as_str().unwrap().to_string();
    let (status, task) = coordinator
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &json!({"code": "MEMO.1", "title": "Nhiệm vụ mới của Sở", "group_id": group.parse::<i64>().unwrap(),
                    "lead_unit_code": "540", "due_date": "2020-01-31"}),
        )
        .await;
    assert!(status.is_success(), "{task}");
    let after = dashboard(&viewer, "").await;
    assert_eq!(
        after["overall"]["total"].as_u64().unwrap(),
        before["overall"]["total"].as_u64().unwrap() + 1,
        "the new task is counted on the next read"
    );
    // And the page, which renders the same numbers.
    let page = viewer.get("/dashboard").await.text().await.unwrap();
    assert!(
        page.contains(&after["overall"]["total"].to_string()),
        "the page shows the new total"
    );
}
