//! The task-result figures of Decree 335/2025/NĐ-CP, by which agencies and civil servants
//! are scored each month and quarter: of the products due in the period, how many were
//! delivered, how many on time, how many the assigner refused on quality, and how many
//! delays were exempted for an objective cause the coordinator confirmed.
//!
//! The three rates, each out of 100:
//! - **quantity**: products delivered of those due;
//! - **quality**: products delivered that the assigner accepted at the first report, of
//!   those delivered;
//! - **progress**: each product judged (delivered, or past its deadline) counts 100 when on
//!   time or its delay was exempted, and 75 when late: the decree's −25 % per late product.
//!   A product not yet due and not yet delivered is not judged.

use serde::Serialize;
use time::Date;

use crate::task::{TaskStatus, is_regular};

/// One product (a task with a deadline) as the figures see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductFact {
    pub due: Date,
    pub status: TaskStatus,
    /// The day it was delivered (reported by the unit and confirmed).
    pub completed_on: Option<Date>,
    /// How many times the assigner refused it on quality.
    pub refusals: u32,
    /// The coordinator confirmed an objective cause for its delay.
    pub exempted: bool,
}

/// The figures of a unit or an officer for one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Products due in the period (cancelled and regular tasks left out).
    pub assigned: u32,
    pub delivered_on_time: u32,
    pub delivered_late: u32,
    /// Past their deadline and still not delivered.
    pub overdue: u32,
    /// Delivered products the assigner refused at least once on quality.
    pub refused_on_quality: u32,
    /// Late products (delivered or not) whose delay was exempted.
    pub exempted: u32,
    /// Products judged for progress: delivered, or past their deadline.
    pub judged: u32,
    /// Sum of the judged products' progress points (100 or 75 each).
    #[serde(skip)]
    progress_points: u32,
}

/// Points a late product keeps on progress, out of 100.
const LATE_POINTS: u32 = 75;

impl Figures {
    /// Counts a product due in the period, as of `as_of` (the period's last day, or today
    /// while it runs).
    pub fn add(&mut self, p: &ProductFact, as_of: Date) {
        if p.status == TaskStatus::Cancelled || is_regular(p.due) {
            return;
        }
        self.assigned += 1;
        let delivered = p
            .completed_on
            .filter(|d| p.status == TaskStatus::Completed && *d <= as_of);
        let late = match delivered {
            Some(day) => {
                if day > p.due {
                    self.delivered_late += 1;
                } else {
                    self.delivered_on_time += 1;
                }
                if p.refusals > 0 {
                    self.refused_on_quality += 1;
                }
                day > p.due
            }
            None if as_of > p.due => {
                self.overdue += 1;
                true
            }
            // Not due yet and not delivered: nothing to judge.
            None => return,
        };
        self.judged += 1;
        if late && p.exempted {
            self.exempted += 1;
        }
        self.progress_points += if late && !p.exempted {
            LATE_POINTS
        } else {
            100
        };
    }

    pub fn delivered(&self) -> u32 {
        self.delivered_on_time + self.delivered_late
    }

    /// Products delivered of those due, in percent.
    pub fn quantity(&self) -> Option<f64> {
        (self.assigned > 0).then(|| self.delivered() as f64 * 100.0 / self.assigned as f64)
    }

    /// Delivered products accepted at the first report, in percent.
    pub fn quality(&self) -> Option<f64> {
        let delivered = self.delivered();
        (delivered > 0)
            .then(|| (delivered - self.refused_on_quality) as f64 * 100.0 / delivered as f64)
    }

    /// Mean progress points of the judged products (75 for each unexempted delay).
    pub fn progress(&self) -> Option<f64> {
        (self.judged > 0).then(|| self.progress_points as f64 / self.judged as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn product(due: Date, done: Option<Date>) -> ProductFact {
        ProductFact {
            due,
            status: if done.is_some() {
                TaskStatus::Completed
            } else {
                TaskStatus::InProgress
            },
            completed_on: done,
            refusals: 0,
            exempted: false,
        }
    }

    #[test]
    fn each_late_product_costs_a_quarter_of_its_progress_unless_exempted() {
        let due = date!(2026 - 06 - 30);
        let as_of = date!(2026 - 06 - 30);
        let mut f = Figures::default();
        f.add(&product(due, Some(date!(2026 - 06 - 20))), as_of);
        f.add(
            &product(date!(2026 - 06 - 10), Some(date!(2026 - 06 - 15))),
            as_of,
        );
        f.add(&product(date!(2026 - 06 - 05), None), as_of);
        let exempted = ProductFact {
            exempted: true,
            ..product(date!(2026 - 06 - 01), Some(date!(2026 - 06 - 09)))
        };
        f.add(&exempted, as_of);
        let refused = ProductFact {
            refusals: 1,
            ..product(date!(2026 - 06 - 25), Some(date!(2026 - 06 - 24)))
        };
        f.add(&refused, as_of);
        assert_eq!(f.assigned, 5);
        assert_eq!(
            (f.delivered_on_time, f.delivered_late, f.overdue),
            (2, 2, 1)
        );
        assert_eq!((f.exempted, f.refused_on_quality), (1, 1));
        assert_eq!(f.quantity(), Some(80.0));
        assert_eq!(f.quality(), Some(75.0));
        // 100 + 75 + 75 + 100 (exempted) + 100 over five judged products.
        assert_eq!(f.progress(), Some(90.0));
    }

    #[test]
    fn what_is_not_due_yet_is_not_judged_and_cancelled_or_regular_work_is_not_counted() {
        let as_of = date!(2026 - 06 - 15);
        let mut f = Figures::default();
        f.add(&product(date!(2026 - 06 - 30), None), as_of);
        f.add(
            &ProductFact {
                status: TaskStatus::Cancelled,
                ..product(date!(2026 - 06 - 01), None)
            },
            as_of,
        );
        f.add(&product(crate::task::NO_DEADLINE, None), as_of);
        // Delivered after the day the figures are read: not delivered yet then.
        f.add(
            &product(date!(2026 - 06 - 30), Some(date!(2026 - 06 - 20))),
            as_of,
        );
        assert_eq!(f.assigned, 2);
        assert_eq!((f.judged, f.quantity(), f.progress()), (0, Some(0.0), None));
        assert_eq!(f.quality(), None);
    }
}
