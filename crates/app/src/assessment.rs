//! Assessment rounds: opening a round, each unit's self-assessment with evidence, its
//! head's approval, verification criterion by criterion (by the coordinator or the sector
//! department assigned to the criterion), the unit's one response, publication, and
//! audited corrections afterwards. Results come from `domain::assessment::results`.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

use dxplan_domain::assessment::{
    AssessmentAction, AssessmentStatus, LastYear, UnitPoints, UnitResult, Verification,
    previous_values, results, results_as_now, submission_open,
};
use dxplan_domain::auth::{Action, Role, Target};
use dxplan_domain::notification::NotificationKind;
use dxplan_domain::period::Period;
use dxplan_domain::scoring::{Answer, Criterion, Rule, Scored, score};
use dxplan_domain::text::{format_date, parse_date};
use dxplan_domain::validation::{optional_text, required_text};
use dxplan_domain::{FieldError, Invalid, Lang};
use dxplan_store::audit::NewEvent;
use dxplan_store::index_rounds::{
    self as rounds, Assessment, NewEvidence, RoundWrite, Score, VerificationWrite,
};
use dxplan_store::notifications::{self, Notice};
use dxplan_store::{Conn, index_frameworks, units};

pub use dxplan_store::index_rounds::{CriterionChoice, Evidence, LinkedCriterion, Round};

use super::index::{CriterionView, FrameworkView};
use super::{Caller, Structure};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

const UNIT_STAFF: [Role; 2] = [Role::UnitEditor, Role::UnitApprover];
const MAX_TEXT: usize = 5000;

fn actor_id(caller: &Caller<'_>) -> Option<i64> {
    caller.actor.user_id
}

fn user_of<'a>(caller: &'a Caller<'_>) -> AppResult<&'a CurrentUser> {
    caller.user.ok_or(AppError::Unauthorized)
}

/// A notice about an assessment to some people: its titles from the kind, `subject` (the
/// round and the unit or framework) and `extra`; once per `key` when one is given.
async fn notify(
    c: &mut Conn,
    recipients: &[notifications::Recipient],
    kind: NotificationKind,
    subject: (&str, &str),
    extra: &str,
    key: Option<&str>,
    now: time::OffsetDateTime,
) -> AppResult<()> {
    let (vi, en) = kind.titles(subject.0, subject.1, extra);
    notifications::notify(
        c,
        recipients,
        &Notice {
            kind,
            task_id: None,
            title_vi: &vi,
            title_en: &en,
            dedup_key: key,
            link: None,
        },
        now,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- opening a round

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    #[serde(default)]
    pub framework_id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub year: i64,
    /// Code of the unit running the round: the province, or a district for its communes.
    /// Defaults to the province.
    #[serde(default)]
    pub run_by: Option<String>,
    #[serde(default)]
    pub deadline: String,
    /// Codes of the units assessed; empty means every unit of the framework's kinds in the
    /// runner's subtree.
    #[serde(default)]
    pub units: Vec<String>,
}

/// Opens a round: a draft assessment for each unit, and a notice to each unit's staff.
pub async fn open_round(app: &App, caller: &Caller<'_>, input: &RoundInput) -> AppResult<Round> {
    let today = app.today();
    let mut errors = Vec::new();
    let name = required_text("name", &input.name, 300, &mut errors);
    if !(2000..=2100).contains(&input.year) {
        errors.push(FieldError::new(
            "year",
            Invalid::OutOfRange {
                min: 2000,
                max: 2100,
            },
        ));
    }
    let deadline = parse_date(&input.deadline);
    if deadline.is_none() {
        errors.push(FieldError::new("deadline", Invalid::BadDate));
    }
    let mut c = app.write(caller).await?;
    let framework = index_frameworks::get(&mut c, input.framework_id).await?;
    if framework.is_none() {
        errors.push(FieldError::new("framework_id", Invalid::Required));
    }
    // The units as they stood at the end of the assessed year (or today, if sooner): a
    // 2024 round assesses the departments of 2024, before the 2025 mergers.
    let at = i32::try_from(input.year)
        .ok()
        .and_then(|y| Date::from_calendar_date(y, time::Month::December, 31).ok())
        .map_or(today, |end| end.min(today));
    let run_by = match input
        .run_by
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(text) => super::pickers::find_named(&mut c, text, at).await?.ok(),
        None => units::valid_on(&mut c, at)
            .await?
            .into_iter()
            .find(|u| u.parent_id.is_none()),
    };
    let Some(run_by) = run_by else {
        errors.push(FieldError::new("run_by", Invalid::UnknownUnit));
        return Err(AppError::Validation(errors));
    };
    let run_lineage = units::lineage(&mut c, run_by.id).await?;
    caller.require(Action::ManagePlans, Target::Unit(&run_lineage))?;
    let Some(framework) = framework else {
        return Err(AppError::Validation(errors));
    };
    let kinds: Vec<&str> = framework.unit_kinds.split(',').collect();
    let within = units::subtree_ids(&mut c, &[run_by.id]).await?;
    let within: HashSet<i64> = within.into_iter().collect();
    let candidates: Vec<units::Unit> = units::valid_on(&mut c, at)
        .await?
        .into_iter()
        .filter(|u| u.id != run_by.id && within.contains(&u.id))
        .collect();
    let assessed: Vec<i64> = if input.units.is_empty() {
        candidates
            .iter()
            .filter(|u| kinds.contains(&u.kind.as_str()))
            .map(|u| u.id)
            .collect()
    } else {
        let mut ids = Vec::new();
        let mut names = super::pickers::UnitNames::default();
        for code in &input.units {
            // By code, else by name (as the unit of the year assessed).
            let named = match candidates.iter().find(|u| u.code == code.trim()) {
                Some(u) => Some(u),
                None => match names.find(&mut c, code, at).await? {
                    Ok(found) => candidates.iter().find(|u| u.id == found.id),
                    Err(_) => None,
                },
            };
            match named {
                Some(u) if kinds.contains(&u.kind.as_str()) => ids.push(u.id),
                Some(_) => errors.push(FieldError::new(
                    format!("units.{}", code.trim()),
                    Invalid::UnknownKind,
                )),
                None => errors.push(FieldError::new(
                    format!("units.{}", code.trim()),
                    Invalid::UnknownUnit,
                )),
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    if assessed.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("units", Invalid::Required));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let deadline = deadline.unwrap_or(today);
    let now = app.now();
    let id = rounds::insert_round(
        &mut c,
        &RoundWrite {
            framework_id: framework.id,
            name: &name,
            year: input.year,
            run_by_unit_id: run_by.id,
            deadline,
        },
        &assessed,
        now,
    )
    .await?;
    let round = rounds::round(&mut c, id).await?;
    let staff = notifications::holders_of_units(&mut c, &assessed, &UNIT_STAFF).await?;
    for unit in &assessed {
        let recipients = staff.get(unit).map(Vec::as_slice).unwrap_or_default();
        let subject = (round.name.as_str(), round.framework_name.as_str());
        let key = format!("assessment-open:{id}:{unit}");
        let deadline = format_date(deadline);
        notify(
            &mut c,
            recipients,
            NotificationKind::AssessmentDue,
            subject,
            &deadline,
            Some(&key),
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: "index_round.open",
        entity_type: "index_round",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{name}: {} đơn vị, hạn {}",
            assessed.len(),
            format_date(deadline)
        ),
        before: None,
        after: Some(json!({"round": round, "units": assessed})),
    })
    .await?;
    Ok(round)
}

// ---------------------------------------------------------------- who may do what

/// What the caller may do with one assessment.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rights {
    /// Coordinate the round: verify any criterion, reopen, close verification, publish.
    pub manage: bool,
    /// The unit's staff: fill in, attach evidence.
    pub edit: bool,
    /// The unit's head: approve and submit, respond.
    pub submit: bool,
    /// Criteria the caller verifies as a sector department (all when `manage`).
    pub verify_codes: Vec<String>,
}

