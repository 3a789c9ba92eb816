//! Reorganisations as reviewed change sets: uploaded (new units + lineage), previewed
//! against the units and live work of the day, applied in one transaction (units
//! created and retired, lineage with split weights, live work carried or closed, every
//! step recorded and audited), and undone before the effective date.

use std::collections::BTreeMap;

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::reorg_plan::{self, ChangeProblem, Preview, UnitId};
use dxplan_domain::text::parse_date;
use dxplan_domain::unit::{UnitFields, UnitKind};
use dxplan_domain::validation::required_text;
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::reorg::{self, NewChange, Step, StepKind};

pub use dxplan_store::reorg::Change;
use dxplan_store::tasks::{self, NewTaskEvent};
use dxplan_store::units;
use serde::Deserialize;
use serde_json::json;

use super::Caller;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// A change set as entered: a name, the effective date and the two CSV uploads.
#[derive(Debug, Clone, Default)]
pub struct ChangeInput {
    pub name: String,
    pub effective_on: String,
    pub new_units_csv: Vec<u8>,
    pub lineage_csv: Vec<u8>,
}

/// What happens to a retired unit's open tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WorkChoice {
    /// Open tasks and open index assessments go to the successor (the proposed one unless
    /// `to` names another of the unit's successors).
    Carry,
    /// Open tasks are cancelled with a note; people and roles still move on, open index
    /// assessments stay with the retired unit for the round's coordinator to settle.
    Close,
    /// For a split unit: open tasks are led by one successor (`to`, or the proposed one)
    /// and the other successors coordinate them.
    Split,
}

/// The coordinator's decision for one retired unit (by the retired unit's code).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub unit: String,
    pub work: WorkChoice,
    /// A successor's code, for `carry` to another successor than the proposed one.
    #[serde(default)]
    pub to: Option<String>,
    /// Why tasks are closed (required with `close`).
    #[serde(default)]
    pub note: Option<String>,
}

/// A first gate: the caller reorganises somewhere. Each change is then checked unit by
/// unit ([`authorize_over`]).
fn may_manage(caller: &Caller<'_>) -> AppResult<()> {
    caller.require_somewhere(Action::Reorganise)
}

/// The caller may reorganise every unit a change retires and every place it creates one:
/// a province's coordinator its communes, a district's its own; a new unit at the top
/// (a new province) only someone system-wide.
async fn authorize_over(app: &App, caller: &Caller<'_>, preview: &Preview) -> AppResult<()> {
    match caller.user {
        Some(user) => user_over(app, user, preview).await,
        None => Ok(()),
    }
}

async fn user_over(app: &App, user: &CurrentUser, preview: &Preview) -> AppResult<()> {
    let mut c = app.db.read().await?;
    let mut places: Vec<i64> = preview.retired.iter().map(|r| r.id).collect();
    for created in &preview.created {
        match created.parent {
            Some(UnitId::Stored(parent)) => places.push(parent),
            Some(UnitId::New(_)) => {}
            None => user.require(Action::Reorganise, Target::System)?,
        }
    }
    require_over(&mut c, user, &places).await
}

/// The user may reorganise every one of these units. One read however many there are:
/// the subtrees the user's grants cover are exactly the units whose lineage meets a grant
/// (`subtree_cte` mirrors `units::lineage`).
async fn require_over(
    c: &mut dxplan_store::Conn,
    user: &CurrentUser,
    places: &[i64],
) -> AppResult<()> {
    let Some(roots) = user.scope(Action::Reorganise) else {
        return Ok(());
    };
    let within: std::collections::HashSet<i64> =
        units::subtree_ids(c, &roots).await?.into_iter().collect();
    if places.iter().all(|p| within.contains(p)) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn utf8(field: &str, bytes: &[u8]) -> AppResult<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| AppError::field(field, Invalid::BadFormat))
}

