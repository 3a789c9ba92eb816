//! Lists of tasks: the filter every door uses, pages with their count, and the
//! counts and facts the dashboard and plan pages read.

use serde::Serialize;
use time::Date;

use dxplan_domain::task::TaskStatus;
use dxplan_domain::text::fold;

use super::Task;
use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::units::escape_like;
use crate::{Conn, Result};

// ---------------------------------------------------------------- lists

/// [`dxplan_domain::task::NO_DEADLINE`] in SQL, which both engines compare with a date.
const NO_DEADLINE_SQL: &str = "'9999-12-31'";

/// How a task list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskSort {
    #[default]
    Code,
    Due,
    Progress,
    Updated,
}

impl TaskSort {
    pub fn parse(s: &str) -> Option<TaskSort> {
        match s {
            "code" => Some(TaskSort::Code),
            "due" => Some(TaskSort::Due),
            "progress" => Some(TaskSort::Progress),
            "updated" => Some(TaskSort::Updated),
            _ => None,
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            TaskSort::Code => "t.plan_id DESC, t.code_sort, t.id",
            TaskSort::Due => "t.due_date, t.code_sort, t.id",
            TaskSort::Progress => "t.progress, t.due_date, t.id",
            TaskSort::Updated => "t.updated_at DESC, t.id DESC",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub plan_id: Option<i64>,
    pub group_id: Option<i64>,
    pub pillar: Option<String>,
    /// Tasks led by this unit or a unit below it.
    pub unit_subtree: Option<i64>,
    /// The same, as the subtree's units themselves when the caller has them at hand (a
    /// remembered subtree): probed in the plan's index of lead units instead of walking
    /// the tree in the query (see the narrow selections of [`list_counted`]).
    pub lead_units: Option<std::sync::Arc<[i64]>>,
    /// What the reader may see: tasks led or coordinated by units below these roots
    /// (`None`: everything).
    pub scope: Option<Vec<i64>>,
    /// The same, as the units themselves when the caller has them at hand (a remembered
    /// subtree): probed in the indexes instead of walking the tree in the query.
    pub scope_units: Option<std::sync::Arc<[i64]>>,
    pub statuses: Vec<TaskStatus>,
    /// Only tasks past their deadline and not finished, as of `today`.
    pub overdue: bool,
    /// Only unfinished tasks whose deadline has not passed, as of `today` (regular tasks
    /// left out): the national reports' "within the deadline".
    pub within_deadline: bool,
    pub due_within_days: Option<i64>,
    pub today: Option<Date>,
    pub due_before: Option<Date>,
    pub due_after: Option<Date>,
    pub acquisition_mode: Option<String>,
    /// Only key tasks.
    pub key_task: bool,
    /// Only tasks waiting on the assigner: a completion to confirm, a hand-back to decide.
    pub awaiting_assigner: bool,
    /// Only regular tasks (`Some(true)`) or only tasks with a deadline (`Some(false)`).
    pub regular: Option<bool>,
    /// Only tasks from the source document with this number.
    pub source_doc: Option<String>,
    pub search: Option<String>,
    pub sort: TaskSort,
    pub offset: u32,
    pub limit: u32,
}

pub struct TaskPage {
    pub tasks: Vec<Task>,
    pub total: i64,
}

/// The WHERE clause (with its CTEs) of a filter.
pub(super) fn filter_sql(filter: &TaskFilter, params: &mut Params) -> (String, String) {
    let mut ctes = Vec::new();
    let mut conditions = Vec::new();
    if let Some(scope) = &filter.scope {
        if scope.is_empty() {
            conditions.push("1 = 0".to_string());
        } else {
            ctes.push(crate::units::subtree_cte("scope", scope, params));
            // Semi-joins computed once, not a subquery per task.
            conditions.push(
                "(t.lead_unit_id IN (SELECT id FROM scope) OR t.id IN (SELECT tu.task_id FROM task_units tu \
                 JOIN scope ON scope.id = tu.unit_id))"
                    .to_string(),
            );
        }
    }
    if let Some(units) = &filter.scope_units {
        if units.is_empty() {
            conditions.push("1 = 0".to_string());
        } else {
            let lead: Vec<String> = units.iter().map(|u| params.push(Arg::Int(*u))).collect();
            let lead = lead.join(", ");
            let coordinating: Vec<String> =
                units.iter().map(|u| params.push(Arg::Int(*u))).collect();
            // One set of the tasks led and the tasks coordinated, each found in its own
            // index: an `OR` of the two made PostgreSQL read every task of the plan.
            conditions.push(format!(
                "t.id IN (SELECT l.id FROM tasks l WHERE l.lead_unit_id IN ({lead}) \
                 UNION SELECT tu.task_id FROM task_units tu WHERE tu.unit_id IN ({}))",
                coordinating.join(", ")
            ));
        }
    }
    if let Some(root) = filter.unit_subtree {
        ctes.push(crate::units::subtree_cte("sub", &[root], params));
        conditions.push("t.lead_unit_id IN (SELECT id FROM sub)".to_string());
    }
    if let Some(units) = &filter.lead_units {
        if units.is_empty() {
            conditions.push("1 = 0".to_string());
        } else {
            let list: Vec<String> = units.iter().map(|u| params.push(Arg::Int(*u))).collect();
            conditions.push(format!("t.lead_unit_id IN ({})", list.join(", ")));
        }
    }
    if let Some(plan) = filter.plan_id {
        conditions.push(format!("t.plan_id = {}", params.push(Arg::Int(plan))));
    }
    if let Some(group) = filter.group_id {
        conditions.push(format!("t.group_id = {}", params.push(Arg::Int(group))));
    }
    if let Some(pillar) = &filter.pillar {
        conditions.push(format!(
            "g.pillar_code = {}",
            params.push(Arg::Text(pillar.clone()))
        ));
    }
    if !filter.statuses.is_empty() {
        let list: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| params.push(Arg::Text(s.as_str().into())))
            .collect();
        conditions.push(format!("t.status IN ({})", list.join(", ")));
    }
    if let Some(today) = filter.today {
        if filter.overdue {
            conditions.push(format!(
                "t.due_date < {} AND t.status NOT IN ('completed', 'cancelled')",
                params.push(Arg::Date(today))
            ));
        }
        if filter.within_deadline {
            conditions.push(format!(
                "t.due_date >= {} AND t.due_date < {NO_DEADLINE_SQL} AND t.status NOT IN ('completed', 'cancelled')",
                params.push(Arg::Date(today))
            ));
        }
        if let Some(days) = filter.due_within_days {
            let from = params.push(Arg::Date(today));
            let to = params.push(Arg::Date(today + time::Duration::days(days)));
            conditions.push(format!(
                "t.due_date >= {from} AND t.due_date <= {to} AND t.status NOT IN ('completed', 'cancelled')"
            ));
        }
    }
    if let Some(d) = filter.due_before {
        conditions.push(format!("t.due_date <= {}", params.push(Arg::Date(d))));
    }
    if let Some(d) = filter.due_after {
        // A regular task has no deadline to fall after anything.
        conditions.push(format!(
            "t.due_date >= {} AND t.due_date < {NO_DEADLINE_SQL}",
            params.push(Arg::Date(d))
        ));
    }
    if filter.awaiting_assigner {
        // Written as the partial index's condition, so that the engines use it.
        conditions.push(
            "(t.completion_reported_on IS NOT NULL OR t.decline_requested_on IS NOT NULL)".into(),
        );
    }
    if filter.key_task {
        // Written as the partial index's condition, so that the engines use it.
        conditions.push("t.key_task".to_string());
    }
    match filter.regular {
        Some(true) => conditions.push(format!("t.due_date >= {NO_DEADLINE_SQL}")),
        Some(false) => conditions.push(format!("t.due_date < {NO_DEADLINE_SQL}")),
        None => {}
    }
    if let Some(doc) = &filter.source_doc {
        conditions.push(format!(
            "t.assigned_doc_number = {}",
            params.push(Arg::Text(doc.clone()))
        ));
    }
    if let Some(mode) = &filter.acquisition_mode {
        conditions.push(format!(
            "t.acquisition_mode = {}",
            params.push(Arg::Text(mode.clone()))
        ));
    }
    if let Some(search) = filter.search.as_deref().map(fold).filter(|s| !s.is_empty()) {
        // Every word must appear, in any order.
        for word in search.split(' ') {
            let p = params.push(Arg::Text(format!("%{}%", escape_like(word))));
            conditions.push(format!("t.search_folded LIKE {p} ESCAPE '\\'"));
        }
    }
    let with = if ctes.is_empty() {
        String::new()
    } else {
        format!("WITH RECURSIVE {} ", ctes.join(", "))
    };
    let where_ = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {} ", conditions.join(" AND "))
    };
    (with, where_)
}

