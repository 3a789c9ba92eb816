//! A task's page: its content, history, reports, extensions and evidence, and the
//! actions taken from it (workflow moves, reports, extension requests and decisions,
//! index criteria, evidence files).

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use dxplan_domain::Lang;
use dxplan_domain::period::Period;
use dxplan_domain::task::{AcquisitionMode, ReportInput, TaskAction};
use dxplan_domain::text::{format_date, format_money};
use serde::Deserialize;

use super::super::{Ctx, FormErrors, Page};
use super::{TaskRow, recent_periods};
use crate::error::WebResult;
use crate::format;
use dxplan_app::AppResult;
use dxplan_app::tasks::{
    self as svc, Attachment, Extension, LinkedCriterion, Plan, Report, Task, TaskEvent, Unit,
};

pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub comment: Option<String>,
}

pub struct ReportRow {
    pub period: String,
    pub report: Report,
    pub disbursed: String,
}

pub struct ExtensionRow {
    pub ext: Extension,
    pub old_due: String,
    pub new_due: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    page: Page,
    task: Task,
    row: TaskRow,
    plan: Plan,
    coordinating: Vec<Unit>,
    start: String,
    original_due: String,
    budget_planned: String,
    budget_disbursed: String,
    mode: String,
    doc_date: String,
    /// The kind of the source document, in words.
    doc_type: String,
    actions: Vec<(&'static str, &'static str, bool)>,
    /// The units a task handed back may go to.
    lead_choices: Vec<String>,
    can_set_officer: bool,
    can_exempt: bool,
    /// The lead unit's staff, by name.
    officer_choices: Vec<String>,
    can_edit: bool,
    can_report: bool,
    can_extend: bool,
    can_decide: bool,
    events: Vec<EventRow>,
    /// What the unit said when it asked the assigner (its product, or why it hands the
    /// task back), while that waits.
    waiting_words: Option<String>,
    reports: Vec<ReportRow>,
    extensions: Vec<ExtensionRow>,
    periods: Vec<(String, String)>,
    errors: FormErrors,
    report_form: ReportInput,
    attachments: Vec<(Attachment, String)>,
    can_attach: bool,
    max_upload_mb: u64,
    /// Index criteria the task aims to improve, and those it may name (value, label,
    /// chosen) when the caller may change the list.
    criteria: Vec<LinkedCriterion>,
    criterion_choices: Vec<(String, String, bool)>,
}

fn event_label(e: &TaskEvent, lang: Lang) -> String {
    if let Some(action) = TaskAction::parse(&e.action) {
        return action.label(lang).to_string();
    }
    match e.action.as_str() {
        "create" => lang.pick("Đăng ký (dự thảo)", "Registered (draft)"),
        "edit" => lang.pick("Sửa nội dung", "Edited"),
        "report" => lang.pick("Báo cáo tiến độ", "Progress report"),
        "extension_requested" => lang.pick("Đề nghị gia hạn", "Extension requested"),
        "extension_approved" => lang.pick("Đồng ý gia hạn", "Extension approved"),
        "extension_refused" => lang.pick("Không đồng ý gia hạn", "Extension refused"),
        "attach" => lang.pick("Tải lên minh chứng", "Evidence uploaded"),
        other => other,
    }
    .to_string()
}

