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

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;

use serde::Serialize;
use time::Date;

use crate::Lang;
use crate::reorg::{Lineage, LineageEdge, LineageProblem, check_lineage};
use crate::text::{format_date, nfc};
use crate::unit::{UnitInput, UnitKind, check_code, valid_on, validate_unit};
use crate::unit_import::{MAX_ROWS, RowError, RowProblem};
use crate::validation::{FieldError, Invalid};

/// Shares are decimals typed by people: equal within this.
const EPS: f64 = 1e-6;

/// Which of the two uploads a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Upload {
    NewUnits,
    Lineage,
}

impl Upload {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Upload::NewUnits => lang.pick("Tệp đơn vị mới", "New units file"),
            Upload::Lineage => lang.pick("Tệp kế thừa", "Lineage file"),
        }
    }
}

/// One row of the new-units upload, checked field by field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewUnitRow {
    pub line: usize,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_code: Option<String>,
}

/// One edge of the lineage upload, checked field by field. No `new_code`: the old unit is
/// retired without a successor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineageRow {
    pub line: usize,
    pub old_code: String,
    pub old_name: Option<String>,
    pub new_code: Option<String>,
    pub new_name: Option<String>,
    pub weight: Option<f64>,
}

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

/// Why a change set is refused. Each names the codes and names involved, and the line of
/// the upload where there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ChangeProblem {
    /// A line of an upload that could not be read.
    Row { upload: Upload, error: RowError },
    /// No stored unit has this code on the day before the effective date.
    UnknownOldCode {
        line: usize,
        code: String,
        name: Option<String>,
        day_before: Date,
    },
    /// Neither a new unit nor a stored unit valid on the effective date has this code.
    UnknownNewCode {
        line: usize,
        code: String,
        name: Option<String>,
        effective: Date,
    },
    DuplicateNewCode {
        line: usize,
        code: String,
        first_line: usize,
    },
    DuplicateEdge {
        line: usize,
        old_code: String,
        new_code: String,
        first_line: usize,
    },
    /// One row retires the unit without a successor, others give it successors.
    RetiredAndContinued { line: usize, unit: CodeName },
    UnknownParent {
        line: usize,
        unit: CodeName,
        parent_code: String,
        effective: Date,
    },
    /// A new unit placed under a unit this change set retires.
    ParentRetired {
        line: usize,
        unit: CodeName,
        parent: CodeName,
    },
    /// New units placed under each other in a circle.
    ParentCycle { line: usize, unit: CodeName },
    /// A new unit takes a code that a unit not retired by this change still holds.
    CodeStillValid {
        line: usize,
        unit: CodeName,
        held_by: CodeName,
        effective: Date,
    },
    /// A unit said to continue in itself.
    SelfEdge { line: usize, unit: CodeName },
    /// Following successors from the first unit comes back to it (listed in order).
    Cycle { units: Vec<CodeName> },
    /// A weight outside (0, 1].
    BadWeight {
        line: usize,
        from: CodeName,
        to: CodeName,
        weight: f64,
    },
    SplitWithoutWeights {
        unit: CodeName,
        successors: Vec<CodeName>,
    },
    WeightsDoNotSumToOne {
        unit: CodeName,
        successors: Vec<CodeName>,
        sum: f64,
    },
    /// Retired without a successor while tasks, figures, grants, assessments or targets
    /// still hang on it.
    OpenWorkWithoutSuccessor { unit: CodeName, work: WorkCounts },
    /// Retired while units under it stay valid and are not retired by this change.
    ChildrenLeftBehind {
        unit: CodeName,
        children: Vec<CodeName>,
    },
    /// The effective date has passed and the retired unit has records on or after it, so
    /// applying the change would put them on a unit that no longer existed then.
    RecordsOnOrAfterEffective {
        unit: CodeName,
        last_recorded: Date,
        effective: Date,
        today: Date,
    },
}

