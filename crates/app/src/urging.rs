//! Urging letters (công văn đôn đốc) to the units late on a plan's tasks or on the figures
//! their reporting forms owe: who is late and how often they were urged, the letter
//! drafted in Word in the Decree 30 layout, and the letter marked sent with its number,
//! which the next letter counts as a reminder.

use std::collections::{BTreeMap, HashMap};

use dxplan_domain::Invalid;
use dxplan_domain::auth::Action;
use dxplan_domain::period::Period;
use dxplan_domain::text::parse_date;
use dxplan_report::progress::NBSP;
use dxplan_report::urging::{LateUnit, OwedExplanation, OwedFigures, OwedTask, urging_letter};
use dxplan_store::audit::NewEvent;
use dxplan_store::tasks::{self, TaskFilter, TaskSort};
use dxplan_store::urging;
// The rows the read models hand out, so the front doors name no store path.
pub use dxplan_store::urging::{UrgedUnit, UrgingLetter};
use dxplan_store::{Conn, indicators, plans};
use serde_json::json;

use crate::error::{AppError, AppResult, done_once};
use crate::principal::CurrentUser;
use crate::rights::Province;
use crate::{App, Caller};

/// Most overdue tasks a letter lists.
const TASKS_LISTED: u32 = 500;

/// A unit late on the plan: its overdue tasks, the reports of figures it has not sent
/// past their deadline, and the letters it was sent already.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LateUnitView {
    pub unit_id: i64,
    pub unit_name: String,
    pub overdue: i64,
    /// Reports of figures not all sent past their form's deadline: one for each form and
    /// period still owed (the period last ended, and the earlier ones of this year).
    pub missing_reports: i64,
    /// Explanation requests awaited past their deadline.
    pub unanswered_explanations: i64,
    pub letters_sent: i64,
}

/// What a late unit owes.
#[derive(Default)]
struct Owing {
    tasks: Vec<OwedTask>,
    figures: Vec<OwedFigures>,
    explanations: Vec<OwedExplanation>,
}

/// Every unit late now, in name order: on the plan's tasks, on a form's figures, or on
/// an explanation request past its deadline.
async fn late_by_unit(
    c: &mut Conn,
    app: &App,
    plan_id: i64,
) -> AppResult<BTreeMap<(String, i64), Owing>> {
    let mut late: BTreeMap<(String, i64), Owing> = BTreeMap::new();
    for (unit, tasks) in overdue_by_unit(c, app, plan_id).await? {
        late.entry(unit).or_default().tasks = tasks;
    }
    for (unit, figures) in figures_owed(c, app).await? {
        late.entry(unit).or_default().figures.push(figures);
    }
    for (unit, asked) in crate::explanations::overdue_by_unit(c, app.today()).await? {
        late.entry(unit).or_default().explanations = asked
            .into_iter()
            .map(|e| OwedExplanation {
                subject: e.subject_title,
                due: e.deadline,
                days_late: e.days_late,
            })
            .collect();
    }
    Ok(late)
}

/// The figures owed now: for each reporting form, the period last ended and every earlier
/// one of this year, once the form's deadline for it passed, the units of its kinds that
/// have not submitted every indicator (a unit that skipped the first quarter and sent the
/// second still owes the first). Last year's quarters are left to its yearly report.
async fn figures_owed(c: &mut Conn, app: &App) -> AppResult<Vec<((String, i64), OwedFigures)>> {
    let today = app.today();
    let mut owed = Vec::new();
    for form in indicators::forms(c).await? {
        let last = crate::pickers::last_ended(form.period_type, today);
        let due_of = |p: Period| p.end() + time::Duration::days(form.deadline_days);
        let periods: Vec<Period> = Period::recent(form.period_type, last.end(), 11)
            .into_iter()
            .filter(|p| (*p == last || p.year() == today.year()) && today > due_of(*p))
            .collect();
        if periods.is_empty() {
            continue;
        }
        let total = indicators::form_indicators(c, form.id).await?.len() as i64;
        let kinds = indicators::form_kinds(c, form.id).await?;
        if total == 0 || kinds.is_empty() {
            continue;
        }
        // Oldest first, so each unit's rows read in the order they fell due.
        for period in periods.into_iter().rev() {
            let due = due_of(period);
            for (id, _, name, reported) in
                indicators::completeness(c, form.id, period, &kinds, today).await?
            {
                if reported < total {
                    owed.push((
                        (name, id),
                        OwedFigures {
                            form: form.name.clone(),
                            period: period.label(dxplan_domain::Lang::Vi),
                            due,
                            days_late: (today - due).whole_days(),
                            missing: total - reported,
                            total,
                        },
                    ));
                }
            }
        }
    }
    Ok(owed)
}

