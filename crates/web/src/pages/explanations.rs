//! Explanation requests on screen: the lists (to answer, followed, asked by me), the form
//! that asks a unit to explain a figure, a task or its work, and a request's page with
//! its thread, its evidence files and the answer or decision forms.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::Response;
use dxplan_app::explanations::{
    self as svc, ExplanationList, ExplanationSummary, ExplanationTally, ExplanationView, Inbox,
    ListAsk, Message, Subjected,
};
use dxplan_domain::explanation::{RequestInput, Status, Subject};
use dxplan_domain::text::format_date;
use serde::Deserialize;

use super::{Ctx, FormErrors, Page};
use crate::error::WebResult;

/// Requests a list page shows at once.
const PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "explanations.html")]
struct ListPage {
    page: Page,
    inbox: Inbox,
    /// The inboxes the reader has, with their links.
    inboxes: Vec<(Inbox, &'static str)>,
    status: String,
    overdue: bool,
    list: ExplanationList,
    tally: ExplanationTally,
    /// The page shown (1-based) and whether there is a next.
    page_no: i64,
    has_next: bool,
}

impl ListPage {
    fn status_label(&self, r: &ExplanationSummary) -> &'static str {
        r.request.status.label(r.overdue, self.page.lang)
    }

    fn status_class(&self, r: &ExplanationSummary) -> &'static str {
        status_class(r.request.status, r.overdue)
    }

    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(false, self.page.lang)))
            .collect()
    }

    /// A link to this list with other filters.
    fn link(&self, page_no: i64) -> String {
        let mut q = format!("/explanations?inbox={}", self.inbox.as_str());
        if !self.status.is_empty() {
            q.push_str(&format!("&status={}", self.status));
        }
        if self.overdue {
            q.push_str("&overdue=1");
        }
        if page_no > 1 {
            q.push_str(&format!("&page={page_no}"));
        }
        q
    }
}

fn status_class(status: Status, overdue: bool) -> &'static str {
    match status {
        Status::Awaiting if overdue => "status-overdue",
        Status::Awaiting => "status-awaiting",
        Status::Answered => "status-submitted",
        Status::Accepted => "status-completed",
        Status::Withdrawn => "status-cancelled",
    }
}

#[derive(Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    inbox: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    page: Option<i64>,
}

/// The inboxes a user has: to answer for unit staff, followed and asked for the asking side.
fn inboxes_of(ctx: &Ctx) -> Vec<(Inbox, &'static str)> {
    use dxplan_domain::auth::Action;
    let lang = ctx.lang();
    let page_may = |a| ctx.user.as_ref().is_some_and(|u| u.holds(a));
    Inbox::ALL
        .into_iter()
        .filter(|i| match i {
            Inbox::ToAnswer => page_may(Action::AnswerExplanation),
            Inbox::Following | Inbox::Asked => page_may(Action::RequestExplanation),
        })
        .map(|i| (i, i.label(lang)))
        .collect()
}

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> WebResult<Response> {
    let user = ctx.user()?;
    let inboxes = inboxes_of(&ctx);
    let Some(first) = inboxes.first().map(|(i, _)| *i) else {
        return Err(dxplan_app::error::AppError::Forbidden.into());
    };
    // Whoever both answers and asks starts on what waits on them to answer.
    let inbox = Inbox::parse(&q.inbox)
        .filter(|i| inboxes.iter().any(|(have, _)| have == i))
        .unwrap_or(first);
    let status = Status::parse(&q.status);
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    let overdue = !q.overdue.is_empty();
    let ask = ListAsk {
        inbox,
        status,
        overdue,
        limit: PER_PAGE,
        offset: (page_no - 1) * PER_PAGE,
    };
    let list = svc::list(&ctx.state, user, &ask).await?;
    let tally = svc::tally(&ctx.state, user).await?;
    let has_next = page_no * PER_PAGE < list.total;
    let view = ListPage {
        page: ctx.page("Yêu cầu giải trình", "Explanation requests"),
        inbox,
        inboxes,
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        overdue,
        list,
        tally,
        page_no,
        has_next,
    };
    ctx.render(&view)
}

