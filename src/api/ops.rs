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

/// Readiness: the database and the cache answer.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses((status = 200, description = "ready"), (status = 503, body = Problem, description = "a dependency is down")))]
async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.market.ping().await;
    let cache = state.market.cache().cache.ping().await;
    if let Err(e) = &db {
        tracing::warn!(error = %e, "readiness: database unavailable");
    }
    if let Err(e) = &cache {
        tracing::warn!(error = %e, "readiness: cache unavailable");
    }
    match (db, cache) {
        (Ok(()), Ok(())) => Json(json!({
            "status": "ready",
            "database": "ok",
            "cache": state.market.cache().cache.backend_name(),
        }))
        .into_response(),
        (db, cache) => Problem::unavailable(format!(
            "database: {}, cache: {}",
            if db.is_ok() { "ok" } else { "unavailable" },
            if cache.is_ok() { "ok" } else { "unavailable" }
        ))
        .into_response(),
    }
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "metrics in the Prometheus text format", content_type = "text/plain", body = String)))]
async fn metrics_text() -> Response {
    let body = crate::telemetry::metrics_handle().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
