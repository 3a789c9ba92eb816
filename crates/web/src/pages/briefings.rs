//! Scheduled briefings: the list, a new schedule, a schedule with its recipients and its
//! log, sending now, pausing, and the sent document behind the e-mail's link.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Path, Query, Request};
use axum::response::Response;
use serde::Deserialize;

use super::{Ctx, FormErrors, Page};
use crate::error::WebResult;
use dxplan_app::briefings::{
    self as svc, FormChoices, ScheduleDetail, ScheduleRequest, ScheduleView,
};
use dxplan_domain::briefing::{Document, ScheduleInput, Skipped, WEEKDAYS, weekday_name};

/// A schedule's fields as the form sends them.
#[derive(Deserialize, Default, Clone)]
pub struct ScheduleForm {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    cadence: String,
    #[serde(default)]
    weekday: String,
    #[serde(default)]
    days_before: String,
}

impl ScheduleForm {
    fn request(&self, active: bool) -> ScheduleRequest {
        ScheduleRequest {
            plan: self.plan.clone(),
            unit: self.unit.clone(),
            fields: ScheduleInput {
                title: self.title.clone(),
                document: self.document.clone(),
                cadence: self.cadence.clone(),
                weekday: Some(self.weekday.clone()),
                days_before: Some(self.days_before.clone()),
            },
            active,
        }
    }

    fn of(s: &dxplan_app::briefings::BriefingSchedule) -> ScheduleForm {
        let weekly = s.cadence == "weekly";
        ScheduleForm {
            plan: s.plan_id.to_string(),
            unit: s.unit_name.clone(),
            title: s.title.clone(),
            document: s.document.as_str().into(),
            cadence: s.cadence.clone(),
            weekday: if weekly {
                s.day.to_string()
            } else {
                "1".into()
            },
            days_before: if weekly {
                "2".into()
            } else {
                s.day.to_string()
            },
        }
    }
}

