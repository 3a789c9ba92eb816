//! The lineage of a change set: its rows resolved to units, and its shape checked — no
//! unit continuing in itself or going round in a circle, split weights that add up.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use time::Date;

use super::plan::Units;
use super::{ChangeProblem, CodeName, EPS, LineageRow, Notice, UnitId};
use crate::reorg::{LineageEdge, LineageProblem, check_lineage};

/// A resolved lineage row.
pub(super) struct Edge {
    pub(super) line: usize,
    pub(super) from: i64,
    pub(super) to: UnitId,
    pub(super) weight: Option<f64>,
}

/// The lineage resolved to units.
pub(super) struct Resolved {
    /// In the order of the upload, without the rows that were refused.
    pub(super) edges: Vec<Edge>,
    /// The stored units the lineage retires, in the order it first names them (the order
    /// of the preview).
    pub(super) retired_order: Vec<i64>,
    /// The same units, to look up.
    pub(super) retired: BTreeSet<i64>,
}

impl Resolved {
    /// The edges out of stored unit `id`, in the order of the upload.
    pub(super) fn own_edges(&self, id: i64) -> Vec<&Edge> {
        self.edges.iter().filter(|e| e.from == id).collect()
    }

    /// The stored units continuing in new unit `i`, in the order of the upload.
    pub(super) fn predecessors_of(&self, i: usize) -> Vec<i64> {
        self.edges
            .iter()
            .filter(|e| e.to == UnitId::New(i))
            .map(|e| e.from)
            .collect()
    }
}

/// Resolves each lineage row to units (see the module documentation of
/// [`super`] for where each code is looked up). A row that cannot be resolved, or repeats
/// an earlier one, is refused and left out, so that later steps do not report it again;
/// names that differ from the units' own are only noticed, since the codes decide.
pub(super) fn resolve_lineage(
    lineage: &[LineageRow],
    units: &Units,
    day_before: Date,
    effective: Date,
    problems: &mut Vec<ChangeProblem>,
    notices: &mut Vec<Notice>,
) -> Resolved {
    let mut edges: Vec<Edge> = Vec::new();
    let mut retired_order: Vec<i64> = Vec::new();
    let mut no_successor: BTreeMap<i64, usize> = BTreeMap::new();
    let mut seen_edge: HashMap<(i64, UnitId), usize> = HashMap::new();
    for row in lineage {
        let Some(old) = units.stored_on(&row.old_code, day_before) else {
            problems.push(ChangeProblem::UnknownOldCode {
                line: row.line,
                code: row.old_code.clone(),
                name: row.old_name.clone(),
                day_before,
            });
            continue;
        };
        if let Some(name) = &row.old_name
            && *name != old.name
        {
            notices.push(Notice::OldNameDiffers {
                line: row.line,
                code: row.old_code.clone(),
                in_file: name.clone(),
                stored: old.name.clone(),
            });
        }
        if !retired_order.contains(&old.id) {
            retired_order.push(old.id);
        }
        let Some(new_code) = &row.new_code else {
            no_successor.entry(old.id).or_insert(row.line);
            continue;
        };
        let to = if let Some(i) = units.new_unit(new_code) {
            UnitId::New(i)
        } else if let Some(u) = units.stored_on(new_code, effective) {
            UnitId::Stored(u.id)
        } else {
            problems.push(ChangeProblem::UnknownNewCode {
                line: row.line,
                code: new_code.clone(),
                name: row.new_name.clone(),
                effective,
            });
            continue;
        };
        if let Some(name) = &row.new_name {
            let actual = units.label(to).name;
            if *name != actual {
                notices.push(Notice::NewNameDiffers {
                    line: row.line,
                    code: new_code.clone(),
                    in_file: name.clone(),
                    actual,
                });
            }
        }
        if let Some(&first_line) = seen_edge.get(&(old.id, to)) {
            problems.push(ChangeProblem::DuplicateEdge {
                line: row.line,
                old_code: row.old_code.clone(),
                new_code: new_code.clone(),
                first_line,
            });
            continue;
        }
        seen_edge.insert((old.id, to), row.line);
        edges.push(Edge {
            line: row.line,
            from: old.id,
            to,
            weight: row.weight,
        });
    }
    check_retired_and_continued(&no_successor, &edges, units, problems);
    let retired = retired_order.iter().copied().collect();
    Resolved {
        edges,
        retired_order,
        retired,
    }
}

/// A unit cannot both end without a successor (a row with an empty new code) and continue
/// elsewhere (other rows): the upload contradicts itself, and guessing which rows are
/// meant would put work in the wrong place. `no_successor` holds each such unit's first
/// empty row.
fn check_retired_and_continued(
    no_successor: &BTreeMap<i64, usize>,
    edges: &[Edge],
    units: &Units,
    problems: &mut Vec<ChangeProblem>,
) {
    for (&id, &line) in no_successor {
        if edges.iter().any(|e| e.from == id) {
            problems.push(ChangeProblem::RetiredAndContinued {
                line,
                unit: units.label(UnitId::Stored(id)),
            });
        }
    }
}

/// The lineage in dense numbers, as [`check_lineage`] and
/// [`Lineage`](crate::reorg::Lineage) take it: `edges[k]` is [`Resolved::edges`]`[k]`.
pub(super) struct Numbered {
    pub(super) numbering: Numbering,
    pub(super) edges: Vec<LineageEdge>,
}

