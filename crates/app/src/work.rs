//! What waits on a user: the next thing each of their roles has to do — tasks to submit,
//! review, report on; figures to enter, submit, correct or review; self-assessments and
//! verifications; extensions to decide — each with its count, deadline and the page where
//! it is done. The home page and "Việc của tôi" (and `GET /me/work`) read the same.

use std::collections::HashSet;

use dxplan_domain::Lang;
use dxplan_domain::assessment::AssessmentStatus;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::period::Period;
use dxplan_domain::task::PlanStatus;
use dxplan_domain::task::TaskStatus;
use dxplan_store::plans::{self, Plan};
use dxplan_store::tasks::{self, Task, TaskFilter, TaskSort};
use dxplan_store::{index_rounds, indicators, units};
use time::Date;

use crate::App;
use crate::error::AppResult;
use crate::principal::CurrentUser;

/// Everything waiting on one user. Each task appears once: in the list of what the user
/// must do with it (review, submit, report on), else among the overdue or due soon.
pub struct MyWork {
    /// The open plans, and the one the task lists are for (`None`: every plan).
    pub plans: Vec<Plan>,
    pub plan: Option<i64>,
    pub overdue: Vec<Task>,
    pub to_review: Vec<Task>,
    pub to_submit: Vec<Task>,
    pub to_report: Vec<Task>,
    pub due_soon: Vec<Task>,
    /// Pending extension requests: the request, the task's code and title.
    pub extensions: Vec<(tasks::Extension, String, String)>,
    /// The month progress is reported for (a report for its quarter counts too).
    pub report_period: Period,
    /// Figures and assessments, one line per unit, form or round.
    pub items: Vec<WorkItem>,
}

impl MyWork {
    pub fn is_empty(&self) -> bool {
        self.overdue.is_empty()
            && self.to_review.is_empty()
            && self.to_submit.is_empty()
            && self.to_report.is_empty()
            && self.due_soon.is_empty()
            && self.extensions.is_empty()
            && self.items.is_empty()
    }
}

/// One thing to do that is not a task: figures or an assessment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItem {
    pub kind: WorkKind,
    /// The unit, form or round it is about, by name.
    pub about: String,
    pub count: i64,
    pub deadline: Option<Date>,
    /// The page where it is done.
    pub href: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    FiguresToEnter,
    FiguresToSubmit,
    FiguresToCorrect,
    FiguresToReview,
    SelfAssessment,
    Verification,
}

impl WorkKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            WorkKind::FiguresToEnter => lang.pick("Số liệu cần nhập", "Figures to enter"),
            WorkKind::FiguresToSubmit => {
                lang.pick("Số liệu nháp chờ gửi", "Draft figures to submit")
            }
            WorkKind::FiguresToCorrect => {
                lang.pick("Số liệu bị trả lại", "Figures returned for correction")
            }
            WorkKind::FiguresToReview => {
                lang.pick("Số liệu chờ bạn duyệt", "Figures awaiting your review")
            }
            WorkKind::SelfAssessment => {
                lang.pick("Tự đánh giá chỉ số", "Self-assessment to fill in")
            }
            WorkKind::Verification => lang.pick(
                "Thẩm định kết quả tự đánh giá",
                "Self-assessments to verify",
            ),
        }
    }
}

/// The grant roots of `action` (`None`: nobody; `Some(None)`: system-wide).
fn roots_with(user: &CurrentUser, action: Action) -> Option<Option<Vec<i64>>> {
    user.holds(action).then(|| user.scope(action))
}

/// Which plan's tasks the lists show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanChoice {
    /// The plan of this year, when there is one (else every plan).
    #[default]
    ThisYear,
    One(i64),
    Every,
}

