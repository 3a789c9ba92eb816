//! One indicator over one unit's subtree as its page shows it: the period's roll-up with
//! the units below it, the last years' trend, and where the year is heading.

use std::sync::Arc;

use dxplan_domain::dashboard::{KeyIndicator, TREND_YEARS, YearFigure};
use dxplan_domain::forecast::Forecast;
use dxplan_domain::period::Period;
use time::Date;

use super::rollup::{require_reader, rollup_unchecked};
use super::{ForecastAsk, Indicator, RollupAsk, RollupView, rollup_periods};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
use crate::rights::Absent;

/// An indicator's page over a unit: [`IndicatorOverview::view`] for the period asked,
/// with the unit's children; [`IndicatorOverview::key`] the same figure with its trend and
/// forecast, as the dashboard's key indicators have it.
#[derive(Debug)]
pub struct IndicatorOverview {
    pub view: RollupView,
    pub key: KeyIndicator,
}

/// What is remembered of overviews: by indicator, unit code, period and the tree's date.
pub(crate) type OverviewKey = (i64, String, Period, Date);

/// `indicator` over the subtree of the unit holding `unit_code` on `at`, for `period`
/// (approved figures only), with the units below and `TREND_YEARS` years up to the
/// period's. Over a nation this is a few hundred milliseconds of figures, so it is kept a
/// few seconds and forgotten on any change, one reader computing it while the others wait,
/// as every indicator of a subtree is.
pub async fn overview(
    app: &App,
    user: &CurrentUser,
    indicator: &Indicator,
    unit_code: &str,
    period: Period,
    at: Date,
) -> AppResult<Arc<IndicatorOverview>> {
    require_reader(app, user, unit_code, at, Absent::Field("unit")).await?;
    let key = (indicator.id, unit_code.to_owned(), period, at);
    app.memo
        .overviews
        .get_or_read_alone(&app.memo, key, || async {
            Ok::<_, AppError>(Arc::new(
                compute(app, indicator, unit_code, period, at).await?,
            ))
        })
        .await
}

async fn compute(
    app: &App,
    indicator: &Indicator,
    unit_code: &str,
    period: Period,
    at: Date,
) -> AppResult<IndicatorOverview> {
    let label = period.to_string();
    let ask = RollupAsk {
        indicator: &indicator.code,
        unit: unit_code,
        period: &label,
        at,
        with_children: true,
        include_pending: false,
    };
    let view = rollup_unchecked(app, &ask).await?;
    let year = period.start().year();
    let years: Vec<Period> = (year - TREND_YEARS + 1..=year).map(Period::Year).collect();
    let per_year = rollup_periods(app, unit_code, &years, at, Some(&[indicator.id])).await?;
    // Where the year shown is heading for the unit, against the unit's target for it.
    let seen: Vec<Option<&RollupView>> = per_year.iter().map(|v| v.first()).collect();
    let (this_year, past) = seen.split_last().unwrap_or((&None, &[]));
    let ask = ForecastAsk {
        indicator,
        target: this_year.and_then(|v| v.target),
        past_years: past.iter().map(|v| v.and_then(|v| v.value)).collect(),
        this_year: this_year.and_then(|v| v.value),
    };
    let forecast = super::year_forecasts(app, unit_code, year, at, &[ask])
        .await?
        .remove(&indicator.id)
        .unwrap_or_else(Forecast::unknown);
    let trend = years
        .iter()
        .zip(&seen)
        .map(|(p, v)| YearFigure {
            year: p.start().year(),
            value: v.and_then(|v| v.value),
            target: v.and_then(|v| v.target),
        })
        .collect();
    let key = KeyIndicator {
        code: indicator.code.clone(),
        name: indicator.name.clone(),
        unit_of_measure: indicator.unit_of_measure.clone(),
        period_type: indicator.period_type,
        forecast,
        value: view.value,
        target: view.target,
        attainment: view.attainment,
        reported_units: view.reported_units,
        missing_units: view.missing.len(),
        trend,
    };
    Ok(IndicatorOverview { view, key })
}
