//! The review of each unit a change set retires: its live work must go somewhere, a
//! backdated change must not overtake its records, its children must not be stranded,
//! and a default is proposed for where its work goes.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use super::lineage::{Edge, Numbered, Numbering, Resolved};
use super::plan::Units;
use super::{
    CarryReason, ChangeProblem, CodeName, Disposition, EPS, Retired, StoredUnit, Successor, UnitId,
    WorkCounts,
};
use crate::reorg::Lineage;
use crate::unit::valid_on;

/// Reviews the retired units in the order the lineage names them, returning them as the
/// preview shows them and their live work added up.
pub(super) fn review_retired(
    resolved: &Resolved,
    numbered: &Numbered,
    units: &Units,
    open_work: &BTreeMap<i64, WorkCounts>,
    effective: Date,
    today: Date,
    problems: &mut Vec<ChangeProblem>,
) -> (Vec<Retired>, WorkCounts) {
    let forward = Lineage::new(&numbered.edges);
    let mut retired_units = Vec::with_capacity(resolved.retired_order.len());
    let mut affected = WorkCounts::default();
    for &id in &resolved.retired_order {
        let Some(unit) = units.stored(id) else {
            continue;
        };
        let this = CodeName::new(&unit.code, &unit.name);
        let own = resolved.own_edges(id);
        let work = open_work.get(&id).copied().unwrap_or_default();
        affected.add(&work);
        check_work(&this, own.is_empty(), &work, effective, today, problems);
        check_children(
            &this,
            id,
            own.len(),
            units,
            &resolved.retired,
            effective,
            problems,
        );
        let successors = own
            .iter()
            .map(|e| Successor {
                to: e.to,
                unit: units.label(e.to),
                weight: e.weight,
            })
            .collect();
        let disposition = disposition(unit, &own, &numbered.numbering, &forward, units);
        retired_units.push(Retired {
            id,
            unit: this,
            kind: unit.kind,
            successors,
            work,
            disposition,
        });
    }
    (retired_units, affected)
}

/// A unit's work must not be stranded: live work needs a successor to go to. And once
/// the effective date has passed, records dated on or after it would end up on a unit
/// that no longer existed on their date.
fn check_work(
    this: &CodeName,
    no_successor: bool,
    work: &WorkCounts,
    effective: Date,
    today: Date,
    problems: &mut Vec<ChangeProblem>,
) {
    if no_successor && work.is_live() {
        problems.push(ChangeProblem::OpenWorkWithoutSuccessor {
            unit: this.clone(),
            work: *work,
        });
    }
    if effective <= today
        && let Some(last) = work.last_recorded
        && last >= effective
    {
        problems.push(ChangeProblem::RecordsOnOrAfterEffective {
            unit: this.clone(),
            last_recorded: last,
            effective,
            today,
        });
    }
}

/// Moving a child to another parent is not something this upload can say, so a child
/// that stays valid must be retired with its parent — unless the parent has exactly one
/// successor: then its children follow that successor (the store reads a child filed
/// under a unit merged away as under the unit that continues it).
fn check_children(
    this: &CodeName,
    id: i64,
    successors: usize,
    units: &Units,
    retired: &BTreeSet<i64>,
    effective: Date,
    problems: &mut Vec<ChangeProblem>,
) {
    let children: Vec<CodeName> = units
        .existing
        .iter()
        .filter(|c| {
            c.parent_id == Some(id)
                && valid_on(c.valid_from, c.valid_to, effective)
                && !retired.contains(&c.id)
        })
        .map(|c| CodeName::new(&c.code, &c.name))
        .collect();
    if !children.is_empty() && successors != 1 {
        problems.push(ChangeProblem::ChildrenLeftBehind {
            unit: this.clone(),
            children,
        });
    }
}

/// The default for a retired unit's live work: the unit where the largest share of it
/// ends up (following chains through units also retired here). `None` without successors.
fn disposition(
    unit: &StoredUnit,
    own: &[&Edge],
    numbering: &Numbering,
    forward: &Lineage,
    units: &Units,
) -> Option<Disposition> {
    let whole = own.len() == 1;
    // (final unit, share, order of the retired unit's own row that leads there)
    let mut shares: Vec<(UnitId, f64, usize)> = Vec::new();
    for (order, e) in own.iter().enumerate() {
        let w = if whole { 1.0 } else { e.weight.unwrap_or(0.0) };
        let start = numbering.number_of(e.to)?;
        for (n, s) in forward.final_shares(start) {
            let target = numbering.unit(n)?;
            match shares.iter_mut().find(|(t, _, _)| *t == target) {
                Some(entry) => entry.1 += w * s,
                None => shares.push((target, w * s, order)),
            }
        }
    }
    let best = shares
        .iter()
        .map(|(_, s, _)| *s)
        .fold(f64::NEG_INFINITY, f64::max);
    let mut top: Vec<&(UnitId, f64, usize)> = shares
        .iter()
        .filter(|(_, s, _)| (s - best).abs() < EPS)
        .collect();
    top.sort_by_key(|(_, _, order)| *order);
    let keeps = top
        .iter()
        .position(|(t, _, _)| units.label(*t).code == unit.code);
    let chosen = **top.get(keeps.unwrap_or(0))?;
    let reason = if shares.len() == 1 {
        CarryReason::SingleSuccessor
    } else {
        CarryReason::LargestShare {
            tied_with: top
                .iter()
                .filter(|(t, _, _)| *t != chosen.0)
                .map(|(t, _, _)| units.label(*t))
                .collect(),
            keeps_code: top.len() > 1 && keeps.is_some(),
        }
    };
    Some(Disposition {
        to: chosen.0,
        unit: units.label(chosen.0),
        share: chosen.1,
        reason,
    })
}
