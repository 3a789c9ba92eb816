//! Scheduled briefings: the schedules, their recipients, each send's document and the
//! line per recipient that says whether it was queued (and, through the outbox, sent).

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::briefing::Document;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

/// Most sends a schedule's log lists (a year of weekly briefings).
const SENDS_LISTED: i64 = 60;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingSchedule {
    pub id: i64,
    pub plan_id: i64,
    pub plan_title: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub document: Document,
    /// `weekly` or `before_session`.
    pub cadence: String,
    /// The weekday (Monday 1 … Sunday 7) or the days before each session.
    pub day: i64,
    /// Paused schedules send nothing.
    pub active: bool,
    pub created_by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

macro_rules! select_schedules {
    () => {
        "SELECT b.id, b.plan_id, p.title AS plan_title, b.unit_id, o.code AS unit_code,
                o.name AS unit_name, b.title, b.document, b.cadence, b.day, b.active,
                b.created_by_name, b.created_at, b.updated_at
         FROM briefing_schedules b JOIN plans p ON p.id = b.plan_id
         JOIN org_units o ON o.id = b.unit_id "
    };
}

/// A schedule's fields as stored.
pub struct ScheduleRow<'a> {
    pub plan_id: i64,
    pub unit_id: i64,
    pub title: &'a str,
    pub document: Document,
    pub cadence: &'a str,
    pub day: i64,
    pub active: bool,
}

