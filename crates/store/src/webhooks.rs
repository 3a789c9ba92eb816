//! Webhook endpoints and the durable outbox of their deliveries.

use serde::Serialize;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: String,
    #[serde(skip)]
    pub secret: String,
    pub allow_private: bool,
    pub active: bool,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Webhook {
    pub fn subscribes_to(&self, event: &str) -> bool {
        self.events.split(',').any(|e| e == event)
    }
}

pub struct NewWebhook<'a> {
    pub url: &'a str,
    pub events: &'a str,
    pub secret: &'a str,
    pub allow_private: bool,
    pub created_by: &'a str,
}

const SELECT_WEBHOOKS: &str =
    "SELECT id, url, events, secret, allow_private, active, created_by, created_at FROM webhooks ";

pub async fn insert(c: &mut Conn, w: &NewWebhook<'_>, now: OffsetDateTime) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| sqlx::query_as(
        "INSERT INTO webhooks (url, events, secret, allow_private, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(w.url)
    .bind(w.events)
    .bind(w.secret)
    .bind(w.allow_private)
    .bind(w.created_by)
    .bind(now)
    .fetch_one(x)
    .await)?;
    Ok(id)
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Webhook> {
    Ok(q!(c, |x| sqlx::query_as::<_, Webhook>(
        sqlx::AssertSqlSafe(format!("{SELECT_WEBHOOKS} WHERE id = $1"))
    )
    .bind(id)
    .fetch_one(x)
    .await)?)
}

pub async fn list(c: &mut Conn) -> Result<Vec<Webhook>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Webhook>(
        sqlx::AssertSqlSafe(format!("{SELECT_WEBHOOKS} ORDER BY id"))
    )
    .fetch_all(x)
    .await)?)
}

/// Stops an endpoint: no new deliveries, pending ones are dropped as failed.
pub async fn deactivate(c: &mut Conn, id: i64, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE webhooks SET active = FALSE WHERE id = $1"
    )
    .bind(id)
    .execute(x)
    .await
    .map(|_| ()))?;
    q!(c, |x| sqlx::query(
        "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint removed',
             next_attempt_at = $2
         WHERE webhook_id = $1 AND status = 'pending'"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Queues an event for every active endpoint subscribed to it, in the caller's
/// transaction: the event and its deliveries commit together or not at all.
pub async fn enqueue(
    c: &mut Conn,
    event: &str,
    payload: &str,
    now: OffsetDateTime,
) -> Result<usize> {
    enqueue_keyed(c, event, None, payload, now).await
}

/// Like [`enqueue`], but once per endpoint and `key`: a second call with the same key
/// queues nothing (an overdue task is announced once per deadline).
pub async fn enqueue_keyed(
    c: &mut Conn,
    event: &str,
    key: Option<&str>,
    payload: &str,
    now: OffsetDateTime,
) -> Result<usize> {
    let targets: Vec<Webhook> = list(c)
        .await?
        .into_iter()
        .filter(|w| w.active && w.subscribes_to(event))
        .collect();
    for w in &targets {
        q!(c, |x| sqlx::query(
            "INSERT INTO webhook_deliveries (webhook_id, event_type, event_key, payload, status,
                 next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, 'pending', $5, $5)
             ON CONFLICT DO NOTHING"
        )
        .bind(w.id)
        .bind(event)
        .bind(key)
        .bind(payload)
        .bind(now)
        .execute(x)
        .await
        .map(|_| ()))?;
    }
    Ok(targets.len())
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event_type: String,
    #[serde(skip)]
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    pub response_code: Option<i64>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

const SELECT_DELIVERIES: &str = "SELECT id, webhook_id, event_type, payload, status, attempts,
     next_attempt_at, response_code, last_error, created_at, delivered_at FROM webhook_deliveries ";

/// Pending deliveries due now, oldest first.
pub async fn due(c: &mut Conn, now: OffsetDateTime, limit: i64) -> Result<Vec<Delivery>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Delivery>(
        sqlx::AssertSqlSafe(format!(
            "{SELECT_DELIVERIES} WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2"
        ))
    )
    .bind(now)
    .bind(limit)
    .fetch_all(x)
    .await)?)
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(c: &mut Conn, webhook_id: i64, limit: i64) -> Result<Vec<Delivery>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Delivery>(
        sqlx::AssertSqlSafe(format!(
            "{SELECT_DELIVERIES} WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2"
        ))
    )
    .bind(webhook_id)
    .bind(limit)
    .fetch_all(x)
    .await)?)
}

/// Records one attempt: delivered, to be retried at `next`, or given up.
pub async fn record_attempt(
    c: &mut Conn,
    id: i64,
    status: &str,
    response_code: Option<i64>,
    error: Option<&str>,
    next: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, response_code = $3,
             last_error = $4, next_attempt_at = $5,
             delivered_at = CASE WHEN $2 = 'delivered' THEN $6 ELSE delivered_at END
         WHERE id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(response_code)
    .bind(error)
    .bind(next)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}
