//! Indicators, reporting forms, targets and data values.

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;

use dxplan_domain::indicator::{Aggregation, Direction, IndicatorFields, Measure, PeriodType};
use dxplan_domain::text::fold;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    #[sqlx(try_from = "String")]
    pub measure: Measure,
    pub unit_of_measure: Option<String>,
    #[sqlx(try_from = "String")]
    pub direction: Direction,
    #[sqlx(try_from = "String")]
    pub aggregation: Aggregation,
    #[sqlx(try_from = "String")]
    pub period_type: PeriodType,
    pub pillar_code: Option<String>,
    pub owner_unit_id: Option<i64>,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    pub evidence_required: bool,
    pub active: bool,
    pub version: i64,
}

macro_rules! select_indicators {
    () => {
        "SELECT id, code, name, description, measure, unit_of_measure, direction, aggregation, period_type, pillar_code,
                owner_unit_id, min_value, max_value, evidence_required, active, version FROM indicators "
    };
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Indicator> {
    Ok(q!(c, |x| sqlx::query_as::<_, Indicator>(concat!(
        select_indicators!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

pub async fn by_code(c: &mut Conn, code: &str) -> Result<Option<Indicator>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Indicator>(concat!(
        select_indicators!(),
        "WHERE code = $1"
    ))
    .bind(code.trim())
    .fetch_optional(x)
    .await)?)
}

/// The catalogue, optionally searched (diacritics ignored) and narrowed to a pillar.
pub async fn list(
    c: &mut Conn,
    search: Option<&str>,
    pillar: Option<&str>,
) -> Result<Vec<Indicator>> {
    let mut params = Params::default();
    let mut conditions = Vec::new();
    if let Some(s) = search.map(fold).filter(|s| !s.is_empty()) {
        let p = params.push(Arg::Text(format!("%{}%", crate::units::escape_like(&s))));
        conditions.push(format!(
            "(name_folded LIKE {p} ESCAPE '\\' OR LOWER(code) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(pillar) = pillar.filter(|p| !p.is_empty()) {
        conditions.push(format!(
            "pillar_code = {}",
            params.push(Arg::Text(pillar.into()))
        ));
    }
    let sql = format!(
        "{}{} ORDER BY code",
        select_indicators!(),
        if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        }
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, Indicator>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// Binds an indicator's editable fields, in the order insert and update both use.
macro_rules! bind_fields {
    ($query:expr, $f:expr, $owner:expr) => {
        $query
            .bind(&$f.code)
            .bind(&$f.name)
            .bind(fold(&$f.name))
            .bind(&$f.description)
            .bind($f.measure.as_str())
            .bind(&$f.unit_of_measure)
            .bind($f.direction.as_str())
            .bind($f.aggregation.as_str())
            .bind($f.period_type.as_str())
            .bind(&$f.pillar_code)
            .bind($owner)
            .bind($f.min_value)
            .bind($f.max_value)
            .bind($f.evidence_required)
    };
}

pub async fn insert(
    c: &mut Conn,
    f: &IndicatorFields,
    owner_unit_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        bind_fields!(sqlx::query_as(
        "INSERT INTO indicators (code, name, name_folded, description, measure, unit_of_measure, direction, aggregation,
             period_type, pillar_code, owner_unit_id, min_value, max_value, evidence_required, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id"
    ), f, owner_unit_id)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

pub async fn update(
    c: &mut Conn,
    id: i64,
    f: &IndicatorFields,
    owner_unit_id: Option<i64>,
    version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| {
        bind_fields!(sqlx::query(
        "UPDATE indicators SET code = $2, name = $3, name_folded = $4, description = $5, measure = $6, unit_of_measure = $7,
             direction = $8, aggregation = $9, period_type = $10, pillar_code = $11, owner_unit_id = $12, min_value = $13,
             max_value = $14, evidence_required = $15, updated_at = $16, version = version + 1
         WHERE id = $1 AND ($17 IS NULL OR version = $17)"
    )
    .bind(id), f, owner_unit_id)
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

// ---------------------------------------------------------------- forms

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Form {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub period_type: PeriodType,
    pub deadline_days: i64,
    pub version: i64,
}

pub struct FormWrite<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub period_type: PeriodType,
    pub deadline_days: i64,
    pub indicator_ids: &'a [i64],
    pub unit_kinds: &'a [String],
}

pub async fn insert_form(c: &mut Conn, f: &FormWrite<'_>, now: OffsetDateTime) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO reporting_forms (code, name, period_type, deadline_days, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id"
    )
    .bind(f.code)
    .bind(f.name)
    .bind(f.period_type.as_str())
    .bind(f.deadline_days)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    for (position, indicator) in f.indicator_ids.iter().enumerate() {
        q!(c, |x| sqlx::query(
            "INSERT INTO form_indicators (form_id, indicator_id, position) VALUES ($1, $2, $3)"
        )
        .bind(id)
        .bind(indicator)
        .bind(position as i64)
        .execute(x)
        .await
        .map(|_| ()))?;
    }
    for kind in f.unit_kinds {
        q!(c, |x| sqlx::query(
            "INSERT INTO form_unit_kinds (form_id, kind) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(kind)
        .execute(x)
        .await
        .map(|_| ()))?;
    }
    Ok(id)
}

pub async fn forms(c: &mut Conn) -> Result<Vec<Form>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Form>(
        "SELECT id, code, name, period_type, deadline_days, version FROM reporting_forms ORDER BY code"
    )
    .fetch_all(x)
    .await
    })?)
}

pub async fn form(c: &mut Conn, id: i64) -> Result<Form> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Form>(
        "SELECT id, code, name, period_type, deadline_days, version FROM reporting_forms WHERE id = $1"
    )
    .bind(id)
    .fetch_one(x)
    .await
    })?)
}

