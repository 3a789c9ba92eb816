//! Links for the operations centre's screens: an administrator makes one per screen (its
//! secret shown once), sees when each screen last asked, and revokes a link that left the room.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Path, Request};
use axum::response::Response;

use dxplan_app::displays::Display;
use dxplan_domain::auth::Action;

use super::{Ctx, FormErrors, Page};
use crate::error::WebResult;
use dxplan_app::displays::{self as svc, DisplayInput};

struct Row {
    display: Display,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "displays.html")]
struct DisplaysPage {
    page: Page,
    rows: Vec<Row>,
    errors: FormErrors,
    form: DisplayInput,
    /// The link just made, shown this once.
    link: Option<String>,
    unit_choices: Vec<String>,
}

async fn page(
    ctx: &Ctx,
    errors: FormErrors,
    form: DisplayInput,
    link: Option<String>,
) -> WebResult<DisplaysPage> {
    let user = ctx.user()?;
    let rows = svc::list(&ctx.state, user)
        .await?
        .into_iter()
        .map(|d| Row {
            created: crate::format::datetime(&d.created_at),
            last_used: d
                .last_used_at
                .map(|at| crate::format::datetime(&at))
                .unwrap_or_else(|| "–".into()),
            display: d,
        })
        .collect();
    let unit_choices =
        dxplan_app::pickers::unit_choices(&ctx.state, user, Action::ManageUsers, ctx.state.today())
            .await?;
    Ok(DisplaysPage {
        page: ctx.page("Màn hình trung tâm điều hành", "Operations centre screens"),
        rows,
        errors,
        form,
        link,
        unit_choices,
    })
}

/// `GET /admin/displays`.
pub async fn list(ctx: Ctx) -> WebResult<Response> {
    let view = page(&ctx, FormErrors::default(), DisplayInput::default(), None).await?;
    ctx.render(&view)
}

/// `POST /admin/displays`: the new link is on the page that answers, once.
pub async fn create(ctx: Ctx, request: Request) -> WebResult<Response> {
    let caller = ctx.caller()?;
    // Nobody who may give out no link gets their form read.
    svc::may_issue(&caller)?;
    let Form(form) = Form::<DisplayInput>::from_request(request, &ctx.state)
        .await
        .map_err(|e| crate::error::AppError::BadRequest(e.body_text()))?;
    match svc::create(&ctx.state, &caller, &form).await {
        Ok(created) => {
            let base = ctx
                .state
                .settings
                .public_url
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('/');
            let link = format!("{base}/wall/{}", created.secret);
            let view = page(
                &ctx,
                FormErrors::default(),
                DisplayInput::default(),
                Some(link),
            )
            .await?;
            ctx.render(&view)
        }
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = page(&ctx, errors, form, None).await?;
            ctx.render_invalid(&view)
        }
    }
}

/// `POST /admin/displays/{id}/revoke`.
pub async fn revoke(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let display = svc::revoke(&ctx.state, &caller, id).await?;
    Ok(ctx.done(
        "/admin/displays",
        &ctx.lang().pick(
            format!(
                "Đã thu hồi đường dẫn của “{}”: màn hình đó thôi hiển thị.",
                display.name
            ),
            format!(
                "The link of “{}” is revoked: that screen goes blank.",
                display.name
            ),
        ),
    ))
}
