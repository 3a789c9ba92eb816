//! Plans, the task list, a task's page with its workflow, extensions and reports,
//! the consolidated obstacles of a period, and "Việc của tôi".

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::Response;
use dxplan_domain::Lang;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::period::Period;
use dxplan_domain::task::{
    AcquisitionMode, Outcome, ReportInput, TaskAction, TaskInput, TaskStatus,
};
use dxplan_domain::text::{format_date, format_money};
use dxplan_store::plans::{self, Plan, TaskGroup};
use dxplan_store::tasks::{self, Extension, Report, Task, TaskEvent, TaskFilter};
use dxplan_store::units;
use serde::Deserialize;

use super::{Ctx, FormErrors, Page};
use crate::error::{AppError, WebError, WebResult};
use crate::format;
use crate::http::task_query::TaskListQuery;
use dxplan_app::AppResult;
use dxplan_app::tasks as svc;
use dxplan_app::tasks::outcome_counts;
use dxplan_app::work::{MyWork, WorkItem};

/// A task as a list row shows it.
pub struct TaskRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub unit: String,
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub outcome: &'static str,
    pub overdue: bool,
    pub progress: i64,
    /// When the lead unit has ended in a reorganisation: the units that continue it today.
    pub now: Option<String>,
}

impl TaskRow {
    pub fn new(t: &Task, lang: Lang, today: time::Date) -> TaskRow {
        let outcome = Outcome::of(t.status, t.due_date, t.completed_on, today);
        TaskRow {
            id: t.id,
            code: t.code.clone(),
            title: t.title.clone(),
            unit: t.lead_unit_name.clone(),
            due: format_date(t.due_date),
            status: t.status.label(lang),
            status_class: t.status.as_str(),
            outcome: outcome.label(lang),
            overdue: outcome == Outcome::NotCompletedOverdue,
            progress: t.progress,
            now: None,
        }
    }
}

fn rows(tasks: &[Task], ctx: &Ctx) -> Vec<TaskRow> {
    let today = ctx.state.today();
    tasks
        .iter()
        .map(|t| TaskRow::new(t, ctx.lang(), today))
        .collect()
}

fn require_view(ctx: &Ctx) -> WebResult<&crate::session::CurrentUser> {
    let user = ctx.user()?;
    // Plans are read by every member alike; their tasks stay scoped.
    user.require_somewhere(Action::ViewWork)?;
    Ok(user)
}

/// Whether the page offers to change plans and their groups: province-wide objects.
async fn manages_plans(
    c: &mut dxplan_store::Conn,
    ctx: &Ctx,
    user: &crate::session::CurrentUser,
) -> WebResult<bool> {
    Ok(dxplan_app::rights::Province::today(c, &ctx.state)
        .await?
        .allows(user, Action::ManagePlans))
}

// ---------------------------------------------------------------- plans

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    page: Page,
    plans: Vec<Plan>,
    can_manage: bool,
    errors: FormErrors,
    form: PlanForm,
}

#[derive(Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    decision_number: String,
    #[serde(default)]
    decision_date: String,
}

async fn plans_page(ctx: &Ctx, form: PlanForm, errors: FormErrors) -> WebResult<PlansPage> {
    let user = require_view(ctx)?;
    let mut c = ctx.state.db.read().await?;
    Ok(PlansPage {
        page: ctx.page("Kế hoạch", "Plans"),
        plans: plans::list(&mut c).await?,
        can_manage: manages_plans(&mut c, ctx, user).await?,
        errors,
        form,
    })
}

pub async fn plans(ctx: Ctx) -> WebResult<Response> {
    let year = ctx.state.today().year().to_string();
    let form = PlanForm {
        title: format!("Kế hoạch chuyển đổi số năm {year}"),
        year,
        ..Default::default()
    };
    let view = plans_page(&ctx, form, FormErrors::default()).await?;
    ctx.render(&view)
}

