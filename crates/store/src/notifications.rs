//! In-app notifications and the durable e-mail outbox.

use serde::Serialize;
use time::OffsetDateTime;

use dxplan_domain::auth::Role;
use dxplan_domain::notification::NotificationKind;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

/// Someone to tell, and how they like e-mail.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Recipient {
    pub user_id: i64,
    pub email: Option<String>,
    pub email_pref: String,
    /// A mobile number for urgent notices by text message.
    pub phone: Option<String>,
}

/// Active accounts holding one of `roles` on a unit of `lineage` (the unit and its
/// ancestors) or system-wide.
pub async fn holders(c: &mut Conn, lineage: &[i64], roles: &[Role]) -> Result<Vec<Recipient>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let role_list: Vec<String> = roles
        .iter()
        .map(|r| params.push(Arg::Text(r.as_str().into())))
        .collect();
    let unit_list: Vec<String> = lineage
        .iter()
        .map(|id| params.push(Arg::Int(*id)))
        .collect();
    let units = if unit_list.is_empty() {
        "g.unit_id IS NULL".to_string()
    } else {
        format!(
            "(g.unit_id IS NULL OR g.unit_id IN ({}))",
            unit_list.join(", ")
        )
    };
    let sql = format!(
        "SELECT DISTINCT u.id AS user_id, u.email, u.email_pref, u.phone FROM users u JOIN role_grants g ON g.user_id = u.id
         WHERE u.active = TRUE AND g.role IN ({}) AND {units}",
        role_list.join(", ")
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, Recipient>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// One active account as someone to tell (none when it is gone or deactivated).
pub async fn recipient(c: &mut Conn, user_id: i64) -> Result<Option<Recipient>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Recipient>(
        "SELECT id AS user_id, email, email_pref, phone FROM users WHERE id = $1 AND active = TRUE"
    )
    .bind(user_id)
    .fetch_optional(x)
    .await)?)
}

