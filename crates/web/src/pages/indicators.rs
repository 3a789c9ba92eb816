//! The indicator catalogue, an indicator's roll-up page, a unit's data-entry grid, the
//! review queue and the completeness of a form.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::Response;
use dxplan_app::indicators::Indicator;
use dxplan_domain::auth::Action;
use dxplan_domain::dashboard::{KeyIndicator, TREND_YEARS, YearFigure};
use dxplan_domain::indicator::{IndicatorInput, Measure, ValueInput, ValueStatus};
use dxplan_domain::period::Period;
use dxplan_domain::text::format_number;
use dxplan_report::dashboard_charts::{Figure, indicator_chart, ranking_chart};
use serde::Deserialize;

use super::{Ctx, FormErrors, Page};
use crate::error::{AppError, WebError, WebResult};
use dxplan_app::Structure;
use dxplan_app::indicators as svc;

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

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    page: Page,
    indicator: Indicator,
    /// The unit shown, by name (what the unit field holds).
    unit_name: String,
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
    let unit_code = unit.code.clone();
    let ask = svc::RollupAsk {
        indicator: &code,
        unit: &unit_code,
        period: &period,
        at,
        with_children: true,
        include_pending: false,
    };
    let view = svc::rollup(&ctx.state, user, &ask).await?;
    // Five years of the same unit for the trend, and the units below ranked.
    let year = parsed.start().year();
    let years: Vec<Period> = (year - TREND_YEARS + 1..=year).map(Period::Year).collect();
    let per_year =
        svc::rollup_periods(&ctx.state, &unit_code, &years, at, Some(&[indicator.id])).await?;
    let trend = KeyIndicator {
        code: indicator.code.clone(),
        name: indicator.name.clone(),
        unit_of_measure: indicator.unit_of_measure.clone(),
        value: view.value,
        target: view.target,
        attainment: view.attainment,
        reported_units: view.reported_units,
        missing_units: view.missing.len(),
        trend: years
            .iter()
            .zip(&per_year)
            .map(|(p, views)| {
                let v = views.first();
                YearFigure {
                    year: p.start().year(),
                    value: v.and_then(|v| v.value),
                    target: v.and_then(|v| v.target),
                }
            })
            .collect(),
    };
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
    ctx.render(&IndicatorPage {
        feeds,
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
        trend: indicator_chart(&trend, lang),
        ranking,
        indicator,
    })
}

// ---------------------------------------------------------------- data entry

pub struct EntryRow {
    pub indicator: Indicator,
    pub value: String,
    pub numerator: String,
    pub denominator: String,
    pub status: String,
    pub status_class: String,
    pub target: String,
    pub locked: bool,
    pub review_comment: Option<String>,
    pub errors: Vec<String>,
    /// The saved figure, when there is one: evidence attaches to it.
    pub value_id: Option<i64>,
    /// Evidence files behind the figure: id and name.
    pub files: Vec<(i64, String)>,
    /// The figure is saved, not yet approved, and the user may edit the unit's work.
    pub can_attach: bool,
    /// A saved ratio as the share it makes ("75%"), so the officer sees what was computed.
    pub share: Option<String>,
}

impl EntryRow {
    /// Whether the row offers an evidence upload: it needs one and can still take one.
    pub fn wants_evidence(&self) -> bool {
        self.can_attach && self.indicator.evidence_required
    }
}

