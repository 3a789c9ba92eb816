//! Plans, the task list, a task's page with its workflow, extensions and reports, the
//! consolidated obstacles of a period, plan import, and "Việc của tôi". Each page reads
//! one read model of `dxplan_app::tasks` (or `work`) and only words and formats it here.

mod form;
mod import;
mod list;
mod plans;
mod show;
mod work;

pub use form::*;
pub use import::*;
pub use list::*;
pub use plans::*;
pub use show::*;
pub use work::*;

use dxplan_domain::Lang;
use dxplan_domain::period::Period;
use dxplan_domain::task::{DeadlineState, Outcome, deadline_text};

use super::Ctx;
use dxplan_app::tasks::Task;

/// A task as a list row shows it.
pub struct TaskRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub unit: String,
    /// The deadline, or "Thường xuyên" for a regular task.
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub outcome: &'static str,
    /// How the deadline presses (`overdue`, `due_soon`, `regular`…), for the colour…
    pub deadline: &'static str,
    /// …and the words said with it.
    pub deadline_label: Option<&'static str>,
    pub key_task: bool,
    pub progress: i64,
    /// When the lead unit has ended in a reorganisation: the units that continue it today.
    pub now: Option<String>,
}

impl TaskRow {
    pub fn new(t: &Task, lang: Lang, today: time::Date, due_soon_days: u8) -> TaskRow {
        let outcome = Outcome::of(t.status, t.due_date, t.completed_on, today);
        let deadline = DeadlineState::of(t.status, t.due_date, today, due_soon_days);
        TaskRow {
            id: t.id,
            code: t.code.clone(),
            title: t.title.clone(),
            unit: t.lead_unit_name.clone(),
            due: deadline_text(t.due_date, lang),
            status: t.state().label(lang),
            status_class: if t.state().awaits_assigner() {
                "awaiting"
            } else {
                t.status.as_str()
            },
            outcome: outcome.label(lang),
            // A regular task's word is its deadline column already.
            deadline: deadline.as_str(),
            deadline_label: deadline
                .label(lang)
                .filter(|_| deadline != DeadlineState::Regular),
            key_task: t.key_task,
            progress: t.progress,
            now: None,
        }
    }
}

fn rows(tasks: &[Task], ctx: &Ctx) -> Vec<TaskRow> {
    let today = ctx.state.today();
    tasks
        .iter()
        .map(|t| TaskRow::new(t, ctx.lang(), today, ctx.state.app.settings.due_soon_days))
        .collect()
}

/// The last few months and quarters, newest first, for period pickers.
pub(crate) fn recent_periods(today: time::Date, lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut day = today;
    for _ in 0..6 {
        let q = Period::containing(day, true);
        if !out
            .iter()
            .any(|(p, _): &(String, String)| *p == q.to_string())
        {
            out.push((q.to_string(), q.label(lang)));
        }
        day = q.start().previous_day().unwrap_or(day);
    }
    let mut day = today;
    for _ in 0..6 {
        let m = Period::containing(day, false);
        out.push((m.to_string(), m.label(lang)));
        day = m.start().previous_day().unwrap_or(day);
    }
    out
}

/// Pillars as a picker offers them: (code, name in the reader's language).
fn pillar_choices(pillars: &[dxplan_app::tasks::Pillar], lang: Lang) -> Vec<(String, String)> {
    pillars
        .iter()
        .map(|p| {
            (
                p.code.clone(),
                lang.pick(p.name_vi.clone(), p.name_en.clone()),
            )
        })
        .collect()
}
