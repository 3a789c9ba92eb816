//! Explanation requests (yêu cầu giải trình): a leader or the programme's coordinator asks
//! a unit to explain a figure, a task or the unit's work as a whole, by a deadline; the
//! unit answers with text and evidence; the one who asked accepts the answer or asks
//! again. A request left unanswered past its deadline is raised to the unit's head once.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::i18n::Lang;
use crate::text::parse_date;
use crate::validation::{FieldError, Invalid, required_text};

/// Longest question, in characters.
pub const QUESTION_MAX_CHARS: usize = 2000;
/// Longest answer, in characters (an answer is a short report).
pub const ANSWER_MAX_CHARS: usize = 5000;
/// Furthest a deadline may be set, in days from today.
pub const MAX_DAYS_TO_ANSWER: i64 = 90;
/// The deadline a form suggests, in days from today.
pub const DEFAULT_DAYS_TO_ANSWER: i64 = 7;

/// What a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A unit's figure of an indicator for a period.
    Figure,
    /// A task, asked of its lead unit.
    Task,
    /// The unit's work as a whole (its score, its late reports).
    Unit,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Figure => "figure",
            Subject::Task => "task",
            Subject::Unit => "unit",
        }
    }

    pub fn parse(s: &str) -> Option<Subject> {
        [Subject::Figure, Subject::Task, Subject::Unit]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Subject::Figure => lang.pick("Số liệu chỉ tiêu", "Indicator figure"),
            Subject::Task => lang.pick("Nhiệm vụ", "Task"),
            Subject::Unit => lang.pick("Đơn vị", "Unit"),
        }
    }
}

impl TryFrom<String> for Subject {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Subject::parse(&s).ok_or_else(|| format!("unknown explanation subject {s:?}"))
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the unit's answer.
    Awaiting,
    /// Answered: waiting for the one who asked to read it.
    Answered,
    /// The answer was accepted: closed.
    Accepted,
    /// Taken back by the side that asked, before any answer.
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Awaiting,
        Status::Answered,
        Status::Accepted,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Awaiting => "awaiting",
            Status::Answered => "answered",
            Status::Accepted => "accepted",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The status in words; an awaited request past its deadline says so.
    pub fn label(self, overdue: bool, lang: Lang) -> &'static str {
        match self {
            Status::Awaiting if overdue => lang.pick("Quá hạn, chưa giải trình", "Overdue"),
            Status::Awaiting => lang.pick("Chờ đơn vị giải trình", "Awaiting the unit"),
            Status::Answered => lang.pick("Đã giải trình, chờ xem xét", "Answered, to read"),
            Status::Accepted => lang.pick("Đã chấp nhận giải trình", "Accepted"),
            Status::Withdrawn => lang.pick("Đã rút yêu cầu", "Withdrawn"),
        }
    }

    /// Whether the request is still followed (on somebody's list of things to do).
    pub fn is_open(self) -> bool {
        matches!(self, Status::Awaiting | Status::Answered)
    }

    /// Whether an awaited request's deadline has passed.
    pub fn is_overdue(self, deadline: Date, today: Date) -> bool {
        self == Status::Awaiting && deadline < today
    }
}

impl TryFrom<String> for Status {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Status::parse(&s).ok_or_else(|| format!("unknown explanation status {s:?}"))
    }
}

/// What can be done to a request, and by whom: the unit answers; the side that asked
/// accepts, asks again or withdraws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Answer,
    Accept,
    AskAgain,
    Withdraw,
}

impl Step {
    /// The status after the step, or `None` when the step does not apply now.
    pub fn after(self, now: Status) -> Option<Status> {
        match (self, now) {
            (Step::Answer, Status::Awaiting) => Some(Status::Answered),
            (Step::Accept, Status::Answered) => Some(Status::Accepted),
            (Step::AskAgain, Status::Answered) => Some(Status::Awaiting),
            (Step::Withdraw, Status::Awaiting) => Some(Status::Withdrawn),
            _ => None,
        }
    }

    /// Why the step cannot be taken, in words, when it does not apply to `now`.
    pub fn refusal(self, now: Status) -> (&'static str, &'static str) {
        match (self, now) {
            (Step::Answer, Status::Answered) => (
                "Đơn vị đã giải trình; chờ người yêu cầu xem xét.",
                "Already answered: waiting for the reader.",
            ),
            (Step::Answer | Step::Withdraw, _) | (_, Status::Accepted | Status::Withdrawn) => (
                "Yêu cầu giải trình đã kết thúc.",
                "This explanation request is closed.",
            ),
            _ => (
                "Đơn vị chưa giải trình; chưa thể xem xét.",
                "Not answered yet: nothing to read.",
            ),
        }
    }

    /// The word a message of this step is filed under.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Answer => "answer",
            Step::Accept => "accept",
            Step::AskAgain => "ask_again",
            Step::Withdraw => "withdraw",
        }
    }
}

/// A request as the one asking writes it. Which unit, task or indicator it is about is
/// given beside it (by the page it is asked from, or the API's fields).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// `figure`, `task` or `unit`.
    #[serde(default)]
    pub subject: String,
    /// The unit's code (a figure or a unit; a task's is its lead unit).
    #[serde(default)]
    pub unit: String,
    /// The task, when the subject is a task.
    #[serde(default)]
    pub task_id: Option<i64>,
    /// The indicator's code, when the subject is a figure.
    #[serde(default)]
    pub indicator: String,
    /// The period of the figure (`2026-Q3`, `2026-09`, `2026`).
    #[serde(default)]
    pub period: String,
    /// What is to be explained.
    #[serde(default)]
    pub question: String,
    /// The day the answer is due (`2026-12-15` or `15/12/2026`).
    #[serde(default)]
    pub deadline: String,
}

