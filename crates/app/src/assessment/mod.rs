//! Assessment rounds: opening a round, each unit's self-assessment with evidence, its
//! head's approval, verification criterion by criterion (by the coordinator or the sector
//! department assigned to the criterion), the unit's one response, publication, and
//! audited corrections afterwards. Results come from `domain::assessment::results`.

use dxplan_domain::auth::Role;
use dxplan_domain::notification::NotificationKind;
use dxplan_store::Conn;
use dxplan_store::notifications::{self, Notice};

pub use dxplan_store::index_rounds::{CriterionChoice, Evidence, LinkedCriterion, Round};

use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

mod answers;
mod opening;
mod results;
mod rights;
mod task_links;
mod views;
mod workflow;

pub use answers::*;
pub use opening::*;
pub use results::*;
pub use rights::*;
pub use task_links::*;
pub use views::*;
pub use workflow::*;

const UNIT_STAFF: [Role; 2] = [Role::UnitEditor, Role::UnitApprover];
const MAX_TEXT: usize = 5000;

fn actor_id(caller: &Caller<'_>) -> Option<i64> {
    caller.actor.user_id
}

fn user_of<'a>(caller: &'a Caller<'_>) -> AppResult<&'a CurrentUser> {
    caller.user.ok_or(AppError::Unauthorized)
}

/// A notice about an assessment to some people: its titles from the kind, `subject` (the
/// round and the unit or framework) and `extra`; once per `key` when one is given.
async fn notify(
    c: &mut Conn,
    recipients: &[notifications::Recipient],
    kind: NotificationKind,
    subject: (&str, &str),
    extra: &str,
    key: Option<&str>,
    now: time::OffsetDateTime,
) -> AppResult<()> {
    let (vi, en) = kind.titles(subject.0, subject.1, extra);
    notifications::notify(
        c,
        recipients,
        &Notice {
            kind,
            task_id: None,
            path: None,
            title_vi: &vi,
            title_en: &en,
            dedup_key: key,
            link: None,
            by_phone: false,
        },
        now,
    )
    .await?;
    Ok(())
}
