//! The JSON API under `/api/v1`: the routes. Each subject's handlers live in their own
//! file and only call the use cases (`dxplan_app`); the extractors they share are in
//! `extract`.

use axum::Router;
use axum::routing::{delete, get, post};

pub mod audit;
pub mod auth;
pub mod briefings;
pub mod dashboard;
pub mod dhis2;
pub mod evaluation;
pub mod explanations;
mod extract;
pub mod index;
pub mod indicators;
pub mod issuer;
pub mod notifications;
pub mod reorg;
pub mod steering;
pub mod tasks;
pub mod tokens;
pub mod units;
pub mod urging;
pub mod users;
pub mod webhooks;

pub(crate) use extract::{ApiJson, ApiQuery, PageQuery, caller, paged, parse_at};

use crate::state::AppState;

/// The API; `upload_limit` bounds the body of evidence uploads.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/me/password", post(auth::change_password))
        .route("/units", get(units::list).post(units::create))
        .route("/units/import", post(units::import))
        .route("/units/{code}", get(units::get_one).patch(units::patch))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::get_one).patch(users::patch))
        .route("/users/{id}/password", post(users::reset_password))
        .route(
            "/users/{id}/grants",
            get(users::list_grants).post(users::add_grant),
        )
        .route("/users/{id}/grants/{grant_id}", delete(users::remove_grant))
        .route("/audit", get(audit::list))
        .merge(tasks::routes(upload_limit))
        .merge(notifications::routes())
        .merge(indicators::routes(upload_limit))
        .merge(dashboard::routes())
        .merge(evaluation::routes())
        .merge(urging::routes())
        .merge(briefings::routes())
        .merge(steering::routes())
        .merge(explanations::routes(upload_limit))
        .merge(index::routes(upload_limit))
        .merge(tokens::routes())
        .merge(issuer::routes())
        .merge(dhis2::routes())
        .merge(webhooks::routes())
        .merge(reorg::routes())
        .layer(axum::middleware::from_fn(crate::middleware::etag))
        .layer(axum::middleware::from_fn(crate::metrics::expose_route))
}
