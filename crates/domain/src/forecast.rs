//! Forecasts: where an indicator's year will end, judged from the figures so far.
//!
//! The method is one a leader can check with a ruler: the straight line that fits the
//! periods reported this year best (least squares), carried on to the year's last
//! period, and the periods still to come (or never reported) filled in from it. A yearly
//! indicator has one period a year, so its line runs through the previous years instead.
//! Then the year's figure is combined by the indicator's own rule (a sum adds the
//! periods, `latest` takes the last one) and compared with the target.

use serde::Serialize;

use crate::Lang;
use crate::indicator::{
    Aggregation, Direction, Figure, Measure, PeriodType, ValueRules, attainment, combine,
};

/// Below the target by no more than this share of it: at risk, not yet lost.
pub const AT_RISK_SHARE: f64 = 0.9;

/// A line needs two points.
pub const MIN_BASIS: usize = 2;

/// How the year is expected to end against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outlook {
    /// Red: on the present trend the target is missed by more than a tenth.
    WillMiss,
    /// Orange: short of the target by less than a tenth.
    AtRisk,
    /// Green: the target is reached on the present trend.
    OnTrack,
    /// Grey: too few figures, or no target.
    CannotJudge,
}

impl Outlook {
    /// Worst first: the order lists and the wall show indicators in.
    pub fn rank(self) -> u8 {
        self as u8
    }

    /// The colour pages paint it.
    pub fn css(self) -> &'static str {
        match self {
            Outlook::WillMiss => "red",
            Outlook::AtRisk => "orange",
            Outlook::OnTrack => "green",
            Outlook::CannotJudge => "grey",
        }
    }
}

/// What the forecast was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Method {
    /// Every period of the year is in: the figure is the year's, nothing projected.
    Final,
    /// A line through this year's periods.
    YearPeriods,
    /// A line through the previous years (a yearly indicator not yet reported).
    PastYears,
    /// Not enough to draw a line.
    NotEnough,
}

/// A forecast for the year's end.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forecast {
    /// The figure the year is expected to end on.
    pub value: Option<f64>,
    pub target: Option<f64>,
    /// The expected figure as a share of the target (inverted when lower is better).
    pub percent: Option<f64>,
    pub outlook: Outlook,
    pub method: Method,
    /// Figures the line was drawn through.
    pub basis: usize,
    /// Periods in the year (4 quarters, 12 months; for `past_years`, the years looked at).
    pub periods: usize,
}

impl Forecast {
    fn cannot_judge(method: Method, basis: usize, periods: usize, target: Option<f64>) -> Self {
        Forecast {
            value: None,
            target,
            percent: None,
            outlook: Outlook::CannotJudge,
            method,
            basis,
            periods,
        }
    }

    /// Nothing to go on at all.
    pub fn unknown() -> Self {
        Forecast::cannot_judge(Method::NotEnough, 0, 0, None)
    }

    /// Whether the value is a projection (not the year's own figure, not nothing).
    pub fn is_projection(&self) -> bool {
        self.value.is_some() && matches!(self.method, Method::YearPeriods | Method::PastYears)
    }

