//! Planning an administrative reorganisation as one reviewed change set: new units and a
//! lineage from old units to them (many to many; a split weighted, e.g. by population
//! share), checked against the stored units and their live work, and shown as a preview
//! before anything is written. All or nothing: any problem refuses the whole change set.
//!
//! The change set arrives as two CSV uploads (UTF-8, with or without a byte-order mark):
//! - new units: `code,name,level,parent_code` — the shape of `gia-lai-2025-communes.csv`;
//!   `kind` is accepted for `level`, other columns are ignored. An empty file means the
//!   change only merges units into ones that carry on.
//! - lineage: `old_code,new_code`, optionally `old_name,new_name,weight` — the shape of
//!   `binh-dinh-2025-lineage.csv`. An empty `new_code` retires the old unit without a
//!   successor. `weight` (`0.5` or `0,5`) is the share of the old unit a successor takes;
//!   it is needed only where a unit is split.
//!
//! Old codes are looked up among units valid the day before the effective date. New codes
//! are looked up among the change set's new units first (the 2025 reform gives each new
//! commune the code of one of its predecessors, so the same code names an old and a new
//! unit), then among stored units valid on the effective date: a unit that carries on,
//! such as the province as a parent, or a commune that absorbs its neighbours.
//!
//! The steps live in their own files: [`parse_new_units`] and [`parse_lineage`] read the
//! uploads (`sheets.rs`); [`plan_change_set`] (`plan.rs`) checks the new units and drives
//! the lineage steps (`lineage.rs`: resolving codes, its shape) and the review of each
//! retired unit (`retired.rs`: live work, children, where the work goes); every refusal is
//! a [`ChangeProblem`] (`problems.rs`); [`WorkCounts`] and [`form_impacts`] (`impact.rs`)
//! say what the change touches. The types of the preview stay here.

use std::fmt;

use serde::Serialize;
use time::Date;

use crate::Lang;
use crate::reorg::LineageEdge;
use crate::unit::UnitKind;

mod impact;
mod lineage;
mod plan;
mod problems;
mod retired;
mod sheets;
#[cfg(test)]
mod tests;

pub use impact::{FormImpact, WorkCounts, form_impacts};
pub use plan::{plan_change_set, prepare_change_set};
pub use problems::ChangeProblem;
pub use sheets::{LineageRow, NewUnitRow, Upload, parse_lineage, parse_new_units};

use problems::{decimal, list};

/// Shares are decimals typed by people: equal within this.
const EPS: f64 = 1e-6;

/// A unit already stored, as far as planning needs to know it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUnit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

/// A unit named in a plan: one of the change set's new units (its index among the new
/// unit rows, which is also its index in [`Preview::created`]) or a stored unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "ref", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UnitId {
    New(usize),
    Stored(i64),
}

/// A unit's code and name, as messages and previews show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeName {
    pub code: String,
    pub name: String,
}

impl CodeName {
    fn new(code: &str, name: &str) -> Self {
        CodeName {
            code: code.to_string(),
            name: name.to_string(),
        }
    }
}

impl fmt::Display for CodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{} {}", self.code, self.name)
        }
    }
}

/// Where a retired unit continues, and with what share.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Successor {
    pub to: UnitId,
    pub unit: CodeName,
    pub weight: Option<f64>,
}

/// Why the proposed disposition carries live work where it does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CarryReason {
    /// The unit continues in one unit only.
    SingleSuccessor,
    /// A split: the successor taking the largest share. When several take the same share,
    /// the one keeping the old code wins, else the one listed first in the lineage.
    LargestShare {
        tied_with: Vec<CodeName>,
        keeps_code: bool,
    },
}

/// The proposed default for a retired unit's live work; the user may still split tasks
/// between successors after the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Disposition {
    pub to: UnitId,
    pub unit: CodeName,
    /// The share of the retired unit that `to` ends up with (1 for a merge).
    pub share: f64,
    pub reason: CarryReason,
}

