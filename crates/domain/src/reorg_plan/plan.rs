//! Planning a change set: the units it may name indexed once, the new units' parents and
//! codes checked, the lineage and the retired units handed to their own steps
//! ([`super::lineage`], [`super::retired`]), and the preview assembled once nothing is
//! refused.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use time::Date;

use super::lineage::{Resolved, check_lone_weights, check_shape, resolve_lineage};
use super::retired::review_retired;
use super::{
    ChangeProblem, CodeName, CodeReuse, Created, LineageRow, NewUnitRow, Preview, Renamed, Retired,
    StoredUnit, UnitId, WorkCounts, parse_lineage, parse_new_units,
};
use crate::unit::valid_on;

/// Reads both uploads and plans the change set. Problems in the files are reported
/// together (both files); planning only starts once both read cleanly, since a bad line
/// would otherwise show up again as an unknown code.
pub fn prepare_change_set(
    effective: Date,
    today: Date,
    new_units_csv: &[u8],
    lineage_csv: &[u8],
    existing: &[StoredUnit],
    open_work: &BTreeMap<i64, WorkCounts>,
) -> Result<Preview, Vec<ChangeProblem>> {
    match (parse_new_units(new_units_csv), parse_lineage(lineage_csv)) {
        (Ok(units), Ok(lineage)) => {
            plan_change_set(effective, today, &units, &lineage, existing, open_work)
        }
        (units, lineage) => {
            let mut problems = units.err().unwrap_or_default();
            problems.extend(lineage.err().unwrap_or_default());
            Err(problems)
        }
    }
}

/// Plans a change set effective on `effective` (old units end the day before), checked
/// against the stored units and the live work of each (`open_work`, by stored id; a unit
/// missing from it has none). `today` decides whether the effective date is in the past,
/// where a retired unit must not have records dated on or after it.
///
/// Every step runs even when an earlier one found problems, so that one upload shows all
/// its faults; the problems come in the order of the steps.
pub fn plan_change_set(
    effective: Date,
    today: Date,
    new_units: &[NewUnitRow],
    lineage: &[LineageRow],
    existing: &[StoredUnit],
    open_work: &BTreeMap<i64, WorkCounts>,
) -> Result<Preview, Vec<ChangeProblem>> {
    // `Date::MIN` has no day before; such a change cannot retire anything real anyway.
    let day_before = effective.previous_day().unwrap_or(effective);
    let mut problems = Vec::new();
    let mut notices = Vec::new();

    let units = Units::index(new_units, existing, &mut problems);
    let resolved = resolve_lineage(
        lineage,
        &units,
        day_before,
        effective,
        &mut problems,
        &mut notices,
    );
    let numbered = check_shape(&resolved, &units, &mut problems);
    check_lone_weights(&resolved, &units, &mut problems);
    let placed = place_new_units(&units, &resolved.retired, effective, &mut problems);
    check_parent_cycles(new_units, &placed.parents, &mut problems);
    let (retired, affected) = review_retired(
        &resolved,
        &numbered,
        &units,
        open_work,
        effective,
        today,
        &mut problems,
    );

    if !problems.is_empty() {
        return Err(problems);
    }

    let created = created_units(new_units, &placed.parents, &resolved);
    let renamed = renamed_units(&retired, &resolved);
    Ok(Preview {
        effective,
        retired,
        created,
        renamed,
        codes_reused: placed.codes_reused,
        affected,
        notices,
        forms: Vec::new(),
    })
}

/// The units a plan may name: the stored ones by code and by id, the change set's new
/// ones by code. Every lineage row and every parent looks codes up, so they are indexed
/// once.
pub(super) struct Units<'a> {
    pub(super) new_units: &'a [NewUnitRow],
    pub(super) existing: &'a [StoredUnit],
    stored_by_code: HashMap<&'a str, Vec<&'a StoredUnit>>,
    stored_by_id: HashMap<i64, &'a StoredUnit>,
    new_by_code: HashMap<&'a str, usize>,
}

