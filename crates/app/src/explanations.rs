//! Explanation requests (yêu cầu giải trình): a leader or the programme's coordinator asks
//! a unit to explain a figure, a task or its work by a deadline; the unit's staff answer
//! with text and evidence files; the asking side accepts the answer, asks again with a new
//! deadline, or withdraws a request not yet answered. Each step tells the other side in
//! the app and by e-mail; a request left unanswered past its deadline is raised to the
//! unit's head once (see [`escalate_overdue`]), and counts as owed in urging letters.
//!
//! Who reads a request: whoever reads the unit's work. Who asks and decides: whoever holds
//! [`Action::RequestExplanation`] on the unit. Who answers: the unit's own staff
//! ([`Action::AnswerExplanation`]), never the one who asked.

use std::collections::BTreeMap;

use dxplan_domain::auth::{Action, Role, Target};
use dxplan_domain::explanation::{self as rules, RequestInput, Status, Step, Subject};
use dxplan_domain::indicator::PeriodType;
use dxplan_domain::notification::NotificationKind;
use dxplan_domain::period::Period;
use dxplan_domain::text::format_date;
use dxplan_domain::{FieldError, Invalid, Lang};
use dxplan_store::audit::NewEvent;
use dxplan_store::explanations::{self as store, NewMessage, NewRequest, RequestFilter};
use dxplan_store::notifications::{self, Notice, Recipient};
use dxplan_store::{Conn, indicators, tasks, units};
use serde_json::json;
use time::{Date, OffsetDateTime};

// The rows the read models hand out, so the front doors name no store path.
pub use dxplan_store::attachments::ExplanationFile;
pub use dxplan_store::explanations::{Message, Request};

use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
use crate::{App, Caller};

/// Who answers for a unit and hears its requests: its editors and approvers.
const UNIT_STAFF: [Role; 2] = [Role::UnitEditor, Role::UnitApprover];
/// Most overdue requests one escalation pass raises.
const ESCALATION_BATCH: i64 = 500;

/// A request in a list: with whether it is overdue today.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplanationSummary {
    #[serde(flatten)]
    pub request: Request,
    /// Awaited past its deadline.
    pub overdue: bool,
}

/// One request with its thread, its evidence files and what the reader may do.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplanationView {
    #[serde(flatten)]
    pub request: Request,
    pub overdue: bool,
    /// Questions, answers and decisions, oldest first.
    pub messages: Vec<Message>,
    pub files: Vec<ExplanationFile>,
    /// The reader answers it (the unit's staff, while it awaits an answer).
    pub can_answer: bool,
    /// The reader accepts, asks again or withdraws it (the asking side).
    pub can_decide: bool,
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Inbox {
    /// Requests to the units the reader answers for.
    ToAnswer,
    /// Requests the reader may decide on (the leader's and the coordinator's list).
    #[default]
    Following,
    /// Requests the reader asked.
    Asked,
}

impl Inbox {
    pub const ALL: [Inbox; 3] = [Inbox::ToAnswer, Inbox::Following, Inbox::Asked];

    pub fn as_str(self) -> &'static str {
        match self {
            Inbox::ToAnswer => "to_answer",
            Inbox::Following => "following",
            Inbox::Asked => "asked",
        }
    }

    pub fn parse(s: &str) -> Option<Inbox> {
        Inbox::ALL.into_iter().find(|i| i.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Inbox::ToAnswer => lang.pick("Đơn vị cần giải trình", "To answer"),
            Inbox::Following => lang.pick("Đang theo dõi", "Following"),
            Inbox::Asked => lang.pick("Tôi đã yêu cầu", "Asked by me"),
        }
    }
}

/// A list asked for: the inbox, a status (none: all), only overdue ones, a page.
#[derive(Debug, Clone, Default)]
pub struct ListAsk {
    pub inbox: Inbox,
    pub status: Option<Status>,
    pub overdue: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplanationList {
    pub items: Vec<ExplanationSummary>,
    /// How many the list holds in all.
    pub total: i64,
}

/// What waits on the reader: answers to give, answers to read, requests overdue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplanationTally {
    /// Requests to the reader's units still to answer.
    pub to_answer: i64,
    /// Of those, past their deadline.
    pub to_answer_overdue: i64,
    /// Answers received on requests the reader follows, not yet read.
    pub to_read: i64,
    /// Requests the reader follows that are past their deadline unanswered.
    pub overdue: i64,
}