/// The plan's urging: who is late now, and the letters so far with their units.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Urging {
    pub late_units: Vec<LateUnitView>,
    pub letters: Vec<LetterView>,
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LetterView {
    #[serde(flatten)]
    pub letter: UrgingLetter,
    pub units: Vec<UrgedUnit>,
}

async fn require(c: &mut Conn, app: &App, user: &CurrentUser) -> AppResult<()> {
    Province::today(c, app)
        .await?
        .require(user, Action::ManagePlans)
}

/// The overdue tasks of the plan by lead unit (in name order).
async fn overdue_by_unit(
    c: &mut Conn,
    app: &App,
    plan_id: i64,
) -> AppResult<BTreeMap<(String, i64), Vec<OwedTask>>> {
    let today = app.today();
    let page = tasks::list(
        c,
        &TaskFilter {
            plan_id: Some(plan_id),
            overdue: true,
            today: Some(today),
            sort: TaskSort::Due,
            limit: TASKS_LISTED,
            ..Default::default()
        },
    )
    .await?;
    let mut by_unit: BTreeMap<(String, i64), Vec<OwedTask>> = BTreeMap::new();
    for t in page.tasks {
        by_unit
            .entry((t.lead_unit_name.clone(), t.lead_unit_id))
            .or_default()
            .push(OwedTask {
                days_late: (today - t.due_date).whole_days(),
                code: t.code,
                title: t.title,
                due: t.due_date,
            });
    }
    Ok(by_unit)
}

/// Who is late on the plan now and the letters so far: for the plan's coordinators.
pub async fn urging(app: &App, user: &CurrentUser, plan_id: i64) -> AppResult<Urging> {
    let mut c = app.db.read().await?;
    require(&mut c, app, user).await?;
    plans::get(&mut c, plan_id).await?;
    let sent: HashMap<i64, i64> = urging::sent_counts(&mut c, plan_id)
        .await?
        .into_iter()
        .collect();
    let late_units = late_by_unit(&mut c, app, plan_id)
        .await?
        .into_iter()
        .map(|((name, id), owing)| LateUnitView {
            unit_id: id,
            unit_name: name,
            overdue: owing.tasks.len() as i64,
            missing_reports: owing.figures.len() as i64,
            unanswered_explanations: owing.explanations.len() as i64,
            letters_sent: sent.get(&id).copied().unwrap_or(0),
        })
        .collect();
    let mut units_of: HashMap<i64, Vec<UrgedUnit>> = HashMap::new();
    for (letter, unit) in urging::units_of_plan(&mut c, plan_id).await? {
        units_of.entry(letter).or_default().push(unit);
    }
    let letters = urging::of_plan(&mut c, plan_id)
        .await?
        .into_iter()
        .map(|letter| LetterView {
            units: units_of.remove(&letter.id).unwrap_or_default(),
            letter,
        })
        .collect();
    Ok(Urging {
        late_units,
        letters,
    })
}

