//! Tasks of a plan: their fields, the workflow and who may move it, and the
//! government's follow-up taxonomy (Decision 42/2014/QĐ-TTg).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::Lang;
use crate::auth::Action;
use crate::text::{parse_date, parse_number_vi};
use crate::validation::{FieldError, Invalid, optional_text, required_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskStatus {
    Draft,
    Submitted,
    ChangesRequested,
    Approved,
    InProgress,
    Completed,
    Cancelled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 7] = [
        TaskStatus::Draft,
        TaskStatus::Submitted,
        TaskStatus::ChangesRequested,
        TaskStatus::Approved,
        TaskStatus::InProgress,
        TaskStatus::Completed,
        TaskStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Draft => "draft",
            TaskStatus::Submitted => "submitted",
            TaskStatus::ChangesRequested => "changes_requested",
            TaskStatus::Approved => "approved",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Completed => "completed",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            TaskStatus::Draft => lang.pick("Dự thảo", "Draft"),
            TaskStatus::Submitted => lang.pick("Chờ thẩm định", "Awaiting review"),
            TaskStatus::ChangesRequested => lang.pick("Yêu cầu chỉnh sửa", "Changes requested"),
            TaskStatus::Approved => lang.pick("Đã thống nhất", "Approved"),
            TaskStatus::InProgress => lang.pick("Đang thực hiện", "In progress"),
            TaskStatus::Completed => lang.pick("Hoàn thành", "Completed"),
            TaskStatus::Cancelled => lang.pick("Đã huỷ", "Cancelled"),
        }
    }

    /// No further work happens on a finished task.
    pub fn is_closed(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Cancelled)
    }

    /// Registered and agreed: the deadline is now a commitment, moved only by extension.
    pub fn is_committed(self) -> bool {
        matches!(
            self,
            TaskStatus::Approved | TaskStatus::InProgress | TaskStatus::Completed
        )
    }

    /// The unit may still change the task's content.
    pub fn is_editable_by_unit(self) -> bool {
        matches!(self, TaskStatus::Draft | TaskStatus::ChangesRequested)
    }

    /// Whether the task's content can be edited now: a coordinator corrects any open
    /// task, a unit its drafts and returned tasks.
    pub fn is_editable(self, as_coordinator: bool) -> bool {
        !self.is_closed() && (as_coordinator || self.is_editable_by_unit())
    }

    /// Progress is reported while the task is in progress.
    pub fn takes_reports(self) -> bool {
        self == TaskStatus::InProgress
    }

    /// A deadline moves by extension only once agreed and while unfinished (a draft's
    /// deadline is edited directly).
    pub fn takes_extension_requests(self) -> bool {
        matches!(self, TaskStatus::Approved | TaskStatus::InProgress)
    }

    /// Evidence files are added until the task is cancelled.
    pub fn takes_evidence(self) -> bool {
        self != TaskStatus::Cancelled
    }
}

/// Declares a status kept in the database as its snake_case name: parsing, the stored
/// form, serde and the row conversion all from one list.
macro_rules! stored_status {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal, $vi:literal, $en:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s.trim())
            }

            pub fn label(self, lang: Lang) -> &'static str {
                match self {
                    $($name::$variant => lang.pick($vi, $en),)+
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $name::parse(&s)
                    .ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)))
            }
        }
    };
}

stored_status! {
    /// Where a plan stands: being drafted, in force, or closed (no new or changed tasks).
    PlanStatus {
        Draft => "draft", "Dự thảo", "Draft";
        Active => "active", "Đang thực hiện", "Active";
        Closed => "closed", "Đã đóng", "Closed";
    }
}

stored_status! {
    /// A request to move a task's deadline: awaiting a decision, approved or refused.
    ExtensionStatus {
        Pending => "pending", "Chờ xem xét", "Pending";
        Approved => "approved", "Đã đồng ý", "Approved";
        Refused => "refused", "Không đồng ý", "Refused";
    }
}

stored_status! {
    /// The kind of document a task comes from, as the national follow-up systems count
    /// them (the Government Office's system, the Resolution 57 monitoring system).
    SourceDocType {
        Resolution => "resolution", "Nghị quyết", "Resolution";
        Directive => "directive", "Chỉ thị", "Directive";
        ConclusionNotice => "conclusion_notice", "Thông báo kết luận", "Conclusion notice";
        Decision => "decision", "Quyết định", "Decision";
        Plan => "plan", "Kế hoạch", "Plan";
        OfficialLetter => "official_letter", "Công văn", "Official letter";
        Other => "other", "Văn bản khác", "Other document";
    }
}

impl SourceDocType {
    /// Reads the code or the Vietnamese name (`Nghị quyết`, `thông báo kết luận`, `CV`…).
    pub fn read(s: &str) -> Option<SourceDocType> {
        if let Some(t) = SourceDocType::parse(s) {
            return Some(t);
        }
        let folded = crate::text::fold(s);
        SourceDocType::ALL.iter().copied().find(|t| {
            crate::text::fold(t.label(Lang::Vi)) == folded
                || crate::text::fold(t.label(Lang::En)) == folded
                || t.abbreviation()
                    .is_some_and(|a| crate::text::fold(a) == folded)
        })
    }

    /// The abbreviation in document numbers (`45/NQ-CP`, `05/CT-TTg`, `12/TB-VPCP`).
    pub fn abbreviation(self) -> Option<&'static str> {
        match self {
            SourceDocType::Resolution => Some("NQ"),
            SourceDocType::Directive => Some("CT"),
            SourceDocType::ConclusionNotice => Some("TB"),
            SourceDocType::Decision => Some("QĐ"),
            SourceDocType::Plan => Some("KH"),
            SourceDocType::OfficialLetter => Some("CV"),
            SourceDocType::Other => None,
        }
    }
}

