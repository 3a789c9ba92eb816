//! Indicators: what is measured, how a value is checked, how it compares with its
//! target, and how values add up over time and up the unit tree.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::Lang;
use crate::text::parse_number_vi;
use crate::validation::{FieldError, Invalid, optional_text, required_text};

macro_rules! string_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s.trim())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $name::parse(&s).ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)))
            }
        }
    };
}

string_enum!(Measure { Number => "number", Percent => "percent", Ratio => "ratio", Money => "money", YesNo => "yes_no" });
string_enum!(Direction { HigherIsBetter => "higher", LowerIsBetter => "lower" });
string_enum!(Aggregation { Sum => "sum", Average => "average", RatioOfSums => "ratio_of_sums", Min => "min", Max => "max", Latest => "latest" });
string_enum!(PeriodType { Month => "month", Quarter => "quarter", Year => "year" });

impl Measure {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Measure::Number => lang.pick("Số lượng", "Number"),
            Measure::Percent => lang.pick("Tỷ lệ (%)", "Percent"),
            Measure::Ratio => lang.pick("Tỷ lệ (tử số/mẫu số)", "Ratio (numerator/denominator)"),
            Measure::Money => lang.pick("Tiền (đồng)", "Money (đồng)"),
            Measure::YesNo => lang.pick("Có/Không", "Yes/No"),
        }
    }
}

impl PeriodType {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            PeriodType::Month => lang.pick("Tháng", "Monthly"),
            PeriodType::Quarter => lang.pick("Quý", "Quarterly"),
            PeriodType::Year => lang.pick("Năm", "Yearly"),
        }
    }

    pub fn of(period: crate::period::Period) -> PeriodType {
        match period {
            crate::period::Period::Month(..) => PeriodType::Month,
            crate::period::Period::Quarter(..) => PeriodType::Quarter,
            crate::period::Period::Year(..) => PeriodType::Year,
        }
    }
}

/// An indicator as entered, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    pub unit_of_measure: Option<String>,
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub aggregation: String,
    #[serde(default)]
    pub period_type: String,
    #[serde(default)]
    pub pillar_code: Option<String>,
    #[serde(default)]
    pub owner_unit_code: Option<String>,
    #[serde(default)]
    pub min_value: Option<f64>,
    #[serde(default)]
    pub max_value: Option<f64>,
    #[serde(default)]
    pub evidence_required: bool,
}

/// An indicator's checked fields (the owner unit is resolved by the store).
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorFields {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub measure: Measure,
    pub unit_of_measure: Option<String>,
    pub direction: Direction,
    pub aggregation: Aggregation,
    pub period_type: PeriodType,
    pub pillar_code: Option<String>,
    pub owner_unit_code: Option<String>,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    pub evidence_required: bool,
}

fn pick<T: Copy>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let v = parse(value);
    if v.is_none() {
        errors.push(FieldError::new(
            field,
            if value.trim().is_empty() {
                Invalid::Required
            } else {
                Invalid::BadFormat
            },
        ));
    }
    v
}

