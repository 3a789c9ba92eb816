//! The indicator catalogue, an indicator's roll-up page, a unit's data-entry grid, the
//! review queue and the completeness of a form.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::Response;
use dxplan_app::indicators::Indicator;
use dxplan_domain::auth::Action;
use dxplan_domain::indicator::IndicatorInput;
use dxplan_domain::period::Period;
use dxplan_domain::text::format_number;
use dxplan_report::dashboard_charts::{Figure, indicator_chart, ranking_chart};
use serde::Deserialize;

use super::{Ctx, FormErrors, Page};
use crate::error::WebResult;
use dxplan_app::Structure;
use dxplan_app::indicators as svc;

mod entry;
mod review;
mod targets;

pub use entry::*;
pub use review::*;
pub use targets::*;

fn number(v: Option<f64>) -> String {
    v.map(|v| format_number(v, 2)).unwrap_or_else(|| "—".into())
}

fn require_view(ctx: &Ctx) -> WebResult<&crate::session::CurrentUser> {
    let user = ctx.user()?;
    // The catalogue and the roll-ups are read by every member; figures stay scoped.
    user.require_somewhere(Action::ViewWork)?;
    Ok(user)
}

pub struct IndicatorRow {
    pub code: String,
    pub name: String,
    pub measure: &'static str,
    pub period: &'static str,
    pub pillar: String,
    pub direction: &'static str,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct CatalogPage {
    page: Page,
    rows: Vec<IndicatorRow>,
    q: String,
    can_manage: bool,
    errors: FormErrors,
    pillars: Vec<(String, String)>,
    /// The reader's own unit, when they enter figures for it.
    my_unit: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct CatalogQuery {
    q: Option<String>,
}

async fn catalog(ctx: &Ctx, q: Option<String>, errors: FormErrors) -> WebResult<CatalogPage> {
    let user = require_view(ctx)?;
    let lang = ctx.lang();
    let svc::CataloguePage {
        indicators: list,
        pillars,
        my_unit,
        can_manage,
    } = svc::catalogue_page(&ctx.state, user, q.as_deref()).await?;
    let my_unit = my_unit.map(|u| u.code);
    let pillar_name = |code: &Option<String>| {
        pillars
            .iter()
            .find(|p| Some(&p.code) == code.as_ref())
            .map(|p| lang.pick(p.name_vi.clone(), p.name_en.clone()))
            .unwrap_or_default()
    };
    Ok(CatalogPage {
        page: ctx.page("Chỉ tiêu", "Indicators"),
        rows: list
            .iter()
            .map(|i| IndicatorRow {
                code: i.code.clone(),
                name: i.name.clone(),
                measure: i.measure.label(lang),
                period: i.period_type.label(lang),
                pillar: pillar_name(&i.pillar_code),
                direction: match i.direction {
                    dxplan_domain::indicator::Direction::HigherIsBetter => {
                        lang.pick("càng cao càng tốt", "higher is better")
                    }
                    dxplan_domain::indicator::Direction::LowerIsBetter => {
                        lang.pick("càng thấp càng tốt", "lower is better")
                    }
                },
            })
            .collect(),
        q: q.unwrap_or_default(),
        can_manage,
        errors,
        pillars: pillars
            .iter()
            .map(|p| {
                (
                    p.code.clone(),
                    lang.pick(p.name_vi.clone(), p.name_en.clone()),
                )
            })
            .collect(),
        my_unit,
    })
}

pub async fn list(ctx: Ctx, Query(q): Query<CatalogQuery>) -> WebResult<Response> {
    let view = catalog(&ctx, q.q, FormErrors::default()).await?;
    ctx.render(&view)
}

pub async fn create(ctx: Ctx, Form(input): Form<IndicatorInput>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match svc::create_indicator(&ctx.state, &caller, &input).await {
        Ok(i) => Ok(ctx.done(
            &format!("/indicators/{}", i.code),
            &ctx.lang().pick(
                format!("Đã thêm chỉ tiêu {}.", i.code),
                format!("Indicator {} added.", i.code),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = catalog(&ctx, None, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

pub struct ChildRow {
    pub unit: String,
    pub value: String,
    pub missing: bool,
}

/// A forecast as the indicator page words it.
struct ForecastLine {
    css: &'static str,
    label: &'static str,
    value: Option<String>,
    how: String,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    page: Page,
    indicator: Indicator,
    /// The unit shown, by name (what the unit field holds).
    unit_name: String,
    /// Where to ask the unit to explain its figure (for who may ask it).
    explain_link: Option<String>,
    /// The names the unit field offers.
    unit_choices: Vec<String>,
    /// The periods the period field offers: (stored form, label).
    periods: Vec<(String, String)>,
    /// What the form asked for that could not be read, and what is shown instead.
    problems: Vec<String>,
    period: String,
    period_label: String,
    value: String,
    target: String,
    attainment: String,
    attainment_class: &'static str,
    reported: usize,
    missing: Vec<String>,
    children: Vec<ChildRow>,
    /// Shown "as it was" (the period's units) rather than as the units are now.
    as_it_was: bool,
    /// Part of the figure is a split unit's share, estimated by weight.
    estimated: bool,
    uom: String,
    trend: Figure,
    /// Where the year is heading: outlook colour, its words, the projected figure and how.
    forecast: ForecastLine,
    ranking: Option<Figure>,
    /// Index criteria this indicator feeds.
    feeds: Vec<dxplan_app::assessment::CriterionChoice>,
}

#[derive(Deserialize, Default)]
pub struct RollupQuery {
    unit: Option<String>,
    period: Option<String>,
    /// `then`: the units as they stood at the period's end; otherwise as they are now,
    /// with history mapped forward along the lineage.
    structure: Option<String>,
}

pub async fn show(
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<RollupQuery>,
) -> WebResult<Response> {
    let user = require_view(&ctx)?;
    let lang = ctx.lang();
    let today = ctx.state.today();
    let indicator = svc::indicator(&ctx.state, user, &code).await?;
    // What the form asked for, read leniently; what cannot be read is said on the page,
    // which shows the default instead (never a bare error page).
    let mut problems = Vec::new();
    let default_period = Period::Year(today.year() - 1);
    let parsed = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => default_period,
        Some(text) => Period::read(text).unwrap_or_else(|| {
            problems.push(lang.pick(
                format!(
                    "Không hiểu kỳ “{text}”: đang xem {}.",
                    default_period.label(lang)
                ),
                format!(
                    "“{text}” is not a period: showing {}.",
                    default_period.label(lang)
                ),
            ));
            default_period
        }),
    };
    let period = parsed.to_string();
    // "As it was": the units that stood at the period's end; "as it is now": today's.
    let as_it_was =
        Structure::parse(q.structure.as_deref(), Structure::AsItIsNow)? == Structure::AsItWas;
    let at = if as_it_was {
        parsed.end().min(today)
    } else {
        today
    };
    // A reader scoped to a unit starts on that unit, anyone else on the province.
    let default_unit = dxplan_app::units::home_unit(&ctx.state, user, Action::ViewWork).await?;
    let unit = match q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => default_unit,
        Some(text) => match dxplan_app::pickers::unit_named(&ctx.state, text, at).await? {
            Ok(unit) => unit,
            Err(why) => {
                problems.push(why.message(text, lang));
                default_unit
            }
        },
    };
    let overview = svc::overview(&ctx.state, user, &indicator, &unit.code, parsed, at).await?;
    let svc::IndicatorOverview { view, key: trend } = &*overview;
    let suffix = if indicator.unit_of_measure.as_deref() == Some("%") {
        " %"
    } else {
        ""
    };
    let ranking = (!view.children.is_empty()).then(|| {
        ranking_chart(
            "c-ranking",
            lang.pick("Xếp hạng các đơn vị trực thuộc", "Units below, ranked"),
            &view
                .children
                .iter()
                .map(|c| (c.unit.clone(), c.value))
                .collect::<Vec<_>>(),
            indicator.direction == dxplan_domain::indicator::Direction::HigherIsBetter,
            suffix,
            lang,
        )
    });
    let (attainment, class) = match view.attainment {
        Some(a) => (
            format!(
                "{}{}",
                a.status.label(lang),
                a.percent
                    .map(|p| format!(" ({}%)", format_number(p, 1)))
                    .unwrap_or_default()
            ),
            a.status.css(),
        ),
        None => (
            lang.pick("Chưa có chỉ tiêu giao", "No target set")
                .to_string(),
            "none",
        ),
    };
    let feeds = svc::criteria_fed_by(&ctx.state, user, indicator.id).await?;
    let periods = dxplan_app::pickers::period_choices(indicator.period_type, today, parsed, lang);
    let unit_choices =
        dxplan_app::pickers::unit_choices(&ctx.state, user, Action::ViewWork, at).await?;
    // A figure is explained for one period of the indicator's own kind.
    let explain_link = user.holds(Action::RequestExplanation).then(|| {
        let mut query = vec![
            ("subject", "figure".to_string()),
            ("indicator", indicator.code.clone()),
            ("unit", unit.code.clone()),
        ];
        if dxplan_domain::indicator::PeriodType::of(parsed) == indicator.period_type {
            query.push(("period", parsed.to_string()));
        }
        format!(
            "/explanations/new?{}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        )
    });
    ctx.render(&IndicatorPage {
        feeds,
        explain_link,
        page: ctx.page(&indicator.name, &indicator.name),
        uom: indicator.unit_of_measure.clone().unwrap_or_default(),
        unit_name: unit.name.clone(),
        unit_choices,
        periods,
        problems,
        period_label: parsed.label(lang),
        period,
        value: number(view.value),
        target: number(view.target),
        attainment,
        attainment_class: class,
        reported: view.reported_units,
        missing: view.missing.clone(),
        as_it_was,
        estimated: view.estimated,
        children: view
            .children
            .iter()
            .map(|c| ChildRow {
                unit: c.unit.clone(),
                value: number(c.value),
                missing: c.value.is_none(),
            })
            .collect(),
        forecast: ForecastLine {
            css: trend.forecast.outlook.css(),
            label: trend.forecast.label(lang),
            value: trend
                .forecast
                .is_projection()
                .then(|| number(trend.forecast.value)),
            how: trend.forecast.explain(lang, indicator.period_type),
        },
        trend: indicator_chart(trend, lang),
        ranking,
        indicator,
    })
}
