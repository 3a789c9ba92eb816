//! The importer reads files from anywhere: no input may make it panic.
use super::*;
use crate::unit::UnitKind;
use proptest::prelude::*;
use time::macros::date;

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Empty),
        any::<f64>().prop_map(Cell::Number),
        any::<f64>().prop_map(Cell::Date),
        "\\PC{0,40}".prop_map(Cell::Text),
        prop::sample::select(vec![
            "Nhiệm vụ",
            "Đơn vị chủ trì",
            "Thời hạn hoàn thành",
            "Quý II/2025",
            "Thường xuyên",
            "I. HẠ TẦNG SỐ",
            "Các sở, ban, ngành",
            "UBND cấp xã",
            "UBND cấp huyện, cấp xã",
            "XII. Không gian số",
            "Cục Thuế tỉnh",
            "Sở KHCN (nay là Sở Tài chính)",
            "các sở, ngành liên quan",
            "1.250,5",
            "—",
            "Tháng 13/2025",
            "Năm 99999",
            "thuê",
            "Bắt đầu",
        ])
        .prop_map(|s| Cell::Text(s.to_string())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn any_grid(grid in prop::collection::vec(prop::collection::vec(cell(), 0..14), 0..12)) {
        let units = vec![KnownUnit {
            id: 1, code: "542".into(), name: "Huyện An Lão".into(), short_name: None, kind: UnitKind::District,
            valid_from: None, valid_to: None, successors: vec![],
        }];
        let groups = vec![KnownGroup { id: 1, code: "2".into(), name: "Hạ tầng số".into() }];
        let cx = ImportContext { units: &units, groups: &groups, day: date!(2025 - 06 - 01), year: 2025, existing: &[], cancel: &crate::cancel::Cancel::new(), own_unit: Some(1) };
        let mut with_header = vec![vec![
            Cell::Text("Nhiệm vụ".into()), Cell::Text("Đơn vị chủ trì".into()), Cell::Text("Thời hạn hoàn thành".into()),
            Cell::Text("Kinh phí (triệu đồng)".into()), Cell::Text("Đơn vị phối hợp".into()), Cell::Text("Thời gian bắt đầu".into()),
        ]];
        with_header.extend(grid.iter().cloned());
        let _ = read_plan(&grid, &cx);
        let _ = read_plan(&with_header, &cx);
    }
}
