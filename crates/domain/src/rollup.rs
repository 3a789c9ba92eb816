//! The unit tree a roll-up walks, on one date: which units stand, which units' figures
//! count where (a merged or split unit's history counts toward the units it continues
//! in, a split's part by its weight), a unit's subtree, and the tree pruned to the units
//! expected to report. And one indicator's figures combined per unit: across the units
//! merged into one, then over time. Pure: the use cases load units and figures and shape
//! the views; the maths lives here, property-tested.

use std::collections::{HashMap, HashSet};

use time::Date;

use crate::indicator::{Aggregation, Figure, combine};
use crate::reorg::{Lineage, scale};

/// A unit as the tree needs it: `stands` when it is valid on the tree's date.
#[derive(Debug, Clone)]
pub struct TreeUnit {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub stands: bool,
}

/// The unit tree on a date, built once for any number of roll-ups.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    names: HashMap<i64, String>,
    kinds: HashMap<i64, String>,
    children: HashMap<i64, Vec<i64>>,
    /// Where a unit's figures count: itself when it stands, else the standing units it
    /// continues in, each with its share (a split's weight; 1 for a merge).
    counts_for: HashMap<i64, Vec<(i64, f64)>>,
    /// Standing units that other units' figures count for (their predecessors').
    inheriting: HashSet<i64>,
}

impl Tree {
    /// The tree of the standing units; a unit whose parent does not stand is a root.
    pub fn new(units: &[TreeUnit], lineage: &Lineage) -> Tree {
        let standing: HashSet<i64> = units.iter().filter(|u| u.stands).map(|u| u.id).collect();
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for u in units.iter().filter(|u| u.stands) {
            if let Some(p) = u.parent_id.filter(|p| standing.contains(p)) {
                children.entry(p).or_default().push(u.id);
            }
        }
        let counts_for = units
            .iter()
            .map(|u| {
                let shares = if u.stands {
                    vec![(u.id, 1.0)]
                } else {
                    lineage.shares_onto(u.id, |id| standing.contains(&id))
                };
                (u.id, shares)
            })
            .filter(|(_, shares)| !shares.is_empty())
            .collect::<HashMap<i64, Vec<(i64, f64)>>>();
        let inheriting = counts_for
            .iter()
            .flat_map(|(from, shares)| {
                let from = *from;
                shares
                    .iter()
                    .map(|(to, _)| *to)
                    .filter(move |to| *to != from)
            })
            .collect();
        Tree {
            names: units.iter().map(|u| (u.id, u.name.clone())).collect(),
            kinds: units.iter().map(|u| (u.id, u.kind.clone())).collect(),
            children,
            counts_for,
            inheriting,
        }
    }

    /// A unit's kind, empty for a unit the tree does not know.
    pub fn kind(&self, id: i64) -> &str {
        self.kinds.get(&id).map(String::as_str).unwrap_or_default()
    }

