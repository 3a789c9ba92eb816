use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, error_code};

#[tokio::test]
async fn changes_need_the_csrf_token_when_made_with_the_session_cookie() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let body = json!({"code": "99301", "name": "Xã", "kind": "commune", "parent_code": "540"});
    let r = admin
        .client
        .post(admin.url("/api/v1/units"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let err: Value = r.json().await.unwrap();
    assert_eq!(error_code(&err), "csrf_failed");
    let r = admin
        .client
        .post(admin.url("/api/v1/units"))
        .header("x-csrf-token", "forged")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A form without its hidden token.
    let r = admin
        .client
        .post(admin.url("/users/new"))
        .form(&[
            ("username", "sneaky"),
            ("display_name", "S"),
            ("password", "long enough"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("biểu mẫu đã hết hạn"));
    // A page from another site posting with the user's cookie.
    let r = admin
        .client
        .post(admin.url("/api/v1/units"))
        .header("x-csrf-token", &admin.csrf)
        .header("origin", "http://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _) = admin.post_json("/api/v1/units", &body).await;
    assert_eq!(status, StatusCode::CREATED, "with the token it works");
    assert_eq!(app.audit_count("unit.create").await, 1);
}

#[tokio::test]
async fn pages_carry_security_headers_and_reference_no_outside_host() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    for path in [
        "/",
        "/units",
        "/units/1",
        "/users",
        "/users/new",
        "/audit",
        "/units/new",
        "/units/import",
        "/login",
        "/account/password",
    ] {
        let r = admin.get(path).await;
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{path}: {}",
            r.status()
        );
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        assert!(r.headers().contains_key("x-request-id"));
        let html = r.text().await.unwrap();
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{path} names an outside host"
        );
        assert!(
            !html.contains("<script>") && !html.contains(" style="),
            "{path} has inline script or style"
        );
    }
    let css = admin.get("/static/app.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(!css.text().await.unwrap().contains("url(http"));
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site() {
    let app = TestApp::spawn().await;
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "viewer", "password": "demo"}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("dxplan_session="));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/")
    );
    assert!(!cookie.contains("Secure"), "not without --secure-cookies");
}

#[tokio::test]
async fn behind_https_browsers_are_told_to_stay_on_https() {
    let plain = TestApp::spawn().await;
    let r = plain
        .client()
        .get(plain.url("/login"))
        .send()
        .await
        .unwrap();
    assert!(
        !r.headers().contains_key("strict-transport-security"),
        "not on plain HTTP"
    );
    let app = TestApp::spawn_with(dxplan_web::WebConfig {
        secure_cookies: true,
        ..crate::support::test_config()
    })
    .await;
    let r = app.client().get(app.url("/login")).send().await.unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "viewer", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
}

#[tokio::test]
async fn health_is_public_and_metrics_are_for_system_administrators() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let r = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    client.get(app.url("/login")).send().await.unwrap();
    let viewer = app.login("viewer").await;
    viewer.get("/api/v1/units/540").await;

    // Anonymous: 401 in the API's error format, not a redirect to the login form.
    let r = client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "unauthorized");
    // Logged in without the right: 403, by session or by token.
    assert_eq!(viewer.get("/metrics").await.status(), StatusCode::FORBIDDEN);
    let coordinator = app.login("coordinator").await;
    assert_eq!(
        coordinator.get("/metrics").await.status(),
        StatusCode::FORBIDDEN
    );
    let (_, made) = coordinator
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "scrape", "expires_in_days": 30, "access": "read"}),
        )
        .await;
    let r = client
        .get(app.url("/metrics"))
        .bearer_auth(made["secret"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .get(app.url("/metrics"))
        .bearer_auth("dxp_not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // A system administrator's session, and Prometheus with a read-only administrator token.
    let admin = app.login("admin").await;
    assert_eq!(admin.get("/metrics").await.status(), StatusCode::OK);
    let (_, made) = admin
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "Prometheus", "expires_in_days": 366, "access": "read"}),
        )
        .await;
    let r = client
        .get(app.url("/metrics"))
        .bearer_auth(made["secret"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/login\""));
    assert!(
        text.contains("route=\"/api/v1/units/{code}\""),
        "API routes are labelled by their pattern"
    );
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("db_pool_connections"));
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_events() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let (update, delete) = match db {
        dxplan_app::store::Db::Sqlite(p) => (
            sqlx::query("UPDATE audit_events SET summary = 'x'")
                .execute(p)
                .await
                .map(|_| ()),
            sqlx::query("DELETE FROM audit_events")
                .execute(p)
                .await
                .map(|_| ()),
        ),
        dxplan_app::store::Db::Postgres { pool: p, .. } => (
            sqlx::query("UPDATE audit_events SET summary = 'x'")
                .execute(p)
                .await
                .map(|_| ()),
            sqlx::query("DELETE FROM audit_events")
                .execute(p)
                .await
                .map(|_| ()),
        ),
    };
    assert!(update.is_err() && delete.is_err());
    assert!(update.unwrap_err().to_string().contains("append-only"));
    assert!(app.audit_count("user.create").await > 0);
}

