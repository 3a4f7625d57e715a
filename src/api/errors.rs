//! How service errors become problem+json answers. Only 5xx causes are logged.

use super::Problem;
use crate::auth::AuthError;
use crate::market::MarketError;
use crate::market::StoreError;
use axum::http::StatusCode;

impl From<MarketError> for Problem {
    fn from(e: MarketError) -> Self {
        let status = match &e {
            MarketError::NotFound(_) => StatusCode::NOT_FOUND,
            MarketError::Invalid(_) | MarketError::IdempotencyKeyReused | MarketError::PriceAboveLimit { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            MarketError::Forbidden(_) | MarketError::DepositsDisabled => StatusCode::FORBIDDEN,
            MarketError::Conflict(_)
            | MarketError::AlreadyReviewed
            | MarketError::HandleTaken(_)
            | MarketError::SoldOut
            | MarketError::NotForSale(_)
            | MarketError::IdempotencyInProgress => StatusCode::CONFLICT,
            MarketError::InsufficientFunds => StatusCode::PAYMENT_REQUIRED,
            MarketError::Store(s) => return store_problem(s),
        };
        Problem::new(status, e.code(), e.to_string())
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        Problem::from(MarketError::from_store("resource", e))
    }
}

fn store_problem(e: &StoreError) -> Problem {
    match e {
        StoreError::Backend(_) | StoreError::Migrate(_) | StoreError::Busy(_) => {
            tracing::error!(error = %e, "store unavailable");
            Problem::unavailable("the database is unavailable; try again shortly")
        }
        _ => {
            tracing::error!(error = %e, "store error");
            Problem::internal()
        }
    }
}

impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Self {
        let status = match &e {
            AuthError::MfaPending { mfa_token } => {
                return Problem::new(StatusCode::UNAUTHORIZED, e.code(), e.to_string())
                    .with_mfa_token(mfa_token.clone());
            }
            AuthError::Unauthenticated(_)
            | AuthError::InvalidCredentials
            | AuthError::MfaRequired
            | AuthError::InvalidMfaCode
            | AuthError::InvalidRefreshToken => StatusCode::UNAUTHORIZED,
            AuthError::Forbidden(_) | AuthError::MfaSetupRequired => StatusCode::FORBIDDEN,
            AuthError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AuthError::Conflict(_) => StatusCode::CONFLICT,
            AuthError::NotFound(_) => StatusCode::NOT_FOUND,
            AuthError::Throttled { retry_after_secs } => {
                return Problem::new(StatusCode::TOO_MANY_REQUESTS, e.code(), e.to_string())
                    .with_retry_after(*retry_after_secs);
            }
            AuthError::OAuth(_) => StatusCode::BAD_REQUEST,
            AuthError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AuthError::Store(s) => return store_problem(s),
            AuthError::Internal(msg) => {
                tracing::error!(error = %msg, "auth failure");
                return Problem::internal();
            }
        };
        Problem::new(status, e.code(), e.to_string())
    }
}