/// Plans a change set against the units and live work stored now.
async fn plan(
    app: &App,
    effective: time::Date,
    new_units_csv: &str,
    lineage_csv: &str,
) -> AppResult<Result<Preview, Vec<ChangeProblem>>> {
    let (existing, work, forms) = {
        let mut c = app.db.read().await?;
        (
            reorg::stored_units(&mut c).await?,
            reorg::work_counts(&mut c, effective).await?,
            {
                let mut kinds = dxplan_store::indicators::kinds_by_form(&mut c).await?;
                dxplan_store::indicators::forms(&mut c)
                    .await?
                    .into_iter()
                    .map(|f| {
                        let kinds = kinds.remove(&f.id).unwrap_or_default();
                        (f.code, f.name, kinds)
                    })
                    .collect::<Vec<_>>()
            },
        )
    };
    let mut plan = reorg_plan::prepare_change_set(
        effective,
        app.today(),
        new_units_csv.as_bytes(),
        lineage_csv.as_bytes(),
        &existing,
        &work,
    );
    if let Ok(preview) = &mut plan {
        let forms: Vec<(String, String, Vec<UnitKind>)> = forms
            .into_iter()
            .map(|(code, name, kinds)| {
                let kinds = kinds.iter().filter_map(|k| UnitKind::parse(k)).collect();
                (code, name, kinds)
            })
            .collect();
        preview.forms = reorg_plan::form_impacts(&forms, &existing, preview);
    }
    Ok(plan)
}

/// Audits a step of a change set's life.
/// The event of a change to a change set.
fn event(
    (action, id): (&'static str, i64),
    summary: String,
    after: Option<serde_json::Value>,
) -> NewEvent<'static> {
    NewEvent {
        action,
        entity_type: "reorg_change",
        entity_id: Some(id.to_string()),
        summary,
        before: None,
        after,
    }
}

/// Stores a change set as a draft once it plans without a problem.
pub async fn create(app: &App, caller: &Caller<'_>, input: &ChangeInput) -> AppResult<i64> {
    may_manage(caller)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let name = required_text("name", &input.name, 200, &mut errors);
    let effective = parse_date(&input.effective_on);
    if effective.is_none() {
        errors.push(FieldError::new("effective_on", Invalid::BadDate));
    }
    let new_units = utf8("new_units", &input.new_units_csv)?;
    let lineage = utf8("lineage", &input.lineage_csv)?;
    if lineage.trim().is_empty() {
        errors.push(FieldError::new("lineage", Invalid::Required));
    }
    let Some(effective) = effective.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let preview = plan(app, effective, &new_units, &lineage)
        .await?
        .map_err(AppError::ChangeRefused)?;
    authorize_over(app, caller, &preview).await?;
    let mut c = app.write(caller).await?;
    let id = reorg::insert(
        &mut c,
        &NewChange {
            name: &name,
            effective_on: effective,
            new_units_csv: &new_units,
            lineage_csv: &lineage,
            created_by: &caller.actor.name,
        },
        app.now(),
    )
    .await?;
    c.commit(event(
        ("reorg.create", id),
        format!("{name} ({effective})"),
        None,
    ))
    .await?;
    Ok(id)
}

/// The change sets the user may review: all of them system-wide, else those the user may
/// apply (or has applied) over units of their own scope — a change set lists other units'
/// live work, which is not a sibling's to read.
pub async fn list(app: &App, user: &CurrentUser) -> AppResult<Vec<Change>> {
    user.require_somewhere(Action::Reorganise)?;
    let all = {
        let mut c = app.db.read().await?;
        reorg::list(&mut c).await?
    };
    if user.scope(Action::Reorganise).is_none() {
        return Ok(all);
    }
    // Change sets are few (a handful a year): each is judged as `review` would.
    let mut mine = Vec::new();
    for change in all {
        if reviewed(app, user, change.clone()).await.is_ok() {
            mine.push(change);
        }
    }
    Ok(mine)
}

/// A change set and what it does: for a draft, re-planned now (the units and live work
/// may have changed since it was uploaded); for one applied (or undone), what was done.
pub struct Review {
    pub change: Change,
    pub plan: Result<Preview, Vec<ChangeProblem>>,
    pub done: Option<Done>,
}

