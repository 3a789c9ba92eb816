//! What the public may read: approved indicator figures (the last approved figure, never
//! a draft or one awaiting review) with their targets, and the committed tasks of plans
//! that are not drafts. Nothing here reads anything else.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::macros::q;
use crate::{Conn, Result};

/// One approved figure with its target.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct OpenValue {
    #[serde(skip)]
    pub id: i64,
    pub indicator_code: String,
    pub indicator_name: String,
    pub unit_of_measure: Option<String>,
    pub unit_code: String,
    pub unit_name: String,
    pub period: String,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub target: Option<f64>,
}

/// Approved figures after `after_id`, in id order, `limit` at a time (keyset pages, so a
/// download of millions of rows streams in constant memory).
pub async fn approved_values(c: &mut Conn, after_id: i64, limit: i64) -> Result<Vec<OpenValue>> {
    Ok(q!(c, |x| sqlx::query_as::<_, OpenValue>(
        "SELECT v.id, i.code AS indicator_code, i.name AS indicator_name, i.unit_of_measure,
                u.code AS unit_code, u.name AS unit_name, v.period,
                v.approved_value AS value, v.approved_numerator AS numerator,
                v.approved_denominator AS denominator, t.value AS target
         FROM data_values v
         JOIN indicators i ON i.id = v.indicator_id
         JOIN org_units u ON u.id = v.unit_id
         LEFT JOIN targets t ON t.indicator_id = v.indicator_id AND t.unit_id = v.unit_id
                             AND t.period = v.period
         WHERE v.id > $1 AND v.approved_value IS NOT NULL
         ORDER BY v.id LIMIT $2"
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(x)
    .await)?)
}

/// A committed task of a plan that is not a draft, as the public progress counts it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct OpenTask {
    pub plan_year: i64,
    pub plan_title: String,
    pub group_code: Option<String>,
    pub group_name: Option<String>,
    pub unit_code: String,
    pub unit_name: String,
    pub status: String,
    pub due_date: Date,
    pub completed_on: Option<Date>,
    pub progress: i64,
}

pub async fn committed_tasks(c: &mut Conn) -> Result<Vec<OpenTask>> {
    Ok(q!(c, |x| sqlx::query_as::<_, OpenTask>(
        "SELECT p.year AS plan_year, p.title AS plan_title, g.code AS group_code,
                g.name AS group_name, u.code AS unit_code, u.name AS unit_name, t.status,
                t.due_date, t.completed_on, t.progress
         FROM tasks t
         JOIN plans p ON p.id = t.plan_id
         LEFT JOIN task_groups g ON g.id = t.group_id
         JOIN org_units u ON u.id = t.lead_unit_id
         WHERE p.status <> 'draft' AND t.status IN ('approved', 'in_progress', 'completed')
         ORDER BY p.year, g.position, u.code"
    )
    .fetch_all(x)
    .await)?)
}

/// When each open dataset last changed: (approved figures, committed tasks).
pub async fn modified(c: &mut Conn) -> Result<(Option<OffsetDateTime>, Option<OffsetDateTime>)> {
    let values: Option<(Option<OffsetDateTime>,)> = q!(c, |x| sqlx::query_as(
        "SELECT MAX(updated_at) FROM data_values WHERE approved_value IS NOT NULL"
    )
    .fetch_optional(x)
    .await)?;
    let tasks: Option<(Option<OffsetDateTime>,)> = q!(c, |x| sqlx::query_as(
        "SELECT MAX(t.updated_at) FROM tasks t JOIN plans p ON p.id = t.plan_id
         WHERE p.status <> 'draft' AND t.status IN ('approved', 'in_progress', 'completed')"
    )
    .fetch_optional(x)
    .await)?;
    Ok((values.and_then(|(v,)| v), tasks.and_then(|(t,)| t)))
}