/// Drafts a letter to every unit late on the plan now, each at its next reminder.
pub async fn draft_letter(app: &App, caller: &Caller<'_>, plan_id: i64) -> AppResult<LetterView> {
    let mut c = app.write(caller).await?;
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await?;
    let plan = plans::get(&mut c, plan_id).await?;
    let late = late_by_unit(&mut c, app, plan_id).await?;
    if late.is_empty() {
        return Err(AppError::conflict(
            "nobody_late",
            "Không có đơn vị nào có nhiệm vụ, báo cáo số liệu hay yêu cầu giải trình quá hạn: không cần đôn đốc.",
            "No unit has an overdue task, report or explanation: there is nobody to urge.",
        ));
    }
    let sent: HashMap<i64, i64> = urging::sent_counts(&mut c, plan_id)
        .await?
        .into_iter()
        .collect();
    let units: Vec<(i64, i64, i64)> = late
        .iter()
        .map(|((_, id), owing)| {
            (
                *id,
                sent.get(id).copied().unwrap_or(0) + 1,
                owing.tasks.len() as i64,
            )
        })
        .collect();
    let id = urging::insert(&mut c, plan_id, caller.display_name(), &units, app.now()).await?;
    let letter = urging::get(&mut c, id).await?;
    let units = urging::units_of(&mut c, id).await?;
    c.commit(NewEvent {
        action: "urging.draft",
        entity_type: "urging_letter",
        entity_id: Some(id.to_string()),
        summary: format!("{}: {} đơn vị", plan.title, units.len()),
        before: None,
        after: Some(json!({"plan_id": plan_id, "units": units})),
    })
    .await?;
    Ok(LetterView { letter, units })
}

/// The letter as Word, drafted now with the units' tasks still overdue, for the
/// coordinator to edit, number and sign.
pub async fn letter_document(
    app: &App,
    user: &CurrentUser,
    letter_id: i64,
) -> AppResult<(UrgingLetter, Vec<u8>)> {
    let mut c = app.db.read().await?;
    require(&mut c, app, user).await?;
    let letter = urging::get(&mut c, letter_id).await?;
    let plan = plans::get(&mut c, letter.plan_id).await?;
    let addressed = urging::units_of(&mut c, letter_id).await?;
    let mut late = late_by_unit(&mut c, app, letter.plan_id).await?;
    let today = app.today();
    let units: Vec<LateUnit> = addressed
        .iter()
        .map(|u| {
            let owing = late
                .remove(&(u.unit_name.clone(), u.unit_id))
                .unwrap_or_default();
            LateUnit {
                name: u.unit_name.clone(),
                reminder: u32::try_from(u.reminder).unwrap_or(1),
                tasks: owing.tasks,
                figures: owing.figures,
                explanations: owing.explanations,
            }
        })
        .collect();
    // Issued by the coordinator's own unit (the department in charge of DX).
    let issuer_unit = crate::issuer::coordinator_unit(&mut c, app, user, today).await?;
    let block = crate::issuer::block(&mut c, &issuer_unit, today).await?;
    let mut head = dxplan_report::progress::Letterhead::new(&block, "CV", today, app.now());
    head.number = format!("Số:{}/{}-CĐS", NBSP.to_string().repeat(8), block.symbol);
    let agency = dxplan_domain::issuer::issuer_in_text(issuer_unit.kind, &issuer_unit.name);
    let report = urging_letter(head, &agency, &plan.title, &units, today);
    let bytes = dxplan_report::progress_docx::progress_docx(&report).map_err(AppError::internal)?;
    Ok((letter, bytes))
}

/// Records that a letter was sent, with the number the clerk gave it and its date: each
/// unit's next letter is then one reminder further.
pub async fn mark_sent(
    app: &App,
    caller: &Caller<'_>,
    letter_id: i64,
    number: &str,
    sent_on: Option<&str>,
) -> AppResult<UrgingLetter> {
    let mut c = app.write(caller).await?;
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await?;
    let number = number.trim();
    if number.is_empty() {
        return Err(AppError::field("number", Invalid::Required));
    }
    if number.chars().count() > 50 {
        return Err(AppError::field("number", Invalid::TooLong { max: 50 }));
    }
    let day = match sent_on.map(str::trim).filter(|s| !s.is_empty()) {
        None => app.today(),
        Some(text) => {
            parse_date(text).ok_or_else(|| AppError::field("sent_on", Invalid::BadDate))?
        }
    };
    done_once(
        urging::mark_sent(&mut c, letter_id, number, day).await,
        "already_sent",
        "Công văn này đã được ghi nhận là đã gửi.",
        "This letter is recorded as sent already.",
    )?;
    let letter = urging::get(&mut c, letter_id).await?;
    c.commit(NewEvent {
        action: "urging.sent",
        entity_type: "urging_letter",
        entity_id: Some(letter_id.to_string()),
        summary: format!("{number} ({day})"),
        before: None,
        after: Some(json!(letter)),
    })
    .await?;
    Ok(letter)
}
