//! DHIS2 exchange: approved figures out as a dataValueSet with mapped identifiers and
//! DHIS2 periods, figures in through the same checks as any other, garbage refused whole.

use reqwest::StatusCode;
use serde_json::json;

use crate::indicators::{approve_all, indicator, save};
use crate::support::TestApp;

#[tokio::test]
async fn figures_go_out_and_come_in_as_dhis2_data_value_sets() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    indicator(&coordinator, "DH-1", "number", "sum", "higher").await;
    let qn = app.login("approver-540").await;
    let row = |v: &str| json!([{"indicator": "DH-1", "value": v}]);
    assert_eq!(
        save(&qn, "540", "2025Q2", row("12"), true).await.0,
        StatusCode::OK
    );
    approve_all(&coordinator, &qn, "540", "2025Q2").await;
    let al = app.login("approver-542").await;
    assert_eq!(
        save(&al, "542", "2025Q2", row("30"), true).await.0,
        StatusCode::OK
    );

    // Identifiers mapped both ways; garbage mappings refused whole.
    let (status, body) = coordinator
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/dhis2/mappings",
            &json!({"items": [
                {"kind": "data_element", "code": "KHONG-CO", "dhis2_id": "a1"},
                {"kind": "org_unit", "code": "540", "dhis2_id": "has space"},
                {"kind": "dataset", "code": "540", "dhis2_id": "x"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = app
        .login("viewer")
        .await
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/dhis2/mappings",
            &json!({"items": []}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = coordinator
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/dhis2/mappings",
            &json!({"items": [
                {"kind": "data_element", "code": "DH-1", "dhis2_id": "f7n9E0hX8qk"},
                {"kind": "org_unit", "code": "540", "dhis2_id": "DiszpKrYNg8"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Out: approved figures only, in DHIS2's identifiers and period notation.
    let (status, set) = coordinator
        .get_json("/api/v1/dhis2/dataValueSets?period=2025Q2&dataElement=f7n9E0hX8qk")
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(
        set["dataValues"],
        json!([{"dataElement": "f7n9E0hX8qk", "period": "2025Q2", "orgUnit": "DiszpKrYNg8", "value": "12"}]),
        "An Lão's figure awaits review and does not go out"
    );

    // In: DHIS2's identifiers and periods come back to dxplan's, submitted for review.
    let (status, body) = qn
        .post_json(
            "/api/v1/dhis2/dataValueSets?submit=true",
            &json!({"period": "2025Q3", "orgUnit": "DiszpKrYNg8",
                    "dataValues": [{"dataElement": "f7n9E0hX8qk", "value": "15", "comment": "từ DHIS2"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["importCount"]["imported"], 1);
    let (_, values) = qn
        .get_json("/api/v1/data-values?unit=540&period=2025Q3")
        .await;
    let dh = values["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == 15.0)
        .expect("the imported figure");
    assert_eq!(dh["status"], "submitted");

    // Garbage: a period DHIS2 would not send, an unknown element, another unit's data.
    let (status, body) = qn
        .post_json(
            "/api/v1/dhis2/dataValueSets",
            &json!({"dataValues": [{"dataElement": "f7n9E0hX8qk", "period": "2025W10", "orgUnit": "DiszpKrYNg8", "value": "1"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "dataValues.0.period");
    let (status, body) = qn
        .post_json(
            "/api/v1/dhis2/dataValueSets",
            &json!({"period": "2025Q4", "orgUnit": "DiszpKrYNg8",
                    "dataValues": [{"dataElement": "f7n9E0hX8qk", "value": "2"},
                                   {"dataElement": "KHONG-CO", "value": "3"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = al
        .post_json(
            "/api/v1/dhis2/dataValueSets",
            &json!({"period": "2025Q4", "orgUnit": "DiszpKrYNg8",
                    "dataValues": [{"dataElement": "f7n9E0hX8qk", "value": "2"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another district's figures");
    let (_, q4) = qn
        .get_json("/api/v1/data-values?unit=540&period=2025Q4")
        .await;
    assert!(
        q4["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["status"] == "missing" || v["value"].is_null()),
        "nothing of a refused set was saved: {q4}"
    );
}
