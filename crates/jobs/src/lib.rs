//! Background jobs. Each pass is a plain function of the time (`run_due`), so tests call
//! it directly with any clock; `spawn` runs it on an interval in the server.

pub mod mail;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use dxplan_domain::auth::Role;
use dxplan_domain::notification::{MAX_ATTEMPTS, NotificationKind, retry_delay_minutes};
use dxplan_domain::period::Period;
use dxplan_domain::task::TaskStatus;
use dxplan_domain::text::VIETNAM;
use dxplan_domain::text::format_date;
use dxplan_store::notifications::{self, Notice};
use dxplan_store::tasks::{self, TaskFilter};
use dxplan_store::{Db, StoreError, exports, sessions, units};
use time::OffsetDateTime;

use crate::mail::{Mail, Mailer};

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub sessions_purged: u64,
    /// Generated documents older than [`EXPORT_RETENTION`] removed.
    pub exports_swept: u64,
    pub reminders: usize,
    pub digests: usize,
    pub sent: usize,
    pub failed: usize,
    /// Webhook deliveries made, and given up after their last retry.
    pub webhooks_delivered: usize,
    pub webhooks_failed: usize,
}

/// How long a generated document waits for its download.
pub const EXPORT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Settings the jobs need from the server's configuration.
#[derive(Clone)]
pub struct JobConfig {
    pub session_idle: Duration,
    pub every: Duration,
    /// Where links in e-mails point.
    pub public_url: Option<String>,
    /// The local hour (Vietnam time) from which the daily digest goes out.
    pub digest_hour: u8,
    /// Delivers the outbox; without one, messages wait (nothing is lost).
    pub mailer: Option<Arc<dyn Mailer>>,
}

impl std::fmt::Debug for JobConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobConfig")
            .field("session_idle", &self.session_idle)
            .field("every", &self.every)
            .field("mailer", &self.mailer.is_some())
            .finish()
    }
}

const UNIT_STAFF: [Role; 2] = [Role::UnitEditor, Role::UnitApprover];

/// Runs everything that is due at `now`.
pub async fn run_due(
    db: &Db,
    config: &JobConfig,
    now: OffsetDateTime,
) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let mut c = db.begin().await?;
    report.sessions_purged =
        sessions::purge_expired(&mut c, now, now - config.session_idle).await?;
    report.exports_swept = exports::sweep(&mut c, now - EXPORT_RETENTION).await?;
    c.commit().await?;
    report.reminders = remind(db, config, now).await?
        + remind_figures(db, config, now).await?
        + remind_assessments(db, config, now).await?;
    report.digests = digests(db, config, now).await?;
    let (delivered, gave_up) = webhooks::deliver_due(db, now).await?;
    report.webhooks_delivered = delivered;
    report.webhooks_failed = gave_up;
    if let Some(mailer) = &config.mailer {
        let (sent, failed) = deliver(db, mailer.as_ref(), now).await?;
        report.sent = sent;
        report.failed = failed;
    }
    Ok(report)
}