/// What applying a change set did.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Done {
    /// `code name` of each unit created and retired.
    pub created: Vec<String>,
    pub retired: Vec<String>,
    pub tasks_carried: usize,
    pub tasks_closed: usize,
    pub grants_carried: usize,
    pub accounts_carried: usize,
    pub assessments_carried: usize,
}

/// A change set, for those who may apply it: the units it retires and the places it
/// creates units must all be in the user's scope (for one applied, the units it did
/// retire and create). A draft that does not plan shows its problems to its author and to
/// those who reorganise system-wide.
pub async fn review(app: &App, user: &CurrentUser, id: i64) -> AppResult<Review> {
    user.require_somewhere(Action::Reorganise)?;
    let change = {
        let mut c = app.db.read().await?;
        reorg::get(&mut c, id).await?
    };
    reviewed(app, user, change).await
}

async fn reviewed(app: &App, user: &CurrentUser, change: Change) -> AppResult<Review> {
    let system_wide = user.scope(Action::Reorganise).is_none();
    let mut c = app.db.read().await?;
    if change.status != "draft" {
        let steps = reorg::steps(&mut c, change.id).await?;
        let ids = |kind| {
            steps
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| s.entity_id)
                .collect::<Vec<_>>()
        };
        let named = |list: Vec<units::Unit>| {
            list.into_iter()
                .map(|u| format!("{} {}", u.code, u.name))
                .collect::<Vec<_>>()
        };
        if !system_wide {
            let mut places = ids(StepKind::UnitCreated);
            places.extend(ids(StepKind::UnitRetired));
            require_over(&mut c, user, &places).await?;
        }
        let count = |kind| steps.iter().filter(|s| s.kind == kind).count();
        let done = Done {
            created: named(units::by_ids(&mut c, &ids(StepKind::UnitCreated)).await?),
            retired: named(units::by_ids(&mut c, &ids(StepKind::UnitRetired)).await?),
            tasks_carried: count(StepKind::TaskMoved),
            tasks_closed: count(StepKind::TaskClosed),
            grants_carried: count(StepKind::GrantMoved),
            accounts_carried: count(StepKind::UserMoved),
            assessments_carried: count(StepKind::AssessmentMoved),
        };
        return Ok(Review {
            change,
            plan: Err(Vec::new()),
            done: Some(done),
        });
    }
    drop(c);
    let plan = plan(
        app,
        change.effective_on,
        &change.new_units_csv,
        &change.lineage_csv,
    )
    .await?;
    if !system_wide {
        match &plan {
            Ok(preview) => user_over(app, user, preview).await?,
            // Nothing planned to judge by: the author sees what to mend.
            Err(_) if change.created_by == user.username => {}
            Err(_) => return Err(AppError::Forbidden),
        }
    }
    Ok(Review {
        change,
        plan,
        done: None,
    })
}

/// Where a planned unit landed in the database.
fn resolve(new_ids: &[Option<i64>], id: UnitId) -> AppResult<i64> {
    match id {
        UnitId::Stored(id) => Ok(id),
        UnitId::New(i) => new_ids
            .get(i)
            .copied()
            .flatten()
            .ok_or_else(|| AppError::internal("a new unit was used before it was created")),
    }
}

