//! Tasks and the criteria they aim to improve; a unit's index at a glance.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::json;

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::index_rounds::{self as rounds, Assessment};
use dxplan_store::{index_frameworks, units};

pub use dxplan_store::index_rounds::Round;

use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

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
