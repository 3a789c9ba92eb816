//! The unit's answers and their evidence (links and files).

use serde::Deserialize;
use serde_json::json;

use dxplan_domain::assessment::AssessmentStatus;
use dxplan_domain::scoring::{Answer, Rule, Scored, score};
use dxplan_domain::validation::optional_text;
use dxplan_domain::{FieldError, Invalid, Lang};
use dxplan_store::audit::NewEvent;
use dxplan_store::index_rounds::{self as rounds, Assessment, NewEvidence};

pub use dxplan_store::index_rounds::{Evidence, Round};

use super::rights::load;
use super::views::{AssessmentView, assessment_view, fed_values, with_fed};
use super::{MAX_TEXT, actor_id, user_of};
use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::index::{CriterionView, FrameworkView};
use crate::principal::CurrentUser;

// ---------------------------------------------------------------- the unit's answers

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    #[serde(default)]
    pub criterion: String,
    #[serde(default)]
    pub points: Option<f64>,
    #[serde(default)]
    pub yes: Option<bool>,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub numerator: Option<f64>,
    #[serde(default)]
    pub denominator: Option<f64>,
    #[serde(default)]
    pub choice: Option<String>,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub explanation: Option<String>,
}

pub(super) fn leaf<'a>(
    framework: &'a FrameworkView,
    code: &str,
) -> AppResult<(&'a CriterionView, &'a Rule)> {
    framework
        .criteria
        .iter()
        .find(|k| k.code == code.trim())
        .and_then(|k| k.rule.as_ref().map(|r| (k, r)))
        .ok_or_else(|| AppError::field("criterion", Invalid::BadFormat))
}

pub(super) fn locked_error(status: AssessmentStatus) -> AppError {
    AppError::conflict(
        "assessment_locked",
        format!(
            "Bản đánh giá đang ở trạng thái “{}”: không sửa được.",
            status.label(Lang::Vi)
        ),
        format!(
            "The assessment is “{}”: it cannot be changed.",
            status.label(Lang::En)
        ),
    )
}