impl ChangeProblem {
    pub fn message(&self, lang: Lang) -> String {
        let lineage = Upload::Lineage.label(lang);
        let new_units = Upload::NewUnits.label(lang);
        let d = |date: &Date| format_date(*date);
        let named = |code: &str, name: &Option<String>| match name {
            Some(n) => format!("{code} {n}"),
            None => code.to_string(),
        };
        match self {
            ChangeProblem::Row { upload, error } => {
                format!("{} — {}", upload.label(lang), error.message(lang))
            }
            ChangeProblem::UnknownOldCode {
                line,
                code,
                name,
                day_before,
            } => {
                let unit = named(code, name);
                lang.pick(
                    format!(
                        "{lineage}, dòng {line}: không có đơn vị cũ {unit} còn hiệu lực ngày {} (ngày trước ngày hiệu lực).",
                        d(day_before)
                    ),
                    format!(
                        "{lineage}, line {line}: no old unit {unit} is valid on {}, the day before the change takes effect.",
                        d(day_before)
                    ),
                )
            }
            ChangeProblem::UnknownNewCode {
                line,
                code,
                name,
                effective,
            } => {
                let unit = named(code, name);
                lang.pick(
                    format!(
                        "{lineage}, dòng {line}: đơn vị mới {unit} không có trong tệp đơn vị mới và không phải đơn vị còn hiệu lực ngày {}.",
                        d(effective)
                    ),
                    format!(
                        "{lineage}, line {line}: new unit {unit} is neither in the new units file nor a unit valid on {}.",
                        d(effective)
                    ),
                )
            }
            ChangeProblem::DuplicateNewCode {
                line,
                code,
                first_line,
            } => lang.pick(
                format!("{new_units}, dòng {line}: mã {code} đã khai ở dòng {first_line}."),
                format!("{new_units}, line {line}: code {code} is already on line {first_line}."),
            ),
            ChangeProblem::DuplicateEdge {
                line,
                old_code,
                new_code,
                first_line,
            } => lang.pick(
                format!(
                    "{lineage}, dòng {line}: quan hệ {old_code} → {new_code} đã có ở dòng {first_line}."
                ),
                format!(
                    "{lineage}, line {line}: {old_code} → {new_code} is already on line {first_line}."
                ),
            ),
            ChangeProblem::RetiredAndContinued { line, unit } => lang.pick(
                format!(
                    "{lineage}, dòng {line}: {unit} được ghi là không có đơn vị kế thừa (mã mới để trống), nhưng dòng khác lại ghi đơn vị kế thừa."
                ),
                format!(
                    "{lineage}, line {line}: {unit} is retired without a successor (empty new code), but other lines give it successors."
                ),
            ),
            ChangeProblem::UnknownParent {
                line,
                unit,
                parent_code,
                effective,
            } => lang.pick(
                format!(
                    "{new_units}, dòng {line}: đơn vị cấp trên {parent_code} của {unit} không có trong tệp và không còn hiệu lực ngày {}.",
                    d(effective)
                ),
                format!(
                    "{new_units}, line {line}: the parent {parent_code} of {unit} is neither in the file nor valid on {}.",
                    d(effective)
                ),
            ),
            ChangeProblem::ParentRetired { line, unit, parent } => lang.pick(
                format!(
                    "{new_units}, dòng {line}: {unit} được đặt dưới {parent}, đơn vị mà chính thay đổi này cho hết hiệu lực."
                ),
                format!(
                    "{new_units}, line {line}: {unit} is placed under {parent}, which this change set retires."
                ),
            ),
            ChangeProblem::ParentCycle { line, unit } => lang.pick(
                format!(
                    "{new_units}, dòng {line}: {unit} nằm dưới chính nó qua các đơn vị cấp trên."
                ),
                format!("{new_units}, line {line}: {unit} ends up under itself through its parents."),
            ),
            ChangeProblem::CodeStillValid {
                line,
                unit,
                held_by,
                effective,
            } => lang.pick(
                format!(
                    "{new_units}, dòng {line}: mã {} của {} vẫn đang thuộc {held_by} vào ngày {}, mà thay đổi này không cho đơn vị đó hết hiệu lực.",
                    unit.code,
                    unit.name,
                    d(effective)
                ),
                format!(
                    "{new_units}, line {line}: code {} for {} is still held on {} by {held_by}, which this change set does not retire.",
                    unit.code,
                    unit.name,
                    d(effective)
                ),
            ),
            ChangeProblem::SelfEdge { line, unit } => lang.pick(
                format!(
                    "{lineage}, dòng {line}: {unit} được ghi là kế thừa chính nó. Bỏ dòng này nếu đơn vị giữ nguyên, hoặc khai đơn vị mới trong tệp đơn vị mới."
                ),
                format!(
                    "{lineage}, line {line}: {unit} is said to continue in itself. Leave the line out if the unit carries on, or list the new unit in the new units file."
                ),
            ),
            ChangeProblem::Cycle { units } => {
                let path = units
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" → ");
                lang.pick(
                    format!("{lineage}: quan hệ kế thừa tạo thành vòng lặp: {path}."),
                    format!("{lineage}: the lineage goes round in a circle: {path}."),
                )
            }
            ChangeProblem::BadWeight {
                line,
                from,
                to,
                weight,
            } => {
                let w = decimal(*weight, lang);
                lang.pick(
                    format!(
                        "{lineage}, dòng {line}: tỷ lệ {w} từ {from} sang {to} phải lớn hơn 0 và không quá 1."
                    ),
                    format!(
                        "{lineage}, line {line}: the weight {w} from {from} to {to} must be above 0 and at most 1."
                    ),
                )
            }
            ChangeProblem::SplitWithoutWeights { unit, successors } => {
                let n = successors.len();
                let to = list(successors);
                lang.pick(
                    format!(
                        "{lineage}: {unit} được chia cho {n} đơn vị ({to}) nhưng thiếu tỷ lệ (cột weight) ở ít nhất một dòng."
                    ),
                    format!(
                        "{lineage}: {unit} is split between {n} units ({to}) but at least one line has no weight (column weight)."
                    ),
                )
            }
            ChangeProblem::WeightsDoNotSumToOne {
                unit,
                successors,
                sum,
            } => {
                let s = decimal(*sum, lang);
                let to = list(successors);
                lang.pick(
                    format!(
                        "{lineage}: tổng tỷ lệ của {unit} sang {to} là {s}, phải bằng 1."
                    ),
                    format!("{lineage}: the weights of {unit} to {to} add up to {s}, not 1."),
                )
            }
            ChangeProblem::OpenWorkWithoutSuccessor { unit, work } => {
                let w = work.describe(lang);
                lang.pick(
                    format!(
                        "{unit} hết hiệu lực mà không có đơn vị kế thừa, trong khi còn {w}. Chỉ định đơn vị kế thừa, hoặc xử lý các việc này trước."
                    ),
                    format!(
                        "{unit} would end without a successor while it still has {w}. Name a successor, or settle that work first."
                    ),
                )
            }
            ChangeProblem::ChildrenLeftBehind { unit, children } => {
                let n = children.len();
                let c = list(children);
                lang.pick(
                    format!(
                        "{unit} hết hiệu lực nhưng còn {n} đơn vị trực thuộc vẫn hiệu lực mà thay đổi này không xử lý: {c}."
                    ),
                    format!(
                        "{unit} would end while {n} units under it stay valid and this change set does not retire them: {c}."
                    ),
                )
            }
            ChangeProblem::RecordsOnOrAfterEffective {
                unit,
                last_recorded,
                effective,
                today,
            } => lang.pick(
                format!(
                    "Ngày hiệu lực {} đã qua (hôm nay {}) mà {unit} có dữ liệu ghi ngày {}, từ ngày hiệu lực trở đi. Chọn ngày hiệu lực sau ngày đó, hoặc chuyển dữ liệu trước.",
                    d(effective),
                    d(today),
                    d(last_recorded)
                ),
                format!(
                    "The effective date {} has passed (today is {}) and {unit} has records dated {}, on or after it. Choose a later effective date, or move those records first.",
                    d(effective),
                    d(today),
                    d(last_recorded)
                ),
            ),
        }
    }
}

