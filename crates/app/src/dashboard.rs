//! The operations centre's view data: one struct answers the steering committee's
//! questions for a plan, a year and a unit subtree. The dashboard page, its JSON API and
//! the generated reports all render this same struct, so their numbers cannot disagree.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use time::Date;

use dxplan_domain::Invalid;
use dxplan_domain::auth::{Action, Target as AuthTarget};
use dxplan_domain::dashboard::{
    self, Dashboard, DueSoonTask, KeyIndicator, Obstacle, OverdueTask, PlanRef, Row, StatusCount,
    TREND_YEARS, Tally, TaskFact, UnitRef, UnitRow, YearFigure,
};
use dxplan_domain::indicator::attainment;
use dxplan_domain::period::Period;
use dxplan_domain::task::{AcquisitionMode, DeadlineState, TaskStatus};
use dxplan_domain::unit::UnitKind;
use dxplan_store::tasks::{PeriodReport, TaskFilter, TaskSort};
use dxplan_store::{indicators, plans, tasks, units};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::indicators::ForecastAsk;
use crate::principal::CurrentUser;

/// Overdue tasks listed by name (the rest behind a link).
const OVERDUE_SHOWN: u32 = 10;
/// Latest obstacles listed.
const OBSTACLES_SHOWN: u32 = 12;

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DashboardQuery {
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    /// Unit code of the subtree shown.
    #[serde(default)]
    pub unit: Option<String>,
    /// A quarter or month of the year (`2026Q3`, `2026-08`) for indicators and obstacles.
    #[serde(default)]
    pub period: Option<String>,
    /// `then`: the units as they stood at the end of the year; otherwise as they are now.
    #[serde(default)]
    pub structure: Option<String>,
}

fn unit_ref(u: &units::Unit) -> UnitRef {
    UnitRef {
        id: u.id,
        code: u.code.clone(),
        name: u.name.clone(),
        kind: u.kind,
    }
}

/// The unit a user sees by default: the root of their own scope, or the province.
async fn default_unit(app: &App, user: &CurrentUser) -> AppResult<units::Unit> {
    let today = app.today();
    let mut c = app.db.read().await?;
    if let Some(first) = crate::tasks::task_scope(user)
        .as_deref()
        .and_then(|roots| roots.first())
    {
        return Ok(units::get(&mut c, *first).await?);
    }
    let all = app.standing_units(&mut c, today).await?;
    let valid: std::collections::HashSet<i64> = all.iter().map(|u| u.id).collect();
    all.iter()
        .find(|u| u.parent_id.is_none_or(|p| !valid.contains(&p)))
        .cloned()
        .ok_or(AppError::NotFound)
}

fn parse_number<T: std::str::FromStr>(field: &str, v: &Option<String>) -> AppResult<Option<T>> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<T>()
                .map_err(|_| AppError::field(field, Invalid::BadFormat))
        })
        .transpose()
}

/// Everything the dashboard shows for a query, within what the user may read.
pub async fn dashboard(app: &App, user: &CurrentUser, q: &DashboardQuery) -> AppResult<Dashboard> {
    Ok(dashboard_and_filter(app, user, q).await?.0)
}

/// What a query names, checked: the unit (which the user may read), the plan and the year.
struct Resolved {
    root: units::Unit,
    plans: Vec<plans::Plan>,
    /// Index into `plans`.
    plan: Option<usize>,
    year: i32,
    period: Option<Period>,
    /// The day whose units the dashboard is shown in.
    at: Date,
    as_it_was: bool,
}

