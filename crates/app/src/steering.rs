//! Steering committee sessions (phiên họp Ban Chỉ đạo): the coordinator records a session
//! and its numbered conclusions, turns each conclusion into tasks of the plan (or closes
//! it with a note), issues the conclusion notice, and prepares the next session's
//! briefing. Whether a conclusion is still open is derived from its tasks every time it
//! is read, so an open conclusion is carried forward without being copied.
//!
//! Everyone who sees the whole programme reads them; the plan's coordinators write them.

use std::collections::HashMap;

use dxplan_domain::auth::Action;
use dxplan_domain::steering::{
    self as rules, ConclusionStatus, ConclusionTally, SessionFields, SessionInput,
};
use dxplan_domain::task::{TaskInput, TaskStatus, is_regular, validate_task};
use dxplan_domain::text::parse_date;
use dxplan_domain::{FieldError, Invalid, Lang};
use dxplan_report::progress::{Letterhead, NBSP};
use dxplan_report::steering::{
    AssignedTask, ConclusionLine, LastSession, NoticeSession, briefing, conclusion_notice,
};
use dxplan_store::audit::NewEvent;
use dxplan_store::steering::{self, NewSession};
// The rows the read models hand out, so the front doors name no store path.
pub use dxplan_store::steering::{Conclusion, ConclusionTask, SteeringSession};
use dxplan_store::tasks::Task;
use dxplan_store::{Conn, StoreError, plans};
use serde_json::json;
use time::Date;

use crate::error::{AppError, AppResult, done_once};
use crate::principal::CurrentUser;
use crate::rights::Province;
use crate::tasks::plan_open;
use crate::{App, Caller, Write};

/// A conclusion with where it stands and the tasks assigned from it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConclusionView {
    #[serde(flatten)]
    pub conclusion: Conclusion,
    /// The number of the session it was reached at (Phiên họp thứ N).
    pub session_number: i64,
    pub status: ConclusionStatus,
    pub tally: ConclusionTally,
    pub tasks: Vec<ConclusionTask>,
}

impl ConclusionView {
    /// `2.3`: the third conclusion of the second session.
    pub fn label(&self) -> String {
        format!("{}.{}", self.session_number, self.conclusion.number)
    }
}

/// A session in the plan's list, with how its conclusions stand.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionSummary {
    #[serde(flatten)]
    pub session: SteeringSession,
    pub conclusions: i64,
    /// Neither done nor closed.
    pub open: i64,
    /// With a task past its deadline.
    pub overdue: i64,
}

/// A plan's sessions, oldest first, and the briefing for the next one.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanSteering {
    pub plan_id: i64,
    pub plan_title: String,
    pub sessions: Vec<SessionSummary>,
    pub briefing: Briefing,
    /// Whether the caller records sessions and assigns from them.
    pub can_manage: bool,
}

/// What a session is briefed on: the conclusions of the session before it, and the
/// conclusions of earlier sessions that are still open.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Briefing {
    pub previous: Option<SteeringSession>,
    pub previous_conclusions: Vec<ConclusionView>,
    pub earlier_open: Vec<ConclusionView>,
}

/// One session with its conclusions and the briefing it was held on.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub session: SteeringSession,
    pub plan_title: String,
    pub conclusions: Vec<ConclusionView>,
    pub briefing: Briefing,
    /// Whether the caller records sessions and assigns from them.
    pub can_manage: bool,
}

/// Everything of a plan's sessions, read in three queries and put together here.
struct PlanRecord {
    sessions: Vec<SteeringSession>,
    /// By session id, in number order.
    conclusions: HashMap<i64, Vec<ConclusionView>>,
}

