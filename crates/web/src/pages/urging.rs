//! Urging the units late on a plan's tasks: who is late and how often they were urged,
//! the letter drafted in Word, and the letter marked sent.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

use super::{Ctx, FormErrors, Page};
use crate::error::WebResult;
use dxplan_app::urging::{self as svc, Urging};

#[derive(Template)]
#[template(path = "urging.html")]
struct UrgingPage {
    page: Page,
    plan_id: i64,
    plan_title: String,
    u: Urging,
    errors: FormErrors,
}

async fn urging_page(ctx: &Ctx, plan_id: i64, errors: FormErrors) -> WebResult<UrgingPage> {
    let user = ctx.user()?;
    let u = svc::urging(&ctx.state, user, plan_id).await?;
    let plan = dxplan_app::tasks::plan_summary(&ctx.state, user, plan_id)
        .await?
        .plan;
    Ok(UrgingPage {
        page: ctx.page("Đôn đốc đơn vị chậm tiến độ", "Urging late units"),
        plan_id,
        plan_title: plan.title,
        u,
        errors,
    })
}

pub async fn page(ctx: Ctx, Path(plan_id): Path<i64>) -> WebResult<Response> {
    let view = urging_page(&ctx, plan_id, FormErrors::default()).await?;
    ctx.render(&view)
}

pub async fn draft(ctx: Ctx, Path(plan_id): Path<i64>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match svc::draft_letter(&ctx.state, &caller, plan_id).await {
        Ok(letter) => Ok(ctx.done(
            &format!("/plans/{plan_id}/urging"),
            &ctx.lang().pick(
                format!(
                    "Đã soạn công văn đôn đốc {} đơn vị. Tải bản Word để chỉnh sửa, trình ký; khi đã phát hành, ghi số và ngày gửi.",
                    letter.units.len()
                ),
                format!(
                    "Letter drafted to {} units. Download it in Word to edit and sign; once issued, record its number and date.",
                    letter.units.len()
                ),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = urging_page(&ctx, plan_id, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

pub async fn document(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let (letter, bytes) = svc::letter_document(&ctx.state, ctx.user()?, id).await?;
    Ok(crate::http::download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("cong-van-don-doc-{}.docx", letter.id),
        bytes,
    ))
}

#[derive(Deserialize)]
pub struct SentForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    sent_on: String,
    #[serde(default)]
    plan: i64,
}

pub async fn sent(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<SentForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match svc::mark_sent(&ctx.state, &caller, id, &form.number, Some(&form.sent_on)).await {
        Ok(letter) => Ok(ctx.done(
            &format!("/plans/{}/urging", letter.plan_id),
            ctx.lang().pick(
                "Đã ghi nhận công văn đã gửi.",
                "The letter is recorded as sent.",
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = urging_page(&ctx, form.plan, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}
