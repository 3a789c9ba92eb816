//! Each role against its own unit, a child unit, a sibling unit and admin-only actions,
//! through HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, error_code};

async fn user_id(app: &TestApp, username: &str) -> i64 {
    let mut c = app.state.db.read().await.unwrap();
    dxplan_app::store::users::by_username(&mut c, username)
        .await
        .unwrap()
        .unwrap()
        .id
}

fn usernames(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_approver_sees_accounts_of_its_unit_and_children_but_not_siblings() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    // An officer of a commune under Quy Nhơn (540).
    let (status, _) = admin
        .post_json("/api/v1/users", &json!({"username": "xa-nhon-binh", "display_name": "Cán bộ phường Nhơn Bình",
            "password": "long enough", "unit_code": "21550", "role": "unit_editor", "role_unit_code": "21550"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let approver = app.login("approver-540").await;
    let (status, list) = approver.get_json("/api/v1/users?limit=100").await;
    assert_eq!(status, StatusCode::OK);
    let names = usernames(&list);
    assert!(
        names.contains(&"editor-540".to_string()),
        "own unit: {names:?}"
    );
    assert!(
        names.contains(&"xa-nhon-binh".to_string()),
        "child unit: {names:?}"
    );
    assert!(
        !names.contains(&"editor-542".to_string()),
        "sibling unit: {names:?}"
    );
    assert!(!names.contains(&"admin".to_string()));

    let own = user_id(&app, "editor-540").await;
    let child = user_id(&app, "xa-nhon-binh").await;
    let sibling = user_id(&app, "editor-542").await;
    assert_eq!(
        approver.get(&format!("/api/v1/users/{own}")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        approver
            .get(&format!("/api/v1/users/{child}"))
            .await
            .status(),
        StatusCode::OK
    );
    let (status, body) = approver.get_json(&format!("/api/v1/users/{sibling}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "forbidden");

    // The coordinator, granted on the province, sees them all.
    let coordinator = app.login("coordinator").await;
    let (_, list) = coordinator.get_json("/api/v1/users?limit=200").await;
    let names = usernames(&list);
    assert!(
        names.contains(&"editor-542".to_string()) && names.contains(&"xa-nhon-binh".to_string())
    );
}

#[tokio::test]
async fn editors_and_viewers_cannot_list_accounts() {
    let app = TestApp::spawn().await;
    for who in ["editor-540", "viewer"] {
        let s = app.login(who).await;
        assert_eq!(
            s.get("/api/v1/users").await.status(),
            StatusCode::FORBIDDEN,
            "{who}"
        );
        assert_eq!(
            s.get("/users").await.status(),
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
}

#[tokio::test]
async fn admin_only_actions_are_refused_to_every_other_role() {
    let app = TestApp::spawn().await;
    let users_before = {
        let mut c = app.state.db.read().await.unwrap();
        dxplan_app::store::users::count(&mut c).await.unwrap()
    };
    let units_before = app.unit_count().await;
    let target = user_id(&app, "editor-542").await;
    for who in ["coordinator", "approver-540", "editor-540", "viewer"] {
        let s = app.login(who).await;
        let (status, _) = s
            .post_json(
                "/api/v1/users",
                &json!({"username": "intruder", "display_name": "X", "password": "long enough"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} creates a user");
        let (status, _) = s
            .post_json(
                &format!("/api/v1/users/{target}/grants"),
                &json!({"role": "admin"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} grants a role");
        let (status, _) = s
            .patch_json(
                &format!("/api/v1/users/{target}"),
                &json!({"active": false}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} disables an account");
        let (status, _) = s
            .post_json(
                "/api/v1/units",
                &json!({"code": "999", "name": "Xã Mới", "kind": "commune", "parent_code": "540"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{who} creates a unit in a subtree"
        );
        let (status, _) = s
            .patch_json("/api/v1/units/21550", &json!({"name": "Đổi tên"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} renames a unit");
        assert_eq!(
            s.get("/api/v1/audit").await.status(),
            StatusCode::FORBIDDEN,
            "{who} reads the audit log"
        );
        assert_eq!(
            s.get("/audit").await.status(),
            StatusCode::FORBIDDEN,
            "{who} opens the audit page"
        );
        let r = s
            .client
            .post(s.url("/api/v1/units/import"))
            .header("x-csrf-token", &s.csrf)
            .header("content-type", "text/csv")
            .body("code,name,level,parent_code\n999,Xã,commune,540\n")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who} imports units");
        // Every role may browse the unit tree.
        assert_eq!(
            s.get("/api/v1/units?parent=540").await.status(),
            StatusCode::OK,
            "{who} browses"
        );
    }
    let users_after = {
        let mut c = app.state.db.read().await.unwrap();
        dxplan_app::store::users::count(&mut c).await.unwrap()
    };
    assert_eq!(users_after, users_before);
    assert_eq!(app.unit_count().await, units_before);
}

#[tokio::test]
async fn nobody_logged_in_gets_401_from_the_api() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for path in [
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/units/540",
    ] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(error_code(&body), "unauthorized");
    }
}

async fn unit_id(app: &TestApp, code: &str) -> i64 {
    let mut c = app.state.db.read().await.unwrap();
    dxplan_app::store::units::by_code(&mut c, code, app.state.today())
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn a_unit_page_lists_its_people_only_to_those_whose_scope_covers_it() {
    let app = TestApp::spawn().await;
    let own = unit_id(&app, "540").await;
    let child = unit_id(&app, "21550").await;
    let sibling = unit_id(&app, "542").await;
    let heading = "Người dùng của đơn vị";
    let cases = [
        ("approver-540", [true, true, false]),
        ("coordinator", [true, true, true]),
        ("editor-540", [false, false, false]),
        ("viewer", [false, false, false]),
    ];
    for (who, expected) in cases {
        let s = app.login(who).await;
        for (unit, visible) in [own, child, sibling].into_iter().zip(expected) {
            let r = s.get(&format!("/units/{unit}")).await;
            assert_eq!(r.status(), StatusCode::OK);
            let html = r.text().await.unwrap();
            assert_eq!(html.contains(heading), visible, "{who} on unit {unit}");
            // Nobody but an admin is offered the unit's edit form.
            assert!(!html.contains("/edit\""), "{who} offered edit");
        }
        assert_eq!(
            s.get(&format!("/units/{own}/edit")).await.status(),
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
}