pub fn validate_indicator(input: &IndicatorInput) -> Result<IndicatorFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = crate::unit::check_code("code", &input.code, &mut errors);
    let name = required_text("name", &input.name, 300, &mut errors);
    let description = optional_text(
        "description",
        input.description.as_deref(),
        2000,
        &mut errors,
    );
    let measure = pick("measure", &input.measure, Measure::parse, &mut errors);
    let unit_of_measure = optional_text(
        "unit_of_measure",
        input.unit_of_measure.as_deref(),
        50,
        &mut errors,
    );
    let direction = pick("direction", &input.direction, Direction::parse, &mut errors);
    let aggregation = pick(
        "aggregation",
        &input.aggregation,
        Aggregation::parse,
        &mut errors,
    );
    let period_type = pick(
        "period_type",
        &input.period_type,
        PeriodType::parse,
        &mut errors,
    );
    // A ratio adds up only as a ratio of sums: averaging percentages is wrong.
    if measure == Some(Measure::Ratio)
        && aggregation.is_some_and(|a| a != Aggregation::RatioOfSums && a != Aggregation::Latest)
    {
        errors.push(FieldError::new("aggregation", Invalid::BadFormat));
    }
    if aggregation == Some(Aggregation::RatioOfSums) && measure != Some(Measure::Ratio) {
        errors.push(FieldError::new("aggregation", Invalid::BadFormat));
    }
    for (field, v) in [
        ("min_value", input.min_value),
        ("max_value", input.max_value),
    ] {
        if v.is_some_and(|v| !v.is_finite()) {
            errors.push(FieldError::new(field, Invalid::BadNumber));
        }
    }
    if let (Some(lo), Some(hi)) = (input.min_value, input.max_value)
        && lo > hi
    {
        errors.push(FieldError::new("max_value", Invalid::DatesOutOfOrder));
    }
    match (measure, direction, aggregation, period_type) {
        (Some(measure), Some(direction), Some(aggregation), Some(period_type))
            if errors.is_empty() =>
        {
            Ok(IndicatorFields {
                code,
                name,
                description,
                measure,
                unit_of_measure,
                direction,
                aggregation,
                period_type,
                pillar_code: input.pillar_code.clone().filter(|p| !p.trim().is_empty()),
                owner_unit_code: input
                    .owner_unit_code
                    .clone()
                    .filter(|p| !p.trim().is_empty()),
                min_value: input.min_value,
                max_value: input.max_value,
                evidence_required: input.evidence_required,
            })
        }
        _ => Err(errors),
    }
}

/// What a value must satisfy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueRules {
    pub measure: Measure,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
}

/// A value as typed: `12,5` and `1.234` are read the Vietnamese way.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueInput {
    #[serde(default, deserialize_with = "text_or_number")]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "text_or_number")]
    pub numerator: Option<String>,
    #[serde(default, deserialize_with = "text_or_number")]
    pub denominator: Option<String>,
}

fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum V {
        N(f64),
        B(bool),
        T(String),
    }
    Ok(Option::<V>::deserialize(d)?.map(|v| match v {
        V::N(n) => n.to_string(),
        V::B(b) => if b { "1" } else { "0" }.to_string(),
        V::T(t) => t,
    }))
}

/// A checked value. For ratios the value is the percentage numerator ÷ denominator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checked {
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

fn number(field: &str, text: Option<&str>, errors: &mut Vec<FieldError>) -> Option<f64> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match text {
        None => {
            errors.push(FieldError::new(field, Invalid::Required));
            None
        }
        Some(t) => {
            let v = parse_number_vi(t.trim_end_matches('%'));
            if v.is_none() {
                errors.push(FieldError::new(field, Invalid::BadNumber));
            }
            v
        }
    }
}

pub fn check_value(rules: &ValueRules, input: &ValueInput) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let checked = match rules.measure {
        Measure::Ratio => {
            let num = number("numerator", input.numerator.as_deref(), &mut errors);
            let den = number("denominator", input.denominator.as_deref(), &mut errors);
            match (num, den) {
                (Some(n), Some(d)) => {
                    if n < 0.0 {
                        errors.push(FieldError::new("numerator", Invalid::Negative));
                    }
                    if d <= 0.0 {
                        errors.push(FieldError::new(
                            "denominator",
                            Invalid::OutOfRange {
                                min: 1,
                                max: i64::MAX,
                            },
                        ));
                    } else if n > d {
                        errors.push(FieldError::new(
                            "numerator",
                            Invalid::NumeratorAboveDenominator,
                        ));
                    }
                    Some(Checked {
                        value: if d > 0.0 { n / d * 100.0 } else { 0.0 },
                        numerator: Some(n),
                        denominator: Some(d),
                    })
                }
                _ => None,
            }
        }
        Measure::YesNo => {
            let text = input
                .value
                .as_deref()
                .map(crate::text::fold)
                .unwrap_or_default();
            let v = match text.trim() {
                "1" | "co" | "yes" | "x" | "true" | "dat" => Some(1.0),
                "0" | "khong" | "no" | "false" | "chua" => Some(0.0),
                "" => {
                    errors.push(FieldError::new("value", Invalid::Required));
                    None
                }
                _ => {
                    errors.push(FieldError::new("value", Invalid::BadFormat));
                    None
                }
            };
            v.map(|value| Checked {
                value,
                numerator: None,
                denominator: None,
            })
        }
        Measure::Percent | Measure::Number | Measure::Money => {
            let v = number("value", input.value.as_deref(), &mut errors);
            if let Some(v) = v {
                if v < 0.0 {
                    errors.push(FieldError::new("value", Invalid::Negative));
                } else if rules.measure == Measure::Percent && v > 100.0 {
                    errors.push(FieldError::new(
                        "value",
                        Invalid::OutOfRange { min: 0, max: 100 },
                    ));
                }
            }
            v.map(|value| Checked {
                value,
                numerator: None,
                denominator: None,
            })
        }
    };
    if let Some(c) = checked {
        let (lo, hi) = (rules.min_value, rules.max_value);
        if lo.is_some_and(|lo| c.value < lo) || hi.is_some_and(|hi| c.value > hi) {
            errors.push(FieldError::new(
                "value",
                Invalid::OutOfRange {
                    min: lo.unwrap_or(0.0).floor() as i64,
                    max: hi.map_or(i64::MAX, |h| h.ceil() as i64),
                },
            ));
        }
    }
    match checked {
        Some(c) if errors.is_empty() => Ok(c),
        _ => Err(errors),
    }
}

