//! Who is asking: the session cookie, the logged-in user with their grants, and CSRF.

use std::net::IpAddr;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use cookie::{Cookie, SameSite};
use dxplan_domain::Lang;
use dxplan_domain::auth::{Action, Grant, Target, authorize, holds};
use dxplan_store::audit::Actor;
use dxplan_store::{sessions, units, users};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
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
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> AppResult<Self> {
        parts
            .extensions
            .get::<RequestMeta>()
            .cloned()
            .ok_or_else(|| AppError::internal("request meta missing"))
    }
}

/// The logged-in user of this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<i64>,
    pub grants: Vec<Grant>,
    pub csrf: String,
    pub session_hash: String,
    /// Set when the request came with an API token rather than a session.
    pub token: Option<TokenUse>,
}

/// The API token a request was made with.
#[derive(Debug, Clone)]
pub struct TokenUse {
    pub id: i64,
    pub name: String,
    /// Made for reading only: it changes nothing, not even its owner's own settings.
    pub read_only: bool,
}

impl CurrentUser {
    pub fn may(&self, action: Action, target: Target<'_>) -> bool {
        authorize(&self.grants, action, target)
    }

    /// Whether the user may do `action` on at least one unit: for what to offer and for
    /// what every member reads alike, never as the decision for a change (see
    /// [`dxplan_domain::auth::holds`]).
    pub fn holds(&self, action: Action) -> bool {
        holds(&self.grants, action)
    }

