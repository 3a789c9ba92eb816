static NO_CANCEL: std::sync::LazyLock<crate::cancel::Cancel> =
    std::sync::LazyLock::new(crate::cancel::Cancel::new);

use super::*;
use crate::unit::UnitKind;
use time::macros::date;

fn t(s: &str) -> Cell {
    Cell::Text(s.into())
}

fn units() -> Vec<KnownUnit> {
    let u = |id, code: &str, name: &str, short: Option<&str>, kind| KnownUnit {
        id,
        code: code.into(),
        name: name.into(),
        short_name: short.map(Into::into),
        kind,
        valid_from: None,
        valid_to: None,
        successors: vec![],
    };
    vec![
        u(
            1,
            "52-SKHCN2",
            "Sở Khoa học và Công nghệ",
            Some("Sở KH&CN"),
            UnitKind::Department,
        ),
        u(
            2,
            "52-STC2",
            "Sở Tài chính",
            Some("STC"),
            UnitKind::Department,
        ),
        u(3, "542", "Huyện An Lão", None, UnitKind::District),
        u(4, "540", "Thành phố Quy Nhơn", None, UnitKind::District),
    ]
}

fn groups() -> Vec<KnownGroup> {
    vec![
        KnownGroup {
            id: 10,
            code: "2".into(),
            name: "Hạ tầng số".into(),
        },
        KnownGroup {
            id: 11,
            code: "9".into(),
            name: "Chính quyền số".into(),
        },
    ]
}

fn cx<'a>(units: &'a [KnownUnit], groups: &'a [KnownGroup]) -> ImportContext<'a> {
    ImportContext {
        units,
        groups,
        day: date!(2025 - 06 - 01),
        year: 2025,
        existing: &[],
        cancel: &NO_CANCEL,
        own_unit: None,
    }
}

#[test]
fn a_messy_real_world_sheet_is_read() {
    let grid = vec![
        vec![t("PHỤ LỤC"), Cell::Empty],
        vec![t("DANH MỤC NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2025")],
        vec![],
        vec![
            t("TT"),
            t("Nội dung nhiệm vụ"),
            t("Cơ quan chủ trì"),
            t("Cơ quan phối hợp"),
            t("Thời gian"),
            Cell::Empty,
            t("Kinh phí\n(triệu đồng)"),
            t("Hình thức"),
        ],
        vec![
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            t("Bắt đầu"),
            t("Hoàn thành"),
            Cell::Empty,
            Cell::Empty,
        ],
        vec![
            Cell::Number(1.0),
            Cell::Number(2.0),
            Cell::Number(3.0),
            Cell::Number(4.0),
            Cell::Number(5.0),
            Cell::Number(6.0),
            Cell::Number(7.0),
            Cell::Number(8.0),
        ],
        vec![t("I"), t("HẠ TẦNG SỐ")],
        vec![
            Cell::Number(1.0),
            t("Phủ sóng 4G thôn lõm sóng"),
            t("UBND huyện An Lão"),
            t("Sở KH&CN; Viettel Bình Định,\nVNPT"),
            t("01/02/2025"),
            t("Quý III/2025"),
            t("1.250,5"),
            t("Thuê"),
        ],
        vec![t("II. CHÍNH QUYỀN SỐ")],
        vec![
            Cell::Number(1.0),
            t("Dịch vụ công trực tuyến toàn trình"),
            t("Sở KH&CN"),
            t("UBND các huyện, thị xã, thành phố"),
            Cell::Date(45658.0),
            t("Thường xuyên"),
            t("—"),
            t("tự thực hiện"),
        ],
    ];
    let (u, g) = (units(), groups());
    let tasks = read_plan(&grid, &cx(&u, &g)).unwrap();
    assert_eq!(tasks.len(), 2);
    let a = &tasks[0];
    assert_eq!(
        (a.row, a.fields.code.as_str(), a.fields.group_id),
        (8, "2.1", Some(10))
    );
    assert_eq!(a.lead_unit_id, 3);
    assert_eq!(a.coordinating, vec![1]);
    assert_eq!(a.fields.partners, vec!["Viettel Bình Định", "VNPT"]);
    assert_eq!(a.fields.due_date, date!(2025 - 09 - 30));
    assert_eq!(a.fields.budget_planned, 1_250_500_000);
    assert_eq!(a.fields.acquisition_mode, Some(AcquisitionMode::Rent));
    let b = &tasks[1];
    assert_eq!(
        (b.fields.code.as_str(), b.fields.group_id),
        ("9.1", Some(11))
    );
    assert_eq!(b.coordinating, vec![3, 4], "every district");
    assert_eq!(b.fields.start_date, Some(date!(2025 - 01 - 01)));
    assert!(
        b.fields.is_regular(),
        "ongoing: a regular task, no deadline"
    );
    assert_eq!(b.fields.budget_planned, 0);
}