/// A share for reading: `0,5` in Vietnamese, `0.5` in English, at most four decimals.
fn decimal(value: f64, lang: Lang) -> String {
    let s = format!("{value:.4}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

/// Units for a message: the first few, then how many more (a district has dozens).
fn list(units: &[CodeName]) -> String {
    const SHOWN: usize = 5;
    let mut out = units
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if units.len() > SHOWN {
        out.push_str(&format!(" (+{})", units.len() - SHOWN));
    }
    out
}

fn row_problem(upload: Upload, line: usize, field: &str, reason: RowProblem) -> ChangeProblem {
    ChangeProblem::Row {
        upload,
        error: RowError {
            line,
            field: field.to_string(),
            reason,
        },
    }
}

/// An upload's header and non-blank records with their line numbers, plus the lines that
/// could not be read (reported together with the rest, so one upload shows every fault).
struct Sheet {
    headers: csv::StringRecord,
    records: Vec<(usize, csv::StringRecord)>,
    errors: Vec<ChangeProblem>,
}

impl Sheet {
    fn column(&self, names: &[&str]) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    }
}

fn read_sheet(bytes: &[u8], upload: Upload) -> Result<Sheet, Vec<ChangeProblem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            vec![row_problem(
                upload,
                1,
                "-",
                RowProblem::NotCsv {
                    detail: e.to_string(),
                },
            )]
        })?
        .clone();
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(row_problem(
                    upload,
                    line,
                    "-",
                    RowProblem::NotCsv {
                        detail: e.to_string(),
                    },
                ));
            }
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                if records.len() + errors.len() >= MAX_ROWS {
                    return Err(vec![row_problem(
                        upload,
                        line,
                        "-",
                        RowProblem::TooManyRows,
                    )]);
                }
                if !record.iter().all(str::is_empty) {
                    records.push((line, record));
                }
            }
        }
    }
    Ok(Sheet {
        headers,
        records,
        errors,
    })
}

