//! Figures pre-combined per unit, year and quarter (`value_aggregates`), kept fresh by
//! every approval, and the combined reads roll-ups make of them.

use time::Date;

use dxplan_domain::period::Period;

use super::StoredFigure;
use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

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

/// [`aggregates_of_units`] for several months in one read (a year's months for a
/// forecast), each month's aggregates under its period. A month holds one figure per
/// indicator and unit, so the grouping is by the period's name.
pub async fn aggregates_by_month(
    c: &mut Conn,
    unit_ids: &[i64],
    months: &[Period],
    indicator_ids: Option<&[i64]>,
) -> Result<Vec<(Period, UnitAggregate)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        period: String,
        #[sqlx(flatten)]
        aggregate: UnitAggregate,
    }
    let (Some(from), Some(to)) = (
        months.iter().map(|p| p.start()).min(),
        months.iter().map(|p| p.end()).max(),
    ) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for chunk in unit_ids.chunks(500) {
        let mut params = Params::default();
        let f = params.push(Arg::Date(from));
        let t = params.push(Arg::Date(to));
        let names: Vec<String> = months
            .iter()
            .map(|p| params.push(Arg::Text(p.to_string())))
            .collect();
        let list: Vec<String> = chunk.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let sql = format!(
            "SELECT period, indicator_id, unit_id, COUNT(*) AS n, SUM(approved_value) AS total,
                    SUM(approved_numerator) AS total_numerator, SUM(approved_denominator) AS total_denominator,
                    MIN(approved_value) AS smallest, MAX(approved_value) AS largest, MAX(period_end) AS last_end,
                    MAX(approved_value) AS last_value, MAX(approved_numerator) AS last_numerator,
                    MAX(approved_denominator) AS last_denominator
             FROM data_values
             WHERE unit_id IN ({}) AND period_start >= {f} AND period_end <= {t} AND period IN ({})
               AND approved_value IS NOT NULL{}
             GROUP BY period, indicator_id, unit_id",
            list.join(", "),
            names.join(", "),
            only_indicators(indicator_ids, &mut params)
        );
        let rows: Vec<Row> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        for row in rows {
            if let Some(p) = Period::parse(&row.period) {
                out.push((p, row.aggregate));
            }
        }
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

/// Pre-combined figures of a year or a quarter summed per indicator and group of units,
/// the units' own figures by every rule side by side: the caller knows each indicator's
/// rule. One row per indicator and group, however many units are in it.
#[derive(Debug, Clone, Copy, PartialEq, sqlx::FromRow)]
pub struct GroupAggregate {
    pub indicator_id: i64,
    pub group_id: i64,
    /// How many units of the group have figures.
    pub units: i64,
    /// The units' totals (`sum`), their averages over time (`average`), their last
    /// figures (`latest`), summed across the units.
    pub totals: Option<f64>,
    pub averages: Option<f64>,
    pub last_values: Option<f64>,
    pub smallest: Option<f64>,
    pub largest: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// [`bucket_aggregates`] of many units combined per group (`(unit, group)` pairs) in the
/// database: a roll-up over the nation reads a row per province, not per commune.
pub async fn grouped_bucket_aggregates(
    c: &mut Conn,
    members: &[(i64, i64)],
    bucket: Period,
    indicator_ids: Option<&[i64]>,
) -> Result<Vec<GroupAggregate>> {
    let mut out = Vec::new();
    // Two parameters a unit, well under either engine's limit on parameters.
    for chunk in members.chunks(5000) {
        let mut params = Params::default();
        let b = params.push(Arg::Text(bucket.to_string()));
        let rows: Vec<String> = chunk
            .iter()
            .map(|(unit, group)| {
                format!(
                    "(CAST({} AS BIGINT), CAST({} AS BIGINT))",
                    params.push(Arg::Int(*unit)),
                    params.push(Arg::Int(*group))
                )
            })
            .collect();
        let sql = format!(
            "WITH g (unit_id, group_id) AS (VALUES {})
             SELECT a.indicator_id, g.group_id, COUNT(*) AS units, SUM(a.total) AS totals,
                    SUM(a.total / a.n) AS averages, SUM(a.last_value) AS last_values,
                    MIN(a.smallest) AS smallest, MAX(a.largest) AS largest,
                    SUM(a.total_numerator) AS numerator, SUM(a.total_denominator) AS denominator
             FROM value_aggregates a JOIN g ON g.unit_id = a.unit_id
             WHERE a.bucket = {b}{}
             GROUP BY a.indicator_id, g.group_id",
            rows.join(", "),
            only_indicators(indicator_ids, &mut params).replace("indicator_id", "a.indicator_id")
        );
        let rows: Vec<GroupAggregate> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, GroupAggregate>(sqlx::AssertSqlSafe(sql)),
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
