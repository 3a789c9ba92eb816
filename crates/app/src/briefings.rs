//! Scheduled briefings (issue #19, part 6): the programme's coordinator sets a plan's
//! one-page briefing or progress report over a unit's subtree to go out on a schedule
//! (a day of each week, or some days before each steering session) to named accounts.
//!
//! A recipient must be able to read the subtree when added and again at each send: one
//! who lost the right since is skipped, and the log says so. The e-mail carries a link
//! to the document, kept [`BRIEFING_RETENTION`] behind the login, not the document
//! itself: figures leave the closed network only as far as a person who may read them.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use dxplan_domain::auth::{Action, Grant, Role, Target, authorize};
use dxplan_domain::briefing::{
    Cadence, Document, MAX_RECIPIENTS, SEND_HOUR, ScheduleFields, ScheduleInput, Skipped,
    validate_schedule,
};
use dxplan_domain::text::{VIETNAM, format_date};
use dxplan_domain::validation::FieldError;
use dxplan_domain::{Invalid, Lang};
use dxplan_store::audit::NewEvent;
use dxplan_store::briefings::{self, NewDelivery, NewSend, ScheduleRow};
// The rows the read models hand out, so the front doors name no store path.
pub use dxplan_store::briefings::{
    BriefingDelivery, BriefingRecipient, BriefingSchedule, BriefingSend,
};
use dxplan_store::{Conn, notifications, plans, units, users};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Date, OffsetDateTime};

use crate::dashboard::DashboardQuery;
use crate::error::{AppError, AppResult};
use crate::exports::{Document as File, ExportKind};
use crate::principal::{CurrentUser, TokenUse};
use crate::rights::Province;
use crate::{App, Caller};

/// How long a sent document stays to be downloaded from the e-mail's link.
pub const BRIEFING_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Most schedules listed (a province has a handful).
const LISTED: i64 = 200;

/// A schedule as its list shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleView {
    #[serde(flatten)]
    pub schedule: BriefingSchedule,
    /// When it sends, in words (`Thứ Hai hằng tuần`).
    pub cadence_text: String,
    pub document_text: String,
    pub recipients: i64,
    /// The next day it sends (none while paused, or before sessions when none is planned).
    pub next_send: Option<Date>,
    pub last_send: Option<BriefingSend>,
}

/// A send with a line per recipient.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendView {
    #[serde(flatten)]
    pub send: BriefingSend,
    pub deliveries: Vec<BriefingDelivery>,
}

/// A schedule with its recipients, who else may be added, and its log.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleDetail {
    #[serde(flatten)]
    pub view: ScheduleView,
    pub recipient_list: Vec<BriefingRecipient>,
    /// Active accounts that may read the scope and are not recipients yet.
    pub may_add: Vec<BriefingRecipient>,
    pub sends: Vec<SendView>,
}

/// A schedule as a form or the API gives it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScheduleRequest {
    /// The plan's id.
    pub plan: String,
    /// The unit whose subtree it covers, by name or code.
    pub unit: String,
    pub fields: ScheduleInput,
    pub active: bool,
}

fn cadence_of(s: &BriefingSchedule) -> AppResult<Cadence> {
    Cadence::from_parts(&s.cadence, s.day)
        .ok_or_else(|| AppError::internal(format!("briefing schedule {}: bad cadence", s.id)))
}

fn export_kind(d: Document) -> ExportKind {
    match d {
        Document::Briefing => ExportKind::Briefing,
        Document::ReportPdf => ExportKind::Pdf,
        Document::ReportWord => ExportKind::Word,
    }
}

async fn require(c: &mut Conn, app: &App, user: &CurrentUser) -> AppResult<()> {
    Province::today(c, app)
        .await?
        .require(user, Action::ManagePlans)
}

/// Refuses a caller who may manage no briefing, before a body is read.
pub fn may_manage(caller: &Caller<'_>) -> AppResult<()> {
    caller.require_somewhere(Action::ManagePlans)
}

/// What decides every schedule's next send today: the sessions coming and the
/// schedules already sent today, read once for all of them.
struct Calendar {
    today: Date,
    sessions: HashMap<i64, Vec<Date>>,
    sent_today: HashSet<i64>,
}

