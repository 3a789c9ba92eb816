//! Evidence behind answers (links and files) and the assessment's events.

use serde::Serialize;
use time::OffsetDateTime;

use dxplan_domain::assessment::AssessmentStatus;

use super::ensure_score;
use crate::macros::q;
use crate::{Conn, Result};

// ---------------------------------------------------------------- evidence

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    pub id: i64,
    pub assessment_id: i64,
    pub criterion_code: String,
    pub url: Option<String>,
    #[serde(skip)]
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub kind: Option<String>,
    pub original_name: String,
    pub uploader_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

pub struct NewEvidence<'a> {
    pub url: Option<&'a str>,
    pub sha256: Option<&'a str>,
    pub size: Option<i64>,
    pub kind: Option<&'a str>,
    pub original_name: &'a str,
    pub uploaded_by: Option<i64>,
    pub uploader_name: &'a str,
}

pub async fn add_evidence(
    c: &mut Conn,
    assessment_id: i64,
    code: &str,
    e: &NewEvidence<'_>,
    now: OffsetDateTime,
) -> Result<i64> {
    let score_id = ensure_score(c, assessment_id, code, now).await?;
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO index_evidence (score_id, url, sha256, size, kind, original_name, uploaded_by,
             uploader_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    )
    .bind(score_id)
    .bind(e.url)
    .bind(e.sha256)
    .bind(e.size)
    .bind(e.kind)
    .bind(e.original_name)
    .bind(e.uploaded_by)
    .bind(e.uploader_name)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

macro_rules! select_evidence {
    () => {
        "SELECT e.id, s.assessment_id, s.criterion_code, e.url, e.sha256, e.size, e.kind,
                e.original_name, e.uploader_name, e.created_at
         FROM index_evidence e JOIN index_scores s ON s.id = e.score_id "
    };
}

pub async fn evidence_of(c: &mut Conn, assessment_id: i64) -> Result<Vec<Evidence>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Evidence>(concat!(
        select_evidence!(),
        "WHERE s.assessment_id = $1 ORDER BY e.id"
    ))
    .bind(assessment_id)
    .fetch_all(x)
    .await)?)
}

pub async fn evidence(c: &mut Conn, id: i64) -> Result<Evidence> {
    Ok(q!(c, |x| sqlx::query_as::<_, Evidence>(concat!(
        select_evidence!(),
        "WHERE e.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

// ---------------------------------------------------------------- events

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub id: i64,
    pub actor_name: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub criterion_code: Option<String>,
    pub points_before: Option<f64>,
    pub points_after: Option<f64>,
    pub revision: i64,
    pub comment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Default)]
pub struct NewEvent<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub from_status: Option<AssessmentStatus>,
    pub to_status: Option<AssessmentStatus>,
    pub criterion_code: Option<&'a str>,
    pub points_before: Option<f64>,
    pub points_after: Option<f64>,
    pub revision: i64,
    pub comment: Option<&'a str>,
}

pub async fn add_event(
    c: &mut Conn,
    assessment_id: i64,
    e: &NewEvent<'_>,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "INSERT INTO index_events (assessment_id, actor_id, actor_name, action, from_status,
             to_status, criterion_code, points_before, points_after, revision, comment, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
    .bind(assessment_id)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.action)
    .bind(e.from_status.map(|s| s.as_str()))
    .bind(e.to_status.map(|s| s.as_str()))
    .bind(e.criterion_code)
    .bind(e.points_before)
    .bind(e.points_after)
    .bind(e.revision)
    .bind(e.comment)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn events(c: &mut Conn, assessment_id: i64) -> Result<Vec<Event>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Event>(
        "SELECT id, actor_name, action, from_status, to_status, criterion_code, points_before,
                points_after, revision, comment, created_at
         FROM index_events WHERE assessment_id = $1 ORDER BY id"
    )
    .bind(assessment_id)
    .fetch_all(x)
    .await)?)
}
