//! Request-wide layers: request facts, security headers, the origin check and error
//! rendering.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use dxplan_domain::Lang;

use crate::error::{AppError, ErrorMarker, WebError};
use crate::pages::ErrorPage;
use crate::session::{CurrentUser, LANG_COOKIE, RequestMeta, cookie_value};
use crate::state::AppState;

/// The client's address: the connection's peer, or — when that peer is one of our
/// trusted reverse proxies — the last address in `X-Forwarded-For` that is not a
/// trusted proxy itself (each proxy appends the peer it saw, so entries left of it are
/// whatever the client chose to send and are not believed).
fn client_addr(request: &Request, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|part| part.trim().parse::<IpAddr>())
        .collect::<Result<_, _>>()
        // A malformed chain is not believed at all.
        .unwrap_or_default();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted_proxies.contains(a))
            .unwrap_or(peer),
    )
}

/// Works out the language, client address and request id once per request.
pub async fn request_meta(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client_addr = client_addr(&request, &state.config.trusted_proxies);
    let headers = request.headers();
    let lang = cookie_value(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
        })
        .unwrap_or_default();
    let meta = RequestMeta {
        lang,
        client_addr,
        request_id: headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        path: request.uri().path().to_string(),
    };
    request.extensions_mut().insert(meta);
    next.run(request).await
}

/// What a NUL character in a request is told: no text holds one, and PostgreSQL refuses
/// to store one (which would otherwise surface as a server error).
pub fn nul_refused() -> WebError {
    WebError(AppError::BadRequest(
        "có ký tự NUL (\\0) — văn bản không được chứa ký tự này / a NUL character (\\0) is not allowed in text".into(),
    ))
}

/// The longest value a query string may carry, in characters: a search typed or pasted,
/// a unit's name, a cursor. Beyond it the engines refuse the search pattern (SQLite's
/// `LIKE` takes 50,000 bytes) or the number of its words, and the memory of recent lists
/// would keep keys of any size.
pub const MAX_QUERY_VALUE_CHARS: usize = 500;

/// Refuses a request whose address no handler should read: a NUL character (`%00`) in its
/// path or query, or a query value longer than [`MAX_QUERY_VALUE_CHARS`]. Bodies are
/// checked where they are read (forms, JSON).
pub async fn check_address(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let carries_nul = |s: &str| s.contains("%00");
    if carries_nul(uri.path()) || uri.query().is_some_and(carries_nul) {
        return nul_refused().into_response();
    }
    let too_long = uri.query().is_some_and(|q| {
        // A value's encoded form is never shorter than its text: most are checked unread.
        q.len() > MAX_QUERY_VALUE_CHARS
            && url::form_urlencoded::parse(q.as_bytes())
                .any(|(_, v)| v.chars().count() > MAX_QUERY_VALUE_CHARS)
    });
    if too_long {
        return WebError(AppError::BadRequest(format!(
            "một giá trị trong địa chỉ dài quá {MAX_QUERY_VALUE_CHARS} ký tự (từ khoá tìm kiếm chẳng hạn) — hãy rút gọn / a value in the address is longer than {MAX_QUERY_VALUE_CHARS} characters (a search, say): shorten it"
        )))
        .into_response();
    }
    next.run(request).await
}

/// Refuses state-changing requests that a browser says come from another site.
pub async fn same_origin(request: Request, next: Next) -> Response {
    if !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        let headers = request.headers();
        let cross_site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site");
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let foreign_origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|origin| {
                let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
                host.is_none_or(|h| h != origin_host)
            });
        if cross_site || foreign_origin {
            return WebError(AppError::CsrfFailed).into_response();
        }
    }
    next.run(request).await
}

/// The usual security headers, and a Content-Security-Policy that allows only our own
/// scripts and styles (no inline script, no outside host). Served behind HTTPS (secure
/// cookies), browsers are also told to use HTTPS only for a year.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if state.config.secure_cookies {
        h.entry("strict-transport-security")
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    let set = |h: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    set(h, "cross-origin-opener-policy", "same-origin");
    response
}

