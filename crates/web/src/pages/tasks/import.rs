//! A plan appendix imported from Excel: the upload, the preview of what it creates (or
//! every problem), the confirmation, and the blank template.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use dxplan_domain::task::deadline_text;
use dxplan_domain::text::{format_date, format_money};
use serde::Deserialize;

use super::super::{Ctx, Page};
use crate::error::{AppError, WebError, WebResult};
use dxplan_app::tasks::{self as svc, Plan};

pub struct PreviewRow {
    pub row: usize,
    pub code: String,
    pub title: String,
    /// The group's code and name, empty when the row is in none.
    pub group: String,
    /// The unit that leads the task here.
    pub lead: String,
    /// The sheet's lead when it is no unit of the province (kept as the first partner,
    /// `lead` follows the task instead): the row is flagged so the officer sees the choice.
    pub outside_lead: Option<String>,
    pub coordinating: usize,
    /// Outside partners other than the outside lead.
    pub partners: String,
    pub start: String,
    pub due: String,
    pub budget: String,
}

#[derive(Template)]
#[template(path = "plan_import.html")]
struct ImportPage {
    page: Page,
    plan: Plan,
    problems: Vec<String>,
    preview: Vec<PreviewRow>,
    /// How many previewed rows have a lead outside the province (a notice says so).
    outside_leads: usize,
    token: Option<String>,
    max_upload_mb: u64,
}

fn import_view(
    ctx: &Ctx,
    plan: Plan,
    problems: Vec<String>,
    preview: Vec<PreviewRow>,
    token: Option<String>,
) -> ImportPage {
    ImportPage {
        page: ctx.page("Nhập kế hoạch từ Excel", "Import a plan from Excel"),
        plan,
        problems,
        outside_leads: preview.iter().filter(|r| r.outside_lead.is_some()).count(),
        preview,
        token,
        // A workbook has its own cap, below the evidence files'.
        max_upload_mb: (crate::upload::WORKBOOK_BYTES / (1024 * 1024)) as u64,
    }
}

async fn plan_for_import(ctx: &Ctx, id: i64) -> WebResult<Plan> {
    Ok(svc::import_form(&ctx.state, ctx.user()?, id).await?)
}

pub async fn import_page(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let plan = plan_for_import(&ctx, id).await?;
    ctx.render(&import_view(&ctx, plan, Vec::new(), Vec::new(), None))
}

/// Reads the uploaded workbook without writing: shows what would be created, or
/// every problem. The file is kept (by its hash) for the confirmation.
pub async fn import_preview(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let plan = plan_for_import(&ctx, id).await?;
    let caller = ctx.caller()?;
    let lang = ctx.lang();
    // Rights were checked above, before any byte of the workbook is read.
    let upload = crate::upload::first_file(multipart, crate::upload::WORKBOOK_BYTES).await?;
    let bytes = upload.bytes.clone();
    match svc::import_plan(
        &ctx.state,
        &caller,
        id,
        std::future::ready(Ok(upload)),
        true,
    )
    .await
    {
        Ok(outcome) => {
            // Kept (by its hash) for the confirmation only once it reads well.
            let token =
                dxplan_app::files::save_preview(&ctx.state.settings.data_dir, bytes).await?;
            let (names, groups) = (&outcome.lead_names, &outcome.groups);
            let preview = outcome
                .tasks
                .iter()
                .map(|t| PreviewRow {
                    row: t.row,
                    code: t.fields.code.clone(),
                    title: t.fields.title.clone(),
                    group: t
                        .fields
                        .group_id
                        .and_then(|g| groups.iter().find(|x| x.id == g))
                        .map(|g| format!("{}. {}", g.code, g.name))
                        .unwrap_or_default(),
                    lead: names.get(&t.lead_unit_id).cloned().unwrap_or_default(),
                    outside_lead: t.outside_lead.clone(),
                    coordinating: t.coordinating.len(),
                    partners: t
                        .fields
                        .partners
                        .iter()
                        .filter(|p| Some(*p) != t.outside_lead.as_ref())
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join("; "),
                    start: t.fields.start_date.map(format_date).unwrap_or_default(),
                    due: deadline_text(t.fields.due_date, ctx.lang()),
                    budget: format_money(t.fields.budget_planned),
                })
                .collect();
            ctx.render(&import_view(&ctx, plan, Vec::new(), preview, Some(token)))
        }
        Err(AppError::PlanImport(problems)) => {
            let problems = problems.iter().map(|p| p.message(lang)).collect();
            ctx.render_invalid(&import_view(&ctx, plan, problems, Vec::new(), None))
        }
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
}

pub async fn import_confirm(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ConfirmForm>,
) -> WebResult<Response> {
    let plan = plan_for_import(&ctx, id).await?;
    let caller = ctx.caller()?;
    let bytes = dxplan_app::files::read_preview(&ctx.state.settings.data_dir, &form.token).await?;
    let file = dxplan_app::Upload::ready(String::new(), bytes);
    match svc::import_plan(&ctx.state, &caller, id, file, false).await {
        Ok(outcome) => Ok(ctx.done(
            &format!("/tasks?plan={id}"),
            &ctx.lang().pick(
                format!(
                    "Đã nhập {} nhiệm vụ vào {}.",
                    outcome.tasks.len(),
                    plan.title
                ),
                format!(
                    "{} tasks imported into {}.",
                    outcome.tasks.len(),
                    plan.title
                ),
            ),
        )),
        Err(AppError::PlanImport(problems)) => {
            let problems = problems.iter().map(|p| p.message(ctx.lang())).collect();
            ctx.render_invalid(&import_view(&ctx, plan, problems, Vec::new(), None))
        }
        Err(e) => Err(WebError(e)),
    }
}

/// The appendix template: the columns the importer reads, with one example row.
pub async fn import_template(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let (name, bytes) = svc::import_template(&ctx.state, ctx.user()?, id).await?;
    Ok(crate::http::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
        bytes,
    ))
}
