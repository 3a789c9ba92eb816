//! Figures: a unit's value per indicator and period, its review workflow, its history,
//! and the stored figures roll-ups combine.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::indicator::ValueStatus;
use dxplan_domain::period::Period;

use super::{refresh_aggregates, refresh_aggregates_of_indicators};
use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result, StoreError};

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
    /// When the officer typed this figure on a phone without a signal (sent later).
    #[serde(with = "time::serde::rfc3339::option")]
    pub entered_offline_at: Option<OffsetDateTime>,
    pub version: i64,
}

macro_rules! select_values {
    () => {
        "SELECT id, indicator_id, unit_id, period, value, numerator, denominator, status, approved_value, comment,
                review_comment, updated_by, updated_at, entered_offline_at, version FROM data_values "
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
    /// When it was typed without a signal, for a figure sent later from a phone.
    pub entered_offline_at: Option<OffsetDateTime>,
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
                     status, comment, updated_by, updated_at, entered_offline_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
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
            .bind(w.entered_offline_at)
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
                     review_comment = NULL, updated_by = $7, updated_at = $8, entered_offline_at = $9,
                     version = version + 1 WHERE id = $1"
            )
            .bind(v.id)
            .bind(w.value)
            .bind(w.numerator)
            .bind(w.denominator)
            .bind(w.status.as_str())
            .bind(w.comment)
            .bind(w.actor_name)
            .bind(now)
            .bind(w.entered_offline_at)
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
        w.entered_offline_at,
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
    entered_offline_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO data_value_history (data_value_id, at, actor_id, actor_name, action, status, value, numerator, denominator, comment, entered_offline_at)
         SELECT id, $2, $3, $4, $5, status, value, numerator, denominator, COALESCE(review_comment, comment), $6
         FROM data_values WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .bind(actor_id)
    .bind(actor_name)
    .bind(action)
    .bind(entered_offline_at)
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
        None,
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
    /// When this version was typed without a signal, for one sent later from a phone.
    #[serde(with = "time::serde::rfc3339::option")]
    pub entered_offline_at: Option<OffsetDateTime>,
}

pub async fn value_history(c: &mut Conn, id: i64) -> Result<Vec<HistoryRow>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, HistoryRow>(
        "SELECT at, actor_name, action, status, value, numerator, denominator, comment, entered_offline_at FROM data_value_history
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

/// Up to this many units, figures are read by unit; beyond, by indicator and period.
const FEW_UNITS: usize = 500;

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
    // Many units (a nation's): the indicator's figures of the period read in the order of
    // its roll-up index, those of other units left out here. Lists of units that long
    // made PostgreSQL intersect two indexes of every figure, 0.7 s for a year.
    if unit_ids.len() > FEW_UNITS {
        let wanted: std::collections::HashSet<i64> = unit_ids.iter().copied().collect();
        let sql = format!(
            "SELECT {columns} FROM data_values
             WHERE indicator_id = $1 AND period_start >= $2 AND period_end <= $3 AND {condition}"
        );
        let rows: Vec<StoredFigure> = q!(c, |x| sqlx::query_as::<_, StoredFigure>(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(indicator_id)
        .bind(from)
        .bind(to)
        .fetch_all(x)
        .await)?;
        out = rows
            .into_iter()
            .filter(|f| wanted.contains(&f.unit_id))
            .collect();
        out.sort_by_key(|f| (f.period_end, f.unit_id));
        return Ok(out);
    }
    // Only the units asked for: one province's figures, not the nation's.
    for chunk in unit_ids.chunks(FEW_UNITS) {
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
