//! Reading the audit log: who did what, when, to which record. Only those who may read
//! the whole system's log see it.

use dxplan_domain::Invalid;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::text::{VIETNAM, parse_date};
use dxplan_store::audit::{self, AuditFilter};
use dxplan_store::users;
use time::OffsetDateTime;

pub use dxplan_store::audit::AuditEvent;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// What the log is searched for, as typed: `from` and `to` are whole days in Vietnam
/// time, `actor` a username.
#[derive(Debug, Clone, Default)]
pub struct AuditSearch {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Newest first: only events older than this id.
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// A page of events, newest first, and where the next page starts.
pub struct AuditListing {
    pub events: Vec<AuditEvent>,
    pub next_before_id: Option<i64>,
}

/// The events matching the search; a bad date is a field error, nothing is read.
pub async fn search(
    app: &App,
    user: &CurrentUser,
    search: &AuditSearch,
) -> AppResult<AuditListing> {
    user.require(Action::ViewAudit, Target::System)?;
    let non_empty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let day_start =
        |field: &str, s: &Option<String>, plus_days: i64| -> AppResult<Option<OffsetDateTime>> {
            match non_empty(s) {
                None => Ok(None),
                Some(s) => {
                    let d =
                        parse_date(&s).ok_or_else(|| AppError::field(field, Invalid::BadDate))?;
                    Ok(Some(
                        d.with_hms(0, 0, 0)
                            .map_err(|e| AppError::internal(e.to_string()))?
                            .assume_offset(VIETNAM)
                            + time::Duration::days(plus_days),
                    ))
                }
            }
        };
    let from = day_start("from", &search.from, 0)?;
    let until = day_start("to", &search.to, 1)?;
    let mut c = app.db.read().await?;
    let actor_id = match non_empty(&search.actor) {
        None => None,
        // An unknown actor matches nothing rather than everything.
        Some(name) => Some(
            users::by_username(&mut c, &name)
                .await?
                .map_or(-1, |u| u.id),
        ),
    };
    let filter = AuditFilter {
        actor_id,
        action: non_empty(&search.action),
        entity_type: non_empty(&search.entity_type),
        entity_id: non_empty(&search.entity_id),
        from,
        until,
        before_id: search.before_id,
        limit: search.limit.clamp(1, 500),
    };
    let page = audit::list(&mut c, &filter).await?;
    Ok(AuditListing {
        events: page.events,
        next_before_id: page.next_before_id,
    })
}

/// Every action the log holds, for the filter's choices.
pub async fn actions(app: &App, user: &CurrentUser) -> AppResult<Vec<String>> {
    user.require(Action::ViewAudit, Target::System)?;
    let mut c = app.db.read().await?;
    Ok(audit::actions(&mut c).await?)
}