/// The deadline kept for a regular task (nhiệm vụ thường xuyên), which has none: it is
/// reported each period and never falls overdue. A far date rather than NULL because the
/// deadline is NOT NULL in a table SQLite cannot alter without rebuilding it, and because
/// every overdue and due-soon query and the deadline indexes are then right for regular
/// tasks without a branch; the store shows it to the API as no deadline.
pub const NO_DEADLINE: Date = match Date::from_calendar_date(9999, time::Month::December, 31) {
    Ok(d) => d,
    Err(_) => panic!("9999-12-31 is a date"),
};

/// Whether a stored deadline is the mark of a regular task.
pub fn is_regular(due: Date) -> bool {
    due == NO_DEADLINE
}

/// A deadline as people read it: `dd/mm/yyyy`, or "Thường xuyên" for a regular task (which
/// the plan importer reads back as one).
pub fn deadline_text(due: Date, lang: Lang) -> String {
    if is_regular(due) {
        lang.pick("Thường xuyên", "Regular").to_string()
    } else {
        crate::text::format_date(due)
    }
}

/// Days before its deadline from which an open task is shown as about to be overdue,
/// unless the server is told otherwise.
pub const DUE_SOON_DAYS: u8 = 3;

/// Where an unfinished task stands against its deadline, as lists, the dashboard and the
/// wall colour it: red overdue, orange about to be, neutral without a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeadlineState {
    /// Finished or cancelled: the deadline no longer presses.
    Closed,
    /// A regular task: no deadline.
    Regular,
    OnTrack,
    DueSoon,
    Overdue,
}

impl DeadlineState {
    pub fn of(status: TaskStatus, due: Date, today: Date, due_soon_days: u8) -> DeadlineState {
        if status.is_closed() {
            DeadlineState::Closed
        } else if is_regular(due) {
            DeadlineState::Regular
        } else if today > due {
            DeadlineState::Overdue
        } else if (due - today).whole_days() <= i64::from(due_soon_days) {
            DeadlineState::DueSoon
        } else {
            DeadlineState::OnTrack
        }
    }

    /// The class pages colour it with (`deadline-overdue`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineState::Closed => "closed",
            DeadlineState::Regular => "regular",
            DeadlineState::OnTrack => "on_track",
            DeadlineState::DueSoon => "due_soon",
            DeadlineState::Overdue => "overdue",
        }
    }

    /// Words said with the colour, so that it is never the colour alone that tells.
    pub fn label(self, lang: Lang) -> Option<&'static str> {
        match self {
            DeadlineState::DueSoon => Some(lang.pick("Sắp đến hạn", "Due soon")),
            DeadlineState::Overdue => Some(lang.pick("Quá hạn", "Overdue")),
            DeadlineState::Regular => Some(lang.pick("Thường xuyên", "Regular")),
            DeadlineState::Closed | DeadlineState::OnTrack => None,
        }
    }
}

/// The buckets of the national task reports (the Government Office's follow-up system,
/// the Resolution 57 monitoring system): completed, within the deadline, overdue, and
/// regular tasks counted on their own, never as overdue. Cancelled tasks are in none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NationalBucket {
    Completed,
    WithinDeadline,
    Overdue,
    Regular,
}

impl NationalBucket {
    pub const ALL: [NationalBucket; 4] = [
        NationalBucket::Completed,
        NationalBucket::WithinDeadline,
        NationalBucket::Overdue,
        NationalBucket::Regular,
    ];

    pub fn of(status: TaskStatus, due: Date, today: Date) -> Option<NationalBucket> {
        match status {
            TaskStatus::Cancelled => None,
            TaskStatus::Completed => Some(NationalBucket::Completed),
            _ if is_regular(due) => Some(NationalBucket::Regular),
            _ if today > due => Some(NationalBucket::Overdue),
            _ => Some(NationalBucket::WithinDeadline),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NationalBucket::Completed => "completed",
            NationalBucket::WithinDeadline => "within_deadline",
            NationalBucket::Overdue => "overdue",
            NationalBucket::Regular => "regular",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            NationalBucket::Completed => lang.pick("Đã hoàn thành", "Completed"),
            NationalBucket::WithinDeadline => {
                lang.pick("Đang thực hiện trong hạn", "In progress, within deadline")
            }
            NationalBucket::Overdue => lang.pick("Quá hạn", "Overdue"),
            NationalBucket::Regular => lang.pick("Thường xuyên", "Regular"),
        }
    }
}

/// The rights a person holds on a task's lead unit, as the policy answers them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeadRights {
    /// Coordinates plans there (corrects any open task).
    pub manage_plans: bool,
    /// Does the unit's work there (drafts, reports, extensions, evidence).
    pub unit_work: bool,
    /// Reviews the unit's work (decides extensions).
    pub review: bool,
}

impl LeadRights {
    /// The operator at the command line, who owns the server.
    pub const OPERATOR: LeadRights = LeadRights {
        manage_plans: true,
        unit_work: true,
        review: true,
    };
}

/// What a person may do with a task now, from its status and their rights on its lead
/// unit. The task page offers exactly these and the use cases refuse the rest: the one
/// place the rule is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskPowers {
    pub edit: bool,
    pub report: bool,
    pub request_extension: bool,
    pub decide_extension: bool,
    pub attach: bool,
    /// Name the index criteria the task aims to improve.
    pub link_criteria: bool,
}

/// `regular`: the task has no deadline (so none to extend).
pub fn task_powers(
    status: TaskStatus,
    regular: bool,
    rights: LeadRights,
    extension_pending: bool,
) -> TaskPowers {
    TaskPowers {
        edit: (rights.manage_plans || rights.unit_work) && status.is_editable(rights.manage_plans),
        report: rights.unit_work && status.takes_reports(),
        request_extension: rights.unit_work
            && status.takes_extension_requests()
            && !regular
            && !extension_pending,
        decide_extension: rights.review && extension_pending,
        attach: rights.unit_work && status.takes_evidence(),
        link_criteria: rights.unit_work,
    }
}