#[derive(Template)]
#[template(path = "data_entry.html")]
struct EntryPage {
    page: Page,
    /// Some row offers an evidence upload.
    evidence_uploads: bool,
    unit: dxplan_app::units::Unit,
    period: String,
    period_label: String,
    form_id: i64,
    forms: Vec<(i64, String)>,
    rows: Vec<EntryRow>,
    can_submit: bool,
    problem: Option<String>,
    /// The periods the period field offers: (stored form, label).
    periods: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct EntryQuery {
    form: Option<i64>,
    period: Option<String>,
}

async fn entry_page(
    ctx: &Ctx,
    unit_code: &str,
    q: &EntryQuery,
    typed: Option<&HashMap<String, String>>,
    row_errors: &HashMap<String, Vec<String>>,
    problem: Option<String>,
) -> WebResult<EntryPage> {
    let user = ctx.user()?;
    let lang = ctx.lang();
    let today = ctx.state.today();
    let svc::EntryPlace {
        unit,
        forms: usable,
        may_edit,
        may_submit,
    } = svc::entry_place(&ctx.state, user, unit_code).await?;
    let form = match q.form {
        Some(id) => usable
            .iter()
            .find(|f| f.id == id)
            .cloned()
            .ok_or(AppError::NotFound)?,
        None => usable.first().cloned().ok_or(AppError::NotFound)?,
    };
    // The period whose figures are owed now, unless another is asked for; what cannot be
    // read is said on the page, which opens on the default.
    let owed = dxplan_app::pickers::last_ended(form.period_type, today);
    let mut problem = problem;
    let period = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Period::read(p).unwrap_or_else(|| {
            problem.get_or_insert(lang.pick(
                format!("Không hiểu kỳ “{p}”: đang mở {}.", owed.label(lang)),
                format!("“{p}” is not a period: showing {}.", owed.label(lang)),
            ));
            owed
        }),
        None => owed,
    };
    let periods = dxplan_app::pickers::period_choices(form.period_type, today, period, lang);
    let svc::EntrySheet {
        indicators: inds,
        figures:
            svc::UnitFigures {
                values,
                targets,
                files,
            },
    } = svc::entry_sheet(&ctx.state, user, unit.id, form.id, period).await?;
    let rows = inds
        .into_iter()
        .map(|i| {
            let v = values.iter().find(|v| v.indicator_id == i.id);
            let typed_or = |prefix: &str, stored: Option<f64>| {
                typed
                    .and_then(|t| t.get(&format!("{prefix}_{}", i.code)).cloned())
                    .unwrap_or_else(|| stored.map(|x| format_number(x, 4)).unwrap_or_default())
            };
            let status = v.map(|v| v.status);
            EntryRow {
                value: typed_or(
                    "v",
                    v.filter(|_| i.measure != Measure::Ratio).map(|v| v.value),
                ),
                numerator: typed_or("n", v.and_then(|v| v.numerator)),
                denominator: typed_or("d", v.and_then(|v| v.denominator)),
                status: status
                    .map(|s| s.label(lang))
                    .unwrap_or_default()
                    .to_string(),
                status_class: status.map(|s| s.as_str()).unwrap_or_default().to_string(),
                target: number(
                    targets
                        .iter()
                        .find(|t| t.indicator_id == i.id)
                        .map(|t| t.value),
                ),
                locked: status == Some(ValueStatus::Submitted),
                review_comment: v
                    .and_then(|v| v.review_comment.clone())
                    .filter(|_| status == Some(ValueStatus::Rejected)),
                errors: row_errors.get(&i.code).cloned().unwrap_or_default(),
                value_id: v.map(|v| v.id),
                files: files
                    .iter()
                    .filter(|f| v.is_some_and(|v| v.id == f.data_value_id))
                    .map(|f| (f.id, f.original_name.clone()))
                    .collect(),
                can_attach: may_edit && v.is_some() && status != Some(ValueStatus::Approved),
                share: v
                    .filter(|_| i.measure == Measure::Ratio)
                    .and_then(|v| v.numerator.zip(v.denominator))
                    .filter(|(_, d)| *d > 0.0)
                    .map(|(n, d)| format!("{}%", format_number(n / d * 100.0, 1))),
                indicator: i,
            }
        })
        .collect::<Vec<EntryRow>>();
    Ok(EntryPage {
        evidence_uploads: rows.iter().any(EntryRow::wants_evidence),
        page: ctx.page(
            &format!("Nhập số liệu — {}", unit.name),
            &format!("Figures — {}", unit.name),
        ),
        period: period.to_string(),
        period_label: period.label(lang),
        form_id: form.id,
        forms: usable.iter().map(|f| (f.id, f.name.clone())).collect(),
        rows,
        can_submit: may_submit,
        unit,
        problem,
        periods,
    })
}

