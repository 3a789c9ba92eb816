//! Plans and their task groups: the province's objects, managed with a grant at the top
//! of today's tree.

use dxplan_domain::auth::Action;
use dxplan_domain::task::PlanStatus;
use dxplan_domain::task::{Outcome, TaskStatus};
use dxplan_domain::text::parse_date;
use dxplan_domain::validation::{optional_text, required_text};
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::plans::{self, PlanFields};
use dxplan_store::{Conn, StoreError, tasks};
use serde::Deserialize;
use serde_json::json;

use super::{
    Pillar, Plan, SourceDocument, TaskFilter, TaskGroup, Unit, outcome_counts, task_scope,
};
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
use crate::rights::Province;
use crate::{App, Caller};

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
    let status = match input.status.as_deref() {
        None => PlanStatus::Active,
        Some(s) => PlanStatus::parse(s).unwrap_or_else(|| {
            errors.push(FieldError::new("status", Invalid::BadFormat));
            PlanStatus::Active
        }),
    };
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
pub(super) async fn require_plans(c: &mut Conn, app: &App, caller: &Caller<'_>) -> AppResult<()> {
    caller.require_province(c, app, Action::ManagePlans).await
}

/// Creates a plan with the twelve default task groups.
pub async fn create_plan(app: &App, caller: &Caller<'_>, input: &PlanInput) -> AppResult<Plan> {
    let mut c = app.write(caller).await?;
    require_plans(&mut c, app, caller).await?;
    let fields = validate_plan(input).map_err(AppError::Validation)?;
    let now = app.now();
    let id = plans::insert(&mut c, &fields, now).await?;
    for (position, (code, name, pillar)) in DEFAULT_GROUPS.iter().enumerate() {
        plans::insert_group(&mut c, id, code, name, pillar, position as i64 + 1).await?;
    }
    let plan = plans::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "plan.create",
        entity_type: "plan",
        entity_id: Some(id.to_string()),
        summary: plan.title.clone(),
        before: None,
        after: Some(json!(plan)),
    })
    .await?;
    Ok(plan)
}