#[derive(Template)]
#[template(path = "explanation_new.html")]
struct NewPage {
    page: Page,
    s: Subjected,
    form: NewForm,
    errors: FormErrors,
}

impl NewPage {
    fn subject_label(&self) -> &'static str {
        self.s.subject.label(self.page.lang)
    }

    fn periods(&self) -> Vec<(String, String)> {
        self.s
            .periods
            .iter()
            .map(|p| (p.to_string(), p.label(self.page.lang)))
            .collect()
    }

    fn is_figure(&self) -> bool {
        self.s.subject == Subject::Figure
    }
}

/// The new request's fields, as the form and its query carry them.
#[derive(Default, Deserialize, Clone)]
pub struct NewForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    task_id: Option<i64>,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    deadline: String,
}

impl NewForm {
    fn input(&self) -> RequestInput {
        RequestInput {
            subject: self.subject.clone(),
            unit: self.unit.clone(),
            task_id: self.task_id,
            indicator: self.indicator.clone(),
            period: self.period.clone(),
            question: self.question.clone(),
            deadline: self.deadline.clone(),
        }
    }
}

async fn new_page(ctx: &Ctx, mut form: NewForm, errors: FormErrors) -> WebResult<NewPage> {
    let s = svc::new_request(&ctx.state, ctx.user()?, &form.input()).await?;
    if form.deadline.is_empty() {
        form.deadline = format_date(s.suggested_deadline);
    }
    if form.period.is_empty()
        && let Some(p) = s.period
    {
        form.period = p.to_string();
    }
    Ok(NewPage {
        page: ctx.page("Yêu cầu giải trình", "Ask for an explanation"),
        s,
        form,
        errors,
    })
}

/// The form, from the button on a task, a unit or an indicator's figure.
pub async fn new(ctx: Ctx, Query(form): Query<NewForm>) -> WebResult<Response> {
    // A period the query names that is not offered is simply not chosen yet.
    let mut form = form;
    let view = match new_page(&ctx, form.clone(), FormErrors::default()).await {
        Ok(view) => view,
        Err(e) if form.period.is_empty() => return Err(in_words(&ctx, e)),
        Err(_) => {
            form.period.clear();
            new_page(&ctx, form, FormErrors::default())
                .await
                .map_err(|e| in_words(&ctx, e))?
        }
    };
    ctx.render(&view)
}

/// A subject the link names wrongly (a unit since merged away, an indicator retired), said
/// with the field's name in the reader's words.
fn in_words(ctx: &Ctx, e: crate::error::WebError) -> crate::error::WebError {
    let crate::error::WebError(dxplan_app::error::AppError::Validation(fields)) = e else {
        return e;
    };
    let lang = ctx.lang();
    let sentence = FormErrors::from_fields(lang, &fields).sentence(|field| match field {
        "unit" => Some(lang.pick("Đơn vị", "Unit")),
        "indicator" => Some(lang.pick("Chỉ tiêu", "Indicator")),
        "task_id" => Some(lang.pick("Nhiệm vụ", "Task")),
        "subject" => Some(lang.pick("Nội dung cần giải trình", "Subject")),
        "period" => Some(lang.pick("Kỳ số liệu", "Period")),
        _ => None,
    });
    dxplan_app::error::AppError::BadRequest(sentence).into()
}

