use proptest::prelude::*;
use time::macros::date;

use super::*;
use crate::reorg::LineageEdge;

fn unit(id: i64, parent: Option<i64>, kind: &str, stands: bool) -> TreeUnit {
    TreeUnit {
        id,
        name: format!("u{id}"),
        kind: kind.to_string(),
        parent_id: parent,
        stands,
    }
}

fn figure(unit_id: i64, value: f64) -> DatedFigure {
    DatedFigure {
        unit_id,
        period_end: date!(2025 - 12 - 31),
        figure: Figure::plain(value),
    }
}

/// Province 1 with communes 2 and 3 standing; commune 4 merged into 2, commune 5 split
/// between 2 (70 %) and 3 (30 %).
fn merged_province() -> Tree {
    let units = [
        unit(1, None, "province", true),
        unit(2, Some(1), "commune", true),
        unit(3, Some(1), "commune", true),
        unit(4, Some(1), "commune", false),
        unit(5, Some(1), "commune", false),
    ];
    let lineage = Lineage::new(&[
        LineageEdge {
            from: 4,
            to: 2,
            weight: None,
        },
        LineageEdge {
            from: 5,
            to: 2,
            weight: Some(0.7),
        },
        LineageEdge {
            from: 5,
            to: 3,
            weight: Some(0.3),
        },
    ]);
    Tree::new(&units, &lineage)
}

#[test]
fn a_merged_units_figures_count_for_its_successor() {
    let tree = merged_province();
    let (own, estimated) = own_figures(Aggregation::Sum, &tree, &[figure(2, 10.0), figure(4, 5.0)]);
    assert_eq!(own[&2].value, 15.0);
    assert!(estimated.is_empty(), "a merge is whole, not an estimate");
    assert_eq!(tree.sources_within(2), vec![2, 4, 5]);
}

#[test]
fn a_split_units_share_is_an_estimate() {
    let tree = merged_province();
    let (own, estimated) = own_figures(Aggregation::Sum, &tree, &[figure(5, 100.0)]);
    assert!((own[&2].value - 70.0).abs() < 1e-9);
    assert!((own[&3].value - 30.0).abs() < 1e-9);
    assert_eq!(estimated, Estimated::from([2, 3]));
}

#[test]
fn an_average_of_merged_units_is_not_their_sum() {
    let tree = merged_province();
    let (own, _) = own_figures(
        Aggregation::Average,
        &tree,
        &[figure(2, 80.0), figure(4, 60.0)],
    );
    assert_eq!(own[&2].value, 70.0);
}

#[test]
fn latest_takes_the_last_period_summed_across_merged_units() {
    let tree = merged_province();
    let earlier = DatedFigure {
        period_end: date!(2025 - 06 - 30),
        ..figure(2, 1_000.0)
    };
    let (own, _) = own_figures(
        Aggregation::Latest,
        &tree,
        &[earlier, figure(2, 10.0), figure(4, 5.0)],
    );
    assert_eq!(own[&2].value, 15.0);
}

#[test]
fn pruning_keeps_the_units_above_the_reporting_kind() {
    let units = [
        unit(1, None, "province", true),
        unit(2, Some(1), "department", true),
        unit(3, Some(1), "district", true),
        unit(4, Some(3), "commune", true),
    ];
    let tree = Tree::new(&units, &Lineage::default());
    let pruned = tree.pruned(&["commune".to_string()]);
    assert_eq!(pruned[&1], vec![3], "the department reports nothing");
    assert_eq!(pruned[&3], vec![4]);
}

/// A random tree: unit `i`'s parent is an earlier unit (so there is no cycle); a unit
/// that does not stand continues in one standing unit, or is split between two.
fn arb_tree() -> impl Strategy<Value = (Vec<TreeUnit>, Vec<LineageEdge>)> {
    (2usize..30).prop_flat_map(|n| {
        (
            proptest::collection::vec((any::<prop::sample::Index>(), any::<bool>()), n),
            proptest::collection::vec(prop::bool::weighted(0.75), n),
            proptest::collection::vec(
                (
                    any::<prop::sample::Index>(),
                    any::<prop::sample::Index>(),
                    0.05f64..0.95,
                    any::<bool>(),
                ),
                n,
            ),
        )
            .prop_map(move |(parents, stands, moves)| {
                let mut units: Vec<TreeUnit> = (0..n)
                    .map(|i| {
                        let (pick, has_parent) = parents[i];
                        let parent = (i > 0 && has_parent).then(|| pick.index(i) as i64);
                        let kind = if i % 3 == 0 { "district" } else { "commune" };
                        unit(i as i64, parent, kind, stands[i])
                    })
                    .collect();
                // The first unit always stands, so every retired unit has somewhere to go.
                units[0].stands = true;
                let standing: Vec<i64> = units.iter().filter(|u| u.stands).map(|u| u.id).collect();
                let mut edges = Vec::new();
                for (u, (a, b, w, split)) in units.iter().zip(&moves) {
                    if u.stands {
                        continue;
                    }
                    let to_a = standing[a.index(standing.len())];
                    let to_b = standing[b.index(standing.len())];
                    if *split && to_a != to_b {
                        edges.push(LineageEdge {
                            from: u.id,
                            to: to_a,
                            weight: Some(*w),
                        });
                        edges.push(LineageEdge {
                            from: u.id,
                            to: to_b,
                            weight: Some(1.0 - *w),
                        });
                    } else {
                        edges.push(LineageEdge {
                            from: u.id,
                            to: to_a,
                            weight: None,
                        });
                    }
                }
                (units, edges)
            })
    })
}

