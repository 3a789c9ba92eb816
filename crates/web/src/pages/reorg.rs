//! The administrator's reorganisation pages: change sets uploaded, reviewed (what is
//! retired, created, renamed, which codes are reused, what live work goes where),
//! applied with a decision per retired unit, undone before the effective date.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path};
use axum::response::Response;
use dxplan_app::reorg::Change;
use dxplan_domain::Lang;
use dxplan_domain::reorg_plan::{Preview, UnitId};
use dxplan_domain::text::format_date;

use super::{Ctx, FormErrors, Page};
use crate::error::{AppError, WebResult};
use dxplan_app::reorg::{self as svc, ChangeInput, Decision, WorkChoice};

#[derive(Template)]
#[template(path = "reorgs.html")]
struct ListPage {
    page: Page,
    /// Each change set with its status and effective day, as people read them.
    changes: Vec<(Change, String, String)>,
    errors: FormErrors,
    problems: Vec<String>,
    name: String,
    effective_on: String,
}

fn status_label(status: &str, lang: Lang) -> &'static str {
    match status {
        "draft" => lang.pick("Chờ áp dụng", "Draft"),
        "applied" => lang.pick("Đã áp dụng", "Applied"),
        _ => lang.pick("Đã huỷ", "Undone"),
    }
}

async fn list_page(
    ctx: &Ctx,
    errors: FormErrors,
    problems: Vec<String>,
    name: String,
    effective_on: String,
) -> WebResult<ListPage> {
    let lang = ctx.lang();
    let changes = svc::list(&ctx.state, ctx.user()?)
        .await?
        .into_iter()
        .map(|c| {
            let label = status_label(&c.status, lang).to_string();
            let effective = format_date(c.effective_on);
            (c, label, effective)
        })
        .collect();
    Ok(ListPage {
        page: ctx.page("Sắp xếp đơn vị hành chính", "Reorganisations"),
        changes,
        errors,
        problems,
        name,
        effective_on,
    })
}

/// `GET /admin/reorganisations`.
pub async fn list(ctx: Ctx) -> WebResult<Response> {
    let view = list_page(
        &ctx,
        FormErrors::default(),
        Vec::new(),
        String::new(),
        String::new(),
    )
    .await?;
    ctx.render(&view)
}

/// `POST /admin/reorganisations` (multipart: name, effective_on, new_units, lineage).
pub async fn create(ctx: Ctx, mut multipart: Multipart) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let mut input = ChangeInput::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        match name.as_str() {
            "name" => input.name = String::from_utf8_lossy(&bytes).into_owned(),
            "effective_on" => input.effective_on = String::from_utf8_lossy(&bytes).into_owned(),
            "new_units" => input.new_units_csv = bytes.to_vec(),
            "lineage" => input.lineage_csv = bytes.to_vec(),
            _ => {}
        }
    }
    let lang = ctx.lang();
    match svc::create(&ctx.state, &caller, &input).await {
        Ok(id) => Ok(ctx.done(
            &format!("/admin/reorganisations/{id}"),
            lang.pick(
                "Đã lưu phương án. Xem lại rồi áp dụng.",
                "The change set is saved. Review it, then apply it.",
            ),
        )),
        Err(AppError::ChangeRefused(problems)) => {
            let problems = problems.iter().map(|p| p.message(lang)).collect();
            let view = list_page(
                &ctx,
                FormErrors::general(AppError::ChangeRefused(Vec::new()).message(lang)),
                problems,
                input.name,
                input.effective_on,
            )
            .await?;
            ctx.render_invalid(&view)
        }
        Err(e) => {
            let errors = FormErrors::from_error(lang, e)?;
            let view = list_page(&ctx, errors, Vec::new(), input.name, input.effective_on).await?;
            ctx.render_invalid(&view)
        }
    }
}

/// A retired unit as the review shows it.
struct RetiredRow {
    code: String,
    name: String,
    successors: String,
    work: String,
    disposition: String,
    /// Successors to carry to: (code, label), the proposed one first.
    choices: Vec<(String, String)>,
    has_work: bool,
}

#[derive(Template)]
#[template(path = "reorg.html")]
struct ReviewPage {
    page: Page,
    change: Change,
    status: String,
    effective: String,
    problems: Vec<String>,
    retired: Vec<RetiredRow>,
    created: Vec<(String, String, String)>,
    renamed: Vec<String>,
    reused: Vec<String>,
    notices: Vec<String>,
    affected: String,
    can_apply: bool,
    can_undo: bool,
    done: Option<svc::Done>,
    errors: FormErrors,
    forms: Vec<FormRow>,
}

/// A reporting form whose reporting units the change ends or adds.
struct FormRow {
    form: String,
    kinds: String,
    before: usize,
    ending: usize,
    starting: usize,
    after: usize,
    /// Nobody reports through it afterwards: it needs assigning to other units.
    orphaned: bool,
}

