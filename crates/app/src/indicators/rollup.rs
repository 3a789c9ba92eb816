//! Roll-ups: a figure summed, averaged or combined over a unit's subtree, with its
//! children and its history of periods.

use std::collections::HashMap;
use std::sync::Arc;

use dxplan_domain::Invalid;
use dxplan_domain::auth::Action;
use dxplan_domain::indicator::{Attainment, Figure, Partial, attainment, combine, roll_up_with};
use dxplan_domain::period::Period;
use dxplan_store::indicators::{self, Indicator};
use dxplan_store::units;
use serde::Serialize;
use time::Date;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

use crate::rights::{Absent, unit_by_code_for};
use dxplan_domain::rollup::{
    DatedFigure, Estimated, Tree, TreeUnit, across_units, is_part, own_figures,
};
use dxplan_store::indicators::GroupAggregate;

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

/// The unit tree on a date, loaded once for any number of roll-ups and kept a few seconds
/// (an indicator's page rolls up three times; over a nation the tree is 3,400 units).
pub(super) async fn load_tree(app: &App, at: Date) -> AppResult<Arc<Tree>> {
    app.memo
        .trees
        .get_or_read(&app.memo, at, || async {
            Ok::<_, AppError>(Arc::new(read_tree(app, at).await?))
        })
        .await
}

async fn read_tree(app: &App, at: Date) -> AppResult<Tree> {
    let mut c = app.db.read().await?;
    let all = units::known_units(&mut c).await?;
    let valid_units = app.standing_units(&mut c, at).await?;
    let parents: HashMap<i64, Option<i64>> =
        valid_units.iter().map(|u| (u.id, u.parent_id)).collect();
    let lineage = dxplan_domain::reorg::Lineage::new(&units::lineage_edges(&mut c).await?);
    let units: Vec<TreeUnit> = all
        .iter()
        .map(|u| TreeUnit {
            id: u.id,
            name: u.name.clone(),
            kind: u.kind.as_str().to_string(),
            parent_id: parents.get(&u.id).copied().flatten(),
            stands: parents.contains_key(&u.id),
        })
        .collect();
    Ok(Tree::new(&units, &lineage))
}

/// Which figures a view is made of.
struct Figures<'a> {
    own: &'a HashMap<i64, Figure>,
    estimated: &'a Estimated,
    /// Plain leaves' figures combined per parent (see [`Tree::plain_leaves_below`]).
    partials: &'a HashMap<i64, Partial>,
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
    let rolled = roll_up_with(
        indicator.aggregation,
        unit,
        children,
        figures.own,
        figures.partials,
    );
    let estimated = rolled
        .reported
        .iter()
        .any(|u| figures.estimated.contains(u));
    let figure = rolled.figure;
    let name = |id: i64| tree.name(id);
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
        reported_units: rolled.reported_units(),
        missing: rolled.missing.iter().map(|id| name(*id)).collect(),
        estimated,
        children: Vec::new(),
    }
}

/// One roll-up asked for: an indicator over a unit's subtree (the unit holding the code on
/// `at`) for a period, with the unit's children when asked, and with figures still
/// waiting for review when asked.
#[derive(Debug, Clone, Copy)]
pub struct RollupAsk<'a> {
    pub indicator: &'a str,
    pub unit: &'a str,
    pub period: &'a str,
    pub at: Date,
    pub with_children: bool,
    pub include_pending: bool,
}

/// Refuses a reader who may not read the work of the unit holding `unit_code` on `at`:
/// checked before anything is read or served from memory.
pub(super) async fn require_reader(
    app: &App,
    user: &CurrentUser,
    unit_code: &str,
    at: Date,
    absent: Absent,
) -> AppResult<()> {
    let mut c = app.db.read().await?;
    unit_by_code_for(&mut c, user, Action::ViewWork, unit_code, at, absent).await?;
    Ok(())
}

/// What is remembered of roll-ups asked for: [`RollupAsk`]'s fields, owned.
pub(crate) type RollupKey = (String, String, String, Date, bool, bool);

