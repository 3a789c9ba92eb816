//! Index assessment (the Digital Transformation Index and sets modelled on it): how a
//! criterion's answer becomes points, how a framework's tree adds up, and the 0–1 index
//! values the national DTI publishes. Totals are always computed here, never typed.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::text::format_number;
use crate::validation::{FieldError, Invalid};

/// How a leaf criterion turns an answer into points (the patterns of real provincial sets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Rule {
    /// The assessor types the points, 0 to the maximum.
    Manual,
    /// Yes earns the maximum, no earns nothing.
    YesNo,
    /// `a` of `b` (meetings chaired by the head, procedures online…): a/b × max.
    Ratio,
    /// A value between two ends: `zero_at` earns 0 and `full_at` the maximum, linear in
    /// between and capped outside. `zero_at > full_at` means lower is better.
    Linear { zero_at: f64, full_at: f64 },
    /// A step scale: the highest step the value reaches earns its points
    /// (4 meetings → 20, 3 → 15, …); below every step, nothing.
    Steps { steps: Vec<Step> },
    /// One of named options, each a share of the maximum (chairman heads the board → 1,
    /// a vice chairman → ½, no board → 0).
    Choice { options: Vec<ChoiceOption> },
    /// An indicator against its target: value ÷ target capped at 1 (target ÷ value when
    /// lower is better), × max.
    TargetShare { lower_is_better: bool },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub at_least: f64,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChoiceOption {
    pub key: String,
    pub label: String,
    /// Share of the maximum, 0 to 1.
    pub share: f64,
}

impl Rule {
    /// How points are determined, in the words of a provincial annex ("cách xác định và
    /// tính điểm"), for a criterion of `max` points.
    pub fn describe(&self, max: f64) -> String {
        let n = |v: f64| format_number(v, 2);
        match self {
            Rule::Manual => format!("Chấm điểm trực tiếp, tối đa {} điểm", n(max)),
            Rule::YesNo => format!("Có: {} điểm; không: 0 điểm", n(max)),
            Rule::Ratio => format!("Điểm = a/b × {}", n(max)),
            Rule::Linear { zero_at, full_at } => format!(
                "Từ {} (0 điểm) đến {} ({} điểm), tỷ lệ tuyến tính",
                n(*zero_at),
                n(*full_at),
                n(max)
            ),
            Rule::Steps { steps } => {
                let mut sorted = steps.clone();
                sorted.sort_by(|a, b| b.at_least.total_cmp(&a.at_least));
                let mut parts: Vec<String> = sorted
                    .iter()
                    .map(|s| format!("từ {}: {} điểm", n(s.at_least), n(s.points)))
                    .collect();
                parts.push("còn lại: 0 điểm".into());
                parts.join("; ")
            }
            Rule::Choice { options } => options
                .iter()
                .map(|o| format!("{}: {} điểm", o.label, n(o.share * max)))
                .collect::<Vec<_>>()
                .join("; "),
            Rule::TargetShare { lower_is_better } => {
                if *lower_is_better {
                    format!("Điểm = mục tiêu ÷ kết quả × {}, tối đa {}", n(max), n(max))
                } else {
                    format!("Điểm = kết quả ÷ mục tiêu × {}, tối đa {}", n(max), n(max))
                }
            }
        }
    }
}

/// What a unit (or a verifier) gave for a criterion; only the fields its rule reads matter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    pub points: Option<f64>,
    pub yes: Option<bool>,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub choice: Option<String>,
    /// The target the value is measured against (`TargetShare`), usually from dxplan's own
    /// indicator targets.
    pub target: Option<f64>,
}

/// Points earned, or no answer yet (which counts as 0 in totals but is shown as missing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scored {
    Points(f64),
    Missing,
}

impl Scored {
    pub fn points(self) -> f64 {
        match self {
            Scored::Points(p) => p,
            Scored::Missing => 0.0,
        }
    }
}