    /// The outlook in words, as the colour's label.
    pub fn label(&self, lang: Lang) -> &'static str {
        match (self.outlook, self.method) {
            (Outlook::OnTrack, Method::Final) => lang.pick("Đã đạt", "Achieved"),
            (Outlook::WillMiss | Outlook::AtRisk, Method::Final) => {
                lang.pick("Không đạt", "Missed")
            }
            (Outlook::OnTrack, _) => lang.pick("Đúng hướng", "On track"),
            (Outlook::AtRisk, _) => lang.pick("Có nguy cơ không đạt", "At risk"),
            (Outlook::WillMiss, _) => lang.pick("Dự báo không đạt", "Will miss"),
            (Outlook::CannotJudge, _) => lang.pick("Chưa đủ số liệu để dự báo", "Cannot judge yet"),
        }
    }

    /// How the forecast was made, in a sentence a leader can check.
    pub fn explain(&self, lang: Lang, period_type: PeriodType) -> String {
        let (vi_period, en_period) = match period_type {
            PeriodType::Month => ("tháng", "months"),
            PeriodType::Quarter => ("quý", "quarters"),
            PeriodType::Year => ("năm", "years"),
        };
        match (self.method, lang) {
            (Method::Final, Lang::Vi) => "Số liệu đủ các kỳ của năm.".to_string(),
            (Method::Final, Lang::En) => "Every period of the year is in.".to_string(),
            (Method::YearPeriods, Lang::Vi) => format!(
                "Theo đường xu hướng qua {}/{} {vi_period} đã có số liệu, kéo dài đến hết năm.",
                self.basis, self.periods
            ),
            (Method::YearPeriods, Lang::En) => format!(
                "The trend line through the {} of {} {en_period} reported, carried to the year's end.",
                self.basis, self.periods
            ),
            (Method::PastYears, Lang::Vi) => format!(
                "Chưa có số liệu năm nay: theo đường xu hướng của {} năm trước.",
                self.basis
            ),
            (Method::PastYears, Lang::En) => format!(
                "No figure this year yet: the trend line of the {} years before.",
                self.basis
            ),
            (Method::NotEnough, Lang::Vi) => format!(
                "Cần ít nhất {MIN_BASIS} kỳ có số liệu; mới có {}.",
                self.basis
            ),
            (Method::NotEnough, Lang::En) => format!(
                "At least {MIN_BASIS} periods with figures are needed; {} so far.",
                self.basis
            ),
        }
    }
}

/// An indicator's nature, as far as a forecast needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nature {
    pub rule: Aggregation,
    pub direction: Direction,
    pub value: ValueRules,
}

/// Forecasts a year from its periods so far. `slots` holds each period of the year in
/// order (4 quarters, 12 months), `None` where there is no approved figure; only the
/// first `elapsed` periods (those that have ended) are looked at.
pub fn within_year(
    nature: Nature,
    target: Option<f64>,
    slots: &[Option<Figure>],
    elapsed: usize,
) -> Forecast {
    let periods = slots.len();
    let seen: Vec<(usize, Figure)> = slots
        .iter()
        .take(elapsed)
        .enumerate()
        .filter_map(|(t, f)| f.map(|f| (t, f)))
        .collect();
    if seen.len() == periods && periods > 0 {
        let figures: Vec<Figure> = seen.iter().map(|(_, f)| *f).collect();
        let value = combine(nature.rule, &figures).map(|f| f.value);
        return judged(
            nature.direction,
            value,
            target,
            Method::Final,
            periods,
            periods,
        );
    }
    if seen.len() < MIN_BASIS {
        return Forecast::cannot_judge(Method::NotEnough, seen.len(), periods, target);
    }
    let bounds = Bounds::of(nature.value, seen.iter().map(|(_, f)| f.value));
    let line = |of: fn(&Figure) -> f64| Line::fit(seen.iter().map(move |(t, f)| (*t, of(f))));
    let values = line(|f| f.value);
    // A ratio of sums adds numerators and denominators: each has its own line.
    let numerators = line(|f| f.numerator.unwrap_or(0.0));
    let denominators = line(|f| f.denominator.unwrap_or(0.0));
    let projected = |t: usize| -> Figure {
        if nature.rule == Aggregation::RatioOfSums {
            let den = denominators.at(t).max(0.0);
            Figure {
                value: 0.0,
                numerator: Some(numerators.at(t).clamp(0.0, den)),
                denominator: Some(den),
            }
        } else {
            Figure::plain(bounds.clamp(values.at(t)))
        }
    };
    // The figures of ended periods as they are, the rest from the line.
    let filled: Vec<Figure> = (0..periods)
        .map(|t| {
            slots
                .get(t)
                .copied()
                .flatten()
                .filter(|_| t < elapsed)
                .unwrap_or_else(|| projected(t))
        })
        .collect();
    let value = combine(nature.rule, &filled).map(|f| f.value);
    judged(
        nature.direction,
        value,
        target,
        Method::YearPeriods,
        seen.len(),
        periods,
    )
}

