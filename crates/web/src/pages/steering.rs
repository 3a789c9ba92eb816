//! Steering committee sessions on screen: a plan's sessions with the briefing for the
//! next one, a session's conclusions with what became of each, and the forms that record
//! a session, assign a task from a conclusion, close one and number the notice.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use dxplan_domain::steering::{SessionInput, conclusions_from_lines};
use dxplan_domain::task::{TaskInput, is_regular};
use dxplan_domain::text::format_date;
use serde::Deserialize;

use super::{Ctx, FormErrors, Page};
use crate::error::WebResult;
use dxplan_app::steering::{
    self as svc, AssignForm, ConclusionTask, ConclusionView, PlanSteering, SessionView,
};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

#[derive(Template)]
#[template(path = "steering.html")]
struct PlanSteeringPage {
    page: Page,
    s: PlanSteering,
    form: SessionForm,
    errors: FormErrors,
}

#[derive(Default, Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    chair: String,
    #[serde(default)]
    attendees: String,
    /// One conclusion a line.
    #[serde(default)]
    conclusions: String,
}

async fn plan_page(
    ctx: &Ctx,
    plan_id: i64,
    form: SessionForm,
    errors: FormErrors,
) -> WebResult<PlanSteeringPage> {
    let s = svc::plan_sessions(&ctx.state, ctx.user()?, plan_id).await?;
    Ok(PlanSteeringPage {
        page: ctx.page("Phiên họp Ban Chỉ đạo", "Steering committee sessions"),
        s,
        form,
        errors,
    })
}

pub async fn plan(ctx: Ctx, Path(plan_id): Path<i64>) -> WebResult<Response> {
    let view = plan_page(&ctx, plan_id, SessionForm::default(), FormErrors::default()).await?;
    ctx.render(&view)
}