async fn task_page(
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    report_form: ReportInput,
) -> WebResult<TaskPage> {
    let lang = ctx.lang();
    let svc::TaskView {
        task,
        plan,
        coordinating,
        events,
        reports,
        extensions,
        attachments,
        criteria,
        criterion_choices,
        may,
        handover_choices,
        officer_choices,
    } = svc::task_view(&ctx.state, ctx.user()?, id).await?;
    let criterion_choices = criterion_choices
        .into_iter()
        .map(|(k, chosen)| {
            (
                format!("{}:{}", k.framework_id, k.code),
                format!("{} · {} {}", k.framework_code, k.code, k.name),
                chosen,
            )
        })
        .collect();
    let actions = may
        .actions
        .iter()
        .map(|a| (a.as_str(), a.label(lang), a.needs_comment()))
        .collect();
    let mode = task
        .acquisition_mode
        .as_deref()
        .and_then(AcquisitionMode::parse)
        .map(|m| m.label(lang).to_string())
        .unwrap_or_default();
    Ok(TaskPage {
        page: ctx.page(
            &format!("{} {}", task.code, task.title),
            &format!("{} {}", task.code, task.title),
        ),
        row: TaskRow::new(
            &task,
            lang,
            ctx.state.today(),
            ctx.state.app.settings.due_soon_days,
        ),
        start: task.start_date.map(format_date).unwrap_or_default(),
        original_due: if task.regular {
            String::new()
        } else {
            format_date(task.original_due_date)
        },
        budget_planned: format_money(task.budget_planned),
        budget_disbursed: format_money(task.budget_disbursed),
        doc_date: task.assigned_doc_date.map(format_date).unwrap_or_default(),
        doc_type: task
            .source_doc_type()
            .map(|t| t.label(lang).to_string())
            .unwrap_or_default(),
        mode,
        actions,
        lead_choices: handover_choices,
        can_edit: may.edit,
        can_report: may.report,
        can_extend: may.request_extension,
        can_set_officer: may.set_officer,
        can_exempt: may.exempt_delay,
        officer_choices,
        can_decide: may.decide_extension,
        waiting_words: task
            .state()
            .awaits_assigner()
            .then(|| {
                let asked = if task.completion_reported_on.is_some() {
                    "complete"
                } else {
                    "decline"
                };
                events
                    .iter()
                    .rev()
                    .find(|e| e.action == asked)
                    .and_then(|e| e.comment.clone())
            })
            .flatten(),
        events: events
            .iter()
            .rev()
            .map(|e| EventRow {
                at: format::datetime(&e.at),
                actor: e
                    .actor_display_name
                    .clone()
                    .unwrap_or_else(|| e.actor_name.clone()),
                what: event_label(e, lang),
                comment: e.comment.clone(),
            })
            .collect(),
        reports: reports
            .into_iter()
            .map(|r| ReportRow {
                period: Period::parse(&r.period)
                    .map(|p| p.label(lang))
                    .unwrap_or_else(|| r.period.clone()),
                disbursed: format_money(r.disbursed),
                report: r,
            })
            .collect(),
        extensions: extensions
            .into_iter()
            .rev()
            .map(|e| ExtensionRow {
                old_due: format_date(e.old_due),
                new_due: format_date(e.new_due),
                status: e.status.label(lang),
                ext: e,
            })
            .collect(),
        periods: recent_periods(ctx.state.today(), lang),
        attachments: attachments
            .into_iter()
            .map(|a| {
                let size = if a.size >= 1024 * 1024 {
                    format!(
                        "{} MB",
                        dxplan_domain::text::format_number(a.size as f64 / 1_048_576.0, 1)
                    )
                } else {
                    format!("{} KB", (a.size + 1023) / 1024)
                };
                (a, size)
            })
            .collect(),
        can_attach: may.attach,
        max_upload_mb: ctx.state.settings.max_upload_bytes / (1024 * 1024),
        criteria,
        criterion_choices,
        coordinating,
        plan,
        task,
        errors,
        report_form,
    })
}

pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = task_page(&ctx, id, FormErrors::default(), ReportInput::default()).await?;
    ctx.render(&view)
}

/// `POST /tasks/{id}/criteria`: the index criteria the task aims to improve.
pub async fn set_criteria(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let refs: Vec<dxplan_app::assessment::CriterionRef> = form
        .iter()
        .filter(|(k, _)| k == "criterion")
        .filter_map(|(_, v)| v.split_once(':'))
        .map(|(framework, code)| dxplan_app::assessment::CriterionRef {
            framework_id: framework.parse().unwrap_or_default(),
            code: code.to_string(),
        })
        .collect();
    let result = dxplan_app::assessment::link_task(&ctx.state, &caller, id, &refs)
        .await
        .map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        (
            "Đã cập nhật các tiêu chí chỉ số mà nhiệm vụ hướng tới.",
            "Index criteria updated.",
        ),
        ReportInput::default(),
    )
    .await
}

