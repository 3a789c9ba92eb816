//! Use cases for indicators, reporting forms, targets, data values and roll-ups.

use std::collections::HashMap;

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::indicator::{
    Attainment, Figure, IndicatorInput, PeriodType, ValueInput, ValueRules, attainment,
    check_value, combine, roll_up, validate_indicator,
};
use dxplan_domain::period::Period;
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::attachments::{self, ValueFile};
use dxplan_store::audit::NewEvent;
use dxplan_store::indicators::{self, Indicator, ValueWrite};
use dxplan_store::{StoreError, units};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

use super::{Caller, record};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// The indicator catalogue, its forms and province-wide targets belong to the whole
/// province: managed only with a grant at the top of today's tree.
async fn require_catalogue(
    c: &mut dxplan_store::Conn,
    app: &App,
    caller: &Caller<'_>,
) -> AppResult<()> {
    caller.require_province(c, app, Action::ManagePlans).await
}

async fn owner_id(
    c: &mut dxplan_store::Conn,
    app: &App,
    code: Option<&str>,
) -> AppResult<Option<i64>> {
    match code {
        None => Ok(None),
        Some(code) => Ok(Some(
            units::by_code(c, code, app.today())
                .await?
                .ok_or_else(|| AppError::field("owner_unit_code", Invalid::UnknownUnit))?
                .id,
        )),
    }
}

pub async fn create_indicator(
    app: &App,
    caller: &Caller<'_>,
    input: &IndicatorInput,
) -> AppResult<Indicator> {
    let mut c = app.db.begin().await?;
    require_catalogue(&mut c, app, caller).await?;
    let fields = validate_indicator(input).map_err(AppError::Validation)?;
    let owner = owner_id(&mut c, app, fields.owner_unit_code.as_deref()).await?;
    let id = match indicators::insert(&mut c, &fields, owner, app.now()).await {
        Err(StoreError::Duplicate) => return Err(AppError::field("code", Invalid::Taken)),
        other => other?,
    };
    let indicator = indicators::get(&mut c, id).await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "indicator.create",
            entity_type: "indicator",
            entity_id: Some(id.to_string()),
            summary: format!("{} {}", indicator.code, indicator.name),
            before: None,
            after: Some(json!(indicator)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(indicator)
}

/// Rewrites an indicator of the catalogue (`version`: refuse if someone changed it since).
pub async fn update_indicator(
    app: &App,
    caller: &Caller<'_>,
    code: &str,
    input: &IndicatorInput,
    version: Option<i64>,
) -> AppResult<Indicator> {
    let mut c = app.db.begin().await?;
    require_catalogue(&mut c, app, caller).await?;
    let fields = validate_indicator(input).map_err(AppError::Validation)?;
    let before = indicators::by_code(&mut c, code)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner = owner_id(&mut c, app, fields.owner_unit_code.as_deref()).await?;
    match indicators::update(&mut c, before.id, &fields, owner, version, app.now()).await {
        Err(StoreError::Duplicate) => return Err(AppError::field("code", Invalid::Taken)),
        other => other?,
    }
    let after = indicators::get(&mut c, before.id).await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "indicator.update",
            entity_type: "indicator",
            entity_id: Some(before.id.to_string()),
            summary: format!("{} {}", after.code, after.name),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(after)
}

/// Resolves a unit code the caller may act on with `action`: the unit holding the code
/// on `day` (a figure's period end, so a retired unit still takes late figures for its
/// own periods), else today.
async fn unit_for(
    app: &App,
    caller: &Caller<'_>,
    code: &str,
    day: Date,
    action: Action,
) -> AppResult<units::Unit> {
    let mut c = app.db.read().await?;
    let unit = units::by_code_for(&mut c, code, day, app.today())
        .await?
        .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?;
    let lineage = units::lineage(&mut c, unit.id).await?;
    caller.require(action, Target::Unit(&lineage))?;
    Ok(unit)
}

/// One row of a bulk write.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueRow {
    #[serde(default)]
    pub indicator: String,
    #[serde(flatten)]
    pub input: ValueInput,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(flatten, default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub _others: crate::NoOtherFields,
}

/// The outcome of one row.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowResult {
    pub row: usize,
    pub indicator: String,
    pub ok: bool,
    pub id: Option<i64>,
    /// The row's refusals: `{"field", "message"}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub errors: Vec<serde_json::Value>,
}

/// Saves (or submits) a unit's figures for a period — every row or none. Each row is
/// checked by its indicator's measure; the answer says, row by row, what happened.
pub async fn save_values(
    app: &App,
    caller: &Caller<'_>,
    unit_code: &str,
    period: &str,
    rows: &[ValueRow],
    submit: bool,
) -> AppResult<Vec<RowResult>> {
    // The unit itself must be known and in scope before rows are looked at.
    let action = if submit {
        Action::SubmitUnitWork
    } else {
        Action::EditUnitWork
    };
    let parsed =
        Period::parse(period).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    unit_for(app, caller, unit_code, parsed.end(), action).await?;
    let items: Vec<ExchangeRow> = rows
        .iter()
        .map(|row| ExchangeRow {
            unit: unit_code.to_string(),
            period: period.to_string(),
            row: row.clone(),
        })
        .collect();
    save_many(app, caller, &items, submit).await
}

/// A row of the long exchange format: which unit, which period, which figure.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExchangeRow {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub period: String,
    #[serde(flatten)]
    pub row: ValueRow,
}

