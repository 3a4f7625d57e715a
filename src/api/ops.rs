//! Operations endpoints: liveness, readiness (database and cache) and metrics.

use super::{AppState, Problem};
use axum::{
    Json,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(metrics_text))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "`{\"status\": \"ok\"}`")))]
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers. Without the cache the API still works (from the
/// database, with in-process throttles), so a cache outage reports `degraded` and
/// stays ready; without the database it is not ready.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses((status = 200, description = "ready (`status` is `ready`, or `degraded` when the cache is down)"),
        (status = 503, body = Problem, description = "the database is down")))]
async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.market.ping().await;
    let cache = state.market.cache().cache.ping().await;
    if let Err(e) = &db {
        tracing::warn!(error = %e, "readiness: database unavailable");
    }
    if let Err(e) = &cache {
        tracing::warn!(error = %e, "readiness: cache unavailable");
    }
    let cache_state = if cache.is_ok() { "ok" } else { "unavailable" };
    if db.is_err() {
        return Problem::unavailable(format!("database: unavailable, cache: {cache_state}")).into_response();
    }
    Json(json!({
        "status": if cache.is_ok() { "ready" } else { "degraded" },
        "database": "ok",
        "cache": if cache.is_ok() { state.market.cache().cache.backend_name() } else { "unavailable" },
        "payments": state.market.payments().provider_name().unwrap_or("none (deposits are turned off)"),
    }))
    .into_response()
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "metrics in the Prometheus text format", content_type = "text/plain", body = String)))]
async fn metrics_text() -> Response {
    let body = crate::telemetry::metrics_handle().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
