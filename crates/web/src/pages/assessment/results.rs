//! A round's results with rankings and radar charts, and the public results.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;

use dxplan_app::assessment::Round;
use dxplan_domain::text::{format_date, format_number};
use dxplan_report::dashboard_charts::Figure;

use super::super::{Ctx, Page};
use super::{index, num};
use crate::error::WebResult;
use dxplan_app::Structure;
use dxplan_app::assessment::{self as svc, ResultsView};

// ---------------------------------------------------------------- results

/// A criterion where a unit lost points: its name, the points lost, the linked tasks.
type LostLine = (String, String, Vec<(i64, String)>);

struct ResultRow {
    rank: usize,
    unit: String,
    points: String,
    index: String,
    change: String,
    /// Last year's index, when there is one.
    previous: String,
    /// Where last year's index comes from, when it is not the unit's own result
    /// (a merged unit's average of its predecessors).
    basis: Option<String>,
    /// In today's units: whose results the row averages, when not the unit's own.
    carried: Option<String>,
    pillars: Vec<String>,
    lost: Vec<LostLine>,
    radar: Figure,
}

#[derive(Template)]
#[template(path = "index_results.html")]
struct ResultsPage {
    page: Page,
    v: ResultsView,
    public: bool,
    ranking: Figure,
    rows: Vec<ResultRow>,
    max: String,
    /// Where the documents are (`…/results.xlsx`), for the public or the staff.
    base: String,
    /// The structure shown, for the documents' links.
    structure: &'static str,
}

fn results_page(ctx: &Ctx, v: ResultsView, public: bool) -> ResultsPage {
    let lang = ctx.lang();
    let charts = dxplan_report::index_results::charts(&v.results, lang);
    let rows = v
        .results
        .iter()
        .zip(charts.radars)
        .map(|(r, radar)| ResultRow {
            rank: r.rank,
            unit: r.unit_name.clone(),
            points: num(r.points),
            index: index(r.index),
            change: r
                .change
                .map(|c| format!("{}{}", if c > 0.0 { "+" } else { "" }, format_number(c, 4)))
                .unwrap_or_else(|| "–".into()),
            previous: index(r.previous_index),
            basis: r.previous_basis.as_ref().and_then(|b| b.label(lang)),
            carried: r.carried_from.as_ref().and_then(|b| b.label(lang)),
            pillars: r
                .pillars
                .iter()
                .map(|p| format!("{} ({})", num(p.points), index(p.index)))
                .collect(),
            lost: r
                .lost
                .iter()
                .map(|l| {
                    (
                        format!("{} {}", l.code, l.name),
                        format!("−{}", num(l.lost)),
                        v.tasks_by_criterion
                            .get(&l.code)
                            .map(|ts| {
                                ts.iter()
                                    .map(|t| {
                                        (t.task_id, format!("{} {}", t.task_code, t.task_title))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            radar,
        })
        .collect();
    let mut page = ctx.page("Kết quả đánh giá", "Results");
    page.title = format!("{} — {}", page.title, v.round.name);
    ResultsPage {
        page,
        max: num(v.max_points),
        ranking: charts.ranking,
        rows,
        public,
        base: if public {
            format!("/public/index/{}", v.round.id)
        } else {
            format!("/assessments/rounds/{}", v.round.id)
        },
        structure: if v.as_it_is_now {
            Structure::AsItIsNow
        } else {
            Structure::AsItWas
        }
        .param(),
        v,
    }
}

/// `GET /assessments/rounds/{id}/results`.
pub async fn results(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<svc::ResultsQuery>,
) -> WebResult<Response> {
    let v = svc::round_results(&ctx.state, Some(ctx.user()?), id, &q).await?;
    ctx.render(&results_page(&ctx, v, false))
}

/// `GET /public/index/{id}`: a published round's results, for anyone.
pub async fn public_results(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<svc::ResultsQuery>,
) -> WebResult<Response> {
    let v = svc::round_results(&ctx.state, None, id, &q).await?;
    ctx.render(&results_page(&ctx, v, true))
}

#[derive(Template)]
#[template(path = "public_index.html")]
struct PublicPage {
    page: Page,
    rounds: Vec<(Round, String)>,
}

/// `GET /public/index`: every published round.
pub async fn public_list(ctx: Ctx) -> WebResult<Response> {
    let rounds = svc::published_rounds(&ctx.state)
        .await?
        .into_iter()
        .map(|r| {
            let at = r
                .published_at
                .map(|t| format_date(t.date()))
                .unwrap_or_default();
            (r, at)
        })
        .collect();
    ctx.render(&PublicPage {
        page: ctx.page(
            "Kết quả chỉ số chuyển đổi số",
            "Digital transformation index results",
        ),
        rounds,
    })
}

/// `GET /assessments/rounds/{id}/results.xlsx` and `.pdf`, and for anyone (`public`) the
/// published documents at `GET /public/index/{id}/results.{ext}`.
pub async fn results_file(
    ctx: Ctx,
    Path(id): Path<i64>,
    q: svc::ResultsQuery,
    ext: &str,
    public: bool,
) -> WebResult<Response> {
    let user = if public { None } else { Some(ctx.user()?) };
    let v = svc::round_results(&ctx.state, user, id, &q).await?;
    let (content_type, filename, bytes) =
        svc::results_document(&ctx.state, v, ext, ctx.lang()).await?;
    Ok(crate::http::download(content_type, &filename, bytes))
}
