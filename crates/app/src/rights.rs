//! Where an action takes effect, read from the store for the policy
//! (`dxplan_domain::auth::authorize`): a unit with its lineage, the province (the units at
//! the top of today's tree), or a caller's scope as a set of units. Every check names its
//! target; there is no "anywhere".

use std::collections::HashSet;

use dxplan_domain::auth::{Action, Target};
use dxplan_store::{Conn, units};

use super::Caller;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// The units at the top of today's tree: the objects of the whole programme — plans and
/// their groups, the indicator catalogue and forms, province-wide targets, frameworks,
/// identifier mappings — belong to them. A unit-scoped grant below them never counts.
#[derive(Debug, Clone)]
pub struct Province {
    roots: Vec<i64>,
}

impl Province {
    pub async fn today(c: &mut Conn, app: &App) -> AppResult<Province> {
        Ok(Province {
            roots: units::roots(c, app.today()).await?,
        })
    }

    /// Whether the user may do `action` over the whole province: on every root (a root
    /// has no ancestors, so its lineage is itself), or system-wide when the tree is empty.
    pub fn allows(&self, user: &CurrentUser, action: Action) -> bool {
        if self.roots.is_empty() {
            return user.may(action, Target::System);
        }
        self.roots
            .iter()
            .all(|root| user.may(action, Target::Unit(std::slice::from_ref(root))))
    }

    pub fn require(&self, user: &CurrentUser, action: Action) -> AppResult<()> {
        if self.allows(user, action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl Caller<'_> {
    /// Refuses unless the caller may do `action` over the whole province (the operator at
    /// the command line may).
    pub async fn require_province(&self, c: &mut Conn, app: &App, action: Action) -> AppResult<()> {
        match self.user {
            Some(user) => Province::today(c, app).await?.require(user, action),
            None => Ok(()),
        }
    }

    /// Refuses unless the caller may do `action` on this unit.
    pub async fn require_on(&self, c: &mut Conn, action: Action, unit_id: i64) -> AppResult<()> {
        match self.user {
            Some(user) => require_on(c, user, action, unit_id).await,
            None => Ok(()),
        }
    }

    /// Refuses a caller who may do `action` nowhere, before any work (or body) is read.
    pub fn require_somewhere(&self, action: Action) -> AppResult<()> {
        match self.user {
            Some(user) => user.require_somewhere(action),
            None => Ok(()),
        }
    }
}

/// Refuses unless the user may do `action` on this unit (by its lineage).
pub async fn require_on(
    c: &mut Conn,
    user: &CurrentUser,
    action: Action,
    unit_id: i64,
) -> AppResult<()> {
    let lineage = units::lineage(c, unit_id).await?;
    user.require(action, Target::Unit(&lineage))
}

/// Whether the user may do `action` on this unit.
pub async fn may_on(
    c: &mut Conn,
    user: &CurrentUser,
    action: Action,
    unit_id: i64,
) -> AppResult<bool> {
    let lineage = units::lineage(c, unit_id).await?;
    Ok(user.may(action, Target::Unit(&lineage)))
}

/// The units the user may do `action` on, subtrees and lineage included: `None` when a
/// system-wide grant allows it everywhere.
pub async fn scope_units(
    app: &App,
    c: &mut Conn,
    user: &CurrentUser,
    action: Action,
) -> AppResult<Option<HashSet<i64>>> {
    match user.scope(action) {
        None => Ok(None),
        Some(roots) => Ok(Some(
            app.subtree(c, &roots).await?.iter().copied().collect(),
        )),
    }
}

/// How a unit code that names no unit is told: as a missing thing (the code is in the
/// path) or as a field of the input that is wrong.
#[derive(Debug, Clone, Copy)]
pub enum Absent {
    NotFound,
    Field(&'static str),
}

impl Absent {
    fn error(self) -> AppError {
        match self {
            Absent::NotFound => AppError::NotFound,
            Absent::Field(field) => AppError::field(field, dxplan_domain::Invalid::UnknownUnit),
        }
    }
}

/// The unit holding `code` on `at`, once the user may do `action` on it: the one way a
/// door's unit code becomes a unit, so no read forgets the check.
pub async fn unit_by_code_for(
    c: &mut Conn,
    user: &CurrentUser,
    action: Action,
    code: &str,
    at: time::Date,
    absent: Absent,
) -> AppResult<units::Unit> {
    let unit = units::by_code(c, code, at)
        .await?
        .ok_or_else(|| absent.error())?;
    require_on(c, user, action, unit.id).await?;
    Ok(unit)
}
