//! The workflow: submitting, approving, verifying criterion by criterion, the unit's
//! one response, publication and audited corrections.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;

use dxplan_domain::assessment::{
    AssessmentAction, AssessmentStatus, Verification, submission_open,
};
use dxplan_domain::auth::{Action, Role, Target};
use dxplan_domain::notification::NotificationKind;
use dxplan_domain::scoring::{Scored, score};
use dxplan_domain::text::{format_date, parse_date};
use dxplan_domain::validation::required_text;
use dxplan_domain::{FieldError, Invalid, Lang};
use dxplan_store::audit::NewEvent;
use dxplan_store::index_rounds::{self as rounds, VerificationWrite};
use dxplan_store::notifications::{self};
use dxplan_store::units;

pub use dxplan_store::index_rounds::Round;

use super::answers::{leaf, locked_error};
use super::rights::{Loaded, load};
use super::views::{AssessmentView, answer_of, assessment_view, fed_values, round2, with_fed};
use super::{MAX_TEXT, UNIT_STAFF, actor_id, notify, user_of};
use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};

// ---------------------------------------------------------------- the workflow

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActInput {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub comment: Option<String>,
    /// Reopen: the new last day for submission.
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Submit (the unit's head), reopen or close verification (the round's coordinator).
pub async fn act(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &ActInput,
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let Some(action) = AssessmentAction::parse(&input.action) else {
        return Err(AppError::field("action", Invalid::BadFormat));
    };
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        // Kept as Unicode NFC, like every text dxplan stores.
        .map(dxplan_domain::text::nfc);
    let comment = comment.as_deref();
    if comment.is_some_and(|c| c.chars().count() > MAX_TEXT) {
        return Err(AppError::field(
            "comment",
            Invalid::TooLong { max: MAX_TEXT },
        ));
    }
    let today = app.today();
    let now = app.now();
    let mut c = app.write(caller).await?;
    let l = load(&mut c, user, id).await?;
    let allowed = match action {
        AssessmentAction::Submit => l.rights.submit,
        AssessmentAction::Reopen | AssessmentAction::Finalize => l.rights.manage,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if input.version.is_some_and(|v| v != l.assessment.version) {
        return Err(AppError::VersionConflict);
    }
    let before = l.assessment.status;
    let Some(to) = action.apply(before) else {
        return Err(AppError::conflict(
            "illegal_transition",
            format!(
                "Không thể “{}” khi bản đánh giá đang ở trạng thái “{}”.",
                action.label(Lang::Vi),
                before.label(Lang::Vi)
            ),
            format!(
                "Cannot “{}” an assessment that is “{}”.",
                action.label(Lang::En),
                before.label(Lang::En)
            ),
        ));
    };
    match action {
        AssessmentAction::Submit => {
            if !submission_open(today, l.round.deadline, l.assessment.reopened_until) {
                return Err(AppError::conflict(
                    "deadline_passed",
                    format!(
                        "Đã quá hạn gửi tự đánh giá ({}). Đề nghị Sở TT&TT mở lại nếu cần.",
                        format_date(l.assessment.reopened_until.unwrap_or(l.round.deadline))
                    ),
                    format!(
                        "The deadline for self-assessments has passed ({}). Ask the coordinator to reopen it.",
                        format_date(l.assessment.reopened_until.unwrap_or(l.round.deadline))
                    ),
                ));
            }
            // What is submitted is what dxplan's figures say today: freeze them.
            drop(c);
            refresh_fed_points(app, &l).await?;
            c = app.write(caller).await?;
            // Someone may have moved it meanwhile: submit only what is still a draft.
            let current = rounds::assessment(&mut c, id).await?;
            if current.status != AssessmentStatus::Draft {
                return Err(locked_error(current.status));
            }
        }
        AssessmentAction::Reopen => {
            let until = input.until.as_deref().and_then(parse_date);
            match until {
                Some(d) if d >= today => {
                    rounds::set_reopened_until(&mut c, id, d, now).await?;
                }
                Some(_) => return Err(AppError::field("until", Invalid::NotAfterDue)),
                None => return Err(AppError::field("until", Invalid::BadDate)),
            }
            if comment.is_none() {
                return Err(AppError::field("comment", Invalid::Required));
            }
        }
        AssessmentAction::Finalize => {
            let scores = rounds::scores(&mut c, id).await?;
            let decided: HashSet<&str> = scores
                .iter()
                .filter(|s| s.verification.is_some())
                .map(|s| s.criterion_code.as_str())
                .collect();
            let undecided: Vec<&str> = l
                .framework
                .criteria
                .iter()
                .filter(|k| k.rule.is_some() && !decided.contains(k.code.as_str()))
                .map(|k| k.code.as_str())
                .collect();
            if !undecided.is_empty() {
                return Err(AppError::conflict(
                    "not_all_verified",
                    format!("Còn tiêu chí chưa thẩm định: {}.", undecided.join(", ")),
                    format!("Criteria not yet verified: {}.", undecided.join(", ")),
                ));
            }
            rounds::finalize_scores(&mut c, id, now).await?;
        }
    }
    rounds::set_status(&mut c, id, to, input.version, now).await?;
    rounds::add_event(
        &mut c,
        id,
        &rounds::NewEvent {
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action: action.as_str(),
            from_status: Some(before),
            to_status: Some(to),
            comment,
            ..Default::default()
        },
        now,
    )
    .await?;
    let after = rounds::assessment(&mut c, id).await?;
    if action == AssessmentAction::Submit {
        let lineage = units::lineage(&mut c, l.round.run_by_unit_id).await?;
        let coordinators = notifications::holders(&mut c, &lineage, &[Role::Coordinator]).await?;
        let subject = (l.round.name.as_str(), after.unit_name.as_str());
        notify(
            &mut c,
            &coordinators,
            NotificationKind::AssessmentSubmitted,
            subject,
            "",
            None,
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: &format!("assessment.{}", action.as_str()),
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {}: {} → {}",
            l.round.name,
            after.unit_name,
            before.as_str(),
            to.as_str()
        ),
        before: Some(json!({"status": before, "version": l.assessment.version})),
        after: Some(
            json!({"status": to, "version": after.version, "comment": comment,
            "reopened_until": after.reopened_until}),
        ),
    })
    .await?;
    assessment_view(app, user, id).await
}

/// Recomputes the points of indicator-fed criteria from today's figures (at submission).
async fn refresh_fed_points(app: &App, l: &Loaded) -> AppResult<()> {
    let fed = fed_values(app, &l.framework, &l.assessment.unit_code, l.round.year).await?;
    if fed.is_empty() {
        return Ok(());
    }
    // Part of the submission the caller is making, which records its event; the refresh
    // itself is no separate change of record.
    let mut c = app.housekeeping().await?;
    if !rounds::assessment(&mut c, l.assessment.id)
        .await?
        .status
        .is_editable_by_unit()
    {
        // Submitted meanwhile: its answers are no longer the unit's to change.
        return Ok(());
    }
    let scores = rounds::scores(&mut c, l.assessment.id).await?;
    let now = app.now();
    for k in &l.framework.criteria {
        let (Some(rule), Some(indicator)) = (&k.rule, k.indicator_id) else {
            continue;
        };
        let existing = scores.iter().find(|s| s.criterion_code == k.code);
        let given = answer_of(existing);
        let answer = with_fed(given.clone(), fed.get(&indicator));
        let points = match score(rule, k.max_points, &answer) {
            Ok(Scored::Points(p)) => Some(p),
            _ => None,
        };
        rounds::save_answer(
            &mut c,
            l.assessment.id,
            &k.code,
            &json!(given).to_string(),
            points,
            existing.and_then(|s| s.explanation.as_deref()),
            now,
        )
        .await?;
    }
    c.commit_shown().await?;
    Ok(())
}

/// Points a verifier or a correction sets: given, a number, not negative, within the
/// criterion's maximum.
fn check_points(points: Option<f64>, max: f64, errors: &mut Vec<FieldError>) {
    let invalid = match points {
        None => Invalid::Required,
        Some(p) if !p.is_finite() => Invalid::BadNumber,
        Some(p) if p < 0.0 => Invalid::Negative,
        Some(p) if p > max + 1e-9 => Invalid::AboveMax {
            max: dxplan_domain::text::format_number(max, 2),
        },
        Some(_) => return,
    };
    errors.push(FieldError::new("points", invalid));
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    #[serde(default)]
    pub criterion: String,
    /// `accepted` or `adjusted`.
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub points: Option<f64>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A verifier's decision on one criterion: accept the unit's points, or adjust them with
/// a reason. The coordinator decides on any criterion; a sector department only on the
/// criteria assigned to it.
pub async fn verify(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &VerifyInput,
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let l = load(&mut c, user, id).await?;
    let (k, _) = leaf(&l.framework, &input.criterion)?;
    if !l.rights.verify_codes.contains(&k.code) {
        return Err(AppError::Forbidden);
    }
    if !l.assessment.status.is_under_verification() {
        return Err(AppError::conflict(
            "not_under_verification",
            format!(
                "Bản đánh giá đang ở trạng thái “{}”: chưa (hoặc không còn) thẩm định.",
                l.assessment.status.label(Lang::Vi)
            ),
            format!(
                "The assessment is “{}”: not open for verification.",
                l.assessment.status.label(Lang::En)
            ),
        ));
    }
    let Some(decision) = Verification::parse(&input.decision) else {
        return Err(AppError::field("decision", Invalid::BadFormat));
    };
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        // Kept as Unicode NFC, like every text dxplan stores.
        .map(dxplan_domain::text::nfc);
    let comment = comment.as_deref();
    let existing = rounds::scores(&mut c, id)
        .await?
        .into_iter()
        .find(|s| s.criterion_code == k.code);
    let self_points = existing.as_ref().and_then(|s| s.self_points);
    let points = match decision {
        Verification::Accepted => self_points.unwrap_or(0.0),
        Verification::Adjusted => {
            let mut errors = Vec::new();
            check_points(input.points, k.max_points, &mut errors);
            if comment.is_none() {
                errors.push(FieldError::new("comment", Invalid::Required));
            }
            if comment.is_some_and(|c| c.chars().count() > MAX_TEXT) {
                errors.push(FieldError::new(
                    "comment",
                    Invalid::TooLong { max: MAX_TEXT },
                ));
            }
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            input.points.map(round2).unwrap_or(0.0)
        }
    };
    rounds::verify(
        &mut c,
        id,
        &k.code,
        &VerificationWrite {
            verification: decision.as_str(),
            points,
            comment,
            verified_by: &caller.actor.name,
        },
        now,
    )
    .await?;
    let before = l.assessment.status;
    if before == AssessmentStatus::SelfAssessed {
        rounds::set_status(&mut c, id, AssessmentStatus::Verifying, None, now).await?;
    }
    rounds::add_event(
        &mut c,
        id,
        &rounds::NewEvent {
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action: decision.as_str(),
            from_status: Some(before),
            to_status: Some(AssessmentStatus::Verifying),
            criterion_code: Some(&k.code),
            points_before: self_points,
            points_after: Some(points),
            comment,
            ..Default::default()
        },
        now,
    )
    .await?;
    if decision == Verification::Adjusted {
        let lineage = units::lineage(&mut c, l.assessment.unit_id).await?;
        let staff = notifications::holders(&mut c, &lineage, &[Role::UnitApprover]).await?;
        let subject = (l.round.name.as_str(), l.assessment.unit_name.as_str());
        let criterion = format!("{} {}", k.code, k.name);
        notify(
            &mut c,
            &staff,
            NotificationKind::AssessmentAdjusted,
            subject,
            &criterion,
            None,
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: &format!("assessment.verify.{}", decision.as_str()),
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {} — {}: {} → {}",
            l.round.name,
            l.assessment.unit_name,
            k.code,
            self_points.map_or("–".into(), |p| p.to_string()),
            points
        ),
        before: Some(json!({"self_points": self_points})),
        after: Some(json!({"decision": decision, "points": points, "comment": comment})),
    })
    .await?;
    assessment_view(app, user, id).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    #[serde(default)]
    pub criterion: String,
    #[serde(default)]
    pub response: String,
}

/// The unit's one response (giải trình) to the verifier's adjustments, before the result
/// is final: the unit's head sends it once, on adjusted criteria only.
pub async fn respond(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    responses: &[ResponseInput],
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let l = load(&mut c, user, id).await?;
    if !l.rights.submit {
        return Err(AppError::Forbidden);
    }
    if l.assessment.status != AssessmentStatus::Verifying {
        return Err(locked_error(l.assessment.status));
    }
    let scores = rounds::scores(&mut c, id).await?;
    let mut errors = Vec::new();
    let mut writes = Vec::new();
    for r in responses {
        let code = r.criterion.trim();
        let adjusted = scores
            .iter()
            .any(|s| s.criterion_code == code && s.verification.as_deref() == Some("adjusted"));
        if !adjusted {
            errors.push(FieldError::new(
                format!("{code}.criterion"),
                Invalid::BadFormat,
            ));
            continue;
        }
        let text = required_text(
            &format!("{code}.response"),
            &r.response,
            MAX_TEXT,
            &mut errors,
        );
        writes.push((code.to_string(), text));
    }
    if writes.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("response", Invalid::Required));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if !rounds::mark_responded(&mut c, id, now).await? {
        return Err(AppError::conflict(
            "already_responded",
            "Đơn vị đã giải trình một lần cho vòng đánh giá này.",
            "The unit has already responded once in this round.",
        ));
    }
    for (code, text) in &writes {
        rounds::set_response(&mut c, id, code, text, now).await?;
        rounds::add_event(
            &mut c,
            id,
            &rounds::NewEvent {
                actor_id: actor_id(caller),
                actor_name: &caller.actor.name,
                action: "respond",
                criterion_code: Some(code),
                comment: Some(text),
                ..Default::default()
            },
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: "assessment.respond",
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {}: giải trình {} tiêu chí",
            l.round.name,
            l.assessment.unit_name,
            writes.len()
        ),
        before: None,
        after: Some(json!(writes)),
    })
    .await?;
    assessment_view(app, user, id).await
}