pub async fn create_plan(ctx: Ctx, Form(form): Form<PlanForm>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let input = svc::PlanInput {
        year: form.year.trim().parse().ok().or(Some(0)),
        title: form.title.clone(),
        legal_basis: opt(&form.legal_basis),
        decision_number: opt(&form.decision_number),
        decision_date: opt(&form.decision_date),
        status: None,
    };
    match svc::create_plan(&ctx.state, &caller, &input).await {
        Ok(plan) => Ok(ctx.done(
            &format!("/plans/{}", plan.id),
            &ctx.lang().pick(
                format!("Đã tạo {}.", plan.title),
                format!("{} created.", plan.title),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = plans_page(&ctx, form, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

pub struct GroupRow {
    pub group: TaskGroup,
    pub pillar: String,
    pub tasks: i64,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    page: Page,
    plan: Plan,
    decision_date: String,
    outcomes: Vec<(&'static str, &'static str, usize, String)>,
    total: usize,
    awaiting_review: i64,
    groups: Vec<GroupRow>,
    silent_units: Vec<units::Unit>,
    pillars: Vec<(String, String)>,
    can_manage: bool,
    errors: FormErrors,
}

pub async fn plan(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = plan_page(&ctx, id, FormErrors::default()).await?;
    ctx.render(&view)
}

async fn plan_page(ctx: &Ctx, id: i64, errors: FormErrors) -> WebResult<PlanPage> {
    let user = require_view(ctx)?;
    let lang = ctx.lang();
    let today = ctx.state.today();
    let scope = svc::task_scope(user);
    let filter = TaskFilter {
        plan_id: Some(id),
        scope: scope.clone(),
        ..Default::default()
    };
    let counts = outcome_counts(&ctx.state, &filter).await?;
    let mut c = ctx.state.db.read().await?;
    let plan = plans::get(&mut c, id).await?;
    let groups = plans::groups(&mut c, id).await?;
    let pillars = plans::pillars(&mut c).await?;
    let by_group = tasks::counts_by_group(&mut c, &filter).await?;
    let awaiting_review = tasks::list(
        &mut c,
        &TaskFilter {
            statuses: vec![TaskStatus::Submitted],
            limit: 1,
            ..filter.clone()
        },
    )
    .await?
    .total;
    let silent_units = tasks::units_without_tasks(&mut c, id, today).await?;
    let outcome_key = |o: Outcome| match o {
        Outcome::CompletedOnTime => "on_time",
        Outcome::CompletedLate => "late",
        Outcome::NotCompletedWithinDeadline => "within",
        Outcome::NotCompletedOverdue => "overdue",
        Outcome::Cancelled => "cancelled",
    };
    let link = |o: Outcome| match o {
        Outcome::NotCompletedOverdue => format!("/tasks?plan={id}&overdue=1"),
        Outcome::Cancelled => format!("/tasks?plan={id}&status=cancelled"),
        Outcome::CompletedOnTime | Outcome::CompletedLate => {
            format!("/tasks?plan={id}&status=completed")
        }
        Outcome::NotCompletedWithinDeadline => format!(
            "/tasks?plan={id}&status=draft,submitted,changes_requested,approved,in_progress"
        ),
    };
    let pillar_name = |code: &str| {
        pillars
            .iter()
            .find(|p| p.code == code)
            .map(|p| lang.pick(p.name_vi.clone(), p.name_en.clone()))
            .unwrap_or_default()
    };
    Ok(PlanPage {
        page: ctx.page(&plan.title, &plan.title),
        decision_date: plan.decision_date.map(format_date).unwrap_or_default(),
        total: counts.iter().map(|(_, n)| n).sum(),
        outcomes: counts
            .iter()
            .map(|(o, n)| (outcome_key(*o), o.label(lang), *n, link(*o)))
            .collect(),
        awaiting_review,
        groups: groups
            .into_iter()
            .map(|g| GroupRow {
                pillar: pillar_name(&g.pillar_code),
                tasks: by_group
                    .iter()
                    .find(|(gid, _)| *gid == Some(g.id))
                    .map_or(0, |(_, n)| *n),
                group: g,
            })
            .collect(),
        silent_units,
        pillars: pillars
            .iter()
            .map(|p| {
                (
                    p.code.clone(),
                    lang.pick(p.name_vi.clone(), p.name_en.clone()),
                )
            })
            .collect(),
        can_manage: manages_plans(&mut c, ctx, user).await?,
        errors,
        plan,
    })
}

/// The last few months and quarters, newest first, for period pickers.
fn recent_periods(today: time::Date, lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut day = today;
    for _ in 0..6 {
        let q = Period::containing(day, true);
        if !out
            .iter()
            .any(|(p, _): &(String, String)| *p == q.to_string())
        {
            out.push((q.to_string(), q.label(lang)));
        }
        day = q.start().previous_day().unwrap_or(day);
    }
    let mut day = today;
    for _ in 0..6 {
        let m = Period::containing(day, false);
        out.push((m.to_string(), m.label(lang)));
        day = m.start().previous_day().unwrap_or(day);
    }
    out
}

#[derive(Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    pillar_code: String,
    #[serde(default)]
    position: Option<i64>,
}

/// Adds a group, or edits one when the form names it.
pub async fn save_group(
    ctx: Ctx,
    Path(plan_id): Path<i64>,
    Form(form): Form<GroupForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = svc::GroupInput {
        code: form.code,
        name: form.name,
        pillar_code: form.pillar_code,
        position: form.position,
    };
    let result = match form.id {
        Some(id) => {
            let mut c = ctx.state.db.read().await?;
            if plans::group(&mut c, id).await?.plan_id != plan_id {
                return Err(WebError(AppError::NotFound));
            }
            drop(c);
            svc::update_group(&ctx.state, &caller, id, &input).await
        }
        None => svc::create_group(&ctx.state, &caller, plan_id, &input).await,
    };
    match result {
        Ok(g) => Ok(ctx.done(
            &format!("/plans/{plan_id}#groups"),
            &ctx.lang().pick(
                format!("Đã lưu nhóm {} {}.", g.code, g.name),
                format!("Group {} {} saved.", g.code, g.name),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = plan_page(&ctx, plan_id, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

// ---------------------------------------------------------------- task list

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    page: Page,
    rows: Vec<TaskRow>,
    total: i64,
    query: TaskListQuery,
    plans: Vec<Plan>,
    groups: Vec<TaskGroup>,
    statuses: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    pillars: Vec<(String, String)>,
    prev: Option<String>,
    next: Option<String>,
    page_no: u32,
    pages: u32,
    can_register: bool,
    export_query: String,
    /// When the unit filtered on has ended: (its name, its last day, who continues it).
    ended: Option<(String, String, String)>,
    /// The unit filtered on, by name, and the names the field offers.
    unit_field: String,
    unit_choices: Vec<String>,
    /// What the filters asked for that could not be read.
    problems: Vec<String>,
}

impl TasksPage {
    /// Any filter beyond the plan and the search: the filter panel opens.
    fn filters_active(&self) -> bool {
        let q = &self.query;
        !self.problems.is_empty()
            || [
                &q.group,
                &q.pillar,
                &q.unit,
                &q.status,
                &q.overdue,
                &q.due_before,
                &q.due_after,
                &q.mode,
                &q.sort,
            ]
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.is_empty()))
    }

    fn selected(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "plan" => &self.query.plan,
            "group" => &self.query.group,
            "pillar" => &self.query.pillar,
            "status" => &self.query.status,
            "mode" => &self.query.mode,
            "sort" => &self.query.sort,
            _ => &None,
        };
        current.as_deref() == Some(value)
    }
}

pub async fn list(ctx: Ctx, Query(mut query): Query<TaskListQuery>) -> WebResult<Response> {
    let user = require_view(&ctx)?;
    let lang = ctx.lang();
    let mut c = ctx.state.db.read().await?;
    let all_plans = plans::list(&mut c).await?;
    // The newest plan by default, so the list opens on what matters now.
    if query.plan.is_none() {
        query.plan = all_plans.first().map(|p| p.id.to_string());
    }
    drop(c);
    // A unit typed that names none is said on the page, which lists without it.
    let mut problems = Vec::new();
    let mut unreadable = None;
    let named = match query.named_unit(&ctx.state).await {
        Ok(named) => named,
        Err(AppError::Validation(errors)) => {
            let typed = query.unit.take().unwrap_or_default();
            problems.extend(errors.iter().map(|e| {
                let why = match e.invalid {
                    dxplan_domain::Invalid::AmbiguousUnit => {
                        dxplan_app::pickers::NotAUnit::Ambiguous
                    }
                    _ => dxplan_app::pickers::NotAUnit::Unknown,
                };
                why.message(&typed, lang)
            }));
            unreadable = Some(typed);
            None
        }
        Err(e) => return Err(e.into()),
    };
    let filter = query.to_filter(&ctx.state, user).await?;
    let mut c = ctx.state.db.read().await?;
    let page = tasks::list(&mut c, &filter).await?;
    let groups = match filter.plan_id {
        Some(p) => plans::groups(&mut c, p).await?,
        None => Vec::new(),
    };
    let pillars = plans::pillars(&mut c).await?;
    // Old work of a unit that has since ended says who carries it on today, and so does
    // the list of such a unit.
    let mut leads: Vec<i64> = page.tasks.iter().map(|t| t.lead_unit_id).collect();
    leads.extend(named.as_ref().map(|u| u.id));
    let continued = units::continued_in(&mut c, &leads, ctx.state.today()).await?;
    // The field keeps what was typed when it named no unit, so it can be corrected.
    let unit_field = named
        .as_ref()
        .map(|u| u.name.clone())
        .or(unreadable)
        .unwrap_or_default();
    let ended = named.and_then(|u| {
        let last = u.valid_to.filter(|d| *d < ctx.state.today())?;
        let now = continued
            .get(&u.id)
            .map(|us| {
                us.iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        Some((u.name, format_date(last), now))
    });
    let mut list = rows(&page.tasks, &ctx);
    for (row, task) in list.iter_mut().zip(&page.tasks) {
        row.now = continued.get(&task.lead_unit_id).map(|us| {
            us.iter()
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        });
    }
    let per_page = filter.limit;
    let page_no = filter.offset / per_page + 1;
    let pages = ((page.total as u32).div_ceil(per_page)).max(1);
    let link = |p: u32| {
        let mut q = query.clone();
        q.page = Some(p.to_string());
        format!(
            "/tasks?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    };
    let mut export = query.clone();
    export.page = None;
    export.per_page = None;
    ctx.render(&TasksPage {
        page: ctx.page("Nhiệm vụ", "Tasks"),
        rows: list,
        total: page.total,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
        page_no,
        pages,
        plans: all_plans,
        groups,
        statuses: TaskStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang)))
            .collect(),
        modes: AcquisitionMode::ALL
            .iter()
            .map(|m| (m.as_str(), m.label(lang)))
            .collect(),
        pillars: pillars
            .iter()
            .map(|p| {
                (
                    p.code.clone(),
                    lang.pick(p.name_vi.clone(), p.name_en.clone()),
                )
            })
            .collect(),
        can_register: user.holds(Action::EditUnitWork) || user.holds(Action::ManagePlans),
        export_query: serde_urlencoded::to_string(&export).unwrap_or_default(),
        ended,
        query,
        unit_field,
        unit_choices: dxplan_app::pickers::unit_choices(
            &ctx.state,
            user,
            Action::ViewWork,
            ctx.state.today(),
        )
        .await?,
        problems,
    })
}

// ---------------------------------------------------------------- task form

#[derive(Template)]
#[template(path = "task_form.html")]
struct TaskFormPage {
    page: Page,
    plan: Plan,
    task_id: Option<i64>,
    version: i64,
    form: TaskForm,
    groups: Vec<TaskGroup>,
    modes: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    deadline_locked: bool,
    /// The units the lead field offers: those the user may register work for.
    lead_choices: Vec<String>,
}

/// The task form's fields as typed.
#[derive(Default, Deserialize, Clone)]
pub struct TaskForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    deliverable: String,
    #[serde(default)]
    group_id: String,
    #[serde(default)]
    lead_unit_code: String,
    /// Units by name (or code), one a line or separated by semicolons.
    #[serde(default)]
    coordinating: String,
    /// One partner per line.
    #[serde(default)]
    partners: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    budget_planned: String,
    #[serde(default)]
    funding_source: String,
    #[serde(default)]
    acquisition_mode: String,
    #[serde(default)]
    assigned_doc_number: String,
    #[serde(default)]
    assigned_doc_date: String,
    #[serde(default)]
    assigned_doc_signer: String,
    #[serde(default)]
    version: Option<i64>,
}

impl TaskForm {
    fn input(&self) -> TaskInput {
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        TaskInput {
            code: self.code.clone(),
            title: self.title.clone(),
            description: opt(&self.description),
            deliverable: opt(&self.deliverable),
            group_id: self.group_id.trim().parse().ok(),
            lead_unit_code: self.lead_unit_code.clone(),
            coordinating_unit_codes: dxplan_app::pickers::unit_list(&self.coordinating),
            partners: self
                .partners
                .lines()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            start_date: opt(&self.start_date),
            due_date: self.due_date.clone(),
            budget_planned: opt(&self.budget_planned),
            funding_source: opt(&self.funding_source),
            acquisition_mode: opt(&self.acquisition_mode),
            assigned_doc_number: opt(&self.assigned_doc_number),
            assigned_doc_date: opt(&self.assigned_doc_date),
            assigned_doc_signer: opt(&self.assigned_doc_signer),
        }
    }
}

async fn task_form(
    ctx: &Ctx,
    plan_id: i64,
    task_id: Option<i64>,
    version: i64,
    form: TaskForm,
    errors: FormErrors,
    deadline_locked: bool,
) -> WebResult<TaskFormPage> {
    let mut c = ctx.state.db.read().await?;
    let plan = plans::get(&mut c, plan_id).await?;
    let groups = plans::groups(&mut c, plan_id).await?;
    let page = if task_id.is_some() {
        ctx.page("Sửa nhiệm vụ", "Edit task")
    } else {
        ctx.page("Đăng ký nhiệm vụ", "Register a task")
    };
    drop(c);
    let user = ctx.user()?;
    let action = if user.holds(Action::ManagePlans) {
        Action::ManagePlans
    } else {
        Action::EditUnitWork
    };
    let lead_choices =
        dxplan_app::pickers::unit_choices(&ctx.state, user, action, ctx.state.today()).await?;
    Ok(TaskFormPage {
        page,
        plan,
        task_id,
        version,
        form,
        groups,
        modes: AcquisitionMode::ALL
            .iter()
            .map(|m| (m.as_str(), m.label(ctx.lang())))
            .collect(),
        errors,
        deadline_locked,
        lead_choices,
    })
}

#[derive(Deserialize)]
pub struct NewTaskQuery {
    plan: Option<i64>,
}

pub async fn new_task(ctx: Ctx, Query(q): Query<NewTaskQuery>) -> WebResult<Response> {
    let user = ctx.user()?;
    if !user.holds(Action::EditUnitWork) && !user.holds(Action::ManagePlans) {
        return Err(WebError(AppError::Forbidden));
    }
    let plan_id = match q.plan {
        Some(p) => p,
        None => {
            let mut c = ctx.state.db.read().await?;
            plans::list(&mut c)
                .await?
                .first()
                .map(|p| p.id)
                .ok_or(AppError::NotFound)?
        }
    };
    // A unit's officer registers for their own unit by default.
    let lead = match user.unit_id {
        Some(u) => {
            let mut c = ctx.state.db.read().await?;
            units::get(&mut c, u)
                .await
                .map(|u| u.name)
                .unwrap_or_default()
        }
        None => String::new(),
    };
    let form = TaskForm {
        lead_unit_code: lead,
        ..Default::default()
    };
    let view = task_form(&ctx, plan_id, None, 0, form, FormErrors::default(), false).await?;
    ctx.render(&view)
}

pub async fn create_task(
    ctx: Ctx,
    Path(plan_id): Path<i64>,
    Form(form): Form<TaskForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match svc::create_task(&ctx.state, &caller, plan_id, &form.input()).await {
        Ok(task) => Ok(ctx.done(
            &format!("/tasks/{}", task.id),
            &ctx.lang().pick(
                format!("Đã đăng ký nhiệm vụ {} (dự thảo). Lãnh đạo đơn vị gửi thẩm định khi sẵn sàng.", task.code),
                format!("Task {} registered as a draft. The unit's head submits it for review when ready.", task.code),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = task_form(&ctx, plan_id, None, 0, form, errors, false).await?;
            ctx.render_invalid(&view)
        }
    }
}

fn form_of(task: &Task, coordinating: &[units::Unit]) -> TaskForm {
    let date = |d: Option<time::Date>| d.map(format_date).unwrap_or_default();
    TaskForm {
        code: task.code.clone(),
        title: task.title.clone(),
        description: task.description.clone().unwrap_or_default(),
        deliverable: task.deliverable.clone().unwrap_or_default(),
        group_id: task.group_id.map(|g| g.to_string()).unwrap_or_default(),
        lead_unit_code: task.lead_unit_name.clone(),
        coordinating: coordinating
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        partners: task.partner_list().join("\n"),
        start_date: date(task.start_date),
        due_date: format_date(task.due_date),
        budget_planned: if task.budget_planned > 0 {
            dxplan_domain::text::format_int(task.budget_planned)
        } else {
            String::new()
        },
        funding_source: task.funding_source.clone().unwrap_or_default(),
        acquisition_mode: task.acquisition_mode.clone().unwrap_or_default(),
        assigned_doc_number: task.assigned_doc_number.clone().unwrap_or_default(),
        assigned_doc_date: date(task.assigned_doc_date),
        assigned_doc_signer: task.assigned_doc_signer.clone().unwrap_or_default(),
        version: Some(task.version),
    }
}

pub async fn edit_task(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let user = ctx.user()?;
    let task = svc::readable_task(&ctx.state, user, id).await?;
    let mut c = ctx.state.db.read().await?;
    let lineage = units::lineage(&mut c, task.lead_unit_id).await?;
    let may_edit = user.may(Action::ManagePlans, Target::Unit(&lineage))
        || (user.may(Action::EditUnitWork, Target::Unit(&lineage))
            && task.status.is_editable_by_unit());
    if !may_edit || task.status.is_closed() {
        return Err(WebError(AppError::Forbidden));
    }
    let ids = tasks::coordinating_units(&mut c, id).await?;
    let coordinating = units::by_ids(&mut c, &ids).await?;
    drop(c);
    let view = task_form(
        &ctx,
        task.plan_id,
        Some(id),
        task.version,
        form_of(&task, &coordinating),
        FormErrors::default(),
        task.status.is_committed(),
    )
    .await?;
    ctx.render(&view)
}

pub async fn update_task(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<TaskForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match svc::update_task(&ctx.state, &caller, id, &form.input(), form.version).await {
        Ok(task) => Ok(ctx.done(
            &format!("/tasks/{id}"),
            &ctx.lang().pick(
                format!("Đã lưu nhiệm vụ {}.", task.code),
                format!("Task {} saved.", task.code),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let task = svc::readable_task(&ctx.state, ctx.user()?, id).await?;
            let version = form.version.unwrap_or(task.version);
            let view = task_form(
                &ctx,
                task.plan_id,
                Some(id),
                version,
                form,
                errors,
                task.status.is_committed(),
            )
            .await?;
            ctx.render_invalid(&view)
        }
    }
}

// ---------------------------------------------------------------- task page

pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub comment: Option<String>,
}

pub struct ReportRow {
    pub period: String,
    pub report: Report,
    pub disbursed: String,
}

pub struct ExtensionRow {
    pub ext: Extension,
    pub old_due: String,
    pub new_due: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    page: Page,
    task: Task,
    row: TaskRow,
    plan: Plan,
    coordinating: Vec<units::Unit>,
    start: String,
    original_due: String,
    budget_planned: String,
    budget_disbursed: String,
    mode: String,
    doc_date: String,
    actions: Vec<(&'static str, &'static str, bool)>,
    can_edit: bool,
    can_report: bool,
    can_extend: bool,
    can_decide: bool,
    events: Vec<EventRow>,
    reports: Vec<ReportRow>,
    extensions: Vec<ExtensionRow>,
    periods: Vec<(String, String)>,
    errors: FormErrors,
    report_form: ReportInput,
    attachments: Vec<(dxplan_store::attachments::Attachment, String)>,
    can_attach: bool,
    max_upload_mb: u64,
    /// Index criteria the task aims to improve, and those it may name (value, label,
    /// chosen) when the caller may change the list.
    criteria: Vec<dxplan_store::index_rounds::LinkedCriterion>,
    criterion_choices: Vec<(String, String, bool)>,
}

fn event_label(e: &TaskEvent, lang: Lang) -> String {
    if let Some(action) = TaskAction::parse(&e.action) {
        return action.label(lang).to_string();
    }
    match e.action.as_str() {
        "create" => lang.pick("Đăng ký (dự thảo)", "Registered (draft)"),
        "edit" => lang.pick("Sửa nội dung", "Edited"),
        "report" => lang.pick("Báo cáo tiến độ", "Progress report"),
        "extension_requested" => lang.pick("Đề nghị gia hạn", "Extension requested"),
        "extension_approved" => lang.pick("Đồng ý gia hạn", "Extension approved"),
        "extension_refused" => lang.pick("Không đồng ý gia hạn", "Extension refused"),
        "attach" => lang.pick("Tải lên minh chứng", "Evidence uploaded"),
        other => other,
    }
    .to_string()
}

async fn task_page(
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    report_form: ReportInput,
) -> WebResult<TaskPage> {
    let user = ctx.user()?;
    let lang = ctx.lang();
    let task = svc::readable_task(&ctx.state, user, id).await?;
    let mut c = ctx.state.db.read().await?;
    let plan = plans::get(&mut c, task.plan_id).await?;
    let lineage = units::lineage(&mut c, task.lead_unit_id).await?;
    let target = Target::Unit(&lineage);
    let ids = tasks::coordinating_units(&mut c, id).await?;
    let coordinating = units::by_ids(&mut c, &ids).await?;
    let events = tasks::events(&mut c, id).await?;
    let reports = tasks::reports(&mut c, id).await?;
    let extensions = tasks::extensions(&mut c, id).await?;
    let attachments = dxplan_store::attachments::of_task(&mut c, id).await?;
    let criteria = dxplan_store::index_rounds::criteria_of_task(&mut c, id).await?;
    let criterion_choices = if user.may(Action::EditUnitWork, target) {
        let lead = units::get(&mut c, task.lead_unit_id).await?;
        dxplan_store::index_rounds::criteria_for(&mut c, plan.year, lead.kind.as_str())
            .await?
            .into_iter()
            .map(|k| {
                let chosen = criteria.iter().any(|l| l.criterion_id == k.criterion_id);
                (
                    format!("{}:{}", k.framework_id, k.code),
                    format!("{} · {} {}", k.framework_code, k.code, k.name),
                    chosen,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let actions = TaskAction::available(task.status)
        .into_iter()
        .filter(|a| user.may(a.permission(), target))
        .map(|a| (a.as_str(), a.label(lang), a.needs_comment()))
        .collect();
    let can_edit = !task.status.is_closed()
        && (user.may(Action::ManagePlans, target)
            || (user.may(Action::EditUnitWork, target) && task.status.is_editable_by_unit()));
    let pending = extensions.iter().any(|e| e.status == "pending");
    let mode = task
        .acquisition_mode
        .as_deref()
        .and_then(AcquisitionMode::parse)
        .map(|m| m.label(lang).to_string())
        .unwrap_or_default();
    Ok(TaskPage {
        page: ctx.page(
            &format!("{} {}", task.code, task.title),
            &format!("{} {}", task.code, task.title),
        ),
        row: TaskRow::new(&task, lang, ctx.state.today()),
        start: task.start_date.map(format_date).unwrap_or_default(),
        original_due: format_date(task.original_due_date),
        budget_planned: format_money(task.budget_planned),
        budget_disbursed: format_money(task.budget_disbursed),
        doc_date: task.assigned_doc_date.map(format_date).unwrap_or_default(),
        mode,
        actions,
        can_edit,
        can_report: task.status == TaskStatus::InProgress && user.may(Action::EditUnitWork, target),
        can_extend: matches!(task.status, TaskStatus::Approved | TaskStatus::InProgress)
            && !pending
            && user.may(Action::EditUnitWork, target),
        can_decide: pending && user.may(Action::ReviewWork, target),
        events: events
            .iter()
            .rev()
            .map(|e| EventRow {
                at: format::datetime(&e.at),
                actor: e
                    .actor_display_name
                    .clone()
                    .unwrap_or_else(|| e.actor_name.clone()),
                what: event_label(e, lang),
                comment: e.comment.clone(),
            })
            .collect(),
        reports: reports
            .into_iter()
            .map(|r| ReportRow {
                period: Period::parse(&r.period)
                    .map(|p| p.label(lang))
                    .unwrap_or_else(|| r.period.clone()),
                disbursed: format_money(r.disbursed),
                report: r,
            })
            .collect(),
        extensions: extensions
            .into_iter()
            .rev()
            .map(|e| ExtensionRow {
                old_due: format_date(e.old_due),
                new_due: format_date(e.new_due),
                status: match e.status.as_str() {
                    "approved" => lang.pick("Đã đồng ý", "Approved"),
                    "refused" => lang.pick("Không đồng ý", "Refused"),
                    _ => lang.pick("Chờ xem xét", "Pending"),
                },
                ext: e,
            })
            .collect(),
        periods: recent_periods(ctx.state.today(), lang),
        attachments: attachments
            .into_iter()
            .map(|a| {
                let size = if a.size >= 1024 * 1024 {
                    format!(
                        "{} MB",
                        dxplan_domain::text::format_number(a.size as f64 / 1_048_576.0, 1)
                    )
                } else {
                    format!("{} KB", (a.size + 1023) / 1024)
                };
                (a, size)
            })
            .collect(),
        can_attach: task.status != TaskStatus::Cancelled && user.may(Action::EditUnitWork, target),
        max_upload_mb: ctx.state.settings.max_upload_bytes / (1024 * 1024),
        criteria,
        criterion_choices,
        coordinating,
        plan,
        task,
        errors,
        report_form,
    })
}

pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = task_page(&ctx, id, FormErrors::default(), ReportInput::default()).await?;
    ctx.render(&view)
}

/// `POST /tasks/{id}/criteria`: the index criteria the task aims to improve.
pub async fn set_criteria(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let refs: Vec<dxplan_app::assessment::CriterionRef> = form
        .iter()
        .filter(|(k, _)| k == "criterion")
        .filter_map(|(_, v)| v.split_once(':'))
        .map(|(framework, code)| dxplan_app::assessment::CriterionRef {
            framework_id: framework.parse().unwrap_or_default(),
            code: code.to_string(),
        })
        .collect();
    let result = dxplan_app::assessment::link_task(&ctx.state, &caller, id, &refs)
        .await
        .map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        (
            "Đã cập nhật các tiêu chí chỉ số mà nhiệm vụ hướng tới.",
            "Index criteria updated.",
        ),
        ReportInput::default(),
    )
    .await
}

async fn back_to_task(
    ctx: &Ctx,
    id: i64,
    result: AppResult<()>,
    message: (&str, &str),
    report: ReportInput,
) -> WebResult<Response> {
    match result {
        Ok(()) => Ok(ctx.done(
            &format!("/tasks/{id}"),
            ctx.lang().pick(message.0, message.1),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = task_page(ctx, id, errors, report).await?;
            ctx.render_invalid(&view)
        }
    }
}

#[derive(Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
    version: Option<i64>,
}

pub async fn transition(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<TransitionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = svc::transition(
        &ctx.state,
        &caller,
        id,
        &form.action,
        Some(&form.comment),
        form.version,
    )
    .await
    .map(|_| ());
    let done = TaskAction::parse(&form.action)
        .map(|a| a.label(ctx.lang()))
        .unwrap_or_default();
    let message = (format!("Đã thực hiện: {done}."), format!("Done: {done}."));
    back_to_task(
        &ctx,
        id,
        result,
        (&message.0, &message.1),
        ReportInput::default(),
    )
    .await
}

pub async fn report(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ReportInput>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = svc::file_report(&ctx.state, &caller, id, &form)
        .await
        .map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        ("Đã gửi báo cáo tiến độ.", "Progress report filed."),
        form,
    )
    .await
}

pub async fn request_extension(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<svc::ExtensionInput>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = svc::request_extension(&ctx.state, &caller, id, &form)
        .await
        .map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        ("Đã gửi đề nghị gia hạn.", "Extension requested."),
        ReportInput::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn decide_extension(
    ctx: Ctx,
    Path((id, ext_id)): Path<(i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let mut c = ctx.state.db.read().await?;
    if tasks::extension(&mut c, ext_id).await?.task_id != id {
        return Err(WebError(AppError::NotFound));
    }
    drop(c);
    let input = svc::DecisionInput {
        approve: form.decision == "approve",
        comment: Some(form.comment),
    };
    let result = svc::decide_extension(&ctx.state, &caller, ext_id, &input)
        .await
        .map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        ("Đã xem xét đề nghị gia hạn.", "Extension decided."),
        ReportInput::default(),
    )
    .await
}

// ---------------------------------------------------------------- obstacles

pub struct ObstacleGroup {
    pub name: String,
    pub items: Vec<tasks::PeriodReport>,
}

#[derive(Template)]
#[template(path = "obstacles.html")]
struct ObstaclesPage {
    page: Page,
    plan: Plan,
    period: String,
    period_label: String,
    periods: Vec<(String, String)>,
    groups: Vec<ObstacleGroup>,
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// Every obstacle and proposal units reported for a period, grouped by task group.
pub async fn obstacles(
    ctx: Ctx,
    Path(plan_id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Response> {
    let user = require_view(&ctx)?;
    let lang = ctx.lang();
    let today = ctx.state.today();
    let period = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => Period::containing(today, true),
        Some(p) => Period::parse(p)
            .ok_or_else(|| AppError::field("period", dxplan_domain::Invalid::BadPeriod))?,
    };
    let scope = svc::task_scope(user);
    let mut c = ctx.state.db.read().await?;
    let plan = plans::get(&mut c, plan_id).await?;
    let reports =
        tasks::period_reports(&mut c, plan_id, &period.to_string(), scope.as_deref()).await?;
    let mut groups: Vec<ObstacleGroup> = Vec::new();
    for r in reports {
        let name = match (&r.group_code, &r.group_name) {
            (Some(code), Some(name)) => format!("{code}. {name}"),
            _ => lang.pick("Chưa phân nhóm", "No group").to_string(),
        };
        match groups.last_mut() {
            Some(g) if g.name == name => g.items.push(r),
            _ => groups.push(ObstacleGroup {
                name,
                items: vec![r],
            }),
        }
    }
    ctx.render(&ObstaclesPage {
        page: ctx.page("Khó khăn, vướng mắc và đề xuất", "Obstacles and proposals"),
        period: period.to_string(),
        period_label: period.label(lang),
        periods: recent_periods(today, lang),
        groups,
        plan,
    })
}

// ---------------------------------------------------------------- my work

/// A figure or assessment to do, ready to show.
pub struct WorkLine {
    pub label: &'static str,
    pub about: String,
    pub count: i64,
    pub deadline: String,
    pub late: bool,
    pub href: String,
}

impl WorkLine {
    pub fn new(item: &WorkItem, lang: dxplan_domain::Lang, today: time::Date) -> WorkLine {
        WorkLine {
            label: item.kind.label(lang),
            about: item.about.clone(),
            count: item.count,
            deadline: item.deadline.map(format_date).unwrap_or_default(),
            late: item.deadline.is_some_and(|d| d < today),
            href: item.href.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    page: Page,
    /// The open plans (id, "year — title"), offered when there are several.
    plans: Vec<(i64, String)>,
    plan: Option<i64>,
    items: Vec<WorkLine>,
    to_submit: Vec<TaskRow>,
    to_review: Vec<TaskRow>,
    extensions: Vec<(i64, String, String, String)>,
    to_report: Vec<TaskRow>,
    due_soon: Vec<TaskRow>,
    overdue: Vec<TaskRow>,
    report_period: String,
    nothing: bool,
}

#[derive(Deserialize, Default)]
pub struct MyWorkQuery {
    #[serde(default)]
    plan: Option<String>,
}

pub async fn my_work(ctx: Ctx, Query(q): Query<MyWorkQuery>) -> WebResult<Response> {
    let user = ctx.user()?;
    use dxplan_app::work::PlanChoice;
    // "all" lists every plan's tasks, a number one plan's; nothing the plan of this year.
    let choice = match q.plan.as_deref().map(str::trim) {
        None | Some("") => PlanChoice::ThisYear,
        Some("all") => PlanChoice::Every,
        Some(p) => p
            .parse()
            .map(PlanChoice::One)
            .map_err(|_| AppError::field("plan", dxplan_domain::Invalid::BadFormat))?,
    };
    let work = dxplan_app::work::my_work(&ctx.state, user, choice).await?;
    let nothing = work.is_empty();
    let today = ctx.state.today();
    let lang = ctx.lang();
    let MyWork {
        plans,
        plan,
        overdue,
        to_review,
        to_submit,
        to_report,
        due_soon,
        extensions,
        report_period,
        items,
    } = work;
    ctx.render(&MyWorkPage {
        page: ctx.page("Việc của tôi", "My work"),
        plans: plans
            .iter()
            .map(|p| (p.id, format!("{} — {}", p.year, p.title)))
            .collect(),
        plan,
        items: items
            .iter()
            .map(|i| WorkLine::new(i, lang, today))
            .collect(),
        to_submit: rows(&to_submit, &ctx),
        to_review: rows(&to_review, &ctx),
        extensions: extensions
            .into_iter()
            .map(|(e, code, title)| {
                (
                    e.task_id,
                    format!("{code} {title}"),
                    format_date(e.new_due),
                    e.reason,
                )
            })
            .collect(),
        to_report: rows(&to_report, &ctx),
        due_soon: rows(&due_soon, &ctx),
        overdue: rows(&overdue, &ctx),
        report_period: report_period.label(lang),
        nothing,
    })
}

// ---------------------------------------------------------------- exports

/// Every task of the filtered list (not just one page), as export rows.
async fn export_list(
    ctx: &Ctx,
    query: &TaskListQuery,
    format: svc::ListFormat,
) -> WebResult<Response> {
    let user = require_view(ctx)?;
    let filter = query.to_filter(&ctx.state, user).await?;
    let (name, bytes) = svc::export_list(&ctx.state, ctx.lang(), filter, format).await?;
    Ok(crate::http::download(format.content_type(), &name, bytes))
}

pub async fn export_csv(ctx: Ctx, Query(query): Query<TaskListQuery>) -> WebResult<Response> {
    export_list(&ctx, &query, svc::ListFormat::Csv).await
}

pub async fn export_xlsx(ctx: Ctx, Query(query): Query<TaskListQuery>) -> WebResult<Response> {
    export_list(&ctx, &query, svc::ListFormat::Xlsx).await
}

pub async fn upload(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let file = crate::upload::first_file(multipart, ctx.state.upload_limit());
    let result = svc::attach(&ctx.state, &caller, id, file).await.map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        ("Đã tải lên tệp minh chứng.", "Evidence file uploaded."),
        ReportInput::default(),
    )
    .await
}

pub async fn download_attachment(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let (attachment, bytes) = svc::attachment_for(&ctx.state, ctx.user()?, id).await?;
    Ok(crate::http::file_response(&attachment, bytes))
}

// ---------------------------------------------------------------- plan import

pub struct PreviewRow {
    pub row: usize,
    pub code: String,
    pub title: String,
    /// The group's code and name, empty when the row is in none.
    pub group: String,
    /// The unit that leads the task here.
    pub lead: String,
    /// The sheet's lead when it is no unit of the province (kept as the first partner,
    /// `lead` follows the task instead): the row is flagged so the officer sees the choice.
    pub outside_lead: Option<String>,
    pub coordinating: usize,
    /// Outside partners other than the outside lead.
    pub partners: String,
    pub start: String,
    pub due: String,
    pub budget: String,
}

#[derive(Template)]
#[template(path = "plan_import.html")]
struct ImportPage {
    page: Page,
    plan: Plan,
    problems: Vec<String>,
    preview: Vec<PreviewRow>,
    /// How many previewed rows have a lead outside the province (a notice says so).
    outside_leads: usize,
    token: Option<String>,
    max_upload_mb: u64,
}

fn import_view(
    ctx: &Ctx,
    plan: Plan,
    problems: Vec<String>,
    preview: Vec<PreviewRow>,
    token: Option<String>,
) -> ImportPage {
    ImportPage {
        page: ctx.page("Nhập kế hoạch từ Excel", "Import a plan from Excel"),
        plan,
        problems,
        outside_leads: preview.iter().filter(|r| r.outside_lead.is_some()).count(),
        preview,
        token,
        // A workbook has its own cap, below the evidence files'.
        max_upload_mb: (crate::upload::WORKBOOK_BYTES / (1024 * 1024)) as u64,
    }
}

async fn plan_for_import(ctx: &Ctx, id: i64) -> WebResult<Plan> {
    svc::authorize_plan_import(&ctx.state, &ctx.caller()?).await?;
    let mut c = ctx.state.db.read().await?;
    Ok(plans::get(&mut c, id).await?)
}

pub async fn import_page(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let plan = plan_for_import(&ctx, id).await?;
    ctx.render(&import_view(&ctx, plan, Vec::new(), Vec::new(), None))
}

/// Reads the uploaded workbook without writing: shows what would be created, or
/// every problem. The file is kept (by its hash) for the confirmation.
pub async fn import_preview(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let plan = plan_for_import(&ctx, id).await?;
    let caller = ctx.caller()?;
    let lang = ctx.lang();
    // Rights were checked above, before any byte of the workbook is read.
    let upload = crate::upload::first_file(multipart, crate::upload::WORKBOOK_BYTES).await?;
    let bytes = upload.bytes.clone();
    match svc::import_plan(
        &ctx.state,
        &caller,
        id,
        std::future::ready(Ok(upload)),
        true,
    )
    .await
    {
        Ok(outcome) => {
            // Kept (by its hash) for the confirmation only once it reads well.
            let token =
                dxplan_app::files::save_preview(&ctx.state.settings.data_dir, bytes).await?;
            let (names, groups) = {
                let mut c = ctx.state.db.read().await?;
                let ids: Vec<i64> = outcome.tasks.iter().map(|t| t.lead_unit_id).collect();
                (
                    units::by_ids(&mut c, &ids).await?,
                    plans::groups(&mut c, id).await?,
                )
            };
            let preview = outcome
                .tasks
                .iter()
                .map(|t| PreviewRow {
                    row: t.row,
                    code: t.fields.code.clone(),
                    title: t.fields.title.clone(),
                    group: t
                        .fields
                        .group_id
                        .and_then(|g| groups.iter().find(|x| x.id == g))
                        .map(|g| format!("{}. {}", g.code, g.name))
                        .unwrap_or_default(),
                    lead: names
                        .iter()
                        .find(|u| u.id == t.lead_unit_id)
                        .map(|u| u.name.clone())
                        .unwrap_or_default(),
                    outside_lead: t.outside_lead.clone(),
                    coordinating: t.coordinating.len(),
                    partners: t
                        .fields
                        .partners
                        .iter()
                        .filter(|p| Some(*p) != t.outside_lead.as_ref())
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join("; "),
                    start: t.fields.start_date.map(format_date).unwrap_or_default(),
                    due: format_date(t.fields.due_date),
                    budget: format_money(t.fields.budget_planned),
                })
                .collect();
            ctx.render(&import_view(&ctx, plan, Vec::new(), preview, Some(token)))
        }
        Err(AppError::PlanImport(problems)) => {
            let problems = problems.iter().map(|p| p.message(lang)).collect();
            ctx.render_invalid(&import_view(&ctx, plan, problems, Vec::new(), None))
        }
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
}

pub async fn import_confirm(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ConfirmForm>,
) -> WebResult<Response> {
    let plan = plan_for_import(&ctx, id).await?;
    let caller = ctx.caller()?;
    let bytes = dxplan_app::files::read_preview(&ctx.state.settings.data_dir, &form.token).await?;
    let file = dxplan_app::Upload::ready(String::new(), bytes);
    match svc::import_plan(&ctx.state, &caller, id, file, false).await {
        Ok(outcome) => Ok(ctx.done(
            &format!("/tasks?plan={id}"),
            &ctx.lang().pick(
                format!(
                    "Đã nhập {} nhiệm vụ vào {}.",
                    outcome.tasks.len(),
                    plan.title
                ),
                format!(
                    "{} tasks imported into {}.",
                    outcome.tasks.len(),
                    plan.title
                ),
            ),
        )),
        Err(AppError::PlanImport(problems)) => {
            let problems = problems.iter().map(|p| p.message(ctx.lang())).collect();
            ctx.render_invalid(&import_view(&ctx, plan, problems, Vec::new(), None))
        }
        Err(e) => Err(WebError(e)),
    }
}

/// The appendix template: the columns the importer reads, with one example row.
pub async fn import_template(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let plan = plan_for_import(&ctx, id).await?;
    let example = dxplan_report::tasks::TaskExportRow {
        code: "2.1".into(),
        title: "Phủ sóng di động 4G các thôn còn lõm sóng".into(),
        group: "Hạ tầng số".into(),
        lead_unit: "UBND huyện An Lão".into(),
        coordinating: "Sở Khoa học và Công nghệ; Viettel Bình Định".into(),
        deliverable: "Không còn thôn lõm sóng".into(),
        start: format!("01/02/{}", plan.year),
        due: format!("Quý III/{}", plan.year),
        budget: 1_250_500_000,
        funding: "Ngân sách tỉnh".into(),
        mode: "Thuê".into(),
        note: String::new(),
        status: String::new(),
        progress: 0,
        outcome: String::new(),
        disbursed: 0,
    };
    let title = plan.title.clone();
    let bytes =
        tokio::task::spawn_blocking(move || dxplan_report::tasks::tasks_xlsx(&title, &[example]))
            .await
            .map_err(|e| AppError::internal(format!("xlsx task: {e}")))?
            .map_err(|e| AppError::internal(format!("xlsx: {e}")))?;
    Ok(crate::http::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("Mẫu phụ lục - {}.xlsx", plan.title),
        bytes,
    ))
}

// ---------------------------------------------------------------- notifications

pub struct NotificationRow {
    pub id: i64,
    pub title: String,
    pub at: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    page: Page,
    rows: Vec<NotificationRow>,
    email_pref: String,
    has_email: bool,
}

pub async fn notifications(ctx: Ctx) -> WebResult<Response> {
    let user = ctx.user()?;
    let lang = ctx.lang();
    let mut c = ctx.state.db.read().await?;
    let list = dxplan_store::notifications::list(&mut c, user.id, 100).await?;
    let email_pref = dxplan_store::notifications::email_pref(&mut c, user.id).await?;
    let has_email = dxplan_store::users::get(&mut c, user.id)
        .await?
        .email
        .is_some();
    ctx.render(&NotificationsPage {
        page: ctx.page("Thông báo", "Notifications"),
        rows: list
            .into_iter()
            .map(|n| NotificationRow {
                id: n.id,
                title: lang.pick(n.title_vi, n.title_en),
                at: format::datetime(&n.created_at),
                unread: n.read_at.is_none(),
            })
            .collect(),
        email_pref,
        has_email,
    })
}

/// Marks a notification read and goes to its task.
pub async fn open_notification(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    use axum::response::{IntoResponse, Redirect};
    let user = ctx.user()?;
    let mut c = ctx.state.db.begin().await?;
    if !dxplan_store::notifications::mark_read(&mut c, user.id, id, ctx.state.now()).await? {
        return Err(WebError(AppError::NotFound));
    }
    c.commit().await?;
    let mut c = ctx.state.db.read().await?;
    let target = dxplan_store::notifications::list(&mut c, user.id, 500)
        .await?
        .into_iter()
        .find(|n| n.id == id)
        .and_then(|n| n.task_id)
        .map_or_else(|| "/notifications".to_string(), |t| format!("/tasks/{t}"));
    Ok(Redirect::to(&target).into_response())
}

pub async fn read_all(ctx: Ctx) -> WebResult<Response> {
    let user = ctx.user()?;
    let mut c = ctx.state.db.begin().await?;
    dxplan_store::notifications::mark_all_read(&mut c, user.id, ctx.state.now()).await?;
    c.commit().await?;
    Ok(ctx.done(
        "/notifications",
        ctx.lang()
            .pick("Đã đánh dấu tất cả là đã đọc.", "All marked as read."),
    ))
}

#[derive(Deserialize)]
pub struct PrefForm {
    #[serde(default)]
    email_pref: String,
}

pub async fn email_preference(ctx: Ctx, Form(form): Form<PrefForm>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    dxplan_app::set_email_pref(&ctx.state, &caller, &form.email_pref).await?;
    Ok(ctx.done(
        "/notifications",
        ctx.lang()
            .pick("Đã lưu lựa chọn nhận thư.", "E-mail preference saved."),
    ))
}