    /// Refuses with 403 a user who may do `action` nowhere: checked before a request's
    /// body is read, ahead of the full check on the target the body names.
    pub fn require_somewhere(&self, action: Action) -> AppResult<()> {
        if self.holds(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The units whose subtrees the user may act on with `action`: `None` when a
    /// system-wide grant allows it everywhere.
    pub fn scope(&self, action: Action) -> Option<Vec<i64>> {
        if self
            .grants
            .iter()
            .any(|g| g.unit.is_none() && g.allows(action))
        {
            return None;
        }
        Some(
            self.grants
                .iter()
                .filter(|g| g.allows(action))
                .filter_map(|g| g.unit)
                .collect(),
        )
    }

    /// Refuses with 403 unless the policy allows it.
    pub fn require(&self, action: Action, target: Target<'_>) -> AppResult<()> {
        if self.may(action, target) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn actor(&self, meta: &RequestMeta, via: &'static str) -> Actor {
        // A write made with a token is audited as such, naming the token.
        let (name, via) = match &self.token {
            Some(t) => (format!("{} [token {}]", self.username, t.name), "token"),
            None => (self.username.clone(), via),
        };
        Actor {
            user_id: Some(self.id),
            name,
            via,
            client_addr: meta.client_addr.map(|a| a.to_string()),
            request_id: meta.request_id.clone(),
        }
    }

    pub fn is_system_admin(&self) -> bool {
        self.may(Action::ManageUsers, Target::System)
    }
}

/// A required login: answers 401 (or the login page) when nobody is logged in.
pub struct Auth(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> AppResult<Self> {
        match parts.extensions.get::<Option<CurrentUser>>() {
            Some(Some(user)) => Ok(Auth(user.clone())),
            _ => Err(AppError::Unauthorized),
        }
    }
}

/// An optional login.
pub struct MaybeAuth(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuth {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> AppResult<Self> {
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

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
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

/// Starts a session for a user who just proved who they are; returns the Set-Cookie value and CSRF token.
pub async fn start_session(
    state: &AppState,
    user_id: i64,
    meta: &RequestMeta,
    user_agent: Option<&str>,
) -> AppResult<(String, String)> {
    let token = random_token();
    let csrf = random_token();
    let now = state.now();
    let absolute = state.config.session_absolute;
    let mut c = state.db.begin().await?;
    sessions::create(
        &mut c,
        &sessions::NewSession {
            id_hash: &hash_token(&token),
            user_id,
            csrf_token: &csrf,
            now,
            expires_at: now + absolute,
            client_addr: meta.client_addr.map(|a| a.to_string()).as_deref(),
            user_agent,
        },
    )
    .await?;
    c.commit().await?;
    let cookie = set_cookie(SESSION_COOKIE, &token, None, state.config.secure_cookies);
    Ok((cookie, csrf))
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

async fn authenticate(state: &AppState, mut request: Request) -> AppResult<Request> {
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
        let user = load_token_user(state, &secret).await?;
        // A read-only token changes nothing, not even its owner's own settings
        // (notifications read, e-mail preference): refused before any body is read.
        if user.token.as_ref().is_some_and(|t| t.read_only) && !is_safe(request.method()) {
            return Err(AppError::Forbidden);
        }
        request.extensions_mut().insert(Some(user));
        return Ok(request);
    }
    let user = match cookie_value(request.headers(), SESSION_COOKIE) {
        Some(token) if !token.is_empty() => load_user(state, &hash_token(token)).await?,
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

/// The owner of a live API token, with the token's narrower rights; refuses unknown,
/// expired and revoked tokens, and a token used faster than its rate allows.
async fn load_token_user(state: &AppState, secret: &str) -> AppResult<CurrentUser> {
    use crate::error::TokenProblem;
    use dxplan_store::tokens;
    let now = state.now();
    let mut c = state.db.read().await?;
    let Some(token) = tokens::by_hash(&mut c, &hash_token(secret)).await? else {
        return Err(AppError::InvalidToken(TokenProblem::Unknown));
    };
    if token.revoked_at.is_some() {
        return Err(AppError::InvalidToken(TokenProblem::Revoked));
    }
    if token.expires_at <= now {
        return Err(AppError::InvalidToken(TokenProblem::Expired));
    }
    if let Err(wait) = state.token_limiter.attempt(token.id) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let user = users::get(&mut c, token.user_id).await?;
    if !user.active {
        return Err(AppError::InvalidToken(TokenProblem::Revoked));
    }
    let own: Vec<Grant> = users::grants(&mut c, user.id)
        .await?
        .iter()
        .map(|g| g.grant())
        .collect();
    let token_lineage = match token.unit_id {
        Some(u) => Some(units::lineage(&mut c, u).await?),
        None => None,
    };
    let mut lineages = std::collections::HashMap::new();
    if token_lineage.is_some() {
        for unit in own.iter().filter_map(|g| g.unit) {
            lineages.insert(unit, units::lineage(&mut c, unit).await?);
        }
    }
    let grants = dxplan_domain::auth::narrow_grants(
        &own,
        token.access == "read",
        token_lineage.as_deref(),
        |u| lineages.get(&u).cloned().unwrap_or_default(),
    );
    // Last use, written at most once a minute to spare the disk.
    if token
        .last_used_at
        .is_none_or(|at| now - at > time::Duration::minutes(1))
    {
        drop(c);
        let mut w = state.db.begin().await?;
        tokens::touch(&mut w, token.id, now).await?;
        w.commit().await?;
    }
    Ok(CurrentUser {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        unit_id: user.unit_id,
        grants,
        csrf: String::new(),
        session_hash: String::new(),
        token: Some(TokenUse {
            id: token.id,
            name: token.name,
            read_only: token.access == "read",
        }),
    })
}

async fn load_user(state: &AppState, id_hash: &str) -> AppResult<Option<CurrentUser>> {
    let now = state.now();
    let idle_since = now - state.config.session_idle;
    let mut c = state.db.read().await?;
    let Some(session) = sessions::find(&mut c, id_hash, now, idle_since).await? else {
        return Ok(None);
    };
    let user = users::get(&mut c, session.user_id).await?;
    let grants = users::grants(&mut c, user.id)
        .await?
        .iter()
        .map(|g| g.grant())
        .collect();
    // Sliding idle expiry, written at most once a minute to spare the disk.
    if now - session.last_seen_at > time::Duration::minutes(1) {
        drop(c);
        let mut w = state.db.begin().await?;
        sessions::touch(&mut w, id_hash, now).await?;
        w.commit().await?;
    }
    Ok(Some(CurrentUser {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        unit_id: user.unit_id,
        grants,
        csrf: session.csrf_token,
        session_hash: id_hash.to_string(),
        token: None,
    }))
}

/// The token may come as a header (JSON calls), a query parameter (file uploads) or a
/// form field (plain HTML forms, read from the buffered body).
async fn check_csrf(state: &AppState, request: Request, expected: &str) -> AppResult<Request> {
    let matches = |given: &str| constant_time_eq(given.as_bytes(), expected.as_bytes());
    if let Some(given) = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        return if matches(given) {
            Ok(request)
        } else {
            Err(AppError::CsrfFailed)
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
            Err(AppError::CsrfFailed)
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::CsrfFailed);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, state.config.body_limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge(None))?;
    let given = form_urlencoded_pairs(std::str::from_utf8(&bytes).unwrap_or_default())
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v);
    match given {
        Some(given) if matches(&given) => {
            Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
        }
        _ => Err(AppError::CsrfFailed),
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

/// Loads the ancestry of a unit for the policy, or 404.
pub async fn unit_lineage(state: &AppState, unit_id: i64) -> AppResult<Vec<i64>> {
    let mut c = state.db.read().await?;
    Ok(units::lineage(&mut c, unit_id).await?)
}
