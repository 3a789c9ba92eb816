//! Importing a plan appendix from a real workbook, as provinces publish them.

use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};

use crate::support::{Session, TestApp, error_code};

async fn new_plan(s: &Session, title: &str) -> i64 {
    let (status, plan) = s
        .post_json("/api/v1/plans", &json!({"year": 2025, "title": title}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    plan["id"].as_i64().unwrap()
}

/// A workbook the way real appendices look: title rows, a two-row merged header, a row
/// of column numbers, group rows, loose unit names and every kind of deadline.
fn messy_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .merge_range(
            0,
            0,
            0,
            8,
            "PHỤ LỤC: DANH MỤC NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2025",
            &bold,
        )
        .unwrap();
    sheet
        .write(1, 0, "(Kèm theo Kế hoạch số 45/KH-UBND)")
        .unwrap();
    for (col, h) in ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp"]
        .iter()
        .enumerate()
    {
        sheet
            .merge_range(3, col as u16, 4, col as u16, h, &bold)
            .unwrap();
    }
    sheet.merge_range(3, 4, 3, 5, "Thời gian", &bold).unwrap();
    sheet.write(4, 4, "Bắt đầu").unwrap();
    sheet.write(4, 5, "Hoàn thành").unwrap();
    sheet
        .merge_range(3, 6, 4, 6, "Kinh phí\n(triệu đồng)", &bold)
        .unwrap();
    sheet
        .merge_range(3, 7, 4, 7, "Hình thức\n(thuê/mua/tự thực hiện)", &bold)
        .unwrap();
    sheet
        .merge_range(3, 8, 4, 8, "Sản phẩm đầu ra", &bold)
        .unwrap();
    for col in 0..9u16 {
        sheet.write(5, col, f64::from(col + 1)).unwrap();
    }
    sheet.write(6, 0, "I").unwrap();
    sheet.write(6, 1, "HẠ TẦNG SỐ").unwrap();
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        &'a str,
        &'a str,
        &'a str,
    );
    let rows: [Row; 3] = [
        (
            "Phủ sóng 4G các thôn lõm sóng",
            "UBND huyện An Lão",
            "Sở KH&CN; Viettel Bình Định,\nVNPT Bình Định",
            Some("01/02/2025"),
            "Quý III/2025",
            "1.250,5",
            "Thuê",
        ),
        (
            "Nâng cấp mạng truyền số liệu chuyên dùng",
            "Sở Khoa học và Công nghệ",
            "UBND cấp huyện",
            None,
            "Tháng 10/2025",
            "2400",
            "thuê",
        ),
        (
            "Cáp quang đến hộ gia đình",
            "TX An Nhơn",
            "Tập đoàn VNPT",
            None,
            "Năm 2025",
            "—",
            "",
        ),
    ];
    let mut r = 7u32;
    for (i, (title, lead, coordinating, start, due, budget, mode)) in rows.iter().enumerate() {
        sheet.write(r, 0, (i + 1) as f64).unwrap();
        sheet.write(r, 1, *title).unwrap();
        sheet.write(r, 2, *lead).unwrap();
        sheet.write(r, 3, *coordinating).unwrap();
        if let Some(s) = start {
            sheet.write(r, 4, *s).unwrap();
        }
        sheet.write(r, 5, *due).unwrap();
        match budget.parse::<f64>() {
            Ok(n) => sheet.write(r, 6, n).unwrap(),
            Err(_) => sheet.write(r, 6, *budget).unwrap(),
        };
        sheet.write(r, 7, *mode).unwrap();
        r += 1;
    }
    sheet.write(r, 0, "II").unwrap();
    sheet.write(r, 1, "Chính quyền số").unwrap();
    r += 1;
    sheet.write(r, 0, 1.0).unwrap();
    sheet
        .write(r, 1, "Cung cấp dịch vụ công trực tuyến toàn trình")
        .unwrap();
    sheet.write(r, 2, "Văn phòng UBND tỉnh").unwrap();
    sheet.write(r, 3, "Các sở, ban, ngành").unwrap();
    sheet
        .write_datetime_with_format(r, 4, ExcelDateTime::from_ymd(2025, 1, 15).unwrap(), &date)
        .unwrap();
    sheet.write(r, 5, "Thường xuyên").unwrap();
    sheet.write(r, 8, "Trên 80% thủ tục toàn trình").unwrap();
    book.save_to_buffer().unwrap()
}