pub async fn list(c: &mut Conn, filter: &TaskFilter) -> Result<TaskPage> {
    list_counted(c, filter, None).await
}

/// [`list`], where the number of all matches may be known already (`known_total`, kept
/// from an earlier page of the same query): then only the page is read.
pub async fn list_counted(
    c: &mut Conn,
    filter: &TaskFilter,
    known_total: Option<i64>,
) -> Result<TaskPage> {
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let order = filter.sort.order_by();
    // The groups are joined only when a condition needs them (the pillar): a count
    // over the whole plan then reads the plan's index alone, not one group per task.
    let groups = if filter.pillar.is_some() {
        "LEFT JOIN task_groups g ON g.id = t.group_id "
    } else {
        ""
    };
    let count_sql = format!("{with}SELECT COUNT(*) FROM tasks t {groups}{where_}");
    // A subtree is costly to test: then the page and the number of all matches come from
    // one pass, on narrow rows, and only the page's tasks are read in full. A cheap filter
    // is faster as an index count and an index-ordered page. A scope named unit by unit is
    // a narrow selection too: its rows are found by the two index probes of its `UNION`
    // and only those are ordered. A search is not: the count scans the plan once, and the
    // page, read in the index's order, stops at its 25th match, where numbering every
    // match in one pass sorted a third of the plan (0.3 against 0.8 ms at 3,000 tasks).
    // A narrow selection takes the one pass even when its count is known: read in the
    // plan's order, a ward's page looked up every task of the plan for its lead unit
    // (1.3 against 0.2 ms at 3,000 tasks).
    let narrow = filter.scope_units.is_some() || filter.lead_units.is_some();
    let costly = narrow || !with.is_empty();
    if !narrow && (!costly || known_total.is_some()) {
        let total = match known_total {
            Some(total) => total,
            None => {
                let (total,): (i64,) = q!(c, |x| bind_all!(
                    sqlx::query_as(sqlx::AssertSqlSafe(count_sql.clone())),
                    params.args.clone()
                )
                .fetch_one(x)
                .await)?;
                total
            }
        };
        // The page's ids first, from the index where it holds the filter's columns (a
        // plan's overdue tasks), then only those 25 tasks in full: reading every match in
        // full to order them by code took twice as long.
        let page = format!(
            "SELECT t.id AS page_id FROM tasks t {groups}{where_}ORDER BY {order} LIMIT {} OFFSET {}",
            filter.limit.clamp(1, 1000),
            filter.offset
        );
        let sql = format!("{with}{}ORDER BY {order}", tasks_of_page(&page, ""));
        let tasks: Vec<Task> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, Task>(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        return Ok(TaskPage { tasks, total });
    }
    let page = format!(
        "SELECT t.id AS page_id, COUNT(*) OVER () AS total_matching \
         FROM tasks t {groups}{where_}ORDER BY {order} LIMIT {} OFFSET {}",
        filter.limit.clamp(1, 1000),
        filter.offset
    );
    let sql = format!(
        "{with}{}ORDER BY {order}",
        tasks_of_page(
            &page,
            ", CAST(p.total_matching AS BIGINT) AS total_matching"
        )
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        task: Task,
        total_matching: i64,
    }
    let rows: Vec<Row> = q!(c, |x| bind_all!(
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)),
        params.args.clone()
    )
    .fetch_all(x)
    .await)?;
    let total = match rows.first() {
        Some(r) => r.total_matching,
        None if filter.offset == 0 => 0,
        // A page past the end: no row carries the count.
        None => {
            let (n,): (i64,) = q!(c, |x| bind_all!(
                sqlx::query_as(sqlx::AssertSqlSafe(count_sql.clone())),
                params.args.clone()
            )
            .fetch_one(x)
            .await)?;
            n
        }
    };
    Ok(TaskPage {
        tasks: rows.into_iter().map(|r| r.task).collect(),
        total,
    })
}

