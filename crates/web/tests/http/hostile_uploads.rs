//! Hostile workbooks posted to the plan import, as an attacker would: each is refused
//! with the reason the reader gives, in the caller's language, and the server goes on
//! serving. The files are the generators of dxplan-report's `hostile-files` feature.

use dxplan_domain::Lang;
use dxplan_report::sheet::{SheetError, hostile};
use reqwest::StatusCode;
use serde_json::json;

use crate::plan_import::post_workbook;
use crate::support::{TestApp, error_code};

#[tokio::test]
async fn hostile_workbooks_are_refused_with_their_reason_and_the_server_keeps_serving() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (status, plan) = coordinator
        .post_json(
            "/api/v1/plans",
            &json!({"year": 2025, "title": "Kế hoạch thử tệp độc"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let plan = plan["id"].as_i64().unwrap();
    for case in hostile::cases() {
        let (status, body) = post_workbook(&coordinator, plan, (case.bytes)(), true).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            case.name
        );
        assert_eq!(error_code(&body), "import_rejected", "{}", case.name);
        let message = body["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or_default();
        match &case.refused_with {
            // The import says where ("Dòng 1: …"), then the reader's reason.
            Some(refusal) => assert!(
                message.ends_with(&refusal.message(Lang::Vi)),
                "{}: {message}",
                case.name
            ),
            // The readable files hold no plan: refused for that, not as unreadable.
            None => assert!(
                !message.ends_with(&SheetError::NotAWorkbook(String::new()).message(Lang::Vi)),
                "{}: {message}",
                case.name
            ),
        }
    }
    let (status, _) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/tasks"))
        .await;
    assert_eq!(status, StatusCode::OK, "the server still answers");
}