/// Deadline and report reminders, each made once per task, deadline and period.
async fn remind(db: &Db, config: &JobConfig, now: OffsetDateTime) -> Result<usize, StoreError> {
    let today = now.to_offset(VIETNAM).date();
    let open = vec![TaskStatus::Approved, TaskStatus::InProgress];
    let mut made = 0;
    let quarter = Period::containing(today, true);
    let report_window = quarter.end() - time::Duration::days(10) <= today;
    let batches: [(NotificationKind, TaskFilter); 3] = [
        (
            NotificationKind::DueSoon,
            TaskFilter {
                statuses: open.clone(),
                today: Some(today),
                due_within_days: Some(7),
                limit: 1000,
                ..Default::default()
            },
        ),
        (
            NotificationKind::Overdue,
            TaskFilter {
                statuses: open.clone(),
                today: Some(today),
                overdue: true,
                limit: 1000,
                ..Default::default()
            },
        ),
        (
            NotificationKind::ReportDue,
            TaskFilter {
                statuses: vec![TaskStatus::InProgress],
                today: Some(today),
                limit: 1000,
                ..Default::default()
            },
        ),
    ];
    for (kind, filter) in batches {
        if kind == NotificationKind::ReportDue && !report_window {
            continue;
        }
        let prefix = match kind {
            NotificationKind::ReportDue => "report:",
            NotificationKind::DueSoon => "due7:",
            _ => "overdue:",
        };
        let (list, already) = {
            let mut c = db.read().await?;
            let list = match kind {
                NotificationKind::ReportDue => {
                    tasks::missing_reports(&mut c, &filter, &[quarter.to_string()]).await?
                }
                _ => tasks::list(&mut c, &filter).await?.tasks,
            };
            (list, notifications::dedup_keys(&mut c, prefix).await?)
        };
        for task in list {
            let (extra, key) = match kind {
                NotificationKind::ReportDue => (
                    quarter.label(dxplan_domain::Lang::Vi),
                    format!("report:{}:{quarter}", task.id),
                ),
                NotificationKind::DueSoon => (
                    format_date(task.due_date),
                    format!("due7:{}:{}", task.id, task.due_date),
                ),
                _ => (
                    format_date(task.due_date),
                    format!("overdue:{}:{}", task.id, task.due_date),
                ),
            };
            // Said before: skip without opening a transaction.
            if already.contains(&key) {
                continue;
            }
            let (vi, en) = kind.titles(&task.code, &task.title, &extra);
            let link = config
                .public_url
                .as_deref()
                .map(|b| format!("{}/tasks/{}", b.trim_end_matches('/'), task.id));
            let mut c = db.begin().await?;
            let lineage = units::lineage(&mut c, task.lead_unit_id).await?;
            let recipients = notifications::holders(&mut c, &lineage, &UNIT_STAFF).await?;
            made += notifications::notify(
                &mut c,
                &recipients,
                &Notice {
                    kind,
                    task_id: Some(task.id),
                    title_vi: &vi,
                    title_en: &en,
                    dedup_key: Some(&key),
                    link: link.as_deref(),
                },
                now,
            )
            .await?;
            if kind == NotificationKind::Overdue {
                // Other systems hear of it once per task and deadline, like the people.
                use dxplan_domain::webhook::{EventType, envelope};
                let stamp = now
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                let payload = envelope(
                    EventType::TaskOverdue,
                    &key,
                    &stamp,
                    serde_json::json!({"task": {
                        "id": task.id, "code": task.code, "title": task.title,
                        "lead_unit_code": task.lead_unit_code, "due_date": task.due_date.to_string(),
                        "status": task.status.as_str(),
                    }}),
                );
                dxplan_store::webhooks::enqueue_keyed(
                    &mut c,
                    EventType::TaskOverdue.as_str(),
                    Some(&key),
                    &payload,
                    now,
                )
                .await?;
            }
            c.commit().await?;
        }
    }
    Ok(made)
}

/// Reminders to units that have not sent a form's figures: a few days before the
/// deadline, and once it has passed. Each is made once per unit, form and period.
async fn remind_figures(
    db: &Db,
    config: &JobConfig,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    use dxplan_domain::indicator::PeriodType;
    use dxplan_store::indicators;
    let today = now.to_offset(VIETNAM).date();
    let forms = {
        let mut c = db.read().await?;
        indicators::forms(&mut c).await?
    };
    let mut made = 0;
    for form in forms {
        // The period being reported: the last one that has ended.
        let current = match form.period_type {
            PeriodType::Year => Period::Year(today.year()),
            PeriodType::Quarter => Period::containing(today, true),
            PeriodType::Month => Period::containing(today, false),
        };
        let Some(previous) = current.start().previous_day() else {
            continue;
        };
        let period = match form.period_type {
            PeriodType::Year => Period::Year(previous.year()),
            PeriodType::Quarter => Period::containing(previous, true),
            PeriodType::Month => Period::containing(previous, false),
        };
        let deadline = period.end() + time::Duration::days(form.deadline_days);
        let stage = if today > deadline {
            "after"
        } else if today >= deadline - time::Duration::days(3) {
            "before"
        } else {
            continue;
        };
        let mut c = db.begin().await?;
        let late = indicators::late_units(&mut c, form.id, period, today).await?;
        let label = format!(
            "{} ({} {})",
            period.label(dxplan_domain::Lang::Vi),
            if stage == "after" {
                "đã quá hạn"
            } else {
                "hạn nộp"
            },
            format_date(deadline)
        );
        let (vi, en) = NotificationKind::DataDue.titles(&form.code, &form.name, &label);
        let late_ids: Vec<i64> = late.iter().map(|(id, _)| *id).collect();
        let staff = notifications::holders_of_units(&mut c, &late_ids, &UNIT_STAFF).await?;
        for unit in late_ids {
            let recipients = staff.get(&unit).map(Vec::as_slice).unwrap_or_default();
            let key = format!("data-{stage}:{}:{period}:{unit}", form.id);
            // Straight to the unit's entry page for this form and period.
            let link = config.public_url.as_deref().map(|b| {
                format!(
                    "{}/data/{unit}?form={}&period={period}",
                    b.trim_end_matches('/'),
                    form.id
                )
            });
            made += notifications::notify(
                &mut c,
                recipients,
                &Notice {
                    kind: NotificationKind::DataDue,
                    task_id: None,
                    title_vi: &vi,
                    title_en: &en,
                    dedup_key: Some(&key),
                    link: link.as_deref(),
                },
                now,
            )
            .await?;
        }
        c.commit().await?;
    }
    Ok(made)
}

