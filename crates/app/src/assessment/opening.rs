//! Opening a round: a draft assessment for every unit the framework scores.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;
use time::Date;

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::notification::NotificationKind;
use dxplan_domain::text::{format_date, parse_date};
use dxplan_domain::validation::required_text;
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::index_rounds::{self as rounds, RoundWrite};
use dxplan_store::notifications::{self};
use dxplan_store::{index_frameworks, units};

pub use dxplan_store::index_rounds::Round;

use super::{UNIT_STAFF, notify};
use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};

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
        Some(text) => crate::pickers::find_named(&mut c, text, at).await?.ok(),
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
        let mut names = crate::pickers::UnitNames::default();
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
