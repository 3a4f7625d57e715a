//! The store side of identity: TOTP state, recovery codes, refresh-token families
//! (sessions) and OAuth identities.

use super::StoreError;
use crate::domain::{Id, Page, PageRequest, User};
use async_trait::async_trait;
use time::OffsetDateTime;

/// A user's two-factor state as stored (the secret is sealed by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpState {
    pub secret_sealed: Option<Vec<u8>>,
    pub enabled: bool,
    pub last_step: Option<i64>,
}

/// A login session: one refresh-token family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: Id,
    pub user_agent: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was current: it is now used and `new_hash` replaces it.
    Rotated { user_id: Id, family_id: Id },
    /// The token had been used before: the whole family is now revoked.
    Reused { user_id: Id, family_id: Id },
    /// Unknown, expired, or its session was revoked.
    Invalid,
}

#[async_trait]
pub trait AuthStore: Send + Sync + 'static {
    /// Changes the display name; `NotFound` for an unknown user.
    async fn set_display_name(&self, user_id: Id, display_name: &str) -> Result<User, StoreError>;
    async fn set_password_hash(&self, user_id: Id, hash: &str) -> Result<(), StoreError>;
    /// Users, oldest first (for administrators).
    async fn list_users(&self, page: PageRequest) -> Result<Page<User>, StoreError>;

    async fn totp_state(&self, user_id: Id) -> Result<TotpState, StoreError>;
    /// Stores a pending (not yet confirmed) secret; `Conflict` when 2FA is already on.
    async fn set_pending_totp(&self, user_id: Id, secret_sealed: &[u8]) -> Result<(), StoreError>;
    /// Turns 2FA on with the step that proved it and replaces the recovery codes.
    async fn enable_totp(&self, user_id: Id, step: i64, recovery_hashes: &[Vec<u8>]) -> Result<(), StoreError>;
    /// Turns 2FA off and forgets the secret and recovery codes.
    async fn disable_totp(&self, user_id: Id) -> Result<(), StoreError>;
    /// Records `step` as used; `false` when it (or a later step) was used already.
    async fn accept_totp_step(&self, user_id: Id, step: i64) -> Result<bool, StoreError>;
    /// Spends a recovery code; `false` when unknown or already spent.
    async fn use_recovery_code(&self, user_id: Id, code_hash: &[u8]) -> Result<bool, StoreError>;

    /// Starts a session with its first refresh token; returns the session id.
    async fn create_session(
        &self,
        user_id: Id,
        user_agent: Option<&str>,
        token_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<Id, StoreError>;
    /// Spends a refresh token and stores its successor, or detects reuse and revokes
    /// the family, in one transaction.
    async fn rotate_refresh_token(
        &self,
        token_hash: &[u8],
        new_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<RefreshOutcome, StoreError>;
    /// The user's sessions that are not revoked, newest first.
    async fn list_sessions(&self, user_id: Id) -> Result<Vec<Session>, StoreError>;
    /// Revokes one of the user's sessions; `NotFound` if it is not theirs.
    async fn revoke_session(&self, user_id: Id, session_id: Id, reason: &str) -> Result<(), StoreError>;
    /// Revokes the session a refresh token belongs to; the owner, if any.
    async fn revoke_session_by_token(&self, token_hash: &[u8], reason: &str) -> Result<Option<Id>, StoreError>;
    /// Whether the session exists, belongs to the user and is not revoked.
    async fn session_active(&self, user_id: Id, session_id: Id) -> Result<bool, StoreError>;

    async fn user_by_oauth(&self, provider: &str, subject: &str) -> Result<Option<User>, StoreError>;
    async fn link_oauth(
        &self,
        user_id: Id,
        provider: &str,
        subject: &str,
        access_token_sealed: Option<&[u8]>,
    ) -> Result<(), StoreError>;
}