fn refuse(field: &str, invalid: Invalid) -> FieldError {
    FieldError::new(field, invalid)
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// Points of an answer under a rule, rounded to hundredths. Refuses what cannot be an
/// answer (points above the maximum, a numerator above its denominator, an unknown option);
/// clamps what is merely beyond the scale (a value past `full_at`).
pub fn score(rule: &Rule, max: f64, answer: &Answer) -> Result<Scored, FieldError> {
    let points = match rule {
        Rule::Manual => match finite(answer.points) {
            None => return Ok(Scored::Missing),
            Some(p) if p < 0.0 => return Err(refuse("points", Invalid::Negative)),
            Some(p) if p > max + 1e-9 => {
                return Err(refuse(
                    "points",
                    Invalid::AboveMax {
                        max: format_number(max, 2),
                    },
                ));
            }
            Some(p) => p,
        },
        Rule::YesNo => match answer.yes {
            None => return Ok(Scored::Missing),
            Some(true) => max,
            Some(false) => 0.0,
        },
        Rule::Ratio => match (finite(answer.numerator), finite(answer.denominator)) {
            (Some(a), Some(b)) => {
                if a < 0.0 || b < 0.0 {
                    return Err(refuse("numerator", Invalid::Negative));
                }
                if a > b {
                    return Err(refuse("numerator", Invalid::NumeratorAboveDenominator));
                }
                // Nothing to count (no meeting held, no procedure in scope): nothing earned.
                if b == 0.0 { 0.0 } else { a / b * max }
            }
            _ => return Ok(Scored::Missing),
        },
        Rule::Linear { zero_at, full_at } => match finite(answer.value) {
            None => return Ok(Scored::Missing),
            Some(v) => {
                let span = full_at - zero_at;
                let share = if span == 0.0 {
                    if v == *full_at { 1.0 } else { 0.0 }
                } else {
                    ((v - zero_at) / span).clamp(0.0, 1.0)
                };
                share * max
            }
        },
        Rule::Steps { steps } => match finite(answer.value) {
            None => return Ok(Scored::Missing),
            Some(v) => steps
                .iter()
                .filter(|s| v >= s.at_least)
                .max_by(|a, b| a.at_least.total_cmp(&b.at_least))
                .map_or(0.0, |s| s.points.min(max)),
        },
        Rule::Choice { options } => match answer.choice.as_deref() {
            None | Some("") => return Ok(Scored::Missing),
            Some(key) => {
                let option = options
                    .iter()
                    .find(|o| o.key == key)
                    .ok_or_else(|| refuse("choice", Invalid::UnknownChoice))?;
                option.share.clamp(0.0, 1.0) * max
            }
        },
        Rule::TargetShare { lower_is_better } => {
            match (finite(answer.value), finite(answer.target)) {
                (Some(v), Some(t)) => {
                    if v < 0.0 || t < 0.0 {
                        return Err(refuse("value", Invalid::Negative));
                    }
                    let share = match (lower_is_better, t == 0.0, v == 0.0) {
                        // A zero target is met by anything at or above it…
                        (false, true, _) => 1.0,
                        (false, false, _) => v / t,
                        // …and, lower being better, only by zero itself.
                        (true, _, true) => 1.0,
                        (true, _, false) => t / v,
                    };
                    share.clamp(0.0, 1.0) * max
                }
                _ => return Ok(Scored::Missing),
            }
        }
    };
    Ok(Scored::Points((points * 100.0).round() / 100.0))
}

/// One node of a framework: a pillar or group (no rule) or a leaf criterion (a rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub code: String,
    pub parent: Option<String>,
    pub name: String,
    /// A leaf's maximum; on a group, the maximum its author meant (checked against the sum
    /// of its children, which is what counts).
    pub max_points: f64,
    pub rule: Option<Rule>,
}

/// A framework's problems: errors refuse it, warnings are shown and accepted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameworkCheck {
    pub errors: Vec<FieldError>,
    pub warnings: Vec<String>,
}

