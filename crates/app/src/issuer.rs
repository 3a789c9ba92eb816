//! Who issues a unit's documents: the Decree 30 letterhead derived from where the unit
//! stands on the document's date, under what the unit has set of it itself.
//!
//! A unit's settings are changed by those who answer for its documents: its leaders (who
//! submit on its behalf) and whoever manages it in the unit tree. Everyone who may see the
//! unit may see them.

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::issuer::{self, IssuerBlock, IssuerInput, IssuerSettings, Standing, UnitInfo};
use dxplan_domain::unit::UnitKind;
use dxplan_report::progress::Letterhead;
use dxplan_store::audit::NewEvent;
use dxplan_store::units::Unit;
use dxplan_store::{Conn, issuers, units};
use serde_json::json;
use time::Date;

use super::Caller;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// The unit that issues, on `day`, a document about `unit`: the unit itself while it
/// stands, else the one unit that carries it on then (the province that took over an
/// ended one); a unit continued in several, or in none, still speaks for itself.
pub async fn issuing_unit(c: &mut Conn, unit: Unit, day: Date) -> AppResult<Unit> {
    if unit.is_valid_on(day) {
        return Ok(unit);
    }
    let mut continued = units::continued_in(c, &[unit.id], day).await?;
    match continued.remove(&unit.id) {
        Some(mut list) if list.len() == 1 => Ok(list.remove(0)),
        _ => Ok(unit),
    }
}

/// Where `unit` stands on `day`, from its ancestors (root first).
fn standing<'a>(unit: &'a Unit, ancestors: &'a [Unit], day: Date) -> Standing<'a> {
    let info = |u: &'a Unit| UnitInfo {
        name: &u.name,
        kind: u.kind,
    };
    Standing {
        unit: info(unit),
        parent: unit
            .parent_id
            .and_then(|p| ancestors.iter().find(|a| a.id == p))
            .map(info),
        locality: ancestors
            .iter()
            .rev()
            .find(|a| matches!(a.kind, UnitKind::Province | UnitKind::District))
            .map(info),
        day,
    }
}

/// The letterhead block of `unit` on `day`, with the unit's own settings.
pub async fn block(c: &mut Conn, unit: &Unit, day: Date) -> AppResult<IssuerBlock> {
    let ancestors = units::ancestors(c, unit.id).await?;
    let settings = issuers::get(c, unit.id).await?;
    Ok(issuer::derive(&standing(unit, &ancestors, day), &settings))
}

/// The province at the top of today's tree (the People's Committee that issues the
/// province's own documents).
pub async fn province_unit(c: &mut Conn, app: &App, day: Date) -> AppResult<Unit> {
    let all = app.standing_units(c, day).await?;
    all.iter()
        .find(|u| u.parent_id.is_none())
        .cloned()
        .ok_or(AppError::NotFound)
}

/// The unit that issues a coordinator's document on `day`: their own unit (the
/// department in charge of DX), or the province for an account tied to no unit.
pub async fn coordinator_unit(
    c: &mut Conn,
    app: &App,
    user: &CurrentUser,
    day: Date,
) -> AppResult<Unit> {
    let unit = match user.unit_id {
        Some(id) => units::get(c, id).await?,
        None => province_unit(c, app, day).await?,
    };
    issuing_unit(c, unit, day).await
}

/// The letterhead of a report (`BC`) about the unit `unit_id`, dated `day` and made now.
pub async fn report_letterhead(app: &App, unit_id: i64, day: Date) -> AppResult<Letterhead> {
    let mut c = app.db.read().await?;
    let unit = units::get(&mut c, unit_id).await?;
    let unit = issuing_unit(&mut c, unit, day).await?;
    let block = block(&mut c, &unit, day).await?;
    Ok(Letterhead::new(&block, "BC", day, app.now()))
}

/// A unit's letterhead as it stands today: what it set, and what its documents print.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuerView {
    pub unit_code: String,
    pub unit_name: String,
    /// What the unit has set; absent fields keep the default.
    pub settings: IssuerSettings,
    /// What a report dated today prints.
    pub block: IssuerBlock,
    /// What the default would print, for the form's hints.
    pub defaults: IssuerBlock,
}

async fn view_of(c: &mut Conn, app: &App, unit: &Unit) -> AppResult<IssuerView> {
    let ancestors = units::ancestors(c, unit.id).await?;
    let settings = issuers::get(c, unit.id).await?;
    let here = standing(unit, &ancestors, app.today());
    Ok(IssuerView {
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        block: issuer::derive(&here, &settings),
        defaults: issuer::default_block(&here),
        settings,
    })
}

/// Whether the user may change the unit's letterhead (its leaders, or who manages it).
pub fn may_edit(user: &CurrentUser, lineage: &[i64]) -> bool {
    user.may(Action::SubmitUnitWork, Target::Unit(lineage))
        || user.may(Action::ManageUnits, Target::Unit(lineage))
}

/// Refuses, before any body is read, a user who may change no unit's letterhead.
pub fn require_editor_somewhere(user: &CurrentUser) -> AppResult<()> {
    if user.holds(Action::SubmitUnitWork) || user.holds(Action::ManageUnits) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The letterhead of a unit, for those who may see the unit.
pub async fn view(app: &App, user: &CurrentUser, unit_id: i64) -> AppResult<IssuerView> {
    user.require_somewhere(Action::ViewUnits)?;
    let mut c = app.db.read().await?;
    let unit = units::get(&mut c, unit_id).await?;
    let lineage = units::lineage(&mut c, unit_id).await?;
    user.require(Action::ViewUnits, Target::Unit(&lineage))?;
    view_of(&mut c, app, &unit).await
}

/// Sets what the unit prints on its documents (blank fields back to the default).
pub async fn update(
    app: &App,
    caller: &Caller<'_>,
    unit_id: i64,
    input: &IssuerInput,
) -> AppResult<IssuerView> {
    let mut c = app.write(caller).await?;
    let unit = units::get(&mut c, unit_id).await?;
    if let Some(user) = caller.user {
        let lineage = units::lineage(&mut c, unit_id).await?;
        if !may_edit(user, &lineage) {
            return Err(AppError::Forbidden);
        }
    }
    let settings = issuer::validate(input).map_err(AppError::Validation)?;
    let before = issuers::get(&mut c, unit_id).await?;
    // Saving what is already there is no change: nothing is written or recorded.
    let changed = before != settings;
    if changed {
        issuers::put(&mut c, unit_id, &settings, &caller.actor.name, app.now()).await?;
        c.record(NewEvent {
            action: "unit.issuer",
            entity_type: "unit",
            entity_id: Some(unit_id.to_string()),
            summary: format!("{} ({})", unit.name, unit.code),
            before: Some(json!(before)),
            after: Some(json!(settings)),
        })
        .await?;
    }
    let view = view_of(&mut c, app, &unit).await?;
    if changed {
        c.commit_recorded().await?;
    }
    Ok(view)
}
