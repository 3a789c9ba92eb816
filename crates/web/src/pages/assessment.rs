//! Index assessment pages: rounds, a unit's self-assessment form with verification and
//! response, results with rankings and radar charts, frameworks, and the public results.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query};
use axum::response::{IntoResponse, Response};

use dxplan_app::assessment::Round;
use dxplan_app::index::Framework;
use dxplan_domain::Lang;
use dxplan_domain::assessment::{AssessmentAction, AssessmentStatus};
use dxplan_domain::auth::Action;
use dxplan_domain::scoring::Rule;
use dxplan_domain::text::{format_date, format_number, parse_number_vi};
use dxplan_report::dashboard_charts::Figure;

use super::{Ctx, FormErrors, Page};
use crate::error::{AppError, WebError, WebResult};
use dxplan_app::AppResult;
use dxplan_app::Structure;
use dxplan_app::assessment::{
    self as svc, ActInput, AnswerInput, AssessmentView, CorrectionInput, ResponseInput,
    ResultsView, RoundInput, RoundView, ScoreRow, VerifyInput,
};
use dxplan_app::index as frameworks;

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

// ---------------------------------------------------------------- an assessment

/// A leaf's inputs, as the form draws them.
struct LeafForm {
    kind: &'static str,
    options: Vec<(String, String, bool)>,
    points: String,
    yes: Option<bool>,
    value: String,
    numerator: String,
    denominator: String,
    target: String,
    explanation: String,
}

struct RowView {
    row: ScoreRow,
    max: String,
    rule_text: String,
    self_points: String,
    live_points: String,
    verified: String,
    final_points: String,
    decision: &'static str,
    fed: String,
    form: Option<LeafForm>,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    page: Page,
    v: AssessmentView,
    rows: Vec<RowView>,
    status: &'static str,
    deadline: String,
    totals: (String, String, String, String),
    may_submit: bool,
    may_reopen: bool,
    may_finalize: bool,
    may_respond: bool,
    editing: bool,
    adjusted_codes: Vec<(String, String)>,
    error: Option<String>,
    max_upload_mb: u64,
    /// Criterion groups: a contents list from two on.
    groups: usize,
}

fn leaf_form(row: &ScoreRow, lang: Lang) -> Option<LeafForm> {
    let rule = row.criterion.rule.as_ref()?;
    let a = &row.answer;
    let n = |v: Option<f64>| v.map(num).unwrap_or_default();
    let (kind, options) = match rule {
        Rule::Manual => ("manual", Vec::new()),
        Rule::YesNo => ("yes_no", Vec::new()),
        Rule::Ratio => ("ratio", Vec::new()),
        Rule::Linear { .. } | Rule::Steps { .. } => ("value", Vec::new()),
        Rule::TargetShare { .. } => ("target", Vec::new()),
        Rule::Choice { options } => (
            "choice",
            options
                .iter()
                .map(|o| {
                    (
                        o.key.clone(),
                        format!(
                            "{} ({} {})",
                            o.label,
                            num(o.share * row.criterion.max_points),
                            lang.pick("điểm", "points")
                        ),
                        a.choice.as_deref() == Some(o.key.as_str()),
                    )
                })
                .collect(),
        ),
    };
    Some(LeafForm {
        kind,
        options,
        points: n(a.points),
        yes: a.yes,
        value: n(a.value),
        numerator: n(a.numerator),
        denominator: n(a.denominator),
        target: n(a.target),
        explanation: row
            .score
            .as_ref()
            .and_then(|s| s.explanation.clone())
            .unwrap_or_default(),
    })
}

