//! The profile's API tokens page: make a token (its secret shown once), see when each was
//! last used, revoke; an administrator sees and revokes everyone's.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;

use dxplan_app::tokens::Token;
use dxplan_domain::text::format_date;

use super::{Ctx, FormErrors, Page};
use crate::error::WebResult;
use dxplan_app::tokens::{self as svc, TokenInput};

struct Row {
    token: Token,
    expires: String,
    last_used: String,
    live: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    page: Page,
    own: Vec<Row>,
    all: Vec<Row>,
    is_admin: bool,
    errors: FormErrors,
    form: TokenInput,
    /// The secret of the token just made, shown this once.
    secret: Option<String>,
    /// The units the narrowing field offers: those the user may see, by name.
    unit_choices: Vec<String>,
}

fn rows(ctx: &Ctx, list: Vec<Token>) -> Vec<Row> {
    let now = ctx.state.now();
    list.into_iter()
        .map(|t| Row {
            expires: format_date(t.expires_at.date()),
            last_used: t
                .last_used_at
                .map(|at| crate::format::datetime(&at))
                .unwrap_or_else(|| "–".into()),
            live: t.is_live(now),
            token: t,
        })
        .collect()
}

async fn page(
    ctx: &Ctx,
    errors: FormErrors,
    form: TokenInput,
    secret: Option<String>,
) -> WebResult<TokensPage> {
    let user = ctx.user()?;
    let own = rows(ctx, svc::list(&ctx.state, user, false).await?);
    let is_admin = user.is_system_admin();
    let all = if is_admin {
        rows(ctx, svc::list(&ctx.state, user, true).await?)
    } else {
        Vec::new()
    };
    let unit_choices = dxplan_app::pickers::unit_choices(
        &ctx.state,
        ctx.user()?,
        dxplan_domain::auth::Action::ViewUnits,
        ctx.state.today(),
    )
    .await?;
    Ok(TokensPage {
        unit_choices,
        page: ctx.page("Mã truy cập API", "API tokens"),
        own,
        all,
        is_admin,
        errors,
        form,
        secret,
    })
}

/// `GET /account/tokens`.
pub async fn list(ctx: Ctx) -> WebResult<Response> {
    let view = page(&ctx, FormErrors::default(), TokenInput::default(), None).await?;
    ctx.render(&view)
}

/// `POST /account/tokens`: the new token's secret is on the page that answers, once.
pub async fn create(ctx: Ctx, Form(form): Form<TokenInput>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match svc::create(&ctx.state, &caller, &form).await {
        Ok(created) => {
            let view = page(
                &ctx,
                FormErrors::default(),
                TokenInput::default(),
                Some(created.secret),
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

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let token = svc::revoke(&ctx.state, &caller, id).await?;
    Ok(ctx.done(
        "/account/tokens",
        &ctx.lang().pick(
            format!("Đã thu hồi mã “{}”.", token.name),
            format!("Token “{}” revoked.", token.name),
        ),
    ))
}
