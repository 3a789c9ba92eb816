//! The JSON API for reorganisations: change sets uploaded, reviewed, applied and undone.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dxplan_app::reorg::Change;
use dxplan_domain::Lang;
use dxplan_domain::reorg_plan::Preview;
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiQuery, PageQuery, caller};
use crate::error::WebResult;
use crate::openapi;
use crate::session::{Auth, RequestMeta};
use crate::state::AppState;
use dxplan_app::reorg::{self as svc, ChangeInput, Decision};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reorganisations", get(list).post(create))
        .route("/reorganisations/{id}", get(get_one))
        .route("/reorganisations/{id}/apply", post(apply))
        .route("/reorganisations/{id}/undo", post(undo))
}

/// A change set as a machine client sends it: the two CSV files as text.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeBody {
    name: String,
    /// `2025-07-01` or `01/07/2025`.
    effective_on: String,
    /// `code,name,level,parent_code` (further columns ignored); may hold only a header.
    #[serde(default)]
    new_units_csv: String,
    /// `old_code,old_name,new_code,new_name[,weight]`; an empty `new_code` retires the
    /// old unit without a successor.
    lineage_csv: String,
}

/// Why a change set cannot be applied, one problem at a time.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Problem {
    /// The problem as data (`unknown_old_code`, `cycle`, `weights_do_not_sum_to_one`, …).
    #[schema(value_type = Object)]
    problem: serde_json::Value,
    message: String,
}

/// A change set and what applying it does (re-planned now for a draft), or why it
/// cannot be applied as the units stand now.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ChangeReview {
    change: Change,
    preview: Option<Preview>,
    problems: Vec<Problem>,
    /// What the preview proposes for each retired unit's live work, in words.
    dispositions: Vec<String>,
    /// For a change set applied (or since undone): what applying it did.
    done: Option<svc::Done>,
}

fn review_json(review: svc::Review, lang: Lang) -> ChangeReview {
    if let Some(done) = review.done {
        return ChangeReview {
            change: review.change,
            preview: None,
            problems: Vec::new(),
            dispositions: Vec::new(),
            done: Some(done),
        };
    }
    match review.plan {
        Ok(preview) => ChangeReview {
            dispositions: preview
                .retired
                .iter()
                .filter_map(|r| {
                    r.disposition
                        .as_ref()
                        .map(|d| format!("{}: {}", r.unit, d.message(lang)))
                })
                .collect(),
            change: review.change,
            preview: Some(preview),
            problems: Vec::new(),
            done: None,
        },
        Err(problems) => ChangeReview {
            change: review.change,
            preview: None,
            dispositions: Vec::new(),
            done: None,
            problems: problems
                .iter()
                .map(|p| Problem {
                    problem: serde_json::to_value(p).unwrap_or_default(),
                    message: p.message(lang),
                })
                .collect(),
        },
    }
}

#[utoipa::path(get, path = "/api/v1/reorganisations", tag = "accounts",
    params(PageQuery),
    responses((status = 200, description = "Every change set, the latest effective date first", body = openapi::Page<Change>), openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Auth(user): Auth,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> WebResult<Json<openapi::Page<Change>>> {
    Ok(Json(super::paged(svc::list(&state, &user).await?, &page)?))
}

#[utoipa::path(post, path = "/api/v1/reorganisations", tag = "accounts",
    request_body(content = ChangeBody, content_type = "application/json"),
    responses((status = 201, description = "The draft and its preview", body = ChangeReview),
        (status = 422, description = "The change set is refused, problem by problem; nothing is stored", body = openapi::ErrorBody),
        openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
/// `POST /api/v1/reorganisations`: a draft change set, stored only when it plans cleanly.
pub(crate) async fn create(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(body): ApiJson<ChangeBody>,
) -> WebResult<Response> {
    let id = svc::create(
        &state,
        &caller(&user, &meta),
        &ChangeInput {
            name: body.name,
            effective_on: body.effective_on,
            new_units_csv: body.new_units_csv.into_bytes(),
            lineage_csv: body.lineage_csv.into_bytes(),
        },
    )
    .await?;
    let review = svc::review(&state, &user, id).await?;
    Ok((StatusCode::CREATED, Json(review_json(review, meta.lang))).into_response())
}

#[utoipa::path(get, path = "/api/v1/reorganisations/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The change set and its preview, or its problems now", body = ChangeReview), openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn get_one(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
) -> WebResult<Json<ChangeReview>> {
    let review = svc::review(&state, &user, id).await?;
    Ok(Json(review_json(review, meta.lang)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApplyBody {
    /// The change set's `version` as read.
    version: i64,
    /// Decisions for retired units' live work; the preview's proposal for the others.
    #[serde(default)]
    decisions: Vec<Decision>,
}

#[utoipa::path(post, path = "/api/v1/reorganisations/{id}/apply", tag = "accounts",
    params(("id" = i64, Path)),
    request_body(content = ApplyBody, content_type = "application/json"),
    responses((status = 200, description = "Applied in one transaction", body = Change),
        (status = 422, description = "The change set no longer plans; nothing is applied", body = openapi::ErrorBody),
        openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn apply(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ApplyBody>,
) -> WebResult<Json<Change>> {
    Ok(Json(
        svc::apply(
            &state,
            &caller(&user, &meta),
            id,
            body.version,
            &body.decisions,
        )
        .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UndoBody {
    version: i64,
}

#[utoipa::path(post, path = "/api/v1/reorganisations/{id}/undo", tag = "accounts",
    params(("id" = i64, Path)),
    request_body(content = UndoBody, content_type = "application/json"),
    responses((status = 200, description = "Undone: everything as before the apply", body = Change), openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn undo(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UndoBody>,
) -> WebResult<Json<Change>> {
    Ok(Json(
        svc::undo(&state, &caller(&user, &meta), id, body.version).await?,
    ))
}
