//! What the account pages and the API show: lists of accounts, one account with its roles,
//! and the caller's own roles. A unit-scoped reader sees only the accounts of its subtree.

use dxplan_store::units::{self, Unit};
use dxplan_store::users::{self, UserFilter};
use serde::Serialize;

pub use dxplan_store::users::{GrantRow, User};

use dxplan_domain::auth::{Action, Target};

use super::visible_user_units;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
use crate::{App, Caller};

/// An account with the roles it holds, as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserWithGrants {
    #[serde(flatten)]
    pub user: User,
    pub grants: Vec<GrantRow>,
}

/// A page of accounts, the units they work in, and the cursor of the next page.
pub struct UserListing {
    pub users: Vec<UserWithGrants>,
    /// The units the listed accounts work in (each once).
    pub units: Vec<Unit>,
    pub next: Option<(String, i64)>,
}

impl UserListing {
    /// The name of the unit an account works in, if any.
    pub fn unit_name(&self, user: &User) -> Option<&str> {
        let id = user.unit_id?;
        self.units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.as_str())
    }
}

/// The accounts the caller may see, matching folded `search`, one page at a time.
pub async fn list_users(
    app: &App,
    viewer: &CurrentUser,
    search: Option<String>,
    after: Option<(String, i64)>,
    limit: u32,
) -> AppResult<UserListing> {
    let filter = UserFilter {
        search,
        units: visible_user_units(app, viewer).await?,
        after,
        limit,
    };
    listing(app, &filter).await
}

/// Every account, one page at a time, for a caller who may see them all (the operator at
/// the command line, or a system-wide reader).
pub async fn all_accounts(
    app: &App,
    caller: &Caller<'_>,
    after: Option<(String, i64)>,
    limit: u32,
) -> AppResult<UserListing> {
    caller.require(Action::ViewUsers, Target::System)?;
    let filter = UserFilter {
        after,
        limit,
        ..Default::default()
    };
    listing(app, &filter).await
}

/// The account named `username`, for a caller who manages accounts (the command line
/// names people; the doors use ids within the caller's view).
pub async fn account_named(app: &App, caller: &Caller<'_>, username: &str) -> AppResult<User> {
    caller.require(Action::ManageUsers, Target::System)?;
    let mut c = app.db.read().await?;
    users::by_username(&mut c, username)
        .await?
        .ok_or(AppError::NotFound)
}

async fn listing(app: &App, filter: &UserFilter) -> AppResult<UserListing> {
    let mut c = app.db.read().await?;
    let page = users::list(&mut c, filter).await?;
    let ids: Vec<i64> = page.users.iter().map(|u| u.id).collect();
    let grants = users::grants_of(&mut c, &ids).await?;
    let mut unit_ids: Vec<i64> = page.users.iter().filter_map(|u| u.unit_id).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let units = units::by_ids(&mut c, &unit_ids).await?;
    Ok(UserListing {
        users: page
            .users
            .into_iter()
            .map(|user| UserWithGrants {
                grants: grants
                    .iter()
                    .filter(|g| g.user_id == user.id)
                    .cloned()
                    .collect(),
                user,
            })
            .collect(),
        units,
        next: page.next,
    })
}

/// One account with its roles and its unit.
pub struct Account {
    pub user: User,
    pub grants: Vec<GrantRow>,
    pub unit: Option<Unit>,
}

impl Account {
    pub fn with_grants(self) -> UserWithGrants {
        UserWithGrants {
            user: self.user,
            grants: self.grants,
        }
    }
}

/// An account the caller may see: one that works in, or holds a role on, the caller's
/// subtree. Any other is refused, so that ids cannot be probed.
pub async fn visible_user(app: &App, viewer: &CurrentUser, id: i64) -> AppResult<Account> {
    let scope = visible_user_units(app, viewer).await?;
    let mut c = app.db.read().await?;
    let user = users::get(&mut c, id).await?;
    let grants = users::grants(&mut c, id).await?;
    if let Some(scope) = scope {
        let in_scope = user.unit_id.is_some_and(|u| scope.contains(&u))
            || grants
                .iter()
                .any(|g| g.unit_id.is_some_and(|u| scope.contains(&u)));
        if !in_scope {
            return Err(AppError::Forbidden);
        }
    }
    let unit = match user.unit_id {
        Some(u) => Some(units::get(&mut c, u).await?),
        None => None,
    };
    Ok(Account { user, grants, unit })
}

/// The caller's own roles, and, when the unit the account sits on has ended, that unit
/// and the units its work went on at: the home page tells the person what to do.
pub struct MyAccount {
    pub grants: Vec<GrantRow>,
    pub ended_unit: Option<(Unit, Vec<Unit>)>,
}

pub async fn my_account(app: &App, user: &CurrentUser) -> AppResult<MyAccount> {
    let mut c = app.db.read().await?;
    let grants = users::grants(&mut c, user.id).await?;
    let ended_unit = match user.unit_id {
        Some(id) => {
            let unit = units::get(&mut c, id).await?;
            if unit.valid_to.is_some_and(|end| end < app.today()) {
                let next = units::successors(&mut c, id).await?;
                Some((unit, next))
            } else {
                None
            }
        }
        None => None,
    };
    Ok(MyAccount { grants, ended_unit })
}