async fn assessment_page(ctx: &Ctx, id: i64, errors: FormErrors) -> WebResult<AssessmentPage> {
    let user = ctx.user()?;
    let lang = ctx.lang();
    let v = svc::assessment_view(&ctx.state, user, id).await?;
    let status = v.assessment.status;
    let editing = v.rights.edit && status.is_editable_by_unit();
    let rows: Vec<RowView> = v
        .rows
        .iter()
        .map(|r| {
            let score = r.score.as_ref();
            let prefix = format!("{}.", r.criterion.code);
            RowView {
                max: num(r.criterion.max_points),
                rule_text: r
                    .criterion
                    .rule
                    .as_ref()
                    .map(|rule| rule.describe(r.criterion.max_points))
                    .unwrap_or_default(),
                self_points: if r.is_leaf {
                    opt(score.and_then(|s| s.self_points))
                } else {
                    num(r.self_total)
                },
                live_points: opt(r.live_points),
                verified: opt(score.and_then(|s| s.verified_points)),
                final_points: if r.is_leaf {
                    opt(score.and_then(|s| s.final_points))
                } else {
                    opt(r.final_total)
                },
                decision: match score.and_then(|s| s.verification.as_deref()) {
                    Some("accepted") => lang.pick("Thống nhất", "Accepted"),
                    Some("adjusted") => lang.pick("Điều chỉnh", "Adjusted"),
                    _ => "",
                },
                fed: r
                    .fed
                    .as_ref()
                    .map(|f| {
                        format!(
                            "{} {}: {}{}",
                            lang.pick("Chỉ tiêu", "Indicator"),
                            f.indicator,
                            opt(f.value),
                            f.target
                                .map(|t| format!(
                                    " ({} {})",
                                    lang.pick("chỉ tiêu giao", "target"),
                                    num(t)
                                ))
                                .unwrap_or_default()
                        )
                    })
                    .unwrap_or_default(),
                form: if editing { leaf_form(r, lang) } else { None },
                errors: errors
                    .items
                    .iter()
                    .filter(|(f, _)| f.starts_with(&prefix))
                    .map(|(_, m)| m.clone())
                    .collect(),
                row: r.clone(),
            }
        })
        .collect();
    let adjusted_codes = v
        .rows
        .iter()
        .filter(|r| {
            r.score
                .as_ref()
                .is_some_and(|s| s.verification.as_deref() == Some("adjusted"))
        })
        .map(|r| (r.criterion.code.clone(), r.criterion.name.clone()))
        .collect();
    let general = errors.general.clone();
    let unplaced: Vec<String> = errors
        .items
        .iter()
        .filter(|(f, _)| {
            !v.rows
                .iter()
                .any(|r| f.starts_with(&format!("{}.", r.criterion.code)))
        })
        .map(|(f, m)| format!("{f}: {m}"))
        .collect();
    let error = match (general, unplaced.is_empty()) {
        (Some(g), true) => Some(g),
        (Some(g), false) => Some(format!("{g} {}", unplaced.join(" "))),
        (None, false) => Some(unplaced.join(" ")),
        (None, true) if errors.any() => Some(
            lang.pick(
                "Có tiêu chí chưa hợp lệ: xem thông báo ở từng tiêu chí.",
                "Some criteria are not valid: see the message at each.",
            )
            .to_string(),
        ),
        (None, true) => None,
    };
    let mut page = ctx.page("Tự đánh giá", "Self-assessment");
    page.title = format!("{} — {}", v.assessment.unit_name, v.round.name);
    Ok(AssessmentPage {
        status: status.label(lang),
        deadline: format_date(v.assessment.reopened_until.unwrap_or(v.round.deadline)),
        totals: (
            num(v.self_total),
            opt(v.verified_total),
            opt(v.final_total),
            num(v.max_points),
        ),
        may_submit: v.rights.submit && AssessmentAction::Submit.apply(status).is_some(),
        may_reopen: v.rights.manage && AssessmentAction::Reopen.apply(status).is_some(),
        may_finalize: v.rights.manage
            && v.all_verified
            && AssessmentAction::Finalize.apply(status).is_some(),
        may_respond: v.rights.submit
            && status == AssessmentStatus::Verifying
            && v.assessment.responded_at.is_none()
            && v.adjusted > 0,
        editing,
        adjusted_codes,
        error,
        max_upload_mb: ctx.state.settings.max_upload_bytes / (1024 * 1024),
        groups: rows.iter().filter(|r| !r.row.is_leaf).count(),
        rows,
        page,
        v,
    })
}

/// `GET /assessments/{id}`: the self-assessment, verification and response.
pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = assessment_page(&ctx, id, FormErrors::default()).await?;
    ctx.render(&view)
}

