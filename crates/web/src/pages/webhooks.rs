//! The administrator's webhooks page: endpoints, registration (the signing secret shown
//! once), each endpoint's delivery log, removal.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;

use dxplan_app::webhooks::{Delivery, Webhook};
use dxplan_domain::webhook::EventType;

use super::{Ctx, FormErrors, Page};
use crate::error::WebResult;
use crate::format;
use dxplan_app::webhooks::{self as svc, WebhookInput};

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    page: Page,
    hooks: Vec<Webhook>,
    events: Vec<&'static str>,
    errors: FormErrors,
    url: String,
    secret: Option<String>,
}

async fn page(
    ctx: &Ctx,
    errors: FormErrors,
    url: String,
    secret: Option<String>,
) -> WebResult<WebhooksPage> {
    let caller = ctx.caller()?;
    Ok(WebhooksPage {
        page: ctx.page("Kết nối webhook", "Webhooks"),
        hooks: svc::list(&ctx.state, &caller).await?,
        events: EventType::ALL.iter().map(|e| e.as_str()).collect(),
        errors,
        url,
        secret,
    })
}

/// `GET /admin/webhooks`.
pub async fn list(ctx: Ctx) -> WebResult<Response> {
    let view = page(&ctx, FormErrors::default(), String::new(), None).await?;
    ctx.render(&view)
}

/// `POST /admin/webhooks`: the secret is on the page that answers, once.
pub async fn register(ctx: Ctx, Form(form): Form<Vec<(String, String)>>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = WebhookInput {
        url: get("url"),
        events: form
            .iter()
            .filter(|(k, _)| k == "events")
            .map(|(_, v)| v.clone())
            .collect(),
        allow_private: get("allow_private") == "on",
    };
    match svc::register(&ctx.state, &caller, &input).await {
        Ok(made) => {
            let view = page(
                &ctx,
                FormErrors::default(),
                String::new(),
                Some(made.secret),
            )
            .await?;
            ctx.render(&view)
        }
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = page(&ctx, errors, input.url, None).await?;
            ctx.render_invalid(&view)
        }
    }
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct WebhookPage {
    page: Page,
    hook: Webhook,
    deliveries: Vec<(Delivery, String)>,
}

/// `GET /admin/webhooks/{id}`: the delivery log.
pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let (hook, deliveries) = svc::deliveries(&ctx.state, &caller, id).await?;
    let deliveries = deliveries
        .into_iter()
        .map(|d| {
            let at = format::datetime(&d.created_at);
            (d, at)
        })
        .collect();
    let mut page = ctx.page("Nhật ký gửi webhook", "Webhook deliveries");
    page.title = hook.url.clone();
    ctx.render(&WebhookPage {
        page,
        hook,
        deliveries,
    })
}

/// `POST /admin/webhooks/{id}/remove`.
pub async fn remove(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let hook = svc::remove(&ctx.state, &caller, id).await?;
    Ok(ctx.done(
        "/admin/webhooks",
        &ctx.lang().pick(
            format!("Đã gỡ kết nối {}.", hook.url),
            format!("Removed {}.", hook.url),
        ),
    ))
}