impl TryFrom<String> for TaskStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        TaskStatus::parse(&s).ok_or_else(|| format!("unknown task status {s:?}"))
    }
}

/// A task's standing in its workflow: its status, and what waits on the assigner — a
/// completion the unit reported, which the assigner confirms or refuses, or the unit's
/// request to hand the task back, which the assigner accepts (giving the task to another
/// unit) or rejects. While either waits, the unit makes no other move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskState {
    pub status: TaskStatus,
    pub completion_reported: bool,
    pub decline_pending: bool,
}

impl TaskState {
    /// A task with nothing waiting on the assigner.
    pub fn plain(status: TaskStatus) -> TaskState {
        TaskState {
            status,
            completion_reported: false,
            decline_pending: false,
        }
    }

    /// Something waits on the assigner's decision.
    pub fn awaits_assigner(self) -> bool {
        self.completion_reported || self.decline_pending
    }

    /// The words a list shows for it: the status, or what waits on the assigner.
    pub fn label(self, lang: Lang) -> &'static str {
        if self.completion_reported {
            lang.pick(
                "Chờ xác nhận hoàn thành",
                "Completion awaiting confirmation",
            )
        } else if self.decline_pending {
            lang.pick("Đơn vị đề nghị trả lại", "The unit asks to hand it back")
        } else {
            self.status.label(lang)
        }
    }
}

/// The moves of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskAction {
    Submit,
    Approve,
    RequestChanges,
    Start,
    /// The unit reports the task completed, with its product; the assigner confirms it.
    Complete,
    ConfirmCompletion,
    /// The assigner does not accept the product: the unit redoes it.
    RefuseCompletion,
    /// The unit asks to hand back a task assigned to it, saying why.
    Decline,
    /// The assigner agrees and gives the task to another unit.
    AcceptDecline,
    /// The assigner does not agree: the unit carries on.
    RejectDecline,
    Cancel,
}

impl TaskAction {
    pub const ALL: [TaskAction; 11] = [
        TaskAction::Submit,
        TaskAction::Approve,
        TaskAction::RequestChanges,
        TaskAction::Start,
        TaskAction::Complete,
        TaskAction::ConfirmCompletion,
        TaskAction::RefuseCompletion,
        TaskAction::AcceptDecline,
        TaskAction::RejectDecline,
        TaskAction::Decline,
        TaskAction::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskAction::Submit => "submit",
            TaskAction::Approve => "approve",
            TaskAction::RequestChanges => "request_changes",
            TaskAction::Start => "start",
            TaskAction::Complete => "complete",
            TaskAction::ConfirmCompletion => "confirm_completion",
            TaskAction::RefuseCompletion => "refuse_completion",
            TaskAction::Decline => "decline",
            TaskAction::AcceptDecline => "accept_decline",
            TaskAction::RejectDecline => "reject_decline",
            TaskAction::Cancel => "cancel",
        }
    }

    pub fn parse(s: &str) -> Option<TaskAction> {
        TaskAction::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            TaskAction::Submit => lang.pick("Gửi thẩm định", "Submit for review"),
            TaskAction::Approve => lang.pick("Thống nhất", "Approve"),
            TaskAction::RequestChanges => lang.pick("Yêu cầu chỉnh sửa", "Request changes"),
            TaskAction::Start => lang.pick("Bắt đầu thực hiện", "Start work"),
            TaskAction::Complete => lang.pick("Báo cáo hoàn thành", "Report completion"),
            TaskAction::ConfirmCompletion => lang.pick("Xác nhận hoàn thành", "Confirm completion"),
            TaskAction::RefuseCompletion => lang.pick(
                "Không xác nhận, yêu cầu làm lại",
                "Refuse: ask for it to be redone",
            ),
            TaskAction::Decline => lang.pick("Đề nghị trả lại nhiệm vụ", "Ask to hand it back"),
            TaskAction::AcceptDecline => lang.pick(
                "Đồng ý, giao cho đơn vị khác",
                "Agree and give it to another unit",
            ),
            TaskAction::RejectDecline => {
                lang.pick("Không đồng ý trả lại", "Refuse to take it back")
            }
            TaskAction::Cancel => lang.pick("Huỷ nhiệm vụ", "Cancel task"),
        }
    }

    /// What the policy must allow on the task's lead unit.
    pub fn permission(self) -> Action {
        match self {
            // Handing work back is the unit head's word, like submitting it.
            TaskAction::Submit | TaskAction::Decline => Action::SubmitUnitWork,
            TaskAction::Approve
            | TaskAction::RequestChanges
            | TaskAction::ConfirmCompletion
            | TaskAction::RefuseCompletion
            | TaskAction::RejectDecline
            | TaskAction::Cancel => Action::ReviewWork,
            // Giving the task to another unit changes who leads it: the plan's coordinator.
            TaskAction::AcceptDecline => Action::ManagePlans,
            TaskAction::Start | TaskAction::Complete => Action::EditUnitWork,
        }
    }

    /// A comment is part of the move: why changes are needed, why the task is
    /// cancelled, what was delivered, why the product is refused, why the unit hands the
    /// task back and why it may not.
    pub fn needs_comment(self) -> bool {
        matches!(
            self,
            TaskAction::RequestChanges
                | TaskAction::Cancel
                | TaskAction::Complete
                | TaskAction::RefuseCompletion
                | TaskAction::Decline
                | TaskAction::RejectDecline
        )
    }

    /// The move names the unit that takes the task over.
    pub fn needs_new_lead(self) -> bool {
        self == TaskAction::AcceptDecline
    }

    /// The state this move leads to from `from`, or `None` when it is not allowed there.
    pub fn apply(self, from: TaskState) -> Option<TaskState> {
        use TaskStatus::*;
        let status = |to: TaskStatus| Some(TaskState::plain(to));
        let waiting = from.awaits_assigner();
        match (self, from.status) {
            (TaskAction::Cancel, s) if !s.is_closed() => status(Cancelled),
            (TaskAction::ConfirmCompletion, InProgress) if from.completion_reported => {
                status(Completed)
            }
            (TaskAction::RefuseCompletion, InProgress) if from.completion_reported => {
                status(InProgress)
            }
            (TaskAction::AcceptDecline | TaskAction::RejectDecline, _) if from.decline_pending => {
                Some(TaskState {
                    decline_pending: false,
                    ..from
                })
            }
            _ if waiting => None,
            (TaskAction::Submit, Draft | ChangesRequested) => status(Submitted),
            (TaskAction::Approve, Submitted) => status(Approved),
            (TaskAction::RequestChanges, Submitted) => status(ChangesRequested),
            (TaskAction::Start, Approved) => status(InProgress),
            (TaskAction::Complete, InProgress) => Some(TaskState {
                completion_reported: true,
                ..from
            }),
            // Not while its own submission awaits review: the unit withdraws nothing there.
            (TaskAction::Decline, Draft | ChangesRequested | Approved | InProgress) => {
                Some(TaskState {
                    decline_pending: true,
                    ..from
                })
            }
            _ => None,
        }
    }

    /// The moves possible from a state, in the order a page offers them.
    pub fn available(from: TaskState) -> Vec<TaskAction> {
        TaskAction::ALL
            .into_iter()
            .filter(|a| a.apply(from).is_some())
            .collect()
    }
}