/// Saves the unit's answers, criterion by criterion, all or nothing: points are computed
/// by the criterion's rule (and the feeding indicator), never typed over a rule.
pub async fn save_answers(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    answers: &[AnswerInput],
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let (round, assessment, framework) = {
        let mut c = app.db.read().await?;
        let l = load(&mut c, user, id).await?;
        if !l.rights.edit {
            return Err(AppError::Forbidden);
        }
        (l.round, l.assessment, l.framework)
    };
    if !assessment.status.is_editable_by_unit() {
        return Err(locked_error(assessment.status));
    }
    if answers.is_empty() {
        return Err(AppError::field("answers", Invalid::Required));
    }
    let fed = fed_values(app, &framework, &assessment.unit_code, round.year).await?;
    let mut errors = Vec::new();
    let mut writes = Vec::new();
    for a in answers {
        let Ok((k, rule)) = leaf(&framework, &a.criterion) else {
            errors.push(FieldError::new(
                format!("{}.criterion", a.criterion.trim()),
                Invalid::BadFormat,
            ));
            continue;
        };
        let explanation = optional_text(
            &format!("{}.explanation", k.code),
            a.explanation.as_deref(),
            MAX_TEXT,
            &mut errors,
        );
        let given = Answer {
            points: a.points,
            yes: a.yes,
            value: a.value,
            numerator: a.numerator,
            denominator: a.denominator,
            choice: a
                .choice
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            target: a.target,
        };
        let answer = with_fed(given.clone(), k.indicator_id.and_then(|i| fed.get(&i)));
        match score(rule, k.max_points, &answer) {
            Ok(scored) => {
                let points = match scored {
                    Scored::Points(p) => Some(p),
                    Scored::Missing => None,
                };
                writes.push((
                    k.code.clone(),
                    json!(given).to_string(),
                    points,
                    explanation,
                ));
            }
            Err(e) => errors.push(FieldError {
                field: format!("{}.{}", k.code, e.field),
                ..e
            }),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = app.now();
    let mut c = app.write(caller).await?;
    // Re-read inside the transaction: a submission in between locks the answers.
    let current = rounds::assessment(&mut c, id).await?;
    if !current.status.is_editable_by_unit() {
        return Err(locked_error(current.status));
    }
    for (code, answer, points, explanation) in &writes {
        rounds::save_answer(
            &mut c,
            id,
            code,
            answer,
            *points,
            explanation.as_deref(),
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: "assessment.save",
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {}: {} tiêu chí",
            round.name,
            assessment.unit_name,
            writes.len()
        ),
        before: None,
        after: Some(json!(
            writes
                .iter()
                .map(|(code, answer, points, _)| json!({"criterion": code, "answer": answer, "points": points}))
                .collect::<Vec<_>>()
        )),
    })
    .await?;
    assessment_view(app, user, id).await
}

/// A link to a published document as evidence of a criterion.
pub async fn add_link(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    criterion: &str,
    url: &str,
    title: &str,
) -> AppResult<Evidence> {
    let url = url.trim();
    let mut errors = Vec::new();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.chars().count() > 1000
        || url.chars().any(char::is_whitespace)
    {
        errors.push(FieldError::new("url", Invalid::BadFormat));
    }
    let title =
        optional_text("title", Some(title), 300, &mut errors).unwrap_or_else(|| url.to_string());
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    add_evidence(app, caller, id, criterion, Some(url), None, &title).await
}

/// An evidence file: its type checked by name and content, stored once by its hash.
pub async fn attach_file(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    criterion: &str,
    file: impl Future<Output = AppResult<crate::Upload>>,
) -> AppResult<Evidence> {
    // Refuse before reading or storing anything when the caller may not add evidence here.
    check_evidence_allowed(app, caller, id, criterion).await?;
    let crate::Upload { name, bytes } = file.await?;
    let accepted = crate::files::accept(
        &app.settings.data_dir,
        app.settings.max_upload_bytes,
        &name,
        bytes,
    )
    .await?;
    add_evidence(
        app,
        caller,
        id,
        criterion,
        None,
        Some(&accepted),
        &accepted.name,
    )
    .await
}

async fn check_evidence_allowed(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    criterion: &str,
) -> AppResult<(Round, Assessment, String)> {
    let user = user_of(caller)?;
    let mut c = app.db.read().await?;
    let l = load(&mut c, user, id).await?;
    if !l.rights.edit {
        return Err(AppError::Forbidden);
    }
    if !l.assessment.status.is_editable_by_unit() {
        return Err(locked_error(l.assessment.status));
    }
    let (k, _) = leaf(&l.framework, criterion)?;
    Ok((l.round, l.assessment, k.code.clone()))
}

async fn add_evidence(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    criterion: &str,
    url: Option<&str>,
    file: Option<&crate::files::Accepted>,
    name: &str,
) -> AppResult<Evidence> {
    let (round, assessment, code) = check_evidence_allowed(app, caller, id, criterion).await?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let evidence_id = rounds::add_evidence(
        &mut c,
        id,
        &code,
        &NewEvidence {
            url,
            sha256: file.map(|f| f.sha256.as_str()),
            size: file.map(|f| f.size),
            kind: file.map(|f| f.kind.as_str()),
            original_name: name,
            uploaded_by: actor_id(caller),
            uploader_name: &caller.actor.name,
        },
        now,
    )
    .await?;
    let evidence = rounds::evidence(&mut c, evidence_id).await?;
    c.commit(NewEvent {
        action: "assessment.evidence",
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!("{} — {} — {code}: {name}", round.name, assessment.unit_name),
        before: None,
        after: Some(json!(evidence)),
    })
    .await?;
    Ok(evidence)
}

/// An evidence file and its bytes, for someone who may see its assessment.
pub async fn evidence_file(
    app: &App,
    user: &CurrentUser,
    evidence_id: i64,
) -> AppResult<(Evidence, Vec<u8>)> {
    let evidence = {
        let mut c = app.db.read().await?;
        let evidence = rounds::evidence(&mut c, evidence_id).await?;
        load(&mut c, user, evidence.assessment_id).await?;
        evidence
    };
    let Some(sha) = evidence.sha256.as_deref() else {
        return Err(AppError::NotFound);
    };
    let bytes = crate::files::read(&app.settings.data_dir, sha).await?;
    Ok((evidence, bytes))
}