pub async fn create(ctx: Ctx, Form(form): Form<NewForm>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match svc::ask(&ctx.state, &caller, &form.input()).await {
        Ok(view) => Ok(ctx.done(
            &format!("/explanations/{}", view.request.id),
            &ctx.lang().pick(
                format!(
                    "Đã gửi yêu cầu giải trình tới {}; hạn trả lời {}.",
                    view.request.unit_name,
                    format_date(view.request.deadline)
                ),
                format!(
                    "Explanation requested from {}, due {}.",
                    view.request.unit_name,
                    format_date(view.request.deadline)
                ),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            // The subject itself may be what was refused (a unit no longer there).
            let mut subject_only = form.clone();
            subject_only.period.clear();
            let view = match new_page(&ctx, form, errors.clone()).await {
                Ok(view) => view,
                Err(_) => new_page(&ctx, subject_only, errors).await?,
            };
            ctx.render_invalid(&view)
        }
    }
}

#[derive(Template)]
#[template(path = "explanation.html")]
struct RequestPage {
    page: Page,
    v: ExplanationView,
    errors: FormErrors,
    subject_path: String,
    suggested_deadline: String,
    max_upload_mb: u64,
}

impl RequestPage {
    fn status_label(&self) -> &'static str {
        self.v.request.status.label(self.v.overdue, self.page.lang)
    }

    fn status_class(&self) -> &'static str {
        status_class(self.v.request.status, self.v.overdue)
    }

    fn subject_label(&self) -> &'static str {
        self.v.request.subject.label(self.page.lang)
    }

    /// Who wrote a message and what it is, in words.
    fn message_label(&self, m: &Message) -> &'static str {
        match m.kind.as_str() {
            "question" => self.page.tr("Yêu cầu giải trình", "Question"),
            "answer" => self.page.tr("Đơn vị giải trình", "The unit's answer"),
            "accept" => self.page.tr("Chấp nhận giải trình", "Accepted"),
            "ask_again" => self.page.tr("Đề nghị giải trình thêm", "Asked again"),
            "withdraw" => self.page.tr("Rút yêu cầu", "Withdrawn"),
            _ => "",
        }
    }
}

async fn request_page(ctx: &Ctx, id: i64, errors: FormErrors) -> WebResult<RequestPage> {
    let v = svc::view(&ctx.state, ctx.user()?, id).await?;
    let subject_path = svc::subject_path(&v.request);
    let title = v.request.subject_title.clone();
    Ok(RequestPage {
        page: ctx.page(&title, &title),
        subject_path,
        max_upload_mb: ctx.state.settings.max_upload_bytes / (1024 * 1024),
        suggested_deadline: format_date(
            ctx.state.today()
                + time::Duration::days(dxplan_domain::explanation::DEFAULT_DAYS_TO_ANSWER),
        ),
        v,
        errors,
    })
}

pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = request_page(&ctx, id, FormErrors::default()).await?;
    ctx.render(&view)
}

/// Goes back to the request with the news, or shows it again with what went wrong.
async fn back<T>(
    ctx: &Ctx,
    id: i64,
    done: Result<T, dxplan_app::error::AppError>,
    message: (&str, &str),
) -> WebResult<Response> {
    match done {
        Ok(_) => Ok(ctx.done(
            &format!("/explanations/{id}"),
            ctx.lang().pick(message.0, message.1),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = request_page(ctx, id, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

#[derive(Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    reason: String,
}

pub async fn answer(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let done = svc::answer(&ctx.state, &caller, id, &form.answer).await;
    let msg = (
        "Đã gửi giải trình. Người yêu cầu sẽ được thông báo.",
        "Explanation sent; the asker is told.",
    );
    back(&ctx, id, done, msg).await
}

pub async fn accept(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let done = svc::accept(&ctx.state, &caller, id, &form.comment).await;
    let msg = ("Đã chấp nhận giải trình.", "Explanation accepted.");
    back(&ctx, id, done, msg).await
}

pub async fn ask_again(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let done = svc::ask_again(&ctx.state, &caller, id, &form.question, &form.deadline).await;
    let msg = (
        "Đã đề nghị đơn vị giải trình thêm.",
        "Further explanation requested.",
    );
    back(&ctx, id, done, msg).await
}

pub async fn withdraw(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let done = svc::withdraw(&ctx.state, &caller, id, &form.reason).await;
    let msg = ("Đã rút yêu cầu giải trình.", "Request withdrawn.");
    back(&ctx, id, done, msg).await
}

pub async fn upload(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let file = crate::upload::first_file(multipart, ctx.state.upload_limit());
    let done = svc::attach(&ctx.state, &caller, id, file).await;
    let msg = (
        "Đã tải lên tệp minh chứng. Gửi giải trình khi đã đủ.",
        "Evidence file uploaded. Send the explanation when ready.",
    );
    back(&ctx, id, done, msg).await
}

pub async fn download(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let (file, bytes) = svc::file_for(&ctx.state, ctx.user()?, id).await?;
    Ok(crate::http::stored_file_response(
        &file.kind,
        &file.original_name,
        bytes,
    ))
}
