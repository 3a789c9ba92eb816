//! What a change set touches beyond the units themselves: the live work of the units it
//! retires, and the reporting forms whose reporting units it ends or adds.

use serde::Serialize;
use time::Date;

use super::{Preview, StoredUnit};
use crate::Lang;
use crate::unit::UnitKind;

/// A stored unit's live work, which a retirement must hand on, and the date of its latest
/// record (figure or task event), which a backdated change must not overtake.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkCounts {
    pub open_tasks: u64,
    pub pending_values: u64,
    pub grants: u64,
    pub open_assessments: u64,
    pub targets: u64,
    pub last_recorded: Option<Date>,
}

impl WorkCounts {
    /// Is there anything that would be stranded if the unit ended with no successor?
    /// (`last_recorded` is history, not live work.)
    pub fn is_live(&self) -> bool {
        self.open_tasks + self.pending_values + self.grants + self.open_assessments + self.targets
            > 0
    }

    /// Adds another unit's work: counts add up, the latest record wins.
    pub fn add(&mut self, other: &WorkCounts) {
        self.open_tasks = self.open_tasks.saturating_add(other.open_tasks);
        self.pending_values = self.pending_values.saturating_add(other.pending_values);
        self.grants = self.grants.saturating_add(other.grants);
        self.open_assessments = self.open_assessments.saturating_add(other.open_assessments);
        self.targets = self.targets.saturating_add(other.targets);
        self.last_recorded = self.last_recorded.max(other.last_recorded);
    }

    /// The non-zero counts in words, e.g. `3 open tasks, 1 grant`.
    pub fn describe(&self, lang: Lang) -> String {
        let parts = [
            (self.open_tasks, lang.pick("nhiệm vụ đang mở", "open tasks")),
            (
                self.pending_values,
                lang.pick("số liệu chờ duyệt", "figures awaiting review"),
            ),
            (self.grants, lang.pick("quyền truy cập", "grants")),
            (
                self.open_assessments,
                lang.pick("đánh giá đang mở", "open assessments"),
            ),
            (self.targets, lang.pick("chỉ tiêu giao", "targets")),
        ];
        parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A reporting form whose reporting units (the kinds it is assigned to) the change ends
/// or adds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormImpact {
    pub code: String,
    pub name: String,
    /// The kinds of unit that report through it.
    pub kinds: Vec<UnitKind>,
    /// Units of those kinds standing the day before the change.
    pub reporting_before: usize,
    pub ending: usize,
    pub starting: usize,
    /// How many report through it from the effective date.
    pub reporting_after: usize,
}

impl FormImpact {
    /// Nobody reports through the form any more: it needs other kinds of unit.
    pub fn left_without_reporters(&self) -> bool {
        self.reporting_before > 0 && self.reporting_after == 0
    }
}

/// The reporting forms (code, name, kinds) a change touches: for each, how many units
/// of its kinds stand the day before, end and start, so that a form left with nobody to
/// report (the district form when the districts end) is seen before the change applies.
pub fn form_impacts(
    forms: &[(String, String, Vec<UnitKind>)],
    stored: &[StoredUnit],
    preview: &Preview,
) -> Vec<FormImpact> {
    let eve = preview
        .effective
        .previous_day()
        .unwrap_or(preview.effective);
    let standing = |u: &&StoredUnit| {
        u.valid_from.is_none_or(|d| d <= eve) && u.valid_to.is_none_or(|d| d >= eve)
    };
    forms
        .iter()
        .filter_map(|(code, name, kinds)| {
            let before = stored
                .iter()
                .filter(standing)
                .filter(|u| kinds.contains(&u.kind))
                .count();
            let ending = preview
                .retired
                .iter()
                .filter(|r| kinds.contains(&r.kind))
                .count();
            let starting = preview
                .created
                .iter()
                .filter(|c| kinds.contains(&c.kind))
                .count();
            (ending + starting > 0).then(|| FormImpact {
                code: code.clone(),
                name: name.clone(),
                kinds: kinds.clone(),
                reporting_before: before,
                ending,
                starting,
                reporting_after: (before + starting).saturating_sub(ending),
            })
        })
        .collect()
}
