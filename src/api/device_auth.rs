//! Bearer device tokens: opaque, stored as SHA-256, revocable. How the voice daemon,
//! home assistants and scripts act for a user.

use super::{AppState, Problem};
use crate::domain::User;
use crate::store::StoreError;
use axum::{extract::FromRequestParts, http::StatusCode, http::request::Parts};
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix that makes a device token recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "hmd_";

/// A new random token and the hash to store.
pub fn new_device_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The user behind the request's `Authorization: Bearer <device token>`.
#[derive(Debug, Clone)]
pub struct DeviceUser(pub User);

fn unauthorized(detail: &str) -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
}

impl FromRequestParts<AppState> for DeviceUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| unauthorized("send Authorization: Bearer <device token>"))?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| t.starts_with(TOKEN_PREFIX) && t.len() < 200)
            .ok_or_else(|| unauthorized("the bearer token is malformed"))?;
        match state.store.device_token_user(&hash_token(token)).await {
            Ok(user) => Ok(DeviceUser(user)),
            Err(StoreError::NotFound) => Err(unauthorized("the token is unknown or revoked")),
            Err(e) => {
                tracing::error!(error = %e, "device token lookup failed");
                Err(Problem::unavailable("cannot check the token right now; try again"))
            }
        }
    }
}