/// What waits on `user`, the task lists for the plan chosen.
pub async fn my_work(app: &App, user: &CurrentUser, choice: PlanChoice) -> AppResult<MyWork> {
    let today = app.today();
    let mut c = app.db.read().await?;
    let plans: Vec<Plan> = plans::list(&mut c)
        .await?
        .into_iter()
        .filter(|p| p.status == PlanStatus::Active)
        .collect();
    let plan = match choice {
        PlanChoice::One(id) => Some(id),
        PlanChoice::Every => None,
        PlanChoice::ThisYear => plans
            .iter()
            .find(|p| p.year == i64::from(today.year()))
            .map(|p| p.id),
    };
    let base = TaskFilter {
        plan_id: plan,
        scope: user.scope(Action::ViewWork),
        today: Some(today),
        sort: TaskSort::Due,
        limit: 50,
        ..Default::default()
    };
    let mut shown: HashSet<i64> = HashSet::new();
    // Each list keeps the tasks no earlier list has shown: first what the user must act on
    // (review, submit, report), then what is late or near its deadline in their scope.
    let mut fresh = |list: Vec<Task>| -> Vec<Task> {
        list.into_iter().filter(|t| shown.insert(t.id)).collect()
    };
    let mut listed = async |action: Action, statuses: Vec<TaskStatus>| -> AppResult<Vec<Task>> {
        match roots_with(user, action) {
            None => Ok(Vec::new()),
            Some(scope) => Ok(tasks::list(
                &mut c,
                &TaskFilter {
                    scope,
                    statuses,
                    ..base.clone()
                },
            )
            .await?
            .tasks),
        }
    };
    let mut to_review = listed(Action::ReviewWork, vec![TaskStatus::Submitted]).await?;
    let to_submit = listed(
        Action::SubmitUnitWork,
        vec![TaskStatus::Draft, TaskStatus::ChangesRequested],
    )
    .await?;
    // What the units await from the assigner: completions to confirm, hand-backs to decide.
    if let Some(scope) = roots_with(user, Action::ReviewWork) {
        to_review.extend(
            tasks::list(
                &mut c,
                &TaskFilter {
                    scope,
                    awaiting_assigner: true,
                    ..base.clone()
                },
            )
            .await?
            .tasks,
        );
        to_review.sort_by_key(|t| (t.due_date, t.id));
    }
    let (to_review, to_submit) = (fresh(to_review), fresh(to_submit));
    let report_period = Period::containing(today, false);
    let quarter = Period::containing(today, true);
    let to_report = match roots_with(user, Action::EditUnitWork) {
        None => Vec::new(),
        Some(scope) => {
            tasks::missing_reports(
                &mut c,
                &TaskFilter {
                    scope,
                    ..base.clone()
                },
                &[report_period.to_string(), quarter.to_string()],
            )
            .await?
        }
    };
    let to_report = fresh(to_report);
    let overdue = tasks::list(
        &mut c,
        &TaskFilter {
            overdue: true,
            ..base.clone()
        },
    )
    .await?
    .tasks;
    let overdue = fresh(overdue);
    let due_soon = tasks::list(
        &mut c,
        &TaskFilter {
            due_within_days: Some(14),
            ..base.clone()
        },
    )
    .await?
    .tasks;
    let due_soon = fresh(due_soon);
    let extensions = match roots_with(user, Action::ReviewWork) {
        Some(scope) => tasks::pending_extensions(&mut c, plan, scope.as_deref()).await?,
        None => Vec::new(),
    };
    drop(c);
    let mut items = figures(app, user, today).await?;
    items.extend(assessments(app, user).await?);
    Ok(MyWork {
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
    })
}