/// What a new request's page shows about its subject before anything is written.
#[derive(Debug, Clone)]
pub struct Subjected {
    pub subject: Subject,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub task_id: Option<i64>,
    pub indicator_id: Option<i64>,
    pub indicator_code: Option<String>,
    /// The figure's period, when chosen.
    pub period: Option<Period>,
    /// The periods a figure may be asked about, latest first (a figure's form offers them).
    pub periods: Vec<Period>,
    /// What it is about, in words (without the unit), the period included.
    pub title: String,
    /// The same without the period (a form that offers the period beside it).
    pub about: String,
    /// The deadline the form suggests.
    pub suggested_deadline: Date,
}

fn field(name: &str, invalid: Invalid) -> AppError {
    AppError::Validation(vec![FieldError::new(name, invalid)])
}

/// Reads what a request is about and checks the caller may ask the unit: the unit, the
/// task (asked of its lead unit) or the indicator's figure for a period that has begun.
async fn subject_of(
    c: &mut Conn,
    app: &App,
    user: Option<&CurrentUser>,
    input: &RequestInput,
) -> AppResult<Subjected> {
    let subject = Subject::parse(input.subject.trim())
        .ok_or_else(|| field("subject", Invalid::NotOffered))?;
    let today = app.today();
    let (unit, task_id, indicator, title) = match subject {
        Subject::Task => {
            let id = input
                .task_id
                .ok_or_else(|| field("task_id", Invalid::Required))?;
            let task = match tasks::get(c, id).await {
                Err(dxplan_store::StoreError::NotFound) => {
                    return Err(field("task_id", Invalid::NotOffered));
                }
                other => other?,
            };
            let unit = units::get(c, task.lead_unit_id).await?;
            let title = format!("Nhiệm vụ {} {}", task.code, task.title);
            (unit, Some(task.id), None, title)
        }
        Subject::Figure | Subject::Unit => {
            let code = input.unit.trim();
            if code.is_empty() {
                return Err(field("unit", Invalid::Required));
            }
            let unit = units::by_code(c, code, today)
                .await?
                .ok_or_else(|| field("unit", Invalid::UnknownUnit))?;
            if subject == Subject::Unit {
                let title = format!("Kết quả thực hiện của {}", unit.name);
                (unit, None, None, title)
            } else {
                let indicator = indicators::by_code(c, input.indicator.trim())
                    .await?
                    .ok_or_else(|| field("indicator", Invalid::UnknownIndicator))?;
                let title = format!("Chỉ tiêu {} {}", indicator.code, indicator.name);
                (unit, None, Some(indicator), title)
            }
        }
    };
    let lineage = units::lineage(c, unit.id).await?;
    if let Some(user) = user {
        user.require(Action::RequestExplanation, Target::Unit(&lineage))?;
    }
    let (periods, period) = match &indicator {
        None => (Vec::new(), None),
        Some(indicator) => {
            let periods = Period::recent(indicator.period_type, today, 8);
            let period = match input.period.trim() {
                "" => None,
                given => {
                    let p = Period::read(given)
                        .filter(|p| PeriodType::of(*p) == indicator.period_type)
                        .ok_or_else(|| field("period", Invalid::BadPeriod))?;
                    if p.start() > today {
                        return Err(field("period", Invalid::BadPeriod));
                    }
                    Some(p)
                }
            };
            (periods, period)
        }
    };
    let about = title.clone();
    let title = match period {
        Some(p) => format!("{title} — {}", p.label(Lang::Vi)),
        None => title,
    };
    Ok(Subjected {
        subject,
        unit_id: unit.id,
        unit_code: unit.code,
        unit_name: unit.name,
        task_id,
        indicator_id: indicator.as_ref().map(|i| i.id),
        indicator_code: indicator.map(|i| i.code),
        period,
        periods,
        title,
        about,
        suggested_deadline: today + time::Duration::days(rules::DEFAULT_DAYS_TO_ANSWER),
    })
}

