//! Tasks, their coordinating units and partners, the workflow's events, deadline
//! extensions and progress reports.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::task::{ExtensionStatus, TaskFields, TaskStatus, code_sort_key};
use dxplan_domain::text::fold;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::units::escape_like;
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
    pub due_date: Date,
    pub original_due_date: Date,
    pub budget_planned: i64,
    pub budget_disbursed: i64,
    pub funding_source: Option<String>,
    pub acquisition_mode: Option<String>,
    pub progress: i64,
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
    pub completed_on: Option<Date>,
    pub assigned_doc_number: Option<String>,
    pub assigned_doc_date: Option<Date>,
    pub assigned_doc_signer: Option<String>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Task {
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
                t.budget_planned, t.budget_disbursed, t.funding_source, t.acquisition_mode, t.progress, t.status,
                t.completed_on, t.assigned_doc_number, t.assigned_doc_date, t.assigned_doc_signer, t.version,
                t.updated_at
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
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)
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
             assigned_doc_date = $18, assigned_doc_signer = $19, updated_at = $20, version = version + 1
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

/// Moves a task to a new status if it still has the version the caller saw.
pub async fn set_status(
    c: &mut Conn,
    id: i64,
    status: TaskStatus,
    completed_on: Option<Date>,
    expected_version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE tasks SET status = $2, completed_on = $3, progress = CASE WHEN $2 = 'completed' THEN 100 ELSE progress END,
             updated_at = $4, version = version + 1
         WHERE id = $1 AND ($5 IS NULL OR version = $5)"
    )
    .bind(id)
    .bind(status.as_str())
    .bind(completed_on)
    .bind(now)
    .bind(expected_version)
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

// ---------------------------------------------------------------- events

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskEvent {
    pub id: i64,
    pub task_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// The person's name (`actor_name` is their account's), when the account exists.
    pub actor_display_name: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub comment: Option<String>,
}

pub struct NewTaskEvent<'a> {
    pub task_id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub from_status: Option<TaskStatus>,
    pub to_status: Option<TaskStatus>,
    pub comment: Option<&'a str>,
}

pub async fn add_event(c: &mut Conn, e: &NewTaskEvent<'_>, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO task_events (task_id, at, actor_id, actor_name, action, from_status, to_status, comment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(e.task_id)
    .bind(now)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.action)
    .bind(e.from_status.map(|s| s.as_str()))
    .bind(e.to_status.map(|s| s.as_str()))
    .bind(e.comment)
    .execute(x)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

pub async fn events(c: &mut Conn, task_id: i64) -> Result<Vec<TaskEvent>> {
    Ok(q!(c, |x| sqlx::query_as::<_, TaskEvent>(
        "SELECT e.id, e.task_id, e.at, e.actor_id, e.actor_name,
                COALESCE((SELECT u.display_name FROM users u WHERE u.id = e.actor_id),
                         (SELECT u.display_name FROM users u WHERE u.username = e.actor_name))
                    AS actor_display_name,
                e.action, e.from_status, e.to_status, e.comment
         FROM task_events e WHERE e.task_id = $1 ORDER BY e.id"
    )
    .bind(task_id)
    .fetch_all(x)
    .await)?)
}

// ---------------------------------------------------------------- extensions

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extension {
    pub id: i64,
    pub task_id: i64,
    pub requested_by: Option<i64>,
    pub requested_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    pub reason: String,
    pub old_due: Date,
    pub new_due: Date,
    #[sqlx(try_from = "String")]
    pub status: ExtensionStatus,
    pub decided_name: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decision_comment: Option<String>,
}

macro_rules! select_extensions {
    () => {
        "SELECT id, task_id, requested_by, requested_name, requested_at, reason, old_due, new_due, status,
                decided_name, decided_at, decision_comment FROM task_extensions "
    };
}

pub async fn extensions(c: &mut Conn, task_id: i64) -> Result<Vec<Extension>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Extension>(concat!(
        select_extensions!(),
        "WHERE task_id = $1 ORDER BY id"
    ))
    .bind(task_id)
    .fetch_all(x)
    .await)?)
}