async fn resolve(app: &App, user: &CurrentUser, q: &DashboardQuery) -> AppResult<Resolved> {
    // The dashboard of a unit is checked below; this refuses whoever reads nothing.
    user.require_somewhere(Action::ViewWork)?;
    let today = app.today();
    let plan_id: Option<i64> = parse_number("plan", &q.plan)?;
    let year: Option<i32> = parse_number("year", &q.year)?;
    if year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(AppError::field("year", Invalid::BadFormat));
    }
    let period = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => {
            let p =
                Period::parse(text).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
            // A period narrows a year; it cannot name another one.
            if year.is_some_and(|y| y != p.start().year()) {
                return Err(AppError::field("period", Invalid::BadPeriod));
            }
            Some(p)
        }
    };
    let year = year.or(period.map(|p| p.start().year()));
    let as_it_was = super::Structure::parse(q.structure.as_deref(), super::Structure::AsItIsNow)?
        == super::Structure::AsItWas;
    // As it was: the units of the year's last day (or today, for this year).
    let at = match year {
        Some(y) if as_it_was => Date::from_calendar_date(y, time::Month::December, 31)
            .map_or(today, |end| end.min(today)),
        _ => today,
    };
    let root = match q.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => {
            let mut c = app.db.read().await?;
            units::by_code(&mut c, code, at)
                .await?
                .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?
        }
        None => default_unit(app, user).await?,
    };
    let mut c = app.db.read().await?;
    let lineage = units::lineage(&mut c, root.id).await?;
    user.require(Action::ViewWork, AuthTarget::Unit(&lineage))?;

    let all_plans = plans::list(&mut c).await?;
    let plan = match plan_id {
        Some(id) => Some(
            all_plans
                .iter()
                .position(|p| p.id == id)
                .ok_or_else(|| AppError::field("plan", Invalid::BadFormat))?,
        ),
        None => {
            let wanted = i64::from(year.unwrap_or(today.year()));
            all_plans
                .iter()
                .position(|p| p.year == wanted)
                .or(if all_plans.is_empty() { None } else { Some(0) })
        }
    };
    let year = year
        .or(plan.map(|i| all_plans[i].year as i32))
        .unwrap_or(today.year());
    // A plan's year decides "as it was" when no year was named.
    let at = if as_it_was && at == today {
        Date::from_calendar_date(year, time::Month::December, 31)
            .map_or(today, |end| end.min(today))
    } else {
        at
    };
    Ok(Resolved {
        root,
        plans: all_plans,
        plan,
        year,
        period,
        at,
        as_it_was,
    })
}

/// Refuses a query the dashboard would refuse (bad filters, a unit out of reach) without
/// computing anything: what a background job checks before it starts.
/// Checks a query for this user and names its unit: the same query with the unit the
/// user lands on when none was named, so that it means the same for anyone later (an
/// export job is read back with the rights of whoever asks for it then).
pub async fn check_query(
    app: &App,
    user: &CurrentUser,
    q: &DashboardQuery,
) -> AppResult<DashboardQuery> {
    let resolved = resolve(app, user, q).await?;
    Ok(DashboardQuery {
        unit: Some(resolved.root.code),
        ..q.clone()
    })
}

/// What a dashboard is computed from: the reader's scope and the query as resolved. Two
/// readers with the same scope asking the same thing on the same day see the same numbers,
/// so one computation serves both until a change is committed (or a few seconds pass).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DashboardKey {
    scope: Option<Vec<i64>>,
    root: i64,
    plan: Option<i64>,
    year: i32,
    period: Option<Period>,
    at: Date,
    as_it_was: bool,
    today: Date,
}

/// The dashboard and the task filter behind its numbers (what its task sheet lists).
pub async fn dashboard_and_filter(
    app: &App,
    user: &CurrentUser,
    q: &DashboardQuery,
) -> AppResult<(Dashboard, TaskFilter)> {
    // Checked for every request: the rights on the unit are never remembered.
    let resolved = resolve(app, user, q).await?;
    let key = DashboardKey {
        scope: crate::tasks::task_scope(user).map(|mut roots| {
            roots.sort_unstable();
            roots.dedup();
            roots
        }),
        root: resolved.root.id,
        plan: resolved.plan.map(|i| resolved.plans[i].id),
        year: resolved.year,
        period: resolved.period,
        at: resolved.at,
        as_it_was: resolved.as_it_was,
        today: app.today(),
    };
    let computed = app
        .memo
        .dashboards
        .get_or_read_alone(&app.memo, key, || async {
            compute(app, user, resolved).await.map(Arc::new)
        })
        .await?;
    Ok((computed.0.clone(), computed.1.clone()))
}

