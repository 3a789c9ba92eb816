//! Org units, their tree and their lineage.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use dxplan_domain::text::{fold, vi_sort_key};
use dxplan_domain::unit::{UnitFields, UnitKind};
use dxplan_domain::unit_import::ExistingUnit;

use crate::db::{Arg, Params};
use crate::macros::{bind_all, q};
use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub version: i64,
}

impl Unit {
    pub fn is_valid_on(&self, day: Date) -> bool {
        dxplan_domain::unit::valid_on(self.valid_from, self.valid_to, day)
    }
}

macro_rules! select_units {
    () => {
        "SELECT u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.valid_from, u.valid_to, u.version FROM org_units u "
    };
}

/// The validity condition on alias `u` for the date bound to `$1`.
macro_rules! valid_at_1 {
    () => {
        "(u.valid_from IS NULL OR u.valid_from <= $1) AND (u.valid_to IS NULL OR u.valid_to >= $1)"
    };
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Unit> {
    q!(c, |x| sqlx::query_as::<_, Unit>(concat!(
        select_units!(),
        "WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_one(x)
    .await)
    .map_err(Into::into)
}

/// The unit holding `code` on `at` (codes are reused, so the date matters).
pub async fn by_code(c: &mut Conn, code: &str, at: Date) -> Result<Option<Unit>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Unit>(concat!(
        select_units!(),
        "WHERE ",
        valid_at_1!(),
        " AND u.code = $2 ORDER BY u.valid_from DESC LIMIT 1"
    ))
    .bind(at)
    .bind(code)
    .fetch_optional(x)
    .await)?)
}

/// Any unit that ever held `code`, newest first (for links to retired units).
pub async fn all_with_code(c: &mut Conn, code: &str) -> Result<Vec<Unit>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Unit>(concat!(
        select_units!(),
        "WHERE u.code = $1 ORDER BY u.valid_from DESC"
    ))
    .bind(code)
    .fetch_all(x)
    .await)?)
}

/// The unit's id followed by its ancestors' ids up to the root: what the policy needs.
/// The units that hold it now come after: a unit that was continued belongs to its
/// successors, and a unit that was not, to its parent, or to the parent's successors when
/// the parent was merged away — and so on up. So a grant on a new commune covers the
/// history of the communes it continues, a grant on a merged province's successor covers
/// the departments still filed under the old one, but the unit that took over a district
/// does not inherit the history of the district's communes that went elsewhere.
pub async fn lineage(c: &mut Conn, id: i64) -> Result<Vec<i64>> {
    // One query: it runs before nearly every authorised read and write.
    let rows: Vec<(i64, i64)> = q!(c, |x| {
        sqlx::query_as(
            "WITH RECURSIVE up (id, parent_id, depth) AS (
             SELECT id, parent_id, 0 FROM org_units WHERE id = $1
             UNION ALL
             SELECT p.id, p.parent_id, up.depth + 1 FROM org_units p JOIN up ON p.id = up.parent_id
             WHERE up.depth < 64
         ),
         later (id) AS (
             SELECT CAST($1 AS BIGINT)
             UNION
             SELECT COALESCE(l.successor_id, u.parent_id)
               FROM later JOIN org_units u ON u.id = later.id
               LEFT JOIN unit_lineage l ON l.predecessor_id = u.id
              WHERE COALESCE(l.successor_id, u.parent_id) IS NOT NULL
         )
         SELECT id, CAST(depth AS BIGINT) AS place FROM up
         UNION ALL SELECT id, CAST(1000 AS BIGINT) FROM later WHERE id NOT IN (SELECT id FROM up)
         ORDER BY 2, 1",
        )
        .bind(id)
        .fetch_all(x)
        .await
    })?;
    if rows.is_empty() {
        return Err(StoreError::NotFound);
    }
    Ok(rows.into_iter().map(|(id, _)| id).collect())
}