/// Where a unit's figure stands in review: entered, sent to the reviewers, accepted, or
/// sent back with a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ValueStatus {
    #[default]
    Draft,
    Submitted,
    Approved,
    Rejected,
}

impl ValueStatus {
    pub const ALL: [ValueStatus; 4] = [
        ValueStatus::Draft,
        ValueStatus::Submitted,
        ValueStatus::Approved,
        ValueStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ValueStatus::Draft => "draft",
            ValueStatus::Submitted => "submitted",
            ValueStatus::Approved => "approved",
            ValueStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ValueStatus> {
        ValueStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ValueStatus::Draft => lang.pick("Nháp", "Draft"),
            ValueStatus::Submitted => lang.pick("Chờ duyệt", "Submitted"),
            ValueStatus::Approved => lang.pick("Đã duyệt", "Approved"),
            ValueStatus::Rejected => lang.pick("Bị trả lại", "Rejected"),
        }
    }

    /// Whether the figure counts as reported (sent, or accepted).
    pub fn is_reported(self) -> bool {
        matches!(self, ValueStatus::Submitted | ValueStatus::Approved)
    }
}

impl std::fmt::Display for ValueStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for ValueStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ValueStatus::parse(&s).ok_or_else(|| format!("unknown value status {s:?}"))
    }
}

/// How a figure stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AttainmentStatus {
    NotAchieved,
    Achieved,
    Exceeded,
}