pub async fn extension(c: &mut Conn, id: i64) -> Result<Extension> {
    Ok(q!(c, |x| sqlx::query_as::<_, Extension>(concat!(
        select_extensions!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

#[allow(clippy::too_many_arguments)]
pub async fn add_extension(
    c: &mut Conn,
    task_id: i64,
    requested_by: Option<i64>,
    requested_name: &str,
    reason: &str,
    old_due: Date,
    new_due: Date,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO task_extensions (task_id, requested_by, requested_name, requested_at, reason, old_due, new_due, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') RETURNING id"
    )
    .bind(task_id)
    .bind(requested_by)
    .bind(requested_name)
    .bind(now)
    .bind(reason)
    .bind(old_due)
    .bind(new_due)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

/// Decides a pending extension; refuses (conflict) one that is no longer pending.
pub async fn decide_extension(
    c: &mut Conn,
    id: i64,
    approved: bool,
    decided_by: Option<i64>,
    decided_name: &str,
    comment: Option<&str>,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE task_extensions SET status = $2, decided_by = $3, decided_name = $4, decided_at = $5, decision_comment = $6
         WHERE id = $1 AND status = 'pending'"
    )
    .bind(id)
    .bind(if approved { "approved" } else { "refused" })
    .bind(decided_by)
    .bind(decided_name)
    .bind(now)
    .bind(comment)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        extension(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}

/// Extensions awaiting a decision, for the tasks a reviewer may see.
pub async fn pending_extensions(
    c: &mut Conn,
    plan_id: Option<i64>,
    scope: Option<&[i64]>,
) -> Result<Vec<(Extension, String, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        ext: Extension,
        task_code: String,
        task_title: String,
    }
    let mut params = Params::default();
    // Requests on tasks led within the reviewer's subtrees only, when scoped.
    let (with, in_scope) = crate::units::within_scope(scope, "t.lead_unit_id", &mut params);
    let plan = match plan_id {
        Some(id) => format!(" AND t.plan_id = {}", params.push(Arg::Int(id))),
        None => String::new(),
    };
    let sql = format!(
        "{with}SELECT e.id, e.task_id, e.requested_by, e.requested_name, e.requested_at, e.reason, e.old_due, e.new_due,
                e.status, e.decided_name, e.decided_at, e.decision_comment, t.code AS task_code, t.title AS task_title
         FROM task_extensions e JOIN tasks t ON t.id = e.task_id
         WHERE e.status = 'pending'{plan}{in_scope} ORDER BY e.id"
    );
    let rows: Vec<Row> = q!(c, |x| bind_all!(
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.ext, r.task_code, r.task_title))
        .collect())
}

// ---------------------------------------------------------------- progress reports

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub id: i64,
    pub task_id: i64,
    pub period: String,
    pub period_end: Date,
    pub progress: i64,
    pub done: Option<String>,
    pub obstacles: Option<String>,
    pub proposals: Option<String>,
    pub disbursed: i64,
    pub author_name: String,
    /// The author's name (`author_name` is their account's), when the account exists.
    pub author_display_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

pub struct ReportWrite<'a> {
    pub task_id: i64,
    pub fields: &'a dxplan_domain::task::ReportFields,
    pub author_id: Option<i64>,
    pub author_name: &'a str,
}

/// Files a report for a period; a second report for the same period replaces the first.
/// The task takes the report's progress and disbursement when it is the latest period.
pub async fn upsert_report(c: &mut Conn, w: &ReportWrite<'_>, now: OffsetDateTime) -> Result<i64> {
    let f = w.fields;
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO progress_reports (task_id, period, period_end, progress, done, obstacles, proposals, disbursed,
             author_id, author_name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
         ON CONFLICT (task_id, period) DO UPDATE SET progress = excluded.progress, done = excluded.done,
             obstacles = excluded.obstacles, proposals = excluded.proposals, disbursed = excluded.disbursed,
             author_id = excluded.author_id, author_name = excluded.author_name, updated_at = excluded.updated_at
         RETURNING id"
    )
    .bind(w.task_id)
    .bind(f.period.to_string())
    .bind(f.period.end())
    .bind(f.progress)
    .bind(&f.done)
    .bind(&f.obstacles)
    .bind(&f.proposals)
    .bind(f.disbursed)
    .bind(w.author_id)
    .bind(w.author_name)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    q!(c, |x| {
        sqlx::query(
        "UPDATE tasks SET progress = r.progress, budget_disbursed = r.disbursed, updated_at = $2, version = version + 1
         FROM (SELECT progress, disbursed FROM progress_reports WHERE task_id = $1
               ORDER BY period_end DESC, id DESC LIMIT 1) AS r
         WHERE tasks.id = $1"
    )
    .bind(w.task_id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ())
    })?;
    Ok(id)
}

pub async fn reports(c: &mut Conn, task_id: i64) -> Result<Vec<Report>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Report>(
            "SELECT r.id, r.task_id, r.period, r.period_end, r.progress, r.done, r.obstacles,
                r.proposals, r.disbursed, r.author_name,
                COALESCE((SELECT u.display_name FROM users u WHERE u.id = r.author_id),
                         (SELECT u.display_name FROM users u WHERE u.username = r.author_name))
                    AS author_display_name,
                r.updated_at
         FROM progress_reports r WHERE r.task_id = $1 ORDER BY r.period_end DESC, r.id DESC",
        )
        .bind(task_id)
        .fetch_all(x)
        .await
    })?)
}