/// Checks the lineage's own shape with [`check_lineage`] — self edges, cycles, weights —
/// and words each problem with the codes, names and lines of the upload.
pub(super) fn check_shape(
    resolved: &Resolved,
    units: &Units,
    problems: &mut Vec<ChangeProblem>,
) -> Numbered {
    let mut numbering = Numbering::default();
    let numbered: Vec<LineageEdge> = resolved
        .edges
        .iter()
        .map(|e| LineageEdge {
            from: numbering.number(UnitId::Stored(e.from)),
            to: numbering.number(e.to),
            weight: e.weight,
        })
        .collect();
    let name_of = |n: i64| {
        numbering
            .unit(n)
            .map(|u| units.label(u))
            .unwrap_or_default()
    };
    let line_of = |from: i64, to: i64| {
        numbered
            .iter()
            .zip(&resolved.edges)
            .find(|(n, _)| n.from == from && n.to == to)
            .map_or(0, |(_, e)| e.line)
    };
    let successors_of = |from: i64| -> Vec<CodeName> {
        numbered
            .iter()
            .filter(|n| n.from == from)
            .map(|n| name_of(n.to))
            .collect()
    };
    for p in check_lineage(&numbered) {
        problems.push(match p {
            LineageProblem::SelfEdge { unit } => ChangeProblem::SelfEdge {
                line: line_of(unit, unit),
                unit: name_of(unit),
            },
            LineageProblem::Cycle { unit } => ChangeProblem::Cycle {
                units: cycle_through(unit, &numbered)
                    .into_iter()
                    .map(name_of)
                    .collect(),
            },
            LineageProblem::BadWeight { from, to } => ChangeProblem::BadWeight {
                line: line_of(from, to),
                from: name_of(from),
                to: name_of(to),
                weight: numbered
                    .iter()
                    .find(|n| n.from == from && n.to == to)
                    .and_then(|n| n.weight)
                    .unwrap_or(f64::NAN),
            },
            LineageProblem::SplitWithoutWeights { from } => ChangeProblem::SplitWithoutWeights {
                unit: name_of(from),
                successors: successors_of(from),
            },
            LineageProblem::WeightsDoNotSumToOne { from, sum } => {
                ChangeProblem::WeightsDoNotSumToOne {
                    unit: name_of(from),
                    successors: successors_of(from),
                    sum,
                }
            }
        });
    }
    Numbered {
        numbering,
        edges: numbered,
    }
}

/// [`check_lineage`] sums weights only for splits; a weight on a lone successor other
/// than 1 would say part of the unit goes nowhere. (A weight out of range is already a
/// [`ChangeProblem::BadWeight`], so it is not reported twice.)
pub(super) fn check_lone_weights(
    resolved: &Resolved,
    units: &Units,
    problems: &mut Vec<ChangeProblem>,
) {
    for &id in &resolved.retired_order {
        if let [only] = resolved.own_edges(id).as_slice()
            && let Some(w) = only.weight
            && w > 0.0
            && w <= 1.0 + EPS
            && (w - 1.0).abs() > EPS
        {
            problems.push(ChangeProblem::WeightsDoNotSumToOne {
                unit: units.label(UnitId::Stored(id)),
                successors: vec![units.label(only.to)],
                sum: w,
            });
        }
    }
}

/// Dense numbers for the units of a plan, so that stored ids and not-yet-stored new
/// units can share [`check_lineage`] and [`Lineage`](crate::reorg::Lineage), which work
/// on `i64`s.
#[derive(Default)]
pub(super) struct Numbering {
    of: HashMap<UnitId, i64>,
    back: Vec<UnitId>,
}

impl Numbering {
    fn number(&mut self, unit: UnitId) -> i64 {
        if let Some(&n) = self.of.get(&unit) {
            return n;
        }
        let n = self.back.len() as i64;
        self.of.insert(unit, n);
        self.back.push(unit);
        n
    }

    /// The number already given to `unit`, if any.
    pub(super) fn number_of(&self, unit: UnitId) -> Option<i64> {
        self.of.get(&unit).copied()
    }

    pub(super) fn unit(&self, n: i64) -> Option<UnitId> {
        usize::try_from(n)
            .ok()
            .and_then(|i| self.back.get(i))
            .copied()
    }
}

/// The units on a cycle through `start`, in order, starting and ending with it (breadth
/// first, so the shortest way round).
fn cycle_through(start: i64, edges: &[LineageEdge]) -> Vec<i64> {
    let mut came_from: BTreeMap<i64, i64> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(u) = queue.pop_front() {
        for e in edges.iter().filter(|e| e.from == u) {
            if e.to == start {
                let mut back = vec![u];
                let mut at = u;
                while at != start {
                    match came_from.get(&at) {
                        Some(&prev) => {
                            back.push(prev);
                            at = prev;
                        }
                        None => break,
                    }
                }
                back.reverse();
                back.push(start);
                return back;
            }
            if e.to != start && !came_from.contains_key(&e.to) {
                came_from.insert(e.to, u);
                queue.push_back(e.to);
            }
        }
    }
    vec![start, start]
}
