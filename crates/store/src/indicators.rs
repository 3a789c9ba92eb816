//! Indicators, reporting forms, targets and data values.

use std::collections::HashMap;

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::indicator::{
    Aggregation, Direction, IndicatorFields, Measure, PeriodType, ValueStatus,
};
use dxplan_domain::period::Period;
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

// ---------------------------------------------------------------- targets

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Target {
    pub indicator_id: i64,
    pub unit_id: i64,
    pub period: String,
    pub value: f64,
}

pub async fn set_target(
    c: &mut Conn,
    indicator_id: i64,
    unit_id: i64,
    period: Period,
    value: f64,
    by: &str,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO targets (indicator_id, unit_id, period, value, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (indicator_id, unit_id, period) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at"
    )
    .bind(indicator_id)
    .bind(unit_id)
    .bind(period.to_string())
    .bind(value)
    .bind(by)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

pub async fn target(
    c: &mut Conn,
    indicator_id: i64,
    unit_id: i64,
    period: Period,
) -> Result<Option<f64>> {
    let row: Option<(f64,)> = q!(c, |x| sqlx::query_as(
        "SELECT value FROM targets WHERE indicator_id = $1 AND unit_id = $2 AND period = $3"
    )
    .bind(indicator_id)
    .bind(unit_id)
    .bind(period.to_string())
    .fetch_optional(x)
    .await)?;
    Ok(row.map(|(v,)| v))
}

/// All targets of a unit for a period (one query for a grid).
pub async fn targets_of_unit(c: &mut Conn, unit_id: i64, period: Period) -> Result<Vec<Target>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Target>(
        "SELECT indicator_id, unit_id, period, value FROM targets WHERE unit_id = $1 AND period = $2"
    )
    .bind(unit_id)
    .bind(period.to_string())
    .fetch_all(x)
    .await
    })?)
}

