//! Kept answers to requests sent with an `Idempotency-Key`.

use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

/// A kept answer.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Kept {
    pub request: String,
    pub status: Option<i64>,
    pub content_type: Option<String>,
    pub body: Option<Vec<u8>>,
    pub created_at: OffsetDateTime,
}

/// Claims a key for a request; false when the key was used already (see [`get`]).
pub async fn claim(
    c: &mut Conn,
    user_id: i64,
    key: &str,
    request: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = q!(c, |x| {
        sqlx::query(
        "INSERT INTO idempotency_keys (user_id, idem_key, request, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, idem_key) DO NOTHING"
    )
    .bind(user_id)
    .bind(key)
    .bind(request)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

/// Takes over a claim whose request never answered (its process stopped) since `before`.
pub async fn take_over(
    c: &mut Conn,
    user_id: i64,
    key: &str,
    before: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = q!(c, |x| sqlx::query(
        "UPDATE idempotency_keys SET created_at = $4
         WHERE user_id = $1 AND idem_key = $2 AND status IS NULL AND created_at < $3"
    )
    .bind(user_id)
    .bind(key)
    .bind(before)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

pub async fn get(c: &mut Conn, user_id: i64, key: &str) -> Result<Option<Kept>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Kept>(
        "SELECT request, status, content_type, body, created_at FROM idempotency_keys
         WHERE user_id = $1 AND idem_key = $2"
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(x)
    .await)?)
}

/// Keeps the answer of a claimed key.
pub async fn keep(
    c: &mut Conn,
    user_id: i64,
    key: &str,
    status: i64,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5
         WHERE user_id = $1 AND idem_key = $2"
    )
    .bind(user_id)
    .bind(key)
    .bind(status)
    .bind(content_type)
    .bind(body)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Lets a key go (its request failed on the server's side: the retry should run again).
pub async fn release(c: &mut Conn, user_id: i64, key: &str) -> Result<()> {
    q!(c, |x| sqlx::query(
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2"
    )
    .bind(user_id)
    .bind(key)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Forgets the keys used before `before`.
pub async fn sweep(c: &mut Conn, before: OffsetDateTime) -> Result<u64> {
    Ok(q!(c, |x| sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at < $1"
    )
    .bind(before)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?)
}
