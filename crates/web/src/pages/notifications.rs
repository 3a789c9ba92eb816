//! A user's notifications, and how they want them by e-mail.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Ctx, Page};
use crate::error::WebResult;
use crate::format;
use dxplan_app::notifications as svc;

pub struct NotificationRow {
    pub id: i64,
    pub title: String,
    pub at: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    page: Page,
    rows: Vec<NotificationRow>,
    email_pref: String,
    has_email: bool,
}

pub async fn notifications(ctx: Ctx) -> WebResult<Response> {
    let lang = ctx.lang();
    let view = svc::overview(&ctx.state, ctx.user()?).await?;
    ctx.render(&NotificationsPage {
        page: ctx.page("Thông báo", "Notifications"),
        rows: view
            .items
            .into_iter()
            .map(|n| NotificationRow {
                id: n.id,
                title: lang.pick(n.title_vi, n.title_en),
                at: format::datetime(&n.created_at),
                unread: n.read_at.is_none(),
            })
            .collect(),
        email_pref: view.email_pref,
        has_email: view.has_email,
    })
}

/// Marks a notification read and goes to what it is about.
pub async fn open_notification(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let target = svc::open(&ctx.state, ctx.user()?, id)
        .await?
        .unwrap_or_else(|| "/notifications".to_string());
    Ok(Redirect::to(&target).into_response())
}

pub async fn read_all(ctx: Ctx) -> WebResult<Response> {
    svc::mark_all_read(&ctx.state, ctx.user()?).await?;
    Ok(ctx.done(
        "/notifications",
        ctx.lang()
            .pick("Đã đánh dấu tất cả là đã đọc.", "All marked as read."),
    ))
}

#[derive(Deserialize)]
pub struct PrefForm {
    #[serde(default)]
    email_pref: String,
}

pub async fn email_preference(ctx: Ctx, Form(form): Form<PrefForm>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    svc::set_email_pref(&ctx.state, &caller, &form.email_pref).await?;
    Ok(ctx.done(
        "/notifications",
        ctx.lang()
            .pick("Đã lưu lựa chọn nhận thư.", "E-mail preference saved."),
    ))
}