/// The tasks in full of a page whose ids `page` selects as `page_id`, with `extra` columns
/// of the page beside them.
fn tasks_of_page(page: &str, extra: &str) -> String {
    select_tasks!().replacen(
        " FROM tasks t ",
        &format!("{extra} FROM ({page}) p JOIN tasks t ON t.id = p.page_id "),
        1,
    )
}

/// What the dashboard counts of every task a filter selects, in one query.
pub async fn facts(
    c: &mut Conn,
    filter: &TaskFilter,
) -> Result<Vec<dxplan_domain::dashboard::TaskFact>> {
    type Row = (
        Option<i64>,
        i64,
        String,
        Date,
        Option<Date>,
        i64,
        i64,
        i64,
        Option<String>,
        bool,
    );
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let sql = format!(
        "{with}SELECT t.group_id, t.lead_unit_id, t.status, t.due_date, t.completed_on, t.progress,
                t.budget_planned, t.budget_disbursed, t.acquisition_mode, t.key_task
         FROM tasks t LEFT JOIN task_groups g ON g.id = t.group_id {where_}"
    );
    let rows: Vec<Row> = q!(c, |x| bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(group_id, lead, status, due, done, progress, planned, disbursed, mode, key_task)| {
                Some(dxplan_domain::dashboard::TaskFact {
                    group_id,
                    lead_unit_id: lead,
                    status: TaskStatus::parse(&status)?,
                    due,
                    completed_on: done,
                    progress,
                    budget_planned: planned,
                    budget_disbursed: disbursed,
                    acquisition_mode: mode,
                    key_task,
                })
            },
        )
        .collect())
}

