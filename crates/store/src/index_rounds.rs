//! Assessment rounds, each assessed unit's assessment, its criterion scores, evidence and
//! events; and the criteria a task aims to improve.

use std::collections::HashMap;

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::assessment::AssessmentStatus;

use crate::macros::q;
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Round {
    pub id: i64,
    pub framework_id: i64,
    pub framework_name: String,
    pub unit_kinds: String,
    pub name: String,
    pub year: i64,
    pub run_by_unit_id: i64,
    pub run_by_name: String,
    pub deadline: Date,
    /// `open` or `published`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    pub version: i64,
}

impl Round {
    pub fn is_published(&self) -> bool {
        self.status == "published"
    }
}

pub struct RoundWrite<'a> {
    pub framework_id: i64,
    pub name: &'a str,
    pub year: i64,
    pub run_by_unit_id: i64,
    pub deadline: Date,
}

macro_rules! select_rounds {
    () => {
        "SELECT r.id, r.framework_id, f.name AS framework_name, f.unit_kinds, r.name, r.year,
                r.run_by_unit_id, u.name AS run_by_name, r.deadline, r.status, r.published_at,
                r.version
         FROM index_rounds r
         JOIN index_frameworks f ON f.id = r.framework_id
         JOIN org_units u ON u.id = r.run_by_unit_id "
    };
}

/// A round and a draft assessment for each unit, in the caller's transaction.
pub async fn insert_round(
    c: &mut Conn,
    r: &RoundWrite<'_>,
    unit_ids: &[i64],
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
            "INSERT INTO index_rounds (framework_id, name, year, run_by_unit_id, deadline, status,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $6) RETURNING id",
        )
        .bind(r.framework_id)
        .bind(r.name)
        .bind(r.year)
        .bind(r.run_by_unit_id)
        .bind(r.deadline)
        .bind(now)
        .fetch_one(x)
        .await
    })?;
    for unit_id in unit_ids {
        q!(c, |x| {
            sqlx::query(
                "INSERT INTO index_assessments (round_id, unit_id, status, updated_at)
                 VALUES ($1, $2, 'draft', $3)",
            )
            .bind(id)
            .bind(unit_id)
            .bind(now)
            .execute(x)
            .await
            .map(|_| ())
        })?;
    }
    Ok(id)
}

/// Every round, the newest year first.
pub async fn rounds(c: &mut Conn) -> Result<Vec<Round>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Round>(concat!(
        select_rounds!(),
        "ORDER BY r.year DESC, r.id DESC"
    ))
    .fetch_all(x)
    .await)?)
}

