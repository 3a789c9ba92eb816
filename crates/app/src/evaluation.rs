//! The Decree 335/2025/NĐ-CP figures of a month or a quarter, for each unit and each
//! officer the reader may see, and the two facts the coordinator and the unit add to them:
//! an exempted delay (an objective cause, with its reason) and the officer who answers for
//! a task. The evaluation software of the province reads the same through the API.

use std::collections::HashMap;

use dxplan_domain::Invalid;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::evaluation::Figures;
use dxplan_domain::period::Period;
use dxplan_store::audit::NewEvent;
use dxplan_store::tasks::{self, TaskFilter};
use dxplan_store::units;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
use crate::tasks::{Task, TaskQuery};
use crate::{App, Caller};

/// What the figures are asked for: a month (`2026-11`) or a quarter (`2026Q4`), the
/// current quarter when absent; and a unit (its subtree) by name or code.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct EvaluationQuery {
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    /// One plan's products only (every plan's when absent).
    #[serde(default)]
    pub plan: Option<String>,
}

/// A unit's or an officer's figures, with the rates Decree 335 scores.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scored {
    #[serde(flatten)]
    pub figures: Figures,
    /// Products delivered of those due, in percent.
    pub quantity: Option<f64>,
    /// Delivered products accepted at the first report, in percent.
    pub quality: Option<f64>,
    /// Mean progress points of the products judged (75 for each unexempted delay).
    pub progress: Option<f64>,
}

impl From<Figures> for Scored {
    fn from(figures: Figures) -> Scored {
        Scored {
            quantity: figures.quantity(),
            quality: figures.quality(),
            progress: figures.progress(),
            figures,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitScore {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(flatten)]
    pub score: Scored,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerScore {
    pub officer_id: i64,
    pub officer_name: String,
    /// The unit whose tasks the officer answers for.
    pub unit_name: String,
    #[serde(flatten)]
    pub score: Scored,
}

/// The figures of one period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    /// `2026Q4` or `2026-11`.
    pub period: String,
    pub period_label: String,
    pub starts: Date,
    pub ends: Date,
    /// The day the figures are read as of: the period's last day, or today while it runs.
    pub as_of: Date,
    pub total: Scored,
    /// Units leading products due in the period, by name.
    pub units: Vec<UnitScore>,
    /// Officers named on those products, by name.
    pub officers: Vec<OfficerScore>,
}

fn period_of(app: &App, text: Option<&str>) -> AppResult<Period> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Period::containing(app.today(), true)),
        Some(text) => match Period::read(text) {
            Some(p @ (Period::Month(..) | Period::Quarter(..))) => Ok(p),
            _ => Err(AppError::field("period", Invalid::BadPeriod)),
        },
    }
}

/// The figures of a period for the units and officers the user may see.
pub async fn evaluation(
    app: &App,
    user: &CurrentUser,
    q: &EvaluationQuery,
) -> AppResult<Evaluation> {
    user.require_somewhere(Action::ViewWork)?;
    let period = period_of(app, q.period.as_deref())?;
    let as_of = app.today().min(period.end());
    let plan_id = match q.plan.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(p) => Some(
            p.parse::<i64>()
                .map_err(|_| AppError::field("plan", Invalid::BadFormat))?,
        ),
    };
    let query = TaskQuery {
        filter: TaskFilter {
            plan_id,
            due_after: Some(period.start()),
            due_before: Some(period.end()),
            ..Default::default()
        },
        unit: q.unit.clone(),
        at: None,
    };
    let filter = crate::tasks::filter_for(app, user, query).await?;
    let mut c = app.db.read().await?;
    let facts = tasks::evaluation_facts(&mut c, &filter).await?;
    let mut total = Figures::default();
    let mut by_unit: HashMap<i64, Figures> = HashMap::new();
    let mut by_officer: HashMap<i64, (String, i64, Figures)> = HashMap::new();
    for fact in &facts {
        total.add(&fact.product, as_of);
        by_unit
            .entry(fact.lead_unit_id)
            .or_default()
            .add(&fact.product, as_of);
        if let Some(officer) = fact.officer_id {
            by_officer
                .entry(officer)
                .or_insert_with(|| {
                    (
                        fact.officer_name.clone().unwrap_or_default(),
                        fact.lead_unit_id,
                        Figures::default(),
                    )
                })
                .2
                .add(&fact.product, as_of);
        }
    }
    let ids: Vec<i64> = by_unit.keys().copied().collect();
    let names: HashMap<i64, units::Unit> = units::by_ids(&mut c, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut unit_scores: Vec<UnitScore> = by_unit
        .into_iter()
        .filter(|(_, f)| f.assigned > 0)
        .filter_map(|(id, f)| {
            let u = names.get(&id)?;
            Some(UnitScore {
                unit_id: id,
                unit_code: u.code.clone(),
                unit_name: u.name.clone(),
                score: f.into(),
            })
        })
        .collect();
    unit_scores.sort_by(|a, b| a.unit_name.cmp(&b.unit_name));
    let mut officers: Vec<OfficerScore> = by_officer
        .into_iter()
        .filter(|(_, (_, _, f))| f.assigned > 0)
        .map(|(id, (name, unit, f))| OfficerScore {
            officer_id: id,
            officer_name: name,
            unit_name: names.get(&unit).map(|u| u.name.clone()).unwrap_or_default(),
            score: f.into(),
        })
        .collect();
    officers.sort_by(|a, b| {
        a.unit_name
            .cmp(&b.unit_name)
            .then(a.officer_name.cmp(&b.officer_name))
    });
    Ok(Evaluation {
        period: period.to_string(),
        period_label: period.label(dxplan_domain::Lang::Vi),
        starts: period.start(),
        ends: period.end(),
        as_of,
        total: total.into(),
        units: unit_scores,
        officers,
    })
}

