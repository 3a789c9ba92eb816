//! An index assessment round: each assessed unit's workflow (self-assessment, approval by
//! its head, verification criterion by criterion, one response, publication) and the
//! results leaders read — totals, pillar scores, 0–1 index values, ranks, change since
//! last year and where each unit lost the most points.

use std::collections::{HashMap, HashSet};

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
    /// Last year's value of the same main index (by code), on the unit's basis.
    pub previous_index: Option<f64>,
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
    /// Last year's total index of the same unit (or of its predecessors, see
    /// `previous_basis`), and the change since.
    pub previous_index: Option<f64>,
    pub change: Option<f64>,
    /// Where last year's values come from; `None` when there are none.
    pub previous_basis: Option<PreviousBasis>,
    /// The criteria where the unit lost the most points, worst first.
    pub lost: Vec<LostPoints>,
    /// In a past round seen "as it is now" (see [`results_as_now`]): the units of the
    /// round whose results this unit's row averages, when it is not the unit's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<PreviousBasis>,
}

/// How many criteria of lost points a result names.
pub const LOST_SHOWN: usize = 5;

/// One unit's published standing in last year's round.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LastYear {
    pub unit_name: String,
    pub short_name: Option<String>,
    pub index: Option<f64>,
    /// Main-index code → 0–1 value.
    pub pillars: HashMap<String, f64>,
}

impl LastYear {
    /// A unit's standing as last year's results computed it.
    pub fn of(r: &UnitResult) -> LastYear {
        LastYear {
            unit_name: r.unit_name.clone(),
            short_name: None,
            index: r.index,
            pillars: r
                .pillars
                .iter()
                .filter_map(|p| p.index.map(|v| (p.code.clone(), v)))
                .collect(),
        }
    }
}

/// A predecessor whose last-year index went into a merged unit's average.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PredecessorIndex {
    pub unit_id: i64,
    pub unit_name: String,
    pub short_name: Option<String>,
    /// Its total index in last year's round.
    pub index: f64,
}

impl PredecessorIndex {
    fn label(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.unit_name)
    }
}

/// Where a unit's "last year" values come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PreviousBasis {
    /// The unit's own result in last year's round.
    Own,
    /// The unit did not exist last year: the average of its predecessors' main indices,
    /// as the national DTI 2024 scored provinces merged in 2025.
    AverageOfPredecessors {
        /// The year of the round averaged.
        year: i64,
        /// The predecessors averaged, in lineage order.
        predecessors: Vec<PredecessorIndex>,
    },
}

impl PreviousBasis {
    /// A plain note for a derived basis ("2024: trung bình của Sở KH&CN và Sở TT&TT
    /// (trước sáp nhập)"); nothing for the unit's own result, which needs no note.
    pub fn label(&self, lang: Lang) -> Option<String> {
        let PreviousBasis::AverageOfPredecessors { year, predecessors } = self else {
            return None;
        };
        let names: Vec<&str> = predecessors.iter().map(PredecessorIndex::label).collect();
        Some(match names.as_slice() {
            // One predecessor (a renamed or split unit): its own value, no average.
            [one] => lang.pick(
                format!("{year}: chỉ số của {one} (trước sắp xếp)"),
                format!("{year}: the index of {one} before the reorganisation"),
            ),
            _ => lang.pick(
                format!(
                    "{year}: trung bình của {} (trước sáp nhập)",
                    join(&names, "và")
                ),
                format!(
                    "{year}: average of its predecessors before the merger ({})",
                    join(&names, "and")
                ),
            ),
        })
    }
}

/// "A, B và C" / "A, B and C".
fn join(names: &[&str], and: &str) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} {and} {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

/// What a unit's result is compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct Previous {
    pub index: Option<f64>,
    /// Main-index code → last year's 0–1 value.
    pub pillars: HashMap<String, f64>,
    pub basis: PreviousBasis,
}

