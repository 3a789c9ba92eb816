//! Tasks, their coordinating units and partners, the workflow's events, deadline
//! extensions and progress reports.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::task::{
    SourceDocType, TaskFields, TaskState, TaskStatus, code_sort_key, is_regular,
};
use dxplan_domain::text::fold;

use crate::macros::q;
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: i64,
    pub plan_id: i64,
    pub group_id: Option<i64>,
    pub group_code: Option<String>,
    pub group_name: Option<String>,
    pub pillar_code: Option<String>,
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub deliverable: Option<String>,
    pub lead_unit_id: i64,
    pub lead_unit_code: String,
    pub lead_unit_name: String,
    /// Outside partners: stored one per line, shown as a list.
    #[serde(serialize_with = "partners_as_list")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub partners: Option<String>,
    pub start_date: Option<Date>,
    /// None for a regular task, which has no deadline.
    #[serde(serialize_with = "deadline")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Date>))]
    pub due_date: Date,
    #[serde(serialize_with = "deadline")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Date>))]
    pub original_due_date: Date,
    /// A regular task (nhiệm vụ thường xuyên): no deadline, reported each period.
    pub regular: bool,
    /// A key task (nhiệm vụ trọng tâm).
    pub key_task: bool,
    pub budget_planned: i64,
    pub budget_disbursed: i64,
    pub funding_source: Option<String>,
    pub acquisition_mode: Option<String>,
    pub progress: i64,
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
    pub completed_on: Option<Date>,
    /// The day the unit reported it completed, while the assigner has yet to confirm.
    pub completion_reported_on: Option<Date>,
    /// The day the unit asked to hand it back, while the assigner has yet to decide.
    pub decline_requested_on: Option<Date>,
    /// The officer responsible for it (Decree 335 scores them on it).
    pub officer_id: Option<i64>,
    pub officer_name: Option<String>,
    /// Why its delay does not count against the unit, as the coordinator confirmed it.
    pub delay_exempt_reason: Option<String>,
    pub delay_exempted_by: Option<String>,
    pub assigned_doc_number: Option<String>,
    pub assigned_doc_date: Option<Date>,
    pub assigned_doc_signer: Option<String>,
    /// `resolution`, `directive`, `conclusion_notice`, `decision`, `plan`,
    /// `official_letter` or `other`.
    pub assigned_doc_type: Option<String>,
    /// The numbered item of the source document the task comes from.
    pub assigned_doc_item: Option<String>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

pub(crate) fn deadline<S: serde::Serializer>(
    due: &Date,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    if is_regular(*due) {
        s.serialize_none()
    } else {
        s.serialize_some(due)
    }
}

impl Task {
    /// Its standing in the workflow, with what waits on the assigner.
    pub fn state(&self) -> TaskState {
        TaskState {
            status: self.status,
            completion_reported: self.completion_reported_on.is_some(),
            decline_pending: self.decline_requested_on.is_some(),
        }
    }

    pub fn source_doc_type(&self) -> Option<SourceDocType> {
        self.assigned_doc_type
            .as_deref()
            .and_then(SourceDocType::parse)
    }

    pub fn partner_list(&self) -> Vec<&str> {
        self.partners
            .as_deref()
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }
}

