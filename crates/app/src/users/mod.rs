//! Accounts: create and change users, passwords, grants, e-mail preference.

use dxplan_domain::auth::{Action, Role, Target};
use dxplan_domain::user::{PasswordOwner, check_password, validate_new_user, validate_profile};
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::units::Unit;
use dxplan_store::users::{self, UserChanges};
use dxplan_store::{Conn, StoreError, sessions};
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::password;
use crate::principal::CurrentUser;
use crate::{App, Caller, Write};

mod views;

pub use views::{
    Account, GrantRow, MyAccount, User, UserListing, UserWithGrants, account_named, all_accounts,
    list_users, my_account, visible_user,
};

/// A new account as entered on the form or sent to the API.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// The code of the unit the person works in.
    #[serde(default)]
    pub unit_code: Option<String>,
    pub password: String,
    /// Optionally, a first role, granted on `role_unit_code` (or system-wide when empty).
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub role_unit_code: Option<String>,
}

async fn unit_by_optional_code(
    c: &mut Conn,
    app: &App,
    field: &str,
    code: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> AppResult<Option<Unit>> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    // By code or by name, as the pickers offer it.
    match crate::pickers::find_named(c, code, app.today()).await? {
        Ok(unit) => Ok(Some(unit)),
        Err(why) => {
            errors.push(FieldError::new(field, why.invalid()));
            Ok(None)
        }
    }
}

fn parse_role(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<Role> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    let role = Role::parse(value);
    if role.is_none() {
        errors.push(FieldError::new("role", Invalid::UnknownRole));
    }
    role
}

