//! Plans, pillars and task groups.

use dxplan_domain::task::PlanStatus;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::macros::q;
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub legal_basis: Option<String>,
    pub decision_number: Option<String>,
    pub decision_date: Option<Date>,
    #[sqlx(try_from = "String")]
    pub status: PlanStatus,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pillar {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub position: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskGroup {
    pub id: i64,
    pub plan_id: i64,
    pub code: String,
    pub name: String,
    pub pillar_code: String,
    pub position: i64,
}

/// A plan's editable fields.
#[derive(Debug, Clone)]
pub struct PlanFields {
    pub year: i64,
    pub title: String,
    pub legal_basis: Option<String>,
    pub decision_number: Option<String>,
    pub decision_date: Option<Date>,
    pub status: PlanStatus,
}

macro_rules! select_plans {
    () => {
        "SELECT id, year, title, legal_basis, decision_number, decision_date, status, version FROM plans "
    };
}

pub async fn list(c: &mut Conn) -> Result<Vec<Plan>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Plan>(concat!(
        select_plans!(),
        "ORDER BY year DESC, id DESC"
    ))
    .fetch_all(x)
    .await)?)
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Plan> {
    Ok(q!(c, |x| sqlx::query_as::<_, Plan>(concat!(
        select_plans!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

pub async fn insert(c: &mut Conn, f: &PlanFields, now: OffsetDateTime) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO plans (year, title, legal_basis, decision_number, decision_date, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id"
    )
    .bind(f.year)
    .bind(&f.title)
    .bind(&f.legal_basis)
    .bind(&f.decision_number)
    .bind(f.decision_date)
    .bind(f.status.as_str())
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

pub async fn update(
    c: &mut Conn,
    id: i64,
    f: &PlanFields,
    version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE plans SET year = $2, title = $3, legal_basis = $4, decision_number = $5, decision_date = $6,
             status = $7, updated_at = $8, version = version + 1
         WHERE id = $1 AND ($9 IS NULL OR version = $9)"
    )
    .bind(id)
    .bind(f.year)
    .bind(&f.title)
    .bind(&f.legal_basis)
    .bind(&f.decision_number)
    .bind(f.decision_date)
    .bind(f.status.as_str())
    .bind(now)
    .bind(version)
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

pub async fn pillars(c: &mut Conn) -> Result<Vec<Pillar>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Pillar>(
        "SELECT code, name_vi, name_en, position FROM pillars ORDER BY position"
    )
    .fetch_all(x)
    .await)?)
}

pub async fn groups(c: &mut Conn, plan_id: i64) -> Result<Vec<TaskGroup>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, TaskGroup>(
        "SELECT id, plan_id, code, name, pillar_code, position FROM task_groups WHERE plan_id = $1 ORDER BY position, id"
    )
    .bind(plan_id)
    .fetch_all(x)
    .await
    })?)
}

pub async fn group(c: &mut Conn, id: i64) -> Result<TaskGroup> {
    Ok(q!(c, |x| sqlx::query_as::<_, TaskGroup>(
        "SELECT id, plan_id, code, name, pillar_code, position FROM task_groups WHERE id = $1"
    )
    .bind(id)
    .fetch_one(x)
    .await)?)
}

pub async fn insert_group(
    c: &mut Conn,
    plan_id: i64,
    code: &str,
    name: &str,
    pillar_code: &str,
    position: i64,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO task_groups (plan_id, code, name, pillar_code, position) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(plan_id)
    .bind(code)
    .bind(name)
    .bind(pillar_code)
    .bind(position)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

pub async fn update_group(
    c: &mut Conn,
    id: i64,
    code: &str,
    name: &str,
    pillar_code: &str,
    position: i64,
) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE task_groups SET code = $2, name = $3, pillar_code = $4, position = $5 WHERE id = $1"
    )
    .bind(id)
    .bind(code)
    .bind(name)
    .bind(pillar_code)
    .bind(position)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
