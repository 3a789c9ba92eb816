//! Use cases for plans, task groups, tasks, their workflow, deadline extensions and
//! progress reports.

use dxplan_domain::Lang;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::task::{
    AcquisitionMode, Outcome, ReportInput, TaskAction, TaskInput, TaskStatus, validate_report,
    validate_task,
};
use dxplan_domain::text::{format_date, parse_date};
use dxplan_domain::validation::{optional_text, required_text};
use dxplan_domain::{FieldError, Invalid};
use dxplan_report::tasks::TaskExportRow;
use dxplan_store::audit::NewEvent;
use dxplan_store::plans::{self, Plan, PlanFields, TaskGroup};
use dxplan_store::tasks::{
    self, Extension, NewTaskEvent, Report, ReportWrite, Task, TaskFilter, TaskWrite,
};
use dxplan_store::{Conn, StoreError, units};
use serde::Deserialize;
use serde_json::json;

use super::{Caller, record};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// The twelve task groups of the provincial DX plan, under their pillars.
pub const DEFAULT_GROUPS: [(&str, &str, &str); 12] = [
    ("1", "Thể chế số", "foundations"),
    ("2", "Hạ tầng số", "foundations"),
    ("3", "Nhân lực số", "foundations"),
    ("4", "Nhận thức số", "foundations"),
    ("5", "Nền tảng số cơ bản", "foundations"),
    ("6", "Dữ liệu số", "foundations"),
    ("7", "An toàn thông tin mạng", "foundations"),
    ("8", "Doanh nghiệp công nghệ số", "digital_economy"),
    ("9", "Chính quyền số", "digital_government"),
    ("10", "Kinh tế số", "digital_economy"),
    ("11", "Xã hội số", "digital_society"),
    (
        "12",
        "Không gian trải nghiệm sản phẩm và dịch vụ số",
        "digital_society",
    ),
];

fn actor_id(caller: &Caller<'_>) -> Option<i64> {
    caller.actor.user_id
}

/// A line on the task's timeline by the caller that leaves its status as it is.
async fn note_on_task(
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

// ---------------------------------------------------------------- plans

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanInput {
    #[serde(default)]
    pub year: Option<i64>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub legal_basis: Option<String>,
    #[serde(default)]
    pub decision_number: Option<String>,
    #[serde(default)]
    pub decision_date: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

fn validate_plan(input: &PlanInput) -> Result<PlanFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let year = match input.year {
        Some(y) if (2000..=2100).contains(&y) => y,
        Some(_) => {
            errors.push(FieldError::new(
                "year",
                Invalid::OutOfRange {
                    min: 2000,
                    max: 2100,
                },
            ));
            0
        }
        None => {
            errors.push(FieldError::new("year", Invalid::Required));
            0
        }
    };
    let title = required_text("title", &input.title, 300, &mut errors);
    let legal_basis = optional_text(
        "legal_basis",
        input.legal_basis.as_deref(),
        2000,
        &mut errors,
    );
    let decision_number = optional_text(
        "decision_number",
        input.decision_number.as_deref(),
        100,
        &mut errors,
    );
    let decision_date = match input
        .decision_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(d) => {
            let parsed = parse_date(d);
            if parsed.is_none() {
                errors.push(FieldError::new("decision_date", Invalid::BadDate));
            }
            parsed
        }
    };
    let status = input.status.clone().unwrap_or_else(|| "active".into());
    if !["draft", "active", "closed"].contains(&status.as_str()) {
        errors.push(FieldError::new("status", Invalid::BadFormat));
    }
    if errors.is_empty() {
        Ok(PlanFields {
            year,
            title,
            legal_basis,
            decision_number,
            decision_date,
            status,
        })
    } else {
        Err(errors)
    }
}