async fn compute(
    app: &App,
    user: &CurrentUser,
    resolved: Resolved,
) -> AppResult<(Dashboard, TaskFilter)> {
    let Resolved {
        root,
        plans: all_plans,
        plan,
        year,
        period,
        at,
        as_it_was,
    } = resolved;
    let plan = plan.map(|i| &all_plans[i]);
    let today = app.today();
    let mut c = app.db.read().await?;

    // The user's scope and the unit's subtree, each left out where it holds every unit.
    let filter = crate::tasks::list::scoped(
        &mut c,
        app,
        user,
        TaskFilter {
            // No plan yet: an id no plan has, so nothing is counted.
            plan_id: Some(plan.map_or(-1, |p| p.id)),
            ..TaskFilter::default()
        },
        Some(&root),
    )
    .await?;
    let facts = tasks::facts(&mut c, &filter).await?;
    let overall = dashboard::tally(&facts, today);
    let statuses = {
        let by_status = dashboard::tally_by(&facts, today, |f| f.status);
        TaskStatus::ALL
            .iter()
            .map(|s| StatusCount {
                status: *s,
                count: by_status
                    .iter()
                    .find(|(k, _)| k == s)
                    .map_or(0, |(_, t)| t.total),
            })
            .collect()
    };

    // Groups and pillars in the plan's order, each with its tally.
    let group_list = match plan {
        Some(p) => plans::groups(&mut c, p.id).await?,
        None => Vec::new(),
    };
    let by_group = dashboard::tally_by(&facts, today, |f| f.group_id);
    let tally_of_group = |id: Option<i64>| {
        by_group
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, t)| t.clone())
    };
    let mut groups: Vec<Row> = group_list
        .iter()
        .map(|g| Row {
            key: g.id.to_string(),
            code: g.code.clone(),
            name: g.name.clone(),
            name_en: None,
            tally: tally_of_group(Some(g.id)).unwrap_or_default(),
        })
        .collect();
    if let Some(t) = tally_of_group(None) {
        groups.push(Row {
            key: String::new(),
            code: "–".into(),
            name: "Chưa phân nhóm".into(),
            name_en: Some("No group".into()),
            tally: t,
        });
    }
    let group_pillar: HashMap<i64, &str> = group_list
        .iter()
        .map(|g| (g.id, g.pillar_code.as_str()))
        .collect();
    let by_pillar = dashboard::tally_by(&facts, today, |f| {
        f.group_id
            .and_then(|g| group_pillar.get(&g).copied())
            .unwrap_or_default()
    });
    let pillars = plans::pillars(&mut c)
        .await?
        .into_iter()
        .filter_map(|p| {
            by_pillar
                .iter()
                .find(|(k, _)| *k == p.code)
                .map(|(_, t)| Row {
                    key: p.code.clone(),
                    code: p.code.clone(),
                    name: p.name_vi.clone(),
                    name_en: Some(p.name_en.clone()),
                    tally: t.clone(),
                })
        })
        .collect();

    // Each task counts for the unit directly below the root that it falls under, in the
    // structure shown: a task of a unit merged away since counts for its successor (the
    // one taking the largest share of a split unit).
    let valid = app.standing_units(&mut c, at).await?;
    let parent: HashMap<i64, Option<i64>> = valid.iter().map(|u| (u.id, u.parent_id)).collect();
    let lineage = dxplan_domain::reorg::Lineage::new(&units::lineage_edges(&mut c).await?);
    let mut carried: HashMap<i64, i64> = HashMap::new();
    for f in &facts {
        if !parent.contains_key(&f.lead_unit_id) && !carried.contains_key(&f.lead_unit_id) {
            let shares = lineage.shares_onto(f.lead_unit_id, |u| parent.contains_key(&u));
            if let Some((to, _)) = shares.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
                carried.insert(f.lead_unit_id, *to);
            }
        }
    }
    let top_of = |id: i64| -> i64 {
        let mut id = carried.get(&id).copied().unwrap_or(id);
        for _ in 0..16 {
            match parent.get(&id).copied().flatten() {
                Some(p) if p == root.id => return id,
                Some(p) => id = p,
                None => break,
            }
        }
        root.id
    };
    let by_unit = dashboard::tally_by(&facts, today, |f| top_of(f.lead_unit_id));
    // Keyed: a province has a hundred units below it and a dozen groups.
    let cells: HashMap<(i64, Option<i64>), Tally> =
        dashboard::tally_by(&facts, today, |f| (top_of(f.lead_unit_id), f.group_id))
            .into_iter()
            .collect();
    let mut row_units: Vec<&units::Unit> = valid
        .iter()
        .filter(|u| u.parent_id == Some(root.id))
        .collect();
    if by_unit.iter().any(|(id, _)| *id == root.id) {
        row_units.insert(0, &root);
    }
    let unit_rows: Vec<UnitRow> = row_units
        .iter()
        .map(|u| UnitRow {
            unit: unit_ref(u),
            tally: by_unit
                .iter()
                .find(|(id, _)| *id == u.id)
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
            by_group: groups
                .iter()
                .map(|g| {
                    let gid = g.key.parse::<i64>().ok();
                    cells.get(&(u.id, gid)).and_then(Tally::average_progress)
                })
                .collect(),
        })
        .collect();
    let ranking_of = |kinds: &[UnitKind]| -> Vec<usize> {
        let mut rows: Vec<(usize, Tally)> = unit_rows
            .iter()
            .enumerate()
            .filter(|(_, r)| kinds.contains(&r.unit.kind) && r.tally.live() > 0)
            .map(|(i, r)| (i, r.tally.clone()))
            .collect();
        dashboard::ranking(&mut rows);
        rows.into_iter().map(|(i, _)| i).collect()
    };
    let department_ranking = ranking_of(&[UnitKind::Department]);
    let locality_ranking = ranking_of(&[UnitKind::District, UnitKind::Commune]);

    let overdue_page = tasks::list(
        &mut c,
        &TaskFilter {
            overdue: true,
            sort: TaskSort::Due,
            limit: OVERDUE_SHOWN,
            ..filter.clone()
        },
    )
    .await?;
    let overdue = overdue_page
        .tasks
        .into_iter()
        .map(|t| OverdueTask {
            days_late: (today - t.due_date).whole_days(),
            id: t.id,
            code: t.code,
            title: t.title,
            unit: t.lead_unit_name,
            due: t.due_date,
            progress: t.progress,
        })
        .collect();
    let due_soon_days = app.settings.due_soon_days;
    let due_soon_total = facts
        .iter()
        .filter(|f| {
            DeadlineState::of(f.status, f.due, today, due_soon_days) == DeadlineState::DueSoon
        })
        .count() as u32;
    let due_soon = if due_soon_total == 0 {
        Vec::new()
    } else {
        tasks::list_counted(
            &mut c,
            &TaskFilter {
                due_within_days: Some(i64::from(due_soon_days)),
                sort: TaskSort::Due,
                limit: OVERDUE_SHOWN,
                ..filter.clone()
            },
            Some(i64::from(due_soon_total)),
        )
        .await?
        .tasks
        .into_iter()
        .map(|t| DueSoonTask {
            days_left: (t.due_date - today).whole_days(),
            id: t.id,
            code: t.code,
            title: t.title,
            unit: t.lead_unit_name,
            due: t.due_date,
            progress: t.progress,
        })
        .collect()
    };
    let inside: std::collections::HashSet<i64> = app
        .subtree(&mut c, &[root.id])
        .await?
        .iter()
        .copied()
        .collect();
    let silent_units = match plan {
        Some(p) => tasks::units_without_tasks(&mut c, p.id, today)
            .await?
            .iter()
            .filter(|u| inside.contains(&u.id))
            .map(unit_ref)
            .collect(),
        None => Vec::new(),
    };
    let modes = mode_rows(&facts, today);
    let peers = peers(&mut c, &root, &valid, plan.map(|p| p.id), today).await?;
    let obstacles = tasks::latest_obstacles(
        &mut c,
        &filter,
        period.map(|p| p.to_string()).as_deref(),
        OBSTACLES_SHOWN,
    )
    .await?
    .into_iter()
    .map(obstacle)
    .collect();

    // The indicators the unit was given a target for this year, with five years of trend.
    let key_ids: Vec<i64> = indicators::targets_for(&mut c, root.id, Period::Year(year))
        .await?
        .iter()
        .map(|t| t.indicator_id)
        .collect();
    let catalogue = app.catalogue(&mut c).await?;
    drop(c);
    let key_indicators = if key_ids.is_empty() {
        Vec::new()
    } else {
        // Five years for the trend, then the chosen quarter or month when there is one.
        let periods: Vec<Period> = (year - TREND_YEARS + 1..=year).map(Period::Year).collect();
        let mut asked = periods.clone();
        asked.extend(period);
        let mut per_period =
            crate::indicators::rollup_periods(app, &root.code, &asked, at, Some(&key_ids)).await?;
        let of_period = if period.is_some() {
            per_period.pop()
        } else {
            per_period.last().cloned()
        };
        let per_year = per_period;
        let key: Vec<&crate::indicators::Indicator> = catalogue
            .iter()
            .filter(|i| key_ids.contains(&i.id))
            .collect();
        let year_of = |i: &crate::indicators::Indicator,
                       views: &Vec<crate::indicators::RollupView>| {
            views.iter().find(|v| v.indicator == i.code).cloned()
        };
        let asks: Vec<ForecastAsk<'_>> = key
            .iter()
            .map(|i| {
                let years: Vec<Option<crate::indicators::RollupView>> =
                    per_year.iter().map(|views| year_of(i, views)).collect();
                let (this_year, past) = years.split_last().unwrap_or((&None, &[]));
                ForecastAsk {
                    indicator: i,
                    target: this_year.as_ref().and_then(|v| v.target),
                    past_years: past
                        .iter()
                        .map(|v| v.as_ref().and_then(|v| v.value))
                        .collect(),
                    this_year: this_year.as_ref().and_then(|v| v.value),
                }
            })
            .collect();
        let forecasts = crate::indicators::year_forecasts(app, &root.code, year, at, &asks).await?;
        let mut cards: Vec<KeyIndicator> = key
            .iter()
            .map(|i| {
                let of_year = |views: &Vec<crate::indicators::RollupView>| year_of(i, views);
                let trend: Vec<YearFigure> = periods
                    .iter()
                    .zip(&per_year)
                    .map(|(p, views)| {
                        let v = of_year(views);
                        YearFigure {
                            year: p.start().year(),
                            value: v.as_ref().and_then(|v| v.value),
                            target: v.and_then(|v| v.target),
                        }
                    })
                    .collect();
                let now = of_period.as_ref().and_then(of_year);
                let value = now.as_ref().and_then(|v| v.value);
                // Targets are set for a year: a quarter is measured against its year's.
                let target = now
                    .as_ref()
                    .and_then(|v| v.target)
                    .or_else(|| trend.last().and_then(|y| y.target));
                KeyIndicator {
                    code: i.code.clone(),
                    name: i.name.clone(),
                    unit_of_measure: i.unit_of_measure.clone(),
                    period_type: i.period_type,
                    value,
                    target,
                    attainment: value
                        .zip(target)
                        .map(|(v, t)| attainment(i.direction, v, t)),
                    reported_units: now.as_ref().map_or(0, |v| v.reported_units),
                    missing_units: now.as_ref().map_or(0, |v| v.missing.len()),
                    trend,
                    forecast: forecasts
                        .get(&i.id)
                        .copied()
                        .unwrap_or_else(dxplan_domain::forecast::Forecast::unknown),
                }
            })
            .collect();
        // Those heading for a miss first; the catalogue's order within a colour.
        cards.sort_by_key(|c| c.forecast.outlook.rank());
        cards
    };

    let overdue_total = overall.overdue;
    let dashboard = Dashboard {
        unit: unit_ref(&root),
        plan: plan.map(plan_ref),
        plans: all_plans.iter().map(plan_ref).collect(),
        year,
        period,
        today,
        as_it_was,
        overall,
        statuses,
        pillars,
        groups,
        units: unit_rows,
        department_ranking,
        locality_ranking,
        overdue,
        overdue_total,
        due_soon,
        due_soon_total,
        silent_units,
        indicators: key_indicators,
        modes,
        obstacles,
        peers,
    };
    Ok((dashboard, filter))
}