struct Loaded {
    round: Round,
    assessment: Assessment,
    framework: FrameworkView,
    rights: Rights,
}

async fn framework_view(c: &mut Conn, id: i64) -> AppResult<FrameworkView> {
    super::index::view_of(c, id).await
}

fn rights_of(
    user: &CurrentUser,
    run_lineage: &[i64],
    unit_lineage: &[i64],
    verifier_lineages: &HashMap<i64, Vec<i64>>,
    framework: &FrameworkView,
    unit_id: i64,
) -> Rights {
    let manage = user.may(Action::ReviewWork, Target::Unit(run_lineage));
    let verify_codes = framework
        .criteria
        .iter()
        .filter(|k| k.rule.is_some())
        .filter(|k| {
            manage
                || k.verifier_unit_id.is_some_and(|v| {
                    // A department does not verify its own assessment.
                    v != unit_id
                        && verifier_lineages
                            .get(&v)
                            .is_some_and(|l| user.may(Action::EditUnitWork, Target::Unit(l)))
                })
        })
        .map(|k| k.code.clone())
        .collect();
    Rights {
        manage,
        edit: user.may(Action::EditUnitWork, Target::Unit(unit_lineage)),
        submit: user.may(Action::SubmitUnitWork, Target::Unit(unit_lineage)),
        verify_codes,
    }
}

async fn verifier_lineages(
    c: &mut Conn,
    framework: &FrameworkView,
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let mut out = HashMap::new();
    for v in framework.criteria.iter().filter_map(|k| k.verifier_unit_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(v) {
            e.insert(units::lineage(c, v).await?);
        }
    }
    Ok(out)
}

