//! API tokens: made once and stored hashed, narrower than their owner, refused when
//! expired or revoked, rate-limited, and every write made with one audited as such.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Session, TestApp, TestClock, error_code, test_config};

async fn make(s: &Session, body: Value) -> (i64, String) {
    let (status, created) = s.post_json("/api/v1/tokens", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("dxp_") && secret.len() > 40);
    (created["token"]["id"].as_i64().unwrap(), secret)
}

async fn with_token(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    secret: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(secret);
    if let Some(body) = body {
        r = r.json(&body);
    }
    r.send().await.unwrap()
}

async fn body(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_token_reads_and_writes_within_its_scope_and_writes_are_audited_as_made_with_it() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (_, read) = make(&coordinator, json!({"name": "LGSP đọc", "access": "read"})).await;
    // Read-only: reads, never writes; no CSRF token needed, no cookie sent.
    let (status, tasks) =
        body(with_token(&app, reqwest::Method::GET, "/api/v1/tasks", &read, None).await).await;
    assert_eq!(status, StatusCode::OK, "{tasks}");
    let plan = json!({"year": 2027, "title": "Kế hoạch chuyển đổi số năm 2027"});
    let (status, _) = body(
        with_token(
            &app,
            reqwest::Method::POST,
            "/api/v1/plans",
            &read,
            Some(plan.clone()),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Read-write: the write lands and the audit log says it came through the token.
    let (_, write) = make(
        &coordinator,
        json!({"name": "Phần mềm Sở", "access": "read_write"}),
    )
    .await;
    let (status, created) = body(
        with_token(
            &app,
            reqwest::Method::POST,
            "/api/v1/plans",
            &write,
            Some(plan),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let event = {
        let mut c = app.state.db.read().await.unwrap();
        dxplan_app::store::audit::list(
            &mut c,
            &dxplan_app::store::audit::AuditFilter {
                action: Some("plan.create".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .events
        .remove(0)
    };
    assert_eq!(event.via, "token");
    assert_eq!(event.actor_name, "coordinator [token Phần mềm Sở]");

    // Narrowed to Quy Nhơn (named as people write it): its tasks, not another district's.
    let (_, narrow) = make(
        &coordinator,
        json!({"name": "Quy Nhơn", "access": "read_write", "unit": "Thành phố Quy Nhơn"}),
    )
    .await;
    let (_, quy_nhon) = coordinator
        .get_json("/api/v1/tasks?unit=540&per_page=1")
        .await;
    let (_, an_lao) = coordinator
        .get_json("/api/v1/tasks?unit=542&per_page=1")
        .await;
    let inside = quy_nhon["items"][0]["id"].as_i64().unwrap();
    let outside = an_lao["items"][0]["id"].as_i64().unwrap();
    let (status, _) = body(
        with_token(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/tasks/{inside}"),
            &narrow,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = body(
        with_token(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/tasks/{outside}"),
            &narrow,
            None,
        )
        .await,
    )
    .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
    let (_, listed) = body(
        with_token(
            &app,
            reqwest::Method::GET,
            "/api/v1/tasks?per_page=200",
            &narrow,
            None,
        )
        .await,
    )
    .await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["id"] != outside),
        "the list is narrowed too"
    );
    // The owner sees when each token was last used.
    let (_, mine) = coordinator.get_json("/api/v1/tokens").await;
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|t| !t["last_used_at"].is_null()), "{mine}");
    assert!(
        items
            .iter()
            .all(|t| t.get("token_hash").is_none() && t.get("secret").is_none())
    );
}

#[tokio::test]
async fn expired_revoked_unknown_and_self_minting_tokens_are_refused() {
    let clock = TestClock::new();
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let editor = app.login("editor-540").await;
    let (id, secret) = make(&editor, json!({"name": "Một ngày", "expires_in_days": 1})).await;
    let get = async |secret: &str| {
        body(with_token(&app, reqwest::Method::GET, "/api/v1/tasks", secret, None).await).await
    };
    assert_eq!(get(&secret).await.0, StatusCode::OK);
    // A token does not make (wider) tokens.
    let (status, _) = body(
        with_token(
            &app,
            reqwest::Method::POST,
            "/api/v1/tokens",
            &secret,
            Some(json!({"name": "con", "access": "read_write"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, b) = get("dxp_khong-phai-ma-that").await;
    assert_eq!(
        (status, error_code(&b)),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    clock.advance(time::Duration::days(2));
    let (status, b) = get(&secret).await;
    assert_eq!(
        (status, error_code(&b)),
        (StatusCode::UNAUTHORIZED, "token_expired")
    );

    // Revoked by its owner; another user cannot even see it; an admin sees and revokes all.
    let editor = app.login("editor-540").await;
    let (id2, secret2) = make(&editor, json!({"name": "Đồng bộ"})).await;
    let other = app.login("editor-542").await;
    let (status, _) = other
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/tokens/{id2}"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = other.get_json("/api/v1/tokens?all=true").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = app.login("admin").await;
    let (_, all) = admin.get_json("/api/v1/tokens?all=true").await;
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id)
    );
    let (status, _) = admin
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/tokens/{id2}"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, b) = get(&secret2).await;
    assert_eq!(
        (status, error_code(&b)),
        (StatusCode::UNAUTHORIZED, "token_revoked")
    );
    assert_eq!(app.audit_count("token.revoke").await, 1);

    // Garbage is refused field by field and makes nothing.
    let (status, b) = editor
        .post_json(
            "/api/v1/tokens",
            &json!({"name": " ", "expires_in_days": 0, "access": "god", "unit": "52"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    let fields: Vec<&str> = b["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "expires_in_days", "access", "unit"]);
    let (_, mine) = editor.get_json("/api/v1/tokens").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_token_used_too_fast_is_told_when_to_come_back() {
    let mut config = test_config();
    config.app.token_rate = dxplan_app::throttle::TokenRateConfig {
        burst: 3,
        every: std::time::Duration::from_secs(60),
    };
    let app = TestApp::spawn_with(config).await;
    let viewer = app.login("viewer").await;
    let (_, secret) = make(&viewer, json!({"name": "Vòng lặp"})).await;
    for _ in 0..3 {
        let r = with_token(&app, reqwest::Method::GET, "/api/v1/units", &secret, None).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = with_token(&app, reqwest::Method::GET, "/api/v1/units", &secret, None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // The person's own session is not slowed down by the token's use.
    let (status, _) = viewer.get_json("/api/v1/units").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_profile_page_shows_a_new_secret_once_and_revokes() {
    let app = TestApp::spawn().await;
    let editor = app.login("editor-540").await;
    let r = editor
        .post_form(
            "/account/tokens",
            &[
                ("name", "Phần mềm một cửa"),
                ("access", "read"),
                ("expires_in_days", "30"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let secret = html
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_string();
    assert!(secret.starts_with("dxp_"));
    let (status, _) =
        body(with_token(&app, reqwest::Method::GET, "/api/v1/tasks", &secret, None).await).await;
    assert_eq!(status, StatusCode::OK);
    let again = editor.get("/account/tokens").await.text().await.unwrap();
    assert!(
        again.contains("Phần mềm một cửa") && !again.contains(&secret),
        "shown once"
    );
    let (_, mine) = editor.get_json("/api/v1/tokens").await;
    let id = mine["items"][0]["id"].as_i64().unwrap();
    let r = editor
        .post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _) =
        body(with_token(&app, reqwest::Method::GET, "/api/v1/tasks", &secret, None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = editor
        .post_form(
            "/account/tokens",
            &[("name", ""), ("expires_in_days", "30")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_unchanged_read_answers_304_to_its_etag_and_a_change_gives_a_new_one() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (_, secret) = make(
        &coordinator,
        json!({"name": "Đồng bộ", "access": "read_write"}),
    )
    .await;
    let get = async |etag: Option<&str>| {
        let mut r = app
            .client()
            .get(app.url("/api/v1/index-frameworks"))
            .bearer_auth(&secret);
        if let Some(tag) = etag {
            r = r.header("if-none-match", tag);
        }
        r.send().await.unwrap()
    };
    let first = get(None).await;
    assert_eq!(first.status(), StatusCode::OK);
    let tag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(tag.starts_with('"') && tag.len() > 10, "{tag}");
    let again = get(Some(&tag)).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
    assert!(again.bytes().await.unwrap().is_empty());
    // A change: the list is new, and so is its tag.
    let (status, _) = coordinator
        .post_json(
            "/api/v1/index-frameworks",
            &crate::index::department_framework(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let changed = get(Some(&tag)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), tag);
}

#[tokio::test]
async fn a_machine_client_reviews_chases_late_units_reads_obstacles_and_resets_passwords() {
    let app = TestApp::spawn().await;
    // A district's head submits a figure through the API.
    let approver = app.login("approver-540").await;
    let (status, saved) = approver
        .post_json(
            "/api/v1/data-values",
            &json!({"unit": "540", "period": "2025Q3", "submit": true,
                "rows": [{"indicator": "CQ-01", "numerator": "30", "denominator": "40"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let coordinator = app.login("coordinator").await;
    let (_, reviewer) = make(
        &coordinator,
        json!({"name": "LGSP", "expires_in_days": 30, "access": "read_write"}),
    )
    .await;

    // The review queue, then a decision on what it lists.
    let (status, queue) = body(
        with_token(
            &app,
            reqwest::Method::GET,
            "/api/v1/data-values/pending",
            &reviewer,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let waiting = queue["items"].as_array().unwrap();
    let figure = waiting
        .iter()
        .find(|v| v["numerator"] == 30.0)
        .expect("the submitted figure waits for review");
    let r = with_token(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/data-values/{}/review", figure["id"]),
        &reviewer,
        Some(json!({"approve": true})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, queue) = body(
        with_token(
            &app,
            reqwest::Method::GET,
            "/api/v1/data-values/pending",
            &reviewer,
            None,
        )
        .await,
    )
    .await;
    assert!(
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["id"] != figure["id"])
    );

    // Who has reported a form, and a reminder to those who have not.
    let (_, forms) = coordinator.get_json("/api/v1/forms").await;
    let form = forms["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BC-HUYEN-QUY")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, done) = body(
        with_token(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/forms/{form}/completeness?period=2025Q3"),
            &reviewer,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["period"], "2025Q3");
    let units = done["units"].as_array().unwrap();
    let quy_nhon = units.iter().find(|u| u["code"] == "540").unwrap();
    assert_eq!(quy_nhon["reported"], 1);
    assert!(units.iter().any(|u| u["complete"] == false));
    let (status, reminded) = body(
        with_token(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/forms/{form}/reminders"),
            &reviewer,
            Some(json!({"period": "2025Q3"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reminded}");
    assert!(reminded["reminded"].as_u64().unwrap() > 0);
    let late = app.login("editor-542").await;
    let (_, notices) = late.get_json("/api/v1/notifications").await;
    assert!(
        notices["items"][0]["title_vi"]
            .as_str()
            .unwrap()
            .starts_with("Đề nghị gửi số liệu Quý III/2025")
    );
    let (status, refused) = body(
        with_token(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/forms/{form}/reminders"),
            &reviewer,
            Some(json!({"period": "quý ba"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&refused), "validation_failed");

    // Obstacles units reported for a plan's quarter.
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let plan = plans["items"][0]["id"].as_i64().unwrap();
    let (status, obstacles) = body(
        with_token(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/plans/{plan}/obstacles?period=2025Q2"),
            &reviewer,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{obstacles}");
    assert!(obstacles["items"].is_array());
    let (status, _) = body(
        with_token(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/plans/{plan}/obstacles?period=Q9"),
            &reviewer,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Neither a read-only token nor a unit's editor reviews, reminds or resets passwords.
    let (_, reader) = make(
        &coordinator,
        json!({"name": "Đọc", "expires_in_days": 30, "access": "read"}),
    )
    .await;
    let r = with_token(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/forms/{form}/reminders"),
        &reader,
        Some(json!({"period": "2025Q3"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let editor = app.login("editor-540").await;
    let (status, _) = editor.get_json("/api/v1/data-values/pending").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = editor
        .get_json(&format!("/api/v1/forms/{form}/completeness"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An administrator's token sets a new password; the old one stops working.
    let admin = app.login("admin").await;
    let (_, admin_token) = make(
        &admin,
        json!({"name": "IAM", "expires_in_days": 30, "access": "read_write"}),
    )
    .await;
    let (_, viewer) = admin.get_json("/api/v1/users?q=viewer").await;
    let viewer_id = viewer["items"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{viewer_id}/password");
    let (status, short) = body(
        with_token(
            &app,
            reqwest::Method::POST,
            &path,
            &admin_token,
            Some(json!({"password": "ngắn"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&short), "validation_failed");
    let r = with_token(
        &app,
        reqwest::Method::POST,
        &path,
        &reviewer,
        Some(json!({"password": "Mật khẩu mới 2026!"})),
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a coordinator manages no accounts"
    );
    let r = with_token(
        &app,
        reqwest::Method::POST,
        &path,
        &admin_token,
        Some(json!({"password": "Mật khẩu mới 2026!"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_, done) = body(r).await;
    assert_eq!(done["tokens_revoked"], 0);
    assert_eq!(done["sessions_ended"], 0);
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "viewer", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.login_with("viewer", "Mật khẩu mới 2026!").await;
}

/// Whether the token still opens the API: the status and error code of `GET /api/v1/me`.
async fn token_answer(app: &TestApp, secret: &str) -> (StatusCode, String) {
    let (status, b) =
        body(with_token(app, reqwest::Method::GET, "/api/v1/me", secret, None).await).await;
    (status, error_code(&b).to_string())
}

#[tokio::test]
async fn changing_ones_password_revokes_ones_api_tokens_and_says_so() {
    let app = TestApp::spawn().await;
    let viewer = app.login("viewer").await;
    let (_, reader) = make(
        &viewer,
        json!({"name": "Power BI", "expires_in_days": 30, "access": "read"}),
    )
    .await;
    let (_, writer) = make(
        &viewer,
        json!({"name": "Đồng bộ", "expires_in_days": 30, "access": "read_write"}),
    )
    .await;
    let (old_id, _) = make(
        &viewer,
        json!({"name": "Cũ", "expires_in_days": 30, "access": "read"}),
    )
    .await;
    let r = viewer
        .client
        .delete(viewer.url(&format!("/api/v1/tokens/{old_id}")))
        .header("x-csrf-token", &viewer.csrf)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let other_admin_token = {
        let admin = app.login("admin").await;
        make(
            &admin,
            json!({"name": "IAM", "expires_in_days": 30, "access": "read"}),
        )
        .await
        .1
    };
    for secret in [&reader, &writer] {
        assert_eq!(
            token_answer(&app, secret).await.0,
            StatusCode::OK,
            "used before"
        );
    }
    let r = viewer
        .post_form(
            "/account/password",
            &[
                ("current", "demo"),
                ("new_password", "ban chỉ đạo 2026"),
                ("confirm", "ban chỉ đạo 2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut next = r.headers()["location"].to_str().unwrap().to_string();
    // A viewer's home is the dashboard: follow it there.
    let mut r = viewer.get(&next).await;
    while r.status() == StatusCode::SEE_OTHER {
        next = r.headers()["location"].to_str().unwrap().to_string();
        r = viewer.get(&next).await;
    }
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Đã đổi mật khẩu. Đã thu hồi 2 mã truy cập API."),
        "the page says so"
    );
    for secret in [&reader, &writer] {
        assert_eq!(
            token_answer(&app, secret).await,
            (StatusCode::UNAUTHORIZED, "token_revoked".to_string())
        );
    }
    assert_eq!(
        token_answer(&app, &other_admin_token).await.0,
        StatusCode::OK,
        "someone else's stays"
    );
    // Audited: each token, and the change with what it ended.
    assert_eq!(
        app.audit_count("token.revoke").await,
        3,
        "the two, and the one revoked by hand"
    );
    let mut c = app.state.db.read().await.unwrap();
    let change = dxplan_app::store::audit::list(
        &mut c,
        &dxplan_app::store::audit::AuditFilter {
            action: Some("user.password_change".into()),
            limit: 5,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .events;
    let after: Value = serde_json::from_str(change[0].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["tokens_revoked"], 2);
    drop(c);
    let (_, list) = viewer.get_json("/api/v1/tokens").await;
    let revoked_by: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["revoked_by"].as_str())
        .collect();
    assert_eq!(revoked_by, ["viewer", "viewer", "viewer"]);
    // A token made with the new password works.
    let (_, fresh) = make(
        &viewer,
        json!({"name": "Mới", "expires_in_days": 30, "access": "read"}),
    )
    .await;
    assert_eq!(token_answer(&app, &fresh).await.0, StatusCode::OK);

    // Over the API the answer counts them, in the caller's language.
    let r = viewer
        .client
        .post(viewer.url("/api/v1/me/password"))
        .header("x-csrf-token", &viewer.csrf)
        .header("accept-language", "en")
        .json(&json!({"current": "ban chỉ đạo 2026", "new_password": "trung tâm điều hành"}))
        .send()
        .await
        .unwrap();
    let (status, done) = body(r).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["tokens_revoked"], 1);
    assert_eq!(
        done["message"],
        "The password has been changed. 1 API token was revoked."
    );
    assert_eq!(
        token_answer(&app, &fresh).await,
        (StatusCode::UNAUTHORIZED, "token_revoked".to_string())
    );
    // A token cannot change the password it stands in for.
    let (_, another) = make(
        &viewer,
        json!({"name": "Khác", "expires_in_days": 30, "access": "read_write"}),
    )
    .await;
    let r = with_token(
        &app,
        reqwest::Method::POST,
        "/api/v1/me/password",
        &another,
        Some(json!({"current": "trung tâm điều hành", "new_password": "một mật khẩu khác"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_administrators_reset_revokes_the_accounts_tokens_and_sessions() {
    let app = TestApp::spawn().await;
    let editor = app.login("editor-540").await;
    let (_, secret) = make(
        &editor,
        json!({"name": "Excel", "expires_in_days": 30, "access": "read"}),
    )
    .await;
    assert_eq!(token_answer(&app, &secret).await.0, StatusCode::OK);
    let (_, me) = editor.get_json("/api/v1/me").await;
    let id = me["id"].as_i64().unwrap();
    let admin = app.login("admin").await;
    let r = admin
        .post_form(
            &format!("/users/{id}/password"),
            &[("password", "đặt lại bởi quản trị")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let next = r.headers()["location"].to_str().unwrap().to_string();
    let page = admin.get(&next).await.text().await.unwrap();
    assert!(
        page.contains("Đã thu hồi 1 mã truy cập API."),
        "the page says so"
    );
    assert_eq!(
        token_answer(&app, &secret).await,
        (StatusCode::UNAUTHORIZED, "token_revoked".to_string())
    );
    assert_eq!(
        editor.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "the session ended"
    );
    let (_, list) = admin.get_json("/api/v1/tokens?all=true").await;
    let excel = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Excel")
        .cloned()
        .unwrap_or_default();
    assert_eq!(excel["revoked_by"], "admin");
    let (status, done) = admin
        .post_json(
            &format!("/api/v1/users/{id}/password"),
            &json!({"password": "lần nữa, qua API"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["tokens_revoked"], 0);
    assert_eq!(
        done["message"],
        "Đã đổi mật khẩu. Đã thu hồi 0 mã truy cập API."
    );
}
