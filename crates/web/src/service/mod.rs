//! Use cases: authorisation, validation, the write and its audit event in one
//! transaction. The HTML pages and the JSON API both call these, so the rules live once.

use dxplan_domain::auth::{Action, Role, Target};
use dxplan_domain::unit::{UnitFields, UnitInput, validate_unit};
use dxplan_domain::unit_import::prepare_import;
use dxplan_domain::user::{PasswordOwner, check_password, validate_new_user, validate_profile};
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::{self, Actor, NewEvent};
use dxplan_store::units::{self, ImportOutcome, Unit};
use dxplan_store::users::{self, GrantRow, User, UserChanges};
use dxplan_store::{Conn, StoreError, sessions};
use serde::Deserialize;
use serde_json::json;

/// Put last in an input that flattens another (`#[serde(flatten)]`): refuses whatever
/// field neither part knows. Flattening hides unknown fields from the API's own check
/// (`ApiJson`), and a misspelt field must not be dropped while the answer says all is well.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NoOtherFields;

impl<'de> Deserialize<'de> for NoOtherFields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = NoOtherFields;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("no other fields")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<NoOtherFields, A::Error> {
                match map.next_key::<String>()? {
                    None => Ok(NoOtherFields),
                    Some(key) => Err(serde::de::Error::unknown_field(&key, &[])),
                }
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A file a request carries. Use cases that take one take its *reading* (a future) and
/// await it only once the caller is known to be allowed to send it, so not one byte of a
/// refused body is read, stored or parsed.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file's name as the client gave it (not yet made safe).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    /// A file already at hand (the command line, a kept preview).
    pub fn ready(name: impl Into<String>, bytes: Vec<u8>) -> std::future::Ready<AppResult<Upload>> {
        std::future::ready(Ok(Upload {
            name: name.into(),
            bytes,
        }))
    }
}

/// Reads an uploaded workbook and runs `then` on its first sheet, both on a blocking
/// thread: the reader is bounded (`SheetLimits`) and, with `then`, watches one token that
/// stops them at the deadline or as soon as this request is dropped (a timeout, a client
/// gone), so no core keeps burning for nobody.
pub(crate) async fn with_workbook<T, F>(
    bytes: Vec<u8>,
    then: F,
) -> AppResult<Result<T, dxplan_report::sheet::SheetError>>
where
    T: Send + 'static,
    F: FnOnce(&[Vec<dxplan_domain::plan_import::Cell>], &dxplan_domain::cancel::Cancel) -> T
        + Send
        + 'static,
{
    use dxplan_report::sheet::{DEFAULT_DEADLINE, SheetLimits, read_first_sheet};
    let cancel = dxplan_domain::cancel::Cancel::with_deadline(DEFAULT_DEADLINE);
    let _stop_when_dropped = cancel.drop_guard();
    tokio::task::spawn_blocking(move || {
        let grid = read_first_sheet(&bytes, &SheetLimits::default(), &cancel)?;
        Ok(then(&grid, &cancel))
    })
    .await
    .map_err(|e| AppError::internal(format!("workbook task: {e}")))
}

/// Which units a view of the past is shown in: those that stood then, or today's with
/// history carried forward along the lineage of reorganisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    AsItWas,
    AsItIsNow,
}

impl Structure {
    /// Reads a `structure` parameter (`then` or `now`; empty or absent gives `default`).
    pub fn parse(text: Option<&str>, default: Structure) -> AppResult<Structure> {
        match text.map(str::trim) {
            None | Some("") => Ok(default),
            Some("then") => Ok(Structure::AsItWas),
            Some("now") => Ok(Structure::AsItIsNow),
            Some(_) => Err(AppError::field(
                "structure",
                dxplan_domain::Invalid::BadFormat,
            )),
        }
    }

    /// The parameter's value for links.
    pub fn param(self) -> &'static str {
        match self {
            Structure::AsItWas => "then",
            Structure::AsItIsNow => "now",
        }
    }
}

pub mod assessment;
pub mod dashboard;
pub mod dhis2;
pub mod displays;
pub mod exports;
pub mod index;
pub mod indicators;
pub mod issuer;
pub mod open_data;
pub mod pickers;
pub mod reorg;
pub mod rights;
pub mod tasks;
pub mod tokens;
pub mod webhooks;
pub mod work;

use crate::error::{AppError, AppResult};
use crate::password;
use crate::session::CurrentUser;
use crate::state::AppState;

