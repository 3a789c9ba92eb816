//! Scheduled briefings: the one-page briefing or the progress report of a plan over a
//! unit's subtree, made on a schedule (a day of each week, or some days before each
//! steering session) and sent by e-mail to named people who may read that subtree.

use serde::{Deserialize, Serialize};
use time::{Date, Weekday};

use crate::i18n::Lang;
use crate::validation::{FieldError, Invalid, required_text};

/// Longest schedule title, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// Furthest ahead of a session a briefing may be sent, in days.
pub const MAX_DAYS_BEFORE_SESSION: i64 = 14;
/// The hour (Vietnam time) from which a day's briefings go out: on the desk at the start
/// of the working day.
pub const SEND_HOUR: u8 = 7;
/// Most people one schedule sends to.
pub const MAX_RECIPIENTS: usize = 50;

/// Which document a schedule sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Document {
    /// The one-page briefing for the steering committee (PDF).
    Briefing,
    /// The progress report in the Decree 30 layout, as PDF.
    ReportPdf,
    /// The progress report in Word, for editing before it is signed.
    ReportWord,
}

impl Document {
    pub const ALL: [Document; 3] = [
        Document::Briefing,
        Document::ReportPdf,
        Document::ReportWord,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Document::Briefing => "briefing",
            Document::ReportPdf => "report_pdf",
            Document::ReportWord => "report_word",
        }
    }

    pub fn parse(s: &str) -> Option<Document> {
        Document::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Document::Briefing => lang.pick(
                "Bản tóm tắt một trang cho Ban Chỉ đạo (PDF)",
                "One-page briefing for the steering committee (PDF)",
            ),
            Document::ReportPdf => lang.pick("Báo cáo tiến độ (PDF)", "Progress report (PDF)"),
            Document::ReportWord => lang.pick("Báo cáo tiến độ (Word)", "Progress report (Word)"),
        }
    }
}

impl TryFrom<String> for Document {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Document::parse(&s).ok_or_else(|| format!("unknown briefing document {s:?}"))
    }
}

/// When a schedule sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Every week on this day.
    Weekly(Weekday),
    /// This many days before each steering session of the plan (0: the session's morning).
    BeforeSession(i64),
}

/// The days of the week in the order a Vietnamese calendar lists them, Monday first.
pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// A day of the week by its number, Monday 1 to Sunday 7 (ISO 8601).
pub fn weekday_of(number: i64) -> Option<Weekday> {
    usize::try_from(number - 1)
        .ok()
        .and_then(|i| WEEKDAYS.get(i).copied())
}

/// A day of the week in words (`Thứ Hai`, `Chủ nhật`).
pub fn weekday_name(day: Weekday, lang: Lang) -> &'static str {
    match day {
        Weekday::Monday => lang.pick("Thứ Hai", "Monday"),
        Weekday::Tuesday => lang.pick("Thứ Ba", "Tuesday"),
        Weekday::Wednesday => lang.pick("Thứ Tư", "Wednesday"),
        Weekday::Thursday => lang.pick("Thứ Năm", "Thursday"),
        Weekday::Friday => lang.pick("Thứ Sáu", "Friday"),
        Weekday::Saturday => lang.pick("Thứ Bảy", "Saturday"),
        Weekday::Sunday => lang.pick("Chủ nhật", "Sunday"),
    }
}

impl Cadence {
    /// The stored pair: its kind, the weekday's number (Monday 1) or the days before.
    pub fn to_parts(self) -> (&'static str, i64) {
        match self {
            Cadence::Weekly(day) => ("weekly", i64::from(day.number_from_monday())),
            Cadence::BeforeSession(days) => ("before_session", days),
        }
    }

    /// Read back from its stored pair; `None` for a pair no validation lets through.
    pub fn from_parts(kind: &str, n: i64) -> Option<Cadence> {
        match kind {
            "weekly" => weekday_of(n).map(Cadence::Weekly),
            "before_session" if (0..=MAX_DAYS_BEFORE_SESSION).contains(&n) => {
                Some(Cadence::BeforeSession(n))
            }
            _ => None,
        }
    }

    /// Whether a briefing is due on `day`, given the days of the plan's steering sessions.
    pub fn due_on(self, day: Date, sessions: &[Date]) -> bool {
        match self {
            Cadence::Weekly(weekday) => day.weekday() == weekday,
            Cadence::BeforeSession(days) => sessions
                .iter()
                .any(|s| *s - time::Duration::days(days) == day),
        }
    }

