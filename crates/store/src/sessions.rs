//! Server-side login sessions. Only a hash of the session token is stored, so a copy
//! of the database does not let anyone log in.

use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: i64,
    pub csrf_token: String,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub csrf_token: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub client_addr: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn create(c: &mut Conn, s: &NewSession<'_>) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, client_addr, user_agent)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)"
    )
    .bind(s.id_hash)
    .bind(s.user_id)
    .bind(s.csrf_token)
    .bind(s.now)
    .bind(s.expires_at)
    .bind(s.client_addr)
    .bind(s.user_agent.map(|ua| ua.chars().take(300).collect::<String>()))
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A live session: not past its absolute expiry, seen after `idle_since`, and of an active account.
pub async fn find(
    c: &mut Conn,
    id_hash: &str,
    now: OffsetDateTime,
    idle_since: OffsetDateTime,
) -> Result<Option<SessionRow>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, SessionRow>(
        "SELECT s.user_id, s.csrf_token, s.last_seen_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.active = TRUE"
    )
    .bind(id_hash)
    .bind(now)
    .bind(idle_since)
    .fetch_optional(x)
    .await
    })?)
}

pub async fn touch(c: &mut Conn, id_hash: &str, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1"
    )
    .bind(id_hash)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(c: &mut Conn, id_hash: &str) -> Result<()> {
    q!(c, |x| sqlx::query(
        "DELETE FROM sessions WHERE id_hash = $1"
    )
    .bind(id_hash)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of an account (password changed, account disabled), except one.
pub async fn delete_for_user(c: &mut Conn, user_id: i64, except_hash: Option<&str>) -> Result<u64> {
    let done = q!(c, |x| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2"
    )
    .bind(user_id)
    .bind(except_hash.unwrap_or(""))
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Removes sessions that can no longer be used.
pub async fn purge_expired(
    c: &mut Conn,
    now: OffsetDateTime,
    idle_since: OffsetDateTime,
) -> Result<u64> {
    let done = q!(c, |x| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2"
    )
    .bind(now)
    .bind(idle_since)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}