/// A form's indicators, in the form's order.
pub async fn form_indicators(c: &mut Conn, form_id: i64) -> Result<Vec<Indicator>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Indicator>(
        "SELECT i.id, i.code, i.name, i.description, i.measure, i.unit_of_measure, i.direction, i.aggregation, i.period_type,
                i.pillar_code, i.owner_unit_id, i.min_value, i.max_value, i.evidence_required, i.active, i.version
         FROM form_indicators fi JOIN indicators i ON i.id = fi.indicator_id WHERE fi.form_id = $1 ORDER BY fi.position"
    )
    .bind(form_id)
    .fetch_all(x)
    .await
    })?)
}

/// Every form's kinds of reporting unit, by form id, in one read (lists of forms).
pub async fn kinds_by_form(c: &mut Conn) -> Result<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = q!(c, |x| sqlx::query_as(
        "SELECT form_id, kind FROM form_unit_kinds ORDER BY form_id, kind"
    )
    .fetch_all(x)
    .await)?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (form, kind) in rows {
        out.entry(form).or_default().push(kind);
    }
    Ok(out)
}

/// Every form's indicator codes in the form's order, by form id, in one read.
pub async fn indicator_codes_by_form(c: &mut Conn) -> Result<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = q!(c, |x| {
        sqlx::query_as(
        "SELECT fi.form_id, i.code FROM form_indicators fi JOIN indicators i ON i.id = fi.indicator_id
         ORDER BY fi.form_id, fi.position"
    )
    .fetch_all(x)
    .await
    })?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (form, code) in rows {
        out.entry(form).or_default().push(code);
    }
    Ok(out)
}

pub async fn form_kinds(c: &mut Conn, form_id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = q!(c, |x| sqlx::query_as(
        "SELECT kind FROM form_unit_kinds WHERE form_id = $1 ORDER BY kind"
    )
    .bind(form_id)
    .fetch_all(x)
    .await)?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

mod aggregates;
mod reporting;
mod scale;
mod targets;
mod values;

pub use aggregates::*;
pub use reporting::*;
pub use scale::*;
pub use targets::*;
pub use values::*;