impl PlanRecord {
    async fn read(c: &mut Conn, plan_id: i64, today: Date) -> AppResult<PlanRecord> {
        let sessions = steering::sessions_of_plan(c, plan_id).await?;
        let numbers: HashMap<i64, i64> = sessions.iter().map(|s| (s.id, s.number)).collect();
        let mut tasks_of: HashMap<i64, Vec<ConclusionTask>> = HashMap::new();
        for t in steering::tasks_of_plan(c, plan_id).await? {
            tasks_of.entry(t.conclusion_id).or_default().push(t);
        }
        let mut conclusions: HashMap<i64, Vec<ConclusionView>> = HashMap::new();
        for k in steering::conclusions_of_plan(c, plan_id).await? {
            let tasks = tasks_of.remove(&k.id).unwrap_or_default();
            let tally = ConclusionTally {
                tasks: tasks.len() as i64,
                completed: tasks
                    .iter()
                    .filter(|t| t.status == TaskStatus::Completed)
                    .count() as i64,
                overdue: tasks
                    .iter()
                    .filter(|t| {
                        t.status != TaskStatus::Completed
                            && !is_regular(t.due_date)
                            && t.due_date < today
                    })
                    .count() as i64,
            };
            conclusions
                .entry(k.session_id)
                .or_default()
                .push(ConclusionView {
                    session_number: numbers.get(&k.session_id).copied().unwrap_or(0),
                    status: ConclusionStatus::of(k.closed_on.is_some(), tally),
                    conclusion: k,
                    tally,
                    tasks,
                });
        }
        Ok(PlanRecord {
            sessions,
            conclusions,
        })
    }

