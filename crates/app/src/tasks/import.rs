//! A plan appendix workbook read into tasks, all or nothing.

use dxplan_domain::Lang;
use dxplan_domain::auth::Action;
use dxplan_domain::task::TaskStatus;
use dxplan_store::audit::NewEvent;
use dxplan_store::plans::{self};
use dxplan_store::tasks::{self, NewTaskEvent, TaskWrite};
use dxplan_store::units;

use std::collections::HashMap;

use super::{Plan, actor_id, duplicate_code, plan_open, require_plans};
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
use crate::rights::Province;
use crate::{App, Caller};

/// The plan an import is for, to a user who may import into it (plans are the
/// province's: a grant at the top of today's tree). Checked before any workbook is read.
pub async fn import_form(app: &App, user: &CurrentUser, plan_id: i64) -> AppResult<Plan> {
    user.require_somewhere(Action::ManagePlans)?;
    let mut c = app.db.read().await?;
    Province::today(&mut c, app)
        .await?
        .require(user, Action::ManagePlans)?;
    Ok(plans::get(&mut c, plan_id).await?)
}

/// What an import found: the tasks it creates (or would create).
pub struct ImportOutcome {
    pub tasks: Vec<dxplan_domain::plan_import::ImportedTask>,
    pub committed: bool,
    /// The plan's groups the rows may name.
    pub groups: Vec<dxplan_domain::plan_import::KnownGroup>,
    /// The name of each unit that leads an imported task, by id.
    pub lead_names: HashMap<i64, String>,
}

/// Reads a plan appendix workbook and, unless `dry_run`, creates every task in one
/// transaction — all or nothing.
pub async fn import_plan(
    app: &App,
    caller: &Caller<'_>,
    plan_id: i64,
    file: impl Future<Output = AppResult<crate::Upload>>,
    dry_run: bool,
) -> AppResult<ImportOutcome> {
    use dxplan_domain::plan_import::{ImportContext, KnownGroup, read_plan};
    let plan = {
        let mut c = app.db.read().await?;
        require_plans(&mut c, app, caller).await?;
        plans::get(&mut c, plan_id).await?
    };
    plan_open(&plan)?;
    // Only now is the workbook read (no connection held while it arrives).
    let bytes = file.await?.bytes;
    let (units_known, groups, existing) = {
        let mut c = app.db.read().await?;
        let units_known = units::known_units(&mut c).await?;
        let groups: Vec<KnownGroup> = plans::groups(&mut c, plan_id)
            .await?
            .into_iter()
            .map(|g| KnownGroup {
                id: g.id,
                code: g.code,
                name: g.name,
            })
            .collect();
        (
            units_known,
            groups,
            tasks::existing_of_plan(&mut c, plan_id).await?,
        )
    };
    let today = app.today();
    let year = i32::try_from(plan.year).unwrap_or(today.year());
    // The units the document names: a past year's plan names those of its time (its
    // decision date, else its last day), so a reused code or an old name finds the unit
    // that held it then; this year's plan is live work for the units standing today.
    let day = if year < today.year() {
        plan.decision_date
            .or_else(|| time::Date::from_calendar_date(year, time::Month::December, 31).ok())
            .map_or(today, |d| d.min(today))
    } else {
        today
    };
    // A task whose lead is outside the province and that names no coordinating unit is
    // followed by the importing coordinator's own unit (see `read_plan`).
    let own_unit = caller.user.and_then(|u| u.unit_id);
    let known_groups = groups.clone();
    let imported = crate::with_workbook(bytes, move |grid, cancel| {
        let cx = ImportContext {
            units: &units_known,
            groups: &groups,
            day,
            year,
            existing: &existing,
            cancel,
            own_unit,
        };
        read_plan(grid, &cx)
    })
    .await?
    .map_err(|e| {
        AppError::PlanImport(vec![dxplan_domain::plan_import::ImportProblem {
            row: 1,
            column: None,
            message_vi: e.message(Lang::Vi),
            message_en: e.message(Lang::En),
        }])
    })?
    .map_err(AppError::PlanImport)?;
    let lead_names: HashMap<i64, String> = {
        let leads: Vec<i64> = imported.iter().map(|t| t.lead_unit_id).collect();
        let mut c = app.db.read().await?;
        units::by_ids(&mut c, &leads)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect()
    };
    if dry_run {
        return Ok(ImportOutcome {
            tasks: imported,
            committed: false,
            groups: known_groups,
            lead_names,
        });
    }
    let now = app.now();
    let mut c = app.write(caller).await?;
    let followers: Vec<i64> = imported
        .iter()
        .filter(|t| t.outside_lead.is_some())
        .map(|t| t.lead_unit_id)
        .collect();
    let followers = units::by_ids(&mut c, &followers).await?;
    for t in &imported {
        let id = tasks::insert(
            &mut c,
            &TaskWrite {
                fields: &t.fields,
                plan_id,
                lead_unit_id: t.lead_unit_id,
                coordinating: &t.coordinating,
            },
            TaskStatus::Draft,
            actor_id(caller),
            now,
        )
        .await
        .map_err(duplicate_code)?;
        tasks::add_event(
            &mut c,
            &NewTaskEvent {
                task_id: id,
                actor_id: actor_id(caller),
                actor_name: &caller.actor.name,
                action: "create",
                from_status: None,
                to_status: Some(TaskStatus::Draft),
                comment: Some(&import_note(
                    t,
                    followers
                        .iter()
                        .find(|u| u.id == t.lead_unit_id)
                        .map_or(t.fields.lead_unit_code.as_str(), |u| u.name.as_str()),
                )),
            },
            now,
        )
        .await?;
    }
    c.commit(NewEvent {
        action: "plan.import",
        entity_type: "plan",
        entity_id: Some(plan_id.to_string()),
        summary: format!("{}: {} tasks", plan.title, imported.len()),
        before: None,
        after: None,
    })
    .await?;
    Ok(ImportOutcome {
        tasks: imported,
        committed: true,
        groups: known_groups,
        lead_names,
    })
}