#[test]
fn every_bad_row_is_reported_with_row_and_column() {
    let header = vec![
        t("Mã nhiệm vụ"),
        t("Nhiệm vụ"),
        t("Đơn vị chủ trì"),
        t("Thời hạn hoàn thành"),
        t("Kinh phí (triệu đồng)"),
        t("Hình thức"),
    ];
    let grid = vec![
        header,
        vec![
            t("2.1"),
            t("Việc A"),
            t("Huyện Không Có"),
            t("30/06/2025"),
            Cell::Empty,
            Cell::Empty,
        ],
        vec![
            t("2.2"),
            t("Việc B"),
            t("542"),
            t("hôm nào đó"),
            t("-5"),
            t("đi mượn"),
        ],
        vec![
            t("2.1"),
            t(""),
            t("542"),
            t("Tháng 13/2025"),
            Cell::Empty,
            Cell::Empty,
        ],
    ];
    let (u, g) = (units(), groups());
    let problems = read_plan(&grid, &cx(&u, &g)).unwrap_err();
    let got: Vec<(usize, Option<Column>)> = problems.iter().map(|p| (p.row, p.column)).collect();
    assert_eq!(
        got,
        [
            (2, Some(Column::Lead)),
            (3, Some(Column::Due)),
            (3, Some(Column::Budget)),
            (3, Some(Column::Mode)),
            (4, Some(Column::Title)),
            (4, Some(Column::Code)),
            (4, Some(Column::Due)),
        ]
    );
    assert!(
        problems[0]
            .message(Lang::Vi)
            .starts_with("Dòng 2, cột “Đơn vị chủ trì”: Không tìm thấy đơn vị")
    );
}

fn parse_deadline(cell: &Cell, year: i32) -> Result<Option<Date>, ()> {
    parse_when(cell, year, Edge::Last)
}

#[test]
fn deadlines_in_every_form() {
    let y = 2025;
    assert_eq!(
        parse_deadline(&t("Quý II/2025"), y),
        Ok(Some(date!(2025 - 06 - 30)))
    );
    assert_eq!(
        parse_deadline(&t("quý 4/2025"), y),
        Ok(Some(date!(2025 - 12 - 31)))
    );
    assert_eq!(
        parse_deadline(&t("Tháng 6/2025"), y),
        Ok(Some(date!(2025 - 06 - 30)))
    );
    assert_eq!(
        parse_deadline(&t("Năm 2026"), y),
        Ok(Some(date!(2026 - 12 - 31)))
    );
    assert_eq!(
        parse_deadline(&Cell::Number(2025.0), y),
        Ok(Some(date!(2025 - 12 - 31)))
    );
    assert_eq!(
        parse_deadline(&t("Thường xuyên"), y),
        Ok(Some(crate::task::NO_DEADLINE))
    );
    assert_eq!(
        parse_deadline(&t("Hằng quý"), y),
        Ok(Some(crate::task::NO_DEADLINE))
    );
    assert_eq!(
        parse_deadline(&Cell::Date(45838.0), y),
        Ok(Some(date!(2025 - 06 - 30)))
    );
    assert_eq!(parse_deadline(&t("Quý V/2025"), y), Err(()));
    assert_eq!(parse_deadline(&t("Quý I/99999"), y), Err(()));
    assert_eq!(parse_deadline(&Cell::Number(f64::NAN), y), Err(()));
}

