//! What the operations centre counts: tasks tallied by any key (group, pillar, unit,
//! acquisition mode) with Decision 42 outcomes, progress and budget, and the rankings
//! built from those tallies. Pure: the service reads the facts once and groups here.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;
use time::Date;

use crate::indicator::Attainment;
use crate::period::Period;
use crate::task::{NationalBucket, Outcome, TaskStatus};
use crate::unit::UnitKind;

/// The facts of one task that every count needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFact {
    pub group_id: Option<i64>,
    pub lead_unit_id: i64,
    pub status: TaskStatus,
    pub due: Date,
    pub completed_on: Option<Date>,
    pub progress: i64,
    pub budget_planned: i64,
    pub budget_disbursed: i64,
    pub acquisition_mode: Option<String>,
    pub key_task: bool,
}

/// Counts over a set of tasks. Cancelled tasks are counted but left out of the rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(into = "TallyJson")]
pub struct Tally {
    pub total: u32,
    pub completed: u32,
    pub completed_on_time: u32,
    pub completed_late: u32,
    pub within_deadline: u32,
    pub overdue: u32,
    pub cancelled: u32,
    /// Tasks not yet approved to start (draft, submitted, returned).
    pub not_started: u32,
    /// Unfinished regular tasks (no deadline): within the deadline by Decision 42, a
    /// bucket of their own in the national reports.
    pub regular: u32,
    /// Key tasks, all but the cancelled, and of those the completed and the overdue.
    pub key_tasks: u32,
    pub key_completed: u32,
    pub key_overdue: u32,
    pub budget_planned: i64,
    pub budget_disbursed: i64,
    progress_sum: i64,
}

impl Tally {
    pub fn add(&mut self, fact: &TaskFact, today: Date) {
        self.total += 1;
        self.budget_planned += fact.budget_planned;
        self.budget_disbursed += fact.budget_disbursed;
        match Outcome::of(fact.status, fact.due, fact.completed_on, today) {
            Outcome::CompletedOnTime => self.completed_on_time += 1,
            Outcome::CompletedLate => self.completed_late += 1,
            Outcome::NotCompletedWithinDeadline => self.within_deadline += 1,
            Outcome::NotCompletedOverdue => self.overdue += 1,
            Outcome::Cancelled => self.cancelled += 1,
        }
        if fact.status == TaskStatus::Completed {
            self.completed += 1;
        }
        if fact.status != TaskStatus::Cancelled {
            // A completed task is 100 % done whatever its last report said.
            let progress = if fact.status == TaskStatus::Completed {
                100
            } else {
                fact.progress.clamp(0, 100)
            };
            self.progress_sum += progress;
        }
        if !fact.status.is_committed() && fact.status != TaskStatus::Cancelled {
            self.not_started += 1;
        }
        let bucket = NationalBucket::of(fact.status, fact.due, today);
        if bucket == Some(NationalBucket::Regular) {
            self.regular += 1;
        }
        if fact.key_task && bucket.is_some() {
            self.key_tasks += 1;
            match bucket {
                Some(NationalBucket::Completed) => self.key_completed += 1,
                Some(NationalBucket::Overdue) => self.key_overdue += 1,
                _ => {}
            }
        }
    }

    /// How many tasks fall in a bucket of the national reports.
    pub fn national(&self, bucket: NationalBucket) -> u32 {
        match bucket {
            NationalBucket::Completed => self.completed,
            NationalBucket::WithinDeadline => self.within_deadline - self.regular,
            NationalBucket::Overdue => self.overdue,
            NationalBucket::Regular => self.regular,
        }
    }

    /// Tasks that count towards the rates: all but the cancelled.
    pub fn live(&self) -> u32 {
        self.total - self.cancelled
    }

    fn share(&self, part: u32) -> Option<f64> {
        (self.live() > 0).then(|| part as f64 * 100.0 / self.live() as f64)
    }

    /// Share of live tasks completed, in percent.
    pub fn completion_rate(&self) -> Option<f64> {
        self.share(self.completed)
    }

    /// Share of live tasks completed on time, in percent.
    pub fn on_time_rate(&self) -> Option<f64> {
        self.share(self.completed_on_time)
    }

    /// Share of live tasks past their deadline and not finished, in percent.
    pub fn overdue_rate(&self) -> Option<f64> {
        self.share(self.overdue)
    }