pub(crate) async fn post_workbook(
    s: &Session,
    plan: i64,
    bytes: Vec<u8>,
    dry_run: bool,
) -> (StatusCode, Value) {
    let r = s
        .client
        .post(s.url(&format!("/api/v1/plans/{plan}/import?dry_run={dry_run}")))
        .header("x-csrf-token", &s.csrf)
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_messy_appendix_is_previewed_then_imported_all_at_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator, "Kế hoạch nhập thử").await;
    let (status, preview) = post_workbook(&coordinator, plan, messy_workbook(), true).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["count"], 4);
    let (_, list) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/tasks"))
        .await;
    assert_eq!(list["total"], 0, "a preview writes nothing");

    let (status, done) = post_workbook(&coordinator, plan, messy_workbook(), false).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let (_, list) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/tasks?sort=code"))
        .await;
    let items = list["items"].as_array().unwrap();
    let codes: Vec<&str> = items.iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["2.1", "2.2", "2.3", "9.1"]);
    let first = &items[0];
    assert_eq!(first["lead_unit_code"], "542");
    assert_eq!(first["due_date"], "2025-09-30");
    assert_eq!(first["budget_planned"], 1_250_500_000i64);
    assert_eq!(first["acquisition_mode"], "rent");
    assert_eq!(
        first["partners"],
        json!(["Viettel Bình Định", "VNPT Bình Định"])
    );
    assert_eq!(first["group_name"], "Hạ tầng số");
    assert_eq!(items[2]["lead_unit_code"], "549");
    assert_eq!(items[2]["due_date"], "2025-12-31");
    assert_eq!(
        items[2]["partners"],
        json!(["Tập đoàn VNPT"]),
        "an outside body is a partner, not an error"
    );
    assert_eq!(items[3]["start_date"], "2025-01-15");
    assert_eq!(items[3]["lead_unit_code"], "52-VPUB");
    let (_, task) = coordinator
        .get_json(&format!("/api/v1/tasks/{}", items[1]["id"]))
        .await;
    assert_eq!(
        task["coordinating_units"].as_array().unwrap().len(),
        11,
        "UBND cấp huyện: every district"
    );
    assert_eq!(app.audit_count("plan.import").await, 1);
    // The same file again: every code is now taken, so nothing is written.
    let (status, body) = post_workbook(&coordinator, plan, messy_workbook(), false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn bad_workbooks_are_refused_with_every_problem_and_change_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator, "Kế hoạch lỗi").await;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in [
        "Mã nhiệm vụ",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Thời hạn hoàn thành",
        "Kinh phí (triệu đồng)",
    ]
    .iter()
    .enumerate()
    {
        sheet.write(0, c as u16, *h).unwrap();
    }
    sheet.write(1, 0, "1.1").unwrap();
    sheet.write(1, 1, "Việc tốt").unwrap();
    sheet.write(1, 2, "542").unwrap();
    sheet.write(1, 3, "30/06/2025").unwrap();
    sheet.write(2, 0, "1.2").unwrap();
    sheet.write(2, 1, "Việc của đơn vị lạ").unwrap();
    sheet.write(2, 2, "Sở Không Tồn Tại").unwrap();
    sheet.write(2, 3, "giữa năm").unwrap();
    sheet.write(2, 4, -3.0).unwrap();
    let (status, body) =
        post_workbook(&coordinator, plan, book.save_to_buffer().unwrap(), false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "import_rejected");
    let messages: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[0].starts_with("Dòng 3, cột “Đơn vị chủ trì”"),
        "{messages:?}"
    );
    let (_, list) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/tasks"))
        .await;
    assert_eq!(list["total"], 0, "the good row was not written either");

    for garbage in [
        b"%PDF-1.4 renamed to xlsx".to_vec(),
        vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
        b"PK\x03\x04 truncated".to_vec(),
    ] {
        let (status, body) = post_workbook(&coordinator, plan, garbage, true).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .contains(".xlsx")
        );
    }
    let (status, _) = post_workbook(&coordinator, plan, vec![b'x'; 50 * 1024 * 1024], true).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let editor = app.login("editor-540").await;
    let (status, _) = post_workbook(&editor, plan, messy_workbook(), true).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only coordinators import plans"
    );
}