/// Applies a draft: all of it in one transaction, or nothing.
pub async fn apply(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
    decisions: &[Decision],
) -> AppResult<Change> {
    may_manage(caller)?;
    let change = {
        let mut c = app.db.read().await?;
        reorg::get(&mut c, id).await?
    };
    if change.status != "draft" {
        return Err(AppError::conflict(
            "not_a_draft",
            "Phương án này đã được áp dụng hoặc đã huỷ.",
            "This change set has already been applied or undone.",
        ));
    }
    let preview = plan(
        app,
        change.effective_on,
        &change.new_units_csv,
        &change.lineage_csv,
    )
    .await?
    .map_err(AppError::ChangeRefused)?;
    authorize_over(app, caller, &preview).await?;
    let decisions = check_decisions(&preview, decisions)?;
    let now = app.now();
    let last_day = change
        .effective_on
        .previous_day()
        .unwrap_or(change.effective_on);
    let mut c = app.write(caller).await?;
    let step = |kind, entity_id, from, to| Step {
        kind,
        entity_id,
        from_unit_id: from,
        to_unit_id: to,
        old_date: None,
        old_status: None,
    };

    // New units, parents before children (a parent may come later in the upload).
    let mut new_ids: Vec<Option<i64>> = vec![None; preview.created.len()];
    while new_ids.iter().any(Option::is_none) {
        let mut progressed = false;
        for (i, created) in preview.created.iter().enumerate() {
            if new_ids[i].is_some() {
                continue;
            }
            let parent = match created.parent {
                None => None,
                Some(UnitId::Stored(p)) => Some(p),
                Some(UnitId::New(j)) => match new_ids.get(j).copied().flatten() {
                    Some(p) => Some(p),
                    None => continue,
                },
            };
            let fields = UnitFields {
                code: created.unit.code.clone(),
                name: created.unit.name.clone(),
                short_name: None,
                kind: created.kind,
                parent_code: None,
                valid_from: Some(change.effective_on),
                valid_to: None,
            };
            let unit_id = units::insert(&mut c, &fields, parent, now).await?;
            reorg::add_step(
                &mut c,
                id,
                &step(StepKind::UnitCreated, unit_id, None, None),
            )
            .await?;
            new_ids[i] = Some(unit_id);
            progressed = true;
        }
        if !progressed {
            return Err(AppError::internal("new units whose parents never resolve"));
        }
    }
    let created: Vec<i64> = new_ids.iter().flatten().copied().collect();

    // Old units end the day before; the lineage says where each continues.
    let stored = reorg::stored_units(&mut c).await?;
    for retired in &preview.retired {
        let before = stored
            .iter()
            .find(|u| u.id == retired.id)
            .and_then(|u| u.valid_to);
        reorg::set_valid_to(&mut c, retired.id, Some(last_day), now).await?;
        reorg::add_step(
            &mut c,
            id,
            &Step {
                old_date: before,
                ..step(StepKind::UnitRetired, retired.id, None, None)
            },
        )
        .await?;
    }
    let edges = preview
        .lineage_edges(&created)
        .ok_or_else(|| AppError::internal("one id per created unit"))?;
    for e in &edges {
        reorg::add_edge(&mut c, id, e.from, e.to, e.weight, change.effective_on).await?;
    }

    // Live work: carried to the successor, or tasks closed with a note.
    let (mut carried, mut closed) = (0usize, 0usize);
    let retired_ids: Vec<i64> = preview.retired.iter().map(|r| r.id).collect();
    let mut live = reorg::live_work_of(&mut c, &retired_ids).await?;
    for retired in &preview.retired {
        let Some(proposed) = &retired.disposition else {
            continue;
        };
        let decision = decisions.get(&retired.id);
        let target = match decision.and_then(|d| d.1) {
            Some(to) => resolve(&new_ids, to)?,
            None => resolve(&new_ids, proposed.to)?,
        };
        let work = live.remove(&retired.id).unwrap_or_default();
        let close_note = decision.and_then(|d| d.2.clone());
        // A split's other successors coordinate the tasks their part inherits.
        let coordinators: Vec<i64> = match decision.map(|d| d.0) {
            Some(WorkChoice::Split) => retired
                .successors
                .iter()
                .map(|s| resolve(&new_ids, s.to))
                .collect::<AppResult<Vec<_>>>()?
                .into_iter()
                .filter(|u| *u != target)
                .collect(),
            _ => Vec::new(),
        };
        for (task, status) in &work.tasks {
            match &close_note {
                Some(note) => {
                    reorg::set_task_status(&mut c, *task, "cancelled", now).await?;
                    tasks::add_event(
                        &mut c,
                        &NewTaskEvent {
                            task_id: *task,
                            actor_id: caller.actor.user_id,
                            actor_name: &caller.actor.name,
                            action: "reorg_close",
                            from_status: dxplan_domain::task::TaskStatus::parse(status),
                            to_status: Some(dxplan_domain::task::TaskStatus::Cancelled),
                            comment: Some(note),
                        },
                        now,
                    )
                    .await?;
                    reorg::add_step(
                        &mut c,
                        id,
                        &Step {
                            old_status: Some(status.clone()),
                            ..step(StepKind::TaskClosed, *task, Some(retired.id), None)
                        },
                    )
                    .await?;
                    closed += 1;
                }
                None => {
                    reorg::move_to(&mut c, StepKind::TaskMoved, *task, target).await?;
                    reorg::add_step(
                        &mut c,
                        id,
                        &step(StepKind::TaskMoved, *task, Some(retired.id), Some(target)),
                    )
                    .await?;
                    for unit in &coordinators {
                        if reorg::add_coordinator(&mut c, *task, *unit).await? {
                            reorg::add_step(
                                &mut c,
                                id,
                                &step(StepKind::CoordinatorAdded, *task, None, Some(*unit)),
                            )
                            .await?;
                        }
                    }
                    carried += 1;
                }
            }
        }
        // Open assessments go on with the work; closing the work leaves them with the
        // retired unit, for the round's coordinator to settle.
        let assessments: &[i64] = if close_note.is_some() {
            &[]
        } else {
            &work.assessments
        };
        for (kind, ids) in [
            (StepKind::GrantMoved, work.grants.as_slice()),
            (StepKind::UserMoved, work.users.as_slice()),
            (StepKind::AssessmentMoved, assessments),
        ] {
            for entity in ids {
                reorg::move_to(&mut c, kind, *entity, target).await?;
                reorg::add_step(
                    &mut c,
                    id,
                    &step(kind, *entity, Some(retired.id), Some(target)),
                )
                .await?;
            }
        }
    }
    reorg::set_status(
        &mut c,
        id,
        "draft",
        "applied",
        &caller.actor.name,
        version,
        now,
    )
    .await?;
    c.commit(event(
        ("reorg.apply", id),
        format!(
            "{}: {} retired, {} created, {} edges, {carried} tasks carried, {closed} closed",
            change.name,
            preview.retired.len(),
            created.len(),
            edges.len()
        ),
        Some(json!({
            "effective_on": change.effective_on,
            "retired": preview.retired.iter().map(|r| &r.unit.code).collect::<Vec<_>>(),
            "created": preview.created.iter().map(|u| &u.unit.code).collect::<Vec<_>>(),
        })),
    ))
    .await?;
    let mut c = app.db.read().await?;
    Ok(reorg::get(&mut c, id).await?)
}

