//! What refuses a change set, and how each refusal names the codes, names and lines.

use super::*;

#[test]
fn a_retired_parent_may_not_leave_its_children_behind() {
    let problems = plan("", "old_code,new_code\n540,\n", &NO_WORK, BEFORE).unwrap_err();
    let [ChangeProblem::ChildrenLeftBehind { unit, children }] = problems.as_slice() else {
        panic!("{problems:?}")
    };
    assert_eq!(*unit, cn("540", "Thành phố Quy Nhơn"));
    // Quy Nhơn's 21 wards of 2024, less the four that ended on 1 January 2025.
    assert_eq!(children.len(), 17);
    assert_eq!(children[0], cn("21550", "Phường Nhơn Bình"));
    assert!(problems[0].message(Lang::En).ends_with(
        "this change set does not retire them: 21550 Phường Nhơn Bình, 21553 Phường Nhơn \
         Phú, 21556 Phường Đống Đa, 21559 Phường Trần Quang Diệu, 21562 Phường Hải Cảng (+12)."
    ));
}

#[test]
fn unknown_codes_are_named_with_the_day_they_were_looked_up() {
    let new_units = "code,name,level,parent_code\n21553,Phường Quy Nhơn Bắc,commune,52\n";
    // 21568 Thị Nại ended on 1 January 2025; 99999 never existed; 88888 is not new.
    let lineage = "old_code,old_name,new_code,new_name\n\
                   21553,Phường Nhơn Phú,21553,Phường Quy Nhơn Bắc\n\
                   21568,Phường Thị Nại,21553,Phường Quy Nhơn Bắc\n\
                   99999,,21553,\n\
                   21550,Phường Nhơn Bình,88888,Phường Ma\n";
    let problems = plan(new_units, lineage, &NO_WORK, BEFORE).unwrap_err();
    assert_eq!(
        problems,
        [
            ChangeProblem::UnknownOldCode {
                line: 3,
                code: "21568".into(),
                name: Some("Phường Thị Nại".into()),
                day_before: date!(2025 - 06 - 30),
            },
            ChangeProblem::UnknownOldCode {
                line: 4,
                code: "99999".into(),
                name: None,
                day_before: date!(2025 - 06 - 30),
            },
            ChangeProblem::UnknownNewCode {
                line: 5,
                code: "88888".into(),
                name: Some("Phường Ma".into()),
                effective: JULY,
            },
        ]
    );
    assert_eq!(
        problems[0].message(Lang::Vi),
        "Tệp kế thừa, dòng 3: không có đơn vị cũ 21568 Phường Thị Nại còn hiệu lực ngày \
         30/06/2025 (ngày trước ngày hiệu lực)."
    );
    assert_eq!(
        problems[2].message(Lang::En),
        "Lineage file, line 5: new unit 88888 Phường Ma is neither in the new units file \
         nor a unit valid on 01/07/2025."
    );
}

#[test]
fn a_cycle_or_a_self_edge_is_refused_with_codes() {
    // No new units: both codes resolve to the stored wards, each said to go into the other.
    let problems = plan(
        "",
        "old_code,new_code\n21550,21553\n21553,21550\n",
        &NO_WORK,
        BEFORE,
    )
    .unwrap_err();
    let [ChangeProblem::Cycle { units }] = problems.as_slice() else {
        panic!("{problems:?}")
    };
    assert_eq!(units.len(), 3);
    assert_eq!(units.first(), units.last());
    let codes: BTreeSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes, BTreeSet::from(["21550", "21553"]));
    let msg = problems[0].message(Lang::En);
    assert!(
        msg == "Lineage file: the lineage goes round in a circle: 21550 Phường Nhơn Bình → \
                21553 Phường Nhơn Phú → 21550 Phường Nhơn Bình."
            || msg
                == "Lineage file: the lineage goes round in a circle: 21553 Phường Nhơn Phú → \
                    21550 Phường Nhơn Bình → 21553 Phường Nhơn Phú.",
        "{msg}"
    );
    // Nhơn Châu "continuing in itself" without a new unit of that code.
    let problems = plan("", "old_code,new_code\n21607,21607\n", &NO_WORK, BEFORE).unwrap_err();
    assert_eq!(
        problems,
        [ChangeProblem::SelfEdge {
            line: 2,
            unit: cn("21607", "Xã Nhơn Châu")
        }]
    );
}

