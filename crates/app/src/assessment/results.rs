//! Results: the ranking with pillars, index values and change since last year, as a
//! page, a workbook or a report.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use dxplan_domain::Lang;
use dxplan_domain::assessment::{
    AssessmentStatus, LastYear, UnitPoints, UnitResult, previous_values, results, results_as_now,
};
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::scoring::Criterion;
use dxplan_store::index_rounds::{self as rounds, Assessment, Score};
use dxplan_store::{Conn, units};

pub use dxplan_store::index_rounds::Round;

use super::rights::framework_view;
use crate::App;
use crate::Structure;
use crate::error::{AppError, AppResult};
use crate::index::FrameworkView;
use crate::principal::CurrentUser;

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
