//! Registering a task and editing its content.

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::task::PlanStatus;
use dxplan_domain::task::{TaskFields, TaskInput, TaskStatus, validate_task};
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::plans::{self, Plan};
use dxplan_store::tasks::{self, NewTaskEvent, Task, TaskWrite};
use dxplan_store::{Conn, StoreError, units};
use serde_json::json;

use super::{UNIT_STAFF, actor_id, duplicate_code, note_on_task, notify_task};
use crate::error::{AppError, AppResult};
use crate::write::Write;
use crate::{App, Caller};

/// Resolves the lead and coordinating units of a task (valid today), each given by its
/// code or its name.
async fn resolve_units(
    c: &mut Conn,
    app: &App,
    lead_code: &str,
    coordinating_codes: &[String],
) -> AppResult<(i64, Vec<i64>)> {
    let today = app.today();
    let mut errors = Vec::new();
    let mut names = crate::pickers::UnitNames::default();
    let lead = match names.find(c, lead_code, today).await? {
        Ok(unit) => Some(unit),
        Err(why) => {
            errors.push(FieldError::new("lead_unit_code", why.invalid()));
            None
        }
    };
    let mut coordinating = Vec::new();
    for code in coordinating_codes {
        match names.find(c, code, today).await? {
            Ok(u) => coordinating.push(u.id),
            Err(why) => errors.push(FieldError::new("coordinating_unit_codes", why.invalid())),
        }
    }
    match lead {
        Some(lead) if errors.is_empty() => Ok((lead.id, coordinating)),
        _ => Err(AppError::Validation(errors)),
    }
}