/// Rolls an indicator up over a unit's subtree and a period, with the unit tree as it
/// stood on `at`: figures of units merged away count for their successor.
pub async fn rollup(app: &App, user: &CurrentUser, ask: &RollupAsk<'_>) -> AppResult<RollupView> {
    require_reader(app, user, ask.unit, ask.at, Absent::Field("unit")).await?;
    // Kept a few seconds and forgotten on any change: one indicator over a nation reads
    // tens of thousands of figures, which eight readers of the API at once each paid.
    let key: RollupKey = (
        ask.indicator.to_owned(),
        ask.unit.to_owned(),
        ask.period.to_owned(),
        ask.at,
        ask.with_children,
        ask.include_pending,
    );
    app.memo
        .rollup_views
        .get_or_read_alone(&app.memo, key, || async {
            Ok::<_, AppError>(Arc::new(rollup_unchecked(app, ask).await?))
        })
        .await
        .map(Arc::unwrap_or_clone)
}

/// [`rollup`] for a caller already allowed to read the unit (a target split).
pub(super) async fn rollup_unchecked(app: &App, ask: &RollupAsk<'_>) -> AppResult<RollupView> {
    let RollupAsk {
        indicator: indicator_code,
        unit: unit_code,
        period,
        at,
        with_children,
        include_pending,
    } = *ask;
    let period =
        Period::parse(period).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    let tree = load_tree(app, at).await?;
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
    let figures: Vec<DatedFigure> = figures
        .iter()
        .map(|f| DatedFigure {
            unit_id: f.unit_id,
            period_end: f.period_end,
            figure: Figure {
                value: f.value,
                numerator: f.numerator,
                denominator: f.denominator,
            },
        })
        .collect();
    let (own, estimated) = own_figures(indicator.aggregation, &tree, &figures);
    let figures = Figures {
        own: &own,
        estimated: &estimated,
        partials: &HashMap::new(),
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
    user: &CurrentUser,
    unit_code: &str,
    period: &str,
    at: Date,
) -> AppResult<Vec<RollupView>> {
    require_reader(app, user, unit_code, at, Absent::NotFound).await?;
    let period =
        Period::parse(period).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    // Kept a few seconds and forgotten on any change, as dashboards are; one reader
    // computes it while the others wait for that answer.
    let key = (unit_code.to_owned(), period.to_string(), at);
    let views = app
        .memo
        .rollups
        .get_or_read_alone(&app.memo, key, || async {
            let mut views = rollup_periods(app, unit_code, &[period], at, None).await?;
            Ok::<_, AppError>(Arc::from(views.pop().unwrap_or_default()))
        })
        .await?;
    Ok(views.to_vec())
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
    let tree = load_tree(app, at).await?;
    let mut c = app.db.read().await?;
    let root = units::by_code(&mut c, unit_code, at)
        .await?
        .ok_or_else(|| AppError::field("unit", Invalid::UnknownUnit))?;
    let all: Vec<Indicator> = app
        .catalogue(&mut c)
        .await?
        .iter()
        .filter(|i| only.is_none_or(|only| only.contains(&i.id)))
        .cloned()
        .collect();
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
    // Several months (a year's, for a forecast) are read in one go.
    let months: Vec<Period> = periods
        .iter()
        .copied()
        .filter(|p| matches!(p, Period::Month(..)))
        .collect();
    let mut by_month: HashMap<Period, Vec<indicators::UnitAggregate>> = HashMap::new();
    if months.len() > 1 {
        for (month, aggregate) in
            indicators::aggregates_by_month(&mut c, &sources, &months, only).await?
        {
            by_month.entry(month).or_default().push(aggregate);
        }
        for month in &months {
            by_month.entry(*month).or_default();
        }
    }
    let mut groups = LeafGroups::new(&tree, root.id, &sources);
    let mut out = Vec::with_capacity(periods.len());
    for &period in periods {
        // Only a year or a quarter is read in groups; a month's figures one by one.
        groups.read.clear();
        // Sums, extremes, counts and the last period's figure come combined from the
        // database (pre-combined per year and quarter; a month is small enough to combine on
        // the fly, and only then do `latest` indicators need one more look).
        let aggregates = match period {
            Period::Month(..) if by_month.contains_key(&period) => {
                by_month.remove(&period).unwrap_or_default()
            }
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
                groups.read(&mut c, period, only).await?;
                indicators::bucket_aggregates(&mut c, &groups.others, period, only).await?
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
            if let (Some(figure), Some(shares)) = (figure, tree.counts_for(a.unit_id)) {
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
                let across = across_units(indicator.aggregation);
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
                let partials = groups.partials(indicator, expected);
                let figures = Figures {
                    own: &own,
                    estimated: &estimated,
                    partials: &partials,
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

/// The plain leaves of a roll-up's subtree, grouped by parent and kind, whose figures
/// of a year or quarter the database combines (one row per group and indicator), and
/// the other units, whose figures are read one by one. Over the nation that is 34
/// provinces' rows instead of 3,400 communes'.
struct LeafGroups {
    /// `(leaf, group)` pairs.
    members: Vec<(i64, i64)>,
    /// Each group's parent and kind, by group id.
    groups: Vec<(i64, String)>,
    /// The sources that are not plain leaves.
    others: Vec<i64>,
    /// The period last read: its groups' figures by indicator.
    read: HashMap<i64, Vec<GroupAggregate>>,
}

impl LeafGroups {
    fn new(tree: &Tree, root: i64, sources: &[i64]) -> LeafGroups {
        let mut index: HashMap<(i64, &str), i64> = HashMap::new();
        let mut groups = Vec::new();
        let mut members = Vec::new();
        for (leaf, parent) in tree.plain_leaves_below(root) {
            let kind = tree.kind(leaf);
            let group = *index.entry((parent, kind)).or_insert_with(|| {
                groups.push((parent, kind.to_owned()));
                groups.len() as i64 - 1
            });
            members.push((leaf, group));
        }
        let leaves: std::collections::HashSet<i64> = members.iter().map(|(l, _)| *l).collect();
        LeafGroups {
            members,
            groups,
            others: sources
                .iter()
                .copied()
                .filter(|s| !leaves.contains(s))
                .collect(),
            read: HashMap::new(),
        }
    }

    /// Reads the groups' figures of a year or quarter.
    async fn read(
        &mut self,
        c: &mut dxplan_store::Conn,
        period: Period,
        only: Option<&[i64]>,
    ) -> AppResult<()> {
        if self.members.is_empty() {
            return Ok(());
        }
        for row in indicators::grouped_bucket_aggregates(c, &self.members, period, only).await? {
            self.read.entry(row.indicator_id).or_default().push(row);
        }
        Ok(())
    }

    /// An indicator's groups combined per parent, of the kinds expected to report it
    /// (every kind when none is named), as the pruned tree counts them.
    fn partials(&self, indicator: &Indicator, expected: &[String]) -> HashMap<i64, Partial> {
        use dxplan_domain::indicator::Aggregation as A;
        let mut out: HashMap<i64, Partial> = HashMap::new();
        for row in self
            .read
            .get(&indicator.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let Some((parent, kind)) = usize::try_from(row.group_id)
                .ok()
                .and_then(|g| self.groups.get(g))
            else {
                continue;
            };
            if !expected.is_empty() && !expected.contains(kind) {
                continue;
            }
            let sum = match indicator.aggregation {
                A::Average => row.averages,
                A::Latest => row.last_values,
                _ => row.totals,
            };
            let part = Partial {
                units: usize::try_from(row.units).unwrap_or_default(),
                sum: sum.unwrap_or_default(),
                smallest: row.smallest.unwrap_or(f64::INFINITY),
                largest: row.largest.unwrap_or(f64::NEG_INFINITY),
                numerator: row.numerator.unwrap_or_default(),
                denominator: row.denominator.unwrap_or_default(),
            };
            out.entry(*parent)
                .or_insert_with(|| Partial::of(&[]))
                .merge(&part);
        }
        out
    }
}
