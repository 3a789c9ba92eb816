//! Steering committee sessions (phiên họp Ban Chỉ đạo): a session's numbered conclusions,
//! what became of each (tasks assigned, done, closed) and which stay open for the next
//! session's briefing.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::i18n::Lang;
use crate::text::parse_date;
use crate::validation::{FieldError, Invalid, required_text};

/// Most conclusions one session records.
pub const MAX_CONCLUSIONS: usize = 60;
/// Longest conclusion, in characters (a conclusion notice's item is a paragraph).
pub const CONCLUSION_MAX_CHARS: usize = 2000;

/// Where a conclusion stands, from its tasks and whether it was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConclusionStatus {
    /// Some of its tasks are past their deadline and not completed.
    Overdue,
    /// No task was assigned from it yet and it was not closed.
    Unassigned,
    /// Its tasks are under way within their deadlines.
    InProgress,
    /// Every task assigned from it is completed.
    Done,
    /// Closed by the coordinator without (further) tasks, with a note.
    Closed,
}

/// What a conclusion's tasks count (cancelled tasks left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConclusionTally {
    pub tasks: i64,
    pub completed: i64,
    pub overdue: i64,
}

impl ConclusionStatus {
    pub fn of(closed: bool, tally: ConclusionTally) -> ConclusionStatus {
        if closed {
            ConclusionStatus::Closed
        } else if tally.tasks == 0 {
            ConclusionStatus::Unassigned
        } else if tally.completed == tally.tasks {
            ConclusionStatus::Done
        } else if tally.overdue > 0 {
            ConclusionStatus::Overdue
        } else {
            ConclusionStatus::InProgress
        }
    }

    /// Still to be followed at the next session: carried forward in its briefing.
    pub fn is_open(self) -> bool {
        !matches!(self, ConclusionStatus::Done | ConclusionStatus::Closed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConclusionStatus::Overdue => "overdue",
            ConclusionStatus::Unassigned => "unassigned",
            ConclusionStatus::InProgress => "in_progress",
            ConclusionStatus::Done => "done",
            ConclusionStatus::Closed => "closed",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ConclusionStatus::Overdue => lang.pick("Có nhiệm vụ quá hạn", "Has overdue tasks"),
            ConclusionStatus::Unassigned => lang.pick("Chưa giao nhiệm vụ", "No task assigned yet"),
            ConclusionStatus::InProgress => lang.pick("Đang thực hiện", "In progress"),
            ConclusionStatus::Done => lang.pick("Đã hoàn thành", "Done"),
            ConclusionStatus::Closed => lang.pick("Đã đóng", "Closed"),
        }
    }
}

/// A session as the coordinator records it after the meeting.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    /// The day it was held (`2026-03-15` or `15/03/2026`).
    #[serde(default)]
    pub held_on: String,
    /// `Phiên họp thứ nhất năm 2026 của Ban Chỉ đạo…`
    #[serde(default)]
    pub title: String,
    /// Who chaired it, as the notice names them (`đồng chí Nguyễn Văn A, Chủ tịch UBND tỉnh`).
    #[serde(default)]
    pub chair: String,
    /// Who attended, as the notice lists them.
    #[serde(default)]
    pub attendees: String,
    /// The conclusions in order, numbered 1, 2, … as given.
    #[serde(default)]
    pub conclusions: Vec<String>,
}

/// A session's fields, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionFields {
    pub held_on: Date,
    pub title: String,
    pub chair: String,
    pub attendees: String,
    pub conclusions: Vec<String>,
}

/// Checks one conclusion's text.
pub fn conclusion_text(field: &str, text: &str, errors: &mut Vec<FieldError>) -> String {
    required_text(field, text, CONCLUSION_MAX_CHARS, errors)
}

