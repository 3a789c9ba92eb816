//! Wall displays: an administrator gives a screen a link to one unit's dashboard. The link
//! works without a login and without expiring, shows that dashboard in wall mode and
//! nothing else, never reaches anyone who may not administer the unit, and stops when revoked.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, test_config};

/// The secret of the wall link a page shows (`…/wall/<43 characters>`).
fn secret_on(page: &str) -> String {
    let at = page.find("/wall/").expect("the page shows the new link") + "/wall/".len();
    page[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn displays(app: &TestApp) -> Vec<dxplan_app::store::displays::Display> {
    let mut c = app.state.db.read().await.unwrap();
    dxplan_app::store::displays::list(&mut c).await.unwrap()
}

#[tokio::test]
async fn an_administrator_gives_a_screen_a_link_that_shows_one_dashboard_until_revoked() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin").await;
    let form = admin.get("/admin/displays").await;
    assert_eq!(form.status(), StatusCode::OK);
    let form = form.text().await.unwrap();
    assert!(form.contains("Thêm màn hình") && form.contains("<datalist id=\"display-units\""));

    // The unit is chosen by name, as the picker offers it.
    let made = admin
        .post_form(
            "/admin/displays",
            &[("name", "Phòng họp tầng 3"), ("unit", "Sở Tư pháp")],
        )
        .await;
    assert_eq!(made.status(), StatusCode::OK);
    let page = made.text().await.unwrap();
    let secret = secret_on(&page);
    assert_eq!(secret.len(), 43, "{secret}");
    assert!(page.contains("chỉ hiện một lần"), "the link is shown once");
    let list = displays(&app).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].unit_name, "Sở Tư pháp");
    assert!(
        !page.contains(&format!("/wall/{secret}</a></td>")),
        "not kept in the table"
    );
    assert_eq!(app.audit_count("display.create").await, 1);
    let audit = admin.get("/audit").await.text().await.unwrap();
    assert!(
        audit.contains("Tạo đường dẫn màn hình") && audit.contains("Màn hình"),
        "the audit log says it in words"
    );

    // The screen needs no login: a browser with no cookie at all.
    let screen = app.client();
    let wall = screen
        .get(app.url(&format!("/wall/{secret}")))
        .send()
        .await
        .unwrap();
    assert_eq!(wall.status(), StatusCode::OK);
    assert_eq!(
        wall.headers()["cache-control"],
        "no-store",
        "a wall page is nobody's to keep"
    );
    assert_eq!(
        wall.headers()["referrer-policy"],
        "no-referrer",
        "its address goes nowhere"
    );
    let wall = wall.text().await.unwrap();
    assert!(wall.contains("<h1>Sở Tư pháp"), "the display's unit");
    assert!(wall.contains("Cập nhật lúc") && wall.contains("data-clock"));
    assert!(wall.contains("data-rotate") && wall.contains("data-screen-count"));
    for absent in [
        "/dashboard.pdf",
        "/exports",
        "Thoát",
        "Đăng xuất",
        "name=\"plan\"",
    ] {
        assert!(!wall.contains(absent), "no {absent} on the wall");
    }
    // The link reads its unit's dashboard, whatever the query asks for.
    let other = screen
        .get(app.url(&format!("/wall/{secret}?unit=52")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(other.contains("<h1>Sở Tư pháp"));
    // And nothing else: it is not a session.
    let dashboard = screen.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(
        dashboard.status(),
        StatusCode::SEE_OTHER,
        "to the login page"
    );
    let api = screen
        .get(app.url("/api/v1/tasks"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert!(
        displays(&app).await[0].last_used_at.is_some(),
        "the list says when the screen last asked"
    );

    let revoked = admin
        .post_form(&format!("/admin/displays/{}/revoke", list[0].id), &[])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.audit_count("display.revoke").await, 1);
    let gone = screen
        .get(app.url(&format!("/wall/{secret}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let again = admin
        .post_form(&format!("/admin/displays/{}/revoke", list[0].id), &[])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let listed = admin.get("/admin/displays").await.text().await.unwrap();
    assert!(listed.contains("Đã thu hồi"));
}

#[tokio::test]
async fn a_wall_link_is_refused_alike_when_unknown_malformed_or_hostile() {
    let app = TestApp::spawn().await;
    let screen = app.client();
    let long = "a".repeat(5000);
    for secret in [
        "x",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "%00%00",
        "..%2F..%2Fetc%2Fpasswd",
        "%E1%BA%A1%E1%BA%A1%E1%BA%A1%E1%BA%A1%E1%BA%A1%E1%BA%A1%E1%BA%A1aaaaaaaaaaaaaaaaaaaaaa",
        long.as_str(),
    ] {
        let r = screen
            .get(app.url(&format!("/wall/{secret}")))
            .send()
            .await
            .unwrap();
        // A NUL is refused as bad input before any look-up, whatever the link.
        let expected = if secret.contains("%00") {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(r.status(), expected, "{}", &secret[..secret.len().min(40)]);
    }
}

#[tokio::test]
async fn only_an_administrator_of_the_unit_gives_out_or_revokes_a_wall_link() {
    let app = TestApp::spawn_with(test_config()).await;
    let admin = app.login("admin").await;
    let made = admin
        .post_form("/admin/displays", &[("name", "Sảnh"), ("unit", "52")])
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(secret_on(&made).len(), 43);
    let id = displays(&app).await[0].id.to_string();

    // Coordinators, leaders, editors and viewers run no screens: refused before their form
    // is read, and nothing is made.
    for who in ["coordinator", "approver-540", "editor-540", "viewer"] {
        let s = app.login(who).await;
        assert_eq!(
            s.get("/admin/displays").await.status(),
            StatusCode::FORBIDDEN,
            "{who}"
        );
        let r = s
            .post_form("/admin/displays", &[("name", "Của tôi"), ("unit", "52")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
        let r = s
            .post_form(&format!("/admin/displays/{id}/revoke"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(displays(&app).await.len(), 1);
    assert!(displays(&app).await[0].revoked_at.is_none());

    // An administrator of one ward (21583, Phường Quy Nhơn today): its own screen, not the
    // province's.
    let (status, user) = admin
        .post_json(
            "/api/v1/users",
            &json!({"username": "qt.quynhon", "display_name": "Quản trị phường",
                    "password": "mật khẩu dài lắm", "unit_code": "21583"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let uid = user["id"].as_i64().unwrap();
    let (status, grant) = admin
        .post_json(
            &format!("/api/v1/users/{uid}/grants"),
            &json!({"role": "admin", "unit_code": "21583"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    let ward = app.login_with("qt.quynhon", "mật khẩu dài lắm").await;
    let listed = ward.get("/admin/displays").await.text().await.unwrap();
    assert!(
        !listed.contains("Sảnh"),
        "the province's screen is not the ward's to see"
    );
    let refused = ward
        .post_form("/admin/displays", &[("name", "Sảnh tỉnh"), ("unit", "52")])
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::BAD_REQUEST,
        "a unit outside its reach"
    );
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("aria-invalid=\"true\""),
        "said on the field"
    );
    let r = ward
        .post_form(&format!("/admin/displays/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "another unit's screen");
    let own = ward
        .post_form(
            "/admin/displays",
            &[("name", "Phòng một cửa"), ("unit", "21583")],
        )
        .await;
    assert_eq!(own.status(), StatusCode::OK);

    // A read-only API token of the system administrator gives out nothing either.
    let (status, token) = admin
        .post_json("/api/v1/tokens", &json!({"name": "đọc", "access": "read"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let r = app
        .client()
        .post(app.url("/admin/displays"))
        .bearer_auth(token["secret"].as_str().unwrap())
        .form(&[("name", "Qua mã"), ("unit", "52")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Bad input is said on its field and makes nothing.
    let before = displays(&app).await.len();
    let bad = admin
        .post_form(
            "/admin/displays",
            &[("name", ""), ("unit", "Không có đơn vị này")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("error-summary"));
    assert_eq!(displays(&app).await.len(), before);
    assert_eq!(app.audit_count("display.create").await, 2);
}

/// (Called from the demo test, which has the reorganisations of 2025.) A screen set up for
/// Tỉnh Bình Định before the merger goes on showing the province that carries it on.
pub async fn a_wall_link_follows_its_unit_through_a_merger(app: &TestApp) {
    let (secret, hash) = {
        let secret = "S".repeat(43);
        let hash = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(secret.as_bytes()))
        };
        (secret, hash)
    };
    let mut c = app.state.db.begin().await.unwrap();
    let before = time::macros::date!(2024 - 06 - 01);
    let binh_dinh = dxplan_app::store::units::by_code(&mut c, "52", before)
        .await
        .unwrap()
        .expect("the province of 2024");
    assert_eq!(binh_dinh.name, "Tỉnh Bình Định");
    dxplan_app::store::displays::insert(
        &mut c,
        &dxplan_app::store::displays::NewDisplay {
            name: "Phòng họp (2024)",
            unit_id: binh_dinh.id,
            token_hash: &hash,
            prefix: "SSSSSSSS",
            created_by: "Quản trị",
        },
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    c.commit().await.unwrap();
    let wall = app
        .client()
        .get(app.url(&format!("/wall/{secret}")))
        .send()
        .await
        .unwrap();
    assert_eq!(wall.status(), StatusCode::OK);
    let wall = wall.text().await.unwrap();
    assert!(wall.contains("<h1>Tỉnh Gia Lai"), "today's province");
}
