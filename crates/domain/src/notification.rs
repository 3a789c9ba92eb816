//! What people are told, and how it reads in both languages.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    TaskAssigned,
    TaskSubmitted,
    TaskApproved,
    TaskReturned,
    TaskCancelled,
    /// The unit reported a task completed: the assigner confirms it.
    CompletionReported,
    CompletionConfirmed,
    /// The assigner did not accept the product: to redo.
    CompletionRefused,
    /// The unit asks to hand a task back.
    DeclineRequested,
    /// The assigner did not take the task back: the unit carries on.
    DeclineRejected,
    ReportDue,
    DueSoon,
    Overdue,
    DataDue,
    /// A self-assessment's deadline is near (or reopened).
    AssessmentDue,
    AssessmentSubmitted,
    AssessmentAdjusted,
    AssessmentPublished,
    /// A leader or the coordinator asks the unit to explain something.
    ExplanationRequested,
    /// The unit answered: to the one who asked.
    ExplanationAnswered,
    /// The answer was not enough: asked again, with a new deadline.
    ExplanationAskedAgain,
    ExplanationAccepted,
    ExplanationWithdrawn,
    /// Unanswered past its deadline: raised to the unit's head.
    ExplanationOverdue,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::TaskAssigned => "task_assigned",
            NotificationKind::TaskSubmitted => "task_submitted",
            NotificationKind::TaskApproved => "task_approved",
            NotificationKind::TaskReturned => "task_returned",
            NotificationKind::TaskCancelled => "task_cancelled",
            NotificationKind::CompletionReported => "completion_reported",
            NotificationKind::CompletionConfirmed => "completion_confirmed",
            NotificationKind::CompletionRefused => "completion_refused",
            NotificationKind::DeclineRequested => "decline_requested",
            NotificationKind::DeclineRejected => "decline_rejected",
            NotificationKind::ReportDue => "report_due",
            NotificationKind::DueSoon => "due_soon",
            NotificationKind::Overdue => "overdue",
            NotificationKind::DataDue => "data_due",
            NotificationKind::AssessmentDue => "assessment_due",
            NotificationKind::AssessmentSubmitted => "assessment_submitted",
            NotificationKind::AssessmentAdjusted => "assessment_adjusted",
            NotificationKind::AssessmentPublished => "assessment_published",
            NotificationKind::ExplanationRequested => "explanation_requested",
            NotificationKind::ExplanationAnswered => "explanation_answered",
            NotificationKind::ExplanationAskedAgain => "explanation_asked_again",
            NotificationKind::ExplanationAccepted => "explanation_accepted",
            NotificationKind::ExplanationWithdrawn => "explanation_withdrawn",
            NotificationKind::ExplanationOverdue => "explanation_overdue",
        }
    }

    /// Whether the notice is urgent enough for a text message too (SMS or Zalo), beside
    /// the app and e-mail: something asked of the unit by a deadline, or a deadline passed.
    pub fn is_urgent(self) -> bool {
        matches!(
            self,
            NotificationKind::ExplanationRequested
                | NotificationKind::ExplanationAskedAgain
                | NotificationKind::ExplanationOverdue
                | NotificationKind::Overdue
        )
    }

    /// The notification's line, in Vietnamese and English, about a task (or what else it
    /// is about, given whole as the title with no code).
    pub fn titles(self, task_code: &str, task_title: &str, extra: &str) -> (String, String) {
        let t = format!("{task_code} {task_title}");
        let t = t.trim();
        match self {
            NotificationKind::TaskAssigned => (
                format!("Nhiệm vụ mới được giao: {t}"),
                format!("New task assigned: {t}"),
            ),
            NotificationKind::TaskSubmitted => (
                format!("Nhiệm vụ chờ thẩm định: {t}"),
                format!("Task awaiting review: {t}"),
            ),
            NotificationKind::TaskApproved => (
                format!("Nhiệm vụ đã được thống nhất: {t}"),
                format!("Task approved: {t}"),
            ),
            NotificationKind::TaskReturned => (
                format!("Nhiệm vụ cần chỉnh sửa: {t}. Ý kiến: {extra}"),
                format!("Changes requested on {t}. Comment: {extra}"),
            ),
            NotificationKind::TaskCancelled => (
                format!("Nhiệm vụ đã bị huỷ: {t}. Lý do: {extra}"),
                format!("Task cancelled: {t}. Reason: {extra}"),
            ),
            NotificationKind::CompletionReported => (
                format!("Đơn vị báo cáo hoàn thành, chờ xác nhận: {t}. Sản phẩm: {extra}"),
                format!("Completion reported, awaiting confirmation: {t}. Product: {extra}"),
            ),
            NotificationKind::CompletionConfirmed => (
                format!("Đã xác nhận hoàn thành: {t}"),
                format!("Completion confirmed: {t}"),
            ),
            NotificationKind::CompletionRefused => (
                format!("Chưa xác nhận hoàn thành, cần làm lại: {t}. Lý do: {extra}"),
                format!("Completion not confirmed, to redo: {t}. Reason: {extra}"),
            ),
            NotificationKind::DeclineRequested => (
                format!("Đơn vị đề nghị trả lại nhiệm vụ: {t}. Lý do: {extra}"),
                format!("The unit asks to hand back: {t}. Reason: {extra}"),
            ),
            NotificationKind::DeclineRejected => (
                format!(
                    "Không đồng ý trả lại nhiệm vụ, đơn vị tiếp tục thực hiện: {t}. Ý kiến: {extra}"
                ),
                format!("Hand-back refused, the unit carries on: {t}. Comment: {extra}"),
            ),
            NotificationKind::ReportDue => (
                format!("Đến kỳ báo cáo tiến độ {extra}: {t}"),
                format!("Progress report due for {extra}: {t}"),
            ),
            NotificationKind::DueSoon => (
                format!("Nhiệm vụ đến hạn ngày {extra}: {t}"),
                format!("Task due on {extra}: {t}"),
            ),
            NotificationKind::Overdue => (
                format!("Nhiệm vụ quá hạn từ ngày {extra}: {t}"),
                format!("Task overdue since {extra}: {t}"),
            ),
            NotificationKind::DataDue => (
                format!("Đề nghị gửi số liệu {extra}: {t}"),
                format!("Please send your figures for {extra}: {t}"),
            ),
            // For assessments the "task" is the round and the unit.
            NotificationKind::AssessmentDue => (
                format!("Hạn gửi tự đánh giá {extra}: {t}"),
                format!("Self-assessment due {extra}: {t}"),
            ),
            NotificationKind::AssessmentSubmitted => (
                format!("Bản tự đánh giá chờ thẩm định: {t}"),
                format!("Self-assessment awaiting verification: {t}"),
            ),
            NotificationKind::AssessmentAdjusted => (
                format!("Điểm tự đánh giá được điều chỉnh ({extra}): {t}"),
                format!("Self-assessed points adjusted ({extra}): {t}"),
            ),
            NotificationKind::AssessmentPublished => (
                format!("Đã công bố kết quả: {t}"),
                format!("Results published: {t}"),
            ),
            // For explanations the "task" is the unit and what it is asked about.
            NotificationKind::ExplanationRequested => (
                format!("Yêu cầu giải trình, hạn {extra}: {t}"),
                format!("Explanation requested by {extra}: {t}"),
            ),
            NotificationKind::ExplanationAnswered => (
                format!("Đơn vị đã giải trình, chờ xem xét: {t}"),
                format!("Explanation received, to read: {t}"),
            ),
            NotificationKind::ExplanationAskedAgain => (
                format!("Đề nghị giải trình thêm, hạn {extra}: {t}"),
                format!("Further explanation requested by {extra}: {t}"),
            ),
            NotificationKind::ExplanationAccepted => (
                format!("Giải trình đã được chấp nhận: {t}"),
                format!("Explanation accepted: {t}"),
            ),
            NotificationKind::ExplanationWithdrawn => (
                format!("Yêu cầu giải trình đã được rút: {t}"),
                format!("Explanation request withdrawn: {t}"),
            ),
            NotificationKind::ExplanationOverdue => (
                format!(
                    "Quá hạn giải trình từ ngày {extra}, đề nghị lãnh đạo đơn vị chỉ đạo trả lời: {t}"
                ),
                format!("Explanation overdue since {extra}, for the unit head's attention: {t}"),
            ),
        }
    }
}