fn field_problems(
    upload: Upload,
    line: usize,
    errors: Vec<FieldError>,
) -> impl Iterator<Item = ChangeProblem> {
    errors.into_iter().map(move |e| {
        // The upload calls the kind `level`, as the reference files do.
        let field = if e.field == "kind" { "level" } else { &e.field };
        row_problem(upload, line, field, RowProblem::Field(e.invalid))
    })
}

fn sort_by_line(problems: &mut [ChangeProblem]) {
    problems.sort_by_key(|p| match p {
        ChangeProblem::Row { error, .. } => error.line,
        _ => 0,
    });
}

/// Reads the new-units upload. Every bad line is reported; nothing is returned unless all
/// are good.
pub fn parse_new_units(bytes: &[u8]) -> Result<Vec<NewUnitRow>, Vec<ChangeProblem>> {
    let upload = Upload::NewUnits;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // A change set may only merge units into ones that carry on: no new unit at all.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let sheet = read_sheet(bytes, upload)?;
    let (Some(code), Some(name), Some(level)) = (
        sheet.column(&["code"]),
        sheet.column(&["name"]),
        sheet.column(&["level", "kind"]),
    ) else {
        let missing = if sheet.column(&["code"]).is_none() {
            "code"
        } else if sheet.column(&["name"]).is_none() {
            "name"
        } else {
            "level"
        };
        return Err(vec![row_problem(
            upload,
            1,
            missing,
            RowProblem::MissingColumn,
        )]);
    };
    let parent = sheet.column(&["parent_code"]);
    let mut rows = Vec::new();
    let mut errors = sheet.errors.clone();
    for (line, record) in &sheet.records {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::to_string);
        let input = UnitInput {
            code: get(Some(code)).unwrap_or_default(),
            name: get(Some(name)).unwrap_or_default(),
            kind: get(Some(level)).unwrap_or_default(),
            parent_code: get(parent),
            // The change set dates the units: valid from its effective date.
            ..Default::default()
        };
        match validate_unit(&input) {
            Ok(fields) => rows.push(NewUnitRow {
                line: *line,
                code: fields.code,
                name: fields.name,
                kind: fields.kind,
                parent_code: fields.parent_code,
            }),
            Err(field_errors) => errors.extend(field_problems(upload, *line, field_errors)),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        sort_by_line(&mut errors);
        Err(errors)
    }
}

/// Reads a weight: a decimal with `.` or `,` (a share is below 1, so there are no
/// thousands to confuse with the decimal comma).
fn parse_weight(s: &str) -> Option<f64> {
    s.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|w| w.is_finite())
}

/// Reads the lineage upload. Every bad line is reported; nothing is returned unless all
/// are good.
pub fn parse_lineage(bytes: &[u8]) -> Result<Vec<LineageRow>, Vec<ChangeProblem>> {
    let upload = Upload::Lineage;
    let sheet = read_sheet(bytes, upload)?;
    let (Some(old), Some(new)) = (sheet.column(&["old_code"]), sheet.column(&["new_code"])) else {
        let missing = if sheet.column(&["old_code"]).is_none() {
            "old_code"
        } else {
            "new_code"
        };
        return Err(vec![row_problem(
            upload,
            1,
            missing,
            RowProblem::MissingColumn,
        )]);
    };
    let old_name = sheet.column(&["old_name"]);
    let new_name = sheet.column(&["new_name"]);
    let weight = sheet.column(&["weight"]);
    let mut rows = Vec::new();
    let mut errors = sheet.errors.clone();
    for (line, record) in &sheet.records {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default();
        let text = |i: Option<usize>| Some(nfc(get(i))).filter(|s| !s.is_empty());
        let mut field_errors = Vec::new();
        let old_code = check_code("old_code", get(Some(old)), &mut field_errors);
        let new_code = match get(Some(new)) {
            "" => None,
            code => Some(check_code("new_code", code, &mut field_errors)),
        };
        let weight = match get(weight) {
            "" => None,
            w => {
                let parsed = parse_weight(w);
                if parsed.is_none() {
                    field_errors.push(FieldError::new("weight", Invalid::BadNumber));
                }
                parsed
            }
        };
        if field_errors.is_empty() {
            rows.push(LineageRow {
                line: *line,
                old_code,
                old_name: text(old_name),
                new_code,
                new_name: text(new_name),
                weight,
            });
        } else {
            errors.extend(field_problems(upload, *line, field_errors));
        }
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(vec![row_problem(upload, 2, "-", RowProblem::NoRows)]);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        sort_by_line(&mut errors);
        Err(errors)
    }
}

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