/// Last year's values for this year's units. A unit in last year's round compares with
/// its own result. A unit absent from it (merged after the year assessed) compares with
/// the average of its predecessors' total and main indices, as the national DTI 2024 did
/// for merged provinces; the walk goes back through predecessors that were themselves
/// absent from last year's round (a unit merged twice), and stops at those present. A
/// unit none of whose predecessors has an index has nothing to compare with.
///
/// `predecessors` maps a unit to its immediate predecessors, in lineage order; `year` is
/// last year's round's year, for the label.
pub fn previous_values(
    units: &[i64],
    last_year: &HashMap<i64, LastYear>,
    predecessors: &HashMap<i64, Vec<i64>>,
    year: i64,
) -> HashMap<i64, Previous> {
    let mut out = HashMap::new();
    for &unit in units {
        if let Some(own) = last_year.get(&unit) {
            out.insert(
                unit,
                Previous {
                    index: own.index,
                    pillars: own.pillars.clone(),
                    basis: PreviousBasis::Own,
                },
            );
            continue;
        }
        let found = scored_predecessors(unit, |id| last_year.contains_key(&id), predecessors);
        // Only predecessors with a total index count: one whose result was empty would
        // drag the average down for a reason that has nothing to do with the merger.
        let scored: Vec<(i64, &LastYear, f64)> = found
            .into_iter()
            .filter_map(|id| {
                let l = last_year.get(&id)?;
                Some((id, l, l.index?))
            })
            .collect();
        if scored.is_empty() {
            continue;
        }
        let index = mean(scored.iter().map(|(_, _, v)| *v));
        let mut codes: Vec<&String> = scored
            .iter()
            .flat_map(|(_, l, _)| l.pillars.keys())
            .collect();
        codes.sort();
        codes.dedup();
        let pillars = codes
            .into_iter()
            .filter_map(|code| {
                mean(
                    scored
                        .iter()
                        .filter_map(|(_, l, _)| l.pillars.get(code).copied()),
                )
                .map(|v| (code.clone(), v))
            })
            .collect();
        out.insert(
            unit,
            Previous {
                index,
                pillars,
                basis: PreviousBasis::AverageOfPredecessors {
                    year,
                    predecessors: scored
                        .iter()
                        .map(|(id, l, v)| PredecessorIndex {
                            unit_id: *id,
                            unit_name: l.unit_name.clone(),
                            short_name: l.short_name.clone(),
                            index: *v,
                        })
                        .collect(),
                },
            },
        );
    }
    out
}

/// The predecessors of `unit` present in last year's round, reached through those absent
/// from it; each once, in lineage order, whatever the paths (a lineage may meet itself).
fn scored_predecessors(
    unit: i64,
    scored: impl Fn(i64) -> bool,
    predecessors: &HashMap<i64, Vec<i64>>,
) -> Vec<i64> {
    let mut seen = HashSet::from([unit]);
    let mut found = Vec::new();
    let mut stack: Vec<i64> = predecessors
        .get(&unit)
        .map(|p| p.iter().rev().copied().collect())
        .unwrap_or_default();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if scored(id) {
            found.push(id);
        } else if let Some(before) = predecessors.get(&id) {
            stack.extend(before.iter().rev().copied());
        }
    }
    found
}

/// The mean, to the four places the DTI publishes; `None` for no values.
fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    average(values).map(round4)
}

/// The plain mean; `None` for no values.
fn average(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

/// Results of a round: each unit's totals, pillars, index and rank (shared on equal
/// indices), best first; `previous` holds what each unit compares with (see
/// [`previous_values`]).
pub fn results(
    criteria: &[Criterion],
    units: &[UnitPoints],
    previous: &HashMap<i64, Previous>,
) -> Vec<UnitResult> {
    let max_of = maxima(criteria);
    let leaves: Vec<&Criterion> = criteria.iter().filter(|c| c.rule.is_some()).collect();
    let top: Vec<&Criterion> = criteria.iter().filter(|c| c.parent.is_none()).collect();
    let mut out: Vec<UnitResult> = units
        .iter()
        .map(|u| {
            let before = previous.get(&u.unit_id);
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
                        previous_index: before.and_then(|b| b.pillars.get(&c.code).copied()),
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
            let previous_index = before.and_then(|b| b.index);
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
                previous_basis: before.map(|b| b.basis.clone()),
                lost,
                carried_from: None,
            }
        })
        .collect();
    rank_rows(&mut out);
    out
}

