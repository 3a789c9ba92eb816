//! API tokens: stored by the hash of their secret, never the secret itself.

use serde::Serialize;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Token {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub prefix: String,
    /// `read` or `read_write`.
    pub access: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    pub revoked_by: Option<String>,
}

impl Token {
    /// Usable now: neither revoked nor expired.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub access: &'a str,
    pub unit_id: Option<i64>,
    pub expires_at: OffsetDateTime,
}

macro_rules! select_tokens {
    () => {
        "SELECT t.id, t.user_id, us.username, t.name, t.prefix, t.access, t.unit_id,
                u.name AS unit_name, t.expires_at, t.created_at, t.last_used_at, t.revoked_at,
                t.revoked_by
         FROM api_tokens t
         JOIN users us ON us.id = t.user_id
         LEFT JOIN org_units u ON u.id = t.unit_id "
    };
}

pub async fn insert(c: &mut Conn, t: &NewToken<'_>, now: OffsetDateTime) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, access, unit_id, expires_at,
             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(t.user_id)
    .bind(t.name)
    .bind(t.token_hash)
    .bind(t.prefix)
    .bind(t.access)
    .bind(t.unit_id)
    .bind(t.expires_at)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Token> {
    Ok(q!(c, |x| sqlx::query_as::<_, Token>(concat!(
        select_tokens!(),
        "WHERE t.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// The token with this secret's hash, live or not (the caller says which refusal applies).
pub async fn by_hash(c: &mut Conn, hash: &str) -> Result<Option<Token>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Token>(concat!(
        select_tokens!(),
        "WHERE t.token_hash = $1"
    ))
    .bind(hash)
    .fetch_optional(x)
    .await)?)
}

/// A user's tokens, or everyone's (`None`), newest first.
pub async fn list(c: &mut Conn, user_id: Option<i64>) -> Result<Vec<Token>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Token>(concat!(
        select_tokens!(),
        "WHERE ($1 IS NULL OR t.user_id = $1) ORDER BY t.id DESC LIMIT 500"
    ))
    .bind(user_id)
    .fetch_all(x)
    .await)?)
}

pub async fn touch(c: &mut Conn, id: i64, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Revokes a live token; false when it was already revoked.
pub async fn revoke(c: &mut Conn, id: i64, by: &str, now: OffsetDateTime) -> Result<bool> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL"
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