macro_rules! select_tasks {
    () => {
        "SELECT t.id, t.plan_id, t.group_id, g.code AS group_code, g.name AS group_name, g.pillar_code,
                t.code, t.title, t.description, t.deliverable, t.lead_unit_id, u.code AS lead_unit_code,
                u.name AS lead_unit_name, t.partners, t.start_date, t.due_date, t.original_due_date,
                (t.due_date >= '9999-12-31') AS regular, t.key_task, t.budget_planned, t.budget_disbursed, t.funding_source, t.acquisition_mode, t.progress, t.status,
                t.completed_on, t.completion_reported_on, t.decline_requested_on, t.officer_id,
                (SELECT o.display_name FROM users o WHERE o.id = t.officer_id) AS officer_name,
                t.delay_exempt_reason, t.delay_exempted_by, t.assigned_doc_number, t.assigned_doc_date, t.assigned_doc_signer,
                t.assigned_doc_type, t.assigned_doc_item, t.version, t.updated_at
         FROM tasks t JOIN org_units u ON u.id = t.lead_unit_id LEFT JOIN task_groups g ON g.id = t.group_id "
    };
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Task> {
    Ok(q!(c, |x| sqlx::query_as::<_, Task>(concat!(
        select_tasks!(),
        "WHERE t.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// The ids of a task's coordinating units.
pub async fn coordinating_units(c: &mut Conn, task_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = q!(c, |x| sqlx::query_as(
        "SELECT unit_id FROM task_units WHERE task_id = $1"
    )
    .bind(task_id)
    .fetch_all(x)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

fn search_text(f: &TaskFields) -> String {
    fold(&format!(
        "{} {} {}",
        f.code,
        f.title,
        f.deliverable.as_deref().unwrap_or_default()
    ))
}

/// A task to write: its checked fields with the units resolved to ids.
pub struct TaskWrite<'a> {
    pub fields: &'a TaskFields,
    pub plan_id: i64,
    pub lead_unit_id: i64,
    pub coordinating: &'a [i64],
}

pub async fn insert(
    c: &mut Conn,
    w: &TaskWrite<'_>,
    status: TaskStatus,
    created_by: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64> {
    let f = w.fields;
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO tasks (plan_id, group_id, code, code_sort, title, description, deliverable, search_folded,
             lead_unit_id, partners, start_date, due_date, original_due_date, budget_planned, funding_source,
             acquisition_mode, status, assigned_doc_number, assigned_doc_date, assigned_doc_signer, created_by,
             created_at, updated_at, key_task, assigned_doc_type, assigned_doc_item)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21,
             $22, $23, $24)
         RETURNING id"
    )
    .bind(w.plan_id)
    .bind(f.group_id)
    .bind(&f.code)
    .bind(code_sort_key(&f.code))
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.deliverable)
    .bind(search_text(f))
    .bind(w.lead_unit_id)
    .bind(partners_text(&f.partners))
    .bind(f.start_date)
    .bind(f.due_date)
    .bind(f.budget_planned)
    .bind(&f.funding_source)
    .bind(f.acquisition_mode.map(|m| m.as_str()))
    .bind(status.as_str())
    .bind(&f.assigned_doc_number)
    .bind(f.assigned_doc_date)
    .bind(&f.assigned_doc_signer)
    .bind(created_by)
    .bind(now)
    .bind(f.key_task)
    .bind(f.assigned_doc_type.map(|t| t.as_str()))
    .bind(&f.assigned_doc_item)
    .fetch_one(x)
    .await
    })?;
    set_coordinating(c, id, w.coordinating).await?;
    Ok(id)
}

fn partners_as_list<S: serde::Serializer>(
    partners: &Option<String>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(
        partners
            .as_deref()
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty()),
    )
}

fn partners_text(partners: &[String]) -> Option<String> {
    (!partners.is_empty()).then(|| partners.join("\n"))
}

async fn set_coordinating(c: &mut Conn, task_id: i64, units: &[i64]) -> Result<()> {
    q!(c, |x| sqlx::query(
        "DELETE FROM task_units WHERE task_id = $1"
    )
    .bind(task_id)
    .execute(x)
    .await
    .map(|_| ()))?;
    for unit in units {
        q!(c, |x| sqlx::query(
            "INSERT INTO task_units (task_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        )
        .bind(task_id)
        .bind(unit)
        .execute(x)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// Overwrites a task's content (not its status, progress or deadline history).
/// `move_original_due` also moves the original deadline: true before the task is agreed.
pub async fn update(
    c: &mut Conn,
    id: i64,
    w: &TaskWrite<'_>,
    move_original_due: bool,
    expected_version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let f = w.fields;
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE tasks SET group_id = $2, code = $3, code_sort = $4, title = $5, description = $6, deliverable = $7,
             search_folded = $8, lead_unit_id = $9, partners = $10, start_date = $11, due_date = $12,
             original_due_date = CASE WHEN $13 THEN $12 ELSE original_due_date END,
             budget_planned = $14, funding_source = $15, acquisition_mode = $16, assigned_doc_number = $17,
             assigned_doc_date = $18, assigned_doc_signer = $19, updated_at = $20, key_task = $22,
             assigned_doc_type = $23, assigned_doc_item = $24, version = version + 1
         WHERE id = $1 AND ($21 IS NULL OR version = $21)"
    )
    .bind(id)
    .bind(f.group_id)
    .bind(&f.code)
    .bind(code_sort_key(&f.code))
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.deliverable)
    .bind(search_text(f))
    .bind(w.lead_unit_id)
    .bind(partners_text(&f.partners))
    .bind(f.start_date)
    .bind(f.due_date)
    .bind(move_original_due)
    .bind(f.budget_planned)
    .bind(&f.funding_source)
    .bind(f.acquisition_mode.map(|m| m.as_str()))
    .bind(&f.assigned_doc_number)
    .bind(f.assigned_doc_date)
    .bind(&f.assigned_doc_signer)
    .bind(now)
    .bind(expected_version)
    .bind(f.key_task)
    .bind(f.assigned_doc_type.map(|t| t.as_str()))
    .bind(&f.assigned_doc_item)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        get(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    set_coordinating(c, id, w.coordinating).await
}

/// Moves a task to a new status (nothing left waiting on the assigner) if it still has
/// the version the caller saw.
pub async fn set_status(
    c: &mut Conn,
    id: i64,
    status: TaskStatus,
    completed_on: Option<Date>,
    expected_version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let waiting = Waiting::default();
    set_state(c, id, status, completed_on, waiting, expected_version, now).await
}

/// What waits on the assigner, with the day it was asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    pub completion_reported_on: Option<Date>,
    pub decline_requested_on: Option<Date>,
}

/// Moves a task to a new status and sets what waits on the assigner, if it still has the
/// version the caller saw.
pub async fn set_state(
    c: &mut Conn,
    id: i64,
    status: TaskStatus,
    completed_on: Option<Date>,
    waiting: Waiting,
    expected_version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE tasks SET status = $2, completed_on = $3, progress = CASE WHEN $2 = 'completed' THEN 100 ELSE progress END,
             updated_at = $4, version = version + 1, completion_reported_on = $6, decline_requested_on = $7
         WHERE id = $1 AND ($5 IS NULL OR version = $5)"
    )
    .bind(id)
    .bind(status.as_str())
    .bind(completed_on)
    .bind(now)
    .bind(expected_version)
    .bind(waiting.completion_reported_on)
    .bind(waiting.decline_requested_on)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        get(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}

/// Gives a task to another lead unit (which leaves the coordinating units if it was one).
pub async fn set_lead_unit(c: &mut Conn, id: i64, lead: i64, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE tasks SET lead_unit_id = $2, updated_at = $3, version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(lead)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    q!(c, |x| sqlx::query(
        "DELETE FROM task_units WHERE task_id = $1 AND unit_id = $2"
    )
    .bind(id)
    .bind(lead)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Names the officer responsible for a task (none: `None`).
pub async fn set_officer(
    c: &mut Conn,
    id: i64,
    officer: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE tasks SET officer_id = $2, updated_at = $3, version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(officer)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records that a task's delay is exempted, with the reason and who confirmed it (`None`
/// takes the exemption back).
pub async fn set_delay_exemption(
    c: &mut Conn,
    id: i64,
    exemption: Option<(&str, &str)>,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE tasks SET delay_exempt_reason = $2, delay_exempted_by = $3, updated_at = $4,
             version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(exemption.map(|(reason, _)| reason))
    .bind(exemption.map(|(_, by)| by))
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn set_due_date(c: &mut Conn, id: i64, due: Date, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE tasks SET due_date = $2, updated_at = $3, version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(due)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

mod events;
mod extensions;
mod list;
mod reports;

pub use events::*;
pub use extensions::*;
pub use list::*;
pub use reports::*;