// ---------------------------------------------------------------- lists

/// How a task list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskSort {
    #[default]
    Code,
    Due,
    Progress,
    Updated,
}

impl TaskSort {
    pub fn parse(s: &str) -> Option<TaskSort> {
        match s {
            "code" => Some(TaskSort::Code),
            "due" => Some(TaskSort::Due),
            "progress" => Some(TaskSort::Progress),
            "updated" => Some(TaskSort::Updated),
            _ => None,
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            TaskSort::Code => "t.plan_id DESC, t.code_sort, t.id",
            TaskSort::Due => "t.due_date, t.code_sort, t.id",
            TaskSort::Progress => "t.progress, t.due_date, t.id",
            TaskSort::Updated => "t.updated_at DESC, t.id DESC",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub plan_id: Option<i64>,
    pub group_id: Option<i64>,
    pub pillar: Option<String>,
    /// Tasks led by this unit or a unit below it.
    pub unit_subtree: Option<i64>,
    /// What the reader may see: tasks led or coordinated by units below these roots
    /// (`None`: everything).
    pub scope: Option<Vec<i64>>,
    pub statuses: Vec<TaskStatus>,
    /// Only tasks past their deadline and not finished, as of `today`.
    pub overdue: bool,
    pub due_within_days: Option<i64>,
    pub today: Option<Date>,
    pub due_before: Option<Date>,
    pub due_after: Option<Date>,
    pub acquisition_mode: Option<String>,
    pub search: Option<String>,
    pub sort: TaskSort,
    pub offset: u32,
    pub limit: u32,
}

pub struct TaskPage {
    pub tasks: Vec<Task>,
    pub total: i64,
}

/// The WHERE clause (with its CTEs) of a filter.
fn filter_sql(filter: &TaskFilter, params: &mut Params) -> (String, String) {
    let mut ctes = Vec::new();
    let mut conditions = Vec::new();
    if let Some(scope) = &filter.scope {
        if scope.is_empty() {
            conditions.push("1 = 0".to_string());
        } else {
            ctes.push(crate::units::subtree_cte("scope", scope, params));
            // Semi-joins computed once, not a subquery per task.
            conditions.push(
                "(t.lead_unit_id IN (SELECT id FROM scope) OR t.id IN (SELECT tu.task_id FROM task_units tu \
                 JOIN scope ON scope.id = tu.unit_id))"
                    .to_string(),
            );
        }
    }
    if let Some(root) = filter.unit_subtree {
        ctes.push(crate::units::subtree_cte("sub", &[root], params));
        conditions.push("t.lead_unit_id IN (SELECT id FROM sub)".to_string());
    }
    if let Some(plan) = filter.plan_id {
        conditions.push(format!("t.plan_id = {}", params.push(Arg::Int(plan))));
    }
    if let Some(group) = filter.group_id {
        conditions.push(format!("t.group_id = {}", params.push(Arg::Int(group))));
    }
    if let Some(pillar) = &filter.pillar {
        conditions.push(format!(
            "g.pillar_code = {}",
            params.push(Arg::Text(pillar.clone()))
        ));
    }
    if !filter.statuses.is_empty() {
        let list: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| params.push(Arg::Text(s.as_str().into())))
            .collect();
        conditions.push(format!("t.status IN ({})", list.join(", ")));
    }
    if let Some(today) = filter.today {
        if filter.overdue {
            conditions.push(format!(
                "t.due_date < {} AND t.status NOT IN ('completed', 'cancelled')",
                params.push(Arg::Date(today))
            ));
        }
        if let Some(days) = filter.due_within_days {
            let from = params.push(Arg::Date(today));
            let to = params.push(Arg::Date(today + time::Duration::days(days)));
            conditions.push(format!(
                "t.due_date >= {from} AND t.due_date <= {to} AND t.status NOT IN ('completed', 'cancelled')"
            ));
        }
    }
    if let Some(d) = filter.due_before {
        conditions.push(format!("t.due_date <= {}", params.push(Arg::Date(d))));
    }
    if let Some(d) = filter.due_after {
        conditions.push(format!("t.due_date >= {}", params.push(Arg::Date(d))));
    }
    if let Some(mode) = &filter.acquisition_mode {
        conditions.push(format!(
            "t.acquisition_mode = {}",
            params.push(Arg::Text(mode.clone()))
        ));
    }
    if let Some(search) = filter.search.as_deref().map(fold).filter(|s| !s.is_empty()) {
        // Every word must appear, in any order.
        for word in search.split(' ') {
            let p = params.push(Arg::Text(format!("%{}%", escape_like(word))));
            conditions.push(format!("t.search_folded LIKE {p} ESCAPE '\\'"));
        }
    }
    let with = if ctes.is_empty() {
        String::new()
    } else {
        format!("WITH RECURSIVE {} ", ctes.join(", "))
    };
    let where_ = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {} ", conditions.join(" AND "))
    };
    (with, where_)
}

