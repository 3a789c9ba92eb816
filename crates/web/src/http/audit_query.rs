//! The audit log's query, as the API and the audit page read it.

use dxplan_app::audit::AuditSearch;
use dxplan_app::{AppError, AppResult};
use dxplan_domain::Invalid;
use serde::Deserialize;

use super::paging::decode_cursor;

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

impl AuditQuery {
    /// The search the query asks for; a cursor from another list is refused.
    pub fn search(&self) -> AppResult<AuditSearch> {
        Ok(AuditSearch {
            actor: self.actor.clone(),
            action: self.action.clone(),
            entity_type: self.entity_type.clone(),
            entity_id: self.entity_id.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            before_id: match decode_cursor(self.cursor.as_deref())? {
                Some((key, id)) if key == "before" => Some(id),
                Some(_) => return Err(AppError::field("cursor", Invalid::BadFormat)),
                None => self.before,
            },
            limit: self.limit.unwrap_or(50),
        })
    }
}
