//! Administrative reorganisation (the 2025 reform): a lineage from old units to new ones —
//! merges, and splits with a weight such as a population share — its checks, and how the
//! figures of old units map forward onto the new ones by each indicator's rule.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::indicator::{Aggregation, Figure};

/// One edge of a lineage: `from` (retired) continues in `to`; `weight` is the share of
/// `from` that goes to `to` when `from` is split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineageEdge {
    pub from: i64,
    pub to: i64,
    pub weight: Option<f64>,
}

/// What is wrong with a lineage; any problem refuses the whole change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum LineageProblem {
    /// A unit said to continue in itself.
    SelfEdge { unit: i64 },
    /// Following successors from this unit comes back to it.
    Cycle { unit: i64 },
    /// A weight outside (0, 1].
    BadWeight { from: i64, to: i64 },
    /// A unit split between several successors without a weight for each.
    SplitWithoutWeights { from: i64 },
    /// A split whose weights do not add up to 1.
    WeightsDoNotSumToOne { from: i64, sum: f64 },
}

const EPS: f64 = 1e-6;

/// Checks a lineage: no self edge, no cycle, and every split weighted with shares in
/// (0, 1] adding up to 1.
pub fn check_lineage(edges: &[LineageEdge]) -> Vec<LineageProblem> {
    let mut problems = Vec::new();
    let mut by_from: BTreeMap<i64, Vec<&LineageEdge>> = BTreeMap::new();
    for e in edges {
        if e.from == e.to {
            problems.push(LineageProblem::SelfEdge { unit: e.from });
            continue;
        }
        by_from.entry(e.from).or_default().push(e);
    }
    for (from, out) in &by_from {
        for e in out {
            if e.weight
                .is_some_and(|w| !w.is_finite() || w <= 0.0 || w > 1.0 + EPS)
            {
                problems.push(LineageProblem::BadWeight {
                    from: e.from,
                    to: e.to,
                });
            }
        }
        if out.len() > 1 {
            if out.iter().any(|e| e.weight.is_none()) {
                problems.push(LineageProblem::SplitWithoutWeights { from: *from });
            } else {
                let sum: f64 = out.iter().filter_map(|e| e.weight).sum();
                if (sum - 1.0).abs() > EPS {
                    problems.push(LineageProblem::WeightsDoNotSumToOne { from: *from, sum });
                }
            }
        }
    }
    // A cycle: some unit reaches itself by successors (depth-first, each unit once).
    let successors = |u: i64| -> Vec<i64> {
        by_from
            .get(&u)
            .map(|out| out.iter().map(|e| e.to).collect())
            .unwrap_or_default()
    };
    let mut done: BTreeSet<i64> = BTreeSet::new();
    for start in by_from.keys() {
        if done.contains(start) {
            continue;
        }
        let mut path: Vec<(i64, Vec<i64>)> = vec![(*start, successors(*start))];
        let mut on_path: BTreeSet<i64> = BTreeSet::from([*start]);
        while let Some((unit, next)) = path.last_mut() {
            match next.pop() {
                Some(n) if on_path.contains(&n) => {
                    problems.push(LineageProblem::Cycle { unit: n });
                    // Report each cycle once: stop following this start.
                    path.clear();
                }
                Some(n) if !done.contains(&n) => {
                    on_path.insert(n);
                    path.push((n, successors(n)));
                }
                Some(_) => {}
                None => {
                    let unit = *unit;
                    on_path.remove(&unit);
                    done.insert(unit);
                    path.pop();
                }
            }
        }
        done.extend(on_path);
    }
    problems
}

/// A lineage indexed by predecessor: walking a unit forward costs a look-up a step, not
/// a pass over every edge — roll-ups walk every retired unit of the tree.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    next: HashMap<i64, Vec<(i64, Option<f64>)>>,
}

impl Lineage {
    pub fn new(edges: &[LineageEdge]) -> Lineage {
        let mut next: HashMap<i64, Vec<(i64, Option<f64>)>> = HashMap::new();
        for e in edges {
            next.entry(e.from).or_default().push((e.to, e.weight));
        }
        Lineage { next }
    }

