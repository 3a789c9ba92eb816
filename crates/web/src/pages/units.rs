//! The unit tree, a unit's page, and the admin forms to create, edit, move, retire and
//! import units.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query};
use axum::response::{IntoResponse, Response};
use dxplan_app::units::{Unit, UnitHistory, UnitWithParent};
use dxplan_app::users::User;
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::issuer::{IssuerBlock, IssuerInput, IssuerSettings};
use dxplan_domain::text::{fold, format_date};
use dxplan_domain::unit::{UnitInput, UnitKind};
use serde::Deserialize;
use time::Date;

use super::{Ctx, FormErrors, Page};
use crate::error::{AppError, WebError, WebResult};
use dxplan_app as service;
use dxplan_app::issuer::IssuerView;

/// Order of kinds under a parent: departments before districts before communes.
fn kind_rank(kind: UnitKind) -> u8 {
    match kind {
        UnitKind::Ministry => 0,
        UnitKind::Province => 1,
        UnitKind::Department => 2,
        UnitKind::Other => 3,
        UnitKind::District => 4,
        UnitKind::Commune => 5,
    }
}

/// One row of the rendered tree: the template opens a nested list for rows with
/// children and closes `closes` lists after the row.
pub struct TreeRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub children: usize,
    /// Rows for this unit's children follow.
    pub has_kids: bool,
    pub expanded: bool,
    pub matched: bool,
    pub closes: usize,
}

#[derive(Template)]
#[template(path = "units_tree.html")]
struct TreePage {
    page: Page,
    rows: Vec<TreeRow>,
    counts: Vec<(String, usize)>,
    q: String,
    at: String,
    matches: usize,
    searching: bool,
}

#[derive(Deserialize)]
pub struct TreeQuery {
    q: Option<String>,
    at: Option<String>,
}

/// The units valid on the asked date (today by default), in Vietnamese order.
async fn units_valid_on(ctx: &Ctx, at: Option<&str>) -> WebResult<(Date, Vec<Unit>)> {
    let at = crate::http::parse_at(at, &ctx.state)?;
    Ok((
        at,
        service::units::valid_on(&ctx.state, ctx.user()?, at).await?,
    ))
}

