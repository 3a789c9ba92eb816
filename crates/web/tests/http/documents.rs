//! The documents a leader signs, as Decree 30/2020/NĐ-CP lays them out, issued by the
//! unit the report is about as it stands on the report's date: a department under its
//! province's People's Committee, a ward or a district as a People's Committee of its own,
//! the province alone; in 2024's units on a 2024 date and in today's after the 2025
//! reform. A unit's leaders set what its letterhead prints (signer, recipients …), and no
//! one else.

use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::{Session, TestApp, TestClock, docx_part, docx_text, error_code};

async fn bytes(s: &Session, path: &str) -> Vec<u8> {
    let r = s.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.bytes().await.expect("body").to_vec()
}

/// The Word report's text, and its package's document and properties parts.
async fn word(s: &Session, query: &str) -> (String, String, String) {
    let doc = bytes(s, &format!("/dashboard.docx?{query}")).await;
    (
        docx_text(&doc),
        docx_part(&doc, "word/document.xml"),
        docx_part(&doc, "docProps/core.xml"),
    )
}

fn has_all(text: &str, needles: &[&str], what: &str) {
    for needle in needles {
        assert!(
            text.contains(needle),
            "{what}: {needle:?} missing in\n{text}"
        );
    }
}

fn has_none(text: &str, needles: &[&str], what: &str) {
    for needle in needles {
        assert!(
            !text.contains(needle),
            "{what}: {needle:?} found in\n{text}"
        );
    }
}

/// Checks the documents of today's two-tier province, on the full demo (called from the
/// demo's test, which seeds it once for both).
pub async fn todays_documents_speak_for_the_unit_of_today(app: &TestApp) {
    let coordinator = app.login("coordinator").await;

    // A department: under the People's Committee of Gia Lai, its own symbol, the
    // province's place, a deputy director signing.
    let (text, xml, props) = word(&coordinator, "unit=52-SKHCN2").await;
    has_all(
        &text,
        &[
            "UBND TỈNH GIA LAI\nSỞ KHOA HỌC VÀ CÔNG NGHỆ",
            "/BC-SKHCN",
            "Gia Lai, ngày\u{a0}",
            "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
            "- Bộ Khoa học và Công nghệ (b/c);",
            "- UBND tỉnh (b/c);",
            "- Lưu: VT.",
            "Quý\u{a0}IV/2026",
        ],
        "the department's report",
    );
    has_none(
        &text,
        &["BÌNH ĐỊNH", "Bình Định, ngày", "2026Q", ".."],
        "the department's report",
    );
    // Header rows repeat on every page; the page number stands at the top from page 2;
    // the agency is the document's author.
    assert!(xml.contains("<w:tblHeader"), "repeating header rows");
    assert!(xml.contains("<w:titlePg"), "no number on the first page");
    assert!(
        props.contains("<dc:creator>SỞ KHOA HỌC VÀ CÔNG NGHỆ</dc:creator>"),
        "{props}"
    );
    assert!(!props.contains("1970-01-01"), "made now: {props}");

    // A ward: a People's Committee of its own, with its own place and signer.
    let ward = coordinator
        .pdf_text("/api/v1/exports/dashboard.pdf?unit=21583")
        .await;
    has_all(
        &ward,
        &[
            "ỦY BAN NHÂN DÂN",
            "PHƯỜNG QUY NHƠN",
            "/BC-UBND",
            "Quy Nhơn, ngày",
            "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
            "- UBND tỉnh (b/c);",
            "- Sở Khoa học và Công nghệ;",
            "- Thường trực HĐND phường;",
        ],
        "the ward's PDF report",
    );
    has_none(
        &ward,
        &["GIÁM ĐỐC", "Gia Lai, ngày", "UBND TỈNH GIA LAI"],
        "the ward's PDF report",
    );
    let briefing = coordinator
        .pdf_text("/api/v1/exports/briefing.pdf?unit=21583")
        .await;
    has_all(
        &briefing,
        &["ỦY BAN NHÂN DÂN PHƯỜNG QUY NHƠN"],
        "the ward's briefing",
    );

    // The province: its People's Committee alone, reporting to the ministry, not to itself.
    let (text, _, _) = word(&coordinator, "unit=52").await;
    has_all(
        &text,
        &[
            "ỦY BAN NHÂN DÂN\nTỈNH GIA LAI",
            "/BC-UBND",
            "Gia Lai, ngày",
            "TM. ỦY BAN NHÂN DÂN",
            "- Bộ Khoa học và Công nghệ (b/c);",
            "- UBND các xã, phường;",
        ],
        "the province's report",
    );
    has_none(
        &text,
        &["UBND tỉnh (b/c)", "/BC-TGL", "GIÁM ĐỐC", "UBND các huyện"],
        "the province's report",
    );
    // 2024's plan in 2024's units, printed today: the province that carries Bình Định on
    // issues it.
    let (text, _, _) = word(&coordinator, "unit=52&year=2024&structure=then").await;
    has_all(
        &text,
        &["ỦY BAN NHÂN DÂN\nTỈNH GIA LAI", "Gia Lai, ngày"],
        "2024's report printed today",
    );

    letterhead_settings_belong_to_the_units_leaders(app).await;
}

