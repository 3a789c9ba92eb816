//! An index assessment round: each assessed unit's workflow (self-assessment, approval by
//! its head, verification criterion by criterion, one response, publication) and the
//! results leaders read — totals, pillar scores, 0–1 index values, ranks, change since
//! last year and where each unit lost the most points.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::Lang;
use crate::auth::Action;
use crate::scoring::{Criterion, index_value, maxima, rank, total_index, totals};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AssessmentStatus {
    Draft,
    SelfAssessed,
    Verifying,
    Verified,
    Published,
}

impl AssessmentStatus {
    pub const ALL: [AssessmentStatus; 5] = [
        AssessmentStatus::Draft,
        AssessmentStatus::SelfAssessed,
        AssessmentStatus::Verifying,
        AssessmentStatus::Verified,
        AssessmentStatus::Published,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "draft",
            AssessmentStatus::SelfAssessed => "self_assessed",
            AssessmentStatus::Verifying => "verifying",
            AssessmentStatus::Verified => "verified",
            AssessmentStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<AssessmentStatus> {
        AssessmentStatus::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            AssessmentStatus::Draft => lang.pick("Đang tự đánh giá", "Self-assessment in progress"),
            AssessmentStatus::SelfAssessed => lang.pick("Đã gửi, chờ thẩm định", "Submitted"),
            AssessmentStatus::Verifying => lang.pick("Đang thẩm định", "Being verified"),
            AssessmentStatus::Verified => lang.pick("Đã thẩm định", "Verified"),
            AssessmentStatus::Published => lang.pick("Đã công bố", "Published"),
        }
    }

    /// The unit may still change its answers.
    pub fn is_editable_by_unit(self) -> bool {
        self == AssessmentStatus::Draft
    }

    /// Verifiers may record decisions.
    pub fn is_under_verification(self) -> bool {
        matches!(
            self,
            AssessmentStatus::SelfAssessed | AssessmentStatus::Verifying
        )
    }
}

impl TryFrom<String> for AssessmentStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        AssessmentStatus::parse(&s).ok_or_else(|| format!("unknown assessment status {s:?}"))
    }
}

/// The moves of an assessment as a whole (criterion decisions are separate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentAction {
    /// The unit's head approves the self-assessment and sends it.
    Submit,
    /// The coordinator gives a unit its self-assessment back (and time to finish it).
    Reopen,
    /// The coordinator closes verification: every criterion decided.
    Finalize,
}

impl AssessmentAction {
    pub const ALL: [AssessmentAction; 3] = [
        AssessmentAction::Submit,
        AssessmentAction::Reopen,
        AssessmentAction::Finalize,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentAction::Submit => "submit",
            AssessmentAction::Reopen => "reopen",
            AssessmentAction::Finalize => "finalize",
        }
    }

    pub fn parse(s: &str) -> Option<AssessmentAction> {
        AssessmentAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            AssessmentAction::Submit => lang.pick("Phê duyệt và gửi", "Approve and submit"),
            AssessmentAction::Reopen => lang.pick("Mở lại cho đơn vị", "Reopen for the unit"),
            AssessmentAction::Finalize => lang.pick("Chốt kết quả thẩm định", "Close verification"),
        }
    }

    /// What the policy must allow: `Submit` on the assessed unit, the others on the unit
    /// running the round.
    pub fn permission(self) -> Action {
        match self {
            AssessmentAction::Submit => Action::SubmitUnitWork,
            AssessmentAction::Reopen | AssessmentAction::Finalize => Action::ReviewWork,
        }
    }

    pub fn apply(self, from: AssessmentStatus) -> Option<AssessmentStatus> {
        use AssessmentStatus::*;
        match (self, from) {
            (AssessmentAction::Submit, Draft) => Some(SelfAssessed),
            (AssessmentAction::Reopen, Draft | SelfAssessed) => Some(Draft),
            (AssessmentAction::Finalize, SelfAssessed | Verifying) => Some(Verified),
            _ => None,
        }
    }
}

/// A verifier's decision on one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    Accepted,
    Adjusted,
}

impl Verification {
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Accepted => "accepted",
            Verification::Adjusted => "adjusted",
        }
    }

    pub fn parse(s: &str) -> Option<Verification> {
        match s.trim() {
            "accepted" => Some(Verification::Accepted),
            "adjusted" => Some(Verification::Adjusted),
            _ => None,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Verification::Accepted => lang.pick("Thống nhất", "Accepted"),
            Verification::Adjusted => lang.pick("Điều chỉnh điểm", "Adjusted"),
        }
    }
}

