//! Steering committee sessions, their numbered conclusions and the tasks assigned from them.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::macros::q;
use crate::{Conn, Result, StoreError};
use dxplan_domain::task::TaskStatus;

/// Most sessions a plan lists (about one a month).
const SESSIONS_LISTED: i64 = 200;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SteeringSession {
    pub id: i64,
    pub plan_id: i64,
    /// Phiên họp thứ N of the plan, in the order recorded.
    pub number: i64,
    pub held_on: Date,
    pub title: String,
    pub chair: String,
    pub attendees: String,
    /// The conclusion notice's number, once issued.
    pub notice_number: Option<String>,
    pub notice_date: Option<Date>,
    pub created_by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conclusion {
    pub id: i64,
    pub session_id: i64,
    pub number: i64,
    pub text: String,
    pub closed_on: Option<Date>,
    pub closed_note: Option<String>,
}

/// A task assigned from a conclusion, as the session shows it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConclusionTask {
    #[serde(skip)]
    pub conclusion_id: i64,
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub lead_unit_id: i64,
    pub lead_unit_name: String,
    /// None for a regular task, which has no deadline.
    #[serde(serialize_with = "crate::tasks::deadline")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Date>))]
    pub due_date: Date,
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
}

pub struct NewSession<'a> {
    pub plan_id: i64,
    pub held_on: Date,
    pub title: &'a str,
    pub chair: &'a str,
    pub attendees: &'a str,
    pub created_by: &'a str,
}

pub async fn insert_session(c: &mut Conn, s: &NewSession<'_>, now: OffsetDateTime) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO steering_sessions (plan_id, number, held_on, title, chair, attendees, created_by_name, created_at)
         VALUES ($1, (SELECT COALESCE(MAX(number), 0) + 1 FROM steering_sessions WHERE plan_id = $1),
                 $2, $3, $4, $5, $6, $7)
         RETURNING id"
    )
    .bind(s.plan_id)
    .bind(s.held_on)
    .bind(s.title)
    .bind(s.chair)
    .bind(s.attendees)
    .bind(s.created_by)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

pub async fn get_session(c: &mut Conn, id: i64) -> Result<SteeringSession> {
    Ok(q!(c, |x| sqlx::query_as::<_, SteeringSession>(
        "SELECT id, plan_id, number, held_on, title, chair, attendees, notice_number, notice_date,
                created_by_name, created_at
         FROM steering_sessions WHERE id = $1"
    )
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// A plan's sessions in the order they were held.
pub async fn sessions_of_plan(c: &mut Conn, plan_id: i64) -> Result<Vec<SteeringSession>> {
    Ok(q!(c, |x| sqlx::query_as::<_, SteeringSession>(
        "SELECT id, plan_id, number, held_on, title, chair, attendees, notice_number, notice_date,
                created_by_name, created_at
         FROM steering_sessions WHERE plan_id = $1 ORDER BY held_on, id LIMIT $2"
    )
    .bind(plan_id)
    .bind(SESSIONS_LISTED)
    .fetch_all(x)
    .await)?)
}

/// Corrects a session's record (its day, title, chair and attendees); its number stays.
pub async fn update_session(c: &mut Conn, id: i64, s: &NewSession<'_>) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE steering_sessions SET held_on = $2, title = $3, chair = $4, attendees = $5 WHERE id = $1"
    )
    .bind(id)
    .bind(s.held_on)
    .bind(s.title)
    .bind(s.chair)
    .bind(s.attendees)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Adds a conclusion after the session's last one; returns its id and number.
pub async fn add_conclusion(c: &mut Conn, session_id: i64, text: &str) -> Result<(i64, i64)> {
    let (next,): (i64,) = q!(c, |x| sqlx::query_as(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM steering_conclusions WHERE session_id = $1"
    )
    .bind(session_id)
    .fetch_one(x)
    .await)?;
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO steering_conclusions (session_id, number, text) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(session_id)
    .bind(next)
    .bind(text)
    .fetch_one(x)
    .await
    })?;
    Ok((id, next))
}

pub async fn conclusion_count(c: &mut Conn, session_id: i64) -> Result<i64> {
    let (n,): (i64,) = q!(c, |x| sqlx::query_as(
        "SELECT COUNT(*) FROM steering_conclusions WHERE session_id = $1"
    )
    .bind(session_id)
    .fetch_one(x)
    .await)?;
    Ok(n)
}

pub async fn get_conclusion(c: &mut Conn, id: i64) -> Result<Conclusion> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Conclusion>(
        "SELECT id, session_id, number, text, closed_on, closed_note FROM steering_conclusions WHERE id = $1"
    )
    .bind(id)
    .fetch_one(x)
    .await
    })?)
}