/// The units at the top of the tree on `at` (the province; the ministry at national scale):
/// the objects of the whole programme — plans, the indicator catalogue, frameworks —
/// belong to them, so only a grant on them (or a system-wide one) manages those.
pub async fn roots(c: &mut Conn, at: Date) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = q!(c, |x| sqlx::query_as(concat!(
        "SELECT u.id FROM org_units u WHERE u.parent_id IS NULL AND ",
        valid_at_1!(),
        " ORDER BY u.id"
    ))
    .bind(at)
    .fetch_all(x)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The unit's id followed by its ancestors' ids, by the stored parents only.
async fn up_ids(c: &mut Conn, id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = q!(c, |x| sqlx::query_as(
        "WITH RECURSIVE up (id, parent_id, depth) AS (
             SELECT id, parent_id, 0 FROM org_units WHERE id = $1
             UNION ALL
             SELECT p.id, p.parent_id, up.depth + 1 FROM org_units p JOIN up ON p.id = up.parent_id
             WHERE up.depth < 64
         )
         SELECT id FROM up ORDER BY depth"
    )
    .bind(id)
    .fetch_all(x)
    .await)?;
    if rows.is_empty() {
        return Err(StoreError::NotFound);
    }
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The ancestors of a unit, root first, excluding the unit itself (for breadcrumbs).
pub async fn ancestors(c: &mut Conn, id: i64) -> Result<Vec<Unit>> {
    let ids = up_ids(c, id).await?;
    let mut out = Vec::with_capacity(ids.len().saturating_sub(1));
    if ids.len() > 1 {
        let (sql, args) = in_list(select_units!(), "u.id", &ids[1..]);
        let mut units: Vec<Unit> = q!(c, |x| bind_all!(
            sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(sql)),
            args
        )
        .fetch_all(x)
        .await)?;
        for id in ids[1..].iter().rev() {
            if let Some(pos) = units.iter().position(|u| u.id == *id) {
                out.push(units.swap_remove(pos));
            }
        }
    }
    Ok(out)
}

/// `<select> WHERE <column> IN ($1, …)` for a list of ids.
fn in_list(select: &str, column: &str, ids: &[i64]) -> (String, Vec<Arg>) {
    let mut params = Params::default();
    let placeholders: Vec<String> = ids.iter().map(|id| params.push(Arg::Int(*id))).collect();
    (
        format!("{select}WHERE {column} IN ({})", placeholders.join(", ")),
        params.args,
    )
}

/// The unit a code names for something dated `day` (a figure's period end): the one
/// holding the code that day, else the one holding it on `fallback`. A code reused after a
/// reorganisation thus names, for old periods, the unit that held it then.
pub async fn by_code_for(
    c: &mut Conn,
    code: &str,
    day: Date,
    fallback: Date,
) -> Result<Option<Unit>> {
    match by_code(c, code, day).await? {
        Some(u) => Ok(Some(u)),
        None => by_code(c, code, fallback).await,
    }
}

/// All units valid on `at`, in Vietnamese alphabetical order: the tree page's data. A
/// unit whose stored parent had been merged away by then answers with the parent's
/// successor valid on `at` (the departments of a province that a new province continues).
pub async fn valid_on(c: &mut Conn, at: Date) -> Result<Vec<Unit>> {
    let mut units: Vec<Unit> = q!(c, |x| sqlx::query_as::<_, Unit>(concat!(
        select_units!(),
        "WHERE ",
        valid_at_1!(),
        " ORDER BY u.sort_key, u.id"
    ))
    .bind(at)
    .fetch_all(x)
    .await)?;
    let valid: std::collections::HashSet<i64> = units.iter().map(|u| u.id).collect();
    if units
        .iter()
        .any(|u| u.parent_id.is_some_and(|p| !valid.contains(&p)))
    {
        let edges: Vec<(i64, i64)> = q!(c, |x| sqlx::query_as(
            "SELECT predecessor_id, successor_id FROM unit_lineage"
        )
        .fetch_all(x)
        .await)?;
        let successor_on = |mut id: i64| {
            // A chain of single successors, a few steps long at most.
            for _ in 0..8 {
                if valid.contains(&id) {
                    return Some(id);
                }
                let mut next = edges.iter().filter(|(from, _)| *from == id);
                match (next.next(), next.next()) {
                    (Some((_, to)), None) => id = *to,
                    _ => return None,
                }
            }
            None
        };
        for u in &mut units {
            if let Some(now) = u
                .parent_id
                .filter(|p| !valid.contains(p))
                .and_then(successor_on)
            {
                u.parent_id = Some(now);
            }
        }
    }
    Ok(units)
}