impl Calendar {
    async fn read(c: &mut Conn, today: Date) -> AppResult<Calendar> {
        Ok(Calendar {
            today,
            sessions: briefings::coming_sessions(c, today).await?,
            sent_today: briefings::sent_on(c, today).await?,
        })
    }

    fn sessions_of(&self, s: &BriefingSchedule) -> &[Date] {
        self.sessions.get(&s.plan_id).map_or(&[], Vec::as_slice)
    }

    /// Whether the schedule sends today and has not yet.
    fn due_today(&self, s: &BriefingSchedule) -> AppResult<bool> {
        Ok(s.active
            && !self.sent_today.contains(&s.id)
            && cadence_of(s)?.due_on(self.today, self.sessions_of(s)))
    }

    /// The next day the schedule sends: today's only while it has not gone out yet.
    fn next_send(&self, s: &BriefingSchedule) -> AppResult<Option<Date>> {
        if !s.active {
            return Ok(None);
        }
        let from = if self.sent_today.contains(&s.id) {
            self.today + time::Duration::days(1)
        } else {
            self.today
        };
        Ok(cadence_of(s)?.next_on_or_after(from, self.sessions_of(s)))
    }
}

fn view_of(
    calendar: &Calendar,
    schedule: BriefingSchedule,
    recipients: i64,
    last_send: Option<BriefingSend>,
    lang: Lang,
) -> AppResult<ScheduleView> {
    let cadence = cadence_of(&schedule)?;
    Ok(ScheduleView {
        cadence_text: cadence.describe(lang),
        document_text: schedule.document.label(lang).to_string(),
        next_send: calendar.next_send(&schedule)?,
        schedule,
        recipients,
        last_send,
    })
}

/// The schedules, newest first: for the programme's coordinators.
pub async fn list(app: &App, user: &CurrentUser, lang: Lang) -> AppResult<Vec<ScheduleView>> {
    let mut c = app.db.read().await?;
    require(&mut c, app, user).await?;
    let counts: HashMap<i64, i64> = briefings::recipient_counts(&mut c)
        .await?
        .into_iter()
        .collect();
    let mut last: HashMap<i64, BriefingSend> = briefings::last_sends(&mut c)
        .await?
        .into_iter()
        .map(|s| (s.schedule_id, s))
        .collect();
    let calendar = Calendar::read(&mut c, app.today()).await?;
    briefings::list(&mut c, LISTED)
        .await?
        .into_iter()
        .map(|s| {
            let (id, n) = (s.id, counts.get(&s.id).copied().unwrap_or(0));
            view_of(&calendar, s, n, last.remove(&id), lang)
        })
        .collect()
}

/// One schedule as stored, for the programme's coordinators.
pub async fn get(app: &App, user: &CurrentUser, id: i64) -> AppResult<BriefingSchedule> {
    let mut c = app.db.read().await?;
    require(&mut c, app, user).await?;
    Ok(briefings::get(&mut c, id).await?)
}

/// A schedule with its recipients, the accounts that may be added, and its log.
pub async fn detail(
    app: &App,
    user: &CurrentUser,
    id: i64,
    lang: Lang,
) -> AppResult<ScheduleDetail> {
    let mut c = app.db.read().await?;
    require(&mut c, app, user).await?;
    let schedule = briefings::get(&mut c, id).await?;
    let recipient_list = briefings::recipients(&mut c, id).await?;
    let lineage = units::lineage(&mut c, schedule.unit_id).await?;
    let readers = briefings::readers(&mut c, &lineage).await?;
    let grants = grants_by_user(
        &mut c,
        &readers.iter().map(|r| r.user_id).collect::<Vec<_>>(),
    )
    .await?;
    let may_add = readers
        .into_iter()
        .filter(|r| {
            r.email.as_deref().is_some_and(|e| !e.is_empty())
                && !recipient_list.iter().any(|x| x.user_id == r.user_id)
                && may_read(&grants, r.user_id, &lineage)
        })
        .collect();
    let mut by_send: HashMap<i64, Vec<BriefingDelivery>> = HashMap::new();
    for d in briefings::deliveries_of_schedule(&mut c, id).await? {
        by_send.entry(d.send_id).or_default().push(d);
    }
    let sends: Vec<SendView> = briefings::sends_of(&mut c, id)
        .await?
        .into_iter()
        .map(|send| SendView {
            deliveries: by_send.remove(&send.id).unwrap_or_default(),
            send,
        })
        .collect();
    let last = sends.first().map(|s| s.send.clone());
    let n = recipient_list.len() as i64;
    let calendar = Calendar::read(&mut c, app.today()).await?;
    let view = view_of(&calendar, schedule, n, last, lang)?;
    Ok(ScheduleDetail {
        view,
        recipient_list,
        may_add,
        sends,
    })
}