/// A question and its deadline, checked: asked first or asked again.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub text: String,
    pub deadline: Date,
}

/// Checks a question and its deadline against today: the deadline falls today or later,
/// and no more than [`MAX_DAYS_TO_ANSWER`] days ahead.
pub fn validate_question(
    question: &str,
    deadline: &str,
    today: Date,
) -> Result<Question, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = required_text("question", question, QUESTION_MAX_CHARS, &mut errors);
    let deadline = match deadline.trim() {
        "" => {
            errors.push(FieldError::new("deadline", Invalid::Required));
            None
        }
        given => match parse_date(given) {
            None => {
                errors.push(FieldError::new("deadline", Invalid::BadDate));
                None
            }
            Some(day) if day < today => {
                errors.push(FieldError::new("deadline", Invalid::InPast));
                None
            }
            Some(day) if (day - today).whole_days() > MAX_DAYS_TO_ANSWER => {
                errors.push(FieldError::new(
                    "deadline",
                    Invalid::TooFarAhead {
                        days: MAX_DAYS_TO_ANSWER,
                    },
                ));
                None
            }
            Some(day) => Some(day),
        },
    };
    match deadline {
        Some(deadline) if errors.is_empty() => Ok(Question { text, deadline }),
        _ => Err(errors),
    }
}

/// Checks an answer's text.
pub fn validate_answer(text: &str) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = required_text("answer", text, ANSWER_MAX_CHARS, &mut errors);
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn the_unit_answers_then_the_asker_accepts_or_asks_again() {
        assert_eq!(Step::Answer.after(Status::Awaiting), Some(Status::Answered));
        assert_eq!(Step::Accept.after(Status::Answered), Some(Status::Accepted));
        assert_eq!(
            Step::AskAgain.after(Status::Answered),
            Some(Status::Awaiting)
        );
        assert_eq!(
            Step::Withdraw.after(Status::Awaiting),
            Some(Status::Withdrawn)
        );
        // Nothing to accept before an answer; no second answer; nothing after the end.
        assert_eq!(Step::Accept.after(Status::Awaiting), None);
        assert_eq!(Step::Answer.after(Status::Answered), None);
        assert_eq!(Step::Withdraw.after(Status::Answered), None);
        for step in [Step::Answer, Step::Accept, Step::AskAgain, Step::Withdraw] {
            assert_eq!(step.after(Status::Accepted), None);
            assert_eq!(step.after(Status::Withdrawn), None);
        }
        assert_eq!(
            Step::Accept.refusal(Status::Awaiting).0,
            "Đơn vị chưa giải trình; chưa thể xem xét."
        );
        assert_eq!(
            Step::Answer.refusal(Status::Accepted).0,
            "Yêu cầu giải trình đã kết thúc."
        );
    }

    #[test]
    fn overdue_only_while_awaited_and_past_the_deadline() {
        let yesterday = date!(2026 - 12 - 06);
        assert!(Status::Awaiting.is_overdue(yesterday, TODAY));
        assert!(!Status::Awaiting.is_overdue(TODAY, TODAY));
        assert!(!Status::Answered.is_overdue(yesterday, TODAY));
        assert_eq!(
            Status::Awaiting.label(true, Lang::Vi),
            "Quá hạn, chưa giải trình"
        );
    }

    #[test]
    fn a_question_needs_words_and_a_deadline_within_reach() {
        let q = validate_question("  Vì sao tỷ lệ thấp?  ", "15/12/2026", TODAY).unwrap();
        assert_eq!(q.text, "Vì sao tỷ lệ thấp?");
        assert_eq!(q.deadline, date!(2026 - 12 - 15));
        assert!(validate_question("Hôm nay", "2026-12-07", TODAY).is_ok());
        let fields = |r: Result<Question, Vec<FieldError>>| -> Vec<(String, Invalid)> {
            r.unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.invalid))
                .collect()
        };
        assert_eq!(
            fields(validate_question(" ", "", TODAY)),
            [
                ("question".to_string(), Invalid::Required),
                ("deadline".to_string(), Invalid::Required)
            ]
        );
        assert_eq!(
            fields(validate_question("?", "2026-12-06", TODAY)),
            [("deadline".to_string(), Invalid::InPast)]
        );
        assert_eq!(
            fields(validate_question("?", "2027-03-08", TODAY)),
            [("deadline".to_string(), Invalid::TooFarAhead { days: 90 })]
        );
        assert_eq!(
            fields(validate_question("?", "31/02/2027", TODAY)),
            [("deadline".to_string(), Invalid::BadDate)]
        );
        let long = "a".repeat(QUESTION_MAX_CHARS + 1);
        assert_eq!(
            fields(validate_question(&long, "2026-12-08", TODAY)),
            [(
                "question".to_string(),
                Invalid::TooLong {
                    max: QUESTION_MAX_CHARS
                }
            )]
        );
        assert!(validate_answer("\0").is_err());
        assert!(validate_answer("Do thiếu kinh phí.").is_ok());
    }
}
