//! Reorganisations: change sets of units and lineage, applied in one transaction and
//! recorded step by step so they can be undone before they take effect.

use std::collections::BTreeMap;

use dxplan_domain::reorg_plan::{StoredUnit, WorkCounts};
use dxplan_domain::unit::UnitKind;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::macros::q;
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub id: i64,
    pub name: String,
    pub effective_on: Date,
    /// `draft`, `applied` or `undone`.
    pub status: String,
    #[serde(skip)]
    pub new_units_csv: String,
    #[serde(skip)]
    pub lineage_csv: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub applied_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub applied_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub undone_at: Option<OffsetDateTime>,
    pub version: i64,
}

macro_rules! select_changes {
    () => {
        "SELECT id, name, effective_on, status, new_units_csv, lineage_csv, created_by, created_at,
                applied_by, applied_at, undone_at, version
         FROM reorg_changes "
    };
}

pub struct NewChange<'a> {
    pub name: &'a str,
    pub effective_on: Date,
    pub new_units_csv: &'a str,
    pub lineage_csv: &'a str,
    pub created_by: &'a str,
}

pub async fn insert(c: &mut Conn, change: &NewChange<'_>, now: OffsetDateTime) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO reorg_changes (name, effective_on, status, new_units_csv, lineage_csv, created_by, created_at)
         VALUES ($1, $2, 'draft', $3, $4, $5, $6) RETURNING id"
    )
    .bind(change.name)
    .bind(change.effective_on)
    .bind(change.new_units_csv)
    .bind(change.lineage_csv)
    .bind(change.created_by)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Change> {
    q!(c, |x| sqlx::query_as::<_, Change>(concat!(
        select_changes!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(x)
    .await)?
    .ok_or(StoreError::NotFound)
}

/// Every change set, the latest effective date first.
pub async fn list(c: &mut Conn) -> Result<Vec<Change>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Change>(concat!(
        select_changes!(),
        "ORDER BY effective_on DESC, id DESC"
    ))
    .fetch_all(x)
    .await)?)
}

/// Moves a change set from one status to another, refusing when it is no longer in
/// `from` or was changed since it was read.
pub async fn set_status(
    c: &mut Conn,
    id: i64,
    from: &str,
    to: &str,
    by: &str,
    version: i64,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| sqlx::query(
        "UPDATE reorg_changes SET status = $3,
             applied_by = CASE WHEN $3 = 'applied' THEN $4 ELSE applied_by END,
             applied_at = CASE WHEN $3 = 'applied' THEN $5 ELSE applied_at END,
             undone_at = CASE WHEN $3 = 'undone' THEN $5 ELSE undone_at END,
             version = version + 1
         WHERE id = $1 AND status = $2 AND version = $6"
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(by)
    .bind(now)
    .bind(version)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        get(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}

/// Every unit ever stored, as a change set is planned against them.
pub async fn stored_units(c: &mut Conn) -> Result<Vec<StoredUnit>> {
    type Row = (
        i64,
        String,
        String,
        String,
        Option<i64>,
        Option<Date>,
        Option<Date>,
    );
    let rows: Vec<Row> = q!(c, |x| sqlx::query_as(
        "SELECT id, code, name, kind, parent_id, valid_from, valid_to FROM org_units"
    )
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, code, name, kind, parent_id, valid_from, valid_to)| {
            Some(StoredUnit {
                id,
                code,
                name,
                kind: UnitKind::parse(&kind)?,
                parent_id,
                valid_from,
                valid_to,
            })
        })
        .collect())
}

