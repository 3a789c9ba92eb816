//! One task as its pages and the API show it: the task page with its history and what
//! the user may do there, the form that registers or edits it, its lists (events,
//! reports, extensions, evidence) one by one.

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::task::ExtensionStatus;
use dxplan_domain::task::{TaskAction, task_powers};
use dxplan_store::{Conn, attachments, index_rounds, plans, tasks, units};

use super::{
    Attachment, CriterionChoice, Extension, LinkedCriterion, Plan, Report, Task, TaskEvent,
    TaskGroup, Unit, lead_rights, readable_on, readable_with_lead,
};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// What the user may do on a task's page, judged on its lead unit.
#[derive(Debug, Clone, Default)]
pub struct TaskRights {
    /// The workflow moves open to the task now that the user may make.
    pub actions: Vec<TaskAction>,
    pub edit: bool,
    pub report: bool,
    pub request_extension: bool,
    pub decide_extension: bool,
    pub attach: bool,
    /// Name the index criteria the task aims to improve.
    pub link_criteria: bool,
    /// Name the officer who answers for it (the unit's head, the coordinator).
    pub set_officer: bool,
    /// Exempt its delay for an objective cause (a reviewer, while it is late).
    pub exempt_delay: bool,
}

impl TaskRights {
    fn of(
        user: &CurrentUser,
        task: &Task,
        lead: &[i64],
        extension_pending: bool,
        today: time::Date,
    ) -> TaskRights {
        let target = Target::Unit(lead);
        let powers = task_powers(
            task.status,
            task.regular,
            lead_rights(user, lead),
            extension_pending,
        );
        TaskRights {
            actions: TaskAction::available(task.state())
                .into_iter()
                .filter(|a| user.may(a.permission(), target))
                .collect(),
            edit: powers.edit,
            report: powers.report,
            request_extension: powers.request_extension,
            decide_extension: powers.decide_extension,
            attach: powers.attach,
            link_criteria: powers.link_criteria,
            set_officer: !task.status.is_closed()
                && (user.may(Action::SubmitUnitWork, target)
                    || user.may(Action::ManagePlans, target)),
            exempt_delay: user.may(Action::ReviewWork, target)
                && task.delay_exempt_reason.is_none()
                && task.status != dxplan_domain::task::TaskStatus::Cancelled
                && task.completed_on.unwrap_or(today) > task.due_date,
        }
    }
}

/// A task's page: the task, its plan and units, its history, and what the user may do.
pub struct TaskView {
    pub task: Task,
    pub plan: Plan,
    pub coordinating: Vec<Unit>,
    /// Oldest first.
    pub events: Vec<TaskEvent>,
    pub reports: Vec<Report>,
    /// Oldest first.
    pub extensions: Vec<Extension>,
    pub attachments: Vec<Attachment>,
    pub criteria: Vec<LinkedCriterion>,
    /// The criteria the task may name, each with whether it does: only for a user who
    /// may change the list.
    pub criterion_choices: Vec<(CriterionChoice, bool)>,
    pub may: TaskRights,
    /// The units a task handed back may go to, by name: only for the user who decides.
    pub handover_choices: Vec<String>,
    /// The lead unit's staff, by name: only for the user who names the officer.
    pub officer_choices: Vec<String>,
}

/// A task's page for a user who may read the task.
pub async fn task_view(app: &App, user: &CurrentUser, id: i64) -> AppResult<TaskView> {
    let mut c = app.db.read().await?;
    let (task, lead) = readable_with_lead(&mut c, user, id).await?;
    let plan = plans::get(&mut c, task.plan_id).await?;
    let coordinating = coordinating_of(&mut c, id).await?;
    let events = tasks::events(&mut c, id).await?;
    let reports = tasks::reports(&mut c, id).await?;
    let extensions = tasks::extensions(&mut c, id).await?;
    let attachments = attachments::of_task(&mut c, id).await?;
    let criteria = index_rounds::criteria_of_task(&mut c, id).await?;
    let pending = extensions
        .iter()
        .any(|e| e.status == ExtensionStatus::Pending);
    let may = TaskRights::of(user, &task, &lead, pending, app.today());
    let criterion_choices = if may.link_criteria {
        let kind = units::get(&mut c, task.lead_unit_id).await?.kind;
        index_rounds::criteria_for(&mut c, plan.year, kind.as_str())
            .await?
            .into_iter()
            .map(|k| {
                let chosen = criteria.iter().any(|l| l.criterion_id == k.criterion_id);
                (k, chosen)
            })
            .collect()
    } else {
        Vec::new()
    };
    drop(c);
    let handover_choices = if may.actions.contains(&TaskAction::AcceptDecline) {
        crate::pickers::unit_choices(app, user, Action::ManagePlans, app.today()).await?
    } else {
        Vec::new()
    };
    let officer_choices = if may.set_officer {
        crate::evaluation::officer_choices(app, &task).await?
    } else {
        Vec::new()
    };
    Ok(TaskView {
        task,
        plan,
        coordinating,
        events,
        reports,
        extensions,
        attachments,
        criteria,
        criterion_choices,
        may,
        handover_choices,
        officer_choices,
    })
}

