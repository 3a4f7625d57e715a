//! Identity errors, each with a stable code.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("the email or password is wrong")]
    InvalidCredentials,
    #[error("this account has two-factor authentication: send totp_code (or a recovery code)")]
    MfaRequired,
    #[error("this account has two-factor authentication: send the code with mfa_token to POST /v1/auth/mfa")]
    MfaPending { mfa_token: String },
    #[error("the two-factor code is wrong, expired or already used")]
    InvalidMfaCode,
    #[error("the refresh token is unknown, expired or revoked; sign in again")]
    InvalidRefreshToken,
    #[error("{0}")]
    Forbidden(String),
    #[error("administrators must turn on two-factor authentication first (POST /v1/auth/totp/enroll)")]
    MfaSetupRequired,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("too many attempts; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error("sign-in with the provider failed: {0}")]
    OAuth(String),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl AuthError {
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Unauthenticated(_) => "unauthorized",
            AuthError::InvalidCredentials => "invalid_credentials",
            AuthError::MfaRequired | AuthError::MfaPending { .. } => "mfa_required",
            AuthError::InvalidMfaCode => "invalid_mfa_code",
            AuthError::InvalidRefreshToken => "invalid_refresh_token",
            AuthError::Forbidden(_) => "forbidden",
            AuthError::MfaSetupRequired => "mfa_setup_required",
            AuthError::Invalid(_) => "invalid",
            AuthError::Conflict(_) => "conflict",
            AuthError::NotFound(_) => "not_found",
            AuthError::Throttled { .. } => "too_many_requests",
            AuthError::OAuth(_) => "oauth_failed",
            AuthError::Unavailable(_) => "unavailable",
            AuthError::Store(_) | AuthError::Internal(_) => "internal",
        }
    }
}