/// The live work of every unit that has some, and the date of each unit's latest
/// figure: a handful of grouped queries, whatever the number of units. Targets count
/// from the year of `from` on.
pub async fn work_counts(c: &mut Conn, from: Date) -> Result<BTreeMap<i64, WorkCounts>> {
    let mut out: BTreeMap<i64, WorkCounts> = BTreeMap::new();
    let counts = |sql: &'static str| sqlx::AssertSqlSafe(sql);
    let tasks: Vec<(i64, i64)> = q!(c, |x| sqlx::query_as(counts(
        "SELECT lead_unit_id, COUNT(*) FROM tasks
         WHERE status NOT IN ('completed', 'cancelled') GROUP BY lead_unit_id"
    ))
    .fetch_all(x)
    .await)?;
    for (unit, n) in tasks {
        out.entry(unit).or_default().open_tasks = n as u64;
    }
    let values: Vec<(i64, i64)> = q!(c, |x| sqlx::query_as(counts(
        "SELECT unit_id, COUNT(*) FROM data_values
         WHERE status IN ('draft', 'submitted') GROUP BY unit_id"
    ))
    .fetch_all(x)
    .await)?;
    for (unit, n) in values {
        out.entry(unit).or_default().pending_values = n as u64;
    }
    let grants: Vec<(i64, i64)> = q!(c, |x| sqlx::query_as(counts(
        "SELECT unit_id, COUNT(*) FROM role_grants WHERE unit_id IS NOT NULL GROUP BY unit_id"
    ))
    .fetch_all(x)
    .await)?;
    for (unit, n) in grants {
        out.entry(unit).or_default().grants = n as u64;
    }
    let assessments: Vec<(i64, i64)> = q!(c, |x| sqlx::query_as(counts(
        "SELECT unit_id, COUNT(*) FROM index_assessments
         WHERE status <> 'published' GROUP BY unit_id"
    ))
    .fetch_all(x)
    .await)?;
    for (unit, n) in assessments {
        out.entry(unit).or_default().open_assessments = n as u64;
    }
    // Period texts sort by time within a year's forms (2025 < 2025-07 < 2025Q3 < 2026).
    let targets: Vec<(i64, i64)> = q!(c, |x| sqlx::query_as(
        "SELECT unit_id, COUNT(*) FROM targets WHERE period >= $1 GROUP BY unit_id"
    )
    .bind(from.year().to_string())
    .fetch_all(x)
    .await)?;
    for (unit, n) in targets {
        out.entry(unit).or_default().targets = n as u64;
    }
    let latest: Vec<(i64, Date)> = q!(c, |x| sqlx::query_as(counts(
        "SELECT unit_id, MAX(period_end) FROM data_values GROUP BY unit_id"
    ))
    .fetch_all(x)
    .await)?;
    for (unit, day) in latest {
        out.entry(unit).or_default().last_recorded = Some(day);
    }
    Ok(out)
}

/// One step an apply took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    UnitCreated,
    /// `old_date` holds the unit's former last day.
    UnitRetired,
    TaskMoved,
    GrantMoved,
    UserMoved,
    /// `old_status` holds the task's former status.
    TaskClosed,
    /// A split unit's other successor made a coordinating unit of a task (`to_unit_id`).
    CoordinatorAdded,
    /// An open index assessment answered from now on by the successor.
    AssessmentMoved,
}