/// What a new request would be about, for its form: refused to who may not ask the unit.
pub async fn new_request(
    app: &App,
    user: &CurrentUser,
    input: &RequestInput,
) -> AppResult<Subjected> {
    user.require_somewhere(Action::RequestExplanation)?;
    let mut c = app.db.read().await?;
    subject_of(&mut c, app, Some(user), input).await
}

/// The notice's line about a request: the unit and what it is about.
fn about(r: &Request) -> String {
    format!("{} — {}", r.unit_name, r.subject_title)
}

/// Tells some people of a step on a request, with a link to it.
async fn tell(
    c: &mut Conn,
    app: &App,
    recipients: &[Recipient],
    kind: NotificationKind,
    r: &Request,
    extra: &str,
    key: Option<&str>,
) -> AppResult<usize> {
    let (vi, en) = kind.titles("", &about(r), extra);
    let path = format!("/explanations/{}", r.id);
    let link = app.public_link(&path);
    Ok(notifications::notify(
        c,
        recipients,
        &Notice {
            kind,
            task_id: None,
            path: Some(&path),
            title_vi: &vi,
            title_en: &en,
            dedup_key: key,
            link: link.as_deref(),
            by_phone: kind.is_urgent() && app.settings.text_messages,
        },
        app.now(),
    )
    .await?)
}

async fn unit_staff(c: &mut Conn, unit_id: i64, roles: &[Role]) -> AppResult<Vec<Recipient>> {
    Ok(notifications::holders_of_units(c, &[unit_id], roles)
        .await?
        .remove(&unit_id)
        .unwrap_or_default())
}

/// Sends a request to a unit: its question and deadline checked, the unit's staff told.
pub async fn ask(
    app: &App,
    caller: &Caller<'_>,
    input: &RequestInput,
) -> AppResult<ExplanationView> {
    caller.require_somewhere(Action::RequestExplanation)?;
    let today = app.today();
    let now = app.now();
    let mut c = app.write(caller).await?;
    let subject = subject_of(&mut c, app, caller.user, input).await?;
    let mut errors = Vec::new();
    if subject.subject == Subject::Figure && subject.period.is_none() {
        errors.push(FieldError::new("period", Invalid::Required));
    }
    let question = match rules::validate_question(&input.question, &input.deadline, today) {
        Ok(q) => Some(q),
        Err(mut more) => {
            errors.append(&mut more);
            None
        }
    };
    let Some(question) = question.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let period = subject.period.map(|p| p.to_string());
    let id = store::insert(
        &mut c,
        &NewRequest {
            unit_id: subject.unit_id,
            subject: subject.subject,
            task_id: subject.task_id,
            indicator_id: subject.indicator_id,
            period: period.as_deref(),
            subject_title: &subject.title,
            question: &question.text,
            deadline: question.deadline,
            asked_by: caller.actor.user_id,
            asked_by_name: caller.display_name(),
        },
        now,
    )
    .await?;
    let request = store::get(&mut c, id).await?;
    let staff = unit_staff(&mut c, request.unit_id, &UNIT_STAFF).await?;
    tell(
        &mut c,
        app,
        &staff,
        NotificationKind::ExplanationRequested,
        &request,
        &format_date(request.deadline),
        None,
    )
    .await?;
    c.commit(NewEvent {
        action: "explanation.ask",
        entity_type: "explanation_request",
        entity_id: Some(id.to_string()),
        summary: format!("{}: hạn {}", about(&request), format_date(request.deadline)),
        before: None,
        after: Some(json!(request)),
    })
    .await?;
    let mut c = app.db.read().await?;
    view_on(&mut c, app, caller.user, id).await
}

/// What the reader may do on a request: read it, answer it, decide on it.
struct Rights {
    read: bool,
    answer: bool,
    decide: bool,
    /// The reader may answer for the unit but asked the question themselves.
    own_question: bool,
}

