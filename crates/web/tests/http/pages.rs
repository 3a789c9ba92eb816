use reqwest::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn anonymous_visitors_are_sent_to_a_vietnamese_login_page() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let r = client.get(app.url("/units?q=a")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=%2Funits%3Fq%3Da");
    let html = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"vi\">") && html.contains("Tên đăng nhập"));
    let html = client
        .get(app.url("/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("Username"));
    // An English browser with Vietnamese added gets Vietnamese.
    let html = client
        .get(app.url("/login"))
        .header("accept-language", "en-US,en;q=0.9,vi;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"vi\">"));
}

#[tokio::test]
async fn logging_in_with_the_form_goes_where_the_user_was_heading() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", "sai"),
            ("next", "/units"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Tên đăng nhập hoặc mật khẩu không đúng") && html.contains("value=\"admin\"")
    );
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", "demo"),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/", "never off-site");
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", "Admin"),
            ("password", "demo"),
            ("next", "/units"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/units");
    let home = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Quản trị hệ thống"));
}

#[tokio::test]
async fn the_language_switch_is_remembered() {
    let app = TestApp::spawn().await;
    let s = app.login("viewer").await;
    let r = s.get("/lang/en?next=/units").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/units");
    let html = s.get("/units").await.text().await.unwrap();
    assert!(html.contains("Unit tree") && html.contains("Tiếng Việt"));
    s.get("/lang/vi?next=/").await;
    let html = s.get("/units").await.text().await.unwrap();
    assert!(html.contains("Cây đơn vị"));
    assert_eq!(s.get("/lang/fr").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn navigation_shows_only_what_the_user_may_use() {
    let app = TestApp::spawn().await;
    let viewer = app.login("viewer").await;
    // A leader lands on the dashboard of their scope.
    let r = viewer.get("/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/dashboard");
    let viewer = viewer.get("/dashboard").await.text().await.unwrap();
    for item in [
        "Kế hoạch",
        "Nhiệm vụ",
        "Chỉ tiêu",
        "Đánh giá",
        "Trung tâm điều hành",
        "Đơn vị",
    ] {
        assert!(viewer.contains(item), "viewer should see {item}");
    }
    assert!(!viewer.contains("href=\"/users\"") && !viewer.contains("href=\"/audit\""));
    let approver = app
        .login("approver-540")
        .await
        .get("/")
        .await
        .text()
        .await
        .unwrap();
    assert!(approver.contains("href=\"/users\"") && !approver.contains("href=\"/audit\""));
    let admin = app
        .login("admin")
        .await
        .get("/")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        admin.contains("href=\"/users\"")
            && admin.contains("href=\"/audit\"")
            && admin.contains("Nhật ký")
    );
}

#[tokio::test]
async fn the_unit_tree_counts_levels_and_finds_units_without_diacritics() {
    let app = TestApp::spawn().await;
    let s = app.login("viewer").await;
    let html = s.get("/units").await.text().await.unwrap();
    assert!(
        html.contains("Tỉnh Bình Định")
            && html.contains("Phường Nhơn Bình")
            && html.contains("Sở Y tế")
    );
    assert!(html.contains("<strong>159</strong> Xã, phường, thị trấn"));
    assert!(html.contains("<strong>11</strong> Huyện, thị xã, thành phố"));
    assert!(
        !html.contains("Sở Thông tin và Truyền thông"),
        "retired in 2025"
    );
    let html = s.get("/units?q=ghenh%20rang").await.text().await.unwrap();
    assert!(html.contains("class=\"match\">Phường Ghềnh Ráng"));
    assert!(
        !html.contains("Huyện Vân Canh"),
        "only the path to the match is shown"
    );
    let html = s.get("/units?at=01/06/2024").await.text().await.unwrap();
    assert!(html.contains("Sở Thông tin và Truyền thông"));
    assert_eq!(
        s.get("/units?at=hôm-qua").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn an_admin_creates_a_user_and_grants_a_role_through_the_forms() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let r = admin
        .post_form(
            "/users/new",
            &[
                ("username", "tran thi b"),
                ("display_name", ""),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Có lỗi cần sửa")
            && html.contains("Bắt buộc nhập")
            && html.contains("value=\"tran thi b\"")
    );

    let r = admin
        .post_form(
            "/users/new",
            &[
                ("username", "tran.thi.b"),
                ("display_name", "Trần Thị B"),
                ("password", "mật khẩu tốt"),
                // Units are chosen by name, as the list offers them.
                ("unit_code", "huyen an lao"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let page = admin.get(&location).await.text().await.unwrap();
    assert!(page.contains("Đã tạo tài khoản tran.thi.b") && page.contains("Huyện An Lão"));
    assert!(
        page.contains(r#"<option value="Huyện An Lão">"#),
        "the unit fields offer names"
    );

    let r = admin
        .post_form(
            &format!("{location}/grants"),
            &[("role", "unit_approver"), ("unit_code", "Huyện An Lão")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = admin.get(&location).await.text().await.unwrap();
    assert!(page.contains("Lãnh đạo đơn vị (duyệt) — Huyện An Lão"));
    let r = admin
        .post_form(
            &format!("{location}/grants"),
            &[("role", "unit_approver"), ("unit_code", "không-có")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let audit = admin.get("/audit?actor=admin").await.text().await.unwrap();
    assert!(
        audit.contains("user.create")
            && audit.contains("user.grant")
            && audit.contains("tran.thi.b")
    );
    let filtered = admin
        .get("/audit?action=user.grant")
        .await
        .text()
        .await
        .unwrap();
    assert!(filtered.contains("<span class=\"code\">user.grant</span>"));
    assert!(!filtered.contains("<span class=\"code\">user.create</span>"));
    let bad = admin
        .get("/audit?from=32/13/2026")
        .await
        .text()
        .await
        .unwrap();
    assert!(bad.contains("Ngày không hợp lệ"));
}

#[tokio::test]
async fn units_are_managed_through_the_forms() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let r = admin
        .post_form(
            "/units/new",
            &[
                ("code", "99401"),
                ("name", "Phường Mới"),
                ("kind", "commune"),
                ("parent_code", "540"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let page = admin.get(&location).await.text().await.unwrap();
    assert!(page.contains("Đã thêm đơn vị Phường Mới") && page.contains("Thành phố Quy Nhơn"));
    let r = admin
        .post_form(&format!("{location}/retire"), &[("valid_to", "31/12/2026")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = admin.get(&location).await.text().await.unwrap();
    assert!(page.contains("31/12/2026"));
    let r = admin
        .post_form(
            "/units/new",
            &[
                ("code", "99402"),
                ("name", "Xã"),
                ("kind", "commune"),
                ("parent_code", "khong-co"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Không tìm thấy đơn vị cấp trên")
    );

    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(
            b"code,name,level,parent_code\n99403,,commune,540\n".to_vec(),
        )
        .file_name("x.csv"),
    );
    let r = admin
        .client
        .post(admin.url(&format!("/units/import?_csrf={}", admin.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Dòng 2, cột name"));
}

#[tokio::test]
async fn error_pages_are_friendly_in_both_languages() {
    let app = TestApp::spawn().await;
    let s = app.login("viewer").await;
    let r = s.get("/khong-co-trang-nay").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Không tìm thấy trang") && html.contains("href=\"/units\""),
        "with the user's navigation"
    );
    let r = s
        .client
        .get(s.url("/units/999999"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = s.get("/audit").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Không có quyền truy cập"));
    s.get("/lang/en").await;
    let html = s.get("/nowhere").await.text().await.unwrap();
    assert!(html.contains("Page not found"));
    let r = s.get("/api/v1/nowhere").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn when_the_database_is_gone_users_get_a_friendly_500_and_health_says_so() {
    let app = TestApp::spawn().await;
    let s = app.login("viewer").await;
    app.state.db.close().await;
    let r = s.get("/api/v1/units").await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal");
    assert!(
        !body.to_string().contains("pool"),
        "no internals leak: {body}"
    );
    let r = s
        .client
        .get(s.url("/units"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Something went wrong") || html.contains("Hệ thống đang gặp sự cố"),
        "{html}"
    );
    let r = s.get("/healthz").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn pages_and_json_are_compressed_and_the_site_has_an_icon() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    for path in [
        "/dashboard",
        "/api/v1/tasks?per_page=100",
        "/api/v1/tasks.csv",
    ] {
        let plain = coordinator.get(path).await.bytes().await.unwrap();
        let fetch = |encoding: &'static str| {
            let client = coordinator.client.clone();
            let url = app.url(path);
            async move {
                let r = client
                    .get(url)
                    .header("accept-encoding", encoding)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::OK, "{path}");
                let how = r.headers()["content-encoding"]
                    .to_str()
                    .unwrap()
                    .to_string();
                (how, r.bytes().await.unwrap())
            }
        };
        let (how, gz) = fetch("gzip").await;
        assert_eq!(how, "gzip", "{path}");
        assert!(
            gz.len() * 4 < plain.len(),
            "{path}: {} bytes gzipped, {} plain",
            gz.len(),
            plain.len()
        );
        // What browsers ask for: gzip (brotli cost five times the CPU here).
        let (how, _) = fetch("gzip, deflate, br").await;
        assert_eq!(how, "gzip", "{path}");
    }
    // Documents that are zip files already go out as they are.
    let r = coordinator
        .client
        .get(app.url("/api/v1/tasks.xlsx"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    let r = app
        .client()
        .get(app.url("/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let html = coordinator.get("/").await.text().await.unwrap();
    assert!(html.contains(r#"rel="icon" href="/static/favicon.svg""#));
}