impl StepKind {
    fn as_str(self) -> &'static str {
        match self {
            StepKind::UnitCreated => "unit_created",
            StepKind::UnitRetired => "unit_retired",
            StepKind::TaskMoved => "task_moved",
            StepKind::GrantMoved => "grant_moved",
            StepKind::UserMoved => "user_moved",
            StepKind::TaskClosed => "task_closed",
            StepKind::CoordinatorAdded => "coordinator_added",
            StepKind::AssessmentMoved => "assessment_moved",
        }
    }

    fn parse(s: &str) -> Option<StepKind> {
        [
            StepKind::UnitCreated,
            StepKind::UnitRetired,
            StepKind::TaskMoved,
            StepKind::GrantMoved,
            StepKind::UserMoved,
            StepKind::TaskClosed,
            StepKind::CoordinatorAdded,
            StepKind::AssessmentMoved,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub entity_id: i64,
    pub from_unit_id: Option<i64>,
    pub to_unit_id: Option<i64>,
    pub old_date: Option<Date>,
    pub old_status: Option<String>,
}

pub async fn add_step(c: &mut Conn, change_id: i64, step: &Step) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO reorg_steps (change_id, kind, entity_id, from_unit_id, to_unit_id, old_date, old_status)
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(change_id)
    .bind(step.kind.as_str())
    .bind(step.entity_id)
    .bind(step.from_unit_id)
    .bind(step.to_unit_id)
    .bind(step.old_date)
    .bind(&step.old_status)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The steps of an apply, in the order they were taken.
pub async fn steps(c: &mut Conn, change_id: i64) -> Result<Vec<Step>> {
    type Row = (
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<Date>,
        Option<String>,
    );
    let rows: Vec<Row> = q!(c, |x| {
        sqlx::query_as(
        "SELECT kind, entity_id, from_unit_id, to_unit_id, old_date, old_status FROM reorg_steps
         WHERE change_id = $1 ORDER BY id"
    )
    .bind(change_id)
    .fetch_all(x)
    .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(kind, entity_id, from_unit_id, to_unit_id, old_date, old_status)| {
                Some(Step {
                    kind: StepKind::parse(&kind)?,
                    entity_id,
                    from_unit_id,
                    to_unit_id,
                    old_date,
                    old_status,
                })
            },
        )
        .collect())
}

/// Ends (or, with `None`, reopens) a unit's validity.
pub async fn set_valid_to(
    c: &mut Conn,
    unit_id: i64,
    valid_to: Option<Date>,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE org_units SET valid_to = $2, updated_at = $3, version = version + 1 WHERE id = $1"
    )
    .bind(unit_id)
    .bind(valid_to)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A lineage edge of a change set, with its split weight.
pub async fn add_edge(
    c: &mut Conn,
    change_id: i64,
    from: i64,
    to: i64,
    weight: Option<f64>,
    effective_on: Date,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "INSERT INTO unit_lineage (predecessor_id, successor_id, effective_on, weight, change_id)
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(from)
    .bind(to)
    .bind(effective_on)
    .bind(weight)
    .bind(change_id)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_edges(c: &mut Conn, change_id: i64) -> Result<()> {
    q!(c, |x| sqlx::query(
        "DELETE FROM unit_lineage WHERE change_id = $1"
    )
    .bind(change_id)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A unit's open tasks (with their status), grants and accounts: what "carry" moves.
#[derive(Debug, Clone, Default)]
pub struct LiveWork {
    pub tasks: Vec<(i64, String)>,
    pub grants: Vec<i64>,
    pub users: Vec<i64>,
    /// Index assessments not yet published.
    pub assessments: Vec<i64>,
}

/// The live work of several units at once (four queries, whatever their number).
pub async fn live_work_of(c: &mut Conn, unit_ids: &[i64]) -> Result<BTreeMap<i64, LiveWork>> {
    let mut out: BTreeMap<i64, LiveWork> = BTreeMap::new();
    if unit_ids.is_empty() {
        return Ok(out);
    }
    let mut params = crate::db::Params::default();
    let list = unit_ids
        .iter()
        .map(|id| params.push(crate::db::Arg::Int(*id)))
        .collect::<Vec<_>>()
        .join(", ");
    let tasks_sql = format!(
        "SELECT lead_unit_id, id, status FROM tasks WHERE lead_unit_id IN ({list})
         AND status NOT IN ('completed', 'cancelled') ORDER BY id"
    );
    let tasks: Vec<(i64, i64, String)> = q!(c, |x| crate::macros::bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(tasks_sql.clone())),
        params.args.clone()
    )
    .fetch_all(x)
    .await)?;
    for (unit, id, status) in tasks {
        out.entry(unit).or_default().tasks.push((id, status));
    }
    for (table, extra) in [
        ("role_grants", ""),
        ("users", ""),
        ("index_assessments", " AND status <> 'published'"),
    ] {
        let sql =
            format!("SELECT unit_id, id FROM {table} WHERE unit_id IN ({list}){extra} ORDER BY id");
        let rows: Vec<(i64, i64)> = q!(c, |x| crate::macros::bind_all!(
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())),
            params.args.clone()
        )
        .fetch_all(x)
        .await)?;
        for (unit, id) in rows {
            let work = out.entry(unit).or_default();
            match table {
                "role_grants" => work.grants.push(id),
                "users" => work.users.push(id),
                _ => work.assessments.push(id),
            }
        }
    }
    Ok(out)
}