/// Checks a framework's tree: known parents, no cycle, no duplicate code, no negative
/// maximum, leaves with rules whose points fit; warns (with the sum) where a group's
/// stated maximum is not what its children add up to.
pub fn check_framework(criteria: &[Criterion]) -> FrameworkCheck {
    let mut check = FrameworkCheck::default();
    let mut seen = HashSet::new();
    for c in criteria {
        let at = |field: &str| format!("{}.{field}", c.code);
        if !seen.insert(c.code.as_str()) {
            check
                .errors
                .push(refuse(&at("code"), Invalid::DuplicateCode));
        }
        if c.max_points < 0.0 || !c.max_points.is_finite() {
            check
                .errors
                .push(refuse(&at("max_points"), Invalid::Negative));
        }
        match &c.rule {
            Some(Rule::Steps { steps })
                if steps
                    .iter()
                    .any(|s| s.points > c.max_points || s.points < 0.0) =>
            {
                check.errors.push(refuse(
                    &at("rule"),
                    Invalid::AboveMax {
                        max: format_number(c.max_points, 2),
                    },
                ));
            }
            Some(Rule::Choice { options })
                if options.is_empty()
                    || options.iter().any(|o| !(0.0..=1.0).contains(&o.share)) =>
            {
                check
                    .errors
                    .push(refuse(&at("rule"), Invalid::OutOfRange { min: 0, max: 1 }));
            }
            _ => {}
        }
    }
    let codes: HashSet<&str> = criteria.iter().map(|c| c.code.as_str()).collect();
    let parent_of: HashMap<&str, &str> = criteria
        .iter()
        .filter_map(|c| c.parent.as_deref().map(|p| (c.code.as_str(), p)))
        .collect();
    for c in criteria {
        if let Some(p) = c.parent.as_deref()
            && !codes.contains(p)
        {
            check.errors.push(refuse(
                &format!("{}.parent", c.code),
                Invalid::UnknownParent,
            ));
        }
        // Walking up more steps than there are nodes means a loop.
        let mut at = c.code.as_str();
        for _ in 0..=criteria.len() {
            match parent_of.get(at) {
                Some(p) => at = p,
                None => break,
            }
            if at == c.code {
                check
                    .errors
                    .push(refuse(&format!("{}.parent", c.code), Invalid::Cycle));
                break;
            }
        }
    }
    if !check.errors.is_empty() {
        return check;
    }
    let maxima = maxima(criteria);
    for c in criteria {
        let children = criteria
            .iter()
            .filter(|k| k.parent.as_deref() == Some(c.code.as_str()))
            .count();
        if children == 0 {
            if c.rule.is_none() {
                check
                    .errors
                    .push(refuse(&format!("{}.rule", c.code), Invalid::Required));
            }
            continue;
        }
        let sum = maxima.get(c.code.as_str()).copied().unwrap_or_default();
        if c.max_points > 0.0 && (sum - c.max_points).abs() > 1e-9 {
            check.warnings.push(format!(
                "{} “{}”: các tiêu chí con cộng lại {} điểm, không phải {} điểm / its criteria add up to {} points, not {}",
                c.code,
                c.name,
                format_number(sum, 2),
                format_number(c.max_points, 2),
                format_number(sum, 2),
                format_number(c.max_points, 2),
            ));
        }
    }
    check
}

/// The maximum of every node: a leaf's own, a group's the sum of its children's.
pub fn maxima(criteria: &[Criterion]) -> HashMap<&str, f64> {
    add_up(criteria, |c| c.max_points)
}

/// Points of every node: a leaf's score, a group's the sum of its children's.
pub fn totals<'a>(
    criteria: &'a [Criterion],
    leaf_points: &HashMap<&str, f64>,
) -> HashMap<&'a str, f64> {
    add_up(criteria, |c| {
        leaf_points.get(c.code.as_str()).copied().unwrap_or(0.0)
    })
}

/// Sums a leaf quantity up the tree (a well-formed tree: see [`check_framework`]).
fn add_up(criteria: &[Criterion], leaf: impl Fn(&Criterion) -> f64) -> HashMap<&str, f64> {
    let has_children: HashSet<&str> = criteria
        .iter()
        .filter_map(|c| c.parent.as_deref())
        .collect();
    let parent_of: HashMap<&str, &str> = criteria
        .iter()
        .filter_map(|c| c.parent.as_deref().map(|p| (c.code.as_str(), p)))
        .collect();
    let mut out: HashMap<&str, f64> = criteria.iter().map(|c| (c.code.as_str(), 0.0)).collect();
    for c in criteria
        .iter()
        .filter(|c| !has_children.contains(c.code.as_str()))
    {
        let v = leaf(c);
        let mut at = c.code.as_str();
        // Bounded walk: a malformed tree cannot loop forever.
        for _ in 0..=criteria.len() {
            if let Some(total) = out.get_mut(at) {
                *total += v;
            }
            match parent_of.get(at) {
                Some(p) => at = p,
                None => break,
            }
        }
    }
    out
}

/// A main index on the national DTI's 0–1 scale: points ÷ maximum.
pub fn index_value(points: f64, max: f64) -> Option<f64> {
    (max > 0.0).then(|| points / max)
}