/// Records that a late task's delay had an objective cause, as the coordinator confirms
/// it: the delay then costs the unit nothing on progress. Only for a task that is late.
pub async fn exempt_delay(
    app: &App,
    caller: &Caller<'_>,
    task_id: i64,
    reason: &str,
) -> AppResult<Task> {
    let reason = reason.trim();
    let mut c = app.write(caller).await?;
    let before = tasks::get(&mut c, task_id).await?;
    let lineage = units::lineage(&mut c, before.lead_unit_id).await?;
    caller.require(Action::ReviewWork, Target::Unit(&lineage))?;
    if reason.is_empty() {
        return Err(AppError::field("reason", Invalid::Required));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::field("reason", Invalid::TooLong { max: 1000 }));
    }
    let today = app.today();
    let late = match before.completed_on {
        Some(done) => done > before.due_date,
        None => !before.status.is_closed() && today > before.due_date,
    };
    if !late {
        return Err(AppError::conflict(
            "not_late",
            "Nhiệm vụ không chậm tiến độ: không có gì để miễn trừ.",
            "The task is not late: there is no delay to exempt.",
        ));
    }
    let now = app.now();
    tasks::set_delay_exemption(&mut c, task_id, Some((reason, &caller.actor.name)), now).await?;
    crate::tasks::note_on_task(&mut c, caller, task_id, "exempt_delay", Some(reason), now).await?;
    let after = tasks::get(&mut c, task_id).await?;
    c.commit(NewEvent {
        action: "task.exempt_delay",
        entity_type: "task",
        entity_id: Some(task_id.to_string()),
        summary: format!("{} {}: {reason}", after.code, after.title),
        before: Some(json!({"delay_exempt_reason": before.delay_exempt_reason})),
        after: Some(json!({"delay_exempt_reason": after.delay_exempt_reason})),
    })
    .await?;
    Ok(after)
}

/// Names the officer who answers for a task (a person with a role on its lead unit), or
/// none. The unit's head and the plan's coordinator decide it.
pub async fn set_officer(
    app: &App,
    caller: &Caller<'_>,
    task_id: i64,
    officer: Option<&str>,
) -> AppResult<Task> {
    let mut c = app.write(caller).await?;
    let before = tasks::get(&mut c, task_id).await?;
    let lineage = units::lineage(&mut c, before.lead_unit_id).await?;
    let target = Target::Unit(&lineage);
    if caller.user.is_some_and(|u| {
        !u.may(Action::SubmitUnitWork, target) && !u.may(Action::ManagePlans, target)
    }) {
        return Err(AppError::Forbidden);
    }
    let officer = match officer.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(name) if name.chars().count() > 200 => {
            return Err(AppError::field("officer", Invalid::TooLong { max: 200 }));
        }
        Some(name) => {
            let staff = dxplan_store::users::staff_of(&mut c, before.lead_unit_id).await?;
            let folded = dxplan_domain::text::fold(name);
            match staff.iter().find(|(_, username, display)| {
                username == name || dxplan_domain::text::fold(display) == folded
            }) {
                Some((id, _, _)) => Some(*id),
                None => return Err(AppError::field("officer", Invalid::NotOffered)),
            }
        }
    };
    let now = app.now();
    tasks::set_officer(&mut c, task_id, officer, now).await?;
    let after = tasks::get(&mut c, task_id).await?;
    crate::tasks::note_on_task(
        &mut c,
        caller,
        task_id,
        "set_officer",
        after.officer_name.as_deref(),
        now,
    )
    .await?;
    c.commit(NewEvent {
        action: "task.set_officer",
        entity_type: "task",
        entity_id: Some(task_id.to_string()),
        summary: format!(
            "{} {}: {}",
            after.code,
            after.title,
            after.officer_name.as_deref().unwrap_or("—")
        ),
        before: Some(json!({"officer_id": before.officer_id})),
        after: Some(json!({"officer_id": after.officer_id})),
    })
    .await?;
    Ok(after)
}

/// The people who may answer for a task of the unit: its staff, by name.
pub async fn officer_choices(app: &App, task: &Task) -> AppResult<Vec<String>> {
    let mut c = app.db.read().await?;
    Ok(dxplan_store::users::staff_of(&mut c, task.lead_unit_id)
        .await?
        .into_iter()
        .map(|(_, _, display)| display)
        .collect())
}
