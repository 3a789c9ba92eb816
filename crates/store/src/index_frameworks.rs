//! Index assessment frameworks and their criteria.

use serde::Serialize;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
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
    for (position, k) in criteria.iter().enumerate() {
        q!(c, |x| {
            sqlx::query(
            "INSERT INTO index_criteria (framework_id, code, parent_code, name, max_points, rule, position,
                 guidance, evidence, verifier_unit_id, indicator_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
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
    Ok(id)
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
