//! The two outboxes: messages to people — e-mail (the daily digest is queued here) and
//! text messages — and webhook deliveries.
//! A message is claimed, handed to the transport by `dxplan_jobs`, and its outcome
//! recorded with the retry policy of `domain::notification`, so a restart picks up exactly
//! where the last pass stopped.

use dxplan_domain::notification::{MAX_ATTEMPTS, retry_delay_minutes};
use dxplan_domain::text::{VIETNAM, format_date};
use dxplan_store::notifications::Channel;
use dxplan_store::{notifications, webhooks};
use time::OffsetDateTime;

pub use dxplan_store::notifications::OutboxMessage;
pub use dxplan_store::webhooks::{Delivery, Webhook};

use crate::App;
use crate::error::AppResult;

/// Messages handed to the mailer per pass.
const MAIL_BATCH: i64 = 50;
/// A message claimed this long ago and never marked was lost with its pass: claim again.
const CLAIM_STALE_MINUTES: i64 = 10;
/// Webhook deliveries tried per pass.
const DELIVERY_BATCH: i64 = 50;

/// One e-mail a day for people who chose a digest, from `digest_hour` (Vietnam time) on.
/// Returns how many were queued.
pub async fn digests(app: &App, digest_hour: u8, now: OffsetDateTime) -> AppResult<usize> {
    let local = now.to_offset(VIETNAM);
    if local.hour() < digest_hour {
        return Ok(0);
    }
    let batches = {
        let mut c = app.db.read().await?;
        notifications::digest_batches(&mut c).await?
    };
    let mut made = 0;
    for (user_id, email, list) in batches {
        let mut body = format!(
            "Thông báo trong ngày {} / Today's notifications:\n\n",
            format_date(local.date())
        );
        for n in &list {
            body.push_str(&format!("- {}\n  {}\n", n.title_vi, n.title_en));
        }
        if let Some(all) = app.public_link("/notifications") {
            body.push_str(&format!("\n{all}\n"));
        }
        let subject = format!("[dxplan] {} thông báo mới / new notifications", list.len());
        let mut c = app.housekeeping().await?;
        // The key carries the last notification, so a later batch the same day still goes out.
        let last = list.last().map_or(0, |n| n.id);
        notifications::enqueue(
            &mut c,
            &email,
            &subject,
            &body,
            &format!("digest:{user_id}:{last}"),
            now,
        )
        .await?;
        notifications::mark_emailed(&mut c, &list.iter().map(|n| n.id).collect::<Vec<_>>()).await?;
        c.commit().await?;
        made += 1;
    }
    Ok(made)
}

/// Claims the e-mails due now (and those a lost pass left claimed) for one pass.
pub async fn claim_mail(app: &App, now: OffsetDateTime) -> AppResult<Vec<OutboxMessage>> {
    claim(app, Channel::Email, now).await
}

/// Claims the text messages (SMS or Zalo) due now, as [`claim_mail`] does e-mail; they are
/// marked with [`mail_sent`] and [`mail_failed`] alike.
pub async fn claim_texts(app: &App, now: OffsetDateTime) -> AppResult<Vec<OutboxMessage>> {
    claim(app, Channel::Phone, now).await
}

async fn claim(app: &App, channel: Channel, now: OffsetDateTime) -> AppResult<Vec<OutboxMessage>> {
    let mut c = app.housekeeping().await?;
    let claimed = notifications::claim_due(
        &mut c,
        channel,
        now,
        time::Duration::minutes(CLAIM_STALE_MINUTES),
        MAIL_BATCH,
    )
    .await?;
    c.commit().await?;
    Ok(claimed)
}

pub async fn mail_sent(app: &App, message: &OutboxMessage, now: OffsetDateTime) -> AppResult<()> {
    let mut c = app.housekeeping().await?;
    notifications::mark_sent(&mut c, message.id, now).await?;
    c.commit().await?;
    Ok(())
}

/// Records a failed try: the message waits longer each time and is given up after
/// `MAX_ATTEMPTS`.
pub async fn mail_failed(
    app: &App,
    message: &OutboxMessage,
    error: &str,
    now: OffsetDateTime,
) -> AppResult<()> {
    let attempts = message.attempts + 1;
    let next = (attempts < MAX_ATTEMPTS)
        .then(|| now + time::Duration::minutes(retry_delay_minutes(message.attempts)));
    let mut c = app.housekeeping().await?;
    notifications::mark_failed(&mut c, message.id, error, next).await?;
    c.commit().await?;
    Ok(())
}

/// The webhook deliveries due now, each with its endpoint.
pub async fn due_deliveries(app: &App, now: OffsetDateTime) -> AppResult<Vec<(Delivery, Webhook)>> {
    let mut c = app.db.read().await?;
    let due = webhooks::due(&mut c, now, DELIVERY_BATCH).await?;
    let mut with_hooks = Vec::with_capacity(due.len());
    for delivery in due {
        let hook = webhooks::get(&mut c, delivery.webhook_id).await?;
        with_hooks.push((delivery, hook));
    }
    Ok(with_hooks)
}

/// What became of one delivery's try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Tried again after its backoff.
    Retry,
    /// The last try failed, or the endpoint was removed.
    GaveUp,
}

/// Records one try of `delivery`: `result` is the 2xx response code, or the code (when
/// there was a response) and why it failed.
pub async fn record_delivery(
    app: &App,
    delivery: &Delivery,
    endpoint_active: bool,
    result: Result<i64, (Option<i64>, String)>,
    now: OffsetDateTime,
) -> AppResult<DeliveryOutcome> {
    let attempts = delivery.attempts + 1;
    let (outcome, code, error, next) = match result {
        Ok(code) => (DeliveryOutcome::Delivered, Some(code), None, now),
        Err((code, error)) if attempts >= MAX_ATTEMPTS || !endpoint_active => {
            (DeliveryOutcome::GaveUp, code, Some(error), now)
        }
        Err((code, error)) => (
            DeliveryOutcome::Retry,
            code,
            Some(error),
            now + time::Duration::minutes(retry_delay_minutes(attempts - 1)),
        ),
    };
    let status = match outcome {
        DeliveryOutcome::Delivered => "delivered",
        DeliveryOutcome::Retry => "pending",
        DeliveryOutcome::GaveUp => "failed",
    };
    let mut c = app.housekeeping().await?;
    webhooks::record_attempt(
        &mut c,
        delivery.id,
        status,
        code,
        error.as_deref(),
        next,
        now,
    )
    .await?;
    c.commit().await?;
    Ok(outcome)
}
