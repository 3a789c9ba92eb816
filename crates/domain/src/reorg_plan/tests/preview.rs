//! What an accepted change set shows: the real July 2025 change for former Bình Định,
//! where live work goes, the forms it touches, how figures map forward, and variants of
//! it (the districts abolished, the province continuing, names that differ).

use super::*;

#[test]
fn forms_whose_reporting_units_end_are_shown_and_one_left_without_any_is_flagged() {
    // The real July change with the eleven districts ending too.
    let mut lineage = with_weights(LINEAGE, WEIGHTS);
    for u in existing().iter().filter(|u| u.kind == UnitKind::District) {
        lineage.push_str(&format!("{},{},,,\n", u.code, u.name));
    }
    let preview = plan(&binh_dinh_new_units(), &lineage, &NO_WORK, BEFORE).unwrap();
    let forms = [
        (
            "BC-HUYEN-QUY".to_string(),
            "Báo cáo quý cấp huyện".to_string(),
            vec![UnitKind::District],
        ),
        (
            "BC-XA-QUY".to_string(),
            "Báo cáo quý cấp xã".to_string(),
            vec![UnitKind::Commune],
        ),
        (
            "BC-SO-NAM".to_string(),
            "Báo cáo năm của sở".to_string(),
            vec![UnitKind::Department],
        ),
    ];
    let impacts = form_impacts(&forms, &existing(), &preview);
    let got: Vec<(&str, usize, usize, usize, usize, bool)> = impacts
        .iter()
        .map(|f| {
            (
                f.code.as_str(),
                f.reporting_before,
                f.ending,
                f.starting,
                f.reporting_after,
                f.left_without_reporters(),
            )
        })
        .collect();
    // 159 communes of 2024 less the four Quy Nhơn wards ended on 1 January 2025 stand
    // on 30 June; 58 take over. The departments are untouched: not listed.
    assert_eq!(
        got,
        vec![
            ("BC-HUYEN-QUY", 11, 11, 0, 0, true),
            ("BC-XA-QUY", 155, 155, 58, 58, false),
        ]
    );
}

