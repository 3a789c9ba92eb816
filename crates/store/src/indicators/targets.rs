//! Targets: a unit's goal for an indicator and period, set, copied and read.

use serde::Serialize;
use time::OffsetDateTime;

use dxplan_domain::period::Period;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

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

/// A unit's targets for a period, every indicator (one query).
pub async fn targets_for(c: &mut Conn, unit_id: i64, period: Period) -> Result<Vec<Target>> {
    targets_of_unit(c, unit_id, period).await
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
