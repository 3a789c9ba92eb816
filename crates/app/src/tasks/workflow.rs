//! A task's moves through its workflow (submit, approve, return, start, report completion
//! and have it confirmed or refused, hand back, cancel).

use dxplan_domain::Invalid;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::task::{TaskAction, TaskState, TaskStatus};
use dxplan_store::audit::NewEvent;
use dxplan_store::tasks::{self, NewTaskEvent, Task, Waiting};
use serde_json::json;

use super::{REVIEWERS, UNIT_STAFF, actor_id, notify_task, require_on_lead};
use crate::error::{AppError, AppResult};
use crate::{App, Caller};

/// Moves a task through its workflow. `new_lead` (a unit's name or code) is the unit that
/// takes the task over when the assigner accepts that the unit hands it back.
pub async fn transition(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    action: &str,
    comment: Option<&str>,
    new_lead: Option<&str>,
    version: Option<i64>,
) -> AppResult<Task> {
    let Some(action) = TaskAction::parse(action) else {
        return Err(AppError::field("action", Invalid::BadFormat));
    };
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let new_lead = new_lead.map(str::trim).filter(|c| !c.is_empty());
    let mut c = app.write(caller).await?;
    let before = tasks::get(&mut c, id).await?;
    let lineage = require_on_lead(&mut c, caller, &before, action.permission()).await?;
    // The user acted on a page that is out of date: say so before anything else.
    if version.is_some_and(|v| v != before.version) {
        return Err(AppError::VersionConflict);
    }
    let from = before.state();
    let Some(mut to) = action.apply(from) else {
        return Err(AppError::conflict(
            "illegal_transition",
            format!(
                "Không thể “{}” khi nhiệm vụ đang ở trạng thái “{}”.",
                action.label(dxplan_domain::Lang::Vi),
                from.label(dxplan_domain::Lang::Vi)
            ),
            format!(
                "Cannot “{}” a task that is “{}”.",
                action.label(dxplan_domain::Lang::En),
                from.label(dxplan_domain::Lang::En)
            ),
        ));
    };
    if action.needs_comment() && comment.is_none() {
        return Err(AppError::field("comment", Invalid::Required));
    }
    if comment.is_some_and(|c| c.chars().count() > 5000) {
        return Err(AppError::field("comment", Invalid::TooLong { max: 5000 }));
    }
    let taker = match (action.needs_new_lead(), new_lead) {
        (true, None) => return Err(AppError::field("new_lead", Invalid::Required)),
        (true, Some(name)) if name.chars().count() > 200 => {
            return Err(AppError::field("new_lead", Invalid::TooLong { max: 200 }));
        }
        (true, Some(name)) => Some(new_lead_unit(&mut c, app, caller, &before, name).await?),
        (false, _) => None,
    };
    // The assigner reporting its own work done confirms it at once: nobody else would.
    let confirms_itself = action == TaskAction::Complete
        && caller
            .user
            .is_none_or(|u| u.may(Action::ReviewWork, Target::Unit(&lineage)));
    if confirms_itself {
        to = TaskState::plain(TaskStatus::Completed);
    }
    let now = app.now();
    let today = app.today();
    // Delivered on the day the unit reported it, which the confirmation keeps: the
    // assigner's reading time does not make the unit late.
    let completed_on = (to.status == TaskStatus::Completed)
        .then(|| before.completion_reported_on.unwrap_or(today));
    let waiting = Waiting {
        completion_reported_on: to
            .completion_reported
            .then(|| before.completion_reported_on.unwrap_or(today)),
        decline_requested_on: to
            .decline_pending
            .then(|| before.decline_requested_on.unwrap_or(today)),
    };
    tasks::set_state(&mut c, id, to.status, completed_on, waiting, version, now).await?;
    if let Some(unit) = &taker {
        tasks::set_lead_unit(&mut c, id, unit.id, now).await?;
    }
    let handed_to = taker.as_ref().map(|u| {
        let why = comment.map(|c| format!(" {c}")).unwrap_or_default();
        format!("Giao cho {}.{why}", u.name)
    });
    tasks::add_event(
        &mut c,
        &NewTaskEvent {
            task_id: id,
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action: if confirms_itself {
                TaskAction::ConfirmCompletion.as_str()
            } else {
                action.as_str()
            },
            from_status: Some(before.status),
            to_status: Some(to.status),
            comment: handed_to.as_deref().or(comment),
        },
        now,
    )
    .await?;
    let after = tasks::get(&mut c, id).await?;
    {
        use dxplan_domain::notification::NotificationKind as K;
        let (kind, roles): (Option<K>, &[dxplan_domain::auth::Role]) = match action {
            TaskAction::Submit => (Some(K::TaskSubmitted), &REVIEWERS),
            TaskAction::Approve => (Some(K::TaskApproved), &UNIT_STAFF),
            TaskAction::RequestChanges => (Some(K::TaskReturned), &UNIT_STAFF),
            TaskAction::Cancel => (Some(K::TaskCancelled), &UNIT_STAFF),
            TaskAction::Complete if confirms_itself => (None, &[]),
            TaskAction::Complete => (Some(K::CompletionReported), &REVIEWERS),
            TaskAction::ConfirmCompletion => (Some(K::CompletionConfirmed), &UNIT_STAFF),
            TaskAction::RefuseCompletion => (Some(K::CompletionRefused), &UNIT_STAFF),
            TaskAction::Decline => (Some(K::DeclineRequested), &REVIEWERS),
            TaskAction::RejectDecline => (Some(K::DeclineRejected), &UNIT_STAFF),
            // The unit that takes it over is told it has a new task.
            TaskAction::AcceptDecline => (Some(K::TaskAssigned), &UNIT_STAFF),
            TaskAction::Start => (None, &[]),
        };
        if let Some(kind) = kind {
            notify_task(
                &mut c,
                app,
                &after,
                kind,
                roles,
                comment.unwrap_or_default(),
                actor_id(caller),
            )
            .await?;
        }
    }
    let event = match action {
        TaskAction::Submit => Some(dxplan_domain::webhook::EventType::TaskSubmitted),
        TaskAction::Approve => Some(dxplan_domain::webhook::EventType::TaskApproved),
        TaskAction::RequestChanges => Some(dxplan_domain::webhook::EventType::TaskChangesRequested),
        _ => None,
    };
    if let Some(event) = event {
        crate::webhooks::emit(
            &mut c,
            event,
            json!({"task": {
                "id": after.id, "code": after.code, "title": after.title,
                "lead_unit_code": after.lead_unit_code, "status": after.status,
                "due_date": after.due_date.to_string(), "version": after.version,
            }, "comment": comment}),
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: &format!("task.{}", action.as_str()),
        entity_type: "task",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} {}: {} → {}",
            after.code,
            after.title,
            before.status.as_str(),
            to.status.as_str()
        ),
        before: Some(
            json!({"status": before.status, "lead_unit_code": before.lead_unit_code,
            "completion_reported_on": before.completion_reported_on,
            "decline_requested_on": before.decline_requested_on, "version": before.version}),
        ),
        after: Some(
            json!({"status": after.status, "lead_unit_code": after.lead_unit_code,
            "completion_reported_on": after.completion_reported_on,
            "decline_requested_on": after.decline_requested_on, "version": after.version,
            "comment": comment}),
        ),
    })
    .await?;
    Ok(after)
}

/// The unit a task handed back goes to: named as people write it, standing today, not the
/// unit that gave it back, and one the caller coordinates too.
async fn new_lead_unit(
    c: &mut dxplan_store::Conn,
    app: &App,
    caller: &Caller<'_>,
    task: &Task,
    name: &str,
) -> AppResult<dxplan_store::units::Unit> {
    let unit = match crate::pickers::UnitNames::default()
        .find(c, name, app.today())
        .await?
    {
        Ok(unit) => unit,
        Err(why) => return Err(AppError::field("new_lead", why.invalid())),
    };
    if unit.id == task.lead_unit_id {
        return Err(AppError::field("new_lead", Invalid::Taken));
    }
    let lineage = dxplan_store::units::lineage(c, unit.id).await?;
    caller.require(Action::ManagePlans, Target::Unit(&lineage))?;
    Ok(unit)
}