pub async fn update_plan(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &PlanInput,
    version: Option<i64>,
) -> AppResult<Plan> {
    let mut c = app.write(caller).await?;
    require_plans(&mut c, app, caller).await?;
    let fields = validate_plan(input).map_err(AppError::Validation)?;
    let before = plans::get(&mut c, id).await?;
    plans::update(&mut c, id, &fields, version, app.now()).await?;
    let after = plans::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "plan.update",
        entity_type: "plan",
        entity_id: Some(id.to_string()),
        summary: after.title.clone(),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
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

pub(super) fn duplicate_code(e: StoreError) -> AppError {
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
    let mut c = app.write(caller).await?;
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
    c.commit(NewEvent {
        action: "group.create",
        entity_type: "task_group",
        entity_id: Some(id.to_string()),
        summary: format!("{} {}", group.code, group.name),
        before: None,
        after: Some(json!(group)),
    })
    .await?;
    Ok(group)
}

pub async fn update_group(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &GroupInput,
) -> AppResult<TaskGroup> {
    change_group(app, caller, None, id, input).await
}

/// Edits a group reached through its plan (a plan's page): a group of another plan is
/// not found there.
pub async fn update_plan_group(
    app: &App,
    caller: &Caller<'_>,
    plan_id: i64,
    id: i64,
    input: &GroupInput,
) -> AppResult<TaskGroup> {
    change_group(app, caller, Some(plan_id), id, input).await
}

async fn change_group(
    app: &App,
    caller: &Caller<'_>,
    plan_id: Option<i64>,
    id: i64,
    input: &GroupInput,
) -> AppResult<TaskGroup> {
    let mut c = app.write(caller).await?;
    // Through its plan, a group of another plan is not there for anyone; alone, a group
    // is nobody's business but the plan managers'.
    if let Some(plan_id) = plan_id
        && plans::group(&mut c, id).await?.plan_id != plan_id
    {
        return Err(AppError::NotFound);
    }
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
    c.commit(NewEvent {
        action: "group.update",
        entity_type: "task_group",
        entity_id: Some(id.to_string()),
        summary: format!("{} {}", after.code, after.name),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

// ---------------------------------------------------------------- read models

/// Every plan, the newest first, and whether the user may change plans and their
/// groups (province-wide objects).
pub struct PlanList {
    pub plans: Vec<Plan>,
    pub can_manage: bool,
}

/// Plans are read by every member alike; their tasks stay scoped.
pub async fn plan_list(app: &App, user: &CurrentUser) -> AppResult<PlanList> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    Ok(PlanList {
        plans: plans::list(&mut c).await?,
        can_manage: Province::today(&mut c, app)
            .await?
            .allows(user, Action::ManagePlans),
    })
}

/// A plan's page: the plan, its groups with their tasks counted, its tasks by outcome,
/// how many await review, and the units that registered nothing. Counts are of the tasks
/// the user may read.
pub struct PlanOverview {
    pub plan: Plan,
    /// Each group with how many of its tasks the user may read.
    pub groups: Vec<(TaskGroup, i64)>,
    pub pillars: Vec<Pillar>,
    pub outcomes: Vec<(Outcome, usize)>,
    pub awaiting_review: i64,
    pub silent_units: Vec<Unit>,
    /// The documents its tasks come from, with their tasks' progress.
    pub documents: Vec<SourceDocument>,
    pub can_manage: bool,
    /// Sees the whole programme (its steering sessions): the province's readers.
    pub sees_programme: bool,
}

pub async fn plan_overview(app: &App, user: &CurrentUser, id: i64) -> AppResult<PlanOverview> {
    user.require_somewhere(Action::ViewWork)?;
    let filter = TaskFilter {
        plan_id: Some(id),
        scope: task_scope(user),
        ..Default::default()
    };
    let mut c = app.db.read().await?;
    let plan = plans::get(&mut c, id).await?;
    let province = Province::today(&mut c, app).await?;
    let outcomes = outcome_counts(&mut c, app, &filter).await?;
    let by_group = tasks::counts_by_group(&mut c, &filter).await?;
    let groups = plans::groups(&mut c, id)
        .await?
        .into_iter()
        .map(|g| {
            let n = by_group
                .iter()
                .find(|(gid, _)| *gid == Some(g.id))
                .map_or(0, |(_, n)| *n);
            (g, n)
        })
        .collect();
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
    Ok(PlanOverview {
        groups,
        pillars: plans::pillars(&mut c).await?,
        outcomes,
        awaiting_review,
        silent_units: tasks::units_without_tasks(&mut c, id, app.today()).await?,
        documents: tasks::source_documents(&mut c, &filter, app.today()).await?,
        can_manage: province.allows(user, Action::ManagePlans),
        sees_programme: province.allows(user, Action::ViewWork),
        plan,
    })
}

/// A plan, its groups, and the tasks the user may read counted by outcome.
pub struct PlanSummary {
    pub plan: Plan,
    pub groups: Vec<TaskGroup>,
    pub outcomes: Vec<(Outcome, usize)>,
}

pub async fn plan_summary(app: &App, user: &CurrentUser, id: i64) -> AppResult<PlanSummary> {
    user.require_somewhere(Action::ViewWork)?;
    let filter = TaskFilter {
        plan_id: Some(id),
        scope: task_scope(user),
        ..Default::default()
    };
    let mut c = app.db.read().await?;
    Ok(PlanSummary {
        plan: plans::get(&mut c, id).await?,
        groups: plans::groups(&mut c, id).await?,
        outcomes: outcome_counts(&mut c, app, &filter).await?,
    })
}

/// The documents a plan's tasks come from, with how far their tasks have come: the tasks
/// the user may read, newest document first (an unknown plan is not found).
pub async fn plan_documents(
    app: &App,
    user: &CurrentUser,
    id: i64,
) -> AppResult<Vec<SourceDocument>> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    plans::get(&mut c, id).await?;
    let filter = TaskFilter {
        plan_id: Some(id),
        scope: task_scope(user),
        ..Default::default()
    };
    Ok(tasks::source_documents(&mut c, &filter, app.today()).await?)
}

/// A plan's task groups (an unknown plan is not found).
pub async fn plan_groups(app: &App, user: &CurrentUser, id: i64) -> AppResult<Vec<TaskGroup>> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    plans::get(&mut c, id).await?;
    Ok(plans::groups(&mut c, id).await?)
}