pub async fn list(c: &mut Conn, filter: &TaskFilter) -> Result<TaskPage> {
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let order = filter.sort.order_by();
    let count_sql = format!(
        "{with}SELECT COUNT(*) FROM tasks t LEFT JOIN task_groups g ON g.id = t.group_id {where_}"
    );
    // A search or a subtree is costly to test: then the page and the number of all
    // matches come from one pass, on narrow rows, and only the page's tasks are read in
    // full. A cheap filter is faster as an index count and an index-ordered page.
    let costly = filter.search.is_some() || !with.is_empty();
    if !costly {
        let (total,): (i64,) = q!(c, |x| bind_all!(
            sqlx::query_as(sqlx::AssertSqlSafe(count_sql.clone())),
            params.args.clone()
        )
        .fetch_one(x)
        .await)?;
        let sql = format!(
            "{}{where_}ORDER BY {order} LIMIT {} OFFSET {}",
            select_tasks!(),
            filter.limit.clamp(1, 1000),
            filter.offset
        );
        let tasks: Vec<Task> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, Task>(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        return Ok(TaskPage { tasks, total });
    }
    let page = format!(
        "SELECT t.id AS page_id, COUNT(*) OVER () AS total_matching \
         FROM tasks t LEFT JOIN task_groups g ON g.id = t.group_id {where_}\
         ORDER BY {order} LIMIT {} OFFSET {}",
        filter.limit.clamp(1, 1000),
        filter.offset
    );
    let sql = format!(
        "{with}{}ORDER BY {order}",
        select_tasks!().replacen(
            " FROM tasks t ",
            &format!(
                ", CAST(p.total_matching AS BIGINT) AS total_matching \
                 FROM ({page}) p JOIN tasks t ON t.id = p.page_id "
            ),
            1
        ),
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        task: Task,
        total_matching: i64,
    }
    let rows: Vec<Row> = q!(c, |x| bind_all!(
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)),
        params.args.clone()
    )
    .fetch_all(x)
    .await)?;
    let total = match rows.first() {
        Some(r) => r.total_matching,
        None if filter.offset == 0 => 0,
        // A page past the end: no row carries the count.
        None => {
            let (n,): (i64,) = q!(c, |x| bind_all!(
                sqlx::query_as(sqlx::AssertSqlSafe(count_sql.clone())),
                params.args.clone()
            )
            .fetch_one(x)
            .await)?;
            n
        }
    };
    Ok(TaskPage {
        tasks: rows.into_iter().map(|r| r.task).collect(),
        total,
    })
}

