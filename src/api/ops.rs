//! Operations endpoints: liveness, readiness (database and cache) and metrics.

use super::{AppState, Problem};
use axum::{
    Json, Router,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics_text))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.store.ping().await;
    let cache = state.cache.cache.ping().await;
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
            "cache": state.cache.cache.backend_name(),
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

async fn metrics_text() -> Response {
    let body = crate::telemetry::metrics_handle().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