    /// Mean progress of live tasks, in percent.
    pub fn average_progress(&self) -> Option<f64> {
        (self.live() > 0).then(|| self.progress_sum as f64 / self.live() as f64)
    }

    /// Share of the planned budget disbursed, in percent.
    pub fn disbursement_rate(&self) -> Option<f64> {
        (self.budget_planned > 0)
            .then(|| self.budget_disbursed as f64 * 100.0 / self.budget_planned as f64)
    }
}

/// A tally as the API shows it: the counts with their rates.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct TallyJson {
    total: u32,
    completed: u32,
    completed_on_time: u32,
    completed_late: u32,
    within_deadline: u32,
    overdue: u32,
    cancelled: u32,
    not_started: u32,
    /// Unfinished regular tasks (also counted in `within_deadline`).
    regular: u32,
    /// The buckets of the national reports: completed, within the deadline (regular
    /// tasks left out), overdue, regular.
    national: NationalJson,
    key_tasks: u32,
    key_completed: u32,
    key_overdue: u32,
    budget_planned: i64,
    budget_disbursed: i64,
    completion_rate: Option<f64>,
    on_time_rate: Option<f64>,
    average_progress: Option<f64>,
    disbursement_rate: Option<f64>,
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct NationalJson {
    completed: u32,
    within_deadline: u32,
    overdue: u32,
    regular: u32,
}

// A tally is shown with its rates, so its schema is that of what it serialises into.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Tally {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <TallyJson as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Tally {}

impl From<Tally> for TallyJson {
    fn from(t: Tally) -> TallyJson {
        TallyJson {
            completion_rate: t.completion_rate(),
            on_time_rate: t.on_time_rate(),
            average_progress: t.average_progress(),
            disbursement_rate: t.disbursement_rate(),
            total: t.total,
            completed: t.completed,
            completed_on_time: t.completed_on_time,
            completed_late: t.completed_late,
            within_deadline: t.within_deadline,
            overdue: t.overdue,
            cancelled: t.cancelled,
            not_started: t.not_started,
            regular: t.regular,
            national: NationalJson {
                completed: t.national(NationalBucket::Completed),
                within_deadline: t.national(NationalBucket::WithinDeadline),
                overdue: t.national(NationalBucket::Overdue),
                regular: t.national(NationalBucket::Regular),
            },
            key_tasks: t.key_tasks,
            key_completed: t.key_completed,
            key_overdue: t.key_overdue,
            budget_planned: t.budget_planned,
            budget_disbursed: t.budget_disbursed,
        }
    }
}

/// Tallies the facts by a key; keys appear in the order first met.
pub fn tally_by<K: Eq + Hash + Clone>(
    facts: &[TaskFact],
    today: Date,
    key: impl Fn(&TaskFact) -> K,
) -> Vec<(K, Tally)> {
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut out: Vec<(K, Tally)> = Vec::new();
    for fact in facts {
        let k = key(fact);
        let i = *index.entry(k.clone()).or_insert_with(|| {
            out.push((k, Tally::default()));
            out.len() - 1
        });
        out[i].1.add(fact, today);
    }
    out
}

/// The tally of all the facts.
pub fn tally(facts: &[TaskFact], today: Date) -> Tally {
    let mut t = Tally::default();
    for f in facts {
        t.add(f, today);
    }
    t
}

/// Orders units from most to least behind: lowest mean progress first, then the most
/// overdue tasks, then the lowest on-time rate. Units without live tasks go last.
pub fn most_behind_first<K>(rows: &mut [(K, Tally)]) {
    rows.sort_by(|(_, a), (_, b)| {
        let progress = |t: &Tally| t.average_progress().unwrap_or(f64::INFINITY);
        progress(a)
            .total_cmp(&progress(b))
            .then(b.overdue.cmp(&a.overdue))
            .then(
                a.on_time_rate()
                    .unwrap_or(0.0)
                    .total_cmp(&b.on_time_rate().unwrap_or(0.0)),
            )
    });
}

/// Orders units for a ranking: highest mean progress first, then fewest overdue tasks,
/// then the highest on-time rate. Units without live tasks go last.
pub fn ranking(rows: &mut [(impl Sized, Tally)]) {
    rows.sort_by(|(_, a), (_, b)| {
        let progress = |t: &Tally| t.average_progress().unwrap_or(f64::NEG_INFINITY);
        progress(b)
            .total_cmp(&progress(a))
            .then(a.overdue.cmp(&b.overdue))
            .then(
                b.on_time_rate()
                    .unwrap_or(0.0)
                    .total_cmp(&a.on_time_rate().unwrap_or(0.0)),
            )
    });
}