/// The decisions by retired unit id: (choice, successor to carry to, closing note).
type Decisions = BTreeMap<i64, (WorkChoice, Option<UnitId>, Option<String>)>;

/// Checks each decision names a retired unit of the change set, carries only to one of
/// its successors and closes only with a note.
fn check_decisions(preview: &Preview, decisions: &[Decision]) -> AppResult<Decisions> {
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        let Some(retired) = preview
            .retired
            .iter()
            .find(|r| r.unit.code == d.unit.trim())
        else {
            errors.push(FieldError::new(
                format!("decisions[{i}].unit"),
                Invalid::UnknownUnit,
            ));
            continue;
        };
        let to = match d.to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(code) => match retired.successors.iter().find(|s| s.unit.code == code) {
                Some(s) => Some(s.to),
                None => {
                    errors.push(FieldError::new(
                        format!("decisions[{i}].to"),
                        Invalid::UnknownUnit,
                    ));
                    continue;
                }
            },
        };
        let note = d
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if d.work == WorkChoice::Split && retired.successors.len() < 2 {
            errors.push(FieldError::new(
                format!("decisions[{i}].work"),
                Invalid::BadFormat,
            ));
            continue;
        }
        let note = match d.work {
            WorkChoice::Carry | WorkChoice::Split => None,
            WorkChoice::Close if note.is_none() => {
                errors.push(FieldError::new(
                    format!("decisions[{i}].note"),
                    Invalid::Required,
                ));
                continue;
            }
            WorkChoice::Close => note,
        };
        out.insert(retired.id, (d.work, to, note));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Undoes an applied change set before its effective date: work goes back, retired