/// Publishes a round: every assessment verified, all published at once.
pub async fn publish(app: &App, caller: &Caller<'_>, round_id: i64) -> AppResult<Round> {
    let now = app.now();
    let mut c = app.write(caller).await?;
    let round = rounds::round(&mut c, round_id).await?;
    let lineage = units::lineage(&mut c, round.run_by_unit_id).await?;
    caller.require(Action::ReviewWork, Target::Unit(&lineage))?;
    if round.is_published() {
        return Err(AppError::conflict(
            "already_published",
            "Vòng đánh giá đã được công bố.",
            "The round is already published.",
        ));
    }
    let assessments = rounds::assessments_of_round(&mut c, round_id).await?;
    let pending: Vec<&str> = assessments
        .iter()
        .filter(|a| a.status != AssessmentStatus::Verified)
        .map(|a| a.unit_name.as_str())
        .collect();
    if !pending.is_empty() {
        return Err(AppError::conflict(
            "not_all_verified",
            format!("Chưa chốt thẩm định: {}.", pending.join(", ")),
            format!("Verification not closed for: {}.", pending.join(", ")),
        ));
    }
    rounds::publish_round(&mut c, round_id, now).await?;
    for a in &assessments {
        rounds::add_event(
            &mut c,
            a.id,
            &rounds::NewEvent {
                actor_id: actor_id(caller),
                actor_name: &caller.actor.name,
                action: "publish",
                from_status: Some(AssessmentStatus::Verified),
                to_status: Some(AssessmentStatus::Published),
                ..Default::default()
            },
            now,
        )
        .await?;
    }
    let ids: Vec<i64> = assessments.iter().map(|a| a.unit_id).collect();
    let staff = notifications::holders_of_units(&mut c, &ids, &UNIT_STAFF).await?;
    for unit in &ids {
        let recipients = staff.get(unit).map(Vec::as_slice).unwrap_or_default();
        let subject = (round.name.as_str(), round.framework_name.as_str());
        let key = format!("assessment-published:{round_id}:{unit}");
        notify(
            &mut c,
            recipients,
            NotificationKind::AssessmentPublished,
            subject,
            "",
            Some(&key),
            now,
        )
        .await?;
    }
    let after = rounds::round(&mut c, round_id).await?;
    crate::webhooks::emit(
        &mut c,
        dxplan_domain::webhook::EventType::AssessmentPublished,
        json!({"round": {
            "id": after.id, "name": after.name, "year": after.year,
            "framework": after.framework_name, "units": assessments.len(),
        }}),
        now,
    )
    .await?;
    c.commit(NewEvent {
        action: "index_round.publish",
        entity_type: "index_round",
        entity_id: Some(round_id.to_string()),
        summary: format!("{}: {} đơn vị", round.name, assessments.len()),
        before: Some(json!({"status": round.status})),
        after: Some(json!({"status": after.status, "published_at": after.published_at})),
    })
    .await?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    #[serde(default)]
    pub criterion: String,
    #[serde(default)]
    pub points: Option<f64>,
    #[serde(default)]
    pub comment: String,
}