async fn back_to_task(
    ctx: &Ctx,
    id: i64,
    result: AppResult<()>,
    message: (&str, &str),
    report: ReportInput,
) -> WebResult<Response> {
    match result {
        Ok(()) => Ok(ctx.done(
            &format!("/tasks/{id}"),
            ctx.lang().pick(message.0, message.1),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = task_page(ctx, id, errors, report).await?;
            ctx.render_invalid(&view)
        }
    }
}

#[derive(Deserialize)]
pub struct OfficerForm {
    #[serde(default)]
    officer: String,
}

pub async fn set_officer(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<OfficerForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = dxplan_app::evaluation::set_officer(&ctx.state, &caller, id, Some(&form.officer))
        .await
        .map(|_| ());
    let message = ("Đã cập nhật cán bộ phụ trách.", "Officer saved.");
    back_to_task(&ctx, id, result, message, ReportInput::default()).await
}

#[derive(Deserialize)]
pub struct ExemptionForm {
    #[serde(default)]
    reason: String,
}

pub async fn exempt_delay(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ExemptionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = dxplan_app::evaluation::exempt_delay(&ctx.state, &caller, id, &form.reason)
        .await
        .map(|_| ());
    let message = (
        "Đã ghi nhận miễn trừ chậm tiến độ.",
        "The delay is recorded as exempted.",
    );
    back_to_task(&ctx, id, result, message, ReportInput::default()).await
}

#[derive(Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
    /// The unit that takes over a task handed back.
    #[serde(default)]
    new_lead: String,
    version: Option<i64>,
}

pub async fn transition(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<TransitionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = svc::transition(
        &ctx.state,
        &caller,
        id,
        &form.action,
        Some(&form.comment),
        Some(&form.new_lead),
        form.version,
    )
    .await
    .map(|_| ());
    let done = TaskAction::parse(&form.action)
        .map(|a| a.label(ctx.lang()))
        .unwrap_or_default();
    let message = (format!("Đã thực hiện: {done}."), format!("Done: {done}."));
    back_to_task(
        &ctx,
        id,
        result,
        (&message.0, &message.1),
        ReportInput::default(),
    )
    .await
}

pub async fn report(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ReportInput>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = svc::file_report(&ctx.state, &caller, id, &form)
        .await
        .map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        ("Đã gửi báo cáo tiến độ.", "Progress report filed."),
        form,
    )
    .await
}

pub async fn request_extension(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<svc::ExtensionInput>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = svc::request_extension(&ctx.state, &caller, id, &form)
        .await
        .map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        ("Đã gửi đề nghị gia hạn.", "Extension requested."),
        ReportInput::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn decide_extension(
    ctx: Ctx,
    Path((id, ext_id)): Path<(i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = svc::DecisionInput {
        approve: form.decision == "approve",
        comment: Some(form.comment),
    };
    let result = svc::decide_task_extension(&ctx.state, &caller, id, ext_id, &input)
        .await
        .map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        ("Đã xem xét đề nghị gia hạn.", "Extension decided."),
        ReportInput::default(),
    )
    .await
}

// ---------------------------------------------------------------- evidence files

pub async fn upload(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let file = crate::upload::first_file(multipart, ctx.state.upload_limit());
    let result = svc::attach(&ctx.state, &caller, id, file).await.map(|_| ());
    back_to_task(
        &ctx,
        id,
        result,
        ("Đã tải lên tệp minh chứng.", "Evidence file uploaded."),
        ReportInput::default(),
    )
    .await
}

pub async fn download_attachment(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let (attachment, bytes) = svc::attachment_for(&ctx.state, ctx.user()?, id).await?;
    Ok(crate::http::file_response(&attachment, bytes))
}
