//! The task list with its filters, and the same list as a CSV file or a workbook.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use dxplan_domain::task::{AcquisitionMode, TaskStatus};
use dxplan_domain::text::format_date;

use super::super::{Ctx, Page};
use super::{TaskRow, pillar_choices, rows};
use crate::error::WebResult;
use crate::http::task_query::TaskListQuery;
use dxplan_app::tasks::{self as svc, Plan, TaskGroup, Unit};

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
                &q.key,
                &q.regular,
                &q.within,
                &q.due_within,
            ]
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.is_empty()))
    }

    /// Conditions the filter form does not show (the dashboard's and the task page's
    /// links set them), each said in words with a link to the list without it.
    fn narrowed(&self) -> Vec<(String, String)> {
        let lang = self.page.lang;
        let without = |clear: fn(&mut TaskListQuery)| {
            let mut q = self.query.clone();
            clear(&mut q);
            q.page = None;
            q.cursor = None;
            format!(
                "/tasks?{}",
                serde_urlencoded::to_string(&q).unwrap_or_default()
            )
        };
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let mut out = Vec::new();
        if let Some(doc) = given(&self.query.doc) {
            out.push((
                lang.pick(
                    format!("Các nhiệm vụ của văn bản số {doc}."),
                    format!("The tasks of document {doc}."),
                ),
                without(|q| q.doc = None),
            ));
        }
        if given(&self.query.within).is_some() {
            out.push((
                lang.pick(
                    "Nhiệm vụ chưa hoàn thành, còn trong hạn (không tính nhiệm vụ thường xuyên).",
                    "Unfinished tasks within their deadline (regular tasks left out).",
                )
                .to_string(),
                without(|q| q.within = None),
            ));
        }
        if let Some(days) = given(&self.query.due_within) {
            out.push((
                lang.pick(
                    format!("Nhiệm vụ chưa hoàn thành, đến hạn trong {days} ngày tới."),
                    format!("Unfinished tasks due within {days} days."),
                ),
                without(|q| q.due_within = None),
            ));
        }
        out
    }

    fn selected(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "plan" => &self.query.plan,
            "group" => &self.query.group,
            "pillar" => &self.query.pillar,
            "status" => &self.query.status,
            "mode" => &self.query.mode,
            "sort" => &self.query.sort,
            "regular" => &self.query.regular,
            _ => &None,
        };
        current.as_deref() == Some(value)
    }
}

/// Names of the units that continue an ended one, as the page writes them.
fn names(units: &[Unit]) -> String {
    units
        .iter()
        .map(|u| u.name.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn list(ctx: Ctx, Query(mut query): Query<TaskListQuery>) -> WebResult<Response> {
    let user = ctx.user()?;
    let lang = ctx.lang();
    let today = ctx.state.today();
    // The newest plan when none is asked for, so the list opens on what matters now.
    let newest_plan = query.plan.is_none();
    let view = svc::task_list_view(&ctx.state, user, query.to_query()?, newest_plan).await?;
    if newest_plan {
        query.plan = view.plan.map(|p| p.to_string());
    }
    // A unit typed that names none is said on the page, which lists without it; the
    // field keeps what was typed, so it can be corrected.
    let mut problems = Vec::new();
    let unit_field = match (&view.unit, &view.unit_problem) {
        (Some(u), _) => u.name.clone(),
        (None, Some((typed, why))) => {
            problems.push(why.message(typed, lang));
            query.unit = None;
            typed.clone()
        }
        (None, None) => String::new(),
    };
    let continued = &view.list.continued;
    let ended = view.unit.as_ref().and_then(|u| {
        let last = u.valid_to.filter(|d| *d < today)?;
        let now = continued.get(&u.id).map(|us| names(us)).unwrap_or_default();
        Some((u.name.clone(), format_date(last), now))
    });
    let tasks = &view.list.page.tasks;
    let mut list = rows(tasks, &ctx);
    for (row, task) in list.iter_mut().zip(tasks) {
        row.now = continued.get(&task.lead_unit_id).map(|us| names(us));
    }
    let per_page = view.list.limit;
    let page_no = view.list.offset / per_page + 1;
    let total = view.list.page.total;
    let pages = ((total as u32).div_ceil(per_page)).max(1);
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
        total,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
        page_no,
        pages,
        statuses: TaskStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang)))
            .collect(),
        modes: AcquisitionMode::ALL
            .iter()
            .map(|m| (m.as_str(), m.label(lang)))
            .collect(),
        pillars: pillar_choices(&view.pillars, lang),
        can_register: view.can_register,
        export_query: serde_urlencoded::to_string(&export).unwrap_or_default(),
        ended,
        query,
        unit_field,
        plans: view.plans,
        groups: view.groups,
        unit_choices: view.unit_choices,
        problems,
    })
}

// ---------------------------------------------------------------- exports

/// Every task of the filtered list (not just one page), as a document.
async fn export_list(
    ctx: &Ctx,
    query: &TaskListQuery,
    format: svc::ListFormat,
) -> WebResult<Response> {
    let query = query.to_query()?;
    let (name, bytes) =
        svc::export_list(&ctx.state, ctx.user()?, ctx.lang(), query, format).await?;
    Ok(crate::http::download(format.content_type(), &name, bytes))
}

pub async fn export_csv(ctx: Ctx, Query(query): Query<TaskListQuery>) -> WebResult<Response> {
    export_list(&ctx, &query, svc::ListFormat::Csv).await
}

pub async fn export_xlsx(ctx: Ctx, Query(query): Query<TaskListQuery>) -> WebResult<Response> {
    export_list(&ctx, &query, svc::ListFormat::Xlsx).await
}