/// Where a task stands against its deadline (Decision 42/2014/QĐ-TTg).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    CompletedOnTime,
    CompletedLate,
    NotCompletedWithinDeadline,
    NotCompletedOverdue,
    Cancelled,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::CompletedOnTime,
        Outcome::CompletedLate,
        Outcome::NotCompletedWithinDeadline,
        Outcome::NotCompletedOverdue,
        Outcome::Cancelled,
    ];

    pub fn of(status: TaskStatus, due: Date, completed_on: Option<Date>, today: Date) -> Outcome {
        match status {
            TaskStatus::Cancelled => Outcome::Cancelled,
            TaskStatus::Completed => match completed_on {
                Some(done) if done > due => Outcome::CompletedLate,
                _ => Outcome::CompletedOnTime,
            },
            _ if today > due => Outcome::NotCompletedOverdue,
            _ => Outcome::NotCompletedWithinDeadline,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Outcome::CompletedOnTime => lang.pick("Hoàn thành đúng hạn", "Completed on time"),
            Outcome::CompletedLate => lang.pick("Hoàn thành quá hạn", "Completed late"),
            Outcome::NotCompletedWithinDeadline => lang.pick(
                "Chưa hoàn thành, trong hạn",
                "Not completed, within deadline",
            ),
            Outcome::NotCompletedOverdue => {
                lang.pick("Chưa hoàn thành, quá hạn", "Not completed, overdue")
            }
            Outcome::Cancelled => lang.pick("Đã huỷ", "Cancelled"),
        }
    }
}

/// How a task acquires what it needs: the province rents first and buys last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AcquisitionMode {
    Rent,
    Buy,
    InHouse,
}

impl AcquisitionMode {
    pub const ALL: [AcquisitionMode; 3] = [
        AcquisitionMode::Rent,
        AcquisitionMode::Buy,
        AcquisitionMode::InHouse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AcquisitionMode::Rent => "rent",
            AcquisitionMode::Buy => "buy",
            AcquisitionMode::InHouse => "in_house",
        }
    }

    /// Reads the code or the Vietnamese word (`thuê`, `mua`, `tự thực hiện`).
    pub fn parse(s: &str) -> Option<AcquisitionMode> {
        match crate::text::fold(s).as_str() {
            "rent" | "thue" | "thue dich vu" => Some(AcquisitionMode::Rent),
            "buy" | "mua" | "mua sam" | "dau tu" => Some(AcquisitionMode::Buy),
            "in_house" | "tu thuc hien" | "tu lam" => Some(AcquisitionMode::InHouse),
            _ => None,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            AcquisitionMode::Rent => lang.pick("Thuê dịch vụ", "Rent"),
            AcquisitionMode::Buy => lang.pick("Mua sắm, đầu tư", "Buy"),
            AcquisitionMode::InHouse => lang.pick("Tự thực hiện", "In house"),
        }
    }
}

impl TryFrom<String> for AcquisitionMode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        AcquisitionMode::parse(&s).ok_or_else(|| format!("unknown acquisition mode {s:?}"))
    }
}

/// A key that sorts task codes naturally: `2.10` after `2.9`.
pub fn code_sort_key(code: &str) -> String {
    code.split(['.', '-', '/'])
        .map(|part| match part.parse::<u32>() {
            Ok(n) => format!("{n:06}"),
            Err(_) => part.to_lowercase(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// A task as typed on a form or sent to the API, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub deliverable: Option<String>,
    #[serde(default)]
    pub group_id: Option<i64>,
    #[serde(default)]
    pub lead_unit_code: String,
    /// Codes of coordinating units.
    #[serde(default)]
    pub coordinating_unit_codes: Vec<String>,
    /// Outside partners (enterprises, associations) by name.
    #[serde(default)]
    pub partners: Vec<String>,
    #[serde(default)]
    pub start_date: Option<String>,
    /// `null` or absent for a regular task, as the API shows one.
    #[serde(default, deserialize_with = "text_or_null")]
    pub due_date: String,
    /// A regular task (nhiệm vụ thường xuyên): no deadline, reported each period. Any
    /// `due_date` sent with it is ignored.
    #[serde(default, deserialize_with = "flag")]
    pub regular: bool,
    /// A key task (nhiệm vụ trọng tâm), flagged by the plan's coordinator.
    #[serde(default, deserialize_with = "flag")]
    pub key_task: bool,
    /// Planned budget in đồng; text such as `1.250.000.000` is accepted.
    #[serde(default, deserialize_with = "number_or_text")]
    pub budget_planned: Option<String>,
    #[serde(default)]
    pub funding_source: Option<String>,
    #[serde(default)]
    pub acquisition_mode: Option<String>,
    #[serde(default)]
    pub assigned_doc_number: Option<String>,
    #[serde(default)]
    pub assigned_doc_date: Option<String>,
    #[serde(default)]
    pub assigned_doc_signer: Option<String>,
    /// The kind of the source document: `resolution`, `directive`, `conclusion_notice`,
    /// `decision`, `plan`, `official_letter`, `other` (or the Vietnamese name).
    #[serde(default)]
    pub assigned_doc_type: Option<String>,
    /// The numbered item of the source document the task comes from (`2.3`, `mục III.1`).
    #[serde(default)]
    pub assigned_doc_item: Option<String>,
}

/// Reads a yes/no field from JSON (`true`) or a form (a ticked box sends `on`, and a
/// hidden companion field may send `false` before it).
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrText {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<BoolOrText>::deserialize(d)? {
        None => false,
        Some(BoolOrText::Bool(b)) => b,
        Some(BoolOrText::Text(t)) => matches!(t.trim(), "on" | "true" | "1" | "yes"),
    })
}

/// Reads a text that may be `null` (as empty).
fn text_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// Accepts a JSON number or string for money fields.
fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Int(i64),
        Float(f64),
        Text(String),
    }
    Ok(Option::<NumOrText>::deserialize(d)?.map(|v| match v {
        NumOrText::Int(i) => i.to_string(),
        NumOrText::Float(f) => f.to_string(),
        NumOrText::Text(t) => t,
    }))
}

