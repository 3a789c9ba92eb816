//! Criterion scores: the unit's answers, verification, the response, final points.

use serde::Serialize;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

// ---------------------------------------------------------------- scores

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    pub id: i64,
    pub assessment_id: i64,
    pub criterion_code: String,
    /// JSON of `dxplan_domain::scoring::Answer`.
    pub answer: Option<String>,
    pub self_points: Option<f64>,
    pub explanation: Option<String>,
    /// `accepted` or `adjusted`.
    pub verification: Option<String>,
    pub verified_points: Option<f64>,
    pub verifier_comment: Option<String>,
    pub verified_by: Option<String>,
    pub response: Option<String>,
    pub final_points: Option<f64>,
}

macro_rules! select_scores {
    () => {
        "SELECT s.id, s.assessment_id, s.criterion_code, s.answer, s.self_points, s.explanation,
                s.verification, s.verified_points, s.verifier_comment, s.verified_by, s.response,
                s.final_points
         FROM index_scores s "
    };
}

pub async fn scores(c: &mut Conn, assessment_id: i64) -> Result<Vec<Score>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Score>(concat!(
        select_scores!(),
        "WHERE s.assessment_id = $1 ORDER BY s.id"
    ))
    .bind(assessment_id)
    .fetch_all(x)
    .await)?)
}

/// Every score of a round in one read (results and rankings).
pub async fn scores_of_round(c: &mut Conn, round_id: i64) -> Result<Vec<Score>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Score>(concat!(
        select_scores!(),
        "JOIN index_assessments a ON a.id = s.assessment_id
         WHERE a.round_id = $1 ORDER BY s.assessment_id, s.id"
    ))
    .bind(round_id)
    .fetch_all(x)
    .await)?)
}

/// The unit's answer to a criterion (created on first save).
pub async fn save_answer(
    c: &mut Conn,
    assessment_id: i64,
    code: &str,
    answer: &str,
    points: Option<f64>,
    explanation: Option<&str>,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO index_scores (assessment_id, criterion_code, answer, self_points, explanation,
             updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (assessment_id, criterion_code) DO UPDATE SET answer = excluded.answer,
             self_points = excluded.self_points, explanation = excluded.explanation,
             updated_at = excluded.updated_at
         RETURNING id"
    )
    .bind(assessment_id)
    .bind(code)
    .bind(answer)
    .bind(points)
    .bind(explanation)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

/// The score row of a criterion, created empty when the unit has not answered it (a
/// verifier can decide on, and evidence can hang from, an unanswered criterion).
pub async fn ensure_score(
    c: &mut Conn,
    assessment_id: i64,
    code: &str,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO index_scores (assessment_id, criterion_code, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (assessment_id, criterion_code) DO UPDATE SET updated_at = index_scores.updated_at
         RETURNING id"
    )
    .bind(assessment_id)
    .bind(code)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

pub struct VerificationWrite<'a> {
    pub verification: &'a str,
    pub points: f64,
    pub comment: Option<&'a str>,
    pub verified_by: &'a str,
}

pub async fn verify(
    c: &mut Conn,
    assessment_id: i64,
    code: &str,
    v: &VerificationWrite<'_>,
    now: OffsetDateTime,
) -> Result<()> {
    let id = ensure_score(c, assessment_id, code, now).await?;
    q!(c, |x| sqlx::query(
        "UPDATE index_scores SET verification = $2, verified_points = $3, verifier_comment = $4,
             verified_by = $5, verified_at = $6, updated_at = $6
         WHERE id = $1"
    )
    .bind(id)
    .bind(v.verification)
    .bind(v.points)
    .bind(v.comment)
    .bind(v.verified_by)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn set_response(
    c: &mut Conn,
    assessment_id: i64,
    code: &str,
    response: &str,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE index_scores SET response = $3, updated_at = $4
         WHERE assessment_id = $1 AND criterion_code = $2"
    )
    .bind(assessment_id)
    .bind(code)
    .bind(response)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Closing verification: the verified points become the final ones.
pub async fn finalize_scores(c: &mut Conn, assessment_id: i64, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE index_scores SET final_points = verified_points, updated_at = $2
         WHERE assessment_id = $1"
    )
    .bind(assessment_id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn set_final_points(
    c: &mut Conn,
    assessment_id: i64,
    code: &str,
    points: f64,
    now: OffsetDateTime,
) -> Result<()> {
    let id = ensure_score(c, assessment_id, code, now).await?;
    q!(c, |x| sqlx::query(
        "UPDATE index_scores SET final_points = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(points)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}