// ---------------------------------------------------------------- data values

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataValue {
    pub id: i64,
    pub indicator_id: i64,
    pub unit_id: i64,
    pub period: String,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    #[sqlx(try_from = "String")]
    pub status: ValueStatus,
    pub approved_value: Option<f64>,
    pub comment: Option<String>,
    pub review_comment: Option<String>,
    pub updated_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

macro_rules! select_values {
    () => {
        "SELECT id, indicator_id, unit_id, period, value, numerator, denominator, status, approved_value, comment,
                review_comment, updated_by, updated_at, version FROM data_values "
    };
}

pub async fn value(
    c: &mut Conn,
    indicator_id: i64,
    unit_id: i64,
    period: Period,
) -> Result<Option<DataValue>> {
    Ok(q!(c, |x| sqlx::query_as::<_, DataValue>(concat!(
        select_values!(),
        "WHERE indicator_id = $1 AND unit_id = $2 AND period = $3"
    ))
    .bind(indicator_id)
    .bind(unit_id)
    .bind(period.to_string())
    .fetch_optional(x)
    .await)?)
}

pub async fn value_by_id(c: &mut Conn, id: i64) -> Result<DataValue> {
    Ok(q!(c, |x| sqlx::query_as::<_, DataValue>(concat!(
        select_values!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// A unit's values for one period (a form's grid in one query).
pub async fn values_of_unit(c: &mut Conn, unit_id: i64, period: Period) -> Result<Vec<DataValue>> {
    Ok(q!(c, |x| sqlx::query_as::<_, DataValue>(concat!(
        select_values!(),
        "WHERE unit_id = $1 AND period = $2"
    ))
    .bind(unit_id)
    .bind(period.to_string())
    .fetch_all(x)
    .await)?)
}

/// Values waiting for review.
/// Figures awaiting review, the oldest first: within the subtrees of `scope` (a
/// reviewer's roots), or everywhere when `None`.
pub async fn submitted(c: &mut Conn, scope: Option<&[i64]>, limit: i64) -> Result<Vec<DataValue>> {
    let mut params = Params::default();
    let (with, condition) = crate::units::within_scope(scope, "unit_id", &mut params);
    let limit = params.push(Arg::Int(limit));
    let sql = format!(
        "{with}{}WHERE status = 'submitted'{condition} ORDER BY updated_at, id LIMIT {limit}",
        select_values!()
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, DataValue>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// Per unit within `scope`'s subtrees (everywhere when `None`): how many figures are in
/// one of `statuses`, and the earliest of their periods (what the unit's head has to
/// submit, or its officer to correct).
pub async fn waiting_by_unit(
    c: &mut Conn,
    scope: Option<&[i64]>,
    statuses: &[&str],
) -> Result<Vec<(i64, String, i64, String)>> {
    let mut params = Params::default();
    let (with, condition) = crate::units::within_scope(scope, "v.unit_id", &mut params);
    let list: Vec<String> = statuses
        .iter()
        .map(|s| params.push(Arg::Text((*s).to_string())))
        .collect();
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{with}SELECT v.unit_id, u.name, COUNT(*), MIN(v.period) FROM data_values v
         JOIN org_units u ON u.id = v.unit_id
         WHERE v.status IN ({}){condition}
         GROUP BY v.unit_id, u.name ORDER BY MIN(v.period), u.name LIMIT 200",
        list.join(", ")
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, (i64, String, i64, String)>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// The figures to write for one value.
pub struct ValueWrite<'a> {
    pub indicator_id: i64,
    pub unit_id: i64,
    pub period: Period,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub status: ValueStatus,
    pub comment: Option<&'a str>,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
}

/// Writes the current figure (keeping the last approved one aside) and its history row.
pub async fn write_value(
    c: &mut Conn,
    w: &ValueWrite<'_>,
    expected_version: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64> {
    let existing = value(c, w.indicator_id, w.unit_id, w.period).await?;
    let id = match existing {
        None => {
            let (id,): (i64,) = q!(c, |x| {
                sqlx::query_as(
                "INSERT INTO data_values (indicator_id, unit_id, period, period_start, period_end, value, numerator, denominator,
                     status, comment, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
            )
            .bind(w.indicator_id)
            .bind(w.unit_id)
            .bind(w.period.to_string())
            .bind(w.period.start())
            .bind(w.period.end())
            .bind(w.value)
            .bind(w.numerator)
            .bind(w.denominator)
            .bind(w.status.as_str())
            .bind(w.comment)
            .bind(w.actor_name)
            .bind(now)
            .fetch_one(x)
            .await
            })?;
            id
        }
        Some(v) => {
            if expected_version.is_some_and(|e| e != v.version) {
                return Err(StoreError::VersionConflict);
            }
            q!(c, |x| {
                sqlx::query(
                "UPDATE data_values SET value = $2, numerator = $3, denominator = $4, status = $5, comment = $6,
                     review_comment = NULL, updated_by = $7, updated_at = $8, version = version + 1 WHERE id = $1"
            )
            .bind(v.id)
            .bind(w.value)
            .bind(w.numerator)
            .bind(w.denominator)
            .bind(w.status.as_str())
            .bind(w.comment)
            .bind(w.actor_name)
            .bind(now)
            .execute(x)
            .await
            .map(|_| ())
            })?;
            v.id
        }
    };
    history(
        c,
        id,
        w.actor_id,
        w.actor_name,
        if w.status == ValueStatus::Submitted {
            "submit"
        } else {
            "save"
        },
        now,
    )
    .await?;
    Ok(id)
}

async fn history(
    c: &mut Conn,
    id: i64,
    actor_id: Option<i64>,
    actor_name: &str,
    action: &str,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO data_value_history (data_value_id, at, actor_id, actor_name, action, status, value, numerator, denominator, comment)
         SELECT id, $2, $3, $4, $5, status, value, numerator, denominator, COALESCE(review_comment, comment) FROM data_values WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .bind(actor_id)
    .bind(actor_name)
    .bind(action)
    .execute(x)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Approves (the figure becomes the approved one) or rejects a submitted value.
pub async fn review_value(
    c: &mut Conn,
    id: i64,
    approve: bool,
    comment: Option<&str>,
    actor_id: Option<i64>,
    actor_name: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let sql = if approve {
        "UPDATE data_values SET status = 'approved', approved_value = value, approved_numerator = numerator,
             approved_denominator = denominator, review_comment = $2, updated_by = $3, updated_at = $4, version = version + 1
         WHERE id = $1 AND status = 'submitted'"
    } else {
        "UPDATE data_values SET status = 'rejected', review_comment = $2, updated_by = $3, updated_at = $4, version = version + 1
         WHERE id = $1 AND status = 'submitted'"
    };
    let done = q!(c, |x| sqlx::query(sql)
        .bind(id)
        .bind(comment)
        .bind(actor_name)
        .bind(now)
        .execute(x)
        .await
        .map(|r| r.rows_affected()))?;
    if done == 0 {
        value_by_id(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    if approve {
        let v = value_by_id(c, id).await?;
        if let Some(period) = Period::parse(&v.period) {
            refresh_aggregates(c, v.indicator_id, v.unit_id, period).await?;
        }
    }
    history(
        c,
        id,
        actor_id,
        actor_name,
        if approve { "approve" } else { "reject" },
        now,
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryRow {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_name: String,
    pub action: String,
    #[sqlx(try_from = "String")]
    pub status: ValueStatus,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub comment: Option<String>,
}

pub async fn value_history(c: &mut Conn, id: i64) -> Result<Vec<HistoryRow>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, HistoryRow>(
        "SELECT at, actor_name, action, status, value, numerator, denominator, comment FROM data_value_history
         WHERE data_value_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(x)
    .await
    })?)
}

/// One stored figure for roll-ups.
#[derive(Debug, Clone, Copy, PartialEq, sqlx::FromRow)]
pub struct StoredFigure {
    pub unit_id: i64,
    pub period_end: Date,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// Every figure of an indicator inside `[from, to]`, oldest first: approved figures,
/// or the current ones (pending included) when asked.
pub async fn figures(
    c: &mut Conn,
    indicator_id: i64,
    from: Date,
    to: Date,
    include_pending: bool,
    unit_ids: &[i64],
) -> Result<Vec<StoredFigure>> {
    let columns = if include_pending {
        "unit_id, period_end, value, numerator, denominator"
    } else {
        "unit_id, period_end, approved_value AS value, approved_numerator AS numerator, approved_denominator AS denominator"
    };
    let condition = if include_pending {
        "status IN ('submitted', 'approved')"
    } else {
        "approved_value IS NOT NULL"
    };
    let mut out = Vec::new();
    // Only the units asked for: one province's figures, not the nation's.
    for chunk in unit_ids.chunks(500) {
        let mut params = Params::default();
        let i = params.push(Arg::Int(indicator_id));
        let f = params.push(Arg::Date(from));
        let t = params.push(Arg::Date(to));
        let list: Vec<String> = chunk.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let sql = format!(
            "SELECT {columns} FROM data_values
             WHERE indicator_id = {i} AND period_start >= {f} AND period_end <= {t} AND {condition}
               AND unit_id IN ({})",
            list.join(", ")
        );
        let rows: Vec<StoredFigure> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, StoredFigure>(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        out.extend(rows);
    }
    out.sort_by_key(|f| (f.period_end, f.unit_id));
    Ok(out)
}

/// A figure as it stands at the end of its workflow (demo and scale data).
#[derive(Debug, Clone, Copy)]
pub struct SeedValue<'a> {
    pub indicator_id: i64,
    pub unit_id: i64,
    pub period: Period,
    /// Value, numerator, denominator.
    pub figure: (f64, Option<f64>, Option<f64>),
    pub status: ValueStatus,
    pub review_comment: Option<&'a str>,
}

/// Writes figures as they stand at the end of their workflow, one statement each, then
/// refreshes the pre-combined rows of their indicators once (demo and scale data; the
/// workflow's own writes go through [`write_value`] and [`review_value`]).
pub async fn seed_values(
    c: &mut Conn,
    rows: &[SeedValue<'_>],
    by: &str,
    now: OffsetDateTime,
) -> Result<()> {
    for row in rows {
        let approved = row.status == ValueStatus::Approved;
        let (value, numerator, denominator) = row.figure;
        q!(c, |x| {
            sqlx::query(
            "INSERT INTO data_values (indicator_id, unit_id, period, period_start, period_end, value, numerator, denominator, status,
                 approved_value, approved_numerator, approved_denominator, review_comment, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        )
        .bind(row.indicator_id)
        .bind(row.unit_id)
        .bind(row.period.to_string())
        .bind(row.period.start())
        .bind(row.period.end())
        .bind(value)
        .bind(numerator)
        .bind(denominator)
        .bind(row.status.as_str())
        .bind(approved.then_some(value))
        .bind(if approved { numerator } else { None })
        .bind(if approved { denominator } else { None })
        .bind(row.review_comment)
        .bind(by)
        .bind(now)
        .execute(x)
        .await
        .map(|_| ())
        })?;
    }
    let mut touched: Vec<i64> = rows.iter().map(|r| r.indicator_id).collect();
    touched.sort_unstable();
    touched.dedup();
    refresh_aggregates_of_indicators(c, &touched).await
}

/// The unit kinds expected to report an indicator (through the forms that hold it).
pub async fn expected_kinds(c: &mut Conn, indicator_id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = q!(c, |x| {
        sqlx::query_as(
        "SELECT DISTINCT k.kind FROM form_indicators fi JOIN form_unit_kinds k ON k.form_id = fi.form_id WHERE fi.indicator_id = $1"
    )
    .bind(indicator_id)
    .fetch_all(x)
    .await
    })?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

/// The units (id, code) expected to report a form that have not sent all of its
/// indicators for a period, as the structure stands on `day`.
pub async fn late_units(
    c: &mut Conn,
    form_id: i64,
    period: Period,
    day: Date,
) -> Result<Vec<(i64, String)>> {
    let total = form_indicators(c, form_id).await?.len() as i64;
    let kinds = form_kinds(c, form_id).await?;
    Ok(completeness(c, form_id, period, &kinds, day)
        .await?
        .into_iter()
        .filter(|(_, _, _, done)| *done < total)
        .map(|(id, code, _, _)| (id, code))
        .collect())
}

/// Per unit of the given kinds (valid on `day`): how many of a form's indicators it has
/// submitted or had approved for `period`.
pub async fn completeness(
    c: &mut Conn,
    form_id: i64,
    period: Period,
    kinds: &[String],
    day: Date,
) -> Result<Vec<(i64, String, String, i64)>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let form = params.push(Arg::Int(form_id));
    let p = params.push(Arg::Text(period.to_string()));
    let d = params.push(Arg::Date(day));
    let list: Vec<String> = kinds
        .iter()
        .map(|k| params.push(Arg::Text(k.clone())))
        .collect();
    let sql = format!(
        "SELECT u.id, u.code, u.name,
                (SELECT COUNT(*) FROM data_values v JOIN form_indicators fi ON fi.indicator_id = v.indicator_id AND fi.form_id = {form}
                 WHERE v.unit_id = u.id AND v.period = {p} AND v.status IN ('submitted', 'approved')) AS done
         FROM org_units u
         WHERE u.kind IN ({}) AND (u.valid_from IS NULL OR u.valid_from <= {d}) AND (u.valid_to IS NULL OR u.valid_to >= {d})
         ORDER BY u.sort_key",
        list.join(", ")
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// One figure in the long exchange format.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExchangeValue {
    pub indicator_code: String,
    pub unit_code: String,
    pub period: String,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    #[sqlx(try_from = "String")]
    pub status: ValueStatus,
}

/// Figures inside `[from, to]`, optionally of one indicator and of some units.
pub async fn export_values(
    c: &mut Conn,
    from: Date,
    to: Date,
    indicator_id: Option<i64>,
    unit_ids: Option<&[i64]>,
) -> Result<Vec<ExchangeValue>> {
    let mut params = Params::default();
    let f = params.push(Arg::Date(from));
    let t = params.push(Arg::Date(to));
    let mut conditions = vec![format!("v.period_start >= {f} AND v.period_end <= {t}")];
    if let Some(id) = indicator_id {
        conditions.push(format!("v.indicator_id = {}", params.push(Arg::Int(id))));
    }
    if let Some(ids) = unit_ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(|id| params.push(Arg::Int(*id))).collect();
        conditions.push(format!("v.unit_id IN ({})", list.join(", ")));
    }
    let sql = format!(
        "SELECT i.code AS indicator_code, u.code AS unit_code, v.period, v.value, v.numerator, v.denominator, v.status
         FROM data_values v JOIN indicators i ON i.id = v.indicator_id JOIN org_units u ON u.id = v.unit_id
         WHERE {} ORDER BY i.code, u.code, v.period_start",
        conditions.join(" AND ")
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, ExchangeValue>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// The shape of generated scale figures, by the indicator's measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleShape {
    /// A count that grows one a month from a base between 10 and 59.
    Count,
    /// A percentage that grows half a point a month, capped at 100.
    Percent,
    /// Σnumerator / Σdenominator: a denominator of 100–139 and a share rising from 20 % to 90 %.
    Ratio,
}

/// Approved figures generated inside the database for benchmarks and `demo --scale`:
/// one figure per unit and month, deterministic and spread by unit, month and `seed`.
/// One statement per few hundred units keeps 50 million rows from crossing the wire
/// one by one; the pre-combined aggregates are refreshed for the indicator afterwards.
pub async fn generate_approved(
    c: &mut Conn,
    indicator_id: i64,
    shape: ScaleShape,
    seed: i64,
    unit_ids: &[i64],
    months: &[Period],
    now: OffsetDateTime,
) -> Result<u64> {
    let mut written = 0;
    let span = months.len().max(1) as f64;
    for chunk in unit_ids.chunks(400) {
        let mut params = Params::default();
        let indicator = params.push(Arg::Int(indicator_id));
        let stamp = params.push(Arg::Time(now));
        let months_sql = months
            .iter()
            .enumerate()
            .map(|(t, period)| {
                format!(
                    "({}, {}, {}, {})",
                    params.push(Arg::Text(period.to_string())),
                    params.push(Arg::Date(period.start())),
                    params.push(Arg::Date(period.end())),
                    params.push(Arg::Int(t as i64)),
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let units_sql = chunk
            .iter()
            .map(|id| params.push(Arg::Int(*id)))
            .collect::<Vec<_>>()
            .join(", ");
        // Integer arithmetic for the spread, then floats: the same figures on both engines.
        let base = format!("(10.0 + (({seed} * 7 + u.id * 13 + m.t * 3) % 50))");
        let (value, numerator, denominator) = match shape {
            ScaleShape::Count => (
                format!("{base} + m.t"),
                "CAST(NULL AS DOUBLE PRECISION)".to_owned(),
                "CAST(NULL AS DOUBLE PRECISION)".to_owned(),
            ),
            ScaleShape::Percent => (
                format!(
                    "CASE WHEN {base} + m.t * 0.5 > 100.0 THEN 100.0 ELSE {base} + m.t * 0.5 END"
                ),
                "CAST(NULL AS DOUBLE PRECISION)".to_owned(),
                "CAST(NULL AS DOUBLE PRECISION)".to_owned(),
            ),
            ScaleShape::Ratio => {
                let den = "(100.0 + (u.id % 40))";
                let num = format!("ROUND({den} * (0.2 + 0.7 * m.t / {span:.1}))");
                (format!("{num} / {den} * 100.0"), num, den.to_owned())
            }
        };
        let sql = format!(
            "WITH months (period, period_start, period_end, t) AS (VALUES {months_sql})
             INSERT INTO data_values (indicator_id, unit_id, period, period_start, period_end, value, numerator,
                 denominator, status, updated_by, approved_value, approved_numerator, approved_denominator, updated_at)
             SELECT {indicator}, g.unit_id, g.period, g.period_start, g.period_end, g.value, g.numerator, g.denominator,
                    'approved', 'scale', g.value, g.numerator, g.denominator, {stamp}
             FROM (SELECT u.id AS unit_id, m.period, m.period_start, m.period_end,
                          {value} AS value, {numerator} AS numerator, {denominator} AS denominator
                   FROM org_units u CROSS JOIN months m WHERE u.id IN ({units_sql})) g"
        );
        written += q!(c, |x| bind_all!(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .execute(x)
        .await
        .map(|r| r.rows_affected()))?;
    }
    refresh_aggregates_of_indicators(c, &[indicator_id]).await?;
    Ok(written)
}

/// Figures of every indicator for some units inside `[from, to]` (one query for a
/// whole subtree's roll-ups): (indicator id, figure).
pub async fn figures_of_units(
    c: &mut Conn,
    unit_ids: &[i64],
    from: Date,
    to: Date,
    include_pending: bool,
) -> Result<Vec<(i64, StoredFigure)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        indicator_id: i64,
        #[sqlx(flatten)]
        figure: StoredFigure,
    }
    let mut out = Vec::new();
    for chunk in unit_ids.chunks(500) {
        let mut params = Params::default();
        let f = params.push(Arg::Date(from));
        let t = params.push(Arg::Date(to));
        let list: Vec<String> = chunk.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let (columns, status) = if include_pending {
            (
                "value, numerator, denominator",
                "status IN ('submitted', 'approved')",
            )
        } else {
            (
                "approved_value AS value, approved_numerator AS numerator, approved_denominator AS denominator",
                "approved_value IS NOT NULL",
            )
        };
        let sql = format!(
            "SELECT indicator_id, unit_id, period_end, {columns} FROM data_values
             WHERE unit_id IN ({}) AND period_start >= {f} AND period_end <= {t} AND {status}",
            list.join(", ")
        );
        let rows: Vec<Row> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        out.extend(rows.into_iter().map(|r| (r.indicator_id, r.figure)));
    }
    Ok(out)
}

/// Every (indicator, unit kind) pair that some form expects.
pub async fn all_expected_kinds(c: &mut Conn) -> Result<Vec<(i64, String)>> {
    Ok(q!(c, |x| {
        sqlx::query_as(
        "SELECT DISTINCT fi.indicator_id, k.kind FROM form_indicators fi JOIN form_unit_kinds k ON k.form_id = fi.form_id"
    )
    .fetch_all(x)
    .await
    })?)
}

/// A unit's targets for a period, every indicator (one query).
pub async fn targets_for(c: &mut Conn, unit_id: i64, period: Period) -> Result<Vec<Target>> {
    targets_of_unit(c, unit_id, period).await
}

/// An indicator's approved figures of one unit, combined over a period range in SQL:
/// enough to apply any roll-up rule without reading every month.
#[derive(Debug, Clone, Copy, PartialEq, sqlx::FromRow)]
pub struct UnitAggregate {
    pub indicator_id: i64,
    pub unit_id: i64,
    pub n: i64,
    pub total: f64,
    pub total_numerator: Option<f64>,
    pub total_denominator: Option<f64>,
    pub smallest: f64,
    pub largest: f64,
    pub last_end: Date,
    /// The approved figure of the last period, where it was kept with the aggregate.
    pub last_value: Option<f64>,
    pub last_numerator: Option<f64>,
    pub last_denominator: Option<f64>,
}

/// Per indicator and unit: count, sums, extremes and the last period's end, for some units.
pub async fn aggregates_of_units(
    c: &mut Conn,
    unit_ids: &[i64],
    from: Date,
    to: Date,
    indicator_ids: Option<&[i64]>,
) -> Result<Vec<UnitAggregate>> {
    let mut out = Vec::new();
    for chunk in unit_ids.chunks(500) {
        let mut params = Params::default();
        let f = params.push(Arg::Date(from));
        let t = params.push(Arg::Date(to));
        let list: Vec<String> = chunk.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let sql = format!(
            "SELECT indicator_id, unit_id, COUNT(*) AS n, SUM(approved_value) AS total,
                    SUM(approved_numerator) AS total_numerator, SUM(approved_denominator) AS total_denominator,
                    MIN(approved_value) AS smallest, MAX(approved_value) AS largest, MAX(period_end) AS last_end,
                    CAST(NULL AS DOUBLE PRECISION) AS last_value, CAST(NULL AS DOUBLE PRECISION) AS last_numerator,
                    CAST(NULL AS DOUBLE PRECISION) AS last_denominator
             FROM data_values
             WHERE unit_id IN ({}) AND period_start >= {f} AND period_end <= {t} AND approved_value IS NOT NULL{}
             GROUP BY indicator_id, unit_id",
            list.join(", "),
            only_indicators(indicator_ids, &mut params)
        );
        let rows: Vec<UnitAggregate> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, UnitAggregate>(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// ` AND indicator_id IN (…)` when the caller wants some indicators only.
fn only_indicators(indicator_ids: Option<&[i64]>, params: &mut Params) -> String {
    match indicator_ids {
        None => String::new(),
        Some([]) => " AND 1 = 0".to_owned(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(|id| params.push(Arg::Int(*id))).collect();
            format!(" AND indicator_id IN ({})", list.join(", "))
        }
    }
}

// ---------------------------------------------------------------- pre-combined figures
//
// `value_aggregates` holds, per indicator, unit and year or quarter, what
// `aggregates_of_units` would compute from `data_values`. Every function that changes an
// approved figure refreshes the rows it touches before it returns, in the caller's
// transaction, so a roll-up read from it is never stale.

/// The columns computed from approved figures, shared by every refresh.
const AGGREGATE_COLUMNS: &str =
    "COUNT(*), SUM(approved_value), SUM(approved_numerator), SUM(approved_denominator),
     MIN(approved_value), MAX(approved_value), MAX(period_end)";
const AGGREGATE_INSERT: &str =
    "INSERT INTO value_aggregates (indicator_id, unit_id, bucket, n, total, total_numerator,
     total_denominator, smallest, largest, last_end)";
/// Copies the last period's figure next to each aggregate matching `condition`.
const SET_LAST_FIGURE: &str = "UPDATE value_aggregates SET
     last_value = (SELECT d.approved_value FROM data_values d WHERE d.indicator_id = value_aggregates.indicator_id
         AND d.unit_id = value_aggregates.unit_id AND d.period_end = value_aggregates.last_end),
     last_numerator = (SELECT d.approved_numerator FROM data_values d WHERE d.indicator_id = value_aggregates.indicator_id
         AND d.unit_id = value_aggregates.unit_id AND d.period_end = value_aggregates.last_end),
     last_denominator = (SELECT d.approved_denominator FROM data_values d WHERE d.indicator_id = value_aggregates.indicator_id
         AND d.unit_id = value_aggregates.unit_id AND d.period_end = value_aggregates.last_end)";
/// The quarter a month's or quarter's period text falls in (`2025-08` → `2025Q3`).
const QUARTER_OF_PERIOD: &str = "CASE WHEN LENGTH(period) = 6 THEN period
     ELSE SUBSTR(period, 1, 4) || 'Q' || CAST((CAST(SUBSTR(period, 6, 2) AS INTEGER) + 2) / 3 AS TEXT) END";

/// Recomputes the year and quarter rows of one indicator and unit around a period.
pub async fn refresh_aggregates(
    c: &mut Conn,
    indicator_id: i64,
    unit_id: i64,
    period: Period,
) -> Result<()> {
    // Two approvals for the same indicator and unit could otherwise each recompute from
    // a view without the other's figure. SQLite has one writer at a time; PostgreSQL
    // waits here for the other transaction, whose figure the next statements then see.
    if let crate::db::Raw::Postgres(x) = c.raw() {
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(indicator_id as i32)
            .bind(unit_id as i32)
            .execute(x)
            .await?;
    }
    for bucket in period.buckets() {
        q!(c, |x| sqlx::query(
            "DELETE FROM value_aggregates WHERE indicator_id = $1 AND unit_id = $2 AND bucket = $3"
        )
        .bind(indicator_id)
        .bind(unit_id)
        .bind(bucket.to_string())
        .execute(x)
        .await
        .map(|_| ()))?;
        let sql = format!(
            "{AGGREGATE_INSERT} SELECT indicator_id, unit_id, $3, {AGGREGATE_COLUMNS} FROM data_values
             WHERE indicator_id = $1 AND unit_id = $2 AND period_start >= $4 AND period_end <= $5
               AND approved_value IS NOT NULL
             GROUP BY indicator_id, unit_id"
        );
        q!(c, |x| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(indicator_id)
            .bind(unit_id)
            .bind(bucket.to_string())
            .bind(bucket.start())
            .bind(bucket.end())
            .execute(x)
            .await
            .map(|_| ()))?;
        let sql =
            format!("{SET_LAST_FIGURE} WHERE indicator_id = $1 AND unit_id = $2 AND bucket = $3");
        q!(c, |x| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(indicator_id)
            .bind(unit_id)
            .bind(bucket.to_string())
            .execute(x)
            .await
            .map(|_| ()))?;
    }
    Ok(())
}

/// Recomputes every row of some indicators, set-based (after a bulk load).
pub async fn refresh_aggregates_of_indicators(c: &mut Conn, indicator_ids: &[i64]) -> Result<()> {
    for chunk in indicator_ids.chunks(500) {
        let mut params = Params::default();
        let list = chunk
            .iter()
            .map(|id| params.push(Arg::Int(*id)))
            .collect::<Vec<_>>()
            .join(", ");
        let statements = [
            format!("DELETE FROM value_aggregates WHERE indicator_id IN ({list})"),
            format!(
                "{AGGREGATE_INSERT} SELECT indicator_id, unit_id, SUBSTR(period, 1, 4), {AGGREGATE_COLUMNS}
                 FROM data_values WHERE approved_value IS NOT NULL AND indicator_id IN ({list})
                 GROUP BY indicator_id, unit_id, SUBSTR(period, 1, 4)"
            ),
            format!(
                "{AGGREGATE_INSERT} SELECT indicator_id, unit_id, {QUARTER_OF_PERIOD}, {AGGREGATE_COLUMNS}
                 FROM data_values WHERE approved_value IS NOT NULL AND LENGTH(period) > 4 AND indicator_id IN ({list})
                 GROUP BY indicator_id, unit_id, {QUARTER_OF_PERIOD}"
            ),
            format!("{SET_LAST_FIGURE} WHERE indicator_id IN ({list})"),
        ];
        for sql in statements {
            let args = params.args.clone();
            q!(c, |x| bind_all!(
                sqlx::query(sqlx::AssertSqlSafe(sql.clone())),
                args.clone()
            )
            .execute(x)
            .await
            .map(|_| ()))?;
        }
    }
    Ok(())
}

/// The pre-combined figures of some units for a year or a quarter: the same answer as
/// [`aggregates_of_units`] over that period, one row per indicator and unit.
pub async fn bucket_aggregates(
    c: &mut Conn,
    unit_ids: &[i64],
    bucket: Period,
    indicator_ids: Option<&[i64]>,
) -> Result<Vec<UnitAggregate>> {
    let mut out = Vec::new();
    for chunk in unit_ids.chunks(500) {
        let mut params = Params::default();
        let b = params.push(Arg::Text(bucket.to_string()));
        let list: Vec<String> = chunk.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let sql = format!(
            "SELECT indicator_id, unit_id, n, total, total_numerator, total_denominator, smallest, largest, last_end,
                    last_value, last_numerator, last_denominator
             FROM value_aggregates WHERE bucket = {b} AND unit_id IN ({}){}",
            list.join(", "),
            only_indicators(indicator_ids, &mut params)
        );
        let rows: Vec<UnitAggregate> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, UnitAggregate>(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The approved figure of each (indicator, unit) at a given period end (the `latest` rule).
pub async fn figures_at(
    c: &mut Conn,
    pairs: &[(i64, i64, Date)],
) -> Result<Vec<(i64, StoredFigure)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        indicator_id: i64,
        #[sqlx(flatten)]
        figure: StoredFigure,
    }
    let mut out = Vec::new();
    for chunk in pairs.chunks(300) {
        let mut params = Params::default();
        let tuples: Vec<String> = chunk
            .iter()
            .map(|(i, u, d)| {
                format!(
                    "(indicator_id = {} AND unit_id = {} AND period_end = {})",
                    params.push(Arg::Int(*i)),
                    params.push(Arg::Int(*u)),
                    params.push(Arg::Date(*d))
                )
            })
            .collect();
        let sql = format!(
            "SELECT indicator_id, unit_id, period_end, approved_value AS value, approved_numerator AS numerator,
                    approved_denominator AS denominator
             FROM data_values WHERE approved_value IS NOT NULL AND ({})",
            tuples.join(" OR ")
        );
        let rows: Vec<Row> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        out.extend(rows.into_iter().map(|r| (r.indicator_id, r.figure)));
    }
    Ok(out)
}

/// Copies every target of one period to another (overwriting what the new period had).
pub async fn copy_targets(
    c: &mut Conn,
    from: Period,
    to: Period,
    by: &str,
    now: OffsetDateTime,
) -> Result<u64> {
    Ok(q!(c, |x| {
        sqlx::query(
        "INSERT INTO targets (indicator_id, unit_id, period, value, set_by, set_at)
         SELECT indicator_id, unit_id, $2, value, $3, $4 FROM targets WHERE period = $1
         ON CONFLICT (indicator_id, unit_id, period) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at"
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(by)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?)
}

/// Targets of a period for some units (a grid in one query).
pub async fn targets_of_units(
    c: &mut Conn,
    unit_ids: &[i64],
    period: Period,
) -> Result<Vec<Target>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let p = params.push(Arg::Text(period.to_string()));
    let list: Vec<String> = unit_ids
        .iter()
        .map(|id| params.push(Arg::Int(*id)))
        .collect();
    let sql = format!(
        "SELECT indicator_id, unit_id, period, value FROM targets WHERE period = {p} AND unit_id IN ({})",
        list.join(", ")
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, Target>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}
