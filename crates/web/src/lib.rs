//! dxplan's HTTP front doors: server-rendered pages (Vietnamese first, English second)
//! and the JSON API under `/api/v1`, both over the use cases of `dxplan_app`. A handler
//! reads its request, calls one use case and renders what it answers; it never reaches
//! the store (the crate does not depend on it), and `api/` and `pages/` share only `http/`.

pub mod api;
pub mod error;
pub mod format;
pub mod http;
mod idempotency;
pub mod memory;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod session;
pub mod state;
pub mod upload;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use state::{AppState, WebConfig};

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let body_limit = state.config.body_limit;
    // Room for the multipart framing around the largest accepted file.
    let upload_limit = usize::try_from(state.settings.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    Router::new()
        .merge(pages::routes(upload_limit))
        .nest_service(
            "/api/v1",
            tower::ServiceBuilder::new()
                // Outside `If-Match`: a retry of a conditional write that went through gets
                // its first answer, not a 412 against its own change.
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    idempotency::keep_answers,
                ))
                .layer(middleware::IfMatchLayer)
                .service(
                    api::routes(upload_limit)
                        .fallback(|| async { error::WebError(error::AppError::NotFound) })
                        .with_state(state.clone()),
                ),
        )
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::endpoint))
        .route("/static/{*path}", get(pages::assets::serve))
        .route("/favicon.ico", get(pages::assets::favicon))
        .route("/sw.js", get(pages::assets::service_worker))
        .fallback(fallback)
        // Listed innermost first: a request passes them from the bottom up.
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::load_session))
        .layer(axum::middleware::from_fn(middleware::same_origin))
        .layer(axum::middleware::from_fn(middleware::check_address))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::render_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::request_meta))
        .layer(axum::middleware::from_fn(middleware::cache_control))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
        .layer(DefaultBodyLimit::max(body_limit))
        // A request that takes this long is stopped (its future dropped, which cancels
        // any parse it started) and told so with a 4xx: the input, not the server, is at fault.
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(axum::middleware::from_fn(metrics::track))
        // Pages, JSON and CSV go out gzipped; documents that are zip files already (xlsx,
        // docx) or PDFs are left as they are.
        .layer(
            // Level 6: the province's dashboard page of 259 kB is 23.7 kB for 1.1 ms of CPU
            // (level 1 made 35 kB in 0.3 ms; measured 4 December 2026), and a commune's weak
            // signal gains more from the bytes than the server loses in the time. Brotli at
            // level 4 made 21.6 kB but, streamed, cut the dashboard's JSON from 2,630 to 540
            // requests/s, so it is not offered.
            CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Precise(6))
                .compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::new("application/pdf"))
                    .and(NotForContentType::new("application/vnd.openxmlformats"))
                    .and(NotForContentType::new("application/zip")),
            ),
        )
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // A wall link's path is its secret: the log names the route only.
                    let uri = if req.uri().path().starts_with("/wall/") { "/wall/…".to_string() } else { req.uri().to_string() };
                    tracing::info_span!("request", method = %req.method(), uri = %uri, request_id = %id)
                })
                // One line per request, carrying the span's request id.
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

async fn fallback() -> error::WebError {
    error::WebError(error::AppError::NotFound)
}

/// Answers 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.database_answers().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Documents a previous process was making will never be finished: say so.
    if let Err(e) = dxplan_app::exports::fail_interrupted(&state).await {
        tracing::warn!(error = %e, "could not mark interrupted export jobs");
    }
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