/// Saves figures for any units and periods in the caller's scope, all or none. A unit
/// outside the scope refuses the whole request.
pub async fn save_many(
    app: &App,
    caller: &Caller<'_>,
    items: &[ExchangeRow],
    submit: bool,
) -> AppResult<Vec<RowResult>> {
    let action = if submit {
        Action::SubmitUnitWork
    } else {
        Action::EditUnitWork
    };
    let lang = dxplan_domain::Lang::Vi;
    let today = app.today();
    let mut results = Vec::new();
    let mut checked = Vec::new();
    let mut seen: Vec<(String, String, String)> = Vec::new();
    // By code and the period's last day: a code reused after a reorganisation names the
    // unit that held it in the period the figure is for.
    let mut unit_cache: HashMap<(String, Option<Date>), Option<i64>> = HashMap::new();
    {
        let mut c = app.db.read().await?;
        // The whole catalogue in one query rather than one per row.
        let all = indicators::list(&mut c, None, None).await?;
        let catalogue: HashMap<&str, &Indicator> =
            all.iter().map(|i| (i.code.as_str(), i)).collect();
        for (i, item) in items.iter().enumerate() {
            let row = &item.row;
            let mut errors: Vec<FieldError> = Vec::new();
            let period_end = Period::parse(&item.period).map(|p| p.end());
            let cache_key = (item.unit.clone(), period_end);
            let unit_id = match unit_cache.get(&cache_key) {
                Some(known) => *known,
                None => {
                    let found =
                        units::by_code_for(&mut c, &item.unit, period_end.unwrap_or(today), today)
                            .await?;
                    if let Some(u) = &found {
                        let lineage = units::lineage(&mut c, u.id).await?;
                        caller.require(action, Target::Unit(&lineage))?;
                    }
                    let id = found.map(|u| u.id);
                    unit_cache.insert(cache_key, id);
                    id
                }
            };
            if unit_id.is_none() {
                errors.push(FieldError::new("unit", Invalid::UnknownUnit));
            }
            let period = Period::parse(&item.period);
            if period.is_none() {
                errors.push(FieldError::new("period", Invalid::BadPeriod));
            }
            let indicator = catalogue.get(row.indicator.trim()).copied();
            let key = (
                item.unit.clone(),
                item.period.clone(),
                row.indicator.clone(),
            );
            let mut ok_row = None;
            match (&indicator, period) {
                (None, _) => errors.push(FieldError::new("indicator", Invalid::UnknownIndicator)),
                (Some(ind), Some(p)) if PeriodType::of(p) != ind.period_type => {
                    errors.push(FieldError::new("period", Invalid::BadPeriod))
                }
                (Some(_), _) if seen.contains(&key) => {
                    errors.push(FieldError::new("indicator", Invalid::Taken))
                }
                (Some(ind), _) => {
                    let rules = ValueRules {
                        measure: ind.measure,
                        min_value: ind.min_value,
                        max_value: ind.max_value,
                    };
                    match check_value(&rules, &row.input) {
                        Ok(v) => ok_row = Some((ind.id, v)),
                        Err(e) => errors.extend(e),
                    }
                }
            }
            if let (true, true, Some(ind), Some(unit_id), Some(p)) =
                (submit, errors.is_empty(), &indicator, unit_id, period)
                && ind.evidence_required
                && !has_evidence(&mut c, ind.id, unit_id, p).await?
            {
                errors.push(FieldError::new("evidence", Invalid::EvidenceRequired));
            }
            seen.push(key);
            results.push(RowResult {
                row: i + 1,
                indicator: row.indicator.clone(),
                ok: errors.is_empty(),
                id: None,
                errors: errors
                    .iter()
                    .map(|e| json!({"field": e.field, "message": e.invalid.message(lang)}))
                    .collect(),
            });
            if let (Some(v), Some(unit_id), Some(period), true) =
                (ok_row, unit_id, period, errors.is_empty())
            {
                checked.push((i, v, unit_id, period, row));
            }
        }
    }
    if results.iter().any(|r| !r.ok) {
        return Err(AppError::ValueRows(results));
    }
    let now = app.now();
    let mut c = app.db.begin().await?;
    for (i, (indicator_id, v), unit_id, period, row) in checked {
        let id = indicators::write_value(
            &mut c,
            &ValueWrite {
                indicator_id,
                unit_id,
                period,
                value: v.value,
                numerator: v.numerator,
                denominator: v.denominator,
                status: if submit { "submitted" } else { "draft" },
                comment: row.comment.as_deref(),
                actor_id: caller.actor.user_id,
                actor_name: &caller.actor.name,
            },
            row.version,
            now,
        )
        .await?;
        results[i].id = Some(id);
        if submit {
            super::webhooks::emit(
                &mut c,
                dxplan_domain::webhook::EventType::DataSubmitted,
                json!({"data_value": {
                    "id": id, "indicator": row.indicator, "indicator_id": indicator_id,
                    "unit_id": unit_id, "period": period.to_string(), "value": v.value,
                    "numerator": v.numerator, "denominator": v.denominator,
                }}),
                now,
            )
            .await?;
        }
    }
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: if submit { "data.submit" } else { "data.save" },
            entity_type: "data_value",
            entity_id: None,
            summary: format!("{} values", results.len()),
            before: None,
            after: None,
        },
    )
    .await?;
    c.commit().await?;
    Ok(results)
}

/// The coordinator approves or rejects (with a reason) a submitted figure.
pub async fn review_value(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    approve: bool,
    comment: Option<&str>,
) -> AppResult<()> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let mut c = app.db.begin().await?;
    let value = indicators::value_by_id(&mut c, id).await?;
    let lineage = units::lineage(&mut c, value.unit_id).await?;
    caller.require(Action::ReviewWork, Target::Unit(&lineage))?;
    if !approve && comment.is_none() {
        return Err(AppError::field("comment", Invalid::Required));
    }
    indicators::review_value(
        &mut c,
        id,
        approve,
        comment,
        caller.actor.user_id,
        &caller.actor.name,
        app.now(),
    )
    .await
    .map_err(|e| match e {
        StoreError::VersionConflict => AppError::conflict(
            "not_submitted",
            "Chỉ xem xét số liệu đang chờ duyệt.",
            "Only submitted figures are reviewed.",
        ),
        other => other.into(),
    })?;
    if approve {
        super::webhooks::emit(
            &mut c,
            dxplan_domain::webhook::EventType::DataApproved,
            json!({"data_value": {
                "id": id, "indicator_id": value.indicator_id, "unit_id": value.unit_id,
                "period": value.period, "value": value.value, "numerator": value.numerator,
                "denominator": value.denominator,
            }}),
            app.now(),
        )
        .await?;
    }
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: if approve {
                "data.approve"
            } else {
                "data.reject"
            },
            entity_type: "data_value",
            entity_id: Some(id.to_string()),
            summary: format!("{}: {}", value.period, value.value),
            before: Some(json!(value)),
            after: None,
        },
    )
    .await?;
    c.commit().await?;
    Ok(())
}

/// A roll-up as the API and pages show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollupView {
    pub indicator: String,
    pub unit: String,
    pub period: String,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub target: Option<f64>,
    pub attainment: Option<Attainment>,
    pub reported_units: usize,
    pub missing: Vec<String>,
    /// Part of the figure is a split unit's share, estimated by the split's weight (a
    /// population share, say): history mapped onto units that did not exist then.
    pub estimated: bool,
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub children: Vec<RollupView>,
}