/// A self-assessment may be sent until the deadline, or until the date the coordinator
/// reopened it to.
pub fn submission_open(today: Date, deadline: Date, reopened_until: Option<Date>) -> bool {
    today <= deadline || reopened_until.is_some_and(|until| today <= until)
}

/// One main index (a top-level criterion) of a unit's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PillarScore {
    pub code: String,
    pub name: String,
    pub points: f64,
    pub max: f64,
    /// Points ÷ maximum, the DTI's 0–1 scale.
    pub index: Option<f64>,
}

/// A criterion where the unit fell short.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LostPoints {
    pub code: String,
    pub name: String,
    pub max: f64,
    pub points: f64,
    pub lost: f64,
}

/// A unit's points on each leaf criterion, as the results are computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitPoints {
    pub unit_id: i64,
    pub unit_name: String,
    pub leaf_points: HashMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitResult {
    pub unit_id: i64,
    pub unit_name: String,
    pub rank: usize,
    pub points: f64,
    pub max: f64,
    /// Σ(main-index value × max) ÷ Σ max, as the national DTI publishes it.
    pub index: Option<f64>,
    pub pillars: Vec<PillarScore>,
    /// Last year's total index of the same unit, and the change since.
    pub previous_index: Option<f64>,
    pub change: Option<f64>,
    /// The criteria where the unit lost the most points, worst first.
    pub lost: Vec<LostPoints>,
}

/// How many criteria of lost points a result names.
pub const LOST_SHOWN: usize = 5;

