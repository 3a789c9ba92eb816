//! Who reports what: the kinds expected per indicator, late units, a form's
//! completeness, and the long exchange format.

use serde::Serialize;
use time::Date;

use dxplan_domain::indicator::ValueStatus;
use dxplan_domain::period::Period;

use super::{StoredFigure, form_indicators, form_kinds};
use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

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
