//! Explanation requests (yêu cầu giải trình) and the thread of questions and answers
//! behind each.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::explanation::{Status, Subject};

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

/// Most requests one page lists.
pub const PAGE_MAX: i64 = 200;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Request {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    #[sqlx(try_from = "String")]
    pub subject: Subject,
    pub task_id: Option<i64>,
    pub indicator_id: Option<i64>,
    pub indicator_code: Option<String>,
    /// The figure's period (`2026-Q3`), for a figure.
    pub period: Option<String>,
    /// What it is about, as it read when asked.
    pub subject_title: String,
    /// The question awaiting an answer (the last one asked).
    pub question: String,
    pub deadline: Date,
    #[sqlx(try_from = "String")]
    pub status: Status,
    #[serde(skip)]
    pub asked_by: Option<i64>,
    pub asked_by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub asked_at: OffsetDateTime,
    /// When it was raised to the unit's head for being unanswered past its deadline.
    #[serde(with = "time::serde::rfc3339::option")]
    pub escalated_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

/// One message of a request's thread: a question, an answer, or the asker's decision.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    /// `question`, `answer`, `accept`, `ask_again` or `withdraw`.
    pub kind: String,
    pub body: String,
    /// A question's deadline.
    pub deadline: Option<Date>,
    pub author_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

pub struct NewRequest<'a> {
    pub unit_id: i64,
    pub subject: Subject,
    pub task_id: Option<i64>,
    pub indicator_id: Option<i64>,
    pub period: Option<&'a str>,
    pub subject_title: &'a str,
    pub question: &'a str,
    pub deadline: Date,
    pub asked_by: Option<i64>,
    pub asked_by_name: &'a str,
}

macro_rules! select_requests {
    () => {
        "SELECT r.id, r.unit_id, o.code AS unit_code, o.name AS unit_name, r.subject, r.task_id,
                r.indicator_id, i.code AS indicator_code, r.period, r.subject_title, r.question,
                r.deadline, r.status, r.asked_by, r.asked_by_name, r.asked_at, r.escalated_at,
                r.updated_at, r.version
         FROM explanation_requests r JOIN org_units o ON o.id = r.unit_id
         LEFT JOIN indicators i ON i.id = r.indicator_id "
    };
}