/// Results of a round: each unit's totals, pillars, index and rank (shared on equal
/// indices), best first; `previous` holds last year's total index by unit.
pub fn results(
    criteria: &[Criterion],
    units: &[UnitPoints],
    previous: &HashMap<i64, f64>,
) -> Vec<UnitResult> {
    let max_of = maxima(criteria);
    let leaves: Vec<&Criterion> = criteria.iter().filter(|c| c.rule.is_some()).collect();
    let top: Vec<&Criterion> = criteria.iter().filter(|c| c.parent.is_none()).collect();
    let mut out: Vec<UnitResult> = units
        .iter()
        .map(|u| {
            let leaf_points: HashMap<&str, f64> = u
                .leaf_points
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect();
            let sums = totals(criteria, &leaf_points);
            let pillars: Vec<PillarScore> = top
                .iter()
                .map(|c| {
                    let max = max_of.get(c.code.as_str()).copied().unwrap_or(0.0);
                    let points = sums.get(c.code.as_str()).copied().unwrap_or(0.0);
                    PillarScore {
                        code: c.code.clone(),
                        name: c.name.clone(),
                        points: round2(points),
                        max,
                        index: index_value(points, max).map(round4),
                    }
                })
                .collect();
            let points: f64 = pillars.iter().map(|p| p.points).sum();
            let max: f64 = pillars.iter().map(|p| p.max).sum();
            let index = total_index(
                &pillars
                    .iter()
                    .filter_map(|p| p.index.map(|v| (v, p.max)))
                    .collect::<Vec<_>>(),
            )
            .map(round4);
            let mut lost: Vec<LostPoints> = leaves
                .iter()
                .map(|c| {
                    let points = leaf_points.get(c.code.as_str()).copied().unwrap_or(0.0);
                    LostPoints {
                        code: c.code.clone(),
                        name: c.name.clone(),
                        max: c.max_points,
                        points,
                        lost: round2(c.max_points - points),
                    }
                })
                .filter(|l| l.lost > 0.0)
                .collect();
            lost.sort_by(|a, b| b.lost.total_cmp(&a.lost).then(a.code.cmp(&b.code)));
            lost.truncate(LOST_SHOWN);
            let previous_index = previous.get(&u.unit_id).copied();
            UnitResult {
                unit_id: u.unit_id,
                unit_name: u.unit_name.clone(),
                rank: 0,
                points: round2(points),
                max,
                index,
                pillars,
                previous_index,
                change: index
                    .zip(previous_index)
                    .map(|(now, before)| round4(now - before)),
                lost,
            }
        })
        .collect();
    let ranked = rank(
        &out.iter()
            .map(|r| (r.unit_id, r.points))
            .collect::<Vec<_>>(),
    );
    let position: HashMap<i64, usize> = ranked.iter().map(|(id, _, r)| (*id, *r)).collect();
    for r in &mut out {
        r.rank = position.get(&r.unit_id).copied().unwrap_or(0);
    }
    out.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.unit_name.cmp(&b.unit_name)));
    out
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::Rule;

    fn node(code: &str, parent: Option<&str>, max: f64, leaf: bool) -> Criterion {
        Criterion {
            code: code.into(),
            parent: parent.map(str::to_string),
            name: format!("Tiêu chí {code}"),
            max_points: max,
            rule: leaf.then_some(Rule::Manual),
        }
    }

    fn framework() -> Vec<Criterion> {
        vec![
            node("1", None, 100.0, false),
            node("1.1", Some("1"), 60.0, true),
            node("1.2", Some("1"), 40.0, true),
            node("2", None, 200.0, false),
            node("2.1", Some("2"), 200.0, true),
        ]
    }

    fn unit(id: i64, name: &str, points: &[(&str, f64)]) -> UnitPoints {
        UnitPoints {
            unit_id: id,
            unit_name: name.into(),
            leaf_points: points.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }

    #[test]
    fn results_add_up_rank_and_compare_with_last_year() {
        let units = [
            // A: 50 + 30 = 80 of 100, 150 of 200 → 230 of 300; index (0.8·100 + 0.75·200)/300.
            unit(1, "A", &[("1.1", 50.0), ("1.2", 30.0), ("2.1", 150.0)]),
            // B: 60 + 40 = 100, 170 → 270; index 0.9.
            unit(2, "B", &[("1.1", 60.0), ("1.2", 40.0), ("2.1", 170.0)]),
            // C: the same total as A: the same rank.
            unit(3, "C", &[("1.1", 60.0), ("1.2", 20.0), ("2.1", 150.0)]),
        ];
        let previous = HashMap::from([(1, 0.7)]);
        let r = results(&framework(), &units, &previous);
        assert_eq!(
            r.iter()
                .map(|r| (r.unit_name.as_str(), r.rank, r.points))
                .collect::<Vec<_>>(),
            vec![("B", 1, 270.0), ("A", 2, 230.0), ("C", 2, 230.0)]
        );
        let a = &r[1];
        assert_eq!(a.max, 300.0);
        assert_eq!(a.pillars[0].index, Some(0.8));
        assert_eq!(a.pillars[1].index, Some(0.75));
        assert_eq!(a.index, Some(0.7667));
        assert_eq!(a.previous_index, Some(0.7));
        assert_eq!(a.change, Some(0.0667));
        assert_eq!(r[0].previous_index, None);
        assert_eq!(r[0].change, None);
        // A lost 50 on 2.1, 10 on 1.1 and 10 on 1.2: worst first, ties by code.
        assert_eq!(
            a.lost
                .iter()
                .map(|l| (l.code.as_str(), l.lost))
                .collect::<Vec<_>>(),
            vec![("2.1", 50.0), ("1.1", 10.0), ("1.2", 10.0)]
        );
        // B lost points only on 2.1.
        assert_eq!(r[0].lost.len(), 1);
    }

    #[test]
    fn a_missing_answer_counts_as_nothing_earned() {
        let r = results(
            &framework(),
            &[unit(1, "A", &[("1.1", 60.0)])],
            &HashMap::new(),
        );
        assert_eq!(r[0].points, 60.0);
        assert_eq!(r[0].pillars[1].points, 0.0);
        assert_eq!(r[0].lost[0].code, "2.1");
    }

    #[test]
    fn the_workflow_moves_only_where_it_may() {
        use AssessmentAction::*;
        use AssessmentStatus::*;
        assert_eq!(Submit.apply(Draft), Some(SelfAssessed));
        assert_eq!(Submit.apply(SelfAssessed), None);
        assert_eq!(Reopen.apply(SelfAssessed), Some(Draft));
        assert_eq!(Reopen.apply(Verifying), None);
        assert_eq!(Finalize.apply(Verifying), Some(Verified));
        assert_eq!(Finalize.apply(Draft), None);
        for action in AssessmentAction::ALL {
            assert_eq!(action.apply(Published), None, "{action:?}");
            assert_eq!(AssessmentAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(Submit.permission(), Action::SubmitUnitWork);
        assert_eq!(Finalize.permission(), Action::ReviewWork);
    }

    #[test]
    fn submissions_close_at_the_deadline_unless_reopened() {
        let d = |day| Date::from_calendar_date(2025, time::Month::November, day).unwrap();
        assert!(submission_open(d(15), d(15), None));
        assert!(!submission_open(d(16), d(15), None));
        assert!(submission_open(d(16), d(15), Some(d(20))));
        assert!(!submission_open(d(21), d(15), Some(d(20))));
    }
}
