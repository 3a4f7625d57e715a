//! `/v1/auth/oauth/{provider}/...`: sign-in with an OAuth 2.0 / OpenID Connect
//! provider. `start` redirects the browser to the provider; the provider sends it
//! back to `callback`, which answers with our token pair.

use super::{AppState, ClientInfo, Problem};
use crate::auth::TokenPair;
use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(oauth_start)).routes(routes!(oauth_callback))
}

#[utoipa::path(get, path = "/v1/auth/oauth/{provider}/start", tag = "auth",
    params(("provider" = String, Path, description = "a provider name from auth.oauth")),
    responses((status = 302, description = "redirect to the provider's authorize URL (Location)"),
              (status = 404, body = Problem, description = "no such provider"),
              (status = 503, body = Problem, description = "sign-in state cannot be stored right now")))]
async fn oauth_start(State(state): State<AppState>, Path(provider): Path<String>) -> Result<Response, Problem> {
    let url = state.auth.oauth_start(&provider).await?;
    let location = HeaderValue::from_str(&url).map_err(|_| Problem::internal())?;
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(header::LOCATION, location);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// What the provider appends to the redirect URI (RFC 6749 §4.1.2). Other
/// parameters (`iss`, `scope`, `session_state`, ...) are ignored.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The authorization code.
    code: Option<String>,
    /// The state `start` put into the authorize URL.
    state: Option<String>,
    /// Set instead of `code` when the provider did not sign the user in.
    error: Option<String>,
}

#[utoipa::path(get, path = "/v1/auth/oauth/{provider}/callback", tag = "auth",
    params(("provider" = String, Path, description = "a provider name from auth.oauth"), CallbackQuery),
    responses((status = 200, body = TokenPair),
              (status = 400, body = Problem, description = "oauth_failed: refused, bad state, code, nonce or ID token"),
              (status = 404, body = Problem, description = "no such provider"),
              (status = 409, body = Problem, description = "the email belongs to an account not linked to this provider"),
              (status = 503, body = Problem, description = "the provider or the sign-in state is unavailable")))]
async fn oauth_callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    client: ClientInfo,
    q: Result<Query<CallbackQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(q) = q.map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    if let Some(error) = q.error.as_deref() {
        return Err(state.auth.oauth_refused(&provider, q.state.as_deref(), error).await.into());
    }
    let pair = state
        .auth
        .oauth_callback(
            &provider,
            q.code.as_deref().unwrap_or_default(),
            q.state.as_deref().unwrap_or_default(),
            client.user_agent.as_deref(),
            client.address.as_deref(),
        )
        .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(pair)).into_response())
}
