//! Progress reports, and the obstacles and proposals they carry.

use dxplan_domain::Invalid;
use dxplan_domain::auth::Action;
use dxplan_domain::period::Period;
use dxplan_domain::task::{ReportInput, validate_report};
use dxplan_store::audit::NewEvent;
use dxplan_store::tasks::{self, Report, ReportWrite};
use serde_json::json;

use super::{PeriodReport, Plan, actor_id, note_on_task, require_on_lead, task_scope};
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
use crate::{App, Caller};

/// Files (or replaces) the progress report of a period for a task in progress.
pub async fn file_report(
    app: &App,
    caller: &Caller<'_>,
    task_id: i64,
    input: &ReportInput,
) -> AppResult<Report> {
    let mut c = app.write(caller).await?;
    let task = tasks::get(&mut c, task_id).await?;
    require_on_lead(&mut c, caller, &task, Action::EditUnitWork).await?;
    let now = app.now();
    let fields = validate_report(input).map_err(AppError::Validation)?;
    let entered_offline_at =
        dxplan_domain::validation::entered_offline(input.entered_offline_at.as_deref(), now)
            .map_err(|e| AppError::Validation(vec![e]))?;
    if !task.status.takes_reports() {
        return Err(AppError::conflict(
            "not_in_progress",
            "Chỉ báo cáo tiến độ khi nhiệm vụ đang thực hiện.",
            "Progress is reported while the task is in progress.",
        ));
    }
    let id = tasks::upsert_report(
        &mut c,
        &ReportWrite {
            task_id,
            fields: &fields,
            author_id: actor_id(caller),
            author_name: &caller.actor.name,
            entered_offline_at,
        },
        now,
    )
    .await?;
    note_on_task(
        &mut c,
        caller,
        task_id,
        "report",
        Some(&format!("{}: {}%", fields.period, fields.progress)),
        now,
    )
    .await?;
    let report = tasks::reports(&mut c, task_id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    c.commit(NewEvent {
        action: "task.report",
        entity_type: "task",
        entity_id: Some(task_id.to_string()),
        summary: format!("{} {}: {}%", task.code, report.period, report.progress),
        before: None,
        after: Some(json!(report)),
    })
    .await?;
    Ok(report)
}

/// What units say holds them back in a period: the reports of a plan's tasks (those the
/// user may read) that name obstacles or proposals, by task group.
pub struct Obstacles {
    pub plan: Plan,
    pub period: Period,
    pub reports: Vec<PeriodReport>,
}

/// The obstacles of `period` as typed (`2025Q2`, a month or a year; the current quarter
/// when empty).
pub async fn obstacles(
    app: &App,
    user: &CurrentUser,
    plan_id: i64,
    period: Option<&str>,
) -> AppResult<Obstacles> {
    // The plan is read by every member alike; its tasks stay scoped.
    user.require_somewhere(Action::ViewWork)?;
    let period = match period.map(str::trim).filter(|p| !p.is_empty()) {
        None => Period::containing(app.today(), true),
        Some(p) => Period::parse(p).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?,
    };
    let scope = task_scope(user);
    let mut c = app.db.read().await?;
    let plan = dxplan_store::plans::get(&mut c, plan_id).await?;
    let reports =
        tasks::period_reports(&mut c, plan_id, &period.to_string(), scope.as_deref()).await?;
    Ok(Obstacles {
        plan,
        period,
        reports,
    })
}
