//! Deadline extensions (gia hạn): a unit asks, the coordinator decides.

use dxplan_domain::auth::Action;
use dxplan_domain::task::ExtensionStatus;
use dxplan_domain::text::parse_date;
use dxplan_domain::validation::required_text;
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::StoreError;
use dxplan_store::audit::NewEvent;
use dxplan_store::tasks::{self, Extension};
use serde::Deserialize;
use serde_json::json;

use super::{actor_id, note_on_task, require_on_lead};
use crate::error::{AppError, AppResult};
use crate::{App, Caller};

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtensionInput {
    #[serde(default)]
    pub new_due_date: String,
    #[serde(default)]
    pub reason: String,
}

/// A unit asks to move an agreed deadline.
pub async fn request_extension(
    app: &App,
    caller: &Caller<'_>,
    task_id: i64,
    input: &ExtensionInput,
) -> AppResult<Extension> {
    let mut c = app.write(caller).await?;
    let task = tasks::get(&mut c, task_id).await?;
    require_on_lead(&mut c, caller, &task, Action::EditUnitWork).await?;
    if task.regular {
        return Err(AppError::conflict(
            "no_deadline",
            "Nhiệm vụ thường xuyên không có thời hạn nên không cần gia hạn.",
            "A regular task has no deadline to extend.",
        ));
    }
    let mut errors = Vec::new();
    let reason = required_text("reason", &input.reason, 2000, &mut errors);
    let new_due = parse_date(&input.new_due_date);
    match new_due {
        None if input.new_due_date.trim().is_empty() => {
            errors.push(FieldError::new("new_due_date", Invalid::Required))
        }
        None => errors.push(FieldError::new("new_due_date", Invalid::BadDate)),
        Some(d) if d <= task.due_date => {
            errors.push(FieldError::new("new_due_date", Invalid::NotAfterDue))
        }
        Some(_) => {}
    }
    let Some(new_due) = new_due.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    if !task.status.takes_extension_requests() {
        return Err(AppError::conflict(
            "extension_not_needed",
            "Chỉ đề nghị gia hạn cho nhiệm vụ đã thống nhất và chưa hoàn thành; khi còn dự thảo, hãy sửa trực tiếp thời hạn.",
            "Extensions are for agreed, unfinished tasks; while a draft, edit the deadline directly.",
        ));
    }
    if tasks::extensions(&mut c, task_id)
        .await?
        .iter()
        .any(|e| e.status == ExtensionStatus::Pending)
    {
        return Err(AppError::conflict(
            "extension_pending",
            "Nhiệm vụ đã có một đề nghị gia hạn đang chờ xem xét.",
            "This task already has an extension request awaiting a decision.",
        ));
    }
    let now = app.now();
    let id = tasks::add_extension(
        &mut c,
        task_id,
        actor_id(caller),
        &caller.actor.name,
        &reason,
        task.due_date,
        new_due,
        now,
    )
    .await?;
    note_on_task(
        &mut c,
        caller,
        task_id,
        "extension_requested",
        Some(&reason),
        now,
    )
    .await?;
    let ext = tasks::extension(&mut c, id).await?;
    c.commit(NewEvent {
        action: "task.extension_request",
        entity_type: "task",
        entity_id: Some(task_id.to_string()),
        summary: format!("{}: {} → {}", task.code, ext.old_due, ext.new_due),
        before: None,
        after: Some(json!(ext)),
    })
    .await?;
    Ok(ext)
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionInput {
    #[serde(default)]
    pub approve: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

/// The coordinator approves (the deadline moves) or refuses an extension.
pub async fn decide_extension(
    app: &App,
    caller: &Caller<'_>,
    extension_id: i64,
    input: &DecisionInput,
) -> AppResult<Extension> {
    decide(app, caller, None, extension_id, input).await
}

/// [`decide_extension`] reached through its task (the task's page): a request of
/// another task is not found there.
pub async fn decide_task_extension(
    app: &App,
    caller: &Caller<'_>,
    task_id: i64,
    extension_id: i64,
    input: &DecisionInput,
) -> AppResult<Extension> {
    decide(app, caller, Some(task_id), extension_id, input).await
}

async fn decide(
    app: &App,
    caller: &Caller<'_>,
    task_id: Option<i64>,
    extension_id: i64,
    input: &DecisionInput,
) -> AppResult<Extension> {
    let mut c = app.write(caller).await?;
    let ext = tasks::extension(&mut c, extension_id).await?;
    if task_id.is_some_and(|t| t != ext.task_id) {
        return Err(AppError::NotFound);
    }
    let task = tasks::get(&mut c, ext.task_id).await?;
    require_on_lead(&mut c, caller, &task, Action::ReviewWork).await?;
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if !input.approve && comment.is_none() {
        return Err(AppError::field("comment", Invalid::Required));
    }
    let now = app.now();
    tasks::decide_extension(
        &mut c,
        extension_id,
        input.approve,
        actor_id(caller),
        &caller.actor.name,
        comment,
        now,
    )
    .await
    .map_err(|e| match e {
        StoreError::VersionConflict => AppError::conflict(
            "extension_decided",
            "Đề nghị gia hạn này đã được xem xét.",
            "This extension request has already been decided.",
        ),
        other => other.into(),
    })?;
    if input.approve {
        tasks::set_due_date(&mut c, task.id, ext.new_due, now).await?;
    }
    note_on_task(
        &mut c,
        caller,
        task.id,
        if input.approve {
            "extension_approved"
        } else {
            "extension_refused"
        },
        comment,
        now,
    )
    .await?;
    let after = tasks::extension(&mut c, extension_id).await?;
    c.commit(NewEvent {
        action: if input.approve {
            "task.extension_approve"
        } else {
            "task.extension_refuse"
        },
        entity_type: "task",
        entity_id: Some(task.id.to_string()),
        summary: format!("{}: {} → {}", task.code, ext.old_due, ext.new_due),
        before: Some(json!(ext)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}
