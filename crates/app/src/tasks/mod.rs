//! Use cases for plans, task groups, tasks, their workflow, deadline extensions,
//! progress reports, evidence, plan import and export — and the read models the task
//! pages and the API show. Each read takes the user and checks what they may see.

mod evidence;
mod export;
mod extensions;
mod import;
pub(crate) mod list;
mod plans;
mod register;
mod reports;
mod views;
mod workflow;

pub use evidence::*;
pub use export::*;
pub use extensions::*;
pub use import::*;
pub use list::*;
pub use plans::*;
pub use register::*;
pub use reports::*;
pub use views::*;
pub use workflow::*;

// The rows the read models hand out, so the front doors name no store path.
pub use dxplan_store::attachments::Attachment;
pub use dxplan_store::index_rounds::{CriterionChoice, LinkedCriterion};
pub use dxplan_store::plans::{Pillar, Plan, TaskGroup};
pub use dxplan_store::tasks::{
    Extension, PeriodReport, Report, SourceDocument, Task, TaskEvent, TaskFilter, TaskPage,
    TaskSort,
};
pub use dxplan_store::units::Unit;

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::task::LeadRights;
use dxplan_store::tasks::{self, NewTaskEvent};
use dxplan_store::{Conn, units};

use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

fn actor_id(caller: &Caller<'_>) -> Option<i64> {
    caller.actor.user_id
}

/// A line on the task's timeline by the caller that leaves its status as it is.
pub(crate) async fn note_on_task(
    c: &mut dxplan_store::Conn,
    caller: &Caller<'_>,
    task_id: i64,
    action: &str,
    comment: Option<&str>,
    now: time::OffsetDateTime,
) -> AppResult<()> {
    tasks::add_event(
        c,
        &NewTaskEvent {
            task_id,
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action,
            from_status: None,
            to_status: None,
            comment,
        },
        now,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- visibility

/// The units below which a user may read tasks (`None`: all of them).
pub fn task_scope(user: &CurrentUser) -> Option<Vec<i64>> {
    user.scope(Action::ViewWork)
}

/// The lineage of a task's lead unit and of each coordinating unit.
async fn task_lineages(c: &mut Conn, task: &Task) -> AppResult<(Vec<i64>, Vec<Vec<i64>>)> {
    let lead = units::lineage(c, task.lead_unit_id).await?;
    let mut coordinating = Vec::new();
    for unit in tasks::coordinating_units(c, task.id).await? {
        coordinating.push(units::lineage(c, unit).await?);
    }
    Ok((lead, coordinating))
}

/// Loads a task the user may read, or refuses.
pub async fn readable_task(app: &App, user: &CurrentUser, id: i64) -> AppResult<Task> {
    let mut c = app.db.read().await?;
    readable_on(&mut c, user, id).await
}

/// [`readable_task`] on a connection a read model already holds.
async fn readable_on(c: &mut Conn, user: &CurrentUser, id: i64) -> AppResult<Task> {
    Ok(readable_with_lead(c, user, id).await?.0)
}

/// A readable task and the lineage of its lead unit, which the rights on it are judged by.
async fn readable_with_lead(
    c: &mut Conn,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Task, Vec<i64>)> {
    let task = tasks::get(c, id).await?;
    let (lead, coordinating) = task_lineages(c, &task).await?;
    let readable = user.may(Action::ViewWork, Target::Unit(&lead))
        || coordinating
            .iter()
            .any(|l| user.may(Action::ViewWork, Target::Unit(l)));
    if readable {
        Ok((task, lead))
    } else {
        Err(AppError::Forbidden)
    }
}

/// Refuses unless the caller may do `action` on the task's lead unit.
/// What a person may do on a task's lead unit (`lead` its lineage).
pub(crate) fn lead_rights(user: &CurrentUser, lead: &[i64]) -> LeadRights {
    let target = Target::Unit(lead);
    LeadRights {
        manage_plans: user.may(Action::ManagePlans, target),
        unit_work: user.may(Action::EditUnitWork, target),
        review: user.may(Action::ReviewWork, target),
    }
}

async fn require_on_lead(
    c: &mut Conn,
    caller: &Caller<'_>,
    task: &Task,
    action: Action,
) -> AppResult<Vec<i64>> {
    let lineage = units::lineage(c, task.lead_unit_id).await?;
    caller.require(action, Target::Unit(&lineage))?;
    Ok(lineage)
}

// ---------------------------------------------------------------- notifications

/// Tells the holders of `roles` over the task's lead unit about it, in the same
/// transaction as the change (queuing e-mail for those who want it at once).
async fn notify_task(
    c: &mut Conn,
    app: &App,
    task: &Task,
    kind: dxplan_domain::notification::NotificationKind,
    roles: &[dxplan_domain::auth::Role],
    extra: &str,
    except_user: Option<i64>,
) -> AppResult<()> {
    use dxplan_store::notifications::{self, Notice};
    let lineage = units::lineage(c, task.lead_unit_id).await?;
    let mut recipients = notifications::holders(c, &lineage, roles).await?;
    recipients.retain(|r| Some(r.user_id) != except_user);
    let (vi, en) = kind.titles(&task.code, &task.title, extra);
    let link = app.public_link(&format!("/tasks/{}", task.id));
    notifications::notify(
        c,
        &recipients,
        &Notice {
            kind,
            task_id: Some(task.id),
            path: None,
            title_vi: &vi,
            title_en: &en,
            dedup_key: None,
            link: link.as_deref(),
            by_phone: false,
        },
        app.now(),
    )
    .await?;
    Ok(())
}

const UNIT_STAFF: [dxplan_domain::auth::Role; 2] = [
    dxplan_domain::auth::Role::UnitEditor,
    dxplan_domain::auth::Role::UnitApprover,
];
const REVIEWERS: [dxplan_domain::auth::Role; 1] = [dxplan_domain::auth::Role::Coordinator];