/// Loads an assessment for a user who may see it: the round's coordinators, anyone who
/// reads the unit's work, and the departments verifying some of its criteria.
async fn load(c: &mut Conn, user: &CurrentUser, id: i64) -> AppResult<Loaded> {
    let assessment = rounds::assessment(c, id).await?;
    let round = rounds::round(c, assessment.round_id).await?;
    let framework = framework_view(c, round.framework_id).await?;
    let run_lineage = units::lineage(c, round.run_by_unit_id).await?;
    let unit_lineage = units::lineage(c, assessment.unit_id).await?;
    let verifiers = verifier_lineages(c, &framework).await?;
    let rights = rights_of(
        user,
        &run_lineage,
        &unit_lineage,
        &verifiers,
        &framework,
        assessment.unit_id,
    );
    let sees = rights.manage
        || !rights.verify_codes.is_empty()
        || user.may(Action::ViewWork, Target::Unit(&unit_lineage))
        || user.may(Action::ViewWork, Target::Unit(&run_lineage));
    if !sees {
        return Err(AppError::Forbidden);
    }
    Ok(Loaded {
        round,
        assessment,
        framework,
        rights,
    })
}

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
    let readable: Option<HashSet<i64>> = match (sees_all, super::tasks::task_scope(user)) {
        (true, _) | (false, None) => None,
        (false, Some(roots)) => Some(
            units::subtree_ids(&mut c, &roots)
                .await?
                .into_iter()
                .collect(),
        ),
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
async fn fed_values(
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
        super::indicators::rollup_periods(app, unit_code, &[Period::Year(year)], at, Some(&ids))
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
fn with_fed(mut answer: Answer, fed: Option<&Fed>) -> Answer {
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

fn answer_of(score: Option<&Score>) -> Answer {
    score
        .and_then(|s| s.answer.as_deref())
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

fn round2(v: f64) -> f64 {
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

// ---------------------------------------------------------------- the unit's answers

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    #[serde(default)]
    pub criterion: String,
    #[serde(default)]
    pub points: Option<f64>,
    #[serde(default)]
    pub yes: Option<bool>,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub numerator: Option<f64>,
    #[serde(default)]
    pub denominator: Option<f64>,
    #[serde(default)]
    pub choice: Option<String>,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub explanation: Option<String>,
}

fn leaf<'a>(framework: &'a FrameworkView, code: &str) -> AppResult<(&'a CriterionView, &'a Rule)> {
    framework
        .criteria
        .iter()
        .find(|k| k.code == code.trim())
        .and_then(|k| k.rule.as_ref().map(|r| (k, r)))
        .ok_or_else(|| AppError::field("criterion", Invalid::BadFormat))
}

fn locked_error(status: AssessmentStatus) -> AppError {
    AppError::conflict(
        "assessment_locked",
        format!(
            "Bản đánh giá đang ở trạng thái “{}”: không sửa được.",
            status.label(Lang::Vi)
        ),
        format!(
            "The assessment is “{}”: it cannot be changed.",
            status.label(Lang::En)
        ),
    )
}

/// Saves the unit's answers, criterion by criterion, all or nothing: points are computed
/// by the criterion's rule (and the feeding indicator), never typed over a rule.
pub async fn save_answers(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    answers: &[AnswerInput],
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let (round, assessment, framework) = {
        let mut c = app.db.read().await?;
        let l = load(&mut c, user, id).await?;
        if !l.rights.edit {
            return Err(AppError::Forbidden);
        }
        (l.round, l.assessment, l.framework)
    };
    if !assessment.status.is_editable_by_unit() {
        return Err(locked_error(assessment.status));
    }
    if answers.is_empty() {
        return Err(AppError::field("answers", Invalid::Required));
    }
    let fed = fed_values(app, &framework, &assessment.unit_code, round.year).await?;
    let mut errors = Vec::new();
    let mut writes = Vec::new();
    for a in answers {
        let Ok((k, rule)) = leaf(&framework, &a.criterion) else {
            errors.push(FieldError::new(
                format!("{}.criterion", a.criterion.trim()),
                Invalid::BadFormat,
            ));
            continue;
        };
        let explanation = optional_text(
            &format!("{}.explanation", k.code),
            a.explanation.as_deref(),
            MAX_TEXT,
            &mut errors,
        );
        let given = Answer {
            points: a.points,
            yes: a.yes,
            value: a.value,
            numerator: a.numerator,
            denominator: a.denominator,
            choice: a
                .choice
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            target: a.target,
        };
        let answer = with_fed(given.clone(), k.indicator_id.and_then(|i| fed.get(&i)));
        match score(rule, k.max_points, &answer) {
            Ok(scored) => {
                let points = match scored {
                    Scored::Points(p) => Some(p),
                    Scored::Missing => None,
                };
                writes.push((
                    k.code.clone(),
                    json!(given).to_string(),
                    points,
                    explanation,
                ));
            }
            Err(e) => errors.push(FieldError {
                field: format!("{}.{}", k.code, e.field),
                ..e
            }),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = app.now();
    let mut c = app.write(caller).await?;
    // Re-read inside the transaction: a submission in between locks the answers.
    let current = rounds::assessment(&mut c, id).await?;
    if !current.status.is_editable_by_unit() {
        return Err(locked_error(current.status));
    }
    for (code, answer, points, explanation) in &writes {
        rounds::save_answer(
            &mut c,
            id,
            code,
            answer,
            *points,
            explanation.as_deref(),
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: "assessment.save",
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {}: {} tiêu chí",
            round.name,
            assessment.unit_name,
            writes.len()
        ),
        before: None,
        after: Some(json!(
            writes
                .iter()
                .map(|(code, answer, points, _)| json!({"criterion": code, "answer": answer, "points": points}))
                .collect::<Vec<_>>()
        )),
    })
    .await?;
    assessment_view(app, user, id).await
}

/// A link to a published document as evidence of a criterion.
pub async fn add_link(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    criterion: &str,
    url: &str,
    title: &str,
) -> AppResult<Evidence> {
    let url = url.trim();
    let mut errors = Vec::new();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.chars().count() > 1000
        || url.chars().any(char::is_whitespace)
    {
        errors.push(FieldError::new("url", Invalid::BadFormat));
    }
    let title =
        optional_text("title", Some(title), 300, &mut errors).unwrap_or_else(|| url.to_string());
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    add_evidence(app, caller, id, criterion, Some(url), None, &title).await
}

/// An evidence file: its type checked by name and content, stored once by its hash.
pub async fn attach_file(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    criterion: &str,
    file: impl Future<Output = AppResult<super::Upload>>,
) -> AppResult<Evidence> {
    // Refuse before reading or storing anything when the caller may not add evidence here.
    check_evidence_allowed(app, caller, id, criterion).await?;
    let super::Upload { name, bytes } = file.await?;
    let accepted = crate::files::accept(
        &app.settings.data_dir,
        app.settings.max_upload_bytes,
        &name,
        bytes,
    )
    .await?;
    add_evidence(
        app,
        caller,
        id,
        criterion,
        None,
        Some(&accepted),
        &accepted.name,
    )
    .await
}

async fn check_evidence_allowed(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    criterion: &str,
) -> AppResult<(Round, Assessment, String)> {
    let user = user_of(caller)?;
    let mut c = app.db.read().await?;
    let l = load(&mut c, user, id).await?;
    if !l.rights.edit {
        return Err(AppError::Forbidden);
    }
    if !l.assessment.status.is_editable_by_unit() {
        return Err(locked_error(l.assessment.status));
    }
    let (k, _) = leaf(&l.framework, criterion)?;
    Ok((l.round, l.assessment, k.code.clone()))
}

async fn add_evidence(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    criterion: &str,
    url: Option<&str>,
    file: Option<&crate::files::Accepted>,
    name: &str,
) -> AppResult<Evidence> {
    let (round, assessment, code) = check_evidence_allowed(app, caller, id, criterion).await?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let evidence_id = rounds::add_evidence(
        &mut c,
        id,
        &code,
        &NewEvidence {
            url,
            sha256: file.map(|f| f.sha256.as_str()),
            size: file.map(|f| f.size),
            kind: file.map(|f| f.kind.as_str()),
            original_name: name,
            uploaded_by: actor_id(caller),
            uploader_name: &caller.actor.name,
        },
        now,
    )
    .await?;
    let evidence = rounds::evidence(&mut c, evidence_id).await?;
    c.commit(NewEvent {
        action: "assessment.evidence",
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!("{} — {} — {code}: {name}", round.name, assessment.unit_name),
        before: None,
        after: Some(json!(evidence)),
    })
    .await?;
    Ok(evidence)
}

/// An evidence file and its bytes, for someone who may see its assessment.
pub async fn evidence_file(
    app: &App,
    user: &CurrentUser,
    evidence_id: i64,
) -> AppResult<(Evidence, Vec<u8>)> {
    let evidence = {
        let mut c = app.db.read().await?;
        let evidence = rounds::evidence(&mut c, evidence_id).await?;
        load(&mut c, user, evidence.assessment_id).await?;
        evidence
    };
    let Some(sha) = evidence.sha256.as_deref() else {
        return Err(AppError::NotFound);
    };
    let bytes = crate::files::read(&app.settings.data_dir, sha).await?;
    Ok((evidence, bytes))
}

// ---------------------------------------------------------------- the workflow

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActInput {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub comment: Option<String>,
    /// Reopen: the new last day for submission.
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Submit (the unit's head), reopen or close verification (the round's coordinator).
pub async fn act(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &ActInput,
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let Some(action) = AssessmentAction::parse(&input.action) else {
        return Err(AppError::field("action", Invalid::BadFormat));
    };
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        // Kept as Unicode NFC, like every text dxplan stores.
        .map(dxplan_domain::text::nfc);
    let comment = comment.as_deref();
    if comment.is_some_and(|c| c.chars().count() > MAX_TEXT) {
        return Err(AppError::field(
            "comment",
            Invalid::TooLong { max: MAX_TEXT },
        ));
    }
    let today = app.today();
    let now = app.now();
    let mut c = app.write(caller).await?;
    let l = load(&mut c, user, id).await?;
    let allowed = match action {
        AssessmentAction::Submit => l.rights.submit,
        AssessmentAction::Reopen | AssessmentAction::Finalize => l.rights.manage,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if input.version.is_some_and(|v| v != l.assessment.version) {
        return Err(AppError::VersionConflict);
    }
    let before = l.assessment.status;
    let Some(to) = action.apply(before) else {
        return Err(AppError::conflict(
            "illegal_transition",
            format!(
                "Không thể “{}” khi bản đánh giá đang ở trạng thái “{}”.",
                action.label(Lang::Vi),
                before.label(Lang::Vi)
            ),
            format!(
                "Cannot “{}” an assessment that is “{}”.",
                action.label(Lang::En),
                before.label(Lang::En)
            ),
        ));
    };
    match action {
        AssessmentAction::Submit => {
            if !submission_open(today, l.round.deadline, l.assessment.reopened_until) {
                return Err(AppError::conflict(
                    "deadline_passed",
                    format!(
                        "Đã quá hạn gửi tự đánh giá ({}). Đề nghị Sở TT&TT mở lại nếu cần.",
                        format_date(l.assessment.reopened_until.unwrap_or(l.round.deadline))
                    ),
                    format!(
                        "The deadline for self-assessments has passed ({}). Ask the coordinator to reopen it.",
                        format_date(l.assessment.reopened_until.unwrap_or(l.round.deadline))
                    ),
                ));
            }
            // What is submitted is what dxplan's figures say today: freeze them.
            drop(c);
            refresh_fed_points(app, &l).await?;
            c = app.write(caller).await?;
            // Someone may have moved it meanwhile: submit only what is still a draft.
            let current = rounds::assessment(&mut c, id).await?;
            if current.status != AssessmentStatus::Draft {
                return Err(locked_error(current.status));
            }
        }
        AssessmentAction::Reopen => {
            let until = input.until.as_deref().and_then(parse_date);
            match until {
                Some(d) if d >= today => {
                    rounds::set_reopened_until(&mut c, id, d, now).await?;
                }
                Some(_) => return Err(AppError::field("until", Invalid::NotAfterDue)),
                None => return Err(AppError::field("until", Invalid::BadDate)),
            }
            if comment.is_none() {
                return Err(AppError::field("comment", Invalid::Required));
            }
        }
        AssessmentAction::Finalize => {
            let scores = rounds::scores(&mut c, id).await?;
            let decided: HashSet<&str> = scores
                .iter()
                .filter(|s| s.verification.is_some())
                .map(|s| s.criterion_code.as_str())
                .collect();
            let undecided: Vec<&str> = l
                .framework
                .criteria
                .iter()
                .filter(|k| k.rule.is_some() && !decided.contains(k.code.as_str()))
                .map(|k| k.code.as_str())
                .collect();
            if !undecided.is_empty() {
                return Err(AppError::conflict(
                    "not_all_verified",
                    format!("Còn tiêu chí chưa thẩm định: {}.", undecided.join(", ")),
                    format!("Criteria not yet verified: {}.", undecided.join(", ")),
                ));
            }
            rounds::finalize_scores(&mut c, id, now).await?;
        }
    }
    rounds::set_status(&mut c, id, to, input.version, now).await?;
    rounds::add_event(
        &mut c,
        id,
        &rounds::NewEvent {
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action: action.as_str(),
            from_status: Some(before),
            to_status: Some(to),
            comment,
            ..Default::default()
        },
        now,
    )
    .await?;
    let after = rounds::assessment(&mut c, id).await?;
    if action == AssessmentAction::Submit {
        let lineage = units::lineage(&mut c, l.round.run_by_unit_id).await?;
        let coordinators = notifications::holders(&mut c, &lineage, &[Role::Coordinator]).await?;
        let subject = (l.round.name.as_str(), after.unit_name.as_str());
        notify(
            &mut c,
            &coordinators,
            NotificationKind::AssessmentSubmitted,
            subject,
            "",
            None,
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: &format!("assessment.{}", action.as_str()),
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {}: {} → {}",
            l.round.name,
            after.unit_name,
            before.as_str(),
            to.as_str()
        ),
        before: Some(json!({"status": before, "version": l.assessment.version})),
        after: Some(
            json!({"status": to, "version": after.version, "comment": comment,
            "reopened_until": after.reopened_until}),
        ),
    })
    .await?;
    assessment_view(app, user, id).await
}

/// Recomputes the points of indicator-fed criteria from today's figures (at submission).
async fn refresh_fed_points(app: &App, l: &Loaded) -> AppResult<()> {
    let fed = fed_values(app, &l.framework, &l.assessment.unit_code, l.round.year).await?;
    if fed.is_empty() {
        return Ok(());
    }
    // Part of the submission the caller is making, which records its event; the refresh
    // itself is no separate change of record.
    let mut c = app.housekeeping().await?;
    if !rounds::assessment(&mut c, l.assessment.id)
        .await?
        .status
        .is_editable_by_unit()
    {
        // Submitted meanwhile: its answers are no longer the unit's to change.
        return Ok(());
    }
    let scores = rounds::scores(&mut c, l.assessment.id).await?;
    let now = app.now();
    for k in &l.framework.criteria {
        let (Some(rule), Some(indicator)) = (&k.rule, k.indicator_id) else {
            continue;
        };
        let existing = scores.iter().find(|s| s.criterion_code == k.code);
        let given = answer_of(existing);
        let answer = with_fed(given.clone(), fed.get(&indicator));
        let points = match score(rule, k.max_points, &answer) {
            Ok(Scored::Points(p)) => Some(p),
            _ => None,
        };
        rounds::save_answer(
            &mut c,
            l.assessment.id,
            &k.code,
            &json!(given).to_string(),
            points,
            existing.and_then(|s| s.explanation.as_deref()),
            now,
        )
        .await?;
    }
    c.commit().await?;
    Ok(())
}

/// Points a verifier or a correction sets: given, a number, not negative, within the
/// criterion's maximum.
fn check_points(points: Option<f64>, max: f64, errors: &mut Vec<FieldError>) {
    let invalid = match points {
        None => Invalid::Required,
        Some(p) if !p.is_finite() => Invalid::BadNumber,
        Some(p) if p < 0.0 => Invalid::Negative,
        Some(p) if p > max + 1e-9 => Invalid::AboveMax {
            max: dxplan_domain::text::format_number(max, 2),
        },
        Some(_) => return,
    };
    errors.push(FieldError::new("points", invalid));
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    #[serde(default)]
    pub criterion: String,
    /// `accepted` or `adjusted`.
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub points: Option<f64>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A verifier's decision on one criterion: accept the unit's points, or adjust them with
/// a reason. The coordinator decides on any criterion; a sector department only on the
/// criteria assigned to it.
pub async fn verify(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &VerifyInput,
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let l = load(&mut c, user, id).await?;
    let (k, _) = leaf(&l.framework, &input.criterion)?;
    if !l.rights.verify_codes.contains(&k.code) {
        return Err(AppError::Forbidden);
    }
    if !l.assessment.status.is_under_verification() {
        return Err(AppError::conflict(
            "not_under_verification",
            format!(
                "Bản đánh giá đang ở trạng thái “{}”: chưa (hoặc không còn) thẩm định.",
                l.assessment.status.label(Lang::Vi)
            ),
            format!(
                "The assessment is “{}”: not open for verification.",
                l.assessment.status.label(Lang::En)
            ),
        ));
    }
    let Some(decision) = Verification::parse(&input.decision) else {
        return Err(AppError::field("decision", Invalid::BadFormat));
    };
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        // Kept as Unicode NFC, like every text dxplan stores.
        .map(dxplan_domain::text::nfc);
    let comment = comment.as_deref();
    let existing = rounds::scores(&mut c, id)
        .await?
        .into_iter()
        .find(|s| s.criterion_code == k.code);
    let self_points = existing.as_ref().and_then(|s| s.self_points);
    let points = match decision {
        Verification::Accepted => self_points.unwrap_or(0.0),
        Verification::Adjusted => {
            let mut errors = Vec::new();
            check_points(input.points, k.max_points, &mut errors);
            if comment.is_none() {
                errors.push(FieldError::new("comment", Invalid::Required));
            }
            if comment.is_some_and(|c| c.chars().count() > MAX_TEXT) {
                errors.push(FieldError::new(
                    "comment",
                    Invalid::TooLong { max: MAX_TEXT },
                ));
            }
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            input.points.map(round2).unwrap_or(0.0)
        }
    };
    rounds::verify(
        &mut c,
        id,
        &k.code,
        &VerificationWrite {
            verification: decision.as_str(),
            points,
            comment,
            verified_by: &caller.actor.name,
        },
        now,
    )
    .await?;
    let before = l.assessment.status;
    if before == AssessmentStatus::SelfAssessed {
        rounds::set_status(&mut c, id, AssessmentStatus::Verifying, None, now).await?;
    }
    rounds::add_event(
        &mut c,
        id,
        &rounds::NewEvent {
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action: decision.as_str(),
            from_status: Some(before),
            to_status: Some(AssessmentStatus::Verifying),
            criterion_code: Some(&k.code),
            points_before: self_points,
            points_after: Some(points),
            comment,
            ..Default::default()
        },
        now,
    )
    .await?;
    if decision == Verification::Adjusted {
        let lineage = units::lineage(&mut c, l.assessment.unit_id).await?;
        let staff = notifications::holders(&mut c, &lineage, &[Role::UnitApprover]).await?;
        let subject = (l.round.name.as_str(), l.assessment.unit_name.as_str());
        let criterion = format!("{} {}", k.code, k.name);
        notify(
            &mut c,
            &staff,
            NotificationKind::AssessmentAdjusted,
            subject,
            &criterion,
            None,
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: &format!("assessment.verify.{}", decision.as_str()),
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {} — {}: {} → {}",
            l.round.name,
            l.assessment.unit_name,
            k.code,
            self_points.map_or("–".into(), |p| p.to_string()),
            points
        ),
        before: Some(json!({"self_points": self_points})),
        after: Some(json!({"decision": decision, "points": points, "comment": comment})),
    })
    .await?;
    assessment_view(app, user, id).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    #[serde(default)]
    pub criterion: String,
    #[serde(default)]
    pub response: String,
}

/// The unit's one response (giải trình) to the verifier's adjustments, before the result
/// is final: the unit's head sends it once, on adjusted criteria only.
pub async fn respond(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    responses: &[ResponseInput],
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let l = load(&mut c, user, id).await?;
    if !l.rights.submit {
        return Err(AppError::Forbidden);
    }
    if l.assessment.status != AssessmentStatus::Verifying {
        return Err(locked_error(l.assessment.status));
    }
    let scores = rounds::scores(&mut c, id).await?;
    let mut errors = Vec::new();
    let mut writes = Vec::new();
    for r in responses {
        let code = r.criterion.trim();
        let adjusted = scores
            .iter()
            .any(|s| s.criterion_code == code && s.verification.as_deref() == Some("adjusted"));
        if !adjusted {
            errors.push(FieldError::new(
                format!("{code}.criterion"),
                Invalid::BadFormat,
            ));
            continue;
        }
        let text = required_text(
            &format!("{code}.response"),
            &r.response,
            MAX_TEXT,
            &mut errors,
        );
        writes.push((code.to_string(), text));
    }
    if writes.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("response", Invalid::Required));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if !rounds::mark_responded(&mut c, id, now).await? {
        return Err(AppError::conflict(
            "already_responded",
            "Đơn vị đã giải trình một lần cho vòng đánh giá này.",
            "The unit has already responded once in this round.",
        ));
    }
    for (code, text) in &writes {
        rounds::set_response(&mut c, id, code, text, now).await?;
        rounds::add_event(
            &mut c,
            id,
            &rounds::NewEvent {
                actor_id: actor_id(caller),
                actor_name: &caller.actor.name,
                action: "respond",
                criterion_code: Some(code),
                comment: Some(text),
                ..Default::default()
            },
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: "assessment.respond",
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {}: giải trình {} tiêu chí",
            l.round.name,
            l.assessment.unit_name,
            writes.len()
        ),
        before: None,
        after: Some(json!(writes)),
    })
    .await?;
    assessment_view(app, user, id).await
}

/// Publishes a round: every assessment verified, all published at once.
pub async fn publish(app: &App, caller: &Caller<'_>, round_id: i64) -> AppResult<Round> {
    let now = app.now();
    let mut c = app.write(caller).await?;
    let round = rounds::round(&mut c, round_id).await?;
    let lineage = units::lineage(&mut c, round.run_by_unit_id).await?;
    caller.require(Action::ReviewWork, Target::Unit(&lineage))?;
    if round.is_published() {
        return Err(AppError::conflict(
            "already_published",
            "Vòng đánh giá đã được công bố.",
            "The round is already published.",
        ));
    }
    let assessments = rounds::assessments_of_round(&mut c, round_id).await?;
    let pending: Vec<&str> = assessments
        .iter()
        .filter(|a| a.status != AssessmentStatus::Verified)
        .map(|a| a.unit_name.as_str())
        .collect();
    if !pending.is_empty() {
        return Err(AppError::conflict(
            "not_all_verified",
            format!("Chưa chốt thẩm định: {}.", pending.join(", ")),
            format!("Verification not closed for: {}.", pending.join(", ")),
        ));
    }
    rounds::publish_round(&mut c, round_id, now).await?;
    for a in &assessments {
        rounds::add_event(
            &mut c,
            a.id,
            &rounds::NewEvent {
                actor_id: actor_id(caller),
                actor_name: &caller.actor.name,
                action: "publish",
                from_status: Some(AssessmentStatus::Verified),
                to_status: Some(AssessmentStatus::Published),
                ..Default::default()
            },
            now,
        )
        .await?;
    }
    let ids: Vec<i64> = assessments.iter().map(|a| a.unit_id).collect();
    let staff = notifications::holders_of_units(&mut c, &ids, &UNIT_STAFF).await?;
    for unit in &ids {
        let recipients = staff.get(unit).map(Vec::as_slice).unwrap_or_default();
        let subject = (round.name.as_str(), round.framework_name.as_str());
        let key = format!("assessment-published:{round_id}:{unit}");
        notify(
            &mut c,
            recipients,
            NotificationKind::AssessmentPublished,
            subject,
            "",
            Some(&key),
            now,
        )
        .await?;
    }
    let after = rounds::round(&mut c, round_id).await?;
    super::webhooks::emit(
        &mut c,
        dxplan_domain::webhook::EventType::AssessmentPublished,
        json!({"round": {
            "id": after.id, "name": after.name, "year": after.year,
            "framework": after.framework_name, "units": assessments.len(),
        }}),
        now,
    )
    .await?;
    c.commit(NewEvent {
        action: "index_round.publish",
        entity_type: "index_round",
        entity_id: Some(round_id.to_string()),
        summary: format!("{}: {} đơn vị", round.name, assessments.len()),
        before: Some(json!({"status": round.status})),
        after: Some(json!({"status": after.status, "published_at": after.published_at})),
    })
    .await?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    #[serde(default)]
    pub criterion: String,
    #[serde(default)]
    pub points: Option<f64>,
    #[serde(default)]
    pub comment: String,
}

/// A correction of a published result: a new revision, with its reason, audited. The
/// published record is otherwise locked.
pub async fn correct(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &CorrectionInput,
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let l = load(&mut c, user, id).await?;
    if !l.rights.manage {
        return Err(AppError::Forbidden);
    }
    if l.assessment.status != AssessmentStatus::Published {
        return Err(AppError::conflict(
            "not_published",
            "Chỉ đính chính kết quả đã công bố; trước đó hãy thẩm định lại tiêu chí.",
            "Only published results are corrected; before that, verify the criterion again.",
        ));
    }
    let (k, _) = leaf(&l.framework, &input.criterion)?;
    let mut errors = Vec::new();
    let comment = required_text("comment", &input.comment, MAX_TEXT, &mut errors);
    check_points(input.points, k.max_points, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let points = input.points.map(round2).unwrap_or(0.0);
    let before = rounds::scores(&mut c, id)
        .await?
        .into_iter()
        .find(|s| s.criterion_code == k.code)
        .and_then(|s| s.final_points);
    rounds::set_final_points(&mut c, id, &k.code, points, now).await?;
    let revision = rounds::next_revision(&mut c, id, now).await?;
    rounds::add_event(
        &mut c,
        id,
        &rounds::NewEvent {
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action: "correct",
            criterion_code: Some(&k.code),
            points_before: before,
            points_after: Some(points),
            revision,
            comment: Some(&comment),
            ..Default::default()
        },
        now,
    )
    .await?;
    c.commit(NewEvent {
        action: "assessment.correct",
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {} — {}: lần đính chính {revision}",
            l.round.name, l.assessment.unit_name, k.code
        ),
        before: Some(json!({"final_points": before})),
        after: Some(json!({"final_points": points, "revision": revision, "comment": comment})),
    })
    .await?;
    assessment_view(app, user, id).await
}

// ---------------------------------------------------------------- results

/// A round's results: the ranking with pillars, index values, change since last year and
/// where each unit lost the most points, with the tasks linked to those criteria.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultsView {
    pub round: Round,
    pub pillars: Vec<(String, String, f64)>,
    pub max_points: f64,
    pub results: Vec<UnitResult>,
    pub previous_round: Option<Round>,
    /// Tasks linked to each criterion (by code), for the lost-points lists.
    pub tasks_by_criterion: HashMap<String, Vec<rounds::LinkedCriterion>>,
    /// Whether the numbers are final (published) or provisional (self-assessed).
    pub published: bool,
    /// Whether the ranking is shown in today's units (`structure=now`): rows of units
    /// that continue the round's units average their results (`carried_from`).
    pub as_it_is_now: bool,
}

/// Which structure a round's results are shown in.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ResultsQuery {
    /// `then` (the default): the units assessed in the round; `now`: today's units, each
    /// unit that continues units of the round (a merger, a split) with the average of
    /// their results, as the national DTI compared merged provinces.
    #[serde(default)]
    pub structure: Option<String>,
}

fn final_points_of(scores: &[Score], assessments: &[Assessment]) -> Vec<UnitPoints> {
    let mut by_assessment: HashMap<i64, HashMap<String, f64>> = HashMap::new();
    for s in scores {
        if let Some(p) = s.final_points {
            by_assessment
                .entry(s.assessment_id)
                .or_default()
                .insert(s.criterion_code.clone(), p);
        }
    }
    assessments
        .iter()
        .map(|a| UnitPoints {
            unit_id: a.unit_id,
            unit_name: a.unit_name.clone(),
            leaf_points: by_assessment.remove(&a.id).unwrap_or_default(),
        })
        .collect()
}

fn domain_criteria(framework: &FrameworkView) -> Vec<Criterion> {
    framework
        .criteria
        .iter()
        .map(|k| Criterion {
            code: k.code.clone(),
            parent: k.parent.clone(),
            name: k.name.clone(),
            max_points: k.max_points,
            rule: k.rule.clone(),
        })
        .collect()
}

/// Units' short names, which label an average of several ("Sở KH&CN và Sở TT&TT").
async fn short_names(c: &mut Conn, ids: &[i64]) -> AppResult<HashMap<i64, Option<String>>> {
    Ok(units::by_ids(c, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.short_name))
        .collect())
}