/// The direct children of a unit valid on `at`, those still filed under a unit it
/// continues included (the departments of a province merged into a new one).
pub async fn children(c: &mut Conn, parent_id: i64, at: Date) -> Result<Vec<Unit>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Unit>(concat!(
        select_units!(),
        "WHERE ",
        valid_at_1!(),
        " AND (u.parent_id = $2 OR u.parent_id IN (SELECT predecessor_id FROM unit_lineage WHERE successor_id = $2))
         ORDER BY u.sort_key, u.id"
    ))
    .bind(at)
    .bind(parent_id)
    .fetch_all(x)
    .await
    })?)
}

/// Filters for listing units; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub parent_id: Option<i64>,
    pub kind: Option<UnitKind>,
    /// Folded search text, matched anywhere in the folded name or at the start of the code.
    pub search: Option<String>,
    pub at: Option<Date>,
    /// Keyset cursor: the sort key and id of the last unit already seen.
    pub after: Option<(String, i64)>,
    pub limit: u32,
}

/// A page of units with the cursor of the next page, if there is one.
pub struct UnitPage {
    pub units: Vec<Unit>,
    pub next: Option<(String, i64)>,
}

pub async fn list(c: &mut Conn, filter: &UnitFilter) -> Result<UnitPage> {
    let mut params = Params::default();
    let mut conditions = Vec::new();
    if let Some(at) = filter.at {
        let p = params.push(Arg::Date(at));
        conditions.push(format!(
            "(u.valid_from IS NULL OR u.valid_from <= {p}) AND (u.valid_to IS NULL OR u.valid_to >= {p})"
        ));
    }
    if let Some(parent) = filter.parent_id {
        // Units still filed under a unit the parent continues count as its children.
        let p = params.push(Arg::Int(parent));
        conditions.push(format!(
            "(u.parent_id = {p} OR u.parent_id IN (SELECT predecessor_id FROM unit_lineage WHERE successor_id = {p}))"
        ));
    }
    if let Some(kind) = filter.kind {
        conditions.push(format!(
            "u.kind = {}",
            params.push(Arg::Text(kind.as_str().into()))
        ));
    }
    if let Some(search) = filter.search.as_deref().map(fold).filter(|s| !s.is_empty()) {
        let contains = params.push(Arg::Text(format!("%{}%", escape_like(&search))));
        let prefix = params.push(Arg::Text(format!("{}%", escape_like(&search))));
        conditions.push(format!(
            "(u.name_folded LIKE {contains} ESCAPE '\\' OR LOWER(u.code) LIKE {prefix} ESCAPE '\\')"
        ));
    }
    if let Some((key, id)) = &filter.after {
        let k = params.push(Arg::Text(key.clone()));
        let i = params.push(Arg::Int(*id));
        conditions.push(format!(
            "(u.sort_key > {k} OR (u.sort_key = {k} AND u.id > {i}))"
        ));
    }
    let limit = filter.limit.clamp(1, 500);
    let sql = format!(
        "SELECT u.id, u.code, u.name, u.short_name, u.kind, u.parent_id, u.valid_from, u.valid_to, u.version, u.sort_key \
         FROM org_units u {} ORDER BY u.sort_key, u.id LIMIT {}",
        if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        },
        limit + 1
    );
    let rows: Vec<UnitWithKey> = q!(c, |x| bind_all!(
        sqlx::query_as::<_, UnitWithKey>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?;
    let has_more = rows.len() > limit as usize;
    let next = if has_more {
        rows.get(limit as usize - 1)
            .map(|r| (r.sort_key.clone(), r.unit.id))
    } else {
        None
    };
    let units = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| r.unit)
        .collect();
    Ok(UnitPage { units, next })
}

#[derive(sqlx::FromRow)]
struct UnitWithKey {
    #[sqlx(flatten)]
    unit: Unit,
    sort_key: String,
}

/// Escapes `%`, `_` and `\` so user text matches literally in `LIKE … ESCAPE '\'`.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Is `code` held by another unit during any day of `[from, to]`?
pub async fn code_taken(
    c: &mut Conn,
    code: &str,
    from: Option<Date>,
    to: Option<Date>,
    except_id: Option<i64>,
) -> Result<bool> {
    let row: Option<(i64,)> = q!(c, |x| sqlx::query_as(
        "SELECT id FROM org_units
         WHERE code = $1 AND id <> $2
           AND ($3 IS NULL OR valid_to IS NULL OR valid_to >= $3)
           AND ($4 IS NULL OR valid_from IS NULL OR valid_from <= $4)
         LIMIT 1"
    )
    .bind(code)
    .bind(except_id.unwrap_or(0))
    .bind(from)
    .bind(to)
    .fetch_optional(x)
    .await)?;
    Ok(row.is_some())
}

