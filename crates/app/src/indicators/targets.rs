//! Targets: set per unit and period, copied from one year to the next, split from a
//! parent down to its children.

use std::collections::HashMap;

use dxplan_domain::Invalid;
use dxplan_domain::auth::Action;
use dxplan_domain::period::Period;
use dxplan_store::audit::NewEvent;
use dxplan_store::indicators::{self, Indicator};
use dxplan_store::units;
use serde::Deserialize;
use serde_json::json;

use super::catalogue::require_catalogue;
use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// One target as the grid page and the API name it: the indicator and the unit (valid
/// today) by code.
#[derive(Debug, Clone)]
pub struct TargetCell {
    pub indicator: String,
    pub unit: String,
    pub period: Period,
    pub value: f64,
}

/// Sets targets, all or none: each for a unit within the caller's scope (a district's
/// coordinator sets its district's, not a sibling's or the province's). The one way
/// targets are set, whichever door they come through.
pub async fn set_targets(
    app: &App,
    caller: &Caller<'_>,
    cells: &[TargetCell],
    summary: String,
) -> AppResult<()> {
    // Whoever sets targets nowhere is refused before anything is read.
    caller.require_somewhere(Action::ManagePlans)?;
    if cells.iter().any(|t| !t.value.is_finite() || t.value < 0.0) {
        return Err(AppError::field("value", Invalid::Negative));
    }
    let mut c = app.write(caller).await?;
    // Units and the catalogue read once, not once per cell.
    let all_units = units::valid_on(&mut c, app.today()).await?;
    let unit_ids: HashMap<&str, i64> = all_units.iter().map(|u| (u.code.as_str(), u.id)).collect();
    let catalogue = indicators::list(&mut c, None, None).await?;
    let indicator_ids: HashMap<&str, i64> =
        catalogue.iter().map(|i| (i.code.as_str(), i.id)).collect();
    let mut resolved = Vec::with_capacity(cells.len());
    for t in cells {
        let indicator = *indicator_ids
            .get(t.indicator.as_str())
            .ok_or_else(|| AppError::field("indicator", Invalid::UnknownIndicator))?;
        let unit = *unit_ids
            .get(t.unit.as_str())
            .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?;
        resolved.push((indicator, unit, t));
    }
    if let Some(user) = caller.user {
        // One read of the scope, whatever the number of cells.
        let scope = crate::rights::scope_units(app, &mut c, user, Action::ManagePlans).await?;
        if let Some(scope) = scope
            && resolved.iter().any(|(_, unit, _)| !scope.contains(unit))
        {
            return Err(AppError::Forbidden);
        }
    }
    for (indicator, unit, t) in resolved {
        indicators::set_target(
            &mut c,
            indicator,
            unit,
            t.period,
            t.value,
            &caller.actor.name,
            app.now(),
        )
        .await?;
    }
    c.commit(NewEvent {
        action: "target.set",
        entity_type: "target",
        entity_id: None,
        summary,
        before: None,
        after: None,
    })
    .await?;
    Ok(())
}

/// Copies last year's targets (every indicator and unit) to another year.
pub async fn copy_targets(
    app: &App,
    caller: &Caller<'_>,
    from_year: i32,
    to_year: i32,
) -> AppResult<u64> {
    let mut c = app.write(caller).await?;
    require_catalogue(&mut c, app, caller).await?;
    if from_year == to_year
        || !(2000..=2100).contains(&from_year)
        || !(2000..=2100).contains(&to_year)
    {
        return Err(AppError::field(
            "to_year",
            Invalid::OutOfRange {
                min: 2000,
                max: 2100,
            },
        ));
    }
    let n = indicators::copy_targets(
        &mut c,
        Period::Year(from_year),
        Period::Year(to_year),
        &caller.actor.name,
        app.now(),
    )
    .await?;
    c.commit(NewEvent {
        action: "target.copy",
        entity_type: "target",
        entity_id: None,
        summary: format!("{from_year} → {to_year}: {n} targets"),
        before: None,
        after: None,
    })
    .await?;
    Ok(n)
}

/// How a unit's target is shared among the units below it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SplitMethod {
    /// Equal parts (counts and money); the same figure for each (shares and yes/no).
    Equal,
    /// In proportion to each unit's approved figure of the year before (counts and money).
    ByLastYear,
}