    /// The plain leaves below a root's children, each with its parent: standing units
    /// with no unit below them whose figures are their own alone (no predecessor's count
    /// for them). A roll-up may take their figures combined per parent ([`Partial`]s):
    /// none is a child of the root, whose missing children are named one by one.
    ///
    /// [`Partial`]: crate::indicator::Partial
    pub fn plain_leaves_below(&self, root: i64) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        let mut level: Vec<i64> = self.children.get(&root).cloned().unwrap_or_default();
        let mut seen: HashSet<i64> = level.iter().copied().chain([root]).collect();
        while !level.is_empty() {
            let mut next = Vec::new();
            for parent in level {
                for kid in self
                    .children
                    .get(&parent)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    // `seen` keeps a corrupt tree (a cycle through parents) from looping.
                    if !seen.insert(*kid) {
                        continue;
                    }
                    let leaf = self.children.get(kid).is_none_or(Vec::is_empty);
                    if leaf && !self.inheriting.contains(kid) {
                        out.push((*kid, parent));
                    } else {
                        next.push(*kid);
                    }
                }
            }
            level = next;
        }
        out
    }

    /// A unit's name, empty for a unit the tree does not know.
    pub fn name(&self, id: i64) -> String {
        self.names.get(&id).cloned().unwrap_or_default()
    }

    /// The standing units a unit's figures count for, each with its share.
    pub fn counts_for(&self, id: i64) -> Option<&[(i64, f64)]> {
        self.counts_for.get(&id).map(Vec::as_slice)
    }

    /// A unit and every standing unit below it, the unit first.
    pub fn subtree(&self, root: i64) -> Vec<i64> {
        let mut out = vec![root];
        let mut seen: HashSet<i64> = out.iter().copied().collect();
        let mut i = 0;
        while i < out.len() {
            if let Some(kids) = self.children.get(&out[i]) {
                // `seen` keeps a corrupt tree (a cycle through parents) from looping.
                out.extend(kids.iter().filter(|k| seen.insert(**k)));
            }
            i += 1;
        }
        out
    }

    /// The units whose figures count inside a subtree, merged-away predecessors included.
    pub fn sources_within(&self, root: i64) -> Vec<i64> {
        let inside: HashSet<i64> = self.subtree(root).into_iter().collect();
        let mut out: Vec<i64> = self
            .counts_for
            .iter()
            .filter(|(_, shares)| shares.iter().any(|(to, _)| inside.contains(to)))
            .map(|(from, _)| *from)
            .collect();
        out.sort_unstable();
        out
    }

    /// The tree pruned to the units expected to report (by kind) and the units above
    /// them; every unit when no kind is expected.
    pub fn pruned(&self, expected: &[String]) -> HashMap<i64, Vec<i64>> {
        if expected.is_empty() {
            return self.children.clone();
        }
        let mut memo = HashMap::new();
        self.children
            .iter()
            .map(|(p, kids)| {
                (
                    *p,
                    kids.iter()
                        .copied()
                        .filter(|c| self.reports_below(*c, expected, &mut memo, 0))
                        .collect(),
                )
            })
            .collect()
    }

    /// Whether a unit or a unit below it is of a kind expected to report.
    fn reports_below(
        &self,
        unit: i64,
        expected: &[String],
        memo: &mut HashMap<i64, bool>,
        depth: usize,
    ) -> bool {
        if let Some(v) = memo.get(&unit) {
            return *v;
        }
        // A tree is far shallower than its size; deeper means a cycle.
        if depth > self.names.len() {
            return false;
        }
        let own = self.kinds.get(&unit).is_some_and(|k| expected.contains(k));
        let v = own
            || self.children.get(&unit).is_some_and(|kids| {
                kids.iter()
                    .any(|c| self.reports_below(*c, expected, memo, depth + 1))
            });
        memo.insert(unit, v);
        v
    }
}

/// Units whose figure includes a split unit's share, estimated by the split's weight.
pub type Estimated = HashSet<i64>;

/// A share short of the whole: part of a split unit.
pub fn is_part(share: f64) -> bool {
    share < 1.0 - 1e-9
}

/// One stored figure of a unit for a period ending on `period_end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedFigure {
    pub unit_id: i64,
    pub period_end: Date,
    pub figure: Figure,
}

/// How figures of several units that became one combine across units: a `latest` figure
/// of two merged units is their sum, any other rule is its own.
pub fn across_units(rule: Aggregation) -> Aggregation {
    match rule {
        Aggregation::Latest => Aggregation::Sum,
        other => other,
    }
}

/// One indicator's figures combined per standing unit: the figures of units merged into
/// one are combined across units for each period (a split unit's by its share), then the
/// periods over time by the indicator's rule. Also which units hold an estimated share.
pub fn own_figures(
    rule: Aggregation,
    tree: &Tree,
    figures: &[DatedFigure],
) -> (HashMap<i64, Figure>, Estimated) {
    let across = across_units(rule);
    let mut per_unit: HashMap<i64, Vec<(Date, Figure)>> = HashMap::new();
    let mut estimated = Estimated::new();
    for f in figures {
        let Some(shares) = tree.counts_for(f.unit_id) else {
            continue;
        };
        for (unit, share) in shares {
            if is_part(*share) {
                estimated.insert(*unit);
            }
            per_unit
                .entry(*unit)
                .or_default()
                .push((f.period_end, scale(rule, f.figure, *share)));
        }
    }
    let own = per_unit
        .into_iter()
        .filter_map(|(unit, mut list)| {
            list.sort_by_key(|(d, _)| *d);
            let by_period: Vec<Figure> = list
                .chunk_by(|a, b| a.0 == b.0)
                .filter_map(|same| {
                    let figures: Vec<Figure> = same.iter().map(|(_, f)| *f).collect();
                    combine(across, &figures)
                })
                .collect();
            combine(rule, &by_period).map(|f| (unit, f))
        })
        .collect();
    (own, estimated)
}

#[cfg(test)]
mod tests;