#[test]
fn no_header_no_import() {
    let (u, g) = (units(), groups());
    let problems = read_plan(
        &[vec![t("a"), t("b")], vec![Cell::Number(1.0)]],
        &cx(&u, &g),
    )
    .unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(read_plan(&[], &cx(&u, &g)).is_err());
}

/// The units of a province on both sides of the 2025 reorganisation: departments,
/// a board, two districts that end on 30 June 2025, their communes, and a ward that
/// starts on 1 July 2025.
fn two_tier_units() -> Vec<KnownUnit> {
    let mut all = units();
    let u = |id, code: &str, name: &str, short: Option<&str>, kind| KnownUnit {
        id,
        code: code.into(),
        name: name.into(),
        short_name: short.map(Into::into),
        kind,
        valid_from: None,
        valid_to: None,
        successors: vec![],
    };
    all.extend([
        u(5, "52", "Tỉnh Gia Lai", None, UnitKind::Province),
        u(
            6,
            "52-BQLKKT",
            "Ban Quản lý Khu kinh tế tỉnh",
            None,
            UnitKind::Other,
        ),
        u(7, "21550", "Phường Nhơn Bình", None, UnitKind::Commune),
        u(8, "21616", "Xã An Hòa", None, UnitKind::Commune),
        KnownUnit {
            valid_from: Some(date!(2025 - 07 - 01)),
            ..u(9, "21583", "Phường Quy Nhơn", None, UnitKind::Commune)
        },
    ]);
    for x in all.iter_mut().filter(|x| x.kind == UnitKind::District) {
        x.valid_to = Some(date!(2025 - 06 - 30));
    }
    all
}

fn header() -> Vec<Cell> {
    [
        "STT",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian bắt đầu",
        "Thời hạn hoàn thành",
        "Ghi chú",
    ]
    .into_iter()
    .map(t)
    .collect()
}

/// A task row in the `header()` columns.
fn task(title: &str, lead: &str, coordinating: &str, start: &str, due: &str) -> Vec<Cell> {
    vec![
        Cell::Number(1.0),
        t(title),
        t(lead),
        t(coordinating),
        t(start),
        t(due),
    ]
}

fn read_on(
    grid: &[Vec<Cell>],
    units: &[KnownUnit],
    day: Date,
    own_unit: Option<i64>,
) -> Result<Vec<ImportedTask>, Vec<ImportProblem>> {
    let g = groups();
    read_plan(
        grid,
        &ImportContext {
            day,
            own_unit,
            ..cx(units, &g)
        },
    )
}

#[test]
fn start_dates_take_the_first_day_of_the_period_named() {
    let first = |c: &Cell| parse_when(c, 2025, Edge::First);
    assert_eq!(first(&t("Quý II/2025")), Ok(Some(date!(2025 - 04 - 01))));
    assert_eq!(first(&t("quý 4/2025")), Ok(Some(date!(2025 - 10 - 01))));
    assert_eq!(first(&t("Tháng 6/2025")), Ok(Some(date!(2025 - 06 - 01))));
    assert_eq!(first(&t("Năm 2026")), Ok(Some(date!(2026 - 01 - 01))));
    assert_eq!(
        first(&Cell::Number(2025.0)),
        Ok(Some(date!(2025 - 01 - 01)))
    );
    assert_eq!(first(&t("Thường xuyên")), Ok(Some(date!(2025 - 01 - 01))));
    assert_eq!(first(&t("15/03/2025")), Ok(Some(date!(2025 - 03 - 15))));
    let grid = vec![
        header(),
        task("Số hoá hồ sơ", "Sở KH&CN", "", "Quý II/2025", "Quý IV/2025"),
    ];
    let tasks = read_on(&grid, &units(), date!(2025 - 06 - 01), None).unwrap();
    assert_eq!(
        (tasks[0].fields.start_date, tasks[0].fields.due_date),
        (Some(date!(2025 - 04 - 01)), date!(2025 - 12 - 31))
    );
}