async fn check_group_in_plan(c: &mut Conn, plan_id: i64, group_id: Option<i64>) -> AppResult<()> {
    if let Some(group_id) = group_id {
        match plans::group(c, group_id).await {
            Ok(g) if g.plan_id == plan_id => {}
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(AppError::field("group_id", Invalid::UnknownGroup));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

pub(crate) fn plan_open(plan: &Plan) -> AppResult<()> {
    if plan.status == PlanStatus::Closed {
        return Err(AppError::conflict(
            "plan_closed",
            "Kế hoạch đã kết thúc, không thể thêm hoặc sửa nhiệm vụ.",
            "The plan is closed: tasks can no longer be added or changed.",
        ));
    }
    Ok(())
}

/// Registers a task (as a draft): coordinators for any unit, unit staff for their own.
pub async fn create_task(
    app: &App,
    caller: &Caller<'_>,
    plan_id: i64,
    input: &TaskInput,
) -> AppResult<Task> {
    // Refuse at once whoever registers work nowhere; the lead unit's check follows.
    if caller
        .user
        .is_some_and(|u| !u.holds(Action::EditUnitWork) && !u.holds(Action::ManagePlans))
    {
        return Err(AppError::Forbidden);
    }
    let fields = validate_task(input).map_err(AppError::Validation)?;
    let mut c = app.write(caller).await?;
    let task = register_checked(&mut c, app, caller, plan_id, &fields).await?;
    c.commit(created_event(&task)).await?;
    Ok(task)
}

/// The audit event of a task registered, whichever door it came through.
pub(crate) fn created_event(task: &Task) -> NewEvent<'static> {
    NewEvent {
        action: "task.create",
        entity_type: "task",
        entity_id: Some(task.id.to_string()),
        summary: format!("{} {}", task.code, task.title),
        before: None,
        after: Some(json!(task)),
    }
}

/// Registers a checked task within a change, with its history and the unit's notice;
/// the caller commits (a steering conclusion's assignment links it first).
pub(crate) async fn register_checked(
    c: &mut Write<'_>,
    app: &App,
    caller: &Caller<'_>,
    plan_id: i64,
    fields: &TaskFields,
) -> AppResult<Task> {
    let c: &mut Conn = c;
    let plan = plans::get(c, plan_id).await?;
    plan_open(&plan)?;
    check_group_in_plan(c, plan_id, fields.group_id).await?;
    let (lead, coordinating) = resolve_units(
        c,
        app,
        &fields.lead_unit_code,
        &fields.coordinating_unit_codes,
    )
    .await?;
    let lineage = units::lineage(c, lead).await?;
    let target = Target::Unit(&lineage);
    if caller.user.is_some_and(|u| {
        !u.may(Action::EditUnitWork, target) && !u.may(Action::ManagePlans, target)
    }) {
        return Err(AppError::Forbidden);
    }
    // Which tasks are key is the assigner's call, not the unit's about its own work.
    if fields.key_task
        && caller
            .user
            .is_some_and(|u| !u.may(Action::ManagePlans, target))
    {
        return Err(AppError::field("key_task", Invalid::CoordinatorOnly));
    }
    let now = app.now();
    let write = TaskWrite {
        fields,
        plan_id,
        lead_unit_id: lead,
        coordinating: &coordinating,
    };
    let id = tasks::insert(c, &write, TaskStatus::Draft, actor_id(caller), now)
        .await
        .map_err(duplicate_code)?;
    tasks::add_event(
        c,
        &NewTaskEvent {
            task_id: id,
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action: "create",
            from_status: None,
            to_status: Some(TaskStatus::Draft),
            comment: None,
        },
        now,
    )
    .await?;
    let task = tasks::get(c, id).await?;
    // A task the coordinator assigns is news to the unit; a unit's own draft is not.
    if caller
        .user
        .is_some_and(|u| !u.may(Action::EditUnitWork, target) || u.may(Action::ManagePlans, target))
    {
        use dxplan_domain::notification::NotificationKind;
        notify_task(
            c,
            app,
            &task,
            NotificationKind::TaskAssigned,
            &UNIT_STAFF,
            "",
            actor_id(caller),
        )
        .await?;
    }
    Ok(task)
}

/// Edits a task's content. Units edit their drafts and returned tasks; coordinators
/// may correct any open task. Once agreed, the deadline moves only by extension.
pub async fn update_task(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &TaskInput,
    version: Option<i64>,
) -> AppResult<Task> {
    let mut c = app.write(caller).await?;
    let before = tasks::get(&mut c, id).await?;
    let lineage = units::lineage(&mut c, before.lead_unit_id).await?;
    let target = Target::Unit(&lineage);
    let as_coordinator = caller
        .user
        .is_none_or(|u| u.may(Action::ManagePlans, target));
    let as_unit = caller
        .user
        .is_some_and(|u| u.may(Action::EditUnitWork, target));
    if !as_coordinator && !as_unit {
        return Err(AppError::Forbidden);
    }
    if !before.status.is_editable(as_coordinator) {
        return Err(AppError::conflict(
            "task_locked",
            format!(
                "Nhiệm vụ đang ở trạng thái “{}”, không sửa được nội dung.",
                before.status.label(dxplan_domain::Lang::Vi)
            ),
            format!(
                "The task is “{}”: its content cannot be edited now.",
                before.status.label(dxplan_domain::Lang::En)
            ),
        ));
    }
    let fields = validate_task(input).map_err(AppError::Validation)?;
    if fields.key_task != before.key_task && !as_coordinator {
        return Err(AppError::field("key_task", Invalid::CoordinatorOnly));
    }
    if before.status.is_committed() && fields.due_date != before.due_date {
        return Err(AppError::field("due_date", Invalid::DeadlineLocked));
    }
    let plan = plans::get(&mut c, before.plan_id).await?;
    plan_open(&plan)?;
    check_group_in_plan(&mut c, before.plan_id, fields.group_id).await?;
    let (lead, coordinating) = resolve_units(
        &mut c,
        app,
        &fields.lead_unit_code,
        &fields.coordinating_unit_codes,
    )
    .await?;
    if lead != before.lead_unit_id {
        let new_lineage = units::lineage(&mut c, lead).await?;
        let target = Target::Unit(&new_lineage);
        if caller.user.is_some_and(|u| {
            !u.may(Action::ManagePlans, target) && !u.may(Action::EditUnitWork, target)
        }) {
            return Err(AppError::Forbidden);
        }
    }
    let write = TaskWrite {
        fields: &fields,
        plan_id: before.plan_id,
        lead_unit_id: lead,
        coordinating: &coordinating,
    };
    let now = app.now();
    tasks::update(
        &mut c,
        id,
        &write,
        !before.status.is_committed(),
        version,
        now,
    )
    .await
    .map_err(duplicate_code)?;
    note_on_task(&mut c, caller, id, "edit", None, now).await?;
    let after = tasks::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "task.update",
        entity_type: "task",
        entity_id: Some(id.to_string()),
        summary: format!("{} {}", after.code, after.title),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}