/// The grants of several accounts, by account: one query.
async fn grants_by_user(c: &mut Conn, ids: &[i64]) -> AppResult<HashMap<i64, Vec<Grant>>> {
    let mut out: HashMap<i64, Vec<Grant>> = HashMap::new();
    for g in users::grants_of(c, ids).await? {
        out.entry(g.user_id).or_default().push(g.grant());
    }
    Ok(out)
}

/// Whether the account may read the work of the unit of `lineage`, by the one policy.
fn may_read(grants: &HashMap<i64, Vec<Grant>>, user_id: i64, lineage: &[i64]) -> bool {
    grants
        .get(&user_id)
        .is_some_and(|g| authorize(g, Action::ViewWork, Target::Unit(lineage)))
}

/// The request checked: its fields, its plan and its unit, every refusal at its field.
async fn checked(
    c: &mut Conn,
    app: &App,
    req: &ScheduleRequest,
) -> AppResult<(ScheduleFields, plans::Plan, units::Unit)> {
    let mut errors: Vec<FieldError> = Vec::new();
    let fields = validate_schedule(&req.fields)
        .map_err(|e| errors.extend(e))
        .ok();
    let plan = match req.plan.trim() {
        "" => {
            errors.push(FieldError::new("plan", Invalid::Required));
            None
        }
        text => match text.parse::<i64>() {
            Ok(id) => match plans::get(c, id).await {
                Ok(p) => Some(p),
                Err(dxplan_store::StoreError::NotFound) => {
                    errors.push(FieldError::new("plan", Invalid::NotOffered));
                    None
                }
                Err(e) => return Err(e.into()),
            },
            Err(_) => {
                errors.push(FieldError::new("plan", Invalid::NotOffered));
                None
            }
        },
    };
    let unit = match req.unit.trim() {
        "" => {
            errors.push(FieldError::new("unit", Invalid::Required));
            None
        }
        text => match crate::pickers::find_named(c, text, app.today()).await? {
            Ok(u) => Some(u),
            Err(not) => {
                errors.push(FieldError::new("unit", not.invalid()));
                None
            }
        },
    };
    match (fields, plan, unit) {
        (Some(f), Some(p), Some(u)) if errors.is_empty() => Ok((f, p, u)),
        _ => Err(AppError::Validation(errors)),
    }
}

fn row<'a>(f: &'a ScheduleFields, plan_id: i64, unit_id: i64, active: bool) -> ScheduleRow<'a> {
    let (cadence, day) = f.cadence.to_parts();
    ScheduleRow {
        plan_id,
        unit_id,
        title: &f.title,
        document: f.document,
        cadence,
        day,
        active,
    }
}

/// Sets up a schedule (with no recipients yet).
pub async fn create(
    app: &App,
    caller: &Caller<'_>,
    req: &ScheduleRequest,
) -> AppResult<BriefingSchedule> {
    let mut c = app.write(caller).await?;
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await?;
    let (fields, plan, unit) = checked(&mut c, app, req).await?;
    let id = briefings::insert(
        &mut c,
        &row(&fields, plan.id, unit.id, req.active),
        caller.display_name(),
        app.now(),
    )
    .await?;
    let schedule = briefings::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "briefing.create",
        entity_type: "briefing_schedule",
        entity_id: Some(id.to_string()),
        summary: format!("{} ({}, {})", schedule.title, plan.title, unit.name),
        before: None,
        after: Some(json!(schedule)),
    })
    .await?;
    Ok(schedule)
}

