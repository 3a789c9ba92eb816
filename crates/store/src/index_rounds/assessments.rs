//! Each assessed unit's assessment in a round: its status, reopening, revisions.

use std::collections::HashMap;

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::assessment::AssessmentStatus;

use super::{Round, round};
use crate::macros::q;
use crate::{Conn, Result, StoreError};

// ---------------------------------------------------------------- assessments

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub id: i64,
    pub round_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub status: AssessmentStatus,
    pub reopened_until: Option<Date>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub responded_at: Option<OffsetDateTime>,
    pub revision: i64,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

macro_rules! select_assessments {
    () => {
        "SELECT a.id, a.round_id, a.unit_id, u.code AS unit_code, u.name AS unit_name, a.status,
                a.reopened_until, a.submitted_at, a.responded_at, a.revision, a.version,
                a.updated_at
         FROM index_assessments a JOIN org_units u ON u.id = a.unit_id "
    };
}

pub async fn assessment(c: &mut Conn, id: i64) -> Result<Assessment> {
    Ok(q!(c, |x| sqlx::query_as::<_, Assessment>(concat!(
        select_assessments!(),
        "WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// A round's assessments, by unit code.
pub async fn assessments_of_round(c: &mut Conn, round_id: i64) -> Result<Vec<Assessment>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Assessment>(concat!(
        select_assessments!(),
        "WHERE a.round_id = $1 ORDER BY u.code, a.id"
    ))
    .bind(round_id)
    .fetch_all(x)
    .await)?)
}

/// A unit's assessments, the newest round first.
pub async fn assessments_of_unit(c: &mut Conn, unit_id: i64) -> Result<Vec<Assessment>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Assessment>(concat!(
        select_assessments!(),
        "WHERE a.unit_id = $1 ORDER BY a.round_id DESC"
    ))
    .bind(unit_id)
    .fetch_all(x)
    .await)?)
}

/// The assessments of a unit and of every unit it continues however far back (a new
/// commune's page shows its predecessors' rounds as its history), newest round first.
pub async fn assessments_with_history(c: &mut Conn, unit_id: i64) -> Result<Vec<Assessment>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Assessment>(concat!(
        "WITH RECURSIVE back (id) AS (
             SELECT CAST($1 AS BIGINT)
             UNION SELECT l.predecessor_id FROM unit_lineage l JOIN back ON l.successor_id = back.id
         ) ",
        select_assessments!(),
        "WHERE a.unit_id IN (SELECT id FROM back) ORDER BY a.round_id DESC, u.sort_key"
    ))
    .bind(unit_id)
    .fetch_all(x)
    .await)?)
}

/// Moves an assessment if it still has the version the caller saw.
pub async fn set_status(
    c: &mut Conn,
    id: i64,
    status: AssessmentStatus,
    expected_version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let submitted = (status == AssessmentStatus::SelfAssessed).then_some(now);
    let done = q!(c, |x| {
        sqlx::query(
            "UPDATE index_assessments SET status = $2, submitted_at = COALESCE($3, submitted_at),
                 updated_at = $4, version = version + 1
             WHERE id = $1 AND ($5 IS NULL OR version = $5)",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(submitted)
        .bind(now)
        .bind(expected_version)
        .execute(x)
        .await
        .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        assessment(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}

pub async fn set_reopened_until(
    c: &mut Conn,
    id: i64,
    until: Date,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE index_assessments SET reopened_until = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(until)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records the unit's one response; false when it had already responded.
pub async fn mark_responded(c: &mut Conn, id: i64, now: OffsetDateTime) -> Result<bool> {
    let done = q!(c, |x| sqlx::query(
        "UPDATE index_assessments SET responded_at = $2, updated_at = $2, version = version + 1
         WHERE id = $1 AND responded_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// A correction after publication: the next revision number.
pub async fn next_revision(c: &mut Conn, id: i64, now: OffsetDateTime) -> Result<i64> {
    let (revision,): (i64,) = q!(c, |x| sqlx::query_as(
        "UPDATE index_assessments SET revision = revision + 1, updated_at = $2,
             version = version + 1
         WHERE id = $1 RETURNING revision"
    )
    .bind(id)
    .bind(now)
    .fetch_one(x)
    .await)?;
    Ok(revision)
}

/// The assessments of open rounds still at work (not yet verified), with their rounds: what
/// units have to fill in and round coordinators have to verify.
pub async fn open_assessments(c: &mut Conn) -> Result<Vec<(Assessment, Round)>> {
    let open: Vec<Assessment> = q!(c, |x| sqlx::query_as::<_, Assessment>(concat!(
        select_assessments!(),
        "JOIN index_rounds r ON r.id = a.round_id
         WHERE r.status = 'open' AND a.status IN ('draft', 'self_assessed', 'verifying')
         ORDER BY a.id"
    ))
    .fetch_all(x)
    .await)?;
    let rounds: HashMap<i64, Round> = q!(c, |x| sqlx::query_as::<_, Round>(concat!(
        select_rounds!(),
        "WHERE r.status = 'open'"
    ))
    .fetch_all(x)
    .await)?
    .into_iter()
    .map(|r| (r.id, r))
    .collect();
    Ok(open
        .into_iter()
        .filter_map(|a| rounds.get(&a.round_id).cloned().map(|r| (a, r)))
        .collect())
}

/// Draft assessments whose round closes between two dates (inclusive): whom to remind.
pub async fn drafts_due(c: &mut Conn, from: Date, to: Date) -> Result<Vec<(Assessment, Round)>> {
    let due: Vec<Assessment> = q!(c, |x| sqlx::query_as::<_, Assessment>(concat!(
        select_assessments!(),
        "JOIN index_rounds r ON r.id = a.round_id
         WHERE a.status = 'draft' AND r.status = 'open'
           AND COALESCE(a.reopened_until, r.deadline) BETWEEN $1 AND $2
         ORDER BY a.id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(x)
    .await)?;
    // A handful of rounds are open at a time: read each once.
    let mut rounds: Vec<Round> = Vec::new();
    let mut out = Vec::with_capacity(due.len());
    for a in due {
        let r = match rounds.iter().find(|r| r.id == a.round_id) {
            Some(r) => r.clone(),
            None => {
                let r = round(c, a.round_id).await?;
                rounds.push(r.clone());
                r
            }
        };
        out.push((a, r));
    }
    Ok(out)
}