#[test]
fn group_numerals_stand_alone() {
    assert_eq!(numbered("XII. Không gian số"), (Some(12), "Không gian số"));
    assert_eq!(numbered("XII - Không gian số"), (Some(12), "Không gian số"));
    assert_eq!(numbered("12) Không gian số"), (Some(12), "Không gian số"));
    assert_eq!(numbered("ix"), (Some(9), ""));
    assert_eq!(numbered("Xây dựng"), (None, "Xây dựng"));
    assert_eq!(numbered("2.1 Nhiệm vụ"), (None, "2.1 Nhiệm vụ"));
    assert_eq!(numbered("IIII. Sai"), (None, "IIII. Sai"));
    assert_eq!(numbered("HẠ TẦNG SỐ"), (None, "HẠ TẦNG SỐ"));
}

#[test]
fn group_rows_numbered_as_the_plan_match_by_number_when_their_words_differ() {
    let names = [
        "Thể chế số",
        "Hạ tầng số",
        "Nhân lực số",
        "Nhận thức số",
        "Nền tảng số cơ bản",
        "Dữ liệu số",
        "An toàn thông tin mạng",
        "Doanh nghiệp công nghệ số",
        "Chính quyền số",
        "Kinh tế số",
        "Xã hội số",
        "Không gian trải nghiệm sản phẩm và dịch vụ số",
    ];
    let plan: Vec<KnownGroup> = names
        .iter()
        .enumerate()
        .map(|(i, n)| KnownGroup {
            id: 100 + i as i64 + 1,
            code: (i + 1).to_string(),
            name: (*n).into(),
        })
        .collect();
    let row = |n: &str, words: &str| vec![t(n), t(words)];
    let grid = vec![
        header(),
        row("II", "PHÁT TRIỂN HẠ TẦNG SỐ"),
        task("Phủ sóng 4G", "542", "", "", "Quý III/2025"),
        row(
            "",
            "XII. Phát triển không gian trải nghiệm sản phẩm, dịch vụ số",
        ),
        task("Trung tâm trải nghiệm", "542", "", "", "Năm 2025"),
        row("X", "Phát triển kinh tế số gắn với xã hội số"),
        task("Chợ số", "542", "", "", "Năm 2025"),
        row("9 -", "Chính quyền số và dữ liệu"),
        task("Dịch vụ công", "542", "", "", "Năm 2025"),
    ];
    let u = units();
    let tasks = read_plan(&grid, &cx(&u, &plan)).unwrap();
    let got: Vec<(&str, Option<i64>)> = tasks
        .iter()
        .map(|t| (t.fields.code.as_str(), t.fields.group_id))
        .collect();
    assert_eq!(
        got,
        [
            ("2.1", Some(102)),
            ("12.1", Some(112)),
            ("10.1", Some(110)),
            ("9.1", Some(109))
        ]
    );
}