#[test]
fn split_weights_must_be_given_and_add_up_to_one() {
    // The published lineage has no weights: each of its three splits is refused.
    let problems = plan(&binh_dinh_new_units(), LINEAGE, &NO_WORK, BEFORE).unwrap_err();
    assert_eq!(
        problems,
        [
            ChangeProblem::SplitWithoutWeights {
                unit: cn("21634", "Xã An Nghĩa"),
                successors: vec![cn("21622", "Xã An Toàn"), cn("21628", "Xã An Hòa")],
            },
            ChangeProblem::SplitWithoutWeights {
                unit: cn("21997", "Xã Canh Liên"),
                successors: vec![cn("21997", "Xã Canh Liên"), cn("22006", "Xã Canh Vinh")],
            },
            ChangeProblem::SplitWithoutWeights {
                unit: cn("22000", "Xã Canh Hiệp"),
                successors: vec![cn("21994", "Xã Vân Canh"), cn("22006", "Xã Canh Vinh")],
            },
        ]
    );
    // 0,5 + 0,4 (a decimal comma, quoted) is 0,9.
    let short = with_weights(LINEAGE, WEIGHTS).replace(
        "22000,Xã Canh Hiệp,22006,Xã Canh Vinh,0.5",
        "22000,Xã Canh Hiệp,22006,Xã Canh Vinh,\"0,4\"",
    );
    let problems = plan(&binh_dinh_new_units(), &short, &NO_WORK, BEFORE).unwrap_err();
    let [ChangeProblem::WeightsDoNotSumToOne { unit, sum, .. }] = problems.as_slice() else {
        panic!("{problems:?}")
    };
    assert_eq!(*unit, cn("22000", "Xã Canh Hiệp"));
    assert!((sum - 0.9).abs() < 1e-9);
    assert_eq!(
        problems[0].message(Lang::Vi),
        "Tệp kế thừa: tổng tỷ lệ của 22000 Xã Canh Hiệp sang 21994 Xã Vân Canh, 22006 Xã \
         Canh Vinh là 0,9, phải bằng 1."
    );
    assert!(
        problems[0]
            .message(Lang::En)
            .contains("add up to 0.9, not 1")
    );
    // A weight out of range, and a lone successor taking only part of a unit.
    let lineage = "old_code,new_code,weight\n21634,21622,1.5\n21634,21628,-0.5\n21550,21553,0.6\n";
    let new_units = "code,name,level,parent_code\n\
                     21622,Xã An Toàn,commune,52\n\
                     21628,Xã An Hòa,commune,52\n\
                     21553,Phường Quy Nhơn Bắc,commune,52\n";
    let problems = plan(new_units, lineage, &NO_WORK, BEFORE).unwrap_err();
    assert!(problems.contains(&ChangeProblem::BadWeight {
        line: 2,
        from: cn("21634", "Xã An Nghĩa"),
        to: cn("21622", "Xã An Toàn"),
        weight: 1.5,
    }));
    assert!(problems.contains(&ChangeProblem::BadWeight {
        line: 3,
        from: cn("21634", "Xã An Nghĩa"),
        to: cn("21628", "Xã An Hòa"),
        weight: -0.5,
    }));
    assert!(problems.contains(&ChangeProblem::WeightsDoNotSumToOne {
        unit: cn("21550", "Phường Nhơn Bình"),
        successors: vec![cn("21553", "Phường Quy Nhơn Bắc")],
        sum: 0.6,
    }));
}

#[test]
fn a_new_unit_may_not_take_a_code_still_held() {
    // Nhơn Bình goes into a new 21553, but Nhơn Phú (21553) is not retired.
    let new_units = "code,name,level,parent_code\n21553,Phường Quy Nhơn Bắc,commune,52\n";
    let problems = plan(
        new_units,
        "old_code,new_code\n21550,21553\n",
        &NO_WORK,
        BEFORE,
    )
    .unwrap_err();
    assert_eq!(
        problems,
        [ChangeProblem::CodeStillValid {
            line: 2,
            unit: cn("21553", "Phường Quy Nhơn Bắc"),
            held_by: cn("21553", "Phường Nhơn Phú"),
            effective: JULY,
        }]
    );
    assert_eq!(
        problems[0].message(Lang::En),
        "New units file, line 2: code 21553 for Phường Quy Nhơn Bắc is still held on \
         01/07/2025 by 21553 Phường Nhơn Phú, which this change set does not retire."
    );
    // A code whose holder ended before the change is free: 21568 ended in January.
    let new_units = "code,name,level,parent_code\n21568,Phường Mới,commune,52\n";
    let p = plan(
        new_units,
        "old_code,new_code\n21550,21568\n",
        &NO_WORK,
        BEFORE,
    )
    .unwrap();
    assert!(p.codes_reused.is_empty());
    assert_eq!(p.renamed.len(), 1);
}

