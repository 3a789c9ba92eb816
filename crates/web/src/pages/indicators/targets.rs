//! The target grid: set, copy from last year, split from a parent to its children.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::Query;
use axum::response::Response;
use dxplan_domain::auth::Action;
use dxplan_domain::period::Period;
use dxplan_domain::text::format_number;
use serde::Deserialize;

use super::super::{Ctx, FormErrors, Page};
use crate::error::{AppError, WebResult};
use dxplan_app::indicators as svc;

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