/// What the dashboard counts of every task a filter selects, in one query.
pub async fn facts(
    c: &mut Conn,
    filter: &TaskFilter,
) -> Result<Vec<dxplan_domain::dashboard::TaskFact>> {
    type Row = (
        Option<i64>,
        i64,
        String,
        Date,
        Option<Date>,
        i64,
        i64,
        i64,
        Option<String>,
    );
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let sql = format!(
        "{with}SELECT t.group_id, t.lead_unit_id, t.status, t.due_date, t.completed_on, t.progress,
                t.budget_planned, t.budget_disbursed, t.acquisition_mode
         FROM tasks t LEFT JOIN task_groups g ON g.id = t.group_id {where_}"
    );
    let rows: Vec<Row> = q!(c, |x| bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(group_id, lead, status, due, done, progress, planned, disbursed, mode)| {
                Some(dxplan_domain::dashboard::TaskFact {
                    group_id,
                    lead_unit_id: lead,
                    status: TaskStatus::parse(&status)?,
                    due,
                    completed_on: done,
                    progress,
                    budget_planned: planned,
                    budget_disbursed: disbursed,
                    acquisition_mode: mode,
                })
            },
        )
        .collect())
}

/// Departments and districts valid on `day` that lead no task of the plan.
pub async fn units_without_tasks(
    c: &mut Conn,
    plan_id: i64,
    day: Date,
) -> Result<Vec<crate::units::Unit>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, crate::units::Unit>(
        "SELECT u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.valid_from, u.valid_to, u.version
         FROM org_units u
         WHERE u.kind IN ('department', 'district')
           AND (u.valid_from IS NULL OR u.valid_from <= $2) AND (u.valid_to IS NULL OR u.valid_to >= $2)
           AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.plan_id = $1 AND t.lead_unit_id = u.id)
         ORDER BY u.kind, u.sort_key"
    )
    .bind(plan_id)
    .bind(day)
    .fetch_all(x)
    .await
    })?)
}