/// Results of a round. The public (no user) sees only published rounds; coordinators of
/// the round see the provisional standing before publication.
pub async fn round_results(
    app: &App,
    user: Option<&CurrentUser>,
    round_id: i64,
    q: &ResultsQuery,
) -> AppResult<ResultsView> {
    let structure = Structure::parse(q.structure.as_deref(), Structure::AsItWas)?;
    let mut c = app.db.read().await?;
    let round = rounds::round(&mut c, round_id).await?;
    if !round.is_published() {
        let Some(user) = user else {
            return Err(AppError::NotFound);
        };
        let lineage = units::lineage(&mut c, round.run_by_unit_id).await?;
        if !user.may(Action::ViewWork, Target::Unit(&lineage)) {
            return Err(AppError::Forbidden);
        }
    }
    let framework = framework_view(&mut c, round.framework_id).await?;
    let criteria = domain_criteria(&framework);
    let assessments: Vec<Assessment> = rounds::assessments_of_round(&mut c, round_id)
        .await?
        .into_iter()
        .filter(|a| !round.is_published() || a.status == AssessmentStatus::Published)
        .collect();
    let scores = rounds::scores_of_round(&mut c, round_id).await?;
    let units_points = if round.is_published() {
        final_points_of(&scores, &assessments)
    } else {
        // Before publication: final where verified, else what the unit claimed.
        let mut provisional = scores.clone();
        for s in &mut provisional {
            s.final_points = s.final_points.or(s.verified_points).or(s.self_points);
        }
        final_points_of(&provisional, &assessments)
    };
    let previous_round = rounds::previous_published(&mut c, &round).await?;
    // Who continues whom: for last year's values and for the ranking in today's units.
    let lineage = if previous_round.is_some() || structure == Structure::AsItIsNow {
        rounds::predecessors_by_unit(&mut c).await?
    } else {
        HashMap::new()
    };
    let mut previous = HashMap::new();
    if let Some(p) = &previous_round {
        let p_framework = framework_view(&mut c, p.framework_id).await?;
        let p_assessments = rounds::assessments_of_round(&mut c, p.id).await?;
        let p_scores = rounds::scores_of_round(&mut c, p.id).await?;
        let p_ids: Vec<i64> = p_assessments.iter().map(|a| a.unit_id).collect();
        let short_names = short_names(&mut c, &p_ids).await?;
        let last_year: HashMap<i64, LastYear> = results(
            &domain_criteria(&p_framework),
            &final_points_of(&p_scores, &p_assessments),
            &HashMap::new(),
        )
        .iter()
        .map(|r| {
            let mut l = LastYear::of(r);
            l.short_name = short_names.get(&r.unit_id).cloned().flatten();
            (r.unit_id, l)
        })
        .collect();
        let ids: Vec<i64> = units_points.iter().map(|u| u.unit_id).collect();
        previous = previous_values(&ids, &last_year, &lineage, p.year);
    }
    let mut out = results(&criteria, &units_points, &previous);
    if structure == Structure::AsItIsNow {
        let now: Vec<(i64, String)> = units::valid_on(&mut c, app.today())
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let ids: Vec<i64> = out.iter().map(|r| r.unit_id).collect();
        let short_names = short_names(&mut c, &ids).await?;
        out = results_as_now(&out, round.year, &now, &lineage, &short_names);
    }
    // Which work moves the index: for the round's own readers every linked task; for
    // anyone else only agreed tasks (a draft's title is its unit's business); for the
    // public, none.
    let sees_drafts = match user {
        Some(u) => {
            let lineage = units::lineage(&mut c, round.run_by_unit_id).await?;
            u.may(Action::ViewWork, Target::Unit(&lineage))
        }
        None => false,
    };
    let mut tasks_by_criterion: HashMap<String, Vec<rounds::LinkedCriterion>> = HashMap::new();
    let links = if user.is_some() {
        rounds::links_of_framework(&mut c, round.framework_id).await?
    } else {
        Vec::new()
    };
    for link in links.into_iter().filter(|l| {
        sees_drafts
            || dxplan_domain::task::TaskStatus::parse(&l.task_status)
                .is_some_and(|s| s.is_committed())
    }) {
        tasks_by_criterion
            .entry(link.criterion_code.clone())
            .or_default()
            .push(link);
    }
    Ok(ResultsView {
        pillars: framework
            .criteria
            .iter()
            .filter(|k| k.parent.is_none())
            .map(|k| (k.code.clone(), k.name.clone(), k.max_points))
            .collect(),
        max_points: framework.max_points,
        published: round.is_published(),
        as_it_is_now: structure == Structure::AsItIsNow,
        round,
        results: out,
        previous_round,
        tasks_by_criterion,
    })
}