/// A resolved lineage row.
struct Edge {
    line: usize,
    from: i64,
    to: UnitId,
    weight: Option<f64>,
}

/// Dense numbers for the units of a plan, so that stored ids and not-yet-stored new
/// units can share [`check_lineage`] and [`Lineage`], which work on `i64`s.
#[derive(Default)]
struct Numbering {
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

    fn unit(&self, n: i64) -> Option<UnitId> {
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

/// Plans a change set effective on `effective` (old units end the day before), checked
/// against the stored units and the live work of each (`open_work`, by stored id; a unit
/// missing from it has none). `today` decides whether the effective date is in the past,
/// where a retired unit must not have records dated on or after it.
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

    let mut stored_by_code: HashMap<&str, Vec<&StoredUnit>> = HashMap::new();
    for u in existing {
        stored_by_code.entry(u.code.as_str()).or_default().push(u);
    }
    let stored_by_id: HashMap<i64, &StoredUnit> = existing.iter().map(|u| (u.id, u)).collect();
    // Codes are unique among units valid on the same day, so at most one matches.
    let stored_on = |code: &str, day: Date| -> Option<&StoredUnit> {
        stored_by_code
            .get(code)?
            .iter()
            .copied()
            .find(|u| valid_on(u.valid_from, u.valid_to, day))
    };

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
    let label = |unit: UnitId| -> CodeName {
        match unit {
            UnitId::New(i) => new_units.get(i).map(|u| CodeName::new(&u.code, &u.name)),
            UnitId::Stored(id) => stored_by_id
                .get(&id)
                .map(|u| CodeName::new(&u.code, &u.name)),
        }
        .unwrap_or_default()
    };

    // Resolve the lineage.
    let mut edges: Vec<Edge> = Vec::new();
    let mut retired_order: Vec<i64> = Vec::new();
    let mut no_successor: BTreeMap<i64, usize> = BTreeMap::new();
    let mut seen_edge: HashMap<(i64, UnitId), usize> = HashMap::new();
    for row in lineage {
        let Some(old) = stored_on(&row.old_code, day_before) else {
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
        let to = if let Some(&i) = new_by_code.get(new_code.as_str()) {
            UnitId::New(i)
        } else if let Some(u) = stored_on(new_code, effective) {
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
            let actual = label(to).name;
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
    for (&id, &line) in &no_successor {
        if edges.iter().any(|e| e.from == id) {
            problems.push(ChangeProblem::RetiredAndContinued {
                line,
                unit: label(UnitId::Stored(id)),
            });
        }
    }
    let retired: BTreeSet<i64> = retired_order.iter().copied().collect();
    let own_edges = |id: i64| -> Vec<&Edge> { edges.iter().filter(|e| e.from == id).collect() };

    // The lineage's own shape: self edges, cycles, weights.
    let mut numbering = Numbering::default();
    let numbered: Vec<LineageEdge> = edges
        .iter()
        .map(|e| LineageEdge {
            from: numbering.number(UnitId::Stored(e.from)),
            to: numbering.number(e.to),
            weight: e.weight,
        })
        .collect();
    let name_of = |n: i64| numbering.unit(n).map(label).unwrap_or_default();
    let line_of = |from: i64, to: i64| {
        numbered
            .iter()
            .zip(&edges)
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
    // `check_lineage` sums weights only for splits; a weight on a lone successor other
    // than 1 would say part of the unit goes nowhere.
    for &id in &retired_order {
        if let [only] = own_edges(id).as_slice()
            && let Some(w) = only.weight
            && w > 0.0
            && w <= 1.0 + EPS
            && (w - 1.0).abs() > EPS
        {
            problems.push(ChangeProblem::WeightsDoNotSumToOne {
                unit: label(UnitId::Stored(id)),
                successors: vec![label(only.to)],
                sum: w,
            });
        }
    }

    // New units: parents and codes.
    let mut parents: Vec<Option<UnitId>> = Vec::with_capacity(new_units.len());
    let mut codes_reused = Vec::new();
    for (i, u) in new_units.iter().enumerate() {
        let this = CodeName::new(&u.code, &u.name);
        let parent = match &u.parent_code {
            None => None,
            Some(code) => {
                if let Some(&j) = new_by_code.get(code.as_str()) {
                    Some(UnitId::New(j))
                } else if let Some(p) = stored_on(code, effective) {
                    if retired.contains(&p.id) {
                        problems.push(ChangeProblem::ParentRetired {
                            line: u.line,
                            unit: this.clone(),
                            parent: CodeName::new(&p.code, &p.name),
                        });
                        None
                    } else {
                        Some(UnitId::Stored(p.id))
                    }
                } else {
                    problems.push(ChangeProblem::UnknownParent {
                        line: u.line,
                        unit: this.clone(),
                        parent_code: code.clone(),
                        effective,
                    });
                    None
                }
            }
        };
        parents.push(parent);
        for holder in stored_by_code.get(u.code.as_str()).into_iter().flatten() {
            if retired.contains(&holder.id) {
                codes_reused.push(CodeReuse {
                    code: u.code.clone(),
                    old_id: holder.id,
                    old_name: holder.name.clone(),
                    new: i,
                    new_name: u.name.clone(),
                });
            } else if valid_on(holder.valid_from, holder.valid_to, effective) {
                problems.push(ChangeProblem::CodeStillValid {
                    line: u.line,
                    unit: this.clone(),
                    held_by: CodeName::new(&holder.code, &holder.name),
                    effective,
                });
            }
            // A holder that ended before the effective date is history: the code is free.
        }
    }
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

    // Retired units: successors, work, records, children.
    let forward = Lineage::new(&numbered);
    let mut retired_units = Vec::with_capacity(retired_order.len());
    let mut affected = WorkCounts::default();
    for &id in &retired_order {
        let Some(unit) = stored_by_id.get(&id) else {
            continue;
        };
        let this = CodeName::new(&unit.code, &unit.name);
        let own = own_edges(id);
        let work = open_work.get(&id).copied().unwrap_or_default();
        affected.add(&work);
        if own.is_empty() && work.is_live() {
            problems.push(ChangeProblem::OpenWorkWithoutSuccessor {
                unit: this.clone(),
                work,
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
        // Moving a child to another parent is not something this upload can say, so a
        // child that stays valid must be retired with its parent — unless the parent has
        // exactly one successor: then its children follow that successor (the store reads
        // a child filed under a unit merged away as under the unit that continues it).
        let children: Vec<CodeName> = existing
            .iter()
            .filter(|c| {
                c.parent_id == Some(id)
                    && valid_on(c.valid_from, c.valid_to, effective)
                    && !retired.contains(&c.id)
            })
            .map(|c| CodeName::new(&c.code, &c.name))
            .collect();
        if !children.is_empty() && own.len() != 1 {
            problems.push(ChangeProblem::ChildrenLeftBehind {
                unit: this.clone(),
                children,
            });
        }
        let successors = own
            .iter()
            .map(|e| Successor {
                to: e.to,
                unit: label(e.to),
                weight: e.weight,
            })
            .collect();
        let disposition = disposition(unit, &own, &numbering, &forward, &label);
        retired_units.push(Retired {
            id,
            unit: this,
            kind: unit.kind,
            successors,
            work,
            disposition,
        });
    }

    if !problems.is_empty() {
        return Err(problems);
    }

    let predecessors_of = |i: usize| -> Vec<i64> {
        edges
            .iter()
            .filter(|e| e.to == UnitId::New(i))
            .map(|e| e.from)
            .collect()
    };
    let created: Vec<Created> = new_units
        .iter()
        .enumerate()
        .map(|(i, u)| Created {
            line: u.line,
            unit: CodeName::new(&u.code, &u.name),
            kind: u.kind,
            parent: parents.get(i).copied().flatten(),
            predecessors: predecessors_of(i),
        })
        .collect();
    let renamed = retired_units
        .iter()
        .filter_map(|r| match r.successors.as_slice() {
            [only] => match only.to {
                UnitId::New(i) if predecessors_of(i).len() == 1 => Some(Renamed {
                    old_id: r.id,
                    old: r.unit.clone(),
                    new: i,
                    new_unit: only.unit.clone(),
                }),
                _ => None,
            },
            _ => None,
        })
        .collect();
    Ok(Preview {
        effective,
        retired: retired_units,
        created,
        renamed,
        codes_reused,
        affected,
        notices,
        forms: Vec::new(),
    })
}

/// The default for a retired unit's live work: the unit where the largest share of it
/// ends up (following chains through units also retired here). `None` without successors.
fn disposition(
    unit: &StoredUnit,
    own: &[&Edge],
    numbering: &Numbering,
    forward: &Lineage,
    label: &dyn Fn(UnitId) -> CodeName,
) -> Option<Disposition> {
    let whole = own.len() == 1;
    // (final unit, share, order of the retired unit's own row that leads there)
    let mut shares: Vec<(UnitId, f64, usize)> = Vec::new();
    for (order, e) in own.iter().enumerate() {
        let w = if whole { 1.0 } else { e.weight.unwrap_or(0.0) };
        let start = numbering.of.get(&e.to).copied()?;
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
    let keeps = top.iter().position(|(t, _, _)| label(*t).code == unit.code);
    let chosen = **top.get(keeps.unwrap_or(0))?;
    let reason = if shares.len() == 1 {
        CarryReason::SingleSuccessor
    } else {
        CarryReason::LargestShare {
            tied_with: top
                .iter()
                .filter(|(t, _, _)| *t != chosen.0)
                .map(|(t, _, _)| label(*t))
                .collect(),
            keeps_code: top.len() > 1 && keeps.is_some(),
        }
    };
    Some(Disposition {
        to: chosen.0,
        unit: label(chosen.0),
        share: chosen.1,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::{Aggregation, Figure};
    use crate::reorg::map_forward;
    use time::macros::date;

    const UNITS: &str = include_str!("../../../data/binh-dinh-units.csv");
    const LINEAGE: &str = include_str!("../../../data/binh-dinh-2025-lineage.csv");
    const WEIGHTS: &str = include_str!("../../../data/binh-dinh-2025-split-weights.csv");
    const COMMUNES: &str = include_str!("../../../data/gia-lai-2025-communes.csv");
    const JULY: Date = date!(2025 - 07 - 01);
    /// Planned ahead of the change, so no record can postdate it.
    const BEFORE: Date = date!(2025 - 06 - 15);
    const NO_WORK: BTreeMap<i64, WorkCounts> = BTreeMap::new();

    /// The stored units as they stood on 30 June 2025: the 2024 file (ids by row) with the
    /// changes of 1 January 2025 from SOURCES.md applied — four Quy Nhơn wards ended,
    /// three units renamed (kept as one row each: planning only looks at the names).
    fn existing() -> Vec<StoredUnit> {
        let mut reader = csv::Reader::from_reader(UNITS.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let id_of: HashMap<String, i64> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r[0].to_string(), i as i64 + 1))
            .collect();
        rows.iter()
            .enumerate()
            .map(|(i, r)| {
                let code = &r[0];
                let valid_to = ["21568", "21571", "21574", "21586"]
                    .contains(&code)
                    .then_some(date!(2024 - 12 - 31));
                let name = match code {
                    "21580" => "Phường Trần Phú",
                    "21583" => "Phường Thị Nại",
                    "21862" => "Thị trấn Cát Khánh",
                    _ => &r[1],
                };
                StoredUnit {
                    id: i as i64 + 1,
                    code: code.into(),
                    name: name.into(),
                    kind: UnitKind::parse(&r[2]).unwrap(),
                    parent_id: id_of.get(&r[3]).copied(),
                    valid_from: None,
                    valid_to,
                }
            })
            .collect()
    }

    fn id(existing: &[StoredUnit], code: &str) -> i64 {
        existing
            .iter()
            .find(|u| u.code == code && u.valid_to.is_none())
            .unwrap()
            .id
    }

    /// The 58 new units made from former Bình Định communes (`former_province` = 52).
    fn binh_dinh_new_units() -> String {
        COMMUNES
            .lines()
            .enumerate()
            .filter(|(i, l)| *i == 0 || l.ends_with(",52"))
            .map(|(_, l)| format!("{l}\n"))
            .collect()
    }

    /// The lineage with a `weight` column taken from the (demo) split weights file.
    fn with_weights(lineage: &str, weights: &str) -> String {
        let mut w: HashMap<(String, String), String> = HashMap::new();
        for r in csv::Reader::from_reader(weights.as_bytes()).records() {
            let r = r.unwrap();
            w.insert((r[0].to_string(), r[1].to_string()), r[2].to_string());
        }
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(["old_code", "old_name", "new_code", "new_name", "weight"])
            .unwrap();
        for r in csv::Reader::from_reader(lineage.as_bytes()).records() {
            let r = r.unwrap();
            let weight = w
                .get(&(r[0].to_string(), r[2].to_string()))
                .cloned()
                .unwrap_or_default();
            out.write_record([&r[0], &r[1], &r[2], &r[3], &weight])
                .unwrap();
        }
        String::from_utf8(out.into_inner().unwrap()).unwrap()
    }

    fn plan(
        new_units: &str,
        lineage: &str,
        work: &BTreeMap<i64, WorkCounts>,
        today: Date,
    ) -> Result<Preview, Vec<ChangeProblem>> {
        prepare_change_set(
            JULY,
            today,
            new_units.as_bytes(),
            lineage.as_bytes(),
            &existing(),
            work,
        )
    }

    fn real_plan() -> Preview {
        plan(
            &binh_dinh_new_units(),
            &with_weights(LINEAGE, WEIGHTS),
            &NO_WORK,
            BEFORE,
        )
        .unwrap()
    }

    fn cn(code: &str, name: &str) -> CodeName {
        CodeName::new(code, name)
    }

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
    fn the_real_files_have_the_counts_sources_md_gives() {
        let lineage = parse_lineage(LINEAGE.as_bytes()).unwrap();
        assert_eq!(lineage.len(), 158);
        let old: BTreeSet<&str> = lineage.iter().map(|r| r.old_code.as_str()).collect();
        let new: BTreeSet<&str> = lineage
            .iter()
            .filter_map(|r| r.new_code.as_deref())
            .collect();
        assert_eq!((old.len(), new.len()), (155, 58));
        assert_eq!(parse_new_units(COMMUNES.as_bytes()).unwrap().len(), 135);
        assert_eq!(
            parse_new_units(binh_dinh_new_units().as_bytes())
                .unwrap()
                .len(),
            58
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
        let lineage =
            "old_code,new_code,weight\n21634,21622,1.5\n21634,21628,-0.5\n21550,21553,0.6\n";
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

    #[test]
    fn bad_lines_of_either_file_are_reported_with_their_line() {
        let new_units =
            "code,name,level,parent_code\n21553,,commune,52\n21583,Phường Quy Nhơn,xa,52\n";
        let lineage = "old_code,new_code,weight\n21634,21622,abc\n,21628,0.5\n";
        let problems = plan(new_units, lineage, &NO_WORK, BEFORE).unwrap_err();
        let got: Vec<(Upload, usize, &str)> = problems
            .iter()
            .map(|p| match p {
                ChangeProblem::Row { upload, error } => (*upload, error.line, error.field.as_str()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                (Upload::NewUnits, 2, "name"),
                (Upload::NewUnits, 3, "level"),
                (Upload::Lineage, 2, "weight"),
                (Upload::Lineage, 3, "old_code"),
            ]
        );
        assert_eq!(
            problems[0].message(Lang::Vi),
            "Tệp đơn vị mới — Dòng 2, cột name: Bắt buộc nhập."
        );
        assert!(
            problems[2]
                .message(Lang::En)
                .starts_with("Lineage file — Line 2, column weight: Not a number")
        );
        assert_eq!(
            parse_lineage(b"old,new\n1,2\n").unwrap_err(),
            [row_problem(
                Upload::Lineage,
                1,
                "old_code",
                RowProblem::MissingColumn
            )]
        );
        assert_eq!(
            parse_lineage(b"old_code,new_code\n").unwrap_err(),
            [row_problem(Upload::Lineage, 2, "-", RowProblem::NoRows)]
        );
        assert_eq!(parse_new_units(b"").unwrap(), []);
        assert_eq!(
            parse_new_units(b"\xEF\xBB\xBFcode,name,level\n").unwrap(),
            []
        );
        // A byte-order mark and a decimal comma are fine.
        let rows =
            parse_lineage("\u{FEFF}old_code,new_code,weight\n21634,21622,\"0,25\"\n".as_bytes())
                .unwrap();
        assert_eq!(rows[0].weight, Some(0.25));
    }
}
