//! The Decree 335/2025/NĐ-CP figures of a month or a quarter: each unit's and each named
//! officer's products, on a page and as a workbook.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;

use super::{Ctx, Page};
use crate::error::{AppError, WebResult};
use dxplan_app::evaluation::{self as svc, Evaluation, EvaluationQuery, Scored};
use dxplan_report::evaluation_xlsx::{EvaluationRow, evaluation_xlsx};

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    page: Page,
    e: Evaluation,
    query: EvaluationQuery,
    /// The periods offered (stored form, label): recent quarters, then months.
    periods: Vec<(String, String)>,
    export_query: String,
    /// The units the unit field offers, by name.
    unit_choices: Vec<String>,
}

impl EvaluationPage {
    fn rate(&self, v: &Option<f64>) -> String {
        dxplan_report::dashboard_charts::pct(*v)
    }

    fn delivered(&self, s: &Scored) -> u32 {
        s.figures.delivered()
    }
}

pub async fn page(ctx: Ctx, Query(q): Query<EvaluationQuery>) -> WebResult<Response> {
    let user = ctx.user()?;
    let e = svc::evaluation(&ctx.state, user, &q).await?;
    let unit_choices = dxplan_app::pickers::unit_choices(
        &ctx.state,
        user,
        dxplan_domain::auth::Action::ViewWork,
        ctx.state.today(),
    )
    .await?;
    let view = EvaluationPage {
        unit_choices,
        page: ctx.page(
            "Kết quả thực hiện nhiệm vụ (Nghị định 335)",
            "Task results (Decree 335)",
        ),
        periods: super::tasks::recent_periods(ctx.state.today(), ctx.lang()),
        export_query: serde_urlencoded::to_string(&q).unwrap_or_default(),
        query: q,
        e,
    };
    ctx.render(&view)
}

pub async fn workbook(ctx: Ctx, Query(q): Query<EvaluationQuery>) -> WebResult<Response> {
    let e = svc::evaluation(&ctx.state, ctx.user()?, &q).await?;
    let units: Vec<EvaluationRow<'_>> = e
        .units
        .iter()
        .map(|u| EvaluationRow {
            name: &u.unit_name,
            unit: "",
            figures: &u.score.figures,
        })
        .collect();
    let officers: Vec<EvaluationRow<'_>> = e
        .officers
        .iter()
        .map(|o| EvaluationRow {
            name: &o.officer_name,
            unit: &o.unit_name,
            figures: &o.score.figures,
        })
        .collect();
    let title = format!(
        "Kết quả thực hiện nhiệm vụ {} (đến ngày {})",
        e.period_label,
        dxplan_domain::text::format_date(e.as_of)
    );
    let bytes = evaluation_xlsx(&title, &units, &officers)
        .map_err(|err| AppError::internal(format!("xlsx: {err}")))?;
    Ok(crate::http::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("ket-qua-nhiem-vu-{}.xlsx", e.period),
        bytes,
    ))
}