/// The unit tree on a date, loaded once for any number of roll-ups.
struct Tree {
    names: HashMap<i64, String>,
    kinds: HashMap<i64, String>,
    children: HashMap<i64, Vec<i64>>,
    /// Where a unit's figures count: itself when valid on the date, else the units it
    /// continues in on that date, each with its share (a split's weight; 1 for a merge).
    counts_for: HashMap<i64, Vec<(i64, f64)>>,
}

impl Tree {
    async fn load(app: &App, at: Date) -> AppResult<Tree> {
        let mut c = app.db.read().await?;
        let all = units::known_units(&mut c).await?;
        let valid_units = units::valid_on(&mut c, at).await?;
        let valid: std::collections::HashSet<i64> = valid_units.iter().map(|u| u.id).collect();
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for u in &valid_units {
            if let Some(p) = u.parent_id.filter(|p| valid.contains(p)) {
                children.entry(p).or_default().push(u.id);
            }
        }
        let lineage = dxplan_domain::reorg::Lineage::new(&units::lineage_edges(&mut c).await?);
        let counts_for = all
            .iter()
            .map(|u| {
                let shares = if valid.contains(&u.id) {
                    vec![(u.id, 1.0)]
                } else {
                    lineage.shares_onto(u.id, |id| valid.contains(&id))
                };
                (u.id, shares)
            })
            .filter(|(_, shares)| !shares.is_empty())
            .collect();
        Ok(Tree {
            names: all.iter().map(|u| (u.id, u.name.clone())).collect(),
            kinds: all
                .iter()
                .map(|u| (u.id, u.kind.as_str().to_string()))
                .collect(),
            children,
            counts_for,
        })
    }

    fn subtree(&self, root: i64) -> Vec<i64> {
        let mut out = vec![root];
        let mut i = 0;
        while i < out.len() {
            if let Some(kids) = self.children.get(&out[i]) {
                out.extend(kids);
            }
            i += 1;
        }
        out
    }

    /// Units whose figures count inside a subtree, merged-away predecessors included.
    fn sources_within(&self, root: i64) -> Vec<i64> {
        let inside: std::collections::HashSet<i64> = self.subtree(root).into_iter().collect();
        self.counts_for
            .iter()
            .filter(|(_, shares)| shares.iter().any(|(to, _)| inside.contains(to)))
            .map(|(from, _)| *from)
            .collect()
    }

    /// The tree pruned to units expected to report (and the units above them).
    fn pruned(&self, expected: &[String]) -> HashMap<i64, Vec<i64>> {
        if expected.is_empty() {
            return self.children.clone();
        }
        fn relevant(u: i64, t: &Tree, expected: &[String], memo: &mut HashMap<i64, bool>) -> bool {
            if let Some(v) = memo.get(&u) {
                return *v;
            }
            let own = t.kinds.get(&u).is_some_and(|k| expected.contains(k));
            let v = own
                || t.children
                    .get(&u)
                    .is_some_and(|k| k.iter().any(|c| relevant(*c, t, expected, memo)));
            memo.insert(u, v);
            v
        }
        let mut memo = HashMap::new();
        self.children
            .iter()
            .map(|(p, kids)| {
                (
                    *p,
                    kids.iter()
                        .copied()
                        .filter(|c| relevant(*c, self, expected, &mut memo))
                        .collect(),
                )
            })
            .collect()
    }
}

/// Units whose figure includes a split unit's share, estimated by the split's weight.
type Estimated = std::collections::HashSet<i64>;

/// A share short of the whole: part of a split unit.
fn is_part(share: f64) -> bool {
    share < 1.0 - 1e-9
}

/// One indicator's figures combined per unit: over time, after merged units' figures of
/// the same period are combined across units (a split unit's by its share).
fn own_figures(
    rule: dxplan_domain::indicator::Aggregation,
    tree: &Tree,
    figures: &[&indicators::StoredFigure],
) -> (HashMap<i64, Figure>, Estimated) {
    let across = match rule {
        dxplan_domain::indicator::Aggregation::Latest => dxplan_domain::indicator::Aggregation::Sum,
        other => other,
    };
    let mut per_unit: HashMap<i64, Vec<(Date, Figure)>> = HashMap::new();
    let mut estimated = Estimated::new();
    for f in figures {
        let Some(shares) = tree.counts_for.get(&f.unit_id) else {
            continue;
        };
        let figure = Figure {
            value: f.value,
            numerator: f.numerator,
            denominator: f.denominator,
        };
        for (unit, share) in shares {
            if is_part(*share) {
                estimated.insert(*unit);
            }
            per_unit.entry(*unit).or_default().push((
                f.period_end,
                dxplan_domain::reorg::scale(rule, figure, *share),
            ));
        }
    }
    let own = per_unit
        .into_iter()
        .filter_map(|(unit, mut list)| {
            list.sort_by_key(|(d, _)| *d);
            let mut by_period: Vec<Figure> = Vec::new();
            let mut i = 0;
            while i < list.len() {
                let day = list[i].0;
                let same: Vec<Figure> = list[i..]
                    .iter()
                    .take_while(|(d, _)| *d == day)
                    .map(|(_, f)| *f)
                    .collect();
                i += same.len();
                by_period.extend(combine(across, &same));
            }
            combine(rule, &by_period).map(|f| (unit, f))
        })
        .collect();
    (own, estimated)
}

/// Which figures a view is made of.
struct Figures<'a> {
    own: &'a HashMap<i64, Figure>,
    estimated: &'a Estimated,
}

fn view_of(
    indicator: &Indicator,
    tree: &Tree,
    children: &HashMap<i64, Vec<i64>>,
    figures: &Figures<'_>,
    unit: i64,
    period: Period,
    target: Option<f64>,
) -> RollupView {
    let rolled = roll_up(indicator.aggregation, unit, children, figures.own);
    let estimated = rolled
        .reported
        .iter()
        .any(|u| figures.estimated.contains(u));
    let figure = rolled.figure;
    let name = |id: i64| tree.names.get(&id).cloned().unwrap_or_default();
    RollupView {
        indicator: indicator.code.clone(),
        unit: name(unit),
        period: period.to_string(),
        value: figure.map(|f| f.value),
        numerator: figure.and_then(|f| f.numerator),
        denominator: figure.and_then(|f| f.denominator),
        target,
        attainment: match (figure, target) {
            (Some(f), Some(t)) => Some(attainment(indicator.direction, f.value, t)),
            _ => None,
        },
        reported_units: rolled.reported.len(),
        missing: rolled.missing.iter().map(|id| name(*id)).collect(),
        estimated,
        children: Vec::new(),
    }
}