/// `next` values that would leave the site (as the query sends them, percent-encoded): a
/// browser drops tabs and line breaks inside a URL and reads `\` as `/`, so each of these
/// ends up at `//evil.example` or another scheme if followed.
const HOSTILE_NEXT: [&str; 22] = [
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%0b/evil.example",
    "/%0c/evil.example",
    "/%00/evil.example",
    "/%20/evil.example",
    "/%C2%A0/evil.example",
    "/%E3%80%80/evil.example",
    "/%5Cevil.example",
    "/%5C/evil.example",
    "%5C%5Cevil.example",
    "//evil.example",
    "%2F%2Fevil.example",
    "///evil.example",
    "https://evil.example",
    "https%3A%2F%2Fevil.example",
    "http:evil.example",
    "/%2e%2e//evil.example",
    "/%252e%252e//evil.example",
    "/.//evil.example",
    "/%0a",
];

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_language_switch_goes_back_only_to_a_page_of_this_site() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    for next in HOSTILE_NEXT {
        let r = anonymous
            .get(format!("{}/lang/en?next={next}", app.base))
            .send()
            .await
            .unwrap();
        if next.contains("%00") {
            // A NUL in the address is refused outright: it goes nowhere.
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{next}");
            continue;
        }
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(location(&r), "/", "{next}");
    }
    // A page of our own is where it goes back to, its query kept.
    let r = anonymous
        .get(app.url("/lang/en?next=%2Ftasks%3Fplan%3D2%26q%3Dchuy%E1%BB%83n"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/tasks?plan=2&q=chuy%E1%BB%83n");
}

#[tokio::test]
async fn logging_in_goes_on_only_to_a_page_of_this_site() {
    let app = TestApp::spawn().await;
    for next in HOSTILE_NEXT {
        // The login page carries `next` into its form: only a safe value.
        let anonymous = app.client();
        let r = anonymous
            .get(format!("{}/login?next={next}", app.base))
            .send()
            .await
            .unwrap();
        let refused = next.contains("%00");
        if refused {
            // A NUL in the address is refused outright: it goes nowhere.
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{next}");
        } else {
            assert_eq!(r.status(), StatusCode::OK, "{next}");
            let html = r.text().await.unwrap();
            assert!(
                html.contains(r#"name="next" value="/""#) && !html.contains("evil.example"),
                "{next}"
            );
        }
        // Posting the form with the hostile value lands at home.
        let r = anonymous
            .post(app.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("username=viewer&password=demo&next={next}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(location(&r), "/", "{next}");
        // Already logged in, the login page sends the user on at once: home too.
        let r = anonymous
            .get(format!("{}/login?next={next}", app.base))
            .send()
            .await
            .unwrap();
        if refused {
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{next}");
        } else {
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next}");
            assert_eq!(location(&r), "/", "{next}");
        }
    }
    let r = app
        .client()
        .post(app.url("/login"))
        .form(&[
            ("username", "viewer"),
            ("password", "demo"),
            ("next", "/units/540?at=2024-06-30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/units/540?at=2024-06-30", "a page of ours");
}

#[tokio::test]
async fn a_line_break_in_a_redirect_or_a_file_name_is_never_a_server_error() {
    let app = TestApp::spawn().await;
    // Anonymous, a control character in `next` used to fail the Location header (500).
    for next in ["/%0a", "/%0d", "/%0b", "/x%0d%0aSet-Cookie:%20a=b"] {
        let r = app
            .client()
            .get(format!("{}/lang/vi?next={next}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(location(&r), "/");
        assert_eq!(r.headers().get_all("set-cookie").iter().count(), 1);
    }
    // A redirect after a form, built from the request's own words: a period with a line
    // break is carried percent-encoded, not as a broken header.
    let dept = app.login("approver-skhcn2").await;
    let r = dept
        .post_form(
            "/data/52-SKHCN2",
            &[("period", "2025"), ("v_AT-01", "4"), ("submit", "0")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = dept
        .get("/data/52-SKHCN2?period=2025")
        .await
        .text()
        .await
        .unwrap();
    let start = page
        .find("action=\"/data/52-SKHCN2/values/")
        .expect("an upload form for AT-01");
    let action = page[start + 8..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("period=2025", "period=2025%0d%0aX-Evil:%201");
    assert!(action.contains("X-Evil"), "{action}");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("QĐ.pdf"),
    );
    let r = dept
        .client
        .post(dept.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers().get("x-evil").is_none());
    assert!(
        location(&r).ends_with("&period=2025%0D%0AX-Evil:%201"),
        "{}",
        location(&r)
    );
    let coordinator = app.login("coordinator").await;
    let plan = crate::tasks::new_plan(&coordinator).await;
    let group = crate::tasks::group_id(&coordinator, plan, "6").await;
    let (_, task) = coordinator
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &crate::tasks::task_body("6.9", "540", group),
        )
        .await;
    let task_id = task["id"].as_i64().unwrap();
    // A downloaded file keeps its name however it was written: quotes, line breaks (a
    // name that came in before names were checked, or through an import), Vietnamese.
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    let sha = dxplan_app::files::save(&app.state.settings.data_dir, pdf.clone())
        .await
        .unwrap();
    let names = [
        (
            "Biên bản \"nghiệm thu\".pdf",
            "bien-ban--nghiem-thu-.pdf",
            "Bi%C3%AAn%20b%E1%BA%A3n%20%22nghi%E1%BB%87m%20thu%22.pdf",
        ),
        (
            "a\r\nSet-Cookie: x=y.pdf",
            "a-set-cookie--x-y.pdf",
            "a%0D%0ASet-Cookie%3A%20x%3Dy.pdf",
        ),
        (
            "báo*cáo;'q'.pdf",
            "bao-cao--q-.pdf",
            "b%C3%A1o%2Ac%C3%A1o%3B%27q%27.pdf",
        ),
        ("数据.pdf", "--.pdf", "%E6%95%B0%E6%8D%AE.pdf"),
    ];
    for (name, ascii, encoded) in names {
        let id = {
            let mut c = app.state.db.begin().await.unwrap();
            let id = dxplan_app::store::attachments::insert(
                &mut c,
                task_id,
                &dxplan_app::store::attachments::NewAttachment {
                    sha256: &sha,
                    size: pdf.len() as i64,
                    kind: "pdf",
                    original_name: name,
                    uploaded_by: None,
                    uploader_name: "test",
                },
                app.state.now(),
            )
            .await
            .unwrap();
            c.commit().await.unwrap();
            id
        };
        for path in [
            format!("/api/v1/attachments/{id}"),
            format!("/attachments/{id}"),
        ] {
            let r = coordinator.get(&path).await;
            assert_eq!(r.status(), StatusCode::OK, "{name:?} at {path}");
            assert_eq!(r.headers().get_all("set-cookie").iter().count(), 0);
            assert_eq!(
                r.headers()["content-disposition"].to_str().unwrap(),
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
                "{name:?}"
            );
            assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
        }
    }
    // An open dataset named with a line break is not found, not a server error.
    let r = app
        .client()
        .get(app.url("/open/datasets/plan-progress.csv%0d%0a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

fn cache_control(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn nothing_sent_to_a_logged_in_person_is_stored_by_a_cache() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = crate::tasks::new_plan(&coordinator).await;
    let group = crate::tasks::group_id(&coordinator, plan, "6").await;
    let (_, task) = coordinator
        .post_json(
            &format!("/api/v1/plans/{plan}/tasks"),
            &crate::tasks::task_body("6.9", "540", group),
        )
        .await;
    let task_id = task["id"].as_i64().unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("Biên bản.pdf"),
    );
    let r = coordinator
        .client
        .post(coordinator.url(&format!("/api/v1/tasks/{task_id}/attachments")))
        .header("x-csrf-token", &coordinator.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        cache_control(&r).as_deref(),
        Some("no-store"),
        "a write's answer"
    );
    let file: Value = r.json().await.unwrap();
    let file_id = file["id"].as_i64().unwrap();
    for path in [
        "/".to_string(),
        format!("/tasks/{task_id}"),
        format!("/plans/{plan}"),
        "/units/1".to_string(),
        "/api/v1/me".to_string(),
        format!("/api/v1/tasks/{task_id}"),
        "/api/v1/units?limit=5".to_string(),
        format!("/api/v1/attachments/{file_id}"),
        format!("/attachments/{file_id}"),
        format!("/tasks.csv?plan={plan}"),
        format!("/api/v1/tasks.csv?plan={plan}"),
        "/units.csv".to_string(),
        "/users".to_string(),
        "/api/v1/no-such-thing".to_string(),
    ] {
        let r = coordinator.get(&path).await;
        assert!(
            r.status().is_success() || r.status().is_client_error(),
            "{path}: {}",
            r.status()
        );
        assert_eq!(
            cache_control(&r).as_deref(),
            Some("no-store"),
            "{path} ({})",
            r.status()
        );
    }
    // A conditional read answered 304 is not stored either; its tag still works.
    let r = coordinator.get("/api/v1/me").await;
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = coordinator
        .client
        .get(coordinator.url("/api/v1/me"))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(cache_control(&r).as_deref(), Some("no-store"));
    // A token's reads too.
    let (_, made) = coordinator
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "sync", "expires_in_days": 30, "access": "read"}),
        )
        .await;
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/tasks/{task_id}")))
        .bearer_auth(made["secret"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(cache_control(&r).as_deref(), Some("no-store"));
    // Logging in answers with the CSRF token: not stored either.
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "viewer", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cache_control(&r).as_deref(), Some("no-store"));

    // Public paths keep their own caching.
    let anonymous = app.client();
    let css = anonymous
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        cache_control(&css).as_deref(),
        Some("public, max-age=86400")
    );
    let css = coordinator.get("/static/app.css").await;
    assert_eq!(
        cache_control(&css).as_deref(),
        Some("public, max-age=86400"),
        "with a session too"
    );
    for path in [
        "/open",
        "/open/catalog.json",
        "/open/datasets/plan-progress.csv",
        "/public/index",
    ] {
        let r = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(cache_control(&r), None, "{path}");
        // Shown to someone logged in (the page names them): private, never shared.
        let r = coordinator.get(path).await;
        assert_eq!(cache_control(&r).as_deref(), Some("private"), "{path}");
    }
    // Anonymous pages are not marked.
    let r = anonymous.get(app.url("/login")).send().await.unwrap();
    assert_eq!(cache_control(&r), None);
}

/// PostgreSQL stores no NUL character: one in a name, a form or a search must be refused
/// as bad input (and change nothing), never reach the database as a server error.
#[tokio::test]
async fn a_nul_character_anywhere_is_refused_as_bad_input() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let (status, body) = coordinator
        .post_json(
            "/api/v1/plans",
            &json!({"year": 2026, "title": "Kế hoạch\u{0}chuyển đổi số"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("NUL"));
    let r = coordinator
        .post_form("/plans", &[("year", "2026"), ("title", "Kế hoạch\0")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    for path in [
        "/api/v1/tasks?q=chuy%00en",
        "/tasks?q=%00",
        "/api/v1/units/540%00",
        "/units?q=a%00b",
    ] {
        let r = coordinator.get(path).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    // Before anyone is logged in as well: a login's name is text too.
    let r = app
        .client()
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=viewer%00&password=demo")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let r = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "viewer\u{0}", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // A file carries what a form cannot: a NUL in a CSV cell is refused on its line.
    let admin = app.login("admin").await;
    let before = app.unit_count().await;
    let r = admin
        .client
        .post(admin.url("/api/v1/units/import"))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "text/csv")
        .body("code,name,level,parent_code\n99201,Xã\0Một,commune,540\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert!(body.to_string().contains("NUL"), "{body}");
    assert_eq!(app.unit_count().await, before, "nothing written");
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let titles = plans.to_string();
    assert!(!titles.contains("\\u0000"), "nothing was written: {titles}");
}

#[tokio::test]
async fn a_search_pasted_too_long_is_refused_in_words_and_the_server_keeps_serving() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    // SQLite refuses a LIKE pattern over 50,000 bytes and a query of too many terms: both
    // had answered 500 on every search of the site.
    let long = "a".repeat(60_000);
    let many_words = "a+".repeat(20_000);
    let pasted = "chuyển đổi số ".repeat(40);
    for path in [
        "/api/v1/tasks",
        "/api/v1/indicators",
        "/api/v1/units",
        "/api/v1/users",
    ] {
        for q in [&long, &many_words] {
            let (status, body) = admin.get_json(&format!("{path}?q={q}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("dài quá 500 ký tự"),
                "{path}: {body}"
            );
        }
    }
    for path in ["/tasks", "/indicators", "/units", "/users"] {
        let r = admin.get(&format!("{path}?q={pasted}")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(
            r.text().await.unwrap().contains("dài quá 500 ký tự"),
            "{path}"
        );
        // A long but reasonable search (500 characters, 250 words) is answered.
        let r = admin.get(&format!("{path}?q={}", "số ".repeat(166))).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    assert_eq!(admin.get("/healthz").await.status(), StatusCode::OK);
}
