//! Who is asking: the session cookie, the logged-in user with their grants, and CSRF.

use std::net::IpAddr;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use dxplan_app::Origin;
use dxplan_domain::Lang;

pub use dxplan_app::principal::{CurrentUser, TokenUse, hash_token, random_token};

use crate::error::{AppError, WebError, WebResult};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "dxplan_session";
pub const LANG_COOKIE: &str = "dxplan_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "_csrf";

/// Facts about the request every layer may need: language, client address, request id.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub lang: Lang,
    pub client_addr: Option<IpAddr>,
    pub request_id: Option<String>,
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> WebResult<Self> {
        (parts
            .extensions
            .get::<RequestMeta>()
            .cloned()
            .ok_or_else(|| AppError::internal("request meta missing")))
        .map_err(WebError::from)
    }
}

impl RequestMeta {
    /// Where the request came from, for the audit log and the login throttle.
    pub fn origin(&self) -> Origin {
        Origin {
            client_addr: self.client_addr,
            request_id: self.request_id.clone(),
        }
    }
}

/// A required login: answers 401 (or the login page) when nobody is logged in.
pub struct Auth(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> WebResult<Self> {
        match parts.extensions.get::<Option<CurrentUser>>() {
            Some(Some(user)) => Ok(Auth(user.clone())),
            _ => Err(WebError(AppError::Unauthorized)),
        }
    }
}

/// An optional login.
pub struct MaybeAuth(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuth {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> WebResult<Self> {
        Ok(MaybeAuth(
            parts
                .extensions
                .get::<Option<CurrentUser>>()
                .cloned()
                .flatten(),
        ))
    }
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Builds a `Set-Cookie` value with dxplan's defaults (HttpOnly, SameSite=Lax, path /).
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> String {
    let mut c = Cookie::build((name.to_string(), value.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure);
    if let Some(age) = max_age_secs {
        c = c.max_age(cookie::time::Duration::seconds(age));
    }
    c.build().to_string()
}

/// The cookie that carries a session begun by [`dxplan_app::sessions::login`].
pub fn session_cookie(state: &AppState, secret: &str) -> String {
    set_cookie(SESSION_COOKIE, secret, None, state.config.secure_cookies)
}

pub fn clear_session_cookie(state: &AppState) -> String {
    set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies)
}

/// Loads the session (if any) into the request and enforces CSRF on state-changing
/// requests made with the session cookie.
pub async fn load_session(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match authenticate(&state, request).await {
        Ok(request) => {
            let user = request.extensions().get::<Option<CurrentUser>>().cloned();
            let mut response = next.run(request).await;
            // Error pages are rendered further out; they show the user's navigation.
            if let Some(user) = user {
                response.extensions_mut().insert(user);
            }
            response
        }
        Err(e) => e.into_response(),
    }
}

async fn authenticate(state: &AppState, mut request: Request) -> WebResult<Request> {
    // Probes and assets never need to know who asks: spare them the database. (Metrics
    // do: they are for administrators.)
    let path = request.uri().path();
    if path == "/healthz" || path == "/favicon.ico" || path.starts_with("/static/") {
        request.extensions_mut().insert(None::<CurrentUser>);
        return Ok(request);
    }
    // A machine client sends `Authorization: Bearer <token>`; it carries no cookie, so
    // there is nothing for a forged cross-site request to ride on: no CSRF check.
    if let Some(secret) = bearer(request.headers()) {
        let user = dxplan_app::sessions::user_of_token(state, &secret).await?;
        // A read-only token changes nothing, not even its owner's own settings
        // (notifications read, e-mail preference): refused before any body is read.
        if user.token.as_ref().is_some_and(|t| t.read_only) && !is_safe(request.method()) {
            return Err(WebError(AppError::Forbidden));
        }
        request.extensions_mut().insert(Some(user));
        return Ok(request);
    }
    let user = match cookie_value(request.headers(), SESSION_COOKIE) {
        Some(token) if !token.is_empty() => {
            dxplan_app::sessions::user_of_session(state, &hash_token(token)).await?
        }
        _ => None,
    };
    let unsafe_method = !is_safe(request.method());
    let path = request.uri().path();
    let creates_session = path == "/login" || path == "/api/v1/auth/login";
    if let Some(user) = &user
        && unsafe_method
        && !creates_session
    {
        request = check_csrf(state, request, &user.csrf).await?;
    }
    request.extensions_mut().insert(user);
    Ok(request)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| secret.trim().to_string())
}

/// The token may come as a header (JSON calls), a query parameter (file uploads) or a
/// form field (plain HTML forms, read from the buffered body).
async fn check_csrf(state: &AppState, request: Request, expected: &str) -> WebResult<Request> {
    let matches = |given: &str| constant_time_eq(given.as_bytes(), expected.as_bytes());
    if let Some(given) = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        return if matches(given) {
            Ok(request)
        } else {
            Err(WebError(AppError::CsrfFailed))
        };
    }
    let from_query = request
        .uri()
        .query()
        .and_then(|q| form_urlencoded_pairs(q).find(|(k, _)| k == CSRF_FIELD))
        .map(|(_, v)| v);
    if let Some(given) = from_query {
        return if matches(&given) {
            Ok(request)
        } else {
            Err(WebError(AppError::CsrfFailed))
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(WebError(AppError::CsrfFailed));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, state.config.body_limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge(None))?;
    if bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00") {
        return Err(crate::middleware::nul_refused());
    }
    let given = form_urlencoded_pairs(std::str::from_utf8(&bytes).unwrap_or_default())
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v);
    match given {
        Some(given) if matches(&given) => {
            Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
        }
        _ => Err(WebError(AppError::CsrfFailed)),
    }
}

fn form_urlencoded_pairs(s: &str) -> impl Iterator<Item = (String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(s)
        .unwrap_or_default()
        .into_iter()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
