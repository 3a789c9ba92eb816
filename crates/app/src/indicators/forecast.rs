//! Year-end forecasts of indicators over a unit's subtree, from the periods that have
//! ended (see `dxplan_domain::forecast` for the method).

use std::collections::HashMap;

use dxplan_domain::forecast::{self, Forecast, Nature};
use dxplan_domain::indicator::{Figure, PeriodType, ValueRules};
use dxplan_domain::period::Period;
use time::Date;

use super::{Indicator, RollupView, rollup_periods};
use crate::App;
use crate::error::AppResult;

/// What a forecast of one indicator is asked with: its target for the year, and (for a
/// yearly indicator) the previous years' figures, oldest first, and this year's.
pub struct ForecastAsk<'a> {
    pub indicator: &'a Indicator,
    pub target: Option<f64>,
    pub past_years: Vec<Option<f64>>,
    pub this_year: Option<f64>,
}

/// The nature of an indicator as the forecast needs it.
pub fn nature_of(i: &Indicator) -> Nature {
    Nature {
        rule: i.aggregation,
        direction: i.direction,
        value: ValueRules {
            measure: i.measure,
            min_value: i.min_value,
            max_value: i.max_value,
        },
    }
}

/// The periods of a year for an indicator of a kind, and how many of them have ended by
/// `today`.
fn periods_of(year: i32, kind: PeriodType, today: Date) -> (Vec<Period>, usize) {
    let periods: Vec<Period> = match kind {
        PeriodType::Month => (1..=12).map(|m| Period::Month(year, m)).collect(),
        PeriodType::Quarter => (1..=4).map(|q| Period::Quarter(year, q)).collect(),
        PeriodType::Year => vec![Period::Year(year)],
    };
    let elapsed = periods.iter().filter(|p| p.end() < today).count();
    (periods, elapsed)
}

/// Forecasts each indicator asked for the year over the subtree of the unit holding
/// `unit_code` on `at`: one roll-up per period of the year that has ended (months and
/// quarters read once for all indicators), never one per indicator.
pub async fn year_forecasts(
    app: &App,
    unit_code: &str,
    year: i32,
    at: Date,
    asks: &[ForecastAsk<'_>],
) -> AppResult<HashMap<i64, Forecast>> {
    let today = app.today();
    let within: Vec<&ForecastAsk<'_>> = asks
        .iter()
        .filter(|a| a.indicator.period_type != PeriodType::Year)
        .collect();
    let mut asked: Vec<Period> = Vec::new();
    for kind in [PeriodType::Month, PeriodType::Quarter] {
        if within.iter().any(|a| a.indicator.period_type == kind) {
            let (periods, elapsed) = periods_of(year, kind, today);
            asked.extend(periods.into_iter().take(elapsed));
        }
    }
    let ids: Vec<i64> = within.iter().map(|a| a.indicator.id).collect();
    let views: HashMap<Period, Vec<RollupView>> = if asked.is_empty() || ids.is_empty() {
        HashMap::new()
    } else {
        asked
            .iter()
            .copied()
            .zip(rollup_periods(app, unit_code, &asked, at, Some(&ids)).await?)
            .collect()
    };
    let figure_of = |period: &Period, code: &str| -> Option<Figure> {
        let v = views.get(period)?.iter().find(|v| v.indicator == code)?;
        v.value.map(|value| Figure {
            value,
            numerator: v.numerator,
            denominator: v.denominator,
        })
    };
    Ok(asks
        .iter()
        .map(|a| {
            let nature = nature_of(a.indicator);
            let f = match a.indicator.period_type {
                PeriodType::Year => {
                    forecast::from_past_years(nature, a.target, &a.past_years, a.this_year)
                }
                kind => {
                    let (periods, elapsed) = periods_of(year, kind, today);
                    let slots: Vec<Option<Figure>> = periods
                        .iter()
                        .map(|p| figure_of(p, &a.indicator.code))
                        .collect();
                    forecast::within_year(nature, a.target, &slots, elapsed)
                }
            };
            (a.indicator.id, f)
        })
        .collect())
}