async fn letterhead_settings_belong_to_the_units_leaders(app: &TestApp) {
    // The ward's leader (the district's account carried to Phường Quy Nhơn).
    let leader = app.login("approver-540").await;
    let (status, before) = leader.get_json("/api/v1/units/21583/issuer").await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["block"]["symbol"], "UBND");
    assert_eq!(before["block"]["place"], "Quy Nhơn");
    assert_eq!(
        before["settings"],
        json!({
            "governing_body": null, "agency": null, "abbreviation": null, "place": null,
            "signer_title": null, "signer_name": null, "recipients": null
        })
    );

    // Refused: an editor, a viewer, the leader on another unit, a read-only token, and
    // anyone anonymous; nothing changes.
    let change = json!({"signer_name": "Nguyễn Văn An"});
    for (who, path) in [
        ("editor-540", "/api/v1/units/21583/issuer"),
        ("viewer", "/api/v1/units/21583/issuer"),
        ("approver-540", "/api/v1/units/52-SKHCN2/issuer"),
        ("approver-540", "/api/v1/units/52/issuer"),
    ] {
        let s = app.login(who).await;
        let (status, body) = s.send_json(reqwest::Method::PUT, path, &change).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} on {path}: {body}");
    }
    let anonymous = app
        .client()
        .put(app.url("/api/v1/units/21583/issuer"))
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let (status, token) = leader
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "đọc", "expires_in_days": 1, "access": "read"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let read_only = app
        .client()
        .put(app.url("/api/v1/units/21583/issuer"))
        .bearer_auth(token["secret"].as_str().unwrap())
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(read_only.status(), StatusCode::FORBIDDEN);

    // Bad input is refused field by field, and changes nothing.
    let (status, body) = leader
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/units/21583/issuer",
            &json!({"abbreviation": "BC/<b>", "place": "x".repeat(61)}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["abbreviation", "place"], "{body}");
    let (_, same) = leader.get_json("/api/v1/units/21583/issuer").await;
    assert_eq!(same, before);
    assert_eq!(app.audit_count("unit.issuer").await, 0);

    // The leader sets the signer; the next report carries it.
    let (status, now) = leader
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/units/21583/issuer",
            &json!({
                "signer_title": "TM. Ủy ban nhân dân\nChủ tịch",
                "signer_name": "Nguyễn Văn An",
                "recipients": "UBND tỉnh (b/c);\nSở Khoa học và Công nghệ;\nLưu: VT, VP."
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{now}");
    assert_eq!(
        now["block"]["signer_title"],
        json!(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"])
    );
    assert_eq!(app.audit_count("unit.issuer").await, 1);
    let (text, _, _) = word(&leader, "unit=21583").await;
    has_all(
        &text,
        &[
            "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
            "Nguyễn Văn An",
            "- Lưu: VT, VP.",
        ],
        "the ward's report after its settings",
    );
    has_none(
        &text,
        &["KT. CHỦ TỊCH"],
        "the ward's report after its settings",
    );

    // The page: the leader sees the letterhead and the form; a wrong value comes back on
    // its field in Vietnamese with what was typed; a viewer sees the letterhead only.
    let (_, ward) = leader.get_json("/api/v1/units/21583").await;
    let page = format!("/units/{}/documents", ward["id"]);
    let html = leader.get(&page).await.text().await.unwrap();
    has_all(
        &html,
        &[
            "ỦY BAN NHÂN DÂN",
            "PHƯỜNG QUY NHƠN",
            "name=\"signer_name\"",
            "Nguyễn Văn An",
        ],
        "the letterhead page",
    );
    let r = leader
        .post_form(
            &page,
            &[
                ("place", &"Quy Nhơn ".repeat(10)),
                ("signer_name", "Trần Thị Bình"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    has_all(
        &html,
        &[
            "Dài quá 60 ký tự.",
            "Trần Thị Bình",
            "aria-invalid=\"true\"",
        ],
        "the refused form",
    );
    let r = leader
        .post_form(
            &page,
            &[
                ("signer_name", "Trần Thị Bình"),
                ("no_governing_body", "true"),
            ],
        )
        .await;
    assert!(
        r.status().is_redirection() || r.status() == StatusCode::OK,
        "{}",
        r.status()
    );
    let (_, now) = leader.get_json("/api/v1/units/21583/issuer").await;
    assert_eq!(now["block"]["signer_name"], "Trần Thị Bình");
    // A blank field is the default again.
    assert_eq!(now["settings"]["recipients"], Value::Null);
    let viewer = app.login("viewer").await;
    let html = viewer.get(&page).await.text().await.unwrap();
    assert!(html.contains("PHƯỜNG QUY NHƠN") && !html.contains("name=\"signer_name\""));
    let refused = viewer.post_form(&page, &[("signer_name", "X")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_documents_of_2024_speak_of_the_units_of_2024() {
    let clock = TestClock::at(datetime!(2024-11-28 09:00 +7));
    let app = TestApp::spawn_with_clock(clock).await;
    let s = app.login("admin").await;

    let (text, _, _) = word(&s, "unit=52-STTTT").await;
    has_all(
        &text,
        &[
            "UBND TỈNH BÌNH ĐỊNH\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG",
            "/BC-STTTT",
            "Bình Định, ngày\u{a0}28 tháng\u{a0}11 năm\u{a0}2024",
            "- Bộ Thông tin và Truyền thông (b/c);",
            "- Ban Chỉ đạo chuyển đổi số tỉnh (b/c);",
            "- Các sở, ban, ngành; UBND các huyện, thị xã, thành phố;",
        ],
        "2024's Sở TT&TT",
    );
    // A ward of 2024 under its city; the city under the province.
    let ward = s.pdf_text("/api/v1/exports/dashboard.pdf?unit=21556").await;
    has_all(
        &ward,
        &[
            "PHƯỜNG ĐỐNG ĐA",
            "Đống Đa, ngày 28 tháng 11 năm 2024",
            "- UBND thành phố Quy Nhơn (b/c);",
            "- Thường trực HĐND phường;",
        ],
        "2024's ward",
    );
    let (text, _, _) = word(&s, "unit=540").await;
    has_all(
        &text,
        &[
            "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ QUY NHƠN",
            "Quy Nhơn, ngày",
            "- Sở Thông tin và Truyền thông;",
        ],
        "2024's city",
    );
    let (text, _, _) = word(&s, "unit=52").await;
    has_all(
        &text,
        &[
            "ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH",
            "- UBND các huyện, thị xã, thành phố;",
        ],
        "2024's province",
    );
}