/// Forecasts a yearly indicator: this year's figure when it is in, otherwise the line
/// through the previous years (`past`, oldest first, `None` for a year without a figure).
pub fn from_past_years(
    nature: Nature,
    target: Option<f64>,
    past: &[Option<f64>],
    this_year: Option<f64>,
) -> Forecast {
    if let Some(v) = this_year {
        return judged(nature.direction, Some(v), target, Method::Final, 1, 1);
    }
    let seen: Vec<(usize, f64)> = past
        .iter()
        .enumerate()
        .filter_map(|(t, v)| v.map(|v| (t, v)))
        .collect();
    if seen.len() < MIN_BASIS {
        return Forecast::cannot_judge(Method::NotEnough, seen.len(), past.len(), target);
    }
    let bounds = Bounds::of(nature.value, seen.iter().map(|(_, v)| *v));
    let line = Line::fit(seen.iter().copied());
    let value = bounds.clamp(line.at(past.len()));
    judged(
        nature.direction,
        Some(value),
        target,
        Method::PastYears,
        seen.len(),
        past.len(),
    )
}

fn judged(
    direction: Direction,
    value: Option<f64>,
    target: Option<f64>,
    method: Method,
    basis: usize,
    periods: usize,
) -> Forecast {
    let (Some(v), Some(t)) = (value, target) else {
        return Forecast {
            value,
            ..Forecast::cannot_judge(method, basis, periods, target)
        };
    };
    let a = attainment(direction, v, t);
    let outlook = match (a.status, a.percent) {
        (crate::indicator::AttainmentStatus::NotAchieved, Some(p))
            if p >= AT_RISK_SHARE * 100.0 =>
        {
            Outlook::AtRisk
        }
        (crate::indicator::AttainmentStatus::NotAchieved, _) => Outlook::WillMiss,
        _ => Outlook::OnTrack,
    };
    Forecast {
        value: Some(v),
        target,
        percent: a.percent,
        outlook,
        method,
        basis,
        periods,
    }
}

/// The least-squares line through some points.
struct Line {
    intercept: f64,
    slope: f64,
}

impl Line {
    fn fit(points: impl Iterator<Item = (usize, f64)> + Clone) -> Line {
        let n = points.clone().count().max(1) as f64;
        let mean_t = points.clone().map(|(t, _)| t as f64).sum::<f64>() / n;
        let mean_y = points.clone().map(|(_, y)| y).sum::<f64>() / n;
        let (mut cov, mut var) = (0.0, 0.0);
        for (t, y) in points {
            let dt = t as f64 - mean_t;
            cov += dt * (y - mean_y);
            var += dt * dt;
        }
        let slope = if var > 0.0 { cov / var } else { 0.0 };
        Line {
            intercept: mean_y - slope * mean_t,
            slope,
        }
    }

    fn at(&self, t: usize) -> f64 {
        self.intercept + self.slope * t as f64
    }
}

/// Where a projected figure may lie: the indicator's own bounds, a percentage within
/// 0–100, a yes/no within 0–1, and nothing below zero for figures that never were.
struct Bounds {
    low: f64,
    high: f64,
}

impl Bounds {
    fn of(rules: ValueRules, mut seen: impl Iterator<Item = f64>) -> Bounds {
        let never_negative = seen.all(|v| v >= 0.0);
        let (kind_low, kind_high) = match rules.measure {
            Measure::Percent | Measure::Ratio => (0.0, 100.0),
            Measure::YesNo => (0.0, 1.0),
            Measure::Number | Measure::Money if never_negative => (0.0, f64::INFINITY),
            Measure::Number | Measure::Money => (f64::NEG_INFINITY, f64::INFINITY),
        };
        Bounds {
            low: rules.min_value.unwrap_or(kind_low),
            high: rules.max_value.unwrap_or(kind_high),
        }
    }