/// Published rounds, for the public results page.
pub async fn published_rounds(app: &App) -> AppResult<Vec<Round>> {
    let mut c = app.db.read().await?;
    Ok(rounds::rounds(&mut c)
        .await?
        .into_iter()
        .filter(Round::is_published)
        .collect())
}

// ---------------------------------------------------------------- tasks ↔ criteria

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CriterionRef {
    #[serde(default)]
    pub framework_id: i64,
    #[serde(default)]
    pub code: String,
}

/// Names the criteria a task aims to improve (replacing the previous list).
pub async fn link_task(
    app: &App,
    caller: &Caller<'_>,
    task_id: i64,
    criteria: &[CriterionRef],
) -> AppResult<Vec<rounds::LinkedCriterion>> {
    let mut c = app.write(caller).await?;
    let task = dxplan_store::tasks::get(&mut c, task_id).await?;
    let lineage = units::lineage(&mut c, task.lead_unit_id).await?;
    caller.require(Action::EditUnitWork, Target::Unit(&lineage))?;
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for (i, k) in criteria.iter().enumerate() {
        match rounds::criterion_id(&mut c, k.framework_id, k.code.trim()).await? {
            Some(id) => ids.push(id),
            None => errors.push(FieldError::new(format!("criteria.{i}"), Invalid::BadFormat)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let before = rounds::criteria_of_task(&mut c, task_id).await?;
    rounds::set_task_criteria(&mut c, task_id, &ids).await?;
    let after = rounds::criteria_of_task(&mut c, task_id).await?;
    c.commit(NewEvent {
        action: "task.criteria",
        entity_type: "task",
        entity_id: Some(task_id.to_string()),
        summary: format!("{}: {} tiêu chí chỉ số", task.code, after.len()),
        before: Some(json!(
            before
                .iter()
                .map(|l| (&l.framework_code, &l.criterion_code))
                .collect::<Vec<_>>()
        )),
        after: Some(json!(
            after
                .iter()
                .map(|l| (&l.framework_code, &l.criterion_code))
                .collect::<Vec<_>>()
        )),
    })
    .await?;
    Ok(after)
}

pub async fn task_criteria(app: &App, task_id: i64) -> AppResult<Vec<rounds::LinkedCriterion>> {
    let mut c = app.db.read().await?;
    Ok(rounds::criteria_of_task(&mut c, task_id).await?)
}

/// For a unit's page: its assessments, the criteria its tasks aim at, and the criteria
/// of its latest framework that its reported indicators feed.
pub struct UnitIndex {
    /// The unit's own assessments and those of the units it continues, newest first.
    pub assessments: Vec<(Assessment, Round)>,
    pub linked: Vec<rounds::LinkedCriterion>,
    /// (criterion code, criterion name, indicator code) of the latest assessment.
    pub fed: Vec<(String, String, String)>,
}

pub async fn unit_index(app: &App, user: &CurrentUser, unit_id: i64) -> AppResult<UnitIndex> {
    let mut c = app.db.read().await?;
    let lineage = units::lineage(&mut c, unit_id).await?;
    user.require(Action::ViewWork, Target::Unit(&lineage))?;
    // Rounds are few: one read of them all rather than one per assessment.
    let all_rounds: HashMap<i64, Round> = rounds::rounds(&mut c)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let assessments: Vec<(Assessment, Round)> = rounds::assessments_with_history(&mut c, unit_id)
        .await?
        .into_iter()
        .filter_map(|a| {
            let r = all_rounds.get(&a.round_id)?.clone();
            Some((a, r))
        })
        .collect();
    let linked = rounds::links_of_unit(&mut c, unit_id).await?;
    let mut fed = Vec::new();
    if let Some((_, latest)) = assessments.iter().find(|(a, _)| a.unit_id == unit_id) {
        let mut codes: HashMap<i64, String> = HashMap::new();
        for k in index_frameworks::criteria(&mut c, latest.framework_id).await? {
            let Some(indicator) = k.indicator_id else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(e) = codes.entry(indicator) {
                e.insert(dxplan_store::indicators::get(&mut c, indicator).await?.code);
            }
            fed.push((k.code, k.name, codes[&indicator].clone()));
        }
    }
    Ok(UnitIndex {
        assessments,
        linked,
        fed,
    })
}

/// A due date as a form shows it.
pub fn date_input(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The results as a workbook (`xlsx`) or a report (`pdf`): content type, file name, bytes.
pub async fn results_document(
    app: &App,
    v: ResultsView,
    ext: &str,
    lang: Lang,
) -> AppResult<(&'static str, String, Vec<u8>)> {
    // A ranking in today's units says so in its title: its rows are not the round's.
    let title = if v.as_it_is_now {
        format!(
            "{} — {}",
            v.round.name,
            lang.pick("theo đơn vị hiện nay", "in today's units")
        )
    } else {
        v.round.name.clone()
    };
    let year = v.round.year;
    let published = v.published;
    // Issued by the unit running the round, dated the day the results were published.
    let day = v.round.published_at.map_or(app.today(), |t| t.date());
    let letterhead = crate::issuer::report_letterhead(app, v.round.run_by_unit_id, day).await?;
    let title_for_file = title.clone();
    let results = v.results;
    match ext {
        "xlsx" => {
            let bytes = tokio::task::spawn_blocking(move || {
                dxplan_report::index_results::results_xlsx(&title, &results, lang)
                    .map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| AppError::internal(e.to_string()))?
            .map_err(AppError::internal)?;
            Ok((
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("Kết quả {title_for_file}.xlsx"),
                bytes,
            ))
        }
        "pdf" => {
            let bytes = tokio::task::spawn_blocking(move || {
                let report = dxplan_report::index_results::results_report(
                    &title, year, published, &results, letterhead,
                );
                dxplan_pdf::progress_pdf(&report).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| AppError::internal(e.to_string()))?
            .map_err(AppError::internal)?;
            Ok((
                "application/pdf",
                format!("Kết quả {title_for_file}.pdf"),
                bytes,
            ))
        }
        _ => Err(AppError::NotFound),
    }
}
