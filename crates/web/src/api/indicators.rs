//! The JSON API for indicators, reporting forms, targets, data values and roll-ups.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use dxplan_domain::Invalid;
use dxplan_domain::auth::Action;
use dxplan_domain::indicator::IndicatorInput;
use dxplan_domain::period::Period;
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiQuery, caller, parse_at};
use crate::error::{AppError, WebError, WebResult};
use crate::openapi::Items;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::indicators as svc;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/indicators", get(list).post(create))
        .route("/indicators/{code}", get(get_one).patch(update))
        .route("/indicators/{code}/values", get(rollup))
        .route("/units/{code}/indicators", get(unit_dashboard))
        .route("/forms", get(list_forms).post(create_form))
        .route("/targets", put(set_targets).get(list_targets))
        .route("/targets/copy", post(copy_targets))
        .route("/targets/split", post(split_target))
        .route("/data-values", get(unit_values).post(save_values))
        .route("/data-values/export", get(export))
        .route("/data-values/pending", get(pending_values))
        .route("/forms/{id}/completeness", get(form_completeness))
        .route("/forms/{id}/reminders", post(remind_late))
        .route("/data-values/import", post(import))
        .route("/data-values/{id}/review", post(review))
        .route("/data-values/{id}/history", get(history))
        .route(
            "/data-values/{id}/files",
            get(value_files)
                .post(upload_value_file)
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/data-value-files/{id}", get(download_value_file))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    q: Option<String>,
    pillar: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators",
    params(super::PageQuery, ListQuery),
    responses((status = 200, description = "The indicators, by code", body = crate::openapi::Page<svc::Indicator>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<ListQuery>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::Indicator>>> {
    let items = svc::catalogue(&state, &user, query.q.as_deref(), query.pillar.as_deref()).await?;
    Ok(Json(super::paged(items, &page)?))
}

#[utoipa::path(post, path = "/api/v1/indicators", tag = "indicators",
    request_body(content = IndicatorInput, content_type = "application/json"),
    responses((status = 201, description = "The indicator", body = svc::Indicator), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(input): ApiJson<IndicatorInput>,
) -> WebResult<Response> {
    let indicator = svc::create_indicator(&state, &caller(&user, &meta), &input).await?;
    Ok((StatusCode::CREATED, Json(indicator)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct IndicatorUpdate {
    #[serde(flatten)]
    input: IndicatorInput,
    #[serde(default)]
    version: Option<i64>,
    #[serde(flatten, default)]
    #[schema(ignore)]
    pub(crate) _others: dxplan_app::NoOtherFields,
}

#[utoipa::path(patch, path = "/api/v1/indicators/{code}", tag = "indicators",
    params(("code" = String, Path)),
    request_body(content = IndicatorUpdate, content_type = "application/json"),
    responses((status = 200, description = "The indicator now", body = svc::Indicator), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `PATCH /api/v1/indicators/{code}`: every field again, with `version` to refuse a stale
/// edit (409).
pub(crate) async fn update(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<IndicatorUpdate>,
) -> WebResult<Json<svc::Indicator>> {
    let indicator = svc::update_indicator(
        &state,
        &caller(&user, &meta),
        &code,
        &body.input,
        body.version,
    )
    .await?;
    Ok(Json(indicator))
}

#[utoipa::path(get, path = "/api/v1/indicators/{code}", tag = "indicators",
    params(("code" = String, Path)),
    responses((status = 200, description = "The indicator", body = svc::Indicator), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn get_one(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(code): Path<String>,
) -> WebResult<Json<svc::Indicator>> {
    Ok(Json(svc::indicator(&state, &user, &code).await?))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RollupQuery {
    unit: Option<String>,
    period: Option<String>,
    level: Option<String>,
    at: Option<String>,
    include_pending: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/indicators/{code}/values", tag = "indicators",
    params(RollupQuery, ("code" = String, Path)),
    responses((status = 200, description = "The figure rolled up over the unit's subtree, with its children when asked", body = svc::RollupView), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /indicators/{code}/values?unit=…&period=…&level=children|subtree&at=…`
pub(crate) async fn rollup(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<RollupQuery>,
) -> WebResult<Json<svc::RollupView>> {
    let unit = query
        .unit
        .as_deref()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| AppError::field("unit", Invalid::Required))?;
    let period = query
        .period
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| AppError::field("period", Invalid::Required))?;
    let at = parse_at(query.at.as_deref(), &state)?;
    let with_children = match query.level.as_deref() {
        None | Some("subtree") => false,
        Some("children") => true,
        Some(_) => return Err(WebError(AppError::field("level", Invalid::BadFormat))),
    };
    let include_pending = matches!(query.include_pending.as_deref(), Some("1" | "true"));
    let ask = svc::RollupAsk {
        indicator: &code,
        unit,
        period,
        at,
        with_children,
        include_pending,
    };
    let view = svc::rollup(&state, &user, &ask).await?;
    Ok(Json(view))
}

#[utoipa::path(get, path = "/api/v1/forms", tag = "indicators",
    params(super::PageQuery),
    responses((status = 200, description = "The data collection forms", body = crate::openapi::Page<svc::FormSummary>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list_forms(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::FormSummary>>> {
    let items = svc::forms(&state, &user).await?;
    Ok(Json(super::paged(items, &page)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct FormBody {
    code: String,
    name: String,
    period_type: String,
    #[serde(default)]
    deadline_days: Option<i64>,
    indicators: Vec<String>,
    unit_kinds: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/forms", tag = "indicators",
    request_body(content = FormBody, content_type = "application/json"),
    responses((status = 201, description = "The form", body = svc::Form), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn create_form(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(body): ApiJson<FormBody>,
) -> WebResult<Response> {
    let form = svc::create_form(
        &state,
        &caller(&user, &meta),
        &svc::FormInput {
            code: &body.code,
            name: &body.name,
            period_type: &body.period_type,
            deadline_days: body.deadline_days,
            indicators: &body.indicators,
            unit_kinds: &body.unit_kinds,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(form)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TargetRow {
    indicator: String,
    unit: String,
    period: String,
    value: f64,
}

#[utoipa::path(put, path = "/api/v1/targets", tag = "indicators",
    request_body(content = Vec<TargetRow>, content_type = "application/json"),
    responses((status = 204, description = "Saved, all or none"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn set_targets(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(rows): ApiJson<Vec<TargetRow>>,
) -> WebResult<StatusCode> {
    let mut cells = Vec::with_capacity(rows.len());
    for row in &rows {
        cells.push(svc::TargetCell {
            indicator: row.indicator.clone(),
            unit: row.unit.clone(),
            period: Period::parse(&row.period)
                .ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?,
            value: row.value,
        });
    }
    let summary = format!("{} targets", rows.len());
    svc::set_targets(&state, &caller(&user, &meta), &cells, summary).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UnitValuesQuery {
    unit: Option<String>,
    period: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/data-values", tag = "indicators",
    params(super::PageQuery, UnitValuesQuery),
    responses((status = 200, description = "The unit's figures for the period", body = crate::openapi::Page<svc::DataValue>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn unit_values(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(query): ApiQuery<UnitValuesQuery>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::DataValue>>> {
    let unit_code = query
        .unit
        .as_deref()
        .ok_or_else(|| AppError::field("unit", Invalid::Required))?;
    let period = Period::parse(query.period.as_deref().unwrap_or_default())
        .ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    Ok(Json(super::paged(
        svc::unit_values(&state, &user, unit_code, period).await?,
        &page,
    )?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct SaveBody {
    unit: String,
    period: String,
    #[serde(default)]
    submit: bool,
    rows: Vec<svc::ValueRow>,
}

#[utoipa::path(post, path = "/api/v1/data-values", tag = "indicators",
    request_body(content = SaveBody, content_type = "application/json"),
    responses((status = 200, description = "Row by row, what was saved", body = crate::openapi::Items<svc::RowResult>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn save_values(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(body): ApiJson<SaveBody>,
) -> WebResult<Json<Items<svc::RowResult>>> {
    let results = svc::save_values(
        &state,
        &caller(&user, &meta),
        &body.unit,
        &body.period,
        &body.rows,
        body.submit,
    )
    .await?;
    Ok(Json(Items { items: results }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ReviewBody {
    approve: bool,
    #[serde(default)]
    comment: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/data-values/{id}/review", tag = "indicators",
    params(("id" = i64, Path)),
    request_body(content = ReviewBody, content_type = "application/json"),
    responses((status = 204, description = "Reviewed"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn review(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> WebResult<StatusCode> {
    svc::review_value(
        &state,
        &caller(&user, &meta),
        id,
        body.approve,
        body.comment.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/data-values/{id}/files", tag = "indicators",
    params(super::PageQuery, ("id" = i64, Path)),
    responses((status = 200, description = "The figure's evidence files", body = crate::openapi::Page<svc::ValueFile>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn value_files(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::ValueFile>>> {
    let files = svc::files_of_value(&state, &user, id).await?;
    Ok(Json(super::paged(files, &page)?))
}

#[utoipa::path(post, path = "/api/v1/data-values/{id}/files", tag = "indicators",
    params(("id" = i64, Path)),
    request_body(content = crate::openapi::FileUpload, content_type = "multipart/form-data", description = "The file in the part named `file`"),
    responses((status = 201, description = "The evidence file (type checked by its content)", body = svc::ValueFile), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn upload_value_file(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let upload = crate::upload::first_file(multipart, state.upload_limit());
    let file = svc::attach_to_value(&state, &caller(&user, &meta), id, upload).await?;
    Ok((StatusCode::CREATED, Json(file)).into_response())
}

#[utoipa::path(get, path = "/api/v1/data-value-files/{id}", tag = "indicators",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The file, as its checked type"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn download_value_file(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (file, bytes) = svc::value_file_for(&state, &user, id).await?;
    Ok(crate::http::stored_file_response(
        &file.kind,
        &file.original_name,
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/data-values/{id}/history", tag = "indicators",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The figure and every change to it", body = svc::ValueHistory), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn history(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<svc::ValueHistory>> {
    Ok(Json(svc::value_history(&state, &user, id).await?))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExportQuery {
    period: Option<String>,
    indicator: Option<String>,
    unit: Option<String>,
    format: Option<String>,
}

const EXCHANGE_COLUMNS: [&str; 7] = [
    "indicator_code",
    "unit_code",
    "period",
    "value",
    "numerator",
    "denominator",
    "status",
];

#[utoipa::path(get, path = "/api/v1/data-values/export", tag = "indicators",
    params(ExportQuery),
    responses((status = 200, description = "The figures in the long exchange format (CSV unless format=json)", body = crate::openapi::Items<svc::ExchangeValue>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// The long exchange format: one row per figure, as CSV or JSON.
pub(crate) async fn export(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> WebResult<Response> {
    // Within the reader's scope (or the named unit's subtree, checked in the use case).
    user.require_somewhere(Action::ViewWork)?;
    let period = Period::parse(q.period.as_deref().unwrap_or_default())
        .ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    let rows = svc::exchange_rows(
        &state,
        &user,
        &svc::ExchangeQuery {
            period,
            indicator: q.indicator.as_deref().map(|i| (i, "indicator")),
            unit: q.unit.as_deref().map(|u| (u, "unit")),
        },
    )
    .await?;
    if q.format.as_deref() == Some("json") {
        return Ok(Json(Items { items: rows }).into_response());
    }
    // A machine format: no byte-order mark, cells formula-safe like every CSV.
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let header = EXCHANGE_COLUMNS.map(String::from).to_vec();
    let body = rows.iter().map(|r| {
        vec![
            r.indicator_code.clone(),
            r.unit_code.clone(),
            r.period.clone(),
            r.value.to_string(),
            opt(r.numerator),
            opt(r.denominator),
            r.status.as_str().to_string(),
        ]
    });
    let out = dxplan_report::csv_out::write(false, std::iter::once(header).chain(body))
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        out,
    )
        .into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportQuery {
    submit: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/data-values/import", tag = "indicators",
    params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file as the body"),
    responses((status = 200, description = "Row by row, what was saved (all or none)", body = crate::openapi::Items<svc::RowResult>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// Imports figures in the exchange format (CSV or a JSON array), all or none.
pub(crate) async fn import(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> WebResult<Json<Items<svc::RowResult>>> {
    // Whoever enters figures nowhere is refused before the file is read; each row's unit
    // is checked when the figures are saved.
    user.require_somewhere(dxplan_domain::auth::Action::EditUnitWork)?;
    let body = crate::upload::body_bytes(body, crate::upload::CSV_BYTES).await?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let items: Vec<svc::ExchangeRow> = if content_type.starts_with("application/json") {
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(e.to_string()))?
    } else if content_type.starts_with("text/csv") {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(body);
        let headers = reader
            .headers()
            .map_err(|e| AppError::BadRequest(e.to_string()))?
            .clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(i), Some(u), Some(p)) = (col("indicator_code"), col("unit_code"), col("period"))
        else {
            return Err(WebError(AppError::BadRequest(
                "columns indicator_code, unit_code and period are required".into(),
            )));
        };
        let (v, n, d) = (col("value"), col("numerator"), col("denominator"));
        let mut items = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| AppError::BadRequest(e.to_string()))?;
            let get = |c: Option<usize>| {
                c.and_then(|c| record.get(c))
                    .map(|cell| dxplan_domain::text::formula_restored(cell).to_string())
                    .filter(|s| !s.is_empty())
            };
            items.push(svc::ExchangeRow {
                unit: get(Some(u)).unwrap_or_default(),
                period: get(Some(p)).unwrap_or_default(),
                row: svc::ValueRow {
                    indicator: get(Some(i)).unwrap_or_default(),
                    input: dxplan_domain::indicator::ValueInput {
                        value: get(v),
                        numerator: get(n),
                        denominator: get(d),
                    },
                    comment: None,
                    version: None,
                    entered_offline_at: None,
                    _others: Default::default(),
                },
            });
        }
        items
    } else {
        return Err(WebError(AppError::UnsupportedMediaType));
    };
    if items.is_empty() {
        return Err(WebError(AppError::BadRequest("no rows".into())));
    }
    let submit = matches!(q.submit.as_deref(), Some("1" | "true"));
    let results = svc::save_many(&state, &caller(&user, &meta), &items, submit).await?;
    Ok(Json(Items { items: results }))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DashboardQuery {
    period: Option<String>,
    at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/units/{code}/indicators", tag = "indicators",
    params(super::PageQuery, DashboardQuery, ("code" = String, Path)),
    responses((status = 200, description = "Every indicator rolled up over the unit's subtree", body = crate::openapi::Page<svc::RollupView>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// Every indicator rolled up over one unit's subtree for a period.
pub(crate) async fn unit_dashboard(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<DashboardQuery>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::RollupView>>> {
    let at = parse_at(q.at.as_deref(), &state)?;
    let period = q
        .period
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| AppError::field("period", Invalid::Required))?;
    Ok(Json(super::paged(
        svc::rollup_all(&state, &user, &code, period, at).await?,
        &page,
    )?))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TargetsQuery {
    period: Option<String>,
    unit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/targets", tag = "indicators",
    params(super::PageQuery, TargetsQuery),
    responses((status = 200, description = "Targets of the unit and the units below it", body = crate::openapi::Page<svc::Target>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// Targets of a period for a unit and the units below it.
pub(crate) async fn list_targets(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(q): ApiQuery<TargetsQuery>,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::Target>>> {
    let period = Period::parse(q.period.as_deref().unwrap_or_default())
        .ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    Ok(Json(super::paged(
        svc::targets(&state, &user, period, q.unit.as_deref()).await?,
        &page,
    )?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CopyBody {
    from_year: i32,
    to_year: i32,
}

#[utoipa::path(post, path = "/api/v1/targets/copy", tag = "indicators",
    request_body(content = CopyBody, content_type = "application/json"),
    responses((status = 200, description = "How many targets were copied", body = TargetsCopied), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn copy_targets(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(b): ApiJson<CopyBody>,
) -> WebResult<Json<TargetsCopied>> {
    let copied = svc::copy_targets(&state, &caller(&user, &meta), b.from_year, b.to_year).await?;
    Ok(Json(TargetsCopied { copied }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TargetsCopied {
    copied: u64,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct SplitBody {
    indicator: String,
    unit: String,
    year: i32,
    value: f64,
    method: svc::SplitMethod,
}

#[utoipa::path(post, path = "/api/v1/targets/split", tag = "indicators",
    request_body(content = SplitBody, content_type = "application/json"),
    responses((status = 200, description = "The target each unit below receives", body = crate::openapi::Items<TargetShare>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn split_target(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(b): ApiJson<SplitBody>,
) -> WebResult<Json<Items<TargetShare>>> {
    let shares = svc::split_target(
        &state,
        &caller(&user, &meta),
        &b.indicator,
        &b.unit,
        b.year,
        b.value,
        b.method,
    )
    .await?;
    Ok(Json(Items {
        items: shares
            .into_iter()
            .map(|(unit, target)| TargetShare { unit, target })
            .collect(),
    }))
}

/// The share of a target one unit below receives.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TargetShare {
    /// The unit's code.
    unit: String,
    target: f64,
}

#[utoipa::path(get, path = "/api/v1/data-values/pending", tag = "indicators",
    params(super::PageQuery),
    responses((status = 200, description = "Figures waiting for review, the oldest first", body = crate::openapi::Page<svc::DataValue>), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/data-values/pending`: the review queue (a reviewer's).
pub(crate) async fn pending_values(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(page): ApiQuery<super::PageQuery>,
) -> WebResult<Json<crate::openapi::Page<svc::DataValue>>> {
    let waiting = svc::review_queue(&state, &user, 5_000).await?;
    Ok(Json(super::paged(waiting, &page)?))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PeriodQuery {
    /// `2025`, `2025Q2` or `2025-08`; the current period of the form when absent.
    period: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/forms/{id}/completeness", tag = "indicators",
    params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, description = "Every unit that fills in the form, with how much it has reported", body = svc::Completeness), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `GET /api/v1/forms/{id}/completeness?period=`: who has reported.
pub(crate) async fn form_completeness(
    State(state): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> WebResult<Json<svc::Completeness>> {
    Ok(Json(
        svc::completeness(&state, &user, id, q.period.as_deref()).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RemindBody {
    period: String,
}

/// How many units were reminded.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Reminded {
    reminded: usize,
}

#[utoipa::path(post, path = "/api/v1/forms/{id}/reminders", tag = "indicators",
    params(("id" = i64, Path)),
    request_body(content = RemindBody, content_type = "application/json"),
    responses((status = 200, description = "The units that have not reported were reminded", body = Reminded), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/forms/{id}/reminders` `{"period"}`: reminds every unit still late.
pub(crate) async fn remind_late(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RemindBody>,
) -> WebResult<Json<Reminded>> {
    let period =
        Period::parse(&body.period).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    let reminded = svc::remind_late(&state, &caller(&user, &meta), id, period).await?;
    Ok(Json(Reminded { reminded }))
}