/// units carry on, new units and the lineage disappear. Refused once the date has come
/// (the new structure is in use) or when something now refers to a new unit.
pub async fn undo(app: &App, caller: &Caller<'_>, id: i64, version: i64) -> AppResult<Change> {
    may_manage(caller)?;
    // Rights before state: a change set is not even told apart for someone who could not
    // apply it.
    if let Some(user) = caller.user {
        let change = {
            let mut c = app.db.read().await?;
            reorg::get(&mut c, id).await?
        };
        reviewed(app, user, change).await?;
    }
    let now = app.now();
    let mut c = app.write(caller).await?;
    let change = reorg::get(&mut c, id).await?;
    if change.status != "applied" {
        return Err(AppError::conflict(
            "not_applied",
            "Chỉ huỷ được phương án đã áp dụng.",
            "Only an applied change set can be undone.",
        ));
    }
    if app.today() >= change.effective_on {
        return Err(AppError::conflict(
            "already_in_effect",
            format!(
                "Phương án đã có hiệu lực từ {}; không thể huỷ. Hãy lập phương án mới.",
                dxplan_domain::text::format_date(change.effective_on)
            ),
            format!(
                "The change took effect on {}; it cannot be undone. Make a new change set.",
                dxplan_domain::text::format_date(change.effective_on)
            ),
        ));
    }
    let steps = reorg::steps(&mut c, id).await?;
    if let Some(user) = caller.user {
        let retired: Vec<i64> = steps
            .iter()
            .filter(|s| s.kind == StepKind::UnitRetired)
            .map(|s| s.entity_id)
            .collect();
        require_over(&mut c, user, &retired).await?;
    }
    for s in steps.iter().rev() {
        match s.kind {
            StepKind::TaskMoved
            | StepKind::GrantMoved
            | StepKind::UserMoved
            | StepKind::AssessmentMoved => {
                if let Some(from) = s.from_unit_id {
                    reorg::move_to(&mut c, s.kind, s.entity_id, from).await?;
                }
            }
            StepKind::TaskClosed => {
                let status = s.old_status.as_deref().unwrap_or("draft");
                reorg::set_task_status(&mut c, s.entity_id, status, now).await?;
            }
            StepKind::UnitRetired => {
                reorg::set_valid_to(&mut c, s.entity_id, s.old_date, now).await?;
            }
            StepKind::CoordinatorAdded => {
                if let Some(unit) = s.to_unit_id {
                    reorg::remove_coordinator(&mut c, s.entity_id, unit).await?;
                }
            }
            StepKind::UnitCreated => {}
        }
    }
    reorg::remove_edges(&mut c, id).await?;
    // Children were created after their parents: removing in reverse frees each parent.
    for s in steps
        .iter()
        .rev()
        .filter(|s| s.kind == StepKind::UnitCreated)
    {
        if reorg::is_referenced(&mut c, s.entity_id).await? {
            let unit = units::get(&mut c, s.entity_id).await?;
            return Err(AppError::conflict(
                "unit_in_use",
                format!(
                    "Đơn vị mới {} {} đã có dữ liệu hoặc tài khoản; không thể huỷ phương án.",
                    unit.code, unit.name
                ),
                format!(
                    "The new unit {} {} already has data or accounts; the change set cannot be undone.",
                    unit.code, unit.name
                ),
            ));
        }
        reorg::delete_unit(&mut c, s.entity_id).await?;
    }
    reorg::set_status(
        &mut c,
        id,
        "applied",
        "undone",
        &caller.actor.name,
        version,
        now,
    )
    .await?;
    c.commit(event(("reorg.undo", id), change.name.clone(), None))
        .await?;
    let mut c = app.db.read().await?;
    Ok(reorg::get(&mut c, id).await?)
}
