//! Assessment rounds, each assessed unit's assessment, its criterion scores, evidence and
//! events; and the criteria a task aims to improve.

use std::collections::HashMap;

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::macros::q;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Round {
    pub id: i64,
    pub framework_id: i64,
    pub framework_name: String,
    pub unit_kinds: String,
    pub name: String,
    pub year: i64,
    pub run_by_unit_id: i64,
    pub run_by_name: String,
    pub deadline: Date,
    /// `open` or `published`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    pub version: i64,
}

impl Round {
    pub fn is_published(&self) -> bool {
        self.status == "published"
    }
}

pub struct RoundWrite<'a> {
    pub framework_id: i64,
    pub name: &'a str,
    pub year: i64,
    pub run_by_unit_id: i64,
    pub deadline: Date,
}

macro_rules! select_rounds {
    () => {
        "SELECT r.id, r.framework_id, f.name AS framework_name, f.unit_kinds, r.name, r.year,
                r.run_by_unit_id, u.name AS run_by_name, r.deadline, r.status, r.published_at,
                r.version
         FROM index_rounds r
         JOIN index_frameworks f ON f.id = r.framework_id
         JOIN org_units u ON u.id = r.run_by_unit_id "
    };
}

/// A round and a draft assessment for each unit, in the caller's transaction.
pub async fn insert_round(
    c: &mut Conn,
    r: &RoundWrite<'_>,
    unit_ids: &[i64],
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
            "INSERT INTO index_rounds (framework_id, name, year, run_by_unit_id, deadline, status,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $6) RETURNING id",
        )
        .bind(r.framework_id)
        .bind(r.name)
        .bind(r.year)
        .bind(r.run_by_unit_id)
        .bind(r.deadline)
        .bind(now)
        .fetch_one(x)
        .await
    })?;
    for unit_id in unit_ids {
        q!(c, |x| {
            sqlx::query(
                "INSERT INTO index_assessments (round_id, unit_id, status, updated_at)
                 VALUES ($1, $2, 'draft', $3)",
            )
            .bind(id)
            .bind(unit_id)
            .bind(now)
            .execute(x)
            .await
            .map(|_| ())
        })?;
    }
    Ok(id)
}

/// Every round, the newest year first.
pub async fn rounds(c: &mut Conn) -> Result<Vec<Round>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Round>(concat!(
        select_rounds!(),
        "ORDER BY r.year DESC, r.id DESC"
    ))
    .fetch_all(x)
    .await)?)
}

pub async fn round(c: &mut Conn, id: i64) -> Result<Round> {
    Ok(q!(c, |x| sqlx::query_as::<_, Round>(concat!(
        select_rounds!(),
        "WHERE r.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)?)
}

/// The published round of the year before, run by the same unit with a framework for the
/// same kinds of unit: what "change since last year" compares with.
pub async fn previous_published(c: &mut Conn, round: &Round) -> Result<Option<Round>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Round>(concat!(
        select_rounds!(),
        "WHERE r.run_by_unit_id = $1 AND r.year = $2 AND r.status = 'published'
           AND f.unit_kinds = $3
         ORDER BY r.id DESC LIMIT 1"
    ))
    .bind(round.run_by_unit_id)
    .bind(round.year - 1)
    .bind(&round.unit_kinds)
    .fetch_optional(x)
    .await)?)
}

/// Every unit's immediate predecessors (successor → predecessors in the units' order),
/// read in one query: a merged unit's "last year" is its predecessors' results, and the
/// walk back may need more than one step. The lineage of a province is a few hundred
/// rows at most, so reading it whole is cheaper than a query per unit.
pub async fn predecessors_by_unit(c: &mut Conn) -> Result<HashMap<i64, Vec<i64>>> {
    let edges: Vec<(i64, i64)> = q!(c, |x| sqlx::query_as(
        "SELECT l.successor_id, l.predecessor_id FROM unit_lineage l
           JOIN org_units u ON u.id = l.predecessor_id
         ORDER BY l.successor_id, u.sort_key, u.id"
    )
    .fetch_all(x)
    .await)?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (successor, predecessor) in edges {
        out.entry(successor).or_default().push(predecessor);
    }
    Ok(out)
}

/// Publishes a round and every verified assessment in it.
pub async fn publish_round(c: &mut Conn, id: i64, now: OffsetDateTime) -> Result<()> {
    q!(c, |x| sqlx::query(
        "UPDATE index_rounds SET status = 'published', published_at = $2, updated_at = $2,
             version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    q!(c, |x| sqlx::query(
        "UPDATE index_assessments SET status = 'published', updated_at = $2, version = version + 1
         WHERE round_id = $1 AND status = 'verified'"
    )
    .bind(id)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}

mod assessments;
mod evidence;
mod scores;
mod task_links;

pub use assessments::*;
pub use evidence::*;
pub use scores::*;
pub use task_links::*;
