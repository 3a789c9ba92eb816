//! Index assessment pages: rounds, a unit's self-assessment form with verification and
//! response, results with rankings and radar charts, frameworks, and the public results.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;

use dxplan_app::assessment::Round;
use dxplan_app::index::Framework;
use dxplan_domain::Lang;
use dxplan_domain::auth::Action;
use dxplan_domain::text::{format_date, format_number};

use super::{Ctx, FormErrors, Page};
use crate::error::WebResult;
use dxplan_app::assessment::{self as svc, RoundInput, RoundView};
use dxplan_app::index as frameworks;

mod framework;
mod results;
mod sheet;

pub use framework::*;
pub use results::*;
pub use sheet::*;

fn num(v: f64) -> String {
    format_number(v, 2)
}

fn opt(v: Option<f64>) -> String {
    v.map(num).unwrap_or_else(|| "–".into())
}

fn index(v: Option<f64>) -> String {
    v.map(|v| format_number(v, 4)).unwrap_or_else(|| "–".into())
}

fn status_label(lang: Lang, status: &str) -> &'static str {
    match status {
        "published" => lang.pick("Đã công bố", "Published"),
        _ => lang.pick("Đang đánh giá", "In progress"),
    }
}

// ---------------------------------------------------------------- home

#[derive(Template)]
#[template(path = "assessments.html")]
struct HomePage {
    page: Page,
    rounds: Vec<(Round, &'static str, String)>,
    frameworks: Vec<Framework>,
    /// Opens rounds (a district's coordinator for its communes too).
    may_open_rounds: bool,
    /// Imports frameworks: the province's.
    may_manage_frameworks: bool,
    errors: FormErrors,
    form: HashMap<String, String>,
    /// The units the round's unit fields offer, by name.
    unit_choices: Vec<String>,
}

async fn home_page(
    ctx: &Ctx,
    errors: FormErrors,
    form: HashMap<String, String>,
) -> WebResult<HomePage> {
    let user = ctx.user()?;
    let lang = ctx.lang();
    let rounds = svc::round_list(&ctx.state, user)
        .await?
        .into_iter()
        .map(|r| {
            let label = status_label(lang, &r.status);
            let deadline = format_date(r.deadline);
            (r, label, deadline)
        })
        .collect();
    let frameworks = frameworks::frameworks(&ctx.state, user).await?;
    let may_open_rounds = user.holds(Action::ManagePlans);
    let unit_choices = if may_open_rounds {
        dxplan_app::pickers::unit_choices(&ctx.state, user, Action::ManagePlans, ctx.state.today())
            .await?
    } else {
        Vec::new()
    };
    Ok(HomePage {
        unit_choices,
        page: ctx.page("Đánh giá chỉ số chuyển đổi số", "Index assessment"),
        rounds,
        frameworks,
        may_open_rounds,
        may_manage_frameworks: may_manage_frameworks(ctx).await?,
        errors,
        form,
    })
}

/// Whether the page offers to change frameworks (the province's objects).
async fn may_manage_frameworks(ctx: &Ctx) -> WebResult<bool> {
    Ok(frameworks::require_frameworks(&ctx.state, &ctx.caller()?)
        .await
        .is_ok())
}

/// `GET /assessments`: rounds and frameworks; coordinators open rounds here.
pub async fn home(ctx: Ctx) -> WebResult<Response> {
    let view = home_page(&ctx, FormErrors::default(), HashMap::new()).await?;
    ctx.render(&view)
}

/// `POST /assessments/rounds`: opens a round from the form.
pub async fn open_round(
    ctx: Ctx,
    Form(form): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let get = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let input = RoundInput {
        framework_id: get("framework_id").parse().unwrap_or_default(),
        name: get("name"),
        year: get("year").parse().unwrap_or_default(),
        run_by: Some(get("run_by")).filter(|s| !s.is_empty()),
        deadline: get("deadline"),
        units: dxplan_app::pickers::unit_list(&get("units")),
    };
    match svc::open_round(&ctx.state, &caller, &input).await {
        Ok(round) => Ok(ctx.done(
            &format!("/assessments/rounds/{}", round.id),
            &ctx.lang().pick(
                format!("Đã mở vòng đánh giá “{}”.", round.name),
                format!("Round “{}” opened.", round.name),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = home_page(&ctx, errors, form).await?;
            ctx.render_invalid(&view)
        }
    }
}

// ---------------------------------------------------------------- a round

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage {
    page: Page,
    v: RoundView,
    deadline: String,
    lines: Vec<(i64, String, &'static str, String, String, String)>,
}

/// `GET /assessments/rounds/{id}`.
pub async fn round(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let user = ctx.user()?;
    let lang = ctx.lang();
    let v = svc::round_view(&ctx.state, user, id).await?;
    let lines = v
        .assessments
        .iter()
        .map(|l| {
            (
                l.assessment.id,
                l.assessment.unit_name.clone(),
                l.assessment.status.label(lang),
                format!("{}/{}", l.answered, l.leaves),
                num(l.self_points),
                opt(l.final_points),
            )
        })
        .collect();
    let mut page = ctx.page("Vòng đánh giá", "Assessment round");
    page.title = v.round.name.clone();
    ctx.render(&RoundPage {
        page,
        deadline: format_date(v.round.deadline),
        v,
        lines,
    })
}

/// `POST /assessments/rounds/{id}/publish`.
pub async fn publish(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match svc::publish(&ctx.state, &caller, id).await {
        Ok(round) => Ok(ctx.done(
            &format!("/assessments/rounds/{id}/results"),
            &ctx.lang().pick(
                format!("Đã công bố kết quả “{}”.", round.name),
                format!("Results of “{}” published.", round.name),
            ),
        )),
        Err(e) => {
            let message = FormErrors::from_error(ctx.lang(), e)?.sentence(|_| None);
            Ok(ctx.done(&format!("/assessments/rounds/{id}"), &message))
        }
    }
}