pub async fn insert(
    c: &mut Conn,
    fields: &UnitFields,
    parent_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<i64> {
    let (id,): (i64,) = q!(c, |x| {
        sqlx::query_as(
        "INSERT INTO org_units (code, name, short_name, kind, parent_id, valid_from, valid_to, name_folded, sort_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id"
    )
    .bind(&fields.code)
    .bind(&fields.name)
    .bind(&fields.short_name)
    .bind(fields.kind.as_str())
    .bind(parent_id)
    .bind(fields.valid_from)
    .bind(fields.valid_to)
    .bind(fold(&fields.name))
    .bind(vi_sort_key(&fields.name))
    .bind(now)
    .fetch_one(x)
    .await
    })?;
    Ok(id)
}

/// Overwrites a unit's fields. With `expected_version`, refuses when someone else
/// changed the unit since it was read.
pub async fn update(
    c: &mut Conn,
    id: i64,
    fields: &UnitFields,
    parent_id: Option<i64>,
    expected_version: Option<i64>,
    now: OffsetDateTime,
) -> Result<()> {
    let done = q!(c, |x| {
        sqlx::query(
        "UPDATE org_units SET code = $2, name = $3, short_name = $4, kind = $5, parent_id = $6,
             valid_from = $7, valid_to = $8, name_folded = $9, sort_key = $10, updated_at = $11, version = version + 1
         WHERE id = $1 AND ($12 IS NULL OR version = $12)"
    )
    .bind(id)
    .bind(&fields.code)
    .bind(&fields.name)
    .bind(&fields.short_name)
    .bind(fields.kind.as_str())
    .bind(parent_id)
    .bind(fields.valid_from)
    .bind(fields.valid_to)
    .bind(fold(&fields.name))
    .bind(vi_sort_key(&fields.name))
    .bind(now)
    .bind(expected_version)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        get(c, id).await?;
        return Err(StoreError::VersionConflict);
    }
    Ok(())
}

/// Records that `successor` took over (part of) `predecessor`'s duties.
pub async fn add_lineage(
    c: &mut Conn,
    predecessor: i64,
    successor: i64,
    effective_on: Option<Date>,
) -> Result<()> {
    q!(c, |x| {
        sqlx::query(
        "INSERT INTO unit_lineage (predecessor_id, successor_id, effective_on) VALUES ($1, $2, $3)
         ON CONFLICT (predecessor_id, successor_id) DO UPDATE SET effective_on = excluded.effective_on"
    )
    .bind(predecessor)
    .bind(successor)
    .bind(effective_on)
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// For each of these units that no longer stands on `at`, the units standing then that
/// continue it (through any chain of reorganisations), in tree order: what a list of old
/// work shows as "now". A unit that ended without a successor maps to nothing.
pub async fn continued_in(
    c: &mut Conn,
    ids: &[i64],
    at: Date,
) -> Result<std::collections::HashMap<i64, Vec<Unit>>> {
    let mut out: std::collections::HashMap<i64, Vec<Unit>> = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut params = Params::default();
    let day = params.push(Arg::Date(at));
    let list: Vec<String> = ids.iter().map(|id| params.push(Arg::Int(*id))).collect();
    let sql = format!(
        "WITH RECURSIVE walk (origin, id) AS (
             SELECT u.id, u.id FROM org_units u
              WHERE u.id IN ({list}) AND u.valid_to IS NOT NULL AND u.valid_to < {day}
             UNION
             SELECT walk.origin, l.successor_id FROM walk JOIN unit_lineage l ON l.predecessor_id = walk.id
         ),
         found (origin, id) AS (SELECT origin, id FROM walk WHERE id <> origin)
         {}JOIN found f ON f.id = u.id
         WHERE (u.valid_from IS NULL OR u.valid_from <= {day}) AND (u.valid_to IS NULL OR u.valid_to >= {day})
         ORDER BY f.origin, u.sort_key, u.id",
        select_units!().replacen("SELECT ", "SELECT f.origin, ", 1),
        list = list.join(", ")
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        origin: i64,
        #[sqlx(flatten)]
        unit: Unit,
    }
    let rows: Vec<Row> = q!(c, |x| bind_all!(
        sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?;
    for r in rows {
        out.entry(r.origin).or_default().push(r.unit);
    }
    Ok(out)
}

/// The units that took over from this one.
pub async fn successors(c: &mut Conn, id: i64) -> Result<Vec<Unit>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Unit>(concat!(
        select_units!(),
        "JOIN unit_lineage l ON l.successor_id = u.id WHERE l.predecessor_id = $1 ORDER BY u.sort_key"
    ))
    .bind(id)
    .fetch_all(x)
    .await
    })?)
}

/// The units this one took over from.
pub async fn predecessors(c: &mut Conn, id: i64) -> Result<Vec<Unit>> {
    Ok(q!(c, |x| {
        sqlx::query_as::<_, Unit>(concat!(
        select_units!(),
        "JOIN unit_lineage l ON l.predecessor_id = u.id WHERE l.successor_id = $1 ORDER BY u.sort_key"
    ))
    .bind(id)
    .fetch_all(x)
    .await
    })?)
}

/// Every stored unit, as an import needs to see them.
pub async fn existing_for_import(c: &mut Conn) -> Result<Vec<ExistingUnit>> {
    type Row = (i64, String, Option<i64>, Option<Date>, Option<Date>);
    let rows: Vec<Row> = q!(c, |x| sqlx::query_as(
        "SELECT id, code, parent_id, valid_from, valid_to FROM org_units"
    )
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, code, parent_id, valid_from, valid_to)| ExistingUnit {
            id,
            code,
            parent_id,
            valid_from,
            valid_to,
        })
        .collect())
}