/// How often someone wants e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailPref {
    Immediate,
    Digest,
    Off,
}

impl EmailPref {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailPref::Immediate => "immediate",
            EmailPref::Digest => "digest",
            EmailPref::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<EmailPref> {
        match s.trim() {
            "immediate" => Some(EmailPref::Immediate),
            "digest" => Some(EmailPref::Digest),
            "off" => Some(EmailPref::Off),
            _ => None,
        }
    }
}

/// Minutes to wait before the next try of a failed delivery: 1, 2, 4… capped at 6 hours.
pub fn retry_delay_minutes(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 16) as u32;
    (1i64 << exp).min(360)
}

/// After this many failed tries a delivery is given up and marked failed.
pub const MAX_ATTEMPTS: i64 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_and_cap() {
        let delays: Vec<i64> = (0..11).map(retry_delay_minutes).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]);
        assert_eq!(retry_delay_minutes(-3), 1);
    }

    #[test]
    fn titles_in_both_languages() {
        let (vi, en) =
            NotificationKind::TaskReturned.titles("9.1", "Chữ ký số", "Bổ sung chỉ tiêu");
        assert_eq!(
            vi,
            "Nhiệm vụ cần chỉnh sửa: 9.1 Chữ ký số. Ý kiến: Bổ sung chỉ tiêu"
        );
        assert!(en.starts_with("Changes requested on 9.1"));
        assert_eq!(EmailPref::parse("digest"), Some(EmailPref::Digest));
        assert_eq!(EmailPref::parse("weekly"), None);
    }
}