pub async fn round(c: &mut Conn, id: i64) -> Result<Round> {
    Ok(q!(c, |x| sqlx::query_as::<_, Round>(concat!(
        select_rounds!(),
        "WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// The published round of the year before, run by the same unit with a framework for the
/// same kinds of unit: what "change since last year" compares with.
pub async fn previous_published(c: &mut Conn, round: &Round) -> Result<Option<Round>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Round>(concat!(
        select_rounds!(),
        "WHERE r.run_by_unit_id = $1 AND r.year = $2 AND r.status = 'published'
           AND f.unit_kinds = $3
         ORDER BY r.id DESC LIMIT 1"
    ))
    .bind(round.run_by_unit_id)
    .bind(round.year - 1)
    .bind(&round.unit_kinds)
    .fetch_optional(x)
    .await)?)
}

/// Every unit's immediate predecessors (successor → predecessors in the units' order),
/// read in one query: a merged unit's "last year" is its predecessors' results, and the
/// walk back may need more than one step. The lineage of a province is a few hundred
/// rows at most, so reading it whole is cheaper than a query per unit.
pub async fn predecessors_by_unit(c: &mut Conn) -> Result<HashMap<i64, Vec<i64>>> {
    let edges: Vec<(i64, i64)> = q!(c, |x| sqlx::query_as(
        "SELECT l.successor_id, l.predecessor_id FROM unit_lineage l
           JOIN org_units u ON u.id = l.predecessor_id
         ORDER BY l.successor_id, u.sort_key, u.id"
    )
    .fetch_all(x)
    .await)?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (successor, predecessor) in edges {
        out.entry(successor).or_default().push(predecessor);
    }
    Ok(out)
}

/// Publishes a round and every verified assessment in it.
pub async fn publish_round(c: &mut Conn, id: i64, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE index_rounds SET status = 'published', published_at = $2, updated_at = $2,
             version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    q!(c, |x| sqlx::query(
        "UPDATE index_assessments SET status = 'published', updated_at = $2, version = version + 1
         WHERE round_id = $1 AND status = 'verified'"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

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

// ---------------------------------------------------------------- tasks ↔ criteria

/// A criterion a task aims to improve, named for display.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedCriterion {
    pub task_id: i64,
    pub task_code: String,
    pub task_title: String,
    pub task_status: String,
    pub criterion_id: i64,
    pub framework_id: i64,
    pub framework_code: String,
    pub criterion_code: String,
    pub criterion_name: String,
}

macro_rules! select_links {
    () => {
        "SELECT t.id AS task_id, t.code AS task_code, t.title AS task_title,
                t.status AS task_status, k.id AS criterion_id, f.id AS framework_id,
                f.code AS framework_code, k.code AS criterion_code, k.name AS criterion_name
         FROM task_criteria l
         JOIN tasks t ON t.id = l.task_id
         JOIN index_criteria k ON k.id = l.criterion_id
         JOIN index_frameworks f ON f.id = k.framework_id "
    };
}

/// Replaces the criteria a task names.
pub async fn set_task_criteria(c: &mut Conn, task_id: i64, criterion_ids: &[i64]) -> Result<()> {
    q!(c, |x| sqlx::query(
        "DELETE FROM task_criteria WHERE task_id = $1"
    )
    .bind(task_id)
    .execute(x)
    .await
    .map(|_| ()))?;
    for id in criterion_ids {
        q!(c, |x| sqlx::query(
            "INSERT INTO task_criteria (task_id, criterion_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING"
        )
        .bind(task_id)
        .bind(id)
        .execute(x)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

pub async fn criteria_of_task(c: &mut Conn, task_id: i64) -> Result<Vec<LinkedCriterion>> {
    Ok(q!(c, |x| sqlx::query_as::<_, LinkedCriterion>(concat!(
        select_links!(),
        "WHERE l.task_id = $1 ORDER BY f.year DESC, k.position"
    ))
    .bind(task_id)
    .fetch_all(x)
    .await)?)
}

/// The tasks linked to any criterion of a framework, optionally only those led by some
/// units (a unit's own work).
pub async fn links_of_framework(c: &mut Conn, framework_id: i64) -> Result<Vec<LinkedCriterion>> {
    Ok(q!(c, |x| sqlx::query_as::<_, LinkedCriterion>(concat!(
        select_links!(),
        "WHERE k.framework_id = $1 ORDER BY k.position, t.code"
    ))
    .bind(framework_id)
    .fetch_all(x)
    .await)?)
}

/// Tasks led by a unit that name a criterion, with the criterion.
pub async fn links_of_unit(c: &mut Conn, unit_id: i64) -> Result<Vec<LinkedCriterion>> {
    Ok(q!(c, |x| sqlx::query_as::<_, LinkedCriterion>(concat!(
        select_links!(),
        "WHERE t.lead_unit_id = $1 ORDER BY f.year DESC, k.position, t.code"
    ))
    .bind(unit_id)
    .fetch_all(x)
    .await)?)
}

/// A criterion by its framework and code.
pub async fn criterion_id(c: &mut Conn, framework_id: i64, code: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = q!(c, |x| sqlx::query_as(
        "SELECT id FROM index_criteria WHERE framework_id = $1 AND code = $2"
    )
    .bind(framework_id)
    .bind(code)
    .fetch_optional(x)
    .await)?;
    Ok(row.map(|(id,)| id))
}

/// Tasks of a year's plan with the kind of their lead unit (for linking demo work to
/// criteria).
pub async fn tasks_of_year(c: &mut Conn, year: i64) -> Result<Vec<(i64, String)>> {
    Ok(q!(c, |x| sqlx::query_as(
        "SELECT t.id, u.kind FROM tasks t
         JOIN plans p ON p.id = t.plan_id
         JOIN org_units u ON u.id = t.lead_unit_id
         WHERE p.year = $1 ORDER BY t.id"
    )
    .bind(year)
    .fetch_all(x)
    .await)?)
}

/// Sets when a round was published (demo history).
pub async fn set_published_at(c: &mut Conn, id: i64, at: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE index_rounds SET published_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(at)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A leaf criterion a task may name: of a framework for the year that assesses units of
/// the given kind.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CriterionChoice {
    pub criterion_id: i64,
    pub framework_id: i64,
    pub framework_code: String,
    pub code: String,
    pub name: String,
}

pub async fn criteria_for(c: &mut Conn, year: i64, kind: &str) -> Result<Vec<CriterionChoice>> {
    let rows: Vec<CriterionChoice> = q!(c, |x| {
        sqlx::query_as::<_, CriterionChoice>(
        "SELECT k.id AS criterion_id, f.id AS framework_id, f.code AS framework_code, k.code, k.name
         FROM index_criteria k JOIN index_frameworks f ON f.id = k.framework_id
         WHERE f.year = $1 AND k.rule IS NOT NULL
         ORDER BY f.code, k.position"
    )
    .bind(year)
    .fetch_all(x)
    .await
    })?;
    // Unit kinds are a short comma-separated list: filter here, the same on both engines.
    let kinds = frameworks_of_kind(c, year, kind).await?;
    Ok(rows
        .into_iter()
        .filter(|r| kinds.contains(&r.framework_id))
        .collect())
}

async fn frameworks_of_kind(c: &mut Conn, year: i64, kind: &str) -> Result<Vec<i64>> {
    let rows: Vec<(i64, String)> = q!(c, |x| sqlx::query_as(
        "SELECT id, unit_kinds FROM index_frameworks WHERE year = $1"
    )
    .bind(year)
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .filter(|(_, kinds)| kinds.split(',').any(|k| k == kind))
        .map(|(id, _)| id)
        .collect())
}

/// Criteria fed by an indicator, with their framework.
pub async fn criteria_fed_by(c: &mut Conn, indicator_id: i64) -> Result<Vec<CriterionChoice>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, CriterionChoice>(
        "SELECT k.id AS criterion_id, f.id AS framework_id, f.code AS framework_code, k.code, k.name
         FROM index_criteria k JOIN index_frameworks f ON f.id = k.framework_id
         WHERE k.indicator_id = $1
         ORDER BY f.year DESC, f.code, k.position"
    )
    .bind(indicator_id)
    .fetch_all(x)
    .await
    })?)
}