/// Figures: to enter (for the units the user works for), to submit, to correct, to review.
async fn figures(app: &App, user: &CurrentUser, today: Date) -> AppResult<Vec<WorkItem>> {
    let mut c = app.db.read().await?;
    let mut items = Vec::new();
    let entry = |unit: &str, period: &str| format!("/data/{unit}?period={period}");
    let code_of = async |c: &mut dxplan_store::Conn, id: i64| -> AppResult<String> {
        Ok(units::get(c, id).await?.code)
    };
    if let Some(scope) = roots_with(user, Action::ReviewWork) {
        let waiting = indicators::waiting_by_unit(&mut c, scope.as_deref(), &["submitted"]).await?;
        let count: i64 = waiting.iter().map(|(_, _, n, _)| n).sum();
        if count > 0 {
            items.push(WorkItem {
                kind: WorkKind::FiguresToReview,
                about: String::new(),
                count,
                deadline: None,
                href: "/data/review".into(),
            });
        }
    }
    // Drafts to submit and figures returned, for the units whose own work the user does.
    for (kind, action, status) in [
        (WorkKind::FiguresToSubmit, Action::SubmitUnitWork, "draft"),
        (WorkKind::FiguresToCorrect, Action::EditUnitWork, "rejected"),
    ] {
        let own = own_units_for(user, action);
        if own.is_empty() {
            continue;
        }
        for (unit, name, count, period) in
            indicators::waiting_by_unit(&mut c, Some(&own), &[status]).await?
        {
            if own.contains(&unit) {
                items.push(WorkItem {
                    kind,
                    about: name,
                    count,
                    deadline: None,
                    href: entry(&code_of(&mut c, unit).await?, &period),
                });
            }
        }
    }
    // Figures owed: for the units the user's editing grants are on (not every unit below a
    // province-wide grant: the coordinator chases those from each form's completeness).
    let own = own_units(user);
    if !own.is_empty() {
        for form in indicators::forms(&mut c).await? {
            let period = super::pickers::last_ended(form.period_type, today);
            let deadline = period.end() + time::Duration::days(form.deadline_days);
            for (unit, code) in indicators::late_units(&mut c, form.id, period, today).await? {
                if own.contains(&unit) {
                    let name = units::get(&mut c, unit).await?.name;
                    items.push(WorkItem {
                        kind: WorkKind::FiguresToEnter,
                        about: format!("{} — {}", form.name, name),
                        count: 1,
                        deadline: Some(deadline),
                        href: format!("/data/{code}?form={}&period={period}", form.id),
                    });
                }
            }
        }
    }
    Ok(items)
}

/// The units the user's editing grants are on: the units whose own work they do (not
/// every unit below a province-wide grant).
fn own_units(user: &CurrentUser) -> Vec<i64> {
    own_units_for(user, Action::EditUnitWork)
}

fn own_units_for(user: &CurrentUser, action: Action) -> Vec<i64> {
    user.grants
        .iter()
        .filter(|g| g.allows(action))
        .filter_map(|g| g.unit)
        .collect()
}

/// Assessments: self-assessments of the user's own units in open rounds, and the rounds the
/// user coordinates with self-assessments to verify.
async fn assessments(app: &App, user: &CurrentUser) -> AppResult<Vec<WorkItem>> {
    let mut c = app.db.read().await?;
    let open = index_rounds::open_assessments(&mut c).await?;
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let own = own_units(user);
    // Who coordinates each round, judged once per round.
    let mut coordinates: std::collections::HashMap<i64, bool> = std::collections::HashMap::new();
    let mut items = Vec::new();
    let mut to_verify: Vec<(i64, String, i64, Date)> = Vec::new();
    for (a, round) in &open {
        if a.status == AssessmentStatus::Draft && own.contains(&a.unit_id) {
            items.push(WorkItem {
                kind: WorkKind::SelfAssessment,
                about: format!("{} — {}", round.name, a.unit_name),
                count: 1,
                deadline: Some(a.reopened_until.unwrap_or(round.deadline)),
                href: format!("/assessments/{}", a.id),
            });
        }
        if matches!(
            a.status,
            AssessmentStatus::SelfAssessed | AssessmentStatus::Verifying
        ) {
            let coordinator = match coordinates.get(&round.id) {
                Some(known) => *known,
                None => {
                    let runner = units::lineage(&mut c, round.run_by_unit_id).await?;
                    let may = user.may(Action::ReviewWork, Target::Unit(&runner));
                    coordinates.insert(round.id, may);
                    may
                }
            };
            if coordinator {
                match to_verify.iter_mut().find(|(id, ..)| *id == round.id) {
                    Some(entry) => entry.2 += 1,
                    None => to_verify.push((round.id, round.name.clone(), 1, round.deadline)),
                }
            }
        }
    }
    items.extend(
        to_verify
            .into_iter()
            .map(|(id, name, count, deadline)| WorkItem {
                kind: WorkKind::Verification,
                about: name,
                count,
                deadline: Some(deadline),
                href: format!("/assessments/rounds/{id}"),
            }),
    );
    Ok(items)
}