/// The history note of an imported task: its row, and when the sheet's lead is outside
/// the province, that it is kept as a partner and who follows the task instead — so the
/// choice the importer made stays visible on the task, not only in the preview.
fn import_note(t: &dxplan_domain::plan_import::ImportedTask, follower: &str) -> String {
    match &t.outside_lead {
        None => format!("Nhập từ tệp Excel, dòng {}", t.row),
        Some(body) => format!(
            "Nhập từ tệp Excel, dòng {}. Đơn vị chủ trì trong tệp “{body}” không phải đơn vị của tỉnh: ghi là đối tác ngoài; {follower} chủ trì theo dõi.",
            t.row
        ),
    }
}

/// The appendix template: the columns the importer reads, with one example row dated in
/// the plan's year — (file name, bytes).
pub async fn import_template(
    app: &App,
    user: &CurrentUser,
    plan_id: i64,
) -> AppResult<(String, Vec<u8>)> {
    let plan = import_form(app, user, plan_id).await?;
    let example = dxplan_report::tasks::TaskExportRow {
        code: "2.1".into(),
        title: "Phủ sóng di động 4G các thôn còn lõm sóng".into(),
        group: "Hạ tầng số".into(),
        lead_unit: "UBND huyện An Lão".into(),
        coordinating: "Sở Khoa học và Công nghệ; Viettel Bình Định".into(),
        deliverable: "Không còn thôn lõm sóng".into(),
        start: format!("01/02/{}", plan.year),
        due: format!("Quý III/{}", plan.year),
        budget: 1_250_500_000,
        funding: "Ngân sách tỉnh".into(),
        mode: "Thuê".into(),
        note: String::new(),
        status: String::new(),
        progress: 0,
        outcome: String::new(),
        disbursed: 0,
        key_task: false,
        source: String::new(),
    };
    let title = plan.title.clone();
    // Writing a workbook is CPU work: keep it off the async threads.
    let bytes =
        tokio::task::spawn_blocking(move || dxplan_report::tasks::tasks_xlsx(&title, &[example]))
            .await
            .map_err(|e| AppError::internal(format!("xlsx task: {e}")))?
            .map_err(|e| AppError::internal(format!("xlsx: {e}")))?;
    Ok((format!("Mẫu phụ lục - {}.xlsx", plan.title), bytes))
}