/// The total index from main-index values and their maxima, as the DTI publishes it:
/// Σ(value × max) ÷ Σ max.
pub fn total_index(main: &[(f64, f64)]) -> Option<f64> {
    let total_max: f64 = main.iter().map(|(_, max)| max).sum();
    (total_max > 0.0).then(|| main.iter().map(|(v, max)| v * max).sum::<f64>() / total_max)
}

/// Ranks by score, best first; equal scores share a rank (1, 2, 2, 4).
pub fn rank<K: Clone>(scores: &[(K, f64)]) -> Vec<(K, f64, usize)> {
    let mut sorted: Vec<(K, f64)> = scores.to_vec();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut out = Vec::with_capacity(sorted.len());
    for (i, (k, s)) in sorted.iter().enumerate() {
        let rank = match out.last() {
            Some((_, prev, r)) if (prev - s).abs() < 1e-9 => *r,
            _ => i + 1,
        };
        out.push((k.clone(), *s, rank));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(rule: &Rule, max: f64, answer: Answer) -> f64 {
        match score(rule, max, &answer).unwrap() {
            Scored::Points(p) => p,
            Scored::Missing => panic!("missing"),
        }
    }

    #[test]
    fn manual_points_are_kept_within_the_maximum() {
        let a = |p: f64| Answer {
            points: Some(p),
            ..Answer::default()
        };
        assert_eq!(points(&Rule::Manual, 20.0, a(12.5)), 12.5);
        assert_eq!(points(&Rule::Manual, 20.0, a(20.0)), 20.0);
        let err = score(&Rule::Manual, 20.0, &a(21.0)).unwrap_err();
        assert_eq!(err.invalid, Invalid::AboveMax { max: "20".into() });
        assert_eq!(
            score(&Rule::Manual, 20.0, &a(-1.0)).unwrap_err().invalid,
            Invalid::Negative
        );
        assert_eq!(
            score(&Rule::Manual, 20.0, &Answer::default()).unwrap(),
            Scored::Missing
        );
        assert_eq!(Scored::Missing.points(), 0.0, "missing counts as nothing");
    }

    #[test]
    fn yes_no_and_choices() {
        let yes = |y| Answer {
            yes: Some(y),
            ..Answer::default()
        };
        assert_eq!(points(&Rule::YesNo, 10.0, yes(true)), 10.0);
        assert_eq!(points(&Rule::YesNo, 10.0, yes(false)), 0.0);
        let board = Rule::Choice {
            options: vec![
                ChoiceOption {
                    key: "chairman".into(),
                    label: "Chủ tịch làm Trưởng ban".into(),
                    share: 1.0,
                },
                ChoiceOption {
                    key: "vice".into(),
                    label: "Phó Chủ tịch làm Trưởng ban".into(),
                    share: 0.5,
                },
                ChoiceOption {
                    key: "none".into(),
                    label: "Chưa thành lập Ban chỉ đạo".into(),
                    share: 0.0,
                },
            ],
        };
        let pick = |k: &str| Answer {
            choice: Some(k.into()),
            ..Answer::default()
        };
        assert_eq!(points(&board, 20.0, pick("chairman")), 20.0);
        assert_eq!(points(&board, 20.0, pick("vice")), 10.0);
        assert_eq!(points(&board, 20.0, pick("none")), 0.0);
        assert_eq!(
            score(&board, 20.0, &pick("secretary")).unwrap_err().invalid,
            Invalid::UnknownChoice
        );
    }

    #[test]
    fn ratio_times_max_refuses_more_than_the_whole() {
        let r = |a: f64, b: f64| Answer {
            numerator: Some(a),
            denominator: Some(b),
            ..Answer::default()
        };
        // 3 of 4 steering meetings chaired by the head, max 20.
        assert_eq!(points(&Rule::Ratio, 20.0, r(3.0, 4.0)), 15.0);
        assert_eq!(points(&Rule::Ratio, 20.0, r(1.0, 3.0)), 6.67, "hundredths");
        assert_eq!(
            points(&Rule::Ratio, 20.0, r(0.0, 0.0)),
            0.0,
            "nothing to count"
        );
        assert_eq!(
            score(&Rule::Ratio, 20.0, &r(5.0, 4.0)).unwrap_err().invalid,
            Invalid::NumeratorAboveDenominator
        );
        assert_eq!(
            score(
                &Rule::Ratio,
                20.0,
                &Answer {
                    numerator: Some(3.0),
                    ..Answer::default()
                }
            )
            .unwrap(),
            Scored::Missing
        );
    }

    #[test]
    fn linear_scales_clamp_beyond_their_ends_both_ways() {
        let v = |x: f64| Answer {
            value: Some(x),
            ..Answer::default()
        };
        let up = Rule::Linear {
            zero_at: 20.0,
            full_at: 80.0,
        };
        assert_eq!(points(&up, 10.0, v(50.0)), 5.0);
        assert_eq!(points(&up, 10.0, v(95.0)), 10.0, "beyond the range: capped");
        assert_eq!(points(&up, 10.0, v(5.0)), 0.0);
        // Lower is better: overdue files, 10 % earns nothing, 0 % earns all.
        let down = Rule::Linear {
            zero_at: 10.0,
            full_at: 0.0,
        };
        assert_eq!(points(&down, 10.0, v(2.5)), 7.5);
        assert_eq!(points(&down, 10.0, v(12.0)), 0.0);
        let flat = Rule::Linear {
            zero_at: 5.0,
            full_at: 5.0,
        };
        assert_eq!(points(&flat, 10.0, v(5.0)), 10.0);
        assert_eq!(
            score(&up, 10.0, &v(f64::NAN)).unwrap(),
            Scored::Missing,
            "not a number is no answer"
        );
    }

    #[test]
    fn step_scales_take_the_highest_step_reached() {
        // 4 meetings a year → 20; 3 → 15; 2 → 10; 1 → 5; otherwise 0.
        let steps = Rule::Steps {
            steps: [(4.0, 20.0), (1.0, 5.0), (3.0, 15.0), (2.0, 10.0)]
                .iter()
                .map(|&(at_least, points)| Step { at_least, points })
                .collect(),
        };
        let v = |x: f64| Answer {
            value: Some(x),
            ..Answer::default()
        };
        assert_eq!(points(&steps, 20.0, v(6.0)), 20.0);
        assert_eq!(points(&steps, 20.0, v(3.0)), 15.0);
        assert_eq!(points(&steps, 20.0, v(2.5)), 10.0);
        assert_eq!(points(&steps, 20.0, v(0.0)), 0.0);
    }

    #[test]
    fn a_share_of_the_target_honours_direction_and_zero_targets() {
        let up = Rule::TargetShare {
            lower_is_better: false,
        };
        let down = Rule::TargetShare {
            lower_is_better: true,
        };
        let vt = |v: f64, t: f64| Answer {
            value: Some(v),
            target: Some(t),
            ..Answer::default()
        };
        assert_eq!(points(&up, 30.0, vt(45.0, 90.0)), 15.0);
        assert_eq!(
            points(&up, 30.0, vt(95.0, 90.0)),
            30.0,
            "capped at the target"
        );
        assert_eq!(
            points(&up, 30.0, vt(0.0, 0.0)),
            30.0,
            "a zero target is met"
        );
        assert_eq!(
            points(&down, 30.0, vt(4.0, 2.0)),
            15.0,
            "twice the allowed: half"
        );
        assert_eq!(points(&down, 30.0, vt(1.0, 2.0)), 30.0);
        assert_eq!(
            points(&down, 30.0, vt(3.0, 0.0)),
            0.0,
            "zero allowed, three found"
        );
        assert_eq!(points(&down, 30.0, vt(0.0, 0.0)), 30.0);
        assert_eq!(
            score(
                &up,
                30.0,
                &Answer {
                    value: Some(45.0),
                    ..Answer::default()
                }
            )
            .unwrap(),
            Scored::Missing,
            "no target yet"
        );
    }

    fn node(code: &str, parent: Option<&str>, max: f64, rule: Option<Rule>) -> Criterion {
        Criterion {
            code: code.into(),
            parent: parent.map(Into::into),
            name: format!("Tiêu chí {code}"),
            max_points: max,
            rule,
        }
    }

    #[test]
    fn groups_add_up_their_children_and_warn_when_the_stated_max_differs() {
        let framework = vec![
            node("1", None, 100.0, None),
            node("1.1", Some("1"), 60.0, Some(Rule::Manual)),
            node("1.2", Some("1"), 30.0, Some(Rule::YesNo)),
            node("2", None, 0.0, None),
            node("2.1", Some("2"), 50.0, Some(Rule::Ratio)),
        ];
        let check = check_framework(&framework);
        assert!(check.errors.is_empty(), "{:?}", check.errors);
        assert_eq!(check.warnings.len(), 1);
        assert!(check.warnings[0].contains("90"), "{}", check.warnings[0]);
        let maxima = maxima(&framework);
        assert_eq!(maxima["1"], 90.0);
        assert_eq!(maxima["2"], 50.0);
        let scored: HashMap<&str, f64> = [("1.1", 40.0), ("1.2", 30.0), ("2.1", 25.0)].into();
        let totals = totals(&framework, &scored);
        assert_eq!(totals["1"], 70.0);
        assert_eq!(totals["2"], 25.0);
    }

    #[test]
    fn a_broken_framework_is_refused_with_every_reason() {
        let framework = vec![
            node("1", None, 100.0, None),
            node("1.1", Some("1"), -5.0, Some(Rule::Manual)),
            node("1.2", Some("9"), 10.0, Some(Rule::Manual)),
            node("1.1", Some("1"), 5.0, Some(Rule::Manual)),
            node("1.3", Some("1"), 10.0, None),
            node(
                "1.4",
                Some("1"),
                10.0,
                Some(Rule::Steps {
                    steps: vec![Step {
                        at_least: 1.0,
                        points: 15.0,
                    }],
                }),
            ),
            node("a", Some("b"), 1.0, Some(Rule::Manual)),
            node("b", Some("a"), 1.0, Some(Rule::Manual)),
        ];
        let check = check_framework(&framework);
        let reasons: Vec<(String, Invalid)> = check
            .errors
            .iter()
            .map(|e| (e.field.clone(), e.invalid.clone()))
            .collect();
        assert!(reasons.contains(&("1.1.max_points".into(), Invalid::Negative)));
        assert!(reasons.contains(&("1.2.parent".into(), Invalid::UnknownParent)));
        assert!(reasons.contains(&("1.1.code".into(), Invalid::DuplicateCode)));
        assert!(reasons.contains(&("a.parent".into(), Invalid::Cycle)));
        assert!(reasons.contains(&("1.4.rule".into(), Invalid::AboveMax { max: "10".into() })));
        // A leaf without a rule is reported once the tree itself is sound.
        let leafless = vec![
            node("1", None, 0.0, None),
            node("1.3", Some("1"), 10.0, None),
        ];
        assert_eq!(
            check_framework(&leafless).errors[0].invalid,
            Invalid::Required
        );
    }

    #[test]
    fn the_published_dti_2022_total_of_da_nang_is_reproduced() {
        // Main indices of Đà Nẵng, DTI 2022 (DTI.md), with the maxima of Decision 922.
        let maxima = [100.0, 100.0, 100.0, 100.0, 100.0, 200.0, 150.0, 150.0];
        let values = [1.0, 0.9, 0.8253, 0.8487, 0.7578, 0.8575, 0.7836, 0.5197];
        let main: Vec<(f64, f64)> = values.iter().copied().zip(maxima).collect();
        let total = total_index(&main).unwrap();
        assert_eq!(format!("{total:.4}"), "0.8002");
        assert_eq!(index_value(171.5, 200.0), Some(0.8575));
        assert_eq!(index_value(1.0, 0.0), None);
    }

    #[test]
    fn rules_describe_themselves_as_an_annex_would() {
        let steps = Rule::Steps {
            steps: vec![
                Step {
                    at_least: 2.0,
                    points: 10.0,
                },
                Step {
                    at_least: 4.0,
                    points: 20.0,
                },
            ],
        };
        assert_eq!(
            steps.describe(20.0),
            "từ 4: 20 điểm; từ 2: 10 điểm; còn lại: 0 điểm"
        );
        assert_eq!(Rule::Ratio.describe(12.5), "Điểm = a/b × 12,5");
        assert_eq!(
            Rule::Choice {
                options: vec![ChoiceOption {
                    key: "vice".into(),
                    label: "Phó Chủ tịch".into(),
                    share: 0.5
                }]
            }
            .describe(20.0),
            "Phó Chủ tịch: 10 điểm"
        );
    }

    #[test]
    fn equal_scores_share_a_rank() {
        let ranked = rank(&[("a", 700.0), ("b", 812.5), ("c", 700.0), ("d", 650.0)]);
        let order: Vec<(&str, usize)> = ranked.iter().map(|(k, _, r)| (*k, *r)).collect();
        assert_eq!(order, [("b", 1), ("a", 2), ("c", 2), ("d", 4)]);
    }
}