/// The choices the schedule's fields offer, for the shared fields' template.
struct Choices {
    plans: Vec<(String, String)>,
    units: Vec<String>,
    documents: Vec<(&'static str, &'static str)>,
    weekdays: Vec<(String, &'static str)>,
}

impl Choices {
    fn new(ctx: &Ctx, c: FormChoices) -> Choices {
        let lang = ctx.lang();
        Choices {
            plans: c
                .plans
                .into_iter()
                .map(|(id, title)| (id.to_string(), title))
                .collect(),
            units: c.units,
            documents: Document::ALL
                .iter()
                .map(|d| (d.as_str(), d.label(lang)))
                .collect(),
            weekdays: WEEKDAYS
                .iter()
                .map(|d| (d.number_from_monday().to_string(), weekday_name(*d, lang)))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "briefings.html")]
struct ListPage {
    page: Page,
    schedules: Vec<ScheduleView>,
}

/// `GET /briefings`.
pub async fn list(ctx: Ctx) -> WebResult<Response> {
    let schedules = svc::list(&ctx.state, ctx.user()?, ctx.lang()).await?;
    ctx.render(&ListPage {
        page: ctx.page("Gửi báo cáo định kỳ", "Scheduled briefings"),
        schedules,
    })
}

#[derive(Template)]
#[template(path = "briefing_new.html")]
struct NewPage {
    page: Page,
    form: ScheduleForm,
    errors: FormErrors,
    choices: Choices,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    plan: Option<String>,
}

async fn new_page(ctx: &Ctx, form: ScheduleForm, errors: FormErrors) -> WebResult<NewPage> {
    let choices = svc::form_choices(&ctx.state, ctx.user()?).await?;
    Ok(NewPage {
        page: ctx.page("Lịch gửi báo cáo mới", "New briefing schedule"),
        form,
        errors,
        choices: Choices::new(ctx, choices),
    })
}

/// `GET /briefings/new`: a weekly briefing of the newest plan over the province, ready to
/// adjust.
pub async fn new(ctx: Ctx, Query(q): Query<NewQuery>) -> WebResult<Response> {
    let choices = svc::form_choices(&ctx.state, ctx.user()?).await?;
    let plan = q
        .plan
        .filter(|p| choices.plans.iter().any(|(id, _)| id.to_string() == *p))
        .or_else(|| choices.plans.first().map(|(id, _)| id.to_string()))
        .unwrap_or_default();
    let form = ScheduleForm {
        plan,
        unit: choices.province.clone(),
        title: ctx
            .lang()
            .pick(
                "Tóm tắt tuần cho Ban Chỉ đạo",
                "Weekly briefing for the steering committee",
            )
            .into(),
        document: Document::Briefing.as_str().into(),
        cadence: "weekly".into(),
        weekday: "1".into(),
        days_before: "2".into(),
    };
    ctx.render(&NewPage {
        page: ctx.page("Lịch gửi báo cáo mới", "New briefing schedule"),
        form,
        errors: FormErrors::default(),
        choices: Choices::new(&ctx, choices),
    })
}

/// Reads a form once the caller may manage briefings at all: nobody else has a body read.
async fn read_form<T: serde::de::DeserializeOwned>(ctx: &Ctx, request: Request) -> WebResult<T> {
    svc::may_manage(&ctx.caller()?)?;
    let Form(form) = Form::<T>::from_request(request, &ctx.state)
        .await
        .map_err(|e| crate::error::AppError::BadRequest(e.body_text()))?;
    Ok(form)
}

/// `POST /briefings`.
pub async fn create(ctx: Ctx, request: Request) -> WebResult<Response> {
    let form: ScheduleForm = read_form(&ctx, request).await?;
    match svc::create(&ctx.state, &ctx.caller()?, &form.request(true)).await {
        Ok(s) => Ok(ctx.done(
            &format!("/briefings/{}", s.id),
            ctx.lang().pick(
                "Đã tạo lịch gửi. Thêm người nhận ở dưới.",
                "BriefingSchedule made. Add its recipients below.",
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = new_page(&ctx, form, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

#[derive(Template)]
#[template(path = "briefing.html")]
struct DetailPage {
    page: Page,
    d: ScheduleDetail,
    form: ScheduleForm,
    errors: FormErrors,
    /// Which form the errors belong to: `edit` or `recipient`.
    failed: &'static str,
    choices: Choices,
}

impl DetailPage {
    fn delivery_text(&self, d: &dxplan_app::briefings::BriefingDelivery) -> String {
        let lang = self.page.lang;
        if let Some(why) = d.skipped.as_deref().and_then(Skipped::parse) {
            return why.label(lang).into();
        }
        match d.status.as_deref() {
            Some("sent") => lang.pick("Đã gửi", "Sent").into(),
            Some("failed") => format!(
                "{}: {}",
                lang.pick("Gửi không được", "Could not be sent"),
                d.last_error.as_deref().unwrap_or("")
            ),
            Some(_) if d.attempts.unwrap_or(0) > 0 => format!(
                "{} ({})",
                lang.pick("Đang thử gửi lại", "Retrying"),
                d.last_error.as_deref().unwrap_or("")
            ),
            _ => lang.pick("Đang chờ gửi", "Waiting to be sent").into(),
        }
    }

    fn delivery_class(&self, d: &dxplan_app::briefings::BriefingDelivery) -> &'static str {
        match (d.skipped.is_some(), d.status.as_deref()) {
            (true, _) | (_, Some("failed")) => "tag tag-overdue",
            (_, Some("sent")) => "tag tag-regular",
            _ => "tag",
        }
    }
}

async fn detail_page(
    ctx: &Ctx,
    id: i64,
    form: Option<ScheduleForm>,
    errors: FormErrors,
    failed: &'static str,
) -> WebResult<DetailPage> {
    let user = ctx.user()?;
    let d = svc::detail(&ctx.state, user, id, ctx.lang()).await?;
    let choices = svc::form_choices(&ctx.state, user).await?;
    Ok(DetailPage {
        page: ctx.page(&d.view.schedule.title, &d.view.schedule.title),
        form: form.unwrap_or_else(|| ScheduleForm::of(&d.view.schedule)),
        d,
        errors,
        failed,
        choices: Choices::new(ctx, choices),
    })
}

/// `GET /briefings/{id}`.
pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = detail_page(&ctx, id, None, FormErrors::default(), "").await?;
    ctx.render(&view)
}

/// `POST /briefings/{id}/edit`: the schedule's fields again; it stays active or paused.
pub async fn edit(ctx: Ctx, Path(id): Path<i64>, request: Request) -> WebResult<Response> {
    let form: ScheduleForm = read_form(&ctx, request).await?;
    let active = svc::get(&ctx.state, ctx.user()?, id).await?.active;
    match svc::update(&ctx.state, &ctx.caller()?, id, &form.request(active)).await {
        Ok(_) => Ok(ctx.done(
            &format!("/briefings/{id}"),
            ctx.lang()
                .pick("Đã lưu lịch gửi.", "BriefingSchedule saved."),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = detail_page(&ctx, id, Some(form), errors, "edit").await?;
            ctx.render_invalid(&view)
        }
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

/// `POST /briefings/{id}/active`: pauses (`active=0`) or resumes (`active=1`) a schedule.
pub async fn set_active(ctx: Ctx, Path(id): Path<i64>, request: Request) -> WebResult<Response> {
    let form: ActiveForm = read_form(&ctx, request).await?;
    let schedule = svc::get(&ctx.state, ctx.user()?, id).await?;
    let active = form.active == "1";
    svc::update(
        &ctx.state,
        &ctx.caller()?,
        id,
        &ScheduleForm::of(&schedule).request(active),
    )
    .await?;
    Ok(ctx.done(
        &format!("/briefings/{id}"),
        if active {
            ctx.lang()
                .pick("Đã cho gửi tiếp theo lịch.", "The schedule sends again.")
        } else {
            ctx.lang().pick(
                "Đã tạm dừng: không gửi cho đến khi cho gửi tiếp.",
                "Paused: nothing is sent until it is resumed.",
            )
        },
    ))
}

#[derive(Deserialize)]
pub struct RecipientForm {
    #[serde(default)]
    user_id: String,
}

/// `POST /briefings/{id}/recipients`.
pub async fn add_recipient(ctx: Ctx, Path(id): Path<i64>, request: Request) -> WebResult<Response> {
    let form: RecipientForm = read_form(&ctx, request).await?;
    let outcome = match form.user_id.trim().parse::<i64>() {
        Ok(user_id) => svc::add_recipient(&ctx.state, &ctx.caller()?, id, user_id).await,
        Err(_) => Err(dxplan_app::error::AppError::field(
            "user_id",
            dxplan_domain::Invalid::Required,
        )),
    };
    match outcome {
        Ok(r) => Ok(ctx.done(
            &format!("/briefings/{id}"),
            &ctx.lang().pick(
                format!("Đã thêm người nhận: {}.", r.display_name),
                format!("BriefingRecipient added: {}.", r.display_name),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = detail_page(&ctx, id, None, errors, "recipient").await?;
            ctx.render_invalid(&view)
        }
    }
}

/// `POST /briefings/{id}/recipients/{user_id}/remove`.
pub async fn remove_recipient(
    ctx: Ctx,
    Path((id, user_id)): Path<(i64, i64)>,
) -> WebResult<Response> {
    svc::remove_recipient(&ctx.state, &ctx.caller()?, id, user_id).await?;
    Ok(ctx.done(
        &format!("/briefings/{id}"),
        ctx.lang()
            .pick("Đã bỏ người nhận.", "BriefingRecipient removed."),
    ))
}

/// `POST /briefings/{id}/send`.
pub async fn send_now(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let send = svc::send_now(&ctx.state, &ctx.caller()?, id).await?;
    Ok(ctx.done(
        &format!("/briefings/{id}"),
        &ctx.lang().pick(
            format!(
                "Đã tạo “{}” và xếp thư gửi cho người nhận. Tình trạng từng thư ở nhật ký bên dưới.",
                send.filename
            ),
            format!(
                "“{}” made and queued to the recipients. Each e-mail's status is in the log below.",
                send.filename
            ),
        ),
    ))
}

/// `GET /briefing-sends/{id}`: the document an e-mail's link opens.
pub async fn file(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let doc = svc::sent_file(&ctx.state, ctx.user()?, id).await?;
    Ok(crate::http::download(
        svc::content_type(&doc.filename),
        &doc.filename,
        doc.bytes,
    ))
}