    /// Whether the unit continues in another.
    pub fn continues(&self, unit: i64) -> bool {
        self.next.contains_key(&unit)
    }

    /// Where a unit's figures count in a structure whose standing units `stands` names:
    /// the unit itself when it stands, else the standing units it continues in, each with
    /// the share it receives (a merge all of it, a split its weight, a chain the product).
    /// A unit that neither stands nor continues anywhere maps nowhere.
    pub fn shares_onto(&self, unit: i64, stands: impl Fn(i64) -> bool) -> Vec<(i64, f64)> {
        let mut out: BTreeMap<i64, f64> = BTreeMap::new();
        let mut stack = vec![(unit, 1.0)];
        // Bounded: a checked lineage has no cycle; a bad one cannot loop forever.
        let mut steps = 0;
        while let Some((u, share)) = stack.pop() {
            steps += 1;
            if stands(u) || steps > 10_000 {
                *out.entry(u).or_default() += share;
                continue;
            }
            let next = self.next.get(&u).map_or(&[][..], Vec::as_slice);
            let whole = next.len() == 1;
            for (to, weight) in next {
                let w = if whole { 1.0 } else { weight.unwrap_or(0.0) };
                stack.push((*to, share * w));
            }
        }
        out.into_iter().collect()
    }

    /// Where each unit's figures end up when history is mapped forward along a checked
    /// lineage: the final successors and the share of the unit each receives (a merge
    /// gives all, a split its weight, a chain multiplies). A unit outside the lineage maps
    /// to itself.
    pub fn final_shares(&self, unit: i64) -> Vec<(i64, f64)> {
        self.shares_onto(unit, |u| !self.continues(u))
    }
}

/// The part of a figure a share carries: additive values (sum, latest) and a ratio's
/// numerator and denominator scale with it (the ratio itself is recomputed, never
/// scaled); an average, a minimum or a maximum holds for every part of the unit.
pub fn scale(rule: Aggregation, figure: Figure, share: f64) -> Figure {
    match rule {
        Aggregation::Sum | Aggregation::Latest => Figure {
            value: figure.value * share,
            numerator: figure.numerator.map(|n| n * share),
            denominator: figure.denominator.map(|d| d * share),
        },
        Aggregation::RatioOfSums => match (figure.numerator, figure.denominator) {
            (Some(n), Some(d)) => Figure {
                value: if d > 0.0 { n / d * 100.0 } else { figure.value },
                numerator: Some(n * share),
                denominator: Some(d * share),
            },
            _ => figure,
        },
        Aggregation::Average | Aggregation::Min | Aggregation::Max => figure,
    }
}

/// A figure mapped onto a new unit, and whether part of it came from a split (so an
/// additive value is an estimate by weight, which pages say).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mapped {
    pub figure: Figure,
    pub from_split: bool,
}

