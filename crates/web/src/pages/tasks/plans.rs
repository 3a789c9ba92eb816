//! The plans, one plan's page with its groups, and the obstacles units reported in a
//! period.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::Response;
use dxplan_domain::task::{Outcome, SourceDocType};
use dxplan_domain::text::format_date;
use serde::Deserialize;

use super::super::{Ctx, FormErrors, Page};
use super::{pillar_choices, recent_periods};
use crate::error::WebResult;
use dxplan_app::tasks::{self as svc, PeriodReport, Plan, TaskGroup, Unit};

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
    let list = svc::plan_list(&ctx.state, ctx.user()?).await?;
    Ok(PlansPage {
        page: ctx.page("Kế hoạch", "Plans"),
        plans: list.plans,
        can_manage: list.can_manage,
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
    silent_units: Vec<Unit>,
    documents: Vec<DocumentRow>,
    pillars: Vec<(String, String)>,
    can_manage: bool,
    sees_programme: bool,
    errors: FormErrors,
}

/// A source document as the plan page lists it.
struct DocumentRow {
    kind: String,
    number: String,
    date: String,
    signer: String,
    tasks: i64,
    completed: i64,
    /// The share completed, as read ("40 %").
    completion: String,
    overdue: i64,
    regular: i64,
}

pub async fn plan(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = plan_page(&ctx, id, FormErrors::default()).await?;
    ctx.render(&view)
}

async fn plan_page(ctx: &Ctx, id: i64, errors: FormErrors) -> WebResult<PlanPage> {
    let lang = ctx.lang();
    let view = svc::plan_overview(&ctx.state, ctx.user()?, id).await?;
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
    let pillars = pillar_choices(&view.pillars, lang);
    let pillar_name = |code: &str| {
        pillars
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    Ok(PlanPage {
        page: ctx.page(&view.plan.title, &view.plan.title),
        decision_date: view.plan.decision_date.map(format_date).unwrap_or_default(),
        total: view.outcomes.iter().map(|(_, n)| n).sum(),
        outcomes: view
            .outcomes
            .iter()
            .map(|(o, n)| (outcome_key(*o), o.label(lang), *n, link(*o)))
            .collect(),
        awaiting_review: view.awaiting_review,
        documents: view
            .documents
            .iter()
            .map(|d| DocumentRow {
                kind: d
                    .doc_type
                    .as_deref()
                    .and_then(SourceDocType::parse)
                    .map(|t| t.label(lang).to_string())
                    .unwrap_or_default(),
                number: d.number.clone(),
                date: d.date.map(format_date).unwrap_or_default(),
                signer: d.signer.clone().unwrap_or_default(),
                tasks: d.tasks,
                completed: d.completed,
                completion: dxplan_report::dashboard_charts::pct(
                    (d.tasks > 0).then(|| d.completed as f64 * 100.0 / d.tasks as f64),
                ),
                overdue: d.overdue,
                regular: d.regular,
            })
            .collect(),
        groups: view
            .groups
            .into_iter()
            .map(|(group, tasks)| GroupRow {
                pillar: pillar_name(&group.pillar_code),
                tasks,
                group,
            })
            .collect(),
        silent_units: view.silent_units,
        can_manage: view.can_manage,
        sees_programme: view.sees_programme,
        pillars,
        errors,
        plan: view.plan,
    })
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
        Some(id) => svc::update_plan_group(&ctx.state, &caller, plan_id, id, &input).await,
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

// ---------------------------------------------------------------- obstacles

pub struct ObstacleGroup {
    pub name: String,
    pub items: Vec<PeriodReport>,
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
    let lang = ctx.lang();
    let view = svc::obstacles(&ctx.state, ctx.user()?, plan_id, q.period.as_deref()).await?;
    // The reports come in group order: consecutive ones of a group share a heading.
    let mut groups: Vec<ObstacleGroup> = Vec::new();
    for r in view.reports {
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
        period: view.period.to_string(),
        period_label: view.period.label(lang),
        periods: recent_periods(ctx.state.today(), lang),
        groups,
        plan: view.plan,
    })
}
