//! What the org-unit tree shows: the units valid on a date, one unit with its history, and
//! the parent codes the API prints beside a unit. Every read checks the caller itself.

use dxplan_domain::Invalid;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::unit::UnitKind;
use dxplan_store::units::{self, UnitFilter};
use dxplan_store::users::{self, UserFilter};
use serde::Serialize;
use time::Date;

pub use dxplan_store::units::Unit;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
use crate::users::User;

/// A unit with its parent's code, as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitWithParent {
    #[serde(flatten)]
    pub unit: Unit,
    pub parent_code: Option<String>,
}

/// What a list of units is asked for; `parent_code` names a unit valid on `at`.
#[derive(Debug, Clone)]
pub struct UnitSearch {
    pub parent_code: Option<String>,
    pub kind: Option<UnitKind>,
    pub search: Option<String>,
    pub at: Date,
    /// Keyset cursor: the sort key and id of the last unit already seen.
    pub after: Option<(String, i64)>,
    pub limit: u32,
}

/// A page of units and the cursor of the next page, if there is one.
pub struct UnitListing {
    pub units: Vec<UnitWithParent>,
    pub next: Option<(String, i64)>,
}

/// The units valid on a date, one page at a time.
pub async fn list_units(
    app: &App,
    user: &CurrentUser,
    search: UnitSearch,
) -> AppResult<UnitListing> {
    user.require_somewhere(Action::ViewUnits)?;
    let mut c = app.db.read().await?;
    let parent_id = match search.parent_code.as_deref().filter(|p| !p.is_empty()) {
        None => None,
        Some(code) => Some(
            units::by_code(&mut c, code, search.at)
                .await?
                .ok_or_else(|| AppError::field("parent", Invalid::UnknownUnit))?
                .id,
        ),
    };
    let filter = UnitFilter {
        parent_id,
        kind: search.kind,
        search: search.search,
        at: Some(search.at),
        after: search.after,
        limit: search.limit,
    };
    let page = units::list(&mut c, &filter).await?;
    Ok(UnitListing {
        units: with_parent_codes(&mut c, page.units).await?,
        next: page.next,
    })
}

/// Every unit valid on a date, in Vietnamese order: the tree page and the pickers.
pub async fn valid_on(app: &App, user: &CurrentUser, at: Date) -> AppResult<Vec<Unit>> {
    user.require_somewhere(Action::ViewUnits)?;
    let mut c = app.db.read().await?;
    Ok(units::valid_on(&mut c, at).await?)
}

/// The unit holding a code on a date, with its parent's code.
pub async fn unit_by_code(
    app: &App,
    user: &CurrentUser,
    code: &str,
    at: Date,
) -> AppResult<UnitWithParent> {
    user.require_somewhere(Action::ViewUnits)?;
    let mut c = app.db.read().await?;
    let unit = units::by_code(&mut c, code, at)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut list = with_parent_codes(&mut c, vec![unit]).await?;
    list.pop()
        .ok_or_else(|| AppError::internal("a unit vanished while read"))
}

/// One unit with its parent's code, as a write returns it.
pub async fn with_parent(app: &App, unit: Unit) -> AppResult<UnitWithParent> {
    let mut c = app.db.read().await?;
    let mut list = with_parent_codes(&mut c, vec![unit]).await?;
    list.pop()
        .ok_or_else(|| AppError::internal("a unit vanished while read"))
}

/// A unit by id with its parent's code: the edit form's starting values.
pub async fn unit_with_parent(app: &App, user: &CurrentUser, id: i64) -> AppResult<UnitWithParent> {
    user.require_somewhere(Action::ViewUnits)?;
    let mut c = app.db.read().await?;
    let unit = units::get(&mut c, id).await?;
    let mut list = with_parent_codes(&mut c, vec![unit]).await?;
    list.pop()
        .ok_or_else(|| AppError::internal("a unit vanished while read"))
}

/// The parent codes of a page of units, in one query.
async fn with_parent_codes(
    c: &mut dxplan_store::Conn,
    list: Vec<Unit>,
) -> AppResult<Vec<UnitWithParent>> {
    let mut parent_ids: Vec<i64> = list.iter().filter_map(|u| u.parent_id).collect();
    parent_ids.sort_unstable();
    parent_ids.dedup();
    let parents = units::by_ids(c, &parent_ids).await?;
    Ok(list
        .into_iter()
        .map(|unit| {
            let parent_code = unit
                .parent_id
                .and_then(|p| parents.iter().find(|u| u.id == p))
                .map(|p| p.code.clone());
            UnitWithParent { unit, parent_code }
        })
        .collect())
}

/// One unit's place in the tree and in history, and who works there when the reader may
/// see it.
pub struct UnitHistory {
    pub unit: Unit,
    /// The unit's id and its ancestors' ids, for checking rights on it.
    pub lineage: Vec<i64>,
    pub ancestors: Vec<Unit>,
    /// The children it has today, or for a retired unit those it had on its last day.
    pub children: Vec<Unit>,
    pub predecessors: Vec<Unit>,
    pub successors: Vec<Unit>,
    /// Its accounts (at most 100), when the reader may see accounts there.
    pub users: Option<Vec<User>>,
}

pub async fn unit_history(app: &App, user: &CurrentUser, id: i64) -> AppResult<UnitHistory> {
    user.require_somewhere(Action::ViewUnits)?;
    let mut c = app.db.read().await?;
    let unit = units::get(&mut c, id).await?;
    let lineage = units::lineage(&mut c, id).await?;
    let ancestors = units::ancestors(&mut c, id).await?;
    let day = unit.valid_to.unwrap_or_else(|| app.today());
    let children = units::children(&mut c, id, day).await?;
    let predecessors = units::predecessors(&mut c, id).await?;
    let successors = units::successors(&mut c, id).await?;
    let users = if user.may(Action::ViewUsers, Target::Unit(&lineage)) {
        let filter = UserFilter {
            units: Some(vec![id]),
            limit: 100,
            ..Default::default()
        };
        Some(users::list(&mut c, &filter).await?.users)
    } else {
        None
    };
    Ok(UnitHistory {
        unit,
        lineage,
        ancestors,
        children,
        predecessors,
        successors,
        users,
    })
}

/// A unit with the codes of the units it continues in and the units it continues.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: UnitWithParent,
    pub successors: Vec<String>,
    pub predecessors: Vec<String>,
}

/// The unit holding a code on a date, with its parent and its history's codes.
pub async fn unit_detail(
    app: &App,
    user: &CurrentUser,
    code: &str,
    at: Date,
) -> AppResult<UnitDetail> {
    let unit = unit_by_code(app, user, code, at).await?;
    let mut c = app.db.read().await?;
    let successors = units::successors(&mut c, unit.unit.id).await?;
    let predecessors = units::predecessors(&mut c, unit.unit.id).await?;
    Ok(UnitDetail {
        unit,
        successors: successors.into_iter().map(|u| u.code).collect(),
        predecessors: predecessors.into_iter().map(|u| u.code).collect(),
    })
}

/// The unit a reader starts on when none is asked for: the first unit of their scope for
/// `action`, or, for a reader of the whole system, the top of today's tree.
pub async fn home_unit(app: &App, user: &CurrentUser, action: Action) -> AppResult<Unit> {
    let mut c = app.db.read().await?;
    let first = match user.scope(action) {
        Some(roots) => roots.first().copied(),
        None => units::roots(&mut c, app.today()).await?.first().copied(),
    };
    match first {
        Some(id) => Ok(units::get(&mut c, id).await?),
        None => Err(AppError::NotFound),
    }
}
