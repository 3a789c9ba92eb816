//! Index assessment frameworks and their criteria.

use serde::Serialize;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Framework {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub year: i64,
    pub unit_kinds: String,
    pub copied_from: Option<i64>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CriterionRow {
    pub id: i64,
    pub framework_id: i64,
    pub code: String,
    pub parent_code: Option<String>,
    pub name: String,
    pub max_points: f64,
    /// JSON of `dxplan_domain::scoring::Rule`; none on a group.
    pub rule: Option<String>,
    pub position: i64,
    pub guidance: Option<String>,
    pub evidence: Option<String>,
    pub verifier_unit_id: Option<i64>,
    pub indicator_id: Option<i64>,
}

pub struct FrameworkWrite<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub year: i64,
    pub unit_kinds: &'a str,
    pub copied_from: Option<i64>,
}

pub struct CriterionWrite<'a> {
    pub code: &'a str,
    pub parent_code: Option<&'a str>,
    pub name: &'a str,
    pub max_points: f64,
    pub rule: Option<&'a str>,
    pub guidance: Option<&'a str>,
    pub evidence: Option<&'a str>,
    pub verifier_unit_id: Option<i64>,
    pub indicator_id: Option<i64>,
}

/// A framework with its criteria, in their order, in the caller's transaction.
pub async fn insert(
    c: &mut Conn,
    f: &FrameworkWrite<'_>,
    criteria: &[CriterionWrite<'_>],
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO index_frameworks (code, name, year, unit_kinds, copied_from, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
    )
    .bind(f.code)
    .bind(f.name)
    .bind(f.year)
    .bind(f.unit_kinds)
    .bind(f.copied_from)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    write_criteria(c, id, criteria).await?;
    Ok(id)
}

/// Writes a framework's criteria in order: new codes are added, existing ones updated in
/// place (so tasks linked to them stay linked), codes no longer listed removed with their
/// task links.
async fn write_criteria(c: &mut Conn, id: i64, criteria: &[CriterionWrite<'_>]) -> Result<()> {
    let existing: Vec<(i64, String)> = q!(c, |x| sqlx::query_as(
        "SELECT id, code FROM index_criteria WHERE framework_id = $1"
    )
    .bind(id)
    .fetch_all(x)
    .await)?;
    let kept: std::collections::HashSet<&str> = criteria.iter().map(|k| k.code).collect();
    for (gone, _) in existing
        .iter()
        .filter(|(_, code)| !kept.contains(code.as_str()))
    {
        q!(c, |x| sqlx::query(
            "DELETE FROM task_criteria WHERE criterion_id = $1"
        )
        .bind(gone)
        .execute(x)
        .await
        .map(|_| ()))?;
        q!(c, |x| sqlx::query(
            "DELETE FROM index_criteria WHERE id = $1"
        )
        .bind(gone)
        .execute(x)
        .await
        .map(|_| ()))?;
    }
    for (position, k) in criteria.iter().enumerate() {
        q!(c, |x| {
            sqlx::query(
                "INSERT INTO index_criteria (framework_id, code, parent_code, name, max_points, rule,
                     position, guidance, evidence, verifier_unit_id, indicator_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (framework_id, code) DO UPDATE SET parent_code = excluded.parent_code,
                     name = excluded.name, max_points = excluded.max_points, rule = excluded.rule,
                     position = excluded.position, guidance = excluded.guidance,
                     evidence = excluded.evidence, verifier_unit_id = excluded.verifier_unit_id,
                     indicator_id = excluded.indicator_id",
            )
            .bind(id)
            .bind(k.code)
            .bind(k.parent_code)
            .bind(k.name)
            .bind(k.max_points)
            .bind(k.rule)
            .bind(position as i64)
            .bind(k.guidance)
            .bind(k.evidence)
            .bind(k.verifier_unit_id)
            .bind(k.indicator_id)
            .execute(x)
            .await
            .map(|_| ())
        })?;
    }
    Ok(())
}

/// Changes a framework and its criteria if it still has the version the caller saw.
pub async fn replace(
    c: &mut Conn,
    id: i64,
    f: &FrameworkWrite<'_>,
    criteria: &[CriterionWrite<'_>],
    expected_version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| sqlx::query(
        "UPDATE index_frameworks SET code = $2, name = $3, year = $4, unit_kinds = $5,
             updated_at = $6, version = version + 1
         WHERE id = $1 AND ($7 IS NULL OR version = $7)"
    )
    .bind(id)
    .bind(f.code)
    .bind(f.name)
    .bind(f.year)
    .bind(f.unit_kinds)
    .bind(now)
    .bind(expected_version)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(match get(c, id).await? {
            Some(_) => StoreError::VersionConflict,
            None => StoreError::NotFound,
        });
    }
    write_criteria(c, id, criteria).await
}

/// How many rounds use a framework (a framework in use is no longer changed).
pub async fn rounds_using(c: &mut Conn, id: i64) -> Result<i64> {
    let (n,): (i64,) = q!(c, |x| sqlx::query_as(
        "SELECT COUNT(*) FROM index_rounds WHERE framework_id = $1"
    )
    .bind(id)
    .fetch_one(x)
    .await)?;
    Ok(n)
}

macro_rules! select_frameworks {
    () => {
        "SELECT id, code, name, year, unit_kinds, copied_from, version FROM index_frameworks "
    };
}

/// Every framework, the newest year first.
pub async fn list(c: &mut Conn) -> Result<Vec<Framework>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Framework>(concat!(
        select_frameworks!(),
        "ORDER BY year DESC, id DESC"
    ))
    .fetch_all(x)
    .await)?)
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<Framework>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Framework>(concat!(
        select_frameworks!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(x)
    .await)?)
}

/// A framework's criteria in their order.
pub async fn criteria(c: &mut Conn, framework_id: i64) -> Result<Vec<CriterionRow>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, CriterionRow>(
        "SELECT id, framework_id, code, parent_code, name, max_points, rule, position, guidance, evidence,
                verifier_unit_id, indicator_id
         FROM index_criteria WHERE framework_id = $1 ORDER BY position, id"
    )
    .bind(framework_id)
    .fetch_all(x)
    .await
    })?)
}