impl<'a> Units<'a> {
    /// Indexes the units. A new code given twice is refused here; the first line keeps
    /// the code, so later steps still resolve it and report only what else is wrong.
    fn index(
        new_units: &'a [NewUnitRow],
        existing: &'a [StoredUnit],
        problems: &mut Vec<ChangeProblem>,
    ) -> Self {
        let mut stored_by_code: HashMap<&str, Vec<&StoredUnit>> = HashMap::new();
        for u in existing {
            stored_by_code.entry(u.code.as_str()).or_default().push(u);
        }
        let stored_by_id: HashMap<i64, &StoredUnit> = existing.iter().map(|u| (u.id, u)).collect();
        let mut new_by_code: HashMap<&str, usize> = HashMap::new();
        for (i, u) in new_units.iter().enumerate() {
            match new_by_code.get(u.code.as_str()) {
                Some(&first) => problems.push(ChangeProblem::DuplicateNewCode {
                    line: u.line,
                    code: u.code.clone(),
                    first_line: new_units[first].line,
                }),
                None => {
                    new_by_code.insert(u.code.as_str(), i);
                }
            }
        }
        Units {
            new_units,
            existing,
            stored_by_code,
            stored_by_id,
            new_by_code,
        }
    }

    /// The stored unit holding `code` on `day`. Codes are unique among units valid on the
    /// same day, so at most one matches.
    pub(super) fn stored_on(&self, code: &str, day: Date) -> Option<&'a StoredUnit> {
        self.stored_by_code
            .get(code)?
            .iter()
            .copied()
            .find(|u| valid_on(u.valid_from, u.valid_to, day))
    }

    /// Every stored unit that has held `code`, whatever its dates.
    fn holders(&self, code: &str) -> impl Iterator<Item = &'a StoredUnit> + '_ {
        self.stored_by_code.get(code).into_iter().flatten().copied()
    }

    pub(super) fn stored(&self, id: i64) -> Option<&'a StoredUnit> {
        self.stored_by_id.get(&id).copied()
    }

    /// The new unit with `code` (the first, if the code is given twice).
    pub(super) fn new_unit(&self, code: &str) -> Option<usize> {
        self.new_by_code.get(code).copied()
    }

    /// A unit's code and name for messages and the preview; empty for a unit the plan
    /// does not know.
    pub(super) fn label(&self, unit: UnitId) -> CodeName {
        match unit {
            UnitId::New(i) => self
                .new_units
                .get(i)
                .map(|u| CodeName::new(&u.code, &u.name)),
            UnitId::Stored(id) => self.stored(id).map(|u| CodeName::new(&u.code, &u.name)),
        }
        .unwrap_or_default()
    }
}

/// The new units' parents (one per new unit, `None` without a usable parent) and the
/// codes they take over from units this change set retires.
struct Placed {
    parents: Vec<Option<UnitId>>,
    codes_reused: Vec<CodeReuse>,
}

/// Checks each new unit's parent and code, one unit at a time so that the problems of a
/// line are reported together.
fn place_new_units(
    units: &Units,
    retired: &BTreeSet<i64>,
    effective: Date,
    problems: &mut Vec<ChangeProblem>,
) -> Placed {
    let mut parents = Vec::with_capacity(units.new_units.len());
    let mut codes_reused = Vec::new();
    for (i, u) in units.new_units.iter().enumerate() {
        parents.push(parent_of(u, units, retired, effective, problems));
        codes_reused.extend(claim_code(i, u, units, retired, effective, problems));
    }
    Placed {
        parents,
        codes_reused,
    }
}