pub async fn tree(ctx: Ctx, Query(query): Query<TreeQuery>) -> WebResult<Response> {
    ctx.user()?.require_somewhere(Action::ViewUnits)?;
    let lang = ctx.lang();
    let (at, all) = units_valid_on(&ctx, query.at.as_deref()).await?;
    let q = fold(query.q.as_deref().unwrap_or_default());
    let by_id: HashMap<i64, &Unit> = all.iter().map(|u| (u.id, u)).collect();
    let mut children: HashMap<Option<i64>, Vec<&Unit>> = HashMap::new();
    for unit in &all {
        // A unit whose parent is not valid on this date shows at the top level.
        let parent = unit.parent_id.filter(|p| by_id.contains_key(p));
        children.entry(parent).or_default().push(unit);
    }
    for list in children.values_mut() {
        // Stable: keeps the database's Vietnamese order inside each kind.
        list.sort_by_key(|u| kind_rank(u.kind));
    }
    let searching = !q.is_empty();
    let matched: HashSet<i64> = all
        .iter()
        .filter(|u| {
            searching && (fold(&u.name).contains(&q) || u.code.to_lowercase().starts_with(&q))
        })
        .map(|u| u.id)
        .collect();
    // When searching, show the matches and the path down to them.
    let mut shown: HashSet<i64> = HashSet::new();
    for id in &matched {
        let mut at_id = Some(*id);
        while let Some(id) = at_id {
            if !shown.insert(id) {
                break;
            }
            at_id = by_id.get(&id).and_then(|u| u.parent_id);
        }
    }
    // Depth-first order; each row knows its depth, from which the nesting follows.
    let mut order: Vec<(&Unit, usize)> = Vec::new();
    let roots = children.get(&None).cloned().unwrap_or_default();
    let mut stack: Vec<(&Unit, usize)> = roots.iter().rev().map(|u| (*u, 0)).collect();
    while let Some((unit, depth)) = stack.pop() {
        if searching && !shown.contains(&unit.id) {
            continue;
        }
        order.push((unit, depth));
        if let Some(kids) = children.get(&Some(unit.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    let rows = order
        .iter()
        .enumerate()
        .map(|(i, (unit, depth))| {
            let next_depth = order.get(i + 1).map_or(0, |(_, d)| *d);
            TreeRow {
                id: unit.id,
                code: unit.code.clone(),
                name: unit.name.clone(),
                kind: unit.kind.label(lang).to_string(),
                children: children.get(&Some(unit.id)).map_or(0, Vec::len),
                has_kids: next_depth > *depth,
                expanded: searching || *depth == 0,
                matched: matched.contains(&unit.id),
                closes: depth.saturating_sub(next_depth),
            }
        })
        .collect();
    let mut counts: Vec<(UnitKind, usize)> = Vec::new();
    for unit in &all {
        match counts.iter_mut().find(|(k, _)| *k == unit.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((unit.kind, 1)),
        }
    }
    counts.sort_by_key(|(k, _)| kind_rank(*k));
    ctx.render(&TreePage {
        page: ctx.page("Cây đơn vị", "Unit tree"),
        rows,
        counts: counts
            .into_iter()
            .map(|(k, n)| (k.label(lang).to_string(), n))
            .collect(),
        q: query.q.unwrap_or_default(),
        at: format_date(at),
        matches: matched.len(),
        searching,
    })
}

/// An index assessment on a unit's page: its own, or one of a unit it continues.
struct AssessmentLine {
    id: i64,
    round: String,
    status: &'static str,
    deadline: String,
    /// The predecessor assessed, when it was not this unit.
    before: Option<String>,
    /// For a predecessor's published round: its ranking in today's units.
    results_now: Option<String>,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    page: Page,
    unit: Unit,
    kind: String,
    valid_from: String,
    valid_to: String,
    ancestors: Vec<Unit>,
    children: Vec<Unit>,
    predecessors: Vec<Unit>,
    successors: Vec<Unit>,
    users: Option<Vec<User>>,
    can_manage: bool,
    today: String,
    /// The unit's assessments (id, round, status, points), the criteria its tasks aim at,
    /// the criteria its indicators feed; empty when the reader may not see its work.
    assessments: Vec<AssessmentLine>,
    /// The year before this one, for the history link of a unit formed by a change.
    last_year: i32,
    /// For a retired unit: the last whole year it stood, for its dashboard as it was.
    last_full_year: Option<i32>,
    linked: Vec<dxplan_app::assessment::LinkedCriterion>,
    fed: Vec<(String, String, String)>,
}

pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let user = ctx.user()?;
    let UnitHistory {
        unit,
        lineage,
        ancestors,
        children,
        predecessors,
        successors,
        users,
    } = service::units::unit_history(&ctx.state, user, id).await?;
    let lang = ctx.lang();
    let (assessments, linked, fed) = if user.may(Action::ViewWork, Target::Unit(&lineage)) {
        let index = dxplan_app::assessment::unit_index(&ctx.state, user, id).await?;
        let assessments = index
            .assessments
            .into_iter()
            .map(|(a, r)| AssessmentLine {
                id: a.id,
                status: a.status.label(lang),
                deadline: format_date(r.deadline),
                // A predecessor's round: whose it was, and its ranking in today's units
                // (where this unit's row averages its predecessors').
                before: (a.unit_id != id).then_some(a.unit_name),
                results_now: (a.unit_id != id && r.is_published())
                    .then(|| format!("/assessments/rounds/{}/results?structure=now", r.id)),
                round: r.name,
            })
            .collect();
        (assessments, index.linked, index.fed)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let last_full_year = unit.valid_to.map(|end| {
        if (end.month(), end.day()) == (time::Month::December, 31) {
            end.year()
        } else {
            end.year() - 1
        }
    });
    ctx.render(&UnitPage {
        assessments,
        linked,
        fed,
        page: ctx.page(&unit.name, &unit.name),
        kind: unit.kind.label(lang).to_string(),
        valid_from: unit.valid_from.map(format_date).unwrap_or_default(),
        valid_to: unit.valid_to.map(format_date).unwrap_or_default(),
        can_manage: user.may(Action::ManageUnits, Target::Unit(&lineage)),
        unit,
        ancestors,
        children,
        predecessors,
        successors,
        users,
        today: format_date(ctx.state.today()),
        last_year: ctx.state.today().year() - 1,
        last_full_year,
    })
}

#[derive(Template)]
#[template(path = "unit_form.html")]
struct UnitFormPage {
    page: Page,
    /// `None` for a new unit.
    unit_id: Option<i64>,
    version: i64,
    form: UnitFormValues,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

/// The form's fields as typed, so a refused form comes back as the user left it.
#[derive(Default, Deserialize)]
pub struct UnitFormValues {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_code: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    version: Option<i64>,
}

impl UnitFormValues {
    fn input(&self) -> UnitInput {
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        UnitInput {
            code: self.code.clone(),
            name: self.name.clone(),
            short_name: opt(&self.short_name),
            kind: self.kind.clone(),
            parent_code: opt(&self.parent_code),
            valid_from: opt(&self.valid_from),
            valid_to: opt(&self.valid_to),
        }
    }
}

fn kinds(ctx: &Ctx) -> Vec<(&'static str, &'static str)> {
    UnitKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label(ctx.lang())))
        .collect()
}

fn unit_form(
    ctx: &Ctx,
    unit_id: Option<i64>,
    version: i64,
    form: UnitFormValues,
    errors: FormErrors,
) -> UnitFormPage {
    let page = if unit_id.is_some() {
        ctx.page("Sửa đơn vị", "Edit unit")
    } else {
        ctx.page("Thêm đơn vị", "New unit")
    };
    UnitFormPage {
        page,
        unit_id,
        version,
        form,
        kinds: kinds(ctx),
        errors,
    }
}

#[derive(Deserialize)]
pub struct NewUnitQuery {
    parent: Option<String>,
}

pub async fn new_page(ctx: Ctx, Query(q): Query<NewUnitQuery>) -> WebResult<Response> {
    ctx.user()?.require_somewhere(Action::ManageUnits)?;
    let form = UnitFormValues {
        parent_code: q.parent.unwrap_or_default(),
        kind: "commune".into(),
        ..Default::default()
    };
    ctx.render(&unit_form(&ctx, None, 0, form, FormErrors::default()))
}

pub async fn create(ctx: Ctx, Form(form): Form<UnitFormValues>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match service::create_unit(&ctx.state, &caller, &form.input()).await {
        Ok(unit) => Ok(ctx.done(
            &format!("/units/{}", unit.id),
            &ctx.lang().pick(
                format!("Đã thêm đơn vị {}.", unit.name),
                format!("Unit {} created.", unit.name),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            ctx.render_invalid(&unit_form(&ctx, None, 0, form, errors))
        }
    }
}

async fn current_values(ctx: &Ctx, id: i64) -> WebResult<(Unit, UnitFormValues)> {
    let UnitWithParent { unit, parent_code } =
        service::units::unit_with_parent(&ctx.state, ctx.user()?, id).await?;
    let parent_code = parent_code.unwrap_or_default();
    let date = |d: Option<Date>| d.map(format_date).unwrap_or_default();
    let values = UnitFormValues {
        code: unit.code.clone(),
        name: unit.name.clone(),
        short_name: unit.short_name.clone().unwrap_or_default(),
        kind: unit.kind.as_str().into(),
        parent_code,
        valid_from: date(unit.valid_from),
        valid_to: date(unit.valid_to),
        version: Some(unit.version),
    };
    Ok((unit, values))
}

pub async fn edit_page(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let user = ctx.user()?;
    let lineage = dxplan_app::sessions::unit_lineage(&ctx.state, id).await?;
    user.require(Action::ManageUnits, Target::Unit(&lineage))?;
    let (unit, values) = current_values(&ctx, id).await?;
    ctx.render(&unit_form(
        &ctx,
        Some(id),
        unit.version,
        values,
        FormErrors::default(),
    ))
}

pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<UnitFormValues>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match service::update_unit(&ctx.state, &caller, id, &form.input(), form.version).await {
        Ok(unit) => Ok(ctx.done(
            &format!("/units/{}", unit.id),
            &ctx.lang().pick(
                format!("Đã lưu đơn vị {}.", unit.name),
                format!("Unit {} saved.", unit.name),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let version = form.version.unwrap_or(0);
            ctx.render_invalid(&unit_form(&ctx, Some(id), version, form, errors))
        }
    }
}

#[derive(Deserialize)]
pub struct RetireForm {
    #[serde(default)]
    valid_to: String,
}

/// Retires a unit from a date: it stays in history, and leaves the tree after that day.
pub async fn retire(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<RetireForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let (unit, mut values) = current_values(&ctx, id).await?;
    values.valid_to = form.valid_to;
    if values.valid_to.trim().is_empty() {
        return Err(WebError(AppError::field(
            "valid_to",
            dxplan_domain::Invalid::Required,
        )));
    }
    let unit =
        service::update_unit(&ctx.state, &caller, id, &values.input(), Some(unit.version)).await?;
    Ok(ctx.done(
        &format!("/units/{}", unit.id),
        &ctx.lang().pick(
            format!(
                "Đơn vị {} hết hiệu lực từ sau ngày {}.",
                unit.name,
                unit.valid_to.map(format_date).unwrap_or_default()
            ),
            format!(
                "Unit {} is retired after {}.",
                unit.name,
                unit.valid_to.map(format_date).unwrap_or_default()
            ),
        ),
    ))
}

#[derive(Template)]
#[template(path = "unit_import.html")]
struct ImportPage {
    page: Page,
    errors: Vec<String>,
    summary: Option<String>,
}

pub async fn import_page(ctx: Ctx) -> WebResult<Response> {
    ctx.user()?.require(Action::ManageUnits, Target::System)?;
    ctx.render(&ImportPage {
        page: ctx.page("Nhập đơn vị từ tệp CSV", "Import units from CSV"),
        errors: Vec::new(),
        summary: None,
    })
}

pub async fn import_submit(ctx: Ctx, mut multipart: Multipart) -> WebResult<Response> {
    let caller = ctx.caller()?;
    caller
        .user
        .map(|u| u.require(Action::ManageUnits, Target::System))
        .transpose()?;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("units.csv").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let lang = ctx.lang();
    let page = ctx.page("Nhập đơn vị từ tệp CSV", "Import units from CSV");
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return ctx.render_invalid(&ImportPage {
            page,
            errors: vec![
                lang.pick("Vui lòng chọn một tệp CSV.", "Please choose a CSV file.")
                    .into(),
            ],
            summary: None,
        });
    };
    match service::import_units(&ctx.state, &caller, &bytes, &name).await {
        Ok(outcome) => Ok(ctx.done(
            "/units",
            &lang.pick(
                format!(
                    "Đã nhập {name}: thêm {} đơn vị, cập nhật {}.",
                    outcome.created, outcome.updated
                ),
                format!(
                    "Imported {name}: {} units added, {} updated.",
                    outcome.created, outcome.updated
                ),
            ),
        )),
        Err(AppError::ImportRejected(rows)) => ctx.render_invalid(&ImportPage {
            page,
            summary: Some(AppError::ImportRejected(Vec::new()).message(lang)),
            errors: rows.iter().map(|r| r.message(lang)).collect(),
        }),
        Err(e) => Err(WebError(e)),
    }
}

/// The units valid on a date as CSV, in the columns the import reads.
pub async fn export_csv(ctx: Ctx, Query(query): Query<TreeQuery>) -> WebResult<Response> {
    ctx.user()?.require_somewhere(Action::ViewUnits)?;
    let (at, all) = units_valid_on(&ctx, query.at.as_deref()).await?;
    let code_of: HashMap<i64, &str> = all.iter().map(|u| (u.id, u.code.as_str())).collect();
    let rows = all.iter().map(|u| dxplan_report::UnitRow {
        code: &u.code,
        name: &u.name,
        short_name: u.short_name.as_deref(),
        level: u.kind.as_str(),
        parent_code: u.parent_id.and_then(|p| code_of.get(&p).copied()),
        valid_from: u.valid_from.map(|d| d.to_string()),
        valid_to: u.valid_to.map(|d| d.to_string()),
    });
    let bytes =
        dxplan_report::units_csv(rows).map_err(|e| AppError::internal(format!("csv: {e}")))?;
    let filename = format!("attachment; filename=\"don-vi-{at}.csv\"");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, filename),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------- letterhead

/// The form's fields as typed (blank: the default).
#[derive(Default, Deserialize)]
pub struct IssuerForm {
    #[serde(default)]
    governing_body: String,
    #[serde(default)]
    no_governing_body: Option<String>,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    abbreviation: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    signer_title: String,
    #[serde(default)]
    signer_name: String,
    #[serde(default)]
    recipients: String,
}

/// What the template shows of the form.
struct IssuerFormValues {
    governing_body: String,
    no_governing_body: bool,
    agency: String,
    abbreviation: String,
    place: String,
    signer_title: String,
    signer_name: String,
    recipients: String,
}

impl IssuerForm {
    fn input(&self) -> IssuerInput {
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        IssuerInput {
            governing_body: opt(&self.governing_body),
            no_governing_body: self.no_governing_body.is_some(),
            agency: opt(&self.agency),
            abbreviation: opt(&self.abbreviation),
            place: opt(&self.place),
            signer_title: opt(&self.signer_title),
            signer_name: opt(&self.signer_name),
            recipients: opt(&self.recipients),
        }
    }

    fn values(self) -> IssuerFormValues {
        IssuerFormValues {
            no_governing_body: self.no_governing_body.is_some(),
            governing_body: self.governing_body,
            agency: self.agency,
            abbreviation: self.abbreviation,
            place: self.place,
            signer_title: self.signer_title,
            signer_name: self.signer_name,
            recipients: self.recipients,
        }
    }

    fn from_settings(s: &IssuerSettings) -> IssuerForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        IssuerForm {
            no_governing_body: (s.governing_body.as_deref() == Some("")).then(String::new),
            governing_body: text(&s.governing_body),
            agency: text(&s.agency),
            abbreviation: text(&s.abbreviation),
            place: text(&s.place),
            signer_title: text(&s.signer_title),
            signer_name: text(&s.signer_name),
            recipients: text(&s.recipients),
        }
    }
}

/// The defaults, written under each field.
struct IssuerHints {
    governing_body: String,
    agency: String,
    abbreviation: String,
    place: String,
    signer_title: String,
    recipients: String,
}

#[derive(Template)]
#[template(path = "unit_documents.html")]
struct UnitDocumentsPage {
    page: Page,
    unit_id: i64,
    unit_name: String,
    block: IssuerBlock,
    place_date: String,
    can_edit: bool,
    form: IssuerFormValues,
    hints: IssuerHints,
    errors: FormErrors,
}

fn documents_page(
    ctx: &Ctx,
    unit_id: i64,
    view: IssuerView,
    can_edit: bool,
    form: IssuerForm,
    errors: FormErrors,
) -> UnitDocumentsPage {
    let lang = ctx.lang();
    let default = lang.pick("Mặc định:", "Default:");
    let d = &view.defaults;
    let hints = IssuerHints {
        governing_body: format!(
            "{default} {}",
            d.governing_body
                .clone()
                .unwrap_or_else(|| lang.pick("không ghi", "none").to_string())
        ),
        agency: format!("{default} {}", d.agency.join(" / ")),
        abbreviation: format!("{default} Số: …/BC-{}", d.symbol),
        place: format!("{default} {}", d.place),
        signer_title: format!("{default} {}", d.signer_title.join(" / ")),
        recipients: format!("{default} {}", d.recipients.join(" ")),
    };
    UnitDocumentsPage {
        page: ctx.page("Thể thức văn bản", "Document letterhead"),
        unit_id,
        unit_name: view.unit_name,
        place_date: dxplan_report::progress::place_date(&view.block.place, ctx.state.today()),
        block: view.block,
        can_edit,
        form: form.values(),
        hints,
        errors,
    }
}

/// `GET /units/{id}/documents`: the letterhead the unit's documents print, and its form.
pub async fn documents(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let user = ctx.user()?;
    let view = service::issuer::view(&ctx.state, user, id).await?;
    let lineage = dxplan_app::sessions::unit_lineage(&ctx.state, id).await?;
    let can_edit = service::issuer::may_edit(user, &lineage);
    let form = IssuerForm::from_settings(&view.settings);
    ctx.render(&documents_page(
        &ctx,
        id,
        view,
        can_edit,
        form,
        FormErrors::default(),
    ))
}

/// `POST /units/{id}/documents`: saves the unit's letterhead.
pub async fn save_documents(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<IssuerForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match service::issuer::update(&ctx.state, &caller, id, &form.input()).await {
        Ok(_) => Ok(ctx.done(
            &format!("/units/{id}/documents"),
            ctx.lang()
                .pick("Đã lưu thể thức văn bản.", "Letterhead saved."),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let user = ctx.user()?;
            let view = service::issuer::view(&ctx.state, user, id).await?;
            ctx.render_invalid(&documents_page(&ctx, id, view, true, form, errors))
        }
    }
}
