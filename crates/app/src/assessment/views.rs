//! Reading rounds and assessments: totals, the fed figures, each criterion's row.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use dxplan_domain::assessment::{AssessmentStatus, submission_open};
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::period::Period;
use dxplan_domain::scoring::{Answer, Criterion, Scored, score};
use dxplan_store::index_rounds::{self as rounds, Assessment, Score};
use dxplan_store::units;

pub use dxplan_store::index_rounds::{Evidence, Round};

use super::rights::{Loaded, Rights, framework_view, load, verifier_lineages};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::index::{CriterionView, FrameworkView};
use crate::principal::CurrentUser;

// ---------------------------------------------------------------- reading

/// A round as its page shows it: the assessments the user may see with their totals.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundView {
    pub round: Round,
    pub max_points: f64,
    pub assessments: Vec<AssessmentLine>,
    pub may_manage: bool,
    /// Every assessment verified: the round can be published.
    pub may_publish: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentLine {
    pub assessment: Assessment,
    pub self_points: f64,
    pub final_points: Option<f64>,
    /// Leaf criteria answered, of all leaves.
    pub answered: usize,
    pub leaves: usize,
}

pub async fn round_view(app: &App, user: &CurrentUser, id: i64) -> AppResult<RoundView> {
    let mut c = app.db.read().await?;
    let round = rounds::round(&mut c, id).await?;
    let framework = framework_view(&mut c, round.framework_id).await?;
    let run_lineage = units::lineage(&mut c, round.run_by_unit_id).await?;
    let may_manage = user.may(Action::ReviewWork, Target::Unit(&run_lineage));
    let sees_all = may_manage || user.may(Action::ViewWork, Target::Unit(&run_lineage)) || {
        let verifiers = verifier_lineages(&mut c, &framework).await?;
        verifiers
            .values()
            .any(|l| user.may(Action::EditUnitWork, Target::Unit(l)))
    };
    let all = rounds::assessments_of_round(&mut c, id).await?;
    // Someone who sees only part of the round: the units below their grants, read once.
    let readable: Option<HashSet<i64>> = match (sees_all, crate::tasks::task_scope(user)) {
        (true, _) | (false, None) => None,
        (false, Some(roots)) => Some(app.subtree(&mut c, &roots).await?.iter().copied().collect()),
    };
    let visible: Vec<Assessment> = all
        .into_iter()
        .filter(|a| readable.as_ref().is_none_or(|r| r.contains(&a.unit_id)))
        .collect();
    if visible.is_empty() && !sees_all {
        return Err(AppError::Forbidden);
    }
    let scores = rounds::scores_of_round(&mut c, id).await?;
    let leaves: HashSet<&str> = framework
        .criteria
        .iter()
        .filter(|k| k.rule.is_some())
        .map(|k| k.code.as_str())
        .collect();
    let mut by_assessment: HashMap<i64, Vec<&Score>> = HashMap::new();
    for s in scores
        .iter()
        .filter(|s| leaves.contains(s.criterion_code.as_str()))
    {
        by_assessment.entry(s.assessment_id).or_default().push(s);
    }
    let all_verified = visible.iter().all(|a| {
        matches!(
            a.status,
            AssessmentStatus::Verified | AssessmentStatus::Published
        )
    });
    let assessments = visible
        .into_iter()
        .map(|a| {
            let own = by_assessment
                .get(&a.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let finished = matches!(
                a.status,
                AssessmentStatus::Verified | AssessmentStatus::Published
            );
            AssessmentLine {
                self_points: round2(own.iter().filter_map(|s| s.self_points).sum()),
                final_points: finished
                    .then(|| round2(own.iter().filter_map(|s| s.final_points).sum())),
                answered: own.iter().filter(|s| s.self_points.is_some()).count(),
                leaves: leaves.len(),
                assessment: a,
            }
        })
        .collect();
    Ok(RoundView {
        may_publish: may_manage && all_verified && !round.is_published(),
        max_points: framework.max_points,
        round,
        assessments,
        may_manage,
    })
}

/// The rounds a user can open (all, for anyone who reads work; each round's page narrows).
pub async fn round_list(app: &App, user: &CurrentUser) -> AppResult<Vec<Round>> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    Ok(rounds::rounds(&mut c).await?)
}

