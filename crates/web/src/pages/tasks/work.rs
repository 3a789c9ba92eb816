//! "Việc của tôi": what waits on the user, and the lines the home page shares.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use dxplan_domain::text::format_date;
use serde::Deserialize;

use super::super::{Ctx, Page};
use super::{TaskRow, rows};
use crate::error::{AppError, WebResult};
use dxplan_app::work::{MyWork, WorkItem};

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