proptest! {
    #[test]
    fn a_subtree_is_its_root_and_everything_standing_below(
        (units, edges) in arb_tree(),
        pick in any::<prop::sample::Index>(),
    ) {
        let tree = Tree::new(&units, &Lineage::new(&edges));
        let standing: Vec<&TreeUnit> = units.iter().filter(|u| u.stands).collect();
        let root = standing[pick.index(standing.len())].id;
        let subtree = tree.subtree(root);
        prop_assert_eq!(subtree[0], root);
        let members: HashSet<i64> = subtree.iter().copied().collect();
        prop_assert_eq!(members.len(), subtree.len(), "no unit twice");
        for u in &standing {
            // Below the root: a chain of standing parents leads to it.
            let mut at = Some(u.id);
            let mut below = false;
            while let Some(id) = at {
                if id == root {
                    below = true;
                    break;
                }
                at = units
                    .iter()
                    .find(|x| x.id == id)
                    .and_then(|x| x.parent_id)
                    .filter(|p| standing.iter().any(|s| s.id == *p));
            }
            prop_assert_eq!(members.contains(&u.id), below, "unit {}", u.id);
        }
        for id in &subtree {
            prop_assert!(tree.sources_within(root).contains(id));
        }
    }

    #[test]
    fn a_sum_neither_gains_nor_loses_through_merges_and_splits(
        (units, edges) in arb_tree(),
        values in proptest::collection::vec(0.0f64..1e6, 30),
    ) {
        let tree = Tree::new(&units, &Lineage::new(&edges));
        let figures: Vec<DatedFigure> =
            units.iter().map(|u| figure(u.id, values[u.id as usize])).collect();
        let (own, estimated) = own_figures(Aggregation::Sum, &tree, &figures);
        let reported: f64 = figures.iter().map(|f| f.figure.value).sum();
        let counted: f64 = own.values().map(|f| f.value).sum();
        prop_assert!((reported - counted).abs() <= 1e-6 * reported.max(1.0),
            "reported {reported}, counted {counted}");
        let any_split = edges.iter().any(|e| e.weight.is_some());
        prop_assert_eq!(!estimated.is_empty(), any_split);
        for unit in own.keys() {
            prop_assert!(units.iter().any(|u| u.id == *unit && u.stands),
                "figures count only for standing units");
        }
    }

    #[test]
    fn pruning_only_removes_and_nothing_expected_keeps_all(
        (units, edges) in arb_tree(),
    ) {
        let tree = Tree::new(&units, &Lineage::new(&edges));
        let all = tree.pruned(&[]);
        let communes = tree.pruned(&["commune".to_string()]);
        for (parent, kids) in &communes {
            for kid in kids {
                prop_assert!(all[parent].contains(kid));
            }
        }
        let nothing = tree.pruned(&["ministry".to_string()]);
        prop_assert!(nothing.values().all(Vec::is_empty));
    }

    #[test]
    fn plain_leaves_combined_per_parent_roll_up_as_one_by_one(
        (units, edges) in arb_tree(),
        values in proptest::collection::vec((0.0f64..1e6, 1.0f64..1e3), 30),
        reporting in proptest::collection::vec(prop::bool::weighted(0.7), 30),
        above_reports in proptest::collection::vec(prop::bool::weighted(0.15), 30),
        rule in prop::sample::select(vec![
            Aggregation::Sum, Aggregation::Average, Aggregation::Min,
            Aggregation::Max, Aggregation::RatioOfSums, Aggregation::Latest,
        ]),
        pick in any::<prop::sample::Index>(),
    ) {
        let tree = Tree::new(&units, &Lineage::new(&edges));
        let standing: Vec<&TreeUnit> = units.iter().filter(|u| u.stands).collect();
        let root = standing[pick.index(standing.len())].id;
        let figures: Vec<DatedFigure> = units
            .iter()
            // Units with units below them seldom report their own figure, which would
            // hide their children's.
            .filter(|u| {
                let above = units.iter().any(|k| k.parent_id == Some(u.id) && k.stands);
                reporting[u.id as usize] && (!above || above_reports[u.id as usize])
            })
            .map(|u| {
                let (n, d) = values[u.id as usize];
                DatedFigure {
                    unit_id: u.id,
                    period_end: date!(2025 - 12 - 31),
                    figure: Figure { value: n / d * 100.0, numerator: Some(n), denominator: Some(d) },
                }
            })
            .collect();
        let (own, _) = own_figures(rule, &tree, &figures);
        let children = tree.pruned(&[]);
        let whole = crate::indicator::roll_up(rule, root, &children, &own);

        let leaves = tree.plain_leaves_below(root);
        let mut rest = own.clone();
        let mut partials: HashMap<i64, crate::indicator::Partial> = HashMap::new();
        for (leaf, parent) in &leaves {
            prop_assert!(!children[&root].contains(leaf), "never a child of the root");
            if let Some(f) = rest.remove(leaf) {
                partials
                    .entry(*parent)
                    .or_insert_with(|| crate::indicator::Partial::of(&[]))
                    .merge(&crate::indicator::Partial::of(&[f]));
            }
        }
        let parts = crate::indicator::roll_up_with(rule, root, &children, &rest, &partials);
        prop_assert_eq!(parts.reported_units(), whole.reported_units());
        prop_assert_eq!(&parts.missing, &whole.missing);
        match (parts.figure, whole.figure) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
                prop_assert!(close(a.value, b.value), "{} against {}", a.value, b.value);
                prop_assert_eq!(a.numerator.is_some(), b.numerator.is_some());
                if let (Some(x), Some(y)) = (a.numerator, b.numerator) {
                    prop_assert!(close(x, y));
                }
            }
            (a, b) => prop_assert!(false, "{a:?} against {b:?}"),
        }
    }
}
