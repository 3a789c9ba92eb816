//! A unit's data-entry grid, its offline workbook, and evidence behind figures.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::Response;
use dxplan_app::indicators::Indicator;
use dxplan_domain::indicator::{Measure, ValueInput, ValueStatus};
use dxplan_domain::period::Period;
use dxplan_domain::text::format_number;
use serde::Deserialize;

use super::super::{Ctx, FormErrors, Page};
use super::number;
use crate::error::{AppError, WebError, WebResult};
use dxplan_app::indicators as svc;

// ---------------------------------------------------------------- data entry

pub struct EntryRow {
    pub indicator: Indicator,
    pub value: String,
    pub numerator: String,
    pub denominator: String,
    /// The officer's note on the figure (where it comes from, why it moved).
    pub comment: String,
    pub status: String,
    pub status_class: String,
    pub target: String,
    pub locked: bool,
    pub review_comment: Option<String>,
    pub errors: Vec<String>,
    /// The saved figure, when there is one: evidence attaches to it.
    pub value_id: Option<i64>,
    /// The saved figure's version: a figure typed offline is sent with it, so a change
    /// made meanwhile by someone else is found, not overwritten.
    pub version: Option<i64>,
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
    /// The largest evidence file taken, in bytes and as the page says it.
    max_upload_bytes: u64,
    max_upload_mb: u64,
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
    pub(super) form: Option<i64>,
    pub(super) period: Option<String>,
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
                comment: typed
                    .and_then(|t| t.get(&format!("c_{}", i.code)).cloned())
                    .or_else(|| v.and_then(|v| v.comment.clone()))
                    .unwrap_or_default(),
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
                version: v.map(|v| v.version),
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
        max_upload_bytes: ctx.state.settings.max_upload_bytes,
        max_upload_mb: ctx.state.settings.max_upload_bytes / (1024 * 1024),
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
            comment: get(format!("c_{code}")),
            version: None,
            entered_offline_at: get("entered_offline_at".into()),
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
