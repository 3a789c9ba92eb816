//! The form that registers a task or edits its content.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::Response;
use dxplan_domain::task::{AcquisitionMode, SourceDocType, TaskInput};
use dxplan_domain::text::format_date;
use serde::Deserialize;

use super::super::{Ctx, FormErrors, Page};
use crate::error::WebResult;
use dxplan_app::tasks::{self as svc, Plan, Task, TaskGroup, Unit};

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
    marks_key_tasks: bool,
    doc_types: Vec<(&'static str, &'static str)>,
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
    /// A ticked box sends `on`.
    #[serde(default)]
    regular: Option<String>,
    #[serde(default)]
    key_task: Option<String>,
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
    assigned_doc_type: String,
    #[serde(default)]
    assigned_doc_item: String,
    #[serde(default)]
    version: Option<i64>,
}

fn ticked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.is_empty() && v != "false")
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
            regular: self.is_regular(),
            key_task: self.is_key(),
            budget_planned: opt(&self.budget_planned),
            funding_source: opt(&self.funding_source),
            acquisition_mode: opt(&self.acquisition_mode),
            assigned_doc_number: opt(&self.assigned_doc_number),
            assigned_doc_date: opt(&self.assigned_doc_date),
            assigned_doc_signer: opt(&self.assigned_doc_signer),
            assigned_doc_type: opt(&self.assigned_doc_type),
            assigned_doc_item: opt(&self.assigned_doc_item),
        }
    }

    fn is_regular(&self) -> bool {
        ticked(&self.regular)
    }

    fn is_key(&self) -> bool {
        ticked(&self.key_task)
    }
}

/// The form page from its read model and what was typed.
fn task_form(
    ctx: &Ctx,
    view: svc::TaskFormView,
    task_id: Option<i64>,
    version: i64,
    form: TaskForm,
    errors: FormErrors,
    deadline_locked: bool,
) -> TaskFormPage {
    let page = if task_id.is_some() {
        ctx.page("Sửa nhiệm vụ", "Edit task")
    } else {
        ctx.page("Đăng ký nhiệm vụ", "Register a task")
    };
    TaskFormPage {
        page,
        plan: view.plan,
        task_id,
        version,
        form,
        groups: view.groups,
        modes: AcquisitionMode::ALL
            .iter()
            .map(|m| (m.as_str(), m.label(ctx.lang())))
            .collect(),
        errors,
        deadline_locked,
        lead_choices: view.lead_choices,
        marks_key_tasks: view.marks_key_tasks,
        doc_types: SourceDocType::ALL
            .iter()
            .map(|t| (t.as_str(), t.label(ctx.lang())))
            .collect(),
    }
}

#[derive(Deserialize)]
pub struct NewTaskQuery {
    plan: Option<i64>,
}

pub async fn new_task(ctx: Ctx, Query(q): Query<NewTaskQuery>) -> WebResult<Response> {
    let view = svc::task_form(&ctx.state, ctx.user()?, q.plan).await?;
    // A unit's officer registers for their own unit by default.
    let form = TaskForm {
        lead_unit_code: view.own_unit.clone().unwrap_or_default(),
        ..Default::default()
    };
    let view = task_form(&ctx, view, None, 0, form, FormErrors::default(), false);
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
            let view = svc::task_form(&ctx.state, ctx.user()?, Some(plan_id)).await?;
            let view = task_form(&ctx, view, None, 0, form, errors, false);
            ctx.render_invalid(&view)
        }
    }
}

fn form_of(task: &Task, coordinating: &[Unit]) -> TaskForm {
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
        due_date: if task.regular {
            String::new()
        } else {
            format_date(task.due_date)
        },
        regular: task.regular.then(|| "on".into()),
        key_task: task.key_task.then(|| "on".into()),
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
        assigned_doc_type: task.assigned_doc_type.clone().unwrap_or_default(),
        assigned_doc_item: task.assigned_doc_item.clone().unwrap_or_default(),
        version: Some(task.version),
    }
}

pub async fn edit_task(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let edit = svc::task_edit(&ctx.state, ctx.user()?, id).await?;
    let form = form_of(&edit.task, &edit.coordinating);
    let view = task_form(
        &ctx,
        edit.form,
        Some(id),
        edit.task.version,
        form,
        FormErrors::default(),
        edit.task.status.is_committed(),
    );
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
            let user = ctx.user()?;
            let task = svc::readable_task(&ctx.state, user, id).await?;
            let view = svc::task_form(&ctx.state, user, Some(task.plan_id)).await?;
            let version = form.version.unwrap_or(task.version);
            let view = task_form(
                &ctx,
                view,
                Some(id),
                version,
                form,
                errors,
                task.status.is_committed(),
            );
            ctx.render_invalid(&view)
        }
    }
}