/// Rolls an indicator up over a unit's subtree and a period, with the unit tree as it
/// stood on `at`: figures of units merged away count for their successor.
pub async fn rollup(
    app: &App,
    indicator_code: &str,
    unit_code: &str,
    period: &str,
    at: Date,
    with_children: bool,
    include_pending: bool,
) -> AppResult<RollupView> {
    let period =
        Period::parse(period).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    let tree = Tree::load(app, at).await?;
    let (indicator, root, figures, target, expected) = {
        let mut c = app.db.read().await?;
        let indicator = indicators::by_code(&mut c, indicator_code)
            .await?
            .ok_or(AppError::NotFound)?;
        let root = units::by_code(&mut c, unit_code, at)
            .await?
            .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?;
        let figures = indicators::figures(
            &mut c,
            indicator.id,
            period.start(),
            period.end(),
            include_pending,
            &tree.sources_within(root.id),
        )
        .await?;
        let target = indicators::target(&mut c, indicator.id, root.id, period).await?;
        let expected = indicators::expected_kinds(&mut c, indicator.id).await?;
        (indicator, root, figures, target, expected)
    };
    let children = tree.pruned(&expected);
    let refs: Vec<&indicators::StoredFigure> = figures.iter().collect();
    let (own, estimated) = own_figures(indicator.aggregation, &tree, &refs);
    let figures = Figures {
        own: &own,
        estimated: &estimated,
    };
    let mut result = view_of(
        &indicator, &tree, &children, &figures, root.id, period, target,
    );
    if with_children {
        for child in children.get(&root.id).cloned().unwrap_or_default() {
            result.children.push(view_of(
                &indicator, &tree, &children, &figures, child, period, None,
            ));
        }
    }
    Ok(result)
}

/// Every indicator rolled up over one unit's subtree for a period: the tree and the
/// figures are read once, so a unit's whole dashboard costs one query of figures.
pub async fn rollup_all(
    app: &App,
    unit_code: &str,
    period: &str,
    at: Date,
) -> AppResult<Vec<RollupView>> {
    let period =
        Period::parse(period).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    let mut views = rollup_periods(app, unit_code, &[period], at, None).await?;
    Ok(views.pop().unwrap_or_default())
}

/// Some indicators (`only`; all when `None`) rolled up over one unit's subtree for each
/// of several periods (a trend), with the tree read once: one list of views per period.
pub async fn rollup_periods(
    app: &App,
    unit_code: &str,
    periods: &[Period],
    at: Date,
    only: Option<&[i64]>,
) -> AppResult<Vec<Vec<RollupView>>> {
    let tree = Tree::load(app, at).await?;
    let mut c = app.db.read().await?;
    let root = units::by_code(&mut c, unit_code, at)
        .await?
        .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?;
    let mut all = indicators::list(&mut c, None, None).await?;
    if let Some(only) = only {
        all.retain(|i| only.contains(&i.id));
    }
    let expected_pairs = indicators::all_expected_kinds(&mut c).await?;
    let sources = tree.sources_within(root.id);
    // The tree pruned to the reporting kinds, once per distinct set of kinds.
    let mut kinds_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (indicator, kind) in &expected_pairs {
        kinds_of.entry(*indicator).or_default().push(kind.clone());
    }
    kinds_of.values_mut().for_each(|kinds| kinds.sort());
    let no_kinds = Vec::new();
    let mut pruned_by_kinds: HashMap<&[String], HashMap<i64, Vec<i64>>> = HashMap::new();
    for indicator in &all {
        let expected = kinds_of.get(&indicator.id).unwrap_or(&no_kinds);
        pruned_by_kinds
            .entry(expected.as_slice())
            .or_insert_with(|| tree.pruned(expected));
    }
    let latest_rule: std::collections::HashSet<i64> = all
        .iter()
        .filter(|i| i.aggregation == dxplan_domain::indicator::Aggregation::Latest)
        .map(|i| i.id)
        .collect();
    let by_id: HashMap<i64, &Indicator> = all.iter().map(|i| (i.id, i)).collect();
    let mut out = Vec::with_capacity(periods.len());
    for &period in periods {
        // Sums, extremes, counts and the last period's figure come combined from the
        // database (pre-combined per year and quarter; a month is small enough to combine on
        // the fly, and only then do `latest` indicators need one more look).
        let aggregates = match period {
            Period::Month(..) => {
                indicators::aggregates_of_units(
                    &mut c,
                    &sources,
                    period.start(),
                    period.end(),
                    only,
                )
                .await?
            }
            Period::Year(_) | Period::Quarter(..) => {
                indicators::bucket_aggregates(&mut c, &sources, period, only).await?
            }
        };
        let wanted: Vec<(i64, i64, Date)> = aggregates
            .iter()
            .filter(|a| latest_rule.contains(&a.indicator_id) && a.last_value.is_none())
            .map(|a| (a.indicator_id, a.unit_id, a.last_end))
            .collect();
        let latest = indicators::figures_at(&mut c, &wanted).await?;
        let targets = indicators::targets_for(&mut c, root.id, period).await?;
        // Keyed look-ups: tens of thousands of aggregates meet hundreds of indicators.
        let latest: HashMap<(i64, i64), &indicators::StoredFigure> =
            latest.iter().map(|(i, f)| ((*i, f.unit_id), f)).collect();
        let mut by_indicator: HashMap<i64, Vec<(i64, Figure, bool)>> = HashMap::new();
        for a in &aggregates {
            let Some(indicator) = by_id.get(&a.indicator_id) else {
                continue;
            };
            use dxplan_domain::indicator::Aggregation as A;
            let figure = match indicator.aggregation {
                A::Sum => Some(Figure::plain(a.total)),
                A::Average => Some(Figure::plain(a.total / a.n.max(1) as f64)),
                A::Min => Some(Figure::plain(a.smallest)),
                A::Max => Some(Figure::plain(a.largest)),
                A::RatioOfSums => combine(
                    A::RatioOfSums,
                    &[Figure {
                        value: 0.0,
                        numerator: a.total_numerator,
                        denominator: a.total_denominator,
                    }],
                ),
                A::Latest if a.last_value.is_some() => a.last_value.map(|value| Figure {
                    value,
                    numerator: a.last_numerator,
                    denominator: a.last_denominator,
                }),
                A::Latest => latest.get(&(a.indicator_id, a.unit_id)).map(|f| Figure {
                    value: f.value,
                    numerator: f.numerator,
                    denominator: f.denominator,
                }),
            };
            if let (Some(figure), Some(shares)) = (figure, tree.counts_for.get(&a.unit_id)) {
                for (unit, share) in shares {
                    by_indicator.entry(a.indicator_id).or_default().push((
                        *unit,
                        dxplan_domain::reorg::scale(indicator.aggregation, figure, *share),
                        is_part(*share),
                    ));
                }
            }
        }
        let views = all
            .iter()
            .map(|indicator| {
                let expected = kinds_of.get(&indicator.id).unwrap_or(&no_kinds);
                let children = &pruned_by_kinds[expected.as_slice()];
                // Units merged into one successor combine across units.
                let across = match indicator.aggregation {
                    dxplan_domain::indicator::Aggregation::Latest => {
                        dxplan_domain::indicator::Aggregation::Sum
                    }
                    other => other,
                };
                let mut grouped: HashMap<i64, Vec<Figure>> = HashMap::new();
                let mut estimated = Estimated::new();
                for (unit, f, part) in by_indicator
                    .get(&indicator.id)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    grouped.entry(*unit).or_default().push(*f);
                    if *part {
                        estimated.insert(*unit);
                    }
                }
                let own: HashMap<i64, Figure> = grouped
                    .into_iter()
                    .filter_map(|(u, list)| combine(across, &list).map(|f| (u, f)))
                    .collect();
                let target = targets
                    .iter()
                    .find(|t| t.indicator_id == indicator.id)
                    .map(|t| t.value);
                let figures = Figures {
                    own: &own,
                    estimated: &estimated,
                };
                view_of(
                    indicator, &tree, children, &figures, root.id, period, target,
                )
            })
            .collect();
        out.push(views);
    }
    drop(c);
    Ok(out)
}