pub async fn entry(
    ctx: Ctx,
    Path(unit_code): Path<String>,
    Query(q): Query<EntryQuery>,
) -> WebResult<Response> {
    let view = entry_page(&ctx, &unit_code, &q, None, &HashMap::new(), None).await?;
    ctx.render(&view)
}

/// Saves the grid as a draft, or submits it (`submit=1`), all rows or none.
pub async fn save(
    ctx: Ctx,
    Path(unit_code): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let form_id: Option<i64> = fields.get("form").and_then(|f| f.parse().ok());
    let period = fields.get("period").cloned().unwrap_or_default();
    let submit = fields.get("submit").is_some_and(|s| s == "1");
    let q = EntryQuery {
        form: form_id,
        period: Some(period.clone()),
    };
    // Rows are the indicators that have anything typed.
    let mut codes: Vec<String> = fields
        .keys()
        .filter_map(|k| {
            k.strip_prefix("v_")
                .or(k.strip_prefix("n_"))
                .or(k.strip_prefix("d_"))
                .map(str::to_string)
        })
        .collect();
    codes.sort();
    codes.dedup();
    let get = |k: String| {
        fields
            .get(&k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let rows: Vec<svc::ValueRow> = codes
        .iter()
        .filter(|code| {
            [
                format!("v_{code}"),
                format!("n_{code}"),
                format!("d_{code}"),
            ]
            .iter()
            .any(|k| get(k.clone()).is_some())
        })
        .map(|code| svc::ValueRow {
            indicator: code.clone(),
            input: ValueInput {
                value: get(format!("v_{code}")),
                numerator: get(format!("n_{code}")),
                denominator: get(format!("d_{code}")),
            },
            comment: None,
            version: None,
            _others: Default::default(),
        })
        .collect();
    match svc::save_values(&ctx.state, &caller, &unit_code, &period, &rows, submit).await {
        Ok(_) => Ok(ctx.done(
            &format!(
                "/data/{unit_code}?form={}&period={period}",
                form_id.unwrap_or_default()
            ),
            ctx.lang().pick(
                if submit {
                    "Đã gửi số liệu để duyệt."
                } else {
                    "Đã lưu nháp số liệu."
                },
                if submit {
                    "Figures submitted for review."
                } else {
                    "Draft saved."
                },
            ),
        )),
        Err(AppError::ValueRows(results)) => {
            let mut errors: HashMap<String, Vec<String>> = HashMap::new();
            for r in results.iter().filter(|r| !r.ok) {
                errors.insert(
                    r.indicator.clone(),
                    r.errors
                        .iter()
                        .filter_map(|e| e["message"].as_str().map(str::to_string))
                        .collect(),
                );
            }
            let message = AppError::ValueRows(Vec::new()).message(ctx.lang());
            let view =
                entry_page(&ctx, &unit_code, &q, Some(&fields), &errors, Some(message)).await?;
            ctx.render_invalid(&view)
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------- review and completeness

pub struct ReviewRow {
    pub id: i64,
    pub indicator: String,
    pub unit: String,
    pub period: String,
    pub value: String,
    /// Evidence behind the figure: a link and the file's name.
    pub files: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "data_review.html")]
struct ReviewPage {
    page: Page,
    rows: Vec<ReviewRow>,
    forms: Vec<(i64, String, String)>,
}

pub async fn review_queue(ctx: Ctx) -> WebResult<Response> {
    let svc::ReviewPage {
        waiting,
        indicators: all,
        units: names,
        files,
        forms,
    } = svc::review_page(&ctx.state, ctx.user()?, 200).await?;
    let lang = ctx.lang();
    ctx.render(&ReviewPage {
        page: ctx.page("Duyệt số liệu", "Review figures"),
        rows: waiting
            .iter()
            .map(|v| {
                let ind = all.iter().find(|i| i.id == v.indicator_id);
                let unit = names.iter().find(|u| u.id == v.unit_id);
                ReviewRow {
                    id: v.id,
                    files: files
                        .iter()
                        .filter(|f| f.data_value_id == v.id)
                        .map(|f| {
                            (
                                format!(
                                    "/data/{}/files/{}",
                                    unit.map(|u| u.code.as_str()).unwrap_or("-"),
                                    f.id
                                ),
                                f.original_name.clone(),
                            )
                        })
                        .collect(),
                    indicator: ind
                        .map(|i| format!("{} {}", i.code, i.name))
                        .unwrap_or_default(),
                    unit: unit.map(|u| u.name.clone()).unwrap_or_default(),
                    period: Period::parse(&v.period)
                        .map(|p| p.label(lang))
                        .unwrap_or_default(),
                    value: match (v.numerator, v.denominator) {
                        (Some(n), Some(d)) => format!(
                            "{} / {} = {}%",
                            format_number(n, 2),
                            format_number(d, 2),
                            format_number(v.value, 2)
                        ),
                        _ => format_number(v.value, 2),
                    },
                }
            })
            .collect(),
        forms: forms
            .iter()
            .map(|f| {
                let today = ctx.state.today();
                let period = match f.period_type {
                    dxplan_domain::indicator::PeriodType::Year => Period::Year(today.year() - 1),
                    dxplan_domain::indicator::PeriodType::Quarter => {
                        Period::containing(today, true)
                    }
                    dxplan_domain::indicator::PeriodType::Month => Period::containing(today, false),
                };
                (f.id, f.name.clone(), period.to_string())
            })
            .collect(),
    })
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn review(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let approve = form.decision == "approve";
    svc::review_value(&ctx.state, &caller, id, approve, Some(&form.comment)).await?;
    Ok(ctx.done(
        "/data/review",
        ctx.lang().pick(
            if approve {
                "Đã duyệt."
            } else {
                "Đã trả lại."
            },
            if approve { "Approved." } else { "Returned." },
        ),
    ))
}

pub struct CompletenessRow {
    pub code: String,
    pub name: String,
    pub done: i64,
    pub complete: bool,
}

#[derive(Template)]
#[template(path = "completeness.html")]
struct CompletenessPage {
    page: Page,
    form_id: i64,
    form_name: String,
    period: String,
    period_label: String,
    total: i64,
    rows: Vec<CompletenessRow>,
    late: usize,
    deadline: String,
    periods: Vec<(String, String)>,
}

pub async fn completeness(
    ctx: Ctx,
    Path(form_id): Path<i64>,
    Query(q): Query<EntryQuery>,
) -> WebResult<Response> {
    let lang = ctx.lang();
    let report = svc::completeness(&ctx.state, ctx.user()?, form_id, q.period.as_deref()).await?;
    let periods = dxplan_app::pickers::period_choices(
        report.period_type,
        ctx.state.today(),
        report.period,
        lang,
    );
    let rows: Vec<CompletenessRow> = report
        .units
        .into_iter()
        .map(|u| CompletenessRow {
            code: u.code,
            name: u.name,
            done: u.reported,
            complete: u.complete,
        })
        .collect();
    ctx.render(&CompletenessPage {
        page: ctx.page("Tình hình gửi số liệu", "Who has reported"),
        form_id,
        form_name: report.form_name,
        period_label: report.period.label(lang),
        period: report.period.to_string(),
        total: report.indicators,
        late: rows.iter().filter(|r| !r.complete).count(),
        rows,
        deadline: dxplan_domain::text::format_date(report.deadline),
        periods,
    })
}

#[derive(Deserialize)]
pub struct RemindForm {
    #[serde(default)]
    period: String,
}

pub async fn remind(
    ctx: Ctx,
    Path(form_id): Path<i64>,
    Form(form): Form<RemindForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let period = Period::parse(&form.period)
        .ok_or_else(|| AppError::field("period", dxplan_domain::Invalid::BadPeriod))?;
    let n = svc::remind_late(&ctx.state, &caller, form_id, period).await?;
    Ok(ctx.done(
        &format!("/forms/{form_id}/completeness?period={period}"),
        &ctx.lang().pick(
            format!("Đã nhắc {n} đơn vị chưa gửi số liệu."),
            format!("{n} units reminded."),
        ),
    ))
}

/// The prefilled form of a unit and period, to fill in offline.
pub async fn form_xlsx(
    ctx: Ctx,
    Path(unit_code): Path<String>,
    Query(q): Query<EntryQuery>,
) -> WebResult<Response> {
    let view = entry_page(&ctx, &unit_code, &q, None, &HashMap::new(), None).await?;
    let form_name = view
        .forms
        .iter()
        .find(|(id, _)| *id == view.form_id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let rows: Vec<dxplan_report::data_form::FormRow> = {
        let period = Period::parse(&view.period).ok_or(AppError::NotFound)?;
        let svc::UnitFigures {
            values, targets, ..
        } = svc::unit_figures(&ctx.state, ctx.user()?, view.unit.id, period).await?;
        view.rows
            .iter()
            .map(|r| {
                let v = values.iter().find(|v| v.indicator_id == r.indicator.id);
                dxplan_report::data_form::FormRow {
                    code: r.indicator.code.clone(),
                    name: r.indicator.name.clone(),
                    unit_of_measure: r.indicator.unit_of_measure.clone().unwrap_or_default(),
                    is_ratio: r.indicator.measure == Measure::Ratio,
                    value: v.map(|v| v.value),
                    numerator: v.and_then(|v| v.numerator),
                    denominator: v.and_then(|v| v.denominator),
                    target: targets
                        .iter()
                        .find(|t| t.indicator_id == r.indicator.id)
                        .map(|t| t.value),
                }
            })
            .collect()
    };
    let meta = dxplan_report::data_form::FormMeta {
        unit_code: &view.unit.code,
        unit_name: &view.unit.name,
        form_name: &form_name,
        period: &view.period,
        period_label: &view.period_label,
    };
    let bytes = dxplan_report::data_form::form_xlsx(&meta, &rows)
        .map_err(|e| AppError::internal(format!("xlsx: {e}")))?;
    Ok(crate::http::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("Biểu số liệu {} {}.xlsx", view.unit.code, view.period),
        bytes,
    ))
}

/// Takes the filled-in workbook back: saved as a draft, every figure or none.
pub async fn upload(
    ctx: Ctx,
    Path(unit_code): Path<String>,
    Query(q): Query<EntryQuery>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let period = q.period.clone().unwrap_or_default();
    let file = crate::upload::first_file(multipart, crate::upload::WORKBOOK_BYTES);
    match svc::upload_form(&ctx.state, &caller, &unit_code, &period, file).await {
        Ok(n) => Ok(ctx.done(
            &format!(
                "/data/{unit_code}?form={}&period={period}",
                q.form.unwrap_or_default()
            ),
            &ctx.lang().pick(
                format!("Đã nhận {n} số liệu từ tệp (lưu nháp)."),
                format!("{n} figures read from the file (saved as a draft)."),
            ),
        )),
        Err(AppError::PlanImport(problems)) => {
            let message = problems
                .iter()
                .map(|p| p.message(ctx.lang()))
                .collect::<Vec<_>>()
                .join(" · ");
            let view =
                entry_page(&ctx, &unit_code, &q, None, &HashMap::new(), Some(message)).await?;
            ctx.render_invalid(&view)
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Attaches an evidence file to one saved figure from the entry page.
pub async fn upload_evidence(
    ctx: Ctx,
    Path((unit_code, value_id)): Path<(String, i64)>,
    Query(q): Query<EntryQuery>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let file = crate::upload::first_file(multipart, ctx.state.upload_limit());
    let result = svc::attach_to_value(&ctx.state, &caller, value_id, file).await;
    match result {
        Ok(file) => Ok(ctx.done(
            &format!(
                "/data/{unit_code}?form={}&period={}",
                q.form.unwrap_or_default(),
                q.period.as_deref().unwrap_or_default()
            ),
            &ctx.lang().pick(
                format!("Đã đính kèm “{}”.", file.original_name),
                format!("“{}” attached.", file.original_name),
            ),
        )),
        Err(e) => {
            let message = FormErrors::from_error(ctx.lang(), e)?.sentence(|_| None);
            let view =
                entry_page(&ctx, &unit_code, &q, None, &HashMap::new(), Some(message)).await?;
            ctx.render_invalid(&view)
        }
    }
}

pub async fn download_evidence(
    ctx: Ctx,
    Path((_unit, file_id)): Path<(String, i64)>,
) -> WebResult<Response> {
    let (file, bytes) = svc::value_file_for(&ctx.state, ctx.user()?, file_id).await?;
    Ok(crate::http::stored_file_response(
        &file.kind,
        &file.original_name,
        bytes,
    ))
}

// ---------------------------------------------------------------- targets

pub struct TargetGridRow {
    pub unit_name: String,
    /// Each cell's field name, value and label (the indicator, shown on a phone).
    pub cells: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    page: Page,
    year: i32,
    form_id: i64,
    forms: Vec<(i64, String)>,
    indicators: Vec<(String, String)>,
    rows: Vec<TargetGridRow>,
    /// Units whose target can be shared among the reporting units below them.
    split_units: Vec<(String, String)>,
    /// Copying last year's targets is province-wide.
    may_copy: bool,
    problem: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct TargetsQuery {
    form: Option<i64>,
    year: Option<i32>,
}

async fn targets_page(
    ctx: &Ctx,
    q: &TargetsQuery,
    problem: Option<String>,
) -> WebResult<TargetsPage> {
    let user = ctx.user()?;
    let year = q.year.unwrap_or(ctx.state.today().year());
    let svc::TargetGrid {
        forms,
        form,
        indicators: inds,
        reporters,
        targets,
        split_units,
        may_copy,
    } = svc::target_grid(&ctx.state, user, q.form, year).await?;
    Ok(TargetsPage {
        page: ctx.page("Giao chỉ tiêu", "Targets"),
        year,
        form_id: form.id,
        forms: forms.iter().map(|f| (f.id, f.name.clone())).collect(),
        indicators: inds
            .iter()
            .map(|i| (i.code.clone(), i.name.clone()))
            .collect(),
        rows: reporters
            .iter()
            .map(|u| TargetGridRow {
                unit_name: u.name.clone(),
                cells: inds
                    .iter()
                    .map(|i| {
                        let v = targets
                            .iter()
                            .find(|t| t.unit_id == u.id && t.indicator_id == i.id)
                            .map(|t| format_number(t.value, 4));
                        (
                            format!("t|{}|{}", u.code, i.code),
                            v.unwrap_or_default(),
                            format!("{} — {}", i.code, i.name),
                        )
                    })
                    .collect(),
            })
            .collect(),
        split_units: split_units.into_iter().map(|u| (u.code, u.name)).collect(),
        may_copy,
        problem,
    })
}

pub async fn targets(ctx: Ctx, Query(q): Query<TargetsQuery>) -> WebResult<Response> {
    let view = targets_page(&ctx, &q, None).await?;
    ctx.render(&view)
}

/// Saves the whole grid: every filled cell, all or none.
pub async fn save_targets(
    ctx: Ctx,
    Form(fields): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    caller.require_somewhere(Action::ManagePlans)?;
    let year: i32 = fields
        .get("year")
        .and_then(|y| y.parse().ok())
        .ok_or_else(|| AppError::field("year", dxplan_domain::Invalid::BadFormat))?;
    let form: Option<i64> = fields.get("form").and_then(|f| f.parse().ok());
    let q = TargetsQuery {
        form,
        year: Some(year),
    };
    let mut cells = Vec::new();
    let mut problems = Vec::new();
    // Cells are named `t|UNIT|INDICATOR`: neither code contains a bar.
    for (key, value) in fields
        .iter()
        .filter(|(k, v)| k.starts_with("t|") && !v.trim().is_empty())
    {
        let Some((unit, indicator)) = key.trim_start_matches("t|").split_once('|') else {
            continue;
        };
        match dxplan_domain::text::parse_number_vi(value).filter(|v| *v >= 0.0) {
            Some(value) => cells.push(svc::TargetCell {
                indicator: indicator.to_string(),
                unit: unit.to_string(),
                period: Period::Year(year),
                value,
            }),
            None => problems.push(format!("{unit} / {indicator}: “{value}”")),
        }
    }
    if !problems.is_empty() {
        let message = ctx.lang().pick(
            format!("Ô không hợp lệ, chưa lưu gì: {}", problems.join("; ")),
            format!("Invalid cells, nothing saved: {}", problems.join("; ")),
        );
        let view = targets_page(&ctx, &q, Some(message)).await?;
        return ctx.render_invalid(&view);
    }
    let count = cells.len();
    svc::set_targets(
        &ctx.state,
        &caller,
        &cells,
        format!("{year}: {count} targets"),
    )
    .await?;
    Ok(ctx.done(
        &format!("/targets?form={}&year={year}", form.unwrap_or_default()),
        &ctx.lang().pick(
            format!("Đã lưu {count} chỉ tiêu giao năm {year}."),
            format!("{count} targets saved for {year}."),
        ),
    ))
}

#[derive(Deserialize)]
pub struct CopyForm {
    #[serde(default)]
    year: i32,
    #[serde(default)]
    form: Option<i64>,
}

pub async fn copy_targets(ctx: Ctx, Form(f): Form<CopyForm>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let n = svc::copy_targets(&ctx.state, &caller, f.year - 1, f.year).await?;
    Ok(ctx.done(
        &format!(
            "/targets?form={}&year={}",
            f.form.unwrap_or_default(),
            f.year
        ),
        &ctx.lang().pick(
            format!("Đã chép {n} chỉ tiêu từ năm {}.", f.year - 1),
            format!("{n} targets copied from {}.", f.year - 1),
        ),
    ))
}

#[derive(Deserialize)]
pub struct SplitForm {
    #[serde(default)]
    year: i32,
    #[serde(default)]
    form: Option<i64>,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    method: String,
}

/// Shares one unit's target among the reporting units below it; errors show on the grid page.
pub async fn split_targets(ctx: Ctx, Form(f): Form<SplitForm>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let lang = ctx.lang();
    let method = if f.method == "by_last_year" {
        svc::SplitMethod::ByLastYear
    } else {
        svc::SplitMethod::Equal
    };
    let result = match dxplan_domain::text::parse_number_vi(&f.value) {
        Some(value) => {
            svc::split_target(
                &ctx.state,
                &caller,
                &f.indicator,
                &f.unit,
                f.year,
                value,
                method,
            )
            .await
        }
        None => Err(AppError::field("value", dxplan_domain::Invalid::BadFormat)),
    };
    let shares = match result {
        Ok(shares) => shares,
        Err(e) => {
            let problem = FormErrors::from_error(lang, e)?.sentence(|field| {
                Some(match field {
                    "value" => lang.pick("Chỉ tiêu cần chia", "Target to share"),
                    "unit" => lang.pick("Đơn vị", "Unit"),
                    _ => lang.pick("Chỉ tiêu", "Indicator"),
                })
            });
            let q = TargetsQuery {
                form: f.form,
                year: Some(f.year),
            };
            let view = targets_page(&ctx, &q, Some(problem)).await?;
            return ctx.render_invalid(&view);
        }
    };
    Ok(ctx.done(
        &format!(
            "/targets?form={}&year={}",
            f.form.unwrap_or_default(),
            f.year
        ),
        &lang.pick(
            format!(
                "Đã chia chỉ tiêu {} năm {} cho {} đơn vị.",
                f.indicator,
                f.year,
                shares.len()
            ),
            format!(
                "{} {} target shared among {} units.",
                f.indicator,
                f.year,
                shares.len()
            ),
        ),
    ))
}