/// Every conclusion of the plan's sessions, session by session in number order: the
/// sessions of a plan are few, and a session's briefing looks back over all of them.
pub async fn conclusions_of_plan(c: &mut Conn, plan_id: i64) -> Result<Vec<Conclusion>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Conclusion>(
        "SELECT k.id, k.session_id, k.number, k.text, k.closed_on, k.closed_note
         FROM steering_conclusions k JOIN steering_sessions s ON s.id = k.session_id
         WHERE s.plan_id = $1 ORDER BY s.held_on, s.id, k.number"
    )
    .bind(plan_id)
    .fetch_all(x)
    .await)?)
}

/// The tasks assigned from any conclusion of the plan's sessions, cancelled ones left out.
pub async fn tasks_of_plan(c: &mut Conn, plan_id: i64) -> Result<Vec<ConclusionTask>> {
    Ok(q!(c, |x| sqlx::query_as::<_, ConclusionTask>(
        "SELECT t.conclusion_id, t.id AS task_id, t.code, t.title, t.lead_unit_id,
                u.name AS lead_unit_name, t.due_date, t.status
         FROM tasks t JOIN org_units u ON u.id = t.lead_unit_id
         WHERE t.plan_id = $1 AND t.conclusion_id IS NOT NULL AND t.status <> 'cancelled'
         ORDER BY t.conclusion_id, t.id"
    )
    .bind(plan_id)
    .fetch_all(x)
    .await)?)
}

/// How many tasks a conclusion has had (cancelled ones too): the next task's code follows.
pub async fn task_count(c: &mut Conn, conclusion_id: i64) -> Result<i64> {
    let (n,): (i64,) = q!(c, |x| sqlx::query_as(
        "SELECT COUNT(*) FROM tasks WHERE conclusion_id = $1"
    )
    .bind(conclusion_id)
    .fetch_one(x)
    .await)?;
    Ok(n)
}

pub async fn link_task(c: &mut Conn, task_id: i64, conclusion_id: i64) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE tasks SET conclusion_id = $2 WHERE id = $1"
    )
    .bind(task_id)
    .bind(conclusion_id)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Corrects a conclusion's text (its number and what became of it stay).
pub async fn set_conclusion_text(c: &mut Conn, id: i64, text: &str) -> Result<()> {
    let done = q!(c, |x| sqlx::query(
        "UPDATE steering_conclusions SET text = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(text)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Closes a conclusion with a note (once).
pub async fn close_conclusion(c: &mut Conn, id: i64, day: Date, note: &str) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE steering_conclusions SET closed_on = $2, closed_note = $3 WHERE id = $1 AND closed_on IS NULL"
    )
    .bind(id)
    .bind(day)
    .bind(note)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        get_conclusion(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}

/// Records the conclusion notice as issued (once), and gives its number and date to the
/// session's tasks that were assigned before it had them.
pub async fn issue_notice(c: &mut Conn, session_id: i64, number: &str, day: Date) -> Result<u64> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE steering_sessions SET notice_number = $2, notice_date = $3 WHERE id = $1 AND notice_number IS NULL"
    )
    .bind(session_id)
    .bind(number)
    .bind(day)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        get_session(c, session_id).await?;
        return Err(StoreError::VersionConflict);
    }
    Ok(q!(c, |x| sqlx::query(
        "UPDATE tasks SET assigned_doc_number = $2, assigned_doc_date = $3, version = version + 1
         WHERE conclusion_id IN (SELECT id FROM steering_conclusions WHERE session_id = $1)
           AND (assigned_doc_number IS NULL OR assigned_doc_number = '')"
    )
    .bind(session_id)
    .bind(number)
    .bind(day)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?)
}