#[test]
fn the_provinces_own_names_written_loosely_are_its_units() {
    let u = two_tier_units();
    let grid = vec![
        header(),
        task(
            "Khu công nghiệp số",
            "Ban Quản lý Khu kinh tế",
            "Sở KHCN; Sở Tài chính tỉnh Gia Lai",
            "",
            "Năm 2025",
        ),
        task(
            "Chuyển đổi số khu kinh tế",
            "BQL Khu kinh tế tỉnh Gia Lai",
            "Ủy ban nhân dân tỉnh",
            "",
            "Năm 2025",
        ),
    ];
    let tasks = read_on(&grid, &u, date!(2025 - 08 - 01), None).unwrap();
    assert_eq!(
        (tasks[0].lead_unit_id, &tasks[0].coordinating),
        (6, &vec![1, 2])
    );
    assert!(tasks[0].fields.partners.is_empty());
    assert_eq!(
        (tasks[1].lead_unit_id, &tasks[1].coordinating),
        (6, &vec![5])
    );
}

#[test]
fn an_ambiguous_name_stops_its_row_naming_both_units() {
    let mut u = two_tier_units();
    u.push(KnownUnit {
        id: 10,
        code: "52-BQLDA".into(),
        ..u[5].clone()
    });
    let grid = vec![
        header(),
        task("Việc A", "Ban Quản lý Khu kinh tế", "", "", "Năm 2025"),
    ];
    let problems = read_on(&grid, &u, date!(2025 - 08 - 01), None).unwrap_err();
    let message = problems[0].message(Lang::Vi);
    assert!(
        message.contains("Ban Quản lý Khu kinh tế tỉnh (52-BQLKKT)")
            && message.contains("Ban Quản lý Khu kinh tế tỉnh (52-BQLDA)"),
        "{message}"
    );
}

#[test]
fn a_lead_outside_the_province_is_kept_as_partner_and_followed_by_a_unit() {
    let u = two_tier_units();
    let grid = vec![
        header(),
        task(
            "Hoá đơn điện tử",
            "Cục Thuế tỉnh",
            "Sở Tài chính; Viettel Gia Lai",
            "",
            "Quý IV/2025",
        ),
        task(
            "Thanh toán không dùng tiền mặt",
            "Kho bạc Nhà nước tỉnh",
            "",
            "",
            "Năm 2025",
        ),
    ];
    let day = date!(2025 - 08 - 01);
    // The coordinating unit follows the first; the importer's own unit the second.
    let tasks = read_on(&grid, &u, day, Some(1)).unwrap();
    let a = &tasks[0];
    assert_eq!(
        (a.lead_unit_id, a.fields.lead_unit_code.as_str()),
        (2, "52-STC2")
    );
    assert!(
        a.coordinating.is_empty(),
        "it leads, it does not also coordinate"
    );
    assert_eq!(a.outside_lead.as_deref(), Some("Cục Thuế tỉnh"));
    assert_eq!(a.fields.partners, ["Cục Thuế tỉnh", "Viettel Gia Lai"]);
    let b = &tasks[1];
    assert_eq!(
        (b.lead_unit_id, b.outside_lead.as_deref()),
        (1, Some("Kho bạc Nhà nước tỉnh"))
    );
    // Nobody to follow it: only that row is refused, and it says what to write.
    let problems = read_on(&grid, &u, day, None).unwrap_err();
    assert_eq!(
        problems
            .iter()
            .map(|p| (p.row, p.column))
            .collect::<Vec<_>>(),
        [(3, Some(Column::Lead))]
    );
    assert!(
        problems[0]
            .message_vi
            .contains("không phải đơn vị của tỉnh")
    );
    // A name that says it is one of the province's own units must be one.
    let typo = vec![
        header(),
        task("Việc B", "Sở Tài chánh", "Sở KH&CN", "", "Năm 2025"),
    ];
    let problems = read_on(&typo, &u, day, Some(1)).unwrap_err();
    assert!(problems[0].message_vi.starts_with("Không tìm thấy đơn vị"));
}