pub async fn count(c: &mut Conn) -> Result<i64> {
    let (n,): (i64,) = q!(c, |x| sqlx::query_as("SELECT COUNT(*) FROM org_units")
        .fetch_one(x)
        .await)?;
    Ok(n)
}

/// Units by id, in no particular order (to label grants and users without N+1 queries).
pub async fn by_ids(c: &mut Conn, ids: &[i64]) -> Result<Vec<Unit>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, args) = in_list(select_units!(), "u.id", ids);
    Ok(q!(c, |x| bind_all!(
        sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(sql)),
        args
    )
    .fetch_all(x)
    .await)?)
}

/// Writes a checked import plan (parents first) and its lineage edges; returns the ids
/// of the rows' units in plan order. Call it inside a transaction.
pub async fn apply_import(
    c: &mut Conn,
    plan: &[dxplan_domain::unit_import::PlannedRow],
    now: OffsetDateTime,
) -> Result<ImportOutcome> {
    use dxplan_domain::unit_import::UnitRef;
    let mut ids: Vec<i64> = Vec::with_capacity(plan.len());
    let mut outcome = ImportOutcome::default();
    for row in plan {
        let parent_id = match row.parent {
            None => None,
            Some(UnitRef::Stored(id)) => Some(id),
            // Plans put parents first, so the parent's id is already known.
            Some(UnitRef::Row(i)) => Some(*ids.get(i).ok_or(StoreError::NotFound)?),
        };
        let id = match row.updates {
            Some(id) => {
                update(c, id, &row.fields, parent_id, None, now).await?;
                outcome.updated += 1;
                id
            }
            None => {
                outcome.created += 1;
                insert(c, &row.fields, parent_id, now).await?
            }
        };
        ids.push(id);
    }
    for (row, &id) in plan.iter().zip(&ids) {
        for successor in &row.successors {
            let successor_id = match *successor {
                UnitRef::Stored(s) => s,
                UnitRef::Row(i) => *ids.get(i).ok_or(StoreError::NotFound)?,
            };
            // The day after the predecessor's last day is when the successor took over.
            let effective = row.fields.valid_to.and_then(|d| d.next_day());
            add_lineage(c, id, successor_id, effective).await?;
            outcome.lineage += 1;
        }
    }
    outcome.ids = ids;
    Ok(outcome)
}

#[derive(Debug, Default, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
    pub lineage: usize,
    #[serde(skip)]
    pub ids: Vec<i64>,
}