impl Disposition {
    pub fn message(&self, lang: Lang) -> String {
        match &self.reason {
            CarryReason::SingleSuccessor => lang.pick(
                format!("Chuyển toàn bộ công việc sang {}.", self.unit),
                format!("All work is carried to {}.", self.unit),
            ),
            CarryReason::LargestShare {
                tied_with,
                keeps_code,
            } => {
                let share = decimal(self.share, lang);
                let tie = if tied_with.is_empty() {
                    String::new()
                } else {
                    let others = list(tied_with);
                    match (keeps_code, lang) {
                        (true, Lang::Vi) => {
                            format!(" Bằng tỷ lệ với {others}; chọn đơn vị giữ mã cũ.")
                        }
                        (true, Lang::En) => format!(
                            " It ties with {others}; the unit keeping the old code is chosen."
                        ),
                        (false, Lang::Vi) => {
                            format!(" Bằng tỷ lệ với {others}; chọn đơn vị ghi trước trong tệp.")
                        }
                        (false, Lang::En) => format!(
                            " It ties with {others}; the one listed first in the file is chosen."
                        ),
                    }
                };
                lang.pick(
                    format!(
                        "Đơn vị bị chia tách: chuyển công việc sang {} (tỷ lệ lớn nhất, {share}).{tie} Có thể chia lại nhiệm vụ cho các đơn vị kế thừa sau.",
                        self.unit
                    ),
                    format!(
                        "Split unit: work is carried to {} (the largest share, {share}).{tie} Tasks may be divided between the successors later.",
                        self.unit
                    ),
                )
            }
        }
    }
}

/// A stored unit this change set ends on the day before the effective date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Retired {
    pub id: i64,
    pub unit: CodeName,
    pub kind: UnitKind,
    /// In the order of the lineage upload; empty when it ends without a successor.
    pub successors: Vec<Successor>,
    pub work: WorkCounts,
    /// `None` only for a unit without a successor (allowed only without live work).
    pub disposition: Option<Disposition>,
}

/// A unit this change set creates, valid from the effective date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    pub line: usize,
    pub unit: CodeName,
    pub kind: UnitKind,
    pub parent: Option<UnitId>,
    /// Stored units that continue in this one, in the order of the lineage upload.
    pub predecessors: Vec<i64>,
}

/// One old unit continuing in exactly one new unit that has no other predecessor: a
/// rename (perhaps with the same name, when only the parent or the validity changes).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Renamed {
    pub old_id: i64,
    pub old: CodeName,
    pub new: usize,
    pub new_unit: CodeName,
}

/// A new unit taking the code of a unit this change set retires.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeReuse {
    pub code: String,
    pub old_id: i64,
    pub old_name: String,
    pub new: usize,
    pub new_name: String,
}

/// Something worth a look that does not refuse the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Notice {
    /// The lineage names an old unit differently from the stored unit with that code.
    OldNameDiffers {
        line: usize,
        code: String,
        in_file: String,
        stored: String,
    },
    /// The lineage names a new unit differently from the unit its code resolves to.
    NewNameDiffers {
        line: usize,
        code: String,
        in_file: String,
        actual: String,
    },
}

impl Notice {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Notice::OldNameDiffers {
                line,
                code,
                in_file,
                stored,
            } => lang.pick(
                format!(
                    "Tệp kế thừa, dòng {line}: mã cũ {code} ghi tên “{in_file}”, còn đơn vị đang lưu tên “{stored}”."
                ),
                format!(
                    "Lineage file, line {line}: old code {code} is named “{in_file}”, the stored unit “{stored}”."
                ),
            ),
            Notice::NewNameDiffers {
                line,
                code,
                in_file,
                actual,
            } => lang.pick(
                format!(
                    "Tệp kế thừa, dòng {line}: mã mới {code} ghi tên “{in_file}”, còn đơn vị mang mã đó tên “{actual}”."
                ),
                format!(
                    "Lineage file, line {line}: new code {code} is named “{in_file}”, the unit with that code “{actual}”."
                ),
            ),
        }
    }
}

/// What the change set will do, for review before it is applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    pub effective: Date,
    /// In the order the lineage upload first names them.
    pub retired: Vec<Retired>,
    /// In the order of the new-units upload.
    pub created: Vec<Created>,
    pub renamed: Vec<Renamed>,
    pub codes_reused: Vec<CodeReuse>,
    /// The live work of all retired units together.
    pub affected: WorkCounts,
    pub notices: Vec<Notice>,
    /// Reporting forms whose reporting units the change ends or adds (see
    /// [`form_impacts`]; filled in by the caller, which knows the forms).
    pub forms: Vec<FormImpact>,
}

impl Preview {
    /// The lineage with stored ids, once the store has given the new units theirs
    /// (`new_ids[i]` for `created[i]`), ready for [`crate::reorg::map_forward`]. `None`
    /// when `new_ids` does not have one id per created unit.
    pub fn lineage_edges(&self, new_ids: &[i64]) -> Option<Vec<LineageEdge>> {
        if new_ids.len() != self.created.len() {
            return None;
        }
        let mut edges = Vec::new();
        for r in &self.retired {
            for s in &r.successors {
                let to = match s.to {
                    UnitId::New(i) => *new_ids.get(i)?,
                    UnitId::Stored(id) => id,
                };
                edges.push(LineageEdge {
                    from: r.id,
                    to,
                    weight: s.weight,
                });
            }
        }
        Some(edges)
    }
}