/// Plans and their groups belong to the whole province: managed only with a grant at the
/// top of today's tree (a commune's coordinator registers and reviews work, but does not
/// rewrite the province's plan).
async fn require_plans(c: &mut Conn, app: &App, caller: &Caller<'_>) -> AppResult<()> {
    caller.require_province(c, app, Action::ManagePlans).await
}

/// Whether the caller may import a plan appendix: checked before the workbook is read.
pub async fn authorize_plan_import(app: &App, caller: &Caller<'_>) -> AppResult<()> {
    caller.require_somewhere(Action::ManagePlans)?;
    let mut c = app.db.read().await?;
    require_plans(&mut c, app, caller).await
}

/// Creates a plan with the twelve default task groups.
pub async fn create_plan(app: &App, caller: &Caller<'_>, input: &PlanInput) -> AppResult<Plan> {
    let mut c = app.db.begin().await?;
    require_plans(&mut c, app, caller).await?;
    let fields = validate_plan(input).map_err(AppError::Validation)?;
    let now = app.now();
    let id = plans::insert(&mut c, &fields, now).await?;
    for (position, (code, name, pillar)) in DEFAULT_GROUPS.iter().enumerate() {
        plans::insert_group(&mut c, id, code, name, pillar, position as i64 + 1).await?;
    }
    let plan = plans::get(&mut c, id).await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "plan.create",
            entity_type: "plan",
            entity_id: Some(id.to_string()),
            summary: plan.title.clone(),
            before: None,
            after: Some(json!(plan)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(plan)
}

pub async fn update_plan(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &PlanInput,
    version: Option<i64>,
) -> AppResult<Plan> {
    let mut c = app.db.begin().await?;
    require_plans(&mut c, app, caller).await?;
    let fields = validate_plan(input).map_err(AppError::Validation)?;
    let before = plans::get(&mut c, id).await?;
    plans::update(&mut c, id, &fields, version, app.now()).await?;
    let after = plans::get(&mut c, id).await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "plan.update",
            entity_type: "plan",
            entity_id: Some(id.to_string()),
            summary: after.title.clone(),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(after)
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub pillar_code: String,
    #[serde(default)]
    pub position: Option<i64>,
}

async fn check_group(c: &mut Conn, input: &GroupInput) -> AppResult<(String, String, String)> {
    let mut errors = Vec::new();
    let code = required_text("code", &input.code, 20, &mut errors);
    let name = required_text("name", &input.name, 300, &mut errors);
    let pillars = plans::pillars(c).await?;
    if !pillars.iter().any(|p| p.code == input.pillar_code) {
        errors.push(FieldError::new("pillar_code", Invalid::BadFormat));
    }
    if errors.is_empty() {
        Ok((code, name, input.pillar_code.clone()))
    } else {
        Err(AppError::Validation(errors))
    }
}

fn duplicate_code(e: StoreError) -> AppError {
    match e {
        StoreError::Duplicate => AppError::field("code", Invalid::Taken),
        other => other.into(),
    }
}

pub async fn create_group(
    app: &App,
    caller: &Caller<'_>,
    plan_id: i64,
    input: &GroupInput,
) -> AppResult<TaskGroup> {
    let mut c = app.db.begin().await?;
    require_plans(&mut c, app, caller).await?;
    plans::get(&mut c, plan_id).await?;
    let (code, name, pillar) = check_group(&mut c, input).await?;
    let position = match input.position {
        Some(p) => p,
        None => plans::groups(&mut c, plan_id).await?.len() as i64 + 1,
    };
    let id = plans::insert_group(&mut c, plan_id, &code, &name, &pillar, position)
        .await
        .map_err(duplicate_code)?;
    let group = plans::group(&mut c, id).await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "group.create",
            entity_type: "task_group",
            entity_id: Some(id.to_string()),
            summary: format!("{} {}", group.code, group.name),
            before: None,
            after: Some(json!(group)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(group)
}

pub async fn update_group(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &GroupInput,
) -> AppResult<TaskGroup> {
    let mut c = app.db.begin().await?;
    require_plans(&mut c, app, caller).await?;
    let before = plans::group(&mut c, id).await?;
    let (code, name, pillar) = check_group(&mut c, input).await?;
    plans::update_group(
        &mut c,
        id,
        &code,
        &name,
        &pillar,
        input.position.unwrap_or(before.position),
    )
    .await
    .map_err(duplicate_code)?;
    let after = plans::group(&mut c, id).await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "group.update",
            entity_type: "task_group",
            entity_id: Some(id.to_string()),
            summary: format!("{} {}", after.code, after.name),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(after)
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
    let task = tasks::get(&mut c, id).await?;
    let (lead, coordinating) = task_lineages(&mut c, &task).await?;
    let readable = user.may(Action::ViewWork, Target::Unit(&lead))
        || coordinating
            .iter()
            .any(|l| user.may(Action::ViewWork, Target::Unit(l)));
    if readable {
        Ok(task)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Refuses unless the caller may do `action` on the task's lead unit.
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
    let link = app
        .settings
        .public_url
        .as_deref()
        .map(|base| format!("{}/tasks/{}", base.trim_end_matches('/'), task.id));
    notifications::notify(
        c,
        &recipients,
        &Notice {
            kind,
            task_id: Some(task.id),
            title_vi: &vi,
            title_en: &en,
            dedup_key: None,
            link: link.as_deref(),
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

// ---------------------------------------------------------------- tasks

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
    let mut names = super::pickers::UnitNames::default();
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

fn plan_open(plan: &Plan) -> AppResult<()> {
    if plan.status == "closed" {
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
    let mut c = app.db.begin().await?;
    let plan = plans::get(&mut c, plan_id).await?;
    plan_open(&plan)?;
    check_group_in_plan(&mut c, plan_id, fields.group_id).await?;
    let (lead, coordinating) = resolve_units(
        &mut c,
        app,
        &fields.lead_unit_code,
        &fields.coordinating_unit_codes,
    )
    .await?;
    let lineage = units::lineage(&mut c, lead).await?;
    let target = Target::Unit(&lineage);
    if caller.user.is_some_and(|u| {
        !u.may(Action::EditUnitWork, target) && !u.may(Action::ManagePlans, target)
    }) {
        return Err(AppError::Forbidden);
    }
    let now = app.now();
    let write = TaskWrite {
        fields: &fields,
        plan_id,
        lead_unit_id: lead,
        coordinating: &coordinating,
    };
    let id = tasks::insert(&mut c, &write, TaskStatus::Draft, actor_id(caller), now)
        .await
        .map_err(duplicate_code)?;
    tasks::add_event(
        &mut c,
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
    let task = tasks::get(&mut c, id).await?;
    // A task the coordinator assigns is news to the unit; a unit's own draft is not.
    if caller
        .user
        .is_some_and(|u| !u.may(Action::EditUnitWork, target) || u.may(Action::ManagePlans, target))
    {
        use dxplan_domain::notification::NotificationKind;
        notify_task(
            &mut c,
            app,
            &task,
            NotificationKind::TaskAssigned,
            &UNIT_STAFF,
            "",
            actor_id(caller),
        )
        .await?;
    }
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "task.create",
            entity_type: "task",
            entity_id: Some(id.to_string()),
            summary: format!("{} {}", task.code, task.title),
            before: None,
            after: Some(json!(task)),
        },
    )
    .await?;
    c.commit().await?;
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
    let mut c = app.db.begin().await?;
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
    if before.status.is_closed() || (!as_coordinator && !before.status.is_editable_by_unit()) {
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
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "task.update",
            entity_type: "task",
            entity_id: Some(id.to_string()),
            summary: format!("{} {}", after.code, after.title),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(after)
}

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
    let mut c = app.db.begin().await?;
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
        super::webhooks::emit(
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
    record(
        &mut c,
        app,
        caller,
        NewEvent {
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
            after: Some(
                json!({"status": after.status, "version": after.version, "comment": comment}),
            ),
        },
    )
    .await?;
    c.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- extensions

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
    let mut c = app.db.begin().await?;
    let task = tasks::get(&mut c, task_id).await?;
    require_on_lead(&mut c, caller, &task, Action::EditUnitWork).await?;
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
    if !matches!(task.status, TaskStatus::Approved | TaskStatus::InProgress) {
        return Err(AppError::conflict(
            "extension_not_needed",
            "Chỉ đề nghị gia hạn cho nhiệm vụ đã thống nhất và chưa hoàn thành; khi còn dự thảo, hãy sửa trực tiếp thời hạn.",
            "Extensions are for agreed, unfinished tasks; while a draft, edit the deadline directly.",
        ));
    }
    if tasks::extensions(&mut c, task_id)
        .await?
        .iter()
        .any(|e| e.status == "pending")
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
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "task.extension_request",
            entity_type: "task",
            entity_id: Some(task_id.to_string()),
            summary: format!("{}: {} → {}", task.code, ext.old_due, ext.new_due),
            before: None,
            after: Some(json!(ext)),
        },
    )
    .await?;
    c.commit().await?;
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
    let mut c = app.db.begin().await?;
    let ext = tasks::extension(&mut c, extension_id).await?;
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
    record(
        &mut c,
        app,
        caller,
        NewEvent {
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
        },
    )
    .await?;
    c.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- progress reports

/// Files (or replaces) the progress report of a period for a task in progress.
pub async fn file_report(
    app: &App,
    caller: &Caller<'_>,
    task_id: i64,
    input: &ReportInput,
) -> AppResult<Report> {
    let mut c = app.db.begin().await?;
    let task = tasks::get(&mut c, task_id).await?;
    require_on_lead(&mut c, caller, &task, Action::EditUnitWork).await?;
    let fields = validate_report(input).map_err(AppError::Validation)?;
    if task.status != TaskStatus::InProgress {
        return Err(AppError::conflict(
            "not_in_progress",
            "Chỉ báo cáo tiến độ khi nhiệm vụ đang thực hiện.",
            "Progress is reported while the task is in progress.",
        ));
    }
    let now = app.now();
    let id = tasks::upsert_report(
        &mut c,
        &ReportWrite {
            task_id,
            fields: &fields,
            author_id: actor_id(caller),
            author_name: &caller.actor.name,
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
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "task.report",
            entity_type: "task",
            entity_id: Some(task_id.to_string()),
            summary: format!("{} {}: {}%", task.code, report.period, report.progress),
            before: None,
            after: Some(json!(report)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(report)
}

// ---------------------------------------------------------------- evidence files

/// Attaches an evidence file to a task: its type is checked by name and content, the
/// bytes are stored once by their hash, the record and its audit event together.
pub async fn attach(
    app: &App,
    caller: &Caller<'_>,
    task_id: i64,
    file: impl Future<Output = AppResult<super::Upload>>,
) -> AppResult<dxplan_store::attachments::Attachment> {
    use dxplan_store::attachments::{self, NewAttachment};
    let task = {
        let mut c = app.db.read().await?;
        let task = tasks::get(&mut c, task_id).await?;
        require_on_lead(&mut c, caller, &task, Action::EditUnitWork).await?;
        task
    };
    if task.status == TaskStatus::Cancelled {
        return Err(AppError::conflict(
            "task_cancelled",
            "Nhiệm vụ đã huỷ, không nhận thêm tệp minh chứng.",
            "The task is cancelled: no more evidence files.",
        ));
    }
    let super::Upload { name, bytes } = file.await?;
    let crate::files::Accepted {
        name,
        kind,
        size,
        sha256: sha,
    } = crate::files::accept(
        &app.settings.data_dir,
        app.settings.max_upload_bytes,
        &name,
        bytes,
    )
    .await?;
    let now = app.now();
    let mut c = app.db.begin().await?;
    let id = attachments::insert(
        &mut c,
        task_id,
        &NewAttachment {
            sha256: &sha,
            size,
            kind: kind.as_str(),
            original_name: &name,
            uploaded_by: actor_id(caller),
            uploader_name: &caller.actor.name,
        },
        now,
    )
    .await?;
    note_on_task(&mut c, caller, task_id, "attach", Some(&name), now).await?;
    let attachment = attachments::get(&mut c, id).await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "task.attach",
            entity_type: "task",
            entity_id: Some(task_id.to_string()),
            summary: format!("{}: {name} ({size} B)", task.code),
            before: None,
            after: Some(json!(attachment)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(attachment)
}

/// An evidence file and its bytes, for someone who may read its task.
pub async fn attachment_for(
    app: &App,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(dxplan_store::attachments::Attachment, Vec<u8>)> {
    let attachment = {
        let mut c = app.db.read().await?;
        dxplan_store::attachments::get(&mut c, id).await?
    };
    readable_task(app, user, attachment.task_id).await?;
    let bytes = crate::files::read(&app.settings.data_dir, &attachment.sha256).await?;
    Ok((attachment, bytes))
}

// ---------------------------------------------------------------- plan import

/// What an import found: the tasks it creates (or would create).
pub struct ImportOutcome {
    pub tasks: Vec<dxplan_domain::plan_import::ImportedTask>,
    pub committed: bool,
}

/// Reads a plan appendix workbook and, unless `dry_run`, creates every task in one
/// transaction — all or nothing.
pub async fn import_plan(
    app: &App,
    caller: &Caller<'_>,
    plan_id: i64,
    file: impl Future<Output = AppResult<super::Upload>>,
    dry_run: bool,
) -> AppResult<ImportOutcome> {
    use dxplan_domain::plan_import::{ImportContext, KnownGroup, read_plan};
    let plan = {
        let mut c = app.db.read().await?;
        require_plans(&mut c, app, caller).await?;
        plans::get(&mut c, plan_id).await?
    };
    plan_open(&plan)?;
    // Only now is the workbook read (no connection held while it arrives).
    let bytes = file.await?.bytes;
    let (units_known, groups, existing) = {
        let mut c = app.db.read().await?;
        let units_known = units::known_units(&mut c).await?;
        let groups: Vec<KnownGroup> = plans::groups(&mut c, plan_id)
            .await?
            .into_iter()
            .map(|g| KnownGroup {
                id: g.id,
                code: g.code,
                name: g.name,
            })
            .collect();
        (
            units_known,
            groups,
            tasks::existing_of_plan(&mut c, plan_id).await?,
        )
    };
    let today = app.today();
    let year = i32::try_from(plan.year).unwrap_or(today.year());
    // The units the document names: a past year's plan names those of its time (its
    // decision date, else its last day), so a reused code or an old name finds the unit
    // that held it then; this year's plan is live work for the units standing today.
    let day = if year < today.year() {
        plan.decision_date
            .or_else(|| time::Date::from_calendar_date(year, time::Month::December, 31).ok())
            .map_or(today, |d| d.min(today))
    } else {
        today
    };
    // A task whose lead is outside the province and that names no coordinating unit is
    // followed by the importing coordinator's own unit (see `read_plan`).
    let own_unit = caller.user.and_then(|u| u.unit_id);
    let imported = super::with_workbook(bytes, move |grid, cancel| {
        let cx = ImportContext {
            units: &units_known,
            groups: &groups,
            day,
            year,
            existing: &existing,
            cancel,
            own_unit,
        };
        read_plan(grid, &cx)
    })
    .await?
    .map_err(|e| {
        AppError::PlanImport(vec![dxplan_domain::plan_import::ImportProblem {
            row: 1,
            column: None,
            message_vi: e.message(Lang::Vi),
            message_en: e.message(Lang::En),
        }])
    })?
    .map_err(AppError::PlanImport)?;
    if dry_run {
        return Ok(ImportOutcome {
            tasks: imported,
            committed: false,
        });
    }
    let now = app.now();
    let mut c = app.db.begin().await?;
    let followers: Vec<i64> = imported
        .iter()
        .filter(|t| t.outside_lead.is_some())
        .map(|t| t.lead_unit_id)
        .collect();
    let followers = units::by_ids(&mut c, &followers).await?;
    for t in &imported {
        let id = tasks::insert(
            &mut c,
            &TaskWrite {
                fields: &t.fields,
                plan_id,
                lead_unit_id: t.lead_unit_id,
                coordinating: &t.coordinating,
            },
            TaskStatus::Draft,
            actor_id(caller),
            now,
        )
        .await
        .map_err(duplicate_code)?;
        tasks::add_event(
            &mut c,
            &NewTaskEvent {
                task_id: id,
                actor_id: actor_id(caller),
                actor_name: &caller.actor.name,
                action: "create",
                from_status: None,
                to_status: Some(TaskStatus::Draft),
                comment: Some(&import_note(
                    t,
                    followers
                        .iter()
                        .find(|u| u.id == t.lead_unit_id)
                        .map_or(t.fields.lead_unit_code.as_str(), |u| u.name.as_str()),
                )),
            },
            now,
        )
        .await?;
    }
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "plan.import",
            entity_type: "plan",
            entity_id: Some(plan_id.to_string()),
            summary: format!("{}: {} tasks", plan.title, imported.len()),
            before: None,
            after: None,
        },
    )
    .await?;
    c.commit().await?;
    Ok(ImportOutcome {
        tasks: imported,
        committed: true,
    })
}

/// The history note of an imported task: its row, and when the sheet's lead is outside
/// the province, that it is kept as a partner and who follows the task instead — so the
/// choice the importer made stays visible on the task, not only in the preview.
fn import_note(t: &dxplan_domain::plan_import::ImportedTask, follower: &str) -> String {
    match &t.outside_lead {
        None => format!("Nhập từ tệp Excel, dòng {}", t.row),
        Some(body) => format!(
            "Nhập từ tệp Excel, dòng {}. Đơn vị chủ trì trong tệp “{body}” không phải đơn vị của tỉnh: ghi là đối tác ngoài; {follower} chủ trì theo dõi.",
            t.row
        ),
    }
}

/// A task list as a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Csv,
    Xlsx,
}

impl ListFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ListFormat::Csv => "text/csv; charset=utf-8",
            ListFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Every task a filter selects, as a CSV file or a workbook named after its plan:
/// (file name, bytes).
pub async fn export_list(
    app: &App,
    lang: Lang,
    filter: TaskFilter,
    format: ListFormat,
) -> AppResult<(String, Vec<u8>)> {
    let title = match filter.plan_id {
        Some(p) => {
            let mut c = app.db.read().await?;
            plans::get(&mut c, p).await?.title
        }
        None => lang.pick("Danh sách nhiệm vụ", "Tasks").to_string(),
    };
    let rows = export_rows(app, lang, filter).await?;
    match format {
        ListFormat::Csv => {
            let bytes = dxplan_report::tasks::tasks_csv(&rows)
                .map_err(|e| AppError::internal(format!("csv: {e}")))?;
            Ok((format!("{title}.csv"), bytes))
        }
        ListFormat::Xlsx => {
            // Writing a workbook is CPU work: keep it off the async threads.
            let bytes = tokio::task::spawn_blocking(move || {
                dxplan_report::tasks::tasks_xlsx(&title, &rows)
                    .map(|b| (format!("{title}.xlsx"), b))
            })
            .await
            .map_err(|e| AppError::internal(format!("xlsx task: {e}")))?
            .map_err(|e| AppError::internal(format!("xlsx: {e}")))?;
            Ok(bytes)
        }
    }
}

/// Every task a filter selects (not just one page, at most 50,000), as export rows.
pub async fn export_rows(
    app: &App,
    lang: Lang,
    mut filter: TaskFilter,
) -> AppResult<Vec<TaskExportRow>> {
    let today = app.today();
    filter.offset = 0;
    filter.limit = 1000;
    let mut c = app.db.read().await?;
    let mut all = Vec::new();
    loop {
        let page = tasks::list(&mut c, &filter).await?;
        let done = page.tasks.len() < filter.limit as usize;
        all.extend(page.tasks);
        if done || all.len() >= 50_000 {
            break;
        }
        filter.offset += filter.limit;
    }
    let ids: Vec<i64> = all.iter().map(|t| t.id).collect();
    let names = tasks::coordinating_names_of(&mut c, &ids).await?;
    let mut leads: Vec<i64> = all.iter().map(|t| t.lead_unit_id).collect();
    leads.sort_unstable();
    leads.dedup();
    let continued = units::continued_in(&mut c, &leads, today).await?;
    let rows = all
        .iter()
        .map(|t| {
            let mut parties: Vec<String> = names
                .iter()
                .filter(|(id, _)| *id == t.id)
                .map(|(_, n)| n.clone())
                .collect();
            parties.extend(t.partner_list().iter().map(|p| p.to_string()));
            TaskExportRow {
                code: t.code.clone(),
                title: t.title.clone(),
                group: t.group_name.clone().unwrap_or_default(),
                // Who carries on an ended unit's work, in brackets as documents write
                // it; the importer reads the name before them (or the one inside).
                lead_unit: match continued.get(&t.lead_unit_id) {
                    Some(us) => {
                        let names: Vec<&str> = us.iter().map(|u| u.name.as_str()).collect();
                        format!(
                            "{} ({}: {})",
                            t.lead_unit_name,
                            lang.pick("Nay là", "Now"),
                            names.join("; ")
                        )
                    }
                    None => t.lead_unit_name.clone(),
                },
                coordinating: parties.join("; "),
                deliverable: t.deliverable.clone().unwrap_or_default(),
                start: t.start_date.map(format_date).unwrap_or_default(),
                due: format_date(t.due_date),
                budget: t.budget_planned,
                funding: t.funding_source.clone().unwrap_or_default(),
                mode: match t
                    .acquisition_mode
                    .as_deref()
                    .and_then(AcquisitionMode::parse)
                {
                    Some(AcquisitionMode::Rent) => "Thuê".into(),
                    Some(AcquisitionMode::Buy) => "Mua".into(),
                    Some(AcquisitionMode::InHouse) => "Tự thực hiện".into(),
                    None => String::new(),
                },
                // The appendix's note column is the task's description: the importer
                // reads it back as such, so an exported plan imports unchanged.
                note: t.description.clone().unwrap_or_default(),
                status: t.status.label(lang).to_string(),
                progress: t.progress,
                outcome: Outcome::of(t.status, t.due_date, t.completed_on, today)
                    .label(lang)
                    .to_string(),
                disbursed: t.budget_disbursed,
            }
        })
        .collect();
    Ok(rows)
}

/// Counts of the plan's tasks (those the user may read) by the Decision 42 outcomes.
pub async fn outcome_counts(app: &App, filter: &TaskFilter) -> AppResult<Vec<(Outcome, usize)>> {
    let today = app.today();
    let mut c = app.db.read().await?;
    let facts = tasks::facts(&mut c, filter).await?;
    Ok(Outcome::ALL
        .iter()
        .map(|o| {
            (
                *o,
                facts
                    .iter()
                    .filter(|f| Outcome::of(f.status, f.due, f.completed_on, today) == *o)
                    .count(),
            )
        })
        .collect())
}