/// A task's fields, checked. Unit codes are resolved by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFields {
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub deliverable: Option<String>,
    pub group_id: Option<i64>,
    pub lead_unit_code: String,
    pub coordinating_unit_codes: Vec<String>,
    pub partners: Vec<String>,
    pub start_date: Option<Date>,
    /// [`NO_DEADLINE`] for a regular task.
    pub due_date: Date,
    pub key_task: bool,
    pub budget_planned: i64,
    pub funding_source: Option<String>,
    pub acquisition_mode: Option<AcquisitionMode>,
    pub assigned_doc_number: Option<String>,
    pub assigned_doc_date: Option<Date>,
    pub assigned_doc_signer: Option<String>,
    pub assigned_doc_type: Option<SourceDocType>,
    pub assigned_doc_item: Option<String>,
}

impl TaskFields {
    pub fn is_regular(&self) -> bool {
        is_regular(self.due_date)
    }
}

/// Largest budget accepted for one task: 10 000 billion đồng.
pub const BUDGET_MAX: i64 = 10_000_000_000_000;

/// Reads an amount of money in đồng, written as a number or Vietnamese text; blank,
/// `0` and `—` mean none.
pub fn check_money(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> i64 {
    let value = value.unwrap_or_default().trim();
    if value.is_empty() || value == "—" || value == "-" {
        return 0;
    }
    match parse_number_vi(value) {
        Some(v) if v < 0.0 => {
            errors.push(FieldError::new(field, Invalid::Negative));
            0
        }
        Some(v) if v > BUDGET_MAX as f64 => {
            errors.push(FieldError::new(field, Invalid::TooLarge));
            0
        }
        Some(v) => v.round() as i64,
        None => {
            errors.push(FieldError::new(field, Invalid::BadNumber));
            0
        }
    }
}

fn check_date_field(
    field: &str,
    value: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<Date> {
    let value = value.unwrap_or_default().trim();
    if value.is_empty() {
        return None;
    }
    let d = parse_date(value);
    if d.is_none() {
        errors.push(FieldError::new(field, Invalid::BadDate));
    }
    d
}

/// What plans write in the deadline column of a regular task: `Thường xuyên`, `Hằng năm`,
/// `Hàng quý`…
pub fn is_regular_word(s: &str) -> bool {
    matches!(
        crate::text::fold(s).as_str(),
        "thuong xuyen" | "hang nam" | "hang quy" | "hang thang" | "regular"
    )
}

pub fn validate_task(input: &TaskInput) -> Result<TaskFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = required_text("code", &input.code, 20, &mut errors);
    let title = required_text("title", &input.title, 500, &mut errors);
    let description = optional_text(
        "description",
        input.description.as_deref(),
        5000,
        &mut errors,
    );
    let deliverable = optional_text(
        "deliverable",
        input.deliverable.as_deref(),
        1000,
        &mut errors,
    );
    let lead_unit_code = required_text("lead_unit_code", &input.lead_unit_code, 32, &mut errors);
    let mut coordinating: Vec<String> = Vec::new();
    for code in &input.coordinating_unit_codes {
        let code = code.trim();
        if !code.is_empty() && code != lead_unit_code && !coordinating.iter().any(|c| c == code) {
            coordinating.push(code.to_string());
        }
    }
    if coordinating.len() > 200 {
        errors.push(FieldError::new(
            "coordinating_unit_codes",
            Invalid::TooLong { max: 200 },
        ));
    }
    let mut partners: Vec<String> = Vec::new();
    for p in &input.partners {
        if let Some(p) = optional_text("partners", Some(p), 200, &mut errors)
            && !partners.contains(&p)
        {
            partners.push(p);
        }
    }
    let start_date = check_date_field("start_date", input.start_date.as_deref(), &mut errors);
    let regular = input.regular || is_regular_word(&input.due_date);
    let due_date = if regular {
        Some(NO_DEADLINE)
    } else {
        match check_date_field("due_date", Some(&input.due_date), &mut errors) {
            Some(d) if is_regular(d) || d.year() > 2200 => {
                errors.push(FieldError::new("due_date", Invalid::BadDate));
                None
            }
            Some(d) => Some(d),
            None => {
                if input.due_date.trim().is_empty() {
                    errors.push(FieldError::new("due_date", Invalid::Required));
                }
                None
            }
        }
    };
    if let (Some(s), Some(d)) = (start_date, due_date)
        && d < s
    {
        errors.push(FieldError::new("due_date", Invalid::DueBeforeStart));
    }
    let budget_planned = check_money(
        "budget_planned",
        input.budget_planned.as_deref(),
        &mut errors,
    );
    let funding_source = optional_text(
        "funding_source",
        input.funding_source.as_deref(),
        200,
        &mut errors,
    );
    let acquisition_mode = match input
        .acquisition_mode
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => None,
        Some(m) => {
            let mode = AcquisitionMode::parse(m);
            if mode.is_none() {
                errors.push(FieldError::new("acquisition_mode", Invalid::BadFormat));
            }
            mode
        }
    };
    let assigned_doc_number = optional_text(
        "assigned_doc_number",
        input.assigned_doc_number.as_deref(),
        100,
        &mut errors,
    );
    let assigned_doc_date = check_date_field(
        "assigned_doc_date",
        input.assigned_doc_date.as_deref(),
        &mut errors,
    );
    let assigned_doc_signer = optional_text(
        "assigned_doc_signer",
        input.assigned_doc_signer.as_deref(),
        200,
        &mut errors,
    );
    let assigned_doc_type = match input
        .assigned_doc_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(t) => {
            let kind = SourceDocType::read(t);
            if kind.is_none() {
                errors.push(FieldError::new("assigned_doc_type", Invalid::NotOffered));
            }
            kind
        }
    };
    let assigned_doc_item = optional_text(
        "assigned_doc_item",
        input.assigned_doc_item.as_deref(),
        50,
        &mut errors,
    );
    match (errors.is_empty(), due_date) {
        (true, Some(due_date)) => Ok(TaskFields {
            code,
            title,
            description,
            deliverable,
            group_id: input.group_id,
            lead_unit_code,
            coordinating_unit_codes: coordinating,
            partners,
            start_date,
            due_date,
            key_task: input.key_task,
            budget_planned,
            funding_source,
            acquisition_mode,
            assigned_doc_number,
            assigned_doc_date,
            assigned_doc_signer,
            assigned_doc_type,
            assigned_doc_item,
        }),
        _ => Err(errors),
    }
}