fn rights_on(user: Option<&CurrentUser>, r: &Request, lineage: &[i64]) -> Rights {
    let may = |action| user.is_none_or(|u| u.may(action, Target::Unit(lineage)));
    let asked_it = user.is_some_and(|u| r.asked_by == Some(u.id));
    let may_answer = may(Action::AnswerExplanation);
    Rights {
        read: may(Action::ViewWork),
        // The one who asked never answers their own question.
        answer: may_answer && !asked_it,
        decide: may(Action::RequestExplanation),
        own_question: may_answer && asked_it,
    }
}

async fn view_on(
    c: &mut Conn,
    app: &App,
    user: Option<&CurrentUser>,
    id: i64,
) -> AppResult<ExplanationView> {
    let request = store::get(c, id).await?;
    let lineage = units::lineage(c, request.unit_id).await?;
    let rights = rights_on(user, &request, &lineage);
    if !rights.read {
        return Err(AppError::NotFound);
    }
    Ok(ExplanationView {
        overdue: request.status.is_overdue(request.deadline, app.today()),
        messages: store::messages(c, id).await?,
        files: dxplan_store::attachments::files_of_explanation(c, id).await?,
        can_answer: rights.answer && request.status == Status::Awaiting,
        can_decide: rights.decide && request.status.is_open(),
        request,
    })
}

/// One request with its thread, for whoever reads the unit's work.
pub async fn view(app: &App, user: &CurrentUser, id: i64) -> AppResult<ExplanationView> {
    let mut c = app.db.read().await?;
    view_on(&mut c, app, Some(user), id).await
}

/// A request the caller may take `step` on, read in the write's transaction; refused in
/// words when the step does not apply to where it stands.
async fn for_step(c: &mut Conn, caller: &Caller<'_>, id: i64, step: Step) -> AppResult<Request> {
    let request = match store::get(c, id).await {
        Err(dxplan_store::StoreError::NotFound) => return Err(AppError::NotFound),
        other => other?,
    };
    let lineage = units::lineage(c, request.unit_id).await?;
    let rights = rights_on(caller.user, &request, &lineage);
    if !rights.read {
        return Err(AppError::NotFound);
    }
    let allowed = match step {
        Step::Answer => rights.answer,
        Step::Accept | Step::AskAgain | Step::Withdraw => rights.decide,
    };
    if !allowed {
        if step == Step::Answer && rights.own_question {
            return Err(AppError::conflict(
                "own_request",
                "Đơn vị được yêu cầu mới là nơi giải trình; người yêu cầu không tự trả lời.",
                "The unit asked answers; the asking side does not answer its own request.",
            ));
        }
        return Err(AppError::Forbidden);
    }
    if step.after(request.status).is_none() {
        let (vi, en) = step.refusal(request.status);
        return Err(AppError::conflict("explanation_state", vi, en));
    }
    Ok(request)
}

/// Moves the request on by `step`, with its message, in the write's transaction; the
/// store refuses a request that moved meanwhile.
async fn take_step(
    c: &mut crate::Write<'_>,
    request: &Request,
    step: Step,
    body: &str,
    question: Option<&rules::Question>,
    now: OffsetDateTime,
) -> AppResult<()> {
    let to = step
        .after(request.status)
        .ok_or_else(|| AppError::internal("step checked before"))?;
    let moved = store::set_status(
        c,
        request.id,
        request.status,
        to,
        question.map(|q| (q.text.as_str(), q.deadline)),
        now,
    )
    .await?;
    if !moved {
        let (vi, en) = step.refusal(to);
        return Err(AppError::conflict("explanation_state", vi, en));
    }
    let author_id = c.caller().actor.user_id;
    let author_name = c.caller().display_name().to_string();
    store::add_message(
        c,
        request.id,
        &NewMessage {
            kind: step.as_str(),
            body,
            deadline: question.map(|q| q.deadline),
            author_id,
            author_name: &author_name,
        },
        now,
    )
    .await?;
    Ok(())
}

async fn finish(
    app: &App,
    caller: &Caller<'_>,
    c: crate::Write<'_>,
    action: &'static str,
    before: &Request,
) -> AppResult<ExplanationView> {
    let id = before.id;
    c.commit(NewEvent {
        action,
        entity_type: "explanation_request",
        entity_id: Some(id.to_string()),
        summary: about(before),
        before: Some(json!({"status": before.status})),
        after: None,
    })
    .await?;
    let mut c = app.db.read().await?;
    view_on(&mut c, app, caller.user, id).await
}

