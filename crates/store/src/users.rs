//! Accounts and the roles granted to them.

use serde::Serialize;
use time::OffsetDateTime;

use dxplan_domain::auth::{Grant, Role};
use dxplan_domain::text::{fold, vi_sort_key};
use dxplan_domain::user::NewUser;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::units::escape_like;
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// The mobile number urgent notices go to by text message (`+84905123456`).
    pub phone: Option<String>,
    /// The unit the person works in (not the scope of their roles).
    pub unit_id: Option<i64>,
    pub active: bool,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

macro_rules! select_users {
    () => {
        "SELECT u.id, u.username, u.display_name, u.email, u.phone, u.unit_id, u.active, u.version, u.created_at FROM users u "
    };
}

pub async fn get(c: &mut Conn, id: i64) -> Result<User> {
    Ok(q!(c, |x| sqlx::query_as::<_, User>(concat!(
        select_users!(),
        "WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

pub async fn by_username(c: &mut Conn, username: &str) -> Result<Option<User>> {
    Ok(q!(c, |x| sqlx::query_as::<_, User>(concat!(
        select_users!(),
        "WHERE u.username = $1"
    ))
    .bind(username.trim().to_lowercase())
    .fetch_optional(x)
    .await)?)
}

/// The stored password hash of an active account, for logging in.
pub async fn password_hash(c: &mut Conn, user_id: i64) -> Result<String> {
    let (hash,): (String,) = q!(c, |x| sqlx::query_as(
        "SELECT password_hash FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_one(x)
    .await)?;
    Ok(hash)
}

pub async fn insert(
    c: &mut Conn,
    user: &NewUser,
    unit_id: Option<i64>,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO users (username, display_name, display_folded, sort_key, email, unit_id, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id"
    )
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(fold(&user.display_name))
    .bind(vi_sort_key(&user.display_name))
    .bind(&user.email)
    .bind(unit_id)
    .bind(password_hash)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

/// The editable fields of an account.
#[derive(Debug, Clone)]
pub struct UserChanges {
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub unit_id: Option<i64>,
    pub active: bool,
}

pub async fn update(
    c: &mut Conn,
    id: i64,
    changes: &UserChanges,
    expected_version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE users SET display_name = $2, display_folded = $3, sort_key = $4, email = $5, unit_id = $6, active = $7,
             updated_at = $8, version = version + 1, phone = $10
         WHERE id = $1 AND ($9 IS NULL OR version = $9)"
    )
    .bind(id)
    .bind(&changes.display_name)
    .bind(fold(&changes.display_name))
    .bind(vi_sort_key(&changes.display_name))
    .bind(&changes.email)
    .bind(changes.unit_id)
    .bind(changes.active)
    .bind(now)
    .bind(expected_version)
    .bind(&changes.phone)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        get(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}

pub async fn set_password(
    c: &mut Conn,
    id: i64,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE users SET password_hash = $2, updated_at = $3, version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(password_hash)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Folded text matched in the display name or the username.
    pub search: Option<String>,
    /// Only accounts that work in one of these units, or hold a role on one of them.
    pub units: Option<Vec<i64>>,
    pub after: Option<(String, i64)>,
    pub limit: u32,
}

pub struct UserPage {
    pub users: Vec<User>,
    pub next: Option<(String, i64)>,
}

#[derive(sqlx::FromRow)]
struct UserWithKey {
    #[sqlx(flatten)]
    user: User,
    sort_key: String,
}

pub async fn list(c: &mut Conn, filter: &UserFilter) -> Result<UserPage> {
    let mut params = Params::default();
    let mut conditions = Vec::new();
    if let Some(search) = filter.search.as_deref().map(fold).filter(|s| !s.is_empty()) {
        let p = params.push(Arg::Text(format!("%{}%", escape_like(&search))));
        conditions.push(format!(
            "(u.display_folded LIKE {p} ESCAPE '\\' OR u.username LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(units) = &filter.units {
        if units.is_empty() {
            return Ok(UserPage {
                users: Vec::new(),
                next: None,
            });
        }
        let list: Vec<String> = units.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let list = list.join(", ");
        conditions.push(format!(
            "(u.unit_id IN ({list}) OR EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.unit_id IN ({list})))"
        ));
    }
    if let Some((key, id)) = &filter.after {
        let k = params.push(Arg::Text(key.clone()));
        let i = params.push(Arg::Int(*id));
        conditions.push(format!(
            "(u.sort_key > {k} OR (u.sort_key = {k} AND u.id > {i}))"
        ));
    }
    let limit = filter.limit.clamp(1, 500);
    let sql = format!(
        "SELECT u.id, u.username, u.display_name, u.email, u.phone, u.unit_id, u.active, u.version, u.created_at, u.sort_key
         FROM users u {} ORDER BY u.sort_key, u.id LIMIT {}",
        if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) },
        limit + 1
    );
    let rows: Vec<UserWithKey> = q!(c, |x| bind_all!(
        sqlx::query_as::<_, UserWithKey>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?;
    let next = (rows.len() > limit as usize)
        .then(|| {
            rows.get(limit as usize - 1)
                .map(|r| (r.sort_key.clone(), r.user.id))
        })
        .flatten();
    Ok(UserPage {
        users: rows
            .into_iter()
            .take(limit as usize)
            .map(|r| r.user)
            .collect(),
        next,
    })
}

/// A role grant as stored, with the name of its unit for display.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub unit_id: Option<i64>,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
}

impl GrantRow {
    pub fn grant(&self) -> Grant {
        Grant::new(self.role, self.unit_id)
    }
}

macro_rules! select_grants {
    () => {
        "SELECT g.id, g.user_id, g.role, g.unit_id, o.code AS unit_code, o.name AS unit_name
         FROM role_grants g LEFT JOIN org_units o ON o.id = g.unit_id "
    };
}

pub async fn grants(c: &mut Conn, user_id: i64) -> Result<Vec<GrantRow>> {
    Ok(q!(c, |x| sqlx::query_as::<_, GrantRow>(concat!(
        select_grants!(),
        "WHERE g.user_id = $1 ORDER BY g.role, g.id"
    ))
    .bind(user_id)
    .fetch_all(x)
    .await)?)
}

/// The grants of several accounts at once (list pages: one query, not one per row).
pub async fn grants_of(c: &mut Conn, user_ids: &[i64]) -> Result<Vec<GrantRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let list: Vec<String> = user_ids
        .iter()
        .map(|id| params.push(Arg::Int(*id)))
        .collect();
    let sql = format!(
        concat!(
            select_grants!(),
            "WHERE g.user_id IN ({}) ORDER BY g.role, g.id"
        ),
        list.join(", ")
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, GrantRow>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

pub async fn grant(c: &mut Conn, id: i64) -> Result<GrantRow> {
    Ok(q!(c, |x| sqlx::query_as::<_, GrantRow>(concat!(
        select_grants!(),
        "WHERE g.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// Grants a role; granting the same role on the same unit twice is refused as a duplicate.
pub async fn add_grant(
    c: &mut Conn,
    user_id: i64,
    role: Role,
    unit_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO role_grants (user_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(user_id)
    .bind(role.as_str())
    .bind(unit_id)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

pub async fn remove_grant(c: &mut Conn, id: i64) -> Result<()> {
    let done = q!(c, |x| sqlx::query("DELETE FROM role_grants WHERE id = $1")
        .bind(id)
        .execute(x)
        .await
        .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Is there an active account holding a system-wide admin grant?
pub async fn admin_exists(c: &mut Conn) -> Result<bool> {
    let row: Option<(i64,)> = q!(c, |x| sqlx::query_as(
        "SELECT g.id FROM role_grants g JOIN users u ON u.id = g.user_id
         WHERE g.role = 'admin' AND g.unit_id IS NULL AND u.active = TRUE LIMIT 1"
    )
    .fetch_optional(x)
    .await)?;
    Ok(row.is_some())
}

pub async fn count(c: &mut Conn) -> Result<i64> {
    let (n,): (i64,) = q!(c, |x| sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(x)
        .await)?;
    Ok(n)
}

/// The active people with a unit role (officer or head) granted on the unit itself: who
/// may answer for its tasks. Id, username and name, by name.
pub async fn staff_of(c: &mut Conn, unit_id: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(q!(c, |x| sqlx::query_as(
        "SELECT DISTINCT u.id, u.username, u.display_name, u.sort_key FROM users u
         JOIN role_grants g ON g.user_id = u.id
         WHERE g.unit_id = $1 AND g.role IN ('unit_editor', 'unit_approver') AND u.active
         ORDER BY u.sort_key, u.id"
    )
    .bind(unit_id)
    .fetch_all(x)
    .await)?
    .into_iter()
    .map(|(id, username, name, _sort): (i64, String, String, String)| (id, username, name))
    .collect())
}
