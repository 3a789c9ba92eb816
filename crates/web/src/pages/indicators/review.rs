//! The review queue, a form's completeness, and reminders to late units.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::Response;
use dxplan_domain::period::Period;
use dxplan_domain::text::format_number;
use serde::Deserialize;

use super::super::{Ctx, Page};
use super::entry::EntryQuery;
use crate::error::{AppError, WebResult};
use dxplan_app::indicators as svc;

// ---------------------------------------------------------------- review and completeness

pub struct ReviewRow {
    pub id: i64,
    pub indicator: String,
    pub unit: String,
    pub period: String,
    pub value: String,
    /// Evidence behind the figure: a link and the file's name.
    pub files: Vec<(String, String)>,
    /// When it was typed without a signal, as the reviewer reads it (a figure sent later).
    pub entered_offline: Option<String>,
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
                    entered_offline: v.entered_offline_at.as_ref().map(crate::format::datetime),
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