#[test]
fn group_phrases_expand_to_the_units_standing_on_the_day() {
    let u = two_tier_units();
    let grid = vec![
        header(),
        task(
            "Việc 1",
            "Sở KH&CN",
            "UBND cấp huyện, cấp xã",
            "",
            "Năm 2025",
        ),
        task(
            "Việc 2",
            "Sở KH&CN",
            "UBND các xã, phường; VNPT",
            "",
            "Năm 2025",
        ),
        task("Việc 3", "Sở KH&CN", "Các sở, ban, ngành", "", "Năm 2025"),
        task(
            "Việc 4",
            "Sở KH&CN",
            "Sở Tài chính, các sở, ngành liên quan",
            "",
            "Năm 2025",
        ),
        task("Việc 5", "Sở KH&CN", "UBND các phường", "", "Năm 2025"),
    ];
    let coordinating = |day| {
        read_on(&grid, &u, day, None)
            .unwrap()
            .into_iter()
            .map(|t| (t.coordinating, t.fields.partners))
            .collect::<Vec<_>>()
    };
    let none = Vec::<String>::new;
    // Two tiers (since 1 July 2025): communes and wards; the districts have ended.
    assert_eq!(
        coordinating(date!(2025 - 08 - 01)),
        [
            (vec![7, 8, 9], none()),
            (vec![7, 8, 9], vec!["VNPT".to_string()]),
            (vec![2], none()),
            (vec![2], vec!["các sở, ngành liên quan".to_string()]),
            (vec![7, 9], none()),
        ]
    );
    // Before: the districts too, and the new ward is not there yet.
    assert_eq!(coordinating(date!(2025 - 03 - 01))[0].0, vec![3, 4, 7, 8]);
    // A phrase that names nobody on the day is an error, not an empty list.
    let districts = vec![
        header(),
        task("Việc", "Sở KH&CN", "UBND cấp huyện", "", "Năm 2025"),
    ];
    let problems = read_on(&districts, &u, date!(2025 - 08 - 01), None).unwrap_err();
    assert_eq!(problems[0].column, Some(Column::Coordinating));
}

#[test]
fn five_thousand_rows_against_a_province_of_units() {
    // A national-size tree for one province: 40 departments, 11 districts, 600
    // communes; every row names its units loosely and half name a group phrase.
    let mut u = Vec::new();
    let unit = |id: i64, name: String, kind| KnownUnit {
        id,
        code: format!("C{id}"),
        name,
        short_name: None,
        kind,
        valid_from: None,
        valid_to: None,
        successors: vec![],
    };
    for i in 0..40 {
        u.push(unit(
            i,
            format!("Sở Chuyên ngành {i}"),
            UnitKind::Department,
        ));
    }
    for i in 0..11 {
        u.push(unit(100 + i, format!("Huyện Miền {i}"), UnitKind::District));
    }
    for i in 0..600 {
        u.push(unit(1000 + i, format!("Xã Làng {i}"), UnitKind::Commune));
    }
    let mut grid = vec![header()];
    for r in 0..5000 {
        grid.push(vec![
            Cell::Number(f64::from(r + 1)),
            t(&format!("Nhiệm vụ số {r}")),
            t(&format!("UBND xã Làng {}", r % 600)),
            t(if r % 2 == 0 {
                "Sở Chuyên ngành 3; UBND cấp huyện, cấp xã; Viettel"
            } else {
                "huyện Miền 4, Sở Chuyên ngành 7 tỉnh"
            }),
            t("Quý I/2025"),
            t("Quý IV/2025"),
            t("Ghi chú"),
        ]);
    }
    let started = std::time::Instant::now();
    let tasks = read_on(&grid, &u, date!(2025 - 06 - 01), None).unwrap();
    eprintln!("5,000 rows × {} units: {:?}", u.len(), started.elapsed());
    assert_eq!(tasks.len(), 5000);
    assert_eq!(
        tasks[0].coordinating.len(),
        1 + 11 + 600 - 1,
        "not the lead"
    );
    assert_eq!(tasks[1].coordinating, vec![104, 7]);
    assert_eq!(tasks[4999].lead_unit_id, 1000 + 4999 % 600);
}
