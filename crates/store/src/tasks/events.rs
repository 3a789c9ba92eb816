//! The workflow's events of a task: who moved it from which status to which, and why.

use serde::Serialize;
use time::OffsetDateTime;

use dxplan_domain::task::TaskStatus;

use crate::macros::q;
use crate::{Conn, Result};

// ---------------------------------------------------------------- events

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskEvent {
    pub id: i64,
    pub task_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// The person's name (`actor_name` is their account's), when the account exists.
    pub actor_display_name: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub comment: Option<String>,
}

pub struct NewTaskEvent<'a> {
    pub task_id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub from_status: Option<TaskStatus>,
    pub to_status: Option<TaskStatus>,
    pub comment: Option<&'a str>,
}

pub async fn add_event(c: &mut Conn, e: &NewTaskEvent<'_>, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO task_events (task_id, at, actor_id, actor_name, action, from_status, to_status, comment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(e.task_id)
    .bind(now)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.action)
    .bind(e.from_status.map(|s| s.as_str()))
    .bind(e.to_status.map(|s| s.as_str()))
    .bind(e.comment)
    .execute(x)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

pub async fn events(c: &mut Conn, task_id: i64) -> Result<Vec<TaskEvent>> {
    Ok(q!(c, |x| sqlx::query_as::<_, TaskEvent>(
        "SELECT e.id, e.task_id, e.at, e.actor_id, e.actor_name,
                COALESCE((SELECT u.display_name FROM users u WHERE u.id = e.actor_id),
                         (SELECT u.display_name FROM users u WHERE u.username = e.actor_name))
                    AS actor_display_name,
                e.action, e.from_status, e.to_status, e.comment
         FROM task_events e WHERE e.task_id = $1 ORDER BY e.id"
    )
    .bind(task_id)
    .fetch_all(x)
    .await)?)
}