/// What an indicator already reported in dxplan says for a criterion.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fed {
    pub indicator: String,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub target: Option<f64>,
}

/// One criterion of an assessment, as the form shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreRow {
    pub criterion: CriterionView,
    pub depth: usize,
    pub is_leaf: bool,
    pub score: Option<Score>,
    pub answer: Answer,
    /// Points computed now from the answer (and the feeding indicator), for the form.
    pub live_points: Option<f64>,
    pub fed: Option<Fed>,
    /// On a group: the sum of its leaves' self and final points.
    pub self_total: f64,
    pub final_total: Option<f64>,
    pub evidence: Vec<Evidence>,
    pub may_verify: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentView {
    pub round: Round,
    pub assessment: Assessment,
    pub framework_code: String,
    pub max_points: f64,
    pub rows: Vec<ScoreRow>,
    pub self_total: f64,
    pub verified_total: Option<f64>,
    pub final_total: Option<f64>,
    pub events: Vec<rounds::Event>,
    pub rights: Rights,
    /// Submission is still accepted today.
    pub open: bool,
    /// Every leaf has a verification decision.
    pub all_verified: bool,
    /// Criteria adjusted by a verifier (what a response can address).
    pub adjusted: usize,
}

fn depth_of(criteria: &[CriterionView], code: &str) -> usize {
    let mut depth = 0;
    let mut at = criteria.iter().find(|c| c.code == code);
    while let Some(parent) = at.and_then(|c| c.parent.as_deref()) {
        depth += 1;
        at = criteria.iter().find(|c| c.code == parent);
        if depth > criteria.len() {
            break;
        }
    }
    depth
}

