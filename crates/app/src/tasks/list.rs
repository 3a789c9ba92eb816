//! Task lists: what a filter selects, counted and paged.

use dxplan_domain::task::Outcome;
use dxplan_store::tasks::{self, TaskFilter};

use crate::App;
use crate::error::AppResult;

/// Counts of the plan's tasks (those the user may read) by the Decision 42 outcomes.
pub async fn outcome_counts(app: &App, filter: &TaskFilter) -> AppResult<Vec<(Outcome, usize)>> {
    let today = app.today();
    let mut c = app.db.read().await?;
    let facts = tasks::facts(&mut c, filter).await?;
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