/// A document tasks come from, with how far its tasks have come.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceDocument {
    pub number: String,
    /// `resolution`, `directive`, `conclusion_notice`, …
    pub doc_type: Option<String>,
    pub date: Option<Date>,
    pub signer: Option<String>,
    /// Its tasks, the cancelled left out.
    pub tasks: i64,
    pub completed: i64,
    pub overdue: i64,
    pub regular: i64,
}

/// The source documents of the tasks a filter selects, newest first, with their counts.
pub async fn source_documents(
    c: &mut Conn,
    filter: &TaskFilter,
    today: Date,
) -> Result<Vec<SourceDocument>> {
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let today = params.push(Arg::Date(today));
    let and_numbered = if where_.is_empty() { "WHERE" } else { "AND" };
    let sql = format!(
        "{with}SELECT t.assigned_doc_number AS number, MAX(t.assigned_doc_type) AS doc_type,
                MAX(t.assigned_doc_date) AS date, MAX(t.assigned_doc_signer) AS signer,
                COALESCE(SUM(CASE WHEN t.status <> 'cancelled' THEN 1 ELSE 0 END), 0) AS tasks,
                COALESCE(SUM(CASE WHEN t.status = 'completed' THEN 1 ELSE 0 END), 0) AS completed,
                COALESCE(SUM(CASE WHEN t.status NOT IN ('completed', 'cancelled') AND t.due_date < {today}
                    THEN 1 ELSE 0 END), 0) AS overdue,
                COALESCE(SUM(CASE WHEN t.status NOT IN ('completed', 'cancelled')
                    AND t.due_date >= {NO_DEADLINE_SQL} THEN 1 ELSE 0 END), 0) AS regular
         FROM tasks t LEFT JOIN task_groups g ON g.id = t.group_id {where_}
         {and_numbered} t.assigned_doc_number IS NOT NULL
         GROUP BY t.assigned_doc_number
         ORDER BY date DESC NULLS LAST, number"
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, SourceDocument>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// A product for the Decree 335 figures: who leads it, which officer answers for it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationFact {
    pub lead_unit_id: i64,
    pub officer_id: Option<i64>,
    pub officer_name: Option<String>,
    pub product: dxplan_domain::evaluation::ProductFact,
}

/// The products a filter selects (give it the period as `due_after`/`due_before`), with
/// how often each was refused on quality: one query.
pub async fn evaluation_facts(c: &mut Conn, filter: &TaskFilter) -> Result<Vec<EvaluationFact>> {
    type Row = (
        i64,
        Option<i64>,
        Option<String>,
        Date,
        String,
        Option<Date>,
        i64,
        bool,
    );
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let sql = format!(
        "{with}SELECT t.lead_unit_id, t.officer_id, o.display_name, t.due_date, t.status, t.completed_on,
                (SELECT COUNT(*) FROM task_events e WHERE e.task_id = t.id AND e.action = 'refuse_completion'),
                t.delay_exempt_reason IS NOT NULL
         FROM tasks t LEFT JOIN task_groups g ON g.id = t.group_id LEFT JOIN users o ON o.id = t.officer_id
         {where_}"
    );
    let rows: Vec<Row> = q!(c, |x| bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(lead, officer_id, officer_name, due, status, done, refusals, exempted)| {
                Some(EvaluationFact {
                    lead_unit_id: lead,
                    officer_id,
                    officer_name,
                    product: dxplan_domain::evaluation::ProductFact {
                        due,
                        status: TaskStatus::parse(&status)?,
                        completed_on: done,
                        refusals: u32::try_from(refusals).unwrap_or(u32::MAX),
                        exempted,
                    },
                })
            },
        )
        .collect())
}