/// What an exchange export asks for: a period, and optionally an indicator code and a
/// unit code, each with the name of the query field that carried it (refusals name it).
pub struct ExchangeQuery<'a> {
    pub period: Period,
    pub indicator: Option<(&'a str, &'static str)>,
    pub unit: Option<(&'a str, &'static str)>,
}

/// The figures of a period in the exchange format, within what the reader may see: the
/// named unit's subtree (the unit that held the code in the period — a code reused since
/// names another) or the reader's whole scope. Shared by the dxplan and DHIS2 exports.
pub async fn exchange_rows(
    app: &App,
    user: &CurrentUser,
    q: &ExchangeQuery<'_>,
) -> AppResult<Vec<indicators::ExchangeValue>> {
    // A read within the reader's scope (or the named unit's subtree, checked below).
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    let indicator_id = match q.indicator.filter(|(code, _)| !code.is_empty()) {
        Some((code, field)) => Some(
            indicators::by_code(&mut c, code)
                .await?
                .ok_or_else(|| AppError::field(field, Invalid::BadFormat))?
                .id,
        ),
        None => None,
    };
    let roots = match q.unit.filter(|(code, _)| !code.is_empty()) {
        Some((code, field)) => {
            let unit = units::by_code_for(&mut c, code, q.period.end(), app.today())
                .await?
                .ok_or_else(|| AppError::field(field, Invalid::UnknownUnit))?;
            let lineage = units::lineage(&mut c, unit.id).await?;
            user.require(Action::ViewWork, Target::Unit(&lineage))?;
            Some(vec![unit.id])
        }
        None => super::tasks::task_scope(user),
    };
    let unit_ids = match roots {
        Some(r) => Some(units::subtree_ids(&mut c, &r).await?),
        None => None,
    };
    Ok(indicators::export_values(
        &mut c,
        q.period.start(),
        q.period.end(),
        indicator_id,
        unit_ids.as_deref(),
    )
    .await?)
}

/// The figures awaiting the reviewer's decision, the oldest first: those of the units in
/// the reviewer's scope only.
pub async fn review_queue(
    app: &App,
    user: &CurrentUser,
    limit: i64,
) -> AppResult<Vec<indicators::DataValue>> {
    user.require_somewhere(Action::ReviewWork)?;
    let mut c = app.db.read().await?;
    let scope = user.scope(Action::ReviewWork);
    Ok(indicators::submitted(&mut c, scope.as_deref(), limit).await?)
}

/// Who has reported a form's figures for a period: every unit of the form's kinds with
/// how many of its indicators it has submitted or had approved.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completeness {
    pub form_id: i64,
    pub form_name: String,
    pub period: Period,
    /// The kind of period the form reports by.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub period_type: dxplan_domain::indicator::PeriodType,
    /// The period's end plus the form's deadline days.
    pub deadline: Date,
    /// How many indicators the form asks for.
    pub indicators: i64,
    pub units: Vec<UnitCompleteness>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitCompleteness {
    pub code: String,
    pub name: String,
    pub reported: i64,
    pub complete: bool,
}

/// The completeness of a form for a period (the current one when none is given).
pub async fn completeness(
    app: &App,
    user: &CurrentUser,
    form_id: i64,
    period: Option<&str>,
) -> AppResult<Completeness> {
    // A reviewer sees the units of their own scope only.
    user.require_somewhere(Action::ReviewWork)?;
    let today = app.today();
    let mut c = app.db.read().await?;
    let in_scope = super::rights::scope_units(&mut c, user, Action::ReviewWork).await?;
    let form = indicators::form(&mut c, form_id).await?;
    let period = match period.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Period::read(p).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?,
        // The period whose figures are owed now.
        None => super::pickers::last_ended(form.period_type, today),
    };
    let total = indicators::form_indicators(&mut c, form_id).await?.len() as i64;
    let kinds = indicators::form_kinds(&mut c, form_id).await?;
    let units = indicators::completeness(&mut c, form_id, period, &kinds, today)
        .await?
        .into_iter()
        .filter(|(id, ..)| in_scope.as_ref().is_none_or(|s| s.contains(id)))
        .map(|(_, code, name, reported)| UnitCompleteness {
            code,
            name,
            reported,
            complete: reported >= total,
        })
        .collect();
    Ok(Completeness {
        form_id,
        form_name: form.name,
        period,
        period_type: form.period_type,
        deadline: period.end() + time::Duration::days(form.deadline_days),
        indicators: total,
        units,
    })
}

