//! A task's moves through its workflow (submit, approve, return, start, complete, cancel).

use dxplan_domain::Invalid;
use dxplan_domain::task::{TaskAction, TaskStatus};
use dxplan_store::audit::NewEvent;
use dxplan_store::tasks::{self, NewTaskEvent, Task};
use serde_json::json;

use super::{REVIEWERS, UNIT_STAFF, actor_id, notify_task, require_on_lead};
use crate::error::{AppError, AppResult};
use crate::{App, Caller};

/// Moves a task through its workflow.
pub async fn transition(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    action: &str,
    comment: Option<&str>,
    version: Option<i64>,
) -> AppResult<Task> {
    let Some(action) = TaskAction::parse(action) else {
        return Err(AppError::field("action", Invalid::BadFormat));
    };
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let mut c = app.write(caller).await?;
    let before = tasks::get(&mut c, id).await?;
    require_on_lead(&mut c, caller, &before, action.permission()).await?;
    // The user acted on a page that is out of date: say so before anything else.
    if version.is_some_and(|v| v != before.version) {
        return Err(AppError::VersionConflict);
    }
    let Some(to) = action.apply(before.status) else {
        return Err(AppError::conflict(
            "illegal_transition",
            format!(
                "Không thể “{}” khi nhiệm vụ đang ở trạng thái “{}”.",
                action.label(dxplan_domain::Lang::Vi),
                before.status.label(dxplan_domain::Lang::Vi)
            ),
            format!(
                "Cannot “{}” a task that is “{}”.",
                action.label(dxplan_domain::Lang::En),
                before.status.label(dxplan_domain::Lang::En)
            ),
        ));
    };
    if action.needs_comment() && comment.is_none() {
        return Err(AppError::field("comment", Invalid::Required));
    }
    if comment.is_some_and(|c| c.chars().count() > 5000) {
        return Err(AppError::field("comment", Invalid::TooLong { max: 5000 }));
    }
    let now = app.now();
    let completed_on = (to == TaskStatus::Completed).then(|| app.today());
    tasks::set_status(&mut c, id, to, completed_on, version, now).await?;
    tasks::add_event(
        &mut c,
        &NewTaskEvent {
            task_id: id,
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action: action.as_str(),
            from_status: Some(before.status),
            to_status: Some(to),
            comment,
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
            TaskAction::Start | TaskAction::Complete => (None, &[]),
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
            to.as_str()
        ),
        before: Some(json!({"status": before.status, "version": before.version})),
        after: Some(json!({"status": after.status, "version": after.version, "comment": comment})),
    })
    .await?;
    Ok(after)
}
