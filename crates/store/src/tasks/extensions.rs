//! Requests to move a task's deadline and their decisions.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::task::ExtensionStatus;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result, StoreError};

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