pub async fn create_user(app: &App, caller: &Caller<'_>, input: &NewUserInput) -> AppResult<User> {
    caller.require(Action::ManageUsers, Target::System)?;
    let mut errors = Vec::new();
    let new = match validate_new_user(&input.username, &input.display_name, input.email.as_deref())
    {
        Ok(new) => Some(new),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let owner = PasswordOwner {
        username: &input.username,
        display_name: &input.display_name,
    };
    check_password("password", &input.password, owner, &mut errors);
    let role = parse_role(input.role.as_deref(), &mut errors);
    // Look-ups on a read connection: the write lock is taken only after the slow hash.
    let mut c = app.db.read().await?;
    let unit = unit_by_optional_code(
        &mut c,
        app,
        "unit_code",
        input.unit_code.as_deref(),
        &mut errors,
    )
    .await?;
    let role_unit = unit_by_optional_code(
        &mut c,
        app,
        "role_unit_code",
        input.role_unit_code.as_deref(),
        &mut errors,
    )
    .await?;
    if let Some(new) = &new
        && users::by_username(&mut c, &new.username).await?.is_some()
    {
        errors.push(FieldError::new("username", Invalid::Taken));
    }
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    drop(c);
    let hash = password::hash(app.settings.password_cost, input.password.clone()).await?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    // A name taken meanwhile is caught by the unique constraint.
    let id = match users::insert(&mut c, &new, unit.as_ref().map(|u| u.id), &hash, now).await {
        Err(StoreError::Duplicate) => return Err(AppError::field("username", Invalid::Taken)),
        other => other?,
    };
    let user = users::get(&mut c, id).await?;
    c.record(NewEvent {
        action: "user.create",
        entity_type: "user",
        entity_id: Some(id.to_string()),
        summary: format!("{} ({})", user.display_name, user.username),
        before: None,
        after: Some(json!(user)),
    })
    .await?;
    if let Some(role) = role {
        add_grant_in(&mut c, app, &user, role, role_unit.as_ref()).await?;
    }
    c.commit_recorded().await?;
    Ok(user)
}

/// Changes to an account as sent by an admin; absent fields stay as they are.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// A mobile number for urgent notices by text message (`0905 123 456`); empty clears it.
    pub phone: Option<String>,
    pub unit_code: Option<String>,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

pub async fn update_user(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    patch: &UserPatch,
) -> AppResult<User> {
    caller.require(Action::ManageUsers, Target::System)?;
    let mut c = app.write(caller).await?;
    let before = users::get(&mut c, id).await?;
    let mut errors = Vec::new();
    let profile = match validate_profile(
        patch
            .display_name
            .as_deref()
            .unwrap_or(&before.display_name),
        patch.email.as_deref().or(before.email.as_deref()),
        patch.phone.as_deref().or(before.phone.as_deref()),
    ) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let unit_id = match patch.unit_code.as_deref() {
        None => before.unit_id,
        Some(code) => unit_by_optional_code(&mut c, app, "unit_code", Some(code), &mut errors)
            .await?
            .map(|u| u.id),
    };
    let Some(profile) = profile.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let active = patch.active.unwrap_or(before.active);
    if !active && caller.user.is_some_and(|u| u.id == id) {
        return Err(AppError::BadRequest(
            "you cannot disable your own account".into(),
        ));
    }
    let changes = UserChanges {
        display_name: profile.display_name,
        email: profile.email,
        phone: profile.phone,
        unit_id,
        active,
    };
    users::update(&mut c, id, &changes, patch.version, app.now()).await?;
    if !active {
        sessions::delete_for_user(&mut c, id, None).await?;
    }
    let after = users::get(&mut c, id).await?;
    let action = match (before.active, after.active) {
        (true, false) => "user.disable",
        (false, true) => "user.enable",
        _ => "user.update",
    };
    c.commit(NewEvent {
        action,
        entity_type: "user",
        entity_id: Some(id.to_string()),
        summary: format!("{} ({})", after.display_name, after.username),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

/// What a new password ended besides the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChanged {
    /// The account's API tokens that were live and are now revoked.
    pub tokens_revoked: u64,
    /// The account's sessions that ended (all of them on a reset, the others on one's
    /// own change).
    pub sessions_ended: u64,
}

impl PasswordChanged {
    /// Says what ended, for the page's message and the API's answer.
    pub fn message(&self, lang: dxplan_domain::Lang) -> String {
        let n = self.tokens_revoked;
        lang.pick(
            format!("Đã đổi mật khẩu. Đã thu hồi {n} mã truy cập API."),
            match n {
                1 => "The password has been changed. 1 API token was revoked.".to_string(),
                n => format!("The password has been changed. {n} API tokens were revoked."),
            },
        )
    }
}

/// A password that may have leaked is what a change or a reset answers, so everything
/// that rode on the old one ends with it: the account's live API tokens are revoked
/// (each audited, a token made while an attacker held the password must not outlive it)
/// and its sessions end, but `keep_session`.
async fn end_what_the_old_password_opened(
    c: &mut Write<'_>,
    app: &App,
    user_id: i64,
    keep_session: Option<&str>,
) -> AppResult<PasswordChanged> {
    let now = app.now();
    let live: Vec<_> = dxplan_store::tokens::list(c, Some(user_id))
        .await?
        .into_iter()
        .filter(|t| t.is_live(now))
        .collect();
    let mut tokens_revoked = 0;
    for token in live {
        let by = c.caller().actor.name.clone();
        if !dxplan_store::tokens::revoke(c, token.id, &by, now).await? {
            continue;
        }
        tokens_revoked += 1;
        let after = dxplan_store::tokens::get(c, token.id).await?;
        c.record(NewEvent {
            action: "token.revoke",
            entity_type: "api_token",
            entity_id: Some(token.id.to_string()),
            summary: format!("{} ({}): password changed", token.name, token.username),
            before: Some(json!(token)),
            after: Some(json!(after)),
        })
        .await?;
    }
    let sessions_ended = sessions::delete_for_user(c, user_id, keep_session).await?;
    Ok(PasswordChanged {
        tokens_revoked,
        sessions_ended,
    })
}

/// On first start nobody can log in: when no active administrator exists, makes the
/// account `admin` (or restores it) with `password` and the system-wide admin role.
/// Returns whether it did.
pub async fn ensure_first_admin(app: &App, caller: &Caller<'_>, password: &str) -> AppResult<bool> {
    caller.require(Action::ManageUsers, Target::System)?;
    let existing = {
        let mut c = app.db.read().await?;
        if users::admin_exists(&mut c).await? {
            return Ok(false);
        }
        users::by_username(&mut c, FIRST_ADMIN).await?
    };
    match existing {
        None => {
            let input = NewUserInput {
                username: FIRST_ADMIN.into(),
                display_name: "Quản trị hệ thống".into(),
                password: password.into(),
                role: Some(Role::Admin.as_str().into()),
                ..Default::default()
            };
            create_user(app, caller, &input).await?;
        }
        Some(user) => {
            reset_password(app, caller, user.id, password).await?;
            match grant_role(app, caller, user.id, Role::Admin.as_str(), None).await {
                // Held already: nothing more to grant.
                Ok(_) | Err(AppError::Validation(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(true)
}

/// The account [`ensure_first_admin`] makes.
pub const FIRST_ADMIN: &str = "admin";

/// An admin sets someone's password; their sessions end and their API tokens are revoked.
pub async fn reset_password(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    new_password: &str,
) -> AppResult<PasswordChanged> {
    caller.require(Action::ManageUsers, Target::System)?;
    let user = {
        let mut c = app.db.read().await?;
        users::get(&mut c, id).await?
    };
    let mut errors = Vec::new();
    let owner = PasswordOwner {
        username: &user.username,
        display_name: &user.display_name,
    };
    check_password("password", new_password, owner, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = password::hash(app.settings.password_cost, new_password.to_string()).await?;
    let mut c = app.write(caller).await?;
    users::set_password(&mut c, id, &hash, app.now()).await?;
    let ended = end_what_the_old_password_opened(&mut c, app, id, None).await?;
    c.commit(NewEvent {
        action: "user.password_reset",
        entity_type: "user",
        entity_id: Some(id.to_string()),
        summary: user.username,
        before: None,
        after: Some(json!(ended)),
    })
    .await?;
    Ok(ended)
}

/// A user changes their own password; their other sessions end and their API tokens
/// are revoked.
pub async fn change_own_password(
    app: &App,
    caller: &Caller<'_>,
    current: &str,
    new_password: &str,
    confirm: &str,
) -> AppResult<PasswordChanged> {
    let user = caller.user.ok_or(AppError::Unauthorized)?;
    let mut errors = Vec::new();
    let owner = PasswordOwner {
        username: &user.username,
        display_name: &user.display_name,
    };
    check_password("new_password", new_password, owner, &mut errors);
    if new_password != confirm {
        errors.push(FieldError::new("confirm", Invalid::Mismatch));
    }
    let stored = {
        let mut c = app.db.read().await?;
        users::password_hash(&mut c, user.id).await?
    };
    if !password::verify(current.to_string(), stored).await {
        errors.insert(0, FieldError::new("current", Invalid::Mismatch));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = password::hash(app.settings.password_cost, new_password.to_string()).await?;
    let mut c = app.write(caller).await?;
    users::set_password(&mut c, user.id, &hash, app.now()).await?;
    let ended =
        end_what_the_old_password_opened(&mut c, app, user.id, Some(&user.session_hash)).await?;
    c.commit(NewEvent {
        action: "user.password_change",
        entity_type: "user",
        entity_id: Some(user.id.to_string()),
        summary: user.username.clone(),
        before: None,
        after: Some(json!(ended)),
    })
    .await?;
    Ok(ended)
}

async fn add_grant_in(
    w: &mut Write<'_>,
    app: &App,
    user: &User,
    role: Role,
    unit: Option<&Unit>,
) -> AppResult<GrantRow> {
    let id = match users::add_grant(w, user.id, role, unit.map(|u| u.id), app.now()).await {
        Err(StoreError::Duplicate) => return Err(AppError::field("role", Invalid::Taken)),
        other => other?,
    };
    let grant = users::grant(w, id).await?;
    let scope = unit.map_or_else(|| "*".to_string(), |u| format!("{} ({})", u.name, u.code));
    w.record(NewEvent {
        action: "user.grant",
        entity_type: "user",
        entity_id: Some(user.id.to_string()),
        summary: format!("{}: {} @ {scope}", user.username, role.as_str()),
        before: None,
        after: Some(json!(grant)),
    })
    .await?;
    Ok(grant)
}

/// Grants a role on a unit (by code), or system-wide when no unit is given.
pub async fn grant_role(
    app: &App,
    caller: &Caller<'_>,
    user_id: i64,
    role: &str,
    unit_code: Option<&str>,
) -> AppResult<GrantRow> {
    caller.require(Action::ManageUsers, Target::System)?;
    let mut errors = Vec::new();
    let role = parse_role(Some(role), &mut errors);
    if role.is_none() && errors.is_empty() {
        errors.push(FieldError::new("role", Invalid::Required));
    }
    let mut c = app.write(caller).await?;
    let user = users::get(&mut c, user_id).await?;
    let unit = unit_by_optional_code(&mut c, app, "unit_code", unit_code, &mut errors).await?;
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let grant = add_grant_in(&mut c, app, &user, role, unit.as_ref()).await?;
    c.commit_recorded().await?;
    Ok(grant)
}

pub async fn revoke_role(
    app: &App,
    caller: &Caller<'_>,
    user_id: i64,
    grant_id: i64,
) -> AppResult<()> {
    caller.require(Action::ManageUsers, Target::System)?;
    let mut c = app.write(caller).await?;
    let grant = users::grant(&mut c, grant_id).await?;
    if grant.user_id != user_id {
        return Err(AppError::NotFound);
    }
    // The last system administrator cannot lock everyone out.
    if grant.role == Role::Admin && grant.unit_id.is_none() {
        users::remove_grant(&mut c, grant_id).await?;
        if !users::admin_exists(&mut c).await? {
            return Err(AppError::BadRequest(
                "the last system administrator cannot be removed".into(),
            ));
        }
    } else {
        users::remove_grant(&mut c, grant_id).await?;
    }
    let user = users::get(&mut c, user_id).await?;
    c.commit(NewEvent {
        action: "user.revoke",
        entity_type: "user",
        entity_id: Some(user_id.to_string()),
        summary: format!(
            "{}: {} @ {}",
            user.username,
            grant.role.as_str(),
            grant.unit_code.as_deref().unwrap_or("*")
        ),
        before: Some(json!(grant)),
        after: None,
    })
    .await?;
    Ok(())
}

/// The units whose accounts a user may see: `None` means all of them.
pub async fn visible_user_units(app: &App, user: &CurrentUser) -> AppResult<Option<Vec<i64>>> {
    if user.may(Action::ViewUsers, Target::System) {
        return Ok(None);
    }
    let roots: Vec<i64> = user
        .grants
        .iter()
        .filter(|g| g.allows(Action::ViewUsers))
        .filter_map(|g| g.unit)
        .collect();
    if roots.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut c = app.db.read().await?;
    Ok(Some(app.subtree(&mut c, &roots).await?.to_vec()))
}

/// How often the caller wants e-mail: `immediate`, `digest` or `off`.
pub async fn set_email_pref(app: &App, caller: &Caller<'_>, pref: &str) -> AppResult<()> {
    let user = caller.user.ok_or(AppError::Unauthorized)?;
    let pref = dxplan_domain::notification::EmailPref::parse(pref)
        .ok_or_else(|| AppError::field("email_pref", Invalid::BadFormat))?;
    let mut c = app.write(caller).await?;
    dxplan_store::notifications::set_email_pref(&mut c, user.id, pref.as_str()).await?;
    c.commit(NewEvent {
        action: "user.email_pref",
        entity_type: "user",
        entity_id: Some(user.id.to_string()),
        summary: format!("{}: {}", user.username, pref.as_str()),
        before: None,
        after: None,
    })
    .await?;
    Ok(())
}
