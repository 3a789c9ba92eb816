//! Why a change set is refused, and how each refusal reads in Vietnamese and English.

use serde::Serialize;
use time::Date;

use super::{CodeName, Upload, WorkCounts};
use crate::Lang;
use crate::text::format_date;
use crate::unit_import::RowError;

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
pub(super) fn decimal(value: f64, lang: Lang) -> String {
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
pub(super) fn list(units: &[CodeName]) -> String {
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