pub async fn create(
    ctx: Ctx,
    Path(plan_id): Path<i64>,
    Form(form): Form<SessionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = SessionInput {
        held_on: form.held_on.clone(),
        title: form.title.clone(),
        chair: form.chair.clone(),
        attendees: form.attendees.clone(),
        conclusions: conclusions_from_lines(&form.conclusions),
    };
    match svc::create_session(&ctx.state, &caller, plan_id, &input).await {
        Ok(view) => Ok(ctx.done(
            &format!("/steering/{}", view.session.id),
            &ctx.lang().pick(
                format!(
                    "Đã ghi nhận phiên họp với {} kết luận. Giao nhiệm vụ cho từng kết luận, hoặc đóng kết luận không cần giao.",
                    view.conclusions.len()
                ),
                format!(
                    "Session recorded with {} conclusions. Assign tasks from each, or close those that need none.",
                    view.conclusions.len()
                ),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = plan_page(&ctx, plan_id, form, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

pub async fn briefing_document(ctx: Ctx, Path(plan_id): Path<i64>) -> WebResult<Response> {
    let bytes = svc::briefing_document(&ctx.state, ctx.user()?, plan_id).await?;
    Ok(crate::http::download(
        DOCX,
        &format!("bao-cao-ket-luan-ban-chi-dao-{plan_id}.docx"),
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "steering_session.html")]
struct SessionPage {
    page: Page,
    v: SessionView,
    errors: FormErrors,
}

impl SessionPage {
    fn conclusion_status(&self, k: &ConclusionView) -> &'static str {
        k.status.label(self.page.lang)
    }

    fn task_status(&self, t: &ConclusionTask) -> &'static str {
        t.status.label(self.page.lang)
    }

    fn deadline(&self, t: &ConclusionTask) -> String {
        if is_regular(t.due_date) {
            self.page.tr("Thường xuyên", "Regular").into()
        } else {
            format!("{} {}", self.page.tr("hạn", "due"), format_date(t.due_date))
        }
    }
}

async fn session_page(ctx: &Ctx, id: i64, errors: FormErrors) -> WebResult<SessionPage> {
    let v = svc::session(&ctx.state, ctx.user()?, id).await?;
    let page = ctx.page(&v.session.title, &v.session.title);
    Ok(SessionPage { page, v, errors })
}

pub async fn session(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = session_page(&ctx, id, FormErrors::default()).await?;
    ctx.render(&view)
}

/// Shows the session again with what went wrong, or goes back to it with the news.
async fn back_to_session<T>(
    ctx: &Ctx,
    session_id: i64,
    done: Result<T, dxplan_app::error::AppError>,
    message: (&str, &str),
) -> WebResult<Response> {
    match done {
        Ok(_) => Ok(ctx.done(
            &format!("/steering/{session_id}"),
            ctx.lang().pick(message.0, message.1),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = session_page(ctx, session_id, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

pub async fn edit_session(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<SessionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = SessionInput {
        held_on: form.held_on,
        title: form.title,
        chair: form.chair,
        attendees: form.attendees,
        conclusions: Vec::new(),
    };
    let done = svc::edit_session(&ctx.state, &caller, id, &input).await;
    back_to_session(
        &ctx,
        id,
        done,
        ("Đã sửa thông tin phiên họp.", "Session corrected."),
    )
    .await
}

#[derive(Deserialize)]
pub struct ConclusionForm {
    #[serde(default)]
    text: String,
}

pub async fn add_conclusion(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ConclusionForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let done = svc::add_conclusion(&ctx.state, &caller, id, &form.text).await;
    back_to_session(&ctx, id, done, ("Đã thêm kết luận.", "Conclusion added.")).await
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    session: i64,
}

pub async fn edit_conclusion(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<TextForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let done = svc::edit_conclusion(&ctx.state, &caller, id, &form.text).await;
    let session = match &done {
        Ok(k) => k.session_id,
        Err(_) => form.session,
    };
    back_to_session(
        &ctx,
        session,
        done,
        ("Đã sửa nội dung kết luận.", "The conclusion is corrected."),
    )
    .await
}

#[derive(Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    issued_on: String,
}

pub async fn issue_notice(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<NoticeForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let done =
        svc::issue_notice(&ctx.state, &caller, id, &form.number, Some(&form.issued_on)).await;
    back_to_session(
        &ctx,
        id,
        done,
        (
            "Đã ghi số thông báo kết luận; các nhiệm vụ của phiên họp lấy số này làm văn bản giao.",
            "The notice's number is recorded; the session's tasks take it as their source document.",
        ),
    )
    .await
}

pub async fn notice_document(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let (session, bytes) = svc::notice_document(&ctx.state, ctx.user()?, id).await?;
    Ok(crate::http::download(
        DOCX,
        &format!("thong-bao-ket-luan-phien-{}.docx", session.number),
        bytes,
    ))
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    session: i64,
}

pub async fn close_conclusion(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<CloseForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let done = svc::close_conclusion(&ctx.state, &caller, id, &form.note).await;
    let session = match &done {
        Ok(k) => k.session_id,
        Err(_) => form.session,
    };
    back_to_session(
        &ctx,
        session,
        done,
        (
            "Đã đóng kết luận; kết luận không còn được theo dõi ở phiên họp sau.",
            "Conclusion closed; it is no longer carried to the next session.",
        ),
    )
    .await
}

#[derive(Template)]
#[template(path = "steering_assign.html")]
struct AssignPage {
    page: Page,
    f: AssignForm,
    form: AssignFields,
    errors: FormErrors,
}

#[derive(Default, Deserialize)]
pub struct AssignFields {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    lead_unit_code: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    regular: Option<String>,
    #[serde(default)]
    key_task: Option<String>,
    #[serde(default)]
    deliverable: String,
}

fn ticked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.is_empty() && v != "false")
}

impl AssignFields {
    fn is_regular(&self) -> bool {
        ticked(&self.regular)
    }

    fn is_key(&self) -> bool {
        ticked(&self.key_task)
    }
}

async fn assign_page(
    ctx: &Ctx,
    id: i64,
    form: Option<AssignFields>,
    errors: FormErrors,
) -> WebResult<AssignPage> {
    let f = svc::assign_form(&ctx.state, ctx.user()?, id).await?;
    let form = form.unwrap_or_else(|| AssignFields {
        title: f.conclusion.text.chars().take(500).collect(),
        ..Default::default()
    });
    Ok(AssignPage {
        page: ctx.page(
            "Giao nhiệm vụ từ kết luận",
            "Assign a task from a conclusion",
        ),
        f,
        form,
        errors,
    })
}

pub async fn assign(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = assign_page(&ctx, id, None, FormErrors::default()).await?;
    ctx.render(&view)
}

pub async fn assign_task(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<AssignFields>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = TaskInput {
        code: form.code.clone(),
        title: form.title.clone(),
        lead_unit_code: form.lead_unit_code.clone(),
        due_date: form.due_date.clone(),
        regular: form.is_regular(),
        key_task: form.is_key(),
        deliverable: Some(form.deliverable.clone()).filter(|d| !d.trim().is_empty()),
        ..Default::default()
    };
    match svc::assign_task(&ctx.state, &caller, id, &input).await {
        Ok(task) => Ok(ctx.done(
            &format!("/tasks/{}", task.id),
            &ctx.lang().pick(
                format!(
                    "Đã giao nhiệm vụ {} cho {}. Đơn vị nhận thông báo và đăng ký thực hiện.",
                    task.code, task.lead_unit_name
                ),
                format!(
                    "Task {} assigned to {}. The unit is notified and registers it.",
                    task.code, task.lead_unit_name
                ),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = assign_page(&ctx, id, Some(form), errors).await?;
            ctx.render_invalid(&view)
        }
    }
}
