//! Open data: anonymous downloads of approved and published data only, a DCAT-style
//! catalogue, and downloads streamed page by page.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::indicators::{approve_all, indicator, save};
use crate::support::TestApp;

async fn anonymous(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = app.client().get(app.url(path)).send().await.unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn only_approved_figures_and_committed_tasks_are_published_as_open_data() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    indicator(&coordinator, "OD-1", "number", "sum", "higher").await;
    let qn = app.login("editor-540").await;
    let qn_head = app.login("approver-540").await;
    // Quy Nhơn's 21 is approved; its correction to 25 waits for review.
    let row = |v: &str| json!([{"indicator": "OD-1", "value": v}]);
    assert_eq!(
        save(&qn_head, "540", "2025Q2", row("21"), true).await.0,
        StatusCode::OK
    );
    approve_all(&coordinator, &qn, "540", "2025Q2").await;
    assert_eq!(
        save(&qn_head, "540", "2025Q2", row("25"), true).await.0,
        StatusCode::OK
    );
    // An Lão's 99 is a draft; Hoài Ân's 77 is submitted, not approved.
    let al = app.login("approver-542").await;
    assert_eq!(
        save(&al, "542", "2025Q2", row("99"), false).await.0,
        StatusCode::OK
    );
    let ha = app.login("approver-544").await;
    assert_eq!(
        save(&ha, "544", "2025Q2", row("77"), true).await.0,
        StatusCode::OK
    );

    let (status, csv) = anonymous(&app, "/open/datasets/indicator-values.csv").await;
    assert_eq!(status, StatusCode::OK);
    let od: Vec<&str> = csv.lines().filter(|l| l.starts_with("OD-1,")).collect();
    assert_eq!(od.len(), 1, "{csv}");
    assert!(
        od[0].contains(",540,") && od[0].contains(",2025Q2,21,"),
        "{}",
        od[0]
    );
    let (_, json) = anonymous(&app, "/open/datasets/indicator-values.json").await;
    let json: Value = serde_json::from_str(&json).unwrap();
    let values: Vec<f64> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["indicator_code"] == "OD-1")
        .map(|v| v["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, vec![21.0], "drafts and pending figures never leak");

    // Plan progress counts committed tasks only: its total is theirs.
    let (status, progress) = anonymous(&app, "/open/datasets/plan-progress.json").await;
    assert_eq!(status, StatusCode::OK);
    let progress: Value = serde_json::from_str(&progress).unwrap();
    let published: u64 = progress["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tasks"].as_u64().unwrap())
        .sum();
    let (committed, all) = {
        let mut c = app.state.db.read().await.unwrap();
        let committed = dxplan_app::store::open_data::committed_tasks(&mut c)
            .await
            .unwrap()
            .len() as u64;
        let (_, everything) = coordinator.get_json("/api/v1/tasks?per_page=1").await;
        (committed, everything["total"].as_u64().unwrap())
    };
    assert_eq!(published, committed);
    assert!(
        committed < all,
        "drafts and tasks awaiting review exist and are left out"
    );
    let (_, progress_csv) = anonymous(&app, "/open/datasets/plan-progress.csv").await;
    assert!(
        progress_csv.starts_with('\u{feff}'),
        "Excel reads Vietnamese"
    );
    assert_eq!(
        progress_csv.lines().count() - 1,
        progress["items"].as_array().unwrap().len()
    );

    // Index results appear once published, and not before.
    let (_, index) = anonymous(&app, "/open/datasets/index-results.json").await;
    let index: Value = serde_json::from_str(&index).unwrap();
    assert!(index["items"].as_array().unwrap().is_empty());
    let seeded = dxplan_app::demo::index::seed(&app.state).await.unwrap();
    assert!(!seeded.open_rounds.is_empty());
    let (_, index) = anonymous(&app, "/open/datasets/index-results.json").await;
    let index: Value = serde_json::from_str(&index).unwrap();
    let rows = index["items"].as_array().unwrap();
    assert_eq!(rows.len(), 20 + 11, "the 2024 rounds, not 2025's");
    assert!(rows.iter().all(|r| r["year"] == 2024));
    // Each row names its unit by code as well as by name, as every other dataset does.
    let quy_nhon = rows
        .iter()
        .find(|r| r["unit"] == "Thành phố Quy Nhơn")
        .unwrap_or_else(|| panic!("{index}"));
    assert_eq!(quy_nhon["unit_code"], "540");
    let (_, csv) = anonymous(&app, "/open/datasets/index-results.csv").await;
    assert!(
        csv.lines()
            .next()
            .is_some_and(|h| h.contains("rank,unit_code,unit,points")),
        "{csv}"
    );

    // Unknown datasets and formats are plain 404s.
    assert_eq!(
        anonymous(&app, "/open/datasets/users.csv").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anonymous(&app, "/open/datasets/plan-progress.xml").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_catalogue_describes_every_dataset_and_large_downloads_stream() {
    let app = TestApp::spawn().await;
    let (status, page) = anonymous(&app, "/open").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Số liệu chỉ tiêu chuyển đổi số đã được phê duyệt"));
    let (status, catalog) = anonymous(&app, "/open/catalog.json").await;
    assert_eq!(status, StatusCode::OK);
    let catalog: Value = serde_json::from_str(&catalog).unwrap();
    assert_eq!(catalog["@type"], "dcat:Catalog");
    assert_eq!(catalog["publisher"]["name"], "Tỉnh Bình Định");
    let datasets = catalog["dataset"].as_array().unwrap();
    assert_eq!(datasets.len(), 3);
    for d in datasets {
        for key in ["title", "description", "license", "publisher"] {
            assert!(!d[key].is_null(), "{key} in {d}");
        }
        let urls: Vec<&str> = d["distribution"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["downloadURL"].as_str().unwrap())
            .collect();
        assert_eq!(urls.len(), 2);
        for url in urls {
            assert!(url.starts_with("http://127.0.0.1:"), "{url}");
            let path = &url[url.find("/open").unwrap()..];
            assert_eq!(anonymous(&app, path).await.0, StatusCode::OK, "{path}");
        }
    }

    // More figures than one page of the stream: 159 communes × 36 months.
    let coordinator = app.login("coordinator").await;
    crate::indicators::indicator(&coordinator, "OD-MANY", "number", "sum", "higher").await;
    let written = {
        let mut c = app.state.db.begin().await.unwrap();
        let indicator = dxplan_app::store::indicators::by_code(&mut c, "OD-MANY")
            .await
            .unwrap()
            .unwrap();
        let communes: Vec<i64> = dxplan_app::store::units::valid_on(&mut c, app.state.today())
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.kind == dxplan_domain::unit::UnitKind::Commune)
            .map(|u| u.id)
            .collect();
        let months: Vec<dxplan_domain::period::Period> = (2023..2026)
            .flat_map(|y| (1..=12).map(move |m| dxplan_domain::period::Period::Month(y, m)))
            .collect();
        let n = dxplan_app::store::indicators::generate_approved(
            &mut c,
            indicator.id,
            dxplan_app::store::indicators::ScaleShape::Count,
            1,
            &communes,
            &months,
            app.state.now(),
        )
        .await
        .unwrap();
        c.commit().await.unwrap();
        n as usize
    };
    assert!(written > 5_000, "{written}");
    let (_, json) = anonymous(&app, "/open/datasets/indicator-values.json").await;
    let json: Value = serde_json::from_str(&json).expect("one valid JSON document across pages");
    let many = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["indicator_code"] == "OD-MANY")
        .count();
    assert_eq!(many, written);
    let (_, csv) = anonymous(&app, "/open/datasets/indicator-values.csv").await;
    assert_eq!(csv.matches("indicator_code,").count(), 1, "one header row");
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("OD-MANY,")).count(),
        written
    );
}