fn rows(preview: &Preview, lang: Lang) -> (Vec<RetiredRow>, Vec<(String, String, String)>) {
    let code_of = |id: UnitId| match id {
        UnitId::New(i) => preview
            .created
            .get(i)
            .map(|c| c.unit.to_string())
            .unwrap_or_default(),
        UnitId::Stored(id) => preview
            .retired
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.unit.to_string())
            .unwrap_or_else(|| id.to_string()),
    };
    let retired = preview
        .retired
        .iter()
        .map(|r| {
            let successors = if r.successors.is_empty() {
                lang.pick("(không có đơn vị kế thừa)", "(no successor)")
                    .to_string()
            } else {
                r.successors
                    .iter()
                    .map(|s| match s.weight {
                        Some(w) => format!("{} ({}%)", s.unit, (w * 100.0).round()),
                        None => s.unit.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let mut choices: Vec<(String, String)> = r
                .successors
                .iter()
                .map(|s| (s.unit.code.clone(), s.unit.to_string()))
                .collect();
            if let Some(d) = &r.disposition {
                choices.sort_by_key(|(code, _)| *code != d.unit.code);
            }
            RetiredRow {
                code: r.unit.code.clone(),
                name: r.unit.name.clone(),
                successors,
                work: r.work.describe(lang),
                disposition: r
                    .disposition
                    .as_ref()
                    .map(|d| d.message(lang))
                    .unwrap_or_default(),
                choices,
                has_work: r.work.is_live(),
            }
        })
        .collect();
    let created = preview
        .created
        .iter()
        .map(|c| {
            let parent = c.parent.map(code_of).unwrap_or_default();
            let before = c
                .predecessors
                .iter()
                .map(|id| code_of(UnitId::Stored(*id)))
                .collect::<Vec<_>>()
                .join("; ");
            (c.unit.to_string(), parent, before)
        })
        .collect();
    (retired, created)
}

async fn review_page(ctx: &Ctx, id: i64, errors: FormErrors) -> WebResult<ReviewPage> {
    let lang = ctx.lang();
    let review = svc::review(&ctx.state, ctx.user()?, id).await?;
    let today = ctx.state.today();
    let change = review.change;
    let mut page = ctx.page("Phương án sắp xếp", "Change set");
    page.title = change.name.clone();
    let (problems, retired, created, renamed, reused, notices, affected) = match &review.plan {
        Err(problems) => (
            problems.iter().map(|p| p.message(lang)).collect(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            String::new(),
        ),
        Ok(preview) => {
            let (retired, created) = rows(preview, lang);
            (
                Vec::new(),
                retired,
                created,
                preview
                    .renamed
                    .iter()
                    .map(|r| format!("{} → {}", r.old, r.new_unit))
                    .collect(),
                preview
                    .codes_reused
                    .iter()
                    .map(|r| format!("{}: {} → {}", r.code, r.old_name, r.new_name))
                    .collect(),
                preview.notices.iter().map(|n| n.message(lang)).collect(),
                preview.affected.describe(lang),
            )
        }
    };
    let forms = match &review.plan {
        Ok(preview) => preview
            .forms
            .iter()
            .map(|f| FormRow {
                form: format!("{} {}", f.code, f.name),
                kinds: f
                    .kinds
                    .iter()
                    .map(|k| k.label(lang))
                    .collect::<Vec<_>>()
                    .join(", "),
                before: f.reporting_before,
                ending: f.ending,
                starting: f.starting,
                after: f.reporting_after,
                orphaned: f.left_without_reporters(),
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok(ReviewPage {
        page,
        forms,
        status: status_label(&change.status, lang).to_string(),
        effective: format_date(change.effective_on),
        can_apply: change.status == "draft" && review.plan.is_ok(),
        can_undo: change.status == "applied" && today < change.effective_on,
        done: review.done,
        change,
        problems,
        retired,
        created,
        renamed,
        reused,
        notices,
        affected,
        errors,
    })
}

/// `GET /admin/reorganisations/{id}`.
pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = review_page(&ctx, id, FormErrors::default()).await?;
    ctx.render(&view)
}

/// `POST /admin/reorganisations/{id}/apply`: `version`, and per retired unit with live
/// work `work_<code>` (`carry:<successor code>` or `close`) and `note_<code>`.
pub async fn apply(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let lang = ctx.lang();
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let version = get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::BadRequest("version".into()))?;
    let decisions: Vec<Decision> = form
        .iter()
        .filter_map(|(k, v)| {
            let unit = k.strip_prefix("work_")?.to_string();
            let note = get(&format!("note_{unit}"));
            let (work, to) = match v.split_once(':') {
                Some(("carry", to)) => (WorkChoice::Carry, Some(to.to_string())),
                Some(("split", to)) => (WorkChoice::Split, Some(to.to_string())),
                _ => (WorkChoice::Close, None),
            };
            Some(Decision {
                unit,
                work,
                to,
                note: if work == WorkChoice::Close {
                    note
                } else {
                    None
                },
            })
        })
        .collect();
    match svc::apply(&ctx.state, &caller, id, version, &decisions).await {
        Ok(change) => Ok(ctx.done(
            &format!("/admin/reorganisations/{id}"),
            &lang.pick(
                format!(
                    "Đã áp dụng phương án; cơ cấu mới có hiệu lực từ {}.",
                    format_date(change.effective_on)
                ),
                format!(
                    "Applied; the new structure takes effect on {}.",
                    format_date(change.effective_on)
                ),
            ),
        )),
        Err(AppError::ChangeRefused(problems)) => {
            let message = problems
                .iter()
                .map(|p| p.message(lang))
                .collect::<Vec<_>>()
                .join(" ");
            let view = review_page(&ctx, id, FormErrors::general(message)).await?;
            ctx.render_invalid(&view)
        }
        Err(e) => {
            let errors = FormErrors::from_error(lang, e)?;
            let view = review_page(&ctx, id, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

/// `POST /admin/reorganisations/{id}/undo`.
pub async fn undo(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let version = form
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| AppError::BadRequest("version".into()))?;
    match svc::undo(&ctx.state, &caller, id, version).await {
        Ok(_) => Ok(ctx.done(
            &format!("/admin/reorganisations/{id}"),
            ctx.lang().pick(
                "Đã huỷ phương án; cơ cấu trở lại như trước.",
                "Undone; the structure is as it was.",
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = review_page(&ctx, id, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}