pub async fn insert(
    c: &mut Conn,
    s: &ScheduleRow<'_>,
    created_by: &str,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO briefing_schedules
             (plan_id, unit_id, title, document, cadence, day, active, created_by_name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id"
    )
    .bind(s.plan_id)
    .bind(s.unit_id)
    .bind(s.title)
    .bind(s.document.as_str())
    .bind(s.cadence)
    .bind(s.day)
    .bind(s.active)
    .bind(created_by)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

pub async fn update(c: &mut Conn, id: i64, s: &ScheduleRow<'_>, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE briefing_schedules SET plan_id = $2, unit_id = $3, title = $4, document = $5,
             cadence = $6, day = $7, active = $8, updated_at = $9
         WHERE id = $1"
    )
    .bind(id)
    .bind(s.plan_id)
    .bind(s.unit_id)
    .bind(s.title)
    .bind(s.document.as_str())
    .bind(s.cadence)
    .bind(s.day)
    .bind(s.active)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn get(c: &mut Conn, id: i64) -> Result<BriefingSchedule> {
    Ok(q!(c, |x| sqlx::query_as::<_, BriefingSchedule>(concat!(
        select_schedules!(),
        "WHERE b.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// Every schedule, newest first (a province has a handful).
pub async fn list(c: &mut Conn, limit: i64) -> Result<Vec<BriefingSchedule>> {
    Ok(q!(c, |x| sqlx::query_as::<_, BriefingSchedule>(concat!(
        select_schedules!(),
        "ORDER BY b.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(x)
    .await)?)
}

/// The schedules that may send: the active ones.
pub async fn active(c: &mut Conn) -> Result<Vec<BriefingSchedule>> {
    Ok(q!(c, |x| sqlx::query_as::<_, BriefingSchedule>(concat!(
        select_schedules!(),
        "WHERE b.active = TRUE ORDER BY b.id"
    ))
    .fetch_all(x)
    .await)?)
}

/// The days of the steering sessions from `from` on of every plan a schedule follows,
/// by plan, in order: one query for every schedule's next send.
pub async fn coming_sessions(
    c: &mut Conn,
    from: Date,
) -> Result<std::collections::HashMap<i64, Vec<Date>>> {
    let rows: Vec<(i64, Date)> = q!(c, |x| {
        sqlx::query_as(
        "SELECT s.plan_id, s.held_on FROM steering_sessions s
         WHERE s.held_on >= $1
           AND s.plan_id IN (SELECT plan_id FROM briefing_schedules WHERE cadence = 'before_session')
         ORDER BY s.plan_id, s.held_on"
    )
    .bind(from)
    .fetch_all(x)
    .await
    })?;
    let mut by_plan: std::collections::HashMap<i64, Vec<Date>> = Default::default();
    for (plan, day) in rows {
        by_plan.entry(plan).or_default().push(day);
    }
    Ok(by_plan)
}

/// The schedules whose scheduled send for `day` was made: one query.
pub async fn sent_on(c: &mut Conn, day: Date) -> Result<std::collections::HashSet<i64>> {
    let rows: Vec<(i64,)> = q!(c, |x| sqlx::query_as(
        "SELECT schedule_id FROM briefing_sends WHERE due_on = $1 AND manual = FALSE"
    )
    .bind(day)
    .fetch_all(x)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

// ---------------------------------------------------------------- recipients

/// A person a schedule sends to.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingRecipient {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub active: bool,
}

pub async fn recipients(c: &mut Conn, schedule_id: i64) -> Result<Vec<BriefingRecipient>> {
    Ok(q!(c, |x| sqlx::query_as::<_, BriefingRecipient>(
        "SELECT u.id AS user_id, u.username, u.display_name, u.email, u.active
         FROM briefing_recipients r JOIN users u ON u.id = r.user_id
         WHERE r.schedule_id = $1 ORDER BY u.display_name, u.id"
    )
    .bind(schedule_id)
    .fetch_all(x)
    .await)?)
}

/// The active accounts holding a role on a unit of `lineage` (the unit and the units
/// above it) or system-wide: who may be offered as a recipient. The policy still decides
/// for each (`dxplan_domain::auth`); this only narrows the candidates to those it may pass.
pub async fn readers(c: &mut Conn, lineage: &[i64]) -> Result<Vec<BriefingRecipient>> {
    let mut params = Params::default();
    let units: Vec<String> = lineage
        .iter()
        .map(|id| params.push(Arg::Int(*id)))
        .collect();
    let on_units = if units.is_empty() {
        "g.unit_id IS NULL".to_string()
    } else {
        format!("(g.unit_id IS NULL OR g.unit_id IN ({}))", units.join(", "))
    };
    let sql = format!(
        "SELECT DISTINCT u.id AS user_id, u.username, u.display_name, u.email, u.active
         FROM users u JOIN role_grants g ON g.user_id = u.id
         WHERE u.active = TRUE AND {on_units} ORDER BY display_name, user_id LIMIT 500"
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, BriefingRecipient>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// How many people each schedule sends to: one query for the list of schedules.
pub async fn recipient_counts(c: &mut Conn) -> Result<Vec<(i64, i64)>> {
    Ok(q!(c, |x| sqlx::query_as(
        "SELECT schedule_id, COUNT(*) FROM briefing_recipients GROUP BY schedule_id"
    )
    .fetch_all(x)
    .await)?)
}

/// Adds a recipient; false when they were one already.
pub async fn add_recipient(
    c: &mut Conn,
    schedule_id: i64,
    user_id: i64,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = q!(c, |x| sqlx::query(
        "INSERT INTO briefing_recipients (schedule_id, user_id, added_at) VALUES ($1, $2, $3)
         ON CONFLICT (schedule_id, user_id) DO NOTHING"
    )
    .bind(schedule_id)
    .bind(user_id)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Removes a recipient; false when they were not one.
pub async fn remove_recipient(c: &mut Conn, schedule_id: i64, user_id: i64) -> Result<bool> {
    let done = q!(c, |x| sqlx::query(
        "DELETE FROM briefing_recipients WHERE schedule_id = $1 AND user_id = $2"
    )
    .bind(schedule_id)
    .bind(user_id)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

// ---------------------------------------------------------------- sends

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingSend {
    pub id: i64,
    pub schedule_id: i64,
    pub due_on: Date,
    /// Sent by hand rather than by the schedule.
    pub manual: bool,
    pub sent_by_name: Option<String>,
    pub filename: String,
    /// Whether the document is still kept for download.
    pub kept: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

macro_rules! select_sends {
    () => {
        "SELECT id, schedule_id, due_on, manual, sent_by_name, filename,
                content IS NOT NULL AS kept, created_at FROM briefing_sends "
    };
}

/// A send being recorded.
pub struct NewSend<'a> {
    pub schedule_id: i64,
    pub due_on: Date,
    pub manual: bool,
    pub sent_by_name: Option<&'a str>,
    pub filename: &'a str,
    pub content: &'a [u8],
}

/// Records a send; `None` when the schedule's send for that day was made already (a
/// scheduled send is made once a day, a send by hand each time it is asked for).
pub async fn insert_send(
    c: &mut Conn,
    s: &NewSend<'_>,
    now: OffsetDateTime,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO briefing_sends (schedule_id, due_on, manual, sent_by_name, filename, content, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (schedule_id, due_on) WHERE manual = FALSE DO NOTHING RETURNING id"
    )
    .bind(s.schedule_id)
    .bind(s.due_on)
    .bind(s.manual)
    .bind(s.sent_by_name)
    .bind(s.filename)
    .bind(s.content)
    .bind(now)
    .fetch_optional(x)
    .await
    })?;
    Ok(row.map(|(id,)| id))
}

pub async fn get_send(c: &mut Conn, id: i64) -> Result<BriefingSend> {
    Ok(q!(c, |x| sqlx::query_as::<_, BriefingSend>(concat!(
        select_sends!(),
        "WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// A schedule's sends, newest first.
pub async fn sends_of(c: &mut Conn, schedule_id: i64) -> Result<Vec<BriefingSend>> {
    Ok(q!(c, |x| sqlx::query_as::<_, BriefingSend>(concat!(
        select_sends!(),
        "WHERE schedule_id = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(schedule_id)
    .bind(SENDS_LISTED)
    .fetch_all(x)
    .await)?)
}

/// The last send of each schedule: one query for the list of schedules.
pub async fn last_sends(c: &mut Conn) -> Result<Vec<BriefingSend>> {
    Ok(q!(c, |x| sqlx::query_as::<_, BriefingSend>(concat!(
        select_sends!(),
        "WHERE id IN (SELECT MAX(id) FROM briefing_sends GROUP BY schedule_id)"
    ))
    .fetch_all(x)
    .await)?)
}

pub async fn content(c: &mut Conn, send_id: i64) -> Result<Option<Vec<u8>>> {
    let row: Option<(Option<Vec<u8>>,)> = q!(c, |x| sqlx::query_as(
        "SELECT content FROM briefing_sends WHERE id = $1"
    )
    .bind(send_id)
    .fetch_optional(x)
    .await)?;
    Ok(row.and_then(|(c,)| c))
}

/// Lets go of the documents of sends made before `before`; the log stays.
pub async fn sweep(c: &mut Conn, before: OffsetDateTime) -> Result<u64> {
    Ok(q!(c, |x| sqlx::query(
        "UPDATE briefing_sends SET content = NULL WHERE content IS NOT NULL AND created_at < $1"
    )
    .bind(before)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?)
}

// ---------------------------------------------------------------- deliveries

/// One recipient's line of a send: queued on the outbox (with the outbox's status), or
/// skipped and why.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingDelivery {
    pub send_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub email: Option<String>,
    /// `no_rights`, `no_email` or `inactive` when it was not sent.
    pub skipped: Option<String>,
    /// The e-mail's status on the outbox: `pending`, `sending`, `sent` or `failed`.
    pub status: Option<String>,
    /// The last delivery error, while retrying or once given up.
    pub last_error: Option<String>,
    pub attempts: Option<i64>,
}

/// A recipient's line as it is recorded.
pub struct NewDelivery<'a> {
    pub user_id: i64,
    pub user_name: &'a str,
    pub email: Option<&'a str>,
    pub outbox_key: Option<&'a str>,
    pub skipped: Option<&'a str>,
}

pub async fn insert_delivery(c: &mut Conn, send_id: i64, d: &NewDelivery<'_>) -> Result<()> {
    q!(c, |x| sqlx::query(
        "INSERT INTO briefing_deliveries (send_id, user_id, user_name, email, outbox_key, skipped)
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(send_id)
    .bind(d.user_id)
    .bind(d.user_name)
    .bind(d.email)
    .bind(d.outbox_key)
    .bind(d.skipped)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The lines of a schedule's listed sends, with the outbox's status: one query.
pub async fn deliveries_of_schedule(
    c: &mut Conn,
    schedule_id: i64,
) -> Result<Vec<BriefingDelivery>> {
    Ok(q!(c, |x| sqlx::query_as::<_, BriefingDelivery>(
        "SELECT d.send_id, d.user_id, d.user_name, d.email, d.skipped, m.status, m.last_error,
                m.attempts
         FROM briefing_deliveries d JOIN briefing_sends s ON s.id = d.send_id
         LEFT JOIN outbox m ON m.dedup_key = d.outbox_key
         WHERE s.schedule_id = $1 AND s.id >= COALESCE(
             (SELECT MIN(id) FROM (SELECT id FROM briefing_sends WHERE schedule_id = $1
                                   ORDER BY id DESC LIMIT $2) recent), 0)
         ORDER BY d.send_id DESC, d.user_name, d.user_id"
    )
    .bind(schedule_id)
    .bind(SENDS_LISTED)
    .fetch_all(x)
    .await)?)
}

/// Whether the account was sent (queued) this send.
pub async fn was_sent_to(c: &mut Conn, send_id: i64, user_id: i64) -> Result<bool> {
    let row: Option<(i64,)> = q!(c, |x| sqlx::query_as(
        "SELECT user_id FROM briefing_deliveries
         WHERE send_id = $1 AND user_id = $2 AND outbox_key IS NOT NULL"
    )
    .bind(send_id)
    .bind(user_id)
    .fetch_optional(x)
    .await)?;
    Ok(row.is_some())
}