#[tokio::test]
async fn an_exported_plan_imports_back_into_the_same_plan() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    // The demo's plan of 80 tasks, exported in the appendix layout…
    let (_, plans) = coordinator.get_json("/api/v1/plans").await;
    let source = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["year"] == 2025)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let export = coordinator
        .get(&format!("/tasks.xlsx?plan={source}"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    // …imported into a new plan…
    let copy = new_plan(&coordinator, "Kế hoạch chuyển đổi số năm 2025").await;
    let (status, body) = post_workbook(&coordinator, copy, export.clone(), false).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["count"], 80);
    // …exports to the same appendix columns.
    let again = coordinator
        .get(&format!("/tasks.xlsx?plan={copy}"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let appendix = |bytes: Vec<u8>| -> Vec<Vec<String>> {
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        range
            .rows()
            .skip(2)
            .map(|row| row.iter().take(13).map(|c| c.to_string()).collect())
            .collect()
    };
    assert_eq!(appendix(again), appendix(export));
}

#[tokio::test]
async fn the_pages_preview_then_confirm_an_import() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator, "Kế hoạch qua trang").await;
    let template = coordinator
        .get(&format!("/plans/{plan}/import/template.xlsx"))
        .await;
    assert_eq!(template.status(), StatusCode::OK);
    let template = template.bytes().await.unwrap().to_vec();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(template).file_name("mẫu.xlsx"),
    );
    let r = coordinator
        .client
        .post(coordinator.url(&format!("/plans/{plan}/import?_csrf={}", coordinator.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("1 nhiệm vụ sẽ được tạo") && html.contains("Huyện An Lão"),
        "the template's example row"
    );
    let token = html
        .split("name=\"token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = coordinator
        .post_form(
            &format!("/plans/{plan}/import/confirm"),
            &[("token", &token)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = coordinator
        .get_json(&format!("/api/v1/plans/{plan}/tasks"))
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["due_date"], "2025-09-30", "Quý III/2025");
}

/// An appendix the way officers write it: group rows numbered as the plan but worded
/// their own way, units named with or without “tỉnh”, “Ủy ban nhân dân” in full,
/// abbreviations, group phrases for whole levels, leads that are no unit of the
/// province, periods for start dates and notes (one of several lines).
fn officers_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write(0, 0, "PHỤ LỤC KẾ HOẠCH CHUYỂN ĐỔI SỐ NĂM 2025")
        .unwrap();
    for (c, h) in [
        "STT",
        "Nội dung nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian bắt đầu",
        "Thời hạn hoàn thành",
        "Ghi chú",
    ]
    .iter()
    .enumerate()
    {
        sheet.write(2, c as u16, *h).unwrap();
    }
    let rows: [[&str; 7]; 9] = [
        ["II", "PHÁT TRIỂN HẠ TẦNG SỐ", "", "", "", "", ""],
        [
            "1",
            "Khu công nghiệp số",
            "Ban Quản lý Khu kinh tế",
            "Sở KHCN; UBND cấp huyện, cấp xã",
            "Quý II/2025",
            "Quý IV/2025",
            "Ưu tiên Khu kinh tế Nhơn Hội.\nBáo cáo hằng quý.",
        ],
        [
            "XII",
            "Phát triển không gian trải nghiệm sản phẩm, dịch vụ số",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "1",
            "Trung tâm trải nghiệm số",
            "Ủy ban nhân dân thành phố Quy Nhơn",
            "các sở, ban, ngành",
            "Tháng 3/2025",
            "Năm 2025",
            "",
        ],
        ["IX", "Chính quyền số và dữ liệu", "", "", "", "", ""],
        [
            "1",
            "Hoá đơn điện tử",
            "Cục Thuế tỉnh",
            "Sở Tài chính; Viettel Bình Định",
            "",
            "Quý IV/2025",
            "Theo Đề án 06",
        ],
        [
            "2",
            "Thanh toán không dùng tiền mặt",
            "Kho bạc Nhà nước tỉnh",
            "",
            "",
            "Năm 2025",
            "",
        ],
        [
            "3",
            "Số hoá di sản",
            "Sở VHTTDL tỉnh Bình Định",
            "UBND các xã, phường",
            "Năm 2025",
            "Quý III/2025",
            "",
        ],
        [
            "4",
            "Sổ tay an sinh số",
            "Sở KH&CN (chủ trì)",
            "Ban Quản lý Khu kinh tế tỉnh Bình Định",
            "",
            "Thường xuyên",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write(3 + r as u32, c as u16, *text).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn tasks_of(s: &Session, plan: i64) -> Vec<Value> {
    let (_, list) = s
        .get_json(&format!("/api/v1/plans/{plan}/tasks?sort=code"))
        .await;
    list["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_appendix_as_officers_write_it_imports_every_row() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator, "Kế hoạch viết tay").await;
    let (status, body) = post_workbook(&coordinator, plan, officers_workbook(), false).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["count"], 6);
    let items = tasks_of(&coordinator, plan).await;
    let got: Vec<(&str, &str, &str, &str)> = items
        .iter()
        .map(|t| {
            (
                t["code"].as_str().unwrap(),
                t["lead_unit_code"].as_str().unwrap(),
                t["group_name"].as_str().unwrap_or(""),
                t["start_date"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // “Ban Quản lý Khu kinh tế” is the board “… tỉnh”; Quý II starts on 1 April.
            ("2.1", "52-BQLKKT", "Hạ tầng số", "2025-04-01"),
            // Cục Thuế: followed by the first coordinating unit of the province.
            ("9.1", "52-STC2", "Chính quyền số", ""),
            // Kho bạc, with no coordinating unit: the importer's own unit (Sở TT&TT,
            // merged into Sở KH&CN on 1 March 2025).
            ("9.2", "52-SKHCN2", "Chính quyền số", ""),
            ("9.3", "52-SVHTTDL", "Chính quyền số", "2025-01-01"),
            ("9.4", "52-SKHCN2", "Chính quyền số", ""),
            // “XII”, worded its own way: group 12.
            (
                "12.1",
                "540",
                "Không gian trải nghiệm sản phẩm và dịch vụ số",
                "2025-03-01"
            ),
        ]
    );
    let by_code = |code: &str| items.iter().find(|t| t["code"] == code).unwrap();
    assert_eq!(by_code("2.1")["due_date"], "2025-12-31");
    assert_eq!(
        by_code("2.1")["description"],
        "Ưu tiên Khu kinh tế Nhơn Hội.\nBáo cáo hằng quý."
    );
    assert_eq!(
        by_code("9.1")["partners"],
        json!(["Cục Thuế tỉnh", "Viettel Bình Định"]),
        "the outside lead is kept, first among the partners"
    );
    assert_eq!(by_code("9.2")["partners"], json!(["Kho bạc Nhà nước tỉnh"]));
    for code in ["2.1", "12.1", "9.3"] {
        assert_eq!(
            by_code(code)["partners"],
            json!([]),
            "{code}: a group phrase is units, not a partner named “cấp xã”"
        );
    }
    let coordinator = &coordinator;
    let coordinating = |code: &str| {
        let id = by_code(code)["id"].as_i64().unwrap();
        async move {
            let (_, task) = coordinator.get_json(&format!("/api/v1/tasks/{id}")).await;
            task["coordinating_units"].as_array().unwrap().len()
        }
    };
    // Sở KH&CN, the 11 districts and the 159 communes and wards of Bình Định.
    assert_eq!(coordinating("2.1").await, 1 + 11 + 159);
    assert_eq!(coordinating("9.3").await, 159, "UBND các xã, phường");
    assert!(coordinating("12.1").await >= 10, "every department");
    assert_eq!(
        coordinating("9.4").await,
        1,
        "the board, “tỉnh Bình Định” or not"
    );
    // The history says who follows a task led from outside the province.
    let id = by_code("9.1")["id"].as_i64().unwrap();
    let (_, events) = coordinator
        .get_json(&format!("/api/v1/tasks/{id}/events"))
        .await;
    assert!(
        events.to_string().contains("không phải đơn vị của tỉnh"),
        "{events}"
    );
}

#[tokio::test]
async fn the_preview_shows_start_dates_groups_and_leads_outside_the_province() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let plan = new_plan(&coordinator, "Kế hoạch xem trước").await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(officers_workbook()).file_name("phu-luc.xlsx"),
    );
    let r = coordinator
        .client
        .post(coordinator.url(&format!("/plans/{plan}/import?_csrf={}", coordinator.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("6 nhiệm vụ sẽ được tạo"), "{html}");
    assert!(html.contains("01/04/2025"), "Quý II/2025 starts on 1 April");
    assert!(
        !html.contains("30/06/2025"),
        "not on the quarter's last day"
    );
    assert!(html.contains("12. Không gian trải nghiệm sản phẩm và dịch vụ số"));
    assert!(html.contains("2 nhiệm vụ có đơn vị chủ trì trong tệp không phải đơn vị của tỉnh"));
    assert!(html.contains("Chủ trì ngoài tỉnh: Cục Thuế tỉnh"));
    assert!(html.contains("Chủ trì ngoài tỉnh: Kho bạc Nhà nước tỉnh"));
    assert!(html.contains("Viettel Bình Định"), "outside partners shown");
    assert_eq!(html.matches("class=\"flagged\"").count(), 2);
    // A preview writes nothing.
    assert!(tasks_of(&coordinator, plan).await.is_empty());
    // A lead that claims to be the province's own but is none stops only its row.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn hoàn thành"]
        .iter()
        .enumerate()
    {
        sheet.write(0, c as u16, *h).unwrap();
    }
    for (r, lead) in [(1, "Sở Tài chánh"), (2, "Sở Tài chính")] {
        sheet.write(r, 0, format!("Việc {r}")).unwrap();
        sheet.write(r, 1, lead).unwrap();
        sheet.write(r, 2, "Năm 2025").unwrap();
    }
    let (status, body) =
        post_workbook(&coordinator, plan, book.save_to_buffer().unwrap(), true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = body["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{body}");
    assert!(
        details[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Dòng 2, cột “Đơn vị chủ trì”: Không tìm thấy đơn vị “Sở Tài chánh”"),
        "{body}"
    );
}

#[tokio::test]
async fn an_exported_plan_keeps_its_descriptions_when_imported_into_a_fresh_plan() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("coordinator").await;
    let source = new_plan(&coordinator, "Kế hoạch gốc").await;
    let (status, body) = post_workbook(&coordinator, source, officers_workbook(), false).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let export = coordinator
        .get(&format!("/tasks.xlsx?plan={source}"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let copy = new_plan(&coordinator, "Kế hoạch chép").await;
    let (status, body) = post_workbook(&coordinator, copy, export, false).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let fields = |items: Vec<Value>| -> Vec<(Value, Value, Value, Value, Value)> {
        items
            .into_iter()
            .map(|t| {
                (
                    t["code"].clone(),
                    t["description"].clone(),
                    t["lead_unit_code"].clone(),
                    t["start_date"].clone(),
                    t["partners"].clone(),
                )
            })
            .collect()
    };
    let (before, after) = (
        fields(tasks_of(&coordinator, source).await),
        fields(tasks_of(&coordinator, copy).await),
    );
    assert_eq!(before.len(), 6);
    assert!(before.iter().any(|t| t.1 == "Theo Đề án 06"));
    assert_eq!(after, before, "descriptions, leads, start dates, partners");
}