/// Reminds the units that have not sent a form's figures for a period (once a day per
/// unit, whatever the number of clicks). Returns how many units were reminded.
pub async fn remind_late(
    app: &App,
    caller: &Caller<'_>,
    form_id: i64,
    period: Period,
) -> AppResult<usize> {
    use dxplan_domain::auth::Role;
    use dxplan_domain::notification::NotificationKind;
    use dxplan_store::notifications::{self, Notice};
    caller.require_somewhere(Action::ReviewWork)?;
    let today = app.today();
    let mut c = app.db.begin().await?;
    let form = indicators::form(&mut c, form_id).await?;
    if PeriodType::of(period) != form.period_type {
        return Err(AppError::field("period", Invalid::BadPeriod));
    }
    // Reminders reach only the late units the reviewer looks after.
    let in_scope = match caller.user {
        Some(user) => super::rights::scope_units(&mut c, user, Action::ReviewWork).await?,
        None => None,
    };
    let mut late = indicators::late_units(&mut c, form_id, period, today).await?;
    late.retain(|(id, _)| in_scope.as_ref().is_none_or(|s| s.contains(id)));
    let label = period.label(dxplan_domain::Lang::Vi);
    let (vi, en) = NotificationKind::DataDue.titles(&form.code, &form.name, &label);
    let mut reminded = 0;
    let late_ids: Vec<i64> = late.iter().map(|(id, _)| *id).collect();
    let staff =
        notifications::holders_of_units(&mut c, &late_ids, &[Role::UnitEditor, Role::UnitApprover])
            .await?;
    for (unit_id, code) in late {
        let recipients = staff.get(&unit_id).map(Vec::as_slice).unwrap_or_default();
        let key = format!("data-remind:{form_id}:{period}:{unit_id}:{today}");
        let made = notifications::notify(
            &mut c,
            recipients,
            &Notice {
                kind: NotificationKind::DataDue,
                task_id: None,
                title_vi: &vi,
                title_en: &en,
                dedup_key: Some(&key),
                link: None,
            },
            app.now(),
        )
        .await?;
        tracing::debug!(unit = %code, made, "data reminder");
        reminded += 1;
    }
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "data.remind",
            entity_type: "form",
            entity_id: Some(form_id.to_string()),
            summary: format!("{} {period}: {reminded} units", form.code),
            before: None,
            after: None,
        },
    )
    .await?;
    c.commit().await?;
    Ok(reminded)
}

/// Reads a unit's filled-in form workbook and saves its figures as a draft, all or
/// none. The workbook must be the one for this unit and period.
pub async fn upload_form(
    app: &App,
    caller: &Caller<'_>,
    unit_code: &str,
    period: &str,
    file: impl Future<Output = AppResult<super::Upload>>,
) -> AppResult<usize> {
    use dxplan_domain::plan_import::{Cell, ImportProblem};
    use dxplan_report::data_form::{FIRST_ROW, PERIOD_LABEL, UNIT_LABEL};
    let problem = |row: usize, vi: String, en: String| ImportProblem {
        row,
        column: None,
        message_vi: vi,
        message_en: en,
    };
    // Rights on the unit before a byte of the workbook is read: a viewer's upload is
    // refused unread.
    let parsed_period =
        Period::parse(period).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    unit_for(
        app,
        caller,
        unit_code,
        parsed_period.end(),
        Action::EditUnitWork,
    )
    .await?;
    let bytes = file.await?.bytes;
    let grid = super::with_workbook(bytes, |grid, _| grid.to_vec())
        .await?
        .map_err(|e| {
            AppError::PlanImport(vec![problem(
                1,
                e.message(dxplan_domain::Lang::Vi),
                e.message(dxplan_domain::Lang::En),
            )])
        })?;
    let text = |r: usize, c: usize| -> String {
        match grid.get(r).and_then(|row| row.get(c)) {
            Some(Cell::Text(t)) => t.trim().to_string(),
            Some(Cell::Number(n)) => format_number_plain(*n),
            _ => String::new(),
        }
    };
    let label_value = |label: &str| (0..6).find(|r| text(*r, 0) == label).map(|r| text(r, 1));
    let (Some(file_unit), Some(file_period)) = (label_value(UNIT_LABEL), label_value(PERIOD_LABEL))
    else {
        return Err(AppError::PlanImport(vec![problem(
            2,
            "Không phải biểu số liệu của dxplan (thiếu ô “Mã đơn vị” và “Kỳ báo cáo”). Hãy tải biểu mẫu từ hệ thống.".into(),
            "Not a dxplan figures form (no “Mã đơn vị” and “Kỳ báo cáo” cells). Download the form from dxplan.".into(),
        )]));
    };
    if file_unit != unit_code || file_period != period {
        return Err(AppError::PlanImport(vec![problem(
            2,
            format!(
                "Tệp là biểu của đơn vị {file_unit}, kỳ {file_period}; trang này nhận biểu của đơn vị {unit_code}, kỳ {period}."
            ),
            format!(
                "The file is the form of unit {file_unit} for {file_period}; this page takes unit {unit_code}, {period}."
            ),
        )]));
    }
    let mut rows = Vec::new();
    let mut sheet_rows = Vec::new();
    for r in FIRST_ROW as usize..grid.len() {
        let code = text(r, 0);
        if code.is_empty() {
            continue;
        }
        let cell = |c: usize| Some(text(r, c)).filter(|t| !t.is_empty());
        if cell(3).is_none() && cell(4).is_none() && cell(5).is_none() {
            continue;
        }
        rows.push(ValueRow {
            indicator: code,
            input: ValueInput {
                value: cell(3),
                numerator: cell(4),
                denominator: cell(5),
            },
            comment: None,
            version: None,
            _others: Default::default(),
        });
        sheet_rows.push(r + 1);
    }
    if rows.is_empty() {
        return Err(AppError::PlanImport(vec![problem(
            FIRST_ROW as usize + 1,
            "Biểu chưa có số liệu nào.".into(),
            "The form has no figures.".into(),
        )]));
    }
    match save_values(app, caller, unit_code, period, &rows, false).await {
        Ok(results) => Ok(results.len()),
        Err(AppError::ValueRows(results)) => {
            let mut problems = Vec::new();
            for r in results.iter().filter(|r| !r.ok) {
                let line = sheet_rows.get(r.row - 1).copied().unwrap_or(0);
                for e in &r.errors {
                    let column = match e["field"].as_str() {
                        Some("numerator") => "E",
                        Some("denominator") => "F",
                        Some("indicator") => "A",
                        _ => "D",
                    };
                    let message = e["message"].as_str().unwrap_or_default();
                    problems.push(problem(
                        line,
                        format!("ô {column}{line}: {message}"),
                        format!("cell {column}{line}: {message}"),
                    ));
                }
            }
            Err(AppError::PlanImport(problems))
        }
        Err(e) => Err(e),
    }
}