/// Paths anyone may read, whose caching their handlers decide (embedded assets are
/// cached for a day; open data and published results are the same for everybody).
fn is_public_path(path: &str) -> bool {
    ["/open", "/public", "/static", "/favicon.ico"]
        .iter()
        .any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// Nothing sent to a logged-in person (by session or token) is kept by a browser, a
/// proxy or a shared computer's disk cache: pages, API answers, downloads and exports
/// all carry `Cache-Control: no-store`, as does any answer that sets a cookie (a login's
/// CSRF token, for one). Set here once, after every handler and error page, so none can
/// forget it. Public paths keep their own caching; when such a page is shown to a
/// logged-in person (it names them in its header) and sets none, it is marked `private`
/// so that no shared cache hands it to somebody else.
pub async fn cache_control(request: Request, next: Next) -> Response {
    let public = is_public_path(request.uri().path());
    let mut response = next.run(request).await;
    let authenticated = matches!(
        response.extensions().get::<Option<CurrentUser>>(),
        Some(Some(_))
    );
    let headers = response.headers_mut();
    if public {
        if authenticated && !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
        }
    } else if authenticated || headers.contains_key(header::SET_COOKIE) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Gives every error response its body: the JSON error format under `/api`, a page
/// in the user's language elsewhere (or the login page when not logged in). Errors that
/// axum's own extractors produce (bad JSON, wrong content type, too large) get the same
/// treatment.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let meta = request.extensions().get::<RequestMeta>().cloned();
    // Machines read these: a JSON error, never a redirect to the login page (a scraper
    // without its token must see 401, not a 303 to a form).
    let is_api = request.uri().path().starts_with("/api/") || request.uri().path() == "/metrics";
    let original_uri = request.uri().clone();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let already_rendered = response.extensions().get::<ErrorMarker>().is_none()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
    if already_rendered {
        // A form shown again with its errors, for example.
        return response;
    }
    let lang = meta.as_ref().map(|m| m.lang).unwrap_or_default();
    let (mut parts, body) = response.into_parts();
    let user = parts
        .extensions
        .get::<Option<CurrentUser>>()
        .cloned()
        .flatten();
    let error = match parts.extensions.remove::<ErrorMarker>() {
        Some(ErrorMarker(e)) => (*e).clone(),
        None => {
            // A response made outside our handlers: keep its status, explain it ourselves.
            let text = axum::body::to_bytes(body, 16 * 1024)
                .await
                .unwrap_or_default();
            let detail = String::from_utf8_lossy(&text)
                .chars()
                .take(300)
                .collect::<String>();
            match status {
                StatusCode::NOT_FOUND => AppError::NotFound,
                StatusCode::METHOD_NOT_ALLOWED => AppError::BadRequest("method not allowed".into()),
                StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(None),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
                StatusCode::REQUEST_TIMEOUT => AppError::TimedOut,
                s if s.is_client_error() => AppError::BadRequest(detail),
                _ => AppError::Internal(detail),
            }
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    if is_api {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let body = Body::from(crate::error::to_json(&error, lang).to_string());
        return (status, Response::from_parts(parts, body)).into_response();
    }
    if matches!(error, AppError::Unauthorized) {
        let next = original_uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let target = format!("/login?next={}", urlencode(next));
        return Redirect::to(&target).into_response();
    }
    let page = ErrorPage::render(&state, lang, user, status, &error);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    (status, Response::from_parts(parts, Body::from(page))).into_response()
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// A `Location` value that is always a valid header: every byte a URL may not carry as
/// it is (controls, white space, non-ASCII) percent-encoded. Redirects after a form are
/// built from what the request named (a unit code, a period); a line break in one must
/// neither fail the response (a 500) nor split the header.
pub fn location(to: &str) -> String {
    let mut out = String::with_capacity(to.len());
    for b in to.bytes() {
        if (0x21..=0x7e).contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A plain HTML response (handlers use askama templates through this).
pub fn html(body: String) -> Response {
    Html(body).into_response()
}

/// JSON answers larger than this are passed through without an entity tag.
const ETAG_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Conditional reads for the API: every successful JSON answer to a GET carries a strong
/// `ETag` (a hash of the body); a client sending it back in `If-None-Match` gets
/// `304 Not Modified` and no body, so a sync job polling an unchanged list costs a hash,
/// not a download.
pub async fn etag(request: Request, next: Next) -> Response {
    use sha2::{Digest, Sha256};
    let conditional = matches!(*request.method(), Method::GET | Method::HEAD);
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !conditional || response.status() != StatusCode::OK || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ETAG_MAX_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "response too large").into_response();
    };
    let tag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    let Ok(value) = HeaderValue::from_str(&tag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    // No Cache-Control here: every API answer goes to someone logged in, and
    // `cache_control` makes those `no-store`; the tag serves clients that keep their
    // own copy (a sync job) and ask with `If-None-Match`.
    parts.headers.insert(header::ETAG, value.clone());
    let matches = if_none_match.is_some_and(|given| {
        given
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == tag || t == "*")
    });
    if matches {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        not_modified.headers_mut().insert(header::ETAG, value);
        return not_modified;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Conditional writes for the API: a `PUT`, `PATCH` or `DELETE` carrying `If-Match` goes
/// through only when the resource's current representation (a `GET` of the same path,
/// as the same caller) still has that entity tag; otherwise `412 Precondition Failed` and
/// nothing changes. It wraps the whole API router (routing happens inside it, so the probe
/// finds the `GET` handler), and the probe passes the [`etag`] layer, so tags agree.
#[derive(Clone, Copy, Default)]
pub struct IfMatchLayer;

impl<S> tower::Layer<S> for IfMatchLayer {
    type Service = IfMatch<S>;
    fn layer(&self, inner: S) -> IfMatch<S> {
        IfMatch { inner }
    }
}

#[derive(Clone)]
pub struct IfMatch<S> {
    inner: S,
}

impl<S> tower::Service<Request> for IfMatch<S>
where
    S: tower::Service<Request, Response = Response, Error = std::convert::Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Response, std::convert::Infallible>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        use tower::ServiceExt;
        // The ready service answers this request; a fresh clone answers the probe.
        let probe_service = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, probe_service.clone());
        Box::pin(async move {
            let expected = request
                .headers()
                .get(header::IF_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let write = matches!(
                *request.method(),
                Method::PUT | Method::PATCH | Method::DELETE
            );
            if let (true, Some(expected)) = (write, expected) {
                let mut probe = Request::new(Body::empty());
                *probe.uri_mut() = request.uri().clone();
                *probe.headers_mut() = request.headers().clone();
                probe.headers_mut().remove(header::IF_MATCH);
                probe.headers_mut().remove(header::CONTENT_TYPE);
                probe.headers_mut().remove(header::CONTENT_LENGTH);
                // Who asks, in which language, and the route's matched parameters: all
                // set on the request before it reached this layer.
                *probe.extensions_mut() = request.extensions().clone();
                let current = probe_service.oneshot(probe).await?;
                let tag = current
                    .headers()
                    .get(header::ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let matches = current.status() == StatusCode::OK
                    && tag.is_some_and(|tag| {
                        expected
                            .split(',')
                            .map(str::trim)
                            .any(|given| given == "*" || given == tag)
                    });
                if !matches {
                    return Ok(WebError(AppError::PreconditionFailed).into_response());
                }
            }
            inner.call(request).await
        })
    }
}