async fn coordinating_of(c: &mut Conn, task_id: i64) -> AppResult<Vec<Unit>> {
    let ids = tasks::coordinating_units(c, task_id).await?;
    Ok(units::by_ids(c, &ids).await?)
}

/// A task with its coordinating units, for a user who may read it.
pub struct TaskDetail {
    pub task: Task,
    pub coordinating: Vec<Unit>,
}

pub async fn task_detail(app: &App, user: &CurrentUser, id: i64) -> AppResult<TaskDetail> {
    let mut c = app.db.read().await?;
    let task = readable_on(&mut c, user, id).await?;
    let coordinating = coordinating_of(&mut c, id).await?;
    Ok(TaskDetail { task, coordinating })
}

/// A readable task's history, oldest first.
pub async fn task_events(app: &App, user: &CurrentUser, id: i64) -> AppResult<Vec<TaskEvent>> {
    let mut c = app.db.read().await?;
    readable_on(&mut c, user, id).await?;
    Ok(tasks::events(&mut c, id).await?)
}

/// A readable task's progress reports.
pub async fn task_reports(app: &App, user: &CurrentUser, id: i64) -> AppResult<Vec<Report>> {
    let mut c = app.db.read().await?;
    readable_on(&mut c, user, id).await?;
    Ok(tasks::reports(&mut c, id).await?)
}

/// A readable task's deadline extension requests.
pub async fn task_extensions(app: &App, user: &CurrentUser, id: i64) -> AppResult<Vec<Extension>> {
    let mut c = app.db.read().await?;
    readable_on(&mut c, user, id).await?;
    Ok(tasks::extensions(&mut c, id).await?)
}

/// A readable task's evidence files.
pub async fn task_attachments(
    app: &App,
    user: &CurrentUser,
    id: i64,
) -> AppResult<Vec<Attachment>> {
    let mut c = app.db.read().await?;
    readable_on(&mut c, user, id).await?;
    Ok(attachments::of_task(&mut c, id).await?)
}

// ---------------------------------------------------------------- the task form

/// What the task form offers: the plan, its groups, the units the lead field proposes.
pub struct TaskFormView {
    pub plan: Plan,
    pub groups: Vec<TaskGroup>,
    /// The units the user may register work for, by name.
    pub lead_choices: Vec<String>,
    /// The user's own unit, by name: a unit's officer registers for it by default.
    pub own_unit: Option<String>,
    /// Whether the form offers to mark the task as a key task: the assigner's choice.
    pub marks_key_tasks: bool,
}

/// The task form for a plan (the newest when none is named), for a user who registers
/// work somewhere.
pub async fn task_form(
    app: &App,
    user: &CurrentUser,
    plan_id: Option<i64>,
) -> AppResult<TaskFormView> {
    if !user.holds(Action::EditUnitWork) && !user.holds(Action::ManagePlans) {
        return Err(AppError::Forbidden);
    }
    let (plan, groups, own_unit) = {
        let mut c = app.db.read().await?;
        let plan = match plan_id {
            Some(id) => plans::get(&mut c, id).await?,
            None => plans::list(&mut c)
                .await?
                .into_iter()
                .next()
                .ok_or(AppError::NotFound)?,
        };
        let groups = plans::groups(&mut c, plan.id).await?;
        // Only a default: an account whose unit cannot be read gets an empty field.
        let own_unit = match user.unit_id {
            Some(u) => units::get(&mut c, u).await.ok().map(|u| u.name),
            None => None,
        };
        (plan, groups, own_unit)
    };
    // A coordinator may name any unit in their scope, a unit's officer their own units.
    let action = if user.holds(Action::ManagePlans) {
        Action::ManagePlans
    } else {
        Action::EditUnitWork
    };
    let lead_choices = crate::pickers::unit_choices(app, user, action, app.today()).await?;
    Ok(TaskFormView {
        plan,
        groups,
        lead_choices,
        own_unit,
        marks_key_tasks: user.holds(Action::ManagePlans),
    })
}

/// The edit form of a task the user may edit now.
pub struct TaskEdit {
    pub task: Task,
    pub coordinating: Vec<Unit>,
    pub form: TaskFormView,
}

pub async fn task_edit(app: &App, user: &CurrentUser, id: i64) -> AppResult<TaskEdit> {
    let (task, coordinating, rights) = {
        let mut c = app.db.read().await?;
        let (task, lead) = readable_with_lead(&mut c, user, id).await?;
        let rights = lead_rights(user, &lead);
        if !task_powers(task.status, task.regular, rights, false).edit {
            return Err(AppError::Forbidden);
        }
        (task, coordinating_of(&mut c, id).await?, rights)
    };
    let mut form = task_form(app, user, Some(task.plan_id)).await?;
    form.marks_key_tasks = rights.manage_plans;
    Ok(TaskEdit {
        task,
        coordinating,
        form,
    })
}