/// A past round's ranking "as it is now": one row for each unit standing today (`now`,
/// in display order) that the round reaches. A unit assessed in the round keeps its own
/// result; a unit that continues units of the round (a merger, a split, a district ended
/// into a commune) gets the plain average of their points, total and main indices — the
/// national practice for DTI 2024 across the 2025 mergers — labelled with whose results
/// it averages (`carried_from`). The walk back passes through predecessors absent from
/// the round, as for last year's values. Units of the round that continue nowhere today
/// drop out; the rows are ranked afresh. Averaged rows carry no lost-points list (their
/// criteria belonged to other units) and no comparison with the year before.
pub fn results_as_now(
    results: &[UnitResult],
    year: i64,
    now: &[(i64, String)],
    predecessors: &HashMap<i64, Vec<i64>>,
    short_names: &HashMap<i64, Option<String>>,
) -> Vec<UnitResult> {
    let by_unit: HashMap<i64, &UnitResult> = results.iter().map(|r| (r.unit_id, r)).collect();
    let mut out: Vec<UnitResult> = now
        .iter()
        .filter_map(|(id, name)| {
            if let Some(own) = by_unit.get(id) {
                return Some((*own).clone());
            }
            let sources: Vec<&UnitResult> =
                scored_predecessors(*id, |u| by_unit.contains_key(&u), predecessors)
                    .into_iter()
                    .filter_map(|u| by_unit.get(&u).copied())
                    .filter(|r| r.index.is_some())
                    .collect();
            let first = sources.first()?;
            let pillars = first
                .pillars
                .iter()
                .map(|p| {
                    let same: Vec<&PillarScore> = sources
                        .iter()
                        .filter_map(|r| r.pillars.iter().find(|q| q.code == p.code))
                        .collect();
                    PillarScore {
                        code: p.code.clone(),
                        name: p.name.clone(),
                        points: round2(average(same.iter().map(|q| q.points)).unwrap_or(0.0)),
                        max: p.max,
                        index: mean(same.iter().filter_map(|q| q.index)),
                        previous_index: None,
                    }
                })
                .collect();
            Some(UnitResult {
                unit_id: *id,
                unit_name: name.clone(),
                rank: 0,
                points: round2(average(sources.iter().map(|r| r.points)).unwrap_or(0.0)),
                max: first.max,
                index: mean(sources.iter().filter_map(|r| r.index)),
                pillars,
                previous_index: None,
                change: None,
                previous_basis: None,
                lost: Vec::new(),
                carried_from: Some(PreviousBasis::AverageOfPredecessors {
                    year,
                    predecessors: sources
                        .iter()
                        .map(|r| PredecessorIndex {
                            unit_id: r.unit_id,
                            unit_name: r.unit_name.clone(),
                            short_name: short_names.get(&r.unit_id).cloned().flatten(),
                            index: r.index.unwrap_or(0.0),
                        })
                        .collect(),
                }),
            })
        })
        .collect();
    rank_rows(&mut out);
    out
}