/// A progress report as typed, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportInput {
    #[serde(default)]
    pub period: String,
    #[serde(default, deserialize_with = "number_or_text")]
    pub progress: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub obstacles: Option<String>,
    #[serde(default)]
    pub proposals: Option<String>,
    /// Disbursed so far, in đồng (cumulative).
    #[serde(default, deserialize_with = "number_or_text")]
    pub disbursed: Option<String>,
    /// When it was typed on a phone without a signal (RFC 3339), for a report sent later.
    #[serde(default)]
    pub entered_offline_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportFields {
    pub period: crate::period::Period,
    pub progress: i64,
    pub done: Option<String>,
    pub obstacles: Option<String>,
    pub proposals: Option<String>,
    pub disbursed: i64,
}

pub fn validate_report(input: &ReportInput) -> Result<ReportFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let period = match crate::period::Period::parse(&input.period) {
        Some(p @ (crate::period::Period::Month(..) | crate::period::Period::Quarter(..))) => {
            Some(p)
        }
        _ => {
            errors.push(FieldError::new("period", Invalid::BadPeriod));
            None
        }
    };
    let progress = match input
        .progress
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => {
            errors.push(FieldError::new("progress", Invalid::Required));
            0
        }
        Some(p) => match parse_number_vi(p.trim_end_matches('%')) {
            Some(v) if (0.0..=100.0).contains(&v) => v.round() as i64,
            _ => {
                errors.push(FieldError::new(
                    "progress",
                    Invalid::OutOfRange { min: 0, max: 100 },
                ));
                0
            }
        },
    };
    let done = optional_text("done", input.done.as_deref(), 5000, &mut errors);
    let obstacles = optional_text("obstacles", input.obstacles.as_deref(), 5000, &mut errors);
    let proposals = optional_text("proposals", input.proposals.as_deref(), 5000, &mut errors);
    let disbursed = check_money("disbursed", input.disbursed.as_deref(), &mut errors);
    match (errors.is_empty(), period) {
        (true, Some(period)) => Ok(ReportFields {
            period,
            progress,
            done,
            obstacles,
            proposals,
            disbursed,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskAction::*;
    use TaskStatus::*;
    use time::macros::date;

    #[test]
    fn the_workflow_allows_only_its_own_moves() {
        let to = |action: TaskAction, from: TaskStatus| {
            action.apply(TaskState::plain(from)).map(|s| s.status)
        };
        assert_eq!(to(Submit, Draft), Some(Submitted));
        assert_eq!(to(Submit, ChangesRequested), Some(Submitted));
        assert_eq!(to(RequestChanges, Submitted), Some(ChangesRequested));
        assert_eq!(to(Approve, Submitted), Some(Approved));
        assert_eq!(to(Start, Approved), Some(InProgress));
        for s in [Draft, Submitted, ChangesRequested, Approved, InProgress] {
            assert_eq!(to(Cancel, s), Some(Cancelled));
        }
        assert_eq!(to(Approve, Draft), None, "no approval without submission");
        assert_eq!(
            to(Complete, Approved),
            None,
            "work starts before it completes"
        );
        assert_eq!(to(Start, Submitted), None);
        assert_eq!(to(Cancel, Completed), None);
        assert_eq!(to(Submit, Cancelled), None);
        assert_eq!(
            TaskAction::available(TaskState::plain(Submitted)),
            vec![Approve, RequestChanges, Cancel]
        );
        assert!(TaskAction::available(TaskState::plain(Completed)).is_empty());
    }

    #[test]
    fn a_reported_completion_waits_for_the_assigner_who_confirms_or_sends_it_back() {
        let working = TaskState::plain(InProgress);
        let reported = Complete.apply(working).expect("the unit reports");
        assert_eq!(reported.status, InProgress, "not completed until confirmed");
        assert!(reported.completion_reported && reported.awaits_assigner());
        assert_eq!(
            TaskAction::available(reported),
            vec![ConfirmCompletion, RefuseCompletion, Cancel],
            "the unit makes no other move meanwhile"
        );
        assert_eq!(
            ConfirmCompletion.apply(reported),
            Some(TaskState::plain(Completed))
        );
        assert_eq!(RefuseCompletion.apply(reported), Some(working), "redo");
        assert_eq!(ConfirmCompletion.apply(working), None, "nothing to confirm");
        assert_eq!(Complete.apply(reported), None, "reported once");
    }

    #[test]
    fn a_unit_asks_to_hand_a_task_back_and_the_assigner_decides() {
        for status in [Draft, ChangesRequested, Approved, InProgress] {
            let asked = Decline.apply(TaskState::plain(status)).expect("may ask");
            assert_eq!(asked.status, status, "the task stays as it was");
            assert!(asked.decline_pending);
            assert_eq!(
                TaskAction::available(asked),
                vec![AcceptDecline, RejectDecline, Cancel]
            );
            assert_eq!(RejectDecline.apply(asked), Some(TaskState::plain(status)));
            assert_eq!(AcceptDecline.apply(asked), Some(TaskState::plain(status)));
        }
        for status in [Submitted, Completed, Cancelled] {
            assert_eq!(Decline.apply(TaskState::plain(status)), None, "{status:?}");
        }
        assert_eq!(AcceptDecline.apply(TaskState::plain(Approved)), None);
        assert!(AcceptDecline.needs_new_lead());
        assert!(Decline.needs_comment() && RejectDecline.needs_comment());
        assert!(RefuseCompletion.needs_comment());
    }

    #[test]
    fn each_move_needs_the_right_permission_and_comments_where_due() {
        assert_eq!(Submit.permission(), Action::SubmitUnitWork);
        assert_eq!(Approve.permission(), Action::ReviewWork);
        assert_eq!(Start.permission(), Action::EditUnitWork);
        assert!(
            RequestChanges.needs_comment() && Cancel.needs_comment() && Complete.needs_comment()
        );
        assert!(!Approve.needs_comment() && !Submit.needs_comment());
    }

    #[test]
    fn outcomes_follow_decision_42() {
        let due = date!(2025 - 06 - 30);
        let today = date!(2025 - 07 - 15);
        assert_eq!(
            Outcome::of(Completed, due, Some(date!(2025 - 06 - 30)), today),
            Outcome::CompletedOnTime
        );
        assert_eq!(
            Outcome::of(Completed, due, Some(date!(2025 - 07 - 01)), today),
            Outcome::CompletedLate
        );
        assert_eq!(
            Outcome::of(InProgress, due, None, today),
            Outcome::NotCompletedOverdue
        );
        assert_eq!(
            Outcome::of(InProgress, due, None, due),
            Outcome::NotCompletedWithinDeadline
        );
        assert_eq!(
            Outcome::of(Draft, due, None, today),
            Outcome::NotCompletedOverdue
        );
        assert_eq!(Outcome::of(Cancelled, due, None, today), Outcome::Cancelled);
    }

    #[test]
    fn codes_sort_naturally() {
        let mut codes = vec!["2.10", "2.9", "10.1", "2.1", "1"];
        codes.sort_by_key(|c| code_sort_key(c));
        assert_eq!(codes, ["1", "2.1", "2.9", "2.10", "10.1"]);
    }

    fn input() -> TaskInput {
        TaskInput {
            code: "2.1".into(),
            title: "Phủ sóng di động 4G các thôn lõm sóng".into(),
            lead_unit_code: "52-SKHCN2".into(),
            coordinating_unit_codes: vec![
                "542".into(),
                " 546 ".into(),
                "542".into(),
                "52-SKHCN2".into(),
            ],
            partners: vec!["Viettel Bình Định".into(), "".into()],
            start_date: Some("01/02/2025".into()),
            due_date: "30/09/2025".into(),
            budget_planned: Some("1.250.000.000".into()),
            acquisition_mode: Some("Thuê".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_task_is_normalised() {
        let t = validate_task(&input()).unwrap();
        assert_eq!(
            t.coordinating_unit_codes,
            ["542", "546"],
            "deduplicated, lead unit removed"
        );
        assert_eq!(t.partners, ["Viettel Bình Định"]);
        assert_eq!(t.budget_planned, 1_250_000_000);
        assert_eq!(t.acquisition_mode, Some(AcquisitionMode::Rent));
        assert_eq!(t.due_date, date!(2025 - 09 - 30));
    }

    #[test]
    fn bad_tasks_name_every_bad_field() {
        let mut i = input();
        i.title = String::new();
        i.due_date = "01/01/2025".into();
        i.budget_planned = Some("-5".into());
        i.acquisition_mode = Some("cho thuê lại".into());
        let fields: Vec<_> = validate_task(&i)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.invalid))
            .collect();
        assert_eq!(
            fields,
            [
                ("title".to_string(), Invalid::Required),
                ("due_date".to_string(), Invalid::DueBeforeStart),
                ("budget_planned".to_string(), Invalid::Negative),
                ("acquisition_mode".to_string(), Invalid::BadFormat),
            ]
        );
        let mut i = input();
        i.due_date = String::new();
        i.budget_planned = Some("nhiều tiền".into());
        let fields: Vec<_> = validate_task(&i)
            .unwrap_err()
            .into_iter()
            .map(|e| e.invalid)
            .collect();
        assert_eq!(fields, [Invalid::Required, Invalid::BadNumber]);
    }

    #[test]
    fn reports_check_period_and_progress() {
        let good = ReportInput {
            period: "2025Q2".into(),
            progress: Some("45%".into()),
            obstacles: Some("Thiếu kinh phí".into()),
            disbursed: Some("300.000.000".into()),
            ..Default::default()
        };
        let r = validate_report(&good).unwrap();
        assert_eq!((r.progress, r.disbursed), (45, 300_000_000));
        let bad = ReportInput {
            period: "2025".into(),
            progress: Some("120".into()),
            ..Default::default()
        };
        let errors: Vec<_> = validate_report(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(errors, ["period", "progress"]);
    }
}

#[cfg(test)]
mod powers_tests {
    use proptest::prelude::*;

    use super::*;

    fn rights() -> impl Strategy<Value = LeadRights> {
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(m, u, r)| LeadRights {
            manage_plans: m,
            unit_work: u,
            review: r,
        })
    }

    proptest! {
        #[test]
        fn no_power_without_its_right_and_none_on_a_closed_task_but_evidence(
            status in proptest::sample::select(TaskStatus::ALL.to_vec()),
            rights in rights(),
            pending in any::<bool>(),
        ) {
            let p = task_powers(status, false, rights, pending);
            if !rights.unit_work {
                prop_assert!(!p.report && !p.request_extension && !p.attach && !p.link_criteria);
            }
            if !rights.unit_work && !rights.manage_plans {
                prop_assert!(!p.edit);
            }
            if !rights.review {
                prop_assert!(!p.decide_extension);
            }
            if status.is_closed() {
                prop_assert!(!p.edit && !p.report && !p.request_extension);
            }
            // A second request never stacks on one awaiting a decision.
            prop_assert!(!(pending && p.request_extension));
            // More rights never take a power away.
            let all = task_powers(status, false, LeadRights::OPERATOR, pending);
            prop_assert!(!p.edit || all.edit);
            prop_assert!(!p.report || all.report);
            prop_assert!(!p.attach || all.attach);
        }
    }

    #[test]
    fn a_unit_edits_its_draft_but_not_an_agreed_task_which_a_coordinator_still_corrects() {
        let unit = LeadRights {
            unit_work: true,
            ..LeadRights::default()
        };
        let coordinator = LeadRights {
            manage_plans: true,
            ..LeadRights::default()
        };
        assert!(task_powers(TaskStatus::Draft, false, unit, false).edit);
        assert!(!task_powers(TaskStatus::Approved, false, unit, false).edit);
        assert!(task_powers(TaskStatus::Approved, false, coordinator, false).edit);
        assert!(!task_powers(TaskStatus::Completed, false, coordinator, false).edit);
    }

    fn day(s: &str) -> Date {
        crate::text::parse_date(s).expect("a date")
    }

    #[test]
    fn a_regular_task_has_no_deadline_to_miss_nor_to_extend() {
        let input = TaskInput {
            code: "1".into(),
            title: "Duy trì cổng dịch vụ công".into(),
            lead_unit_code: "STTTT".into(),
            due_date: "Thường xuyên".into(),
            ..TaskInput::default()
        };
        let fields = validate_task(&input).expect("valid");
        assert!(fields.is_regular());
        let ticked = TaskInput {
            regular: true,
            due_date: "31/12/2026".into(),
            ..input.clone()
        };
        assert_eq!(validate_task(&ticked).expect("valid").due_date, NO_DEADLINE);
        let far = TaskInput {
            due_date: "9999-12-31".into(),
            ..input
        };
        assert!(
            validate_task(&far).is_err(),
            "the mark cannot be typed as a date"
        );

        let today = day("2026-12-07");
        assert_eq!(
            Outcome::of(TaskStatus::InProgress, NO_DEADLINE, None, today),
            Outcome::NotCompletedWithinDeadline
        );
        assert_eq!(
            NationalBucket::of(TaskStatus::InProgress, NO_DEADLINE, today),
            Some(NationalBucket::Regular)
        );
        assert_eq!(
            DeadlineState::of(TaskStatus::InProgress, NO_DEADLINE, today, 3),
            DeadlineState::Regular
        );
        let unit = LeadRights {
            unit_work: true,
            ..LeadRights::default()
        };
        assert!(task_powers(TaskStatus::InProgress, false, unit, false).request_extension);
        assert!(!task_powers(TaskStatus::InProgress, true, unit, false).request_extension);
    }

    #[test]
    fn deadlines_turn_orange_within_the_days_set_then_red() {
        let due = day("2026-12-10");
        let state = |today: &str| DeadlineState::of(TaskStatus::InProgress, due, day(today), 3);
        assert_eq!(state("2026-12-06"), DeadlineState::OnTrack);
        assert_eq!(state("2026-12-07"), DeadlineState::DueSoon);
        assert_eq!(state("2026-12-10"), DeadlineState::DueSoon);
        assert_eq!(state("2026-12-11"), DeadlineState::Overdue);
        assert_eq!(
            DeadlineState::of(TaskStatus::Completed, due, day("2027-01-01"), 3),
            DeadlineState::Closed
        );
        assert_eq!(
            NationalBucket::of(TaskStatus::Approved, due, day("2026-12-11")),
            Some(NationalBucket::Overdue)
        );
        assert_eq!(
            NationalBucket::of(TaskStatus::Cancelled, due, day("2026-12-11")),
            None
        );
    }

    #[test]
    fn source_documents_are_read_by_code_name_or_abbreviation() {
        assert_eq!(
            SourceDocType::read("conclusion_notice"),
            Some(SourceDocType::ConclusionNotice)
        );
        assert_eq!(
            SourceDocType::read("Thông báo kết luận"),
            Some(SourceDocType::ConclusionNotice)
        );
        assert_eq!(
            SourceDocType::read("nghi quyet"),
            Some(SourceDocType::Resolution)
        );
        assert_eq!(SourceDocType::read("CT"), Some(SourceDocType::Directive));
        assert_eq!(SourceDocType::read("thư"), None);
        let input = TaskInput {
            code: "1".into(),
            title: "t".into(),
            lead_unit_code: "U".into(),
            due_date: "2026-12-31".into(),
            assigned_doc_type: Some("sắc lệnh".into()),
            ..TaskInput::default()
        };
        let errors = validate_task(&input).expect_err("unknown type");
        assert_eq!(errors[0].field, "assigned_doc_type");
    }
}