#[test]
fn new_units_need_known_distinct_codes_and_a_live_parent() {
    let new_units = "code,name,level,parent_code\n\
                     21553,Phường Quy Nhơn Bắc,commune,52\n\
                     21553,Phường Trùng,commune,52\n\
                     21601,Phường Quy Nhơn Đông,commune,999\n\
                     21583,Phường Quy Nhơn,commune,540\n\
                     A1,Khu A,other,A2\n\
                     A2,Khu B,other,A1\n";
    let lineage = "old_code,new_code\n540,\n21553,21553\n21550,21601\n21556,21583\n";
    let problems = plan(new_units, lineage, &NO_WORK, BEFORE).unwrap_err();
    for expected in [
        ChangeProblem::DuplicateNewCode {
            line: 3,
            code: "21553".into(),
            first_line: 2,
        },
        ChangeProblem::UnknownParent {
            line: 4,
            unit: cn("21601", "Phường Quy Nhơn Đông"),
            parent_code: "999".into(),
            effective: JULY,
        },
        ChangeProblem::ParentRetired {
            line: 5,
            unit: cn("21583", "Phường Quy Nhơn"),
            parent: cn("540", "Thành phố Quy Nhơn"),
        },
        ChangeProblem::ParentCycle {
            line: 6,
            unit: cn("A1", "Khu A"),
        },
        ChangeProblem::ParentCycle {
            line: 7,
            unit: cn("A2", "Khu B"),
        },
    ] {
        assert!(problems.contains(&expected), "{expected:?} in {problems:?}");
    }
    assert_eq!(
        problems[0].message(Lang::Vi),
        "Tệp đơn vị mới, dòng 3: mã 21553 đã khai ở dòng 2."
    );
}

#[test]
fn contradictory_or_repeated_lineage_rows_are_refused() {
    let new_units = "code,name,level,parent_code\n21553,Phường Quy Nhơn Bắc,commune,52\n";
    let lineage = "old_code,new_code\n21553,21553\n21550,\n21550,21553\n21553,21553\n";
    let problems = plan(new_units, lineage, &NO_WORK, BEFORE).unwrap_err();
    assert_eq!(
        problems,
        [
            ChangeProblem::DuplicateEdge {
                line: 5,
                old_code: "21553".into(),
                new_code: "21553".into(),
                first_line: 2,
            },
            ChangeProblem::RetiredAndContinued {
                line: 3,
                unit: cn("21550", "Phường Nhơn Bình"),
            },
        ]
    );
}

#[test]
fn a_backdated_change_may_not_overtake_recorded_data() {
    let existing = existing();
    let recorded = |day: Date| {
        BTreeMap::from([(
            id(&existing, "21550"),
            WorkCounts {
                last_recorded: Some(day),
                ..Default::default()
            },
        )])
    };
    let new_units = binh_dinh_new_units();
    let lineage = with_weights(LINEAGE, WEIGHTS);
    let today = date!(2025 - 08 - 01);
    // A figure dated 15 July on Nhơn Bình, which the change ends on 30 June.
    let problems = plan(
        &new_units,
        &lineage,
        &recorded(date!(2025 - 07 - 15)),
        today,
    )
    .unwrap_err();
    assert_eq!(
        problems,
        [ChangeProblem::RecordsOnOrAfterEffective {
            unit: cn("21550", "Phường Nhơn Bình"),
            last_recorded: date!(2025 - 07 - 15),
            effective: JULY,
            today,
        }]
    );
    assert_eq!(
        problems[0].message(Lang::En),
        "The effective date 01/07/2025 has passed (today is 01/08/2025) and 21550 Phường \
         Nhơn Bình has records dated 15/07/2025, on or after it. Choose a later effective \
         date, or move those records first."
    );
    // Records on the effective day itself conflict too; the day before does not.
    assert!(plan(&new_units, &lineage, &recorded(JULY), today).is_err());
    assert!(
        plan(
            &new_units,
            &lineage,
            &recorded(date!(2025 - 06 - 30)),
            today
        )
        .is_ok()
    );
    // Planned ahead, the date is not in the past: nothing to overtake.
    assert!(
        plan(
            &new_units,
            &lineage,
            &recorded(date!(2025 - 07 - 15)),
            BEFORE
        )
        .is_ok()
    );
}