    /// The next day on or after `from` a briefing is due, when there is one: a weekly
    /// schedule always has one; one tied to sessions needs a session planned far enough
    /// ahead.
    pub fn next_on_or_after(self, from: Date, sessions: &[Date]) -> Option<Date> {
        match self {
            Cadence::Weekly(weekday) => {
                let ahead = (i64::from(weekday.number_days_from_monday())
                    - i64::from(from.weekday().number_days_from_monday()))
                .rem_euclid(7);
                Some(from + time::Duration::days(ahead))
            }
            Cadence::BeforeSession(days) => sessions
                .iter()
                .map(|s| *s - time::Duration::days(days))
                .filter(|d| *d >= from)
                .min(),
        }
    }

    /// In words: `Thứ Hai hằng tuần`, `2 ngày trước mỗi phiên họp Ban Chỉ đạo`.
    pub fn describe(self, lang: Lang) -> String {
        match self {
            Cadence::Weekly(day) => lang.pick(
                format!("{} hằng tuần", weekday_name(day, lang)),
                format!("Every {}", weekday_name(day, lang)),
            ),
            Cadence::BeforeSession(0) => lang.pick(
                "Sáng ngày họp của mỗi phiên họp Ban Chỉ đạo".to_string(),
                "The morning of each steering committee session".to_string(),
            ),
            Cadence::BeforeSession(days) => lang.pick(
                format!("{days} ngày trước mỗi phiên họp Ban Chỉ đạo"),
                format!("{days} days before each steering committee session"),
            ),
        }
    }
}

/// A schedule as typed in a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleInput {
    /// What the recipients see as the e-mail's subject (`Tóm tắt tuần cho Ban Chỉ đạo`).
    #[serde(default)]
    pub title: String,
    /// `briefing`, `report_pdf` or `report_word`.
    #[serde(default)]
    pub document: String,
    /// `weekly` or `before_session`.
    #[serde(default)]
    pub cadence: String,
    /// For `weekly`: the day, Monday 1 to Sunday 7.
    #[serde(default)]
    pub weekday: Option<String>,
    /// For `before_session`: days before each session, 0 to 14.
    #[serde(default)]
    pub days_before: Option<String>,
}

/// A schedule's fields, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleFields {
    pub title: String,
    pub document: Document,
    pub cadence: Cadence,
}

/// A whole number typed in a field, or the error to show there.
fn whole_number(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<i64> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new(field, Invalid::Required));
            None
        }
        Some(text) => match text.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new(field, Invalid::BadNumber));
                None
            }
        },
    }
}

/// Checks a schedule: a title, one of the documents, and a cadence whose day is a day
/// of the week or a number of days from 0 to [`MAX_DAYS_BEFORE_SESSION`].
pub fn validate_schedule(input: &ScheduleInput) -> Result<ScheduleFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = required_text("title", &input.title, TITLE_MAX_CHARS, &mut errors);
    let document = match input.document.trim() {
        "" => {
            errors.push(FieldError::new("document", Invalid::Required));
            None
        }
        given => {
            let found = Document::parse(given);
            if found.is_none() {
                errors.push(FieldError::new("document", Invalid::NotOffered));
            }
            found
        }
    };
    let cadence = match input.cadence.trim() {
        "weekly" => whole_number("weekday", input.weekday.as_deref(), &mut errors).and_then(|n| {
            let day = weekday_of(n);
            if day.is_none() {
                errors.push(FieldError::new(
                    "weekday",
                    Invalid::OutOfRange { min: 1, max: 7 },
                ));
            }
            day.map(Cadence::Weekly)
        }),
        "before_session" => whole_number("days_before", input.days_before.as_deref(), &mut errors)
            .and_then(|n| {
                if (0..=MAX_DAYS_BEFORE_SESSION).contains(&n) {
                    Some(Cadence::BeforeSession(n))
                } else {
                    errors.push(FieldError::new(
                        "days_before",
                        Invalid::OutOfRange {
                            min: 0,
                            max: MAX_DAYS_BEFORE_SESSION,
                        },
                    ));
                    None
                }
            }),
        "" => {
            errors.push(FieldError::new("cadence", Invalid::Required));
            None
        }
        _ => {
            errors.push(FieldError::new("cadence", Invalid::NotOffered));
            None
        }
    };
    match (document, cadence) {
        (Some(document), Some(cadence)) if errors.is_empty() => Ok(ScheduleFields {
            title,
            document,
            cadence,
        }),
        _ => Err(errors),
    }
}

/// Why a recipient was not sent a briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Skipped {
    /// The account no longer may read the schedule's subtree.
    NoRights,
    /// The account has no e-mail address.
    NoEmail,
    /// The account was deactivated.
    Inactive,
}

