//! Sessions: each login starts a refresh-token family. Refresh tokens are opaque,
//! stored hashed and rotated on every use; presenting a spent one revokes the
//! whole family (someone else has a copy).

use super::tokens::{REFRESH_TOKEN_PREFIX, hash_token, random_token};
use super::{Auth, AuthError, TokenPair};
use crate::domain::{Id, User};
use crate::store::{LoginSession, RefreshOutcome, StoreError};

impl Auth {
    /// Starts a session for a user who just proved who they are.
    pub async fn start_session(
        &self,
        user: &User,
        user_agent: Option<&str>,
        ip: Option<&str>,
    ) -> Result<TokenPair, AuthError> {
        let refresh = random_token(REFRESH_TOKEN_PREFIX);
        let sid = self.store.create_session(user.id, user_agent, &hash_token(&refresh), self.refresh_expiry()).await?;
        self.audit(Some(user), "session_started", Some(sid.to_string()), ip).await;
        self.pair(user.id, sid, refresh)
    }

    /// Trades a refresh token for a new pair. Reuse of a spent token revokes its
    /// family and is recorded.
    pub async fn refresh(&self, refresh_token: &str, ip: Option<&str>) -> Result<TokenPair, AuthError> {
        if !refresh_token.starts_with(REFRESH_TOKEN_PREFIX) || refresh_token.len() > 200 {
            return Err(AuthError::InvalidRefreshToken);
        }
        let next = random_token(REFRESH_TOKEN_PREFIX);
        let outcome = self
            .store
            .rotate_refresh_token(&hash_token(refresh_token), &hash_token(&next), self.refresh_expiry())
            .await?;
        match outcome {
            RefreshOutcome::Rotated { user_id, family_id } => {
                if !self.store.user_enabled(user_id).await? {
                    self.store.revoke_session(user_id, family_id, "account_disabled").await?;
                    return Err(AuthError::InvalidRefreshToken);
                }
                self.pair(user_id, family_id, next)
            }
            RefreshOutcome::Reused { user_id, family_id } => {
                tracing::warn!(%user_id, session = %family_id, "refresh token reused; session revoked");
                let entry = crate::store::NewAuditEntry {
                    actor_id: Some(user_id),
                    action: "refresh_token_reuse".into(),
                    target: Some(family_id.to_string()),
                    ip: ip.map(str::to_owned),
                    detail: serde_json::json!({ "revoked_session": family_id }),
                };
                if let Err(e) = self.store.append_audit(&entry).await {
                    tracing::error!(error = %e, "cannot write the audit log");
                }
                Err(AuthError::InvalidRefreshToken)
            }
            RefreshOutcome::Invalid => Err(AuthError::InvalidRefreshToken),
        }
    }

    /// Signs out the session of `refresh_token`. Unknown tokens are not an error
    /// (logging out twice is fine).
    pub async fn logout(&self, refresh_token: &str, ip: Option<&str>) -> Result<(), AuthError> {
        if let Some(owner) = self.store.revoke_session_by_token(&hash_token(refresh_token), "logout").await? {
            let user = self.store.user_by_id(owner).await.ok();
            self.audit(user.as_ref(), "logout", None, ip).await;
        }
        Ok(())
    }

    pub async fn sessions(&self, user: &User) -> Result<Vec<LoginSession>, AuthError> {
        Ok(self.store.list_sessions(user.id).await?)
    }

    /// Revokes one of the user's own sessions (its access tokens stop working too).
    pub async fn revoke_session(&self, user: &User, session_id: Id, ip: Option<&str>) -> Result<(), AuthError> {
        match self.store.revoke_session(user.id, session_id, "revoked_by_user").await {
            Ok(()) => {
                self.audit(Some(user), "session_revoked", Some(session_id.to_string()), ip).await;
                Ok(())
            }
            Err(StoreError::NotFound) => Err(AuthError::NotFound("session")),
            Err(e) => Err(e.into()),
        }
    }

    /// Ends every session of the user (after a role change or when 2FA is turned off).
    pub(super) async fn revoke_all_sessions(&self, user: &User) -> Result<u64, AuthError> {
        Ok(self.store.revoke_all_sessions(user.id, "security_change").await?)
    }

    fn refresh_expiry(&self) -> time::OffsetDateTime {
        let secs = i64::try_from(self.settings.refresh_ttl_secs.max(60)).unwrap_or(i64::MAX / 2);
        time::OffsetDateTime::now_utc() + time::Duration::seconds(secs)
    }

    fn pair(&self, user_id: Id, sid: Id, refresh_token: String) -> Result<TokenPair, AuthError> {
        let ttl = self.settings.access_ttl_secs.max(1);
        Ok(TokenPair {
            access_token: self.keys.issue(user_id, sid, ttl)?,
            refresh_token,
            token_type: "Bearer",
            expires_in: ttl,
        })
    }
}
