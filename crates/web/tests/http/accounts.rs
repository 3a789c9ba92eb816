use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, error_code, test_config};

#[tokio::test]
async fn login_me_and_logout() {
    let app = TestApp::spawn().await;
    let s = app.login("approver-540").await;
    let (status, me) = s.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "approver-540");
    assert_eq!(me["grants"][0]["role"], "unit_approver");
    assert_eq!(me["csrf_token"], s.csrf.as_str());

    let r = s
        .client
        .post(s.url("/api/v1/auth/logout"))
        .header("x-csrf-token", &s.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, body) = s.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "unauthorized");
    assert_eq!(app.audit_count("auth.login").await, 1);
    assert_eq!(app.audit_count("auth.logout").await, 1);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_accounts_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for (user, password) in [
        ("admin", "wrong"),
        ("nobody", "demo"),
        ("", ""),
        ("admin", ""),
    ] {
        let r = client
            .post(app.url("/api/v1/auth/login"))
            .header("accept-language", "en")
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{user}/{password}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(error_code(&body), "bad_credentials");
        assert_eq!(
            body["error"]["message"],
            "The username or password is not correct."
        );
    }
    assert_eq!(app.audit_count("auth.login_failed").await, 2);
    // Garbage instead of JSON.
    let r = client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "bad_request");
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_is_throttled() {
    let mut config = test_config();
    config.app.throttle.per_pair_burst = 3;
    config.app.throttle.per_pair_every = std::time::Duration::from_secs(60);
    let app = TestApp::spawn_with(config).await;
    let client = app.client();
    let attempts = (0..12).map(|_| {
        client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": "guess"}))
            .send()
    });
    let responses: Vec<reqwest::Response> = futures_join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("response"))
        .collect();
    let throttled: Vec<_> = responses
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(
        throttled.len(),
        9,
        "only the burst of 3 may reach the password check"
    );
    for r in &throttled {
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry >= 1);
    }
    // Even the right password waits now.
    let r = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another account is not affected.
    app.login("viewer").await;
}