impl Skipped {
    pub fn as_str(self) -> &'static str {
        match self {
            Skipped::NoRights => "no_rights",
            Skipped::NoEmail => "no_email",
            Skipped::Inactive => "inactive",
        }
    }

    pub fn parse(s: &str) -> Option<Skipped> {
        [Skipped::NoRights, Skipped::NoEmail, Skipped::Inactive]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Skipped::NoRights => lang.pick(
                "Không gửi: tài khoản không còn quyền xem phạm vi này",
                "Not sent: the account may no longer read this scope",
            ),
            Skipped::NoEmail => lang.pick(
                "Không gửi: tài khoản chưa có địa chỉ thư điện tử",
                "Not sent: the account has no e-mail address",
            ),
            Skipped::Inactive => lang.pick(
                "Không gửi: tài khoản đã bị khóa",
                "Not sent: the account is deactivated",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input(cadence: &str, weekday: Option<&str>, days: Option<&str>) -> ScheduleInput {
        ScheduleInput {
            title: "Tóm tắt tuần".into(),
            document: "briefing".into(),
            cadence: cadence.into(),
            weekday: weekday.map(Into::into),
            days_before: days.map(Into::into),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<(String, Invalid)> {
        errors
            .into_iter()
            .map(|e| (e.field.clone(), e.invalid.clone()))
            .collect()
    }

    #[test]
    fn a_weekly_schedule_is_due_on_its_day_and_next_on_the_coming_one() {
        let fields = validate_schedule(&input("weekly", Some("1"), None)).unwrap();
        assert_eq!(fields.cadence, Cadence::Weekly(Weekday::Monday));
        // 7 December 2026 is a Monday.
        assert!(fields.cadence.due_on(date!(2026 - 12 - 07), &[]));
        assert!(!fields.cadence.due_on(date!(2026 - 12 - 08), &[]));
        assert_eq!(
            fields.cadence.next_on_or_after(date!(2026 - 12 - 08), &[]),
            Some(date!(2026 - 12 - 14))
        );
        assert_eq!(
            fields.cadence.next_on_or_after(date!(2026 - 12 - 07), &[]),
            Some(date!(2026 - 12 - 07))
        );
        assert_eq!(fields.cadence.describe(Lang::Vi), "Thứ Hai hằng tuần");
        assert_eq!(
            Cadence::from_parts("weekly", 7),
            Some(Cadence::Weekly(Weekday::Sunday))
        );
    }

    #[test]
    fn a_schedule_before_sessions_is_due_that_many_days_before_each_and_waits_without_one() {
        let cadence = validate_schedule(&input("before_session", None, Some(" 2 ")))
            .unwrap()
            .cadence;
        let sessions = [date!(2026 - 12 - 15), date!(2027 - 01 - 20)];
        assert!(cadence.due_on(date!(2026 - 12 - 13), &sessions));
        assert!(!cadence.due_on(date!(2026 - 12 - 15), &sessions));
        assert_eq!(
            cadence.next_on_or_after(date!(2026 - 12 - 14), &sessions),
            Some(date!(2027 - 01 - 18))
        );
        assert_eq!(cadence.next_on_or_after(date!(2026 - 12 - 14), &[]), None);
        assert_eq!(
            cadence.describe(Lang::Vi),
            "2 ngày trước mỗi phiên họp Ban Chỉ đạo"
        );
        assert_eq!(Cadence::from_parts("before_session", 15), None);
    }

    #[test]
    fn every_bad_field_is_named() {
        assert_eq!(
            fields(
                validate_schedule(&ScheduleInput {
                    title: " ".into(),
                    document: "xlsx".into(),
                    cadence: "daily".into(),
                    ..ScheduleInput::default()
                })
                .unwrap_err()
            ),
            [
                ("title".to_string(), Invalid::Required),
                ("document".to_string(), Invalid::NotOffered),
                ("cadence".to_string(), Invalid::NotOffered),
            ]
        );
        assert_eq!(
            fields(validate_schedule(&input("weekly", Some("8"), None)).unwrap_err()),
            [(
                "weekday".to_string(),
                Invalid::OutOfRange { min: 1, max: 7 }
            )]
        );
        assert_eq!(
            fields(validate_schedule(&input("weekly", Some("thứ hai"), None)).unwrap_err()),
            [("weekday".to_string(), Invalid::BadNumber)]
        );
        assert_eq!(
            fields(validate_schedule(&input("before_session", None, Some("-1"))).unwrap_err()),
            [(
                "days_before".to_string(),
                Invalid::OutOfRange { min: 0, max: 14 }
            )]
        );
        assert_eq!(
            fields(validate_schedule(&input("before_session", Some("1"), None)).unwrap_err()),
            [("days_before".to_string(), Invalid::Required)]
        );
    }
}
