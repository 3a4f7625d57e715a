//! Request extractors every endpoint shares: strict JSON bodies, the authenticated
//! caller (access token or device token) and role gates. Rejections are problem+json.

use super::{AppState, Problem};
use crate::auth::AuthError;
use crate::domain::{Role, User};
use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{StatusCode, request::Parts},
};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// A JSON body. Malformed JSON is 400 `malformed_json`; a body that does not fit the
/// schema (wrong types, unknown fields, missing fields) or carries a NUL character
/// in any string is 422 `invalid_body`; a body without `Content-Type:
/// application/json` is 415.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")));
        if !json_type {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| Problem::new(e.status(), "invalid_body", truncate(&e.body_text())))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            Problem::new(StatusCode::BAD_REQUEST, "malformed_json", truncate(&format!("the body is not JSON: {e}")))
        })?;
        if has_nul(&value) {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                "text must not contain NUL characters",
            ));
        }
        T::deserialize(value)
            .map(Self)
            .map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", truncate(&e.to_string())))
    }
}

fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(has_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Serde messages quote the input; keep them short.
fn truncate(s: &str) -> String {
    if s.chars().count() <= 300 { s.to_owned() } else { format!("{}…", s.chars().take(300).collect::<String>()) }
}

/// The caller, authenticated by `Authorization: Bearer <access token | device token>`.
/// Also applies the per-user request limit.
#[derive(Debug, Clone)]
pub struct AuthUser(pub User);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = match browser_cookie(parts, state) {
            Some(cookie) if parts.headers.get(axum::http::header::AUTHORIZATION).is_none() => {
                browser_user(parts, state, &cookie).await?
            }
            _ => {
                let token = bearer(parts)?;
                state.auth.authenticate(token).await.map_err(Problem::from)?
            }
        };
        state.auth.check_request_rate(&user).await.map_err(Problem::from)?;
        Ok(Self(user))
    }
}

/// The web app's session cookie, when the request carries one.
fn browser_cookie(parts: &Parts, state: &AppState) -> Option<String> {
    let name = state.auth.cookie_policy().session_name();
    let headers = parts.headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    crate::auth::browser::cookie_value(headers, name).map(str::to_owned)
}

/// The web app calling the API with its session cookie: writes must carry the
/// session's CSRF token in `X-CSRF-Token` (403 `csrf_failed` otherwise).
async fn browser_user(parts: &Parts, state: &AppState, cookie: &str) -> Result<User, Problem> {
    let session = state.auth.browser_session(cookie).await.map_err(Problem::from)?;
    if !parts.method.is_safe() {
        let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        let binding = crate::auth::csrf_binding(Some(&session), None).unwrap_or_default();
        if !state.auth.csrf_valid(&binding, sent) {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "a request made with the browser session needs its X-CSRF-Token header",
            ));
        }
    }
    Ok(session.user)
}

/// The caller when a token was sent, else nobody (for public reads that show more
/// to the owner).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<User>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if parts.headers.get(axum::http::header::AUTHORIZATION).is_none() {
            return Ok(Self(None));
        }
        AuthUser::from_request_parts(parts, state).await.map(|AuthUser(u)| Self(Some(u)))
    }
}

/// A designer (or an admin acting as one).
#[derive(Debug, Clone)]
pub struct DesignerUser(pub User);

impl FromRequestParts<AppState> for DesignerUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AuthUser(user) = AuthUser::from_request_parts(parts, state).await?;
        crate::auth::require_role(&user, Role::Designer).map_err(Problem::from)?;
        Ok(Self(user))
    }
}

/// An administrator who has two-factor authentication on.
#[derive(Debug, Clone)]
pub struct AdminUser(pub User);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AuthUser(user) = AuthUser::from_request_parts(parts, state).await?;
        crate::auth::require_role(&user, Role::Admin).map_err(Problem::from)?;
        Ok(Self(user))
    }
}

fn bearer(parts: &Parts) -> Result<&str, Problem> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Problem::from(AuthError::Unauthenticated("send Authorization: Bearer <token>".into())))?;
    header.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty() && t.len() <= 4096).ok_or_else(|| {
        Problem::from(AuthError::Unauthenticated("the Authorization header is not a bearer token".into()))
    })
}

/// The client's address and user agent, for throttling and the audit log.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let address = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(200).collect());
        Ok(Self { address, user_agent })
    }
}