/// The unit's peers (same kind, same parent) with their tallies, best first. Only counts
/// leave here, never a peer's tasks: rankings of units are published to every unit.
async fn peers(
    c: &mut dxplan_store::Conn,
    root: &units::Unit,
    valid: &[units::Unit],
    plan_id: Option<i64>,
    today: Date,
) -> AppResult<Vec<UnitRow>> {
    let (Some(parent), Some(plan_id)) = (root.parent_id, plan_id) else {
        return Ok(Vec::new());
    };
    if !matches!(
        root.kind,
        UnitKind::Department | UnitKind::District | UnitKind::Commune
    ) {
        return Ok(Vec::new());
    }
    let siblings: Vec<&units::Unit> = valid
        .iter()
        .filter(|u| u.parent_id == Some(parent) && u.kind == root.kind)
        .collect();
    let facts = tasks::facts(
        c,
        &TaskFilter {
            plan_id: Some(plan_id),
            unit_subtree: Some(parent),
            today: Some(today),
            ..TaskFilter::default()
        },
    )
    .await?;
    let parent_of: HashMap<i64, Option<i64>> = valid.iter().map(|u| (u.id, u.parent_id)).collect();
    let sibling_of = |mut id: i64| -> Option<i64> {
        for _ in 0..16 {
            match parent_of.get(&id).copied().flatten() {
                Some(p) if p == parent => return Some(id),
                Some(p) => id = p,
                None => return None,
            }
        }
        None
    };
    let by_sibling = dashboard::tally_by(&facts, today, |f| sibling_of(f.lead_unit_id));
    let mut rows: Vec<(UnitRow, Tally)> = siblings
        .iter()
        .map(|u| {
            let tally = by_sibling
                .iter()
                .find(|(id, _)| *id == Some(u.id))
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            (
                UnitRow {
                    unit: unit_ref(u),
                    tally: tally.clone(),
                    by_group: Vec::new(),
                },
                tally,
            )
        })
        .collect();
    dashboard::ranking(&mut rows);
    Ok(rows.into_iter().map(|(r, _)| r).collect())
}

