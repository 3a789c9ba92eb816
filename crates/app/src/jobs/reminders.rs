//! Reminders: a task's deadline coming or passed, a quarter's report due, a form's figures
//! not sent, a self-assessment still a draft. Each is made once per subject, deadline and
//! period (its dedup key), however often the pass runs.

use dxplan_domain::Lang;
use dxplan_domain::indicator::PeriodType;
use dxplan_domain::notification::NotificationKind;
use dxplan_domain::period::Period;
use dxplan_domain::task::TaskStatus;
use dxplan_domain::text::{VIETNAM, format_date};
use dxplan_domain::webhook::{EventType, envelope};
use dxplan_store::notifications::{self, Notice};
use dxplan_store::tasks::{self, TaskFilter};
use dxplan_store::{index_rounds, indicators, units, webhooks};
use time::OffsetDateTime;

use super::UNIT_STAFF;
use crate::App;
use crate::error::AppResult;

/// Most tasks one batch of reminders looks at per pass.
const TASK_BATCH: u32 = 1000;

/// Deadline and report reminders to the staff of each open task's lead unit and the units
/// above it; an overdue task is also announced to webhooks. Returns how many were made.
pub async fn remind_tasks(app: &App, now: OffsetDateTime) -> AppResult<usize> {
    let today = now.to_offset(VIETNAM).date();
    let open = vec![TaskStatus::Approved, TaskStatus::InProgress];
    let quarter = Period::containing(today, true);
    let report_window = quarter.end() - time::Duration::days(10) <= today;
    let mut batches = vec![
        (
            NotificationKind::DueSoon,
            TaskFilter {
                statuses: open.clone(),
                today: Some(today),
                due_within_days: Some(7),
                limit: TASK_BATCH,
                ..Default::default()
            },
        ),
        (
            NotificationKind::Overdue,
            TaskFilter {
                statuses: open,
                today: Some(today),
                overdue: true,
                limit: TASK_BATCH,
                ..Default::default()
            },
        ),
    ];
    if report_window {
        batches.push((
            NotificationKind::ReportDue,
            TaskFilter {
                statuses: vec![TaskStatus::InProgress],
                today: Some(today),
                limit: TASK_BATCH,
                ..Default::default()
            },
        ));
    }
    let mut made = 0;
    for (kind, filter) in batches {
        let prefix = match kind {
            NotificationKind::ReportDue => "report:",
            NotificationKind::DueSoon => "due7:",
            _ => "overdue:",
        };
        let (list, already) = {
            let mut c = app.db.read().await?;
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
                    quarter.label(Lang::Vi),
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
            let link = app.public_link(&format!("/tasks/{}", task.id));
            let mut c = app.housekeeping().await?;
            let lineage = units::lineage(&mut c, task.lead_unit_id).await?;
            let recipients = notifications::holders(&mut c, &lineage, &UNIT_STAFF).await?;
            made += notifications::notify(
                &mut c,
                &recipients,
                &Notice {
                    kind,
                    task_id: Some(task.id),
                    path: None,
                    title_vi: &vi,
                    title_en: &en,
                    dedup_key: Some(&key),
                    link: link.as_deref(),
                    by_phone: kind.is_urgent() && app.settings.text_messages,
                },
                now,
            )
            .await?;
            if kind == NotificationKind::Overdue {
                // Other systems hear of it once per task and deadline, like the people.
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
                webhooks::enqueue_keyed(
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
pub async fn remind_figures(app: &App, now: OffsetDateTime) -> AppResult<usize> {
    let today = now.to_offset(VIETNAM).date();
    let forms = {
        let mut c = app.db.read().await?;
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
        let mut c = app.housekeeping().await?;
        let late = indicators::late_units(&mut c, form.id, period, today).await?;
        let label = format!(
            "{} ({} {})",
            period.label(Lang::Vi),
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
            let link = app.public_link(&format!("/data/{unit}?form={}&period={period}", form.id));
            made += notifications::notify(
                &mut c,
                recipients,
                &Notice {
                    kind: NotificationKind::DataDue,
                    task_id: None,
                    path: None,
                    title_vi: &vi,
                    title_en: &en,
                    dedup_key: Some(&key),
                    link: link.as_deref(),
                    by_phone: false,
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
pub async fn remind_assessments(app: &App, now: OffsetDateTime) -> AppResult<usize> {
    let today = now.to_offset(VIETNAM).date();
    let mut c = app.housekeeping().await?;
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
        let link = app.public_link(&format!("/assessments/{}", assessment.id));
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
                path: None,
                title_vi: &vi,
                title_en: &en,
                dedup_key: Some(&key),
                link: link.as_deref(),
                by_phone: false,
            },
            now,
        )
        .await?;
    }
    c.commit().await?;
    Ok(made)
}
