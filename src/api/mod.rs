//! The HTTP adapter (axum): router, shared state and the server loop.

mod admin;
mod auth;
mod auth_oauth;
mod chips;
mod community;
mod designers;
mod errors;
pub mod extract;
mod me;
mod me_profiles;
mod notifications;
mod openapi;
mod ops;
mod pagination;
mod problem;
mod purchases;
mod subscriptions;
mod voice;
mod wallet;

pub use extract::{AdminUser, ApiJson, AuthUser, ClientInfo, DesignerUser, MaybeUser};
pub use problem::Problem;

use crate::auth::Auth;
use crate::config::Config;
use crate::market::Market;
use crate::voice::VoiceHub;
use axum::{
    Router,
    extract::{MatchedPath, Request},
    middleware::{self, Next},
    response::Response,
};
use std::{future::Future, sync::Arc, time::Duration, time::Instant};
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// What every handler can reach: the services, never the store. Built by the
/// composition root ([`crate::app::App::http_state`]).
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub market: Market,
    pub auth: Arc<Auth>,
    /// The voice pipelines (speech recognition only when a model is loaded).
    pub voice: Arc<VoiceHub>,
    /// The VAPID public key browsers subscribe to push with; `None`: push is off.
    pub push_public_key: Option<String>,
}

/// A JSON answer from already-serialised bytes (a cached read).
pub(crate) fn json_bytes(bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// Builds the full router with its middleware.
pub fn router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.server.request_timeout_secs.max(1));
    let body_limit = state.config.server.body_limit_bytes;
    let header = axum::http::HeaderName::from_static("x-request-id");
    let cors = cors_layer(&state.config.server.cors_origins);
    let (routes, doc) = openapi::routes().split_for_parts();
    let doc = Arc::new(openapi::finish(&doc));
    routes
        .route("/openapi.json", axum::routing::get(move || async move { axum::Json(doc.as_ref().clone()) }))
        .merge(crate::web::routes())
        .fallback(|| async { Problem::not_found("no such endpoint") })
        .method_not_allowed_fallback(|| async {
            Problem::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .with_state(state)
        .layer(middleware::from_fn(track_metrics))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "unmatched".into());
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("http", method = %req.method(), route = %route, request_id = %id)
        }))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
        .layer(CatchPanicLayer::custom(|_| Problem::internal().into_response_inner()))
        .layer(cors)
}

/// Browsers may call the API from the configured origins only.
fn cors_layer(origins: &[String]) -> tower_http::cors::CorsLayer {
    use axum::http::{HeaderValue, Method, header};
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    tower_http::cors::CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .max_age(Duration::from_secs(600))
}

async fn track_metrics(req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
    resp
}

/// Serves `state` on an already-bound listener until `shutdown` resolves, then
/// finishes in-flight requests. Tests bind port 0 and pass the listener in.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::telemetry::metrics_handle();
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
