//! Logging in and out, the language switch, and changing one's own password.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use dxplan_domain::Lang;
use serde::Deserialize;

use super::{Ctx, FormErrors, Page};
use crate::error::{AppError, WebError, WebResult};
use crate::session::{LANG_COOKIE, clear_session_cookie, set_cookie};
use dxplan_app as service;

/// The origin `next` is resolved against. Any fixed origin does: only whether the result
/// stays on it matters, and only its path, query and fragment are kept.
const OWN_ORIGIN: &str = "http://dxplan.invalid/";

/// Where to go after logging in or switching language: a path on this site, never
/// another one. Browsers drop tabs and newlines inside a URL and read `\` as `/`, so
/// `/\t/evil.example` or `/\\evil.example` would become `//evil.example`, another
/// host: any control character, white space or backslash sends the user home instead.
/// The rest is resolved against our own origin the way a browser would resolve it
/// (`/%2e%2e//evil.example` resolves to `//evil.example`), and the result must still be
/// a path of ours. What comes out is percent-encoded ASCII, safe in a `Location` header.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    next.and_then(same_origin_path)
        .unwrap_or_else(|| "/".to_string())
}

fn same_origin_path(next: &str) -> Option<String> {
    if !next.starts_with('/')
        || next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return None;
    }
    let base = url::Url::parse(OWN_ORIGIN).ok()?;
    let resolved = base.join(next).ok()?;
    if resolved.origin() != base.origin() {
        return None;
    }
    let path = &resolved[url::Position::BeforePath..];
    let single_slash = path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\");
    single_slash.then(|| path.to_string())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    username: String,
    next: String,
    errors: FormErrors,
    demo: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> WebResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    ctx.render(&LoginPage {
        page: ctx.page("Đăng nhập", "Log in"),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        errors: FormErrors::default(),
        demo: ctx.state.config.demo,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> WebResult<Response> {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let next = safe_next(form.next.as_deref());
    let origin = ctx.meta.origin();
    let login = service::login(
        &ctx.state,
        &origin,
        &form.username,
        &form.password,
        ua,
        ctx.user.as_ref(),
    );
    match login.await {
        Ok(done) => {
            let cookie = crate::session::session_cookie(&ctx.state, &done.session_secret);
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response())
        }
        Err(e @ (AppError::BadCredentials | AppError::TooManyRequests { .. })) => {
            let status = crate::error::status(&e);
            let mut response = ctx.render(&LoginPage {
                page: ctx.page("Đăng nhập", "Log in"),
                username: form.username.trim().to_string(),
                next,
                errors: FormErrors::general(e.message(ctx.lang())),
                demo: ctx.state.config.demo,
            })?;
            *response.status_mut() = status;
            if let AppError::TooManyRequests { retry_after_secs } = e
                && let Ok(v) = retry_after_secs.to_string().parse()
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(response)
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn logout(ctx: Ctx) -> WebResult<Response> {
    if ctx.user.is_some() {
        service::logout(&ctx.state, &ctx.caller()?).await?;
    }
    Ok((
        [(header::SET_COOKIE, clear_session_cookie(&ctx.state))],
        Redirect::to("/login"),
    )
        .into_response())
}

/// Remembers the chosen language for a year and goes back where the user was.
pub async fn switch_lang(
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> WebResult<Response> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    let cookie = set_cookie(
        LANG_COOKIE,
        lang.code(),
        Some(365 * 24 * 3600),
        ctx.state.config.secure_cookies,
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&safe_next(q.next.as_deref())),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    page: Page,
    errors: FormErrors,
}

pub async fn password_page(ctx: Ctx) -> WebResult<Response> {
    ctx.user()?;
    ctx.render(&PasswordPage {
        page: ctx.page("Đổi mật khẩu", "Change password"),
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn password_submit(ctx: Ctx, Form(form): Form<PasswordForm>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match service::change_own_password(
        &ctx.state,
        &caller,
        &form.current,
        &form.new_password,
        &form.confirm,
    )
    .await
    {
        Ok(changed) => Ok(ctx.done("/", &changed.message(ctx.lang()))),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            ctx.render_invalid(&PasswordPage {
                page: ctx.page("Đổi mật khẩu", "Change password"),
                errors,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        for (given, expected) in [
            (
                "/tasks?plan=2&q=chuy%E1%BB%83n",
                "/tasks?plan=2&q=chuy%E1%BB%83n",
            ),
            ("/units/540#history", "/units/540#history"),
            ("/tasks?q=chuyển đổi", "/"),
            ("/tasks?q=chuyển", "/tasks?q=chuy%E1%BB%83n"),
            ("/%2F/evil.example", "/%2F/evil.example"),
            ("/a/../b", "/b"),
        ] {
            assert_eq!(safe_next(Some(given)), expected, "{given:?}");
        }
        for hostile in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\u{b}/evil.example",
            "/\u{c}/evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "/\u{3000}/evil.example",
            "/\u{2028}/evil.example",
            "/\u{85}/evil.example",
            "/tasks\n",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "%2F%2Fevil.example",
            "/%2e%2e//evil.example",
            "/.//evil.example",
            "/..//evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
