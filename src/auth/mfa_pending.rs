//! Sign-ins that proved the first factor elsewhere (OAuth) and still owe the second:
//! a short-lived, single-use `mfa_token` stands for them until a code arrives.

use super::tokens::{hash_token, random_token};
use super::{Auth, AuthError, TokenPair};
use crate::domain::User;
use std::time::Duration;

const PREFIX: &str = "hmf_";
const TTL: Duration = Duration::from_secs(300);

fn key(token: &str) -> String {
    let h: String = hash_token(token).iter().map(|b| format!("{b:02x}")).collect();
    format!("auth:mfa:{h}")
}

impl Auth {
    /// Parks a sign-in of `user` until a second factor is given.
    pub(super) async fn park_for_mfa(&self, user: &User) -> Result<AuthError, AuthError> {
        let token = random_token(PREFIX);
        self.cache
            .cache
            .set(&key(&token), user.id.as_bytes(), TTL)
            .await
            .map_err(|e| AuthError::Unavailable(format!("cannot hold the sign-in open: {e}")))?;
        Ok(AuthError::MfaPending { mfa_token: token })
    }

    /// Finishes a parked sign-in with a TOTP or recovery code. The token is spent
    /// whatever the outcome: a wrong code means signing in again.
    pub async fn complete_mfa(
        &self,
        mfa_token: &str,
        code: &str,
        user_agent: Option<&str>,
        ip: Option<&str>,
    ) -> Result<TokenPair, AuthError> {
        if !mfa_token.starts_with(PREFIX) || mfa_token.len() > 200 {
            return Err(AuthError::Unauthenticated("the mfa_token is unknown or expired; sign in again".into()));
        }
        let held = self
            .cache
            .cache
            .take(&key(mfa_token))
            .await
            .map_err(|e| AuthError::Unavailable(format!("cannot read the sign-in: {e}")))?;
        let user_id = held
            .and_then(|b| uuid::Uuid::from_slice(&b).ok())
            .ok_or_else(|| AuthError::Unauthenticated("the mfa_token is unknown or expired; sign in again".into()))?;
        let user = self.store.user_by_id(user_id).await?;
        if !self.verify_second_factor(&user, code).await? {
            self.audit(Some(&user), "mfa_failed", None, ip).await;
            return Err(AuthError::InvalidMfaCode);
        }
        let pair = self.start_session(&user, user_agent, ip).await?;
        self.audit(Some(&user), "login", Some("second factor after OAuth".into()), ip).await;
        Ok(pair)
    }
}