/// Who is acting: a logged-in user (checked against the policy) or the operator at the
/// command line (trusted: they own the server).
pub struct Caller<'a> {
    pub user: Option<&'a CurrentUser>,
    pub actor: Actor,
}

impl Caller<'_> {
    pub fn cli() -> Caller<'static> {
        Caller {
            user: None,
            actor: Actor {
                user_id: None,
                name: "cli".into(),
                via: "cli",
                client_addr: None,
                request_id: None,
            },
        }
    }

    /// The person acting, in their own session: an API token never hands out standing
    /// access (another token, a wall link), since it could only widen what it was given.
    fn person(&self) -> AppResult<&CurrentUser> {
        let user = self.user.ok_or(AppError::Unauthorized)?;
        if user.token.is_some() {
            return Err(AppError::Forbidden);
        }
        Ok(user)
    }

    fn require(&self, action: Action, target: Target<'_>) -> AppResult<()> {
        match self.user {
            Some(user) => user.require(action, target),
            None => Ok(()),
        }
    }
}

pub(crate) async fn record(
    c: &mut Conn,
    state: &AppState,
    caller: &Caller<'_>,
    event: NewEvent<'_>,
) -> AppResult<()> {
    audit::record(c, &caller.actor, event, state.now()).await?;
    Ok(())
}

// ---------------------------------------------------------------- units

