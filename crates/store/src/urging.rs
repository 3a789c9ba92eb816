//! Urging letters (công văn đôn đốc) and the units each was sent to.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::macros::q;
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UrgingLetter {
    pub id: i64,
    pub plan_id: i64,
    pub created_by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The number the clerk gave it, once sent.
    pub number: Option<String>,
    pub sent_on: Option<Date>,
}

/// A unit a letter is addressed to.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UrgedUnit {
    pub unit_id: i64,
    pub unit_name: String,
    /// The how-manieth reminder the letter is for the unit.
    pub reminder: i64,
    /// Its overdue tasks when the letter was drafted.
    pub overdue: i64,
}

pub async fn insert(
    c: &mut Conn,
    plan_id: i64,
    created_by: &str,
    units: &[(i64, i64, i64)],
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO urging_letters (plan_id, created_by_name, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(plan_id)
    .bind(created_by)
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    for (unit, reminder, overdue) in units {
        q!(c, |x| {
            sqlx::query(
            "INSERT INTO urging_letter_units (letter_id, unit_id, reminder, overdue) VALUES ($1, $2, $3, $4)"
        )
        .bind(id)
        .bind(unit)
        .bind(reminder)
        .bind(overdue)
        .execute(x)
        .await
        .map(|_| ())
        })?;
    }
    Ok(id)
}

pub async fn get(c: &mut Conn, id: i64) -> Result<UrgingLetter> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, UrgingLetter>(
        "SELECT id, plan_id, created_by_name, created_at, number, sent_on FROM urging_letters WHERE id = $1"
    )
    .bind(id)
    .fetch_one(x)
    .await
    })?)
}

/// A plan's letters, newest first.
pub async fn of_plan(c: &mut Conn, plan_id: i64) -> Result<Vec<UrgingLetter>> {
    Ok(q!(c, |x| sqlx::query_as::<_, UrgingLetter>(
        "SELECT id, plan_id, created_by_name, created_at, number, sent_on FROM urging_letters
         WHERE plan_id = $1 ORDER BY id DESC LIMIT 200"
    )
    .bind(plan_id)
    .fetch_all(x)
    .await)?)
}

/// The units a letter is addressed to, by name.
pub async fn units_of(c: &mut Conn, letter_id: i64) -> Result<Vec<UrgedUnit>> {
    Ok(q!(c, |x| sqlx::query_as::<_, UrgedUnit>(
        "SELECT l.unit_id, u.name AS unit_name, l.reminder, l.overdue FROM urging_letter_units l
         JOIN org_units u ON u.id = l.unit_id WHERE l.letter_id = $1 ORDER BY u.sort_key, u.id"
    )
    .bind(letter_id)
    .fetch_all(x)
    .await)?)
}

/// The units of every letter of a plan, with their letter's id: one query for the
/// plan's list of letters.
pub async fn units_of_plan(c: &mut Conn, plan_id: i64) -> Result<Vec<(i64, UrgedUnit)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        letter_id: i64,
        #[sqlx(flatten)]
        unit: UrgedUnit,
    }
    let rows: Vec<Row> = q!(c, |x| sqlx::query_as::<_, Row>(
        "SELECT l.letter_id, l.unit_id, u.name AS unit_name, l.reminder, l.overdue
         FROM urging_letter_units l JOIN urging_letters m ON m.id = l.letter_id
         JOIN org_units u ON u.id = l.unit_id
         WHERE m.plan_id = $1 ORDER BY l.letter_id, u.sort_key, u.id"
    )
    .bind(plan_id)
    .fetch_all(x)
    .await)?;
    Ok(rows.into_iter().map(|r| (r.letter_id, r.unit)).collect())
}

/// How many letters of the plan were sent to each unit that had one: one query.
pub async fn sent_counts(c: &mut Conn, plan_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(q!(c, |x| {
        sqlx::query_as(
        "SELECT l.unit_id, COUNT(*) FROM urging_letter_units l JOIN urging_letters m ON m.id = l.letter_id
         WHERE m.plan_id = $1 AND m.sent_on IS NOT NULL GROUP BY l.unit_id"
    )
    .bind(plan_id)
    .fetch_all(x)
    .await
    })?)
}

/// Records that a letter was sent, with its number and date (once).
pub async fn mark_sent(c: &mut Conn, id: i64, number: &str, sent_on: Date) -> Result<()> {
    let done = q!(c, |x| sqlx::query(
        "UPDATE urging_letters SET number = $2, sent_on = $3 WHERE id = $1 AND sent_on IS NULL"
    )
    .bind(id)
    .bind(number)
    .bind(sent_on)
    .execute(x)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        get(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}