/// Where a new unit hangs: under another new unit, or under a stored unit that is still
/// valid on the effective date and not retired by this very change (it would leave the
/// new unit under nothing).
fn parent_of(
    u: &NewUnitRow,
    units: &Units,
    retired: &BTreeSet<i64>,
    effective: Date,
    problems: &mut Vec<ChangeProblem>,
) -> Option<UnitId> {
    let code = u.parent_code.as_deref()?;
    if let Some(j) = units.new_unit(code) {
        return Some(UnitId::New(j));
    }
    let this = CodeName::new(&u.code, &u.name);
    match units.stored_on(code, effective) {
        Some(p) if retired.contains(&p.id) => {
            problems.push(ChangeProblem::ParentRetired {
                line: u.line,
                unit: this,
                parent: CodeName::new(&p.code, &p.name),
            });
            None
        }
        Some(p) => Some(UnitId::Stored(p.id)),
        None => {
            problems.push(ChangeProblem::UnknownParent {
                line: u.line,
                unit: this,
                parent_code: code.to_string(),
                effective,
            });
            None
        }
    }
}

/// The stored units whose code new unit `i` takes over. A code may pass from a unit this
/// change retires to its successor (the 2025 reform does so for every new commune), but
/// not from a unit that stays valid, since codes are unique among units valid on a day.
fn claim_code(
    i: usize,
    u: &NewUnitRow,
    units: &Units,
    retired: &BTreeSet<i64>,
    effective: Date,
    problems: &mut Vec<ChangeProblem>,
) -> Vec<CodeReuse> {
    let mut reused = Vec::new();
    for holder in units.holders(&u.code) {
        if retired.contains(&holder.id) {
            reused.push(CodeReuse {
                code: u.code.clone(),
                old_id: holder.id,
                old_name: holder.name.clone(),
                new: i,
                new_name: u.name.clone(),
            });
        } else if valid_on(holder.valid_from, holder.valid_to, effective) {
            problems.push(ChangeProblem::CodeStillValid {
                line: u.line,
                unit: CodeName::new(&u.code, &u.name),
                held_by: CodeName::new(&holder.code, &holder.name),
                effective,
            });
        }
        // A holder that ended before the effective date is history: the code is free.
    }
    reused
}

/// New units placed under each other in a circle would never reach a stored unit, so
/// each new unit's chain of new parents is followed until it leaves the change set.
fn check_parent_cycles(
    new_units: &[NewUnitRow],
    parents: &[Option<UnitId>],
    problems: &mut Vec<ChangeProblem>,
) {
    for (i, u) in new_units.iter().enumerate() {
        let mut at = parents[i];
        // Bounded by the number of new units: a longer chain of new parents is a circle.
        for _ in 0..=new_units.len() {
            match at {
                Some(UnitId::New(j)) if j == i => {
                    problems.push(ChangeProblem::ParentCycle {
                        line: u.line,
                        unit: CodeName::new(&u.code, &u.name),
                    });
                    break;
                }
                Some(UnitId::New(j)) => at = parents.get(j).copied().flatten(),
                _ => break,
            }
        }
    }
}

/// The new units as the preview shows them, each with the stored units continuing in it.
fn created_units(
    new_units: &[NewUnitRow],
    parents: &[Option<UnitId>],
    resolved: &Resolved,
) -> Vec<Created> {
    new_units
        .iter()
        .enumerate()
        .map(|(i, u)| Created {
            line: u.line,
            unit: CodeName::new(&u.code, &u.name),
            kind: u.kind,
            parent: parents.get(i).copied().flatten(),
            predecessors: resolved.predecessors_of(i),
        })
        .collect()
}

/// The one-to-one continuations among the retired units: these read as a rename rather
/// than a merge or a split.
fn renamed_units(retired: &[Retired], resolved: &Resolved) -> Vec<Renamed> {
    retired
        .iter()
        .filter_map(|r| match r.successors.as_slice() {
            [only] => match only.to {
                UnitId::New(i) if resolved.predecessors_of(i).len() == 1 => Some(Renamed {
                    old_id: r.id,
                    old: r.unit.clone(),
                    new: i,
                    new_unit: only.unit.clone(),
                }),
                _ => None,
            },
            _ => None,
        })
        .collect()
}