/// The unit's answer: the asker is told.
pub async fn answer(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    text: &str,
) -> AppResult<ExplanationView> {
    caller.require_somewhere(Action::AnswerExplanation)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let request = for_step(&mut c, caller, id, Step::Answer).await?;
    let text = rules::validate_answer(text).map_err(AppError::Validation)?;
    take_step(&mut c, &request, Step::Answer, &text, None, now).await?;
    if let Some(asker) = request.asked_by {
        let to = notifications::recipient(&mut c, asker).await?;
        tell(
            &mut c,
            app,
            to.as_slice(),
            NotificationKind::ExplanationAnswered,
            &request,
            "",
            None,
        )
        .await?;
    }
    finish(app, caller, c, "explanation.answer", &request).await
}

/// The answer accepted (with an optional comment): closed, the unit told.
pub async fn accept(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    comment: &str,
) -> AppResult<ExplanationView> {
    caller.require_somewhere(Action::RequestExplanation)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let request = for_step(&mut c, caller, id, Step::Accept).await?;
    let mut errors = Vec::new();
    let comment = dxplan_domain::validation::optional_text(
        "comment",
        Some(comment),
        rules::ANSWER_MAX_CHARS,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let comment = comment.unwrap_or_default();
    take_step(&mut c, &request, Step::Accept, &comment, None, now).await?;
    let staff = unit_staff(&mut c, request.unit_id, &UNIT_STAFF).await?;
    tell(
        &mut c,
        app,
        &staff,
        NotificationKind::ExplanationAccepted,
        &request,
        "",
        None,
    )
    .await?;
    finish(app, caller, c, "explanation.accept", &request).await
}

/// The answer was not enough: a further question with a new deadline, the unit told.
pub async fn ask_again(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    question: &str,
    deadline: &str,
) -> AppResult<ExplanationView> {
    caller.require_somewhere(Action::RequestExplanation)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let request = for_step(&mut c, caller, id, Step::AskAgain).await?;
    let question =
        rules::validate_question(question, deadline, app.today()).map_err(AppError::Validation)?;
    take_step(
        &mut c,
        &request,
        Step::AskAgain,
        &question.text,
        Some(&question),
        now,
    )
    .await?;
    let staff = unit_staff(&mut c, request.unit_id, &UNIT_STAFF).await?;
    tell(
        &mut c,
        app,
        &staff,
        NotificationKind::ExplanationAskedAgain,
        &request,
        &format_date(question.deadline),
        None,
    )
    .await?;
    finish(app, caller, c, "explanation.ask_again", &request).await
}

/// A request not yet answered taken back, with the reason; the unit told.
pub async fn withdraw(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    reason: &str,
) -> AppResult<ExplanationView> {
    caller.require_somewhere(Action::RequestExplanation)?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let request = for_step(&mut c, caller, id, Step::Withdraw).await?;
    let mut errors = Vec::new();
    let reason = dxplan_domain::validation::required_text(
        "reason",
        reason,
        rules::QUESTION_MAX_CHARS,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    take_step(&mut c, &request, Step::Withdraw, &reason, None, now).await?;
    let staff = unit_staff(&mut c, request.unit_id, &UNIT_STAFF).await?;
    tell(
        &mut c,
        app,
        &staff,
        NotificationKind::ExplanationWithdrawn,
        &request,
        "",
        None,
    )
    .await?;
    finish(app, caller, c, "explanation.withdraw", &request).await
}

/// An evidence file sent with the unit's explanation, while the request awaits its answer:
/// checked by name and content and stored once by its hash. Rights and the request's
/// state are checked before the file is read.
pub async fn attach(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    file: impl Future<Output = AppResult<crate::Upload>>,
) -> AppResult<ExplanationFile> {
    use dxplan_store::attachments::{self, NewAttachment};
    caller.require_somewhere(Action::AnswerExplanation)?;
    {
        let mut c = app.db.read().await?;
        for_step(&mut c, caller, id, Step::Answer).await?;
    }
    let crate::Upload { name, bytes } = file.await?;
    let accepted = crate::files::accept(
        &app.settings.data_dir,
        app.settings.max_upload_bytes,
        &name,
        bytes,
    )
    .await?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    // Checked again in the write: it may have been answered while the file travelled.
    let request = for_step(&mut c, caller, id, Step::Answer).await?;
    let file_id = attachments::insert_explanation_file(
        &mut c,
        id,
        &NewAttachment {
            sha256: &accepted.sha256,
            size: accepted.size,
            kind: accepted.kind.as_str(),
            original_name: &accepted.name,
            uploaded_by: caller.actor.user_id,
            uploader_name: caller.display_name(),
        },
        now,
    )
    .await?;
    let file = attachments::explanation_file(&mut c, file_id)
        .await?
        .ok_or(AppError::NotFound)?;
    c.commit(NewEvent {
        action: "explanation.attach",
        entity_type: "explanation_request",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{}: {} ({} B)",
            about(&request),
            file.original_name,
            file.size
        ),
        before: None,
        after: Some(json!(file)),
    })
    .await?;
    Ok(file)
}

/// An evidence file and its bytes, for whoever reads its request.
pub async fn file_for(
    app: &App,
    user: &CurrentUser,
    file_id: i64,
) -> AppResult<(ExplanationFile, Vec<u8>)> {
    let file = {
        let mut c = app.db.read().await?;
        let file = dxplan_store::attachments::explanation_file(&mut c, file_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let request = store::get(&mut c, file.request_id).await?;
        let lineage = units::lineage(&mut c, request.unit_id).await?;
        if !user.may(Action::ViewWork, Target::Unit(&lineage)) {
            return Err(AppError::NotFound);
        }
        file
    };
    let bytes = crate::files::read(&app.settings.data_dir, &file.sha256).await?;
    Ok((file, bytes))
}

/// The units the user answers for: those of their editor and approver grants (`None`:
/// a system-wide one). An administrator, who may answer anywhere, is nobody's staff.
fn answering_roots(user: &CurrentUser) -> Option<Vec<i64>> {
    let staff: Vec<Option<i64>> = user
        .grants
        .iter()
        .filter(|g| UNIT_STAFF.contains(&g.role) && g.allows(Action::AnswerExplanation))
        .map(|g| g.unit)
        .collect();
    if staff.contains(&None) {
        return None;
    }
    Some(staff.into_iter().flatten().collect())
}

fn filter_for(user: &CurrentUser, inbox: Inbox) -> RequestFilter {
    match inbox {
        Inbox::ToAnswer => RequestFilter {
            answering: answering_roots(user),
            ..Default::default()
        },
        Inbox::Following => RequestFilter {
            scope: user.scope(Action::RequestExplanation),
            ..Default::default()
        },
        Inbox::Asked => RequestFilter {
            scope: user.scope(Action::ViewWork),
            asked_by: Some(user.id),
            ..Default::default()
        },
    }
}

/// One page of an inbox, the awaited first by deadline.
pub async fn list(app: &App, user: &CurrentUser, ask: &ListAsk) -> AppResult<ExplanationList> {
    let mut filter = filter_for(user, ask.inbox);
    filter.statuses = ask.status.into_iter().collect();
    filter.overdue_before = ask.overdue.then(|| app.today());
    filter.limit = ask.limit;
    filter.offset = ask.offset;
    let today = app.today();
    let mut c = app.db.read().await?;
    let total = store::count(&mut c, &filter).await?;
    let items = store::list(&mut c, &filter)
        .await?
        .into_iter()
        .map(|request| ExplanationSummary {
            overdue: request.status.is_overdue(request.deadline, today),
            request,
        })
        .collect();
    Ok(ExplanationList { items, total })
}

/// What waits on the user among explanation requests (the home page's counts).
/// Kept a few seconds by the reader's grants (all it depends on) and forgotten on any
/// change: over a nation each count walks the reader's 3,400 units, on every dashboard.
pub async fn tally(app: &App, user: &CurrentUser) -> AppResult<ExplanationTally> {
    let today = app.today();
    let key = crate::memo::query_key(&format!("{today} {:?}", user.grants));
    app.memo
        .tallies
        .get_or_read(&app.memo, key, || count_waiting(app, user, today))
        .await
}

async fn count_waiting(
    app: &App,
    user: &CurrentUser,
    today: time::Date,
) -> AppResult<ExplanationTally> {
    let mut c = app.db.read().await?;
    let mut t = ExplanationTally::default();
    if user.holds(Action::AnswerExplanation) {
        let mut f = filter_for(user, Inbox::ToAnswer);
        f.statuses = vec![Status::Awaiting];
        t.to_answer = store::count(&mut c, &f).await?;
        f.overdue_before = Some(today);
        t.to_answer_overdue = store::count(&mut c, &f).await?;
    }
    if user.holds(Action::RequestExplanation) {
        let mut f = filter_for(user, Inbox::Following);
        f.statuses = vec![Status::Answered];
        t.to_read = store::count(&mut c, &f).await?;
        f.statuses = Vec::new();
        f.overdue_before = Some(today);
        t.overdue = store::count(&mut c, &f).await?;
    }
    Ok(t)
}

/// Raises each request unanswered past its deadline to its unit's head (the approvers)
/// once, and tells the one who asked. Returns how many notices were made.
pub async fn escalate_overdue(app: &App, now: OffsetDateTime) -> AppResult<usize> {
    let today = now.to_offset(dxplan_domain::text::VIETNAM).date();
    let mut made = 0;
    let due = {
        let mut c = app.db.read().await?;
        store::to_escalate(&mut c, today, ESCALATION_BATCH).await?
    };
    for request in due {
        let mut c = app.housekeeping().await?;
        let heads = unit_staff(&mut c, request.unit_id, &[Role::UnitApprover]).await?;
        let key = format!("explain-late:{}:{}", request.id, request.deadline);
        let since = format_date(request.deadline.next_day().unwrap_or(request.deadline));
        made += tell(
            &mut c,
            app,
            &heads,
            NotificationKind::ExplanationOverdue,
            &request,
            &since,
            Some(&key),
        )
        .await?;
        store::mark_escalated(&mut c, request.id, now).await?;
        c.commit().await?;
    }
    Ok(made)
}

/// A request owed by a unit past its deadline, as an urging letter lists it.
#[derive(Debug, Clone)]
pub struct OwedExplanation {
    pub subject_title: String,
    pub deadline: Date,
    pub days_late: i64,
}

/// The requests awaited past their deadline, by unit (name, id) in name order.
pub(crate) async fn overdue_by_unit(
    c: &mut Conn,
    today: Date,
) -> AppResult<BTreeMap<(String, i64), Vec<OwedExplanation>>> {
    let filter = RequestFilter {
        overdue_before: Some(today),
        limit: store::PAGE_MAX,
        ..Default::default()
    };
    let mut out: BTreeMap<(String, i64), Vec<OwedExplanation>> = BTreeMap::new();
    let mut offset = 0;
    loop {
        let page = store::list(
            c,
            &RequestFilter {
                offset,
                ..filter.clone()
            },
        )
        .await?;
        let n = page.len() as i64;
        for r in page {
            out.entry((r.unit_name.clone(), r.unit_id))
                .or_default()
                .push(OwedExplanation {
                    days_late: (today - r.deadline).whole_days(),
                    subject_title: r.subject_title,
                    deadline: r.deadline,
                });
        }
        if n < store::PAGE_MAX {
            break;
        }
        offset += n;
    }
    Ok(out)
}

/// The page a request is about: the task, the indicator for the unit, or the unit.
pub fn subject_path(r: &Request) -> String {
    match (r.subject, r.task_id, &r.indicator_code) {
        (Subject::Task, Some(task), _) => format!("/tasks/{task}"),
        (Subject::Figure, _, Some(code)) => {
            let period = r.period.as_deref().unwrap_or_default();
            format!("/indicators/{code}?unit={}&period={period}", r.unit_code)
        }
        _ => format!("/units/{}", r.unit_id),
    }
}