/// Maps figures of (possibly retired) units onto the units that carry them on:
/// additive values (sum, latest) are divided by the split weight and added up; ratios are
/// recomputed from their divided numerators and denominators, never averaged; averages
/// are weighted by the share each predecessor contributes; minima and maxima are taken
/// over the contributors.
pub fn map_forward(
    rule: Aggregation,
    figures: &[(i64, Figure)],
    edges: &[LineageEdge],
) -> BTreeMap<i64, Mapped> {
    let lineage = Lineage::new(edges);
    // (target) → contributions (share, figure)
    let mut parts: BTreeMap<i64, Vec<(f64, Figure)>> = BTreeMap::new();
    for (unit, figure) in figures {
        for (target, share) in lineage.final_shares(*unit) {
            parts.entry(target).or_default().push((share, *figure));
        }
    }
    parts
        .into_iter()
        .filter_map(|(target, contributions)| {
            let from_split = contributions.iter().any(|(s, _)| (s - 1.0).abs() > EPS);
            let weight: f64 = contributions.iter().map(|(s, _)| s).sum();
            let figure = match rule {
                Aggregation::Sum | Aggregation::Latest => {
                    Figure::plain(contributions.iter().map(|(s, f)| s * f.value).sum())
                }
                Aggregation::RatioOfSums => {
                    let num: f64 = contributions
                        .iter()
                        .filter_map(|(s, f)| f.numerator.map(|n| s * n))
                        .sum();
                    let den: f64 = contributions
                        .iter()
                        .filter_map(|(s, f)| f.denominator.map(|d| s * d))
                        .sum();
                    Figure {
                        value: if den > 0.0 { num / den * 100.0 } else { 0.0 },
                        numerator: Some(num),
                        denominator: Some(den),
                    }
                }
                Aggregation::Average => {
                    if weight <= 0.0 {
                        return None;
                    }
                    Figure::plain(
                        contributions.iter().map(|(s, f)| s * f.value).sum::<f64>() / weight,
                    )
                }
                Aggregation::Min => Figure::plain(
                    contributions
                        .iter()
                        .map(|(_, f)| f.value)
                        .fold(f64::INFINITY, f64::min),
                ),
                Aggregation::Max => Figure::plain(
                    contributions
                        .iter()
                        .map(|(_, f)| f.value)
                        .fold(f64::NEG_INFINITY, f64::max),
                ),
            };
            Some((target, Mapped { figure, from_split }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real 1 July 2025 lineage of the shared data with the demo split weights, as
    /// edges between ids: an old commune's id is its code, a new one's its code + 100,000.
    fn real_lineage() -> Vec<LineageEdge> {
        let weights: BTreeMap<(i64, i64), f64> =
            include_str!("../../../data/binh-dinh-2025-split-weights.csv")
                .lines()
                .skip(1)
                .filter_map(|l| {
                    let f: Vec<&str> = l.split(',').collect();
                    Some(((f[0].parse().ok()?, f[1].parse().ok()?), f[2].parse().ok()?))
                })
                .collect();
        include_str!("../../../data/binh-dinh-2025-lineage.csv")
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                let (old, new): (i64, i64) = (f[0].parse().ok()?, f[2].parse().ok()?);
                Some(edge(old, 100_000 + new, weights.get(&(old, new)).copied()))
            })
            .collect()
    }

    #[test]
    fn the_real_lineage_checks_and_maps_an_lao_by_hand() {
        let lineage = real_lineage();
        assert_eq!(lineage.len(), 158);
        assert_eq!(check_lineage(&lineage), vec![], "the real lineage is sound");
        // An Lão district's ten communes of 2025 (figures made up) into four new ones; Xã
        // An Nghĩa (21634) is one of the three split communes, half to An Toàn, half to
        // An Hòa.
        let counts = [
            (21609, 100.0), // Thị trấn An Lão → Xã An Lão
            (21610, 40.0),  // An Hưng → An Lão
            (21613, 30.0),  // An Trung → An Vinh
            (21616, 20.0),  // An Dũng → An Vinh
            (21619, 10.0),  // An Vinh → An Vinh
            (21622, 50.0),  // An Toàn → An Toàn
            (21625, 5.0),   // An Tân → An Lão
            (21628, 60.0),  // An Hòa → An Hòa
            (21631, 25.0),  // An Quang → An Hòa
            (21634, 80.0),  // An Nghĩa → ½ An Toàn, ½ An Hòa
        ];
        let figures: Vec<(i64, Figure)> = counts
            .iter()
            .map(|(u, v)| (*u, Figure::plain(*v)))
            .collect();
        let sums = map_forward(Aggregation::Sum, &figures, &lineage);
        let got: Vec<(i64, f64, bool)> = sums
            .iter()
            .map(|(u, m)| (u - 100_000, m.figure.value, m.from_split))
            .collect();
        assert_eq!(
            got,
            vec![
                (21609, 145.0, false), // 100 + 40 + 5
                (21616, 60.0, false),  // 30 + 20 + 10
                (21622, 90.0, true),   // 50 + 80 / 2, an estimate by weight
                (21628, 125.0, true),  // 60 + 25 + 80 / 2
            ]
        );
        // Nothing is lost or made up: the four add up to the ten.
        let total: f64 = got.iter().map(|(_, v, _)| v).sum();
        assert_eq!(total, counts.iter().map(|(_, v)| v).sum::<f64>());
        // A ratio is recomputed from the shared numerators and denominators: An Hòa, 12/40
        // with half of An Nghĩa's 30/40, is 27/60 = 45 %, not the 52.5 % of averaging 30 %
        // and 75 %; An Toàn, 10/20 with 15/20, is 25/40 = 62.5 %.
        let ratios = map_forward(
            Aggregation::RatioOfSums,
            &[
                (21622, ratio(10.0, 20.0)),
                (21628, ratio(12.0, 40.0)),
                (21634, ratio(30.0, 40.0)),
            ],
            &lineage,
        );
        assert!((ratios[&121_622].figure.value - 62.5).abs() < 1e-9);
        assert!((ratios[&121_628].figure.value - 45.0).abs() < 1e-9);
    }

    #[test]
    fn shares_stop_at_the_units_that_stand_on_the_day() {
        // 1 and 2 merge into 3 (2025-03); 3 is split 60/40 into 4 and 5 later.
        let edges = Lineage::new(&[
            edge(1, 3, None),
            edge(2, 3, None),
            edge(3, 4, Some(0.6)),
            edge(3, 5, Some(0.4)),
        ]);
        // In a structure where 3 stands (as it was between the two changes)…
        assert_eq!(edges.shares_onto(1, |u| u == 3), vec![(3, 1.0)]);
        // …and as it is now.
        assert_eq!(
            edges.shares_onto(2, |u| u == 4 || u == 5),
            vec![(4, 0.6), (5, 0.4)]
        );
        assert_eq!(edges.shares_onto(4, |u| u == 4), vec![(4, 1.0)]);
        assert!(
            edges.shares_onto(9, |u| u == 4).is_empty(),
            "a unit that ended without a successor counts nowhere"
        );
    }

    #[test]
    fn a_share_scales_what_adds_up_and_leaves_levels_alone() {
        let f = Figure {
            value: 80.0,
            numerator: None,
            denominator: None,
        };
        assert_eq!(scale(Aggregation::Sum, f, 0.25).value, 20.0);
        assert_eq!(scale(Aggregation::Average, f, 0.25).value, 80.0);
        assert_eq!(scale(Aggregation::Max, f, 0.25).value, 80.0);
        let r = scale(Aggregation::RatioOfSums, ratio(30.0, 40.0), 0.5);
        assert_eq!((r.numerator, r.denominator), (Some(15.0), Some(20.0)));
        assert_eq!(r.value, 75.0, "the ratio itself is unchanged");
    }

    fn edge(from: i64, to: i64, weight: Option<f64>) -> LineageEdge {
        LineageEdge { from, to, weight }
    }

    fn ratio(num: f64, den: f64) -> Figure {
        Figure {
            value: num / den * 100.0,
            numerator: Some(num),
            denominator: Some(den),
        }
    }

    #[test]
    fn a_good_lineage_passes_and_each_fault_is_named() {
        // Communes 1 and 2 merge into 10; commune 3 splits 60/40 into 10 and 11.
        let good = [
            edge(1, 10, None),
            edge(2, 10, None),
            edge(3, 10, Some(0.6)),
            edge(3, 11, Some(0.4)),
        ];
        assert!(check_lineage(&good).is_empty());
        let bad = [
            edge(4, 4, None),
            edge(5, 12, Some(0.7)),
            edge(5, 13, Some(0.2)),
            edge(6, 14, Some(1.0)),
            edge(6, 15, None),
            edge(7, 16, Some(-0.5)),
            edge(20, 21, None),
            edge(21, 22, None),
            edge(22, 20, None),
        ];
        let problems = check_lineage(&bad);
        assert!(problems.contains(&LineageProblem::SelfEdge { unit: 4 }));
        assert!(problems.iter().any(|p| matches!(
            p,
            LineageProblem::WeightsDoNotSumToOne { from: 5, sum } if (sum - 0.9).abs() < 1e-9
        )));
        assert!(problems.contains(&LineageProblem::SplitWithoutWeights { from: 6 }));
        assert!(problems.contains(&LineageProblem::BadWeight { from: 7, to: 16 }));
        assert_eq!(
            problems
                .iter()
                .filter(|p| matches!(p, LineageProblem::Cycle { .. }))
                .count(),
            1,
            "{problems:?}"
        );
    }

    #[test]
    fn figures_map_forward_by_the_indicators_rule() {
        let lineage = [
            edge(1, 10, None),
            edge(2, 10, None),
            edge(3, 10, Some(0.6)),
            edge(3, 11, Some(0.4)),
        ];
        // Sums: 10 gets 100 + 200 + 0.6 × 50 = 330; 11 gets 0.4 × 50 = 20.
        let sums = map_forward(
            Aggregation::Sum,
            &[
                (1, Figure::plain(100.0)),
                (2, Figure::plain(200.0)),
                (3, Figure::plain(50.0)),
            ],
            &lineage,
        );
        assert!((sums[&10].figure.value - 330.0).abs() < 1e-9);
        assert!((sums[&11].figure.value - 20.0).abs() < 1e-9);
        assert!(sums[&10].from_split && sums[&11].from_split);
        // Ratios are recomputed, never averaged: 10 gets (30 + 60 + 0.6×10) / (100 + 100
        // + 0.6×20) = 96 / 212; averaging 30 %, 60 % and 50 % would say 46.7 %.
        let ratios = map_forward(
            Aggregation::RatioOfSums,
            &[
                (1, ratio(30.0, 100.0)),
                (2, ratio(60.0, 100.0)),
                (3, ratio(10.0, 20.0)),
            ],
            &lineage,
        );
        assert!((ratios[&10].figure.value - 96.0 / 212.0 * 100.0).abs() < 1e-9);
        assert_eq!(ratios[&11].figure.value, 50.0, "a split keeps its rate");
        // Averages weigh each predecessor by the share it brings: (80 + 60 + 0.6×50) / 2.6.
        let averages = map_forward(
            Aggregation::Average,
            &[
                (1, Figure::plain(80.0)),
                (2, Figure::plain(60.0)),
                (3, Figure::plain(50.0)),
            ],
            &lineage,
        );
        assert!((averages[&10].figure.value - 170.0 / 2.6).abs() < 1e-9);
        assert_eq!(averages[&11].figure.value, 50.0);
        // A plain merge is not a split; an untouched unit maps to itself.
        let merged = map_forward(
            Aggregation::Max,
            &[
                (1, Figure::plain(1.0)),
                (2, Figure::plain(5.0)),
                (9, Figure::plain(7.0)),
            ],
            &lineage,
        );
        assert_eq!(merged[&10].figure.value, 5.0);
        assert!(!merged[&10].from_split);
        assert_eq!(merged[&9].figure.value, 7.0);
    }

    #[test]
    fn a_chain_of_changes_multiplies_shares() {
        // March: department 1 merges into 2; July: 2 splits 70/30 into 3 and 4.
        let lineage = [
            edge(1, 2, None),
            edge(2, 3, Some(0.7)),
            edge(2, 4, Some(0.3)),
        ];
        assert!(check_lineage(&lineage).is_empty());
        let shares = Lineage::new(&lineage).final_shares(1);
        assert_eq!(shares.len(), 2);
        assert!((shares[0].1 - 0.7).abs() < 1e-9 && (shares[1].1 - 0.3).abs() < 1e-9);
        assert_eq!(Lineage::new(&lineage).final_shares(9), vec![(9, 1.0)]);
    }
}