/// The ids of these units and everything below them.
pub async fn subtree_ids(c: &mut Conn, roots: &[i64]) -> Result<Vec<i64>> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let sql = format!(
        "WITH RECURSIVE {} SELECT id FROM down",
        subtree_cte("down", roots, &mut params)
    );
    let rows: Vec<(i64,)> = q!(c, |x| bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        params.args
    )
    .fetch_all(x)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A query's restriction to the subtrees of `scope` (a caller's roots; `None` is
/// everywhere): the `WITH RECURSIVE …` to put first and the condition on `column`.
/// An empty scope selects nothing.
pub(crate) fn within_scope(
    scope: Option<&[i64]>,
    column: &str,
    params: &mut Params,
) -> (String, String) {
    match scope {
        None => (String::new(), String::new()),
        Some([]) => (String::new(), " AND 1 = 0".to_string()),
        Some(roots) => (
            format!("WITH RECURSIVE {} ", subtree_cte("scope", roots, params)),
            format!(" AND {column} IN (SELECT id FROM scope)"),
        ),
    }
}

/// A recursive CTE `name (id)` of the roots and every unit below them at any time: their
/// children, and the units they continue (a unit's history belongs to its successor; the
/// children of a merged-away parent belong to the parent's successor, unless they were
/// continued themselves: a district's communes that went to other new communes are
/// theirs, not the history of the unit that took over the district). The mirror of
/// [`lineage`]. `UNION` drops repeats, so the walk ends.
pub(crate) fn subtree_cte(name: &str, roots: &[i64], params: &mut Params) -> String {
    let list: Vec<String> = roots.iter().map(|id| params.push(Arg::Int(*id))).collect();
    // `crossed`: the walk has gone back along the lineage, from here on a child belongs
    // to the subtree only if it was not continued by a unit of its own.
    format!(
        "{name}_walk (id, crossed) AS (SELECT id, 0 FROM org_units WHERE id IN ({}) \
         UNION SELECT e.below, CASE WHEN e.back = 1 THEN 1 ELSE w.crossed END \
         FROM (SELECT parent_id AS above, id AS below, 0 AS back FROM org_units \
         WHERE parent_id IS NOT NULL UNION ALL SELECT successor_id, predecessor_id, 1 FROM unit_lineage) e \
         JOIN {name}_walk w ON e.above = w.id \
         WHERE w.crossed = 0 OR e.back = 1 \
         OR NOT EXISTS (SELECT 1 FROM unit_lineage c WHERE c.predecessor_id = e.below)), \
         {name} (id) AS (SELECT DISTINCT id FROM {name}_walk)",
        list.join(", ")
    )
}

/// Every lineage edge with its split weight.
pub async fn lineage_edges(c: &mut Conn) -> Result<Vec<dxplan_domain::reorg::LineageEdge>> {
    let rows: Vec<(i64, i64, Option<f64>)> = q!(c, |x| sqlx::query_as(
        "SELECT predecessor_id, successor_id, weight FROM unit_lineage"
    )
    .fetch_all(x)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(from, to, weight)| dxplan_domain::reorg::LineageEdge { from, to, weight })
        .collect())
}

/// Every unit with its successors, for matching the loose names documents use.
pub async fn known_units(c: &mut Conn) -> Result<Vec<dxplan_domain::unit_match::KnownUnit>> {
    let all: Vec<Unit> = q!(c, |x| sqlx::query_as::<_, Unit>(concat!(
        select_units!(),
        "ORDER BY u.sort_key, u.id"
    ))
    .fetch_all(x)
    .await)?;
    let edges: Vec<(i64, i64)> = q!(c, |x| sqlx::query_as(
        "SELECT predecessor_id, successor_id FROM unit_lineage"
    )
    .fetch_all(x)
    .await)?;
    Ok(all
        .into_iter()
        .map(|u| dxplan_domain::unit_match::KnownUnit {
            successors: edges
                .iter()
                .filter(|(p, _)| *p == u.id)
                .map(|(_, s)| *s)
                .collect(),
            id: u.id,
            code: u.code,
            name: u.name,
            short_name: u.short_name,
            kind: u.kind,
            valid_from: u.valid_from,
            valid_to: u.valid_to,
        })
        .collect())
}