    fn clamp(&self, v: f64) -> f64 {
        v.max(self.low).min(self.high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nature(rule: Aggregation, measure: Measure) -> Nature {
        Nature {
            rule,
            direction: Direction::HigherIsBetter,
            value: ValueRules {
                measure,
                min_value: None,
                max_value: None,
            },
        }
    }

    fn plain(values: &[Option<f64>]) -> Vec<Option<Figure>> {
        values.iter().map(|v| v.map(Figure::plain)).collect()
    }

    #[test]
    fn a_sum_is_carried_on_at_its_pace() {
        // 10, 20, 30 in three quarters: the line gives 40 for the fourth, the year 100.
        let f = within_year(
            nature(Aggregation::Sum, Measure::Number),
            Some(100.0),
            &plain(&[Some(10.0), Some(20.0), Some(30.0), None]),
            3,
        );
        assert_eq!(f.method, Method::YearPeriods);
        assert!((f.value.unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(f.outlook, Outlook::OnTrack);
        assert_eq!((f.basis, f.periods), (3, 4));
        // The same pace against a higher target: 100 of 105 is at risk, of 120 lost.
        let at = |target| {
            within_year(
                nature(Aggregation::Sum, Measure::Number),
                Some(target),
                &plain(&[Some(10.0), Some(20.0), Some(30.0), None]),
                3,
            )
            .outlook
        };
        assert_eq!(at(105.0), Outlook::AtRisk);
        assert_eq!(at(120.0), Outlook::WillMiss);
    }

    #[test]
    fn a_latest_figure_is_where_the_line_ends() {
        // 60, 70 % in two quarters: 90 % at the year's end, short of 95 by less than a tenth.
        let f = within_year(
            nature(Aggregation::Latest, Measure::Percent),
            Some(95.0),
            &plain(&[Some(60.0), Some(70.0), None, None]),
            2,
        );
        assert!((f.value.unwrap() - 90.0).abs() < 1e-9);
        assert_eq!(f.outlook, Outlook::AtRisk);
        // A percentage never runs past 100, however steep the line.
        let f = within_year(
            nature(Aggregation::Latest, Measure::Percent),
            Some(95.0),
            &plain(&[Some(50.0), Some(90.0), None, None]),
            2,
        );
        assert_eq!(f.value, Some(100.0));
    }

    #[test]
    fn a_falling_count_never_goes_below_zero() {
        let f = within_year(
            nature(Aggregation::Latest, Measure::Number),
            Some(5.0),
            &plain(&[Some(30.0), Some(10.0), None, None]),
            2,
        );
        assert_eq!(f.value, Some(0.0));
        assert_eq!(f.outlook, Outlook::WillMiss);
    }

    #[test]
    fn lower_is_better_turns_the_comparison_round() {
        let mut n = nature(Aggregation::Latest, Measure::Percent);
        n.direction = Direction::LowerIsBetter;
        // Late files falling 20 → 15 → 10 %: 5 % by the year's end, under the 8 % ceiling.
        let f = within_year(
            n,
            Some(8.0),
            &plain(&[Some(20.0), Some(15.0), Some(10.0), None]),
            3,
        );
        assert!((f.value.unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(f.outlook, Outlook::OnTrack);
    }

    #[test]
    fn a_ratio_of_sums_projects_numerators_and_denominators() {
        let r = |n: f64, d: f64| {
            Some(Figure {
                value: n / d * 100.0,
                numerator: Some(n),
                denominator: Some(d),
            })
        };
        // 50/100 then 70/100: the line gives 90/100 and 110→100/100, the year 310/400.
        let f = within_year(
            nature(Aggregation::RatioOfSums, Measure::Ratio),
            Some(90.0),
            &[r(50.0, 100.0), r(70.0, 100.0), None, None],
            2,
        );
        assert!((f.value.unwrap() - 77.5).abs() < 1e-9, "{f:?}");
        assert_eq!(f.outlook, Outlook::WillMiss);
    }

    #[test]
    fn one_figure_is_not_a_trend_and_a_full_year_is_not_a_forecast() {
        let f = within_year(
            nature(Aggregation::Sum, Measure::Number),
            Some(10.0),
            &plain(&[Some(10.0), None, None, None]),
            1,
        );
        assert_eq!(f.outlook, Outlook::CannotJudge);
        assert_eq!(f.method, Method::NotEnough);
        assert_eq!(f.value, None);
        let f = within_year(
            nature(Aggregation::Sum, Measure::Number),
            Some(50.0),
            &plain(&[Some(10.0), Some(10.0), Some(10.0), Some(10.0)]),
            4,
        );
        assert_eq!(f.method, Method::Final);
        assert_eq!(f.value, Some(40.0));
        assert_eq!(f.outlook, Outlook::WillMiss);
        assert_eq!(f.label(Lang::Vi), "Không đạt");
    }

    #[test]
    fn figures_of_periods_not_yet_ended_are_not_looked_at() {
        // A draft-like figure for the running quarter must not bend the line.
        let f = within_year(
            nature(Aggregation::Latest, Measure::Number),
            Some(30.0),
            &plain(&[Some(10.0), Some(20.0), Some(0.0), None]),
            2,
        );
        assert!((f.value.unwrap() - 40.0).abs() < 1e-9);
    }

    #[test]
    fn a_missing_period_is_filled_from_the_line() {
        // Q2 never reported: the year adds 10 + (20) + 30 + 40.
        let f = within_year(
            nature(Aggregation::Sum, Measure::Number),
            Some(100.0),
            &plain(&[Some(10.0), None, Some(30.0), None]),
            3,
        );
        assert!((f.value.unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(f.basis, 2);
    }

    #[test]
    fn no_target_cannot_be_judged_but_still_says_where_it_goes() {
        let f = within_year(
            nature(Aggregation::Sum, Measure::Number),
            None,
            &plain(&[Some(10.0), Some(20.0), None, None]),
            2,
        );
        assert_eq!(f.outlook, Outlook::CannotJudge);
        assert!(f.value.is_some());
    }

    #[test]
    fn a_yearly_indicator_looks_at_the_years_before() {
        let n = nature(Aggregation::Latest, Measure::Percent);
        let f = from_past_years(n, Some(80.0), &[Some(50.0), None, Some(70.0)], None);
        // 50 (year 0) and 70 (year 2): 80 in year 3.
        assert!((f.value.unwrap() - 80.0).abs() < 1e-9);
        assert_eq!(f.method, Method::PastYears);
        assert_eq!(f.outlook, Outlook::OnTrack);
        let f = from_past_years(n, Some(80.0), &[Some(50.0), None, Some(70.0)], Some(60.0));
        assert_eq!(f.method, Method::Final);
        assert_eq!(f.outlook, Outlook::WillMiss);
        let f = from_past_years(n, Some(80.0), &[None, None, Some(70.0)], None);
        assert_eq!(f.outlook, Outlook::CannotJudge);
    }

    #[test]
    fn worst_outlooks_sort_first() {
        let mut list = [
            Outlook::CannotJudge,
            Outlook::OnTrack,
            Outlook::WillMiss,
            Outlook::AtRisk,
        ];
        list.sort_by_key(|o| o.rank());
        assert_eq!(
            list,
            [
                Outlook::WillMiss,
                Outlook::AtRisk,
                Outlook::OnTrack,
                Outlook::CannotJudge
            ]
        );
    }

    #[test]
    fn the_explanation_names_the_periods_used() {
        let f = within_year(
            nature(Aggregation::Sum, Measure::Number),
            Some(100.0),
            &plain(&[Some(10.0), Some(20.0), Some(30.0), None]),
            3,
        );
        assert_eq!(
            f.explain(Lang::Vi, PeriodType::Quarter),
            "Theo đường xu hướng qua 3/4 quý đã có số liệu, kéo dài đến hết năm."
        );
    }
}