/// Sends all requests at once and waits for every answer.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn admin_creates_an_account_grants_a_role_and_everything_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let (status, user) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "nguyen.van.a", "display_name": "Nguyễn Văn A", "password": "mật khẩu dài",
                    "unit_code": "21550"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_i64().unwrap();
    let (status, grant) = admin
        .post_json(
            &format!("/api/v1/users/{id}/grants"),
            &json!({"role": "unit_editor", "unit_code": "21550"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    let (status, again) = admin
        .post_json(
            &format!("/api/v1/users/{id}/grants"),
            &json!({"role": "unit_editor", "unit_code": "21550"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the same grant twice: {again}"
    );

    let a = app.login_with("nguyen.van.a", "mật khẩu dài").await;
    let (_, me) = a.get_json("/api/v1/me").await;
    assert_eq!(me["grants"][0]["role"], "unit_editor");

    let (_, log) = admin.get_json("/api/v1/audit?limit=10").await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..4],
        ["auth.login", "user.grant", "user.create", "auth.login"]
    );
    let created = &log["items"][2];
    assert_eq!(created["actor_name"], "admin");
    assert_eq!(created["via"], "api");
    assert_eq!(created["client_addr"], "127.0.0.1");
    assert!(
        created["after_json"]
            .as_str()
            .unwrap()
            .contains("Nguyễn Văn A")
    );

    // Revoking is audited too, and the role is gone.
    let grant_id = grant["id"].as_i64().unwrap();
    let r = admin
        .client
        .delete(admin.url(&format!("/api/v1/users/{id}/grants/{grant_id}")))
        .header("x-csrf-token", &admin.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.audit_count("user.revoke").await, 1);
    // The person's very next request knows it: the few seconds a session is remembered
    // end with any change.
    let (_, me) = a.get_json("/api/v1/me").await;
    assert_eq!(me["grants"], json!([]), "{me}");
    assert_eq!(
        a.get("/api/v1/tasks").await.status(),
        StatusCode::FORBIDDEN,
        "no role, no tasks"
    );
}

#[tokio::test]
async fn bad_accounts_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let count = || async {
        let mut c = app.state.db.read().await.unwrap();
        dxplan_app::store::users::count(&mut c).await.unwrap()
    };
    let before = count().await;
    let (status, body) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "Bad Name", "display_name": "", "password": "short",
                                             "unit_code": "99999", "role": "king"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    for f in ["username", "display_name", "password", "role", "unit_code"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .len()
            > 3
    );
    let (status, body) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "admin", "display_name": "X", "password": "long enough"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["field"], "username");
    let (status, _) = admin
        .post_json("/api/v1/users", &json!({"username": 5}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "x".repeat(5000), "display_name": "Y", "password": "long enough"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(count().await, before);
    assert_eq!(
        app.audit_count("user.create").await,
        54,
        "only the demo accounts"
    );
}

#[tokio::test]
async fn changing_a_password_ends_the_other_sessions_and_disabling_ends_all() {
    let app = TestApp::spawn().await;
    let first = app.login("editor-540").await;
    let second = app.login("editor-540").await;
    let r = first
        .post_form(
            "/account/password",
            &[
                ("current", "demo"),
                ("new_password", "mật khẩu mới 2026"),
                ("confirm", "mật khẩu mới 2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(first.get("/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        second.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = app.login_with("editor-540", "mật khẩu mới 2026").await;

    // A wrong current password is refused with the reason next to the field.
    let r = first
        .post_form(
            "/account/password",
            &[
                ("current", "nope"),
                ("new_password", "another one!"),
                ("confirm", "another one!"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("Không khớp"));
    // The field itself says so to a screen reader; the others do not.
    let tag = |id: &str| {
        let at = page
            .find(&format!("<input id=\"{id}\""))
            .expect("the field");
        page[at..at + page[at..].find('>').unwrap()].to_string()
    };
    assert!(
        tag("current").contains("aria-invalid=\"true\""),
        "{}",
        tag("current")
    );
    assert!(
        !tag("confirm").contains("aria-invalid"),
        "{}",
        tag("confirm")
    );

    let admin = app.login("admin").await;
    let (_, me) = again.get_json("/api/v1/me").await;
    let id = me["id"].as_i64().unwrap();
    let (status, _) = admin
        .patch_json(&format!("/api/v1/users/{id}"), &json!({"active": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        first.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        again.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.audit_count("user.disable").await, 1);
}

#[tokio::test]
async fn the_last_system_administrator_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let (_, me) = admin.get_json("/api/v1/me").await;
    let id = me["id"].as_i64().unwrap();
    let (_, grants) = admin.get_json(&format!("/api/v1/users/{id}/grants")).await;
    let grant_id = grants["items"][0]["id"].as_i64().unwrap();
    let r = admin
        .client
        .delete(admin.url(&format!("/api/v1/users/{id}/grants/{grant_id}")))
        .header("x-csrf-token", &admin.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        admin.get("/api/v1/audit").await.status(),
        StatusCode::OK,
        "still admin"
    );
}

#[tokio::test]
async fn sessions_end_after_idle_time_and_after_their_absolute_lifetime() {
    let clock = crate::support::TestClock::new();
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let s = app.login("viewer").await;
    // Active use keeps the session alive past the idle limit (2 hours)…
    for _ in 0..5 {
        clock.advance(time::Duration::minutes(90));
        assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::OK);
    }
    // …but not past its absolute lifetime of 12 hours.
    clock.advance(time::Duration::minutes(300));
    assert_eq!(s.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);

    let idle = app.login("viewer").await;
    clock.advance(time::Duration::minutes(121));
    assert_eq!(
        idle.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_throttled_too() {
    let mut config = test_config();
    config.app.throttle.per_addr_burst = 4;
    config.app.throttle.per_addr_every = std::time::Duration::from_secs(60);
    let app = TestApp::spawn_with(config).await;
    let client = app.client();
    let mut statuses = Vec::new();
    for user in ["a1", "a2", "a3", "a4", "a5", "a6"] {
        let r = client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": user, "password": "x"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429]);
}

/// The login throttle at its real settings, with the client address taken from
/// `X-Forwarded-For` as behind a reverse proxy (the test server sees only 127.0.0.1).
async fn behind_a_proxy() -> TestApp {
    let mut config = test_config();
    config.app.throttle = dxplan_app::throttle::ThrottleConfig::default();
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    TestApp::spawn_with(config).await
}

/// A login over the API from `addr`: the status and the Retry-After it carried.
async fn login_from(
    app: &TestApp,
    client: &reqwest::Client,
    addr: &str,
    username: &str,
    password: &str,
) -> (StatusCode, Option<u64>) {
    let r = client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", addr)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (r.status(), retry)
}

#[tokio::test]
async fn an_attacker_guessing_from_one_address_does_not_lock_the_owner_out() {
    let app = behind_a_proxy().await;
    let attacker = app.client();
    let attacker_addr = "203.0.113.66";
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(login_from(&app, &attacker, attacker_addr, "admin", "guess").await);
    }
    let refused = statuses
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(
        refused, 5,
        "five guesses reach the password check: {statuses:?}"
    );
    for (status, retry) in &statuses[5..] {
        assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS);
        assert!(retry.is_some_and(|s| (1..=30).contains(&s)), "{retry:?}");
    }
    // The right password from the attacker's address waits too: guessing cost them.
    let (status, _) = login_from(&app, &attacker, attacker_addr, "admin", "demo").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // The owner, from an address never seen before, logs in at once.
    let (status, _) = login_from(&app, &app.client(), "198.51.100.10", "admin", "demo").await;
    assert_eq!(status, StatusCode::OK);
    // The audit names the address the proxy gave, not the proxy.
    let mut c = app.state.db.read().await.unwrap();
    let events = dxplan_app::store::audit::list(
        &mut c,
        &dxplan_app::store::audit::AuditFilter {
            action: Some("auth.login".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .events;
    assert_eq!(events[0].client_addr.as_deref(), Some("198.51.100.10"));
}

#[tokio::test]
async fn a_spray_over_many_addresses_slows_the_account_but_not_its_owner() {
    let app = behind_a_proxy().await;
    // The owner has logged in from the office before.
    let office = "192.0.2.10";
    let (status, _) = login_from(&app, &app.client(), office, "admin", "demo").await;
    assert_eq!(status, StatusCode::OK);
    // Later, with a session still open from home.
    let home = app.client();
    let (status, _) = login_from(&app, &home, "192.0.2.77", "admin", "demo").await;
    assert_eq!(status, StatusCode::OK);
    // One guess from each of 40 addresses.
    let sprayer = app.client();
    let mut statuses = Vec::new();
    for i in 1..=40 {
        let (status, _) =
            login_from(&app, &sprayer, &format!("203.0.113.{i}"), "admin", "guess").await;
        statuses.push(status.as_u16());
    }
    let reached = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        (18..=22).contains(&reached) && statuses[35..].iter().all(|s| *s == 429),
        "the account slows down after about 20: {statuses:?}"
    );
    // An unknown address, even with the right password, waits…
    let (status, retry) = login_from(&app, &app.client(), "198.51.100.10", "admin", "demo").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some());
    // …but the owner's known address gets in, and so does a request with the owner's
    // live session, from wherever.
    let (status, _) = login_from(&app, &app.client(), office, "admin", "demo").await;
    assert_eq!(status, StatusCode::OK, "the office logged in before");
    let (status, _) = login_from(&app, &home, "198.51.100.99", "admin", "demo").await;
    assert_eq!(status, StatusCode::OK, "a live session of the account");
    // Another account is untouched.
    let (status, _) = login_from(&app, &app.client(), "198.51.100.10", "viewer", "demo").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_a_trusted_proxy() {
    // Without a trusted proxy, the header is the client's own say-so: ignored, so
    // rotating it does not escape the throttle.
    let mut config = test_config();
    config.app.throttle = dxplan_app::throttle::ThrottleConfig::default();
    let app = TestApp::spawn_with(config).await;
    let client = app.client();
    let mut statuses = Vec::new();
    for i in 1..=7 {
        let (status, _) =
            login_from(&app, &client, &format!("203.0.113.{i}"), "admin", "guess").await;
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429]);
    // Behind a trusted proxy, only the entry the proxy appended counts: a client
    // prepending addresses of its own choosing still comes from its real address.
    let app = behind_a_proxy().await;
    let client = app.client();
    let mut statuses = Vec::new();
    for i in 1..=7 {
        let (status, _) = login_from(
            &app,
            &client,
            &format!("203.0.113.{i}, 198.51.100.5"),
            "admin",
            "guess",
        )
        .await;
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429]);
}

#[tokio::test]
async fn a_guessable_new_password_is_refused_on_the_page_with_its_reason() {
    let app = TestApp::spawn().await;
    let editor = app.login("editor-540").await;
    for (new, reason) in [
        ("Editor-540 mới", "Mật khẩu không được chứa tên đăng nhập."),
        ("Admin@123", "Mật khẩu này quá phổ biến"),
        ("matkhau@123", "Mật khẩu này quá phổ biến"),
        ("abcdefghij", "một dãy liên tiếp"),
        ("zzzzzzzzzz", "một ký tự lặp lại"),
        ("ngắn", "Cần ít nhất 8 ký tự."),
    ] {
        let r = editor
            .post_form(
                "/account/password",
                &[("current", "demo"), ("new_password", new), ("confirm", new)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{new}");
        let html = r.text().await.unwrap();
        assert!(html.contains(reason), "{new}: {reason}");
    }
    // Nothing changed: the demo password still works (demo accounts are seeded, not typed).
    app.login_with("editor-540", "demo").await;
    assert_eq!(app.audit_count("user.password_change").await, 0);
}

#[tokio::test]
async fn the_api_refuses_a_guessable_password_for_oneself_and_for_a_new_account() {
    let app = TestApp::spawn().await;
    let editor = app.login("editor-540").await;
    let r = editor
        .client
        .post(editor.url("/api/v1/me/password"))
        .header("x-csrf-token", &editor.csrf)
        .header("accept-language", "en")
        .json(&json!({"current": "demo", "new_password": "P@ssw0rd123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    let detail = &body["error"]["details"][0];
    assert_eq!(detail["field"], "new_password");
    assert_eq!(detail["code"], "password_common");
    assert!(
        detail["message"]
            .as_str()
            .unwrap()
            .starts_with("This password is too common")
    );
    let (status, _) = editor
        .post_json(
            "/api/v1/me/password",
            &json!({"current": "demo", "new_password": "hoa phượng đỏ 2026"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.login_with("editor-540", "hoa phượng đỏ 2026").await;

    let admin = app.login("admin").await;
    for (username, name, password, code) in [
        (
            "tran.thi.b",
            "Trần Thị B",
            "TranThiB@2026",
            "password_has_username",
        ),
        (
            "btran",
            "Trần Thị Bích",
            "Trần Thị Bích",
            "password_has_name",
        ),
        ("btran", "Trần Thị Bích", "iloveyou123", "password_common"),
        ("btran", "Trần Thị Bích", "987654321", "password_common"),
        ("btran", "Trần Thị Bích", "hgfedcba", "password_pattern"),
    ] {
        let (status, body) = admin
            .post_json(
                "/api/v1/users",
                &json!({"username": username, "display_name": name, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{password}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], "password");
        assert_eq!(body["error"]["details"][0]["code"], code, "{password}");
    }
    // An administrator's reset follows the same policy.
    let (_, me) = editor.get_json("/api/v1/me").await;
    let editor_id = me["id"].as_i64().unwrap();
    let (status, body) = admin
        .post_json(
            &format!("/api/v1/users/{editor_id}/password"),
            &json!({"password": "editor-540!"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["details"][0]["code"], "password_has_username");
    assert_eq!(
        app.audit_count("user.create").await,
        54,
        "only the demo accounts"
    );
    assert_eq!(app.audit_count("user.password_reset").await, 0);
}

#[tokio::test]
async fn the_administrators_new_account_page_names_why_a_password_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let r = admin
        .post_form(
            "/users/new",
            &[
                ("username", "le.van.c"),
                ("display_name", "Lê Văn C"),
                ("password", "123456a@"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Mật khẩu này quá phổ biến")
    );
    let r = admin
        .post_form(
            "/users/new",
            &[
                ("username", "le.van.c"),
                ("display_name", "Lê Văn C"),
                ("password", "đêm trăng Quy Nhơn"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_account_mobile_number_is_kept_in_one_form_and_a_wrong_one_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let (_, users) = admin.get_json("/api/v1/users?q=editor-540").await;
    let user = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "editor-540")
        .unwrap_or_else(|| panic!("{users}"));
    let path = format!("/api/v1/users/{}", user["id"]);
    let (status, saved) = admin
        .patch_json(&path, &json!({"phone": "0905 123 456"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["phone"], "+84905123456");
    let (status, refused) = admin.patch_json(&path, &json!({"phone": "12345"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["details"][0]["field"], "phone");
    let (_, kept) = admin.get_json(&path).await;
    assert_eq!(
        kept["phone"], "+84905123456",
        "a refused change changes nothing"
    );
    // The account page's form carries it, and an empty field clears it.
    let page = admin
        .get(&format!("/users/{}", user["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("value=\"+84905123456\""));
    let (_, cleared) = admin.patch_json(&path, &json!({"phone": ""})).await;
    assert!(cleared["phone"].is_null(), "{cleared}");
}