pub fn validate_session(input: &SessionInput) -> Result<SessionFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let held_on = match input.held_on.trim() {
        "" => {
            errors.push(FieldError::new("held_on", Invalid::Required));
            None
        }
        text => {
            let day = parse_date(text);
            if day.is_none() {
                errors.push(FieldError::new("held_on", Invalid::BadDate));
            }
            day
        }
    };
    let title = required_text("title", &input.title, 300, &mut errors);
    let chair = required_text("chair", &input.chair, 300, &mut errors);
    let attendees = required_text("attendees", &input.attendees, 3000, &mut errors);
    let given: Vec<&String> = input
        .conclusions
        .iter()
        .filter(|c| !c.trim().is_empty())
        .collect();
    if given.len() > MAX_CONCLUSIONS {
        errors.push(FieldError::new(
            "conclusions",
            Invalid::TooMany {
                max: MAX_CONCLUSIONS,
            },
        ));
    }
    let conclusions = given
        .into_iter()
        .take(MAX_CONCLUSIONS)
        .map(|c| conclusion_text("conclusions", c, &mut errors))
        .collect();
    match held_on {
        Some(held_on) if errors.is_empty() => Ok(SessionFields {
            held_on,
            title,
            chair,
            attendees,
            conclusions,
        }),
        _ => Err(errors),
    }
}

/// The conclusions typed one a line (a form's text area): empty lines are skipped, and a
/// leading `1.` or `2)` the writer typed is dropped, since the session numbers them.
pub fn conclusions_from_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let line = line.trim();
            let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let rest = &line[digits..];
            match rest.strip_prefix(['.', ')']) {
                Some(after) if digits > 0 => after.trim().to_string(),
                _ => line.to_string(),
            }
        })
        .filter(|line| !line.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(tasks: i64, completed: i64, overdue: i64) -> ConclusionTally {
        ConclusionTally {
            tasks,
            completed,
            overdue,
        }
    }

    #[test]
    fn a_conclusion_is_open_until_its_tasks_are_done_or_it_is_closed() {
        use ConclusionStatus::*;
        assert_eq!(ConclusionStatus::of(false, tally(0, 0, 0)), Unassigned);
        assert_eq!(ConclusionStatus::of(false, tally(2, 1, 0)), InProgress);
        assert_eq!(ConclusionStatus::of(false, tally(2, 1, 1)), Overdue);
        assert_eq!(ConclusionStatus::of(false, tally(2, 2, 0)), Done);
        // Closed by hand even with a task still running: the coordinator's word stands.
        assert_eq!(ConclusionStatus::of(true, tally(2, 1, 1)), Closed);
        assert!(Unassigned.is_open() && InProgress.is_open() && Overdue.is_open());
        assert!(!Done.is_open() && !Closed.is_open());
    }

    #[test]
    fn typed_conclusions_lose_their_numbers_and_blank_lines() {
        assert_eq!(
            conclusions_from_lines(
                "1. Sở KH&CN tham mưu\n\n 2) Các xã hoàn thành\nGiao Sở TC\n2026 là năm"
            ),
            vec![
                "Sở KH&CN tham mưu",
                "Các xã hoàn thành",
                "Giao Sở TC",
                "2026 là năm"
            ]
        );
    }

    #[test]
    fn a_session_needs_its_day_chair_and_attendees() {
        let errors = validate_session(&SessionInput {
            held_on: "31/02/2026".into(),
            conclusions: vec!["x".repeat(CONCLUSION_MAX_CHARS + 1)],
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["held_on", "title", "chair", "attendees", "conclusions"]
        );
        let ok = validate_session(&SessionInput {
            held_on: "15/03/2026".into(),
            title: " Phiên họp thứ nhất ".into(),
            chair: "Chủ tịch UBND tỉnh".into(),
            attendees: "Các thành viên Ban Chỉ đạo".into(),
            conclusions: vec!["".into(), "Giao Sở KH&CN".into()],
        })
        .unwrap();
        assert_eq!(ok.title, "Phiên họp thứ nhất");
        assert_eq!(ok.conclusions, vec!["Giao Sở KH&CN"]);
    }
}