/// Records a request and its first question; returns its id.
pub async fn insert(c: &mut Conn, r: &NewRequest<'_>, now: OffsetDateTime) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
            "INSERT INTO explanation_requests (unit_id, subject, task_id, indicator_id, period,
                 subject_title, question, deadline, status, asked_by, asked_by_name, asked_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'awaiting', $9, $10, $11, $11) RETURNING id",
        )
        .bind(r.unit_id)
        .bind(r.subject.as_str())
        .bind(r.task_id)
        .bind(r.indicator_id)
        .bind(r.period)
        .bind(r.subject_title)
        .bind(r.question)
        .bind(r.deadline)
        .bind(r.asked_by)
        .bind(r.asked_by_name)
        .bind(now)
        .fetch_one(x)
        .await
    })?;
    add_message(
        c,
        id,
        &NewMessage {
            kind: "question",
            body: r.question,
            deadline: Some(r.deadline),
            author_id: r.asked_by,
            author_name: r.asked_by_name,
        },
        now,
    )
    .await?;
    Ok(id)
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Request> {
    Ok(q!(c, |x| sqlx::query_as::<_, Request>(concat!(
        select_requests!(),
        "WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

pub struct NewMessage<'a> {
    pub kind: &'a str,
    pub body: &'a str,
    pub deadline: Option<Date>,
    pub author_id: Option<i64>,
    pub author_name: &'a str,
}

pub async fn add_message(
    c: &mut Conn,
    request_id: i64,
    m: &NewMessage<'_>,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO explanation_messages (request_id, kind, body, deadline, author_id, author_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(request_id)
    .bind(m.kind)
    .bind(m.body)
    .bind(m.deadline)
    .bind(m.author_id)
    .bind(m.author_name)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// A request's thread, oldest first.
pub async fn messages(c: &mut Conn, request_id: i64) -> Result<Vec<Message>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Message>(
        "SELECT id, kind, body, deadline, author_name, created_at FROM explanation_messages
         WHERE request_id = $1 ORDER BY id"
    )
    .bind(request_id)
    .fetch_all(x)
    .await)?)
}

/// Moves a request from `from` to `to`, only if it still stands at `from` (two answers
/// sent at once: the second finds it answered); asked again, it takes the new question
/// and deadline and may be raised again. False when it had moved meanwhile.
pub async fn set_status(
    c: &mut Conn,
    id: i64,
    from: Status,
    to: Status,
    question: Option<(&str, Date)>,
    now: OffsetDateTime,
) -> Result<bool> {
    let (text, deadline) = question.unzip();
    // Asked again, the request takes the new question and deadline and may be raised again.
    let done = q!(c, |x| sqlx::query(
        "UPDATE explanation_requests SET status = $3, question = COALESCE($4, question),
             deadline = COALESCE($5, deadline),
             escalated_at = CASE WHEN $5 IS NULL THEN escalated_at END,
             updated_at = $6, version = version + 1
         WHERE id = $1 AND status = $2"
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(text)
    .bind(deadline)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Moves a request just made back in time, as if asked on `asked_at` with `deadline`:
/// the demo's request that has waited past its deadline. Its first question moves with it.
pub async fn backdate(
    c: &mut Conn,
    id: i64,
    asked_at: OffsetDateTime,
    deadline: Date,
) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "UPDATE explanation_requests SET asked_at = $2, updated_at = $2, deadline = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(asked_at)
    .bind(deadline)
    .execute(x)
    .await
    .map(|_| ())
    })?;
    q!(c, |x| sqlx::query(
        "UPDATE explanation_messages SET created_at = $2, deadline = $3
         WHERE request_id = $1 AND kind = 'question'"
    )
    .bind(id)
    .bind(asked_at)
    .bind(deadline)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// The reader's scope: requests to units below these roots (`None`: everywhere).
    pub scope: Option<Vec<i64>>,
    /// Only requests to these units' subtrees (a unit's staff: what they answer).
    pub answering: Option<Vec<i64>>,
    /// Only those asked by this account.
    pub asked_by: Option<i64>,
    /// Only these statuses (empty: all).
    pub statuses: Vec<Status>,
    /// Only awaited requests whose deadline is before this day.
    pub overdue_before: Option<Date>,
    pub limit: i64,
    pub offset: i64,
}

fn filtered(filter: &RequestFilter, params: &mut Params) -> (String, String) {
    let mut ctes = Vec::new();
    let mut clauses = String::new();
    match &filter.scope {
        None => {}
        Some(roots) if roots.is_empty() => clauses.push_str(" AND 1 = 0"),
        Some(roots) => {
            ctes.push(crate::units::subtree_cte("scope", roots, params));
            clauses.push_str(" AND r.unit_id IN (SELECT id FROM scope)");
        }
    }
    match &filter.answering {
        None => {}
        Some(roots) if roots.is_empty() => clauses.push_str(" AND 1 = 0"),
        Some(roots) => {
            ctes.push(crate::units::subtree_cte("answering", roots, params));
            clauses.push_str(" AND r.unit_id IN (SELECT id FROM answering)");
        }
    }
    if let Some(asker) = filter.asked_by {
        clauses.push_str(&format!(
            " AND r.asked_by = {}",
            params.push(Arg::Int(asker))
        ));
    }
    if !filter.statuses.is_empty() {
        let list: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| params.push(Arg::Text(s.as_str().into())))
            .collect();
        clauses.push_str(&format!(" AND r.status IN ({})", list.join(", ")));
    }
    if let Some(day) = filter.overdue_before {
        clauses.push_str(&format!(
            " AND r.status = 'awaiting' AND r.deadline < {}",
            params.push(Arg::Date(day))
        ));
    }
    let with = if ctes.is_empty() {
        String::new()
    } else {
        format!("WITH RECURSIVE {} ", ctes.join(", "))
    };
    (with, clauses)
}

/// The requests a filter selects: the awaited first by deadline, then the rest newest
/// first.
pub async fn list(c: &mut Conn, filter: &RequestFilter) -> Result<Vec<Request>> {
    let mut params = Params::default();
    let (with, clauses) = filtered(filter, &mut params);
    let limit = params.push(Arg::Int(filter.limit.clamp(1, PAGE_MAX)));
    let offset = params.push(Arg::Int(filter.offset.max(0)));
    let sql = format!(
        concat!(
            "{}",
            select_requests!(),
            "WHERE 1 = 1{} ORDER BY CASE r.status WHEN 'awaiting' THEN 0 WHEN 'answered' THEN 1 ELSE 2 END,
             CASE WHEN r.status = 'awaiting' THEN r.deadline END, r.id DESC LIMIT {} OFFSET {}"
        ),
        with, clauses, limit, offset
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, Request>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// How many requests a filter selects (limit and offset aside).
pub async fn count(c: &mut Conn, filter: &RequestFilter) -> Result<i64> {
    let mut params = Params::default();
    let (with, clauses) = filtered(filter, &mut params);
    let sql = format!("{with}SELECT COUNT(*) FROM explanation_requests r WHERE 1 = 1{clauses}");
    let (n,): (i64,) = q!(c, |x| bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_one(x)
    .await)?;
    Ok(n)
}

/// Awaited requests past their deadline not yet raised to the unit's head, oldest
/// deadline first.
pub async fn to_escalate(c: &mut Conn, today: Date, limit: i64) -> Result<Vec<Request>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Request>(concat!(
        select_requests!(),
        "WHERE r.status = 'awaiting' AND r.deadline < $1 AND r.escalated_at IS NULL
         ORDER BY r.deadline, r.id LIMIT $2"
    ))
    .bind(today)
    .bind(limit)
    .fetch_all(x)
    .await)?)
}

pub async fn mark_escalated(c: &mut Conn, id: i64, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE explanation_requests SET escalated_at = $2 WHERE id = $1 AND escalated_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}