/// Tasks at work with no progress report for any of `periods` (the month and the quarter
/// it falls in: a quarterly report covers its months).
pub async fn missing_reports(
    c: &mut Conn,
    filter: &TaskFilter,
    periods: &[String],
) -> Result<Vec<Task>> {
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let list: Vec<String> = periods
        .iter()
        .map(|p| params.push(Arg::Text(p.clone())))
        .collect();
    let joiner = if where_.is_empty() { "WHERE" } else { "AND" };
    let sql = format!(
        "{with}{}{where_}{joiner} t.status = 'in_progress' AND NOT EXISTS \
         (SELECT 1 FROM progress_reports r WHERE r.task_id = t.id AND r.period IN ({})) ORDER BY t.due_date, t.id LIMIT 200",
        select_tasks!(),
        list.join(", ")
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, Task>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// One report of a period with its task, for the consolidated obstacles page.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodReport {
    pub period: String,
    pub task_id: i64,
    pub task_code: String,
    pub task_title: String,
    pub group_code: Option<String>,
    pub group_name: Option<String>,
    pub unit_name: String,
    pub progress: i64,
    pub obstacles: Option<String>,
    pub proposals: Option<String>,
}

/// Reports of a plan's tasks for a period that name obstacles or proposals, by group.
pub async fn period_reports(
    c: &mut Conn,
    plan_id: i64,
    period: &str,
    scope: Option<&[i64]>,
) -> Result<Vec<PeriodReport>> {
    let mut params = Params::default();
    let plan = params.push(Arg::Int(plan_id));
    let period = params.push(Arg::Text(period.to_string()));
    let (with, scope_condition) = match scope {
        None => (String::new(), String::new()),
        Some([]) => (String::new(), "AND 1 = 0".to_string()),
        Some(roots) => (
            format!(
                "WITH RECURSIVE {} ",
                crate::units::subtree_cte("scope", roots, &mut params)
            ),
            "AND (t.lead_unit_id IN (SELECT id FROM scope) OR EXISTS (SELECT 1 FROM task_units tu \
             WHERE tu.task_id = t.id AND tu.unit_id IN (SELECT id FROM scope)))"
                .to_string(),
        ),
    };
    let sql = format!(
        "{with}SELECT r.period, t.id AS task_id, t.code AS task_code, t.title AS task_title, g.code AS group_code,
                g.name AS group_name, u.name AS unit_name, r.progress, r.obstacles, r.proposals
         FROM progress_reports r JOIN tasks t ON t.id = r.task_id JOIN org_units u ON u.id = t.lead_unit_id
         LEFT JOIN task_groups g ON g.id = t.group_id
         WHERE t.plan_id = {plan} AND r.period = {period}
           AND (r.obstacles IS NOT NULL OR r.proposals IS NOT NULL) {scope_condition}
         ORDER BY g.position, t.code_sort, t.id"
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, PeriodReport>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// The most recent reports naming obstacles or proposals, of the tasks a filter selects.
pub async fn latest_obstacles(
    c: &mut Conn,
    filter: &TaskFilter,
    period: Option<&str>,
    limit: u32,
) -> Result<Vec<PeriodReport>> {
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let joiner = if where_.is_empty() { "WHERE" } else { "AND" };
    let of_period = match period {
        Some(p) => format!(" AND r.period = {}", params.push(Arg::Text(p.to_string()))),
        None => String::new(),
    };
    let sql = format!(
        "{with}SELECT r.period, t.id AS task_id, t.code AS task_code, t.title AS task_title, g.code AS group_code,
                g.name AS group_name, u.name AS unit_name, r.progress, r.obstacles, r.proposals
         FROM tasks t JOIN progress_reports r ON r.task_id = t.id JOIN org_units u ON u.id = t.lead_unit_id
         LEFT JOIN task_groups g ON g.id = t.group_id
         {where_}{joiner} (r.obstacles IS NOT NULL OR r.proposals IS NOT NULL){of_period}
         ORDER BY r.period_end DESC, r.updated_at DESC, r.id DESC LIMIT {}",
        limit.clamp(1, 200)
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, PeriodReport>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// Number of tasks per group of a plan (those a filter selects).
pub async fn counts_by_group(c: &mut Conn, filter: &TaskFilter) -> Result<Vec<(Option<i64>, i64)>> {
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let sql = format!(
        "{with}SELECT t.group_id, COUNT(*) FROM tasks t LEFT JOIN task_groups g ON g.id = t.group_id {where_} GROUP BY t.group_id"
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// The names of the coordinating units of many tasks at once (exports: one query).
pub async fn coordinating_names_of(c: &mut Conn, task_ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::new();
    // Chunks keep the parameter count well below both engines' limits.
    for chunk in task_ids.chunks(500) {
        let mut params = Params::default();
        let list: Vec<String> = chunk.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let sql = format!(
            "SELECT tu.task_id, u.name FROM task_units tu JOIN org_units u ON u.id = tu.unit_id
             WHERE tu.task_id IN ({}) ORDER BY tu.task_id, u.sort_key",
            list.join(", ")
        );
        let rows: Vec<(i64, String)> = q!(c, |x| bind_all!(
            sqlx::query_as(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The code, title and lead unit of every task of a plan (what an import checks against).
pub async fn existing_of_plan(
    c: &mut Conn,
    plan_id: i64,
) -> Result<Vec<dxplan_domain::plan_import::ExistingTask>> {
    let rows: Vec<(String, String, i64)> = q!(c, |x| sqlx::query_as(
        "SELECT code, title, lead_unit_id FROM tasks WHERE plan_id = $1"
    )
    .bind(plan_id)
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(code, title, lead_unit_id)| dxplan_domain::plan_import::ExistingTask {
                code,
                title,
                lead_unit_id,
            },
        )
        .collect())
}