#[test]
fn the_real_july_2025_change_for_former_binh_dinh() {
    let p = real_plan();
    assert_eq!(p.effective, JULY);
    // 155 communes of 1 January 2025 end; the 4 wards that ended then are not touched.
    assert_eq!(p.retired.len(), 155);
    assert!(p.retired.iter().all(|r| r.kind == UnitKind::Commune));
    assert_eq!(p.created.len(), 58);
    assert!(
        p.created
            .iter()
            .all(|c| c.parent == Some(UnitId::Stored(1)))
    );
    // The lineage's names are the 2025 ones, as stored: nothing to flag.
    assert!(p.notices.is_empty(), "{:?}", p.notices);
    assert_eq!(
        p.retired.iter().map(|r| r.successors.len()).sum::<usize>(),
        158
    );

    // The three splits, two successors each, with the demo weights.
    type Split<'a> = (&'a str, Vec<(&'a str, Option<f64>)>);
    let splits: Vec<Split> = p
        .retired
        .iter()
        .filter(|r| r.successors.len() > 1)
        .map(|r| {
            (
                r.unit.code.as_str(),
                r.successors
                    .iter()
                    .map(|s| (s.unit.code.as_str(), s.weight))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        splits,
        [
            ("21634", vec![("21622", Some(0.5)), ("21628", Some(0.5))]),
            ("21997", vec![("21997", Some(0.5)), ("22006", Some(0.5))]),
            ("22000", vec![("21994", Some(0.5)), ("22006", Some(0.5))]),
        ]
    );

    // How many old communes each new unit is made of (hand-counted from the CSV).
    let mut by_size: BTreeMap<usize, usize> = BTreeMap::new();
    for c in &p.created {
        *by_size.entry(c.predecessors.len()).or_default() += 1;
    }
    assert_eq!(
        by_size,
        BTreeMap::from([(1, 2), (2, 21), (3, 27), (4, 7), (5, 1)])
    );

    // Every new unit reuses a predecessor's code; e.g. Nhơn Phú's 21553.
    assert_eq!(p.codes_reused.len(), 58);
    let quy_nhon_bac = p.codes_reused.iter().find(|c| c.code == "21553").unwrap();
    assert_eq!(quy_nhon_bac.old_name, "Phường Nhơn Phú");
    assert_eq!(quy_nhon_bac.new_name, "Phường Quy Nhơn Bắc");
    // 21583 was Lê Lợi in 2024, Thị Nại from January 2025, Phường Quy Nhơn from July.
    let quy_nhon = p.codes_reused.iter().find(|c| c.code == "21583").unwrap();
    assert_eq!(
        (quy_nhon.old_name.as_str(), quy_nhon.new_name.as_str()),
        ("Phường Thị Nại", "Phường Quy Nhơn")
    );

    // One to one: only Nhơn Châu, which keeps code and name (khoản 127 lists it as
    // unchanged). Canh Liên has one predecessor but that predecessor is split.
    assert_eq!(
        p.renamed,
        [Renamed {
            old_id: id(&existing(), "21607"),
            old: cn("21607", "Xã Nhơn Châu"),
            new: p
                .created
                .iter()
                .position(|c| c.unit.code == "21607")
                .unwrap(),
            new_unit: cn("21607", "Xã Nhơn Châu"),
        }]
    );
    assert_eq!(p.affected, WorkCounts::default());

    // The whole new province's file plans too: the 77 units from old Gia Lai are
    // created without predecessors (their communes are not stored here).
    let p = plan(COMMUNES, &with_weights(LINEAGE, WEIGHTS), &NO_WORK, BEFORE).unwrap();
    assert_eq!((p.retired.len(), p.created.len()), (155, 135));
    assert_eq!(
        p.created
            .iter()
            .filter(|c| c.predecessors.is_empty())
            .count(),
        77
    );
}

#[test]
fn live_work_is_carried_to_one_successor_and_splits_say_why() {
    let existing = existing();
    let work = BTreeMap::from([
        (
            id(&existing, "21550"),
            WorkCounts {
                open_tasks: 2,
                targets: 4,
                ..Default::default()
            },
        ),
        (
            id(&existing, "22000"),
            WorkCounts {
                open_tasks: 3,
                pending_values: 1,
                ..Default::default()
            },
        ),
        (
            id(&existing, "21997"),
            WorkCounts {
                grants: 1,
                open_assessments: 1,
                last_recorded: Some(date!(2025 - 06 - 20)),
                ..Default::default()
            },
        ),
    ]);
    let p = plan(
        &binh_dinh_new_units(),
        &with_weights(LINEAGE, WEIGHTS),
        &work,
        BEFORE,
    )
    .unwrap();
    assert_eq!(
        p.affected,
        WorkCounts {
            open_tasks: 5,
            pending_values: 1,
            grants: 1,
            open_assessments: 1,
            targets: 4,
            last_recorded: Some(date!(2025 - 06 - 20)),
        }
    );
    let of = |code: &str| {
        p.retired
            .iter()
            .find(|r| r.unit.code == code)
            .unwrap()
            .disposition
            .clone()
            .unwrap()
    };
    // A merge: Nhơn Bình goes wholly into Quy Nhơn Đông.
    let nhon_binh = of("21550");
    assert_eq!(nhon_binh.unit, cn("21601", "Phường Quy Nhơn Đông"));
    assert_eq!(nhon_binh.reason, CarryReason::SingleSuccessor);
    assert_eq!(
        nhon_binh.message(Lang::En),
        "All work is carried to 21601 Phường Quy Nhơn Đông."
    );
    // Splits 0.5/0.5 tie: Canh Liên keeps its code, so work stays with 21997.
    let canh_lien = of("21997");
    assert_eq!(canh_lien.unit, cn("21997", "Xã Canh Liên"));
    assert_eq!(
        canh_lien.reason,
        CarryReason::LargestShare {
            tied_with: vec![cn("22006", "Xã Canh Vinh")],
            keeps_code: true
        }
    );
    // Canh Hiệp's code goes to neither: the successor listed first, Vân Canh.
    let canh_hiep = of("22000");
    assert_eq!(canh_hiep.unit, cn("21994", "Xã Vân Canh"));
    assert_eq!(canh_hiep.share, 0.5);
    assert_eq!(
        canh_hiep.message(Lang::En),
        "Split unit: work is carried to 21994 Xã Vân Canh (the largest share, 0.5). It ties \
         with 22006 Xã Canh Vinh; the one listed first in the file is chosen. Tasks may be \
         divided between the successors later."
    );
    assert!(canh_hiep.message(Lang::Vi).contains("tỷ lệ lớn nhất, 0,5"));
    // With a real population share the larger part wins without a tie.
    let uneven = with_weights(LINEAGE, WEIGHTS)
        .replace(
            "22000,Xã Canh Hiệp,21994,Xã Vân Canh,0.5",
            "22000,Xã Canh Hiệp,21994,Xã Vân Canh,0.3",
        )
        .replace(
            "22000,Xã Canh Hiệp,22006,Xã Canh Vinh,0.5",
            "22000,Xã Canh Hiệp,22006,Xã Canh Vinh,0.7",
        );
    let p = plan(&binh_dinh_new_units(), &uneven, &work, BEFORE).unwrap();
    let canh_hiep = p
        .retired
        .iter()
        .find(|r| r.unit.code == "22000")
        .unwrap()
        .disposition
        .clone()
        .unwrap();
    assert_eq!(canh_hiep.unit, cn("22006", "Xã Canh Vinh"));
    assert!((canh_hiep.share - 0.7).abs() < 1e-9);
    assert_eq!(
        canh_hiep.reason,
        CarryReason::LargestShare {
            tied_with: vec![],
            keeps_code: false
        }
    );
}

#[test]
fn figures_of_real_communes_map_forward() {
    let existing = existing();
    let p = real_plan();
    // The store would give the new units their ids; any distinct ones will do here.
    let new_ids: Vec<i64> = (0..p.created.len() as i64).map(|i| 10_000 + i).collect();
    assert!(p.lineage_edges(&new_ids[1..]).is_none());
    let edges = p.lineage_edges(&new_ids).unwrap();
    assert_eq!(edges.len(), 158);
    assert!(check_lineage(&edges).is_empty());
    let old = |code: &str| id(&existing, code);
    let new = |code: &str| new_ids[p.created.iter().position(|c| c.unit.code == code).unwrap()];

    // A merge of three: Thị trấn An Lão, Xã An Hưng and Xã An Tân make Xã An Lão.
    let sums = map_forward(
        Aggregation::Sum,
        &[
            (old("21609"), Figure::plain(120.0)),
            (old("21610"), Figure::plain(45.0)),
            (old("21625"), Figure::plain(35.0)),
        ],
        &edges,
    );
    let an_lao = sums[&new("21609")];
    assert_eq!(an_lao.figure.value, 200.0);
    assert!(!an_lao.from_split);

    // A rate for the same three is recomputed from numerators and denominators:
    // (45 + 10 + 120) / (50 + 100 + 200) = 175 / 350 = 50 %, not the mean of 90 %,
    // 10 % and 60 % (53.3 %).
    let ratio = |n: f64, d: f64| Figure {
        value: n / d * 100.0,
        numerator: Some(n),
        denominator: Some(d),
    };
    let rates = map_forward(
        Aggregation::RatioOfSums,
        &[
            (old("21609"), ratio(45.0, 50.0)),
            (old("21610"), ratio(10.0, 100.0)),
            (old("21625"), ratio(120.0, 200.0)),
        ],
        &edges,
    );
    let an_lao = rates[&new("21609")].figure;
    assert_eq!(
        (an_lao.numerator, an_lao.denominator),
        (Some(175.0), Some(350.0))
    );
    assert!((an_lao.value - 50.0).abs() < 1e-9);

    // A split: Xã Canh Liên (1,000 households, say) goes half to the new Xã Canh Liên
    // and half to Xã Canh Vinh, which also takes half of Xã Canh Hiệp (600) and all of
    // Xã Canh Vinh (300) and Xã Canh Hiển (200): 500 + 300 + 300 + 200 = 1,300.
    let households = map_forward(
        Aggregation::Sum,
        &[
            (old("21997"), Figure::plain(1000.0)),
            (old("22000"), Figure::plain(600.0)),
            (old("22003"), Figure::plain(300.0)),
            (old("22006"), Figure::plain(200.0)),
        ],
        &edges,
    );
    let canh_lien = households[&new("21997")];
    assert_eq!(canh_lien.figure.value, 500.0);
    assert!(canh_lien.from_split);
    let canh_vinh = households[&new("22006")];
    assert_eq!(canh_vinh.figure.value, 1300.0);
    assert!(canh_vinh.from_split);
    assert_eq!(households[&new("21994")].figure.value, 300.0);
}

#[test]
fn the_district_level_can_be_abolished_in_the_same_change() {
    // The 11 districts end without successors; all their valid communes end too.
    let existing = existing();
    let mut lineage = with_weights(LINEAGE, WEIGHTS);
    for d in existing.iter().filter(|u| u.kind == UnitKind::District) {
        lineage.push_str(&format!("{},{},,,\n", d.code, d.name));
    }
    let p = plan(&binh_dinh_new_units(), &lineage, &NO_WORK, BEFORE).unwrap();
    assert_eq!(p.retired.len(), 166);
    assert!(
        p.retired
            .iter()
            .filter(|r| r.kind == UnitKind::District)
            .all(|r| r.successors.is_empty() && r.disposition.is_none())
    );
    // But not while a district still has open work.
    let work = BTreeMap::from([(
        id(&existing, "540"),
        WorkCounts {
            open_tasks: 3,
            grants: 2,
            ..Default::default()
        },
    )]);
    let problems = plan(&binh_dinh_new_units(), &lineage, &work, BEFORE).unwrap_err();
    assert_eq!(
        problems,
        [ChangeProblem::OpenWorkWithoutSuccessor {
            unit: cn("540", "Thành phố Quy Nhơn"),
            work: work[&id(&existing, "540")],
        }]
    );
    assert_eq!(
        problems[0].message(Lang::Vi),
        "540 Thành phố Quy Nhơn hết hiệu lực mà không có đơn vị kế thừa, trong khi còn 3 \
         nhiệm vụ đang mở, 2 quyền truy cập. Chỉ định đơn vị kế thừa, hoặc xử lý các việc \
         này trước."
    );
}

#[test]
fn children_follow_a_retired_parent_with_one_successor() {
    // The province continues as a new unit under the same code; its districts are not
    // retired here (but Quy Nhơn) and follow it, as its departments would.
    let new_units = format!("{}52,Tỉnh Gia Lai,province,,\n", binh_dinh_new_units());
    let mut lineage = with_weights(LINEAGE, WEIGHTS);
    lineage.push_str(
        "52,Tỉnh Bình Định,52,Tỉnh Gia Lai,\n540,Thành phố Quy Nhơn,21583,Phường Quy Nhơn,\n",
    );
    let existing = existing();
    let p = plan(&new_units, &lineage, &NO_WORK, BEFORE).unwrap();
    assert_eq!(p.retired.len(), 155 + 2);
    let staying: Vec<&StoredUnit> = existing
        .iter()
        .filter(|u| u.kind == UnitKind::District && u.code != "540")
        .collect();
    assert_eq!(staying.len(), 10);
    assert!(
        staying
            .iter()
            .all(|d| p.retired.iter().all(|r| r.id != d.id))
    );
    let province = p.retired.iter().find(|r| r.unit.code == "52").unwrap();
    assert_eq!(province.successors.len(), 1);
    assert_eq!(province.successors[0].unit, cn("52", "Tỉnh Gia Lai"));
    // The new communes hang under the new province.
    let gia_lai = p.created.iter().position(|c| c.unit.code == "52").unwrap();
    assert!(
        p.created
            .iter()
            .filter(|c| c.kind == UnitKind::Commune)
            .all(|c| c.parent == Some(UnitId::New(gia_lai)))
    );

    // Split between two successors, the children would not know whom to follow.
    let split = lineage.replace(
        "52,Tỉnh Bình Định,52,Tỉnh Gia Lai,\n",
        "52,Tỉnh Bình Định,52,Tỉnh Gia Lai,0.5\n52,Tỉnh Bình Định,21583,Phường Quy Nhơn,0.5\n",
    );
    let problems = plan(&new_units, &split, &NO_WORK, BEFORE).unwrap_err();
    let [ChangeProblem::ChildrenLeftBehind { unit, children }] = problems.as_slice() else {
        panic!("{problems:?}")
    };
    assert_eq!(*unit, cn("52", "Tỉnh Bình Định"));
    assert_eq!(children.len(), 10);
}

#[test]
fn names_that_differ_from_the_stored_ones_are_noticed_not_refused() {
    // Stored with the 2024 names, the lineage's 2025 names differ for three units.
    let mut existing = existing();
    for u in &mut existing {
        match u.code.as_str() {
            "21580" => u.name = "Phường Lý Thường Kiệt".into(),
            "21583" => u.name = "Phường Lê Lợi".into(),
            "21862" => u.name = "Xã Cát Khánh".into(),
            _ => {}
        }
    }
    let p = prepare_change_set(
        JULY,
        BEFORE,
        binh_dinh_new_units().as_bytes(),
        with_weights(LINEAGE, WEIGHTS).as_bytes(),
        &existing,
        &NO_WORK,
    )
    .unwrap();
    let codes: Vec<&str> = p
        .notices
        .iter()
        .map(|n| match n {
            Notice::OldNameDiffers { code, .. } => code.as_str(),
            Notice::NewNameDiffers { code, .. } => code.as_str(),
        })
        .collect();
    assert_eq!(codes, ["21580", "21583", "21862"]);
    assert!(p.notices[1].message(Lang::Vi).contains("“Phường Thị Nại”"));
}
