//! Task lists: what a filter selects, limited to what the user may read, paged — and
//! counted by outcome for a plan.

use std::collections::HashMap;
use std::sync::Arc;

use dxplan_domain::Invalid;
use dxplan_domain::auth::Action;
use dxplan_domain::task::Outcome;
use dxplan_domain::text::parse_date;
use dxplan_store::{Conn, plans, tasks, units};
use time::Date;

use super::{Pillar, Plan, TaskFilter, TaskGroup, TaskPage, Unit, task_scope};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::pickers::NotAUnit;
use crate::principal::CurrentUser;

/// A task list as asked for: the filters as read from a query string, and the unit still
/// as typed (a code or a name), since finding it needs the unit tree. Whatever
/// `filter.scope`, `filter.unit_subtree` and `filter.today` say is replaced: the scope is
/// always the user's, the subtree that of `unit`, the day today.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    pub filter: TaskFilter,
    pub unit: Option<String>,
    /// The day whose units `unit` names, as typed (`dd/mm/yyyy` or `yyyy-mm-dd`). When
    /// absent: the unit holding the code today, or for a code no unit holds today, the
    /// last unit that held it.
    pub at: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl TaskQuery {
    /// The unit `unit` names, or why it names none (a refused `at` is an error).
    async fn named_unit(
        &self,
        c: &mut Conn,
        app: &App,
    ) -> AppResult<Option<Result<Unit, NotAUnit>>> {
        let Some(code) = non_empty(&self.unit) else {
            return Ok(None);
        };
        let day: Date = match non_empty(&self.at) {
            Some(at) => parse_date(at).ok_or_else(|| AppError::field("at", Invalid::BadDate))?,
            None => app.today(),
        };
        let found = match units::by_code(c, code, day).await? {
            Some(u) => Some(u),
            // An ended unit's code still names its old work.
            None if self.at.is_none() => units::all_with_code(c, code).await?.into_iter().next(),
            None => None,
        };
        if let Some(unit) = found {
            return Ok(Some(Ok(unit)));
        }
        // Not a code: a name, as people write it.
        Ok(Some(crate::pickers::find_named(c, code, day).await?))
    }
}

/// Most units a task query names one by one (see [`scoped`]).
const MAX_LISTED_SCOPE: usize = 500;

/// The store filter: the user's scope, the subtree of the unit named, and today (what
/// "overdue" is judged against). A scope or subtree that holds every unit narrows nothing
/// and is left out, so the province's readers get the plain indexed query.
pub(crate) async fn scoped(
    c: &mut Conn,
    app: &App,
    user: &CurrentUser,
    mut filter: TaskFilter,
    unit: Option<&Unit>,
) -> AppResult<TaskFilter> {
    match task_scope(user) {
        Some(roots) if app.covers_every_unit(c, &roots).await? => filter.scope = None,
        Some(roots) => {
            let units = app.subtree(c, &roots).await?;
            // A commune's or a department's few units are probed in the indexes; a scope
            // of thousands stays a walk in the query (and within the engines' bind limits).
            if units.len() <= MAX_LISTED_SCOPE {
                filter.scope = None;
                filter.scope_units = Some(units);
            } else {
                filter.scope = Some(roots);
            }
        }
        None => filter.scope = None,
    }
    (filter.unit_subtree, filter.lead_units) = match unit {
        None => (None, None),
        Some(u) if app.covers_every_unit(c, &[u.id]).await? => (None, None),
        Some(u) => {
            // As with the scope: a ward's or a department's units are probed in the plan's
            // index of lead units, a subtree of thousands is walked in the query.
            let units = app.subtree(c, &[u.id]).await?;
            if units.len() <= MAX_LISTED_SCOPE {
                (None, Some(units))
            } else {
                (Some(u.id), None)
            }
        }
    };
    filter.today = Some(app.today());
    Ok(filter)
}

/// The filter a query comes to for this user: a unit that names none is refused.
async fn filter_on(
    c: &mut Conn,
    app: &App,
    user: &CurrentUser,
    query: TaskQuery,
) -> AppResult<TaskFilter> {
    let unit = match query.named_unit(c, app).await? {
        None => None,
        Some(Ok(unit)) => Some(unit),
        Some(Err(why)) => return Err(AppError::field("unit", why.invalid())),
    };
    scoped(c, app, user, query.filter, unit.as_ref()).await
}

/// The filter of a query for this user, for a reader that selects more than a page (an
/// export).
pub async fn filter_for(app: &App, user: &CurrentUser, query: TaskQuery) -> AppResult<TaskFilter> {
    let mut c = app.db.read().await?;
    filter_on(&mut c, app, user, query).await
}

/// One page of tasks and, for each lead unit that has ended in a reorganisation, the
/// units standing today that continue it.
pub struct TaskList {
    pub page: Arc<TaskPage>,
    pub continued: Arc<HashMap<i64, Vec<Unit>>>,
    /// The page asked for: the first row's position and the rows per page.
    pub offset: u32,
    pub limit: u32,
}

/// The longest page of tasks kept in memory (the list's pages are of 25).
const MAX_KEPT_PAGE_ROWS: u32 = 50;

