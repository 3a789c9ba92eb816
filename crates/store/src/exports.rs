//! Documents generated in the background: a row per request, its status and its bytes.

use serde::Serialize;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportJob {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub query: String,
    pub status: String,
    pub filename: Option<String>,
    pub error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

pub async fn start(
    c: &mut Conn,
    user_id: i64,
    kind: &str,
    query: &str,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| sqlx::query_as(
        "INSERT INTO export_jobs (user_id, kind, query, status, created_at)
         VALUES ($1, $2, $3, 'running', $4) RETURNING id"
    )
    .bind(user_id)
    .bind(kind)
    .bind(query)
    .bind(now)
    .fetch_one(x)
    .await)?;
    Ok(id)
}

pub async fn finish(
    c: &mut Conn,
    id: i64,
    filename: &str,
    content: &[u8],
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE export_jobs SET status = 'done', filename = $2, content = $3, finished_at = $4
         WHERE id = $1 AND status = 'running'"
    )
    .bind(id)
    .bind(filename)
    .bind(content)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn fail(c: &mut Conn, id: i64, error: &str, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE export_jobs SET status = 'failed', error = $2, finished_at = $3
         WHERE id = $1 AND status = 'running'"
    )
    .bind(id)
    .bind(error)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<ExportJob>> {
    Ok(q!(c, |x| sqlx::query_as::<_, ExportJob>(
        "SELECT id, user_id, kind, query, status, filename, error, created_at, finished_at
         FROM export_jobs WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(x)
    .await)?)
}

/// The bytes of a finished job.
pub async fn content(c: &mut Conn, id: i64) -> Result<Option<Vec<u8>>> {
    let row: Option<(Option<Vec<u8>>,)> = q!(c, |x| sqlx::query_as(
        "SELECT content FROM export_jobs WHERE id = $1 AND status = 'done'"
    )
    .bind(id)
    .fetch_optional(x)
    .await)?;
    Ok(row.and_then(|(c,)| c))
}

/// Jobs a restart cut short: no process will finish them now.
pub async fn fail_interrupted(c: &mut Conn, now: OffsetDateTime) -> Result<u64> {
    Ok(q!(c, |x| sqlx::query(
        "UPDATE export_jobs SET status = 'failed', error = 'interrupted', finished_at = $1
         WHERE status = 'running'"
    )
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Removes jobs created before `before`; returns how many.
pub async fn sweep(c: &mut Conn, before: OffsetDateTime) -> Result<u64> {
    Ok(q!(c, |x| sqlx::query(
        "DELETE FROM export_jobs WHERE created_at < $1"
    )
    .bind(before)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?)
}
