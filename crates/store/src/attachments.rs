//! Evidence files' records (the bytes are on disk, see the web layer's file store).

use serde::Serialize;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub task_id: i64,
    pub sha256: String,
    pub size: i64,
    pub kind: String,
    pub original_name: String,
    pub uploader_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

pub struct NewAttachment<'a> {
    pub task_id: i64,
    pub sha256: &'a str,
    pub size: i64,
    pub kind: &'a str,
    pub original_name: &'a str,
    pub uploaded_by: Option<i64>,
    pub uploader_name: &'a str,
}

pub async fn insert(c: &mut Conn, a: &NewAttachment<'_>, now: OffsetDateTime) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO attachments (task_id, sha256, size, kind, original_name, uploaded_by, uploader_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(a.task_id)
    .bind(a.sha256)
    .bind(a.size)
    .bind(a.kind)
    .bind(a.original_name)
    .bind(a.uploaded_by)
    .bind(a.uploader_name)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

macro_rules! select_attachments {
    () => {
        "SELECT id, task_id, sha256, size, kind, original_name, uploader_name, created_at FROM attachments "
    };
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Attachment> {
    Ok(q!(c, |x| sqlx::query_as::<_, Attachment>(concat!(
        select_attachments!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

pub async fn of_task(c: &mut Conn, task_id: i64) -> Result<Vec<Attachment>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Attachment>(concat!(
        select_attachments!(),
        "WHERE task_id = $1 ORDER BY id"
    ))
    .bind(task_id)
    .fetch_all(x)
    .await)?)
}