/// Resolves an optional parent code (valid on the child's start date, or today).
async fn resolve_parent(
    c: &mut Conn,
    state: &AppState,
    fields: &UnitFields,
) -> AppResult<Option<Unit>> {
    let Some(code) = &fields.parent_code else {
        return Ok(None);
    };
    let at = fields.valid_from.unwrap_or_else(|| state.today());
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

pub async fn create_unit(
    state: &AppState,
    caller: &Caller<'_>,
    input: &UnitInput,
) -> AppResult<Unit> {
    // Refuse the unauthorised before telling them anything about the data.
    if caller.user.is_some_and(|u| !u.holds(Action::ManageUnits)) {
        return Err(AppError::Forbidden);
    }
    let fields = validate_unit(input).map_err(AppError::Validation)?;
    let mut c = state.db.begin().await?;
    let parent = resolve_parent(&mut c, state, &fields).await?;
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
    let id = units::insert(&mut c, &fields, parent.map(|p| p.id), state.now()).await?;
    let unit = units::get(&mut c, id).await?;
    record(
        &mut c,
        state,
        caller,
        NewEvent {
            action: "unit.create",
            entity_type: "unit",
            entity_id: Some(id.to_string()),
            summary: format!("{} ({})", unit.name, unit.code),
            before: None,
            after: Some(json!(unit)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(unit)
}

/// Edits, moves (new parent) or retires (an end date) a unit.
pub async fn update_unit(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    input: &UnitInput,
    expected_version: Option<i64>,
) -> AppResult<Unit> {
    if caller.user.is_some_and(|u| !u.holds(Action::ManageUnits)) {
        return Err(AppError::Forbidden);
    }
    let mut c = state.db.begin().await?;
    let before = units::get(&mut c, id).await?;
    let lineage = units::lineage(&mut c, id).await?;
    caller.require(Action::ManageUnits, Target::Unit(&lineage))?;
    let fields = validate_unit(input).map_err(AppError::Validation)?;
    let parent = resolve_parent(&mut c, state, &fields).await?;
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
        state.now(),
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
    record(
        &mut c,
        state,
        caller,
        NewEvent {
            action,
            entity_type: "unit",
            entity_id: Some(id.to_string()),
            summary: format!("{} ({})", after.name, after.code),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(after)
}

/// Imports a CSV of units, all or nothing.
pub async fn import_units(
    state: &AppState,
    caller: &Caller<'_>,
    bytes: &[u8],
    source: &str,
) -> AppResult<ImportOutcome> {
    caller.require(Action::ManageUnits, Target::System)?;
    let mut c = state.db.begin().await?;
    let existing = units::existing_for_import(&mut c).await?;
    let plan = prepare_import(bytes, &existing).map_err(AppError::ImportRejected)?;
    let outcome = units::apply_import(&mut c, &plan, state.now()).await?;
    record(
        &mut c,
        state,
        caller,
        NewEvent {
            action: "unit.import",
            entity_type: "unit",
            entity_id: None,
            summary: format!(
                "{source}: {} created, {} updated, {} lineage links",
                outcome.created, outcome.updated, outcome.lineage
            ),
            before: None,
            after: Some(json!(outcome)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(outcome)
}

// ---------------------------------------------------------------- accounts

/// A new account as entered on the form or sent to the API.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
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
    state: &AppState,
    field: &str,
    code: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> AppResult<Option<Unit>> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    // By code or by name, as the pickers offer it.
    match pickers::find_named(c, code, state.today()).await? {
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

pub async fn create_user(
    state: &AppState,
    caller: &Caller<'_>,
    input: &NewUserInput,
) -> AppResult<User> {
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
    let mut c = state.db.read().await?;
    let unit = unit_by_optional_code(
        &mut c,
        state,
        "unit_code",
        input.unit_code.as_deref(),
        &mut errors,
    )
    .await?;
    let role_unit = unit_by_optional_code(
        &mut c,
        state,
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
    let hash = password::hash(state.config.password_cost, input.password.clone()).await?;
    let now = state.now();
    let mut c = state.db.begin().await?;
    // A name taken meanwhile is caught by the unique constraint.
    let id = match users::insert(&mut c, &new, unit.as_ref().map(|u| u.id), &hash, now).await {
        Err(StoreError::Duplicate) => return Err(AppError::field("username", Invalid::Taken)),
        other => other?,
    };
    let user = users::get(&mut c, id).await?;
    record(
        &mut c,
        state,
        caller,
        NewEvent {
            action: "user.create",
            entity_type: "user",
            entity_id: Some(id.to_string()),
            summary: format!("{} ({})", user.display_name, user.username),
            before: None,
            after: Some(json!(user)),
        },
    )
    .await?;
    if let Some(role) = role {
        add_grant_in(&mut c, state, caller, &user, role, role_unit.as_ref()).await?;
    }
    c.commit().await?;
    Ok(user)
}

/// Changes to an account as sent by an admin; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub unit_code: Option<String>,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

pub async fn update_user(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    patch: &UserPatch,
) -> AppResult<User> {
    caller.require(Action::ManageUsers, Target::System)?;
    let mut c = state.db.begin().await?;
    let before = users::get(&mut c, id).await?;
    let mut errors = Vec::new();
    let (display_name, email) = match validate_profile(
        patch
            .display_name
            .as_deref()
            .unwrap_or(&before.display_name),
        patch.email.as_deref().or(before.email.as_deref()),
    ) {
        Ok(v) => v,
        Err(e) => {
            errors.extend(e);
            (String::new(), None)
        }
    };
    let unit_id = match patch.unit_code.as_deref() {
        None => before.unit_id,
        Some(code) => unit_by_optional_code(&mut c, state, "unit_code", Some(code), &mut errors)
            .await?
            .map(|u| u.id),
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let active = patch.active.unwrap_or(before.active);
    if !active && caller.user.is_some_and(|u| u.id == id) {
        return Err(AppError::BadRequest(
            "you cannot disable your own account".into(),
        ));
    }
    let changes = UserChanges {
        display_name,
        email,
        unit_id,
        active,
    };
    users::update(&mut c, id, &changes, patch.version, state.now()).await?;
    if !active {
        sessions::delete_for_user(&mut c, id, None).await?;
    }
    let after = users::get(&mut c, id).await?;
    let action = match (before.active, after.active) {
        (true, false) => "user.disable",
        (false, true) => "user.enable",
        _ => "user.update",
    };
    record(
        &mut c,
        state,
        caller,
        NewEvent {
            action,
            entity_type: "user",
            entity_id: Some(id.to_string()),
            summary: format!("{} ({})", after.display_name, after.username),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(after)
}

/// What a new password ended besides the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
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
    c: &mut Conn,
    state: &AppState,
    caller: &Caller<'_>,
    user_id: i64,
    keep_session: Option<&str>,
) -> AppResult<PasswordChanged> {
    let now = state.now();
    let live: Vec<_> = dxplan_store::tokens::list(c, Some(user_id))
        .await?
        .into_iter()
        .filter(|t| t.is_live(now))
        .collect();
    let mut tokens_revoked = 0;
    for token in live {
        if !dxplan_store::tokens::revoke(c, token.id, &caller.actor.name, now).await? {
            continue;
        }
        tokens_revoked += 1;
        let after = dxplan_store::tokens::get(c, token.id).await?;
        record(
            c,
            state,
            caller,
            NewEvent {
                action: "token.revoke",
                entity_type: "api_token",
                entity_id: Some(token.id.to_string()),
                summary: format!("{} ({}): password changed", token.name, token.username),
                before: Some(json!(token)),
                after: Some(json!(after)),
            },
        )
        .await?;
    }
    let sessions_ended = sessions::delete_for_user(c, user_id, keep_session).await?;
    Ok(PasswordChanged {
        tokens_revoked,
        sessions_ended,
    })
}

/// An admin sets someone's password; their sessions end and their API tokens are revoked.
pub async fn reset_password(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    new_password: &str,
) -> AppResult<PasswordChanged> {
    caller.require(Action::ManageUsers, Target::System)?;
    let user = {
        let mut c = state.db.read().await?;
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
    let hash = password::hash(state.config.password_cost, new_password.to_string()).await?;
    let mut c = state.db.begin().await?;
    users::set_password(&mut c, id, &hash, state.now()).await?;
    let ended = end_what_the_old_password_opened(&mut c, state, caller, id, None).await?;
    record(
        &mut c,
        state,
        caller,
        NewEvent {
            action: "user.password_reset",
            entity_type: "user",
            entity_id: Some(id.to_string()),
            summary: user.username,
            before: None,
            after: Some(json!(ended)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(ended)
}

/// A user changes their own password; their other sessions end and their API tokens
/// are revoked.
pub async fn change_own_password(
    state: &AppState,
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
        let mut c = state.db.read().await?;
        users::password_hash(&mut c, user.id).await?
    };
    if !password::verify(current.to_string(), stored).await {
        errors.insert(0, FieldError::new("current", Invalid::Mismatch));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = password::hash(state.config.password_cost, new_password.to_string()).await?;
    let mut c = state.db.begin().await?;
    users::set_password(&mut c, user.id, &hash, state.now()).await?;
    let ended =
        end_what_the_old_password_opened(&mut c, state, caller, user.id, Some(&user.session_hash))
            .await?;
    record(
        &mut c,
        state,
        caller,
        NewEvent {
            action: "user.password_change",
            entity_type: "user",
            entity_id: Some(user.id.to_string()),
            summary: user.username.clone(),
            before: None,
            after: Some(json!(ended)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(ended)
}

async fn add_grant_in(
    c: &mut Conn,
    state: &AppState,
    caller: &Caller<'_>,
    user: &User,
    role: Role,
    unit: Option<&Unit>,
) -> AppResult<GrantRow> {
    let id = match users::add_grant(c, user.id, role, unit.map(|u| u.id), state.now()).await {
        Err(StoreError::Duplicate) => return Err(AppError::field("role", Invalid::Taken)),
        other => other?,
    };
    let grant = users::grant(c, id).await?;
    let scope = unit.map_or_else(|| "*".to_string(), |u| format!("{} ({})", u.name, u.code));
    record(
        c,
        state,
        caller,
        NewEvent {
            action: "user.grant",
            entity_type: "user",
            entity_id: Some(user.id.to_string()),
            summary: format!("{}: {} @ {scope}", user.username, role.as_str()),
            before: None,
            after: Some(json!(grant)),
        },
    )
    .await?;
    Ok(grant)
}

/// Grants a role on a unit (by code), or system-wide when no unit is given.
pub async fn grant_role(
    state: &AppState,
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
    let mut c = state.db.begin().await?;
    let user = users::get(&mut c, user_id).await?;
    let unit = unit_by_optional_code(&mut c, state, "unit_code", unit_code, &mut errors).await?;
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let grant = add_grant_in(&mut c, state, caller, &user, role, unit.as_ref()).await?;
    c.commit().await?;
    Ok(grant)
}

pub async fn revoke_role(
    state: &AppState,
    caller: &Caller<'_>,
    user_id: i64,
    grant_id: i64,
) -> AppResult<()> {
    caller.require(Action::ManageUsers, Target::System)?;
    let mut c = state.db.begin().await?;
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
    record(
        &mut c,
        state,
        caller,
        NewEvent {
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
        },
    )
    .await?;
    c.commit().await?;
    Ok(())
}

/// The units whose accounts a user may see: `None` means all of them.
pub async fn visible_user_units(
    state: &AppState,
    user: &CurrentUser,
) -> AppResult<Option<Vec<i64>>> {
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
    let mut c = state.db.read().await?;
    Ok(Some(units::subtree_ids(&mut c, &roots).await?))
}

// ---------------------------------------------------------------- sessions

pub struct LoggedIn {
    pub user: User,
    pub set_cookie: String,
    pub csrf: String,
}

/// Checks a username and password, throttled per account and address, per address and
/// per account (see [`crate::throttle`]), and starts a session. Failures are audited; the
/// answer never says which half was wrong. `signed_in` is the session the request
/// already carries, if any: one of this very account vouches for the requester.
pub async fn login(
    state: &AppState,
    meta: &crate::session::RequestMeta,
    username: &str,
    password_given: &str,
    user_agent: Option<&str>,
    signed_in: Option<&CurrentUser>,
) -> AppResult<LoggedIn> {
    let username = username.trim().to_lowercase();
    if username.is_empty()
        || password_given.is_empty()
        || username.len() > 200
        || password_given.len() > 1024
    {
        return Err(AppError::BadCredentials);
    }
    let vouched = match signed_in {
        Some(user) if user.token.is_none() && user.username == username => {
            crate::throttle::Vouched::BySession
        }
        _ => crate::throttle::Vouched::No,
    };
    state
        .throttle
        .attempt(&username, meta.client_addr, vouched)
        .map_err(|wait| AppError::TooManyRequests {
            retry_after_secs: wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0),
        })?;
    let found = {
        let mut c = state.db.read().await?;
        match users::by_username(&mut c, &username).await? {
            Some(user) => {
                let hash = users::password_hash(&mut c, user.id).await?;
                Some((user, hash))
            }
            None => None,
        }
    };
    // Without an account, still spend the time of a real check so timing tells nothing.
    let stored = found
        .as_ref()
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| dummy_hash(state));
    let verified = password::verify(password_given.to_string(), stored).await;
    let actor = Actor {
        user_id: found.as_ref().map(|(u, _)| u.id),
        name: username.clone(),
        via: "web",
        client_addr: meta.client_addr.map(|a| a.to_string()),
        request_id: meta.request_id.clone(),
    };
    let caller = Caller { user: None, actor };
    match found {
        Some((user, _)) if verified && user.active => {
            state.throttle.succeeded(&username, meta.client_addr);
            let (set_cookie, csrf) =
                crate::session::start_session(state, user.id, meta, user_agent).await?;
            let mut c = state.db.begin().await?;
            record(
                &mut c,
                state,
                &caller,
                NewEvent {
                    action: "auth.login",
                    entity_type: "user",
                    entity_id: Some(user.id.to_string()),
                    summary: user.username.clone(),
                    before: None,
                    after: None,
                },
            )
            .await?;
            c.commit().await?;
            Ok(LoggedIn {
                user,
                set_cookie,
                csrf,
            })
        }
        _ => {
            let mut c = state.db.begin().await?;
            record(
                &mut c,
                state,
                &caller,
                NewEvent {
                    action: "auth.login_failed",
                    entity_type: "user",
                    entity_id: caller.actor.user_id.map(|id| id.to_string()),
                    summary: username,
                    before: None,
                    after: None,
                },
            )
            .await?;
            c.commit().await?;
            Err(AppError::BadCredentials)
        }
    }
}

fn dummy_hash(state: &AppState) -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            password::hash_now(state.config.password_cost, "not a password").unwrap_or_default()
        })
        .clone()
}

pub async fn logout(state: &AppState, caller: &Caller<'_>) -> AppResult<()> {
    let Some(user) = caller.user else {
        return Ok(());
    };
    let mut c = state.db.begin().await?;
    sessions::delete(&mut c, &user.session_hash).await?;
    record(
        &mut c,
        state,
        caller,
        NewEvent {
            action: "auth.logout",
            entity_type: "user",
            entity_id: Some(user.id.to_string()),
            summary: user.username.clone(),
            before: None,
            after: None,
        },
    )
    .await?;
    c.commit().await?;
    Ok(())
}

/// How often the caller wants e-mail: `immediate`, `digest` or `off`.
pub async fn set_email_pref(state: &AppState, caller: &Caller<'_>, pref: &str) -> AppResult<()> {
    let user = caller.user.ok_or(AppError::Unauthorized)?;
    let pref = dxplan_domain::notification::EmailPref::parse(pref)
        .ok_or_else(|| AppError::field("email_pref", Invalid::BadFormat))?;
    let mut c = state.db.begin().await?;
    dxplan_store::notifications::set_email_pref(&mut c, user.id, pref.as_str()).await?;
    record(
        &mut c,
        state,
        caller,
        NewEvent {
            action: "user.email_pref",
            entity_type: "user",
            entity_id: Some(user.id.to_string()),
            summary: format!("{}: {}", user.username, pref.as_str()),
            before: None,
            after: None,
        },
    )
    .await?;
    c.commit().await?;
    Ok(())
}
