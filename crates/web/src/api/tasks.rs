//! The JSON API for plans, task groups, tasks, their workflow, extensions and reports.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use dxplan_domain::task::{
    AcquisitionMode, DeadlineState, NationalBucket, Outcome, ReportInput, TaskInput,
};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiQuery, caller};
use crate::error::WebResult;
use crate::http::task_query::TaskListQuery;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::tasks::{self as svc, Task};

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/plans", get(list_plans).post(create_plan))
        .route("/plans/{id}", get(get_plan).patch(patch_plan))
        .route("/plans/{id}/groups", get(list_groups).post(create_group))
        .route("/plans/{id}/source-documents", get(list_source_documents))
        .route("/plans/{id}/obstacles", get(plan_obstacles))
        .route("/groups/{id}", patch(patch_group))
        .route("/plans/{id}/tasks", get(list_plan_tasks).post(create_task))
        .route("/tasks", get(list_tasks))
        .route("/tasks.csv", get(export_csv))
        .route("/tasks.xlsx", get(export_xlsx))
        .route("/tasks/{id}", get(get_task).patch(patch_task))
        .route("/tasks/{id}/transitions", post(transition))
        .route("/tasks/{id}/events", get(task_events))
        .route("/tasks/{id}/reports", get(task_reports).post(file_report))
        .route(
            "/tasks/{id}/extensions",
            get(task_extensions).post(request_extension),
        )
        .route("/extensions/{id}/decision", post(decide_extension))
        .route("/me/work", get(my_work))
        .route(
            "/tasks/{id}/attachments",
            get(task_attachments)
                .post(upload)
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/attachments/{id}", get(download))
        .route(
            "/plans/{id}/import",
            post(import_plan).layer(axum::extract::DefaultBodyLimit::max(
                crate::upload::WORKBOOK_BYTES,
            )),
        )
}

/// A task as the API shows it: stored fields plus what is derived from them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskJson {
    #[serde(flatten)]
    task: Task,
    /// Where the task stands against its deadline (Decision 42/2014/QĐ-TTg).
    outcome: Outcome,
    overdue: bool,
    /// How the deadline presses, as pages colour it: `overdue` red, `due_soon` orange
    /// (within the server's `--due-soon-days`), `regular` and `closed` neutral.
    deadline_state: DeadlineState,
    /// The bucket of the national task reports; none for a cancelled task.
    national_bucket: Option<NationalBucket>,
    /// In lists, when the lead unit has ended in a reorganisation: the units standing
    /// today that continue it (absent while it stands).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lead_unit_now: Vec<UnitName>,
}

pub fn task_json(task: &Task, today: time::Date, due_soon_days: u8) -> TaskJson {
    let outcome = Outcome::of(task.status, task.due_date, task.completed_on, today);
    TaskJson {
        task: task.clone(),
        outcome,
        overdue: outcome == Outcome::NotCompletedOverdue,
        deadline_state: DeadlineState::of(task.status, task.due_date, today, due_soon_days),
        national_bucket: NationalBucket::of(task.status, task.due_date, today),
        lead_unit_now: Vec::new(),
    }
}

/// A task with its coordinating units and the workflow moves open to it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TaskDetail {
    #[serde(flatten)]
    task: TaskJson,
    coordinating_units: Vec<UnitName>,
    available_actions: Vec<dxplan_domain::task::TaskAction>,
}

/// A unit named briefly.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct UnitName {
    code: String,
    name: String,
}

/// One page of tasks: `limit` + `cursor` → `next_cursor`, or `page` + `per_page`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TaskPage {
    items: Vec<TaskJson>,
    total: i64,
    page: u32,
    per_page: u32,
    next_cursor: Option<String>,
}

/// A plan with its task groups and its tasks counted by outcome.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PlanDetail {
    #[serde(flatten)]
    plan: svc::Plan,
    groups: Vec<svc::TaskGroup>,
    /// Tasks the caller may read, by outcome (`completed_on_time`, …).
    outcomes: std::collections::BTreeMap<String, usize>,
}

// ---------------------------------------------------------------- plans

