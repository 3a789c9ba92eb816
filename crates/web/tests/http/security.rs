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
async fn health_and_metrics() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let r = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    client.get(app.url("/login")).send().await.unwrap();
    let viewer = app.login("viewer").await;
    viewer.get("/api/v1/units/540").await;
    let text = client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
        dxplan_store::Db::Sqlite(p) => (
            sqlx::query("UPDATE audit_events SET summary = 'x'")
                .execute(p)
                .await
                .map(|_| ()),
            sqlx::query("DELETE FROM audit_events")
                .execute(p)
                .await
                .map(|_| ()),
        ),
        dxplan_store::Db::Postgres(p) => (
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