/// Ranks rows by points (equal points share a rank), best first.
fn rank_rows(rows: &mut [UnitResult]) {
    let ranked = rank(
        &rows
            .iter()
            .map(|r| (r.unit_id, r.points))
            .collect::<Vec<_>>(),
    );
    let position: HashMap<i64, usize> = ranked.iter().map(|(id, _, r)| (*id, *r)).collect();
    for r in rows.iter_mut() {
        r.rank = position.get(&r.unit_id).copied().unwrap_or(0);
    }
    rows.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.unit_name.cmp(&b.unit_name)));
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
        let previous = previous_values(
            &[1, 2, 3],
            &HashMap::from([(1, last(0.7, &[("1", 0.6)]))]),
            &HashMap::new(),
            2024,
        );
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
        assert_eq!(a.previous_basis, Some(PreviousBasis::Own));
        assert_eq!(a.pillars[0].previous_index, Some(0.6));
        assert_eq!(a.pillars[1].previous_index, None, "no value last year");
        assert_eq!(r[0].previous_index, None);
        assert_eq!(r[0].change, None);
        assert_eq!(r[0].previous_basis, None);
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

    fn last(index: f64, pillars: &[(&str, f64)]) -> LastYear {
        LastYear {
            unit_name: format!("Đơn vị {index}"),
            short_name: None,
            index: Some(index),
            pillars: pillars.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }

    fn named(short: &str, index: f64, pillars: &[(&str, f64)]) -> LastYear {
        LastYear {
            unit_name: format!("Sở {short}"),
            short_name: Some(format!("Sở {short}")),
            ..last(index, pillars)
        }
    }

    #[test]
    fn a_merged_unit_compares_with_the_average_of_its_predecessors() {
        // Sở KH&CN (10) and Sở TT&TT (11) merged into the new Sở KH&CN (20).
        let last_year = HashMap::from([
            (10, named("KH&CN", 0.62, &[("1", 0.7), ("2", 0.5)])),
            (11, named("TT&TT", 0.48, &[("1", 0.4), ("2", 0.6)])),
        ]);
        let lineage = HashMap::from([(20, vec![10, 11])]);
        let previous = previous_values(&[20], &last_year, &lineage, 2024);
        let p = &previous[&20];
        // (0.62 + 0.48) / 2; main indices (0.7 + 0.4) / 2 and (0.5 + 0.6) / 2.
        assert_eq!(p.index, Some(0.55));
        assert_eq!(p.pillars["1"], 0.55);
        assert_eq!(p.pillars["2"], 0.55);
        let PreviousBasis::AverageOfPredecessors { year, predecessors } = &p.basis else {
            panic!("{:?}", p.basis);
        };
        assert_eq!(*year, 2024);
        assert_eq!(
            predecessors
                .iter()
                .map(|x| (x.unit_id, x.index))
                .collect::<Vec<_>>(),
            vec![(10, 0.62), (11, 0.48)]
        );
        assert_eq!(
            p.basis.label(Lang::Vi).as_deref(),
            Some("2024: trung bình của Sở KH&CN và Sở TT&TT (trước sáp nhập)")
        );
        assert_eq!(
            p.basis.label(Lang::En).as_deref(),
            Some("2024: average of its predecessors before the merger (Sở KH&CN and Sở TT&TT)")
        );
        assert_eq!(PreviousBasis::Own.label(Lang::Vi), None);

        // This year's index 0.6667 (60 + 140 of 300) against 0.55: the change is 0.1167, and
        // the first main index compares with 0.55 too.
        let units = [unit(20, "Sở KH&CN", &[("1.1", 60.0), ("2.1", 140.0)])];
        let r = results(&framework(), &units, &previous);
        assert_eq!(r[0].index, Some(0.6667));
        assert_eq!(r[0].previous_index, Some(0.55));
        assert_eq!(r[0].change, Some(0.1167));
        assert_eq!(r[0].pillars[0].previous_index, Some(0.55));
        assert_eq!(r[0].previous_basis, Some(p.basis.clone()));
    }

    #[test]
    fn only_units_absent_last_year_are_derived_and_only_scored_predecessors_count() {
        let last_year = HashMap::from([
            (1, last(0.8, &[("1", 0.8)])),
            (2, last(0.5, &[("1", 0.5), ("2", 0.3)])),
            // In last year's round with no index: not averaged.
            (
                3,
                LastYear {
                    index: None,
                    ..last(0.0, &[])
                },
            ),
        ]);
        let lineage = HashMap::from([
            // Unit 1 existed last year and absorbed 2: its own result, not an average.
            (1, vec![2]),
            // 20 merges 2 and 3, of which only 2 has an index: 2's values alone.
            (20, vec![2, 3]),
            // 30 comes from 9, which has no result and no predecessors: nothing.
            (30, vec![9]),
        ]);
        let previous = previous_values(&[1, 20, 30, 40], &last_year, &lineage, 2024);
        assert_eq!(previous[&1].basis, PreviousBasis::Own);
        assert_eq!(previous[&1].index, Some(0.8));
        assert_eq!(previous[&20].index, Some(0.5));
        // Main index 2 only where a predecessor had it.
        assert_eq!(previous[&20].pillars.get("2"), Some(&0.3));
        assert_eq!(
            previous[&20].basis.label(Lang::Vi).as_deref(),
            Some("2024: chỉ số của Đơn vị 0.5 (trước sắp xếp)")
        );
        assert!(!previous.contains_key(&30));
        assert!(!previous.contains_key(&40), "no lineage, no comparison");

        // Without a previous value there is no change.
        let units = [unit(30, "X", &[("1.1", 60.0)])];
        let r = results(&framework(), &units, &previous);
        assert_eq!((r[0].previous_index, r[0].change), (None, None));
        assert_eq!(r[0].previous_basis, None);
        assert!(r[0].pillars.iter().all(|p| p.previous_index.is_none()));
    }

    #[test]
    fn predecessors_are_followed_back_only_through_units_absent_last_year() {
        // 1 and 2 were scored last year. 5 (absent) came from 1 and 2; 6 (absent) from 5
        // and 2 again; 7 was scored and itself came from 8, which must not be reached.
        let last_year = HashMap::from([
            (1, last(0.9, &[])),
            (2, last(0.6, &[])),
            (7, last(0.3, &[])),
            (8, last(0.1, &[])),
        ]);
        let lineage = HashMap::from([
            (5, vec![1, 2]),
            (6, vec![5, 2]),
            (7, vec![8]),
            (100, vec![6, 7]),
            // A lineage that loops back on itself must not hang.
            (200, vec![201]),
            (201, vec![200]),
        ]);
        let previous = previous_values(&[100, 200], &last_year, &lineage, 2024);
        let PreviousBasis::AverageOfPredecessors { predecessors, .. } = &previous[&100].basis
        else {
            panic!("derived");
        };
        // 1, 2 and 7 once each: (0.9 + 0.6 + 0.3) / 3.
        assert_eq!(
            predecessors.iter().map(|p| p.unit_id).collect::<Vec<_>>(),
            vec![1, 2, 7]
        );
        assert_eq!(previous[&100].index, Some(0.6));
        assert_eq!(
            previous[&100].basis.label(Lang::En).as_deref(),
            Some(
                "2024: average of its predecessors before the merger \
                 (Đơn vị 0.9, Đơn vị 0.6 and Đơn vị 0.3)"
            )
        );
        assert!(!previous.contains_key(&200));
    }

    #[test]
    fn a_past_ranking_as_it_is_now_averages_the_units_each_current_unit_continues() {
        let units = [
            // A: 80 + 150 = 230 of 300, index 0.7667 (1: 0.8, 2: 0.75).
            unit(1, "A", &[("1.1", 50.0), ("1.2", 30.0), ("2.1", 150.0)]),
            // B: 100 + 170 = 270, index 0.9 (1: 1.0, 2: 0.85).
            unit(2, "B", &[("1.1", 60.0), ("1.2", 40.0), ("2.1", 170.0)]),
            // C: 40 + 100 = 140, index 0.4667 (1: 0.4, 2: 0.5); it stands today.
            unit(3, "C", &[("1.1", 40.0), ("2.1", 100.0)]),
            // D: 20 of 300; ended without a successor.
            unit(4, "D", &[("1.1", 20.0)]),
        ];
        let then = results(&framework(), &units, &HashMap::new());
        // 10 merged A and B; 11 came from 12 (not in the round), which came from A: a
        // split part of A. 13 has no predecessor in the round.
        let lineage = HashMap::from([(10, vec![1, 2]), (11, vec![12]), (12, vec![1])]);
        let now = [
            (3, "C".to_string()),
            (10, "AB".to_string()),
            (11, "A2".to_string()),
            (13, "New".to_string()),
        ];
        let short = HashMap::from([(1, Some("Sở A".to_string()))]);
        let r = results_as_now(&then, 2024, &now, &lineage, &short);
        let rows: Vec<(&str, usize, f64, Option<f64>)> = r
            .iter()
            .map(|u| (u.unit_name.as_str(), u.rank, u.points, u.index))
            .collect();
        // AB: (230 + 270) / 2 = 250; its index averages the published four-place values,
        // (0.7667 + 0.9) / 2 = 0.83335 → 0.8334. A2: A's own 230.
        assert_eq!(
            rows,
            vec![
                ("AB", 1, 250.0, Some(0.8334)),
                ("A2", 2, 230.0, Some(0.7667)),
                ("C", 3, 140.0, Some(0.4667)),
            ]
        );
        // Main indices averaged the same way: (0.8 + 1.0) / 2 and (0.75 + 0.85) / 2.
        assert_eq!(r[0].pillars[0].index, Some(0.9));
        assert_eq!(r[0].pillars[1].index, Some(0.8));
        assert_eq!(r[0].pillars[1].points, 160.0);
        assert_eq!(
            r[0].carried_from
                .as_ref()
                .and_then(|b| b.label(Lang::Vi))
                .as_deref(),
            Some("2024: trung bình của Sở A và B (trước sáp nhập)")
        );
        assert_eq!(
            r[1].carried_from
                .as_ref()
                .and_then(|b| b.label(Lang::Vi))
                .as_deref(),
            Some("2024: chỉ số của Sở A (trước sắp xếp)")
        );
        // A unit of the round that still stands is its own row, lost points and all.
        assert_eq!(r[2].carried_from, None);
        assert!(!r[2].lost.is_empty());
        assert!(r[0].lost.is_empty());
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