/// For each of several units, the active accounts holding one of `roles` on that very
/// unit or system-wide: what [`holders`] gives for one unit, in two queries for all.
pub async fn holders_of_units(
    c: &mut Conn,
    unit_ids: &[i64],
    roles: &[Role],
) -> Result<std::collections::HashMap<i64, Vec<Recipient>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        unit_id: i64,
        #[sqlx(flatten)]
        recipient: Recipient,
    }
    let everywhere = holders(c, &[], roles).await?;
    let mut out: std::collections::HashMap<i64, Vec<Recipient>> = unit_ids
        .iter()
        .map(|id| (*id, everywhere.clone()))
        .collect();
    if roles.is_empty() {
        return Ok(out);
    }
    for chunk in unit_ids.chunks(500) {
        let mut params = Params::default();
        let role_list: Vec<String> = roles
            .iter()
            .map(|r| params.push(Arg::Text(r.as_str().into())))
            .collect();
        let unit_list: Vec<String> = chunk.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let sql = format!(
            "SELECT DISTINCT g.unit_id, u.id AS user_id, u.email, u.email_pref, u.phone FROM users u
             JOIN role_grants g ON g.user_id = u.id
             WHERE u.active = TRUE AND g.role IN ({}) AND g.unit_id IN ({})",
            role_list.join(", "),
            unit_list.join(", ")
        );
        let rows: Vec<Row> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        for row in rows {
            let list = out.entry(row.unit_id).or_default();
            if !list.iter().any(|r| r.user_id == row.recipient.user_id) {
                list.push(row.recipient);
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub task_id: Option<i64>,
    /// Where the notice leads when it is not about a task (`/explanations/7`).
    pub path: Option<String>,
    pub title_vi: String,
    pub title_en: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

/// One notice to several people.
pub struct Notice<'a> {
    pub kind: NotificationKind,
    pub task_id: Option<i64>,
    /// The page it leads to when it is not about a task (`/explanations/7`).
    pub path: Option<&'a str>,
    pub title_vi: &'a str,
    pub title_en: &'a str,
    /// Makes a reminder happen once per person: a second insert is ignored.
    pub dedup_key: Option<&'a str>,
    /// Where the e-mail's link points, for example `https://dxplan.example/tasks/42`.
    pub link: Option<&'a str>,
    /// Also queued as a text message to recipients with a mobile number.
    pub by_phone: bool,
}

/// Longest text message body before its link (a few SMS segments, or one Zalo message).
const TEXT_CHARS: usize = 300;

/// Records the notice for each recipient (skipping those who already have it), queues an
/// e-mail for those who want e-mail at once, and a text message to those with a mobile
/// number when the notice goes by phone. Returns how many were new.
pub async fn notify(
    c: &mut Conn,
    recipients: &[Recipient],
    notice: &Notice<'_>,
    now: OffsetDateTime,
) -> Result<usize> {
    let mut created = 0;
    for r in recipients {
        let inserted: Option<(i64,)> = q!(c, |x| {
            sqlx::query_as(
            "INSERT INTO notifications (user_id, kind, task_id, title_vi, title_en, dedup_key, created_at, path)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (user_id, dedup_key) DO NOTHING RETURNING id"
        )
        .bind(r.user_id)
        .bind(notice.kind.as_str())
        .bind(notice.task_id)
        .bind(notice.title_vi)
        .bind(notice.title_en)
        .bind(notice.dedup_key)
        .bind(now)
        .bind(notice.path)
        .fetch_optional(x)
        .await
        })?;
        let Some((id,)) = inserted else { continue };
        created += 1;
        if r.email_pref == "immediate"
            && let Some(email) = r.email.as_deref().filter(|e| !e.is_empty())
        {
            let body = match notice.link {
                Some(link) => format!("{}\n\n{}\n\n--\n{}", notice.title_vi, link, notice.title_en),
                None => format!("{}\n\n--\n{}", notice.title_vi, notice.title_en),
            };
            enqueue(
                c,
                email,
                &format!("[dxplan] {}", notice.title_vi),
                &body,
                &format!("n:{id}"),
                now,
            )
            .await?;
            q!(c, |x| sqlx::query(
                "UPDATE notifications SET emailed = TRUE WHERE id = $1"
            )
            .bind(id)
            .execute(x)
            .await
            .map(|_| ()))?;
        }
        if notice.by_phone
            && let Some(phone) = r.phone.as_deref().filter(|p| !p.is_empty())
        {
            // A text is short: the Vietnamese line, cut at a word, and the link.
            let mut text: String = notice.title_vi.chars().take(TEXT_CHARS).collect();
            if text.len() < notice.title_vi.len()
                && let Some(cut) = text.rfind(' ')
            {
                text.truncate(cut);
                text.push('…');
            }
            if let Some(link) = notice.link {
                text = format!("{text} {link}");
            }
            enqueue_on(c, Channel::Phone, phone, "", &text, &format!("t:{id}"), now).await?;
        }
    }
    Ok(created)
}

pub async fn list(c: &mut Conn, user_id: i64, limit: u32) -> Result<Vec<Notification>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Notification>(
        "SELECT id, user_id, kind, task_id, path, title_vi, title_en, created_at, read_at FROM notifications
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2"
    )
    .bind(user_id)
    .bind(i64::from(limit.clamp(1, 500)))
    .fetch_all(x)
    .await
    })?)
}

pub async fn unread_count(c: &mut Conn, user_id: i64) -> Result<i64> {
    let (n,): (i64,) = q!(c, |x| sqlx::query_as(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(x)
    .await)?;
    Ok(n)
}

/// Marks one of the user's notifications read; false when it is not theirs.
pub async fn mark_read(c: &mut Conn, user_id: i64, id: i64, now: OffsetDateTime) -> Result<bool> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

pub async fn mark_all_read(c: &mut Conn, user_id: i64, now: OffsetDateTime) -> Result<u64> {
    Ok(q!(c, |x| sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user_id)
    .bind(now)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?)
}

pub async fn email_pref(c: &mut Conn, user_id: i64) -> Result<String> {
    let (pref,): (String,) = q!(c, |x| sqlx::query_as(
        "SELECT email_pref FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_one(x)
    .await)?;
    Ok(pref)
}

pub async fn set_email_pref(c: &mut Conn, user_id: i64, pref: &str) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE users SET email_pref = $2 WHERE id = $1"
    )
    .bind(user_id)
    .bind(pref)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Notifications not yet e-mailed to people who chose a daily digest, grouped by person.
pub async fn digest_batches(c: &mut Conn) -> Result<Vec<(i64, String, Vec<Notification>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        n: Notification,
        email: String,
    }
    let rows: Vec<Row> = q!(c, |x| {
        sqlx::query_as::<_, Row>(
        "SELECT n.id, n.user_id, n.kind, n.task_id, n.path, n.title_vi, n.title_en, n.created_at, n.read_at, u.email
         FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE n.emailed = FALSE AND u.email_pref = 'digest' AND u.email IS NOT NULL AND u.email <> '' AND u.active = TRUE
         ORDER BY n.user_id, n.id"
    )
    .fetch_all(x)
    .await
    })?;
    let mut out: Vec<(i64, String, Vec<Notification>)> = Vec::new();
    for row in rows {
        match out.last_mut() {
            Some((user, _, list)) if *user == row.n.user_id => list.push(row.n),
            _ => out.push((row.n.user_id, row.email, vec![row.n])),
        }
    }
    Ok(out)
}

