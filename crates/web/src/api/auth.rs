//! Logging in and out, who is calling, and changing one's own password.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{ApiJson, caller};
use crate::error::{AppError, WebError, WebResult};
use crate::session::{Auth, MaybeAuth, RequestMeta, clear_session_cookie};
use crate::state::AppState;
use dxplan_app::users::User;
use dxplan_app::{self as service};

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct LoginBody {
    username: String,
    password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts",
    request_body(content = LoginBody, content_type = "application/json"),
    responses((status = 200, description = "The account and the CSRF token its session's changes send", body = LoginDone), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn login(
    State(state): State<AppState>,
    meta: RequestMeta,
    MaybeAuth(signed_in): MaybeAuth,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> WebResult<Response> {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let done = service::login(
        &state,
        &meta.origin(),
        &body.username,
        &body.password,
        ua,
        signed_in.as_ref(),
    )
    .await?;
    let body = LoginDone {
        user: done.user,
        csrf_token: done.csrf,
    };
    let cookie = crate::session::session_cookie(&state, &done.session_secret);
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// A session begun: the account, and the token its changes send as `X-CSRF-Token`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LoginDone {
    user: User,
    csrf_token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    responses((status = 204, description = "The session is over"), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn logout(
    State(state): State<AppState>,
    meta: RequestMeta,
    MaybeAuth(user): MaybeAuth,
) -> WebResult<Response> {
    if let Some(user) = &user {
        service::logout(&state, &caller(user, &meta)).await?;
    }
    Ok((
        [(header::SET_COOKIE, clear_session_cookie(&state))],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, description = "The caller: account, roles (a token's narrowed ones), CSRF token", body = Me), crate::openapi::Refusals),
    security(("bearer" = []), ("session" = [])))]
pub(crate) async fn me(Auth(user): Auth) -> Json<Me> {
    Json(Me {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        unit_id: user.unit_id,
        grants: user.grants.clone(),
        csrf_token: user.csrf.clone(),
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct OwnPasswordBody {
    current: String,
    new_password: String,
}

#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts",
    request_body(content = OwnPasswordBody, content_type = "application/json"),
    responses((status = 200, description = "The password is changed; the account's API tokens are revoked and its other sessions ended", body = PasswordDone), crate::openapi::Refusals),
    security(("session" = [])))]
/// `POST /api/v1/me/password` `{"current", "new_password"}`: the caller changes their own
/// password (with a session: a token cannot stand in for the person).
pub(crate) async fn change_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    Auth(user): Auth,
    ApiJson(body): ApiJson<OwnPasswordBody>,
) -> WebResult<Json<PasswordDone>> {
    if user.token.is_some() {
        return Err(WebError(AppError::Forbidden));
    }
    let changed = service::change_own_password(
        &state,
        &caller(&user, &meta),
        &body.current,
        &body.new_password,
        &body.new_password,
    )
    .await?;
    Ok(Json(PasswordDone::new(changed, meta.lang)))
}

/// A password changed, and what ended with the old one.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PasswordDone {
    #[serde(flatten)]
    changed: service::PasswordChanged,
    /// What happened, in the caller's language.
    message: String,
}

impl PasswordDone {
    pub(super) fn new(
        changed: service::PasswordChanged,
        lang: dxplan_domain::Lang,
    ) -> PasswordDone {
        PasswordDone {
            message: changed.message(lang),
            changed,
        }
    }
}

/// Who is calling.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Me {
    id: i64,
    username: String,
    display_name: String,
    unit_id: Option<i64>,
    grants: Vec<dxplan_domain::auth::Grant>,
    csrf_token: String,
}
