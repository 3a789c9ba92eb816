//! Prometheus metrics: requests by route and status, a latency histogram, and the
//! database pool.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use dxplan_domain::auth::Role;

use crate::error::AppError;
use crate::session::MaybeAuth;
use crate::state::AppState;

#[derive(Clone)]
pub struct Metrics {
    handle: Option<PrometheusHandle>,
}

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

impl Metrics {
    /// The process-wide recorder (metrics are global by nature; installed once).
    pub fn global() -> Metrics {
        let handle = HANDLE.get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ])
                .ok()
                .and_then(|b| b.install_recorder().ok())
        });
        Metrics {
            handle: handle.clone(),
        }
    }

    pub fn render(&self) -> String {
        self.handle.as_ref().map(|h| h.render()).unwrap_or_default()
    }
}

/// The route an inner router matched, for a router mounted as a service (the API), whose
/// own routing the outer router cannot see.
#[derive(Clone)]
pub struct RouteLabel(pub String);

/// Puts the matched route (the full pattern, `/api/v1/tasks/{id}`) on the response.
pub async fn expose_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteLabel(route));
    }
    response
}

pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map_or(route, |label| label.0.clone());
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route, "method" => method)
        .record(start.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`, for a system administrator only: route names, error rates and pool
/// sizes tell an outsider too much about the installation. Prometheus scrapes it with a
/// read-only administrator token (`Authorization: Bearer …`); anyone else gets 401 or 403.
pub async fn endpoint(
    State(state): State<AppState>,
    MaybeAuth(user): MaybeAuth,
) -> Result<Response, crate::error::WebError> {
    let user = user.ok_or(AppError::Unauthorized)?;
    // A system-wide administrator grant, read-only (a scraping token) or not; an
    // administrator of one unit's subtree, or a token narrowed to one, is not enough.
    let system_admin = user
        .grants
        .iter()
        .any(|g| g.role == Role::Admin && g.unit.is_none());
    if !system_admin {
        return Err(crate::error::WebError(AppError::Forbidden));
    }
    let pool = state.pool_stats();
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size));
    metrics::gauge!("db_pool_idle_connections").set(pool.idle as f64);
    if let Some(replica) = pool.replica {
        // Reads the replica served, and reads kept on the primary while it lagged.
        metrics::counter!("db_reads_total", "to" => "replica").absolute(replica.replica_reads);
        metrics::counter!("db_reads_total", "to" => "primary").absolute(replica.primary_reads);
    }
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        state.metrics.render(),
    )
        .into_response())
}
