//! The criteria a task aims to improve, and the criteria an indicator feeds.

use serde::Serialize;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

// ---------------------------------------------------------------- tasks ↔ criteria

/// A criterion a task aims to improve, named for display.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedCriterion {
    pub task_id: i64,
    pub task_code: String,
    pub task_title: String,
    pub task_status: String,
    pub criterion_id: i64,
    pub framework_id: i64,
    pub framework_code: String,
    pub criterion_code: String,
    pub criterion_name: String,
}

macro_rules! select_links {
    () => {
        "SELECT t.id AS task_id, t.code AS task_code, t.title AS task_title,
                t.status AS task_status, k.id AS criterion_id, f.id AS framework_id,
                f.code AS framework_code, k.code AS criterion_code, k.name AS criterion_name
         FROM task_criteria l
         JOIN tasks t ON t.id = l.task_id
         JOIN index_criteria k ON k.id = l.criterion_id
         JOIN index_frameworks f ON f.id = k.framework_id "
    };
}

/// Replaces the criteria a task names.
pub async fn set_task_criteria(c: &mut Conn, task_id: i64, criterion_ids: &[i64]) -> Result<()> {
    q!(c, |x| sqlx::query(
        "DELETE FROM task_criteria WHERE task_id = $1"
    )
    .bind(task_id)
    .execute(x)
    .await
    .map(|_| ()))?;
    for id in criterion_ids {
        q!(c, |x| sqlx::query(
            "INSERT INTO task_criteria (task_id, criterion_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING"
        )
        .bind(task_id)
        .bind(id)
        .execute(x)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

pub async fn criteria_of_task(c: &mut Conn, task_id: i64) -> Result<Vec<LinkedCriterion>> {
    Ok(q!(c, |x| sqlx::query_as::<_, LinkedCriterion>(concat!(
        select_links!(),
        "WHERE l.task_id = $1 ORDER BY f.year DESC, k.position"
    ))
    .bind(task_id)
    .fetch_all(x)
    .await)?)
}

/// The tasks linked to any criterion of a framework, optionally only those led by some
/// units (a unit's own work).
pub async fn links_of_framework(c: &mut Conn, framework_id: i64) -> Result<Vec<LinkedCriterion>> {
    Ok(q!(c, |x| sqlx::query_as::<_, LinkedCriterion>(concat!(
        select_links!(),
        "WHERE k.framework_id = $1 ORDER BY k.position, t.code"
    ))
    .bind(framework_id)
    .fetch_all(x)
    .await)?)
}

/// Tasks led by a unit that name a criterion, with the criterion.
pub async fn links_of_unit(c: &mut Conn, unit_id: i64) -> Result<Vec<LinkedCriterion>> {
    Ok(q!(c, |x| sqlx::query_as::<_, LinkedCriterion>(concat!(
        select_links!(),
        "WHERE t.lead_unit_id = $1 ORDER BY f.year DESC, k.position, t.code"
    ))
    .bind(unit_id)
    .fetch_all(x)
    .await)?)
}

/// A criterion by its framework and code.
pub async fn criterion_id(c: &mut Conn, framework_id: i64, code: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = q!(c, |x| sqlx::query_as(
        "SELECT id FROM index_criteria WHERE framework_id = $1 AND code = $2"
    )
    .bind(framework_id)
    .bind(code)
    .fetch_optional(x)
    .await)?;
    Ok(row.map(|(id,)| id))
}

/// Tasks of a year's plan with the kind of their lead unit (for linking demo work to
/// criteria).
pub async fn tasks_of_year(c: &mut Conn, year: i64) -> Result<Vec<(i64, String)>> {
    Ok(q!(c, |x| sqlx::query_as(
        "SELECT t.id, u.kind FROM tasks t
         JOIN plans p ON p.id = t.plan_id
         JOIN org_units u ON u.id = t.lead_unit_id
         WHERE p.year = $1 ORDER BY t.id"
    )
    .bind(year)
    .fetch_all(x)
    .await)?)
}

/// Sets when a round was published (demo history).
pub async fn set_published_at(c: &mut Conn, id: i64, at: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE index_rounds SET published_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(at)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A leaf criterion a task may name: of a framework for the year that assesses units of
/// the given kind.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CriterionChoice {
    pub criterion_id: i64,
    pub framework_id: i64,
    pub framework_code: String,
    pub code: String,
    pub name: String,
}

pub async fn criteria_for(c: &mut Conn, year: i64, kind: &str) -> Result<Vec<CriterionChoice>> {
    let rows: Vec<CriterionChoice> = q!(c, |x| {
        sqlx::query_as::<_, CriterionChoice>(
        "SELECT k.id AS criterion_id, f.id AS framework_id, f.code AS framework_code, k.code, k.name
         FROM index_criteria k JOIN index_frameworks f ON f.id = k.framework_id
         WHERE f.year = $1 AND k.rule IS NOT NULL
         ORDER BY f.code, k.position"
    )
    .bind(year)
    .fetch_all(x)
    .await
    })?;
    // Unit kinds are a short comma-separated list: filter here, the same on both engines.
    let kinds = frameworks_of_kind(c, year, kind).await?;
    Ok(rows
        .into_iter()
        .filter(|r| kinds.contains(&r.framework_id))
        .collect())
}

async fn frameworks_of_kind(c: &mut Conn, year: i64, kind: &str) -> Result<Vec<i64>> {
    let rows: Vec<(i64, String)> = q!(c, |x| sqlx::query_as(
        "SELECT id, unit_kinds FROM index_frameworks WHERE year = $1"
    )
    .bind(year)
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .filter(|(_, kinds)| kinds.split(',').any(|k| k == kind))
        .map(|(id, _)| id)
        .collect())
}

/// Criteria fed by an indicator, with their framework.
pub async fn criteria_fed_by(c: &mut Conn, indicator_id: i64) -> Result<Vec<CriterionChoice>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, CriterionChoice>(
        "SELECT k.id AS criterion_id, f.id AS framework_id, f.code AS framework_code, k.code, k.name
         FROM index_criteria k JOIN index_frameworks f ON f.id = k.framework_id
         WHERE k.indicator_id = $1
         ORDER BY f.year DESC, f.code, k.position"
    )
    .bind(indicator_id)
    .fetch_all(x)
    .await
    })?)
}