// ---------------------------------------------------------------- the view

/// Years of history a trend shows.
pub const TREND_YEARS: i32 = 5;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanRef {
    pub id: i64,
    pub year: i64,
    pub title: String,
}

/// A tally under a name: a pillar, a task group, an acquisition mode.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Row {
    /// What the task list filters on (group id, pillar code, mode code; empty: none).
    pub key: String,
    pub code: String,
    pub name: String,
    /// The English name where the product has one (pillars, modes).
    pub name_en: Option<String>,
    pub tally: Tally,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRow {
    pub unit: UnitRef,
    pub tally: Tally,
    /// Mean progress per task group, in the order of `groups` (none: no task there).
    pub by_group: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueTask {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub unit: String,
    pub due: Date,
    pub days_late: i64,
    pub progress: i64,
}

/// An unfinished task whose deadline is a few days off (orange on pages and the wall).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueSoonTask {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub unit: String,
    pub due: Date,
    /// 0 when due today.
    pub days_left: i64,
    pub progress: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearFigure {
    pub year: i32,
    pub value: Option<f64>,
    pub target: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyIndicator {
    pub code: String,
    pub name: String,
    pub unit_of_measure: Option<String>,
    /// How often it is reported: the forecast's periods.
    pub period_type: crate::indicator::PeriodType,
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub attainment: Option<Attainment>,
    pub reported_units: usize,
    pub missing_units: usize,
    /// The last `TREND_YEARS` years, oldest first.
    pub trend: Vec<YearFigure>,
    /// Where the year is expected to end against its target.
    pub forecast: crate::forecast::Forecast,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: TaskStatus,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub unit: UnitRef,
    pub plan: Option<PlanRef>,
    pub plans: Vec<PlanRef>,
    pub year: i32,
    /// The period the indicators and obstacles are read for, when narrower than the year
    /// (`2026Q3`, `2026-08`).
    pub period: Option<Period>,
    pub today: Date,
    /// The units as they stood at the end of the year shown (`true`), or as they are now
    /// with the work of merged units counted for their successors (`false`).
    pub as_it_was: bool,
    pub overall: Tally,
    pub statuses: Vec<StatusCount>,
    pub pillars: Vec<Row>,
    pub groups: Vec<Row>,
    /// The units directly below the one shown (and itself when it leads tasks).
    pub units: Vec<UnitRow>,
    /// Indexes into `units`: departments, best first.
    pub department_ranking: Vec<usize>,
    /// Indexes into `units`: districts and communes, best first.
    pub locality_ranking: Vec<usize>,
    pub overdue: Vec<OverdueTask>,
    pub overdue_total: u32,
    /// Unfinished tasks due within the server's `--due-soon-days`, soonest first…
    pub due_soon: Vec<DueSoonTask>,
    /// …and how many there are.
    pub due_soon_total: u32,
    /// Departments and districts that lead no task of the plan.
    pub silent_units: Vec<UnitRef>,
    /// Those expected to miss their target first (red, orange, green, grey).
    pub indicators: Vec<KeyIndicator>,
    pub modes: Vec<Row>,
    pub obstacles: Vec<Obstacle>,
    /// Units of the same kind under the same parent (this one included), best first:
    /// how the unit shown compares with its peers. Empty for the top of the tree.
    pub peers: Vec<UnitRow>,
}

impl Dashboard {
    pub fn department_rows(&self) -> Vec<&UnitRow> {
        self.department_ranking
            .iter()
            .map(|i| &self.units[*i])
            .collect()
    }

    pub fn locality_rows(&self) -> Vec<&UnitRow> {
        self.locality_ranking
            .iter()
            .map(|i| &self.units[*i])
            .collect()
    }

    /// The units furthest behind (most behind first), for the briefing.
    pub fn most_behind(&self, n: usize) -> Vec<&UnitRow> {
        let mut rows: Vec<(&UnitRow, Tally)> = self
            .units
            .iter()
            .filter(|r| r.tally.live() > 0)
            .map(|r| (r, r.tally.clone()))
            .collect();
        most_behind_first(&mut rows);
        rows.into_iter().take(n).map(|(r, _)| r).collect()
    }
}

/// A report that names an obstacle or a proposal.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Obstacle {
    pub period: String,
    pub task_id: i64,
    pub task_code: String,
    pub task_title: String,
    pub group_code: Option<String>,
    pub group_name: Option<String>,
    pub unit_name: String,
    pub progress: i64,
    pub obstacles: Option<String>,
    pub proposals: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn fact(status: TaskStatus, due: Date, done: Option<Date>, progress: i64) -> TaskFact {
        TaskFact {
            group_id: Some(1),
            lead_unit_id: 10,
            status,
            due,
            completed_on: done,
            progress,
            budget_planned: 100,
            budget_disbursed: 40,
            acquisition_mode: None,
            key_task: false,
        }
    }

    const TODAY: Date = date!(2025 - 07 - 01);

    #[test]
    fn a_tally_counts_outcomes_progress_and_money() {
        let facts = [
            fact(
                TaskStatus::Completed,
                date!(2025 - 06 - 30),
                Some(date!(2025 - 06 - 01)),
                90,
            ),
            fact(
                TaskStatus::Completed,
                date!(2025 - 06 - 30),
                Some(date!(2025 - 06 - 30)),
                100,
            ),
            fact(
                TaskStatus::Completed,
                date!(2025 - 05 - 31),
                Some(date!(2025 - 06 - 15)),
                100,
            ),
            fact(TaskStatus::InProgress, date!(2025 - 06 - 30), None, 50),
            fact(TaskStatus::InProgress, date!(2025 - 12 - 31), None, 10),
            fact(TaskStatus::Draft, date!(2025 - 12 - 31), None, 0),
            fact(TaskStatus::Cancelled, date!(2025 - 01 - 31), None, 30),
        ];
        let t = tally(&facts, TODAY);
        assert_eq!(t.total, 7);
        assert_eq!(t.completed, 3);
        assert_eq!(t.completed_on_time, 2, "done on the due day is on time");
        assert_eq!(t.completed_late, 1);
        assert_eq!(t.overdue, 1);
        assert_eq!(t.within_deadline, 2);
        assert_eq!(t.cancelled, 1);
        assert_eq!(t.not_started, 1);
        assert_eq!(t.live(), 6);
        assert_eq!(t.completion_rate(), Some(50.0));
        assert_eq!(t.on_time_rate(), Some(2.0 * 100.0 / 6.0));
        // A completed task counts as 100 % even when its last report said 90.
        assert_eq!(t.average_progress(), Some((300.0 + 50.0 + 10.0) / 6.0));
        assert_eq!(t.budget_planned, 700);
        assert_eq!(t.disbursement_rate(), Some(40.0));
    }

    #[test]
    fn nothing_to_count_gives_no_rate_not_zero() {
        let t = tally(&[], TODAY);
        assert_eq!(t.completion_rate(), None);
        assert_eq!(t.average_progress(), None);
        assert_eq!(t.disbursement_rate(), None);
        let only_cancelled = tally(&[fact(TaskStatus::Cancelled, TODAY, None, 0)], TODAY);
        assert_eq!(only_cancelled.on_time_rate(), None);
    }

    #[test]
    fn tallies_by_key_keep_first_seen_order() {
        let mut a = fact(TaskStatus::InProgress, TODAY, None, 20);
        a.lead_unit_id = 2;
        let mut b = fact(TaskStatus::InProgress, TODAY, None, 60);
        b.lead_unit_id = 1;
        let c = TaskFact {
            lead_unit_id: 2,
            ..a.clone()
        };
        let rows = tally_by(&[a, b, c], TODAY, |f| f.lead_unit_id);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(rows[0].1.total, 2);
    }

    #[test]
    fn rankings_put_the_furthest_ahead_first_and_behind_puts_them_last() {
        let t = |progress: i64, overdue: bool| {
            let due = if overdue {
                date!(2025 - 01 - 01)
            } else {
                date!(2025 - 12 - 31)
            };
            tally(&[fact(TaskStatus::InProgress, due, None, progress)], TODAY)
        };
        let mut rows = vec![
            ("a", t(40, false)),
            ("b", t(80, false)),
            ("c", t(40, true)),
            ("empty", Tally::default()),
        ];
        ranking(&mut rows);
        assert_eq!(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            ["b", "a", "c", "empty"],
            "same progress: fewer overdue ranks higher"
        );
        most_behind_first(&mut rows);
        assert_eq!(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            ["c", "a", "b", "empty"]
        );
    }
}
