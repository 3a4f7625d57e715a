//! What the web app answers when something goes wrong: an HTML page with the
//! reason, or a redirect to sign in.

use super::document;
use crate::auth::AuthError;
use crate::market::MarketError;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

/// An answer other than the page asked for.
#[derive(Debug)]
pub enum WebError {
    /// A status with a message a person can act on.
    Status(StatusCode, String),
    /// Sign in first, then come back to this path.
    SignIn(String),
}

impl WebError {
    pub fn not_found(what: &str) -> Self {
        WebError::Status(StatusCode::NOT_FOUND, format!("There is no such {what}."))
    }
}

impl From<MarketError> for WebError {
    fn from(e: MarketError) -> Self {
        let status = match &e {
            MarketError::NotFound(_) => StatusCode::NOT_FOUND,
            MarketError::Forbidden(_) => StatusCode::FORBIDDEN,
            MarketError::InsufficientFunds => StatusCode::PAYMENT_REQUIRED,
            MarketError::Conflict(_)
            | MarketError::SoldOut
            | MarketError::NotForSale(_)
            | MarketError::AlreadyReviewed
            | MarketError::HandleTaken(_)
            | MarketError::IdempotencyInProgress => StatusCode::CONFLICT,
            MarketError::Store(_) => {
                tracing::error!(error = %e, "web request failed");
                return WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.".into());
            }
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        WebError::Status(status, sentence(&e.to_string()))
    }
}

impl From<AuthError> for WebError {
    fn from(e: AuthError) -> Self {
        let status = match &e {
            AuthError::Unauthenticated(_) | AuthError::InvalidCredentials | AuthError::InvalidMfaCode => {
                StatusCode::UNAUTHORIZED
            }
            AuthError::Forbidden(_) | AuthError::MfaSetupRequired => StatusCode::FORBIDDEN,
            AuthError::NotFound(_) => StatusCode::NOT_FOUND,
            AuthError::Conflict(_) => StatusCode::CONFLICT,
            AuthError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AuthError::Store(_) | AuthError::Internal(_) => {
                tracing::error!(error = %e, "web request failed");
                return WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.".into());
            }
            AuthError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let text = match &e {
            AuthError::MfaSetupRequired => {
                "Administrators must turn on two-factor authentication first: Account, then Two-factor.".into()
            }
            other => other.to_string(),
        };
        WebError::Status(status, sentence(&text))
    }
}

/// A message as a sentence: capital first letter, full stop.
pub fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let mut s: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn(next) => {
                let to = format!(
                    "/sign-in?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                Redirect::to(&to).into_response()
            }
            WebError::Status(status, message) => document::error_page(status, &message),
        }
    }
}
