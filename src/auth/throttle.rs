//! Throttling on the shared cache: login attempts per (account, address), per account
//! from all addresses (a higher limit, so nobody can lock someone else out cheaply)
//! and per address; registrations per address; second-factor codes per account; API
//! requests per user. If the cache is down, the counters live in this process
//! instead: limits still hold, per instance.

use super::{Auth, AuthError};
use crate::cache::Cache as _;
use crate::domain::User;
use std::time::Duration;

impl Auth {
    /// Counts a login attempt for `email` from `address`; `Throttled` past either
    /// limit. Counting per account and per address separately means one noisy
    /// address cannot lock an account for everyone else.
    pub(super) async fn check_login_rate(&self, email: &str, address: Option<&str>) -> Result<(), AuthError> {
        let window = self.login_window();
        let account = hex_of(email);
        let addr = address.unwrap_or("unknown");
        let pair_key = format!("throttle:login:pair:{account}:{addr}");
        self.count(&pair_key, window, self.settings.login_attempts_per_account).await?;
        let account_key = format!("throttle:login:account:{account}");
        self.count(&account_key, window, self.settings.login_attempts_per_account_all_addresses).await?;
        if address.is_some() {
            let address_key = format!("throttle:login:address:{addr}");
            self.count(&address_key, window, self.settings.login_attempts_per_address).await?;
        }
        Ok(())
    }

    /// Counts a registration from `address` (each one costs an Argon2 hash).
    pub(super) async fn check_registration_rate(&self, address: Option<&str>) -> Result<(), AuthError> {
        let key = format!("throttle:register:address:{}", address.unwrap_or("unknown"));
        self.count(&key, Duration::from_secs(3600), self.settings.registrations_per_address_per_hour).await
    }

    /// Counts a second-factor code tried for `user` (confirming or turning off 2FA).
    pub(super) async fn check_mfa_rate(&self, user: &User) -> Result<(), AuthError> {
        let key = format!("throttle:mfa:{}", user.id);
        self.count(&key, self.login_window(), self.settings.login_attempts_per_account).await
    }

    fn login_window(&self) -> Duration {
        Duration::from_secs(self.settings.login_window_secs.max(1))
    }

    /// Counts one authenticated API request.
    pub async fn check_request_rate(&self, user: &User) -> Result<(), AuthError> {
        let key = format!("throttle:api:{}", user.id);
        self.count(&key, Duration::from_secs(60), self.settings.requests_per_minute).await
    }

    async fn count(&self, key: &str, window: Duration, limit: u64) -> Result<(), AuthError> {
        if limit == 0 {
            return Ok(());
        }
        let n = match self.cache.cache.incr_window(key, window).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "shared throttle counters unavailable; counting in this process");
                self.local_counters
                    .incr_window(key, window)
                    .await
                    .map_err(|e| AuthError::Internal(format!("local throttle counter: {e}")))?
            }
        };
        if n > limit { Err(AuthError::Throttled { retry_after_secs: window.as_secs().max(1) }) } else { Ok(()) }
    }
}

/// Emails are personal data: keys carry a hash, not the address.
fn hex_of(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.trim().to_lowercase().as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}