/// Splits a target set for a unit across the units below it that report the indicator.
/// Returns each child's new target.
pub async fn split_target(
    app: &App,
    caller: &Caller<'_>,
    indicator_code: &str,
    unit_code: &str,
    year: i32,
    value: f64,
    method: SplitMethod,
) -> AppResult<Vec<(String, f64)>> {
    // Refuse at once whoever sets targets nowhere; the unit's own check follows.
    caller.require_somewhere(Action::ManagePlans)?;
    if !value.is_finite() || value < 0.0 {
        return Err(AppError::field("value", Invalid::Negative));
    }
    let today = app.today();
    let (indicator, parent, expected) = {
        let mut c = app.db.read().await?;
        let parent = units::by_code(&mut c, unit_code, today)
            .await?
            .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?;
        // Splitting sets the targets of the units below: the unit's scope covers them.
        caller
            .require_on(&mut c, Action::ManagePlans, parent.id)
            .await?;
        let indicator = indicators::by_code(&mut c, indicator_code)
            .await?
            .ok_or(AppError::NotFound)?;
        let expected = indicators::expected_kinds(&mut c, indicator.id).await?;
        (indicator, parent, expected)
    };
    let tree = super::rollup::load_tree(app, today).await?;
    let children = tree
        .pruned(&expected)
        .get(&parent.id)
        .cloned()
        .unwrap_or_default();
    if children.is_empty() {
        return Err(AppError::field("unit", Invalid::UnknownUnit));
    }
    let additive = matches!(
        indicator.measure,
        dxplan_domain::indicator::Measure::Number | dxplan_domain::indicator::Measure::Money
    );
    let weights: Vec<f64> = match (method, additive) {
        (SplitMethod::ByLastYear, true) => {
            // One roll-up of the parent gives every child's figure, in the same order.
            let last_year = (year - 1).to_string();
            let ask = super::RollupAsk {
                indicator: indicator_code,
                unit: unit_code,
                period: &last_year,
                at: today,
                with_children: true,
                include_pending: false,
            };
            let last = super::rollup::rollup_unchecked(app, &ask).await?;
            let w: Vec<f64> = last
                .children
                .iter()
                .map(|child| child.value.unwrap_or(0.0).max(0.0))
                .collect();
            if w.len() == children.len() && w.iter().sum::<f64>() > 0.0 {
                w
            } else {
                vec![1.0; children.len()]
            }
        }
        _ => vec![1.0; children.len()],
    };
    let total: f64 = weights.iter().sum();
    let now = app.now();
    let mut c = app.write(caller).await?;
    let mut out = Vec::new();
    for (child, w) in children.iter().zip(&weights) {
        let share = if additive {
            (value * w / total * 100.0).round() / 100.0
        } else {
            value
        };
        indicators::set_target(
            &mut c,
            indicator.id,
            *child,
            Period::Year(year),
            share,
            &caller.actor.name,
            now,
        )
        .await?;
        out.push((tree.name(*child), share));
    }
    indicators::set_target(
        &mut c,
        indicator.id,
        parent.id,
        Period::Year(year),
        value,
        &caller.actor.name,
        now,
    )
    .await?;
    c.commit(NewEvent {
        action: "target.split",
        entity_type: "target",
        entity_id: None,
        summary: format!(
            "{} {} {year}: {value} across {} units",
            indicator.code,
            parent.code,
            out.len()
        ),
        before: None,
        after: Some(json!(out)),
    })
    .await?;
    Ok(out)
}

// ---------------------------------------------------------------- reading targets

/// A period's targets for a unit's subtree, or without a unit, for every unit the reader
/// sees.
pub async fn targets(
    app: &App,
    user: &CurrentUser,
    period: Period,
    unit_code: Option<&str>,
) -> AppResult<Vec<dxplan_store::indicators::Target>> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    let roots = match unit_code.map(str::trim).filter(|u| !u.is_empty()) {
        Some(code) => {
            let absent = crate::rights::Absent::Field("unit");
            let at = app.today();
            let unit =
                crate::rights::unit_by_code_for(&mut c, user, Action::ViewWork, code, at, absent)
                    .await?;
            vec![unit.id]
        }
        None => match user.scope(Action::ViewWork) {
            Some(roots) => roots,
            None => units::roots(&mut c, app.today()).await?,
        },
    };
    let ids = app.subtree(&mut c, &roots).await?;
    Ok(indicators::targets_of_units(&mut c, &ids, period).await?)
}

/// The target grid of one form and year: the units in the caller's scope that report it,
/// their targets, and the units a target can be split from (the top of the tree and every
/// unit directly above a reporting unit).
pub struct TargetGrid {
    pub forms: Vec<dxplan_store::indicators::Form>,
    pub form: dxplan_store::indicators::Form,
    pub indicators: Vec<Indicator>,
    pub reporters: Vec<units::Unit>,
    pub targets: Vec<dxplan_store::indicators::Target>,
    pub split_units: Vec<units::Unit>,
    /// Copying last year's targets is province-wide.
    pub may_copy: bool,
}

pub async fn target_grid(
    app: &App,
    user: &CurrentUser,
    form_id: Option<i64>,
    year: i32,
) -> AppResult<TargetGrid> {
    user.require_somewhere(Action::ManagePlans)?;
    let today = app.today();
    let mut c = app.db.read().await?;
    let scope = crate::rights::scope_units(app, &mut c, user, Action::ManagePlans).await?;
    let in_scope = |id: i64| scope.as_ref().is_none_or(|s| s.contains(&id));
    let forms = indicators::forms(&mut c).await?;
    let form = match form_id {
        Some(id) => forms.iter().find(|f| f.id == id).cloned(),
        None => forms.first().cloned(),
    }
    .ok_or(AppError::NotFound)?;
    let inds = indicators::form_indicators(&mut c, form.id).await?;
    let kinds = indicators::form_kinds(&mut c, form.id).await?;
    let all = units::valid_on(&mut c, today).await?;
    let reporters: Vec<units::Unit> = all
        .iter()
        .filter(|u| kinds.iter().any(|k| k == u.kind.as_str()) && in_scope(u.id))
        .cloned()
        .collect();
    let ids: Vec<i64> = reporters.iter().map(|u| u.id).collect();
    let targets = indicators::targets_of_units(&mut c, &ids, Period::Year(year)).await?;
    let split_units = all
        .into_iter()
        .filter(|u| {
            in_scope(u.id)
                && (u.parent_id.is_none() || reporters.iter().any(|r| r.parent_id == Some(u.id)))
        })
        .collect();
    let may_copy = crate::rights::Province::today(&mut c, app)
        .await?
        .allows(user, Action::ManagePlans);
    Ok(TargetGrid {
        may_copy,
        forms,
        form,
        indicators: inds,
        reporters,
        targets,
        split_units,
    })
}