/// Sets a task's status back (an undone closure) or to cancelled (a closure).
pub async fn set_task_status(
    c: &mut Conn,
    id: i64,
    status: &str,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE tasks SET status = $2, updated_at = $3, version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Points a task, grant or account at another unit.
pub async fn move_to(c: &mut Conn, kind: StepKind, id: i64, unit_id: i64) -> Result<()> {
    let sql = match kind {
        StepKind::TaskMoved => "UPDATE tasks SET lead_unit_id = $2 WHERE id = $1",
        // Two grants of one role on one unit would collide: the moved one gives way.
        StepKind::GrantMoved => {
            "UPDATE role_grants SET unit_id = $2 WHERE id = $1 AND NOT EXISTS (
                 SELECT 1 FROM role_grants o WHERE o.user_id = role_grants.user_id
                 AND o.role = role_grants.role AND o.unit_id = $2)"
        }
        StepKind::UserMoved => "UPDATE users SET unit_id = $2 WHERE id = $1",
        // A unit answers a round once: when the successor is already assessed in it, the
        // old unit's assessment stays (its staff reach it through the lineage).
        StepKind::AssessmentMoved => {
            "UPDATE index_assessments SET unit_id = $2 WHERE id = $1 AND NOT EXISTS (
                 SELECT 1 FROM index_assessments o WHERE o.round_id = index_assessments.round_id
                 AND o.unit_id = $2)"
        }
        StepKind::UnitCreated
        | StepKind::UnitRetired
        | StepKind::TaskClosed
        | StepKind::CoordinatorAdded => return Ok(()),
    };
    q!(c, |x| sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(unit_id)
        .execute(x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Makes a unit a coordinating unit of a task; `false` when it already was one.
pub async fn add_coordinator(c: &mut Conn, task_id: i64, unit_id: i64) -> Result<bool> {
    let n = q!(c, |x| sqlx::query(
        "INSERT INTO task_units (task_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    )
    .bind(task_id)
    .bind(unit_id)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn remove_coordinator(c: &mut Conn, task_id: i64, unit_id: i64) -> Result<()> {
    q!(c, |x| sqlx::query(
        "DELETE FROM task_units WHERE task_id = $1 AND unit_id = $2"
    )
    .bind(task_id)
    .bind(unit_id)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether anything other than the change set itself refers to a unit (tasks, figures,
/// targets, grants, accounts, assessments, letterheads, wall displays, child units): such a unit cannot be removed
/// by an undo.
pub async fn is_referenced(c: &mut Conn, unit_id: i64) -> Result<bool> {
    let (n,): (i64,) = q!(c, |x| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM tasks WHERE lead_unit_id = $1)
              + (SELECT COUNT(*) FROM task_units WHERE unit_id = $1)
              + (SELECT COUNT(*) FROM data_values WHERE unit_id = $1)
              + (SELECT COUNT(*) FROM targets WHERE unit_id = $1)
              + (SELECT COUNT(*) FROM role_grants WHERE unit_id = $1)
              + (SELECT COUNT(*) FROM users WHERE unit_id = $1)
              + (SELECT COUNT(*) FROM index_assessments WHERE unit_id = $1)
              + (SELECT COUNT(*) FROM index_rounds WHERE run_by_unit_id = $1)
              + (SELECT COUNT(*) FROM index_criteria WHERE verifier_unit_id = $1)
              + (SELECT COUNT(*) FROM indicators WHERE owner_unit_id = $1)
              + (SELECT COUNT(*) FROM api_tokens WHERE unit_id = $1)
              + (SELECT COUNT(*) FROM unit_issuers WHERE unit_id = $1)
              + (SELECT COUNT(*) FROM wall_displays WHERE unit_id = $1)
              + (SELECT COUNT(*) FROM org_units WHERE parent_id = $1)"
    )
    .bind(unit_id)
    .fetch_one(x)
    .await)?;
    Ok(n > 0)
}

pub async fn delete_unit(c: &mut Conn, unit_id: i64) -> Result<()> {
    q!(c, |x| sqlx::query(
        "DELETE FROM unit_lineage WHERE predecessor_id = $1 OR successor_id = $1"
    )
    .bind(unit_id)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    q!(c, |x| sqlx::query("DELETE FROM org_units WHERE id = $1")
        .bind(unit_id)
        .execute(x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
