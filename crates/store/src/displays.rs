//! Wall displays: links to one unit's dashboard for a screen, stored by the hash of their
//! secret, never the secret itself.

use serde::Serialize;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Display {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub prefix: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    pub revoked_by: Option<String>,
}

pub struct NewDisplay<'a> {
    pub name: &'a str,
    pub unit_id: i64,
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub created_by: &'a str,
}

macro_rules! select_displays {
    () => {
        "SELECT d.id, d.name, d.unit_id, u.code AS unit_code, u.name AS unit_name, d.prefix,
                d.created_by, d.created_at, d.last_used_at, d.revoked_at, d.revoked_by
         FROM wall_displays d
         JOIN org_units u ON u.id = d.unit_id "
    };
}

pub async fn insert(c: &mut Conn, d: &NewDisplay<'_>, now: OffsetDateTime) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
            "INSERT INTO wall_displays (name, unit_id, token_hash, prefix, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(d.name)
        .bind(d.unit_id)
        .bind(d.token_hash)
        .bind(d.prefix)
        .bind(d.created_by)
        .bind(now)
        .fetch_one(x)
        .await
    })?;
    Ok(id)
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<Display>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Display>(concat!(
        select_displays!(),
        "WHERE d.id = $1"
    ))
    .bind(id)
    .fetch_optional(x)
    .await)?)
}

/// The display whose secret has this hash, revoked or not.
pub async fn by_hash(c: &mut Conn, hash: &str) -> Result<Option<Display>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Display>(concat!(
        select_displays!(),
        "WHERE d.token_hash = $1"
    ))
    .bind(hash)
    .fetch_optional(x)
    .await)?)
}

/// Every display, newest first (a province has a handful of screens; bounded all the same).
pub async fn list(c: &mut Conn) -> Result<Vec<Display>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Display>(concat!(
        select_displays!(),
        "ORDER BY d.id DESC LIMIT 500"
    ))
    .fetch_all(x)
    .await)?)
}

pub async fn touch(c: &mut Conn, id: i64, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE wall_displays SET last_used_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Revokes a live display; false when it was already revoked.
pub async fn revoke(c: &mut Conn, id: i64, by: &str, now: OffsetDateTime) -> Result<bool> {
    let done = q!(c, |x| {
        sqlx::query(
            "UPDATE wall_displays SET revoked_at = $2, revoked_by = $3
             WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(by)
        .execute(x)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}