/// Reminders to units whose self-assessment is still a draft three days or less before
/// its deadline (or the date it was reopened to): once per unit, assessment and deadline.
async fn remind_assessments(
    db: &Db,
    config: &JobConfig,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    use dxplan_store::index_rounds;
    let today = now.to_offset(VIETNAM).date();
    let mut c = db.begin().await?;
    let due = index_rounds::drafts_due(&mut c, today, today + time::Duration::days(3)).await?;
    let unit_ids: Vec<i64> = due.iter().map(|(a, _)| a.unit_id).collect();
    let staff = notifications::holders_of_units(&mut c, &unit_ids, &UNIT_STAFF).await?;
    let mut made = 0;
    for (assessment, round) in &due {
        let deadline = assessment.reopened_until.unwrap_or(round.deadline);
        let (vi, en) = NotificationKind::AssessmentDue.titles(
            &round.name,
            &assessment.unit_name,
            &format_date(deadline),
        );
        let key = format!("assessment-due:{}:{deadline}", assessment.id);
        let link = config
            .public_url
            .as_deref()
            .map(|b| format!("{}/assessments/{}", b.trim_end_matches('/'), assessment.id));
        let recipients = staff
            .get(&assessment.unit_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        made += notifications::notify(
            &mut c,
            recipients,
            &Notice {
                kind: NotificationKind::AssessmentDue,
                task_id: None,
                title_vi: &vi,
                title_en: &en,
                dedup_key: Some(&key),
                link: link.as_deref(),
            },
            now,
        )
        .await?;
    }
    c.commit().await?;
    Ok(made)
}

/// One e-mail a day for people who chose a digest, from the configured hour on.
async fn digests(db: &Db, config: &JobConfig, now: OffsetDateTime) -> Result<usize, StoreError> {
    let local = now.to_offset(VIETNAM);
    if local.hour() < config.digest_hour {
        return Ok(0);
    }
    let batches = {
        let mut c = db.read().await?;
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
        if let Some(base) = &config.public_url {
            body.push_str(&format!("\n{}/notifications\n", base.trim_end_matches('/')));
        }
        let subject = format!("[dxplan] {} thông báo mới / new notifications", list.len());
        let mut c = db.begin().await?;
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

/// Sends what the outbox holds; failures wait longer each time, and give up after
/// `MAX_ATTEMPTS`. Returns (sent, failed tries).
pub async fn deliver(
    db: &Db,
    mailer: &dyn Mailer,
    now: OffsetDateTime,
) -> Result<(usize, usize), StoreError> {
    let claimed = {
        let mut c = db.begin().await?;
        let claimed =
            notifications::claim_due(&mut c, now, time::Duration::minutes(10), 50).await?;
        c.commit().await?;
        claimed
    };
    let (mut sent, mut failed) = (0, 0);
    for m in claimed {
        let mail = Mail {
            to: &m.recipient,
            subject: &m.subject,
            body: &m.body,
            message_id: format!("<outbox-{}@dxplan>", m.id),
        };
        let result = mailer.send(&mail).await;
        let mut c = db.begin().await?;
        match result {
            Ok(()) => {
                notifications::mark_sent(&mut c, m.id, now).await?;
                sent += 1;
            }
            Err(e) => {
                let attempts = m.attempts + 1;
                let next = (attempts < MAX_ATTEMPTS)
                    .then(|| now + time::Duration::minutes(retry_delay_minutes(m.attempts)));
                tracing::warn!(id = m.id, attempts, error = %e, "e-mail delivery failed");
                notifications::mark_failed(&mut c, m.id, &e, next).await?;
                failed += 1;
            }
        }
        c.commit().await?;
    }
    Ok((sent, failed))
}

/// Runs [`run_due`] every `config.every` until the task is dropped or aborted.
pub fn spawn(db: Db, config: JobConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(config.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_due(&db, &config, OffsetDateTime::now_utc()).await {
                Ok(report) if report != Report::default() => {
                    tracing::info!(?report, "background jobs")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "background jobs failed; will retry"),
            }
        }
    })
}
