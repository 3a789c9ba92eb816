//! A task list's query string, as the API and the task pages read it.

use dxplan_domain::Invalid;
use dxplan_domain::task::{AcquisitionMode, TaskStatus};
use dxplan_domain::text::parse_date;
use serde::{Deserialize, Serialize};

use dxplan_app::tasks::{TaskFilter, TaskQuery, TaskSort};
use dxplan_app::{AppError, AppResult};

/// The query string of a task list, shared by the API and the pages.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub pillar: Option<String>,
    /// Unit code: tasks led by this unit or one below it (or one it continues).
    #[serde(default)]
    pub unit: Option<String>,
    /// The day whose units `unit` names (`yyyy-mm-dd`). When absent: the unit holding the
    /// code today, or for a code no unit holds today, the last unit that held it (a
    /// district retired since still names its own tasks).
    #[serde(default)]
    pub at: Option<String>,
    /// One status or several separated by commas.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub overdue: Option<String>,
    /// `1`: only unfinished tasks whose deadline has not passed (regular tasks left out),
    /// as the national reports count "within the deadline".
    #[serde(default)]
    pub within: Option<String>,
    /// Only unfinished tasks due between today and this many days from now (0–366).
    #[serde(default)]
    pub due_within: Option<String>,
    #[serde(default)]
    pub due_before: Option<String>,
    #[serde(default)]
    pub due_after: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    /// `1`: only key tasks (nhiệm vụ trọng tâm).
    #[serde(default)]
    pub key: Option<String>,
    /// `1`: only regular tasks (no deadline); `0`: only tasks with a deadline.
    #[serde(default)]
    pub regular: Option<String>,
    /// Only tasks from the source document with this number (`45/KH-UBND`).
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub per_page: Option<String>,
    /// As on every list: at most `limit` tasks after the `next_cursor` of the previous
    /// page (the same as `per_page` and `page`).
    #[serde(default)]
    pub limit: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_id(field: &str, v: &Option<String>) -> AppResult<Option<i64>> {
    non_empty(v)
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| AppError::field(field, Invalid::BadFormat))
        })
        .transpose()
}

impl TaskListQuery {
    /// The list this query asks for, read without the database: the unit stays as typed
    /// for the use case to find (and the use case limits the list to what the user may
    /// read).
    pub fn to_query(&self) -> AppResult<TaskQuery> {
        let date = |field: &str, v: &Option<String>| -> AppResult<Option<time::Date>> {
            non_empty(v)
                .map(|s| parse_date(s).ok_or_else(|| AppError::field(field, Invalid::BadDate)))
                .transpose()
        };
        let statuses = match non_empty(&self.status) {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|s| {
                    TaskStatus::parse(s)
                        .ok_or_else(|| AppError::field("status", Invalid::BadFormat))
                })
                .collect::<Result<Vec<_>, AppError>>()?,
        };
        let acquisition_mode = non_empty(&self.mode)
            .map(|m| {
                AcquisitionMode::parse(m)
                    .map(|m| m.as_str().to_string())
                    .ok_or_else(|| AppError::field("mode", Invalid::BadFormat))
            })
            .transpose()?;
        let sort = match non_empty(&self.sort) {
            None => TaskSort::default(),
            Some(s) => {
                TaskSort::parse(s).ok_or_else(|| AppError::field("sort", Invalid::BadFormat))?
            }
        };
        let per_page = match parse_id("limit", &self.limit)? {
            Some(limit) => limit,
            None => parse_id("per_page", &self.per_page)?.unwrap_or(25),
        }
        .clamp(1, 200) as u32;
        let page = parse_id("page", &self.page)?.unwrap_or(1).clamp(1, 100_000) as u32;
        let offset = match non_empty(&self.cursor) {
            Some(cursor) => u32::try_from(super::paging::cursor_position(Some(cursor))?)
                .map_err(|_| AppError::field("cursor", Invalid::BadFormat))?,
            None => (page - 1) * per_page,
        };
        let yes_or_no = |field: &str, v: &Option<String>| -> AppResult<Option<bool>> {
            match non_empty(v) {
                None => Ok(None),
                Some("1" | "true" | "on" | "yes") => Ok(Some(true)),
                Some("0" | "false" | "off" | "no") => Ok(Some(false)),
                Some(_) => Err(AppError::field(field, Invalid::BadFormat)),
            }
        };
        let overdue = matches!(non_empty(&self.overdue), Some("1" | "true" | "on" | "yes"));
        let doc = non_empty(&self.doc)
            .map(|d| {
                (d.chars().count() <= 100)
                    .then(|| d.to_string())
                    .ok_or_else(|| AppError::field("doc", Invalid::TooLong { max: 100 }))
            })
            .transpose()?;
        Ok(TaskQuery {
            filter: TaskFilter {
                plan_id: parse_id("plan", &self.plan)?,
                group_id: parse_id("group", &self.group)?,
                pillar: non_empty(&self.pillar).map(str::to_string),
                statuses,
                overdue,
                within_deadline: yes_or_no("within", &self.within)? == Some(true),
                due_within_days: match parse_id("due_within", &self.due_within)? {
                    Some(days) if (0..=366).contains(&days) => Some(days),
                    Some(_) => {
                        return Err(AppError::field(
                            "due_within",
                            Invalid::OutOfRange { min: 0, max: 366 },
                        ));
                    }
                    None => None,
                },
                due_before: date("due_before", &self.due_before)?,
                due_after: date("due_after", &self.due_after)?,
                acquisition_mode,
                key_task: yes_or_no("key", &self.key)? == Some(true),
                regular: yes_or_no("regular", &self.regular)?,
                source_doc: doc,
                search: non_empty(&self.q).map(str::to_string),
                sort,
                offset,
                limit: per_page,
                // The use case sets whose tasks, which unit's subtree, and today.
                ..Default::default()
            },
            unit: self.unit.clone(),
            at: self.at.clone(),
        })
    }
}