/// The figures of the indicators feeding an assessment's criteria, for the unit's subtree
/// and the round's year: one roll-up for all of them.
pub(super) async fn fed_values(
    app: &App,
    framework: &FrameworkView,
    unit_code: &str,
    year: i64,
) -> AppResult<HashMap<i64, Fed>> {
    let ids: Vec<i64> = framework
        .criteria
        .iter()
        .filter_map(|k| k.indicator_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let codes: HashMap<String, i64> = {
        let mut c = app.db.read().await?;
        dxplan_store::indicators::list(&mut c, None, None)
            .await?
            .into_iter()
            .filter(|i| ids.contains(&i.id))
            .map(|i| (i.code, i.id))
            .collect()
    };
    let Ok(year) = i32::try_from(year) else {
        return Ok(HashMap::new());
    };
    // The units as they stood at the end of the assessed year: a 2024 round assesses
    // 2024's units, some of which a later reorganisation ended.
    let today = app.today();
    let at = time::Date::from_calendar_date(year, time::Month::December, 31)
        .map_or(today, |end| end.min(today));
    let views =
        crate::indicators::rollup_periods(app, unit_code, &[Period::Year(year)], at, Some(&ids))
            .await?;
    Ok(views
        .into_iter()
        .flatten()
        .filter_map(|v| {
            codes.get(&v.indicator).map(|id| {
                (
                    *id,
                    Fed {
                        indicator: v.indicator.clone(),
                        value: v.value,
                        numerator: v.numerator,
                        denominator: v.denominator,
                        target: v.target,
                    },
                )
            })
        })
        .collect())
}

/// The unit's answer with what the feeding indicator says filled in: figures reported and
/// approved in dxplan are not typed again.
pub(super) fn with_fed(mut answer: Answer, fed: Option<&Fed>) -> Answer {
    if let Some(f) = fed {
        if f.value.is_some() {
            answer.value = f.value;
        }
        if f.numerator.is_some() && f.denominator.is_some() {
            answer.numerator = f.numerator;
            answer.denominator = f.denominator;
        }
        if f.target.is_some() {
            answer.target = f.target;
        }
    }
    answer
}

pub(super) fn answer_of(score: Option<&Score>) -> Answer {
    score
        .and_then(|s| s.answer.as_deref())
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

pub(super) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

pub async fn assessment_view(app: &App, user: &CurrentUser, id: i64) -> AppResult<AssessmentView> {
    let (loaded, scores, evidence, events) = {
        let mut c = app.db.read().await?;
        let loaded = load(&mut c, user, id).await?;
        let scores = rounds::scores(&mut c, id).await?;
        let evidence = rounds::evidence_of(&mut c, id).await?;
        let events = rounds::events(&mut c, id).await?;
        (loaded, scores, evidence, events)
    };
    let Loaded {
        round,
        assessment,
        framework,
        rights,
    } = loaded;
    let fed = fed_values(app, &framework, &assessment.unit_code, round.year).await?;
    let by_code: HashMap<&str, &Score> = scores
        .iter()
        .map(|s| (s.criterion_code.as_str(), s))
        .collect();
    let domain: Vec<Criterion> = framework
        .criteria
        .iter()
        .map(|k| Criterion {
            code: k.code.clone(),
            parent: k.parent.clone(),
            name: k.name.clone(),
            max_points: k.max_points,
            rule: k.rule.clone(),
        })
        .collect();
    let self_points: HashMap<&str, f64> = scores
        .iter()
        .filter_map(|s| s.self_points.map(|p| (s.criterion_code.as_str(), p)))
        .collect();
    let final_points: HashMap<&str, f64> = scores
        .iter()
        .filter_map(|s| s.final_points.map(|p| (s.criterion_code.as_str(), p)))
        .collect();
    let self_sums = dxplan_domain::scoring::totals(&domain, &self_points);
    let final_sums = dxplan_domain::scoring::totals(&domain, &final_points);
    let finished = matches!(
        assessment.status,
        AssessmentStatus::Verified | AssessmentStatus::Published
    );
    let rows: Vec<ScoreRow> = framework
        .criteria
        .iter()
        .map(|k| {
            let saved = by_code.get(k.code.as_str()).copied();
            let fed_here = k.indicator_id.and_then(|i| fed.get(&i));
            let answer = with_fed(answer_of(saved), fed_here);
            let live_points =
                k.rule
                    .as_ref()
                    .and_then(|rule| match score(rule, k.max_points, &answer) {
                        Ok(Scored::Points(p)) => Some(p),
                        _ => None,
                    });
            ScoreRow {
                depth: depth_of(&framework.criteria, &k.code),
                is_leaf: k.rule.is_some(),
                score: saved.cloned(),
                answer,
                live_points,
                fed: fed_here.cloned(),
                self_total: round2(self_sums.get(k.code.as_str()).copied().unwrap_or(0.0)),
                final_total: finished
                    .then(|| round2(final_sums.get(k.code.as_str()).copied().unwrap_or(0.0))),
                evidence: evidence
                    .iter()
                    .filter(|e| e.criterion_code == k.code)
                    .cloned()
                    .collect(),
                may_verify: rights.verify_codes.contains(&k.code),
                criterion: k.clone(),
            }
        })
        .collect();
    let leaves: Vec<&ScoreRow> = rows.iter().filter(|r| r.is_leaf).collect();
    let all_verified = leaves
        .iter()
        .all(|r| r.score.as_ref().is_some_and(|s| s.verification.is_some()));
    let any_verified = leaves
        .iter()
        .any(|r| r.score.as_ref().is_some_and(|s| s.verification.is_some()));
    let verified_total = any_verified.then(|| {
        round2(
            leaves
                .iter()
                .filter_map(|r| r.score.as_ref().and_then(|s| s.verified_points))
                .sum(),
        )
    });
    let adjusted = leaves
        .iter()
        .filter(|r| {
            r.score
                .as_ref()
                .is_some_and(|s| s.verification.as_deref() == Some("adjusted"))
        })
        .count();
    let self_total = round2(
        leaves
            .iter()
            .filter_map(|r| r.score.as_ref()?.self_points)
            .sum(),
    );
    let final_total = finished.then(|| {
        round2(
            leaves
                .iter()
                .filter_map(|r| r.score.as_ref()?.final_points)
                .sum(),
        )
    });
    let open = submission_open(app.today(), round.deadline, assessment.reopened_until);
    Ok(AssessmentView {
        framework_code: String::new(),
        max_points: framework.max_points,
        rows,
        self_total,
        verified_total,
        final_total,
        events,
        rights,
        open,
        all_verified,
        adjusted,
        round,
        assessment,
    })
}
