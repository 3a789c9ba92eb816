//! Background jobs: the clock and the transports. Each pass is a plain function of the
//! time (`run_due`), so tests call it directly with any clock; `spawn` runs it on an
//! interval in the server. What a pass reads and writes is a use case of
//! `dxplan_app::jobs`; this crate only decides when, and carries e-mails (SMTP), text
//! messages (the province's SMS or Zalo gateway) and webhook deliveries (HTTPS) out.

pub mod mail;
pub mod text;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use dxplan_app::App;
use dxplan_app::error::AppError;
use dxplan_app::jobs;
use time::OffsetDateTime;

use crate::mail::{Mail, Mailer};
use crate::text::{Text, TextMessenger};

pub use dxplan_app::jobs::EXPORT_RETENTION;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub sessions_purged: u64,
    /// Generated documents older than [`EXPORT_RETENTION`] removed.
    pub exports_swept: u64,
    pub reminders: usize,
    /// Scheduled briefings made and queued to their recipients.
    pub briefings_sent: usize,
    pub digests: usize,
    pub sent: usize,
    pub failed: usize,
    /// Text messages handed to the gateway, and tries that failed.
    pub texts_sent: usize,
    pub texts_failed: usize,
    /// Webhook deliveries made, and given up after their last retry.
    pub webhooks_delivered: usize,
    pub webhooks_failed: usize,
}

/// Settings the jobs need beyond the use cases' own (the session lifetime and the public
/// address come from the [`App`]'s settings).
#[derive(Clone)]
pub struct JobConfig {
    pub every: Duration,
    /// The local hour (Vietnam time) from which the daily digest goes out.
    pub digest_hour: u8,
    /// Delivers the outbox; without one, messages wait (nothing is lost).
    pub mailer: Option<Arc<dyn Mailer>>,
    /// Delivers text messages (queued only when the app's settings say there is one).
    pub texter: Option<Arc<dyn TextMessenger>>,
}

impl std::fmt::Debug for JobConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobConfig")
            .field("every", &self.every)
            .field("digest_hour", &self.digest_hour)
            .field("mailer", &self.mailer.is_some())
            .field("texter", &self.texter.is_some())
            .finish()
    }
}

/// Runs everything that is due at `now`.
pub async fn run_due(
    app: &App,
    config: &JobConfig,
    now: OffsetDateTime,
) -> Result<Report, AppError> {
    let swept = jobs::sweep(app, now).await?;
    let mut report = Report {
        sessions_purged: swept.sessions,
        exports_swept: swept.exports,
        ..Report::default()
    };
    report.reminders = jobs::remind_tasks(app, now).await?
        + jobs::remind_figures(app, now).await?
        + jobs::remind_assessments(app, now).await?
        + dxplan_app::explanations::escalate_overdue(app, now).await?;
    report.briefings_sent = dxplan_app::briefings::send_due(app, now).await?;
    report.digests = jobs::digests(app, config.digest_hour, now).await?;
    let (delivered, gave_up) = webhooks::deliver_due(app, now).await?;
    report.webhooks_delivered = delivered;
    report.webhooks_failed = gave_up;
    if let Some(mailer) = &config.mailer {
        let (sent, failed) = deliver(app, mailer.as_ref(), now).await?;
        report.sent = sent;
        report.failed = failed;
    }
    if let Some(texter) = &config.texter {
        let (sent, failed) = deliver_texts(app, texter.as_ref(), now).await?;
        report.texts_sent = sent;
        report.texts_failed = failed;
    }
    Ok(report)
}

/// Hands the queued text messages to the gateway, with the outbox's retries.
/// Returns (sent, failed tries).
pub async fn deliver_texts(
    app: &App,
    texter: &dyn TextMessenger,
    now: OffsetDateTime,
) -> Result<(usize, usize), AppError> {
    let (mut sent, mut failed) = (0, 0);
    for m in jobs::claim_texts(app, now).await? {
        let text = Text {
            to: &m.recipient,
            body: &m.body,
            id: format!("outbox-{}", m.id),
        };
        match texter.send(&text).await {
            Ok(()) => {
                jobs::mail_sent(app, &m, now).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(id = m.id, attempts = m.attempts + 1, error = %e, "text message delivery failed");
                jobs::mail_failed(app, &m, &e, now).await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Sends what the outbox holds; failures wait longer each time, and give up after
/// `MAX_ATTEMPTS`. Returns (sent, failed tries).
pub async fn deliver(
    app: &App,
    mailer: &dyn Mailer,
    now: OffsetDateTime,
) -> Result<(usize, usize), AppError> {
    let (mut sent, mut failed) = (0, 0);
    for m in jobs::claim_mail(app, now).await? {
        let mail = Mail {
            to: &m.recipient,
            subject: &m.subject,
            body: &m.body,
            message_id: format!("<outbox-{}@dxplan>", m.id),
        };
        match mailer.send(&mail).await {
            Ok(()) => {
                jobs::mail_sent(app, &m, now).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(id = m.id, attempts = m.attempts + 1, error = %e, "e-mail delivery failed");
                jobs::mail_failed(app, &m, &e, now).await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Runs [`run_due`] every `config.every` until the task is dropped or aborted.
pub fn spawn(app: App, config: JobConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(config.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_due(&app, &config, OffsetDateTime::now_utc()).await {
                Ok(report) if report != Report::default() => {
                    tracing::info!(?report, "background jobs")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "background jobs failed; will retry"),
            }
        }
    })
}