pub async fn mark_emailed(c: &mut Conn, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(500) {
        let mut params = Params::default();
        let list: Vec<String> = chunk.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let sql = format!(
            "UPDATE notifications SET emailed = TRUE WHERE id IN ({})",
            list.join(", ")
        );
        q!(c, |x| bind_all!(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .execute(x)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

// ---------------------------------------------------------------- outbox

/// Queues a message once: a second message with the same key is ignored.
/// How an outbox message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    /// A text message to a mobile number (SMS, or Zalo's notification service).
    Phone,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Phone => "phone",
        }
    }
}

/// Queues an e-mail once per `dedup_key`; false when it was queued already.
pub async fn enqueue(
    c: &mut Conn,
    recipient: &str,
    subject: &str,
    body: &str,
    dedup_key: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    enqueue_on(c, Channel::Email, recipient, subject, body, dedup_key, now).await
}

/// Queues a message on a channel once per `dedup_key`; false when it was queued already.
pub async fn enqueue_on(
    c: &mut Conn,
    channel: Channel,
    recipient: &str,
    subject: &str,
    body: &str,
    dedup_key: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = q!(c, |x| {
        sqlx::query(
        "INSERT INTO outbox (channel, recipient, subject, body, dedup_key, status, next_attempt_at, created_at)
         VALUES ($6, $1, $2, $3, $4, 'pending', $5, $5) ON CONFLICT (dedup_key) DO NOTHING"
    )
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(dedup_key)
    .bind(now)
    .bind(channel.as_str())
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Claims messages due for delivery. A message left `sending` by a process that died
/// is claimed again after `stale`, so nothing is lost across restarts.
pub async fn claim_due(
    c: &mut Conn,
    channel: Channel,
    now: OffsetDateTime,
    stale: time::Duration,
    limit: i64,
) -> Result<Vec<OutboxMessage>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, OutboxMessage>(
        "UPDATE outbox SET status = 'sending', next_attempt_at = $1
         WHERE id IN (SELECT id FROM outbox
                      WHERE channel = $4 AND ((status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND next_attempt_at <= $2))
                      ORDER BY id LIMIT $3)
         RETURNING id, recipient, subject, body, status, attempts, last_error"
    )
    .bind(now)
    .bind(now - stale)
    .bind(limit)
    .bind(channel.as_str())
    .fetch_all(x)
    .await
    })?)
}

pub async fn mark_sent(c: &mut Conn, id: i64, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records a failed try: back to `pending` for another try at `next`, or `failed` for good.
pub async fn mark_failed(
    c: &mut Conn,
    id: i64,
    error: &str,
    next: Option<OffsetDateTime>,
) -> Result<()> {
    let error: String = error.chars().take(500).collect();
    q!(c, |x| sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2,
             status = CASE WHEN $3 IS NULL THEN 'failed' ELSE 'pending' END,
             next_attempt_at = COALESCE($3, next_attempt_at)
         WHERE id = $1"
    )
    .bind(id)
    .bind(error)
    .bind(next)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn outbox_all(c: &mut Conn) -> Result<Vec<OutboxMessage>> {
    Ok(q!(c, |x| sqlx::query_as::<_, OutboxMessage>(
        "SELECT id, recipient, subject, body, status, attempts, last_error FROM outbox ORDER BY id"
    )
    .fetch_all(x)
    .await)?)
}

/// Reminder keys already used that start with `prefix` (`overdue:`, …): lets the
/// reminder job skip, with one query, what it has already said.
pub async fn dedup_keys(c: &mut Conn, prefix: &str) -> Result<std::collections::HashSet<String>> {
    let rows: Vec<(String,)> = q!(c, |x| sqlx::query_as(
        "SELECT DISTINCT dedup_key FROM notifications WHERE dedup_key LIKE $1 ESCAPE '\\'"
    )
    .bind(format!("{}%", crate::units::escape_like(prefix)))
    .fetch_all(x)
    .await)?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}