/// A number as a spreadsheet shows it, without Vietnamese grouping (read back as typed).
fn format_number_plain(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// One target to set: an indicator for a unit and period.
#[derive(Debug, Clone, Copy)]
pub struct TargetCell {
    pub indicator_id: i64,
    pub unit_id: i64,
    pub period: Period,
    pub value: f64,
}

/// Sets targets, all or none: each for a unit within the caller's scope (a district's
/// coordinator sets its district's, not a sibling's or the province's).
pub async fn set_targets(
    app: &App,
    caller: &Caller<'_>,
    cells: &[TargetCell],
    summary: String,
) -> AppResult<()> {
    caller.require_somewhere(Action::ManagePlans)?;
    if cells.iter().any(|t| !t.value.is_finite() || t.value < 0.0) {
        return Err(AppError::field("value", Invalid::Negative));
    }
    let mut c = app.db.begin().await?;
    if let Some(user) = caller.user {
        // One read of the scope, whatever the number of cells.
        let scope = super::rights::scope_units(&mut c, user, Action::ManagePlans).await?;
        if let Some(scope) = scope
            && cells.iter().any(|t| !scope.contains(&t.unit_id))
        {
            return Err(AppError::Forbidden);
        }
    }
    for t in cells {
        indicators::set_target(
            &mut c,
            t.indicator_id,
            t.unit_id,
            t.period,
            t.value,
            &caller.actor.name,
            app.now(),
        )
        .await?;
    }
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "target.set",
            entity_type: "target",
            entity_id: None,
            summary,
            before: None,
            after: None,
        },
    )
    .await?;
    c.commit().await?;
    Ok(())
}

/// The input of a new reporting form.
#[derive(Debug, Clone)]
pub struct FormInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub period_type: &'a str,
    pub deadline_days: Option<i64>,
    pub indicators: &'a [String],
    pub unit_kinds: &'a [String],
}

/// Creates a reporting form of the catalogue (a province-wide object).
pub async fn create_form(
    app: &App,
    caller: &Caller<'_>,
    input: &FormInput<'_>,
) -> AppResult<indicators::Form> {
    let mut c = app.db.begin().await?;
    require_catalogue(&mut c, app, caller).await?;
    let period_type = PeriodType::parse(input.period_type)
        .ok_or_else(|| AppError::field("period_type", Invalid::BadFormat))?;
    let mut ids = Vec::new();
    for code in input.indicators {
        let ind = indicators::by_code(&mut c, code)
            .await?
            .ok_or_else(|| AppError::field("indicators", Invalid::UnknownUnit))?;
        if ind.period_type != period_type {
            return Err(AppError::field("indicators", Invalid::BadPeriod));
        }
        ids.push(ind.id);
    }
    if input
        .unit_kinds
        .iter()
        .any(|k| dxplan_domain::unit::UnitKind::parse(k).is_none())
    {
        return Err(AppError::field("unit_kinds", Invalid::UnknownKind));
    }
    let id = indicators::insert_form(
        &mut c,
        &indicators::FormWrite {
            code: input.code.trim(),
            name: input.name.trim(),
            period_type,
            deadline_days: input.deadline_days.unwrap_or(10).clamp(0, 365),
            indicator_ids: &ids,
            unit_kinds: input.unit_kinds,
        },
        app.now(),
    )
    .await
    .map_err(|e| match e {
        StoreError::Duplicate => AppError::field("code", Invalid::Taken),
        other => other.into(),
    })?;
    let form = indicators::form(&mut c, id).await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "form.create",
            entity_type: "form",
            entity_id: Some(id.to_string()),
            summary: format!("{} {}", form.code, form.name),
            before: None,
            after: Some(json!(form)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(form)
}

/// Copies last year's targets (every indicator and unit) to another year.
pub async fn copy_targets(
    app: &App,
    caller: &Caller<'_>,
    from_year: i32,
    to_year: i32,
) -> AppResult<u64> {
    let mut c = app.db.begin().await?;
    require_catalogue(&mut c, app, caller).await?;
    if from_year == to_year
        || !(2000..=2100).contains(&from_year)
        || !(2000..=2100).contains(&to_year)
    {
        return Err(AppError::field(
            "to_year",
            Invalid::OutOfRange {
                min: 2000,
                max: 2100,
            },
        ));
    }
    let n = indicators::copy_targets(
        &mut c,
        Period::Year(from_year),
        Period::Year(to_year),
        &caller.actor.name,
        app.now(),
    )
    .await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "target.copy",
            entity_type: "target",
            entity_id: None,
            summary: format!("{from_year} → {to_year}: {n} targets"),
            before: None,
            after: None,
        },
    )
    .await?;
    c.commit().await?;
    Ok(n)
}

/// How a unit's target is shared among the units below it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SplitMethod {
    /// Equal parts (counts and money); the same figure for each (shares and yes/no).
    Equal,
    /// In proportion to each unit's approved figure of the year before (counts and money).
    ByLastYear,
}