#[utoipa::path(get, path = "/api/v1/plans", tag = "tasks",
    params(super::PageQuery),
    responses((status = 200, description = "Every plan, the newest first", body = crate::openapi::Page<svc::Plan>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_plans(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::Plan>>> {
    let plans = svc::plan_list(&state, &user).await?.plans;
    Ok(Json(super::paged(plans, &page)?))
}

#[utoipa::path(post, path = "/api/v1/plans", tag = "tasks",
    request_body(content = svc::PlanInput, content_type = "application/json"),
    responses((status = 201, description = "The plan", body = svc::Plan), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create_plan(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<svc::PlanInput>,
) -> WebResult<Response> {
    let plan = svc::create_plan(&state, &caller(&user, &meta), &input).await?;
    Ok((StatusCode::CREATED, Json(plan)).into_response())
}

#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The plan, its task groups and its tasks counted by outcome", body = PlanDetail), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn get_plan(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<PlanDetail>> {
    let svc::PlanSummary {
        plan,
        groups,
        outcomes,
    } = svc::plan_summary(&state, &user, id).await?;
    let outcomes = outcomes
        .into_iter()
        .map(|(o, n)| {
            (
                serde_json::to_value(o)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                n,
            )
        })
        .collect();
    Ok(Json(PlanDetail {
        plan,
        groups,
        outcomes,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PlanPatch {
    #[serde(flatten)]
    input: svc::PlanInput,
    version: Option<i64>,
    #[serde(flatten, default)]
    #[schema(ignore)]
    pub(crate) _others: dxplan_app::NoOtherFields,
}

#[utoipa::path(patch, path = "/api/v1/plans/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = PlanPatch, content_type = "application/json"),
    responses((status = 200, description = "The plan now", body = svc::Plan), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn patch_plan(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PlanPatch>,
) -> WebResult<Json<svc::Plan>> {
    let plan =
        svc::update_plan(&state, &caller(&user, &meta), id, &body.input, body.version).await?;
    Ok(Json(plan))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/groups", tag = "tasks",
    params(super::PageQuery, ("id" = i64, Path)),
    responses((status = 200, description = "The plan's task groups", body = crate::openapi::Page<svc::TaskGroup>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_groups(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::TaskGroup>>> {
    let groups = svc::plan_groups(&state, &user, id).await?;
    Ok(Json(super::paged(groups, &page)?))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/source-documents", tag = "tasks",
    params(super::PageQuery, ("id" = i64, Path)),
    responses((status = 200, description = "The documents the plan's tasks come from (resolutions, directives, conclusion notices…), newest first, each with its tasks counted: all but the cancelled, completed, overdue, regular. Counts are of the tasks the caller may read; `/tasks?plan=&doc=` lists them", body = crate::openapi::Page<svc::SourceDocument>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_source_documents(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::SourceDocument>>> {
    let documents = svc::plan_documents(&state, &user, id).await?;
    Ok(Json(super::paged(documents, &page)?))
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/groups", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = svc::GroupInput, content_type = "application/json"),
    responses((status = 201, description = "The group", body = svc::TaskGroup), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create_group(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<svc::GroupInput>,
) -> WebResult<Response> {
    let group = svc::create_group(&state, &caller(&user, &meta), id, &input).await?;
    Ok((StatusCode::CREATED, Json(group)).into_response())
}

#[utoipa::path(patch, path = "/api/v1/groups/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = svc::GroupInput, content_type = "application/json"),
    responses((status = 200, description = "The group now", body = svc::TaskGroup), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn patch_group(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<svc::GroupInput>,
) -> WebResult<Json<svc::TaskGroup>> {
    Ok(Json(
        svc::update_group(&state, &caller(&user, &meta), id, &input).await?,
    ))
}

// ---------------------------------------------------------------- tasks

/// A page of tasks as the API shows it.
fn task_page(list: svc::TaskList, today: time::Date, due_soon_days: u8) -> TaskPage {
    let svc::TaskList {
        page,
        continued,
        offset,
        limit,
    } = list;
    TaskPage {
        items: page
            .tasks
            .iter()
            .map(|t| TaskJson {
                lead_unit_now: continued
                    .get(&t.lead_unit_id)
                    .map(|us| {
                        us.iter()
                            .map(|u| UnitName {
                                code: u.code.clone(),
                                name: u.name.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                ..task_json(t, today, due_soon_days)
            })
            .collect(),
        total: page.total,
        page: offset / limit + 1,
        per_page: limit,
        next_cursor: (i64::from(offset + limit) < page.total)
            .then(|| crate::http::paging::position_cursor((offset + limit) as usize)),
    }
}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks",
    params(TaskListQuery),
    responses((status = 200, description = "One page of the tasks the caller may read", body = TaskPage), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_tasks(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<TaskListQuery>,
) -> WebResult<Json<TaskPage>> {
    let list = svc::list_tasks(&state, &user, query.to_query()?).await?;
    Ok(Json(task_page(
        list,
        state.today(),
        state.app.settings.due_soon_days,
    )))
}

/// Every task the filters select (not one page) as a document.
async fn export_list(
    state: &AppState,
    user: &dxplan_app::CurrentUser,
    meta: &RequestMeta,
    query: &TaskListQuery,
    format: svc::ListFormat,
) -> WebResult<Response> {
    let query = query.to_query()?;
    let (name, bytes) = svc::export_list(state, user, meta.lang, query, format).await?;
    Ok(crate::http::download(format.content_type(), &name, bytes))
}

#[utoipa::path(get, path = "/api/v1/tasks.csv", tag = "tasks",
    params(TaskListQuery),
    responses((status = 200, description = "Every task the filters select, as CSV (UTF-8)", content_type = "text/csv"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<TaskListQuery>,
) -> WebResult<Response> {
    export_list(&state, &user, &meta, &query, svc::ListFormat::Csv).await
}

#[utoipa::path(get, path = "/api/v1/tasks.xlsx", tag = "tasks",
    params(TaskListQuery),
    responses((status = 200, description = "Every task the filters select, as a workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn export_xlsx(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<TaskListQuery>,
) -> WebResult<Response> {
    export_list(&state, &user, &meta, &query, svc::ListFormat::Xlsx).await
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/tasks", tag = "tasks",
    params(TaskListQuery, ("id" = i64, Path)),
    responses((status = 200, description = "One page of the plan's tasks the caller may read", body = TaskPage), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_plan_tasks(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<TaskListQuery>,
) -> WebResult<Json<TaskPage>> {
    let list = svc::plan_tasks(&state, &user, id, query.to_query()?).await?;
    Ok(Json(task_page(
        list,
        state.today(),
        state.app.settings.due_soon_days,
    )))
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/tasks", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = TaskInput, content_type = "application/json"),
    responses((status = 201, description = "The task", body = TaskJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create_task(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(plan_id): Path<i64>,
    ApiJson(input): ApiJson<TaskInput>,
) -> WebResult<Response> {
    let task = svc::create_task(&state, &caller(&user, &meta), plan_id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(task_json(
            &task,
            state.today(),
            state.app.settings.due_soon_days,
        )),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The task, its coordinating units and the moves open to it", body = TaskDetail), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn get_task(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<TaskDetail>> {
    let svc::TaskDetail { task, coordinating } = svc::task_detail(&state, &user, id).await?;
    Ok(Json(TaskDetail {
        task: task_json(&task, state.today(), state.app.settings.due_soon_days),
        coordinating_units: coordinating
            .into_iter()
            .map(|u| UnitName {
                code: u.code,
                name: u.name,
            })
            .collect(),
        available_actions: dxplan_domain::task::TaskAction::available(task.state()),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TaskPatch {
    #[serde(flatten)]
    input: TaskInput,
    version: Option<i64>,
    #[serde(flatten, default)]
    #[schema(ignore)]
    pub(crate) _others: dxplan_app::NoOtherFields,
}

#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = TaskPatch, content_type = "application/json"),
    responses((status = 200, description = "The task now", body = TaskJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn patch_task(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TaskPatch>,
) -> WebResult<Json<TaskJson>> {
    let task =
        svc::update_task(&state, &caller(&user, &meta), id, &body.input, body.version).await?;
    Ok(Json(task_json(
        &task,
        state.today(),
        state.app.settings.due_soon_days,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TransitionBody {
    action: String,
    #[serde(default)]
    comment: Option<String>,
    /// For `accept_decline`: the unit (name or code) that takes the task over.
    #[serde(default)]
    new_lead: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/transitions", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = TransitionBody, content_type = "application/json"),
    responses((status = 200, description = "The task after the move", body = TaskJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn transition(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TransitionBody>,
) -> WebResult<Json<TaskJson>> {
    let task = svc::transition(
        &state,
        &caller(&user, &meta),
        id,
        &body.action,
        body.comment.as_deref(),
        body.new_lead.as_deref(),
        body.version,
    )
    .await?;
    Ok(Json(task_json(
        &task,
        state.today(),
        state.app.settings.due_soon_days,
    )))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/events", tag = "tasks",
    params(super::PageQuery, ("id" = i64, Path)),
    responses((status = 200, description = "The task's history, oldest first", body = crate::openapi::Page<svc::TaskEvent>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn task_events(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::TaskEvent>>> {
    let events = svc::task_events(&state, &user, id).await?;
    Ok(Json(super::paged(events, &page)?))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/reports", tag = "tasks",
    params(super::PageQuery, ("id" = i64, Path)),
    responses((status = 200, description = "The task's progress reports", body = crate::openapi::Page<svc::Report>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn task_reports(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::Report>>> {
    let reports = svc::task_reports(&state, &user, id).await?;
    Ok(Json(super::paged(reports, &page)?))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/reports", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = ReportInput, content_type = "application/json"),
    responses((status = 201, description = "The report for the period", body = svc::Report), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn file_report(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReportInput>,
) -> WebResult<Response> {
    let report = svc::file_report(&state, &caller(&user, &meta), id, &input).await?;
    Ok((StatusCode::CREATED, Json(report)).into_response())
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/extensions", tag = "tasks",
    params(super::PageQuery, ("id" = i64, Path)),
    responses((status = 200, description = "The task's deadline extension requests", body = crate::openapi::Page<svc::Extension>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn task_extensions(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::Extension>>> {
    let extensions = svc::task_extensions(&state, &user, id).await?;
    Ok(Json(super::paged(extensions, &page)?))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/extensions", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = svc::ExtensionInput, content_type = "application/json"),
    responses((status = 201, description = "The request", body = svc::Extension), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn request_extension(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<svc::ExtensionInput>,
) -> WebResult<Response> {
    let ext = svc::request_extension(&state, &caller(&user, &meta), id, &input).await?;
    Ok((StatusCode::CREATED, Json(ext)).into_response())
}

#[utoipa::path(post, path = "/api/v1/extensions/{id}/decision", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = svc::DecisionInput, content_type = "application/json"),
    responses((status = 200, description = "The decided request", body = svc::Extension), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn decide_extension(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<svc::DecisionInput>,
) -> WebResult<Json<svc::Extension>> {
    Ok(Json(
        svc::decide_extension(&state, &caller(&user, &meta), id, &input).await?,
    ))
}

// ---------------------------------------------------------------- my work

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct MyWorkQuery {
    /// The plan whose tasks to list; every plan's when absent.
    #[serde(default)]
    plan: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/me/work", tag = "tasks",
    params(MyWorkQuery),
    responses((status = 200, description = "What waits on the caller", body = MyWorkJson), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn my_work(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<MyWorkQuery>,
) -> WebResult<Json<MyWorkJson>> {
    use dxplan_app::work::PlanChoice;
    // A machine asks for a plan, or gets every plan's tasks (the page opens on this year's).
    let choice = q.plan.map_or(PlanChoice::Every, PlanChoice::One);
    let work = dxplan_app::work::my_work(&state, &user, choice).await?;
    let today = state.today();
    let list = |tasks: &[Task]| {
        tasks
            .iter()
            .map(|t| task_json(t, today, state.app.settings.due_soon_days))
            .collect()
    };
    Ok(Json(MyWorkJson {
        plan: work.plan,
        to_submit: list(&work.to_submit),
        to_review: list(&work.to_review),
        extensions_to_decide: work.extensions.into_iter().map(|(e, _, _)| e).collect(),
        to_report: list(&work.to_report),
        report_period: work.report_period.to_string(),
        due_within_14_days: list(&work.due_soon),
        overdue: list(&work.overdue),
        items: work.items,
    }))
}

/// What waits on the caller: each task once, in its most pressing list (overdue, to
/// review, to submit, to report on, due within 14 days), each list at most 50 by deadline;
/// then figures and assessments.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct MyWorkJson {
    /// The plan the task lists are for (`null`: every plan).
    plan: Option<i64>,
    to_submit: Vec<TaskJson>,
    to_review: Vec<TaskJson>,
    extensions_to_decide: Vec<svc::Extension>,
    to_report: Vec<TaskJson>,
    /// The month progress is reported for (`2026-11`; a report for its quarter counts).
    report_period: String,
    due_within_14_days: Vec<TaskJson>,
    overdue: Vec<TaskJson>,
    /// Figures to enter, submit, correct or review; self-assessments and verifications.
    items: Vec<dxplan_app::work::WorkItem>,
}

// ---------------------------------------------------------------- evidence files

#[utoipa::path(get, path = "/api/v1/tasks/{id}/attachments", tag = "tasks",
    params(super::PageQuery, ("id" = i64, Path)),
    responses((status = 200, description = "The task's evidence files", body = crate::openapi::Page<svc::Attachment>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn task_attachments(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::Attachment>>> {
    let files = svc::task_attachments(&state, &user, id).await?;
    Ok(Json(super::paged(files, &page)?))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/attachments", tag = "tasks",
    params(("id" = i64, Path)),
    request_body(content = crate::openapi::FileUpload, content_type = "multipart/form-data", description = "The file in the part named `file`"),
    responses((status = 201, description = "The evidence file (type checked by its content)", body = svc::Attachment), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let file = crate::upload::first_file(multipart, state.upload_limit());
    let attachment = svc::attach(&state, &caller(&user, &meta), id, file).await?;
    Ok((StatusCode::CREATED, Json(attachment)).into_response())
}

#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The file, as its checked type"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn download(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (attachment, bytes) = svc::attachment_for(&state, &user, id).await?;
    Ok(crate::http::file_response(&attachment, bytes))
}

// ---------------------------------------------------------------- plan import

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportQuery {
    #[serde(default)]
    dry_run: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/import", tag = "tasks",
    params(ImportQuery, ("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file as the body"),
    responses((status = 200, description = "What the workbook would create (dry run)", body = PlanImport), (status = 201, description = "What the workbook created", body = PlanImport), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// Imports a plan appendix workbook sent as the request body; `?dry_run=true` only
/// previews what would be created.
pub(crate) async fn import_plan(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: axum::body::Body,
) -> WebResult<Response> {
    let dry_run = matches!(query.dry_run.as_deref(), Some("1" | "true" | "yes"));
    let file = async {
        let bytes = crate::upload::body_bytes(body, crate::upload::WORKBOOK_BYTES).await?;
        Ok(dxplan_app::Upload {
            name: String::new(),
            bytes,
        })
    };
    let outcome = svc::import_plan(&state, &caller(&user, &meta), id, file, dry_run).await?;
    let tasks: Vec<ImportedTask> = outcome
        .tasks
        .into_iter()
        .map(|t| ImportedTask {
            row: t.row,
            code: t.fields.code,
            title: t.fields.title,
            group_id: t.fields.group_id,
            lead_unit_code: t.fields.lead_unit_code,
            coordinating_unit_ids: t.coordinating,
            partners: t.fields.partners,
            start_date: t.fields.start_date,
            due_date: t.fields.due_date,
            budget_planned: t.fields.budget_planned,
            acquisition_mode: t.fields.acquisition_mode,
        })
        .collect();
    let status = if outcome.committed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(PlanImport {
            dry_run: !outcome.committed,
            count: tasks.len(),
            tasks,
        }),
    )
        .into_response())
}

/// What a plan workbook creates, or would create on a dry run.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PlanImport {
    dry_run: bool,
    count: usize,
    tasks: Vec<ImportedTask>,
}

/// One task row of a plan workbook, as read.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ImportedTask {
    /// The workbook row it came from.
    row: usize,
    code: String,
    title: String,
    group_id: Option<i64>,
    lead_unit_code: String,
    coordinating_unit_ids: Vec<i64>,
    partners: Vec<String>,
    start_date: Option<time::Date>,
    due_date: time::Date,
    /// In đồng.
    budget_planned: i64,
    acquisition_mode: Option<AcquisitionMode>,
}

// ---------------------------------------------------------------- obstacles

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ObstacleQuery {
    /// `2025Q2` (or a month or year); the current quarter when absent.
    #[serde(default)]
    period: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/obstacles", tag = "tasks",
    params(super::PageQuery, ("id" = i64, Path), ObstacleQuery),
    responses((status = 200, description = "The period's reports that name obstacles or proposals, by task group", body = crate::openapi::Page<svc::PeriodReport>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/plans/{id}/obstacles?period=`: what units say holds them back.
pub(crate) async fn plan_obstacles(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<ObstacleQuery>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::PeriodReport>>> {
    let items = svc::obstacles(&state, &user, id, q.period.as_deref())
        .await?
        .reports;
    Ok(Json(super::paged(items, &page)?))
}