/// The page a filter selects; `also` names more units whose successors to read.
async fn list_on(
    c: &mut Conn,
    app: &App,
    filter: &TaskFilter,
    also: Option<i64>,
) -> AppResult<TaskList> {
    let conn = &mut *c;
    let read = move || async move {
        // The number of all matches is kept by the query without its page and order:
        // the next page, or another order, counts nothing.
        let count_key = crate::memo::query_key(&format!(
            "{:?}",
            TaskFilter {
                offset: 0,
                limit: 0,
                sort: Default::default(),
                ..filter.clone()
            }
        ));
        let generation = app.memo.generation();
        let known_total = app.memo.task_counts.get(&app.memo, &count_key);
        let page = tasks::list_counted(conn, filter, known_total).await?;
        if known_total.is_none() {
            app.memo
                .task_counts
                .keep(&app.memo, generation, count_key, page.total);
        }
        AppResult::Ok(Arc::new(page))
    };
    // The page itself is kept a few seconds, by the whole query with the reader's scope in
    // it: the province's readers all open the newest plan's first page, and a refresh or
    // the way back to the list reads nothing again. Long pages (an API client's, by the
    // hundred) are read each time, so the memory holds a few thousand rows at most.
    let page = if filter.limit <= MAX_KEPT_PAGE_ROWS {
        app.memo
            .task_pages
            .get_or_read(
                &app.memo,
                crate::memo::query_key(&format!("{filter:?}")),
                read,
            )
            .await?
    } else {
        read().await?
    };
    let mut leads: Vec<i64> = page.tasks.iter().map(|t| t.lead_unit_id).collect();
    leads.extend(also);
    let continued = app.continued_in(c, &leads, app.today()).await?;
    Ok(TaskList {
        page,
        continued,
        offset: filter.offset,
        limit: filter.limit,
    })
}

/// One page of the tasks a query selects that the user may read.
pub async fn list_tasks(app: &App, user: &CurrentUser, query: TaskQuery) -> AppResult<TaskList> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    let filter = filter_on(&mut c, app, user, query).await?;
    list_on(&mut c, app, &filter, None).await
}

/// One page of a plan's tasks the user may read (an unknown plan is not found).
pub async fn plan_tasks(
    app: &App,
    user: &CurrentUser,
    plan_id: i64,
    mut query: TaskQuery,
) -> AppResult<TaskList> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    plans::get(&mut c, plan_id).await?;
    query.filter.plan_id = Some(plan_id);
    let filter = filter_on(&mut c, app, user, query).await?;
    list_on(&mut c, app, &filter, None).await
}

/// The task list page: one page of tasks, and what its filters offer.
pub struct TaskListView {
    pub list: TaskList,
    /// Every plan, the newest first, and the one listed (`None`: every plan).
    pub plans: Vec<Plan>,
    pub plan: Option<i64>,
    /// The groups of the plan listed.
    pub groups: Vec<TaskGroup>,
    pub pillars: Vec<Pillar>,
    /// The unit filtered on; when it has ended, `list.continued` says who continues it.
    pub unit: Option<Unit>,
    /// What was typed for the unit when it names none: the page says so and lists
    /// without it.
    pub unit_problem: Option<(String, NotAUnit)>,
    /// The units the unit field offers, by name.
    pub unit_choices: Vec<String>,
    /// Whether the user registers work anywhere (the page offers to).
    pub can_register: bool,
}

/// The task list page for a user who reads work somewhere. With `newest_plan` and no
/// plan asked for, it opens on the newest plan, so the list starts on what matters now.
pub async fn task_list_view(
    app: &App,
    user: &CurrentUser,
    mut query: TaskQuery,
    newest_plan: bool,
) -> AppResult<TaskListView> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    let plans = app.plans(&mut c).await?.to_vec();
    if newest_plan && query.filter.plan_id.is_none() {
        query.filter.plan_id = plans.first().map(|p| p.id);
    }
    let (unit, unit_problem) = match query.named_unit(&mut c, app).await {
        Ok(None) => (None, None),
        Ok(Some(Ok(unit))) => (Some(unit), None),
        Ok(Some(Err(why))) => (None, Some((query.unit.clone().unwrap_or_default(), why))),
        // A day the page cannot read leaves the unit unread too.
        Err(AppError::Validation(_)) => (
            None,
            Some((query.unit.clone().unwrap_or_default(), NotAUnit::Unknown)),
        ),
        Err(e) => return Err(e),
    };
    let filter = scoped(&mut c, app, user, query.filter, unit.as_ref()).await?;
    // The list of a unit that has since ended says who carries its work on today.
    let list = list_on(&mut c, app, &filter, unit.as_ref().map(|u| u.id)).await?;
    let groups = match filter.plan_id {
        Some(p) => app.plan_groups(&mut c, p).await?.to_vec(),
        None => Vec::new(),
    };
    let pillars = app.pillars(&mut c).await?.to_vec();
    drop(c);
    let unit_choices =
        crate::pickers::unit_choices(app, user, Action::ViewWork, app.today()).await?;
    Ok(TaskListView {
        list,
        plan: filter.plan_id,
        plans,
        groups,
        pillars,
        unit,
        unit_problem,
        unit_choices,
        can_register: user.holds(Action::EditUnitWork) || user.holds(Action::ManagePlans),
    })
}

/// Counts of the tasks a filter selects by the Decision 42 outcomes.
pub(super) async fn outcome_counts(
    c: &mut Conn,
    app: &App,
    filter: &TaskFilter,
) -> AppResult<Vec<(Outcome, usize)>> {
    let today = app.today();
    let facts = tasks::facts(c, filter).await?;
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