/// A correction of a published result: a new revision, with its reason, audited. The
/// published record is otherwise locked.
pub async fn correct(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &CorrectionInput,
) -> AppResult<AssessmentView> {
    let user = user_of(caller)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let l = load(&mut c, user, id).await?;
    if !l.rights.manage {
        return Err(AppError::Forbidden);
    }
    if l.assessment.status != AssessmentStatus::Published {
        return Err(AppError::conflict(
            "not_published",
            "Chỉ đính chính kết quả đã công bố; trước đó hãy thẩm định lại tiêu chí.",
            "Only published results are corrected; before that, verify the criterion again.",
        ));
    }
    let (k, _) = leaf(&l.framework, &input.criterion)?;
    let mut errors = Vec::new();
    let comment = required_text("comment", &input.comment, MAX_TEXT, &mut errors);
    check_points(input.points, k.max_points, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let points = input.points.map(round2).unwrap_or(0.0);
    let before = rounds::scores(&mut c, id)
        .await?
        .into_iter()
        .find(|s| s.criterion_code == k.code)
        .and_then(|s| s.final_points);
    rounds::set_final_points(&mut c, id, &k.code, points, now).await?;
    let revision = rounds::next_revision(&mut c, id, now).await?;
    rounds::add_event(
        &mut c,
        id,
        &rounds::NewEvent {
            actor_id: actor_id(caller),
            actor_name: &caller.actor.name,
            action: "correct",
            criterion_code: Some(&k.code),
            points_before: before,
            points_after: Some(points),
            revision,
            comment: Some(&comment),
            ..Default::default()
        },
        now,
    )
    .await?;
    c.commit(NewEvent {
        action: "assessment.correct",
        entity_type: "index_assessment",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} — {} — {}: lần đính chính {revision}",
            l.round.name, l.assessment.unit_name, k.code
        ),
        before: Some(json!({"final_points": before})),
        after: Some(json!({"final_points": points, "revision": revision, "comment": comment})),
    })
    .await?;
    assessment_view(app, user, id).await
}