/// Departments and districts valid on `day` that lead no task of the plan.
pub async fn units_without_tasks(
    c: &mut Conn,
    plan_id: i64,
    day: Date,
) -> Result<Vec<crate::units::Unit>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, crate::units::Unit>(
        "SELECT u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.valid_from, u.valid_to, u.version
         FROM org_units u
         WHERE u.kind IN ('department', 'district')
           AND (u.valid_from IS NULL OR u.valid_from <= $2) AND (u.valid_to IS NULL OR u.valid_to >= $2)
           AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.plan_id = $1 AND t.lead_unit_id = u.id)
         ORDER BY u.kind, u.sort_key"
    )
    .bind(plan_id)
    .bind(day)
    .fetch_all(x)
    .await
    })?)
}

/// Number of tasks per group of a plan (those a filter selects).
pub async fn counts_by_group(c: &mut Conn, filter: &TaskFilter) -> Result<Vec<(Option<i64>, i64)>> {
    let mut params = Params::default();
    let (with, where_) = filter_sql(filter, &mut params);
    let sql = format!(
        "{with}SELECT t.group_id, COUNT(*) FROM tasks t LEFT JOIN task_groups g ON g.id = t.group_id {where_} GROUP BY t.group_id"
    );
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?)
}

/// The names of the coordinating units of many tasks at once (exports: one query).
pub async fn coordinating_names_of(c: &mut Conn, task_ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::new();
    // Chunks keep the parameter count well below both engines' limits.
    for chunk in task_ids.chunks(500) {
        let mut params = Params::default();
        let list: Vec<String> = chunk.iter().map(|id| params.push(Arg::Int(*id))).collect();
        let sql = format!(
            "SELECT tu.task_id, u.name FROM task_units tu JOIN org_units u ON u.id = tu.unit_id
             WHERE tu.task_id IN ({}) ORDER BY tu.task_id, u.sort_key",
            list.join(", ")
        );
        let rows: Vec<(i64, String)> = q!(c, |x| bind_all!(
            sqlx::query_as(sqlx::AssertSqlSafe(sql)),
            params.args
        )
        .fetch_all(x)
        .await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The code, title and lead unit of every task of a plan (what an import checks against).
pub async fn existing_of_plan(
    c: &mut Conn,
    plan_id: i64,
) -> Result<Vec<dxplan_domain::plan_import::ExistingTask>> {
    let rows: Vec<(String, String, i64)> = q!(c, |x| sqlx::query_as(
        "SELECT code, title, lead_unit_id FROM tasks WHERE plan_id = $1"
    )
    .bind(plan_id)
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(code, title, lead_unit_id)| dxplan_domain::plan_import::ExistingTask {
                code,
                title,
                lead_unit_id,
            },
        )
        .collect())
}