/// Changes a schedule: what it sends, over which subtree, when, and whether it is paused.
/// Recipients who may not read a new scope stay listed and are skipped at each send (the
/// log says why) until removed or given the right.
pub async fn update(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    req: &ScheduleRequest,
) -> AppResult<BriefingSchedule> {
    let mut c = app.write(caller).await?;
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await?;
    let before = briefings::get(&mut c, id).await?;
    let (fields, plan, unit) = checked(&mut c, app, req).await?;
    briefings::update(
        &mut c,
        id,
        &row(&fields, plan.id, unit.id, req.active),
        app.now(),
    )
    .await?;
    let after = briefings::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "briefing.update",
        entity_type: "briefing_schedule",
        entity_id: Some(id.to_string()),
        summary: after.title.clone(),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

/// Adds a recipient: an active account with an e-mail address that may read the
/// schedule's subtree.
pub async fn add_recipient(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    user_id: i64,
) -> AppResult<BriefingRecipient> {
    let mut c = app.write(caller).await?;
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await?;
    let schedule = briefings::get(&mut c, id).await?;
    let account = match users::get(&mut c, user_id).await {
        Ok(u) if u.active => u,
        Ok(_) | Err(dxplan_store::StoreError::NotFound) => {
            return Err(AppError::field("user_id", Invalid::NotOffered));
        }
        Err(e) => return Err(e.into()),
    };
    if account.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
        return Err(AppError::field("user_id", Invalid::NoEmail));
    }
    let lineage = units::lineage(&mut c, schedule.unit_id).await?;
    let grants = grants_by_user(&mut c, &[user_id]).await?;
    if !may_read(&grants, user_id, &lineage) {
        return Err(AppError::field("user_id", Invalid::CannotRead));
    }
    let listed = briefings::recipients(&mut c, id).await?;
    if listed.len() >= MAX_RECIPIENTS && !listed.iter().any(|r| r.user_id == user_id) {
        return Err(AppError::field(
            "user_id",
            Invalid::TooMany {
                max: MAX_RECIPIENTS,
            },
        ));
    }
    let added = briefings::add_recipient(&mut c, id, user_id, app.now()).await?;
    let recipient = briefings::recipients(&mut c, id)
        .await?
        .into_iter()
        .find(|r| r.user_id == user_id)
        .ok_or_else(|| AppError::internal("recipient just added is missing"))?;
    if !added {
        // Already a recipient: nothing changed, nothing to record.
        return Ok(recipient);
    }
    c.commit(NewEvent {
        action: "briefing.recipient.add",
        entity_type: "briefing_schedule",
        entity_id: Some(id.to_string()),
        summary: format!("{}: {}", schedule.title, account.display_name),
        before: None,
        after: Some(json!({"user_id": user_id, "username": account.username})),
    })
    .await?;
    Ok(recipient)
}

/// Takes a recipient off a schedule (the log of what they were sent stays).
pub async fn remove_recipient(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    user_id: i64,
) -> AppResult<()> {
    let mut c = app.write(caller).await?;
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await?;
    let schedule = briefings::get(&mut c, id).await?;
    if !briefings::remove_recipient(&mut c, id, user_id).await? {
        return Err(AppError::NotFound);
    }
    c.commit(NewEvent {
        action: "briefing.recipient.remove",
        entity_type: "briefing_schedule",
        entity_id: Some(id.to_string()),
        summary: schedule.title.clone(),
        before: Some(json!({"user_id": user_id})),
        after: None,
    })
    .await?;
    Ok(())
}

/// Who the document is made as: a reader of exactly the schedule's subtree, so it shows
/// what any of its recipients may see there and nothing of its author's wider rights.
fn reader_of(schedule: &BriefingSchedule) -> CurrentUser {
    CurrentUser {
        id: 0,
        username: format!("briefing:{}", schedule.id),
        display_name: schedule.title.clone(),
        unit_id: Some(schedule.unit_id),
        grants: vec![Grant {
            role: Role::Viewer,
            unit: Some(schedule.unit_id),
            read_only: true,
        }],
        csrf: String::new(),
        session_hash: String::new(),
        token: Some(TokenUse {
            id: schedule.id,
            name: schedule.title.clone(),
            read_only: true,
        }),
    }
}

/// Makes the schedule's document as it stands now.
async fn make_document(app: &App, schedule: &BriefingSchedule) -> AppResult<File> {
    let q = DashboardQuery {
        plan: Some(schedule.plan_id.to_string()),
        unit: Some(schedule.unit_code.clone()),
        ..DashboardQuery::default()
    };
    crate::exports::generate(
        app,
        &reader_of(schedule),
        export_kind(schedule.document),
        &q,
    )
    .await
}

