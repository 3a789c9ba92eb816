//! The append-only audit log. There is no update or delete here, and the database
//! refuses both (see the migrations' triggers).

use serde::Serialize;
use time::OffsetDateTime;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result};

/// Who did something and through which door.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    /// `web`, `api`, `cli` or `system`.
    pub via: &'static str,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            name: name.into(),
            via: "system",
            client_addr: None,
            request_id: None,
        }
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<String>,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Records an event; call it on the transaction that makes the change.
pub async fn record(
    c: &mut Conn,
    actor: &Actor,
    event: NewEvent<'_>,
    now: OffsetDateTime,
) -> Result<()> {
    let json = |v: Option<serde_json::Value>| v.map(|v| v.to_string());
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO audit_events (at, actor_id, actor_name, via, action, entity_type, entity_id, summary,
             before_json, after_json, client_addr, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
    .bind(now)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(actor.via)
    .bind(event.action)
    .bind(event.entity_type)
    .bind(&event.entity_id)
    .bind(&event.summary)
    .bind(json(event.before.clone()))
    .bind(json(event.after.clone()))
    .bind(&actor.client_addr)
    .bind(&actor.request_id)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub via: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub summary: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<OffsetDateTime>,
    /// Exclusive upper bound.
    pub until: Option<OffsetDateTime>,
    /// Newest first: only events older than this id.
    pub before_id: Option<i64>,
    pub limit: u32,
}

pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub next_before_id: Option<i64>,
}

pub async fn list(c: &mut Conn, filter: &AuditFilter) -> Result<AuditPage> {
    let mut params = Params::default();
    let mut conditions = Vec::new();
    if let Some(actor) = filter.actor_id {
        conditions.push(format!("actor_id = {}", params.push(Arg::Int(actor))));
    }
    if let Some(action) = &filter.action {
        conditions.push(format!(
            "action = {}",
            params.push(Arg::Text(action.clone()))
        ));
    }
    if let Some(t) = &filter.entity_type {
        conditions.push(format!(
            "entity_type = {}",
            params.push(Arg::Text(t.clone()))
        ));
    }
    if let Some(id) = &filter.entity_id {
        conditions.push(format!(
            "entity_id = {}",
            params.push(Arg::Text(id.clone()))
        ));
    }
    if let Some(from) = filter.from {
        conditions.push(format!("at >= {}", params.push(Arg::Time(from))));
    }
    if let Some(until) = filter.until {
        conditions.push(format!("at < {}", params.push(Arg::Time(until))));
    }
    if let Some(before) = filter.before_id {
        conditions.push(format!("id < {}", params.push(Arg::Int(before))));
    }
    let limit = filter.limit.clamp(1, 500);
    let sql = format!(
        "SELECT id, at, actor_id, actor_name, via, action, entity_type, entity_id, summary, before_json, after_json,
             client_addr, request_id
         FROM audit_events {} ORDER BY id DESC LIMIT {}",
        if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) },
        limit + 1
    );
    let mut events: Vec<AuditEvent> = q!(c, |x| bind_all!(
        sqlx::query_as::<_, AuditEvent>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?;
    let next_before_id = if events.len() > limit as usize {
        events.truncate(limit as usize);
        events.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage {
        events,
        next_before_id,
    })
}

/// The distinct actions recorded so far, for the filter's drop-down.
pub async fn actions(c: &mut Conn) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = q!(c, |x| sqlx::query_as(
        "SELECT DISTINCT action FROM audit_events ORDER BY action"
    )
    .fetch_all(x)
    .await)?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}
