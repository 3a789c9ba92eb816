//! Evidence files' records (the bytes are on disk, see the web layer's file store).

use serde::Serialize;
use time::OffsetDateTime;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// A stored file's record, for a task or a figure.
pub struct NewAttachment<'a> {
    pub sha256: &'a str,
    pub size: i64,
    pub kind: &'a str,
    pub original_name: &'a str,
    pub uploaded_by: Option<i64>,
    pub uploader_name: &'a str,
}

pub async fn insert(
    c: &mut Conn,
    task_id: i64,
    a: &NewAttachment<'_>,
    now: OffsetDateTime,
) -> Result<i64> {
    insert_record(
        c,
        "INSERT INTO attachments (task_id, sha256, size, kind, original_name, uploaded_by, uploader_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        task_id,
        a,
        now,
    )
    .await
}

/// Runs one of the file-record inserts: `$1` is the owner (task, figure or explanation).
async fn insert_record(
    c: &mut Conn,
    sql: &'static str,
    owner_id: i64,
    a: &NewAttachment<'_>,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| sqlx::query_as(sql)
        .bind(owner_id)
        .bind(a.sha256)
        .bind(a.size)
        .bind(a.kind)
        .bind(a.original_name)
        .bind(a.uploaded_by)
        .bind(a.uploader_name)
        .bind(now)
        .fetch_one(x)
        .await)?;
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

// ---------------------------------------------------------------- files behind figures

/// An evidence file attached to one reported figure.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueFile {
    pub id: i64,
    pub data_value_id: i64,
    pub sha256: String,
    pub size: i64,
    pub kind: String,
    pub original_name: String,
    pub uploader_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Records a file behind a figure.
pub async fn insert_value_file(
    c: &mut Conn,
    data_value_id: i64,
    a: &NewAttachment<'_>,
    now: OffsetDateTime,
) -> Result<i64> {
    insert_record(
        c,
        "INSERT INTO data_value_files (data_value_id, sha256, size, kind, original_name, uploaded_by, uploader_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        data_value_id,
        a,
        now,
    )
    .await
}

macro_rules! select_value_files {
    () => {
        "SELECT id, data_value_id, sha256, size, kind, original_name, uploader_name, created_at FROM data_value_files "
    };
}

pub async fn value_file(c: &mut Conn, id: i64) -> Result<Option<ValueFile>> {
    Ok(q!(c, |x| sqlx::query_as::<_, ValueFile>(concat!(
        select_value_files!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(x)
    .await)?)
}

/// The files behind several figures at once (a whole grid in one query).
pub async fn files_of_values(c: &mut Conn, value_ids: &[i64]) -> Result<Vec<ValueFile>> {
    if value_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let list: Vec<String> = value_ids
        .iter()
        .map(|id| params.push(Arg::Int(*id)))
        .collect();
    let sql = format!(
        concat!(
            select_value_files!(),
            "WHERE data_value_id IN ({}) ORDER BY id"
        ),
        list.join(", ")
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, ValueFile>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

// ---------------------------------------------------------------- files behind an explanation

/// An evidence file a unit sent with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplanationFile {
    pub id: i64,
    pub request_id: i64,
    pub sha256: String,
    pub size: i64,
    pub kind: String,
    pub original_name: String,
    pub uploader_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Records a file sent with an explanation.
pub async fn insert_explanation_file(
    c: &mut Conn,
    request_id: i64,
    a: &NewAttachment<'_>,
    now: OffsetDateTime,
) -> Result<i64> {
    insert_record(
        c,
        "INSERT INTO explanation_files (request_id, sha256, size, kind, original_name, uploaded_by, uploader_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        request_id,
        a,
        now,
    )
    .await
}

macro_rules! select_explanation_files {
    () => {
        "SELECT id, request_id, sha256, size, kind, original_name, uploader_name, created_at FROM explanation_files "
    };
}

pub async fn explanation_file(c: &mut Conn, id: i64) -> Result<Option<ExplanationFile>> {
    Ok(q!(c, |x| sqlx::query_as::<_, ExplanationFile>(concat!(
        select_explanation_files!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(x)
    .await)?)
}

/// The files sent with one request's explanations, oldest first.
pub async fn files_of_explanation(c: &mut Conn, request_id: i64) -> Result<Vec<ExplanationFile>> {
    Ok(q!(c, |x| sqlx::query_as::<_, ExplanationFile>(concat!(
        select_explanation_files!(),
        "WHERE request_id = $1 ORDER BY id"
    ))
    .bind(request_id)
    .fetch_all(x)
    .await)?)
}
