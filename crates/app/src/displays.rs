//! Wall displays: an administrator gives a screen in the operations centre a link to one
//! unit's dashboard. The link carries a secret (shown once, stored hashed) that reads that
//! dashboard and nothing else, as a read-only viewer of the unit; it outlives any session,
//! since a wall runs for months, and stops the moment it is revoked.

use serde::Deserialize;
use serde_json::json;

use dxplan_domain::auth::{Action, Grant, Role, Target};
use dxplan_domain::validation::required_text;
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::displays::{self, NewDisplay};

pub use dxplan_store::displays::Display;
use dxplan_store::units;

use super::Caller;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::{CurrentUser, TokenUse, hash_token, random_token};

/// Who may give out and take back wall links: an administrator of the unit shown.
const MANAGE: Action = Action::ManageUsers;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DisplayInput {
    /// Where the screen hangs ("Màn hình phòng họp tầng 3").
    #[serde(default)]
    pub name: String,
    /// The unit (code or name) whose dashboard the screen shows.
    #[serde(default)]
    pub unit: String,
}

/// A new display and the secret of its link, which is never shown again.
pub struct Created {
    pub display: Display,
    pub secret: String,
}

/// Refuses at once a caller who may give out no link anywhere (before a form is read).
pub fn may_issue(caller: &Caller<'_>) -> AppResult<()> {
    person(caller).map(|_| ())
}

fn person<'a>(caller: &'a Caller<'a>) -> AppResult<&'a CurrentUser> {
    let user = caller.person()?;
    user.require_somewhere(MANAGE)?;
    Ok(user)
}

pub async fn create(app: &App, caller: &Caller<'_>, input: &DisplayInput) -> AppResult<Created> {
    let user = person(caller)?;
    let mut errors = Vec::new();
    let name = required_text("name", &input.name, 100, &mut errors);
    let mut c = app.write(caller).await?;
    let unit = match input.unit.trim() {
        "" => {
            errors.push(FieldError::new("unit", Invalid::Required));
            None
        }
        text => match super::pickers::find_named(&mut c, text, app.today()).await? {
            Ok(u) => {
                let lineage = units::lineage(&mut c, u.id).await?;
                if user.may(MANAGE, Target::Unit(&lineage)) {
                    Some(u)
                } else {
                    // A unit outside the administrator's reach is as good as unknown.
                    errors.push(FieldError::new("unit", Invalid::UnknownUnit));
                    None
                }
            }
            Err(not) => {
                errors.push(FieldError::new("unit", not.invalid()));
                None
            }
        },
    };
    let Some(unit) = unit.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let secret = random_token();
    let id = displays::insert(
        &mut c,
        &NewDisplay {
            name: &name,
            unit_id: unit.id,
            token_hash: &hash_token(&secret),
            prefix: &secret[..8],
            created_by: &user.display_name,
        },
        app.now(),
    )
    .await?;
    let display = displays::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    c.commit(NewEvent {
        action: "display.create",
        entity_type: "wall_display",
        entity_id: Some(id.to_string()),
        summary: format!("{name} — {}", unit.name),
        before: None,
        after: Some(json!(display)),
    })
    .await?;
    Ok(Created { display, secret })
}

/// The displays of the units the user administers, newest first.
pub async fn list(app: &App, user: &CurrentUser) -> AppResult<Vec<Display>> {
    user.require_somewhere(MANAGE)?;
    let mut c = app.db.read().await?;
    let scope = super::rights::scope_units(app, &mut c, user, MANAGE).await?;
    Ok(displays::list(&mut c)
        .await?
        .into_iter()
        .filter(|d| scope.as_ref().is_none_or(|s| s.contains(&d.unit_id)))
        .collect())
}

pub async fn revoke(app: &App, caller: &Caller<'_>, id: i64) -> AppResult<Display> {
    let user = person(caller)?;
    let mut c = app.write(caller).await?;
    let display = displays::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let lineage = units::lineage(&mut c, display.unit_id).await?;
    if !user.may(MANAGE, Target::Unit(&lineage)) {
        // Another unit's screen is none of the caller's business: as if it did not exist.
        return Err(AppError::NotFound);
    }
    if !displays::revoke(&mut c, id, &user.display_name, app.now()).await? {
        return Err(AppError::conflict(
            "already_revoked",
            "Đường dẫn màn hình này đã bị thu hồi trước đó.",
            "This display link was already revoked.",
        ));
    }
    let after = displays::get(&mut c, id).await?.ok_or(AppError::NotFound)?;
    c.commit(NewEvent {
        action: "display.revoke",
        entity_type: "wall_display",
        entity_id: Some(id.to_string()),
        summary: format!("{} — {}", display.name, display.unit_name),
        before: Some(json!(display)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

/// What a wall link opens: the display, the unit it shows today and the reader it acts as.
pub struct Opened {
    pub display: Display,
    /// The display's unit, or the one unit that carries it on once a reorganisation ended
    /// it: a screen keeps running through a merger.
    pub unit_code: String,
    /// A read-only viewer of that unit, who may read its dashboard and nothing outside it.
    pub reader: CurrentUser,
}

/// The display a link's secret opens. An unknown or revoked secret is not found, alike, so
/// a link cannot be probed.
pub async fn open(app: &App, secret: &str) -> AppResult<Opened> {
    // A secret is 43 URL-safe characters; anything else is not worth a query.
    let well_formed = secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(AppError::NotFound);
    }
    let mut c = app.db.read().await?;
    let display = displays::by_hash(&mut c, &hash_token(secret))
        .await?
        .filter(|d| d.revoked_at.is_none())
        .ok_or(AppError::NotFound)?;
    let unit = units::get(&mut c, display.unit_id).await?;
    let unit = super::issuer::issuing_unit(&mut c, unit, app.today()).await?;
    drop(c);
    let now = app.now();
    // "Last seen" to the minute is enough, and spares a write per refresh of every screen.
    if display
        .last_used_at
        .is_none_or(|at| now - at > time::Duration::minutes(1))
    {
        let mut w = app.housekeeping().await?;
        displays::touch(&mut w, display.id, now).await?;
        w.commit().await?;
    }
    let reader = CurrentUser {
        id: 0,
        username: format!("display:{}", display.id),
        display_name: display.name.clone(),
        unit_id: Some(unit.id),
        grants: vec![Grant {
            role: Role::Viewer,
            unit: Some(unit.id),
            read_only: true,
        }],
        csrf: String::new(),
        session_hash: String::new(),
        token: Some(TokenUse {
            id: display.id,
            name: display.name.clone(),
            read_only: true,
        }),
    };
    Ok(Opened {
        display,
        unit_code: unit.code,
        reader,
    })
}
