//! Province- and national-scale figures for the benchmarks and the scale demo.

use time::OffsetDateTime;

use dxplan_domain::period::Period;

use super::refresh_aggregates_of_indicators;
use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

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