/// Splits a target set for a unit across the units below it that report the indicator.
/// Returns each child's new target.
pub async fn split_target(
    app: &App,
    caller: &Caller<'_>,
    indicator_code: &str,
    unit_code: &str,
    year: i32,
    value: f64,
    method: SplitMethod,
) -> AppResult<Vec<(String, f64)>> {
    // Refuse at once whoever sets targets nowhere; the unit's own check follows.
    caller.require_somewhere(Action::ManagePlans)?;
    if !value.is_finite() || value < 0.0 {
        return Err(AppError::field("value", Invalid::Negative));
    }
    let today = app.today();
    let (indicator, parent, expected) = {
        let mut c = app.db.read().await?;
        let parent = units::by_code(&mut c, unit_code, today)
            .await?
            .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?;
        // Splitting sets the targets of the units below: the unit's scope covers them.
        caller
            .require_on(&mut c, Action::ManagePlans, parent.id)
            .await?;
        let indicator = indicators::by_code(&mut c, indicator_code)
            .await?
            .ok_or(AppError::NotFound)?;
        let expected = indicators::expected_kinds(&mut c, indicator.id).await?;
        (indicator, parent, expected)
    };
    let tree = Tree::load(app, today).await?;
    let children = tree
        .pruned(&expected)
        .get(&parent.id)
        .cloned()
        .unwrap_or_default();
    if children.is_empty() {
        return Err(AppError::field("unit", Invalid::UnknownUnit));
    }
    let additive = matches!(
        indicator.measure,
        dxplan_domain::indicator::Measure::Number | dxplan_domain::indicator::Measure::Money
    );
    let weights: Vec<f64> = match (method, additive) {
        (SplitMethod::ByLastYear, true) => {
            // One roll-up of the parent gives every child's figure, in the same order.
            let last = rollup(
                app,
                indicator_code,
                unit_code,
                &(year - 1).to_string(),
                today,
                true,
                false,
            )
            .await?;
            let w: Vec<f64> = last
                .children
                .iter()
                .map(|child| child.value.unwrap_or(0.0).max(0.0))
                .collect();
            if w.len() == children.len() && w.iter().sum::<f64>() > 0.0 {
                w
            } else {
                vec![1.0; children.len()]
            }
        }
        _ => vec![1.0; children.len()],
    };
    let total: f64 = weights.iter().sum();
    let now = app.now();
    let mut c = app.db.begin().await?;
    let mut out = Vec::new();
    for (child, w) in children.iter().zip(&weights) {
        let share = if additive {
            (value * w / total * 100.0).round() / 100.0
        } else {
            value
        };
        indicators::set_target(
            &mut c,
            indicator.id,
            *child,
            Period::Year(year),
            share,
            &caller.actor.name,
            now,
        )
        .await?;
        out.push((tree.names.get(child).cloned().unwrap_or_default(), share));
    }
    indicators::set_target(
        &mut c,
        indicator.id,
        parent.id,
        Period::Year(year),
        value,
        &caller.actor.name,
        now,
    )
    .await?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "target.split",
            entity_type: "target",
            entity_id: None,
            summary: format!(
                "{} {} {year}: {value} across {} units",
                indicator.code,
                parent.code,
                out.len()
            ),
            before: None,
            after: Some(json!(out)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(out)
}

// ---------------------------------------------------------------- evidence behind figures

/// Whether a saved figure has at least one evidence file.
async fn has_evidence(
    c: &mut dxplan_store::Conn,
    indicator_id: i64,
    unit_id: i64,
    period: Period,
) -> Result<bool, StoreError> {
    Ok(
        match indicators::value(c, indicator_id, unit_id, period).await? {
            Some(v) => !attachments::files_of_values(c, &[v.id]).await?.is_empty(),
            None => false,
        },
    )
}

/// Attaches an evidence file to a saved figure. The unit's editors may add files until
/// the figure is approved; the file's type is checked by name and content.
pub async fn attach_to_value(
    app: &App,
    caller: &Caller<'_>,
    value_id: i64,
    file: impl Future<Output = AppResult<super::Upload>>,
) -> AppResult<ValueFile> {
    let value = {
        let mut c = app.db.read().await?;
        let value = indicators::value_by_id(&mut c, value_id).await?;
        let lineage = units::lineage(&mut c, value.unit_id).await?;
        caller.require(Action::EditUnitWork, Target::Unit(&lineage))?;
        value
    };
    if value.status == "approved" {
        return Err(AppError::conflict(
            "value_approved",
            "Số liệu đã được duyệt; muốn bổ sung minh chứng, hãy lưu số liệu điều chỉnh trước.",
            "The figure is approved; save a correction before adding evidence.",
        ));
    }
    let super::Upload { name, bytes } = file.await?;
    let crate::files::Accepted {
        name,
        kind,
        size,
        sha256,
    } = crate::files::accept(
        &app.settings.data_dir,
        app.settings.max_upload_bytes,
        &name,
        bytes,
    )
    .await?;
    let mut c = app.db.begin().await?;
    let id = attachments::insert_value_file(
        &mut c,
        value_id,
        &attachments::NewAttachment {
            sha256: &sha256,
            size,
            kind: kind.as_str(),
            original_name: &name,
            uploaded_by: caller.actor.user_id,
            uploader_name: &caller.actor.name,
        },
        app.now(),
    )
    .await?;
    let file = attachments::value_file(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &mut c,
        app,
        caller,
        NewEvent {
            action: "data.attach",
            entity_type: "data_value",
            entity_id: Some(value_id.to_string()),
            summary: format!("#{value_id} {}: {name} ({size} B)", value.period),
            before: None,
            after: Some(json!(file)),
        },
    )
    .await?;
    c.commit().await?;
    Ok(file)
}

/// The files behind one figure, for someone who may read the unit's work.
pub async fn files_of_value(
    app: &App,
    user: &CurrentUser,
    value_id: i64,
) -> AppResult<Vec<ValueFile>> {
    let mut c = app.db.read().await?;
    let value = indicators::value_by_id(&mut c, value_id).await?;
    let lineage = units::lineage(&mut c, value.unit_id).await?;
    user.require(Action::ViewWork, Target::Unit(&lineage))?;
    Ok(attachments::files_of_values(&mut c, &[value_id]).await?)
}

/// One file behind a figure and its bytes, for someone who may read the unit's work.
pub async fn value_file_for(
    app: &App,
    user: &CurrentUser,
    file_id: i64,
) -> AppResult<(ValueFile, Vec<u8>)> {
    let file = {
        let mut c = app.db.read().await?;
        let file = attachments::value_file(&mut c, file_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let value = indicators::value_by_id(&mut c, file.data_value_id).await?;
        let lineage = units::lineage(&mut c, value.unit_id).await?;
        user.require(Action::ViewWork, Target::Unit(&lineage))?;
        file
    };
    let bytes = crate::files::read(&app.settings.data_dir, &file.sha256).await?;
    Ok((file, bytes))
}
