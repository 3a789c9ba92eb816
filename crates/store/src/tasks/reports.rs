//! Progress reports per task and period, the units that owe one, and obstacles.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::list::filter_sql;
use super::{Task, TaskFilter};
use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

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
    /// When it was typed on a phone without a signal, for a report sent later.
    #[serde(with = "time::serde::rfc3339::option")]
    pub entered_offline_at: Option<OffsetDateTime>,
}

pub struct ReportWrite<'a> {
    pub task_id: i64,
    pub fields: &'a dxplan_domain::task::ReportFields,
    pub author_id: Option<i64>,
    pub author_name: &'a str,
    /// When it was typed without a signal, for a report sent later from a phone.
    pub entered_offline_at: Option<OffsetDateTime>,
}

/// Files a report for a period; a second report for the same period replaces the first.
/// The task takes the report's progress and disbursement when it is the latest period.
pub async fn upsert_report(c: &mut Conn, w: &ReportWrite<'_>, now: OffsetDateTime) -> Result<i64> {
    let f = w.fields;
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO progress_reports (task_id, period, period_end, progress, done, obstacles, proposals, disbursed,
             author_id, author_name, created_at, updated_at, entered_offline_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
         ON CONFLICT (task_id, period) DO UPDATE SET progress = excluded.progress, done = excluded.done,
             obstacles = excluded.obstacles, proposals = excluded.proposals, disbursed = excluded.disbursed,
             author_id = excluded.author_id, author_name = excluded.author_name, updated_at = excluded.updated_at,
             entered_offline_at = excluded.entered_offline_at
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
    .bind(w.entered_offline_at)
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
                r.updated_at, r.entered_offline_at
         FROM progress_reports r WHERE r.task_id = $1 ORDER BY r.period_end DESC, r.id DESC",
        )
        .bind(task_id)
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