async fn after(
    ctx: &Ctx,
    id: i64,
    result: AppResult<impl Sized>,
    done: (&str, &str),
) -> WebResult<Response> {
    match result {
        Ok(_) => Ok(ctx.done(
            &format!("/assessments/{id}"),
            ctx.lang().pick(done.0, done.1),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = assessment_page(ctx, id, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

fn number(form: &[(String, String)], key: &str) -> Result<Option<f64>, ()> {
    match form.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => parse_number_vi(v).map(Some).ok_or(()),
    }
}

/// `POST /assessments/{id}/scores`: the answers form.
pub async fn save(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let mut codes: Vec<String> = form
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("c:").map(str::to_string))
        .collect();
    codes.dedup();
    let text = |key: String| {
        form.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut bad = Vec::new();
    let mut answers = Vec::new();
    for code in &codes {
        let mut n = |field: &str| match number(&form, &format!("{field}:{code}")) {
            Ok(v) => v,
            Err(()) => {
                bad.push(dxplan_domain::FieldError::new(
                    format!("{code}.{field}"),
                    dxplan_domain::Invalid::BadNumber,
                ));
                None
            }
        };
        let answer = AnswerInput {
            criterion: code.clone(),
            points: n("points"),
            value: n("value"),
            numerator: n("numerator"),
            denominator: n("denominator"),
            target: n("target"),
            yes: text(format!("yes:{code}")).map(|v| v == "yes"),
            choice: text(format!("choice:{code}")),
            explanation: text(format!("explanation:{code}")),
        };
        answers.push(answer);
    }
    let result = if bad.is_empty() {
        svc::save_answers(&ctx.state, &caller, id, &answers).await
    } else {
        Err(AppError::Validation(bad))
    };
    after(
        &ctx,
        id,
        result,
        ("Đã lưu bản tự đánh giá.", "Self-assessment saved."),
    )
    .await
}

/// `POST /assessments/{id}/links`: a link as evidence.
pub async fn add_link(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let result = svc::add_link(
        &ctx.state,
        &caller,
        id,
        &get("criterion"),
        &get("url"),
        &get("title"),
    )
    .await;
    after(
        &ctx,
        id,
        result,
        ("Đã thêm liên kết minh chứng.", "Evidence link added."),
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct CriterionQuery {
    #[serde(default)]
    criterion: String,
}

/// `POST /assessments/{id}/files?criterion=…`: an evidence file.
pub async fn upload(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<CriterionQuery>,
    multipart: Multipart,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let file = crate::upload::first_file(multipart, ctx.state.upload_limit());
    let result = svc::attach_file(&ctx.state, &caller, id, &q.criterion, file).await;
    after(
        &ctx,
        id,
        result,
        ("Đã đính kèm tệp minh chứng.", "Evidence file attached."),
    )
    .await
}

/// `GET /assessments/evidence/{id}`: an evidence file.
pub async fn evidence_file(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let (evidence, bytes) = svc::evidence_file(&ctx.state, ctx.user()?, id).await?;
    Ok(crate::http::stored_file_response(
        evidence.kind.as_deref().unwrap_or_default(),
        &evidence.original_name,
        bytes,
    ))
}

/// `POST /assessments/{id}/actions`: submit, reopen, close verification.
pub async fn act(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = ActInput {
        action: form.get("action").cloned().unwrap_or_default(),
        comment: form.get("comment").cloned(),
        until: form.get("until").cloned(),
        version: form.get("version").and_then(|v| v.parse().ok()),
    };
    let result = svc::act(&ctx.state, &caller, id, &input).await;
    after(
        &ctx,
        id,
        result,
        ("Đã cập nhật bản đánh giá.", "Assessment updated."),
    )
    .await
}

/// `POST /assessments/{id}/verify`: one criterion's decision.
pub async fn verify(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let points = form
        .get("points")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty());
    let parsed = points.map(parse_number_vi);
    if parsed.is_some_and(|p| p.is_none()) {
        let errors = FormErrors::from_fields(
            ctx.lang(),
            &[dxplan_domain::FieldError::new(
                format!(
                    "{}.points",
                    form.get("criterion").cloned().unwrap_or_default()
                ),
                dxplan_domain::Invalid::BadNumber,
            )],
        );
        let view = assessment_page(&ctx, id, errors).await?;
        return ctx.render_invalid(&view);
    }
    let code = form.get("criterion").cloned().unwrap_or_default();
    let input = VerifyInput {
        criterion: code.clone(),
        decision: form.get("decision").cloned().unwrap_or_default(),
        points: parsed.flatten(),
        comment: form.get("comment").cloned(),
    };
    // Errors name the field alone; place them at the criterion.
    let result = svc::verify(&ctx.state, &caller, id, &input)
        .await
        .map_err(|e| match e {
            AppError::Validation(fields) => AppError::Validation(
                fields
                    .into_iter()
                    .map(|f| dxplan_domain::FieldError {
                        field: format!("{code}.{}", f.field),
                        ..f
                    })
                    .collect(),
            ),
            other => other,
        });
    after(
        &ctx,
        id,
        result,
        ("Đã ghi kết quả thẩm định.", "Verification recorded."),
    )
    .await
}

/// `POST /assessments/{id}/respond`: the unit's one response.
pub async fn respond(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let responses: Vec<ResponseInput> = form
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("response:")
                .filter(|_| !v.trim().is_empty())
                .map(|code| ResponseInput {
                    criterion: code.to_string(),
                    response: v.clone(),
                })
        })
        .collect();
    let result = svc::respond(&ctx.state, &caller, id, &responses).await;
    after(&ctx, id, result, ("Đã gửi giải trình.", "Response sent.")).await
}

/// `POST /assessments/{id}/correct`: a correction after publication.
pub async fn correct(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = CorrectionInput {
        criterion: form.get("criterion").cloned().unwrap_or_default(),
        points: form.get("points").and_then(|p| parse_number_vi(p.trim())),
        comment: form.get("comment").cloned().unwrap_or_default(),
    };
    let result = svc::correct(&ctx.state, &caller, id, &input).await;
    after(
        &ctx,
        id,
        result,
        ("Đã đính chính kết quả.", "Result corrected."),
    )
    .await
}

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

// ---------------------------------------------------------------- frameworks

#[derive(Template)]
#[template(path = "framework.html")]
struct FrameworkPage {
    page: Page,
    v: frameworks::FrameworkView,
    rows: Vec<(usize, frameworks::CriterionView, String, String)>,
    total: String,
    may_manage: bool,
    in_use: bool,
}

/// `GET /assessments/frameworks/{id}`: the tree with computed maxima and each rule.
pub async fn framework(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let user = ctx.user()?;
    let v = frameworks::framework(&ctx.state, user, id).await?;
    let depth = |code: &str| {
        let mut d = 0;
        let mut at = v.criteria.iter().find(|c| c.code == code);
        while let Some(p) = at.and_then(|c| c.parent.as_deref()) {
            d += 1;
            at = v.criteria.iter().find(|c| c.code == p);
            if d > v.criteria.len() {
                break;
            }
        }
        d
    };
    let rows = v
        .criteria
        .iter()
        .map(|c| {
            (
                depth(&c.code),
                c.clone(),
                num(c.max_points),
                c.rule
                    .as_ref()
                    .map(|r| r.describe(c.max_points))
                    .unwrap_or_default(),
            )
        })
        .collect();
    let mut page = ctx.page("Bộ chỉ số", "Framework");
    page.title = v.framework.name.clone();
    let in_use = frameworks::framework_in_use(&ctx.state, user, id).await?;
    ctx.render(&FrameworkPage {
        in_use,
        page,
        total: num(v.max_points),
        rows,
        may_manage: may_manage_frameworks(&ctx).await?,
        v,
    })
}

/// `POST /assessments/frameworks/import`: a framework from its JSON or annex workbook.
pub async fn import_framework(ctx: Ctx, multipart: Multipart) -> WebResult<Response> {
    let caller = ctx.caller()?;
    frameworks::require_frameworks(&ctx.state, &caller).await?;
    let result = match read_import(multipart).await {
        Ok((name, bytes, meta)) => {
            frameworks::import_framework(&ctx.state, &caller, &name, &bytes, &meta).await
        }
        Err(e) => Err(e.0),
    };
    match result {
        Ok(view) => Ok(ctx.done(
            &format!("/assessments/frameworks/{}", view.framework.id),
            &ctx.lang().pick(
                format!("Đã nhập bộ chỉ số “{}”.", view.framework.name),
                format!("Framework “{}” imported.", view.framework.name),
            ),
        )),
        Err(e) => {
            let errors = match e {
                AppError::Validation(fields) => FormErrors::from_fields(ctx.lang(), &fields),
                other => FormErrors::from_error(ctx.lang(), other)?,
            };
            let view = home_page(&ctx, errors, HashMap::new()).await?;
            ctx.render_invalid(&view)
        }
    }
}

/// The file and the code, name, year and unit kinds typed beside it.
async fn read_import(
    mut multipart: Multipart,
) -> WebResult<(String, Vec<u8>, frameworks::ImportMeta)> {
    let mut meta = frameworks::ImportMeta::default();
    let mut file = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if field.file_name().is_some() || name == "file" {
            let filename = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| crate::upload::multipart_error(e, crate::upload::WORKBOOK_BYTES))?
            {
                if bytes.len() + chunk.len() > crate::upload::WORKBOOK_BYTES {
                    return Err(WebError(AppError::PayloadTooLarge(Some(
                        crate::upload::WORKBOOK_BYTES as u64,
                    ))));
                }
                bytes.extend_from_slice(&chunk);
            }
            file = Some((filename, bytes));
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let value = Some(value.trim().to_string()).filter(|v| !v.is_empty());
        match name.as_str() {
            "code" => meta.code = value,
            "name" => meta.name = value,
            "year" => meta.year = value.and_then(|v| v.parse().ok()),
            "unit_kinds" => meta.unit_kinds = value,
            _ => {}
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(WebError(AppError::field(
            "file",
            dxplan_domain::Invalid::Required,
        )));
    };
    Ok((name, bytes, meta))
}

/// `POST /assessments/frameworks/{id}/replace`: the framework changed from an edited copy
/// of its workbook, while no round uses it.
pub async fn replace_framework(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    frameworks::require_frameworks(&ctx.state, &caller).await?;
    let result = match read_import(multipart).await {
        Ok((name, bytes, meta)) => {
            frameworks::replace_from_file(&ctx.state, &caller, id, &name, &bytes, &meta).await
        }
        Err(e) => Err(e.0),
    };
    match result {
        Ok(view) => Ok(ctx.done(
            &format!("/assessments/frameworks/{id}"),
            &ctx.lang().pick(
                format!("Đã cập nhật bộ chỉ số ({} tiêu chí).", view.criteria.len()),
                format!("Framework updated ({} criteria).", view.criteria.len()),
            ),
        )),
        Err(e) => {
            let message = FormErrors::from_error(ctx.lang(), e)?.sentence(|_| None);
            Ok(ctx.done(&format!("/assessments/frameworks/{id}"), &message))
        }
    }
}

/// `POST /assessments/frameworks/{id}/copy`.
pub async fn copy_framework(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = frameworks::CopyInput {
        code: form.get("code").cloned().unwrap_or_default(),
        name: form.get("name").cloned().unwrap_or_default(),
        year: form
            .get("year")
            .and_then(|y| y.trim().parse().ok())
            .unwrap_or_default(),
    };
    match frameworks::copy_framework(&ctx.state, &caller, id, &input).await {
        Ok(view) => Ok(ctx.done(
            &format!("/assessments/frameworks/{}", view.framework.id),
            ctx.lang()
                .pick("Đã sao chép bộ chỉ số.", "Framework copied."),
        )),
        Err(e) => {
            let message = FormErrors::from_error(ctx.lang(), e)?.sentence(|_| None);
            Ok(ctx.done(&format!("/assessments/frameworks/{id}"), &message))
        }
    }
}

/// `GET /assessments/frameworks/{id}/export.{json,xlsx}`.
pub async fn export_framework(ctx: Ctx, Path(id): Path<i64>, ext: &str) -> WebResult<Response> {
    let user = ctx.user()?;
    (match ext {
        "json" => {
            let value = frameworks::export_framework(&ctx.state, user, id).await?;
            let name = format!("{}.json", value["code"].as_str().unwrap_or("bo-chi-so"));
            let body =
                serde_json::to_vec_pretty(&value).map_err(|e| AppError::internal(e.to_string()))?;
            Ok(crate::http::download("application/json", &name, body))
        }
        "xlsx" => {
            let (name, bytes) = frameworks::framework_xlsx(&ctx.state, user, id).await?;
            Ok(crate::http::download(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &name,
                bytes,
            ))
        }
        _ => Err(AppError::NotFound),
    }
    .map(IntoResponse::into_response))
    .map_err(WebError::from)
}
