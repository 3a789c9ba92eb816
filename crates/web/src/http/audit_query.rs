//! The audit log's query, as the API and the audit page read it.

use dxplan_domain::Invalid;
use dxplan_domain::text::parse_date;
use dxplan_store::audit::AuditFilter;
use dxplan_store::users;
use serde::Deserialize;

use super::paging::decode_cursor;
use crate::state::AppState;
use dxplan_app::{AppError, AppResult};

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (the same as `before`).
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Turns the audit query into a store filter; dates are whole days in Vietnam time.
pub async fn audit_filter(state: &AppState, query: &AuditQuery) -> AppResult<AuditFilter> {
    let non_empty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let day_start = |field: &str,
                     s: &Option<String>,
                     plus_days: i64|
     -> AppResult<Option<time::OffsetDateTime>> {
        match non_empty(s) {
            None => Ok(None),
            Some(s) => {
                let d = parse_date(&s).ok_or_else(|| AppError::field(field, Invalid::BadDate))?;
                Ok(Some(
                    d.with_hms(0, 0, 0)
                        .map_err(|e| AppError::internal(e.to_string()))?
                        .assume_offset(crate::format::VIETNAM)
                        + time::Duration::days(plus_days),
                ))
            }
        }
    };
    let actor_id = match non_empty(&query.actor) {
        None => None,
        Some(name) => {
            let mut c = state.db.read().await?;
            // An unknown actor matches nothing rather than everything.
            Some(
                users::by_username(&mut c, &name)
                    .await?
                    .map_or(-1, |u| u.id),
            )
        }
    };
    Ok(AuditFilter {
        actor_id,
        action: non_empty(&query.action),
        entity_type: non_empty(&query.entity_type),
        entity_id: non_empty(&query.entity_id),
        from: day_start("from", &query.from, 0)?,
        until: day_start("to", &query.to, 1)?,
        before_id: match decode_cursor(query.cursor.as_deref())? {
            Some((key, id)) if key == "before" => Some(id),
            Some(_) => return Err(AppError::field("cursor", Invalid::BadFormat)),
            None => query.before,
        },
        limit: query.limit.unwrap_or(50).clamp(1, 500),
    })
}
