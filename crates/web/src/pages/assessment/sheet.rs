//! One unit's assessment: answers, evidence, the workflow, verification, response, corrections.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query};
use axum::response::Response;

use dxplan_domain::Lang;
use dxplan_domain::assessment::{AssessmentAction, AssessmentStatus};
use dxplan_domain::scoring::Rule;
use dxplan_domain::text::{format_date, parse_number_vi};

use super::super::{Ctx, FormErrors, Page};
use super::{num, opt};
use crate::error::{AppError, WebResult};
use dxplan_app::AppResult;
use dxplan_app::assessment::{
    self as svc, ActInput, AnswerInput, AssessmentView, CorrectionInput, ResponseInput, ScoreRow,
    VerifyInput,
};

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