    fn conclusions_of(&self, session_id: i64) -> Vec<ConclusionView> {
        self.conclusions
            .get(&session_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The briefing for a session held after the first `before` sessions (in the order
    /// they were held).
    fn briefing(&self, before: usize) -> Briefing {
        let earlier = &self.sessions[..before.min(self.sessions.len())];
        let Some((previous, older)) = earlier.split_last() else {
            return Briefing {
                previous: None,
                previous_conclusions: Vec::new(),
                earlier_open: Vec::new(),
            };
        };
        Briefing {
            previous: Some(previous.clone()),
            previous_conclusions: self.conclusions_of(previous.id),
            earlier_open: older
                .iter()
                .flat_map(|s| self.conclusions_of(s.id))
                .filter(|k| k.status.is_open())
                .collect(),
        }
    }
}

/// A change to the steering record: only who manages the province's plans makes one.
async fn coordinators_change<'w>(app: &'w App, caller: &'w Caller<'w>) -> AppResult<Write<'w>> {
    let mut c = app.write(caller).await?;
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await?;
    Ok(c)
}

/// One field checked on its own: its value, or its refusal in words.
fn checked(check: impl FnOnce(&mut Vec<FieldError>) -> String) -> AppResult<String> {
    let mut errors = Vec::new();
    let value = check(&mut errors);
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Refuses who does not see the whole programme; tells whether the reader also manages it.
async fn require_reader(c: &mut Conn, app: &App, user: &CurrentUser) -> AppResult<bool> {
    let province = Province::today(c, app).await?;
    province.require(user, Action::ViewWork)?;
    Ok(province.allows(user, Action::ManagePlans))
}

/// A plan's sessions and the briefing for its next one: for whoever sees the programme.
pub async fn plan_sessions(app: &App, user: &CurrentUser, plan_id: i64) -> AppResult<PlanSteering> {
    let mut c = app.db.read().await?;
    let can_manage = require_reader(&mut c, app, user).await?;
    let plan = plans::get(&mut c, plan_id).await?;
    let record = PlanRecord::read(&mut c, plan_id, app.today()).await?;
    let sessions = record
        .sessions
        .iter()
        .map(|s| {
            let list = record
                .conclusions
                .get(&s.id)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            SessionSummary {
                session: s.clone(),
                conclusions: list.len() as i64,
                open: list.iter().filter(|k| k.status.is_open()).count() as i64,
                overdue: list
                    .iter()
                    .filter(|k| k.status == ConclusionStatus::Overdue)
                    .count() as i64,
            }
        })
        .collect();
    Ok(PlanSteering {
        plan_id,
        plan_title: plan.title,
        briefing: record.briefing(record.sessions.len()),
        sessions,
        can_manage,
    })
}

async fn session_view(
    c: &mut Conn,
    app: &App,
    session_id: i64,
    can_manage: bool,
) -> AppResult<SessionView> {
    let session = steering::get_session(c, session_id).await?;
    let plan = plans::get(c, session.plan_id).await?;
    let record = PlanRecord::read(c, session.plan_id, app.today()).await?;
    let position = record
        .sessions
        .iter()
        .position(|s| s.id == session_id)
        .unwrap_or(record.sessions.len());
    Ok(SessionView {
        conclusions: record.conclusions_of(session_id),
        briefing: record.briefing(position),
        plan_title: plan.title,
        session,
        can_manage,
    })
}

/// One session with its conclusions and what it was briefed on.
pub async fn session(app: &App, user: &CurrentUser, session_id: i64) -> AppResult<SessionView> {
    let mut c = app.db.read().await?;
    let can_manage = require_reader(&mut c, app, user).await?;
    session_view(&mut c, app, session_id, can_manage).await
}

/// Records a session held on the plan, with its conclusions numbered in the order given.
pub async fn create_session(
    app: &App,
    caller: &Caller<'_>,
    plan_id: i64,
    input: &SessionInput,
) -> AppResult<SessionView> {
    let mut c = coordinators_change(app, caller).await?;
    let fields: SessionFields = rules::validate_session(input).map_err(AppError::Validation)?;
    let plan = plans::get(&mut c, plan_id).await?;
    plan_open(&plan)?;
    let new = NewSession {
        plan_id,
        held_on: fields.held_on,
        title: &fields.title,
        chair: &fields.chair,
        attendees: &fields.attendees,
        created_by: caller.display_name(),
    };
    let id = match steering::insert_session(&mut c, &new, app.now()).await {
        Ok(id) => id,
        // Two sessions recorded at once took the same number: the second may try again.
        Err(StoreError::Duplicate) => return Err(busy()),
        Err(e) => return Err(e.into()),
    };
    for text in &fields.conclusions {
        steering::add_conclusion(&mut c, id, text).await?;
    }
    let view = session_view(&mut c, app, id, true).await?;
    c.commit(NewEvent {
        action: "steering.session.create",
        entity_type: "steering_session",
        entity_id: Some(id.to_string()),
        summary: format!(
            "{} ({} kết luận)",
            view.session.title,
            view.conclusions.len()
        ),
        before: None,
        after: Some(json!({"session": view.session, "conclusions": fields.conclusions})),
    })
    .await?;
    Ok(view)
}

/// Corrects a session's record — its day, title, chair and attendees — keeping its number,
/// its conclusions and their tasks. Conclusions given are ignored (they are edited one by
/// one); once the notice is issued, the meeting cannot move after it.
pub async fn edit_session(
    app: &App,
    caller: &Caller<'_>,
    session_id: i64,
    input: &SessionInput,
) -> AppResult<SteeringSession> {
    let mut c = coordinators_change(app, caller).await?;
    let fields = rules::validate_session(&SessionInput {
        conclusions: Vec::new(),
        ..input.clone()
    })
    .map_err(AppError::Validation)?;
    let before = steering::get_session(&mut c, session_id).await?;
    plan_open(&plans::get(&mut c, before.plan_id).await?)?;
    if before
        .notice_date
        .is_some_and(|issued| fields.held_on > issued)
    {
        return Err(AppError::field("held_on", Invalid::NotAfterNotice));
    }
    let changed = NewSession {
        plan_id: before.plan_id,
        held_on: fields.held_on,
        title: &fields.title,
        chair: &fields.chair,
        attendees: &fields.attendees,
        created_by: &before.created_by_name,
    };
    steering::update_session(&mut c, session_id, &changed).await?;
    let after = steering::get_session(&mut c, session_id).await?;
    c.commit(NewEvent {
        action: "steering.session.edit",
        entity_type: "steering_session",
        entity_id: Some(session_id.to_string()),
        summary: short(&after.title),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

fn busy() -> AppError {
    AppError::conflict(
        "busy",
        "Có người vừa ghi cùng lúc; vui lòng thử lại.",
        "Someone recorded at the same moment; please try again.",
    )
}

/// Adds a conclusion after the session's last one (a conclusion the notice added later).
pub async fn add_conclusion(
    app: &App,
    caller: &Caller<'_>,
    session_id: i64,
    text: &str,
) -> AppResult<Conclusion> {
    let mut c = coordinators_change(app, caller).await?;
    let text = checked(|errors| rules::conclusion_text("text", text, errors))?;
    let session = steering::get_session(&mut c, session_id).await?;
    plan_open(&plans::get(&mut c, session.plan_id).await?)?;
    let count = steering::conclusion_count(&mut c, session_id).await?;
    if count >= rules::MAX_CONCLUSIONS as i64 {
        return Err(AppError::field(
            "text",
            Invalid::TooMany {
                max: rules::MAX_CONCLUSIONS,
            },
        ));
    }
    let (id, number) = match steering::add_conclusion(&mut c, session_id, &text).await {
        Ok(added) => added,
        Err(StoreError::Duplicate) => return Err(busy()),
        Err(e) => return Err(e.into()),
    };
    let conclusion = steering::get_conclusion(&mut c, id).await?;
    c.commit(NewEvent {
        action: "steering.conclusion.add",
        entity_type: "steering_conclusion",
        entity_id: Some(id.to_string()),
        summary: format!("{}.{number} {}", session.number, short(&text)),
        before: None,
        after: Some(json!(conclusion)),
    })
    .await?;
    Ok(conclusion)
}

/// Corrects a conclusion's text as the notice words it; its number, tasks and status stay.
pub async fn edit_conclusion(
    app: &App,
    caller: &Caller<'_>,
    conclusion_id: i64,
    text: &str,
) -> AppResult<Conclusion> {
    let mut c = coordinators_change(app, caller).await?;
    let text = checked(|errors| rules::conclusion_text("text", text, errors))?;
    let before = steering::get_conclusion(&mut c, conclusion_id).await?;
    steering::set_conclusion_text(&mut c, conclusion_id, &text).await?;
    let after = steering::get_conclusion(&mut c, conclusion_id).await?;
    c.commit(NewEvent {
        action: "steering.conclusion.edit",
        entity_type: "steering_conclusion",
        entity_id: Some(conclusion_id.to_string()),
        summary: short(&text),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

/// The first words of a long text, for an audit line.
fn short(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// Closes a conclusion that needs no (further) task, with the coordinator's reason.
pub async fn close_conclusion(
    app: &App,
    caller: &Caller<'_>,
    conclusion_id: i64,
    note: &str,
) -> AppResult<Conclusion> {
    let mut c = coordinators_change(app, caller).await?;
    let note =
        checked(|errors| dxplan_domain::validation::required_text("note", note, 1000, errors))?;
    let before = steering::get_conclusion(&mut c, conclusion_id).await?;
    done_once(
        steering::close_conclusion(&mut c, conclusion_id, app.today(), &note).await,
        "already_closed",
        "Kết luận này đã được đóng.",
        "This conclusion is closed already.",
    )?;
    let after = steering::get_conclusion(&mut c, conclusion_id).await?;
    c.commit(NewEvent {
        action: "steering.conclusion.close",
        entity_type: "steering_conclusion",
        entity_id: Some(conclusion_id.to_string()),
        summary: short(&note),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

/// The task code a conclusion's `k`-th task takes by default: `KL2.3` for the first task
/// of conclusion 3 of session 2, `KL2.3.2` for its second.
fn default_code(session: i64, conclusion: i64, k: i64) -> String {
    if k <= 1 {
        format!("KL{session}.{conclusion}")
    } else {
        format!("KL{session}.{conclusion}.{k}")
    }
}

/// What the form assigning a task from a conclusion shows.
#[derive(Debug, Clone)]
pub struct AssignForm {
    pub session: SteeringSession,
    pub conclusion: Conclusion,
    /// The code the task takes when the field is left blank.
    pub code: String,
    /// The units the coordinator may assign to, by name.
    pub lead_choices: Vec<String>,
}

pub async fn assign_form(
    app: &App,
    user: &CurrentUser,
    conclusion_id: i64,
) -> AppResult<AssignForm> {
    let mut c = app.db.read().await?;
    Province::today(&mut c, app)
        .await?
        .require(user, Action::ManagePlans)?;
    let conclusion = steering::get_conclusion(&mut c, conclusion_id).await?;
    let session = steering::get_session(&mut c, conclusion.session_id).await?;
    let k = steering::task_count(&mut c, conclusion_id).await? + 1;
    drop(c);
    let lead_choices =
        crate::pickers::unit_choices(app, user, Action::ManagePlans, app.today()).await?;
    Ok(AssignForm {
        code: default_code(session.number, conclusion.number, k),
        session,
        conclusion,
        lead_choices,
    })
}

/// Assigns a task from a conclusion: a task of the session's plan whose source is the
/// session's conclusion notice at the conclusion's number. A code left blank follows
/// the conclusion's (`KL2.3`); a title left blank is the conclusion's text.
pub async fn assign_task(
    app: &App,
    caller: &Caller<'_>,
    conclusion_id: i64,
    input: &TaskInput,
) -> AppResult<Task> {
    let mut c = coordinators_change(app, caller).await?;
    let conclusion = steering::get_conclusion(&mut c, conclusion_id).await?;
    if conclusion.closed_on.is_some() {
        return Err(AppError::conflict(
            "conclusion_closed",
            "Kết luận này đã đóng: không giao thêm nhiệm vụ.",
            "This conclusion is closed: no more tasks are assigned from it.",
        ));
    }
    let session = steering::get_session(&mut c, conclusion.session_id).await?;
    let mut input = input.clone();
    if input.code.trim().is_empty() {
        let k = steering::task_count(&mut c, conclusion_id).await? + 1;
        input.code = default_code(session.number, conclusion.number, k);
    }
    if input.title.trim().is_empty() {
        input.title = conclusion.text.chars().take(500).collect();
    }
    input.assigned_doc_type = Some("conclusion_notice".into());
    input.assigned_doc_item = Some(conclusion.number.to_string());
    if let (Some(number), Some(day)) = (&session.notice_number, session.notice_date) {
        input.assigned_doc_number = Some(number.clone());
        input.assigned_doc_date = Some(day.to_string());
    }
    if input
        .assigned_doc_signer
        .as_deref()
        .is_none_or(|s| s.trim().is_empty())
    {
        input.assigned_doc_signer = Some(session.chair.chars().take(200).collect());
    }
    let fields = validate_task(&input).map_err(AppError::Validation)?;
    let task =
        crate::tasks::register_checked(&mut c, app, caller, session.plan_id, &fields).await?;
    steering::link_task(&mut c, task.id, conclusion_id).await?;
    c.record(crate::tasks::created_event(&task)).await?;
    c.commit(NewEvent {
        action: "steering.conclusion.assign",
        entity_type: "steering_conclusion",
        entity_id: Some(conclusion_id.to_string()),
        summary: format!(
            "{}.{} → {} ({})",
            session.number, conclusion.number, task.code, task.lead_unit_name
        ),
        before: None,
        after: Some(json!({"task_id": task.id, "code": task.code})),
    })
    .await?;
    Ok(task)
}

/// Records the conclusion notice as issued, with its number and date; the tasks already
/// assigned from the session take them as their source document.
pub async fn issue_notice(
    app: &App,
    caller: &Caller<'_>,
    session_id: i64,
    number: &str,
    issued_on: Option<&str>,
) -> AppResult<SteeringSession> {
    let mut c = coordinators_change(app, caller).await?;
    let mut errors = Vec::new();
    let number = dxplan_domain::validation::required_text("number", number, 50, &mut errors);
    let day = match issued_on.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(app.today()),
        Some(text) => {
            let day = parse_date(text);
            if day.is_none() {
                errors.push(FieldError::new("issued_on", Invalid::BadDate));
            }
            day
        }
    };
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let session = steering::get_session(&mut c, session_id).await?;
    if day < session.held_on {
        return Err(AppError::field("issued_on", Invalid::BeforeMeeting));
    }
    let tasks = done_once(
        steering::issue_notice(&mut c, session_id, &number, day).await,
        "already_issued",
        "Thông báo kết luận của phiên họp này đã được ghi số.",
        "This session's conclusion notice has its number already.",
    )?;
    let after = steering::get_session(&mut c, session_id).await?;
    c.commit(NewEvent {
        action: "steering.notice",
        entity_type: "steering_session",
        entity_id: Some(session_id.to_string()),
        summary: format!("{number} ({day}): {tasks} nhiệm vụ"),
        before: Some(json!(session)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

fn lines(list: &[ConclusionView], lang: Lang) -> Vec<ConclusionLine> {
    list.iter()
        .map(|k| ConclusionLine {
            session: format!("Phiên {}", k.session_number),
            number: k.conclusion.number,
            text: k.conclusion.text.clone(),
            status: k.status.label(lang).into(),
            open: k.status.is_open(),
            closed_note: k.conclusion.closed_note.clone(),
            tasks: k
                .tasks
                .iter()
                .map(|t| AssignedTask {
                    title: format!("{} {}", t.code, t.title),
                    unit: t.lead_unit_name.clone(),
                    due: (!is_regular(t.due_date)).then_some(t.due_date),
                    status: t.status.label(lang).into(),
                })
                .collect(),
        })
        .collect()
}

/// `Số: 125/TB-UBND` as issued, or with a blank for the clerk before it is.
fn number_line(head: &Letterhead, issued: Option<&str>) -> String {
    match issued {
        Some(n) => format!("Số: {n}"),
        None => head.number.clone(),
    }
}

/// The session's conclusion notice in Word, issued by the province's People's Committee.
pub async fn notice_document(
    app: &App,
    user: &CurrentUser,
    session_id: i64,
) -> AppResult<(SteeringSession, Vec<u8>)> {
    let mut c = app.db.read().await?;
    let can_manage = require_reader(&mut c, app, user).await?;
    let view = session_view(&mut c, app, session_id, can_manage).await?;
    let day = view.session.notice_date.unwrap_or_else(|| app.today());
    let issuer = crate::issuer::province_unit(&mut c, app, day).await?;
    let block = crate::issuer::block(&mut c, &issuer, day).await?;
    let mut head = Letterhead::new(&block, "TB", day, app.now());
    head.number = number_line(&head, view.session.notice_number.as_deref());
    let s = &view.session;
    let report = conclusion_notice(
        head,
        &dxplan_domain::issuer::issuer_in_text(issuer.kind, &issuer.name),
        &NoticeSession {
            held_on: s.held_on,
            title: &s.title,
            chair: &s.chair,
            attendees: &s.attendees,
        },
        &lines(&view.conclusions, Lang::Vi),
    );
    let bytes = dxplan_report::progress_docx::progress_docx(&report).map_err(AppError::internal)?;
    Ok((view.session, bytes))
}

/// The briefing for the plan's next session in Word, issued by the coordinator's unit:
/// the last session's conclusions and the earlier ones still open.
pub async fn briefing_document(app: &App, user: &CurrentUser, plan_id: i64) -> AppResult<Vec<u8>> {
    let steering = plan_sessions(app, user, plan_id).await?;
    let mut c = app.db.read().await?;
    let today = app.today();
    let issuer = crate::issuer::coordinator_unit(&mut c, app, user, today).await?;
    let block = crate::issuer::block(&mut c, &issuer, today).await?;
    let mut head = Letterhead::new(&block, "BC", today, app.now());
    head.number = format!("Số:{}/BC-{}", NBSP.to_string().repeat(8), block.symbol);
    let b = &steering.briefing;
    let last_lines = lines(&b.previous_conclusions, Lang::Vi);
    let last = b.previous.as_ref().map(|s| LastSession {
        title: &s.title,
        held_on: s.held_on,
        conclusions: &last_lines,
    });
    let report = briefing(
        head,
        &steering.plan_title,
        last.as_ref(),
        &lines(&b.earlier_open, Lang::Vi),
        today,
    );
    dxplan_report::progress_docx::progress_docx(&report).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::default_code;

    #[test]
    fn a_conclusions_tasks_follow_its_number() {
        assert_eq!(default_code(2, 3, 1), "KL2.3");
        assert_eq!(default_code(2, 3, 2), "KL2.3.2");
        assert!(default_code(999, 60, 99).len() <= 20, "fits a task code");
    }
}
