//! The org-unit tree: create, change and import units.

use dxplan_domain::Invalid;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::unit::{UnitFields, UnitInput, validate_unit};
use dxplan_domain::unit_import::prepare_import;
use dxplan_store::Conn;
use dxplan_store::audit::NewEvent;
use dxplan_store::units;
use serde_json::json;

mod views;

pub use dxplan_store::units::ImportOutcome;
pub use views::{
    Unit, UnitDetail, UnitHistory, UnitListing, UnitSearch, UnitWithParent, home_unit, list_units,
    unit_by_code, unit_detail, unit_history, unit_with_parent, valid_on, with_parent,
};

use crate::error::{AppError, AppResult};
use crate::{App, Caller};

/// Resolves an optional parent code (valid on the child's start date, or today).
async fn resolve_parent(c: &mut Conn, app: &App, fields: &UnitFields) -> AppResult<Option<Unit>> {
    let Some(code) = &fields.parent_code else {
        return Ok(None);
    };
    let at = fields.valid_from.unwrap_or_else(|| app.today());
    match units::by_code(c, code, at).await? {
        Some(parent) => Ok(Some(parent)),
        None => Err(AppError::field("parent_code", Invalid::UnknownParent)),
    }
}

async fn authorize_unit_place(
    c: &mut Conn,
    caller: &Caller<'_>,
    parent: Option<&Unit>,
) -> AppResult<()> {
    match parent {
        Some(p) => {
            let lineage = units::lineage(c, p.id).await?;
            caller.require(Action::ManageUnits, Target::Unit(&lineage))
        }
        None => caller.require(Action::ManageUnits, Target::System),
    }
}

pub async fn create_unit(app: &App, caller: &Caller<'_>, input: &UnitInput) -> AppResult<Unit> {
    // Refuse the unauthorised before telling them anything about the data.
    if caller.user.is_some_and(|u| !u.holds(Action::ManageUnits)) {
        return Err(AppError::Forbidden);
    }
    let fields = validate_unit(input).map_err(AppError::Validation)?;
    let mut c = app.write(caller).await?;
    let parent = resolve_parent(&mut c, app, &fields).await?;
    authorize_unit_place(&mut c, caller, parent.as_ref()).await?;
    if units::code_taken(
        &mut c,
        &fields.code,
        fields.valid_from,
        fields.valid_to,
        None,
    )
    .await?
    {
        return Err(AppError::field("code", Invalid::DuplicateCode));
    }
    let id = units::insert(&mut c, &fields, parent.map(|p| p.id), app.now()).await?;
    let unit = units::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "unit.create",
        entity_type: "unit",
        entity_id: Some(id.to_string()),
        summary: format!("{} ({})", unit.name, unit.code),
        before: None,
        after: Some(json!(unit)),
    })
    .await?;
    Ok(unit)
}

/// Edits, moves (new parent) or retires (an end date) a unit.
pub async fn update_unit(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &UnitInput,
    expected_version: Option<i64>,
) -> AppResult<Unit> {
    if caller.user.is_some_and(|u| !u.holds(Action::ManageUnits)) {
        return Err(AppError::Forbidden);
    }
    let mut c = app.write(caller).await?;
    let before = units::get(&mut c, id).await?;
    let lineage = units::lineage(&mut c, id).await?;
    caller.require(Action::ManageUnits, Target::Unit(&lineage))?;
    let fields = validate_unit(input).map_err(AppError::Validation)?;
    let parent = resolve_parent(&mut c, app, &fields).await?;
    if let Some(p) = &parent {
        // Moving a unit under itself or one of its descendants would make a cycle.
        let parent_lineage = units::lineage(&mut c, p.id).await?;
        if parent_lineage.contains(&id) {
            return Err(AppError::field("parent_code", Invalid::Cycle));
        }
    }
    if parent.as_ref().map(|p| p.id) != before.parent_id {
        authorize_unit_place(&mut c, caller, parent.as_ref()).await?;
    }
    if units::code_taken(
        &mut c,
        &fields.code,
        fields.valid_from,
        fields.valid_to,
        Some(id),
    )
    .await?
    {
        return Err(AppError::field("code", Invalid::DuplicateCode));
    }
    units::update(
        &mut c,
        id,
        &fields,
        parent.map(|p| p.id),
        expected_version,
        app.now(),
    )
    .await?;
    let after = units::get(&mut c, id).await?;
    let action = if after.valid_to.is_some() && before.valid_to.is_none() {
        "unit.retire"
    } else if after.parent_id != before.parent_id {
        "unit.move"
    } else {
        "unit.update"
    };
    c.commit(NewEvent {
        action,
        entity_type: "unit",
        entity_id: Some(id.to_string()),
        summary: format!("{} ({})", after.name, after.code),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

/// Imports a CSV of units, all or nothing.
pub async fn import_units(
    app: &App,
    caller: &Caller<'_>,
    bytes: &[u8],
    source: &str,
) -> AppResult<ImportOutcome> {
    caller.require(Action::ManageUnits, Target::System)?;
    let mut c = app.write(caller).await?;
    let existing = units::existing_for_import(&mut c).await?;
    let plan = prepare_import(bytes, &existing).map_err(AppError::ImportRejected)?;
    let outcome = units::apply_import(&mut c, &plan, app.now()).await?;
    c.commit(NewEvent {
        action: "unit.import",
        entity_type: "unit",
        entity_id: None,
        summary: format!(
            "{source}: {} created, {} updated, {} lineage links",
            outcome.created, outcome.updated, outcome.lineage
        ),
        before: None,
        after: Some(json!(outcome)),
    })
    .await?;
    Ok(outcome)
}