/// Records a send made of `file` and queues its e-mail to each recipient who may still
/// read the subtree; the others get a line saying why not. `None` when the day's
/// scheduled send was made already.
async fn record_send(
    c: &mut Conn,
    app: &App,
    schedule: &BriefingSchedule,
    day: Date,
    sent_by: Option<&str>,
    file: &File,
) -> AppResult<Option<i64>> {
    let now = app.now();
    let Some(send_id) = briefings::insert_send(
        c,
        &NewSend {
            schedule_id: schedule.id,
            due_on: day,
            manual: sent_by.is_some(),
            sent_by_name: sent_by,
            filename: &file.filename,
            content: &file.bytes,
        },
        now,
    )
    .await?
    else {
        return Ok(None);
    };
    let recipients = briefings::recipients(c, schedule.id).await?;
    let lineage = units::lineage(c, schedule.unit_id).await?;
    let grants =
        grants_by_user(c, &recipients.iter().map(|r| r.user_id).collect::<Vec<_>>()).await?;
    let path = format!("/briefing-sends/{send_id}");
    let link = app.public_link(&path).unwrap_or(path);
    let cadence = cadence_of(schedule)?;
    let subject = format!("[dxplan] {} – {}", schedule.title, format_date(day));
    let body = format!(
        "{title}\n\n{doc}: {plan}, {unit}, ngày {date}.\n\nTải tài liệu (đăng nhập dxplan): {link}\n\
         Tài liệu được lưu {days} ngày.\n\nLịch gửi: {when}. Muốn thôi nhận, xin báo bộ phận điều phối chuyển đổi số.\n\n--\n\
         {doc_en}: {plan}, {unit}, {date}. Download (log in to dxplan): {link}\nSchedule: {when_en}.",
        title = schedule.title,
        doc = schedule.document.label(Lang::Vi),
        doc_en = schedule.document.label(Lang::En),
        plan = schedule.plan_title,
        unit = schedule.unit_name,
        date = format_date(day),
        days = BRIEFING_RETENTION.as_secs() / 86_400,
        when = cadence.describe(Lang::Vi),
        when_en = cadence.describe(Lang::En),
    );
    for r in &recipients {
        let email = r.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        let skipped = if !r.active {
            Some(Skipped::Inactive)
        } else if !may_read(&grants, r.user_id, &lineage) {
            Some(Skipped::NoRights)
        } else if email.is_none() {
            Some(Skipped::NoEmail)
        } else {
            None
        };
        let key = format!("briefing:{send_id}:{}", r.user_id);
        if let (None, Some(to)) = (skipped, email) {
            notifications::enqueue(c, to, &subject, &body, &key, now).await?;
        }
        briefings::insert_delivery(
            c,
            send_id,
            &NewDelivery {
                user_id: r.user_id,
                user_name: &r.display_name,
                email,
                outbox_key: skipped.is_none().then_some(key.as_str()),
                skipped: skipped.map(Skipped::as_str),
            },
        )
        .await?;
    }
    Ok(Some(send_id))
}

/// Sends a schedule's document now, by hand ("Gửi ngay"), whatever its cadence.
pub async fn send_now(app: &App, caller: &Caller<'_>, id: i64) -> AppResult<BriefingSend> {
    let schedule = {
        let mut c = app.db.read().await?;
        caller
            .require_province(&mut c, app, Action::ManagePlans)
            .await?;
        briefings::get(&mut c, id).await?
    };
    // Made before the write begins: rendering holds no lock.
    let file = make_document(app, &schedule).await?;
    let mut c = app.write(caller).await?;
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await?;
    let send_id = record_send(
        &mut c,
        app,
        &schedule,
        app.today(),
        Some(caller.display_name()),
        &file,
    )
    .await?
    .ok_or_else(|| AppError::internal("a send by hand is never a repeat"))?;
    let send = briefings::get_send(&mut c, send_id).await?;
    c.commit(NewEvent {
        action: "briefing.send",
        entity_type: "briefing_schedule",
        entity_id: Some(id.to_string()),
        summary: format!("{} ({})", schedule.title, send.filename),
        before: None,
        after: Some(json!({"send_id": send_id})),
    })
    .await?;
    Ok(send)
}

