//! Year-end forecasts of key indicators: the trend of the year's periods against the target,
//! worst first on the dashboard, the wall and the indicator's page.

use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::indicators::{approve_all, indicator, save};
use crate::support::{TestApp, TestClock, docx_text};

#[tokio::test]
async fn key_indicators_are_forecast_from_the_quarters_so_far_and_the_worst_come_first() {
    // Mid-November: three quarters have ended, the fourth is under way.
    let app = TestApp::spawn_with_clock(TestClock::at(datetime!(2026-11-15 9:00 +7))).await;
    let coordinator = app.login("coordinator").await;
    // On track: 10 + 20 + 30 carried on to 40 makes the 100 set.
    indicator(&coordinator, "F-SUM", "number", "sum", "higher").await;
    // Will miss: the last quarter's count heads for 40 where 100 is wanted.
    indicator(&coordinator, "F-LAST", "number", "latest", "higher").await;
    // At risk: the same pace against 105.
    indicator(&coordinator, "F-RISK", "number", "sum", "higher").await;
    // Cannot judge: one quarter is not a trend.
    indicator(&coordinator, "F-ONE", "number", "sum", "higher").await;
    let (status, body) = coordinator
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/targets",
            &json!([{"indicator": "F-SUM", "unit": "52", "period": "2026", "value": 100.0},
                    {"indicator": "F-LAST", "unit": "52", "period": "2026", "value": 100.0},
                    {"indicator": "F-RISK", "unit": "52", "period": "2026", "value": 105.0},
                    {"indicator": "F-ONE", "unit": "52", "period": "2026", "value": 10.0}]),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let approver = app.login("approver-540").await;
    for (q, value) in [(1, "10"), (2, "20"), (3, "30")] {
        let period = format!("2026Q{q}");
        let mut rows = vec![
            json!({"indicator": "F-SUM", "value": value}),
            json!({"indicator": "F-LAST", "value": value}),
            json!({"indicator": "F-RISK", "value": value}),
        ];
        if q == 1 {
            rows.push(json!({"indicator": "F-ONE", "value": "5"}));
        }
        let (status, body) = save(&approver, "540", &period, Value::Array(rows), true).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        approve_all(&coordinator, &approver, "540", &period).await;
    }
    // A figure for the quarter under way (not approved: it is not looked at either way).
    let (status, body) = save(
        &approver,
        "540",
        "2026Q4",
        json!([{"indicator": "F-LAST", "value": "0"}]),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, d) = coordinator.get_json("/api/v1/dashboard?year=2026").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let cards = d["indicators"].as_array().unwrap();
    let order: Vec<&str> = cards.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        ["F-LAST", "F-RISK", "F-SUM", "F-ONE"],
        "red, orange, green, grey"
    );
    let card = |code: &str| cards.iter().find(|c| c["code"] == code).unwrap();
    let f = &card("F-SUM")["forecast"];
    assert_eq!(f["outlook"], "on_track");
    assert_eq!(f["method"], "year_periods");
    assert_eq!(f["value"].as_f64().unwrap(), 100.0);
    assert_eq!(
        (f["basis"].as_u64(), f["periods"].as_u64()),
        (Some(3), Some(4))
    );
    assert_eq!(card("F-LAST")["forecast"]["outlook"], "will_miss");
    assert_eq!(card("F-LAST")["forecast"]["value"].as_f64().unwrap(), 40.0);
    assert_eq!(card("F-RISK")["forecast"]["outlook"], "at_risk");
    assert_eq!(card("F-ONE")["forecast"]["outlook"], "cannot_judge");
    assert!(card("F-ONE")["forecast"]["value"].is_null());
    // The forecast uses the same figures as the year's roll-up: 60 so far, of 100.
    assert_eq!(card("F-SUM")["value"].as_f64().unwrap(), 60.0);

    // The page says it in words, the worst first, with how it was worked out.
    let page = coordinator
        .get("/dashboard?year=2026")
        .await
        .text()
        .await
        .unwrap();
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle} not on the dashboard"))
    };
    assert!(at("Dự báo không đạt") < at("Có nguy cơ không đạt"));
    assert!(at("Có nguy cơ không đạt") < at("Đúng hướng"));
    assert!(at("Đúng hướng") < at("Chưa đủ số liệu để dự báo"));
    assert!(page.contains("Theo đường xu hướng qua 3/4 quý đã có số liệu, kéo dài đến hết năm."));
    assert!(page.contains("Cần ít nhất 2 kỳ có số liệu; mới có 1."));
    let wall = coordinator
        .get("/dashboard?year=2026&wall=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(wall.find("Dự báo không đạt").unwrap() < wall.find("Đúng hướng").unwrap());

    // The Word progress report carries the forecast beside the year's figure.
    let r = coordinator.get("/dashboard.docx?year=2026").await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = docx_text(&r.bytes().await.unwrap());
    assert!(text.contains("Dự báo cả năm"), "{text}");
    assert!(text.contains("40: Dự báo không đạt"), "{text}");

    // The indicator's own page, for the province and for the district that reported.
    let page = coordinator
        .get("/indicators/F-LAST?period=2026")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("outlook-red"), "{page}");
    let (status, _) = coordinator
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/targets",
            &json!([{"indicator": "F-LAST", "unit": "540", "period": "2026", "value": 35.0}]),
        )
        .await;
    assert!(status.is_success());
    let page = approver
        .get("/indicators/F-LAST?period=2026")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("outlook-green"), "a district's own target");

    // A year that is over with every quarter in is not a forecast: it is the figure.
    let (status, body) = save(
        &approver,
        "540",
        "2025Q1",
        json!([{"indicator": "F-SUM", "value": "1"}]),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    approve_all(&coordinator, &approver, "540", "2025Q1").await;
    let (status, body) = coordinator
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/targets",
            &json!([{"indicator": "F-SUM", "unit": "52", "period": "2025", "value": 4.0}]),
        )
        .await;
    assert!(status.is_success(), "{body}");
    for q in 2..=4 {
        let period = format!("2025Q{q}");
        let (status, body) = save(
            &approver,
            "540",
            &period,
            json!([{"indicator": "F-SUM", "value": "1"}]),
            true,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        approve_all(&coordinator, &approver, "540", &period).await;
    }
    let (_, d) = coordinator.get_json("/api/v1/dashboard?year=2025").await;
    let f = &d["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "F-SUM")
        .unwrap()["forecast"];
    assert_eq!(f["method"], "final");
    assert_eq!(f["outlook"], "on_track");
    assert_eq!(f["value"].as_f64().unwrap(), 4.0);
}