impl AttainmentStatus {
    /// The style name pages colour it by.
    pub fn css(self) -> &'static str {
        match self {
            AttainmentStatus::NotAchieved => "bad",
            AttainmentStatus::Achieved => "ok",
            AttainmentStatus::Exceeded => "good",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            AttainmentStatus::NotAchieved => lang.pick("Chưa đạt", "Not achieved"),
            AttainmentStatus::Achieved => lang.pick("Đạt", "Achieved"),
            AttainmentStatus::Exceeded => lang.pick("Vượt", "Exceeded"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attainment {
    /// Actual as a share of target (inverted when lower is better); none when the
    /// target is zero.
    pub percent: Option<f64>,
    pub status: AttainmentStatus,
}

/// Compares an actual figure with its target, honouring the direction.
pub fn attainment(direction: Direction, actual: f64, target: f64) -> Attainment {
    const EPS: f64 = 1e-9;
    let better = match direction {
        Direction::HigherIsBetter => actual - target,
        Direction::LowerIsBetter => target - actual,
    };
    let status = if better > EPS {
        AttainmentStatus::Exceeded
    } else if better >= -EPS {
        AttainmentStatus::Achieved
    } else {
        AttainmentStatus::NotAchieved
    };
    let percent = match direction {
        Direction::HigherIsBetter if target.abs() > EPS => Some(actual / target * 100.0),
        Direction::LowerIsBetter if actual.abs() > EPS => Some(target / actual * 100.0),
        // Lower is better and the actual is zero: the best possible outcome.
        Direction::LowerIsBetter if target.abs() > EPS => None,
        _ => None,
    };
    Attainment { percent, status }
}

/// One figure: a value, with numerator and denominator for ratios.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

impl Figure {
    pub fn plain(value: f64) -> Figure {
        Figure {
            value,
            numerator: None,
            denominator: None,
        }
    }
}

/// Adds up figures by a rule: over time (the periods of one unit, oldest first) or
/// across units (children). Empty input gives nothing, never zero.
pub fn combine(rule: Aggregation, figures: &[Figure]) -> Option<Figure> {
    if figures.is_empty() {
        return None;
    }
    let values = figures.iter().map(|f| f.value);
    Some(match rule {
        Aggregation::Sum => Figure::plain(values.sum()),
        Aggregation::Average => Figure::plain(values.sum::<f64>() / figures.len() as f64),
        Aggregation::Min => Figure::plain(values.fold(f64::INFINITY, f64::min)),
        Aggregation::Max => Figure::plain(values.fold(f64::NEG_INFINITY, f64::max)),
        Aggregation::RatioOfSums => {
            let num: f64 = figures.iter().filter_map(|f| f.numerator).sum();
            let den: f64 = figures.iter().filter_map(|f| f.denominator).sum();
            Figure {
                value: if den > 0.0 { num / den * 100.0 } else { 0.0 },
                numerator: Some(num),
                denominator: Some(den),
            }
        }
        // Over time the latest period counts; across units each unit's latest adds up.
        Aggregation::Latest => *figures.last()?,
    })
}

/// How units combine for a `latest` indicator: the units' latest figures add up.
fn across_units(rule: Aggregation) -> Aggregation {
    match rule {
        Aggregation::Latest => Aggregation::Sum,
        other => other,
    }
}

/// Figures of several units combined ahead of a roll-up, without the units: what every
/// rule across units needs (a count, a sum, the extremes, the ratio's parts). The
/// database combines the plain leaves of a big subtree this way, so a roll-up over the
/// nation reads one row per province and indicator instead of one per commune.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Partial {
    /// How many units' figures are in it.
    pub units: usize,
    pub sum: f64,
    pub smallest: f64,
    pub largest: f64,
    pub numerator: f64,
    pub denominator: f64,
}

impl Partial {
    /// Some units' figures, combined.
    pub fn of(figures: &[Figure]) -> Partial {
        let mut p = Partial {
            units: 0,
            sum: 0.0,
            smallest: f64::INFINITY,
            largest: f64::NEG_INFINITY,
            numerator: 0.0,
            denominator: 0.0,
        };
        for f in figures {
            p.merge(&Partial {
                units: 1,
                sum: f.value,
                smallest: f.value,
                largest: f.value,
                numerator: f.numerator.unwrap_or(0.0),
                denominator: f.denominator.unwrap_or(0.0),
            });
        }
        p
    }

    pub fn merge(&mut self, other: &Partial) {
        self.units += other.units;
        self.sum += other.sum;
        self.smallest = self.smallest.min(other.smallest);
        self.largest = self.largest.max(other.largest);
        self.numerator += other.numerator;
        self.denominator += other.denominator;
    }

    /// The figure [`combine`] gives across the same units' figures.
    pub fn figure(&self, rule: Aggregation) -> Option<Figure> {
        if self.units == 0 {
            return None;
        }
        Some(match across_units(rule) {
            Aggregation::Sum | Aggregation::Latest => Figure::plain(self.sum),
            Aggregation::Average => Figure::plain(self.sum / self.units as f64),
            Aggregation::Min => Figure::plain(self.smallest),
            Aggregation::Max => Figure::plain(self.largest),
            Aggregation::RatioOfSums => Figure {
                value: if self.denominator > 0.0 {
                    self.numerator / self.denominator * 100.0
                } else {
                    0.0
                },
                numerator: Some(self.numerator),
                denominator: Some(self.denominator),
            },
        })
    }
}

/// A roll-up result: the figure, and how complete it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Rolled {
    pub figure: Option<Figure>,
    /// Units below (or the unit itself) whose figures went in, one by one.
    pub reported: Vec<i64>,
    /// How many more units' figures went in through [`Partial`]s.
    pub reported_in_partials: usize,
    /// Children that had no figure anywhere in their subtree: missing, not zero.
    pub missing: Vec<i64>,
}

impl Rolled {
    /// How many units' figures went in.
    pub fn reported_units(&self) -> usize {
        self.reported.len() + self.reported_in_partials
    }
}

/// Rolls a subtree up: a unit's own figure when it reported one, otherwise the
/// combination of its children's roll-ups. `children` is the tree as it stood on the
/// chosen date; `own` holds each unit's figure already combined over time.
pub fn roll_up(
    rule: Aggregation,
    root: i64,
    children: &HashMap<i64, Vec<i64>>,
    own: &HashMap<i64, Figure>,
) -> Rolled {
    roll_up_with(rule, root, children, own, &HashMap::new())
}

/// [`roll_up`] where some units' children come partly combined: `partials` holds, per
/// unit, the figures of children that are not in `children` (leaves, never the root's
/// own children, whose names a missing one needs). Gives what [`roll_up`] gives over the
/// whole tree, up to the order floating-point sums are made in.
pub fn roll_up_with(
    rule: Aggregation,
    root: i64,
    children: &HashMap<i64, Vec<i64>>,
    own: &HashMap<i64, Figure>,
    partials: &HashMap<i64, Partial>,
) -> Rolled {
    struct Walk<'a> {
        rule: Aggregation,
        children: &'a HashMap<i64, Vec<i64>>,
        own: &'a HashMap<i64, Figure>,
        partials: &'a HashMap<i64, Partial>,
    }
    impl Walk<'_> {
        /// A unit's figure, with the units in it added to `reported` and `in_partials`.
        fn walk(
            &self,
            unit: i64,
            depth: usize,
            reported: &mut Vec<i64>,
            in_partials: &mut usize,
        ) -> Option<Figure> {
            if let Some(f) = self.own.get(&unit) {
                reported.push(unit);
                return Some(*f);
            }
            if depth > 64 {
                return None;
            }
            let mut figures = Vec::new();
            for child in self
                .children
                .get(&unit)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if let Some(f) = self.walk(*child, depth + 1, reported, in_partials) {
                    figures.push(f);
                }
            }
            self.combined(unit, &figures, in_partials)
        }

        /// Children's figures combined, with the unit's partial when it has one.
        fn combined(
            &self,
            unit: i64,
            figures: &[Figure],
            in_partials: &mut usize,
        ) -> Option<Figure> {
            match self.partials.get(&unit) {
                Some(partial) if partial.units > 0 => {
                    *in_partials += partial.units;
                    let mut all = Partial::of(figures);
                    all.merge(partial);
                    all.figure(self.rule)
                }
                _ => combine(across_units(self.rule), figures),
            }
        }
    }
    let w = Walk {
        rule,
        children,
        own,
        partials,
    };
    let mut reported = Vec::new();
    let mut in_partials = 0;
    if let Some(f) = own.get(&root) {
        return Rolled {
            figure: Some(*f),
            reported: vec![root],
            reported_in_partials: 0,
            missing: Vec::new(),
        };
    }
    let mut figures = Vec::new();
    let mut missing = Vec::new();
    for child in children.get(&root).map(Vec::as_slice).unwrap_or_default() {
        match w.walk(*child, 1, &mut reported, &mut in_partials) {
            Some(f) => figures.push(f),
            None => missing.push(*child),
        }
    }
    Rolled {
        figure: w.combined(root, &figures, &mut in_partials),
        reported,
        reported_in_partials: in_partials,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(n: f64, d: f64) -> Figure {
        Figure {
            value: n / d * 100.0,
            numerator: Some(n),
            denominator: Some(d),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn every_rule_combines_as_computed_by_hand() {
        let f = [
            Figure::plain(10.0),
            Figure::plain(30.0),
            Figure::plain(20.0),
        ];
        assert_eq!(combine(Aggregation::Sum, &f).unwrap().value, 60.0);
        assert_eq!(combine(Aggregation::Average, &f).unwrap().value, 20.0);
        assert_eq!(combine(Aggregation::Min, &f).unwrap().value, 10.0);
        assert_eq!(combine(Aggregation::Max, &f).unwrap().value, 30.0);
        assert_eq!(
            combine(Aggregation::Latest, &f).unwrap().value,
            20.0,
            "the last period"
        );
        assert_eq!(combine(Aggregation::Sum, &[]), None, "nothing is not zero");
        // 1/2 and 99/100: the ratio of sums is 100/102, not the average of 50% and 99%.
        let r = combine(
            Aggregation::RatioOfSums,
            &[ratio(1.0, 2.0), ratio(99.0, 100.0)],
        )
        .unwrap();
        assert!(close(r.value, 100.0 / 102.0 * 100.0));
        assert_eq!((r.numerator, r.denominator), (Some(100.0), Some(102.0)));
    }

    fn tree() -> HashMap<i64, Vec<i64>> {
        // 1 province → 2, 3 districts; 2 → 21, 22 communes; 3 → 31, 32 communes.
        HashMap::from([(1, vec![2, 3]), (2, vec![21, 22]), (3, vec![31, 32])])
    }

    #[test]
    fn subtrees_roll_up_and_missing_children_are_named() {
        let own = HashMap::from([
            (21, Figure::plain(5.0)),
            (22, Figure::plain(7.0)),
            (31, Figure::plain(4.0)),
        ]);
        let r = roll_up(Aggregation::Sum, 1, &tree(), &own);
        assert_eq!(r.figure.unwrap().value, 16.0);
        assert_eq!(r.reported, vec![21, 22, 31]);
        assert!(
            r.missing.is_empty(),
            "district 3 reported through commune 31"
        );
        let r = roll_up(Aggregation::Sum, 3, &tree(), &own);
        assert_eq!(r.figure.unwrap().value, 4.0);
        assert_eq!(
            r.missing,
            vec![32],
            "commune 32 did not report: missing, not zero"
        );
        let r = roll_up(Aggregation::Average, 1, &tree(), &own);
        assert_eq!(
            r.figure.unwrap().value,
            (6.0 + 4.0) / 2.0,
            "the average of the children's figures"
        );
        let r = roll_up(Aggregation::Max, 1, &tree(), &own);
        assert_eq!(r.figure.unwrap().value, 7.0);
        let r = roll_up(Aggregation::Min, 1, &tree(), &own);
        assert_eq!(r.figure.unwrap().value, 4.0);
        let none = roll_up(Aggregation::Sum, 1, &tree(), &HashMap::new());
        assert_eq!((none.figure, none.missing), (None, vec![2, 3]));
    }

    #[test]
    fn a_units_own_figure_wins_and_ratios_sum_their_parts() {
        let own = HashMap::from([
            (2, ratio(30.0, 100.0)),
            (21, ratio(1.0, 1.0)),
            (31, ratio(10.0, 50.0)),
            (32, ratio(40.0, 50.0)),
        ]);
        let r = roll_up(Aggregation::RatioOfSums, 1, &tree(), &own);
        let f = r.figure.unwrap();
        assert_eq!(
            (f.numerator, f.denominator),
            (Some(80.0), Some(200.0)),
            "district 2's own total, not its communes"
        );
        assert!(close(f.value, 40.0));
        assert_eq!(r.reported, vec![2, 31, 32]);
        // `latest` indicators: each unit's latest figure, added across units.
        let own = HashMap::from([(21, Figure::plain(3.0)), (22, Figure::plain(2.0))]);
        assert_eq!(
            roll_up(Aggregation::Latest, 2, &tree(), &own)
                .figure
                .unwrap()
                .value,
            5.0
        );
    }

    #[test]
    fn attainment_honours_direction() {
        use AttainmentStatus::*;
        let a = attainment(Direction::HigherIsBetter, 45.0, 50.0);
        assert_eq!(
            (a.status, a.percent.map(|p| p.round())),
            (NotAchieved, Some(90.0))
        );
        assert_eq!(
            attainment(Direction::HigherIsBetter, 60.0, 50.0).status,
            Exceeded
        );
        assert_eq!(
            attainment(Direction::HigherIsBetter, 50.0, 50.0).status,
            Achieved
        );
        // Villages without coverage: fewer is better.
        let a = attainment(Direction::LowerIsBetter, 8.0, 10.0);
        assert_eq!(
            (a.status, a.percent.map(|p| p.round())),
            (Exceeded, Some(125.0))
        );
        assert_eq!(
            attainment(Direction::LowerIsBetter, 12.0, 10.0).status,
            NotAchieved
        );
        assert_eq!(
            attainment(Direction::LowerIsBetter, 0.0, 0.0),
            Attainment {
                percent: None,
                status: Achieved
            }
        );
        assert_eq!(
            attainment(Direction::HigherIsBetter, 3.0, 0.0),
            Attainment {
                percent: None,
                status: Exceeded
            }
        );
    }

    fn rules(measure: Measure) -> ValueRules {
        ValueRules {
            measure,
            min_value: None,
            max_value: None,
        }
    }

    fn v(value: &str) -> ValueInput {
        ValueInput {
            value: Some(value.into()),
            ..Default::default()
        }
    }

    #[test]
    fn values_are_checked_by_measure() {
        assert_eq!(
            check_value(&rules(Measure::Percent), &v("12,5"))
                .unwrap()
                .value,
            12.5
        );
        assert_eq!(
            check_value(&rules(Measure::Number), &v("1.234"))
                .unwrap()
                .value,
            1234.0
        );
        let e = check_value(&rules(Measure::Percent), &v("140")).unwrap_err();
        assert_eq!(e[0].invalid, Invalid::OutOfRange { min: 0, max: 100 });
        assert_eq!(
            check_value(&rules(Measure::Number), &v("-3")).unwrap_err()[0].invalid,
            Invalid::Negative
        );
        assert_eq!(
            check_value(&rules(Measure::Number), &v("nhiều")).unwrap_err()[0].invalid,
            Invalid::BadNumber
        );
        assert_eq!(
            check_value(&rules(Measure::YesNo), &v("Có")).unwrap().value,
            1.0
        );
        assert_eq!(
            check_value(&rules(Measure::YesNo), &v("không"))
                .unwrap()
                .value,
            0.0
        );
        assert!(check_value(&rules(Measure::YesNo), &v("có lẽ")).is_err());
        let ratio = ValueInput {
            numerator: Some("45".into()),
            denominator: Some("60".into()),
            ..Default::default()
        };
        let c = check_value(&rules(Measure::Ratio), &ratio).unwrap();
        assert_eq!(
            (c.value, c.numerator, c.denominator),
            (75.0, Some(45.0), Some(60.0))
        );
        let bad = ValueInput {
            numerator: Some("70".into()),
            denominator: Some("60".into()),
            ..Default::default()
        };
        assert_eq!(
            check_value(&rules(Measure::Ratio), &bad).unwrap_err()[0].invalid,
            Invalid::NumeratorAboveDenominator
        );
        let zero = ValueInput {
            numerator: Some("0".into()),
            denominator: Some("0".into()),
            ..Default::default()
        };
        assert_eq!(
            check_value(&rules(Measure::Ratio), &zero).unwrap_err()[0].field,
            "denominator"
        );
        let bounded = ValueRules {
            measure: Measure::Number,
            min_value: Some(0.0),
            max_value: Some(500.0),
        };
        assert!(check_value(&bounded, &v("501")).is_err());
    }

    #[test]
    fn indicators_are_checked_and_ratios_must_add_up_as_ratios() {
        let good = IndicatorInput {
            code: "CQS-01".into(),
            name: "Tỷ lệ hồ sơ trực tuyến toàn trình".into(),
            measure: "ratio".into(),
            direction: "higher".into(),
            aggregation: "ratio_of_sums".into(),
            period_type: "quarter".into(),
            ..Default::default()
        };
        assert_eq!(
            validate_indicator(&good).unwrap().aggregation,
            Aggregation::RatioOfSums
        );
        let averaged = IndicatorInput {
            aggregation: "average".into(),
            ..good.clone()
        };
        assert_eq!(
            validate_indicator(&averaged).unwrap_err()[0].field,
            "aggregation"
        );
        let bad = IndicatorInput {
            measure: "kg".into(),
            period_type: String::new(),
            ..good
        };
        let fields: Vec<_> = validate_indicator(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(
            fields.contains(&"measure".to_string()) && fields.contains(&"period_type".to_string())
        );
    }
}