/// The job's pass: each active schedule due today (Vietnam time, from [`SEND_HOUR`]) and
/// not yet sent today is made and queued. A schedule whose document cannot be made (its
/// unit retired by a reorganisation, say) is reported and tried again next pass. Returns
/// how many sends were made.
pub async fn send_due(app: &App, now: OffsetDateTime) -> AppResult<usize> {
    let local = now.to_offset(VIETNAM);
    if local.hour() < SEND_HOUR {
        return Ok(0);
    }
    let today = local.date();
    let due: Vec<BriefingSchedule> = {
        let mut c = app.db.read().await?;
        let calendar = Calendar::read(&mut c, today).await?;
        let mut due = Vec::new();
        for s in briefings::active(&mut c).await? {
            if calendar.due_today(&s)? {
                due.push(s);
            }
        }
        due
    };
    let mut made = 0;
    for schedule in due {
        let file = match make_document(app, &schedule).await {
            Ok(file) => file,
            Err(e) => {
                tracing::warn!(schedule = schedule.id, error = %e, "briefing could not be made");
                continue;
            }
        };
        let mut c = app.housekeeping().await?;
        if record_send(&mut c, app, &schedule, today, None, &file)
            .await?
            .is_some()
        {
            made += 1;
        }
        c.commit().await?;
    }
    Ok(made)
}

/// A sent document, for a person it was sent to (who may still read its subtree) or for
/// the programme's coordinators; anyone else is told it does not exist.
pub async fn sent_file(app: &App, user: &CurrentUser, send_id: i64) -> AppResult<File> {
    let mut c = app.db.read().await?;
    let send = briefings::get_send(&mut c, send_id).await?;
    let schedule = briefings::get(&mut c, send.schedule_id).await?;
    let manager = Province::today(&mut c, app)
        .await?
        .allows(user, Action::ManagePlans);
    if !manager && !briefings::was_sent_to(&mut c, send_id, user.id).await? {
        return Err(AppError::NotFound);
    }
    // A recipient who lost the right to read the subtree (or a token narrowed elsewhere)
    // does not fetch it through an old link.
    crate::rights::require_on(&mut c, user, Action::ViewWork, schedule.unit_id).await?;
    let bytes = briefings::content(&mut c, send_id).await?.ok_or_else(|| {
        AppError::conflict(
            "briefing_expired",
            format!(
                "Tài liệu này đã quá {} ngày nên không còn được lưu. Xem số liệu hiện tại trên trang tổng quan.",
                BRIEFING_RETENTION.as_secs() / 86_400
            ),
            "This document is past its retention and no longer kept. The dashboard shows today's figures.",
        )
    })?;
    Ok(File {
        filename: send.filename,
        bytes,
    })
}

/// Lets go of the documents sent longer ago than [`BRIEFING_RETENTION`].
pub async fn sweep(c: &mut Conn, now: OffsetDateTime) -> AppResult<u64> {
    Ok(briefings::sweep(c, now - BRIEFING_RETENTION).await?)
}

/// The media type of a sent document, by its name.
pub fn content_type(filename: &str) -> &'static str {
    if filename.ends_with(".docx") {
        ExportKind::Word.content_type()
    } else {
        ExportKind::Pdf.content_type()
    }
}

/// What a schedule's form offers: the plans (newest first), the units by name, and the
/// province's own name as the default scope.
pub struct FormChoices {
    pub plans: Vec<(i64, String)>,
    pub units: Vec<String>,
    pub province: String,
}

pub async fn form_choices(app: &App, user: &CurrentUser) -> AppResult<FormChoices> {
    let today = app.today();
    let (plans, province) = {
        let mut c = app.db.read().await?;
        require(&mut c, app, user).await?;
        let plans = plans::list(&mut c)
            .await?
            .into_iter()
            .map(|p| (p.id, p.title))
            .collect();
        let province = match units::roots(&mut c, today).await?.first() {
            Some(root) => units::get(&mut c, *root).await?.name,
            None => String::new(),
        };
        (plans, province)
    };
    let units = crate::pickers::unit_choices(app, user, Action::ManagePlans, today).await?;
    Ok(FormChoices {
        plans,
        units,
        province,
    })
}