fn obstacle(r: PeriodReport) -> Obstacle {
    Obstacle {
        period: r.period,
        task_id: r.task_id,
        task_code: r.task_code,
        task_title: r.task_title,
        group_code: r.group_code,
        group_name: r.group_name,
        unit_name: r.unit_name,
        progress: r.progress,
        obstacles: r.obstacles,
        proposals: r.proposals,
    }
}

fn plan_ref(p: &plans::Plan) -> PlanRef {
    PlanRef {
        id: p.id,
        year: p.year,
        title: p.title.clone(),
    }
}

/// Budget and tasks by acquisition mode: renting first, as the province asks.
fn mode_rows(facts: &[TaskFact], today: Date) -> Vec<Row> {
    let by_mode = dashboard::tally_by(facts, today, |f| {
        f.acquisition_mode
            .as_deref()
            .and_then(AcquisitionMode::parse)
    });
    let mut rows: Vec<Row> = AcquisitionMode::ALL
        .iter()
        .filter_map(|m| {
            by_mode
                .iter()
                .find(|(k, _)| *k == Some(*m))
                .map(|(_, t)| Row {
                    key: m.as_str().into(),
                    code: m.as_str().into(),
                    name: m.label(dxplan_domain::Lang::Vi).into(),
                    name_en: Some(m.label(dxplan_domain::Lang::En).into()),
                    tally: t.clone(),
                })
        })
        .collect();
    if let Some((_, t)) = by_mode.iter().find(|(k, _)| k.is_none()) {
        rows.push(Row {
            key: String::new(),
            code: String::new(),
            name: "Chưa xác định".into(),
            name_en: Some("Not stated".into()),
            tally: t.clone(),
        });
    }
    rows
}
